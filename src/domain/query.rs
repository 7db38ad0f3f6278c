//! Documentation queries to providers: their kinds, the lifecycle as one state machine, and pinned
//! clinical indicators. Pure types and rules; the compliance checker is in `query_compliance`.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! query_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal : $label:literal),+ $(,)? } expect $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $s)] $var),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The stored and typed form (snake_case).
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
            /// Words for people.
            pub fn label(self) -> &'static str { match self { $($name::$var => $label),+ } }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
        impl FromStr for $name {
            type Err = String;
            /// Accepts the stored form, with `-` or spaces for `_`, in any case.
            fn from_str(s: &str) -> Result<Self, String> {
                let l = s.trim().replace(['-', ' '], "_");
                $(if l.eq_ignore_ascii_case($s) { return Ok($name::$var); })+
                Err(format!(concat!("'{}' is not ", $what, "; use one of: {}"), s,
                    [$($s),+].join(", ")))
            }
        }
    };
}

query_enum!(
    /// The three query formats of the AHIMA/ACDIS practice brief.
    QueryType {
        OpenEnded = "open_ended": "open-ended",
        MultipleChoice = "multiple_choice": "multiple choice",
        YesNo = "yes_no": "yes/no",
    } expect "a query type"
);

query_enum!(
    /// Where a query is in its lifecycle. "No response" is a closure with outcome `no_response`.
    QueryStatus {
        Draft = "draft": "draft",
        Open = "open": "open (sent)",
        Escalated = "escalated": "escalated",
        Answered = "answered": "answered",
        Closed = "closed": "closed",
        Canceled = "canceled": "canceled",
    } expect "a query status"
);

query_enum!(
    /// The provider's answer, as entered by the CDI specialist or coder.
    Outcome {
        Agreed = "agreed": "agreed",
        Disagreed = "disagreed": "disagreed",
        ClinicallyUndetermined = "clinically_undetermined": "clinically undetermined",
        NoResponse = "no_response": "no response",
    } expect "a query outcome"
);

query_enum!(
    /// What a yes/no query may be used for (never to introduce a new diagnosis).
    YesNoPurpose {
        /// Confirm a diagnosis already documented in the record (e.g. by another clinician).
        ConfirmDocumented = "confirm_documented": "confirm a documented diagnosis",
        /// Present-on-admission status of a documented condition.
        Poa = "poa": "present-on-admission status",
        /// A cause-and-effect relationship between documented conditions.
        CauseAndEffect = "cause_and_effect": "cause and effect",
        /// Resolve documentation that conflicts between providers or notes.
        ResolveConflict = "resolve_conflict": "resolve conflicting documentation",
    } expect "a yes/no purpose"
);

impl QueryStatus {
    /// Sent and waiting for the provider: the encounter is on hold.
    pub fn is_pending(self) -> bool {
        matches!(self, QueryStatus::Open | QueryStatus::Escalated)
    }
    /// Nothing more can happen to the query.
    pub fn is_final(self) -> bool {
        matches!(self, QueryStatus::Closed | QueryStatus::Canceled)
    }
}

impl Outcome {
    /// Outcomes a person may enter as the provider's answer (no_response comes only from closure).
    pub const ANSWERS: [Outcome; 3] = [
        Outcome::Agreed,
        Outcome::Disagreed,
        Outcome::ClinicallyUndetermined,
    ];
    pub fn is_answer(self) -> bool {
        self != Outcome::NoResponse
    }
}

/// Everything that can happen to a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryEvent {
    /// Change the question, options, provider or indicators.
    Edit,
    /// Send to the provider.
    Send,
    /// Unanswered past the escalation time: goes to the physician advisor.
    Escalate,
    /// The provider's response is entered.
    Answer,
    /// Close an answered query.
    Close,
    /// Close without a response after the no-response limit.
    CloseNoResponse,
    /// Withdraw the query (with a reason).
    Cancel,
}

