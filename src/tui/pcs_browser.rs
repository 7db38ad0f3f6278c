//! The ICD-10-PCS axis browser: build a procedure code one character (axis) at a time — section,
//! body system, root operation, body part, approach, device, qualifier — picking each value by its
//! key, with labels derived from the code titles (`codeset::pcs_axes`). Opened from the code search
//! (Ctrl-B or F4); Backspace goes back a column; Enter on a complete code assigns it.
use crate::codeset::pcs_axes::{AXIS_NAMES, AxisValue};
use crate::domain::CodeSystem;
use crate::tui::app::{Action, App};
use crate::tui::layout;
use crate::tui::state::{EncounterState, ListPos, StatusKind, SystemFilter};
use crate::tui::theme::Theme;
use crate::tui::widgets::{popup, text};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The browser's state: the characters chosen so far and the values of the next column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcsBrowser {
    /// Chosen characters (0 to 7).
    pub prefix: String,
    /// The label of each chosen character, in order.
    pub chosen: Vec<String>,
    /// Values for the next position (empty once the code is complete).
    pub values: Vec<AxisValue>,
    pub pos: ListPos,
    /// The complete code's title (7 characters chosen).
    pub title: Option<String>,
    /// The search's systems before the browser switched it to ICD-10-PCS (put back on close).
    pub restore: Option<SystemFilter>,
}

impl PcsBrowser {
    pub fn complete(&self) -> bool {
        self.prefix.len() == 7
    }
    /// The name of the column being chosen.
    pub fn axis(&self) -> &'static str {
        AXIS_NAMES.get(self.prefix.len()).copied().unwrap_or("Code")
    }
}

/// The popup's box in the body.
pub fn area(body: Rect) -> Rect {
    layout::centered(body, 78, body.height.saturating_sub(1).max(10))
}

/// Rows of values the popup lists (border, code line, 7 chosen-axis lines at most, heading).
pub fn rows(body: Rect, chosen: usize) -> usize {
    let inner = layout::inner(area(body));
    (inner.height as usize).saturating_sub(chosen + 3).max(1)
}

impl App {
    /// Opens the browser (switching the search to ICD-10-PCS).
    pub(crate) fn open_pcs_browser(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        // A code start typed in the search box ("0DT", "B21") opens the browser there.
        let typed =
            crate::search::pcs_open::browse_start(&enc.search.input.text, &enc.search.results);
        let start: Vec<char> = if typed.len() <= 7
            && typed.chars().all(|c| c.is_ascii_alphanumeric())
            && typed.chars().any(|c| c.is_ascii_digit())
        {
            typed.chars().collect()
        } else {
            Vec::new()
        };
        let before = enc.search.systems;
        let mut b = PcsBrowser::default();
        match self.service.pcs_axis_values("") {
            Ok(v) if !v.is_empty() => b.values = v,
            Ok(_) => {
                self.state
                    .set_status(StatusKind::Warning, "no ICD-10-PCS codes are loaded");
                return;
            }
            Err(e) => {
                self.error(&e);
                return;
            }
        }
        if before != SystemFilter::Only(CodeSystem::Icd10Pcs) {
            b.restore = Some(before);
            if let Some(enc) = self.state.encounter.as_mut() {
                enc.search.systems = SystemFilter::Only(CodeSystem::Icd10Pcs);
            }
            self.submit_search();
        }
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.pcs = Some(b);
        }
        for c in start {
            let before = self.pcs_len();
            self.pcs_pick(c);
            if self.pcs_len() == before {
                break;
            }
        }
        if self.pcs_len() < 7 {
            self.state.set_status(
                StatusKind::Info,
                "PCS browser: press a value's key, Backspace goes back, Enter assigns a complete code",
            );
        }
    }

    /// Closes the browser and gives the code search back the systems it had before.
    fn close_pcs_browser(&mut self) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(b) = enc.pcs.take() else {
            return;
        };
        if let Some(systems) = b.restore
            && enc.search.systems != systems
        {
            enc.search.systems = systems;
            self.submit_search();
        }
    }

    fn pcs_len(&self) -> usize {
        self.state
            .encounter
            .as_ref()
            .and_then(|e| e.pcs.as_ref())
            .map_or(0, |b| b.prefix.len())
    }

    pub(crate) fn pcs_action(&mut self, action: Action) {
        let body = self.areas().body;
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(b) = enc.pcs.as_mut() else {
            return;
        };
        let page = rows(body, b.chosen.len());
        match action {
            Action::Back => {
                self.close_pcs_browser();
                self.state
                    .set_status(StatusKind::Info, "PCS browser closed");
            }
            Action::Up => b.pos.move_by(-1, b.values.len()),
            Action::Down => b.pos.move_by(1, b.values.len()),
            Action::PageUp => b.pos.move_by(-(page as isize), b.values.len()),
            Action::PageDown => b.pos.move_by(page as isize, b.values.len()),
            Action::PcsPick(c) => self.pcs_pick(c),
            Action::Accept => {
                if b.complete() {
                    let code = b.prefix.clone();
                    self.assign(CodeSystem::Icd10Pcs, &code);
                    if self
                        .state
                        .encounter
                        .as_ref()
                        .is_some_and(|e| e.view.assignments.iter().any(|a| a.code == code))
                    {
                        self.close_pcs_browser();
                    }
                } else if let Some(c) = b.values.get(b.pos.selected).map(|v| v.ch) {
                    self.pcs_pick(c);
                }
            }
            Action::Backspace => {
                if b.prefix.pop().is_some() {
                    b.chosen.pop();
                    b.title = None;
                    let prefix = b.prefix.clone();
                    self.pcs_load(&prefix, None);
                } else {
                    self.close_pcs_browser();
                }
            }
            _ => {}
        }
        if let Some(b) = self.state.encounter.as_mut().and_then(|e| e.pcs.as_mut()) {
            b.pos.ensure_visible(page);
        }
    }

    fn pcs_pick(&mut self, c: char) {
        let Some(b) = self.state.encounter.as_mut().and_then(|e| e.pcs.as_mut()) else {
            return;
        };
        if b.complete() {
            let msg = format!(
                "{} is complete: Enter assigns, Backspace changes the qualifier",
                b.prefix
            );
            self.state.set_status(StatusKind::Info, msg);
            return;
        }
        let Some(v) = b.values.iter().find(|v| v.ch == c).cloned() else {
            let axis = b.axis().to_lowercase();
            let keys: String = b.values.iter().map(|v| v.ch).collect();
            let msg = format!("no {axis} '{c}' after '{}': choose one of {keys}", b.prefix);
            self.state.set_status(StatusKind::Warning, msg);
            return;
        };
        b.prefix.push(c);
        b.chosen.push(v.label.clone());
        let prefix = b.prefix.clone();
        self.pcs_load(&prefix, v.code.map(|_| v.label));
    }

    /// Loads the next column's values for `prefix` (or the title of a complete code).
    fn pcs_load(&mut self, prefix: &str, complete_title: Option<String>) {
        let values = if prefix.len() >= 7 {
            Ok(Vec::new())
        } else {
            self.service.pcs_axis_values(prefix)
        };
        let Some(b) = self.state.encounter.as_mut().and_then(|e| e.pcs.as_mut()) else {
            return;
        };
        match values {
            Ok(v) => {
                b.values = v;
                b.pos = ListPos::default();
                b.title = complete_title;
            }
            Err(e) => self.error(&e),
        }
        if let Some(b) = self.state.encounter.as_ref().and_then(|e| e.pcs.as_ref())
            && b.complete()
        {
            let msg = format!("{} complete: Enter assigns it", b.prefix);
            self.state.set_status(StatusKind::Success, msg);
        }
    }
}

