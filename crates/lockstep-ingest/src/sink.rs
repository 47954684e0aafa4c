//! The sink every reader feeds: it validates one raw record, turns it into
//! shares in the [`Dataset`], or skips it with a [`Diagnostic`] (or, in strict
//! mode, stops with [`Error::Record`]). Readers only extract raw field values;
//! all the rules about what makes a record good live here, once.
//!
//! Two entry points:
//! - [`Sink::accept`]: one generic row ([`Record`]) is one share of one object
//!   (CSV, TSV, JSON Lines, Parquet with column mapping). Unchanged hot path.
//! - [`Sink::accept_post`]: one platform post ([`PostFields`]: account, post id,
//!   time and every object it carries) becomes 0..n shares, one per distinct
//!   normalised object of each kind selected by [`ReadOptions::objects`]. A post
//!   with no such object is counted in [`ReadSummary::posts_without_objects`];
//!   it is not a bad record.

use crate::source::SourceInfo;
use crate::time::{self, parse_timestamp};
use crate::{ColumnMap, Error, Format, ReadOptions, ReadSummary, Result};
use lockstep_core::{Dataset, Diagnostic, Diagnostics, Progress, Reading, ShareBatch};
use lockstep_normalize::{self as norm, ObjectKind};
use std::fmt::Write as _;

/// Stable reason codes of skipped records.
pub(crate) mod reason {
    /// A required field is absent (missing key, null, short row).
    pub const MISSING_FIELD: &str = "missing_field";
    /// A required field is empty (account, object, kind).
    pub const EMPTY_FIELD: &str = "empty_field";
    /// The time field is not a recognised timestamp.
    pub const BAD_TIMESTAMP: &str = "bad_timestamp";
    /// The time parses but lies outside [`crate::ReadOptions::time_range`].
    pub const IMPLAUSIBLE_TIME: &str = "implausible_time";
    /// A JSON line does not parse, is not an object, or a field holds an
    /// array, object or boolean.
    pub const BAD_JSON: &str = "bad_json";
    /// A field needed for the share is not valid UTF-8.
    pub const BAD_UTF8: &str = "bad_utf8";
    /// A delimited row has a different number of fields than the header.
    pub const WRONG_FIELD_COUNT: &str = "wrong_field_count";
    /// A platform record that is valid JSON but not a post (a user object in
    /// an X API v2 user lookup, a service message in a Telegram export, …).
    pub const NOT_A_POST: &str = "not_a_post";
}

/// Records between progress reports (a power of two).
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

/// The raw fields of one platform post, borrowed from the reader's buffers
/// where possible. Values are as the platform wrote them: the sink normalises
/// them by kind (see `lockstep-normalize`).
#[derive(Debug, Clone)]
pub(crate) struct PostFields<'a> {
    /// Who posted. Required.
    pub account: Field<'a>,
    /// The post's id; missing or empty → `{source}:{line}`.
    pub id: Field<'a>,
    /// When. Required.
    pub time: Field<'a>,
    /// Links as posted (expanded where the platform gives the expansion).
    pub urls: Vec<&'a str>,
    /// Hashtags, with or without `#`.
    pub hashtags: Vec<&'a str>,
    /// Mentioned accounts, with or without `@`.
    pub mentions: Vec<&'a str>,
    /// Id of the post this one reposts.
    pub repost_of: Option<&'a str>,
    /// Id of the post this one replies to.
    pub reply_to: Option<&'a str>,
    /// Id of the post this one quotes.
    pub quote_of: Option<&'a str>,
    /// The text (of the reposted post for a repost, when the platform gives it).
    pub text: Option<&'a str>,
    /// Media hashes.
    pub media: Vec<&'a str>,
}

impl Default for PostFields<'_> {
    fn default() -> Self {
        PostFields {
            account: Field::Missing,
            id: Field::Missing,
            time: Field::Missing,
            urls: Vec::new(),
            hashtags: Vec::new(),
            mentions: Vec::new(),
            repost_of: None,
            reply_to: None,
            quote_of: None,
            text: None,
            media: Vec::new(),
        }
    }
}

/// The names a format gives the required parts of a post, for diagnostics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PostNames {
    /// The account field (e.g. `author_id`).
    pub account: &'static str,
    /// The post id field.
    pub id: &'static str,
    /// The time field.
    pub time: &'static str,
}

