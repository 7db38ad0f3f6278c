//! The worklist screen: counts, scope and filter, and a table of encounters sized to the window.
use crate::domain::EncounterStatus;
use crate::store::encounters::EncounterRow;
use crate::tui::layout::WorklistAreas;
use crate::tui::render::tail;
use crate::tui::state::{Counts, State, days_since, type_abbrev};
use crate::tui::theme::Theme;
use crate::tui::widgets::text;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn status_label(s: EncounterStatus) -> &'static str {
    match s {
        EncounterStatus::Uncoded => "uncoded",
        EncounterStatus::InProgress => "in progress",
        EncounterStatus::Hold => "hold",
        EncounterStatus::Coded => "coded",
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Account,
    Patient,
    Type,
    Discharge,
    Days,
    Status,
    Holder,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Account => "Account",
            Col::Patient => "Patient",
            Col::Type => "Type",
            Col::Discharge => "Discharged",
            Col::Days => "Days",
            Col::Status => "Status",
            Col::Holder => "Holder",
        }
    }
    /// Columns with the lowest number are dropped first when the window is narrow.
    fn keep(self) -> u8 {
        match self {
            Col::Account | Col::Patient => 9,
            Col::Status => 8,
            Col::Days => 7,
            Col::Type => 6,
            Col::Holder => 5,
            Col::Discharge => 4,
        }
    }
}

const ALL_COLS: [Col; 7] = [
    Col::Account,
    Col::Patient,
    Col::Type,
    Col::Discharge,
    Col::Days,
    Col::Status,
    Col::Holder,
];

const PATIENT_MIN: usize = 14;
const PATIENT_MAX: usize = 32;

/// Picks columns and widths for `width` cells: fixed columns sized to their content, the patient
/// column taking what is left; the least useful columns go first on narrow windows.
fn columns(rows: &[&EncounterRow], width: usize) -> Vec<(Col, usize)> {
    let max_len = |f: &dyn Fn(&EncounterRow) -> usize, min: usize, cap: usize| {
        rows.iter().map(|r| f(r)).max().unwrap_or(0).clamp(min, cap)
    };
    let fixed = |c: Col| -> usize {
        match c {
            Col::Account => max_len(&|r| text::width(&r.account), 7, 14),
            Col::Type => 4,
            Col::Discharge => 10,
            Col::Days => 4,
            Col::Status => 11,
            Col::Holder => max_len(
                &|r| r.claimed_by.as_deref().map(text::width).unwrap_or(0),
                6,
                12,
            ),
            Col::Patient => PATIENT_MIN,
        }
    };
    let mut cols: Vec<(Col, usize)> = ALL_COLS.iter().map(|&c| (c, fixed(c))).collect();
    let total = |cols: &[(Col, usize)]| cols.iter().map(|(_, w)| w + 1).sum::<usize>();
    while total(&cols) > width {
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| c.keep() < 9)
            .min_by_key(|(_, (c, _))| c.keep())
            .map(|(i, _)| i);
        match drop {
            Some(i) => {
                cols.remove(i);
            }
            None => break,
        }
    }
    let spare = width.saturating_sub(total(&cols));
    for (c, w) in cols.iter_mut() {
        if *c == Col::Patient {
            *w = (*w + spare).min(PATIENT_MAX);
        }
    }
    // Long accounts (FHIR UUIDs) get what is still left, up to their whole length; narrower, they
    // are shortened in the middle.
    let spare = width.saturating_sub(total(&cols));
    let full = max_len(&|r| text::width(&r.account), 7, usize::MAX);
    for (c, w) in cols.iter_mut() {
        if *c == Col::Account {
            *w = (*w + spare).min(full.max(*w));
        }
    }
    cols
}

