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
use futures_util::{FutureExt, StreamExt};
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

/// Messages asked for in one pull request of the consuming stream (a new
/// request goes out when half of them have arrived, so about one and a half
/// requests' worth are in flight or buffered at most).
const PULL_MESSAGES: usize = 10_000;
/// Bytes asked for in one pull request (bounds the buffer when messages are large).
const PULL_BYTES: usize = 32 << 20;
/// A chunk handed to the parser holds at most this many messages …
const CHUNK_MESSAGES: usize = 20_000;
/// … or about this many bytes.
const CHUNK_BYTES: usize = 4 << 20;
/// How long a chunk waits for more messages once its first has arrived.
const GATHER: Duration = Duration::from_millis(20);
/// How long to wait for a first message before reporting [`Event::Idle`].
const IDLE: Duration = Duration::from_millis(50);

/// Reads a JetStream subject.
///
/// Messages come through the client's consuming stream (`Consumer::stream`):
/// pull requests of `PULL_MESSAGES` (10,000) with a 30 s expiry, the next sent when
/// half of the last has arrived, so the server never waits for the watcher.
/// (Short-lived batch fetches stalled: a fetch whose 50 ms expiry ended it
/// part-filled was only given up by the client 5 s later, see
/// docs/live.md.) Every message's consumer sequence must follow the one
/// before: a gap (a message the client dropped) stops the watcher before the
/// state, and so any acknowledgement, goes past it.
pub struct NatsSource {
    rt: tokio::runtime::Runtime,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    /// Always `Some` until dropped (its subscription must be dropped within the runtime).
    messages: Option<pull::Stream>,
    name: String,
    /// The last message of each chunk handed out and not yet acknowledged.
    unacked: VecDeque<(u64, jetstream::Message)>,
    last_seq: u64,
    /// Consumer sequence of the last message read (0: none yet).
    last_consumer_seq: u64,
    pending: Option<u64>,
    exit_at_end: bool,
}

impl NatsSource {
    /// Connects and (re)creates the consumer after `from`.
    pub fn open(spec: &NatsSpec, from: &Position, exit_at_end: bool) -> crate::Result<NatsSource> {
        let rt = runtime()?;
        let start = match *from {
            Position::Nats { stream_seq } => Some(stream_seq),
            _ => None,
        };
        let (consumer, messages) = rt.block_on(async {
            let client = async_nats::connect(&spec.server).await.map_err(|e| nerr(&spec.server, e))?;
            let js = jetstream::new(client);
            let stream = stream_for(&js, &spec.stream, &spec.subject).await?;
            // Recreated at the checkpoint's position: see the module docs.
            let _ = stream.delete_consumer(&spec.consumer).await;
            let consumer = stream
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
                .map_err(|e| nerr(&format!("consumer {}", spec.consumer), e))?;
            let messages = consumer
                .stream()
                .max_messages_per_batch(PULL_MESSAGES)
                .max_bytes_per_batch(PULL_BYTES)
                .expires(Duration::from_secs(30))
                .messages()
                .await
                .map_err(|e| nerr("consume", e))?;
            Ok::<_, crate::Error>((consumer, messages))
        })?;
        Ok(NatsSource {
            rt,
            consumer,
            messages: Some(messages),
            name: format!("nats:{}", spec.subject),
            unacked: VecDeque::new(),
            last_seq: start.unwrap_or(0),
            last_consumer_seq: 0,
            pending: None,
            exit_at_end,
        })
    }
}

/// Where a chunk being gathered is.
struct Gather {
    bytes: Vec<u8>,
    /// (stream sequence, pending, message) of its last message.
    last: Option<(u64, u64, jetstream::Message)>,
    /// Stream sequence of the last message taken (in this chunk or before).
    stream_seq: u64,
    /// Consumer sequence of the last message delivered (0: none yet).
    consumer_seq: u64,
}

impl Gather {
    /// Adds a message to the chunk; checks its consumer sequence.
    fn take(&mut self, m: jetstream::Message) -> crate::Result<()> {
        let info = m.info().map_err(|e| nerr("message info", e))?;
        let (seq, cseq, pending) = (info.stream_sequence, info.consumer_sequence, info.pending);
        if cseq != self.consumer_seq + 1 {
            return Err(crate::Error::Io(format!(
                "nats: consumer sequence went from {} to {cseq} (stream sequence {seq}): a message was lost on the \
                 way; stopping before the state goes past it (a restart resumes from the checkpoint)",
                self.consumer_seq
            )));
        }
        self.consumer_seq = cseq;
        if seq <= self.stream_seq {
            // A redelivery (never acknowledged within the ack wait): already read.
            return Ok(());
        }
        self.stream_seq = seq;
        self.bytes.extend_from_slice(&m.payload);
        if !self.bytes.ends_with(b"\n") {
            self.bytes.push(b'\n');
        }
        self.last = Some((seq, pending, m));
        Ok(())
    }
}

impl Drop for NatsSource {
    fn drop(&mut self) {
        // A subscriber unsubscribes on a task of the runtime it was made in.
        let messages = self.messages.take();
        self.rt.block_on(async move { drop(messages) });
    }
}

impl Source for NatsSource {
    fn next(&mut self) -> crate::Result<Event> {
        let messages = self.messages.as_mut().expect("open until dropped");
        let mut g =
            Gather { bytes: Vec::new(), last: None, stream_seq: self.last_seq, consumer_seq: self.last_consumer_seq };
        let gathered = self.rt.block_on(async {
            let Ok(first) = tokio::time::timeout(IDLE, messages.next()).await else {
                return Ok::<_, crate::Error>(());
            };
            let mut item = first;
            let deadline = tokio::time::Instant::now() + GATHER;
            let mut n = 0usize;
            loop {
                match item {
                    Some(m) => {
                        g.take(m.map_err(|e| nerr("message", e))?)?;
                        n += 1;
                    }
                    None => return Err(crate::Error::Io("nats: the consumer's message stream ended".into())),
                }
                if n >= CHUNK_MESSAGES || g.bytes.len() >= CHUNK_BYTES {
                    break;
                }
                // Messages already buffered are taken without a timer.
                item = match messages.next().now_or_never() {
                    Some(i) => i,
                    None => match tokio::time::timeout_at(deadline, messages.next()).await {
                        Ok(i) => i,
                        Err(_) => break,
                    },
                };
            }
            Ok(())
        });
        // Messages taken before an error are not handed out: the state stops before them.
        gathered?;
        self.last_consumer_seq = g.consumer_seq;
        let (bytes, last) = (g.bytes, g.last);
        match last {
            Some((seq, pending, m)) => {
                self.last_seq = seq;
                self.pending = Some(pending);
                self.unacked.push_back((seq, m));
                Ok(Event::Chunk(bytes, Position::Nats { stream_seq: seq }))
            }
            None => {
                let (waiting, delivered) = self.rt.block_on(async {
                    let info = self.consumer.info().await.map_err(|e| nerr("consumer info", e))?;
                    Ok::<_, crate::Error>((info.num_pending, info.delivered.stream_sequence))
                })?;
                self.pending = Some(waiting);
                // The end: nothing left on the server, and nothing delivered still on its way here.
                if self.exit_at_end && waiting == 0 && delivered <= self.last_seq {
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
