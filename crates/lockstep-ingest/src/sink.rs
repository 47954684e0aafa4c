//! The sink every reader feeds: it validates one raw record, turns it into a
//! share in the [`Dataset`], or skips it with a [`Diagnostic`] (or, in strict
//! mode, stops with [`Error::Record`]). Readers only extract raw field values;
//! all the rules about what makes a record good live here, once.

use crate::source::SourceInfo;
use crate::time::{self, parse_timestamp};
use crate::{ColumnMap, Error, Format, ReadOptions, ReadSummary, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_core::{Dataset, Diagnostic, Diagnostics, ShareBatch};
use std::fmt::Write as _;

/// Stable reason codes of skipped records.
pub(crate) mod reason {
    /// A required field is absent (missing key, null, short row).
    pub const MISSING_FIELD: &str = "missing_field";
    /// A required field is empty (account, object, kind).
    pub const EMPTY_FIELD: &str = "empty_field";
    /// The time field is not a recognised timestamp.
    pub const BAD_TIMESTAMP: &str = "bad_timestamp";
    /// A JSON line does not parse, is not an object, or a field holds an
    /// array, object or boolean.
    pub const BAD_JSON: &str = "bad_json";
    /// A field needed for the share is not valid UTF-8.
    pub const BAD_UTF8: &str = "bad_utf8";
    /// A delimited row has a different number of fields than the header.
    pub const WRONG_FIELD_COUNT: &str = "wrong_field_count";
}

/// Records between progress-bar updates (a power of two).
const PROGRESS_EVERY: u64 = 1 << 16;

/// One raw field value as a reader found it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field<'a> {
    /// Absent: no such column/key, or null.
    Missing,
    /// Raw bytes, UTF-8 not yet checked (delimited text).
    Bytes(&'a [u8]),
    /// Text.
    Str(&'a str),
    /// An integer (ids are written in decimal; times go by the time unit).
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// A time already converted to UNIX seconds (typed timestamp columns).
    Seconds(i64),
    /// A value of a type that cannot be used (a JSON array, object or boolean).
    Invalid(&'static str),
}

/// The raw fields of one record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    pub account: Field<'a>,
    pub object: Field<'a>,
    pub time: Field<'a>,
    /// `Missing` (or empty) → the post id is `{source}:{line}`.
    pub post: Field<'a>,
    /// Ignored unless [`ColumnMap::kind`] is set.
    pub kind: Field<'a>,
}

/// Why a record was skipped.
struct Problem {
    reason: &'static str,
    detail: String,
}

#[derive(Default)]
struct Bufs {
    account: String,
    object: String,
    post: String,
    kind: String,
}

/// Where a sink's batches go.
pub(crate) enum Target<'a> {
    /// Interned on the calling thread (the unit tests' sink).
    #[cfg_attr(not(test), allow(dead_code))]
    Direct(&'a mut Dataset),
    /// Sent to a consumer thread that interns them while the reader parses on;
    /// emptied batches come back on `empty` for reuse.
    Channel {
        /// Full batches out.
        full: std::sync::mpsc::SyncSender<ShareBatch>,
        /// Emptied batches back.
        empty: std::sync::mpsc::Receiver<ShareBatch>,
    },
}

/// Shares are interned in batches of this many (see `Dataset::push_batch`).
const BATCH: usize = 16_384;

/// Validates records and pushes shares in batches; counts everything.
pub(crate) struct Sink<'a> {
    target: Target<'a>,
    diags: &'a mut Diagnostics,
    opts: &'a ReadOptions,
    info: SourceInfo,
    bufs: Bufs,
    batch: ShareBatch,
    records: u64,
    shares: u64,
    skipped: u64,
    progress: Option<ProgressBar>,
}

impl<'a> Sink<'a> {
    #[cfg(test)]
    pub fn new(ds: &'a mut Dataset, diags: &'a mut Diagnostics, opts: &'a ReadOptions, info: SourceInfo) -> Self {
        Self::with_target(Target::Direct(ds), diags, opts, info)
    }

    /// A sink whose batches are interned on another thread (see [`Target::Channel`]).
    pub fn with_target(
        target: Target<'a>,
        diags: &'a mut Diagnostics,
        opts: &'a ReadOptions,
        info: SourceInfo,
    ) -> Self {
        let progress = opts.progress.then(|| new_progress(&info));
        Sink {
            target,
            diags,
            opts,
            info,
            bufs: Bufs::default(),
            batch: ShareBatch::default(),
            records: 0,
            shares: 0,
            skipped: 0,
            progress,
        }
    }

    /// The column names asked for.
    pub fn columns(&self) -> &ColumnMap {
        &self.opts.columns
    }

    /// The input's display name.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// Records seen so far (good and skipped).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Shares pushed so far.
    pub fn shares(&self) -> u64 {
        self.shares
    }

    /// Takes one record found at `line` (1-based line or record number).
    #[inline]
    pub fn accept(&mut self, line: u64, rec: &Record<'_>) -> Result<()> {
        self.count_record();
        let Sink { opts, info, bufs, batch, .. } = self;
        match convert(bufs, opts, &info.name, line, rec) {
            Ok(share) => {
                batch.push(share.account, share.object, share.kind, share.post, share.time);
                self.shares += 1;
                if self.batch.len() >= BATCH {
                    self.flush();
                }
                Ok(())
            }
            Err(p) => self.problem(line, p),
        }
    }

    /// Skips one record that a reader could not even split into fields.
    pub fn reject(&mut self, line: u64, reason: &'static str, detail: String) -> Result<()> {
        self.count_record();
        self.problem(line, Problem { reason, detail })
    }

    /// Interns the pending shares into the dataset.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        match &mut self.target {
            Target::Direct(ds) => {
                ds.push_batch(&self.batch);
                self.batch.clear();
            }
            Target::Channel { full, empty } => {
                let next = empty.try_recv().unwrap_or_default();
                let batch = std::mem::replace(&mut self.batch, next);
                // The receiver only stops when this sink is gone; a send error
                // means the consumer panicked, which the caller's join reports.
                let _ = full.send(batch);
            }
        }
    }

    /// The summary, once the reader is done (pushes the last batch).
    pub fn finish(mut self, format: Format) -> ReadSummary {
        self.flush();
        ReadSummary {
            source: self.info.name.clone(),
            records: self.records,
            shares: self.shares,
            skipped: self.skipped,
            bytes: self.info.raw_bytes(),
            format,
        }
    }

    #[inline]
    fn count_record(&mut self) {
        self.records += 1;
        if self.records & (PROGRESS_EVERY - 1) == 0 {
            if let Some(pb) = &self.progress {
                pb.set_position(self.info.raw_bytes());
                pb.set_message(format!("{} records", self.records));
            }
        }
    }

    #[cold]
    fn problem(&mut self, line: u64, p: Problem) -> Result<()> {
        if self.opts.strict {
            // Keep what was read before the bad record.
            self.flush();
            return Err(Error::Record { file: self.info.name.clone(), line, reason: p.reason, detail: p.detail });
        }
        self.skipped += 1;
        self.diags.record(Diagnostic {
            source: self.info.name.clone(),
            line,
            reason: p.reason.to_string(),
            detail: p.detail,
        });
        Ok(())
    }
}

