//! The query compliance checker (AHIMA/ACDIS "Guidelines for Achieving a Compliant Query Practice"):
//! a pure function over a draft that lists what is wrong with it, shown inline while composing.
//!
//! Errors block sending; warnings are shown and may be sent anyway.
//!
//! | rule                   | severity | fires when                                                      |
//! |------------------------|----------|-----------------------------------------------------------------|
//! | `question_missing`     | error    | the question is empty                                           |
//! | `provider_missing`     | error    | no provider is addressed                                        |
//! | `reimbursement`        | error    | question or an option mentions payment or grouping (payment, reimbursement, DRG, CC, MCC, CMI, severity of illness, ...) |
//! | `leading`              | error    | question or an option is directive or leading by a rule of `assets/queries/leading_rules.tsv` (requests to document or add a diagnosis however phrased, agreement-seeking, tag questions, statement-then-confirm, single-diagnosis yes/no outside the permitted purposes, "meets criteria") |
//! | `impact`               | error    | question or an option states the impact of the answer (quality scores, risk adjustment, length of stay...; the table's `impact` rule) |
//! | `no_indicators`        | error    | no clinical indicator is pinned from the record                 |
//! | `options_missing`      | error    | multiple choice with fewer than two clinical options, or without "clinically undetermined" or "other, please specify"; yes/no without Yes and No |
//! | `yes_no_purpose`       | error    | yes/no without one of the permitted purposes                    |
//! | `yes_no_new_diagnosis` | error    | yes/no naming a diagnosis that no pinned indicator documents    |
//! | `unsupported_option`   | warning  | a multiple-choice option names a diagnosis no indicator supports |
//! | `yes_no_undetermined`  | warning  | yes/no without a "clinically undetermined" option               |
//! | `open_ended_options`   | warning  | an open-ended query carries options (they are not shown)        |
//! | `duplicate_option`     | warning  | the same option twice                                           |
//!
//! Word lists match on word boundaries (`CC` does not fire on "acc"), dotted abbreviations as plain
//! ones ("D.R.G." is DRG, "M.C.C." MCC); the abbreviations that are
//! also ordinary clinical words in lower case (CC = cubic centimetres, SOI) match in upper case only.
//! Indicator quotes are not checked for payment words: they are the record, quoted exactly.
//!
//! **Supported options.** An option "introduces a new diagnosis" unless a pinned indicator supports
//! it. For a condition chartdesk knows (heart failure, sepsis, malnutrition, acute kidney injury,
//! anemia, encephalopathy, respiratory failure, pneumonia) an option is supported when a quote names
//! the condition or holds one of its clinical indicators (e.g. BNP, ejection fraction, diuresis for
//! heart failure; lactate, WBC, fever for sepsis). For other wording, an option is supported when
//! one of its significant words (four letters or more, not a qualifier such as acute, chronic,
//! type) begins a word in a quote (first five letters). Options that only qualify (acuity, type) or
//! are standard ("clinically undetermined", "other", yes/no, POA phrases, "ruled out") are never
//! new diagnoses. This is a warning, not an error: indicators often support a diagnosis in words
//! the lexicon does not know, and the CDI specialist judges. A yes/no query is stricter (an error):
//! every diagnosis it names must itself appear in a pinned quote, because yes/no may only confirm
//! what is documented.
use super::query::{QueryType, YesNoPurpose, is_other_option, is_undetermined_option, words};
use super::query_lexicon::{
    CONDITIONS, Condition, PAYMENT_ABBREVIATIONS, PAYMENT_WORDS, QUALIFIERS,
};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One thing the checker found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable rule name (see the module table).
    pub rule: &'static str,
    pub message: String,
}

/// What the checker looks at: a draft as the composer holds it.
#[derive(Debug, Clone, Copy)]
pub struct ComplianceInput<'a> {
    pub query_type: QueryType,
    pub purpose: Option<YesNoPurpose>,
    pub provider: &'a str,
    pub question: &'a str,
    pub options: &'a [String],
    /// The pinned indicators' quotes.
    pub indicators: &'a [String],
}

/// True when any finding blocks sending.
pub fn has_errors(f: &[Finding]) -> bool {
    f.iter().any(|x| x.severity == Severity::Error)
}

/// Options that are never a new diagnosis (standard answers).
fn is_standard_option(o: &str) -> bool {
    let n = norm(o);
    is_undetermined_option(o)
        || is_other_option(o)
        || [
            "yes",
            "no",
            "none",
            "none of the above",
            "unable to determine",
            "not applicable",
        ]
        .iter()
        .any(|s| n.trim() == *s)
        || [
            " ruled out ",
            " not present ",
            " present on admission ",
            " not clinically significant ",
            " integral to ",
            " no further ",
            " not applicable ",
        ]
        .iter()
        .any(|p| n.contains(p))
}

