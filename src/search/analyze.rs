//! Text analysis shared by indexing and querying: words, their roles in a tabular title, and terms.
//!
//! Tabular titles carry structure that matters for ranking: words in parentheses or brackets are
//! nonessential modifiers, words after "without"/"not" are negated, and "unspecified"/"NOS" mark the
//! default code. [`split_words`] keeps that structure as per-word flags; [`Analyzer::term`] turns a word
//! into the term it is indexed under (English stemming plus a few medical endings).
use std::collections::HashMap;
use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer, TokenStream};

/// Inside parentheses or brackets: a nonessential modifier or an alias.
pub(crate) const F_OPT: u8 = 1;
/// Inside a negated phrase ("without coma", "not intractable", "non-pressure").
pub(crate) const F_NEG: u8 = 2;
/// A function word that carries no meaning on its own.
pub(crate) const F_STOP: u8 = 4;
/// Marks the default code: "unspecified", "NOS", "uncomplicated", "not specified".
pub(crate) const F_DEFAULT: u8 = 8;
/// A word that specifies little ("other", "specified", "site", "classified elsewhere").
pub(crate) const F_WEAK: u8 = 16;
/// A word that puts the condition in a special setting a bare query does not mean: newborn,
/// pregnancy, congenital, traumatic, postprocedural, history of, screening ...
pub(crate) const F_CONTEXT: u8 = 32;
/// The second or later part of a hyphenated word ("hypo-osmolality"): one idea with the part before.
pub(crate) const F_JOINED: u8 = 64;
/// "Other": a residual category, right only when the record names a type the tabular does not list.
pub(crate) const F_OTHER: u8 = 128;

/// Longest word kept, in bytes: a longer run of letters and digits (a 1 MB title without spaces) keeps
/// its first `MAX_WORD_BYTES` only, so analysing, stemming and indexing stay linear in the text and no
/// term is bigger than this. The longest word in ICD-10-CM, ICD-10-PCS and HCPCS titles is 30 letters.
pub(crate) const MAX_WORD_BYTES: usize = 48;
/// Most words taken from one text (title, inclusion term or query); the longest titles have about 60.
pub(crate) const MAX_WORDS: usize = 1024;

/// One word of a text, normalised (lower case, ASCII), with its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub text: String,
    pub flags: u8,
    /// The word was joined to the previous one by a hyphen or slash ("gastro-esophageal").
    pub joined: bool,
}

const STOP: &[&str] = &[
    "a", "an", "and", "or", "of", "the", "with", "in", "on", "to", "for", "by", "due", "from",
    "at", "as", "its", "than", "without", "not", "no", "non", "is", "be", "s",
];
const WEAK: &[&str] = &[
    "specified",
    "classified",
    "female",
    "elsewhere",
    "site",
    "sites",
    "part",
    "parts",
    "mention",
    "stated",
    "type",
    "kind",
    "certain",
    "nontraumatic",
    "acquired",
    "essential",
    "primary",
];
const CONTEXT: &[&str] = &[
    "newborn",
    "neonatal",
    "perinatal",
    "fetus",
    "fetal",
    "pregnancy",
    "pregnant",
    "puerperium",
    "puerperal",
    "childbirth",
    "maternal",
    "obstetric",
    "postpartum",
    "gestational",
    "trimester",
    "congenital",
    "traumatic",
    "postprocedural",
    "postoperative",
    "intraoperative",
    "complicating",
    "underlying",
    "history",
    "screening",
    "family",
    "observation",
    "suspected",
    "exposure",
    "contact",
    "carrier",
    "presence",
    "absence",
    "induced",
    "sequelae",
    "late",
];
const DEFAULT: &[&str] = &["unspecified", "unsp", "nos", "uncomplicated"];
/// Nouns naming an attribute left open in "unspecified organism", "unspecified severity" ...
const ATTRIBUTE: &[&str] = &[
    "organism",
    "site",
    "sites",
    "severity",
    "part",
    "parts",
    "type",
    "kind",
    "side",
    "laterality",
    "trimester",
    "region",
    "location",
    "cause",
    "stage",
    "degree",
    "level",
    "episode",
    "encounter",
    "eye",
    "ear",
    "substance",
    "agent",
    "intent",
    "person",
    "place",
];

