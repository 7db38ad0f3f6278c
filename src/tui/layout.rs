//! Where each pane goes for a terminal size. Pure geometry shared by `render` (to draw) and `update`
//! (to page and scroll by what is actually visible).
use ratatui::layout::{Constraint, Layout, Rect};

/// Below this the screens do not fit; a one-line message is shown instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// Large windows show the code detail as a pane of its own.
pub fn is_wide(area: Rect) -> bool {
    area.width >= 110 && area.height >= 32
}

/// Inside a one-cell border.
pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

pub fn area_of(size: (u16, u16)) -> Rect {
    Rect::new(0, 0, size.0, size.1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorklistAreas {
    pub header: Rect,
    /// Column headings on the first row, rows beneath.
    pub table: Rect,
    pub status: Rect,
    pub footer: Rect,
}

impl WorklistAreas {
    /// Rows of encounters that fit.
    pub fn rows(&self) -> usize {
        self.table.height.saturating_sub(1) as usize
    }
}

pub fn worklist(area: Rect) -> WorklistAreas {
    let [header, table, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    WorklistAreas {
        header,
        table,
        status,
        footer,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncounterAreas {
    pub header: Rect,
    pub body: Rect,
    /// None when the viewer is zoomed.
    pub notes: Option<Rect>,
    pub viewer: Rect,
    pub codes: Option<Rect>,
    /// The one-line edits count, drawn over the codes pane's bottom border.
    pub edits: Option<Rect>,
    /// Input on the first inner row, results beneath.
    pub search: Option<Rect>,
    /// The detail pane of large windows.
    pub detail_pane: Option<Rect>,
    /// Where the detail pops up on small windows (over the notes column).
    pub detail_popup: Rect,
    pub status: Rect,
    pub footer: Rect,
}

impl EncounterAreas {
    pub fn viewer_text(&self) -> Rect {
        inner(self.viewer)
    }
    pub fn notes_rows(&self) -> usize {
        self.notes.map(|r| inner(r).height as usize).unwrap_or(0)
    }
    /// Rows of codes the pane shows when it is full (the column headings give way to codes then).
    pub fn codes_rows(&self) -> usize {
        self.codes.map(|r| inner(r).height as usize).unwrap_or(0)
    }
    pub fn result_rows(&self) -> usize {
        self.search
            .map(|r| inner(r).height.saturating_sub(1) as usize)
            .unwrap_or(0)
    }
}

/// The encounter screen for `area`; `codes` (assigned codes) sizes the codes pane.
pub fn encounter(area: Rect, zoom: bool, codes: usize) -> EncounterAreas {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let wide = is_wide(area);
    let left_pct = if wide { 55 } else { 50 };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(left_pct), Constraint::Fill(1)]).areas(body);
    let notes_h = if wide {
        (body.height / 4).clamp(3, 9)
    } else {
        (body.height / 3).clamp(3, 6)
    };
    let [notes, viewer] =
        Layout::vertical([Constraint::Length(notes_h), Constraint::Min(3)]).areas(left);
    // Codes: a border, the headings and one row per code, within limits (the headings give way
    // to an eighth code at 80x24). The edits count sits on the pane's bottom border.
    let want = codes.min(60) as u16 + 3;
    let (codes, search, detail_pane) = if wide {
        let codes_h = want.clamp(5, (body.height / 3).max(11));
        let search_h = (body.height * 2 / 5).max(6);
        let [c, s, d] = Layout::vertical([
            Constraint::Length(codes_h),
            Constraint::Length(search_h),
            Constraint::Fill(1),
        ])
        .areas(right);
        (c, s, Some(d))
    } else {
        let cap = (body.height / 2).max(10).min(body.height.saturating_sub(6));
        let codes_h = want.clamp(4.min(cap), cap);
        let [c, s] =
            Layout::vertical([Constraint::Length(codes_h), Constraint::Min(3)]).areas(right);
        (c, s, None)
    };
    let edits = Rect {
        x: codes.x.saturating_add(1),
        y: codes.y.saturating_add(codes.height.saturating_sub(1)),
        width: codes.width.saturating_sub(2),
        height: 1.min(codes.height),
    };
    if zoom {
        EncounterAreas {
            header,
            body,
            notes: None,
            viewer: body,
            codes: None,
            edits: None,
            search: None,
            detail_pane: None,
            detail_popup: left,
            status,
            footer,
        }
    } else {
        EncounterAreas {
            header,
            body,
            notes: Some(notes),
            viewer,
            codes: Some(codes),
            edits: Some(edits),
            search: Some(search),
            detail_pane,
            detail_popup: left,
            status,
            footer,
        }
    }
}

/// Which rows of a list of `len` to draw in `height` rows with the cursor at `pos`, keeping row
/// `pinned` (the principal diagnosis) on the first line when the window has scrolled past it.
pub fn pinned_window(
    len: usize,
    pinned: Option<usize>,
    pos: crate::tui::state::ListPos,
    height: usize,
) -> Vec<usize> {
    let start = pos.window_start(len, height);
    let plain: Vec<usize> = (start..len.min(start + height)).collect();
    match pinned {
        Some(p) if p < len && height >= 2 && !plain.contains(&p) => {
            let rest = pos.window_start(len, height - 1);
            std::iter::once(p)
                .chain((rest..len.min(rest + height - 1)).filter(|&i| i != p))
                .collect()
        }
        _ => plain,
    }
}

/// A box of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The edits list over the body: as wide as fits (messages quote tabular notes and are long),
/// as tall as its `lines` need.
pub fn edits_list(body: Rect, lines: usize) -> Rect {
    let want = (lines.min(500) as u16).saturating_add(2).max(5);
    centered(body, 100, want.min(body.height))
}

/// The valid-codes picker: reason lines, filter line and list inside a border.
/// Sized to its `offers`, at most the body less a row above and below.
pub fn picker(area: Rect, offers: usize) -> Rect {
    let want = (offers.min(200) as u16).saturating_add(5).max(8);
    centered(area, 78, want.min(area.height.saturating_sub(2)))
}

/// Rows of offers the picker shows (border, two reason rows, filter row).
pub fn picker_rows(area: Rect, offers: usize) -> usize {
    picker(area, offers).height.saturating_sub(5) as usize
}

pub fn help(area: Rect) -> Rect {
    centered(area, 100, area.height.saturating_sub(2))
}

pub fn help_rows(area: Rect) -> usize {
    inner(help(area)).height.saturating_sub(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_terminal_has_room_for_every_pane() {
        let a = encounter(Rect::new(0, 0, 80, 24), false, 12);
        assert!(a.notes_rows() >= 3, "{a:?}");
        assert!(a.viewer_text().height >= 10, "{a:?}");
        // Issue 12: at least 8 codes at 80x24, and still 7 search results.
        assert!(a.codes_rows() >= 8, "{a:?}");
        assert!(a.result_rows() >= 7, "{a:?}");
        // The edits count sits on the codes pane's bottom border.
        let (c, e) = (a.codes.unwrap(), a.edits.unwrap());
        assert_eq!(e.y, c.y + c.height - 1, "{a:?}");
        assert!(a.detail_pane.is_none());
        // Few codes leave more room for results.
        let b = encounter(Rect::new(0, 0, 80, 24), false, 1);
        assert!(
            b.codes_rows() >= 1 && b.result_rows() > a.result_rows(),
            "{b:?}"
        );
        let w = encounter(Rect::new(0, 0, 120, 40), false, 3);
        assert!(w.detail_pane.is_some_and(|d| d.height >= 14), "{w:?}");
        assert!(w.result_rows() >= 10, "{w:?}");
    }

    #[test]
    fn the_principal_stays_on_the_first_row() {
        use crate::tui::state::ListPos;
        let at = |selected| ListPos {
            selected,
            offset: 0,
        };
        // In view: a plain window.
        assert_eq!(
            pinned_window(12, Some(0), at(3), 8),
            (0..8).collect::<Vec<_>>()
        );
        // Scrolled to the end: the principal first, then the last seven.
        assert_eq!(
            pinned_window(12, Some(0), at(11), 8),
            vec![0, 5, 6, 7, 8, 9, 10, 11]
        );
        // A principal further down (procedures first is not a thing, but sequencing moves).
        assert_eq!(pinned_window(12, Some(2), at(11), 4), vec![2, 9, 10, 11]);
        // No principal, or one row only: nothing pinned.
        assert_eq!(pinned_window(12, None, at(11), 3), vec![9, 10, 11]);
        assert_eq!(pinned_window(12, Some(0), at(11), 1), vec![11]);
        assert!(pinned_window(0, Some(0), at(0), 5).is_empty());
    }

    #[test]
    fn smallest_supported_window_still_shows_results() {
        let a = encounter(Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT), false, 20);
        assert!(a.result_rows() >= 2, "{a:?}");
        assert!(a.codes_rows() >= 1, "{a:?}");
        assert!(worklist(Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT)).rows() >= 10);
    }
}
