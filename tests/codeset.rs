//! Code-set release parsers: the built-in assets, small fixtures in the official layouts, and
//! error reporting on damaged files.
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chartdesk::codeset::seventh::{extend, extended_title};
use chartdesk::codeset::{
    CodeSetRelease, builtin_icd10cm, builtin_icd10pcs, parse_cms_order_file, parse_icd10cm_tabular,
    parse_pcs_list, read_release_file,
};
use chartdesk::domain::{CodeEntry, CodeSystem, EntryKind};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/codeset")
        .join(name)
}

fn builtin_cm() -> &'static CodeSetRelease {
    static CM: OnceLock<CodeSetRelease> = OnceLock::new();
    CM.get_or_init(|| builtin_icd10cm().unwrap())
}

fn find<'a>(rel: &'a CodeSetRelease, kind: EntryKind, code: &str) -> &'a CodeEntry {
    rel.entries
        .iter()
        .find(|e| e.kind == kind && e.code == code)
        .unwrap_or_else(|| panic!("{} {code} not found", kind.as_str()))
}

fn has(rel: &CodeSetRelease, code: &str) -> bool {
    rel.entries
        .iter()
        .any(|e| e.kind == EntryKind::Code && e.code == code)
}

fn bare(code: &str) -> String {
    code.chars().filter(|c| *c != '.').collect()
}

/// Splits the code entries into tabular `diag`s and the codes made from 7th characters, checking
/// that every one of the latter is exactly what its parent diag and the 7th-character definition
/// that applies to it (its own or its nearest ancestor's) produce.
fn diags_and_extensions(rel: &CodeSetRelease) -> (usize, usize) {
    let by_code: HashMap<&str, &CodeEntry> = rel
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Code)
        .map(|e| (e.code.as_str(), e))
        .collect();
    let applicable = |start: &CodeEntry| -> Option<Vec<(char, String)>> {
        let mut at = start;
        loop {
            if !at.notes.seventh_characters.is_empty() {
                return Some(at.notes.seventh_characters.clone());
            }
            let up = by_code.get(at.parent.as_deref()?)?;
            // A category's parent is its section, whose id may equal the category code.
            if !(bare(&at.code).starts_with(&bare(&up.code)) && up.code != at.code) {
                return None;
            }
            at = up;
        }
    };
    let (mut diags, mut extensions) = (0, 0);
    for e in rel.entries.iter().filter(|e| e.kind == EntryKind::Code) {
        let parent = e
            .parent
            .as_deref()
            .and_then(|p| by_code.get(p))
            .filter(|p| p.code != e.code);
        let is_extension = e.billable
            && e.notes.is_empty()
            && parent.is_some_and(|p| {
                let seventh = e.code.chars().last().unwrap();
                applicable(p).is_some_and(|def| {
                    def.iter().any(|(c, meaning)| {
                        *c == seventh
                            && extend(&p.code, *c).as_deref() == Some(e.code.as_str())
                            && e.title == extended_title(&p.title, meaning)
                    })
                })
            });
        if is_extension {
            extensions += 1;
        } else {
            diags += 1;
        }
    }
    (diags, extensions)
}

#[test]
fn builtin_icd10cm_counts() {
    let cm = builtin_cm();
    assert_eq!(cm.system, CodeSystem::Icd10Cm);
    assert_eq!(cm.version, "FY2026");
    assert_eq!(cm.source, "built-in");
    // 74,795 codes come from expanding every 7th character, less the 76 that the tabular's own
    // note on category S06 rules out (7th characters D and S with 6th character 7 or 8).
    assert_eq!(cm.billable_count(), 74_719);
    let (diags, extensions) = diags_and_extensions(cm);
    assert_eq!(diags, 46_881);
    assert_eq!(extensions, 51_305);
    let count = |kind| cm.entries.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count(EntryKind::Chapter), 22);
    assert_eq!(count(EntryKind::Section), 297);
}

