//! The notes query language, parsed into plain data (no tantivy here).
//!
//! - words: all must match (`sepsis lactate`)
//! - `"quoted phrases"`
//! - `OR` between two words or phrases: either (`nstemi OR "myocardial infarction"`)
//! - `-word`, `-"phrase"`, `-type:progress`: exclusion
//! - `word*`: prefix; while typing, the last word is a prefix unless followed by a space
//! - filters: `type:discharge` (note type, aliases and word prefixes), `author:smith`,
//!   `after:2024-01-01` (on or after), `before:2024-02-01` (strictly before), `enc:inpatient`
//!
//! A query that cannot be read (an unclosed quote, a dangling `OR`) is never an error: it is searched
//! as plain words and `messages` says so. A filter with a bad value is dropped with a message.
use crate::domain::EncounterType;
use chrono::NaiveDate;

/// A word or phrase as typed; analysis into tokens happens when the query is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub text: String,
    /// Quoted: the words must appear in this order, next to each other.
    pub phrase: bool,
    /// The last token is a prefix (`word*`, or the word being typed).
    pub prefix: bool,
}

/// A field filter. Several `type:` (or `enc:`) values widen the filter; authors and dates narrow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Canonical note types, any of them.
    Types(Vec<String>),
    /// Words of the author's name.
    Author(String),
    /// Written on or after this day (UTC).
    After(NaiveDate),
    /// Written before this day (UTC).
    Before(NaiveDate),
    /// Encounter types, any of them.
    Enc(Vec<EncounterType>),
}

/// A parsed query: `groups` are ANDed, the units inside a group ORed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<Unit>>,
    pub exclude: Vec<Unit>,
    /// (filter, negated)
    pub filters: Vec<(Filter, bool)>,
    /// What the user should be told: a fallback to plain words, a dropped filter.
    pub messages: Vec<String>,
    /// True when the query could not be read and was searched as plain words.
    pub fell_back: bool,
}

