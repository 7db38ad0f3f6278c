//! The edit engine over the real built-in ICD-10-CM tabular list: each rule fires where the code
//! set says it should and stays quiet where it does not.
use chartdesk::domain::{CodeSystem, EncounterType, Poa, Sex};
use chartdesk::edits::{Claim, ClaimCode, Edit, Severity, TabularIndex, check, has_errors};
use std::sync::OnceLock;

fn tab() -> &'static TabularIndex {
    static TAB: OnceLock<TabularIndex> = OnceLock::new();
    TAB.get_or_init(|| TabularIndex::new(chartdesk::codeset::builtin_icd10cm().unwrap().entries))
}

fn run(claim: &Claim) -> Vec<Edit> {
    check(tab(), claim)
}

fn codes(list: &[&str]) -> Vec<Edit> {
    run(&Claim::from_codes(list))
}

fn fired<'a>(edits: &'a [Edit], rule: &str) -> Vec<&'a Edit> {
    edits.iter().filter(|e| e.rule == rule).collect()
}

fn one<'a>(edits: &'a [Edit], rule: &str) -> &'a Edit {
    let f = fired(edits, rule);
    assert_eq!(f.len(), 1, "expected one {rule}: {edits:#?}");
    f[0]
}

fn none(edits: &[Edit], rule: &str) {
    assert!(
        fired(edits, rule).is_empty(),
        "unexpected {rule}: {edits:#?}"
    );
}

#[test]
fn excludes1_type1_with_type2_diabetes() {
    let e = codes(&["E10.9", "E11.9"]);
    let x = one(&e, "excludes1");
    assert_eq!(x.severity, Severity::Error);
    assert_eq!(x.codes, ["E10.9", "E11.9"]);
    assert!(
        x.message.contains("type 2 diabetes mellitus (E11.-)"),
        "{}",
        x.message
    );
    assert!(has_errors(&e));
    // Type 2 diabetes with hypertension: nothing excludes the other.
    none(&codes(&["E11.9", "I10"]), "excludes1");
}

#[test]
fn excludes1_from_block_and_ranges() {
    // The I10-I1A block excludes primary pulmonary hypertension (I27.0).
    let e = codes(&["I10", "I27.0"]);
    let x = one(&e, "excludes1");
    assert!(x.message.contains("block I10-I1A"), "{}", x.message);
    // I10 excludes hypertension complicating pregnancy (O10-O11, O13-O16): a range hit.
    let e = codes(&["O13.3", "I10"]);
    assert_eq!(one(&e, "excludes1").codes, ["O13.3", "I10"]);
    // I10 with I11.0: the tabular has no Excludes1 between them (I11 is a combination code, an
    // "includes" matter), so the engine stays quiet rather than invent one.
    none(&codes(&["I11.0", "I50.9", "I10"]), "excludes1");
}

#[test]
fn excludes2_is_information_only() {
    // I10 Excludes2: hypertension involving vessels of brain (I60-I69).
    let e = codes(&["I63.9", "I10"]);
    let x = one(&e, "excludes2");
    assert_eq!(x.severity, Severity::Info);
    none(&e, "excludes1");
}

#[test]
fn manifestation_as_principal_is_an_error_and_order_a_warning() {
    let e = codes(&["F02.80", "G30.9"]);
    let m = one(&e, "manifestation-principal");
    assert_eq!(m.severity, Severity::Error);
    assert!(m.message.contains("classified elsewhere"), "{}", m.message);
    let o = one(&e, "code-first-order");
    assert_eq!(o.severity, Severity::Warning);
    assert_eq!(o.codes, ["F02.80", "G30.9"]);
    assert!(
        o.message.contains("Alzheimer's (G30.-)") || o.message.contains("G30"),
        "{}",
        o.message
    );

    let e = codes(&["G30.9", "F02.80"]);
    none(&e, "manifestation-principal");
    none(&e, "code-first-order");
    // Secondary but before its etiology: only the order warning.
    let e = codes(&["I10", "F02.80", "G30.9"]);
    none(&e, "manifestation-principal");
    assert_eq!(one(&e, "code-first-order").codes, ["F02.80", "G30.9"]);
}

