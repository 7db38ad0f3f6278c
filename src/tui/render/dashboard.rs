//! The dashboard screen: throughput bars against standards, a 30-day sparkline, time in chart,
//! backlog age bars with the oldest encounters, and accuracy per coder. Small windows show one page
//! at a time (Tab); large ones show every panel side by side.
use crate::report::backlog::{AGE_BUCKETS, dollars};
use crate::tui::dashboard::{DashboardState, PAGES, SPARK_DAYS};
use crate::tui::state::{State, type_abbrev};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text};
use charts::text_bars;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[path = "dashboard_charts.rs"]
mod charts;

/// Windows at least this big show all three pages at once.
pub const WIDE: (u16, u16) = (150, 36);

/// Width of the per-coder table with its borders.
const CODER_TABLE_W: u16 = 36;

/// Draws the dashboard; returns the status and footer lines.
pub fn draw(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) -> (Rect, Rect) {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let Some(d) = &state.dashboard else {
        frame.render_widget(Paragraph::new("dashboard not loaded: press r"), body);
        return (status, footer);
    };
    let wide = area.width >= WIDE.0 && area.height >= WIDE.1;
    draw_header(d, frame, header, theme, wide);
    if wide {
        let [a, b, c] = Layout::horizontal([
            Constraint::Percentage(36),
            Constraint::Percentage(34),
            Constraint::Percentage(30),
        ])
        .areas(body);
        throughput(d, frame, a, theme);
        backlog(d, frame, b, theme);
        quality(d, frame, c, theme);
    } else {
        match d.page {
            0 => throughput(d, frame, body, theme),
            1 => backlog(d, frame, body, theme),
            _ => quality(d, frame, body, theme),
        }
    }
    (status, footer)
}

