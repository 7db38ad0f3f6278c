//! A running chartdesk binary in a pseudo-terminal (portable-pty + vt100), shared by the end-to-end tests.
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_chartdesk");
pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;
pub const WAIT: Duration = Duration::from_secs(20);

/// A running chartdesk in a pseudo-terminal, with a vt100 screen kept up to date by a reader thread.
pub struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    pub fn start(data: &Path) -> Session {
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--data-dir");
        cmd.arg(data);
        cmd.env("TERM", "xterm-256color");
        cmd.env("NO_COLOR", "1");
        cmd.env("CHARTDESK_DATA_DIR", data);
        cmd.cwd(data);
        Session::spawn(cmd)
    }

    /// Runs `cmd` in an 80x24 pseudo-terminal.
    pub fn spawn(cmd: CommandBuilder) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
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

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Whether the cell at `row`, `col` is drawn in reverse video (a highlight without colour).
    pub fn inverse(&self, row: u16, col: u16) -> bool {
        let p = self.screen.lock().unwrap();
        p.screen().cell(row, col).is_some_and(|c| c.inverse())
    }

    pub fn lines(&self) -> Vec<String> {
        let p = self.screen.lock().unwrap();
        p.screen().rows(0, COLS).collect()
    }

    /// Waits until `pred` holds for the screen text, or fails with the screen shown.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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

    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Lets a lone Esc be read as Esc, not as the start of an escape sequence.
        std::thread::sleep(Duration::from_millis(120));
    }

    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.send(&c.to_string());
        }
    }

    pub fn wait_exit(&mut self) {
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

pub fn chartdesk(data: &Path, args: &[&str]) -> String {
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
