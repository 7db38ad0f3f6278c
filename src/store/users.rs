//! Users and their roles.
use crate::domain::Role;
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserRow {
    pub login: String,
    pub role: Role,
    pub display_name: String,
    pub active: bool,
    /// The team the user works in (empty: none), for team filters in reports.
    pub team: String,
}

type RawUser = (String, String, String, bool, String);

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_user((login, role, display_name, active, team): RawUser) -> Result<UserRow> {
    let role = role
        .parse::<Role>()
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("user '{login}' in the database"))?;
    Ok(UserRow {
        login,
        role,
        display_name,
        active,
        team,
    })
}

pub fn get(conn: &Connection, login: &str) -> Result<Option<UserRow>> {
    let raw = conn
        .query_row(
            "SELECT login, role, display_name, active, team FROM users WHERE login = ?1",
            [login],
            row_to_user,
        )
        .optional()?;
    raw.map(to_user).transpose()
}

pub fn list(conn: &Connection) -> Result<Vec<UserRow>> {
    let mut st =
        conn.prepare("SELECT login, role, display_name, active, team FROM users ORDER BY login")?;
    let rows = st.query_map([], row_to_user)?;
    rows.map(|r| to_user(r?)).collect()
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

/// Active users with `role`.
pub fn count_active(conn: &Connection, role: Role) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM users WHERE active = 1 AND role = ?1",
        [role.as_str()],
        |r| r.get(0),
    )?)
}

/// Adds a user, or changes the role of an existing one. Returns true if the user was new.
pub fn upsert(
    conn: &Connection,
    login: &str,
    role: Role,
    display_name: &str,
    by: Option<&str>,
    at: &str,
) -> Result<bool> {
    let existed = get(conn, login)?.is_some();
    conn.execute(
        "INSERT INTO users (login, role, display_name, active, created_at, created_by)
         VALUES (?1, ?2, ?3, 1, ?4, ?5)
         ON CONFLICT(login) DO UPDATE SET role = excluded.role, active = 1,
           display_name = CASE WHEN excluded.display_name = '' THEN users.display_name
                               ELSE excluded.display_name END",
        params![login, role.as_str(), display_name, at, by],
    )?;
    Ok(!existed)
}

/// Sets a user's team (empty: none).
pub fn set_team(conn: &Connection, login: &str, team: &str) -> Result<()> {
    conn.execute(
        "UPDATE users SET team = ?2 WHERE login = ?1",
        params![login, team.trim()],
    )
    .with_context(|| format!("setting the team of user '{login}'"))?;
    Ok(())
}

/// Marks a user inactive (they keep their history; their keys stop working). False if unknown.
pub fn deactivate(conn: &Connection, login: &str) -> Result<bool> {
    let n = conn
        .execute("UPDATE users SET active = 0 WHERE login = ?1", [login])
        .with_context(|| format!("deactivating user '{login}'"))?;
    Ok(n > 0)
}
