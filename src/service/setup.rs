//! Setting up a data directory: schema, first admin, built-in code sets, demo data, the code index.
use super::{DataDir, Service, ServiceError, make_dir};
use crate::codeset::{self, CodeSetRelease};
use crate::domain::{CodeEntry, CodeSystem, Permission, Role};
use crate::search::CodeIndex;
use crate::search::perms::{self, OnOpenError};
use crate::store;
use anyhow::{Context, Result};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};

/// Progress reporting: (stage, done, total). `total == 0` means "no count known".
pub type SetupProgress<'a> = dyn FnMut(&str, usize, usize) + 'a;

/// What `initialize` did, for the CLI to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct InitReport {
    pub data_dir: String,
    pub created_database: bool,
    pub admin_added: Option<String>,
    pub code_sets_loaded: Vec<String>,
    pub demo_encounters_added: usize,
    pub demo_notes_added: usize,
    pub existing_encounters: i64,
    pub existing_notes: i64,
    pub index_rebuilt: bool,
}

/// Creates or completes a data directory. Existing data is kept: code sets already present are not
/// reloaded, and demo data is only added to a database without encounters.
pub fn initialize(
    data: &DataDir,
    login: &str,
    demo: Option<usize>,
    progress: &mut SetupProgress<'_>,
) -> Result<InitReport> {
    make_dir(&data.root)?;
    let created = !data.is_initialized();
    let mut conn = store::open(&data.db_path())?;
    let mut report = InitReport {
        data_dir: data.root.display().to_string(),
        created_database: created,
        ..Default::default()
    };

    // The first login to initialise becomes the admin; later ones must already be users.
    {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if store::users::count(&tx)? == 0 {
            let at = store::now();
            store::users::upsert(&tx, login, Role::Admin, "", None, &at)?;
            store::audit::record(
                &tx,
                &store::audit::Entry {
                    object: login,
                    detail: "first admin",
                    ..store::audit::Entry::new(&at, login, store::audit::AuditAction::Init)
                },
            )?;
            report.admin_added = Some(login.to_string());
        }
        let me = store::users::get(&tx, login)?.ok_or_else(|| ServiceError::UnknownUser {
            login: login.to_string(),
        })?;
        if !me.role.allows(Permission::Administer) {
            return Err(ServiceError::Forbidden {
                login: me.login,
                role: me.role.to_string(),
                action: "initialise a data directory".into(),
                allowed: super::error::who_may(Permission::Administer),
            }
            .into());
        }
        tx.commit()?;
    }

    let have: Vec<CodeSystem> = store::codes::sets(&conn)?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| s.system)
        .collect();
    type Loader = fn() -> Result<CodeSetRelease>;
    let builtins: [(CodeSystem, Loader); 2] = [
        (CodeSystem::Icd10Cm, codeset::builtin_icd10cm),
        (CodeSystem::Icd10Pcs, codeset::builtin_icd10pcs),
    ];
    for (system, load) in builtins {
        if have.contains(&system) {
            continue;
        }
        progress(&format!("reading built-in {system}"), 0, 0);
        let release = load().with_context(|| format!("reading the built-in {system} code set"))?;
        store_release(&mut conn, &release, login, "built-in", progress)?;
        report.code_sets_loaded.push(format!(
            "{} {} ({} codes)",
            system,
            release.version,
            release.billable_count()
        ));
    }

    report.existing_encounters = store::encounters::count(&conn)?;
    report.existing_notes = store::notes::count(&conn)?;
    if let Some(n) = demo
        && report.existing_encounters == 0
    {
        let (e, notes) = load_demo(&mut conn, login, n, progress)?;
        report.demo_encounters_added = e;
        report.demo_notes_added = notes;
    }

    let before = current_index_dir(data)?;
    ensure_code_index(&conn, data, progress)?;
    report.index_rebuilt = before != current_index_dir(data)?;
    Ok(report)
}

/// Stores a parsed release in one transaction with its audit row: all of it or none of it.
/// Stores a release without activating it (admins): `activate_release` makes it current.
fn stage_release(
    conn: &mut Connection,
    release: &CodeSetRelease,
    login: &str,
    progress: &mut SetupProgress<'_>,
) -> Result<()> {
    let label = format!("storing {} {}", release.system, release.version);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let me = store::users::get(&tx, login)?.ok_or_else(|| ServiceError::UnknownUser {
        login: login.to_string(),
    })?;
    super::require(&me, Permission::Administer, "import code sets")?;
    store::codes::stage_set(
        &tx,
        release.system,
        &release.version,
        &release.source,
        &release.entries,
        login,
        &store::now(),
        &mut |d, t| progress(&label, d, t),
    )?;
    tx.commit()
        .with_context(|| format!("storing {} {}", release.system, release.version))?;
    Ok(())
}

