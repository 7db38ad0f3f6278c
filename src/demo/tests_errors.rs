//! Broken templates must fail loading with an error that names the file and the key to fix.
use super::library::Library;
use super::spec;

const FILE: &str = "assets/demo/scenarios/broken.toml";

/// A minimal valid professional scenario; tests break one thing at a time.
const GOOD: &str = r#"
id = "tiny"
name = "Tiny office visit"
encounter_types = ["professional"]
age = [30, 60]
attending = "family medicine"
dx = [{ code = "J01.00" }]

[num]
days = { min = 10, max = 14 }

[text]
cc = "Sinus pain for {{days}} days."
hpi = "{{age}}-year-old {{man}} with facial pain."
pmh = "None."
meds = "None."
exam = "Maxillary tenderness."
labs = "None."
ov_ap = "Acute maxillary sinusitis."
"#;

fn load(text: &str) -> anyhow::Result<Library> {
    Library::load(spec::COMMON, spec::PEOPLE, &[(FILE, text)])
}

fn err(text: &str) -> String {
    match load(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn the_minimal_scenario_loads() {
    let lib = load(GOOD).unwrap();
    assert_eq!(lib.scenarios.len(), 1);
    assert_eq!(lib.scenarios[0].id, "tiny");
}

#[test]
fn toml_syntax_error_names_the_file_and_line() {
    let e = err(&GOOD.replace("age = [30, 60]", "age = [30, 60"));
    assert!(e.contains(FILE), "{e}");
    assert!(e.contains("line"), "{e}");
}

#[test]
fn unknown_key_is_rejected() {
    let e = err(&GOOD.replace("age = [30, 60]", "age = [30, 60]\nweigth = 2"));
    assert!(e.contains(FILE) && e.contains("weigth"), "{e}");
}

#[test]
fn unknown_placeholder_names_file_key_and_name() {
    let e = err(&GOOD.replace("Maxillary tenderness.", "Tender, temp {{tempp}}."));
    assert!(e.contains(FILE), "{e}");
    assert!(e.contains("text.exam"), "{e}");
    assert!(e.contains("tempp"), "{e}");
}

#[test]
fn unclosed_placeholder_names_the_key() {
    let e = err(&GOOD.replace("None.\"\nmeds", "None {{oops.\"\nmeds"));
    assert!(e.contains("text.pmh") && e.contains("never closed"), "{e}");
}

#[test]
fn placeholder_cycle_is_reported() {
    let text = GOOD.replace(
        "labs = \"None.\"",
        "labs = \"{{a}}\"\na = \"{{b}}\"\nb = \"{{a}}\"",
    );
    let e = err(&text);
    assert!(e.contains("cycle"), "{e}");
}

#[test]
fn unused_definition_is_reported() {
    let e = err(&GOOD.replace("[text]", "[text]\nunused_thing = \"x\""));
    assert!(
        e.contains("unused_thing") && e.contains("defined but") && e.contains(FILE),
        "{e}"
    );
}

#[test]
fn missing_note_text_names_the_skeleton() {
    let e = err(&GOOD.replace("ov_ap = \"Acute maxillary sinusitis.\"", ""));
    assert!(e.contains("ov_ap") && e.contains("Office Visit"), "{e}");
}

#[test]
fn bad_code_shapes_and_poa_are_rejected() {
    let e = err(&GOOD.replace("J01.00", "J0100"));
    assert!(e.contains("dx[0]") && e.contains("J0100"), "{e}");
    let e = err(&GOOD.replace(
        "{ code = \"J01.00\" }",
        "{ code = \"J01.00\", poa = \"Y\" }",
    ));
    assert!(e.contains("poa"), "{e}");
    let e = err(&GOOD.replace("dx = [", "pcs = [\"0DTJ4Z\"]\ndx = ["));
    assert!(e.contains("pcs[0]"), "{e}");
    let e = err(&GOOD.replace(
        "{ code = \"J01.00\" }",
        "{ code = \"J01.00\", poa = \"X\" }",
    ));
    assert!(e.contains(FILE), "{e}");
}

#[test]
fn bad_numbers_and_types_are_rejected() {
    let e = err(&GOOD.replace("min = 10, max = 14", "min = 14, max = 10"));
    assert!(e.contains("num.days"), "{e}");
    let e = err(&GOOD.replace("[\"professional\"]", "[\"clinic\"]"));
    assert!(e.contains(FILE) && e.contains("clinic"), "{e}");
    let e = err(&GOOD.replace("\"family medicine\"", "\"dermatology\""));
    assert!(e.contains("dermatology"), "{e}");
}

#[test]
fn unknown_or_misplaced_note_types_are_rejected() {
    let e = err(&format!("{GOOD}\n[notes]\n\"Op Note\" = [\"x\"]\n"));
    assert!(
        e.contains("Op Note") && e.contains("Operative Report"),
        "{e}"
    );
    let e = err(&format!(
        "{GOOD}\n[notes]\n\"Discharge Summary\" = [\"x\"]\n"
    ));
    assert!(
        e.contains("Discharge Summary") && e.contains("encounter types"),
        "{e}"
    );
}

#[test]
fn progress_fields_only_in_progress_notes() {
    let e = err(&GOOD.replace("Maxillary tenderness.", "{{pn.ap}}"));
    assert!(e.contains("Progress Note"), "{e}");
}

#[test]
fn variant_replacements_must_exist() {
    let text = format!("{GOOD}\n[[variant]]\nreplace = {{ \"J01.90\" = \"J01.00\" }}\n");
    let e = err(&text);
    assert!(e.contains("variant[0]") && e.contains("J01.90"), "{e}");
}

#[test]
fn duplicate_ids_are_rejected() {
    let e = match Library::load(
        spec::COMMON,
        spec::PEOPLE,
        &[(FILE, GOOD), ("assets/demo/scenarios/other.toml", GOOD)],
    ) {
        Ok(_) => panic!("duplicate ids accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(e.contains("other.toml") && e.contains("tiny"), "{e}");
}
