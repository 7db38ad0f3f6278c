//! Safe to print: the one place that makes text from the database or a file harmless on a terminal.
//!
//! A note, a name, an audit detail or a search text can carry terminal escape sequences (`ESC ] 52`
//! sets the clipboard, `ESC ] 0` the window title, `ESC [ 2J` clears the screen) or bidi overrides
//! that make a line read differently from what it holds. Every human-readable CLI line and every
//! log line goes through [`sanitize`] (directly, or through [`SafeWriter`] around stdout and the
//! log file), which shows such characters visibly instead:
//!
//! - ESC as `^[`, the other C0 controls as `^X` (`^@` for NUL, `^M` for CR), DEL as `^?`;
//!   newline and tab are kept (they are the layout of the output itself);
//! - C1 controls (U+0080..U+009F) as `\x9b`;
//! - bidi embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) as `<U+202E>`.
//!
//! JSON lines stay valid JSON: serde_json already escapes C0, and in a line that starts with `{`
//! or `[` the remaining C1 and bidi characters (only ever inside strings there) are written as
//! `\u009b` / `\u202e` escapes, which decode to the same text.
use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal as it is (newline and tab aside).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_visible(out: &mut String, c: char, json: bool) {
    let n = c as u32;
    if json && (n >= 0x80 || n == 0x7f) {
        out.push_str(&format!("\\u{n:04x}"));
    } else if n < 0x20 {
        out.push('^');
        out.push(char::from(b'@' + n as u8));
    } else if n == 0x7f {
        out.push_str("^?");
    } else if n < 0xa0 {
        out.push_str(&format!("\\x{n:02x}"));
    } else {
        out.push_str(&format!("<U+{n:04X}>"));
    }
}

/// `s` with every unsafe character shown visibly (see the module notes); borrowed when clean.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    sanitize_as(s, false)
}

