//! Find in the open encounter's notes with the notes query language: `f` types a query (words,
//! "phrases", OR, -exclusion, word*), the viewer highlights the places it matches in the note's
//! text (so a phrase wrapped onto two lines is found), `n`/`N` step through them and on into the
//! encounter's next (previous) note that matches.
use crate::service::NoteQuery;
use crate::tui::app::{Action, App};
use crate::tui::state::{Pane, StatusKind, TextInput};
use crate::tui::widgets::wrap;

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
                let q = input.text.trim().to_string();
                enc.find = None;
                self.set_find_query(&q, false);
                self.find_next(true, true);
            }
            _ => {}
        }
    }

    /// Sets what `n`/`N` look for (`typing`: the last word is a prefix, as in search as you type)
    /// and finds its places in the open note.
    pub(crate) fn set_find_query(&mut self, query: &str, typing: bool) {
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.find_query = query.to_string();
            enc.find_typing = typing;
            enc.find_notes = None;
        }
        self.refresh_note_hits();
    }

    /// Finds the find query's places in the open note (after a note is loaded or the query changes).
    pub(crate) fn refresh_note_hits(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        enc.find_hits.clear();
        enc.find_at = None;
        enc.find_line = None;
        let (Some(note), false) = (&enc.note, enc.find_query.is_empty()) else {
            return;
        };
        let (id, query, typing) = (note.header.id, enc.find_query.clone(), enc.find_typing);
        match self.service.find_in_note(id, &query, typing) {
            Ok(hits) => {
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.find_hits = hits;
                }
            }
            Err(e) => self.error(&e),
        }
    }

    /// Goes to the next (or previous) place; past the last one, to the first place of the next
    /// note of the encounter that matches. `fresh`: a new query, start at the top of the view.
    pub(crate) fn find_next(&mut self, forward: bool, fresh: bool) {
        let Some(enc) = self.state.encounter.as_ref() else {
            return;
        };
        let query = enc.find_query.clone();
        if query.is_empty() {
            self.state
                .set_status(StatusKind::Info, "press f to find something in the notes");
            return;
        }
        if enc.note.is_none() {
            return;
        }
        let n = enc.find_hits.len();
        let next = match (fresh, enc.find_at) {
            _ if n == 0 => None,
            (false, Some(i)) if forward => (i + 1 < n).then_some(i + 1),
            (false, Some(i)) => i.checked_sub(1),
            _ => {
                // The first place at or below the top line shown (or above it, going back).
                let lines = self.wrapped_note();
                let top = enc.scroll;
                let line = |i: usize| {
                    enc.find_hits
                        .get(i)
                        .map_or(0, |r| wrap::line_of(&lines, r.start))
                };
                if forward {
                    (0..n).find(|&i| line(i) >= top).or(Some(0))
                } else {
                    (0..n).rev().find(|&i| line(i) < top).or(Some(n - 1))
                }
            }
        };
        if let Some(i) = next {
            self.go_to_hit(i, "");
            return;
        }
        if fresh && n == 0 {
            self.state.set_status(
                StatusKind::Warning,
                format!("'{query}' is not in this note (n looks in the encounter's other notes)"),
            );
            if let Some(enc) = self.state.encounter.as_mut() {
                enc.find_at = None;
            }
            return;
        }
        if self.find_other_note(forward) {
            return;
        }
        // No other note matches: round within this note.
        if n == 0 {
            self.state.set_status(
                StatusKind::Warning,
                format!("'{query}' is in no note of this encounter"),
            );
            return;
        }
        let i = if forward { 0 } else { n - 1 };
        self.go_to_hit(i, ", wrapped round");
    }

    fn wrapped_note(&self) -> Vec<wrap::WrappedLine> {
        let width = self.areas().viewer_text().width as usize;
        self.state
            .encounter
            .as_ref()
            .and_then(|e| e.note.as_ref())
            .map(|n| wrap::wrap_mapped(&n.body, width))
            .unwrap_or_default()
    }

    /// Makes place `i` of the open note current and scrolls to it.
    fn go_to_hit(&mut self, i: usize, note: &str) {
        let lines = self.wrapped_note();
        let (_, view_h) = self.note_extent();
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(r) = enc.find_hits.get(i) else {
            return;
        };
        let line = wrap::line_of(&lines, r.start);
        enc.find_at = Some(i);
        enc.find_line = Some(line);
        enc.scroll = line
            .saturating_sub(2)
            .min(lines.len().saturating_sub(view_h));
        let msg = format!(
            "'{}': {} of {} in this note (n next, N previous){note}",
            enc.find_query,
            i + 1,
            enc.find_hits.len()
        );
        self.state.set_status(StatusKind::Info, msg);
    }

    /// Opens the next (previous) note of the encounter that matches the find query, at its first
    /// (last) place. False when no other note matches.
    fn find_other_note(&mut self, forward: bool) -> bool {
        let Some(enc) = self.state.encounter.as_ref() else {
            return false;
        };
        let matching = match &enc.find_notes {
            Some(ids) => ids.clone(),
            None => {
                let q = NoteQuery {
                    limit: enc.view.notes.len().max(1),
                    encounter: Some(enc.view.encounter.id),
                    typing: enc.find_typing,
                    ..NoteQuery::default()
                };
                let query = enc.find_query.clone();
                match self.service.search_notes(&query, &q) {
                    Ok(r) => {
                        let ids: Vec<i64> = r.hits.iter().map(|h| h.id).collect();
                        if let Some(enc) = self.state.encounter.as_mut() {
                            enc.find_notes = Some(ids.clone());
                        }
                        ids
                    }
                    Err(e) => {
                        self.error(&e);
                        return false;
                    }
                }
            }
        };
        let Some(enc) = self.state.encounter.as_ref() else {
            return false;
        };
        let len = enc.view.notes.len();
        let cur = enc.notes_pos.selected;
        let pick = (1..len)
            .map(|k| {
                if forward {
                    (cur + k) % len
                } else {
                    (cur + len - k) % len
                }
            })
            .find(|&i| {
                enc.view
                    .notes
                    .get(i)
                    .is_some_and(|h| matching.contains(&h.id))
            });
        let Some(i) = pick else {
            return false;
        };
        let round = if forward { i < cur } else { i > cur };
        self.load_note(i);
        let n = self
            .state
            .encounter
            .as_ref()
            .map_or(0, |e| e.find_hits.len());
        let note = format!(
            " · note {} of {len}{}",
            i + 1,
            if round { ", wrapped round" } else { "" }
        );
        if n == 0 {
            let q = self
                .state
                .encounter
                .as_ref()
                .map(|e| e.find_query.clone())
                .unwrap_or_default();
            self.state.set_status(
                StatusKind::Info,
                format!(
                    "'{q}' matches note {} of {len} (no words to highlight)",
                    i + 1
                ),
            );
        } else {
            self.go_to_hit(if forward { 0 } else { n - 1 }, &note);
        }
        true
    }
}
