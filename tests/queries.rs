//! Documentation queries through the service: lifecycle, compliance on send, roles, encounter hold
//! and release, mark_coded refused while a query waits, code changes recorded against the answer,
//! sweeps, rendering and metrics.
mod common;
use chartdesk::config::QueriesConfig;
use chartdesk::domain::{
    CodeSystem, EncounterStatus, Note, Outcome, Poa, QueryStatus, QueryType, YesNoPurpose,
};
use chartdesk::service::{QueryDraftInput, QueryFilter, Service, ServiceError};
use chartdesk::store;
use chrono::{Duration, Utc};
use common::*;

const BODY: &str = "Dyspnea on exertion. BNP 1,250 pg/mL. Echo: LVEF 25%. \
                    IV furosemide 40 mg BID with good diuresis. CHF exacerbation.";

fn service_error(e: &anyhow::Error) -> &ServiceError {
    e.chain()
        .find_map(|c| c.downcast_ref::<ServiceError>())
        .unwrap_or_else(|| panic!("not a ServiceError: {e:#}"))
}

fn is_forbidden(e: &anyhow::Error) -> bool {
    matches!(service_error(e), ServiceError::Forbidden { .. })
}

/// The fixture plus a cardiology note on A100 with clinical indicators.
fn setup() -> (tempfile::TempDir, chartdesk::service::DataDir) {
    let (t, data) = fixture();
    let conn = store::open(&data.db_path()).unwrap();
    store::notes::insert(
        &conn,
        &Note {
            note_id: "CARD-1".into(),
            account: "A100".into(),
            note_type: "Cardiology Consult".into(),
            author: "Dr. Heart".into(),
            written_at: "2026-11-02T09:30:00Z".into(),
            body: BODY.into(),
        },
    )
    .unwrap();
    (t, data)
}

fn enc_id(svc: &Service, account: &str) -> i64 {
    svc.encounter_id(account).unwrap()
}

/// A compliant heart-failure query by carol on A100 with two indicators pinned; returns its id.
fn hf_draft(carol: &mut Service) -> i64 {
    let enc = enc_id(carol, "A100");
    let t = carol.query_template("heart_failure").unwrap();
    let id = carol
        .create_draft(enc, &QueryDraftInput::from_template(&t, ""))
        .unwrap();
    carol.pin_quote(id, "CARD-1", "BNP 1,250 pg/mL").unwrap();
    carol.pin_quote(id, "CARD-1", "LVEF 25%").unwrap();
    id
}

fn status(svc: &mut Service, id: i64) -> QueryStatus {
    svc.query_detail(id).unwrap().query.status
}

fn encounter(svc: &Service, account: &str) -> chartdesk::store::encounters::EncounterRow {
    svc.encounter_view(enc_id(svc, account)).unwrap().encounter
}

