//! Fusion with coordination: which linked domains are known operation domains or
//! look-alikes, how often they were shared, and which groups pushed them. A
//! group is any numbering of accounts the caller gives (the pipeline gives the
//! components of the thresholded network); this crate knows nothing of detection.
//!
//! Objects whose kind is one of the link kinds (`url`, `domain` by default) are
//! parsed to hosts; each distinct host is classified once. Objects that are not
//! domain names (an IP address, a malformed URL) are counted in
//! [`Fusion::not_domains`], never dropped silently.

use crate::classify::{Class, Classification, Classifier};
use crate::domain::parse_domain;
use hashbrown::HashMap;
use lockstep_core::Dataset;
use rayon::prelude::*;
use serde::Serialize;

/// Object kinds whose values are links.
pub const LINK_KINDS: &[&str] = &["url", "domain"];

/// One linked domain (host) with its verdict and who shared it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainRow {
    /// The verdict (its `input` is the first object value seen for this host).
    #[serde(flatten)]
    pub classification: Classification,
    /// Shares of links to this host.
    pub shares: u64,
    /// Distinct accounts that shared them.
    pub accounts: u64,
    /// Groups (components) whose members shared them, ascending.
    pub groups: Vec<u32>,
}

/// Counted links of one group's members to one outlet or operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedCount {
    /// Outlet name or operation.
    pub name: String,
    /// Links (shares).
    pub links: u64,
}

/// What one group linked to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLinks {
    /// Component number (as in the report's groups).
    pub component: u32,
    /// Shares of links by the group's members.
    pub links: u64,
    /// Of which to known operation domains.
    pub known_links: u64,
    /// Of which to look-alike domains (not counting known ones).
    pub lookalike_links: u64,
    /// `(known_links + lookalike_links) / links`: a ranking key.
    pub flagged_share: f64,
    /// Outlets imitated by the look-alike (and known) domains they linked to, most linked first.
    pub outlets: Vec<NamedCount>,
    /// Operations of the known domains they linked to, most linked first.
    pub operations: Vec<NamedCount>,
}

/// The result of [`annotate`].
#[derive(Debug, Clone, Default)]
pub struct Fusion {
    /// Every linked host: known first, then look-alikes, then clean; by shares
    /// (descending), then by domain.
    pub domains: Vec<DomainRow>,
    /// One entry per group with at least one link, by component.
    pub groups: Vec<GroupLinks>,
    /// Link objects that are not domain names (distinct objects).
    pub not_domains: u64,
}

/// Per group while counting: links, known, look-alike, outlets, operations.
type GroupAcc = (u64, u64, u64, HashMap<String, u64>, HashMap<String, u64>);

