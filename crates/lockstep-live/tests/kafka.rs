//! The Kafka source and sink against librdkafka's mock cluster (a real Kafka
//! protocol broker inside the test process): records produced to a topic,
//! alerts produced to another, a run stopped and resumed from its checkpoint,
//! and a restart from an older checkpoint (as after a crash). The final edges
//! equal batch `detect`'s; the group's committed offsets are the checkpoint's;
//! alert ids run 1..N, repeats identical.
#![cfg(feature = "kafka")]

use lockstep_detect::{Params, Window};
use lockstep_live::checkpoint;
use lockstep_live::sink::SinkSpec;
use lockstep_live::source::kafka::publish_lines;
use lockstep_live::source::Position;
use lockstep_live::watch::SourceSpec;
use lockstep_live::{watch, LiveParams, WatchOptions};
use lockstep_pipeline::{Input, RunOptions};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::mocking::MockCluster;
use rdkafka::{ClientConfig, Message};
use std::collections::BTreeMap;
use std::time::Duration;

fn batch(path: &std::path::Path) -> BTreeMap<(String, String), u32> {
    let params =
        Params { window: Window::Seconds(60), min_participation: 1, max_object_pairs: u64::MAX, ..Params::default() };
    let a = lockstep_pipeline::run(&[Input::path(path)], &RunOptions::default(), &params, &lockstep_core::NoProgress)
        .unwrap();
    let ds = &a.dataset;
    a.detection
        .edges
        .iter()
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            (if x <= y { (x, y) } else { (y, x) }, e.full.weight)
        })
        .collect()
}

#[test]
fn kafka_topic_resumed_from_checkpoints_equals_batch() {
    let cluster = MockCluster::new(1).unwrap();
    let brokers = cluster.bootstrap_servers();
    cluster.create_topic("posts", 2, 1).unwrap();
    cluster.create_topic("alerts", 1, 1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let generated = d.join("generated.csv");
    let cfg = lockstep_synth::ScenarioConfig::new(15_000, 4);
    lockstep_synth::write_csv(&cfg, &generated, &d.join("truth.csv")).unwrap();
    let text = std::fs::read_to_string(&generated).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let cut = lines.len() * 2 / 3;
    let (first, second) = (d.join("first.csv"), d.join("second.csv"));
    std::fs::write(&first, lines[..cut].concat()).unwrap();
    std::fs::write(&second, lines[cut..].concat()).unwrap();

    let ckpt = d.join("ckpt");
    let run = |out: Option<&std::path::Path>| {
        let mut o =
            WatchOptions::new(SourceSpec::parse(&format!("kafka://{brokers}/posts"), None, Some("lockstep-test")));
        o.exit_at_end = true;
        o.checkpoint = Some(ckpt.clone());
        o.checkpoint_every = Duration::ZERO;
        o.params = LiveParams { window: 60, horizon: None, max_object_shares: usize::MAX, ..LiveParams::default() };
        o.sinks = vec![SinkSpec::Kafka { brokers: brokers.clone(), topic: "alerts".into() }];
        o.edges_out = out.map(|p| p.to_path_buf());
        watch(o).unwrap()
    };
    assert_eq!(publish_lines(&brokers, "posts", &first, 50).unwrap(), cut.div_ceil(50) as u64);
    let one = run(None);
    assert!(!one.resumed);
    assert_eq!(one.records, (cut - 1) as u64);
    let older = std::fs::read(checkpoint::path_in(&ckpt)).unwrap();

    publish_lines(&brokers, "posts", &second, 50).unwrap();
    let two = run(None);
    assert!(two.resumed);
    assert_eq!(two.records, (lines.len() - 1) as u64);
    let everything = batch(&generated);
    assert_eq!(two.engine.edge_weights(), everything);

    // The group's committed offsets are those of the last checkpoint.
    let c = checkpoint::load(&ckpt, "kafka:posts#lockstep-test", &two.engine.params().clone()).unwrap().unwrap();
    let Position::Kafka { offsets } = &c.position else { panic!("{:?}", c.position) };
    let consumer: BaseConsumer =
        ClientConfig::new().set("bootstrap.servers", &brokers).set("group.id", "lockstep-test").create().unwrap();
    let mut tpl = rdkafka::TopicPartitionList::new();
    for &(p, _) in offsets {
        tpl.add_partition("posts", p);
    }
    let committed = consumer.committed_offsets(tpl, Duration::from_secs(10)).unwrap();
    for &(p, o) in offsets {
        let got = committed.find_partition("posts", p).unwrap().offset();
        assert_eq!(got, rdkafka::Offset::Offset(o), "partition {p}");
    }

    // A crash after the older checkpoint: restart from it, read the rest again, same result.
    std::fs::write(checkpoint::path_in(&ckpt), older).unwrap();
    let edges = d.join("edges.csv");
    let three = run(Some(&edges));
    assert!(three.resumed);
    assert_eq!(three.records, (lines.len() - 1) as u64);
    assert_eq!(three.engine.edge_weights(), everything);

    // Alerts on the topic: ids 1..N; those raised again by the third run identical.
    let reader: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", "alert-reader")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    let mut all = rdkafka::TopicPartitionList::new();
    all.add_partition_offset("alerts", 0, rdkafka::Offset::Beginning).unwrap();
    reader.assign(&all).unwrap();
    let mut by_id: BTreeMap<u64, String> = BTreeMap::new();
    let mut total = 0u64;
    let mut quiet = 0;
    while quiet < 20 {
        match reader.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                quiet = 0;
                total += 1;
                let body = String::from_utf8(m.payload().unwrap().to_vec()).unwrap();
                let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"].as_u64().unwrap();
                if let Some(prev) = by_id.insert(id, body.clone()) {
                    assert_eq!(prev, body);
                }
            }
            Some(Err(e)) => panic!("{e}"),
            None => quiet += 1,
        }
    }
    assert_eq!(by_id.len() as u64, two.counters.alerts, "{total} alerts read");
    assert_eq!(by_id.keys().copied().collect::<Vec<_>>(), (1..=two.counters.alerts).collect::<Vec<_>>());
    assert_eq!(total, one.counters.alerts + (two.counters.alerts - one.counters.alerts) * 2);
}
