//! Helpers shared by the integration tests of the `lockstep` binary.

// Each test binary compiles this module and uses only some of its helpers.
#![allow(dead_code)]

use std::path::Path;

/// Every file of `dir` with its bytes, in order of name.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// The batch oracle of the live-mode tests: `detect`'s edge weights (window 60 s, every account, no mass-object
/// cap) on a file, by account-name pair (smaller name first).
pub fn batch_weights(path: &Path) -> std::collections::BTreeMap<(String, String), u32> {
    use lockstep_detect::{Params, Window};
    use lockstep_pipeline::{Input, RunOptions};
    let params =
        Params { window: Window::Seconds(60), min_participation: 1, max_object_pairs: u64::MAX, ..Params::default() };
    let a = lockstep_pipeline::run(&[Input::path(path)], &RunOptions::default(), &params, &lockstep_core::NoProgress)
        .unwrap();
    let ds = &a.dataset;
    a.detection
        .edges
        .iter()
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            (if x <= y { (x, y) } else { (y, x) }, e.full.weight)
        })
        .collect()
}
