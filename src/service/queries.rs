//! Documentation queries through the one door: composing, pinning indicators, the lifecycle
//! (send, answer, close, cancel, escalation and no-response sweeps) and the encounter hold, each
//! with its role check and audit row in the same transaction. Views and metrics: `query_views`.
use super::{Service, ServiceError};
use crate::config::QueriesConfig;
use crate::domain::query::{self, complete_options, find_quote};
use crate::domain::query_compliance;
use crate::domain::{
    ComplianceInput, Finding, Indicator, Permission, QueryEvent, QueryStatus, QueryTemplate,
    QueryType, Role, Severity, YesNoPurpose,
};
use crate::store::queries::{self as qstore, NewQuery, QueryRow};
use crate::store::users::UserRow;
use crate::store::{self, audit};
use anyhow::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

/// What a composer holds for a draft (new or edited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryDraftInput {
    pub query_type: QueryType,
    /// Required for yes/no.
    pub purpose: Option<YesNoPurpose>,
    /// Empty: the encounter's attending.
    pub provider: String,
    pub question: String,
    /// The required options are added when missing (see `domain::query::complete_options`).
    pub options: Vec<String>,
    pub template: Option<String>,
}

impl QueryDraftInput {
    pub fn new(query_type: QueryType, provider: &str, question: &str) -> Self {
        Self {
            query_type,
            purpose: None,
            provider: provider.to_string(),
            question: question.to_string(),
            options: Vec::new(),
            template: None,
        }
    }

    /// A draft prefilled from a template.
    pub fn from_template(t: &QueryTemplate, provider: &str) -> Self {
        Self {
            query_type: t.query_type,
            purpose: t.purpose,
            provider: provider.to_string(),
            question: t.question.clone(),
            options: t.options.clone(),
            template: Some(t.name.clone()),
        }
    }

    /// The compliance findings for this draft with these indicator quotes (for inline checks
    /// while composing, before anything is saved).
    pub fn findings(&self, quotes: &[String]) -> Vec<Finding> {
        let options = complete_options(self.query_type, &self.options);
        query_compliance::check(&ComplianceInput {
            query_type: self.query_type,
            purpose: self.purpose,
            provider: &self.provider,
            question: &self.question,
            options: &options,
            indicators: quotes,
        })
    }
}

/// Times as the store writes them (RFC 3339 UTC with milliseconds), so they compare as text.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Whether `me` may see query `q`: coders see queries they created and those on encounters they
/// hold or coded; CDI specialists, supervisors and admins see all.
pub(super) fn can_see(me: &UserRow, q: &QueryRow) -> bool {
    match me.role {
        Role::Coder => {
            q.created_by == me.login
                || q.claimed_by.as_deref() == Some(me.login.as_str())
                || q.coded_by.as_deref() == Some(me.login.as_str())
        }
        Role::Cdi | Role::Supervisor | Role::Admin => true,
    }
}

/// Whether `me` may change query `q` (edit, send, answer, close, cancel): its creator, any CDI
/// specialist (the team works one queue), supervisors and admins.
fn may_act(me: &UserRow, q: &QueryRow) -> bool {
    q.created_by == me.login || matches!(me.role, Role::Cdi | Role::Supervisor | Role::Admin)
}

fn forbidden(me: &UserRow, action: String, allowed: &str) -> anyhow::Error {
    ServiceError::Forbidden {
        login: me.login.clone(),
        role: me.role.to_string(),
        action,
        allowed: allowed.to_string(),
    }
    .into()
}

pub(super) fn load(conn: &Connection, id: i64) -> Result<QueryRow> {
    qstore::get(conn, id)?.ok_or_else(|| {
        ServiceError::NotFound(format!("no query with id {id}: see 'chartdesk queries'")).into()
    })
}

/// Loads a query `me` may see, or refuses.
pub(super) fn visible(conn: &Connection, me: &UserRow, id: i64) -> Result<QueryRow> {
    let q = load(conn, id)?;
    if !can_see(me, &q) {
        return Err(forbidden(
            me,
            format!(
                "see query {id} (coders see queries they wrote or on encounters they hold or coded)"
            ),
            "its author, the coder holding the encounter, a cdi specialist, a supervisor or an admin",
        ));
    }
    Ok(q)
}

/// Loads a query `me` may change, or refuses.
pub(super) fn actionable(conn: &Connection, me: &UserRow, id: i64, what: &str) -> Result<QueryRow> {
    let q = visible(conn, me, id)?;
    if !may_act(me, &q) {
        return Err(forbidden(
            me,
            format!("{what} query {id}, written by {}", q.created_by),
            "its author, a cdi specialist, a supervisor or an admin",
        ));
    }
    Ok(q)
}

