//! The crate's one error type. Every variant names the input (`file`: a path or
//! `<stdin>`) and, where it applies, the line or record reached.

use std::fmt;

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A whole-input failure, or (in strict mode) the first bad record.
///
/// A bad record outside strict mode is never an `Error`: it is skipped and
/// counted in [`lockstep_core::Diagnostics`]. A variant that says its `cause`
/// in its own message does not also give it as [`std::error::Error::source`]:
/// a reporter that prints the chain would print it twice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input could not be opened (not found, permission denied, …).
    #[error("{file}: cannot open input: {cause}")]
    Open {
        /// The input.
        file: String,
        /// The I/O error (it names the path too).
        cause: std::io::Error,
    },
    /// Reading the (uncompressed) input failed.
    #[error("{file}: read error{}: {cause}", near_line(*.line))]
    Io {
        /// The input.
        file: String,
        /// Last line reached (0: at the start).
        line: u64,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// A gzip or zstd stream is corrupt or truncated.
    #[error("{file}: corrupt or truncated {compression} stream{}: {cause}", near_line(*.line))]
    Decompress {
        /// The input.
        file: String,
        /// `gzip` or `zstd`.
        compression: &'static str,
        /// Last line reached (0: at the start).
        line: u64,
        /// The decoder's error.
        cause: std::io::Error,
    },
    /// The input has no header or no records.
    #[error("{file}: empty input: {what}")]
    Empty {
        /// The input.
        file: String,
        /// What is missing.
        what: &'static str,
    },
    /// A required column (or JSON key) is not in the input.
    #[error(
        "{file}: required column `{column}` ({role}) not found; columns present: {}",
        list(.available)
    )]
    MissingColumn {
        /// The input.
        file: String,
        /// What the column is for: `account`, `object`, `time` or `kind`.
        role: &'static str,
        /// The column name that was asked for.
        column: String,
        /// The columns the input has.
        available: Vec<String>,
    },
    /// A column the run reads is named twice in the header: which one is meant is unclear.
    #[error("{file}: column `{column}` ({role}) appears {count} times in the header; rename the copies or map another column")]
    DuplicateColumn {
        /// The input.
        file: String,
        /// What the column is for.
        role: &'static str,
        /// Its name.
        column: String,
        /// How many columns have that name.
        count: usize,
    },
    /// `Format::Auto` could not tell the format.
    #[error(
        "{file}: cannot detect the input format: {reason}; give the format explicitly (csv, tsv, jsonl or parquet)"
    )]
    UnknownFormat {
        /// The input.
        file: String,
        /// Why.
        reason: String,
    },
    /// Strict mode: the first record that would have been skipped.
    #[error("{file}:{line}: {reason}: {detail} (strict mode stops at the first bad record)")]
    Record {
        /// The input.
        file: String,
        /// 1-based line (text formats) or record number (Parquet).
        line: u64,
        /// Stable reason code, as in [`lockstep_core::Diagnostic::reason`].
        reason: &'static str,
        /// The offending value or the parser's message.
        detail: String,
    },
    /// The CSV/TSV parser failed in a way that is not a per-record problem.
    #[error("{file}{}: malformed delimited text: {cause}", near_line(*.line))]
    Csv {
        /// The input.
        file: String,
        /// Last line reached.
        line: u64,
        /// The parser's error.
        cause: csv::Error,
    },
    /// The Parquet file cannot be opened or decoded.
    #[error("{file}: unreadable Parquet: {cause}")]
    Parquet {
        /// The input.
        file: String,
        /// The Parquet error.
        cause: parquet::errors::ParquetError,
    },
    /// Decoding Parquet data into Arrow failed at some record.
    #[error("{file}: unreadable Parquet data after record {record}: {cause}")]
    Arrow {
        /// The input.
        file: String,
        /// Records read before the failure.
        record: u64,
        /// The Arrow error.
        cause: arrow::error::ArrowError,
    },
    /// A Parquet column has a type that cannot hold the value asked for.
    #[error("{file}: column `{column}` ({role}) has type {data_type}, which cannot be read as {role}")]
    UnsupportedType {
        /// The input.
        file: String,
        /// The column.
        column: String,
        /// What it was wanted for.
        role: &'static str,
        /// Its Arrow type.
        data_type: String,
    },
}

fn near_line(line: u64) -> String {
    if line == 0 {
        " at the start".to_string()
    } else {
        format!(" after line {line}")
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "(none)".to_string();
    }
    // A header of one huge cell, or of thousands of columns, is not echoed whole.
    const MAX_NAMES: usize = 40;
    let mut out = names
        .iter()
        .take(MAX_NAMES)
        .map(|n| format!("`{}`", lockstep_core::terminal_safe(n, lockstep_core::NAME_CHARS)))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_NAMES {
        out.push_str(&format!(" and {} more", names.len() - MAX_NAMES));
    }
    out
}

/// A `--format` or `--time-unit` value that is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptionError {
    /// What was being parsed (`format`, `time unit`).
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted values.
    pub expected: &'static str,
}

impl fmt::Display for ParseOptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`; expected one of: {}", self.what, self.value, self.expected)
    }
}

impl std::error::Error for ParseOptionError {}