impl ParsedQuery {
    /// True when nothing at all constrains the search.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.exclude.is_empty() && self.filters.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Word(String),
    Phrase(String),
    Or,
    Field(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Lexeme {
    neg: bool,
    kind: Kind,
}

const FIELDS: &[&str] = &["type", "author", "after", "before", "enc"];

/// Parses `input`. With `typing` (search as you type), the last bare word is a prefix unless the
/// input ends in whitespace; that is the only difference, so the screen and the command line read a
/// query the same way (an unclosed quote falls back to plain words in both, with the same message).
pub fn parse(input: &str, typing: bool) -> ParsedQuery {
    match parse_strict(input, typing) {
        Ok(q) => q,
        Err(reason) => {
            let mut q = fallback(input, &reason);
            if typing
                && !input.ends_with(|c: char| c.is_whitespace() || c == '"')
                && let Some(last) = q.groups.last_mut().and_then(|g| g.last_mut())
            {
                last.prefix = true;
            }
            q
        }
    }
}

fn fallback(input: &str, reason: &str) -> ParsedQuery {
    let words: Vec<String> = input
        .split(|c: char| c.is_whitespace() || c == '"')
        .map(|w| w.trim_start_matches('-').trim_end_matches('*'))
        .filter(|w| !w.is_empty() && *w != "OR")
        .map(String::from)
        .collect();
    let message = if words.is_empty() {
        format!("Could not read the query ({reason}); nothing to search for")
    } else {
        format!(
            "Could not read the query ({reason}): searched for the words {}",
            words.join(" ")
        )
    };
    ParsedQuery {
        groups: words
            .into_iter()
            .map(|w| {
                vec![Unit {
                    text: w,
                    phrase: false,
                    prefix: false,
                }]
            })
            .collect(),
        exclude: vec![],
        filters: vec![],
        messages: vec![message],
        fell_back: true,
    }
}

fn lex(input: &str) -> Result<Vec<Lexeme>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut neg = false;
        if chars[i] == '-'
            && chars
                .get(i + 1)
                .is_some_and(|c| !c.is_whitespace() && *c != '-')
        {
            neg = true;
            i += 1;
        }
        if chars[i] == '"' {
            let (text, next) = read_quoted(&chars, i + 1)?;
            i = next;
            out.push(Lexeme {
                neg,
                kind: Kind::Phrase(text),
            });
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            if chars[i] == ':' {
                break;
            }
            i += 1;
        }
        let head: String = chars[start..i].iter().collect();
        if i < chars.len()
            && chars[i] == ':'
            && FIELDS.contains(&head.to_ascii_lowercase().as_str())
        {
            i += 1;
            let value = if chars.get(i) == Some(&'"') {
                let (v, next) = read_quoted(&chars, i + 1)?;
                i = next;
                v
            } else {
                let vs = i;
                while i < chars.len() && !chars[i].is_whitespace() {
                    i += 1;
                }
                chars[vs..i].iter().collect()
            };
            if value.trim().is_empty() {
                return Err(format!("{head}: needs a value"));
            }
            out.push(Lexeme {
                neg,
                kind: Kind::Field(head.to_ascii_lowercase(), value.trim().to_string()),
            });
            continue;
        }
        // A plain word, possibly with ':' or a quote inside it.
        while i < chars.len() && !chars[i].is_whitespace() {
            if chars[i] == '"' {
                return Err("a quote is not at the start of a phrase".into());
            }
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if word == "OR" && !neg {
            out.push(Lexeme {
                neg,
                kind: Kind::Or,
            });
        } else {
            out.push(Lexeme {
                neg,
                kind: Kind::Word(word),
            });
        }
    }
    Ok(out)
}

/// Reads a quoted string starting after the opening quote; returns it and the index after the
/// closing quote.
fn read_quoted(chars: &[char], from: usize) -> Result<(String, usize), String> {
    let mut j = from;
    while j < chars.len() && chars[j] != '"' {
        j += 1;
    }
    if j == chars.len() {
        return Err("a quote is not closed".into());
    }
    let text: String = chars[from..j.min(chars.len())].iter().collect();
    Ok((text, (j + 1).min(chars.len())))
}

fn parse_strict(input: &str, typing: bool) -> Result<ParsedQuery, String> {
    let lexemes = lex(input)?;
    let mut q = ParsedQuery::default();
    let mut pending_or = false;
    let n = lexemes.len();
    for (idx, lx) in lexemes.into_iter().enumerate() {
        match lx.kind {
            Kind::Or => {
                let prev_ok = q.groups.last().is_some() && !pending_or;
                if !prev_ok || idx + 1 == n {
                    return Err("OR needs a word or phrase on each side".into());
                }
                pending_or = true;
            }
            Kind::Field(name, value) => {
                if pending_or {
                    return Err("OR cannot join a filter".into());
                }
                match parse_filter(&name, &value) {
                    Ok(f) => q.filters.push((f, lx.neg)),
                    Err(m) => q.messages.push(m),
                }
            }
            Kind::Word(w) => {
                let prefix = w.ends_with('*');
                let text = w.trim_end_matches('*').to_string();
                if text.is_empty() {
                    continue;
                }
                let unit = Unit {
                    text,
                    phrase: false,
                    prefix,
                };
                push_unit(&mut q, unit, lx.neg, &mut pending_or)?;
            }
            Kind::Phrase(p) => {
                if p.trim().is_empty() {
                    continue;
                }
                let unit = Unit {
                    text: p,
                    phrase: true,
                    prefix: false,
                };
                push_unit(&mut q, unit, lx.neg, &mut pending_or)?;
            }
        }
    }
    if pending_or {
        return Err("OR needs a word or phrase on each side".into());
    }
    if typing
        && !input.ends_with(char::is_whitespace)
        && let Some(last) = q.groups.last_mut().and_then(|g| g.last_mut())
        && !last.phrase
        && input.trim_end().ends_with(last.text.as_str())
    {
        last.prefix = true;
    }
    Ok(q)
}

fn push_unit(
    q: &mut ParsedQuery,
    unit: Unit,
    neg: bool,
    pending_or: &mut bool,
) -> Result<(), String> {
    if neg {
        if *pending_or {
            return Err("OR cannot join an exclusion".into());
        }
        q.exclude.push(unit);
    } else if *pending_or {
        *pending_or = false;
        match q.groups.last_mut() {
            Some(g) => g.push(unit),
            None => return Err("OR needs a word or phrase on each side".into()),
        }
    } else {
        q.groups.push(vec![unit]);
    }
    Ok(())
}

fn parse_filter(name: &str, value: &str) -> Result<Filter, String> {
    match name {
        "type" => {
            let types = crate::notes::types::matching(value);
            if types.is_empty() {
                Err(format!(
                    "type:{value} is not a note type, so that filter was left out (types: {})",
                    crate::notes::types::names()
                ))
            } else {
                Ok(Filter::Types(types.into_iter().map(String::from).collect()))
            }
        }
        "author" => Ok(Filter::Author(value.to_string())),
        "after" => parse_day(value, false)
            .map(Filter::After)
            .ok_or_else(|| bad_date("after", value)),
        "before" => parse_day(value, false)
            .map(Filter::Before)
            .ok_or_else(|| bad_date("before", value)),
        "enc" => enc_types(value).map(Filter::Enc).ok_or_else(|| {
            format!(
                "enc:{value} is not an encounter type, so that filter was left out (use inpatient, \
                 outpatient, emergency, observation or professional)"
            )
        }),
        _ => Err(format!("unknown filter {name}:")),
    }
}

fn bad_date(name: &str, value: &str) -> String {
    format!(
        "{name}:{value} is not a date, so that filter was left out (use YYYY-MM-DD, YYYY-MM or YYYY)"
    )
}

/// YYYY-MM-DD, YYYY-MM (the first of the month) or YYYY (January 1).
pub fn parse_day(s: &str, _end: bool) -> Option<NaiveDate> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        return Some(d);
    }
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&format!("{s}-01-01"), "%Y-%m-%d").ok();
    }
    None
}

