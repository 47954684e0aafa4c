//! Watchlists: the outlets and institutions whose names look-alike domains imitate.
//!
//! Layout (that of `../shared/domains/benign/news_outlets.csv`): CSV with the header
//! `domain,name,country,language,source`; only `domain` is required. Rows with the
//! same non-empty `name` and `country` are one outlet with several **sibling
//! domains**; a row without a name is an outlet of its own. Lines starting with
//! `#` are comments. A domain of any outlet on the watchlist is never flagged.

use crate::feed::{read_domain_csv, Loaded};
use hashbrown::HashMap;
use std::io::Read;
use std::path::Path;

/// The built-in watchlist (major outlets and institutions in the US, Europe,
/// Ukraine and Israel), curated for Lockstep; see the file's header.
pub const BUILTIN_WATCHLIST_CSV: &str = include_str!("../data/watchlist.csv");

/// The `source` of the built-in watchlist's rows. An outlet with this source was
/// reviewed by a person, who chose it as a name operations imitate: the look-alike
/// detector trusts its names as distinctive even when they are common words
/// (`guardian`, `forward`), and prefers it when other outlets share its name.
/// A user list may mark its reviewed rows the same way.
pub const CURATED_SOURCE: &str = "lockstep-curated";

/// The `source` of targets read from a popularity list ([`crate::targets`]).
pub const POPULAR_SOURCE: &str = "popularity-list";

/// The `source` prefix of targets taken from the hosts widely shared in a
/// dataset (`shared-in-data:<accounts>`, see [`crate::fusion`]).
pub const SHARED_SOURCE: &str = "shared-in-data";

/// One protected domain of an outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletDomain {
    /// Host without `www.`, ASCII (usually the registrable domain).
    pub domain: String,
    /// Its first label (`bild` for `bild.de`, `abcnews` for `abcnews.go.com`), Unicode.
    pub label: String,
    /// What follows the label (`de`, `go.com`), ASCII.
    pub suffix: String,
}

/// An outlet or institution and its sibling domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    /// Name (the first domain when the list gives none).
    pub name: String,
    /// Country code as given (may be empty).
    pub country: String,
    /// Sources of its rows, as given.
    pub source: String,
    /// Its domains, in list order.
    pub domains: Vec<OutletDomain>,
    /// Rank in a popularity list (0: not from one).
    pub rank: u32,
}

/// A list of outlets.
#[derive(Debug, Clone, Default)]
pub struct Watchlist {
    /// Outlets in order of first appearance.
    pub outlets: Vec<Outlet>,
}

impl Watchlist {
    /// The built-in watchlist ([`BUILTIN_WATCHLIST_CSV`]).
    pub fn builtin() -> Watchlist {
        let loaded = read_watchlist_csv(BUILTIN_WATCHLIST_CSV.as_bytes(), "builtin:watchlist.csv")
            .expect("the built-in watchlist is valid CSV");
        debug_assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        Watchlist::from_rows(loaded.rows)
    }

    /// Groups rows into outlets (same non-empty name and country = one outlet).
    pub fn from_rows(rows: Vec<WatchlistRow>) -> Watchlist {
        let mut w = Watchlist::default();
        w.extend(rows);
        w
    }

    /// Adds rows, merging them into existing outlets of the same name and country.
    pub fn extend(&mut self, rows: Vec<WatchlistRow>) {
        let mut by_key: HashMap<(String, String), usize> = HashMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, o) in self.outlets.iter().enumerate() {
            by_key.insert((o.name.clone(), o.country.clone()), i);
            for d in &o.domains {
                seen.insert(d.domain.clone(), i);
            }
        }
        for row in rows {
            if let Some(&i) = seen.get(&row.domain.domain) {
                // Listed already: a popularity list only adds its rank.
                let o = &mut self.outlets[i];
                if row.rank > 0 && (o.rank == 0 || row.rank < o.rank) {
                    o.rank = row.rank;
                }
                continue;
            }
            let idx =
                if row.name.is_empty() { None } else { by_key.get(&(row.name.clone(), row.country.clone())).copied() };
            match idx {
                Some(i) => {
                    seen.insert(row.domain.domain.clone(), i);
                    let o = &mut self.outlets[i];
                    if row.rank > 0 && (o.rank == 0 || row.rank < o.rank) {
                        o.rank = row.rank;
                    }
                    o.domains.push(row.domain);
                    if !row.source.is_empty() && !o.source.split(';').any(|s| s == row.source) {
                        if !o.source.is_empty() {
                            o.source.push(';');
                        }
                        o.source.push_str(&row.source);
                    }
                }
                None => {
                    seen.insert(row.domain.domain.clone(), self.outlets.len());
                    if !row.name.is_empty() {
                        by_key.insert((row.name.clone(), row.country.clone()), self.outlets.len());
                    }
                    self.outlets.push(Outlet {
                        name: if row.name.is_empty() { row.domain.domain.clone() } else { row.name },
                        country: row.country,
                        source: row.source,
                        domains: vec![row.domain],
                        rank: row.rank,
                    });
                }
            }
        }
    }

    /// Number of protected domains.
    pub fn domain_count(&self) -> usize {
        self.outlets.iter().map(|o| o.domains.len()).sum()
    }
}