#[test]
fn compose_send_hold_answer_code_and_close() {
    let (_t, data) = setup();
    let mut alice = open_as(&data, ALICE);
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    let hf = alice.assign(enc, CodeSystem::Icd10Cm, "I50.9").unwrap();
    let mut carol = open_as(&data, CAROL_CDI);
    let id = hf_draft(&mut carol);

    let d = carol.query_detail(id).unwrap();
    assert_eq!(d.query.status, QueryStatus::Draft);
    assert_eq!(
        d.query.provider, "Dr. Test",
        "empty provider: the attending"
    );
    assert_eq!(d.query.template.as_deref(), Some("heart_failure"));
    assert!(d.options.iter().any(|o| o == "Clinically undetermined"));
    assert!(d.options.iter().any(|o| o == "Other, please specify"));
    assert_eq!(d.indicators.len(), 2);
    assert_eq!(d.indicators[0].quote, "BNP 1,250 pg/mL");
    assert_eq!(d.indicators[0].author, "Dr. Heart");
    assert_eq!(d.indicators[0].note_id, "CARD-1");
    assert!(d.look_for.iter().any(|l| l.contains("Ejection fraction")));
    assert_eq!(d.findings, vec![], "the template query is compliant");

    carol.send_query(id).unwrap();
    let e = encounter(&carol, "A100");
    assert_eq!(e.status, EncounterStatus::Hold);
    assert_eq!(e.pending_reason.as_deref(), Some("query"));
    assert_eq!(e.claimed_by.as_deref(), Some(ALICE), "the claim is kept");

    // The coder cannot complete the encounter while the query waits.
    alice.set_poa(enc, hf.id, Some(Poa::Yes)).unwrap();
    let err = alice.mark_coded(enc).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains(&format!("query {id}")), "{msg}");
    assert!(msg.contains("answered or canceled"), "{msg}");
    // A change before the answer is not caused by it.
    alice.assign(enc, CodeSystem::Icd10Cm, "E11.9").unwrap();

    carol
        .record_answer(
            id,
            Outcome::Agreed,
            "Acute on chronic systolic (congestive) heart failure",
        )
        .unwrap();
    let e = encounter(&carol, "A100");
    assert_eq!(
        e.status,
        EncounterStatus::InProgress,
        "claimed: back to in progress"
    );
    assert_eq!(e.pending_reason, None);

    // The coder changes codes because of the answer, then completes.
    let new = alice.assign(enc, CodeSystem::Icd10Cm, "I50.23").unwrap();
    alice.set_poa(enc, new.id, Some(Poa::Yes)).unwrap();
    let i10 = alice.encounter_view(enc).unwrap().assignments;
    for a in i10.iter().filter(|a| a.poa.is_none()) {
        alice.set_poa(enc, a.id, Some(Poa::Yes)).unwrap();
    }
    alice.remove_assignment(enc, hf.id).unwrap();
    // The answered diagnosis is the principal (E11.9 as principal is an MCE questionable admission).
    alice.set_principal(enc, new.id).unwrap();
    alice.mark_coded(enc).unwrap();

    carol.close_query(id).unwrap();
    let d = carol.query_detail(id).unwrap();
    assert_eq!(d.query.status, QueryStatus::Closed);
    assert_eq!(d.query.outcome, Some(Outcome::Agreed));
    assert_eq!(d.query.answered_by.as_deref(), Some(CAROL_CDI));
    let changes: Vec<(String, String)> = d
        .code_changes
        .iter()
        .map(|c| (c.code.clone(), c.action.clone()))
        .collect();
    assert!(
        changes.contains(&("I50.23".into(), "assign".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("I50.9".into(), "remove".into())),
        "{changes:?}"
    );
    assert!(
        !changes.iter().any(|(c, a)| c == "E11.9" && a == "assign"),
        "E11.9 was assigned before the answer: {changes:?}"
    );
    let events: Vec<&str> = d.events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        events,
        ["create", "edit", "edit", "send", "answer", "close"]
    );
    assert!(
        d.events
            .iter()
            .all(|e| !e.at.is_empty() && !e.login.is_empty())
    );

    let actions: Vec<String> = audit_actions(&carol, enc)
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    for want in [
        "query_create",
        "query_edit",
        "query_send",
        "query_answer",
        "query_close",
        "view_query",
        "mark_coded",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "no audit row {want}: {actions:?}"
        );
    }
}

#[test]
fn sending_is_refused_while_compliance_errors_remain() {
    let (_t, data) = setup();
    let mut carol = open_as(&data, CAROL_CDI);
    let enc = enc_id(&carol, "A100");
    let mut d = QueryDraftInput::new(
        QueryType::MultipleChoice,
        "Dr. Test",
        "Please document acute systolic heart failure; it raises the DRG.",
    );
    d.options = vec![
        "Acute systolic heart failure".into(),
        "Chronic systolic heart failure".into(),
    ];
    let id = carol.create_draft(enc, &d).unwrap();
    let f = carol.query_compliance(id).unwrap();
    let rules: Vec<&str> = f.iter().map(|f| f.rule).collect();
    assert!(
        rules.contains(&"leading") && rules.contains(&"reimbursement"),
        "{rules:?}"
    );
    assert!(rules.contains(&"no_indicators"), "{rules:?}");
    let err = carol.send_query(id).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("cannot be sent") && msg.contains("DRG"),
        "{msg}"
    );
    assert_eq!(status(&mut carol, id), QueryStatus::Draft);
    assert_eq!(encounter(&carol, "A100").status, EncounterStatus::Uncoded);

    // Fixed: compliant wording and an indicator.
    d.question =
        "Based on your clinical judgment, can the type of heart failure be specified?".into();
    carol.update_draft(id, &d).unwrap();
    carol.pin_quote(id, "CARD-1", "lvef 25%").unwrap();
    assert_eq!(carol.query_compliance(id).unwrap(), vec![]);
    carol.send_query(id).unwrap();
    assert_eq!(status(&mut carol, id), QueryStatus::Open);
}

