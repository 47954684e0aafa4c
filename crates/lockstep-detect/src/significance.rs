//! Stage 3b: how surprising is each edge's weight? A score against a null model.
//!
//! Raw co-share counts favour prolific accounts and viral objects: two accounts
//! that each share hundreds of trending links co-share by chance again and again.
//! This stage gives every edge the number of co-shares **expected** if its two
//! accounts acted independently, and a **score**, `−log10` of the Poisson
//! upper-tail p-value of the observed weight given that expectation.
//!
//! ## The null model: accounts shuffled among the shares (docs/method.md, "Significance")
//! Keep every share's object and time and hand the shares out to the accounts at
//! random, each account keeping its number of shares `d_a`. Every object keeps its
//! popularity and its exact time profile (a viral burst stays a burst: its many
//! in-window pairs are still there); every account keeps its activity; only *who*
//! shares *what* becomes independent. Over the `S` shares (after the pre-filter,
//! mass objects excluded) with `P` in-window pairs of shares of one object (each
//! object's counted in O(n) with two pointers), a given pair of share slots goes
//! to `a` and `b` with probability `2·d_a·d_b / (S(S − 1))`, so, exactly,
//!
//! `expected(a, b) = d_a · d_b · 2P / (S(S − 1))`
//!
//! (checked against a seeded simulation of the shuffle in the tests). Equivalently,
//! `Σ_o n_o(n_o − 1) p_o / (S(S − 1))` per pair of shares, where
//! `p_o = pairs_o / (n_o(n_o − 1)/2)` is the chance that two shares of `o` fall
//! within the window: bursts raise it for everyone in proportion to activity.
//!
//! **Score** `= −log10 P(Poisson(expected) ≥ weight)`: 0 when unsurprising,
//! 2 at p = 0.01, 10 at p = 10⁻¹⁰. With N accounts there are N(N − 1)/2 pairs
//! to test; under the null about `N²/2 · 10^−s` of them reach a score `s`, so the
//! default minimum, 10, keeps chance pairs below one up to ~10⁵ accounts.
//!
//! ## Two alternatives, measured and not used (docs/evaluation.md)
//! - **Given the objects both shared** ([`pair_expected_given_objects`]): permute
//!   the times among each object's shares; then `expected = Σ_o k_{a,o} k_{b,o} p_o`
//!   over every object both shared. A campaign object that only the coordinated
//!   accounts share, all within seconds, has `p_o = 1`, so this expectation equals
//!   the observed weight: it explains coordination away.
//! - **Exposure configuration** ([`exposures`]): under the same time permutation
//!   `a` expects `x_a = Σ_o k_{a,o}(n_o − k_{a,o}) p_o` co-shares in all, and
//!   `expected = x_a x_b / Σx`. The coordinated accounts' own bursts inflate
//!   their `x`; where they are a large part of all co-shares (small data) the
//!   expectation again approaches the observed weight.
//!
//! Cost: O(accounts + shares of mass objects), as the earlier stages counted `d_a`
//! and `P` already, and O(1) per edge (a few logarithms); memory: one count per
//! account and two `f64` per edge.

use crate::coshare::{pairs_in_window, Groups, MassObject};
use crate::network::Edge;
use crate::Params;
use lockstep_core::{AccountId, Dataset, ObjectId};
use rayon::prelude::*;
use serde::Serialize;

/// Name of the shuffle null model, as written in report.json.
pub const MODEL: &str = "shuffled-accounts";

/// Which null model gives the edges' expected weights (`--null-model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NullModel {
    /// Every account keeps what it shared and when it was active; which of its
    /// posts went out at which of its times is random (see
    /// [`account_time_expected`]).
    #[serde(rename = "account-time")]
    AccountTime,
    /// Lockstep's default: who shares which object is random among the shares
    /// made at the same time: an object's popularity at that time and each
    /// account's activity at that time are kept (computed beside the account-time model by [`account_time_expected`]).
    #[default]
    #[serde(rename = "object-time")]
    ObjectTime,
    /// A pair of posts is as surprising as its rarest co-shared object,
    /// popularity taken at that time and without the two accounts; each edge
    /// is tested at its best cut of rarity ([`crate::rarity`]).
    #[serde(rename = "rarest-object")]
    RarestObject,
    /// Both: an edge must be surprising under one of them (the smaller expectation).
    Fused,
    /// The configuration model of the co-share network
    /// (`expected = s_a s_b / 2L`, see [`configuration_expected`]).
    Configuration,
    /// Accounts shuffled among the shares (one global rate; the module docs).
    Shuffle,
}

impl NullModel {
    /// The name report.json gives the model.
    pub fn name(self) -> &'static str {
        match self {
            NullModel::AccountTime => "account-time",
            NullModel::ObjectTime => "object-time",
            NullModel::RarestObject => "rarest-object",
            NullModel::Fused => "fused",
            NullModel::Configuration => "configuration",
            NullModel::Shuffle => MODEL,
        }
    }
}

/// Edges with at least this many post pairs get the account-time expectation;
/// one post pair can never reach a useful score, and those edges (most of a
/// large network) get the configuration model's.
pub const ACCOUNT_TIME_MIN_PAIRS: u32 = 2;

