//! Supervisor reports: every metric on a hand-built event set with known answers (reopened
//! encounters, canceled queries, a coder with no activity), role filtering through the service,
//! second-level review, and the CLI's output formats.
mod common;
use chartdesk::config::StandardsConfig;
use chartdesk::domain::*;
use chartdesk::report::accuracy::{
    self, Candidate, DoneReview, FindingKind, ReviewCode, SampleRule,
};
use chartdesk::report::activity::ActionEvent;
use chartdesk::report::backlog::{self, PendingReason};
use chartdesk::report::throughput::{self, ThroughputInput};
use chartdesk::service::{ServiceError, parse_review_codes};
use chartdesk::store::{self, encounters::EncounterRow};
use chrono::{DateTime, NaiveDate, Utc};
use common::*;
use std::collections::{HashMap, HashSet};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn t(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    day(d).and_hms_opt(h, m, 0).unwrap().and_utc()
}

fn ev(login: &str, at: DateTime<Utc>, action: &str, enc: i64) -> ActionEvent {
    ActionEvent {
        login: login.into(),
        at,
        action: action.into(),
        encounter_id: Some(enc),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Encounters: 1 inpatient, 2 outpatient, 3 emergency, 4 inpatient.
/// - alice codes 1 (09:00-09:20) and 2 (09:25-09:35) on Nov 2;
/// - bob codes 3 at 10:00-10:06, sam reopens it at 11:00, alice recodes it 13:00-13:10: it counts
///   once, for alice;
/// - bob codes 4 at 14:00-14:12 on Nov 3, sam reopens it and nobody recodes it: it does not count;
/// - carl (a coder) does nothing.
fn hand_built() -> ThroughputInput {
    let events = vec![
        ev("alice", t(2, 9, 0), "open_encounter", 1),
        ev("alice", t(2, 9, 10), "assign_code", 1),
        ev("alice", t(2, 9, 20), "mark_coded", 1),
        ev("alice", t(2, 9, 25), "open_encounter", 2),
        ev("alice", t(2, 9, 35), "mark_coded", 2),
        ev("bob", t(2, 10, 0), "open_encounter", 3),
        ev("bob", t(2, 10, 6), "mark_coded", 3),
        ev("sam", t(2, 11, 0), "reopen", 3),
        ev("alice", t(2, 13, 0), "open_encounter", 3),
        ev("alice", t(2, 13, 10), "mark_coded", 3),
        // The worklist refreshing itself is not work.
        ev("alice", t(2, 16, 0), "list_encounters", 0),
        ev("bob", t(3, 14, 0), "open_encounter", 4),
        ev("bob", t(3, 14, 12), "mark_coded", 4),
        ev("sam", t(3, 15, 0), "reopen", 4),
    ];
    ThroughputInput {
        coders: vec![
            ("alice".into(), "ip".into()),
            ("bob".into(), "ip".into()),
            ("carl".into(), "op".into()),
        ],
        events,
        enc_types: HashMap::from([
            (1, EncounterType::Inpatient),
            (2, EncounterType::Outpatient),
            (3, EncounterType::Emergency),
            (4, EncounterType::Inpatient),
        ]),
        only: None,
    }
}

#[test]
fn throughput_counts_final_codings_once_and_hours_from_sessions() {
    let std = StandardsConfig::default();
    let r = throughput::throughput(&hand_built(), &std, day(1), day(30));
    let logins: Vec<&str> = r.coders.iter().map(|c| c.login.as_str()).collect();
    assert_eq!(logins, ["alice", "bob", "carl"]);
    let alice = &r.coders[0];
    let bob = &r.coders[1];
    let carl = &r.coders[2];
    // Alice: 3 final codings; sessions 09:00-09:35(+5) = 40 min and 13:00-13:10(+5) = 15 min.
    assert_eq!(alice.coded, 3);
    assert!(close(alice.hours, 55.0 / 60.0), "{}", alice.hours);
    assert!(close(alice.per_hour.unwrap(), 3.0 / (55.0 / 60.0)));
    // Bob: his coding of 3 was reopened and recoded by alice, and 4 was reopened: 0 coded, but his
    // hours count (10:00-10:06 +5 = 11 min on Nov 2, 14:00-14:12 +5 = 17 min on Nov 3).
    assert_eq!(bob.coded, 0);
    assert!(close(bob.hours, 28.0 / 60.0), "{}", bob.hours);
    assert_eq!(bob.per_hour, Some(0.0));
    assert_eq!(bob.days.len(), 2);
    // Carl did nothing: listed with zeros, no rate.
    assert_eq!((carl.coded, carl.hours, carl.per_hour), (0, 0.0, None));
    assert_eq!(carl.team, "op");

    // Hours by type: alice's 55 minutes split by time in chart, IP 20 : OP 10 : ED 10.
    let ip = alice
        .by_type
        .iter()
        .find(|x| x.enc_type == EncounterType::Inpatient)
        .unwrap();
    assert!(close(ip.hours, 55.0 / 60.0 * 0.5));
    assert!(close(ip.per_hour.unwrap(), 1.0 / (55.0 / 120.0)));
    assert!(close(ip.of_standard.unwrap(), ip.per_hour.unwrap() / 3.0));
    let team_ip = r
        .by_type
        .iter()
        .find(|x| x.enc_type == EncounterType::Inpatient)
        .unwrap();
    assert_eq!(
        team_ip.coded, 1,
        "the reopened inpatient encounter 4 is not counted"
    );
    assert_eq!(r.coded, 3);

    // Daily: Nov 2 has the three codings; Nov 3 none; every day of the range is listed.
    assert_eq!(r.daily.len(), 30);
    assert_eq!(r.daily[1].date, day(2));
    assert_eq!(r.daily[1].coded, 3);
    assert_eq!(r.daily[2].coded, 0);

    // Time in chart: enc 1 20 min (20-40m), enc 2 10 min and enc 3 (alice's own open) 10 min.
    let tic: HashMap<&str, u32> = r
        .time_in_chart
        .iter()
        .map(|(l, n)| (l.as_str(), *n))
        .collect();
    assert_eq!(tic["10-20m"], 2);
    assert_eq!(tic["20-40m"], 1);
    assert_eq!(tic.values().sum::<u32>(), 3);
}

#[test]
fn throughput_range_and_scope_filters() {
    let std = StandardsConfig::default();
    // Only Nov 3: nobody coded (4 was reopened); bob worked 17 minutes.
    let r = throughput::throughput(&hand_built(), &std, day(3), day(3));
    assert_eq!(r.coded, 0);
    assert!(close(r.hours, 17.0 / 60.0), "{}", r.hours);
    // A coder's own view: only their row, and the totals are theirs.
    let mut input = hand_built();
    input.only = Some(vec!["bob".into()]);
    let r = throughput::throughput(&input, &std, day(1), day(30));
    assert_eq!(r.coders.len(), 1);
    assert_eq!(r.coders[0].login, "bob");
    assert_eq!(r.coded, 0);
    assert_eq!(r.time_in_chart.iter().map(|x| x.1).sum::<u32>(), 0);
}

fn row(
    id: i64,
    t: EncounterType,
    discharged: Option<&str>,
    status: EncounterStatus,
) -> EncounterRow {
    EncounterRow {
        id,
        account: format!("A{id}"),
        patient_id: 1,
        mrn: "M1".into(),
        patient_name: "Doe, Jane".into(),
        birth_date: "1950-01-01".into(),
        sex: Sex::Female,
        enc_type: t,
        admit_date: "2026-10-01".into(),
        discharge_date: discharged.map(String::from),
        attending: String::new(),
        total_charges_cents: id * 100,
        status,
        pending_reason: None,
        claimed_by: None,
        claimed_at: None,
        coded_by: None,
        coded_at: None,
        code_count: 0,
    }
}

#[test]
fn backlog_buckets_types_reasons_and_oldest() {
    use EncounterStatus::*;
    use EncounterType::*;
    let as_of = day(20);
    let mut rows = vec![
        row(1, Inpatient, Some("2026-11-20"), Uncoded), // 0 days
        row(2, Inpatient, Some("2026-11-17"), InProgress), // 3
        row(3, Outpatient, Some("2026-11-16"), Uncoded), // 4
        row(4, Outpatient, Some("2026-11-13"), Hold),   // 7, missing documentation
        row(5, Emergency, Some("2026-11-12"), Hold),    // 8, query (reason text)
        row(6, Emergency, Some("2026-11-06"), Uncoded), // 14, open query
        row(7, Inpatient, Some("2026-11-05"), Hold),    // 15, other hold
        row(8, Observation, Some("2026-10-01"), Uncoded), // 50
        row(9, Inpatient, Some("2026-10-01"), Coded),   // coded: not backlog
        row(10, Inpatient, None, Uncoded),              // not discharged
        row(11, Inpatient, Some("2026-11-21"), Uncoded), // discharged after as_of
    ];
    rows[3].pending_reason = Some("missing documentation".into());
    rows[4].pending_reason = Some("awaiting query answer".into());
    rows[6].pending_reason = Some("billing hold".into());
    let open_queries = HashSet::from([6]);
    let b = backlog::backlog(&rows, as_of, &open_queries, 3);
    assert_eq!(b.total.counts, [2, 2, 2, 2]);
    assert_eq!(b.total.charges_cents, [300, 700, 1100, 1500]);
    assert_eq!(b.total.count(), 8);
    let by_type: HashMap<EncounterType, u32> =
        b.by_type.iter().map(|(t, c)| (*t, c.count())).collect();
    assert_eq!(by_type[&Inpatient], 3);
    assert_eq!(by_type[&Outpatient], 2);
    assert_eq!(by_type[&Emergency], 2);
    assert_eq!(by_type[&Observation], 1);
    assert_eq!(by_type[&Professional], 0);
    let by_reason: HashMap<PendingReason, [u32; 4]> =
        b.by_reason.iter().map(|(r, c)| (*r, c.counts)).collect();
    assert_eq!(by_reason[&PendingReason::Ready], [2, 1, 0, 1]);
    assert_eq!(
        by_reason[&PendingReason::MissingDocumentation],
        [0, 1, 0, 0]
    );
    assert_eq!(by_reason[&PendingReason::Query], [0, 0, 2, 0]);
    assert_eq!(by_reason[&PendingReason::OtherHold], [0, 0, 0, 1]);
    // Oldest first, limited.
    let oldest: Vec<(&str, i64)> = b
        .oldest
        .iter()
        .map(|i| (i.account.as_str(), i.age_days))
        .collect();
    assert_eq!(oldest, [("A8", 50), ("A7", 15), ("A6", 14)]);
    assert_eq!(backlog::age_bucket(3), 0);
    assert_eq!(backlog::age_bucket(4), 1);
    assert_eq!(backlog::age_bucket(15), 3);
    assert_eq!(backlog::dollars(123_456_789), "$1,234,567.89");
}

fn cm(code: &str, seq: i64, poa: Option<Poa>) -> ReviewCode {
    ReviewCode {
        system: CodeSystem::Icd10Cm,
        code: code.into(),
        seq,
        poa,
    }
}

#[test]
fn accuracy_code_over_code() {
    let y = Some(Poa::Yes);
    let coder = vec![
        cm("I50.23", 1, y),
        cm("I10", 2, y),
        cm("E11.9", 3, y),
        cm("J18.9", 4, y),
    ];
    // Same codes: no errors.
    let same = accuracy::compare(&coder, &coder);
    assert_eq!((same.errors, same.codes), (0, 4));
    assert!(close(same.accuracy(), 1.0));

    // Reviewer: principal J18.9 instead of I50.23 (2 errors), I50.23 dropped with it, E11.9 changed
    // to E11.65 (same category: 1), I10 POA N (1), N17.9 added (1), and nothing else.
    let reviewer = vec![
        cm("J18.9", 1, y),
        cm("I10", 2, Some(Poa::No)),
        cm("E11.65", 3, y),
        cm("N17.9", 4, y),
    ];
    let c = accuracy::compare(&coder, &reviewer);
    let kinds: Vec<FindingKind> = c.findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FindingKind::PrincipalChanged,
            FindingKind::Changed,
            FindingKind::Added,
            FindingKind::Poa
        ]
    );
    assert_eq!(c.errors, 5);
    assert_eq!(c.codes, 4);
    assert!(close(c.accuracy(), 0.0), "clamped at 0");

    // A deleted secondary code: one error in four.
    let c = accuracy::compare(&coder, &coder[..3]);
    assert_eq!((c.errors, c.codes), (1, 4));
    assert_eq!(c.findings[0].kind, FindingKind::Deleted);
    assert!(close(c.accuracy(), 0.75));

    // Aggregation: sums of errors over sums of codes, per coder, per team, overall; a coder without
    // reviews has no accuracy.
    let done = [
        DoneReview {
            coder: "alice".into(),
            team: "ip".into(),
            errors: 1,
            codes: 4,
            principal_changed: false,
        },
        DoneReview {
            coder: "alice".into(),
            team: "ip".into(),
            errors: 2,
            codes: 6,
            principal_changed: true,
        },
        DoneReview {
            coder: "bob".into(),
            team: "op".into(),
            errors: 0,
            codes: 10,
            principal_changed: false,
        },
    ];
    let coders = [
        ("alice".to_string(), "ip".to_string()),
        ("bob".to_string(), "op".to_string()),
        ("carl".to_string(), "op".to_string()),
    ];
    let r = accuracy::aggregate(&coders, &done, 1);
    assert!(close(r.coders[0].accuracy.unwrap(), 0.7));
    assert_eq!(r.coders[0].principal_changes, 1);
    assert!(close(r.coders[1].accuracy.unwrap(), 1.0));
    assert_eq!(r.coders[2].accuracy, None);
    assert_eq!(r.teams.len(), 2);
    assert!(close(r.overall.accuracy.unwrap(), 1.0 - 3.0 / 20.0));
    assert_eq!(r.pending_reviews, 1);
}

