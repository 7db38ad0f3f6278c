//! Coding edits for encounters: the claim an encounter makes (codes, age at admission, sex, type,
//! notes), the edits the engine finds on it, acknowledgements of warnings (audited), and the check
//! `mark_coded` runs before an encounter may be completed.
use super::coding::{editable, get_encounter};
use super::{Service, ServiceError};
use crate::domain::{Permission, Sex};
use crate::edits::{self, Claim, ClaimCode, Edit, Severity, TabularIndex};
use crate::store::encounters::EncounterRow;
use crate::store::{self, assignments, audit, edit_acks};
use anyhow::{Context, Result};
use rusqlite::Connection;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The tabular index of the active ICD-10-CM set, built once per process and database and rebuilt
/// when the active code sets change (another version imported).
type Cached = Option<(PathBuf, String, Arc<TabularIndex>)>;
static INDEX: Mutex<Cached> = Mutex::new(None);

/// Age in completed years on `on` for someone born on `birth` (both ISO dates).
pub fn age_at(birth: &str, on: &str) -> Option<u32> {
    let parse =
        |s: &str| chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok();
    parse(on)?.years_since(parse(birth)?)
}

/// The claim an encounter makes, read inside the caller's transaction.
/// The edit `rule` firing on `codes` of encounter `e` now (and the codes as the edit names them);
/// NotFound, naming what was asked, when it does not fire, so there is nothing to `verb`.
fn firing_edit(
    conn: &Connection,
    index: &TabularIndex,
    e: &EncounterRow,
    rule: &str,
    codes: &[String],
    verb: &str,
) -> Result<(Edit, Vec<String>)> {
    let wanted: Vec<String> = codes
        .iter()
        .map(|c| crate::domain::code::dotted_cm(c))
        .collect();
    let found = edits::check(index, &claim_for(conn, e)?);
    match found
        .into_iter()
        .find(|x| x.rule == rule && x.codes == wanted)
    {
        Some(edit) => Ok((edit, wanted)),
        None => Err(ServiceError::NotFound(format!(
            "no '{rule}' edit on {} fires on encounter {} now: nothing to {verb}",
            wanted.join(", "),
            e.account
        ))
        .into()),
    }
}

fn claim_for(conn: &Connection, e: &EncounterRow) -> Result<Claim> {
    let codes = assignments::list(conn, e.id)?
        .into_iter()
        .map(|a| ClaimCode {
            system: a.system,
            code: a.code,
            principal: a.principal && a.system.is_diagnosis(),
            seq: u32::try_from(a.seq).unwrap_or(u32::MAX),
            poa: a.poa,
        })
        .collect();
    let mut text = String::new();
    for h in store::notes::for_encounter(conn, e.id)? {
        if let Some((_, body)) = store::notes::get(conn, h.id)? {
            text.push_str(&body);
            text.push('\n');
        }
    }
    Ok(Claim {
        codes,
        age: age_at(&e.birth_date, &e.admit_date),
        sex: Some(e.sex).filter(|s| *s != Sex::Unknown),
        encounter_type: Some(e.enc_type),
        notes_text: Some(text),
    })
}

/// Warnings not yet acknowledged on the encounter.
fn unacknowledged<'a>(conn: &Connection, enc: i64, found: &'a [Edit]) -> Result<Vec<&'a Edit>> {
    let acked: HashSet<(String, String)> = edit_acks::list(conn, enc)?
        .into_iter()
        .map(|a| (a.rule, a.codes))
        .collect();
    Ok(found
        .iter()
        .filter(|x| x.severity == Severity::Warning)
        .filter(|x| !acked.contains(&(x.rule.to_string(), x.codes.join(","))))
        .collect())
}

fn listing(items: &[&Edit]) -> String {
    items
        .iter()
        .map(|x| format!("[{} {}] {}", x.rule, x.codes.join(","), x.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Inside `mark_coded`'s transaction: fails while errors fire or warnings are unacknowledged,
/// listing them.
pub(super) fn require_clean(
    conn: &Connection,
    e: &EncounterRow,
    index: &TabularIndex,
) -> Result<()> {
    let found = edits::check(index, &claim_for(conn, e)?);
    // An error stays blocking unless a supervisor overrode it with a reason (stored with the
    // acknowledgements; `acknowledge_edit` never stores one for an error).
    let overridden: HashSet<(String, String)> = edit_acks::list(conn, e.id)?
        .into_iter()
        .map(|a| (a.rule, a.codes))
        .collect();
    let errors: Vec<&Edit> = found
        .iter()
        .filter(|x| x.severity == Severity::Error)
        .filter(|x| !overridden.contains(&(x.rule.to_string(), x.codes.join(","))))
        .collect();
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "encounter {} cannot be marked coded: {} coding error(s) to fix: {}",
            e.account,
            errors.len(),
            listing(&errors)
        ))
        .into());
    }
    let open = unacknowledged(conn, e.id, &found)?;
    if !open.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "encounter {} cannot be marked coded: {} warning(s) to fix or acknowledge: {}",
            e.account,
            open.len(),
            listing(&open)
        ))
        .into());
    }
    Ok(())
}

/// An edit as the encounter screen lists it: with whether it has been acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EncounterEdit {
    #[serde(flatten)]
    pub edit: Edit,
    /// Who acknowledged this warning (or, for an error, the supervisor who overrode it), if anyone.
    pub acknowledged_by: Option<String>,
}

