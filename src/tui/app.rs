//! The application: `State`, the `Action`s that change it, and `update`, the only place that calls
//! the service. Keys become actions in `keymap`; background answers (code search) arrive as actions too.
use crate::config::Config;
use crate::domain::{CodeSystem, Poa};
use crate::search::CodeQuery;
use crate::service::Service;
use crate::store::encounters::WorklistFilter;
use crate::tui::command;
use crate::tui::layout;
use crate::tui::notes_worker::{NotesOutcome, NotesWorker};
use crate::tui::search_worker::{SearchOutcome, SearchWorker};
use crate::tui::state::{Confirm, Scope, Screen, State, StatusKind, visible_rows};
use std::time::Duration;

/// The most worklist rows loaded at once (the list says when there are more).
pub const WORKLIST_LIMIT: usize = 5000;

/// Something the user (or a background job) wants done.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    /// Esc: close what is open, or go back a screen.
    Back,
    ToggleHelp,
    /// Periodic refresh (others' claims and changes).
    Tick,
    /// Reload the worklist now.
    Refresh,
    Resize(u16, u16),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    PrevPane,
    /// Enter: open, read, assign, run, whichever applies.
    Accept,
    /// Leave a text input, keeping what was typed.
    EndInput,
    Input(char),
    Backspace,
    ClearInput,
    StartFilter,
    StartCommand,
    CycleScope,
    SetScope(Scope),
    FocusSearch,
    ToggleDetail,
    CycleSystem,
    ToggleZoom,
    NextNote,
    PrevNote,
    /// `f`: type something to find in the open note.
    StartFind,
    /// `n` / `N`: next (true) or previous match in the note.
    FindNext(bool),
    SetPrincipal,
    SetPoa(Option<Poa>),
    MoveCode(i64),
    AskRemove,
    Confirm(bool),
    MarkCoded,
    Reopen,
    Release,
    /// `C` in an encounter opened to review (supervisors from the dashboard): claim it.
    Claim,
    /// `:reassign ACCOUNT LOGIN`: hand an encounter's claim to a coder (supervisors, admins).
    Reassign(String, String),
    /// `:override REASON` in the edits list: a supervisor overrides the highlighted error.
    OverrideEdit(String),
    /// `R` on the worklist (supervisors): the command line, prefilled to reassign the highlighted
    /// encounter.
    StartReassign,
    Open(String),
    Assign(CodeSystem, String),
    /// `e`: open or close the list of coding edits.
    ToggleEdits,
    /// `g`: open or close the working MS-DRG panel.
    ToggleDrg,
    /// `a` in the edits list: acknowledge the highlighted warning.
    AckEdit,
    /// An answer from the code search thread.
    SearchDone(SearchOutcome),
    /// `s` on the worklist, `:notes QUERY`: the note search screen (searching QUERY).
    NotesSearch(Option<String>),
    /// Ctrl-O / F4 on the note search screen: best match, newest or oldest first.
    ToggleNoteOrder,
    /// An answer from the notes search thread.
    NotesDone(Box<NotesOutcome>),
    /// Give the code detail the keyboard to follow its references (Ctrl-R in the search).
    DetailRefs,
    /// Select the next (1) or previous (-1) reference in the detail.
    DetailRef(isize),
    /// Open the code the selected reference names.
    DetailFollow,
    /// Back to the code shown before the last one followed.
    DetailBack,
    /// Open the ICD-10-PCS axis browser (Ctrl-B or F4 in the search).
    PcsBrowse,
    /// Pick the value with this key in the PCS browser's current column.
    PcsPick(char),
    /// `D` or `:dashboard`: the supervisor dashboard.
    Dashboard,
    /// `[` / `]` on the dashboard: a shorter (-1) or longer (+1) date range.
    DashRange(i32),
    /// `t` on the dashboard: the next team filter.
    DashTeam,
    /// Documentation queries: pinning, the query panel, the CDI queue (`tui::queries`).
    Query(crate::tui::queries::QAction),
    /// No key for `security.idle_minutes`: clear the screen of patient data and end the session.
    IdleLogoff,
}

/// The running application: what is shown, plus the service and the search thread behind it.
pub struct App {
    pub state: State,
    pub(crate) service: Service,
    pub(crate) worker: Option<SearchWorker>,
    pub(crate) search_options: CodeQuery,
    /// Started when the note search screen is first used.
    pub(crate) notes_worker: Option<NotesWorker>,
    /// Productivity standards the dashboard compares against.
    pub(crate) standards: crate::config::StandardsConfig,
}