#[test]
fn builtin_icd10cm_codes_and_titles() {
    let cm = builtin_cm();
    let i5023 = find(cm, EntryKind::Code, "I50.23");
    assert!(i5023.billable);
    assert_eq!(
        i5023.title,
        "Acute on chronic systolic (congestive) heart failure"
    );
    assert_eq!(i5023.parent.as_deref(), Some("I50.2"));
    assert!(!find(cm, EntryKind::Code, "I50.2").billable);
    assert!(!find(cm, EntryKind::Code, "I50").billable);

    let fall = find(cm, EntryKind::Code, "W06.XXXA");
    assert!(fall.billable);
    assert_eq!(fall.title, "Fall from bed, initial encounter");
    assert_eq!(fall.parent.as_deref(), Some("W06"));
    assert!(fall.notes.is_empty());
    let w06 = find(cm, EntryKind::Code, "W06");
    assert!(!w06.billable);
    assert!(
        w06.notes
            .seventh_characters
            .contains(&('A', "initial encounter".to_string()))
    );

    let hip = find(cm, EntryKind::Code, "S72.001A");
    assert!(hip.billable);
    assert_eq!(
        hip.title,
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    );
    assert!(!find(cm, EntryKind::Code, "S72.001").billable);
    // The 7th characters are defined once, on the category, and inherited.
    assert!(
        find(cm, EntryKind::Code, "S72.001")
            .notes
            .seventh_characters
            .is_empty()
    );
    assert_eq!(
        find(cm, EntryKind::Code, "S72")
            .notes
            .seventh_characters
            .len(),
        16
    );
    assert!(has(cm, "S72.001R"));
    // A nested sevenChrDef replaces the category's: torus fractures take no open-fracture letters.
    assert!(has(cm, "S52.011A") && !has(cm, "S52.011B"));

    let poison = find(cm, EntryKind::Code, "T36.0X1A");
    assert_eq!(
        poison.title,
        "Poisoning by penicillins, accidental (unintentional), initial encounter"
    );
    // Placeholder X then a digit 7th character outside chapter 19.
    assert!(has(cm, "H40.10X0") && has(cm, "O36.4XX0"));

    // The S06 note rules out D and S when the 6th character is 7 or 8.
    assert!(has(cm, "S06.1X7A") && !has(cm, "S06.1X7D") && !has(cm, "S06.1X8S"));
    assert!(has(cm, "S06.1X1D"));
    // April 2026 category with a letter in second place.
    assert!(find(cm, EntryKind::Code, "QA0.0101").billable);
}

#[test]
fn builtin_icd10cm_notes_and_hierarchy() {
    let cm = builtin_cm();
    let i50 = find(cm, EntryKind::Code, "I50");
    assert!(
        i50.notes
            .code_first
            .contains(&"heart failure due to hypertension (I11.0)".to_string())
    );
    assert!(
        i50.notes
            .excludes2
            .contains(&"cardiac arrest (I46.-)".to_string())
    );
    assert_eq!(i50.parent.as_deref(), Some("I30-I5A"));
    let i501 = find(cm, EntryKind::Code, "I50.1");
    assert!(
        i501.notes
            .inclusion_terms
            .contains(&"Cardiac asthma".to_string())
    );
    assert!(
        i501.notes
            .excludes1
            .contains(&"edema of lung without heart disease or heart failure (J81.-)".to_string())
    );
    let i502 = find(cm, EntryKind::Code, "I50.2");
    assert_eq!(
        i502.notes.code_also,
        vec!["end stage heart failure, if applicable (I50.84)"]
    );
    assert!(
        i502.notes
            .inclusion_terms
            .contains(&"Heart failure with reduced ejection fraction [HFrEF]".to_string())
    );

    let section = find(cm, EntryKind::Section, "I30-I5A");
    assert_eq!(section.title, "Other forms of heart disease (I30-I5A)");
    assert_eq!(section.parent.as_deref(), Some("9"));
    assert!(!section.billable);
    let chapter = find(cm, EntryKind::Chapter, "9");
    assert_eq!(
        chapter.title,
        "Diseases of the circulatory system (I00-I99)"
    );
    assert_eq!(chapter.parent, None);
    assert!(!chapter.notes.is_empty());
    let ch19 = find(cm, EntryKind::Chapter, "19");
    assert!(
        ch19.notes
            .notes
            .iter()
            .any(|n| n.starts_with("Use secondary code(s) from Chapter 20"))
    );
    assert_eq!(
        ch19.notes.excludes2,
        vec!["birth trauma (P10-P15)", "obstetric trauma (O70-O71)"]
    );

    // Every parent exists and sits one level up: code → code or section, section → chapter.
    let mut kinds: HashMap<(EntryKind, &str), ()> = HashMap::new();
    for e in &cm.entries {
        kinds.insert((e.kind, e.code.as_str()), ());
    }
    for e in &cm.entries {
        let ok = match (e.kind, e.parent.as_deref()) {
            (EntryKind::Chapter, None) => true,
            (EntryKind::Section, Some(p)) => kinds.contains_key(&(EntryKind::Chapter, p)),
            (EntryKind::Code, Some(p)) => {
                kinds.contains_key(&(EntryKind::Code, p))
                    || kinds.contains_key(&(EntryKind::Section, p))
            }
            _ => false,
        };
        assert!(ok, "bad parent for {e:?}");
    }
}

