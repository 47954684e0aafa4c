//! The webhook sink against a real HTTP server on loopback that answers 503,
//! 500 and 429 to the first requests: every alert is retried until accepted,
//! and accepted exactly once, in order.

use lockstep_live::sink::SinkSpec;
use lockstep_live::watch::SourceSpec;
use lockstep_live::{watch, LiveParams, WatchOptions};
use std::sync::{Arc, Mutex};

#[test]
fn each_alert_is_received_once_after_retries_on_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts.csv");
    let cfg = lockstep_synth::ScenarioConfig::new(20_000, 3);
    lockstep_synth::write_csv(&cfg, &posts, &dir.path().join("truth.csv")).unwrap();

    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let accepted = Arc::new(Mutex::new(Vec::<serde_json::Value>::new()));
    let refused = Arc::new(Mutex::new(0u32));
    let (acc, refu) = (accepted.clone(), refused.clone());
    let receiver = std::thread::spawn(move || {
        let failures = [503, 500, 429];
        for mut req in server.incoming_requests() {
            if req.url() == "/stop" {
                let _ = req.respond(tiny_http::Response::empty(200));
                return;
            }
            let mut body = String::new();
            req.as_reader().read_to_string(&mut body).unwrap();
            let mut n = refu.lock().unwrap();
            if (*n as usize) < failures.len() {
                let code = failures[*n as usize];
                *n += 1;
                let _ = req.respond(tiny_http::Response::empty(code));
                continue;
            }
            acc.lock().unwrap().push(serde_json::from_str(&body).unwrap());
            let _ = req.respond(tiny_http::Response::empty(204));
        }
    });

    let mut opts = WatchOptions::new(SourceSpec::File(posts));
    opts.exit_at_end = true;
    opts.params = LiveParams { window: 60, min_weight: 8, ..LiveParams::default() };
    opts.sinks = vec![SinkSpec::Webhook(format!("http://127.0.0.1:{port}/alerts"))];
    let summary = watch(opts).unwrap();
    ureq::get(&format!("http://127.0.0.1:{port}/stop")).call().unwrap();
    receiver.join().unwrap();

    let got = accepted.lock().unwrap();
    assert_eq!(*refused.lock().unwrap(), 3);
    assert!(summary.counters.alerts > 3, "the scenario should raise alerts");
    assert_eq!(got.len() as u64, summary.counters.alerts);
    let ids: Vec<u64> = got.iter().map(|a| a["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=summary.counters.alerts).collect::<Vec<_>>(), "each alert once, in order");
    assert!(got.iter().any(|a| a["alert"] == "group"));
    let edge = got.iter().find(|a| a["alert"] == "edge").unwrap();
    assert_eq!(edge["evidence"].as_array().unwrap().len(), 8);
}
