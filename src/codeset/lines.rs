//! A reader wrapper that remembers where lines start, so parse errors can name a line and column.
use std::io::{self, BufRead, Read};

/// Wraps a [`BufRead`] and records the byte offset of every line break that passes through it.
pub struct LineCounter<R> {
    inner: R,
    consumed: u64,
    newlines: Vec<u64>,
}

impl<R: BufRead> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            consumed: 0,
            newlines: Vec::new(),
        }
    }

    /// 1-based line and column (in bytes) of byte offset `pos`, as far as it has been read.
    pub fn line_col(&self, pos: u64) -> (u64, u64) {
        let before = self.newlines.partition_point(|&nl| nl < pos);
        let line_start = if before == 0 {
            0
        } else {
            self.newlines[before - 1] + 1
        };
        (before as u64 + 1, pos.saturating_sub(line_start) + 1)
    }

    /// "line L, column C" for byte offset `pos`.
    pub fn describe(&self, pos: u64) -> String {
        let (line, col) = self.line_col(pos);
        format!("line {line}, column {col}")
    }
}

impl<R: BufRead> Read for LineCounter<R> {
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

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt > 0 {
            // The buffer is non-empty when something is consumed, so this does no new I/O.
            if let Ok(buf) = self.inner.fill_buf() {
                let base = self.consumed;
                let upto = amt.min(buf.len());
                self.newlines.extend(
                    buf[..upto]
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'\n')
                        .map(|(i, _)| base + i as u64),
                );
            }
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines() {
        let mut r = LineCounter::new(io::Cursor::new(b"ab\ncd\n\nef".to_vec()));
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(r.line_col(0), (1, 1));
        assert_eq!(r.line_col(1), (1, 2));
        assert_eq!(r.line_col(3), (2, 1));
        assert_eq!(r.line_col(7), (4, 1));
        assert_eq!(r.describe(8), "line 4, column 2");
    }
}
