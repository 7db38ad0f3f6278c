//! ICD-10-PCS search that composes the axes: what a coder typed is read as values of a PCS code's
//! axes (root operation, body part, approach, device, qualifier, laterality, count) from the vocabulary
//! in `assets/search/pcs_axes.tsv`, and complete codes are ranked by how much of that they explain.
//!
//! Root operation, approach and the "Diagnostic" qualifier are checked against the code's own
//! characters (the 3rd, 5th and 7th), so "lap appy" prefers the percutaneous endoscopic resection over
//! the open one, and "biopsy" the diagnostic excision. Body parts, devices, laterality and counts are
//! words of the PCS titles: their vocabulary lines become synonym expansions ("appy" → appendix,
//! "saphenous vein" → autologous venous tissue), matched with the rest of the query.
use super::analyze::{Analyzer, F_STOP, Word, split_words};
use crate::domain::CodeSystem;
use anyhow::{Result, bail};

/// The built-in axis vocabulary, embedded in the binary.
pub(crate) const BUILTIN: &str = include_str!("../../assets/search/pcs_axes.tsv");
const ORIGIN: &str = "assets/search/pcs_axes.tsv";

/// Root operations of the Medical and Surgical section (character 3), from the PCS tables.
const SURGICAL_OPS: &[(&str, u8)] = &[
    ("Alteration", b'0'),
    ("Bypass", b'1'),
    ("Change", b'2'),
    ("Control", b'3'),
    ("Creation", b'4'),
    ("Destruction", b'5'),
    ("Detachment", b'6'),
    ("Dilation", b'7'),
    ("Division", b'8'),
    ("Drainage", b'9'),
    ("Excision", b'B'),
    ("Extirpation", b'C'),
    ("Extraction", b'D'),
    ("Fragmentation", b'F'),
    ("Fusion", b'G'),
    ("Insertion", b'H'),
    ("Inspection", b'J'),
    ("Map", b'K'),
    ("Occlusion", b'L'),
    ("Reattachment", b'M'),
    ("Release", b'N'),
    ("Removal", b'P'),
    ("Repair", b'Q'),
    ("Replacement", b'R'),
    ("Reposition", b'S'),
    ("Resection", b'T'),
    ("Supplement", b'U'),
    ("Restriction", b'V'),
    ("Revision", b'W'),
    ("Transfer", b'X'),
    ("Transplantation", b'Y'),
];
/// Root operations of the Obstetrics section (character 3).
const OBSTETRIC_OPS: &[(&str, u8)] = &[
    ("Change", b'2'),
    ("Drainage", b'9'),
    ("Abortion", b'A'),
    ("Extraction", b'D'),
    ("Delivery", b'E'),
    ("Insertion", b'H'),
    ("Inspection", b'J'),
    ("Removal", b'P'),
    ("Repair", b'Q'),
    ("Reposition", b'S'),
    ("Resection", b'T'),
    ("Transplantation", b'Y'),
];
/// Approaches (character 5).
const APPROACHES: &[(&str, u8)] = &[
    ("Open", b'0'),
    ("Percutaneous", b'3'),
    ("Percutaneous Endoscopic", b'4'),
    ("Via Natural or Artificial Opening", b'7'),
    ("Via Natural or Artificial Opening Endoscopic", b'8'),
    (
        "Via Natural or Artificial Opening With Percutaneous Endoscopic Assistance",
        b'F',
    ),
    ("External", b'X'),
];
/// Sections whose 5th character is the approach: Medical and Surgical, Obstetrics, Administration,
/// Measurement and Monitoring, Other Procedures, New Technology.
const APPROACH_SECTIONS: &[u8] = b"01348X";

/// The axes a vocabulary line can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    Operation,
    Approach,
    Qualifier,
    BodyPart,
    Device,
    Laterality,
    Count,
}

impl Axis {
    fn parse(s: &str) -> Option<Axis> {
        Some(match s {
            "operation" => Axis::Operation,
            "approach" => Axis::Approach,
            "qualifier" => Axis::Qualifier,
            "body part" => Axis::BodyPart,
            "device" => Axis::Device,
            "laterality" => Axis::Laterality,
            "count" => Axis::Count,
            _ => return None,
        })
    }

