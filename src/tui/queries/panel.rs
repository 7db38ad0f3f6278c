//! The query panel of the open encounter: its queries, the one shown (a draft is a form of rows),
//! and the prompt being typed. Plain state; the service calls are in `update`.
use crate::domain::query::{
    OTHER_OPTION, Outcome, QueryStatus, QueryTemplate, QueryType, UNDETERMINED_OPTION,
    YES_NO_OPTIONS, is_other_option, is_undetermined_option,
};
use crate::tui::queries::views::{QueryCard, QueueRow};
use crate::tui::state::TextInput;

/// A row of the panel the cursor can be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Template,
    Type,
    /// Yes/no queries only.
    Purpose,
    Provider,
    Question,
    /// One of the composer's own options (multiple choice).
    Option(usize),
    AddOption,
    Indicator(usize),
}

impl Field {
    /// A line of text is typed into it with Enter.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Provider | Field::Question | Field::Option(_) | Field::AddOption
        )
    }
    /// Left/right (and Enter) cycle through choices.
    pub fn is_choice(self) -> bool {
        matches!(self, Field::Template | Field::Type | Field::Purpose)
    }
}

/// A line being typed in the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// A draft's field.
    Edit { field: Field, input: TextInput },
    /// The provider's answer: the outcome (Tab cycles) and the response text.
    Answer { outcome: Outcome, input: TextInput },
    /// Why the query is withdrawn.
    Cancel { input: TextInput },
}

impl Prompt {
    pub fn input(&self) -> &TextInput {
        match self {
            Prompt::Edit { input, .. }
            | Prompt::Answer { input, .. }
            | Prompt::Cancel { input } => input,
        }
    }
    pub fn input_mut(&mut self) -> &mut TextInput {
        match self {
            Prompt::Edit { input, .. }
            | Prompt::Answer { input, .. }
            | Prompt::Cancel { input } => input,
        }
    }
}

/// The panel over the encounter body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelState {
    /// The encounter's queries, newest first.
    pub queries: Vec<QueueRow>,
    /// The query shown (one of `queries`), with its indicators, history and findings.
    pub card: Option<QueryCard>,
    /// Index into `rows()`.
    pub row: usize,
    /// First line of the panel body shown.
    pub scroll: usize,
    pub prompt: Option<Prompt>,
    /// Templates offered to drafts (loaded once when the panel opens).
    pub templates: Vec<QueryTemplate>,
    /// The template chosen for the shown draft (index into `templates`).
    pub template: Option<usize>,
}

impl PanelState {
    pub fn typing(&self) -> bool {
        self.prompt.is_some()
    }

    /// The shown query is a draft (its rows can be edited).
    pub fn is_draft(&self) -> bool {
        self.card
            .as_ref()
            .is_some_and(|c| c.row.status == QueryStatus::Draft)
    }

    /// The rows the cursor moves over, in display order.
    pub fn rows(&self) -> Vec<Field> {
        let Some(c) = &self.card else {
            return Vec::new();
        };
        let draft = c.row.status == QueryStatus::Draft;
        let mut out = Vec::new();
        if draft {
            out.extend([Field::Template, Field::Type]);
            if c.row.query_type == QueryType::YesNo {
                out.push(Field::Purpose);
            }
            out.extend([Field::Provider, Field::Question]);
        }
        if c.row.query_type == QueryType::MultipleChoice {
            out.extend(own_options(&c.options).into_iter().map(Field::Option));
            if draft {
                out.push(Field::AddOption);
            }
        }
        out.extend((0..c.indicators.len()).map(Field::Indicator));
        out
    }

    pub fn field(&self) -> Option<Field> {
        self.rows().get(self.row).copied()
    }

    pub fn move_by(&mut self, d: isize) {
        let n = self.rows().len();
        if n == 0 {
            self.row = 0;
            return;
        }
        self.row = (self.row as isize + d).clamp(0, n as isize - 1) as usize;
    }

    /// Keeps the cursor inside the rows after the card changed.
    pub fn clamp(&mut self) {
        self.row = self.row.min(self.rows().len().saturating_sub(1));
    }

    /// Index of the shown query in `queries`.
    pub fn shown(&self) -> Option<usize> {
        let id = self.card.as_ref()?.row.id;
        self.queries.iter().position(|q| q.id == id)
    }
}

/// Indices of the options the composer wrote (not the ones every query of its type offers).
pub fn own_options(options: &[String]) -> Vec<usize> {
    options
        .iter()
        .enumerate()
        .filter(|(_, o)| !is_undetermined_option(o) && !is_other_option(o))
        .map(|(i, _)| i)
        .collect()
}

/// The options every query of type `t` offers, shown after the composer's own.
pub fn fixed_options(t: QueryType) -> Vec<&'static str> {
    match t {
        QueryType::OpenEnded => Vec::new(),
        QueryType::MultipleChoice => vec![UNDETERMINED_OPTION, OTHER_OPTION],
        QueryType::YesNo => YES_NO_OPTIONS.to_vec(),
    }
}

/// The next (or previous) item of `all` after `cur`, going round.
pub fn cycle<T: Copy + PartialEq>(all: &[T], cur: T, d: isize) -> T {
    let n = all.len() as isize;
    if n == 0 {
        return cur;
    }
    let i = all.iter().position(|x| *x == cur).unwrap_or(0) as isize;
    all[((i + d) % n + n) as usize % all.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EncounterType;

    fn card(t: QueryType, status: QueryStatus, options: &[&str]) -> QueryCard {
        QueryCard {
            row: QueueRow {
                id: 1,
                encounter_id: 1,
                account: "A1".into(),
                patient: "DOE, JANE".into(),
                enc_type: EncounterType::Inpatient,
                attending: "Dr. Rivera".into(),
                provider: "Dr. Rivera".into(),
                status,
                query_type: t,
                topic: String::new(),
                owner: "carol".into(),
                created_at: "2025-02-06T10:00:00Z".into(),
                sent_at: None,
                due_at: None,
                indicators: 0,
            },
            purpose: None,
            template: None,
            look_for: Vec::new(),
            question: "?".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            indicators: Vec::new(),
            outcome: None,
            response: None,
            cancel_reason: None,
            history: Vec::new(),
            findings: Vec::new(),
        }
    }

    #[test]
    fn rows_follow_type_and_status() {
        let mut p = PanelState {
            card: Some(card(
                QueryType::MultipleChoice,
                QueryStatus::Draft,
                &["Acute systolic", UNDETERMINED_OPTION, OTHER_OPTION],
            )),
            ..PanelState::default()
        };
        assert_eq!(
            p.rows(),
            vec![
                Field::Template,
                Field::Type,
                Field::Provider,
                Field::Question,
                Field::Option(0),
                Field::AddOption
            ]
        );
        p.move_by(100);
        assert_eq!(p.field(), Some(Field::AddOption));
        p.card = Some(card(QueryType::YesNo, QueryStatus::Draft, &[]));
        assert!(p.rows().contains(&Field::Purpose));
        p.card = Some(card(QueryType::OpenEnded, QueryStatus::Open, &[]));
        assert!(p.rows().is_empty());
        p.clamp();
        assert_eq!(p.row, 0);
        assert_eq!(
            cycle(QueryType::ALL, QueryType::YesNo, 1),
            QueryType::OpenEnded
        );
        assert_eq!(
            cycle(QueryType::ALL, QueryType::OpenEnded, -1),
            QueryType::YesNo
        );
    }
}
