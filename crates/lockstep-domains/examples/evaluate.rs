//! Quality of the look-alike detector, beside dnstwist, on public data, split by
//! campaign period: the detector was tuned on the reports of 2022 and is tested
//! on the reports of 2023 and later.
//!
//! ```sh
//! scripts/eval-domains.sh            # installs dnstwist 20250130 in bench-work/, then runs this
//! cargo run --release -p lockstep-domains --example evaluate -- [--shared ../shared] [--work bench-work/domains]
//!     [--python bench-work/dnstwist-venv/bin/python] [--no-dnstwist] [--split 2023-01-01] [--target-ranks 25000]
//! ```
//!
//! **Positives.** Every row of `SHARED/domains/known/*.csv` (all campaigns),
//! deduplicated by domain with its earliest `date_first_reported`, whose imitated
//! outlet is identifiable: one of the host's labels (hyphens removed) equals,
//! contains (brands of 6+ letters) or is within edit distance 1 (brands of 4 to 6
//! letters) or 2 (longer) of the brand of an outlet that the public reports behind
//! those lists name as imitated ([`BRANDS`]). Campaign brands, redirectors and fake
//! local outlets imitate no particular outlet and are left out; the positives and
//! their outlets are written to `WORK/positives.csv` for review. A positive
//! first reported before `--split` (2023-01-01) belongs to the **tuning** period,
//! the others to the **test** period.
//!
//! **Targets and negatives.** `SHARED/domains/benign/top_domains.csv` (Tranco top
//! 50k) is split by rank: ranks up to `--target-ranks` (25,000) are given to the
//! detector as `--targets` (popular sites, targets of imitation and never flagged);
//! ranks above are the **benign** set, none of which the detector knows. Every
//! flag on a benign domain counts as a false positive, except when the flagged
//! domain and the target it was matched to are the same outlet in
//! `news_outlets.csv` or the watchlist (true siblings); flags with the same label
//! as their target are listed as their own class (possible siblings) but counted.
//! Benign domains are also split by rank parity: even ranks were used to choose
//! between rule variants, odd ranks are held out.
//!
//! **Runs** (feeds off): the built-in watchlist with the targets; the targets
//! alone (no watchlist: outlets nobody listed); the built-in watchlist plus
//! `news_outlets.csv` with the targets; and dnstwist 20250130's offline
//! permutations (`scripts/dnstwist_generate.py`, equal to `dnstwist --format
//! list`) of the built-in watchlist's domains, without and with a TLD list (the
//! TLDs in use in the top-50k list).

use lockstep_domains::{
    parse_domain, read_targets_csv, read_watchlist_path, Class, Classifier, Feed, Matcher, Watchlist,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Compact brands of outlets that public reports name as imitated, with the
/// outlet's real domain: Qurium, EU DisinfoLab, Meta and VIGINUM on Doppelganger
/// and RRN (2022–2023), the US DOJ (Sept. 2024), Meta's later reports, Tadaweb
/// (Baybridge, 2025), Recorded Future (CopyCop, 2025).
const BRANDS: &[(&str, &str)] = &[
    ("bild", "bild.de"),
    ("spiegel", "spiegel.de"),
    ("welt", "welt.de"),
    ("faz", "faz.net"),
    ("tonline", "t-online.de"),
    ("sueddeutsche", "sueddeutsche.de"),
    ("tagesspiegel", "tagesspiegel.de"),
    ("ndaktuell", "nd-aktuell.de"),
    ("theguardian", "theguardian.com"),
    ("guardian", "theguardian.com"),
    ("dailymail", "dailymail.co.uk"),
    ("20minutes", "20minutes.fr"),
    ("leparisien", "leparisien.fr"),
    ("lefigaro", "lefigaro.fr"),
    ("liberation", "liberation.fr"),
    ("lemonde", "lemonde.fr"),
    ("reuters", "reuters.com"),
    ("washingtonpost", "washingtonpost.com"),
    ("foxnews", "foxnews.com"),
    ("forward", "forward.com"),
    ("rbk", "rbc.ua"),
    ("obozrevatel", "obozrevatel.com"),
    ("ansa", "ansa.it"),
    ("repubblica", "repubblica.it"),
    ("delfi", "delfi.lt"),
    ("lsm", "lsm.lv"),
    ("nato", "nato.int"),
    ("diplomatie", "diplomatie.gouv.fr"),
    ("kyivpost", "kyivpost.com"),
    ("thegrio", "thegrio.com"),
    ("ynet", "ynet.co.il"),
    ("walla", "walla.co.il"),
    ("haaretz", "haaretz.co.il"),
    // VIGINUM, RRN report of June 2023 (the campaign's 2023 wave).
    ("bmi", "bmi.bund.de"),
    ("albayan", "albayan.ae"),
    ("gulfnews", "gulfnews.com"),
    ("jewishjournal", "jewishjournal.com"),
    ("mako", "mako.co.il"),
    // Meta Q2 2024; Tadaweb 2025; Recorded Future 2025.
    ("euronews", "euronews.com"),
    ("nrchandelsblad", "nrc.nl"),
    ("tvfrance2", "france.tv"),
];

/// Brands that are common words: found only as the whole label or within one edit,
/// never inside a longer name (`newwayforward`, `woodlandweeklyguardian` are
/// campaign brands, not clones).
const WORD_BRANDS: &[&str] = &["guardian", "forward", "liberation", "lemonde"];

struct Args {
    shared: PathBuf,
    work: PathBuf,
    python: PathBuf,
    dnstwist: bool,
    cached_only: bool,
    split: String,
    target_ranks: u32,
}

fn args() -> Args {
    let mut a = Args {
        shared: PathBuf::from("../shared"),
        work: PathBuf::from("bench-work/domains"),
        python: PathBuf::from("bench-work/dnstwist-venv/bin/python"),
        dnstwist: true,
        cached_only: false,
        split: "2023-01-01".into(),
        target_ranks: 25_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--shared" => a.shared = val().into(),
            "--work" => a.work = val().into(),
            "--python" => a.python = val().into(),
            "--no-dnstwist" => a.dnstwist = false,
            "--dnstwist-cached-only" => a.cached_only = true,
            "--split" => a.split = val(),
            "--target-ranks" => a.target_ranks = val().parse().expect("--target-ranks N"),
            other => panic!("unknown argument {other} (see the example's documentation)"),
        }
    }
    a
}

