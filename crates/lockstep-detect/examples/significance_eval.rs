//! Edge score against raw weight on generated scenarios (docs/evaluation.md,
//! "Significance: score vs raw weight on generated scenarios").
//!
//! ```sh
//! cargo run --release -p lockstep-detect --example significance_eval -- --posts 1000000 --seed 42
//! ```
//!
//! Generates the scenario of `lockstep generate -n POSTS --seed SEED` in memory,
//! detects with `--window W -m M` (defaults 60 and 2), then ranks the edges of the
//! full network three ways: by raw `weight`, by the `score` of the null model
//! (significance.rs), and by the score of the alternative expectation that
//! conditions on the objects both accounts shared (`Σ_o k k p_o`). For every
//! threshold of each ranking it computes precision and recall of **accounts**
//! (endpoints of the edges kept, against the planted truth) and of **edges** (an
//! edge is planted when both accounts are in the same planted network), and
//! prints, per target recall, the precision of the highest threshold that reaches
//! it. Also prints the default pipeline's thresholded network with each rule and
//! the time of the significance stage beside the whole detection (same run).

use lockstep_core::AccountId;
use lockstep_detect::significance::{exposures, pair_expected_given_objects, poisson_upper_score, AccountObjects};
use lockstep_detect::{coshare, detect, Detection, Params, ThresholdRule};
use lockstep_synth::{generate_dataset, ScenarioConfig};
use std::collections::HashMap;
use std::time::Instant;

const RECALLS: [f64; 6] = [0.5, 0.8, 0.9, 0.95, 0.99, 1.0];

