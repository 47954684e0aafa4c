//! Known-operation domain feeds: lists of domains attributed to influence
//! operations, each row with its provenance (source, campaign, date first
//! reported, notes, and the file and line it came from).
//!
//! Two input layouts:
//! - CSV with the header `domain,source,campaign,date_first_reported,notes`
//!   (other columns are not read; each row's file and line is its
//!   [`FeedEntry::origin`]); lines starting with `#` are comments.
//! - STIX 2.1 bundles (JSON): `indicator` objects whose pattern compares
//!   `domain-name:value` or `url:value`, and `domain-name` / `url` observables.
//!   The source is the `created_by_ref` identity's name, the campaign the name of
//!   the campaign / intrusion set / threat actor an `indicates` relationship
//!   points to, the date the indicator's `valid_from` (or `created`).
//!
//! Loaders never stop at a bad row: it is recorded in [`Diagnostics`] with file,
//! line (CSV) or object number (STIX) and a reason code, and counted.

use crate::domain::{parse_domain, DomainName};
use crate::Error;
use hashbrown::HashMap;
use lockstep_core::{Diagnostic, Diagnostics};
use std::io::Read;
use std::path::Path;

/// The built-in feed, curated for Lockstep from public reports (see the file's header).
pub const BUILTIN_FEED_CSV: &str = include_str!("../data/known-domains.csv");

/// One known-operation domain with its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The domain (or host) as ASCII, lower-case.
    pub domain: String,
    /// Who attributed it (a report, an organisation).
    pub source: String,
    /// The operation or campaign.
    pub campaign: String,
    /// `YYYY-MM-DD` (may be empty).
    pub date_first_reported: String,
    /// Free text.
    pub notes: String,
    /// Where the row came from: `file:line` (CSV) or `file#object` (STIX).
    pub origin: String,
}

/// A set of known-operation domains, looked up by host or any parent domain.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    entries: Vec<FeedEntry>,
    by_domain: HashMap<String, Vec<u32>>,
}

/// What a loader read.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// Rows read successfully.
    pub rows: Vec<T>,
    /// Rows skipped, by reason, with file and line.
    pub diagnostics: Diagnostics,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded { rows: Vec::new(), diagnostics: Diagnostics::default() }
    }
}

impl Feed {
    /// An empty feed.
    pub fn new() -> Self {
        Feed::default()
    }

    /// The built-in feed ([`BUILTIN_FEED_CSV`]).
    pub fn builtin() -> Feed {
        let loaded = read_feed_csv(BUILTIN_FEED_CSV.as_bytes(), "builtin:known-domains.csv")
            .expect("the built-in feed is valid CSV");
        debug_assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let mut feed = Feed::new();
        feed.extend(loaded.rows);
        feed
    }

    /// Adds entries (a domain may have several, from different sources).
    pub fn extend(&mut self, rows: impl IntoIterator<Item = FeedEntry>) {
        for row in rows {
            let id = self.entries.len() as u32;
            self.by_domain.entry(row.domain.clone()).or_default().push(id);
            self.entries.push(row);
        }
    }

    /// All entries in load order.
    pub fn entries(&self) -> &[FeedEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries for the most specific listed name among the host and its parent
    /// domains down to the registrable domain (`x.bild.vip` finds `bild.vip`).
    pub fn lookup(&self, d: &DomainName) -> Vec<&FeedEntry> {
        let mut name = d.host.as_str();
        loop {
            if let Some(ids) = self.by_domain.get(name) {
                return ids.iter().map(|&i| &self.entries[i as usize]).collect();
            }
            if name.len() <= d.registrable.len() {
                return Vec::new();
            }
            match name.find('.') {
                Some(i) => name = &name[i + 1..],
                None => return Vec::new(),
            }
        }
    }
}

pub(crate) fn diag(source: &str, line: u64, reason: &str, detail: String) -> Diagnostic {
    Diagnostic { source: source.to_string(), line, reason: reason.to_string(), detail }
}

/// Reads a domain list in CSV (a header with a `domain` column; `#` comments).
/// `make(domain, values, line)` builds a row from the parsed domain and the
/// trimmed values of `columns` (empty when a column is absent). A missing
/// `domain` column is an error; unreadable rows, rows with the wrong number of
/// fields and unparsable domains are diagnostics naming `source` and the line.
pub(crate) fn read_domain_csv<R: Read, T, const N: usize>(
    reader: R,
    source: &str,
    columns: [&str; N],
    mut make: impl FnMut(DomainName, [String; N], u64) -> T,
) -> crate::Result<Loaded<T>> {
    let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).from_reader(reader);
    let headers = r.headers().map_err(|e| Error::csv(source, e))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let domain_col = col("domain").ok_or_else(|| Error::Format {
        source_name: source.to_string(),
        reason: format!("no `domain` column in the header ({})", headers.iter().collect::<Vec<_>>().join(",")),
    })?;
    let positions = columns.map(col);
    let mut out = Loaded::default();
    let mut record = csv::StringRecord::new();
    loop {
        let line = match r.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => record.position().map_or(0, |p| p.line()),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.diagnostics.record(diag(source, line, "bad_csv_record", e.to_string()));
                continue;
            }
        };
        if record.len() != headers.len() {
            out.diagnostics.record(diag(
                source,
                line,
                "wrong_field_count",
                format!("{} fields, the header has {}", record.len(), headers.len()),
            ));
            continue;
        }
        let raw = record.get(domain_col).unwrap_or("").trim();
        match parse_domain(raw) {
            Ok(d) => {
                let values = positions.map(|c| c.and_then(|c| record.get(c)).unwrap_or("").trim().to_string());
                out.rows.push(make(d, values, line));
            }
            Err(e) => out.diagnostics.record(diag(source, line, e.code(), format!("{raw:?}: {e}"))),
        }
    }
    Ok(out)
}

