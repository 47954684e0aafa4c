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

use rayon::prelude::*;

mod diagnostics;
mod interner;
mod table;

pub use diagnostics::{Diagnostic, Diagnostics, ReasonSummary, MAX_EXAMPLES_PER_REASON};
pub use interner::Interner;
pub use table::prefetch;

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

/// A column of strings in one buffer.
#[derive(Debug, Default, Clone)]
pub struct StrColumn {
    buf: String,
    ends: Vec<usize>,
}

impl StrColumn {
    /// Appends a string.
    pub fn push(&mut self, s: &str) {
        self.buf.push_str(s);
        self.ends.push(self.buf.len());
    }
    /// The `i`-th string.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }
    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    /// Bytes of all strings.
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    /// Appends all strings of `other`.
    pub fn append(&mut self, other: &StrColumn) {
        let base = self.buf.len();
        self.buf.push_str(&other.buf);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }
    /// Removes everything, keeping the allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }
}

/// Shares not yet interned: what readers collect before [`Dataset::push_batch`].
#[derive(Debug, Default, Clone)]
pub struct ShareBatch {
    /// Accounts.
    pub accounts: StrColumn,
    /// Object values.
    pub objects: StrColumn,
    /// Object kinds.
    pub kinds: StrColumn,
    /// Post ids.
    pub posts: StrColumn,
    /// Times (UNIX seconds).
    pub times: Vec<i64>,
}

impl ShareBatch {
    /// Appends one share.
    pub fn push(&mut self, account: &str, object: &str, kind: &str, post: &str, time: i64) {
        self.accounts.push(account);
        self.objects.push(object);
        self.kinds.push(kind);
        self.posts.push(post);
        self.times.push(time);
    }
    /// Number of shares.
    pub fn len(&self) -> usize {
        self.times.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
    /// Appends all shares of `other`.
    pub fn append(&mut self, other: &ShareBatch) {
        self.accounts.append(&other.accounts);
        self.objects.append(&other.objects);
        self.kinds.append(&other.kinds);
        self.posts.append(&other.posts);
        self.times.extend_from_slice(&other.times);
    }
    /// Removes everything, keeping the allocations.
    pub fn clear(&mut self) {
        self.accounts.clear();
        self.objects.clear();
        self.kinds.clear();
        self.posts.clear();
        self.times.clear();
    }
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
    last_kind: Option<KindId>,
}

impl Dataset {
    /// Adds one share, interning its strings.
    pub fn push(&mut self, account: &str, object: &str, kind: &str, post: &str, time: i64) {
        let kind = intern_kind(&mut self.kinds, &mut self.last_kind, kind);
        let account = self.accounts.intern(account);
        let post = self.posts.intern(post);
        let object = intern_value(&mut self.objects, &mut self.object_kind, kind, object);
        self.shares.push(Share { account, object, post, time });
    }

    /// Interns an object value under a kind and returns its id.
    pub fn intern_object(&mut self, kind: KindId, value: &str) -> ObjectId {
        intern_value(&mut self.objects, &mut self.object_kind, kind, value)
    }

    /// Adds a batch of shares. Same result as pushing the rows one by one; faster
    /// (see [`Loader`]).
    pub fn push_batch(&mut self, batch: &ShareBatch) {
        let mut loader = Loader::new(self);
        loader.push(batch);
        loader.finish();
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

/// Adds shares to a [`Dataset`] batch by batch, as a reader produces them, with
/// the same result as pushing them one by one.
///
/// Accounts and objects are interned per batch (their tables are small or hit
/// often: one probe each is cheapest, and it overlaps with the reader's parsing),
/// with [`Interner::intern_batch`], which prefetches the table slots and strings
/// of rows ahead (reading stage at 10M posts: 12.2 s before, 8.1 s after).
/// Post ids are nearly all distinct, so one probe per post misses the cache once
/// the table outgrows it: they are collected and interned at [`Loader::finish`]
/// in one [`Interner::intern_bulk`], about 3.5 times faster on 1M posts
/// (`cargo run --release -p lockstep-core --example intern`); when they are all
/// distinct, [`Interner::intern_column`] keeps the collected column as the
/// interner's arena instead of copying it. The dataset gets the shares only at
/// `finish`.
pub struct Loader<'d> {
    ds: &'d mut Dataset,
    accounts: Vec<AccountId>,
    objects: Vec<ObjectId>,
    posts: StrColumn,
    times: Vec<i64>,
}

impl<'d> Loader<'d> {
    /// A loader adding to `ds`.
    pub fn new(ds: &'d mut Dataset) -> Self {
        Loader { ds, accounts: Vec::new(), objects: Vec::new(), posts: StrColumn::default(), times: Vec::new() }
    }

