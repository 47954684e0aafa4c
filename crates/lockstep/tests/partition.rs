//! `--partitions N` writes the same bytes as the in-memory path, in every
//! output file (tables in CSV and Parquet, graphs, report.json).

mod common;
use common::files;

use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).output().unwrap()
}

#[test]
fn partitioned_runs_write_the_in_memory_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    let o = lockstep(&["generate", "-n", "40000", "--seed", "13", "-o", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for extra in [
        &["--threshold", "quantile", "--fast-window", "20"][..],
        &["--output-format", "parquet", "--graph", "gexf", "--pairs"],
    ] {
        let run = |parts: &str| {
            let out = dir.path().join(format!("out-{parts}"));
            let mut args = vec!["detect", input.to_str().unwrap(), "-q", "-o", out.to_str().unwrap()];
            args.extend_from_slice(&["--partitions", parts]);
            args.extend_from_slice(extra);
            let o = lockstep(&args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            files(&out)
        };
        let memory = run("1");
        assert!(memory.iter().any(|(name, bytes)| name.starts_with("edges") && bytes.len() > 1000));
        for parts in ["3", "16"] {
            let split = run(parts);
            assert_eq!(memory.iter().map(|x| &x.0).collect::<Vec<_>>(), split.iter().map(|x| &x.0).collect::<Vec<_>>());
            for (a, b) in memory.iter().zip(&split) {
                assert!(a.1 == b.1, "{} differs with --partitions {parts} ({extra:?})", a.0);
            }
        }
    }
    let o = lockstep(&["detect", input.to_str().unwrap(), "-q", "-o", "x", "--partitions", "0"]);
    assert!(!o.status.success());
}
