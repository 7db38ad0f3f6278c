//! The CDI queue screen's state: the queries the service lets this user see, narrowed by filters
//! (mine, status, age, encounter type, and typed text for provider, attending, account, patient),
//! sorted by age or due time, and the query opened from it.
use crate::domain::EncounterType;
use crate::domain::query::QueryStatus;
use crate::tui::queries::views::{QueryCard, QueueRow};
use crate::tui::state::{ListPos, TextInput};
use chrono::NaiveDate;

/// Which statuses the queue shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Drafts, sent, escalated and answered: everything still to work.
    #[default]
    Active,
    Only(QueryStatus),
    All,
}

impl StatusFilter {
    pub fn next(self) -> StatusFilter {
        use QueryStatus as S;
        match self {
            StatusFilter::Active => StatusFilter::Only(S::Draft),
            StatusFilter::Only(S::Draft) => StatusFilter::Only(S::Open),
            StatusFilter::Only(S::Open) => StatusFilter::Only(S::Escalated),
            StatusFilter::Only(S::Escalated) => StatusFilter::Only(S::Answered),
            StatusFilter::Only(S::Answered) => StatusFilter::Only(S::Closed),
            StatusFilter::Only(S::Closed) => StatusFilter::Only(S::Canceled),
            StatusFilter::Only(S::Canceled) => StatusFilter::All,
            StatusFilter::All => StatusFilter::Active,
        }
    }
    pub fn label(self) -> String {
        match self {
            StatusFilter::Active => "active".into(),
            StatusFilter::Only(s) => s.as_str().to_string(),
            StatusFilter::All => "all".into(),
        }
    }
    pub fn admits(self, s: QueryStatus) -> bool {
        match self {
            StatusFilter::Active => !s.is_final(),
            StatusFilter::Only(x) => x == s,
            StatusFilter::All => true,
        }
    }
}

/// How old a query must be to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AgeFilter {
    #[default]
    Any,
    /// At least this many days since sent (or created).
    Over(i64),
}

impl AgeFilter {
    pub fn next(self) -> AgeFilter {
        match self {
            AgeFilter::Any => AgeFilter::Over(2),
            AgeFilter::Over(2) => AgeFilter::Over(7),
            AgeFilter::Over(7) => AgeFilter::Over(14),
            AgeFilter::Over(_) => AgeFilter::Any,
        }
    }
    pub fn label(self) -> String {
        match self {
            AgeFilter::Any => "any age".into(),
            AgeFilter::Over(d) => format!(">{d}d"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Oldest first.
    #[default]
    Age,
    /// Soonest due first (no due time last).
    Due,
}

impl QueueSort {
    pub fn label(self) -> &'static str {
        match self {
            QueueSort::Age => "oldest first",
            QueueSort::Due => "due first",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueState {
    pub rows: Vec<QueueRow>,
    /// Indices into `rows` that pass the filters, in display order.
    pub visible: Vec<usize>,
    pub pos: ListPos,
    pub mine: bool,
    pub status: StatusFilter,
    pub age: AgeFilter,
    pub enc_type: Option<EncounterType>,
    pub sort: QueueSort,
    pub filter: TextInput,
    pub editing: bool,
    /// The query opened with Enter (shown side by side: encounter and indicators, history).
    pub detail: Option<QueryCard>,
    pub detail_scroll: usize,
    /// The encounter was opened from the queue: Esc there comes back here.
    pub return_here: bool,
}

impl QueueState {
    pub fn selected(&self) -> Option<&QueueRow> {
        self.visible
            .get(self.pos.selected)
            .and_then(|&i| self.rows.get(i))
    }

    /// Applies the filters and the sort for `login` on `today`.
    pub fn refilter(&mut self, login: &str, today: NaiveDate) {
        let words: Vec<String> = self
            .filter
            .text
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .collect();
        let mut vis: Vec<usize> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                (!self.mine || r.owner == login)
                    && self.status.admits(r.status)
                    && match self.age {
                        AgeFilter::Any => true,
                        AgeFilter::Over(d) => r.age_days(today).is_some_and(|a| a >= d),
                    }
                    && self.enc_type.is_none_or(|t| r.enc_type == t)
                    && {
                        let hay = format!(
                            "{} {} {} {} {} {} {}",
                            r.account,
                            r.patient,
                            r.provider,
                            r.attending,
                            r.owner,
                            r.topic,
                            r.status.as_str()
                        )
                        .to_lowercase();
                        words.iter().all(|w| hay.contains(w.as_str()))
                    }
            })
            .map(|(i, _)| i)
            .collect();
        let rows = &self.rows;
        match self.sort {
            QueueSort::Age => vis.sort_by_key(|&i| {
                let r = &rows[i];
                (std::cmp::Reverse(r.age_days(today).unwrap_or(0)), r.id)
            }),
            QueueSort::Due => vis.sort_by(|&a, &b| {
                let (ra, rb) = (&rows[a], &rows[b]);
                match (&ra.due_at, &rb.due_at) {
                    (Some(x), Some(y)) => x.cmp(y).then(ra.id.cmp(&rb.id)),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => ra.id.cmp(&rb.id),
                }
            }),
        }
        self.visible = vis;
        self.pos.clamp(self.visible.len());
    }

    /// How many loaded queries are in each status (the header's counts).
    pub fn counts(&self) -> Vec<(QueryStatus, usize)> {
        QueryStatus::ALL
            .iter()
            .map(|s| (*s, self.rows.iter().filter(|r| r.status == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// Encounter types in the order `t` cycles them (None: every type).
pub fn next_type(t: Option<EncounterType>) -> Option<EncounterType> {
    let all = EncounterType::ALL;
    match t {
        None => all.first().copied(),
        Some(t) => {
            let i = all.iter().position(|x| *x == t).unwrap_or(0);
            all.get(i + 1).copied()
        }
    }
}