#[test]
fn builtin_icd10pcs_counts() {
    let pcs = builtin_icd10pcs().unwrap();
    assert_eq!(pcs.system, CodeSystem::Icd10Pcs);
    assert_eq!(pcs.version, "FY2024");
    assert_eq!(pcs.billable_count(), 78_638);
    assert_eq!(pcs.entries.len(), 78_638);
    assert!(
        pcs.entries
            .iter()
            .all(|e| e.code.len() == 7 && !e.code.contains('.'))
    );
    let first = &pcs.entries[0];
    assert_eq!(first.code, "0016070");
    assert!(
        first
            .title
            .starts_with("Bypass Cerebral Ventricle to Nasopharynx")
    );
}

#[test]
fn tabular_fixture_structure() {
    let file = std::fs::File::open(fixture("tabular_sample.xml")).unwrap();
    let rel = parse_icd10cm_tabular(std::io::BufReader::new(file), "tabular_sample.xml").unwrap();
    assert_eq!(rel.version, "FY2026");
    let codes: Vec<(&str, bool)> = rel
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Code)
        .map(|e| (e.code.as_str(), e.billable))
        .collect();
    let billable: Vec<&str> = codes.iter().filter(|(_, b)| *b).map(|(c, _)| *c).collect();
    assert_eq!(
        billable,
        vec![
            "I50.23", "I50.9", "S06.1X0A", "S06.1X0D", "S06.1X0S", "S06.1X7A", "S79.001A",
            "S79.001D", "S79.001S", "S79.91XA", "S79.91XS", "W06.XXXA", "W06.XXXD", "W06.XXXS",
        ]
    );
    assert_eq!(diags_and_extensions(&rel), (15, 12));
    let chapters: Vec<&str> = rel
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Chapter)
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(chapters, vec!["9", "19", "20"]);
    let ch9 = find(&rel, EntryKind::Chapter, "9");
    assert_eq!(
        ch9.notes.use_additional_code,
        vec!["code to identify exposure to tobacco smoke (Z77.22)"]
    );
    assert_eq!(ch9.notes.excludes2.len(), 1);
    assert_eq!(
        find(&rel, EntryKind::Section, "S70-S79").parent.as_deref(),
        Some("19")
    );
    let i509 = find(&rel, EntryKind::Code, "I50.9");
    assert!(
        i509.notes
            .inclusion_terms
            .contains(&"Ejection fraction < 40%".to_string())
    );
    let s79 = find(&rel, EntryKind::Code, "S79");
    assert!(
        s79.notes
            .notes
            .contains(&"7th character D includes: subsequent encounter NOS".to_string())
    );
    assert_eq!(s79.notes.seventh_characters.len(), 3);
    let s06 = find(&rel, EntryKind::Code, "S06");
    assert_eq!(
        s06.notes.notes.len(),
        2,
        "the exception note and the sevenChrNote"
    );
    assert_eq!(
        find(&rel, EntryKind::Code, "S06.1X").parent.as_deref(),
        Some("S06")
    );
    assert_eq!(
        find(&rel, EntryKind::Code, "S79.91XS").title,
        "Unspecified injury of right hip, sequela"
    );
    assert_eq!(
        find(&rel, EntryKind::Code, "S79.001D").parent.as_deref(),
        Some("S79.001")
    );
}

