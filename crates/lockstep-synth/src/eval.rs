//! Account-level evaluation of a detector's output against the planted truth.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::generate::TruthRow;

/// Account-level confusion counts and rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evaluation {
    /// Flagged accounts that are planted.
    pub true_positives: usize,
    /// Flagged accounts that are not planted.
    pub false_positives: usize,
    /// Planted accounts that were not flagged.
    pub false_negatives: usize,
    /// `tp / (tp + fp)`; **0.0** when nothing is flagged.
    pub precision: f64,
    /// `tp / (tp + fn)`; **0.0** when the truth is empty.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0.0 when both are 0.
    pub f1: f64,
}

/// Compares flagged accounts with the planted truth, account by account.
///
/// Duplicates in either input count once. Empty denominators give 0.0, never
/// NaN, so an empty flagged set scores precision 0 and recall 0.
///
/// ```
/// use lockstep_synth::{evaluate, TruthRow};
/// let row = |a: &str| TruthRow { account: a.into(), group: "g".into(), style: "tight_links".into() };
/// let truth = [row("a"), row("b"), row("c"), row("d")];
/// let e = evaluate(&["a", "b", "x"], &truth);
/// assert_eq!((e.true_positives, e.false_positives, e.false_negatives), (2, 1, 2));
/// assert!((e.precision - 2.0 / 3.0).abs() < 1e-12);
/// assert!((e.recall - 0.5).abs() < 1e-12);
/// ```
pub fn evaluate(flagged_accounts: &[&str], truth: &[TruthRow]) -> Evaluation {
    let flagged: BTreeSet<&str> = flagged_accounts.iter().copied().collect();
    let planted: BTreeSet<&str> = truth.iter().map(|r| r.account.as_str()).collect();
    let tp = flagged.intersection(&planted).count();
    let fp = flagged.len() - tp;
    let fn_ = planted.len() - tp;
    let ratio = |num: usize, den: usize| {
        if den == 0 {
            0.0
        } else {
            num as f64 / den as f64
        }
    };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    Evaluation { true_positives: tp, false_positives: fp, false_negatives: fn_, precision, recall, f1 }
}
