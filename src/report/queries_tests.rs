//! Query metrics on a hand-built set whose answers were worked out by hand (see each comment).
use super::*;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn q(
    id: i64,
    provider: &str,
    who: &str,
    status: QueryStatus,
    outcome: Option<Outcome>,
    sent: Option<&str>,
    answered: Option<&str>,
) -> QueryFact {
    QueryFact {
        id,
        provider: provider.into(),
        specialist: who.into(),
        status,
        outcome,
        sent_at: sent.map(t),
        answered_at: answered.map(t),
        drg: None,
    }
}

fn r(enc: i64, login: &str, attending: &str, at: &str) -> Review {
    Review {
        encounter_id: enc,
        login: login.into(),
        attending: attending.into(),
        at: t(at),
    }
}

fn set() -> (Vec<QueryFact>, Vec<Review>) {
    use Outcome::*;
    use QueryStatus as S;
    let facts = vec![
        // 12 h, agreed, later closed.
        q(
            1,
            "Dr. A",
            "carol",
            S::Closed,
            Some(Agreed),
            Some("2026-01-10T00:00:00Z"),
            Some("2026-01-10T12:00:00Z"),
        ),
        // 24 h, disagreed.
        q(
            2,
            "Dr. A",
            "carol",
            S::Answered,
            Some(Disagreed),
            Some("2026-01-11T00:00:00Z"),
            Some("2026-01-12T00:00:00Z"),
        ),
        // Sent, then canceled: counts in the query rate, not in the response rate.
        q(
            3,
            "Dr. B",
            "carol",
            S::Canceled,
            None,
            Some("2026-01-15T00:00:00Z"),
            None,
        ),
        // No-response closure: sent and not answered.
        q(
            4,
            "dr. b",
            "carol",
            S::Closed,
            Some(NoResponse),
            Some("2026-01-20T00:00:00Z"),
            None,
        ),
        // 48 h, agreed.
        q(
            5,
            "Dr. B",
            "dave",
            S::Answered,
            Some(Agreed),
            Some("2026-02-02T00:00:00Z"),
            Some("2026-02-04T00:00:00Z"),
        ),
        // 6 h, clinically undetermined.
        q(
            6,
            "Dr. A",
            "carol",
            S::Closed,
            Some(ClinicallyUndetermined),
            Some("2026-02-10T00:00:00Z"),
            Some("2026-02-10T06:00:00Z"),
        ),
        // Still open.
        q(
            7,
            "Dr. B",
            "dave",
            S::Open,
            None,
            Some("2026-02-20T00:00:00Z"),
            None,
        ),
        // A draft never sent: not counted anywhere.
        q(8, "Dr. A", "carol", S::Draft, None, None, None),
        // Sent before the period.
        q(
            9,
            "Dr. A",
            "carol",
            S::Answered,
            Some(Agreed),
            Some("2025-12-30T00:00:00Z"),
            Some("2025-12-30T01:00:00Z"),
        ),
    ];
    let reviews = vec![
        r(1, "carol", "Dr. A", "2026-01-05T09:00:00Z"),
        r(1, "carol", "Dr. A", "2026-01-06T09:00:00Z"), // the same encounter again
        r(2, "carol", "Dr. A", "2026-01-07T09:00:00Z"),
        r(3, "carol", "Dr. B", "2026-01-08T09:00:00Z"),
        r(4, "carol", "Dr. B", "2026-01-09T09:00:00Z"),
        r(5, "dave", "Dr. B", "2026-02-01T09:00:00Z"),
        r(6, "dave", "Dr. B", "2026-02-01T10:00:00Z"),
        r(7, "carol", "Dr. A", "2026-02-09T09:00:00Z"),
        r(9, "carol", "Dr. C", "2026-02-11T09:00:00Z"),
        r(8, "carol", "Dr. A", "2026-03-05T09:00:00Z"), // after the period
    ];
    (facts, reviews)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

fn find<'a>(v: &'a [QueryFigures], key: &str) -> &'a QueryFigures {
    v.iter()
        .find(|f| f.key.eq_ignore_ascii_case(key))
        .unwrap_or_else(|| panic!("no group {key}: {v:?}"))
}

