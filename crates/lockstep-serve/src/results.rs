//! A finished run's results, loaded: what [`crate::saved`] keeps of the
//! pipeline's analysis plus indexes built once (shares by account and by
//! object, edges by account, members and thresholded edges by group), from
//! which every view is answered in memory.
//!
//! Why memory and not SQLite tables: a view reads a group's edges and their
//! co-shares, an account's posts, an object's shares; with the indexes these are
//! slices, answered in microseconds to milliseconds (docs/serve.md, figures),
//! and building them costs a fraction of the run itself. The run's tables are
//! also on disk (its output folder) for export and other tools, beside the
//! file a restarted server loads ([`crate::saved`]).

use crate::saved::{Net, Saved};
use lockstep_core::{AccountId, Dataset};
use lockstep_report::utc;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Most timeline points a group view returns (the earliest co-shares first).
pub const TIMELINE_LIMIT: usize = 20_000;
/// Most posts or partners an account view, or shares an object view, returns in one page.
pub const ROWS_LIMIT: usize = 1_000;
/// Rows of a page of an account or object view when the request does not say.
pub const ROWS_PAGE: usize = 200;

/// A page of a list: rows from `offset`, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Rows skipped.
    pub offset: usize,
    /// Most rows.
    pub limit: usize,
}

impl Page {
    /// The first [`ROWS_PAGE`] rows.
    pub const FIRST: Page = Page { offset: 0, limit: ROWS_PAGE };

    fn of<T>(self, rows: &[T]) -> &[T] {
        let from = self.offset.min(rows.len());
        &rows[from..from + self.limit.min(ROWS_LIMIT).min(rows.len() - from)]
    }
}
/// Most edges a group view returns (the heaviest); the rest by pages of
/// [`Loaded::group_edges_page`].
pub const GROUP_EDGES_LIMIT: usize = 10_000;

/// A time range of a group's timeline: UNIX seconds from and to (inclusive), `None` for open.
pub type Span = (Option<i64>, Option<i64>);

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

/// Strings lowercased and joined with `\n` for substring search, with an
/// index of the text's byte bigrams and trigrams by block.
///
/// The text is cut into blocks of about [`BLOCK`] bytes at string boundaries
/// (a string is never split, so no match crosses a block). For every bigram
/// and trigram of bytes the index lists the blocks that contain it. A query
/// of 2 bytes or more is looked for only in the blocks that hold all of its
/// trigrams (its bigram when it has 2 bytes), in order, with one SIMD scan
/// per block (`memchr::memmem`): the same strings in the same order as a scan
/// of the whole text, which a query of 1 byte still does. At 10M posts the
/// object text is hundreds of MB; a rare query now reads a few blocks of it.
/// Blocks rather than strings keep the index small (a posting per distinct
/// n-gram per block, not per string).
#[derive(Debug, Default)]
struct Haystack {
    text: String,
    /// Byte offset of each string in `text`.
    starts: Vec<usize>,
    /// Byte offset of each block in `text`, then `text.len()`.
    blocks: Vec<usize>,
    /// Blocks (ascending) holding each n-gram, by [`gram`] key.
    grams: HashMap<u32, Vec<u32>>,
}

/// Target size of a block of [`Haystack`] text, in bytes.
const BLOCK: usize = 16 * 1024;

/// Key of a bigram or trigram of bytes (distinct for every bigram and trigram).
fn gram(g: &[u8]) -> u32 {
    match *g {
        [a, b] => 1 << 24 | u32::from(a) << 8 | u32::from(b),
        [a, b, c] => 2 << 24 | u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c),
        _ => 0,
    }
}

impl Haystack {
    fn new<'a>(strings: impl Iterator<Item = &'a str>) -> Haystack {
        let mut h = Haystack::default();
        for s in strings {
            if h.text.len() - h.blocks.last().copied().unwrap_or(0) >= BLOCK || h.blocks.is_empty() {
                h.blocks.push(h.text.len());
            }
            h.starts.push(h.text.len());
            // A newline inside a string could join two strings in a match: it becomes a space.
            h.text.extend(s.chars().flat_map(char::to_lowercase).map(|c| if c == '\n' { ' ' } else { c }));
            h.text.push('\n');
        }
        h.blocks.push(h.text.len());
        let mut keys: Vec<u32> = Vec::new();
        for b in 0..h.blocks.len() - 1 {
            let block = &h.text.as_bytes()[h.blocks[b]..h.blocks[b + 1]];
            keys.clear();
            keys.extend(block.windows(2).map(gram));
            keys.extend(block.windows(3).map(gram));
            keys.sort_unstable();
            keys.dedup();
            for &k in &keys {
                h.grams.entry(k).or_default().push(b as u32);
            }
        }
        for list in h.grams.values_mut() {
            list.shrink_to_fit();
        }
        h
    }

    /// Blocks that may hold `q` (at least 2 bytes), ascending.
    fn candidates(&self, q: &[u8]) -> Vec<u32> {
        let mut lists: Vec<&[u32]> = Vec::new();
        let n = if q.len() == 2 { 2 } else { 3 };
        for g in q.windows(n) {
            match self.grams.get(&gram(g)) {
                Some(list) => lists.push(list),
                None => return Vec::new(),
            }
        }
        lists.sort_by_key(|l| l.len());
        let (first, rest) = lists.split_first().expect("a query of 2 bytes or more has an n-gram");
        first.iter().copied().filter(|b| rest.iter().all(|l| l.binary_search(b).is_ok())).collect()
    }

    /// Indices of the strings containing `q` (lowercase), in order, at most `limit`.
    fn find(&self, q: &str, limit: usize) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        // Newlines separate the strings (and were replaced inside them).
        if q.contains('\n') || q.is_empty() {
            return found;
        }
        let ranges: Vec<(usize, usize)> = if q.len() < 2 {
            vec![(0, self.text.len())]
        } else {
            self.candidates(q.as_bytes())
                .iter()
                .map(|&b| (self.blocks[b as usize], self.blocks[b as usize + 1]))
                .collect()
        };
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        for (from, to) in ranges {
            for pos in finder.find_iter(&self.text.as_bytes()[from..to]) {
                let i = self.starts.partition_point(|&s| s <= from + pos) - 1;
                if found.last() != Some(&i) {
                    found.push(i);
                    if found.len() == limit {
                        return found;
                    }
                }
            }
        }
        found
    }

    /// [`Haystack::find`] by one scan of the whole text, without the index (for tests).
    #[cfg(test)]
    fn scan(&self, q: &str, limit: usize) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
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

