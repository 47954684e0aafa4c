//! # lockstep-normalize: what makes two shared objects the same object
//!
//! The stage between ingest and co-share detection. Platform readers hand over
//! raw values (a URL as posted, a hashtag as typed, a post's text); this crate
//! turns each into the canonical value under which co-shares are counted, one
//! function per object kind. Nothing here does I/O: shortened links are kept and
//! marked, never resolved over the network.
//!
//! ```
//! use lockstep_normalize::{canonical_url, hashtag, registrable_domain, text};
//!
//! let u = canonical_url("HTTP://WWW.Example.com:80/a?utm_source=x&b=2&a=1#top").unwrap();
//! assert_eq!(u.url, "https://example.com/a?a=1&b=2");
//! assert!(!u.shortened);
//! assert_eq!(registrable_domain("news.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
//! assert!(canonical_url("https://bit.ly/3xYz").unwrap().shortened);
//! assert_eq!(hashtag("#ＭＡＧＡ").as_deref(), Some("maga"));
//! assert_eq!(text("RT @bob: Look   at THIS https://t.co/x").as_deref(), Some("look at this"));
//! ```
//!
//! Every rule is listed, with the reason for it, in docs/method.md ("Objects and
//! normalisation"). The rules are idempotent: normalising a normalised value
//! gives it back (property-tested).

mod kind;
mod text;
mod url_rules;

pub use kind::{ObjectKind, ObjectKinds, ParseKindError};
pub use text::{hashtag, mention, text};
pub use url_rules::{canonical_url, is_shortener, registrable_domain, url_domain, CanonicalUrl, SHORTENERS};
