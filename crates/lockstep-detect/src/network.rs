//! Stage 3: the account network.
//!
//! Co-shares are aggregated per unordered account pair into an [`Edge`] with
//! CooRTweet's attributes, computed on the full co-shares and, when a fast window
//! was given, on the fast ones:
//! - `weight`: number of co-shares;
//! - `avg_time_delta`: mean seconds between the two shares;
//! - `n_content_id` / `n_content_id_y`: distinct earlier / later posts;
//! - `edge_symmetry_score`: `min / max` of those two.
//!
//! An edge is above the threshold when its combined weight (the co-share count
//! unless kind weights are given, see [`crate::multiplex`]) is strictly greater
//! than the type-7 quantile `edge_quantile` of all combined weights (fast: of all
//! fast ones).
//!
//! The same per-edge pass counts the co-shares per object kind
//! ([`Edge::kinds`]); with a single kind in the dataset that costs nothing.

use crate::coshare::CoShare;
use crate::multiplex::{EdgeKind, EdgeKinds, KindWeights};
use crate::quantile::{quantile_type7, quantile_type7_counts};
use crate::{Mode, Params};
use lockstep_core::{AccountId, Dataset, KindId, ObjectId};
use rayon::prelude::*;

/// Attributes of an edge over one set of co-shares (all zero over none).
///
/// Only counts are stored; the mean delay and the symmetry score are computed
/// from them (exactly as they always were), which keeps the edge small: a
/// 10M-post run has about 15 million edges, and every byte of an edge is
/// 15 MB of fresh memory.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EdgeAttrs {
    /// Number of co-shares between the two accounts.
    pub weight: u32,
    /// Distinct earlier posts.
    pub n_content_id: u32,
    /// Distinct later posts.
    pub n_content_id_y: u32,
    /// Weight strictly above the quantile threshold.
    pub above_threshold: bool,
    /// Sum of the delays (seconds) of the co-shares.
    pub sum_time_delta: u64,
    /// `Σ_k W_k · weight_k` over the object kinds (= `weight` with the default
    /// kind weights of 1); what the threshold and the communities use.
    pub combined_weight: f64,
}

impl EdgeAttrs {
    /// Mean delta in seconds (0 over no co-shares).
    pub fn avg_time_delta(&self) -> f64 {
        crate::multiplex::mean_delay(self.sum_time_delta, self.weight)
    }

    /// `min(n_content_id, n_content_id_y) / max(...)` (0 over no co-shares).
    pub fn edge_symmetry_score(&self) -> f64 {
        let (x, y) = (self.n_content_id, self.n_content_id_y);
        if x.max(y) == 0 {
            0.0
        } else {
            x.min(y) as f64 / x.max(y) as f64
        }
    }
}

/// One edge of the account network. `a < b` as account ids.
///
/// 56 bytes: what most edges of a large network lack (fast co-shares, a
/// second object kind) lives in one optional box.
#[derive(Debug, Clone)]
pub struct Edge {
    /// One account (the smaller id).
    pub a: AccountId,
    /// The other account.
    pub b: AccountId,
    /// Attributes over all co-shares.
    pub full: EdgeAttrs,
    /// Distinct objects co-shared.
    pub n_objects: u32,
    /// The kind of all co-shares, unless `extra` lists several.
    kind: KindId,
    extra: Option<Box<EdgeExtra>>,
}

// The size the comment on `Edge` promises (the edges dominate a large run's memory).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Edge>() == 56);

#[derive(Debug, Clone)]
struct EdgeExtra {
    fast: Option<EdgeAttrs>,
    /// Co-shares per kind when there are several kinds (else empty).
    kinds: Box<[EdgeKind]>,
}

impl Edge {
    /// An edge of one object kind (`0`) without fast co-shares.
    pub fn new(a: AccountId, b: AccountId, full: EdgeAttrs, n_objects: u32) -> Self {
        Edge { a, b, full, n_objects, kind: 0, extra: None }
    }

    /// Attributes over the fast co-shares, when there are any.
    pub fn fast(&self) -> Option<&EdgeAttrs> {
        self.extra.as_ref().and_then(|x| x.fast.as_ref())
    }

    fn fast_mut(&mut self) -> Option<&mut EdgeAttrs> {
        self.extra.as_mut().and_then(|x| x.fast.as_mut())
    }

