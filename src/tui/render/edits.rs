//! The coding edits on the encounter screen: the one-line counts under the codes pane and the
//! list `e` opens (severity marker in text and colour, rule, codes, message).
use crate::edits::Severity;
use crate::service::EncounterEdit;
use crate::tui::edits::marker;
use crate::tui::layout;
use crate::tui::state::EncounterState;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn severity_style(e: &EncounterEdit, theme: &Theme) -> Style {
    match (e.edit.severity, &e.acknowledged_by) {
        (Severity::Error, _) => theme.error(),
        (Severity::Warning, None) => theme.warning(),
        _ => theme.dim(),
    }
}

/// "Edits: 1 error, 2 warnings (e)" under the codes pane (the key hint goes first when short of room).
pub fn draw_count(enc: &EncounterState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let ed = &enc.edits;
    let c = ed.counts();
    let style = if ed.error.is_some() || c.errors > 0 {
        theme.error()
    } else if c.unacknowledged > 0 {
        theme.warning()
    } else {
        theme.dim()
    };
    let w = area.width as usize;
    let head = "Edits: ";
    let fits = |t: &String| head.len() + text::width(t) + 4 <= w;
    let long = ed.counts_text(false);
    let counts = if fits(&long) {
        long
    } else {
        ed.counts_text(true)
    };
    let spans = if fits(&counts) {
        vec![
            Span::styled(head, theme.heading()),
            Span::styled(counts, style),
            Span::raw(" ("),
            Span::styled("e", theme.key()),
            Span::raw(")"),
        ]
    } else {
        vec![
            Span::styled(head, theme.heading()),
            Span::styled(text::truncate(&counts, w.saturating_sub(head.len())), style),
        ]
    };
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// One edit: a heading line (marker, rule, codes) and its message wrapped beneath.
fn edit_lines<'a>(e: &EncounterEdit, selected: bool, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let head = format!(" {} ", e.edit.rule);
    let codes = e.edit.codes.join(", ");
    let mut first = Line::from(vec![
        Span::styled(format!("[{}]", marker(e)), severity_style(e, theme)),
        Span::styled(head.clone(), theme.title()),
        Span::raw(text::truncate(
            &codes,
            w.saturating_sub(5 + text::width(&head)),
        )),
    ]);
    if selected {
        first = first.style(theme.selected(true));
    }
    let mut out = vec![first];
    for l in text::wrap(&e.edit.message, w.saturating_sub(2)) {
        out.push(Line::raw(format!("  {l}")));
    }
    if let Some(by) = &e.acknowledged_by {
        out.push(Line::styled(format!("  acknowledged by {by}"), theme.dim()));
    }
    out
}

/// The edits list over the body, scrolled so the highlighted edit is in view.
pub fn draw_list(enc: &EncounterState, frame: &mut Frame, body: Rect, theme: &Theme) {
    let ed = &enc.edits;
    let w = layout::inner(layout::edits_list(body, 0)).width as usize;
    let blocks: Vec<Vec<Line>> = ed
        .list
        .iter()
        .enumerate()
        .map(|(i, e)| edit_lines(e, i == ed.pos.selected, w, theme))
        .collect();
    let total: usize = blocks.iter().map(Vec::len).sum();
    let area = layout::edits_list(body, total.max(1));
    let title = format!("Coding edits: {}", ed.counts_text(false));
    let inner = widgets::popup(
        frame,
        area,
        &text::truncate(&title, area.width.saturating_sub(4) as usize),
        theme,
    );
    let h = inner.height as usize;
    if blocks.is_empty() {
        let msg = match &ed.error {
            Some(err) => format!("edits not checked: {err}"),
            None => "no coding edits fire on these codes".to_string(),
        };
        let lines: Vec<Line> = text::wrap(&msg, w)
            .into_iter()
            .map(|l| Line::styled(l, theme.dim()))
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    // First line shown: keep the whole highlighted edit visible (its heading when it is too long).
    let sel = ed.pos.selected.min(blocks.len() - 1);
    let top: usize = blocks[..sel].iter().map(Vec::len).sum();
    let bottom = top + blocks[sel].len();
    let start = if bottom > h { (bottom - h).min(top) } else { 0 };
    let lines: Vec<Line> = blocks.into_iter().flatten().skip(start).take(h).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
