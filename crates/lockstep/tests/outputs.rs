//! The output folder as a user meets it: written whole or not at all, never
//! mixed with an earlier run's files, never in the place of an input.

mod common;
use common::files;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).output().expect("run lockstep")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn generate(dir: &Path, posts: &str) -> PathBuf {
    let input = dir.join("posts.csv");
    let o = lockstep(&["generate", "-n", posts, "--seed", "11", "-o", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    input
}

#[test]
fn a_second_run_replaces_the_first_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let input = generate(tmp.path(), "20000");
    let out = tmp.path().join("results");
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    let first = lockstep(&["detect", i, "--pairs", "--graph", "gexf", "--out", o, "-q"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(names(&out).contains(&"pairs.csv".to_string()));
    let second = lockstep(&["detect", i, "--output-format", "parquet", "--window", "30", "--out", o, "-q"]);
    assert!(second.status.success(), "{}", stderr(&second));
    let left = names(&out);
    assert!(
        left.iter().all(|n| n == "report.json" || n.ends_with(".parquet")),
        "only the second run's files are there: {left:?}"
    );
    assert_eq!(names(tmp.path()), ["posts.csv", "posts.truth.csv", "results"], "no staging folder left");
}

#[test]
fn the_output_is_checked_before_reading_and_never_replaces_an_input() {
    let tmp = tempfile::tempdir().unwrap();
    let input = generate(tmp.path(), "2000");
    let original = std::fs::read(&input).unwrap();
    // The reproduction: an input named like an output, and `--out .` in its folder.
    let edges = tmp.path().join("edges.csv");
    std::fs::copy(&input, &edges).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["detect", "edges.csv", "--out", "."])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("current folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&edges).unwrap(), original, "the input is intact");
    // An input inside a previous result's folder.
    let out = tmp.path().join("results");
    let (i, r) = (input.to_str().unwrap(), out.to_str().unwrap());
    assert!(lockstep(&["detect", i, "--out", r, "-q"]).status.success());
    let inside = out.join("edges.csv");
    let before = std::fs::read(&inside).unwrap();
    let o = lockstep(&["detect", inside.to_str().unwrap(), "--out", r, "-q"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("holds the input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&inside).unwrap(), before);
    // An existing file as --out fails at once, before the (missing) input is even opened.
    let o = lockstep(&["detect", "no-such-input.csv", "--out", i]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is not a folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&input).unwrap(), original);
    // A folder of someone's own files is not taken over.
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let o = lockstep(&["detect", i, "--out", mine.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("notes.txt"), "{}", stderr(&o));
    assert_eq!(names(&mine), ["notes.txt"]);
}

/// A run killed (SIGKILL) at points spread over its whole duration, into a
/// folder holding an earlier result: the folder is always either the earlier
/// complete result or the new complete one, byte for byte.
#[test]
fn a_killed_run_leaves_the_old_result_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let input = generate(tmp.path(), "60000");
    let i = input.to_str().unwrap();
    let old_args = ["detect", i, "--window", "60", "-q"];
    let new_args = ["detect", i, "--window", "30", "--pairs", "--graph", "gexf,graphml", "-q"];
    let run = |args: &[&str], out: &Path| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--out", out.to_str().unwrap()]);
        let o = lockstep(&all);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let (old_ref, new_ref) = (tmp.path().join("old"), tmp.path().join("new"));
    run(&old_args, &old_ref);
    let t = Instant::now();
    run(&new_args, &new_ref);
    let duration = t.elapsed();
    let (old, new) = (files(&old_ref), files(&new_ref));
    assert_ne!(old, new);
    let target = tmp.path().join("target");
    let mut outcomes = (0, 0);
    const KILLS: u32 = 8;
    for k in 0..KILLS {
        // Reset the target to the old result.
        let _ = std::fs::remove_dir_all(&target);
        run(&old_args, &target);
        let mut args: Vec<&str> = new_args.to_vec();
        args.extend(["--out", target.to_str().unwrap()]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_lockstep"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill points from the start to a little past the reference run's end.
        std::thread::sleep(duration.mul_f64((f64::from(k) + 0.5) / f64::from(KILLS) * 1.1));
        let _ = child.kill();
        child.wait().unwrap();
        let now = files(&target);
        if now == old {
            outcomes.0 += 1;
        } else if now == new {
            outcomes.1 += 1;
        } else {
            panic!("kill {k}: the folder is neither result: {:?}", names(&target));
        }
    }
    eprintln!("{KILLS} kills: {} left the old result, {} the new one", outcomes.0, outcomes.1);
    // Whatever a kill left behind, the next run completes and cleans up.
    run(&new_args, &target);
    assert_eq!(files(&target), new);
    let left: Vec<String> = names(tmp.path()).into_iter().filter(|n| n.starts_with('.')).collect();
    assert!(left.is_empty(), "staging folders left: {left:?}");
}

#[test]
fn domains_never_writes_over_its_input() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("urls.txt");
    std::fs::write(&list, "washingtonpost.pm\nexample.org\n").unwrap();
    let l = list.to_str().unwrap();
    let o = lockstep(&["domains", "-i", l, "--out", l]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is the input"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&list).unwrap(), "washingtonpost.pm\nexample.org\n");
    let out = tmp.path().join("verdicts.csv");
    let o = lockstep(&["domains", "-i", l, "--output-format", "csv", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&out).unwrap().contains("washingtonpost.pm"));
    assert_eq!(names(tmp.path()), ["urls.txt", "verdicts.csv"], "no temporary file left");
}
