//! The multiplex view of the account network: which object kinds an edge's
//! co-shares came from, and how kinds are weighed against each other.
//!
//! Objects are interned per `(kind, value)`, so every co-share has exactly one
//! kind (that of its object). The network stage ([`crate::network`]) counts,
//! in the same pass that computes an edge's attributes, per kind:
//! - `weight`: co-shares of that kind;
//! - `weight_fast`: those that are fast (0 without a fast window);
//! - `n_objects`: distinct objects of that kind;
//! - `avg_time_delta`: mean delay of those co-shares.
//!
//! The kinds of an edge are listed in byte order of the kind labels (`domain` <
//! `hashtag` < `repost` < `text` < `url`), the order every output uses.
//!
//! **Combined weight.** With kind weights `W_k` (`--kind-weight KIND=W`,
//! default 1 for every kind) an edge's combined weight is `Σ_k W_k · weight_k`;
//! the quantile threshold and the Leiden communities use it. With every `W_k =
//! 1` it equals the co-share count `weight` exactly (integers below 2⁵³), so
//! default runs, and CooRTweet mode (which refuses kind weights), are unchanged.

use crate::{Detection, Error, Result};
use lockstep_core::{Dataset, KindId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Co-shares of one kind behind one edge.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EdgeKind {
    /// Kind id in [`Dataset::kinds`].
    pub kind: KindId,
    /// Co-shares of this kind.
    pub weight: u32,
    /// Fast co-shares of this kind (0 without a fast window).
    pub weight_fast: u32,
    /// Distinct objects of this kind.
    pub n_objects: u32,
    /// Sum of the delays (seconds) of these co-shares.
    pub sum_delta: u64,
}

impl EdgeKind {
    /// Mean delay in seconds of the co-shares of this kind.
    pub fn avg_time_delta(&self) -> f64 {
        mean_delay(self.sum_delta, self.weight)
    }
}

/// Mean of `n` delays summing to `sum` seconds (0 over none): the
/// `avg_time_delta` of an edge and of its kinds.
pub(crate) fn mean_delay(sum: u64, n: u32) -> f64 {
    if n == 0 {
        0.0
    } else {
        sum as f64 / n as f64
    }
}

/// The kinds behind one edge, in byte order of kind labels ([`crate::Edge::kinds`]):
/// the edge's own counts when all its co-shares are of one kind, else the
/// stored list.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeKinds<'e> {
    /// One kind.
    One(EdgeKind),
    /// Several kinds.
    Many(&'e [EdgeKind]),
}

impl EdgeKinds<'_> {
    /// The kinds as a slice.
    pub fn as_slice(&self) -> &[EdgeKind] {
        match self {
            EdgeKinds::One(k) => std::slice::from_ref(k),
            EdgeKinds::Many(v) => v,
        }
    }

    /// The entry of kind `kind`, if the edge has co-shares of it.
    pub fn get(&self, kind: KindId) -> Option<&EdgeKind> {
        self.as_slice().iter().find(|k| k.kind == kind)
    }
}

/// Kind weights resolved against a dataset: `W_k` by kind id.
#[derive(Debug, Clone, PartialEq)]
pub struct KindWeights {
    /// Weight per kind id (1 unless given).
    pub by_kind: Vec<f64>,
    /// True when every weight is 1 (the combined weight is the co-share count).
    pub unit: bool,
}

impl KindWeights {
    /// Resolves `params` weights (kind label → W) for the kinds of `ds`. Labels
    /// not in the dataset weigh nothing here (they are still reported).
    pub fn resolve(ds: &Dataset, weights: &BTreeMap<String, f64>) -> KindWeights {
        let mut by_kind = vec![1.0; ds.kinds.len()];
        for (label, w) in weights {
            if let Some(k) = ds.kinds.lookup(label) {
                by_kind[k as usize] = *w;
            }
        }
        let unit = by_kind.iter().all(|&w| w == 1.0);
        KindWeights { by_kind, unit }
    }

    /// `Σ_k W_k · weight_k` over `kinds`, or `weight` itself when every W is 1.
    pub fn combine(&self, kinds: &[EdgeKind], weight: u32, fast: bool) -> f64 {
        if self.unit {
            return weight as f64;
        }
        kinds.iter().map(|k| self.by_kind[k.kind as usize] * if fast { k.weight_fast } else { k.weight } as f64).sum()
    }
}

/// Parses `KIND=W` (the `--kind-weight` flag).
pub fn parse_kind_weight(s: &str) -> std::result::Result<(String, f64), String> {
    let (kind, w) = s.split_once('=').ok_or_else(|| format!("expected KIND=WEIGHT (e.g. url=2), got {s:?}"))?;
    let kind = kind.trim();
    if kind.is_empty() {
        return Err(format!("empty kind in {s:?}"));
    }
    let w: f64 = w.trim().parse().map_err(|_| format!("weight of {kind:?} is not a number: {:?}", w.trim()))?;
    Ok((kind.to_string(), w))
}

/// Checks kind weights: finite, non-negative; not in CooRTweet mode.
pub fn validate(weights: &BTreeMap<String, f64>, mode: crate::Mode) -> Result<()> {
    let err = |reason: String| Err(Error::InvalidParam { name: "kind-weight", reason });
    if !weights.is_empty() && mode == crate::Mode::CoorTweet {
        return err("CooRTweet mode weighs every co-share 1 (as CooRTweet does); drop --kind-weight or --compat".into());
    }
    for (kind, w) in weights {
        if !(w.is_finite() && *w >= 0.0) {
            return err(format!("weight of {kind:?} must be a finite number >= 0, got {w}"));
        }
    }
    Ok(())
}