/// Makes a staged release the active set of its system, with its audit row, in one transaction.
fn activate_release(
    conn: &mut Connection,
    release: &CodeSetRelease,
    login: &str,
    action_detail: &str,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let me = store::users::get(&tx, login)?
        .filter(|u| u.active)
        .ok_or_else(|| ServiceError::UnknownUser {
            login: login.to_string(),
        })?;
    super::require(&me, Permission::Administer, "import code sets")?;
    store::codes::activate_set(&tx, release.system, &release.version)?;
    store::audit::record(
        &tx,
        &store::audit::Entry {
            object: &format!("{} {}", release.system, release.version),
            detail: &format!(
                "{action_detail}: {} entries, {} billable, from {}",
                release.entries.len(),
                release.billable_count(),
                release.source
            ),
            ..store::audit::Entry::new(&store::now(), login, store::audit::AuditAction::ImportCodes)
        },
    )?;
    tx.commit()
        .with_context(|| format!("activating {} {}", release.system, release.version))?;
    Ok(())
}

fn store_release(
    conn: &mut Connection,
    release: &CodeSetRelease,
    login: &str,
    action_detail: &str,
    progress: &mut SetupProgress<'_>,
) -> Result<()> {
    let label = format!("storing {} {}", release.system, release.version);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let me = store::users::get(&tx, login)?.ok_or_else(|| ServiceError::UnknownUser {
        login: login.to_string(),
    })?;
    super::require(&me, Permission::Administer, "import code sets")?;
    let at = store::now();
    store::codes::replace_set(
        &tx,
        release.system,
        &release.version,
        &release.source,
        &release.entries,
        login,
        &at,
        &mut |d, t| progress(&label, d, t),
    )?;
    store::audit::record(
        &tx,
        &store::audit::Entry {
            object: &format!("{} {}", release.system, release.version),
            detail: &format!(
                "{action_detail}: {} entries, {} billable, from {}",
                release.entries.len(),
                release.billable_count(),
                release.source
            ),
            ..store::audit::Entry::new(&at, login, store::audit::AuditAction::ImportCodes)
        },
    )?;
    tx.commit()
        .with_context(|| format!("committing {} {}", release.system, release.version))?;
    Ok(())
}

fn load_demo(
    conn: &mut Connection,
    login: &str,
    encounters: usize,
    progress: &mut SetupProgress<'_>,
) -> Result<(usize, usize)> {
    progress("generating demo encounters and notes", 0, 0);
    let today = chrono::Local::now().date_naive();
    let demo = crate::demo::generate_recent(encounters, 20_261_124, today)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let at = store::now();
    for (staff, role) in &demo.staff {
        if store::users::get(&tx, staff)?.is_none() {
            store::users::upsert(&tx, staff, *role, "", Some(login), &at)?;
        }
    }
    for p in &demo.patients {
        store::encounters::upsert_patient(&tx, p)?;
    }
    let total = demo.encounters.len() + demo.notes.len();
    for (i, e) in demo.encounters.iter().enumerate() {
        let id = store::encounters::insert(&tx, e)?;
        if e.enc_type == crate::domain::EncounterType::Inpatient {
            let status = super::drg::demo_discharge_status(&e.account);
            store::drg::set_discharge_status(&tx, id, Some(status))?;
        }
        if i % 100 == 0 {
            progress("storing demo encounters", i, total);
        }
    }
    for (i, n) in demo.notes.iter().enumerate() {
        store::notes::insert(&tx, n)?;
        if i % 200 == 0 {
            progress("storing demo notes", demo.encounters.len() + i, total);
        }
    }
    progress("storing demo notes", total, total);
    progress("simulating weeks of coding history", 0, 0);
    let hist = if encounters >= crate::demo::history::MIN_DEMO_ENCOUNTERS {
        super::demo_history::store_history(&tx, 20_261_124, today, &demo.staff)?
    } else {
        Default::default()
    };
    store::audit::record(
        &tx,
        &store::audit::Entry {
            object: "demo",
            detail: &format!(
                "{} patients, {} encounters, {} notes; history: {} coded encounters, {} actions, \
             {} queries, {} reviews",
                demo.patients.len(),
                demo.encounters.len(),
                demo.notes.len(),
                hist.encounters,
                hist.actions,
                hist.queries,
                hist.reviews
            ),
            ..store::audit::Entry::new(&at, login, store::audit::AuditAction::LoadDemo)
        },
    )?;
    tx.commit().context("committing the demo data")?;
    Ok((demo.encounters.len(), demo.notes.len() + hist.notes))
}

