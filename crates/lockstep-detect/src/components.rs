//! Stage 4: connected components and degrees, of the thresholded network (edges
//! above the threshold) and of the full network.

use crate::network::Edge;

/// Component and degree of every account (indexed by account id).
#[derive(Debug, Clone)]
pub struct Components {
    /// Component in the thresholded network (1-based), `None` when the account has no edge there.
    pub component: Vec<Option<u32>>,
    /// Degree in the thresholded network.
    pub degree: Vec<u32>,
    /// Component in the full network (1-based).
    pub component_full: Vec<Option<u32>>,
    /// Degree in the full network.
    pub degree_full: Vec<u32>,
    /// Number of components of the thresholded network.
    pub n_components: usize,
    /// Number of components of the full network.
    pub n_components_full: usize,
}

/// Computes components with union-find. Components are numbered from 1 by
/// decreasing size, ties by the smallest account id (first appearance in the
/// input), so numbering is deterministic.
pub fn compute(n_accounts: usize, edges: &[Edge]) -> Components {
    let (component, degree, n_components) = label(n_accounts, edges.iter().filter(|e| e.full.above_threshold));
    let (component_full, degree_full, n_components_full) = label(n_accounts, edges.iter());
    Components { component, degree, component_full, degree_full, n_components, n_components_full }
}

fn label<'a>(n: usize, edges: impl Iterator<Item = &'a Edge>) -> (Vec<Option<u32>>, Vec<u32>, usize) {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut degree = vec![0u32; n];
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            let gp = p[p[x as usize] as usize];
            p[x as usize] = gp;
            x = gp;
        }
        x
    }
    for e in edges {
        degree[e.a as usize] += 1;
        degree[e.b as usize] += 1;
        let (ra, rb) = (find(&mut parent, e.a), find(&mut parent, e.b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi as usize] = lo; // root = smallest account id
        }
    }
    let mut size = vec![0u32; n];
    for v in 0..n as u32 {
        if degree[v as usize] > 0 {
            let r = find(&mut parent, v);
            size[r as usize] += 1;
        }
    }
    let mut roots: Vec<u32> = (0..n as u32).filter(|&r| size[r as usize] > 0).collect();
    roots.sort_by_key(|&r| (std::cmp::Reverse(size[r as usize]), r));
    let mut number = vec![0u32; n];
    for (i, &r) in roots.iter().enumerate() {
        number[r as usize] = i as u32 + 1;
    }
    let comp = (0..n as u32).map(|v| (degree[v as usize] > 0).then(|| number[find(&mut parent, v) as usize])).collect();
    (comp, degree, roots.len())
}
