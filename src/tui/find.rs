//! Find in the open note: `f` types a word or phrase, `n`/`N` jump between matches (each wrapped line
//! is searched, case-insensitively), the viewer highlights every match.
use crate::tui::app::{Action, App};
use crate::tui::state::{Pane, StatusKind, TextInput};
use crate::tui::widgets::text;

/// Byte ranges of `query` in `line`, ignoring ASCII case.
pub fn matches(line: &str, query: &str) -> Vec<(usize, usize)> {
    if query.is_empty() {
        return Vec::new();
    }
    let hay = line.to_ascii_lowercase();
    let q = query.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| h.find(&q)) {
        let start = from + i;
        let end = start + q.len();
        if line.is_char_boundary(start) && line.is_char_boundary(end) {
            out.push((start, end));
        }
        from = end;
    }
    out
}

impl App {
    pub(crate) fn start_find(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        if enc.note.is_none() {
            self.state.set_status(
                StatusKind::Info,
                "open a note first (Enter in the notes list)",
            );
            return;
        }
        enc.find = Some(TextInput {
            text: enc.find_query.clone(),
            replace_on_type: true,
        });
        enc.focus = Pane::Viewer;
    }

    pub(crate) fn find_action(&mut self, action: Action) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(input) = enc.find.as_mut() else {
            return;
        };
        match action {
            Action::Input(c) => input.push(c),
            Action::Backspace => input.backspace(),
            Action::ClearInput => input.clear(),
            Action::Back => enc.find = None,
            Action::Accept => {
                enc.find_query = input.text.trim().to_string();
                enc.find = None;
                enc.find_line = None;
                self.find_next(true, true);
            }
            _ => {}
        }
    }

    /// Scrolls to the next (or previous) line with a match; `from_top_line` starts at the first
    /// line shown rather than after the current match.
    pub(crate) fn find_next(&mut self, forward: bool, from_top_line: bool) {
        let width = self.areas().viewer_text().width as usize;
        let (lines, view_h) = self.note_extent();
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let query = enc.find_query.clone();
        if query.is_empty() {
            self.state
                .set_status(StatusKind::Info, "press f to find something in the note");
            return;
        }
        let Some(note) = &enc.note else {
            return;
        };
        let wrapped = text::wrap(&note.body, width);
        let hits: Vec<usize> = wrapped
            .iter()
            .enumerate()
            .filter(|(_, l)| !matches(l, &query).is_empty())
            .map(|(i, _)| i)
            .collect();
        if hits.is_empty() {
            enc.find_line = None;
            self.state.set_status(
                StatusKind::Warning,
                format!("'{query}' is not in this note"),
            );
            return;
        }
        let cur = match (from_top_line, enc.find_line) {
            (false, Some(l)) => Some(l),
            _ => None,
        };
        let top = enc.scroll;
        let pick = if forward {
            let after = |i: &&usize| match cur {
                Some(c) => **i > c,
                None => **i >= top,
            };
            hits.iter().find(after).copied()
        } else {
            let before = |i: &&usize| match cur {
                Some(c) => **i < c,
                None => **i < top,
            };
            hits.iter().rev().find(before).copied()
        };
        let wrapped_round = pick.is_none();
        let round = if forward { hits.first() } else { hits.last() };
        let Some(line) = pick.or(round.copied()) else {
            return;
        };
        enc.find_line = Some(line);
        let max = lines.saturating_sub(view_h);
        enc.scroll = line.saturating_sub(2).min(max);
        let n = hits
            .iter()
            .position(|&h| h == line)
            .map(|p| p + 1)
            .unwrap_or(0);
        let msg = format!(
            "'{query}': {n} of {} (n next, N previous){}",
            hits.len(),
            if wrapped_round { ", wrapped round" } else { "" }
        );
        self.state.set_status(StatusKind::Info, msg);
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn finds_every_match_ignoring_case() {
        assert_eq!(matches("CHF and chf", "chf"), vec![(0, 3), (8, 11)]);
        assert!(matches("nothing", "chf").is_empty());
        assert!(matches("anything", "").is_empty());
        assert_eq!(matches("Zoë chf", "CHF"), vec![(5, 8)]);
    }
}