/// Expected co-shares of every edge with at least [`ACCOUNT_TIME_MIN_PAIRS`]
/// post pairs (`None` for the others) under the **account-time** null model:
/// each account keeps its shares (what it shared, how often) and its times
/// (when it was active, how bursty); only which share went out at which of its
/// own times is random, independently per account. Then a share of `a` and a
/// share of `b` fall within the window with probability `C_ab / (d_a d_b)`,
/// `C_ab` the pairs of their times at most `W` apart and `d` their shares, and
///
/// `expected(a, b) = Σ_o k_{a,o} k_{b,o} · C_ab / (d_a d_b)`
///
/// over every object both shared (`k_{a,o}`: shares of `o` by `a`). Two
/// live-tweeters who put an event's hashtag on every post during the event
/// share it by chance as often as they are active together: expected. Accounts
/// that share the *same* posts or links at the *same* minutes, where their
/// other shares would have given other objects, are not. Shares of kinds
/// weighted 0 are left out. Cost: O(d_a + d_b) per such edge (merges of sorted
/// lists), plus sorting the shares of their accounts.
pub fn account_time_expected(
    ds: &Dataset,
    groups: &Groups,
    edges: &[Edge],
    post_pairs: &[u32],
    params: &Params,
    window: i64,
) -> Vec<Option<(f64, f64)>> {
    let n_acc = ds.accounts.len();
    let candidate = |i: usize| post_pairs.get(i).is_some_and(|&n| n >= ACCOUNT_TIME_MIN_PAIRS);
    let mut needed = vec![false; n_acc];
    for (i, e) in edges.iter().enumerate() {
        if candidate(i) {
            needed[e.a as usize] = true;
            needed[e.b as usize] = true;
        }
    }
    let weights = crate::multiplex::KindWeights::resolve(ds, &params.kind_weights);
    let counts = |s: &lockstep_core::Share| {
        needed[s.account as usize] && weights.by_kind[ds.object_kind[s.object as usize] as usize] > 0.0
    };
    // Each needed account's kept shares: times and objects, each sorted (CSR by account).
    let mut start = vec![0usize; n_acc + 1];
    for &i in &groups.order {
        let s = &ds.shares[i as usize];
        if counts(s) {
            start[s.account as usize + 1] += 1;
        }
    }
    for a in 0..n_acc {
        start[a + 1] += start[a];
    }
    let total = start[n_acc];
    let w = window;
    // Object-time: each share's `q = m / M`, `m` the shares of its object and
    // `M` all kept shares within the window around it (M counted in buckets of
    // the window's width: the bucket of the share and its two neighbours).
    let (t_min, t_max) = groups.order.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &i| {
        let t = ds.shares[i as usize].time;
        (lo.min(t), hi.max(t))
    });
    let width = w.max(1).max((t_max.saturating_sub(t_min)) / (1 << 24) + 1);
    let bucket = |t: i64| ((t - t_min) / width) as usize;
    let mut per_bucket = vec![0u32; if groups.order.is_empty() { 0 } else { bucket(t_max) + 1 }];
    for &i in &groups.order {
        per_bucket[bucket(ds.shares[i as usize].time)] += 1;
    }
    let around = |t: i64| {
        let b = bucket(t);
        let lo = b.saturating_sub(1);
        let hi = (b + 1).min(per_bucket.len() - 1);
        per_bucket[lo..=hi].iter().map(|&c| f64::from(c)).sum::<f64>()
    };
    let mut q_of_share = vec![0f32; if total > 0 { ds.shares.len() } else { 0 }];
    {
        let is_needed_object = {
            let mut v = vec![false; ds.objects.len()];
            for &i in &groups.order {
                let s = &ds.shares[i as usize];
                if counts(s) {
                    v[s.object as usize] = true;
                }
            }
            v
        };
        let parts: Vec<Vec<(u32, f32)>> = (0..ds.objects.len())
            .into_par_iter()
            .with_min_len(1024)
            .filter(|&o| is_needed_object[o])
            .map(|o| {
                let g = groups.of(o as ObjectId);
                let time = |k: usize| ds.shares[g[k] as usize].time;
                let (mut lo, mut hi) = (0usize, 0usize);
                let mut out = Vec::with_capacity(g.len());
                for k in 0..g.len() {
                    let t = time(k);
                    while time(lo) < t - w {
                        lo += 1;
                    }
                    hi = hi.max(k);
                    while hi + 1 < g.len() && time(hi + 1) <= t + w {
                        hi += 1;
                    }
                    let m = (hi - lo + 1) as f64;
                    out.push((g[k], (m / around(t).max(m)) as f32));
                }
                out
            })
            .collect();
        for part in parts {
            for (i, q) in part {
                q_of_share[i as usize] = q;
            }
        }
    }
    let mut timed = vec![(0i64, 0f32); total];
    let mut objects = vec![0u32; total];
    let mut fill = start.clone();
    for &i in &groups.order {
        let s = &ds.shares[i as usize];
        if counts(s) {
            let k = &mut fill[s.account as usize];
            timed[*k] = (s.time, q_of_share[i as usize]);
            objects[*k] = s.object;
            *k += 1;
        }
    }
    drop(fill);
    drop(q_of_share);
    {
        let mut t_parts: Vec<&mut [(i64, f32)]> = Vec::new();
        let mut o_parts: Vec<&mut [u32]> = Vec::new();
        let (mut t_rest, mut o_rest): (&mut [(i64, f32)], &mut [u32]) = (&mut timed, &mut objects);
        for a in 0..n_acc {
            let len = start[a + 1] - start[a];
            let (t, tr) = std::mem::take(&mut t_rest).split_at_mut(len);
            let (o, or) = std::mem::take(&mut o_rest).split_at_mut(len);
            if len > 1 {
                t_parts.push(t);
                o_parts.push(o);
            }
            t_rest = tr;
            o_rest = or;
        }
        t_parts.par_iter_mut().for_each(|t| t.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1))));
        o_parts.par_iter_mut().for_each(|o| o.sort_unstable());
    }
    let times: Vec<i64> = timed.iter().map(|x| x.0).collect();
    edges
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            if !candidate(i) {
                return None;
            }
            let (ra, rb) = (start[e.a as usize]..start[e.a as usize + 1], start[e.b as usize]..start[e.b as usize + 1]);
            let (da, db) = (ra.len() as f64, rb.len() as f64);
            if da == 0.0 || db == 0.0 {
                return Some((0.0, 0.0));
            }
            let common = common_share_pairs(&objects[ra.clone()], &objects[rb.clone()]);
            let close = close_time_pairs(&times[ra.clone()], &times[rb.clone()], w);
            let popular = 0.5
                * (popular_pairs(&timed[ra.clone()], &times[rb.clone()], w) + popular_pairs(&timed[rb], &times[ra], w));
            Some((common as f64 * close as f64 / (da * db), popular))
        })
        .collect()
}

/// `Σ_s q_s · |{t ∈ y : |t − t_s| <= w}|` over the shares `s` of `x` (both sorted by time).
fn popular_pairs(x: &[(i64, f32)], y: &[i64], w: i64) -> f64 {
    let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0f64);
    for &(t, q) in x {
        while lo < y.len() && y[lo] < t - w {
            lo += 1;
        }
        hi = hi.max(lo);
        while hi < y.len() && y[hi] <= t + w {
            hi += 1;
        }
        sum += f64::from(q) * (hi - lo) as f64;
    }
    sum
}

/// `Σ_o k_x(o) k_y(o)` of two sorted lists of objects.
fn common_share_pairs(x: &[u32], y: &[u32]) -> u64 {
    let (mut i, mut j, mut sum) = (0usize, 0usize, 0u64);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let o = x[i];
                let i0 = i;
                while i < x.len() && x[i] == o {
                    i += 1;
                }
                let j0 = j;
                while j < y.len() && y[j] == o {
                    j += 1;
                }
                sum += ((i - i0) * (j - j0)) as u64;
            }
        }
    }
    sum
}

/// Pairs `(s, t)`, `s` from `x` and `t` from `y` (both sorted), with `|s − t| <= w`.
fn close_time_pairs(x: &[i64], y: &[i64], w: i64) -> u64 {
    let (mut lo, mut hi, mut sum) = (0usize, 0usize, 0u64);
    for &t in x {
        while lo < y.len() && y[lo] < t - w {
            lo += 1;
        }
        if hi < lo {
            hi = lo;
        }
        while hi < y.len() && y[hi] <= t + w {
            hi += 1;
        }
        sum += (hi - lo) as u64;
    }
    sum
}

/// The configuration model's expectations: with `s_a` the summed weight of
/// account `a`'s edges (its post pairs co-shared with anyone: how exposed it is
/// to co-sharing, given how much it posts, *when* it posts and how popular its
/// objects were at that time) and `L` the total weight, two accounts that
/// placed their co-shares independently of each other would share
/// `s_a s_b / 2L` of them (Chung & Lu). Live-tweeters that share an event's
/// hashtag during the event co-share it with hundreds of others: their `s` is
/// large and so is what they are expected to share with each other; accounts
/// that co-share mostly with each other have small `s` and a surprising edge.
/// Returns the expectations (edge order) and `(Σ s, strengths by account id)`.
pub fn configuration_expected(n_accounts: usize, edges: &[Edge]) -> (Vec<f64>, f64, Vec<f64>) {
    let mut strength = vec![0.0f64; n_accounts];
    for e in edges {
        strength[e.a as usize] += e.full.combined_weight;
        strength[e.b as usize] += e.full.combined_weight;
    }
    let total: f64 = strength.iter().sum();
    let expected = edges
        .par_iter()
        .map(|e| if total > 0.0 { strength[e.a as usize] * strength[e.b as usize] / total } else { 0.0 })
        .collect();
    (expected, total, strength)
}

