//! # lockstep-neartext: near-copies of a text count as one object
//!
//! The `near-text` object kind. Readers put each post's raw text into the
//! [`Dataset`] under the kind `near-text` (platform formats with
//! `--objects near-text`; generic rows with `--kind near-text`). After every
//! input is read, [`apply`] replaces those values by clusters of near-duplicate
//! texts, so that the co-share engine (window, participation, network,
//! evidence) applies unchanged:
//!
//! 1. each distinct raw text is normalised with the `text` rules
//!    ([`lockstep_normalize::text`]); equal normalised texts are one text (a
//!    retweet flood costs one signature);
//! 2. each text becomes its set of character 5-gram shingles; a text with fewer
//!    than [`Params::min_shingles`] shingles is no near-text object (its shares
//!    are removed and counted);
//! 3. seeded MinHash signatures, cut into `bands × rows`; texts with an equal
//!    band key are candidate pairs (LSH);
//! 4. each candidate pair is verified with the exact Jaccard similarity of the
//!    two shingle sets against [`Params::threshold`];
//! 5. verified pairs are joined into clusters (union–find: single linkage);
//!    each cluster is one object whose value is the normalised text of its
//!    earliest post (ties by input order).
//!
//! ```
//! use lockstep_core::Dataset;
//! use lockstep_neartext::{apply, Params, KIND};
//! let mut ds = Dataset::default();
//! ds.push("a", "RT @x: Vote for Smith on Tuesday, polls open at 8!", KIND, "p1", 100);
//! ds.push("b", "Vote for Smith on Tuesday, polls open at 7!", KIND, "p2", 90);
//! ds.push("c", "Completely unrelated words about a football match", KIND, "p3", 95);
//! ds.push("d", "ok", KIND, "p4", 95);
//! let out = apply(&mut ds, &Params::default())?;
//! assert_eq!(out.summary.clusters.short_texts, 1); // "ok" is too short: its share is removed
//! assert_eq!(ds.shares.len(), 3);
//! assert_eq!(ds.shares[0].object, ds.shares[1].object); // one object, earliest post's text
//! assert_eq!(ds.objects.get(ds.shares[0].object), "vote for smith on tuesday, polls open at 7!");
//! assert_ne!(ds.shares[0].object, ds.shares[2].object);
//! # Ok::<(), lockstep_neartext::Error>(())
//! ```
//!
//! Invariants: no I/O; same dataset and [`Params`], same result (seeded hashes,
//! sorted buckets, union–find whose roots are the smallest index); shares keep
//! their order; accounts, objects and posts stay numbered in order of first
//! appearance. See docs/method.md, "Near-duplicate texts", for the parameters'
//! probabilities, cost and memory bound.

mod cluster;
pub mod minhash;

pub use cluster::{cluster_texts, ClusterStats, Clusters, SHORT};

use lockstep_core::{Dataset, Interner};
use rayon::prelude::*;
use serde::Serialize;

/// The kind label of near-text objects (`ObjectKind::NearText`'s name).
pub const KIND: &str = "near-text";

/// Parameters of the near-text stage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    /// Two texts are near-copies when the Jaccard similarity of their shingle
    /// sets is at least this (default 0.7).
    pub threshold: f64,
    /// Characters per shingle (default 5).
    pub shingle_chars: usize,
    /// Texts with fewer distinct shingles are not near-text objects (default 16:
    /// a text of at least 20 characters).
    pub min_shingles: usize,
    /// LSH bands b (default 20).
    pub bands: usize,
    /// MinHash values per band r (default 5); the signature has `bands × rows` values.
    pub rows: usize,
    /// Buckets with more texts are verified only between texts less than this
    /// many apart in the bucket (default 100).
    pub max_bucket: usize,
    /// Seed of the MinHash functions (default 42).
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params { threshold: 0.7, shingle_chars: 5, min_shingles: 16, bands: 20, rows: 5, max_bucket: 100, seed: 42 }
    }
}

