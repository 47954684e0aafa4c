//! Partitioned detection: the co-share and network stages in parts, for
//! runs whose in-memory working set would not fit (`--partitions`).
//!
//! The two stages whose working memory grows with the co-shares run part by
//! part, in the two-stage plan a cluster would run:
//!
//! 1. **By object** ([`plan`], [`enumerate`]): the kept shares, grouped by
//!    object, are cut into parts of about the same number of in-window pairs.
//!    A **hot object** (more pairs than a part should hold) is split into
//!    **time buckets**: consecutive runs of its shares in time order, each
//!    bucket reading on past its last share for one window. A pair belongs to
//!    the bucket of its earlier share, so a pair across a bucket boundary is
//!    found once, by the earlier bucket, and never twice. Each part's
//!    co-shares are enumerated and appended; parts and buckets follow object
//!    and time order, so the co-shares come in exactly the in-memory order.
//! 2. **By account pair** ([`build_network`]): the co-shares (after the
//!    participation filter, which needs all of them) are cut by the first
//!    account of their pair (the one whose name sorts first) into ranges of
//!    about the same number of co-shares; each range's edges are built by
//!    [`network::build`] from its co-shares alone (an edge's co-shares all
//!    fall in one range), and the ranges, in name order, concatenate into the
//!    edges in the in-memory order. The thresholds are then taken over all
//!    edges.
//!
//! Everything else (participation, significance, components, communities,
//! statistics) runs once, unchanged, on the same inputs as in memory; the
//! null models see the same groups, co-shares and edges. The result is the
//! in-memory [`Detection`](crate::Detection), byte for byte (tests below and
//! `tests/partition.rs`).
//!
//! Cuts are ranges (of objects, of account names), not hashes: on one machine
//! the shares are already grouped by object and the edges are ordered by
//! name, so ranges keep both orders without a merge, and cutting by counted
//! pairs balances the parts better than a hash would. A cluster, where parts
//! are shuffled between machines, would hash instead (docs/scale.md).
//!
//! What it saves (docs/scale.md, measured): the enumeration holds one part's
//! co-shares twice instead of all of them, and the network build sorts one
//! range's co-shares (24 bytes each) instead of all; the results (co-shares,
//! edges and their evidence) are still held whole, as every output needs them.

use crate::coshare::{self, Budget, CoShare, Enumerated, Groups};
use crate::network::{self, Network};
use crate::Params;
use lockstep_core::{Dataset, ObjectId};
use rayon::prelude::*;
use std::ops::Range;

/// Most parts chosen automatically.
pub const MAX_AUTO_PARTS: usize = 64;

/// A run of one object's shares: the pairs whose earlier share is
/// `groups.of(object)[early]` (the later one may lie past it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The object.
    pub object: ObjectId,
    /// Positions of the earlier shares in the object's group (time order).
    pub early: Range<usize>,
    /// In-window pairs (same account included) whose earlier share is in `early`.
    pub pairs: u64,
}

/// How the co-share stage is cut.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Units in object order (an object's buckets in time order).
    pub units: Vec<Unit>,
    /// Part `k` is `units[bounds[k]..bounds[k + 1]]`.
    pub bounds: Vec<usize>,
    /// Objects split into time buckets.
    pub hot_objects: u64,
    /// Time buckets of the hot objects.
    pub buckets: u64,
}

