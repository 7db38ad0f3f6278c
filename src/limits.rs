//! Bounded memory whatever the input: import limits (`import.max_line_bytes`,
//! `import.max_note_bytes`) and a reader that refuses a line longer than the limit as soon as it
//! passes it, so `/dev/zero` or a 100 MB line is refused after reading one limit's worth of bytes,
//! never held in memory.
use std::io::{self, BufRead, Read};
use std::sync::OnceLock;

/// 1 MiB.
pub const MIB: usize = 1024 * 1024;

/// The limits in force for imports in this process: the config's `[import]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The longest line of an import file (notes and code sets), in bytes.
    pub max_line_bytes: usize,
    /// The largest note text, in bytes.
    pub max_note_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_bytes: 16 * MIB,
            max_note_bytes: 4 * MIB,
        }
    }
}

static LIMITS: OnceLock<Limits> = OnceLock::new();

/// Sets the process's limits (from the config, once at start-up); later calls change nothing.
pub fn set(limits: Limits) {
    let _ = LIMITS.set(limits);
}

/// The process's limits: the configured ones, else the defaults.
pub fn get() -> Limits {
    LIMITS.get().copied().unwrap_or_default()
}

/// "4 MiB", "1,048,577 bytes".
pub fn size(n: usize) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        format!("{out} bytes")
    }
}

/// The error a too-long line gives: names the file, the line and the key to change.
#[derive(Debug)]
pub struct LineTooLong {
    pub file: String,
    pub line: u64,
    pub limit: usize,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} line {} is longer than {}, the limit of `import.max_line_bytes`: is this the right \
             file? (a text file with one record per line, not binary data); if it is, raise the \
             limit in the config file",
            self.file,
            self.line,
            size(self.limit)
        )
    }
}

impl std::error::Error for LineTooLong {}

/// Wraps a [`BufRead`]: any line longer than `limit` bytes is an error (of kind `InvalidData`
/// holding a [`LineTooLong`]) once its first `limit + 1` bytes have passed.
pub struct BoundedLines<R> {
    inner: R,
    file: String,
    limit: usize,
    /// Bytes of the current line passed so far.
    run: usize,
    /// 1-based number of the current line.
    line: u64,
}

impl<R: BufRead> BoundedLines<R> {
    pub fn new(inner: R, file: impl Into<String>, limit: usize) -> Self {
        BoundedLines {
            inner,
            file: file.into(),
            limit: limit.max(1),
            run: 0,
            line: 1,
        }
    }

    fn too_long(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            LineTooLong {
                file: self.file.clone(),
                line: self.line,
                limit: self.limit,
            },
        )
    }
}

impl<R: BufRead> Read for BoundedLines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for BoundedLines<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.run > self.limit {
            return Err(self.too_long());
        }
        // Hand out at most what keeps the line within one byte past the limit, and never past
        // the line's end: one byte too many is enough to refuse it on the next call.
        let room = self.limit + 1 - self.run;
        let buf = self.inner.fill_buf()?;
        let nl = buf.iter().take(room).position(|b| *b == b'\n');
        let end = match nl {
            Some(i) => i + 1,
            None => buf.len().min(room),
        };
        Ok(&buf[..end])
    }

    fn consume(&mut self, amt: usize) {
        if amt == 0 {
            return;
        }
        let newline = self
            .inner
            .fill_buf()
            .ok()
            .and_then(|b| b[..amt.min(b.len())].iter().rposition(|c| *c == b'\n'));
        match newline {
            Some(i) => {
                // The chunks handed out end at the first newline, so there is at most one.
                self.line += 1;
                self.run = amt - i - 1;
            }
            None => self.run += amt,
        }
        self.inner.consume(amt);
    }
}

/// Whether an I/O error is a too-long line.
pub fn is_line_too_long(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<LineTooLong>())
}

/// The [`LineTooLong`] inside an error chain, if any.
pub fn line_too_long(e: &anyhow::Error) -> Option<&LineTooLong> {
    e.chain().find_map(|c| {
        c.downcast_ref::<LineTooLong>().or_else(|| {
            c.downcast_ref::<io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<LineTooLong>())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &[u8], limit: usize) -> io::Result<Vec<Vec<u8>>> {
        let mut r = BoundedLines::new(io::BufReader::with_capacity(7, data), "f.jsonl", limit);
        let mut lines = Vec::new();
        loop {
            let mut l = Vec::new();
            if r.read_until(b'\n', &mut l)? == 0 {
                return Ok(lines);
            }
            lines.push(l);
        }
    }

    #[test]
    fn lines_up_to_the_limit_pass() {
        let data = b"12345\n123456\n\n1234";
        let lines = read_all(data, 6).unwrap();
        assert_eq!(lines, [&b"12345\n"[..], b"123456\n", b"\n", b"1234"]);
    }

    #[test]
    fn a_longer_line_is_refused_naming_file_and_line() {
        let data = b"ok\nstill ok\nthis one is too long\nnever read\n";
        let e = read_all(data, 10).unwrap_err();
        let inner = e.get_ref().unwrap().downcast_ref::<LineTooLong>().unwrap();
        assert_eq!((inner.line, inner.limit), (3, 10));
        let msg = e.to_string();
        assert!(
            msg.starts_with("f.jsonl line 3 is longer than 10 bytes"),
            "{msg}"
        );
        assert!(msg.contains("import.max_line_bytes"), "{msg}");
    }

    #[test]
    fn an_endless_line_is_refused_after_one_limit_of_bytes() {
        // An endless source without newlines, like /dev/zero.
        let zeros = io::repeat(0).take(u64::MAX);
        let mut r = BoundedLines::new(io::BufReader::new(zeros), "/dev/zero", MIB);
        let mut l = Vec::new();
        let e = r.read_until(b'\n', &mut l).unwrap_err();
        assert!(l.len() <= MIB + 1, "held {} bytes", l.len());
        assert!(
            e.to_string()
                .contains("/dev/zero line 1 is longer than 1 MiB"),
            "{e}"
        );
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(4 * MIB), "4 MiB");
        assert_eq!(size(104_857_600), "100 MiB");
        assert_eq!(size(1_048_577), "1,048,577 bytes");
        assert_eq!(size(999), "999 bytes");
    }
}
