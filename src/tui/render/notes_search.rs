//! The note search screen: title with counts and order, the query line, the fallback message, and
//! two rows per result (account, note type, author, date; then the snippet with its hits marked).
use crate::service::{HitSnippet, NoteHit};
use crate::tui::notes_search::{NotesSearchAreas, NotesSearchState, order_label};
use crate::tui::render::tail;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::widgets::text;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

/// How a hit in a snippet or a note looks: reverse video (bold for the current one) without
/// colour, black on yellow with it.
pub fn hit_style(theme: &Theme, current: bool) -> Style {
    let s = if theme.color {
        Style::new().fg(Color::Black).bg(Color::Yellow)
    } else {
        Style::new().add_modifier(Modifier::REVERSED)
    };
    if current {
        s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    } else {
        s
    }
}

pub fn draw(state: &State, frame: &mut Frame, a: &NotesSearchAreas, theme: &Theme) {
    let ns = &state.notes_search;
    draw_title(ns, frame, a.title, theme);
    let prompt = "> ";
    let w = (a.input.width as usize).saturating_sub(prompt.len() + 1);
    let shown = tail(&ns.input.text, w);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt, theme.key()),
            Span::raw(shown.clone()),
        ])),
        a.input,
    );
    if state.help.is_none() && state.command.is_none() {
        frame.set_cursor_position(Position::new(
            a.input.x + (prompt.len() + text::width(&shown)) as u16,
            a.input.y,
        ));
    }
    let message = match (&ns.error, &ns.fallback) {
        (Some(e), _) => Some(Span::styled(format!("search failed: {e}"), theme.error())),
        (None, Some(f)) => Some(Span::styled(f.clone(), theme.warning())),
        _ if ns.input.text.trim().is_empty() => Some(Span::styled(
            "words, \"phrases\", OR, -not, word*, type: author: after: before: enc:",
            theme.dim(),
        )),
        _ => None,
    };
    if let Some(m) = message {
        let t = text::truncate(&m.content, a.message.width as usize);
        frame.render_widget(Paragraph::new(Span::styled(t, m.style)), a.message);
    }
    draw_results(ns, frame, a, theme);
}

fn draw_title(ns: &NotesSearchState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let counts = if ns.input.text.trim().is_empty() {
        String::new()
    } else if ns.pending() && ns.results_query != ns.input.text {
        " · searching…".to_string()
    } else if ns.total > ns.results.len() {
        format!(
            " · {} notes, top {} shown · {} ms",
            ns.total,
            ns.results.len(),
            ns.elapsed_ms
        )
    } else {
        format!(
            " · {} note{} · {} ms",
            ns.total,
            if ns.total == 1 { "" } else { "s" },
            ns.elapsed_ms
        )
    };
    let right = format!("{}  ", order_label(ns.order));
    let left = format!("Note search{counts}");
    let w = area.width as usize;
    let gap = w.saturating_sub(text::width(&left) + text::width(&right));
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(text::truncate(&left, w), theme.title()),
            Span::raw(" ".repeat(gap)),
            Span::styled(right, theme.dim()),
        ])),
        area,
    );
}

/// "2025-03-04T10:15:00Z" → "2025-03-04 10:15".
fn when(t: &str) -> String {
    match (t.get(..10), t.get(11..16)) {
        (Some(d), Some(h)) => format!("{d} {h}"),
        _ => t.to_string(),
    }
}

fn draw_results(ns: &NotesSearchState, frame: &mut Frame, a: &NotesSearchAreas, theme: &Theme) {
    let rows = a.rows();
    let w = a.list.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if ns.results.is_empty() && !ns.input.text.trim().is_empty() && !ns.pending() {
        lines.push(Line::styled(
            format!("no note matches '{}'", ns.results_query),
            theme.dim(),
        ));
    }
    let start = ns.pos.window_start(ns.results.len(), rows);
    for (i, hit) in ns.results.iter().enumerate().skip(start).take(rows) {
        let selected = i == ns.pos.selected;
        lines.push(head_line(hit, w, selected, theme));
        lines.push(snippet_line(&hit.snippet, w, theme));
    }
    frame.render_widget(Paragraph::new(lines), a.list);
}

fn head_line<'a>(hit: &NoteHit, w: usize, selected: bool, theme: &Theme) -> Line<'a> {
    let s = format!(
        "{:<10} {} · {} · {}",
        hit.account,
        hit.note_type,
        hit.author,
        when(&hit.written_at)
    );
    let line = Line::raw(text::fit(&s, w));
    if selected {
        line.style(theme.selected(true))
    } else {
        line.style(Style::new().add_modifier(Modifier::BOLD))
    }
}

/// The snippet on one row, indented, starting a little before its first hit when that would be
/// cut off, hits marked.
pub fn snippet_line<'a>(sn: &HitSnippet, w: usize, theme: &Theme) -> Line<'a> {
    let indent = "   ";
    let room = w.saturating_sub(indent.len() + 1);
    let first = sn.highlights.first().map_or(0, |r| r.start);
    let mut from = 0;
    if text::width(sn.text.get(..first).unwrap_or("")) + 12 > room {
        // Start about 20 characters before the first hit, at a character boundary.
        from = sn
            .text
            .char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i <= first)
            .rev()
            .nth(20)
            .unwrap_or(0);
    }
    let mut spans = vec![Span::raw(indent)];
    if from > 0 {
        spans.push(Span::styled("…", theme.dim()));
    }
    let mut used = usize::from(from > 0);
    let mut run = String::new();
    let mut run_hit = false;
    for (i, c) in sn.text.char_indices().filter(|(i, _)| *i >= from) {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            break;
        }
        let is_hit = sn.highlights.iter().any(|r| r.start <= i && i < r.end);
        if is_hit != run_hit && !run.is_empty() {
            spans.push(styled(std::mem::take(&mut run), run_hit, theme));
        }
        run_hit = is_hit;
        run.push(c);
        used += cw;
    }
    if !run.is_empty() {
        spans.push(styled(run, run_hit, theme));
    }
    Line::from(spans)
}

fn styled<'a>(s: String, hit: bool, theme: &Theme) -> Span<'a> {
    if hit {
        Span::styled(s, hit_style(theme, false))
    } else {
        Span::raw(s)
    }
}
