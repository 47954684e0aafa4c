//! Quality of the look-alike detector, beside dnstwist, on public data.
//!
//! ```sh
//! scripts/eval-domains.sh            # installs dnstwist 20250130 in bench-work/, then runs this
//! cargo run --release -p lockstep-domains --example evaluate -- [--shared ../shared] [--work bench-work/domains]
//!     [--python bench-work/dnstwist-venv/bin/python] [--dnstwist-sample 500] [--no-dnstwist]
//! ```
//!
//! **Positives.** Every row of `SHARED/domains/known/*.csv` whose campaign names
//! Doppelganger, deduplicated by domain, whose imitated outlet is identifiable:
//! one of the host's labels (hyphens removed) equals, contains (brands of 4+
//! letters) or is within edit distance 1 (brands up to 6 letters) or 2 (longer) of
//! the brand of an outlet that public reports (Qurium, EU DisinfoLab, Meta,
//! VIGINUM, US DOJ) name as imitated by Doppelganger ([`BRANDS`]). The campaign's
//! own brands (RRN, scrambled redirect names) match none and are left out; the
//! list of positives and their brands is written to `WORK/positives.csv` for review.
//!
//! **Negatives.** `SHARED/domains/benign/top_domains.csv` (Tranco top 50k) minus
//! the watchlist's own domains (and hosts under them). False positives are also
//! counted per half of the list by rank parity: even ranks were used to choose between
//! rule variants, odd ranks are held out.
//!
//! **Runs.** Lockstep with no feed (the detector alone), with the built-in
//! watchlist and with `SHARED/domains/benign/news_outlets.csv` as watchlist; and
//! dnstwist 20250130's offline permutations (`scripts/dnstwist_generate.py`, equal
//! to `dnstwist --format list`) of the same watchlists' domains, without and with a
//! TLD list (`--tld`: the 569 TLDs in use in the top-50k list; the PyPI package
//! ships no TLD dictionary). dnstwist takes ~0.7 s per domain with that TLD list,
//! so on the 26,903-domain news watchlist it runs on the outlets whose label is a
//! brand plus a seeded random sample (`--dnstwist-sample`), and its false
//! positives are extrapolated linearly (an estimate, said so in the output).

use lockstep_domains::{parse_domain, read_watchlist_path, Class, Classifier, Feed, Matcher, Watchlist};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Compact brands of outlets that public reports name as imitated by
/// Doppelganger, with the outlet's real domain.
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
];

struct Args {
    shared: PathBuf,
    work: PathBuf,
    python: PathBuf,
    sample: usize,
    dnstwist: bool,
    cached_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        shared: PathBuf::from("../shared"),
        work: PathBuf::from("bench-work/domains"),
        python: PathBuf::from("bench-work/dnstwist-venv/bin/python"),
        sample: 500,
        dnstwist: true,
        cached_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--shared" => a.shared = val().into(),
            "--work" => a.work = val().into(),
            "--python" => a.python = val().into(),
            "--dnstwist-sample" => a.sample = val().parse().expect("--dnstwist-sample N"),
            "--no-dnstwist" => a.dnstwist = false,
            "--dnstwist-cached-only" => a.cached_only = true,
            other => panic!("unknown argument {other} (see the example's documentation)"),
        }
    }
    a
}

fn osa(a: &str, b: &str) -> usize {
    lockstep_domains::lookalike::osa_distance(a.as_bytes(), b.as_bytes())
}

/// The brand a host imitates, if identifiable (see the module documentation).
fn brand_of(host: &str) -> Option<&'static str> {
    let d = parse_domain(host).ok()?;
    let labels: Vec<String> =
        d.host[..d.host.len() - d.suffix.len() - 1].split('.').map(|l| l.replace('-', "")).collect();
    for (brand, _) in BRANDS {
        for l in &labels {
            let max = if brand.len() <= 6 { 1 } else { 2 };
            let close = brand.len() >= 4 && l.len().abs_diff(brand.len()) <= max && osa(l, brand) <= max;
            if l == brand || (brand.len() >= 6 && l.contains(brand)) || close {
                return Some(brand);
            }
        }
    }
    None
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

