//! The note search screen: search every note as you type (off the UI thread, audited per search
//! run), results with account, note type, author, date and a highlighted snippet, relevance or date
//! order. Enter opens the encounter (claims as usual) with that note shown at its first hit; `n`/`N`
//! then step through the hits, also into the encounter's other notes.
use crate::service::{NoteHit, NoteOrder};
use crate::tui::app::{Action, App};
use crate::tui::keymap::KeyHelp;
use crate::tui::notes_worker::{self, NotesOutcome, NotesRequest, NotesWorker};
use crate::tui::state::{ListPos, Pane, Screen, StatusKind, TextInput};
use ratatui::layout::{Constraint, Layout, Rect};
use std::time::Duration;

const fn k(keys: &'static str, what: &'static str) -> KeyHelp {
    KeyHelp { keys, what }
}

/// The query language in brief, for the help overlay.
pub const QUERY_HELP: &[KeyHelp] = &[
    k("sepsis lactate", "every word (stemmed; exact forms first)"),
    k("\"heart failure\"", "the phrase"),
    k("nstemi OR \"mi\"", "either"),
    k("-word  -\"phrase\"", "without it"),
    k("pneumo*", "a word starting so (also the word typed last)"),
    k(
        "type:ds  author:smith",
        "note type (name, alias, prefix), author",
    ),
    k(
        "after:2024-01 before:2025",
        "written on or after / before a day",
    ),
    k("enc:inpatient", "encounter type; filters negate with -"),
];

/// What the note search screen shows.
#[derive(Debug, Clone, Default)]
pub struct NotesSearchState {
    pub input: TextInput,
    pub order: NoteOrder,
    pub results: Vec<NoteHit>,
    /// The query `results` answer.
    pub results_query: String,
    /// All matching notes (more than `results` may hold).
    pub total: usize,
    /// The query could not be read as written, or a filter was left out: say so.
    pub fallback: Option<String>,
    pub error: Option<String>,
    pub pos: ListPos,
    /// Generation of the newest request, and of the one `results` came from.
    pub requested: u64,
    pub shown: u64,
    pub elapsed_ms: u64,
    /// Enter was pressed before the answer came: open its first result when it arrives.
    pub open_on_arrival: bool,
    /// Where Esc goes back to.
    pub back_to: Option<Screen>,
    /// The open encounter was opened from here: leaving it comes back here.
    pub came_from_search: bool,
}

impl NotesSearchState {
    pub fn pending(&self) -> bool {
        self.requested != self.shown
    }
    pub fn selected(&self) -> Option<&NoteHit> {
        self.results.get(self.pos.selected)
    }
}

/// Where the note search screen's parts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotesSearchAreas {
    pub title: Rect,
    pub input: Rect,
    pub message: Rect,
    /// Two rows per result.
    pub list: Rect,
    pub status: Rect,
    pub footer: Rect,
}

impl NotesSearchAreas {
    /// Results that fit.
    pub fn rows(&self) -> usize {
        (self.list.height as usize / 2).max(1)
    }
}

pub fn layout(area: Rect) -> NotesSearchAreas {
    let [title, input, message, list, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    NotesSearchAreas {
        title,
        input,
        message,
        list,
        status,
        footer,
    }
}

/// Relevance, newest first, oldest first, round again.
pub fn next_order(o: NoteOrder) -> NoteOrder {
    match o {
        NoteOrder::Relevance => NoteOrder::Newest,
        NoteOrder::Newest => NoteOrder::Oldest,
        NoteOrder::Oldest => NoteOrder::Relevance,
    }
}

pub fn order_label(o: NoteOrder) -> &'static str {
    match o {
        NoteOrder::Relevance => "best match first",
        NoteOrder::Newest => "newest first",
        NoteOrder::Oldest => "oldest first",
    }
}

impl App {
    /// Shows the note search screen, searching `query` when given.
    pub(crate) fn show_notes_search(&mut self, query: Option<String>) {
        if self.state.screen != Screen::NotesSearch {
            self.state.notes_search.back_to = Some(self.state.screen);
        }
        self.state.screen = Screen::NotesSearch;
        self.state.worklist.editing = false;
        if let Some(q) = query {
            self.state.notes_search.input = TextInput {
                text: q,
                replace_on_type: false,
            };
            self.submit_notes_search();
        } else if self.state.notes_search.results.is_empty() {
            self.state.set_status(
                StatusKind::Info,
                "type to search every note: words, \"phrases\", OR, -not, type: author: after: before: enc:",
            );
        }
    }

    /// Sends the typed query to the search thread (or clears the results for an empty query).
    pub(crate) fn submit_notes_search(&mut self) {
        let ns = &mut self.state.notes_search;
        ns.requested += 1;
        let req = NotesRequest {
            generation: ns.requested,
            query: ns.input.text.clone(),
            order: ns.order,
        };
        if req.query.trim().is_empty() {
            ns.results.clear();
            ns.results_query.clear();
            ns.total = 0;
            ns.fallback = None;
            ns.error = None;
            ns.pos = ListPos::default();
            ns.shown = ns.requested;
            ns.open_on_arrival = false;
            return;
        }
        if self.notes_worker.is_none() {
            self.start_notes_worker();
        }
        match &self.notes_worker {
            Some(w) => w.submit(req),
            None => {
                // No thread: search here (still audited by the service).
                let started = std::time::Instant::now();
                let result = self
                    .service
                    .search_notes(&req.query, &req.note_query())
                    .map_err(|e| format!("{e:#}"));
                let elapsed = started.elapsed();
                self.notes_done(NotesOutcome {
                    request: req,
                    result,
                    elapsed,
                });
            }
        }
    }

