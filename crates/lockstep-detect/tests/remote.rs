//! The co-share stage run elsewhere ([`lockstep_detect::remote`], what
//! `lockstep.spark` runs on a cluster's executors) gives the in-memory
//! detection exactly: on generated data with viral bursts, planted networks
//! and a hot object split into time buckets down to a few pairs, with the
//! parts expanded out of order as a shuffle delivers them.

use lockstep_core::Dataset;
use lockstep_detect::remote::{expand_units, Remote, UnitCoShares, UnitRows};
use lockstep_detect::{detect, detect_with, Mode, NullModel, Params, Window};
use lockstep_synth::{generate_dataset, ScenarioConfig};

mod common;
use common::fingerprint;

/// Step 2 as a cluster runs it: each part expanded on its own, the parts in
/// reverse order, each part's rows reversed.
fn shuffled(rows: UnitRows, w: i64) -> Result<UnitCoShares, String> {
    let mut all = UnitCoShares::default();
    let n_parts = rows.part.iter().max().map_or(0, |&p| p + 1);
    for p in (0..n_parts).rev() {
        let idx: Vec<usize> = (0..rows.len()).rev().filter(|&i| rows.part[i] == p).collect();
        all.append(expand_units(&rows.select(&idx), w));
    }
    Ok(all)
}

fn check(ds: &Dataset, params: &Params, parts: usize, bucket_pairs: Option<u64>) -> lockstep_detect::remote::Shipped {
    let memory = detect(ds, params).unwrap();
    assert!(!memory.edges.is_empty(), "the data makes a network");
    let mut stage = Remote::new(parts, bucket_pairs, shuffled);
    let remote = detect_with(ds, params, Some(&mut stage)).unwrap();
    let (expected, got) = (fingerprint(&memory), fingerprint(&remote));
    if got != expected {
        let line = expected.lines().zip(got.lines()).position(|(a, b)| a != b);
        panic!("{parts} parts, buckets of {bucket_pairs:?} pairs: differs at line {line:?}");
    }
    stage.shipped.expect("the stage ran")
}

#[test]
fn generated_data_with_hot_objects_in_buckets() {
    let (ds, scenario) = generate_dataset(&ScenarioConfig::new(20_000, 7));
    assert!(!scenario.groups.is_empty());
    let params = Params { window: Window::Seconds(60), fast_window: Some(20), ..Params::default() };
    for (parts, bucket) in [(1, None), (4, None), (3, Some(2))] {
        let shipped = check(&ds, &params, parts, bucket);
        if bucket.is_some() {
            assert!(shipped.hot_objects > 0 && shipped.buckets > 2 * shipped.hot_objects, "{shipped:?}");
        }
    }
}

#[test]
fn event_data_coortweet_mode_and_null_models() {
    let (ds, _) = generate_dataset(&ScenarioConfig::event(8_000, 3));
    for (mode, null_model) in [(Mode::Lockstep, NullModel::AccountTime), (Mode::CoorTweet, NullModel::Shuffle)] {
        let params = Params { window: Window::Seconds(60), mode, null_model, ..Params::default() };
        check(&ds, &params, 5, Some(20));
    }
}

#[test]
fn a_failing_stage_fails_detection_with_its_message() {
    let (ds, _) = generate_dataset(&ScenarioConfig::new(5_000, 1));
    let mut stage = Remote::new(2, None, |_: UnitRows, _| Err("executor lost".to_string()));
    let err = detect_with(&ds, &Params::default(), Some(&mut stage)).unwrap_err();
    assert_eq!(err.to_string(), "co-share stage: executor lost");
}
