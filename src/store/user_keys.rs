//! SSH public keys of users: one key belongs to one login.
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyRow {
    pub login: String,
    pub key_type: String,
    pub key_base64: String,
    pub comment: String,
    pub fingerprint: String,
    pub added_at: String,
    pub added_by: String,
}

/// Stores a key for `login`. The caller checks first that no one holds it (`owner`).
#[allow(clippy::too_many_arguments)]
pub fn add(
    conn: &Connection,
    login: &str,
    key_type: &str,
    key_base64: &str,
    comment: &str,
    fingerprint: &str,
    at: &str,
    by: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO user_keys (login, key_type, key_base64, comment, fingerprint, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![login, key_type, key_base64, comment, fingerprint, at, by],
    )?;
    Ok(())
}

/// Who holds the key with this fingerprint.
pub fn owner(conn: &Connection, fingerprint: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT login FROM user_keys WHERE fingerprint = ?1",
            [fingerprint],
            |r| r.get(0),
        )
        .optional()?)
}

/// A login's keys, oldest first.
pub fn list(conn: &Connection, login: &str) -> Result<Vec<KeyRow>> {
    let mut st = conn.prepare(
        "SELECT login, key_type, key_base64, comment, fingerprint, added_at, added_by
         FROM user_keys WHERE login = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([login], |r| {
        Ok(KeyRow {
            login: r.get(0)?,
            key_type: r.get(1)?,
            key_base64: r.get(2)?,
            comment: r.get(3)?,
            fingerprint: r.get(4)?,
            added_at: r.get(5)?,
            added_by: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes one of `login`'s keys; false if they have no key with that fingerprint.
pub fn remove(conn: &Connection, login: &str, fingerprint: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM user_keys WHERE login = ?1 AND fingerprint = ?2",
        params![login, fingerprint],
    )?;
    Ok(n > 0)
}

/// The active user whose key this is (what sshd's AuthorizedKeysCommand asks).
pub fn active_login_for(
    conn: &Connection,
    key_type: &str,
    key_base64: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT k.login FROM user_keys k JOIN users u ON u.login = k.login
             WHERE k.key_type = ?1 AND k.key_base64 = ?2 AND u.active = 1",
            params![key_type, key_base64],
            |r| r.get(0),
        )
        .optional()?)
}
