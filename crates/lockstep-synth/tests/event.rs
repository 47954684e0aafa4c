//! Properties of the event scenario: determinism, the long-form layout, the
//! events' hashtag pile-ons, retweet cascades, live-tweeters, duplicate
//! records at the configured rates, minute times, and the planted styles.

use std::collections::{BTreeMap, BTreeSet};

use lockstep_synth::{generate, write_csv, Post, Scenario, ScenarioConfig, ScenarioKind, POSTS_HEADER};

fn csv_bytes(cfg: &ScenarioConfig) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let (posts, truth) = (dir.path().join("posts.csv"), dir.path().join("truth.csv"));
    write_csv(cfg, &posts, &truth).unwrap();
    (std::fs::read(posts).unwrap(), std::fs::read(truth).unwrap())
}

/// One post as read back from its rows.
#[derive(Debug, Default, Clone)]
struct P {
    account: String,
    time: i64,
    text: String,
    repost: Option<String>,
    tags: BTreeSet<String>,
    url: Option<String>,
    /// How many times its text row was written.
    copies: usize,
}

fn collect(cfg: &ScenarioConfig) -> (Vec<(String, P)>, Scenario, Vec<Post>) {
    let mut rows = Vec::new();
    let scenario = generate(cfg, |p| rows.push(p.clone()));
    let mut posts: BTreeMap<String, P> = BTreeMap::new();
    let mut order = Vec::new();
    for r in &rows {
        let p = posts.entry(r.post_id.clone()).or_insert_with(|| {
            order.push(r.post_id.clone());
            P { account: r.account.clone(), time: r.time, ..P::default() }
        });
        assert_eq!((p.account.as_str(), p.time), (r.account.as_str(), r.time), "rows of {} agree", r.post_id);
        match r.kind {
            "text" => {
                p.text = r.object.clone();
                p.copies += 1;
            }
            "repost" => p.repost = Some(r.object.clone()),
            "hashtag" => {
                p.tags.insert(r.object.clone());
            }
            "url" => p.url = Some(r.object.clone()),
            "mention" => assert!(r.object.starts_with("@acct_")),
            k => panic!("unexpected kind {k}"),
        }
    }
    let list = order.into_iter().map(|id| (id.clone(), posts[&id].clone())).collect();
    (list, scenario, rows)
}

#[test]
fn same_seed_same_bytes_and_seeds_differ() {
    let cfg = ScenarioConfig::event(20_000, 11);
    let a = csv_bytes(&cfg);
    assert_eq!(a, csv_bytes(&cfg));
    let b = csv_bytes(&ScenarioConfig::event(20_000, 12));
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    let text = String::from_utf8(a.0).unwrap();
    assert_eq!(text.lines().next(), Some(POSTS_HEADER));
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 5, "{line}");
        assert!(!line.contains('"'));
    }
}

#[test]
fn layout_times_and_size() {
    let cfg = ScenarioConfig::event(30_000, 3);
    assert_eq!(cfg.scenario, ScenarioKind::Event);
    let (posts, scenario, rows) = collect(&cfg);
    assert!(rows.windows(2).all(|w| w[0].time <= w[1].time), "rows in time order");
    assert!(rows.iter().all(|r| r.time % 60 == 0 && r.time >= cfg.start && r.time < cfg.end()), "minute times");
    assert_eq!(scenario.rows, rows.len());
    assert_eq!(scenario.posts, posts.len());
    let n = posts.len() as f64;
    assert!((0.85..1.1).contains(&(n / 30_000.0)), "about the asked size: {n}");
    // Several kinds, each post with its text.
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, ["hashtag", "mention", "repost", "text", "url"].into_iter().collect());
    assert!(posts.iter().all(|(_, p)| p.copies >= 1));
    // Realistic mixture: about 65% retweets, a link on about half the posts.
    let retweets = posts.iter().filter(|(_, p)| p.repost.is_some()).count() as f64 / n;
    assert!((0.55..0.75).contains(&retweets), "retweet share {retweets}");
    let links = posts.iter().filter(|(_, p)| p.url.is_some()).count() as f64 / n;
    assert!((0.4..0.75).contains(&links), "link share {links}");
    // A retweet carries the reposted post's text and hashtags.
    let by_id: BTreeMap<&str, &P> = posts.iter().map(|(id, p)| (id.as_str(), p)).collect();
    let mut checked = 0;
    for (_, p) in &posts {
        if let Some(of) = &p.repost {
            let o = by_id[of.as_str()];
            assert_eq!((&o.text, &o.tags), (&p.text, &p.tags));
            assert!(o.time <= p.time);
            checked += 1;
        }
    }
    assert!(checked > 10_000);
}

