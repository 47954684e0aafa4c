//! Stage 5: per-account and per-object statistics.

use crate::components::Components;
use crate::coshare::{CoShare, Groups, MassObject};
use crate::network::{Edge, Network};
use crate::Mode;
use lockstep_core::{distinct_per_bucket, AccountId, Dataset, ObjectId};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// Statistics of one account of the full network.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountStat {
    /// The account.
    pub account: AccountId,
    /// Shares in the input.
    pub shares: u32,
    /// Distinct posts of the account among the co-shares (CooRTweet's `unique_shares_count`).
    pub coshared_posts: u32,
    /// Component in the thresholded network.
    pub component: Option<u32>,
    /// Degree in the thresholded network.
    pub degree: u32,
    /// Component in the full network.
    pub component_full: Option<u32>,
    /// Degree in the full network.
    pub degree_full: u32,
    /// Mean `avg_time_delta` of its thresholded edges.
    pub avg_time_delta: Option<f64>,
    /// Mean `edge_symmetry_score` of its thresholded edges.
    pub avg_edge_symmetry_score: Option<f64>,
}

/// Statistics of one object that has co-shares.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectStat {
    /// The object.
    pub object: ObjectId,
    /// Shares of it in the input.
    pub shares: u32,
    /// Distinct accounts sharing it in the input.
    pub accounts: u32,
    /// Co-shares of it.
    pub coshares: u32,
    /// Distinct accounts in its co-shares.
    pub coshare_accounts: u32,
    /// Accounts of thresholded edges whose co-shares include it (CooRTweet's
    /// `group_stats` `num_accounts`; in CooRTweet mode only each edge's `from` endpoint counts).
    pub coordinated_accounts: u32,
    /// Time of its first share (input).
    pub first_time: i64,
    /// Time of its last share (input).
    pub last_time: i64,
    /// For a mass object (too widely co-shared to expand): its in-window share pairs.
    pub mass_pairs: Option<u64>,
}

/// Per-account statistics for every account with an edge in the full network,
/// ordered by account id.
pub fn accounts(
    ds: &Dataset,
    groups: &Groups,
    coshares: &[CoShare],
    edges: &[Edge],
    comps: &Components,
    mode: Mode,
) -> Vec<AccountStat> {
    let n = ds.accounts.len();
    let shares = &groups.shares_per_account;
    let coshared = distinct_posts_per_account(ds, coshares.iter().flat_map(|c| [c.early, c.late]));
    // Thresholded edge attributes per account.
    let mut incident: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    for e in edges.iter().filter(|e| e.full.above_threshold) {
        let v = (e.full.avg_time_delta(), e.full.edge_symmetry_score());
        incident[e.a as usize].push(v);
        incident[e.b as usize].push(v);
    }
    (0..n)
        .filter(|&a| comps.degree_full[a] > 0)
        .map(|a| {
            let mut vals = std::mem::take(&mut incident[a]);
            if mode == Mode::CoorTweet {
                // CooRTweet averages over unique (delta, symmetry) rows.
                vals.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
                vals.dedup();
            }
            let mean = |f: fn(&(f64, f64)) -> f64| {
                (!vals.is_empty()).then(|| vals.iter().map(f).sum::<f64>() / vals.len() as f64)
            };
            AccountStat {
                account: a as AccountId,
                shares: shares[a],
                coshared_posts: coshared[a],
                component: comps.component[a],
                degree: comps.degree[a],
                component_full: comps.component_full[a],
                degree_full: comps.degree_full[a],
                avg_time_delta: mean(|v| v.0),
                avg_edge_symmetry_score: mean(|v| v.1),
            }
        })
        .collect()
}

