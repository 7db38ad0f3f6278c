//! Second-level review through the one door: supervisors and admins sample coded encounters and
//! record their own coding of them; coders see the findings about their own work and nothing else.
use super::{Service, ServiceError};
use crate::domain::code::display_code;
use crate::domain::{CodeSystem, Permission, Poa};
use crate::report::accuracy::{self, Comparison, ReviewCode, SampleRule};
use crate::store::reviews::{ReviewFilter, ReviewRow};
use crate::store::{self, assignments, audit, reviews};
use anyhow::Result;
use chrono::{Datelike, NaiveDate};

/// A review with both code lists and, once done, the comparison.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReviewDetail {
    pub review: ReviewRow,
    pub coder_codes: Vec<ReviewCode>,
    pub reviewer_codes: Vec<ReviewCode>,
    pub comparison: Option<Comparison>,
}

/// The Monday starting the week that holds `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The seed random sampling uses for the week starting `monday`: the same week, the same sample.
pub fn week_seed(monday: NaiveDate) -> u64 {
    monday.num_days_from_ce().unsigned_abs() as u64
}

/// Parses reviewer codes as typed: `CODE` or `CODE:POA`, optionally `pcs:CODE`. Diagnoses are
/// sequenced in the order given (the first is the principal), procedures likewise.
pub fn parse_review_codes(items: &[String]) -> Result<Vec<ReviewCode>> {
    let mut out: Vec<ReviewCode> = Vec::new();
    for item in items.iter().flat_map(|i| i.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (system, rest) = match item.split_once(':') {
            Some((s, r)) if s.parse::<CodeSystem>().is_ok() || s.eq_ignore_ascii_case("cm") => {
                let sys = if s.eq_ignore_ascii_case("cm") {
                    CodeSystem::Icd10Cm
                } else {
                    s.parse::<CodeSystem>().map_err(ServiceError::Invalid)?
                };
                (Some(sys), r)
            }
            _ => (None, item),
        };
        let (code, poa) = match rest.split_once(':') {
            Some((c, p)) => (c, Some(p.parse::<Poa>().map_err(ServiceError::Invalid)?)),
            None => (rest, None),
        };
        let system = system.unwrap_or(match code.chars().next() {
            Some(c) if c.is_ascii_digit() => CodeSystem::Icd10Pcs,
            _ => CodeSystem::Icd10Cm,
        });
        let seq = out
            .iter()
            .filter(|c| c.system.is_diagnosis() == system.is_diagnosis())
            .count() as i64
            + 1;
        out.push(ReviewCode {
            system,
            code: display_code(system, code),
            seq,
            poa,
        });
    }
    Ok(out)
}

impl Service {
    /// Samples coded encounters of the week holding `week` for review (supervisors and admins).
    /// Codings already sampled are skipped. Returns the new review ids.
    pub fn sample_reviews(&mut self, rule: &SampleRule, week: NaiveDate) -> Result<Vec<i64>> {
        self.write(
            Permission::Reports,
            "sample encounters for review",
            |tx, me| {
                let monday = week_start(week);
                let next = monday + chrono::Duration::days(7);
                let cands = reviews::candidates(
                    tx,
                    &super::reports::day_start(monday),
                    &super::reports::day_start(next),
                )?;
                let plain: Vec<_> = cands.iter().map(|(c, _)| c.clone()).collect();
                let picked = accuracy::sample(&plain, rule);
                let at = store::now();
                let label = rule.label();
                let mut ids = Vec::new();
                for enc in picked {
                    let Some((c, coded_at)) = cands.iter().find(|(c, _)| c.encounter_id == enc)
                    else {
                        continue;
                    };
                    let codes: Vec<ReviewCode> = assignments::list(tx, enc)?
                        .into_iter()
                        .map(|a| ReviewCode {
                            system: a.system,
                            code: a.code,
                            seq: a.seq,
                            poa: a.poa,
                        })
                        .collect();
                    if let Some(id) = reviews::insert(
                        tx, enc, &c.coder, coded_at, &at, &me.login, &label, &codes,
                    )? {
                        audit::record(
                            tx,
                            &audit::Entry {
                                encounter_id: Some(enc),
                                object: &format!("review {id}"),
                                detail: &format!("{label}; week of {monday}; coder {}", c.coder),
                                ..audit::Entry::new(
                                    &at,
                                    &me.login,
                                    audit::AuditAction::SampleReview,
                                )
                            },
                        )?;
                        ids.push(id);
                    }
                }
                Ok(ids)
            },
        )
    }