/// Classifies every distinct linked host of `ds` once and joins the verdicts with
/// the shares and, when given, the groups: `group_of[account]` is the group of
/// each account id (`None`: in no group).
pub fn annotate(
    ds: &Dataset,
    group_of: Option<&[Option<u32>]>,
    classifier: &Classifier,
    link_kinds: &[&str],
) -> Fusion {
    let kinds: Vec<bool> = (0..ds.kinds.len() as u32).map(|k| link_kinds.contains(&ds.kinds.get(k))).collect();
    // Object -> host index.
    let mut host_of_object = vec![u32::MAX; ds.objects.len()];
    let mut hosts: Vec<(String, String)> = Vec::new(); // (host, first input)
    let mut host_ids: HashMap<String, u32> = HashMap::new();
    let mut not_domains = 0;
    for (id, value) in ds.objects.iter() {
        if !kinds[ds.object_kind[id as usize] as usize] {
            continue;
        }
        match parse_domain(value) {
            Ok(d) => {
                let next = hosts.len() as u32;
                let h = *host_ids.entry(d.host.clone()).or_insert_with(|| {
                    hosts.push((d.host, value.to_string()));
                    next
                });
                host_of_object[id as usize] = h;
            }
            Err(_) => not_domains += 1,
        }
    }
    let verdicts: Vec<Classification> = hosts.par_iter().map(|(_, input)| classifier.classify(input)).collect();

    let component = group_of.unwrap_or_default();
    let mut shares = vec![0u64; hosts.len()];
    let mut pairs: Vec<(u32, u32)> = Vec::new(); // (host, account) of every link share
    let mut host_groups: Vec<(u32, u32)> = Vec::new(); // (host, component)
    for s in &ds.shares {
        let h = host_of_object[s.object as usize];
        if h == u32::MAX {
            continue;
        }
        shares[h as usize] += 1;
        pairs.push((h, s.account));
        if let Some(Some(c)) = component.get(s.account as usize) {
            host_groups.push((h, *c));
        }
    }
    let accounts = lockstep_core::distinct_per_bucket(hosts.len(), &pairs, ds.accounts.len());
    drop(pairs);

    // Per group: links by class, counted per share.
    let mut per_group: std::collections::BTreeMap<u32, GroupAcc> = std::collections::BTreeMap::new();
    for &(h, c) in &host_groups {
        let v = &verdicts[h as usize];
        let g = per_group.entry(c).or_default();
        g.0 += 1;
        match v.class {
            Class::Known => {
                g.1 += 1;
                *g.4.entry(v.operation.clone()).or_default() += 1;
            }
            Class::LookAlike => g.2 += 1,
            _ => {}
        }
        if !v.outlet.is_empty() {
            *g.3.entry(format!("{} ({})", v.outlet, v.outlet_domain)).or_default() += 1;
        }
    }
    host_groups.par_sort_unstable();
    host_groups.dedup();
    let mut groups_of_host: Vec<Vec<u32>> = vec![Vec::new(); hosts.len()];
    for &(h, c) in &host_groups {
        groups_of_host[h as usize].push(c);
    }

    let ranked = |m: HashMap<String, u64>| {
        let mut v: Vec<NamedCount> = m.into_iter().map(|(name, links)| NamedCount { name, links }).collect();
        v.sort_by(|a, b| b.links.cmp(&a.links).then_with(|| a.name.cmp(&b.name)));
        v
    };
    let groups = per_group
        .into_iter()
        .map(|(component, (links, known, lookalike, outlets, operations))| GroupLinks {
            component,
            links,
            known_links: known,
            lookalike_links: lookalike,
            flagged_share: if links == 0 {
                0.0
            } else {
                ((known + lookalike) as f64 / links as f64 * 1e4).round() / 1e4
            },
            outlets: ranked(outlets),
            operations: ranked(operations),
        })
        .collect();

    let mut domains: Vec<DomainRow> = verdicts
        .into_iter()
        .enumerate()
        .map(|(h, classification)| DomainRow {
            classification,
            shares: shares[h],
            accounts: u64::from(accounts[h]),
            groups: std::mem::take(&mut groups_of_host[h]),
        })
        .collect();
    domains.sort_by(|a, b| {
        a.classification
            .class
            .cmp(&b.classification.class)
            .then_with(|| b.shares.cmp(&a.shares))
            .then_with(|| a.classification.domain.cmp(&b.classification.domain))
    });
    Fusion { domains, groups, not_domains }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Feed, Matcher, Watchlist};

    #[test]
    fn counts_shares_accounts_and_skips_other_kinds() {
        let mut ds = Dataset::default();
        ds.push("a", "https://spiegel.ltd/x", "url", "p1", 0);
        ds.push("b", "https://spiegel.ltd/y", "url", "p2", 1);
        ds.push("a", "https://spiegel.ltd/y", "url", "p3", 2);
        ds.push("c", "https://www.spiegel.de/", "url", "p4", 3);
        ds.push("c", "#spiegel", "hashtag", "p5", 4);
        ds.push("d", "http://10.0.0.1/", "url", "p6", 5);
        let classifier = Classifier::new(Feed::builtin(), Matcher::new(Watchlist::builtin()));
        let f = annotate(&ds, None, &classifier, LINK_KINDS);
        assert_eq!(f.not_domains, 1);
        let got: Vec<(&str, Class, u64, u64)> = f
            .domains
            .iter()
            .map(|d| (d.classification.domain.as_str(), d.classification.class, d.shares, d.accounts))
            .collect();
        assert_eq!(got, [("spiegel.ltd", Class::Known, 3, 2), ("www.spiegel.de", Class::Clean, 1, 1)]);
        assert!(f.groups.is_empty());
    }
}