/// What a sink counts.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    /// Records seen (good and skipped).
    records: u64,
    /// Shares pushed.
    shares: u64,
    /// Records skipped.
    skipped: u64,
    /// Good records (generic rows and platform posts).
    posts: u64,
    /// The post path's (all zero for the generic path).
    without_objects: u64,
    shortened_urls: u64,
    unparsed_urls: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        let Counts { records, shares, skipped, posts, without_objects, shortened_urls, unparsed_urls } = other;
        self.records += records;
        self.shares += shares;
        self.skipped += skipped;
        self.posts += posts;
        self.without_objects += without_objects;
        self.shortened_urls += shortened_urls;
        self.unparsed_urls += unparsed_urls;
    }
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
    /// Kept here, for a reader that parses one part of an input on another
    /// thread and hands what it found to the input's sink in order
    /// ([`Sink::take_part`], [`Sink::absorb`]).
    Part,
}

/// What a [`Target::Part`] sink found in one part of an input: its shares,
/// counts and skipped records, for [`Sink::absorb`].
pub(crate) struct Part {
    batch: ShareBatch,
    counts: Counts,
    diags: Diagnostics,
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
    counts: Counts,
    /// One post's objects before they are pushed (kind, normalised value).
    objects: Vec<(ObjectKind, String)>,
    /// Set by a reader to name the record in diagnostics beyond its number
    /// (e.g. a Telegram message's id); prefixed to every detail while not empty.
    context: String,
    /// Where the reading is reported (none for parts: their input's sink reports).
    progress: Option<&'a dyn Progress>,
}

impl<'a> Sink<'a> {
    #[cfg(test)]
    pub fn new(ds: &'a mut Dataset, diags: &'a mut Diagnostics, opts: &'a ReadOptions, info: SourceInfo) -> Self {
        Self::with_target(Target::Direct(ds), diags, opts, info, None)
    }

    /// A sink whose batches are interned on another thread (see [`Target::Channel`]).
    pub fn with_target(
        target: Target<'a>,
        diags: &'a mut Diagnostics,
        opts: &'a ReadOptions,
        info: SourceInfo,
        progress: Option<&'a dyn Progress>,
    ) -> Self {
        Sink {
            target,
            diags,
            opts,
            info,
            bufs: Bufs::default(),
            batch: ShareBatch::default(),
            counts: Counts::default(),
            objects: Vec::new(),
            context: String::new(),
            progress,
        }
    }

    /// The read options.
    pub fn options(&self) -> &ReadOptions {
        self.opts
    }

    /// The input's description.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// A [`Target::Part`] sink: what it finds stays in it until
    /// [`Sink::take_part`]. `diags` receives its skipped records in between.
    pub fn for_parts(diags: &'a mut Diagnostics, opts: &'a ReadOptions, info: SourceInfo) -> Self {
        Self::with_target(Target::Part, diags, opts, info, None)
    }

    /// Starts a part with `batch` (an emptied batch, reused) as its shares.
    pub fn start_part(&mut self, batch: ShareBatch) {
        debug_assert!(matches!(self.target, Target::Part) && self.batch.is_empty() && batch.is_empty());
        self.batch = batch;
    }

    /// Everything found since the last part was taken.
    pub fn take_part(&mut self) -> Part {
        debug_assert!(matches!(self.target, Target::Part));
        Part {
            batch: std::mem::take(&mut self.batch),
            counts: std::mem::take(&mut self.counts),
            diags: std::mem::take(self.diags),
        }
    }

    /// Adds a part found by a [`Target::Part`] sink, as if its records had
    /// come here one by one; returns an emptied batch for the next part.
    pub fn absorb(&mut self, part: Part) -> ShareBatch {
        self.flush();
        self.batch = part.batch;
        self.counts.add(part.counts);
        self.diags.merge(part.diags);
        self.flush();
        self.report_progress();
        std::mem::take(&mut self.batch)
    }

    /// The column names asked for.
    pub fn columns(&self) -> &ColumnMap {
        &self.opts.columns
    }

    /// The input's display name.
    pub fn name(&self) -> &str {
        &self.info.name
    }

    /// The context prefixed to the details of the diagnostics that follow
    /// (cleared and rewritten by a reader before each record; empty: none).
    pub fn context_mut(&mut self) -> &mut String {
        &mut self.context
    }

    /// Records seen so far (good and skipped).
    pub fn records(&self) -> u64 {
        self.counts.records
    }

    /// Shares pushed so far.
    pub fn shares(&self) -> u64 {
        self.counts.shares
    }

