//! Targets beyond the watchlist: a popularity list (the Tranco layout) whose
//! domains are potential targets of imitation and, at the same time, known
//! legitimate sites (never flagged).
//!
//! Layout: CSV lines `rank,domain` (Tranco's download, without a header) or with
//! the header `rank,domain` (`shared/domains/benign/top_domains.csv`), or one
//! domain per line (rank = line order). `#` lines are comments. Bad rows are
//! diagnostics with file, line and reason, never dropped silently.
//!
//! Each domain becomes a [`WatchlistRow`] with source [`POPULAR_SOURCE`] and its
//! rank; rows with the same label (`google.com`, `google.de`) are one target named
//! after the best-ranked domain, so a brand's domains on other suffixes are its
//! siblings. A domain under a public suffix (`interieur.gouv.fr`) is a target by
//! its label (`interieur`).

use crate::feed::{diag, Loaded};
use crate::watchlist::{OutletDomain, WatchlistRow, POPULAR_SOURCE};
use crate::{parse_domain, Error};
use hashbrown::HashMap;
use std::io::Read;
use std::path::Path;

/// Reads a popularity list. `source` names the input in diagnostics.
///
/// ```
/// use lockstep_domains::read_targets_csv;
/// let l = read_targets_csv("1,example.com\n2,example.org\n3,not a domain\n".as_bytes(), "top.csv").unwrap();
/// assert_eq!(l.rows.len(), 2);
/// assert_eq!((l.rows[1].rank, l.rows[1].name.as_str()), (2, "example.com"));
/// assert_eq!(l.diagnostics.skipped, 1);
/// ```
pub fn read_targets_csv<R: Read>(reader: R, source: &str) -> crate::Result<Loaded<WatchlistRow>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).comment(Some(b'#')).flexible(true).from_reader(reader);
    let mut out: Loaded<WatchlistRow> = Loaded::default();
    let mut record = csv::StringRecord::new();
    let mut first_of_label: HashMap<String, String> = HashMap::new();
    let mut n = 0u32;
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
        let fields: Vec<&str> = record.iter().map(str::trim).collect();
        let (rank, raw) = match fields.as_slice() {
            [rank, domain] if rank.eq_ignore_ascii_case("rank") && domain.eq_ignore_ascii_case("domain") => continue,
            [domain] if domain.eq_ignore_ascii_case("domain") => continue,
            [rank, domain] => match rank.parse::<u32>() {
                Ok(r) if r > 0 => (r, *domain),
                _ => {
                    out.diagnostics.record(diag(source, line, "bad_rank", format!("{rank:?} is not a rank (1, 2, …)")));
                    continue;
                }
            },
            [domain] => (n + 1, *domain),
            _ => {
                out.diagnostics.record(diag(
                    source,
                    line,
                    "wrong_field_count",
                    format!("{} fields, expected rank,domain or domain", fields.len()),
                ));
                continue;
            }
        };
        n += 1;
        match parse_domain(raw) {
            Ok(d) => {
                // `www.example.com` is `example.com`; `www.gov.uk` is itself registrable.
                let host = if d.host == d.registrable || d.host.strip_prefix("www.") == Some(d.registrable.as_str()) {
                    d.registrable.clone()
                } else {
                    out.diagnostics.record(diag(
                        source,
                        line,
                        "not_registrable",
                        format!("{raw:?}: a host under {}, not a registrable domain", d.registrable),
                    ));
                    continue;
                };
                let name = first_of_label.entry(d.label.clone()).or_insert_with(|| host.clone()).clone();
                out.rows.push(WatchlistRow {
                    domain: OutletDomain { domain: host, label: d.label_unicode.clone(), suffix: d.suffix.clone() },
                    name,
                    country: String::new(),
                    source: POPULAR_SOURCE.to_string(),
                    rank,
                });
            }
            Err(e) => out.diagnostics.record(diag(source, line, e.code(), format!("{raw:?}: {e}"))),
        }
    }
    if out.rows.is_empty() && out.diagnostics.skipped > 0 {
        return Err(Error::Format {
            source_name: source.to_string(),
            reason: "no domain read: expected lines `rank,domain` (Tranco layout) or one domain per line".into(),
        });
    }
    Ok(out)
}

/// Reads a popularity list file.
pub fn read_targets_path(path: &Path) -> crate::Result<Loaded<WatchlistRow>> {
    let bytes = fs_err::read(path)?;
    read_targets_csv(bytes.as_slice(), &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_and_bad_rows() {
        let text = "rank,domain\n1,alpha-brand.com\n2,alpha-brand.de\n3,www.beta.org\nx,gamma.net\n5,sub.delta.com\n\
                    6,interieur.gouv.fr\n7,a,b\n8,www.gov.uk\n";
        let l = read_targets_csv(text.as_bytes(), "top.csv").unwrap();
        let got: Vec<(&str, &str, u32)> =
            l.rows.iter().map(|r| (r.domain.domain.as_str(), r.name.as_str(), r.rank)).collect();
        assert_eq!(
            got,
            [
                ("alpha-brand.com", "alpha-brand.com", 1),
                ("alpha-brand.de", "alpha-brand.com", 2),
                ("beta.org", "beta.org", 3),
                ("interieur.gouv.fr", "interieur.gouv.fr", 6),
                ("www.gov.uk", "www.gov.uk", 8),
            ]
        );
        assert_eq!(l.rows[3].domain.label, "interieur");
        assert_eq!(l.diagnostics.skipped, 3);
        for reason in ["bad_rank", "not_registrable", "wrong_field_count"] {
            assert_eq!(l.diagnostics.by_reason[reason].count, 1, "{reason}");
        }
        assert_eq!(l.diagnostics.by_reason["bad_rank"].examples[0].line, 5);
        // One domain per line, no header.
        let l = read_targets_csv("zeta.com\neta.org\n".as_bytes(), "plain.txt").unwrap();
        assert_eq!(l.rows.iter().map(|r| r.rank).collect::<Vec<_>>(), [1, 2]);
        assert!(read_targets_csv("nonsense here\n".as_bytes(), "bad.txt").is_err());
    }
}
