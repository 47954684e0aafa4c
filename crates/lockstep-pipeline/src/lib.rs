//! # lockstep-pipeline: one analysis as a library call
//!
//! [`run`] does everything `lockstep detect` does, without a command line:
//! it reads the inputs ([`lockstep_ingest`]), clusters near-duplicate texts
//! when there are any ([`lockstep_neartext`]), detects coordinated sharing
//! ([`lockstep_detect`]) and classifies the linked domains, joined with the
//! groups found ([`lockstep_domains`]). It returns an [`Analysis`]: typed
//! results, including the [`Report`] that `report.json` holds. [`write()`] puts an
//! analysis's output folder on disk; it is the only function here that writes.
//! [`tables`] builds the same tables in memory, as Arrow record batches.
//!
//! The `lockstep` binary, and later the server, the Python package and the live
//! mode, call these; none of them re-implements a stage.
//!
//! ```
//! use lockstep_core::NoProgress;
//! use lockstep_detect::{Params, Window};
//! use lockstep_pipeline::{run, Input, RunOptions};
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("shares.csv");
//! let mut csv = String::from("account_id,object_id,timestamp_share,content_id\n");
//! let t0 = 1_704_067_200; // 2024-01-01T00:00:00Z (times before 2006 are skipped as implausible)
//! for i in 0..3 {
//!     csv += &format!("alice,https://example.com/{i},{},a{i}\n", t0 + 100 * i);
//!     csv += &format!("bob,https://example.com/{i},{},b{i}\n", t0 + 100 * i + 5);
//! }
//! std::fs::write(&path, csv)?;
//! let params = Params { window: Window::Seconds(10), ..Params::default() };
//! let analysis = run(&[Input::path(&path)], &RunOptions::default(), &params, &NoProgress)?;
//! assert_eq!(analysis.detection.edges.len(), 1);
//! assert_eq!(analysis.report().counts.coshares, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Invariants: the same inputs, options and parameters give the same
//! [`Analysis`] and byte-identical files; progress events never change a result.

use lockstep_core::{Dataset, Diagnostics, Progress};
use lockstep_detect::{Detection, Params};
use lockstep_domains::{Classifier, Fusion};
use lockstep_ingest::ReadOptions;
use lockstep_report::{InputInfo, Laps, OutputOptions, Report, ReportInputs};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input could not be read (the message names it).
    #[error(transparent)]
    Read(#[from] lockstep_ingest::Error),
    /// The near-text stage's parameters are invalid.
    #[error(transparent)]
    NearText(#[from] lockstep_neartext::Error),
    /// A detection parameter is invalid.
    #[error(transparent)]
    Detect(#[from] lockstep_detect::Error),
    /// The outputs could not be written (the message names the file).
    #[error(transparent)]
    Write(#[from] lockstep_report::Error),
    /// Every record was skipped: nothing to analyse.
    #[error("no shares read from {sources} ({skipped} records skipped){reasons}")]
    NoShares {
        /// The inputs, comma-separated.
        sources: String,
        /// Records skipped.
        skipped: u64,
        /// One line per reason: count, reason, an example.
        reasons: String,
    },
}

/// One input: a path, or `-` for stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path (`-`: stdin).
    pub path: PathBuf,
}

impl Input {
    /// The input at `path` (`-`: stdin).
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Input { path: path.into() }
    }

    /// Standard input.
    pub fn stdin() -> Self {
        Input::path("-")
    }
}

/// How to run an analysis, beside the detection [`Params`].
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// How every input is read.
    pub read: ReadOptions,
    /// The near-text stage (when near-text objects are read).
    pub near_text: lockstep_neartext::Params,
    /// Classifies the linked domains (objects of kind `url` and `domain`) and
    /// joins them with the groups; `None`: no domain classification.
    pub domains: Option<Classifier>,
    /// Which duplicate shares are dropped after reading (all are counted).
    pub duplicates: DuplicatePolicy,
}

/// Which duplicate shares [`read`] drops; every kind is counted in the
/// diagnostics either way (docs/method.md, "Duplicates").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicatePolicy {
    /// Drop identical records and records repeating a post id's object (default).
    pub drop_exact: bool,
    /// Also drop likely duplicates: same account, object and time under another post id.
    pub drop_likely: bool,
}

impl Default for DuplicatePolicy {
    fn default() -> Self {
        DuplicatePolicy { drop_exact: true, drop_likely: false }
    }
}

impl DuplicatePolicy {
    /// Every share kept (CooRTweet mode counts duplicates as CooRTweet does).
    pub const KEEP_ALL: DuplicatePolicy = DuplicatePolicy { drop_exact: false, drop_likely: false };
}

/// What was read: the shares, the skipped records, each input's figures and the
/// near-text stage's summary.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// The shares of all inputs, in input order.
    pub dataset: Dataset,
    /// Skipped records by reason.
    pub diagnostics: Diagnostics,
    /// Per input, in order.
    pub inputs: Vec<InputInfo>,
    /// What the near-text stage did, when near-text objects were read.
    pub near_text: Option<lockstep_neartext::Summary>,
    /// The format each input was read as, in order.
    pub formats: Vec<lockstep_ingest::Format>,
}

