//! Code search off the UI thread, on the generic latest-wins `tui::worker::Worker`: a new keystroke
//! overwrites the waiting query, so only the newest is ever searched next. Answers carry the
//! generation and query they answer so the screen can drop stale ones.
use crate::search::{CodeHit, CodeQuery};
use crate::tui::worker::Worker;
use anyhow::Result;
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

/// The code search thread: the generic latest-wins `Worker`.
pub type SearchWorker = Worker<SearchRequest, SearchOutcome>;

impl Worker<SearchRequest, SearchOutcome> {
    /// Starts the code search thread.
    pub fn start(search: Box<SearchFn>) -> Result<SearchWorker> {
        Worker::spawn(
            "code search",
            Duration::ZERO,
            Box::new(move |req: SearchRequest| {
                let started = Instant::now();
                let hits = search(&req.query, &req.options).map_err(|e| format!("{e:#}"));
                let elapsed = started.elapsed();
                tracing::debug!(query = %req.query, ms = elapsed.as_millis() as u64, "code search");
                SearchOutcome {
                    generation: req.generation,
                    query: req.query,
                    hits,
                    elapsed,
                }
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CodeSystem;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

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
