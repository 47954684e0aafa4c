//! Tables built in memory (`build_outputs`, the Python package's results) are
//! exactly what `write_outputs` writes as Parquet: the batches read back from
//! each file, with the same schema, rows, order and values, and the same report.

use arrow::record_batch::RecordBatch;
use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::{detect, Params, Window};
use lockstep_report::{
    build_outputs, write_outputs, GraphFormat, InputInfo, OutputOptions, Report, ReportInputs, TableFormat,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// 300 objects, each shared by 24 of 60 accounts a few seconds apart (276 co-shares
/// each, 82,800 in all: the `pairs` table spans two row groups), with names that
/// need CSV quoting, and a second kind (so `edge_kinds` is written too).
fn dataset() -> Dataset {
    let mut ds = Dataset::default();
    let mut post = 0;
    for o in 0..300u32 {
        let kind = if o % 3 == 0 { "hashtag" } else { "url" };
        for k in 0..24u32 {
            let account = format!("acct \"{}\", x", (o * 7 + k * 5) % 60);
            post += 1;
            ds.push(
                &account,
                &format!("https://news.example/{o}"),
                kind,
                &format!("p{post}"),
                1_000 * i64::from(o) + i64::from(k),
            );
        }
    }
    ds
}

fn read_parquet(path: &std::path::Path) -> (arrow::datatypes::SchemaRef, Vec<RecordBatch>) {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().with_batch_size(65_536);
    let schema = builder.schema().clone();
    let batches = builder.build().unwrap().map(|b| b.unwrap()).collect();
    (schema, batches)
}

#[test]
fn memory_tables_are_the_parquet_files_batches() {
    let ds = dataset();
    let det = detect(&ds, &Params { window: Window::Seconds(30), min_participation: 1, ..Params::default() }).unwrap();
    assert!(det.edges.len() > 100);
    let inputs =
        [InputInfo { source: "test".into(), format: "test".into(), records: 7200, shares: 7200, ..Default::default() }];
    let diagnostics = Diagnostics::default();
    let run = ReportInputs {
        dataset: &ds,
        detection: &det,
        inputs: &inputs,
        diagnostics: &diagnostics,
        near_text: None,
        fusion: None,
    };
    let opts = OutputOptions {
        format: TableFormat::Parquet,
        pairs: true,
        evidence_groups: vec![1],
        graphs: vec![GraphFormat::Graphml],
        ..OutputOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let (written, _) = write_outputs(dir.path(), &run, || Report::build(&run), &opts).unwrap();
    let (tables, report, laps) = build_outputs(&run, || Report::build(&run), &opts).unwrap();
    assert!(laps.iter().any(|(name, _)| *name == "pairs"));

    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["edges", "edge_kinds", "accounts", "objects", "pairs", "evidence"]);
    // The report is the one written, but for its files: the tables' names
    // without an extension (no graph file is made in memory).
    let parquet_files: Vec<(String, u64)> = written
        .files
        .iter()
        .filter_map(|(n, rows)| n.strip_suffix(".parquet").map(|s| (s.to_string(), *rows)))
        .collect();
    assert_eq!(report.files, parquet_files);
    assert!(written.files.iter().any(|(n, _)| n == "network.graphml"));
    let (mut a, mut b) = (report.clone(), written.clone());
    a.files.clear();
    b.files.clear();
    assert_eq!(a.to_json().unwrap(), b.to_json().unwrap());

    for table in &tables {
        let (schema, batches) = read_parquet(&dir.path().join(format!("{}.parquet", table.name)));
        assert_eq!(schema.fields(), table.schema.fields(), "{}", table.name);
        assert_eq!(batches.len(), table.batches.len(), "{}: one batch per row group", table.name);
        for (i, (read, built)) in batches.iter().zip(&table.batches).enumerate() {
            assert_eq!(read.columns(), built.columns(), "{} batch {i}", table.name);
        }
        let rows: usize = table.batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows as u64, report.files.iter().find(|(n, _)| *n == table.name).unwrap().1);
    }
    let pairs = tables.iter().find(|t| t.name == "pairs").unwrap();
    assert!(pairs.batches.len() >= 2 && pairs.batches[0].num_rows() == 65_536, "pairs span two row groups");
}

#[test]
fn an_empty_table_keeps_its_columns() {
    let mut ds = Dataset::default();
    ds.push("a", "o1", "url", "p1", 100);
    ds.push("b", "o2", "url", "p2", 100);
    let det = detect(&ds, &Params { window: Window::Seconds(10), ..Params::default() }).unwrap();
    let diagnostics = Diagnostics::default();
    let run = ReportInputs {
        dataset: &ds,
        detection: &det,
        inputs: &[],
        diagnostics: &diagnostics,
        near_text: None,
        fusion: None,
    };
    let (tables, report, _) = build_outputs(&run, || Report::build(&run), &OutputOptions::default()).unwrap();
    let edges = &tables[0];
    assert_eq!(edges.name, "edges");
    assert!(edges.batches.is_empty());
    assert_eq!(edges.schema.field(0).name(), "from");
    assert_eq!(report.files[0], ("edges".to_string(), 0));
}
