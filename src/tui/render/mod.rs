//! Drawing: `render(&State, &mut Frame)` is pure (no I/O, no clock); it draws exactly what the state
//! says. Each screen has its own module; overlays (help, command line) are drawn here.
pub mod compose;
mod dashboard;
pub mod detail;
mod drg;
mod edits;
mod encounter;
pub mod notes_search;
pub mod queries;
pub mod titles;
mod worklist;

use crate::tui::keymap;
use crate::tui::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use crate::tui::state::{Screen, State};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws the whole screen for `state`.
pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    let theme = Theme::new(state.color);
    if layout::too_small(area) {
        let msg = format!(
            "window too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}); keys are ignored \
             until it is larger, q quits",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(msg)
                .style(theme.warning())
                .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let (status, footer) = match state.screen {
        Screen::Worklist => {
            let a = layout::worklist(area);
            worklist::draw(state, frame, &a, &theme);
            (a.status, a.footer)
        }
        Screen::Encounter => {
            let (zoom, codes) = state
                .encounter
                .as_ref()
                .map(|e| (e.zoom, e.view.assignments.len()))
                .unwrap_or((false, 0));
            let a = layout::encounter(area, zoom, codes);
            encounter::draw(state, frame, &a, &theme);
            (a.status, a.footer)
        }
        Screen::Queue => {
            let a = layout::worklist(area);
            queries::draw(state, frame, &a, &theme);
            (a.status, a.footer)
        }
        Screen::NotesSearch => {
            let a = crate::tui::notes_search::layout(area);
            notes_search::draw(state, frame, &a, &theme);
            (a.status, a.footer)
        }
        Screen::Dashboard => dashboard::draw(state, frame, area, &theme),
    };
    // A status too long for its line wraps onto the footer's until the next key clears it.
    if !draw_status(state, frame, status, footer, &theme) {
        let hints = keymap::footer(state);
        frame.render_widget(
            Paragraph::new(widgets::key_hints(&hints, &theme, footer.width)),
            footer,
        );
    }
    if state.help.is_some() {
        draw_help(state, frame, area, &theme);
    }
}

/// The status line, or the command line while `:` is being typed. A status wider than its line is
/// word-wrapped onto the footer line too (`below`); returns true when it took that line.
fn draw_status(state: &State, frame: &mut Frame, area: Rect, below: Rect, theme: &Theme) -> bool {
    let line_input = match (
        &state.command,
        state.encounter.as_ref().and_then(|e| e.find.as_ref()),
    ) {
        (Some(cmd), _) => Some((":", cmd)),
        (None, Some(find)) => Some(("find: ", find)),
        _ => None,
    };
    if let Some((prompt, input)) = line_input {
        let w = (area.width as usize).saturating_sub(prompt.len() + 1);
        let shown = tail(&input.text, w);
        let style = if input.replace_on_type {
            theme.replaced_input()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt, theme.key()),
                Span::styled(shown.clone(), style),
            ])),
            area,
        );
        frame.set_cursor_position(Position::new(
            area.x + (prompt.len() + text::width(&shown)) as u16,
            area.y,
        ));
        return false;
    }
    let Some(s) = &state.status else {
        return false;
    };
    let w = area.width as usize;
    let mut rows = text::wrap(&s.text, w);
    let two = rows.len() > 1 && below.height > 0 && below.y == area.y + area.height;
    if rows.len() > 2 {
        // Cut at a word on the second line, with a mark that there was more.
        let rest = rows[1..].join(" ");
        rows.truncate(1);
        rows.push(titles::truncate_words(&rest, w));
    }
    if !two {
        rows = vec![titles::truncate_words(&s.text, w)];
    }
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|r| Line::styled(r, theme.status(s.kind)))
        .collect();
    let target = if two {
        Rect {
            height: area.height + below.height,
            ..area
        }
    } else {
        area
    };
    frame.render_widget(Paragraph::new(lines), target);
    two
}

/// The end of `s` that fits in `w` cells (what you are typing stays visible).
pub(crate) fn tail(s: &str, w: usize) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let cw = text::width(c.encode_utf8(&mut [0; 4]));
        if used + cw > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.into_iter().rev().collect()
}

fn draw_help(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let box_area = layout::help(area);
    let title = match state.screen {
        Screen::Worklist => "Help: worklist",
        Screen::Encounter => "Help: encounter",
        Screen::NotesSearch => "Help: note search",
        Screen::Dashboard => "Help: dashboard",
        Screen::Queue => "Help: CDI queue",
    };
    let inner = widgets::popup(frame, box_area, title, theme);
    let key_w = 26.min(inner.width as usize / 2);
    let what_w = (inner.width as usize).saturating_sub(key_w + 1);
    let mut lines: Vec<Line> = Vec::new();
    for section in keymap::help_sections(state) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(section.title, theme.heading()));
        for k in section.keys {
            lines.extend(widgets::help_row(k.keys, k.what, key_w, what_w, theme));
        }
    }
    if state.screen == Screen::Encounter {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Marks", theme.heading()));
        for (k, what) in [
            (
                "PDX DX2 PR1",
                "principal diagnosis, secondary diagnosis 2, procedure 1",
            ),
            (
                "+ after a code",
                "header code: not billable, pick a code beneath",
            ),
            ("POA ?", "inpatient diagnosis still needs a POA indicator"),
            (
                "[ERR] [WRN]",
                "edit: error (fix it), warning (fix or acknowledge with a)",
            ),
            ("[ACK] [INF]", "edit: acknowledged warning, information"),
        ] {
            lines.extend(widgets::help_row(k, what, key_w, what_w, theme));
        }
    }
    let rows = inner.height.saturating_sub(1) as usize;
    let max = lines.len().saturating_sub(rows);
    let off = state.help.unwrap_or(0).min(max);
    let shown: Vec<Line> = lines.into_iter().skip(off).take(rows).collect();
    let body = Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    };
    frame.render_widget(Paragraph::new(shown), body);
    let more = if max > 0 {
        format!("j/k scroll ({}/{})  Esc close", off + 1, max + 1)
    } else {
        "Esc close".to_string()
    };
    frame.render_widget(
        Paragraph::new(Span::styled(more, theme.dim())),
        Rect {
            y: inner.y + inner.height.saturating_sub(1),
            height: 1,
            ..inner
        },
    );
}