fn err_text(result: anyhow::Result<CodeSetRelease>) -> String {
    format!("{:#}", result.expect_err("expected an error"))
}

#[test]
fn bad_xml_names_position() {
    let xml = "<?xml version=\"1.0\"?>\n<ICD10CM.tabular>\n  <version>2026</version>\n  <chapter>\n    \
               <name>1</name>\n    <desc>Infections</desc>\n  </chaptr>\n</ICD10CM.tabular>\n";
    let err = err_text(parse_icd10cm_tabular(xml.as_bytes(), "broken.xml"));
    assert!(
        err.contains("broken.xml") && err.contains("line 7"),
        "{err}"
    );

    let truncated = &std::fs::read_to_string(fixture("tabular_sample.xml")).unwrap()[..3000];
    let err = err_text(parse_icd10cm_tabular(truncated.as_bytes(), "cut.xml"));
    assert!(err.contains("cut.xml") && err.contains("line"), "{err}");

    let bad_name = "<ICD10CM.tabular><version>2026</version><chapter><name>1</name><desc>x</desc>\n\
                    <section id=\"A00-A09\"><desc>y</desc>\n<diag><name>A0.0</name><desc>z</desc></diag>\
                    </section></chapter></ICD10CM.tabular>";
    let err = err_text(parse_icd10cm_tabular(bad_name.as_bytes(), "n.xml"));
    assert!(err.contains("line 3") && err.contains("A00"), "{err}");

    let misplaced = "<ICD10CM.tabular><version>2026</version>\n<chapter><name>1</name><desc>x</desc>\n\
                     <diag><name>A00</name><desc>z</desc></diag></chapter></ICD10CM.tabular>";
    let err = err_text(parse_icd10cm_tabular(misplaced.as_bytes(), "m.xml"));
    assert!(
        err.contains("line 3") && err.contains("<diag> is not allowed inside <chapter>"),
        "{err}"
    );

    let twice = "<ICD10CM.tabular><version>2026</version><chapter><name>1</name><desc>x</desc>\
                 <section id=\"A00-A09\"><desc>y</desc><diag><name>A00</name><desc>z</desc></diag>\
                 <diag><name>A00</name><desc>z</desc></diag></section></chapter></ICD10CM.tabular>";
    let err = err_text(parse_icd10cm_tabular(twice.as_bytes(), "d.xml"));
    assert!(err.contains("code A00 appears twice"), "{err}");

    let not_tabular = "<html><body>hi</body></html>";
    let err = err_text(parse_icd10cm_tabular(not_tabular.as_bytes(), "page.xml"));
    assert!(err.contains("not a CDC ICD-10-CM tabular"), "{err}");
}

#[test]
fn cms_order_file_cm() {
    let file = std::fs::File::open(fixture("icd10cm_order_sample.txt")).unwrap();
    let rel = parse_cms_order_file(
        std::io::BufReader::new(file),
        CodeSystem::Icd10Cm,
        "FY2026",
        "icd10cm_order_sample.txt",
    )
    .unwrap();
    assert_eq!(rel.entries.len(), 21);
    assert_eq!(rel.billable_count(), 14);
    let e = find(&rel, EntryKind::Code, "I50.23");
    assert!(e.billable);
    assert_eq!(
        e.title,
        "Acute on chronic systolic (congestive) heart failure"
    );
    assert_eq!(e.parent.as_deref(), Some("I50.2"));
    assert!(!find(&rel, EntryKind::Code, "I50.2").billable);
    let hip = find(&rel, EntryKind::Code, "S72.001A");
    assert_eq!(
        hip.title,
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
    );
    assert_eq!(hip.parent.as_deref(), Some("S72.001"));
    assert_eq!(
        find(&rel, EntryKind::Code, "W06.XXXS").parent.as_deref(),
        Some("W06")
    );
    assert_eq!(find(&rel, EntryKind::Code, "Z00.00").parent, None);
    assert_eq!(find(&rel, EntryKind::Code, "I10").parent, None);
}

