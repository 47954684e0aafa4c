//! Stage 2: the second min-participation filter and the fast-window flag.
//!
//! - **Lockstep mode** (AND, to a fixed point): an account takes part when it has
//!   at least M distinct posts among the remaining co-shares; a co-share is kept
//!   only when both of its accounts take part; repeat until nothing changes.
//! - **CooRTweet mode** (OR, one pass, as `filter_min_participation` in
//!   CooRTweet 2.1.3): let C be the posts in any co-share; an account is "ok" when
//!   at least M of its pre-filtered shares carry a post in C; a co-share is kept
//!   when EITHER of its posts belongs to a share of an ok account.

use crate::coshare::{CoShare, Groups};
use crate::Mode;
use lockstep_core::Dataset;

/// Applies the second participation filter.
pub fn second_filter(ds: &Dataset, groups: &Groups, rows: Vec<CoShare>, m: u32, mode: Mode) -> Vec<CoShare> {
    match mode {
        Mode::Lockstep => {
            if m <= 1 {
                return rows;
            }
            use rayon::prelude::*;
            let keep = and_fixed_point(ds, &rows, (0..rows.len() as u32).into_par_iter(), m);
            // Compacted in place (`keep` ascends, so `i >= w`): no second copy of the co-shares.
            let mut rows = rows;
            for (w, &i) in keep.iter().enumerate() {
                rows[w] = rows[i as usize];
            }
            rows.truncate(keep.len());
            rows
        }
        Mode::CoorTweet => {
            let keep = coortweet_keep(ds, groups, &rows, m);
            rows.into_iter().zip(keep).filter_map(|(r, k)| k.then_some(r)).collect()
        }
    }
}

/// Flags the co-shares that also hold in the fast window `f`: their delta is at
/// most `f` and they pass the same participation filter applied to the fast
/// co-shares alone.
pub fn flag_fast(ds: &Dataset, groups: &Groups, rows: &[CoShare], f: i64, m: u32, mode: Mode) -> Vec<bool> {
    let delta = |r: &CoShare| ds.shares[r.late as usize].time - ds.shares[r.early as usize].time;
    let fast_idx: Vec<u32> = (0..rows.len() as u32).filter(|&i| delta(&rows[i as usize]) <= f).collect();
    let mut flags = vec![false; rows.len()];
    match mode {
        Mode::Lockstep => {
            use rayon::prelude::*;
            for i in and_fixed_point(ds, rows, fast_idx.into_par_iter(), m) {
                flags[i as usize] = true;
            }
        }
        Mode::CoorTweet => {
            let fast_rows: Vec<CoShare> = fast_idx.iter().map(|&i| rows[i as usize]).collect();
            // CooRTweet marks result rows by joining on (content_id, content_id_y).
            let keep = coortweet_keep(ds, groups, &fast_rows, m);
            let post_key = |r: &CoShare| {
                ((ds.shares[r.early as usize].post as u64) << 32) | ds.shares[r.late as usize].post as u64
            };
            let kept: hashbrown::HashSet<u64> =
                fast_rows.iter().zip(keep).filter(|(_, k)| *k).map(|(r, _)| post_key(r)).collect();
            for (i, r) in rows.iter().enumerate() {
                flags[i] = kept.contains(&post_key(r));
            }
        }
    }
    flags
}

fn coortweet_keep(ds: &Dataset, groups: &Groups, rows: &[CoShare], m: u32) -> Vec<bool> {
    let n_posts = ds.posts.len();
    let mut in_c = vec![false; n_posts];
    for r in rows {
        in_c[ds.shares[r.early as usize].post as usize] = true;
        in_c[ds.shares[r.late as usize].post as usize] = true;
    }
    let mut count = vec![0u32; ds.accounts.len()];
    for &i in &groups.order {
        let s = &ds.shares[i as usize];
        if in_c[s.post as usize] {
            count[s.account as usize] += 1;
        }
    }
    let mut ok_post = vec![false; n_posts];
    for &i in &groups.order {
        let s = &ds.shares[i as usize];
        if in_c[s.post as usize] && count[s.account as usize] >= m {
            ok_post[s.post as usize] = true;
        }
    }
    rows.iter()
        .map(|r| {
            ok_post[ds.shares[r.early as usize].post as usize] || ok_post[ds.shares[r.late as usize].post as usize]
        })
        .collect()
}

