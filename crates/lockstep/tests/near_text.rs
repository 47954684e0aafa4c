//! End-to-end tests of `--objects near-text` / `--kind near-text`, as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).output().expect("run lockstep")
}

fn ok(o: &Output) -> String {
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "stdout:\n{out}\nstderr:\n{err}");
    out.into_owned()
}

/// Two accounts post the same two messages with one word changed, a few seconds
/// apart; a third posts unrelated texts at the same times, and one text too
/// short to compare.
const POSTS: &str = "account_id,text,timestamp_share,content_id\n\
alice,\"Vote NO on measure 12, it raises your taxes again! Share this now\",1704068200,p1\n\
bob,\"RT @alice: vote no on measure 12, it raises YOUR rents again! share this now https://t.co/x\",1704068210,p2\n\
carol,\"Lovely afternoon at the harbour, the boats are back in town\",1704068205,p3\n\
alice,\"The senator lied about the pipeline deal, read the documents yourself\",1704069200,p4\n\
bob,\"The senator lied about the pipeline contract, read the documents yourself\",1704069230,p5\n\
carol,\"Our choir sings at the cathedral on Sunday, everyone is welcome\",1704069210,p6\n\
carol,ok,1704069220,p7\n";

fn detect(dir: &Path, kind: &str, out: &str) -> (String, serde_json::Value) {
    let input = dir.join("posts.csv");
    std::fs::write(&input, POSTS).unwrap();
    let out_dir = dir.join(out);
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--object",
        "text",
        "--kind",
        kind,
        "-w",
        "60",
        "--edge-quantile",
        "0",
        "--no-domains",
        "-o",
        out_dir.to_str().unwrap(),
    ]);
    let stdout = ok(&o);
    let report = std::fs::read_to_string(out_dir.join("report.json")).unwrap();
    (stdout, serde_json::from_str(&report).unwrap())
}

#[test]
fn near_copies_co_share_exact_text_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, report) = detect(dir.path(), "near-text", "near");
    let edges = std::fs::read_to_string(dir.path().join("near/edges.csv")).unwrap();
    let rows: Vec<&str> = edges.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{edges}");
    assert!(rows[0].starts_with("alice,bob,2,"), "{edges}");
    let nt = &report["near_text"];
    assert_eq!(nt["shares"], 7);
    assert_eq!(nt["removed_shares"], 1, "{nt}");
    assert_eq!(nt["clusters"]["short_texts"], 1);
    assert_eq!(nt["clusters"]["texts"], 7);
    assert_eq!(nt["clusters"]["merged_clusters"], 2);
    assert_eq!(nt["clusters"]["clusters"], 4);
    assert_eq!(nt["params"]["threshold"], 0.7);
    assert_eq!(report["counts"]["shares"], 6);
    assert!(
        stdout.contains("near-text: 7 shares of 7 distinct texts (1 too short or empty, 1 shares removed) → 4 objects"),
        "{stdout}"
    );
    // Each cluster is named after its earliest post's normalised text.
    let objects = std::fs::read_to_string(dir.path().join("near/objects.csv")).unwrap();
    assert!(objects.contains("vote no on measure 12, it raises your taxes again! share this now"), "{objects}");
    assert!(objects.contains("the senator lied about the pipeline deal, read the documents yourself"), "{objects}");
    // The same posts as exact texts: no two are equal, so no co-share.
    let (_, exact) = detect(dir.path(), "text", "exact");
    assert_eq!(exact["counts"]["coshares"], 0);
    assert!(exact.get("near_text").is_none());
}

#[test]
fn near_text_runs_are_byte_identical_and_explain_shows_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    detect(dir.path(), "near-text", "a");
    detect(dir.path(), "near-text", "b");
    for f in ["edges.csv", "accounts.csv", "objects.csv", "report.json"] {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(f)).unwrap(),
            std::fs::read(dir.path().join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    let input = dir.path().join("posts.csv");
    let o = lockstep(&[
        "explain",
        "alice",
        "bob",
        input.to_str().unwrap(),
        "--object",
        "text",
        "--kind",
        "near-text",
        "--edge-quantile",
        "0",
    ]);
    let out = ok(&o);
    assert!(out.contains("near-text\tthe senator lied about the pipeline deal"), "{out}");
    assert!(out.contains("\tp4\t") && out.contains("\tp5\t"), "{out}");
}

#[test]
fn bad_threshold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    std::fs::write(&input, POSTS).unwrap();
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--object",
        "text",
        "--kind",
        "near-text",
        "--near-text-threshold",
        "1.5",
        "-o",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("near-text threshold must be in (0, 1], got 1.5"));
}