/// Checks the event is legal, writes the history row and the audit row. Returns the new state.
pub(super) fn step(
    tx: &Connection,
    login: &str,
    q: &QueryRow,
    event: QueryEvent,
    at: &str,
    detail: &str,
) -> Result<QueryStatus> {
    let to = query::transition(q.status, event)
        .map_err(|m| ServiceError::Invalid(format!("query {}: {m}", q.id)))?;
    qstore::add_event(tx, q.id, event.key(), Some(q.status), to, login, at, detail)?;
    audit::record(
        tx,
        &audit::Entry {
            patient_id: Some(q.patient_id),
            encounter_id: Some(q.encounter_id),
            object: &format!("query {}", q.id),
            detail,
            ..audit::Entry::new(at, login, audit::AuditAction::Query(event))
        },
    )?;
    Ok(to)
}

pub(super) fn check_text(what: &str, s: &str, max: usize) -> Result<()> {
    if s.chars().count() > max {
        return Err(ServiceError::Invalid(format!(
            "{what} is longer than {max} characters: shorten it"
        ))
        .into());
    }
    Ok(())
}

fn validate(d: &QueryDraftInput) -> Result<()> {
    check_text("the question", &d.question, 4000)?;
    check_text("the provider", &d.provider, 200)?;
    for o in &d.options {
        check_text("an option", o, 500)?;
    }
    Ok(())
}

fn quotes(conn: &Connection, id: i64) -> Result<Vec<String>> {
    Ok(qstore::indicators(conn, id)?
        .into_iter()
        .map(|i| i.quote)
        .collect())
}

/// The compliance findings of a stored query.
pub(super) fn findings_of(conn: &Connection, q: &QueryRow) -> Result<Vec<Finding>> {
    let options = qstore::options(conn, q.id)?;
    let quotes = quotes(conn, q.id)?;
    Ok(query_compliance::check(&ComplianceInput {
        query_type: q.query_type,
        purpose: q.purpose,
        provider: &q.provider,
        question: &q.question,
        options: &options,
        indicators: &quotes,
    }))
}

impl Service {
    /// The `[queries]` settings in force (escalation, advisor, no-response limit).
    pub fn query_config(&self) -> &QueriesConfig {
        &self.query_config
    }

    /// Applies the `[queries]` settings of the loaded configuration.
    pub fn set_query_config(&mut self, c: QueriesConfig) {
        self.query_config = c;
    }

    /// The query templates (no patient data: not audited).
    pub fn query_templates(&self) -> Result<Vec<QueryTemplate>> {
        self.require(Permission::Query, "use query templates")?;
        qstore::templates(&self.conn)
    }

    pub fn query_template(&self, name: &str) -> Result<QueryTemplate> {
        self.require(Permission::Query, "use query templates")?;
        qstore::template(&self.conn, name.trim())?.ok_or_else(|| {
            let names: Vec<String> = qstore::templates(&self.conn)
                .map(|v| v.into_iter().map(|t| t.name).collect())
                .unwrap_or_default();
            ServiceError::NotFound(format!(
                "no query template '{name}': use one of {}",
                names.join(", ")
            ))
            .into()
        })
    }

