//! Throughput of the look-alike detector: N candidate domains against a watchlist
//! of about 30k outlet domains.
//!
//! ```sh
//! cargo run --release -p lockstep-domains --example bench -- [--candidates 1000000] [--shared ../shared] [--threads N]
//!     [--targets ../shared/domains/benign/top_domains.csv]
//! ```
//!
//! Watchlist: the built-in one plus `SHARED/domains/benign/news_outlets.csv`
//! (26,892 domains), topped up to 30,000 domains with seeded synthetic outlets
//! (all synthetic when ../shared is absent). Candidates, seeded: a third
//! mutations of outlet domains (one random edit, a random TLD, sometimes a
//! subdomain or a hyphenated affix), a third the top-50k list's domains (cycled),
//! a third random pronounceable names on random TLDs. What is timed: parsing and
//! classifying every candidate (feed off), on all threads with rayon, after the
//! index is built (timed separately). Prints the machine's load and the figures.
//! With `--targets`, a popularity list is indexed as well (the same candidates).

use lockstep_domains::{parse_domain, read_watchlist_path, Classifier, Feed, Matcher, Watchlist, WatchlistRow};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "ta", "sel", "bor", "vin", "dex", "ter", "pol", "gra", "fen", "shi", "mar", "tu",
    "zo", "qua", "ble", "stro", "no", "ve", "li", "an", "or", "in", "et",
];
const TLDS: &[&str] = &[
    "com", "net", "org", "de", "fr", "co.uk", "ru", "ua", "it", "pl", "info", "ltd", "vip", "live", "top", "online",
    "site", "xyz", "co", "io", "me", "ws", "cc", "eu.com", "co.com", "com.co", "news", "press", "today", "life",
];

fn name(rng: &mut Rng) -> String {
    (0..2 + rng.below(3)).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect()
}

fn main() {
    let mut n = 1_000_000usize;
    let mut shared = PathBuf::from("../shared");
    let mut targets: Option<PathBuf> = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--candidates" => n = it.next().and_then(|v| v.parse().ok()).expect("--candidates N"),
            "--shared" => shared = it.next().expect("--shared DIR").into(),
            "--targets" => targets = Some(it.next().expect("--targets FILE").into()),
            "--threads" => {
                let t: usize = it.next().and_then(|v| v.parse().ok()).expect("--threads N");
                rayon::ThreadPoolBuilder::new().num_threads(t).build_global().unwrap();
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut wl = Watchlist::builtin();
    let news = shared.join("domains/benign/news_outlets.csv");
    if news.exists() {
        wl.extend(read_watchlist_path(&news).expect("news_outlets.csv").rows);
    } else {
        eprintln!("note: {} not found; synthetic outlets only", news.display());
    }
    while wl.domain_count() < 30_000 {
        let mut synthetic = Vec::new();
        for _ in wl.domain_count()..30_000 {
            let d = format!("{}.{}", name(&mut rng), TLDS[rng.below(8)]);
            if let Ok(p) = parse_domain(&d) {
                synthetic.push(WatchlistRow {
                    domain: lockstep_domains::OutletDomain { domain: p.registrable, label: p.label, suffix: p.suffix },
                    name: String::new(),
                    country: String::new(),
                    source: "synthetic".into(),
                    rank: 0,
                });
            }
        }
        // Duplicates of listed domains are skipped by extend: loop until 30k.
        wl.extend(synthetic);
    }
    let outlet_domains: Vec<String> =
        wl.outlets.iter().flat_map(|o| o.domains.iter().map(|d| d.domain.clone())).collect();
    let top: Vec<String> = std::fs::read_to_string(shared.join("domains/benign/top_domains.csv"))
        .map(|t| t.lines().skip(1).filter_map(|l| l.split(',').nth(1).map(str::to_string)).collect())
        .unwrap_or_default();

    let mut candidates = Vec::with_capacity(n);
    for i in 0..n {
        let c = match i % 3 {
            0 => {
                let d = &outlet_domains[rng.below(outlet_domains.len())];
                let label: Vec<char> = d.split('.').next().unwrap_or("x").chars().collect();
                let mut l = label.clone();
                let p = rng.below(l.len().max(1));
                match rng.below(4) {
                    0 if l.len() > 1 => {
                        l.remove(p);
                    }
                    1 => l.insert(p, (b'a' + rng.below(26) as u8) as char),
                    2 if p + 1 < l.len() => l.swap(p, p + 1),
                    _ => {}
                }
                let mut s: String = l.into_iter().collect();
                match rng.below(6) {
                    0 => s = format!("{s}-news"),
                    1 => s = format!("{s}.{}.example", TLDS[rng.below(TLDS.len())]),
                    _ => {}
                }
                format!("{s}.{}", TLDS[rng.below(TLDS.len())])
            }
            1 if !top.is_empty() => top[(i / 3) % top.len()].clone(),
            _ => {
                let sub = if rng.below(4) == 0 { format!("{}.", name(&mut rng)) } else { String::new() };
                format!("{sub}{}.{}", name(&mut rng), TLDS[rng.below(TLDS.len())])
            }
        };
        candidates.push(c);
    }

    // With --targets, a popularity list is indexed too (the same candidates).
    if let Some(t) = &targets {
        wl.extend(lockstep_domains::read_targets_path(t).expect("--targets").rows);
    }
    let t0 = Instant::now();
    let classifier = Classifier::new(Feed::new(), Matcher::new(wl.clone()));
    let build = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let classes: Vec<&'static str> = candidates.par_iter().map(|c| classifier.classify(c).class.as_str()).collect();
    let secs = t1.elapsed().as_secs_f64();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in classes {
        *counts.entry(c).or_default() += 1;
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {} threads (rayon), load average {}",
        rayon::current_num_threads(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "watchlist: {} outlet domains in {} outlets; index built in {build:.2} s ({} deletion variants)",
        wl.domain_count(),
        wl.outlets.len(),
        classifier.matcher.index_size()
    );
    println!(
        "classified {n} candidates in {secs:.2} s ({:.0} per second): {}",
        n as f64 / secs,
        counts.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    );
}
