//! The working MS-DRG on the encounter screen: one line under the codes ("DRG 871 Septicemia … ·
//! 1.9073 · MCC N17.9") and the explanation panel (principal → MDC → medical/surgical → DRG, the
//! CC/MCC that counted, those not counted and why, HAC effects). Pure: a view in, lines out.
use crate::domain::CodeSystem;
use crate::domain::code::display_code;
use crate::grouper::{DrgType, Level, ReturnCode};
use crate::service::DrgView;
use crate::tui::widgets::text;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Text from the database or the tables made safe for a cell: control characters become '?'.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn dotted(code: &str) -> String {
    safe(&display_code(CodeSystem::Icd10Cm, code))
}

/// "MCC N17.9, I50.21; CC E87.1" or "no CC/MCC"; `short` keeps only the first code of each level
/// with a "+n" count.
fn counted_text(view: &DrgView, short: bool) -> String {
    let part = |label: &str, codes: &[String]| -> Option<String> {
        let first = codes.first()?;
        Some(if short && codes.len() > 1 {
            format!("{label} {} +{}", dotted(first), codes.len() - 1)
        } else {
            let all: Vec<String> = codes.iter().map(|c| dotted(c)).collect();
            format!("{label} {}", all.join(", "))
        })
    };
    let g = &view.grouping;
    let parts: Vec<String> = [part("MCC", &g.mcc), part("CC", &g.cc)]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        "no CC/MCC".into()
    } else {
        parts.join("; ")
    }
}

/// The most severe counted code alone: "MCC I50.21 +2" (2 more CC/MCC counted).
fn first_counted(view: &DrgView) -> Option<String> {
    let g = &view.grouping;
    let (label, first) = match (g.mcc.first(), g.cc.first()) {
        (Some(m), _) => ("MCC", m),
        (None, Some(c)) => ("CC", c),
        (None, None) => return None,
    };
    let more = g.mcc.len() + g.cc.len() - 1;
    Some(if more > 0 {
        format!("{label} {} +{more}", dotted(first))
    } else {
        format!("{label} {}", dotted(first))
    })
}

fn label(view: &DrgView) -> &'static str {
    if view.stored.is_some() {
        "Final DRG"
    } else {
        "DRG"
    }
}

/// One line: "DRG 871 Septicemia w/o MV >96h w MCC · 1.9073 · MCC N17.9". The title gives way
/// first, then the CC/MCC list is shortened, then dropped.
pub fn drg_summary_line(view: &DrgView, width: usize) -> Line<'static> {
    let g = &view.grouping;
    let head = format!("{} {:03} ", label(view), g.drg);
    let weight = format!(" · {:.4}", g.weight);
    let tail_for = |counts: Option<String>| match counts {
        Some(c) => format!("{weight} · {c}"),
        None => weight.clone(),
    };
    let extra = if g.return_code != ReturnCode::Ok {
        Some(format!("ungroupable: {}", return_text(g.return_code)))
    } else {
        None
    };
    const MIN_TITLE: usize = 8;
    let room = |tail: &str| width.saturating_sub(text::width(&head) + text::width(tail));
    let mut tail = tail_for(extra.clone().or_else(|| Some(counted_text(view, false))));
    if room(&tail) < MIN_TITLE && extra.is_none() {
        tail = tail_for(Some(counted_text(view, true)));
    }
    if room(&tail) < MIN_TITLE && extra.is_none() {
        tail = tail_for(first_counted(view));
    }
    if room(&tail) < MIN_TITLE {
        tail = tail_for(None);
    }
    // No room for a useful title: the number and weight alone ("DRG 872 · 1.0233").
    let (head, title) = if room(&tail) < MIN_TITLE {
        (head.trim_end().to_string(), String::new())
    } else {
        let r = room(&tail);
        (head, text::truncate(&safe(&g.title), r))
    };
    let line = Line::from(vec![
        Span::styled(head, Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(title),
        Span::raw(tail),
    ]);
    fit_line(line, width)
}