/// Kind names given weights (`--kind-weight`) must be kinds of the data or
/// known object kinds (then with no share here): any other name is a typo that
/// would weigh a phantom kind.
pub fn check_kind_names(ds: &Dataset, names: &[&str]) -> Result<()> {
    const KNOWN: [&str; 11] =
        ["object", "url", "domain", "hashtag", "mention", "repost", "reply", "quote", "text", "media", "near-text"];
    for name in names {
        if ds.kinds.lookup(name).is_none() && !KNOWN.contains(name) {
            let present: Vec<&str> = (0..ds.kinds.len() as u32).map(|k| ds.kinds.get(k)).collect();
            return Err(Error::InvalidParam {
                name: "kind-weight",
                reason: format!("{name:?} is not a kind of the input (its kinds: {})", present.join(", ")),
            });
        }
    }
    Ok(())
}

/// One object kind of a run, for report.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindSummary {
    /// Kind label.
    pub kind: String,
    /// Its weight `W_k` in the combined edge weight.
    pub weight: f64,
    /// Input shares of this kind.
    pub shares: u64,
    /// Co-shares of this kind (after all filters).
    pub coshares: u64,
    /// Fast co-shares of this kind (with a fast window).
    pub fast_coshares: Option<u64>,
    /// Edges with at least one co-share of this kind.
    pub edges: u64,
    /// Thresholded edges with at least one co-share of this kind.
    pub edges_above_threshold: u64,
}

/// Every kind of the dataset, plus kinds only named in the kind weights, in
/// byte order of labels.
pub fn summarize_kinds(ds: &Dataset, det: &Detection) -> Vec<KindSummary> {
    let n = ds.kinds.len();
    let weights = KindWeights::resolve(ds, &det.params.kind_weights);
    let mut shares = vec![0u64; n];
    for s in &ds.shares {
        shares[ds.object_kind[s.object as usize] as usize] += 1;
    }
    let (mut coshares, mut fast, mut edges, mut above) = (vec![0u64; n], vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    for e in &det.edges {
        for k in e.kinds().as_slice() {
            let i = k.kind as usize;
            coshares[i] += k.weight as u64;
            fast[i] += k.weight_fast as u64;
            edges[i] += 1;
            above[i] += e.full.above_threshold as u64;
        }
    }
    let has_fast = det.params.fast_window.is_some();
    let mut out: Vec<KindSummary> = (0..n)
        .map(|i| KindSummary {
            kind: ds.kinds.get(i as u32).to_string(),
            weight: weights.by_kind[i],
            shares: shares[i],
            coshares: coshares[i],
            fast_coshares: has_fast.then_some(fast[i]),
            edges: edges[i],
            edges_above_threshold: above[i],
        })
        .collect();
    for (kind, w) in &det.params.kind_weights {
        if ds.kinds.lookup(kind).is_none() {
            out.push(KindSummary {
                kind: kind.clone(),
                weight: *w,
                shares: 0,
                coshares: 0,
                fast_coshares: has_fast.then_some(0),
                edges: 0,
                edges_above_threshold: 0,
            });
        }
    }
    out.sort_by(|x, y| x.kind.cmp(&y.kind));
    out
}

/// Co-shares per kind among a set of co-shares, most first (ties by label):
/// which kinds dominate a group or community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// Kind label.
    pub kind: String,
    /// Co-shares of that kind.
    pub coshares: u64,
}

/// Turns counts by kind id into [`KindCount`]s, most first, ties by label; kinds with none are left out.
pub fn kind_counts(ds: &Dataset, counts: &[u64]) -> Vec<KindCount> {
    let mut out: Vec<KindCount> = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(k, &c)| KindCount { kind: ds.kinds.get(k as u32).to_string(), coshares: c })
        .collect();
    out.sort_by(|x, y| y.coshares.cmp(&x.coshares).then_with(|| x.kind.cmp(&y.kind)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kind_weights() {
        assert_eq!(parse_kind_weight("url=2"), Ok(("url".to_string(), 2.0)));
        assert_eq!(parse_kind_weight(" hashtag = 0.5 "), Ok(("hashtag".to_string(), 0.5)));
        assert!(parse_kind_weight("url").unwrap_err().contains("KIND=WEIGHT"));
        assert!(parse_kind_weight("=2").unwrap_err().contains("empty kind"));
        assert!(parse_kind_weight("url=x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn validates_kind_weights() {
        use crate::Mode;
        let w = |v: &[(&str, f64)]| v.iter().map(|(k, w)| (k.to_string(), *w)).collect::<BTreeMap<_, _>>();
        assert!(validate(&w(&[("url", 2.0), ("hashtag", 0.0)]), Mode::Lockstep).is_ok());
        assert!(validate(&w(&[("url", -1.0)]), Mode::Lockstep).unwrap_err().to_string().contains(">= 0"));
        assert!(validate(&w(&[("url", f64::NAN)]), Mode::Lockstep).is_err());
        assert!(validate(&w(&[("url", 2.0)]), Mode::CoorTweet).unwrap_err().to_string().contains("CooRTweet"));
        assert!(validate(&BTreeMap::new(), Mode::CoorTweet).is_ok());
    }
}
