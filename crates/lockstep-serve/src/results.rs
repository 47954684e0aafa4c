//! A finished run's results, loaded: the pipeline's [`Analysis`] plus indexes
//! built once (shares by account and by object, edges by account, members and
//! thresholded edges by group), from which every view is answered in memory.
//!
//! Why memory and not SQLite tables: a view reads a group's edges and their
//! co-shares, an account's posts, an object's shares; with the indexes these are
//! slices, answered in microseconds to milliseconds (docs/serve.md, figures),
//! and building them costs a fraction of the run itself. The run's tables are
//! also on disk (its output folder) for export and other tools.

use lockstep_core::{AccountId, Dataset};
use lockstep_detect::Detection;
use lockstep_pipeline::Analysis;
use lockstep_report::{edge_evidence, utc, Report};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Most timeline points a group view returns (the earliest co-shares first).
pub const TIMELINE_LIMIT: usize = 20_000;
/// Most posts an account or object view returns.
pub const ROWS_LIMIT: usize = 1_000;

/// Items grouped by a dense key: `items[offsets[k]..offsets[k + 1]]`.
#[derive(Debug, Default)]
struct Csr {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// Groups `0..n_items` by `key(i)` (`< n_keys`), keeping item order within a key.
    fn build(n_keys: usize, n_items: usize, key: impl Fn(usize) -> Option<usize>) -> Csr {
        let mut offsets = vec![0u32; n_keys + 1];
        for i in 0..n_items {
            if let Some(k) = key(i) {
                offsets[k + 1] += 1;
            }
        }
        for k in 0..n_keys {
            offsets[k + 1] += offsets[k];
        }
        let mut next = offsets.clone();
        let mut items = vec![0u32; offsets[n_keys] as usize];
        for i in 0..n_items {
            if let Some(k) = key(i) {
                items[next[k] as usize] = i as u32;
                next[k] += 1;
            }
        }
        Csr { offsets, items }
    }

    fn get(&self, k: usize) -> &[u32] {
        match (self.offsets.get(k), self.offsets.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Strings lowercased and joined with `\n` for substring search: one SIMD
/// scan of the whole text finds every match (`memchr::memmem`).
#[derive(Debug, Default)]
struct Haystack {
    text: String,
    /// Byte offset of each string in `text`.
    starts: Vec<usize>,
}

impl Haystack {
    fn new<'a>(strings: impl Iterator<Item = &'a str>) -> Haystack {
        let mut h = Haystack::default();
        for s in strings {
            h.starts.push(h.text.len());
            // A newline inside a string could join two strings in a match: it becomes a space.
            h.text.extend(s.chars().flat_map(char::to_lowercase).map(|c| if c == '\n' { ' ' } else { c }));
            h.text.push('\n');
        }
        h
    }

    /// Indices of the strings containing `q` (lowercase), in order, at most `limit`.
    fn find(&self, q: &str, limit: usize) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        // Newlines separate the strings (and were replaced inside them).
        if q.contains('\n') || q.is_empty() {
            return found;
        }
        for pos in memchr::memmem::find_iter(self.text.as_bytes(), q.as_bytes()) {
            let i = self.starts.partition_point(|&s| s <= pos) - 1;
            if found.last() != Some(&i) {
                found.push(i);
                if found.len() == limit {
                    break;
                }
            }
        }
        found
    }
}

/// A loaded run.
#[derive(Debug)]
pub struct Loaded {
    /// The analysis.
    pub analysis: Analysis,
    by_account: Csr,
    by_object: Csr,
    edges_of: Csr,
    /// Members of group `c` at `c - 1`, by name.
    members: Vec<Vec<AccountId>>,
    /// Thresholded edges of group `c` at `c - 1`.
    group_edges: Vec<Vec<u32>>,
    /// Community of each account id, when computed.
    community: Vec<Option<u32>>,
    /// Index into `fusion.domains` by domain.
    domain_index: HashMap<String, usize>,
    /// Account names, object values and linked domains, for search.
    search: [Haystack; 3],
    /// Group views already serialised, by group (they do not change).
    group_cache: std::sync::Mutex<HashMap<usize, axum::body::Bytes>>,
    /// The overview serialised, by its limit.
    overview_cache: std::sync::Mutex<HashMap<usize, axum::body::Bytes>>,
}

impl Loaded {
    /// Builds the indexes of `analysis` (and its report).
    pub fn new(analysis: Analysis) -> Loaded {
        let ds = &analysis.dataset;
        let det = &analysis.detection;
        let n_acc = ds.accounts.len();
        // Shares in time order within each account and object (input rank breaks ties).
        let mut by_time: Vec<u32> = (0..ds.shares.len() as u32).collect();
        by_time.sort_by_key(|&i| (ds.shares[i as usize].time, i));
        let remap =
            |csr: Csr| Csr { items: csr.items.iter().map(|&k| by_time[k as usize]).collect(), offsets: csr.offsets };
        let by_account =
            remap(Csr::build(n_acc, by_time.len(), |k| Some(ds.shares[by_time[k] as usize].account as usize)));
        let by_object = remap(Csr::build(ds.objects.len(), by_time.len(), |k| {
            Some(ds.shares[by_time[k] as usize].object as usize)
        }));
        // Edges by account: each edge under both of its accounts.
        let n_e = det.edges.len();
        let ends = Csr::build(n_acc, 2 * n_e, |i| {
            let e = &det.edges[i / 2];
            Some(if i % 2 == 0 { e.a } else { e.b } as usize)
        });
        let edges_of = Csr { offsets: ends.offsets, items: ends.items.into_iter().map(|i| i / 2).collect() };
        let n_groups = det.counts.components as usize;
        let mut members = vec![Vec::new(); n_groups];
        for a in &det.accounts {
            if let Some(c) = a.component {
                members[c as usize - 1].push(a.account);
            }
        }
        for m in &mut members {
            m.sort_by_key(|&a| det.account_rank[a as usize]);
        }
        let component = det.component_by_account(n_acc);
        let mut group_edges = vec![Vec::new(); n_groups];
        for (i, e) in det.edges.iter().enumerate() {
            if e.full.above_threshold {
                if let Some(c) = component[e.a as usize] {
                    group_edges[c as usize - 1].push(i as u32);
                }
            }
        }
        let mut community = det.communities.as_ref().map(|c| c.of_account.clone()).unwrap_or_default();
        community.resize(n_acc, None);
        let domain_index = analysis
            .fusion
            .as_ref()
            .map(|f| f.domains.iter().enumerate().map(|(i, d)| (d.classification.domain.clone(), i)).collect())
            .unwrap_or_default();
        // Built now, not on the first request.
        let _ = analysis.report();
        let search = [
            Haystack::new(ds.accounts.iter().map(|(_, s)| s)),
            Haystack::new(ds.objects.iter().map(|(_, s)| s)),
            Haystack::new(
                analysis.fusion.iter().flat_map(|f| f.domains.iter()).map(|d| d.classification.domain.as_str()),
            ),
        ];
        Loaded {
            analysis,
            by_account,
            by_object,
            edges_of,
            members,
            group_edges,
            community,
            domain_index,
            search,
            group_cache: Default::default(),
            overview_cache: Default::default(),
        }
    }

