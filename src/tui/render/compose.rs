//! The encounter's query panel (compose a draft, or follow a sent query), the selection marks in
//! the note viewer, and the "hold: query" status label. Pure drawing from `State`.
use crate::domain::EncounterStatus;
use crate::domain::query::QueryStatus;
use crate::store::encounters::EncounterRow;
use crate::tui::layout::EncounterAreas;
use crate::tui::queries::panel::{Field, PanelState, Prompt, fixed_options, own_options};
use crate::tui::queries::select::{self, Word};
use crate::tui::queries::views::QueryCard;
use crate::tui::render::tail;
use crate::tui::render::worklist::status_label;
use crate::tui::state::{EncounterState, State};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// "hold: query" while the encounter waits on a query (the service's pending reason), else the
/// plain status.
pub fn status_text(r: &EncounterRow) -> String {
    match (r.status, r.pending_reason.as_deref()) {
        (EncounterStatus::Hold, Some(why)) if why.to_ascii_lowercase().contains("query") => {
            "hold: query".into()
        }
        (EncounterStatus::Hold, Some(why)) if !why.trim().is_empty() => format!("hold: {why}"),
        (s, _) => status_label(s).to_string(),
    }
}

/// The selected words of the open note, for marking the viewer's lines.
pub struct SelectionMarks {
    words: Vec<Word>,
    span: (usize, usize),
}

/// Marks for the viewer when a selection is active in the note shown.
pub fn selection_marks(enc: &EncounterState, body: &str, width: usize) -> Option<SelectionMarks> {
    let sel = enc.cdi.selection.as_ref()?;
    if enc.note.as_ref().map(|n| n.header.id) != Some(sel.note) {
        return None;
    }
    let words = select::words(body, width);
    let span = sel.span(&words)?;
    Some(SelectionMarks { words, span })
}

impl SelectionMarks {
    /// Wrapped line `i` with its selected part marked, if it has one.
    pub fn line<'a>(&self, i: usize, l: &str, theme: &Theme) -> Option<Line<'a>> {
        let (s, e) = select::marked_on_line(&self.words, self.span, i)?;
        let (before, mid, after) = (l.get(..s)?, l.get(s..e)?, l.get(e..)?);
        let mark = theme
            .selected(true)
            .add_modifier(Modifier::UNDERLINED | Modifier::REVERSED);
        Some(Line::from(vec![
            Span::raw(before.to_string()),
            Span::styled(mid.to_string(), mark),
            Span::raw(after.to_string()),
        ]))
    }
}

/// "03-04 10:15" from an RFC 3339 time.
pub fn short_time(t: &str) -> String {
    match (t.get(5..10), t.get(11..16)) {
        (Some(d), Some(h)) => format!("{d} {h}"),
        _ => t.to_string(),
    }
}