impl Drop for Sink<'_> {
    /// Clears the progress bar, also when a read stops with an error.
    fn drop(&mut self) {
        if let Some(pb) = &self.progress {
            pb.finish_and_clear();
        }
    }
}

fn new_progress(info: &SourceInfo) -> ProgressBar {
    let pb = match info.raw_len {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {prefix} {bytes} ({bytes_per_sec}) {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    pb.set_prefix(info.name.clone());
    pb
}

struct Share<'r> {
    account: &'r str,
    object: &'r str,
    kind: &'r str,
    post: &'r str,
    time: i64,
}

fn convert<'r>(
    bufs: &'r mut Bufs,
    opts: &'r ReadOptions,
    source: &str,
    line: u64,
    rec: &Record<'r>,
) -> std::result::Result<Share<'r>, Problem> {
    let cols = &opts.columns;
    let account = required(rec.account, &cols.account, &mut bufs.account)?;
    let object = required(rec.object, &cols.object, &mut bufs.object)?;
    let kind = match &cols.kind {
        Some(col) => required(rec.kind, col, &mut bufs.kind)?,
        None => opts.kind_label.as_str(),
    };
    let fallback = match rec.post {
        Field::Missing => true,
        Field::Str(s) => s.trim_ascii().is_empty(),
        Field::Bytes(b) => b.trim_ascii().is_empty(),
        _ => false,
    };
    let post = if fallback {
        let buf = &mut bufs.post;
        buf.clear();
        buf.push_str(source);
        buf.push(':');
        buf.push_str(itoa::Buffer::new().format(line));
        buf.as_str()
    } else {
        text(rec.post, cols.post.as_deref().unwrap_or("post"), &mut bufs.post)?.unwrap_or_default()
    };
    let time = time_of(rec.time, &cols.time, opts)?;
    Ok(Share { account, object, kind, post, time })
}

