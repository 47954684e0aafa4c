//! `read_arrow` (an in-memory Arrow table, the Python package's input) reads
//! the same shares, skipped rows and results as the CSV file of the same rows.

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use lockstep_core::NoProgress;
use lockstep_detect::{Params, ThresholdRule, Window};
use lockstep_pipeline::{analyse, read, read_arrow, Input, RunOptions};
use std::sync::Arc;

#[test]
fn an_arrow_table_reads_as_its_csv() {
    let (ds, _) = lockstep_synth::generate_dataset(&lockstep_synth::ScenarioConfig::new(8_000, 3));
    let mut accounts: Vec<Option<String>> = Vec::new();
    let (mut objects, mut kinds, mut posts, mut times) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut csv = String::from("account_id,object_id,kind,content_id,timestamp_share\n");
    for (i, s) in ds.shares.iter().enumerate() {
        // One row without an account: skipped and counted both ways.
        let account = (i != 7).then(|| ds.accounts.get(s.account).to_string());
        let (o, k, p) =
            (ds.objects.get(s.object), ds.kinds.get(ds.object_kind[s.object as usize]), ds.posts.get(s.post));
        csv += &format!("{},{o},{k},{p},{}\n", account.as_deref().unwrap_or(""), s.time);
        accounts.push(account);
        objects.push(o.to_string());
        kinds.push(k.to_string());
        posts.push(p.to_string());
        times.push(s.time);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("account_id", Arc::new(StringArray::from(accounts))),
        ("object_id", Arc::new(StringArray::from(objects))),
        ("kind", Arc::new(StringArray::from(kinds))),
        ("content_id", Arc::new(StringArray::from(posts))),
        ("timestamp_share", Arc::new(Int64Array::from(times))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
    // In batches of 1,000 rows, as a stream delivers them.
    let batches: Vec<_> =
        (0..batch.num_rows()).step_by(1000).map(|at| Ok(batch.slice(at, 1000.min(batch.num_rows() - at)))).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts.csv");
    std::fs::write(&path, csv).unwrap();

    let opts = RunOptions::default();
    let params = Params { window: Window::Seconds(60), threshold: ThresholdRule::Quantile, ..Params::default() };
    let from_table = read_arrow("<table>", &names, batches.into_iter(), &opts).unwrap();
    let from_csv = read(&[Input::path(&path)], &opts, &NoProgress).unwrap();
    assert_eq!(from_table.diagnostics.skipped, 1);
    assert_eq!(from_table.dataset.shares, from_csv.dataset.shares);
    assert_eq!(from_table.diagnostics.skipped, from_csv.diagnostics.skipped);
    let (a, b) = (
        analyse(from_table, &opts, &params, &NoProgress).unwrap(),
        analyse(from_csv, &opts, &params, &NoProgress).unwrap(),
    );
    assert!(!a.detection.edges.is_empty());
    assert_eq!(format!("{:?}", a.detection.edges), format!("{:?}", b.detection.edges));
    assert_eq!(a.report().counts.coshares, b.report().counts.coshares);
    // A missing column is an error naming it.
    let err = read_arrow(
        "<table>",
        &names,
        std::iter::empty(),
        &RunOptions {
            read: lockstep_ingest::ReadOptions {
                columns: lockstep_ingest::ColumnMap { account: "user".into(), ..Default::default() },
                ..Default::default()
            },
            ..RunOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("user"), "{err}");
}
