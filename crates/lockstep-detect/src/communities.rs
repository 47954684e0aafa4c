//! Communities of the thresholded network: the Leiden algorithm.
//!
//! Traag V. A., Waltman L., van Eck N. J. (2019). From Louvain to Leiden:
//! guaranteeing well-connected communities. *Scientific Reports* 9, 5233.
//! <https://doi.org/10.1038/s41598-019-41695-z>
//!
//! Implemented here from the paper (its Algorithm A.2) for **modularity with a
//! resolution parameter** γ on a weighted undirected graph:
//! `Q = 1/(2m) · Σ_c [ 2·in_c − γ·K_c² / (2m) ]`, where `in_c` is the weight of
//! the edges inside community `c`, `K_c` the sum of its nodes' strengths
//! (weighted degrees) and `2m` the sum of all strengths. γ = 1 is classic
//! modularity; larger γ gives smaller communities.
//!
//! One iteration of Leiden repeats three phases until every community of the
//! current (aggregate) graph is a single node:
//! 1. **Fast local moving**: nodes are visited from a queue (initially all nodes
//!    in random order); a node moves to the neighbouring community (or an empty
//!    one) that increases Q most, strictly; the neighbours that are not in its new
//!    community are queued again.
//! 2. **Refinement**: inside each community, starting from singletons, each node
//!    still alone in its refined community and *well connected* to its community
//!    (`E(v, S − v) ≥ γ·k_v·(K_S − k_v)/(2m)`) may join a well-connected refined
//!    community `T` of the same community, chosen at random with probability
//!    `∝ exp(ΔQ/θ)` among those with `ΔQ ≥ 0` (staying alone has ΔQ = 0), θ = 0.01.
//!    This is what guarantees that communities are connected.
//! 3. **Aggregation**: the refined communities become the nodes of the next
//!    graph; its initial partition is the unrefined one. (When refinement merges
//!    nothing, the unrefined communities are aggregated instead, so the graph
//!    always shrinks and the loop ends.)
//!
//! Iterations are repeated from the previous result until the partition no
//! longer changes (at most [`MAX_ITERATIONS`]).
//!
//! **Determinism.** All randomness (visit orders, refinement choices) comes
//! from one ChaCha8 generator seeded with the given seed; ties between equally
//! good moves go to the current community, then to the first candidate in
//! adjacency order. Same graph, resolution and seed → same partition, run after
//! run. (Across platforms, the refinement's `exp` comes from the platform's math
//! library; a last-bit difference there could, rarely, change one random choice.)
//! Communities are numbered from 1 by decreasing size, ties by the
//! smallest node (account id), like components.
//!
//! Cost: each local-moving pass is O(E) and the aggregate graphs shrink, so an
//! iteration is close to linear in the edges of the thresholded network.

use crate::network::Edge;
use lockstep_core::AccountId;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// At most this many Leiden iterations (each to convergence of its own phases).
pub const MAX_ITERATIONS: usize = 10;

/// Randomness θ of the refinement phase (the paper's default).
const THETA: f64 = 0.01;

/// Communities of the thresholded network.
#[derive(Debug, Clone, PartialEq)]
pub struct Communities {
    /// Community (1-based) of every account id; `None` for accounts outside the
    /// thresholded network.
    pub of_account: Vec<Option<u32>>,
    /// Number of communities.
    pub count: u32,
    /// Modularity of the partition (with the resolution used).
    pub modularity: f64,
}