fn cell(state: &State, r: &EncounterRow, c: Col) -> String {
    match c {
        Col::Account => r.account.clone(),
        Col::Patient => r.patient_name.clone(),
        Col::Type => type_abbrev(r.enc_type).to_string(),
        Col::Discharge => r
            .discharge_date
            .clone()
            .unwrap_or_else(|| "in house".into()),
        Col::Days => days_since(r.discharge_date.as_deref(), state.today)
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
        Col::Status => super::compose::status_text(r),
        Col::Holder => r.claimed_by.clone().unwrap_or_default(),
    }
}

pub fn draw(state: &State, frame: &mut Frame, a: &WorklistAreas, theme: &Theme) {
    draw_header(state, frame, a.header, theme);
    let wl = &state.worklist;
    let height = a.rows();
    let start = wl.pos.window_start(wl.visible.len(), height);
    let shown: Vec<&EncounterRow> = wl
        .visible
        .iter()
        .skip(start)
        .take(height)
        .filter_map(|&i| wl.rows.get(i))
        .collect();
    let cols = columns(&shown, a.table.width as usize);
    let heading: Vec<Span> = cols
        .iter()
        .map(|(c, w)| Span::styled(text::fit(c.title(), *w + 1), theme.heading()))
        .collect();
    let mut lines = vec![Line::from(heading)];
    for (n, r) in shown.iter().enumerate() {
        let selected = start + n == wl.pos.selected;
        let mut spans = Vec::new();
        for (c, w) in &cols {
            let s = match c {
                Col::Account => text::fit(&text::shorten_middle(&r.account, *w), *w),
                _ => text::fit(&cell(state, r, *c), *w),
            };
            let style = match c {
                Col::Holder if r.claimed_by.as_deref() == Some(state.login.as_str()) => {
                    theme.accent()
                }
                Col::Status if r.status == EncounterStatus::Coded => theme.dim(),
                _ => Style::new(),
            };
            spans.push(Span::styled(s, style));
            spans.push(Span::raw(" "));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(theme.selected(true));
        }
        lines.push(line);
    }
    if wl.visible.is_empty() {
        let why = if wl.rows.is_empty() {
            "no encounters loaded: import some with 'chartdesk import' (or init --demo)".to_string()
        } else {
            format!(
                "no encounters match (scope: {}, filter: '{}'): press m or Esc",
                wl.scope.label(),
                wl.filter.text
            )
        };
        lines.push(Line::styled(why, theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), a.table);
}

fn draw_header(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let wl = &state.worklist;
    let c = Counts::of(&wl.rows);
    let user = format!("{} ({})", state.login, state.role);
    let title = "chartdesk · Worklist";
    let gap = (area.width as usize).saturating_sub(text::width(title) + text::width(&user));
    let line1 = Line::from(vec![
        Span::styled(title, theme.title()),
        Span::raw(" ".repeat(gap)),
        Span::styled(user, theme.key()),
    ]);
    let more = if wl.truncated { "+" } else { "" };
    let mut spans = vec![Span::raw(format!(
        "{}{more} total  {} uncoded  {} in progress  {} coded",
        c.total, c.uncoded, c.in_progress, c.coded
    ))];
    if c.hold > 0 {
        spans.push(Span::raw(format!("  {} hold", c.hold)));
    }
    spans.push(Span::raw("  │ "));
    spans.push(Span::styled(
        format!("{} ({})", wl.scope.label(), wl.visible.len()),
        theme.key(),
    ));
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let mut cursor = None;
    if wl.editing || !wl.filter.text.is_empty() {
        let room = (area.width as usize).saturating_sub(used + 4);
        let shown = tail(&wl.filter.text, room.saturating_sub(1));
        spans.push(Span::raw("  /"));
        cursor = Some(used + 3 + text::width(&shown));
        spans.push(Span::styled(shown, theme.key()));
    }
    frame.render_widget(Paragraph::new(vec![line1, Line::from(spans)]), area);
    if wl.editing
        && let Some(x) = cursor
    {
        frame.set_cursor_position(Position::new(area.x + x as u16, area.y + 1));
    }
}
