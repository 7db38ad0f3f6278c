//! The Medicare Code Editor lists shipped in assets/edits/mce/: a sample of each list's entries is
//! pinned (both ways), and each list's size is recomputed against the built-in code sets and
//! compared with the count its derivation wrote in the file header.
use chartdesk::domain::EntryKind;
use chartdesk::edits::mce::{List, builtin};
use std::sync::OnceLock;

fn cm() -> &'static Vec<String> {
    static CM: OnceLock<Vec<String>> = OnceLock::new();
    CM.get_or_init(|| {
        chartdesk::codeset::builtin_icd10cm()
            .unwrap()
            .entries
            .into_iter()
            .filter(|e| e.kind == EntryKind::Code && e.billable)
            .map(|e| e.code)
            .collect()
    })
}

fn pcs() -> &'static Vec<String> {
    static PCS: OnceLock<Vec<String>> = OnceLock::new();
    PCS.get_or_init(|| {
        chartdesk::codeset::builtin_icd10pcs()
            .unwrap()
            .entries
            .into_iter()
            .filter(|e| e.kind == EntryKind::Code && e.billable)
            .map(|e| e.code)
            .collect()
    })
}

/// (list, codes on it, codes not on it)
fn samples() -> Vec<(List, &'static [&'static str], &'static [&'static str])> {
    vec![
        (
            List::UnacceptablePdx,
            &[
                "Z87.891", "B95.62", "B97.89", "R65.20", "R65.21", "Z00.00", "Z71.89",
            ],
            &["A41.51", "J18.9", "I10", "Z51.11"],
        ),
        (
            List::ManifestationPdx,
            &["G01", "F02.80", "D63.1"],
            &["G30.9", "A39.0", "N18.4"],
        ),
        (
            List::ExternalCausePdx,
            &["W06.XXXA", "V00.111A", "Y92.009", "X58.XXXA"],
            &["S72.001A", "T81.4XXA", "Z04.1"],
        ),
        (
            List::QuestionableAdmission,
            &["I10", "E11.9", "Z21"],
            &["I11.0", "E11.65", "B20"],
        ),
        (List::AgeNewborn, &["Z38.00", "Z05.0"], &["P07.30", "O80"]),
        (List::AgePediatric, &["F84.3"], &["F84.0", "I10"]),
        (
            List::AgeMaternity,
            &["O80", "O99.214", "Z33.1", "Z3A.39", "Z37.0"],
            &["Z38.00", "N40.0"],
        ),
        (List::AgeAdult, &["F03.90"], &["F84.3", "I10"]),
        (List::SexMale, &["N40.0"], &["N81.2", "I10"]),
        (List::SexFemale, &["N81.2", "O80"], &["N40.0", "I10"]),
        (List::PcsNonCovered, &["02BK0ZZ"], &["0DTJ4ZZ", "02YA0Z0"]),
        (
            List::PcsLimitedCoverage,
            &["02YA0Z0"],
            &["02BK0ZZ", "0DTJ4ZZ"],
        ),
        (List::PcsQuestionableObstetric, &["10E0XZZ"], &["0DTJ4ZZ"]),
        (List::PcsSexMale, &["0VT04ZZ"], &["0UT90ZZ", "0DTJ4ZZ"]),
        (List::PcsSexFemale, &["0UT90ZZ"], &["0VT04ZZ", "0DTJ4ZZ"]),
    ]
}

#[test]
fn each_list_holds_its_sample() {
    let lists = builtin();
    for (l, yes, no) in samples() {
        for c in yes {
            assert!(lists.has(l, c), "{c} should be on {:?}", l);
        }
        for c in no {
            assert!(!lists.has(l, c), "{c} should not be on {:?}", l);
        }
    }
}

#[test]
fn each_list_expands_to_the_size_its_header_states() {
    let lists = builtin();
    for l in List::ALL {
        let universe = if l.file().0.starts_with("pcs_") {
            pcs()
        } else {
            cm()
        };
        let n = universe.iter().filter(|c| lists.has(l, c)).count();
        let stated = lists.get(l).stated_codes.unwrap();
        assert_eq!(
            n,
            stated,
            "{:?} ({}) expands to {n} codes, header says {stated}",
            l,
            l.file().0
        );
    }
    // The age groups are disjoint, as in the MCE.
    let groups = [
        List::AgeNewborn,
        List::AgePediatric,
        List::AgeMaternity,
        List::AgeAdult,
    ];
    for c in cm() {
        assert!(
            groups.iter().filter(|g| lists.has(**g, c)).count() <= 1,
            "{c} in two age groups"
        );
    }
}
