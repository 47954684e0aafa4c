//! Properties of the engine on random small datasets.

use lockstep_core::Dataset;
use lockstep_detect::{detect, Params};
use proptest::prelude::*;
use std::collections::BTreeMap;

type Row = (u8, u8, u16);

fn dataset(rows: &[Row]) -> Dataset {
    let mut ds = Dataset::default();
    for (i, &(a, o, t)) in rows.iter().enumerate() {
        ds.push(&format!("a{a}"), &format!("o{o}"), "url", &format!("p{i}"), t as i64);
    }
    ds
}

fn weights(rows: &[Row], params: &Params) -> BTreeMap<(String, String), u32> {
    let ds = dataset(rows);
    let found = detect(&ds, params).unwrap();
    found
        .edges
        .iter()
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            (if x <= y { (x, y) } else { (y, x) }, e.full.weight)
        })
        .collect()
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((0u8..12, 0u8..6, 0u16..400), 0..120)
}

proptest! {
    /// The network does not depend on the order of the input rows (post ids travel with their rows).
    #[test]
    fn network_independent_of_input_order(rows in rows(), seed in any::<u64>()) {
        let params = Params { window: lockstep_detect::Window::Seconds(30), min_participation: 2, ..Params::default() };
        // Post ids are assigned by position, so shuffle (row, original index) pairs
        // with a deterministic Fisher–Yates from the seed.
        let original = weights(&rows, &params);
        let mut indexed: Vec<(Row, usize)> = rows.iter().copied().zip(0..).collect();
        let mut s2 = seed | 1;
        for i in (1..indexed.len()).rev() {
            s2 ^= s2 << 13; s2 ^= s2 >> 7; s2 ^= s2 << 17;
            indexed.swap(i, (s2 % (i as u64 + 1)) as usize);
        }
        let mut ds2 = Dataset::default();
        for &((a, o, t), i) in &indexed {
            ds2.push(&format!("a{a}"), &format!("o{o}"), "url", &format!("p{i}"), t as i64);
        }
        let found = detect(&ds2, &params).unwrap();
        let reordered: BTreeMap<(String, String), u32> = found.edges.iter().map(|e| {
            let (x, y) = (ds2.accounts.get(e.a).to_string(), ds2.accounts.get(e.b).to_string());
            (if x <= y { (x, y) } else { (y, x) }, e.full.weight)
        }).collect();
        prop_assert_eq!(original, reordered);
    }

    /// With M = 1 (no participation filtering), a larger window gives a superset of co-shares:
    /// every edge survives with at least its weight.
    #[test]
    fn larger_window_gives_superset(rows in rows(), w in 0u32..60, extra in 1u32..120) {
        let small = weights(&rows, &Params { window: lockstep_detect::Window::Seconds(w), min_participation: 1, ..Params::default() });
        let large = weights(&rows, &Params { window: lockstep_detect::Window::Seconds(w + extra), min_participation: 1, ..Params::default() });
        for (pair, weight) in &small {
            prop_assert!(large.get(pair).is_some_and(|l| l >= weight), "{:?}", pair);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The result does not depend on the number of threads: the network's
    /// counting sort cuts the co-shares into one part per thread when accounts
    /// have many co-shares each (few accounts, dense times, as here).
    #[test]
    fn same_result_on_any_number_of_threads(rows in prop::collection::vec((0u8..4, 0u8..3, 0u16..100), 100..300)) {
        let ds = dataset(&rows);
        let params = Params { window: lockstep_detect::Window::Seconds(60), fast_window: Some(10), min_participation: 2, ..Params::default() };
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let found = pool.install(|| detect(&ds, &params).unwrap());
            format!("{:?}", (&found.edges, &found.edge_rows, &found.edge_offsets, &found.coshares))
        };
        let one = run(1);
        prop_assert_eq!(&one, &run(2));
        prop_assert_eq!(&one, &run(4));
    }
}
