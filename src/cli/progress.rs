//! Progress on stderr for set-up and imports: a redrawn line on a terminal, one line per stage otherwise.
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    tty: bool,
    stage: String,
    /// The current stage counts in steps (a total above zero): it is drawn complete when it ends.
    counted: bool,
    last: Instant,
    open_line: bool,
}

/// "  storing demo notes        [#########...........]  45.0%"
fn bar_line(stage: &str, done: usize, total: usize) -> String {
    let pct = (done as f64 / total as f64 * 100.0).min(100.0);
    let filled = (pct / 5.0) as usize;
    format!(
        "  {stage:<40} [{}{}] {pct:5.1}%",
        "#".repeat(filled),
        ".".repeat(20 - filled.min(20))
    )
}

impl Progress {
    pub fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            stage: String::new(),
            counted: false,
            last: Instant::now() - Duration::from_secs(1),
            open_line: false,
        }
    }

    pub fn update(&mut self, stage: &str, done: usize, total: usize) {
        let mut err = std::io::stderr().lock();
        self.update_to(&mut err, stage, done, total);
    }

    fn update_to(&mut self, err: &mut dyn Write, stage: &str, done: usize, total: usize) {
        // Stages name files and code sets: shown safely.
        let stage = &*super::sanitize::sanitize_line(stage);
        let new_stage = stage != self.stage;
        if self.tty {
            if !new_stage && self.last.elapsed() < Duration::from_millis(80) && done < total {
                return;
            }
            self.last = Instant::now();
            let line = if total > 0 {
                bar_line(stage, done, total)
            } else {
                format!("  {stage} ...")
            };
            if new_stage && self.open_line {
                self.end_stage(err);
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
        if total > 0 {
            self.counted = true;
        } else if new_stage {
            self.counted = false;
        }
    }

    /// Ends the open line; a stage that counted steps is drawn at 100% (later updates may have
    /// been skipped to keep the redraws few, so its last drawn figure can be behind).
    fn end_stage(&mut self, err: &mut dyn Write) {
        if self.counted {
            let _ = write!(err, "\r{}\x1b[K", bar_line(&self.stage, 1, 1));
        }
        let _ = writeln!(err);
        self.counted = false;
    }

    /// Ends the current line.
    pub fn finish(&mut self) {
        if self.tty && self.open_line {
            let mut err = std::io::stderr().lock();
            self.end_stage(&mut err);
        }
        self.open_line = false;
        self.stage.clear();
        self.counted = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text a terminal would show: each `\r` goes back to the start of the line.
    fn screen(raw: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(raw).replace("\x1b[K", "");
        text.split('\n')
            .map(|l| l.rsplit('\r').next().unwrap_or("").to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn a_stage_ends_at_100_percent_even_when_its_last_updates_were_skipped() {
        let mut p = Progress {
            tty: true,
            stage: String::new(),
            counted: false,
            last: Instant::now() - Duration::from_secs(1),
            open_line: false,
        };
        let mut out = Vec::new();
        // Quick updates: all but the first are skipped by the redraw throttle.
        for i in (0..300).step_by(100) {
            p.update_to(&mut out, "storing demo encounters", i, 1000);
        }
        p.update_to(&mut out, "storing demo notes", 300, 1000);
        p.update_to(&mut out, "storing demo notes", 1000, 1000);
        p.update_to(&mut out, "simulating weeks of coding history", 0, 0);
        let lines = screen(&out);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("  storing demo encounters"),
            "{lines:?}"
        );
        assert!(lines[0].ends_with("100.0%"), "{lines:?}");
        assert!(lines[1].ends_with("100.0%"), "{lines:?}");
        assert_eq!(lines[2], "  simulating weeks of coding history ...");
    }
}