/// Which rule marks an edge `above_threshold` (the thresholded network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdRule {
    /// `weight` strictly above the weight quantile (`--edge-quantile`), as CooRTweet.
    #[default]
    Quantile,
    /// `score >= min_edge_score`; the quantile is not applied.
    Score,
    /// Both: weight above the quantile **and** score at least the minimum.
    Both,
}

/// What report.json records of this stage.
#[derive(Debug, Clone, Serialize)]
pub struct SignificanceSummary {
    /// The null model's name ([`NullModel::name`]).
    pub model: &'static str,
    /// The rule that made the thresholded network.
    pub threshold_rule: ThresholdRule,
    /// Minimum score of the `score` and `both` rules.
    pub min_edge_score: f64,
    /// `S`: shares in the model (after the pre-filter, mass objects excluded).
    pub shares: u64,
    /// `P`: in-window pairs of shares of one object among them (same account included).
    pub window_pairs: u64,
    /// `2P / (S(S − 1))`: expected co-shares per pair of shares; `expected = d_a d_b ×` this.
    pub rate: f64,
    /// Edges whose score is at least `min_edge_score`.
    pub edges_at_min_score: u64,
    /// Score an edge needs to stand alone: below it (and at least
    /// `min_edge_score`) an edge is kept only within a triangle ([`require_support`]).
    pub solo_edge_score: f64,
    /// Edges at or above `min_edge_score` left out of the thresholded network for want of a triangle.
    pub unsupported_edges: u64,
}

/// The minimum edge score of `lockstep detect` (`--min-edge-score`), chosen on
/// the development data with [`DEFAULT_SOLO_EDGE_SCORE`] and the rarest-object
/// model (docs/evaluation.md).
pub const DEFAULT_MIN_EDGE_SCORE: f64 = 5.0;

/// The score an edge needs on its own in `lockstep detect` (`--solo-edge-score`, [`require_support`]).
pub const DEFAULT_SOLO_EDGE_SCORE: f64 = 15.0;

/// The group-level rule of the `score` and `both` rules: an edge scoring at
/// least `min_edge_score` but less than `solo_edge_score` stays in the
/// thresholded network only when its two accounts have a common partner
/// through such edges (a triangle). One chance edge at a middling score is
/// expected among millions tested; two more closing a triangle on it are not,
/// while a network's members co-share with several members each. Only edges
/// already above the threshold count, so the rule is applied once, not
/// iterated. Returns how many edges it removed.
pub fn require_support(n_accounts: usize, edges: &mut [Edge], score: &[f64], params: &Params) -> u64 {
    let solo = params.solo_edge_score;
    if solo <= params.min_edge_score {
        return 0;
    }
    // Partners of every account through edges above the threshold (CSR, sorted).
    let kept: Vec<usize> = (0..edges.len()).filter(|&i| edges[i].full.above_threshold).collect();
    let mut start = vec![0usize; n_accounts + 1];
    for &i in &kept {
        start[edges[i].a as usize + 1] += 1;
        start[edges[i].b as usize + 1] += 1;
    }
    for a in 0..n_accounts {
        start[a + 1] += start[a];
    }
    let mut partners = vec![0 as AccountId; start[n_accounts]];
    let mut fill = start.clone();
    for &i in &kept {
        let e = &edges[i];
        for (x, y) in [(e.a, e.b), (e.b, e.a)] {
            partners[fill[x as usize]] = y;
            fill[x as usize] += 1;
        }
    }
    for a in 0..n_accounts {
        partners[start[a]..start[a + 1]].sort_unstable();
    }
    let of = |a: AccountId| &partners[start[a as usize]..start[a as usize + 1]];
    let common = |x: &[AccountId], y: &[AccountId]| {
        let (mut i, mut j) = (0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    };
    let drop: Vec<usize> =
        kept.into_iter().filter(|&i| score[i] < solo && !common(of(edges[i].a), of(edges[i].b))).collect();
    for &i in &drop {
        edges[i].full.above_threshold = false;
    }
    drop.len() as u64
}

/// Expected weight and score of every edge (same order as `Detection::edges`).
#[derive(Debug, Clone)]
pub struct Significance {
    /// Co-shares expected under the null model, per edge.
    pub expected: Vec<f64>,
    /// `−log10 P(Poisson(expected) ≥ weight)`, per edge.
    pub score: Vec<f64>,
    /// `d_a`: shares of every account id in the model.
    pub shares: Vec<u32>,
    /// Lockstep mode: pairs of posts behind every edge (the observed count the
    /// score tests; empty in CooRTweet mode).
    pub post_pairs: Vec<u32>,
    /// Lockstep mode: the pairs of posts the score counted against `expected`:
    /// `post_pairs`, except under the rarest-object model, where those at the
    /// edge's best cut of rarity, and 0 for edges with one pair of posts
    /// (not tested; empty in CooRTweet mode).
    pub tested: Vec<u32>,
    /// For report.json.
    pub summary: SignificanceSummary,
}

/// Probability that two distinct shares drawn from `times` (sorted) are at most
/// `w` seconds apart: in-window pairs over all pairs; 0 with fewer than two.
pub fn pair_probability(times: &[i64], w: i64) -> f64 {
    let n = times.len() as f64;
    if times.len() < 2 {
        return 0.0;
    }
    pairs_in_window(times, w) as f64 / (n * (n - 1.0) / 2.0)
}

/// The exposure alternative (module docs; not used by the score): `x_a` for
/// every account id and the number of objects with `p_o > 0`. Deterministic:
/// contributions are added in object order.
pub fn exposures(ds: &Dataset, groups: &Groups, mass: &[MassObject], window: i64) -> (Vec<f64>, u64) {
    let n_obj = ds.objects.len();
    let mut is_mass = vec![false; n_obj];
    for m in mass {
        is_mass[m.object as usize] = true;
    }
    const CHUNK: usize = 4096;
    // Per chunk of objects: (account, contribution) in object order, and the live objects.
    let parts: Vec<(Vec<(AccountId, f64)>, u64)> = (0..n_obj.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut out = Vec::new();
            let mut live = 0u64;
            let (mut times, mut accounts) = (Vec::new(), Vec::new());
            for o in (c * CHUNK..((c + 1) * CHUNK).min(n_obj)).filter(|&o| !is_mass[o]) {
                let g = groups.of(o as ObjectId);
                if g.len() < 2 {
                    continue;
                }
                times.clear();
                times.extend(g.iter().map(|&i| ds.shares[i as usize].time));
                let p = pair_probability(&times, window);
                if p == 0.0 {
                    continue;
                }
                live += 1;
                let n = g.len() as f64;
                accounts.clear();
                accounts.extend(g.iter().map(|&i| ds.shares[i as usize].account));
                accounts.sort_unstable();
                for run in accounts.chunk_by(|x, y| x == y) {
                    let k = run.len() as f64;
                    out.push((run[0], k * (n - k) * p));
                }
            }
            (out, live)
        })
        .collect();
    let mut x = vec![0.0f64; ds.accounts.len()];
    let mut live = 0;
    for (part, l) in parts {
        live += l;
        for (a, v) in part {
            x[a as usize] += v;
        }
    }
    (x, live)
}

