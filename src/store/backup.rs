//! Online backup: a consistent copy of the live database while others work, and its check.
//!
//! `VACUUM INTO` copies the database as of one read transaction (WAL readers never block writers,
//! and writers never block it), writing a compact new file that must not exist yet.
use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Copies the database `conn` is open on to `dest` (which must not exist).
pub fn copy_to(conn: &Connection, dest: &Path) -> Result<()> {
    let Some(dest_text) = dest.to_str() else {
        bail!(
            "{} is not a UTF-8 path: choose another backup file name",
            dest.display()
        );
    };
    conn.execute("VACUUM INTO ?1", [dest_text])
        .with_context(|| format!("copying the database to {}", dest.display()))?;
    Ok(())
}

/// Opens a copy read-only and runs `PRAGMA integrity_check`; Ok(()) only for "ok".
pub fn integrity_check(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening the copy {}", path.display()))?;
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let problems: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    drop(st);
    if problems != ["ok"] {
        bail!(
            "the copy {} fails its integrity check: {}",
            path.display(),
            problems.join("; ")
        );
    }
    Ok(conn)
}