// Answers serialised straight from these rows (no `serde_json::Value` per row: the account, object
// and edge-page views build hundreds of rows per request). Fields in alphabetical order, the order
// of a `Value`'s keys, so the JSON is the same bytes as before.

/// An edge of a group: its accounts' names in order, mean delay, score, co-shares.
#[derive(Debug, Serialize)]
pub struct EdgeOut<'a> {
    a: &'a str,
    avg_time_delta: f64,
    b: &'a str,
    score: f64,
    weight: u32,
}

/// A page of a group's edges.
#[derive(Debug, Serialize)]
pub struct EdgesPage<'a> {
    edges: Vec<EdgeOut<'a>>,
    edges_total: usize,
    group: usize,
    offset: usize,
}

/// A post of an account.
#[derive(Debug, Serialize)]
struct PostOut<'a> {
    kind: &'a str,
    object: &'a str,
    post: &'a str,
    time: String,
}

/// A co-sharing partner of an account.
#[derive(Debug, Serialize)]
struct PartnerOut<'a> {
    above_threshold: bool,
    account: &'a str,
    avg_time_delta: f64,
    score: f64,
    weight: u32,
}

/// The account view.
#[derive(Debug, Serialize)]
pub struct AccountView<'a> {
    account: &'a str,
    community: Option<u32>,
    degree: Option<u32>,
    group: Option<u32>,
    partners: Vec<PartnerOut<'a>>,
    partners_offset: usize,
    partners_total: usize,
    posts: Vec<PostOut<'a>>,
    posts_offset: usize,
    shares: usize,
}

/// A share of an object.
#[derive(Debug, Serialize)]
struct ShareOut<'a> {
    account: &'a str,
    post: &'a str,
    time: String,
}

/// The object view.
#[derive(Debug, Serialize)]
pub struct ObjectView<'a> {
    coordinated_accounts: Option<u32>,
    coshares: Option<u32>,
    domain: Option<Value>,
    kind: &'a str,
    object: &'a str,
    offset: usize,
    shares: Vec<ShareOut<'a>>,
    shares_total: usize,
}

/// A group view serialised: the JSON, and the same gzip-compressed (for clients that accept it:
/// at 10M posts a large group's answer is megabytes; compressed once, it is sent in a fraction).
#[derive(Debug, Clone)]
pub struct GroupAnswer {
    /// The JSON.
    pub json: axum::body::Bytes,
    /// The JSON, gzip-compressed.
    pub gzip: axum::body::Bytes,
}

/// A loaded run.
#[derive(Debug)]
pub struct Loaded {
    /// The shares and their strings.
    ds: Dataset,
    /// The network, statistics and the parts of the report the views quote.
    net: Net,
    /// The overview but its groups.
    overview_head: Value,
    /// Tool, parameters, inputs and diagnostics, for exports.
    provenance: Value,
    /// What the store keeps of the run.
    summary: Value,
    by_account: Csr,
    by_object: Csr,
    edges_of: Csr,
    /// Members of group `c` at `c - 1`, by name.
    members: Vec<Vec<AccountId>>,
    /// Thresholded edges of group `c` at `c - 1`, heaviest first (then by index).
    group_edges: Vec<Vec<u32>>,
    /// Index into the domains by domain.
    domain_index: HashMap<String, usize>,
    /// Account names, object values and linked domains, for search: built on the first search
    /// or in the background after loading ([`Loaded::warm_search`]), not before the first view.
    search: std::sync::OnceLock<[Haystack; 3]>,
    /// Group views already serialised, by group and time range (they do not change).
    group_cache: std::sync::Mutex<HashMap<(usize, Span), GroupAnswer>>,
    /// The overview serialised, by its limit.
    overview_cache: std::sync::Mutex<HashMap<usize, axum::body::Bytes>>,
}

