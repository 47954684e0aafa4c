//! `lockstep._lockstep`: the native half of the Python package.
//!
//! Thin: every stage is `lockstep-pipeline`'s, as for the command line. The
//! input table arrives as an Arrow C stream (the PyCapsule interface:
//! pyarrow, polars, pandas ≥ 2.2, DuckDB…) and its columns are read in place;
//! the results are built by the same table builder as `lockstep detect`'s
//! Parquet files (`lockstep_pipeline::tables`: the record batches those files
//! are written from) and handed over as Arrow C streams, with report.json's
//! text, so they are the command line's tables and report, without a file.

use arrow::array::{Array, ArrayRef, BooleanArray, Int32Array, Int64Array};
use arrow::error::ArrowError;
use arrow::ffi_stream::ArrowArrayStreamReader;
use arrow::pyarrow::PyArrowType;
use arrow::record_batch::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use lockstep_core::NoProgress;
use lockstep_detect::remote::{UnitCoShares, UnitRows};
use lockstep_detect::{AutoWindow, NullModel, Params, ThresholdRule, Window};
use lockstep_ingest::{ColumnMap, ReadOptions, TimeRange, TimeUnit};
use lockstep_pipeline::{DuplicatePolicy, RunOptions};
use lockstep_report::{OutputOptions, TableFormat};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::sync::Arc;

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// What `detect_arrow` returns: each table's name and a stream of its record
/// batches, the report as JSON text (report.json's), and what a co-share stage
/// shipped (parts, units, hot objects, time buckets, rows), when there was one.
type Found =
    (Vec<(String, PyArrowType<Box<dyn RecordBatchReader + Send>>)>, String, Option<(usize, usize, u64, u64, usize)>);