impl QueryEvent {
    pub const ALL: [QueryEvent; 7] = [
        QueryEvent::Edit,
        QueryEvent::Send,
        QueryEvent::Escalate,
        QueryEvent::Answer,
        QueryEvent::Close,
        QueryEvent::CloseNoResponse,
        QueryEvent::Cancel,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            QueryEvent::Edit => "edit",
            QueryEvent::Send => "send",
            QueryEvent::Escalate => "escalate",
            QueryEvent::Answer => "answer",
            QueryEvent::Close => "close",
            QueryEvent::CloseNoResponse => "close without response",
            QueryEvent::Cancel => "cancel",
        }
    }
    /// The stored name (query history, audit actions `query_<key>`).
    pub fn key(self) -> &'static str {
        match self {
            QueryEvent::CloseNoResponse => "close_no_response",
            e => e.as_str(),
        }
    }
}

impl fmt::Display for QueryEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The target state of `event` from `from`, or None when the pair is illegal. The whole state
/// machine is this table:
///
/// | from       | edit  | send | escalate  | answer   | close  | close no response | cancel   |
/// |------------|-------|------|-----------|----------|--------|-------------------|----------|
/// | draft      | draft | open |           |          |        |                   | canceled |
/// | open       |       |      | escalated | answered |        | closed            | canceled |
/// | escalated  |       |      |           | answered |        | closed            | canceled |
/// | answered   |       |      |           |          | closed |                   |          |
/// | closed     |       |      |           |          |        |                   |          |
/// | canceled   |       |      |           |          |        |                   |          |
pub fn target(from: QueryStatus, event: QueryEvent) -> Option<QueryStatus> {
    use QueryEvent as E;
    use QueryStatus as S;
    match (from, event) {
        (S::Draft, E::Edit) => Some(S::Draft),
        (S::Draft, E::Send) => Some(S::Open),
        (S::Draft | S::Open | S::Escalated, E::Cancel) => Some(S::Canceled),
        (S::Open, E::Escalate) => Some(S::Escalated),
        (S::Open | S::Escalated, E::Answer) => Some(S::Answered),
        (S::Open | S::Escalated, E::CloseNoResponse) => Some(S::Closed),
        (S::Answered, E::Close) => Some(S::Closed),
        _ => None,
    }
}

/// The events allowed from a state, in `QueryEvent::ALL` order.
pub fn allowed(from: QueryStatus) -> Vec<QueryEvent> {
    QueryEvent::ALL
        .into_iter()
        .filter(|e| target(from, *e).is_some())
        .collect()
}

/// Applies `event` to a query in state `from`; an illegal pair gives a message naming the state and
/// what is allowed from it.
pub fn transition(from: QueryStatus, event: QueryEvent) -> Result<QueryStatus, String> {
    target(from, event).ok_or_else(|| {
        let ok = allowed(from);
        let what = if ok.is_empty() {
            "nothing more can be done to it".to_string()
        } else {
            let names: Vec<&str> = ok.iter().map(|e| e.as_str()).collect();
            format!("from {} it can only: {}", from.as_str(), names.join(", "))
        };
        format!("cannot {event} a query that is {}: {what}", from.label())
    })
}

/// A clinical indicator pinned from a note: the exact quote with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// Row id of the pinned indicator.
    pub id: i64,
    /// Row id of the note (`notes.id`).
    pub note_row_id: i64,
    /// The note's external id.
    pub note_id: String,
    pub note_type: String,
    pub author: String,
    pub written_at: String,
    /// The text between `start` and `end`, exactly as in the note.
    pub quote: String,
    /// Offsets in characters (Unicode scalar values, as SQLite's substr/length count them),
    /// `start` inclusive, `end` exclusive.
    pub start: i64,
    pub end: i64,
}

/// Labels every multiple-choice query offers (AHIMA/ACDIS): added by the composer, checked anyway.
pub const UNDETERMINED_OPTION: &str = "Clinically undetermined";
pub const OTHER_OPTION: &str = "Other, please specify";

/// The options a yes/no query offers.
pub const YES_NO_OPTIONS: [&str; 3] = ["Yes", "No", UNDETERMINED_OPTION];

