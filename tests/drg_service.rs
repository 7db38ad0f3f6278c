//! MS-DRG through the service: the working DRG regrouped on every change, what-if without
//! assigning, principal alternatives, discharge status, the final DRG stored at coding and cleared
//! on reopen, a query's DRG before and after, and the case-mix report.
mod common;
use chartdesk::domain::{CodeSystem, Note, Outcome, Poa};
use chartdesk::service::{QueryDraftInput, Service};
use chartdesk::store;
use common::*;

fn code(svc: &mut Service, enc: i64, c: &str) -> i64 {
    let a = svc.assign(enc, CodeSystem::Icd10Cm, c).unwrap();
    svc.set_poa(enc, a.id, Some(Poa::Yes)).unwrap();
    a.id
}

fn acknowledge_warnings(svc: &mut Service, enc: i64) {
    for e in svc.encounter_edits(enc).unwrap() {
        if e.acknowledged_by.is_none() && e.edit.severity == chartdesk::edits::Severity::Warning {
            svc.acknowledge_edit(enc, e.edit.rule, &e.edit.codes)
                .unwrap();
        }
    }
}

#[test]
fn working_drg_what_if_query_before_after_final_and_report() {
    let (_t, data) = fixture();
    let conn = store::open(&data.db_path()).unwrap();
    store::notes::insert(
        &conn,
        &Note {
            note_id: "CARD-1".into(),
            account: "A100".into(),
            note_type: "Cardiology Consult".into(),
            author: "Dr. Heart".into(),
            written_at: "2026-11-02T09:30:00Z".into(),
            body: "BNP 1,250 pg/mL. Echo: LVEF 25%. IV furosemide with good diuresis.".into(),
        },
    )
    .unwrap();
    let mut alice = open_as(&data, ALICE);
    let enc = alice.open_encounter("A100").unwrap().encounter.id;
    // No diagnosis yet, and outpatients have no MS-DRG.
    assert!(alice.working_drg("A100").unwrap().is_none());
    assert!(alice.working_drg("A200").unwrap().is_none());

    code(&mut alice, enc, "J18.9");
    code(&mut alice, enc, "E11.9");
    let v = alice.working_drg("A100").unwrap().unwrap();
    assert_eq!(v.grouping.drg, 195, "{:?}", v.grouping.path);
    assert_eq!(v.claim.pdx, "J18.9");
    assert!(v.status_assumed && v.claim.discharge_status == "01");
    assert!(v.stored.is_none());
    assert_eq!(alice.working_drg_for(enc).unwrap(), Some(v.clone()));

    // What-if: an MCC secondary, without assigning it.
    let w = alice.what_if("A100", "I50.23:Y", false).unwrap();
    assert_eq!((w.before.drg, w.after.drg), (195, 193));
    assert!(w.weight_change() > 0.0);
    assert_eq!(w.after.mcc, vec!["I5023".to_string()]);
    assert_eq!(
        alice.working_drg("A100").unwrap().unwrap().grouping.drg,
        195
    );
    // As principal: heart failure, pneumonia then a secondary.
    let w = alice.what_if("A100", "I50.23", true).unwrap();
    assert!((291..=293).contains(&w.after.drg), "{}", w.after.drg);
    assert!(w.notes.iter().any(|n| n.contains("tried as Y")));
    assert!(alice.what_if("A100", "ZZZ99", false).is_err());
    assert!(alice.what_if("A100", "I50.23:Q", false).is_err());
    // Each diagnosis that could be principal.
    let alts = alice.drg_alternatives("A100").unwrap();
    assert_eq!(alts.len(), 2);
    assert!(alts[0].current && alts[0].code == "J18.9" && alts[0].grouping.drg == 195);
    assert_eq!(alts[1].code, "E11.9");
    assert_eq!(alts[1].grouping.mdc, 10);

    // Discharge status: stored, used, audited; nonsense refused.
    alice.set_discharge_status("A100", "20").unwrap();
    let v = alice.working_drg("A100").unwrap().unwrap();
    assert!(!v.status_assumed && v.claim.discharge_status == "20");
    assert!(alice.set_discharge_status("A100", "2x").is_err());
    alice.set_discharge_status("A100", "01").unwrap();
    assert!(
        audit_actions(&alice, enc)
            .iter()
            .any(|(_, a)| a == "set_discharge_status")
    );

    // CDI: the working DRG is stored on the query when it is sent.
    let mut carol = open_as(&data, CAROL_CDI);
    let t = carol.query_template("heart_failure").unwrap();
    let q = carol
        .create_draft(enc, &QueryDraftInput::from_template(&t, ""))
        .unwrap();
    carol.pin_quote(q, "CARD-1", "BNP 1,250 pg/mL").unwrap();
    carol.pin_quote(q, "CARD-1", "LVEF 25%").unwrap();
    carol.send_query(q).unwrap();
    let d = carol.query_detail(q).unwrap().query.drg.unwrap();
    assert_eq!((d.before_drg, d.after_drg), (195, None));
    carol
        .record_answer(
            q,
            Outcome::Agreed,
            "Acute on chronic systolic heart failure",
        )
        .unwrap();

    // The answer is coded; regrouped at once; marking coded stores the final DRG.
    code(&mut alice, enc, "I50.23");
    let v = alice.working_drg("A100").unwrap().unwrap();
    assert_eq!(v.grouping.drg, 193);
    assert_eq!(v.grouping.mcc, vec!["I5023".to_string()]);
    acknowledge_warnings(&mut alice, enc);
    alice.mark_coded(enc).unwrap();
    let f = store::drg::final_drg(alice.connection(), enc)
        .unwrap()
        .unwrap();
    assert_eq!((f.drg, f.mdc, f.severity.as_str()), (193, 4, "MCC"));
    assert_eq!(f.grouper, "v43.1");
    assert_eq!(f.weight_e4, store::drg::weight_e4(v.grouping.weight));
    let d = carol.query_detail(q).unwrap().query.drg.unwrap();
    assert_eq!((d.before_drg, d.after_drg), (195, Some(193)));
    assert!(d.weight_change().unwrap() > 0.0);

    // Supervisor: query metrics and the case-mix report.
    let mut sam = open_as(&data, SAM_SUPERVISOR);
    let now = chrono::Utc::now();
    let m = sam
        .query_metrics(
            now - chrono::Duration::days(1),
            now + chrono::Duration::hours(1),
        )
        .unwrap();
    assert_eq!((m.overall.drg_compared, m.overall.drg_changed), (1, 1));
    assert!((m.overall.weight_change - d.weight_change().unwrap()).abs() < 1e-9);
    let today = now.date_naive();
    let r = sam.report_drg(today, today, None).unwrap();
    assert_eq!(r.overall.encounters, 1);
    assert!((r.overall.cmi.unwrap() - f.weight()).abs() < 1e-9);
    assert_eq!(r.overall.capture_rate, Some(1.0));
    assert_eq!(r.by_coder[0].key, ALICE);
    assert_eq!(r.mix[0].drg, 193);
    assert_eq!(r.queries.compared, 1);

    // Reopening clears the final DRG; the working DRG still regroups.
    alice.reopen(enc).unwrap();
    assert!(
        store::drg::final_drg(alice.connection(), enc)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        alice.working_drg("A100").unwrap().unwrap().grouping.drg,
        193
    );
    assert_eq!(
        sam.report_drg(today, today, None)
            .unwrap()
            .overall
            .encounters,
        0
    );
}
