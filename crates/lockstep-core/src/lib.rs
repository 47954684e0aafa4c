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
use std::sync::{mpsc, Arc};

mod counting;
mod diagnostics;
pub mod duplicates;
mod escape;
mod hash_set;
mod interner;
pub mod progress;

pub use counting::distinct_per_bucket;
pub use diagnostics::{Diagnostic, Diagnostics, ReasonSummary, MAX_EXAMPLES_PER_REASON};
pub use duplicates::{DuplicateExample, Duplicates};
pub use escape::{terminal_safe, terminal_safe_lines, NAME_CHARS};
pub use hash_set::prefetch;
use hash_set::HashSet64;
pub use interner::{ColumnIds, Interner};
pub use progress::{NoProgress, Progress, Reading};

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
    #[inline]
    pub fn get(&self, i: usize) -> &str {
        let end = self.ends[i];
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        assert!(start <= end && end <= self.buf.len());
        // SAFETY: in bounds (checked above), and `ends` holds only the ends of
        // whole strings pushed onto `buf` (`push`, `append`), so `start` and
        // `end` are character boundaries. The interner gets every string of
        // every batch twice; checking the boundaries again was a fifth of its time.
        #[allow(unsafe_code)]
        unsafe {
            self.buf.get_unchecked(start..end)
        }
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
    /// Object kinds, one per run of rows with the same kind (an input usually
    /// has one, or a few in long runs).
    kinds: StrColumn,
    /// The row after the last of each run of `kinds`.
    kind_ends: Vec<u32>,
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
        self.push_kind(kind, 1);
        self.posts.push(post);
        self.times.push(time);
    }

    /// Extends the last run of kinds by `n` rows, or starts a new one.
    fn push_kind(&mut self, kind: &str, n: u32) {
        let end = u32::try_from(self.times.len()).expect("a batch of fewer than 4 billion rows") + n;
        match self.kind_ends.last_mut() {
            Some(last) if same_label(self.kinds.get(self.kinds.len() - 1), kind) => *last = end,
            _ => {
                self.kinds.push(kind);
                self.kind_ends.push(end);
            }
        }
    }

    /// The runs of rows with one kind, in order: `(kind, first row, end row)`.
    pub fn kind_runs(&self) -> impl Iterator<Item = (&str, usize, usize)> + '_ {
        let starts = std::iter::once(0).chain(self.kind_ends.iter().copied());
        starts
            .zip(&self.kind_ends)
            .enumerate()
            .map(|(k, (start, &end))| (self.kinds.get(k), start as usize, end as usize))
    }

    /// The kind of row `i`.
    pub fn kind(&self, i: usize) -> &str {
        let run = self.kind_ends.partition_point(|&end| end as usize <= i);
        self.kinds.get(run)
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
        for (kind, start, end) in other.kind_runs() {
            self.push_kind(kind, (end - start) as u32);
            self.times.extend_from_slice(&other.times[start..end]);
        }
        self.accounts.append(&other.accounts);
        self.objects.append(&other.objects);
        self.posts.append(&other.posts);
    }
    /// Removes everything, keeping the allocations.
    pub fn clear(&mut self) {
        self.accounts.clear();
        self.objects.clear();
        self.kinds.clear();
        self.kind_ends.clear();
        self.posts.clear();
        self.times.clear();
    }
}

