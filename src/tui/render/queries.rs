//! The CDI queue screen: counts per status, filters, a table of queries sized to the window, and
//! the opened query side by side (encounter, question and indicators | answer and history).
use crate::tui::layout::WorklistAreas;
use crate::tui::queries::queue::QueueState;
use crate::tui::queries::views::{QueryCard, QueueRow};
use crate::tui::render::compose::short_time;
use crate::tui::render::tail;
use crate::tui::state::{State, type_abbrev};
use crate::tui::theme::Theme;
use crate::tui::widgets::{pane, text};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(state: &State, frame: &mut Frame, a: &WorklistAreas, theme: &Theme) {
    draw_header(state, frame, a.header, theme);
    let q = &state.queue;
    match &q.detail {
        Some(card) => draw_detail(q, card, frame, a.table, theme),
        None => draw_table(state, frame, a, theme),
    }
}

fn draw_header(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let q = &state.queue;
    let user = format!("{} ({})", state.login, state.role);
    let title = "chartdesk · CDI queue";
    let gap = (area.width as usize).saturating_sub(text::width(title) + text::width(&user));
    let line1 = Line::from(vec![
        Span::styled(title, theme.title()),
        Span::raw(" ".repeat(gap)),
        Span::styled(user, theme.key()),
    ]);
    let counts: Vec<String> = q
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let counts = if counts.is_empty() {
        "no queries".to_string()
    } else {
        counts.join("  ")
    };
    let mut filters = vec![q.status.label()];
    if q.mine {
        filters.push("mine".into());
    }
    filters.push(q.age.label());
    if let Some(t) = q.enc_type {
        filters.push(t.as_str().into());
    }
    filters.push(q.sort.label().into());
    let mut spans = vec![
        Span::raw(counts),
        Span::raw(" │ "),
        Span::styled(
            format!("{} ({})", filters.join(", "), q.visible.len()),
            theme.key(),
        ),
    ];
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let mut cursor = None;
    if q.editing || !q.filter.text.is_empty() {
        let room = (area.width as usize).saturating_sub(used + 4);
        let shown = tail(&q.filter.text, room.saturating_sub(1));
        spans.push(Span::raw("  /"));
        cursor = Some(used + 3 + text::width(&shown));
        spans.push(Span::styled(shown, theme.key()));
    }
    frame.render_widget(Paragraph::new(vec![line1, Line::from(spans)]), area);
    if q.editing
        && let Some(x) = cursor
    {
        frame.set_cursor_position(Position::new(area.x + x as u16, area.y + 1));
    }
}

/// Column titles and widths; the topic takes what is left.
const COLS: [(&str, usize); 8] = [
    ("#", 4),
    ("Account", 9),
    ("Patient", 12),
    ("Provider", 12),
    ("Status", 9),
    ("Age", 3),
    ("Due", 5),
    ("Topic", 0),
];

fn cells(state: &State, r: &QueueRow) -> [String; 8] {
    [
        r.id.to_string(),
        r.account.clone(),
        r.patient.clone(),
        r.provider.clone(),
        r.status.as_str().to_string(),
        r.age_days(state.today)
            .map(|d| format!("{d}d"))
            .unwrap_or_else(|| "-".into()),
        r.due_at
            .as_deref()
            .and_then(|d| d.get(5..10))
            .unwrap_or("-")
            .to_string(),
        format!("{} {}", type_abbrev(r.enc_type), r.topic),
    ]
}