    /// Checked against a character of the code (rather than matched as title words).
    fn is_coded(self) -> bool {
        matches!(self, Axis::Operation | Axis::Approach | Axis::Qualifier)
    }
}

/// What one typed phrase says about a code's characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Coded {
    /// Medical and Surgical root operation letters.
    surgical: Vec<u8>,
    /// Obstetrics root operation letters.
    obstetric: Vec<u8>,
    approach: Vec<u8>,
    diagnostic: bool,
}

#[derive(Debug, Clone)]
struct Phrase {
    axis: Axis,
    /// Content words (terms), or one word ending when `suffix`.
    words: Vec<String>,
    suffix: bool,
    coded: Coded,
    /// The PCS wording, for the synonym list.
    value: String,
    /// The phrase as written in the file.
    typed: String,
}

/// The parsed vocabulary.
#[derive(Debug, Clone)]
pub(crate) struct AxisVocab {
    phrases: Vec<Phrase>,
}

/// The axes a query states, as code characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stated {
    /// Root operation letters allowed (empty: the query names none), per section.
    surgical: Vec<u8>,
    obstetric: Vec<u8>,
    approach: Vec<u8>,
    diagnostic: bool,
}

/// Gain for each stated axis a code's character agrees with; a code that contradicts a stated axis
/// loses as much.
const W_AXIS: f32 = 0.8;

impl Stated {
    pub(crate) fn is_empty(&self) -> bool {
        self.surgical.is_empty()
            && self.obstetric.is_empty()
            && self.approach.is_empty()
            && !self.diagnostic
    }

    /// The operation the query names, if it names one of either section.
    fn names_operation(&self) -> bool {
        !self.surgical.is_empty() || !self.obstetric.is_empty()
    }

    /// How much the stated axes favour (or count against) a code of `system`.
    pub(crate) fn score(&self, system: CodeSystem, code: &str) -> f32 {
        let c = code.as_bytes();
        if system != CodeSystem::Icd10Pcs || c.len() != 7 || self.is_empty() {
            return 0.0;
        }
        let agree = |ok: bool| if ok { W_AXIS } else { -W_AXIS };
        let mut s = 0.0;
        if self.names_operation() {
            match c[0] {
                b'0' => s += agree(self.surgical.contains(&c[2])),
                b'1' => s += agree(self.obstetric.contains(&c[2])),
                _ => {}
            }
        }
        if !self.approach.is_empty() && APPROACH_SECTIONS.contains(&c[0]) {
            s += agree(self.approach.contains(&c[4]));
        }
        // Only Drainage, Excision and Extraction have a "Diagnostic" qualifier.
        if self.diagnostic && c[0] == b'0' && matches!(c[2], b'9' | b'B' | b'D') {
            s += agree(c[6] == b'X');
        }
        s
    }
}

fn content_terms(a: &mut Analyzer, words: &[Word]) -> Vec<String> {
    words
        .iter()
        .filter(|w| w.flags & F_STOP == 0)
        .map(|w| term(a, &w.text))
        .collect()
}

fn term(a: &mut Analyzer, w: &str) -> String {
    if w.len() >= 4 {
        a.term(w)
    } else {
        w.to_string()
    }
}

fn letters(table: &[(&str, u8)], name: &str) -> Option<u8> {
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, c)| c)
}

impl AxisVocab {
    pub(crate) fn builtin() -> Result<AxisVocab> {
        Self::parse(BUILTIN, ORIGIN)
    }

