//! MS-DRG grouping of an encounter's assigned codes (read-only; the grouper itself is pure).
use super::Service;
use super::edits::age_at;
use crate::domain::{CodeSystem, Permission, Poa, Sex};
use crate::grouper::{self, Claim, Grouping, Options, Secondary, Tables};
use crate::service::ServiceError;
use crate::store::encounters::EncounterRow;
use crate::store::{self, assignments};
use anyhow::Result;
use rusqlite::Connection;

/// The discharge status used when an encounter has none stored (home or self care).
pub const DEFAULT_DISCHARGE_STATUS: &str = "01";

/// What `group --encounter` prints: the grouping and what was assumed to build the claim.
#[derive(Debug, Clone)]
pub struct EncounterGrouping {
    pub account: String,
    pub claim: Claim,
    pub grouping: Grouping,
    /// Assumptions made (discharge status, unknown age...), to show next to the result.
    pub notes: Vec<String>,
}

pub(super) fn poa_char(p: Poa) -> char {
    match p {
        Poa::Yes => 'Y',
        Poa::No => 'N',
        Poa::Unknown => 'U',
        Poa::ClinicallyUndetermined => 'W',
        Poa::Exempt => '1',
    }
}

pub(super) fn tables() -> Result<&'static Tables> {
    grouper::tables().map_err(|m| anyhow::anyhow!("MS-DRG grouper: {m}"))
}

/// The claim an encounter's codes make: principal diagnosis, other diagnoses with POA,
/// procedures, age and sex from the patient, the stored discharge status (01 when none, said so
/// in the notes). None when the encounter has no diagnosis code yet.
pub(super) fn claim_for(
    conn: &Connection,
    e: &EncounterRow,
) -> Result<Option<(Claim, Vec<String>)>> {
    let mut notes = Vec::new();
    let status = match store::drg::discharge_status(conn, e.id)? {
        Some(s) => s,
        None => {
            notes.push(format!(
                "discharge status: none recorded; {DEFAULT_DISCHARGE_STATUS} (home) assumed"
            ));
            DEFAULT_DISCHARGE_STATUS.to_string()
        }
    };
    let mut pdx = None;
    let mut sdx = Vec::new();
    let mut procs = Vec::new();
    let mut rows = assignments::list(conn, e.id)?;
    rows.sort_by_key(|a| (!a.principal, a.seq));
    for a in rows {
        match a.system {
            CodeSystem::Icd10Cm if a.principal && pdx.is_none() => pdx = Some(a.code),
            CodeSystem::Icd10Cm => sdx.push(Secondary {
                code: a.code,
                poa: a.poa.map(poa_char),
            }),
            CodeSystem::Icd10Pcs => procs.push(a.code),
            _ => {}
        }
    }
    let pdx = match pdx {
        Some(p) => p,
        None if !sdx.is_empty() => {
            notes.push("no principal marked: the first diagnosis is used".into());
            sdx.remove(0).code
        }
        None => return Ok(None),
    };
    let age = age_at(&e.birth_date, &e.admit_date).unwrap_or_else(|| {
        notes.push("age unknown (birth or admit date unreadable): 0 used".into());
        0
    });
    let sex = match e.sex {
        Sex::Male => grouper::Sex::Male,
        Sex::Female => grouper::Sex::Female,
        _ => grouper::Sex::Unknown,
    };
    let claim = Claim {
        age: u16::try_from(age).unwrap_or(u16::MAX),
        sex,
        discharge_status: status,
        pdx,
        sdx,
        procs,
    };
    Ok(Some((claim, notes)))
}

/// Groups an encounter's claim with the tables (None: no diagnosis yet).
pub(super) fn group_on(
    conn: &Connection,
    e: &EncounterRow,
    opts: &Options,
) -> Result<Option<(Claim, Grouping, Vec<String>)>> {
    let Some((claim, notes)) = claim_for(conn, e)? else {
        return Ok(None);
    };
    let g = grouper::group(tables()?, &claim, opts);
    Ok(Some((claim, g, notes)))
}

impl Service {
    /// The grouper options of this installation (`grouper.poa_exempt`).
    pub fn set_grouper_options(&mut self, opts: Options) {
        self.grouper_options = opts;
    }

    pub fn grouper_options(&self) -> Options {
        self.grouper_options
    }

    /// Groups an encounter's ICD-10-CM and ICD-10-PCS codes: the principal diagnosis, the other
    /// diagnoses with POA, the procedures, the stored discharge status (01 when none, said so in
    /// `notes`).
    pub fn group_encounter(&self, account: &str, opts: &Options) -> Result<EncounterGrouping> {
        self.require(Permission::ViewCharts, "group an encounter")?;
        let e = store::encounters::by_account(&self.conn, account)?.ok_or_else(|| {
            ServiceError::NotFound(format!("no encounter with account '{account}'"))
        })?;
        let Some((claim, grouping, notes)) = group_on(&self.conn, &e, opts)? else {
            return Err(ServiceError::Invalid(format!(
                "encounter '{account}' has no diagnosis codes to group: assign a principal diagnosis first"
            ))
            .into());
        };
        Ok(EncounterGrouping {
            account: e.account,
            claim,
            grouping,
            notes,
        })
    }
}
