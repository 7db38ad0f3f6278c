//! MS-DRG grouping of an encounter's assigned codes (read-only; the grouper itself is pure).
use super::Service;
use super::edits::age_at;
use crate::domain::{CodeSystem, Permission, Poa, Sex};
use crate::grouper::{self, Claim, Grouping, Options, Secondary};
use crate::service::ServiceError;
use crate::store;
use anyhow::Result;

/// What `group --encounter` prints: the grouping and what was assumed to build the claim.
#[derive(Debug, Clone)]
pub struct EncounterGrouping {
    pub account: String,
    pub claim: Claim,
    pub grouping: Grouping,
    /// Assumptions made (discharge status, unknown age...), to show next to the result.
    pub notes: Vec<String>,
}

fn poa_char(p: Poa) -> char {
    match p {
        Poa::Yes => 'Y',
        Poa::No => 'N',
        Poa::Unknown => 'U',
        Poa::ClinicallyUndetermined => 'W',
        Poa::Exempt => '1',
    }
}

impl Service {
    /// Groups an encounter's ICD-10-CM and ICD-10-PCS codes: the principal diagnosis, the other
    /// diagnoses with POA, the procedures. Encounters carry no discharge status yet: 01 (home) is
    /// used and said so in `notes`.
    pub fn group_encounter(&self, account: &str, opts: &Options) -> Result<EncounterGrouping> {
        self.require(Permission::ViewCharts, "group an encounter")?;
        let e = store::encounters::by_account(&self.conn, account)?.ok_or_else(|| {
            ServiceError::NotFound(format!("no encounter with account '{account}'"))
        })?;
        let tables = grouper::tables().map_err(|m| anyhow::anyhow!("MS-DRG grouper: {m}"))?;
        let mut notes = vec!["discharge status: encounters carry none; 01 (home) assumed".into()];
        let mut pdx = None;
        let mut sdx = Vec::new();
        let mut procs = Vec::new();
        let mut rows = store::assignments::list(&self.conn, e.id)?;
        rows.sort_by_key(|a| a.seq);
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
            None => {
                return Err(ServiceError::Invalid(format!(
                    "encounter '{account}' has no diagnosis codes to group: assign a principal diagnosis first"
                ))
                .into());
            }
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
            discharge_status: "01".into(),
            pdx,
            sdx,
            procs,
        };
        let grouping = grouper::group(tables, &claim, opts);
        Ok(EncounterGrouping {
            account: e.account,
            claim,
            grouping,
            notes,
        })
    }
}