#[test]
fn events_pile_on_their_hashtag_bundle() {
    let cfg = ScenarioConfig::event(40_000, 5);
    let (posts, scenario, _) = collect(&cfg);
    let planted: BTreeSet<&str> = scenario.truth.iter().map(|t| t.account.as_str()).collect();
    let automated: BTreeSet<&str> = scenario.automated.iter().map(String::as_str).collect();
    let organic = |p: &P| !planted.contains(p.account.as_str()) && !automated.contains(p.account.as_str());
    for e in &cfg.event.events {
        let s = cfg.start + i64::from(e.start_minute) * 60;
        let t = s + i64::from(e.minutes) * 60;
        let tag = format!("#{}", e.name);
        let during: Vec<&P> =
            posts.iter().map(|(_, p)| p).filter(|p| organic(p) && p.time >= s && p.time < t).collect();
        let with = during.iter().filter(|p| p.tags.contains(&tag)).count() as f64 / during.len() as f64;
        assert!(with >= 0.5, "{}: {with:.2} of {} organic posts carry {tag}", e.name, during.len());
        let night = during.iter().filter(|p| p.tags.contains(&format!("{tag}night"))).count() as f64;
        assert!(night > 0.3 * during.len() as f64, "{}: the bundle's second tag", e.name);
        // Nobody uses it before the event starts.
        assert!(posts.iter().all(|(_, p)| p.time >= s || !p.tags.contains(&tag)), "{tag} before {}", e.name);
    }
}

#[test]
fn cascades_live_tweeters_and_duplicates() {
    let mut cfg = ScenarioConfig::event(40_000, 7);
    cfg.event.duplicate_rate = 0.02;
    cfg.event.exact_duplicate_rate = 0.03;
    let (posts, scenario, rows) = collect(&cfg);
    let by_id: BTreeMap<&str, &P> = posts.iter().map(|(id, p)| (id.as_str(), p)).collect();

    // Retweet cascades: many accounts repost one post, most within 30 minutes.
    let mut cascades: BTreeMap<&str, Vec<&P>> = BTreeMap::new();
    for (_, p) in &posts {
        if let Some(of) = &p.repost {
            cascades.entry(of.as_str()).or_default().push(p);
        }
    }
    let (top, rts) = cascades.iter().max_by_key(|(id, v)| (v.len(), std::cmp::Reverse(**id))).unwrap();
    let accounts: BTreeSet<&str> = rts.iter().map(|p| p.account.as_str()).collect();
    assert!(accounts.len() >= 200, "largest cascade {} accounts", accounts.len());
    let t0 = by_id[top].time;
    let fast = rts.iter().filter(|p| p.time - t0 <= 1800).count() as f64 / rts.len() as f64;
    assert!(fast >= 0.5, "{fast:.2} of the largest cascade within 30 min");
    assert!(scenario.viral_events >= 10);

    // Live-tweeters: hundreds of posts in an hour.
    assert!(!scenario.live_tweeters.is_empty());
    for lt in &scenario.live_tweeters {
        let mut per_hour: BTreeMap<i64, usize> = BTreeMap::new();
        for (_, p) in posts.iter().filter(|(_, p)| &p.account == lt) {
            *per_hour.entry(p.time / 3600).or_default() += 1;
        }
        assert!(per_hour.values().max().copied().unwrap_or(0) >= 80, "{lt}: {per_hour:?}");
    }

    // Exact duplicate rows at the configured rate.
    let n = posts.len() as f64;
    let exact = posts.iter().filter(|(_, p)| p.copies == 2).count() as f64 / n;
    assert!((0.02..0.04).contains(&exact), "exact duplicates {exact:.4}");
    assert!(posts.iter().all(|(_, p)| p.copies <= 2));
    // Duplicate records: same account, time, text and reposted post under two ids.
    let mut records: BTreeMap<(&str, i64, &str, Option<&str>), usize> = BTreeMap::new();
    for (_, p) in &posts {
        *records.entry((p.account.as_str(), p.time, p.text.as_str(), p.repost.as_deref())).or_default() += 1;
    }
    let twins = records.values().filter(|&&c| c >= 2).count() as f64 / n;
    assert!((0.012..0.03).contains(&twins), "duplicate records {twins:.4}");
    assert_eq!(scenario.rows, rows.len());
}

