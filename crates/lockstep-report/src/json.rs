//! `report.json`: the machine-readable account of a run. No clock times or
//! paths of temporary files go in, so it is byte-identical across reruns.

use crate::tables::Written;
use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::{
    summarize_communities, summarize_groups, summarize_kinds, CommunitySummary, Counts, Detection, GroupSummary,
    KindSummary, Params,
};
use serde::Serialize;

/// Version of the output schema (tables and this report). Bump on any change
/// to column names, types or meanings.
pub const SCHEMA_VERSION: &str = "1.4";

/// One input file as read. `records == posts + skipped`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputInfo {
    /// Path as given (or `<stdin>`).
    pub source: String,
    /// Format used.
    pub format: String,
    /// Records read (rows, lines).
    pub records: u64,
    /// Shares produced.
    pub shares: u64,
    /// Records skipped (see diagnostics).
    pub skipped: u64,
    /// Good records: posts of a platform format, rows of a generic one (schema 1.1).
    pub posts: u64,
    /// Posts that carried no object of the selected kinds (schema 1.1).
    pub posts_without_objects: u64,
    /// Object kinds asked of a platform format (`--objects`); `None` for generic formats (schema 1.1).
    pub object_kinds: Option<String>,
    /// Shares by object kind, by kind name (schema 1.1).
    pub shares_by_kind: std::collections::BTreeMap<String, u64>,
    /// `url` objects on a link-shortener host, kept as they are (schema 1.1).
    pub shortened_urls: u64,
    /// Links that are not http(s) URLs, kept verbatim as `url` objects (schema 1.1).
    pub unparsed_urls: u64,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// `lockstep <version>`.
    pub tool: String,
    /// Detection parameters.
    pub parameters: Params,
    /// With `--window auto`: how the window was estimated (the window used is `parameters.window`).
    pub window_estimate: Option<lockstep_detect::WindowEstimate>,
    /// Inputs.
    pub inputs: Vec<InputInfo>,
    /// Skipped records by reason, with examples.
    pub diagnostics: Diagnostics,
    /// Counts through the pipeline.
    pub counts: Counts,
    /// Object kinds of the run with their weight in the combined edge weight and
    /// their co-shares and edges, in byte order of labels (schema 1.3).
    pub kinds: Vec<KindSummary>,
    /// Weight threshold of the full network (the quantile value; edges must exceed it).
    pub threshold: f64,
    /// Weight threshold of the fast network.
    pub threshold_fast: Option<f64>,
    /// Edge significance: null model, threshold rule and its figures (schema 1.3).
    pub significance: lockstep_detect::SignificanceSummary,
    /// The largest groups (components of the thresholded network).
    pub groups: Vec<GroupSummary>,
    /// Modularity of the Leiden communities (with the resolution used).
    pub modularity: Option<f64>,
    /// The 50 most strongly coordinated Leiden communities, in rank order.
    pub communities: Vec<CommunitySummary>,
    /// Files written: (name, rows).
    pub files: Vec<Written>,
    /// Seconds spent on each part of writing, in order (for `--verbose`; not
    /// written, so the report stays byte-identical across runs).
    #[serde(skip)]
    pub stage_seconds: Vec<(&'static str, f64)>,
}

/// The parts of the report computed from the detection alone. The group and
/// community summaries walk the evidence of every edge above threshold, seconds
/// at 10M posts, so [`crate::write_outputs`] computes them while it writes the tables.
#[derive(Debug, Clone)]
pub(crate) struct Summaries {
    kinds: Vec<KindSummary>,
    groups: Vec<GroupSummary>,
    communities: Vec<CommunitySummary>,
}

/// Summaries of kinds, the 20 largest groups and the 50 most strongly
/// coordinated communities.
pub(crate) fn summarize(ds: &Dataset, det: &Detection) -> Summaries {
    Summaries {
        kinds: summarize_kinds(ds, det),
        groups: summarize_groups(ds, det, 20, 5),
        communities: summarize_communities(ds, det, 50, 5),
    }
}

/// Builds the report from its summaries and the rest.
pub(crate) fn build_report(
    summaries: Summaries,
    det: &Detection,
    inputs: &[InputInfo],
    diagnostics: &Diagnostics,
    files: &[Written],
) -> Report {
    let Summaries { kinds, groups, communities } = summaries;
    Report {
        schema_version: SCHEMA_VERSION,
        tool: format!("lockstep {}", env!("CARGO_PKG_VERSION")),
        parameters: det.params.clone(),
        window_estimate: det.window_estimate.clone(),
        inputs: inputs.to_vec(),
        diagnostics: diagnostics.clone(),
        counts: det.counts.clone(),
        kinds,
        threshold: det.threshold,
        threshold_fast: det.threshold_fast,
        significance: det.significance.summary.clone(),
        groups,
        modularity: det.communities.as_ref().map(|c| c.modularity),
        communities,
        files: files.to_vec(),
        stage_seconds: Vec::new(),
    }
}
