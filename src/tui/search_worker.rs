//! Code search off the UI thread. One job runs at a time and one waits; a new keystroke overwrites
//! the waiting job, so only the newest query is ever searched next. Answers carry the generation and
//! query they answer so the screen can drop stale ones.
use crate::search::{CodeHit, CodeQuery};
use anyhow::{Context, Result};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One query for the search thread.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub generation: u64,
    pub query: String,
    pub options: CodeQuery,
}

/// What came back for a request.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub generation: u64,
    pub query: String,
    /// The hits, or the error text.
    pub hits: Result<Vec<CodeHit>, String>,
    pub elapsed: Duration,
}

/// Runs one search; the real one wraps a `CodeIndex` clone.
pub type SearchFn = dyn Fn(&str, &CodeQuery) -> Result<Vec<CodeHit>> + Send + Sync;

#[derive(Default)]
struct Slot {
    pending: Option<SearchRequest>,
    stop: bool,
}

struct Shared {
    slot: Mutex<Slot>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // A panic on the other side cannot leave the slot half-written: take it as it is.
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The handle the UI keeps: submit queries, collect answers.
pub struct SearchWorker {
    shared: Arc<Shared>,
    answers: Receiver<SearchOutcome>,
    thread: Option<JoinHandle<()>>,
}

impl SearchWorker {
    /// Starts the search thread.
    pub fn start(search: Box<SearchFn>) -> Result<SearchWorker> {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            wake: Condvar::new(),
        });
        let (tx, rx) = mpsc::channel();
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("code-search".into())
            .spawn(move || run(&theirs, &*search, &tx))
            .context("starting the code search thread")?;
        Ok(SearchWorker {
            shared,
            answers: rx,
            thread: Some(thread),
        })
    }

    /// Queues `req`, replacing any request still waiting (the running one finishes regardless).
    pub fn submit(&self, req: SearchRequest) {
        let mut slot = self.shared.lock();
        slot.pending = Some(req);
        drop(slot);
        self.shared.wake.notify_one();
    }

    /// The next answer, waiting at most `wait`. `Err` when the search thread has died.
    pub fn recv(&self, wait: Duration) -> Result<Option<SearchOutcome>, String> {
        recv_answer(&self.answers, wait, "code search")
    }
}

/// The next answer from a background search thread, waiting at most `wait` (zero: only look).
/// `Err` names the thread when it has died.
pub(crate) fn recv_answer<T>(
    answers: &Receiver<T>,
    wait: Duration,
    what: &str,
) -> Result<Option<T>, String> {
    let got = if wait.is_zero() {
        answers.try_recv().map_err(|e| match e {
            mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
            mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
        })
    } else {
        answers.recv_timeout(wait)
    };
    match got {
        Ok(o) => Ok(Some(o)),
        Err(RecvTimeoutError::Timeout) => Ok(None),
        Err(RecvTimeoutError::Disconnected) => Err(format!(
            "the {what} thread stopped: restart chartdesk (see the log)"
        )),
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the code search thread panicked");
        }
    }
}

fn run(shared: &Shared, search: &SearchFn, answers: &Sender<SearchOutcome>) {
    loop {
        let req = {
            let mut slot = shared.lock();
            loop {
                if slot.stop {
                    return;
                }
                if let Some(r) = slot.pending.take() {
                    break r;
                }
                slot = shared.wake.wait(slot).unwrap_or_else(|p| p.into_inner());
            }
        };
        let started = Instant::now();
        let hits = search(&req.query, &req.options).map_err(|e| format!("{e:#}"));
        let elapsed = started.elapsed();
        tracing::debug!(query = %req.query, ms = elapsed.as_millis() as u64, "code search");
        let out = SearchOutcome {
            generation: req.generation,
            query: req.query,
            hits,
            elapsed,
        };
        if answers.send(out).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CodeSystem;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn hit(code: &str) -> CodeHit {
        CodeHit {
            system: CodeSystem::Icd10Cm,
            code: code.into(),
            title: code.into(),
            billable: true,
            score: 1.0,
            matched: None,
        }
    }

    #[test]
    fn newest_query_wins_and_skipped_queries_never_run() {
        let ran = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = Arc::clone(&ran);
        let gate = Arc::new(AtomicUsize::new(0));
        let g = Arc::clone(&gate);
        let worker = SearchWorker::start(Box::new(move |q: &str, _: &CodeQuery| {
            seen.lock().unwrap().push(q.to_string());
            // The first search is slow, so the next keystrokes pile up behind it.
            if g.fetch_add(1, Ordering::SeqCst) == 0 {
                std::thread::sleep(Duration::from_millis(200));
            }
            Ok(vec![hit(q)])
        }))
        .unwrap();
        let opts = CodeQuery::default();
        for (i, q) in ["c", "ch", "chf"].iter().enumerate() {
            worker.submit(SearchRequest {
                generation: i as u64 + 1,
                query: q.to_string(),
                options: opts.clone(),
            });
            std::thread::sleep(Duration::from_millis(20));
        }
        let first = worker.recv(Duration::from_secs(5)).unwrap().unwrap();
        assert_eq!(first.query, "c");
        let second = worker.recv(Duration::from_secs(5)).unwrap().unwrap();
        assert_eq!((second.generation, second.query.as_str()), (3, "chf"));
        assert_eq!(second.hits.unwrap()[0].code, "chf");
        assert!(worker.recv(Duration::from_millis(100)).unwrap().is_none());
        assert_eq!(*ran.lock().unwrap(), vec!["c", "chf"]);
    }

    #[test]
    fn errors_come_back_as_text() {
        let worker = SearchWorker::start(Box::new(|_: &str, _: &CodeQuery| {
            anyhow::bail!("index is broken")
        }))
        .unwrap();
        worker.submit(SearchRequest {
            generation: 1,
            query: "x".into(),
            options: CodeQuery::default(),
        });
        let out = worker.recv(Duration::from_secs(5)).unwrap().unwrap();
        assert!(out.hits.unwrap_err().contains("index is broken"));
    }
}