    /// Takes one record found at `line` (1-based line or record number).
    #[inline]
    pub fn accept(&mut self, line: u64, rec: &Record<'_>) -> Result<()> {
        self.count_record();
        let Sink { opts, info, bufs, batch, .. } = self;
        match convert(bufs, opts, &info.name, line, rec) {
            Ok(share) => {
                batch.push(share.account, share.object, share.kind, share.post, share.time);
                self.counts.shares += 1;
                self.counts.posts += 1;
                if self.batch.len() >= BATCH {
                    self.flush();
                }
                Ok(())
            }
            Err(p) => self.problem(line, p),
        }
    }

    /// Takes one platform post found at `line`: validates account, time and post
    /// id, then pushes one share per distinct normalised object of each selected
    /// kind. `names` are the format's field names, for diagnostics.
    pub fn accept_post(&mut self, line: u64, post: &PostFields<'_>, names: &PostNames) -> Result<()> {
        self.count_record();
        let Sink { opts, info, bufs, batch, objects, counts, .. } = self;
        let (account, id, time) = match post_head(post, names, bufs, opts, &info.name, line) {
            Ok(h) => h,
            Err(p) => return self.problem(line, p),
        };
        objects.clear();
        collect_objects(post, opts.objects, objects, counts);
        for (kind, value) in objects.iter() {
            batch.push(account, value, kind.name(), id, time);
        }
        let n = objects.len() as u64;
        if n == 0 {
            self.counts.without_objects += 1;
        }
        self.counts.posts += 1;
        self.counts.shares += n;
        if self.batch.len() >= BATCH {
            self.flush();
        }
        Ok(())
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
            // A part's shares stay until it is taken.
            Target::Part => {}
        }
    }

    /// The summary, once the reader is done (pushes the last batch).
    pub fn finish(mut self, format: Format) -> ReadSummary {
        self.flush();
        ReadSummary {
            source: self.info.name.clone(),
            records: self.counts.records,
            shares: self.counts.shares,
            skipped: self.counts.skipped,
            posts: self.counts.posts,
            posts_without_objects: self.counts.without_objects,
            shortened_urls: self.counts.shortened_urls,
            unparsed_urls: self.counts.unparsed_urls,
            bytes: self.info.raw_bytes(),
            format,
        }
    }

    #[inline]
    fn count_record(&mut self) {
        self.counts.records += 1;
        if self.counts.records & (PROGRESS_EVERY - 1) == 0 {
            self.report_progress();
        }
    }

    fn report_progress(&self) {
        if let Some(p) = self.progress {
            p.reading(&Reading {
                source: &self.info.name,
                bytes: self.info.raw_bytes(),
                total_bytes: self.info.raw_len,
                records: self.counts.records,
            });
        }
    }

    #[cold]
    fn problem(&mut self, line: u64, mut p: Problem) -> Result<()> {
        if !self.context.is_empty() {
            p.detail = format!("{}: {}", self.context, p.detail);
        }
        if self.opts.strict {
            // Keep what was read before the bad record.
            self.flush();
            return Err(Error::Record { file: self.info.name.clone(), line, reason: p.reason, detail: p.detail });
        }
        self.counts.skipped += 1;
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
    /// Ends the input's progress, also when a read stops with an error.
    fn drop(&mut self) {
        if let Some(p) = self.progress {
            p.read_done(&self.info.name);
        }
    }
}

/// Account, post id and time of a post.
fn post_head<'r>(
    post: &PostFields<'r>,
    names: &PostNames,
    bufs: &'r mut Bufs,
    opts: &ReadOptions,
    source: &str,
    line: u64,
) -> std::result::Result<(&'r str, &'r str, i64), Problem> {
    let Bufs { account, post: post_buf, .. } = bufs;
    let account = required(post.account, names.account, account)?;
    let id = post_id(post.id, names.id, source, line, post_buf)?;
    let time = time_of(post.time, names.time, opts)?;
    Ok((account, id, time))
}

/// The post id, or `{source}:{line}` when it is missing or blank.
fn post_id<'r>(
    f: Field<'r>,
    col: &str,
    source: &str,
    line: u64,
    buf: &'r mut String,
) -> std::result::Result<&'r str, Problem> {
    let fallback = match f {
        Field::Missing => true,
        Field::Str(s) => s.trim_ascii().is_empty(),
        Field::Bytes(b) => b.trim_ascii().is_empty(),
        _ => false,
    };
    if fallback {
        buf.clear();
        buf.push_str(source);
        buf.push(':');
        buf.push_str(itoa::Buffer::new().format(line));
        Ok(buf.as_str())
    } else {
        Ok(text(f, col, buf)?.unwrap_or_default())
    }
}

