//! Delimited text split into records, with the `csv` crate's rules (RFC 4180
//! quoting, `\r`, `\n` and `\r\n` all end a record, blank lines skipped) and
//! physical line numbers.
//!
//! Nearly every line of a real export is one plain record: no quote and no
//! carriage return inside. Those are split here with SIMD byte searches
//! (`memchr`) straight out of the read buffer: one search finds the longest run
//! of whole lines (ending in `\n` or `\r\n`) without `"` or another `\r` among
//! the bytes read and checks its text
//! as UTF-8 once, then each line is split at its delimiters and line break in
//! one pass. Any other record (a quote,
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
    /// `buf[pos..plain_end]` (when `pos < plain_end`) is whole lines, each
    /// ending in `\n` or `\r\n`, with no `"` and no other `\r`: records split
    /// at delimiters.
    plain_end: usize,
    /// Whether `buf[pos..plain_end]` is valid UTF-8 (checked once for all its lines).
    plain_utf8: bool,
    /// In the plain lines, the delimiters and line breaks not yet passed in
    /// the 64 bytes from `marks_base`: bit `i` set for the byte at `marks_base + i`.
    marks: u64,
    marks_base: usize,
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
            Some(t) => {
                assert!(a <= b && b <= t.len());
                // SAFETY: in bounds (checked above). `text` is set only for
                // records split at delimiters and line ends, ASCII bytes, so
                // `a` and `b` are character boundaries (unquoted fields: a
                // record parsed by `csv-core` has no `text`).
                #[allow(unsafe_code)]
                Field::Str(unsafe { t.get_unchecked(a..b) })
            }
            None => Field::Bytes(&self.bytes[a..b]),
        })
    }
}

impl<R: Read> Splitter<R> {
    pub(crate) fn new(inner: R, delimiter: u8) -> Self {
        Self::with_buffer(inner, delimiter, vec![0; BUFFER])
    }

