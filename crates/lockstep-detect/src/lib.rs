//! # lockstep-detect: the co-share engine
//!
//! Given a [`Dataset`] of shares, find every **co-share** (two shares of the same
//! object by different accounts at most `window` seconds apart), keep the accounts
//! that pass the participation filters, aggregate co-shares into the weighted,
//! undirected **account network**, mark the edges above the weight quantile, and
//! compute connected components and per-account / per-object statistics.
//!
//! ```
//! use lockstep_core::Dataset;
//! use lockstep_detect::{detect, Params, Window};
//! let mut ds = Dataset::default();
//! for (i, t) in [0, 100, 200].into_iter().enumerate() {
//!     let obj = format!("https://example.com/{i}");
//!     ds.push("alice", &obj, "url", &format!("a{i}"), t);
//!     ds.push("bob", &obj, "url", &format!("b{i}"), t + 3);
//! }
//! let params = Params { window: Window::Seconds(10), min_participation: 2, ..Params::default() };
//! let found = detect(&ds, &params).unwrap();
//! assert_eq!(found.coshares.len(), 3);
//! assert_eq!(found.edges.len(), 1);
//! assert_eq!(found.edges[0].full.weight, 3);
//! ```
//!
//! The pipeline, one module per stage:
//! 1. [`coshare`]: pre-filter accounts, group shares by object in time order,
//!    enumerate co-shares inside the window (summarising "mass" objects instead of
//!    expanding them, see [`Params::max_object_pairs`]).
//! 2. [`participation`]: the second min-participation filter and the fast-window flag.
//! 3. [`network`]: aggregate co-shares into edges (each with its co-shares per
//!    object kind, see [`multiplex`]), quantile thresholds;
//!    [`significance`]: each edge's expected weight under a null model and its
//!    score (`−log10` p-value), optionally the threshold rule.
//! 4. [`components`]: connected components and degrees.
//! 5. [`communities`]: Leiden communities of the thresholded network (seeded).
//! 6. [`stats`]: per-account and per-object statistics; [`groups`] and
//!    [`community_stats`] summarise components and communities for people.
//!
//! Two modes ([`Mode`]): `Lockstep` (the default, documented in docs/method.md)
//! and `CoorTweet`, which reproduces CooRTweet 2.1.3 exactly, quirks included.
//!
//! Invariants: no I/O; the result depends only on the dataset (including its
//! share order, which breaks ties) and the parameters.

pub mod communities;
pub mod community_stats;
pub mod components;
pub mod coshare;
pub mod groups;
pub mod memory;
pub mod multiplex;
pub mod network;
pub mod participation;
pub mod partition;
pub mod quantile;
pub mod rarity;
pub mod remote;
pub mod significance;
pub mod stats;
pub mod window;

use lockstep_core::{AccountId, Dataset};
use serde::Serialize;

pub use community_stats::{summarize_communities, CommunitySummary};
pub use coshare::{CoShare, MassObject};
pub use groups::{summarize_groups, GroupSummary};
pub use multiplex::{summarize_kinds, EdgeKind, EdgeKinds, KindCount, KindSummary};
pub use network::{Edge, EdgeAttrs};
pub use significance::{NullModel, Significance, SignificanceSummary, ThresholdRule};
pub use stats::{AccountStat, ObjectStat};
pub use window::{AutoWindow, WindowEstimate};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Errors: invalid parameters. Detection itself cannot fail on valid input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParam {
        /// Parameter name as on the command line.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// The co-share stage run elsewhere ([`remote::CoShareStage`]) failed.
    #[error("co-share stage: {0}")]
    Stage(String),
}

/// Which semantics to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Lockstep's semantics (see docs/method.md).
    #[default]
    Lockstep,
    /// CooRTweet 2.1.3, reproduced exactly including its quirks.
    #[serde(rename = "coortweet")]
    CoorTweet,
}

/// The co-share window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    /// A window of this many seconds.
    Seconds(u32),
    /// Estimated from the data (CooRnet's method, see [`window`]); the window
    /// used is [`Detection::window`], the estimate [`Detection::window_estimate`].
    Auto(AutoWindow),
}

impl Window {
    /// The auto window's parameters, when the window is estimated.
    pub fn auto(&self) -> Option<AutoWindow> {
        match *self {
            Window::Auto(a) => Some(a),
            Window::Seconds(_) => None,
        }
    }
}

