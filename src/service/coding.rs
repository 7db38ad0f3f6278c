//! Coding an encounter: open and claim, read notes, assign and sequence codes, POA, complete, reopen.
use super::{Offer, Service, ServiceError};
use crate::domain::code::display_code;
use crate::domain::{
    Assignment, CodeEntry, CodeSystem, EncounterStatus, EntryKind, Permission, Poa,
};
use crate::store::claims::{self, ClaimRow, Ended};
use crate::store::encounters::{EncounterRow, WorklistFilter};
use crate::store::notes::NoteHeader;
use crate::store::users::UserRow;
use crate::store::{self, assignments, audit, encounters};
use anyhow::Result;
use rusqlite::Connection;

/// An open encounter as the encounter screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterView {
    pub encounter: EncounterRow,
    pub notes: Vec<NoteHeader>,
    pub assignments: Vec<Assignment>,
    /// Why the acting user cannot change this encounter now (None: editable).
    pub read_only: Option<String>,
}

/// A code with its place in the tabular list, for the detail panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDetail {
    pub entry: CodeEntry,
    /// Parent first, up to the chapter.
    pub ancestors: Vec<CodeEntry>,
    pub children: Vec<CodeEntry>,
    /// The 7th characters that apply here and the entry that defines them.
    pub seventh: Vec<(char, String)>,
    pub seventh_from: Option<String>,
}

fn read_only_reason(
    e: &EncounterRow,
    me: &UserRow,
    claim: Option<&ClaimRow>,
    now: &str,
) -> Option<String> {
    if !me.role.allows(Permission::Code) {
        return Some(format!("your role ({}) does not code", me.role));
    }
    if e.status == EncounterStatus::Coded {
        return Some("marked coded: press o to reopen".into());
    }
    match &e.claimed_by {
        Some(h) if h != &me.login => Some(match claim {
            Some(c) if c.holder == *h && c.lease_expired(now) => format!(
                "being coded by {h}, whose workstation stopped renewing the claim: open the \
                 encounter again to take it over"
            ),
            _ => format!("being coded by {h}"),
        }),
        _ => None,
    }
}

fn load_view(conn: &Connection, e: EncounterRow, me: &UserRow, now: &str) -> Result<EncounterView> {
    let claim = claims::current(conn, e.id)?;
    Ok(EncounterView {
        notes: store::notes::for_encounter(conn, e.id)?,
        assignments: assignments::list(conn, e.id)?,
        read_only: read_only_reason(&e, me, claim.as_ref(), now),
        encounter: e,
    })
}

pub(super) fn get_encounter(conn: &Connection, id: i64) -> Result<EncounterRow> {
    encounters::by_id(conn, id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no encounter with id {id}")).into())
}

/// Inside a write transaction: the encounter, if `me` may change its codes now. Claims it for `me`
/// when nobody holds it (or its holder's lease ran out: taken over, audited) — unless the claim `me`
/// held was released since (by a supervisor or from another window): that window is stale and must
/// reopen the encounter.
pub(super) fn editable(
    conn: &Connection,
    id: i64,
    me: &UserRow,
    ct: &super::claims::ClaimTime,
) -> Result<EncounterRow> {
    let e = get_encounter(conn, id)?;
    if e.status == EncounterStatus::Coded {
        return Err(ServiceError::Invalid(format!(
            "encounter {} is marked coded: reopen it first",
            e.account
        ))
        .into());
    }
    if let Some((by, when)) = super::claims::released_from(conn, &e, me)? {
        return Err(ServiceError::ClaimReleased {
            account: e.account,
            by,
            at: clock_time(&when),
        }
        .into());
    }
    super::claims::take_claim(conn, &e, me, ct)?;
    if e.status == EncounterStatus::Uncoded {
        encounters::set_status(conn, id, EncounterStatus::InProgress, None)?;
    }
    Ok(e)
}

/// "HH:MM" in local time for an RFC 3339 stamp (the stamp itself if it is not one).
fn clock_time(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
        .unwrap_or_else(|_| stamp.to_string())
}

fn seq_group(conn: &Connection, enc: i64, system: CodeSystem) -> Result<Vec<Assignment>> {
    Ok(assignments::list(conn, enc)?
        .into_iter()
        .filter(|a| a.system.is_diagnosis() == system.is_diagnosis())
        .collect())
}

/// Writes 1..n as the sequence of `group` in its current order.
fn renumber(conn: &Connection, group: &[Assignment]) -> Result<()> {
    for (i, a) in group.iter().enumerate() {
        let seq = i as i64 + 1;
        if a.seq != seq {
            assignments::set_seq(conn, a.id, seq)?;
        }
    }
    Ok(())
}

fn find_assignment(conn: &Connection, enc: i64, id: i64) -> Result<Assignment> {
    assignments::list(conn, enc)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| {
            ServiceError::NotFound(format!("assignment {id} is not on this encounter")).into()
        })
}