    fn ds(&self) -> &Dataset {
        &self.analysis.dataset
    }

    fn det(&self) -> &Detection {
        &self.analysis.detection
    }

    /// The report.
    pub fn report(&self) -> &Report {
        self.analysis.report()
    }

    /// Number of groups.
    pub fn groups(&self) -> usize {
        self.members.len()
    }

    /// Account id of a name.
    pub fn account(&self, name: &str) -> Option<AccountId> {
        self.ds().accounts.lookup(name)
    }

    fn name(&self, a: AccountId) -> &str {
        self.ds().accounts.get(a)
    }

    /// One group's row of the overview.
    fn group_row(&self, c: usize) -> Value {
        let det = self.det();
        let edges = &self.group_edges[c - 1];
        let n = self.members[c - 1].len();
        let coshares: u64 = edges.iter().map(|&e| det.edges[e as usize].full.weight as u64).sum();
        let max_score = edges.iter().map(|&e| det.significance.score[e as usize]).fold(0.0, f64::max);
        let pairs = (n * n.saturating_sub(1) / 2).max(1) as f64;
        let links = self.analysis.fusion.as_ref().and_then(|f| f.groups.iter().find(|g| g.component == c as u32));
        json!({
            "group": c,
            "accounts": n,
            "edges": edges.len(),
            "coshares": coshares,
            "strength": coshares as f64 / pairs,
            "max_score": max_score,
            "kinds": self.report().groups.iter().find(|g| g.summary.component == c as u32).map(|g| &g.summary.kinds),
            "flagged_links": links.map(|l| l.known_links + l.lookalike_links).unwrap_or(0),
            "outlets": links.map(|l| l.outlets.iter().map(|o| o.name.as_str()).collect::<Vec<_>>()).unwrap_or_default(),
        })
    }

