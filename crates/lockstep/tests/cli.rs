//! End-to-end tests of the `lockstep` command, as a user runs it.

mod common;
use common::files;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).output().expect("run lockstep")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const GOOD: &str = "account_id,object_id,content_id,timestamp_share\n\
a,o1,p1,1704067300\nb,o1,p2,1704067303\na,o2,p3,1704067400\nb,o2,p4,1704067405\na,o3,p5,1704067500\nb,o3,p6,1704067501\nc,o3,p7,1704067502\nc,o9,p8,1704076200\n";

#[test]
fn demo_finds_the_planted_networks() {
    let o = lockstep(&["demo"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Largest groups found"), "{out}");
    assert!(out.contains("planted tight_links"), "{out}");
    let line = out.lines().find(|l| l.contains("precision")).expect("precision line");
    let precision: f64 = line.split("precision ").nth(1).unwrap()[..5].parse().unwrap();
    let recall: f64 = line.split("recall ").nth(1).unwrap()[..5].parse().unwrap();
    assert!(precision > 0.9 && recall > 0.9, "{line}");
}

/// The event scenario: live-tweeters pile onto the events' hashtags, planted
/// networks hide inside them with the same hashtags on their posts. The demo
/// (the defaults of `detect`: rarest-object null model with habits, score at
/// least 5 in a triangle or 15 alone) finds planted accounts and flags no
/// live-tweeter (docs/evaluation.md, "Habits and triangles").
#[test]
fn demo_event_finds_planted_accounts_and_not_the_live_tweeters() {
    let o = lockstep(&["demo", "--scenario", "event"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("rarest-object score is at least 5 in a triangle, or 15 alone"), "{out}");
    let line = out.lines().find(|l| l.contains("precision")).expect("precision line");
    let number = |key: &str| -> f64 { line.split(key).nth(1).unwrap()[..5].parse().unwrap() };
    assert!(number("precision ") > 0.7 && number("recall ") > 0.5, "{line}");
    let heavy = out.lines().find(|l| l.starts_with("Innocent heavy posters flagged")).expect("heavy posters line");
    assert!(heavy.contains(": 0 of "), "no live-tweeter flagged: {heavy}");
}

#[test]
fn detect_writes_every_output_and_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    let o = lockstep(&["generate", "-n", "30000", "--seed", "7", "-o", input.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let mut runs = Vec::new();
    for run in ["a", "b"] {
        let out = dir.path().join(run);
        let o = lockstep(&[
            "detect",
            input.to_str().unwrap(),
            "--window",
            "60",
            "--fast-window",
            "10",
            // The quantile rule: groups for --evidence-group on this small sample.
            "--threshold",
            "quantile",
            // Several kinds, so every table is written (`edge_kinds` needs two or more).
            "--kind-column",
            "kind",
            "--pairs",
            "--graph",
            "gexf,graphml",
            "--evidence-group",
            "1,2",
            "-q",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{:?}", text(&o));
        runs.push(files(&out));
    }
    let names: Vec<&str> = runs[0].iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "accounts.csv",
            "domains.csv",
            "edge_kinds.csv",
            "edges.csv",
            "evidence.csv",
            "network.gexf",
            "network.graphml",
            "objects.csv",
            "pairs.csv",
            "report.json"
        ]
    );
    assert_eq!(runs[0], runs[1], "same input and parameters must give identical bytes");
    let file = |name: &str| &runs[0][names.iter().position(|n| *n == name).unwrap()].1[..];
    let report: serde_json::Value = serde_json::from_slice(file("report.json")).unwrap();
    assert!(report["counts"]["communities"].as_u64().unwrap() >= 1, "{}", report["counts"]);
    assert_eq!(report["schema_version"], "1.9");
    assert_eq!(report["parameters"]["window"], 60);
    assert_eq!(report["inputs"][0]["records"], 30000);
    // The pairs table holds exactly the co-shares counted in the report.
    let pairs = csv::Reader::from_reader(file("pairs.csv")).records().count() as u64;
    assert_eq!(report["counts"]["coshares"].as_u64(), Some(pairs));
    // Edge weights add up to the co-shares.
    let mut r = csv::Reader::from_reader(file("edges.csv"));
    let h = r.headers().unwrap().clone();
    let wi = h.iter().position(|c| c == "weight").unwrap();
    let total: u64 = r.records().map(|rec| rec.unwrap()[wi].parse::<u64>().unwrap()).sum();
    assert_eq!(total, pairs);
}

#[test]
fn parquet_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "-w",
        "10",
        "--output-format",
        "parquet",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    for f in ["edges.parquet", "accounts.parquet", "objects.parquet", "report.json"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let bytes = std::fs::read(out.join("edges.parquet")).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
}

#[test]
fn small_case_by_hand() {
    // a and b co-share o1 (3 s), o2 (5 s), o3 (1 s); c co-shares o3 with a (2 s) and b (1 s).
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "-w",
        "10",
        "-m",
        "1",
        "--threshold",
        "quantile",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let edges = std::fs::read_to_string(out.join("edges.csv")).unwrap();
    let lines: Vec<&str> = edges.lines().collect();
    assert_eq!(lines.len(), 4, "{edges}");
    assert!(lines[1].starts_with("a,b,3,3,3,3,1,true,3,"), "{edges}");
    assert!(lines[2].starts_with("a,c,1,2,1,1,1,false,1,"), "{edges}");
    assert!(lines[3].starts_with("b,c,1,1,1,1,1,false,1,"), "{edges}");
}

#[test]
fn empty_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "empty.csv", b"");
    let o = lockstep(&["detect", input.to_str().unwrap(), "-o", dir.path().join("o").to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("empty.csv"), "{err}");
}

#[test]
fn missing_column_names_it_and_lists_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "cols.csv", b"user,url,when\na,b,1704067200\n");
    let o = lockstep(&["detect", input.to_str().unwrap(), "-o", dir.path().join("o").to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("cols.csv") && err.contains("account_id") && err.contains("user"), "{err}");
    // The same file read with a column mapping works.
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--account",
        "user",
        "--object",
        "url",
        "--time",
        "when",
        "-o",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn bad_rows_are_counted_with_file_and_line_and_strict_stops() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(b"d,o1,p9,yesterday\n");
    bytes.extend_from_slice(b"e,o\xff\xfe,p10,1704067301\n");
    let input = write(dir.path(), "bad.csv", &bytes);
    let out = dir.path().join("out");
    let o = lockstep(&["detect", input.to_str().unwrap(), "-w", "10", "-o", out.to_str().unwrap()]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("2 records skipped"), "{stdout}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let d = &report["diagnostics"];
    assert_eq!(d["skipped"], 2);
    assert_eq!(d["by_reason"]["bad_timestamp"]["examples"][0]["line"], 10);
    assert_eq!(d["by_reason"]["bad_utf8"]["examples"][0]["line"], 11);
    assert!(d["by_reason"]["bad_timestamp"]["examples"][0]["source"].as_str().unwrap().ends_with("bad.csv"));

    let o = lockstep(&["detect", input.to_str().unwrap(), "--strict", "-o", out.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("bad.csv:10") && err.contains("bad_timestamp"), "{err}");
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2_free_gzip(GOOD.repeat(200).as_bytes());
    enc.truncate(enc.len() / 2);
    let input = write(dir.path(), "cut.csv.gz", &enc);
    let o = lockstep(&["detect", input.to_str().unwrap(), "-o", dir.path().join("o").to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("cut.csv.gz"), "{err}");
}

/// Gzips with the system's `gzip` (no extra test dependency).
fn flate2_free_gzip(data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    child.stdin.take().unwrap().write_all(data).unwrap();
    child.wait_with_output().unwrap().stdout
}

#[test]
fn stdin_is_read_when_no_file_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["detect", "-w", "10", "-q", "-o", out.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(GOOD.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["inputs"][0]["shares"], 8);
}

#[test]
fn invalid_parameters_are_refused() {
    let o = lockstep(&["detect", "x.csv", "--edge-quantile", "1.5"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("edge-quantile"), "{err}");
}

#[test]
fn compat_coortweet_on_its_own_data() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/coortweet");
    if !data.exists() {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{} is required in CI", data.display());
        eprintln!("SKIPPED: {} not found (../shared beside the repository)", data.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = data.join("russian_coord_tweets.csv");
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--compat",
        "coortweet",
        "-w",
        "60",
        "-m",
        "2",
        "--fast-window",
        "10",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let count = |p: PathBuf| csv::Reader::from_path(p).unwrap().records().count();
    let exp = data.join("expected/tw60_mp2_ew0.5");
    assert_eq!(count(out.join("edges.csv")), count(exp.join("network_full_edges_with_objects.csv")));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["counts"]["coshares"].as_u64().unwrap() as usize, count(exp.join("detect_groups_result.csv")));
    assert_eq!(
        report["counts"]["edges_above_threshold"].as_u64().unwrap() as usize,
        count(exp.join("network_subgraph1_edges.csv"))
    );
}

#[test]
fn explain_lists_the_coshares_behind_an_edge() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let quantile_shuffle = ["--threshold", "quantile", "--null-model", "shuffle"];
    let o = lockstep(
        &[&["explain", "a", "b", "-w", "10", "-m", "1", input.to_str().unwrap()][..], &quantile_shuffle].concat(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    // Null model (shuffled accounts): shares a 3, b 3, c 2 (S = 8); in-window pairs 1 + 1 + 3 = 5;
    // expected = 3·3·2·5/(8·7) = 45/28 = 1.6071; P(Poisson(45/28) ≥ 3) = 0.21849 → score 0.66.
    assert_eq!(
        out,
        "edge a -- b\n\
         \x20 weight 3, avg_time_delta 3, n_content_id 3, n_content_id_y 3, edge_symmetry_score 1\n\
         \x20 n_objects 3; expected 1.6071 by chance (shuffled-accounts), score 0.66\n\
         \x20 kinds: object 3 (3 objects)\n\
         \x20 above_threshold true (threshold 1); component 1\n\
         a = a, b = b\n\
         kind\tobject\tpost_a\ttime_a\tpost_b\ttime_b\tdelta\tfirst\tfast\n\
         object\to1\tp1\t2024-01-01T00:01:40Z\tp2\t2024-01-01T00:01:43Z\t3\ta\t-\n\
         object\to2\tp3\t2024-01-01T00:03:20Z\tp4\t2024-01-01T00:03:25Z\t5\ta\t-\n\
         object\to3\tp5\t2024-01-01T00:05:00Z\tp6\t2024-01-01T00:05:01Z\t1\ta\t-\n"
    );
    // Seen from the other side, with a fast window: b's posts come first in each row.
    let o = lockstep(
        &[
            &["explain", "b", "a", "-w", "10", "-m", "1", "--fast-window", "3", input.to_str().unwrap()][..],
            &quantile_shuffle,
        ]
        .concat(),
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[3], "  kinds: object 3 (3 objects, 2 fast)", "{out}");
    assert_eq!(lines[5], "  fast (3 s): weight 2, avg_time_delta 2, n_content_id 2, n_content_id_y 2, edge_symmetry_score 1; above_threshold_fast true (threshold 1)", "{out}");
    assert_eq!(lines[8], "object\to1\tp2\t2024-01-01T00:01:43Z\tp1\t2024-01-01T00:01:40Z\t3\tb\tyes", "{out}");
    assert_eq!(lines[9], "object\to2\tp4\t2024-01-01T00:03:25Z\tp3\t2024-01-01T00:03:20Z\t5\tb\tno", "{out}");
    // An edge below the threshold is explained too, and says so.
    let o = lockstep(
        &[&["explain", "a", "c", "-w", "10", "-m", "1", input.to_str().unwrap()][..], &quantile_shuffle].concat(),
    );
    let (out, _) = text(&o);
    assert!(out.contains("above_threshold false (threshold 1); component -"), "{out}");
    assert!(out.ends_with("object\to3\tp5\t2024-01-01T00:05:00Z\tp7\t2024-01-01T00:05:02Z\t2\ta\t-\n"), "{out}");
}

#[test]
fn explain_says_why_there_is_nothing_to_explain() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let o = lockstep(&["explain", "a", "zed", "-w", "10", input.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("account \"zed\" is not in the input"), "{err}");
    // a and c are 2 s apart on o3: no edge within 1 s.
    let o = lockstep(&["explain", "a", "c", "-w", "1", "-m", "1", input.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("no edge between \"a\" and \"c\""), "{err}");
}

#[test]
fn evidence_table_of_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    let args = [
        "detect",
        input.to_str().unwrap(),
        "-w",
        "10",
        "-m",
        "1",
        "--fast-window",
        "3",
        "--threshold",
        "quantile",
        "-q",
        "-o",
    ];
    let o = lockstep(&[&args[..], &[out.to_str().unwrap(), "--evidence-group", "1"]].concat());
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("evidence.csv")).unwrap(),
        "component,account_a,account_b,edge_weight,kind,object_id,post_a,time_a,post_b,time_b,time_delta,first,fast\n\
         1,a,b,3,object,o1,p1,2024-01-01T00:01:40Z,p2,2024-01-01T00:01:43Z,3,a,true\n\
         1,a,b,3,object,o2,p3,2024-01-01T00:03:20Z,p4,2024-01-01T00:03:25Z,5,a,false\n\
         1,a,b,3,object,o3,p5,2024-01-01T00:05:00Z,p6,2024-01-01T00:05:01Z,1,a,true\n"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert!(report["files"].as_array().unwrap().iter().any(|f| f[0] == "evidence.csv" && f[1] == 3), "{report}");
    // A group that does not exist is refused.
    let o = lockstep(&[&args[..], &[out.to_str().unwrap(), "--evidence-group", "2"]].concat());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("--evidence-group 2: there are 1 groups"), "{err}");
}

#[test]
fn graph_files_for_gephi_and_graphml_tools() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "-w",
        "10",
        "-m",
        "1",
        "--threshold",
        "quantile",
        "--graph",
        "gexf,graphml",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let gexf = std::fs::read_to_string(out.join("network.gexf")).unwrap();
    assert_eq!(gexf.matches("<node ").count(), 2, "{gexf}");
    assert_eq!(gexf.matches("<edge ").count(), 1, "{gexf}");
    assert!(gexf.contains("<edge id=\"e0\" source=\"n0\" target=\"n1\" weight=\"3\">"), "{gexf}");
    let graphml = std::fs::read_to_string(out.join("network.graphml")).unwrap();
    assert!(graphml.contains("<data key=\"account\">b</data>"), "{graphml}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let files: Vec<&str> = report["files"].as_array().unwrap().iter().map(|f| f[0].as_str().unwrap()).collect();
    assert!(files.contains(&"network.gexf") && files.contains(&"network.graphml"), "{files:?}");
    let o = lockstep(&["detect", input.to_str().unwrap(), "--graph", "dot", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
}

#[test]
fn communities_in_accounts_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    let quantile = ["-w", "10", "-m", "1", "--threshold", "quantile", "--null-model", "object-time"];
    let o =
        lockstep(&[&["detect", input.to_str().unwrap()][..], &quantile, &["-q", "-o", out.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{:?}", text(&o));
    let accounts = std::fs::read_to_string(out.join("accounts.csv")).unwrap();
    let lines: Vec<&str> = accounts.lines().collect();
    assert!(lines[0].starts_with("account_id,component,degree,community,"), "{accounts}");
    assert!(lines[1].starts_with("a,1,1,1,") && lines[2].starts_with("b,1,1,1,"), "{accounts}");
    assert!(lines[3].starts_with("c,,0,,"), "{accounts}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["parameters"]["resolution"], 1.0);
    assert_eq!(report["parameters"]["seed"], 42);
    assert_eq!(report["counts"]["communities"], 1);
    let c = &report["communities"][0];
    assert_eq!(c["members"], serde_json::json!(["a", "b"]));
    assert_eq!((c["rank"].as_u64(), c["density"].as_f64(), c["strength"].as_f64()), (Some(1), Some(1.0), Some(3.0)));
    assert_eq!((c["member_posts"].as_u64(), c["coordinated_post_share"].as_f64()), (Some(6), Some(1.0)));
    assert_eq!((c["first_time"].as_i64(), c["last_time"].as_i64()), (Some(1_704_067_300), Some(1_704_067_501)));
    assert_eq!((c["post_pairs"].as_u64(), c["expected"].as_f64()), (Some(3), Some(3.0)));
    assert!(c["why"].as_str().unwrap().starts_with("2 accounts co-shared 3 pairs of posts"), "{c}");
    // Modularity of one community holding the whole (one-edge) network is 0.
    assert_eq!(report["modularity"].as_f64(), Some(0.0));
    // The summary names the strongest communities.
    let o = lockstep(&[&["detect", input.to_str().unwrap()][..], &quantile, &["-o", out.to_str().unwrap()]].concat());
    let (stdout, _) = text(&o);
    // Object-time null: o1, o2 and o3 are shared by a and b alone around their times,
    // so the 3 post pairs are all expected (score 0.2 = −log10 P(Poisson(3) ≥ 3)).
    assert!(
        stdout.contains(
            "community 1 (rank 1, group 1): 2 accounts co-shared 3 pairs of posts where 3.00 were expected by \
             chance (score 0.2); 100% of their posts are coordinated"
        ),
        "{stdout}"
    );
    let o = lockstep(&["detect", input.to_str().unwrap(), "--resolution", "0", "-o", out.to_str().unwrap()]);
    assert!(!o.status.success() && text(&o).1.contains("resolution"), "{:?}", text(&o));
}

#[test]
fn window_auto_is_estimated_reported_and_used() {
    // Seconds to the second share: o1 3, o2 5, o3 1 (o9 has one share). The 0.1 quantile
    // of [1, 3, 5] is 1.4, so o3 alone is fastest; it passes half its 3 shares at rank 2,
    // 1 s after its first: window 1 s, within which only a–b and b–c on o3 co-share.
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    let o = lockstep(&["detect", input.to_str().unwrap(), "--window", "auto", "-m", "1", "-o", out.to_str().unwrap()]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("window auto: 1 s"), "{stdout}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["parameters"]["window"], 1);
    let e = &report["window_estimate"];
    assert_eq!((e["window"].as_i64(), e["estimate"].as_f64(), e["objects"].as_u64()), (Some(1), Some(1.0), Some(3)));
    assert_eq!((e["fastest_objects"].as_u64(), e["q"].as_f64(), e["p"].as_f64()), (Some(1), Some(0.1), Some(0.5)));
    assert_eq!(report["counts"]["coshares"], 2, "a–b and b–c on o3");
    // Without auto there is no estimate.
    let o = lockstep(&["detect", input.to_str().unwrap(), "-w", "10", "-q", "-o", out.to_str().unwrap()]);
    assert!(o.status.success());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert!(report["window_estimate"].is_null());
    let o = lockstep(&["detect", input.to_str().unwrap(), "-w", "soon", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(rel);
    if path.exists() {
        return Some(path);
    }
    let why = format!("{} is absent (the shared data folder is not beside the repository)", path.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared sample missing under CI: {why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

#[test]
fn ira_sample_end_to_end_with_platform_objects() {
    let Some(input) = shared("data/ira-2016q4/ira_tweets_2016-09_to_2016-11.csv.gz") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--objects",
        "hashtag,text,url",
        // Only the operation's posts: its hashtag games are what everyone in
        // the data shares, so the object-time score cannot single them out.
        "--threshold",
        "quantile",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("(ira-538): 326980 posts → "), "{stdout}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let inp = &report["inputs"][0];
    assert_eq!(inp["format"], "ira-538");
    assert_eq!(inp["object_kinds"], "url,hashtag,text");
    assert_eq!(
        (inp["records"].as_u64(), inp["posts"].as_u64(), inp["skipped"].as_u64()),
        (Some(326_980), Some(326_980), Some(0))
    );
    let by_kind = inp["shares_by_kind"].as_object().unwrap();
    assert_eq!(by_kind.keys().collect::<Vec<_>>(), ["hashtag", "text", "url"]);
    let total: u64 = by_kind.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(Some(total), inp["shares"].as_u64());
    assert!(report["counts"]["components"].as_u64().unwrap() >= 1, "no groups found");
    let groups = report["groups"].as_array().unwrap();
    assert!(groups[0]["members"].as_array().unwrap().len() >= 10, "{}", groups[0]);
}

#[test]
fn x_v2_sample_auto_detected_with_all_objects() {
    let Some(input) = shared("data/x-api-v2-samples/flat.jsonl") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = lockstep(&["detect", input.to_str().unwrap(), "--objects", "all", "-q", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let inp = &report["inputs"][0];
    assert_eq!(inp["format"], "x-v2");
    assert_eq!(inp["posts"], 100);
    assert!(inp["shares_by_kind"]["repost"].as_u64().unwrap() > 0, "{inp}");
    let bad = lockstep(&["detect", input.to_str().unwrap(), "--objects", "url,links"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).1.contains("unknown object kind `links`"), "{:?}", text(&bad));
}

/// When every record is bad, the error itself says why (nothing else was printed).
#[test]
fn all_records_bad_names_the_reason_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "bad.csv", b"account_id,object_id,timestamp_share\na,x,notatime\n");
    let o = lockstep(&["detect", input.to_str().unwrap(), "-o", dir.path().join("out").to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("no shares read from"), "{err}");
    assert!(err.contains("skipped 1 × bad_timestamp, e.g. ") && err.contains("bad.csv:2: bad_timestamp"), "{err}");
}

/// Two kinds: a–b 2 urls + 2 hashtag co-shares, a–c 3 hashtags, b–c 1 url (window 10).
const TWO_KINDS: &str = "account_id,object_id,content_id,timestamp_share,kind\n\
a,u1,p0,1704067200,url\nb,u1,p1,1704067202,url\na,u2,p2,1704067300,url\nb,u2,p3,1704067303,url\n\
a,h1,p4,1704067400,hashtag\nb,h1,p5,1704067401,hashtag\na,h1,p6,1704067500,hashtag\nb,h1,p7,1704067505,hashtag\n\
a,h2,p8,1704067600,hashtag\nc,h2,p9,1704067601,hashtag\na,h3,p10,1704067700,hashtag\nc,h3,p11,1704067702,hashtag\n\
a,h4,p12,1704067800,hashtag\nc,h4,p13,1704067800,hashtag\nb,u3,p14,1704067900,url\nc,u3,p15,1704067905,url\n";

#[test]
fn kind_weights_change_which_edges_pass() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", TWO_KINDS.as_bytes());
    let detect = |out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let mut args = vec!["detect", input.to_str().unwrap(), "--kind-column", "kind", "-w", "10", "-m", "1", "-q"];
        args.extend(["--threshold", "quantile"]);
        args.extend_from_slice(extra);
        args.extend(["-o", out.to_str().unwrap()]);
        let o = lockstep(&args);
        assert!(o.status.success(), "{:?}", text(&o));
        out
    };
    let plain = detect("plain", &[]);
    let weighed = detect("weighed", &["--kind-weight", "url=0"]);
    let again = detect("again", &["--kind-weight", "url=0"]);
    assert_eq!(files(&weighed), files(&again), "same flags, same bytes");
    // The co-shares per kind do not depend on the weights.
    let kinds = std::fs::read_to_string(plain.join("edge_kinds.csv")).unwrap();
    assert_eq!(kinds, std::fs::read_to_string(weighed.join("edge_kinds.csv")).unwrap());
    assert_eq!(kinds.lines().count(), 5, "{kinds}");
    // Weights 4, 3, 1: a–b passes. With url = 0 (hashtags only: 2, 3; b–c has none) a–c passes instead.
    let passing = |out: &Path| -> Vec<String> {
        let mut r = csv::Reader::from_path(out.join("edges.csv")).unwrap();
        let h = r.headers().unwrap().clone();
        let at = |n: &str| h.iter().position(|x| x == n).unwrap();
        let (f, t, above) = (at("from"), at("to"), at("above_threshold"));
        r.records()
            .map(Result::unwrap)
            .filter(|x| &x[above] == "true")
            .map(|x| format!("{}-{}", &x[f], &x[t]))
            .collect()
    };
    assert_eq!(passing(&plain), ["a-b"]);
    assert_eq!(passing(&weighed), ["a-c"]);
    let header =
        |out: &Path| std::fs::read_to_string(out.join("edges.csv")).unwrap().lines().next().unwrap().to_string();
    assert!(!header(&plain).contains("weight_combined"));
    assert!(header(&weighed).ends_with(",weight_combined"));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(weighed.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["parameters"]["kind_weights"]["url"], 0.0);
    assert_eq!(report["kinds"][1]["kind"], "url");
    assert_eq!(report["kinds"][1]["weight"], 0.0);
    // explain shows the kinds and the combined weight.
    let o = lockstep(&[
        "explain",
        "a",
        "b",
        "--kind-column",
        "kind",
        "-w",
        "10",
        "-m",
        "1",
        "--kind-weight",
        "url=0",
        input.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("  kinds: hashtag 2 (1 objects); url 2 (2 objects)\n  combined weight 2\n"), "{out}");
}

#[test]
fn kind_weight_errors_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", TWO_KINDS.as_bytes());
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["detect", input.to_str().unwrap(), "--kind-column", "kind", "-o", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        lockstep(&args)
    };
    let o = run(&["--kind-weight", "url"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(text(&o).1.contains("KIND=WEIGHT"), "{:?}", text(&o));
    for (extra, says) in [
        (&["--kind-weight", "url=2", "--compat", "coortweet"][..], "CooRTweet"),
        (&["--kind-weight", "url=-1"][..], ">= 0"),
        (&["--kind-weight", "url=1", "--kind-weight", "url=2"][..], "given twice"),
    ] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {:?}", text(&o));
        assert!(text(&o).1.contains(says), "{extra:?}: {:?}", text(&o));
    }
}

#[test]
fn edge_scores_and_the_score_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let out = dir.path().join("out");
    // a–b: 3 co-shares, 45/28 expected → score 0.66; a–c and b–c: 1 co-share each,
    // expected 3·2·5/28 = 15/14 → −log10(1 − e^(−15/14)) = 0.18 (see the explain test).
    let args = [
        "detect",
        "-w",
        "10",
        "-m",
        "1",
        "-q",
        "--no-domains",
        "--threshold",
        "score",
        "--min-edge-score",
        "0.5",
        "--null-model",
        "shuffle",
    ];
    // a–b is a lone edge: under the default --solo-edge-score (15) it needs a triangle.
    let o = lockstep(&[&args[..], &[input.to_str().unwrap(), "-o", out.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{:?}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["parameters"]["solo_edge_score"], 15.0);
    assert_eq!(report["significance"]["unsupported_edges"], 1);
    assert_eq!(report["counts"]["edges_above_threshold"], 0);
    let args = [&args[..], &["--solo-edge-score", "0"]].concat();
    let o = lockstep(&[&args[..], &[input.to_str().unwrap(), "-o", out.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{:?}", text(&o));
    let mut r = csv::Reader::from_path(out.join("edges.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    assert_eq!(h.iter().rev().take(2).collect::<Vec<_>>(), ["score", "expected"]);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let cell = |row: &csv::StringRecord, name: &str| row[col(name)].to_string();
    let summary: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|row| {
            (cell(row, "from"), cell(row, "to"), cell(row, "above_threshold"), cell(row, "score")[..4].to_string())
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("a".into(), "b".into(), "true".into(), "0.66".into()),
            ("a".into(), "c".into(), "false".into(), "0.18".into()),
            ("b".into(), "c".into(), "false".into(), "0.18".into()),
        ]
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["parameters"]["threshold"], "score");
    assert_eq!(report["parameters"]["min_edge_score"], 0.5);
    assert_eq!(report["significance"]["model"], "shuffled-accounts");
    assert_eq!(report["significance"]["window_pairs"], 5);
    assert_eq!(report["significance"]["edges_at_min_score"], 1);
    assert_eq!(report["significance"]["unsupported_edges"], 0);
    assert_eq!(report["counts"]["edges_above_threshold"], 1);
    // A negative minimum is refused with the flag's name.
    let o = lockstep(&["detect", "--min-edge-score=-1", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("min-edge-score"), "{:?}", text(&o));
}

#[test]
fn implausible_times_are_skipped_and_the_range_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = GOOD.as_bytes().to_vec();
    // A missing time written as 0, year 1, year 5138, 9999-12-31: never co-shares.
    bytes.extend_from_slice(
        b"d,o1,p9,0\ne,o1,p10,0\nd,o2,p11,0001-01-01 00:00:00\nf,o3,p12,99999999999\ng,o3,p13,9999-12-31 23:59:59\n",
    );
    let input = write(dir.path(), "times.csv", &bytes);
    let out = dir.path().join("out");
    let o = lockstep(&["detect", input.to_str().unwrap(), "-w", "10", "-o", out.to_str().unwrap()]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("skipped 5 × implausible_time"), "{stdout}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["diagnostics"]["by_reason"]["implausible_time"]["count"], 5);
    assert_eq!(report["inputs"][0]["shares"], 8);
    // A narrower range of one's own skips more; a range the wrong way round is refused.
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--min-time",
        "2024-01-01 00:01:45",
        "--max-time",
        "1704067500",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("skipped 10 × implausible_time"), "{stdout}");
    let o = lockstep(&["detect", input.to_str().unwrap(), "--min-time", "2030-01-01", "--max-time", "2020-01-01"]);
    assert!(text(&o).1.contains("--min-time is after --max-time"), "{:?}", text(&o));
}

#[test]
fn flags_that_cannot_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", TWO_KINDS.as_bytes());
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["detect", input.to_str().unwrap(), "-q", "-o", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        lockstep(&args)
    };
    // A misspelt kind would weigh a phantom kind.
    let o = run(&["--kind-weight", "hashtagz=0.5"]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    assert!(text(&o).1.contains("\"hashtagz\" is not a kind of the input (its kinds: url, hashtag)"), "{:?}", text(&o));
    // A known kind with no share here is fine (it weighs nothing).
    assert!(run(&["--kind-weight", "media=2"]).status.success());
    // --objects does nothing to a generic file.
    let o = run(&["--objects", "hashtag"]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    assert!(text(&o).1.contains("--objects applies to platform exports"), "{:?}", text(&o));
    // Column flags do nothing to a platform export.
    let Some(x) = shared("data/x-api-v2-samples/flat.jsonl") else { return };
    let o = lockstep(&["detect", x.to_str().unwrap(), "--account", "user", "-q", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    assert!(text(&o).1.contains("--account name columns of a generic file"), "{:?}", text(&o));
}

#[test]
fn a_column_read_twice_over_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "dup.csv",
        b"account_id,object_id,timestamp_share,object_id\na,x,1704067200,y\nb,x,1704067201,y\n",
    );
    let o = lockstep(&["detect", input.to_str().unwrap(), "-q", "-o", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    assert!(text(&o).1.contains("column `object_id` (object) appears 2 times in the header"), "{:?}", text(&o));
    // A repeated column the run does not read is no matter.
    let input = write(dir.path(), "dup2.csv", b"account_id,object_id,timestamp_share,x,x\na,o,1704067200,1,2\n");
    let o = lockstep(&["detect", input.to_str().unwrap(), "-q", "-o", dir.path().join("o").to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn the_generators_kind_column_is_read_without_being_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    let o = lockstep(&["generate", "-n", "20000", "--seed", "5", "-o", input.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let report = |out: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
    };
    let (plain, named) = (dir.path().join("plain"), dir.path().join("named"));
    let o = lockstep(&["detect", input.to_str().unwrap(), "-q", "-o", plain.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o =
        lockstep(&["detect", input.to_str().unwrap(), "--kind-column", "kind", "-q", "-o", named.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let kinds = report(&plain)["inputs"][0]["shares_by_kind"].clone();
    assert!(kinds.as_object().unwrap().len() >= 2 && kinds.get("object").is_none(), "{kinds}");
    assert_eq!(std::fs::read(plain.join("edges.csv")).unwrap(), std::fs::read(named.join("edges.csv")).unwrap());
    // --kind overrides it: every object is of that kind.
    let o = lockstep(&["detect", input.to_str().unwrap(), "--kind", "url", "-q", "-o", plain.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let kinds = report(&plain)["inputs"][0]["shares_by_kind"].clone();
    assert_eq!(kinds.as_object().unwrap().keys().collect::<Vec<_>>(), ["url"], "{kinds}");
}

#[test]
fn untrusted_text_is_escaped_and_bounded_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // A name that would set the window title, an object that would clear the screen.
    let (evil_a, evil_o) = ("a\x1b]0;owned\x07", "https://e.com/\x1b[2J\x1b[H");
    let mut csv = String::from("account_id,object_id,content_id,timestamp_share\n");
    for (i, t) in [0, 100, 200].iter().enumerate() {
        for (j, acc) in [evil_a, "b"].iter().enumerate() {
            csv.push_str(&format!("\"{acc}\",\"{evil_o}{i}\",p{i}{j},{}\n", 1_704_067_200 + t + j as i64));
        }
    }
    csv.push_str(&format!("c,\"{evil_o}0\",p98,1704067202\n"));
    csv.push_str("c,x,p99,notatime\x1b[31m\n");
    let input = write(dir.path(), "evil.csv", csv.as_bytes());
    let out = dir.path().join("out");
    // The quantile rule, so that these few rows make a group whose top objects are printed.
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "-w",
        "10",
        "-m",
        "1",
        "--threshold",
        "quantile",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!stdout.contains('\x1b') && !stdout.contains('\x07'), "{stdout:?}");
    assert!(stdout.contains("top: https://e.com/\\u{1b}[2J"), "{stdout}");
    assert!(stdout.contains("notatime\\u{1b}[31m"), "{stdout}");
    let o = lockstep(&["explain", evil_a, "b", "-w", "10", "-m", "1", input.to_str().unwrap()]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!stdout.contains('\x1b') && stdout.contains("edge a\\u{1b}]0;owned\\u{7} -- b"), "{stdout:?}");
    let o = lockstep(&["domains", "--dataset", input.to_str().unwrap()]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!stdout.contains('\x1b') && !err.contains('\x1b'), "{stdout:?} {err:?}");
    // A 10 MB header line is not echoed whole in the error.
    let mut big = "h\x1b".repeat(5_000_000);
    big.push_str("\n1\n");
    let input = write(dir.path(), "big.csv", big.as_bytes());
    let o = lockstep(&["detect", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("required column `account_id`") && err.contains("more characters"), "{}", &err[..500]);
    assert!(err.len() < 5_000 && !err.contains('\x1b'), "{} bytes", err.len());
}

#[test]
fn duplicates_are_counted_and_dropped_unless_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", GOOD.as_bytes());
    let report = |out: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
    };
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec!["detect", input.to_str().unwrap(), "-w", "10", "-m", "1", "-o", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = lockstep(&args);
        assert!(o.status.success(), "{:?}", text(&o));
        (text(&o).0, report(&out))
    };
    let (_, once) = run("once", &[]);
    // The same file given twice: every share is an identical duplicate, dropped.
    let (stdout, twice) = run("twice", &[input.to_str().unwrap()]);
    assert_eq!(twice["counts"]["coshares"], once["counts"]["coshares"], "{stdout}");
    let d = &twice["diagnostics"]["duplicates"];
    assert_eq!(
        (d["identical"].as_u64(), d["repeated_post_ids"].as_u64(), d["dropped"].as_bool()),
        (Some(8), Some(0), Some(true))
    );
    assert_eq!(d["examples"][0]["class"], "identical");
    assert!(stdout.contains("dropped 8 duplicate shares: 8 identical records"), "{stdout}");
    assert_eq!(twice["inputs"][1]["shares"], 0);
    // Kept on request, and in CooRTweet mode: then they count as CooRTweet counts them.
    let (_, kept) = run("kept", &[input.to_str().unwrap(), "--keep-duplicates"]);
    assert_eq!(kept["diagnostics"]["duplicates"]["dropped"], false);
    assert!(kept["counts"]["coshares"].as_u64() > once["counts"]["coshares"].as_u64());
    let (_, compat) = run("compat", &[input.to_str().unwrap(), "--compat", "coortweet"]);
    assert_eq!(compat["counts"]["coshares"], kept["counts"]["coshares"]);
    // A post repeated under a new id (same account, object, time): reported, kept unless asked.
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.extend_from_slice(b"a,o1,p1-copy,1704067300\n");
    let input2 = write(dir.path(), "copy.csv", &bytes);
    let out = dir.path().join("copy");
    let o = lockstep(&["detect", input2.to_str().unwrap(), "-w", "10", "-m", "1", "-o", out.to_str().unwrap()]);
    assert!(text(&o).0.contains("kept 1 likely duplicates"), "{:?}", text(&o));
    let d = report(&out)["diagnostics"]["duplicates"].clone();
    assert_eq!((d["likely_duplicates"].as_u64(), d["likely_dropped"].as_bool()), (Some(1), Some(false)));
    assert_eq!(
        (d["examples"][0]["post"].as_str(), d["examples"][0]["first_post"].as_str()),
        (Some("p1-copy"), Some("p1"))
    );
    let o = lockstep(&[
        "detect",
        input2.to_str().unwrap(),
        "-w",
        "10",
        "-m",
        "1",
        "--drop-likely-duplicates",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(report(&out)["counts"]["coshares"], once["counts"]["coshares"]);
}
