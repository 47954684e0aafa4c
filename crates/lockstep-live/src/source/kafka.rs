//! Kafka (librdkafka, built from the `rdkafka` crate's bundled sources): a
//! topic as a source, a topic as an alert sink.
//!
//! The source assigns itself every partition of the topic, at the checkpoint's
//! offsets (or at each partition's start), with automatic commits off. Its
//! position is the next offset of every partition; once a checkpoint holding
//! it is on disk, those offsets are committed for the consumer group
//! (`--consumer`), so the group's committed offsets never run ahead of a
//! checkpoint. Each message holds one or more lines.

use super::{Event, Position, Source};
use crate::sink::{Sink, SinkStats};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Splits `kafka://host:port[,host:port…]/topic` into (brokers, topic).
pub fn split_url(s: &str) -> Option<(String, String)> {
    let rest = s.strip_prefix("kafka://")?;
    let (brokers, topic) = rest.split_once('/')?;
    (!brokers.is_empty() && !topic.is_empty()).then(|| (brokers.to_string(), topic.to_string()))
}

/// A Kafka source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaSpec {
    /// Bootstrap servers, comma-separated.
    pub brokers: String,
    /// Topic.
    pub topic: String,
    /// Consumer group the offsets are committed for.
    pub group: String,
}

const TIMEOUT: Duration = Duration::from_secs(10);

fn kerr(what: &str, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Io(format!("kafka: {what}: {e}"))
}

/// Reads every partition of a topic.
pub struct KafkaSource {
    consumer: BaseConsumer,
    topic: String,
    /// Next offset of every partition.
    next: BTreeMap<i32, i64>,
    exit_at_end: bool,
    pending: Option<u64>,
}

impl KafkaSource {
    /// Connects and assigns the partitions at `from`.
    pub fn open(spec: &KafkaSpec, from: &Position, exit_at_end: bool) -> crate::Result<KafkaSource> {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &spec.brokers)
            .set("group.id", &spec.group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .create()
            .map_err(|e| kerr(&spec.brokers, e))?;
        let md = consumer.fetch_metadata(Some(&spec.topic), TIMEOUT).map_err(|e| kerr(&spec.topic, e))?;
        let parts: Vec<i32> = md
            .topics()
            .iter()
            .filter(|t| t.name() == spec.topic)
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if parts.is_empty() {
            return Err(kerr(&spec.topic, "no such topic (or it has no partition)"));
        }
        let saved: BTreeMap<i32, i64> = match from {
            Position::Kafka { offsets } => offsets.iter().copied().collect(),
            _ => BTreeMap::new(),
        };
        let mut next = BTreeMap::new();
        let mut tpl = TopicPartitionList::new();
        for p in parts {
            let start = match saved.get(&p) {
                Some(&o) => o,
                None => {
                    let (low, _) =
                        consumer.fetch_watermarks(&spec.topic, p, TIMEOUT).map_err(|e| kerr("watermarks", e))?;
                    low
                }
            };
            tpl.add_partition_offset(&spec.topic, p, Offset::Offset(start)).map_err(|e| kerr("assign", e))?;
            next.insert(p, start);
        }
        consumer.assign(&tpl).map_err(|e| kerr("assign", e))?;
        Ok(KafkaSource { consumer, topic: spec.topic.clone(), next, exit_at_end, pending: None })
    }

    fn position(&self) -> Position {
        Position::Kafka { offsets: self.next.iter().map(|(&p, &o)| (p, o)).collect() }
    }

    /// Messages after `next` in every partition.
    fn lag(&self) -> crate::Result<u64> {
        let mut lag = 0u64;
        for (&p, &o) in &self.next {
            let (_, high) =
                self.consumer.fetch_watermarks(&self.topic, p, TIMEOUT).map_err(|e| kerr("watermarks", e))?;
            lag += (high - o).max(0) as u64;
        }
        Ok(lag)
    }
}