    /// The run overview: figures, groups, communities, parameters, diagnostics and a summary in words.
    pub fn overview(&self, limit: usize) -> Value {
        let r = self.report();
        let c = &r.counts;
        let groups: Vec<Value> = (1..=self.groups().min(limit)).map(|g| self.group_row(g)).collect();
        let flagged = self
            .analysis
            .fusion
            .as_ref()
            .map(|f| f.groups.iter().filter(|g| g.known_links + g.lookalike_links > 0).count())
            .unwrap_or(0);
        let largest = self.members.first().map(|m| m.len()).unwrap_or(0);
        let summary = format!(
            "Read {} shares by {} accounts of {} objects. {} pairs of accounts shared the same object within {} s \
             ({} co-shares); {} pairs passed the threshold ({}), forming {} groups of {} accounts in all{}. {}",
            c.shares,
            c.accounts,
            c.objects,
            c.edges,
            r.parameters.window,
            c.coshares,
            c.edges_above_threshold,
            match r.significance.threshold_rule {
                lockstep_detect::ThresholdRule::Quantile => format!("co-shares above {}", r.threshold),
                lockstep_detect::ThresholdRule::Score =>
                    format!("edge score at least {}", r.significance.min_edge_score),
                lockstep_detect::ThresholdRule::Both => {
                    format!("co-shares above {} and score at least {}", r.threshold, r.significance.min_edge_score)
                }
            },
            c.components,
            c.coordinated_accounts,
            if largest > 0 { format!(" (the largest has {largest})") } else { String::new() },
            if flagged > 0 {
                format!("{flagged} groups linked to known operation domains or look-alikes of news outlets.")
            } else {
                "No group linked to a known operation domain or a look-alike of a news outlet.".to_string()
            }
        );
        json!({
            "summary": summary,
            "counts": c,
            "parameters": r.parameters,
            "significance": r.significance,
            "threshold": r.threshold,
            "inputs": r.inputs,
            "diagnostics": r.diagnostics,
            "kinds": r.kinds,
            "groups_total": self.groups(),
            "groups": groups,
            "communities": r.communities,
            "modularity": r.modularity,
            "window_estimate": r.window_estimate,
        })
    }