/// A field that must be present and non-blank.
#[inline]
fn required<'r>(f: Field<'r>, col: &str, buf: &'r mut String) -> std::result::Result<&'r str, Problem> {
    match text(f, col, buf)? {
        None => Err(Problem { reason: reason::MISSING_FIELD, detail: format!("no value for `{col}`") }),
        Some(s) if s.trim_ascii().is_empty() => {
            Err(Problem { reason: reason::EMPTY_FIELD, detail: format!("`{col}` is empty") })
        }
        Some(s) => Ok(s),
    }
}

/// A field as text (`None` when missing).
#[inline]
fn text<'r>(f: Field<'r>, col: &str, buf: &'r mut String) -> std::result::Result<Option<&'r str>, Problem> {
    Ok(Some(match f {
        Field::Missing => return Ok(None),
        Field::Str(s) => s,
        Field::Bytes(b) => std::str::from_utf8(b).map_err(|e| Problem {
            reason: reason::BAD_UTF8,
            detail: format!("`{col}` is not valid UTF-8 ({e}): {}", shorten(&String::from_utf8_lossy(b))),
        })?,
        Field::Int(v) => {
            buf.clear();
            buf.push_str(itoa::Buffer::new().format(v));
            buf
        }
        Field::Seconds(v) => {
            buf.clear();
            buf.push_str(itoa::Buffer::new().format(v));
            buf
        }
        Field::Float(v) => {
            buf.clear();
            let _ = write!(buf, "{v}");
            buf
        }
        Field::Invalid(what) => {
            return Err(Problem {
                reason: reason::BAD_JSON,
                detail: format!("`{col}` holds {what}, expected a string or a number"),
            })
        }
    }))
}

fn time_of(f: Field<'_>, col: &str, opts: &ReadOptions) -> std::result::Result<i64, Problem> {
    let unit = opts.time_unit;
    let (res, shown) = match f {
        Field::Missing => {
            return Err(Problem { reason: reason::MISSING_FIELD, detail: format!("no value for `{col}`") })
        }
        Field::Invalid(what) => {
            return Err(Problem {
                reason: reason::BAD_JSON,
                detail: format!("`{col}` holds {what}, expected a string or a number"),
            })
        }
        Field::Seconds(v) => return Ok(v),
        Field::Bytes(b) => (parse_timestamp(b, unit), Field::Bytes(b)),
        Field::Str(s) => (parse_timestamp(s.as_bytes(), unit), f),
        Field::Int(v) => (time::from_int(v, unit), f),
        Field::Float(v) => (time::from_float(v, unit), f),
    };
    res.map_err(|why| Problem {
        reason: reason::BAD_TIMESTAMP,
        detail: format!("`{col}` = {}: {why}", shorten(&show(shown))),
    })
}

fn show(f: Field<'_>) -> String {
    match f {
        Field::Bytes(b) => format!("{:?}", String::from_utf8_lossy(b)),
        Field::Str(s) => format!("{s:?}"),
        Field::Int(v) => v.to_string(),
        Field::Float(v) => v.to_string(),
        Field::Seconds(v) => v.to_string(),
        Field::Missing | Field::Invalid(_) => String::new(),
    }
}