impl Loaded {
    /// Builds the indexes of a saved run; fails when its parts do not fit together.
    pub fn new(saved: Saved) -> Result<Loaded, String> {
        let Saved { dataset, net, .. } = saved;
        let ds = dataset.into_dataset()?;
        let n_acc = ds.accounts.len();
        let n_e = net.edges.len();
        let fits = net.evidence_offsets.len() == n_e + 1
            && net.evidence_offsets.windows(2).all(|w| w[0] <= w[1])
            && net.evidence_offsets.last().is_some_and(|&o| o as usize == net.coshares.len())
            && net.edges.iter().all(|e| (e.a as usize) < n_acc && (e.b as usize) < n_acc)
            && net.coshares.iter().all(|c| {
                (c.early as usize) < ds.shares.len()
                    && (c.late as usize) < ds.shares.len()
                    && (c.object as usize) < ds.objects.len()
            })
            && net
                .accounts
                .iter()
                .all(|a| (a.account as usize) < n_acc && a.component.is_none_or(|c| c >= 1 && c <= net.groups))
            && net.account_rank.len() == n_acc
            && net.community.len() == n_acc
            && net.group_kinds.len() == net.groups as usize
            && net.group_links.len() == net.groups as usize;
        if !fits {
            return Err("the saved run's parts do not fit together".into());
        }
        let parse = |s: &str| serde_json::from_str::<Value>(s).map_err(|e| format!("saved run: {e}"));
        let overview_head = parse(&net.overview)?;
        let provenance = parse(&net.provenance)?;
        let summary = parse(&net.summary)?;
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
        // Edges by account, each edge under both of its accounts, heaviest first (then by index):
        // the order of the account view's partners, sorted once here rather than per request.
        let mut by_weight: Vec<u32> = (0..n_e as u32).collect();
        by_weight.sort_unstable_by_key(|&e| (std::cmp::Reverse(net.edges[e as usize].weight), e));
        let ends = Csr::build(n_acc, 2 * n_e, |i| {
            let e = &net.edges[by_weight[i / 2] as usize];
            Some(if i % 2 == 0 { e.a } else { e.b } as usize)
        });
        let edges_of =
            Csr { offsets: ends.offsets, items: ends.items.into_iter().map(|i| by_weight[i as usize / 2]).collect() };

        let n_groups = net.groups as usize;
        let mut members = vec![Vec::new(); n_groups];
        let mut component = vec![None; n_acc];
        for a in &net.accounts {
            if let Some(c) = a.component {
                members[c as usize - 1].push(a.account);
                component[a.account as usize] = Some(c);
            }
        }
        for m in &mut members {
            m.sort_by_key(|&a| net.account_rank[a as usize]);
        }
        let mut group_edges = vec![Vec::new(); n_groups];
        for &i in &by_weight {
            let e = &net.edges[i as usize];
            if e.above_threshold {
                if let Some(c) = component[e.a as usize] {
                    group_edges[c as usize - 1].push(i);
                }
            }
        }
        drop(by_weight);
        let domains = net.domains.as_deref().unwrap_or_default();
        let domain_index = domains.iter().enumerate().map(|(i, d)| (d.domain.clone(), i)).collect();
        // The lookup tables, built now rather than on the first request.
        let _ = ds.accounts.lookup("");
        let _ = ds.objects.lookup("");
        Ok(Loaded {
            ds,
            net,
            overview_head,
            provenance,
            summary,
            by_account,
            by_object,
            edges_of,
            members,
            group_edges,
            domain_index,
            search: Default::default(),
            group_cache: Default::default(),
            overview_cache: Default::default(),
        })
    }

    fn ds(&self) -> &Dataset {
        &self.ds
    }

    /// Builds the search index if it is not yet (at 10M posts it takes seconds: [`crate::jobs`]
    /// calls this in the background after a load, so that the first views do not wait for it).
    pub fn warm_search(&self) {
        self.search_index();
    }

    /// The search index, built now if it is not yet (when another thread is building it, this
    /// one waits for it).
    fn search_index(&self) -> &[Haystack; 3] {
        self.search.get_or_init(|| {
            let domains = self.net.domains.as_deref().unwrap_or_default();
            [
                Haystack::new(self.ds.accounts.iter().map(|(_, s)| s)),
                Haystack::new(self.ds.objects.iter().map(|(_, s)| s)),
                Haystack::new(domains.iter().map(|d| d.domain.as_str())),
            ]
        })
    }

    /// Tool, schema version, parameters, inputs and diagnostics of the run's report.
    pub fn provenance(&self) -> &Value {
        &self.provenance
    }

