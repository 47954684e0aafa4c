//! The automatic window (`--window auto`): CooRnet's estimate of the
//! coordination interval (Giglietto, Righetti, Rossi & Marino 2020; R package
//! CooRnet, `estimate_coord_interval`, defaults `q = 0.1`, `p = 0.5`).
//!
//! Over all input shares (before any filter), for every object with at least two
//! shares, its shares sorted by time `t₁ ≤ t₂ ≤ … ≤ tₙ`:
//! 1. `second(o) = t₂ − t₁`, the time to its second share;
//! 2. the **fastest objects** are those with `second(o) ≤ quantile₇(second, q)`;
//! 3. for each of them, `half(o) = t_r − t₁` with `r` the first rank such that
//!    `r / n > p`: the time it took to gather more than the share `p` of its shares;
//! 4. `estimate = quantile₇(half over the fastest objects, p)` (the median for
//!    p = 0.5); when it is 0, CooRnet uses 1 second.
//!
//! The window is `⌊estimate⌋` seconds, and at least the data's time resolution
//! ([`time_resolution`]: 60 when every time is on a whole minute and there are
//! enough distinct times to say so, else 1): times
//! are whole seconds, so `delta ≤ estimate` and `delta ≤ ⌊estimate⌋` select the
//! same co-shares, and on minute data a window under 60 s only keeps shares of
//! the same minute whatever their real delay.
//! `quantile₇` is R's default quantile, as for the edge threshold.

use crate::quantile::quantile_type7;
use lockstep_core::Dataset;
use rayon::slice::ParallelSliceMut;
use serde::Serialize;

/// Parameters of the automatic window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AutoWindow {
    /// Quantile of the time-to-second-share that selects the fastest objects (CooRnet's `q`).
    pub q: f64,
    /// Share of an object's shares to be reached, and quantile taken over the fastest objects (CooRnet's `p`).
    pub p: f64,
}

impl Default for AutoWindow {
    fn default() -> Self {
        AutoWindow { q: 0.1, p: 0.5 }
    }
}

/// What the automatic window found (reported in report.json).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowEstimate {
    /// The window used, in seconds.
    pub window: i64,
    /// The estimate before rounding down (seconds).
    pub estimate: f64,
    /// Parameters.
    pub q: f64,
    /// Parameters.
    pub p: f64,
    /// Objects with at least two shares.
    pub objects: u64,
    /// Time to the second share (seconds) at or below which an object counts as fastest.
    pub second_share_cutoff: f64,
    /// Fastest objects the estimate was taken over.
    pub fastest_objects: u64,
}

/// Distinct share times needed before a resolution coarser than one second is
/// claimed: by chance, `k` distinct times of second-resolution data all fall on
/// whole minutes with probability `60^−k`, and on whole hours `3600^−k`; with
/// 10 that is below 10⁻¹⁷. One share on a whole hour proves nothing.
pub const MIN_RESOLUTION_TIMES: usize = 10;

/// The time resolution of the data: the coarsest of one hour, one minute and
/// one second that every share time is a whole multiple of, once there are at
/// least [`MIN_RESOLUTION_TIMES`] distinct times (else 1).
/// Data whose times all fall on whole minutes cannot tell a 1-second delay from
/// a 59-second one; `--window auto` never returns a window finer than this.
pub fn time_resolution(ds: &Dataset) -> i64 {
    let mut times = std::collections::BTreeSet::new();
    for s in &ds.shares {
        if s.time % 60 != 0 {
            return 1;
        }
        if times.len() < MIN_RESOLUTION_TIMES {
            times.insert(s.time);
        }
    }
    if times.len() < MIN_RESOLUTION_TIMES {
        return 1;
    }
    if ds.shares.iter().all(|s| s.time % 3600 == 0) {
        3600
    } else {
        60
    }
}

