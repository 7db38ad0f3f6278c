//! The encounter screen's actions: open and leave, read notes, move between panes, code detail.
//! Part of `update`; code changes are in `assign`, code search in `code_search`.
use crate::tui::app::{Action, App};
use crate::tui::layout::{self, EncounterAreas};
use crate::tui::render::detail;
use crate::tui::state::{EncounterState, OpenNote, Pane, Screen, StatusKind, SystemFilter};
use crate::tui::widgets::text;

impl App {
    pub(crate) fn areas(&self) -> EncounterAreas {
        let (zoom, codes) = self
            .state
            .encounter
            .as_ref()
            .map(|e| (e.zoom, e.view.assignments.len()))
            .unwrap_or((false, 0));
        layout::encounter(layout::area_of(self.state.size), zoom, codes)
    }

    /// Opens an encounter (audited; claims it when nobody holds it) and shows its first note.
    pub(crate) fn open(&mut self, account: &str) {
        self.open_at(account, None);
    }

    /// Opens an encounter showing note `note` (a row id; else the first note). Only the note shown
    /// is read, so opening writes one audited view of it.
    pub(crate) fn open_at(&mut self, account: &str, note: Option<i64>) {
        self.open_with(account, note, false);
    }

    /// Opens an encounter to look at without claiming it (a supervisor from the dashboard): it
    /// stays read-only until `C` claims it.
    pub(crate) fn open_to_review(&mut self, account: &str) {
        self.open_with(account, None, true);
    }

    fn open_with(&mut self, account: &str, note: Option<i64>, review: bool) {
        let account = account.trim();
        if let Some(cur) = &self.state.encounter {
            if cur.view.encounter.account == account {
                self.state.screen = Screen::Encounter;
                let shown = cur.note.as_ref().map(|n| n.header.id);
                if let Some(i) = note
                    .filter(|id| shown != Some(*id))
                    .and_then(|id| cur.view.notes.iter().position(|h| h.id == id))
                {
                    self.load_note(i);
                }
                return;
            }
            self.leave();
        }
        let opened = if review {
            self.service.open_encounter_to_review(account)
        } else {
            self.service.open_encounter(account)
        };
        match opened {
            Ok(view) => {
                let mut enc = EncounterState::new(view);
                enc.review = review;
                enc.apply_review();
                let status = match &enc.view.read_only {
                    Some(why) => (StatusKind::Warning, format!("read-only: {why}")),
                    None => (
                        StatusKind::Info,
                        format!(
                            "{} open: Tab moves between panes, / searches codes, ? for help",
                            enc.view.encounter.account
                        ),
                    ),
                };
                enc.search.systems = SystemFilter::All;
                self.state.encounter = Some(enc);
                self.state.screen = Screen::Encounter;
                self.state.worklist.editing = false;
                let first = note
                    .and_then(|id| {
                        self.state
                            .encounter
                            .as_ref()
                            .and_then(|e| e.view.notes.iter().position(|h| h.id == id))
                    })
                    .unwrap_or(0);
                self.load_note(first);
                self.reload_edits();
                if self.state.status.is_none() {
                    self.state.set_status(status.0, status.1);
                }
            }
            Err(e) => self.error(&e),
        }
    }

    /// Back to the worklist; the service gives the claim back if no code was assigned.
    pub(crate) fn leave(&mut self) {
        let Some(enc) = self.state.encounter.take() else {
            self.state.screen = Screen::Worklist;
            return;
        };
        if let Err(e) = self.service.leave_encounter(enc.view.encounter.id) {
            self.error(&e);
        }
        self.state.screen = Screen::Worklist;
        if std::mem::take(&mut self.state.notes_search.came_from_search) && !self.state.quit {
            // Opened from the note search: back to its results.
            self.state.screen = Screen::NotesSearch;
            self.state.notes_search.back_to = Some(Screen::Worklist);
        }
        if !self.state.quit {
            let account = enc.view.encounter.account.clone();
            let coded = enc.view.encounter.status == crate::domain::EncounterStatus::Coded;
            // The accounts below the one left, in the order the worklist showed them.
            let wl = &self.state.worklist;
            let after: Vec<String> = wl
                .visible
                .iter()
                .filter_map(|&i| wl.rows.get(i).map(|r| r.account.clone()))
                .skip_while(|a| *a != account)
                .skip(1)
                .collect();
            self.reload_worklist();
            // Coded: on to the next uncoded encounter rather than following the coded one down.
            let keep = if coded {
                next_uncoded(&self.state.worklist, &after).unwrap_or(account)
            } else {
                account
            };
            self.refilter(Some(&keep));
        }
    }

