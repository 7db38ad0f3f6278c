//! ICD-10-PCS codes are built from seven axes (section, body system, root operation, body part,
//! approach, device, qualifier in the Medical and Surgical section). The code list holds only full
//! titles, so a label for "the value at position k after this prefix" is derived from the titles of
//! the codes under prefix+value ("shared start" = the longest start they all share, cut at a word):
//!
//! - position 1 (section) and position 2 of section 0 (body system): fixed tables of the official
//!   axis names;
//! - position 3 (root operation): the shared start, without a trailing "of"/"into"/"from"
//!   ("Excision", "Extirpation of Matter");
//! - position 4 (body part): the shared start less what the whole column shares (the root
//!   operation), cut where the device (" with "), a qualifier (" to ", " using ", " into ") or the
//!   approach (", Open ...", ", Percutaneous ...", ", Via ...", ", External") begins ("Stomach,
//!   Pylorus", "Coronary Artery, One Artery");
//! - position 5 (approach): the text after the last comma, when every title ends the same way;
//! - position 6 (device): the text after " with " up to the next comma, when shared; for titles
//!   "Insertion of <device> into ..." the text before " into "; "No Device" for Z when no title
//!   names one;
//! - position 7 (qualifier): the one code's title.
//!
//! When a rule gives nothing (titles differ, other sections' axes), the label is the count of codes
//! and one example title.

/// The name of the axis at position `k` (1-based) in the Medical and Surgical section.
pub const AXIS_NAMES: [&str; 7] = [
    "Section",
    "Body system",
    "Root operation",
    "Body part",
    "Approach",
    "Device",
    "Qualifier",
];

/// The PCS sections (first character).
pub const SECTIONS: [(char, &str); 17] = [
    ('0', "Medical and Surgical"),
    ('1', "Obstetrics"),
    ('2', "Placement"),
    ('3', "Administration"),
    ('4', "Measurement and Monitoring"),
    ('5', "Extracorporeal or Systemic Assistance and Performance"),
    ('6', "Extracorporeal or Systemic Therapies"),
    ('7', "Osteopathic"),
    ('8', "Other Procedures"),
    ('9', "Chiropractic"),
    ('B', "Imaging"),
    ('C', "Nuclear Medicine"),
    ('D', "Radiation Therapy"),
    ('F', "Physical Rehabilitation and Diagnostic Audiology"),
    ('G', "Mental Health"),
    ('H', "Substance Abuse Treatment"),
    ('X', "New Technology"),
];

/// Body systems of the Medical and Surgical section (second character after '0').
pub const MEDSURG_BODY_SYSTEMS: [(char, &str); 31] = [
    ('0', "Central Nervous System and Cranial Nerves"),
    ('1', "Peripheral Nervous System"),
    ('2', "Heart and Great Vessels"),
    ('3', "Upper Arteries"),
    ('4', "Lower Arteries"),
    ('5', "Upper Veins"),
    ('6', "Lower Veins"),
    ('7', "Lymphatic and Hemic Systems"),
    ('8', "Eye"),
    ('9', "Ear, Nose, Sinus"),
    ('B', "Respiratory System"),
    ('C', "Mouth and Throat"),
    ('D', "Gastrointestinal System"),
    ('F', "Hepatobiliary System and Pancreas"),
    ('G', "Endocrine System"),
    ('H', "Skin and Breast"),
    ('J', "Subcutaneous Tissue and Fascia"),
    ('K', "Muscles"),
    ('L', "Tendons"),
    ('M', "Bursae and Ligaments"),
    ('N', "Head and Facial Bones"),
    ('P', "Upper Bones"),
    ('Q', "Lower Bones"),
    ('R', "Upper Joints"),
    ('S', "Lower Joints"),
    ('T', "Urinary System"),
    ('U', "Female Reproductive System"),
    ('V', "Male Reproductive System"),
    ('W', "Anatomical Regions, General"),
    ('X', "Anatomical Regions, Upper Extremities"),
    ('Y', "Anatomical Regions, Lower Extremities"),
];