/// Detection parameters.
#[derive(Debug, Clone, Serialize)]
pub struct Params {
    /// Co-share window W: two shares co-share when `|t1 - t2| <= W` seconds. Not
    /// serialised here: a report writes the window used and how it was chosen.
    #[serde(skip)]
    pub window: Window,
    /// Optional faster window flagged on the same run (CooRTweet's fast network).
    pub fast_window: Option<i64>,
    /// Minimum participation M (see docs/method.md for both filters).
    pub min_participation: u32,
    /// Quantile of edge weights an edge must exceed (strictly) to be kept.
    pub edge_quantile: f64,
    /// Semantics.
    pub mode: Mode,
    /// An object whose in-window share pairs exceed this number is not expanded
    /// into co-shares; it is reported as a mass object instead. Bounds memory.
    pub max_object_pairs: u64,
    /// The memory budget in in-window share pairs, over all objects together
    /// (`--memory-limit` divided by the bytes a co-share costs, docs/method.md).
    /// When the objects' pairs add up to more, the objects with the most pairs
    /// are summarised as mass objects (largest first) until the rest fit:
    /// reported, not expanded. `None`: no budget. Not in report.json: it
    /// depends on the memory in use when detection starts, and the outputs of
    /// a run within budget must not (`counts.mass_objects_over_budget` says when
    /// it took effect).
    #[serde(skip)]
    pub max_total_pairs: Option<u64>,
    /// Partitioned detection ([`partition`], `--partitions`): `None` chooses
    /// (partitioned when expanding every object would exceed the memory
    /// budget, see [`partition::choose`]), `Some(1)` never, `Some(n)` in `n`
    /// parts. The results are the same either way; not in report.json.
    #[serde(skip)]
    pub partitions: Option<u32>,
    /// Resolution γ of the Leiden communities (modularity; 1 = classic, larger = smaller communities).
    pub resolution: f64,
    /// Seed of the Leiden communities' randomness (same seed, same communities).
    pub seed: u64,
    /// Weight `W_k` of each object kind in the combined edge weight (`--kind-weight`;
    /// a kind not listed weighs 1). See [`multiplex`].
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub kind_weights: std::collections::BTreeMap<String, f64>,
    /// Which rule makes the thresholded network: weight quantile, edge score, or both.
    pub threshold: ThresholdRule,
    /// Minimum edge score (`−log10` p-value, see [`significance`]) of the `score` and `both` rules.
    pub min_edge_score: f64,
    /// Score an edge needs to be in the thresholded network on its own under the
    /// `score` and `both` rules; below it, an edge needs a triangle
    /// ([`significance::require_support`]). At most `min_edge_score`: no triangle needed.
    pub solo_edge_score: f64,
    /// The null model of the edge scores (CooRTweet mode always uses the shuffle).
    pub null_model: NullModel,
    /// Size `k` of the negative binomial the rarest-object scan tests its pairs
    /// of posts against (variance `E + E²/k`: the expectation's own error grows
    /// with it, so a heavy pair needs a larger ratio, not only a larger count);
    /// 0: Poisson. Other null models ignore it. See [`rarity`].
    pub nb_size: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            window: Window::Seconds(60),
            fast_window: None,
            min_participation: 2,
            edge_quantile: 0.5,
            mode: Mode::Lockstep,
            max_object_pairs: 10_000_000,
            max_total_pairs: None,
            partitions: None,
            resolution: 1.0,
            seed: 42,
            kind_weights: Default::default(),
            threshold: ThresholdRule::Quantile,
            min_edge_score: 10.0,
            solo_edge_score: 0.0,
            null_model: NullModel::ObjectTime,
            nb_size: rarity::DEFAULT_NB_SIZE,
        }
    }
}

