//! The rarest-object null model (`--null-model rarest-object`): each pair of posts is
//! scored by its **rarest** co-shared object, with the object's popularity at
//! that time counted **without the two accounts** (docs/method.md, "Null model").
//!
//! For a share `s` of account `a` (object `o`, time `t`), and another account `b`:
//!
//! `f_s = (m_s − own_s − c_s + α) / (N_s + α)`
//!
//! - `m_s`: shares of `o` within `W` of `t` (everyone's), `own_s` those of `a`,
//!   `c_s` those of `b` (= the co-shares of the edge `a–b` that involve `s`), so
//!   `m_s − own_s − c_s` is how many posts of *other* accounts carried `o` around
//!   `t`: an object a network pushes is not "popular" because the pair pushed it;
//! - `N_s`: posts (of anyone) within `W` of `t`; `α = 1`: an object nobody else
//!   shared has the chance of one post among them (an object seen once before).
//!
//! So `f_s` is the chance that a post made around `t` carries `o`, as everyone
//! else posted then: an event's hashtag during the event is close to 1, a link
//! only a network shares is close to `1/N`.
//!
//! **Habits.** An account that tags every post `#x` carries `#x` whatever its
//! partner does, so `b`'s chance of carrying `o` is also at least its own
//! habit `h_b(o) = x_o / (n + κ)`: of `b`'s `n` posts with no post of `a`
//! within `W`, the `x_o` that carry `o` (κ = [`HABIT_PRIOR`] posts of prior,
//! so a habit needs many posts to show). Measured away from `a`, a habit is
//! what `b` does alone; a tag `b` posts only in bursts with `a` is no habit.
//! The chance used for a share `s` of `a` is `p_s = max(f_s, h_b(o))` (and
//! with `h_a` for a share of `b`). If `b`'s posts near `t` drew their objects
//! like that, the pairs of posts `(p_a, p_b)` within `W` that co-share an
//! object at least as rare as `τ` number, in expectation, at most
//!
//! `E(τ) = ½ (Σ_{s ∈ a, p_s ≤ τ} p_s · P_b(t_s) + Σ_{s ∈ b, p_s ≤ τ} p_s · P_a(t_s))`
//!
//! (`P_b(t)`: `b`'s posts within `W` of `t`; a union bound over the post's objects).
//! Each observed pair of posts has a **level**: the smallest, over its co-shares,
//! of the larger `p` of the two shares. Hashtags riding along on a pair of posts
//! that co-share a rare link do not lower its surprise: the pair's level is the
//! link's. With the observed levels `τ_1 < … < τ_L` and `n_j` pairs at level at
//! most `τ_j`, the edge's score is
//!
//! `max_j −log10 P(X_j ≥ n_j) − log10 L`
//!
//! (the best cut, paid for by a Bonferroni correction over the `L` cuts tried),
//! `X_j` negative binomial with mean `E(τ_j)` and size `k` ([`DEFAULT_NB_SIZE`],
//! `Params::nb_size`; variance `E + E²/k`; `k = 0` is Poisson). The expectation
//! is itself an estimate, and its error grows with it: two heavy live-tweeters
//! with 1,400 pairs of posts against 60 expected at the best cut scored 7 to 13
//! under Poisson for a ratio of about 2, as do small modelling errors on any
//! heavy pair; the negative binomial asks a heavy pair for a larger ratio and a
//! light one (a few expected) for almost what Poisson asks;
//! `expected` and the pairs tested are those of the best cut. Cost: per share of
//! an account of a scored edge, one pass over its object's shares (two pointers)
//! and a count of posts near it; per scored edge `O((d_a + d_b) + k log k)`,
//! `k` the shares at most as popular as its most popular level. Edges with one
//! pair of posts are not tested (score 0, nothing expected): one pair is no
//! evidence of coordination, and scoring it against a tiny expectation made
//! thousands of chance pairs reach scores of 4 to 7.