impl App {
    /// Builds the app and loads the worklist (a failure shows in the status line).
    pub fn new(service: Service, config: &Config) -> App {
        let user = service.user().clone();
        let today = chrono::Local::now().date_naive();
        let mut state = State::new(&user.login, user.role, config.use_color(), today);
        if config.ui.start_with_mine {
            state.worklist.scope = Scope::Mine;
        }
        let index = service.code_index();
        // Opened beside the first frame, not before it (startup: lazy index opening).
        index.warm_up();
        let worker =
            match SearchWorker::start(Box::new(move |q: &str, o: &CodeQuery| index.search(q, o))) {
                Ok(w) => Some(w),
                Err(e) => {
                    tracing::error!("{e:#}; searching on the UI thread instead");
                    None
                }
            };
        let mut app = App {
            state,
            service,
            worker,
            search_options: CodeQuery {
                limit: config.search.code_limit,
                systems: Vec::new(),
                billable_only: config.search.billable_only,
            },
            notes_worker: None,
            standards: config.standards.clone(),
        };
        app.reload_worklist();
        app
    }

    pub fn service(&self) -> &Service {
        &self.service
    }

    /// Applies one finished code search, waiting at most `wait` for it. True if one was applied.
    pub fn poll_search(&mut self, wait: Duration) -> bool {
        let Some(w) = &self.worker else {
            return false;
        };
        match w.recv(wait) {
            Ok(Some(out)) => {
                update(self, Action::SearchDone(out));
                true
            }
            Ok(None) => false,
            Err(msg) => {
                self.worker = None;
                self.state.set_status(StatusKind::Error, msg);
                true
            }
        }
    }

    /// A search is out and its answer has not been shown yet.
    pub fn search_pending(&self) -> bool {
        self.state
            .encounter
            .as_ref()
            .is_some_and(|e| e.search.pending())
    }

    pub(crate) fn error(&mut self, e: &anyhow::Error) {
        tracing::warn!("{e:#}");
        self.state.set_status(StatusKind::Error, format!("{e:#}"));
    }

    /// Loads the worklist again, keeping the cursor on the same encounter when it is still listed.
    pub(crate) fn reload_worklist(&mut self) {
        let keep = self
            .state
            .worklist
            .selected_row()
            .map(|r| r.account.clone());
        let filter = WorklistFilter {
            limit: Some(WORKLIST_LIMIT + 1),
            ..WorklistFilter::default()
        };
        match self.service.worklist(&filter) {
            Ok(mut rows) => {
                let wl = &mut self.state.worklist;
                wl.truncated = rows.len() > WORKLIST_LIMIT;
                rows.truncate(WORKLIST_LIMIT);
                wl.rows = rows;
                self.refilter(keep.as_deref());
            }
            Err(e) => self.error(&e),
        }
    }

    /// The periodic refresh: reloads the worklist only if it changed (audited then, not per tick).
    pub(crate) fn refresh_worklist(&mut self) {
        let keep = self
            .state
            .worklist
            .selected_row()
            .map(|r| r.account.clone());
        // A truncated list is compared on the rows shown; otherwise on one row more (to notice
        // when it grows past the limit).
        let truncated = self.state.worklist.truncated;
        let limit = WORKLIST_LIMIT + usize::from(!truncated);
        let filter = WorklistFilter {
            limit: Some(limit),
            ..WorklistFilter::default()
        };
        match self
            .service
            .worklist_if_changed(&filter, &self.state.worklist.rows)
        {
            Ok(None) => {}
            Ok(Some(mut rows)) => {
                let wl = &mut self.state.worklist;
                wl.truncated = rows.len() > WORKLIST_LIMIT || (truncated && rows.len() == limit);
                rows.truncate(WORKLIST_LIMIT);
                wl.rows = rows;
                self.refilter(keep.as_deref());
            }
            Err(e) => self.error(&e),
        }
    }

    /// Re-applies scope and filter; puts the cursor on `keep` if it is visible.
    pub(crate) fn refilter(&mut self, keep: Option<&str>) {
        let login = self.state.login.clone();
        let wl = &mut self.state.worklist;
        wl.visible = visible_rows(&wl.rows, wl.scope, &wl.filter.text, &login);
        if let Some(acc) = keep
            && let Some(i) = wl
                .visible
                .iter()
                .position(|&i| wl.rows.get(i).is_some_and(|r| r.account == acc))
        {
            wl.pos.selected = i;
        }
        wl.pos.clamp(wl.visible.len());
        let rows = layout::worklist(layout::area_of(self.state.size)).rows();
        wl.pos.ensure_visible(rows);
    }