/// The 7th-character table that applies to `entry` (its own or its nearest ancestor's).
/// A 7th-character table and the code that defines it.
type SeventhTable = (Vec<(char, String)>, Option<String>);

fn applicable_seventh(conn: &Connection, entry: &CodeEntry) -> Result<SeventhTable> {
    let mut cur = Some(entry.clone());
    let mut guard = 0;
    while let Some(e) = cur {
        if !e.notes.seventh_characters.is_empty() {
            return Ok((e.notes.seventh_characters.clone(), Some(e.code.clone())));
        }
        guard += 1;
        if e.kind != EntryKind::Code || guard > 10 {
            break;
        }
        cur = match &e.parent {
            Some(p) => store::codes::get(conn, e.system, p)?,
            None => None,
        };
    }
    Ok((Vec::new(), None))
}

fn offers(entries: Vec<CodeEntry>) -> Vec<Offer> {
    entries
        .into_iter()
        .map(|e| Offer {
            code: e.code,
            title: e.title,
        })
        .collect()
}

/// Resolves what the user typed to an assignable code of `system`, or says why not.
fn resolve_billable(conn: &Connection, system: CodeSystem, input: &str) -> Result<CodeEntry> {
    let code = display_code(system, input);
    if let Some(entry) =
        store::codes::get(conn, system, &code)?.filter(|e| e.kind == EntryKind::Code)
    {
        if entry.billable {
            return Ok(entry);
        }
        let (seventh, _) = applicable_seventh(conn, &entry)?;
        let reason = if seventh.is_empty() {
            format!(
                "{code} ({}) is a header code, not valid for billing",
                entry.title
            )
        } else {
            format!("{code} needs a 7th character ({})", seventh_hint(&seventh))
        };
        let valid = offers(store::codes::billable_descendants(
            conn, system, &code, 200,
        )?);
        return Err(ServiceError::NotBillable {
            code,
            reason,
            valid,
        }
        .into());
    }
    // Unknown: offer what lies beneath the longest known prefix, if any.
    let raw = crate::domain::code::undotted(input);
    for len in (3..raw.len())
        .rev()
        .filter(|&len| raw.is_char_boundary(len))
    {
        let prefix = display_code(system, &raw[..len]);
        if let Some(p) =
            store::codes::get(conn, system, &prefix)?.filter(|e| e.kind == EntryKind::Code)
        {
            let valid = offers(store::codes::billable_descendants(
                conn, system, &p.code, 200,
            )?);
            return Err(ServiceError::NotBillable {
                code: code.clone(),
                reason: format!("{code} is not a {system} code; {} is ({})", p.code, p.title),
                valid,
            }
            .into());
        }
    }
    Err(ServiceError::NotFound(format!(
        "{code} is not a {system} code in the loaded code set: search by words or check the code"
    ))
    .into())
}

fn seventh_hint(s: &[(char, String)]) -> String {
    let parts: Vec<String> = s.iter().take(3).map(|(c, m)| format!("{c} {m}")).collect();
    let more = if s.len() > 3 { ", ..." } else { "" };
    format!("{}{more}", parts.join(", "))
}

/// The audit row of a worklist listing, naming every encounter (and patient) it showed.
pub(super) fn audit_worklist(
    tx: &rusqlite::Transaction<'_>,
    login: &str,
    rows: &[EncounterRow],
    what: &str,
) -> Result<()> {
    let subjects: Vec<audit::Subject> = rows
        .iter()
        .map(|r| audit::Subject::encounter(r.patient_id, r.id))
        .collect();
    audit::record(
        tx,
        &audit::Entry {
            object: "worklist",
            detail: &format!("{} {what}", rows.len()),
            subjects: &subjects,
            ..audit::Entry::new(&store::now(), login, audit::AuditAction::ListEncounters)
        },
    )?;
    Ok(())
}

