//! # lockstep-report: what a run writes
//!
//! This crate alone defines Lockstep's serialised output schema
//! ([`SCHEMA_VERSION`]). [`write_outputs`] writes into one directory (every file of a run
//! goes through it, so that it alone decides where they land):
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
//! | `domains.{csv,parquet}` | linked host: known / look-alike / clean, shares, groups (see [`write_domains`]) | with linked domains classified |
//!
//! Every table is sorted (see each writer) so the same input and parameters give
//! byte-identical files. Column meanings are documented in docs/method.md.

//!
//! [`Report`] is the typed report.json: built once by [`Report::build`], written
//! once by [`write_report`]; nothing reads it back.

mod domains;
mod error;
pub mod evidence;
pub mod graph;
mod json;
mod multiplex;
mod network_tables;
mod outdir;
mod stream;
mod table_writer;

pub use domains::{write_domains, write_domains_csv, DomainLine, DOMAIN_COLUMNS};
pub use error::{Error, Result};
pub use evidence::{edge_evidence, find_edge, utc, write_evidence, EvidenceRow};
pub use graph::{write_graph, GraphFormat, GraphScope};
pub use json::{write_report, InputInfo, Parameters, Report, ReportGroup, ReportInputs, SCHEMA_VERSION};
pub use multiplex::write_edge_kinds;
pub use network_tables::{write_accounts, write_edges, write_objects, write_pairs, SIGNIFICANCE_DIGITS};
pub use outdir::{OutputDir, OutputFile};
pub use table_writer::{ArrowTable, ArrowTables, ColType, TableFormat, TableSink, TableWriter, Value, Written};

use lockstep_core::Dataset;
use lockstep_detect::Detection;
use lockstep_domains::Fusion;
use std::path::Path;
use std::time::Instant;

/// Seconds spent per named part of a stage, in order.
pub type Laps = Vec<(&'static str, f64)>;

/// Every table and graph file of `opts`, in order, then the domains table
/// (with `fusion`), with the seconds each took. In memory (`to` is
/// [`TableSink::Memory`]) the tables are the same and graph files are not made.
fn write_tables(
    to: TableSink<'_>,
    ds: &Dataset,
    det: &Detection,
    fusion: Option<&Fusion>,
    opts: &OutputOptions,
) -> Result<(Vec<Written>, Laps)> {
    let mut files = Vec::new();
    let mut laps = Vec::new();
    let mut timed = |name: &'static str, f: &mut dyn FnMut() -> Result<Written>| -> Result<()> {
        let t = Instant::now();
        files.push(f()?);
        laps.push((name, t.elapsed().as_secs_f64()));
        Ok(())
    };
    timed("edges", &mut || write_edges(to, ds, det))?;
    // With one kind, each row of `edge_kinds` would repeat its edge's row of
    // `edges` (the kind is named in report.json): at scale that is gigabytes.
    if ds.kinds.len() > 1 {
        timed("edge kinds", &mut || write_edge_kinds(to, ds, det))?;
    }
    timed("accounts", &mut || write_accounts(to, ds, det))?;
    timed("objects", &mut || write_objects(to, ds, det))?;
    if opts.pairs {
        timed("pairs", &mut || write_pairs(to, ds, det))?;
    }
    if !opts.evidence_groups.is_empty() {
        timed("evidence", &mut || write_evidence(to, ds, det, &opts.evidence_groups))?;
    }
    if let TableSink::Files(dir, _) = to {
        let mut graphs = opts.graphs.clone();
        graphs.sort_unstable();
        graphs.dedup();
        for g in graphs {
            timed("graph", &mut || write_graph(dir, ds, det, g, opts.graph_scope))?;
        }
    }
    if let Some(fusion) = fusion {
        timed("domains", &mut || write_domains(to, fusion))?;
    }
    Ok((files, laps))
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

/// Writes every table of the run and `report.json` into `dir` (created if
/// needed). `report` gives the report without its files (e.g. builds it with
/// [`Report::build`]); it runs beside the tables. Returns the report as
/// written, with its files, and the seconds each part took.
pub fn write_outputs(
    dir: &Path,
    run: &ReportInputs<'_>,
    report: impl FnOnce() -> Report + Send,
    opts: &OutputOptions,
) -> Result<(Report, Laps)> {
    fs_err::create_dir_all(dir)?;
    let (report, tables) = rayon::join(
        || {
            let t = Instant::now();
            (report(), t.elapsed().as_secs_f64())
        },
        || write_tables(TableSink::Files(dir, opts.format), run.dataset, run.detection, run.fusion, opts),
    );
    let (files, mut laps) = tables?;
    let (mut report, report_secs) = report;
    laps.push(("summaries (beside)", report_secs));
    let t = Instant::now();
    report.files = files;
    write_report(dir, &report)?;
    laps.push(("report.json", t.elapsed().as_secs_f64()));
    Ok((report, laps))
}

/// What [`write_outputs`] writes, built in memory: the tables of `opts` as
/// Arrow record batches (exactly the batches its Parquet files are written
/// from: same columns, types, rows and values; `opts.format` and
/// `opts.graphs` are not used), in the order written, and the report, whose
/// `files` name the tables without an extension. For embedders that hand the
/// results over without files (the Python package).
pub fn build_outputs(
    run: &ReportInputs<'_>,
    report: impl FnOnce() -> Report + Send,
    opts: &OutputOptions,
) -> Result<(Vec<ArrowTable>, Report, Laps)> {
    let tables = ArrowTables::default();
    let (report, built) = rayon::join(
        || {
            let t = Instant::now();
            (report(), t.elapsed().as_secs_f64())
        },
        || write_tables(TableSink::Memory(&tables), run.dataset, run.detection, run.fusion, opts),
    );
    let (files, mut laps) = built?;
    let (mut report, report_secs) = report;
    laps.push(("summaries (beside)", report_secs));
    report.files = files;
    Ok((tables.take(), report, laps))
}
