//! The working MS-DRG in front of coders and CDI: the DRG of an encounter's current codes
//! (regrouped on every call from the cached tables), what-if grouping of a code not assigned, the
//! DRG each assigned diagnosis would give as principal, the final DRG stored at coding, and the
//! discharge status the grouper needs.
use super::grouping::{DEFAULT_DISCHARGE_STATUS, claim_for, group_on, tables};
use super::{Service, ServiceError};
use crate::domain::code::display_code;
use crate::domain::{CodeSystem, EncounterType, Permission};
use crate::grouper::{self, Claim, Grouping, Level, Options, ReturnCode, Secondary};
use crate::store::drg::{self as dstore, FinalDrg, weight_e4};
use crate::store::encounters::EncounterRow;
use crate::store::{self, audit};
use anyhow::Result;
use rusqlite::Connection;

/// The working DRG of an open encounter, with everything the DRG line and panel show.
#[derive(Debug, Clone, PartialEq)]
pub struct DrgView {
    pub encounter_id: i64,
    pub account: String,
    pub claim: Claim,
    pub grouping: Grouping,
    /// The discharge status was not recorded and 01 was assumed.
    pub status_assumed: bool,
    /// Assumptions made building the claim.
    pub notes: Vec<String>,
    /// The final DRG stored when the encounter was marked coded (None: not coded).
    pub stored: Option<FinalDrg>,
}

impl DrgView {
    /// The codes that counted as MCC then CC, dotted for display, with their level.
    pub fn counted(&self) -> Vec<(Level, String)> {
        let dot = |c: &String| display_code(CodeSystem::Icd10Cm, c);
        self.grouping
            .mcc
            .iter()
            .map(|c| (Level::Mcc, dot(c)))
            .chain(self.grouping.cc.iter().map(|c| (Level::Cc, dot(c))))
            .collect()
    }
}

/// A code tried without assigning it.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// As typed, dotted for display.
    pub code: String,
    pub is_procedure: bool,
    pub as_principal: bool,
    pub poa: Option<char>,
    pub before: Grouping,
    pub after: Grouping,
    pub notes: Vec<String>,
}

impl WhatIf {
    pub fn weight_change(&self) -> f64 {
        self.after.weight - self.before.weight
    }
}

/// The DRG an assigned diagnosis would give as principal (information only: sequencing follows
/// the guidelines, not the weight).
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub code: String,
    pub title: String,
    /// This is the principal now.
    pub current: bool,
    pub grouping: Grouping,
}

/// Checks a two-digit discharge status.
pub fn parse_discharge_status(s: &str) -> Result<String> {
    let t = s.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_string())
    } else {
        Err(ServiceError::Invalid(format!(
            "'{s}' is not a two-digit discharge status (01 home, 02 acute transfer, 07 against \
             advice, 20 expired...)"
        ))
        .into())
    }
}

/// Splits "CODE[:POA]" (POA Y, N, U, W or 1).
fn split_poa(input: &str) -> Result<(String, Option<char>)> {
    let (code, poa) = input.split_once(':').unwrap_or((input, ""));
    let code = code.trim();
    if code.is_empty() {
        return Err(ServiceError::Invalid(format!("'{input}' names no code")).into());
    }
    let poa = match poa.trim().to_ascii_uppercase().as_str() {
        "" => None,
        p @ ("Y" | "N" | "U" | "W" | "1") => p.chars().next(),
        other => {
            return Err(ServiceError::Invalid(format!(
                "'{other}' is not a POA indicator: use Y, N, U, W or 1"
            ))
            .into());
        }
    };
    Ok((code.to_string(), poa))
}

fn severity(g: &Grouping) -> &'static str {
    if !g.mcc.is_empty() {
        "MCC"
    } else if !g.cc.is_empty() {
        "CC"
    } else {
        ""
    }
}

/// Whether any secondary on the claim is a CC or MCC at all (counted or excluded).
fn has_cc_codes(g: &Grouping) -> bool {
    !g.cc.is_empty() || !g.mcc.is_empty() || !g.excluded.is_empty()
}

/// Inside `mark_coded`'s transaction: stores the final DRG of an inpatient encounter. Other
/// encounter types (and an inpatient without diagnoses) store nothing; returns the DRG stored.
pub(super) fn store_final(
    tx: &Connection,
    e: &EncounterRow,
    opts: &Options,
    by: &str,
    at: &str,
) -> Result<Option<u16>> {
    if e.enc_type != EncounterType::Inpatient {
        return Ok(None);
    }
    let Some((claim, g, _)) = group_on(tx, e, opts)? else {
        return Ok(None);
    };
    dstore::save_final(
        tx,
        &FinalDrg {
            encounter_id: e.id,
            drg: g.drg,
            weight_e4: weight_e4(g.weight),
            mdc: g.mdc,
            drg_type: g.drg_type.as_str().to_string(),
            severity: severity(&g).to_string(),
            has_cc_codes: has_cc_codes(&g),
            principal: claim.pdx.clone(),
            discharge_status: claim.discharge_status.clone(),
            grouper: g.version.to_string(),
            grouped_by: by.to_string(),
            grouped_at: at.to_string(),
        },
    )?;
    Ok(Some(g.drg))
}

