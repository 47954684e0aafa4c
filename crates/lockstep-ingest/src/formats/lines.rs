//! Physical line numbers of CSV records.
//!
//! The `csv` crate's record positions count one line short after a `\r\n` (it
//! ends the record at the `\r` and counts the `\n` with the next record) and
//! after blank lines (it places the next record at the first blank line), so
//! in a file saved on Windows every diagnostic named the line above the bad
//! row. [`LineIndex`] sits under the csv reader, notes where each `\r` and `\n`
//! is as the bytes go by, and turns a record's starting byte into the line of
//! its first character.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that remembers the offsets of the line-break bytes it has passed
/// on and not yet been asked about.
pub(crate) struct LineIndex<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// `(offset, is_newline)` of every `\r` and `\n` at or after the last
    /// position asked about, in order. The csv reader reads ahead by at most its
    /// buffer, so this stays small.
    breaks: VecDeque<(u64, bool)>,
    /// `\n` bytes already dropped from `breaks`.
    newlines: u64,
}

impl<R> LineIndex<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineIndex { inner, offset: 0, breaks: VecDeque::new(), newlines: 0 }
    }

    /// Line (1-based) of the first character of the record that the csv reader
    /// says starts at byte `start`: line breaks at the start (the `\n` of a
    /// `\r\n`, blank lines) are skipped. Calls must come in non-decreasing
    /// order of `start`.
    pub(crate) fn line_at(&mut self, start: u64) -> u64 {
        let mut pos = start;
        while let Some(&(at, newline)) = self.breaks.front() {
            if at > pos {
                break;
            }
            if at == pos {
                pos += 1;
            }
            self.newlines += newline as u64;
            self.breaks.pop_front();
        }
        self.newlines + 1
    }
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
            self.breaks.push_back((self.offset + i as u64, buf[i] == b'\n'));
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;
    use csv::{ByteRecord, ReaderBuilder};

    /// Line of every record (and of every record with a wrong field count), as
    /// the readers compute them.
    fn lines(text: &str) -> Vec<(String, u64)> {
        let mut rdr =
            ReaderBuilder::new().has_headers(true).buffer_capacity(8).from_reader(LineIndex::new(text.as_bytes()));
        rdr.byte_headers().unwrap();
        let mut row = ByteRecord::new();
        let mut out = Vec::new();
        loop {
            match rdr.read_byte_record(&mut row) {
                Ok(true) => {
                    let start = row.position().unwrap().byte();
                    let first = String::from_utf8_lossy(&row[0]).into_owned();
                    out.push((first, rdr.get_mut().line_at(start)));
                }
                Ok(false) => break,
                Err(e) => match e.kind() {
                    csv::ErrorKind::UnequalLengths { pos, .. } => {
                        let start = pos.as_ref().unwrap().byte();
                        out.push(("<bad>".into(), rdr.get_mut().line_at(start)));
                    }
                    other => panic!("{other:?}"),
                },
            }
        }
        out
    }

    fn named(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|&(s, l)| (s.to_string(), l)).collect()
    }

    #[test]
    fn lf_and_crlf_files_give_the_physical_lines() {
        let expected = named(&[("a", 2), ("b", 3), ("<bad>", 4), ("d", 5)]);
        assert_eq!(lines("h,x\na,1\nb,2\nc\nd,4\n"), expected);
        assert_eq!(lines("h,x\r\na,1\r\nb,2\r\nc\r\nd,4\r\n"), expected);
        // No final line break.
        assert_eq!(lines("h,x\r\na,1\r\nb,2\r\nc\r\nd,4"), expected);
    }

    #[test]
    fn blank_lines_and_quoted_line_breaks_are_counted() {
        // Blank lines (LF and CRLF) before a record; a quoted field over three lines.
        let text = "h,x\n\n\na,1\r\n\r\nb,\"two\r\nlines\nhere\"\nc,3\n";
        assert_eq!(lines(text), named(&[("a", 4), ("b", 6), ("c", 9)]));
    }
}