use crate::coshare::{CoShare, Groups};
use crate::multiplex::KindWeights;
use crate::network::Edge;
use crate::significance::{nb_upper_score, poisson_upper_score};
use crate::Params;
use lockstep_core::{AccountId, Dataset, ObjectId};
use rayon::prelude::*;

/// Pseudo-count of the popularity `f_s` (see the module docs).
pub const ALPHA: f64 = 1.0;

/// Prior weight `κ` of an account's habit, in posts: the habit of an account
/// with `n` posts away from the other account is `x_o / (n + κ)`, so a few posts
/// (a light account, or a network member whose posts are mostly its bursts) say
/// little, and hundreds (a heavy account tagging every post the same way) say
/// what the account always does. Chosen on the development data (docs/evaluation.md).
pub const HABIT_PRIOR: f64 = 30.0;

/// Default size `k` of the negative binomial of the test ([`crate::Params::nb_size`]):
/// the count of pairs of posts at a cut may vary as `E + E²/k`. Chosen on the
/// development data (docs/evaluation.md, "Model error"): with `k` = 100 an
/// expectation of 5 allows a spread of 2.3 (Poisson: 2.2), one of 100 a
/// spread of 14 (Poisson: 10).
pub const DEFAULT_NB_SIZE: f64 = 100.0;

/// Edges with at least this many pairs of posts are scanned.
pub const MIN_PAIRS: u32 = 2;

/// One scanned edge: the best cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan {
    /// `E(τ)` at the best cut.
    pub expected: f64,
    /// Pairs of posts at that cut (level at most `τ`).
    pub tested: u32,
    /// Score of the cut minus `log10` of the cuts tried (at least 0).
    pub score: f64,
}

/// What the scan reads of an edge's co-shares.
pub struct EdgeRows<'a> {
    /// The co-shares.
    pub coshares: &'a [CoShare],
    /// `rows[offsets[e]..offsets[e + 1]]`: co-share indices of edge `e`.
    pub offsets: &'a [u32],
    /// Co-share indices grouped by edge.
    pub rows: &'a [u32],
}

/// Per share of an account of a scored edge, in time order.
#[derive(Debug, Clone, Copy, Default)]
struct Term {
    time: i64,
    share: u32,
    /// `m_s − own_s + α`.
    num: f32,
    /// `N_s + α`.
    den: f32,
}

impl Term {
    /// `f_s` with `c` co-shares of the other account on this share.
    fn f(&self, c: u32) -> f64 {
        (f64::from(self.num) - f64::from(c)) / f64::from(self.den)
    }
}

