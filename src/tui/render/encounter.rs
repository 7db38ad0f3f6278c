//! The encounter screen: header, notes list, note viewer, assigned codes and code search.
use crate::domain::{Assignment, CodeSystem, EncounterStatus, EncounterType, Permission, Role};
use crate::tui::layout::{self, EncounterAreas};
use crate::tui::render::{detail, edits, notes_search, tail, titles};
use crate::tui::state::{EncounterState, Pane, State, age_on};
use crate::tui::theme::Theme;
use crate::tui::widgets::{pane, text, wrap};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(state: &State, frame: &mut Frame, a: &EncounterAreas, theme: &Theme) {
    let Some(enc) = &state.encounter else {
        frame.render_widget(Paragraph::new("no encounter open: Esc"), a.body);
        return;
    };
    draw_header(enc, state.role, frame, a.header, theme);
    if let Some(r) = a.notes {
        draw_notes(enc, frame, r, theme);
    }
    draw_viewer(enc, frame, a.viewer, theme);
    if let Some(r) = a.codes {
        draw_codes(enc, frame, r, theme);
    }
    if let Some(r) = a.edits {
        edits::draw_count(enc, frame, r, theme);
    }
    if let Some(r) = a.search {
        let no_detail = a.detail_pane.is_none() && !enc.detail_open;
        draw_search(enc, frame, r, no_detail, theme);
    }
    if let Some(r) = a.detail_pane {
        detail::draw_detail(enc, frame, r, false, theme);
    }
    // Overlays, bottom to top, in the one order `modal` decides.
    for m in crate::tui::modal::stack(state).into_iter().rev() {
        use crate::tui::modal::Modal;
        match m {
            Modal::Detail if a.detail_pane.is_none() || enc.zoom => {
                detail::draw_detail(enc, frame, a.detail_popup, true, theme)
            }
            Modal::Pcs => crate::tui::pcs_browser::draw(enc, frame, a.body, theme),
            Modal::QueryPanel => crate::tui::render::compose::draw(state, frame, a, theme),
            Modal::Edits => edits::draw_list(enc, frame, a.body, theme),
            Modal::Drg => super::drg::draw_panel(enc, frame, a.body, theme),
            Modal::Picker => detail::draw_picker(enc, frame, a.body, theme),
            Modal::Confirm => detail::draw_confirm(enc, frame, a.body, theme),
            _ => {}
        }
    }
}

/// Why the encounter is read-only, short enough for the header at 80 columns (the status line
/// shows the service's full reason when the encounter is opened).
pub fn read_only_label(enc: &EncounterState, role: Role, why: &str) -> String {
    let e = &enc.view.encounter;
    if !role.allows(Permission::Code) {
        format!("READ-ONLY: {role} role")
    } else if e.status == EncounterStatus::Coded {
        "READ-ONLY: coded (o reopens)".to_string()
    } else {
        // "being coded by bob"
        format!("READ-ONLY: {why}")
    }
}

fn draw_header(enc: &EncounterState, role: Role, frame: &mut Frame, area: Rect, theme: &Theme) {
    let e = &enc.view.encounter;
    let age = age_on(&e.birth_date, &e.admit_date)
        .map(|a| a.to_string())
        .unwrap_or_else(|| "?".into());
    let line1 = Line::from(vec![
        Span::styled(format!("{} ", e.account), theme.title()),
        Span::styled(format!("{} ", e.patient_name), theme.key()),
        Span::raw(format!(
            "{age}{} · {} · MRN {} · ",
            e.sex.as_str(),
            e.enc_type,
            e.mrn
        )),
        Span::styled(super::compose::status_text(e), theme.accent()),
    ]);
    let dates = format!(
        "{} – {}",
        e.admit_date,
        e.discharge_date.as_deref().unwrap_or("in house")
    );
    let mut spans = vec![Span::raw(format!("{dates} · {} · ", e.attending))];
    match (&enc.view.read_only, &e.claimed_by) {
        (Some(why), _) => spans.push(Span::styled(
            read_only_label(enc, role, why),
            theme.warning(),
        )),
        (None, Some(h)) => spans.push(Span::raw(format!("held by {h}"))),
        (None, None) => spans.push(Span::raw("not claimed")),
    }
    // The working DRG where it fits (inpatient with a diagnosis); `g` explains it.
    if let Some(v) = &enc.drg {
        let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
        let room = (area.width as usize).saturating_sub(used + 3);
        if room >= 14 {
            spans.push(Span::raw(" · "));
            spans.extend(super::drg::drg_summary_line(v, room).spans);
        }
    }
    frame.render_widget(Paragraph::new(vec![line1, Line::from(spans)]), area);
}