pub(crate) fn is_stop(word: &str) -> bool {
    STOP.contains(&word)
}

/// Folds the accented letters found in medical eponyms to ASCII.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => c,
    }
}

/// Splits a title, inclusion term or query into flagged words.
pub(crate) fn split_words(text: &str) -> Vec<Word> {
    let lower: String = text.to_lowercase().chars().map(fold).collect();
    let lower = lower.replace("w/o ", "without ").replace("w/ ", "with ");
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let mut words = Vec::new();
    let mut depth = 0i32;
    // Negation scopes: `neg_until_comma` from "without"/"not"/"no", `neg_next` from "non".
    let mut neg_scope = false;
    let mut neg_next = 0u8;
    let mut default_next = false;
    // A word marked default because it followed "unspecified" keeps the mark only if it ends its
    // segment ("unspecified organism", not "unspecified bacterial pneumonia").
    let mut default_pending: Option<usize> = None;
    // Where the last ", and " / ", or " starts: a comma before it continues a negated list. Found once,
    // so that a text of many commas is not searched again at each comma.
    let last_list = [", and ", ", or "]
        .iter()
        .filter_map(|p| lower.rfind(p))
        .max();
    let mut i = 0;
    let mut prev_sep: Option<char> = None;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_ascii_alphanumeric() {
            if words.len() >= MAX_WORDS {
                break;
            }
            let start = i;
            while i < chars.len() && chars[i].1.is_ascii_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..i.min(start + MAX_WORD_BYTES)]
                .iter()
                .map(|&(_, c)| c)
                .collect();
            // "(s)" and "(es)" plural markers right after a word are dropped with the word kept.
            if let Some(skip) = plural_marker(&chars, i) {
                i += skip;
            }
            // Possessive "'s".
            if i + 1 < chars.len()
                && matches!(chars[i].1, '\'' | '’')
                && chars[i + 1].1 == 's'
                && chars
                    .get(i + 2)
                    .is_none_or(|&(_, c)| !c.is_ascii_alphanumeric())
            {
                i += 2;
            }
            let joined = matches!(prev_sep, Some('-') | Some('/'))
                && start >= 2
                && chars[start - 2].1.is_ascii_alphanumeric();
            if let Some(p) = default_pending.take() {
                let w: &mut Word = &mut words[p];
                if !DEFAULT.contains(&w.text.as_str()) {
                    w.flags &= !F_DEFAULT;
                }
            }
            let mut flags = 0u8;
            if depth > 0 {
                flags |= F_OPT;
            }
            if neg_scope || neg_next > 0 {
                flags |= F_NEG;
                neg_next = neg_next.saturating_sub(1);
            }
            if default_next && ATTRIBUTE.contains(&word.as_str()) {
                flags |= F_DEFAULT;
                default_pending = Some(words.len());
            }
            default_next = false;
            let w = word.as_str();
            if is_stop(w) {
                flags |= F_STOP;
            }
            if WEAK.contains(&w) {
                flags |= F_WEAK;
            }
            if CONTEXT.contains(&w) {
                flags |= F_CONTEXT;
            }
            if w == "other" {
                flags |= F_OTHER;
            }
            if joined && prev_sep == Some('-') {
                flags |= F_JOINED;
            }
            if DEFAULT.contains(&w) || (w == "specified" && flags & F_NEG != 0) {
                flags |= F_DEFAULT;
                flags &= !F_WEAK;
                if w == "unspecified" {
                    default_next = true;
                }
            }
            match w {
                "without" | "not" | "no" => neg_scope = true,
                "non" => neg_next = 1,
                "with" => neg_scope = false,
                // "without foreign body of scalp": the scalp is not negated; but "without loss of
                // consciousness" and "without mention of" negate what follows.
                "of" | "due" | "in"
                    if !matches!(
                        words.last().map(|w: &Word| w.text.as_str()),
                        Some("mention" | "loss")
                    ) =>
                {
                    neg_scope = false
                }
                _ => {}
            }
            words.push(Word {
                text: word,
                flags,
                joined,
            });
            prev_sep = None;
            continue;
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = (depth - 1).max(0),
            ',' | ';' | ':' => {
                default_next = false;
                default_pending = None;
                // A negated list continues over commas ("without behavioral disturbance, psychotic
                // disturbance, and anxiety"); a lone negated phrase ends at the comma.
                if last_list.is_none_or(|l| l < pos) || c != ',' {
                    neg_scope = false;
                }
            }
            _ => {}
        }
        prev_sep = Some(c);
        i += 1;
    }
    words
}

