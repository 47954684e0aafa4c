//! Alerts: what changed, with the evidence. One alert per change (an edge
//! becoming strong, a group forming or gaining members, a group starting to
//! push a flagged domain), numbered in the order
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
//! {"id":3,"event_time":1709251430,"alert":"domain","domain":"spiegel.ltd","verdict":"look-alike",
//!  "outlet":"Der Spiegel","outlet_domain":"spiegel.de","technique":"other-suffix","score":0.9,"operation":"",
//!  "why":"…","group":1,"members":["a","b"],"accounts":["a","b"],"coshares":1,"evidence":[…]}
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
    /// A group's strong edges co-shared links to a domain the classifier
    /// flags (a look-alike of an outlet, or a known operation domain): raised
    /// once per group and domain, at the pass after the first such co-share.
    Domain {
        /// The registrable domain (ASCII, as `lockstep domains` prints it).
        domain: String,
        /// `look-alike` or `known`.
        verdict: &'static str,
        /// The imitated outlet's name (empty when none).
        outlet: String,
        /// The imitated outlet's domain (empty when none).
        outlet_domain: String,
        /// How it imitates it (empty when none).
        technique: String,
        /// The look-alike score in `[0, 1]` (none for a known domain that imitates no outlet).
        score: Option<f64>,
        /// Known domains: the operations of the feed rows (`; `-separated).
        operation: String,
        /// Why this verdict (the classifier's explanation).
        why: String,
        /// The group pushing it.
        group: u64,
        /// The group's members, sorted.
        members: Vec<Arc<str>>,
        /// The members whose strong co-shares linked it, sorted.
        accounts: Vec<Arc<str>>,
        /// Those co-shares since the previous pass.
        coshares: u64,
        /// The earliest of them (up to `--evidence`), in time order.
        evidence: Vec<CoShareEvidence>,
    },
}

impl AlertBody {
    /// `edge`, `group` or `domain`.
    pub fn name(&self) -> &'static str {
        match self {
            AlertBody::Edge { .. } => "edge",
            AlertBody::Group { .. } => "group",
            AlertBody::Domain { .. } => "domain",
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
    /// Index in the engine's kinds.
    pub kind: u32,
    pub early_account: u32,
    pub early_post: Arc<str>,
    pub early_time: i64,
    pub late_account: u32,
    pub late_post: Arc<str>,
    pub late_time: i64,
}

impl Evidence {
    pub(crate) fn named(self, kind: Arc<str>, early: Arc<str>, late: Arc<str>) -> CoShareEvidence {
        CoShareEvidence {
            kind,
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
