//! NATS JetStream: a subject's stream as a source, a subject as an alert sink,
//! and [`publish_lines`] to replay a file into a stream.
//!
//! The source reads through a durable pull consumer (`AckPolicy::All`). Each
//! message holds one or more lines. The watcher's position is the stream
//! sequence of the last message its state includes; once a checkpoint holding
//! it is on disk, that message is acknowledged (and with it every earlier one).
//! On start the consumer is created anew at the checkpoint's sequence + 1 (or
//! at the stream's start), so redeliveries of messages already in the state
//! never happen and messages read but not checkpointed before a crash are read
//! again.

use super::{Event, Position, Source};
use crate::sink::{Sink, SinkStats};
use async_nats::jetstream::{self, consumer::pull, consumer::AckPolicy, consumer::DeliverPolicy};
use futures_util::StreamExt;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Splits `nats://host:port/subject` into (`nats://host:port`, `subject`).
pub fn split_url(s: &str) -> Option<(String, String)> {
    let rest = s.strip_prefix("nats://")?;
    let (host, subject) = rest.split_once('/')?;
    (!host.is_empty() && !subject.is_empty()).then(|| (format!("nats://{host}"), subject.to_string()))
}

/// A JetStream source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsSpec {
    /// Server URL.
    pub server: String,
    /// Subject the records are published on.
    pub subject: String,
    /// Stream holding the subject (created when missing).
    pub stream: String,
    /// Durable consumer name.
    pub consumer: String,
}

impl NatsSpec {
    /// A spec with default stream (`LOCKSTEP`) and consumer (`lockstep-watch`) names.
    pub fn new(server: String, subject: String, stream: Option<&str>, consumer: Option<&str>) -> NatsSpec {
        NatsSpec {
            server,
            subject,
            stream: stream.unwrap_or("LOCKSTEP").to_string(),
            consumer: consumer.unwrap_or("lockstep-watch").to_string(),
        }
    }
}

fn runtime() -> crate::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| crate::Error::io("tokio runtime", e))
}

fn nerr(what: &str, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Io(format!("nats: {what}: {e}"))
}

async fn stream_for(
    js: &jetstream::Context,
    spec_stream: &str,
    subject: &str,
) -> crate::Result<jetstream::stream::Stream> {
    js.get_or_create_stream(jetstream::stream::Config {
        name: spec_stream.to_string(),
        subjects: vec![subject.to_string()],
        ..Default::default()
    })
    .await
    .map_err(|e| nerr(&format!("stream {spec_stream}"), e))
}

/// Messages read and not yet acknowledged that the server allows (the server's
/// default, 1,000, would stall a watcher between two checkpoints).
pub const MAX_ACK_PENDING: i64 = 10_000_000;

/// Reads a JetStream subject.
pub struct NatsSource {
    rt: tokio::runtime::Runtime,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    name: String,
    /// The last message of each chunk handed out and not yet acknowledged.
    unacked: VecDeque<(u64, jetstream::Message)>,
    last_seq: u64,
    pending: Option<u64>,
    exit_at_end: bool,
    batch: usize,
}

impl NatsSource {
    /// Connects and (re)creates the consumer after `from`.
    pub fn open(spec: &NatsSpec, from: &Position, exit_at_end: bool) -> crate::Result<NatsSource> {
        let rt = runtime()?;
        let start = match *from {
            Position::Nats { stream_seq } => Some(stream_seq),
            _ => None,
        };
        let consumer = rt.block_on(async {
            let client = async_nats::connect(&spec.server).await.map_err(|e| nerr(&spec.server, e))?;
            let js = jetstream::new(client);
            let stream = stream_for(&js, &spec.stream, &spec.subject).await?;
            // Recreated at the checkpoint's position: see the module docs.
            let _ = stream.delete_consumer(&spec.consumer).await;
            stream
                .create_consumer(pull::Config {
                    durable_name: Some(spec.consumer.clone()),
                    filter_subject: spec.subject.clone(),
                    ack_policy: AckPolicy::All,
                    deliver_policy: match start {
                        Some(seq) => DeliverPolicy::ByStartSequence { start_sequence: seq + 1 },
                        None => DeliverPolicy::All,
                    },
                    // Acks wait for checkpoints: room for every message read between two of them.
                    max_ack_pending: MAX_ACK_PENDING,
                    ack_wait: Duration::from_secs(3600),
                    ..Default::default()
                })
                .await
                .map_err(|e| nerr(&format!("consumer {}", spec.consumer), e))
        })?;
        Ok(NatsSource {
            rt,
            consumer,
            name: format!("nats:{}", spec.subject),
            unacked: VecDeque::new(),
            last_seq: start.unwrap_or(0),
            pending: None,
            exit_at_end,
            batch: 20_000,
        })
    }
}