/// Per-object statistics for every object with a co-share and every mass object,
/// ordered by object id.
pub fn objects(
    ds: &Dataset,
    groups: &Groups,
    coshares: &[CoShare],
    mass: &[MassObject],
    net: &Network,
    mode: Mode,
) -> Vec<ObjectStat> {
    let n = ds.objects.len();
    let mut mass_pairs = vec![None; n];
    for m in mass {
        mass_pairs[m.object as usize] = Some(m.pairs);
    }
    let mut n_coshares = vec![0u32; n];
    for c in coshares {
        n_coshares[c.object as usize] += 1;
    }
    // Only these objects get a row: their shares are counted, and no other's.
    // (At 1M url posts, 2.5k of 194k objects; counting every object's shares and
    // distinct accounts was most of this stage.)
    let listed: Vec<ObjectId> =
        (0..n).filter(|&o| n_coshares[o] > 0 || mass_pairs[o].is_some()).map(|o| o as ObjectId).collect();
    let mut slot = vec![NOT_LISTED; n];
    for (k, &o) in listed.iter().enumerate() {
        slot[o as usize] = k as u32;
    }
    let m = listed.len();
    let (mut shares, mut first, mut last) = (vec![0u32; m], vec![i64::MAX; m], vec![i64::MIN; m]);
    // (listed slot, account) of every share of a listed object.
    let mut input_pairs: Vec<(u32, AccountId)> = Vec::new();
    for s in &ds.shares {
        let k = slot[s.object as usize];
        if k == NOT_LISTED {
            continue;
        }
        let i = k as usize;
        shares[i] += 1;
        first[i] = first[i].min(s.time);
        last[i] = last[i].max(s.time);
        input_pairs.push((k, s.account));
    }
    let input_accounts = distinct_per_bucket(m, &input_pairs, ds.accounts.len());
    let coshare_accounts = coshare_accounts_per_object(ds, coshares);
    let from_vertex = match mode {
        Mode::CoorTweet => Some(igraph_from(ds, groups, coshares, net)),
        Mode::Lockstep => None,
    };
    // (object, account) of the coordinated accounts of every object.
    let mut coordinated: Vec<(ObjectId, AccountId)> = Vec::new();
    for (e, edge) in net.edges.iter().enumerate() {
        if !edge.full.above_threshold {
            continue;
        }
        let ends: &[AccountId] = match &from_vertex {
            Some(from) => std::slice::from_ref(&from[e]),
            None => &[edge.a, edge.b],
        };
        for &r in net.rows_of(e) {
            for &a in ends {
                coordinated.push((coshares[r as usize].object, a));
            }
        }
    }
    let coordinated = distinct_per_bucket(n, &coordinated, ds.accounts.len());
    listed
        .iter()
        .enumerate()
        .map(|(k, &o)| {
            let i = o as usize;
            ObjectStat {
                object: o,
                shares: shares[k],
                accounts: input_accounts[k],
                coshares: n_coshares[i],
                coshare_accounts: coshare_accounts[i],
                coordinated_accounts: coordinated[i],
                first_time: first[k],
                last_time: last[k],
                mass_pairs: mass_pairs[i],
            }
        })
        .collect()
}

/// `slot` of an object without a row in [`objects`].
const NOT_LISTED: u32 = u32::MAX;

/// Distinct posts of every account among the given shares (indexed by account id).
///
/// A post id belongs to one account in any sane input, so each post is marked with
/// the first account seen with it; a share whose post is marked with another
/// account (a malformed input reusing post ids) is set aside and counted exactly.
pub(crate) fn distinct_posts_per_account(ds: &Dataset, shares: impl Iterator<Item = u32>) -> Vec<u32> {
    distinct_posts_of(
        ds,
        shares.map(|i| {
            let s = &ds.shares[i as usize];
            (s.account, s.post)
        }),
    )
}

/// [`distinct_posts_per_account`] over `(account, post)` pairs already read from
/// the shares.
pub(crate) fn distinct_posts_of(ds: &Dataset, pairs: impl Iterator<Item = (AccountId, u32)>) -> Vec<u32> {
    DistinctPosts::new(ds).count(pairs)
}

/// Counts distinct posts per account, again and again over the same dataset
/// (the participation filter's fixed point) with one post-owner table: a fresh
/// table per round would be fresh memory each time.
pub(crate) struct DistinctPosts {
    /// First account seen with each post (`NONE`: not seen this round).
    owner: Vec<AtomicU32>,
    n_accounts: usize,
    /// The table holds marks of an earlier round.
    used: bool,
}