    /// Co-shares per object kind, in byte order of kind labels (multiplex view).
    pub fn kinds(&self) -> EdgeKinds<'_> {
        match &self.extra {
            Some(x) if !x.kinds.is_empty() => EdgeKinds::Many(&x.kinds),
            _ => EdgeKinds::One(EdgeKind {
                kind: self.kind,
                weight: self.full.weight,
                weight_fast: self.fast().map_or(0, |f| f.weight),
                n_objects: self.n_objects,
                sum_delta: self.full.sum_time_delta,
            }),
        }
    }
}

/// The network and the co-shares behind each edge.
#[derive(Debug, Clone)]
pub struct Network {
    /// Edges ordered by the names of their two accounts (smaller name first).
    pub edges: Vec<Edge>,
    /// `rows[offsets[e]..offsets[e + 1]]` are the co-share indices of edge `e`, in order.
    pub offsets: Vec<u32>,
    /// Co-share indices grouped by edge.
    pub rows: Vec<u32>,
    /// Full-network threshold (0 when there are no edges).
    pub threshold: f64,
    /// Fast-network threshold.
    pub threshold_fast: Option<f64>,
    /// Lockstep mode: every edge's pairs of posts with a weight above 0 (empty in CooRTweet mode).
    pub post_pairs: Vec<u32>,
}

impl Network {
    /// Co-share indices of edge `e`.
    pub fn rows_of(&self, e: usize) -> &[u32] {
        &self.rows[self.offsets[e] as usize..self.offsets[e + 1] as usize]
    }
}