/// The pointer file naming the current code index generation.
fn pointer_file(data: &DataDir) -> PathBuf {
    data.root.join("index").join("CODES")
}

pub(super) fn current_index_dir(data: &DataDir) -> Result<Option<PathBuf>> {
    let path = pointer_file(data);
    let name = match std::fs::read_to_string(&path) {
        Ok(name) => name,
        Err(e) if perms::on_io_error(e.kind()) == OnOpenError::Rebuild => return Ok(None),
        Err(error) => return Err(perms::IndexAccessDenied { path, error }.into()),
    };
    let name = name.trim();
    if name.is_empty() || name.contains('/') || name.contains("..") {
        return Ok(None);
    }
    Ok(Some(data.root.join("index").join(name)))
}

/// Opens the code index, rebuilding it from SQLite when it is missing, corrupt, of an older schema
/// or built from other code sets. Builds go to a fresh directory and are switched in by renaming a
/// pointer file, so a process reading the old index is never disturbed. Rebuilds take a lock file:
/// two processes starting together build once, and the second opens what the first built.
pub(super) fn ensure_code_index(
    conn: &Connection,
    data: &DataDir,
    progress: &mut SetupProgress<'_>,
) -> Result<CodeIndex> {
    let fingerprint = store::codes::fingerprint(conn)?;
    if let Some(ix) = open_current(data, &fingerprint)? {
        return Ok(ix);
    }
    let _lock = lock_index_dir(data)?;
    // Another process may have rebuilt it while we waited for the lock.
    if let Some(ix) = open_current(data, &fingerprint)? {
        return Ok(ix);
    }
    rebuild_locked(conn, data, &fingerprint, progress)
}

/// The current code index if it is usable; None if it must be rebuilt. An index this process may
/// not read is an error, not a reason to rebuild (see `search::perms`).
fn open_current(data: &DataDir, fingerprint: &str) -> Result<Option<CodeIndex>> {
    let Some(dir) = current_index_dir(data)? else {
        return Ok(None);
    };
    perms::check_readable(&dir)?;
    if CodeIndex::stored_fingerprint(&dir).as_deref() != Some(fingerprint) {
        return Ok(None);
    }
    match CodeIndex::open(&dir) {
        Ok(ix) => Ok(Some(ix)),
        Err(e) if perms::on_open_error(&e) == OnOpenError::Refuse => Err(e),
        Err(e) => {
            tracing::warn!(
                "code index at {} unusable, rebuilding: {e:#}",
                dir.display()
            );
            Ok(None)
        }
    }
}

/// An exclusive lock on `index/LOCK` (the code index), held until dropped.
fn lock_index_dir(data: &DataDir) -> Result<std::fs::File> {
    lock_index_file(data, "LOCK")
}

