//! The multiplex network: co-shares per object kind on every edge, kind weights
//! in the combined weight, and the summaries by kind. Small exact cases computed
//! by hand, plus properties on random two-kind data.

use lockstep_core::Dataset;
use lockstep_detect::{detect, summarize_groups, summarize_kinds, Detection, Params};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Three accounts, two kinds (window 10):
/// - a–b: url u1 (Δ2), url u2 (Δ3), hashtag h1 twice (Δ1, Δ5) → url 2 (2 objects,
///   mean 2.5 s), hashtag 2 (1 object, mean 3 s); weight 4.
/// - a–c: hashtags h2 (Δ1), h3 (Δ2), h4 (Δ0) → hashtag 3 (3 objects, mean 1 s); weight 3.
/// - b–c: url u3 (Δ5) → url 1; weight 1.
fn two_kinds() -> Dataset {
    let mut ds = Dataset::default();
    let rows: [(&str, &str, &str, i64); 16] = [
        ("a", "u1", "url", 0),
        ("b", "u1", "url", 2),
        ("a", "u2", "url", 100),
        ("b", "u2", "url", 103),
        ("a", "h1", "hashtag", 200),
        ("b", "h1", "hashtag", 201),
        ("a", "h1", "hashtag", 300),
        ("b", "h1", "hashtag", 305),
        ("a", "h2", "hashtag", 400),
        ("c", "h2", "hashtag", 401),
        ("a", "h3", "hashtag", 500),
        ("c", "h3", "hashtag", 502),
        ("a", "h4", "hashtag", 600),
        ("c", "h4", "hashtag", 600),
        ("b", "u3", "url", 700),
        ("c", "u3", "url", 705),
    ];
    for (i, (acc, obj, kind, t)) in rows.into_iter().enumerate() {
        ds.push(acc, obj, kind, &format!("p{i}"), t);
    }
    ds
}

fn params(kind_weights: &[(&str, f64)]) -> Params {
    Params {
        window: lockstep_detect::Window::Seconds(10),
        min_participation: 1,
        edge_quantile: 0.5,
        kind_weights: kind_weights.iter().map(|(k, w)| (k.to_string(), *w)).collect(),
        ..Params::default()
    }
}

/// (a, b) → [(kind, weight, weight_fast, n_objects, avg_time_delta)]
type KindRow = (String, u32, u32, u32, f64);

fn per_kind(ds: &Dataset, det: &Detection) -> BTreeMap<(String, String), Vec<KindRow>> {
    det.edges
        .iter()
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            let kinds = e
                .kinds()
                .as_slice()
                .iter()
                .map(|k| (ds.kinds.get(k.kind).to_string(), k.weight, k.weight_fast, k.n_objects, k.avg_time_delta()))
                .collect();
            ((x.clone().min(y.clone()), x.max(y)), kinds)
        })
        .collect()
}

fn above(ds: &Dataset, det: &Detection) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = det
        .edges
        .iter()
        .filter(|e| e.full.above_threshold)
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            (x.clone().min(y.clone()), x.max(y))
        })
        .collect();
    v.sort();
    v
}

fn pair(x: &str, y: &str) -> (String, String) {
    (x.to_string(), y.to_string())
}

fn k(kind: &str, weight: u32, fast: u32, objects: u32, avg: f64) -> KindRow {
    (kind.to_string(), weight, fast, objects, avg)
}