/// Scans every edge with at least [`MIN_PAIRS`] pairs of posts (`None` for the others).
pub fn scan(
    ds: &Dataset,
    groups: &Groups,
    net: &EdgeRows<'_>,
    edges: &[Edge],
    post_pairs: &[u32],
    params: &Params,
    window: i64,
) -> Vec<Option<Scan>> {
    let n_acc = ds.accounts.len();
    let candidate = |i: usize| post_pairs.get(i).is_some_and(|&n| n >= MIN_PAIRS);
    let mut needed = vec![false; n_acc];
    let mut any = false;
    for (i, e) in edges.iter().enumerate() {
        if candidate(i) {
            needed[e.a as usize] = true;
            needed[e.b as usize] = true;
            any = true;
        }
    }
    if !any {
        return vec![None; edges.len()];
    }
    let weights = KindWeights::resolve(ds, &params.kind_weights);
    let weighted = |o: ObjectId| weights.by_kind[ds.object_kind[o as usize] as usize] > 0.0;
    let w = window;
    let posts_near = PostsNear::new(ds, groups, w);
    // Every object with a counted share of a needed account.
    let mut needed_object = vec![false; ds.objects.len()];
    for &i in &groups.order {
        let s = &ds.shares[i as usize];
        if needed[s.account as usize] && weighted(s.object) {
            needed_object[s.object as usize] = true;
        }
    }
    // (share, m − own) of the needed accounts' counted shares, per object.
    let parts: Vec<Vec<(u32, u32)>> = (0..ds.objects.len())
        .into_par_iter()
        .with_min_len(1024)
        .filter(|&o| needed_object[o])
        .map(|o| others_near(ds, groups.of(o as ObjectId), w, &needed))
        .collect();
    // Per needed account, its terms in time order (CSR by account).
    let mut start = vec![0usize; n_acc + 1];
    for part in &parts {
        for &(i, _) in part {
            start[ds.shares[i as usize].account as usize + 1] += 1;
        }
    }
    for a in 0..n_acc {
        start[a + 1] += start[a];
    }
    let mut terms = vec![Term::default(); start[n_acc]];
    let mut fill = start.clone();
    for part in &parts {
        for &(i, others) in part {
            let s = &ds.shares[i as usize];
            let k = &mut fill[s.account as usize];
            let n = posts_near.count(s.time);
            terms[*k] = Term {
                time: s.time,
                share: i,
                num: (f64::from(others) + ALPHA) as f32,
                den: (n as f64 + ALPHA) as f32,
            };
            *k += 1;
        }
    }
    drop(parts);
    drop(fill);
    split_mut(&mut terms, &start).into_par_iter().for_each(|t| t.sort_unstable_by_key(|x| (x.time, x.share)));
    // The same shares as (object, time), sorted, per account: an account's
    // shares of one object, for its habits.
    let mut by_object: Vec<(ObjectId, i64)> =
        terms.iter().map(|t| (ds.shares[t.share as usize].object, t.time)).collect();
    split_mut(&mut by_object, &start).into_par_iter().for_each(|t| t.sort_unstable());
    // Each needed account's distinct posts' times, sorted (CSR).
    let (post_start, post_times) = account_post_times(ds, groups, &needed);
    edges
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, e)| {
            if !candidate(i) {
                return None;
            }
            let rows = &net.rows[net.offsets[i] as usize..net.offsets[i + 1] as usize];
            let side = |x: AccountId| Side {
                terms: &terms[start[x as usize]..start[x as usize + 1]],
                by_object: &by_object[start[x as usize]..start[x as usize + 1]],
                posts: &post_times[post_start[x as usize]..post_start[x as usize + 1]],
            };
            Some(scan_edge(ds, net.coshares, rows, e, side(e.a), side(e.b), w, &weighted, params.nb_size, scratch))
        })
        .collect()
}

#[derive(Default)]
struct Scratch {
    /// (share, co-shares of the other account on it), sorted by share.
    marks: Vec<(u32, u32)>,
    /// (post pair, level) per co-share, then per post pair.
    pairs: Vec<(u64, f64)>,
    levels: Vec<f64>,
    /// (f, f · P_other) of the shares at most as popular as the highest level.
    terms: Vec<(f64, f64)>,
    habit_a: Habits,
    habit_b: Habits,
    /// (term index, posts of the other account within the window) per side.
    near_a: Vec<(u32, u32)>,
    near_b: Vec<(u32, u32)>,
}

/// One account's own rate of each object (its habit), from its posts with no
/// post of the other account within the window: `h_o = x_o / (n + κ)`, `x_o`
/// such posts carrying `o`, `n` such posts, `κ` = [`HABIT_PRIOR`].
#[derive(Default)]
struct Habits {
    /// (object, x_o), sorted by object.
    counts: Vec<(ObjectId, u32)>,
    /// `1 / (n + κ)`.
    scale: f64,
}

impl Habits {
    fn of(&self, o: ObjectId) -> f64 {
        self.counts.binary_search_by_key(&o, |c| c.0).map_or(0.0, |k| f64::from(self.counts[k].1) * self.scale)
    }
}

/// Each term of `terms` with a post of `other` within `w`: `(index, such posts)`.
fn near(terms: &[Term], other: &[i64], w: i64, out: &mut Vec<(u32, u32)>) {
    out.clear();
    let (mut lo, mut hi) = (0usize, 0usize);
    for (i, t) in terms.iter().enumerate() {
        while lo < other.len() && other[lo] < t.time - w {
            lo += 1;
        }
        hi = hi.max(lo);
        while hi < other.len() && other[hi] <= t.time + w {
            hi += 1;
        }
        if hi > lo {
            out.push((i as u32, (hi - lo) as u32));
        }
    }
}

