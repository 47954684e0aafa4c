//! Issue 18: the pair of posts as the unit of evidence, zero kind weights,
//! the object-time and rarest-object null models against an event background, and the data's
//! time resolution. Small cases computed by hand, and one event built from a
//! seeded generator of times.

use lockstep_core::Dataset;
use lockstep_detect::{detect, AutoWindow, Detection, NullModel, Params, ThresholdRule, Window};

fn params(window: u32, kind_weights: &[(&str, f64)]) -> Params {
    Params {
        window: Window::Seconds(window),
        min_participation: 1,
        edge_quantile: 0.5,
        kind_weights: kind_weights.iter().map(|(k, w)| (k.to_string(), *w)).collect(),
        ..Params::default()
    }
}

/// Index of the edge between two named accounts.
fn edge(ds: &Dataset, det: &Detection, x: &str, y: &str) -> usize {
    let (x, y) = (ds.accounts.lookup(x).unwrap(), ds.accounts.lookup(y).unwrap());
    det.edges.iter().position(|e| (e.a, e.b) == (x.min(y), x.max(y))).expect("edge")
}

/// Co-shares per kind name on an edge.
fn kinds(ds: &Dataset, det: &Detection, i: usize) -> Vec<(String, u32)> {
    det.edges[i].kinds().as_slice().iter().map(|k| (ds.kinds.get(k.kind).to_string(), k.weight)).collect()
}

/// - a–b: one pair of posts (pa, pb) carrying the same three hashtags and a
///   url: 4 co-shares, 1 post pair.
/// - c–d: two pairs of posts, one hashtag each: 2 co-shares, 2 post pairs.
/// - e–f: two pairs of posts, one url each: 2 co-shares, 2 post pairs.
fn bundles() -> Dataset {
    let mut ds = Dataset::default();
    for (acc, post, t) in [("a", "pa", 100), ("b", "pb", 103)] {
        for h in ["#h1", "#h2", "#h3"] {
            ds.push(acc, h, "hashtag", post, t);
        }
        ds.push(acc, "https://x.example/1", "url", post, t);
    }
    for (k, t) in [(1, 1000), (2, 2000)] {
        ds.push("c", &format!("#c{k}"), "hashtag", &format!("c{k}"), t);
        ds.push("d", &format!("#c{k}"), "hashtag", &format!("d{k}"), t + 2);
        ds.push("e", &format!("https://e.example/{k}"), "url", &format!("e{k}"), t + 500);
        ds.push("f", &format!("https://e.example/{k}"), "url", &format!("f{k}"), t + 501);
    }
    ds
}

#[test]
fn a_pair_of_posts_counts_once() {
    let ds = bundles();
    let det = detect(&ds, &Params { threshold: ThresholdRule::Quantile, ..params(10, &[]) }).unwrap();
    let ab = edge(&ds, &det, "a", "b");
    // Four co-shares, kept per kind in the edge's kinds (edge_kinds.csv) …
    assert_eq!(det.edges[ab].full.weight, 4);
    assert_eq!(kinds(&ds, &det, ab), [("hashtag".to_string(), 3), ("url".to_string(), 1)]);
    // … but one pair of posts: weight 1 for the thresholds and the score.
    assert_eq!(det.edges[ab].full.combined_weight, 1.0);
    assert_eq!(det.significance.post_pairs[ab], 1);
    for (x, y) in [("c", "d"), ("e", "f")] {
        let i = edge(&ds, &det, x, y);
        assert_eq!((det.edges[i].full.weight, det.edges[i].full.combined_weight), (2, 2.0));
        assert_eq!(det.significance.post_pairs[i], 2);
    }
    // Weights 1, 2, 2 → median 2: nothing strictly above. Counting co-shares
    // (4, 2, 2) would have put a–b alone above the threshold.
    assert_eq!(det.threshold, 2.0);
    assert!(det.edges.iter().all(|e| !e.full.above_threshold));
    // A pair of posts weighs its largest kind weight: url 3 makes a–b 3, not 3 + 3 hashtags.
    let det = detect(&ds, &Params { threshold: ThresholdRule::Quantile, ..params(10, &[("url", 3.0)]) }).unwrap();
    assert_eq!(det.edges[edge(&ds, &det, "a", "b")].full.combined_weight, 3.0);
    assert_eq!(det.edges[edge(&ds, &det, "e", "f")].full.combined_weight, 6.0);
}

#[test]
fn a_zero_kind_weight_removes_the_kind() {
    let ds = bundles();
    let det = detect(&ds, &Params { threshold: ThresholdRule::Quantile, ..params(10, &[("hashtag", 0.0)]) }).unwrap();
    let (ab, cd, ef) = (edge(&ds, &det, "a", "b"), edge(&ds, &det, "c", "d"), edge(&ds, &det, "e", "f"));
    // a–b keeps its url; c–d (hashtags only) weighs nothing and leaves the quantile:
    // median of {1, 2} = 1.5 (with c–d's 0 it would be 1).
    let combined: Vec<f64> = [ab, cd, ef].iter().map(|&i| det.edges[i].full.combined_weight).collect();
    assert_eq!(combined, [1.0, 0.0, 2.0]);
    assert_eq!(det.threshold, 1.5);
    let above: Vec<bool> = [ab, cd, ef].iter().map(|&i| det.edges[i].full.above_threshold).collect();
    assert_eq!(above, [false, false, true]);
    // The per-kind detail is still there.
    assert_eq!(kinds(&ds, &det, cd), [("hashtag".to_string(), 2)]);
    // Under the score rule too: c–d has no post pair left to score.
    let det = detect(
        &ds,
        &Params { threshold: ThresholdRule::Score, min_edge_score: 0.1, ..params(10, &[("hashtag", 0.0)]) },
    )
    .unwrap();
    let cd = edge(&ds, &det, "c", "d");
    assert_eq!(det.significance.post_pairs[cd], 0);
    assert_eq!(det.significance.score[cd], 0.0);
    assert!(!det.edges[cd].full.above_threshold);
}