/// Leiden communities of the thresholded network (edges above threshold,
/// weighted by their combined weight: the co-shares, unless kind weights are given).
pub fn compute(n_accounts: usize, edges: &[Edge], resolution: f64, seed: u64) -> Communities {
    let kept: Vec<&Edge> = edges.iter().filter(|e| e.full.above_threshold).collect();
    let mut node_of = vec![u32::MAX; n_accounts];
    let mut account_of: Vec<AccountId> = Vec::new();
    for e in &kept {
        node_of[e.a as usize] = 0;
        node_of[e.b as usize] = 0;
    }
    // Nodes in account id order.
    for (a, slot) in node_of.iter_mut().enumerate() {
        if *slot != u32::MAX {
            *slot = account_of.len() as u32;
            account_of.push(a as AccountId);
        }
    }
    let triples: Vec<(u32, u32, f64)> =
        kept.iter().map(|e| (node_of[e.a as usize], node_of[e.b as usize], e.full.combined_weight)).collect();
    let graph = Graph::from_edges(account_of.len(), &triples);
    let part = leiden(&graph, resolution, seed);
    let modularity = modularity(&graph, &part, resolution);
    let numbered = number_by_size(&part);
    let mut of_account = vec![None; n_accounts];
    for (v, &a) in account_of.iter().enumerate() {
        of_account[a as usize] = Some(numbered[v] + 1);
    }
    let count = numbered.iter().max().map_or(0, |&m| m + 1);
    Communities { of_account, count, modularity }
}

/// A weighted undirected graph in compressed adjacency form. Self-loops (in
/// aggregate graphs) are stored once per direction like other edges but never
/// count as a neighbour; `strength` is given, not derived from them.
#[derive(Debug, Clone)]
pub struct Graph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
    strength: Vec<f64>,
    total: f64,
}

impl Graph {
    /// Builds a graph of `n` nodes from undirected edges `(u, v, weight)`;
    /// parallel edges are summed, self-loops are ignored.
    pub fn from_edges(n: usize, edges: &[(u32, u32, f64)]) -> Graph {
        let mut strength = vec![0.0; n];
        let mut arcs: Vec<(u32, u32, f64)> = Vec::with_capacity(edges.len() * 2);
        for &(u, v, w) in edges {
            if u != v {
                arcs.push((u, v, w));
                arcs.push((v, u, w));
                strength[u as usize] += w;
                strength[v as usize] += w;
            }
        }
        Graph::from_arcs(n, arcs, strength)
    }

    fn from_arcs(n: usize, mut arcs: Vec<(u32, u32, f64)>, strength: Vec<f64>) -> Graph {
        arcs.sort_unstable_by_key(|a| (a.0, a.1));
        let mut offsets = vec![0usize; n + 1];
        let mut targets = Vec::with_capacity(arcs.len());
        let mut weights: Vec<f64> = Vec::with_capacity(arcs.len());
        let mut last: Option<(u32, u32)> = None;
        for (u, v, w) in arcs {
            if last == Some((u, v)) {
                *weights.last_mut().expect("previous arc") += w;
            } else {
                targets.push(v);
                weights.push(w);
                offsets[u as usize + 1] += 1;
                last = Some((u, v));
            }
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let total = strength.iter().sum();
        Graph { offsets, targets, weights, strength, total }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.strength.len()
    }

    /// True when the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.strength.is_empty()
    }

    fn neighbours(&self, v: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.offsets[v]..self.offsets[v + 1];
        self.targets[r.clone()]
            .iter()
            .zip(&self.weights[r])
            .map(|(&u, &w)| (u as usize, w))
            .filter(move |&(u, _)| u != v)
    }
}

/// Modularity of a partition (community label per node) with resolution γ.
/// 0 for a graph without edges.
pub fn modularity(g: &Graph, part: &[u32], resolution: f64) -> f64 {
    if g.total <= 0.0 {
        return 0.0;
    }
    let k = part.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut inside = 0.0;
    let mut total = vec![0.0; k];
    for v in 0..g.len() {
        total[part[v] as usize] += g.strength[v];
        for (u, w) in g.neighbours(v) {
            if part[u] == part[v] {
                inside += w;
            }
        }
    }
    let expected: f64 = total.iter().map(|t| t * t).sum::<f64>() * resolution / g.total;
    (inside - expected) / g.total
}