/// A whole analysis, typed.
#[derive(Debug)]
pub struct Analysis {
    /// The shares.
    pub dataset: Dataset,
    /// Skipped records by reason.
    pub diagnostics: Diagnostics,
    /// Per input, in order.
    pub inputs: Vec<InputInfo>,
    /// What the near-text stage did, when near-text objects were read.
    pub near_text: Option<lockstep_neartext::Summary>,
    /// The network, groups, communities, objects and their statistics.
    pub detection: Detection,
    /// The linked domains and what each group linked to, when classified.
    pub fusion: Option<Fusion>,
    /// Built on first use (its summaries take seconds at 10M posts; [`write`]
    /// builds it beside the tables).
    report: OnceLock<Report>,
}

impl Analysis {
    /// What the report is made of.
    fn report_inputs(&self) -> ReportInputs<'_> {
        ReportInputs {
            dataset: &self.dataset,
            detection: &self.detection,
            inputs: &self.inputs,
            diagnostics: &self.diagnostics,
            near_text: self.near_text.as_ref(),
            fusion: self.fusion.as_ref(),
        }
    }

    /// The report (what `report.json` holds, but for the files written: see [`write()`]).
    pub fn report(&self) -> &Report {
        self.report.get_or_init(|| Report::build(&self.report_inputs()))
    }
}

/// Reads every input in order (stdin when none), then, when near-text objects
/// were read, clusters them. Fails when no share was read.
pub fn read(inputs: &[Input], opts: &RunOptions, progress: &dyn Progress) -> Result<Read> {
    let stdin = [Input::stdin()];
    let inputs = if inputs.is_empty() { &stdin[..] } else { inputs };
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let mut read = Vec::new();
    for input in inputs {
        let first = ds.shares.len();
        let s = lockstep_ingest::read_input_with_progress(&input.path, &opts.read, &mut ds, &mut diags, progress)?;
        read.push((first..ds.shares.len(), s));
    }
    let sources = inputs.iter().map(|i| i.path.display().to_string()).collect::<Vec<_>>().join(", ");
    finish_read(ds, diags, read, opts, sources)
}

/// Reads an in-memory Arrow table (record batches with the column names
/// `columns`; `name` names it in messages) as [`read`] reads a Parquet file
/// of the same rows: same records, duplicates and near-text stage. For
/// embedders (the Python package); the columns are read in place.
pub fn read_arrow<I>(name: &str, columns: &[String], batches: I, opts: &RunOptions) -> Result<Read>
where
    I: Iterator<Item = std::result::Result<arrow::array::RecordBatch, arrow::error::ArrowError>>,
{
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let s = lockstep_ingest::read_arrow(name, columns, batches, &opts.read, &mut ds, &mut diags)?;
    let read = vec![(0..ds.shares.len(), s)];
    finish_read(ds, diags, read, opts, name.to_string())
}

/// What [`read`] does once every input is in: duplicates, near-text, the
/// inputs' figures.
fn finish_read(
    mut ds: Dataset,
    mut diags: Diagnostics,
    mut read: Vec<(std::ops::Range<usize>, lockstep_ingest::ReadSummary)>,
    opts: &RunOptions,
    sources: String,
) -> Result<Read> {
    // Duplicates across all inputs (the same file given twice): counted, and dropped as the policy says.
    let dups = lockstep_core::duplicates::find(&ds);
    let policy = opts.duplicates;
    let drop_likely = policy.drop_exact && policy.drop_likely;
    let removed = match (policy.drop_exact, drop_likely) {
        (true, true) => lockstep_core::duplicates::merge_sorted(&dups.exact, &dups.likely),
        (true, false) => dups.exact,
        _ => Vec::new(),
    };
    ds.remove_shares(&removed);
    shrink_ranges(&mut read, &removed);
    diags.duplicates =
        lockstep_core::Duplicates { dropped: policy.drop_exact, likely_dropped: drop_likely, ..dups.summary };
    // Near-duplicate texts need every text first: the stage runs once over all inputs.
    let near_text = match ds.kinds.lookup(lockstep_neartext::KIND) {
        Some(_) => {
            let out = lockstep_neartext::apply(&mut ds, &opts.near_text)?;
            shrink_ranges(&mut read, &out.removed);
            Some(out.summary)
        }
        None => None,
    };
    let formats: Vec<lockstep_ingest::Format> = read.iter().map(|(_, s)| s.format).collect();
    let mut infos = Vec::new();
    for (range, s) in read {
        let mut counts = vec![0u64; ds.kinds.len()];
        for share in &ds.shares[range] {
            counts[ds.object_kind[share.object as usize] as usize] += 1;
        }
        let by_kind: BTreeMap<String, u64> = counts
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| (ds.kinds.get(kind as u32).to_string(), n))
            .collect();
        infos.push(InputInfo {
            source: s.source,
            format: s.format.to_string(),
            records: s.records,
            shares: s.shares,
            skipped: s.skipped,
            posts: s.posts,
            posts_without_objects: s.posts_without_objects,
            object_kinds: s.format.is_platform().then(|| opts.read.objects.to_string()),
            shares_by_kind: by_kind,
            shortened_urls: s.shortened_urls,
            unparsed_urls: s.unparsed_urls,
        });
    }
    if ds.shares.is_empty() {
        let reasons: String = diags
            .by_reason
            .iter()
            .map(|(reason, s)| {
                let ex = s.examples.first().map(|d| format!(", e.g. {d}")).unwrap_or_default();
                format!("\n  skipped {} × {reason}{ex}", s.count)
            })
            .collect();
        return Err(Error::NoShares { sources, skipped: diags.skipped, reasons });
    }
    Ok(Read { dataset: ds, diagnostics: diags, inputs: infos, near_text, formats })
}