/// What the scan reads of one account of an edge.
#[derive(Clone, Copy)]
struct Side<'a> {
    /// Its counted shares, by (time, share).
    terms: &'a [Term],
    /// The same shares as (object, time), sorted.
    by_object: &'a [(ObjectId, i64)],
    /// Its distinct posts' times, sorted.
    posts: &'a [i64],
}

/// Fills `h` with the habits of account `x` (its posts away from the `other`
/// account's posts), for the objects of the other account's `wanted` terms
/// only (those whose chance is asked for).
fn habits(ds: &Dataset, x: Side<'_>, other: &[i64], wanted: (&[Term], &[(u32, u32)]), w: i64, h: &mut Habits) {
    h.counts.clear();
    h.counts.extend(wanted.1.iter().map(|&(i, _)| (ds.shares[wanted.0[i as usize].share as usize].object, 0)));
    h.counts.sort_unstable();
    h.counts.dedup();
    let away = |t: i64| {
        let k = other.partition_point(|&y| y < t - w);
        k == other.len() || other[k] > t + w
    };
    for c in &mut h.counts {
        let lo = x.by_object.partition_point(|y| y.0 < c.0);
        c.1 = x.by_object[lo..].iter().take_while(|y| y.0 == c.0).filter(|y| away(y.1)).count() as u32;
    }
    // Its posts away from the other's: a merge.
    let mut lo = 0usize;
    let n = x
        .posts
        .iter()
        .filter(|&&t| {
            while lo < other.len() && other[lo] < t - w {
                lo += 1;
            }
            !(lo < other.len() && other[lo] <= t + w)
        })
        .count();
    h.scale = 1.0 / (n as f64 + HABIT_PRIOR);
}