/// An exclusive lock on the file `index/NAME`, held until dropped: one rebuilder per index.
pub(crate) fn lock_index_file(data: &DataDir, name: &str) -> Result<std::fs::File> {
    let base = data.root.join("index");
    make_dir(&base)?;
    let path = base.join(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening the index lock {}", path.display()))?;
    file.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}

fn rebuild_code_index(
    conn: &Connection,
    data: &DataDir,
    fingerprint: &str,
    progress: &mut SetupProgress<'_>,
) -> Result<CodeIndex> {
    let _lock = lock_index_dir(data)?;
    rebuild_locked(conn, data, fingerprint, progress)
}

fn rebuild_locked(
    conn: &Connection,
    data: &DataDir,
    fingerprint: &str,
    progress: &mut SetupProgress<'_>,
) -> Result<CodeIndex> {
    progress("reading code sets for the code index", 0, 0);
    let entries = store::codes::all_active(conn)?;
    let (name, dir) = build_generation(data, &entries, fingerprint, progress)?;
    switch_to_generation(data, &name, &dir)?;
    CodeIndex::open(&dir)
}

/// Builds a new code index generation `index/codes-…` from `entries`; nothing points to it yet.
/// The caller holds the index lock.
fn build_generation(
    data: &DataDir,
    entries: &[CodeEntry],
    fingerprint: &str,
    progress: &mut SetupProgress<'_>,
) -> Result<(String, PathBuf)> {
    let base = data.root.join("index");
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%3f");
    let name = format!("codes-{stamp}-{}", std::process::id());
    let dir = base.join(&name);
    make_dir(&dir)?;
    CodeIndex::build(&dir, entries, fingerprint, &mut |d, t| {
        progress("building the code index", d, t)
    })
    .with_context(|| format!("building the code index in {}", dir.display()))?;
    Ok((name, dir))
}

/// Points `index/CODES` at generation `name` (an atomic rename) and removes older generations.
fn switch_to_generation(data: &DataDir, name: &str, dir: &Path) -> Result<()> {
    let base = data.root.join("index");
    let tmp = base.join(format!("CODES.tmp-{}", std::process::id()));
    std::fs::write(&tmp, name).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, pointer_file(data))
        .with_context(|| format!("switching to the new code index {}", dir.display()))?;
    super::notes::share_like_db(data, &base, &[dir, &pointer_file(data), &base.join("LOCK")]);
    remove_old_generations(&base, name);
    Ok(())
}

/// Best effort: other generations are only garbage once the pointer has moved on.
fn remove_old_generations(base: &Path, keep: &str) {
    let Ok(rd) = std::fs::read_dir(base) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("codes-")
            && name != keep
            && let Err(err) = std::fs::remove_dir_all(e.path())
        {
            tracing::debug!("could not remove old index {name}: {err}");
        }
    }
}

impl Service {
    /// Imports a code-set release file (admins). Nothing is kept if any record is bad.
    pub fn import_code_file(
        &mut self,
        path: &Path,
        system: Option<CodeSystem>,
        version: Option<&str>,
        progress: &mut SetupProgress<'_>,
    ) -> Result<String> {
        self.require(Permission::Administer, "import code sets")?;
        progress(&format!("reading {}", path.display()), 0, 0);
        let release = codeset::read_release_file(path, system, version)?;
        if release.entries.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "{}: no codes found; is this a code-set release file?",
                path.display()
            ))
            .into());
        }
        let login = self.user.login.clone();
        // A code set and its index become current together: the set is stored inactive, its
        // index generation built, then one short transaction activates the set (with its audit
        // row) and the pointer follows at once. Killed before that, the previous set and index
        // stay current (the orphan generation is removed by the next build).
        stage_release(&mut self.conn, &release, &login, progress)?;
        let _lock = lock_index_dir(&self.data)?;
        let mut sets = store::codes::sets(&self.conn)?;
        for s in sets.iter_mut().filter(|s| s.system == release.system) {
            s.active = s.version == release.version;
        }
        let fingerprint = store::codes::fingerprint_of(&sets);
        progress("reading code sets for the code index", 0, 0);
        let mut entries: Vec<CodeEntry> = store::codes::all_active(&self.conn)?
            .into_iter()
            .filter(|e| e.system != release.system)
            .collect();
        entries.extend(release.entries.iter().cloned());
        let (name, dir) = build_generation(&self.data, &entries, &fingerprint, progress)?;
        drop(entries);
        activate_release(&mut self.conn, &release, &login, "import")?;
        switch_to_generation(&self.data, &name, &dir)?;
        self.codes.set(CodeIndex::open(&dir)?);
        Ok(format!(
            "imported {} {} from {}: {} entries, {} billable; the code index was rebuilt",
            release.system,
            release.version,
            path.display(),
            release.entries.len(),
            release.billable_count()
        ))
    }

    /// Rebuilds the code index from SQLite (admins).
    pub fn reindex_codes(&mut self, progress: &mut SetupProgress<'_>) -> Result<()> {
        self.require(Permission::Administer, "rebuild indexes")?;
        let fp = store::codes::fingerprint(&self.conn)?;
        self.codes
            .set(rebuild_code_index(&self.conn, &self.data, &fp, progress)?);
        Ok(())
    }

    pub fn code_sets(&self) -> Result<Vec<store::codes::CodeSetRow>> {
        store::codes::sets(&self.conn)
    }
}
