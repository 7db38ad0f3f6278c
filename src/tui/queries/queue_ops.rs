//! The CDI queue screen's handlers: load what the service lets this user see, filter, sort, open a
//! query side by side, and open its encounter (Esc there comes back to the queue).
use crate::tui::app::App;
use crate::tui::layout;
use crate::tui::queries::queue::next_type;
use crate::tui::queries::{QAction, calls};
use crate::tui::state::{Screen, StatusKind};

impl App {
    /// Shows the queue screen and loads it.
    pub(crate) fn open_queue(&mut self) {
        self.state.screen = Screen::Queue;
        self.state.worklist.editing = false;
        self.state.queue.detail = None;
        self.reload_queue();
        if self.state.status.is_none() {
            let n = self.state.queue.visible.len();
            self.state.set_status(
                StatusKind::Info,
                format!("{n} queries: Enter opens one, e its encounter, ? for filters"),
            );
        }
    }

    /// Reloads the queue, keeping the cursor on the same query when it is still shown.
    pub(crate) fn reload_queue(&mut self) {
        let keep = self.state.queue.selected().map(|r| r.id);
        match calls::queue(&mut self.service) {
            Ok(rows) => {
                let q = &mut self.state.queue;
                q.rows = rows;
                self.refilter_queue(keep);
            }
            Err(e) => {
                // Forbidden and other refusals are shown as they are; the list stays empty.
                self.state.queue.rows.clear();
                self.refilter_queue(None);
                self.error(&e);
            }
        }
    }

    fn refilter_queue(&mut self, keep: Option<i64>) {
        let (login, today) = (self.state.login.clone(), self.state.today);
        let rows = layout::worklist(layout::area_of(self.state.size)).rows();
        let q = &mut self.state.queue;
        q.refilter(&login, today);
        if let Some(id) = keep
            && let Some(i) = q
                .visible
                .iter()
                .position(|&i| q.rows.get(i).is_some_and(|r| r.id == id))
        {
            q.pos.selected = i;
        }
        q.pos.clamp(q.visible.len());
        q.pos.ensure_visible(rows);
    }

    pub(crate) fn queue_action(&mut self, a: QAction) {
        let rows = layout::worklist(layout::area_of(self.state.size)).rows();
        let q = &mut self.state.queue;
        let len = q.visible.len();
        if q.editing {
            match a {
                QAction::Input(c) => {
                    q.filter.push(c);
                    q.pos = Default::default();
                }
                QAction::Backspace => q.filter.backspace(),
                QAction::ClearInput => q.filter.clear(),
                QAction::Accept => q.editing = false,
                QAction::Back => {
                    q.editing = false;
                    q.filter.clear();
                }
                QAction::Move(d) => q.pos.move_by(d, len),
                _ => return,
            }
            self.refilter_queue(None);
            return;
        }
        if q.detail.is_some() {
            match a {
                QAction::Back => q.detail = None,
                QAction::Move(d) => {
                    q.detail_scroll = (q.detail_scroll as isize + d).max(0) as usize;
                }
                QAction::Page(d) => {
                    q.detail_scroll =
                        (q.detail_scroll as isize + d * rows.max(2) as isize / 2).max(0) as usize;
                }
                QAction::Top => q.detail_scroll = 0,
                QAction::OpenEncounter | QAction::Accept => self.queue_open_encounter(),
                QAction::Refresh => self.reload_queue(),
                _ => {}
            }
            return;
        }
        let mut refilter = true;
        match a {
            QAction::Move(d) => {
                q.pos.move_by(d, len);
                refilter = false;
            }
            QAction::Page(d) => {
                q.pos.move_by(d * rows as isize, len);
                refilter = false;
            }
            QAction::Top => {
                q.pos.move_by(-(len as isize), len);
                refilter = false;
            }
            QAction::Bottom => {
                q.pos.move_by(len as isize, len);
                refilter = false;
            }
            QAction::StartFilter => q.editing = true,
            QAction::ToggleMine => q.mine = !q.mine,
            QAction::CycleStatus => q.status = q.status.next(),
            QAction::CycleAge => q.age = q.age.next(),
            QAction::CycleType => q.enc_type = next_type(q.enc_type),
            QAction::ToggleSort => {
                q.sort = match q.sort {
                    crate::tui::queries::QueueSort::Age => crate::tui::queries::QueueSort::Due,
                    crate::tui::queries::QueueSort::Due => crate::tui::queries::QueueSort::Age,
                }
            }
            QAction::Back => {
                if !q.filter.text.is_empty() {
                    q.filter.clear();
                } else {
                    self.state.screen = Screen::Worklist;
                    self.reload_worklist();
                    return;
                }
            }
            QAction::Refresh => {
                self.reload_queue();
                return;
            }
            QAction::OpenQueue => {}
            QAction::Accept => {
                self.queue_open_detail();
                return;
            }
            QAction::OpenEncounter => {
                self.queue_open_encounter();
                return;
            }
            _ => refilter = false,
        }
        if refilter {
            let keep = self.state.queue.selected().map(|r| r.id);
            self.refilter_queue(keep);
        } else {
            self.state.queue.pos.ensure_visible(rows);
        }
    }

    fn queue_open_detail(&mut self) {
        let Some(id) = self.state.queue.selected().map(|r| r.id) else {
            self.state.set_status(
                StatusKind::Info,
                "no query here: change the filters (s, a, m, t) or Esc",
            );
            return;
        };
        match calls::card(&mut self.service, id) {
            Ok(c) => {
                self.state.queue.detail = Some(c);
                self.state.queue.detail_scroll = 0;
            }
            Err(e) => self.error(&e),
        }
    }

    fn queue_open_encounter(&mut self) {
        let q = &self.state.queue;
        let account = match &q.detail {
            Some(c) => Some(c.row.account.clone()),
            None => q.selected().map(|r| r.account.clone()),
        };
        let Some(account) = account else {
            self.state
                .set_status(StatusKind::Info, "no query highlighted");
            return;
        };
        self.state.queue.return_here = true;
        self.open(&account);
        if self.state.screen != Screen::Encounter {
            // Refused (the message is in the status line): stay on the queue.
            self.state.queue.return_here = false;
            self.state.screen = Screen::Queue;
        }
    }
}
