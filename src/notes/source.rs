//! Opening an import file for streaming: gzip if it ends in `.gz`, a UTF-8 byte-order mark skipped,
//! UTF-16 refused, bytes counted for the progress bar, lines checked for UTF-8 one at a time.
use crate::limits::BoundedLines;
use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;
use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// What the counting reader has seen so far.
#[derive(Debug, Default)]
pub struct Seen {
    /// Bytes of the file read (compressed bytes for `.gz`).
    pub bytes: Cell<u64>,
    /// Double quotes in the (decompressed) text, modulo 2: odd at the end means an open quote.
    pub odd_quotes: Cell<bool>,
    /// The last decompressed byte.
    pub last: Cell<u8>,
}

struct CountRaw<R> {
    inner: R,
    seen: Rc<Seen>,
}

impl<R: Read> Read for CountRaw<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.bytes.set(self.seen.bytes.get() + n as u64);
        Ok(n)
    }
}

struct CountText<R> {
    inner: R,
    seen: Rc<Seen>,
}

impl<R: Read> Read for CountText<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let q = buf[..n].iter().filter(|b| **b == b'"').count();
            if q % 2 == 1 {
                self.seen.odd_quotes.set(!self.seen.odd_quotes.get());
            }
            self.seen.last.set(buf[n - 1]);
        }
        Ok(n)
    }
}

/// An open import file.
pub struct Source {
    /// The name used in messages (the path as given).
    pub name: String,
    /// Size on disk, for progress.
    pub total_bytes: u64,
    pub seen: Rc<Seen>,
    pub reader: Box<dyn BufRead>,
}

impl Source {
    pub fn open(path: &Path) -> Result<Source> {
        let name = path.display().to_string();
        let file = File::open(path).with_context(|| format!("opening {name}"))?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let seen = Rc::new(Seen::default());
        let raw = CountRaw {
            inner: file,
            seen: seen.clone(),
        };
        let gz = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let text: Box<dyn Read> = if gz {
            Box::new(MultiGzDecoder::new(BufReader::new(raw)))
        } else {
            Box::new(raw)
        };
        // No line is ever held past `import.max_line_bytes` (a 100 MB line, /dev/zero).
        let mut reader: Box<dyn BufRead> = Box::new(BoundedLines::new(
            BufReader::with_capacity(
                256 * 1024,
                CountText {
                    inner: text,
                    seen: seen.clone(),
                },
            ),
            name.clone(),
            crate::limits::get().max_line_bytes,
        ));
        let head = reader
            .fill_buf()
            .with_context(|| format!("reading {name}"))?;
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            bail!(
                "{name} is UTF-16 text; chartdesk reads UTF-8: convert it (e.g. iconv -f UTF-16 -t UTF-8)"
            );
        }
        if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
            reader.consume(3);
        }
        Ok(Source {
            name,
            total_bytes,
            seen,
            reader,
        })
    }

    /// Bytes read so far, for progress.
    pub fn done_bytes(&self) -> u64 {
        self.seen.bytes.get()
    }
}

/// One line of a text file.
pub enum Line<'a> {
    Text {
        /// 1-based line number.
        number: usize,
        text: &'a str,
        /// The file ended without a newline after this line.
        unterminated: bool,
    },
    /// The line is not UTF-8; `byte` is the offset of the first bad byte in the line.
    NotUtf8 { number: usize, byte: usize },
}

/// Reads a source line by line, holding one line in memory.
pub struct Lines {
    pub source: Source,
    buf: Vec<u8>,
    number: usize,
}

impl Lines {
    pub fn new(source: Source) -> Lines {
        Lines {
            source,
            buf: Vec::with_capacity(64 * 1024),
            number: 0,
        }
    }

    /// The next line, or None at the end. I/O errors (a truncated `.gz`) are errors naming the file.
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>> {
        self.buf.clear();
        let n = match self.source.reader.read_until(b'\n', &mut self.buf) {
            Ok(n) => n,
            // The message names the file, the line and the limit.
            Err(e) if crate::limits::is_line_too_long(&e) => return Err(e.into()),
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "reading {} after line {}: the file is damaged or cut short",
                    self.source.name, self.number
                )));
            }
        };
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        let unterminated = self.buf.last() != Some(&b'\n');
        while matches!(self.buf.last(), Some(b'\n') | Some(b'\r')) {
            self.buf.pop();
        }
        if self.buf.contains(&0) {
            return Ok(Some(Line::NotUtf8 {
                number: self.number,
                byte: self.buf.iter().position(|b| *b == 0).unwrap_or(0),
            }));
        }
        match std::str::from_utf8(&self.buf) {
            Ok(text) => Ok(Some(Line::Text {
                number: self.number,
                text,
                unterminated,
            })),
            Err(e) => Ok(Some(Line::NotUtf8 {
                number: self.number,
                byte: e.valid_up_to(),
            })),
        }
    }
}

/// The message for a line that is not UTF-8.
pub fn not_utf8(byte: usize) -> String {
    format!(
        "the line is not UTF-8 text (bad byte at offset {byte}); save the file as UTF-8 \
         (e.g. iconv -f WINDOWS-1252 -t UTF-8)"
    )
}