    /// Adds or edits a template (CDI specialists, supervisors, admins). The template itself must
    /// pass the compliance rules that do not depend on a record. Returns true if it was new.
    pub fn save_query_template(&mut self, t: &QueryTemplate) -> Result<bool> {
        let name = t.name.trim();
        if name.is_empty() || name.chars().any(|c| c.is_whitespace()) {
            return Err(ServiceError::Invalid(format!(
                "'{name}' is not a template name: use one word such as heart_failure"
            ))
            .into());
        }
        let mut t = t.clone();
        t.name = name.to_string();
        t.options = complete_options(t.query_type, &t.options);
        let draft = QueryDraftInput::from_template(&t, "provider");
        let errors: Vec<String> = draft
            .findings(&["indicator".to_string()])
            .into_iter()
            .filter(|f| f.severity == Severity::Error && f.rule != "yes_no_new_diagnosis")
            .map(|f| f.message)
            .collect();
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "template {name} is not compliant: {}",
                errors.join("; ")
            ))
            .into());
        }
        self.write(Permission::Query, "edit query templates", |tx, me| {
            if me.role == Role::Coder {
                return Err(forbidden(
                    me,
                    "edit query templates".into(),
                    "a cdi specialist, a supervisor or an admin",
                ));
            }
            let at = store::now();
            let new = qstore::save_template(tx, &t, &me.login, &at)?;
            let action = if new {
                audit::AuditAction::QueryTemplateAdd
            } else {
                audit::AuditAction::QueryTemplateEdit
            };
            audit::record(
                tx,
                &audit::Entry {
                    object: &t.name,
                    detail: &t.title,
                    ..audit::Entry::new(&at, &me.login, action)
                },
            )?;
            Ok(new)
        })
    }

    /// Starts a draft on an encounter (coders, CDI specialists, supervisors). Returns its id.
    pub fn create_draft(&mut self, encounter_id: i64, d: &QueryDraftInput) -> Result<i64> {
        validate(d)?;
        self.write(
            Permission::Query,
            "compose documentation queries",
            |tx, me| {
                let at = store::now();
                let e = super::coding::get_encounter(tx, encounter_id)?;
                let provider = if d.provider.trim().is_empty() {
                    e.attending.clone()
                } else {
                    d.provider.trim().to_string()
                };
                let id = qstore::insert(
                    tx,
                    &NewQuery {
                        encounter_id,
                        query_type: d.query_type,
                        purpose: d.purpose,
                        provider: &provider,
                        question: d.question.trim(),
                        template: d.template.as_deref(),
                        created_by: &me.login,
                        created_at: &at,
                    },
                )?;
                qstore::set_options(tx, id, &complete_options(d.query_type, &d.options))?;
                let detail = format!("{} to {provider}", d.query_type.label());
                qstore::add_event(
                    tx,
                    id,
                    "create",
                    None,
                    QueryStatus::Draft,
                    &me.login,
                    &at,
                    &detail,
                )?;
                audit::record(
                    tx,
                    &audit::Entry {
                        patient_id: Some(e.patient_id),
                        encounter_id: Some(e.id),
                        object: &format!("query {id}"),
                        detail: &detail,
                        ..audit::Entry::new(&at, &me.login, audit::AuditAction::QueryCreate)
                    },
                )?;
                Ok(id)
            },
        )
    }

    /// Rewrites a draft's type, purpose, provider, question and options, and its template when one
    /// is given.
    pub fn update_draft(&mut self, id: i64, d: &QueryDraftInput) -> Result<()> {
        validate(d)?;
        self.write(
            Permission::Query,
            "compose documentation queries",
            |tx, me| {
                let at = store::now();
                let q = actionable(tx, me, id, "edit")?;
                step(tx, &me.login, &q, QueryEvent::Edit, &at, "composed")?;
                let provider = if d.provider.trim().is_empty() {
                    q.attending.clone()
                } else {
                    d.provider.trim().to_string()
                };
                qstore::update_draft(
                    tx,
                    id,
                    d.query_type,
                    d.purpose,
                    &provider,
                    d.question.trim(),
                    &at,
                )?;
                if let Some(t) = d.template.as_deref() {
                    qstore::set_template(tx, id, t)?;
                }
                qstore::set_options(tx, id, &complete_options(d.query_type, &d.options))?;
                Ok(())
            },
        )
    }

    /// Pins characters `start..end` (character offsets, end exclusive) of a note of the query's
    /// encounter as a clinical indicator; the quote is cut from the stored body.
    pub fn pin_indicator(
        &mut self,
        id: i64,
        note_row_id: i64,
        start: i64,
        end: i64,
    ) -> Result<Indicator> {
        self.write(Permission::Query, "pin clinical indicators", |tx, me| {
            pin(tx, me, id, note_row_id, start, end)
        })
    }

    /// Pins the first occurrence of `quote` in a note of the query's encounter, the note given by
    /// its external note id or its row id (for scripts).
    /// A failed attempt is audited too (with the quote): a search for a phrase in a note must leave
    /// a trace whether or not the phrase is there.
    pub fn pin_quote(&mut self, id: i64, note: &str, quote: &str) -> Result<Indicator> {
        self.pin_quote_inner(id, note, quote).inspect_err(|e| {
            let refused = matches!(
                e.downcast_ref::<ServiceError>(),
                Some(ServiceError::Forbidden { .. } | ServiceError::UnknownUser { .. })
            );
            if !refused {
                self.audit_failed_pin(id, note, quote, e);
            }
        })
    }

    fn audit_failed_pin(&self, id: i64, note: &str, quote: &str, err: &anyhow::Error) {
        let res = (|| -> Result<()> {
            let tx = rusqlite::Transaction::new_unchecked(
                &self.conn,
                rusqlite::TransactionBehavior::Immediate,
            )?;
            let q = qstore::get(&tx, id)?;
            let reason = err.to_string();
            audit::record(
                &tx,
                &audit::Entry {
                    patient_id: q.as_ref().map(|q| q.patient_id),
                    encounter_id: q.as_ref().map(|q| q.encounter_id),
                    object: &format!("query {id} note {}", note.trim()),
                    detail: &format!("quote \"{}\": {reason}", quote.trim()),
                    ..audit::Entry::new(
                        &store::now(),
                        &self.user.login,
                        audit::AuditAction::PinFailed,
                    )
                },
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = res {
            tracing::error!("cannot record a failed pin in the audit log: {e:#}");
        }
    }

    fn pin_quote_inner(&mut self, id: i64, note: &str, quote: &str) -> Result<Indicator> {
        self.write(Permission::Query, "pin clinical indicators", |tx, me| {
            let q = visible(tx, me, id)?;
            let notes = store::notes::for_encounter(tx, q.encounter_id)?;
            let h = notes
                .iter()
                .find(|n| n.note_id == note.trim() || n.id.to_string() == note.trim())
                .ok_or_else(|| {
                    ServiceError::NotFound(format!(
                        "encounter {} has no note '{note}': its notes are {}",
                        q.account,
                        notes
                            .iter()
                            .map(|n| n.note_id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
            let (_, body) = store::notes::get(tx, h.id)?
                .ok_or_else(|| ServiceError::NotFound(format!("note {} vanished", h.note_id)))?;
            let (start, end) = find_quote(&body, quote).ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "note {} does not contain \"{}\": copy the text exactly as it is in the note",
                    h.note_id,
                    quote.trim()
                ))
            })?;
            pin(tx, me, id, h.id, start, end)
        })
    }

    /// Removes a pinned indicator from a draft.
    pub fn unpin_indicator(&mut self, id: i64, indicator_id: i64) -> Result<()> {
        self.write(Permission::Query, "pin clinical indicators", |tx, me| {
            let at = store::now();
            let q = actionable(tx, me, id, "edit")?;
            step(
                tx,
                &me.login,
                &q,
                QueryEvent::Edit,
                &at,
                &format!("unpinned indicator {indicator_id}"),
            )?;
            if !qstore::delete_indicator(tx, id, indicator_id)? {
                return Err(ServiceError::NotFound(format!(
                    "query {id} has no indicator {indicator_id}"
                ))
                .into());
            }
            Ok(())
        })
    }

    /// The compliance findings of a stored query (errors block sending).
    /// (Audited: the findings quote the query's options. For inline checks while composing, use
    /// `QueryDraftInput::findings`, which reads nothing.)
    pub fn query_compliance(&mut self, id: i64) -> Result<Vec<Finding>> {
        self.write(Permission::Query, "see documentation queries", |tx, me| {
            let q = visible(tx, me, id)?;
            let f = findings_of(tx, &q)?;
            let errors = f.iter().filter(|x| x.severity == Severity::Error).count();
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(q.patient_id),
                    encounter_id: Some(q.encounter_id),
                    object: &format!("query {id}"),
                    detail: &format!("{errors} errors, {} warnings", f.len() - errors),
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::CheckQuery)
                },
            )?;
            Ok(f)
        })
    }
}

