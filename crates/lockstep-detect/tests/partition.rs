//! The partitioned path gives the in-memory path's detection exactly: on
//! generated data (viral bursts, planted networks, the event scenario with its
//! pile-ons), with hot objects split into time buckets, for several part
//! counts, null models, fast windows, CooRTweet mode and random small data.

use lockstep_core::Dataset;
use lockstep_detect::{detect, partition, Mode, NullModel, Params, Window};
use lockstep_synth::{generate_dataset, ScenarioConfig};
use proptest::prelude::*;

mod common;
use common::fingerprint;

fn check_parts(ds: &Dataset, params: &Params, parts: &[u32]) {
    let memory = detect(ds, &Params { partitions: Some(1), ..params.clone() }).unwrap();
    assert_eq!(memory.partitions, None);
    assert!(!memory.edges.is_empty(), "the data makes a network");
    let expected = fingerprint(&memory);
    for &n in parts {
        let split = detect(ds, &Params { partitions: Some(n), ..params.clone() }).unwrap();
        assert_eq!(split.partitions, Some(n as usize));
        let got = fingerprint(&split);
        if got != expected {
            let line = expected.lines().zip(got.lines()).position(|(a, b)| a != b);
            panic!("{n} parts differ from the in-memory path at line {line:?}");
        }
    }
}

#[test]
fn generated_background_with_viral_bursts() {
    let (ds, scenario) = generate_dataset(&ScenarioConfig::new(60_000, 7));
    assert!(!scenario.groups.is_empty());
    let params = Params { window: Window::Seconds(60), ..Params::default() };
    check_parts(&ds, &params, &[2, 3, 8, 64]);
}

#[test]
fn generated_event_with_pile_ons_fast_window_and_null_models() {
    // Minute-resolution data: whole minutes share one timestamp, hot hashtags pile on.
    let (ds, _) = generate_dataset(&ScenarioConfig::event(15_000, 3));
    for (null_model, parts) in [
        (NullModel::ObjectTime, 2),
        (NullModel::AccountTime, 5),
        (NullModel::Configuration, 3),
        (NullModel::Shuffle, 4),
    ] {
        let params = Params { window: Window::Seconds(60), fast_window: Some(20), null_model, ..Params::default() };
        check_parts(&ds, &params, &[parts]);
    }
}

#[test]
fn coortweet_mode_and_mass_objects() {
    let (ds, _) = generate_dataset(&ScenarioConfig::new(30_000, 11));
    // A per-object cap under the two largest objects' pairs, and a memory budget
    // of half the rest: mass objects of both kinds.
    let base = Params { window: Window::Seconds(120), mode: Mode::CoorTweet, ..Params::default() };
    let groups = lockstep_detect::coshare::group_shares(&ds, &base);
    let counted = lockstep_detect::coshare::budget(&ds, &groups, &base, 120, None);
    let mut pairs = counted.pairs_of.clone();
    pairs.sort_unstable_by(|x, y| y.cmp(x));
    let cap = pairs[2];
    let rest: u64 = pairs.iter().filter(|&&p| p <= cap).sum();
    let params = Params { max_object_pairs: cap, max_total_pairs: Some(rest / 2), ..base };
    let d = detect(&ds, &Params { partitions: Some(1), ..params.clone() }).unwrap();
    assert!(d.mass_objects.iter().any(|m| m.over_budget) && d.mass_objects.iter().any(|m| !m.over_budget));
    check_parts(&ds, &params, &[2, 4]);
    check_parts(&ds, &Params { mode: Mode::Lockstep, ..params }, &[3]);
}

/// Hot objects split into buckets of every size down to one share: the
/// co-shares are the in-memory ones, in order, whatever the cut.
#[test]
fn time_buckets_of_every_size_lose_and_repeat_no_pair() {
    let (mut ds, _) = generate_dataset(&ScenarioConfig::new(20_000, 5));
    // One object shared by 400 accounts in bursts whose windows overlap the buckets' edges.
    for a in 0..400i64 {
        ds.push(
            &format!("hot{a}"),
            "https://hot.example/x",
            "url",
            &format!("hot-post-{a}"),
            1_709_300_000 + a * 7 % 900,
        );
        ds.push(&format!("hot{a}"), "#hot", "hashtag", &format!("hot-post-{a}"), 1_709_300_000 + a * 7 % 900);
    }
    let params = Params { window: Window::Seconds(60), min_participation: 1, ..Params::default() };
    let w = 60;
    let groups = lockstep_detect::coshare::group_shares(&ds, &params);
    let expected = lockstep_detect::coshare::enumerate(&ds, &groups, &params, w);
    for (parts, bucket_pairs) in [(1, Some(1)), (3, Some(17)), (4, Some(1000)), (7, None), (2, Some(u64::MAX))] {
        let budget = lockstep_detect::coshare::budget(&ds, &groups, &params, w, None);
        let plan = partition::plan(&ds, &groups, &budget, w, parts, bucket_pairs);
        if bucket_pairs == Some(1) {
            // Every share with a later one in its window is a bucket of its own.
            assert!(plan.buckets > 400, "{} buckets", plan.buckets);
        }
        let got = partition::enumerate(&ds, &groups, &params, w, budget, &plan);
        assert_eq!(got.candidates, expected.candidates);
        assert!(got.coshares == expected.coshares, "parts {parts}, buckets of {bucket_pairs:?} pairs");
    }
    check_parts(&ds, &params, &[2, 9]);
}