    /// What the store keeps of the run: counts, groups, skipped records, window.
    pub fn summary(&self) -> &Value {
        &self.summary
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

    /// Statistics of an account of the full network.
    fn account_stat(&self, a: AccountId) -> Option<&crate::saved::AccountRow> {
        let accounts = &self.net.accounts;
        accounts.binary_search_by_key(&a, |s| s.account).ok().map(|i| &accounts[i])
    }

    /// Index of the edge between accounts `x` and `y` (edges are ordered by their names' ranks).
    fn find_edge(&self, x: AccountId, y: AccountId) -> Option<usize> {
        let rank = &self.net.account_rank;
        let (rx, ry) = (*rank.get(x as usize)?, *rank.get(y as usize)?);
        let key = (rx.min(ry), rx.max(ry));
        self.net
            .edges
            .binary_search_by(|e| {
                let (ra, rb) = (rank[e.a as usize], rank[e.b as usize]);
                (ra.min(rb), ra.max(rb)).cmp(&key)
            })
            .ok()
    }

    /// The co-shares behind edge `e`.
    fn evidence_of(&self, e: usize) -> &[crate::saved::CoshareRow] {
        let o = &self.net.evidence_offsets;
        &self.net.coshares[o[e] as usize..o[e + 1] as usize]
    }

    /// A linked domain's row, parsed.
    fn domain_json(&self, i: usize) -> Option<Value> {
        let d = self.net.domains.as_ref()?.get(i)?;
        serde_json::from_str(&d.json).ok()
    }

    /// What group `c` linked to, parsed.
    fn group_links(&self, c: usize) -> Option<Value> {
        let text = self.net.group_links.get(c - 1)?.as_deref()?;
        serde_json::from_str(text).ok()
    }

    /// One group's row of the overview.
    fn group_row(&self, c: usize) -> Value {
        let net = &self.net;
        let edges = &self.group_edges[c - 1];
        let n = self.members[c - 1].len();
        let coshares: u64 = edges.iter().map(|&e| net.edges[e as usize].weight as u64).sum();
        let max_score = edges.iter().map(|&e| net.edges[e as usize].score).fold(0.0, f64::max);
        let pairs = (n * n.saturating_sub(1) / 2).max(1) as f64;
        let links = self.group_links(c);
        let count = |k: &str| links.as_ref().and_then(|l| l[k].as_u64()).unwrap_or(0);
        let outlets: Vec<Value> = links
            .as_ref()
            .and_then(|l| l["outlets"].as_array())
            .map(|o| o.iter().map(|x| x["name"].clone()).collect())
            .unwrap_or_default();
        let kinds: Value = serde_json::from_str(&net.group_kinds[c - 1]).unwrap_or(Value::Null);
        json!({
            "group": c,
            "accounts": n,
            "edges": edges.len(),
            "coshares": coshares,
            "strength": coshares as f64 / pairs,
            "max_score": max_score,
            "kinds": kinds,
            "flagged_links": count("known_links") + count("lookalike_links"),
            "outlets": outlets,
        })
    }

    /// The run overview: figures, groups, communities, parameters, diagnostics and a summary in words.
    pub fn overview(&self, limit: usize) -> Value {
        let groups: Vec<Value> = (1..=self.groups().min(limit)).map(|g| self.group_row(g)).collect();
        let mut o = self.overview_head.clone();
        o["groups"] = Value::Array(groups);
        o
    }

    /// A group: members, edges (the network), timeline of co-shares, top objects, flagged domains.
    /// The timeline holds the group's co-shared shares in `span` (the earliest [`TIMELINE_LIMIT`]),
    /// `timeline_total` how many there are in it.
    pub fn group(&self, c: usize, span: Span) -> Option<Value> {
        if c == 0 || c > self.groups() {
            return None;
        }
        let ds = self.ds();
        let net = &self.net;
        let members = &self.members[c - 1];
        let edges = &self.group_edges[c - 1];
        let member_rows: Vec<Value> = members
            .iter()
            .map(|&a| {
                let stat = self.account_stat(a);
                json!({
                    "account": self.name(a),
                    "degree": stat.map(|s| s.degree),
                    "shares": stat.map(|s| s.shares),
                    "coshared_posts": stat.map(|s| s.coshared_posts),
                    "avg_time_delta": stat.and_then(|s| s.avg_time_delta),
                    "community": net.community[a as usize],
                })
            })
            .collect();
        // Columns of the heaviest edges, their accounts as indexes into the members.
        let index: HashMap<AccountId, u32> = members.iter().enumerate().map(|(i, &a)| (a, i as u32)).collect();
        let edge_columns = self.edge_columns(&edges[..edges.len().min(GROUP_EDGES_LIMIT)], &index);
        // Timeline: every share in a co-share of the group's edges, once, by time.
        let mut shares: Vec<u32> = Vec::new();
        let mut per_object: HashMap<u32, u64> = HashMap::new();
        for &e in edges {
            for cs in self.evidence_of(e as usize) {
                shares.push(cs.early);
                shares.push(cs.late);
                *per_object.entry(cs.object).or_default() += 1;
            }
        }
        let (from, to) = (span.0.unwrap_or(i64::MIN), span.1.unwrap_or(i64::MAX));
        shares.retain(|&s| (from..=to).contains(&ds.shares[s as usize].time));
        shares.sort_unstable_by_key(|&s| (ds.shares[s as usize].time, s));
        shares.dedup();
        let timeline_total = shares.len();
        shares.truncate(TIMELINE_LIMIT);
        let timeline = self.timeline_columns(&shares, &index);
        let mut top: Vec<(u32, u64)> = per_object.into_iter().collect();
        top.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| ds.objects.get(x.0).cmp(ds.objects.get(y.0))));
        let top_objects: Vec<Value> = top
            .iter()
            .take(20)
            .map(|&(o, n)| json!({"object": ds.objects.get(o), "kind": ds.kind_of(o), "coshares": n}))
            .collect();
        let links = self.group_links(c);
        let domains: Vec<Value> = match &net.domains {
            Some(d) => (0..d.len())
                .filter(|&i| d[i].flagged && d[i].groups.binary_search(&(c as u32)).is_ok())
                .take(50)
                .filter_map(|i| self.domain_json(i))
                .collect(),
            None => vec![],
        };
        Some(json!({
            "group": c,
            "row": self.group_row(c),
            "members": member_rows,
            "edges": edge_columns,
            "edges_total": edges.len(),
            "timeline": timeline,
            "timeline_total": timeline_total,
            "timeline_from": span.0,
            "timeline_to": span.1,
            "top_objects": top_objects,
            "domain_links": links,
            "flagged_domains": domains,
        }))
    }

    /// The two accounts of edge `x`, the one whose name sorts first first.
    fn ends(&self, x: &crate::saved::EdgeRow) -> (AccountId, AccountId) {
        if self.name(x.a) <= self.name(x.b) {
            (x.a, x.b)
        } else {
            (x.b, x.a)
        }
    }

    /// Rows of edges (names in order, weight, score, mean delay), for edge pages and exports.
    fn edge_rows(&self, edges: &[u32]) -> Vec<EdgeOut<'_>> {
        edges
            .iter()
            .map(|&e| {
                let x = &self.net.edges[e as usize];
                let (a, b) = self.ends(x);
                EdgeOut {
                    a: self.name(a),
                    avg_time_delta: x.avg_time_delta,
                    b: self.name(b),
                    score: x.score,
                    weight: x.weight,
                }
            })
            .collect()
    }

    /// The group view's edges as columns: `a` and `b` (the one whose name sorts first in `a`) as
    /// indexes into the members (`index`), `weight`, `score`, `avg_time_delta`.
    fn edge_columns(&self, edges: &[u32], index: &HashMap<AccountId, u32>) -> Value {
        let rows: Vec<&crate::saved::EdgeRow> = edges.iter().map(|&e| &self.net.edges[e as usize]).collect();
        let ends: Vec<(u32, u32)> = rows
            .iter()
            .map(|x| {
                let (a, b) = self.ends(x);
                (index[&a], index[&b])
            })
            .collect();
        json!({
            "a": ends.iter().map(|e| e.0).collect::<Vec<u32>>(),
            "b": ends.iter().map(|e| e.1).collect::<Vec<u32>>(),
            "weight": rows.iter().map(|x| x.weight).collect::<Vec<u32>>(),
            "score": rows.iter().map(|x| x.score).collect::<Vec<f64>>(),
            "avg_time_delta": rows.iter().map(|x| x.avg_time_delta).collect::<Vec<f64>>(),
        })
    }

    /// The group view's timeline as columns: `time`, `account` (an index into the members, `index`),
    /// `object` (an index into `objects`: value and kind of each object once, in order of first
    /// appearance) and `post` of each share.
    fn timeline_columns(&self, shares: &[u32], index: &HashMap<AccountId, u32>) -> Value {
        let ds = self.ds();
        let mut object_index: HashMap<u32, u32> = HashMap::new();
        let mut objects: Vec<Value> = Vec::new();
        let mut object_col: Vec<u32> = Vec::with_capacity(shares.len());
        for &s in shares {
            let o = ds.shares[s as usize].object;
            let i = *object_index.entry(o).or_insert_with(|| {
                objects.push(json!({"object": ds.objects.get(o), "kind": ds.kind_of(o)}));
                objects.len() as u32 - 1
            });
            object_col.push(i);
        }
        json!({
            "time": shares.iter().map(|&s| ds.shares[s as usize].time).collect::<Vec<i64>>(),
            "account": shares.iter().map(|&s| index[&ds.shares[s as usize].account]).collect::<Vec<u32>>(),
            "object": object_col,
            "post": shares.iter().map(|&s| ds.posts.get(ds.shares[s as usize].post)).collect::<Vec<&str>>(),
            "objects": objects,
        })
    }

    /// A page of group `c`'s edges in the group view's order (heaviest first, then the saved
    /// edge order): `limit` edges from `offset`, with the total.
    pub fn group_edges_page(&self, c: usize, offset: usize, limit: usize) -> Option<EdgesPage<'_>> {
        let edges = self.group_edges.get(c.checked_sub(1)?)?;
        let page = edges.get(offset.min(edges.len())..offset.saturating_add(limit).min(edges.len()))?;
        Some(EdgesPage { edges: self.edge_rows(page), edges_total: edges.len(), group: c, offset })
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

    /// [`Loaded::group`] as JSON bytes, and gzip-compressed, serialised and compressed once per group
    /// and span (the most recently asked are kept: at most 64 answers and 256 MB).
    pub fn group_json(&self, c: usize, span: Span) -> Option<GroupAnswer> {
        if let Some(hit) = self.group_cache.lock().unwrap_or_else(|e| e.into_inner()).get(&(c, span)) {
            return Some(hit.clone());
        }
        let json = serde_json::to_vec(&self.group(c, span)?).ok()?;
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::new(6));
        std::io::Write::write_all(&mut gz, &json).ok()?;
        let answer = GroupAnswer { gzip: gz.finish().ok()?.into(), json: json.into() };
        let mut cache = self.group_cache.lock().unwrap_or_else(|e| e.into_inner());
        let size = |a: &GroupAnswer| a.json.len() + a.gzip.len();
        if cache.len() >= 64 || cache.values().map(size).sum::<usize>() + size(&answer) > 256 << 20 {
            cache.clear();
        }
        cache.insert((c, span), answer.clone());
        Some(answer)
    }

    /// The co-shares behind the edge between two accounts (`None`: no such account or edge),
    /// as `lockstep explain` lists them: by the earlier share's time, then kind, object, `post_a`, `post_b`.
    pub fn evidence(&self, a: &str, b: &str) -> Option<Value> {
        let (x, y) = (self.account(a)?, self.account(b)?);
        let ds = self.ds();
        let e = self.find_edge(x, y)?;
        let edge = &self.net.edges[e];
        let has_fast = self.net.has_fast;
        let mut rows: Vec<(usize, &crate::saved::CoshareRow, &lockstep_core::Share, &lockstep_core::Share)> = self
            .evidence_of(e)
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (early, late) = (&ds.shares[c.early as usize], &ds.shares[c.late as usize]);
                if early.account == x {
                    (i, c, early, late)
                } else {
                    (i, c, late, early)
                }
            })
            .collect();
        let key = |r: &(usize, &crate::saved::CoshareRow, &lockstep_core::Share, &lockstep_core::Share)| {
            let (i, c, sa, sb) = *r;
            (
                sa.time.min(sb.time),
                ds.kind_of(c.object),
                ds.objects.get(c.object),
                ds.posts.get(sa.post),
                ds.posts.get(sb.post),
                i,
            )
        };
        rows.sort_by(|p, q| key(p).cmp(&key(q)));
        let rows: Vec<Value> = rows
            .iter()
            .map(|&(_, c, sa, sb)| {
                json!({
                    "kind": ds.kind_of(c.object), "object": ds.objects.get(c.object),
                    "post_a": ds.posts.get(sa.post), "time_a": utc(sa.time),
                    "post_b": ds.posts.get(sb.post), "time_b": utc(sb.time),
                    "delay": ds.shares[c.late as usize].time - ds.shares[c.early as usize].time,
                    "first": if ds.shares[c.early as usize].account == x { a } else { b },
                    "fast": has_fast.then_some(c.fast),
                })
            })
            .collect();
        Some(json!({
            "a": a, "b": b,
            "weight": edge.weight,
            "score": edge.score,
            "expected": edge.expected,
            "above_threshold": edge.above_threshold,
            "rows": rows,
        }))
    }

    /// An account: a page of its posts (in time order), a page of its co-sharing partners (heaviest
    /// first) and its group.
    pub fn account_view<'a>(&'a self, name: &'a str, posts_page: Page, partners_page: Page) -> Option<AccountView<'a>> {
        let a = self.account(name)?;
        let ds = self.ds();
        let net = &self.net;
        let shares = self.by_account.get(a as usize);
        let posts: Vec<PostOut> = posts_page
            .of(shares)
            .iter()
            .map(|&s| {
                let sh = &ds.shares[s as usize];
                PostOut {
                    kind: ds.kind_of(sh.object),
                    object: ds.objects.get(sh.object),
                    post: ds.posts.get(sh.post),
                    time: utc(sh.time),
                }
            })
            .collect();
        // Heaviest first, then by edge index (ordered so when loaded).
        let partners = self.edges_of.get(a as usize);
        let stat = self.account_stat(a);
        let partner_rows: Vec<PartnerOut> = partners_page
            .of(partners)
            .iter()
            .map(|&e| {
                let x = &net.edges[e as usize];
                let other = if x.a == a { x.b } else { x.a };
                PartnerOut {
                    above_threshold: x.above_threshold,
                    account: self.name(other),
                    avg_time_delta: x.avg_time_delta,
                    score: x.score,
                    weight: x.weight,
                }
            })
            .collect();
        Some(AccountView {
            account: name,
            community: net.community[a as usize],
            degree: stat.map(|s| s.degree),
            group: stat.and_then(|s| s.component),
            partners: partner_rows,
            partners_offset: partners_page.offset,
            partners_total: partners.len(),
            posts,
            posts_offset: posts_page.offset,
            shares: shares.len(),
        })
    }

    /// An object (by kind and value; any kind when `kind` is empty): who shared it when (a page,
    /// in time order).
    pub fn object_view<'a>(&'a self, kind: &str, value: &'a str, page: Page) -> Option<ObjectView<'a>> {
        let ds = self.ds();
        let o = (0..ds.kinds.len() as u32)
            .filter(|&k| kind.is_empty() || ds.kinds.get(k) == kind)
            .find_map(|k| ds.objects.lookup_in(k, value))?;
        let shares = self.by_object.get(o as usize);
        let rows: Vec<ShareOut> = page
            .of(shares)
            .iter()
            .map(|&s| {
                let sh = &ds.shares[s as usize];
                ShareOut { account: self.name(sh.account), post: ds.posts.get(sh.post), time: utc(sh.time) }
            })
            .collect();
        // `objects` is ordered by object id.
        let objects = &self.net.objects;
        let stat = objects.binary_search_by_key(&o, |s| s.object).ok().map(|i| &objects[i]);
        let domain = lockstep_domains::domain::parse_domain(value).ok().and_then(|h| self.domain_row(&h.display));
        Some(ObjectView {
            coordinated_accounts: stat.map(|s| s.coordinated_accounts),
            coshares: stat.map(|s| s.coshares),
            domain,
            kind: ds.kind_of(o),
            object: value,
            offset: page.offset,
            shares: rows,
            shares_total: shares.len(),
        })
    }

    fn domain_row(&self, host: &str) -> Option<Value> {
        self.domain_json(*self.domain_index.get(host)?)
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
            self.search_index()[0].find(&q, limit).into_iter().map(|i| ds.accounts.get(i as u32)).collect();
        let objects: Vec<Value> = self.search_index()[1]
            .find(&q, limit)
            .into_iter()
            .map(|i| json!({"object": ds.objects.get(i as u32), "kind": ds.kind_of(i as u32)}))
            .collect();
        let domains: Vec<&str> = match &self.net.domains {
            Some(d) => self.search_index()[2].find(&q, limit).into_iter().map(|i| d[i].domain.as_str()).collect(),
            None => Vec::new(),
        };
        json!({"q": q, "accounts": accounts, "objects": objects, "domains": domains})
    }

    /// Every thresholded edge of group `c` (in the saved edge order) with its evidence, for an
    /// export: (a, b, weight, score, rows).
    pub fn group_export(&self, c: usize) -> Option<(Vec<Value>, Vec<Value>, Vec<String>)> {
        let mut ids = self.group_edges.get(c.checked_sub(1)?)?.clone();
        ids.sort_unstable();
        let edges: Vec<Value> = self.edge_rows(&ids).into_iter().map(|e| json!(e)).collect();
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
    use super::{Haystack, Loaded, Saved};
    use lockstep_report::{edge_evidence, utc};

    #[test]
    fn evidence_is_what_explain_lists_for_every_edge() {
        let analysis = generated_run();
        let l = Loaded::new(Saved::new(&analysis)).unwrap();
        let (ds, det) = (&analysis.dataset, &analysis.detection);
        assert!(det.edges.len() > 100, "{} edges", det.edges.len());
        for (e, edge) in det.edges.iter().enumerate() {
            let (a, b) = (ds.accounts.get(edge.b), ds.accounts.get(edge.a));
            let got = l.evidence(a, b).unwrap();
            let want = edge_evidence(ds, det, e, edge.b);
            let rows = got["rows"].as_array().unwrap();
            assert_eq!(rows.len(), want.len());
            for (g, w) in rows.iter().zip(&want) {
                assert_eq!(g["post_a"], w.post_a);
                assert_eq!(g["post_b"], w.post_b);
                assert_eq!(g["time_a"], utc(w.time_a));
                assert_eq!(g["delay"], w.delta);
                assert_eq!(g["first"], if w.a_first { a } else { b });
                assert_eq!(g["fast"], serde_json::json!(w.fast));
                assert_eq!(g["object"], w.object);
            }
            assert_eq!(got["weight"], edge.full.weight);
            assert_eq!(got["score"], det.significance.score[e]);
        }
    }

    /// A run of 20,000 generated posts with a fast window.
    fn generated_run() -> lockstep_pipeline::Analysis {
        let dir = tempfile::tempdir().unwrap();
        let (p, t) = (dir.path().join("posts.csv"), dir.path().join("truth.csv"));
        let cfg = lockstep_synth::ScenarioConfig::preset(lockstep_synth::ScenarioKind::Background, 20_000, 7);
        lockstep_synth::write_csv(&cfg, &p, &t).unwrap();
        let params = lockstep_detect::Params {
            window: lockstep_detect::Window::Seconds(60),
            fast_window: Some(10),
            ..lockstep_detect::Params::default()
        };
        let opts = lockstep_pipeline::RunOptions::default();
        lockstep_pipeline::run(&[lockstep_pipeline::Input::path(&p)], &opts, &params, &lockstep_core::NoProgress)
            .unwrap()
    }

    #[test]
    fn indexed_search_finds_what_a_whole_scan_finds() {
        let analysis = generated_run();
        let ds = &analysis.dataset;
        let strings: Vec<&str> = ds.objects.iter().map(|(_, s)| s).chain(ds.accounts.iter().map(|(_, s)| s)).collect();
        let h = Haystack::new(strings.iter().copied());
        assert!(h.blocks.len() > 10, "{} blocks: the test needs several", h.blocks.len());
        // Queries: pieces of the strings (2 to 9 bytes, at char boundaries), in other case, and absent ones.
        let mut queries: Vec<String> =
            vec!["zzqx".into(), "é".into(), "ab".into(), "http".into(), "#".into(), "\u{3a3}x".into()];
        let mut seed = 17u64;
        for _ in 0..600 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let s = strings[(seed >> 33) as usize % strings.len()];
            let chars: Vec<char> = s.chars().collect();
            let at = (seed >> 20) as usize % chars.len().max(1);
            let len = 1 + (seed >> 12) as usize % 9;
            let q: String = chars.iter().skip(at).take(len).collect();
            queries.push(if seed.is_multiple_of(3) { q.to_uppercase() } else { q });
        }
        let mut hits = 0;
        for q in &queries {
            let q = q.to_lowercase();
            for limit in [25, usize::MAX] {
                let (got, want) = (h.find(&q, limit), h.scan(&q, limit));
                assert_eq!(got, want, "query {q:?}, limit {limit}");
                hits += usize::from(limit == 25 && !got.is_empty());
            }
        }
        // Pieces of the strings match (but where a change of case does not round-trip; absent queries do not).
        assert!(hits >= 540, "{hits} of {} queries found something", queries.len());
    }

    #[test]
    fn partners_are_heaviest_first_and_group_edges_page_through_all() {
        let analysis = generated_run();
        let l = Loaded::new(Saved::new(&analysis)).unwrap();
        let ds = &analysis.dataset;
        let net = &l.net;
        let mut checked = 0;
        for (a, name) in ds.accounts.iter() {
            let mut want: Vec<u32> = (0..net.edges.len() as u32)
                .filter(|&e| net.edges[e as usize].a == a || net.edges[e as usize].b == a)
                .collect();
            want.sort_by(|&x, &y| net.edges[y as usize].weight.cmp(&net.edges[x as usize].weight).then(x.cmp(&y)));
            let view = serde_json::to_value(
                l.account_view(name, super::Page::FIRST, super::Page { offset: 0, limit: super::ROWS_LIMIT }).unwrap(),
            )
            .unwrap();
            let got: Vec<&str> =
                view["partners"].as_array().unwrap().iter().map(|p| p["account"].as_str().unwrap()).collect();
            let want: Vec<&str> = want
                .iter()
                .take(super::ROWS_LIMIT)
                .map(|&e| {
                    let x = &net.edges[e as usize];
                    ds.accounts.get(if x.a == a { x.b } else { x.a })
                })
                .collect();
            assert_eq!(got, want, "partners of {name}");
            checked += usize::from(got.len() > 1);
        }
        assert!(checked > 50, "{checked} accounts with several partners");
        for c in 1..=l.groups() {
            let g = l.group(c, (None, None)).unwrap();
            let total = g["edges_total"].as_u64().unwrap() as usize;
            let mut paged = Vec::new();
            for offset in (0..total + 7).step_by(7) {
                let page = serde_json::to_value(l.group_edges_page(c, offset, 7).unwrap()).unwrap();
                assert_eq!(page["edges_total"], total);
                paged.extend(page["edges"].as_array().unwrap().iter().cloned());
            }
            assert_eq!(paged.len(), total);
            assert_eq!(edge_rows(&g)[..], paged[..total.min(super::GROUP_EDGES_LIMIT)]);
            let weights: Vec<u64> = paged.iter().map(|e| e["weight"].as_u64().unwrap()).collect();
            assert!(weights.windows(2).all(|w| w[0] >= w[1]), "group {c}: heaviest first");
            let (exported, _, _) = l.group_export(c).unwrap();
            let key = |e: &serde_json::Value| (e["a"].to_string(), e["b"].to_string());
            let (mut x, mut y): (Vec<_>, Vec<_>) =
                (exported.iter().map(key).collect(), paged.iter().map(key).collect());
            x.sort();
            y.sort();
            assert_eq!(x, y, "group {c}: the export has every edge");
        }
        assert!(l.group_edges_page(0, 0, 10).is_none() && l.group_edges_page(l.groups() + 1, 0, 10).is_none());
    }

    /// A group view's edge columns as rows, names from the members (as the page reads them).
    fn edge_rows(g: &serde_json::Value) -> Vec<serde_json::Value> {
        let (e, m) = (&g["edges"], g["members"].as_array().unwrap());
        let name = |col: &str, i: usize| m[e[col][i].as_u64().unwrap() as usize]["account"].clone();
        (0..e["a"].as_array().unwrap().len())
            .map(|i| {
                serde_json::json!({"a": name("a", i), "b": name("b", i), "weight": e["weight"][i],
                    "score": e["score"][i], "avg_time_delta": e["avg_time_delta"][i]})
            })
            .collect()
    }

    #[test]
    fn group_timeline_columns_are_the_shares_of_its_coshares() {
        let analysis = generated_run();
        let l = Loaded::new(Saved::new(&analysis)).unwrap();
        let ds = &analysis.dataset;
        let mut checked = 0;
        for c in 1..=l.groups() {
            let g = l.group(c, (None, None)).unwrap();
            let (t, m) = (&g["timeline"], g["members"].as_array().unwrap());
            // Every share of a co-share of the group's kept edges, once, by time (then input order).
            let mut want: Vec<u32> = l.group_edges[c - 1]
                .iter()
                .flat_map(|&e| l.evidence_of(e as usize).iter().flat_map(|cs| [cs.early, cs.late]))
                .collect();
            want.sort_unstable_by_key(|&s| (ds.shares[s as usize].time, s));
            want.dedup();
            assert_eq!(g["timeline_total"], want.len());
            want.truncate(super::TIMELINE_LIMIT);
            let n = t["time"].as_array().unwrap().len();
            assert_eq!(n, want.len(), "group {c}");
            for col in ["account", "object", "post"] {
                assert_eq!(t[col].as_array().unwrap().len(), n, "group {c}: column {col}");
            }
            let objects = t["objects"].as_array().unwrap();
            for (i, &s) in want.iter().enumerate() {
                let sh = &ds.shares[s as usize];
                assert_eq!(t["time"][i], sh.time);
                assert_eq!(m[t["account"][i].as_u64().unwrap() as usize]["account"], ds.accounts.get(sh.account));
                let o = &objects[t["object"][i].as_u64().unwrap() as usize];
                assert_eq!(o["object"], ds.objects.get(sh.object));
                assert_eq!(o["kind"], ds.kind_of(sh.object));
                assert_eq!(t["post"][i], ds.posts.get(sh.post));
            }
            // Each object once, in order of first appearance.
            let mut firsts: Vec<u64> = Vec::new();
            for x in t["object"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()) {
                if !firsts.contains(&x) {
                    firsts.push(x);
                }
            }
            assert_eq!(firsts, (0..objects.len() as u64).collect::<Vec<_>>(), "group {c}");
            checked += usize::from(n > 10);
        }
        assert!(checked >= 2, "{checked} groups with a timeline of more than 10 shares");
    }

    #[test]
    fn the_search_index_is_built_after_loading_on_demand() {
        let analysis = generated_run();
        let l = Loaded::new(Saved::new(&analysis)).unwrap();
        assert!(l.search.get().is_none(), "not built by the load");
        let name = analysis.dataset.accounts.get(0);
        let q = &name[name.len() - 5..];
        let found = l.search(q, usize::MAX);
        assert!(l.search.get().is_some(), "built by the first search");
        assert!(found["accounts"].as_array().unwrap().iter().any(|a| a == name), "{found}");
        l.warm_search();
        assert_eq!(l.search(q, usize::MAX), found);
    }

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
