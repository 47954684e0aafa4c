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
use crate::domain::{parse_domain, DomainName};
use crate::lookalike::{Behaviour, Matcher, Verdict};
use crate::watchlist::{OutletDomain, Watchlist, WatchlistRow, SHARED_SOURCE};
use hashbrown::{HashMap, HashSet};
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

/// Minimum number of distinct accounts that shared links to a registrable domain
/// for it to become a target of its own ([`crate::lookalike::Origin::Shared`]).
pub const SHARED_TARGET_MIN_ACCOUNTS: u64 = 20;
/// At most this many of the most widely shared registrable domains become targets.
pub const SHARED_TARGETS_MAX: usize = 2000;

/// The shape of a URL's path, the way an outlet writes its links: the first
/// segment as written (a section: `politik`), then each later segment's kind
/// (`n` number, `s` hyphenated slug, `w` word, `x` other) and the last one's
/// extension (`.html`). `None` for fewer than three segments: `/article/123` is
/// what every site writes, too little to compare.
///
/// ```
/// use lockstep_domains::fusion::path_shape;
/// assert_eq!(path_shape("https://a.example/politik/ausland/so-geht-es-1234.html").as_deref(), Some("politik/w/s.html"));
/// assert_eq!(path_shape("https://b.example/politik/inland/was-nun-99.html"), path_shape("https://x.vip/politik/inland/a-b.html"));
/// assert_eq!(path_shape("https://a.example/"), None);
/// assert_eq!(path_shape("https://a.example/article/123"), None);
/// ```
pub fn path_shape(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split_once('/').map(|(_, p)| p)?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // Two segments (`/article/123`) are what every site writes.
    if segs.len() < 3 {
        return None;
    }
    let mut out = segs[0].to_lowercase();
    for (i, seg) in segs.iter().enumerate().skip(1) {
        let (stem, ext) = match seg.rsplit_once('.') {
            Some((a, e))
                if i == segs.len() - 1
                    && !e.is_empty()
                    && e.len() <= 5
                    && e.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                (a, Some(e))
            }
            _ => (*seg, None),
        };
        let kind = if stem.bytes().all(|b| b.is_ascii_digit()) && !stem.is_empty() {
            'n'
        } else if stem.contains('-') {
            's'
        } else if stem.bytes().all(|b| b.is_ascii_alphabetic()) && !stem.is_empty() {
            'w'
        } else {
            'x'
        };
        out.push('/');
        out.push(kind);
        if let Some(e) = ext {
            out.push('.');
            out.push_str(&e.to_ascii_lowercase());
        }
    }
    Some(out)
}

