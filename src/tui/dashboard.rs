//! The supervisor dashboard screen's state and its actions: which range and team it shows, the
//! reports it loaded through the service, and the oldest-backlog list to drill into.
use crate::domain::Permission;
use crate::report::accuracy::AccuracyReport;
use crate::report::backlog::BacklogReport;
use crate::report::throughput::ThroughputReport;
use crate::service::QueriesReport;
use crate::store::reviews::{ReviewFilter, ReviewRow};
use crate::tui::app::{Action, App};
use crate::tui::state::{ListPos, Screen, StatusKind};
use chrono::NaiveDate;

/// The date ranges `[` and `]` step through, in days.
pub const RANGES: [u32; 3] = [7, 30, 90];
/// Days the daily-throughput sparkline covers.
pub const SPARK_DAYS: u32 = 30;
/// Pages shown one at a time when the window cannot hold every panel.
pub const PAGES: [&str; 3] = ["Throughput", "Backlog", "Quality"];

/// What the dashboard shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardState {
    pub range_days: u32,
    /// None: everyone the user may see.
    pub team: Option<String>,
    pub teams: Vec<String>,
    /// The acting user sees only their own figures (coders).
    pub own_only: bool,
    /// The page shown on small windows.
    pub page: usize,
    /// The last day of the range.
    pub to: NaiveDate,
    pub throughput: Option<ThroughputReport>,
    /// Throughput over the sparkline's 30 days (the same report when the range is 30 days).
    pub spark: Option<ThroughputReport>,
    pub backlog: Option<BacklogReport>,
    pub accuracy: Option<AccuracyReport>,
    /// Query figures (supervisors and admins only).
    pub queries: Option<QueriesReport>,
    /// Reviews of the acting coder's own coding in the range, with the reviewer's findings
    /// (coders only).
    pub my_reviews: Vec<ReviewRow>,
    /// The cursor in the oldest-backlog list.
    pub oldest: ListPos,
    /// An encounter was opened from the oldest-backlog list: leaving it comes back here.
    pub return_here: bool,
}

impl DashboardState {
    pub fn new(to: NaiveDate, own_only: bool) -> DashboardState {
        DashboardState {
            range_days: 30,
            team: None,
            teams: Vec::new(),
            own_only,
            page: 0,
            to,
            throughput: None,
            spark: None,
            backlog: None,
            accuracy: None,
            queries: None,
            my_reviews: Vec::new(),
            oldest: ListPos::default(),
            return_here: false,
        }
    }
    pub fn from(&self) -> NaiveDate {
        self.to - chrono::Duration::days(self.range_days as i64 - 1)
    }
    /// The account under the cursor in the oldest-backlog list.
    pub fn selected_account(&self) -> Option<&str> {
        self.backlog
            .as_ref()
            .and_then(|b| b.oldest.get(self.oldest.selected))
            .map(|i| i.account.as_str())
    }
    pub fn oldest_len(&self) -> usize {
        self.backlog.as_ref().map_or(0, |b| b.oldest.len())
    }
}

impl App {
    /// Opens the dashboard (from the worklist: `D` or `:dashboard`) and loads its reports.
    pub(crate) fn open_dashboard(&mut self) {
        let own_only = !self.state.role.allows(Permission::Reports);
        let today = chrono::Utc::now().date_naive();
        let mut d = self
            .state
            .dashboard
            .take()
            .unwrap_or_else(|| DashboardState::new(today, own_only));
        d.to = today;
        d.return_here = false;
        self.state.dashboard = Some(d);
        self.state.screen = Screen::Dashboard;
        self.load_dashboard();
    }