/// Leiden partition of `g` (a community label per node, labels `< g.len()`).
pub fn leiden(g: &Graph, resolution: f64, seed: u64) -> Vec<u32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut part: Vec<u32> = (0..g.len() as u32).collect();
    if g.total <= 0.0 {
        return part;
    }
    for _ in 0..MAX_ITERATIONS {
        let next = iteration(g, &part, resolution, &mut rng);
        let next = relabel(&next);
        if next == part {
            break;
        }
        part = next;
    }
    part
}

/// One Leiden iteration from an initial partition of the base graph.
fn iteration(base: &Graph, initial: &[u32], gamma: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut owned: Option<Graph> = None;
    let mut part = initial.to_vec();
    // Aggregate node of every base node.
    let mut node_of: Vec<u32> = (0..base.len() as u32).collect();
    loop {
        let g = owned.as_ref().unwrap_or(base);
        move_nodes(g, &mut part, gamma, rng);
        let n_comms = relabel(&part).iter().max().map_or(0, |&m| m as usize + 1);
        if n_comms == g.len() {
            break;
        }
        let mut refined = relabel(&refine(g, &part, gamma, rng));
        let n_refined = refined.iter().max().map_or(0, |&m| m as usize + 1);
        if n_refined == g.len() {
            // Refinement merged nothing: aggregate the unrefined communities.
            refined = relabel(&part);
        }
        let n_next = refined.iter().max().map_or(0, |&m| m as usize + 1);
        let mut next_part = vec![0u32; n_next];
        for v in 0..g.len() {
            next_part[refined[v] as usize] = part[v];
        }
        let next = aggregate(g, &refined, n_next);
        for x in node_of.iter_mut() {
            *x = refined[*x as usize];
        }
        part = relabel(&next_part);
        owned = Some(next);
    }
    node_of.iter().map(|&x| part[x as usize]).collect()
}

/// Fast local moving (phase 1). Moves only on strict improvement.
fn move_nodes(g: &Graph, part: &mut [u32], gamma: f64, rng: &mut ChaCha8Rng) {
    let n = g.len();
    let mut comm_weight = vec![0.0; n];
    let mut comm_size = vec![0u32; n];
    for v in 0..n {
        comm_weight[part[v] as usize] += g.strength[v];
        comm_size[part[v] as usize] += 1;
    }
    let mut empty: Vec<u32> = (0..n as u32).filter(|&c| comm_size[c as usize] == 0).rev().collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    let mut queue: VecDeque<u32> = order.into_iter().collect();
    let mut queued = vec![true; n];
    let mut link = vec![0.0; n];
    let mut is_touched = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    while let Some(v) = queue.pop_front() {
        let v = v as usize;
        queued[v] = false;
        let cur = part[v] as usize;
        let kv = g.strength[v];
        for (u, w) in g.neighbours(v) {
            let c = part[u] as usize;
            if !is_touched[c] {
                is_touched[c] = true;
                touched.push(c as u32);
            }
            link[c] += w;
        }
        comm_weight[cur] -= kv;
        comm_size[cur] -= 1;
        let gain = |c: usize, link: &[f64]| link[c] - gamma * kv * comm_weight[c] / g.total;
        let mut best = cur;
        let mut best_gain = gain(cur, &link);
        for &c in &touched {
            let c = c as usize;
            let gc = gain(c, &link);
            if gc > best_gain {
                best = c;
                best_gain = gc;
            }
        }
        if best_gain < 0.0 {
            // An empty community (gain 0) is better; `cur` is one if v was alone.
            best = if comm_size[cur] == 0 { cur } else { empty.pop().expect("an empty community") as usize };
        }
        for &c in &touched {
            link[c as usize] = 0.0;
            is_touched[c as usize] = false;
        }
        touched.clear();
        comm_weight[best] += kv;
        comm_size[best] += 1;
        if comm_size[cur] == 0 && best != cur {
            empty.push(cur as u32);
        }
        if best != cur {
            part[v] = best as u32;
            for (u, _) in g.neighbours(v) {
                if !queued[u] && part[u] as usize != best {
                    queued[u] = true;
                    queue.push_back(u as u32);
                }
            }
        }
    }
}