fn draw_table(state: &State, frame: &mut Frame, a: &WorklistAreas, theme: &Theme) {
    let q = &state.queue;
    let width = a.table.width as usize;
    let fixed: usize = COLS.iter().map(|(_, w)| w + 1).sum();
    let topic_w = width.saturating_sub(fixed).max(4);
    let widths: Vec<usize> = COLS
        .iter()
        .map(|(_, w)| if *w == 0 { topic_w } else { *w })
        .collect();
    let heading: Vec<Span> = COLS
        .iter()
        .zip(&widths)
        .map(|((t, _), w)| Span::styled(text::fit(t, w + 1), theme.heading()))
        .collect();
    let mut lines = vec![Line::from(heading)];
    let height = a.rows();
    let start = q.pos.window_start(q.visible.len(), height);
    for (n, &i) in q.visible.iter().enumerate().skip(start).take(height) {
        let Some(r) = q.rows.get(i) else {
            continue;
        };
        let mut spans = Vec::new();
        for (c, w) in cells(state, r).iter().zip(&widths) {
            spans.push(Span::raw(text::fit(c, *w)));
            spans.push(Span::raw(" "));
        }
        let mut line = Line::from(spans);
        if n == q.pos.selected {
            line = line.style(theme.selected(true));
        } else if r.status.is_final() {
            line = line.style(theme.dim());
        }
        lines.push(line);
    }
    if q.visible.is_empty() {
        let why = if q.rows.is_empty() {
            "no queries you may see: compose one from an encounter (Q there)".to_string()
        } else {
            "no queries match the filters: s status, a age, m mine, t type, Esc clears /".into()
        };
        lines.push(Line::styled(text::truncate(&why, width), theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), a.table);
}

fn draw_detail(q: &QueueState, c: &QueryCard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(area);
    let title = format!(
        " Query #{} · {} · {} ",
        c.row.id,
        c.row.status.label(),
        c.row.query_type.label()
    );
    let block = pane(
        text::truncate(&title, left.width.saturating_sub(2) as usize),
        true,
        theme,
    );
    let inner = block.inner(left);
    frame.render_widget(block, left);
    let w = inner.width as usize;
    let r = &c.row;
    let mut lines: Vec<Line> = vec![
        Line::styled(
            text::truncate(&format!("{} {}", r.account, r.patient), w),
            theme.key(),
        ),
        Line::raw(text::truncate(
            &format!("{} · attending {}", r.enc_type, r.attending),
            w,
        )),
        Line::raw(text::truncate(
            &format!("to {} · by {}", r.provider, r.owner),
            w,
        )),
    ];
    for l in text::wrap(&c.question, w.max(1)) {
        lines.push(Line::styled(l, Style::new()));
    }
    for o in &c.options {
        lines.push(Line::raw(text::truncate(&format!(" · {o}"), w)));
    }
    lines.push(Line::styled(
        format!("Indicators ({})", c.indicators.len()),
        theme.heading(),
    ));
    for ind in &c.indicators {
        let src = format!(
            "{} · {} · {}",
            ind.note_type,
            ind.author,
            short_time(&ind.written_at)
        );
        lines.push(Line::styled(text::truncate(&src, w), theme.key()));
        let quote = format!("\u{201c}{}\u{201d}", ind.quote.replace('\n', " / "));
        for l in text::wrap(&quote, w.saturating_sub(2).max(1)) {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    let h = inner.height as usize;
    let start = q.detail_scroll.min(lines.len().saturating_sub(h));
    let shown: Vec<Line> = lines.into_iter().skip(start).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);

    let block = pane(" Answer and history ", false, theme);
    let inner = block.inner(right);
    frame.render_widget(block, right);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    match (c.outcome, &c.response) {
        (Some(o), resp) => {
            let t = format!("{}: {}", o.label(), resp.as_deref().unwrap_or(""));
            for l in text::wrap(&t, w.max(1)) {
                lines.push(Line::styled(l, theme.success()));
            }
        }
        (None, _) => lines.push(Line::styled("no answer yet", theme.dim())),
    }
    if let Some(why) = &c.cancel_reason {
        lines.push(Line::styled(
            text::truncate(&format!("canceled: {why}"), w),
            theme.warning(),
        ));
    }
    for h in &c.history {
        lines.push(Line::styled(
            text::truncate(&format!("{} {}", short_time(&h.at), h.who), w),
            theme.dim(),
        ));
        for l in text::wrap(&h.what, w.saturating_sub(2).max(1)) {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    let h = inner.height as usize;
    let skip = lines.len().saturating_sub(h);
    let shown: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