#[test]
fn sampling_is_seeded_capped_per_coder_and_rule_based() {
    let cands: Vec<Candidate> = (1..=20)
        .map(|i| Candidate {
            encounter_id: i,
            coder: if i <= 12 { "alice" } else { "bob" }.into(),
            enc_type: if i % 2 == 0 {
                EncounterType::Inpatient
            } else {
                EncounterType::Outpatient
            },
            principal: Some(if i % 5 == 0 { "A41.9" } else { "I10" }.into()),
        })
        .collect();
    let rule = SampleRule::Random {
        per_coder: 5,
        seed: 7,
    };
    let a = accuracy::sample(&cands, &rule);
    assert_eq!(a, accuracy::sample(&cands, &rule), "same seed, same sample");
    assert_eq!(a.iter().filter(|i| **i <= 12).count(), 5);
    assert_eq!(a.iter().filter(|i| **i > 12).count(), 5);
    let other = accuracy::sample(
        &cands,
        &SampleRule::Random {
            per_coder: 5,
            seed: 8,
        },
    );
    assert_ne!(a, other, "another week, another sample");
    let few = accuracy::sample(
        &cands,
        &SampleRule::Random {
            per_coder: 50,
            seed: 1,
        },
    );
    assert_eq!(few.len(), 20, "never more than there are");
    assert_eq!(
        accuracy::sample(&cands, &SampleRule::PrincipalPrefix("a41".into())),
        [5, 10, 15, 20]
    );
    assert_eq!(
        accuracy::sample(&cands, &SampleRule::EncounterType(EncounterType::Inpatient)).len(),
        10
    );
}