/// The distinct normalised objects of the selected kinds in one post, in kind
/// order and, within a kind, in the order the post carries them.
fn collect_objects(
    post: &PostFields<'_>,
    kinds: norm::ObjectKinds,
    out: &mut Vec<(ObjectKind, String)>,
    counts: &mut Counts,
) {
    let add = |out: &mut Vec<(ObjectKind, String)>, kind: ObjectKind, value: String| {
        if !out.iter().any(|(k, v)| *k == kind && *v == value) {
            out.push((kind, value));
        }
    };
    let want_url = kinds.contains(ObjectKind::Url);
    let want_domain = kinds.contains(ObjectKind::Domain);
    if want_url || want_domain {
        let mut domains = Vec::new();
        for raw in &post.urls {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            match norm::canonical_url(raw) {
                Some(c) => {
                    if want_domain {
                        domains.extend(c.domain());
                    }
                    if want_url {
                        counts.shortened_urls += u64::from(c.shortened);
                        add(out, ObjectKind::Url, c.url);
                    }
                }
                None => {
                    // Kept verbatim: never dropped, but it gives no domain.
                    if want_url {
                        counts.unparsed_urls += 1;
                        add(out, ObjectKind::Url, raw.to_string());
                    }
                }
            }
        }
        for d in domains {
            add(out, ObjectKind::Domain, d);
        }
    }
    if kinds.contains(ObjectKind::Hashtag) {
        for h in post.hashtags.iter().filter_map(|h| norm::hashtag(h)) {
            add(out, ObjectKind::Hashtag, h);
        }
    }
    if kinds.contains(ObjectKind::Mention) {
        for m in post.mentions.iter().filter_map(|m| norm::mention(m)) {
            add(out, ObjectKind::Mention, m);
        }
    }
    for (kind, id) in
        [(ObjectKind::Repost, post.repost_of), (ObjectKind::Reply, post.reply_to), (ObjectKind::Quote, post.quote_of)]
    {
        if let Some(id) = id.map(str::trim).filter(|s| !s.is_empty()) {
            if kinds.contains(kind) {
                add(out, kind, id.to_string());
            }
        }
    }
    if kinds.contains(ObjectKind::Text) {
        if let Some(t) = post.text.and_then(norm::text) {
            add(out, ObjectKind::Text, t);
        }
    }
    if kinds.contains(ObjectKind::Media) {
        for m in post.media.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
            add(out, ObjectKind::Media, m.to_string());
        }
    }
    // The raw text: the near-text stage (`lockstep-neartext`) normalises each
    // distinct text once, in parallel, clusters them and replaces these values.
    if kinds.contains(ObjectKind::NearText) {
        if let Some(t) = post.text.map(str::trim).filter(|t| !t.is_empty()) {
            add(out, ObjectKind::NearText, t.to_string());
        }
    }
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
    let kind = match (&cols.kind, rec.kind) {
        (Some(col), _) => required(rec.kind, col, &mut bufs.kind)?,
        (None, Field::Missing) => opts.kind_label.as_str(),
        // The column named `kind` (`ReadOptions::auto_kind_column`).
        (None, f) => required(f, crate::AUTO_KIND_COLUMN, &mut bufs.kind)?,
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

/// A field as text (`None` when missing). Text itself, the common case, is
/// handled inline; every other kind of value by [`converted_text`].
#[inline(always)]
fn text<'r>(f: Field<'r>, col: &str, buf: &'r mut String) -> std::result::Result<Option<&'r str>, Problem> {
    match f {
        Field::Str(s) => Ok(Some(s)),
        Field::Missing => Ok(None),
        _ => converted_text(f, col, buf),
    }
}

#[inline(never)]
fn converted_text<'r>(f: Field<'r>, col: &str, buf: &'r mut String) -> std::result::Result<Option<&'r str>, Problem> {
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
        Field::Seconds(v) => (Ok(v), f),
        Field::Bytes(b) => (parse_timestamp(b, unit), Field::Bytes(b)),
        Field::Str(s) => (parse_timestamp(s.as_bytes(), unit), f),
        Field::Int(v) => (time::from_int(v, unit), f),
        Field::Float(v) => (time::from_float(v, unit), f),
    };
    match res {
        Ok(t) if opts.time_range.contains(t) => Ok(t),
        Ok(t) => Err(implausible(col, shown, t, opts)),
        Err(why) => Err(Problem {
            reason: reason::BAD_TIMESTAMP,
            detail: format!("`{col}` = {}: {why}", shorten(&show(shown))),
        }),
    }
}

