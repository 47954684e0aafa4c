//! # lockstep-core: the data model every Lockstep stage shares
//!
//! A **share** is one account putting one **object** (a URL, a domain, a hashtag,
//! a reposted post, a text …) into one **post** at one moment. Everything Lockstep
//! detects is computed from a [`Dataset`]: a flat vector of [`Share`]s whose
//! accounts, objects, posts and object kinds are interned to dense `u32` ids, each
//! string stored once.
//!
//! ```
//! use lockstep_core::Dataset;
//! let mut ds = Dataset::default();
//! ds.push("alice", "https://example.com/a", "url", "p1", 1_700_000_000);
//! ds.push("bob", "https://example.com/a", "url", "p2", 1_700_000_004);
//! assert_eq!(ds.shares.len(), 2);
//! assert_eq!(ds.accounts.len(), 2);
//! assert_eq!(ds.objects.len(), 1);
//! assert_eq!(ds.accounts.get(ds.shares[1].account), "bob");
//! ```
//!
//! Invariants:
//! - `shares` keeps input order; the index of a share is its input rank, which
//!   breaks ties between equal timestamps deterministically.
//! - Object ids are interned per `(kind, value)`: the same string under two kinds
//!   is two objects. `object_kind[object]` gives the kind id.
//! - This crate does no I/O.

mod diagnostics;
mod interner;

pub use diagnostics::{Diagnostic, Diagnostics, ReasonSummary, MAX_EXAMPLES_PER_REASON};
pub use interner::Interner;

/// Dense id of an account in [`Dataset::accounts`].
pub type AccountId = u32;
/// Dense id of an object in [`Dataset::objects`].
pub type ObjectId = u32;
/// Dense id of a post in [`Dataset::posts`].
pub type PostId = u32;
/// Dense id of an object kind in [`Dataset::kinds`].
pub type KindId = u32;

/// One account sharing one object in one post at one time (UTC seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    /// Who shared.
    pub account: AccountId,
    /// What was shared.
    pub object: ObjectId,
    /// The post that carried it.
    pub post: PostId,
    /// When, in UNIX seconds (UTC).
    pub time: i64,
}

/// All shares of a run with their interned strings.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    /// Account names.
    pub accounts: Interner,
    /// Object values. Interned per kind: see [`Dataset::object_kind`].
    pub objects: Interner,
    /// Post ids.
    pub posts: Interner,
    /// Object kind labels (`url`, `hashtag`, …).
    pub kinds: Interner,
    /// Kind of each object, indexed by [`ObjectId`].
    pub object_kind: Vec<KindId>,
    /// The shares, in input order.
    pub shares: Vec<Share>,
}

impl Dataset {
    /// Adds one share, interning its strings.
    pub fn push(&mut self, account: &str, object: &str, kind: &str, post: &str, time: i64) {
        let kind = self.kinds.intern(kind);
        let account = self.accounts.intern(account);
        let post = self.posts.intern(post);
        let object = self.intern_object(kind, object);
        self.shares.push(Share { account, object, post, time });
    }

    /// Interns an object value under a kind and returns its id.
    pub fn intern_object(&mut self, kind: KindId, value: &str) -> ObjectId {
        let id = self.objects.intern_in(kind, value);
        if id as usize == self.object_kind.len() {
            self.object_kind.push(kind);
        }
        id
    }

    /// Kind label of an object.
    pub fn kind_of(&self, object: ObjectId) -> &str {
        self.kinds.get(self.object_kind[object as usize])
    }

    /// Reserves room for `n` more shares.
    pub fn reserve(&mut self, n: usize) {
        self.shares.reserve(n);
    }
}