    /// `C` on an encounter opened to review: claim it to code it (the service checks the role).
    fn claim_reviewed(&mut self) {
        let Some(enc) = self.state.encounter.as_ref() else {
            return;
        };
        let e = &enc.view.encounter;
        let me = self.state.login.clone();
        if e.claimed_by.as_deref() == Some(me.as_str()) {
            self.state
                .set_status(StatusKind::Info, format!("you already hold {}", e.account));
            return;
        }
        if let Some(holder) = &e.claimed_by {
            let msg = format!(
                "{} is held by {holder}: hand it over with :reassign {} LOGIN",
                e.account, e.account
            );
            self.state.set_status(StatusKind::Warning, msg);
            return;
        }
        let (id, account) = (e.id, e.account.clone());
        match self.service.reassign_to(id, Some(&me)) {
            Ok(()) => {
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.review = false;
                    enc.view.read_only = None;
                }
                self.reload_view();
                self.state.set_status(
                    StatusKind::Success,
                    format!("claimed {account}: you can code it"),
                );
            }
            Err(e) => self.error(&e),
        }
    }

    /// Re-reads the open encounter (not audited), keeping the cursor on the same code.
    pub(crate) fn reload_view(&mut self) {
        let Some(enc) = self.state.encounter.as_ref() else {
            return;
        };
        let id = enc.view.encounter.id;
        let keep = enc.selected_code().map(|a| a.id);
        let was = enc.view.read_only.clone();
        match self.service.encounter_view(id) {
            Ok(view) => {
                // Someone else took it over (a supervisor's reassignment): say so at once.
                let became = match (&was, &view.read_only) {
                    (None, Some(why)) => Some(why.clone()),
                    _ => None,
                };
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.view = view;
                    enc.apply_review();
                    self.select_code(keep);
                }
                if let Some(why) = became
                    && self.state.status.is_none()
                {
                    self.state
                        .set_status(StatusKind::Warning, format!("now read-only: {why}"));
                }
            }
            Err(e) => self.error(&e),
        }
        // The edits read every note body: recomputed only when codes, notes or acks changed.
        self.reload_edits_if_changed();
    }

    pub(crate) fn select_code(&mut self, id: Option<i64>) {
        let rows = self.areas().codes_rows();
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        if let Some(i) = id.and_then(|id| enc.view.assignments.iter().position(|a| a.id == id)) {
            enc.codes_pos.selected = i;
        }
        enc.codes_pos.clamp(enc.view.assignments.len());
        enc.codes_pos.ensure_visible(rows);
        self.refresh_detail();
    }

    /// Reads note `i` of the list into the viewer (an audited view).
    pub(crate) fn load_note(&mut self, i: usize) {
        let rows = self.areas().notes_rows();
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(h) = enc.view.notes.get(i) else {
            return;
        };
        let id = h.id;
        enc.notes_pos.selected = i;
        enc.notes_pos.ensure_visible(rows);
        match self.service.read_note(id) {
            Ok((header, body)) => {
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.note = Some(OpenNote { header, body });
                    enc.scroll = 0;
                }
                self.refresh_note_hits();
            }
            Err(e) => self.error(&e),
        }
    }

    /// Wrapped lines of the open note and the viewer's height, for scrolling.
    pub(crate) fn note_extent(&self) -> (usize, usize) {
        let area = self.areas().viewer_text();
        let lines = self
            .state
            .encounter
            .as_ref()
            .and_then(|e| e.note.as_ref())
            .map(|n| text::wrap(&n.body, area.width as usize).len())
            .unwrap_or(0);
        (lines, area.height as usize)
    }

    pub(crate) fn after_resize(&mut self) {
        let (lines, h) = self.note_extent();
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.scroll = enc.scroll.min(lines.saturating_sub(h));
        }
        let keep = self
            .state
            .encounter
            .as_ref()
            .and_then(|e| e.selected_code())
            .map(|a| a.id);
        self.select_code(keep);
    }

    /// Whether the detail of the highlighted code is on screen.
    pub(crate) fn detail_shown(&self) -> bool {
        self.state.encounter.as_ref().is_some_and(|e| {
            e.detail_open || (layout::is_wide(layout::area_of(self.state.size)) && !e.zoom)
        })
    }

    /// Loads the detail of the highlighted code when it is shown and has changed.
    pub(crate) fn refresh_detail(&mut self) {
        let shown = self.detail_shown();
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let subject = enc.detail_subject();
        let Some((system, code)) = subject.filter(|_| shown) else {
            enc.detail = None;
            return;
        };
        if enc
            .detail
            .as_ref()
            .is_some_and(|d| d.entry.system == system && d.entry.code == code)
        {
            return;
        }
        match self.service.code_detail(system, &code) {
            Ok(d) => {
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.detail = Some(d);
                    enc.detail_scroll = 0;
                }
            }
            Err(e) => {
                tracing::warn!("code detail for {system} {code}: {e:#}");
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.detail = None;
                }
            }
        }
    }

    /// Moves the cursor (or scrolls) in whatever has the focus.
    pub(crate) fn motion(&mut self, action: &Action) {
        let areas = self.areas();
        let (lines, view_h) = self.note_extent();
        let offers = self
            .state
            .encounter
            .as_ref()
            .and_then(|e| e.picker.as_ref())
            .map(|p| p.offers.len())
            .unwrap_or(0);
        let picker_rows = layout::picker_rows(areas.body, offers);
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let delta = |page: usize| -> isize {
            let page = page.max(1) as isize;
            match action {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -page,
                Action::PageDown => page,
                Action::Top => isize::MIN / 2,
                _ => isize::MAX / 2,
            }
        };
        if let Some(p) = enc.picker.as_mut() {
            p.pos.move_by(delta(picker_rows), p.visible.len());
            p.pos.ensure_visible(picker_rows);
            return;
        }
        // While the detail is open, paging scrolls it (arrows still move in the list).
        if enc.detail_open && matches!(action, Action::PageUp | Action::PageDown) {
            let area = match areas.detail_pane {
                Some(r) => r,
                None => areas.detail_popup,
            };
            let inner = layout::inner(area);
            let h = inner.height as usize;
            let total = enc
                .detail
                .as_ref()
                .map(|d| detail::detail_height(d, inner.width as usize))
                .unwrap_or(0);
            let max = total.saturating_sub(h) as isize;
            let d = delta(h.saturating_sub(1));
            enc.detail_scroll = (enc.detail_scroll as isize)
                .saturating_add(d)
                .clamp(0, max.max(0)) as usize;
            return;
        }
        match enc.focus {
            Pane::Notes => {
                let rows = areas.notes_rows();
                enc.notes_pos.move_by(delta(rows), enc.view.notes.len());
                enc.notes_pos.ensure_visible(rows);
            }
            Pane::Viewer => {
                let max = lines.saturating_sub(view_h) as isize;
                let d = delta(view_h.saturating_sub(1));
                enc.scroll = (enc.scroll as isize).saturating_add(d).clamp(0, max.max(0)) as usize;
            }
            Pane::Codes => {
                let rows = areas.codes_rows();
                enc.codes_pos
                    .move_by(delta(rows), enc.view.assignments.len());
                enc.codes_pos.ensure_visible(rows);
            }
            Pane::Search => {
                let rows = areas.result_rows();
                enc.search
                    .pos
                    .move_by(delta(rows), enc.search.results.len());
                enc.search.pos.ensure_visible(rows);
                enc.search.assign_on_arrival = false;
            }
        }
        self.refresh_detail();
    }

    pub(crate) fn focus(&mut self, pane: Pane) {
        if let Some(enc) = self.state.encounter.as_mut() {
            if pane == Pane::Search && enc.focus != Pane::Search {
                enc.before_search = enc.focus;
            }
            enc.focus = pane;
            if pane != Pane::Viewer {
                enc.zoom = false;
            }
        }
        self.refresh_detail();
    }

    /// Esc: close the innermost thing that is open, else leave the encounter.
    pub(crate) fn back(&mut self) {
        let wide = layout::is_wide(layout::area_of(self.state.size));
        let Some(enc) = self.state.encounter.as_mut() else {
            self.leave();
            return;
        };
        if enc.picker.take().is_some() {
            self.state.set_status(StatusKind::Info, "nothing assigned");
        } else if enc.detail_open && !wide {
            enc.detail_open = false;
        } else if enc.focus == Pane::Search {
            let to = enc.before_search;
            self.focus(to);
        } else if enc.zoom {
            enc.zoom = false;
        } else {
            self.leave();
        }
    }

    pub(crate) fn encounter_action(&mut self, action: Action) {
        let Some(enc) = self.state.encounter.as_mut() else {
            self.state.screen = Screen::Worklist;
            return;
        };
        let focus = enc.focus;
        let picking = enc.picker.is_some();
        if enc.find.is_some() {
            self.find_action(action);
            return;
        }
        if enc.drg_open && enc.confirm.is_none() && !picking {
            self.drg_action(action);
            return;
        }
        // The edits list takes moving, Enter, Esc and `a`; code changes (from `:`) still apply.
        let list_action = matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Back
                | Action::Accept
                | Action::ToggleEdits
                | Action::AckEdit
        );
        if enc.edits.open && list_action && !picking && enc.confirm.is_none() {
            self.edits_action(action);
            return;
        }
        if enc.pcs.is_some() && !picking && enc.confirm.is_none() {
            self.pcs_action(action);
            return;
        }
        if enc.nav.active && self.detail_nav_action(&action) {
            return;
        }
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        match action {
            Action::Back => self.back(),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.motion(&action),
            Action::NextPane => self.focus(focus.next()),
            Action::PrevPane => self.focus(focus.prev()),
            Action::FocusSearch => self.focus(Pane::Search),
            Action::Input(c) if picking => {
                if let Some(p) = enc.picker.as_mut() {
                    p.filter.push(c);
                    p.refilter();
                }
            }
            Action::Backspace if picking => {
                if let Some(p) = enc.picker.as_mut() {
                    p.filter.backspace();
                    p.refilter();
                }
            }
            Action::ClearInput if picking => {
                if let Some(p) = enc.picker.as_mut() {
                    p.filter.clear();
                    p.refilter();
                }
            }
            // `/` is how coders reach the search box: typed into an empty box, or just after an
            // assignment (the box keeps the focus), it starts a new query rather than typing a '/'.
            Action::Input('/')
                if focus == Pane::Search
                    && (enc.search.input.text.is_empty() || enc.search.input.replace_on_type) =>
            {
                enc.search.input.clear();
                self.submit_search();
            }
            Action::Input(c) if focus == Pane::Search => {
                enc.search.assign_on_arrival = false;
                enc.search.input.push(c);
                self.submit_search();
            }
            Action::Backspace if focus == Pane::Search => {
                enc.search.input.backspace();
                self.submit_search();
            }
            Action::ClearInput if focus == Pane::Search => {
                enc.search.input.clear();
                self.submit_search();
            }
            Action::Accept if picking => {
                let pick = enc
                    .picker
                    .as_ref()
                    .and_then(|p| Some((p.system, p.selected()?.code.clone())));
                match pick {
                    Some((system, code)) => self.assign(system, &code),
                    None => self
                        .state
                        .set_status(StatusKind::Info, "no code matches: Backspace to widen"),
                }
            }
            Action::Accept => match focus {
                Pane::Notes | Pane::Viewer => {
                    let i = enc.notes_pos.selected;
                    self.load_note(i);
                    self.focus(Pane::Viewer);
                }
                Pane::Search => {
                    if enc.search.pending() {
                        // Typed ahead of the search: assign the top result when it arrives.
                        enc.search.assign_on_arrival = true;
                        return;
                    }
                    match enc
                        .search
                        .selected_hit()
                        .map(|h| (h.system, h.code.clone()))
                    {
                        Some((system, code)) => self.assign(system, &code),
                        None if enc.search.input.text.trim().is_empty() => self.state.set_status(
                            StatusKind::Info,
                            "type words or a code to search, then Enter to assign",
                        ),
                        None => {
                            let q = enc.search.results_query.clone();
                            self.state.set_status(
                                StatusKind::Info,
                                format!("nothing to assign: no codes match '{q}'; try other words"),
                            )
                        }
                    }
                }
                Pane::Codes => self.toggle_detail(),
            },
            Action::Assign(system, code) => self.assign(system, &code),
            Action::ToggleDetail => self.toggle_detail(),
            Action::DetailRefs => self.enter_detail_refs(),
            Action::PcsBrowse => self.open_pcs_browser(),
            Action::CycleSystem => {
                enc.search.systems = enc.search.systems.next();
                let label = enc.search.systems.label();
                self.submit_search();
                self.state
                    .set_status(StatusKind::Info, format!("searching {label}"));
            }
            Action::StartFind => self.start_find(),
            Action::FindNext(forward) => self.find_next(forward, false),
            Action::ToggleZoom => {
                enc.zoom = !enc.zoom;
                if enc.zoom {
                    enc.focus = Pane::Viewer;
                }
                self.after_resize();
            }
            Action::NextNote | Action::PrevNote => {
                let n = enc.view.notes.len();
                let cur = enc.notes_pos.selected;
                let next = if matches!(action, Action::NextNote) {
                    cur + 1
                } else {
                    cur.wrapping_sub(1)
                };
                if next < n {
                    self.load_note(next);
                } else {
                    let end = if next >= n && cur + 1 >= n {
                        "last"
                    } else {
                        "first"
                    };
                    self.state
                        .set_status(StatusKind::Info, format!("this is the {end} note"));
                }
            }
            Action::SetPrincipal => {
                self.change_code(
                    |s, e, id| s.set_principal(e, id),
                    |c| format!("{c} is now first (principal)"),
                );
            }
            Action::SetPoa(p) => self.set_poa(p),
            Action::MoveCode(d) => {
                let dir = if d < 0 { "up" } else { "down" };
                self.change_code(
                    |s, e, id| s.move_assignment(e, id, d),
                    |c| format!("moved {c} {dir}"),
                );
            }
            Action::AskRemove => self.ask_remove(),
            Action::ToggleEdits => self.toggle_edits(),
            Action::ToggleDrg => self.drg_action(Action::ToggleDrg),
            Action::OverrideEdit(reason) => self.override_edit(&reason),
            Action::AckEdit => {
                // Outside the list there is nothing highlighted: open it on the first warning.
                self.toggle_edits();
            }
            Action::Confirm(yes) => self.answer_confirm(yes),
            Action::Claim => self.claim_reviewed(),
            Action::MarkCoded | Action::Reopen | Action::Release => {
                self.encounter_status_change(action)
            }
            _ => {}
        }
    }

    pub(crate) fn toggle_detail(&mut self) {
        // Outside the search box, the opened detail takes the keyboard to follow its references.
        if let Some(enc) = self.state.encounter.as_ref()
            && !enc.detail_open
            && enc.focus != Pane::Search
            && enc.detail_subject().is_some()
        {
            self.enter_detail_refs();
            return;
        }
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.detail_open = !enc.detail_open;
            if enc.detail_open && enc.detail_subject().is_none() {
                self.state.set_status(
                    StatusKind::Info,
                    "nothing highlighted: search codes with / or pick an assigned code",
                );
            }
        }
        self.refresh_detail();
    }
}

/// The first of `after` (accounts in the worklist's earlier order) still visible and not coded,
/// else the first visible encounter not coded.
fn next_uncoded(wl: &crate::tui::state::WorklistState, after: &[String]) -> Option<String> {
    let open = |acc: &str| {
        wl.rows
            .iter()
            .any(|r| r.account == acc && r.status != crate::domain::EncounterStatus::Coded)
    };
    after.iter().find(|a| open(a)).cloned().or_else(|| {
        wl.visible
            .iter()
            .filter_map(|&i| wl.rows.get(i))
            .find(|r| r.status != crate::domain::EncounterStatus::Coded)
            .map(|r| r.account.clone())
    })
}
