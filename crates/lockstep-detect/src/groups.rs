//! Groups: the connected components of the thresholded network, summarised for
//! people (size, edges, time span, what they pushed).

use crate::multiplex::{kind_counts, KindCount};
use crate::Detection;
use lockstep_core::{AccountId, Dataset, ObjectId};
use serde::Serialize;

/// One group (component of the thresholded network).
#[derive(Debug, Clone, Serialize)]
pub struct GroupSummary {
    /// Component number (1 = largest).
    pub component: u32,
    /// Member accounts, by name.
    pub members: Vec<String>,
    /// Edges above the threshold inside the group.
    pub edges: u64,
    /// Sum of those edges' weights (co-shares).
    pub coshares: u64,
    /// Mean seconds between co-shares.
    pub avg_time_delta: f64,
    /// First co-share (UNIX seconds).
    pub first_time: i64,
    /// Last co-share (UNIX seconds).
    pub last_time: i64,
    /// Objects most co-shared inside the group: (kind, value, co-shares).
    pub top_objects: Vec<TopObject>,
    /// Co-shares per object kind inside the group, most first: which kinds
    /// dominate it (schema 1.3).
    pub kinds: Vec<KindCount>,
}

/// An object a group pushed.
#[derive(Debug, Clone, Serialize)]
pub struct TopObject {
    /// Object kind.
    pub kind: String,
    /// Object value.
    pub object: String,
    /// Co-shares of it inside the group.
    pub coshares: u64,
}

/// Summaries of the `limit` largest groups, in component order.
pub fn summarize_groups(ds: &Dataset, det: &Detection, limit: usize, top_objects: usize) -> Vec<GroupSummary> {
    let component_of = det.component_by_account(ds.accounts.len());
    let n = (det.counts.components as usize).min(limit);
    let mut members: Vec<Vec<AccountId>> = vec![Vec::new(); n];
    for a in &det.accounts {
        if let Some(c) = a.component {
            if (c as usize) <= n {
                members[c as usize - 1].push(a.account);
            }
        }
    }
    let mut out: Vec<GroupSummary> = members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let mut names: Vec<String> = m.iter().map(|&a| ds.accounts.get(a).to_string()).collect();
            names.sort();
            GroupSummary {
                component: i as u32 + 1,
                members: names,
                edges: 0,
                coshares: 0,
                avg_time_delta: 0.0,
                first_time: i64::MAX,
                last_time: i64::MIN,
                top_objects: Vec::new(),
                kinds: Vec::new(),
            }
        })
        .collect();
    let mut objects: Vec<hashbrown::HashMap<ObjectId, u64>> = vec![Default::default(); n];
    let mut delta_sum = vec![0i64; n];
    let mut by_kind = vec![vec![0u64; ds.kinds.len()]; n];
    for (e, edge) in det.edges.iter().enumerate() {
        if !edge.full.above_threshold {
            continue;
        }
        let Some(c) = component_of[edge.a as usize] else { continue };
        if c as usize > n {
            continue;
        }
        let g = &mut out[c as usize - 1];
        g.edges += 1;
        for &r in det.evidence(e) {
            let cs = &det.coshares[r as usize];
            let (t0, t1) = (ds.shares[cs.early as usize].time, ds.shares[cs.late as usize].time);
            g.coshares += 1;
            delta_sum[c as usize - 1] += t1 - t0;
            g.first_time = g.first_time.min(t0);
            g.last_time = g.last_time.max(t1);
            *objects[c as usize - 1].entry(cs.object).or_default() += 1;
            by_kind[c as usize - 1][ds.object_kind[cs.object as usize] as usize] += 1;
        }
    }
    for (i, g) in out.iter_mut().enumerate() {
        if g.coshares > 0 {
            g.avg_time_delta = delta_sum[i] as f64 / g.coshares as f64;
        }
        g.kinds = kind_counts(ds, &by_kind[i]);
        let top: Vec<(ObjectId, u64)> = objects[i].iter().map(|(&o, &c)| (o, c)).collect();
        // A total order: the same string under two kinds is two objects (as in the communities').
        let top = first_n(top, top_objects, |x, y| {
            y.1.cmp(&x.1)
                .then_with(|| ds.kind_of(x.0).cmp(ds.kind_of(y.0)))
                .then_with(|| ds.objects.get(x.0).cmp(ds.objects.get(y.0)))
        });
        g.top_objects = top
            .into_iter()
            .map(|(o, c)| TopObject {
                kind: ds.kind_of(o).to_string(),
                object: ds.objects.get(o).to_string(),
                coshares: c,
            })
            .collect();
    }
    out
}

/// The first `n` of `v` in the order of `cmp`, sorted: a selection (linear)
/// then a sort of the `n`, instead of sorting all of `v` (a group of the
/// 10M-post benchmark has about a million distinct objects, mostly tied on
/// count, so a full sort compared names tens of millions of times).
pub(crate) fn first_n<T>(mut v: Vec<T>, n: usize, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    if n == 0 {
        return Vec::new();
    }
    if v.len() > n {
        v.select_nth_unstable_by(n - 1, &cmp);
        v.truncate(n);
    }
    v.sort_by(cmp);
    v
}

#[cfg(test)]
mod first_n_tests {
    use super::first_n;

    proptest::proptest! {
        /// Selecting then sorting gives the head of a full sort (ties broken by
        /// the second key, as the summaries do).
        #[test]
        fn equals_the_head_of_a_full_sort(v in proptest::collection::vec((0u8..4, 0u16..50), 0..200), n in 0usize..12) {
            let cmp = |x: &(u8, u16), y: &(u8, u16)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
            let mut all = v.clone();
            all.sort_by(cmp);
            all.truncate(n);
            proptest::prop_assert_eq!(first_n(v, n, cmp), all);
        }
    }
}
