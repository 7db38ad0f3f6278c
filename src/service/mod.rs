//! The one door: every workstation operation, for the TUI and the CLI alike. A call knows the acting
//! user, checks the role, does its work in one SQLite transaction and writes the audit row in that
//! same transaction.
mod access;
mod audit;
pub mod backup;
mod claims;
mod coding;
mod demo_history;
mod drg;
mod drg_report;
mod edits;
mod encoder;
mod error;
mod grouping;
mod lazy;
mod notes;
mod queries;
mod query_lifecycle;
mod query_views;
mod refresh;
mod reports;
mod reviews;
mod setup;
mod tools;

pub use crate::store::audit::AuditAction;
pub use access::{active_user, audit_event, authorized_login};
pub use audit::{AccessRow, Anchor, VerifyReport, append_anchor, read_anchors};
pub use coding::{CodeDetail, EncounterView};
pub use drg::{Alternative, DrgView, WhatIf, parse_discharge_status};
pub use edits::{EncounterEdit, age_at};
pub use error::{Offer, ServiceError};
pub use grouping::EncounterGrouping;
pub use lazy::{CodeIndexCheck, CodeIndexHandle};
pub use notes::{
    HitSnippet, NoteHit, NoteOrder, NoteQuery, NoteSearchResult, NotesIndexInfo, NotesSearcher,
};
pub use queries::QueryDraftInput;
pub use query_views::{QueryDetail, QueryFilter, render as render_query_text};
pub use reports::{BACKLOG_OLDEST, QueriesReport};
pub use reviews::{ReviewDetail, parse_review_codes, week_seed, week_start};
pub use setup::{InitReport, SetupProgress, initialize};

use crate::domain::{Permission, Role};
use crate::store::{self, users::UserRow};
use anyhow::{Context, Result};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// Where one chartdesk installation keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    pub fn db_path(&self) -> PathBuf {
        self.root.join("chartdesk.db")
    }
    pub fn code_index_dir(&self) -> PathBuf {
        self.root.join("index").join("codes")
    }
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
    /// True once a database exists here.
    pub fn is_initialized(&self) -> bool {
        self.db_path().exists()
    }
}

/// An open session of one user against one data directory.
pub struct Service {
    conn: Connection,
    user: UserRow,
    data: DataDir,
    /// Opened on first use (`search codes`, the workstation's search thread), never for commands
    /// that search no codes.
    codes: CodeIndexHandle,
    /// Opened on first use, like `codes`.
    notes: notes::LazyNotes,
    query_config: crate::config::QueriesConfig,
    /// The SSH client address every audit row of this session carries (`None`: local use).
    client: Option<String>,
    audit_config: crate::config::AuditConfig,
    /// The audit row id up to which this session last wrote an anchor (or saw the log at open).
    anchored_upto: i64,
    /// The queue this session last listed (and audited), so an unchanged refresh writes nothing.
    last_queue: Option<(QueryFilter, Vec<store::queries::QueryRow>)>,
    /// MS-DRG grouper options (`grouper.poa_exempt`).
    grouper_options: crate::grouper::Options,
    claims_config: crate::config::ClaimsConfig,
    /// A fixed "now" for claims and leases (tests); `None`: the system clock.
    clock: Option<chrono::DateTime<chrono::Utc>>,
    /// What the last worklist refresh compared: SQLite's `data_version` then, the filter and the
    /// rows. While no other connection has committed since, a refresh reads nothing.
    refresh_mark: Option<(
        i64,
        store::encounters::WorklistFilter,
        Vec<store::encounters::EncounterRow>,
    )>,
}

impl Service {
    /// Opens the data directory as `login` with both indexes open (each rebuilt first if missing or
    /// stale). Commands that may not need them use `open_lazy`.
    pub fn open(data: &DataDir, login: &str, progress: &mut SetupProgress<'_>) -> Result<Service> {
        let mut svc = Service::open_lazy(data, login)?;
        svc.open_code_index(progress)?;
        svc.open_notes_index(progress)?;
        Ok(svc)
    }