/// The scan of one edge (module docs).
#[allow(clippy::too_many_arguments)]
fn scan_edge(
    ds: &Dataset,
    coshares: &[CoShare],
    rows: &[u32],
    e: &Edge,
    sa: Side<'_>,
    sb: Side<'_>,
    w: i64,
    weighted: &impl Fn(ObjectId) -> bool,
    nb_size: f64,
    s: &mut Scratch,
) -> Scan {
    // Co-shares of the other account on each share.
    s.marks.clear();
    for &r in rows {
        let c = &coshares[r as usize];
        if weighted(c.object) {
            s.marks.push((c.early, 1));
            s.marks.push((c.late, 1));
        }
    }
    s.marks.sort_unstable();
    s.marks.dedup_by(|x, y| {
        let same = x.0 == y.0;
        if same {
            y.1 += x.1;
        }
        same
    });
    let marks = &s.marks;
    let co = |share: u32| marks.binary_search_by_key(&share, |m| m.0).map_or(0, |k| marks[k].1);
    // The shares of each account with posts of the other within the window:
    // the only ones that can be expected to co-share.
    let (ta, tb) = (sa.terms, sb.terms);
    near(ta, sb.posts, w, &mut s.near_a);
    near(tb, sa.posts, w, &mut s.near_b);
    // Each account's own habit of those objects, from its posts away from the other's.
    habits(ds, sb, sa.posts, (ta, &s.near_a), w, &mut s.habit_b);
    habits(ds, sa, sb.posts, (tb, &s.near_b), w, &mut s.habit_a);
    let (hab_a, hab_b) = (&s.habit_a, &s.habit_b);
    // A share of `a` is compared with the crowd and with `b`'s habit, and the other way round.
    let p_of = |t: &Term, other: &Habits| t.f(co(t.share)).max(other.of(ds.shares[t.share as usize].object));
    let p_at = |terms: &[Term], other: &Habits, share: u32| {
        let t = terms.binary_search_by_key(&(ds.shares[share as usize].time, share), |x| (x.time, x.share));
        t.map(|k| p_of(&terms[k], other))
    };
    // Levels of the pairs of posts.
    s.pairs.clear();
    for &r in rows {
        let c = &coshares[r as usize];
        if !weighted(c.object) {
            continue;
        }
        let (x, y) = (&ds.shares[c.early as usize], &ds.shares[c.late as usize]);
        let (sa, sb) = if x.account == e.a { (c.early, c.late) } else { (c.late, c.early) };
        let (Ok(fa), Ok(fb)) = (p_at(ta, hab_b, sa), p_at(tb, hab_a, sb)) else { continue };
        let (post_a, post_b) = if x.account == e.a { (x.post, y.post) } else { (y.post, x.post) };
        s.pairs.push((((post_a as u64) << 32) | post_b as u64, fa.max(fb)));
    }
    s.pairs.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    s.pairs.dedup_by_key(|p| p.0); // keeps the first: the smallest level of each pair of posts
    s.levels.clear();
    s.levels.extend(s.pairs.iter().map(|p| p.1));
    s.levels.sort_unstable_by(f64::total_cmp);
    let Some(&top) = s.levels.last() else { return Scan { expected: 0.0, tested: 0, score: 0.0 } };
    // Terms at most as popular as the highest level, from both sides.
    s.terms.clear();
    for (terms, near, hab) in [(ta, &s.near_a, hab_b), (tb, &s.near_b, hab_a)] {
        for &(i, posts) in near {
            let t = &terms[i as usize];
            // p ≥ f: a share already above the top level needs no habit.
            if t.f(co(t.share)) > top {
                continue;
            }
            let p = p_of(t, hab);
            if p <= top {
                s.terms.push((p, 0.5 * p * f64::from(posts)));
            }
        }
    }
    s.terms.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    // Sweep the cuts.
    let (mut best, mut k, mut sum) = (Scan { expected: 0.0, tested: 0, score: 0.0 }, 0usize, 0f64);
    let mut cuts = 0u32;
    let mut j = 0usize;
    while j < s.levels.len() {
        let tau = s.levels[j];
        while j < s.levels.len() && s.levels[j] == tau {
            j += 1;
        }
        cuts += 1;
        while k < s.terms.len() && s.terms[k].0 <= tau {
            sum += s.terms[k].1;
            k += 1;
        }
        let score =
            if nb_size > 0.0 { nb_upper_score(j as u64, sum, nb_size) } else { poisson_upper_score(j as u64, sum) };
        if cuts == 1 || score > best.score {
            best = Scan { expected: sum, tested: j as u32, score };
        }
    }
    best.score = (best.score - f64::from(cuts).log10()).max(0.0);
    best
}

/// `(share, m − own)` for the shares of needed accounts among one object's
/// shares (sorted by time): `m` the shares within `w` of it, `own` those of its
/// account.
fn others_near(ds: &Dataset, g: &[u32], w: i64, needed: &[bool]) -> Vec<(u32, u32)> {
    let time = |k: usize| ds.shares[g[k] as usize].time;
    let account = |k: usize| ds.shares[g[k] as usize].account;
    let mut out = Vec::new();
    let (mut lo, mut hi) = (0usize, 0usize);
    // Counts per account in the window [lo, hi] (only kept for large objects).
    let large = g.len() > 64;
    let mut in_window: hashbrown::HashMap<u32, u32, foldhash::fast::FixedState> = hashbrown::HashMap::default();
    if large {
        *in_window.entry(account(0)).or_default() += 1;
    }
    for k in 0..g.len() {
        let t = time(k);
        while time(lo) < t - w {
            if large {
                let c = in_window.get_mut(&account(lo)).expect("in the window");
                *c -= 1;
            }
            lo += 1;
        }
        while hi + 1 < g.len() && time(hi + 1) <= t + w {
            hi += 1;
            if large {
                *in_window.entry(account(hi)).or_default() += 1;
            }
        }
        let a = account(k);
        if !needed[a as usize] {
            continue;
        }
        let own = if large { in_window[&a] } else { (lo..=hi).filter(|&x| account(x) == a).count() as u32 };
        out.push((g[k], (hi - lo + 1) as u32 - own));
    }
    out
}