/// Reads a feed in the CSV layout. `source` names the input in diagnostics.
/// A missing `domain` column is an error; bad rows are diagnostics.
pub fn read_feed_csv<R: Read>(reader: R, source: &str) -> crate::Result<Loaded<FeedEntry>> {
    read_domain_csv(
        reader,
        source,
        ["source", "campaign", "date_first_reported", "notes"],
        |d, [src, campaign, date_first_reported, notes], line| FeedEntry {
            domain: d.host.strip_prefix("www.").unwrap_or(&d.host).to_string(),
            source: src,
            campaign,
            date_first_reported,
            notes,
            origin: format!("{source}:{line}"),
        },
    )
}

/// Reads a STIX 2.1 bundle. `source` names the input in diagnostics and origins.
pub fn read_feed_stix<R: Read>(reader: R, source: &str) -> crate::Result<Loaded<FeedEntry>> {
    let bundle: serde_json::Value = serde_json::from_reader(reader)
        .map_err(|e| Error::Format { source_name: source.to_string(), reason: e.to_string() })?;
    let objects = bundle.get("objects").and_then(|o| o.as_array()).ok_or_else(|| Error::Format {
        source_name: source.to_string(),
        reason: "not a STIX bundle: no `objects` array".into(),
    })?;
    let s = |o: &serde_json::Value, k: &str| o.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut indicates: HashMap<String, Vec<String>> = HashMap::new();
    for o in objects {
        let t = s(o, "type");
        if matches!(t.as_str(), "identity" | "campaign" | "intrusion-set" | "threat-actor") {
            names.insert(s(o, "id"), s(o, "name"));
        }
        if t == "relationship" && s(o, "relationship_type") == "indicates" {
            indicates.entry(s(o, "source_ref")).or_default().push(s(o, "target_ref"));
        }
    }
    let mut out = Loaded::default();
    for (i, o) in objects.iter().enumerate() {
        let n = i as u64 + 1;
        let t = s(o, "type");
        let values: Vec<String> = match t.as_str() {
            "indicator" => {
                let pattern = s(o, "pattern");
                let found = pattern_values(&pattern);
                if found.is_empty() {
                    out.diagnostics.record(diag(
                        source,
                        n,
                        "stix_pattern_without_domain",
                        format!(
                            "indicator {}: pattern {pattern:?} compares no domain-name:value or url:value",
                            s(o, "id")
                        ),
                    ));
                    continue;
                }
                found
            }
            "domain-name" | "url" => vec![s(o, "value")],
            _ => continue,
        };
        let id = s(o, "id");
        let campaign: Vec<&str> = indicates
            .get(&id)
            .map(|targets| targets.iter().filter_map(|t| names.get(t)).map(String::as_str).collect())
            .unwrap_or_default();
        let date = {
            let v = s(o, "valid_from");
            let v = if v.is_empty() { s(o, "created") } else { v };
            v.get(..10).unwrap_or(&v).to_string()
        };
        let by = names.get(&s(o, "created_by_ref")).cloned().unwrap_or_default();
        let notes =
            [s(o, "name"), s(o, "description")].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(" | ");
        for v in values {
            match parse_domain(&v) {
                Ok(d) => out.rows.push(FeedEntry {
                    domain: d.host.strip_prefix("www.").unwrap_or(&d.host).to_string(),
                    source: if by.is_empty() { format!("STIX bundle {source}") } else { by.clone() },
                    campaign: campaign.join("; "),
                    date_first_reported: date.clone(),
                    notes: notes.clone(),
                    origin: format!("{source}#{n}"),
                }),
                Err(e) => out.diagnostics.record(diag(source, n, e.code(), format!("{t} {id}: {v:?}: {e}"))),
            }
        }
    }
    Ok(out)
}

/// Values compared with `domain-name:value` or `url:value` in a STIX pattern.
fn pattern_values(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["domain-name:value", "url:value"] {
        let mut rest = pattern;
        while let Some(i) = rest.find(key) {
            rest = &rest[i + key.len()..];
            let after = rest.trim_start();
            let Some(after) = after.strip_prefix('=') else { continue };
            let after = after.trim_start();
            let Some(after) = after.strip_prefix('\'') else { continue };
            if let Some(end) = after.find('\'') {
                out.push(after[..end].replace("\\'", "'"));
            }
        }
    }
    out
}