#[test]
fn planted_styles_hide_inside_events() {
    let cfg = ScenarioConfig::event(60_000, 9);
    let (posts, scenario, _) = collect(&cfg);
    let styles: BTreeSet<&str> = scenario.truth.iter().map(|t| t.style.as_str()).collect();
    let expected = ["copy_pasta", "hashtag_game", "lookalike_domains", "loose_hashtags", "retweet_ring", "tight_links"];
    assert_eq!(styles, expected.into_iter().collect());
    let posting: BTreeSet<&str> = posts.iter().map(|(_, p)| p.account.as_str()).collect();
    assert!(scenario.truth.iter().all(|t| posting.contains(t.account.as_str())), "every planted account posts");
    let mut members: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for t in &scenario.truth {
        members.entry(t.group.as_str()).or_default().insert(t.account.as_str());
    }
    for (group, m) in &members {
        let own: Vec<&P> = posts.iter().map(|(_, p)| p).filter(|p| m.contains(p.account.as_str())).collect();
        if group.starts_with("copy_pasta") {
            // Many members post the same text (its first words) within five minutes.
            let mut by_text: BTreeMap<String, Vec<&P>> = BTreeMap::new();
            for p in &own {
                let head: Vec<&str> = p.text.split(' ').take(5).collect();
                by_text.entry(head.join(" ")).or_default().push(p);
            }
            let bursts = by_text
                .values()
                .filter(|v| {
                    let a: BTreeSet<&str> = v.iter().map(|p| p.account.as_str()).collect();
                    let (lo, hi) = (v.iter().map(|p| p.time).min().unwrap(), v.iter().map(|p| p.time).max().unwrap());
                    a.len() >= 4 && hi - lo <= 360
                })
                .count();
            assert!(bursts >= 5, "{group}: {bursts} copy-pasta bursts");
        }
        if group.starts_with("retweet_ring") {
            let ids: BTreeSet<&str> =
                posts.iter().filter(|(_, p)| m.contains(p.account.as_str())).map(|(id, _)| id.as_str()).collect();
            let inside = own.iter().filter(|p| p.repost.as_deref().is_some_and(|r| ids.contains(r))).count();
            assert!(inside >= 5 * m.len(), "{group}: {inside} retweets of members");
        }
        if group.starts_with("hashtag_game") {
            // A tag nobody outside the group uses, pushed by most of it.
            let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for (_, p) in &posts {
                for t in &p.tags {
                    users.entry(t.as_str()).or_default().insert(p.account.as_str());
                }
            }
            let games = users.values().filter(|u| u.len() >= m.len() / 2 && u.iter().all(|a| m.contains(a))).count();
            assert!(games >= 2, "{group}: {games} game tags");
        }
    }
    // Three bursts in four inside an event: most planted posts carry a bundle tag.
    let planted: BTreeSet<&str> = scenario.truth.iter().map(|t| t.account.as_str()).collect();
    let names: Vec<String> = cfg.event.events.iter().map(|e| format!("#{}", e.name)).collect();
    let campaign = scenario.campaign_posts as f64;
    let with_bundle = posts
        .iter()
        .filter(|(_, p)| planted.contains(p.account.as_str()) && p.tags.iter().any(|t| names.contains(t)))
        .count() as f64;
    assert!(with_bundle >= 0.4 * campaign, "{with_bundle} of {campaign} campaign posts in events");
}

#[test]
fn time_resolution_is_an_option() {
    let mut cfg = ScenarioConfig::event(5_000, 1);
    cfg.time_resolution = 1;
    let mut any_off_minute = false;
    generate(&cfg, |p| any_off_minute |= p.time % 60 != 0);
    assert!(any_off_minute);
    let mut bg = ScenarioConfig::new(5_000, 1);
    bg.time_resolution = 60;
    let mut times = Vec::new();
    generate(&bg, |p| times.push(p.time));
    assert_eq!(times.len(), 5_000);
    assert!(times.iter().all(|t| t % 60 == 0) && times.windows(2).all(|w| w[0] <= w[1]));
}
