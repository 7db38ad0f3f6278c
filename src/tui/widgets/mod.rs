//! Small drawing helpers shared by the screens: text fitting and wrapping, boxed panes.
pub mod text;
pub mod wrap;

use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

/// A bordered pane with a title; focused panes get a thick, highlighted border.
pub fn pane<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .title(title)
        .title_style(theme.title())
        .border_type(theme.border_type(focused))
        .border_style(theme.border(focused))
}

/// Clears `area` and draws a bordered popup over whatever was there; returns the inner area.
pub fn popup(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = pane(format!(" {title} "), true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// "key what  key what ..." for the footer, cut to fit.
pub fn key_hints<'a>(keys: &[(&'a str, &'a str)], theme: &Theme, width: u16) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (key, what) in keys {
        let need = text::width(key) + text::width(what) + 3;
        if used + need > width as usize {
            break;
        }
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
        used += need;
    }
    Line::from(spans)
}
