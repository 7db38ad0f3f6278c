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

/// "key what  key what ..." for the footer: whole hints only, as many as fit; when some are left
/// out, the help hint is kept (last) so the rest can always be found.
pub fn key_hints<'a>(keys: &[(&'a str, &'a str)], theme: &Theme, width: u16) -> Line<'a> {
    let need = |(key, what): &(&str, &str)| text::width(key) + text::width(what) + 3;
    let total: usize = keys.iter().map(need).sum();
    let help = keys
        .iter()
        .position(|(_, what)| what.contains("help"))
        .filter(|_| total > width as usize);
    let budget = (width as usize).saturating_sub(help.map_or(0, |i| need(&keys[i])));
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (i, hint) in keys.iter().enumerate() {
        if Some(i) == help {
            continue;
        }
        if used + need(hint) > budget {
            break;
        }
        spans.push(Span::styled(hint.0, theme.key()));
        spans.push(Span::raw(format!(" {}  ", hint.1)));
        used += need(hint);
    }
    if let Some(i) = help {
        spans.push(Span::styled(keys[i].0, theme.key()));
        spans.push(Span::raw(format!(" {}", keys[i].1)));
    }
    Line::from(spans)
}

/// One row of a help table: `keys` in a column of `key_w` cells and `what` beside it, both
/// word-wrapped onto as many lines as they need (never cut mid-word).
pub fn help_row<'a>(
    keys: &str,
    what: &str,
    key_w: usize,
    what_w: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let k = text::wrap(keys, key_w.max(1));
    let w = text::wrap(what, what_w.max(1));
    (0..k.len().max(w.len()).max(1))
        .map(|i| {
            Line::from(vec![
                Span::styled(
                    text::fit(k.get(i).map_or("", String::as_str), key_w),
                    theme.key(),
                ),
                Span::raw(" "),
                Span::raw(w.get(i).cloned().unwrap_or_default()),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn footer_keeps_the_help_hint_when_short_of_room() {
        let theme = Theme::new(false);
        let keys = [
            ("Enter", "open"),
            ("/", "filter"),
            ("s", "notes"),
            ("m", "scope"),
            ("?", "help"),
        ];
        let all = plain(&key_hints(&keys, &theme, 80));
        assert!(
            all.contains("m scope") && all.ends_with("? help  "),
            "{all:?}"
        );
        let short = plain(&key_hints(&keys, &theme, 30));
        assert!(short.ends_with("? help"), "{short:?}");
        assert!(text::width(&short) <= 30, "{short:?}");
        assert!(!short.contains("scope"), "{short:?}");
    }

    #[test]
    fn help_rows_wrap_instead_of_cutting() {
        let theme = Theme::new(false);
        let rows = help_row(
            "Alt+y Alt+n",
            "set POA of the highlighted code from anywhere",
            6,
            20,
            &theme,
        );
        let text: Vec<String> = rows.iter().map(plain).collect();
        assert_eq!(
            text,
            vec![
                "Alt+y  set POA of the",
                "Alt+n  highlighted code",
                "       from anywhere",
            ]
        );
    }
}
