//! The CDI queue screen's handlers: load what the service lets this user see, filter, sort, open a
//! query side by side, and open its encounter (Esc there comes back to the queue).
use crate::domain::query::{self, Outcome, QueryEvent};
use crate::tui::app::App;
use crate::tui::layout;
use crate::tui::queries::panel::cycle;
use crate::tui::queries::queue::next_type;
use crate::tui::queries::{Prompt, QAction, calls};
use crate::tui::state::{Screen, StatusKind, TextInput};

impl App {
    /// Shows the queue screen and loads it.
    pub(crate) fn open_queue(&mut self) {
        self.state.screen = Screen::Queue;
        self.state.queue.return_here = false;
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
        self.reload_queue_with(false)
    }

    /// On the refresh timer: an unchanged queue is not audited again.
    pub(crate) fn refresh_queue(&mut self) {
        self.reload_queue_with(true)
    }

    fn reload_queue_with(&mut self, refresh: bool) {
        let keep = self.state.queue.selected().map(|r| r.id);
        self.state.queue.coder = self.state.role == crate::domain::Role::Coder;
        let rows = if refresh {
            calls::queue_refresh(&mut self.service)
        } else {
            calls::queue(&mut self.service)
        };
        match rows {
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
        if q.prompt.is_some() {
            self.queue_prompt(a);
            return;
        }
        if q.detail.is_some() {
            match a {
                QAction::Answer | QAction::Cancel | QAction::Close => self.queue_lifecycle(a),
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
                    self.state.queue.return_here = false;
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

    /// Back from the query's encounter: the opened query is read again (its draft, question and
    /// status may have changed there), and a half-typed prompt is dropped.
    pub(crate) fn reload_queue_detail(&mut self) {
        let Some(id) = self.state.queue.detail.as_ref().map(|c| c.row.id) else {
            return;
        };
        self.state.queue.prompt = None;
        match calls::card(&mut self.service, id) {
            Ok(c) => self.state.queue.detail = Some(c),
            Err(e) => {
                self.state.queue.detail = None;
                self.error(&e);
            }
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

    /// A, C, X on the opened query: answer and cancel ask for text first; close runs at once.
    fn queue_lifecycle(&mut self, a: QAction) {
        let Some((id, status)) = self
            .state
            .queue
            .detail
            .as_ref()
            .map(|c| (c.row.id, c.row.status))
        else {
            return;
        };
        let ev = match a {
            QAction::Answer => QueryEvent::Answer,
            QAction::Cancel => QueryEvent::Cancel,
            _ => QueryEvent::Close,
        };
        if let Err(msg) = query::transition(status, ev) {
            self.state.set_status(StatusKind::Warning, msg);
            return;
        }
        let q = &mut self.state.queue;
        match ev {
            QueryEvent::Answer => {
                q.prompt = Some(Prompt::Answer {
                    outcome: Outcome::Agreed,
                    input: TextInput::default(),
                })
            }
            QueryEvent::Cancel => {
                q.prompt = Some(Prompt::Cancel {
                    input: TextInput::default(),
                })
            }
            _ => {
                let r = calls::close(&mut self.service, id);
                self.queue_after(id, r, "query closed");
            }
        }
    }

    fn queue_prompt(&mut self, a: QAction) {
        let q = &mut self.state.queue;
        let Some(p) = q.prompt.as_mut() else {
            return;
        };
        match a {
            QAction::Input(c) => p.input_mut().push(c),
            QAction::Backspace => p.input_mut().backspace(),
            QAction::ClearInput => p.input_mut().clear(),
            QAction::NextOutcome => {
                if let Prompt::Answer { outcome, .. } = p {
                    *outcome = cycle(&Outcome::ANSWERS, *outcome, 1);
                }
            }
            QAction::Back => q.prompt = None,
            QAction::Accept => {
                let (Some(p), Some(id)) = (q.prompt.take(), q.detail.as_ref().map(|c| c.row.id))
                else {
                    return;
                };
                match p {
                    Prompt::Answer { outcome, input } => {
                        let r = calls::answer(&mut self.service, id, outcome, input.text.trim());
                        self.queue_after(id, r, "answer recorded");
                    }
                    Prompt::Cancel { input } => {
                        let r = calls::cancel(&mut self.service, id, input.text.trim());
                        self.queue_after(id, r, "query canceled");
                    }
                    Prompt::Edit { .. } => {}
                }
            }
            _ => {}
        }
    }

    /// After a lifecycle step from the queue: the opened query and the list again.
    fn queue_after(&mut self, id: i64, r: anyhow::Result<()>, msg: &str) {
        if let Err(e) = r {
            self.error(&e);
            return;
        }
        self.reload_queue();
        match calls::card(&mut self.service, id) {
            Ok(c) => {
                let status = c.row.status.label();
                self.state.queue.detail = Some(c);
                self.state.set_status(
                    StatusKind::Success,
                    format!("{msg}: query #{id} is {status}"),
                );
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