/// One value that can follow a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisValue {
    pub ch: char,
    pub label: String,
    /// How many codes start with prefix + this value.
    pub count: usize,
    /// The complete code when prefix + value is one (position 7).
    pub code: Option<String>,
}

/// The values at position `prefix.len() + 1` among `codes` (code, title), all of which start with
/// `prefix`, in character order, with derived labels.
pub fn axis_values(prefix: &str, codes: &[(String, String)]) -> Vec<AxisValue> {
    let k = prefix.len();
    let parent: Vec<&str> = codes.iter().map(|(_, t)| t.as_str()).collect();
    let parent_len = common_prefix(&parent);
    let mut out: Vec<AxisValue> = Vec::new();
    let mut i = 0;
    while i < codes.len() {
        let Some(ch) = codes[i].0[k..].chars().next() else {
            i += 1;
            continue;
        };
        let mut j = i;
        while j < codes.len() && codes[j].0[k..].starts_with(ch) {
            j += 1;
        }
        let group = &codes[i..j];
        let titles: Vec<&str> = group.iter().map(|(_, t)| t.as_str()).collect();
        let code = (k == 6 && group.len() == 1).then(|| group[0].0.clone());
        let label = derive(prefix, ch, &titles, parent_len).unwrap_or_else(|| fallback(&titles));
        out.push(AxisValue {
            ch,
            label,
            count: group.len(),
            code,
        });
        i = j;
    }
    out
}

fn fallback(titles: &[&str]) -> String {
    match titles {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, ..] => format!("{} codes, e.g. {first}", titles.len()),
    }
}

fn derive(prefix: &str, ch: char, titles: &[&str], parent_len: usize) -> Option<String> {
    let table = |t: &[(char, &str)]| t.iter().find(|(c, _)| *c == ch).map(|(_, l)| l.to_string());
    let medsurg = prefix.starts_with('0');
    let first = *titles.first()?;
    // What this value's titles share beyond what the whole column shares.
    let own = || -> &str {
        let shared = common_prefix(titles);
        first.get(parent_len.min(shared)..shared).unwrap_or("")
    };
    match prefix.len() {
        0 => table(&SECTIONS),
        1 if medsurg => table(&MEDSURG_BODY_SYSTEMS),
        1 => None,
        2 => nonempty(trim_small_words(&first[..common_prefix(titles)])),
        3 => nonempty(cut_body_part(own()).to_string()),
        4 => {
            let approach = approach_of(first)?;
            titles
                .iter()
                .all(|t| approach_of(t) == Some(approach))
                .then(|| approach.to_string())
        }
        5 => {
            let device = |t: &str| -> Option<String> {
                let after = &t[t.find(" with ")? + 6..];
                Some(after.split(", ").next().unwrap_or(after).trim().to_string())
            };
            let with = device(first);
            match with {
                Some(d)
                    if titles
                        .iter()
                        .all(|t| device(t).as_deref() == Some(d.as_str())) =>
                {
                    Some(d)
                }
                Some(_) => None,
                // Z is "No Device" throughout the Medical and Surgical section.
                None if ch == 'Z' => Some("No Device".to_string()),
                // "Insertion of <device> into <body part>".
                None => own()
                    .find(" into ")
                    .and_then(|i| nonempty(own()[..i].to_string())),
            }
        }
        _ if titles.len() == 1 => Some(first.to_string()),
        _ => None,
    }
}

/// The approach named in a title: the last comma-separated part ending in "Approach" ("...,
/// Percutaneous Endoscopic Approach, Hand-Assisted"), else one starting with "Via " or reading
/// "External", else the last part. A qualifier after the approach does not count.
fn approach_of(title: &str) -> Option<&str> {
    let parts: Vec<&str> = title.split(", ").skip(1).map(str::trim).collect();
    parts
        .iter()
        .rev()
        .find(|p| p.ends_with("Approach"))
        .or_else(|| {
            parts
                .iter()
                .rev()
                .find(|p| p.starts_with("Via ") || **p == "External")
        })
        .or(parts.last())
        .copied()
}