/// Refinement (phase 2): a refined partition whose communities are subsets of
/// `part`'s, each connected.
fn refine(g: &Graph, part: &[u32], gamma: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let n = g.len();
    let mut comm_total = vec![0.0; n];
    for v in 0..n {
        comm_total[part[v] as usize] += g.strength[v];
    }
    let mut refined: Vec<u32> = (0..n as u32).collect();
    let mut r_weight = g.strength.clone();
    let mut r_size = vec![1u32; n];
    // External weight of each refined community inside its community: E(T, S − T).
    let mut ext: Vec<f64> =
        (0..n).map(|v| g.neighbours(v).filter(|&(u, _)| part[u] == part[v]).map(|(_, w)| w).sum()).collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    let mut link = vec![0.0; n];
    let mut is_touched = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut candidates: Vec<(u32, f64)> = Vec::new();
    let m = g.total / 2.0;
    for v in order {
        let v = v as usize;
        if r_size[refined[v] as usize] != 1 {
            continue;
        }
        let s = part[v] as usize;
        let kv = g.strength[v];
        if ext[v] < gamma * kv * (comm_total[s] - kv) / g.total {
            continue; // v is not well connected to its community
        }
        for (u, w) in g.neighbours(v) {
            if part[u] as usize != s {
                continue;
            }
            let t = refined[u] as usize;
            if t != refined[v] as usize {
                if !is_touched[t] {
                    is_touched[t] = true;
                    touched.push(t as u32);
                }
                link[t] += w;
            }
        }
        candidates.clear();
        candidates.push((refined[v], 0.0)); // stay alone
        for &t in &touched {
            let t = t as usize;
            let well_connected = ext[t] >= gamma * r_weight[t] * (comm_total[s] - r_weight[t]) / g.total;
            let dq = (link[t] - gamma * kv * r_weight[t] / g.total) / m;
            if well_connected && dq >= 0.0 {
                candidates.push((t as u32, dq));
            }
        }
        if candidates.len() > 1 {
            let top = candidates.iter().map(|c| c.1).fold(0.0, f64::max);
            let weights: Vec<f64> = candidates.iter().map(|c| ((c.1 - top) / THETA).exp()).collect();
            let mut r = rng.random::<f64>() * weights.iter().sum::<f64>();
            let mut chosen = candidates[candidates.len() - 1].0;
            for (c, w) in candidates.iter().zip(&weights) {
                if r < *w {
                    chosen = c.0;
                    break;
                }
                r -= w;
            }
            let t = chosen as usize;
            if t != refined[v] as usize {
                let own = refined[v] as usize;
                ext[t] = ext[t] + ext[own] - 2.0 * link[t];
                r_weight[t] += kv;
                r_size[t] += 1;
                r_size[own] = 0;
                refined[v] = chosen;
            }
        }
        for &t in &touched {
            link[t as usize] = 0.0;
            is_touched[t as usize] = false;
        }
        touched.clear();
    }
    refined
}

/// Aggregation (phase 3): one node per community of `comm` (labels `0..k`).
fn aggregate(g: &Graph, comm: &[u32], k: usize) -> Graph {
    let mut strength = vec![0.0; k];
    let mut arcs: Vec<(u32, u32, f64)> = Vec::with_capacity(g.targets.len());
    for v in 0..g.len() {
        strength[comm[v] as usize] += g.strength[v];
        let r = g.offsets[v]..g.offsets[v + 1];
        for (&u, &w) in g.targets[r.clone()].iter().zip(&g.weights[r]) {
            arcs.push((comm[v], comm[u as usize], w));
        }
    }
    Graph::from_arcs(k, arcs, strength)
}

/// Labels renumbered `0, 1, …` in order of first appearance.
fn relabel(part: &[u32]) -> Vec<u32> {
    let mut map = vec![u32::MAX; part.iter().map(|&c| c as usize + 1).max().unwrap_or(0)];
    let mut next = 0;
    part.iter()
        .map(|&c| {
            if map[c as usize] == u32::MAX {
                map[c as usize] = next;
                next += 1;
            }
            map[c as usize]
        })
        .collect()
}

