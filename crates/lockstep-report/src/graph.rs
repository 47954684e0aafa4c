//! Network exports for graph tools: GEXF 1.3 (Gephi) and GraphML.
//!
//! The graph is the thresholded network (edges above the weight threshold and
//! their accounts), or with [`GraphScope::Full`] the full network with an
//! `above_threshold` edge attribute. Node ids are `n0, n1, …` in byte order of
//! account names (names may hold any text; ids must not collide), and the name is
//! the node's `label` (GEXF) / `account` attribute (GraphML). Edge ids are
//! `e0, e1, …` in `(from, to)` name order with `from < to`.
//!
//! Node attributes: `account`, `component`, `degree` (thresholded network),
//! `component_full`, `degree_full`, `shares` (input shares), `coshared_posts`,
//! `community` (when communities were computed). Edge attributes: `weight` (also
//! GEXF's native edge weight), `avg_time_delta`, `edge_symmetry_score`,
//! `n_objects`, `weight_fast` (when the edge has fast co-shares), `above_threshold`,
//! then (multiplex, schema 1.3) `weight_<kind>` for every object kind of the
//! dataset in byte order of labels (co-shares of that kind, 0 included; a label
//! is made a valid XML name token by turning characters other than ASCII letters, digits, `_`, `-` and `.` into `_`, with a
//! `_<n>` suffix if two labels collide) and, with kind weights, `weight_combined`.
//! Missing values are left out (GEXF `attvalue` / GraphML `data` absent).
//!
//! Text is escaped for XML; characters XML 1.0 cannot carry (C0 controls other
//! than tab, newline and carriage return; U+FFFE, U+FFFF) become U+FFFD.
//! No dates or paths are written, so the files are byte-identical across reruns.

use crate::Result;
use lockstep_core::{AccountId, Dataset};
use lockstep_detect::Detection;
use std::fmt::Write as _;
use std::path::Path;

/// Which graph format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphFormat {
    /// GEXF 1.3, Gephi's format (`network.gexf`).
    Gexf,
    /// GraphML (`network.graphml`).
    Graphml,
}

impl GraphFormat {
    /// File name written into the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            GraphFormat::Gexf => "network.gexf",
            GraphFormat::Graphml => "network.graphml",
        }
    }
}

impl std::str::FromStr for GraphFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "gexf" => Ok(GraphFormat::Gexf),
            "graphml" => Ok(GraphFormat::Graphml),
            other => Err(format!("unknown graph format {other:?} (expected gexf or graphml)")),
        }
    }
}

/// Which edges go into the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphScope {
    /// Edges above the threshold and their accounts.
    #[default]
    Thresholded,
    /// Every edge and account of the network.
    Full,
}

#[derive(Clone, Copy)]
enum Ty {
    Long,
    Double,
    Bool,
}

#[derive(Clone, Copy)]
enum Val {
    Long(u64),
    Double(f64),
    Bool(bool),
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Val::Long(v) => write!(f, "{v}"),
            Val::Double(v) => write!(f, "{v:?}"),
            Val::Bool(v) => write!(f, "{v}"),
        }
    }
}

const NODE_ATTRS: [(&str, Ty); 7] = [
    ("component", Ty::Long),
    ("degree", Ty::Long),
    ("component_full", Ty::Long),
    ("degree_full", Ty::Long),
    ("shares", Ty::Long),
    ("coshared_posts", Ty::Long),
    ("community", Ty::Long),
];

const EDGE_ATTRS: [(&str, Ty); 8] = [
    ("weight", Ty::Long),
    ("avg_time_delta", Ty::Double),
    ("edge_symmetry_score", Ty::Double),
    ("n_objects", Ty::Long),
    ("weight_fast", Ty::Long),
    ("above_threshold", Ty::Bool),
    // Significance, as in the edges table (same rounding).
    ("expected", Ty::Double),
    ("score", Ty::Double),
];

/// The graph in a neutral form: nodes and edges in output order with their values.
struct Graph<'a> {
    /// (account name, attribute values in `NODE_ATTRS` order)
    nodes: Vec<(&'a str, [Option<Val>; 7])>,
    /// Edge attributes: `EDGE_ATTRS`, then the multiplex ones.
    edge_attrs: Vec<(String, Ty)>,
    /// (source node index, target node index, values in `edge_attrs` order)
    edges: Vec<(usize, usize, Vec<Option<Val>>)>,
}

/// The multiplex edge attributes: `weight_<kind>` per kind of the dataset (kind
/// ids in byte order of labels, attribute names), and whether `weight_combined` follows.
fn kind_attrs(ds: &Dataset, det: &Detection) -> (Vec<(u32, String)>, bool) {
    let mut kinds: Vec<u32> = (0..ds.kinds.len() as u32).collect();
    kinds.sort_unstable_by(|&x, &y| ds.kinds.get(x).cmp(ds.kinds.get(y)));
    let mut taken: std::collections::HashSet<String> = EDGE_ATTRS.iter().map(|a| a.0.to_string()).collect();
    taken.insert("weight_combined".into());
    let named = kinds
        .into_iter()
        .map(|k| {
            let token: String = ds
                .kinds
                .get(k)
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
                .collect();
            let mut name = format!("weight_{token}");
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("weight_{token}_{n}");
                n += 1;
            }
            (k, name)
        })
        .collect();
    (named, !det.params.kind_weights.is_empty())
}