#[test]
fn per_kind_weights_by_hand() {
    let ds = two_kinds();
    let det = detect(&ds, &Params { fast_window: Some(2), ..params(&[]) }).unwrap();
    // Fast (Δ ≤ 2; M = 1 keeps them all): a–b url u1 and hashtag Δ1; a–c all three; b–c none.
    let expected: BTreeMap<_, _> = [
        (pair("a", "b"), vec![k("hashtag", 2, 1, 1, 3.0), k("url", 2, 1, 2, 2.5)]),
        (pair("a", "c"), vec![k("hashtag", 3, 3, 3, 1.0)]),
        (pair("b", "c"), vec![k("url", 1, 0, 1, 5.0)]),
    ]
    .into_iter()
    .collect();
    assert_eq!(per_kind(&ds, &det), expected);
    // The kinds add up to the edge, and without kind weights the combined weight is the weight.
    for e in &det.edges {
        let kinds = e.kinds();
        let ks = kinds.as_slice();
        assert_eq!(ks.iter().map(|k| k.weight).sum::<u32>(), e.full.weight);
        assert_eq!(ks.iter().map(|k| k.weight_fast).sum::<u32>(), e.fast().map_or(0, |f| f.weight));
        assert_eq!(ks.iter().map(|k| k.n_objects).sum::<u32>(), e.n_objects);
        assert_eq!(e.full.combined_weight, e.full.weight as f64);
    }
    // Weights 4, 3, 1: the median is 3 and only a–b is above it.
    assert_eq!(det.threshold, 3.0);
    assert_eq!(above(&ds, &det), [pair("a", "b")]);
}

#[test]
fn kind_weights_move_the_threshold_predictably() {
    let ds = two_kinds();
    // url = 0: only hashtags count. a–b 2, a–c 3; b–c (url only) leaves the
    // quantile altogether → median 2.5: a–c alone passes.
    let det = detect(&ds, &params(&[("url", 0.0)])).unwrap();
    assert_eq!(det.threshold, 2.5);
    assert_eq!(above(&ds, &det), [pair("a", "c")]);
    // hashtag = 3: a–b 2 + 3·2 = 8, a–c 9, b–c 1 → median 8: a–c alone passes.
    let det = detect(&ds, &params(&[("hashtag", 3.0)])).unwrap();
    let combined: Vec<f64> = det.edges.iter().map(|e| e.full.combined_weight).collect();
    assert_eq!(combined, [8.0, 9.0, 1.0], "edges in name order a–b, a–c, b–c");
    assert_eq!(det.threshold, 8.0);
    assert_eq!(above(&ds, &det), [pair("a", "c")]);
    // url = 2, hashtag = 0.5: a–b 4 + 1 = 5, a–c 1.5, b–c 2 → median 2: a–b alone.
    let det = detect(&ds, &params(&[("url", 2.0), ("hashtag", 0.5)])).unwrap();
    assert_eq!(det.threshold, 2.0);
    assert_eq!(above(&ds, &det), [pair("a", "b")]);
    // The co-share counts per kind do not depend on the weights.
    assert_eq!(per_kind(&ds, &det), per_kind(&ds, &detect(&ds, &params(&[])).unwrap()));
    // Weights of 1 given explicitly change nothing; a kind absent from the data changes nothing.
    let plain = detect(&ds, &params(&[])).unwrap();
    for w in [vec![("url", 1.0), ("hashtag", 1.0)], vec![("mention", 7.0)]] {
        let det = detect(&ds, &params(&w)).unwrap();
        assert_eq!(det.threshold, plain.threshold);
        assert_eq!(above(&ds, &det), above(&ds, &plain));
    }
}

#[test]
fn kind_weights_are_refused_in_coortweet_mode_and_checked() {
    let ds = two_kinds();
    let compat = Params { mode: lockstep_detect::Mode::CoorTweet, ..params(&[("url", 2.0)]) };
    let err = detect(&ds, &compat).unwrap_err().to_string();
    assert!(err.contains("kind-weight") && err.contains("CooRTweet"), "{err}");
    let err = detect(&ds, &params(&[("url", -1.0)])).unwrap_err().to_string();
    assert!(err.contains(">= 0"), "{err}");
}