/// Like [`sanitize`] on one line of text (newlines inside are shown as `^J` too): for a value
/// printed inside a line of its own, such as an error message naming a file or a search text.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    if !s.contains(|c: char| is_unsafe(c) || c == '\n' || c == '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) || c == '\n' || c == '\t' {
            push_visible(&mut out, c, false);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn sanitize_as(s: &str, json: bool) -> Cow<'_, str> {
    if !s.contains(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_visible(&mut out, c, json);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A writer that passes everything through [`sanitize`], line by line. Bytes that are not UTF-8
/// are shown as `\xNN`. Holds at most one line (plus a partial character) before writing it on.
pub struct SafeWriter<W: Write> {
    inner: W,
    line: Vec<u8>,
    /// The next byte written starts a line.
    at_line_start: bool,
    /// The current line is a JSON line.
    json: bool,
    /// Each write is one record (a log event): only its final newline ends a line.
    records: bool,
}

impl<W: Write> SafeWriter<W> {
    pub fn new(inner: W) -> Self {
        SafeWriter {
            inner,
            line: Vec::new(),
            at_line_start: true,
            json: false,
            records: false,
        }
    }

    /// For a log: each write is one event, so a newline inside it (from a file name or a field)
    /// is shown as `^J` and cannot start a fake log line.
    pub fn records(inner: W) -> Self {
        let mut w = SafeWriter::new(inner);
        w.records = true;
        w
    }

    /// Writes out what is held, sanitised: every whole line, and with `all` the rest too.
    fn emit(&mut self, all: bool) -> io::Result<()> {
        let end = if all {
            self.line.len()
        } else {
            match self.line.iter().rposition(|b| *b == b'\n') {
                Some(i) => i + 1,
                // A long line without newline is written on in pieces; a cut character waits.
                None if self.line.len() >= 64 * 1024 => utf8_prefix(&self.line),
                None => return Ok(()),
            }
        };
        if end == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.line.drain(..end).collect();
        let mut text = String::with_capacity(chunk.len());
        for line in chunk.split_inclusive(|b| *b == b'\n') {
            if self.at_line_start {
                self.json = matches!(line.first(), Some(b'{') | Some(b'['));
            }
            self.at_line_start = line.last() == Some(&b'\n');
            for piece in line.utf8_chunks() {
                text.push_str(&sanitize_as(piece.valid(), self.json));
                for b in piece.invalid() {
                    text.push_str(&format!("\\x{b:02x}"));
                }
            }
        }
        self.inner.write_all(text.as_bytes())
    }
}

/// The length of the longest prefix of `b` that does not end inside a UTF-8 character.
fn utf8_prefix(b: &[u8]) -> usize {
    let n = b.len();
    for back in 1..=3.min(n) {
        let byte = b[n - back];
        if byte & 0xC0 != 0x80 {
            // The start of the last character: is it complete?
            let need = match byte {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            return if need > back { n - back } else { n };
        }
    }
    n
}

impl<W: Write> Write for SafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.records {
            let (body, end) = match buf.strip_suffix(b"\n") {
                Some(b) => (b, "\n"),
                None => (buf, ""),
            };
            let text = String::from_utf8_lossy(body);
            let line = format!("{}{end}", sanitize_line(&text));
            self.inner.write_all(line.as_bytes())?;
            return Ok(buf.len());
        }
        self.line.extend_from_slice(buf);
        self.emit(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit(true)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for SafeWriter<W> {
    fn drop(&mut self) {
        let _ = self.emit(true);
        let _ = self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OSC52: &str = "\x1b]52;c;ZWNobyBwd25lZA==\x07";

    #[test]
    fn controls_are_shown_visibly() {
        assert_eq!(sanitize("plain text"), "plain text");
        assert!(matches!(sanitize("plain"), Cow::Borrowed(_)));
        assert_eq!(sanitize(OSC52), "^[]52;c;ZWNobyBwd25lZA==^G");
        assert_eq!(sanitize("\x1b]0;title\x07"), "^[]0;title^G");
        assert_eq!(sanitize("\x1b[2J"), "^[[2J");
        assert_eq!(sanitize("a\u{9b}31m"), "a\\x9b31m");
        assert_eq!(sanitize("abc\u{202E}fed"), "abc<U+202E>fed");
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "<U+2066>x<U+2069>");
        assert_eq!(sanitize("nul\0 del\x7f cr\r"), "nul^@ del^? cr^M");
        assert_eq!(sanitize("keeps\nlines\tand tabs"), "keeps\nlines\tand tabs");
        assert_eq!(sanitize_line("one\nline\t"), "one^Jline^I");
        assert_eq!(sanitize("Ä 💩 é"), "Ä 💩 é");
    }

    fn through_writer(parts: &[&[u8]]) -> String {
        let mut buf = Vec::new();
        {
            let mut w = SafeWriter::new(&mut buf);
            for p in parts {
                w.write_all(p).unwrap();
            }
            w.flush().unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn the_writer_sanitises_across_write_boundaries() {
        let s = format!("note: {OSC52} \u{9b}2J \u{202E}x\n");
        let b = s.as_bytes();
        // Split inside the two-byte C1 and the three-byte bidi character.
        let c1 = s.find('\u{9b}').unwrap() + 1;
        let bidi = s.find('\u{202E}').unwrap() + 2;
        let out = through_writer(&[&b[..c1], &b[c1..bidi], &b[bidi..]]);
        assert_eq!(out, "note: ^[]52;c;ZWNobyBwd25lZA==^G \\x9b2J <U+202E>x\n");
        assert!(!out.contains('\x1b'));
        assert_eq!(through_writer(&[b"bad \xff byte\n"]), "bad \\xff byte\n");
    }

    #[test]
    fn json_lines_stay_valid_json_with_the_same_text() {
        let text = format!("{OSC52} \u{9b} \u{202E}");
        let line = format!("{}\n", serde_json::json!({ "text": text }));
        let out = through_writer(&[line.as_bytes()]);
        assert!(!out.contains(['\x1b', '\u{9b}', '\u{202E}']), "{out}");
        let back: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(back["text"], text);
    }

    #[test]
    fn a_long_json_line_written_in_pieces_stays_json() {
        let text = format!("{} \u{9b}", "x".repeat(100_000));
        let line = format!("{}\n", serde_json::json!({ "text": text }));
        let out = through_writer(&[line.as_bytes()]);
        let back: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(back["text"], text);
    }

    #[test]
    fn log_events_cannot_forge_lines_or_escape() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0
                    .lock()
                    .map_err(|_| io::Error::other("poisoned"))?
                    .extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let buf = Shared::default();
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || SafeWriter::records(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(
                "pointer names {}",
                "gen\nFAKE ERROR admin deleted\x1b]0;t\x07"
            );
        });
        let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        // (tracing-subscriber itself writes ESC as `\x1b`; the newline is ours to stop.)
        assert!(log.contains("gen^JFAKE ERROR admin deleted"), "{log}");
        assert!(!log.contains('\x1b'));
    }

    #[test]
    fn long_lines_are_written_on_without_splitting_characters() {
        let long = "é".repeat(100_000);
        let out = through_writer(&[long.as_bytes(), b"\n"]);
        assert_eq!(out, format!("{long}\n"));
    }
}