/// Cuts a line's spans to `width` cells.
fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    let mut left = width;
    let mut spans = Vec::new();
    for s in line.spans {
        if left == 0 {
            break;
        }
        let t = text::truncate(&s.content, left);
        left = left.saturating_sub(text::width(&t));
        spans.push(Span::styled(t, s.style));
    }
    Line::from(spans)
}

fn return_text(rc: ReturnCode) -> &'static str {
    match rc {
        ReturnCode::Ok => "ok",
        ReturnCode::InvalidPdx => "the principal is not a valid ICD-10-CM code",
        ReturnCode::DxCannotBePdx => "this diagnosis cannot be principal",
        ReturnCode::HacMissingOnePoa => "a HAC-list diagnosis has no POA (blank or 1)",
    }
}

fn kind(t: DrgType) -> &'static str {
    match t {
        DrgType::Medical => "medical",
        DrgType::Surgical => "surgical",
        DrgType::Ungroupable => "ungroupable",
    }
}

fn heading(s: &str) -> Line<'static> {
    Line::from(Span::styled(
        s.to_string(),
        Style::default().add_modifier(Modifier::BOLD),
    ))
}

/// Word-wrapped lines, the first after `first`, the rest indented by `indent` spaces.
fn wrapped(out: &mut Vec<Line<'static>>, first: &str, body: &str, indent: usize, width: usize) {
    let w = width.saturating_sub(indent).max(8);
    let full = format!("{first}{body}");
    for (i, l) in text::wrap(&full, w).into_iter().enumerate() {
        let pad = if i == 0 { 0 } else { indent };
        out.push(Line::from(format!("{}{l}", " ".repeat(pad))));
    }
}

/// The DRG panel: what the DRG is, how the grouper got there, what counted and what did not.
pub fn drg_panel_lines(view: &DrgView, width: usize) -> Vec<Line<'static>> {
    let g = &view.grouping;
    let c = &view.claim;
    let mut out = Vec::new();
    wrapped(
        &mut out,
        &format!("{} {:03} ", label(view), g.drg),
        &safe(&g.title),
        4,
        width,
    );
    out.push(Line::from(format!(
        "Weight {:.4} · GMLOS {:.1} · AMLOS {:.1} · MDC {:02} · {} · MS-DRG {}",
        g.weight,
        g.gmlos,
        g.amlos,
        g.mdc,
        kind(g.drg_type),
        g.version
    )));
    if g.return_code != ReturnCode::Ok {
        wrapped(
            &mut out,
            "Ungroupable: ",
            return_text(g.return_code),
            2,
            width,
        );
    }
    out.push(Line::from(""));
    out.push(heading("Path"));
    let mdc = if g.mdc == 0 {
        "no MDC".to_string()
    } else {
        format!("MDC {:02}", g.mdc)
    };
    wrapped(
        &mut out,
        "  ",
        &format!(
            "principal {} → {mdc} → {} → DRG {:03}",
            dotted(&c.pdx),
            kind(g.drg_type),
            g.drg
        ),
        4,
        width,
    );
    for p in &g.path {
        wrapped(&mut out, "  · ", &safe(p), 4, width);
    }
    if !c.procs.is_empty() {
        let procs: Vec<String> = c.procs.iter().map(|p| safe(p)).collect();
        wrapped(&mut out, "  procedures: ", &procs.join(", "), 4, width);
    }
    out.push(Line::from(""));
    out.push(heading("CC/MCC that count"));
    if g.mcc.is_empty() && g.cc.is_empty() {
        out.push(Line::from("  none"));
    }
    for (lvl, codes) in [("MCC", &g.mcc), ("CC", &g.cc)] {
        for code in codes {
            out.push(Line::from(format!("  {lvl:<3} {}", dotted(code))));
        }
    }
    if !g.excluded.is_empty() {
        out.push(Line::from(""));
        out.push(heading("Not counted"));
        for e in &g.excluded {
            let lvl = if e.level == Level::Mcc { "MCC" } else { "CC" };
            wrapped(
                &mut out,
                &format!("  {lvl:<3} {}: ", dotted(&e.code)),
                &e.reason.as_str(),
                6,
                width,
            );
        }
    }
    if !g.hac.is_empty() || g.initial_drg != g.drg {
        out.push(Line::from(""));
        out.push(heading("HAC"));
        for (code, n) in &g.hac {
            wrapped(
                &mut out,
                &format!("  HAC {n:02} {}: ", dotted(code)),
                "not present on admission",
                6,
                width,
            );
        }
        if g.initial_drg != g.drg {
            out.push(Line::from(format!(
                "  DRG {:03} before the HAC step, {:03} after",
                g.initial_drg, g.drg
            )));
        }
    }
    if let Some(s) = &view.stored
        && (s.drg != g.drg || s.weight_e4 != crate::store::drg::weight_e4(g.weight))
    {
        out.push(Line::from(""));
        wrapped(
            &mut out,
            "Stored at coding: ",
            &format!(
                "DRG {:03} ({}), now regroups to {:03}",
                s.drg,
                safe(&s.grouper),
                g.drg
            ),
            2,
            width,
        );
    }
    let mut notes = view.notes.clone();
    notes.push(format!(
        "discharge status {}{}",
        safe(&c.discharge_status),
        if view.status_assumed {
            " (assumed)"
        } else {
            ""
        }
    ));
    out.push(Line::from(""));
    for n in notes {
        wrapped(&mut out, "note: ", &safe(&n), 6, width);
    }
    out.into_iter().map(|l| fit_line(l, width)).collect()
}