/// Posts (distinct post ids among the kept shares) within `w` of a time.
struct PostsNear {
    t0: i64,
    /// Per second from `t0`: posts up to and including it (when the span is small).
    prefix: Vec<u32>,
    /// Otherwise every post's time, sorted.
    sorted: Vec<i64>,
    w: i64,
}

impl PostsNear {
    /// Spans up to this many seconds are counted per second (4 bytes each).
    const MAX_SPAN: i64 = 1 << 23;

    fn new(ds: &Dataset, groups: &Groups, w: i64) -> Self {
        let mut seen = vec![false; ds.posts.len()];
        let mut times = Vec::new();
        for &i in &groups.order {
            let s = &ds.shares[i as usize];
            if !std::mem::replace(&mut seen[s.post as usize], true) {
                times.push(s.time);
            }
        }
        let (t0, t1) = times.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        if times.is_empty() || t1 - t0 > Self::MAX_SPAN {
            times.par_sort_unstable();
            return PostsNear { t0: 0, prefix: Vec::new(), sorted: times, w };
        }
        let mut prefix = vec![0u32; (t1 - t0 + 1) as usize];
        for &t in &times {
            prefix[(t - t0) as usize] += 1;
        }
        for k in 1..prefix.len() {
            prefix[k] += prefix[k - 1];
        }
        PostsNear { t0, prefix, sorted: Vec::new(), w }
    }

    fn count(&self, t: i64) -> u32 {
        if self.prefix.is_empty() {
            let lo = self.sorted.partition_point(|&x| x < t - self.w);
            let hi = self.sorted.partition_point(|&x| x <= t + self.w);
            return (hi - lo) as u32;
        }
        let last = self.prefix.len() as i64 - 1;
        let at = |x: i64| if x < 0 { 0 } else { self.prefix[x.min(last) as usize] };
        at(t - self.t0 + self.w) - at(t - self.t0 - self.w - 1)
    }
}

/// The distinct posts' times of each needed account, sorted: `(offsets, times)`.
fn account_post_times(ds: &Dataset, groups: &Groups, needed: &[bool]) -> (Vec<usize>, Vec<i64>) {
    let n_acc = ds.accounts.len();
    let mut rows: Vec<(u32, i64, u32)> = groups
        .order
        .iter()
        .map(|&i| &ds.shares[i as usize])
        .filter(|s| needed[s.account as usize])
        .map(|s| (s.account, s.time, s.post))
        .collect();
    rows.par_sort_unstable();
    rows.dedup();
    let mut start = vec![0usize; n_acc + 1];
    for r in &rows {
        start[r.0 as usize + 1] += 1;
    }
    for a in 0..n_acc {
        start[a + 1] += start[a];
    }
    (start, rows.into_iter().map(|r| r.1).collect())
}