struct Figures {
    found: usize,
    positives: usize,
    fp: usize,
    negatives: usize,
    note: String,
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "n/a".into()
    } else {
        format!("{:.2}%", 100.0 * a as f64 / b as f64)
    }
}

fn main() {
    let a = args();
    let known_dir = a.shared.join("domains/known");
    let benign = a.shared.join("domains/benign");
    assert!(known_dir.is_dir(), "{} not found: pass --shared DIR", known_dir.display());
    fs_err::create_dir_all(&a.work).unwrap();

    // Positives.
    let mut rows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files: Vec<PathBuf> = fs_err::read_dir(&known_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    for f in &files {
        for r in read_csv(f) {
            if r.get("campaign").is_some_and(|c| c.to_lowercase().contains("doppelganger")) {
                rows.entry(r["domain"].clone())
                    .or_default()
                    .insert(f.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut positives: Vec<(String, &str)> = Vec::new();
    let mut excluded = 0;
    for d in rows.keys() {
        match brand_of(d) {
            Some(b) => positives.push((d.clone(), b)),
            None => excluded += 1,
        }
    }
    let mut text = String::from("domain,brand,outlet\n");
    for (d, b) in &positives {
        let real = BRANDS.iter().find(|(x, _)| x == b).unwrap().1;
        writeln!(text, "{d},{b},{real}").unwrap();
    }
    fs_err::write(a.work.join("positives.csv"), text).unwrap();

    // Negatives.
    let top_rows = read_csv(&benign.join("top_domains.csv"));
    let top: Vec<String> = top_rows.iter().map(|r| r["domain"].clone()).collect();
    // Even ranks were used to choose the detector's thresholds; odd ranks are held out.
    let even: Vec<bool> = top_rows
        .iter()
        .enumerate()
        .map(|(i, r)| r.get("rank").and_then(|x| x.parse::<usize>().ok()).unwrap_or(i + 1) % 2 == 0)
        .collect();

    let news = read_watchlist_path(&benign.join("news_outlets.csv")).unwrap();
    let mut combined = Watchlist::builtin();
    combined.extend(news.rows.clone());
    let skipped = news.diagnostics.skipped as usize;
    let watchlists: Vec<(&str, Watchlist, usize)> = vec![
        ("built-in", Watchlist::builtin(), 0),
        ("built-in + --watchlist news_outlets.csv", combined, skipped),
        ("news_outlets.csv only (--no-builtin-watchlist)", Watchlist::from_rows(news.rows), skipped),
    ];

    let mut out = String::new();
    writeln!(out, "Doppelganger rows in {}: {} distinct domains; {} with an identifiable imitated outlet (positives), {} without (campaign brands, redirectors).", known_dir.display(), rows.len(), positives.len(), excluded).unwrap();
    writeln!(out, "Top list: {} domains.\n", top.len()).unwrap();
    writeln!(
        out,
        "| watchlist | tool | recall | false positives | FP rate (non-own) | FP rate (of the top list) | note |"
    )
    .unwrap();
    writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |").unwrap();

    let mut sweeps: Vec<String> = Vec::new();
    for (name, wl, skipped) in watchlists {
        let n_domains = wl.domain_count();
        let own_domains: Vec<String> =
            wl.outlets.iter().flat_map(|o| o.domains.iter().map(|d| d.domain.clone())).collect();
        let t0 = Instant::now();
        let classifier = Classifier::new(Feed::new(), Matcher::new(wl));
        let build = t0.elapsed().as_secs_f64();
        // Lockstep.
        let t1 = Instant::now();
        let mut misses = String::from("domain,brand\n");
        let mut found = 0;
        let mut right_outlet = 0;
        let mut hits = String::from("domain,brand,outlet_domain,technique,score\n");
        for (d, b) in &positives {
            let c = classifier.classify(d);
            if c.class == Class::LookAlike {
                found += 1;
                let real = BRANDS.iter().find(|(x, _)| x == b).unwrap().1;
                if c.outlet_domain == real
                    || parse_domain(&c.outlet_domain).is_ok_and(|o| o.label.replace('-', "") == *b)
                {
                    right_outlet += 1;
                }
                writeln!(hits, "{d},{b},{},{},{}", c.outlet_domain, c.technique, c.score.unwrap_or(0.0)).unwrap();
            } else {
                writeln!(misses, "{d},{b}").unwrap();
            }
        }
        let mut negatives = 0;
        let mut fps = String::from("domain,outlet_domain,technique,score\n");
        let mut fp = 0;
        // [even, odd]: (negatives, false positives)
        let mut split = [(0usize, 0usize); 2];
        let mut by_technique: BTreeMap<String, usize> = BTreeMap::new();
        for (d, &is_even) in top.iter().zip(&even) {
            let c = classifier.classify(d);
            if c.note.starts_with("own domain") {
                continue;
            }
            negatives += 1;
            let half = &mut split[usize::from(!is_even)];
            half.0 += 1;
            if c.class == Class::LookAlike {
                half.1 += 1;
                fp += 1;
                *by_technique.entry(c.technique.clone()).or_default() += 1;
                writeln!(fps, "{d},{},{},{}", c.outlet_domain, c.technique, c.score.unwrap_or(0.0)).unwrap();
            }
        }
        let secs = t1.elapsed().as_secs_f64();
        let slug: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        fs_err::write(a.work.join(format!("lockstep_{slug}_misses.csv")), misses).unwrap();
        fs_err::write(a.work.join(format!("lockstep_{slug}_hits.csv")), hits).unwrap();
        fs_err::write(a.work.join(format!("lockstep_{slug}_fp.csv")), fps).unwrap();
        let techniques: Vec<String> = by_technique.iter().map(|(t, n)| format!("{t} {n}")).collect();
        let lock = Figures {
            found,
            positives: positives.len(),
            fp,
            negatives,
            note: format!(
                "{n_domains} watchlist domains ({skipped} rows skipped); right outlet for {right_outlet}/{found}; FP on even ranks (tuning half) {} of {} = {}, on odd ranks (held out) {} of {} = {}; FP by technique: {}; index {build:.2} s, {} checks in {secs:.2} s",
                split[0].1,
                split[0].0,
                pct(split[0].1, split[0].0),
                split[1].1,
                split[1].0,
                pct(split[1].1, split[1].0),
                techniques.join(", "),
                positives.len() + top.len()
            ),
        };
        row(&mut out, name, "lockstep", &lock, top.len());

        // The same at other minimum scores (--min-score): every score, once.
        let all = Classifier::new(Feed::new(), classifier.matcher.clone().with_min_score(0.0));
        let pos_scores: Vec<f64> = positives.iter().map(|(d, _)| all.classify(d).score.unwrap_or(-1.0)).collect();
        let neg_scores: Vec<f64> = top
            .iter()
            .map(|d| all.classify(d))
            .filter(|c| !c.note.starts_with("own domain"))
            .map(|c| c.score.unwrap_or(-1.0))
            .collect();
        let mut line = format!("{name}, lockstep, recall / false positives by --min-score:");
        for t in [0.4, 0.5, 0.6, 0.7, 0.8, 0.9] {
            let r = pos_scores.iter().filter(|&&x| x >= t - 1e-9).count();
            let f = neg_scores.iter().filter(|&&x| x >= t - 1e-9).count();
            write!(
                line,
                " {t:.1}: {r}/{} {}, {f} ({});",
                pos_scores.len(),
                pct(r, pos_scores.len()),
                pct(f, neg_scores.len())
            )
            .unwrap();
        }
        sweeps.push(line);

        if !a.dnstwist {
            continue;
        }
        if !a.python.exists() {
            writeln!(
                out,
                "| {name} | dnstwist | skipped: {} not found (run scripts/eval-domains.sh) | | | | |",
                a.python.display()
            )
            .unwrap();
            continue;
        }
        // dnstwist: which outlet domains to permute.
        let brand_domains: Vec<&String> = own_domains
            .iter()
            .filter(|d| parse_domain(d).is_ok_and(|p| BRANDS.iter().any(|(b, _)| p.label.replace('-', "") == *b)))
            .collect();
        let (input, sampled): (Vec<String>, Option<usize>) = if own_domains.len() <= a.sample {
            (own_domains.clone(), None)
        } else {
            // Seeded sample (xorshift) of the rest, plus every brand domain and the
            // built-in watchlist's domains (they are few, and cached).
            let mut state: u64 = 0x9e3779b97f4a7c15;
            let mut keyed: Vec<(u64, &String)> = own_domains
                .iter()
                .map(|d| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state, d)
                })
                .collect();
            keyed.sort();
            let mut set: BTreeSet<String> = keyed.iter().take(a.sample).map(|(_, d)| (*d).clone()).collect();
            set.extend(brand_domains.iter().map(|d| (*d).clone()));
            let builtin = Watchlist::builtin();
            set.extend(
                builtin
                    .outlets
                    .iter()
                    .flat_map(|o| o.domains.iter().map(|d| d.domain.clone()))
                    .filter(|d| own_domains.contains(d)),
            );
            (set.into_iter().collect(), Some(a.sample))
        };
        let tld_file = a.work.join("tlds-top50k.txt");
        let tlds: BTreeSet<String> = top.iter().filter_map(|d| d.rsplit('.').next().map(str::to_string)).collect();
        fs_err::write(&tld_file, tlds.iter().cloned().collect::<Vec<_>>().join("\n") + "\n").unwrap();
        for (variant, tld) in [("no TLD list", None), ("--tld (569 TLDs of the top list)", Some(&tld_file))] {
            let Some(generated) = dnstwist_names(&a, &input, tld.map(|p| p.as_path())) else {
                writeln!(
                    out,
                    "| {name} | dnstwist 20250130, {variant} | not measured: generation not finished | | | | |"
                )
                .unwrap();
                continue;
            };
            let found = positives.iter().filter(|(d, _)| generated.contains(d.as_str())).count();
            let own: BTreeSet<&str> = own_domains.iter().map(String::as_str).collect();
            let non_own: Vec<&String> = top.iter().filter(|d| !own.contains(d.as_str())).collect();
            let fp_sample = non_own.iter().filter(|d| generated.contains(d.as_str())).count();
            let (fp, note) = match sampled {
                None => (fp_sample, format!("{} domains permuted into {} names", input.len(), generated.len())),
                Some(_) => {
                    let est = (fp_sample as f64 * own_domains.len() as f64 / input.len() as f64).round() as usize;
                    (
                        est,
                        format!(
                            "ESTIMATE: {} of {} domains permuted ({} names; the brand outlets plus a seeded sample); {fp_sample} FP on the sample, extrapolated linearly; recall counts only the permuted domains",
                            input.len(),
                            own_domains.len(),
                            generated.len()
                        ),
                    )
                }
            };
            let f = Figures { found, positives: positives.len(), fp, negatives: non_own.len(), note };
            row(&mut out, name, &format!("dnstwist 20250130, {variant}"), &f, top.len());
        }
    }
    out.push('\n');
    for l in &sweeps {
        writeln!(out, "- {l}").unwrap();
    }
    print!("{out}");
    fs_err::write(a.work.join("results.md"), out).unwrap();
    eprintln!("lists of positives, hits, misses and false positives are in {}", a.work.display());
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

fn row(out: &mut String, watchlist: &str, tool: &str, f: &Figures, top: usize) {
    writeln!(
        out,
        "| {watchlist} | {tool} | {}/{} = {} | {} | {} of {} | {} of {top} | {} |",
        f.found,
        f.positives,
        pct(f.found, f.positives),
        f.fp,
        pct(f.fp, f.negatives),
        f.negatives,
        pct(f.fp, top),
        f.note
    )
    .unwrap();
}