#[test]
fn use_additional_code_and_code_also() {
    let e = codes(&["E11.22"]);
    let w = one(&e, "use-additional-code");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("N18.1-N18.6"), "{}", w.message);
    none(&codes(&["E11.22", "N18.31"]), "use-additional-code");
    // N18.9 is not a stage the note names.
    one(&codes(&["E11.22", "N18.9"]), "use-additional-code");
    // "if applicable" lists never warn (G30 asks for dementia codes only if applicable).
    none(&codes(&["G30.9"]), "use-additional-code");
    // Lists introduced by a heading ("code to identify control using:") offer choices: no warning.
    none(&codes(&["E11.9"]), "use-additional-code");
    // O80 asks for the outcome of delivery (Z37.0).
    one(&codes(&["O80"]), "use-additional-code");
    none(&codes(&["O80", "Z37.0"]), "use-additional-code");
    // Code also: information, quiet once the named code is there.
    let e = codes(&["Z79.4"]);
    let c = one(&e, "code-also");
    assert_eq!(c.severity, Severity::Info);
    assert!(c.message.contains("Z51.81"), "{}", c.message);
    let e = codes(&["Z51.81", "Z79.4"]);
    assert!(
        !e.iter()
            .any(|x| x.rule == "code-also" && x.codes == ["Z79.4"]),
        "{e:#?}"
    );
}

#[test]
fn header_codes_seventh_characters_and_placeholders() {
    let e = codes(&["I50"]);
    assert_eq!(one(&e, "header-code").severity, Severity::Error);
    let e = codes(&["S72.001"]);
    let s = one(&e, "seventh-character-missing");
    assert!(s.message.contains("initial encounter"), "{}", s.message);
    none(&e, "header-code");
    let e = codes(&["W06A"]);
    let p = one(&e, "placeholder-x");
    assert!(p.message.contains("W06.XXXA"), "{}", p.message);
    let e = codes(&["T36.01XA"]);
    assert!(one(&e, "placeholder-x").message.contains("T36.0X1A"));
    let e = codes(&["S72.001Z"]);
    assert!(one(&e, "invalid-code").message.contains("S72.001"));
    // (An external cause code is never principal: W06.XXXA follows its injury.)
    for good in [&["S72.001A"][..], &["S72.001A", "W06.XXXA"], &["I50.9"]] {
        assert!(!has_errors(&codes(good)), "{good:?}: {:#?}", codes(good));
    }
}

fn with_patient(list: &[&str], age: u32, sex: Sex) -> Vec<Edit> {
    run(&Claim {
        age: Some(age),
        sex: Some(sex),
        ..Claim::from_codes(list)
    })
}