    /// Reviews: everyone's for supervisors and admins, a coder's own otherwise.
    pub fn reviews(&mut self, filter: &ReviewFilter) -> Result<Vec<ReviewRow>> {
        self.write(Permission::ViewCharts, "view reviews", |tx, me| {
            let mut f = filter.clone();
            if !me.role.allows(Permission::Reports) {
                f.coder = Some(me.login.clone());
            }
            let rows = reviews::list(tx, &f)?;
            // The encounters listed (their patients are found through the encounter).
            let subjects: Vec<audit::Subject> = rows
                .iter()
                .map(|r| audit::Subject {
                    patient_id: None,
                    encounter_id: Some(r.encounter_id),
                })
                .collect();
            audit::record(
                tx,
                &audit::Entry {
                    object: "reviews",
                    detail: &format!("{} reviews", rows.len()),
                    subjects: &subjects,
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ViewReport)
                },
            )?;
            Ok(rows)
        })
    }

    /// One review with both code lists and its findings; a coder may only see reviews of their own
    /// coding.
    pub fn review_detail(&mut self, id: i64) -> Result<ReviewDetail> {
        self.write(Permission::ViewCharts, "view reviews", |tx, me| {
            let review = reviews::get(tx, id)?
                .filter(|r| me.role.allows(Permission::Reports) || r.coder == me.login)
                .ok_or_else(|| ServiceError::NotFound(format!("no review {id} of your coding")))?;
            let coder_codes = reviews::codes(tx, id, "coder")?;
            let reviewer_codes = reviews::codes(tx, id, "reviewer")?;
            let comparison =
                (review.status == "done").then(|| accuracy::compare(&coder_codes, &reviewer_codes));
            audit::record(
                tx,
                &audit::Entry {
                    encounter_id: Some(review.encounter_id),
                    object: &format!("review {id}"),
                    ..audit::Entry::new(&store::now(), &me.login, audit::AuditAction::ViewReview)
                },
            )?;
            Ok(ReviewDetail {
                review,
                coder_codes,
                reviewer_codes,
                comparison,
            })
        })
    }

    /// Records the reviewer's coding of a sampled encounter (supervisors and admins, never on their
    /// own coding). Codes must be billable codes of the loaded code sets. Returns the comparison.
    pub fn record_review(
        &mut self,
        id: i64,
        codes: &[ReviewCode],
        findings: &str,
    ) -> Result<Comparison> {
        self.write(Permission::Reports, "record reviews", |tx, me| {
            let review = reviews::get(tx, id)?
                .ok_or_else(|| ServiceError::NotFound(format!("no review with id {id}")))?;
            if review.coder == me.login {
                return Err(ServiceError::Invalid(format!(
                    "review {id} is of your own coding: another reviewer must record it"
                ))
                .into());
            }
            if !codes.iter().any(|c| c.system.is_diagnosis()) {
                return Err(ServiceError::Invalid(
                    "a review needs at least the principal diagnosis (the first diagnosis given)"
                        .into(),
                )
                .into());
            }
            for c in codes {
                match store::codes::get(tx, c.system, &c.code)? {
                    Some(e) if e.billable => {}
                    Some(e) => {
                        return Err(ServiceError::Invalid(format!(
                            "{} ({}) is not billable: give a complete code",
                            c.code, e.title
                        ))
                        .into());
                    }
                    None => {
                        return Err(ServiceError::Invalid(format!(
                            "{} is not a {} code in the loaded code set",
                            c.code, c.system
                        ))
                        .into());
                    }
                }
            }
            let at = store::now();
            let coder_codes = reviews::codes(tx, id, "coder")?;
            let cmp = accuracy::compare(&coder_codes, codes);
            reviews::complete(tx, id, &me.login, &at, codes, findings.trim())?;
            audit::record(
                tx,
                &audit::Entry {
                    encounter_id: Some(review.encounter_id),
                    object: &format!("review {id}"),
                    detail: &format!("{} errors in {} codes", cmp.errors, cmp.codes),
                    ..audit::Entry::new(&at, &me.login, audit::AuditAction::RecordReview)
                },
            )?;
            Ok(cmp)
        })
    }
}