/// Each input's range of shares and count, less the removed shares (input ranks, sorted).
fn shrink_ranges(read: &mut [(std::ops::Range<usize>, lockstep_ingest::ReadSummary)], removed: &[usize]) {
    let before = |i: usize| removed.partition_point(|&r| r < i);
    for (range, s) in read {
        let gone = before(range.end) - before(range.start);
        s.shares -= gone as u64;
        *range = range.start - before(range.start)..range.end - before(range.end);
    }
}

/// Detects and classifies the linked domains of what was read.
pub fn analyse(read: Read, opts: &RunOptions, params: &Params, progress: &dyn Progress) -> Result<Analysis> {
    analyse_with(read, opts, params, None, progress)
}

/// [`analyse`], with the co-share stage run by `stage` when given (see
/// [`lockstep_detect::detect_with`]: a cluster's executors).
pub fn analyse_with(
    read: Read,
    opts: &RunOptions,
    params: &Params,
    stage: Option<&mut dyn lockstep_detect::remote::CoShareStage>,
    progress: &dyn Progress,
) -> Result<Analysis> {
    progress.stage("detecting");
    let detection = lockstep_detect::detect_with(&read.dataset, params, stage)?;
    for &(name, secs) in &detection.stage_seconds {
        progress.lap(name, secs);
    }
    let fusion = opts.domains.as_ref().map(|classifier| {
        progress.stage("classifying linked domains");
        let group_of = detection.component_by_account(read.dataset.accounts.len());
        lockstep_domains::annotate(&read.dataset, Some(&group_of), classifier, lockstep_domains::LINK_KINDS)
    });
    Ok(Analysis {
        dataset: read.dataset,
        diagnostics: read.diagnostics,
        inputs: read.inputs,
        near_text: read.near_text,
        detection,
        fusion,
        report: OnceLock::new(),
    })
}

/// The whole analysis of `inputs` (stdin when none): [`read`], then [`analyse`].
pub fn run(inputs: &[Input], opts: &RunOptions, params: &Params, progress: &dyn Progress) -> Result<Analysis> {
    // Invalid parameters fail before any input is read.
    params.validate()?;
    progress.stage("reading");
    let read = read(inputs, opts, progress)?;
    analyse(read, opts, params, progress)
}

/// Writes the output folder of `analysis` as `dir`, whole or not at all (see
/// [`lockstep_report::OutputDir`]: staged beside it and swapped into place; `dir`
/// must be new, empty or a previous result, which is replaced): the tables of
/// `opts`, the domains table when domains were classified, and `report.json`.
/// Every file of the folder is written through here. Returns the
/// report as written (with its files) and the seconds each part took.
pub fn write(analysis: &Analysis, opts: &OutputOptions, dir: &Path, progress: &dyn Progress) -> Result<Report> {
    progress.stage("writing outputs");
    let staged = lockstep_report::OutputDir::begin(dir, &[])?;
    let (report, laps): (Report, Laps) =
        lockstep_report::write_outputs(staged.path(), &analysis.report_inputs(), || analysis.report().clone(), opts)?;
    staged.commit()?;
    for (name, secs) in laps {
        progress.lap(name, secs);
    }
    Ok(report)
}

/// The tables [`write()`] writes (as Parquet), built in memory as Arrow record
/// batches of exactly the same columns, types, rows and values, in the order
/// written; and the report, whose `files` name the tables (without an
/// extension). Graph files (`opts.graphs`) are not made. For embedders that
/// hand the results over without files (the Python package).
pub fn tables(
    analysis: &Analysis,
    opts: &OutputOptions,
    progress: &dyn Progress,
) -> Result<(Vec<lockstep_report::ArrowTable>, Report)> {
    progress.stage("building tables");
    let (tables, report, laps) =
        lockstep_report::build_outputs(&analysis.report_inputs(), || analysis.report().clone(), opts)?;
    for (name, secs) in laps {
        progress.lap(name, secs);
    }
    Ok((tables, report))
}
