//! Stage 1: from shares to co-shares.
//!
//! Shares of accounts below the participation minimum are dropped; the rest are
//! grouped by object and sorted by `(time, tie rank)`; inside each object every
//! pair of shares at most `window` seconds apart by different accounts and
//! different posts is a [`CoShare`], oriented from the earlier to the later share.
//!
//! Memory bound: an object whose in-window pairs exceed
//! [`Params::max_object_pairs`](crate::Params::max_object_pairs) is counted in
//! O(n) and reported as a [`MassObject`], never expanded, so one object shared by
//! 200,000 accounts in one window costs O(shares), not O(pairs).

use crate::{Mode, Params};
use lockstep_core::{Dataset, ObjectId};
use rayon::prelude::*;
use serde::Serialize;

/// Two shares of one object, `early` no later than `late` (share indices into
/// `Dataset::shares`). Ties in time are ordered by tie rank (see [`Groups`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoShare {
    /// The object both shares carry.
    pub object: ObjectId,
    /// Index of the earlier share.
    pub early: u32,
    /// Index of the later share.
    pub late: u32,
}

/// An object too widely co-shared to expand into pairs.
#[derive(Debug, Clone, Serialize)]
pub struct MassObject {
    /// The object.
    pub object: ObjectId,
    /// Its shares after the pre-filter.
    pub shares: u64,
    /// Share pairs inside the window (including same-account pairs).
    pub pairs: u64,
    /// Summarised to keep within the memory budget ([`Params::max_total_pairs`]),
    /// not for exceeding [`Params::max_object_pairs`].
    pub over_budget: bool,
}

/// Shares after the pre-filter, grouped by object in time order.
#[derive(Debug, Clone)]
pub struct Groups {
    /// Kept share indices, grouped by object, each group sorted by `(time, tie rank)`.
    pub order: Vec<u32>,
    /// `order[offsets[o]..offsets[o + 1]]` are the shares of object `o`.
    pub offsets: Vec<usize>,
    /// CooRTweet's account-grouped position of every kept share (compat mode
    /// only; in Lockstep mode the tie rank is the input index). See [`Groups::tie_rank`].
    grouped_rank: Option<Vec<u32>>,
    /// Input shares of every account (before the pre-filter).
    pub shares_per_account: Vec<u32>,
    /// Number of shares kept.
    pub kept_shares: u64,
    /// Number of accounts kept.
    pub kept_accounts: u64,
}

impl Groups {
    /// Tie rank of share `i`: its input index (Lockstep mode) or its position in
    /// CooRTweet's account-grouped order (compat mode; kept shares only).
    pub fn tie_rank(&self, i: u32) -> u32 {
        tie_rank(self.grouped_rank.as_deref(), i)
    }

    /// Shares of one object.
    pub fn of(&self, object: ObjectId) -> &[u32] {
        &self.order[self.offsets[object as usize]..self.offsets[object as usize + 1]]
    }
}

/// Pre-filter and group (see module docs).
pub fn group_shares(ds: &Dataset, params: &Params) -> Groups {
    let n_acc = ds.accounts.len();
    let mut per_account = vec![0u32; n_acc];
    for s in &ds.shares {
        per_account[s.account as usize] += 1;
    }
    let account_kept: Vec<bool> = per_account.iter().map(|&c| c >= params.min_participation).collect();
    let kept_accounts = account_kept.iter().filter(|&&k| k).count() as u64;
    let grouped_rank = match params.mode {
        Mode::Lockstep => None,
        Mode::CoorTweet => Some(coortweet_ranks(ds, &per_account, &account_kept)),
    };

    // Counting sort of kept shares by object.
    let n_obj = ds.objects.len();
    let mut offsets = vec![0usize; n_obj + 1];
    for s in &ds.shares {
        if account_kept[s.account as usize] {
            offsets[s.object as usize + 1] += 1;
        }
    }
    for o in 0..n_obj {
        offsets[o + 1] += offsets[o];
    }
    let kept_shares = offsets[n_obj];
    let mut cursor = offsets.clone();
    let mut order = vec![0u32; kept_shares];
    for (i, s) in ds.shares.iter().enumerate() {
        if account_kept[s.account as usize] {
            let c = &mut cursor[s.object as usize];
            order[*c] = i as u32;
            *c += 1;
        }
    }
    // Sort each object's shares by (time, tie rank).
    let mut slices: Vec<&mut [u32]> = Vec::with_capacity(n_obj);
    let mut rest: &mut [u32] = &mut order;
    for o in 0..n_obj {
        let len = offsets[o + 1] - offsets[o];
        let (head, tail) = rest.split_at_mut(len);
        if len > 1 {
            slices.push(head);
        }
        rest = tail;
    }
    let ranks = grouped_rank.as_deref();
    slices.par_iter_mut().for_each(|slice| {
        slice.sort_unstable_by_key(|&i| (ds.shares[i as usize].time, tie_rank(ranks, i)));
    });
    Groups {
        order,
        offsets,
        grouped_rank,
        shares_per_account: per_account,
        kept_shares: kept_shares as u64,
        kept_accounts,
    }
}