#[test]
fn overall_figures() {
    let (facts, reviews) = set();
    let m = query_metrics(
        &facts,
        &reviews,
        t("2026-01-01T00:00:00Z"),
        t("2026-03-01T00:00:00Z"),
    );
    let o = &m.overall;
    // Encounters 1-7 and 9 reviewed; queries 1-7 sent.
    assert_eq!((o.reviewed, o.sent, o.canceled), (8, 7, 1));
    assert!(close(o.query_rate, 7.0 / 8.0), "{o:?}");
    assert_eq!((o.answered, o.no_response), (4, 1));
    assert!(close(o.response_rate, 4.0 / 6.0));
    // Turnarounds 12, 24, 48, 6 h: median (12 + 24) / 2, mean 90 / 4.
    assert!(close(o.median_turnaround_hours, 18.0));
    assert!(close(o.mean_turnaround_hours, 22.5));
    assert_eq!((o.agreed, o.disagreed, o.undetermined), (2, 1, 1));
    assert!(close(o.agreement_rate, 0.5));
}

#[test]
fn by_provider() {
    let (facts, reviews) = set();
    let m = query_metrics(
        &facts,
        &reviews,
        t("2026-01-01T00:00:00Z"),
        t("2026-03-01T00:00:00Z"),
    );
    assert_eq!(m.by_provider.len(), 3);
    let a = find(&m.by_provider, "Dr. A");
    // Queries 1, 2, 6 over encounters 1, 2, 7.
    assert_eq!((a.sent, a.reviewed, a.answered), (3, 3, 3));
    assert!(close(a.query_rate, 1.0) && close(a.response_rate, 1.0));
    assert!(close(a.median_turnaround_hours, 12.0) && close(a.mean_turnaround_hours, 14.0));
    assert!(close(a.agreement_rate, 1.0 / 3.0));
    // "dr. b" and "Dr. B" are one provider: queries 3, 4, 5, 7 over encounters 3-6.
    let b = find(&m.by_provider, "Dr. B");
    assert_eq!(
        (b.sent, b.reviewed, b.canceled, b.no_response),
        (4, 4, 1, 1)
    );
    assert!(close(b.response_rate, 1.0 / 3.0));
    assert!(close(b.median_turnaround_hours, 48.0));
    assert!(close(b.agreement_rate, 1.0));
    // Reviewed without a query: rate 0, no response figures.
    let c = find(&m.by_provider, "Dr. C");
    assert!(close(c.query_rate, 0.0));
    assert_eq!(c.response_rate, None);
    assert_eq!(c.median_turnaround_hours, None);
}

#[test]
fn by_specialist_and_month() {
    let (facts, reviews) = set();
    let m = query_metrics(
        &facts,
        &reviews,
        t("2026-01-01T00:00:00Z"),
        t("2026-03-01T00:00:00Z"),
    );
    let carol = find(&m.by_specialist, "carol");
    // Queries 1, 2, 3, 4, 6 over encounters 1, 2, 3, 4, 7, 9.
    assert_eq!((carol.sent, carol.reviewed), (5, 6));
    assert!(close(carol.query_rate, 5.0 / 6.0));
    assert!(close(carol.response_rate, 3.0 / 4.0));
    let dave = find(&m.by_specialist, "dave");
    assert!(close(dave.response_rate, 0.5) && close(dave.agreement_rate, 1.0));

    let keys: Vec<&str> = m.by_month.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["2026-01", "2026-02"]);
    let jan = &m.by_month[0];
    assert_eq!((jan.sent, jan.reviewed, jan.answered), (4, 4, 2));
    assert!(close(jan.response_rate, 2.0 / 3.0) && close(jan.median_turnaround_hours, 18.0));
    let feb = &m.by_month[1];
    // Queries 5, 6, 7 over encounters 5, 6, 7, 9; turnarounds 48 and 6.
    assert!(close(feb.query_rate, 0.75));
    assert!(close(feb.median_turnaround_hours, 27.0) && close(feb.agreement_rate, 0.5));
}

#[test]
fn empty_and_median() {
    let m = query_metrics(
        &[],
        &[],
        t("2026-01-01T00:00:00Z"),
        t("2026-02-01T00:00:00Z"),
    );
    assert_eq!(m.overall.query_rate, None);
    assert!(m.by_month.is_empty());
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
}
