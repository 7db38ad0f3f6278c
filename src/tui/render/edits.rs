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

/// " Edits: 1 error, 2 warnings (e) " on the codes pane's bottom border (the key hint goes first
/// when short of room); only as wide as its text, so the border shows on either side.
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
    let hint = |counts: String, head: &'static str| {
        vec![
            Span::styled(head, theme.heading()),
            Span::styled(counts, style),
            Span::raw(" ("),
            Span::styled("e", theme.key()),
            Span::raw(") "),
        ]
    };
    // Longest first: " Edits: 1 error, 2 warnings (e) ", the short words, without "Edits:",
    // and at last cut at a word.
    let (long, short) = (ed.counts_text(false), ed.counts_text(true));
    let tries = [
        (long, " Edits: "),
        (short.clone(), " Edits: "),
        (short.clone(), " "),
    ];
    let spans = match tries
        .into_iter()
        .find(|(c, head)| head.len() + text::width(c) + 4 <= w)
    {
        Some((counts, head)) => hint(counts, head),
        None => vec![
            Span::styled(" Edits: ", theme.heading()),
            Span::styled(
                super::titles::truncate_words(&short, w.saturating_sub(8)),
                style,
            ),
        ],
    };
    let line = Line::from(spans);
    let used = (line.width() as u16).min(area.width);
    frame.render_widget(
        Paragraph::new(line),
        Rect {
            width: used,
            ..area
        },
    );
}

/// The heading over a group of edits of one severity.
fn group_heading(sev: Severity, list: &[EncounterEdit]) -> String {
    let of: Vec<&EncounterEdit> = list.iter().filter(|e| e.edit.severity == sev).collect();
    let n = of.len();
    match sev {
        Severity::Error => format!("Errors ({n}): fix them"),
        Severity::Warning => {
            let open = of.iter().filter(|e| e.acknowledged_by.is_none()).count();
            if open > 0 {
                format!("Warnings ({n}, {open} to acknowledge with a)")
            } else {
                format!("Warnings ({n}, acknowledged)")
            }
        }
        Severity::Info => format!("Information ({n})"),
    }
}

/// One edit on one line: marker, rule, codes, and as much of the message as fits.
fn edit_line<'a>(e: &EncounterEdit, selected: bool, w: usize, theme: &Theme) -> Line<'a> {
    let lead = format!("[{}] ", marker(e));
    let rule = format!("{} ", e.edit.rule);
    // Most messages start with the code they are about: then the message says it.
    let m = e.edit.message.as_str();
    let says_code = e.edit.codes.first().is_some_and(|c| {
        m.strip_prefix(c.as_str())
            .is_some_and(|r| r.starts_with([' ', ':', ',']))
    });
    let codes = if says_code {
        String::new()
    } else {
        format!("{} ", text::truncate(&e.edit.codes.join(","), 24))
    };
    let room = w.saturating_sub(text::width(&lead) + text::width(&rule) + text::width(&codes));
    let mut line = Line::from(vec![
        Span::styled(lead, severity_style(e, theme)),
        Span::styled(rule, theme.title()),
        Span::raw(codes),
        Span::raw(text::truncate(m, room)),
    ]);
    if selected {
        line = line.style(theme.selected(true));
    }
    line
}

/// The rows of the list: a heading per severity (errors first), then one line per edit; with the
/// row each edit is on.
fn list_rows<'a>(
    list: &[EncounterEdit],
    selected: usize,
    w: usize,
    theme: &Theme,
) -> (Vec<Line<'a>>, Vec<usize>) {
    let mut order: Vec<usize> = (0..list.len()).collect();
    order.sort_by_key(|&i| list[i].edit.severity);
    let mut lines = Vec::new();
    let mut at = vec![0; list.len()];
    let mut last = None;
    for i in order {
        let sev = list[i].edit.severity;
        if last != Some(sev) {
            lines.push(Line::styled(
                text::truncate(&group_heading(sev, list), w),
                theme.heading(),
            ));
            last = Some(sev);
        }
        at[i] = lines.len();
        lines.push(edit_line(&list[i], i == selected, w, theme));
    }
    (lines, at)
}

/// The highlighted edit in full under the list: rule, codes, the message wrapped, who acknowledged.
fn detail_lines<'a>(e: &EncounterEdit, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![Line::from(vec![
        Span::styled(format!("[{}] ", marker(e)), severity_style(e, theme)),
        Span::styled(format!("{} ", e.edit.rule), theme.title()),
        Span::raw(text::truncate(
            &e.edit.codes.join(", "),
            w.saturating_sub(8 + e.edit.rule.len()),
        )),
    ])];
    for l in text::wrap(&e.edit.message, w) {
        out.push(Line::raw(l));
    }
    if let Some(by) = &e.acknowledged_by {
        out.push(Line::styled(format!("acknowledged by {by}"), theme.dim()));
    }
    out
}

/// The edits list over the body: one line per edit grouped by severity, errors first, and the
/// highlighted edit in full beneath (scrolled so the highlighted edit is in view).
pub fn draw_list(enc: &EncounterState, frame: &mut Frame, body: Rect, theme: &Theme) {
    let ed = &enc.edits;
    let w = layout::inner(layout::edits_list(body, 0)).width as usize;
    let sel = ed.pos.selected.min(ed.list.len().saturating_sub(1));
    let (rows, at) = list_rows(&ed.list, sel, w, theme);
    let detail = ed
        .list
        .get(sel)
        .map(|e| detail_lines(e, w, theme))
        .unwrap_or_default();
    // The list, a rule, then the detail.
    let area = layout::edits_list(body, rows.len().max(1) + 1 + detail.len());
    let title = format!("Coding edits: {}", ed.counts_text(false));
    let inner = widgets::popup(
        frame,
        area,
        &text::truncate(&title, area.width.saturating_sub(4) as usize),
        theme,
    );
    let h = inner.height as usize;
    if ed.list.is_empty() {
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
    // The detail takes up to half the box; the list keeps the rest (at least 3 rows).
    let detail_h = detail.len().min(h / 2).min(h.saturating_sub(4));
    let list_h = h.saturating_sub(detail_h + usize::from(detail_h > 0));
    let sel_row = at.get(sel).copied().unwrap_or(0);
    // Scrolled so the highlighted edit is the last row shown when it would be below the box.
    let start = (sel_row + 1).saturating_sub(list_h);
    let mut lines: Vec<Line> = rows.into_iter().skip(start).take(list_h).collect();
    if detail_h > 0 {
        while lines.len() < list_h {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled("─".repeat(w), theme.dim()));
        let cut = detail.len() > detail_h;
        let mut d: Vec<Line> = detail.into_iter().take(detail_h).collect();
        if cut && let Some(last) = d.last_mut() {
            // Say the message goes on rather than stopping mid-sentence without a mark.
            let t: String = last.spans.iter().map(|s| s.content.as_ref()).collect();
            *last = Line::raw(text::truncate(&format!("{t} …"), w));
        }
        lines.extend(d);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
