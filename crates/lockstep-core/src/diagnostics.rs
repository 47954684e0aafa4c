//! Diagnostics: every input record that could not become a share is counted here
//! with where it was (source, line or record number) and why. Nothing is dropped
//! silently.

use serde::Serialize;
use std::collections::BTreeMap;

/// How many examples are kept per reason (all are counted).
pub const MAX_EXAMPLES_PER_REASON: usize = 5;

/// One skipped record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file (or `<stdin>`) the record came from.
    pub source: String,
    /// 1-based line (delimited text, JSON Lines) or record number (Parquet).
    pub line: u64,
    /// Short, stable reason code, e.g. `bad_timestamp`.
    pub reason: String,
    /// Human-readable detail (the offending value, the parser's message).
    pub detail: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}: {}", self.source, self.line, self.reason, self.detail)
    }
}

/// Per-reason counts of skipped records, with the first few examples of each.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diagnostics {
    /// Total records skipped.
    pub skipped: u64,
    /// Skipped records by reason.
    pub by_reason: BTreeMap<String, ReasonSummary>,
    /// Duplicate shares found after reading (not skipped records: see
    /// [`crate::duplicates`]).
    pub duplicates: crate::Duplicates,
}

/// Count and examples for one reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReasonSummary {
    /// Records skipped for this reason.
    pub count: u64,
    /// The first [`MAX_EXAMPLES_PER_REASON`] of them.
    pub examples: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records one skipped record.
    pub fn record(&mut self, d: Diagnostic) {
        self.skipped += 1;
        let entry = self.by_reason.entry(d.reason.clone()).or_default();
        entry.count += 1;
        if entry.examples.len() < MAX_EXAMPLES_PER_REASON {
            entry.examples.push(d);
        }
    }

    /// Adds everything from `other`.
    pub fn merge(&mut self, other: Diagnostics) {
        self.skipped += other.skipped;
        for (reason, summary) in other.by_reason {
            let entry = self.by_reason.entry(reason).or_default();
            entry.count += summary.count;
            for ex in summary.examples {
                if entry.examples.len() < MAX_EXAMPLES_PER_REASON {
                    entry.examples.push(ex);
                }
            }
        }
    }

    /// True when no record was skipped.
    pub fn is_empty(&self) -> bool {
        self.skipped == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(line: u64, reason: &str) -> Diagnostic {
        Diagnostic { source: "f.csv".into(), line, reason: reason.into(), detail: String::new() }
    }

    #[test]
    fn counts_everything_keeps_few_examples() {
        let mut ds = Diagnostics::default();
        for line in 0..20 {
            ds.record(d(line, "bad_timestamp"));
        }
        ds.record(d(99, "missing_field"));
        assert_eq!(ds.skipped, 21);
        assert_eq!(ds.by_reason["bad_timestamp"].count, 20);
        assert_eq!(ds.by_reason["bad_timestamp"].examples.len(), MAX_EXAMPLES_PER_REASON);
        assert_eq!(ds.by_reason["missing_field"].examples[0].line, 99);
        assert_eq!(d(3, "x").to_string(), "f.csv:3: x: ");
    }
}