fn build<'a>(ds: &'a Dataset, det: &Detection, scope: GraphScope) -> Graph<'a> {
    let keep = |above: bool| scope == GraphScope::Full || above;
    let n_acc = ds.accounts.len();
    let mut stat_of: Vec<Option<usize>> = vec![None; n_acc];
    for (i, a) in det.accounts.iter().enumerate() {
        if keep(a.component.is_some()) {
            stat_of[a.account as usize] = Some(i);
        }
    }
    let mut ids: Vec<AccountId> = (0..n_acc as AccountId).filter(|&a| stat_of[a as usize].is_some()).collect();
    ids.sort_unstable_by_key(|&a| det.account_rank[a as usize]);
    let mut index = vec![usize::MAX; n_acc];
    for (i, &a) in ids.iter().enumerate() {
        index[a as usize] = i;
    }
    let long = |v: Option<u32>| v.map(|v| Val::Long(v as u64));
    let nodes = ids
        .iter()
        .map(|&a| {
            let s = &det.accounts[stat_of[a as usize].expect("kept")];
            let community = det.communities.as_ref().and_then(|c| c.of_account[a as usize]);
            let values = [
                long(s.component),
                Some(Val::Long(s.degree as u64)),
                long(s.component_full),
                Some(Val::Long(s.degree_full as u64)),
                Some(Val::Long(s.shares as u64)),
                Some(Val::Long(s.coshared_posts as u64)),
                long(community),
            ];
            (ds.accounts.get(a), values)
        })
        .collect();
    let (kinds, combined) = kind_attrs(ds, det);
    let mut edge_attrs: Vec<(String, Ty)> = EDGE_ATTRS.iter().map(|&(n, t)| (n.to_string(), t)).collect();
    edge_attrs.extend(kinds.iter().map(|(_, name)| (name.clone(), Ty::Long)));
    if combined {
        edge_attrs.push(("weight_combined".into(), Ty::Double));
    }
    let mut edges: Vec<(usize, usize, Vec<Option<Val>>)> = det
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| keep(e.full.above_threshold))
        .map(|(i, e)| {
            let (x, y) = (index[e.a as usize], index[e.b as usize]);
            let mut values = vec![
                Some(Val::Long(e.full.weight as u64)),
                Some(Val::Double(e.full.avg_time_delta())),
                Some(Val::Double(e.full.edge_symmetry_score())),
                Some(Val::Long(e.n_objects as u64)),
                e.fast().map(|f| Val::Long(f.weight as u64)),
                Some(Val::Bool(e.full.above_threshold)),
            ];
            values.extend(crate::network_tables::significance(det, i).map(|x| Some(Val::Double(x))));
            values.extend(kinds.iter().map(|&(k, _)| Some(Val::Long(e.kinds().get(k).map_or(0, |c| c.weight as u64)))));
            if combined {
                values.push(Some(Val::Double(e.full.combined_weight)));
            }
            (x.min(y), x.max(y), values)
        })
        .collect();
    edges.sort_unstable_by_key(|e| (e.0, e.1));
    Graph { nodes, edge_attrs, edges }
}

/// Writes the graph in `format` into `dir`; returns (file name, edges written).
pub fn write_graph(
    dir: &Path,
    ds: &Dataset,
    det: &Detection,
    format: GraphFormat,
    scope: GraphScope,
) -> Result<(String, u64)> {
    let g = build(ds, det, scope);
    let text = match format {
        GraphFormat::Gexf => gexf(&g, det, scope),
        GraphFormat::Graphml => graphml(&g, scope),
    };
    fs_err::write(dir.join(format.file_name()), text)?;
    Ok((format.file_name().to_string(), g.edges.len() as u64))
}

fn description(det: &Detection, scope: GraphScope) -> String {
    let p = &det.params;
    let kinds: Vec<String> = p.kind_weights.iter().map(|(k, w)| format!("{k}={w}")).collect();
    let kinds = if kinds.is_empty() {
        String::new()
    } else {
        format!("; combined weight with kind weights {}", kinds.join(", "))
    };
    format!(
        "Account network of coordinated sharing ({} network): window {} s, min participation {}, \
         edge weight above {} (the {} quantile)",
        match scope {
            GraphScope::Thresholded => "thresholded",
            GraphScope::Full => "full",
        },
        det.window,
        p.min_participation,
        det.threshold,
        p.edge_quantile
    ) + &kinds
}