#[test]
fn every_transition_through_the_service() {
    let (_t, data) = setup();
    let mut carol = open_as(&data, CAROL_CDI);
    carol.set_query_config(QueriesConfig {
        escalate_after_hours: 24,
        physician_advisor: "Dr. Advisor".into(),
        no_response_close_days: 5,
    });
    let illegal = |r: anyhow::Result<()>, want: &str| {
        let err = r.unwrap_err();
        assert!(
            matches!(service_error(&err), ServiceError::Invalid(_)),
            "{err:#}"
        );
        let msg = format!("{err:#}");
        assert!(msg.contains(want), "{msg} lacks {want}");
    };

    // Draft: answer, close are illegal; cancel is legal.
    let a = hf_draft(&mut carol);
    illegal(
        carol.record_answer(a, Outcome::Agreed, "x"),
        "cannot answer a query that is draft",
    );
    illegal(
        carol.close_query(a),
        "from draft it can only: edit, send, cancel",
    );
    carol.cancel_query(a, "duplicate of another query").unwrap();
    assert_eq!(status(&mut carol, a), QueryStatus::Canceled);
    illegal(carol.send_query(a), "nothing more can be done");
    illegal(
        carol.pin_quote(a, "CARD-1", "BNP").map(|_| ()),
        "cannot edit",
    );

    // Open: send again, close, edit are illegal; escalate by the sweep, then answer, then close.
    let b = hf_draft(&mut carol);
    carol.send_query(b).unwrap();
    illegal(carol.send_query(b), "cannot send a query that is open");
    illegal(carol.close_query(b), "cannot close");
    illegal(
        carol.pin_quote(b, "CARD-1", "BNP").map(|_| ()),
        "cannot edit",
    );
    assert_eq!(
        carol
            .escalate_overdue(Utc::now() + Duration::hours(23))
            .unwrap(),
        0
    );
    assert_eq!(
        carol
            .escalate_overdue(Utc::now() + Duration::hours(25))
            .unwrap(),
        1
    );
    let d = carol.query_detail(b).unwrap();
    assert_eq!(d.query.status, QueryStatus::Escalated);
    assert_eq!(d.query.escalated_to.as_deref(), Some("Dr. Advisor"));
    assert_eq!(encounter(&carol, "A100").status, EncounterStatus::Hold);
    illegal(
        carol.record_answer(b, Outcome::NoResponse, "x"),
        "not an answer",
    );
    carol
        .record_answer(b, Outcome::Disagreed, "Heart failure not present")
        .unwrap();
    assert_eq!(
        encounter(&carol, "A100").status,
        EncounterStatus::Uncoded,
        "unclaimed"
    );
    illegal(
        carol.cancel_query(b, "late"),
        "from answered it can only: close",
    );
    carol.close_query(b).unwrap();
    illegal(carol.close_query(b), "nothing more can be done");

    // Open, then canceled: the hold is released.
    let c = hf_draft(&mut carol);
    carol.send_query(c).unwrap();
    assert_eq!(encounter(&carol, "A100").status, EncounterStatus::Hold);
    illegal(carol.cancel_query(c, "   "), "say why");
    carol
        .cancel_query(c, "documentation amended by the provider")
        .unwrap();
    assert_eq!(encounter(&carol, "A100").status, EncounterStatus::Uncoded);
    let d = carol.query_detail(c).unwrap();
    assert_eq!(
        d.query.cancel_reason.as_deref(),
        Some("documentation amended by the provider")
    );

    // Two queries wait: answering one keeps the hold, closing the other without response ends it.
    let e1 = hf_draft(&mut carol);
    let e2 = hf_draft(&mut carol);
    carol.send_query(e1).unwrap();
    carol.send_query(e2).unwrap();
    carol
        .record_answer(e1, Outcome::ClinicallyUndetermined, "Unable to determine")
        .unwrap();
    assert_eq!(encounter(&carol, "A100").status, EncounterStatus::Hold);
    assert_eq!(
        carol
            .close_no_response(Utc::now() + Duration::days(4))
            .unwrap(),
        0
    );
    // The list runs the sweeps only at the real time: nothing is due yet.
    assert_eq!(carol.sweep_queries().unwrap(), (0, 0));
    assert_eq!(
        carol
            .close_no_response(Utc::now() + Duration::days(6))
            .unwrap(),
        1
    );
    let d = carol.query_detail(e2).unwrap();
    assert_eq!(d.query.status, QueryStatus::Closed);
    assert_eq!(d.query.outcome, Some(Outcome::NoResponse));
    assert_eq!(encounter(&carol, "A100").status, EncounterStatus::Uncoded);
    illegal(
        carol.record_answer(e2, Outcome::Agreed, "late answer"),
        "nothing more can be done",
    );
    let actions: Vec<String> = audit_actions(&carol, enc_id(&carol, "A100"))
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    for want in ["query_escalate", "query_close_no_response", "query_cancel"] {
        assert!(actions.iter().any(|a| a == want), "no {want}: {actions:?}");
    }
    let d = carol.query_detail(b).unwrap();
    let esc = d.events.iter().find(|e| e.event == "escalate").unwrap();
    assert_eq!(esc.from_status.as_deref(), Some("open"));
    assert_eq!(esc.to_status, "escalated");
    assert!(esc.detail.contains("Dr. Advisor"), "{esc:?}");
}