fn osa(a: &str, b: &str) -> usize {
    lockstep_domains::lookalike::osa_distance(a.as_bytes(), b.as_bytes())
}

/// The brand a host imitates, if identifiable (see the module documentation).
/// `clones`: the row is from a campaign known for cloning outlets (Doppelganger,
/// RRN), where a brand inside a longer name or two edits away is a clone; in other
/// campaigns (fake local outlets, content farms) only the brand as the label or one
/// edit from a brand of 7+ letters, or a distinctive brand of 8+ letters inside it.
fn brand_of(host: &str, clones: bool) -> Option<&'static str> {
    let d = parse_domain(host).ok()?;
    let labels: Vec<String> =
        d.host[..d.host.len() - d.suffix.len() - 1].split('.').map(|l| l.replace('-', "")).collect();
    for (brand, _) in BRANDS {
        for l in &labels {
            let word = WORD_BRANDS.contains(brand);
            let (max, min_len, inside) = if clones {
                (if brand.len() <= 6 { 1 } else { 2 }, 4, brand.len() >= 6 && !word)
            } else {
                (1, 7, brand.len() >= 8 && !word)
            };
            let close = brand.len() >= min_len && l.len().abs_diff(brand.len()) <= max && osa(l, brand) <= max;
            if l == brand || (inside && l.contains(brand)) || close {
                return Some(brand);
            }
        }
    }
    None
}

fn real_of(brand: &str) -> &'static str {
    BRANDS.iter().find(|(x, _)| *x == brand).unwrap().1
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "n/a".into()
    } else {
        format!("{:.2}%", 100.0 * a as f64 / b as f64)
    }
}

/// A positive: domain, brand, earliest report date, files.
struct Positive {
    domain: String,
    brand: &'static str,
    date: String,
    test: bool,
}

/// The false-positive class of a flag (see docs/evaluation.md).
fn fp_class(flagged: &str, target: &str, technique: &str, why: &str) -> &'static str {
    let label = |d: &str| parse_domain(d).map(|p| p.label).unwrap_or_default();
    if label(flagged) == label(target) && matches!(technique, "other-suffix" | "fake-second-level") {
        "same name, other suffix (possible sibling)"
    } else if why.contains("common word") {
        "common word"
    } else if matches!(technique, "char-swap" | "idn-homoglyph" | "hyphenation") {
        "look-alike characters / hyphenation"
    } else if matches!(technique, "affix" | "embedded" | "subdomain" | "outlet-name") {
        "name inside a longer name"
    } else if technique == "transliteration" {
        "transliteration"
    } else {
        "one-letter variant (typo)"
    }
}

