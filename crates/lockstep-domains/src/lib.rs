//! # lockstep-domains: known operation domains and look-alikes of real outlets
//!
//! Influence operations live on domains: Doppelganger cloned real outlets on
//! look-alike domains (`bild.vip`, `spiegel.ltd`, `washingtonpost.pm`,
//! `theguardian.co.com`); networks like Portal Kombat run their own brands. This
//! crate says, for any domain or URL, whether it is **known** (listed in a feed of
//! operation domains, with provenance), a **look-alike** of an outlet on a
//! watchlist (which outlet, which technique, a score), or **clean**.
//!
//! ```
//! use lockstep_domains::{Classifier, Feed, Matcher, Watchlist};
//! let classifier = Classifier::new(Feed::new(), Matcher::new(Watchlist::builtin()));
//! let c = classifier.classify("https://www.spiegel.ltd/politik/");
//! assert_eq!(c.class.as_str(), "look-alike");
//! assert_eq!((c.outlet_domain.as_str(), c.technique.as_str()), ("spiegel.de", "other-suffix"));
//! assert_eq!(classifier.classify("https://www.spiegel.de/").class.as_str(), "clean");
//! ```
//!
//! Modules:
//! - [`domain`]: host, registrable domain, label, public suffix, IDN;
//! - [`feed`]: known-operation feeds (CSV, STIX 2.1) and the built-in feed;
//! - [`watchlist`]: outlets and their sibling domains, the built-in watchlist;
//! - [`targets`]: a popularity list (Tranco layout) as targets and known sites;
//! - [`distinct`]: how distinctive a name is (common words, building blocks of names);
//! - [`lookalike`]: the indexed look-alike detector;
//! - [`classify`]: one verdict per domain;
//! - [`fusion`]: the verdicts joined with the shares and a grouping of accounts (which groups pushed what).
//!
//! Invariants: matching does no I/O (loaders take readers or paths and return
//! rows plus diagnostics); a bad input row is a counted diagnostic with file, line
//! and reason, never dropped silently; the same inputs give the same verdicts.

pub mod classify;
pub mod distinct;
pub mod domain;
pub mod feed;
pub mod fusion;
pub mod lookalike;
pub mod targets;
pub mod watchlist;

pub use classify::{Class, Classification, Classifier};
pub use domain::{host_of, parse_domain, DomainName, ParseError};
pub use feed::{read_feed_csv, read_feed_path, read_feed_stix, Feed, FeedEntry, Loaded};
pub use fusion::{annotate, DomainRow, Fusion, GroupLinks, NamedCount, LINK_KINDS};
pub use lookalike::{compact, fold, Behaviour, Evidence, LookAlike, Matcher, Origin, Technique, Verdict};
pub use targets::{read_targets_csv, read_targets_path};
pub use watchlist::{
    read_watchlist_csv, read_watchlist_path, Outlet, OutletDomain, Watchlist, WatchlistRow, POPULAR_SOURCE,
    SHARED_SOURCE,
};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Errors of whole inputs (a bad row is a diagnostic, not an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// I/O error (the message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The input is not in the expected layout.
    #[error("{source_name}: {reason}")]
    Format {
        /// The input's name.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    pub(crate) fn csv(source: &str, e: csv::Error) -> Self {
        Error::Format { source_name: source.to_string(), reason: e.to_string() }
    }
}
