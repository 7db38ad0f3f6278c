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
    NotFound(String),
    Invalid(String),
}

impl ServiceError {
    /// Access refusals exit with 2; everything else with 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServiceError::UnknownUser { .. } | ServiceError::Forbidden { .. } => 2,
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
            } => write!(
                f,
                "'{login}' has role {role}, which may not {action}: ask a supervisor or admin"
            ),
            ServiceError::ClaimedBy { account, holder } => write!(
                f,
                "encounter {account} is being coded by {holder}: it is read-only until they release it \
                 or a supervisor reassigns it"
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