/// Labels renumbered `0, 1, …` by decreasing community size, ties by the
/// smallest node.
fn number_by_size(part: &[u32]) -> Vec<u32> {
    let part = relabel(part); // labels in order of smallest node
    let k = part.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut size = vec![0usize; k];
    for &c in &part {
        size[c as usize] += 1;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(size[c]), c));
    let mut rank = vec![0u32; k];
    for (r, &c) in order.iter().enumerate() {
        rank[c] = r as u32;
    }
    part.iter().map(|&c| rank[c as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clique(nodes: std::ops::Range<u32>, w: f64, out: &mut Vec<(u32, u32, f64)>) {
        for a in nodes.clone() {
            for b in a + 1..nodes.end {
                out.push((a, b, w));
            }
        }
    }

    /// Same label ⇔ same block, for blocks of `size` consecutive nodes.
    fn is_blocks(part: &[u32], size: usize) -> bool {
        (0..part.len()).all(|i| (0..part.len()).all(|j| (part[i] == part[j]) == (i / size == j / size)))
    }

    #[test]
    fn two_cliques_joined_by_one_edge() {
        let mut e = Vec::new();
        clique(0..5, 1.0, &mut e);
        clique(5..10, 1.0, &mut e);
        e.push((4, 5, 1.0));
        let g = Graph::from_edges(10, &e);
        for seed in 0..20 {
            let part = leiden(&g, 1.0, seed);
            assert!(is_blocks(&part, 5), "seed {seed}: {part:?}");
        }
        // Known modularity: in_c = 10 each, K_c = 21 each, 2m = 42.
        let q = modularity(&g, &leiden(&g, 1.0, 1), 1.0);
        let expect = (40.0 - 2.0 * 21.0 * 21.0 / 42.0) / 42.0;
        assert!((q - expect).abs() < 1e-12, "{q} vs {expect}");
    }

    #[test]
    fn ring_of_cliques() {
        // 8 cliques of 6 nodes, clique i joined to clique i+1 by one edge.
        let (k, s) = (8u32, 6u32);
        let mut e = Vec::new();
        for i in 0..k {
            clique(i * s..(i + 1) * s, 1.0, &mut e);
            e.push((i * s, ((i + 1) % k) * s + 1, 1.0));
        }
        let g = Graph::from_edges((k * s) as usize, &e);
        for seed in 0..10 {
            let part = leiden(&g, 1.0, seed);
            assert!(is_blocks(&part, s as usize), "seed {seed}: {part:?}");
        }
        // A very low resolution merges everything.
        assert_eq!(leiden(&g, 0.01, 3).iter().max(), Some(&0));
    }

    fn random_graph(seed: u64, n: u32, p: f64) -> Vec<(u32, u32, f64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut e = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                // Denser inside blocks of 10 so there is structure to find.
                let q = if a / 10 == b / 10 { 0.5 } else { p };
                if rng.random::<f64>() < q {
                    e.push((a, b, rng.random_range(1..5) as f64));
                }
            }
        }
        e
    }

    fn connected_within(g: &Graph, part: &[u32]) -> bool {
        let n = g.len();
        let mut seen = vec![false; n];
        let mut comms_seen = std::collections::HashSet::new();
        for s in 0..n {
            if seen[s] {
                continue;
            }
            // Each community must be reached by exactly one flood fill.
            if !comms_seen.insert(part[s]) {
                return false;
            }
            let mut stack = vec![s];
            seen[s] = true;
            while let Some(v) = stack.pop() {
                for (u, _) in g.neighbours(v) {
                    if !seen[u] && part[u] == part[v] {
                        seen[u] = true;
                        stack.push(u);
                    }
                }
            }
        }
        true
    }

    #[test]
    fn same_seed_same_partition_and_never_worse_than_singletons() {
        for seed in 0..30 {
            let e = random_graph(seed, 60, 0.03);
            let g = Graph::from_edges(60, &e);
            let a = leiden(&g, 1.0, 7);
            assert_eq!(a, leiden(&g, 1.0, 7), "graph {seed}: not deterministic");
            let singletons: Vec<u32> = (0..60).collect();
            for gamma in [0.5, 1.0, 2.0] {
                let part = leiden(&g, gamma, seed);
                let q = modularity(&g, &part, gamma);
                assert!(q >= modularity(&g, &singletons, gamma) - 1e-12, "graph {seed} γ {gamma}: {q}");
                assert!(connected_within(&g, &part), "graph {seed} γ {gamma}: a community is disconnected");
            }
        }
    }

    /// Zachary's karate club (1977), 34 members, 78 ties: its best partition
    /// has modularity 0.4198 (4 communities; Brandes et al. 2008 prove it optimal).
    #[test]
    fn karate_club_reaches_the_known_optimum() {
        const TIES: &str = "1-2 1-3 1-4 1-5 1-6 1-7 1-8 1-9 1-11 1-12 1-13 1-14 1-18 1-20 1-22 1-32 \
            2-3 2-4 2-8 2-14 2-18 2-20 2-22 2-31 3-4 3-8 3-9 3-10 3-14 3-28 3-29 3-33 4-8 4-13 4-14 \
            5-7 5-11 6-7 6-11 6-17 7-17 9-31 9-33 9-34 10-34 14-34 15-33 15-34 16-33 16-34 19-33 19-34 \
            20-34 21-33 21-34 23-33 23-34 24-26 24-28 24-30 24-33 24-34 25-26 25-28 25-32 26-32 27-30 \
            27-34 28-34 29-32 29-34 30-33 30-34 31-33 31-34 32-33 32-34 33-34";
        let e: Vec<(u32, u32, f64)> = TIES
            .split_whitespace()
            .map(|t| {
                let (a, b) = t.split_once('-').unwrap();
                (a.parse::<u32>().unwrap() - 1, b.parse::<u32>().unwrap() - 1, 1.0)
            })
            .collect();
        assert_eq!(e.len(), 78);
        let g = Graph::from_edges(34, &e);
        let qs: Vec<f64> = (0..10).map(|seed| modularity(&g, &leiden(&g, 1.0, seed), 1.0)).collect();
        let best = qs.iter().copied().fold(f64::MIN, f64::max);
        assert!((best - 0.4198).abs() < 1e-4, "{qs:?}");
        assert!(qs.iter().all(|&q| q > 0.40), "{qs:?}");
    }

    #[test]
    fn numbering_by_size_then_smallest_node() {
        assert_eq!(number_by_size(&[5, 5, 2, 7, 7, 7]), [1, 1, 2, 0, 0, 0]);
        assert_eq!(number_by_size(&[3, 1, 3, 1]), [0, 1, 0, 1]);
    }

    #[test]
    fn compute_on_detection_edges_skips_accounts_outside_the_thresholded_network() {
        use crate::network::EdgeAttrs;
        let edge = |a, b, w, above| {
            Edge::new(
                a,
                b,
                EdgeAttrs { weight: w, above_threshold: above, combined_weight: w as f64, ..EdgeAttrs::default() },
                1,
            )
        };
        // Accounts 0-2 a triangle, 3-5 a triangle, joined by 2-3; account 6 only below threshold.
        let edges = vec![
            edge(0, 1, 5, true),
            edge(0, 2, 5, true),
            edge(1, 2, 5, true),
            edge(2, 3, 2, true),
            edge(3, 4, 5, true),
            edge(3, 5, 5, true),
            edge(4, 5, 5, true),
            edge(5, 6, 1, false),
        ];
        let c = compute(8, &edges, 1.0, 42);
        assert_eq!(c.of_account, [Some(1), Some(1), Some(1), Some(2), Some(2), Some(2), None, None]);
        assert_eq!(c.count, 2);
        assert!(c.modularity > 0.3, "{}", c.modularity);
    }
}