/// `−log10 P(X ≥ w)` for `X ~ Poisson(mean)`: 0 for `w = 0`. Three exact routes,
/// chosen for accuracy (and speed: most edges have weight 1 and a tiny mean):
/// `w = 1`: `p = 1 − e^{−mean}` via `expm1`; `mean ≤ w/2`: the tail series in
/// log space, `ln p = −mean + w ln mean − ln w! + ln Σ_{j≥0} Π_{i=1..j} mean/(w+i)`
/// (terms shrink at least geometrically by ½; never underflows, 10⁻¹⁰⁰⁰ and
/// beyond stay finite); otherwise the regularised incomplete gamma function
/// `P(X ≥ w) = P(w, mean)` (statrs), falling back to the series below 10⁻²⁰⁰.
pub fn poisson_upper_score(w: u64, mean: f64) -> f64 {
    if w == 0 {
        return 0.0;
    }
    // A zero mean (not produced by the model for an edge) is treated as the smallest positive one.
    let mean = if mean > 0.0 { mean } else { f64::MIN_POSITIVE };
    if w == 1 {
        let p = -(-mean).exp_m1();
        return if p > 0.0 { -p.log10() } else { tail_series_score(w, mean) };
    }
    if mean <= w as f64 / 2.0 {
        return tail_series_score(w, mean);
    }
    let p = statrs::function::gamma::gamma_lr(w as f64, mean);
    if p > 1e-200 {
        return (-p.log10()).max(0.0);
    }
    tail_series_score(w, mean)
}

/// Upper-tail score of a negative binomial with mean `mean` and size `k > 0`
/// (variance `mean + mean²/k`; `k → ∞` is the Poisson of
/// [`poisson_upper_score`]): `−log10 P(X ≥ w)`. Near the mean, the regularised
/// incomplete beta `P(X ≥ w) = I_q(w, k)` with `q = mean/(k + mean)` (statrs);
/// far above it, or below 10⁻²⁰⁰, the tail series in log space:
/// `ln P = ln pmf(w) + ln Σ_{j≥0} Π_{i<j} (w+i+k)/(w+i+1)·q` (finite at any size).
pub fn nb_upper_score(w: u64, mean: f64, k: f64) -> f64 {
    if w == 0 {
        return 0.0;
    }
    let mean = if mean > 0.0 { mean } else { f64::MIN_POSITIVE };
    let q = mean / (k + mean); // failure probability
    let wf = w as f64;
    if wf <= mean * 1.5 + 10.0 {
        let p = statrs::function::beta::beta_reg(wf, k, q);
        if p > 1e-200 {
            return (-p.log10()).max(0.0);
        }
    }
    nb_tail_series_score(w, mean, k)
}

/// The log-space tail series of [`nb_upper_score`].
fn nb_tail_series_score(w: u64, mean: f64, k: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    let q = mean / (k + mean);
    let wf = w as f64;
    let ln_pmf = ln_gamma(wf + k) - ln_gamma(k) - ln_gamma(wf + 1.0) + k * (1.0 - q).ln() + wf * q.ln();
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    let mut j = wf;
    for _ in 0..10_000_000u64 {
        term *= (j + k) / (j + 1.0) * q;
        j += 1.0;
        sum += term;
        if term <= sum * 1e-15 {
            break;
        }
    }
    (-(ln_pmf + sum.ln()) / std::f64::consts::LN_10).max(0.0)
}

/// The log-space tail series of [`poisson_upper_score`] (accurate when `mean < w`).
fn tail_series_score(w: u64, mean: f64) -> f64 {
    let wf = w as f64;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for i in 1..=100_000_000u64 {
        term *= mean / (wf + i as f64);
        sum += term;
        if term <= sum * 1e-17 {
            break;
        }
    }
    let ln_p = -mean + wf * mean.ln() - statrs::function::gamma::ln_gamma(wf + 1.0) + sum.ln();
    -ln_p / std::f64::consts::LN_10
}

/// `d_a` for every account id (kept shares of non-mass objects) and `P`, the
/// in-window pairs of shares of one object (see the module docs), recomputed
/// from the groups. [`score_edges`] takes both from what the earlier stages
/// counted instead; the tests check that the two agree.
pub fn shares_and_pairs(ds: &Dataset, groups: &Groups, mass: &[MassObject], window: i64) -> (Vec<u32>, u64) {
    let n_obj = ds.objects.len();
    let mut is_mass = vec![false; n_obj];
    for m in mass {
        is_mass[m.object as usize] = true;
    }
    let mut d = vec![0u32; ds.accounts.len()];
    for o in (0..n_obj).filter(|&o| !is_mass[o]) {
        for &i in groups.of(o as ObjectId) {
            d[ds.shares[i as usize].account as usize] += 1;
        }
    }
    const CHUNK: usize = 4096;
    let pairs: u64 = (0..n_obj.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut times = Vec::new();
            let mut sum = 0u64;
            for o in (c * CHUNK..((c + 1) * CHUNK).min(n_obj)).filter(|&o| !is_mass[o]) {
                let g = groups.of(o as ObjectId);
                if g.len() >= 2 {
                    times.clear();
                    times.extend(g.iter().map(|&i| ds.shares[i as usize].time));
                    sum += pairs_in_window(&times, window);
                }
            }
            sum
        })
        .sum();
    (d, pairs)
}