/// Estimates the window; `None` when no object has two shares.
pub fn estimate(ds: &Dataset, params: AutoWindow) -> Option<WindowEstimate> {
    let mut by_object: Vec<(u32, i64)> = ds.shares.iter().map(|s| (s.object, s.time)).collect();
    by_object.par_sort_unstable();
    // (second, half) per object with two or more shares.
    let mut per_object: Vec<(f64, f64)> = Vec::new();
    for times in by_object.chunk_by(|x, y| x.0 == y.0) {
        let n = times.len();
        if n < 2 {
            continue;
        }
        let t1 = times[0].1;
        // First rank r (1-based) with r / n > p.
        let r = (1..=n).find(|&r| r as f64 / n as f64 > params.p).unwrap_or(n);
        per_object.push(((times[1].1 - t1) as f64, (times[r - 1].1 - t1) as f64));
    }
    let mut seconds: Vec<f64> = per_object.iter().map(|x| x.0).collect();
    let cutoff = quantile_type7(&mut seconds, params.q)?;
    let mut halves: Vec<f64> = per_object.iter().filter(|x| x.0 <= cutoff).map(|x| x.1).collect();
    let fastest = halves.len() as u64;
    let mut est = quantile_type7(&mut halves, params.p)?;
    if est == 0.0 {
        est = 1.0; // as CooRnet
    }
    Some(WindowEstimate {
        window: (est.floor() as i64).max(time_resolution(ds)),
        estimate: est,
        q: params.q,
        p: params.p,
        objects: per_object.len() as u64,
        second_share_cutoff: cutoff,
        fastest_objects: fastest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(objects: &[&[i64]]) -> Dataset {
        let mut ds = Dataset::default();
        for (o, times) in objects.iter().enumerate() {
            for (i, &t) in times.iter().enumerate() {
                ds.push(&format!("acc{i}"), &format!("o{o}"), "url", &format!("p{o}-{i}"), t);
            }
        }
        ds
    }

    #[test]
    fn by_hand() {
        // second / half (first rank with r/n > 0.5): o0 2 / 3 (r=3 of 4),
        // o1 5 / 7 (r=4 of 6), o2 50 / 50 (r=2 of 3), o3 1 / 1 (r=2 of 2); o4 has one share.
        let ds = dataset(&[&[10, 0, 3, 2], &[0, 5, 6, 7, 100, 200], &[0, 50, 60], &[0, 1], &[7]]);
        let est = |q| estimate(&ds, AutoWindow { q, p: 0.5 }).unwrap();
        // q = 0.1: seconds [1, 2, 5, 50] → cutoff 1 + 0.3·(2 − 1) = 1.3 → only o3 → 1.
        let e = est(0.1);
        assert_eq!((e.objects, e.fastest_objects, e.window, e.estimate), (4, 1, 1, 1.0));
        assert!((e.second_share_cutoff - 1.3).abs() < 1e-12);
        // q = 0.5: cutoff 2 + 0.5·(5 − 2) = 3.5 → o0, o3 → halves [3, 1] → median 2.
        let e = est(0.5);
        assert_eq!((e.fastest_objects, e.window, e.estimate), (2, 2, 2.0));
        // q = 1: all → halves [1, 3, 7, 50] → median 3 + 0.5·(7 − 3) = 5.
        let e = est(1.0);
        assert_eq!((e.fastest_objects, e.window, e.estimate), (4, 5, 5.0));
        // p = 0.75 with q = 1: ranks with r/n > 0.75: o0 r=4 → 10, o1 r=5 → 100, o2 r=3 → 60,
        // o3 r=2 → 1; quantile 0.75 of [1, 10, 60, 100] = 60 + 0.25·40 = 70.
        let e = estimate(&ds, AutoWindow { q: 1.0, p: 0.75 }).unwrap();
        assert_eq!((e.window, e.estimate), (70, 70.0));
    }

    #[test]
    fn never_finer_than_the_time_resolution() {
        // Every time on a whole minute (ten distinct times): the estimate (0 → 1 s) becomes 60 s.
        let ds = dataset(&[&[60, 60, 120], &[600, 600], &[3600, 7200], &[180, 240, 300, 360, 420, 480]]);
        assert_eq!(time_resolution(&ds), 60);
        let e = estimate(&ds, AutoWindow::default()).unwrap();
        assert_eq!((e.window, e.estimate), (60, 1.0));
        let hours: Vec<i64> = (0..10).map(|h| 3600 * h).collect();
        assert_eq!(time_resolution(&dataset(&[&hours])), 3600);
        assert_eq!(time_resolution(&dataset(&[&[60, 61]])), 1);
        assert_eq!(time_resolution(&Dataset::default()), 1);
        // Too few distinct times to tell: one share on a whole hour, or nine whole minutes.
        assert_eq!(time_resolution(&dataset(&[&[7200]])), 1);
        assert_eq!(time_resolution(&dataset(&[&hours[..9], &hours[..9]])), 1);
        let minutes: Vec<i64> = (0..9).map(|m| 60 * m).collect();
        assert_eq!(time_resolution(&dataset(&[&minutes, &minutes])), 1);
    }

    #[test]
    fn fractional_estimates_round_down_and_zero_becomes_one_second() {
        // halves [1, 2] (r = 2 of 2, r = 3 of 4) → median 1.5 → window 1.
        let ds = dataset(&[&[0, 1], &[0, 1, 2, 3]]);
        let e = estimate(&ds, AutoWindow { q: 1.0, p: 0.5 }).unwrap();
        assert_eq!((e.window, e.estimate), (1, 1.5));
        let ds = dataset(&[&[5, 5, 5], &[9, 9]]);
        let e = estimate(&ds, AutoWindow::default()).unwrap();
        assert_eq!((e.window, e.estimate), (1, 1.0));
        assert_eq!(estimate(&dataset(&[&[1], &[2]]), AutoWindow::default()), None);
    }
}
