//! Delimited text split into records, with the `csv` crate's rules (RFC 4180
//! quoting, `\r`, `\n` and `\r\n` all end a record, blank lines skipped) and
//! physical line numbers.
//!
//! Nearly every line of a real export is one plain record: no quote and no
//! carriage return inside. Those are split here with SIMD byte searches
//! (`memchr`) straight out of the read buffer, and their text is checked as
//! UTF-8 once per line rather than once per field. Any other record (a quote,
//! a `\r` inside the line, a quoted line break) goes through `csv-core`, the
//! state machine the `csv` crate is built on. On the 10M-post benchmark input the
//! `csv` crate's byte-at-a-time machine was the largest part of the parsing
//! thread's time, and the parsing thread bounds reading.
//!
//! The tests check records, field counts and line numbers against the `csv`
//! crate read through [`super::lines::LineIndex`] on random inputs.

use crate::sink::Field;
use csv_core::ReadRecordResult;
use std::io::{self, Read};

/// Initial read buffer; it grows to hold the longest record.
const BUFFER: usize = 1 << 20;

/// Splits a byte stream into records (see the module docs).
pub(crate) struct Splitter<R> {
    inner: R,
    buf: Vec<u8>,
    /// Next unread byte of `buf`.
    pos: usize,
    /// End of the bytes read into `buf`.
    end: usize,
    eof: bool,
    /// Line of the byte at `pos` (1-based).
    line: u64,
    delimiter: u8,
    core: csv_core::Reader,
    /// A record parsed by `core`: its fields' bytes and their ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Fields of the current record: byte ranges into `buf` (plain record) or
    /// `out` (parsed by `core`).
    spans: Vec<(usize, usize)>,
}

/// One record.
pub(crate) struct Rec<'a> {
    /// Line of its first character.
    pub line: u64,
    /// Line of its last character (after `line` when a quoted field holds line breaks).
    pub last_line: u64,
    bytes: &'a [u8],
    /// `bytes` as text, when the record was a plain line of valid UTF-8.
    text: Option<&'a str>,
    spans: &'a [(usize, usize)],
}

impl<'a> Rec<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Every field's bytes, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.spans.iter().map(|&(a, b)| &self.bytes[a..b])
    }

    /// Field `i`, as text when the whole line is known to be UTF-8.
    pub fn field(&self, i: usize) -> Option<Field<'a>> {
        let &(a, b) = self.spans.get(i)?;
        Some(match self.text {
            // Fields end at ASCII delimiters, which are character boundaries.
            Some(t) => Field::Str(&t[a..b]),
            None => Field::Bytes(&self.bytes[a..b]),
        })
    }
}