impl Service {
    /// The tabular index the edit engine uses (built on first use, then shared).
    pub fn edit_index(&self) -> Result<Arc<TabularIndex>> {
        let db = self.data.db_path();
        let fp = store::codes::fingerprint(&self.conn)?;
        let mut slot = INDEX.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((path, f, index)) = slot.as_ref()
            && *path == db
            && *f == fp
        {
            return Ok(index.clone());
        }
        let entries = store::codes::all_active(&self.conn)
            .context("reading the active ICD-10-CM code set for the coding edits")?;
        let index = Arc::new(TabularIndex::new(entries));
        *slot = Some((db, fp, index.clone()));
        Ok(index)
    }

    /// Runs the edit engine on a claim given directly (`chartdesk check`): code sets only.
    pub fn check_claim(&self, claim: &Claim) -> Result<Vec<Edit>> {
        self.require(Permission::ViewCharts, "check codes")?;
        Ok(edits::check(&*self.edit_index()?, claim))
    }

    /// The edits an encounter's codes raise now, with acknowledgements.
    pub fn encounter_edits(&self, enc: i64) -> Result<Vec<EncounterEdit>> {
        self.require(Permission::ViewCharts, "view coding edits")?;
        let index = self.edit_index()?;
        let e = get_encounter(&self.conn, enc)?;
        let found = edits::check(&index, &claim_for(&self.conn, &e)?);
        let acks = edit_acks::list(&self.conn, enc)?;
        Ok(found
            .into_iter()
            .map(|edit| {
                // For an error, the supervisor who overrode it.
                let acknowledged_by = (edit.severity != Severity::Info)
                    .then(|| {
                        let codes = edit.codes.join(",");
                        acks.iter()
                            .find(|a| a.rule == edit.rule && a.codes == codes)
                            .map(|a| a.login.clone())
                    })
                    .flatten();
                EncounterEdit {
                    edit,
                    acknowledged_by,
                }
            })
            .collect())
    }

    /// Acknowledges a warning that fires on the encounter now (rule and codes as the edit lists
    /// them). Audited; it stays acknowledged while the same warning fires. Errors cannot be
    /// acknowledged: they must be fixed.
    pub fn acknowledge_edit(&mut self, enc: i64, rule: &str, codes: &[String]) -> Result<Edit> {
        let index = self.edit_index()?;
        let ct = self.claim_time();
        self.write(Permission::Code, "acknowledge coding edits", |tx, me| {
            let at = ct.at.clone();
            let e = editable(tx, enc, me, &ct)?;
            let (edit, wanted) = firing_edit(tx, &index, &e, rule, codes, "acknowledge")?;
            if edit.severity != Severity::Warning {
                return Err(ServiceError::Invalid(format!(
                    "'{rule}' on {} is {}, not a warning: {}",
                    wanted.join(", "),
                    edit.severity,
                    if edit.severity == Severity::Error {
                        "errors must be fixed, not acknowledged"
                    } else {
                        "information needs no acknowledgement"
                    }
                ))
                .into());
            }
            let key = edit.codes.join(",");
            edit_acks::upsert(tx, enc, rule, &key, &edit.message, &me.login, &at)?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &edit.key(),
                    detail: &edit.message,
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::AcknowledgeEdit)
                },
            )?;
            Ok(edit)
        })
    }
}

/// The shortest override reason accepted: a word or two is not a reason an auditor can read.
pub const MIN_OVERRIDE_REASON: usize = 15;

impl Service {
    /// A supervisor's override of an error that fires on the encounter now (rule and codes as the
    /// edit lists them), so that it no longer blocks marking coded. Only with a reason of at least
    /// `MIN_OVERRIDE_REASON` characters; audited ("override_edit", with the reason and the edit).
    /// It holds while the same error fires on the same codes.
    pub fn override_edit(
        &mut self,
        enc: i64,
        rule: &str,
        codes: &[String],
        reason: &str,
    ) -> Result<Edit> {
        let reason = reason.trim();
        if reason.chars().count() < MIN_OVERRIDE_REASON {
            return Err(ServiceError::Invalid(format!(
                "an override needs a reason of at least {MIN_OVERRIDE_REASON} characters \
                 (why the claim is right despite '{rule}'); got \"{reason}\""
            ))
            .into());
        }
        let index = self.edit_index()?;
        self.write(Permission::Reassign, "override coding errors", |tx, me| {
            let at = store::now();
            let e = get_encounter(tx, enc)?;
            let (edit, wanted) = firing_edit(tx, &index, &e, rule, codes, "override")?;
            if edit.severity != Severity::Error {
                return Err(ServiceError::Invalid(format!(
                    "'{rule}' on {} is a {}, not an error: acknowledge it instead of overriding",
                    wanted.join(", "),
                    edit.severity
                ))
                .into());
            }
            let key = edit.codes.join(",");
            let detail = format!("override: {reason} | edit: {}", edit.message);
            edit_acks::upsert(tx, enc, rule, &key, &detail, &me.login, &at)?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &edit.key(),
                    detail: &detail,
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::OverrideEdit)
                },
            )?;
            Ok(edit)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(age_at("1950-02-03", "2026-11-01"), Some(76));
        assert_eq!(age_at("2000-11-02", "2026-11-01"), Some(25));
        assert_eq!(age_at("2026-10-30", "2026-11-01"), Some(0));
        assert_eq!(age_at("bad", "2026-11-01"), None);
        assert_eq!(age_at("2027-01-01", "2026-11-01"), None);
    }
}