/// Builds the network from filtered co-shares.
///
/// `rank` is every account's rank by name ([`lockstep_core::Interner::ranks`]):
/// edges come ordered by the names of their two accounts, the order of the
/// edges table, so writing it reads the edges in order.
pub fn build(ds: &Dataset, coshares: &[CoShare], fast: &[bool], params: &Params, rank: &[u32]) -> Network {
    // What an edge needs of one co-share, gathered in co-share order (the shares of
    // one object are close together in time, so this reads `ds.shares` almost in
    // order) and carried through the sort, so the per-edge pass reads sequentially.
    let item = |row: usize| {
        let c = &coshares[row];
        let (e, l) = (&ds.shares[c.early as usize], &ds.shares[c.late as usize]);
        let (x, y) = (rank[e.account as usize], rank[l.account as usize]);
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        let delta = u32::try_from(l.time - e.time).expect("window fits in u32 (checked by Params::validate)");
        (a, Item { b, row: row as u32, early_post: e.post, late_post: l.post, object: c.object, delta })
    };
    // 1. Co-shares grouped by edge, edges in name order of (first, second) account,
    //    each edge's co-shares in co-share order: a stable counting sort by the
    //    first account's rank, then a sort by `(second rank, row)` inside each
    //    (an MSD radix sort; no hash map).
    //    The items are built twice (counting, then placing) rather than held twice in memory.
    //    Both passes run on all cores: the co-shares are cut into consecutive
    //    parts, each part counts its rows per bucket, and each places its rows
    //    into its own share of every bucket (part 0's first), so the order is
    //    that of one pass over all rows.
    let n_acc = ds.accounts.len();
    let n = coshares.len();
    // A part costs a count and a slice per account: split where there are at
    // least two co-shares per account (1M url posts: 80k co-shares, 18k
    // accounts, the placing was the stage's longest stretch on one core).
    let parts = rayon::current_num_threads().clamp(1, 4).min((n / (2 * n_acc.max(1))).max(1));
    let part = |t: usize| t * n / parts..(t + 1) * n / parts;
    let counts: Vec<Vec<u32>> = (0..parts)
        .into_par_iter()
        .map(|t| {
            let mut c = vec![0u32; n_acc];
            for row in part(t) {
                c[item(row).0 as usize] += 1;
            }
            c
        })
        .collect();
    let mut by_a = vec![0usize; n_acc + 1];
    for a in 0..n_acc {
        by_a[a + 1] = by_a[a] + counts.iter().map(|c| c[a] as usize).sum::<usize>();
    }
    let mut sorted: Vec<Item> = vec![Item::default(); n];
    {
        // `dest[t][a]`: the not yet filled share of part `t` in bucket `a`.
        let mut dest: Vec<Vec<&mut [Item]>> = (0..parts).map(|_| Vec::with_capacity(n_acc)).collect();
        let mut rest: &mut [Item] = &mut sorted;
        for a in 0..n_acc {
            for (t, c) in counts.iter().enumerate() {
                let (head, tail) = std::mem::take(&mut rest).split_at_mut(c[a] as usize);
                dest[t].push(head);
                rest = tail;
            }
        }
        drop(counts);
        dest.into_par_iter().enumerate().for_each(|(t, mut dest)| {
            for row in part(t) {
                let (a, it) = item(row);
                let (slot, left) = std::mem::take(&mut dest[a as usize]).split_first_mut().expect("counted");
                *slot = it;
                dest[a as usize] = left;
            }
        });
    }
    let mut buckets: Vec<&mut [Item]> = Vec::with_capacity(n_acc);
    let mut rest: &mut [Item] = &mut sorted;
    for a in 0..n_acc {
        let (head, tail) = rest.split_at_mut(by_a[a + 1] - by_a[a]);
        if head.len() > 1 {
            buckets.push(head);
        }
        rest = tail;
    }
    buckets.par_iter_mut().for_each(|b| b.sort_unstable_by_key(|it| (it.b, it.row)));
    drop(buckets);
    // Edge boundaries: where the second account changes inside a bucket, counted
    // and then written per bucket in parallel, into a vector of the exact size.
    let bucket = |a: usize| &sorted[by_a[a]..by_a[a + 1]];
    fn runs(items: &[Item]) -> impl Iterator<Item = &[Item]> {
        items.chunk_by(|x, y| x.b == y.b)
    }
    let per_bucket: Vec<usize> = (0..n_acc).into_par_iter().map(|a| runs(bucket(a)).count()).collect();
    let n_edges: usize = per_bucket.iter().sum();
    let mut id_of_rank = vec![0 as AccountId; n_acc];
    for (id, &r) in rank.iter().enumerate() {
        id_of_rank[r as usize] = id as AccountId;
    }
    let mut offsets = vec![0u32; n_edges + 1];
    offsets[n_edges] = coshares.len() as u32;
    {
        let mut parts: Vec<(usize, &mut [u32])> = Vec::with_capacity(n_acc);
        let mut rest = &mut offsets[..n_edges];
        for (a, &k) in per_bucket.iter().enumerate() {
            let (head, tail) = rest.split_at_mut(k);
            parts.push((a, head));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(a, out)| {
            let mut at = by_a[a];
            for (o, run) in out.iter_mut().zip(runs(bucket(a))) {
                *o = at as u32;
                at += run.len();
            }
        });
    }
    drop(per_bucket);
    // 2. Attributes per edge, and per object kind.
    let has_fast = params.fast_window.is_some();
    let kinds = KindMap::new(ds);
    let weights = KindWeights::resolve(ds, &params.kind_weights);
    let (mut edges, post_pairs): (Vec<Edge>, Vec<u32>) = (0..n_edges)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, e| {
            let (start, end) = (offsets[e] as usize, offsets[e + 1] as usize);
            let items = &sorted[start..end];
            // The first account's rank is the bucket holding `start`: a job's edges
            // come in order, so the bucket of the previous edge is checked first.
            let a = &mut scratch.bucket;
            if !(by_a[*a] <= start && start < by_a[*a + 1]) {
                *a = by_a.partition_point(|&x| x <= start) - 1;
            }
            let (x, y) = (id_of_rank[*a], id_of_rank[items[0].b as usize]);
            let (a, b) = if x < y { (x, y) } else { (y, x) };
            let is_fast = |r: usize| has_fast && fast[r];
            let full = attrs(items.iter(), scratch);
            let fast = if has_fast {
                let f = attrs(items.iter().filter(|it| fast[it.row as usize]), scratch);
                (f.weight > 0).then_some(f)
            } else {
                None
            };
            let n_objects = match items {
                [_] => 1,
                _ => {
                    scratch.objects.clear();
                    scratch.objects.extend(items.iter().map(|it| it.object));
                    distinct(&mut scratch.objects)
                }
            };
            let (kind, many) = kinds.count(items, is_fast, scratch);
            let extra = (fast.is_some() || !many.is_empty()).then(|| Box::new(EdgeExtra { fast, kinds: many }));
            let mut edge = Edge { a, b, full, n_objects, kind, extra };
            // The combined weights, from the per-kind view the outputs read
            // (Lockstep mode: one per pair of posts, see `post_pair_weight`).
            let per_kind = edge.kinds();
            let (full, pairs) = match params.mode {
                Mode::Lockstep => post_pair_weight(items, &kinds, &weights, scratch),
                Mode::CoorTweet => (weights.combine(per_kind.as_slice(), edge.full.weight, false), 0),
            };
            let fast = edge.fast().map(|f| weights.combine(per_kind.as_slice(), f.weight, true));
            edge.full.combined_weight = full;
            if let (Some(f), Some(c)) = (edge.fast_mut(), fast) {
                f.combined_weight = c;
            }
            (edge, pairs)
        })
        .unzip();
    let post_pairs = if params.mode == Mode::Lockstep { post_pairs } else { Vec::new() };
    let rows: Vec<u32> = sorted.par_iter().map(|it| it.row).collect();
    drop(sorted);
    // 3. Thresholds.
    let (threshold, threshold_fast) = apply_thresholds(&mut edges, params);
    Network { edges, offsets, rows, threshold, threshold_fast, post_pairs }
}

