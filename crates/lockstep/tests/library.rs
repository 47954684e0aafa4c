//! The library entry point (`lockstep_pipeline::run` and `write`) against the
//! command: the same input and parameters give the same files, byte for byte;
//! and snapshots of report.json and of the printed summary, so that a change
//! of either is a reviewed diff (`cargo insta review`).

mod common;
use common::files;

use lockstep_core::NoProgress;
use lockstep_detect::Params;
use lockstep_domains::{Classifier, Feed, Matcher, Watchlist};
use lockstep_ingest::{ColumnMap, ReadOptions};
use lockstep_pipeline::{Input, RunOptions};
use lockstep_report::{GraphFormat, GraphScope, OutputOptions};
use std::path::Path;
use std::process::Command;

fn lockstep(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).output().expect("run lockstep");
    assert!(o.status.success(), "lockstep {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// What `lockstep detect --kind-column kind --threshold quantile --min-edge-score 10`
/// does, built by hand (`Params::default()`: window 60 s, M = 2, the 0.5 quantile,
/// the object-time null model; the built-in feed and watchlist with look-alikes
/// from score 0.5). The command's own default rule (`score` ≥ 20) finds no group
/// in this small sample for --evidence-group.
fn options() -> RunOptions {
    RunOptions {
        read: ReadOptions {
            columns: ColumnMap { kind: Some("kind".into()), ..ColumnMap::default() },
            ..ReadOptions::default()
        },
        domains: Some(Classifier::new(Feed::builtin(), Matcher::new(Watchlist::builtin()).with_min_score(0.5))),
        ..RunOptions::default()
    }
}

#[test]
fn the_library_writes_what_the_command_writes() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("posts.csv");
    let posts_arg = posts.to_str().unwrap();
    lockstep(&["generate", "-n", "30000", "--seed", "7", "-o", posts_arg]);
    let cli = dir.path().join("cli");
    lockstep(&[
        "detect",
        posts_arg,
        "--kind-column",
        "kind",
        "--threshold",
        "quantile",
        "--min-edge-score",
        "10",
        // `Params::default()`'s null model and no triangle rule.
        "--null-model",
        "object-time",
        "--solo-edge-score",
        "0",
        "--graph",
        "gexf,graphml",
        "--evidence-group",
        "1,2",
        "--pairs",
        "-q",
        "-o",
        cli.to_str().unwrap(),
    ]);

    let analysis = lockstep_pipeline::run(&[Input::path(&posts)], &options(), &Params::default(), &NoProgress)
        .expect("the analysis runs");
    let lib = dir.path().join("lib");
    let output = OutputOptions {
        pairs: true,
        evidence_groups: vec![1, 2],
        graphs: vec![GraphFormat::Gexf, GraphFormat::Graphml],
        graph_scope: GraphScope::Thresholded,
        ..OutputOptions::default()
    };
    let written = lockstep_pipeline::write(&analysis, &output, &lib, &NoProgress).expect("the outputs are written");

    let (cli_files, lib_files) = (files(&cli), files(&lib));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&cli_files), names(&lib_files));
    for name in [
        "accounts.csv",
        "domains.csv",
        "edge_kinds.csv",
        "edges.csv",
        "evidence.csv",
        "network.gexf",
        "network.graphml",
        "objects.csv",
        "pairs.csv",
        "report.json",
    ] {
        assert!(names(&lib_files).contains(&name.to_string()), "{name} missing: {:?}", names(&lib_files));
    }
    for ((name, a), (_, b)) in cli_files.iter().zip(&lib_files) {
        assert!(a == b, "{name} differs between `lockstep detect` and the library");
    }
    // The typed report is the one written: every table listed with its rows.
    assert_eq!(written.files.len(), lib_files.len() - 1, "{:?}", written.files);
    assert_eq!(std::fs::read_to_string(lib.join("report.json")).unwrap(), written.to_json().unwrap());
    assert!(written.groups.iter().all(|g| g.domain_links.is_some()));
    assert!(analysis.detection.counts.components > 0);
}

/// A small input: two accounts pushing a look-alike of an outlet and a hashtag
/// in lockstep, a third joining once, two more sharing twice, one bad row.
const SMALL: &str = "account_id,object_id,kind,content_id,timestamp_share\n\
a,https://www.spiegel.ltd/politik/1,url,p1,1700000000\n\
b,https://www.spiegel.ltd/politik/1,url,p2,1700000004\n\
a,https://example.org/story,url,p3,1700000300\n\
b,https://example.org/story,url,p4,1700000302\n\
c,https://example.org/story,url,p5,1700000330\n\
a,#tag,hashtag,p1,1700000000\n\
b,#tag,hashtag,p2,1700000009\n\
a,https://www.spiegel.ltd/politik/2,url,p6,1700000600\n\
b,https://www.spiegel.ltd/politik/2,url,p7,1700000601\n\
c,https://example.org/other,url,p8,not-a-time\n\
c,#other,hashtag,p9,1700005000\n\
d,#x,hashtag,p10,1700009000\n\
e,#x,hashtag,p11,1700009005\n\
d,https://example.net/y,url,p12,1700009100\n\
e,https://example.net/y,url,p13,1700009103\n";

fn small_run(dir: &Path, extra: &[&str]) -> (String, String) {
    let input = dir.join("small.csv");
    std::fs::write(&input, SMALL).unwrap();
    let out = dir.join("out");
    let mut args = vec!["detect", input.to_str().unwrap(), "--kind-column", "kind", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let stdout = lockstep(&args);
    (stdout, std::fs::read_to_string(out.join("report.json")).unwrap())
}

/// Paths of the temporary folder and times are masked.
fn masked(text: &str, dir: &Path) -> String {
    let text = text.replace(dir.to_str().unwrap(), "[dir]");
    let mut out = String::new();
    for line in text.lines() {
        match line.strip_prefix("wrote ").and_then(|l| l.rsplit_once(" in ")) {
            Some((what, _)) => out.push_str(&format!("wrote {what} in [seconds] s")),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// With the quantile rule, so that groups and communities are in the shape (on
/// 15 rows no edge reaches the default score of 20: see the auto-window case).
#[test]
fn report_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = small_run(dir.path(), &["-q", "--threshold", "quantile"]);
    insta::assert_snapshot!(masked(&report, dir.path()));
}

#[test]
fn report_json_shape_with_auto_window_and_no_domains() {
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = small_run(dir.path(), &["-q", "--window", "auto", "--no-domains"]);
    insta::assert_snapshot!(masked(&report, dir.path()));
}

#[test]
fn printed_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = small_run(dir.path(), &["--threshold", "quantile"]);
    insta::assert_snapshot!(masked(&stdout, dir.path()));
}
