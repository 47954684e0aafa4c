//! Near-duplicate clusters of distinct normalised texts: band keys → LSH
//! buckets → candidate pairs → exact Jaccard → union–find.

use crate::minhash::{band_keys, intersection_union, seeds, shingles};
use crate::Params;
use rayon::prelude::*;
use serde::Serialize;

/// A text with fewer than [`Params::min_shingles`] shingles (in [`Clusters::root`]).
pub const SHORT: u32 = u32::MAX;

/// What clustering did (see docs/method.md, "Near-duplicate texts").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClusterStats {
    /// Distinct texts given.
    pub texts: u64,
    /// Texts with fewer than `min_shingles` shingles: not near-text objects.
    pub short_texts: u64,
    /// Candidate pairs verified by exact Jaccard (pairs already in one cluster are not verified again).
    pub candidate_pairs: u64,
    /// Verified pairs with Jaccard ≥ the threshold (the links of the clusters).
    pub similar_pairs: u64,
    /// Buckets with more than `max_bucket` texts, verified only within a sliding window.
    pub capped_buckets: u64,
    /// Pairs of those buckets outside the window: never verified.
    pub capped_pairs: u64,
    /// Clusters (near-text objects), singletons included.
    pub clusters: u64,
    /// Clusters of two texts or more.
    pub merged_clusters: u64,
    /// Texts in clusters of two texts or more.
    pub merged_texts: u64,
    /// Texts in the largest cluster.
    pub largest_cluster: u64,
}

/// The clusters of a list of texts.
#[derive(Debug, Clone)]
pub struct Clusters {
    /// Per text: the smallest text index of its cluster, or [`SHORT`].
    pub root: Vec<u32>,
    /// Counts.
    pub stats: ClusterStats,
}

/// Clusters `texts` (distinct, already normalised) by near-duplication: two
/// texts are linked when LSH makes them a candidate pair and the Jaccard
/// similarity of their shingle sets is at least `params.threshold`; clusters are
/// the connected components of the links (single linkage). Deterministic: same
/// texts and parameters, same clusters, whatever the number of threads.
///
/// ```
/// use lockstep_neartext::{cluster_texts, Params};
/// let texts = [
///     "the quick brown fox jumps over the lazy dog again",
///     "the quick brown fox jumps over the lazy dot again",
///     "an entirely different sentence about the weather",
/// ];
/// let c = cluster_texts(&texts, &Params::default());
/// assert_eq!(c.root, [0, 0, 2]);
/// ```
pub fn cluster_texts(texts: &[&str], params: &Params) -> Clusters {
    let n = texts.len();
    let (b, r) = (params.bands, params.rows);
    let seeds = seeds(params.seed, b * r);
    // Band keys of every text, text-major; short texts are flagged.
    let mut keys = vec![0u32; n * b];
    let short: Vec<bool> = keys
        .par_chunks_mut(b.max(1))
        .zip(texts.par_iter())
        .map_init(
            || (Vec::new(), Vec::new(), Vec::new()),
            |(set, starts, mins), (out, text)| {
                shingles(text, params.shingle_chars, set, starts);
                if set.len() < params.min_shingles.max(1) {
                    return true;
                }
                band_keys(set, &seeds, r, mins, out);
                false
            },
        )
        .collect();
    let mut stats = ClusterStats {
        texts: n as u64,
        short_texts: short.iter().filter(|s| **s).count() as u64,
        ..ClusterStats::default()
    };
    let mut uf = UnionFind::new(n);
    let live: Vec<u32> = (0..n as u32).filter(|&t| !short[t as usize]).collect();
    let mut bucket: Vec<(u32, u32)> = Vec::with_capacity(live.len());
    let mut roots = vec![0u32; n];
    for band in 0..b {
        bucket.clear();
        bucket.extend(live.iter().map(|&t| (keys[t as usize * b + band], t)));
        bucket.par_sort_unstable();
        uf.roots_into(&mut roots);
        let candidates = candidate_pairs(&bucket, &roots, params.max_bucket, &mut stats);
        stats.candidate_pairs += candidates.len() as u64;
        let similar: Vec<bool> = candidates
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new(), Vec::new()),
                |(sa, sb, starts), &(x, y)| {
                    shingles(texts[x as usize], params.shingle_chars, sa, starts);
                    shingles(texts[y as usize], params.shingle_chars, sb, starts);
                    let (inter, union) = intersection_union(sa, sb);
                    // Division is correctly rounded: 7/10 equals the literal 0.7.
                    inter as f64 / union as f64 >= params.threshold
                },
            )
            .collect();
        for (&(x, y), _) in candidates.iter().zip(&similar).filter(|(_, s)| **s) {
            stats.similar_pairs += 1;
            uf.union(x, y);
        }
    }
    uf.roots_into(&mut roots);
    let mut size = vec![0u64; n];
    for t in 0..n {
        if short[t] {
            roots[t] = SHORT;
        } else {
            size[roots[t] as usize] += 1;
        }
    }
    for &s in size.iter().filter(|s| **s > 0) {
        stats.clusters += 1;
        stats.largest_cluster = stats.largest_cluster.max(s);
        if s > 1 {
            stats.merged_clusters += 1;
            stats.merged_texts += s;
        }
    }
    Clusters { root: roots, stats }
}