/// A body part ends where the device (" with "), a qualifier (" to ", " using ", " into ") or the
/// approach (", Open ...", ", Percutaneous ...", ", Via ...", ", External") begins.
fn cut_body_part(part: &str) -> &str {
    let mut end = part.len();
    for m in [" with ", " to ", " using ", " into "] {
        if let Some(i) = part.find(m) {
            end = end.min(i);
        }
    }
    for (i, _) in part.match_indices(", ") {
        let rest = &part[i + 2..];
        if ["Open", "Percutaneous", "Via ", "External"]
            .iter()
            .any(|a| rest.starts_with(a))
        {
            end = end.min(i);
        }
    }
    part[..end].trim()
}

/// Drops words like "of" and "into" that end a shared title start ("Excision of").
fn trim_small_words(s: &str) -> String {
    let mut words: Vec<&str> = s.trim().trim_end_matches(',').split(' ').collect();
    while words
        .last()
        .is_some_and(|w| ["of", "into", "in", "on", "from", "to", "the"].contains(w))
    {
        words.pop();
    }
    words.join(" ")
}

fn nonempty(s: String) -> Option<String> {
    let s = s.trim().trim_end_matches(',').trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Byte length of the start all titles share, backed off to a word boundary (the next character of
/// every title is not a letter or digit).
fn common_prefix(titles: &[&str]) -> usize {
    let Some(first) = titles.first() else {
        return 0;
    };
    let mut n = first.len();
    for t in &titles[1..] {
        n = first
            .bytes()
            .zip(t.bytes())
            .take(n)
            .take_while(|(a, b)| a == b)
            .count();
    }
    let mid_word = |t: &str| {
        t.as_bytes().get(n).is_some_and(u8::is_ascii_alphanumeric)
            && n > 0
            && t.as_bytes()[n - 1].is_ascii_alphanumeric()
    };
    if titles.iter().any(|t| mid_word(t)) {
        n = first[..n].rfind(' ').map_or(0, |i| i + 1);
    }
    while n > 0 && !first.is_char_boundary(n) {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(c, t)| (c.to_string(), t.to_string()))
            .collect()
    }

    const LIST: [(&str, &str); 5] = [
        ("0DB60ZZ", "Excision of Stomach, Open Approach"),
        ("0DB63ZZ", "Excision of Stomach, Percutaneous Approach"),
        ("0DB80ZZ", "Excision of Small Intestine, Open Approach"),
        ("0DT60ZZ", "Resection of Stomach, Open Approach"),
        ("0D160ZA", "Bypass Stomach to Jejunum, Open Approach"),
    ];

    #[test]
    fn root_operation_body_part_and_approach_from_titles() {
        let all = codes(&LIST);
        let mut sorted = all.clone();
        sorted.sort();
        let ops = axis_values("0D", &sorted);
        let labels: Vec<(char, &str)> = ops.iter().map(|v| (v.ch, v.label.as_str())).collect();
        assert_eq!(
            labels,
            vec![
                ('1', "Bypass Stomach to Jejunum, Open Approach"),
                ('B', "Excision"),
                ('T', "Resection of Stomach, Open Approach")
            ]
        );
        let excision: Vec<_> = sorted
            .iter()
            .filter(|(c, _)| c.starts_with("0DB"))
            .cloned()
            .collect();
        let parts = axis_values("0DB", &excision);
        assert_eq!(parts[0].label, "Stomach");
        assert_eq!(parts[0].count, 2);
        assert_eq!(parts[1].label, "Small Intestine");
        let stomach: Vec<_> = excision
            .iter()
            .filter(|(c, _)| c.starts_with("0DB6"))
            .cloned()
            .collect();
        let approaches = axis_values("0DB6", &stomach);
        assert_eq!(approaches[0].label, "Open Approach");
        assert_eq!(approaches[1].label, "Percutaneous Approach");
        let devices = axis_values("0DB60", &stomach[..1]);
        assert_eq!(devices[0].label, "No Device");
        let quals = axis_values("0DB60Z", &stomach[..1]);
        assert_eq!(quals[0].code.as_deref(), Some("0DB60ZZ"));
    }

    #[test]
    fn sections_and_body_systems_come_from_tables() {
        let v = axis_values("", &codes(&LIST[..1]));
        assert_eq!(v[0].label, "Medical and Surgical");
        let v = axis_values("0", &codes(&LIST[..1]));
        assert_eq!(v[0].label, "Gastrointestinal System");
    }

    #[test]
    fn device_after_with() {
        let list = codes(&[
            (
                "0DH63DZ",
                "Insertion of Intraluminal Device into Stomach, Percutaneous Approach",
            ),
            (
                "0DH63MZ",
                "Insertion of Stimulator Lead into Stomach, Percutaneous Approach",
            ),
            (
                "0JH60MZ",
                "Insertion of Stimulator Generator with Something Special, Open Approach",
            ),
        ]);
        let v = axis_values("0JH60", &list[2..]);
        assert_eq!(v[0].label, "Something Special");
        // Titles that differ fall back on a count and an example.
        let v = axis_values("0DH6", &list[..2]);
        assert_eq!(v[0].label, "Percutaneous Approach");
        let v = axis_values("0DH63", &list[..2]);
        assert_eq!(v.len(), 2);
        assert_eq!(
            v[0].label, "Intraluminal Device",
            "Insertion of <device> into"
        );
        let z = codes(&[
            ("0DB60ZX", "Excision of Stomach, Open Approach, Diagnostic"),
            ("0DB60ZZ", "Excision of Stomach, Open Approach"),
        ]);
        assert_eq!(axis_values("0DB60", &z)[0].label, "No Device");
        let mixed = codes(&[
            ("0DH60DZ", "Insertion of A into Stomach, Open Approach"),
            ("0DH60DY", "Insertion of B into Stomach, Open Approach"),
        ]);
        assert!(
            axis_values("0DH60", &mixed)[0]
                .label
                .starts_with("2 codes, e.g. ")
        );
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    /// The labels the heuristic gives on the built-in FY2024 PCS list.
    #[test]
    fn labels_on_the_builtin_code_list() {
        let rel = crate::codeset::builtin_icd10pcs().unwrap();
        let mut all: Vec<(String, String)> = rel
            .entries
            .iter()
            .map(|e| (e.code.clone(), e.title.clone()))
            .collect();
        all.sort();
        let under = |p: &str| -> Vec<(String, String)> {
            all.iter()
                .filter(|(c, _)| c.starts_with(p))
                .cloned()
                .collect()
        };
        let label = |p: &str, ch: char| -> String {
            axis_values(p, &under(p))
                .into_iter()
                .find(|v| v.ch == ch)
                .map(|v| v.label)
                .unwrap_or_default()
        };
        assert_eq!(label("0D", 'T'), "Resection");
        assert_eq!(label("0D", 'C'), "Extirpation of Matter");
        assert_eq!(label("0DT", '6'), "Stomach");
        assert_eq!(label("0DT", '7'), "Stomach, Pylorus");
        assert_eq!(label("027", '0'), "Coronary Artery, One Artery");
        assert_eq!(
            label("0DT6", '8'),
            "Via Natural or Artificial Opening Endoscopic"
        );
        assert_eq!(label("02703", '4'), "Drug-eluting Intraluminal Device");
        assert_eq!(label("0DT60", 'Z'), "No Device");
        // A Hand-Assisted qualifier after the approach does not hide it.
        assert_eq!(label("0DTJ", '4'), "Percutaneous Endoscopic Approach");
        assert_eq!(label("0DTJ", '0'), "Open Approach");
        assert_eq!(
            label("0DTJ", '8'),
            "Via Natural or Artificial Opening Endoscopic"
        );
        assert_eq!(label("0090", '4'), "Percutaneous Endoscopic Approach");
        assert_eq!(label("0JH60", '4'), "Pacemaker, Single Chamber");
        assert_eq!(label("B21", '0'), "Single Coronary Artery");
    }
}