#[test]
fn kinds_are_summarised_for_the_report_and_the_groups() {
    let ds = two_kinds();
    let det = detect(&ds, &Params { fast_window: Some(2), ..params(&[("hashtag", 3.0), ("media", 0.5)]) }).unwrap();
    let kinds: Vec<_> = summarize_kinds(&ds, &det)
        .into_iter()
        .map(|k| (k.kind, k.weight, k.shares, k.coshares, k.fast_coshares, k.edges, k.edges_above_threshold))
        .collect();
    assert_eq!(
        kinds,
        [
            ("hashtag".to_string(), 3.0, 10, 5, Some(4), 2, 1),
            ("media".to_string(), 0.5, 0, 0, Some(0), 0, 0),
            ("url".to_string(), 1.0, 6, 3, Some(1), 2, 0),
        ]
    );
    // The one group is a–c, all hashtags.
    let groups = summarize_groups(&ds, &det, 10, 3);
    assert_eq!(groups.len(), 1);
    let g: Vec<_> = groups[0].kinds.iter().map(|k| (k.kind.as_str(), k.coshares)).collect();
    assert_eq!(g, [("hashtag", 3)]);
    // Without weights the group is a–b: url and hashtag 2 each, tie broken by label.
    let det = detect(&ds, &params(&[])).unwrap();
    let groups = summarize_groups(&ds, &det, 10, 3);
    let g: Vec<_> = groups[0].kinds.iter().map(|k| (k.kind.as_str(), k.coshares)).collect();
    assert_eq!(g, [("hashtag", 2), ("url", 2)]);
}

#[test]
fn same_input_same_multiplex_network() {
    let ds = two_kinds();
    let p = Params { fast_window: Some(3), ..params(&[("url", 1.5)]) };
    let (x, y) = (detect(&ds, &p).unwrap(), detect(&ds, &p).unwrap());
    assert_eq!(per_kind(&ds, &x), per_kind(&ds, &y));
    let bits = |d: &Detection| d.edges.iter().map(|e| e.full.combined_weight.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&x), bits(&y));
    assert_eq!(x.threshold.to_bits(), y.threshold.to_bits());
}

type Row = (u8, u8, bool, u16);

fn dataset(rows: &[Row]) -> Dataset {
    let mut ds = Dataset::default();
    for (i, &(a, o, hashtag, t)) in rows.iter().enumerate() {
        let kind = if hashtag { "hashtag" } else { "url" };
        ds.push(&format!("a{a}"), &format!("o{o}"), kind, &format!("p{i}"), t as i64);
    }
    ds
}

/// Edge → weight over a dataset holding only the rows of one kind.
fn one_kind_weights(rows: &[Row], hashtag: bool, p: &Params) -> BTreeMap<(String, String), u32> {
    let only: Vec<Row> = rows.iter().copied().filter(|r| r.2 == hashtag).collect();
    let ds = dataset(&only);
    detect(&ds, p)
        .unwrap()
        .edges
        .iter()
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            ((x.clone().min(y.clone()), x.max(y)), e.full.weight)
        })
        .collect()
}

proptest! {
    /// With M = 1 (no cross-kind participation effects), an edge's weight of a kind
    /// is exactly its weight in the network of that kind alone, and the kinds add
    /// up to the edge.
    #[test]
    fn kind_weights_equal_the_single_kind_networks(
        rows in prop::collection::vec((0u8..8, 0u8..5, any::<bool>(), 0u16..300), 0..100),
    ) {
        let p = Params { window: lockstep_detect::Window::Seconds(20), min_participation: 1, ..Params::default() };
        let ds = dataset(&rows);
        let det = detect(&ds, &p).unwrap();
        let by_kind = per_kind(&ds, &det);
        for (hashtag, label) in [(false, "url"), (true, "hashtag")] {
            let alone = one_kind_weights(&rows, hashtag, &p);
            let here: BTreeMap<(String, String), u32> = by_kind
                .iter()
                .filter_map(|(e, ks)| ks.iter().find(|k| k.0 == label).map(|k| (e.clone(), k.1)))
                .collect();
            prop_assert_eq!(here, alone);
        }
        for e in &det.edges {
            prop_assert_eq!(e.kinds().as_slice().iter().map(|k| k.weight).sum::<u32>(), e.full.weight);
            prop_assert!(e.kinds().as_slice().windows(2).all(|w| ds.kinds.get(w[0].kind) < ds.kinds.get(w[1].kind)));
        }
    }
}
