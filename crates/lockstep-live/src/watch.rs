//! The watcher: a source thread (read, parse) feeding the engine on the
//! calling thread, alerts to the sinks after every chunk, checkpoints on a wall
//! clock schedule and at the end, commits to the source after each checkpoint.

use crate::checkpoint::{self, CheckpointRef};
use crate::engine::{Counters, Engine, LiveParams, StateSize};
use crate::input::{LineReader, Parsed, ReaderState};
use crate::metrics::Metrics;
use crate::sink::{Sink, SinkSpec, SinkStats};
use crate::source::{Event, FileSource, Position, Source, StdinSource};
use lockstep_core::Diagnostics;
use lockstep_ingest::ReadOptions;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A source as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A file (followed unless [`WatchOptions::exit_at_end`]).
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// A NATS JetStream subject.
    Nats(crate::source::nats::NatsSpec),
    /// A Kafka topic (`kafka://host:port/topic`; `consumer` names the group).
    Kafka {
        /// Bootstrap servers.
        brokers: String,
        /// Topic.
        topic: String,
        /// Consumer group.
        group: String,
    },
}

impl SourceSpec {
    /// Parses `-`, `nats://host:port/subject`, `kafka://host:port/topic` or a path.
    pub fn parse(s: &str, stream: Option<&str>, consumer: Option<&str>) -> SourceSpec {
        if s == "-" {
            return SourceSpec::Stdin;
        }
        if let Some((server, subject)) = crate::source::nats::split_url(s) {
            return SourceSpec::Nats(crate::source::nats::NatsSpec::new(server, subject, stream, consumer));
        }
        if let Some(rest) = s.strip_prefix("kafka://") {
            if let Some((brokers, topic)) = rest.split_once('/') {
                return SourceSpec::Kafka {
                    brokers: brokers.to_string(),
                    topic: topic.to_string(),
                    group: consumer.unwrap_or("lockstep-watch").to_string(),
                };
            }
        }
        SourceSpec::File(PathBuf::from(s))
    }

    /// How a checkpoint names it.
    pub fn describe(&self) -> String {
        match self {
            SourceSpec::File(p) => format!("file:{}", p.display()),
            SourceSpec::Stdin => "stdin".into(),
            SourceSpec::Nats(n) => format!("nats:{}/{}#{}", n.stream, n.subject, n.consumer),
            SourceSpec::Kafka { topic, group, .. } => format!("kafka:{topic}#{group}"),
        }
    }
}

/// Everything `lockstep watch` is told.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Where records come from.
    pub source: SourceSpec,
    /// How records are read (format, columns, kinds, time unit).
    pub read: ReadOptions,
    /// Engine parameters.
    pub params: LiveParams,
    /// Where alerts go.
    pub sinks: Vec<SinkSpec>,
    /// Checkpoint folder (none: no durability).
    pub checkpoint: Option<PathBuf>,
    /// Wall time between checkpoints.
    pub checkpoint_every: Duration,
    /// Stop at the end of the input (a file's end, no pending NATS message)
    /// instead of waiting for more.
    pub exit_at_end: bool,
    /// Serve metrics on this address.
    pub metrics: Option<String>,
    /// Write the final edges here (CSV: account_a,account_b,weight) at exit.
    pub edges_out: Option<PathBuf>,
    /// Set to stop (SIGTERM, SIGINT: see [`stop_on_signals`]): checkpoint and return.
    pub stop: Arc<AtomicBool>,
    /// Classifies the domains groups link (`domain` alerts); none: no domain alerts.
    pub domains: Option<Arc<lockstep_domains::Classifier>>,
}

impl WatchOptions {
    /// Options for `source` with defaults.
    pub fn new(source: SourceSpec) -> WatchOptions {
        WatchOptions {
            source,
            read: ReadOptions::default(),
            params: LiveParams::default(),
            sinks: Vec::new(),
            checkpoint: None,
            checkpoint_every: Duration::from_secs(5),
            exit_at_end: false,
            metrics: None,
            edges_out: None,
            stop: Arc::new(AtomicBool::new(false)),
            domains: None,
        }
    }
}

/// Sets `flag` on SIGTERM and SIGINT (the watcher then checkpoints and returns).
pub fn stop_on_signals(flag: &Arc<AtomicBool>) -> crate::Result<()> {
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, flag.clone()).map_err(|e| crate::Error::io("signal handler", e))?;
    }
    Ok(())
}

/// What a watch did.
#[derive(Debug, Clone)]
pub struct WatchSummary {
    /// Engine counts (since the state began).
    pub counters: Counters,
    /// Held state at the end.
    pub state: StateSize,
    /// Records read (since the state began).
    pub records: u64,
    /// Records skipped (since the state began).
    pub skipped: u64,
    /// Skipped records of this run, by reason.
    pub diagnostics: Diagnostics,
    /// Resumed from a checkpoint.
    pub resumed: bool,
    /// Checkpoints written by this run.
    pub checkpoints: u64,
    /// Stopped by [`WatchOptions::stop`] rather than by the end of the input.
    pub stopped: bool,
    /// The metrics endpoint's address.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// The final engine (edges, groups).
    pub engine: Engine,
}

