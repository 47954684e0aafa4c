//! What a finished run's views are answered from, saved in its output folder
//! (`runs/N/views.postcard`) so that a restarted server reads it back instead
//! of running the pipeline again.
//!
//! The output folder's Parquet tables hold the network but not every share of
//! the data (the account and object views list them) nor the co-shares behind
//! every edge of the full network (the evidence view shows any edge), so the
//! server keeps its own file: the dataset's strings and shares, the edges with
//! their scores and evidence, the statistics the views show, and the parts of
//! the report and of the domain classification they quote (as JSON text).
//! [`crate::results::Loaded`] is always built from a [`Saved`], right after a
//! run as after a restart, so both answer the same bytes.
//!
//! The file is [postcard](https://docs.rs/postcard) with a format number first;
//! an unknown number or a damaged file is reported and the run recomputed.

use lockstep_core::{Dataset, Share, StrColumn};
use lockstep_pipeline::Analysis;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the file's layout; a file of another version is not read.
pub const FORMAT: u32 = 1;
/// The file's name in a run's output folder.
pub const FILE: &str = "views.postcard";

/// Strings in one buffer: `text[ends[i - 1]..ends[i]]`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Strings {
    text: String,
    ends: Vec<u64>,
}

impl Strings {
    fn new<'a>(it: impl Iterator<Item = &'a str>) -> Strings {
        let mut s = Strings::default();
        for x in it {
            s.text.push_str(x);
            s.ends.push(s.text.len() as u64);
        }
        s
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? as usize };
        self.text.get(start..*self.ends.get(i)? as usize)
    }

    fn column(&self) -> Result<StrColumn, String> {
        let mut col = StrColumn::default();
        for i in 0..self.len() {
            col.push(self.get(i).ok_or("a string out of bounds")?);
        }
        Ok(col)
    }
}

/// The dataset: its strings by id and its shares, in input order.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SavedDataset {
    kinds: Vec<String>,
    accounts: Strings,
    posts: Strings,
    objects: Strings,
    object_kind: Vec<u32>,
    time: Vec<i64>,
    account: Vec<u32>,
    object: Vec<u32>,
    post: Vec<u32>,
}

impl SavedDataset {
    fn new(ds: &Dataset) -> SavedDataset {
        SavedDataset {
            kinds: ds.kinds.iter().map(|(_, s)| s.to_string()).collect(),
            accounts: Strings::new(ds.accounts.iter().map(|(_, s)| s)),
            posts: Strings::new(ds.posts.iter().map(|(_, s)| s)),
            objects: Strings::new(ds.objects.iter().map(|(_, s)| s)),
            object_kind: ds.object_kind.clone(),
            time: ds.shares.iter().map(|s| s.time).collect(),
            account: ds.shares.iter().map(|s| s.account).collect(),
            object: ds.shares.iter().map(|s| s.object).collect(),
            post: ds.shares.iter().map(|s| s.post).collect(),
        }
    }

    /// The dataset again, with the same ids.
    pub fn into_dataset(self) -> Result<Dataset, String> {
        let mut ds = Dataset::default();
        for (i, k) in self.kinds.iter().enumerate() {
            if ds.kinds.intern(k) as usize != i {
                return Err("repeated kind".into());
            }
        }
        // Account names and post ids are distinct: the columns become the interners as they are.
        ds.accounts.adopt_distinct_column(self.accounts.column()?, 0);
        ds.posts.adopt_distinct_column(self.posts.column()?, 0);
        let n_obj = self.objects.len();
        if self.object_kind.len() != n_obj || self.object_kind.iter().any(|&k| k as usize >= self.kinds.len()) {
            return Err("object kinds do not match the objects".into());
        }
        for i in 0..n_obj {
            let value = self.objects.get(i).ok_or("an object out of bounds")?;
            if ds.intern_object(self.object_kind[i], value) as usize != i {
                return Err("repeated object".into());
            }
        }
        let n = self.time.len();
        if [self.account.len(), self.object.len(), self.post.len()] != [n; 3] {
            return Err("share columns of different lengths".into());
        }
        let (n_acc, n_post) = (ds.accounts.len(), ds.posts.len());
        ds.shares = (0..n)
            .map(|i| Share { account: self.account[i], object: self.object[i], post: self.post[i], time: self.time[i] })
            .collect();
        if ds
            .shares
            .iter()
            .any(|s| s.account as usize >= n_acc || s.object as usize >= n_obj || s.post as usize >= n_post)
        {
            return Err("a share names an unknown id".into());
        }
        Ok(ds)
    }
}

/// One edge of the full network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeRow {
    /// One account.
    pub a: u32,
    /// The other.
    pub b: u32,
    /// Co-shares.
    pub weight: u32,
    /// Passed the threshold.
    pub above_threshold: bool,
    /// Mean delay (seconds).
    pub avg_time_delta: f64,
    /// Significance score.
    pub score: f64,
    /// Expected weight under the null model.
    pub expected: f64,
}

/// One co-share: the two shares (input ranks) of one object.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct CoshareRow {
    /// The object.
    pub object: u32,
    /// The earlier share.
    pub early: u32,
    /// The later share.
    pub late: u32,
    /// Passed the fast window.
    pub fast: bool,
}