/// Indices (into `rows`) of the co-shares in `live` (ascending) that survive the
/// AND rule, ascending.
fn and_fixed_point(
    ds: &Dataset,
    rows: &[CoShare],
    live: impl rayon::iter::IndexedParallelIterator<Item = u32>,
    m: u32,
) -> Vec<u32> {
    use rayon::prelude::*;
    if m <= 1 {
        return live.collect();
    }
    // Each live co-share with the account and post of its two shares, read once:
    // the shares are scattered over the dataset, these are in co-share order.
    let mut live: Vec<(u32, [u32; 4])> = live
        .map(|i| {
            let r = &rows[i as usize];
            let (e, l) = (&ds.shares[r.early as usize], &ds.shares[r.late as usize]);
            (i, [e.account, e.post, l.account, l.post])
        })
        .collect();
    let mut posts = crate::stats::DistinctPosts::new(ds);
    loop {
        let count = posts.count_par(&live, |(_, s)| [(s[0], s[1]), (s[2], s[3])]);
        let before = live.len();
        live.retain(|(_, s)| count[s[0] as usize] >= m && count[s[2] as usize] >= m);
        if live.len() == before {
            break;
        }
    }
    live.into_iter().map(|(i, _)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{coshare, Params};

    /// a and b co-share twice; c co-shares once with a. With M = 2, Lockstep drops
    /// the a–c co-share (c has one coordinated post); CooRTweet keeps it because a
    /// passes (the OR rule).
    #[test]
    fn and_rule_versus_or_rule() {
        let mut ds = Dataset::default();
        ds.push("a", "o1", "url", "a1", 0);
        ds.push("b", "o1", "url", "b1", 5);
        ds.push("a", "o2", "url", "a2", 100);
        ds.push("b", "o2", "url", "b2", 105);
        ds.push("a", "o3", "url", "a3", 200);
        ds.push("c", "o3", "url", "c3", 201);
        ds.push("c", "o4", "url", "c4", 9000);
        for (mode, expected) in [(Mode::Lockstep, 2), (Mode::CoorTweet, 3)] {
            let p = Params { window: crate::Window::Seconds(10), mode, ..Params::default() };
            let g = coshare::group_shares(&ds, &p);
            let e = coshare::enumerate(&ds, &g, &p, 10);
            assert_eq!(e.coshares.len(), 3);
            let kept = second_filter(&ds, &g, e.coshares, 2, mode);
            assert_eq!(kept.len(), expected, "{mode:?}");
        }
    }

    /// Removing one account can push another below M: the AND rule iterates.
    #[test]
    fn and_rule_reaches_fixed_point() {
        let mut ds = Dataset::default();
        // b–c co-share twice, c–d once, d has a second post co-shared only with c?
        ds.push("b", "o1", "url", "b1", 0);
        ds.push("c", "o1", "url", "c1", 1);
        ds.push("b", "o2", "url", "b2", 100);
        ds.push("c", "o2", "url", "c2", 101);
        ds.push("d", "o3", "url", "d3", 200);
        ds.push("e", "o3", "url", "e3", 201);
        ds.push("d", "o4", "url", "d4", 300);
        ds.push("f", "o4", "url", "f4", 301);
        ds.push("e", "o5", "url", "e5", 9000);
        ds.push("f", "o6", "url", "f6", 9900);
        let p = Params { window: crate::Window::Seconds(10), ..Params::default() };
        let g = coshare::group_shares(&ds, &p);
        let e = coshare::enumerate(&ds, &g, &p, 10);
        assert_eq!(e.coshares.len(), 4);
        // d has 2 posts but e and f have 1 each: both d-edges go, and d then has 0.
        let kept = second_filter(&ds, &g, e.coshares, 2, Mode::Lockstep);
        assert_eq!(kept.len(), 2);
    }
}