fn tie_rank(grouped: Option<&[u32]>, i: u32) -> u32 {
    grouped.map_or(i, |r| r[i as usize])
}

/// CooRTweet's pre-filter (`x[, if (.N >= M) .SD, by = account_id]`) regroups the
/// rows by account in order of each account's first appearance; that order breaks
/// ties between equal timestamps and decides which share is "earlier".
fn coortweet_ranks(ds: &Dataset, per_account: &[u32], kept: &[bool]) -> Vec<u32> {
    let n_acc = ds.accounts.len();
    let mut first_seen = vec![u32::MAX; n_acc];
    let mut account_order: Vec<u32> = Vec::new();
    for s in &ds.shares {
        let a = s.account as usize;
        if first_seen[a] == u32::MAX {
            first_seen[a] = account_order.len() as u32;
            account_order.push(s.account);
        }
    }
    let mut start = vec![0u32; n_acc];
    let mut next = 0u32;
    for &a in &account_order {
        start[a as usize] = next;
        if kept[a as usize] {
            next += per_account[a as usize];
        }
    }
    let mut rank = vec![u32::MAX; ds.shares.len()];
    for (i, s) in ds.shares.iter().enumerate() {
        let a = s.account as usize;
        if kept[a] {
            rank[i] = start[a];
            start[a] += 1;
        }
    }
    rank
}

/// Output of [`enumerate`].
#[derive(Debug, Clone, Default)]
pub struct Enumerated {
    /// Co-shares (before the second participation filter), in object order.
    pub coshares: Vec<CoShare>,
    /// Candidate pairs inside the window before loop removal.
    pub candidates: u64,
    /// Objects not expanded.
    pub mass: Vec<MassObject>,
}

/// Which objects are expanded: the in-window pairs of every object, known
/// before any is expanded, checked against the per-object cap and the memory
/// budget (see module docs). Shared by [`enumerate`] and the partitioned path
/// ([`crate::partition`]), so both summarise the same objects.
#[derive(Debug, Clone)]
pub struct Budget {
    /// In-window share pairs of every object (same account included).
    pub pairs_of: Vec<u64>,
    /// Objects not expanded, by object id.
    pub mass: Vec<MassObject>,
    /// Per object: summarised as a mass object.
    pub is_mass: Vec<bool>,
    /// In-window pairs of the expanded objects.
    pub expanded_pairs: u64,
    /// In-window pairs of the objects under the per-object cap: what expanding
    /// them all would take, before the memory budget.
    pub wanted_pairs: u64,
}

/// Counts every object's in-window pairs and picks the mass objects: those
/// over [`Params::max_object_pairs`], then the largest until the others fit
/// in `limit` pairs (the memory budget; [`Params::max_total_pairs`] for the
/// in-memory path).
pub fn budget(ds: &Dataset, groups: &Groups, params: &Params, w: i64, limit: Option<u64>) -> Budget {
    let n_obj = ds.objects.len();
    let pairs_of: Vec<u64> = (0..n_obj)
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|o| {
            let g = groups.of(o as ObjectId);
            pairs_in_window_by(g.len(), |k| ds.shares[g[k] as usize].time, w)
        })
        .collect();
    let mut mass: Vec<MassObject> = Vec::new();
    let mut expanded_pairs = 0u64;
    for (o, &pairs) in pairs_of.iter().enumerate() {
        if pairs > params.max_object_pairs {
            let shares = groups.of(o as ObjectId).len() as u64;
            mass.push(MassObject { object: o as ObjectId, shares, pairs, over_budget: false });
        } else {
            expanded_pairs += pairs;
        }
    }
    let wanted_pairs = expanded_pairs;
    if let Some(budget) = limit.filter(|&b| expanded_pairs > b) {
        // Over budget: the objects with the most pairs are summarised, largest first
        // (ties by object id), until the others fit.
        let mut by_size: Vec<(u64, u32)> = pairs_of
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p > 0 && p <= params.max_object_pairs)
            .map(|(o, &p)| (p, o as u32))
            .collect();
        by_size.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        for (pairs, o) in by_size {
            if expanded_pairs <= budget {
                break;
            }
            expanded_pairs -= pairs;
            let shares = groups.of(o).len() as u64;
            mass.push(MassObject { object: o, shares, pairs, over_budget: true });
        }
        mass.sort_unstable_by_key(|m| m.object);
    }
    let mut is_mass = vec![false; n_obj];
    for m in &mass {
        is_mass[m.object as usize] = true;
    }
    Budget { pairs_of, mass, is_mass, expanded_pairs, wanted_pairs }
}

