//! Simulated history for the demo, so the supervisor dashboard means something on first start:
//! weeks of back-dated coding by the demo coders (open, assign, coded; inpatient slower), a few
//! reopenings, documentation queries with answers from the CDI specialists, and a few second-level
//! reviews. Deterministic in `(seed, today)`. The encounters it codes are its own (accounts start
//! with "H"), so the demo worklist's encounters stay uncoded.
use super::{AnswerKey, DemoData};
use crate::domain::{CodeSystem, EncounterType, Note, Poa, Role};
use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// Weeks of simulated coding before today.
pub const WEEKS: i64 = 5;
/// Encounters generated for the history pool (only those coded are kept).
pub const POOL: usize = 420;
/// Demo sets smaller than this (quick test set-ups) get no history.
pub const MIN_DEMO_ENCOUNTERS: usize = 100;

/// A code as the simulation assigns it.
pub type Code = (CodeSystem, String, Option<Poa>);

/// One recorded action (an audit row to write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    pub at: DateTime<Utc>,
    pub login: String,
    /// OpenEncounter, AssignCode, MarkCoded, Reopen.
    pub action: crate::store::audit::AuditAction,
    pub account: String,
    /// For assign_code: the code.
    pub code: Option<Code>,
}

/// The final coding of one encounter: (coder, coded at, codes).
pub type Final = (String, DateTime<Utc>, Vec<Code>);

/// A documentation query and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistQuery {
    pub account: String,
    pub cdi: String,
    pub provider: String,
    /// The seeded query template whose question and options the query uses (see
    /// `store::query_templates`; schema step 4 seeds them).
    pub template: &'static str,
    /// Clinical indicators quoted from the encounter's notes.
    pub indicators: Vec<HistIndicator>,
    pub created_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
    /// None: canceled at `closed_at` instead of answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// "agreed", "disagreed", "no_response" or "canceled".
    pub outcome: &'static str,
    pub closed_at: DateTime<Utc>,
}

/// A clinical indicator: a sentence of one of the encounter's notes, by character offsets
/// (`start` inclusive, `end` exclusive, as `domain::Indicator` counts them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistIndicator {
    pub note_id: String,
    pub start: i64,
    pub end: i64,
    pub quote: String,
}

/// (words in a scenario's query opportunity, seeded template, words whose sentences in the notes are
/// the template's clinical indicators). Checked in order; the first hit wins.
const TEMPLATES: &[(&str, &str, &[&str])] = &[
    (
        "malnutrition",
        "malnutrition",
        &["weight loss", "albumin", "wasting", "intake"],
    ),
    (
        "respiratory failure",
        "respiratory_failure",
        &["room air", "spo2", "nasal cannula"],
    ),
    ("sepsis", "sepsis", &["lactate", "wbc", "fever", "bolus"]),
    ("encephalopathy", "encephalopathy", &["confusion"]),
    (
        "heart failure",
        "heart_failure",
        &["bnp", "lvef", "furosemide", "edema"],
    ),
    (
        "kidney",
        "acute_kidney_injury",
        &["creatinine", "urine output"],
    ),
    ("anemia", "anemia", &["hgb", "hemoglobin", "transfus"]),
];

/// Most indicators quoted per query.
const MAX_INDICATORS: usize = 3;
/// Longest quote, in bytes (a sentence is clipped around the word beyond this).
const MAX_QUOTE: usize = 200;