impl Params {
    /// Checks ranges.
    pub fn validate(&self) -> Result<()> {
        if let Some(f) = self.fast_window {
            let most = match self.window {
                Window::Seconds(w) => i64::from(w),
                // Checked against the estimate by `detect`.
                Window::Auto(_) => i64::from(u32::MAX),
            };
            if f < 0 || f > most {
                return Err(Error::InvalidParam {
                    name: "fast-window",
                    reason: format!("must be between 0 and the window ({most}), got {f}"),
                });
            }
        }
        if !(0.0..=1.0).contains(&self.edge_quantile) || self.edge_quantile.is_nan() {
            return Err(Error::InvalidParam {
                name: "edge-quantile",
                reason: format!("must be within [0, 1], got {}", self.edge_quantile),
            });
        }
        if !(self.resolution > 0.0 && self.resolution.is_finite()) {
            return Err(Error::InvalidParam {
                name: "resolution",
                reason: format!("must be a positive number, got {}", self.resolution),
            });
        }
        if let Window::Auto(a) = self.window {
            if !((0.0..=1.0).contains(&a.q) && (0.0..=1.0).contains(&a.p)) {
                return Err(Error::InvalidParam {
                    name: "window auto",
                    reason: format!("q and p must be within [0, 1], got q = {}, p = {}", a.q, a.p),
                });
            }
        }
        if !(self.min_edge_score >= 0.0 && self.min_edge_score.is_finite()) {
            return Err(Error::InvalidParam {
                name: "min-edge-score",
                reason: format!("must be a finite number >= 0, got {}", self.min_edge_score),
            });
        }
        if !(self.solo_edge_score >= 0.0 && self.solo_edge_score.is_finite()) {
            return Err(Error::InvalidParam {
                name: "solo-edge-score",
                reason: format!("must be a finite number >= 0, got {}", self.solo_edge_score),
            });
        }
        if !(self.nb_size >= 0.0 && self.nb_size.is_finite()) {
            return Err(Error::InvalidParam {
                name: "nb-size",
                reason: format!("must be a finite number >= 0 (0: Poisson), got {}", self.nb_size),
            });
        }
        if self.min_participation == 0 {
            return Err(Error::InvalidParam { name: "min-participation", reason: "must be >= 1".into() });
        }
        multiplex::validate(&self.kind_weights, self.mode)
    }
}

/// Counts describing one run, for the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Shares in the input.
    pub shares: u64,
    /// Distinct accounts in the input.
    pub accounts: u64,
    /// Distinct objects in the input.
    pub objects: u64,
    /// Shares kept by the first min-participation filter.
    pub shares_after_prefilter: u64,
    /// Accounts kept by the first min-participation filter.
    pub accounts_after_prefilter: u64,
    /// Candidate co-shares inside the window (before loop removal and filters).
    pub candidate_coshares: u64,
    /// Co-shares after all filters.
    pub coshares: u64,
    /// Co-shares inside the fast window (when one was given).
    pub fast_coshares: u64,
    /// Objects summarised as mass objects instead of expanded.
    pub mass_objects: u64,
    /// Share pairs inside the window in mass objects (not expanded).
    pub mass_object_pairs: u64,
    /// Of the mass objects, those summarised to keep within the memory budget
    /// ([`Params::max_total_pairs`]) rather than for their own size.
    pub mass_objects_over_budget: u64,
    /// Edges in the full network.
    pub edges: u64,
    /// Edges above the weight threshold.
    pub edges_above_threshold: u64,
    /// Accounts in the full network.
    pub network_accounts: u64,
    /// Accounts in the thresholded network.
    pub coordinated_accounts: u64,
    /// Connected components of the thresholded network.
    pub components: u64,
    /// Leiden communities of the thresholded network.
    pub communities: u64,
    /// Time resolution of the input in seconds (60: every time on a whole minute; see [`window::time_resolution`]).
    pub time_resolution: i64,
}

