//! Cases for the compliance checker, positive and negative, one rule at a time.
use super::*;
use crate::domain::query::{OTHER_OPTION, UNDETERMINED_OPTION, complete_options};

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

struct Draft {
    t: QueryType,
    purpose: Option<YesNoPurpose>,
    provider: String,
    question: String,
    options: Vec<String>,
    quotes: Vec<String>,
}

impl Draft {
    fn mc(question: &str, options: &[&str], quotes: &[&str]) -> Draft {
        Draft {
            t: QueryType::MultipleChoice,
            purpose: None,
            provider: "Dr. Patel".into(),
            question: question.into(),
            options: complete_options(QueryType::MultipleChoice, &s(options)),
            quotes: s(quotes),
        }
    }
    fn yes_no(question: &str, purpose: Option<YesNoPurpose>, quotes: &[&str]) -> Draft {
        Draft {
            t: QueryType::YesNo,
            purpose,
            provider: "Dr. Patel".into(),
            question: question.into(),
            options: complete_options(QueryType::YesNo, &[]),
            quotes: s(quotes),
        }
    }
    fn open(question: &str, quotes: &[&str]) -> Draft {
        Draft {
            t: QueryType::OpenEnded,
            purpose: None,
            provider: "Dr. Patel".into(),
            question: question.into(),
            options: vec![],
            quotes: s(quotes),
        }
    }
    fn findings(&self) -> Vec<Finding> {
        check(&ComplianceInput {
            query_type: self.t,
            purpose: self.purpose,
            provider: &self.provider,
            question: &self.question,
            options: &self.options,
            indicators: &self.quotes,
        })
    }
    fn rules(&self) -> Vec<(&'static str, Severity)> {
        self.findings()
            .into_iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    }
}

const HF_Q: &str = "Based on your clinical judgment, can the type and acuity of the heart failure \
                    being treated be further specified?";
const HF_QUOTES: &[&str] = &[
    "BNP 1,250 pg/mL",
    "Echo: LVEF 25%",
    "IV furosemide 40 mg twice daily with good diuresis",
    "CHF exacerbation",
];

fn hf_options() -> Vec<&'static str> {
    vec![
        "Acute on chronic systolic (congestive) heart failure",
        "Acute on chronic diastolic (congestive) heart failure",
        "Chronic systolic heart failure",
    ]
}

#[test]
fn a_compliant_multiple_choice_query_has_no_findings() {
    let d = Draft::mc(HF_Q, &hf_options(), HF_QUOTES);
    assert_eq!(d.findings(), vec![]);
    assert!(!has_errors(&d.findings()));
}

#[test]
fn payment_words_are_errors() {
    for bad in [
        "Clarifying heart failure type affects the DRG. Can it be specified?",
        "Specificity would improve reimbursement; can the type be specified?",
        "Is this an MCC-level condition?",
        "This impacts our CMI and case mix: can the type be specified?",
        "Would documenting this raise the severity of illness?",
        "Is the CC captured?",
        "Our payment depends on it; please clarify the type.",
        "Denials are likely without this: can the type be specified?",
        "Can the type be specified for the MS-DRG?",
        "Clarifying the type affects the d.r.g. Can it be specified?",
        "Clarifying the type affects the D.R.G.; can it be specified?",
        "Is this an M.C.C.-level condition?",
        "Is the C.C. captured?",
        "Would the type change the D.R.G? Can it be specified?",
    ] {
        let d = Draft::mc(bad, &hf_options(), HF_QUOTES);
        assert!(
            d.rules().contains(&("reimbursement", Severity::Error)),
            "{bad}: {:?}",
            d.rules()
        );
    }
    // In an option too.
    let mut opts = hf_options();
    opts.push("Heart failure (MCC)");
    let d = Draft::mc(HF_Q, &opts, HF_QUOTES);
    let f = d.findings();
    assert!(
        f.iter()
            .any(|f| f.rule == "reimbursement" && f.message.contains("option")),
        "{f:?}"
    );
}

#[test]
fn payment_words_need_word_boundaries_and_case() {
    for fine in [
        // "acc" holds "cc", "accurate" "cc", "occurred" "cc": none fires.
        "Based on the accumulated findings, can the accurate type of heart failure be specified?",
        // cc as cubic centimetres, in lower case.
        "Urine output was 200 cc over 24 hours; can the heart failure type be specified?",
        "Can the respiratory status that occurred on day 2 be further specified?",
        // "payer" inside "prepayer"? not a word here; "display", "repay" must not fire on "pay".
        "Can the heart failure displayed on the echo report be further specified?",
        // Dotted abbreviations that are not payment words, and c.c. (cubic centimetres) in lower case.
        "Given 20 mg p.o. b.i.d. at 8 a.m., e.g. for diuresis, can the type be specified?",
        "Urine output was 200 c.c. over 24 hours; can the heart failure type be specified?",
        "Per Dr. R. G. Smith, can the heart failure type be specified?",
    ] {
        let d = Draft::mc(fine, &hf_options(), HF_QUOTES);
        assert!(
            !d.rules().iter().any(|r| r.0 == "reimbursement"),
            "{fine}: {:?}",
            d.findings()
        );
    }
    // Quotes are the record: a CC (chief complaint) there is not checked.
    let mut quotes = HF_QUOTES.to_vec();
    quotes.push("CC: shortness of breath");
    let d = Draft::mc(HF_Q, &hf_options(), &quotes);
    assert_eq!(d.findings(), vec![]);
}