#[test]
fn cms_order_file_pcs() {
    let text = std::fs::read(fixture("icd10pcs_order_sample.txt")).unwrap();
    let rel = parse_cms_order_file(&text[..], CodeSystem::Icd10Pcs, "FY2026", "pcs.txt").unwrap();
    assert_eq!(rel.entries.len(), 9);
    assert_eq!(rel.billable_count(), 5);
    let e = find(&rel, EntryKind::Code, "0DTJ4ZZ");
    assert_eq!(
        e.title,
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    );
    assert_eq!(e.parent.as_deref(), Some("0DT"));
    assert_eq!(
        find(&rel, EntryKind::Code, "B020ZZZ").parent.as_deref(),
        Some("B02")
    );
}

/// The CM fixture with line `n` (1-based) changed by `edit`.
fn cm_fixture_with(n: usize, edit: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(fixture("icd10cm_order_sample.txt")).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == n { edit(l) } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cms_order_file_errors_name_the_line() {
    let parse = |text: &str| {
        err_text(parse_cms_order_file(
            text.as_bytes(),
            CodeSystem::Icd10Cm,
            "FY2026",
            "order.txt",
        ))
    };

    let flag = cm_fixture_with(7, |l| format!("{}x{}", &l[..14], &l[15..]));
    let err = parse(&flag);
    assert!(
        err.contains("order.txt, line 7") && err.contains("header flag in column 15"),
        "{err}"
    );

    let lower = cm_fixture_with(9, |l| format!("{}i5021{}", &l[..6], &l[11..]));
    let err = parse(&lower);
    assert!(err.contains("line 9") && err.contains("'i5021'"), "{err}");

    let digit_first = cm_fixture_with(5, |l| format!("{}110{}", &l[..6], &l[9..]));
    let err = parse(&digit_first);
    assert!(
        err.contains("line 5") && err.contains("must start with a letter"),
        "{err}"
    );

    let shifted = cm_fixture_with(12, |l| format!(" {l}"));
    let err = parse(&shifted);
    assert!(err.contains("line 12"), "{err}");

    let short = cm_fixture_with(3, |l| l[..40].to_string());
    let err = parse(&short);
    assert!(
        err.contains("line 3") && err.contains("at least 78"),
        "{err}"
    );

    let dup = cm_fixture_with(4, |_| {
        cm_fixture_with(0, |l| l.to_string())
            .lines()
            .nth(2)
            .unwrap()
            .to_string()
    });
    let err = parse(&dup);
    assert!(
        err.contains("line 4") && err.contains("already appeared on line 3"),
        "{err}"
    );

    let pcs_short = std::fs::read_to_string(fixture("icd10pcs_order_sample.txt"))
        .unwrap()
        .replacen("0016071 1", "001607  1", 1);
    let err = err_text(parse_cms_order_file(
        pcs_short.as_bytes(),
        CodeSystem::Icd10Pcs,
        "FY2026",
        "p.txt",
    ));
    assert!(
        err.contains("p.txt, line 3") && err.contains("exactly 7"),
        "{err}"
    );
}

#[test]
fn pcs_list_errors_name_the_line() {
    let text = "\"0016070\",\"Bypass\"\n\"0016071\",\"Bypass\"\n\"0016072\"\n";
    let err = err_text(parse_pcs_list(text.as_bytes(), "FY2024", "list.csv"));
    assert!(err.contains("list.csv") && err.contains("line 3"), "{err}");
}

fn gzip_to(path: &Path, data: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap();
}

#[test]
fn read_release_file_detects_formats_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let order = std::fs::read(fixture("icd10cm_order_sample.txt")).unwrap();
    let xml = std::fs::read(fixture("tabular_sample.xml")).unwrap();
    let pcs_order = std::fs::read(fixture("icd10pcs_order_sample.txt")).unwrap();

    let gz = dir.path().join("icd10cm_order_2026.txt.gz");
    gzip_to(&gz, &order);
    let rel = read_release_file(&gz, None, None).unwrap();
    assert_eq!(
        (rel.system, rel.version.as_str()),
        (CodeSystem::Icd10Cm, "FY2026")
    );
    assert_eq!(rel.source, "icd10cm_order_2026.txt.gz");
    assert_eq!(rel.billable_count(), 14);

    let xml_gz = dir.path().join("tabular.xml.gz");
    gzip_to(&xml_gz, &xml);
    let rel = read_release_file(&xml_gz, None, None).unwrap();
    assert_eq!(
        (rel.system, rel.version.as_str()),
        (CodeSystem::Icd10Cm, "FY2026")
    );
    assert_eq!(rel.billable_count(), 14);
    let rel = read_release_file(&xml_gz, None, Some("FY2026-April")).unwrap();
    assert_eq!(rel.version, "FY2026-April");

    // Format and compression from the content alone.
    let odd = dir.path().join("release.dat");
    gzip_to(&odd, &xml);
    assert_eq!(
        read_release_file(&odd, None, None).unwrap().entries.len(),
        rel.entries.len()
    );

    let pcs_path = dir.path().join("icd10pcs_order_2025.txt");
    std::fs::write(&pcs_path, &pcs_order).unwrap();
    let rel = read_release_file(&pcs_path, None, None).unwrap();
    assert_eq!(
        (rel.system, rel.version.as_str()),
        (CodeSystem::Icd10Pcs, "FY2025")
    );
    assert_eq!(rel.billable_count(), 5);

    // No hint in the name: the first code (section 0) says PCS; the version must be given.
    let plain = dir.path().join("order.txt");
    std::fs::write(&plain, &pcs_order).unwrap();
    let err = err_text(read_release_file(&plain, None, None));
    assert!(err.contains("pass the version"), "{err}");
    let rel = read_release_file(&plain, None, Some("FY2027")).unwrap();
    assert_eq!(
        (rel.system, rel.version.as_str()),
        (CodeSystem::Icd10Pcs, "FY2027")
    );

    let csv = dir.path().join("icd10pcs-codes-fy2023.csv");
    std::fs::write(
        &csv,
        "\"0016070\",\"Bypass Cerebral Ventricle to Nasopharynx\"\n",
    )
    .unwrap();
    let rel = read_release_file(&csv, None, None).unwrap();
    assert_eq!(
        (rel.system, rel.version.as_str(), rel.billable_count()),
        (CodeSystem::Icd10Pcs, "FY2023", 1)
    );
    let err = err_text(read_release_file(&csv, Some(CodeSystem::Icd10Cm), None));
    assert!(err.contains("cannot be read as ICD-10-CM"), "{err}");

    let junk = dir.path().join("notes.bin");
    std::fs::write(&junk, "hello world").unwrap();
    let err = err_text(read_release_file(&junk, None, None));
    assert!(err.contains("cannot tell the format"), "{err}");

    let missing = dir.path().join("nope.xml");
    let err = err_text(read_release_file(&missing, None, None));
    assert!(
        err.contains("cannot open") && err.contains("nope.xml"),
        "{err}"
    );
}

#[test]
fn every_entry_code_is_unique_so_the_store_can_key_by_code() {
    let cm = chartdesk::codeset::builtin_icd10cm().unwrap();
    let mut seen = std::collections::HashSet::new();
    for e in &cm.entries {
        assert!(
            seen.insert(e.code.clone()),
            "duplicate entry code {}",
            e.code
        );
    }
    let b10 = cm.entries.iter().find(|e| e.code == "B10").unwrap();
    assert_eq!(b10.parent.as_deref(), Some("B10-B10"));
}