/// Scores every edge (see the module docs) and, with the `score` or `both`
/// rule, resets `above_threshold` of the full network accordingly (the
/// weight quantile stays in `Network::threshold`; the fast network keeps its
/// quantile rule).
///
/// `candidates` is the co-share stage's count of in-window pairs over every
/// object ([`crate::coshare::Enumerated::candidates`], mass objects included),
/// so `P = candidates − Σ mass pairs` and `d_a` = the account's input shares when
/// it passed the pre-filter, minus its shares of mass objects: the stage costs
/// O(accounts + shares of mass objects + edges). `window` is the window used
/// in seconds (the estimate's under `--window auto`).
#[allow(clippy::too_many_arguments)] // the stages' outputs, each used once
pub fn score_edges(
    ds: &Dataset,
    groups: &Groups,
    mass: &[MassObject],
    candidates: u64,
    rows: &crate::rarity::EdgeRows<'_>,
    edges: &mut [Edge],
    post_pairs: Vec<u32>,
    params: &Params,
    window: i64,
) -> Significance {
    // The pairs of posts each edge's score tests (all of them, but at the
    // rarest-object model's best cut).
    let mut tested = post_pairs.clone();
    let window_pairs = candidates - mass.iter().map(|m| m.pairs).sum::<u64>();
    let mut shares: Vec<u32> =
        groups.shares_per_account.iter().map(|&n| if n >= params.min_participation { n } else { 0 }).collect();
    for m in mass {
        for &i in groups.of(m.object) {
            shares[ds.shares[i as usize].account as usize] -= 1;
        }
    }
    let s: u64 = shares.iter().map(|&d| u64::from(d)).sum();
    let rate = if s >= 2 { 2.0 * window_pairs as f64 / (s as f64 * (s as f64 - 1.0)) } else { 0.0 };
    let model = if params.mode == crate::Mode::CoorTweet { NullModel::Shuffle } else { params.null_model };
    // The observed weight the score tests: the co-share count in CooRTweet mode,
    // else the combined weight (post pairs, kind weights applied; rounded down).
    let observed = |e: &Edge| match params.mode {
        crate::Mode::CoorTweet => u64::from(e.full.weight),
        crate::Mode::Lockstep => e.full.combined_weight.floor() as u64,
    };
    let observed_at = |i: usize, e: &Edge| post_pairs.get(i).map_or_else(|| observed(e), |&n| u64::from(n));
    // Each edge's post pairs tested against its expectation (the observed weight where
    // there are no post pairs); an edge of weight 0 scores 0.
    let post_pair_scores = |expected: &[f64]| -> Vec<f64> {
        edges
            .par_iter()
            .zip(expected)
            .enumerate()
            .map(|(i, (e, &m))| match post_pairs.get(i) {
                Some(&n) if e.full.combined_weight > 0.0 => poisson_upper_score(u64::from(n), m),
                Some(_) => 0.0,
                None => poisson_upper_score(observed(e), m),
            })
            .collect()
    };
    let (expected, score): (Vec<f64>, Vec<f64>) = match model {
        NullModel::Shuffle => edges
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                let mean = f64::from(shares[e.a as usize]) * f64::from(shares[e.b as usize]) * rate;
                (mean, poisson_upper_score(observed_at(i, e), mean))
            })
            .unzip(),
        NullModel::RarestObject => {
            let scans = crate::rarity::scan(ds, groups, rows, edges, &post_pairs, params, window);
            // An edge with one pair of posts is not tested: no evidence, nothing expected.
            let (mut expected, mut score) = (vec![0.0; edges.len()], vec![0.0; edges.len()]);
            for (i, s) in scans.into_iter().enumerate() {
                let s = s.unwrap_or(crate::rarity::Scan { expected: 0.0, tested: 0, score: 0.0 });
                expected[i] = s.expected;
                score[i] = s.score;
                tested[i] = s.tested;
            }
            (expected, score)
        }
        NullModel::AccountTime | NullModel::ObjectTime | NullModel::Fused => {
            let (config, _, _) = configuration_expected(ds.accounts.len(), edges);
            let at: Vec<Option<f64>> = account_time_expected(ds, groups, edges, &post_pairs, params, window)
                .into_iter()
                .map(|x| {
                    x.map(|(at, ot)| match model {
                        NullModel::AccountTime => at,
                        NullModel::ObjectTime => ot,
                        _ => at.min(ot),
                    })
                })
                .collect();
            // Share pairs expected, in post pairs: times the edge's post pairs per co-share.
            let expected: Vec<f64> = edges
                .par_iter()
                .zip(&at)
                .zip(&config)
                .enumerate()
                .map(|(i, ((e, at), &c))| match at {
                    Some(m) => m * f64::from(post_pairs[i]) / f64::from(e.full.weight.max(1)),
                    None => c,
                })
                .collect();
            let score = post_pair_scores(&expected);
            (expected, score)
        }
        NullModel::Configuration => {
            let (expected, _, _) = configuration_expected(ds.accounts.len(), edges);
            // The expected weight in units of the edge's mean weight per post
            // pair: its post pairs are tested against that many expected.
            let score = post_pair_scores(&expected);
            (expected, score)
        }
    };
    let min = params.min_edge_score;
    // An edge of weight 0 (only kinds weighted 0) is never in the thresholded network.
    match params.threshold {
        ThresholdRule::Quantile => {}
        ThresholdRule::Score => {
            edges.par_iter_mut().zip(&score).for_each(|(e, &s)| {
                e.full.above_threshold = s >= min && e.full.combined_weight > 0.0;
            });
        }
        ThresholdRule::Both => {
            edges.par_iter_mut().zip(&score).for_each(|(e, &s)| e.full.above_threshold &= s >= min);
        }
    }
    let edges_at_min_score = score.iter().filter(|&&s| s >= min).count() as u64;
    let unsupported = match params.threshold {
        ThresholdRule::Quantile => 0,
        ThresholdRule::Score | ThresholdRule::Both => require_support(ds.accounts.len(), edges, &score, params),
    };
    Significance {
        expected,
        score,
        shares,
        post_pairs,
        tested,
        summary: SignificanceSummary {
            model: model.name(),
            threshold_rule: params.threshold,
            min_edge_score: min,
            solo_edge_score: params.solo_edge_score,
            unsupported_edges: unsupported,
            shares: s,
            window_pairs,
            rate,
            edges_at_min_score,
        },
    }
}

/// The expectation that conditions on the objects both accounts shared:
/// `Σ_o k_{a,o} k_{b,o} p_o` over every object both shared (co-shared or not),
/// exact when the times of each object are permuted among its shares. Not the
/// model used for the score (see the module docs); kept to measure why. Cost
/// O(|objects of a| + |objects of b|) per pair with [`AccountObjects`].
pub fn pair_expected_given_objects(index: &AccountObjects, a: AccountId, b: AccountId) -> f64 {
    let (x, y) = (index.of(a), index.of(b));
    let (small, large) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    let mut sum = 0.0;
    let mut from = 0usize;
    for &(o, k, p) in small {
        // Galloping would help very unequal lists; a binary search from the last hit suffices here.
        match large[from..].binary_search_by_key(&o, |t| t.0) {
            Ok(i) => {
                sum += f64::from(k) * f64::from(large[from + i].1) * p;
                from += i + 1;
            }
            Err(i) => from += i,
        }
    }
    sum
}

/// Every account's objects with `p_o > 0`: `(object, k_{a,o}, p_o)` sorted by object.
#[derive(Debug, Clone)]
pub struct AccountObjects {
    offsets: Vec<usize>,
    items: Vec<(ObjectId, u32, f64)>,
}

impl AccountObjects {
    /// Builds the index over the kept shares of non-mass objects with `p_o > 0`.
    pub fn build(ds: &Dataset, groups: &Groups, mass: &[MassObject], window: i64) -> Self {
        let mut is_mass = vec![false; ds.objects.len()];
        for m in mass {
            is_mass[m.object as usize] = true;
        }
        let mut rows: Vec<(AccountId, ObjectId, u32, f64)> = Vec::new();
        let (mut times, mut accounts) = (Vec::new(), Vec::new());
        for o in (0..ds.objects.len()).filter(|&o| !is_mass[o]) {
            let g = groups.of(o as ObjectId);
            if g.len() < 2 {
                continue;
            }
            times.clear();
            times.extend(g.iter().map(|&i| ds.shares[i as usize].time));
            let p = pair_probability(&times, window);
            if p == 0.0 {
                continue;
            }
            accounts.clear();
            accounts.extend(g.iter().map(|&i| ds.shares[i as usize].account));
            accounts.sort_unstable();
            for run in accounts.chunk_by(|x, y| x == y) {
                rows.push((run[0], o as ObjectId, run.len() as u32, p));
            }
        }
        rows.par_sort_unstable_by_key(|r| (r.0, r.1));
        let mut offsets = vec![0usize; ds.accounts.len() + 1];
        for r in &rows {
            offsets[r.0 as usize + 1] += 1;
        }
        for a in 0..ds.accounts.len() {
            offsets[a + 1] += offsets[a];
        }
        AccountObjects { offsets, items: rows.into_iter().map(|r| (r.1, r.2, r.3)).collect() }
    }

