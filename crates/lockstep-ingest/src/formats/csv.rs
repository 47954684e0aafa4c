//! CSV and TSV (RFC 4180 quoting in both: quoted fields may hold delimiters,
//! quotes and newlines). The first row is the header. Line numbers are those of
//! the physical line where a record starts; the header is line 1.
//!
//! After the header, an input larger than what the first read brought in is
//! split on several threads ([`super::chunks`]); a smaller one here.

use super::chunks::{self, Cut};
use super::split::Splitter;
use super::{find_column, Reader};
use crate::sink::{reason, Field, Record, Sink};
use crate::source::Source;
use crate::{Error, Result};
use std::io::Read;

/// Delimited text with a header row, split as `cut` says (its `threads`: 1
/// reads everything on the calling thread).
pub(crate) struct DelimitedReader {
    pub cut: Cut,
}

impl DelimitedReader {
    /// A reader of `delimiter`-separated text with the default chunk size and
    /// one parsing thread per core.
    pub fn new(delimiter: u8) -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(chunks::MAX_THREADS);
        DelimitedReader { cut: Cut { delimiter, chunk: chunks::CHUNK, threads } }
    }
}

/// Where the columns of a share are among a record's fields.
#[derive(Debug, Clone, Copy)]
struct Layout {
    fields: usize,
    account: usize,
    object: usize,
    time: usize,
    kind: Option<usize>,
    post: Option<usize>,
}

impl Reader for DelimitedReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let Source { info, reader, .. } = src;
        let mut rdr = Splitter::new(reader, self.cut.delimiter);
        let header = match rdr.next_record() {
            Ok(Some(h)) => h,
            Ok(None) => return Err(Error::Empty { file: info.name, what: "no header line" }),
            Err(e) => return Err(info.read_error(rdr.line(), e)),
        };
        let names: Vec<String> = header
            .fields()
            .map(|h| {
                let h = h.strip_prefix(b"\xef\xbb\xbf").unwrap_or(h);
                String::from_utf8_lossy(h).trim().to_string()
            })
            .collect();
        let cols = sink.columns().clone();
        let required = |name: &str, role: &'static str| {
            find_column(&names, name).ok_or_else(|| Error::MissingColumn {
                file: info.name.clone(),
                role,
                column: name.to_string(),
                available: names.clone(),
            })
        };
        let auto_kind = (cols.kind.is_none() && sink.options().auto_kind_column)
            .then(|| find_column(&names, crate::AUTO_KIND_COLUMN))
            .flatten();
        let layout = Layout {
            fields: names.len(),
            account: required(&cols.account, "account")?,
            object: required(&cols.object, "object")?,
            time: required(&cols.time, "time")?,
            kind: cols.kind.as_deref().map(|k| required(k, "kind")).transpose()?.or(auto_kind),
            post: cols.post.as_deref().and_then(|p| find_column(&names, p)),
        };
        // A column read twice over in the header: which one is meant is unclear.
        for (role, i) in
            [("account", Some(layout.account)), ("object", Some(layout.object)), ("time", Some(layout.time))]
                .into_iter()
                .chain([("kind", layout.kind), ("post", layout.post)])
        {
            let Some(i) = i else { continue };
            let count = names.iter().filter(|n| **n == names[i]).count();
            if count > 1 {
                return Err(Error::DuplicateColumn { file: info.name, role, column: names[i].clone(), count });
            }
        }
        if self.cut.threads <= 1 || rdr.read_all() {
            rows(&mut rdr, sink, layout)?;
        } else {
            let (mut inner, rest, line) = rdr.into_rest();
            let parse = |s: &mut Splitter<std::io::Empty>, sink: &mut Sink<'_>| rows(s, sink, layout);
            chunks::read(&mut inner, rest, line, self.cut, sink, parse)?;
        }
        if sink.records() == 0 {
            return Err(Error::Empty { file: info.name, what: "a header but no records" });
        }
        Ok(())
    }
}