/// Alice codes A200 (outpatient) through the service; returns its id.
fn alice_codes_a200(data: &chartdesk::service::DataDir) -> i64 {
    let mut alice = open_as(data, ALICE);
    let enc = alice.open_encounter("A200").unwrap().encounter.id;
    alice.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
    alice.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap();
    alice.mark_coded(enc).unwrap();
    enc
}

fn service_error(e: &anyhow::Error) -> &ServiceError {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .expect("a service error")
}

#[test]
fn service_reports_scope_by_role_and_audit_each_view() {
    let (_t, data) = fixture();
    let enc = alice_codes_a200(&data);
    let today = Utc::now().date_naive();
    let std = StandardsConfig::default();

    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let r = sam.report_throughput(today, today, None, &std).unwrap();
    let alice = r.coders.iter().find(|c| c.login == ALICE).unwrap();
    assert_eq!(alice.coded, 1);
    assert!(r.coders.iter().any(|c| c.login == BOB && c.coded == 0));

    // A coder sees only their own figures, whatever team they ask for.
    let mut bob = open_as(&data, BOB);
    let r = bob
        .report_throughput(today, today, Some("anything"), &std)
        .unwrap();
    assert_eq!(r.coders.len(), 1);
    assert_eq!(r.coders[0].login, BOB);
    assert_eq!(r.coded, 0);

    // Teams narrow a supervisor's view.
    let mut admin = open_as(&data, ADMIN);
    admin.set_team(ALICE, "north").unwrap();
    let r = sam
        .report_throughput(today, today, Some("north"), &std)
        .unwrap();
    let logins: Vec<&str> = r.coders.iter().map(|c| c.login.as_str()).collect();
    assert_eq!(logins, [ALICE]);
    assert_eq!(r.coders[0].team, "north");
    assert_eq!(sam.teams().unwrap(), ["north"]);

    // Backlog: the two other fixture encounters (discharged 2026-11-04) are waiting.
    let b = sam.report_backlog(day(10)).unwrap();
    assert_eq!(b.total.count(), 2);
    assert_eq!(b.total.counts, [0, 2, 0, 0]);
    assert!(b.oldest.iter().all(|i| i.encounter_id != enc));

    let views: i64 = sam
        .connection()
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'view_report'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(views, 4);
}

