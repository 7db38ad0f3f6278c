//! Roles and what each may do. The service layer asks `Role::allows` before any work.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Coder,
    Cdi,
    Supervisor,
    Admin,
}

/// Things a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the worklist, encounters and notes (every view is audited).
    ViewCharts,
    /// Assign, sequence and remove codes; mark coded; reopen.
    Code,
    /// Take over or release another user's claim on an encounter.
    Reassign,
    /// Work documentation queries.
    Query,
    /// See team-wide reports.
    Reports,
    /// Add users, import code sets and data.
    Administer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Coder, Role::Cdi, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coder => "coder",
            Role::Cdi => "cdi",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Coder => matches!(p, ViewCharts | Code | Query),
            Role::Cdi => matches!(p, ViewCharts | Query),
            Role::Supervisor => !matches!(p, Administer),
            Role::Admin => true,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "coder" => Ok(Role::Coder),
            "cdi" => Ok(Role::Cdi),
            "supervisor" => Ok(Role::Supervisor),
            "admin" => Ok(Role::Admin),
            _ => Err(format!(
                "unknown role '{s}': use coder, cdi, supervisor or admin"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdi_cannot_code() {
        assert!(!Role::Cdi.allows(Permission::Code));
        assert!(Role::Coder.allows(Permission::Code));
        assert!(!Role::Coder.allows(Permission::Reassign));
        assert!(Role::Supervisor.allows(Permission::Reassign));
        assert!(!Role::Supervisor.allows(Permission::Administer));
        assert!(Role::Admin.allows(Permission::Administer));
    }
}
