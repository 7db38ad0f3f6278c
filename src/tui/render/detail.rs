//! Code detail (tabular notes of the highlighted code), the valid-codes picker and the remove
//! confirmation.
use crate::domain::{CodeEntry, EntryKind};
use crate::tui::layout;
use crate::tui::state::EncounterState;
use crate::tui::theme::Theme;
use crate::tui::widgets::{pane, popup, text};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Lines describing a code: status, place in the tabular list, and every instructional note that
/// applies (its own, then those inherited from its category, section and chapter).
pub fn detail_lines<'a>(
    d: &crate::service::CodeDetail,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let w = width.max(10);
    let mut out: Vec<Line> = Vec::new();
    let e = &d.entry;
    for l in text::wrap(&format!("{} {}", e.code, e.title), w) {
        out.push(Line::styled(l, theme.title()));
    }
    if e.billable {
        push_wrapped(
            &mut out,
            &format!("{} · billable", e.system),
            w,
            theme.accent(),
        );
    } else {
        push_wrapped(
            &mut out,
            &format!("{} · NOT billable: choose a code beneath", e.system),
            w,
            theme.warning(),
        );
    }
    if let Some(p) = d.ancestors.iter().find(|a| a.kind == EntryKind::Code) {
        push_wrapped(&mut out, &format!("in {}", code_title(p)), w, theme.dim());
    }
    // Where it sits in the tabular list: block and chapter.
    for a in d.ancestors.iter().filter(|a| a.kind != EntryKind::Code) {
        let what = if a.kind == EntryKind::Chapter {
            "chapter"
        } else {
            "block"
        };
        let line = format!("{what} {}", code_title(a));
        push_wrapped(&mut out, &line, w, theme.dim());
    }
    section(
        &mut out,
        "Inclusion terms",
        &e.notes.inclusion_terms,
        None,
        w,
        theme,
    );
    let mut sources: Vec<&CodeEntry> = vec![e];
    sources.extend(d.ancestors.iter());
    for (label, pick) in NOTE_KINDS {
        for src in &sources {
            let from = (src.code != e.code).then(|| match src.kind {
                EntryKind::Chapter => format!("chapter {}", src.code),
                EntryKind::Section => format!("block {}", src.code),
                EntryKind::Code => src.code.clone(),
            });
            section(&mut out, label, pick(&src.notes), from.as_deref(), w, theme);
        }
    }
    if !d.seventh.is_empty() {
        let from = d.seventh_from.as_deref().unwrap_or("");
        out.push(Line::styled(
            format!("7th characters (from {from})"),
            theme.heading(),
        ));
        for (c, m) in &d.seventh {
            push_wrapped(&mut out, &format!(" {c}  {m}"), w, Style::new());
        }
    }
    if !d.children.is_empty() && !e.billable {
        out.push(Line::styled("Codes beneath", theme.heading()));
        for c in d.children.iter().take(30) {
            let mark = if c.billable { "" } else { "+" };
            push_wrapped(
                &mut out,
                &format!(" {}{mark} {}", c.code, c.title),
                w,
                Style::new(),
            );
        }
    }
    out
}

type NotePick = fn(&crate::domain::TabularNotes) -> &Vec<String>;

const NOTE_KINDS: [(&str, NotePick); 7] = [
    ("Includes", |n| &n.includes),
    ("Excludes1", |n| &n.excludes1),
    ("Excludes2", |n| &n.excludes2),
    ("Code first", |n| &n.code_first),
    ("Use additional code", |n| &n.use_additional_code),
    ("Code also", |n| &n.code_also),
    ("Note", |n| &n.notes),
];

fn section(
    out: &mut Vec<Line>,
    label: &str,
    items: &[String],
    from: Option<&str>,
    w: usize,
    theme: &Theme,
) {
    if items.is_empty() {
        return;
    }
    let head = match from {
        Some(f) => format!("{label} (at {f})"),
        None => label.to_string(),
    };
    out.push(Line::styled(head, theme.heading()));
    for it in items {
        push_wrapped(out, &format!(" - {it}"), w, Style::new());
    }
}

/// Wraps `s` to `w` cells, indenting continuation lines by three.
fn push_wrapped(out: &mut Vec<Line>, s: &str, w: usize, style: Style) {
    let lines = text::wrap(s, w);
    let Some((first, rest)) = lines.split_first() else {
        return;
    };
    out.push(Line::styled(first.clone(), style));
    let tail = rest.join(" ");
    for l in text::wrap(&tail, w.saturating_sub(3).max(1)) {
        if !l.is_empty() {
            out.push(Line::styled(format!("   {l}"), style));
        }
    }
}

/// How many lines the detail of `d` takes at `width` (for scrolling).
pub fn detail_height(d: &crate::service::CodeDetail, width: usize) -> usize {
    detail_lines(d, width, &Theme::new(false)).len()
}

