//! `report.json`: the machine-readable account of a run. No clock times or
//! paths of temporary files go in, so it is byte-identical across reruns.
//!
//! Schema 1.6 (issue 18): `counts.time_resolution` (seconds: 60 when every time
//! is on a whole minute); `parameters.null_model` and `significance.model` name
//! the edge scores' null model (`object-time` by default, `shuffled-accounts` in
//! CooRTweet mode or with `--null-model shuffle`); each community gains
//! `post_pairs`, `expected`, `score` and `why`, and communities are ranked by
//! `score` (CooRTweet mode: by `strength`); in Lockstep mode the combined weight
//! counts a pair of posts once (the largest kind weight among its co-shares)
//! and kinds weighted 0 leave the thresholds; `edges.csv` `expected`/`score`
//! follow the null model. The command's defaults are now `--threshold score`
//! and `--min-edge-score 20` (`quantile` with `--compat coortweet`).
//!
//! Schema 1.5: the `domains` table gains `input` and `note` (one schema with
//! `lockstep domains`' CSV, see [`crate::DOMAIN_COLUMNS`]). In report.json no
//! field is added or removed: [`Report`] holds every field,
//! `near_text` and the groups' `domain_links` included, and is written once;
//! keys are in byte order at every level (as they already were whenever linked
//! domains were classified); floats are printed exactly, in their shortest
//! round-trip form (rewriting the file through an untyped reader changed the
//! last digit of some, e.g. `0.009009009009009007` for 1/111).

use crate::table_writer::Written;
use crate::{Error, Result};
use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::{
    summarize_communities, summarize_groups, summarize_kinds, AutoWindow, CommunitySummary, Counts, Detection,
    GroupSummary, KindSummary, Params,
};
use lockstep_domains::{Fusion, GroupLinks};
use serde::Serialize;
use std::path::Path;

/// Version of the output schema (tables and this report). Bump on any change
/// to column names, types or meanings.
///
/// 1.6: `diagnostics.duplicates` (identical records, repeated post ids, likely
/// duplicates, whether each was dropped, examples) and `counts.mass_objects_over_budget`
/// (objects summarised to stay within `--memory-limit`); exact duplicates are
/// dropped by default, so counts of data that held them change.
///
/// 1.7: the `domains` table gains `why` (the technique, target and every factor of
/// a look-alike's score, or why a domain is clean: [`lockstep_domains::Evidence`]).
///
/// 1.8: `parameters.solo_edge_score`, `significance.solo_edge_score` and
/// `significance.unsupported_edges` (the triangle rule of the `score` and `both`
/// rules); the default null model is `rarest-object` and the default minimum edge score 5.
///
/// 1.9: `parameters.nb_size` (the rarest-object test counts pairs of posts
/// against a negative binomial of that size, default 100; 0 is the Poisson of 1.8).
pub const SCHEMA_VERSION: &str = "1.9";

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

/// The detection parameters as report.json gives them: the window used (the
/// estimate's with `--window auto`) and the auto window's parameters beside the
/// rest of [`Params`].
#[derive(Debug, Clone, Serialize)]
pub struct Parameters {
    /// The window used, in seconds.
    pub window: u32,
    /// With `--window auto`: its parameters (the estimate is the report's `window_estimate`).
    pub auto_window: Option<AutoWindow>,
    /// The other parameters.
    #[serde(flatten)]
    pub detection: Params,
}

/// One group (component) of the report: its summary and, when linked domains
/// were classified, what its members linked to (schema 1.5: typed; the same
/// `domain_links` as before).
#[derive(Debug, Clone, Serialize)]
pub struct ReportGroup {
    /// The summary.
    #[serde(flatten)]
    pub summary: GroupSummary,
    /// Links of its members to known and look-alike domains (with domain classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_links: Option<GroupLinks>,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: &'static str,
    /// `lockstep <version>`.
    pub tool: String,
    /// Detection parameters.
    pub parameters: Parameters,
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
    pub groups: Vec<ReportGroup>,
    /// Modularity of the Leiden communities (with the resolution used).
    pub modularity: Option<f64>,
    /// The 50 most strongly coordinated Leiden communities, in rank order.
    pub communities: Vec<CommunitySummary>,
    /// What the near-text stage did, when near-text objects were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_text: Option<lockstep_neartext::Summary>,
    /// Files written: (name, rows), in the order written. Empty until the
    /// outputs are written ([`crate::write_report`] writes the report with them).
    pub files: Vec<Written>,
}

/// What a report is made of.
#[derive(Debug, Clone, Copy)]
pub struct ReportInputs<'a> {
    /// The shares.
    pub dataset: &'a Dataset,
    /// The detection run.
    pub detection: &'a Detection,
    /// The inputs as read.
    pub inputs: &'a [InputInfo],
    /// Skipped records.
    pub diagnostics: &'a Diagnostics,
    /// The near-text stage's summary, when it ran.
    pub near_text: Option<&'a lockstep_neartext::Summary>,
    /// The linked domains, when classified.
    pub fusion: Option<&'a Fusion>,
}

impl Report {
    /// Builds the report (its `files` empty). The group and community summaries
    /// walk the evidence of every edge above threshold, seconds at 10M posts: a
    /// writer builds the report beside its tables.
    pub fn build(r: &ReportInputs<'_>) -> Report {
        let (ds, det) = (r.dataset, r.detection);
        let groups = summarize_groups(ds, det, 20, 5)
            .into_iter()
            .map(|summary| {
                let domain_links = r.fusion.map(|f| {
                    f.groups.iter().find(|l| l.component == summary.component).cloned().unwrap_or(GroupLinks {
                        component: summary.component,
                        links: 0,
                        known_links: 0,
                        lookalike_links: 0,
                        flagged_share: 0.0,
                        outlets: vec![],
                        operations: vec![],
                    })
                });
                ReportGroup { summary, domain_links }
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: format!("lockstep {}", env!("CARGO_PKG_VERSION")),
            parameters: Parameters {
                window: det.window,
                auto_window: det.params.window.auto(),
                detection: det.params.clone(),
            },
            window_estimate: det.window_estimate.clone(),
            inputs: r.inputs.to_vec(),
            diagnostics: r.diagnostics.clone(),
            counts: det.counts.clone(),
            kinds: summarize_kinds(ds, det),
            threshold: det.threshold,
            threshold_fast: det.threshold_fast,
            significance: det.significance.summary.clone(),
            groups,
            modularity: det.communities.as_ref().map(|c| c.modularity),
            communities: summarize_communities(ds, det, 50, 5),
            near_text: r.near_text.cloned(),
            files: Vec::new(),
        }
    }

    /// The report as report.json holds it: pretty JSON, keys in byte order at
    /// every level, a final newline.
    pub fn to_json(&self) -> serde_json::Result<String> {
        // Through a `Value`, whose maps keep keys sorted: the order does not
        // follow the structs' field order, so adding a field moves no other key.
        let mut text = serde_json::to_string_pretty(&serde_json::to_value(self)?)?;
        text.push('\n');
        Ok(text)
    }
}

/// Writes `report` as `dir/report.json`.
pub fn write_report(dir: &Path, report: &Report) -> Result<()> {
    let path = dir.join("report.json");
    let text = report.to_json().map_err(|e| Error::Json { path: path.clone(), cause: e })?;
    fs_err::write(&path, text)?;
    Ok(())
}
