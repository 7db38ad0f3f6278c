//! A program in a real pseudo-terminal (portable-pty) whose output feeds a `vt100` screen, for the
//! pty benchmarks: write a key, then learn when the screen first showed what was waited for, timed
//! by the arrival of the output chunk that made it so (not by polling).
use anyhow::{Context, Result, anyhow};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What the reader thread keeps: the parsed screen, when output last arrived, and whether the
/// program's side has closed.
struct Shared {
    parser: vt100::Parser,
    /// Output chunks read so far (each one wakes the waiters).
    chunks: u64,
    last_output: Instant,
    closed: bool,
}

/// A running program in a pseudo-terminal with its screen.
pub struct Pty {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

/// The screen at one moment, for wait predicates.
pub struct Screen<'a> {
    screen: &'a vt100::Screen,
}

impl Screen<'_> {
    /// The text of the screen, rows joined by newlines.
    pub fn text(&self) -> String {
        self.screen.contents()
    }
    /// Text and attributes (reverse video, colours): what tells a moved highlight apart.
    pub fn formatted(&self) -> String {
        self.screen.contents_formatted_basic()
    }
}

impl Pty {
    /// Starts `cmd` in a `rows` x `cols` pseudo-terminal.
    pub fn spawn(cmd: CommandBuilder, rows: u16, cols: u16) -> Result<Pty> {
        let shown = format!("{:?}", cmd.get_argv());
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| anyhow!("opening a pseudo-terminal: {e}"))?;
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| anyhow!("starting {shown} in a pseudo-terminal: {e}"))?;
        drop(pair.slave);
        let mut reader = pair
            .master
            .try_clone_reader()
            .map_err(|e| anyhow!("reading the pseudo-terminal: {e}"))?;
        let writer = pair
            .master
            .take_writer()
            .map_err(|e| anyhow!("writing to the pseudo-terminal: {e}"))?;
        let size =
            |n: u16| NonZeroU16::new(n).context("a terminal needs at least one row and column");
        let shared = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new(size(rows)?, size(cols)?, 0),
                chunks: 0,
                last_output: Instant::now(),
                closed: false,
            }),
            Condvar::new(),
        ));
        let theirs = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("pty-reader".into())
            .spawn(move || {
                // Keeps the master side open for as long as the reader runs.
                let _master = pair.master;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = reader.read(&mut buf).unwrap_or(0);
                    let at = Instant::now();
                    let (lock, cv) = &*theirs;
                    let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
                    if n == 0 {
                        s.closed = true;
                        cv.notify_all();
                        return;
                    }
                    s.parser.process(&buf[..n]);
                    s.chunks += 1;
                    s.last_output = at;
                    cv.notify_all();
                }
            })
            .context("starting the pseudo-terminal reader thread")?;
        Ok(Pty {
            shared,
            writer,
            child,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The program's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// The screen's text now.
    pub fn text(&self) -> String {
        self.lock().parser.screen().contents()
    }

    /// The screen's text and attributes now.
    pub fn formatted(&self) -> String {
        self.lock().parser.screen().contents_formatted_basic()
    }

    /// Writes `bytes` (one key) and returns the moment it was handed to the terminal.
    pub fn send(&mut self, bytes: &[u8]) -> Result<Instant> {
        self.writer
            .write_all(bytes)
            .and_then(|_| self.writer.flush())
            .context("writing a key to the pseudo-terminal")?;
        Ok(Instant::now())
    }

    /// Waits until `pred` holds for the screen (checked after every output chunk) or `deadline`.
    /// Returns when the chunk that made it hold arrived (now, if it already held), or None.
    pub fn wait_until(
        &self,
        deadline: Instant,
        mut pred: impl FnMut(&Screen) -> bool,
    ) -> Option<Instant> {
        let (_, cv) = &*self.shared;
        let mut s = self.lock();
        let mut seen = None;
        loop {
            if seen != Some(s.chunks) {
                let first = seen.is_none();
                seen = Some(s.chunks);
                if pred(&Screen {
                    screen: s.parser.screen(),
                }) {
                    // Already so before any new output: no later than now.
                    return Some(if first { Instant::now() } else { s.last_output });
                }
            }
            let now = Instant::now();
            if now >= deadline || s.closed {
                return None;
            }
            s = match cv.wait_timeout(s, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Waits until no output has come for `quiet` (at most `max`): the screen has settled.
    pub fn settle(&self, quiet: Duration, max: Duration) {
        let end = Instant::now() + max;
        loop {
            let last = self.lock().last_output;
            let now = Instant::now();
            if now >= end || now.duration_since(last) >= quiet {
                return;
            }
            std::thread::sleep((last + quiet).saturating_duration_since(now).min(end - now));
        }
    }

    /// Whether the program has ended.
    pub fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `max` for the program to end; kills it if it does not. Returns whether it ended
    /// by itself with success.
    pub fn finish(&mut self, max: Duration) -> bool {
        let end = Instant::now() + max;
        while Instant::now() < end {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(_) => break,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