impl Service {
    /// The worklist; the listing itself is audited (it shows patient names).
    pub fn worklist(&mut self, filter: &WorklistFilter) -> Result<Vec<EncounterRow>> {
        self.write(Permission::ViewCharts, "view the worklist", |tx, me| {
            let rows = encounters::worklist(tx, filter)?;
            audit_worklist(tx, &me.login, &rows, "rows")?;
            Ok(rows)
        })
    }

    /// Opens an encounter: audited, and claimed for the acting coder when nobody holds it.
    pub fn open_encounter(&mut self, account: &str) -> Result<EncounterView> {
        self.open_encounter_claiming(account, true)
    }

    /// Opens an encounter to look at it (audited) without claiming it, e.g. a supervisor's
    /// drill-down from the dashboard; `claim_encounter` takes it explicitly.
    pub fn open_encounter_to_review(&mut self, account: &str) -> Result<EncounterView> {
        self.open_encounter_claiming(account, false)
    }

    fn open_encounter_claiming(&mut self, account: &str, claim: bool) -> Result<EncounterView> {
        let ct = self.claim_time();
        self.write(Permission::ViewCharts, "open encounters", |tx, me| {
            let at = ct.at.clone();
            let e = encounters::by_account(tx, account)?.ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no encounter with account '{account}': check the number on the worklist"
                ))
            })?;
            let mut claimed = "";
            if claim && me.role.allows(Permission::Code) && e.status != EncounterStatus::Coded {
                // Someone else's live claim: the encounter opens read-only.
                match super::claims::take_claim(tx, &e, me, &ct) {
                    Ok(super::claims::Taken::Claimed) => claimed = "claimed",
                    Ok(super::claims::Taken::TookOver { .. }) => claimed = "claimed (taken over)",
                    Ok(super::claims::Taken::Already) => {}
                    Err(err)
                        if matches!(
                            err.downcast_ref::<ServiceError>(),
                            Some(ServiceError::ClaimedBy { .. })
                        ) => {}
                    Err(err) => return Err(err),
                }
            }
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(e.id),
                    object: &e.account,
                    detail: claimed,
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::OpenEncounter)
                },
            )?;
            let e = get_encounter(tx, e.id)?;
            load_view(tx, e, me, &at)
        })
    }

    /// Re-reads an encounter the user already has open (after a change, or to see others' work).
    /// The workstation calls it on its refresh tick, so it also renews the user's lease on the
    /// claim when that is due (one UPDATE; see `claims.lease_minutes`).
    pub fn encounter_view(&self, id: i64) -> Result<EncounterView> {
        self.require(Permission::ViewCharts, "view encounters")?;
        let e = get_encounter(&self.conn, id)?;
        self.renew_lease_if_due(&e);
        load_view(&self.conn, e, &self.user, &self.claim_time().at)
    }

    /// Leaving an encounter without any code on it gives the claim back.
    pub fn leave_encounter(&mut self, id: i64) -> Result<()> {
        let e = get_encounter(&self.conn, id)?;
        if e.claimed_by.as_deref() != Some(self.user.login.as_str()) || e.code_count > 0 {
            return Ok(());
        }
        self.write(Permission::ViewCharts, "leave encounters", |tx, me| {
            let e = get_encounter(tx, id)?;
            if e.claimed_by.as_deref() == Some(me.login.as_str()) && e.code_count == 0 {
                let at = store::now();
                claims::end(tx, id, &me.login, &at, Ended::Release)?;
                if e.status == EncounterStatus::InProgress {
                    encounters::set_status(tx, id, EncounterStatus::Uncoded, None)?;
                }
                audit::record(
                    tx,
                    &audit::Entry {
                        patient_id: Some(e.patient_id),
                        encounter_id: Some(id),
                        object: &e.account,
                        detail: "left without codes",
                        ..audit::Entry::new(&at, &me.login, audit::AuditAction::Release)
                    },
                )?;
            }
            Ok(())
        })
    }

    /// Reads one note: an audited view.
    pub fn read_note(&mut self, note_row_id: i64) -> Result<(NoteHeader, String)> {
        self.write(Permission::ViewCharts, "read notes", |tx, me| {
            let (h, body) = store::notes::get(tx, note_row_id)?
                .ok_or_else(|| ServiceError::NotFound(format!("no note with id {note_row_id}")))?;
            let e = get_encounter(tx, h.encounter_id)?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(e.id),
                    object: &h.note_id,
                    detail: &h.note_type,
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ViewNote)
                },
            )?;
            Ok((h, body))
        })
    }

    /// Assigns a code at the end of its sequence (diagnoses and procedures are sequenced apart).
    pub fn assign(&mut self, enc: i64, system: CodeSystem, code: &str) -> Result<Assignment> {
        let ct = self.claim_time();
        self.write(Permission::Code, "assign codes", |tx, me| {
            let at = ct.at.clone();
            let e = editable(tx, enc, me, &ct)?;
            let entry = resolve_billable(tx, system, code)?;
            let group = seq_group(tx, enc, system)?;
            if let Some(dup) = group
                .iter()
                .find(|a| a.code == entry.code && a.system == system)
            {
                return Err(ServiceError::Invalid(format!(
                    "{} is already assigned (sequence {})",
                    dup.code, dup.seq
                ))
                .into());
            }
            let seq = group.len() as i64 + 1;
            let id = assignments::insert(
                tx,
                enc,
                system,
                &entry.code,
                &entry.title,
                seq,
                None,
                &me.login,
                &at,
            )?;
            assignments::record(
                tx,
                enc,
                system,
                &entry.code,
                "assign",
                &format!("seq {seq}"),
                &me.login,
                &at,
            )?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &format!("{system} {}", entry.code),
                    detail: &format!("seq {seq}"),
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::AssignCode)
                },
            )?;
            find_assignment(tx, enc, id)
        })
    }

    pub fn remove_assignment(&mut self, enc: i64, id: i64) -> Result<()> {
        let ct = self.claim_time();
        self.write(Permission::Code, "remove codes", |tx, me| {
            let at = ct.at.clone();
            let e = editable(tx, enc, me, &ct)?;
            let a = find_assignment(tx, enc, id)?;
            assignments::delete(tx, id)?;
            renumber(tx, &seq_group(tx, enc, a.system)?)?;
            assignments::record(
                tx,
                enc,
                a.system,
                &a.code,
                "remove",
                &format!("was seq {}", a.seq),
                &me.login,
                &at,
            )?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &format!("{} {}", a.system, a.code),
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::RemoveCode)
                },
            )?;
            Ok(())
        })
    }

    /// Moves a code up (negative) or down (positive) within its sequence.
    pub fn move_assignment(&mut self, enc: i64, id: i64, delta: i64) -> Result<()> {
        self.resequence(
            enc,
            id,
            |cur, len| (cur as i64 + delta).clamp(0, len as i64 - 1) as usize,
            audit::AuditAction::Resequence,
        )
    }

    /// Makes a code the principal (first-listed) diagnosis, or the principal procedure.
    pub fn set_principal(&mut self, enc: i64, id: i64) -> Result<()> {
        self.resequence(enc, id, |_, _| 0, audit::AuditAction::SetPrincipal)
    }

    fn resequence(
        &mut self,
        enc: i64,
        id: i64,
        target: impl FnOnce(usize, usize) -> usize,
        action: audit::AuditAction,
    ) -> Result<()> {
        let ct = self.claim_time();
        self.write(Permission::Code, "sequence codes", |tx, me| {
            let at = ct.at.clone();
            let e = editable(tx, enc, me, &ct)?;
            let a = find_assignment(tx, enc, id)?;
            let mut group = seq_group(tx, enc, a.system)?;
            let Some(cur) = group.iter().position(|x| x.id == id) else {
                return Ok(());
            };
            let to = target(cur, group.len());
            if to == cur {
                return Ok(());
            }
            let item = group.remove(cur);
            group.insert(to, item);
            renumber(tx, &group)?;
            let detail = format!("seq {} -> {}", cur + 1, to + 1);
            assignments::record(
                tx,
                enc,
                a.system,
                &a.code,
                action.as_str(),
                &detail,
                &me.login,
                &at,
            )?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &format!("{} {}", a.system, a.code),
                    detail: &detail,
                    ..audit::Entry::new(&at, &me.login, action)
                },
            )?;
            Ok(())
        })
    }

    /// Sets (or clears) the present-on-admission indicator of a diagnosis.
    pub fn set_poa(&mut self, enc: i64, id: i64, poa: Option<Poa>) -> Result<()> {
        let ct = self.claim_time();
        self.write(Permission::Code, "set POA", |tx, me| {
            let at = ct.at.clone();
            let e = editable(tx, enc, me, &ct)?;
            let a = find_assignment(tx, enc, id)?;
            if !a.system.is_diagnosis() {
                return Err(ServiceError::Invalid(format!(
                    "{} is a procedure: POA applies to diagnoses only",
                    a.code
                ))
                .into());
            }
            assignments::set_poa(tx, id, poa)?;
            let detail = format!(
                "{} -> {}",
                a.poa.map(|p| p.as_str()).unwrap_or("blank"),
                poa.map(|p| p.as_str()).unwrap_or("blank")
            );
            assignments::record(
                tx, enc, a.system, &a.code, "set_poa", &detail, &me.login, &at,
            )?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &format!("{} {}", a.system, a.code),
                    detail: &detail,
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::SetPoa)
                },
            )?;
            Ok(())
        })
    }

    /// Marks the encounter coded and gives up the claim. Needs a principal diagnosis, no coding
    /// edit of error severity (POA on inpatient diagnoses not on the exempt list among them), and
    /// every warning acknowledged.
    pub fn mark_coded(&mut self, enc: i64) -> Result<()> {
        let index = self.edit_index()?;
        let opts = self.grouper_options;
        let ct = self.claim_time();
        self.write(Permission::Code, "mark encounters coded", |tx, me| {
            let at = ct.at.clone();
            let e = editable(tx, enc, me, &ct)?;
            super::query_lifecycle::before_mark_coded(tx, &e, &at)?;
            let codes = assignments::list(tx, enc)?;
            if !codes.iter().any(|a| a.system.is_diagnosis()) {
                return Err(ServiceError::Invalid(format!(
                    "encounter {} has no diagnosis code: assign at least the principal diagnosis",
                    e.account
                ))
                .into());
            }
            super::edits::require_clean(tx, &e, &index)?;
            super::drg::store_final(tx, &e, &opts, &me.login, &at)?;
            encounters::set_status(tx, enc, EncounterStatus::Coded, None)?;
            encounters::set_coded(tx, enc, Some(&me.login), Some(&at))?;
            claims::end(tx, enc, &me.login, &at, Ended::Coded)?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &e.account,
                    detail: &format!("{} codes", codes.len()),
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::MarkCoded)
                },
            )?;
            Ok(())
        })
    }

    /// Reopens a coded encounter for changes and claims it.
    pub fn reopen(&mut self, enc: i64) -> Result<()> {
        let ct = self.claim_time();
        self.write(Permission::Code, "reopen encounters", |tx, me| {
            let at = ct.at.clone();
            let e = get_encounter(tx, enc)?;
            if e.status != EncounterStatus::Coded {
                return Err(
                    ServiceError::Invalid(format!("encounter {} is not coded", e.account)).into(),
                );
            }
            super::claims::take_claim(tx, &e, me, &ct)?;
            encounters::set_status(tx, enc, EncounterStatus::InProgress, None)?;
            encounters::set_coded(tx, enc, None, None)?;
            // The final DRG goes with the coding; the working DRG regroups from the codes.
            store::drg::clear_final(tx, enc)?;
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &e.account,
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::Reopen)
                },
            )?;
            Ok(())
        })
    }

    /// Gives up a claim: the holder may always; others need the reassign permission.
    pub fn release(&mut self, enc: i64) -> Result<()> {
        self.reassign_to(enc, None)
    }

    /// Hands an encounter to another user, or releases it (`to` None). Supervisors and admins, or
    /// the holder releasing their own claim.
    pub fn reassign_to(&mut self, enc: i64, to: Option<&str>) -> Result<()> {
        let perm = {
            let e = get_encounter(&self.conn, enc)?;
            if to.is_none() && e.claimed_by.as_deref() == Some(self.user.login.as_str()) {
                Permission::ViewCharts
            } else {
                Permission::Reassign
            }
        };
        self.write(perm, "reassign encounters", |tx, me| {
            let at = store::now();
            let e = get_encounter(tx, enc)?;
            if perm == Permission::ViewCharts && e.claimed_by.as_deref() != Some(me.login.as_str())
            {
                return Err(ServiceError::Invalid(format!(
                    "you no longer hold encounter {}",
                    e.account
                ))
                .into());
            }
            if let Some(login) = to {
                let target =
                    store::users::get(tx, login)?.ok_or_else(|| ServiceError::UnknownUser {
                        login: login.to_string(),
                    })?;
                if !target.role.allows(Permission::Code) {
                    return Err(ServiceError::Invalid(format!(
                        "{login} has role {}, which does not code",
                        target.role
                    ))
                    .into());
                }
            }
            match to {
                // A handed-over claim has no lease until its new holder has it open.
                Some(to) => claims::hand_over(tx, enc, &me.login, to, &at, Ended::Reassign, None)?,
                None => claims::end(tx, enc, &me.login, &at, Ended::Release)?,
            };
            let action = if to.is_some() {
                audit::AuditAction::Reassign
            } else {
                audit::AuditAction::Release
            };
            let detail = format!(
                "{} -> {}",
                e.claimed_by.as_deref().unwrap_or("nobody"),
                to.unwrap_or("nobody")
            );
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(e.patient_id),
                    encounter_id: Some(enc),
                    object: &e.account,
                    detail: &detail,
                    ..audit::Entry::new(&at, &me.login, action)
                },
            )?;
            Ok(())
        })
    }

    /// A code with its tabular context (code sets hold no patient data: not audited).
    pub fn code_detail(&self, system: CodeSystem, code: &str) -> Result<CodeDetail> {
        let code = display_code(system, code);
        let entry = store::codes::get(&self.conn, system, &code)?
            .ok_or_else(|| ServiceError::NotFound(format!("{code} is not a {system} code")))?;
        let mut ancestors = Vec::new();
        let mut parent = entry.parent.clone();
        while let Some(p) = parent {
            match store::codes::get(&self.conn, system, &p)? {
                Some(a) if ancestors.len() < 12 => {
                    parent = a.parent.clone();
                    ancestors.push(a);
                }
                _ => break,
            }
        }
        let children = store::codes::children(&self.conn, system, &code)?;
        let (seventh, seventh_from) = applicable_seventh(&self.conn, &entry)?;
        Ok(CodeDetail {
            entry,
            ancestors,
            children,
            seventh,
            seventh_from,
        })
    }

    /// Searches the code sets (no patient data: not audited).
    pub fn search_codes(
        &self,
        query: &str,
        q: &crate::search::CodeQuery,
    ) -> Result<Vec<crate::search::CodeHit>> {
        self.codes()?.search(query, q)
    }

    /// Coded encounters' codes (or one encounter's), for billing systems and checks. Audited.
    /// Coded encounters' codes (all of them, or one coded encounter's; any other status is refused).
    pub fn export_codes(&mut self, account: Option<&str>) -> Result<Vec<assignments::ExportRow>> {
        self.write(Permission::ViewCharts, "export codes", |tx, me| {
            if let Some(a) = account {
                let e = encounters::by_account(tx, a)?.ok_or_else(|| {
                    ServiceError::NotFound(format!("no encounter with account '{a}'"))
                })?;
                if e.status != EncounterStatus::Coded {
                    return Err(ServiceError::Invalid(format!(
                        "encounter {a} is {}, not coded: only coded encounters' codes are \
                         exported (mark it coded first, or see its codes with 'chartdesk audit \
                         --encounter {a}')",
                        e.status
                    ))
                    .into());
                }
            }
            let rows = assignments::export(tx, account)?;
            let mut accounts: Vec<&str> = rows.iter().map(|r| r.account.as_str()).collect();
            accounts.sort_unstable();
            accounts.dedup();
            let mut subjects = Vec::with_capacity(accounts.len());
            for a in accounts {
                if let Some(e) = encounters::by_account(tx, a)? {
                    subjects.push(audit::Subject::encounter(e.patient_id, e.id));
                }
            }
            audit::record(
                tx,
                &audit::Entry {
                    object: account.unwrap_or("all coded"),
                    detail: &format!("{} rows", rows.len()),
                    subjects: &subjects,
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ExportCodes)
                },
            )?;
            Ok(rows)
        })
    }

    /// The history of code changes on an encounter.
    pub fn code_history(&self, enc: i64) -> Result<Vec<assignments::HistoryRow>> {
        self.require(Permission::ViewCharts, "view code history")?;
        assignments::history(&self.conn, enc)
    }
}