    fn with_buffer(inner: R, delimiter: u8, buf: Vec<u8>) -> Self {
        debug_assert!(!matches!(delimiter, 0 | b'\n' | b'\r' | b'"'), "delimiter {delimiter:?}");
        Splitter {
            inner,
            buf,
            pos: 0,
            end: 0,
            eof: false,
            line: 1,
            plain_end: 0,
            plain_utf8: false,
            marks: 0,
            marks_base: 0,
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

    /// True once the whole input has been read into the buffer (what is left
    /// to split is in memory).
    pub(crate) fn read_all(&self) -> bool {
        self.eof
    }

    /// The inner reader, the bytes read from it but not yet split, and the line
    /// of the first of them: where another reader of the same input goes on.
    pub(crate) fn into_rest(mut self) -> (R, Vec<u8>, u64) {
        self.buf.truncate(self.end);
        self.buf.drain(..self.pos);
        (self.inner, self.buf, self.line)
    }
}

impl Splitter<io::Empty> {
    /// A splitter of input held in memory (see [`Splitter::split_chunk`]).
    pub(crate) fn for_chunks(delimiter: u8) -> Self {
        Splitter::with_buffer(io::empty(), delimiter, Vec::new())
    }

    /// Goes on with `chunk`, whole records of an input whose first line is
    /// `line` (it starts where a record starts, see [`last_record_end`]), as
    /// the whole input; returns the previous chunk's bytes for reuse.
    pub(crate) fn split_chunk(&mut self, chunk: Vec<u8>, line: u64) -> Vec<u8> {
        self.pos = 0;
        self.end = chunk.len();
        self.eof = true;
        self.line = line;
        self.plain_end = 0;
        std::mem::replace(&mut self.buf, chunk)
    }
}

/// Where the last whole record of `buf` ends (just after its `\n`), when
/// `buf` starts where a record starts: the end of a chunk that can be split
/// apart from what follows it with the same records and lines. `None` when
/// no record in `buf` is known to be whole.
///
/// A `\n` ends a record unless it is inside a quoted field. With `csv-core`'s
/// rules a quote opens a quoted field only as the first byte of a field (after
/// a delimiter, a `\r` or `\n`, or at the start); inside, `""` is a quote and a
/// quote followed by anything else closes it. A closing quote at the very end
/// of `buf` could still be the first half of `""`, so what follows an open
/// quote is never whole until the byte after its closing quote is there.
pub(crate) fn last_record_end(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut last = None;
    let mut i = 0;
    loop {
        // Outside quotes: up to the next quote, every `\n` ends a record.
        let q = memchr::memchr(b'"', &buf[i..]).map(|q| i + q);
        let stop = q.unwrap_or(buf.len());
        if let Some(nl) = memchr::memrchr(b'\n', &buf[i..stop]) {
            last = Some(i + nl + 1);
        }
        let Some(q) = q else { return last };
        i = q + 1;
        if !(q == 0 || matches!(buf[q - 1], b'\n' | b'\r') || buf[q - 1] == delimiter) {
            continue; // A quote inside an unquoted field is text.
        }
        // Inside a quoted field: to the quote that closes it.
        loop {
            let Some(close) = memchr::memchr(b'"', &buf[i..]).map(|c| i + c) else { return last };
            match buf.get(close + 1) {
                Some(b'"') => i = close + 2,
                Some(_) => {
                    i = close + 1;
                    break;
                }
                None => return last,
            }
        }
    }
}

impl<R: Read> Splitter<R> {
    /// The next record, or `None` at the end of the input.
    pub(crate) fn next_record(&mut self) -> io::Result<Option<Rec<'_>>> {
        loop {
            if self.pos < self.plain_end || self.find_plain() {
                let (start, stop, nl) = self.split_plain();
                let line = self.line;
                self.pos = nl + 1;
                self.line += 1;
                if stop == start {
                    continue; // A blank line.
                }
                let bytes = &self.buf[start..stop];
                let text = if self.plain_utf8 {
                    // SAFETY: the plain lines are valid UTF-8 (`find_plain`) and
                    // `bytes` is one of them without its line end: cut at ASCII
                    // bytes, so at character boundaries. Checking every line
                    // again cost as much as splitting it.
                    #[allow(unsafe_code)]
                    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
                } else {
                    std::str::from_utf8(bytes).ok()
                };
                return Ok(Some(Rec { line, last_line: line, bytes, text, spans: &self.spans }));
            }
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

    /// Looks for plain lines from `pos` (see `plain_end`) in the bytes read,
    /// up to the first `"` or `\r` that does not end a line; true when there
    /// is at least one.
    fn find_plain(&mut self) -> bool {
        let rest = &self.buf[self.pos..self.end];
        let mut from = 0;
        let limit = loop {
            match memchr::memchr2(b'"', b'\r', &rest[from..]) {
                Some(i) if rest[from + i] == b'\r' && rest.get(from + i + 1) == Some(&b'\n') => from += i + 2,
                Some(i) => break from + i,
                None => break rest.len(),
            }
        };
        match memchr::memrchr(b'\n', &rest[..limit]) {
            Some(nl) => {
                self.plain_utf8 = std::str::from_utf8(&rest[..=nl]).is_ok();
                self.plain_end = self.pos + nl + 1;
                self.marks_base = self.pos;
                self.marks = self.marks_at(self.pos);
                true
            }
            None => false,
        }
    }

    /// Splits the plain line at `pos` into `spans` (relative to `pos`);
    /// returns where it starts, where its text stops (before `\r\n` or `\n`)
    /// and where its `\n` is.
    fn split_plain(&mut self) -> (usize, usize, usize) {
        let start = self.pos;
        self.spans.clear();
        let mut from = start;
        loop {
            // The plain lines end in `\n`, so there is always a next mark.
            while self.marks == 0 {
                self.marks_base += 64;
                self.marks = self.marks_at(self.marks_base);
            }
            let m = self.marks_base + self.marks.trailing_zeros() as usize;
            self.marks &= self.marks - 1;
            if self.buf[m] == b'\n' {
                let stop = if m > from && self.buf[m - 1] == b'\r' { m - 1 } else { m };
                self.spans.push((from - start, stop - start));
                return (start, stop, m);
            }
            self.spans.push((from - start, m - start));
            from = m + 1;
        }
    }

    /// The delimiters and line breaks among the 64 bytes of the plain lines
    /// from `base` (bits past `plain_end` clear).
    fn marks_at(&self, base: usize) -> u64 {
        debug_assert!(base < self.plain_end, "ran past the last line break");
        let mut window = [0u8; 64];
        let chunk = match self.buf.get(base..base + 64).filter(|_| base + 64 <= self.plain_end) {
            Some(c) => c,
            None => {
                let tail = &self.buf[base..self.plain_end];
                window[..tail.len()].copy_from_slice(tail);
                &window[..]
            }
        };
        marks64(chunk.try_into().expect("64 bytes"), self.delimiter)
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
        self.plain_end = 0;
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

/// Bit `i` set where `chunk[i]` is `delimiter` or `\n` (the delimiter is
/// never NUL, which pads the last window).
#[cfg(target_arch = "x86_64")]
#[inline]
fn marks64(chunk: &[u8; 64], delimiter: u8) -> u64 {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut bits = 0u64;
    // SAFETY: SSE2 is part of x86_64; each load reads 16 bytes inside `chunk`
    // (offsets 0, 16, 32, 48 of 64), unaligned loads allowed.
    #[allow(unsafe_code)]
    unsafe {
        let (d, nl) = (_mm_set1_epi8(delimiter as i8), _mm_set1_epi8(b'\n' as i8));
        for k in 0..4 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k).cast::<__m128i>());
            let hit = _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, nl));
            bits |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
        }
    }
    bits
}

