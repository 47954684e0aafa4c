//! The co-share stage run elsewhere: on a cluster's executors (Apache Spark,
//! through the Python package's `lockstep.spark`), with everything else on
//! the driver.
//!
//! [`detect_with`](crate::detect_with) hands the stage to a [`CoShareStage`]
//! instead of enumerating the co-shares itself. [`Remote`] is the stage of a
//! cluster, in three steps:
//!
//! 1. **Ship** ([`unit_rows`]): the expanded objects are cut by
//!    [`partition::plan`] into units (a hot object into time buckets) and
//!    parts of about equal pairs; every unit becomes rows (one per share it
//!    reads: its earlier shares and those up to one window after its last
//!    one, so buckets overlap by one window), tagged with their part.
//! 2. **Expand**, where the rows land ([`expand_units`]): grouped by part,
//!    each unit's co-shares are enumerated by the rule of
//!    [`coshare::expand`], numbered in the order it finds them. A pair
//!    belongs to the unit of its earlier share: none is lost or found twice.
//! 3. **Gather** ([`gather`]): the co-shares, in whatever order they come
//!    back, are put in place by (unit, number): exactly the in-memory order,
//!    without a sort.
//!
//! The result is the in-memory [`Enumerated`] (tests below and
//! `tests/remote.rs` compare whole detections), so every later stage
//! (participation, network, significance, communities) sees the same input.
//! The rows carry ids, not names: the driver keeps the dataset, which the
//! null models and every output read.

use crate::coshare::{self, Budget, CoShare, Enumerated, Groups};
use crate::partition::{self, Plan};
use crate::Params;
use lockstep_core::Dataset;

/// Runs the co-share stage of [`detect_with`](crate::detect_with): returns
/// the co-shares of the objects `budget` expands, in the order
/// [`coshare::enumerate_budgeted`] gives them, the candidate pairs and the
/// mass objects (those of `budget`).
pub trait CoShareStage {
    /// The stage, on the groups and budget detection computed.
    fn enumerate(
        &mut self,
        ds: &Dataset,
        groups: &Groups,
        params: &Params,
        w: i64,
        budget: Budget,
    ) -> Result<Enumerated, String>;
}

/// The rows shipped for the co-share stage: one per share a unit reads,
/// column by column. Rows of a unit are contiguous and in its time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitRows {
    /// Part of the plan the row's unit belongs to.
    pub part: Vec<u32>,
    /// The unit (index into [`Plan::units`]).
    pub unit: Vec<u32>,
    /// Position of the share in the unit's rows (its time order).
    pub seq: Vec<u32>,
    /// The share (index into `Dataset::shares`).
    pub share: Vec<u32>,
    /// Its account.
    pub account: Vec<u32>,
    /// Its post.
    pub post: Vec<u32>,
    /// Its time.
    pub time: Vec<i64>,
    /// An earlier share of the unit (its pairs belong to this unit); the
    /// others are the one-window overlap read after it.
    pub early: Vec<bool>,
    /// Never in a co-share (CooRTweet mode: a repost of the post itself,
    /// see [`coshare::post_is_object`]).
    pub skip: Vec<bool>,
}

impl UnitRows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.share.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.share.is_empty()
    }

    /// The rows at `idx`, in that order (a part of the rows, as a shuffle delivers it).
    pub fn select(&self, idx: &[usize]) -> UnitRows {
        fn pick<T: Copy>(v: &[T], idx: &[usize]) -> Vec<T> {
            idx.iter().map(|&i| v[i]).collect()
        }
        UnitRows {
            part: pick(&self.part, idx),
            unit: pick(&self.unit, idx),
            seq: pick(&self.seq, idx),
            share: pick(&self.share, idx),
            account: pick(&self.account, idx),
            post: pick(&self.post, idx),
            time: pick(&self.time, idx),
            early: pick(&self.early, idx),
            skip: pick(&self.skip, idx),
        }
    }
}

/// The rows of every unit of `plan` (step 1 of the module docs).
pub fn unit_rows(ds: &Dataset, groups: &Groups, plan: &Plan, w: i64, post_is_object: &[bool]) -> UnitRows {
    let mut rows = UnitRows::default();
    for k in 0..plan.parts() {
        let first = plan.bounds[k];
        for (i, u) in plan.part(k).iter().enumerate() {
            let g = groups.of(u.object);
            if u.early.is_empty() {
                continue;
            }
            let last = ds.shares[g[u.early.end - 1] as usize].time;
            for (seq, pos) in (u.early.start..g.len()).enumerate() {
                let s = &ds.shares[g[pos] as usize];
                let early = pos < u.early.end;
                if !early && s.time - last > w {
                    break;
                }
                rows.part.push(k as u32);
                rows.unit.push((first + i) as u32);
                rows.seq.push(seq as u32);
                rows.share.push(g[pos]);
                rows.account.push(s.account);
                rows.post.push(s.post);
                rows.time.push(s.time);
                rows.early.push(early);
                rows.skip.push(post_is_object.get(g[pos] as usize).copied().unwrap_or(false));
            }
        }
    }
    rows
}

