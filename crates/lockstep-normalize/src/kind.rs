//! Object kinds and sets of them (`--objects url,domain,hashtag`).

use std::fmt;
use std::str::FromStr;

/// What kind of thing a share shares. Objects of different kinds never co-share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    /// A link, canonicalised by [`crate::canonical_url`].
    Url,
    /// The registrable domain of a link ([`crate::url_domain`]); none for shortened links.
    Domain,
    /// A hashtag ([`crate::hashtag`]).
    Hashtag,
    /// A mentioned account ([`crate::mention`]).
    Mention,
    /// The post that was reposted (retweeted, reblogged, forwarded): its id.
    Repost,
    /// The post that was replied to: its id.
    Reply,
    /// The post that was quoted: its id.
    Quote,
    /// The normalised text ([`crate::text`]).
    Text,
    /// An image or video hash, when the data carries one.
    Media,
    /// A cluster of near-duplicate texts (MinHash/LSH, verified Jaccard; the
    /// `lockstep-neartext` stage assigns it after reading). Not in the default set.
    NearText,
}

impl ObjectKind {
    /// Every kind, in the order of its bit in [`ObjectKinds`].
    pub const ALL: [ObjectKind; 10] = [
        ObjectKind::Url,
        ObjectKind::Domain,
        ObjectKind::Hashtag,
        ObjectKind::Mention,
        ObjectKind::Repost,
        ObjectKind::Reply,
        ObjectKind::Quote,
        ObjectKind::Text,
        ObjectKind::Media,
        ObjectKind::NearText,
    ];

    /// The lowercase name, as written in `--objects` and in the outputs' `kind` column.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Url => "url",
            ObjectKind::Domain => "domain",
            ObjectKind::Hashtag => "hashtag",
            ObjectKind::Mention => "mention",
            ObjectKind::Repost => "repost",
            ObjectKind::Reply => "reply",
            ObjectKind::Quote => "quote",
            ObjectKind::Text => "text",
            ObjectKind::Media => "media",
            ObjectKind::NearText => "near-text",
        }
    }

    /// Position in [`ObjectKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown name in `--objects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseKindError(pub String);

impl fmt::Display for ParseKindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown object kind `{}`; expected a comma-separated list of: url, domain, hashtag, mention, repost, \
             reply, quote, text, media, near-text (or `all`)",
            self.0
        )
    }
}

impl std::error::Error for ParseKindError {}

impl FromStr for ObjectKind {
    type Err = ParseKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        ObjectKind::ALL.into_iter().find(|k| k.name() == s).ok_or(ParseKindError(s))
    }
}

/// A set of object kinds. The default is `url,domain,hashtag,repost,text`:
/// the kinds that coordinated campaigns are usually found by. `mention`, `reply`
/// and `quote` are left out because replying to or mentioning the same popular
/// account is what ordinary users do all the time; `media` because few exports
/// carry a hash; `near-text` because it adds a clustering stage (and `all`
/// leaves it out for the same reason: write `all,near-text`).
///
/// ```
/// use lockstep_normalize::{ObjectKind, ObjectKinds};
/// let set: ObjectKinds = "hashtag, url".parse().unwrap();
/// assert!(set.contains(ObjectKind::Url) && !set.contains(ObjectKind::Text));
/// assert_eq!(set.to_string(), "url,hashtag");
/// assert_eq!(ObjectKinds::default().to_string(), "url,domain,hashtag,repost,text");
/// assert_eq!("all".parse::<ObjectKinds>().unwrap(), ObjectKinds::all());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectKinds(u16);

impl ObjectKinds {
    /// No kind.
    pub const fn empty() -> Self {
        ObjectKinds(0)
    }
    /// Every kind read straight from a post: all but [`ObjectKind::NearText`],
    /// which adds a clustering stage after reading and is asked for by name
    /// (`--objects all,near-text`).
    pub fn all() -> Self {
        ObjectKind::ALL.into_iter().filter(|k| *k != ObjectKind::NearText).collect()
    }
    /// Whether `k` is in the set.
    pub fn contains(self, k: ObjectKind) -> bool {
        self.0 & (1 << k.index()) != 0
    }
    /// Adds `k`.
    pub fn insert(&mut self, k: ObjectKind) {
        self.0 |= 1 << k.index();
    }
    /// True when no kind is selected.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The kinds in the set, in [`ObjectKind::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = ObjectKind> {
        ObjectKind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

impl Default for ObjectKinds {
    fn default() -> Self {
        [ObjectKind::Url, ObjectKind::Domain, ObjectKind::Hashtag, ObjectKind::Repost, ObjectKind::Text]
            .into_iter()
            .collect()
    }
}

impl FromIterator<ObjectKind> for ObjectKinds {
    fn from_iter<I: IntoIterator<Item = ObjectKind>>(iter: I) -> Self {
        let mut s = ObjectKinds::empty();
        for k in iter {
            s.insert(k);
        }
        s
    }
}

impl FromStr for ObjectKinds {
    type Err = ParseKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(ObjectKinds::all());
        }
        let mut set = ObjectKinds::empty();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            if part.trim().eq_ignore_ascii_case("all") {
                set.0 |= ObjectKinds::all().0;
            } else {
                set.insert(part.parse()?);
            }
        }
        if set.is_empty() {
            return Err(ParseKindError(s.to_string()));
        }
        Ok(set)
    }
}

impl fmt::Display for ObjectKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, k) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(k.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for k in ObjectKind::ALL {
            assert_eq!(k.name().parse::<ObjectKind>(), Ok(k));
        }
        assert_eq!("URL,,domain".parse::<ObjectKinds>().unwrap().to_string(), "url,domain");
        assert_eq!(ObjectKinds::all().iter().count(), 9);
        assert_eq!("all,near-text".parse::<ObjectKinds>().unwrap().iter().count(), 10);
        assert_eq!("near-text".parse::<ObjectKind>(), Ok(ObjectKind::NearText));
        assert!(!ObjectKinds::default().contains(ObjectKind::NearText));
        assert!("".parse::<ObjectKinds>().is_err());
        let e = "url,links".parse::<ObjectKinds>().unwrap_err();
        assert!(e.to_string().starts_with("unknown object kind `links`"), "{e}");
    }
}