/// Inside `send_query`'s transaction: the working DRG of an inpatient encounter, stored on the
/// query.
pub(super) fn store_query_before(
    tx: &Connection,
    query_id: i64,
    e: &EncounterRow,
    opts: &Options,
) -> Result<()> {
    if e.enc_type != EncounterType::Inpatient {
        return Ok(());
    }
    if let Some((_, g, _)) = group_on(tx, e, opts)? {
        dstore::set_query_before(tx, query_id, g.drg, weight_e4(g.weight), g.version)?;
    }
    Ok(())
}

/// A sensible discharge status for a demo inpatient, fixed by its account: mostly home (01), some
/// home health (06), skilled nursing (03), acute transfer (02), a few expired (20).
pub(super) fn demo_discharge_status(account: &str) -> &'static str {
    let h = account
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    match h % 100 {
        0..=71 => "01",
        72..=83 => "06",
        84..=92 => "03",
        93..=96 => "02",
        _ => "20",
    }
}

/// The demo history's coded encounters: inpatients get a discharge status and their final DRG,
/// as marking coded would have stored them. `finals`: (encounter id, coder, coded at).
pub(super) fn demo_finals(tx: &Connection, finals: &[(i64, &str, String)]) -> Result<()> {
    for (enc, coder, at) in finals {
        let e = super::coding::get_encounter(tx, *enc)?;
        if e.enc_type != EncounterType::Inpatient {
            continue;
        }
        if dstore::discharge_status(tx, e.id)?.is_none() {
            dstore::set_discharge_status(tx, e.id, Some(demo_discharge_status(&e.account)))?;
        }
        store_final(tx, &e, &Options::default(), coder, at)?;
    }
    Ok(())
}

/// The demo history's sent queries (id, encounter id, agreed): the working DRG when sent is
/// simulated as the final claim without the CC/MCC an agreed answer added (its first counted
/// MCC, else CC); a query not agreed left the DRG as it was.
pub(super) fn demo_query_drgs(tx: &Connection, queries: &[(i64, i64, bool)]) -> Result<()> {
    let t = tables()?;
    let opts = Options::default();
    for &(id, enc, agreed) in queries {
        let e = super::coding::get_encounter(tx, enc)?;
        if e.enc_type != EncounterType::Inpatient {
            continue;
        }
        let Some((mut claim, _)) = claim_for(tx, &e)? else {
            continue;
        };
        let final_g = grouper::group(t, &claim, &opts);
        let added = final_g.mcc.first().or(final_g.cc.first()).cloned();
        let before = match added {
            Some(code) if agreed => {
                let key = grouper::Code::new(&code);
                claim.sdx.retain(|s| grouper::Code::new(&s.code) != key);
                grouper::group(t, &claim, &opts)
            }
            _ => final_g,
        };
        dstore::set_query_before(tx, id, before.drg, weight_e4(before.weight), before.version)?;
    }
    Ok(())
}

impl Service {
    fn drg_encounter(&self, account: &str) -> Result<EncounterRow> {
        self.require(Permission::ViewCharts, "see the working DRG")?;
        store::encounters::by_account(&self.conn, account)?.ok_or_else(|| {
            ServiceError::NotFound(format!("no encounter with account '{account}'")).into()
        })
    }

    /// The working DRG of an encounter's current codes, regrouped on every call (the tables are
    /// loaded once per process). None for encounters that are not inpatient or have no diagnosis.
    pub fn working_drg(&self, account: &str) -> Result<Option<DrgView>> {
        let e = self.drg_encounter(account)?;
        self.view_of(e)
    }

    /// `working_drg` by encounter id (what the encounter screen holds).
    pub fn working_drg_for(&self, encounter_id: i64) -> Result<Option<DrgView>> {
        self.require(Permission::ViewCharts, "see the working DRG")?;
        let e = super::coding::get_encounter(&self.conn, encounter_id)?;
        self.view_of(e)
    }

    fn view_of(&self, e: EncounterRow) -> Result<Option<DrgView>> {
        if e.enc_type != EncounterType::Inpatient {
            return Ok(None);
        }
        let Some((claim, grouping, notes)) = group_on(&self.conn, &e, &self.grouper_options)?
        else {
            return Ok(None);
        };
        Ok(Some(DrgView {
            encounter_id: e.id,
            status_assumed: store::drg::discharge_status(&self.conn, e.id)?.is_none(),
            stored: store::drg::final_drg(&self.conn, e.id)?,
            account: e.account,
            claim,
            grouping,
            notes,
        }))
    }