#[test]
fn roles_decide_who_sees_and_acts() {
    let (_t, data) = setup();
    let mut alice = open_as(&data, ALICE);
    alice.open_encounter("A100").unwrap();
    let mut carol = open_as(&data, CAROL_CDI);
    let id = hf_draft(&mut carol);
    carol.send_query(id).unwrap();

    // Bob neither holds nor coded A100 and did not write the query.
    let mut bob = open_as(&data, BOB);
    let err = bob.query_detail(id).unwrap_err();
    assert!(is_forbidden(&err), "{err:#}");
    assert_eq!(service_error(&err).exit_code(), 2);
    assert!(
        bob.list_queries(&QueryFilter::default())
            .unwrap()
            .is_empty()
    );
    assert!(is_forbidden(
        &bob.record_answer(id, Outcome::Agreed, "x").unwrap_err()
    ));
    assert!(is_forbidden(&bob.render_query(id, false).unwrap_err()));

    // Alice holds A100: she sees the query but may not answer one she did not write.
    let rows = alice.list_queries(&QueryFilter::default()).unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert!(alice.query_detail(id).is_ok());
    assert!(is_forbidden(
        &alice.cancel_query(id, "mine now").unwrap_err()
    ));

    // A coder may write queries, and act on their own.
    let enc = enc_id(&bob, "A200");
    let mut d = QueryDraftInput::new(
        QueryType::OpenEnded,
        "Dr. Test",
        "Can the cause be clarified?",
    );
    d.options.clear();
    let own = bob.create_draft(enc, &d).unwrap();
    assert_eq!(bob.list_queries(&QueryFilter::default()).unwrap().len(), 1);
    bob.cancel_query(own, "not needed").unwrap();

    // Templates: coders read, CDI edit.
    let mut t = bob.query_template("sepsis").unwrap();
    t.title = "Sepsis (edited)".into();
    assert!(is_forbidden(&bob.save_query_template(&t).unwrap_err()));
    assert!(!carol.save_query_template(&t).unwrap());
    assert_eq!(
        carol.query_template("sepsis").unwrap().title,
        "Sepsis (edited)"
    );
    t.question = "Please document sepsis.".into();
    let err = carol.save_query_template(&t).unwrap_err();
    assert!(format!("{err:#}").contains("not compliant"), "{err:#}");
    assert!(format!("{:#}", carol.query_template("nope").unwrap_err()).contains("heart_failure"));

    // Everyone in the queue: CDI and supervisors see all; metrics are for supervisors.
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    assert_eq!(
        carol.list_queries(&QueryFilter::default()).unwrap().len(),
        2
    );
    assert_eq!(sam.list_queries(&QueryFilter::default()).unwrap().len(), 2);
    let mine = QueryFilter {
        mine: true,
        ..Default::default()
    };
    assert_eq!(carol.list_queries(&mine).unwrap().len(), 1);
    let (from, to) = (
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::days(1),
    );
    assert!(is_forbidden(&carol.query_metrics(from, to).unwrap_err()));
    assert!(is_forbidden(&alice.query_metrics(from, to).unwrap_err()));
    assert!(sam.query_metrics(from, to).is_ok());
}