/// The co-shares found by [`expand_units`]: `unit`, their number `k` in the
/// order the unit found them, and their two shares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitCoShares {
    /// The unit that found the co-share.
    pub unit: Vec<u32>,
    /// Its number within the unit (0, 1, … in the unit's order).
    pub k: Vec<u32>,
    /// The earlier share.
    pub early: Vec<u32>,
    /// The later share.
    pub late: Vec<u32>,
}

impl UnitCoShares {
    /// Appends the co-shares of other units (found elsewhere, in any order).
    pub fn append(&mut self, other: UnitCoShares) {
        self.unit.extend(other.unit);
        self.k.extend(other.k);
        self.early.extend(other.early);
        self.late.extend(other.late);
    }
}

/// Step 2: the co-shares of the units whose rows are given (any order, whole
/// units), by the rule of [`coshare::expand`]: two shares at most `w` seconds
/// apart, of different accounts and different posts, neither skipped, the
/// earlier one an early share of the unit.
pub fn expand_units(rows: &UnitRows, w: i64) -> UnitCoShares {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_unstable_by_key(|&r| (rows.unit[r as usize], rows.seq[r as usize]));
    let mut out = UnitCoShares::default();
    let mut start = 0;
    while start < order.len() {
        let unit = rows.unit[order[start] as usize];
        let end = start + order[start..].iter().take_while(|&&r| rows.unit[r as usize] == unit).count();
        let g = &order[start..end];
        let mut k = 0u32;
        for (a, &i) in g.iter().enumerate() {
            let i = i as usize;
            if !rows.early[i] {
                break;
            }
            if rows.skip[i] {
                continue;
            }
            for &j in &g[a + 1..] {
                let j = j as usize;
                if rows.time[j] - rows.time[i] > w {
                    break;
                }
                if rows.account[i] == rows.account[j] || rows.post[i] == rows.post[j] || rows.skip[j] {
                    continue;
                }
                out.unit.push(unit);
                out.k.push(k);
                out.early.push(rows.share[i]);
                out.late.push(rows.share[j]);
                k += 1;
            }
        }
        start = end;
    }
    out
}

/// Step 3: the co-shares of every unit of `plan` back in plan order, from
/// [`expand_units`]'s outputs in any order. Fails when a co-share is missing,
/// doubled or names a unit or share that does not exist.
pub fn gather(ds: &Dataset, plan: &Plan, found: &UnitCoShares) -> Result<Vec<CoShare>, String> {
    let n = found.unit.len();
    if [found.k.len(), found.early.len(), found.late.len()].iter().any(|&l| l != n) {
        return Err("co-share columns of different lengths".into());
    }
    let mut offsets = vec![0usize; plan.units.len() + 1];
    for &u in &found.unit {
        let slot = offsets.get_mut(u as usize + 1).ok_or_else(|| format!("co-share of unit {u}, beyond the plan"))?;
        *slot += 1;
    }
    for u in 0..plan.units.len() {
        offsets[u + 1] += offsets[u];
    }
    const EMPTY: CoShare = CoShare { object: u32::MAX, early: u32::MAX, late: u32::MAX };
    let mut out = vec![EMPTY; n];
    let n_shares = ds.shares.len();
    for i in 0..n {
        let u = found.unit[i] as usize;
        let (from, to) = (offsets[u], offsets[u + 1]);
        let k = found.k[i] as usize;
        let (early, late) = (found.early[i], found.late[i]);
        if k >= to - from || early as usize >= n_shares || late as usize >= n_shares {
            return Err(format!("co-share {k} of unit {u} is out of range"));
        }
        let slot = &mut out[from + k];
        if slot.early != u32::MAX {
            return Err(format!("co-share {k} of unit {u} came back twice"));
        }
        *slot = CoShare { object: plan.units[u].object, early, late };
    }
    Ok(out)
}

/// The stage of a cluster: ships the rows of a plan in `parts` parts (hot
/// objects in buckets of about `bucket_pairs` pairs; `None`: half a part),
/// has `run` expand them (step 2, wherever it runs; it returns what
/// [`expand_units`] returns for all the rows) and gathers the result.
pub struct Remote<F> {
    /// Parts of the plan.
    pub parts: usize,
    /// Pairs of a hot object's time bucket.
    pub bucket_pairs: Option<u64>,
    /// Runs step 2 on the rows, with the window in seconds.
    pub run: F,
    /// Of the last run: the plan's units, hot objects, buckets and rows shipped.
    pub shipped: Option<Shipped>,
}

/// What a [`Remote`] stage shipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shipped {
    /// Parts.
    pub parts: usize,
    /// Units (objects and time buckets).
    pub units: usize,
    /// Objects split into time buckets.
    pub hot_objects: u64,
    /// Their buckets.
    pub buckets: u64,
    /// Rows shipped (shares, some twice where buckets overlap).
    pub rows: usize,
}

impl<F> Remote<F>
where
    F: FnMut(UnitRows, i64) -> Result<UnitCoShares, String>,
{
    /// A stage of `parts` parts running step 2 with `run`.
    pub fn new(parts: usize, bucket_pairs: Option<u64>, run: F) -> Self {
        Remote { parts, bucket_pairs, run, shipped: None }
    }
}