#[test]
fn age_conflicts_are_errors_and_sex_mismatches_review_warnings() {
    // The case: O80 for a 76-year-old man.
    let e = with_patient(&["O80", "Z37.0"], 76, Sex::Male);
    let m = fired(&e, "mce-age-maternity");
    assert_eq!(m.len(), 2, "{e:#?}");
    assert_eq!(m[0].severity, Severity::Error);
    assert_eq!(
        m[0].message,
        "MCE v43.1: age conflict — O80 is a maternity diagnosis (ages 9-64); the patient is 76"
    );
    assert!(m[0].source.contains("Medicare Code Editor v43.1"));
    let f = fired(&e, "mce-sex-female");
    assert_eq!(f.len(), 2, "{e:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("2024-10-01"), "{}", f[0].message);
    assert!(has_errors(&e));
    let e = with_patient(&["O80", "Z37.0"], 30, Sex::Female);
    none(&e, "mce-age-maternity");
    none(&e, "mce-sex-female");
    // Maternity bounds are inclusive: 9 and 64 pass, 8 and 65 do not.
    none(&with_patient(&["O80"], 9, Sex::Female), "mce-age-maternity");
    none(
        &with_patient(&["O80"], 64, Sex::Female),
        "mce-age-maternity",
    );
    one(&with_patient(&["O80"], 8, Sex::Female), "mce-age-maternity");
    one(
        &with_patient(&["O80"], 65, Sex::Female),
        "mce-age-maternity",
    );

    // Newborn (age 0 only): Z38.00 single liveborn.
    let e = with_patient(&["Z38.00"], 1, Sex::Female);
    assert_eq!(one(&e, "mce-age-newborn").severity, Severity::Error);
    none(
        &with_patient(&["Z38.00"], 0, Sex::Female),
        "mce-age-newborn",
    );
    // Chapter 16 codes may be used throughout life: the MCE has no age edit on P07.30.
    none(
        &with_patient(&["P07.30"], 40, Sex::Female),
        "mce-age-newborn",
    );

    // Sex mismatch on a male-only diagnosis: a warning, never an error.
    let e = with_patient(&["J18.9", "N40.0"], 60, Sex::Female);
    assert_eq!(one(&e, "mce-sex-male").severity, Severity::Warning);
    none(
        &with_patient(&["J18.9", "N40.0"], 60, Sex::Male),
        "mce-sex-male",
    );
    none(
        &with_patient(&["J18.9", "N40.0"], 60, Sex::Unknown),
        "mce-sex-male",
    );

    // Pediatric (0-17) and adult (15-124), on codes of the derived lists.
    one(
        &with_patient(&["J18.9", "F84.3"], 35, Sex::Male),
        "mce-age-pediatric",
    );
    none(
        &with_patient(&["J18.9", "F84.3"], 17, Sex::Male),
        "mce-age-pediatric",
    );
    one(
        &with_patient(&["J18.9", "F03.90"], 14, Sex::Male),
        "mce-age-adult",
    );
    none(
        &with_patient(&["J18.9", "F03.90"], 15, Sex::Male),
        "mce-age-adult",
    );
    let e = with_patient(&["I10"], 90, Sex::Male);
    assert!(
        e.iter()
            .all(|x| !x.rule.starts_with("mce-age") && !x.rule.starts_with("mce-sex")),
        "{e:#?}"
    );
}

#[test]
fn principal_diagnosis_edits_from_the_mce_lists() {
    for code in ["Z87.891", "B95.62", "R65.20", "Z00.00"] {
        let e = codes(&[code, "J18.9"]);
        let x = one(&e, "mce-unacceptable-pdx");
        assert_eq!(x.severity, Severity::Error);
        assert!(
            x.message
                .starts_with("MCE v43.1: unacceptable principal diagnosis"),
            "{}",
            x.message
        );
        // The same code as a secondary diagnosis is fine.
        none(&codes(&["J18.9", code]), "mce-unacceptable-pdx");
    }
    let e = codes(&["W06.XXXA", "S72.001A"]);
    assert_eq!(one(&e, "mce-external-cause-pdx").severity, Severity::Error);
    none(&codes(&["S72.001A", "W06.XXXA"]), "mce-external-cause-pdx");
    let e = codes(&["I10"]);
    assert_eq!(
        one(&e, "mce-questionable-admission").severity,
        Severity::Warning
    );
    none(&codes(&["I11.0", "I50.9"]), "mce-questionable-admission");
    // Manifestation as principal: the tabular rule or the MCE list, never both for one code.
    let e = codes(&["G01", "A39.0"]);
    let n = fired(&e, "mce-manifestation-pdx").len() + fired(&e, "manifestation-principal").len();
    assert_eq!(n, 1, "{e:#?}");
    none(&codes(&["A39.0", "G01"]), "mce-manifestation-pdx");
}

#[test]
fn procedure_edits_from_the_mce_lists() {
    let claim = |pcs: &str, sex: Sex| {
        let mut c = Claim::from_codes(&["J18.9"]);
        c.codes.push(ClaimCode {
            system: CodeSystem::Icd10Pcs,
            code: pcs.into(),
            principal: false,
            seq: 1,
            poa: None,
        });
        c.sex = Some(sex);
        c.age = Some(50);
        run(&c)
    };
    assert_eq!(
        one(&claim("02BK0ZZ", Sex::Male), "mce-non-covered").severity,
        Severity::Error
    );
    assert_eq!(
        one(&claim("02YA0Z0", Sex::Male), "mce-limited-coverage").severity,
        Severity::Warning
    );
    none(&claim("0DTJ4ZZ", Sex::Male), "mce-non-covered");
    none(&claim("0DTJ4ZZ", Sex::Male), "mce-limited-coverage");
    assert_eq!(
        one(&claim("0VT04ZZ", Sex::Female), "mce-sex-procedure").severity,
        Severity::Warning
    );
    none(&claim("0VT04ZZ", Sex::Male), "mce-sex-procedure");
    one(&claim("10E0XZZ", Sex::Female), "mce-questionable-obstetric");
}

#[test]
fn sequencing_code_first_underlying_infection() {
    // R65.20 before its infection: the note names A41.9 only as an example; A41.51 counts too.
    let e = codes(&["J96.01", "R65.20", "A41.51"]);
    let x = one(&e, "seq-code-first");
    assert_eq!(x.codes, ["R65.20", "A41.51"]);
    assert_eq!(x.severity, Severity::Warning);
    let e = codes(&["R65.20", "A41.51"]);
    assert_eq!(one(&e, "seq-code-first").severity, Severity::Error);
    none(&codes(&["A41.51", "R65.20"]), "seq-code-first");
    none(&codes(&["A41.51", "R65.20"]), "seq-underlying-missing");
    one(&codes(&["J96.01", "R65.20"]), "seq-underlying-missing");
    // A code without such a note is left alone.
    none(&codes(&["J96.01", "I10"]), "seq-underlying-missing");
}

#[test]
fn sequencing_o80_principal_and_alone() {
    one(&codes(&["Z37.0", "O80"]), "seq-o80-principal");
    none(&codes(&["O80", "Z37.0"]), "seq-o80-principal");
    let e = codes(&["O80", "O99.214", "Z37.0"]);
    assert_eq!(one(&e, "seq-o80-alone").codes, ["O80", "O99.214"]);
    none(&codes(&["O80", "Z37.0", "Z3A.39"]), "seq-o80-alone");
}

#[test]
fn sequencing_unspecified_with_specific() {
    let e = codes(&["I50.23", "I50.9"]);
    let x = one(&e, "seq-unspecified-with-specific");
    assert_eq!(x.codes, ["I50.9", "I50.23"]);
    assert_eq!(x.severity, Severity::Warning);
    none(&codes(&["I50.23", "I10"]), "seq-unspecified-with-specific");
    none(&codes(&["I50.9", "I10"]), "seq-unspecified-with-specific");
}

#[test]
fn duplicates_and_principals() {
    let e = codes(&["I10", "E11.9", "i10"]);
    assert_eq!(one(&e, "duplicate").codes, ["I10"]);
    none(&codes(&["I10", "E11.9"]), "duplicate");
    let mut c = Claim::from_codes(&["I10", "E11.9"]);
    c.codes[1].principal = true;
    let e = run(&c);
    assert_eq!(one(&e, "multiple-principal").codes, ["I10", "E11.9"]);
    none(&codes(&["I10", "E11.9"]), "multiple-principal");
}

#[test]
fn laterality_unspecified() {
    // S72.009A: fracture of unspecified femur; S72.001A/S72.002A are right and left.
    let e = codes(&["S72.009A"]);
    assert!(
        one(&e, "laterality-unspecified")
            .message
            .contains("laterality")
    );
    none(&codes(&["S72.001A"]), "laterality-unspecified");
    let notes = |text: &str| Claim {
        notes_text: Some(text.into()),
        ..Claim::from_codes(&["S72.009A"])
    };
    let e = run(&notes(
        "Fall at home. X-ray: displaced fracture of the LEFT femoral neck.",
    ));
    assert!(one(&e, "laterality-unspecified").message.contains("left"));
    none(
        &run(&notes("Fracture of femur, side not documented.")),
        "laterality-unspecified",
    );
    // "Unspecified" that is not about a side stays quiet.
    none(&codes(&["I50.9"]), "laterality-unspecified");
}

fn inpatient(list: &[(&str, Option<Poa>)]) -> Vec<Edit> {
    run(&Claim {
        codes: list
            .iter()
            .enumerate()
            .map(|(i, (c, p))| ClaimCode {
                system: CodeSystem::Icd10Cm,
                code: (*c).into(),
                principal: i == 0,
                seq: i as u32 + 1,
                poa: *p,
            })
            .collect(),
        encounter_type: Some(EncounterType::Inpatient),
        ..Claim::default()
    })
}

#[test]
fn poa_required_on_inpatient_except_exempt_codes() {
    let e = inpatient(&[("I50.9", None), ("Z79.4", None), ("I25.2", None)]);
    let m = one(&e, "poa-missing");
    assert_eq!(m.codes, ["I50.9"]);
    assert!(m.message.contains("POA"));
    let e = inpatient(&[("I50.9", Some(Poa::Yes)), ("Z79.4", None)]);
    none(&e, "poa-missing");
    assert!(!has_errors(&e), "{e:#?}");
    // 1 (exempt) on a code that is not exempt is invalid; Y on an exempt code is only noted.
    let e = inpatient(&[("I50.9", Some(Poa::Exempt)), ("Z79.4", Some(Poa::Yes))]);
    assert_eq!(one(&e, "poa-invalid").codes, ["I50.9"]);
    assert_eq!(one(&e, "poa-exempt").severity, Severity::Info);
    // Outpatient: POA is not required, and a value given is noted.
    let mut c = Claim::from_codes(&["I50.9"]);
    c.encounter_type = Some(EncounterType::Outpatient);
    none(&run(&c), "poa-missing");
    c.codes[0].poa = Some(Poa::Yes);
    assert_eq!(one(&run(&c), "poa-not-inpatient").severity, Severity::Info);
}

#[test]
fn well_coded_encounter_raises_only_the_sequencing_warning() {
    let e = inpatient(&[
        ("I50.23", Some(Poa::Yes)),
        ("I11.0", Some(Poa::Yes)),
        ("E11.22", Some(Poa::Yes)),
        ("N18.31", Some(Poa::Yes)),
        ("Z79.4", None),
    ]);
    let blocking: Vec<&Edit> = e.iter().filter(|x| x.severity != Severity::Info).collect();
    // I50 says "code first heart failure due to hypertension (I11.0)": only that order warning.
    assert_eq!(blocking.len(), 1, "{blocking:#?}");
    assert_eq!(blocking[0].rule, "code-first-order");
    assert_eq!(blocking[0].codes, ["I50.23", "I11.0"]);
}

/// Not a timed test: prints how long the engine takes on a 25-code encounter.
/// Run: cargo test --release --test edits bench_25_codes -- --ignored --nocapture
#[test]
#[ignore]
fn bench_25_codes() {
    let list = [
        "I50.23", "I11.0", "E11.22", "N18.31", "Z79.4", "E10.9", "E11.9", "F02.80", "G30.9", "I10",
        "J44.1", "J18.9", "N39.0", "E87.1", "E87.6", "D64.9", "S72.009A", "W06.XXXA", "Y92.009",
        "Z87.891", "I25.10", "I48.91", "Z79.01", "K21.9", "M81.0",
    ];
    let mut c = Claim::from_codes(&list);
    c.age = Some(78);
    c.sex = Some(Sex::Female);
    c.encounter_type = Some(EncounterType::Inpatient);
    c.notes_text = Some("left hip fracture after a fall from bed ".repeat(200));
    let t = tab();
    let rounds = 2000;
    let start = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        n += check(t, &c).len();
    }
    let per = start.elapsed() / rounds;
    println!(
        "edit engine: 25-code encounter checked in {per:?} ({} edits)",
        n / rounds as usize
    );
}

