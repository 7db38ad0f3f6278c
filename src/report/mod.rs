//! Supervisor figures (throughput, backlog, queries, accuracy): pure functions over rows the store
//! reads, so every metric can be tested on a hand-built event set with known answers.
pub mod accuracy;
pub mod activity;
pub mod backlog;
pub mod drg;
pub mod queries;
pub mod throughput;

use chrono::NaiveDate;

/// Days in the default period of every report, the dashboard and `query metrics`.
pub const DEFAULT_DAYS: u64 = 30;

/// A report period as inclusive days: `--from`/`--to` where given, else the [`DEFAULT_DAYS`] up to
/// `--to` (default: `today`). One rule for every command, so their figures agree.
pub fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| {
        to.checked_sub_days(chrono::Days::new(DEFAULT_DAYS - 1))
            .unwrap_or(to)
    });
    (from, to)
}

#[cfg(test)]
mod period_tests {
    use super::period;
    use chrono::NaiveDate;

    #[test]
    fn the_default_period_is_the_thirty_days_up_to_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-12-05");
        assert_eq!(period(None, None, today), (d("2026-11-06"), today));
        assert_eq!(
            period(None, Some(d("2026-03-31")), today),
            (d("2026-03-02"), d("2026-03-31"))
        );
        assert_eq!(
            period(Some(d("2026-01-01")), None, today),
            (d("2026-01-01"), today)
        );
    }
}