    /// A group: members, edges (the network), timeline of co-shares, top objects, flagged domains.
    pub fn group(&self, c: usize) -> Option<Value> {
        if c == 0 || c > self.groups() {
            return None;
        }
        let ds = self.ds();
        let det = self.det();
        let members = &self.members[c - 1];
        let edges = &self.group_edges[c - 1];
        let member_rows: Vec<Value> = members
            .iter()
            .map(|&a| {
                let stat = det.accounts.binary_search_by_key(&a, |s| s.account).ok().map(|i| &det.accounts[i]);
                json!({
                    "account": self.name(a),
                    "degree": stat.map(|s| s.degree),
                    "shares": stat.map(|s| s.shares),
                    "coshared_posts": stat.map(|s| s.coshared_posts),
                    "avg_time_delta": stat.and_then(|s| s.avg_time_delta),
                    "community": self.community[a as usize],
                })
            })
            .collect();
        let edge_rows: Vec<Value> = edges
            .iter()
            .map(|&e| {
                let x = &det.edges[e as usize];
                let (a, b) = (self.name(x.a), self.name(x.b));
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                json!({
                    "a": a, "b": b,
                    "weight": x.full.weight,
                    "score": det.significance.score[e as usize],
                    "avg_time_delta": x.full.avg_time_delta(),
                })
            })
            .collect();
        // Timeline: every share in a co-share of the group's edges, once, by time.
        let mut shares: Vec<u32> = Vec::new();
        let mut per_object: HashMap<u32, u64> = HashMap::new();
        for &e in edges {
            for &r in det.evidence(e as usize) {
                let cs = &det.coshares[r as usize];
                shares.push(cs.early);
                shares.push(cs.late);
                *per_object.entry(cs.object).or_default() += 1;
            }
        }
        shares.sort_unstable_by_key(|&s| (ds.shares[s as usize].time, s));
        shares.dedup();
        let timeline_total = shares.len();
        let timeline: Vec<Value> = shares
            .iter()
            .take(TIMELINE_LIMIT)
            .map(|&s| {
                let sh = &ds.shares[s as usize];
                json!({
                    "time": sh.time,
                    "account": self.name(sh.account),
                    "object": ds.objects.get(sh.object),
                    "kind": ds.kind_of(sh.object),
                    "post": ds.posts.get(sh.post),
                })
            })
            .collect();
        let mut top: Vec<(u32, u64)> = per_object.into_iter().collect();
        top.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| ds.objects.get(x.0).cmp(ds.objects.get(y.0))));
        let top_objects: Vec<Value> = top
            .iter()
            .take(20)
            .map(|&(o, n)| json!({"object": ds.objects.get(o), "kind": ds.kind_of(o), "coshares": n}))
            .collect();
        let (links, domains) = match &self.analysis.fusion {
            Some(f) => (
                f.groups.iter().find(|g| g.component == c as u32).cloned(),
                f.domains
                    .iter()
                    .filter(|d| d.groups.binary_search(&(c as u32)).is_ok())
                    .filter(|d| {
                        matches!(
                            d.classification.class,
                            lockstep_domains::Class::Known | lockstep_domains::Class::LookAlike
                        )
                    })
                    .take(50)
                    .collect::<Vec<_>>(),
            ),
            None => (None, vec![]),
        };
        Some(json!({
            "group": c,
            "row": self.group_row(c),
            "members": member_rows,
            "edges": edge_rows,
            "timeline": timeline,
            "timeline_total": timeline_total,
            "top_objects": top_objects,
            "domain_links": links,
            "flagged_domains": domains,
        }))
    }

    /// [`Loaded::overview`] as JSON bytes, serialised once per limit (at most 16 kept).
    pub fn overview_json(&self, limit: usize) -> axum::body::Bytes {
        if let Some(hit) = self.overview_cache.lock().unwrap_or_else(|e| e.into_inner()).get(&limit) {
            return hit.clone();
        }
        let bytes = axum::body::Bytes::from(serde_json::to_vec(&self.overview(limit)).unwrap_or_default());
        let mut cache = self.overview_cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= 16 {
            cache.clear();
        }
        cache.insert(limit, bytes.clone());
        bytes
    }

    /// [`Loaded::group`] as JSON bytes, serialised once per group (the most
    /// recently asked groups, at most 64, are kept).
    pub fn group_json(&self, c: usize) -> Option<axum::body::Bytes> {
        if let Some(hit) = self.group_cache.lock().unwrap_or_else(|e| e.into_inner()).get(&c) {
            return Some(hit.clone());
        }
        let bytes = axum::body::Bytes::from(serde_json::to_vec(&self.group(c)?).ok()?);
        let mut cache = self.group_cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.insert(c, bytes.clone());
        Some(bytes)
    }

    /// The co-shares behind the edge between two accounts (`None`: no such account or edge).
    pub fn evidence(&self, a: &str, b: &str) -> Option<Value> {
        let (x, y) = (self.account(a)?, self.account(b)?);
        let det = self.det();
        let e = det.find_edge(x, y)?;
        let edge = &det.edges[e];
        let rows: Vec<Value> = edge_evidence(self.ds(), det, e, x)
            .iter()
            .map(|r| {
                json!({
                    "kind": r.kind, "object": r.object,
                    "post_a": r.post_a, "time_a": utc(r.time_a),
                    "post_b": r.post_b, "time_b": utc(r.time_b),
                    "delay": r.delta,
                    "first": if r.a_first { a } else { b },
                    "fast": r.fast,
                })
            })
            .collect();
        Some(json!({
            "a": a, "b": b,
            "weight": edge.full.weight,
            "score": det.significance.score[e],
            "expected": det.significance.expected[e],
            "above_threshold": edge.full.above_threshold,
            "rows": rows,
        }))
    }

    /// An account: its posts, co-sharing partners and group.
    pub fn account_view(&self, name: &str) -> Option<Value> {
        let a = self.account(name)?;
        let ds = self.ds();
        let det = self.det();
        let shares = self.by_account.get(a as usize);
        let posts: Vec<Value> = shares
            .iter()
            .take(ROWS_LIMIT)
            .map(|&s| {
                let sh = &ds.shares[s as usize];
                json!({"time": utc(sh.time), "post": ds.posts.get(sh.post), "object": ds.objects.get(sh.object), "kind": ds.kind_of(sh.object)})
            })
            .collect();
        let mut partners: Vec<u32> = self.edges_of.get(a as usize).to_vec();
        partners.sort_by(|&x, &y| {
            let (ex, ey) = (&det.edges[x as usize], &det.edges[y as usize]);
            ey.full.weight.cmp(&ex.full.weight).then(x.cmp(&y))
        });
        let component = det.accounts.binary_search_by_key(&a, |s| s.account).ok().map(|i| &det.accounts[i]);
        let partner_rows: Vec<Value> = partners
            .iter()
            .take(ROWS_LIMIT)
            .map(|&e| {
                let x = &det.edges[e as usize];
                let other = if x.a == a { x.b } else { x.a };
                json!({
                    "account": self.name(other),
                    "weight": x.full.weight,
                    "score": det.significance.score[e as usize],
                    "above_threshold": x.full.above_threshold,
                    "avg_time_delta": x.full.avg_time_delta(),
                })
            })
            .collect();
        Some(json!({
            "account": name,
            "shares": shares.len(),
            "posts": posts,
            "partners_total": partners.len(),
            "partners": partner_rows,
            "group": component.and_then(|s| s.component),
            "degree": component.map(|s| s.degree),
            "community": self.community[a as usize],
        }))
    }

    /// An object (by kind and value; any kind when `kind` is empty): who shared it when.
    pub fn object_view(&self, kind: &str, value: &str) -> Option<Value> {
        let ds = self.ds();
        let o = (0..ds.kinds.len() as u32)
            .filter(|&k| kind.is_empty() || ds.kinds.get(k) == kind)
            .find_map(|k| ds.objects.lookup_in(k, value))?;
        let det = self.det();
        let shares = self.by_object.get(o as usize);
        let rows: Vec<Value> = shares
            .iter()
            .take(ROWS_LIMIT)
            .map(|&s| {
                let sh = &ds.shares[s as usize];
                json!({"time": utc(sh.time), "account": self.name(sh.account), "post": ds.posts.get(sh.post)})
            })
            .collect();
        // `objects` is ordered by object id.
        let stat = det.objects.binary_search_by_key(&o, |s| s.object).ok().map(|i| &det.objects[i]);
        let domain = lockstep_domains::domain::parse_domain(value).ok().and_then(|h| self.domain_row(&h.display));
        Some(json!({
            "object": value,
            "kind": ds.kind_of(o),
            "shares_total": shares.len(),
            "shares": rows,
            "coshares": stat.map(|s| s.coshares),
            "coordinated_accounts": stat.map(|s| s.coordinated_accounts),
            "domain": domain,
        }))
    }

    fn domain_row(&self, host: &str) -> Option<Value> {
        let f = self.analysis.fusion.as_ref()?;
        let i = *self.domain_index.get(host)?;
        serde_json::to_value(&f.domains[i]).ok()
    }

    /// A linked domain: its verdict and why, its shares and groups.
    pub fn domain_view(&self, host: &str) -> Option<Value> {
        self.domain_row(host)
    }

    /// Accounts, objects and domains containing `q` (case-insensitive), at most `limit` of each.
    pub fn search(&self, q: &str, limit: usize) -> Value {
        let q = q.to_lowercase();
        let ds = self.ds();
        let accounts: Vec<&str> =
            self.search[0].find(&q, limit).into_iter().map(|i| ds.accounts.get(i as u32)).collect();
        let objects: Vec<Value> = self.search[1]
            .find(&q, limit)
            .into_iter()
            .map(|i| json!({"object": ds.objects.get(i as u32), "kind": ds.kind_of(i as u32)}))
            .collect();
        let domains: Vec<&str> = match &self.analysis.fusion {
            Some(f) => self.search[2]
                .find(&q, limit)
                .into_iter()
                .map(|i| f.domains[i].classification.domain.as_str())
                .collect(),
            None => Vec::new(),
        };
        json!({"q": q, "accounts": accounts, "objects": objects, "domains": domains})
    }

    /// The thresholded edges of group `c` with their evidence, for an export: (a, b, weight, score, rows).
    pub fn group_export(&self, c: usize) -> Option<(Vec<Value>, Vec<Value>, Vec<String>)> {
        let g = self.group(c)?;
        let edges = g["edges"].as_array().cloned().unwrap_or_default();
        let mut evidence = Vec::new();
        for e in &edges {
            let (a, b) = (e["a"].as_str().unwrap_or(""), e["b"].as_str().unwrap_or(""));
            if let Some(ev) = self.evidence(a, b) {
                for row in ev["rows"].as_array().into_iter().flatten() {
                    let mut row = row.clone();
                    row["a"] = json!(a);
                    row["b"] = json!(b);
                    evidence.push(row);
                }
            }
        }
        let members = self.members[c - 1].iter().map(|&a| self.name(a).to_string()).collect();
        Some((edges, evidence, members))
    }
}

#[cfg(test)]
mod tests {
    use super::Haystack;

    #[test]
    fn search_finds_each_string_once_in_order_whatever_the_case() {
        let h = Haystack::new(["Alice", "bob", "ALIALI", "x\nali", "carol"].into_iter());
        assert_eq!(h.find("ali", 10), [0, 2, 3]);
        assert_eq!(h.find("ali", 2), [0, 2]);
        assert_eq!(h.find("e\nb", 10), Vec::<usize>::new(), "no match across two strings");
        assert_eq!(h.find("carol", 10), [4]);
        assert_eq!(h.find("zz", 10), Vec::<usize>::new());
    }
}