    fn start_notes_worker(&mut self) {
        let searcher = match self.service.notes_searcher() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("{e:#}; searching notes on the UI thread instead");
                return;
            }
        };
        let mut searcher = searcher;
        match NotesWorker::start(
            Box::new(move |q, o| searcher.search(q, o)),
            notes_worker::SETTLE,
        ) {
            Ok(w) => self.notes_worker = Some(w),
            Err(e) => tracing::error!("{e:#}; searching notes on the UI thread instead"),
        }
    }

    /// A notes search is out and its answer has not been shown yet.
    pub fn notes_pending(&self) -> bool {
        self.notes_worker.is_some() && self.state.notes_search.pending()
    }

    /// Applies one finished notes search, waiting at most `wait`. True if one was applied.
    pub fn poll_notes(&mut self, wait: Duration) -> bool {
        let Some(w) = &self.notes_worker else {
            return false;
        };
        match w.recv(wait) {
            Ok(Some(out)) => {
                crate::tui::update(self, Action::NotesDone(Box::new(out)));
                true
            }
            Ok(None) => false,
            Err(msg) => {
                self.notes_worker = None;
                self.state.set_status(StatusKind::Error, msg);
                true
            }
        }
    }

    pub(crate) fn notes_done(&mut self, out: NotesOutcome) {
        let ns = &mut self.state.notes_search;
        if out.request.generation <= ns.shown {
            return;
        }
        ns.shown = out.request.generation;
        ns.elapsed_ms = out.elapsed.as_millis() as u64;
        let changed = ns.results_query != out.request.query;
        match out.result {
            Ok(r) => {
                ns.results = r.hits;
                ns.total = r.total;
                ns.fallback = r.fallback_message;
                ns.error = None;
            }
            Err(e) => {
                ns.results.clear();
                ns.total = 0;
                ns.fallback = None;
                ns.error = Some(e);
            }
        }
        ns.results_query = out.request.query;
        if changed {
            ns.pos = ListPos::default();
        }
        ns.pos.clamp(ns.results.len());
        if ns.open_on_arrival && !ns.pending() {
            ns.open_on_arrival = false;
            self.open_note_hit();
        }
    }

    pub(crate) fn notes_search_action(&mut self, action: Action) {
        let rows = layout(crate::tui::layout::area_of(self.state.size)).rows();
        let ns = &mut self.state.notes_search;
        let len = ns.results.len();
        match action {
            Action::Input(c) => {
                ns.input.push(c);
                ns.open_on_arrival = false;
                self.submit_notes_search();
            }
            Action::Backspace => {
                ns.input.backspace();
                self.submit_notes_search();
            }
            Action::ClearInput => {
                ns.input.clear();
                self.submit_notes_search();
            }
            Action::Up => ns.pos.move_by(-1, len),
            Action::Down => ns.pos.move_by(1, len),
            Action::PageUp => ns.pos.move_by(-(rows as isize), len),
            Action::PageDown => ns.pos.move_by(rows as isize, len),
            Action::Top => ns.pos.move_by(-(len as isize), len),
            Action::Bottom => ns.pos.move_by(len as isize, len),
            Action::ToggleNoteOrder => {
                ns.order = next_order(ns.order);
                let label = order_label(ns.order);
                self.submit_notes_search();
                self.state
                    .set_status(StatusKind::Info, format!("notes {label}"));
            }
            Action::Accept => {
                if ns.pending() {
                    ns.open_on_arrival = true;
                } else {
                    self.open_note_hit();
                }
            }
            Action::Back => {
                ns.open_on_arrival = false;
                let to = match ns.back_to.take() {
                    Some(Screen::Encounter) if self.state.encounter.is_some() => Screen::Encounter,
                    _ => Screen::Worklist,
                };
                self.state.screen = to;
            }
            _ => {}
        }
        let ns = &mut self.state.notes_search;
        ns.pos.ensure_visible(rows);
    }

    /// Opens the encounter of the highlighted result with that note shown at its first hit (one
    /// audited view of that note; claims as opening from the worklist does).
    pub(crate) fn open_note_hit(&mut self) {
        let ns = &self.state.notes_search;
        let Some(hit) = ns.selected().cloned() else {
            let msg = if ns.input.text.trim().is_empty() {
                "type something to search the notes".to_string()
            } else {
                format!("no note matches '{}': try other words", ns.results_query)
            };
            self.state.set_status(StatusKind::Info, msg);
            return;
        };
        let query = ns.results_query.clone();
        self.open_at(&hit.account, Some(hit.id));
        let opened = self
            .state
            .encounter
            .as_ref()
            .is_some_and(|e| e.view.encounter.id == hit.encounter_id);
        if !opened || self.state.screen != Screen::Encounter {
            return;
        }
        self.state.notes_search.came_from_search = true;
        let keep = self.state.status.clone();
        self.set_find_query(&query, true);
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.focus = Pane::Viewer;
        }
        self.find_next(true, true);
        if let (Some(k), Some(s)) = (keep, self.state.status.as_mut())
            && k.kind == StatusKind::Warning
        {
            // A read-only encounter says so first.
            s.text = format!("{} · {}", k.text, s.text);
        }
    }
}
