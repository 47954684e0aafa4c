//! # lockstep-ingest: input files into shares, never losing a bad row silently
//!
//! [`read_input`] reads one CSV, TSV, JSON Lines or Parquet file (or stdin),
//! gzip- or zstd-compressed or not, into a [`Dataset`]. Each record (row, line)
//! becomes one share, or is skipped and recorded in [`Diagnostics`] with the file,
//! the 1-based line (record number for Parquet) and a stable reason code.
//!
//! ```
//! use lockstep_core::{Dataset, Diagnostics};
//! use lockstep_ingest::{read_input, ColumnMap, ReadOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("shares.csv");
//! std::fs::write(
//!     &path,
//!     "account_id,object_id,timestamp_share\n\
//!      alice,https://example.com/a,1700000000\n\
//!      bob,https://example.com/a,2023-11-14 22:13:24\n\
//!      carol,,1700000009\n",
//! )?;
//! let opts = ReadOptions { columns: ColumnMap { post: None, ..ColumnMap::default() }, ..ReadOptions::default() };
//! let (mut ds, mut diags) = (Dataset::default(), Diagnostics::default());
//! let summary = read_input(&path, &opts, &mut ds, &mut diags)?;
//! assert_eq!((summary.records, summary.shares, summary.skipped), (3, 2, 1));
//! assert_eq!(ds.shares[1].time, 1_700_000_004);
//! let skipped = &diags.by_reason["empty_field"].examples[0];
//! assert_eq!((skipped.line, skipped.reason.as_str()), (4, "empty_field"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Data flow
//!
//! `source.rs` opens a path or stdin and undoes gzip/zstd → `sniff.rs` resolves
//! [`Format::Auto`] → a reader in `formats/` (one file per format) extracts raw
//! fields → `sink.rs` applies the record rules and pushes shares.
//!
//! ## Invariants
//!
//! - A bad record never aborts a read (unless [`ReadOptions::strict`]): it is
//!   counted under one of the reason codes `missing_field`, `empty_field`,
//!   `bad_timestamp`, `implausible_time`, `bad_json`, `bad_utf8`, `wrong_field_count`.
//! - Whole-input problems (cannot open, empty, a required column missing, corrupt
//!   compression, unreadable Parquet) are an [`Error`] naming the file, and the
//!   line reached where it applies.
//! - `records == shares + skipped` in every [`ReadSummary`].
//! - Shares keep input order.

mod error;
mod formats;
mod sink;
mod sniff;
mod source;
mod time;

pub use error::{Error, ParseOptionError, Result};
pub use lockstep_normalize::{ObjectKind, ObjectKinds};
pub use time::{parse_timestamp, AUTO_MILLIS_THRESHOLD};

use lockstep_core::{Dataset, Diagnostics};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Detect: by extension (after `.gz`/`.zst`), else by content.
    #[default]
    Auto,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// JSON Lines (NDJSON): one object per line.
    Jsonl,
    /// Apache Parquet.
    Parquet,
    /// X (Twitter) API v2 JSON Lines as twarc2 writes them: response pages
    /// (`data`, `includes`, `meta`) or flattened tweets. A platform format: each
    /// tweet becomes shares of the kinds in [`ReadOptions::objects`].
    XV2,
    /// The FiveThirtyEight / Clemson IRA tweets CSV layout (original and the
    /// per-author re-split). A platform format.
    Ira538,
    /// Twitter's information-operations archive CSV layout (`tweetid`, `userid`,
    /// `tweet_time`, …). A platform format.
    TwitterIo,
    /// Twitter API v1.1 statuses, one JSON object per line. A platform format.
    TwitterV1,
    /// Bluesky Jetstream events, one JSON object per line. A platform format.
    Bluesky,
    /// Mastodon statuses as the REST API returns them (JSON Lines, or a JSON
    /// array). A platform format.
    Mastodon,
    /// CrowdTangle CSV exports of Facebook and Instagram posts. A platform format.
    CrowdTangle,
    /// Telegram Desktop's JSON export (`result.json`: one chat, or a whole
    /// account's `chats.list`). A platform format.
    Telegram,
}

