//! Alerts: what changed, with the evidence. One alert per change (an edge
//! becoming strong, a group forming or gaining members), numbered in the order
//! raised; the numbers continue across restarts, so a receiver can drop an alert
//! it already has (after a crash, alerts raised after the last checkpoint are
//! raised again).
//!
//! Written as one JSON object per line:
//! ```json
//! {"id":1,"event_time":1709251418,"alert":"edge","accounts":["a","b"],"weight":5,"threshold":5,
//!  "evidence":[{"kind":"url","object":"https://…","early":{"account":"a","post":"p1","time":1709251410},
//!               "late":{"account":"b","post":"p2","time":1709251418}}, …]}
//! {"id":2,"event_time":1709251420,"alert":"group","change":"formed","group":1,"members":["a","b"],
//!  "new_members":["a","b"],"edges":1,"weight":5,"threshold":5,"strongest":[{"a":"a","b":"b","weight":5}]}
//! ```

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One alert.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// Sequence number (1, 2, …), continued across restarts.
    pub id: u64,
    /// Event time (UNIX seconds) of the record that made the change (edge
    /// alerts), or the latest event time when the pass ran (group alerts).
    pub event_time: i64,
    /// What changed.
    #[serde(flatten)]
    pub body: AlertBody,
}

/// What an alert says.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "alert", rename_all = "snake_case")]
pub enum AlertBody {
    /// An edge's weight reached the threshold.
    Edge {
        /// The two accounts, in byte order.
        accounts: [Arc<str>; 2],
        /// Its co-shares so far.
        weight: u32,
        /// The threshold it reached.
        threshold: u32,
        /// The latest co-shares behind it (up to `--evidence`), in time order.
        evidence: Vec<CoShareEvidence>,
    },
    /// A group (connected component of the strong edges) formed or gained members.
    Group {
        /// `formed` or `grew`.
        change: &'static str,
        /// Group number, stable while the group lives.
        group: u64,
        /// All members, sorted.
        members: Vec<Arc<str>>,
        /// Members that were not in the group at the previous pass (all, when formed).
        new_members: Vec<Arc<str>>,
        /// Strong edges inside.
        edges: u64,
        /// Their co-shares.
        weight: u64,
        /// The threshold in force.
        threshold: u32,
        /// The strongest edges (up to `--evidence`).
        strongest: Vec<EdgeRef>,
    },
}

impl AlertBody {
    /// `edge` or `group`.
    pub fn name(&self) -> &'static str {
        match self {
            AlertBody::Edge { .. } => "edge",
            AlertBody::Group { .. } => "group",
        }
    }
}

/// One strong edge of a group.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeRef {
    /// One account.
    pub a: Arc<str>,
    /// The other.
    pub b: Arc<str>,
    /// Co-shares.
    pub weight: u32,
}

/// One share of a co-share, named.
#[derive(Debug, Clone, Serialize)]
pub struct ShareRef {
    /// Account.
    pub account: Arc<str>,
    /// Post id.
    pub post: Arc<str>,
    /// Event time.
    pub time: i64,
}

/// A co-share behind an edge alert.
#[derive(Debug, Clone, Serialize)]
pub struct CoShareEvidence {
    /// Object kind.
    pub kind: Arc<str>,
    /// Object value.
    pub object: Arc<str>,
    /// The earlier share.
    pub early: ShareRef,
    /// The later share.
    pub late: ShareRef,
}

/// A co-share as the engine holds it (accounts by id).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Evidence {
    pub object: Arc<str>,
    pub kind: Arc<str>,
    pub early_account: u32,
    pub early_post: Arc<str>,
    pub early_time: i64,
    pub late_account: u32,
    pub late_post: Arc<str>,
    pub late_time: i64,
}

impl Evidence {
    pub(crate) fn named(self, early: Arc<str>, late: Arc<str>) -> CoShareEvidence {
        CoShareEvidence {
            kind: self.kind,
            object: self.object,
            early: ShareRef { account: early, post: self.early_post, time: self.early_time },
            late: ShareRef { account: late, post: self.late_post, time: self.late_time },
        }
    }
}

impl Alert {
    /// The alert as one line of JSON (no newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("alerts serialise")
    }
}