impl Source for NatsSource {
    fn next(&mut self) -> crate::Result<Event> {
        let (bytes, last) = self.rt.block_on(async {
            let mut msgs = self
                .consumer
                .batch()
                .max_messages(self.batch)
                .expires(Duration::from_millis(50))
                .messages()
                .await
                .map_err(|e| nerr("fetch", e))?;
            let mut bytes = Vec::new();
            let mut last: Option<(u64, u64, jetstream::Message)> = None;
            while let Some(m) = msgs.next().await {
                let m = m.map_err(|e| nerr("message", e))?;
                let info = m.info().map_err(|e| nerr("message info", e))?;
                let (seq, pending) = (info.stream_sequence, info.pending);
                bytes.extend_from_slice(&m.payload);
                if !bytes.ends_with(b"\n") {
                    bytes.push(b'\n');
                }
                last = Some((seq, pending, m));
            }
            Ok::<_, crate::Error>((bytes, last))
        })?;
        match last {
            Some((seq, pending, m)) => {
                self.last_seq = seq;
                self.pending = Some(pending);
                self.unacked.push_back((seq, m));
                Ok(Event::Chunk(bytes, Position::Nats { stream_seq: seq }))
            }
            None => {
                let waiting = self.rt.block_on(async {
                    let info = self.consumer.info().await.map_err(|e| nerr("consumer info", e))?;
                    Ok::<_, crate::Error>(info.num_pending)
                })?;
                self.pending = Some(waiting);
                if self.exit_at_end && waiting == 0 {
                    Ok(Event::End)
                } else {
                    Ok(Event::Idle)
                }
            }
        }
    }

    fn commit(&mut self, pos: &Position) -> crate::Result<()> {
        let Position::Nats { stream_seq } = *pos else { return Ok(()) };
        let mut newest = None;
        while self.unacked.front().is_some_and(|(s, _)| *s <= stream_seq) {
            newest = self.unacked.pop_front();
        }
        if let Some((_, m)) = newest {
            // AckPolicy::All: this acknowledges every earlier message too.
            self.rt.block_on(m.double_ack()).map_err(|e| nerr("ack", e))?;
        }
        Ok(())
    }

    fn name(&self) -> String {
        self.name.clone()
    }

    fn pending(&self) -> Option<u64> {
        self.pending
    }
}

/// Publishes each alert on a subject (core NATS; a stream may capture it).
pub struct NatsSink {
    rt: tokio::runtime::Runtime,
    client: async_nats::Client,
    subject: String,
    stats: Arc<SinkStats>,
}

impl NatsSink {
    /// Connects.
    pub fn connect(server: &str, subject: &str, stats: Arc<SinkStats>) -> crate::Result<NatsSink> {
        let rt = runtime()?;
        let client = rt.block_on(async_nats::connect(server)).map_err(|e| nerr(server, e))?;
        Ok(NatsSink { rt, client, subject: subject.to_string(), stats })
    }
}

impl Sink for NatsSink {
    fn send(&mut self, alerts: &[crate::Alert]) -> crate::Result<()> {
        self.rt.block_on(async {
            for a in alerts {
                self.client
                    .publish(self.subject.clone(), a.to_json().into())
                    .await
                    .map_err(|e| nerr("publish alert", e))?;
            }
            self.client.flush().await.map_err(|e| nerr("flush", e))
        })?;
        self.stats.delivered.fetch_add(alerts.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn finish(&mut self) -> crate::Result<()> {
        self.rt.block_on(self.client.flush()).map_err(|e| nerr("flush", e))
    }
}

/// Publishes the lines of `path` to a JetStream subject (the stream is created
/// when missing), `per_message` lines per message, waiting for every
/// acknowledgement. Returns the messages published.
pub fn publish_lines(spec: &NatsSpec, path: &std::path::Path, per_message: usize) -> crate::Result<u64> {
    let rt = runtime()?;
    let payloads = super::Payloads::open(path, per_message)?;
    rt.block_on(async {
        let client = async_nats::connect(&spec.server).await.map_err(|e| nerr(&spec.server, e))?;
        let js = jetstream::new(client);
        stream_for(&js, &spec.stream, &spec.subject).await?;
        let mut acks = VecDeque::new();
        let mut sent = 0u64;
        for payload in payloads {
            let payload = payload?;
            let ack = js.publish(spec.subject.clone(), payload.into()).await.map_err(|e| nerr("publish", e))?;
            acks.push_back(ack);
            sent += 1;
            // Bounded in flight.
            while acks.len() > 4096 {
                acks.pop_front().expect("non-empty").await.map_err(|e| nerr("publish ack", e))?;
            }
        }
        for a in acks {
            a.await.map_err(|e| nerr("publish ack", e))?;
        }
        Ok(sent)
    })
}
