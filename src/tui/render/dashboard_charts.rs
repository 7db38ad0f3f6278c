//! The dashboard's charts, sized to whatever room they get: coded-per-hour bars with their values in
//! a text line under the bars (never inside them, where neighbours merge), a daily sparkline
//! stretched to the full width where any non-zero day shows, the per-coder table, and titles that
//! shorten instead of being cut mid-figure.
use crate::report::throughput::ThroughputReport;
use crate::tui::state::type_abbrev;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph, Sparkline};

/// The first title that fits a pane `width` columns wide (borders included); the last one clipped
/// if none does.
pub(super) fn fit_title(candidates: &[String], width: u16) -> String {
    let room = (width as usize).saturating_sub(2);
    candidates
        .iter()
        .find(|t| text::width(t) <= room)
        .cloned()
        .or_else(|| candidates.last().map(|t| text::truncate(t, room)))
        .unwrap_or_default()
}

/// `items` joined by two spaces, packed greedily into lines at most `width` wide.
pub(super) fn pack(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for it in items {
        match lines.last_mut() {
            Some(l) if text::width(l) + 2 + text::width(it) <= width => {
                l.push_str("  ");
                l.push_str(it);
            }
            _ => lines.push(text::truncate(it, width)),
        }
    }
    lines
}

/// Coded per hour by type, actual bar next to the standard; the figures ("IP 2.8/3") are listed
/// under the bars.
pub(super) fn rate_chart(tp: &ThroughputReport, frame: &mut Frame, area: Rect, theme: &Theme) {
    let title = fit_title(
        &[
            " Coded/hour by type: actual | standard ".into(),
            " Coded/hour: actual | standard ".into(),
            " Coded/hour ".into(),
        ],
        area.width,
    );
    let block = widgets::pane(title, false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let items: Vec<String> = tp
        .by_type
        .iter()
        .map(|t| {
            format!(
                "{} {}/{}",
                type_abbrev(t.enc_type),
                t.per_hour
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_else(|| "-".into()),
                fmt_standard(t.standard)
            )
        })
        .collect();
    let values = pack(&items, inner.width as usize);
    let value_h = (values.len() as u16).min(inner.height.saturating_sub(2));
    let [bars_area, values_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(value_h)]).areas(inner);
    let groups = tp.by_type.len().max(1) as u16;
    let group_gap = 2;
    // Two bars per group; as wide as the room allows, 1 to 4 columns, and at least wide enough for
    // the three-letter type labels under each group.
    let bar_w = (inner
        .width
        .saturating_sub(group_gap * groups.saturating_sub(1))
        / (2 * groups))
        .clamp(1, 4);
    let mut chart = BarChart::default()
        .bar_width(bar_w)
        .bar_gap(0)
        .group_gap(group_gap);
    for t in &tp.by_type {
        let actual = t.per_hour.unwrap_or(0.0);
        let bars = [
            Bar::new((actual * 10.0).round() as u64)
                .text_value("")
                .style(theme.accent()),
            Bar::new((t.standard * 10.0).round() as u64)
                .text_value("")
                .style(theme.dim()),
        ];
        chart = chart.data(BarGroup::new(bars).label(Line::from(type_abbrev(t.enc_type))));
    }
    frame.render_widget(chart, bars_area);
    let lines: Vec<Line> = values.into_iter().map(Line::raw).collect();
    frame.render_widget(Paragraph::new(lines), values_area);
}

