//! # lockstep-live: coordinated sharing found while it happens
//!
//! `lockstep watch` reads records as they arrive (a file being appended to,
//! stdin, a NATS JetStream subject), pairs each share with the held shares of
//! its object inside the window, adds the co-shares to account-pair weights
//! as they arrive, and raises an [`Alert`] when an edge becomes strong or a
//! group forms or grows. The semantics are `lockstep detect`'s: replayed in
//! any order within the allowed lateness, a dataset gives exactly the edge
//! weights `detect` finds with `--min-participation 1` (docs/live.md).
//!
//! ```
//! use lockstep_live::{Engine, LiveParams, Outcome};
//! let mut engine = Engine::new(LiveParams { window: 10, lateness: 30, min_weight: 2, ..LiveParams::default() })?;
//! for (i, t) in [1_700_000_000, 1_700_000_100].into_iter().enumerate() {
//!     engine.push("bob", &format!("https://example.com/{i}"), "url", &format!("b{i}"), t + 4);
//!     engine.push("alice", &format!("https://example.com/{i}"), "url", &format!("a{i}"), t);
//! }
//! assert_eq!(engine.push("carol", "https://example.com/0", "url", "c0", 1_700_000_001), Outcome::Late);
//! assert_eq!(engine.edge_weights()[&("alice".to_string(), "bob".to_string())], 2);
//! assert_eq!(engine.take_alerts()[0].body.name(), "edge");
//! # Ok::<(), lockstep_live::Error>(())
//! ```
//!
//! Modules: [`engine`] (the incremental co-share engine: event time,
//! lateness, eviction, thresholds, groups), [`alert`] (what an alert holds),
//! [`input`] (chunks of lines through the `lockstep-ingest` readers),
//! [`source`] (file tail, stdin, NATS), [`sink`] (stdout, webhook, NATS),
//! [`checkpoint`] (durable state), [`metrics`] (Prometheus text), [`mod@watch`]
//! (the loop that ties them).
//!
//! Invariants: no share is lost silently (accepted, late, duplicate or mass:
//! each counted); a checkpoint holds the state after exactly the records
//! before its source position, and a source's position is acknowledged only
//! after the checkpoint that includes it is on disk.

pub mod alert;
pub mod checkpoint;
pub mod engine;
pub mod input;
pub mod metrics;
pub mod sink;
pub mod source;
pub mod watch;

pub use alert::{Alert, AlertBody};
pub use engine::{Counters, Engine, LiveParams, Outcome, StateSize};
pub use watch::{watch, WatchOptions, WatchSummary};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Errors of the live mode.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is out of range.
    #[error("invalid parameter --{name}: {reason}")]
    InvalidParam {
        /// Parameter name as on the command line.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// A source or sink could not be used.
    #[error("{0}")]
    Io(String),
    /// Alerts could not be written to stdout (a closed pipe is one).
    #[error("stdout: {0}")]
    Stdout(#[source] std::io::Error),
    /// Reading a chunk failed as a whole.
    #[error(transparent)]
    Read(#[from] lockstep_ingest::Error),
    /// A checkpoint could not be written or read.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint {
        /// The checkpoint file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl Error {
    pub(crate) fn io(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Error {
        Error::Io(format!("{what}: {e}"))
    }
}
