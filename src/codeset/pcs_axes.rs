//! ICD-10-PCS codes are built from seven axes (section, body system, root operation, body part,
//! approach, device, qualifier in the Medical and Surgical section). The code list holds only full
//! titles, so a label for "the value at position k after this prefix" is derived from the titles:
//!
//! - position 1 (section) and position 2 of section 0 (body system): fixed tables of the official
//!   axis names;
//! - position 3 (root operation): the leading words every title under prefix+value shares, without
//!   a trailing "of"/"into"/...;
//! - position 4 (body part): the leading words shared under prefix+value, minus the words already
//!   shared under the prefix (the root operation), cut before " with ", " to " or a comma;
//! - position 5 (approach): the text after the last comma, when every title ends the same way;
//! - position 6 (device): the text after " with " up to the comma, when shared; "No Device" for Z
//!   when no title names one;
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
    let parent_words = common_words(&parent);
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
        let label = derive(prefix, ch, &titles, parent_words).unwrap_or_else(|| fallback(&titles));
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

fn derive(prefix: &str, ch: char, titles: &[&str], parent_words: usize) -> Option<String> {
    let table = |t: &[(char, &str)]| t.iter().find(|(c, _)| *c == ch).map(|(_, l)| l.to_string());
    let medsurg = prefix.starts_with('0');
    match prefix.len() {
        0 => table(&SECTIONS),
        1 if medsurg => table(&MEDSURG_BODY_SYSTEMS),
        1 => None,
        2 => nonempty(trim_small_words(&leading(titles, common_words(titles)))),
        3 => {
            let shared = common_words(titles);
            let words: Vec<&str> = titles.first()?.split(' ').collect();
            let part = words.get(parent_words.min(shared)..shared)?.join(" ");
            let cut = [" with ", " to ", ","]
                .iter()
                .filter_map(|s| part.find(s))
                .min()
                .unwrap_or(part.len());
            nonempty(part[..cut].trim().to_string())
        }
        4 => {
            let first = titles.first()?.rsplit_once(", ")?.1;
            titles
                .iter()
                .all(|t| t.rsplit_once(", ").map(|(_, a)| a) == Some(first))
                .then(|| first.to_string())
        }
        5 => {
            let device = |t: &str| -> Option<String> {
                let after = &t[t.find(" with ")? + 6..];
                Some(after.split(',').next().unwrap_or(after).trim().to_string())
            };
            let first = device(titles.first()?);
            match first {
                Some(d)
                    if titles
                        .iter()
                        .all(|t| device(t).as_deref() == Some(d.as_str())) =>
                {
                    Some(d)
                }
                // Z is "No Device" throughout the Medical and Surgical section.
                _ if ch == 'Z' && titles.iter().all(|t| !t.contains(" with ")) => {
                    Some("No Device".to_string())
                }
                _ => None,
            }
        }
        _ if titles.len() == 1 => Some(titles[0].to_string()),
        _ => None,
    }
}

/// Drops words like "of" and "into" that end a shared title start ("Excision of").
fn trim_small_words(s: &str) -> String {
    let mut words: Vec<&str> = s.split(' ').collect();
    while words
        .last()
        .is_some_and(|w| ["of", "into", "in", "on", "from", "to", "the"].contains(w))
    {
        words.pop();
    }
    words.join(" ")
}

fn nonempty(s: String) -> Option<String> {
    let s = s.trim_end_matches(',').trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// The first `n` words of the first title.
fn leading(titles: &[&str], n: usize) -> String {
    titles
        .first()
        .map(|t| t.split(' ').take(n).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// How many leading words all titles share.
fn common_words(titles: &[&str]) -> usize {
    let Some(first) = titles.first() else {
        return 0;
    };
    let first: Vec<&str> = first.split(' ').collect();
    let mut n = first.len();
    for t in &titles[1..] {
        n = first
            .iter()
            .zip(t.split(' '))
            .take(n)
            .take_while(|(a, b)| *a == b)
            .count();
        if n == 0 {
            break;
        }
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
        assert_eq!(v[0].label, list[0].1, "one code: its title");
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