/// `v` cut at `start` (CSR offsets) into one slice per account with more than one item.
fn split_mut<'v, T>(v: &'v mut [T], start: &[usize]) -> Vec<&'v mut [T]> {
    let mut out = Vec::new();
    let mut rest = v;
    for a in 0..start.len() - 1 {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(start[a + 1] - start[a]);
        if head.len() > 1 {
            out.push(head);
        }
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{detect, NullModel, Params, ThresholdRule, Window};
    use lockstep_core::Dataset;

    /// W = 10, M = 1. a and b share L1 (at 0 and 5) and L2 (at 100 and 103); c
    /// shares L1 at 8. Posts within 10 s: 3 around L1, 2 around L2.
    /// Edge a–b, without a and b (α = 1):
    /// - a's L1: others 1 (c) → f = (1 + 1) / (3 + 1) = 1/2; b's L1 the same;
    /// - a's L2: others 0 → f = (0 + 1) / (2 + 1) = 1/3; b's L2 the same;
    /// - each share has one post of the other account within 10 s: E(τ) = ½ Σ 2 f = Σ f per level.
    ///
    /// Levels: (a2, b2) 1/3, (a1, b1) 1/2. Cuts: τ = 1/3: 1 pair, E = 1/3;
    /// τ = 1/2: 2 pairs, E = 1/3 + 1/2 = 5/6. Best: the second
    /// (−log10(1 − e^{−5/6}(1 + 5/6)) = 0.692 against −log10(1 − e^{−1/3}) = 0.548), minus log10 2.
    /// a–c and b–c have one pair of posts: not tested.
    #[test]
    fn hand_computed_scan() {
        let mut ds = Dataset::default();
        ds.push("a", "L1", "url", "a1", 0);
        ds.push("b", "L1", "url", "b1", 5);
        ds.push("c", "L1", "url", "c1", 8);
        ds.push("a", "L2", "url", "a2", 100);
        ds.push("b", "L2", "url", "b2", 103);
        let params = Params {
            window: Window::Seconds(10),
            min_participation: 1,
            null_model: NullModel::RarestObject,
            threshold: ThresholdRule::Score,
            min_edge_score: 0.3,
            nb_size: 0.0, // Poisson, as computed above
            ..Params::default()
        };
        let det = detect(&ds, &params).unwrap();
        let id = |n: &str| ds.accounts.lookup(n).unwrap();
        let sig = &det.significance;
        let ab = det.find_edge(id("a"), id("b")).unwrap();
        assert_eq!((sig.post_pairs[ab], sig.tested[ab]), (2, 2));
        assert!((sig.expected[ab] - 5.0 / 6.0).abs() < 1e-12, "{}", sig.expected[ab]);
        let m: f64 = 5.0 / 6.0;
        let want = -(1.0 - (-m).exp() * (1.0 + m)).log10() - 2f64.log10();
        assert!((sig.score[ab] - want).abs() < 1e-9, "{} vs {want}", sig.score[ab]);
        assert!(det.edges[ab].full.above_threshold);
        for (x, y) in [("a", "c"), ("b", "c")] {
            let e = det.find_edge(id(x), id(y)).unwrap();
            assert_eq!((sig.post_pairs[e], sig.tested[e], sig.expected[e], sig.score[e]), (1, 0, 0.0, 0.0));
            assert!(!det.edges[e].full.above_threshold);
        }
        assert_eq!(sig.summary.model, "rarest-object");
    }

    /// A pair pushing its own links does not make them popular for itself: the
    /// popularity excludes the pair's shares, so ten links nobody else shares,
    /// among 20 other posts each minute, have `f = 1/23` each, not `3/23`.
    #[test]
    fn own_shares_do_not_make_an_object_popular() {
        let mut ds = Dataset::default();
        for k in 0..10 {
            for (i, acc) in ["m1", "m2"].iter().enumerate() {
                ds.push(acc, &format!("L{k}"), "url", &format!("{acc}{k}"), 1000 * k + i as i64);
            }
            // Background posts in the same minutes: other objects.
            for j in 0..20 {
                ds.push(&format!("bg{j}"), &format!("o{k}.{j}"), "url", &format!("bg{j}.{k}"), 1000 * k + j);
            }
        }
        let params = Params {
            window: Window::Seconds(30),
            min_participation: 1,
            null_model: NullModel::RarestObject,
            threshold: ThresholdRule::Score,
            min_edge_score: 10.0,
            ..Params::default()
        };
        let det = detect(&ds, &params).unwrap();
        let e = det.find_edge(ds.accounts.lookup("m1").unwrap(), ds.accounts.lookup("m2").unwrap()).unwrap();
        // Each link: nobody else → f = 1 / (22 + 1); 10 pairs against E = 10/23.
        assert_eq!(det.significance.tested[e], 10);
        assert!((det.significance.expected[e] - 10.0 / 23.0).abs() < 1e-6, "{}", det.significance.expected[e]);
        assert!(det.significance.score[e] > 10.0, "{}", det.significance.score[e]);
        assert!(det.edges[e].full.above_threshold);
    }

    /// Habits: `h1` and `h2` put `#x` on every post, half of their posts away
    /// from the other's; nobody else shares `#x`. Their co-shares of `#x` are
    /// what each does alone (habit 100 / (100 + 30)), so the edge is
    /// unremarkable. `g1` and `g2` share `#y` only together, in 12 bursts, and
    /// post other things alone: no habit explains `#y`, the edge stands out.
    #[test]
    fn an_accounts_own_habit_is_expected_a_shared_burst_is_not() {
        let mut ds = Dataset::default();
        let bg = |ds: &mut Dataset, t: i64, k: usize| {
            for j in 0..20 {
                ds.push(&format!("bg{j}"), &format!("u{k}.{j}"), "url", &format!("bg{j}.{k}"), t + j as i64);
            }
        };
        for k in 0..100 {
            let t = 300 * k as i64;
            ds.push("h1", "#x", "hashtag", &format!("h1a{k}"), t);
            ds.push("h2", "#x", "hashtag", &format!("h2a{k}"), t + 10);
            // Away: 80 s and more from every post of the other.
            ds.push("h1", "#x", "hashtag", &format!("h1b{k}"), t + 230);
            ds.push("h2", "#x", "hashtag", &format!("h2b{k}"), t + 150);
            bg(&mut ds, t, k);
        }
        let t0 = 1_000_000;
        for k in 0..12 {
            let t = t0 + 3000 * k as i64;
            ds.push("g1", "#y", "hashtag", &format!("g1a{k}"), t);
            ds.push("g2", "#y", "hashtag", &format!("g2a{k}"), t + 20);
            ds.push("g1", &format!("own1.{k}"), "url", &format!("g1b{k}"), t + 1000);
            ds.push("g2", &format!("own2.{k}"), "url", &format!("g2b{k}"), t + 1500);
            bg(&mut ds, t, 1000 + k);
        }
        let params = Params {
            window: Window::Seconds(60),
            min_participation: 1,
            null_model: NullModel::RarestObject,
            threshold: ThresholdRule::Score,
            min_edge_score: 5.0,
            ..Params::default()
        };
        let det = detect(&ds, &params).unwrap();
        let edge =
            |x: &str, y: &str| det.find_edge(ds.accounts.lookup(x).unwrap(), ds.accounts.lookup(y).unwrap()).unwrap();
        let (h, g) = (edge("h1", "h2"), edge("g1", "g2"));
        let sig = &det.significance;
        // 100 pairs of posts; without habits `#x` would have f = 1/23 and E ≈ 4.
        assert_eq!(sig.post_pairs[h], 100);
        assert!(sig.expected[h] > 50.0, "habit pair expected {}", sig.expected[h]);
        assert!(sig.score[h] < 5.0, "habit pair score {}", sig.score[h]);
        assert!(!det.edges[h].full.above_threshold);
        assert_eq!(sig.post_pairs[g], 12);
        assert!(sig.expected[g] < 1.0, "burst pair expected {}", sig.expected[g]);
        assert!(sig.score[g] > 8.0, "burst pair score {}", sig.score[g]);
        assert!(det.edges[g].full.above_threshold);
        // Under Poisson (no room for the expectation's own error) the heavy
        // habit pair scores higher; the light burst pair hardly changes.
        let poisson = detect(&ds, &Params { nb_size: 0.0, ..params }).unwrap();
        let ps = &poisson.significance;
        assert!(ps.score[h] > sig.score[h] + 0.2, "heavy: Poisson {} vs {}", ps.score[h], sig.score[h]);
        assert!(
            (ps.score[g] - sig.score[g]).abs() < 0.1 * ps.score[g],
            "light: Poisson {} vs {}",
            ps.score[g],
            sig.score[g]
        );
        assert_eq!((ps.expected[h], ps.expected[g]), (sig.expected[h], sig.expected[g]));
    }
}