/// Everything detection found.
#[derive(Debug, Clone)]
pub struct Detection {
    /// The parameters used.
    pub params: Params,
    /// The window used in seconds: [`Window::Seconds`]'s, or the estimate's.
    pub window: u32,
    /// Co-shares after all filters, ordered by object (first appearance), then
    /// time of the earlier share, then input rank.
    pub coshares: Vec<CoShare>,
    /// Per co-share: true when it also passes the fast window (all false without one).
    pub fast: Vec<bool>,
    /// Edges of the full network, ordered by the names of their two accounts
    /// (smaller name first; see [`Detection::find_edge`]).
    pub edges: Vec<Edge>,
    /// `edge_rows[edge_offsets[e]..edge_offsets[e + 1]]` are the indices (into
    /// `coshares`) of the co-shares behind edge `e`: its evidence.
    pub edge_offsets: Vec<u32>,
    /// See `edge_offsets`.
    pub edge_rows: Vec<u32>,
    /// Weight threshold (the quantile value) of the full network.
    pub threshold: f64,
    /// Weight threshold of the fast network, when there is one with edges.
    pub threshold_fast: Option<f64>,
    /// Per-account statistics for every account in the full network.
    pub accounts: Vec<AccountStat>,
    /// Per-object statistics for every object with a co-share and every mass object.
    pub objects: Vec<ObjectStat>,
    /// Objects summarised instead of expanded.
    pub mass_objects: Vec<MassObject>,
    /// The automatic window's estimate, when [`Window::Auto`] was asked for.
    pub window_estimate: Option<WindowEstimate>,
    /// Expected weight and score of every edge (same order as `edges`).
    pub significance: Significance,
    /// Communities of the thresholded network (Leiden), when computed.
    pub communities: Option<communities::Communities>,
    /// Counts.
    pub counts: Counts,
    /// Rank of every account id in byte order of names (outputs sort by it).
    pub account_rank: Vec<u32>,
    /// Parts of the partitioned path, when it ran ([`partition`]; never written to outputs).
    pub partitions: Option<usize>,
    /// Seconds spent in each stage, in order (for `--verbose`; never written to outputs).
    pub stage_seconds: Vec<(&'static str, f64)>,
}

impl Detection {
    /// Index of the edge between accounts `x` and `y`, if there is one.
    pub fn find_edge(&self, x: AccountId, y: AccountId) -> Option<usize> {
        let (rx, ry) = (*self.account_rank.get(x as usize)?, *self.account_rank.get(y as usize)?);
        let key = (rx.min(ry), rx.max(ry));
        self.edges
            .binary_search_by(|e| {
                let (ra, rb) = (self.account_rank[e.a as usize], self.account_rank[e.b as usize]);
                (ra.min(rb), ra.max(rb)).cmp(&key)
            })
            .ok()
    }

    /// Indices (into `coshares`) of the co-shares behind edge `e`.
    pub fn evidence(&self, e: usize) -> &[u32] {
        &self.edge_rows[self.edge_offsets[e] as usize..self.edge_offsets[e + 1] as usize]
    }