/// SplitMix64: a seeded stream of numbers without a dependency.
struct Mix(u64);
impl Mix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// A two-hour televised event: 60 live-tweeters post 40 times each at random
/// minutes of it, every post carrying the event's hashtag bundle (#debate,
/// #debate2024), half of them a link to a popular live blog too. During it,
/// three accounts post 20 rare links each within seconds of one another; with
/// `hide`, their posts carry the event's bundle too (the first object-time
/// model averaged the bundle's expected co-shares in and scored them 1.3).
fn event(hide: bool) -> Dataset {
    let mut rng = Mix(18);
    let mut ds = Dataset::default();
    let mut post = 0u32;
    let mut share = |ds: &mut Dataset, acc: &str, objects: &[(&str, &str)], t: i64| {
        post += 1;
        for (o, k) in objects {
            ds.push(acc, o, k, &format!("p{post}"), t);
        }
    };
    for a in 0..60 {
        for _ in 0..40 {
            let t = rng.below(7200) as i64;
            let blog = rng.below(2) == 0;
            let mut objects = vec![("#debate", "hashtag"), ("#debate2024", "hashtag")];
            if blog {
                objects.push(("https://news.example/live", "url"));
            }
            share(&mut ds, &format!("live{a}"), &objects, t);
        }
    }
    for k in 0..20 {
        let t = 300 + 340 * k;
        let link = format!("https://rare.example/story/{k}");
        for (i, acc) in ["op1", "op2", "op3"].into_iter().enumerate() {
            let mut objects = vec![(link.as_str(), "url")];
            if hide {
                objects.extend([("#debate", "hashtag"), ("#debate2024", "hashtag")]);
            }
            share(&mut ds, acc, &objects, t + 3 * i as i64);
        }
    }
    ds
}

#[test]
fn rarest_object_expects_the_event_and_not_the_rare_links() {
    for hide in [false, true] {
        event_case(hide);
    }
}

fn event_case(hide: bool) {
    let ds = event(hide);
    let run = |null_model| {
        detect(&ds, &Params { threshold: ThresholdRule::Score, min_edge_score: 10.0, null_model, ..params(60, &[]) })
            .unwrap()
    };
    let det = run(NullModel::RarestObject);
    let is_op = |a: u32| ds.accounts.get(a).starts_with("op");
    let (mut live, mut ops) = (Vec::new(), Vec::new());
    for (i, e) in det.edges.iter().enumerate() {
        match (is_op(e.a), is_op(e.b)) {
            (false, false) => live.push(i),
            (true, true) => ops.push(i),
            _ => {}
        }
    }
    assert_eq!(ops.len(), 3);
    assert!(live.len() > 1000, "live-tweeters co-share the event: {} edges", live.len());
    // The live-tweeters co-share many pairs of posts, but the event's objects are what
    // everyone posts during it: expected.
    let most_live = live.iter().map(|&i| det.significance.score[i]).fold(0.0, f64::max);
    let busiest = live.iter().map(|&i| det.significance.post_pairs[i]).max().unwrap();
    assert!(busiest >= 5, "busiest live-tweeter pair: {busiest} post pairs");
    assert!(most_live < 5.0, "highest live-tweeter score {most_live}");
    // The three accounts' 20 pairs of posts on links nobody else shares are not
    // (each link: the third account's share among ~40 posts a minute, f ≈ 2/41;
    // about one pair expected, 20 seen: score ≈ 18.5).
    for &i in &ops {
        assert_eq!(det.significance.post_pairs[i], 20);
        assert!(det.significance.score[i] >= 15.0, "op edge score {}", det.significance.score[i]);
        assert!(det.edges[i].full.above_threshold);
        // Every pair of posts is tested at the rare link's level, hashtags or not.
        assert_eq!(det.significance.tested[i], 20);
    }
    assert!(live.iter().all(|&i| !det.edges[i].full.above_threshold));
    if hide {
        // The object-time model's mean over the co-shares lets the bundle's
        // expected co-shares dilute the links'.
        let old = run(NullModel::ObjectTime);
        let (a, b) = (ds.accounts.lookup("op1").unwrap(), ds.accounts.lookup("op2").unwrap());
        let e = old.find_edge(a, b).unwrap();
        assert!(old.significance.score[e] < 5.0, "object-time: {}", old.significance.score[e]);
    }
}

#[test]
fn time_resolution_is_detected_and_bounds_the_auto_window() {
    // Every time on a whole minute; same-minute co-shares give a CooRnet estimate of 0 → 1 s.
    let mut ds = Dataset::default();
    for k in 0..20i64 {
        for acc in ["a", "b", "c"] {
            ds.push(acc, &format!("o{k}"), "url", &format!("{acc}{k}"), 1_700_000_040 + 600 * k);
        }
    }
    let auto = Params { window: Window::Auto(AutoWindow::default()), ..params(0, &[]) };
    let det = detect(&ds, &auto).unwrap();
    assert_eq!(det.counts.time_resolution, 60);
    assert_eq!(det.window_estimate.as_ref().unwrap().estimate, 1.0);
    assert_eq!(det.window, 60, "auto never finer than the data's resolution");
    // One share a second off the minute: resolution 1, the estimate's own window.
    ds.push("a", "o0", "url", "late", 1_700_000_041);
    let det = detect(&ds, &auto).unwrap();
    assert_eq!(det.counts.time_resolution, 1);
    assert_eq!(det.window, 1);
}
