//! Notes search off the UI thread, on the generic latest-wins `tui::worker::Worker` (as code
//! search): a new keystroke overwrites the waiting query. A request also waits until typing has
//! paused for `settle`, so a quickly typed query runs (and is audited) once, not per key.
use crate::service::{NoteOrder, NoteQuery, NoteSearchResult};
use crate::tui::worker::Worker;
use anyhow::Result;
use std::time::{Duration, Instant};

/// How long typing must pause before the search runs.
pub const SETTLE: Duration = Duration::from_millis(120);

/// How many hits the note search screen asks for.
pub const LIMIT: usize = 50;

/// One query for the search thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotesRequest {
    pub generation: u64,
    pub query: String,
    pub order: NoteOrder,
}

impl NotesRequest {
    /// The service query for this request (typing: the last word is a prefix).
    pub fn note_query(&self) -> NoteQuery {
        NoteQuery {
            limit: LIMIT,
            order: self.order,
            encounter: None,
            typing: true,
        }
    }
}

/// What came back for a request.
#[derive(Debug, Clone)]
pub struct NotesOutcome {
    pub request: NotesRequest,
    /// The result, or the error text.
    pub result: Result<NoteSearchResult, String>,
    pub elapsed: Duration,
}

/// Runs one search; the real one is a `NotesSearcher` (audited).
pub type NotesSearchFn = dyn FnMut(&str, &NoteQuery) -> Result<NoteSearchResult> + Send;

/// The note search thread: the generic latest-wins `Worker`, with a settle time.
pub type NotesWorker = Worker<NotesRequest, NotesOutcome>;

impl Worker<NotesRequest, NotesOutcome> {
    /// Starts the notes search thread; a request runs once typing has paused for `settle`.
    pub fn start(mut search: Box<NotesSearchFn>, settle: Duration) -> Result<NotesWorker> {
        Worker::spawn(
            "notes search",
            settle,
            Box::new(move |request: NotesRequest| {
                let started = Instant::now();
                let result =
                    search(&request.query, &request.note_query()).map_err(|e| format!("{e:#}"));
                let elapsed = started.elapsed();
                tracing::debug!(query = %request.query, ms = elapsed.as_millis() as u64, "notes search");
                NotesOutcome {
                    request,
                    result,
                    elapsed,
                }
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn req(generation: u64, query: &str) -> NotesRequest {
        NotesRequest {
            generation,
            query: query.into(),
            order: NoteOrder::Relevance,
        }
    }

    #[test]
    fn keys_typed_within_the_settle_time_run_one_search() {
        let ran = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = Arc::clone(&ran);
        let worker = NotesWorker::start(
            Box::new(move |q: &str, _: &NoteQuery| {
                seen.lock().unwrap().push(q.to_string());
                Ok(NoteSearchResult::default())
            }),
            Duration::from_millis(150),
        )
        .unwrap();
        for (i, q) in ["c", "ch", "che", "chest"].iter().enumerate() {
            worker.submit(req(i as u64 + 1, q));
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = worker.recv(Duration::from_secs(5)).unwrap().unwrap();
        assert_eq!(
            (out.request.generation, out.request.query.as_str()),
            (4, "chest")
        );
        assert!(worker.recv(Duration::from_millis(300)).unwrap().is_none());
        assert_eq!(*ran.lock().unwrap(), vec!["chest"]);
        // A pause lets the next query run on its own.
        worker.submit(req(5, "chest pain"));
        let out = worker.recv(Duration::from_secs(5)).unwrap().unwrap();
        assert_eq!(out.request.generation, 5);
    }

    #[test]
    fn errors_come_back_as_text() {
        let worker = NotesWorker::start(
            Box::new(|_: &str, _: &NoteQuery| anyhow::bail!("index is broken")),
            Duration::ZERO,
        )
        .unwrap();
        worker.submit(req(1, "x"));
        let out = worker.recv(Duration::from_secs(5)).unwrap().unwrap();
        assert!(out.result.unwrap_err().contains("index is broken"));
    }
}