/// Lowercase words of `s` (letters and digits), for comparing option labels loosely.
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// True if `label` is the "clinically undetermined" option (any case, punctuation or wording
/// "unable to determine").
pub fn is_undetermined_option(label: &str) -> bool {
    let w = words(label).join(" ");
    w.contains("clinically undetermined")
        || w.contains("unable to determine")
        || w.contains("cannot be clinically determined")
}

/// True if `label` is the "other, please specify" option.
pub fn is_other_option(label: &str) -> bool {
    let w = words(label);
    w.first().is_some_and(|f| f == "other") && w.iter().any(|x| x == "specify")
}

/// The options a composer stores: the user's, without blanks and duplicates, then the required
/// ones for the query type when missing (multiple choice: undetermined and other; yes/no: yes, no,
/// undetermined; open-ended: none).
pub fn complete_options(t: QueryType, given: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in given {
        let o = o.trim();
        if !o.is_empty() && !out.iter().any(|x| x.eq_ignore_ascii_case(o)) {
            out.push(o.to_string());
        }
    }
    match t {
        QueryType::OpenEnded => {}
        QueryType::MultipleChoice => {
            if !out.iter().any(|o| is_undetermined_option(o)) {
                out.push(UNDETERMINED_OPTION.into());
            }
            if !out.iter().any(|o| is_other_option(o)) {
                out.push(OTHER_OPTION.into());
            }
        }
        QueryType::YesNo => {
            for want in YES_NO_OPTIONS {
                let present = if want == UNDETERMINED_OPTION {
                    out.iter().any(|o| is_undetermined_option(o))
                } else {
                    out.iter().any(|o| o.eq_ignore_ascii_case(want))
                };
                if !present {
                    out.push(want.into());
                }
            }
        }
    }
    out
}

/// Finds `quote` in `body`; returns character offsets (start, end). Exact match first, then a
/// case-insensitive one.
pub fn find_quote(body: &str, quote: &str) -> Option<(i64, i64)> {
    let quote = quote.trim();
    if quote.is_empty() {
        return None;
    }
    let byte = body.find(quote).or_else(|| {
        let lb = body.to_lowercase();
        let lq = quote.to_lowercase();
        // Lowercasing can change byte lengths; only trust it when it did not.
        (lb.len() == body.len() && lq.len() == quote.len())
            .then(|| lb.find(&lq))
            .flatten()
    })?;
    let start = body[..byte].chars().count() as i64;
    let len = body[byte..byte + quote.len()].chars().count() as i64;
    Some((start, start + len))
}

/// The character offset (as `Indicator` and `Service::pin_indicator` count) of byte offset `byte`
/// in `body`; None when `byte` is past the end or inside a multi-byte character.
pub fn char_offset(body: &str, byte: usize) -> Option<i64> {
    (byte <= body.len() && body.is_char_boundary(byte)).then(|| body[..byte].chars().count() as i64)
}