impl Format {
    /// Every format but [`Format::Auto`].
    pub const ALL: [Format; 12] = [
        Format::Csv,
        Format::Tsv,
        Format::Jsonl,
        Format::Parquet,
        Format::XV2,
        Format::Ira538,
        Format::TwitterIo,
        Format::TwitterV1,
        Format::Bluesky,
        Format::Mastodon,
        Format::CrowdTangle,
        Format::Telegram,
    ];

    /// The lowercase name used by `--format` (`auto`, `csv`, …, `crowdtangle`, `telegram`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
            Format::XV2 => "x-v2",
            Format::Ira538 => "ira-538",
            Format::TwitterIo => "twitter-io",
            Format::TwitterV1 => "twitter-v1",
            Format::Bluesky => "bluesky-jetstream",
            Format::Mastodon => "mastodon",
            Format::CrowdTangle => "crowdtangle",
            Format::Telegram => "telegram",
        }
    }

    /// A platform format: records are posts carrying several objects, turned
    /// into shares by [`ReadOptions::objects`] (the column map is not used).
    pub fn is_platform(self) -> bool {
        matches!(
            self,
            Format::XV2
                | Format::Ira538
                | Format::TwitterIo
                | Format::TwitterV1
                | Format::Bluesky
                | Format::Mastodon
                | Format::CrowdTangle
                | Format::Telegram
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ParseOptionError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => Format::Auto,
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "jsonl" | "ndjson" => Format::Jsonl,
            "parquet" => Format::Parquet,
            "x-v2" | "xv2" | "twarc2" => Format::XV2,
            "ira-538" | "fivethirtyeight" => Format::Ira538,
            "twitter-io" => Format::TwitterIo,
            "twitter-v1" | "twitter-v1.1" => Format::TwitterV1,
            "bluesky-jetstream" | "bluesky" | "jetstream" => Format::Bluesky,
            "mastodon" => Format::Mastodon,
            "crowdtangle" => Format::CrowdTangle,
            "telegram" | "telegram-desktop" => Format::Telegram,
            _ => {
                return Err(ParseOptionError {
                    what: "format",
                    value: s.to_string(),
                    expected:
                        "auto, csv, tsv, jsonl (ndjson), parquet, x-v2 (twarc2), ira-538, twitter-io, twitter-v1, \
                               bluesky-jetstream, mastodon, crowdtangle, telegram",
                })
            }
        })
    }
}

/// How timestamps are written. See [`parse_timestamp`] for the full table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimeUnit {
    /// Numbers are seconds, or milliseconds when their absolute value is at least
    /// [`AUTO_MILLIS_THRESHOLD`]; text dates are parsed too.
    #[default]
    Auto,
    /// Numbers are UNIX seconds (dates rejected).
    Seconds,
    /// Numbers are UNIX milliseconds (dates rejected).
    Millis,
    /// Text dates only: RFC 3339 / ISO 8601, or `YYYY-MM-DD HH:MM:SS` as UTC.
    Rfc3339,
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeUnit::Auto => "auto",
            TimeUnit::Seconds => "s",
            TimeUnit::Millis => "ms",
            TimeUnit::Rfc3339 => "rfc3339",
        })
    }
}

impl FromStr for TimeUnit {
    type Err = ParseOptionError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "auto" => TimeUnit::Auto,
            "s" => TimeUnit::Seconds,
            "ms" => TimeUnit::Millis,
            "rfc3339" => TimeUnit::Rfc3339,
            _ => {
                return Err(ParseOptionError {
                    what: "time unit",
                    value: s.to_string(),
                    expected: "auto, s, ms, rfc3339",
                })
            }
        })
    }
}