/// Draws the browser over the body.
pub fn draw(enc: &EncounterState, frame: &mut Frame, body: Rect, theme: &Theme) {
    let Some(b) = &enc.pcs else {
        return;
    };
    let inner = popup(frame, area(body), "ICD-10-PCS by axis", theme);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    // The code so far: chosen characters, then the column being chosen, then blanks.
    let mut spans = vec![Span::styled("code ", theme.dim())];
    for (i, c) in b.prefix.chars().enumerate() {
        spans.push(Span::styled(c.to_string(), theme.accent()));
        if i < 6 {
            spans.push(Span::raw(" "));
        }
    }
    for i in b.prefix.len()..7 {
        let mark = if i == b.prefix.len() { "?" } else { "_" };
        spans.push(Span::styled(mark, theme.dim()));
        if i < 6 {
            spans.push(Span::raw(" "));
        }
    }
    if !b.complete() {
        spans.push(Span::styled(
            format!("   {} {}/7", b.axis(), b.prefix.len() + 1),
            theme.heading(),
        ));
    }
    lines.push(Line::from(spans));
    for (i, (c, label)) in b.prefix.chars().zip(&b.chosen).enumerate() {
        let name = AXIS_NAMES.get(i).copied().unwrap_or("");
        lines.push(Line::raw(text::truncate(
            &format!(" {c} {name:<14} {label}"),
            w,
        )));
    }
    if b.complete() {
        lines.push(Line::raw(""));
        let title = b.title.clone().unwrap_or_default();
        for l in text::wrap(&format!("{} {title}", b.prefix), w) {
            lines.push(Line::styled(l, theme.title()));
        }
        lines.push(Line::from(vec![
            Span::styled("Enter", theme.key()),
            Span::raw(" assign   "),
            Span::styled("Backspace", theme.key()),
            Span::raw(" change the qualifier   "),
            Span::styled("Esc", theme.key()),
            Span::raw(" close"),
        ]));
    } else {
        lines.push(Line::styled(
            text::truncate(
                &format!("{}: press its key (↑↓ Enter also pick)", b.axis()),
                w,
            ),
            theme.heading(),
        ));
        let room = rows(body, b.chosen.len());
        let start = b.pos.window_start(b.values.len(), room);
        for (n, v) in b.values.iter().enumerate().skip(start).take(room) {
            let count = if v.count > 1 {
                format!("  ({})", v.count)
            } else {
                String::new()
            };
            let mut line = Line::raw(text::fit(&format!(" {}  {}{count}", v.ch, v.label), w));
            if n == b.pos.selected {
                line = line.style(theme.selected(true));
            }
            lines.push(line);
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
