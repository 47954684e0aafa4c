//! Where alerts go: stdout (JSON Lines), a webhook (HTTP POST of each alert,
//! retried with exponential backoff on connection errors, 429 and 5xx), a NATS
//! subject, a Kafka topic. Each alert is sent once per sink (a webhook receiver sees it once
//! unless every retry of an accepted POST was lost in transit); alerts carry
//! an `id` to drop repeats after a crash (see [`crate::checkpoint`]).

use crate::alert::Alert;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A sink as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkSpec {
    /// `-` or `stdout`: one JSON object per line on stdout.
    Stdout,
    /// `http://…` or `https://…`: a webhook.
    Webhook(String),
    /// `nats://host:port/subject`: publish each alert to the subject.
    Nats {
        /// Server URL (`nats://host:port`).
        server: String,
        /// Subject.
        subject: String,
    },
    /// `kafka://host:port/topic`: produce each alert to the topic (key: its id).
    Kafka {
        /// Bootstrap servers.
        brokers: String,
        /// Topic.
        topic: String,
    },
}

impl std::str::FromStr for SinkSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "-" || s == "stdout" {
            return Ok(SinkSpec::Stdout);
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            return Ok(SinkSpec::Webhook(s.to_string()));
        }
        if let Some((server, subject)) = crate::source::nats::split_url(s) {
            return Ok(SinkSpec::Nats { server, subject });
        }
        Err(format!(
            "unknown alert sink {s:?}: expected `-` (stdout), http(s)://… (webhook) or nats://host:port/subject"
        ))
    }
}

/// Delivery counts of all sinks (for metrics).
#[derive(Debug, Default)]
pub struct SinkStats {
    /// Alerts delivered (per sink).
    pub delivered: AtomicU64,
    /// Retries of failed deliveries.
    pub retries: AtomicU64,
    /// Alerts given up on after every retry (each also reported on stderr).
    pub failed: AtomicU64,
}

/// A sink.
pub trait Sink: Send {
    /// Sends alerts (may queue them).
    fn send(&mut self, alerts: &[Alert]) -> crate::Result<()>;
    /// Waits until everything queued is delivered or given up.
    fn finish(&mut self) -> crate::Result<()>;
}

/// Opens a sink.
pub fn open(spec: &SinkSpec, stats: Arc<SinkStats>) -> crate::Result<Box<dyn Sink>> {
    Ok(match spec {
        SinkSpec::Stdout => Box::new(Stdout { stats }),
        SinkSpec::Webhook(url) => Box::new(Webhook::start(url.clone(), stats, Backoff::default())),
        SinkSpec::Nats { server, subject } => Box::new(crate::source::nats::NatsSink::connect(server, subject, stats)?),
        #[cfg(feature = "kafka")]
        SinkSpec::Kafka { brokers, topic } => {
            Box::new(crate::source::kafka::KafkaSink::connect(brokers, topic, stats)?)
        }
        #[cfg(not(feature = "kafka"))]
        SinkSpec::Kafka { .. } => {
            return Err(crate::Error::Io("this build has no Kafka support (feature `kafka`)".into()))
        }
    })
}

struct Stdout {
    stats: Arc<SinkStats>,
}

impl Sink for Stdout {
    fn send(&mut self, alerts: &[Alert]) -> crate::Result<()> {
        let mut out = std::io::stdout().lock();
        for a in alerts {
            writeln!(out, "{}", a.to_json()).map_err(crate::Error::Stdout)?;
        }
        out.flush().map_err(crate::Error::Stdout)?;
        self.stats.delivered.fetch_add(alerts.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn finish(&mut self) -> crate::Result<()> {
        Ok(())
    }
}

/// Retry schedule of the webhook.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// First wait.
    pub first: Duration,
    /// Longest wait.
    pub max: Duration,
    /// Attempts in all.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first: Duration::from_millis(100), max: Duration::from_secs(10), attempts: 10 }
    }
}

/// POSTs each alert on a thread of its own, in order.
pub struct Webhook {
    tx: Option<std::sync::mpsc::Sender<String>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Webhook {
    /// Starts the delivering thread.
    pub fn start(url: String, stats: Arc<SinkStats>, backoff: Backoff) -> Webhook {
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let thread = std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
            for body in rx {
                let mut wait = backoff.first;
                for attempt in 1..=backoff.attempts {
                    let res = agent.post(&url).set("Content-Type", "application/json").send_string(&body);
                    let retry = match res {
                        Ok(_) => {
                            stats.delivered.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        Err(ureq::Error::Status(code, _)) => code == 429 || code >= 500,
                        Err(ureq::Error::Transport(_)) => true,
                    };
                    if !retry || attempt == backoff.attempts {
                        stats.failed.fetch_add(1, Ordering::Relaxed);
                        eprintln!("lockstep watch: webhook {url}: alert not delivered after {attempt} attempts");
                        break;
                    }
                    stats.retries.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(backoff.max);
                }
            }
        });
        Webhook { tx: Some(tx), thread: Some(thread) }
    }
}

impl Sink for Webhook {
    fn send(&mut self, alerts: &[Alert]) -> crate::Result<()> {
        let tx = self.tx.as_ref().expect("open");
        for a in alerts {
            tx.send(a.to_json()).map_err(|_| crate::Error::Io("webhook thread stopped".into()))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> crate::Result<()> {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            t.join().map_err(|_| crate::Error::Io("webhook thread panicked".into()))?;
        }
        Ok(())
    }
}