/// Length of a "(s)" or "(es)" marker starting at `i`, if there is one.
fn plural_marker(chars: &[(usize, char)], i: usize) -> Option<usize> {
    let tail: String = chars[i..chars.len().min(i + 4)]
        .iter()
        .map(|&(_, c)| c)
        .collect();
    if tail.starts_with("(s)") {
        Some(3)
    } else if tail.starts_with("(es)") {
        Some(4)
    } else {
        None
    }
}

/// Turns words into terms: English stemming, then Latin/Greek endings so that "hypoxia"/"hypoxic",
/// "embolus"/"emboli" and "aorta"/"aortic" meet. Results are cached (titles repeat words a lot).
pub(crate) struct Analyzer {
    stemmer: TextAnalyzer,
    cache: HashMap<String, String>,
}

impl Analyzer {
    pub(crate) fn new() -> Self {
        Self {
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            cache: HashMap::new(),
        }
    }

    /// The term a normalised word is indexed under.
    pub(crate) fn term(&mut self, word: &str) -> String {
        if let Some(t) = self.cache.get(word) {
            return t.clone();
        }
        let t = self.compute(word);
        if self.cache.len() < 200_000 {
            self.cache.insert(word.to_string(), t.clone());
        }
        t
    }

    fn compute(&mut self, word: &str) -> String {
        if word.len() <= 3 || word.bytes().any(|b| b.is_ascii_digit()) {
            return word.to_string();
        }
        // Inflammations keep their ending apart from the organ: "esophagitis" is not "esophagus".
        if let Some(base) = word
            .strip_suffix("itis")
            .or_else(|| word.strip_suffix("itides"))
        {
            return format!("{base}it");
        }
        let mut stem = String::new();
        let mut ts = self.stemmer.token_stream(word);
        while ts.advance() {
            stem.push_str(&ts.token().text);
        }
        if stem.is_empty() {
            stem = word.to_string();
        }
        medical_ending(&stem)
    }
}

/// Folds endings the English stemmer leaves apart.
fn medical_ending(stem: &str) -> String {
    let n = stem.len();
    // "urinary"/"urine", "pulmonary"/"pulmonic", "coronary": the stemmer leaves "-ari".
    if n >= 7 && stem.ends_with("ari") && !ARY_KEEP.iter().any(|k| stem.starts_with(k)) {
        return stem[..n - 3].to_string();
    }
    for (suffix, min) in [
        ("ia", 6),
        ("ic", 6),
        ("us", 6),
        ("ae", 6),
        ("a", 5),
        ("i", 5),
    ] {
        if n >= min && stem.ends_with(suffix) {
            return stem[..n - suffix.len()].to_string();
        }
    }
    stem.to_string()
}