/// Lowercase, every non-alphanumeric a space, single spaces, padded with one space each side.
fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    for w in words(s) {
        out.push_str(&w);
        out.push(' ');
    }
    out
}

/// Whether normalized `hay` holds `pattern` on word boundaries; `*` ends a word prefix, and a lone
/// `*` word matches any one word.
fn has(hay: &str, pattern: &str) -> bool {
    let toks: Vec<&str> = pattern.split(' ').filter(|t| !t.is_empty()).collect();
    let hw: Vec<&str> = hay.split(' ').filter(|t| !t.is_empty()).collect();
    if toks.is_empty() || toks.len() > hw.len() {
        return false;
    }
    (0..=hw.len() - toks.len()).any(|i| {
        toks.iter().enumerate().all(|(j, t)| {
            let w = hw[i + j];
            match t.strip_suffix('*') {
                Some("") => true,
                Some(prefix) => w.starts_with(prefix),
                None => w == *t,
            }
        })
    })
}

fn first_hit<'a>(hay: &str, list: &[&'a str]) -> Option<&'a str> {
    list.iter().copied().find(|p| has(hay, &norm_pattern(p)))
}

/// Normalizes a pattern like text but keeps `*` markers.
fn norm_pattern(p: &str) -> String {
    p.split(|c: char| !(c.is_alphanumeric() || c == '*'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Joins dotted abbreviations into words ("d.r.g." → "drg", "M.C.C" → "MCC"), keeping their case,
/// so they match as the plain abbreviations do. Only runs of single letters each followed by a dot
/// (the last dot optional) join; "e.g.", "a.m." become "eg", "am", which match nothing.
fn undot(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let single_letter = |j: usize| {
        chars[j].is_alphabetic() && chars.get(j + 1).is_none_or(|c| !c.is_alphanumeric())
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if i == 0 || !chars[i - 1].is_alphanumeric() {
            let (mut j, mut letters, mut dots) = (i, String::new(), 0);
            while j < chars.len() && single_letter(j) {
                letters.push(chars[j]);
                j += 1;
                if chars.get(j) != Some(&'.') {
                    break;
                }
                dots += 1;
                j += 1;
            }
            let n = letters.chars().count();
            if n >= 2 && dots + 1 >= n {
                out.push_str(&letters);
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn payment_hit(text: &str) -> Option<String> {
    let text = &undot(text);
    if let Some(w) = first_hit(&norm(text), PAYMENT_WORDS) {
        return Some(w.trim_end_matches('*').to_string());
    }
    text.split(|c: char| !c.is_alphanumeric())
        .find(|t| PAYMENT_ABBREVIATIONS.contains(t))
        .map(String::from)
}

/// The first payment or grouping word in `text`, if any (to check what is rendered for providers).
pub fn mentions_payment(text: &str) -> Option<String> {
    payment_hit(text)
}

/// The known conditions `text` names.
fn conditions_named(text: &str) -> Vec<&'static Condition> {
    let n = norm(text);
    CONDITIONS
        .iter()
        .filter(|c| first_hit(&n, c.names).is_some())
        .collect()
}

/// Whether some quote supports `option` (see the module doc).
fn option_supported(option: &str, quotes: &[String]) -> bool {
    let quotes: Vec<String> = quotes.iter().map(|q| norm(q)).collect();
    let named = conditions_named(option);
    if !named.is_empty() {
        return named.iter().all(|c| {
            quotes
                .iter()
                .any(|q| first_hit(q, c.names).is_some() || first_hit(q, c.evidence).is_some())
        });
    }
    let significant: Vec<String> = words(option)
        .into_iter()
        .filter(|w| w.chars().count() >= 4 && !QUALIFIERS.contains(&w.as_str()))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    if significant.is_empty() {
        return true;
    }
    significant.iter().any(|w| {
        let stem: String = w.chars().take(5).collect();
        quotes.iter().any(|q| has(q, &format!("{stem}*")))
    })
}

/// Checks a draft; findings come errors first, in rule order.
pub fn check(input: &ComplianceInput<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |severity, rule, message: String| {
        out.push(Finding {
            severity,
            rule,
            message,
        })
    };
    use Severity::{Error, Warning};
    let question = input.question.trim();
    if question.is_empty() {
        push(
            Error,
            "question_missing",
            "the query has no question: write what you ask the provider".into(),
        );
    }
    if input.provider.trim().is_empty() {
        push(
            Error,
            "provider_missing",
            "no provider is addressed: name the provider who documented the care".into(),
        );
    }
    let texts = std::iter::once(("the question".to_string(), question))
        .chain(
            input
                .options
                .iter()
                .map(|o| (format!("option \"{}\"", o.trim()), o.as_str())),
        )
        .collect::<Vec<_>>();
    for (where_, text) in &texts {
        if let Some(w) = payment_hit(text) {
            push(
                Error,
                "reimbursement",
                format!(
                    "{where_} mentions \"{w}\": a query never refers to payment, reimbursement or \
                     grouping"
                ),
            );
        }
    }
    let table = super::query_rules::builtin();
    for (where_, text) in &texts {
        for (rule, words) in table.first_hit(text, input.query_type) {
            let (finding, what) = match rule.finding.as_str() {
                "impact" => ("impact", "states the impact of the answer"),
                _ => ("leading", "is leading"),
            };
            push(
                Error,
                finding,
                format!(
                    "{where_} {what} (\"{words}\", rule {}): {} (ACDIS/AHIMA compliant query \
                     practice, 2022)",
                    rule.id, rule.principle
                ),
            );
        }
    }
    let quotes: Vec<String> = input
        .indicators
        .iter()
        .filter(|q| !q.trim().is_empty())
        .cloned()
        .collect();
    if quotes.is_empty() {
        push(
            Error,
            "no_indicators",
            "no clinical indicators: pin the supporting text from the notes (select it and pin)"
                .into(),
        );
    }
    let opts: Vec<&str> = input
        .options
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    match input.query_type {
        QueryType::MultipleChoice => {
            let clinical = opts.iter().filter(|o| !is_standard_option(o)).count();
            if clinical < 2 {
                push(
                    Error,
                    "options_missing",
                    format!(
                        "a multiple-choice query needs at least two clinically reasonable options \
                         ({clinical} given)"
                    ),
                );
            }
            if !opts.iter().any(|o| is_undetermined_option(o)) {
                push(
                    Error,
                    "options_missing",
                    "multiple choice must offer \"clinically undetermined\"".into(),
                );
            }
            if !opts.iter().any(|o| is_other_option(o)) {
                push(
                    Error,
                    "options_missing",
                    "multiple choice must offer \"other, please specify\"".into(),
                );
            }
        }
        QueryType::YesNo => {
            for want in ["yes", "no"] {
                if !opts.iter().any(|o| o.eq_ignore_ascii_case(want)) {
                    push(
                        Error,
                        "options_missing",
                        format!("a yes/no query must offer \"{want}\""),
                    );
                }
            }
            if !opts.iter().any(|o| is_undetermined_option(o)) {
                push(
                    Warning,
                    "yes_no_undetermined",
                    "a yes/no query should also offer \"clinically undetermined\"".into(),
                );
            }
            if input.purpose.is_none() {
                push(
                    Error,
                    "yes_no_purpose",
                    "yes/no is only for confirming a documented diagnosis, present-on-admission \
                     status, cause and effect, or conflicting documentation: choose the purpose or \
                     use multiple choice"
                        .into(),
                );
            }
            let norm_quotes: Vec<String> = quotes.iter().map(|q| norm(q)).collect();
            for c in conditions_named(question) {
                if !norm_quotes.iter().any(|q| first_hit(q, c.names).is_some()) {
                    push(
                        Error,
                        "yes_no_new_diagnosis",
                        format!(
                            "yes/no may not introduce a new diagnosis: {} is not documented in any \
                             pinned indicator; pin where it is documented, or use multiple choice \
                             or open-ended",
                            c.name
                        ),
                    );
                }
            }
        }
        QueryType::OpenEnded => {
            if !opts.is_empty() {
                push(
                    Warning,
                    "open_ended_options",
                    "an open-ended query shows no options: remove them or use multiple choice"
                        .into(),
                );
            }
        }
    }
    if input.query_type == QueryType::MultipleChoice && !quotes.is_empty() {
        for o in &opts {
            if !is_standard_option(o) && !option_supported(o, &quotes) {
                push(
                    Warning,
                    "unsupported_option",
                    format!(
                        "option \"{o}\" names a diagnosis no pinned indicator supports: pin the \
                         clinical indicators for it or drop the option"
                    ),
                );
            }
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for o in &opts {
        let n = norm(o);
        if seen.contains(&n) {
            push(
                Warning,
                "duplicate_option",
                format!("option \"{o}\" is listed twice"),
            );
        } else {
            seen.push(n);
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

#[cfg(test)]
#[path = "query_compliance_tests.rs"]
mod tests;