/// `a == b` for short labels such as kinds, compared in line: a call to
/// `memcmp` for every row's kind was a fifth of a parsing thread's time.
#[inline]
fn same_label(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
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

    /// Removes the shares at these input ranks (sorted, no repeats), keeping
    /// the order of the others. Interned strings stay.
    pub fn remove_shares(&mut self, sorted: &[usize]) {
        if sorted.is_empty() {
            return;
        }
        let mut gone = sorted.iter().peekable();
        let mut i = 0;
        self.shares.retain(|_| {
            let keep = gone.next_if_eq(&&i).is_none();
            i += 1;
            keep
        });
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
/// of rows ahead (reading stage at 10M posts: 12.2 s before, 8.1 s after), and
/// the shares go straight into the dataset.
/// Post ids are nearly all distinct, so one probe per post misses the cache once
/// the table outgrows it: they are collected and interned at [`Loader::finish`]
/// in one [`Interner::intern_bulk`], about 3.5 times faster on 1M posts
/// (`cargo run --release -p lockstep-core --example intern`). When they are all
/// distinct (the loading thread keeps their hashes in a set as batches come in)
/// and the dataset had none, the collected column becomes the interner's arena
/// as it is ([`Interner::adopt_distinct_column`]): nothing is hashed, sorted or
/// copied at the end (10M posts: 0.3 s less reading). Until then a share's `post` is its
/// row in that column; `finish` replaces it with the post's id where the two
/// differ (they do not when the ids are all distinct and the dataset had no
/// posts before).
pub struct Loader<'d> {
    ds: &'d mut Dataset,
    /// Shares in the dataset before this loader's.
    first_share: usize,
    posts: StrColumn,
    /// The hashes of the posts so far ([`Interner::hash_in`]), kept while they
    /// are all distinct and the dataset had no posts before: then the post
    /// column becomes the interner's arena at [`Loader::finish`] without
    /// hashing and sorting it there. Filled on the loading thread as batches
    /// come in (it waits for the interning threads most of the time).
    distinct_posts: Option<HashSet64>,
    /// Reused for each batch's ids.
    account_ids: Vec<AccountId>,
    object_ids: Vec<ObjectId>,
}

impl<'d> Loader<'d> {
    /// A loader adding to `ds`.
    pub fn new(ds: &'d mut Dataset) -> Self {
        let first_share = ds.shares.len();
        let distinct_posts = ds.posts.is_empty().then(HashSet64::default);
        Loader {
            ds,
            first_share,
            posts: StrColumn::default(),
            distinct_posts,
            account_ids: Vec::new(),
            object_ids: Vec::new(),
        }
    }

    /// Makes room for about `rows` more shares like those of `sample`.
    pub fn reserve_like(&mut self, sample: &ShareBatch, rows: usize) {
        let n = sample.len().max(1);
        let per_post = sample.posts.bytes() / n;
        // At most one new object per row, each about as long as the sample's
        // (Interner::reserve_storage); the accounts are few whatever the input.
        let per_object = sample.objects.bytes().div_ceil(n);
        self.ds.objects.reserve_storage(rows, rows * per_object);
        self.posts.buf.reserve(rows * per_post);
        self.posts.ends.reserve(rows);
        self.ds.shares.reserve(rows);
        if let Some(set) = &mut self.distinct_posts {
            set.reserve(rows);
        }
    }

    /// Interns a batch's accounts and objects (on two threads), adds its shares
    /// and keeps its posts.
    pub fn push(&mut self, batch: &ShareBatch) {
        let Dataset { accounts, objects, kinds, object_kind, last_kind, shares, .. } = &mut *self.ds;
        let (account_ids, object_ids) = (&mut self.account_ids, &mut self.object_ids);
        rayon::join(
            || intern_accounts(accounts, batch, account_ids),
            || intern_objects(ObjectTables { objects, kinds, object_kind, last_kind }, batch, object_ids),
        );
        add_shares(shares, &mut self.posts, &mut self.distinct_posts, batch, account_ids, object_ids);
    }

    /// [`Loader::push`] of every batch of `batches`, in order, handing each to
    /// `done` once it is loaded (for reuse). A stream of batches is loaded as a
    /// pipeline: the accounts and the objects of each batch are interned on two
    /// threads of their own, each at its own pace, while this thread adds the
    /// shares of the batches both are done with. One batch's accounts and
    /// objects interned side by side with `rayon::join` ran one after the
    /// other when the parsing threads kept the cores busy: the interning, and
    /// not parsing, then bounded reading.
    pub fn push_all(&mut self, batches: impl Iterator<Item = ShareBatch>, mut done: impl FnMut(ShareBatch)) {
        /// Batches handed to the interning threads and not yet added, at most.
        const AHEAD: usize = 4;
        let Dataset { accounts, objects, kinds, object_kind, last_kind, shares, .. } = &mut *self.ds;
        let (posts, distinct_posts) = (&mut self.posts, &mut self.distinct_posts);
        std::thread::scope(|scope| {
            let (to_accounts, for_accounts) = mpsc::channel::<Arc<ShareBatch>>();
            let (to_objects, for_objects) = mpsc::channel::<Arc<ShareBatch>>();
            let (account_ids_tx, account_ids) = mpsc::channel::<Vec<AccountId>>();
            let (object_ids_tx, object_ids) = mpsc::channel::<Vec<ObjectId>>();
            // Each thread drops its hold on a batch before sending the ids, so the
            // batch is this thread's alone again once both ids have arrived.
            scope.spawn(move || {
                for batch in for_accounts {
                    let mut ids = Vec::new();
                    intern_accounts(accounts, &batch, &mut ids);
                    drop(batch);
                    if account_ids_tx.send(ids).is_err() {
                        return;
                    }
                }
            });
            scope.spawn(move || {
                let mut tables = ObjectTables { objects, kinds, object_kind, last_kind };
                for batch in for_objects {
                    let mut ids = Vec::new();
                    intern_objects(tables.reborrow(), &batch, &mut ids);
                    drop(batch);
                    if object_ids_tx.send(ids).is_err() {
                        return;
                    }
                }
            });
            let mut pending: std::collections::VecDeque<Arc<ShareBatch>> = std::collections::VecDeque::new();
            let mut add_next = |pending: &mut std::collections::VecDeque<Arc<ShareBatch>>| {
                let batch = pending.pop_front().expect("a batch is pending");
                let (a, o) = (account_ids.recv(), object_ids.recv());
                // A receive fails only when an interning thread panicked; the scope re-raises it.
                let (Ok(a), Ok(o)) = (a, o) else { return };
                add_shares(shares, posts, distinct_posts, &batch, &a, &o);
                if let Ok(batch) = Arc::try_unwrap(batch) {
                    done(batch);
                }
            };
            for batch in batches {
                let batch = Arc::new(batch);
                if to_accounts.send(batch.clone()).is_err() || to_objects.send(batch.clone()).is_err() {
                    break;
                }
                pending.push_back(batch);
                if pending.len() > AHEAD {
                    add_next(&mut pending);
                }
            }
            drop((to_accounts, to_objects));
            while !pending.is_empty() {
                add_next(&mut pending);
            }
        });
    }

    /// Interns the posts and gives the new shares their post ids.
    pub fn finish(self) {
        let Loader { ds, first_share, posts, distinct_posts, .. } = self;
        if distinct_posts.is_some() {
            // All distinct, and the dataset had none: the rows are the ids.
            ds.posts.adopt_distinct_column(posts, 0);
        } else if let ColumnIds::Ids(post_ids) = ds.posts.intern_column(posts, 0) {
            ds.shares[first_share..].par_iter_mut().for_each(|s| s.post = post_ids[s.post as usize]);
        }
    }
}

/// The tables an object's interning changes.
struct ObjectTables<'t> {
    objects: &'t mut Interner,
    kinds: &'t mut Interner,
    object_kind: &'t mut Vec<KindId>,
    last_kind: &'t mut Option<KindId>,
}