#[test]
fn pinning_checks_the_selection() {
    let (_t, data) = setup();
    let mut carol = open_as(&data, CAROL_CDI);
    let enc = enc_id(&carol, "A100");
    let id = carol
        .create_draft(enc, &QueryDraftInput::new(QueryType::OpenEnded, "", "Q?"))
        .unwrap();
    let note = carol
        .encounter_view(enc)
        .unwrap()
        .notes
        .iter()
        .find(|n| n.note_id == "CARD-1")
        .unwrap()
        .id;
    let len = BODY.chars().count() as i64;
    for (s, e) in [(-1, 3), (5, 5), (6, 2), (0, len + 1)] {
        let err = carol.pin_indicator(id, note, s, e).unwrap_err();
        assert!(
            format!("{err:#}").contains("not a selection"),
            "{s}..{e}: {err:#}"
        );
    }
    let ind = carol.pin_indicator(id, note, 0, 8).unwrap();
    assert_eq!(ind.quote, "Dyspnea ");
    assert_eq!((ind.start, ind.end), (0, 8));
    // The same text twice is refused; an overlapping but different selection is not.
    let err = carol.pin_indicator(id, note, 0, 8).unwrap_err();
    assert!(format!("{err:#}").contains("already pinned"), "{err:#}");
    let wider = carol.pin_indicator(id, note, 0, 9).unwrap();
    carol.unpin_indicator(id, wider.id).unwrap();
    // A note of another encounter.
    let other = carol.encounter_view(enc_id(&carol, "A200")).unwrap().notes[0].id;
    let err = carol.pin_indicator(id, other, 0, 4).unwrap_err();
    assert!(format!("{err:#}").contains("another encounter"), "{err:#}");
    let err = carol.pin_quote(id, "CARD-1", "troponin").unwrap_err();
    assert!(format!("{err:#}").contains("does not contain"), "{err:#}");
    let err = carol.pin_quote(id, "NOPE", "BNP").unwrap_err();
    assert!(
        format!("{err:#}").contains("CARD-1"),
        "names the notes: {err:#}"
    );
    carol.unpin_indicator(id, ind.id).unwrap();
    assert!(carol.query_detail(id).unwrap().indicators.is_empty());
    assert!(carol.unpin_indicator(id, ind.id).is_err());
}

#[test]
fn the_query_as_it_goes_to_the_provider() {
    let (_t, data) = setup();
    let mut carol = open_as(&data, CAROL_CDI);
    let id = hf_draft(&mut carol);
    carol.send_query(id).unwrap();
    let text = carol.render_query(id, false).unwrap();
    for want in [
        "DOCUMENTATION QUERY",
        "Dr. Test",
        "Doe, Jane",
        "MRN0000001",
        "A100",
        "\"BNP 1,250 pg/mL\"",
        "Cardiology Consult, Dr. Heart 2026-11-02 09:30 UTC, CARD-1",
        "[ ] Acute on chronic systolic (congestive) heart failure",
        "[ ] Clinically undetermined",
        "[ ] Other, please specify: ___",
    ] {
        assert!(text.contains(want), "no {want:?} in\n{text}");
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("can the type and acuity of the heart failure be further specified?"),
        "{text}"
    );
    assert!(
        text.lines().all(|l| l.chars().count() <= 78),
        "plain text is wrapped:\n{text}"
    );
    assert_eq!(
        chartdesk::domain::query_compliance::mentions_payment(&text),
        None,
        "{text}"
    );
    let md = carol.render_query(id, true).unwrap();
    assert!(
        md.starts_with(&format!("# Documentation query {id}")),
        "{md}"
    );
    assert!(
        md.contains("- [ ] Chronic systolic (congestive) heart failure"),
        "{md}"
    );
    assert!(md.contains("> BNP 1,250 pg/mL"), "{md}");
    carol
        .record_answer(id, Outcome::Agreed, "Chronic systolic heart failure")
        .unwrap();
    let text = carol.render_query(id, false).unwrap();
    assert!(text.contains("Outcome: agreed (entered by carol"), "{text}");

    // Yes/no for POA shows yes, no and undetermined.
    let enc = enc_id(&carol, "A100");
    let t = carol.query_template("poa").unwrap();
    let mut d = QueryDraftInput::from_template(&t, "Dr. Test");
    d.question =
        "Heart failure is documented (CHF exacerbation, cardiology consult). Was the heart \
                  failure present at the time of inpatient admission?"
            .into();
    assert_eq!(d.purpose, Some(YesNoPurpose::Poa));
    let q = carol.create_draft(enc, &d).unwrap();
    carol.pin_quote(q, "CARD-1", "CHF exacerbation").unwrap();
    assert_eq!(carol.query_compliance(q).unwrap(), vec![]);
    let text = carol.render_query(q, false).unwrap();
    assert!(
        text.contains("[ ] Yes\n[ ] No\n[ ] Clinically undetermined"),
        "{text}"
    );
}

