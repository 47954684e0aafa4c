//! Equality with batch: a generated dataset (planted networks, viral objects),
//! replayed out of order through `watch`, gives exactly `detect`'s edge weights
//! (`--min-participation 1`, same window); shares beyond the lateness are
//! counted late, and the difference is exactly theirs.

use lockstep_detect::{Params, Window};
use lockstep_live::watch::SourceSpec;
use lockstep_live::{watch, LiveParams, WatchOptions};
use lockstep_pipeline::{Input, RunOptions};
use lockstep_synth::{ScenarioConfig, ScenarioKind};
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;

const WINDOW: u32 = 60;
const LATENESS: u32 = 300;

struct Row {
    fields: csv::StringRecord,
    time: i64,
}

fn read_rows(path: &Path) -> (csv::StringRecord, Vec<Row>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let t = header.iter().position(|h| h == "timestamp_share").unwrap();
    let rows = r
        .records()
        .map(|rec| {
            let fields = rec.unwrap();
            let time = fields[t].parse().unwrap();
            Row { fields, time }
        })
        .collect();
    (header, rows)
}

fn write_rows(path: &Path, header: &csv::StringRecord, rows: &[&Row]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(&r.fields).unwrap();
    }
    w.flush().unwrap();
}

/// Arrival order: each row delayed by up to the lateness (in event time), and
/// `late_share` of the rows by 2 to 20 times more.
fn shuffle(rows: &[Row], seed: u64, late_share: f64) -> Vec<&Row> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut keyed: Vec<(i64, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let delay = if rng.random::<f64>() < late_share {
                rng.random_range(2 * i64::from(LATENESS)..20 * i64::from(LATENESS))
            } else {
                rng.random_range(0..=i64::from(LATENESS))
            };
            (r.time + delay, i)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| &rows[i]).collect()
}

/// The documented rule: a share older than (latest event time accepted) − lateness is late.
fn split_late<'a>(arrival: &[&'a Row]) -> (Vec<&'a Row>, usize) {
    let mut max = i64::MIN;
    let mut on_time = Vec::new();
    let mut late = 0;
    for r in arrival {
        if max != i64::MIN && r.time < max - i64::from(LATENESS) {
            late += 1;
        } else {
            max = max.max(r.time);
            on_time.push(*r);
        }
    }
    (on_time, late)
}

fn batch_weights(path: &Path) -> (BTreeMap<(String, String), u32>, u64) {
    let params = Params {
        window: Window::Seconds(WINDOW),
        min_participation: 1,
        max_object_pairs: u64::MAX,
        ..Params::default()
    };
    let a = lockstep_pipeline::run(&[Input::path(path)], &RunOptions::default(), &params, &lockstep_core::NoProgress)
        .unwrap();
    let ds = &a.dataset;
    let weights = a
        .detection
        .edges
        .iter()
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            (if x <= y { (x, y) } else { (y, x) }, e.full.weight)
        })
        .collect();
    let d = &a.diagnostics.duplicates;
    (weights, d.identical + d.repeated_post_ids)
}

fn check(kind: ScenarioKind, posts: usize, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("generated.csv");
    let mut cfg = ScenarioConfig::preset(kind, posts, seed);
    if kind == ScenarioKind::Event {
        cfg.time_resolution = 1;
    }
    lockstep_synth::write_csv(&cfg, &generated, &dir.path().join("truth.csv")).unwrap();
    let (header, rows) = read_rows(&generated);
    let arrival = shuffle(&rows, seed, 0.01);
    let (on_time, late) = split_late(&arrival);
    assert!(late > 0, "the replay must have late shares to check");
    let stream = dir.path().join("stream.csv");
    write_rows(&stream, &header, &arrival);
    let oracle = dir.path().join("on_time.csv");
    write_rows(&oracle, &header, &on_time);

    let mut opts = WatchOptions::new(SourceSpec::File(stream.clone()));
    opts.exit_at_end = true;
    opts.params = LiveParams {
        window: WINDOW,
        lateness: LATENESS,
        horizon: None,
        max_object_shares: usize::MAX,
        pass_every: 60,
        ..LiveParams::default()
    };
    let live = watch(opts).unwrap();
    let (batch, batch_duplicates) = batch_weights(&oracle);
    let (everything, _) = batch_weights(&stream);
    let streamed = live.engine.edge_weights();

    assert_eq!(live.records, rows.len() as u64);
    assert_eq!(live.counters.shares_in, rows.len() as u64);
    assert_eq!(live.counters.late_shares, late as u64);
    assert_eq!(live.counters.duplicates, batch_duplicates);
    assert_eq!(streamed.len(), batch.len());
    let differing: Vec<_> = batch.iter().filter(|(k, w)| streamed.get(*k) != Some(w)).take(5).collect();
    assert!(differing.is_empty(), "edges differing from batch: {differing:?}");
    assert_eq!(streamed, batch);
    // The late shares are what separates the stream from batch over everything.
    assert_ne!(streamed, everything, "the late shares should have mattered");
    let batch_total: u64 = everything.values().map(|&w| u64::from(w)).sum();
    assert!(live.counters.coshares < batch_total);
    // The planted networks raised alerts.
    assert!(live.counters.alerts > 0);
    eprintln!(
        "{} rows, {} late, {} duplicates, {} edges, {} co-shares, {} alerts",
        rows.len(),
        late,
        live.counters.duplicates,
        streamed.len(),
        live.counters.coshares,
        live.counters.alerts
    );
}

#[test]
fn background_replay_out_of_order_equals_batch() {
    check(ScenarioKind::Background, 60_000, 7);
}

#[test]
fn event_replay_with_duplicates_equals_batch() {
    check(ScenarioKind::Event, 8_000, 11);
}