impl Params {
    /// Probability that two texts of Jaccard similarity `s` become a candidate
    /// pair in at least one band: `1 − (1 − s^r)^b`.
    ///
    /// ```
    /// use lockstep_neartext::Params;
    /// let p = Params::default();
    /// assert!(p.candidate_probability(0.7) > 0.97);
    /// assert!(p.candidate_probability(0.2) < 0.01);
    /// ```
    pub fn candidate_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: &str| Err(Error::Param(what.to_string()));
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad(&format!("near-text threshold must be in (0, 1], got {}", self.threshold));
        }
        if self.shingle_chars == 0 || self.min_shingles == 0 || self.bands == 0 || self.rows == 0 {
            return bad("near-text shingle size, minimum shingles, bands and rows must be at least 1");
        }
        if self.max_bucket < 2 {
            return bad(&format!("near-text max bucket must be at least 2, got {}", self.max_bucket));
        }
        Ok(())
    }
}

/// Errors of the near-text stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter out of range.
    #[error("{0}")]
    Param(String),
}

/// What the stage did (written to report.json as `near_text`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Shares of kind `near-text` before the stage.
    pub shares: u64,
    /// Distinct raw texts (as read).
    pub raw_texts: u64,
    /// Raw texts that are empty after normalisation (links and mentions only).
    pub empty_texts: u64,
    /// Shares removed: their text is empty or has fewer than `min_shingles` shingles.
    pub removed_shares: u64,
    /// Clustering counts (over distinct normalised texts).
    pub clusters: ClusterStats,
    /// The parameters used.
    pub params: Option<Params>,
}

/// The stage's result.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Counts.
    pub summary: Summary,
    /// Input ranks of the shares removed (sorted), as they were before removal.
    pub removed: Vec<usize>,
}

/// Replaces every `near-text` object of `ds` by its cluster's object (see the
/// crate docs), removing the shares of texts too short to compare. A dataset
/// without near-text objects is left as it is.
pub fn apply(ds: &mut Dataset, params: &Params) -> Result<Outcome, Error> {
    params.validate()?;
    let mut out = Outcome::default();
    out.summary.params = Some(*params);
    let Some(kind) = ds.kinds.lookup(KIND) else { return Ok(out) };
    // 1. Distinct raw texts → distinct normalised texts.
    let raw: Vec<u32> = (0..ds.objects.len() as u32).filter(|&o| ds.object_kind[o as usize] == kind).collect();
    let normalised: Vec<Option<String>> =
        raw.par_iter().map(|&o| lockstep_normalize::text(ds.objects.get(o))).collect();
    const NONE: u32 = u32::MAX;
    let mut text_of_object = vec![NONE; ds.objects.len()];
    let mut texts: Vec<&str> = Vec::new();
    let mut index: hashbrown::HashMap<&str, u32, foldhash::fast::FixedState> = hashbrown::HashMap::default();
    for (&o, t) in raw.iter().zip(&normalised) {
        match t {
            Some(t) => {
                let id = *index.entry(t.as_str()).or_insert_with(|| {
                    texts.push(t.as_str());
                    texts.len() as u32 - 1
                });
                text_of_object[o as usize] = id;
            }
            None => out.summary.empty_texts += 1,
        }
    }
    drop(index);
    out.summary.raw_texts = raw.len() as u64;
    // 2–5. Clusters.
    let clusters = cluster_texts(&texts, params);
    // The representative of each cluster: the text of its earliest share (time, then input rank).
    let mut rep: Vec<(i64, u32)> = vec![(i64::MAX, NONE); texts.len()];
    for (i, s) in ds.shares.iter().enumerate() {
        if ds.object_kind[s.object as usize] != kind {
            continue;
        }
        out.summary.shares += 1;
        let t = text_of_object[s.object as usize];
        let root = if t == NONE { SHORT } else { clusters.root[t as usize] };
        if root == SHORT {
            out.removed.push(i);
            continue;
        }
        let r = &mut rep[root as usize];
        if s.time < r.0 {
            *r = (s.time, t);
        }
    }
    out.summary.removed_shares = out.removed.len() as u64;
    // Renumber the objects in order of first appearance, near-text shares pointing at their cluster.
    let Dataset { objects, object_kind, shares, .. } = ds;
    let mut new_objects = Interner::default();
    let mut new_kind = Vec::with_capacity(object_kind.len());
    let mut old_to_new = vec![NONE; objects.len()];
    let mut cluster_to_new = vec![NONE; texts.len()];
    let mut removed = out.removed.iter().peekable();
    let mut kept = Vec::with_capacity(shares.len() - out.removed.len());
    for (i, s) in shares.iter().enumerate() {
        if removed.peek() == Some(&&i) {
            removed.next();
            continue;
        }
        let k = object_kind[s.object as usize];
        let slot = if k == kind {
            &mut cluster_to_new[clusters.root[text_of_object[s.object as usize] as usize] as usize]
        } else {
            &mut old_to_new[s.object as usize]
        };
        if *slot == NONE {
            let value = if k == kind {
                texts[rep[clusters.root[text_of_object[s.object as usize] as usize] as usize].1 as usize]
            } else {
                objects.get(s.object)
            };
            *slot = new_objects.intern_in(k, value);
            new_kind.push(k);
        }
        let mut s = *s;
        s.object = *slot;
        kept.push(s);
    }
    drop(normalised);
    *objects = new_objects;
    *object_kind = new_kind;
    *shares = kept;
    if !out.removed.is_empty() {
        // Accounts and posts whose only shares were removed.
        let Dataset { accounts, posts, shares, .. } = ds;
        renumber(accounts, shares.iter_mut().map(|s| &mut s.account));
        renumber(posts, shares.iter_mut().map(|s| &mut s.post));
    }
    out.summary.clusters = clusters.stats;
    Ok(out)
}