impl ObjectTables<'_> {
    fn reborrow(&mut self) -> ObjectTables<'_> {
        ObjectTables {
            objects: self.objects,
            kinds: self.kinds,
            object_kind: self.object_kind,
            last_kind: self.last_kind,
        }
    }
}

/// The ids of a batch's accounts, into `ids` (emptied first).
fn intern_accounts(accounts: &mut Interner, batch: &ShareBatch, ids: &mut Vec<AccountId>) {
    ids.clear();
    accounts.intern_batch(batch.len(), |_| 0, |i| batch.accounts.get(i), ids);
}

/// The ids of a batch's objects, into `ids` (emptied first), each object
/// interned under its kind; records the kind of new objects.
fn intern_objects(t: ObjectTables<'_>, batch: &ShareBatch, ids: &mut Vec<ObjectId>) {
    ids.clear();
    let n = batch.len();
    let mut batch_kinds: Vec<KindId> = Vec::with_capacity(n);
    for (kind, start, end) in batch.kind_runs() {
        let k = intern_kind(t.kinds, t.last_kind, kind);
        batch_kinds.extend(std::iter::repeat_n(k, end - start));
    }
    t.objects.intern_batch(n, |i| batch_kinds[i], |i| batch.objects.get(i), ids);
    for (&id, &kind) in ids.iter().zip(&batch_kinds) {
        record_kind(t.object_kind, id, kind);
    }
}