/// Hands every record after the header to the sink.
fn rows<R: Read>(rdr: &mut Splitter<R>, sink: &mut Sink<'_>, at: Layout) -> Result<()> {
    loop {
        let rec = match rdr.next_record() {
            Ok(Some(rec)) => rec,
            Ok(None) => return Ok(()),
            Err(e) => return Err(sink.info().read_error(rdr.line(), e)),
        };
        let line = rec.line;
        if rec.len() != at.fields {
            let mut detail = format!("{} fields, the header has {}", rec.len(), at.fields);
            if rec.last_line > line {
                detail.push_str(&format!(
                    "; the record runs over lines {line}-{}: a quote opened on line {line} \
                     is not closed, so the lines after it were read as part of this record",
                    rec.last_line
                ));
            }
            sink.reject(line, reason::WRONG_FIELD_COUNT, detail)?;
            continue;
        }
        let get = |i: usize| rec.field(i).unwrap_or(Field::Missing);
        let record = Record {
            account: get(at.account),
            object: get(at.object),
            time: get(at.time),
            post: at.post.map_or(Field::Missing, get),
            kind: at.kind.map_or(Field::Missing, get),
        };
        sink.accept(line, &record)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::{Format, ReadOptions, ReadSummary};
    use lockstep_core::{Dataset, Diagnostics};

    /// Reads `text` as CSV with the given chunk size and parsing threads.
    fn read(text: &[u8], opts: &ReadOptions, chunk: usize, threads: usize) -> (Dataset, Diagnostics, String) {
        let (mut ds, mut diags) = (Dataset::default(), Diagnostics::default());
        let src = Source::from_read("t.csv".into(), None, Box::new(std::io::Cursor::new(text.to_vec())), None)
            .expect("some bytes");
        let info = src.info.clone();
        let mut sink = Sink::new(&mut ds, &mut diags, opts, info);
        let res = DelimitedReader { cut: Cut { delimiter: b',', chunk, threads } }.read(src, &mut sink);
        let summary: std::result::Result<ReadSummary, String> = match res {
            Ok(()) => Ok(sink.finish(Format::Csv)),
            Err(e) => {
                drop(sink);
                Err(e.to_string())
            }
        };
        (ds, diags, format!("{summary:?}"))
    }

    /// Every share as text, in order, and the interned accounts and objects in id order.
    fn contents(ds: &Dataset) -> (Vec<String>, Vec<String>, Vec<String>) {
        let shares = ds
            .shares
            .iter()
            .map(|s| {
                let (a, o, p) = (ds.accounts.get(s.account), ds.objects.get(s.object), ds.posts.get(s.post));
                format!("{a}|{o}|{}|{p}|{}", ds.kind_of(s.object), s.time)
            })
            .collect();
        let accounts = (0..ds.accounts.len() as u32).map(|i| ds.accounts.get(i).to_string()).collect();
        let objects = (0..ds.objects.len() as u32).map(|i| ds.objects.get(i).to_string()).collect();
        (shares, accounts, objects)
    }

    fn same_as_one_thread(text: &[u8], strict: bool) {
        let opts = ReadOptions { strict, ..ReadOptions::default() };
        let (ds, diags, summary) = read(text, &opts, usize::MAX, 1);
        for chunk in [1, 2, 7, 64, 300, 4096] {
            for threads in [2, 3] {
                let (ds2, diags2, summary2) = read(text, &opts, chunk, threads);
                assert_eq!(summary2, summary, "chunk {chunk}, threads {threads}");
                assert_eq!(contents(&ds2), contents(&ds), "chunk {chunk}, threads {threads}");
                assert_eq!(format!("{diags2:?}"), format!("{diags:?}"), "chunk {chunk}, threads {threads}");
            }
        }
    }

    /// A file with what goes wrong in real exports: bad timestamps, a wrong
    /// field count, quoted delimiters, quotes and line breaks, CRLF, blank
    /// lines, non-UTF-8 bytes and a missing final line break.
    const MIXED: &[u8] = b"account_id,object_id,timestamp_share,content_id\n\
        a,https://x.example/1,1700000000,p1\n\
        b,https://x.example/1,1700000005,p2\n\
        c,\"https://y.example/?a=1,b=2\",1700000010,p3\r\n\
        \n\
        d,#tag,not-a-time,p4\n\
        e,\"two\nlines\",1700000020,p5\n\
        f,#tag,1700000030\n\
        g,\"say \"\"hi\"\"\",1700000040,p6\n\
        h\xff,#tag,1700000050,p7\n\
        a,#tag,1700000060,p8\n\
        i,\"open,1700000070,p9\n\
        j,k,1700000080,p10";

    #[test]
    fn chunks_on_threads_read_as_one_thread() {
        same_as_one_thread(MIXED, false);
        let (ds, diags, _) = read(MIXED, &ReadOptions::default(), 7, 2);
        assert_eq!(ds.shares.len(), 6);
        assert_eq!(diags.skipped, 4);
    }

    #[test]
    fn strict_stops_at_the_first_bad_record_in_input_order() {
        same_as_one_thread(MIXED, true);
        let opts = ReadOptions { strict: true, ..ReadOptions::default() };
        let (ds, _, summary) = read(MIXED, &opts, 7, 2);
        assert!(summary.contains("t.csv:6"), "{summary}");
        assert_eq!(ds.shares.len(), 3);
    }

    #[test]
    fn a_truncated_gzip_fails_at_the_same_line() {
        use std::io::Write;
        let mut text = String::from("account_id,object_id,timestamp_share,content_id\n");
        for i in 0..20_000 {
            text.push_str(&format!("acct{},https://x.example/{},{},p{i}\n", i % 97, i % 1013, 1_700_000_000 + i));
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let truncated = &gz[..gz.len() * 3 / 5];
        let opts = ReadOptions::default();
        let (_, _, one) = read(truncated, &opts, usize::MAX, 1);
        assert!(one.contains("truncated gzip stream after line"), "{one}");
        for chunk in [1000, 4096, 1 << 20] {
            assert_eq!(read(truncated, &opts, chunk, 2).2, one, "chunk {chunk}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Random rows of good and bad fields, quotes and line breaks read the
        /// same on several threads in chunks of any size as on one thread.
        #[test]
        fn random_inputs_read_as_one_thread(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        "a", "b", "\"q,\"\"x\"", "\"multi\nline\"", "1700000000", "1700000001", "x1", "", "\"", "\u{e9}",
                    ]),
                    1..6,
                ),
                0..40,
            ),
            crlf: bool,
            strict: bool,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("account_id,object_id,timestamp_share,content_id{end}");
            for row in &rows {
                text.push_str(&row.join(","));
                text.push_str(end);
            }
            same_as_one_thread(text.as_bytes(), strict);
        }
    }
}
