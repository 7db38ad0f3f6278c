//! Throughput: encounters coded per coder per day and per hour worked, by encounter type, against
//! standards; and time in chart (first open to coded) as a distribution.
//!
//! Definitions (also in the README):
//! - *Coded per day* = coded encounters / days worked (UTC days with work actions or codings).
//! - *Coded* encounters are final codings: the last `mark_coded` of an encounter that no later
//!   `reopen` undid. A reopened-then-recoded encounter counts once, for the coder of the final
//!   `mark_coded`, on that day; one reopened and not yet recoded does not count.
//! - *Hours worked* follow [`super::activity`] (sessions of work actions).
//! - *Time in chart* runs from the final coder's first `open_encounter` of the encounter to the final
//!   `mark_coded`.
//! - *Hours by type*: a coder's hours in the range are split across encounter types in proportion to
//!   the time in chart of their coded encounters of each type. Each encounter's weight is its time in
//!   chart in minutes, clamped to between 1 minute and [`WEIGHT_CAP`] times the standard's time for
//!   its type (60 / standard minutes), so a chart left open overnight or reopened days later does
//!   not swallow the day; an encounter without a recorded open weighs the standard's time. Coded per
//!   hour for a type = coded encounters of that type / hours attributed to it.
use super::activity::{ActionEvent, hours_by_user_day};
use crate::config::StandardsConfig;
use crate::domain::EncounterType;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The most an encounter weighs when hours are split across types, in multiples of its type's
/// standard time.
pub const WEIGHT_CAP: f64 = 3.0;

/// Time-in-chart buckets: (label, upper bound in minutes, exclusive).
pub const TIME_IN_CHART_BUCKETS: &[(&str, i64)] = &[
    ("<10m", 10),
    ("10-20m", 20),
    ("20-40m", 40),
    ("40-60m", 60),
    ("1-2h", 120),
    ("2-8h", 480),
    ("8h+", i64::MAX),
];

/// What the throughput report is computed from.
#[derive(Debug, Clone, Default)]
pub struct ThroughputInput {
    /// Everyone who codes: (login, team). Coders without activity are reported with zeros.
    pub coders: Vec<(String, String)>,
    /// Audit rows: every `open_encounter`, `mark_coded` and `reopen`, plus all work actions in range.
    pub events: Vec<ActionEvent>,
    pub enc_types: HashMap<i64, EncounterType>,
    /// Report only these logins (a coder's own view, or a team); None: everyone.
    pub only: Option<Vec<String>>,
}

