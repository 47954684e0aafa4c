//! Conformance with CooRTweet 2.1.3 on its bundled `russian_coord_tweets` data,
//! for both parameter sets in `../shared/conformance/coortweet/expected`.
//!
//! Compared: co-share rows as sets; edges as unordered account pairs with every
//! attribute (full and fast); components as partitions with degrees (full and
//! thresholded network); account statistics; object (group) statistics.
//!
//! The shared data lives outside the repository. When it is absent the tests say
//! so and pass, except under `CI=true`, where absence is a failure.

use lockstep_core::Dataset;
use lockstep_detect::{detect, Detection, Mode, Params};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/coortweet");
    if dir.join("russian_coord_tweets.csv").exists() {
        return Some(dir);
    }
    let msg = format!("conformance data not found at {} (../shared beside the repository)", dir.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}: required in CI");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

fn load(dir: &Path) -> Dataset {
    let mut ds = Dataset::default();
    for row in read_csv(&dir.join("russian_coord_tweets.csv")) {
        ds.push(
            &row["account_id"],
            &row["object_id"],
            "repost",
            &row["content_id"],
            row["timestamp_share"].parse().unwrap(),
        );
    }
    ds
}

fn num(s: &str) -> Option<f64> {
    if s.is_empty() || s == "NA" {
        None
    } else {
        Some(s.parse().unwrap())
    }
}

fn fmt_num(v: Option<f64>) -> String {
    match v {
        // R prints 15 significant digits; compare at that precision.
        Some(x) => format!("{:.14e}", x),
        None => "NA".into(),
    }
}

fn unordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

fn run(dir: &Path, window: u32, m: u32) -> (Dataset, Detection) {
    let ds = load(dir);
    let params = Params {
        window: lockstep_detect::Window::Seconds(window),
        fast_window: Some(10),
        min_participation: m,
        edge_quantile: 0.5,
        mode: Mode::CoorTweet,
        ..Params::default()
    };
    let found = detect(&ds, &params).unwrap();
    (ds, found)
}