#[test]
fn leading_questions_are_errors() {
    for bad in [
        "Please document acute on chronic systolic heart failure.",
        "Please confirm that the patient has sepsis.",
        "Can you add malnutrition to the discharge summary?",
        "The patient meets criteria for sepsis. Do you agree?",
        "Would you agree that the heart failure is acute?",
        "PLEASE DOCUMENT the heart failure type.",
    ] {
        let d = Draft::mc(bad, &hf_options(), HF_QUOTES);
        assert!(
            d.rules().contains(&("leading", Severity::Error)),
            "{bad}: {:?}",
            d.rules()
        );
    }
    for fine in [
        HF_Q,
        "Please clarify the type and acuity of the heart failure, if known.",
        "Can the clinical significance of the documented hemoglobin values be clarified?",
    ] {
        let d = Draft::mc(fine, &hf_options(), HF_QUOTES);
        assert!(!d.rules().iter().any(|r| r.0 == "leading"), "{fine}");
    }
}

#[test]
fn indicators_and_question_and_provider_are_required() {
    let d = Draft::mc(HF_Q, &hf_options(), &[]);
    assert_eq!(d.rules(), vec![("no_indicators", Severity::Error)]);
    let d = Draft::mc(HF_Q, &hf_options(), &["   "]);
    assert!(d.rules().contains(&("no_indicators", Severity::Error)));
    let mut d = Draft::open("  ", HF_QUOTES);
    d.provider = "".into();
    let r = d.rules();
    assert!(r.contains(&("question_missing", Severity::Error)), "{r:?}");
    assert!(r.contains(&("provider_missing", Severity::Error)), "{r:?}");
}

#[test]
fn multiple_choice_needs_its_options() {
    // Raw options, not completed by the composer.
    let mut d = Draft::mc(HF_Q, &[], HF_QUOTES);
    d.options = s(&[
        "Acute systolic heart failure",
        "Chronic systolic heart failure",
    ]);
    let msgs: Vec<String> = d.findings().into_iter().map(|f| f.message).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("clinically undetermined"));
    assert!(msgs[1].contains("other, please specify"));
    // One clinical option is not a choice.
    let d = Draft::mc(HF_Q, &["Acute systolic heart failure"], HF_QUOTES);
    let f = d.findings();
    assert!(
        f.iter()
            .any(|f| f.rule == "options_missing" && f.message.contains("(1 given)")),
        "{f:?}"
    );
    // Completed options pass.
    let d = Draft::mc(HF_Q, &hf_options(), HF_QUOTES);
    assert!(d.options.contains(&UNDETERMINED_OPTION.to_string()));
    assert!(d.options.contains(&OTHER_OPTION.to_string()));
}

#[test]
fn yes_no_needs_a_permitted_purpose() {
    let q = "Was the pneumonia present at the time of inpatient admission?";
    let quotes = &["Right lower lobe pneumonia on CXR, started ceftriaxone on hospital day 3"];
    let d = Draft::yes_no(q, None, quotes);
    assert_eq!(d.rules(), vec![("yes_no_purpose", Severity::Error)]);
    let d = Draft::yes_no(q, Some(YesNoPurpose::Poa), quotes);
    assert_eq!(d.findings(), vec![]);
}

#[test]
fn yes_no_may_not_introduce_a_new_diagnosis() {
    // Sepsis is nowhere documented: only its indicators are.
    let d = Draft::yes_no(
        "Does the patient have sepsis?",
        Some(YesNoPurpose::ConfirmDocumented),
        &["Lactate 4.2", "T 39.1, HR 124"],
    );
    let f = d.findings();
    assert!(
        f.iter()
            .any(|f| f.rule == "yes_no_new_diagnosis" && f.message.contains("sepsis")),
        "{f:?}"
    );
    // Documented by another clinician: confirming it is allowed.
    let d = Draft::yes_no(
        "The hospitalist documented sepsis on 11/02; the discharge summary does not mention it. \
         Was sepsis present during this admission?",
        Some(YesNoPurpose::ResolveConflict),
        &["Assessment: sepsis secondary to UTI", "Lactate 4.2"],
    );
    assert_eq!(d.findings(), vec![]);
    // Cause and effect between documented conditions.
    let d = Draft::yes_no(
        "Is the encephalopathy related to the documented sepsis?",
        Some(YesNoPurpose::CauseAndEffect),
        &[
            "Acute metabolic encephalopathy",
            "Sepsis due to E. coli UTI",
        ],
    );
    assert_eq!(d.findings(), vec![]);
    let d = Draft::yes_no(
        "Is the encephalopathy related to the documented sepsis?",
        Some(YesNoPurpose::CauseAndEffect),
        &[
            "Sepsis due to E. coli UTI",
            "Patient confused, disoriented to time",
        ],
    );
    assert!(
        d.rules()
            .contains(&("yes_no_new_diagnosis", Severity::Error))
    );
}

