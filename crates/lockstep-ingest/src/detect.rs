//! `Format::Auto`: the format from the file name, else from the first bytes.
//!
//! 1. Extension, after stripping `.gz`, `.zst`, `.zstd`: `csv`; `tsv`/`tab`;
//!    `jsonl`/`ndjson`; `parquet`/`pq`. Other extensions (including `.json`,
//!    `.txt`) fall through to sniffing.
//! 2. Content (decompressed): `PAR1` → Parquet; first non-blank byte `{` → JSON
//!    Lines; a tab in the first line → TSV; otherwise CSV. Content that is clearly
//!    none of these (a JSON array, binary bytes) is an error that says why.

use crate::Format;

/// The format of an input named `name` whose first decompressed bytes are `head`.
pub(crate) fn detect(name: &str, head: &[u8]) -> Result<Format, String> {
    if let Some(f) = by_extension(name) {
        return Ok(f);
    }
    sniff(head)
}

/// The format named by the file extension, if any.
pub(crate) fn by_extension(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let mut stem = lower.as_str();
    for z in [".gz", ".zst", ".zstd"] {
        if let Some(s) = stem.strip_suffix(z) {
            stem = s;
            break;
        }
    }
    let (_, ext) = stem.rsplit_once('.')?;
    match ext {
        "csv" => Some(Format::Csv),
        "tsv" | "tab" => Some(Format::Tsv),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        "parquet" | "pq" => Some(Format::Parquet),
        _ => None,
    }
}

/// The format recognised from content.
pub(crate) fn sniff(head: &[u8]) -> Result<Format, String> {
    if head.starts_with(b"PAR1") {
        return Ok(Format::Parquet);
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(first) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err("the input holds only blank lines".into());
    };
    match text[first] {
        b'{' => return Ok(Format::Jsonl),
        b'[' => return Err("it starts with `[`: a JSON array or document, not JSON Lines (one object per line)".into()),
        _ => {}
    }
    if text.contains(&0) {
        return Err("it holds binary bytes and is not gzip, zstd or Parquet".into());
    }
    let line_end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    if memchr::memchr(b'\t', &text[..line_end]).is_some() {
        Ok(Format::Tsv)
    } else {
        Ok(Format::Csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        for (name, f) in [
            ("a.csv", Some(Format::Csv)),
            ("dir.x/A.CSV.GZ", Some(Format::Csv)),
            ("a.tsv.zst", Some(Format::Tsv)),
            ("a.tab", Some(Format::Tsv)),
            ("a.ndjson.zstd", Some(Format::Jsonl)),
            ("a.jsonl", Some(Format::Jsonl)),
            ("a.parquet", Some(Format::Parquet)),
            ("a.json", None),
            ("a.gz", None),
            ("a", None),
            ("<stdin>", None),
        ] {
            assert_eq!(by_extension(name), f, "{name}");
        }
    }

    #[test]
    fn content() {
        for (head, f) in [
            (&b"PAR1\x15\x04"[..], Ok(Format::Parquet)),
            (b"{\"a\":1}\n", Ok(Format::Jsonl)),
            (b"\n  {\"a\":1}\n", Ok(Format::Jsonl)),
            (b"\xef\xbb\xbf{\"a\":1}\n", Ok(Format::Jsonl)),
            (b"a\tb\tc\n1,2\t3\n", Ok(Format::Tsv)),
            (b"a,b,c\n1\t2,3\n", Ok(Format::Csv)),
            (b"single", Ok(Format::Csv)),
        ] {
            assert_eq!(sniff(head), f, "{:?}", String::from_utf8_lossy(head));
        }
        assert!(sniff(b"[{\"a\":1}]").unwrap_err().contains("JSON array"));
        assert!(sniff(b"ab\0cd").unwrap_err().contains("binary"));
        assert!(sniff(b"\n\n").unwrap_err().contains("blank"));
    }
}
