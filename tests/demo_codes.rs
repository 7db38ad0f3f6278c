//! Every code in the demo answer keys is a real, billable code of the built-in code sets.
use chartdesk::domain::CodeSystem;
use std::collections::{BTreeSet, HashSet};

#[test]
fn demo_answer_keys_use_real_billable_codes() {
    let cm = chartdesk::codeset::builtin_icd10cm().unwrap();
    let pcs = chartdesk::codeset::builtin_icd10pcs().unwrap();
    let billable: HashSet<(CodeSystem, &str)> = cm
        .entries
        .iter()
        .chain(pcs.entries.iter())
        .filter(|e| e.billable)
        .map(|e| (e.system, e.code.as_str()))
        .collect();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let demo = chartdesk::demo::generate(3000, 7, today).unwrap();
    let scenarios: BTreeSet<&str> = demo
        .answer_key
        .iter()
        .map(|k| k.scenario.as_str())
        .collect();
    assert_eq!(
        scenarios.len(),
        chartdesk::demo::scenarios().unwrap().len(),
        "every scenario drawn"
    );
    let mut bad = BTreeSet::new();
    for key in &demo.answer_key {
        for (system, code, _) in &key.codes {
            if !billable.contains(&(*system, code.as_str())) {
                bad.insert(format!("{} {system} {code}", key.scenario));
            }
        }
    }
    assert!(bad.is_empty(), "not billable in the built-in sets: {bad:?}");
}