/// Portable [`marks64`].
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn marks64(chunk: &[u8; 64], delimiter: u8) -> u64 {
    marks64_scalar(chunk, delimiter)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn marks64_scalar(chunk: &[u8; 64], delimiter: u8) -> u64 {
    chunk.iter().enumerate().fold(0, |m, (i, &b)| m | (u64::from(b == delimiter || b == b'\n') << i))
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
            let fields: Vec<Vec<u8>> = r.fields().map(<[u8]>::to_vec).collect();
            for (i, f) in fields.iter().enumerate() {
                // Text is handed out only for bytes that are valid UTF-8.
                if let Some(crate::sink::Field::Str(t)) = r.field(i) {
                    assert!(std::str::from_utf8(f).is_ok() && t.as_bytes() == f.as_slice());
                }
            }
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
        /// The SIMD mask marks the same bytes as a byte-by-byte loop.
        #[test]
        fn marks_as_byte_by_byte(bytes in proptest::collection::vec(proptest::sample::select(vec![b',', b'\t', b'\n', b'a', 0, 0xff]), 64), tab: bool) {
            let chunk: [u8; 64] = bytes.try_into().unwrap();
            let d = if tab { b'\t' } else { b',' };
            proptest::prop_assert_eq!(super::marks64(&chunk, d), super::marks64_scalar(&chunk, d));
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
                proptest::sample::select(vec![&b","[..], b"\"", b"\r", b"\n", b"\r\n", b"ab", b"c", b"\xc3\xa9", b"\xff", b" ",
                    // Longer than a 64-byte window of line-break and delimiter marks.
                    b"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789",
                    b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"]),
                0..80,
            ),
            chunk in proptest::sample::select(vec![1usize, 2, 3, 5, 8, 63, 64, 100, 4096]),
        ) {
            let text: Vec<u8> = parts.concat();
            proptest::prop_assert_eq!(without_last(split(&text, chunk)), oracle(&text));
        }

        /// Split apart where `last_record_end` says a prefix's last whole record
        /// ends, the two sides give the records and lines of the whole.
        #[test]
        fn record_ends_cut_between_records(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![&b","[..], b"\"", b"\"\"", b"\r", b"\n", b"\r\n", b"ab", b"\xff", b" "]),
                0..80,
            ),
            at in 0.0..=1.0f64,
        ) {
            let text: Vec<u8> = parts.concat();
            let prefix = &text[..(at * text.len() as f64) as usize];
            if let Some(end) = super::last_record_end(prefix, b',') {
                proptest::prop_assert_eq!(prefix[end - 1], b'\n');
                let mut s = Splitter::for_chunks(b',');
                let mut records = Vec::new();
                let mut line = 1;
                for part in [&text[..end], &text[end..]] {
                    s.split_chunk(part.to_vec(), line);
                    while let Some(r) = s.next_record().unwrap() {
                        records.push((r.fields().map(<[u8]>::to_vec).collect::<Vec<_>>(), r.line, r.last_line));
                    }
                    line += memchr::memchr_iter(b'\n', part).count() as u64;
                }
                proptest::prop_assert_eq!(records, split(&text, 4096));
            }
        }
    }

    #[test]
    fn record_ends_skip_quoted_line_breaks() {
        use super::last_record_end;
        assert_eq!(last_record_end(b"a,b\nc,d", b','), Some(4));
        assert_eq!(last_record_end(b"a,\"b\nc\",d\ne", b','), Some(10));
        assert_eq!(last_record_end(b"a,\"b\nc", b','), None);
        // A quote inside an unquoted field is text.
        assert_eq!(last_record_end(b"a,b\"c\nd", b','), Some(6));
        // A quote at the end may be the first of `""`: nothing after it is whole yet.
        assert_eq!(last_record_end(b"x\na,\"b\"", b','), Some(2));
        assert_eq!(last_record_end(b"a\tb\n\"c\td\n", b'\t'), Some(4));
    }
}
