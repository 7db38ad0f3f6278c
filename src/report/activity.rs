//! Hours worked, derived from recorded activity (audit rows), because chartdesk has no time clock.
//!
//! The rule: a user's work actions, sorted by time, form a *session* while the gap between one
//! action and the next is at most [`SESSION_GAP_MINUTES`]; a session lasts from its first to its last
//! action plus [`SESSION_TAIL_MINUTES`] (the reading and thinking after the last recorded click). A
//! session belongs to the UTC day it starts on. Actions that happen without the user doing work
//! (the worklist refreshing itself, viewing reports, setting up the data directory) are not work
//! actions: see [`is_work_action`].
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Longest pause, in minutes, that still continues a session.
pub const SESSION_GAP_MINUTES: i64 = 15;
/// Minutes credited after the last action of a session.
pub const SESSION_TAIL_MINUTES: i64 = 5;

/// One recorded action of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEvent {
    pub login: String,
    pub at: DateTime<Utc>,
    pub action: String,
    pub encounter_id: Option<i64>,
}

/// A stretch of continuous work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub start: DateTime<Utc>,
    /// Last action plus the tail.
    pub end: DateTime<Utc>,
    pub actions: usize,
}

impl Session {
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }
    pub fn day(&self) -> NaiveDate {
        self.start.date_naive()
    }
}

/// Audit actions that are not work: automatic refreshes, report views, set-up and imports.
const NOT_WORK: &[&str] = &[
    "list_encounters",
    "view_report",
    "view_audit",
    "verify_audit",
    "access_report",
    "refused",
    "init",
    "load_demo",
    "import_codes",
    "import_notes",
    "reindex",
];

/// Whether an audit action counts as work for the hours-worked rule.
pub fn is_work_action(action: &str) -> bool {
    !NOT_WORK.contains(&action)
}

/// Sessions of one user's action times (any order).
pub fn sessions(times: &[DateTime<Utc>]) -> Vec<Session> {
    let mut sorted = times.to_vec();
    sorted.sort();
    let gap = chrono::Duration::minutes(SESSION_GAP_MINUTES);
    let tail = chrono::Duration::minutes(SESSION_TAIL_MINUTES);
    let mut out: Vec<Session> = Vec::new();
    let mut last: Option<DateTime<Utc>> = None;
    for t in sorted {
        match (out.last_mut(), last) {
            (Some(s), Some(prev)) if t - prev <= gap => {
                s.end = t + tail;
                s.actions += 1;
            }
            _ => out.push(Session {
                start: t,
                end: t + tail,
                actions: 1,
            }),
        }
        last = Some(t);
    }
    out
}

/// Hours worked per user per day, from the work actions among `events`.
pub fn hours_by_user_day(events: &[ActionEvent]) -> BTreeMap<String, BTreeMap<NaiveDate, f64>> {
    let mut times: BTreeMap<&str, Vec<DateTime<Utc>>> = BTreeMap::new();
    for e in events.iter().filter(|e| is_work_action(&e.action)) {
        times.entry(e.login.as_str()).or_default().push(e.at);
    }
    let mut out: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for (login, t) in times {
        let days = out.entry(login.to_string()).or_default();
        for s in sessions(&t) {
            *days.entry(s.day()).or_default() += s.hours();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 11, 2)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_utc()
    }

    #[test]
    fn gaps_up_to_fifteen_minutes_continue_a_session() {
        // 9:00, 9:10, 9:25 (gap 15: same session), 9:41 (gap 16: new session).
        let s = sessions(&[t(9, 25), t(9, 0), t(9, 10), t(9, 41)]);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].start, s[0].end, s[0].actions), (t(9, 0), t(9, 30), 3));
        assert_eq!((s[1].start, s[1].end), (t(9, 41), t(9, 46)));
        assert!((s[0].hours() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_single_action_is_five_minutes_and_refreshes_do_not_count() {
        let ev = |a: &str, at| ActionEvent {
            login: "alice".into(),
            at,
            action: a.into(),
            encounter_id: None,
        };
        let events = vec![
            ev("open_encounter", t(8, 0)),
            ev("list_encounters", t(8, 10)),
            ev("list_encounters", t(8, 20)),
            ev("view_report", t(8, 30)),
        ];
        let h = hours_by_user_day(&events);
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        assert!((h["alice"][&day] - 5.0 / 60.0).abs() < 1e-9);
        assert!(sessions(&[]).is_empty());
    }
}