/// A template for a common query: prefilled question and options, and what to look for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryTemplate {
    /// Short key, e.g. `heart_failure`.
    pub name: String,
    pub title: String,
    pub query_type: QueryType,
    pub purpose: Option<YesNoPurpose>,
    pub question: String,
    pub options: Vec<String>,
    /// Clinical indicators to look for in the notes before sending.
    pub look_for: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use QueryEvent as E;
    use QueryStatus as S;

    #[test]
    fn every_state_event_pair() {
        let legal = [
            (S::Draft, E::Edit, S::Draft),
            (S::Draft, E::Send, S::Open),
            (S::Draft, E::Cancel, S::Canceled),
            (S::Open, E::Escalate, S::Escalated),
            (S::Open, E::Answer, S::Answered),
            (S::Open, E::CloseNoResponse, S::Closed),
            (S::Open, E::Cancel, S::Canceled),
            (S::Escalated, E::Answer, S::Answered),
            (S::Escalated, E::CloseNoResponse, S::Closed),
            (S::Escalated, E::Cancel, S::Canceled),
            (S::Answered, E::Close, S::Closed),
        ];
        let mut seen = 0;
        for from in S::ALL {
            for ev in E::ALL {
                let want = legal
                    .iter()
                    .find(|(f, e, _)| f == from && *e == ev)
                    .map(|l| l.2);
                match (transition(*from, ev), want) {
                    (Ok(to), Some(w)) => {
                        assert_eq!(to, w, "{from} {ev}");
                        seen += 1;
                    }
                    (Err(msg), None) => {
                        assert!(msg.contains(from.label()), "{msg}");
                        assert!(msg.contains(ev.as_str()), "{msg}");
                        for ok in allowed(*from) {
                            assert!(msg.contains(ok.as_str()), "{msg} lacks {ok}");
                        }
                    }
                    (got, want) => panic!("{from} {ev}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert_eq!(seen, legal.len());
        assert_eq!(S::ALL.len() * E::ALL.len(), 42);
    }

    #[test]
    fn illegal_messages_say_what_is_allowed() {
        let m = transition(S::Answered, E::Send).unwrap_err();
        assert_eq!(
            m,
            "cannot send a query that is answered: from answered it can only: close"
        );
        let m = transition(S::Closed, E::Answer).unwrap_err();
        assert!(m.contains("nothing more can be done"), "{m}");
        assert!(S::Open.is_pending() && S::Escalated.is_pending());
        assert!(!S::Draft.is_pending() && !S::Answered.is_pending());
        assert!(S::Closed.is_final() && S::Canceled.is_final() && !S::Answered.is_final());
    }

    #[test]
    fn enums_parse_loosely() {
        assert_eq!(
            "multiple-choice".parse::<QueryType>(),
            Ok(QueryType::MultipleChoice)
        );
        assert_eq!("Yes_No".parse::<QueryType>(), Ok(QueryType::YesNo));
        assert_eq!(
            "clinically undetermined".parse::<Outcome>(),
            Ok(Outcome::ClinicallyUndetermined)
        );
        assert!("maybe".parse::<Outcome>().unwrap_err().contains("agreed"));
        for s in QueryStatus::ALL {
            assert_eq!(s.as_str().parse::<QueryStatus>(), Ok(*s));
        }
        assert!(!Outcome::NoResponse.is_answer() && Outcome::Agreed.is_answer());
    }

    #[test]
    fn composer_adds_required_options_once() {
        let mc = complete_options(
            QueryType::MultipleChoice,
            &["Acute systolic".into(), " ".into(), "acute systolic".into()],
        );
        assert_eq!(mc, ["Acute systolic", UNDETERMINED_OPTION, OTHER_OPTION]);
        let again = complete_options(QueryType::MultipleChoice, &mc);
        assert_eq!(again, mc);
        let mc2 = complete_options(
            QueryType::MultipleChoice,
            &[
                "Unable to determine".into(),
                "Other (please specify)".into(),
            ],
        );
        assert_eq!(mc2.len(), 2);
        assert_eq!(
            complete_options(QueryType::YesNo, &[]),
            ["Yes", "No", UNDETERMINED_OPTION]
        );
        assert!(complete_options(QueryType::OpenEnded, &[]).is_empty());
        assert!(is_other_option("Other, please specify"));
        assert!(!is_other_option("Specify other findings"));
    }

    #[test]
    fn quotes_are_found_in_characters() {
        let body = "Pt febrile. Lactate 4.2 mmol/L; WBC 18.";
        assert_eq!(find_quote(body, "Lactate 4.2"), Some((12, 23)));
        assert_eq!(find_quote(body, "lactate 4.2"), Some((12, 23)));
        let accented = "Café noted. BNP 1250.";
        assert_eq!(find_quote(accented, "BNP 1250"), Some((12, 20)));
        assert_eq!(find_quote(body, "troponin"), None);
        assert_eq!(find_quote(body, "  "), None);
        assert_eq!(char_offset(accented, 12), Some(11));
        assert_eq!(char_offset(accented, 4), None, "inside the é");
        assert_eq!(char_offset(accented, accented.len()), Some(21));
        assert_eq!(char_offset(accented, accented.len() + 1), None);
    }
}
