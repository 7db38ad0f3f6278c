//! Checking a whole file before a batched import writes any of it: the import commits in short
//! batches (so it never holds the database's write lock for long), and this pass is what keeps
//! "a file with a bad record imports nothing". It finds what `import::apply` would reject — an
//! unreadable record, a note id seen twice, a patient or encounter that neither the database nor an
//! earlier record of the file provides — reading the database without locking it and keeping what
//! the file itself creates in a private temporary database (so memory stays flat).
use super::record::{ImportRecord, RecordError};
use super::{RecordSource, sync};
use crate::store;
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// What the file creates as it goes, kept on disk.
struct Seen {
    db: Connection,
}

impl Seen {
    fn new() -> Result<Seen> {
        // An empty path is SQLite's private temporary database, removed when closed.
        let db = Connection::open("").context("opening a temporary database to check the file")?;
        db.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE TABLE ids (note_id TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;
             CREATE TABLE mrns (mrn TEXT PRIMARY KEY) WITHOUT ROWID;
             CREATE TABLE accounts (account TEXT PRIMARY KEY, mrn TEXT NOT NULL) WITHOUT ROWID;
             BEGIN;",
        )
        .context("preparing a temporary database to check the file")?;
        Ok(Seen { db })
    }

    /// Where `note_id` was first seen, recording it now if it was not.
    fn first_at(&self, note_id: &str, at: &str) -> Result<Option<String>> {
        let n = self
            .db
            .prepare_cached("INSERT OR IGNORE INTO ids (note_id, at) VALUES (?1, ?2)")?
            .execute(params![note_id, at])?;
        if n == 1 {
            return Ok(None);
        }
        Ok(self
            .db
            .prepare_cached("SELECT at FROM ids WHERE note_id = ?1")?
            .query_row([note_id], |r| r.get(0))
            .optional()?)
    }

    fn add_mrn(&self, mrn: &str) -> Result<()> {
        self.db
            .prepare_cached("INSERT OR IGNORE INTO mrns (mrn) VALUES (?1)")?
            .execute([mrn])?;
        Ok(())
    }

    fn has_mrn(&self, mrn: &str) -> Result<bool> {
        Ok(self
            .db
            .prepare_cached("SELECT 1 FROM mrns WHERE mrn = ?1")?
            .query_row([mrn], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn set_account(&self, account: &str, mrn: &str) -> Result<()> {
        self.db
            .prepare_cached("INSERT OR REPLACE INTO accounts (account, mrn) VALUES (?1, ?2)")?
            .execute([account, mrn])?;
        Ok(())
    }

    fn account_mrn(&self, account: &str) -> Result<Option<String>> {
        Ok(self
            .db
            .prepare_cached("SELECT mrn FROM accounts WHERE account = ?1")?
            .query_row([account], |r| r.get(0))
            .optional()?)
    }
}

/// What checking a file found, and where its time went.
#[derive(Debug, Default)]
pub struct Checked {
    /// The first record `import::apply` would reject.
    pub reject: Option<RecordError>,
    pub parse_seconds: f64,
    pub check_seconds: f64,
}

/// Reads the whole of `source` for the first record `import::apply` would reject. `db` is read
/// outside any write transaction.
pub fn first_reject(
    db: &Connection,
    source: &mut dyn RecordSource,
    file: &str,
    progress: &mut sync::Progress<'_>,
) -> Result<Checked> {
    let mut out = Checked::default();
    let seen = Seen::new()?;
    let label = format!("checking {file}");
    let mut n = 0usize;
    loop {
        let t = std::time::Instant::now();
        let next = source.next_record()?;
        out.parse_seconds += t.elapsed().as_secs_f64();
        let Some(item) = next else {
            break;
        };
        n += 1;
        if n.is_multiple_of(1024) {
            let (done, total) = source.progress();
            progress(&label, done as usize, total as usize);
        }
        let rec = match item {
            Ok(rec) => rec,
            Err(e) => {
                out.reject = Some(e);
                return Ok(out);
            }
        };
        let t = std::time::Instant::now();
        let found = check(db, &seen, &rec)?;
        out.check_seconds += t.elapsed().as_secs_f64();
        if found.is_some() {
            out.reject = found;
            return Ok(out);
        }
    }
    let (_, total) = source.progress();
    progress(&label, total as usize, total as usize);
    Ok(out)
}

/// The checks `import::apply` makes before its first write, with the same messages.
fn check(db: &Connection, seen: &Seen, rec: &ImportRecord) -> Result<Option<RecordError>> {
    let reject = |field: &str, reason: String| {
        let mut e = RecordError::new(&rec.location, Some(field), reason);
        e.note_id = Some(rec.note.note_id.clone());
        Some(e)
    };
    let at = rec.location.to_string();
    if let Some(first) = seen.first_at(&rec.note.note_id, &at)? {
        return Ok(reject(
            "note_id",
            format!("duplicate note_id {} (first at {first})", rec.note.note_id),
        ));
    }
    let mrn = &rec.mrn;
    let in_db_pid = store::encounters::patient_id(db, mrn)?;
    if rec.patient.is_some() {
        seen.add_mrn(mrn)?;
    } else if in_db_pid.is_none() && !seen.has_mrn(mrn)? {
        return Ok(reject(
            "mrn",
            format!("no patient with MRN {mrn}: add name and birth_date to create one"),
        ));
    }
    let account = &rec.note.account;
    if rec.encounter.is_some() {
        seen.set_account(account, mrn)?;
        return Ok(None);
    }
    let belongs = match seen.account_mrn(account)? {
        Some(m) => Some(m == *mrn),
        None => store::encounters::index_info_by_account(db, account)?
            .map(|(_, p, _)| Some(p) == in_db_pid),
    };
    Ok(match belongs {
        Some(true) => None,
        Some(false) => reject(
            "mrn",
            format!("encounter {account} belongs to another patient than MRN {mrn}"),
        ),
        None => reject(
            "account",
            format!(
                "no encounter with account {account}: add encounter_type and admit to create it"
            ),
        ),
    })
}