/// The pairs of one band's sorted `(key, text)` list to verify: in each bucket
/// (run of equal keys), every pair of texts not yet in one cluster; in a bucket
/// of more than `max_bucket` texts, only pairs less than `max_bucket` apart in
/// the bucket's text order (counted in `stats`).
fn candidate_pairs(
    bucket: &[(u32, u32)],
    roots: &[u32],
    max_bucket: usize,
    stats: &mut ClusterStats,
) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let max_bucket = max_bucket.max(2);
    for run in bucket.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        let first = roots[run[0].1 as usize];
        if run.iter().all(|&(_, t)| roots[t as usize] == first) {
            continue;
        }
        let m = run.len();
        let reach = if m > max_bucket {
            stats.capped_buckets += 1;
            let w = max_bucket - 1;
            // Pairs within distance w: Σ_i min(w, m-1-i).
            let within = (w * (m - w) + w * (w - 1) / 2) as u64;
            stats.capped_pairs += (m * (m - 1) / 2) as u64 - within;
            w
        } else {
            m
        };
        for i in 0..m {
            let (x, rx) = (run[i].1, roots[run[i].1 as usize]);
            for &(_, y) in &run[i + 1..m.min(i + 1 + reach)] {
                if roots[y as usize] != rx {
                    out.push((x, y));
                }
            }
        }
    }
    out
}

/// Union–find over `0..n`; the root of a set is its smallest element, so the
/// result does not depend on the order of unions.
struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind { parent: (0..n as u32).collect() }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        while self.parent[x as usize] != root {
            let next = self.parent[x as usize];
            self.parent[x as usize] = root;
            x = next;
        }
        root
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }

    /// Every element's root (compressing the paths).
    fn roots_into(&mut self, out: &mut [u32]) {
        for x in 0..self.parent.len() as u32 {
            out[x as usize] = self.find(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_find_roots_are_smallest() {
        let mut uf = UnionFind::new(6);
        uf.union(4, 5);
        uf.union(5, 2);
        uf.union(0, 1);
        let mut r = vec![0; 6];
        uf.roots_into(&mut r);
        assert_eq!(r, [0, 0, 2, 3, 2, 2]);
    }

    #[test]
    fn capped_bucket_counts() {
        // One bucket of 5 texts, all in different clusters, window of 2 (max_bucket 3).
        let bucket: Vec<(u32, u32)> = (0..5).map(|t| (7, t)).collect();
        let roots: Vec<u32> = (0..5).collect();
        let mut stats = ClusterStats::default();
        let pairs = candidate_pairs(&bucket, &roots, 3, &mut stats);
        assert_eq!(pairs, [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (2, 4), (3, 4)]);
        assert_eq!((stats.capped_buckets, stats.capped_pairs), (1, 10 - 7));
        // Pairs already in one cluster are skipped.
        let mut stats = ClusterStats::default();
        let pairs = candidate_pairs(&bucket, &[0, 0, 0, 3, 3], 10, &mut stats);
        assert_eq!(pairs, [(0, 3), (0, 4), (1, 3), (1, 4), (2, 3), (2, 4)]);
    }
}