/// Re-interns the ids that `ids` still use, in order of first appearance.
fn renumber<'a>(interner: &mut Interner, ids: impl Iterator<Item = &'a mut u32>) {
    let mut map = vec![u32::MAX; interner.len()];
    let mut fresh = Interner::default();
    for id in ids {
        let m = &mut map[*id as usize];
        if *m == u32::MAX {
            *m = fresh.intern_in(interner.namespace(*id), interner.get(*id));
        }
        *id = *m;
    }
    if fresh.len() < interner.len() {
        *interner = fresh;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "Breaking: the mayor resigned after the scandal, share before they delete it";

    fn lines(ds: &Dataset) -> Vec<String> {
        ds.shares
            .iter()
            .map(|s| {
                format!(
                    "{} {} {} {} {}",
                    ds.kind_of(s.object),
                    ds.objects.get(s.object),
                    ds.accounts.get(s.account),
                    ds.posts.get(s.post),
                    s.time
                )
            })
            .collect()
    }

    #[test]
    fn one_word_changed_is_one_object_unrelated_is_not() {
        let mut ds = Dataset::default();
        ds.push("u1", "https://x.org/a", "url", "p0", 5);
        ds.push("u1", A, KIND, "p1", 10);
        ds.push("u2", &A.replace("mayor", "governor"), KIND, "p2", 20);
        ds.push("u3", "Lovely sunny afternoon at the beach with the whole family", KIND, "p3", 15);
        let out = apply(&mut ds, &Params::default()).unwrap();
        assert_eq!(out.summary.clusters.merged_clusters, 1);
        assert_eq!(out.summary.clusters.clusters, 2);
        let rep = "breaking: the mayor resigned after the scandal, share before they delete it";
        assert_eq!(
            lines(&ds),
            [
                "url https://x.org/a u1 p0 5".to_string(),
                format!("near-text {rep} u1 p1 10"),
                format!("near-text {rep} u2 p2 20"),
                "near-text lovely sunny afternoon at the beach with the whole family u3 p3 15".to_string(),
            ]
        );
        assert_eq!(ds.objects.len(), 3);
        assert_eq!(ds.object_kind.len(), 3);
    }

    #[test]
    fn threshold_boundary() {
        // Shingle sets of 16; 15 shared, 17 in the union: Jaccard 15/17 = 0.882…
        let texts = ["abcdefghijklmnopqrst", "abcdefghijklmnopqrsX"];
        let at = Params { threshold: 15.0 / 17.0, ..Params::default() };
        assert_eq!(cluster_texts(&texts, &at).root, [0, 0]);
        let above = Params { threshold: 15.0 / 17.0 + 1e-9, ..Params::default() };
        assert_eq!(cluster_texts(&texts, &above).root, [0, 1]);
        // One more shingle needed than there are: both short.
        let strict = Params { min_shingles: 17, ..Params::default() };
        assert_eq!(cluster_texts(&texts, &strict).root, [SHORT, SHORT]);
    }

    #[test]
    fn chains_are_joined_single_linkage() {
        // J(a,b) = 11/21, J(b,c) = 15/17, J(a,c) = 10/22: with a threshold of
        // 11/21, a~b and b~c but not a~c, and all three are one cluster.
        let a = "abcdefghijklmnopqrst";
        let b = "abcdefghijXlmnopqrst";
        let c = "abcdefghijXlmnopqrsY";
        let set = |t: &str| {
            let (mut o, mut s) = (Vec::new(), Vec::new());
            minhash::shingles(t, 5, &mut o, &mut s);
            o
        };
        let j = |x: &str, y: &str| minhash::jaccard(&set(x), &set(y));
        assert_eq!((j(a, b), j(b, c), j(a, c)), (11.0 / 21.0, 15.0 / 17.0, 10.0 / 22.0));
        let t = 11.0 / 21.0;
        let p = Params { threshold: t, bands: 60, rows: 2, ..Params::default() };
        assert_eq!(cluster_texts(&[a, b, c], &p).root, [0, 0, 0]);
        assert_eq!(cluster_texts(&[a, c], &p).root, [0, 1]);
    }

    #[test]
    fn same_input_same_objects_and_order_independent_clusters() {
        const WORDS: [&str; 24] = [
            "garden", "tomato", "river", "bicycle", "winter", "coffee", "library", "planet", "violin", "harbor",
            "pepper", "castle", "meadow", "rocket", "pillow", "thunder", "lantern", "puzzle", "orchid", "glacier",
            "saddle", "walnut", "beacon", "falcon",
        ];
        let mut state = 12345u64;
        let mut word = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            WORDS[(state % WORDS.len() as u64) as usize]
        };
        let mut rows = Vec::new();
        for i in 0..300u32 {
            let t = match i % 3 {
                0 => format!("{A} number {}", i % 7),
                1 => (0..10).map(|_| word()).collect::<Vec<_>>().join(" "),
                _ => format!("RT @acct{i}: {A}"),
            };
            rows.push((format!("u{}", i % 40), t, format!("p{i}"), i64::from(i) * 3));
        }
        let run = || {
            let mut ds = Dataset::default();
            for (a, t, p, time) in &rows {
                ds.push(a, t, KIND, p, *time);
            }
            let out = apply(&mut ds, &Params::default()).unwrap();
            (lines(&ds), out.summary)
        };
        let (l1, s1) = run();
        let (l2, s2) = run();
        assert_eq!(l1, l2);
        assert_eq!(s1, s2);
        // The template's variants are one object; each unrelated post its own.
        let templ: std::collections::BTreeSet<&str> =
            l1.iter().filter(|l| l.contains("the mayor")).map(|l| l.rsplitn(4, ' ').last().unwrap()).collect();
        assert_eq!(templ.len(), 1, "{templ:?}");
        assert_eq!(s1.clusters.clusters, 1 + 100);
    }

    #[test]
    fn no_near_text_leaves_the_dataset_alone() {
        let mut ds = Dataset::default();
        ds.push("a", "x", "url", "p", 1);
        let out = apply(&mut ds, &Params::default()).unwrap();
        assert_eq!(out.summary.shares, 0);
        assert_eq!(ds.shares.len(), 1);
        assert!(Params { threshold: 0.0, ..Params::default() }.validate().is_err());
    }

    #[test]
    fn removed_shares_take_orphan_accounts_and_posts_along() {
        let mut ds = Dataset::default();
        ds.push("short", "hi", KIND, "p1", 1);
        ds.push("b", A, KIND, "p2", 2);
        ds.push("c", "@x https://t.co/y", KIND, "p3", 3);
        let out = apply(&mut ds, &Params::default()).unwrap();
        assert_eq!(out.removed, [0, 2]);
        assert_eq!((out.summary.empty_texts, out.summary.clusters.short_texts), (1, 1));
        assert_eq!(ds.accounts.len(), 1);
        assert_eq!(ds.posts.len(), 1);
        assert_eq!(ds.accounts.get(ds.shares[0].account), "b");
    }
}