impl Source for KafkaSource {
    fn next(&mut self) -> crate::Result<Event> {
        let mut bytes = Vec::new();
        let deadline = Instant::now() + Duration::from_millis(50);
        let mut n = 0;
        while n < 20_000 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.consumer.poll(left) {
                Some(Ok(m)) => {
                    if let Some(p) = m.payload() {
                        bytes.extend_from_slice(p);
                        if !bytes.ends_with(b"\n") {
                            bytes.push(b'\n');
                        }
                    }
                    self.next.insert(m.partition(), m.offset() + 1);
                    n += 1;
                }
                Some(Err(e)) => return Err(kerr("poll", e)),
                None => break,
            }
        }
        if n > 0 {
            return Ok(Event::Chunk(bytes, self.position()));
        }
        let lag = self.lag()?;
        self.pending = Some(lag);
        Ok(if self.exit_at_end && lag == 0 { Event::End } else { Event::Idle })
    }

    fn commit(&mut self, pos: &Position) -> crate::Result<()> {
        let Position::Kafka { offsets } = pos else { return Ok(()) };
        let mut tpl = TopicPartitionList::new();
        for &(p, o) in offsets {
            tpl.add_partition_offset(&self.topic, p, Offset::Offset(o)).map_err(|e| kerr("commit", e))?;
        }
        self.consumer.commit(&tpl, CommitMode::Sync).map_err(|e| kerr("commit", e))
    }

    fn name(&self) -> String {
        format!("kafka:{}", self.topic)
    }

    fn pending(&self) -> Option<u64> {
        self.pending
    }
}

/// Produces each alert to a topic (key: the alert id).
pub struct KafkaSink {
    producer: BaseProducer,
    topic: String,
    stats: Arc<SinkStats>,
}

impl KafkaSink {
    /// Connects.
    pub fn connect(brokers: &str, topic: &str, stats: Arc<SinkStats>) -> crate::Result<KafkaSink> {
        let producer: BaseProducer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("enable.idempotence", "true")
            .create()
            .map_err(|e| kerr(brokers, e))?;
        Ok(KafkaSink { producer, topic: topic.to_string(), stats })
    }
}

impl Sink for KafkaSink {
    fn send(&mut self, alerts: &[crate::Alert]) -> crate::Result<()> {
        for a in alerts {
            let (key, json) = (a.id.to_string(), a.to_json());
            loop {
                match self.producer.send(BaseRecord::to(&self.topic).key(&key).payload(&json)) {
                    Ok(()) => break,
                    Err((e, _)) if e.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::QueueFull) => {
                        self.producer.poll(Duration::from_millis(10));
                    }
                    Err((e, _)) => return Err(kerr("produce alert", e)),
                }
            }
        }
        self.producer.flush(TIMEOUT).map_err(|e| kerr("flush", e))?;
        self.stats.delivered.fetch_add(alerts.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn finish(&mut self) -> crate::Result<()> {
        self.producer.flush(TIMEOUT).map_err(|e| kerr("flush", e))
    }
}

/// Produces the lines of `path` to a topic, `per_message` lines per message.
pub fn publish_lines(brokers: &str, topic: &str, path: &std::path::Path, per_message: usize) -> crate::Result<u64> {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .create()
        .map_err(|e| kerr(brokers, e))?;
    let mut sent = 0u64;
    for payload in super::Payloads::open(path, per_message)? {
        let payload = payload?;
        loop {
            // One partition keeps the lines in order (a CSV header first).
            match producer.send(BaseRecord::<(), _>::to(topic).partition(0).payload(&payload)) {
                Ok(()) => break,
                Err((e, _)) if e.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::QueueFull) => {
                    producer.poll(Duration::from_millis(10));
                }
                Err((e, _)) => return Err(kerr("produce", e)),
            }
        }
        sent += 1;
    }
    producer.flush(Duration::from_secs(60)).map_err(|e| kerr("flush", e))?;
    Ok(sent)
}