/// Adds a batch's shares, with their row in `posts` as provisional post id
/// (see [`Loader`]), and keeps its posts.
fn add_shares(
    shares: &mut Vec<Share>,
    posts: &mut StrColumn,
    distinct_posts: &mut Option<HashSet64>,
    batch: &ShareBatch,
    accounts: &[AccountId],
    objects: &[ObjectId],
) {
    if let Some(set) = distinct_posts {
        let hashes: Vec<u64> = (0..batch.len()).map(|i| Interner::hash_in(0, batch.posts.get(i))).collect();
        if !set.insert_all(&hashes) {
            *distinct_posts = None;
        }
    }
    let row = u32::try_from(posts.len()).expect("more than 4 billion shares in one input");
    shares.extend((0..batch.len()).map(|i| Share {
        account: accounts[i],
        object: objects[i],
        post: row + i as u32,
        time: batch.times[i],
    }));
    posts.append(&batch.posts);
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
    fn kinds_are_kept_in_runs() {
        let kinds = ["url", "url", "hashtag", "url", "url", "url", "text", "text"];
        let (mut a, mut b) = (ShareBatch::default(), ShareBatch::default());
        for (i, k) in kinds.iter().enumerate() {
            let batch = if i < 4 { &mut a } else { &mut b };
            batch.push("acc", "obj", k, "post", i as i64);
        }
        a.append(&b);
        assert_eq!(a.len(), kinds.len());
        assert_eq!(a.times, (0..8).collect::<Vec<i64>>());
        for (i, k) in kinds.iter().enumerate() {
            assert_eq!(a.kind(i), *k, "row {i}");
        }
        let runs: Vec<_> = a.kind_runs().collect();
        assert_eq!(runs, [("url", 0, 2), ("hashtag", 2, 3), ("url", 3, 6), ("text", 6, 8)]);
        a.clear();
        assert_eq!(a.kind_runs().count(), 0);
    }

    /// Batches give the shares, ids and kinds of pushing rows one by one: with
    /// distinct post ids and with posts carrying several objects, in one batch
    /// (a fresh dataset) and in many (each one loaded after the last).
    #[test]
    fn batch_equals_one_by_one() {
        for (posts_repeat, batch_len) in [(1, 777), (1, 10_000), (3, 777), (3, 10_000)] {
            batch_equals_one_by_one_with(posts_repeat, batch_len);
        }
    }

    fn batch_equals_one_by_one_with(posts_repeat: usize, batch_len: usize) {
        let rows: Vec<(String, String, &str, String, i64)> = (0..5000)
            .map(|i| {
                (
                    format!("a{}", i % 37),
                    format!("o{}", i % 101),
                    if i % 3 == 0 { "url" } else { "hashtag" },
                    format!("p{}", i / posts_repeat),
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
            if batch.len() == batch_len {
                batched.push_batch(&batch);
                batch.clear();
            }
        }
        batched.push_batch(&batch);
        same_dataset(&one, &batched);
        // The same batches as a stream through the pipelined loader, after
        // shares already in the dataset; every batch comes back once.
        let mut streamed = Dataset::default();
        let (first, rest) = rows.split_at(rows.len() / 3);
        let mut expected = Dataset::default();
        for (a, o, k, p, t) in first {
            streamed.push(a, o, k, p, *t);
        }
        for (a, o, k, p, t) in first.iter().chain(rest) {
            expected.push(a, o, k, p, *t);
        }
        let to_batch = |part: &[(String, String, &str, String, i64)]| {
            let mut b = ShareBatch::default();
            for (a, o, k, p, t) in part {
                b.push(a, o, k, p, *t);
            }
            b
        };
        let batches: Vec<ShareBatch> = rest.chunks(batch_len).map(to_batch).collect();
        let n_batches = batches.len();
        let mut back = 0;
        let mut loader = Loader::new(&mut streamed);
        loader.push_all(batches.into_iter(), |_| back += 1);
        loader.finish();
        assert_eq!(back, n_batches);
        same_dataset(&expected, &streamed);
        // All rows streamed into an empty dataset: with distinct post ids the
        // post column is kept as it is, with repeated ones it is interned.
        let mut from_empty = Dataset::default();
        let mut loader = Loader::new(&mut from_empty);
        loader.push_all(rows.chunks(batch_len).map(to_batch), |_| {});
        loader.finish();
        same_dataset(&one, &from_empty);
    }

    fn same_dataset(one: &Dataset, other: &Dataset) {
        assert_eq!(one.shares, other.shares);
        assert_eq!(one.posts.len(), other.posts.len());
        assert_eq!(one.object_kind, other.object_kind);
        assert_eq!(one.objects.len(), other.objects.len());
        for id in 0..one.objects.len() as u32 {
            assert_eq!(one.objects.get(id), other.objects.get(id));
        }
        for id in 0..one.accounts.len() as u32 {
            assert_eq!(one.accounts.get(id), other.accounts.get(id));
        }
        for id in 0..one.posts.len() as u32 {
            assert_eq!(one.posts.get(id), other.posts.get(id));
        }
    }
}