/// Statistics of an account of the full network.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountRow {
    /// The account.
    pub account: u32,
    /// Shares in the input.
    pub shares: u32,
    /// Distinct co-shared posts.
    pub coshared_posts: u32,
    /// Group (component of the thresholded network).
    pub component: Option<u32>,
    /// Degree in the thresholded network.
    pub degree: u32,
    /// Mean delay of its thresholded edges.
    pub avg_time_delta: Option<f64>,
}

/// Statistics of an object with co-shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectRow {
    /// The object.
    pub object: u32,
    /// Co-shares of it.
    pub coshares: u32,
    /// Accounts of thresholded edges whose co-shares include it.
    pub coordinated_accounts: u32,
}

/// A linked domain: its row of the classification as JSON, and what the views select it by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainSaved {
    /// The domain.
    pub domain: String,
    /// Known operation domain or look-alike.
    pub flagged: bool,
    /// Groups that linked to it (sorted).
    pub groups: Vec<u32>,
    /// The row, as JSON.
    pub json: String,
}

/// The network and everything else the views show.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Net {
    /// Edges of the full network, ordered by the names of their accounts.
    pub edges: Vec<EdgeRow>,
    /// `coshares[evidence_offsets[e]..evidence_offsets[e + 1]]`: the evidence of edge `e`.
    pub evidence_offsets: Vec<u32>,
    /// Co-shares in evidence order.
    pub coshares: Vec<CoshareRow>,
    /// The run had a fast window.
    pub has_fast: bool,
    /// Accounts of the full network, by account id.
    pub accounts: Vec<AccountRow>,
    /// Objects with co-shares, by object id.
    pub objects: Vec<ObjectRow>,
    /// Rank of every account id in byte order of names.
    pub account_rank: Vec<u32>,
    /// Community of every account id, when computed.
    pub community: Vec<Option<u32>>,
    /// Number of groups.
    pub groups: u32,
    /// The overview without its groups, as JSON.
    pub overview: String,
    /// Per group (`c - 1`): the object kinds of its summary, as JSON.
    pub group_kinds: Vec<String>,
    /// Per group: what it linked to (`GroupLinks` as JSON), when anything.
    pub group_links: Vec<Option<String>>,
    /// The linked domains, when classified.
    pub domains: Option<Vec<DomainSaved>>,
    /// Tool, schema version, parameters, inputs and diagnostics of the report, as JSON.
    pub provenance: String,
    /// What the store keeps of the run, as JSON.
    pub summary: String,
}

/// Everything saved of a run.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Saved {
    /// [`FORMAT`].
    pub format: u32,
    /// The dataset.
    pub dataset: SavedDataset,
    /// The rest.
    pub net: Net,
}