impl Plan {
    /// Number of parts.
    pub fn parts(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// Units of part `k`.
    pub fn part(&self, k: usize) -> &[Unit] {
        &self.units[self.bounds[k]..self.bounds[k + 1]]
    }
}

/// Cuts the expanded objects into about `parts` parts of equal pairs; an
/// object with more pairs than `bucket_pairs` (default: half a part) is split
/// into time buckets of about that many pairs.
pub fn plan(ds: &Dataset, groups: &Groups, budget: &Budget, w: i64, parts: usize, bucket_pairs: Option<u64>) -> Plan {
    let parts = parts.max(1);
    let per_part = budget.expanded_pairs.div_ceil(parts as u64).max(1);
    let bucket_pairs = bucket_pairs.unwrap_or(per_part / 2).max(1);
    let mut plan = Plan { bounds: vec![0], ..Plan::default() };
    for (o, &pairs) in budget.pairs_of.iter().enumerate() {
        if pairs == 0 || budget.is_mass[o] {
            continue;
        }
        let g = groups.of(o as ObjectId);
        if pairs <= bucket_pairs {
            plan.units.push(Unit { object: o as ObjectId, early: 0..g.len(), pairs });
            continue;
        }
        // A hot object: buckets of consecutive earlier shares, each closed once it
        // holds `bucket_pairs` pairs (the pairs of share `i`: those up to one window after it).
        plan.hot_objects += 1;
        let time = |k: usize| ds.shares[g[k] as usize].time;
        let (mut start, mut acc, mut j) = (0usize, 0u64, 0usize);
        for i in 0..g.len() {
            j = j.max(i + 1);
            while j < g.len() && time(j) - time(i) <= w {
                j += 1;
            }
            acc += (j - i - 1) as u64;
            if acc >= bucket_pairs || i + 1 == g.len() {
                plan.units.push(Unit { object: o as ObjectId, early: start..i + 1, pairs: acc });
                plan.buckets += 1;
                start = i + 1;
                acc = 0;
            }
        }
    }
    // Parts: consecutive units, each closed once it holds a part's pairs.
    let mut acc = 0u64;
    for (u, unit) in plan.units.iter().enumerate() {
        acc += unit.pairs;
        if acc >= per_part {
            plan.bounds.push(u + 1);
            acc = 0;
        }
    }
    if *plan.bounds.last().expect("starts with 0") != plan.units.len() {
        plan.bounds.push(plan.units.len());
    }
    plan
}

/// The co-share stage part by part: the same [`Enumerated`] as
/// [`coshare::enumerate_budgeted`] with the same budget.
pub fn enumerate(ds: &Dataset, groups: &Groups, params: &Params, w: i64, budget: Budget, plan: &Plan) -> Enumerated {
    let post_is_object = coshare::post_is_object(ds, params.mode);
    let candidates = budget.pairs_of.iter().sum();
    // Room for every expanded pair (co-shares are at most that many): the parts
    // are appended without the vector ever moving. Room never used is address
    // space, not memory.
    let mut coshares: Vec<CoShare> = Vec::with_capacity(usize::try_from(budget.expanded_pairs).unwrap_or(0));
    for k in 0..plan.parts() {
        let units = plan.part(k);
        // Jobs of about the same number of pairs, in order.
        let jobs = rayon::current_num_threads().max(1) * 4;
        let per_job = units.iter().map(|u| u.pairs).sum::<u64>().div_ceil(jobs as u64).max(1);
        let mut cuts = vec![0usize];
        let mut acc = 0u64;
        for (i, u) in units.iter().enumerate() {
            acc += u.pairs;
            if acc >= per_job {
                cuts.push(i + 1);
                acc = 0;
            }
        }
        if *cuts.last().expect("starts with 0") != units.len() {
            cuts.push(units.len());
        }
        let found: Vec<Vec<CoShare>> = cuts
            .par_windows(2)
            .map(|c| {
                let mut out = Vec::new();
                let mut times = Vec::new();
                for u in &units[c[0]..c[1]] {
                    let g = groups.of(u.object);
                    coshare::expand(ds, u.object, g, u.early.clone(), w, &post_is_object, &mut times, &mut out);
                }
                out
            })
            .collect();
        for f in found {
            coshares.extend_from_slice(&f);
        }
    }
    Enumerated { coshares, candidates, mass: budget.mass }
}

/// The network stage part by part (see module docs): the same [`Network`] as
/// [`network::build`] on all co-shares.
pub fn build_network(
    ds: &Dataset,
    coshares: &[CoShare],
    fast: &[bool],
    params: &Params,
    rank: &[u32],
    parts: usize,
) -> Network {
    let n_acc = ds.accounts.len();
    let first = |c: &CoShare| {
        let (x, y) = (ds.shares[c.early as usize].account, ds.shares[c.late as usize].account);
        rank[x as usize].min(rank[y as usize])
    };
    // Co-shares per first account, then ranges of ranks of about equal co-shares.
    let mut per_rank = vec![0u64; n_acc];
    for c in coshares {
        per_rank[first(c) as usize] += 1;
    }
    let per_part = (coshares.len() as u64).div_ceil(parts.max(1) as u64).max(1);
    let mut part_of_rank = vec![0u16; n_acc];
    let (mut k, mut acc) = (0u16, 0u64);
    for (r, &n) in per_rank.iter().enumerate() {
        if acc >= per_part && usize::from(k) + 1 < parts.min(usize::from(u16::MAX)) {
            k += 1;
            acc = 0;
        }
        part_of_rank[r] = k;
        acc += n;
    }
    drop(per_rank);
    let n_parts = usize::from(k) + 1;
    let part_of: Vec<u16> = coshares.par_iter().map(|c| part_of_rank[first(c) as usize]).collect();
    drop(part_of_rank);
    let has_fast = params.fast_window.is_some();
    // Room for as many edges as co-shares (every edge has one or more), so the
    // edges, 56 bytes each, are appended without ever being moved (a move would
    // hold them twice). Room never used is address space, not memory.
    let mut net = Network {
        edges: Vec::with_capacity(coshares.len()),
        offsets: Vec::with_capacity(coshares.len() + 1),
        rows: Vec::with_capacity(coshares.len()),
        threshold: 0.0,
        threshold_fast: None,
        post_pairs: Vec::with_capacity(if params.mode == crate::Mode::Lockstep { coshares.len() } else { 0 }),
    };
    for k in 0..n_parts as u16 {
        let idx: Vec<u32> = (0..coshares.len() as u32).filter(|&i| part_of[i as usize] == k).collect();
        let sub: Vec<CoShare> = idx.iter().map(|&i| coshares[i as usize]).collect();
        let sub_fast: Vec<bool> =
            if has_fast { idx.iter().map(|&i| fast[i as usize]).collect() } else { vec![false; sub.len()] };
        let part = network::build(ds, &sub, &sub_fast, params, rank);
        drop((sub, sub_fast));
        let base = net.rows.len() as u32;
        net.offsets.extend(part.offsets[..part.edges.len()].iter().map(|&o| base + o));
        net.rows.extend(part.rows.iter().map(|&r| idx[r as usize]));
        net.edges.extend(part.edges);
        net.post_pairs.extend(part.post_pairs);
    }
    net.offsets.push(net.rows.len() as u32);
    let (threshold, threshold_fast) = network::apply_thresholds(&mut net.edges, params);
    net.threshold = threshold;
    net.threshold_fast = threshold_fast;
    net
}

/// The parts to use, or `None` for the in-memory path: [`Params::partitions`]
/// when given (1: in memory), else partitioned when expanding every object
/// under the per-object cap would exceed the memory budget
/// ([`Params::max_total_pairs`]), in as many parts as it takes for one part's
/// pairs to fit in a tenth of the budget (2 to [`MAX_AUTO_PARTS`]). The same
/// objects are summarised either way (the budget's pairs), so the results do
/// not depend on the path; the partitioned one holds less while it works.
pub fn choose(params: &Params, budget: &Budget) -> Option<usize> {
    match params.partitions {
        Some(n) => (n > 1).then_some(n as usize),
        None => {
            let limit = params.max_total_pairs?;
            (budget.wanted_pairs > limit)
                .then(|| (budget.wanted_pairs.div_ceil((limit / 10).max(1)) as usize).clamp(2, MAX_AUTO_PARTS))
        }
    }
}
