//! Following references in the code detail: every code, range or wildcard a tabular note names
//! ("Excludes1 ... (K70.-)", "code first (O00-O07)") can be selected with Tab/j/k, opened with Enter,
//! and left again with Backspace, through a history of visited codes.
//!
//! References are found by scanning the detail's own lines (so what is highlighted is exactly what is
//! drawn) and kept only when the code set resolves them; the n-th resolved token on screen is
//! reference n.
use crate::domain::CodeSystem;
use crate::tui::app::{Action, App};
use crate::tui::layout;
use crate::tui::render::detail;
use crate::tui::state::{Pane, StatusKind};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};
use std::collections::HashMap;

/// A reference found in the detail and the code it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailRef {
    /// As written in the note ("K70.-").
    pub token: String,
    /// The code it opens ("K70").
    pub target: String,
}

/// Where the coder is in the detail's references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailNav {
    /// The detail has the keyboard: keys move between references.
    pub active: bool,
    /// The references of the detail shown, in reading order.
    pub refs: Vec<DetailRef>,
    pub cursor: usize,
    /// A followed code, shown instead of the highlighted one.
    pub pinned: Option<(CodeSystem, String)>,
    /// Codes shown before the current one, newest last (Backspace returns to them).
    pub history: Vec<(CodeSystem, String)>,
}

impl DetailNav {
    pub fn selected(&self) -> Option<&DetailRef> {
        self.refs.get(self.cursor)
    }
}

/// Byte ranges of the code-like tokens in `text`: a capital letter, a digit, then capitals, digits,
/// dots and dashes ("I10", "K70.-", "O00-O07", "T51.0X-", "A4467"), standing alone.
pub fn scan(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let part = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'.' || c == b'-';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_uppercase()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && part(b[j]) {
            j += 1;
        }
        let glued = b.get(j).is_some_and(u8::is_ascii_alphanumeric);
        // A sentence's full stop is not part of the code; a leading-dash run ("-") is kept.
        let mut end = j;
        while end > i && b[end - 1] == b'.' {
            end -= 1;
        }
        if !glued && end - i >= 3 {
            out.push((i, end));
        }
        i = j.max(i + 1);
    }
    out
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Tokens of `lines` in reading order, with their line index.
fn tokens(lines: &[Line]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        let t = line_text(l);
        for (a, b) in scan(&t) {
            out.push((n, t[a..b].to_string()));
        }
    }
    out
}

/// The line that holds reference `cursor` of `refs` among `lines`.
pub fn ref_line(lines: &[Line], refs: &[DetailRef], cursor: usize) -> Option<usize> {
    let mut k = 0;
    for (n, tok) in tokens(lines) {
        if refs.get(k).is_some_and(|r| r.token == tok) {
            if k == cursor {
                return Some(n);
            }
            k += 1;
        }
    }
    None
}

/// Styles the references in `lines`: resolved ones stand out, the selected one is highlighted.
pub fn mark<'a>(lines: Vec<Line<'a>>, nav: &DetailNav, theme: &Theme) -> Vec<Line<'a>> {
    let mut k = 0;
    lines
        .into_iter()
        .map(|line| {
            let text = line_text(&line);
            let found = scan(&text);
            if found.is_empty() {
                return line;
            }
            let style = line.style;
            let mut spans: Vec<Span> = Vec::new();
            let mut at = 0;
            for (a, b) in found {
                let tok = &text[a..b];
                if nav.refs.get(k).is_none_or(|r| r.token != tok) {
                    continue;
                }
                let st = if k == nav.cursor {
                    theme.selected(true)
                } else {
                    theme.key()
                };
                k += 1;
                spans.push(Span::styled(text[at..a].to_string(), style));
                spans.push(Span::styled(tok.to_string(), st));
                at = b;
            }
            if spans.is_empty() {
                return line;
            }
            spans.push(Span::styled(text[at..].to_string(), style));
            Line::from(spans).style(style)
        })
        .collect()
}

impl App {
    /// Gives the detail the keyboard (opening it if needed).
    pub(crate) fn enter_detail_refs(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        enc.detail_open = true;
        enc.nav.active = true;
        enc.nav.cursor = 0;
        self.refresh_detail();
        self.load_detail_refs();
        let n = self
            .state
            .encounter
            .as_ref()
            .map_or(0, |e| e.nav.refs.len());
        let msg = if n == 0 {
            "no references to follow here: Esc closes".to_string()
        } else {
            format!(
                "{n} references: Tab/j/k choose, Enter follows, Backspace goes back, Esc closes"
            )
        };
        self.state.set_status(StatusKind::Info, msg);
    }