impl Saved {
    /// What the views of `analysis` need.
    pub fn new(analysis: &Analysis) -> Saved {
        let ds = &analysis.dataset;
        let det = &analysis.detection;
        let r = analysis.report();
        let n_groups = det.counts.components as usize;
        let mut coshares = Vec::with_capacity(det.edge_rows.len());
        let mut evidence_offsets = Vec::with_capacity(det.edges.len() + 1);
        evidence_offsets.push(0);
        for e in 0..det.edges.len() {
            for &i in det.evidence(e) {
                let c = &det.coshares[i as usize];
                let fast = det.fast.get(i as usize).copied().unwrap_or(false);
                coshares.push(CoshareRow { object: c.object, early: c.early, late: c.late, fast });
            }
            evidence_offsets.push(coshares.len() as u32);
        }
        let edges = det
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| EdgeRow {
                a: e.a,
                b: e.b,
                weight: e.full.weight,
                above_threshold: e.full.above_threshold,
                avg_time_delta: e.full.avg_time_delta(),
                score: det.significance.score[i],
                expected: det.significance.expected[i],
            })
            .collect();
        let accounts = det
            .accounts
            .iter()
            .map(|s| AccountRow {
                account: s.account,
                shares: s.shares,
                coshared_posts: s.coshared_posts,
                component: s.component,
                degree: s.degree,
                avg_time_delta: s.avg_time_delta,
            })
            .collect();
        let objects = det
            .objects
            .iter()
            .map(|s| ObjectRow { object: s.object, coshares: s.coshares, coordinated_accounts: s.coordinated_accounts })
            .collect();
        let mut community = det.communities.as_ref().map(|c| c.of_account.clone()).unwrap_or_default();
        community.resize(ds.accounts.len(), None);
        let group_kinds = (1..=n_groups as u32)
            .map(|c| match r.groups.iter().find(|g| g.summary.component == c) {
                Some(g) => json(&g.summary.kinds),
                None => "null".to_string(),
            })
            .collect();
        let fusion = analysis.fusion.as_ref();
        let group_links = (1..=n_groups as u32)
            .map(|c| fusion.and_then(|f| f.groups.iter().find(|g| g.component == c)).map(json))
            .collect();
        let domains = fusion.map(|f| {
            f.domains
                .iter()
                .map(|d| DomainSaved {
                    domain: d.classification.domain.clone(),
                    flagged: matches!(
                        d.classification.class,
                        lockstep_domains::Class::Known | lockstep_domains::Class::LookAlike
                    ),
                    groups: d.groups.clone(),
                    json: json(d),
                })
                .collect()
        });
        let flagged_groups =
            fusion.map(|f| f.groups.iter().filter(|g| g.known_links + g.lookalike_links > 0).count()).unwrap_or(0);
        let largest = det.accounts.iter().filter(|a| a.component == Some(1)).count();
        let provenance = serde_json::json!({
            "tool": r.tool,
            "schema_version": r.schema_version,
            "parameters": r.parameters,
            "inputs": r.inputs,
            "diagnostics": r.diagnostics,
        });
        let summary = serde_json::json!({
            "counts": r.counts,
            "groups": n_groups,
            "skipped": r.diagnostics.skipped,
            "window": r.parameters.window,
        });
        Saved {
            format: FORMAT,
            dataset: SavedDataset::new(ds),
            net: Net {
                edges,
                evidence_offsets,
                coshares,
                has_fast: det.params.fast_window.is_some(),
                accounts,
                objects,
                account_rank: det.account_rank.clone(),
                community,
                groups: n_groups as u32,
                overview: overview_head(r, n_groups, largest, flagged_groups).to_string(),
                group_kinds,
                group_links,
                domains,
                provenance: provenance.to_string(),
                summary: summary.to_string(),
            },
        }
    }

    /// Writes the file `dir/views.postcard` whole or not at all (a temporary file renamed into place).
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let path = dir.join(FILE);
        let tmp = dir.join(format!(".{FILE}.tmp"));
        let result = (|| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, fs_err::File::create(&tmp)?);
            postcard::to_io(self, &mut w).map_err(std::io::Error::other)?;
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
            fs_err::rename(&tmp, &path)
        })();
        result.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("writing {}: {e}", path.display())
        })
    }

    /// Reads `dir/views.postcard`; `Ok(None)` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Saved>, String> {
        let path = dir.join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("reading {}: {e}", path.display())),
        };
        // The format number comes first: checked before the rest is decoded.
        let (format, _) = postcard::take_from_bytes::<u32>(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if format != FORMAT {
            return Err(format!("{}: format {format}, this server reads {FORMAT}", path.display()));
        }
        postcard::from_bytes(&bytes).map(Some).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The overview but its groups: figures, parameters, diagnostics and a summary in words.
fn overview_head(r: &lockstep_report::Report, groups: usize, largest: usize, flagged: usize) -> serde_json::Value {
    let c = &r.counts;
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
            lockstep_detect::ThresholdRule::Score => format!("edge score at least {}", r.significance.min_edge_score),
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
    serde_json::json!({
        "summary": summary,
        "counts": c,
        "parameters": r.parameters,
        "significance": r.significance,
        "threshold": r.threshold,
        "inputs": r.inputs,
        "diagnostics": r.diagnostics,
        "kinds": r.kinds,
        "groups_total": groups,
        "communities": r.communities,
        "modularity": r.modularity,
        "window_estimate": r.window_estimate,
    })
}

/// JSON text of a value (`null` when it cannot be written).
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_comes_back_with_the_same_ids() {
        let mut ds = Dataset::default();
        ds.push("bob", "https://a.example/1", "url", "p1", 10);
        ds.push("alice", "#tag", "hashtag", "p2", 11);
        ds.push("bob", "#tag", "hashtag", "p3", 12);
        ds.push("carol", "https://a.example/1", "url", "p4", 13);
        // The same value under two kinds is two objects.
        ds.push("carol", "x", "url", "p5", 14);
        ds.push("carol", "x", "hashtag", "p6", 15);
        let back = SavedDataset::new(&ds).into_dataset().unwrap();
        assert_eq!(back.shares, ds.shares);
        for (i, s) in ds.accounts.iter() {
            assert_eq!(back.accounts.lookup(s), Some(i));
        }
        for (i, s) in ds.objects.iter() {
            assert_eq!(back.objects.lookup_in(ds.objects.namespace(i), s), Some(i));
            assert_eq!(back.kind_of(i), ds.kind_of(i));
        }
        assert_eq!(back.posts.iter().collect::<Vec<_>>(), ds.posts.iter().collect::<Vec<_>>());
    }

    #[test]
    fn a_file_of_another_format_or_damaged_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Saved::read(dir.path()).unwrap().is_none(), "no file: nothing to read");
        let saved = Saved { format: FORMAT + 1, ..Saved::default() };
        saved.write(dir.path()).unwrap();
        let err = Saved::read(dir.path()).unwrap_err();
        assert!(err.contains("format 2"), "{err}");
        Saved { format: FORMAT, ..Saved::default() }.write(dir.path()).unwrap();
        assert!(Saved::read(dir.path()).unwrap().is_some());
        let path = dir.path().join(FILE);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(Saved::read(dir.path()).is_err(), "a cut file is refused");
        assert!(!dir.path().join(format!(".{FILE}.tmp")).exists());
    }
}
