//! Fusion on a generated scenario: the planted `lookalike_domains` network (which
//! pushes links to look-alike domains such as `bild.vip` and `fox-news.top`) is
//! annotated with its look-alike links and the imitated outlets, found by the
//! detector alone (no feed); the other planted networks are not. Through the
//! pipeline, which joins detection and domains.

use lockstep_core::NoProgress;
use lockstep_detect::{Params, Window};
use lockstep_domains::{Class, Classifier, Feed, Matcher, Watchlist};
use lockstep_pipeline::{analyse, Read, RunOptions};
use lockstep_synth::{generate_dataset, ScenarioConfig};
use std::collections::BTreeMap;

#[test]
fn planted_lookalike_network_is_annotated() {
    let cfg = ScenarioConfig::new(200_000, 42);
    let (ds, scenario) = generate_dataset(&cfg);
    let params =
        Params { window: Window::Seconds(300), min_participation: 5, edge_quantile: 0.95, ..Params::default() };
    let classifier = Classifier::new(Feed::new(), Matcher::new(Watchlist::builtin()));
    let opts = RunOptions { domains: Some(classifier), ..RunOptions::default() };
    let analysis = analyse(Read { dataset: ds, ..Read::default() }, &opts, &params, &NoProgress).unwrap();
    let (ds, found) = (&analysis.dataset, &analysis.detection);
    let fusion = analysis.fusion.as_ref().expect("domains classified");

    // Component of each planted network (by majority of its members).
    let component = found.component_by_account(ds.accounts.len());
    let mut votes: BTreeMap<(&str, &str), BTreeMap<u32, usize>> = BTreeMap::new();
    for t in &scenario.truth {
        let id = ds.accounts.lookup(&t.account).expect("planted account posts");
        if let Some(c) = component[id as usize] {
            *votes.entry((t.group.as_str(), t.style.as_str())).or_default().entry(c).or_default() += 1;
        }
    }
    let mut lookalike_groups = 0;
    for ((group, style), by_component) in &votes {
        let (&c, _) = by_component.iter().max_by_key(|(_, n)| **n).unwrap();
        let links = fusion.groups.iter().find(|g| g.component == c).expect("group with links");
        if *style == "lookalike_domains" {
            lookalike_groups += 1;
            assert!(links.lookalike_links > 0, "{group}: {links:?}");
            // Ranked by the share of flagged links, it comes first.
            let top = fusion.groups.iter().max_by(|a, b| a.flagged_share.total_cmp(&b.flagged_share)).unwrap();
            assert_eq!(top.component, c, "{group}: {links:?}");
            let outlets: Vec<&str> = links.outlets.iter().map(|o| o.name.as_str()).collect();
            assert!(
                outlets.iter().all(|o| [
                    "The Washington Post (washingtonpost.com)",
                    "Der Spiegel (spiegel.de)",
                    "Bild (bild.de)",
                    "Fox News (foxnews.com)"
                ]
                .contains(o)),
                "{group}: {outlets:?}"
            );
        } else {
            assert_eq!(links.known_links + links.lookalike_links, 0, "{group} ({style}): {links:?}");
        }
    }
    assert!(lookalike_groups >= 1, "no planted look-alike network was detected: {votes:?}");
    // Each look-alike domain is one row, classified once, with the groups that pushed it.
    let flagged: Vec<_> = fusion.domains.iter().filter(|d| d.classification.class == Class::LookAlike).collect();
    assert!(!flagged.is_empty());
    assert!(flagged.iter().all(|d| !d.groups.is_empty() && d.shares > 0 && d.accounts > 0));
    let mut names: Vec<&str> = fusion.domains.iter().map(|d| d.classification.domain.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), fusion.domains.len());
}