/// Classifies every distinct linked host of `ds` once and joins the verdicts with
/// the shares and, when given, the groups: `group_of[account]` is the group of
/// each account id (`None`: in no group).
///
/// What the data says is evidence too ([`Behaviour`]): a host shared by two or more
/// accounts of one group is **coordinated**; a host whose URL paths have the shape
/// of the imitated outlet's own links in the same data **mirrors its paths**
/// ([`path_shape`]). The registrable domains shared by at least
/// [`SHARED_TARGET_MIN_ACCOUNTS`] accounts (the [`SHARED_TARGETS_MAX`] most shared)
/// are targets too, after the classifier's own.
pub fn annotate(
    ds: &Dataset,
    group_of: Option<&[Option<u32>]>,
    classifier: &Classifier,
    link_kinds: &[&str],
) -> Fusion {
    let kinds: Vec<bool> = (0..ds.kinds.len() as u32).map(|k| link_kinds.contains(&ds.kinds.get(k))).collect();
    // Object -> host index.
    let mut host_of_object = vec![u32::MAX; ds.objects.len()];
    let mut hosts: Vec<(DomainName, String)> = Vec::new(); // (parsed host, first input)
    let mut host_ids: HashMap<String, u32> = HashMap::new();
    let mut not_domains = 0;
    for (id, value) in ds.objects.iter() {
        if !kinds[ds.object_kind[id as usize] as usize] {
            continue;
        }
        match parse_domain(value) {
            Ok(d) => {
                let next = hosts.len() as u32;
                let h = match host_ids.get(d.host.as_str()) {
                    Some(&h) => h,
                    None => {
                        host_ids.insert(d.host.clone(), next);
                        hosts.push((d, value.to_string()));
                        next
                    }
                };
                host_of_object[id as usize] = h;
            }
            Err(_) => not_domains += 1,
        }
    }

    let component = group_of.unwrap_or_default();
    let mut shares = vec![0u64; hosts.len()];
    let mut pairs: Vec<(u32, u32)> = Vec::new(); // (host, account) of every link share
    let mut host_groups: Vec<(u32, u32)> = Vec::new(); // (host, component)
    let mut group_accounts: Vec<(u32, u32, u32)> = Vec::new(); // (host, component, account)
    for s in &ds.shares {
        let h = host_of_object[s.object as usize];
        if h == u32::MAX {
            continue;
        }
        shares[h as usize] += 1;
        pairs.push((h, s.account));
        if let Some(Some(c)) = component.get(s.account as usize) {
            host_groups.push((h, *c));
            group_accounts.push((h, *c, s.account));
        }
    }
    let accounts = lockstep_core::distinct_per_bucket(hosts.len(), &pairs, ds.accounts.len());
    drop(pairs);
    // Coordinated: two or more accounts of one group shared the host.
    group_accounts.par_sort_unstable();
    group_accounts.dedup();
    let mut coordinated = vec![false; hosts.len()];
    for w in group_accounts.windows(2) {
        if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
            coordinated[w[0].0 as usize] = true;
        }
    }
    drop(group_accounts);

    // Widely shared registrable domains as targets of their own.
    let mut by_registrable: HashMap<&str, (u64, Vec<u32>)> = HashMap::new();
    for (h, (d, _)) in hosts.iter().enumerate() {
        let e = by_registrable.entry(d.registrable.as_str()).or_default();
        e.0 += u64::from(accounts[h]);
        e.1.push(h as u32);
    }
    let mut widely: Vec<(&str, u64)> = by_registrable
        .iter()
        .filter(|(_, (a, _))| *a >= SHARED_TARGET_MIN_ACCOUNTS)
        .map(|(r, (a, _))| (*r, *a))
        .collect();
    widely.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    widely.truncate(SHARED_TARGETS_MAX);
    let extra = (!widely.is_empty()).then(|| {
        let rows: Vec<WatchlistRow> = widely
            .iter()
            .filter_map(|&(r, a)| {
                let d = parse_domain(r).ok()?;
                Some(WatchlistRow {
                    domain: OutletDomain { domain: d.registrable.clone(), label: d.label_unicode, suffix: d.suffix },
                    name: d.registrable,
                    country: String::new(),
                    source: format!("{SHARED_SOURCE}:{a}"),
                    rank: 0,
                })
            })
            .collect();
        Matcher::new(Watchlist::from_rows(rows)).with_min_score(classifier.matcher.min_score())
    });

    // Path mirror: for each host with a candidate target, do its URL paths have
    // the shape of the target's own links in the data?
    let behaviour0: Vec<Behaviour> =
        coordinated.iter().map(|&c| Behaviour { coordinated: c, path_mirror: false }).collect();
    let candidates: Vec<Option<String>> = hosts
        .par_iter()
        .zip(&behaviour0)
        .map(|((d, _), &b)| {
            let target = |m: &Matcher, l: &crate::LookAlike| {
                m.outlets()[l.outlet as usize].domains[l.domain as usize].domain.clone()
            };
            let main = &classifier.matcher;
            match main.check_with(d, b) {
                Verdict::LookAlike(l) | Verdict::Below(l) => Some(target(main, &l)),
                Verdict::Own { .. } => None,
                Verdict::NoMatch => match extra.as_ref().map(|x| (x, x.check_with(d, b))) {
                    Some((x, Verdict::LookAlike(l) | Verdict::Below(l))) => Some(target(x, &l)),
                    _ => None,
                },
            }
        })
        .collect();
    let mut wanted: HashMap<u32, ()> = HashMap::new(); // hosts whose path shapes are needed
    for (h, t) in candidates.iter().enumerate() {
        if let Some(t) = t {
            wanted.insert(h as u32, ());
            if let Some((_, hs)) = by_registrable.get(t.as_str()) {
                wanted.extend(hs.iter().map(|&x| (x, ())));
            }
        }
    }
    let mut shapes: HashMap<u32, HashSet<String>> = HashMap::new();
    if !wanted.is_empty() {
        for (id, value) in ds.objects.iter() {
            let h = host_of_object[id as usize];
            if h != u32::MAX && wanted.contains_key(&h) {
                if let Some(s) = path_shape(value) {
                    shapes.entry(h).or_default().insert(s);
                }
            }
        }
    }
    let behaviour: Vec<Behaviour> = candidates
        .iter()
        .enumerate()
        .map(|(h, t)| {
            let mut b = behaviour0[h];
            if let (Some(t), Some(mine)) = (t, shapes.get(&(h as u32))) {
                let theirs = by_registrable.get(t.as_str()).map(|(_, hs)| hs.as_slice()).unwrap_or_default();
                b.path_mirror = theirs
                    .iter()
                    .filter(|&&x| x != h as u32)
                    .filter_map(|x| shapes.get(x))
                    .any(|s| mine.iter().any(|m| s.contains(m)));
            }
            b
        })
        .collect();
    drop(by_registrable);
    let verdicts: Vec<Classification> = hosts
        .par_iter()
        .zip(&behaviour)
        .map(|((d, input), &b)| classifier.classify_full(input, d, b, extra.as_ref()))
        .collect();

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

    fn verdict<'a>(f: &'a Fusion, domain: &str) -> &'a Classification {
        &f.domains.iter().find(|d| d.classification.domain == domain).unwrap().classification
    }

    /// A watchlist of made-up outlets, reviewed by the user.
    fn listed(domains: &[&str]) -> Classifier {
        let mut text = String::from("domain,name,country,language,source\n");
        for d in domains {
            text.push_str(&format!("{d},{d},XX,en,my-list\n"));
        }
        let l = crate::read_watchlist_csv(text.as_bytes(), "w.csv").unwrap();
        Classifier::new(Feed::new(), Matcher::new(Watchlist::from_rows(l.rows)))
    }

    #[test]
    fn coordinated_sharing_is_evidence() {
        // A popular brand's name on another TLD is not enough on its own
        // (`brightwidget.site` could be the brand's); shared by two members of one
        // coordinated group, it is.
        let targets = crate::read_targets_csv("1,brightwidget.com\n".as_bytes(), "top.csv").unwrap();
        let classifier = Classifier::new(Feed::new(), Matcher::new(Watchlist::from_rows(targets.rows)));
        let mut ds = Dataset::default();
        ds.push("a", "https://brightwidget.site/x", "url", "p1", 0);
        ds.push("b", "https://brightwidget.site/y", "url", "p2", 1);
        ds.push("c", "https://brightwidget.shop/y", "url", "p3", 2);
        ds.push("d", "https://brightwidget.shop/z", "url", "p4", 3);
        let alone = annotate(&ds, None, &classifier, LINK_KINDS);
        assert_eq!(verdict(&alone, "brightwidget.site").class, Class::Clean);
        assert!(verdict(&alone, "brightwidget.site").why.contains("popular brand"), "{:?}", alone.domains);
        // Accounts a and b form group 1; c and d are in no group.
        let groups = [Some(1), Some(1), None, None];
        let f = annotate(&ds, Some(&groups), &classifier, LINK_KINDS);
        let v = verdict(&f, "brightwidget.site");
        assert_eq!(v.class, Class::LookAlike, "{v:?}");
        assert!(v.why.contains("shared by a coordinated group"), "{}", v.why);
        assert_eq!(verdict(&f, "brightwidget.shop").class, Class::Clean);
    }

    #[test]
    fn paths_in_the_outlets_style_are_evidence() {
        // The same name on a national ccTLD is most often a namesake (0.95 × 0.5);
        // with links shaped like the outlet's own, it is an imitation.
        let classifier = listed(&["kestrelherald.com"]);
        let mut ds = Dataset::default();
        for (i, slug) in ["storm-hits-coast-1234", "vote-count-5678"].iter().enumerate() {
            ds.push(
                &format!("r{i}"),
                &format!("https://kestrelherald.com/politik/inland/{slug}.html"),
                "url",
                &format!("q{i}"),
                i as i64,
            );
        }
        ds.push("x", "https://kestrelherald.de/politik/inland/fake-claim-99.html", "url", "p1", 10);
        ds.push("y", "https://kestrelherald.nl/", "url", "p2", 11);
        let f = annotate(&ds, None, &classifier, LINK_KINDS);
        let v = verdict(&f, "kestrelherald.de");
        assert_eq!(v.class, Class::LookAlike, "{v:?}");
        assert!(v.why.contains("URL paths in the outlet's style"), "{}", v.why);
        let v = verdict(&f, "kestrelherald.nl");
        assert_eq!(v.class, Class::Clean, "{v:?}");
        assert!(v.why.starts_with("below the minimum score"), "{}", v.why);
    }

    #[test]
    fn widely_shared_hosts_are_targets() {
        // `quillgazette.com` is in no list but 25 accounts link to it: its name on a
        // cheap TLD is a look-alike; the widely shared host itself stays clean.
        let classifier = listed(&["unrelated-outlet.org"]);
        let mut ds = Dataset::default();
        for i in 0..25 {
            ds.push(&format!("u{i}"), &format!("https://www.quillgazette.com/a/{i}"), "url", &format!("p{i}"), i);
        }
        ds.push("z", "https://quillgazette.ltd/a/1", "url", "z1", 99);
        let f = annotate(&ds, None, &classifier, LINK_KINDS);
        let v = verdict(&f, "quillgazette.ltd");
        assert_eq!((v.class, v.outlet_domain.as_str()), (Class::LookAlike, "quillgazette.com"), "{v:?}");
        assert!(v.why.contains("shared in the data by 25 accounts"), "{}", v.why);
        assert_eq!(verdict(&f, "www.quillgazette.com").class, Class::Clean);
    }
}