/// Runs detection on an Arrow stream and returns the tables `lockstep detect
/// --output-format parquet` writes, as Arrow streams over the very record
/// batches its Parquet files are written from, and report.json's text. See
/// `lockstep.detect` for the arguments; `coshare_stage`, `stage_parts` and
/// `bucket_pairs` are `lockstep.spark`'s (a callable expanding the shipped
/// unit rows).
#[pyfunction]
#[pyo3(signature = (
    table, *, account, object, time, post, kind, kind_column, time_unit, window, fast_window,
    min_participation, edge_quantile, threshold, min_edge_score, solo_edge_score, nb_size, null_model, resolution, seed,
    max_object_pairs, partitions, domains, pairs, keep_duplicates, coshare_stage = None, stage_parts = 2,
    bucket_pairs = None
))]
#[allow(clippy::too_many_arguments)]
fn detect_arrow(
    py: Python<'_>,
    table: PyArrowType<ArrowArrayStreamReader>,
    account: String,
    object: String,
    time: String,
    post: String,
    kind: Option<String>,
    kind_column: Option<String>,
    time_unit: &str,
    window: &str,
    fast_window: Option<i64>,
    min_participation: u32,
    edge_quantile: f64,
    threshold: &str,
    min_edge_score: f64,
    solo_edge_score: f64,
    nb_size: f64,
    null_model: &str,
    resolution: f64,
    seed: u64,
    max_object_pairs: u64,
    partitions: Option<u32>,
    domains: bool,
    pairs: bool,
    keep_duplicates: bool,
    coshare_stage: Option<PyObject>,
    stage_parts: usize,
    bucket_pairs: Option<u64>,
) -> PyResult<Found> {
    let reader = table.0;
    let params = Params {
        window: match window {
            "auto" => Window::Auto(AutoWindow::default()),
            w => {
                Window::Seconds(w.parse().map_err(|_| value_error(format!("window: {w:?} is not seconds or 'auto'")))?)
            }
        },
        fast_window,
        min_participation,
        edge_quantile,
        max_object_pairs,
        max_total_pairs: None,
        partitions,
        resolution,
        seed,
        threshold: match threshold {
            "quantile" => ThresholdRule::Quantile,
            "score" => ThresholdRule::Score,
            "both" => ThresholdRule::Both,
            t => return Err(value_error(format!("threshold: {t:?} is not quantile, score or both"))),
        },
        min_edge_score,
        solo_edge_score,
        nb_size,
        null_model: match null_model {
            "rarest-object" => NullModel::RarestObject,
            "object-time" => NullModel::ObjectTime,
            "account-time" => NullModel::AccountTime,
            "fused" => NullModel::Fused,
            "configuration" => NullModel::Configuration,
            "shuffle" => NullModel::Shuffle,
            m => return Err(value_error(format!("null_model: unknown model {m:?}"))),
        },
        ..Params::default()
    };
    params.validate().map_err(value_error)?;
    let read = ReadOptions {
        columns: ColumnMap { account, object, time, post: Some(post), kind: kind_column.clone() },
        kind_label: kind.clone().unwrap_or_else(|| ReadOptions::default().kind_label),
        time_unit: time_unit.parse::<TimeUnit>().map_err(value_error)?,
        time_range: TimeRange::default_until_tomorrow(),
        auto_kind_column: kind.is_none() && kind_column.is_none(),
        ..ReadOptions::default()
    };
    let classifier = domains.then(|| {
        lockstep_domains::Classifier::new(
            lockstep_domains::Feed::builtin(),
            lockstep_domains::Matcher::new(lockstep_domains::Watchlist::builtin()),
        )
    });
    let opts = RunOptions {
        read,
        domains: classifier,
        duplicates: if keep_duplicates { DuplicatePolicy::KEEP_ALL } else { DuplicatePolicy::default() },
        ..RunOptions::default()
    };
    let names: Vec<String> = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    // The stream is read with the interpreter held (its producer may be Python);
    // detection and the tables run without it.
    let read = lockstep_pipeline::read_arrow("<arrow table>", &names, reader, &opts).map_err(value_error)?;
    // With a co-share stage (`lockstep.spark`): the units are shipped to it and
    // its co-shares gathered back (lockstep_detect::remote); the interpreter is
    // taken again only for the call.
    let mut remote = coshare_stage.map(|stage| {
        lockstep_detect::remote::Remote::new(stage_parts.max(1), bucket_pairs, move |rows, w| {
            Python::with_gil(|py| call_stage(py, &stage, rows, w)).map_err(|e| e.to_string())
        })
    });
    let (tables, report) = py
        .allow_threads(|| {
            let stage = remote.as_mut().map(|r| r as &mut dyn lockstep_detect::remote::CoShareStage);
            let analysis =
                lockstep_pipeline::analyse_with(read, &opts, &params, stage, &NoProgress).map_err(|e| e.to_string())?;
            let output = OutputOptions { format: TableFormat::Parquet, pairs, ..OutputOptions::default() };
            let (tables, report) =
                lockstep_pipeline::tables(&analysis, &output, &NoProgress).map_err(|e| e.to_string())?;
            // The analysis (the shares, every co-share) is freed here, before
            // the tables are handed over.
            drop(analysis);
            Ok::<_, String>((tables, report.to_json().map_err(|e| e.to_string())?))
        })
        .map_err(PyRuntimeError::new_err)?;
    // Each table as an Arrow C stream over its batches: the columns are
    // handed over, not copied (pyarrow frees them when its table goes).
    let tables = tables
        .into_iter()
        .map(|t| {
            let reader = RecordBatchIterator::new(t.batches.into_iter().map(Ok), t.schema);
            (t.name, PyArrowType(Box::new(reader) as Box<dyn RecordBatchReader + Send>))
        })
        .collect();
    let shipped = remote.and_then(|r| r.shipped).map(|s| (s.parts, s.units, s.hot_objects, s.buckets, s.rows));
    Ok((tables, report, shipped))
}

/// The columns of the rows shipped to a co-share stage (`UnitRows`), u32
/// ids carried as int32 of the same bits (Spark has no unsigned types).
fn unit_rows_batch(rows: &UnitRows) -> Result<RecordBatch, ArrowError> {
    let ids = |v: &[u32]| Arc::new(Int32Array::from_iter_values(v.iter().map(|&x| x as i32))) as ArrayRef;
    RecordBatch::try_from_iter([
        ("part", ids(&rows.part)),
        ("unit", ids(&rows.unit)),
        ("seq", ids(&rows.seq)),
        ("share", ids(&rows.share)),
        ("account", ids(&rows.account)),
        ("post", ids(&rows.post)),
        ("time", Arc::new(Int64Array::from(rows.time.clone())) as ArrayRef),
        ("early", Arc::new(BooleanArray::from(rows.early.clone())) as ArrayRef),
        ("skip", Arc::new(BooleanArray::from(rows.skip.clone())) as ArrayRef),
    ])
}

/// A column of `batch` by name, as the type `T`.
fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a T, String> {
    batch
        .column_by_name(name)
        .ok_or_else(|| format!("no column {name:?}"))?
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| format!("column {name:?} has type {}", batch.column_by_name(name).unwrap().data_type()))
}