    /// Parses a vocabulary; errors name the line and what to fix.
    pub(crate) fn parse(source: &str, origin: &str) -> Result<AxisVocab> {
        let mut a = Analyzer::new();
        let mut phrases = Vec::new();
        for (no, line) in source.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').map(str::trim).collect();
            let [axis, value, typed] = f[..] else {
                bail!(
                    "{origin} line {}: expected three fields separated by tabs (axis, PCS value, \
                     what is typed), found {}",
                    no + 1,
                    f.len()
                );
            };
            let Some(axis) = Axis::parse(axis) else {
                bail!(
                    "{origin} line {}: unknown axis '{axis}' (operation, approach, qualifier, body \
                     part, device, laterality or count)",
                    no + 1
                );
            };
            let mut coded = Coded::default();
            for v in value.split('|').map(str::trim) {
                match axis {
                    Axis::Operation => {
                        let s = letters(SURGICAL_OPS, v);
                        let o = letters(OBSTETRIC_OPS, v);
                        if s.is_none() && o.is_none() {
                            bail!(
                                "{origin} line {}: '{v}' is not an ICD-10-PCS root operation of \
                                 the Medical and Surgical or Obstetrics sections",
                                no + 1
                            );
                        }
                        coded.surgical.extend(s);
                        coded.obstetric.extend(o);
                    }
                    Axis::Approach => match letters(APPROACHES, v) {
                        Some(c) => coded.approach.push(c),
                        None => bail!(
                            "{origin} line {}: '{v}' is not an ICD-10-PCS approach",
                            no + 1
                        ),
                    },
                    Axis::Qualifier if v.eq_ignore_ascii_case("diagnostic") => {
                        coded.diagnostic = true;
                    }
                    Axis::Qualifier => bail!(
                        "{origin} line {}: only the qualifier 'Diagnostic' is known, not '{v}'",
                        no + 1
                    ),
                    _ => {}
                }
            }
            for p in typed.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                let (suffix, text) = match p.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, p),
                };
                let words = if suffix {
                    vec![text.to_ascii_lowercase()]
                } else {
                    content_terms(&mut a, &split_words(text))
                };
                if words.is_empty() || words.iter().any(String::is_empty) {
                    bail!("{origin} line {}: '{p}' has no words", no + 1);
                }
                phrases.push(Phrase {
                    axis,
                    words,
                    suffix,
                    coded: coded.clone(),
                    value: value.to_string(),
                    typed: text.to_string(),
                });
            }
        }
        Ok(AxisVocab { phrases })
    }

    /// Synonym lines (term TAB expansion) for the axes matched as title words: body parts, devices,
    /// laterality and counts. Typed words that already are the value's words are left out.
    pub(crate) fn synonym_lines(&self) -> String {
        let mut out = String::new();
        let mut a = Analyzer::new();
        for p in &self.phrases {
            if p.axis.is_coded() || p.suffix {
                continue;
            }
            for v in p.value.split('|').map(str::trim) {
                if content_terms(&mut a, &split_words(v)) == p.words {
                    continue;
                }
                out.push_str(&p.typed);
                out.push('\t');
                out.push_str(v);
                out.push('\n');
            }
        }
        out
    }

    /// The axes the query states: at each word, the longest phrase of each coded axis that starts
    /// there (a word ending counts only when no whole phrase of that axis matches the word).
    pub(crate) fn read(&self, query: &str) -> Stated {
        let mut a = Analyzer::new();
        let words: Vec<Word> = split_words(query)
            .into_iter()
            .filter(|w| w.flags & F_STOP == 0)
            .collect();
        let terms: Vec<String> = words.iter().map(|w| term(&mut a, &w.text)).collect();
        let mut st = Stated::default();
        for axis in [Axis::Operation, Axis::Approach, Axis::Qualifier] {
            let mut i = 0;
            while i < terms.len() {
                let mut best: Option<(usize, Vec<&Coded>)> = None;
                for p in self.phrases.iter().filter(|p| p.axis == axis && !p.suffix) {
                    let n = p.words.len();
                    if terms.len() - i >= n && terms[i..i + n] == p.words[..] {
                        match &mut best {
                            Some((len, v)) if *len == n => v.push(&p.coded),
                            Some((len, _)) if *len > n => {}
                            _ => best = Some((n, vec![&p.coded])),
                        }
                    }
                }
                if best.is_none() {
                    let w = &words[i].text;
                    let found: Vec<&Coded> = self
                        .phrases
                        .iter()
                        .filter(|p| {
                            p.axis == axis
                                && p.suffix
                                && w.len() > p.words[0].len() + 2
                                && w.ends_with(p.words[0].as_str())
                        })
                        .map(|p| &p.coded)
                        .collect();
                    if !found.is_empty() {
                        best = Some((1, found));
                    }
                }
                let step = best.as_ref().map_or(1, |b| b.0);
                for c in best.map(|b| b.1).unwrap_or_default() {
                    st.surgical.extend(&c.surgical);
                    st.obstetric.extend(&c.obstetric);
                    st.approach.extend(&c.approach);
                    st.diagnostic |= c.diagnostic;
                }
                i += step;
            }
        }
        for v in [&mut st.surgical, &mut st.obstetric, &mut st.approach] {
            v.sort_unstable();
            v.dedup();
        }
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> AxisVocab {
        AxisVocab::builtin().unwrap()
    }

    #[test]
    fn builtin_vocabulary_parses_and_covers_every_axis() {
        let v = vocab();
        for axis in [
            Axis::Operation,
            Axis::Approach,
            Axis::Qualifier,
            Axis::BodyPart,
            Axis::Device,
            Axis::Laterality,
            Axis::Count,
        ] {
            assert!(v.phrases.iter().any(|p| p.axis == axis), "{axis:?}");
        }
        // Every Medical and Surgical root operation has words.
        for (name, c) in SURGICAL_OPS {
            assert!(
                v.phrases.iter().any(|p| p.coded.surgical.contains(c)),
                "{name}"
            );
        }
        let syn = v.synonym_lines();
        assert!(syn.contains("appy\tAppendix\n"), "{syn}");
        assert!(syn.contains("x3\tThree Arteries\n"));
        assert!(!syn.contains("Resection"), "coded axes are not synonyms");
    }

    #[test]
    fn bad_lines_are_refused_with_their_number() {
        let e = AxisVocab::parse("operation\tResectio\tx\n", "t").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(AxisVocab::parse("# c\n\nsurgery\tX\ty\n", "t").is_err());
        assert!(AxisVocab::parse("approach\tOpen\n", "t").is_err());
        assert!(AxisVocab::parse("approach\tSideways\tx\n", "t").is_err());
        assert!(AxisVocab::parse("qualifier\tDiagnostic\t\n", "t").is_ok());
    }

    #[test]
    fn queries_state_axes() {
        let v = vocab();
        let s = v.read("lap appy");
        assert_eq!(s.surgical, [b'T']);
        assert_eq!(s.approach, [b'4']);
        assert!(!s.diagnostic);
        // A word ending names the operation; a whole phrase of the same axis wins over it.
        let s = v.read("open cholecystectomy");
        assert_eq!(s.surgical, [b'B', b'T']);
        assert_eq!(s.approach, [b'0']);
        let s = v.read("bone marrow biopsy");
        assert_eq!(s.surgical, [b'D'], "the longer phrase decides");
        assert!(s.diagnostic);
        assert_eq!(v.read("total knee arthroplasty").surgical, [b'R']);
        assert!(v.read("type 2 diabetes").is_empty());
        let s = v.read("spontaneous vaginal delivery");
        assert_eq!(s.obstetric, [b'E']);
    }

    #[test]
    fn codes_gain_for_agreeing_and_lose_for_contradicting() {
        let s = vocab().read("laparoscopic appendectomy");
        let pcs = CodeSystem::Icd10Pcs;
        let lap = s.score(pcs, "0DTJ4ZZ");
        let open = s.score(pcs, "0DTJ0ZZ");
        let excision_open = s.score(pcs, "0DBJ0ZZ");
        assert!(lap > open && open > excision_open - 1e-6, "{lap} {open}");
        assert!(lap > 0.0 && open == 0.0);
        assert_eq!(s.score(CodeSystem::Icd10Cm, "K35.80"), 0.0);
        // Imaging (section B) has no approach character: not judged on it.
        assert_eq!(vocab().read("lap").score(pcs, "BW03ZZZ"), 0.0);
        let biopsy = vocab().read("percutaneous liver biopsy");
        assert!(biopsy.score(pcs, "0FB03ZX") > biopsy.score(pcs, "0FB03ZZ"));
        assert!(biopsy.diagnostic && biopsy.approach == [b'3']);
        // "Diagnostic" says nothing about an inspection, which has no such qualifier.
        let dx = vocab().read("diagnostic colonoscopy");
        assert!(dx.score(pcs, "0DJD8ZZ") > 0.0);
    }
}
