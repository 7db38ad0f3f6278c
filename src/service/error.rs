//! Errors callers branch on (the TUI offers valid codes, the CLI picks an exit code).
use std::fmt;

/// A code offered in place of one that cannot be assigned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Offer {
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// The operating-system login has no chartdesk account.
    UnknownUser {
        login: String,
    },
    /// The user's role does not allow the action.
    Forbidden {
        login: String,
        role: String,
        action: String,
        /// Who may do it, e.g. "an admin" or "a supervisor or admin" (see `who_may`).
        allowed: String,
    },
    /// Another user holds the encounter.
    ClaimedBy {
        account: String,
        holder: String,
    },
    /// A header code or a code missing its 7th character; `valid` lists assignable codes beneath it.
    NotBillable {
        code: String,
        reason: String,
        valid: Vec<Offer>,
    },
    /// The acting user's claim was released (by a supervisor, or from another window) since they
    /// opened the encounter: a stale window must not silently claim it again.
    ClaimReleased {
        account: String,
        by: String,
        /// Local time of day, HH:MM.
        at: String,
    },
    NotFound(String),
    Invalid(String),
}

/// The roles that may do `p`, as words for a refusal: "an admin", "a supervisor or admin".
pub fn who_may(p: crate::domain::Permission) -> String {
    let roles: Vec<&str> = crate::domain::Role::ALL
        .into_iter()
        .filter(|r| r.allows(p))
        .map(|r| r.as_str())
        .collect();
    let article = match roles.first() {
        Some(r) if r.starts_with(['a', 'e', 'i', 'o', 'u']) => "an",
        _ => "a",
    };
    match roles.as_slice() {
        [] => "an admin".to_string(),
        [one] => format!("{article} {one}"),
        [init @ .., last] => format!("{article} {} or {last}", init.join(", ")),
    }
}

impl ServiceError {
    /// Refusals (access, invalid arguments or requests) exit with 2; everything else with 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServiceError::UnknownUser { .. }
            | ServiceError::Forbidden { .. }
            | ServiceError::Invalid(_)
            | ServiceError::ClaimReleased { .. } => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceError::UnknownUser { login } => write!(
                f,
                "login '{login}' is not a chartdesk user: ask an admin to run \
                 'chartdesk user add {login} --role coder' (or run 'chartdesk init' on a new data directory)"
            ),
            ServiceError::Forbidden {
                login,
                role,
                action,
                allowed,
            } => write!(
                f,
                "'{login}' has role {role}, which may not {action}: ask {allowed}"
            ),
            ServiceError::ClaimedBy { account, holder } => write!(
                f,
                "encounter {account} is being coded by {holder}: it is read-only until they release it \
                 or a supervisor reassigns it"
            ),
            ServiceError::ClaimReleased { account, by, at } => write!(
                f,
                "your claim on {account} was released by {by} at {at}: reopen the encounter to \
                 continue"
            ),
            ServiceError::NotBillable {
                code,
                reason,
                valid,
            } => {
                write!(f, "{code} cannot be assigned: {reason}")?;
                if !valid.is_empty() {
                    let list: Vec<&str> = valid.iter().take(6).map(|o| o.code.as_str()).collect();
                    write!(f, "; choose one of {}", list.join(", "))?;
                    if valid.len() > 6 {
                        write!(f, " (+{} more)", valid.len() - 6)?;
                    }
                }
                Ok(())
            }
            ServiceError::NotFound(s) | ServiceError::Invalid(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for ServiceError {}
