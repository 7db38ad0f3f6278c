//! Age and sex conflicts, after the Medicare Code Editor (MCE) edits: which codes the tabular list
//! marks for newborns, children, maternity or adults, and for one sex. The MCE's own code lists are
//! not shipped; these rules derive the groups from chapters, blocks and title wording, and each
//! names the rule that fired. They lean towards silence: a title must say so plainly.
use crate::domain::Sex;
use crate::domain::code::undotted;

/// An MCE age group and the ages (in completed years at admission) it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeGroup {
    pub name: &'static str,
    pub min: u32,
    pub max: u32,
}

pub const NEWBORN: AgeGroup = AgeGroup {
    name: "newborn",
    min: 0,
    max: 0,
};
pub const PEDIATRIC: AgeGroup = AgeGroup {
    name: "pediatric",
    min: 0,
    max: 17,
};
pub const MATERNITY: AgeGroup = AgeGroup {
    name: "maternity",
    min: 9,
    max: 64,
};
pub const ADULT: AgeGroup = AgeGroup {
    name: "adult",
    min: 15,
    max: 124,
};

/// Why a code belongs to an age group or a sex: (rule id, the reason in words).
pub type Why = (&'static str, String);

fn in_cats(u: &str, lo: &str, hi: &str) -> bool {
    let c = &u[..u.len().min(lo.len())];
    c >= lo && &u[..u.len().min(hi.len())] <= hi
}

/// Whether `word` appears in `title` as a whole word (case-insensitive).
fn has_word(title: &str, word: &str) -> bool {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// Maternity codes: chapter 15 and the pregnancy-status Z codes.
fn maternity(u: &str) -> Option<String> {
    if u.starts_with('O') {
        return Some("chapter 15 (pregnancy, childbirth and the puerperium)".into());
    }
    for (p, what) in [
        ("Z331", "pregnant state (Z33.1)"),
        ("Z34", "supervision of normal pregnancy (Z34)"),
        ("Z36", "antenatal screening (Z36)"),
        ("Z37", "outcome of delivery (Z37)"),
        ("Z39", "postpartum care (Z39)"),
        ("Z3A", "weeks of gestation (Z3A)"),
    ] {
        if u.starts_with(p) {
            return Some(what.into());
        }
    }
    None
}

/// The age group a code is restricted to, if any, and why.
pub fn age_group(code: &str, title: &str) -> Option<(AgeGroup, Why)> {
    let u = undotted(code);
    let t = title.to_ascii_lowercase();
    if u.starts_with('P') {
        return Some((
            NEWBORN,
            (
                "mce-age-newborn",
                "chapter 16 (perinatal conditions)".into(),
            ),
        ));
    }
    if u.starts_with("Z38") {
        return Some((NEWBORN, ("mce-age-newborn", "liveborn infant (Z38)".into())));
    }
    if has_word(&t, "newborn") && !t.contains("not of newborn") && !t.contains("infant and child") {
        return Some((
            NEWBORN,
            (
                "mce-age-newborn",
                format!("title says newborn: \"{title}\""),
            ),
        ));
    }
    if let Some(why) = maternity(&u) {
        return Some((MATERNITY, ("mce-age-maternity", why)));
    }
    let external = matches!(u.as_bytes().first(), Some(b'V' | b'W' | b'X' | b'Y'));
    if !external {
        let child = t.starts_with("child ")
            || t.starts_with("unspecified child ")
            || t.starts_with("infant ")
            || t.starts_with("shaken infant")
            || t.contains("(child)")
            || t.contains("child health examination")
            || t.contains("alleged child")
            || t.contains(" of infant")
            || t.contains("infant and child");
        if child {
            return Some((
                PEDIATRIC,
                (
                    "mce-age-pediatric",
                    format!("title names a child or infant: \"{title}\""),
                ),
            ));
        }
        let adult = t.starts_with("adult ")
            || t.starts_with("unspecified adult ")
            || t.ends_with(", adult")
            || t.contains("general adult medical examination")
            || t.contains("alleged adult");
        if adult {
            return Some((
                ADULT,
                (
                    "mce-age-adult",
                    format!("title names an adult: \"{title}\""),
                ),
            ));
        }
    }
    None
}

/// The sex a code is restricted to, if any, and why.
pub fn sex_of(code: &str, title: &str) -> Option<(Sex, Why)> {
    let u = undotted(code);
    if u.len() < 3 {
        return None;
    }
    if let Some(why) = maternity(&u) {
        return Some((Sex::Female, ("mce-sex-female", why)));
    }
    const FEMALE: &[(&str, &str, &str)] = &[
        (
            "N70",
            "N98",
            "diseases of female genital organs and pelvis (N70-N98)",
        ),
        (
            "C51",
            "C58",
            "malignant neoplasms of female genital organs (C51-C58)",
        ),
        ("D06", "D06", "carcinoma in situ of cervix uteri (D06)"),
        (
            "D070",
            "D073",
            "carcinoma in situ of female genital organs (D07.0-D07.3)",
        ),
        (
            "D25",
            "D28",
            "benign neoplasms of female genital organs (D25-D28)",
        ),
    ];
    const MALE: &[(&str, &str, &str)] = &[
        ("N40", "N53", "diseases of male genital organs (N40-N53)"),
        (
            "C60",
            "C63",
            "malignant neoplasms of male genital organs (C60-C63)",
        ),
        (
            "D074",
            "D076",
            "carcinoma in situ of male genital organs (D07.4-D07.6)",
        ),
        (
            "D29",
            "D29",
            "benign neoplasms of male genital organs (D29)",
        ),
    ];
    for (lo, hi, why) in FEMALE {
        if in_cats(&u, lo, hi) {
            return Some((Sex::Female, ("mce-sex-female", (*why).into())));
        }
    }
    for (lo, hi, why) in MALE {
        if in_cats(&u, lo, hi) {
            return Some((Sex::Male, ("mce-sex-male", (*why).into())));
        }
    }
    // Titles that name the patient's sex ("..., right female breast", "Male erectile disorder");
    // external causes name other people ("Female partner, perpetrator ...") and are left alone.
    if matches!(u.as_bytes()[0], b'V' | b'W' | b'X' | b'Y') {
        return None;
    }
    let (f, m) = (has_word(title, "female"), has_word(title, "male"));
    match (f, m) {
        (true, false) => Some((
            Sex::Female,
            ("mce-sex-female", format!("title says female: \"{title}\"")),
        )),
        (false, true) => Some((
            Sex::Male,
            ("mce-sex-male", format!("title says male: \"{title}\"")),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        assert_eq!(age_group("P07.30", "Preterm newborn").unwrap().0, NEWBORN);
        assert_eq!(
            age_group("O80", "Encounter for full-term uncomplicated delivery")
                .unwrap()
                .0,
            MATERNITY
        );
        assert_eq!(
            age_group(
                "T74.12XA",
                "Child physical abuse, confirmed, initial encounter"
            )
            .unwrap()
            .0,
            PEDIATRIC
        );
        assert_eq!(
            age_group("Z68.41", "Body mass index [BMI] 40.0-44.9, adult")
                .unwrap()
                .0,
            ADULT
        );
        assert!(age_group("Y07.44", "Child, perpetrator of maltreatment and neglect").is_none());
        assert!(age_group("L08.82", "Omphalitis not of newborn").is_none());
        assert!(age_group("I10", "Essential (primary) hypertension").is_none());
        assert_eq!(
            sex_of("N40.0", "Benign prostatic hyperplasia").unwrap().0,
            Sex::Male
        );
        assert_eq!(
            sex_of("N81.2", "Incomplete uterovaginal prolapse")
                .unwrap()
                .0,
            Sex::Female
        );
        assert_eq!(
            sex_of(
                "C50.911",
                "Malignant neoplasm of unspecified site of right female breast"
            )
            .unwrap()
            .0,
            Sex::Female
        );
        assert_eq!(
            sex_of(
                "C50.921",
                "Malignant neoplasm of unspecified site of right male breast"
            )
            .unwrap()
            .0,
            Sex::Male
        );
        assert!(
            sex_of(
                "Y07.03",
                "Male partner, perpetrator of maltreatment and neglect"
            )
            .is_none()
        );
        assert!(sex_of("N39.0", "Urinary tract infection, site not specified").is_none());
    }
}
