//! End to end: the built binary in an 80x24 pseudo-terminal. Set up a demo data directory, open the
//! first encounter from the worklist, search "chf", assign the top result with Enter, quit, and check
//! with `export codes` that the code was saved.
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_chartdesk");
const ROWS: u16 = 24;
const COLS: u16 = 80;
const WAIT: Duration = Duration::from_secs(20);

/// A running chartdesk in a pseudo-terminal, with a vt100 screen kept up to date by a reader thread.
struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(data: &Path) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--data-dir");
        cmd.arg(data);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        cmd.env("CHARTDESK_DATA_DIR", data);
        cmd.cwd(data);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLS), 0)));
        let shared = Arc::clone(&screen);
        std::thread::spawn(move || {
            // Keeps the master side alive for as long as the reader runs.
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => shared.lock().unwrap().process(&buf[..n]),
                }
            }
        });
        Session {
            screen,
            writer,
            child,
        }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn lines(&self) -> Vec<String> {
        let p = self.screen.lock().unwrap();
        p.screen().rows(0, COLS).collect()
    }

    /// Waits until `pred` holds for the screen text, or fails with the screen shown.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let t = self.text();
            if pred(&t) {
                return t;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Lets a lone Esc be read as Esc, not as the start of an escape sequence.
        std::thread::sleep(Duration::from_millis(120));
    }

    fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.send(&c.to_string());
        }
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "chartdesk exited with {status:?}");
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("chartdesk did not exit; screen:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn chartdesk(data: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chartdesk {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn open_search_assign_quit_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    chartdesk(&data, &["init", "--demo", "--encounters", "20"]);

    let mut s = Session::start(&data);
    s.wait_for("the worklist", |t| {
        t.contains("Worklist") && t.contains("Account")
    });
    // The first row is highlighted; Enter opens it.
    s.send("\r");
    let t = s.wait_for("the encounter screen", |t| t.contains("Code search"));
    let account = t
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().next())
        .expect("account in the header")
        .to_string();
    assert!(!account.is_empty());

    s.send("/");
    s.type_text("chf");
    s.wait_for("search results for chf", |t| {
        t.contains("> chf") && t.contains(" hits ") && !t.contains("searching")
    });
    s.send("\r");
    // A header code opens the valid-codes picker: take its first offer.
    let t = s.wait_for("the assignment", |t| {
        t.contains("assigned ") || t.contains("Valid codes for")
    });
    if t.contains("Valid codes for") && !t.contains("assigned ") {
        s.send("\r");
        s.wait_for("the assignment from the picker", |t| {
            t.contains("assigned ")
        });
    }
    let status = s
        .lines()
        .into_iter()
        .find(|l| l.starts_with("assigned "))
        .expect("status line");
    let code = status
        .split_whitespace()
        .nth(1)
        .expect("code in the status line")
        .to_string();
    let t = s.text();
    assert!(
        t.contains("PDX") && t.contains(&code),
        "codes pane shows {code}:\n{t}"
    );

    // Leave the search box, go back to the worklist, quit.
    s.send("\x1b");
    s.send("\x1b");
    s.wait_for("the worklist again", |t| t.contains("Worklist"));
    s.send("q");
    s.wait_exit();

    let json = chartdesk(
        &data,
        &[
            "export",
            "codes",
            "--encounter",
            &account,
            "--format",
            "json",
        ],
    );
    // JSON lines (one object per code), or one array.
    let rows: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Array(a)) => a,
        _ => json
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("export line is not JSON ({e}): {l}"))
            })
            .collect(),
    };
    assert!(
        rows.iter().any(
            |r| r.get("code").and_then(|c| c.as_str()) == Some(code.as_str())
                && r.get("account")
                    .and_then(|c| c.as_str())
                    .is_none_or(|a| a == account)
        ),
        "{code} not exported for {account}:\n{json}"
    );
}