    /// Leaves the references and shows the highlighted code again.
    pub(crate) fn leave_detail_refs(&mut self) {
        let wide = layout::is_wide(layout::area_of(self.state.size));
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.nav = DetailNav::default();
            if !wide || enc.focus != Pane::Search {
                enc.detail_open = false;
            }
        }
        self.refresh_detail();
    }

    /// Finds and resolves the references of the detail shown.
    pub(crate) fn load_detail_refs(&mut self) {
        let Some(d) = self.state.encounter.as_ref().and_then(|e| e.detail.clone()) else {
            if let Some(enc) = self.state.encounter.as_mut() {
                enc.nav.refs.clear();
            }
            return;
        };
        let lines = detail::detail_lines(&d, 4000, &Theme::new(false));
        let system = d.entry.system;
        let mut known: HashMap<String, Option<String>> = HashMap::new();
        let mut refs = Vec::new();
        for (_, tok) in tokens(&lines) {
            if tok == d.entry.code {
                continue;
            }
            let target = match known.get(&tok) {
                Some(t) => t.clone(),
                None => {
                    let t = self
                        .service
                        .resolve_reference(system, &tok)
                        .unwrap_or_else(|e| {
                            tracing::warn!("resolving {tok}: {e:#}");
                            None
                        });
                    known.insert(tok.clone(), t.clone());
                    t
                }
            };
            if let Some(target) = target {
                refs.push(DetailRef { token: tok, target });
            }
        }
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.nav.cursor = enc.nav.cursor.min(refs.len().saturating_sub(1));
            enc.nav.refs = refs;
        }
    }

    /// Handles an action while the detail has the keyboard; false lets `update` handle it.
    pub(crate) fn detail_nav_action(&mut self, action: &Action) -> bool {
        match action {
            Action::Back => self.leave_detail_refs(),
            Action::DetailRef(d) => {
                if let Some(enc) = self.state.encounter.as_mut() {
                    let n = enc.nav.refs.len();
                    if n > 0 {
                        enc.nav.cursor =
                            (enc.nav.cursor as isize + d).rem_euclid(n as isize) as usize;
                    }
                }
                self.scroll_to_ref();
            }
            Action::DetailFollow => self.follow_ref(),
            Action::DetailBack => self.ref_back(),
            _ => return false,
        }
        true
    }

    fn follow_ref(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let (Some(r), Some(d)) = (enc.nav.selected().cloned(), enc.detail.as_ref()) else {
            self.state
                .set_status(StatusKind::Info, "no reference here: Esc closes the detail");
            return;
        };
        let here = (d.entry.system, d.entry.code.clone());
        enc.nav.history.push(here.clone());
        enc.nav.pinned = Some((here.0, r.target.clone()));
        enc.nav.cursor = 0;
        self.refresh_detail();
        self.load_detail_refs();
        // "K70.3- → K70.3" says nothing: the arrow only when the reference names another code.
        let same = |a: &str| a.trim_end_matches('-').replace('.', "");
        let followed = if same(&r.token) == same(&r.target) {
            r.target.clone()
        } else {
            format!("{} → {}", r.token, r.target)
        };
        self.state.set_status(
            StatusKind::Info,
            format!("{followed}: Backspace goes back to {}", here.1),
        );
    }

    fn ref_back(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(prev) = enc.nav.history.pop() else {
            self.state.set_status(
                StatusKind::Info,
                "nothing to go back to: Esc closes the detail",
            );
            return;
        };
        let from = enc.detail.as_ref().map(|d| d.entry.code.clone());
        enc.nav.pinned = Some(prev.clone());
        self.refresh_detail();
        self.load_detail_refs();
        // Put the cursor back on the reference that was followed.
        if let (Some(from), Some(enc)) = (from, self.state.encounter.as_mut()) {
            enc.nav.cursor = enc
                .nav
                .refs
                .iter()
                .position(|r| r.target == from)
                .unwrap_or(0);
        }
        self.scroll_to_ref();
        self.state
            .set_status(StatusKind::Info, format!("back at {}", prev.1));
    }

    /// Scrolls the detail so the selected reference is visible.
    fn scroll_to_ref(&mut self) {
        let areas = self.areas();
        let area = areas.detail_pane.unwrap_or(areas.detail_popup);
        let inner = layout::inner(area);
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(d) = enc.detail.as_ref() else {
            return;
        };
        let lines = detail::detail_lines(d, inner.width as usize, &Theme::new(false));
        let h = (inner.height as usize).max(1);
        if let Some(n) = ref_line(&lines, &enc.nav.refs, enc.nav.cursor) {
            // The last visible row may show "… more", so keep the line above it.
            let room = h.saturating_sub(1).max(1);
            if n < enc.detail_scroll {
                enc.detail_scroll = n;
            } else if n >= enc.detail_scroll + room {
                enc.detail_scroll = n + 1 - room;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        scan(s).into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    #[test]
    fn finds_codes_ranges_and_wildcards() {
        assert_eq!(
            toks(" - alcoholic liver disease (K70.-) and cardiac arrest (I46.-)"),
            vec!["K70.-", "I46.-"]
        );
        assert_eq!(
            toks("heart failure complicating abortion (O00-O07), see I10."),
            vec!["O00-O07", "I10"]
        );
        assert_eq!(toks("Cross-reference A4467"), vec!["A4467"]);
        assert_eq!(toks("toxic effect (T51.0X-)"), vec!["T51.0X-"]);
        // Words, vitamins glued to letters and lower case are not codes.
        assert!(toks("HbA1c NOS COVID-19 B12x type 2").is_empty());
    }
}
