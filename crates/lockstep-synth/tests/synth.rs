//! Properties of generated scenarios: determinism, exact size, order, truth
//! coverage, planted signal, CSV layout, and evaluation arithmetic.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_synth::{
    evaluate, generate, generate_dataset, write_csv, ScenarioConfig, TruthRow, POSTS_HEADER, TRUTH_HEADER,
};

fn csv_bytes(cfg: &ScenarioConfig) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let (posts, truth) = (dir.path().join("posts.csv"), dir.path().join("truth.csv"));
    write_csv(cfg, &posts, &truth).unwrap();
    (std::fs::read(posts).unwrap(), std::fs::read(truth).unwrap())
}

#[test]
fn same_seed_same_bytes() {
    let cfg = ScenarioConfig::new(30_000, 11);
    assert_eq!(csv_bytes(&cfg), csv_bytes(&cfg));
}

#[test]
fn different_seeds_differ() {
    let a = csv_bytes(&ScenarioConfig::new(30_000, 1));
    let b = csv_bytes(&ScenarioConfig::new(30_000, 2));
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
}

#[test]
fn csv_layout() {
    let cfg = ScenarioConfig::new(5_000, 3);
    let (posts, truth) = csv_bytes(&cfg);
    let posts = String::from_utf8(posts).unwrap();
    let truth = String::from_utf8(truth).unwrap();
    let mut lines = posts.lines();
    assert_eq!(lines.next(), Some(POSTS_HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5_000);
    for r in &rows {
        assert_eq!(r.len(), 5);
        assert!(r[0].starts_with("acct_") && r[0].len() == 17, "{r:?}");
        assert!(["url", "hashtag", "repost"].contains(&r[2]));
        r[4].parse::<i64>().unwrap();
    }
    let ids: BTreeSet<&str> = rows.iter().map(|r| r[3]).collect();
    assert_eq!(ids.len(), rows.len(), "post ids are unique");
    let mut lines = truth.lines();
    assert_eq!(lines.next(), Some(TRUTH_HEADER));
    assert!(lines.all(|l| l.split(',').count() == 3));
}

#[test]
fn exact_count_time_order_and_period() {
    for posts in [0, 1, 137, 2_000, 50_000] {
        let cfg = ScenarioConfig::new(posts, 5);
        let mut times = Vec::new();
        generate(&cfg, |p| times.push(p.time));
        assert_eq!(times.len(), posts);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(times.iter().all(|&t| t >= cfg.start && t < cfg.end()));
    }
}

#[test]
fn truth_accounts_all_post_and_reposts_point_back() {
    let cfg = ScenarioConfig::new(50_000, 9);
    let (ds, scenario) = generate_dataset(&cfg);
    assert!(!scenario.truth.is_empty());
    for row in &scenario.truth {
        assert!(ds.accounts.iter().any(|(_, a)| a == row.account), "{} never posts", row.account);
    }
    let styles: BTreeSet<&str> = scenario.groups.iter().map(|g| g.style.as_str()).collect();
    assert_eq!(styles.len(), 3);
    let total: usize = scenario.groups.iter().map(|g| g.accounts).sum();
    assert_eq!(total, scenario.truth.len());
    // A repost refers to an earlier post id.
    let reposts = ds.shares.iter().filter(|s| ds.kind_of(s.object) == "repost");
    let mut n = 0;
    for s in reposts {
        let target = ds.objects.get(s.object);
        assert!(target < ds.posts.get(s.post), "{target} reposted by {}", ds.posts.get(s.post));
        n += 1;
    }
    assert!(n > 1000);
}

/// Counts, per pair of accounts in `members`, the objects both shared within `window` s.
fn pair_coshares(ds: &lockstep_core::Dataset, members: &BTreeSet<u32>, window: i64) -> BTreeMap<(u32, u32), usize> {
    let mut by_object: BTreeMap<u32, Vec<(u32, i64)>> = BTreeMap::new();
    for s in ds.shares.iter().filter(|s| members.contains(&s.account)) {
        by_object.entry(s.object).or_default().push((s.account, s.time));
    }
    let mut pairs = BTreeMap::new();
    for shares in by_object.values() {
        let mut seen = BTreeSet::new();
        for (i, &(a, ta)) in shares.iter().enumerate() {
            for &(b, tb) in &shares[i + 1..] {
                if a != b && (ta - tb).abs() <= window {
                    seen.insert((a.min(b), a.max(b)));
                }
            }
        }
        for p in seen {
            *pairs.entry(p).or_insert(0) += 1;
        }
    }
    pairs
}

#[test]
fn tight_networks_coshare_many_links_within_20s() {
    let cfg = ScenarioConfig::new(50_000, 21);
    let (ds, scenario) = generate_dataset(&cfg);
    let id_of: BTreeMap<&str, u32> = ds.accounts.iter().map(|(i, a)| (a, i)).collect();
    for g in scenario.groups.iter().filter(|g| g.style == "tight_links") {
        let members: BTreeSet<u32> =
            scenario.truth.iter().filter(|r| r.group == g.name).map(|r| id_of[r.account.as_str()]).collect();
        assert_eq!(members.len(), g.accounts);
        let pairs = pair_coshares(&ds, &members, 20);
        let n = members.len();
        assert_eq!(pairs.len(), n * (n - 1) / 2, "{}: every pair co-shares", g.name);
        assert!(pairs.values().all(|&c| c >= 10 && c >= g.events), "{}: {:?}", g.name, pairs.values().min());
    }
}

#[test]
fn defaults_scale_with_posts() {
    let cfg = ScenarioConfig::new(1_000_000, 1);
    assert_eq!(cfg.background_accounts, 20_000);
    assert_eq!((cfg.tight_links_groups, cfg.loose_hashtags_groups, cfg.lookalike_domains_groups), (6, 6, 4));
    let big = ScenarioConfig::new(10_000_000, 1);
    assert!(big.tight_links_groups > 6 * 5);
}

fn row(account: &str) -> TruthRow {
    TruthRow { account: account.into(), group: "g".into(), style: "tight_links".into() }
}

#[test]
fn evaluate_hand_example() {
    let truth = [row("a"), row("b"), row("c"), row("d")];
    let e = evaluate(&["a", "b", "x", "a"], &truth);
    assert_eq!((e.true_positives, e.false_positives, e.false_negatives), (2, 1, 2));
    assert!((e.precision - 2.0 / 3.0).abs() < 1e-12);
    assert!((e.recall - 0.5).abs() < 1e-12);
    assert!((e.f1 - 4.0 / 7.0).abs() < 1e-12);

    let empty = evaluate(&[], &truth);
    assert_eq!((empty.true_positives, empty.false_positives, empty.false_negatives), (0, 0, 4));
    assert_eq!((empty.precision, empty.recall, empty.f1), (0.0, 0.0, 0.0));

    let perfect = evaluate(&["d", "c", "b", "a"], &truth);
    assert_eq!((perfect.precision, perfect.recall, perfect.f1), (1.0, 1.0, 1.0));
}