/// The seeded template for the first opportunity one fits, and the words to quote.
fn template_for(opportunities: &[String]) -> Option<(&'static str, &'static [&'static str])> {
    opportunities.iter().find_map(|o| {
        let o = o.to_lowercase();
        TEMPLATES
            .iter()
            .find(|(words, _, _)| o.contains(words))
            .map(|(_, t, needles)| (*t, *needles))
    })
}

/// The sentence of `body` holding byte offset `pos`: from after the previous line break, "; " or
/// ". " to the next (a full stop kept), clipped to `MAX_QUOTE` bytes around `pos`.
fn sentence_around(body: &str, pos: usize) -> (usize, usize) {
    let before = &body[..pos];
    let mut start = [before.rfind('\n'), before.rfind(". "), before.rfind("; ")]
        .into_iter()
        .flatten()
        .map(|i| i + if body[i..].starts_with('\n') { 1 } else { 2 })
        .max()
        .unwrap_or(0);
    let after = &body[pos..];
    let mut end = [
        after.find('\n'),
        after.find(". ").map(|i| i + 1),
        after.find(';'),
    ]
    .into_iter()
    .flatten()
    .min()
    .map(|i| pos + i)
    .unwrap_or(body.len());
    if end - start > MAX_QUOTE {
        start = start.max(pos.saturating_sub(MAX_QUOTE / 3));
        end = end.min(pos + MAX_QUOTE * 2 / 3);
        while !body.is_char_boundary(start) {
            start += 1;
        }
        while !body.is_char_boundary(end) {
            end -= 1;
        }
    }
    while start < end && body[start..].starts_with(char::is_whitespace) {
        start += body[start..].chars().next().map_or(1, char::len_utf8);
    }
    while end > start && body[..end].ends_with(char::is_whitespace) {
        end -= body[..end].chars().next_back().map_or(1, char::len_utf8);
    }
    (start, end)
}

/// Up to `MAX_INDICATORS` distinct sentences of `notes` holding the `needles` (any case), one per
/// needle, in needle order.
fn quote_indicators(notes: &[&Note], needles: &[&str]) -> Vec<HistIndicator> {
    let mut out: Vec<HistIndicator> = Vec::new();
    for needle in needles {
        if out.len() >= MAX_INDICATORS {
            break;
        }
        let found = notes.iter().find_map(|n| {
            let pos = n.body.to_ascii_lowercase().find(needle)?;
            Some((n, sentence_around(&n.body, pos)))
        });
        let Some((n, (s, e))) = found else { continue };
        let quote = n.body[s..e].to_string();
        if quote.is_empty() || out.iter().any(|i| i.quote == quote) {
            continue;
        }
        out.push(HistIndicator {
            note_id: n.note_id.clone(),
            start: n.body[..s].chars().count() as i64,
            end: n.body[..e].chars().count() as i64,
            quote,
        });
    }
    out
}

/// A completed second-level review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistReview {
    pub account: String,
    pub coder: String,
    pub reviewer: String,
    pub sampled_at: DateTime<Utc>,
    pub completed_at: DateTime<Utc>,
    pub coder_codes: Vec<Code>,
    pub reviewer_codes: Vec<Code>,
}

/// Everything the history adds.
#[derive(Debug, Clone)]
pub struct History {
    /// Patients, encounters and notes of the coded history encounters.
    pub data: DemoData,
    /// Actions in time order.
    pub acts: Vec<Act>,
    /// Final state per account: (coder, coded at, codes).
    pub finals: HashMap<String, Final>,
    pub queries: Vec<HistQuery>,
    pub reviews: Vec<HistReview>,
    /// (login, team) for the demo staff.
    pub teams: Vec<(String, String)>,
}

fn minutes_for(t: EncounterType) -> f64 {
    match t {
        EncounterType::Inpatient => 20.0,
        EncounterType::Observation => 12.0,
        EncounterType::Emergency => 7.5,
        EncounterType::Outpatient => 6.0,
        EncounterType::Professional => 4.0,
    }
}

fn prefers(team: &str, t: EncounterType) -> bool {
    let facility = matches!(t, EncounterType::Inpatient | EncounterType::Observation);
    (team == "inpatient") == facility
}

/// The coder's version of the answer key: mostly right, sometimes a dropped secondary code, a
/// swapped principal or a changed POA.
fn coder_codes(key: &AnswerKey, rng: &mut ChaCha8Rng) -> Vec<Code> {
    let mut codes = key.codes.clone();
    let dx = codes.iter().filter(|c| c.0.is_diagnosis()).count();
    let roll: f64 = rng.random();
    if roll < 0.08 && dx > 1 {
        if let Some(i) = codes.iter().rposition(|c| c.0.is_diagnosis()) {
            codes.remove(i);
        }
    } else if roll < 0.12 && dx > 1 {
        codes.swap(0, 1);
    } else if roll < 0.17
        && let Some(c) = codes.iter_mut().skip(1).find(|c| c.2 == Some(Poa::Yes))
    {
        c.2 = Some(Poa::No);
    }
    codes
}

/// `prefix` in place of the first `skip` characters of a generated id (A12345678 -> H12345678).
fn relabel(prefix: &str, id: &str, skip: usize) -> String {
    let rest: String = id.chars().skip(skip).collect();
    format!("{prefix}{rest}")
}

fn at(day: NaiveDate, minutes: f64) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or_default()
        + Duration::seconds((minutes * 60.0) as i64)
}

