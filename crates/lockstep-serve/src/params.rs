//! The parameters of a run as the form and the API give them, with their
//! defaults and meaning ([`describe`]), and their translation into the
//! pipeline's [`Params`] and [`RunOptions`] (the same rules as `lockstep detect`).

use lockstep_detect::{AutoWindow, NullModel, Params, ThresholdRule, Window};
use lockstep_ingest::{ColumnMap, ReadOptions};
use lockstep_pipeline::{DuplicatePolicy, RunOptions};
use serde::{Deserialize, Serialize};

/// A run's parameters. Every field has the default of `lockstep detect`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RunParams {
    /// Co-share window in seconds, or `auto`.
    pub window: String,
    /// Minimum participation M.
    pub min_participation: u32,
    /// `score`, `quantile` or `both`.
    pub threshold: String,
    /// Minimum edge score (−log10 p) for `score` and `both`.
    pub min_edge_score: f64,
    /// Score an edge needs on its own; below it, only within a triangle.
    pub solo_edge_score: f64,
    /// Negative-binomial size of the rarest-object test (0: Poisson).
    pub nb_size: f64,
    /// Weight quantile for `quantile` and `both`.
    pub edge_quantile: f64,
    /// `rarest-object`, `object-time`, `account-time`, `fused`, `configuration` or `shuffle`.
    pub null_model: String,
    /// A faster window flagged on the same run (seconds).
    pub fast_window: Option<i64>,
    /// Leiden resolution.
    pub resolution: f64,
    /// Leiden seed.
    pub seed: u64,
    /// Input format (`auto`, `csv`, `jsonl`, `parquet`, a platform format).
    pub format: String,
    /// Column of the account.
    pub account: String,
    /// Column of the object.
    pub object: String,
    /// Column of the time.
    pub time: String,
    /// Column of the post id.
    pub post: String,
    /// Object kinds of platform posts (`url,hashtag,…`); empty: the default.
    pub objects: String,
    /// Keep duplicate shares.
    pub keep_duplicates: bool,
    /// Classify linked domains (built-in feed and watchlist).
    pub classify_domains: bool,
}

impl Default for RunParams {
    fn default() -> Self {
        let cols = ColumnMap::default();
        RunParams {
            window: "60".into(),
            min_participation: 2,
            threshold: "score".into(),
            min_edge_score: lockstep_detect::significance::DEFAULT_MIN_EDGE_SCORE,
            solo_edge_score: lockstep_detect::significance::DEFAULT_SOLO_EDGE_SCORE,
            nb_size: lockstep_detect::rarity::DEFAULT_NB_SIZE,
            edge_quantile: 0.5,
            null_model: "rarest-object".into(),
            fast_window: None,
            resolution: 1.0,
            seed: 42,
            format: "auto".into(),
            account: cols.account,
            object: cols.object,
            time: cols.time,
            post: cols.post.unwrap_or_else(|| "content_id".into()),
            objects: String::new(),
            keep_duplicates: false,
            classify_domains: true,
        }
    }
}

/// One field of the parameters form.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParamDoc {
    /// Field name in [`RunParams`].
    pub name: &'static str,
    /// Default value.
    #[schema(value_type = Object)]
    pub default: serde_json::Value,
    /// What it means.
    pub meaning: &'static str,
    /// Allowed values, when a list.
    pub choices: Vec<&'static str>,
}

/// Every parameter with its default and meaning, in form order.
pub fn describe() -> Vec<ParamDoc> {
    let d = serde_json::to_value(RunParams::default()).expect("serialisable");
    let doc = |name: &'static str, meaning: &'static str, choices: &[&'static str]| ParamDoc {
        name,
        default: d[name].clone(),
        meaning,
        choices: choices.to_vec(),
    };
    vec![
        doc("window", "Most seconds between two shares of one object for them to count as a co-share, or `auto` (estimated from the data).", &[]),
        doc("min_participation", "An account must have at least this many co-shared posts to stay in the network.", &[]),
        doc("threshold", "Which edges form the groups: `score` (far more co-shares than the accounts' activity explains), `quantile` (weight above a quantile of all weights, CooRTweet's rule) or `both`.", &["score", "quantile", "both"]),
        doc("min_edge_score", "Minimum edge score, −log10 of the p-value (5: p = 1e-5), for `score` and `both`.", &[]),
        doc("solo_edge_score", "Score an edge needs to count on its own; between the minimum and this, only within a triangle of such edges (two accounts with a common partner).", &[]),
        doc("nb_size", "Rarest-object model: the pairs of posts expected (E) are allowed a spread of E + E²/size, so heavy accounts need a real excess, not only a long history; 0: Poisson.", &[]),
        doc("edge_quantile", "Edges must weigh more than this quantile of all weights, for `quantile` and `both`.", &[]),
        doc("null_model", "What an edge's expected co-shares are computed under (docs/method.md, Significance).", &["rarest-object", "object-time", "account-time", "fused", "configuration", "shuffle"]),
        doc("fast_window", "A shorter window flagged on the same run (seconds; empty: none).", &[]),
        doc("resolution", "Leiden resolution: larger gives smaller communities.", &[]),
        doc("seed", "Seed of the communities: the same seed gives the same communities.", &[]),
        doc("format", "Input format; `auto` recognises it from the name and content.", &["auto", "csv", "tsv", "jsonl", "parquet", "x-v2", "twitter-v1", "bluesky-jetstream", "mastodon", "ira-538", "twitter-io", "crowdtangle", "telegram"]),
        doc("account", "Column holding the account (generic files).", &[]),
        doc("object", "Column holding the shared object (generic files).", &[]),
        doc("time", "Column holding the time (generic files).", &[]),
        doc("post", "Column holding the post id (generic files).", &[]),
        doc("objects", "Object kinds each platform post becomes (e.g. `url,hashtag,repost`); empty: the default.", &[]),
        doc("keep_duplicates", "Keep duplicate shares (they are counted either way).", &[]),
        doc("classify_domains", "Classify linked domains: known operation domains and look-alikes of news outlets.", &[]),
    ]
}

