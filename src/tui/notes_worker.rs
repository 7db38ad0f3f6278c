//! Notes search off the UI thread, latest wins (the code search worker's pattern): one search runs
//! at a time and one waits; a new keystroke overwrites the waiting one. A request also waits until
//! typing has paused for `settle`, so a quickly typed query runs (and is audited) once, not per key.
use crate::service::{NoteOrder, NoteQuery, NoteSearchResult};
use anyhow::{Context, Result};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
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

#[derive(Default)]
struct Slot {
    pending: Option<(NotesRequest, Instant)>,
    stop: bool,
}

struct Shared {
    slot: Mutex<Slot>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The handle the UI keeps: submit queries, collect answers.
pub struct NotesWorker {
    shared: Arc<Shared>,
    answers: Receiver<NotesOutcome>,
    thread: Option<JoinHandle<()>>,
}

impl NotesWorker {
    /// Starts the search thread.
    pub fn start(mut search: Box<NotesSearchFn>, settle: Duration) -> Result<NotesWorker> {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            wake: Condvar::new(),
        });
        let (tx, rx) = mpsc::channel();
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("notes-search".into())
            .spawn(move || run(&theirs, &mut *search, settle, &tx))
            .context("starting the notes search thread")?;
        Ok(NotesWorker {
            shared,
            answers: rx,
            thread: Some(thread),
        })
    }

    /// Queues `req`, replacing any request still waiting.
    pub fn submit(&self, req: NotesRequest) {
        self.shared.lock().pending = Some((req, Instant::now()));
        self.shared.wake.notify_one();
    }

    /// The next answer, waiting at most `wait`. `Err` when the search thread has died.
    pub fn recv(&self, wait: Duration) -> Result<Option<NotesOutcome>, String> {
        super::search_worker::recv_answer(&self.answers, wait, "notes search")
    }
}

impl Drop for NotesWorker {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the notes search thread panicked");
        }
    }
}

/// The next request once typing has settled; None when asked to stop.
fn next_request(shared: &Shared, settle: Duration) -> Option<NotesRequest> {
    let mut slot = shared.lock();
    loop {
        if slot.stop {
            return None;
        }
        match slot.pending.take() {
            Some((req, at)) => {
                let left = settle.saturating_sub(at.elapsed());
                if left.is_zero() {
                    return Some(req);
                }
                slot.pending = Some((req, at));
                slot = match shared.wake.wait_timeout(slot, left) {
                    Ok((g, _)) => g,
                    Err(p) => p.into_inner().0,
                };
            }
            None => slot = shared.wake.wait(slot).unwrap_or_else(|p| p.into_inner()),
        }
    }
}

fn run(
    shared: &Shared,
    search: &mut NotesSearchFn,
    settle: Duration,
    answers: &Sender<NotesOutcome>,
) {
    while let Some(request) = next_request(shared, settle) {
        let started = Instant::now();
        let result = search(&request.query, &request.note_query()).map_err(|e| format!("{e:#}"));
        let elapsed = started.elapsed();
        tracing::debug!(query = %request.query, ms = elapsed.as_millis() as u64, "notes search");
        if answers
            .send(NotesOutcome {
                request,
                result,
                elapsed,
            })
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
