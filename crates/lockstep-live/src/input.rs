//! Chunks of complete lines through the `lockstep-ingest` readers.
//!
//! A stream is read as it comes, in chunks that end at a line end; each chunk
//! goes through [`lockstep_ingest::read_bytes`], so every line format `detect`
//! reads (mapped CSV/TSV/JSON Lines and the platform formats X API v2, Twitter
//! v1.1, Bluesky Jetstream, Mastodon, IRA, Twitter IO, CrowdTangle) is read by
//! the same code and rules. The format is resolved on the first chunk (the
//! given `--format`, or sniffed from the source's name and first line) and kept;
//! a header line (delimited formats) is kept and put before every later chunk.
//! Records must be one per line (a quoted field holding a line break is not
//! supported); Parquet and Telegram exports are whole files, not streams.
//!
//! A chunk whose first line repeats the header (a file rotated in with its own
//! header) has that line dropped.
//!
//! Skipped records are counted by reason with examples whose line numbers are
//! the stream's own. Rows without a post id get `source#first_line_of_chunk:line`
//! (a chunk's first, sniffing read gets `source:line`, as `detect` names them).

use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{Format, ReadOptions};
use serde::{Deserialize, Serialize};

/// What a reader keeps between chunks (and in a checkpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderState {
    /// The resolved format's name, once known.
    pub format: Option<String>,
    /// The header line of a delimited format (without its line end).
    pub header: Option<Vec<u8>>,
    /// Lines consumed so far (header included).
    pub lines: u64,
}

/// One parsed chunk.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Its shares, in input order.
    pub dataset: Dataset,
    /// Records (non-blank lines, header excluded).
    pub records: u64,
    /// Of these, skipped (each in `diagnostics`).
    pub skipped: u64,
    /// Skipped records by reason.
    pub diagnostics: Diagnostics,
}

/// Reads chunks of one stream.
#[derive(Debug, Clone)]
pub struct LineReader {
    name: String,
    opts: ReadOptions,
    state: ReaderState,
}

impl LineReader {
    /// A reader of the stream called `name` (a path's extension helps sniffing).
    pub fn new(name: impl Into<String>, opts: ReadOptions, state: ReaderState) -> crate::Result<LineReader> {
        let mut opts = opts;
        if let Some(f) = &state.format {
            opts.format = f.parse().map_err(|e| crate::Error::Io(format!("checkpoint: {e}")))?;
        }
        check_streamable(opts.format)?;
        Ok(LineReader { name: name.into(), opts, state })
    }

    /// The state to checkpoint.
    pub fn state(&self) -> &ReaderState {
        &self.state
    }

    /// Parses `chunk`: complete lines (the last may lack its line end).
    pub fn parse(&mut self, chunk: &[u8]) -> crate::Result<Parsed> {
        let base = self.state.lines;
        self.state.lines += count_lines(chunk);
        let mut body = chunk;
        if self.state.format.is_none() && self.state.header.is_none() {
            // First lines: JSON or a header?
            let Some(first) = first_nonblank_line(chunk) else { return Ok(Parsed::default()) };
            let json = matches!(first.1.first(), Some(b'{') | Some(b'['));
            let delimited = match self.opts.format {
                Format::Auto => !json,
                f => is_delimited(f),
            };
            if delimited {
                self.state.header = Some(trim_line_end(first.1).to_vec());
                body = &chunk[first.0..];
            }
        }
        if let (Some(h), true) = (&self.state.header, body.len() == chunk.len()) {
            // A rotated-in file starts with the header again: not a record.
            if let Some((end, line)) = first_nonblank_line(body) {
                if trim_line_end(line) == h.as_slice() {
                    body = &body[end..];
                }
            }
        }
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Parsed::default());
        }
        let mut buf = Vec::with_capacity(body.len() + 64);
        // Line numbers of the read: the header is line 1, body lines follow.
        let offset = match &self.state.header {
            Some(h) => {
                buf.extend_from_slice(h);
                buf.push(b'\n');
                base + count_lines(&chunk[..chunk.len() - body.len()]) - 1
            }
            None => base,
        };
        buf.extend_from_slice(body);
        let name = if base == 0 { self.name.clone() } else { format!("{}#{}", self.name, base + 1) };
        let mut ds = Dataset::default();
        let mut diags = Diagnostics::default();
        let summary = lockstep_ingest::read_bytes(&name, &buf, &self.opts, &mut ds, &mut diags)?;
        if self.state.format.is_none() {
            check_streamable(summary.format)?;
            self.state.format = Some(summary.format.name().to_string());
            self.opts.format = summary.format;
            if !is_delimited(summary.format) {
                self.state.header = None;
            }
        }
        for s in diags.by_reason.values_mut() {
            for ex in &mut s.examples {
                ex.source.clone_from(&self.name);
                ex.line += offset;
            }
        }
        Ok(Parsed { dataset: ds, records: summary.records, skipped: summary.skipped, diagnostics: diags })
    }
}

fn check_streamable(f: Format) -> crate::Result<()> {
    if matches!(f, Format::Parquet | Format::Telegram) {
        return Err(crate::Error::InvalidParam {
            name: "format",
            reason: format!("{} is a whole-file format, not a stream of lines: use `lockstep detect`", f.name()),
        });
    }
    Ok(())
}

fn is_delimited(f: Format) -> bool {
    matches!(f, Format::Csv | Format::Tsv | Format::Ira538 | Format::TwitterIo | Format::CrowdTangle)
}

fn count_lines(b: &[u8]) -> u64 {
    let n = b.iter().filter(|&&c| c == b'\n').count() as u64;
    n + u64::from(!b.is_empty() && !b.ends_with(b"\n"))
}

/// (end of the line including its line end, the line) of the first non-blank line.
fn first_nonblank_line(b: &[u8]) -> Option<(usize, &[u8])> {
    let mut start = 0;
    while start < b.len() {
        let end = b[start..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| start + p + 1);
        let line = &b[start..end];
        if !line.iter().all(|c| c.is_ascii_whitespace()) {
            return Some((end, line));
        }
        start = end;
    }
    None
}

fn trim_line_end(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_kept_for_later_chunks_and_lines_are_the_streams() {
        let mut r = LineReader::new("posts.csv", ReadOptions::default(), ReaderState::default()).unwrap();
        let p = r.parse(b"account_id,object_id,timestamp_share,content_id\n").unwrap();
        assert_eq!(p.records, 0);
        let p = r.parse(b"a,#x,1700000000,p1\nb,#x,1700000001,p2\n").unwrap();
        assert_eq!((p.records, p.dataset.shares.len()), (2, 2));
        let p = r.parse(b"c,#x,notatime,p3\nd,#x,1700000002,p4").unwrap();
        assert_eq!((p.records, p.skipped), (2, 1));
        let ex = &p.diagnostics.by_reason["bad_timestamp"].examples[0];
        assert_eq!((ex.source.as_str(), ex.line), ("posts.csv", 4));
        assert_eq!(r.state().format.as_deref(), Some("csv"));
        assert_eq!(r.state().lines, 5);
    }

    #[test]
    fn json_lines_need_no_header() {
        let mut r = LineReader::new("stream", ReadOptions::default(), ReaderState::default()).unwrap();
        let p = r
            .parse(b"{\"account_id\":\"a\",\"object_id\":\"#x\",\"timestamp_share\":1700000000,\"content_id\":\"1\"}\n")
            .unwrap();
        assert_eq!(p.dataset.shares.len(), 1);
        assert_eq!(r.state().header, None);
    }
}