impl RunParams {
    /// The pipeline's parameters and options, or why not.
    pub fn to_pipeline(&self) -> Result<(Params, RunOptions), String> {
        let window = match self.window.trim() {
            "auto" => Window::Auto(AutoWindow::default()),
            w => Window::Seconds(w.parse().map_err(|_| format!("window: expected seconds or `auto`, got {w:?}"))?),
        };
        let threshold = match self.threshold.as_str() {
            "score" => ThresholdRule::Score,
            "quantile" => ThresholdRule::Quantile,
            "both" => ThresholdRule::Both,
            t => return Err(format!("threshold: expected score, quantile or both, got {t:?}")),
        };
        let null_model = match self.null_model.as_str() {
            "rarest-object" => NullModel::RarestObject,
            "object-time" => NullModel::ObjectTime,
            "account-time" => NullModel::AccountTime,
            "fused" => NullModel::Fused,
            "configuration" => NullModel::Configuration,
            "shuffle" => NullModel::Shuffle,
            m => return Err(format!("null_model: unknown model {m:?}")),
        };
        let params = Params {
            window,
            fast_window: self.fast_window,
            min_participation: self.min_participation,
            edge_quantile: self.edge_quantile,
            resolution: self.resolution,
            seed: self.seed,
            threshold,
            min_edge_score: self.min_edge_score,
            solo_edge_score: self.solo_edge_score,
            nb_size: self.nb_size,
            null_model,
            ..Params::default()
        };
        params.validate().map_err(|e| e.to_string())?;
        let format = self.format.parse().map_err(|e| format!("format: {e}"))?;
        let objects = if self.objects.trim().is_empty() {
            Default::default()
        } else {
            self.objects.parse().map_err(|e| format!("objects: {e}"))?
        };
        for (name, col) in [("account", &self.account), ("object", &self.object), ("time", &self.time)] {
            if col.is_empty() {
                return Err(format!("{name}: a column name is needed"));
            }
        }
        let defaults = ReadOptions::default();
        let read = ReadOptions {
            format,
            columns: ColumnMap {
                account: self.account.clone(),
                object: self.object.clone(),
                time: self.time.clone(),
                post: Some(self.post.clone()).filter(|p| !p.is_empty()),
                kind: None,
            },
            objects,
            auto_kind_column: true,
            ..defaults
        };
        let domains = self.classify_domains.then(|| {
            use lockstep_domains::{Classifier, Feed, Matcher, Watchlist};
            Classifier::new(Feed::builtin(), Matcher::new(Watchlist::builtin()))
        });
        let opts = RunOptions {
            read,
            domains,
            duplicates: if self.keep_duplicates { DuplicatePolicy::KEEP_ALL } else { DuplicatePolicy::default() },
            ..RunOptions::default()
        };
        Ok((params, opts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_translate_and_bad_values_are_named() {
        let (p, o) = RunParams::default().to_pipeline().unwrap();
        assert_eq!(p.window, Window::Seconds(60));
        assert_eq!(p.threshold, ThresholdRule::Score);
        assert!(o.domains.is_some());
        let bad = RunParams { window: "soon".into(), ..RunParams::default() };
        assert!(bad.to_pipeline().unwrap_err().starts_with("window:"));
        let bad = RunParams { null_model: "x".into(), ..RunParams::default() };
        assert!(bad.to_pipeline().unwrap_err().contains("null_model"));
        let bad = RunParams { fast_window: Some(999), ..RunParams::default() };
        assert!(bad.to_pipeline().is_err());
        assert_eq!(describe().len(), serde_json::to_value(RunParams::default()).unwrap().as_object().unwrap().len());
    }
}