    /// Makes room for about `rows` more shares like those of `sample`.
    pub fn reserve_like(&mut self, sample: &ShareBatch, rows: usize) {
        let per_post = sample.posts.bytes() / sample.len().max(1);
        self.accounts.reserve(rows);
        self.objects.reserve(rows);
        self.times.reserve(rows);
        self.posts.buf.reserve(rows * per_post);
        self.posts.ends.reserve(rows);
        self.ds.shares.reserve(rows);
    }

    /// Interns a batch's accounts and objects (on two threads) and keeps its posts.
    pub fn push(&mut self, batch: &ShareBatch) {
        let n = batch.len();
        let Dataset { accounts, objects, kinds, object_kind, last_kind, .. } = &mut *self.ds;
        let (account_ids, object_ids) = &mut (&mut self.accounts, &mut self.objects);
        rayon::join(
            || accounts.intern_batch(n, |_| 0, |i| batch.accounts.get(i), account_ids),
            || {
                let batch_kinds: Vec<KindId> =
                    (0..n).map(|i| intern_kind(kinds, last_kind, batch.kinds.get(i))).collect();
                let first = object_ids.len();
                objects.intern_batch(n, |i| batch_kinds[i], |i| batch.objects.get(i), object_ids);
                for (&id, &kind) in object_ids[first..].iter().zip(&batch_kinds) {
                    record_kind(object_kind, id, kind);
                }
            },
        );
        self.posts.append(&batch.posts);
        self.times.extend_from_slice(&batch.times);
    }

    /// Interns the posts and adds the shares to the dataset.
    pub fn finish(self) {
        let Loader { ds, accounts, objects, posts, times } = self;
        let post_ids = ds.posts.intern_column(posts, 0);
        ds.shares.par_extend((0..times.len()).into_par_iter().map(|i| Share {
            account: accounts[i],
            object: objects[i],
            post: post_ids[i],
            time: times[i],
        }));
    }
}

/// Id of a kind label. Most inputs carry one kind, so the last id is checked
/// before the table.
fn intern_kind(kinds: &mut Interner, last: &mut Option<KindId>, kind: &str) -> KindId {
    match *last {
        Some(k) if kinds.get(k) == kind => k,
        _ => {
            let k = kinds.intern(kind);
            *last = Some(k);
            k
        }
    }
}

/// Id of an object value under a kind, recording the kind of a new object.
fn intern_value(objects: &mut Interner, object_kind: &mut Vec<KindId>, kind: KindId, value: &str) -> ObjectId {
    let id = objects.intern_in(kind, value);
    record_kind(object_kind, id, kind);
    id
}

/// Records the kind of object `id` if it is the next new object (ids are handed
/// out in order, so a new id is always `object_kind.len()`).
fn record_kind(object_kind: &mut Vec<KindId>, id: ObjectId, kind: KindId) {
    if id as usize == object_kind.len() {
        object_kind.push(kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_equals_one_by_one() {
        let rows: Vec<(String, String, &str, String, i64)> = (0..5000)
            .map(|i| {
                (
                    format!("a{}", i % 37),
                    format!("o{}", i % 101),
                    if i % 3 == 0 { "url" } else { "hashtag" },
                    format!("p{i}"),
                    i as i64,
                )
            })
            .collect();
        let mut one = Dataset::default();
        let mut batched = Dataset::default();
        let mut batch = ShareBatch::default();
        for (a, o, k, p, t) in &rows {
            one.push(a, o, k, p, *t);
            batch.push(a, o, k, p, *t);
            if batch.len() == 777 {
                batched.push_batch(&batch);
                batch.clear();
            }
        }
        batched.push_batch(&batch);
        assert_eq!(one.shares, batched.shares);
        assert_eq!(one.object_kind, batched.object_kind);
        assert_eq!(one.objects.len(), batched.objects.len());
        for id in 0..one.objects.len() as u32 {
            assert_eq!(one.objects.get(id), batched.objects.get(id));
        }
    }
}
