//! `App::query_action`: where the query keys change state and call the service. Selecting and
//! pinning are here; the panel's and the queue's handlers are in `panel_ops` and `queue_ops`.
use crate::tui::app::{Action, App};
use crate::tui::queries::select::{self, Selection};
use crate::tui::queries::{QAction, calls};
use crate::tui::state::{Pane, Screen, StatusKind};
use crate::tui::widgets::text;

impl App {
    /// Applies one query action (keys, `:query`, `:queue`).
    pub(crate) fn query_action(&mut self, q: QAction) {
        match self.state.screen {
            Screen::Queue => self.queue_action(q),
            Screen::Worklist => match q {
                QAction::OpenQueue => self.open_queue(),
                _ => self.state.set_status(
                    StatusKind::Info,
                    "open an encounter first (Enter), or the CDI queue with Q",
                ),
            },
            Screen::Encounter => self.encounter_query_action(q),
            Screen::NotesSearch | Screen::Dashboard => {
                if q == QAction::OpenQueue {
                    self.open_queue()
                }
            }
        }
    }

    fn encounter_query_action(&mut self, q: QAction) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        if enc.cdi.panel.is_some() && !matches!(q, QAction::OpenQueue) {
            self.panel_action(q);
            return;
        }
        match q {
            QAction::StartSelect => self.start_select(),
            QAction::Extend(how) => self.extend_select(how),
            QAction::CancelSelect => {
                enc.cdi.selection = None;
                self.state.set_status(StatusKind::Info, "selection dropped");
            }
            QAction::Pin => self.pin(),
            QAction::TogglePanel | QAction::New => self.open_panel(matches!(q, QAction::New)),
            QAction::OpenQueue => {
                self.leave();
                self.open_queue();
            }
            _ => {}
        }
    }

    /// The words of the open note as the viewer wraps them, and the note's id and body.
    fn note_words(&self) -> Option<(i64, String, Vec<select::Word>)> {
        let width = self.areas().viewer_text().width as usize;
        let note = self.state.encounter.as_ref()?.note.as_ref()?;
        let words = select::words(&note.body, width);
        Some((note.header.id, note.body.clone(), words))
    }

    fn start_select(&mut self) {
        let (_, view_h) = self.note_extent();
        let Some((id, _, words)) = self.note_words() else {
            self.state.set_status(
                StatusKind::Info,
                "open a note first (Enter in the notes list)",
            );
            return;
        };
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let top = enc.scroll;
        let at_find = enc
            .find_line
            .filter(|l| *l >= top && *l < top + view_h.max(1))
            .and_then(|_| enc.find_at.and_then(|k| enc.find_hits.get(k)))
            .and_then(|hit| select::find_word(&words, hit.start));
        let Some(i) = at_find.or_else(|| words.iter().position(|w| w.line >= top)) else {
            self.state
                .set_status(StatusKind::Info, "nothing to select in this note");
            return;
        };
        enc.focus = Pane::Viewer;
        enc.cdi.selection = Some(Selection {
            note: id,
            anchor: words[i].start,
            cursor: words[i].start,
        });
        self.state.set_status(
            StatusKind::Info,
            "selecting: w/b word, j/k line, ) sentence end, s sentence, p pins, Esc stops",
        );
    }

    fn extend_select(&mut self, how: select::Extend) {
        let (_, view_h) = self.note_extent();
        let Some((id, body, words)) = self.note_words() else {
            return;
        };
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(sel) = enc.cdi.selection.as_mut().filter(|s| s.note == id) else {
            enc.cdi.selection = None;
            return;
        };
        sel.extend(&body, &words, how);
        // Keep the moving end on screen.
        if let Some(w) = select::word_at(&words, sel.cursor).and_then(|i| words.get(i)) {
            let h = view_h.max(1);
            if w.line < enc.scroll {
                enc.scroll = w.line;
            } else if w.line >= enc.scroll + h {
                enc.scroll = w.line + 1 - h;
            }
        }
        if let Some((s, e)) = sel.range(&words) {
            let n = body.get(s..e).map(|q| q.chars().count()).unwrap_or(0);
            self.state.set_status(
                StatusKind::Info,
                format!("{n} characters selected: p pins, Esc stops"),
            );
        }
    }

    /// The text to pin: the selection, else the sentence of the current find match.
    fn pin_range(&self) -> Option<(i64, String, usize, usize)> {
        let (id, body, words) = self.note_words()?;
        let enc = self.state.encounter.as_ref()?;
        if let Some(sel) = enc.cdi.selection.filter(|s| s.note == id) {
            let (s, e) = sel.range(&words)?;
            return Some((id, body, s, e));
        }
        let hit = enc.find_hits.get(enc.find_at?)?;
        let i = select::find_word(&words, hit.start)?;
        let (lo, hi) = select::sentence_at(&body, &words, i);
        let (s, e) = (words.get(lo)?.start, words.get(hi)?.end);
        Some((id, body, s, e))
    }

    /// Pins the selection (or the find match's sentence) to the encounter's draft query, creating
    /// the draft when there is none.
    fn pin(&mut self) {
        let Some((note, body, s, e)) = self.pin_range() else {
            self.state.set_status(
                StatusKind::Info,
                "nothing to pin: v starts a selection (or f finds text, then p pins its sentence)",
            );
            return;
        };
        let Some(enc_id) = self.state.encounter.as_ref().map(|e| e.view.encounter.id) else {
            return;
        };
        let draft = match self.draft_for(enc_id) {
            Ok(d) => d,
            Err(err) => {
                self.error(&err);
                return;
            }
        };
        let (Some(cs), Some(ce)) = (
            crate::domain::query::char_offset(&body, s),
            crate::domain::query::char_offset(&body, e),
        ) else {
            self.state.set_status(
                StatusKind::Error,
                "the selection does not fall on character boundaries: select again (v)",
            );
            return;
        };
        let already = self.state.encounter.as_ref().is_some_and(|enc| {
            enc.cdi.draft == Some(draft) && enc.cdi.pins.contains(&(note, cs, ce))
        });
        if already {
            if let Some(enc) = self.state.encounter.as_mut() {
                enc.cdi.selection = None;
            }
            self.state.set_status(
                StatusKind::Warning,
                format!("that text is already pinned to draft query #{draft}: not pinned again"),
            );
            return;
        }
        match calls::pin(&mut self.service, draft, note, cs, ce) {
            Ok(ind) => {
                let quote: String = body.get(s..e).unwrap_or("").replace('\n', " ");
                if let Some(enc) = self.state.encounter.as_mut() {
                    if enc.cdi.draft != Some(draft) {
                        enc.cdi.pins.clear();
                    }
                    enc.cdi.selection = None;
                    enc.cdi.draft = Some(draft);
                    enc.cdi.pins.push((note, ind.start, ind.end));
                }
                self.state.set_status(
                    StatusKind::Success,
                    format!(
                        "pinned to draft query #{draft} (Q composes): \u{201c}{}\u{201d} from {}",
                        text::truncate(&quote, 30),
                        ind.note_type
                    ),
                );
            }
            Err(err) => self.error(&err),
        }
    }

    /// The encounter's draft query: the one pins went to, else its newest draft, else a new one.
    pub(crate) fn draft_for(&mut self, enc_id: i64) -> anyhow::Result<i64> {
        let known = self.state.encounter.as_ref().and_then(|e| e.cdi.draft);
        let list = calls::encounter_queries(&mut self.service, enc_id)?;
        let draft = |id: i64| {
            list.iter()
                .any(|q| q.id == id && q.status == crate::domain::query::QueryStatus::Draft)
        };
        if let Some(id) = known.filter(|id| draft(*id)) {
            return Ok(id);
        }
        if let Some(q) = list
            .iter()
            .find(|q| q.status == crate::domain::query::QueryStatus::Draft)
        {
            return Ok(q.id);
        }
        let id = calls::create_draft(&mut self.service, enc_id)?;
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.cdi.draft = Some(id);
        }
        Ok(id)
    }

    /// Generic actions (from `:` commands) on the queue screen.
    pub(crate) fn queue_other_action(&mut self, a: Action) {
        match a {
            Action::Back => self.queue_action(QAction::Back),
            Action::Refresh => self.queue_action(QAction::Refresh),
            _ => {}
        }
    }

    /// Runs after every action: an encounter opened from the queue goes back to the queue.
    pub(crate) fn after_query_update(&mut self) {
        if self.state.screen == Screen::Worklist
            && self.state.queue.return_here
            && self.state.encounter.is_none()
            && !self.state.quit
        {
            self.state.queue.return_here = false;
            self.state.screen = Screen::Queue;
            self.reload_queue();
            self.reload_queue_detail();
        }
    }
}
