//! Stores the demo's simulated history (see `demo::history`): back-dated audit rows, coded
//! encounters with their codes, documentation queries with answers, teams and a few reviews.
use crate::demo::history::{self, Code};
use crate::domain::query::{Outcome, QueryStatus, complete_options};
use crate::domain::{EncounterStatus, Role};
use crate::report::accuracy::{self, ReviewCode};
use crate::store::{self, assignments, audit, encounters};
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::Connection;
use std::collections::HashMap;

/// What the history added, for the init report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCounts {
    pub encounters: usize,
    pub notes: usize,
    pub actions: usize,
    pub queries: usize,
    pub reviews: usize,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn review_codes(codes: &[Code]) -> Vec<ReviewCode> {
    let mut out: Vec<ReviewCode> = Vec::new();
    for (system, code, poa) in codes {
        let seq = out
            .iter()
            .filter(|c| c.system.is_diagnosis() == system.is_diagnosis())
            .count() as i64
            + 1;
        out.push(ReviewCode {
            system: *system,
            code: code.clone(),
            seq,
            poa: *poa,
        });
    }
    out
}

/// Generates and stores the history inside the caller's transaction.
pub(super) fn store_history(
    tx: &Connection,
    seed: u64,
    today: NaiveDate,
    staff: &[(String, Role)],
) -> Result<HistoryCounts> {
    let h = history::generate(seed, today, staff).context("simulating the demo history")?;
    let mut ids: HashMap<String, (i64, i64)> = HashMap::new();
    for p in &h.data.patients {
        encounters::upsert_patient(tx, p)?;
    }
    for e in &h.data.encounters {
        let id = encounters::insert(tx, e)?;
        let pid = encounters::ids_by_account(tx, &e.account)?
            .map(|x| x.1)
            .unwrap_or_default();
        ids.insert(e.account.clone(), (id, pid));
    }
    let mut note_rows: HashMap<&str, i64> = HashMap::new();
    for n in &h.data.notes {
        note_rows.insert(n.note_id.as_str(), store::notes::insert(tx, n)?);
    }
    let templates = store::query_templates::templates(tx)
        .context("reading the query templates for the demo queries")?;
    for (login, team) in &h.teams {
        store::users::set_team(tx, login, team)?;
    }
    let mut titles: HashMap<(String, String), String> = HashMap::new();
    for a in &h.acts {
        let Some(&(enc, pid)) = ids.get(&a.account) else {
            continue;
        };
        let object = match &a.code {
            Some((s, c, _)) => format!("{s} {c}"),
            None => a.account.clone(),
        };
        audit::record(
            tx,
            &audit::Entry {
                patient_id: Some(pid),
                encounter_id: Some(enc),
                object: &object,
                ..audit::Entry::new(&ts(a.at), &a.login, a.action)
            },
        )?;
    }
    for (account, (coder, coded_at, codes)) in &h.finals {
        let Some(&(enc, _)) = ids.get(account) else {
            continue;
        };
        let at = ts(*coded_at);
        for rc in review_codes(codes) {
            let key = (rc.system.as_str().to_string(), rc.code.clone());
            if !titles.contains_key(&key) {
                let t = store::codes::get(tx, rc.system, &rc.code)?
                    .map(|e| e.title)
                    .unwrap_or_default();
                titles.insert(key.clone(), t);
            }
            let title = titles.get(&key).cloned().unwrap_or_default();
            assignments::insert(
                tx, enc, rc.system, &rc.code, &title, rc.seq, rc.poa, coder, &at,
            )?;
            assignments::record(
                tx,
                enc,
                rc.system,
                &rc.code,
                "assign",
                &format!("seq {}", rc.seq),
                coder,
                &at,
            )?;
        }
        encounters::set_status(tx, enc, EncounterStatus::Coded, None)?;
        encounters::set_coded(tx, enc, Some(coder), Some(&at))?;
    }
    let finals: Vec<(i64, &str, String)> = h
        .finals
        .iter()
        .filter_map(|(account, (coder, at, _))| {
            ids.get(account)
                .map(|&(enc, _)| (enc, coder.as_str(), ts(*at)))
        })
        .collect();
    super::drg::demo_finals(tx, &finals)?;
    let mut queries = 0;
    let mut sent_queries: Vec<(i64, i64, bool)> = Vec::new();
    for q in &h.queries {
        let Some(&(enc, pid)) = ids.get(&q.account) else {
            continue;
        };
        // The template's compliant question and options (an administrator may have edited the
        // seed; a removed template means no demo query of that kind).
        let Some(t) = templates.iter().find(|t| t.name == q.template) else {
            continue;
        };
        let created = ts(q.created_at);
        let id = store::queries::insert(
            tx,
            &store::queries::NewQuery {
                encounter_id: enc,
                query_type: t.query_type,
                purpose: t.purpose,
                provider: &q.provider,
                question: &t.question,
                template: Some(t.name.as_str()),
                created_by: &q.cdi,
                created_at: &created,
            },
        )?;
        store::queries::set_options(tx, id, &complete_options(t.query_type, &t.options))?;
        for ind in &q.indicators {
            let Some(&row) = note_rows.get(ind.note_id.as_str()) else {
                continue;
            };
            store::queries::insert_indicator(tx, id, row, ind.start, ind.end, &q.cdi, &created)?;
        }
        store::queries::add_event(
            tx,
            id,
            "create",
            None,
            QueryStatus::Draft,
            &q.cdi,
            &created,
            "",
        )?;
        let sent = ts(q.sent_at);
        let due = ts(q.sent_at + chrono::Duration::days(2));
        store::queries::mark_sent(tx, id, &q.cdi, &sent, &due)?;
        store::queries::add_event(
            tx,
            id,
            "send",
            Some(QueryStatus::Draft),
            QueryStatus::Open,
            &q.cdi,
            &sent,
            "",
        )?;
        let closed = ts(q.closed_at);
        match (q.answered_at, q.outcome) {
            (_, "canceled") => {
                let reason = "documentation already clarified";
                store::queries::mark_canceled(tx, id, &q.cdi, &closed, reason)?;
                store::queries::add_event(
                    tx,
                    id,
                    "cancel",
                    Some(QueryStatus::Open),
                    QueryStatus::Canceled,
                    &q.cdi,
                    &closed,
                    reason,
                )?;
            }
            (Some(ans), outcome) => {
                let outcome: Outcome = outcome.parse().unwrap_or(Outcome::Agreed);
                let at = ts(ans);
                let response = match outcome {
                    Outcome::Agreed => "Agree; documented in an addendum.",
                    _ => "Disagree; the documentation stands as written.",
                };
                store::queries::mark_answered(tx, id, outcome, response, &q.provider, &at)?;
                store::queries::add_event(
                    tx,
                    id,
                    "answer",
                    Some(QueryStatus::Open),
                    QueryStatus::Answered,
                    &q.cdi,
                    &at,
                    outcome.as_str(),
                )?;
                store::queries::mark_closed(tx, id, &q.cdi, &at, false)?;
                store::queries::add_event(
                    tx,
                    id,
                    "close",
                    Some(QueryStatus::Answered),
                    QueryStatus::Closed,
                    &q.cdi,
                    &at,
                    "",
                )?;
            }
            (None, _) => {
                store::queries::mark_closed(tx, id, &q.cdi, &closed, true)?;
                store::queries::add_event(
                    tx,
                    id,
                    "no_response",
                    Some(QueryStatus::Open),
                    QueryStatus::Closed,
                    &q.cdi,
                    &closed,
                    "",
                )?;
            }
        }
        queries += 1;
        sent_queries.push((id, enc, q.outcome == "agreed"));
        let reviewed = ts(q.created_at - chrono::Duration::minutes(10));
        for (t, action) in [
            (reviewed, audit::AuditAction::OpenEncounter),
            (created, audit::AuditAction::DemoCreateQuery),
            (sent, audit::AuditAction::DemoSendQuery),
        ] {
            audit::record(
                tx,
                &audit::Entry {
                    patient_id: Some(pid),
                    encounter_id: Some(enc),
                    object: &if action == audit::AuditAction::OpenEncounter {
                        q.account.clone()
                    } else {
                        format!("query {id}")
                    },
                    ..audit::Entry::new(&t, &q.cdi, action)
                },
            )?;
        }
    }
    let mut reviews = 0;
    for r in &h.reviews {
        let Some(&(enc, _)) = ids.get(&r.account) else {
            continue;
        };
        let Some((_, coded_at, _)) = h.finals.get(&r.account) else {
            continue;
        };
        let coder_codes = review_codes(&r.coder_codes);
        let reviewer_codes = review_codes(&r.reviewer_codes);
        let cmp = accuracy::compare(&coder_codes, &reviewer_codes);
        let Some(id) = store::reviews::insert(
            tx,
            enc,
            &r.coder,
            &ts(*coded_at),
            &ts(r.sampled_at),
            &r.reviewer,
            "random 2 per coder",
            &coder_codes,
        )?
        else {
            continue;
        };
        let findings = if cmp.findings.is_empty() {
            "Agree with the coding as submitted.".to_string()
        } else {
            let parts: Vec<String> = cmp.findings.iter().map(|f| f.describe()).collect();
            format!("Please review: {}.", parts.join("; "))
        };
        store::reviews::complete(
            tx,
            id,
            &r.reviewer,
            &ts(r.completed_at),
            &reviewer_codes,
            &findings,
        )?;
        reviews += 1;
    }
    super::drg::demo_query_drgs(tx, &sent_queries)?;
    Ok(HistoryCounts {
        encounters: h.data.encounters.len(),
        notes: h.data.notes.len(),
        actions: h.acts.len(),
        queries,
        reviews,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::query_compliance::{ComplianceInput, Severity, check};

    /// Every demo query is what the product itself would let a CDI specialist send: the seeded
    /// template's question and options, indicators quoted from the encounter's own notes, and no
    /// compliance error (leading wording, codes or payment words, missing options or indicators).
    #[test]
    fn every_demo_query_passes_the_compliance_checker() {
        let conn = store::open_in_memory().unwrap();
        // The demo's staff (assets/demo/people.toml).
        let staff: Vec<(String, Role)> = [
            ("jlee", Role::Coder),
            ("mpatel", Role::Coder),
            ("rgarcia", Role::Coder),
            ("knguyen", Role::Coder),
            ("swhite", Role::Coder),
            ("tbrooks", Role::Cdi),
            ("amartin", Role::Cdi),
            ("dkim", Role::Supervisor),
        ]
        .iter()
        .map(|(l, r)| (l.to_string(), *r))
        .collect();
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let counts = store_history(&conn, 20_261_124, today, &staff).unwrap();
        let rows = store::queries::list(&conn, &Default::default()).unwrap();
        assert_eq!(rows.len(), counts.queries);
        assert!(rows.len() >= 5, "only {} demo queries", rows.len());
        let mut templates: Vec<String> = Vec::new();
        for q in &rows {
            let options = store::queries::options(&conn, q.id).unwrap();
            let quotes: Vec<String> = store::queries::indicators(&conn, q.id)
                .unwrap()
                .into_iter()
                .map(|i| i.quote)
                .collect();
            let findings = check(&ComplianceInput {
                query_type: q.query_type,
                purpose: q.purpose,
                provider: &q.provider,
                question: &q.question,
                options: &options,
                indicators: &quotes,
            });
            let errors: Vec<_> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            assert!(
                errors.is_empty(),
                "query {} on {}: {errors:?}\n{}\n{options:?}\n{quotes:?}",
                q.id,
                q.account,
                q.question
            );
            assert!(!q.question.starts_with("Please clarify"), "{}", q.question);
            assert!(
                !q.question.contains("E43") && !q.question.contains("I50"),
                "{}",
                q.question
            );
            let notes = store::notes::for_encounter(&conn, q.encounter_id).unwrap();
            for quote in &quotes {
                assert!(quote.len() >= 8, "a real sentence: {quote:?}");
                assert!(
                    notes.iter().any(|n| {
                        let body: String = conn
                            .query_row("SELECT body FROM notes WHERE id = ?1", [n.id], |r| r.get(0))
                            .unwrap();
                        body.contains(quote.as_str())
                    }),
                    "quote {quote:?} is not in the notes of {}",
                    q.account
                );
            }
            let t = q.template.clone().unwrap();
            if !templates.contains(&t) {
                templates.push(t);
            }
        }
        assert!(templates.len() >= 3, "templates used: {templates:?}");
    }
}