const NONE: u32 = u32::MAX;

impl DistinctPosts {
    pub(crate) fn new(ds: &Dataset) -> Self {
        let owner = (0..ds.posts.len()).into_par_iter().map(|_| AtomicU32::new(NONE)).collect();
        DistinctPosts { owner, n_accounts: ds.accounts.len(), used: false }
    }

    fn start_round(&mut self) {
        if self.used {
            self.owner.par_iter_mut().for_each(|o| *o.get_mut() = NONE);
        }
        self.used = true;
    }

    /// Distinct posts of every account among `pairs` (indexed by account id).
    pub(crate) fn count(&mut self, pairs: impl Iterator<Item = (AccountId, u32)>) -> Vec<u32> {
        self.start_round();
        let mut count = vec![0u32; self.n_accounts];
        let mut others: Vec<u64> = Vec::new();
        for (account, post) in pairs {
            let o = self.owner[post as usize].get_mut();
            if *o == NONE {
                *o = account;
                count[account as usize] += 1;
            } else if *o != account {
                others.push(((account as u64) << 32) | post as u64);
            }
        }
        add_others(count, others)
    }

    /// [`DistinctPosts::count`] over the two `(account, post)` pairs of each
    /// item, on all cores. Each part of the items counts into its own array;
    /// a post's first account is claimed with a compare-and-swap, so whichever
    /// part claims it, every account of a post is counted once: the counts are
    /// those of one pass.
    pub(crate) fn count_par<T: Sync>(
        &mut self,
        items: &[T],
        pairs: impl Fn(&T) -> [(AccountId, u32); 2] + Sync,
    ) -> Vec<u32> {
        self.start_round();
        let (owner, n_accounts) = (&self.owner, self.n_accounts);
        let parts = items.par_chunks(1 << 16).map(|part| {
            let mut count = vec![0u32; n_accounts];
            let mut others: Vec<u64> = Vec::new();
            for (account, post) in part.iter().flat_map(&pairs) {
                let o = &owner[post as usize];
                let first = match o.load(Relaxed) {
                    NONE => o.compare_exchange(NONE, account, Relaxed, Relaxed).err(),
                    seen => Some(seen),
                };
                match first {
                    None => count[account as usize] += 1,
                    Some(seen) if seen != account => others.push(((account as u64) << 32) | post as u64),
                    Some(_) => {}
                }
            }
            (count, others)
        });
        let (count, others) = parts.reduce(
            || (vec![0u32; n_accounts], Vec::new()),
            |(mut count, mut others), (c, o)| {
                count.iter_mut().zip(c).for_each(|(x, y)| *x += y);
                others.extend(o);
                (count, others)
            },
        );
        add_others(count, others)
    }
}

/// `count` plus one for every distinct `(account, post)` of `others` (pairs of
/// a post and an account other than the post's first).
fn add_others(mut count: Vec<u32>, mut others: Vec<u64>) -> Vec<u32> {
    others.par_sort_unstable();
    others.dedup();
    for p in others {
        count[(p >> 32) as usize] += 1;
    }
    count
}

/// Distinct accounts in the co-shares of every object (indexed by object id).
/// Co-shares come grouped by object, so each object's accounts are counted alone.
fn coshare_accounts_per_object(ds: &Dataset, coshares: &[CoShare]) -> Vec<u32> {
    use rayon::prelude::*;
    let mut out = vec![0u32; ds.objects.len()];
    let runs: Vec<(ObjectId, u32)> = coshares
        .chunk_by(|x, y| x.object == y.object)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map_init(Vec::new, |accounts: &mut Vec<AccountId>, run| {
            accounts.clear();
            accounts.extend(run.iter().flat_map(|c| [c.early, c.late].map(|i| ds.shares[i as usize].account)));
            accounts.sort_unstable();
            accounts.dedup();
            (run[0].object, accounts.len() as u32)
        })
        .collect();
    for (o, n) in runs {
        // `enumerate` emits each object's co-shares together and the filters keep their order.
        debug_assert_eq!(out[o as usize], 0, "co-shares of object {o} are not contiguous");
        out[o as usize] = n;
    }
    out
}