/// "-ary" words whose base means something else ("secondary" is not "second").
const ARY_KEEP: &[&str] = &[
    "secondari",
    "primari",
    "temporari",
    "ordinari",
    "necessari",
    "contrari",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn flags_of(text: &str) -> Vec<(String, u8)> {
        split_words(text)
            .into_iter()
            .map(|w| (w.text, w.flags))
            .collect()
    }

    #[test]
    fn words_keep_title_structure() {
        let w = flags_of("Systolic (congestive) heart failure");
        assert_eq!(w[1], ("congestive".to_string(), F_OPT));
        assert_eq!(w[2].1, 0);
        let w = flags_of("Migraine, unspecified, not intractable, without status migrainosus");
        let get = |s: &str| w.iter().find(|(t, _)| t == s).map(|x| x.1).unwrap();
        assert_ne!(get("unspecified") & F_DEFAULT, 0);
        assert_ne!(get("intractable") & F_NEG, 0);
        assert_ne!(get("migrainosus") & F_NEG, 0);
        assert_eq!(get("migraine") & F_NEG, 0);
        let w = flags_of("Laceration without foreign body of scalp");
        assert_ne!(w[2].1 & F_NEG, 0);
        assert_eq!(w.last().unwrap().1 & F_NEG, 0);
        let w = flags_of("Concussion without loss of consciousness");
        assert_ne!(w.last().unwrap().1 & F_NEG, 0);
        let w = flags_of("Non-pressure chronic ulcer");
        assert_ne!(w[1].1 & F_NEG, 0);
        assert_eq!(w[2].1 & F_NEG, 0);
        let w = flags_of("Acute pancreatitis without necrosis or infection, unspecified");
        assert_eq!(w.last().unwrap().1 & F_NEG, 0);
        let w =
            flags_of("dementia without behavioral disturbance, psychotic disturbance, and anxiety");
        assert_ne!(w.last().unwrap().1 & F_NEG, 0);
    }

    #[test]
    fn plural_markers_and_possessives() {
        let w: Vec<String> = split_words("Seizure(s) (convulsive) NOS, Parkinson's disease")
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(w, ["seizure", "convulsive", "nos", "parkinson", "disease"]);
        let w = split_words("Gastro-esophageal reflux, w/o esophagitis");
        assert!(w[1].joined);
        assert!(!w[2].joined);
        assert_ne!(w[4].flags & F_NEG, 0);
    }

    #[test]
    fn long_texts_have_bounded_words() {
        // A 1 MB title without spaces is one word of at most MAX_WORD_BYTES.
        let blob = "x".repeat(1 << 20);
        let w = split_words(&blob);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].text.len(), MAX_WORD_BYTES);
        assert_eq!(Analyzer::new().term(&w[0].text).len(), MAX_WORD_BYTES);
        // Many short words and many commas: at most MAX_WORDS words, each short.
        let many = "ab, and cd without ef, ".repeat(50_000);
        let w = split_words(&many);
        assert_eq!(w.len(), MAX_WORDS);
        assert!(w.iter().all(|w| w.text.len() <= 7));
        // The negated list still continues over commas before a final ", and ".
        let w = flags_of("without alpha, beta, gamma, and delta");
        assert!(w.iter().skip(1).all(|(_, f)| f & F_NEG != 0), "{w:?}");
        // Non-ASCII letters fold or split; a long word of them is cut as well.
        let w = split_words(&"é".repeat(200));
        assert_eq!(w[0].text.len(), MAX_WORD_BYTES);
    }

    #[test]
    fn terms_meet_across_forms() {
        let mut a = Analyzer::new();
        for (x, y) in [
            ("hypoxia", "hypoxic"),
            ("anticoagulants", "anticoagulant"),
            ("embolus", "emboli"),
            ("aorta", "aortic"),
            ("diabetes", "diabetic"),
            ("hypertension", "hypertensive"),
            ("pneumonia", "pneumoniae"),
            ("arthritis", "arthritic"),
            ("urinary", "urine"),
        ] {
            assert_eq!(a.term(x), a.term(y), "{x} / {y}");
        }
        assert_ne!(a.term("ams"), a.term("am"));
        assert_ne!(a.term("esophagitis"), a.term("esophageal"));
        assert_ne!(a.term("hepatitis"), a.term("hepatic"));
        assert_ne!(a.term("secondary"), a.term("second"));
        assert_eq!(a.term("3a"), "3a");
    }
}
