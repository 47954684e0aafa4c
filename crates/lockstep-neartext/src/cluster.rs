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
        let runs: Vec<&[(u32, u32)]> = bucket.chunk_by(|x, y| x.0 == y.0).filter(|run| run.len() > 1).collect();
        let found: Vec<Verified> = runs
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |(sets, starts), run| verify_bucket(run, &roots, texts, params, sets, starts),
            )
            .collect();
        for v in found {
            stats.candidate_pairs += v.verified;
            stats.capped_buckets += u64::from(v.capped_pairs > 0);
            stats.capped_pairs += v.capped_pairs;
            for (x, y) in v.similar {
                stats.similar_pairs += 1;
                uf.union(x, y);
            }
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

/// What one bucket's verification found.
struct Verified {
    similar: Vec<(u32, u32)>,
    verified: u64,
    capped_pairs: u64,
}

/// Verifies one bucket (texts with an equal band key, in text order): each pair
/// of texts not yet connected — by the clusters at the start of the band or by
/// a link already found in this bucket — is checked by exact Jaccard, in order;
/// skipping connected pairs leaves the clusters unchanged (single linkage). In
/// a bucket of more than `max_bucket` texts only pairs less than `max_bucket`
/// apart are considered; the others are counted as capped.
fn verify_bucket(
    run: &[(u32, u32)],
    roots: &[u32],
    texts: &[&str],
    params: &Params,
    sets: &mut Vec<Option<Vec<u32>>>,
    starts: &mut Vec<usize>,
) -> Verified {
    let mut out = Verified { similar: Vec::new(), verified: 0, capped_pairs: 0 };
    let first = roots[run[0].1 as usize];
    if run.iter().all(|&(_, t)| roots[t as usize] == first) {
        return out;
    }
    let m = run.len();
    let max_bucket = params.max_bucket.max(2);
    let reach = if m > max_bucket {
        let w = max_bucket - 1;
        // Pairs within distance w: Σ_i min(w, m-1-i).
        out.capped_pairs = (m * (m - 1) / 2 - (w * (m - w) + w * (w - 1) / 2)) as u64;
        w
    } else {
        m
    };
    // Local union–find, members of one cluster joined from the start.
    let mut parent: Vec<usize> = (0..m).collect();
    let mut by_root: Vec<(u32, usize)> = run.iter().enumerate().map(|(i, &(_, t))| (roots[t as usize], i)).collect();
    by_root.sort_unstable();
    for w in by_root.windows(2) {
        if w[0].0 == w[1].0 {
            parent[w[1].1] = w[0].1.min(parent[w[0].1]);
        }
    }
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    sets.clear();
    sets.resize(m, None);
    for i in 0..m {
        for j in i + 1..m.min(i + 1 + reach) {
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri == rj {
                continue;
            }
            for k in [i, j] {
                if sets[k].is_none() {
                    let mut set = Vec::new();
                    shingles(texts[run[k].1 as usize], params.shingle_chars, &mut set, starts);
                    sets[k] = Some(set);
                }
            }
            out.verified += 1;
            let (inter, union) =
                intersection_union(sets[i].as_deref().unwrap_or_default(), sets[j].as_deref().unwrap_or_default());
            // Division is correctly rounded: 7/10 equals the literal 0.7.
            if inter as f64 / union as f64 >= params.threshold {
                parent[ri.max(rj)] = ri.min(rj);
                out.similar.push((run[i].1, run[j].1));
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
    fn bucket_verification_skips_connected_pairs_and_caps() {
        // Five copies of one text: every pair is similar.
        let texts = ["same text of some length here"; 5];
        let run: Vec<(u32, u32)> = (0..5).map(|t| (7, t)).collect();
        let roots: Vec<u32> = (0..5).collect();
        let p = Params { max_bucket: 3, ..Params::default() };
        let (mut sets, mut starts) = (Vec::new(), Vec::new());
        let v = verify_bucket(&run, &roots, &texts, &p, &mut sets, &mut starts);
        // (0,1) joins, (0,2) joins, (1,2) skipped, (1,3) joins, (2,3) skipped, (2,4) joins, (3,4) skipped.
        assert_eq!(v.similar, [(0, 1), (0, 2), (1, 3), (2, 4)]);
        assert_eq!((v.verified, v.capped_pairs), (4, 10 - 7));
        // Texts already in one cluster are not verified again.
        let v = verify_bucket(&run, &[0, 0, 0, 3, 3], &texts, &Params::default(), &mut sets, &mut starts);
        assert_eq!((v.similar.as_slice(), v.verified), ([(0, 3)].as_slice(), 1));
        let v = verify_bucket(&run, &[0; 5], &texts, &Params::default(), &mut sets, &mut starts);
        assert_eq!(v.verified, 0);
    }
}