mod service {
    //! mark_coded refuses while errors fire or warnings are unacknowledged.
    use chartdesk::domain::*;
    use chartdesk::service::{DataDir, Service};
    use chartdesk::store;

    const CODER: &str = "alice";

    /// A data directory holding the real tabular entries of a few categories (with their blocks
    /// and chapters, so block- and chapter-level notes apply) and one inpatient encounter.
    fn fixture() -> (tempfile::TempDir, DataDir) {
        let all = chartdesk::codeset::builtin_icd10cm().unwrap().entries;
        let keep = [
            "E10", "E11", "N18", "I10", "S72", "Z79", "O80", "Z37", "Z87", "R65", "A41", "J96",
        ];
        let entries: Vec<CodeEntry> = all
            .into_iter()
            .filter(|e| e.kind != EntryKind::Code || keep.iter().any(|k| e.code.starts_with(k)))
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path().join("data"));
        std::fs::create_dir_all(&data.root).unwrap();
        let mut conn = store::open(&data.db_path()).unwrap();
        let tx = conn.transaction().unwrap();
        let at = store::now();
        store::users::upsert(&tx, CODER, Role::Coder, "", None, &at).unwrap();
        let me = chartdesk::service::os_login().unwrap();
        store::users::upsert(&tx, &me, Role::Coder, "", None, &at).unwrap();
        store::codes::replace_set(
            &tx,
            CodeSystem::Icd10Cm,
            "FY2026",
            "test",
            &entries,
            CODER,
            &at,
            &mut |_, _| {},
        )
        .unwrap();
        store::encounters::upsert_patient(
            &tx,
            &Patient {
                mrn: "MRN1".into(),
                name: "Doe, Jane".into(),
                birth_date: "1950-02-03".into(),
                sex: Sex::Female,
            },
        )
        .unwrap();
        store::encounters::insert(
            &tx,
            &Encounter {
                account: "A1".into(),
                mrn: "MRN1".into(),
                enc_type: EncounterType::Inpatient,
                admit_date: "2026-11-01".into(),
                discharge_date: Some("2026-11-04".into()),
                attending: "Dr. Test".into(),
                total_charges_cents: 100,
            },
        )
        .unwrap();
        store::notes::insert(
            &tx,
            &Note {
                note_id: "N1".into(),
                account: "A1".into(),
                note_type: "Discharge Summary".into(),
                author: "Dr. Test".into(),
                written_at: "2026-11-04T10:00:00Z".into(),
                body: "Diabetes with chronic kidney disease.".into(),
            },
        )
        .unwrap();
        tx.commit().unwrap();
        (tmp, data)
    }

    fn audit_actions(svc: &Service, enc: i64) -> Vec<(String, String)> {
        let mut st = svc
            .connection()
            .prepare("SELECT action, object FROM audit WHERE encounter_id = ?1 ORDER BY id")
            .unwrap();
        st.query_map([enc], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn mark_coded_blocked_by_excludes1_and_unacknowledged_warning() {
        let (_t, data) = fixture();
        let mut svc = Service::open(&data, CODER, &mut |_, _, _| {}).unwrap();
        let enc = svc.open_encounter("A1").unwrap().encounter.id;
        let t1 = svc.assign(enc, CodeSystem::Icd10Cm, "E10.9").unwrap();
        let t2 = svc.assign(enc, CodeSystem::Icd10Cm, "E11.22").unwrap();
        for id in [t1.id, t2.id] {
            svc.set_poa(enc, id, Some(Poa::Yes)).unwrap();
        }

        // Excludes1: type 1 and type 2 diabetes together.
        let err = format!("{:#}", svc.mark_coded(enc).unwrap_err());
        assert!(err.contains("excludes1") && err.contains("E11.-"), "{err}");
        let e = svc
            .acknowledge_edit(enc, "excludes1", &["E10.9".into(), "E11.22".into()])
            .unwrap_err();
        assert!(format!("{e:#}").contains("must be fixed"), "{e:#}");
        let listed = svc.encounter_edits(enc).unwrap();
        assert!(
            listed.iter().any(|x| x.edit.rule == "excludes1"),
            "{listed:#?}"
        );

        // Fixed; the use-additional-code warning (CKD stage) still blocks until acknowledged.
        svc.remove_assignment(enc, t1.id).unwrap();
        let err = format!("{:#}", svc.mark_coded(enc).unwrap_err());
        assert!(
            err.contains("use-additional-code") && err.contains("acknowledge"),
            "{err}"
        );
        assert!(!err.contains("excludes1"), "{err}");
        let ack = svc
            .acknowledge_edit(enc, "use-additional-code", &["e1122".into()])
            .unwrap();
        assert_eq!(ack.codes, ["E11.22"]);
        let listed = svc.encounter_edits(enc).unwrap();
        let w = listed
            .iter()
            .find(|x| x.edit.rule == "use-additional-code")
            .unwrap();
        assert_eq!(w.acknowledged_by.as_deref(), Some(CODER));
        // Nothing to acknowledge for a rule that does not fire.
        assert!(
            svc.acknowledge_edit(enc, "laterality-unspecified", &["E11.22".into()])
                .is_err()
        );

        svc.mark_coded(enc).unwrap();
        let actions = audit_actions(&svc, enc);
        assert!(
            actions.contains(&(
                "acknowledge_edit".into(),
                "use-additional-code|E11.22".into()
            )),
            "{actions:?}"
        );
        assert!(actions.iter().any(|(a, _)| a == "mark_coded"));

        // The acknowledgement is kept: reopen and complete again without a new one.
        svc.reopen(enc).unwrap();
        svc.mark_coded(enc).unwrap();
    }

    #[test]
    fn mce_errors_block_marking_coded_and_a_supervisor_override_needs_a_reason_and_is_audited() {
        let (_t, data) = fixture();
        {
            let conn = store::open(&data.db_path()).unwrap();
            store::users::upsert(&conn, "sam", Role::Supervisor, "", None, &store::now()).unwrap();
        }
        let mut svc = Service::open(&data, CODER, &mut |_, _, _| {}).unwrap();
        let enc = svc.open_encounter("A1").unwrap().encounter.id;
        // The patient is a 76-year-old woman. Each of these principal diagnoses is an MCE error.
        for (code, rule) in [
            ("Z87.891", "mce-unacceptable-pdx"),
            ("R65.20", "mce-unacceptable-pdx"),
            ("O80", "mce-age-maternity"),
        ] {
            let a = svc.assign(enc, CodeSystem::Icd10Cm, code).unwrap();
            svc.set_poa(enc, a.id, Some(Poa::Yes)).unwrap();
            let err = format!("{:#}", svc.mark_coded(enc).unwrap_err());
            assert!(err.contains(&format!("{rule} {code}")), "{err}");
            assert!(err.contains("MCE v43.1"), "{err}");
            svc.remove_assignment(enc, a.id).unwrap();
        }

        let a = svc.assign(enc, CodeSystem::Icd10Cm, "O80").unwrap();
        svc.set_poa(enc, a.id, Some(Poa::Yes)).unwrap();
        let o80 = vec!["O80".to_string()];
        let reason = "Documented: patient's age is wrong in ADT, corrected by registration";
        // A coder may not override; a supervisor needs a real reason.
        assert!(
            svc.override_edit(enc, "mce-age-maternity", &o80, reason)
                .is_err()
        );
        let mut boss = Service::open(&data, "sam", &mut |_, _, _| {}).unwrap();
        let short = boss
            .override_edit(enc, "mce-age-maternity", &o80, "ok")
            .unwrap_err();
        assert!(format!("{short:#}").contains("reason"), "{short:#}");
        // Warnings are acknowledged, not overridden.
        assert!(boss.override_edit(enc, "duplicate", &o80, reason).is_err());
        boss.override_edit(enc, "mce-age-maternity", &o80, reason)
            .unwrap();
        let rows: Vec<(String, String, String)> = {
            let mut st = svc
                .connection()
                .prepare("SELECT login, object, detail FROM audit WHERE action = 'override_edit'")
                .unwrap();
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].0, "sam");
        assert_eq!(rows[0].1, "mce-age-maternity|O80");
        assert!(
            rows[0].2.contains(reason) && rows[0].2.contains("age conflict"),
            "{rows:?}"
        );
        // The error no longer blocks; what remains are warnings to acknowledge.
        for w in svc.encounter_edits(enc).unwrap() {
            if w.edit.severity == chartdesk::edits::Severity::Error {
                assert_eq!(w.acknowledged_by.as_deref(), Some("sam"), "{w:?}");
            }
            if w.edit.severity == chartdesk::edits::Severity::Warning {
                svc.acknowledge_edit(enc, w.edit.rule, &w.edit.codes)
                    .unwrap();
            }
        }
        svc.mark_coded(enc).unwrap();
    }

    #[test]
    fn poa_exempt_codes_accept_blank_but_others_do_not() {
        let (_t, data) = fixture();
        let mut svc = Service::open(&data, CODER, &mut |_, _, _| {}).unwrap();
        let enc = svc.open_encounter("A1").unwrap().encounter.id;
        let fx = svc.assign(enc, CodeSystem::Icd10Cm, "S72.001A").unwrap();
        let htn = svc.assign(enc, CodeSystem::Icd10Cm, "I10").unwrap();
        // Long-term insulin use is on the exempt list: blank POA is fine.
        svc.assign(enc, CodeSystem::Icd10Cm, "Z79.4").unwrap();
        let err = format!("{:#}", svc.mark_coded(enc).unwrap_err());
        assert!(
            err.contains("poa-missing S72.001A") && err.contains("poa-missing I10"),
            "{err}"
        );
        assert!(!err.contains("Z79.4"), "{err}");
        svc.set_poa(enc, fx.id, Some(Poa::Yes)).unwrap();
        svc.set_poa(enc, htn.id, Some(Poa::Yes)).unwrap();
        svc.mark_coded(enc).unwrap();
    }

    #[test]
    fn check_command_prints_json_and_exits_1_on_errors() {
        let (_t, data) = fixture();
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_chartdesk"))
                .arg("--data-dir")
                .arg(&data.root)
                .arg("check")
                .args(args)
                .output()
                .unwrap()
        };
        let out = run(&["--json", "E10.9", "E11.9", "S72.001"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let rules: Vec<&str> = lines.iter().map(|v| v["rule"].as_str().unwrap()).collect();
        assert!(
            rules.contains(&"excludes1") && rules.contains(&"seventh-character-missing"),
            "{rules:?}"
        );
        let x = lines.iter().find(|v| v["rule"] == "excludes1").unwrap();
        assert_eq!(x["severity"], "error");
        assert_eq!(x["codes"], serde_json::json!(["E10.9", "E11.9"]));
        assert!(x["message"].as_str().unwrap().contains("E11.-"));

        // Warnings only: exit 0, and the table names the rule.
        let out = run(&["E11.22", "--sex", "F", "--age", "60"]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("use-additional-code") && text.contains("0 error(s)"),
            "{text}"
        );
        // A bad POA value is a usage error.
        assert_eq!(run(&["I10", "--poa", "I10=Z"]).status.code(), Some(2));

        // The case: O80 for a 76-year-old man is an MCE age conflict (exit 1); the sex
        // mismatch is a review warning. Each JSON edit names its rule and source.
        let out = run(&["--json", "--principal", "O80", "--age", "76", "--sex", "M"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let age = lines
            .iter()
            .find(|v| v["rule"] == "mce-age-maternity")
            .unwrap();
        assert_eq!(age["severity"], "error");
        assert_eq!(age["codes"], serde_json::json!(["O80"]));
        assert_eq!(
            age["message"],
            "MCE v43.1: age conflict — O80 is a maternity diagnosis (ages 9-64); the patient is 76"
        );
        assert!(
            age["source"]
                .as_str()
                .unwrap()
                .contains("Medicare Code Editor v43.1")
        );
        let sex = lines
            .iter()
            .find(|v| v["rule"] == "mce-sex-female")
            .unwrap();
        assert_eq!(sex["severity"], "warning");
        // Same delivery for a woman of 30: no error, exit 0.
        let out = run(&["--principal", "O80", "--age", "30", "--sex", "F"]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        // Unacceptable principal diagnoses exit 1.
        for pdx in ["Z87.891", "R65.20"] {
            assert_eq!(
                run(&["--principal", pdx, "A41.51"]).status.code(),
                Some(1),
                "{pdx}"
            );
        }
    }
}