/// The weight thresholds of the full and the fast network (the quantile
/// `edge_quantile` of the combined weights), and every edge marked against
/// them. The last step of [`build`]; the partitioned path
/// ([`crate::partition`]) runs it once over the edges of all its parts.
pub fn apply_thresholds(edges: &mut [Edge], params: &Params) -> (f64, Option<f64>) {
    let threshold = full_threshold(edges, params.edge_quantile);
    let mut fast_combined: Vec<f64> = edges.iter().filter_map(|e| e.fast().map(|f| f.combined_weight)).collect();
    let threshold_fast = quantile_type7(&mut fast_combined, params.edge_quantile);
    edges.par_iter_mut().for_each(|e| {
        e.full.above_threshold = e.full.combined_weight > threshold;
        if let (Some(f), Some(t)) = (e.fast_mut(), threshold_fast) {
            f.above_threshold = f.combined_weight > t;
        }
    });
    (threshold, threshold_fast)
}

/// The weight of an edge in Lockstep mode, and its pairs of posts of weight
/// above 0. The unit of evidence is a **pair of posts**, counted once: two
/// tweets that carry the same three hashtags, or a link as url and domain, are
/// one piece of evidence, not three or two. A pair of posts weighs the largest
/// kind weight among its co-shares (1 by default); a pair whose co-shares are
/// all of kinds weighted 0 adds nothing.
fn post_pair_weight(items: &[Item], kinds: &KindMap, weights: &KindWeights, s: &mut Scratch) -> (f64, u32) {
    let w = |it: &Item| {
        let k = if kinds.object_kind.is_empty() { 0 } else { kinds.object_kind[it.object as usize] };
        weights.by_kind.get(k as usize).copied().unwrap_or(1.0)
    };
    if let [it] = items {
        let x = w(it);
        return (x, u32::from(x > 0.0));
    }
    s.pairs.clear();
    s.pairs.extend(items.iter().map(|it| {
        let (x, y) = (it.early_post.min(it.late_post), it.early_post.max(it.late_post));
        (((x as u64) << 32) | y as u64, w(it))
    }));
    s.pairs.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)));
    let (mut sum, mut n) = (0.0, 0u32);
    let mut prev = None;
    for &(key, weight) in &s.pairs {
        if prev != Some(key) {
            sum += weight; // the largest weight of the pair comes first
            n += u32::from(weight > 0.0);
            prev = Some(key);
        }
    }
    (sum, n)
}

/// The quantile of the edges' combined weights. Without kind weights these are
/// the weights, small integers: counted in a histogram rather than copied
/// (8 bytes per edge, 120 MB at 10M posts) and selected from.
fn full_threshold(edges: &[Edge], p: f64) -> f64 {
    /// Larger weights go through the copy (a histogram of that size would cost more).
    const MAX_COUNTED: u32 = 1 << 24;
    // Edges of weight 0 (only kinds weighted 0) are not in the network's weights.
    let integral = edges
        .par_iter()
        .map(|e| {
            let c = e.full.combined_weight;
            (c.fract() == 0.0 && c < f64::from(MAX_COUNTED)).then_some(c as u32)
        })
        .try_reduce(|| 0, |x, y| Some(x.max(y)));
    let threshold = match integral {
        Some(max) if max < MAX_COUNTED => {
            // One histogram per thread's share of the edges, then their sum.
            let threads = rayon::current_num_threads().max(1);
            let chunk = edges.len().div_ceil(threads).max(1);
            let counts = edges
                .par_chunks(chunk)
                .map(|part| {
                    let mut c = vec![0u64; max as usize + 1];
                    for e in part {
                        c[e.full.combined_weight as usize] += 1;
                    }
                    c[0] = 0;
                    c
                })
                .reduce_with(|mut x, y| {
                    x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
                    x
                });
            counts.and_then(|c| quantile_type7_counts(&c, p))
        }
        _ => {
            let mut combined: Vec<f64> =
                edges.par_iter().map(|e| e.full.combined_weight).filter(|&c| c > 0.0).collect();
            quantile_type7(&mut combined, p)
        }
    };
    threshold.unwrap_or(0.0)
}