fn gexf(g: &Graph<'_>, det: &Detection, scope: GraphScope) -> String {
    let ty = |t: Ty| match t {
        Ty::Long => "long",
        Ty::Double => "double",
        Ty::Bool => "boolean",
    };
    let mut s = String::with_capacity(256 + 160 * g.nodes.len() + 240 * g.edges.len());
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n",
    );
    let _ = writeln!(
        s,
        "  <meta>\n    <creator>lockstep {}</creator>\n    <description>{}</description>\n  </meta>",
        env!("CARGO_PKG_VERSION"),
        xml(&description(det, scope))
    );
    s.push_str("  <graph defaultedgetype=\"undirected\" mode=\"static\">\n");
    s.push_str("    <attributes class=\"node\" mode=\"static\">\n");
    for (name, t) in NODE_ATTRS {
        let _ = writeln!(s, "      <attribute id=\"{name}\" title=\"{name}\" type=\"{}\"/>", ty(t));
    }
    s.push_str("    </attributes>\n    <attributes class=\"edge\" mode=\"static\">\n");
    for (name, t) in &g.edge_attrs {
        let _ = writeln!(s, "      <attribute id=\"{name}\" title=\"{name}\" type=\"{}\"/>", ty(*t));
    }
    s.push_str("    </attributes>\n    <nodes>\n");
    for (i, (name, values)) in g.nodes.iter().enumerate() {
        let _ = writeln!(s, "      <node id=\"n{i}\" label=\"{}\">", xml(name));
        attvalues(&mut s, NODE_ATTRS.iter().map(|a| a.0).zip(values.iter()));
        s.push_str("      </node>\n");
    }
    s.push_str("    </nodes>\n    <edges>\n");
    for (i, (x, y, values)) in g.edges.iter().enumerate() {
        let weight = values[0].expect("weight");
        let _ = writeln!(s, "      <edge id=\"e{i}\" source=\"n{x}\" target=\"n{y}\" weight=\"{weight}\">");
        attvalues(&mut s, g.edge_attrs.iter().map(|a| a.0.as_str()).zip(values.iter()));
        s.push_str("      </edge>\n");
    }
    s.push_str("    </edges>\n  </graph>\n</gexf>\n");
    s
}

fn attvalues<'v>(s: &mut String, values: impl Iterator<Item = (&'v str, &'v Option<Val>)>) {
    s.push_str("        <attvalues>\n");
    for (name, v) in values {
        if let Some(v) = v {
            let _ = writeln!(s, "          <attvalue for=\"{name}\" value=\"{v}\"/>");
        }
    }
    s.push_str("        </attvalues>\n");
}

fn graphml(g: &Graph<'_>, scope: GraphScope) -> String {
    let ty = |t: Ty| match t {
        Ty::Long => "long",
        Ty::Double => "double",
        Ty::Bool => "boolean",
    };
    let mut s = String::with_capacity(256 + 200 * g.nodes.len() + 260 * g.edges.len());
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    s.push_str("  <key id=\"account\" for=\"node\" attr.name=\"account\" attr.type=\"string\"/>\n");
    for (name, t) in NODE_ATTRS {
        let _ = writeln!(s, "  <key id=\"{name}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{}\"/>", ty(t));
    }
    for (name, t) in &g.edge_attrs {
        let _ = writeln!(s, "  <key id=\"e_{name}\" for=\"edge\" attr.name=\"{name}\" attr.type=\"{}\"/>", ty(*t));
    }
    let _ = writeln!(
        s,
        "  <graph id=\"{}\" edgedefault=\"undirected\">",
        match scope {
            GraphScope::Thresholded => "thresholded",
            GraphScope::Full => "full",
        }
    );
    for (i, (name, values)) in g.nodes.iter().enumerate() {
        let _ = writeln!(s, "    <node id=\"n{i}\">\n      <data key=\"account\">{}</data>", xml(name));
        for ((key, _), v) in NODE_ATTRS.iter().zip(values) {
            if let Some(v) = v {
                let _ = writeln!(s, "      <data key=\"{key}\">{v}</data>");
            }
        }
        s.push_str("    </node>\n");
    }
    for (i, (x, y, values)) in g.edges.iter().enumerate() {
        let _ = writeln!(s, "    <edge id=\"e{i}\" source=\"n{x}\" target=\"n{y}\">");
        for ((key, _), v) in g.edge_attrs.iter().zip(values) {
            if let Some(v) = v {
                let _ = writeln!(s, "      <data key=\"e_{key}\">{v}</data>");
            }
        }
        s.push_str("    </edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

/// Escapes text for an XML attribute value or element content: quick-xml's
/// escaping of `<>&'"`, character references for tab, newline and carriage
/// return (kept through attribute normalisation), U+FFFD for characters XML 1.0
/// cannot carry.
fn xml(text: &str) -> String {
    let allowed = |c: char| !(c < ' ' && !matches!(c, '\t' | '\n' | '\r') || c == '\u{FFFE}' || c == '\u{FFFF}');
    let clean: String = text.chars().map(|c| if allowed(c) { c } else { '\u{FFFD}' }).collect();
    let escaped = quick_xml::escape::escape(clean.as_str());
    if escaped.contains(['\t', '\n', '\r']) {
        escaped.replace('\t', "&#9;").replace('\n', "&#10;").replace('\r', "&#13;")
    } else {
        escaped.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\ty\nz\r"), "x&#9;y&#10;z&#13;");
        assert_eq!(xml("bell\u{7}"), "bell\u{FFFD}");
        assert_eq!(xml("plain"), "plain");
    }
}