/// Objects per parallel job of the enumeration.
const CHUNK: usize = 4096;

/// Per share, in CooRTweet mode only: its post id equals its object id (a
/// repost of the post itself; CooRTweet drops such pairs). Empty otherwise.
pub fn post_is_object(ds: &Dataset, mode: Mode) -> Vec<bool> {
    match mode {
        Mode::CoorTweet => ds.shares.iter().map(|s| ds.posts.get(s.post) == ds.objects.get(s.object)).collect(),
        Mode::Lockstep => Vec::new(),
    }
}

/// Appends the co-shares of object `o` (shares `g`, in time order) whose
/// earlier share is `g[i]` with `i` in `early`; the later share may lie past
/// `early` (up to `w` seconds after `g[early.end - 1]`). Over consecutive
/// ranges covering `0..g.len()` this appends exactly the object's co-shares,
/// in order, each once. `post_is_object`: see [`post_is_object`]; `times`:
/// scratch space.
#[allow(clippy::too_many_arguments)]
pub fn expand(
    ds: &Dataset,
    o: ObjectId,
    g: &[u32],
    early: std::ops::Range<usize>,
    w: i64,
    post_is_object: &[bool],
    times: &mut Vec<i64>,
    out: &mut Vec<CoShare>,
) {
    if early.is_empty() {
        return;
    }
    let compat = !post_is_object.is_empty();
    // The times read, copied once: the range's shares and those within one window after it.
    let base = early.start;
    let last = ds.shares[g[early.end - 1] as usize].time;
    times.clear();
    for &k in &g[base..] {
        let t = ds.shares[k as usize].time;
        if t - last > w {
            break;
        }
        times.push(t);
    }
    let g = &g[base..base + times.len()];
    for i in 0..early.len() {
        let si = &ds.shares[g[i] as usize];
        if compat && post_is_object[g[i] as usize] {
            continue;
        }
        for j in i + 1..g.len() {
            if times[j] - times[i] > w {
                break;
            }
            let sj = &ds.shares[g[j] as usize];
            if si.account == sj.account || si.post == sj.post {
                continue;
            }
            if compat && post_is_object[g[j] as usize] {
                continue;
            }
            out.push(CoShare { object: o, early: g[i], late: g[j] });
        }
    }
}

/// Enumerates co-shares inside the window of `w` seconds (see module docs).
pub fn enumerate(ds: &Dataset, groups: &Groups, params: &Params, w: i64) -> Enumerated {
    enumerate_budgeted(ds, groups, params, w, budget(ds, groups, params, w, params.max_total_pairs))
}

/// [`enumerate`] with the mass objects already picked.
pub fn enumerate_budgeted(ds: &Dataset, groups: &Groups, params: &Params, w: i64, budget: Budget) -> Enumerated {
    let n_obj = ds.objects.len();
    let post_is_object = post_is_object(ds, params.mode);
    let Budget { pairs_of, mass, is_mass, .. } = budget;
    let parts: Vec<Enumerated> = (0..n_obj.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut out = Enumerated::default();
            let mut times: Vec<i64> = Vec::new();
            for o in c * CHUNK..((c + 1) * CHUNK).min(n_obj) {
                let g = groups.of(o as ObjectId);
                if g.len() < 2 {
                    continue;
                }
                out.candidates += pairs_of[o];
                if is_mass[o] {
                    continue;
                }
                expand(ds, o as ObjectId, g, 0..g.len(), w, &post_is_object, &mut times, &mut out.coshares);
            }
            out
        })
        .collect();
    let total: usize = parts.iter().map(|p| p.coshares.len()).sum();
    let mut all = Enumerated { coshares: Vec::with_capacity(total), mass, ..Default::default() };
    for p in parts {
        all.coshares.extend_from_slice(&p.coshares);
        all.candidates += p.candidates;
    }
    all
}