/// Encounter types for `enc:` values, with common abbreviations; comma-separated values widen.
pub fn enc_types(value: &str) -> Option<Vec<EncounterType>> {
    let mut out = Vec::new();
    for v in value.split(',') {
        let t = match v.trim().to_ascii_lowercase().as_str() {
            "inpatient" | "ip" | "inpt" | "inp" | "in" => EncounterType::Inpatient,
            "outpatient" | "op" | "outpt" | "out" => EncounterType::Outpatient,
            "emergency" | "ed" | "er" | "emerg" => EncounterType::Emergency,
            "observation" | "obs" => EncounterType::Observation,
            "professional" | "pro" | "prof" | "office" => EncounterType::Professional,
            _ => return None,
        };
        if !out.contains(&t) {
            out.push(t);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(t: &str) -> Unit {
        Unit {
            text: t.into(),
            phrase: false,
            prefix: false,
        }
    }
    fn p(t: &str) -> Unit {
        Unit {
            text: t.into(),
            phrase: true,
            prefix: false,
        }
    }

    #[test]
    fn words_phrases_or_and_exclusion() {
        let q = parse(
            r#"sepsis "lactic acid" nstemi OR stemi -fever -"rule out""#,
            false,
        );
        assert!(!q.fell_back);
        assert_eq!(
            q.groups,
            vec![
                vec![w("sepsis")],
                vec![p("lactic acid")],
                vec![w("nstemi"), w("stemi")]
            ]
        );
        assert_eq!(q.exclude, vec![w("fever"), p("rule out")]);
        assert!(q.messages.is_empty());
    }

    #[test]
    fn filters() {
        let q = parse(
            "type:discharge author:smith after:2024-01-01 before:2024-02 enc:ip,ed -type:progress",
            false,
        );
        assert!(q.groups.is_empty());
        assert_eq!(
            q.filters,
            vec![
                (Filter::Types(vec!["Discharge Summary".into()]), false),
                (Filter::Author("smith".into()), false),
                (
                    Filter::After(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
                    false
                ),
                (
                    Filter::Before(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
                    false
                ),
                (
                    Filter::Enc(vec![EncounterType::Inpatient, EncounterType::Emergency]),
                    false
                ),
                (Filter::Types(vec!["Progress Note".into()]), true),
            ]
        );
        let q = parse(r#"author:"van der berg" chf"#, false);
        assert_eq!(
            q.filters,
            vec![(Filter::Author("van der berg".into()), false)]
        );
        assert_eq!(q.groups, vec![vec![w("chf")]]);
    }

    #[test]
    fn bad_filter_values_are_dropped_with_a_message() {
        let q = parse("chf after:yesterday type:haiku enc:spaceship", false);
        assert_eq!(q.groups, vec![vec![w("chf")]]);
        assert!(q.filters.is_empty());
        assert_eq!(q.messages.len(), 3);
        assert!(q.messages[0].contains("after:yesterday"));
        assert!(!q.fell_back);
    }

    #[test]
    fn malformed_queries_fall_back_to_words() {
        for (input, words) in [
            (r#"heart "failure"#, vec!["heart", "failure"]),
            ("OR chf", vec!["chf"]),
            ("chf OR", vec!["chf"]),
            ("chf OR OR copd", vec!["chf", "copd"]),
            ("chf OR -copd", vec!["chf", "copd"]),
            ("type: chf", vec!["type:", "chf"]),
            (r#"ab"c"#, vec!["ab", "c"]),
        ] {
            let q = parse(input, false);
            assert!(q.fell_back, "{input}");
            let got: Vec<&str> = q.groups.iter().map(|g| g[0].text.as_str()).collect();
            assert_eq!(got, words, "{input}");
            assert!(
                q.messages[0].starts_with("Could not read the query"),
                "{input}"
            );
        }
    }

    #[test]
    fn prefixes() {
        let q = parse("pneumo* chest", false);
        assert!(q.groups[0][0].prefix);
        assert!(!q.groups[1][0].prefix);
        let q = parse("chest pneu", true);
        assert!(!q.groups[0][0].prefix);
        assert!(q.groups[1][0].prefix);
        let q = parse("chest pneu ", true);
        assert!(!q.groups[1][0].prefix);
        // An open quote falls back to words while typing too, with the command line's message;
        // only the last word is a prefix.
        let typed = parse(r#"chest "heart fail"#, true);
        let cli = parse(r#"chest "heart fail"#, false);
        assert!(typed.fell_back && cli.fell_back);
        assert_eq!(typed.messages, cli.messages);
        assert_eq!(
            cli.messages[0],
            "Could not read the query (a quote is not closed): searched for the words chest heart fail"
        );
        let words = |q: &ParsedQuery| -> Vec<(String, bool)> {
            q.groups
                .iter()
                .map(|g| (g[0].text.clone(), g[0].prefix))
                .collect()
        };
        assert_eq!(
            words(&typed),
            vec![
                ("chest".to_string(), false),
                ("heart".to_string(), false),
                ("fail".to_string(), true)
            ]
        );
        assert!(words(&cli).iter().all(|(_, prefix)| !prefix));
    }

    #[test]
    fn odd_but_valid() {
        let q = parse("ratio:3 -", false);
        assert_eq!(q.groups, vec![vec![w("ratio:3")], vec![w("-")]]);
        assert!(parse("", false).is_empty());
        assert!(parse("   ", true).is_empty());
        let q = parse("-fever", false);
        assert!(q.groups.is_empty());
        assert_eq!(q.exclude, vec![w("fever")]);
    }
}