fn main() {
    let a = args();
    let known_dir = a.shared.join("domains/known");
    let benign = a.shared.join("domains/benign");
    assert!(known_dir.is_dir(), "{} not found: pass --shared DIR", known_dir.display());
    fs_err::create_dir_all(&a.work).unwrap();

    // Positives: every known row with an identifiable imitated outlet, by earliest report.
    let mut first: BTreeMap<String, (String, bool)> = BTreeMap::new();
    let mut files: Vec<PathBuf> = fs_err::read_dir(&known_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut rows = 0;
    for f in &files {
        for r in read_csv(f) {
            rows += 1;
            let date = r.get("date_first_reported").cloned().unwrap_or_default();
            // Meta's `2023-Q1`, `2026-H1`: the period's first day is enough for the split.
            let campaign = r.get("campaign").map(|c| c.to_lowercase()).unwrap_or_default();
            let clones = campaign.contains("doppelganger") || campaign.contains("rrn");
            let e = first.entry(r["domain"].clone()).or_insert_with(|| (date.clone(), clones));
            e.1 |= clones;
            if !date.is_empty() && (e.0.is_empty() || date < e.0) {
                e.0 = date;
            }
        }
    }
    let mut positives: Vec<Positive> = Vec::new();
    for (d, (date, clones)) in &first {
        if let Some(brand) = brand_of(d, *clones) {
            let test = date.as_str() >= a.split.as_str();
            positives.push(Positive { domain: d.clone(), brand, date: date.clone(), test });
        }
    }
    let mut text = String::from("domain,brand,outlet,first_reported,period\n");
    for p in &positives {
        let period = if p.test { "test" } else { "tuning" };
        writeln!(text, "{},{},{},{},{period}", p.domain, p.brand, real_of(p.brand), p.date).unwrap();
    }
    fs_err::write(a.work.join("positives.csv"), text).unwrap();
    let n_test = positives.iter().filter(|p| p.test).count();

    // Targets (top ranks) and benign (the rest).
    let top_rows = read_csv(&benign.join("top_domains.csv"));
    let mut targets_csv = String::from("rank,domain\n");
    let mut benign_set: Vec<(String, u32)> = Vec::new();
    for r in &top_rows {
        let rank: u32 = r["rank"].trim().parse().unwrap();
        if rank <= a.target_ranks {
            writeln!(targets_csv, "{rank},{}", r["domain"].trim()).unwrap();
        } else {
            benign_set.push((r["domain"].trim().to_string(), rank));
        }
    }
    let targets = read_targets_csv(targets_csv.as_bytes(), "top_domains.csv (target ranks)").unwrap();
    let news = read_watchlist_path(&benign.join("news_outlets.csv")).unwrap();
    // Outlet groups of the built-in watchlist, then news_outlets.csv: true siblings.
    let mut group: BTreeMap<String, String> = BTreeMap::new();
    for o in &Watchlist::builtin().outlets {
        for d in &o.domains {
            group.insert(d.domain.clone(), format!("{}|{}", o.name, o.country));
        }
    }
    for r in &news.rows {
        if !r.name.is_empty() {
            group.entry(r.domain.domain.clone()).or_insert_with(|| format!("{}|{}", r.name, r.country));
        }
    }
    let with = |mut w: Watchlist, news_too: bool| {
        if news_too {
            w.extend(news.rows.clone());
        }
        w.extend(targets.rows.clone());
        w
    };
    let runs: Vec<(&str, Watchlist)> = vec![
        ("built-in watchlist + targets", with(Watchlist::builtin(), false)),
        ("targets only (no watchlist)", with(Watchlist::default(), false)),
        ("built-in + news_outlets.csv + targets", with(Watchlist::builtin(), true)),
    ];

    let mut out = String::new();
    writeln!(
        out,
        "Known rows: {rows} in {} files, {} distinct domains; positives (identifiable imitated outlet): {} — tuning period (before {}): {}, test period: {n_test}.",
        files.len(),
        first.len(),
        positives.len(),
        a.split,
        positives.len() - n_test
    )
    .unwrap();
    writeln!(
        out,
        "Targets: top_domains.csv ranks 1–{} ({} domains); benign: ranks above ({} domains, {} even / {} odd).\n",
        a.target_ranks,
        targets.rows.len(),
        benign_set.len(),
        benign_set.iter().filter(|(_, r)| r % 2 == 0).count(),
        benign_set.iter().filter(|(_, r)| r % 2 == 1).count()
    )
    .unwrap();
    writeln!(out, "| run | tool | recall, test period | right outlet | recall, tuning period | false positives (benign) | FP rate | even ranks (tuning) | odd ranks (held out) |").unwrap();
    writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |").unwrap();
    let mut details = String::new();

    for (name, wl) in runs {
        let t0 = Instant::now();
        let classifier = Classifier::new(Feed::new(), Matcher::new(wl));
        let build = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let mut hits = String::from("domain,brand,period,class,outlet_domain,technique,score,right_outlet,why\n");
        let (mut found, mut right) = ([0usize; 2], 0usize);
        let mut by_technique: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // test: (found, right)
        let mut misses: Vec<String> = Vec::new();
        for p in &positives {
            let c = classifier.classify(&p.domain);
            let period = usize::from(p.test);
            let real = real_of(p.brand);
            let flagged = c.class == Class::LookAlike;
            let label = |d: &str| parse_domain(d).map(|x| x.label.replace('-', "")).unwrap_or_default();
            let ok = flagged
                && (label(&c.outlet_domain) == label(real)
                    || group.get(real).is_some_and(|g| group.get(&c.outlet_domain) == Some(g)));
            if flagged {
                found[period] += 1;
                if p.test {
                    let e = by_technique.entry(c.technique.clone()).or_default();
                    e.0 += 1;
                    if ok {
                        e.1 += 1;
                        right += 1;
                    }
                }
            } else if p.test {
                misses.push(format!("`{}` ({})", p.domain, c.why.chars().take(120).collect::<String>()));
            }
            writeln!(
                hits,
                "{},{},{},{},{},{},{},{ok},\"{}\"",
                p.domain,
                p.brand,
                if p.test { "test" } else { "tuning" },
                c.class.as_str(),
                c.outlet_domain,
                c.technique,
                c.score.unwrap_or(0.0),
                c.why.replace('"', "'")
            )
            .unwrap();
        }
        let mut fps = String::from("domain,rank,outlet_domain,technique,score,class,why\n");
        let (mut fp, mut split, mut siblings) = (0usize, [(0usize, 0usize); 2], 0usize);
        let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
        for (d, rank) in &benign_set {
            let c = classifier.classify(d);
            let half = &mut split[(rank % 2) as usize];
            half.0 += 1;
            if c.class != Class::LookAlike {
                continue;
            }
            if group.get(d).is_some_and(|g| group.get(&c.outlet_domain) == Some(g)) {
                siblings += 1;
                continue;
            }
            fp += 1;
            half.1 += 1;
            let class = fp_class(d, &c.outlet_domain, &c.technique, &c.why);
            *classes.entry(class).or_default() += 1;
            writeln!(
                fps,
                "{d},{rank},{},{},{},{class},\"{}\"",
                c.outlet_domain,
                c.technique,
                c.score.unwrap_or(0.0),
                c.why.replace('"', "'")
            )
            .unwrap();
        }
        let secs = t1.elapsed().as_secs_f64();
        fs_err::write(a.work.join(format!("lockstep_{slug}_positives.csv")), hits).unwrap();
        fs_err::write(a.work.join(format!("lockstep_{slug}_fp.csv")), fps).unwrap();
        let n_tune = positives.len() - n_test;
        writeln!(
            out,
            "| {name} | lockstep | {}/{n_test} = {} | {right}/{} | {}/{n_tune} = {} | {fp} | {} of {} | {} ({}) | {} ({}) |",
            found[1],
            pct(found[1], n_test),
            found[1],
            found[0],
            pct(found[0], n_tune),
            pct(fp, benign_set.len()),
            benign_set.len(),
            split[0].1,
            pct(split[0].1, split[0].0),
            split[1].1,
            pct(split[1].1, split[1].0),
        )
        .unwrap();
        writeln!(details, "\n### {name}\n").unwrap();
        writeln!(details, "Index built in {build:.2} s; {} checks in {secs:.2} s.", positives.len() + benign_set.len())
            .unwrap();
        let t: Vec<String> = by_technique.iter().map(|(t, (f, r))| format!("{t} {f} ({r} right outlet)")).collect();
        writeln!(details, "- test-period positives found, by technique: {}", t.join(", ")).unwrap();
        writeln!(details, "- test-period misses ({}): {}", misses.len(), misses.join("; ")).unwrap();
        let c: Vec<String> = classes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(details, "- false positives by class: {} (true siblings excluded: {siblings})", c.join(", ")).unwrap();
    }

    if a.dnstwist {
        if !a.python.exists() {
            writeln!(
                out,
                "| built-in watchlist | dnstwist | skipped: {} not found (run scripts/eval-domains.sh) | | | | | | |",
                a.python.display()
            )
            .unwrap();
        } else {
            let own: Vec<String> =
                Watchlist::builtin().outlets.iter().flat_map(|o| o.domains.iter().map(|d| d.domain.clone())).collect();
            let tld_file = a.work.join("tlds-top50k.txt");
            let tlds: BTreeSet<String> =
                top_rows.iter().filter_map(|r| r["domain"].trim().rsplit('.').next().map(str::to_string)).collect();
            fs_err::write(&tld_file, tlds.iter().cloned().collect::<Vec<_>>().join("\n") + "\n").unwrap();
            for (variant, tld) in [("no TLD list", None), ("--tld (TLDs of the top list)", Some(&tld_file))] {
                let Some(generated) = dnstwist_names(&a, &own, tld.map(|p| p.as_path())) else {
                    writeln!(out, "| built-in watchlist | dnstwist 20250130, {variant} | not measured: generation not finished | | | | | | |").unwrap();
                    continue;
                };
                let found =
                    |test: bool| positives.iter().filter(|p| p.test == test && generated.contains(&p.domain)).count();
                // The watchlist's own domains are known to both tools: not false positives.
                let own_set: BTreeSet<&str> = own.iter().map(String::as_str).collect();
                let fp_of = |parity: u32| {
                    benign_set
                        .iter()
                        .filter(|(d, r)| r % 2 == parity && generated.contains(d) && !own_set.contains(d.as_str()))
                        .count()
                };
                let (f1, f0) = (found(true), found(false));
                let (even, odd) = (fp_of(0), fp_of(1));
                let n_tune = positives.len() - n_test;
                writeln!(
                    out,
                    "| built-in watchlist ({} domains permuted) | dnstwist 20250130, {variant} | {f1}/{n_test} = {} | {f1}/{f1} | {f0}/{n_tune} = {} | {} | {} of {} | {even} | {odd} |",
                    own.len(),
                    pct(f1, n_test),
                    pct(f0, n_tune),
                    even + odd,
                    pct(even + odd, benign_set.len()),
                    benign_set.len()
                )
                .unwrap();
            }
        }
    }
    out.push_str(&details);
    print!("{out}");
    fs_err::write(a.work.join("results.md"), out).unwrap();
    eprintln!("positives, hits and false positives are in {}", a.work.display());
}

/// dnstwist's names for `domains`, from a per-variant cache in the work
/// directory (`domain<TAB>name` lines); missing domains are generated first.
fn dnstwist_names(a: &Args, domains: &[String], tld: Option<&Path>) -> Option<BTreeSet<String>> {
    let cache = a.work.join(if tld.is_some() { "dnstwist_cache_tld.tsv" } else { "dnstwist_cache_plain.tsv" });
    let read = |path: &Path| -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Ok(text) = fs_err::read_to_string(path) {
            for line in text.lines() {
                let (d, n) = line.split_once('\t').unwrap_or((line, ""));
                let e = m.entry(d.to_string()).or_default();
                if !n.is_empty() {
                    e.push(n.to_string());
                }
            }
        }
        m
    };
    let mut have = read(&cache);
    let missing: Vec<&String> = domains.iter().filter(|d| !have.contains_key(d.as_str())).collect();
    if !missing.is_empty() && a.cached_only {
        eprintln!("dnstwist: {} domains not in the cache (--dnstwist-cached-only)", missing.len());
        return None;
    }
    if !missing.is_empty() {
        let list = a.work.join("dnstwist_missing.txt");
        let part = a.work.join("dnstwist_part.tsv");
        fs_err::write(&list, missing.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n") + "\n").unwrap();
        let t = Instant::now();
        let mut cmd = Command::new(&a.python);
        cmd.arg("scripts/dnstwist_generate.py").arg(&list).arg(&part);
        if let Some(t) = tld {
            cmd.arg(t);
        }
        assert!(cmd.status().expect("running dnstwist").success(), "dnstwist failed");
        eprintln!("dnstwist: {} domains in {:.0} s", missing.len(), t.elapsed().as_secs_f64());
        let mut all = fs_err::read_to_string(&cache).unwrap_or_default();
        all.push_str(&fs_err::read_to_string(&part).unwrap());
        fs_err::write(&cache, all).unwrap();
        have = read(&cache);
    }
    Some(domains.iter().flat_map(|d| have.get(d.as_str()).into_iter().flatten().cloned()).collect())
}