/// Draws the query panel over the encounter body when it is open.
pub fn draw(state: &State, frame: &mut Frame, a: &EncounterAreas, theme: &Theme) {
    let Some(p) = state.encounter.as_ref().and_then(|e| e.cdi.panel.as_ref()) else {
        return;
    };
    let title = match &p.card {
        Some(c) => {
            let n = p
                .shown()
                .map(|i| format!(" ({}/{})", i + 1, p.queries.len()))
                .unwrap_or_default();
            format!(
                "Query #{}{n} · {} · {}",
                c.row.id,
                c.row.status.label(),
                c.row.query_type.label()
            )
        }
        None => "Queries".to_string(),
    };
    let inner = widgets::popup(frame, a.body, &title, theme);
    let w = inner.width as usize;
    let summary = p
        .card
        .as_ref()
        .filter(|c| c.row.status == QueryStatus::Draft)
        .map(|c| compliance_summary(c, theme));
    let prompt_h = u16::from(p.prompt.is_some()) + u16::from(summary.is_some());
    let body = Rect {
        height: inner.height.saturating_sub(prompt_h),
        ..inner
    };
    let (lines, cursor_line) = match &p.card {
        Some(c) => card_lines(p, c, w, theme),
        None => (
            vec![Line::styled(
                "no queries on this encounter: N starts one (or v, p in a note pins text to a new draft)",
                theme.dim(),
            )],
            None,
        ),
    };
    let h = body.height as usize;
    let mut start = p.scroll.min(lines.len().saturating_sub(h));
    if let Some(c) = cursor_line {
        // The cursor row and the two lines under it (an indicator's quote) stay in view.
        // On the last row, everything under it (compliance findings, history) too.
        let last = p.row + 1 >= p.rows().len();
        let end = if last {
            lines.len()
        } else {
            (c + 3).min(lines.len()).max(c + 1)
        };
        if c < start {
            start = c;
        } else if end > start + h {
            start = (end - h).min(c);
        }
    }
    let shown: Vec<Line> = lines.into_iter().skip(start).take(h).collect();
    frame.render_widget(Paragraph::new(shown), body);
    if let Some((text, style)) = summary {
        let y = inner.y + inner.height.saturating_sub(prompt_h);
        frame.render_widget(
            Paragraph::new(Line::styled(text::truncate(&text, w), style)),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    }
    if let Some(prompt) = &p.prompt {
        draw_prompt(prompt, frame, inner, theme);
    }
}

/// The one-line compliance verdict kept at the bottom of a draft's panel.
fn compliance_summary(c: &QueryCard, theme: &Theme) -> (String, Style) {
    let (e, w) = (c.errors(), c.warnings());
    if e + w == 0 {
        (
            "Compliance: ok, ready to send (S)".to_string(),
            theme.success(),
        )
    } else if e > 0 {
        (
            format!("Compliance: {e} error(s) block sending, {w} warning(s) (listed at the end)"),
            theme.error(),
        )
    } else {
        (
            format!("Compliance: {w} warning(s), may be sent (S) (listed at the end)"),
            theme.warning(),
        )
    }
}

fn draw_prompt(prompt: &Prompt, frame: &mut Frame, inner: Rect, theme: &Theme) {
    let label = match prompt {
        Prompt::Edit { field, .. } => format!("{}> ", field_label(*field).trim()),
        Prompt::Answer { outcome, .. } => format!("answer [{}] (Tab) > ", outcome.label()),
        Prompt::Cancel { .. } => "cancel, reason> ".to_string(),
    };
    let area = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1,
        ..inner
    };
    let room = (area.width as usize).saturating_sub(text::width(&label) + 1);
    let shown = tail(&prompt.input().text, room);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label.clone(), theme.key()),
            Span::raw(shown.clone()),
        ])),
        area,
    );
    frame.set_cursor_position(Position::new(
        area.x + (text::width(&label) + text::width(&shown)) as u16,
        area.y,
    ));
}

fn field_label(f: Field) -> &'static str {
    match f {
        Field::Template => "Template  ",
        Field::Type => "Type      ",
        Field::Purpose => "Purpose   ",
        Field::Provider => "Provider  ",
        Field::Question => "Question  ",
        Field::Option(_) => "Option    ",
        Field::AddOption => "Option    ",
        Field::Indicator(_) => "Indicator ",
    }
}