/// Which input columns (CSV/TSV/Parquet column names, JSON keys or dotted paths)
/// hold each part of a share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Who shared. Required.
    pub account: String,
    /// What was shared. Required.
    pub object: String,
    /// When. Required.
    pub time: String,
    /// The post id. Optional: when `None`, absent from the input, or empty in a
    /// record, the post id is `"{source}:{line}"`.
    pub post: Option<String>,
    /// The object kind per record. When `None`, [`ReadOptions::kind_label`] is
    /// used for every record.
    pub kind: Option<String>,
}

impl Default for ColumnMap {
    /// The CooRnet/CooRTweet layout: `account_id`, `object_id`, `timestamp_share`,
    /// `content_id`.
    fn default() -> Self {
        ColumnMap {
            account: "account_id".into(),
            object: "object_id".into(),
            time: "timestamp_share".into(),
            post: Some("content_id".into()),
            kind: None,
        }
    }
}

/// How to read an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Input format; [`Format::Auto`] detects it.
    pub format: Format,
    /// Column names.
    pub columns: ColumnMap,
    /// Kind of every object when [`ColumnMap::kind`] is `None` (default `object`).
    pub kind_label: String,
    /// How numeric and text timestamps are read.
    pub time_unit: TimeUnit,
    /// Object kinds a platform post is turned into (platform formats only; the
    /// generic formats take the kind from [`ReadOptions::kind_label`] or
    /// [`ColumnMap::kind`]). Default: `url,domain,hashtag,repost,text`.
    pub objects: ObjectKinds,
    /// Stop with [`Error::Record`] at the first bad record instead of skipping it.
    pub strict: bool,
    /// Times outside this range are skipped as `implausible_time`.
    pub time_range: TimeRange,
    /// With no [`ColumnMap::kind`], a column (or JSON key) named
    /// [`AUTO_KIND_COLUMN`] holds each record's kind when present (`lockstep
    /// generate` writes one). Set to `false` when the kind is given otherwise.
    pub auto_kind_column: bool,
}

/// The column taken as the kind column unless told otherwise ([`ReadOptions::auto_kind_column`]).
pub const AUTO_KIND_COLUMN: &str = "kind";

/// The plausible times of a post, inclusive (UNIX seconds). A time outside is
/// a record skipped as `implausible_time`: a missing time written as 0, a
/// negative one, a year 1 or 9999, or micro- read as milliseconds would
/// otherwise co-share unrelated posts. 0 is outside every range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// Earliest plausible time.
    pub min: i64,
    /// Latest plausible time.
    pub max: i64,
}

impl TimeRange {
    /// 2006-01-01T00:00:00Z: before the platforms Lockstep reads.
    pub const DEFAULT_MIN: i64 = 1_136_073_600;

    /// 2006-01-01 to one day after now.
    pub fn default_until_tomorrow() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(i64::MAX / 2, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
        TimeRange { min: Self::DEFAULT_MIN, max: now + 86_400 }
    }

    /// Whether `t` is a plausible time (never 0).
    #[inline]
    pub fn contains(&self, t: i64) -> bool {
        t != 0 && self.min <= t && t <= self.max
    }
}

impl Default for TimeRange {
    fn default() -> Self {
        Self::default_until_tomorrow()
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: Format::Auto,
            columns: ColumnMap::default(),
            kind_label: "object".into(),
            time_unit: TimeUnit::Auto,
            objects: ObjectKinds::default(),
            strict: false,
            time_range: TimeRange::default(),
            auto_kind_column: true,
        }
    }
}

