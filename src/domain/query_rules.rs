//! The leading-query rule table (`assets/queries/leading_rules.tsv`): word classes and rules over
//! them, written from the ACDIS/AHIMA compliant-query principles, and the small matcher that runs
//! them. Rules describe kinds of wording (a request word, then an action word, then not an open
//! clarification), so they catch "pls document sepsis" and "can you add ..." alike without a list
//! of particular questions.
use std::collections::HashMap;
use std::sync::OnceLock;

use super::query::QueryType;

const BUILTIN: &str = include_str!("../../assets/queries/leading_rules.tsv");

/// One rule of the table.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// The checker's finding name ("leading", "impact").
    pub finding: String,
    pub types: Vec<QueryType>,
    pub unless: Option<String>,
    pub principle: String,
    pattern: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum Tok {
    Class(String),
    NotClass(String),
    Skip(usize),
    Start,
    End,
    Word(String),
}

/// The classes and rules, as read.
#[derive(Debug, Default)]
pub struct RuleTable {
    classes: HashMap<String, Vec<Vec<String>>>,
    pub rules: Vec<Rule>,
    /// Lines that could not be read ("line N: ..."); empty for the shipped table (a test checks).
    pub errors: Vec<String>,
}

/// Lower-case tokens; apostrophes dropped, "?" kept, ". ; ! :" become ".".
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
            continue;
        }
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        match c {
            '?' => out.push("?".into()),
            '.' | ';' | '!' | ':' => out.push(".".into()),
            _ => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn word_matches(pat: &str, w: &str) -> bool {
    match pat.strip_suffix('*') {
        Some("") => w != "." && w != "?",
        Some(prefix) => w.starts_with(prefix),
        None => pat == w,
    }
}

impl RuleTable {
    pub fn parse(text: &str) -> RuleTable {
        let mut t = RuleTable::default();
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if let Some(name) = f[0].strip_prefix('@') {
                if f.len() != 2 {
                    t.errors.push(format!(
                        "line {n}: a class line is '@NAME<TAB>phrase | phrase'"
                    ));
                    continue;
                }
                let phrases = f[1]
                    .split('|')
                    .map(|p| {
                        p.split_whitespace()
                            .map(str::to_lowercase)
                            .collect::<Vec<_>>()
                    })
                    .filter(|p| !p.is_empty())
                    .collect();
                t.classes.insert(name.to_string(), phrases);
                continue;
            }
            if f.len() != 6 {
                t.errors.push(format!(
                    "line {n}: a rule line has 6 tab-separated fields (id, finding, types, unless, \
                     principle, pattern); found {}",
                    f.len()
                ));
                continue;
            }
            let mut types = Vec::new();
            for ty in f[2].split(',') {
                match ty.trim() {
                    "open" => types.push(QueryType::OpenEnded),
                    "mc" => types.push(QueryType::MultipleChoice),
                    "yesno" => types.push(QueryType::YesNo),
                    other => t
                        .errors
                        .push(format!("line {n}: unknown query type '{other}'")),
                }
            }
            let mut pattern = Vec::new();
            for p in f[5].split_whitespace() {
                let tok = if let Some(c) = p.strip_prefix("!@") {
                    Tok::NotClass(c.into())
                } else if let Some(c) = p.strip_prefix('@') {
                    Tok::Class(c.into())
                } else if let Some(k) = p.strip_prefix('~') {
                    match k.parse() {
                        Ok(k) => Tok::Skip(k),
                        Err(_) => {
                            t.errors.push(format!("line {n}: '~{k}' needs a number"));
                            continue;
                        }
                    }
                } else if p == "^" {
                    Tok::Start
                } else if p == "$" {
                    Tok::End
                } else {
                    Tok::Word(p.to_lowercase())
                };
                pattern.push(tok);
            }
            let unless =
                (f[3].trim() != "-").then(|| f[3].trim().trim_start_matches('@').to_string());
            t.rules.push(Rule {
                id: f[0].into(),
                finding: f[1].into(),
                types,
                unless,
                principle: f[4].into(),
                pattern,
            });
        }
        let known = |c: &String| t.classes.contains_key(c);
        let mut missing = Vec::new();
        for r in &t.rules {
            for tok in &r.pattern {
                if let Tok::Class(c) | Tok::NotClass(c) = tok
                    && !known(c)
                {
                    missing.push(format!("rule {}: unknown class @{c}", r.id));
                }
            }
            if let Some(c) = &r.unless
                && !known(c)
            {
                missing.push(format!("rule {}: unknown class @{c}", r.id));
            }
        }
        t.errors.extend(missing);
        t
    }

    /// The lengths of the class's phrases that match at `at`.
    fn class_at(&self, class: &str, toks: &[String], at: usize) -> Vec<usize> {
        self.classes
            .get(class)
            .map(|ps| {
                ps.iter()
                    .filter(|p| {
                        at + p.len() <= toks.len()
                            && p.iter().zip(&toks[at..]).all(|(pw, w)| word_matches(pw, w))
                    })
                    .map(|p| p.len())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The end of a match of `pat` starting at `at`, if any.
    fn match_from(&self, pat: &[Tok], toks: &[String], at: usize) -> Option<usize> {
        let Some((first, rest)) = pat.split_first() else {
            return Some(at);
        };
        match first {
            Tok::Class(c) => self
                .class_at(c, toks, at)
                .into_iter()
                .find_map(|len| self.match_from(rest, toks, at + len)),
            Tok::NotClass(c) => {
                if self.class_at(c, toks, at).is_empty() {
                    self.match_from(rest, toks, at)
                } else {
                    None
                }
            }
            Tok::Skip(k) => (0..=*k)
                .take_while(|s| at + s <= toks.len())
                .find_map(|s| self.match_from(rest, toks, at + s)),
            Tok::Start => (at == 0 || toks[at - 1] == ".")
                .then(|| self.match_from(rest, toks, at))
                .flatten(),
            Tok::End => (at == toks.len() || toks[at] == "." || toks[at] == "?")
                .then(|| self.match_from(rest, toks, at))
                .flatten(),
            Tok::Word(w) => (at < toks.len() && word_matches(w, &toks[at]))
                .then(|| self.match_from(rest, toks, at + 1))
                .flatten(),
        }
    }

    /// The first rule that fires on `text` for a query of type `ty`, with the words it matched.
    pub fn first_hit(&self, text: &str, ty: QueryType) -> Vec<(&Rule, String)> {
        let toks = tokens(text);
        let mut out = Vec::new();
        for r in self.rules.iter().filter(|r| r.types.contains(&ty)) {
            if let Some(c) = &r.unless
                && (0..toks.len()).any(|i| !self.class_at(c, &toks, i).is_empty())
            {
                continue;
            }
            let hit =
                (0..toks.len()).find_map(|i| self.match_from(&r.pattern, &toks, i).map(|e| (i, e)));
            if let Some((s, e)) = hit {
                let words: Vec<&str> = toks[s..e.max(s + 1).min(toks.len())]
                    .iter()
                    .map(String::as_str)
                    .collect();
                out.push((r, words.join(" ")));
            }
        }
        out
    }
}

/// The shipped table, read once.
pub fn builtin() -> &'static RuleTable {
    static T: OnceLock<RuleTable> = OnceLock::new();
    T.get_or_init(|| RuleTable::parse(BUILTIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_table_reads_cleanly() {
        let t = builtin();
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        assert!(t.rules.len() >= 6);
    }

    #[test]
    fn tokens_keep_question_marks_and_sentence_ends() {
        assert_eq!(
            tokens("Isn't it? Yes; no."),
            ["isnt", "it", "?", "yes", ".", "no", "."]
        );
    }

    #[test]
    fn rules_fire_on_kinds_of_wording() {
        let t = builtin();
        let ids = |q: &str| -> Vec<String> {
            t.first_hit(q, QueryType::OpenEnded)
                .into_iter()
                .map(|(r, _)| r.id.clone())
                .collect()
        };
        assert!(ids("Can you document severe sepsis?").contains(&"directive".into()));
        assert!(ids("Pls document sepsis").contains(&"directive".into()));
        assert!(ids("Do you agree the patient had sepsis?").contains(&"agreement".into()));
        assert!(ids("The patient has sepsis, correct?").contains(&"tag-question".into()));
        assert!(
            ids("The patient has sepsis. Please confirm.").contains(&"statement-confirm".into())
        );
        assert!(ids("Does the patient have sepsis?").contains(&"yes-no-single".into()));
        assert!(ids("It affects the risk adjustment score.").contains(&"impact".into()));
        assert!(ids("Please clarify the type of heart failure being treated.").is_empty());
        assert!(ids("Please document the clinical significance of the sodium.").is_empty());
        assert!(ids("Does the patient have sepsis, or another condition?").is_empty());
        let bad =
            RuleTable::parse("@A\tx\nr\tleading\topen\t-\tp\t@B\nq\tleading\tnope\t-\tp\t@A ~x\n");
        assert_eq!(bad.errors.len(), 3, "{:?}", bad.errors);
    }
}