    fn worklist_action(&mut self, action: Action) {
        let rows = layout::worklist(layout::area_of(self.state.size)).rows();
        let len = self.state.worklist.visible.len();
        let editing = self.state.worklist.editing;
        let wl = &mut self.state.worklist;
        match action {
            Action::Up => wl.pos.move_by(-1, len),
            Action::Down => wl.pos.move_by(1, len),
            Action::PageUp => wl.pos.move_by(-(rows as isize), len),
            Action::PageDown => wl.pos.move_by(rows as isize, len),
            Action::Top => wl.pos.move_by(-(len as isize), len),
            Action::Bottom => wl.pos.move_by(len as isize, len),
            Action::StartFilter => wl.editing = true,
            Action::EndInput => wl.editing = false,
            Action::Input(c) if editing => {
                wl.filter.push(c);
                wl.pos = Default::default();
                self.refilter(None);
            }
            Action::Backspace if editing => {
                wl.filter.backspace();
                self.refilter(None);
            }
            Action::ClearInput if editing => {
                wl.filter.clear();
                self.refilter(None);
            }
            Action::Back => {
                wl.editing = false;
                wl.filter.clear();
                let keep = wl.selected_row().map(|r| r.account.clone());
                self.refilter(keep.as_deref());
            }
            Action::Accept => {
                wl.editing = false;
                match wl.selected_row().map(|r| r.account.clone()) {
                    Some(acc) => self.open(&acc),
                    None => self.state.set_status(
                        StatusKind::Info,
                        "no encounter here: change the filter or scope (m)",
                    ),
                }
            }
            Action::CycleScope => {
                let next = wl.scope.next();
                self.set_scope(next);
            }
            Action::SetScope(s) => self.set_scope(s),
            Action::Refresh => {
                self.reload_worklist();
                if self.state.status.is_none() {
                    let n = self.state.worklist.rows.len();
                    self.state
                        .set_status(StatusKind::Info, format!("refreshed: {n} encounters"));
                }
            }
            _ => {}
        }
        let wl = &mut self.state.worklist;
        wl.pos.ensure_visible(rows);
    }

    fn set_scope(&mut self, scope: Scope) {
        let keep = self
            .state
            .worklist
            .selected_row()
            .map(|r| r.account.clone());
        self.state.worklist.scope = scope;
        self.refilter(keep.as_deref());
        let n = self.state.worklist.visible.len();
        self.state
            .set_status(StatusKind::Info, format!("showing {} ({n})", scope.label()));
    }

    fn tick(&mut self) {
        self.state.today = chrono::Local::now().date_naive();
        match self.state.screen {
            Screen::Worklist => self.refresh_worklist(),
            Screen::Encounter => self.reload_view(),
            Screen::NotesSearch => {}
            // Reports are reloaded on r, not on every tick (each load is an audited view).
            Screen::Dashboard => {}
            Screen::Queue => self.refresh_queue(),
        }
    }

    /// Ends the session after `idle` without a key when that reaches `limit`; true if it did.
    /// The event loop passes its own clock; tests pass any duration.
    pub fn idle_check(&mut self, idle: Duration, limit: Duration) -> bool {
        if idle < limit || self.state.quit {
            return false;
        }
        update(self, Action::IdleLogoff);
        true
    }

    /// Forgets everything shown (patients, notes, codes, queries) and quits. Claims are kept: the
    /// coder picks the encounter up again at the next log-in. Audited as "idle_logoff".
    fn idle_logoff(&mut self) {
        if let Err(e) = self.service.record_session("idle_logoff", "") {
            tracing::warn!("auditing the idle log-off: {e:#}");
        }
        let user = self.service.user().clone();
        let mut fresh = State::new(
            &user.login,
            user.role,
            self.state.color,
            chrono::Local::now().date_naive(),
        );
        fresh.size = self.state.size;
        fresh.set_status(
            StatusKind::Info,
            "logged off: no key for too long (your claims are kept)".to_string(),
        );
        fresh.quit = true;
        self.state = fresh;
    }

    /// `q`, Ctrl-C: quit, asking first when typed text would be lost (a query prompt's text).
    fn quit(&mut self) {
        let asked = self
            .state
            .encounter
            .as_ref()
            .is_some_and(|e| matches!(e.confirm, Some(Confirm::Quit { .. })));
        if !asked
            && self.state.screen == Screen::Encounter
            && let Some(what) = self.unsaved()
            && let Some(enc) = self.state.encounter.as_mut()
        {
            enc.confirm = Some(Confirm::Quit { what });
            return;
        }
        self.quit_now();
    }