fn check(set: &str, window: u32, m: u32) {
    let Some(dir) = shared_dir() else { return };
    let exp = dir.join("expected").join(set);
    let (ds, found) = run(&dir, window, m);
    let acc = |a| ds.accounts.get(a).to_string();
    let post = |i: u32| ds.posts.get(ds.shares[i as usize].post).to_string();
    let time = |i: u32| ds.shares[i as usize].time;

    // 1. Co-share rows as sets, with the fast flag.
    let ours: BTreeSet<Vec<String>> = found
        .coshares
        .iter()
        .zip(&found.fast)
        .map(|(c, &f)| {
            vec![
                ds.objects.get(c.object).to_string(),
                post(c.early),
                post(c.late),
                (time(c.late) - time(c.early)).to_string(),
                acc(ds.shares[c.early as usize].account),
                acc(ds.shares[c.late as usize].account),
                (f as u8).to_string(),
            ]
        })
        .collect();
    let theirs: BTreeSet<Vec<String>> = read_csv(&exp.join("detect_groups_result_flag_speed_share10.csv"))
        .into_iter()
        .map(|r| {
            ["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y", "time_window_10"]
                .iter()
                .map(|k| r[*k].clone())
                .collect()
        })
        .collect();
    assert_eq!(found.coshares.len(), theirs.len(), "{set}: co-share count");
    assert_eq!(ours, theirs, "{set}: co-share rows");
    let plain = read_csv(&exp.join("detect_groups_result.csv"));
    assert_eq!(plain.len(), found.coshares.len(), "{set}: detect_groups_result rows");

    // 2. Edges with every attribute, full and fast.
    let edge_map = |e: &lockstep_detect::Edge| {
        let f = &e.full;
        let mut v = vec![
            f.weight.to_string(),
            fmt_num(Some(f.avg_time_delta())),
            f.n_content_id.to_string(),
            f.n_content_id_y.to_string(),
            fmt_num(Some(f.edge_symmetry_score())),
            (f.above_threshold as u8).to_string(),
        ];
        match e.fast() {
            Some(g) => v.extend([
                g.weight.to_string(),
                fmt_num(Some(g.avg_time_delta())),
                g.n_content_id.to_string(),
                g.n_content_id_y.to_string(),
                fmt_num(Some(g.edge_symmetry_score())),
                (g.above_threshold as u8).to_string(),
            ]),
            None => v.extend(["NA"; 6].map(String::from)),
        }
        v
    };
    let ours: BTreeMap<(String, String), Vec<String>> =
        found.edges.iter().map(|e| (unordered(&acc(e.a), &acc(e.b)), edge_map(e))).collect();
    let int_or_na = |s: &str| if s.is_empty() { "NA".to_string() } else { s.to_string() };
    let theirs: BTreeMap<(String, String), Vec<String>> = read_csv(&exp.join("network_fastnet10_edges.csv"))
        .into_iter()
        .map(|r| {
            let v = vec![
                r["weight_full"].clone(),
                fmt_num(num(&r["avg_time_delta_full"])),
                r["n_content_id_full"].clone(),
                r["n_content_id_y_full"].clone(),
                fmt_num(num(&r["edge_symmetry_score_full"])),
                r["weight_threshold_full"].clone(),
                int_or_na(&r["weight_fast"]),
                fmt_num(num(&r["avg_time_delta_fast"])),
                int_or_na(&r["n_content_id_fast"]),
                int_or_na(&r["n_content_id_y_fast"]),
                fmt_num(num(&r["edge_symmetry_score_fast"])),
                int_or_na(&r["weight_threshold_fast"]),
            ];
            (unordered(&r["from"], &r["to"]), v)
        })
        .collect();
    assert_eq!(ours.len(), theirs.len(), "{set}: edge count");
    for (k, v) in &theirs {
        assert_eq!(ours.get(k), Some(v), "{set}: edge {k:?}");
    }
    // The plain network file: same edges, same attributes, and the object lists.
    for r in read_csv(&exp.join("network_full_edges_with_objects.csv")) {
        let k = unordered(&r["from"], &r["to"]);
        let e = found.edges.iter().find(|e| unordered(&acc(e.a), &acc(e.b)) == k).expect("edge");
        assert_eq!(e.full.weight.to_string(), r["weight"], "{set}: {k:?}");
        assert_eq!(e.n_objects as usize, r["object_ids"].split(',').count(), "{set}: {k:?} objects");
        assert_eq!((e.full.above_threshold as u8).to_string(), r["weight_threshold"]);
    }

    // 3. Components as partitions, with degrees.
    let partition = |rows: Vec<(String, Option<u32>, u32)>| {
        let mut by_comp: BTreeMap<u32, BTreeSet<(String, u32)>> = BTreeMap::new();
        for (a, c, d) in rows {
            if let Some(c) = c {
                by_comp.entry(c).or_default().insert((a, d));
            }
        }
        by_comp.into_values().collect::<BTreeSet<_>>()
    };
    let expected_partition = |file: &str| {
        partition(
            read_csv(&exp.join(file))
                .into_iter()
                .map(|r| (r["account_id"].clone(), Some(r["component"].parse().unwrap()), r["degree"].parse().unwrap()))
                .collect(),
        )
    };
    let full_ours =
        partition(found.accounts.iter().map(|a| (acc(a.account), a.component_full, a.degree_full)).collect());
    assert_eq!(full_ours, expected_partition("network_full_vertices_components.csv"), "{set}: full components");
    let thr_ours = partition(found.accounts.iter().map(|a| (acc(a.account), a.component, a.degree)).collect());
    assert_eq!(thr_ours, expected_partition("network_subgraph1_vertices_components.csv"), "{set}: components");
    let sub_edges: BTreeSet<(String, String)> = read_csv(&exp.join("network_subgraph1_edges.csv"))
        .into_iter()
        .map(|r| unordered(&r["from"], &r["to"]))
        .collect();
    let our_sub: BTreeSet<(String, String)> =
        found.edges.iter().filter(|e| e.full.above_threshold).map(|e| unordered(&acc(e.a), &acc(e.b))).collect();
    assert_eq!(our_sub, sub_edges, "{set}: thresholded edges");

    // 4. Account statistics (accounts of the thresholded network).
    let ours: BTreeMap<String, Vec<String>> = found
        .accounts
        .iter()
        .filter(|a| a.component.is_some())
        .map(|a| {
            (
                acc(a.account),
                vec![fmt_num(a.avg_time_delta), fmt_num(a.avg_edge_symmetry_score), a.coshared_posts.to_string()],
            )
        })
        .collect();
    let theirs: BTreeMap<String, Vec<String>> = read_csv(&exp.join("account_stats_full.csv"))
        .into_iter()
        .map(|r| {
            (
                r["account_id"].clone(),
                vec![
                    fmt_num(num(&r["avg_time_delta"])),
                    fmt_num(num(&r["avg_edge_symmetry_score"])),
                    r["unique_shares_count"].clone(),
                ],
            )
        })
        .collect();
    assert_eq!(ours, theirs, "{set}: account stats");

    // 5. Object (group) statistics.
    let ours: BTreeMap<String, u32> = found
        .objects
        .iter()
        .filter(|o| o.coordinated_accounts > 0)
        .map(|o| (ds.objects.get(o.object).to_string(), o.coordinated_accounts))
        .collect();
    let theirs: BTreeMap<String, u32> = read_csv(&exp.join("group_stats_full.csv"))
        .into_iter()
        .map(|r| (r["object_id"].clone(), r["num_accounts"].parse().unwrap()))
        .collect();
    assert_eq!(ours, theirs, "{set}: group stats");
}

#[test]
fn coortweet_tw10_mp5() {
    check("tw10_mp5_ew0.5", 10, 5);
}

#[test]
fn coortweet_tw60_mp2() {
    check("tw60_mp2_ew0.5", 60, 2);
}
