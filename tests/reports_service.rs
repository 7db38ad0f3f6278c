//! Supervisor reports through the service and the binary: role scoping and audit, the second-level
//! review workflow, open versus canceled queries in the backlog, the schema step, the CLI's output
//! formats, and the dashboard end to end in a pseudo-terminal.
mod common;
use chartdesk::config::StandardsConfig;
use chartdesk::domain::*;
use chartdesk::report::accuracy::SampleRule;
use chartdesk::report::backlog::PendingReason;
use chartdesk::service::{ServiceError, parse_review_codes};
use chartdesk::store;
use chartdesk::store::audit::AuditAction;
use chrono::{NaiveDate, Utc};
use common::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
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
    let header = parse_review_codes(&["I50".into()]).unwrap();
    let err = sam.record_review(ids[0], &header, "").unwrap_err();
    assert!(format!("{err:#}").contains("not billable"), "{err:#}");
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
    assert_eq!(v["time_in_chart"][0]["label"], "<10m");
    assert_eq!(v["time_in_chart"][0]["count"], 0);
    let o = cli(
        &data,
        &[
            "report",
            "backlog",
            "--to",
            "2099-01-01",
            "--format",
            "json",
        ],
    );
    let b: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let total: u64 = b["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["counts"][3].as_u64().unwrap())
        .sum();
    assert_eq!(total, 12, "{b}");
    assert_eq!(b["by_reason"][0]["key"], "ready");
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

#[test]
fn dashboard_end_to_end_in_a_terminal() {
    use common::pty::{Session, chartdesk};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // 100 encounters: the smallest demo that gets simulated history.
    chartdesk(&data, &["init", "--demo", "--encounters", "100"]);
    let mut s = Session::start(&data);
    s.wait_for("the worklist", |t| t.contains("Worklist"));
    s.send("D");
    let t = s.wait_for("the dashboard", |t| t.contains("Coded/hour by type"));
    assert!(t.contains("jlee") && t.contains("Daily coded"), "{t}");
    s.send("\t");
    let t = s.wait_for("the backlog page", |t| t.contains("Oldest (Enter opens)"));
    assert!(
        t.contains("100 encounters"),
        "the demo worklist stays uncoded: {t}"
    );
    s.send("\t");
    s.wait_for("the quality page", |t| {
        t.contains("Coding accuracy") && t.contains("overall") && t.contains("agreement")
    });
    s.send("\x1b");
    s.wait_for("the worklist again", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();
}

#[test]
fn a_coding_reopened_after_the_range_is_not_counted_in_it() {
    let (_t, data) = fixture();
    // Alice coded A200 on Nov 2; Sam reopened it on Nov 9 and nobody recoded it.
    let sam = open_as(&data, SAM_SUPERVISOR);
    let conn = sam.connection();
    let (enc, pid) = store::encounters::ids_by_account(conn, "A200")
        .unwrap()
        .unwrap();
    for (at, who, action) in [
        (
            "2026-11-02T09:00:00.000Z",
            ALICE,
            AuditAction::OpenEncounter,
        ),
        ("2026-11-02T09:10:00.000Z", ALICE, AuditAction::MarkCoded),
        (
            "2026-11-09T09:00:00.000Z",
            SAM_SUPERVISOR,
            AuditAction::Reopen,
        ),
        ("2026-11-02T10:00:00.000Z", BOB, AuditAction::OpenEncounter),
    ] {
        store::audit::record(
            conn,
            &store::audit::Entry {
                patient_id: Some(pid),
                encounter_id: Some(enc),
                object: "A200",
                ..store::audit::Entry::new(at, who, action)
            },
        )
        .unwrap();
    }
    drop(sam);
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let std = StandardsConfig::default();
    let r = sam.report_throughput(day(1), day(5), None, &std).unwrap();
    assert_eq!(r.coded, 0, "the reopen after the range undoes the coding");
    let alice = r.coders.iter().find(|c| c.login == ALICE).unwrap();
    assert!((alice.hours - 15.0 / 60.0).abs() < 1e-9, "{}", alice.hours);
}
