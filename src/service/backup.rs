//! `chartdesk backup` and `chartdesk restore`: a verified copy of the live database (the indexes
//! are derived and rebuilt from it, so they are not copied; the recipe says how).
use super::{DataDir, Service, SetupProgress};
use crate::domain::Permission;
use crate::store;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupReport {
    pub database: PathBuf,
    pub recipe: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
}

/// The text of the rebuild recipe written beside a backup.
fn recipe(db: &Path, version: i64) -> String {
    format!(
        "chartdesk backup of {db}, schema version {version}, taken {at}.\n\
         The copy holds the whole database (the source of truth). The search indexes are derived\n\
         and not copied. To restore onto a new, empty data directory:\n\n\
         \x20 chartdesk --data-dir NEW_DIR restore {db}\n\n\
         restore copies the database, checks it, and rebuilds the code and notes indexes (the same\n\
         as `chartdesk reindex`); any start of chartdesk on that directory would rebuild them too.\n",
        db = db.display(),
        at = store::now()
    )
}

/// Checks a copy: `PRAGMA integrity_check`, then the checks other parts add (see
/// [`verify_copy_extra`]). Returns the schema version of the copy.
pub fn verify_copy(path: &Path) -> Result<i64> {
    let conn = store::backup::integrity_check(path)?;
    verify_copy_extra(&conn).with_context(|| format!("checking the copy {}", path.display()))?;
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(v)
}

/// Checks of a copy beyond SQLite's integrity: the audit's hash chain must hold from the first row
/// to the last, so a backup never preserves a tampered log as if it were good.
pub fn verify_copy_extra(copy: &rusqlite::Connection) -> Result<()> {
    let v = store::audit::verify(copy).context("recomputing the audit chain of the copy")?;
    if let Some(b) = v.first_break {
        bail!(
            "the audit chain of the copy is broken at row {}: {} (run 'chartdesk audit verify' on \
             the live database and report it to your security officer)",
            b.id,
            b.reason
        );
    }
    Ok(())
}

impl Service {
    /// Copies the live database to `dest` (a file that must not exist), verifies the copy and
    /// writes the indexes' rebuild recipe beside it (`DEST.README.txt`). Admins; audited.
    pub fn backup(&mut self, dest: &Path) -> Result<BackupReport> {
        self.require(Permission::Administer, "back up the database")?;
        if dest.exists() {
            bail!(
                "{} exists: a backup is written to a new file (choose a new name, e.g. with the \
                 date in it)",
                dest.display()
            );
        }
        store::backup::copy_to(&self.conn, dest)?;
        let version = match verify_copy(dest) {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(dest);
                return Err(e);
            }
        };
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        let mut recipe_path = dest.as_os_str().to_os_string();
        recipe_path.push(".README.txt");
        let recipe_path = PathBuf::from(recipe_path);
        std::fs::write(&recipe_path, recipe(dest, version))
            .with_context(|| format!("writing {}", recipe_path.display()))?;
        let detail = format!("{} ({bytes} bytes)", dest.display());
        self.write(Permission::Administer, "back up the database", |tx, me| {
            store::audit::record(
                tx,
                &store::audit::Entry {
                    object: "database",
                    detail: &detail,
                    ..store::audit::Entry::new(
                        &store::now(),
                        &me.login,
                        store::audit::AuditAction::Backup,
                    )
                },
            )
        })?;
        Ok(BackupReport {
            database: dest.to_path_buf(),
            recipe: recipe_path,
            bytes,
            schema_version: version,
        })
    }
}

/// Restores a backup onto a data directory that has no database yet: checks the copy, copies it in
/// and opens it as `login`, which rebuilds the indexes (with progress).
pub fn restore(
    data: &DataDir,
    src: &Path,
    login: &str,
    progress: &mut SetupProgress<'_>,
) -> Result<()> {
    if data.is_initialized() {
        bail!(
            "{} already holds a database: restore only onto a new, empty data directory \
             (pass --data-dir NEW_DIR)",
            data.root.display()
        );
    }
    if data.root.exists()
        && std::fs::read_dir(&data.root)
            .with_context(|| format!("reading {}", data.root.display()))?
            .filter_map(|e| e.ok())
            // The log directory is made by any start, restore included.
            .any(|e| e.path() != data.log_dir())
    {
        bail!(
            "{} is not empty: restore only onto a new, empty data directory",
            data.root.display()
        );
    }
    verify_copy(src)?;
    std::fs::create_dir_all(&data.root)
        .with_context(|| format!("creating {}", data.root.display()))?;
    let tmp = data.root.join("chartdesk.db.restoring");
    std::fs::copy(src, &tmp).with_context(|| format!("copying {}", src.display()))?;
    std::fs::rename(&tmp, data.db_path())
        .with_context(|| format!("moving the copy into {}", data.root.display()))?;
    // Opening rebuilds the missing indexes.
    Service::open(data, login, progress).context(
        "the database is restored; opening it to rebuild the indexes failed (they are rebuilt at \
         the next start)",
    )?;
    Ok(())
}