/// Number of index pairs `i < j` with `times[j] - times[i] <= w` (times sorted).
pub fn pairs_in_window(times: &[i64], w: i64) -> u64 {
    pairs_in_window_by(times.len(), |k| times[k], w)
}

/// [`pairs_in_window`] over `n` sorted times given by `time`.
#[inline]
pub(crate) fn pairs_in_window_by(n: usize, time: impl Fn(usize) -> i64, w: i64) -> u64 {
    let mut j = 0usize;
    let mut total = 0u64;
    for i in 0..n {
        if j < i + 1 {
            j = i + 1;
        }
        let ti = time(i);
        while j < n && time(j) - ti <= w {
            j += 1;
        }
        total += (j - i - 1) as u64;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_pairs_counted_inclusively() {
        assert_eq!(pairs_in_window(&[], 10), 0);
        assert_eq!(pairs_in_window(&[0, 10, 20], 10), 2);
        assert_eq!(pairs_in_window(&[0, 10, 20], 9), 0);
        assert_eq!(pairs_in_window(&[5, 5, 5, 5], 0), 6);
    }

    #[test]
    fn over_budget_the_largest_objects_are_summarised_first() {
        // Four objects under the per-object cap: 40, 30, 30 and 20 accounts in one window
        // (780, 435, 435 and 190 pairs; 1,840 in all).
        let mut ds = Dataset::default();
        for (o, n) in [("#a", 40), ("#b", 30), ("#c", 30), ("#d", 20)] {
            for a in 0..n {
                ds.push(&format!("u{a}"), o, "hashtag", &format!("{o}{a}"), 1_700_000_000 + a);
            }
        }
        let run = |budget: Option<u64>| {
            let params = Params {
                window: crate::Window::Seconds(60),
                min_participation: 1,
                max_total_pairs: budget,
                ..Params::default()
            };
            enumerate(&ds, &group_shares(&ds, &params), &params, 60)
        };
        let all = run(None);
        assert!(all.mass.is_empty());
        assert_eq!((all.candidates, all.coshares.len()), (1840, 1840));
        // 1,000 pairs allowed: #a (780) goes, then #b (435, the lower id of the two tied): 625 left.
        let cut = run(Some(1000));
        let mass: Vec<(&str, u64, bool)> =
            cut.mass.iter().map(|m| (ds.objects.get(m.object), m.pairs, m.over_budget)).collect();
        assert_eq!(mass, [("#a", 780, true), ("#b", 435, true)]);
        assert_eq!((cut.candidates, cut.coshares.len()), (1840, 625));
        assert!(cut.coshares.len() as u64 <= 1000);
        // Enough budget: nothing changes.
        assert_eq!(run(Some(1840)).coshares, all.coshares);
    }

    #[test]
    fn mass_object_is_summarised_not_expanded() {
        let mut ds = Dataset::default();
        for a in 0..300 {
            ds.push(&format!("a{a}"), "#viral", "hashtag", &format!("p{a}"), 1000 + a % 7);
            ds.push(&format!("a{a}"), "#other", "hashtag", &format!("q{a}"), 5000 * a);
        }
        let params = Params { window: crate::Window::Seconds(60), max_object_pairs: 1000, ..Params::default() };
        let g = group_shares(&ds, &params);
        let e = enumerate(&ds, &g, &params, 60);
        assert_eq!(e.mass.len(), 1);
        assert_eq!(e.mass[0].pairs, 300 * 299 / 2);
        assert!(e.coshares.is_empty());
    }
}

#[cfg(test)]
mod scale_tests {
    use super::*;
    use crate::detect;

    /// The bound stated in docs/method.md: 200,000 accounts sharing one object
    /// inside one window (2·10¹⁰ pairs) cost O(shares), not O(pairs).
    #[test]
    fn two_hundred_thousand_accounts_in_one_window() {
        let mut ds = Dataset::default();
        for a in 0..200_000u32 {
            ds.push(&format!("acct{a}"), "https://viral.example/x", "url", &format!("p{a}"), 1_000 + (a % 60) as i64);
            ds.push(&format!("acct{a}"), &format!("https://own.example/{a}"), "url", &format!("q{a}"), 5_000);
        }
        let found = detect(&ds, &Params { window: crate::Window::Seconds(60), ..Params::default() }).unwrap();
        assert_eq!(found.mass_objects.len(), 1);
        assert_eq!(found.mass_objects[0].shares, 200_000);
        assert_eq!(found.mass_objects[0].pairs, 200_000u64 * 199_999 / 2);
        assert!(found.edges.is_empty());
    }
}