    /// The DRG an encounter would group to with `input` ("CODE[:POA]", a diagnosis or a
    /// procedure) added, without assigning it. A diagnosis `as_principal` takes the principal's
    /// place (the old principal becomes a secondary). A diagnosis without POA is tried as Y.
    pub fn what_if(&self, account: &str, input: &str, as_principal: bool) -> Result<WhatIf> {
        let e = self.drg_encounter(account)?;
        let t = tables()?;
        let (code, poa) = split_poa(input)?;
        let is_dx = t.knows_dx(&code);
        let is_pr = !is_dx && t.knows_pr(&code);
        if !is_dx && !is_pr {
            return Err(ServiceError::Invalid(format!(
                "'{code}' is neither an ICD-10-CM diagnosis nor an ICD-10-PCS procedure the \
                 MS-DRG {} tables know: check the code (a billable, full-length code)",
                grouper::VERSION
            ))
            .into());
        }
        if is_pr && as_principal {
            return Err(ServiceError::Invalid(format!(
                "'{code}' is a procedure: only a diagnosis can be tried as principal"
            ))
            .into());
        }
        let (mut claim, mut notes) = claim_for(&self.conn, &e)?.unwrap_or_else(|| {
            (
                Claim {
                    age: 0,
                    sex: grouper::Sex::Unknown,
                    discharge_status: DEFAULT_DISCHARGE_STATUS.into(),
                    pdx: String::new(),
                    sdx: Vec::new(),
                    procs: Vec::new(),
                },
                vec!["no diagnosis assigned yet".into()],
            )
        });
        let opts = self.grouper_options;
        let before = grouper::group(t, &claim, &opts);
        let key = grouper::Code::new(&code);
        let same = |c: &str| grouper::Code::new(c) == key;
        if is_pr {
            if !claim.procs.iter().any(|p| same(p)) {
                claim.procs.push(code.clone());
            }
        } else {
            let poa = poa.or_else(|| {
                notes.push(format!("no POA given for {code}: tried as Y"));
                Some('Y')
            });
            claim.sdx.retain(|s| !same(&s.code));
            if as_principal || claim.pdx.is_empty() {
                if !claim.pdx.is_empty() && !same(&claim.pdx) {
                    let old = std::mem::take(&mut claim.pdx);
                    claim.sdx.insert(
                        0,
                        Secondary {
                            code: old,
                            poa: Some('Y'),
                        },
                    );
                }
                claim.pdx = code.clone();
            } else if !same(&claim.pdx) {
                claim.sdx.push(Secondary {
                    code: code.clone(),
                    poa,
                });
            }
        }
        let after = grouper::group(t, &claim, &opts);
        let system = if is_pr {
            CodeSystem::Icd10Pcs
        } else {
            CodeSystem::Icd10Cm
        };
        Ok(WhatIf {
            code: display_code(system, &code),
            is_procedure: is_pr,
            as_principal: as_principal && is_dx,
            poa: if is_dx { poa.or(Some('Y')) } else { None },
            before,
            after,
            notes,
        })
    }

    /// For each assigned diagnosis that could be principal, the DRG it would give as principal
    /// (the current principal first). Information only.
    pub fn drg_alternatives(&self, account: &str) -> Result<Vec<Alternative>> {
        let e = self.drg_encounter(account)?;
        let t = tables()?;
        let Some((claim, _)) = claim_for(&self.conn, &e)? else {
            return Ok(Vec::new());
        };
        let titles: std::collections::HashMap<String, String> =
            store::assignments::list(&self.conn, e.id)?
                .into_iter()
                .map(|a| (a.code, a.title))
                .collect();
        let opts = self.grouper_options;
        let mut out = vec![Alternative {
            code: display_code(CodeSystem::Icd10Cm, &claim.pdx),
            title: titles.get(&claim.pdx).cloned().unwrap_or_default(),
            current: true,
            grouping: grouper::group(t, &claim, &opts),
        }];
        for (i, s) in claim.sdx.iter().enumerate() {
            let mut c = claim.clone();
            let mut sdx = claim.sdx.clone();
            sdx.remove(i);
            sdx.insert(
                0,
                Secondary {
                    code: claim.pdx.clone(),
                    poa: Some('Y'),
                },
            );
            c.pdx = s.code.clone();
            c.sdx = sdx;
            let g = grouper::group(t, &c, &opts);
            if matches!(
                g.return_code,
                ReturnCode::InvalidPdx | ReturnCode::DxCannotBePdx
            ) {
                continue;
            }
            out.push(Alternative {
                code: display_code(CodeSystem::Icd10Cm, &s.code),
                title: titles.get(&s.code).cloned().unwrap_or_default(),
                current: false,
                grouping: g,
            });
        }
        Ok(out)
    }

    /// Records an encounter's two-digit discharge status (coders; audited).
    pub fn set_discharge_status(&mut self, account: &str, status: &str) -> Result<()> {
        let status = parse_discharge_status(status)?;
        self.write(Permission::Code, "set discharge status", |tx, me| {
            let e = store::encounters::by_account(tx, account)?.ok_or_else(|| {
                ServiceError::NotFound(format!("no encounter with account '{account}'"))
            })?;
            let old = dstore::discharge_status(tx, e.id)?;
            dstore::set_discharge_status(tx, e.id, Some(&status))?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(e.id),
                    object: &e.account,
                    detail: &format!("{} -> {status}", old.as_deref().unwrap_or("none")),
                    ..audit::Entry::new(
                        &store::now(),
                        &me.login,
                        audit::AuditAction::SetDischargeStatus,
                    )
                },
            )
            .map(drop)
        })
    }
}