#[cold]
fn implausible(col: &str, shown: Field<'_>, t: i64, opts: &ReadOptions) -> Problem {
    let date = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map_or_else(|| format!("{t} s"), |d| d.format("%Y-%m-%d %H:%M:%S").to_string())
    };
    let r = opts.time_range;
    Problem {
        reason: reason::IMPLAUSIBLE_TIME,
        detail: format!(
            "`{col}` = {} is {}, outside the plausible range {} to {} (--min-time, --max-time)",
            shorten(&show(shown)),
            date(t),
            date(r.min),
            date(r.max)
        ),
    }
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

    /// A plausible time (2023-11-14).
    const T: i128 = 1_700_000_000;

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
            rec(Str("a"), Bytes(b"o"), Bytes(b"1700000010")),
            rec(Int(42), Float(1.5), Int(T + 11)),
            rec(Missing, Str("o"), Int(T)),
            rec(Str(" "), Str("o"), Int(T)),
            rec(Bytes(b"\xff"), Str("o"), Int(T)),
            rec(Str("a"), Str("o"), Str("soon")),
            rec(Str("a"), Invalid("an array"), Int(T)),
            rec(Str("a"), Str("o"), Seconds(T as i64 - 3)),
        ];
        let (ds, diags, summary) = run(&opts, &recs);
        let s = summary.unwrap();
        assert_eq!((s.records, s.shares, s.skipped), (8, 3, 5));
        assert_eq!(ds.accounts.get(ds.shares[1].account), "42");
        assert_eq!(ds.objects.get(ds.shares[1].object), "1.5");
        assert_eq!(ds.posts.get(ds.shares[0].post), "t.csv:2");
        assert_eq!(ds.kind_of(ds.shares[0].object), "object");
        assert_eq!(ds.shares[2].time, T as i64 - 3);
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
    fn implausible_times_are_skipped_and_zero_is_never_a_time() {
        use Field::*;
        let opts = ReadOptions::default();
        let recs = [
            rec(Str("a"), Str("o"), Int(0)),
            rec(Str("a"), Str("o"), Int(-5)),
            rec(Str("a"), Str("o"), Str("0001-01-01T00:00:00Z")),
            rec(Str("a"), Str("o"), Str("9999-12-31 23:59:59")),
            rec(Str("a"), Str("o"), Bytes(b"99999999999")),
            rec(Str("a"), Str("o"), Seconds(0)),
            rec(Str("a"), Str("o"), Str("2005-12-31T23:59:59Z")),
            rec(Str("a"), Str("o"), Str("2006-01-01T00:00:00Z")),
            rec(Str("a"), Str("o"), Int(T)),
        ];
        let (ds, diags, summary) = run(&opts, &recs);
        let s = summary.unwrap();
        assert_eq!((s.records, s.shares, s.skipped), (9, 2, 7));
        assert_eq!(ds.shares[0].time, 1_136_073_600);
        assert_eq!(diags.by_reason["implausible_time"].count, 7);
        let first = &diags.by_reason["implausible_time"].examples[0];
        assert_eq!(first.line, 2);
        assert!(first.detail.contains("1970-01-01 00:00:00, outside the plausible range 2006-01-01"), "{first}");
        // A range of one's own: 2005 is fine, 2024 is not.
        let opts = ReadOptions { time_range: crate::TimeRange { min: 1_104_537_600, max: 1_700_000_000 }, ..opts };
        let (ds, diags, _) = run(&opts, &recs);
        assert_eq!(ds.shares.len(), 3);
        assert_eq!(diags.by_reason["implausible_time"].count, 6);
    }

    #[test]
    fn strict_stops_at_first_problem() {
        let opts = ReadOptions { strict: true, ..ReadOptions::default() };
        let recs =
            [rec(Field::Str("a"), Field::Str("o"), Field::Int(T)), rec(Field::Str("a"), Field::Str(""), Field::Int(T))];
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
                ..rec(Field::Str("a"), Field::Str("o"), Field::Int(T))
            },
            Record {
                post: Field::Str(""),
                kind: Field::Str("hashtag"),
                ..rec(Field::Str("a"), Field::Str("o"), Field::Int(T))
            },
            Record { kind: Field::Missing, ..rec(Field::Str("a"), Field::Str("o"), Field::Int(T)) },
        ];
        let (ds, diags, _) = run(&opts, &recs);
        assert_eq!(ds.shares.len(), 2);
        assert_eq!(ds.objects.len(), 2, "same value under two kinds is two objects");
        assert_eq!(ds.posts.get(ds.shares[0].post), "p1");
        assert_eq!(ds.posts.get(ds.shares[1].post), "t.csv:3");
        assert_eq!(diags.by_reason["missing_field"].examples[0].detail, "no value for `type`");
    }

    /// Shares of a dataset as `kind object account post time` lines.
    fn lines(ds: &Dataset) -> Vec<String> {
        ds.shares
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} {} {}",
                    ds.kind_of(s.object),
                    ds.objects.get(s.object),
                    ds.accounts.get(s.account),
                    ds.posts.get(s.post),
                    s.time
                )
            })
            .collect()
    }

    #[test]
    fn a_post_becomes_shares_of_the_selected_kinds() {
        const NAMES: PostNames = PostNames { account: "author", id: "id", time: "created_at" };
        let post = PostFields {
            account: Field::Str("alice"),
            id: Field::Str("p1"),
            time: Field::Str("2021-05-18T19:24:56.000Z"),
            urls: vec![
                "http://www.Example.com/a?utm_source=x",
                "https://example.com/a#frag",
                "https://t.co/AbC",
                "mailto:x@y",
            ],
            hashtags: vec!["#Tag", "tag", "#"],
            mentions: vec!["@Bob"],
            repost_of: Some("42"),
            reply_to: Some(" "),
            quote_of: None,
            text: Some("RT @bob: Hello  World https://t.co/AbC"),
            media: vec!["abc123"],
        };
        let empty = PostFields { account: Field::Str("bob"), time: Field::Int(T + 5), ..PostFields::default() };
        let bad = PostFields { account: Field::Missing, ..post.clone() };
        let opts = ReadOptions { objects: lockstep_normalize::ObjectKinds::all(), ..ReadOptions::default() };
        let mut ds = Dataset::default();
        let mut diags = Diagnostics::default();
        let mut sink = Sink::new(&mut ds, &mut diags, &opts, info());
        sink.accept_post(2, &post, &NAMES).unwrap();
        sink.accept_post(3, &empty, &NAMES).unwrap();
        sink.accept_post(4, &bad, &NAMES).unwrap();
        let s = sink.finish(Format::Jsonl);
        assert_eq!((s.records, s.posts, s.skipped, s.shares), (3, 2, 1, 9));
        assert_eq!((s.posts_without_objects, s.shortened_urls, s.unparsed_urls), (1, 1, 1));
        let t = 1_621_365_896;
        assert_eq!(
            lines(&ds),
            [
                format!("url https://example.com/a alice p1 {t}"),
                format!("url https://t.co/AbC alice p1 {t}"),
                format!("url mailto:x@y alice p1 {t}"),
                format!("domain example.com alice p1 {t}"),
                format!("hashtag tag alice p1 {t}"),
                format!("mention bob alice p1 {t}"),
                format!("repost 42 alice p1 {t}"),
                format!("text hello world alice p1 {t}"),
                format!("media abc123 alice p1 {t}"),
            ]
        );
        assert_eq!(diags.by_reason["missing_field"].examples[0].detail, "no value for `author`");
        assert_eq!(diags.by_reason["missing_field"].examples[0].line, 4);
    }

    #[test]
    fn default_kinds_skip_mentions_replies_quotes_media() {
        const NAMES: PostNames = PostNames { account: "a", id: "id", time: "t" };
        let post = PostFields {
            account: Field::Str("alice"),
            time: Field::Int(T),
            mentions: vec!["@bob"],
            reply_to: Some("7"),
            quote_of: Some("8"),
            media: vec!["h"],
            ..PostFields::default()
        };
        let opts = ReadOptions::default();
        let mut ds = Dataset::default();
        let mut diags = Diagnostics::default();
        let mut sink = Sink::new(&mut ds, &mut diags, &opts, info());
        sink.accept_post(1, &post, &NAMES).unwrap();
        let s = sink.finish(Format::Jsonl);
        assert_eq!((s.posts, s.shares, s.posts_without_objects), (1, 0, 1));
        assert!(ds.shares.is_empty());
    }
}
