//! The loaders and the detector on the real lists under `../shared/domains`
//! (outside the repository). When they are absent the tests say so and pass,
//! except under `CI=true`, where absence is a failure.
//!
//! Full figures, beside dnstwist: `cargo run --release -p lockstep-domains --example evaluate`
//! (docs/evaluation.md). These tests keep floors so that a regression shows.

use lockstep_domains::{read_feed_path, read_watchlist_path, Class, Classifier, Feed, Matcher, Watchlist};
use std::path::{Path, PathBuf};

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/domains");
    if dir.join("known").is_dir() && dir.join("benign/top_domains.csv").exists() {
        return Some(dir);
    }
    let msg = format!("domain lists not found at {} (../shared beside the repository)", dir.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}: required in CI");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

fn known_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("known"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_known_row_is_read_or_counted() {
    let Some(dir) = shared_dir() else { return };
    for f in known_files(&dir) {
        let loaded = read_feed_path(&f).unwrap();
        let records = csv::Reader::from_path(&f).unwrap().records().count() as u64;
        assert_eq!(loaded.rows.len() as u64 + loaded.diagnostics.skipped, records, "{}", f.display());
        assert!(loaded.rows.iter().all(|r| !r.source.is_empty() && r.origin.contains(".csv:")), "{}", f.display());
    }
    let news = read_watchlist_path(&dir.join("benign/news_outlets.csv")).unwrap();
    let records = csv::Reader::from_path(dir.join("benign/news_outlets.csv")).unwrap().records().count() as u64;
    assert_eq!(news.rows.len() as u64 + news.diagnostics.skipped, records);
    for (reason, s) in &news.diagnostics.by_reason {
        assert!(s.examples.iter().all(|e| e.line > 1 && e.source.ends_with("news_outlets.csv")), "{reason}");
    }
}

#[test]
fn clones_named_in_notes_are_found_without_the_feed() {
    let Some(dir) = shared_dir() else { return };
    // Rows whose notes say which outlet they clone ("Clone de Bild.de", "Usurpation du journal …").
    let classifier = Classifier::new(Feed::new(), Matcher::new(Watchlist::builtin()));
    let mut total = 0;
    let mut found = 0;
    let mut missed = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in known_files(&dir) {
        for r in read_feed_path(&f).unwrap().rows {
            let note = r.notes.to_lowercase();
            if !(note.contains("clone de") || note.contains("usurpation du journal")) || !seen.insert(r.domain.clone())
            {
                continue;
            }
            total += 1;
            if classifier.classify(&r.domain).class == Class::LookAlike {
                found += 1;
            } else {
                missed.push(r.domain);
            }
        }
    }
    assert!(total >= 50, "only {total} clone rows");
    let recall = found as f64 / total as f64;
    assert!(recall >= 0.85, "recall {recall:.3} ({found}/{total}); missed {missed:?}");
}

#[test]
fn few_false_positives_on_the_top_list() {
    let Some(dir) = shared_dir() else { return };
    let classifier = Classifier::new(Feed::new(), Matcher::new(Watchlist::builtin()));
    let mut r = csv::Reader::from_path(dir.join("benign/top_domains.csv")).unwrap();
    let (mut n, mut fp) = (0, 0);
    for rec in r.records() {
        let c = classifier.classify(&rec.unwrap()[1]);
        if c.note.starts_with("own domain") {
            continue;
        }
        n += 1;
        fp += usize::from(c.class == Class::LookAlike);
    }
    assert!(n > 45_000);
    assert!((fp as f64) / (n as f64) <= 0.005, "{fp} false positives of {n}");
}