/// Appends the int32 column `name` of `batch`, as u32 of the same bits.
fn extend_ids(out: &mut Vec<u32>, batch: &RecordBatch, name: &str) -> Result<(), String> {
    let col = column::<Int32Array>(batch, name)?;
    if col.null_count() > 0 {
        return Err(format!("column {name:?} has nulls"));
    }
    out.extend(col.values().iter().map(|&x| x as u32));
    Ok(())
}

/// Reads shipped unit rows back from Arrow batches.
fn read_unit_rows(reader: impl Iterator<Item = Result<RecordBatch, ArrowError>>) -> Result<UnitRows, String> {
    let mut rows = UnitRows::default();
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        for (name, col) in [
            ("part", &mut rows.part),
            ("unit", &mut rows.unit),
            ("seq", &mut rows.seq),
            ("share", &mut rows.share),
            ("account", &mut rows.account),
            ("post", &mut rows.post),
        ] {
            extend_ids(col, &batch, name)?;
        }
        rows.time.extend(column::<Int64Array>(&batch, "time")?.values().iter());
        rows.early.extend(column::<BooleanArray>(&batch, "early")?.values().iter());
        rows.skip.extend(column::<BooleanArray>(&batch, "skip")?.values().iter());
    }
    Ok(rows)
}

/// Calls the co-share stage with the rows and the window; reads the
/// co-shares it returns (any Arrow stream with int32 `unit`, `k`, `early`, `late`).
fn call_stage(py: Python<'_>, stage: &PyObject, rows: UnitRows, w: i64) -> PyResult<UnitCoShares> {
    let batch = unit_rows_batch(&rows).map_err(runtime_error)?;
    drop(rows);
    let found = stage.call1(py, (PyArrowType(batch), w))?;
    let reader: PyArrowType<ArrowArrayStreamReader> = found.extract(py)?;
    let mut out = UnitCoShares::default();
    for batch in reader.0 {
        let batch = batch.map_err(runtime_error)?;
        for (name, col) in
            [("unit", &mut out.unit), ("k", &mut out.k), ("early", &mut out.early), ("late", &mut out.late)]
        {
            extend_ids(col, &batch, name).map_err(runtime_error)?;
        }
    }
    Ok(out)
}

fn runtime_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(e.to_string())
}

/// The co-share kernel a cluster's executors run (`lockstep.spark`): the
/// co-shares of the whole units whose rows `table` holds (the columns of
/// `UnitRows`), as int32 columns `unit`, `k`, `early`, `late`.
#[pyfunction]
fn coshare_kernel(
    py: Python<'_>,
    table: PyArrowType<ArrowArrayStreamReader>,
    window: i64,
) -> PyResult<PyArrowType<RecordBatch>> {
    let rows = read_unit_rows(table.0).map_err(value_error)?;
    let found = py.allow_threads(|| lockstep_detect::remote::expand_units(&rows, window));
    let ids = |v: Vec<u32>| Arc::new(Int32Array::from_iter_values(v.into_iter().map(|x| x as i32))) as ArrayRef;
    let batch = RecordBatch::try_from_iter([
        ("unit", ids(found.unit)),
        ("k", ids(found.k)),
        ("early", ids(found.early)),
        ("late", ids(found.late)),
    ])
    .map_err(runtime_error)?;
    Ok(PyArrowType(batch))
}

/// Classifies domains or URLs with the built-in feed and watchlist; returns
/// one JSON object per item (see `lockstep.classify_domains`).
#[pyfunction]
#[pyo3(signature = (items, *, min_score = None))]
fn classify_domains_json(items: Vec<String>, min_score: Option<f64>) -> PyResult<String> {
    let mut matcher = lockstep_domains::Matcher::new(lockstep_domains::Watchlist::builtin());
    if let Some(s) = min_score {
        if !(0.0..=1.0).contains(&s) {
            return Err(value_error(format!("min_score must be within [0, 1], got {s}")));
        }
        matcher = matcher.with_min_score(s as f32);
    }
    let classifier = lockstep_domains::Classifier::new(lockstep_domains::Feed::builtin(), matcher);
    let rows: Vec<_> = items.iter().map(|i| classifier.classify(i)).collect();
    serde_json::to_string(&rows).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// The native module.
#[pymodule]
fn _lockstep(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(detect_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(classify_domains_json, m)?)?;
    m.add_function(wrap_pyfunction!(coshare_kernel, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