/// The endpoint igraph reports as `from` for each edge in CooRTweet: igraph
/// numbers vertices by first appearance in `c(account_id, account_id_y)` of the
/// aggregated edge table (pairs ordered with `pmin`/`pmax` by string, rows in order
/// of first appearance in CooRTweet's natural result order), and an undirected
/// edge's `from` is its endpoint with the smaller vertex number.
fn igraph_from(ds: &Dataset, groups: &Groups, coshares: &[CoShare], net: &Network) -> Vec<AccountId> {
    // Natural order of result rows: objects by first appearance in the
    // account-grouped input, then (later row, earlier row) in that order.
    let mut obj_rank = vec![u32::MAX; ds.objects.len()];
    for &i in &groups.order {
        let o = ds.shares[i as usize].object as usize;
        obj_rank[o] = obj_rank[o].min(groups.tie_rank(i));
    }
    let natural = |c: &CoShare| {
        let (x, y) = (groups.tie_rank(c.early), groups.tie_rank(c.late));
        (obj_rank[c.object as usize], x.max(y), x.min(y))
    };
    let mut edge_order: Vec<(u32, u32, u32, usize)> = (0..net.edges.len())
        .map(|e| {
            let k = net.rows_of(e).iter().map(|&r| natural(&coshares[r as usize])).min().expect("edge has rows");
            (k.0, k.1, k.2, e)
        })
        .collect();
    edge_order.sort_unstable();
    let name = |a: AccountId| ds.accounts.get(a);
    let ends = |e: &Edge| if name(e.a) <= name(e.b) { (e.a, e.b) } else { (e.b, e.a) };
    let mut vertex = vec![u32::MAX; ds.accounts.len()];
    let mut next = 0u32;
    for pass in 0..2 {
        for &(_, _, _, e) in &edge_order {
            let (p, q) = ends(&net.edges[e]);
            let v = if pass == 0 { p } else { q };
            if vertex[v as usize] == u32::MAX {
                vertex[v as usize] = next;
                next += 1;
            }
        }
    }
    net.edges.iter().map(|e| if vertex[e.a as usize] < vertex[e.b as usize] { e.a } else { e.b }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Post ids reused across accounts (a malformed input) are still counted per
    /// (account, post): a has p and q, b has p, c has nothing.
    #[test]
    fn distinct_posts_survive_reused_post_ids() {
        let mut ds = Dataset::default();
        ds.push("a", "o1", "url", "p", 0);
        ds.push("b", "o1", "url", "p", 1);
        ds.push("a", "o2", "url", "p", 2);
        ds.push("b", "o2", "url", "p", 3);
        ds.push("a", "o3", "url", "q", 4);
        ds.push("c", "o3", "url", "r", 5);
        let count = distinct_posts_per_account(&ds, [0, 1, 2, 3, 1, 4].into_iter());
        assert_eq!(count, vec![2, 1, 0]);
    }

    proptest::proptest! {
        // Large inputs (parts of 65,536 items), so few cases.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
        /// On all cores, in any number of rounds, the counts of one pass:
        /// posts shared by several accounts (reused ids) and repeated pairs
        /// included, across parts of the items.
        #[test]
        fn parallel_counts_equal_one_pass(
            items in proptest::collection::vec(((0u32..6, 0u32..40), (0u32..6, 0u32..40)), 0..200_000),
        ) {
            let mut ds = Dataset::default();
            for a in 0..6 {
                ds.accounts.intern(&format!("a{a}"));
            }
            for p in 0..40 {
                ds.posts.intern(&format!("p{p}"));
            }
            let pairs = |&(x, y): &((u32, u32), (u32, u32))| [x, y];
            let one_pass = DistinctPosts::new(&ds).count(items.iter().flat_map(pairs));
            let mut table = DistinctPosts::new(&ds);
            for _ in 0..2 {
                proptest::prop_assert_eq!(&table.count_par(&items, pairs), &one_pass);
            }
        }
    }
}
