//! Shared machinery of the platform CSV layouts (`ira-538`, `twitter-io`): a
//! header row whose column names say what each column holds, one post per row.
//! Each layout is a file that names its columns and maps a row to
//! [`PostFields`]; this module reads the rows, finds the columns and reports
//! rows of the wrong length, like the generic CSV reader.

use crate::sink::{reason, PostNames, Sink};
use crate::source::Source;
use crate::{Error, Result};
use ::csv::{ByteRecord, ErrorKind, ReaderBuilder};

/// Column positions by name.
pub(crate) struct Header {
    names: Vec<String>,
}

impl Header {
    /// Index of the first of `names` that the header has.
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.names.iter().position(|c| c.eq_ignore_ascii_case(n)))
    }
    /// The column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// A layout: which columns it needs, and how a row becomes a post.
pub(crate) trait Layout {
    /// Field names for diagnostics.
    const NAMES: PostNames;
    /// Called once with the header; errs when a required column is missing.
    fn bind(&mut self, header: &Header, file: &str) -> Result<()>;
    /// Maps one row (UTF-8 checked per field by the sink) to a post and hands it on.
    fn row(&mut self, row: &ByteRecord, line: u64, sink: &mut Sink<'_>) -> Result<()>;
}

/// Reads every row of `src` through `layout`.
pub(crate) fn read<L: Layout>(layout: &mut L, src: Source, sink: &mut Sink<'_>) -> Result<()> {
    let Source { info, reader, .. } = src;
    let mut rdr = ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(super::lines::LineIndex::new(reader));
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Error::Csv { file: info.name.clone(), line: 1, cause: e }),
    };
    let names = header
        .iter()
        .map(|h| String::from_utf8_lossy(h.strip_prefix(b"\xef\xbb\xbf").unwrap_or(h)).trim().to_string())
        .collect();
    layout.bind(&Header { names }, &info.name)?;
    let mut row = ByteRecord::new();
    let mut line = 1;
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(true) => {
                line = row.position().map_or(line + 1, |p| rdr.get_mut().line_at(p.byte()));
                layout.row(&row, line, sink)?;
            }
            Ok(false) => break,
            Err(e) => match e.kind() {
                ErrorKind::UnequalLengths { pos, expected_len, len } => {
                    line = pos.as_ref().map_or(line + 1, |p| rdr.get_mut().line_at(p.byte()));
                    sink.reject(
                        line,
                        reason::WRONG_FIELD_COUNT,
                        format!("{len} fields, the header has {expected_len}"),
                    )?;
                }
                _ if e.is_io_error() => match e.into_kind() {
                    ErrorKind::Io(io) => return Err(info.read_error(line, io)),
                    _ => unreachable!("is_io_error"),
                },
                _ => return Err(Error::Csv { file: info.name.clone(), line, cause: e }),
            },
        }
    }
    if sink.records() == 0 {
        return Err(Error::Empty { file: info.name, what: "a header but no records" });
    }
    Ok(())
}

/// A required column, or the error naming it.
pub(crate) fn required(header: &Header, names: &[&str], role: &'static str, file: &str) -> Result<usize> {
    header.find(names).ok_or_else(|| Error::MissingColumn {
        file: file.to_string(),
        role,
        column: names.join(" or "),
        available: header.names().to_vec(),
    })
}

/// The items of a list cell: `a;b`, `[a, b]`, `['a', 'b']` or `["a","b"]`.
/// Items are trimmed; a quoted item may hold the separator; empty items are dropped.
pub(crate) fn list_items(cell: &str) -> Vec<&str> {
    let inner = cell.trim();
    let inner = inner.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(inner);
    let sep = if inner.contains(';') { ';' } else { ',' };
    let mut out = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"');
        let (item, after) = match quote.and_then(|q| rest[1..].find(q).map(|end| (q, end))) {
            Some((_, end)) => {
                let item = &rest[1..1 + end];
                let after = rest[2 + end..].trim_start();
                (item, after.strip_prefix(sep).unwrap_or(after))
            }
            None => match rest.find(sep) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            },
        };
        let item = item.trim();
        if !item.is_empty() {
            out.push(item);
        }
        rest = after.trim_start();
    }
    out
}

/// A cell as UTF-8 text, if valid (invalid text in an optional column counts as absent;
/// required columns go through the sink, which reports bad UTF-8).
pub(crate) fn cell(row: &ByteRecord, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| row.get(i)).and_then(|b| std::str::from_utf8(b).ok())
}

/// `#tags` in a text, for layouts without a hashtag column.
pub(crate) fn tags_in(text: &str, sigil: char) -> Vec<&str> {
    let mut out = Vec::new();
    for (i, c) in text.char_indices() {
        if c != sigil {
            continue;
        }
        let before_ok = !matches!(text[..i].chars().next_back(), Some(p) if p.is_alphanumeric() || p == '_');
        let rest = &text[i + c.len_utf8()..];
        let len = rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_')).unwrap_or(rest.len());
        if before_ok && len > 0 {
            out.push(&rest[..len]);
        }
    }
    out
}

/// `http(s)://` links in a text, for layouts without a url column.
pub(crate) fn links_in(text: &str) -> Vec<&str> {
    text.split_whitespace().filter(|t| t.starts_with("http://") || t.starts_with("https://")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_tags() {
        for (cell, items) in [
            ("a;b", vec!["a", "b"]),
            ("[a, b]", vec!["a", "b"]),
            ("['a', 'b']", vec!["a", "b"]),
            ("[\"https://x.org/a,b\", 'c']", vec!["https://x.org/a,b", "c"]),
            ("a; b;", vec!["a", "b"]),
            ("[]", vec![]),
            ("", vec![]),
            ("https://t.co/x", vec!["https://t.co/x"]),
        ] {
            assert_eq!(list_items(cell), items, "{cell}");
        }
        assert_eq!(tags_in("#a b#c #d_e, #", '#'), ["a", "d_e"]);
        assert_eq!(links_in("see https://t.co/x and http://y"), ["https://t.co/x", "http://y"]);
    }
}