#[test]
fn yes_no_options() {
    let mut d = Draft::yes_no(
        "Was the pneumonia present on admission?",
        Some(YesNoPurpose::Poa),
        &["pneumonia"],
    );
    d.options = s(&["Yes", "No"]);
    assert_eq!(d.rules(), vec![("yes_no_undetermined", Severity::Warning)]);
    d.options = s(&["Yes"]);
    assert!(d.rules().contains(&("options_missing", Severity::Error)));
}

#[test]
fn options_that_introduce_an_unsupported_diagnosis_warn() {
    let mut opts = hf_options();
    opts.push("Acute respiratory failure");
    let d = Draft::mc(HF_Q, &opts, HF_QUOTES);
    let f = d.findings();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("Acute respiratory failure"));
    // With an oxygen indicator pinned, it is supported.
    let mut quotes = HF_QUOTES.to_vec();
    quotes.push("SpO2 84% on room air, placed on BiPAP");
    assert_eq!(Draft::mc(HF_Q, &opts, &quotes).findings(), vec![]);
    // Unknown wording: a significant word must begin a word in a quote.
    let q = "Can the cause of the elevated troponin be clarified?";
    let d = Draft::mc(
        q,
        &[
            "Type 2 myocardial infarction",
            "Demand ischemia",
            "Non-ischemic myocardial injury",
        ],
        &["Troponin 0.9, 1.4, 1.1 ng/mL", "no ischemic changes on ECG"],
    );
    let unsupported: Vec<String> = d
        .findings()
        .into_iter()
        .filter(|f| f.rule == "unsupported_option")
        .map(|f| f.message)
        .collect();
    assert_eq!(unsupported.len(), 1, "{unsupported:?}");
    assert!(unsupported[0].contains("Type 2 myocardial infarction"));
    // Qualifier-only options never warn.
    let d = Draft::mc(
        "Can the acuity of the documented heart failure be specified?",
        &["Acute", "Chronic", "Acute on chronic"],
        HF_QUOTES,
    );
    assert_eq!(d.findings(), vec![]);
}

#[test]
fn open_ended_and_duplicates() {
    let mut d = Draft::open(
        "Can the clinical significance of the low sodium be clarified?",
        &["Na 126"],
    );
    assert_eq!(d.findings(), vec![]);
    d.options = s(&["Hyponatremia"]);
    assert_eq!(d.rules(), vec![("open_ended_options", Severity::Warning)]);
    let mut d = Draft::mc(HF_Q, &hf_options(), HF_QUOTES);
    d.options.push("chronic systolic heart failure".into());
    assert_eq!(d.rules(), vec![("duplicate_option", Severity::Warning)]);
}

#[test]
fn errors_come_before_warnings() {
    let mut d = Draft::mc(
        "Please document the DRG.",
        &["Acute respiratory failure"],
        HF_QUOTES,
    );
    d.options.push("Acute respiratory failure".into());
    let f = d.findings();
    let first_warning = f.iter().position(|x| x.severity == Severity::Warning);
    let last_error = f.iter().rposition(|x| x.severity == Severity::Error);
    assert!(first_warning.is_some() && last_error.is_some());
    assert!(last_error < first_warning, "{f:?}");
}

#[test]
fn word_matching() {
    assert!(has(&norm("Pt with CHF."), "chf"));
    assert!(!has(&norm("acc"), "cc"));
    assert!(has(&norm("good diuresis noted"), "diures*"));
    assert!(has(&norm("lost 12 lbs"), "lost * lb*"));
    assert!(!has(&norm(""), "x"));
    assert_eq!(payment_hit("the CC list"), Some("CC".into()));
    assert_eq!(payment_hit("200 cc"), None);
    assert_eq!(payment_hit("the d.r.g. weight"), Some("DRG".into()));
    assert_eq!(payment_hit("M.C.C"), Some("MCC".into()));
    assert_eq!(payment_hit("C.C. list"), Some("CC".into()));
    assert_eq!(payment_hit("200 c.c."), None);
    assert_eq!(undot("d.r.g. and e.g. x.y"), "drg and eg xy");
    assert_eq!(undot("Dr. Smith, a.m."), "Dr. Smith, am");
}
