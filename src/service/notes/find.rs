//! Find inside one note with the notes query language: the places a viewer highlights and `n`/`N`
//! step through. Matched words next to each other (spaces, a line break, - or / between them) count
//! as one place, so a phrase is one hit even
//! where the viewer wraps it onto two lines; a query of only phrases keeps only places as long as
//! its shortest phrase.
use super::super::{Service, ServiceError};
use crate::domain::Permission;
use crate::search::notes::query;
use crate::store;
use anyhow::Result;
use std::ops::Range;

impl Service {
    /// The places in a note (byte ranges of its body, in order) that `query` matches, for
    /// highlighting and stepping through in a viewer. Not audited: it returns no note text (the
    /// viewer shows the note through the audited `read_note`). With `typing`, the last word is a
    /// prefix unless followed by a space, as in search as you type.
    pub fn find_in_note(
        &mut self,
        note_row_id: i64,
        query: &str,
        typing: bool,
    ) -> Result<Vec<Range<usize>>> {
        self.require(Permission::ViewCharts, "read notes")?;
        let Some((_, body)) = store::notes::get(&self.conn, note_row_id)? else {
            return Err(ServiceError::NotFound(format!("no note with id {note_row_id}")).into());
        };
        let parsed = query::parse(query, typing);
        let ix = self
            .notes
            .get(&self.conn, &self.data)?
            .current(&self.data, false)
            .clone();
        let ranges = ix.highlighter(&parsed)?.ranges(&body);
        Ok(places(&body, &ranges, shortest_phrase(&parsed)))
    }
}

/// Words in the shortest quoted phrase when every positive part of `q` is a phrase (else 1).
fn shortest_phrase(parsed: &query::ParsedQuery) -> usize {
    let units: Vec<&query::Unit> = parsed.groups.iter().flatten().collect();
    if units.is_empty() || !units.iter().all(|u| u.phrase) {
        return 1;
    }
    units
        .iter()
        .map(|u| u.text.split_whitespace().count())
        .min()
        .unwrap_or(1)
        .max(1)
}

/// Joins matched words separated only by a little white space, `-` or `/` into one place; keeps places made
/// of at least `min_words` matched words.
pub(crate) fn places(body: &str, ranges: &[Range<usize>], min_words: usize) -> Vec<Range<usize>> {
    let mut out: Vec<(Range<usize>, usize)> = Vec::new();
    for r in ranges {
        if r.start >= r.end || r.end > body.len() {
            continue;
        }
        if let Some((last, words)) = out.last_mut()
            && last.end <= r.start
            && body.get(last.end..r.start).is_some_and(|gap| {
                gap.len() <= 3
                    && gap
                        .chars()
                        .all(|c| c.is_whitespace() || c == '-' || c == '/')
            })
        {
            last.end = r.end;
            *words += 1;
            continue;
        }
        out.push((r.clone(), 1));
    }
    out.into_iter()
        .filter(|(_, w)| *w >= min_words)
        .map(|(r, _)| r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_words_make_one_place() {
        let body = "chest pain,\nno chest wall pain. Chest\npain again";
        let at = |w: &str, n: usize| body.match_indices(w).nth(n).unwrap().0;
        let r = |w: &str, n: usize| at(w, n)..at(w, n) + w.len();
        let ranges = vec![
            r("chest", 0),
            r("pain", 0),
            r("chest", 1),
            r("pain", 1),
            r("Chest", 0),
            r("pain", 2),
        ];
        let all = places(body, &ranges, 1);
        assert_eq!(all.len(), 4);
        assert_eq!(&body[all[0].clone()], "chest pain");
        assert_eq!(&body[all[3].clone()], "Chest\npain");
        let phrases = places(body, &ranges, 2);
        assert_eq!(phrases.len(), 2);
        assert_eq!(&body[phrases[1].clone()], "Chest\npain");
    }

    #[test]
    fn only_phrase_queries_need_whole_phrases() {
        let s = |q: &str| shortest_phrase(&query::parse(q, false));
        assert_eq!(s("\"chest pain\""), 2);
        assert_eq!(s("\"chest pain\" OR \"acute coronary syndrome\""), 2);
        assert_eq!(s("\"chest pain\" troponin"), 1);
        assert_eq!(s("chest pain"), 1);
        assert_eq!(s(""), 1);
    }
}
