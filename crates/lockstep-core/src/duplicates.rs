//! Duplicate shares: the same file given twice, overlapping exports, a row
//! repeated. Each extra copy of a share adds a co-share with every account near
//! it, so duplicates inflate exactly the heaviest users' weights.
//!
//! - **identical**: same account, object (and so kind), post id and time as an
//!   earlier share;
//! - **repeated post id**: same post id and object as an earlier share, with
//!   another account or time (one post cannot carry one object twice);
//! - **likely duplicate**: same account, object and time as an earlier share
//!   under another post id (a post collected twice under two ids, a row
//!   without a post id repeated).
//!
//! [`find`] finds all three in input order (the first copy is the original).

use crate::{Dataset, Share};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Examples kept per class of duplicate.
pub const MAX_EXAMPLES: usize = 5;

/// What [`find`] found, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Duplicates {
    /// Shares identical to an earlier one.
    pub identical: u64,
    /// Shares repeating an earlier share's post id and object with another account or time.
    pub repeated_post_ids: u64,
    /// Whether identical shares and repeated post ids were dropped (the default).
    pub dropped: bool,
    /// Shares with the same account, object and time as an earlier one under another post id.
    pub likely_duplicates: u64,
    /// Whether likely duplicates were dropped.
    pub likely_dropped: bool,
    /// The first few of each class.
    pub examples: Vec<DuplicateExample>,
}

/// One duplicate share and the earlier share it repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateExample {
    /// `identical`, `repeated_post_id` or `likely_duplicate`.
    pub class: &'static str,
    /// Object kind.
    pub kind: String,
    /// Object value.
    pub object: String,
    /// Account of the duplicate.
    pub account: String,
    /// Post id of the duplicate.
    pub post: String,
    /// Time of the duplicate (UNIX seconds).
    pub time: i64,
    /// Input rank (0-based, over all inputs) of the duplicate.
    pub share: usize,
    /// Input rank of the earlier share it repeats.
    pub first_share: usize,
    /// Account of the earlier share.
    pub first_account: String,
    /// Post id of the earlier share.
    pub first_post: String,
    /// Time of the earlier share.
    pub first_time: i64,
}

/// The duplicates of a dataset, by input rank (sorted).
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Counts and examples.
    pub summary: Duplicates,
    /// Identical shares and repeated post ids.
    pub exact: Vec<usize>,
    /// Likely duplicates (not among `exact`).
    pub likely: Vec<usize>,
}

type Hasher = foldhash::fast::FixedState;

/// Finds the duplicate shares of `ds` (nothing is removed; see
/// [`Dataset::remove_shares`]).
///
/// Cost: one pass counting shares per post, a hash map over the shares of
/// posts with two or more shares only, and a parallel sort of one 64-bit
/// fingerprint per share for the likely duplicates.
pub fn find(ds: &Dataset) -> Found {
    let shares = &ds.shares;
    let mut out = Found::default();
    let mut examples: [Vec<DuplicateExample>; 3] = Default::default();
    let mut note = |class: usize, i: usize, first: usize, out: &mut Found| {
        if examples[class].len() < MAX_EXAMPLES {
            examples[class].push(example(ds, ["identical", "repeated_post_id", "likely_duplicate"][class], i, first));
        }
        match class {
            0 => out.summary.identical += 1,
            1 => out.summary.repeated_post_ids += 1,
            _ => out.summary.likely_duplicates += 1,
        }
    };

    // Same post id and object: only posts with two or more shares can repeat one.
    let mut per_post = vec![0u8; ds.posts.len()];
    for s in shares {
        let c = &mut per_post[s.post as usize];
        *c = c.saturating_add(1);
    }
    let mut first_of: HashMap<u64, usize, Hasher> = HashMap::with_hasher(Hasher::default());
    for (i, s) in shares.iter().enumerate() {
        if per_post[s.post as usize] < 2 {
            continue;
        }
        let key = (u64::from(s.post) << 32) | u64::from(s.object);
        let first = *first_of.entry(key).or_insert(i);
        if first != i {
            let f = &shares[first];
            let class = if f.account == s.account && f.time == s.time { 0 } else { 1 };
            note(class, i, first, &mut out);
            out.exact.push(i);
        }
    }
    drop(first_of);

    // Same account, object and time under another post id: fingerprints first
    // (sorted in parallel), exact keys only for fingerprints seen twice.
    let fp = |s: &Share| Hasher::default().hash_one((s.account, s.object, s.time));
    let mut fps: Vec<u64> = shares.par_iter().map(fp).collect();
    fps.par_sort_unstable();
    let mut repeated: Vec<u64> = fps.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(fps);
    repeated.dedup();
    if !repeated.is_empty() {
        let mut first_of: HashMap<(u32, u32, i64), usize, Hasher> = HashMap::with_hasher(Hasher::default());
        let exact_ranks = std::mem::take(&mut out.exact);
        let mut exact = exact_ranks.iter().peekable();
        for (i, s) in shares.iter().enumerate() {
            if exact.next_if_eq(&&i).is_some() {
                continue;
            }
            if repeated.binary_search(&fp(s)).is_err() {
                continue;
            }
            let first = *first_of.entry((s.account, s.object, s.time)).or_insert(i);
            if first != i {
                note(2, i, first, &mut out);
                out.likely.push(i);
            }
        }
        out.exact = exact_ranks;
    }
    out.summary.examples = examples.into_iter().flatten().collect();
    out
}

fn example(ds: &Dataset, class: &'static str, i: usize, first: usize) -> DuplicateExample {
    let (s, f) = (&ds.shares[i], &ds.shares[first]);
    DuplicateExample {
        class,
        kind: ds.kind_of(s.object).to_string(),
        object: ds.objects.get(s.object).to_string(),
        account: ds.accounts.get(s.account).to_string(),
        post: ds.posts.get(s.post).to_string(),
        time: s.time,
        share: i,
        first_share: first,
        first_account: ds.accounts.get(f.account).to_string(),
        first_post: ds.posts.get(f.post).to_string(),
        first_time: f.time,
    }
}

/// Merges two sorted lists of input ranks.
pub fn merge_sorted(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i] <= b[j]) {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_class_and_keeps_the_first_copy() {
        let mut ds = Dataset::default();
        ds.push("a", "u", "url", "p1", 100);
        ds.push("b", "u", "url", "p2", 101);
        ds.push("a", "u", "url", "p1", 100); // identical to 0
        ds.push("c", "u", "url", "p1", 105); // repeats post p1's object u
        ds.push("a", "u", "url", "p9", 100); // likely duplicate of 0
        ds.push("a", "u", "hashtag", "p1", 100); // another object (kind): not a duplicate
        ds.push("a", "h", "hashtag", "p3", 100); // another object
        ds.push("b", "u", "url", "p2", 101); // identical to 1
        let found = find(&ds);
        assert_eq!(found.exact, [2, 3, 7]);
        assert_eq!(found.likely, [4]);
        let s = &found.summary;
        assert_eq!((s.identical, s.repeated_post_ids, s.likely_duplicates), (2, 1, 1));
        let ex: Vec<(&str, usize, usize)> = s.examples.iter().map(|e| (e.class, e.share, e.first_share)).collect();
        assert_eq!(
            ex,
            [("identical", 2, 0), ("identical", 7, 1), ("repeated_post_id", 3, 0), ("likely_duplicate", 4, 0)]
        );
        ds.remove_shares(&merge_sorted(&found.exact, &found.likely));
        assert_eq!(ds.shares.len(), 4);
        assert_eq!(find(&ds).summary, Duplicates::default());
    }
}