fn main() {
    let mut posts = 100_000usize;
    let mut seed = 42u64;
    let mut window = 60i64;
    let mut m = 2u32;
    let mut min_score = Params::default().min_edge_score;
    let mut viral_per_100k: Option<usize> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{a} needs a value")).clone();
        match a.as_str() {
            "--posts" | "-n" => posts = val().parse().expect("--posts: a number"),
            "--seed" => seed = val().parse().expect("--seed: a number"),
            "--window" | "-w" => window = val().parse().expect("--window: seconds"),
            "--min-participation" | "-m" => m = val().parse().expect("-m: a number"),
            "--min-edge-score" => min_score = val().parse().expect("--min-edge-score: a number"),
            "--viral-per-100k" => viral_per_100k = Some(val().parse().expect("--viral-per-100k: a number")),
            other => {
                panic!("unknown argument {other} (--posts, --seed, --window, -m, --min-edge-score, --viral-per-100k)")
            }
        }
    }
    let t = Instant::now();
    let mut cfg = ScenarioConfig::new(posts, seed);
    if let Some(v) = viral_per_100k {
        cfg.viral_events = (posts * v / 100_000).max(1);
    }
    let (ds, scenario) = generate_dataset(&cfg);
    eprintln!("generated {posts} posts (seed {seed}) in {:.1} s", t.elapsed().as_secs_f64());
    let group_names: Vec<&str> = {
        let mut g: Vec<&str> = scenario.truth.iter().map(|r| r.group.as_str()).collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    let gid: HashMap<&str, u32> = group_names.iter().enumerate().map(|(i, g)| (*g, i as u32 + 1)).collect();
    // Planted network of every account id (0 = background).
    let mut group = vec![0u32; ds.accounts.len()];
    for r in &scenario.truth {
        if let Some(a) = ds.accounts.lookup(&r.account) {
            group[a as usize] = gid[r.group.as_str()];
        }
    }
    let planted_total = scenario.truth.len();

    let params = Params {
        window: lockstep_detect::Window::Seconds(u32::try_from(window).expect("--window: seconds")),
        min_participation: m,
        min_edge_score: min_score,
        ..Params::default()
    };
    let t = Instant::now();
    let found = detect(&ds, &params).expect("valid parameters");
    let detect_secs = t.elapsed().as_secs_f64();
    let sig_secs: f64 = found.stage_seconds.iter().filter(|s| s.0 == "significance").map(|s| s.1).sum();

    // The alternative expectation, given the objects both accounts shared.
    let t = Instant::now();
    let groups = coshare::group_shares(&ds, &params);
    let index = AccountObjects::build(&ds, &groups, &found.mass_objects, i64::from(found.window));
    let cond_score: Vec<f64> = found
        .edges
        .iter()
        .map(|e| poisson_upper_score(u64::from(e.full.weight), pair_expected_given_objects(&index, e.a, e.b)))
        .collect();
    let cond_secs = t.elapsed().as_secs_f64();
    drop(index);
    let (x, _) = exposures(&ds, &groups, &found.mass_objects, i64::from(found.window));
    let total_x: f64 = x.iter().sum();
    let exposure_score: Vec<f64> = found
        .edges
        .iter()
        .map(|e| poisson_upper_score(u64::from(e.full.weight), x[e.a as usize] * x[e.b as usize] / total_x))
        .collect();

    let is_planted_edge =
        |e: &lockstep_detect::Edge| group[e.a as usize] != 0 && group[e.a as usize] == group[e.b as usize];
    let planted_edges = found.edges.iter().filter(|e| is_planted_edge(e)).count();
    let in_network = {
        let mut seen = vec![false; ds.accounts.len()];
        for e in &found.edges {
            seen[e.a as usize] = true;
            seen[e.b as usize] = true;
        }
        (0..ds.accounts.len()).filter(|&a| seen[a] && group[a] != 0).count()
    };
    println!("## {posts} posts, seed {seed}, {} viral bursts, window {window} s, M = {m}\n", cfg.viral_events);
    println!(
        "{} shares, {} accounts ({} planted in {} networks); network: {} edges ({} planted, both ends in one planted network), {} planted accounts in it\n",
        ds.shares.len(),
        ds.accounts.len(),
        planted_total,
        group_names.len(),
        found.edges.len(),
        planted_edges,
        in_network
    );
    let weight: Vec<f64> = found.edges.iter().map(|e| f64::from(e.full.weight)).collect();
    let rankings: [(&str, &[f64]); 4] = [
        ("weight", &weight),
        ("score (shuffled accounts)", &found.significance.score),
        ("alt.: given shared objects", &cond_score),
        ("alt.: exposure configuration", &exposure_score),
    ];
    println!("### Accounts: precision at matched recall (threshold in brackets)\n");
    table(&found, &rankings, &group, planted_total, Level::Accounts);
    println!("\n### Edges: precision at matched recall (threshold in brackets)\n");
    table(&found, &rankings, &group, planted_edges, Level::Edges);

    // The claim of the brief: edges of weight ≥ 20.
    let heavy: Vec<usize> = (0..found.edges.len()).filter(|&e| found.edges[e].full.weight >= 20).collect();
    let heavy_planted = heavy.iter().filter(|&&e| is_planted_edge(&found.edges[e])).count();
    println!(
        "\nEdges of weight ≥ 20: {} of which {} planted ({:.1} %).",
        heavy.len(),
        heavy_planted,
        100.0 * heavy_planted as f64 / heavy.len().max(1) as f64
    );

    // The thresholded network with each rule (the pipeline's own output).
    println!("\n### Thresholded network by rule (accounts)\n");
    println!("| rule | edges | accounts | planted | precision | recall |\n| --- | --- | --- | --- | --- | --- |");
    for rule in [ThresholdRule::Quantile, ThresholdRule::Score, ThresholdRule::Both] {
        let f = if rule == ThresholdRule::Quantile {
            found.clone()
        } else {
            detect(&ds, &Params { threshold: rule, ..params.clone() }).expect("valid")
        };
        let mut flagged = vec![false; ds.accounts.len()];
        for e in f.edges.iter().filter(|e| e.full.above_threshold) {
            flagged[e.a as usize] = true;
            flagged[e.b as usize] = true;
        }
        let n = flagged.iter().filter(|&&x| x).count();
        let tp = (0..flagged.len()).filter(|&a| flagged[a] && group[a] != 0).count();
        let label = match rule {
            ThresholdRule::Quantile => format!("quantile (weight > {})", f.threshold),
            ThresholdRule::Score => format!("score ≥ {min_score}"),
            ThresholdRule::Both => format!("both (weight > {}, score ≥ {min_score})", f.threshold),
        };
        println!(
            "| {label} | {} | {n} | {tp} | {:.3} | {:.3} |",
            f.counts.edges_above_threshold,
            tp as f64 / n.max(1) as f64,
            tp as f64 / planted_total as f64
        );
    }
    println!(
        "\nDetection (detect(), same run) {detect_secs:.3} s, of which significance {sig_secs:.3} s ({:.1} %); \
         the alternative expectation given shared objects took {cond_secs:.3} s more.",
        100.0 * sig_secs / detect_secs
    );
    for (stage, s) in &found.stage_seconds {
        eprintln!("  {stage}: {s:.3} s");
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Accounts,
    Edges,
}

/// Per target recall, the precision of the highest threshold reaching it, for each ranking.
fn table(found: &Detection, rankings: &[(&str, &[f64])], group: &[u32], positives: usize, level: Level) {
    let mut header = String::from("| recall ≥ |");
    let mut rule = String::from("| --- |");
    for (name, _) in rankings {
        header += &format!(" {name} |");
        rule += " --- |";
    }
    println!("{header}\n{rule}");
    let curves: Vec<Vec<(f64, usize, usize)>> = rankings.iter().map(|(_, v)| curve(found, v, group, level)).collect();
    for r in RECALLS {
        let mut line = format!("| {r} |");
        for c in &curves {
            // Points are in decreasing threshold: the first reaching the recall.
            match c.iter().find(|p| p.2 as f64 >= r * positives as f64 - 1e-9) {
                Some(&(t, n, tp)) => line += &format!(" {:.3} ({}) |", tp as f64 / n as f64, fmt_t(t)),
                None => line += " not reached |",
            }
        }
        println!("{line}");
    }
}

fn fmt_t(t: f64) -> String {
    if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        format!("{t:.2}")
    }
}

/// (threshold, flagged, true positives) at every distinct value, decreasing:
/// everything with a value ≥ threshold is kept.
fn curve(found: &Detection, value: &[f64], group: &[u32], level: Level) -> Vec<(f64, usize, usize)> {
    let mut order: Vec<usize> = (0..value.len()).collect();
    order.sort_by(|&x, &y| value[y].total_cmp(&value[x]).then(x.cmp(&y)));
    let mut flagged = vec![false; group.len()];
    let (mut n, mut tp) = (0usize, 0usize);
    let mut out = Vec::new();
    let mut flag = |a: AccountId, n: &mut usize, tp: &mut usize| {
        if !flagged[a as usize] {
            flagged[a as usize] = true;
            *n += 1;
            *tp += usize::from(group[a as usize] != 0);
        }
    };
    for (k, &e) in order.iter().enumerate() {
        let edge = &found.edges[e];
        match level {
            Level::Accounts => {
                flag(edge.a, &mut n, &mut tp);
                flag(edge.b, &mut n, &mut tp);
            }
            Level::Edges => {
                n += 1;
                tp += usize::from(group[edge.a as usize] != 0 && group[edge.a as usize] == group[edge.b as usize]);
            }
        }
        if k + 1 == order.len() || value[order[k + 1]] != value[e] {
            out.push((value[e], n, tp));
        }
    }
    out
}