    /// `(object, k, p_o)` of account `a`, by object.
    pub fn of(&self, a: AccountId) -> &[(ObjectId, u32, f64)] {
        &self.items[self.offsets[a as usize]..self.offsets[a as usize + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{coshare, detect};
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Three accounts, four objects, W = 30, M = 1:
    /// - o1: a@0, b@10, c@100 → in-window pairs {(0,10)}: 1 of 3 (p = 1/3);
    /// - o2: a@1000, b@1005 → 1 pair (p = 1);
    /// - o3: a@2000, a@2010 (two posts), c@2020 → 3 pairs (p = 1);
    /// - o4: c@9000 alone → 0 pairs.
    ///
    /// Shuffled accounts: d_a = 4, d_b = 2, d_c = 3; S = 9; P = 1 + 1 + 3 = 5;
    /// rate = 2P / (S(S − 1)) = 10/72 = 5/36.
    /// Edges: a–b weight 2 (o1, o2), a–c weight 2 (o3 twice); b–c none (90 s apart).
    /// expected(a,b) = 4·2·5/36 = 10/9; expected(a,c) = 4·3·5/36 = 5/3.
    /// Score: P(Poisson(m) ≥ 2) = 1 − e^{−m}(1 + m).
    /// Alternatives: exposures x = Σ_o k (n − k) p: x_a = 1·2·⅓ + 1·1·1 + 2·1·1 = 11/3,
    /// x_b = 1·2·⅓ + 1 = 5/3, x_c = 1·2·⅓ + 1·2·1 = 8/3; given the objects both
    /// shared: a,b → ⅓ + 1 = 4/3; a,c → ⅓ + 2·1·1 = 7/3; b,c → ⅓.
    fn hand_case() -> Dataset {
        let mut ds = Dataset::default();
        ds.push("a", "o1", "url", "a1", 0);
        ds.push("b", "o1", "url", "b1", 10);
        ds.push("c", "o1", "url", "c1", 100);
        ds.push("a", "o2", "url", "a2", 1000);
        ds.push("b", "o2", "url", "b2", 1005);
        ds.push("a", "o3", "url", "a3", 2000);
        ds.push("a", "o3", "url", "a4", 2010);
        ds.push("c", "o3", "url", "c2", 2020);
        ds.push("c", "o4", "url", "c3", 9000);
        ds
    }

    fn hand_params() -> Params {
        Params {
            window: crate::Window::Seconds(30),
            min_participation: 1,
            null_model: NullModel::Shuffle,
            ..Params::default()
        }
    }

    #[test]
    fn hand_computed_null_expectation() {
        let ds = hand_case();
        let found = detect(&ds, &hand_params()).unwrap();
        let id = |n: &str| ds.accounts.lookup(n).unwrap();
        let (a, b, c) = (id("a"), id("b"), id("c"));
        let sig = &found.significance;
        assert_eq!([sig.shares[a as usize], sig.shares[b as usize], sig.shares[c as usize]], [4, 2, 3]);
        assert_eq!((sig.summary.shares, sig.summary.window_pairs), (9, 5));
        assert!((sig.summary.rate - 5.0 / 36.0).abs() < 1e-15);
        assert_eq!(found.edges.len(), 2);
        let tail2 = |m: f64| -(1.0 - (-m).exp() * (1.0 + m)).log10();
        for (pair, want) in [((a, b), 10.0 / 9.0), ((a, c), 5.0 / 3.0)] {
            let e = found.find_edge(pair.0, pair.1).unwrap();
            assert_eq!(found.edges[e].full.weight, 2);
            assert!((sig.expected[e] - want).abs() < 1e-12);
            assert!((sig.score[e] - tail2(want)).abs() < 1e-10);
        }
        // The alternatives.
        let g = coshare::group_shares(&ds, &hand_params());
        let (x, live) = exposures(&ds, &g, &[], 30);
        assert_eq!(live, 3);
        for (acct, want) in [(a, 11.0 / 3.0), (b, 5.0 / 3.0), (c, 8.0 / 3.0)] {
            assert!((x[acct as usize] - want).abs() < 1e-12);
        }
        let idx = AccountObjects::build(&ds, &g, &[], 30);
        assert!((pair_expected_given_objects(&idx, a, b) - 4.0 / 3.0).abs() < 1e-12);
        assert!((pair_expected_given_objects(&idx, c, a) - 7.0 / 3.0).abs() < 1e-12);
        assert_eq!(pair_expected_given_objects(&idx, b, c), 1.0 / 3.0);
    }

    /// Bursty and slow objects shared by a few accounts (seeded).
    fn random_case(seed: u64) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut ds = Dataset::default();
        let mut post = 0;
        for o in 0..12 {
            let spread = if o % 3 == 0 { 120 } else { 86_400 };
            let n = rng.random_range(2..9);
            for _ in 0..n {
                let a = rng.random_range(0..7);
                let t = 100_000 * o + rng.random_range(0..spread);
                ds.push(&format!("acct{a}"), &format!("obj{o}"), "url", &format!("p{post}"), t);
                post += 1;
            }
        }
        ds
    }

    /// Mean and standard error of a simulated count; the check is 4 standard errors.
    fn close(sum: f64, sum_sq: f64, reps: f64, want: f64) -> bool {
        let mean = sum / reps;
        let se = ((sum_sq / reps - mean * mean).max(0.0) / reps).sqrt();
        (mean - want).abs() <= 4.0 * se + 1e-9
    }

    /// Co-shares per unordered account pair (`n × n`, both halves) when share `i`
    /// belongs to `account[i]` and happens at `time[i]`.
    fn count_pairs(ds: &Dataset, g: &Groups, account: &[u32], time: &[i64], w: i64, out: &mut [f64]) {
        let n = ds.accounts.len();
        out.fill(0.0);
        for o in 0..ds.objects.len() {
            let sh = g.of(o as ObjectId);
            for i in 0..sh.len() {
                for j in i + 1..sh.len() {
                    let (x, y) = (sh[i] as usize, sh[j] as usize);
                    let (ax, ay) = (account[x] as usize, account[y] as usize);
                    if ax != ay && (time[x] - time[y]).abs() <= w {
                        out[ax * n + ay] += 1.0;
                        out[ay * n + ax] += 1.0;
                    }
                }
            }
        }
    }

    /// The model's expectation is exact for "accounts shuffled among the shares":
    /// a seeded simulation of 20,000 shuffles agrees within 4 standard errors on every pair.
    #[test]
    fn expectation_matches_shuffled_accounts_simulation() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let ds = random_case(7);
        let w = 60i64;
        let params = Params { window: crate::Window::Seconds(w as u32), min_participation: 1, ..Params::default() };
        let g = coshare::group_shares(&ds, &params);
        let (d, pairs) = shares_and_pairs(&ds, &g, &[], w);
        let s = ds.shares.len() as f64;
        let rate = 2.0 * pairs as f64 / (s * (s - 1.0));
        let n = ds.accounts.len();
        let time: Vec<i64> = ds.shares.iter().map(|x| x.time).collect();
        let mut account: Vec<u32> = ds.shares.iter().map(|x| x.account).collect();
        let (mut sum, mut sum_sq, mut counts) = (vec![0.0; n * n], vec![0.0; n * n], vec![0.0; n * n]);
        let reps = 20_000;
        for _ in 0..reps {
            account.shuffle(&mut rng);
            count_pairs(&ds, &g, &account, &time, w, &mut counts);
            for k in 0..n * n {
                sum[k] += counts[k];
                sum_sq[k] += counts[k] * counts[k];
            }
        }
        for a in 0..n {
            for b in a + 1..n {
                let want = f64::from(d[a]) * f64::from(d[b]) * rate;
                let k = a * n + b;
                assert!(close(sum[k], sum_sq[k], reps as f64, want), "{a},{b}: {} vs {want}", sum[k] / reps as f64);
            }
        }
        assert!(pairs > 10, "the case should have in-window pairs, got {pairs}");
    }

    /// The two alternatives are exact for "times permuted among each object's
    /// shares" (20,000 seeded permutations, 4 standard errors).
    #[test]
    fn alternatives_match_time_permutation_simulation() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let ds = random_case(7);
        let w = 60i64;
        let params = Params { window: crate::Window::Seconds(w as u32), min_participation: 1, ..Params::default() };
        let g = coshare::group_shares(&ds, &params);
        let (x, _) = exposures(&ds, &g, &[], w);
        let idx = AccountObjects::build(&ds, &g, &[], w);
        let n = ds.accounts.len();
        let account: Vec<u32> = ds.shares.iter().map(|x| x.account).collect();
        let mut time: Vec<i64> = ds.shares.iter().map(|x| x.time).collect();
        let (mut sum, mut sum_sq, mut counts) = (vec![0.0; n * n], vec![0.0; n * n], vec![0.0; n * n]);
        let (mut acc_sum, mut acc_sq) = (vec![0.0; n], vec![0.0; n]);
        let reps = 20_000;
        let mut slot: Vec<i64> = Vec::new();
        for _ in 0..reps {
            for o in 0..ds.objects.len() {
                let sh = g.of(o as ObjectId);
                slot.clear();
                slot.extend(sh.iter().map(|&i| time[i as usize]));
                slot.shuffle(&mut rng);
                for (&i, &t) in sh.iter().zip(&slot) {
                    time[i as usize] = t;
                }
            }
            count_pairs(&ds, &g, &account, &time, w, &mut counts);
            for a in 0..n {
                let total: f64 = counts[a * n..(a + 1) * n].iter().sum();
                acc_sum[a] += total;
                acc_sq[a] += total * total;
            }
            for k in 0..n * n {
                sum[k] += counts[k];
                sum_sq[k] += counts[k] * counts[k];
            }
        }
        let r = reps as f64;
        let mut checked = 0;
        for a in 0..n {
            assert!(close(acc_sum[a], acc_sq[a], r, x[a]), "account {a}: {} vs {}", acc_sum[a] / r, x[a]);
            for b in a + 1..n {
                let want = pair_expected_given_objects(&idx, a as AccountId, b as AccountId);
                let k = a * n + b;
                assert!(close(sum[k], sum_sq[k], r, want), "pair {a},{b}: {} vs {want}", sum[k] / r);
                checked += usize::from(want > 0.0);
            }
        }
        assert!(checked >= 10, "the case should exercise many pairs, got {checked}");
    }