/// What one [`read_input`] call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSummary {
    /// The input's name: the path as given, or `<stdin>`.
    pub source: String,
    /// Records seen (rows, non-blank lines), good or bad. Header excluded.
    pub records: u64,
    /// Shares added to the dataset.
    pub shares: u64,
    /// Records skipped (each also in the diagnostics).
    pub skipped: u64,
    /// Good records: `records == posts + skipped`. For the generic formats each
    /// good row is one post with one share (`posts == shares`).
    pub posts: u64,
    /// Good posts that carried no object of the selected kinds (platform
    /// formats): counted, not skipped, and they add no share.
    pub posts_without_objects: u64,
    /// `url` objects whose host is a link shortener (kept as they are: nothing
    /// is fetched).
    pub shortened_urls: u64,
    /// Links that are not `http(s)` URLs with a host: kept verbatim as `url`
    /// objects, with no `domain` object.
    pub unparsed_urls: u64,
    /// Raw input bytes read (compressed size for compressed input).
    pub bytes: u64,
    /// The format read (never [`Format::Auto`]).
    pub format: Format,
}

/// Reads one input (`-` for stdin) into `ds`, recording skipped records in `diags`.
///
/// Errors are whole-input failures (see [`Error`]); with
/// [`ReadOptions::strict`], also the first bad record.
pub fn read_input(path: &Path, opts: &ReadOptions, ds: &mut Dataset, diags: &mut Diagnostics) -> Result<ReadSummary> {
    read_source(source::Source::open(path)?, opts, ds, diags, None)
}

/// [`read_input`], reporting how far it got to `progress` (bytes of the raw
/// input and records, every 65,536 records).
pub fn read_input_with_progress(
    path: &Path,
    opts: &ReadOptions,
    ds: &mut Dataset,
    diags: &mut Diagnostics,
    progress: &dyn lockstep_core::Progress,
) -> Result<ReadSummary> {
    read_source(source::Source::open(path)?, opts, ds, diags, Some(progress))
}

/// Reads an input held in memory, named `name` in diagnostics (the name's
/// extension takes part in format detection, as a path's does). Same rules as
/// [`read_input`]; used by embedders and by the fuzz targets.
///
/// ```
/// use lockstep_core::{Dataset, Diagnostics};
/// use lockstep_ingest::{read_bytes, ReadOptions};
/// let line = br#"{"id": "1", "author_id": "7", "created_at": "2021-05-18T19:24:56Z", "text": "Hi #Tag", "entities": {"hashtags": [{"tag": "Tag"}]}}"#;
/// let (mut ds, mut diags) = (Dataset::default(), Diagnostics::default());
/// let s = read_bytes("tweets.jsonl", line, &ReadOptions::default(), &mut ds, &mut diags)?;
/// assert_eq!((s.format.name(), s.posts, s.shares), ("x-v2", 1, 2));
/// # Ok::<(), lockstep_ingest::Error>(())
/// ```
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    ds: &mut Dataset,
    diags: &mut Diagnostics,
) -> Result<ReadSummary> {
    let owned = bytes.to_vec();
    let len = owned.len() as u64;
    let src = source::Source::from_read(name.to_string(), None, Box::new(std::io::Cursor::new(owned)), Some(len))?;
    read_source(src, opts, ds, diags, None)
}

/// Reads an in-memory Arrow table, given as record batches with the column
/// names `columns`, as the rows of a Parquet file are read (the same column
/// options, records and diagnostics; `name` names it in messages): for
/// embedders such as the Python package. The batches' columns are read in
/// place, not copied.
pub fn read_arrow<I>(
    name: &str,
    columns: &[String],
    batches: I,
    opts: &ReadOptions,
    ds: &mut Dataset,
    diags: &mut Diagnostics,
) -> Result<ReadSummary>
where
    I: Iterator<Item = std::result::Result<arrow::array::RecordBatch, arrow::error::ArrowError>>,
{
    let info = source::SourceInfo {
        name: name.to_string(),
        path: None,
        compression: source::Compression::None,
        raw_bytes: Default::default(),
        raw_len: None,
    };
    load(info, None, opts, ds, diags, None, Format::Parquet, |sink| {
        formats::parquet::read_arrow_batches(columns, batches, sink)
    })
}

