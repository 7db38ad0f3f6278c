//! Sequencing rules read from the tabular list's notes and the Official Guidelines, beyond the
//! example codes a note names: "code first underlying infection" as a rule over what is an
//! infection, delivery code O80 only as principal and alone in chapter 15, and an unspecified code
//! beside a specific code of the same category.
use super::{Dx, Edit, Severity, TabularIndex};
use crate::domain::EntryKind;

/// Whether a diagnosis is an infection: chapter 1 except sequelae (B90-B94) and the supplementary
/// organism codes (B95-B97), or a code whose title says so, or one the note names.
fn infection(tab: &TabularIndex, d: &Dx, named: &[&super::refs::CodeRef]) -> bool {
    let Some(i) = d.entry else { return false };
    let b = d.bare.as_str();
    let chapter1 = (b.starts_with('A') || b.starts_with('B'))
        && !(b[..b.len().min(3)] >= *"B90" && b[..b.len().min(3)] <= *"B97");
    let title = tab.entry(i).title.to_ascii_lowercase();
    let says = title.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
        matches!(
            w,
            "infection" | "infectious" | "sepsis" | "septic" | "pneumonia"
        )
    });
    chapter1 || says || named.iter().any(|r| r.matches(b))
}

/// The "code first underlying infection" note that applies to entry `i`, with where it sits.
fn underlying_infection(
    tab: &TabularIndex,
    i: usize,
) -> Option<(usize, Vec<&super::refs::CodeRef>, String)> {
    for j in tab
        .lineage(i)
        .take_while(|&j| tab.entry(j).kind == EntryKind::Code)
    {
        let Some(notes) = tab.notes(j) else { continue };
        if notes.code_first.iter().any(|n| {
            n.text
                .trim()
                .to_ascii_lowercase()
                .starts_with("underlying infection")
        }) {
            let refs = notes
                .code_first
                .iter()
                .flat_map(|n| n.refs.iter())
                .collect();
            let text: Vec<&str> = notes.code_first.iter().map(|n| n.text.as_str()).collect();
            return Some((j, refs, text.join(" ")));
        }
    }
    None
}

pub(super) fn rules(tab: &TabularIndex, dxs: &[Dx], out: &mut Vec<Edit>) {
    code_first_infection(tab, dxs, out);
    delivery(dxs, out);
    unspecified_with_specific(tab, dxs, out);
}

/// Codes whose notes say "code first underlying infection" (R65.2-, R65.1- ...): the infection
/// must be coded and sequenced before them.
fn code_first_infection(tab: &TabularIndex, dxs: &[Dx], out: &mut Vec<Edit>) {
    for (a, d) in dxs.iter().enumerate() {
        let Some(i) = d.entry else { continue };
        let Some((j, refs, text)) = underlying_infection(tab, i) else {
            continue;
        };
        let at = &tab.entry(j).code;
        let infections: Vec<&Dx> = dxs
            .iter()
            .enumerate()
            .filter(|(k, x)| *k != a && infection(tab, x, &refs))
            .map(|(_, x)| x)
            .collect();
        match infections.iter().min_by_key(|x| x.seq) {
            None => out.push(Edit::new(
                Severity::Warning,
                "seq-underlying-missing",
                vec![d.code.clone()],
                format!(
                    "{} has \"code first {text}\" (at {at}), and no infection is coded: code the \
                     underlying infection and sequence it first",
                    d.code
                ),
            )),
            Some(first) if first.seq > d.seq => out.push(Edit::new(
                if d.principal {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                "seq-code-first",
                vec![d.code.clone(), first.code.clone()],
                format!(
                    "{} has \"code first {text}\" (at {at}); the infection {} is sequenced after \
                     it: sequence {} before {}",
                    d.code, first.code, first.code, d.code
                ),
            )),
            Some(_) => {}
        }
    }
}

/// O80 (full-term uncomplicated delivery) is only ever the principal diagnosis and takes no other
/// chapter 15 code (Guidelines I.C.15.n).
fn delivery(dxs: &[Dx], out: &mut Vec<Edit>) {
    let Some(o80) = dxs.iter().find(|d| d.bare == "O80" && d.entry.is_some()) else {
        return;
    };
    if !o80.principal {
        out.push(Edit::new(
            Severity::Error,
            "seq-o80-principal",
            vec![o80.code.clone()],
            "O80 (full-term uncomplicated delivery) is only reported as the principal diagnosis \
             (Guidelines I.C.15.n): make it principal or code the complication instead"
                .into(),
        ));
    }
    let others: Vec<String> = dxs
        .iter()
        .filter(|d| d.bare != "O80" && d.bare.starts_with('O') && d.entry.is_some())
        .map(|d| d.code.clone())
        .collect();
    if !others.is_empty() {
        let mut codes = vec![o80.code.clone()];
        codes.extend(others.iter().cloned());
        out.push(Edit::new(
            Severity::Error,
            "seq-o80-alone",
            codes,
            format!(
                "O80 is for a delivery with no complication, so no other chapter 15 code may go with \
                 it (Guidelines I.C.15.n); {} is coded: use the code for the complication instead of O80",
                others.join(", ")
            ),
        ));
    }
}

/// An "unspecified" code beside a more specific code of the same category (I50.9 with I50.23):
/// the specific code says it all.
fn unspecified_with_specific(tab: &TabularIndex, dxs: &[Dx], out: &mut Vec<Edit>) {
    let title = |d: &Dx| d.entry.map(|i| tab.entry(i).title.as_str());
    let vague = |t: &str| t.to_ascii_lowercase().contains("unspecified");
    for u in dxs {
        let Some(ut) = title(u) else { continue };
        if !vague(ut) || u.bare.len() < 4 {
            continue;
        }
        let cat = &u.bare[..3];
        for s in dxs {
            let Some(st) = title(s) else { continue };
            if s.bare != u.bare && s.bare.starts_with(cat) && !vague(st) {
                out.push(Edit::new(
                    Severity::Warning,
                    "seq-unspecified-with-specific",
                    vec![u.code.clone(), s.code.clone()],
                    format!(
                        "{} ({}) is unspecified and {} ({}) of the same category says more: \
                         remove {} (Guidelines I.B.18: code to the highest specificity documented)",
                        u.code, ut, s.code, st, u.code
                    ),
                ));
                break;
            }
        }
    }
}
