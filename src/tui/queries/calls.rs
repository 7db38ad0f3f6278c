//! The service calls the query screens make, converting the service's rows into the screens' own
//! (`views`). The one place that knows the query service's API.
use crate::domain::query::{Outcome, QueryTemplate};
use crate::service::Service;
use crate::tui::queries::views::{QueryCard, QueueRow};
use anyhow::{Result, bail};

fn missing<T>() -> Result<T> {
    bail!("documentation queries are not available in this build")
}

/// The encounter's queries, newest first.
pub fn encounter_queries(_s: &mut Service, _enc: i64) -> Result<Vec<QueueRow>> {
    missing()
}

/// The queries this user may see (the service decides which).
pub fn queue(_s: &mut Service) -> Result<Vec<QueueRow>> {
    missing()
}

pub fn card(_s: &mut Service, _id: i64) -> Result<QueryCard> {
    missing()
}

pub fn templates(_s: &mut Service) -> Result<Vec<QueryTemplate>> {
    missing()
}

/// A new draft on the encounter (addressed to the attending); its id.
pub fn create_draft(_s: &mut Service, _enc: i64, _template: Option<&str>) -> Result<i64> {
    missing()
}

pub fn save_draft(_s: &mut Service, _c: &QueryCard) -> Result<()> {
    missing()
}

/// Pins characters `start..end` of a note; the number of indicators the query now has.
pub fn pin(_s: &mut Service, _q: i64, _note: i64, _start: i64, _end: i64) -> Result<usize> {
    missing()
}

pub fn unpin(_s: &mut Service, _q: i64, _indicator: i64) -> Result<()> {
    missing()
}

pub fn send(_s: &mut Service, _q: i64) -> Result<()> {
    missing()
}

pub fn answer(_s: &mut Service, _q: i64, _o: Outcome, _text: &str) -> Result<()> {
    missing()
}

pub fn close(_s: &mut Service, _q: i64) -> Result<()> {
    missing()
}

pub fn cancel(_s: &mut Service, _q: i64, _reason: &str) -> Result<()> {
    missing()
}