/// A standard without a useless ".0".
fn fmt_standard(s: f64) -> String {
    if (s - s.round()).abs() < 0.05 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// The sparkline's columns for `width`: the last `width` days when there are more days than
/// columns, otherwise every day stretched over the full width (column `c` shows day
/// `c * days / width`). Non-zero days are raised to at least one eighth of a block so a day with
/// one coded encounter never draws like a day with none. Returns (columns, max).
pub(super) fn spark_columns(daily: &[u64], width: u16, height: u16) -> (Vec<u64>, u64) {
    let width = width as usize;
    let days = if daily.len() > width {
        &daily[daily.len() - width..]
    } else {
        daily
    };
    let max = days.iter().copied().max().unwrap_or(0);
    if days.is_empty() || width == 0 {
        return (Vec::new(), max);
    }
    // The sparkline draws value * height * 8 / max eighths, rounding down.
    let ticks = u64::from(height.max(1)) * 8;
    let least = max.div_ceil(ticks).max(1);
    let cols = (0..width)
        .map(|c| days[c * days.len() / width])
        .map(|v| if v > 0 { v.max(least) } else { 0 })
        .collect();
    (cols, max)
}

/// The daily coded sparkline in a pane titled with the total and the busiest day.
pub(super) fn daily_spark(daily: &[u64], days: u32, frame: &mut Frame, area: Rect, theme: &Theme) {
    let max = daily.iter().copied().max().unwrap_or(0);
    let total: u64 = daily.iter().sum();
    let title = fit_title(
        &[
            format!(" Daily coded, last {days} days: {total} (max {max}/day) "),
            format!(" Daily coded, {days} days: {total} "),
            format!(" Daily: {total} "),
        ],
        area.width,
    );
    let block = widgets::pane(title, false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (cols, max) = spark_columns(daily, inner.width, inner.height);
    frame.render_widget(
        Sparkline::default()
            .data(&cols)
            .max(max.max(1))
            .style(theme.accent()),
        inner,
    );
}

/// Per coder: coded, hours, per hour and per day, with the total.
pub(super) fn coder_table(tp: &ThroughputReport, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = widgets::pane(" Per coder ", false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let rate = |p: Option<f64>| p.map(|p| format!("{p:.1}")).unwrap_or_else(|| "-".into());
    let mut lines = vec![Line::styled(
        text::truncate(
            &format!(
                "{:<10} {:>5} {:>6} {:>5} {:>4}",
                "coder", "coded", "hours", "/h", "/day"
            ),
            w,
        ),
        theme.dim(),
    )];
    for c in &tp.coders {
        lines.push(Line::raw(text::truncate(
            &format!(
                "{:<10} {:>5} {:>6.1} {:>5} {:>4}",
                text::truncate(&c.login, 10),
                c.coded,
                c.hours,
                rate(c.per_hour),
                rate(c.per_day)
            ),
            w,
        )));
    }
    lines.push(Line::styled(
        text::truncate(
            &format!(
                "{:<10} {:>5} {:>6.1} {:>5}",
                "total",
                tp.coded,
                tp.hours,
                rate((tp.hours > 0.0).then(|| tp.coded as f64 / tp.hours))
            ),
            w,
        ),
        theme.heading(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// "label ████ n" lines; `full` fills the width (bars start at zero).
pub(super) fn text_bars<'a>(
    rows: &[(String, u32)],
    full: u32,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let label_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let room = (width as usize).saturating_sub(label_w + 8).max(1);
    rows.iter()
        .map(|(label, n)| {
            let len = if full == 0 {
                0
            } else {
                (*n as usize * room).div_ceil(full as usize).min(room)
            };
            Line::from(vec![
                Span::raw(format!("{label:>label_w$} ")),
                Span::styled("█".repeat(len), theme.accent()),
                Span::raw(format!(" {n}")),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_columns_stretch_to_the_width_and_show_every_nonzero_day() {
        let daily = [0, 1, 40, 0, 2];
        let (cols, max) = spark_columns(&daily, 20, 2);
        assert_eq!(cols.len(), 20);
        assert_eq!(max, 40);
        // 40 / (2 rows * 8) = 2.5: a day needs 3 to draw one eighth.
        assert_eq!(&cols[..8], &[0, 0, 0, 0, 3, 3, 3, 3]);
        assert_eq!(cols[8], 40);
        assert_eq!(cols[19], 3);
        let (cols, _) = spark_columns(&[1; 100], 30, 2);
        assert_eq!(cols.len(), 30, "more days than columns: the last ones");
    }

    #[test]
    fn titles_shorten_instead_of_being_cut() {
        let c = [" long title here ".to_string(), " short ".to_string()];
        assert_eq!(fit_title(&c, 19), " long title here ");
        assert_eq!(fit_title(&c, 18), " short ");
        assert_eq!(
            pack(&["ab".into(), "cd".into(), "ef".into()], 6),
            ["ab  cd", "ef"]
        );
    }
}