    /// Opens the data directory as `login` without opening either index: each opens (or is
    /// rebuilt) when first used. This is what keeps `user list` or `encounters` cheap.
    pub fn open_lazy(data: &DataDir, login: &str) -> Result<Service> {
        if !data.is_initialized() {
            anyhow::bail!(
                "no chartdesk database in {}: run 'chartdesk init --demo' (or plain 'chartdesk' to \
                 set up the demo workstation)",
                data.root.display()
            );
        }
        let conn = store::open(&data.db_path())?;
        let user = match store::users::get(&conn, login)?.filter(|u| u.active) {
            Some(u) => u,
            None => {
                let err: anyhow::Error = ServiceError::UnknownUser {
                    login: login.to_string(),
                }
                .into();
                audit_unknown_user(&conn, login);
                return Err(err);
            }
        };
        let anchored_upto = store::audit::head(&conn)?.map_or(0, |h| h.id);
        Ok(Service {
            conn,
            user,
            data: data.clone(),
            codes: CodeIndexHandle::new(data),
            notes: notes::LazyNotes::default(),
            query_config: Default::default(),
            client: None,
            audit_config: Default::default(),
            anchored_upto,
            last_queue: None,
            grouper_options: Default::default(),
            claims_config: Default::default(),
            clock: None,
            refresh_mark: None,
        })
    }

    pub fn user(&self) -> &UserRow {
        &self.user
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data
    }

    /// A handle for searching codes from a background thread (code sets hold no patient data); it
    /// opens the index on first use.
    pub fn code_index(&self) -> CodeIndexHandle {
        self.codes.clone()
    }

    /// The code index, opened (or rebuilt, with progress) now if not yet open.
    pub fn open_code_index(&self, progress: &mut SetupProgress<'_>) -> Result<()> {
        self.codes.get_with(Some(&self.conn), progress).map(drop)
    }

    /// The notes index, opened (caught up, or rebuilt, with progress) now if not yet open.
    pub fn open_notes_index(&mut self, progress: &mut SetupProgress<'_>) -> Result<()> {
        self.notes
            .get_with(&self.conn, &self.data, progress)
            .map(drop)
    }

    /// The code index for this session's own calls.
    fn codes(&self) -> Result<crate::search::CodeIndex> {
        self.codes.get_with(Some(&self.conn), &mut |_, _, _| {})
    }

    /// Fails unless the acting user may do `p`.
    /// A refusal is audited in its own transaction.
    fn require(&self, p: Permission, action: &str) -> Result<()> {
        require(&self.user, p, action).inspect_err(|e| self.audit_refusal(action, e))
    }

    /// Runs `f` in a write (IMMEDIATE) transaction after re-reading the acting user inside it, so a
    /// role changed by an admin in another process takes effect at once.
    fn write<T>(
        &mut self,
        p: Permission,
        action: &str,
        f: impl FnOnce(&Transaction<'_>, &UserRow) -> Result<T>,
    ) -> Result<T> {
        // A refusal rolls the work back; it is then audited in a transaction of its own.
        let res = self.write_inner(p, action, f);
        match res {
            Ok(out) => {
                // This session changed something: the next refresh reads again.
                self.refresh_mark = None;
                self.anchor_if_due();
                Ok(out)
            }
            Err(e) => {
                self.audit_refusal(action, &e);
                Err(e)
            }
        }
    }

    fn write_inner<T>(
        &mut self,
        p: Permission,
        action: &str,
        f: impl FnOnce(&Transaction<'_>, &UserRow) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("waiting for the database write lock")?;
        let user = store::users::get(&tx, &self.user.login)?
            .filter(|u| u.active)
            .ok_or_else(|| ServiceError::UnknownUser {
                login: self.user.login.clone(),
            })?;
        require(&user, p, action)?;
        let out = f(&tx, &user)?;
        tx.commit().context("committing to the database")?;
        self.user = user;
        Ok(out)
    }

    /// Adds a user or changes their role (admins only). The last active admin cannot be demoted.
    pub fn add_user(&mut self, login: &str, role: Role) -> Result<bool> {
        let login = login.trim().to_string();
        if login.is_empty() || login.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ServiceError::Invalid(format!(
                "'{login}' is not a valid login: use the user's operating-system login name"
            ))
            .into());
        }
        self.write(Permission::Administer, "add users", |tx, me| {
            let demotes_admin = store::users::get(tx, &login)?
                .is_some_and(|u| u.active && u.role == Role::Admin && role != Role::Admin);
            if demotes_admin && store::users::count_active(tx, Role::Admin)? <= 1 {
                return Err(ServiceError::Invalid(format!(
                    "'{login}' is the last active admin: nobody could manage users afterwards; \
                     add another admin first ('chartdesk user add LOGIN --role admin'), then change \
                     {login}'s role"
                ))
                .into());
            }
            let at = store::now();
            let new = store::users::upsert(tx, &login, role, "", Some(&me.login), &at)?;
            let action = if new {
                store::audit::AuditAction::AddUser
            } else {
                store::audit::AuditAction::ChangeRole
            };
            store::audit::record(tx, &store::audit::Entry { object: &login, detail: role.as_str(), ..store::audit::Entry::new(&at, &me.login, action) })?;
            Ok(new)
        })
    }

