//! # lockstep-report: what a run writes
//!
//! This crate alone defines Lockstep's serialised output schema
//! ([`SCHEMA_VERSION`]). [`write_outputs`] writes into one directory:
//!
//! | file | one row per | always |
//! | --- | --- | --- |
//! | `edges.{csv,parquet}` | edge of the account network | yes |
//! | `edge_kinds.{csv,parquet}` | edge and object kind: co-shares of that kind (multiplex, see [`write_edge_kinds`]) | with two or more object kinds |
//! | `accounts.{csv,parquet}` | account of the network (component, degree, statistics) | yes |
//! | `objects.{csv,parquet}` | object with co-shares, and every mass object | yes |
//! | `pairs.{csv,parquet}` | co-share (the evidence: objects, posts, times) | with `pairs` |
//! | `evidence.{csv,parquet}` | co-share behind the thresholded edges of chosen groups, times in UTC | with `evidence_groups` |
//! | `network.gexf`, `network.graphml` | the thresholded (or full) network for Gephi and other graph tools | with `graphs` |
//! | `report.json` | the run: schema version, parameters, input counts, diagnostics, summary | yes |
//! | `domains.{csv,parquet}` | linked host: known / look-alike / clean, shares, groups (see [`write_domains`]) | with domain annotation |
//!
//! Every table is sorted (see each writer) so the same input and parameters give
//! byte-identical files. Column meanings are documented in docs/method.md.

mod domains;
pub mod evidence;
pub mod graph;
mod json;
mod multiplex;
mod near_text;
mod outdir;
mod stream;
mod table;
mod tables;

pub use domains::{annotate_report, write_domains};
pub use evidence::{edge_evidence, find_edge, utc, write_evidence, EvidenceRow};
pub use graph::{write_graph, GraphFormat, GraphScope};
pub use json::{InputInfo, Report, SCHEMA_VERSION};
pub use multiplex::write_edge_kinds;
pub use near_text::annotate_near_text;
pub use outdir::{OutputDir, OutputFile};
pub use table::{ColType, TableFormat, TableWriter, Value};
pub use tables::{write_accounts, write_edges, write_objects, write_pairs, SIGNIFICANCE_DIGITS};

use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::Detection;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Seconds spent per named part of a stage, in order.
pub type Laps = Vec<(&'static str, f64)>;

/// Every table and graph file of `opts`, in order, with the seconds each took.
fn write_tables(
    dir: &Path,
    ds: &Dataset,
    det: &Detection,
    opts: &OutputOptions,
) -> Result<(Vec<tables::Written>, Laps)> {
    let mut files = Vec::new();
    let mut laps = Vec::new();
    let mut timed = |name: &'static str, f: &mut dyn FnMut() -> Result<tables::Written>| -> Result<()> {
        let t = Instant::now();
        files.push(f()?);
        laps.push((name, t.elapsed().as_secs_f64()));
        Ok(())
    };
    timed("edges", &mut || write_edges(dir, ds, det, opts.format))?;
    // With one kind, each row of `edge_kinds` would repeat its edge's row of
    // `edges` (the kind is named in report.json): at scale that is gigabytes.
    if ds.kinds.len() > 1 {
        timed("edge kinds", &mut || write_edge_kinds(dir, ds, det, opts.format))?;
    }
    timed("accounts", &mut || write_accounts(dir, ds, det, opts.format))?;
    timed("objects", &mut || write_objects(dir, ds, det, opts.format))?;
    if opts.pairs {
        timed("pairs", &mut || write_pairs(dir, ds, det, opts.format))?;
    }
    if !opts.evidence_groups.is_empty() {
        timed("evidence", &mut || write_evidence(dir, ds, det, &opts.evidence_groups, opts.format))?;
    }
    let mut graphs = opts.graphs.clone();
    graphs.sort_unstable();
    graphs.dedup();
    for g in graphs {
        timed("graph", &mut || write_graph(dir, ds, det, g, opts.graph_scope))?;
    }
    Ok((files, laps))
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Output errors; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// I/O error (the message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Parquet writing failed.
    #[error("writing {path}: {cause}")]
    Parquet {
        /// File.
        path: PathBuf,
        /// Cause (said in the message, so not also the error's `source`).
        cause: parquet::errors::ParquetError,
    },
    /// The output folder cannot receive the results.
    #[error("--out {path}: {reason}")]
    Output {
        /// The `--out` folder as given.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// JSON serialisation failed.
    #[error("writing {path}: {cause}")]
    Json {
        /// File.
        path: PathBuf,
        /// Cause (said in the message, so not also the error's `source`).
        cause: serde_json::Error,
    },
}

impl Error {
    pub(crate) fn parquet(path: &Path, source: parquet::errors::ParquetError) -> Self {
        Error::Parquet { path: path.to_path_buf(), cause: source }
    }
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io(std::io::Error::new(source.kind(), format!("{}: {source}", path.display())))
    }
}

/// What to write.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Table format.
    pub format: TableFormat,
    /// Also write every co-share (`pairs` table).
    pub pairs: bool,
    /// Write the `evidence` table for these groups (component numbers); none when empty.
    pub evidence_groups: Vec<u32>,
    /// Graph files to write (GEXF, GraphML).
    pub graphs: Vec<GraphFormat>,
    /// Which network the graph files hold.
    pub graph_scope: GraphScope,
}

/// Writes all tables and `report.json` into `dir` (created if needed). Returns
/// the report that was written.
pub fn write_outputs(
    dir: &Path,
    ds: &Dataset,
    det: &Detection,
    inputs: &[InputInfo],
    diagnostics: &Diagnostics,
    opts: OutputOptions,
) -> Result<Report> {
    fs_err::create_dir_all(dir)?;
    // The summaries only read the detection: they run beside the tables.
    let (summaries, tables) = rayon::join(
        || {
            let t = Instant::now();
            (json::summarize(ds, det), t.elapsed().as_secs_f64())
        },
        || write_tables(dir, ds, det, &opts),
    );
    let (files, mut laps) = tables?;
    let (summaries, summaries_secs) = summaries;
    laps.push(("summaries (beside)", summaries_secs));
    let t = Instant::now();
    let mut report = json::build_report(summaries, det, inputs, diagnostics, &files);
    let path = dir.join("report.json");
    let mut text = serde_json::to_string_pretty(&report).map_err(|e| Error::Json { path: path.clone(), cause: e })?;
    text.push('\n');
    fs_err::write(&path, text)?;
    laps.push(("report.json", t.elapsed().as_secs_f64()));
    report.stage_seconds = laps;
    Ok(report)
}
