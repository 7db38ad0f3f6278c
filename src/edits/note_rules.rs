//! Rules read from the tabular list's instructional notes: Excludes1 and Excludes2 at every level
//! (code, subcategory, category, block, chapter), code first / manifestation sequencing, use
//! additional code and code also.
use super::refs::CodeRef;
use super::{Dx, Edit, ParsedNote, Severity, TabularIndex};
use crate::domain::EntryKind;
use std::collections::HashSet;

/// Where a note sits, for messages: "at E10", "at block I10-I1A", "at chapter 4".
fn level(tab: &TabularIndex, j: usize) -> String {
    let e = tab.entry(j);
    match e.kind {
        EntryKind::Chapter => format!("at chapter {}", e.code),
        EntryKind::Section => format!("at block {}", e.code),
        EntryKind::Code => format!("at {}", e.code),
    }
}

/// The other valid diagnoses a reference covers (never `me` itself).
fn covered<'a>(dxs: &'a [Dx], me: usize, r: &'a CodeRef) -> impl Iterator<Item = usize> + 'a {
    dxs.iter()
        .enumerate()
        .filter(move |(k, d)| *k != me && d.entry.is_some() && r.matches(&d.bare))
        .map(|(k, _)| k)
}

/// Excludes1 pairs (errors) and Excludes2 pairs (infos), each pair once, in claim order.
pub(super) fn excludes(tab: &TabularIndex, dxs: &[Dx], out: &mut Vec<Edit>) {
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for excludes1 in [true, false] {
        for (a, d) in dxs.iter().enumerate() {
            let Some(i) = d.entry else { continue };
            for j in tab.lineage(i) {
                // Chapter-wide Excludes2 lists ("endocrine diseases (E00-E88)") say nothing about
                // a pair of codes: only Excludes1 is read at chapter level.
                if !excludes1 && tab.entry(j).kind == EntryKind::Chapter {
                    continue;
                }
                let Some(notes) = tab.notes(j) else { continue };
                let list = if excludes1 {
                    &notes.excludes1
                } else {
                    &notes.excludes2
                };
                for note in list {
                    // A reference covering the code itself is about something else; skip it.
                    for r in note.refs.iter().filter(|r| !r.matches(&d.bare)) {
                        for b in covered(dxs, a, r) {
                            let pair = (a.min(b), a.max(b));
                            if !seen.insert(pair) {
                                continue;
                            }
                            let (x, y) = (&dxs[pair.0].code, &dxs[pair.1].code);
                            let (rule, severity, tail) = if excludes1 {
                                (
                                    "excludes1",
                                    Severity::Error,
                                    "the two are not coded together; keep the one the documentation supports (code both only if the conditions are unrelated)",
                                )
                            } else {
                                (
                                    "excludes2",
                                    Severity::Info,
                                    "not part of the condition, but both may be coded when both are present",
                                )
                            };
                            out.push(Edit::new(
                                severity,
                                rule,
                                vec![x.clone(), y.clone()],
                                format!(
                                    "{} {} {}: \"{}\" ({} note {}): {tail}",
                                    d.code,
                                    if excludes1 { "Excludes1" } else { "Excludes2" },
                                    dxs[b].code,
                                    note.text,
                                    if excludes1 { "Excludes1" } else { "Excludes2" },
                                    level(tab, j)
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Whether an entry's title (or an ancestor code's) marks it a manifestation code.
fn manifestation(tab: &TabularIndex, i: usize) -> Option<String> {
    tab.lineage(i)
        .take_while(|&j| tab.entry(j).kind == EntryKind::Code)
        .map(|j| &tab.entry(j).title)
        .find(|t| {
            let l = t.to_ascii_lowercase();
            match l.find("classified elsewhere") {
                Some(at) => {
                    let before = &l[..at];
                    !before.contains("as the cause of")
                        && (before.contains(" in ") || before.contains(" due to "))
                }
                None => false,
            }
        })
        .cloned()
}

/// The code-first notes that apply to entry `i`, nearest first, with where they sit.
fn code_first(tab: &TabularIndex, i: usize) -> Vec<(usize, &ParsedNote)> {
    tab.lineage(i)
        .filter_map(|j| tab.notes(j).map(|n| (j, n)))
        .flat_map(|(j, n)| n.code_first.iter().map(move |p| (j, p)))
        .collect()
}

/// Manifestation codes as principal (error) and codes sequenced before what their code-first note
/// names (warning).
pub(super) fn etiology(tab: &TabularIndex, dxs: &[Dx], out: &mut Vec<Edit>) {
    for (a, d) in dxs.iter().enumerate() {
        let Some(i) = d.entry else { continue };
        let notes = code_first(tab, i);
        if d.principal
            && let Some(title) = manifestation(tab, i)
        {
            let hint = notes
                .first()
                .map(|(j, n)| format!(" (code first note {}: \"{}\")", level(tab, *j), n.text))
                .unwrap_or_default();
            out.push(Edit::new(
                Severity::Error,
                "manifestation-principal",
                vec![d.code.clone()],
                format!(
                    "{} is a manifestation code (\"{title}\") and may not be the principal \
                     diagnosis: sequence the underlying condition first{hint}",
                    d.code
                ),
            ));
        }
        let mut named = HashSet::new();
        for (j, note) in &notes {
            for r in &note.refs {
                for b in covered(dxs, a, r) {
                    if dxs[b].seq > d.seq && named.insert(b) {
                        out.push(Edit::new(
                            Severity::Warning,
                            "code-first-order",
                            vec![d.code.clone(), dxs[b].code.clone()],
                            format!(
                                "{} has \"code first\" {}: \"{}\"; {} is sequenced after it: move {} before {}",
                                d.code,
                                level(tab, *j),
                                note.text,
                                dxs[b].code,
                                dxs[b].code,
                                d.code
                            ),
                        ));
                    }
                }
            }
        }
    }
}

/// Wording that makes a use-additional-code list optional; a list with a heading ("code to
/// identify:") offers choices that apply only when present, so it is optional too.
fn optional(notes: &[ParsedNote]) -> bool {
    notes.iter().any(|n| n.refs.is_empty())
        || notes.iter().any(|n| {
            let l = n.text.to_ascii_lowercase();
            [
                "if applicable",
                "if known",
                "if desired",
                "if present",
                "if any",
                "such as",
                "any ",
            ]
            .iter()
            .any(|w| l.contains(w))
        })
}

/// Use-additional-code lists with nothing they name assigned (warnings, for lists without
/// "if applicable" wording), and code-also notes (infos).
pub(super) fn additional(tab: &TabularIndex, dxs: &[Dx], out: &mut Vec<Edit>) {
    for (a, d) in dxs.iter().enumerate() {
        let Some(i) = d.entry else { continue };
        let mut said = HashSet::new();
        for j in tab
            .lineage(i)
            .take_while(|&j| tab.entry(j).kind == EntryKind::Code)
        {
            let Some(notes) = tab.notes(j) else { continue };
            let list = &notes.use_additional;
            let refs: Vec<&CodeRef> = list.iter().flat_map(|n| n.refs.iter()).collect();
            if !refs.is_empty()
                && !optional(list)
                && !refs.iter().any(|r| covered(dxs, a, r).next().is_some())
            {
                let text: Vec<&str> = list.iter().map(|n| n.text.as_str()).collect();
                out.push(Edit::new(
                    Severity::Warning,
                    "use-additional-code",
                    vec![d.code.clone()],
                    format!(
                        "{} has \"use additional code\" {}: \"{}\"; no such code is assigned",
                        d.code,
                        level(tab, j),
                        text.join(" ")
                    ),
                ));
            }
            // One info per note list: a heading ("code also, if applicable, ... such as:") reads
            // with the items under it.
            // Nothing to say once something the list names is assigned.
            let list = &notes.code_also;
            let done = list
                .iter()
                .flat_map(|n| n.refs.iter())
                .any(|r| covered(dxs, a, r).next().is_some());
            let open: Vec<&str> = list.iter().map(|n| n.text.as_str()).collect();
            if !done && !open.is_empty() && said.insert(j) {
                out.push(Edit::new(
                    Severity::Info,
                    "code-also",
                    vec![d.code.clone()],
                    format!("{} {}: code also {}", d.code, level(tab, j), open.join(" ")),
                ));
            }
        }
    }
}