    /// Loads every panel's report for the current range and team.
    pub(crate) fn load_dashboard(&mut self) {
        let Some(d) = self.state.dashboard.as_ref() else {
            return;
        };
        let (from, to, team, days) = (d.from(), d.to, d.team.clone(), d.range_days);
        let supervisor = !d.own_only;
        let std = self.standards.clone();
        let spark_from = to - chrono::Duration::days(SPARK_DAYS as i64 - 1);
        let svc = &mut self.service;
        let result = (|| -> anyhow::Result<_> {
            let tp = svc.report_throughput(from, to, team.as_deref(), &std)?;
            let spark = if days == SPARK_DAYS {
                tp.clone()
            } else {
                svc.report_throughput(spark_from, to, team.as_deref(), &std)?
            };
            let backlog = svc.report_backlog(to)?;
            let acc = svc.report_accuracy(from, to, team.as_deref())?;
            let teams = svc.teams()?;
            let (queries, mine) = if supervisor {
                (Some(svc.report_queries(from, to)?), Vec::new())
            } else {
                let f = ReviewFilter {
                    coded_from: Some(format!("{from}T00:00:00.000Z")),
                    coded_to: Some(format!("{}T00:00:00.000Z", to + chrono::Duration::days(1))),
                    ..Default::default()
                };
                (None, svc.reviews(&f)?)
            };
            Ok((tp, spark, backlog, acc, teams, queries, mine))
        })();
        match result {
            Ok((tp, spark, backlog, acc, teams, queries, mine)) => {
                if let Some(d) = self.state.dashboard.as_mut() {
                    d.throughput = Some(tp);
                    d.spark = Some(spark);
                    d.backlog = Some(backlog);
                    d.accuracy = Some(acc);
                    d.teams = teams;
                    d.queries = queries;
                    d.my_reviews = mine;
                    let len = d.oldest_len();
                    d.oldest.clamp(len);
                }
            }
            Err(e) => self.error(&e),
        }
    }

    pub(crate) fn dashboard_action(&mut self, action: Action) {
        let Some(d) = self.state.dashboard.as_mut() else {
            self.state.screen = Screen::Worklist;
            return;
        };
        let len = d.oldest_len();
        match action {
            Action::Back => {
                self.state.screen = Screen::Worklist;
                self.reload_worklist();
            }
            Action::Up => d.oldest.move_by(-1, len),
            Action::Down => d.oldest.move_by(1, len),
            Action::PageUp => d.oldest.move_by(-10, len),
            Action::PageDown => d.oldest.move_by(10, len),
            Action::Top => d.oldest.move_by(-(len as isize), len),
            Action::Bottom => d.oldest.move_by(len as isize, len),
            Action::NextPane => d.page = (d.page + 1) % PAGES.len(),
            Action::PrevPane => d.page = (d.page + PAGES.len() - 1) % PAGES.len(),
            Action::DashRange(step) => {
                let i = RANGES.iter().position(|r| *r == d.range_days).unwrap_or(1) as i32;
                let j = (i + step).clamp(0, RANGES.len() as i32 - 1) as usize;
                if RANGES[j] != d.range_days {
                    d.range_days = RANGES[j];
                    self.load_dashboard();
                }
            }
            Action::DashTeam => {
                if d.own_only {
                    self.state.set_status(
                        StatusKind::Info,
                        "coders see their own figures only: no team filter",
                    );
                    return;
                }
                let next = match &d.team {
                    None => d.teams.first().cloned(),
                    Some(t) => {
                        let i = d.teams.iter().position(|x| x == t);
                        i.and_then(|i| d.teams.get(i + 1).cloned())
                    }
                };
                let label = next.clone().unwrap_or_else(|| "all".into());
                d.team = next;
                self.load_dashboard();
                self.state
                    .set_status(StatusKind::Info, format!("team: {label}"));
            }
            Action::Refresh => self.load_dashboard(),
            Action::Accept => match d.selected_account().map(str::to_string) {
                Some(acc) => {
                    d.return_here = true;
                    // Supervisors look without claiming (C claims); coders pick up their work.
                    if self.state.role.allows(crate::domain::Permission::Reassign) {
                        self.open_to_review(&acc);
                    } else {
                        self.open(&acc);
                    }
                    if self.state.screen != Screen::Encounter
                        && let Some(d) = self.state.dashboard.as_mut()
                    {
                        // Refused (the message is in the status line): stay here.
                        d.return_here = false;
                        self.state.screen = Screen::Dashboard;
                    }
                }
                None => self
                    .state
                    .set_status(StatusKind::Info, "no backlog encounter selected"),
            },
            _ => {}
        }
    }

    /// After an action: an encounter opened from the backlog list was left, so back to the
    /// dashboard (reloaded, as the encounter may have changed), as the note search and the queue do.
    pub(crate) fn after_dashboard_update(&mut self) {
        if self.state.screen == Screen::Worklist
            && self.state.encounter.is_none()
            && !self.state.quit
            && let Some(d) = self.state.dashboard.as_mut()
            && d.return_here
        {
            d.return_here = false;
            self.state.screen = Screen::Dashboard;
            self.load_dashboard();
        }
    }
}
