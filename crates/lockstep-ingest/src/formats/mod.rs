//! One file per input format. Each implements [`Reader`]: it walks its input,
//! extracts the raw fields of every record and hands them to the [`Sink`], which
//! owns every rule about good and bad records.
//!
//! Generic formats (`csv`, `jsonl`, `parquet`) hand the sink one [`crate::sink::Record`]
//! per row (one share); platform formats (`x_v2`, `ira_538`, `twitter_io`) hand it
//! one [`crate::sink::PostFields`] per post, which the sink turns into shares of
//! the selected object kinds.
//!
//! Adding a format: a new file here with a `Reader`, a [`Format`] variant, an
//! arm in [`reader_for`], a detection rule in `sniff.rs`, and a fixture. A CSV
//! layout of posts only implements `post_csv::Layout` (its column table).

use crate::sink::Sink;
use crate::source::Source;
use crate::{Format, Result};

pub(crate) mod bluesky;
pub(crate) mod chunks;
pub(crate) mod crowdtangle;
pub(crate) mod csv;
pub(crate) mod ira_538;
pub(crate) mod jsonl;
pub(crate) mod lines;
pub(crate) mod mastodon;
pub(crate) mod parquet;
pub(crate) mod parquet_footer;
pub(crate) mod post_csv;
pub(crate) mod split;
pub(crate) mod telegram;
pub(crate) mod twitter_io;
pub(crate) mod twitter_v1;
pub(crate) mod x_v2;

/// Reads one input into a sink.
pub(crate) trait Reader {
    /// Reads every record of `src`. Whole-input failures are `Err`; bad records
    /// go to the sink (which errs only in strict mode).
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()>;
}

/// The reader for a (detected) format.
pub(crate) fn reader_for(format: Format) -> Box<dyn Reader> {
    match format {
        Format::Csv => Box::new(csv::DelimitedReader::new(b',')),
        Format::Tsv => Box::new(csv::DelimitedReader::new(b'\t')),
        Format::Jsonl => Box::new(jsonl::JsonLinesReader),
        Format::Parquet => Box::new(parquet::ParquetReader),
        Format::XV2 => Box::new(x_v2::XV2Reader),
        Format::Ira538 => Box::new(ira_538::Ira538Reader::default()),
        Format::TwitterIo => Box::new(twitter_io::TwitterIoReader::default()),
        Format::TwitterV1 => Box::new(twitter_v1::TwitterV1Reader),
        Format::Bluesky => Box::new(bluesky::BlueskyReader),
        Format::Mastodon => Box::new(mastodon::MastodonReader),
        Format::CrowdTangle => Box::new(crowdtangle::CrowdTangleReader::default()),
        Format::Telegram => Box::new(telegram::TelegramReader),
        Format::Auto => unreachable!("Format::Auto is resolved before a reader is chosen"),
    }
}

/// Calls `f` with every non-blank line of a JSON Lines input (UTF-8 checked,
/// BOM and surrounding whitespace removed) and its 1-based line number. Lines
/// that are not UTF-8 are rejected as `bad_utf8`. Errs on an input with no line.
pub(crate) fn for_each_json_line(
    src: Source,
    sink: &mut Sink<'_>,
    mut f: impl FnMut(&str, u64, &mut Sink<'_>) -> Result<()>,
) -> Result<()> {
    use std::io::BufRead;
    let Source { info, mut reader, .. } = src;
    let mut buf = Vec::with_capacity(1 << 16);
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| info.read_error(line, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = buf.trim_ascii();
        let text = if line == 1 { text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text) } else { text };
        if text.is_empty() {
            continue;
        }
        match std::str::from_utf8(text) {
            Ok(t) => f(t, line, sink)?,
            Err(e) => sink.reject(line, crate::sink::reason::BAD_UTF8, format!("the line is not valid UTF-8: {e}"))?,
        }
    }
    if line == 0 {
        return Err(crate::Error::Empty { file: info.name, what: "no JSON lines" });
    }
    Ok(())
}

/// Index of `name` among `available` (exact match after trimming).
pub(crate) fn find_column(available: &[String], name: &str) -> Option<usize> {
    available.iter().position(|c| c == name)
}