enum Msg {
    Chunk(Box<(Parsed, Position, ReaderState)>),
    Idle(Option<u64>),
    End,
    Failed(crate::Error),
}

/// Runs until the input ends (with [`WatchOptions::exit_at_end`]) or `stop` is set.
pub fn watch(opts: WatchOptions) -> crate::Result<WatchSummary> {
    let describe = opts.source.describe();
    let loaded = match &opts.checkpoint {
        Some(dir) => checkpoint::load(dir, &describe, &opts.params)?,
        None => None,
    };
    let resumed = loaded.is_some();
    let loaded = loaded.map(|mut c| {
        c.engine.set_classifier(opts.domains.clone());
        c
    });
    let (mut engine, mut position, reader_state, mut records, mut skipped) = match loaded {
        Some(c) => (c.engine, c.position, c.reader, c.records, c.skipped),
        None => {
            let mut engine = Engine::new(opts.params.clone())?;
            engine.set_classifier(opts.domains.clone());
            (engine, Position::Start, ReaderState::default(), 0, 0)
        }
    };
    let metrics = Arc::new(Metrics { pending: u64::MAX.into(), ..Metrics::default() });
    let metrics_addr = match &opts.metrics {
        Some(addr) => Some(crate::metrics::serve(addr, metrics.clone())?),
        None => None,
    };
    let stats: Arc<SinkStats> = metrics.sinks.clone();
    let mut sinks: Vec<Box<dyn Sink>> =
        opts.sinks.iter().map(|s| crate::sink::open(s, stats.clone())).collect::<crate::Result<_>>()?;
    let source: Box<dyn Source> = match &opts.source {
        SourceSpec::File(p) => Box::new(FileSource::open(p, &position, !opts.exit_at_end)?),
        SourceSpec::Stdin => Box::new(StdinSource::open(&position)),
        SourceSpec::Nats(n) => Box::new(crate::source::nats::NatsSource::open(n, &position, opts.exit_at_end)?),
        #[cfg(feature = "kafka")]
        SourceSpec::Kafka { brokers, topic, group } => {
            let spec = crate::source::kafka::KafkaSpec {
                brokers: brokers.clone(),
                topic: topic.clone(),
                group: group.clone(),
            };
            Box::new(crate::source::kafka::KafkaSource::open(&spec, &position, opts.exit_at_end)?)
        }
        #[cfg(not(feature = "kafka"))]
        SourceSpec::Kafka { .. } => {
            return Err(crate::Error::Io("this build has no Kafka support (feature `kafka`)".into()));
        }
    };
    let mut reader = LineReader::new(source.name(), opts.read.clone(), reader_state.clone())?;
    let mut reader_state = reader_state;

    let (tx, rx) = mpsc::sync_channel::<Msg>(4);
    let (commit_tx, commit_rx) = mpsc::channel::<Position>();
    let halt = Arc::new(AtomicBool::new(false));
    let halt_src = halt.clone();
    let producer = std::thread::spawn(move || {
        let mut source = source;
        let commit = |source: &mut Box<dyn Source>| -> crate::Result<()> {
            let mut last = None;
            while let Ok(p) = commit_rx.try_recv() {
                last = Some(p);
            }
            match last {
                Some(p) => source.commit(&p),
                None => Ok(()),
            }
        };
        loop {
            if let Err(e) = commit(&mut source) {
                let _ = tx.send(Msg::Failed(e));
                return;
            }
            if halt_src.load(Ordering::SeqCst) {
                let _ = commit(&mut source);
                return;
            }
            let msg = match source.next() {
                Ok(Event::Chunk(bytes, pos)) => match reader.parse(&bytes) {
                    Ok(p) => Msg::Chunk(Box::new((p, pos, reader.state().clone()))),
                    Err(e) => Msg::Failed(e),
                },
                Ok(Event::Idle) => Msg::Idle(source.pending()),
                Ok(Event::End) => Msg::End,
                Err(e) => Msg::Failed(e),
            };
            let last = matches!(msg, Msg::End | Msg::Failed(_));
            // Waits while the engine is busy, checking for the halt.
            let mut msg = Some(msg);
            while let Some(m) = msg.take() {
                match tx.try_send(m) {
                    Ok(()) => {}
                    Err(mpsc::TrySendError::Full(m)) => {
                        if halt_src.load(Ordering::SeqCst) {
                            let _ = commit(&mut source);
                            return;
                        }
                        if let Err(e) = commit(&mut source) {
                            let _ = tx.send(Msg::Failed(e));
                            return;
                        }
                        std::thread::sleep(Duration::from_micros(200));
                        msg = Some(m);
                    }
                    Err(mpsc::TrySendError::Disconnected(_)) => return,
                }
            }
            if last {
                // Commits still come after the end (the final checkpoint's).
                while !halt_src.load(Ordering::SeqCst) {
                    let _ = commit(&mut source);
                    std::thread::sleep(Duration::from_millis(5));
                }
                let _ = commit(&mut source);
                return;
            }
        }
    });

    let mut diagnostics = Diagnostics::default();
    let mut checkpoints = 0u64;
    let mut last_ckpt = Instant::now();
    let mut dirty = false;
    let mut stopped = false;
    let mut failure: Option<crate::Error> = None;
    let save = |engine: &Engine, position: &Position, reader: &ReaderState, records: u64, skipped: u64| {
        let Some(dir) = &opts.checkpoint else { return Ok(None) };
        let c = CheckpointRef {
            version: checkpoint::VERSION,
            source: &describe,
            position,
            reader,
            records,
            skipped,
            engine,
        };
        checkpoint::save(dir, &c).map(Some)
    };
    let send_alerts = |engine: &mut Engine, sinks: &mut Vec<Box<dyn Sink>>| -> crate::Result<()> {
        let alerts = engine.take_alerts();
        if !alerts.is_empty() {
            for s in sinks.iter_mut() {
                s.send(&alerts)?;
            }
        }
        Ok(())
    };
    loop {
        if opts.stop.load(Ordering::SeqCst) {
            stopped = true;
            break;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Msg::Chunk(chunk)) => {
                let (p, pos, st) = *chunk;
                engine.push_dataset(&p.dataset);
                records += p.records;
                skipped += p.skipped;
                diagnostics.merge(p.diagnostics);
                position = pos;
                reader_state = st;
                dirty = true;
                send_alerts(&mut engine, &mut sinks)?;
                update(&metrics, &engine, records, skipped);
            }
            Ok(Msg::Idle(pending)) => {
                if let Some(p) = pending {
                    metrics.pending.store(p, Ordering::Relaxed);
                }
            }
            Ok(Msg::End) => break,
            Ok(Msg::Failed(e)) => {
                failure = Some(e);
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if dirty && last_ckpt.elapsed() >= opts.checkpoint_every {
            if let Some(bytes) = save(&engine, &position, &reader_state, records, skipped)? {
                checkpoints += 1;
                metrics.checkpoints.fetch_add(1, Ordering::Relaxed);
                metrics.checkpoint_bytes.store(bytes, Ordering::Relaxed);
                let _ = commit_tx.send(position.clone());
            }
            last_ckpt = Instant::now();
            dirty = false;
        }
    }
    if failure.is_none() {
        engine.pass();
        send_alerts(&mut engine, &mut sinks)?;
        update(&metrics, &engine, records, skipped);
        if let Some(bytes) = save(&engine, &position, &reader_state, records, skipped)? {
            checkpoints += 1;
            metrics.checkpoint_bytes.store(bytes, Ordering::Relaxed);
            let _ = commit_tx.send(position.clone());
        }
    }
    halt.store(true, Ordering::SeqCst);
    drop(rx);
    let _ = producer.join();
    for s in &mut sinks {
        s.finish()?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(path) = &opts.edges_out {
        write_edges(path, &engine)?;
    }
    Ok(WatchSummary {
        counters: engine.counters().clone(),
        state: engine.state_size(),
        records,
        skipped,
        diagnostics,
        resumed,
        checkpoints,
        stopped,
        metrics_addr,
        engine,
    })
}

fn update(m: &Metrics, engine: &Engine, records: u64, skipped: u64) {
    let c = engine.counters();
    let r = Ordering::Relaxed;
    m.records.store(records, r);
    m.skipped.store(skipped, r);
    m.shares.store(c.shares_in, r);
    m.late.store(c.late_shares, r);
    m.duplicates.store(c.duplicates, r);
    m.mass.store(c.mass_shares, r);
    m.coshares.store(c.coshares, r);
    m.alerts.store(c.alerts, r);
    let s = engine.state_size();
    m.state_shares.store(s.held_shares, r);
    m.state_objects.store(s.objects, r);
    m.state_edges.store(s.edges, r);
    m.state_accounts.store(s.accounts, r);
    m.state_groups.store(s.groups, r);
    m.event_time.store(engine.max_time().unwrap_or(0), r);
}

/// The edges as CSV (`account_a,account_b,weight`, sorted), written atomically.
pub fn write_edges(path: &std::path::Path, engine: &Engine) -> crate::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let fail = |e: &dyn std::fmt::Display| crate::Error::io(path.display(), e);
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    {
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(tmp.as_file()));
        w.write_record(["account_a", "account_b", "weight"]).map_err(|e| fail(&e))?;
        for ((a, b), weight) in engine.edge_weights() {
            w.write_record([a.as_str(), b.as_str(), &weight.to_string()]).map_err(|e| fail(&e))?;
        }
        w.flush().map_err(|e| fail(&e))?;
    }
    tmp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}