/// Reads a feed file: STIX when it ends in `.json` or starts with `{`, CSV otherwise.
pub fn read_feed_path(path: &Path) -> crate::Result<Loaded<FeedEntry>> {
    let bytes = fs_err::read(path)?;
    let name = path.display().to_string();
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if is_json {
        read_feed_stix(bytes.as_slice(), &name)
    } else {
        read_feed_csv(bytes.as_slice(), &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_feed_is_clean_and_sourced() {
        let loaded = read_feed_csv(BUILTIN_FEED_CSV.as_bytes(), "builtin").unwrap();
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        assert!(loaded.rows.len() >= 15);
        for r in &loaded.rows {
            assert!(!r.source.is_empty() && !r.campaign.is_empty() && r.date_first_reported.len() == 10, "{r:?}");
            // Each row says how it was checked against its report (see the file's header).
            assert!(r.notes.contains("verified: "), "{r:?}");
        }
        assert!(BUILTIN_FEED_CSV.contains("# version: 2026.11.28-1"));
        let feed = Feed::builtin();
        let hit = feed.lookup(&parse_domain("https://www.washingtonpost.pm/politics/x").unwrap());
        assert_eq!(hit[0].campaign, "Doppelganger");
    }

    #[test]
    fn csv_bad_rows_are_counted_with_line() {
        let text = "domain,source,campaign,date_first_reported,notes\n\
                    bild.vip,Meta,Doppelganger,2022-09-27,\n\
                    ,Meta,Doppelganger,2022-09-27,\n\
                    10.1.2.3,x,y,2022-01-01,\n\
                    too,few\n\
                    hxxps://spiegel[.]ltd/a,EU DisinfoLab,Doppelganger,2022-09-27,defanged\n";
        let l = read_feed_csv(text.as_bytes(), "f.csv").unwrap();
        assert_eq!(l.rows.iter().map(|r| r.domain.as_str()).collect::<Vec<_>>(), ["bild.vip", "spiegel.ltd"]);
        assert_eq!(l.rows[1].origin, "f.csv:6");
        assert_eq!(l.diagnostics.skipped, 3);
        assert_eq!(l.diagnostics.by_reason["empty_domain"].examples[0].line, 3);
        assert_eq!(l.diagnostics.by_reason["ip_address"].examples[0].line, 4);
        assert_eq!(l.diagnostics.by_reason["wrong_field_count"].examples[0].line, 5);
        let err = read_feed_csv("name,x\na,b\n".as_bytes(), "g.csv").unwrap_err();
        assert!(err.to_string().contains("g.csv") && err.to_string().contains("domain"), "{err}");
    }

    #[test]
    fn stix_bundle() {
        let text = r#"{"type":"bundle","id":"bundle--1","objects":[
          {"type":"identity","id":"identity--a","name":"Example CERT"},
          {"type":"campaign","id":"campaign--d","name":"Doppelganger"},
          {"type":"indicator","id":"indicator--1","created_by_ref":"identity--a","name":"clone of bild.de",
           "pattern":"[domain-name:value = 'bild.vip'] OR [url:value = 'https://spiegel.ltd/x']",
           "pattern_type":"stix","valid_from":"2022-09-27T00:00:00Z","created":"2022-10-01T00:00:00Z"},
          {"type":"relationship","id":"relationship--1","relationship_type":"indicates","source_ref":"indicator--1","target_ref":"campaign--d"},
          {"type":"indicator","id":"indicator--2","pattern":"[ipv4-addr:value = '1.2.3.4']","pattern_type":"stix","valid_from":"2022-01-01T00:00:00Z"},
          {"type":"domain-name","id":"domain-name--3","value":"welt.ltd"},
          {"type":"domain-name","id":"domain-name--4","value":"not a domain"}
        ]}"#;
        let l = read_feed_stix(text.as_bytes(), "b.json").unwrap();
        let got: Vec<_> = l
            .rows
            .iter()
            .map(|r| (r.domain.as_str(), r.source.as_str(), r.campaign.as_str(), r.date_first_reported.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("bild.vip", "Example CERT", "Doppelganger", "2022-09-27"),
                ("spiegel.ltd", "Example CERT", "Doppelganger", "2022-09-27"),
                ("welt.ltd", "STIX bundle b.json", "", ""),
            ]
        );
        assert_eq!(l.rows[0].origin, "b.json#3");
        assert_eq!(l.diagnostics.skipped, 2);
        assert_eq!(l.diagnostics.by_reason["stix_pattern_without_domain"].examples[0].line, 5);
        assert_eq!(l.diagnostics.by_reason["invalid_characters"].examples[0].line, 7);
        assert!(read_feed_stix("[1]".as_bytes(), "c.json").is_err());
    }
}