impl<R: Read> Splitter<R> {
    pub(crate) fn new(inner: R, delimiter: u8) -> Self {
        Splitter {
            inner,
            buf: vec![0; BUFFER],
            pos: 0,
            end: 0,
            eof: false,
            line: 1,
            delimiter,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 1024],
            ends: vec![0; 64],
            spans: Vec::new(),
        }
    }

    /// Line of the next unread byte (for errors while reading).
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The next record, or `None` at the end of the input.
    pub(crate) fn next_record(&mut self) -> io::Result<Option<Rec<'_>>> {
        loop {
            let nl = match memchr::memchr(b'\n', &self.buf[self.pos..self.end]) {
                Some(i) => self.pos + i,
                None if !self.eof => {
                    self.fill()?;
                    continue;
                }
                None if self.pos == self.end => return Ok(None),
                None => self.end,
            };
            let mut stop = nl;
            if stop > self.pos && self.buf[stop - 1] == b'\r' {
                stop -= 1;
            }
            if stop == self.pos {
                // A blank line (or the `\n` of a `\r\n` whose `\r` ended a record).
                self.step_over(nl);
                continue;
            }
            let line = &self.buf[self.pos..stop];
            // One pass finds the delimiters and anything that needs the full parser.
            self.spans.clear();
            let mut from = 0;
            for d in memchr::memchr3_iter(self.delimiter, b'"', b'\r', line) {
                if line[d] != self.delimiter {
                    return self.parse_with_core();
                }
                self.spans.push((from, d));
                from = d + 1;
            }
            self.spans.push((from, line.len()));
            let record_line = self.line;
            let start = self.pos;
            self.step_over(nl);
            let bytes = &self.buf[start..stop];
            return Ok(Some(Rec {
                line: record_line,
                last_line: record_line,
                bytes,
                text: std::str::from_utf8(bytes).ok(),
                spans: &self.spans,
            }));
        }
    }

    /// Moves past the line ending at `nl` (its `\n`, or the end of the input).
    fn step_over(&mut self, nl: usize) {
        self.pos = (nl + 1).min(self.end);
        self.line += (nl < self.end) as u64;
    }

    /// Parses the record at `pos` with `csv-core`, reading more input as it needs.
    fn parse_with_core(&mut self) -> io::Result<Option<Rec<'_>>> {
        self.core.reset();
        let (mut n_out, mut n_ends) = (0, 0);
        // Line of the record's first character; line breaks `core` skips before it
        // (blank lines) are counted, those after it make `last_line`.
        let mut first: Option<u64> = None;
        let mut last_byte = 0u8;
        loop {
            let input = &self.buf[self.pos..self.end];
            let (res, n_in, o, e) = self.core.read_record(input, &mut self.out[n_out..], &mut self.ends[n_ends..]);
            let consumed = &input[..n_in];
            let newlines = |b: &[u8]| memchr::memchr_iter(b'\n', b).count() as u64;
            if first.is_none() {
                if let Some(k) = consumed.iter().position(|&b| b != b'\r' && b != b'\n') {
                    first = Some(self.line + newlines(&consumed[..k]));
                }
            }
            self.line += newlines(consumed);
            if let Some(&b) = consumed.last() {
                last_byte = b;
            }
            self.pos += n_in;
            n_out += o;
            n_ends += e;
            match res {
                ReadRecordResult::InputEmpty => {
                    if !self.eof {
                        self.fill()?;
                    }
                }
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return Ok(None),
            }
        }
        let first = first.unwrap_or(self.line);
        // `self.line` now counts the record's own line breaks and, when a `\n`
        // ended it, that one too.
        let last_line = self.line - (last_byte == b'\n') as u64;
        self.spans.clear();
        let mut from = 0;
        for &e in &self.ends[..n_ends] {
            self.spans.push((from, e));
            from = e;
        }
        Ok(Some(Rec {
            line: first,
            last_line: last_line.max(first),
            bytes: &self.out[..n_out],
            text: None,
            spans: &self.spans,
        }))
    }

    /// Moves the unread bytes to the front and reads more after them (growing
    /// the buffer when a record fills it); sets `eof` at the end of the input.
    fn fill(&mut self) -> io::Result<()> {
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Splitter;
    use crate::formats::lines::LineIndex;
    use csv::{ByteRecord, ReaderBuilder};

    /// Every record as `(fields, line, last line)`, as the splitter gives them,
    /// reading through a tiny buffer so records cross refills.
    fn split(text: &[u8], chunk: usize) -> Vec<(Vec<Vec<u8>>, u64, u64)> {
        let mut s = Splitter::new(Chunks(text, chunk), b',');
        s.buf = vec![0; 4];
        let mut out = Vec::new();
        while let Some(r) = s.next_record().unwrap() {
            let fields = r.fields().map(<[u8]>::to_vec).collect();
            out.push((fields, r.line, r.last_line));
        }
        out
    }

    /// Fields and line of every record from the `csv` crate and `LineIndex`
    /// (the reader before the splitter). Its last lines are not compared: at
    /// the end of the input and before blank lines they were off by one.
    fn oracle(text: &[u8]) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut rdr =
            ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(8).from_reader(LineIndex::new(text));
        let mut row = ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut row).unwrap() {
            let line = rdr.get_mut().line_at(row.position().unwrap().byte());
            out.push((row.iter().map(<[u8]>::to_vec).collect(), line));
        }
        out
    }

    /// A reader handing out at most `n` bytes per call.
    struct Chunks<'a>(&'a [u8], usize);

    impl std::io::Read for Chunks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn without_last(records: Vec<(Vec<Vec<u8>>, u64, u64)>) -> Vec<(Vec<Vec<u8>>, u64)> {
        records.into_iter().map(|(f, l, _)| (f, l)).collect()
    }

    #[test]
    fn plain_quoted_and_multiline_records() {
        let text = b"h,x\n\na,1\r\n\r\nb,\"two\r\nlines\nhere\"\nc,\"q\"\"d\"\r\nd,4";
        let got = split(text, 3);
        assert_eq!(without_last(got.clone()), oracle(text));
        assert_eq!(got[0], (vec![b"h".to_vec(), b"x".to_vec()], 1, 1));
        assert_eq!(got[2], (vec![b"b".to_vec(), b"two\r\nlines\nhere".to_vec()], 5, 7));
        assert_eq!(got[3].0[1], b"q\"d");
        assert_eq!(got.last().unwrap().1, 9);
    }

    #[test]
    fn a_quote_left_open_runs_to_the_end() {
        assert_eq!(split(b"a,\"b\nc,d\n", 2), vec![(vec![b"a".to_vec(), b"b\nc,d\n".to_vec()], 1, 2)]);
    }

    #[test]
    fn empty_and_blank_inputs_have_no_records() {
        for text in [&b""[..], b"\n", b"\r\n\r\n", b"\n\n\n"] {
            assert!(split(text, 1).is_empty());
            assert!(oracle(text).is_empty());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Fields, field counts and lines equal the `csv` crate's on inputs
        /// built from delimiters, quotes, both line breaks, text and a non-ASCII
        /// byte, read in chunks of every size.
        #[test]
        fn same_as_the_csv_crate(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![&b","[..], b"\"", b"\r", b"\n", b"\r\n", b"ab", b"c", b"\xc3\xa9", b"\xff", b" "]),
                0..60,
            ),
            chunk in 1usize..9,
        ) {
            let text: Vec<u8> = parts.concat();
            proptest::prop_assert_eq!(without_last(split(&text, chunk)), oracle(&text));
        }
    }
}