/// The panel over the encounter's body (`g`), scrolled to `enc.drg_scroll`.
pub fn draw_panel(
    enc: &crate::tui::state::EncounterState,
    frame: &mut Frame,
    body: Rect,
    theme: &crate::tui::theme::Theme,
) {
    let Some(view) = enc.drg.as_ref() else {
        return;
    };
    let w = body.width.min(100).saturating_sub(4) as usize;
    let lines = drg_panel_lines(view, w.max(20));
    let area = crate::tui::layout::centered(
        body,
        100,
        (lines.len().min(500) as u16).saturating_add(2).max(5),
    );
    let title = format!("MS-DRG {} (g Esc close)", view.account);
    let inner = crate::tui::widgets::popup(
        frame,
        area,
        &text::truncate(&safe(&title), area.width.saturating_sub(4) as usize),
        theme,
    );
    let h = inner.height as usize;
    let start = enc.drg_scroll.min(lines.len().saturating_sub(h));
    let shown: Vec<Line> = lines.into_iter().skip(start).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grouper::{self, Claim, Options, Secondary, Sex};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    fn view(pdx: &str, sdx: &[(&str, char)], status: &str) -> DrgView {
        let claim = Claim {
            age: 70,
            sex: Sex::Male,
            discharge_status: status.into(),
            pdx: pdx.into(),
            sdx: sdx
                .iter()
                .map(|(c, p)| Secondary {
                    code: (*c).into(),
                    poa: Some(*p),
                })
                .collect(),
            procs: Vec::new(),
        };
        let t = grouper::tables().expect("tables");
        DrgView {
            encounter_id: 1,
            account: "A1".into(),
            grouping: grouper::group(t, &claim, &Options::default()),
            claim,
            status_assumed: status == "01",
            notes: Vec::new(),
            stored: None,
        }
    }

    fn plain(l: &Line<'_>) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn summary_line_names_drg_weight_and_the_mcc() {
        let v = view("A41.9", &[("N17.9", 'Y'), ("I50.21", 'Y')], "01");
        let s = plain(&drg_summary_line(&v, 120));
        assert!(s.starts_with("DRG 871 Septicemia"), "{s}");
        assert!(
            s.contains(&format!(" · {:.4} · ", v.grouping.weight)),
            "{s}"
        );
        assert!(s.ends_with("MCC I50.21; CC N17.9"), "{s}");
        // Narrow: the title gives way, then the list shortens; never wider than asked.
        for w in [80, 50, 30, 12] {
            let s = plain(&drg_summary_line(&v, w));
            assert!(text::width(&s) <= w, "{w}: {s}");
            assert!(s.starts_with("DRG 871"), "{w}: {s}");
        }
        let s = plain(&drg_summary_line(&v, 50));
        assert!(s.ends_with("· MCC I50.21; CC N17.9"), "{s}");
        let s = plain(&drg_summary_line(&v, 42));
        assert!(s.ends_with("· MCC I50.21 +1"), "{s}");
        let none = view("K35.80", &[], "01");
        assert!(plain(&drg_summary_line(&none, 100)).ends_with("no CC/MCC"));
    }

    #[test]
    fn summary_line_says_ungroupable_and_final() {
        let mut v = view("V00.01XA", &[], "01");
        let s = plain(&drg_summary_line(&v, 120));
        assert!(s.starts_with("DRG 999"), "{s}");
        assert!(s.contains("cannot be principal"), "{s}");
        v.stored = Some(crate::store::drg::FinalDrg {
            encounter_id: 1,
            drg: 999,
            weight_e4: 0,
            mdc: 0,
            drg_type: String::new(),
            severity: String::new(),
            has_cc_codes: false,
            principal: "V0001XA".into(),
            discharge_status: "01".into(),
            grouper: "v43.1".into(),
            grouped_by: "ann".into(),
            grouped_at: "2026-12-01T00:00:00.000Z".into(),
        });
        assert!(plain(&drg_summary_line(&v, 120)).starts_with("Final DRG 999"));
    }

    #[test]
    fn panel_explains_path_exclusions_and_hac() {
        // A fall injury not present on admission: HAC 05 takes its CC away (393 -> 395).
        let v = view("K35.80", &[("S72.001A", 'N')], "01");
        let lines: Vec<String> = drg_panel_lines(&v, 60).iter().map(plain).collect();
        let all = lines.join("\n");
        assert!(
            all.contains("principal K35.80 → MDC 06 → medical → DRG 395"),
            "{all}"
        );
        assert!(all.contains("HAC 05 S72.001A"), "{all}");
        assert!(
            all.contains("DRG 393 before the HAC step, 395 after"),
            "{all}"
        );
        assert!(all.contains("discharge status 01 (assumed)"), "{all}");
        assert!(lines.iter().all(|l| text::width(l) <= 60), "{all}");
        // An MCC the principal excludes is listed as not counted, with the reason.
        let v = view("I50.21", &[("I50.23", 'Y')], "01");
        let all: String = drg_panel_lines(&v, 80)
            .iter()
            .map(plain)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(all.contains("Not counted"), "{all}");
        assert!(all.contains("I50.23: excluded by the principal"), "{all}");
    }

    #[test]
    fn panel_draws_on_a_test_backend() {
        let v = view("A41.9", &[("N17.9", 'Y'), ("I50.21", 'Y')], "20");
        let mut term = Terminal::new(TestBackend::new(40, 30)).expect("terminal");
        term.draw(|f| {
            let lines = drg_panel_lines(&v, 40);
            f.render_widget(Paragraph::new(lines), f.area());
        })
        .expect("draw");
        let buf = term.backend().buffer();
        let rows: Vec<String> = (0..30)
            .map(|y| (0..40).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect();
        assert!(rows[0].starts_with("DRG 871 Septicemia"), "{rows:?}");
        assert!(
            rows.iter().any(|r| r.trim_end() == "  MCC I50.21"),
            "{rows:?}"
        );
        assert!(rows.iter().any(|r| r.contains("discharge status 20")));
        assert!(
            !rows
                .iter()
                .any(|r| r.contains("(assumed)") && r.contains(" 20"))
        );
    }
}
