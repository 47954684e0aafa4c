//! The metrics endpoint: `GET /metrics` in the Prometheus text format
//! (version 0.0.4), served on a thread of its own (`tiny_http`).
//!
//! | metric | type | meaning |
//! | --- | --- | --- |
//! | `lockstep_records_total` | counter | records (lines) read |
//! | `lockstep_records_skipped_total` | counter | records skipped as unreadable |
//! | `lockstep_shares_total` | counter | shares offered to the engine |
//! | `lockstep_shares_late_total` | counter | shares older than the watermark |
//! | `lockstep_shares_duplicate_total` | counter | duplicate shares dropped |
//! | `lockstep_shares_mass_total` | counter | shares of mass objects, not paired |
//! | `lockstep_coshares_total` | counter | co-shares added to edges |
//! | `lockstep_alerts_total` | counter | alerts raised |
//! | `lockstep_alerts_delivered_total`, `…_failed_total`, `lockstep_alert_retries_total` | counter | sink deliveries |
//! | `lockstep_checkpoints_total` | counter | checkpoints written |
//! | `lockstep_state_shares`, `…_objects`, `…_edges`, `…_accounts`, `…_groups` | gauge | held state |
//! | `lockstep_event_time_seconds` | gauge | latest event time accepted |
//! | `lockstep_lag_seconds` | gauge | wall clock minus latest event time |
//! | `lockstep_source_pending` | gauge | messages waiting at the source (NATS) |
//! | `lockstep_checkpoint_bytes` | gauge | size of the last checkpoint |

use crate::sink::SinkStats;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// Values the endpoint shows, updated by the watcher after each chunk.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Records read.
    pub records: AtomicU64,
    /// Records skipped.
    pub skipped: AtomicU64,
    /// Shares offered.
    pub shares: AtomicU64,
    /// Late shares.
    pub late: AtomicU64,
    /// Duplicates.
    pub duplicates: AtomicU64,
    /// Mass shares.
    pub mass: AtomicU64,
    /// Co-shares.
    pub coshares: AtomicU64,
    /// Alerts raised.
    pub alerts: AtomicU64,
    /// Checkpoints written.
    pub checkpoints: AtomicU64,
    /// Last checkpoint's size.
    pub checkpoint_bytes: AtomicU64,
    /// Held shares.
    pub state_shares: AtomicU64,
    /// Held objects.
    pub state_objects: AtomicU64,
    /// Edges.
    pub state_edges: AtomicU64,
    /// Named accounts.
    pub state_accounts: AtomicU64,
    /// Groups.
    pub state_groups: AtomicU64,
    /// Latest event time.
    pub event_time: AtomicI64,
    /// Pending at the source (u64::MAX: unknown).
    pub pending: AtomicU64,
    /// Sink deliveries.
    pub sinks: Arc<SinkStats>,
}

impl Metrics {
    /// The Prometheus text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut put = |name: &str, kind: &str, help: &str, value: String| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
        };
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed).to_string();
        put("lockstep_records_total", "counter", "Records read.", g(&self.records));
        put("lockstep_records_skipped_total", "counter", "Records skipped as unreadable.", g(&self.skipped));
        put("lockstep_shares_total", "counter", "Shares offered to the engine.", g(&self.shares));
        put("lockstep_shares_late_total", "counter", "Shares older than the watermark.", g(&self.late));
        put("lockstep_shares_duplicate_total", "counter", "Duplicate shares dropped.", g(&self.duplicates));
        put("lockstep_shares_mass_total", "counter", "Shares of mass objects, not paired.", g(&self.mass));
        put("lockstep_coshares_total", "counter", "Co-shares added to edges.", g(&self.coshares));
        put("lockstep_alerts_total", "counter", "Alerts raised.", g(&self.alerts));
        put("lockstep_alerts_delivered_total", "counter", "Alerts delivered by the sinks.", g(&self.sinks.delivered));
        put("lockstep_alerts_failed_total", "counter", "Alerts given up on.", g(&self.sinks.failed));
        put("lockstep_alert_retries_total", "counter", "Retried deliveries.", g(&self.sinks.retries));
        put("lockstep_checkpoints_total", "counter", "Checkpoints written.", g(&self.checkpoints));
        put("lockstep_checkpoint_bytes", "gauge", "Size of the last checkpoint.", g(&self.checkpoint_bytes));
        put("lockstep_state_shares", "gauge", "Shares held for pairing.", g(&self.state_shares));
        put("lockstep_state_objects", "gauge", "Objects with held shares.", g(&self.state_objects));
        put("lockstep_state_edges", "gauge", "Edges held.", g(&self.state_edges));
        put("lockstep_state_accounts", "gauge", "Accounts referred to.", g(&self.state_accounts));
        put("lockstep_state_groups", "gauge", "Groups at the last pass.", g(&self.state_groups));
        let t = self.event_time.load(Ordering::Relaxed);
        if t != 0 {
            put("lockstep_event_time_seconds", "gauge", "Latest event time accepted.", t.to_string());
            let now =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            put("lockstep_lag_seconds", "gauge", "Wall clock minus the latest event time.", (now - t).to_string());
        }
        let p = self.pending.load(Ordering::Relaxed);
        if p != u64::MAX {
            put("lockstep_source_pending", "gauge", "Messages waiting at the source.", p.to_string());
        }
        out
    }
}

/// Serves `metrics` on `addr` (e.g. `127.0.0.1:9464`) until the process ends;
/// returns the address bound (port 0 picks a free one).
pub fn serve(addr: &str, metrics: Arc<Metrics>) -> crate::Result<std::net::SocketAddr> {
    let server = tiny_http::Server::http(addr).map_err(|e| crate::Error::io(format!("metrics on {addr}"), e))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| crate::Error::Io(format!("metrics on {addr}: not an IP address")))?;
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let resp = if req.url() == "/metrics" {
                let header =
                    tiny_http::Header::from_bytes("Content-Type", "text/plain; version=0.0.4").expect("header");
                tiny_http::Response::from_string(metrics.render()).with_header(header).with_status_code(200)
            } else {
                tiny_http::Response::from_string("see /metrics\n").with_status_code(404)
            };
            let _ = req.respond(resp);
        }
    });
    Ok(bound)
}