/// One co-share as the edge pass needs it.
#[derive(Debug, Clone, Copy, Default)]
struct Item {
    /// Name rank of the pair's second account (the first one's is the bucket).
    b: u32,
    /// Index into the co-shares.
    row: u32,
    early_post: u32,
    late_post: u32,
    object: ObjectId,
    /// Seconds from the earlier to the later share.
    delta: u32,
}

#[derive(Default)]
struct Scratch {
    /// Rank of the first account of the last edge (see the edge pass).
    bucket: usize,
    early: Vec<u32>,
    late: Vec<u32>,
    objects: Vec<ObjectId>,
    /// (post pair, kind weight) of an edge's co-shares.
    pairs: Vec<(u64, f64)>,
    /// Per-kind counters by kind id (all zero between edges), and the kinds touched.
    by_kind: Vec<EdgeKind>,
    touched: Vec<u32>,
}

/// What counting per kind needs of the dataset.
struct KindMap<'d> {
    /// Kind of every object (empty when the dataset has at most one kind).
    object_kind: &'d [u32],
    /// Rank of every kind id in byte order of labels.
    rank: Vec<u32>,
}

impl<'d> KindMap<'d> {
    fn new(ds: &'d Dataset) -> Self {
        let single = ds.kinds.len() <= 1;
        KindMap { object_kind: if single { &[] } else { &ds.object_kind }, rank: ds.kinds.ranks() }
    }

    /// Co-shares of `items` (one edge) per kind, as [`Edge`] stores them: the
    /// kind of all of them and no list, or the list when there are several
    /// kinds. With one kind in the dataset, or one co-share, the edge's own
    /// attributes are the kind's: no extra work.
    fn count(&self, items: &[Item], is_fast: impl Fn(usize) -> bool, s: &mut Scratch) -> (KindId, Box<[EdgeKind]>) {
        if self.object_kind.is_empty() {
            return (0, Box::default());
        }
        let kind_of = |it: &Item| self.object_kind[it.object as usize];
        let first = kind_of(&items[0]);
        if items.len() == 1 || items.iter().all(|it| kind_of(it) == first) {
            return (first, Box::default());
        }
        if s.by_kind.len() < self.rank.len() {
            s.by_kind.resize(self.rank.len(), EdgeKind::default());
        }
        for it in items {
            let k = kind_of(it);
            let acc = &mut s.by_kind[k as usize];
            if acc.weight == 0 {
                acc.kind = k;
                s.touched.push(k);
            }
            acc.weight += 1;
            acc.weight_fast += is_fast(it.row as usize) as u32;
            acc.sum_delta += it.delta as u64;
        }
        // Distinct objects per kind: `s.objects` holds the edge's objects, sorted
        // by `distinct` (it has more than one item here).
        let mut prev = None;
        for &o in &s.objects {
            if prev != Some(o) {
                s.by_kind[self.object_kind[o as usize] as usize].n_objects += 1;
                prev = Some(o);
            }
        }
        s.touched.sort_unstable_by_key(|&k| self.rank[k as usize]);
        let out: Box<[EdgeKind]> = s.touched.iter().map(|&k| s.by_kind[k as usize]).collect();
        for &k in &s.touched {
            s.by_kind[k as usize] = EdgeKind::default();
        }
        s.touched.clear();
        (0, out)
    }
}

fn attrs<'i>(items: impl Iterator<Item = &'i Item>, s: &mut Scratch) -> EdgeAttrs {
    s.early.clear();
    s.late.clear();
    let mut sum_time_delta: u64 = 0;
    for it in items {
        sum_time_delta += it.delta as u64;
        s.early.push(it.early_post);
        s.late.push(it.late_post);
    }
    let weight = s.early.len() as u32;
    if weight == 0 {
        return EdgeAttrs::default();
    }
    EdgeAttrs {
        weight,
        n_content_id: distinct(&mut s.early),
        n_content_id_y: distinct(&mut s.late),
        above_threshold: false,
        sum_time_delta,
        combined_weight: weight as f64,
    }
}

fn distinct(v: &mut [u32]) -> u32 {
    if v.len() <= 1 {
        return v.len() as u32;
    }
    v.sort_unstable();
    1 + v.windows(2).filter(|w| w[0] != w[1]).count() as u32
}