/// A bucket boundary inside a window, by hand: times 0, 10, 20, 30 in a
/// 15-second window, cut after every share: each pair once.
#[test]
fn bucket_boundary_inside_a_window_by_hand() {
    let mut ds = Dataset::default();
    for (i, t) in [0, 10, 20, 30, 45].into_iter().enumerate() {
        ds.push(&format!("a{i}"), "o", "url", &format!("p{i}"), 1_709_300_000 + t);
    }
    let params = Params { window: Window::Seconds(15), min_participation: 1, ..Params::default() };
    let groups = lockstep_detect::coshare::group_shares(&ds, &params);
    let budget = lockstep_detect::coshare::budget(&ds, &groups, &params, 15, None);
    let plan = partition::plan(&ds, &groups, &budget, 15, 2, Some(1));
    let ranges: Vec<_> = plan.units.iter().map(|u| (u.early.clone(), u.pairs)).collect();
    // Pairs: (0,10), (10,20), (20,30), (30,45); the last share has no later one.
    assert_eq!(ranges, [(0..1, 1), (1..2, 1), (2..3, 1), (3..4, 1), (4..5, 0)]);
    let got = partition::enumerate(&ds, &groups, &params, 15, budget, &plan);
    let times: Vec<(i64, i64)> = got
        .coshares
        .iter()
        .map(|c| (ds.shares[c.early as usize].time - 1_709_300_000, ds.shares[c.late as usize].time - 1_709_300_000))
        .collect();
    assert_eq!(times, [(0, 10), (10, 20), (20, 30), (30, 45)]);
}

/// The automatic choice: partitioned only over the budget, and then the same
/// results as the in-memory path under the same budget.
#[test]
fn chosen_when_the_in_memory_path_would_not_fit() {
    let (ds, _) = generate_dataset(&ScenarioConfig::new(20_000, 9));
    let params = Params { window: Window::Seconds(60), ..Params::default() };
    let all = detect(&ds, &params).unwrap();
    assert_eq!(all.partitions, None);
    let wanted = all.counts.candidate_coshares - all.counts.mass_object_pairs;
    let tight = Params { max_total_pairs: Some(wanted / 2), ..params.clone() };
    let found = detect(&ds, &tight).unwrap();
    // A tenth of the budget (half the pairs) per part: 20 parts, 21 with rounding.
    assert!(matches!(found.partitions, Some(20 | 21)), "{:?}", found.partitions);
    assert!(found.counts.mass_objects_over_budget > 0);
    let memory = detect(&ds, &Params { partitions: Some(1), ..tight.clone() }).unwrap();
    assert_eq!(fingerprint(&found), fingerprint(&memory));
    let roomy = Params { max_total_pairs: Some(wanted), ..params };
    assert_eq!(detect(&ds, &roomy).unwrap().partitions, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Random small data, any part count and bucket size: the same detection.
    #[test]
    fn same_detection_on_random_data(
        rows in prop::collection::vec((0u8..10, 0u8..5, 0u16..300), 2..150),
        parts in 2u32..12,
        window in 1u32..60,
        m in 1u32..3,
        bucket_pairs in 1u64..40,
    ) {
        let mut ds = Dataset::default();
        for (i, &(a, o, t)) in rows.iter().enumerate() {
            let kind = if o % 2 == 0 { "url" } else { "hashtag" };
            ds.push(&format!("a{a}"), &format!("o{o}"), kind, &format!("p{}", i / 2), 1_709_300_000 + i64::from(t));
        }
        let params = Params { window: Window::Seconds(window), min_participation: m, fast_window: Some(i64::from(window / 2)), ..Params::default() };
        let memory = detect(&ds, &Params { partitions: Some(1), ..params.clone() }).unwrap();
        let split = detect(&ds, &Params { partitions: Some(parts), ..params.clone() }).unwrap();
        prop_assert_eq!(fingerprint(&memory), fingerprint(&split));
        // And the co-shares with hot objects cut into buckets of any size.
        let w = i64::from(window);
        let groups = lockstep_detect::coshare::group_shares(&ds, &params);
        let expected = lockstep_detect::coshare::enumerate(&ds, &groups, &params, w);
        let budget = lockstep_detect::coshare::budget(&ds, &groups, &params, w, None);
        let plan = partition::plan(&ds, &groups, &budget, w, parts as usize, Some(bucket_pairs));
        let got = partition::enumerate(&ds, &groups, &params, w, budget, &plan);
        prop_assert_eq!(got.coshares, expected.coshares);
    }
}