fn draw_header(d: &DashboardState, frame: &mut Frame, area: Rect, theme: &Theme, wide: bool) {
    let who = if d.own_only {
        "your figures".to_string()
    } else {
        format!("team {}", d.team.as_deref().unwrap_or("all"))
    };
    let mut spans = vec![
        Span::styled("Dashboard", theme.heading()),
        Span::raw(if wide {
            format!("  {} days {}..{}  {who}", d.range_days, d.from(), d.to)
        } else {
            format!(
                " {}d {}..{} {who}",
                d.range_days,
                d.from().format("%m-%d"),
                d.to.format("%m-%d")
            )
        }),
    ];
    if !wide {
        spans.push(Span::raw(" "));
        for (i, p) in PAGES.iter().enumerate() {
            let label = format!(" {} {p} ", i + 1);
            let style = if i == d.page {
                theme.selected(true)
            } else {
                theme.dim()
            };
            spans.push(Span::styled(label, style));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn throughput(d: &DashboardState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(tp) = &d.throughput else {
        frame.render_widget(Paragraph::new("no throughput figures"), area);
        return;
    };
    let tic_rows = tp.time_in_chart.len() as u16 + 2;
    // Per coder goes beside the chart when there is room, else under it (when tall enough).
    let coder_rows = tp.coders.len() as u16 + 4;
    // The table is 36 columns with borders; the chart's full title needs 41.
    let beside = area.width >= 41 + CODER_TABLE_W;
    let under = !beside && area.height >= 8 + coder_rows + 4 + 3;
    let extra = if under { coder_rows } else { 0 };
    let chart_h = area
        .height
        .saturating_sub(4 + tic_rows + extra)
        .clamp(if under { 8 } else { 6 }, 16);
    let [top, spark, tic] = Layout::vertical([
        Constraint::Length(chart_h + extra),
        Constraint::Length(4),
        Constraint::Min(0),
    ])
    .areas(area);
    let (chart_area, coders_area) = if beside {
        let [a, b] =
            Layout::horizontal([Constraint::Min(41), Constraint::Length(CODER_TABLE_W)]).areas(top);
        (a, Some(b))
    } else if under {
        let [a, b] = Layout::vertical([Constraint::Length(chart_h), Constraint::Min(0)]).areas(top);
        (a, Some(b))
    } else {
        (top, None)
    };
    charts::rate_chart(tp, frame, chart_area, theme);
    if let Some(area) = coders_area {
        charts::coder_table(tp, frame, area, theme);
    }
    let series = d.spark.as_ref().unwrap_or(tp);
    let data: Vec<u64> = series.daily.iter().map(|x| x.coded as u64).collect();
    charts::daily_spark(&data, SPARK_DAYS, frame, spark, theme);

    if tic.height >= 3 {
        let need = tp.time_in_chart.len() as u16 + 2;
        let (tic, by_type) = if tic.height >= need + 5 {
            let [a, b] =
                Layout::vertical([Constraint::Length(need), Constraint::Min(0)]).areas(tic);
            (a, Some(b))
        } else {
            (tic, None)
        };
        if let Some(area) = by_type {
            coder_types(tp, frame, area, theme);
        }
        let block = widgets::pane(" Time in chart (first open to coded) ", false, theme);
        let inner = block.inner(tic);
        frame.render_widget(block, tic);
        let most = tp.time_in_chart.iter().map(|x| x.1).max().unwrap_or(0);
        frame.render_widget(
            Paragraph::new(text_bars(&tp.time_in_chart, most, inner.width, theme)),
            inner,
        );
    }
}

/// Each coder's rate by encounter type against the standard (large windows).
fn coder_types(
    tp: &crate::report::throughput::ThroughputReport,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let block = widgets::pane(" Per coder and type: per hour (of standard) ", false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    for c in &tp.coders {
        let parts: Vec<String> = c
            .by_type
            .iter()
            .map(|t| {
                format!(
                    "{} {} ({})",
                    type_abbrev(t.enc_type),
                    t.per_hour
                        .map(|p| format!("{p:.1}"))
                        .unwrap_or_else(|| "-".into()),
                    t.of_standard
                        .map(|p| format!("{:.0}%", p * 100.0))
                        .unwrap_or_else(|| "-".into())
                )
            })
            .collect();
        let text = if parts.is_empty() {
            "no coding in range".to_string()
        } else {
            parts.join("  ")
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<10} ", text::truncate(&c.login, 10)),
                theme.key(),
            ),
            Span::raw(text::truncate(&text, w.saturating_sub(11))),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn backlog(d: &DashboardState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(b) = &d.backlog else {
        frame.render_widget(Paragraph::new("no backlog figures"), area);
        return;
    };
    let [bars, reasons, list] = Layout::vertical([
        Constraint::Length(AGE_BUCKETS.len() as u16 + 2),
        Constraint::Length(4),
        Constraint::Min(3),
    ])
    .areas(area);
    let (n, money) = (b.total.count(), dollars(b.total.charges()));
    let title = charts::fit_title(
        &[
            format!(" Backlog {}: {n} encounters, {money} ", b.as_of),
            format!(" Backlog {}: {n} enc, {money} ", b.as_of),
            format!(" Backlog {}: {n} encounters ", b.as_of),
            format!(" Backlog: {n} encounters "),
            format!(" Backlog {n} "),
        ],
        bars.width,
    );
    let block = widgets::pane(title, false, theme);
    let inner = block.inner(bars);
    frame.render_widget(block, bars);
    let most = b.total.counts.iter().copied().max().unwrap_or(0);
    let rows: Vec<(String, u32)> = AGE_BUCKETS
        .iter()
        .zip(b.total.counts.iter())
        .map(|((l, _), n)| (format!("{l} days"), *n))
        .collect();
    let mut lines = text_bars(&rows, most, inner.width.saturating_sub(14), theme);
    for (line, c) in lines.iter_mut().zip(b.total.charges_cents.iter()) {
        line.push_span(Span::styled(format!("  {}", dollars(*c)), theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);

    let block = widgets::pane(" By type and pending reason ", false, theme);
    let inner = block.inner(reasons);
    frame.render_widget(block, reasons);
    let types: Vec<String> = b
        .by_type
        .iter()
        .map(|(t, c)| format!("{} {}", type_abbrev(*t), c.count()))
        .collect();
    let why: Vec<String> = b
        .by_reason
        .iter()
        .map(|(r, c)| format!("{} {}", r.label(), c.count()))
        .collect();
    let w = inner.width as usize;
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(text::truncate(&types.join(" · "), w)),
            Line::raw(text::truncate(&why.join(" · "), w)),
        ]),
        inner,
    );

    let block = widgets::pane(" Oldest (Enter opens) ", true, theme);
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let h = inner.height as usize;
    let start = d.oldest.window_start(b.oldest.len(), h);
    let w = inner.width as usize;
    let lines: Vec<Line> = b
        .oldest
        .iter()
        .enumerate()
        .skip(start)
        .take(h)
        .map(|(i, it)| {
            let s = format!(
                "{:<10} {:<3} {:>3}d {:>13} {}",
                it.account,
                type_abbrev(it.enc_type),
                it.age_days,
                dollars(it.charges_cents),
                it.reason.label()
            );
            let style = if i == d.oldest.selected {
                theme.selected(true)
            } else {
                ratatui::style::Style::new()
            };
            Line::styled(text::fit(&s, w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn quality(d: &DashboardState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let [acc_area, q_area] =
        Layout::vertical([Constraint::Percentage(65), Constraint::Min(3)]).areas(area);
    let block = widgets::pane(" Coding accuracy (second-level review) ", false, theme);
    let inner = block.inner(acc_area);
    frame.render_widget(block, acc_area);
    match &d.accuracy {
        None => frame.render_widget(Paragraph::new("no accuracy figures"), inner),
        Some(a) => {
            let mut rows: Vec<(String, u32)> = Vec::new();
            let mut tail: Vec<String> = Vec::new();
            for c in &a.coders {
                match c.accuracy {
                    Some(x) => rows.push((text::truncate(&c.who, 10), (x * 1000.0).round() as u32)),
                    None => tail.push(c.who.clone()),
                }
            }
            let mut lines: Vec<Line> = Vec::new();
            let overall = match a.overall.accuracy {
                Some(x) => format!(
                    "overall {:.1}% in {} reviews ({} errors / {} codes)",
                    x * 100.0,
                    a.overall.reviews,
                    a.overall.errors,
                    a.overall.codes
                ),
                None => "no completed reviews in this range".into(),
            };
            lines.push(Line::styled(
                text::truncate(&overall, inner.width as usize),
                theme.heading(),
            ));
            // Bars from 0 to 100%: a full bar is 100%.
            for (line, (_, v)) in text_bars(&rows, 1000, inner.width.saturating_sub(8), theme)
                .into_iter()
                .zip(rows.iter())
            {
                let mut spans = line.spans;
                spans.pop();
                spans.push(Span::raw(format!(" {:.1}%", *v as f64 / 10.0)));
                lines.push(Line::from(spans));
            }
            for t in &a.teams {
                if let Some(x) = t.accuracy {
                    lines.push(Line::styled(
                        text::truncate(
                            &format!("team {}: {:.1}% ({} reviews)", t.who, x * 100.0, t.reviews),
                            inner.width as usize,
                        ),
                        theme.dim(),
                    ));
                }
            }
            if !tail.is_empty() {
                lines.push(Line::styled(
                    text::truncate(
                        &format!("not reviewed: {}", tail.join(", ")),
                        inner.width as usize,
                    ),
                    theme.dim(),
                ));
            }
            if a.pending_reviews > 0 {
                lines.push(Line::raw(format!("{} reviews pending", a.pending_reviews)));
            }
            if d.own_only {
                lines.push(Line::styled("Reviews of your coding", theme.heading()));
                if d.my_reviews.is_empty() {
                    lines.push(Line::styled("none in this range", theme.dim()));
                }
                for r in d.my_reviews.iter().rev() {
                    let note = if r.status == "done" {
                        r.findings.as_str()
                    } else {
                        "review pending"
                    };
                    lines.push(Line::raw(text::truncate(
                        &format!("{} {}: {note}", r.account, r.enc_type),
                        inner.width as usize,
                    )));
                }
            }
            frame.render_widget(Paragraph::new(lines), inner);
        }
    }
    let block = widgets::pane(" Queries ", false, theme);
    let inner = block.inner(q_area);
    frame.render_widget(block, q_area);
    let w = inner.width as usize;
    let Some(q) = &d.queries else {
        let msg = if d.own_only {
            "query figures: supervisors and admins"
        } else {
            "no query figures"
        };
        frame.render_widget(Paragraph::new(msg), inner);
        return;
    };
    let o = &q.metrics.overall;
    let p = |v: Option<f64>| {
        v.map(|x| format!("{:.0}%", x * 100.0))
            .unwrap_or_else(|| "-".into())
    };
    let mut lines = vec![
        Line::raw(text::truncate(
            &format!(
                "sent {} · rate {} · answered {} · canceled {}",
                o.sent,
                p(o.query_rate),
                o.answered,
                o.canceled
            ),
            w,
        )),
        Line::raw(text::truncate(
            &format!(
                "response {} · agreement {} · turnaround median {} h",
                p(o.response_rate),
                p(o.agreement_rate),
                o.median_turnaround_hours
                    .map(|h| format!("{h:.1}"))
                    .unwrap_or_else(|| "-".into())
            ),
            w,
        )),
        Line::styled(
            text::truncate(&format!("open {} by days since sent:", q.open), w),
            theme.dim(),
        ),
    ];
    let most = q.open_by_age.iter().map(|x| x.1).max().unwrap_or(0);
    lines.extend(text_bars(&q.open_by_age, most, inner.width, theme));
    for s in q.metrics.by_specialist.iter().filter(|s| s.sent > 0) {
        lines.push(Line::styled(
            text::truncate(
                &format!(
                    "{}: sent {}, agreement {}",
                    s.key,
                    s.sent,
                    p(s.agreement_rate)
                ),
                w,
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