    /// Reference values from mpmath 1.3 (50 digits, shown to 15): `-log10(gammainc(w, 0, m, regularized=True))`.
    #[test]
    fn poisson_tail_known_values() {
        let cases: [(u64, f64, f64); 11] = [
            (1, 1.0, 0.199200084627781),
            (3, 0.5, 1.84200929136595),
            (20, 2.5, 11.4583647566272),
            (40, 0.01, 127.915882075187),
            (100, 20.0, 36.4573141334468),
            (500, 100.0, 177.419217050564),
            (5, 5.0, 0.252194696907526),
            (1000, 990.0, 0.420763755158323),
            (5000, 4000.0, 51.8069137712482),
            (60, 0.001, 261.920602024234), // below 10^-200: the series
            (1000, 10.0, 1571.9432286623), // far below f64's range as a probability
        ];
        for (w, m, want) in cases {
            let got = poisson_upper_score(w, m);
            assert!((got - want).abs() <= 1e-9 * want.max(1.0), "w={w} m={m}: {got} vs {want}");
        }
        assert_eq!(poisson_upper_score(0, 3.0), 0.0);
        assert!(poisson_upper_score(1, 0.0).is_finite());
        // The routes agree where each is accurate.
        for (w, m) in [(100u64, 20.0), (40, 0.5), (300, 150.0), (20, 2.5), (2, 0.9), (1, 0.3), (1, 1e-9)] {
            let p = statrs::function::gamma::gamma_lr(w as f64, m);
            assert!((tail_series_score(w, m) + p.log10()).abs() < 1e-9 * (-p.log10()), "w={w} m={m}");
        }
    }

    #[test]
    fn negative_binomial_tail() {
        // Size 1 is the geometric distribution: P(X ≥ w) = q^w, q = mean / (1 + mean).
        for (w, m) in [(1u64, 0.5f64), (3, 2.0), (10, 2.0), (40, 0.01), (200, 3.0), (2000, 10.0)] {
            let want = -(w as f64) * (m / (1.0 + m)).log10();
            let got = nb_upper_score(w, m, 1.0);
            assert!((got - want).abs() <= 1e-8 * want.max(1.0), "w={w} m={m}: {got} vs {want}");
        }
        // A huge size is Poisson.
        for (w, m) in [(3u64, 0.5), (20, 2.5), (100, 20.0), (500, 100.0), (60, 0.001)] {
            let (nb, p) = (nb_upper_score(w, m, 1e9), poisson_upper_score(w, m));
            assert!((nb - p).abs() <= 1e-4 * p.max(1.0), "w={w} m={m}: {nb} vs {p}");
        }
        // Both routes agree where the incomplete beta is accurate.
        for (w, m, k) in [(20u64, 5.0, 100.0), (150, 60.0, 100.0), (30, 2.0, 10.0), (2, 0.9, 100.0)] {
            let p = statrs::function::beta::beta_reg(w as f64, k, m / (k + m));
            assert!((nb_tail_series_score(w, m, k) + p.log10()).abs() < 1e-8 * (-p.log10()), "w={w} m={m} k={k}");
        }
        // More spread, less surprise: a heavy pair (140 pairs of posts for 60
        // expected) drops from 18.0 to 10.5, a light one (12 for 1) from 9.08 to 8.85
        // (values summed term by term to 20,000 terms).
        for (w, m, want, poisson) in
            [(140u64, 60.0, 10.4796517359, 18.0064995646), (12, 1.0, 8.8496049374, 9.0800799092)]
        {
            assert!((nb_upper_score(w, m, 100.0) - want).abs() < 1e-6, "w={w} m={m}");
            assert!((poisson_upper_score(w, m) - poisson).abs() < 1e-6, "w={w} m={m}");
        }
        assert_eq!(nb_upper_score(0, 3.0, 100.0), 0.0);
        assert!(nb_upper_score(5, 0.0, 100.0).is_finite());
    }