/// "2025-03-04T10:15:00Z" → "03-04 10:15".
fn short_time(t: &str) -> String {
    match (t.get(5..10), t.get(11..16)) {
        (Some(d), Some(h)) => format!("{d} {h}"),
        _ => t.to_string(),
    }
}

fn draw_notes(enc: &EncounterState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = enc.focus == Pane::Notes && enc.picker.is_none();
    let block = pane(
        format!(" Notes ({}) ", enc.view.notes.len()),
        focused,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = inner.height as usize;
    let start = enc.notes_pos.window_start(enc.view.notes.len(), h);
    let open_id = enc.note.as_ref().map(|n| n.header.id);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for (i, n) in enc.view.notes.iter().enumerate().skip(start).take(h) {
        let mark = if Some(n.id) == open_id { "▸" } else { " " };
        let s = format!(
            "{mark}{} {} · {}",
            short_time(&n.written_at),
            n.note_type,
            n.author
        );
        let mut line = Line::raw(text::fit(&s, w));
        if i == enc.notes_pos.selected {
            line = line.style(theme.selected(focused));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(Line::styled("no notes on this encounter", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_viewer(enc: &EncounterState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = enc.focus == Pane::Viewer && enc.picker.is_none();
    let inner = layout::inner(area);
    let Some(note) = &enc.note else {
        let block = pane(" Note ", focused, theme);
        frame.render_widget(
            Paragraph::new(Span::styled(
                "choose a note in the list and press Enter",
                theme.dim(),
            ))
            .block(block),
            area,
        );
        return;
    };
    let lines = wrap::wrap_mapped(&note.body, inner.width as usize);
    let h = inner.height as usize;
    let max = lines.len().saturating_sub(h);
    let top = enc.scroll.min(max);
    let pos = if lines.len() <= h {
        "all".to_string()
    } else {
        format!("{}%", (top + h).min(lines.len()) * 100 / lines.len().max(1))
    };
    let n = enc
        .view
        .notes
        .iter()
        .position(|h| h.id == note.header.id)
        .map(|i| format!("{}/{} ", i + 1, enc.view.notes.len()))
        .unwrap_or_default();
    let title = format!(
        " {n}{} · {} · {} ({pos}) ",
        note.header.note_type,
        note.header.author,
        short_time(&note.header.written_at)
    );
    let block = pane(
        titles::truncate_words(&title, area.width.saturating_sub(2) as usize),
        focused,
        theme,
    );
    let marks = super::compose::selection_marks(enc, &note.body, inner.width as usize);
    let shown: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(
            |(i, l)| match marks.as_ref().and_then(|m| m.line(i, &l.text, theme)) {
                Some(marked) => marked,
                None => highlight(l, &enc.find_hits, enc.find_at, theme),
            },
        )
        .collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

/// A wrapped note line with the find places on it marked (the current place bold and underlined);
/// places are ranges of the note's text, so one wrapped onto two lines is marked on both.
fn highlight<'a>(
    line: wrap::WrappedLine,
    places: &[std::ops::Range<usize>],
    current: Option<usize>,
    theme: &Theme,
) -> Line<'a> {
    let marks = match line.source_span() {
        Some(span)
            if places
                .iter()
                .any(|p| p.start < span.end && span.start < p.end) =>
        {
            line.highlights(places)
        }
        _ => Vec::new(),
    };
    if marks.is_empty() {
        return Line::raw(line.text);
    }
    let t = &line.text;
    let mut spans = Vec::new();
    let mut at = 0;
    for (r, place) in marks {
        if r.start > at {
            spans.push(Span::raw(t[at..r.start].to_string()));
        }
        let style = notes_search::hit_style(theme, current == Some(place));
        spans.push(Span::styled(t[r.clone()].to_string(), style));
        at = r.end;
    }
    if at < t.len() {
        spans.push(Span::raw(t[at..].to_string()));
    }
    Line::from(spans)
}

/// PDX for the principal diagnosis, DXn for the others, PRn for procedures.
pub fn seq_label(a: &Assignment) -> String {
    if a.system.is_diagnosis() {
        if a.principal {
            "PDX".into()
        } else {
            format!("DX{}", a.seq)
        }
    } else {
        format!("PR{}", a.seq)
    }
}

fn draw_codes(enc: &EncounterState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = enc.focus == Pane::Codes && enc.picker.is_none() && enc.confirm.is_none();
    let codes = &enc.view.assignments;
    let dx = codes.iter().filter(|a| a.system.is_diagnosis()).count();
    let inpatient = enc.view.encounter.enc_type == EncounterType::Inpatient;
    // The same list the POA edits use: an exempt code needs no indicator and never shows "?".
    let exempt = |a: &Assignment| {
        a.system == CodeSystem::Icd10Cm && crate::edits::poa::builtin().is_exempt(&a.code)
    };
    let no_poa = codes
        .iter()
        .filter(|a| inpatient && a.system.is_diagnosis() && a.poa.is_none() && !exempt(a))
        .count();
    let mut title = vec![Span::raw(format!(
        " Codes ({dx} dx, {} px",
        codes.len() - dx
    ))];
    if no_poa > 0 {
        title.push(Span::raw(", "));
        title.push(Span::styled(format!("{no_poa} need POA"), theme.warning()));
    }
    title.push(Span::raw(") "));
    let block = pane(Line::from(title), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let rows = inner.height as usize;
    // Column headings while every code fits beneath them; when the list is longer the row goes to
    // a code, and the principal stays on the first row however far the list is scrolled.
    let mut lines = Vec::new();
    let h = if codes.len() < rows {
        lines.push(Line::styled(
            text::fit("Seq  Code     POA Title", w),
            theme.heading(),
        ));
        rows - 1
    } else {
        rows
    };
    let principal = codes
        .iter()
        .position(|a| a.principal && a.system.is_diagnosis());
    for i in layout::pinned_window(codes.len(), principal, enc.codes_pos, h) {
        let Some(a) = codes.get(i) else { continue };
        let (poa, poa_style) = match (a.poa, a.system.is_diagnosis()) {
            (Some(p), _) => (p.as_str().to_string(), Style::new()),
            (None, true) if inpatient && exempt(a) => ("ex".to_string(), theme.dim()),
            (None, true) if inpatient => ("?".to_string(), theme.warning()),
            _ => ("-".to_string(), theme.dim()),
        };
        let seq_style = if a.principal && a.system.is_diagnosis() {
            theme.accent()
        } else {
            Style::new()
        };
        let title_w = w.saturating_sub(18);
        let mut line = Line::from(vec![
            Span::styled(text::fit(&seq_label(a), 5), seq_style),
            Span::raw(text::fit(&a.code, 9)),
            Span::styled(text::fit(&poa, 4), poa_style),
            Span::raw(titles::fit_title(
                &a.title,
                &titles::siblings_of(
                    &a.code,
                    codes.iter().map(|c| (c.code.as_str(), c.title.as_str())),
                ),
                title_w,
            )),
        ]);
        if i == enc.codes_pos.selected {
            line = line.style(theme.selected(focused));
        }
        lines.push(line);
    }
    if codes.is_empty() {
        lines.push(Line::styled(
            text::truncate("none yet: / to search, Enter to assign", w),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_search(
    enc: &EncounterState,
    frame: &mut Frame,
    area: Rect,
    no_detail: bool,
    theme: &Theme,
) {
    let s = &enc.search;
    let focused = enc.focus == Pane::Search && enc.picker.is_none();
    let info = if s.pending() {
        "searching…".to_string()
    } else if !s.results_query.is_empty() {
        let open = crate::search::pcs_open::open_axes_line(&s.results)
            .map(|o| format!(" · {o}"))
            .unwrap_or_default();
        format!("{} hits {}ms{open}", s.results.len(), s.elapsed_ms)
    } else {
        String::new()
    };
    let title = format!(" Code search [{}] {info} ", s.systems.label());
    let block = pane(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let w = inner.width as usize;
    let typed = tail(&s.input.text, w.saturating_sub(3));
    let input_style = if s.input.replace_on_type && focused {
        theme.replaced_input()
    } else {
        Style::new()
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", theme.key()),
        Span::styled(typed.clone(), input_style),
    ])];
    if focused {
        frame.set_cursor_position(Position::new(
            inner.x + 2 + text::width(&typed) as u16,
            inner.y,
        ));
    }
    let h = inner.height.saturating_sub(1) as usize;
    if let Some(err) = &s.error {
        lines.push(Line::styled(text::truncate(err, w), theme.error()));
    } else if s.results.is_empty() {
        let hint = if s.input.text.trim().is_empty() {
            if focused {
                "type words (chf, copd exac) or a code (I50.2)".to_string()
            } else {
                "press / to search codes".to_string()
            }
        } else if s.pending() {
            String::new()
        } else {
            format!("no codes match '{}'", s.results_query)
        };
        lines.push(Line::styled(text::truncate(&hint, w), theme.dim()));
    }
    // When the highlighted title is cut, its full text goes on the last rows (the words that tell
    // look-alike codes apart are usually at the end).
    // Codes are at most 8 characters ("S72.001A", a header "S72.001+"): 8 cells and a space.
    let title_w = w.saturating_sub(9);
    let full: Vec<String> = match s.selected_hit() {
        Some(hit) if text::width(&hit.title) > title_w && h >= 7 && no_detail => {
            let n = if h >= 10 { 3 } else { 2 };
            text::wrap(&hit.title, w).into_iter().take(n).collect()
        }
        _ => Vec::new(),
    };
    let h = h.saturating_sub(full.len());
    let start = s.pos.window_start(s.results.len(), h);
    for (i, hit) in s.results.iter().enumerate().skip(start).take(h) {
        let code = if hit.billable {
            hit.code.clone()
        } else {
            format!("{}+", hit.code)
        };
        let code_style = if hit.billable {
            Style::new()
        } else {
            theme.dim()
        };
        let mut spans = vec![
            Span::styled(text::fit(&code, 8), code_style),
            Span::raw(" "),
        ];
        let siblings = titles::siblings_of(
            &hit.code,
            s.results
                .iter()
                .map(|h| (h.code.as_str(), h.title.as_str())),
        );
        let title = titles::fit_title(&hit.title, &siblings, title_w);
        let room = title_w.saturating_sub(text::width(&title));
        spans.push(Span::raw(title));
        if let Some(m) = hit.matched.as_deref().filter(|_| room > 6) {
            spans.push(Span::styled(
                text::truncate(&format!(" ~{m}"), room),
                theme.dim(),
            ));
        }
        let mut line = Line::from(spans);
        if i == s.pos.selected {
            line = line.style(theme.selected(focused));
        }
        lines.push(line);
    }
    if !full.is_empty() {
        let body = inner.height as usize;
        while lines.len() + full.len() < body {
            lines.push(Line::raw(""));
        }
        for l in full {
            lines.push(Line::styled(l, theme.title()));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