/// The panel's lines for `c`, and the line the cursor row is on.
fn card_lines<'a>(
    p: &PanelState,
    c: &QueryCard,
    w: usize,
    theme: &Theme,
) -> (Vec<Line<'a>>, Option<usize>) {
    let draft = c.row.status == QueryStatus::Draft;
    let current = p.field();
    let mut out: Vec<Line> = Vec::new();
    let mut cursor = None;
    let label_w = 10;
    let val_w = w.saturating_sub(label_w);
    let mut row = |out: &mut Vec<Line<'a>>, f: Field, value: String, style: Style| {
        let on = current == Some(f) && p.prompt.is_none();
        if on {
            cursor = Some(out.len());
        }
        let wrapped = text::wrap(&value, val_w.max(1));
        for (i, l) in wrapped.into_iter().enumerate() {
            let label = if i == 0 {
                field_label(f).to_string()
            } else {
                " ".repeat(label_w)
            };
            let mut line = Line::from(vec![
                Span::styled(label, theme.heading().remove_modifier(Modifier::UNDERLINED)),
                Span::styled(l, style),
            ]);
            if on {
                line = line.style(theme.selected(true));
            }
            out.push(line);
        }
    };
    if draft {
        let tpl = p
            .template
            .and_then(|i| p.templates.get(i))
            .map(|t| t.title.clone())
            .or_else(|| c.template.clone())
            .unwrap_or_else(|| "none".into());
        row(
            &mut out,
            Field::Template,
            format!("‹ {tpl} ›"),
            Style::new(),
        );
        let look_for = match p.template.and_then(|i| p.templates.get(i)) {
            Some(t) => &t.look_for,
            None => &c.look_for,
        };
        if !look_for.is_empty() {
            let look = format!("look for: {}", look_for.join("; "));
            for l in text::wrap(&look, val_w.max(1)) {
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(label_w)),
                    Span::styled(l, theme.dim()),
                ]));
            }
        }
        row(
            &mut out,
            Field::Type,
            format!("‹ {} ›", c.row.query_type.label()),
            Style::new(),
        );
        if c.row.query_type == crate::domain::query::QueryType::YesNo {
            let purpose = c.purpose.map(|p| p.label()).unwrap_or("choose one");
            row(
                &mut out,
                Field::Purpose,
                format!("‹ {purpose} ›"),
                Style::new(),
            );
        }
        row(
            &mut out,
            Field::Provider,
            c.row.provider.clone(),
            Style::new(),
        );
        let q = if c.question.trim().is_empty() {
            "(empty: Enter to write it)".to_string()
        } else {
            c.question.clone()
        };
        row(&mut out, Field::Question, q, Style::new());
    } else {
        let mut head = format!("to {} · by {}", c.row.provider, c.row.owner);
        if let Some(s) = &c.row.sent_at {
            head.push_str(&format!(" · sent {}", short_time(s)));
        }
        if let Some(d) = &c.row.due_at {
            head.push_str(&format!(" · due {}", short_time(d)));
        }
        out.push(Line::styled(text::truncate(&head, w), theme.dim()));
        for l in text::wrap(&c.question, w.max(1)) {
            out.push(Line::raw(l));
        }
    }
    let own = own_options(&c.options);
    for (n, &i) in own.iter().enumerate() {
        let o = c.options.get(i).cloned().unwrap_or_default();
        row(
            &mut out,
            Field::Option(i),
            format!("{}. {o}", n + 1),
            Style::new(),
        );
    }
    if draft && c.row.query_type == crate::domain::query::QueryType::MultipleChoice {
        row(
            &mut out,
            Field::AddOption,
            "+ add an option (Enter)".into(),
            theme.dim(),
        );
    }
    for f in fixed_options(c.row.query_type) {
        out.push(Line::from(vec![
            Span::raw(" ".repeat(label_w)),
            Span::styled(format!("· {f} (always offered)"), theme.dim()),
        ]));
    }
    out.push(Line::styled(
        format!("Indicators ({})", c.indicators.len()),
        theme.heading(),
    ));
    if c.indicators.is_empty() {
        out.push(Line::styled(
            text::truncate("none: in a note press v, extend with w/j, p to pin", w),
            theme.dim(),
        ));
    }
    for (i, ind) in c.indicators.iter().enumerate() {
        let on = current == Some(Field::Indicator(i)) && p.prompt.is_none();
        if on {
            cursor = Some(out.len());
        }
        let src = format!(
            "{} · {} · {}",
            ind.note_type,
            ind.author,
            short_time(&ind.written_at)
        );
        let mut first = Line::styled(text::truncate(&src, w), theme.key());
        if on {
            first = first.style(theme.selected(true));
        }
        out.push(first);
        let quote = format!("\u{201c}{}\u{201d}", ind.quote.replace('\n', " / "));
        for l in text::wrap(&quote, w.saturating_sub(2).max(1))
            .into_iter()
            .take(3)
        {
            out.push(Line::raw(format!("  {l}")));
        }
    }
    if let Some(o) = c.outcome {
        let resp = c.response.clone().unwrap_or_default();
        for l in text::wrap(&format!("Answer: {} — {resp}", o.label()), w.max(1)) {
            out.push(Line::styled(l, theme.success()));
        }
    }
    if let Some(r) = &c.cancel_reason {
        out.push(Line::styled(
            text::truncate(&format!("Canceled: {r}"), w),
            theme.warning(),
        ));
    }
    if draft {
        if !c.findings.is_empty() {
            out.push(Line::styled("Compliance findings", theme.heading()));
        }
        for f in &c.findings {
            let (mark, style) = if f.error {
                ("✗ ", theme.error())
            } else {
                ("! ", theme.warning())
            };
            for (i, l) in text::wrap(&f.text, w.saturating_sub(2).max(1))
                .into_iter()
                .enumerate()
            {
                let m = if i == 0 { mark } else { "  " };
                out.push(Line::styled(format!("{m}{l}"), style));
            }
        }
    } else if !c.history.is_empty() {
        out.push(Line::styled("History", theme.heading()));
        for h in &c.history {
            let l = format!("{} {} {}", short_time(&h.at), h.who, h.what);
            out.push(Line::raw(text::truncate(&l, w)));
        }
    }
    (out, cursor)
}
