//! Progress on stderr for set-up and imports: a redrawn line on a terminal, one line per stage otherwise.
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    tty: bool,
    stage: String,
    last: Instant,
    open_line: bool,
}

impl Progress {
    pub fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            stage: String::new(),
            last: Instant::now() - Duration::from_secs(1),
            open_line: false,
        }
    }

    pub fn update(&mut self, stage: &str, done: usize, total: usize) {
        let new_stage = stage != self.stage;
        let mut err = std::io::stderr().lock();
        if self.tty {
            if !new_stage && self.last.elapsed() < Duration::from_millis(80) && done < total {
                return;
            }
            self.last = Instant::now();
            let line = if total > 0 {
                let pct = (done as f64 / total as f64 * 100.0).min(100.0);
                let filled = (pct / 5.0) as usize;
                format!(
                    "  {stage:<40} [{}{}] {pct:5.1}%",
                    "#".repeat(filled),
                    ".".repeat(20 - filled.min(20))
                )
            } else {
                format!("  {stage} ...")
            };
            if new_stage && self.open_line {
                let _ = writeln!(err);
            }
            let _ = write!(err, "\r{line}\x1b[K");
            let _ = err.flush();
            self.open_line = true;
        } else if new_stage {
            let _ = writeln!(err, "  {stage}");
        }
        if new_stage {
            self.stage = stage.to_string();
        }
    }

    /// Ends the current line.
    pub fn finish(&mut self) {
        if self.tty && self.open_line {
            let _ = writeln!(std::io::stderr());
        }
        self.open_line = false;
        self.stage.clear();
    }
}
