//! The query-compliance checker on tests/data/query_leading_eval.tsv: 60 compliant and 60
//! non-compliant questions in two batches (A tuned on, B scored blind). A question counts as
//! flagged when a wording rule fires on it (leading, directive, agreement, statement-then-confirm,
//! single-diagnosis yes/no, impact or reimbursement); the other rules (indicators, options) are
//! about the rest of the draft and are held satisfied here.
//! Run `cargo test --test query_eval -- --nocapture` for the confusion counts.
use chartdesk::domain::query::{QueryType, YesNoPurpose};
use chartdesk::domain::query_compliance::{ComplianceInput, check};

const WORDING_RULES: &[&str] = &[
    "leading",
    "directive",
    "agreement",
    "statement_confirm",
    "yes_no_single",
    "impact",
    "reimbursement",
];

struct Row {
    batch: String,
    bad: bool,
    query_type: QueryType,
    purpose: Option<YesNoPurpose>,
    question: String,
}

fn rows() -> Vec<Row> {
    parse(include_str!("data/query_leading_eval.tsv"))
}

fn parse(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 5, "bad line: {l}");
            Row {
                batch: f[0].into(),
                bad: f[1] == "bad",
                query_type: match f[2] {
                    "mc" => QueryType::MultipleChoice,
                    "yesno" => QueryType::YesNo,
                    _ => QueryType::OpenEnded,
                },
                purpose: (!f[3].is_empty()).then(|| f[3].parse().unwrap()),
                question: f[4].into(),
            }
        })
        .collect()
}

fn flagged(r: &Row) -> Vec<&'static str> {
    let options: Vec<String> = match r.query_type {
        QueryType::YesNo => vec!["Yes".into(), "No".into(), "Clinically undetermined".into()],
        QueryType::MultipleChoice => vec![
            "Acute".into(),
            "Chronic".into(),
            "Other, please specify".into(),
            "Clinically undetermined".into(),
        ],
        QueryType::OpenEnded => vec![],
    };
    let indicators = vec!["Lactate 4.2, BP 82/50, WBC 18.2".to_string()];
    check(&ComplianceInput {
        query_type: r.query_type,
        purpose: r.purpose,
        provider: "Dr. Rivera",
        question: &r.question,
        options: &options,
        indicators: &indicators,
    })
    .into_iter()
    .map(|f| f.rule)
    .filter(|rule| WORDING_RULES.contains(rule))
    .collect()
}

/// (true positives, false negatives, false positives, true negatives) for a batch.
fn confusion(batch: &str, verbose: bool) -> (usize, usize, usize, usize) {
    confusion_of(&rows(), batch, verbose)
}

fn confusion_of(rows: &[Row], batch: &str, verbose: bool) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for r in rows.iter().filter(|r| r.batch == batch) {
        let f = flagged(r);
        match (r.bad, !f.is_empty()) {
            (true, true) => c.0 += 1,
            (true, false) => {
                c.1 += 1;
                if verbose {
                    println!("  missed [{batch}]: {}", r.question);
                }
            }
            (false, true) => {
                c.2 += 1;
                if verbose {
                    println!("  false alarm [{batch}] {f:?}: {}", r.question);
                }
            }
            (false, false) => c.3 += 1,
        }
    }
    c
}

#[test]
fn confusion_counts_on_the_evaluation_set() {
    let rows = rows();
    assert_eq!(rows.iter().filter(|r| r.bad).count(), 60);
    assert_eq!(rows.iter().filter(|r| !r.bad).count(), 60);
    let mut got = Vec::new();
    for batch in ["A", "B"] {
        let (tp, fneg, fp, tn) = confusion(batch, true);
        println!("batch {batch}: TP {tp}  FN {fneg}  FP {fp}  TN {tn}");
        got.push((tp, fneg, fp, tn));
    }
    // The counts the README reports (final checker).
    assert_eq!(got, FINAL, "update README and FINAL together");
}

/// Baseline (the phrase list before the rule table): A (10, 20, 2, 28), B (7, 23, 1, 29).
/// Batch B scored blind with the rule table: (30, 0, 0, 30).
const FINAL: [(usize, usize, usize, usize); 2] = [(30, 0, 0, 30), (30, 0, 0, 30)];

/// Batch C (tests/data/query_leading_eval_c.tsv): 32 fresh phrasings written before any rule change
/// and scored blind: TP 11 FN 5 FP 0 TN 16. The rules were then made more general (more request
/// forms, an adverb between subject and verb, negative questions); A and B stay at FINAL.
#[test]
fn blind_batch_c() {
    let rows = parse(include_str!("data/query_leading_eval_c.tsv"));
    assert_eq!(rows.iter().filter(|r| r.bad).count(), 16);
    assert_eq!(rows.iter().filter(|r| !r.bad).count(), 16);
    let got = confusion_of(&rows, "C", true);
    println!(
        "batch C (blind): TP {}  FN {}  FP {}  TN {}",
        got.0, got.1, got.2, got.3
    );
    assert_eq!(got, AFTER_C, "the figure the README reports");
}

/// After the rule change (no longer blind: the batch was seen).
const AFTER_C: (usize, usize, usize, usize) = (15, 1, 0, 16);