    /// What would be lost by quitting now, in words; None when nothing is.
    fn unsaved(&self) -> Option<String> {
        let e = self.state.encounter.as_ref()?;
        let prompt = e.cdi.panel.as_ref()?.prompt.as_ref()?;
        (!prompt.input().text.trim().is_empty()).then(|| "the query text being typed".to_string())
    }

    /// Quits without asking (a termination signal, or `y` to the question): an open encounter is
    /// left first (its claim given back if it has no codes).
    pub fn quit_now(&mut self) {
        if self.state.encounter.is_some() {
            self.leave();
        }
        self.state.quit = true;
    }

    /// y/n to the open question.
    pub(crate) fn answer_confirm(&mut self, yes: bool) {
        let quit = self
            .state
            .encounter
            .as_ref()
            .is_some_and(|e| matches!(e.confirm, Some(Confirm::Quit { .. })));
        if !quit {
            self.confirm_remove(yes);
            return;
        }
        if let Some(e) = self.state.encounter.as_mut() {
            e.confirm = None;
        }
        if yes {
            self.quit_now();
        }
    }

    fn help_action(&mut self, action: Action) {
        let rows = layout::help_rows(layout::area_of(self.state.size));
        let Some(off) = self.state.help.as_mut() else {
            return;
        };
        match action {
            Action::Up => *off = off.saturating_sub(1),
            Action::Down => *off += 1,
            Action::PageUp => *off = off.saturating_sub(rows),
            Action::PageDown => *off += rows,
            Action::Top => *off = 0,
            Action::Bottom => *off = usize::MAX / 2,
            Action::Back => self.state.help = None,
            _ => {}
        }
        // Render clamps the offset to the help text's length.
    }

    fn command_action(&mut self, action: Action) {
        let Some(cmd) = self.state.command.as_mut() else {
            return;
        };
        match action {
            Action::Input(c) => cmd.push(c),
            Action::Backspace => {
                if cmd.text.is_empty() {
                    self.state.command = None;
                } else {
                    cmd.backspace();
                }
            }
            Action::ClearInput => cmd.clear(),
            Action::Back => self.state.command = None,
            Action::Accept => {
                let line = cmd.text.clone();
                self.state.command = None;
                match command::parse(&line) {
                    Ok(Some(a)) => update(self, a),
                    Ok(None) => {}
                    Err(msg) => self.state.set_status(StatusKind::Error, msg),
                }
            }
            _ => {}
        }
    }
}

/// Applies one action: the only place state changes and the service is called.
pub fn update(app: &mut App, action: Action) {
    let background = matches!(
        action,
        Action::Tick | Action::SearchDone(_) | Action::NotesDone(_) | Action::Resize(..)
    );
    if !background {
        app.state.status = None;
    }
    match action {
        Action::Quit => app.quit(),
        Action::IdleLogoff => app.idle_logoff(),
        Action::Resize(w, h) => {
            app.state.size = (w, h);
            app.refilter(None);
            app.after_resize();
        }
        Action::Tick => app.tick(),
        Action::ToggleHelp => {
            app.state.help = if app.state.help.is_some() {
                None
            } else {
                Some(0)
            };
        }
        Action::SearchDone(out) => app.search_done(out),
        Action::NotesDone(out) => app.notes_done(*out),
        a if app.state.help.is_some() => app.help_action(a),
        Action::StartCommand => app.state.command = Some(Default::default()),
        Action::StartReassign => app.start_reassign(),
        a if app.state.command.is_some() => app.command_action(a),
        Action::Query(q) => app.query_action(q),
        Action::Confirm(yes) => app.answer_confirm(yes),
        Action::Open(account) => app.open(&account),
        Action::Reassign(account, login) => app.reassign(&account, &login),
        Action::NotesSearch(q) => app.show_notes_search(q),
        Action::Dashboard => app.open_dashboard(),
        a => match app.state.screen {
            Screen::Worklist => app.worklist_action(a),
            Screen::Encounter => app.encounter_action(a),
            Screen::NotesSearch => app.notes_search_action(a),
            Screen::Dashboard => app.dashboard_action(a),
            Screen::Queue => app.queue_other_action(a),
        },
    }
    app.after_query_update();
    app.after_dashboard_update();
}