/// At most 80 characters of a value, for diagnostics.
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Compression;
    use std::sync::Arc;

    fn info() -> SourceInfo {
        SourceInfo {
            name: "t.csv".into(),
            path: None,
            compression: Compression::None,
            raw_bytes: Arc::default(),
            raw_len: None,
        }
    }

    fn rec<'a>(account: Field<'a>, object: Field<'a>, time: Field<'a>) -> Record<'a> {
        Record { account, object, time, post: Field::Missing, kind: Field::Missing }
    }

    /// Runs records through a sink; returns the dataset, diagnostics and summary.
    fn run(opts: &ReadOptions, recs: &[Record<'_>]) -> (Dataset, Diagnostics, Result<ReadSummary>) {
        let mut ds = Dataset::default();
        let mut diags = Diagnostics::default();
        let mut sink = Sink::new(&mut ds, &mut diags, opts, info());
        let mut res = Ok(());
        for (i, r) in recs.iter().enumerate() {
            res = sink.accept(i as u64 + 2, r);
            if res.is_err() {
                break;
            }
        }
        let summary = res.map(|()| sink.finish(Format::Csv));
        (ds, diags, summary)
    }

    #[test]
    fn good_and_bad_records() {
        use Field::*;
        let opts = ReadOptions::default();
        let recs = [
            rec(Str("a"), Bytes(b"o"), Bytes(b"10")),
            rec(Int(42), Float(1.5), Int(11)),
            rec(Missing, Str("o"), Int(1)),
            rec(Str(" "), Str("o"), Int(1)),
            rec(Bytes(b"\xff"), Str("o"), Int(1)),
            rec(Str("a"), Str("o"), Str("soon")),
            rec(Str("a"), Invalid("an array"), Int(1)),
            rec(Str("a"), Str("o"), Seconds(-3)),
        ];
        let (ds, diags, summary) = run(&opts, &recs);
        let s = summary.unwrap();
        assert_eq!((s.records, s.shares, s.skipped), (8, 3, 5));
        assert_eq!(ds.accounts.get(ds.shares[1].account), "42");
        assert_eq!(ds.objects.get(ds.shares[1].object), "1.5");
        assert_eq!(ds.posts.get(ds.shares[0].post), "t.csv:2");
        assert_eq!(ds.kind_of(ds.shares[0].object), "object");
        assert_eq!(ds.shares[2].time, -3);
        let reasons: Vec<(&str, u64)> = diags.by_reason.iter().map(|(r, s)| (r.as_str(), s.count)).collect();
        assert_eq!(
            reasons,
            [("bad_json", 1), ("bad_timestamp", 1), ("bad_utf8", 1), ("empty_field", 1), ("missing_field", 1)]
        );
        let bad_time = &diags.by_reason["bad_timestamp"].examples[0];
        assert_eq!(bad_time.line, 7);
        assert!(bad_time.detail.contains("\"soon\""), "{}", bad_time.detail);
    }

    #[test]
    fn strict_stops_at_first_problem() {
        let opts = ReadOptions { strict: true, ..ReadOptions::default() };
        let recs =
            [rec(Field::Str("a"), Field::Str("o"), Field::Int(1)), rec(Field::Str("a"), Field::Str(""), Field::Int(1))];
        let (_, diags, summary) = run(&opts, &recs);
        let err = summary.unwrap_err();
        assert!(matches!(err, Error::Record { line: 3, reason: "empty_field", .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "t.csv:3: empty_field: `object_id` is empty (strict mode stops at the first bad record)"
        );
        assert!(diags.is_empty());
    }

    #[test]
    fn kind_column_and_post_column() {
        let mut opts = ReadOptions::default();
        opts.columns.kind = Some("type".into());
        let recs = [
            Record {
                post: Field::Str("p1"),
                kind: Field::Str("url"),
                ..rec(Field::Str("a"), Field::Str("o"), Field::Int(1))
            },
            Record {
                post: Field::Str(""),
                kind: Field::Str("hashtag"),
                ..rec(Field::Str("a"), Field::Str("o"), Field::Int(1))
            },
            Record { kind: Field::Missing, ..rec(Field::Str("a"), Field::Str("o"), Field::Int(1)) },
        ];
        let (ds, diags, _) = run(&opts, &recs);
        assert_eq!(ds.shares.len(), 2);
        assert_eq!(ds.objects.len(), 2, "same value under two kinds is two objects");
        assert_eq!(ds.posts.get(ds.shares[0].post), "p1");
        assert_eq!(ds.posts.get(ds.shares[1].post), "t.csv:3");
        assert_eq!(diags.by_reason["missing_field"].examples[0].detail, "no value for `type`");
    }
}