impl<F> CoShareStage for Remote<F>
where
    F: FnMut(UnitRows, i64) -> Result<UnitCoShares, String>,
{
    fn enumerate(
        &mut self,
        ds: &Dataset,
        groups: &Groups,
        params: &Params,
        w: i64,
        budget: Budget,
    ) -> Result<Enumerated, String> {
        let plan = partition::plan(ds, groups, &budget, w, self.parts, self.bucket_pairs);
        let rows = unit_rows(ds, groups, &plan, w, &coshare::post_is_object(ds, params.mode));
        self.shipped = Some(Shipped {
            parts: plan.parts(),
            units: plan.units.len(),
            hot_objects: plan.hot_objects,
            buckets: plan.buckets,
            rows: rows.len(),
        });
        let found = if rows.is_empty() { UnitCoShares::default() } else { (self.run)(rows, w)? };
        let coshares = gather(ds, &plan, &found)?;
        Ok(Enumerated { coshares, candidates: budget.pairs_of.iter().sum(), mass: budget.mass })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mode, Window};

    fn enumerated(ds: &Dataset, params: &Params, parts: usize, bucket: Option<u64>, shuffle: bool) -> Enumerated {
        let w = match params.window {
            Window::Seconds(w) => i64::from(w),
            Window::Auto(_) => unreachable!(),
        };
        let groups = coshare::group_shares(ds, params);
        let budget = coshare::budget(ds, &groups, params, w, None);
        let mut stage = Remote::new(parts, bucket, |rows: UnitRows, w| {
            // The rows of each part expanded apart, in reverse part order and
            // with rows reversed: as out of order as a shuffle leaves them.
            let mut all = UnitCoShares::default();
            let n_parts = rows.part.iter().max().map_or(0, |&p| p + 1);
            for p in (0..n_parts).rev() {
                let mut idx: Vec<usize> = (0..rows.len()).filter(|&i| rows.part[i] == p).collect();
                if shuffle {
                    idx.reverse();
                }
                all.append(expand_units(&rows.select(&idx), w));
            }
            Ok(all)
        });
        stage.enumerate(ds, &groups, params, w, budget).unwrap()
    }

    fn hand_case() -> Dataset {
        let mut ds = Dataset::default();
        // One hot object shared at 0, 5, 10, …: every bucket boundary falls inside a window.
        for i in 0..40 {
            ds.push(&format!("a{}", i % 7), "hot", "url", &format!("p{i}"), 1_700_000_000 + 5 * i);
        }
        // Same post twice, same account twice, a repost of the post itself.
        ds.push("a1", "o2", "url", "q1", 1_700_000_000);
        ds.push("a2", "o2", "url", "q1", 1_700_000_003);
        ds.push("a2", "o2", "url", "q2", 1_700_000_004);
        ds.push("a3", "o2", "url", "o2", 1_700_000_006);
        ds
    }

    #[test]
    fn buckets_of_every_size_give_the_in_memory_coshares() {
        let ds = hand_case();
        for mode in [Mode::Lockstep, Mode::CoorTweet] {
            let params = Params { window: Window::Seconds(12), mode, ..Params::default() };
            let memory = coshare::enumerate(&ds, &coshare::group_shares(&ds, &params), &params, 12);
            assert!(memory.coshares.len() > 50);
            for parts in [1, 2, 3, 7] {
                for bucket in [None, Some(1), Some(2), Some(9)] {
                    for shuffle in [false, true] {
                        let got = enumerated(&ds, &params, parts, bucket, shuffle);
                        assert_eq!(got.coshares, memory.coshares, "{mode:?} {parts} parts, buckets {bucket:?}");
                        assert_eq!(got.candidates, memory.candidates);
                    }
                }
            }
        }
    }

    #[test]
    fn gather_refuses_a_lost_or_doubled_coshare() {
        let ds = hand_case();
        let params = Params { window: Window::Seconds(12), ..Params::default() };
        let groups = coshare::group_shares(&ds, &params);
        let budget = coshare::budget(&ds, &groups, &params, 12, None);
        let plan = partition::plan(&ds, &groups, &budget, 12, 2, Some(3));
        let rows = unit_rows(&ds, &groups, &plan, 12, &[]);
        let found = expand_units(&rows, 12);
        assert_eq!(gather(&ds, &plan, &found).unwrap().len(), found.unit.len());
        let mut doubled = found.clone();
        doubled.k[1] = doubled.k[0];
        doubled.unit[1] = doubled.unit[0];
        assert!(gather(&ds, &plan, &doubled).unwrap_err().contains("twice"));
        let mut short = found.clone();
        short.unit.pop();
        assert!(gather(&ds, &plan, &short).unwrap_err().contains("lengths"));
        // The first co-share lost: its unit's others no longer fit its count.
        let mut lost = found;
        assert_eq!(lost.k[0], 0);
        for col in [&mut lost.unit, &mut lost.k, &mut lost.early, &mut lost.late] {
            col.remove(0);
        }
        assert!(gather(&ds, &plan, &lost).unwrap_err().contains("out of range"));
    }
}