#[test]
fn second_level_review_sample_record_and_findings_for_the_coder_only() {
    let (_t, data) = fixture();
    let enc = alice_codes_a200(&data);
    let today = Utc::now().date_naive();

    // Coders may not sample or record.
    let mut alice = open_as(&data, ALICE);
    let rule = SampleRule::Random {
        per_coder: 5,
        seed: 1,
    };
    let err = alice.sample_reviews(&rule, today).unwrap_err();
    assert!(matches!(
        service_error(&err),
        ServiceError::Forbidden { .. }
    ));

    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let ids = sam.sample_reviews(&rule, today).unwrap();
    assert_eq!(ids.len(), 1);
    assert!(
        sam.sample_reviews(&rule, today).unwrap().is_empty(),
        "a coding is sampled once"
    );
    // The reviewer makes E11.9 the principal: a changed principal, two errors in two codes.
    let codes = parse_review_codes(&["E11.9".into(), "I10".into()]).unwrap();
    assert_eq!(codes[0].seq, 1);
    let bad = parse_review_codes(&["Q99.99".into()]).unwrap();
    assert!(sam.record_review(ids[0], &bad, "").is_err());
    let cmp = sam
        .record_review(ids[0], &codes, "principal is the diabetes")
        .unwrap();
    assert_eq!((cmp.errors, cmp.codes), (2, 2));

    // Alice sees the finding about her coding; Bob does not.
    let d = alice.review_detail(ids[0]).unwrap();
    assert_eq!(d.review.encounter_id, enc);
    assert_eq!(d.review.findings, "principal is the diabetes");
    assert_eq!(d.comparison.unwrap().errors, 2);
    let mut bob = open_as(&data, BOB);
    assert!(bob.review_detail(ids[0]).is_err());
    assert!(bob.reviews(&Default::default()).unwrap().is_empty());
    assert_eq!(alice.reviews(&Default::default()).unwrap().len(), 1);

    // Accuracy: alice 0% (2 errors in 2 codes); bob has no reviews; bob sees only himself.
    let r = sam.report_accuracy(today, today, None).unwrap();
    let a = r.coders.iter().find(|c| c.who == ALICE).unwrap();
    assert_eq!((a.reviews, a.errors, a.codes), (1, 2, 2));
    assert_eq!(a.accuracy, Some(0.0));
    let r = bob.report_accuracy(today, today, None).unwrap();
    assert_eq!(r.coders.len(), 1);
    assert_eq!(r.coders[0].who, BOB);
    assert_eq!(r.overall.reviews, 0);

    let actions: Vec<String> = audit_actions(&sam, enc)
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    for want in ["sample_review", "record_review", "view_review"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
}

#[test]
fn a_reviewer_cannot_review_their_own_coding() {
    let (_t, data) = fixture();
    let mut admin = open_as(&data, ADMIN);
    let enc = admin.open_encounter("A300").unwrap().encounter.id;
    admin.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
    admin.mark_coded(enc).unwrap();
    let today = Utc::now().date_naive();
    let ids = admin
        .sample_reviews(&SampleRule::EncounterType(EncounterType::Emergency), today)
        .unwrap();
    assert_eq!(ids.len(), 1);
    let codes = parse_review_codes(&["I10".into()]).unwrap();
    let err = admin.record_review(ids[0], &codes, "").unwrap_err();
    assert!(format!("{err:#}").contains("your own coding"), "{err:#}");
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    assert_eq!(sam.record_review(ids[0], &codes, "").unwrap().errors, 0);
}

#[test]
fn migrations_add_teams_and_reviews_and_are_idempotent() {
    let mut conn = store::open_in_memory().unwrap();
    store::migrations::migrate(&mut conn).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, store::migrations::latest());
    conn.execute(
        "INSERT INTO users (login, role, created_at, team) VALUES ('x', 'coder', 'now', 'ip')",
        [],
    )
    .unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

fn cli(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_chartdesk"))
        .args(args)
        .env("CHARTDESK_DATA_DIR", data)
        .env_remove("CHARTDESK_CONFIG")
        .env("HOME", data.join("home"))
        .output()
        .unwrap()
}

#[test]
fn cli_report_formats() {
    // The OS login running the tests becomes the admin of a fresh data directory.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = cli(&data, &["init", "--demo", "--encounters", "12"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let o = cli(
        &data,
        &["report", "backlog", "--to", "2099-01-01", "--format", "csv"],
    );
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rd = csv::Reader::from_reader(out.as_bytes());
    let headers: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "group", "key", "0-3", "4-7", "8-14", "15+", "count", "charges"
        ]
    );
    let total = rd
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "total")
        .unwrap();
    assert_eq!(
        &total[6], "12",
        "all 12 demo encounters wait, all 15+ days old"
    );
    assert_eq!(&total[5], "12");

    let o = cli(&data, &["report", "throughput", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["coded"], 0);
    assert_eq!(v["daily"].as_array().unwrap().len(), 30);
    assert!(v["coders"].as_array().unwrap().len() >= 5, "{v}");

    let o = cli(&data, &["report", "accuracy"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success());
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("level") && first.contains("accuracy"),
        "{out}"
    );
    // Aligned: every row of the table is as wide as the header or narrower.
    assert!(out.lines().any(|l| l.starts_with("all")), "{out}");

    let o = cli(
        &data,
        &[
            "report",
            "throughput",
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "bad usage exits 2");
    assert!(String::from_utf8_lossy(&o.stderr).contains("swap them"));
    let o = cli(&data, &["report", "throughput", "--from", "yesterday"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("YYYY-MM-DD"));

    let o = cli(
        &data,
        &["user", "add", "nina", "--role", "coder", "--team", "night"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = cli(&data, &["user", "list", "--json"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.lines()
            .any(|l| l.contains("\"nina\"") && l.contains("\"team\":\"night\"")),
        "{out}"
    );
}

#[test]
fn backlog_counts_open_queries_as_pending_but_not_canceled_ones() {
    use chartdesk::domain::query::QueryType;
    let (_t, data) = fixture();
    let sam = open_as(&data, SAM_SUPERVISOR);
    let conn = sam.connection();
    let now = store::now();
    let mut ids = Vec::new();
    for account in ["A100", "A300"] {
        let (enc, _) = store::encounters::ids_by_account(conn, account)
            .unwrap()
            .unwrap();
        let q = store::queries::NewQuery {
            encounter_id: enc,
            query_type: QueryType::OpenEnded,
            purpose: None,
            provider: "Dr. Test",
            question: "Please clarify the type of heart failure.",
            template: None,
            created_by: CAROL_CDI,
            created_at: &now,
        };
        let id = store::queries::insert(conn, &q).unwrap();
        store::queries::mark_sent(conn, id, CAROL_CDI, &now, &now).unwrap();
        ids.push((enc, id));
    }
    // The query on A300 is canceled: A300 is ready to code again.
    store::queries::mark_canceled(conn, ids[1].1, CAROL_CDI, &now, "not needed").unwrap();
    drop(sam);
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let b = sam.report_backlog(day(10)).unwrap();
    let reason = |enc: i64| {
        b.oldest
            .iter()
            .find(|i| i.encounter_id == enc)
            .unwrap()
            .reason
    };
    assert_eq!(reason(ids[0].0), PendingReason::Query);
    assert_eq!(reason(ids[1].0), PendingReason::Ready);
}