    #[test]
    fn threshold_rules() {
        let ds = hand_case();
        // Quantile of weights {2, 2} at 0.5 is 2: nothing strictly above it.
        let q = detect(&ds, &hand_params()).unwrap();
        assert!(q.edges.iter().all(|e| !e.full.above_threshold));
        // Scores here: a–b (10/9 expected, 2 observed) → 0.52; a–c (5/3 expected) → 0.30.
        let min = 0.4;
        let s = detect(&ds, &Params { threshold: ThresholdRule::Score, min_edge_score: min, ..hand_params() }).unwrap();
        for (e, &score) in s.edges.iter().zip(&s.significance.score) {
            assert_eq!(e.full.above_threshold, score >= min);
        }
        assert_eq!(s.counts.edges_above_threshold, 1);
        assert_eq!(s.significance.summary.edges_at_min_score, 1);
        let b = detect(&ds, &Params { threshold: ThresholdRule::Both, min_edge_score: min, ..hand_params() }).unwrap();
        assert_eq!(b.counts.edges_above_threshold, 0);
        let b0 = Params { threshold: ThresholdRule::Both, edge_quantile: 0.0, min_edge_score: min, ..hand_params() };
        assert_eq!(detect(&ds, &b0).unwrap().counts.edges_above_threshold, 0, "quantile 0 is still weight > 2");
        let bad = Params { min_edge_score: f64::NAN, ..hand_params() };
        assert!(bad.validate().is_err());
        assert!(detect(&ds, &bad).unwrap_err().to_string().contains("min-edge-score"));
    }

    /// `d_a` and `P` as the pipeline takes them from earlier stages equal their
    /// direct recount, with the pre-filter dropping accounts and a mass object.
    #[test]
    fn counts_reused_from_earlier_stages_are_the_model_counts() {
        let (mut ds, _) = lockstep_synth::generate_dataset(&lockstep_synth::ScenarioConfig::new(20_000, 5));
        for a in 0..400 {
            ds.push(&format!("viral{a}"), "https://viral.example/x", "url", &format!("v{a}"), 1_709_300_000 + a % 50);
            for k in 0..2 {
                let own = format!("https://own.example/{a}/{k}");
                ds.push(&format!("viral{a}"), &own, "url", &format!("v{a}.{k}"), 1_709_400_000 + 1000 * k);
            }
        }
        let params = Params { min_participation: 3, max_object_pairs: 50_000, ..Params::default() };
        let found = detect(&ds, &params).unwrap();
        assert_eq!(found.mass_objects.len(), 1, "the viral object is a mass object");
        let g = coshare::group_shares(&ds, &params);
        let (d, pairs) = shares_and_pairs(&ds, &g, &found.mass_objects, i64::from(found.window));
        assert_eq!(found.significance.shares, d);
        assert_eq!(found.significance.summary.window_pairs, pairs);
        assert!(d.contains(&0) && pairs > 1000);
    }

    /// Same input and parameters → the same bits, whatever the thread count.
    #[test]
    fn deterministic_across_runs_and_threads() {
        let (ds, _) = lockstep_synth::generate_dataset(&lockstep_synth::ScenarioConfig::new(30_000, 3));
        let params = Params::default();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let found = pool.install(|| detect(&ds, &params).unwrap());
            let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<u64>>();
            (bits(&found.significance.expected), bits(&found.significance.score), found.edges.len())
        };
        let one = run(1);
        assert!(one.2 > 100, "the scenario should give a network, got {} edges", one.2);
        assert_eq!(one, run(3));
        assert_eq!(one, run(3));
    }

    /// The triangle rule: x, y, z co-share rare links pairwise (a triangle of
    /// middling edges) and p, q only with each other. With the solo score
    /// above every edge's score, the triangle stays and the lone pair goes;
    /// with it below the pair's score, the pair stands alone.
    #[test]
    fn middling_edges_need_a_triangle() {
        let mut ds = Dataset::default();
        for (k, (x, y)) in [("x", "y"), ("y", "z"), ("x", "z"), ("p", "q")].into_iter().enumerate() {
            let k = k as i64;
            for r in 0..6 {
                let t = 10_000 * k + 1000 * r;
                ds.push(x, &format!("L{k}.{r}"), "url", &format!("{x}{k}.{r}"), t);
                ds.push(y, &format!("L{k}.{r}"), "url", &format!("{y}{k}.{r}"), t + 5);
                for j in 0..10 {
                    ds.push(&format!("bg{j}"), &format!("o{k}.{r}.{j}"), "url", &format!("bg{j}.{k}.{r}"), t + j);
                }
            }
        }
        let base = Params {
            window: crate::Window::Seconds(30),
            min_participation: 1,
            null_model: NullModel::RarestObject,
            threshold: ThresholdRule::Score,
            min_edge_score: 0.0,
            ..Params::default()
        };
        let all = detect(&ds, &base).unwrap();
        let id = |n: &str| ds.accounts.lookup(n).unwrap();
        let pq = all.find_edge(id("p"), id("q")).unwrap();
        let tri: Vec<usize> =
            [("x", "y"), ("y", "z"), ("x", "z")].iter().map(|&(a, b)| all.find_edge(id(a), id(b)).unwrap()).collect();
        let scores: Vec<f64> = tri.iter().chain([&pq]).map(|&e| all.significance.score[e]).collect();
        let lo = scores.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = scores.iter().copied().fold(0.0, f64::max);
        assert!(lo > 1.0, "every planted edge scores: {scores:?}");
        let strict = Params { min_edge_score: lo * 0.9, solo_edge_score: hi + 1.0, ..base.clone() };
        let d = detect(&ds, &strict).unwrap();
        let kept: Vec<bool> = tri.iter().map(|&e| d.edges[e].full.above_threshold).collect();
        assert_eq!(kept, [true; 3]);
        assert!(!d.edges[pq].full.above_threshold);
        // Only the planted edges reach the minimum here; the lone one is counted.
        assert_eq!(d.significance.summary.unsupported_edges, 1);
        assert_eq!(d.significance.summary.edges_at_min_score, 4);
        let lenient = Params { solo_edge_score: all.significance.score[pq] * 0.9, ..strict };
        let d = detect(&ds, &lenient).unwrap();
        assert!(d.edges[pq].full.above_threshold);
        assert_eq!(d.significance.summary.unsupported_edges, 0);
        let bad = Params { solo_edge_score: f64::NAN, ..base };
        assert!(detect(&ds, &bad).is_err());
    }
}
