//! `lockstep._lockstep`: the native half of the Python package.
//!
//! Thin: every stage is `lockstep-pipeline`'s, as for the command line. The
//! input table arrives as an Arrow C stream (the PyCapsule interface:
//! pyarrow, polars, pandas ≥ 2.2, DuckDB…) and its columns are read in place;
//! the results are written by the same writer as `lockstep detect` (Parquet
//! tables and report.json in a folder the Python side reads back), so they
//! are the command line's, byte for byte.

use arrow::ffi_stream::ArrowArrayStreamReader;
use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatchReader;
use lockstep_core::NoProgress;
use lockstep_detect::{AutoWindow, NullModel, Params, ThresholdRule, Window};
use lockstep_ingest::{ColumnMap, ReadOptions, TimeRange, TimeUnit};
use lockstep_pipeline::{DuplicatePolicy, RunOptions};
use lockstep_report::{OutputOptions, TableFormat};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Runs detection on an Arrow stream and writes the output folder `out`
/// (Parquet tables and report.json). See `lockstep.detect` for the arguments.
#[pyfunction]
#[pyo3(signature = (
    table, out, *, account, object, time, post, kind, kind_column, time_unit, window, fast_window,
    min_participation, edge_quantile, threshold, min_edge_score, null_model, resolution, seed,
    max_object_pairs, partitions, domains, pairs, keep_duplicates
))]
#[allow(clippy::too_many_arguments)]
fn detect_to_folder(
    py: Python<'_>,
    table: PyArrowType<ArrowArrayStreamReader>,
    out: PathBuf,
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
    null_model: &str,
    resolution: f64,
    seed: u64,
    max_object_pairs: u64,
    partitions: Option<u32>,
    domains: bool,
    pairs: bool,
    keep_duplicates: bool,
) -> PyResult<()> {
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
        null_model: match null_model {
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
    // detection and writing run without it.
    let read = lockstep_pipeline::read_arrow("<arrow table>", &names, reader, &opts).map_err(value_error)?;
    py.allow_threads(|| {
        let analysis = lockstep_pipeline::analyse(read, &opts, &params, &NoProgress).map_err(|e| e.to_string())?;
        let output = OutputOptions { format: TableFormat::Parquet, pairs, ..OutputOptions::default() };
        lockstep_pipeline::write(&analysis, &output, &out, &NoProgress).map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    })
    .map_err(PyRuntimeError::new_err)
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
    m.add_function(wrap_pyfunction!(detect_to_folder, m)?)?;
    m.add_function(wrap_pyfunction!(classify_domains_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