pub fn draw_detail(
    enc: &EncounterState,
    frame: &mut Frame,
    area: Rect,
    is_popup: bool,
    theme: &Theme,
) {
    if is_popup {
        frame.render_widget(Clear, area);
    }
    let title = if enc.nav.active {
        " Code detail: Tab/Enter/Bksp "
    } else {
        " Code detail "
    };
    let block = pane(title, is_popup || enc.detail_open, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match &enc.detail {
        Some(d) if enc.nav.active => crate::tui::detail_nav::mark(
            detail_lines(d, inner.width as usize, theme),
            &enc.nav,
            theme,
        ),
        Some(d) => detail_lines(d, inner.width as usize, theme),
        None => vec![Line::styled(
            "highlight a search result or an assigned code",
            theme.dim(),
        )],
    };
    let h = inner.height as usize;
    let total = lines.len();
    let top = enc.detail_scroll.min(total.saturating_sub(h));
    let mut shown: Vec<Line> = lines.into_iter().skip(top).take(h).collect();
    if top + h < total
        && let Some(last) = shown.last_mut()
    {
        let hint = if enc.detail_open {
            "… more: PgDn"
        } else {
            "… more: d (or Ctrl-D), then PgDn"
        };
        *last = Line::styled(hint, theme.dim());
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

pub fn draw_picker(enc: &EncounterState, frame: &mut Frame, body: Rect, theme: &Theme) {
    let Some(p) = &enc.picker else {
        return;
    };
    let area = layout::picker(body, p.offers.len());
    let inner = popup(frame, area, &format!("Valid codes for {}", p.code), theme);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = text::wrap(&p.reason, w)
        .into_iter()
        .take(2)
        .map(|l| Line::styled(l, theme.warning()))
        .collect();
    while lines.len() < 2 {
        lines.push(Line::raw(""));
    }
    let count = format!("  ({} of {})", p.visible.len(), p.offers.len());
    let typed = crate::tui::render::tail(&p.filter.text, w.saturating_sub(count.len() + 10));
    lines.push(Line::from(vec![
        Span::styled("narrow: ", theme.key()),
        Span::raw(typed.clone()),
        Span::styled(count, theme.dim()),
    ]));
    frame.set_cursor_position(Position::new(
        inner.x + 8 + text::width(&typed) as u16,
        inner.y + 2,
    ));
    let rows = inner.height.saturating_sub(3) as usize;
    let start = p.pos.window_start(p.visible.len(), rows);
    // Titles that differ only at the end (7th characters) show their differing part.
    let skip = shared_prefix(p.offers.iter().map(|o| o.title.as_str()));
    for (n, &i) in p.visible.iter().enumerate().skip(start).take(rows) {
        let Some(o) = p.offers.get(i) else {
            continue;
        };
        let title = match o.title.get(skip..) {
            Some(rest) if skip > 0 => format!("… {rest}"),
            _ => o.title.clone(),
        };
        let mut line = Line::raw(text::fit(&format!("{:<9} {title}", o.code), w));
        if n == p.pos.selected {
            line = line.style(theme.selected(true));
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Byte length of the words all `titles` start with, when worth dropping (two or more titles and
/// a long shared start), else 0. Cut after a comma or space so words stay whole.
pub fn shared_prefix<'a>(mut titles: impl Iterator<Item = &'a str>) -> usize {
    let Some(first) = titles.next() else {
        return 0;
    };
    let mut len = first.len();
    let mut count = 1;
    for t in titles {
        count += 1;
        len = first
            .bytes()
            .zip(t.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    let cut = first
        .get(..len)
        .and_then(|p| p.rfind([',', ' ']))
        .map(|i| i + 1)
        .unwrap_or(0);
    if count < 2 || cut < 24 || !first.is_char_boundary(cut) {
        0
    } else {
        cut
    }
}

pub fn draw_confirm(enc: &EncounterState, frame: &mut Frame, body: Rect, theme: &Theme) {
    let Some(confirm) = &enc.confirm else {
        return;
    };
    let (msg, yes, no) = confirm.question();
    let w = (text::width(&msg) as u16 + 4).max(30);
    let area = layout::centered(body, w, 4);
    let inner = popup(frame, area, "Confirm", theme);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(msg),
            Line::from(vec![
                Span::styled("y", theme.key()),
                Span::raw(format!(" {yes}   ")),
                Span::styled("n", theme.key()),
                Span::raw(format!(" {no}")),
            ]),
        ]),
        inner,
    );
}

/// "K70.3 Alcoholic cirrhosis of liver"; a title that names its code already ("Diseases of liver
/// (K70-K77)", as block titles do) is shown alone, so the range is not repeated.
pub fn code_title(e: &CodeEntry) -> String {
    if e.kind != EntryKind::Chapter && e.title.contains(&e.code) {
        e.title.clone()
    } else {
        format!("{} {}", e.code, e.title)
    }
}

#[cfg(test)]
mod tests {
    use super::shared_prefix;

    #[test]
    fn shared_title_start_is_dropped_at_a_word() {
        let t = [
            "Fracture of neck of right femur, initial encounter",
            "Fracture of neck of right femur, subsequent encounter",
        ];
        let n = shared_prefix(t.iter().copied());
        assert_eq!(&t[0][n..], "initial encounter");
        assert_eq!(
            shared_prefix(["Heart failure", "Heart failure, acute"].into_iter()),
            0
        );
        assert_eq!(
            shared_prefix(["only one title that is long enough"].into_iter()),
            0
        );
    }
}
