//! Same inputs and parameters give the same bytes in every output file,
//! `report.json` included: across repeated runs and across 1 and 2 threads.

mod common;
use common::files;

use std::path::Path;
use std::process::{Command, Output};

fn lockstep(args: &[&str], threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).env("RAYON_NUM_THREADS", threads).output().unwrap()
}

/// Runs `detect` three times with one thread and three with two on `input`,
/// and checks every file of every run is the first run's.
fn same_bytes_every_run(input: &Path, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut first: Option<Vec<(String, Vec<u8>)>> = None;
    for (run, threads) in ["1", "1", "1", "2", "2", "2"].iter().enumerate() {
        let out = dir.path().join(format!("run{run}"));
        let mut args = vec!["detect", input.to_str().unwrap(), "-q", "-o", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = lockstep(&args, threads);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let got = files(&out);
        match &first {
            None => first = Some(got),
            Some(f) => {
                assert_eq!(f.iter().map(|x| &x.0).collect::<Vec<_>>(), got.iter().map(|x| &x.0).collect::<Vec<_>>());
                for (a, b) in f.iter().zip(&got) {
                    assert!(a.1 == b.1, "{} differs between run 1 and run {} ({threads} threads)", a.0, run + 1);
                }
            }
        }
    }
    first.unwrap()
}

#[test]
fn one_string_under_four_kinds_gives_one_report() {
    // Accounts a and b share the string `x` (and `y`) under four kinds, three
    // times each: every (kind, x) ties on co-shares in the group's top objects.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("account_id,object_id,kind,content_id,timestamp_share\n");
    let mut t = 1_700_000_000;
    let mut post = 0;
    for kind in ["url", "hashtag", "repost", "text"] {
        for object in ["x", "y"] {
            for _ in 0..3 {
                for account in ["a", "b"] {
                    post += 1;
                    csv.push_str(&format!("{account},{object},{kind},p{post},{t}\n"));
                    t += 1;
                }
                t += 1000;
            }
        }
    }
    csv.push_str(&format!("c,x,url,p{},{}\n", post + 1, 1_700_000_001));
    let input = dir.path().join("kinds.csv");
    std::fs::write(&input, csv).unwrap();
    let run = same_bytes_every_run(&input, &["--kind-column", "kind", "-m", "1", "--pairs", "--threshold", "quantile"]);
    let report = &run.iter().find(|f| f.0 == "report.json").unwrap().1;
    let report: serde_json::Value = serde_json::from_slice(report).unwrap();
    let top: Vec<(String, String)> = report["groups"][0]["top_objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["kind"].as_str().unwrap().to_string(), t["object"].as_str().unwrap().to_string()))
        .collect();
    // Ties in co-shares are ordered by kind, then by value.
    let mut sorted = top.clone();
    sorted.sort();
    assert_eq!(top, sorted, "{}", report["groups"][0]);
    assert!(top.len() >= 4, "{top:?}");
}

#[test]
fn generated_posts_give_the_same_files_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    let o = lockstep(&["generate", "-n", "20000", "--seed", "11", "-o", input.to_str().unwrap()], "2");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = same_bytes_every_run(
        &input,
        &[
            "--kind-column",
            "kind",
            "--pairs",
            "--graph",
            "gexf,graphml",
            "--evidence-group",
            "1",
            "--fast-window",
            "10",
            // The quantile rule finds groups in 20k generated posts (the score rule's default of 20 does
            // not at this size), so the evidence table and the communities are compared too.
            "--threshold",
            "quantile",
        ],
    );
    assert!(run.iter().any(|f| f.0 == "report.json"));
    assert!(run.len() >= 9, "{:?}", run.iter().map(|f| &f.0).collect::<Vec<_>>());
}