/// One row of a watchlist file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchlistRow {
    /// The domain.
    pub domain: OutletDomain,
    /// Outlet name (may be empty).
    pub name: String,
    /// Country (may be empty).
    pub country: String,
    /// Source (may be empty).
    pub source: String,
    /// Rank in a popularity list (0: not from one).
    pub rank: u32,
}

/// Reads a watchlist CSV. `source` names the input in diagnostics.
pub fn read_watchlist_csv<R: Read>(reader: R, source: &str) -> crate::Result<Loaded<WatchlistRow>> {
    read_domain_csv(reader, source, ["name", "country", "source"], |d, [name, country, source], _| {
        let host = d.host.strip_prefix("www.").unwrap_or(&d.host).to_string();
        let (label, suffix) = if host == d.registrable {
            (d.label_unicode.clone(), d.suffix.clone())
        } else {
            let (first, rest) = host.split_once('.').unwrap_or((&host, ""));
            let (first_u, _) = idna::domain_to_unicode(first);
            (first_u, rest.to_string())
        };
        WatchlistRow { domain: OutletDomain { domain: host, label, suffix }, name, country, source, rank: 0 }
    })
}

/// Reads a watchlist file.
pub fn read_watchlist_path(path: &Path) -> crate::Result<Loaded<WatchlistRow>> {
    let bytes = fs_err::read(path)?;
    read_watchlist_csv(bytes.as_slice(), &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_covers_required_regions_with_siblings() {
        let loaded = read_watchlist_csv(BUILTIN_WATCHLIST_CSV.as_bytes(), "builtin").unwrap();
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let w = Watchlist::builtin();
        for country in ["US", "DE", "FR", "GB", "IT", "PL", "UA", "IL"] {
            let n = w.outlets.iter().filter(|o| o.country == country).count();
            assert!(n >= 8, "{country}: only {n} outlets");
        }
        let ynet = w.outlets.iter().find(|o| o.name == "Ynet").unwrap();
        assert_eq!(ynet.domains.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>(), ["ynet.co.il", "ynetnews.com"]);
        let gov = w.outlets.iter().find(|o| o.domains[0].domain == "diplomatie.gouv.fr").unwrap();
        assert_eq!((gov.domains[0].label.as_str(), gov.domains[0].suffix.as_str()), ("diplomatie", "gouv.fr"));
    }

    #[test]
    fn groups_siblings_and_reports_bad_rows() {
        let text = "domain,name,country,language,source\n\
                    bild.de,Bild,DE,de,a\n\
                    www.bild.com,Bild,DE,de,b\n\
                    metro.co.uk,Metro,GB,en,a\n\
                    metro.us,Metro,US,en,a\n\
                    nameless.example,,US,en,a\n\
                    not a domain,X,US,en,a\n\
                    short,row\n";
        let l = read_watchlist_csv(text.as_bytes(), "w.csv").unwrap();
        assert_eq!(l.diagnostics.skipped, 2);
        assert_eq!(
            l.diagnostics.by_reason["invalid_characters"].examples[0].to_string(),
            "w.csv:7: invalid_characters: \"not a domain\": characters a host name cannot have"
        );
        assert_eq!(l.diagnostics.by_reason["wrong_field_count"].examples[0].line, 8);
        let w = Watchlist::from_rows(l.rows);
        let names: Vec<(&str, usize)> = w.outlets.iter().map(|o| (o.name.as_str(), o.domains.len())).collect();
        assert_eq!(names, [("Bild", 2), ("Metro", 1), ("Metro", 1), ("nameless.example", 1)]);
        assert_eq!(w.outlets[0].source, "a;b");
    }
}