fn read_source(
    src: source::Source,
    opts: &ReadOptions,
    ds: &mut Dataset,
    diags: &mut Diagnostics,
    progress: Option<&dyn lockstep_core::Progress>,
) -> Result<ReadSummary> {
    let format = match opts.format {
        Format::Auto => sniff::format_of(&src.info.name, &src.head)
            .map_err(|reason| Error::UnknownFormat { file: src.info.name.clone(), reason })?,
        f => f,
    };
    let info = src.info.clone();
    // An uncompressed file's size tells roughly how many rows are coming.
    let size_hint = match src.info.compression {
        source::Compression::None => src.info.raw_len,
        _ => None,
    };
    load(info, size_hint, opts, ds, diags, progress, format, |sink| formats::reader_for(format).read(src, sink))
}

/// Runs `read` into a sink whose batches are interned on a thread of their own.
#[allow(clippy::too_many_arguments)]
fn load(
    info: source::SourceInfo,
    size_hint: Option<u64>,
    opts: &ReadOptions,
    ds: &mut Dataset,
    diags: &mut Diagnostics,
    progress: Option<&dyn lockstep_core::Progress>,
    format: Format,
    read: impl FnOnce(&mut sink::Sink<'_>) -> Result<()>,
) -> Result<ReadSummary> {
    // Parse on this thread (CSV and TSV: on one thread per core, see
    // `formats::chunks`) while the loader interns the batches before, on threads
    // of its own (posts are interned at the end, in bulk: see
    // `lockstep_core::Loader`).
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<lockstep_core::ShareBatch>(2);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel();
        let consumer = scope.spawn(move || {
            let mut loader = lockstep_core::Loader::new(ds);
            let mut batches = full_rx.into_iter().peekable();
            if let (Some(first), Some(len)) = (batches.peek(), size_hint) {
                loader.reserve_like(first, estimated_rows(first, len));
            }
            loader.push_all(batches, |mut batch| {
                batch.clear();
                let _ = empty_tx.send(batch);
            });
            loader.finish();
        });
        let target = sink::Target::Channel { full: full_tx, empty: empty_rx };
        let mut sink = sink::Sink::with_target(target, diags, opts, info, progress);
        let read = read(&mut sink);
        let summary = match read {
            Ok(()) => Ok(sink.finish(format)),
            Err(e) => {
                drop(sink);
                Err(e)
            }
        };
        consumer.join().expect("interning thread panicked");
        summary
    })
}

/// Rows to make room for in an input of `len` bytes whose rows look like
/// `sample`'s: each row's strings plus 24 bytes for its time and separators,
/// and a quarter more. Room never used is address space, not memory; running
/// out near the end doubled the share array (10M posts: 218 to 437 MiB) and
/// moved it.
fn estimated_rows(sample: &lockstep_core::ShareBatch, len: u64) -> usize {
    let n = sample.len().max(1) as u64;
    let per_row = (sample.accounts.bytes() + sample.objects.bytes() + sample.posts.bytes()) as u64 / n + 24;
    let rows = len / per_row;
    usize::try_from(rows + rows / 4).unwrap_or(usize::MAX).max(sample.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_round_trip() {
        for f in std::iter::once(Format::Auto).chain(Format::ALL) {
            assert_eq!(f.to_string().parse::<Format>(), Ok(f));
        }
        assert_eq!("twarc2".parse::<Format>(), Ok(Format::XV2));
        assert_eq!("ndjson".parse::<Format>(), Ok(Format::Jsonl));
        assert_eq!("CSV".parse::<Format>(), Ok(Format::Csv));
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format `xml`; expected one of: auto, csv, tsv, jsonl (ndjson), parquet, x-v2 (twarc2), ira-538, \
             twitter-io, twitter-v1, bluesky-jetstream, mastodon, crowdtangle, telegram"
        );
        for u in [TimeUnit::Auto, TimeUnit::Seconds, TimeUnit::Millis, TimeUnit::Rfc3339] {
            assert_eq!(u.to_string().parse::<TimeUnit>(), Ok(u));
        }
        assert!("us".parse::<TimeUnit>().is_err());
    }
}
