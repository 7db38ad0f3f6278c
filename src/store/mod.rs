//! SQLite, the source of truth: connection set-up and one module per table group.
//! SQL text lives here and only here; callers pass a `&Connection` (or a transaction) they control.
pub mod assignments;
pub mod audit;
pub mod audit_action;
pub mod backup;
pub mod claims;
pub mod code_axes;
pub mod codes;
pub mod drg;
pub mod edit_acks;
pub mod encounters;
pub mod migrations;
pub mod notes;
pub mod queries;
pub mod query_metrics;
pub mod query_templates;
pub mod reports;
pub mod reviews;
pub mod user_keys;
pub mod users;

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating if needed) the database at `path`, sets per-connection pragmas and migrates.
pub fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening the database {}", path.display()))?;
    configure(&conn).with_context(|| format!("configuring the database {}", path.display()))?;
    migrations::migrate(&mut conn)
        .with_context(|| format!("migrating the database {}", path.display()))?;
    Ok(conn)
}

/// SQLite's `PRAGMA data_version`: changes when another connection commits to the database (this
/// connection's own commits do not change it). No table is read.
pub fn data_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
        .context("reading the database's data_version")
}

/// An in-memory database with the full schema, for tests.
pub fn open_in_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    configure(&conn)?;
    migrations::migrate(&mut conn)?;
    Ok(conn)
}

/// Pragmas are per connection, never in migrations.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets readers (other coders' worklists) run while one process writes.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if mode != "wal" && mode != "memory" {
        tracing::warn!("journal_mode is {mode}, not wal");
    }
    // FULL: a committed change survives power loss, not only a killed process.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // An import's per-record statements alone are about as many as the default cache holds (16).
    conn.set_prepared_statement_cache_capacity(64);
    // The client address this connection's audit rows carry (set by an SSH session).
    audit::create_session_table(conn)?;
    Ok(())
}

/// Now, as stored: RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