    /// Thresholded-network component of every account id (`n_accounts` long).
    pub fn component_by_account(&self, n_accounts: usize) -> Vec<Option<u32>> {
        let mut component = vec![None; n_accounts];
        for a in &self.accounts {
            component[a.account as usize] = a.component;
        }
        component
    }
}

/// Runs the whole pipeline.
pub fn detect(ds: &Dataset, params: &Params) -> Result<Detection> {
    detect_with(ds, params, None)
}

/// [`detect`], with the co-share stage run by `stage` when given (a
/// cluster's executors: [`remote`]); every other stage runs here. The
/// result is [`detect`]'s when the stage returns the in-memory co-shares.
pub fn detect_with(ds: &Dataset, params: &Params, stage: Option<&mut dyn remote::CoShareStage>) -> Result<Detection> {
    params.validate()?;
    // A misspelt kind in the weights would weigh a phantom kind.
    multiplex::check_kind_names(ds, &params.kind_weights.keys().map(String::as_str).collect::<Vec<_>>())?;
    let mut clock = StageClock::default();
    let (window, window_estimate) = match params.window {
        Window::Seconds(w) => (w, None),
        Window::Auto(auto) => {
            let est = window::estimate(ds, auto).ok_or_else(|| Error::InvalidParam {
                name: "window",
                reason: "auto: no object has two shares to estimate it from".into(),
            })?;
            let w = u32::try_from(est.window).map_err(|_| Error::InvalidParam {
                name: "window",
                reason: format!("auto: the estimate {} s is beyond {} s", est.window, u32::MAX),
            })?;
            if let Some(f) = params.fast_window.filter(|&f| f > i64::from(w)) {
                return Err(Error::InvalidParam {
                    name: "fast-window",
                    reason: format!("must be between 0 and the window ({w}), got {f}"),
                });
            }
            clock.lap("estimate window");
            (w, Some(est))
        }
    };
    let mut counts = Counts {
        shares: ds.shares.len() as u64,
        accounts: ds.accounts.len() as u64,
        objects: ds.objects.len() as u64,
        time_resolution: window::time_resolution(ds),
        ..Counts::default()
    };
    let groups = coshare::group_shares(ds, params);
    clock.lap("group shares by object");
    counts.shares_after_prefilter = groups.kept_shares;
    counts.accounts_after_prefilter = groups.kept_accounts;
    // The mass objects, and whether the co-share and network stages run in parts
    // (forced, or when expanding every object would exceed the memory budget).
    let w = i64::from(window);
    let budget = coshare::budget(ds, &groups, params, w, params.max_total_pairs);
    let parts = partition::choose(params, &budget);
    let enumerated = match (stage, parts) {
        (Some(stage), _) => stage.enumerate(ds, &groups, params, w, budget).map_err(Error::Stage)?,
        (None, Some(n)) => {
            let plan = partition::plan(ds, &groups, &budget, w, n, None);
            partition::enumerate(ds, &groups, params, w, budget, &plan)
        }
        (None, None) => coshare::enumerate_budgeted(ds, &groups, params, w, budget),
    };
    counts.candidate_coshares = enumerated.candidates;
    counts.mass_objects = enumerated.mass.len() as u64;
    counts.mass_object_pairs = enumerated.mass.iter().map(|m| m.pairs).sum();
    counts.mass_objects_over_budget = enumerated.mass.iter().filter(|m| m.over_budget).count() as u64;
    clock.lap("enumerate co-shares");

    let coshares =
        participation::second_filter(ds, &groups, enumerated.coshares, params.min_participation, params.mode);
    let fast = match params.fast_window {
        Some(f) => participation::flag_fast(ds, &groups, &coshares, f, params.min_participation, params.mode),
        None => vec![false; coshares.len()],
    };
    clock.lap("participation filter");
    counts.coshares = coshares.len() as u64;
    counts.fast_coshares = fast.iter().filter(|&&f| f).count() as u64;

    let account_rank = ds.accounts.ranks();
    let mut net = match parts {
        Some(n) => partition::build_network(ds, &coshares, &fast, params, &account_rank, n),
        None => network::build(ds, &coshares, &fast, params, &account_rank),
    };
    clock.lap("network");
    let significance = significance::score_edges(
        ds,
        &groups,
        &enumerated.mass,
        enumerated.candidates,
        &rarity::EdgeRows { coshares: &coshares, offsets: &net.offsets, rows: &net.rows },
        &mut net.edges,
        std::mem::take(&mut net.post_pairs),
        params,
        i64::from(window),
    );
    clock.lap("significance");
    let comps = components::compute(ds.accounts.len(), &net.edges);
    clock.lap("components");
    // Communities (Leiden: one core) and the statistics (which do not use them)
    // run side by side; each stage's own time is reported.
    fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
        let start = std::time::Instant::now();
        (f(), start.elapsed().as_secs_f64())
    }
    let ((communities, t_communities), ((accounts, objects), t_statistics)) = rayon::join(
        || timed(|| communities::compute(ds.accounts.len(), &net.edges, params.resolution, params.seed)),
        || {
            timed(|| {
                rayon::join(
                    || stats::accounts(ds, &groups, &coshares, &net.edges, &comps, params.mode),
                    || stats::objects(ds, &groups, &coshares, &enumerated.mass, &net, params.mode),
                )
            })
        },
    );
    clock.parallel(&[("communities", t_communities), ("statistics", t_statistics)]);

    counts.edges = net.edges.len() as u64;
    counts.edges_above_threshold = net.edges.iter().filter(|e| e.full.above_threshold).count() as u64;
    counts.network_accounts = accounts.len() as u64;
    counts.coordinated_accounts = accounts.iter().filter(|a| a.component.is_some()).count() as u64;
    counts.components = comps.n_components as u64;
    counts.communities = communities.count as u64;

    Ok(Detection {
        params: params.clone(),
        window,
        coshares,
        fast,
        edges: net.edges,
        edge_offsets: net.offsets,
        edge_rows: net.rows,
        threshold: net.threshold,
        threshold_fast: net.threshold_fast,
        accounts,
        objects,
        mass_objects: enumerated.mass,
        window_estimate,
        significance,
        communities: Some(communities),
        counts,
        account_rank,
        partitions: parts,
        stage_seconds: clock.laps,
    })
}

/// Wall time per stage.
struct StageClock {
    last: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Default for StageClock {
    fn default() -> Self {
        StageClock { last: std::time::Instant::now(), laps: Vec::new() }
    }
}

impl StageClock {
    /// Stages that ran side by side since the last lap, each with its own time.
    fn parallel(&mut self, stages: &[(&'static str, f64)]) {
        self.laps.extend_from_slice(stages);
        self.last = std::time::Instant::now();
    }

    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((stage, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

/// The two accounts of an edge, smaller id first.
pub fn pair_key(a: AccountId, b: AccountId) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    ((lo as u64) << 32) | hi as u64
}

/// Splits a [`pair_key`].
pub fn unpair(key: u64) -> (AccountId, AccountId) {
    ((key >> 32) as AccountId, key as AccountId)
}