    pub fn users(&self) -> Result<Vec<UserRow>> {
        self.require(Permission::ViewCharts, "list users")?;
        store::users::list(&self.conn)
    }

    /// The audit trail, newest first (supervisors and admins; one encounter's for anyone who can view it).
    pub fn audit_log(
        &mut self,
        encounter_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<store::audit::AuditRow>> {
        let p = if encounter_id.is_some() {
            Permission::ViewCharts
        } else {
            Permission::Reports
        };
        self.write(p, "read the audit log", |tx, me| {
            store::audit::record(
                tx,
                &store::audit::Entry {
                    encounter_id,
                    ..store::audit::Entry::new(
                        &store::now(),
                        &me.login,
                        store::audit::AuditAction::ViewAudit,
                    )
                },
            )?;
            store::audit::list(tx, encounter_id, limit)
        })
    }

    /// Read access for tests and tools that inspect the database directly.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// At the end of a session the chain's head is anchored outside the database.
impl Drop for Service {
    fn drop(&mut self) {
        self.anchor();
    }
}

/// Records a login without an (active) account trying to open a session.
fn audit_unknown_user(conn: &Connection, login: &str) {
    let res = (|| -> Result<()> {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        store::audit::record(
            &tx,
            &store::audit::Entry {
                object: "unknown_user",
                detail: "open a session",
                ..store::audit::Entry::new(&store::now(), login, store::audit::AuditAction::Refused)
            },
        )?;
        tx.commit()?;
        Ok(())
    })();
    if let Err(e) = res {
        tracing::error!("cannot record a refused login in the audit log: {e:#}");
    }
}

/// Refuses `login` before any index is opened (or rebuilt) when their role may not do `p`: a
/// command that will be refused must leave everything as it was. Unknown logins are refused too;
/// a data directory without a database is left for `Service::open` to report.
pub fn require_role(data: &DataDir, login: &str, p: Permission, action: &str) -> Result<()> {
    if !data.is_initialized() {
        return Ok(());
    }
    let conn = store::open(&data.db_path())?;
    let Some(user) = store::users::get(&conn, login)?.filter(|u| u.active) else {
        audit_unknown_user(&conn, login);
        return Err(ServiceError::UnknownUser {
            login: login.to_string(),
        }
        .into());
    };
    require(&user, p, action).inspect_err(|e| {
        if let Some(ServiceError::Forbidden { role, .. }) = e.downcast_ref::<ServiceError>() {
            let res = (|| -> Result<()> {
                let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Immediate)?;
                store::audit::record(
                    &tx,
                    &store::audit::Entry {
                        object: "forbidden",
                        detail: &format!("{action} (role {role})"),
                        ..store::audit::Entry::new(
                            &store::now(),
                            login,
                            store::audit::AuditAction::Refused,
                        )
                    },
                )?;
                tx.commit()?;
                Ok(())
            })();
            if let Err(e) = res {
                tracing::error!("cannot record a refusal in the audit log: {e:#}");
            }
        }
    })
}

fn require(user: &UserRow, p: Permission, action: &str) -> Result<()> {
    if user.role.allows(p) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden {
            login: user.login.clone(),
            role: user.role.to_string(),
            action: action.to_string(),
            allowed: error::who_may(p),
        }
        .into())
    }
}

/// The operating-system login running this process: the acting user of every call.
pub fn os_login() -> Result<String> {
    let name = whoami::username().context("reading the operating-system login name")?;
    Ok(name)
}

/// Resolves the data directory: explicit path, else the platform's data directory for chartdesk.
pub fn default_data_dir() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "chartdesk", "chartdesk").context(
        "cannot find a home directory for the default data directory: pass --data-dir DIR or set \
         CHARTDESK_DATA_DIR",
    )?;
    Ok(dirs.data_dir().to_path_buf())
}

/// Creates a directory and its parents, with an error that names it.
pub(crate) fn make_dir(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p).with_context(|| format!("creating directory {}", p.display()))
}