#[test]
fn metrics_over_the_service() {
    let (_t, data) = setup();
    let mut alice = open_as(&data, ALICE);
    alice.open_encounter("A100").unwrap();
    alice.open_encounter("A200").unwrap();
    let mut carol = open_as(&data, CAROL_CDI);
    carol.open_encounter("A300").unwrap();
    let a = hf_draft(&mut carol);
    let b = hf_draft(&mut carol);
    let never_sent = hf_draft(&mut carol);
    carol.send_query(a).unwrap();
    carol.send_query(b).unwrap();
    carol
        .record_answer(a, Outcome::Agreed, "Acute systolic")
        .unwrap();
    carol.cancel_query(b, "provider amended the note").unwrap();
    let _ = never_sent;
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    sam.open_encounter("A300").unwrap(); // supervisors' opens are not reviews
    let m = sam
        .query_metrics(
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
        )
        .unwrap();
    let o = &m.overall;
    assert_eq!((o.reviewed, o.sent, o.canceled, o.answered), (3, 2, 1, 1));
    assert_eq!(o.query_rate, Some(2.0 / 3.0));
    assert_eq!((o.response_rate, o.agreement_rate), (Some(1.0), Some(1.0)));
    assert!(
        o.median_turnaround_hours
            .is_some_and(|h| (0.0..0.1).contains(&h))
    );
    let carol_row = m.by_specialist.iter().find(|f| f.key == CAROL_CDI).unwrap();
    assert_eq!((carol_row.sent, carol_row.reviewed), (2, 1));
    let alice_row = m.by_specialist.iter().find(|f| f.key == ALICE).unwrap();
    assert_eq!(
        (alice_row.sent, alice_row.reviewed, alice_row.query_rate),
        (0, 2, Some(0.0))
    );
    assert_eq!(m.by_provider.len(), 1);
    assert_eq!(m.by_month.len(), 1);
}

#[test]
fn list_filters() {
    let (_t, data) = setup();
    let mut carol = open_as(&data, CAROL_CDI);
    let a = hf_draft(&mut carol);
    let b = hf_draft(&mut carol);
    carol.send_query(b).unwrap();
    let only = |s: QueryStatus| QueryFilter {
        statuses: vec![s],
        ..Default::default()
    };
    let ids = |rows: Vec<chartdesk::store::queries::QueryRow>| -> Vec<i64> {
        rows.into_iter().map(|r| r.id).collect()
    };
    assert_eq!(
        ids(carol.list_queries(&only(QueryStatus::Draft)).unwrap()),
        [a]
    );
    assert_eq!(
        ids(carol.list_queries(&only(QueryStatus::Open)).unwrap()),
        [b]
    );
    let by_provider = QueryFilter {
        provider: Some("dr. test".into()),
        ..Default::default()
    };
    assert_eq!(carol.list_queries(&by_provider).unwrap().len(), 2);
    let old = QueryFilter {
        older_than_hours: Some(1),
        ..Default::default()
    };
    assert!(carol.list_queries(&old).unwrap().is_empty());
    let other_enc = QueryFilter {
        encounter_id: Some(enc_id(&carol, "A200")),
        ..Default::default()
    };
    assert!(carol.list_queries(&other_enc).unwrap().is_empty());
}

#[test]
fn every_seeded_template_is_compliant_once_an_indicator_is_pinned() {
    let (_t, data) = setup();
    let mut carol = open_as(&data, CAROL_CDI);
    let enc = enc_id(&carol, "A100");
    let templates = carol.query_templates().unwrap();
    assert_eq!(templates.len(), 8);
    for t in templates {
        assert!(!t.look_for.is_empty(), "{}", t.name);
        let id = carol
            .create_draft(enc, &QueryDraftInput::from_template(&t, ""))
            .unwrap();
        carol.pin_quote(id, "CARD-1", "CHF exacerbation").unwrap();
        let errors: Vec<_> = carol
            .query_compliance(id)
            .unwrap()
            .into_iter()
            .filter(|f| f.severity == chartdesk::domain::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", t.name);
        let text = carol.render_query(id, false).unwrap();
        assert_eq!(
            chartdesk::domain::query_compliance::mentions_payment(&text),
            None,
            "{}",
            t.name
        );
    }
}