/// Pins inside a write transaction (shared by the offset and quote forms).
fn pin(
    tx: &Connection,
    me: &UserRow,
    id: i64,
    note_row_id: i64,
    start: i64,
    end: i64,
) -> Result<Indicator> {
    let at = store::now();
    let q = actionable(tx, me, id, "edit")?;
    let (enc, len) = qstore::note_span(tx, note_row_id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no note with id {note_row_id}")))?;
    if enc != q.encounter_id {
        return Err(ServiceError::Invalid(format!(
            "note {note_row_id} belongs to another encounter: pin indicators from {}'s notes",
            q.account
        ))
        .into());
    }
    if start < 0 || end <= start || end > len {
        return Err(ServiceError::Invalid(format!(
            "characters {start}..{end} are not a selection in note {note_row_id} ({len} characters)"
        ))
        .into());
    }
    if end - start > 2000 {
        return Err(ServiceError::Invalid(
            "an indicator quote is at most 2000 characters: select the relevant sentence".into(),
        )
        .into());
    }
    if qstore::indicators(tx, id)?
        .iter()
        .any(|i| i.note_row_id == note_row_id && i.start == start && i.end == end)
    {
        return Err(ServiceError::Invalid(format!(
            "that text of note {note_row_id} is already pinned to query {id}"
        ))
        .into());
    }
    step(
        tx,
        &me.login,
        &q,
        QueryEvent::Edit,
        &at,
        &format!("pinned note {note_row_id} [{start}..{end}]"),
    )?;
    let ind = qstore::insert_indicator(tx, id, note_row_id, start, end, &me.login, &at)?
        .ok_or_else(|| ServiceError::NotFound(format!("no note with id {note_row_id}")))?;
    qstore::indicators(tx, id)?
        .into_iter()
        .find(|i| i.id == ind)
        .ok_or_else(|| anyhow::anyhow!("indicator {ind} vanished after insert"))
}