/// Simulates `WEEKS` weeks of work before `today` by the demo staff.
pub fn generate(seed: u64, today: NaiveDate, staff: &[(String, Role)]) -> Result<History> {
    let pool_today = today - Duration::days(WEEKS * 7 - 14);
    let mut data = super::generate(POOL, seed ^ 0x5EED_4157, pool_today)?;
    for e in &mut data.encounters {
        e.account = relabel("H", &e.account, 1);
    }
    for n in &mut data.notes {
        n.account = relabel("H", &n.account, 1);
        n.note_id = relabel("H", &n.note_id, 1);
    }
    for k in &mut data.answer_key {
        k.account = relabel("H", &k.account, 1);
    }
    for p in &mut data.patients {
        p.mrn = relabel("MRH", &p.mrn, 3);
    }
    for e in &mut data.encounters {
        e.mrn = relabel("MRH", &e.mrn, 3);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4157_0001);
    let coders: Vec<&str> = staff
        .iter()
        .filter(|s| s.1 == Role::Coder)
        .map(|s| s.0.as_str())
        .collect();
    let cdis: Vec<&str> = staff
        .iter()
        .filter(|s| s.1 == Role::Cdi)
        .map(|s| s.0.as_str())
        .collect();
    let supervisor = staff
        .iter()
        .find(|s| s.1 == Role::Supervisor)
        .map(|s| s.0.clone())
        .unwrap_or_else(|| "supervisor".into());
    let teams: Vec<(String, String)> = coders
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let t = if i * 5 < coders.len() * 3 {
                "inpatient"
            } else {
                "outpatient"
            };
            (c.to_string(), t.to_string())
        })
        .collect();
    let speed: Vec<f64> = coders.iter().map(|_| rng.random_range(0.8..1.25)).collect();

    let keys: HashMap<&str, &AnswerKey> = data
        .answer_key
        .iter()
        .map(|k| (k.account.as_str(), k))
        .collect();
    // (discharge, index) of encounters still to code.
    let mut pool: Vec<(NaiveDate, usize)> = data
        .encounters
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let d = e.discharge_date.as_deref()?;
            Some((NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?, i))
        })
        .collect();
    pool.sort();

    let mut acts = Vec::new();
    let mut finals: HashMap<String, Final> = HashMap::new();
    let first = today - Duration::days(WEEKS * 7);
    let mut day = first;
    while day < today {
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            day += Duration::days(1);
            continue;
        }
        for (ci, coder) in coders.iter().enumerate() {
            if rng.random_bool(0.3) {
                continue;
            }
            let team = &teams[ci].1;
            let mut clock = 8.0 * 60.0 + rng.random_range(0.0..40.0);
            let goal = rng.random_range(2..=5);
            for n in 0..goal {
                let pick = pool
                    .iter()
                    .position(|(d, i)| *d < day && prefers(team, data.encounters[*i].enc_type))
                    .or_else(|| pool.iter().position(|(d, _)| *d < day));
                let Some(p) = pick else { break };
                let (_, idx) = pool.remove(p);
                let e = &data.encounters[idx];
                let Some(key) = keys.get(e.account.as_str()) else {
                    continue;
                };
                if n == 2 {
                    // A break: a new session after lunch.
                    clock += rng.random_range(30.0..50.0);
                }
                let dur = minutes_for(e.enc_type) * speed[ci] * rng.random_range(0.6..1.5);
                let codes = coder_codes(key, &mut rng);
                let start = at(day, clock);
                acts.push(Act {
                    at: start,
                    login: coder.to_string(),
                    action: crate::store::audit::AuditAction::OpenEncounter,
                    account: e.account.clone(),
                    code: None,
                });
                for (k, c) in codes.iter().enumerate() {
                    let frac = (k + 1) as f64 / (codes.len() + 1) as f64;
                    acts.push(Act {
                        at: at(day, clock + dur * frac),
                        login: coder.to_string(),
                        action: crate::store::audit::AuditAction::AssignCode,
                        account: e.account.clone(),
                        code: Some(c.clone()),
                    });
                }
                let done = at(day, clock + dur);
                acts.push(Act {
                    at: done,
                    login: coder.to_string(),
                    action: crate::store::audit::AuditAction::MarkCoded,
                    account: e.account.clone(),
                    code: None,
                });
                finals.insert(e.account.clone(), (coder.to_string(), done, codes.clone()));
                clock += dur + rng.random_range(0.5..2.0);
                // A few are reopened by the supervisor and recoded the next working morning.
                if rng.random_bool(0.03) && day + Duration::days(3) < today {
                    let reopened = done + Duration::hours(3);
                    let next = day + Duration::days(1);
                    let recode = at(next, 7.0 * 60.0 + rng.random_range(0.0..20.0));
                    acts.push(Act {
                        at: reopened,
                        login: supervisor.clone(),
                        action: crate::store::audit::AuditAction::Reopen,
                        account: e.account.clone(),
                        code: None,
                    });
                    for (a, action) in [
                        (recode, crate::store::audit::AuditAction::OpenEncounter),
                        (
                            recode + Duration::minutes(4),
                            crate::store::audit::AuditAction::MarkCoded,
                        ),
                    ] {
                        acts.push(Act {
                            at: a,
                            login: coder.to_string(),
                            action,
                            account: e.account.clone(),
                            code: None,
                        });
                    }
                    finals.insert(
                        e.account.clone(),
                        (
                            coder.to_string(),
                            recode + Duration::minutes(4),
                            key.codes.clone(),
                        ),
                    );
                }
            }
        }
        day += Duration::days(1);
    }
    acts.sort_by_key(|a| a.at);

    // Queries: CDI specialists query some coded encounters' attendings before coding.
    let mut queries = Vec::new();
    let mut accounts: Vec<&String> = finals.keys().collect();
    accounts.sort();
    for (i, acc) in accounts.iter().enumerate() {
        let (Some(e), Some(key)) = (
            data.encounters.iter().find(|e| &e.account == *acc),
            keys.get(acc.as_str()),
        ) else {
            continue;
        };
        if cdis.is_empty() || i % 2 != 0 {
            continue;
        }
        // Only opportunities a seeded template fits become queries, with its compliant wording.
        let Some((template, needles)) = template_for(&key.query_opportunities) else {
            continue;
        };
        let notes: Vec<&Note> = data.notes.iter().filter(|n| &n.account == *acc).collect();
        let indicators = quote_indicators(&notes, needles);
        if indicators.is_empty() {
            continue;
        }
        let Some(discharge) = e
            .discharge_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            continue;
        };
        let coded = finals[*acc].1;
        // The CDI specialist queries a day or three before the coding, never before discharge.
        let before = Duration::minutes(rng.random_range(24 * 60..72 * 60));
        let created = (coded - before).max(at(discharge, 9.0 * 60.0));
        if created + Duration::hours(6) >= coded {
            continue;
        }
        let sent = created + Duration::minutes(rng.random_range(5..40));
        let span = (coded - sent).num_minutes().max(10);
        let answered = sent + Duration::minutes(rng.random_range(5..span));
        let roll: f64 = rng.random();
        let (answered_at, outcome) = if roll < 0.7 {
            (Some(answered), "agreed")
        } else if roll < 0.85 {
            (Some(answered), "disagreed")
        } else if roll < 0.95 {
            (None, "no_response")
        } else {
            (None, "canceled")
        };
        queries.push(HistQuery {
            account: acc.to_string(),
            cdi: cdis[queries.len() % cdis.len()].to_string(),
            provider: e.attending.clone(),
            template,
            indicators,
            created_at: created,
            sent_at: sent,
            answered_at,
            outcome,
            closed_at: answered,
        });
    }

    // Reviews: two per coder from the last two weeks, recoded by the supervisor from the key.
    let mut reviews = Vec::new();
    let recent = at(today - Duration::days(14), 0.0);
    for coder in &coders {
        let mut mine: Vec<(&String, &Final)> = finals
            .iter()
            .filter(|(_, f)| f.0 == *coder && f.1 >= recent)
            .collect();
        mine.sort_by(|a, b| a.0.cmp(b.0));
        for (acc, f) in mine.into_iter().take(2) {
            let Some(key) = keys.get(acc.as_str()) else {
                continue;
            };
            reviews.push(HistReview {
                account: acc.clone(),
                coder: coder.to_string(),
                reviewer: supervisor.clone(),
                sampled_at: f.1 + Duration::days(1),
                completed_at: f.1 + Duration::days(2),
                coder_codes: f.2.clone(),
                reviewer_codes: key.codes.clone(),
            });
        }
    }

    // Keep only what was coded.
    let coded: std::collections::HashSet<&str> = finals.keys().map(String::as_str).collect();
    data.encounters
        .retain(|e| coded.contains(e.account.as_str()));
    data.notes.retain(|n| coded.contains(n.account.as_str()));
    data.answer_key
        .retain(|k| coded.contains(k.account.as_str()));
    let mrns: std::collections::HashSet<&str> =
        data.encounters.iter().map(|e| e.mrn.as_str()).collect();
    let patients = data
        .patients
        .iter()
        .filter(|p| mrns.contains(p.mrn.as_str()))
        .cloned()
        .collect();
    data.patients = patients;
    Ok(History {
        data,
        acts,
        finals,
        queries,
        reviews,
        teams,
    })
}