/// One final coding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalCoding {
    pub encounter_id: i64,
    pub coded_by: String,
    pub coded_at: DateTime<Utc>,
    pub first_open: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeThroughput {
    pub enc_type: EncounterType,
    pub coded: u32,
    pub hours: f64,
    pub per_hour: Option<f64>,
    pub standard: f64,
    /// per_hour / standard.
    pub of_standard: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayThroughput {
    pub date: NaiveDate,
    pub coded: u32,
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoderThroughput {
    pub login: String,
    pub team: String,
    pub coded: u32,
    pub hours: f64,
    pub per_hour: Option<f64>,
    /// Coded per day worked (days with work actions or codings).
    pub per_day: Option<f64>,
    /// Days with activity or codings, oldest first.
    pub days: Vec<DayThroughput>,
    /// Types this coder coded or has hours for.
    pub by_type: Vec<TypeThroughput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThroughputReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub coders: Vec<CoderThroughput>,
    /// Everyone in the report together, every type.
    pub by_type: Vec<TypeThroughput>,
    /// Coded per day over the whole range (zeros included), oldest first.
    pub daily: Vec<DayThroughput>,
    /// (label, count) per [`TIME_IN_CHART_BUCKETS`].
    #[serde(serialize_with = "super::backlog::labeled")]
    pub time_in_chart: Vec<(String, u32)>,
    pub coded: u32,
    pub hours: f64,
}

/// Final codings as of the last event: last `mark_coded` per encounter not undone by a `reopen`.
pub fn final_codings(events: &[ActionEvent]) -> Vec<FinalCoding> {
    let mut order: Vec<&ActionEvent> = events.iter().collect();
    order.sort_by_key(|e| e.at);
    let mut state: BTreeMap<i64, Option<&ActionEvent>> = BTreeMap::new();
    for e in &order {
        let Some(enc) = e.encounter_id else { continue };
        match e.action.as_str() {
            "mark_coded" => {
                state.insert(enc, Some(e));
            }
            "reopen" => {
                state.insert(enc, None);
            }
            _ => {}
        }
    }
    let mut first_open: HashMap<(i64, &str), DateTime<Utc>> = HashMap::new();
    for e in &order {
        if let (Some(enc), "open_encounter") = (e.encounter_id, e.action.as_str()) {
            first_open.entry((enc, e.login.as_str())).or_insert(e.at);
        }
    }
    state
        .into_iter()
        .filter_map(|(enc, e)| {
            let e = e?;
            let open = first_open
                .get(&(enc, e.login.as_str()))
                .copied()
                .filter(|o| *o <= e.at);
            Some(FinalCoding {
                encounter_id: enc,
                coded_by: e.login.clone(),
                coded_at: e.at,
                first_open: open,
            })
        })
        .collect()
}

fn minutes_in_chart(c: &FinalCoding) -> Option<i64> {
    c.first_open.map(|o| (c.coded_at - o).num_minutes())
}

fn ratio(n: u32, hours: f64) -> Option<f64> {
    (hours > 0.0).then(|| n as f64 / hours)
}

fn type_row(t: EncounterType, coded: u32, hours: f64, std: &StandardsConfig) -> TypeThroughput {
    let per_hour = ratio(coded, hours);
    let standard = std.per_hour(t);
    TypeThroughput {
        enc_type: t,
        coded,
        hours,
        per_hour,
        standard,
        of_standard: per_hour.filter(|_| standard > 0.0).map(|p| p / standard),
    }
}

/// The throughput report for codings and work between `from` and `to` (UTC days, inclusive).
pub fn throughput(
    input: &ThroughputInput,
    std: &StandardsConfig,
    from: NaiveDate,
    to: NaiveDate,
) -> ThroughputReport {
    let in_range = |d: NaiveDate| d >= from && d <= to;
    let hours = hours_by_user_day(&input.events);
    let wanted = |login: &str| {
        input
            .only
            .as_ref()
            .is_none_or(|o| o.iter().any(|l| l == login))
    };
    let codings: Vec<FinalCoding> = final_codings(&input.events)
        .into_iter()
        .filter(|c| in_range(c.coded_at.date_naive()) && wanted(&c.coded_by))
        .collect();

    let mut logins: Vec<(String, String)> = input.coders.clone();
    for c in &codings {
        if !logins.iter().any(|(l, _)| *l == c.coded_by) {
            logins.push((c.coded_by.clone(), String::new()));
        }
    }
    logins.retain(|(l, _)| wanted(l));
    logins.sort();

    let mut team_types: BTreeMap<EncounterType, (u32, f64)> = BTreeMap::new();
    let mut coders = Vec::new();
    for (login, team) in logins {
        let mine: Vec<&FinalCoding> = codings.iter().filter(|c| c.coded_by == login).collect();
        let mut days: BTreeMap<NaiveDate, (u32, f64)> = BTreeMap::new();
        if let Some(h) = hours.get(&login) {
            for (d, v) in h.iter().filter(|(d, _)| in_range(**d)) {
                days.entry(*d).or_default().1 += v;
            }
        }
        let mut weights: BTreeMap<EncounterType, (u32, f64)> = BTreeMap::new();
        for c in &mine {
            days.entry(c.coded_at.date_naive()).or_default().0 += 1;
            let Some(t) = input.enc_types.get(&c.encounter_id).copied() else {
                continue;
            };
            let standard_minutes = 60.0 / std.per_hour(t).max(0.1);
            let w = match c.first_open {
                Some(o) => ((c.coded_at - o).num_seconds() as f64 / 60.0)
                    .clamp(1.0, WEIGHT_CAP * standard_minutes),
                None => standard_minutes,
            };
            let e = weights.entry(t).or_default();
            e.0 += 1;
            e.1 += w;
        }
        let total_hours: f64 = days.values().map(|d| d.1).fold(0.0, |a, b| a + b);
        let total_w: f64 = weights.values().map(|w| w.1).fold(0.0, |a, b| a + b);
        let by_type: Vec<TypeThroughput> = weights
            .iter()
            .map(|(t, (n, w))| {
                let h = if total_w > 0.0 {
                    total_hours * w / total_w
                } else {
                    0.0
                };
                let e = team_types.entry(*t).or_default();
                e.0 += n;
                e.1 += h;
                type_row(*t, *n, h, std)
            })
            .collect();
        let coded = mine.len() as u32;
        let days_worked = days.len();
        coders.push(CoderThroughput {
            login,
            team,
            coded,
            hours: total_hours,
            per_hour: ratio(coded, total_hours),
            per_day: (days_worked > 0).then(|| coded as f64 / days_worked as f64),
            days: days
                .into_iter()
                .map(|(date, (coded, hours))| DayThroughput { date, coded, hours })
                .collect(),
            by_type,
        });
    }

    let by_type = EncounterType::ALL
        .iter()
        .map(|t| {
            let (n, h) = team_types.get(t).copied().unwrap_or((0, 0.0));
            type_row(*t, n, h, std)
        })
        .collect();
    let mut daily = Vec::new();
    let mut d = from;
    while d <= to && daily.len() < 3660 {
        let (coded, hours) = coders.iter().fold((0, 0.0), |acc, c| {
            c.days
                .iter()
                .find(|x| x.date == d)
                .map(|x| (acc.0 + x.coded, acc.1 + x.hours))
                .unwrap_or(acc)
        });
        daily.push(DayThroughput {
            date: d,
            coded,
            hours,
        });
        let Some(next) = d.succ_opt() else { break };
        d = next;
    }
    let mut time_in_chart: Vec<(String, u32)> = TIME_IN_CHART_BUCKETS
        .iter()
        .map(|(l, _)| (l.to_string(), 0))
        .collect();
    for m in codings.iter().filter_map(minutes_in_chart) {
        if let Some(i) = TIME_IN_CHART_BUCKETS.iter().position(|(_, up)| m < *up) {
            time_in_chart[i].1 += 1;
        }
    }
    ThroughputReport {
        from,
        to,
        coded: coders.iter().map(|c| c.coded).sum(),
        hours: coders.iter().map(|c| c.hours).fold(0.0, |a, b| a + b),
        coders,
        by_type,
        daily,
        time_in_chart,
    }
}
