//! Who may reach the data: users' SSH keys, deactivation, and session records for the SSH
//! deployment (see README, Deploying for a team).
use super::{DataDir, Service, ServiceError};
use crate::domain::{Permission, Role};
use crate::ssh::keys::PublicKey;
use crate::store::audit::AuditAction;
use crate::store::{self, user_keys::KeyRow};
use anyhow::Result;

impl Service {
    pub fn client(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// Registers `key` as `login`'s (admins only). A key already held by anyone is refused.
    pub fn add_key(&mut self, login: &str, key: &PublicKey) -> Result<()> {
        self.write(Permission::Administer, "add SSH keys", |tx, me| {
            if store::users::get(tx, login)?.is_none() {
                return Err(unknown_target(login));
            }
            if let Some(owner) = store::user_keys::owner(tx, &key.fingerprint)? {
                return Err(ServiceError::Invalid(format!(
                    "the key {} is already registered to '{owner}': one key belongs to one \
                     login (remove it first with 'chartdesk user remove-key {owner} {}')",
                    key.fingerprint, key.fingerprint
                ))
                .into());
            }
            let at = store::now();
            store::user_keys::add(
                tx,
                login,
                &key.key_type,
                &key.base64,
                &key.comment,
                &key.fingerprint,
                &at,
                &me.login,
            )?;
            store::audit::record(
                tx,
                &store::audit::Entry {
                    object: login,
                    detail: &key.fingerprint,
                    ..store::audit::Entry::new(&at, &me.login, store::audit::AuditAction::AddKey)
                },
            )
            .map(drop)
        })
    }

    /// A login's registered keys (admins only; audited).
    pub fn user_keys(&mut self, login: &str) -> Result<Vec<KeyRow>> {
        self.write(Permission::Administer, "list SSH keys", |tx, me| {
            if store::users::get(tx, login)?.is_none() {
                return Err(unknown_target(login));
            }
            store::audit::record(
                tx,
                &store::audit::Entry {
                    object: login,
                    ..store::audit::Entry::new(
                        &store::now(),
                        &me.login,
                        store::audit::AuditAction::ViewKeys,
                    )
                },
            )?;
            store::user_keys::list(tx, login)
        })
    }

    /// Removes one of `login`'s keys by fingerprint (admins only): refused at the next connection.
    pub fn remove_key(&mut self, login: &str, fingerprint: &str) -> Result<()> {
        self.write(Permission::Administer, "remove SSH keys", |tx, me| {
            if !store::user_keys::remove(tx, login, fingerprint)? {
                return Err(ServiceError::Invalid(format!(
                    "'{login}' has no key {fingerprint}: see 'chartdesk user keys {login}'"
                ))
                .into());
            }
            store::audit::record(
                tx,
                &store::audit::Entry {
                    object: login,
                    detail: fingerprint,
                    ..store::audit::Entry::new(
                        &store::now(),
                        &me.login,
                        store::audit::AuditAction::RemoveKey,
                    )
                },
            )
            .map(drop)
        })
    }

    /// Deactivates a user (admins only): their keys and sessions stop working; history stays.
    pub fn deactivate_user(&mut self, login: &str) -> Result<()> {
        self.write(Permission::Administer, "deactivate users", |tx, me| {
            let Some(user) = store::users::get(tx, login)? else {
                return Err(unknown_target(login));
            };
            if user.active
                && user.role == Role::Admin
                && store::users::count_active(tx, Role::Admin)? <= 1
            {
                return Err(ServiceError::Invalid(format!(
                    "'{login}' is the last active admin: add another admin first"
                ))
                .into());
            }
            store::users::deactivate(tx, login)?;
            store::audit::record(
                tx,
                &store::audit::Entry {
                    object: login,
                    ..store::audit::Entry::new(
                        &store::now(),
                        &me.login,
                        store::audit::AuditAction::DeactivateUser,
                    )
                },
            )
            .map(drop)
        })
    }

    /// Audits a session event ("session_start", "session_end", "idle_logoff") with the client address.
    /// The name is parsed into its `AuditAction`; anything but a session event is refused.
    pub fn record_session(&mut self, action: &str, detail: &str) -> Result<()> {
        let action = session_action(action)?;
        let client = self.client.clone().unwrap_or_default();
        let detail = if detail.is_empty() {
            client
        } else {
            format!("{client} {detail}").trim().to_string()
        };
        let tx = self.conn.unchecked_transaction()?;
        store::audit::record(
            &tx,
            &store::audit::Entry {
                detail: &detail,
                ..store::audit::Entry::new(&store::now(), &self.user.login, action)
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// The session event named `name` ("session_start", "session_end", "idle_logoff", "ssh_refused").
fn session_action(name: &str) -> Result<AuditAction> {
    match name.parse::<AuditAction>() {
        Ok(a) if a.is_session_event() => Ok(a),
        _ => Err(ServiceError::Invalid(format!(
            "'{name}' is not a session event (session_start, session_end, idle_logoff, ssh_refused)"
        ))
        .into()),
    }
}

fn unknown_target(login: &str) -> anyhow::Error {
    ServiceError::Invalid(format!(
        "there is no user '{login}': add them first with 'chartdesk user add {login} --role ROLE'"
    ))
    .into()
}

/// The active login whose key this is, for sshd's AuthorizedKeysCommand: opens only the database.
pub fn authorized_login(
    data: &DataDir,
    key_type: &str,
    key_base64: &str,
) -> Result<Option<String>> {
    if !data.is_initialized() {
        return Ok(None);
    }
    let conn = store::open(&data.db_path())?;
    store::user_keys::active_login_for(&conn, key_type, key_base64)
}

/// Whether `login` is an active user (a forced command for anyone else is refused).
pub fn active_user(data: &DataDir, login: &str) -> Result<bool> {
    if !data.is_initialized() {
        return Ok(false);
    }
    let conn = store::open(&data.db_path())?;
    Ok(store::users::get(&conn, login)?.is_some_and(|u| u.active))
}

/// Audits an SSH session event for `login` ("session_start", "session_end", "ssh_refused")
/// without opening any index; `client` is the client address, also in the detail for now.
pub fn audit_event(
    data: &DataDir,
    login: &str,
    action: AuditAction,
    client: &str,
    what: &str,
) -> Result<()> {
    let mut conn = store::open(&data.db_path())?;
    // The row carries the client address in its own column, like every row of the session.
    let client = client.trim();
    store::audit::set_session_client(&conn, (!client.is_empty()).then_some(client))?;
    let detail = format!("{client} {what}");
    // IMMEDIATE: the chain's previous row cannot move while this row is hashed onto it.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    store::audit::record(
        &tx,
        &store::audit::Entry {
            detail: detail.trim(),
            ..store::audit::Entry::new(&store::now(), login, action)
        },
    )?;
    tx.commit()?;
    Ok(())
}
