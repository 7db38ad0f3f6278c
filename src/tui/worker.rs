//! One background thread per search box, latest request wins: one job runs at a time and one
//! waits; a new request overwrites the waiting one, so only the newest is ever run next. A request
//! may also wait until typing has paused for `settle` (the note search: a quickly typed query runs,
//! and is audited, once rather than per key). Code search and note search both use `Worker`.
use anyhow::{Context, Result};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Runs one request on the worker thread and says what came back.
pub type JobFn<Req, Resp> = dyn FnMut(Req) -> Resp + Send;

struct Slot<Req> {
    pending: Option<(Req, Instant)>,
    stop: bool,
}

struct Shared<Req> {
    slot: Mutex<Slot<Req>>,
    wake: Condvar,
}

impl<Req> Shared<Req> {
    fn lock(&self) -> MutexGuard<'_, Slot<Req>> {
        // A panic on the other side cannot leave the slot half-written: take it as it is.
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The handle the UI keeps: submit requests, collect answers. Dropping it stops the thread.
pub struct Worker<Req, Resp> {
    shared: Arc<Shared<Req>>,
    answers: Receiver<Resp>,
    thread: Option<JoinHandle<()>>,
    name: &'static str,
}

impl<Req: Send + 'static, Resp: Send + 'static> Worker<Req, Resp> {
    /// Starts the thread `name` ("code search"), running `job` on the newest request once it
    /// has waited `settle` (zero: at once).
    pub fn spawn(
        name: &'static str,
        settle: Duration,
        mut job: Box<JobFn<Req, Resp>>,
    ) -> Result<Self> {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot {
                pending: None,
                stop: false,
            }),
            wake: Condvar::new(),
        });
        let (tx, rx) = mpsc::channel();
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(name.replace(' ', "-"))
            .spawn(move || run(&theirs, &mut *job, settle, &tx))
            .with_context(|| format!("starting the {name} thread"))?;
        Ok(Worker {
            shared,
            answers: rx,
            thread: Some(thread),
            name,
        })
    }

    /// Queues `req`, replacing any request still waiting (the running one finishes regardless).
    pub fn submit(&self, req: Req) {
        self.shared.lock().pending = Some((req, Instant::now()));
        self.shared.wake.notify_one();
    }

    /// The next answer, waiting at most `wait` (zero: only look). `Err` when the thread has died.
    pub fn recv(&self, wait: Duration) -> Result<Option<Resp>, String> {
        let got = if wait.is_zero() {
            self.answers.try_recv().map_err(|e| match e {
                mpsc::TryRecvError::Empty => RecvTimeoutError::Timeout,
                mpsc::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
            })
        } else {
            self.answers.recv_timeout(wait)
        };
        match got {
            Ok(o) => Ok(Some(o)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(format!(
                "the {} thread stopped: restart chartdesk (see the log)",
                self.name
            )),
        }
    }
}

impl<Req, Resp> Drop for Worker<Req, Resp> {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the {} thread panicked", self.name);
        }
    }
}

/// The next request once it has settled; None when asked to stop.
fn next_request<Req>(shared: &Shared<Req>, settle: Duration) -> Option<Req> {
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

fn run<Req, Resp>(
    shared: &Shared<Req>,
    job: &mut JobFn<Req, Resp>,
    settle: Duration,
    answers: &Sender<Resp>,
) {
    while let Some(req) = next_request(shared, settle) {
        if answers.send(job(req)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn newest_request_wins_and_skipped_requests_never_run() {
        let ran = Arc::new(Mutex::new(Vec::<u32>::new()));
        let seen = Arc::clone(&ran);
        let calls = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&calls);
        let w: Worker<u32, u32> = Worker::spawn(
            "test job",
            Duration::ZERO,
            Box::new(move |n| {
                seen.lock().unwrap().push(n);
                // The first job is slow, so the next requests pile up behind it.
                if c.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::thread::sleep(Duration::from_millis(200));
                }
                n * 10
            }),
        )
        .unwrap();
        for n in 1..=3 {
            w.submit(n);
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(w.recv(Duration::from_secs(5)).unwrap(), Some(10));
        assert_eq!(w.recv(Duration::from_secs(5)).unwrap(), Some(30));
        assert_eq!(w.recv(Duration::from_millis(100)).unwrap(), None);
        assert_eq!(*ran.lock().unwrap(), vec![1, 3]);
    }

    #[test]
    fn a_dead_thread_is_reported_by_name() {
        let w: Worker<u32, u32> = Worker::spawn(
            "broken job",
            Duration::ZERO,
            Box::new(|n| {
                if n == 1 {
                    panic!("job failed on purpose");
                }
                n
            }),
        )
        .unwrap();
        w.submit(1);
        let mut got = Ok(None);
        for _ in 0..50 {
            got = w.recv(Duration::from_millis(100));
            if got.is_err() {
                break;
            }
        }
        let err = got.unwrap_err();
        assert!(err.contains("broken job"), "{err}");
    }
}
