//! Exports for other tools: GEXF and GraphML read back with a real XML parser
//! (quick-xml), and the Parquet tables loaded with arrow and compared cell by
//! cell with the CSV tables.
//!
//! Validation against the XML Schemas with xmllint is in `xsd.rs`; here the
//! structure is checked with a parser, independently of xmllint: root element, namespace and version, `meta`
//! before `graph`, attribute declarations before `nodes` before `edges`,
//! unique ids, every edge's ends declared as nodes, every `attvalue` naming a
//! declared attribute with a value of its type.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::{detect, Detection, Params};
use lockstep_report::{
    write_outputs, GraphFormat, GraphScope, InputInfo, OutputOptions, Report, ReportInputs, TableFormat,
};
use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn kids(&self, name: &str) -> Vec<&Element> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    fn one(&self, name: &str) -> &Element {
        let k = self.kids(name);
        assert_eq!(k.len(), 1, "exactly one <{name}> in <{}>", self.name);
        k[0]
    }
    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parses a whole document into a tree; panics on anything malformed
/// (mismatched end tags, bad escapes, text outside the root).
fn parse(text: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut saw_decl = false;
    loop {
        let ev = reader.read_event().unwrap_or_else(|e| panic!("XML error at {}: {e}", reader.buffer_position()));
        let open = |e: &quick_xml::events::BytesStart<'_>| Element {
            name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), a.unescape_value().unwrap().into_owned())
                })
                .collect(),
            ..Element::default()
        };
        match ev {
            Event::Decl(d) => {
                assert_eq!(d.version().unwrap().as_ref(), b"1.0");
                saw_decl = true;
            }
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(open(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => {
                let t = t.unescape().unwrap();
                if stack.len() == 1 {
                    assert!(t.trim().is_empty(), "text outside the root: {t:?}");
                } else {
                    stack.last_mut().unwrap().text.push_str(&t);
                }
            }
            Event::Eof => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_decl, "XML declaration");
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

fn check_typed(ty: &str, value: &str) {
    match ty {
        "long" => assert!(value.parse::<i64>().is_ok(), "long {value:?}"),
        "double" => assert!(value.parse::<f64>().is_ok(), "double {value:?}"),
        "boolean" => assert!(value == "true" || value == "false", "boolean {value:?}"),
        "string" => {}
        other => panic!("unknown type {other}"),
    }
}

const NASTY: &str = "<b&\"o'b\tx>";

/// a–b co-share 3 times, a–c and NASTY–c once each; a and NASTY never.
fn dataset() -> Dataset {
    let mut ds = Dataset::default();
    for (acc, obj, post, t) in [
        ("a", "o1", "p1", 100),
        (NASTY, "o1", "p2", 103),
        ("a", "o2", "p3", 200),
        (NASTY, "o2", "p4", 205),
        ("a", "o3", "p5", 300),
        (NASTY, "o3", "p6", 301),
        ("c", "o3", "p7", 302),
        ("c", "o9", "p8", 9000),
    ] {
        ds.push(acc, obj, "url", post, t);
    }
    ds
}

fn run(dir: &Path, ds: &Dataset, det: &Detection, format: TableFormat, scope: GraphScope) {
    let info = InputInfo {
        source: "test".into(),
        format: "test".into(),
        records: 8,
        shares: 8,
        skipped: 0,
        ..Default::default()
    };
    let opts = OutputOptions {
        format,
        pairs: true,
        evidence_groups: vec![1],
        graphs: vec![GraphFormat::Graphml, GraphFormat::Gexf],
        graph_scope: scope,
    };
    let diagnostics = Diagnostics::default();
    let inputs = [info];
    let run = ReportInputs {
        dataset: ds,
        detection: det,
        inputs: &inputs,
        diagnostics: &diagnostics,
        near_text: None,
        fusion: None,
    };
    write_outputs(dir, &run, || Report::build(&run), &opts).unwrap();
}

/// (from, to) → (weight, above threshold), from < to by name.
fn expected_edges(ds: &Dataset, det: &Detection, full: bool) -> BTreeMap<(String, String), (u64, bool)> {
    det.edges
        .iter()
        .filter(|e| full || e.full.above_threshold)
        .map(|e| {
            let (x, y) = (ds.accounts.get(e.a).to_string(), ds.accounts.get(e.b).to_string());
            ((x.clone().min(y.clone()), x.max(y)), (e.full.weight as u64, e.full.above_threshold))
        })
        .collect()
}

fn gexf_graph(root: &Element) -> BTreeMap<(String, String), (u64, bool)> {
    assert_eq!(root.name, "gexf");
    assert_eq!(root.attrs["xmlns"], "http://gexf.net/1.3");
    assert_eq!(root.attrs["version"], "1.3");
    assert_eq!(root.names(), ["meta", "graph"]);
    assert!(root.one("meta").one("creator").text.starts_with("lockstep "));
    let graph = root.one("graph");
    assert_eq!(graph.attrs["defaultedgetype"], "undirected");
    assert_eq!(graph.names(), ["attributes", "attributes", "nodes", "edges"]);
    let mut declared: BTreeMap<(String, String), String> = BTreeMap::new();
    for a in graph.kids("attributes") {
        for attr in &a.children {
            assert_eq!(attr.name, "attribute");
            declared.insert((a.attrs["class"].clone(), attr.attrs["id"].clone()), attr.attrs["type"].clone());
        }
    }
    let check_values = |class: &str, el: &Element| -> BTreeMap<String, String> {
        assert_eq!(el.names(), ["attvalues"]);
        el.one("attvalues")
            .children
            .iter()
            .map(|v| {
                assert_eq!(v.name, "attvalue");
                let ty = declared.get(&(class.to_string(), v.attrs["for"].clone())).expect("declared attribute");
                check_typed(ty, &v.attrs["value"]);
                (v.attrs["for"].clone(), v.attrs["value"].clone())
            })
            .collect()
    };
    let mut label = BTreeMap::new();
    for n in &graph.one("nodes").children {
        assert_eq!(n.name, "node");
        let values = check_values("node", n);
        assert!(values.contains_key("degree") && values.contains_key("shares"), "{values:?}");
        assert!(label.insert(n.attrs["id"].clone(), n.attrs["label"].clone()).is_none(), "unique node ids");
    }
    let mut ids = BTreeSet::new();
    let mut edges = BTreeMap::new();
    for e in &graph.one("edges").children {
        assert_eq!(e.name, "edge");
        assert!(ids.insert(e.attrs["id"].clone()), "unique edge ids");
        let values = check_values("edge", e);
        assert_eq!(values["weight"], e.attrs["weight"]);
        let (s, t) = (label[&e.attrs["source"]].clone(), label[&e.attrs["target"]].clone());
        assert!(s < t, "from < to");
        edges.insert((s, t), (e.attrs["weight"].parse().unwrap(), values["above_threshold"] == "true"));
    }
    edges
}

fn graphml_graph(root: &Element) -> BTreeMap<(String, String), (u64, bool)> {
    assert_eq!(root.name, "graphml");
    assert_eq!(root.attrs["xmlns"], "http://graphml.graphdrawing.org/xmlns");
    let names = root.names();
    let first_graph = names.iter().position(|&n| n == "graph").expect("graph");
    assert!(names[..first_graph].iter().all(|&n| n == "key") && first_graph == names.len() - 1, "{names:?}");
    let keys: BTreeMap<String, (String, String, String)> = root
        .kids("key")
        .into_iter()
        .map(|k| {
            (
                k.attrs["id"].clone(),
                (k.attrs["for"].clone(), k.attrs["attr.name"].clone(), k.attrs["attr.type"].clone()),
            )
        })
        .collect();
    let graph = root.one("graph");
    assert_eq!(graph.attrs["edgedefault"], "undirected");
    let data = |class: &str, el: &Element| -> BTreeMap<String, String> {
        el.children
            .iter()
            .map(|d| {
                assert_eq!(d.name, "data");
                let (for_, name, ty) = &keys[&d.attrs["key"]];
                assert_eq!(for_, class);
                check_typed(ty, &d.text);
                (name.clone(), d.text.clone())
            })
            .collect()
    };
    let mut account = BTreeMap::new();
    let mut edges = BTreeMap::new();
    for el in &graph.children {
        match el.name.as_str() {
            "node" => {
                assert!(edges.is_empty(), "nodes before edges");
                let d = data("node", el);
                assert!(account.insert(el.attrs["id"].clone(), d["account"].clone()).is_none());
            }
            "edge" => {
                let d = data("edge", el);
                let (s, t) = (account[&el.attrs["source"]].clone(), account[&el.attrs["target"]].clone());
                edges.insert((s, t), (d["weight"].parse().unwrap(), d["above_threshold"] == "true"));
            }
            other => panic!("unexpected <{other}>"),
        }
    }
    edges
}

#[test]
fn gexf_and_graphml_read_back_as_the_network() {
    let ds = dataset();
    let det = detect(
        &ds,
        &Params { window: lockstep_detect::Window::Seconds(10), min_participation: 1, ..Params::default() },
    )
    .unwrap();
    for (scope, full) in [(GraphScope::Thresholded, false), (GraphScope::Full, true)] {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &ds, &det, TableFormat::Csv, scope);
        let expected = expected_edges(&ds, &det, full);
        assert_eq!(expected.len(), if full { 3 } else { 1 });
        let gexf = std::fs::read_to_string(dir.path().join("network.gexf")).unwrap();
        assert_eq!(gexf_graph(&parse(&gexf)), expected, "{gexf}");
        let graphml = std::fs::read_to_string(dir.path().join("network.graphml")).unwrap();
        assert_eq!(graphml_graph(&parse(&graphml)), expected, "{graphml}");
        // The awkward name survived escaping, and the bytes do not change on a rerun.
        assert!(expected.keys().any(|(x, y)| x == NASTY || y == NASTY));
        let again = tempfile::tempdir().unwrap();
        run(again.path(), &ds, &det, TableFormat::Csv, scope);
        for f in ["network.gexf", "network.graphml"] {
            assert_eq!(std::fs::read(dir.path().join(f)).unwrap(), std::fs::read(again.path().join(f)).unwrap());
        }
    }
}

/// Every Parquet table loads with arrow and holds exactly the CSV table's cells.
#[test]
fn parquet_tables_load_with_arrow_and_match_the_csv() {
    use arrow::array::{Array, BooleanArray, Float64Array, Int64Array, StringArray, UInt64Array};
    use arrow::datatypes::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let single = dataset();
    let single_det = detect(
        &single,
        &Params {
            window: lockstep_detect::Window::Seconds(10),
            min_participation: 1,
            fast_window: Some(3),
            ..Params::default()
        },
    )
    .unwrap();
    let multi = two_kinds();
    let multi_det = detect(&multi, &multiplex_params(&[])).unwrap();
    let mut checked = 0;
    for (ds, det, tables) in [
        // One kind: no `edge_kinds` (it would repeat `edges`).
        (&single, &single_det, &["edges", "accounts", "objects", "pairs", "evidence"][..]),
        (&multi, &multi_det, &["edges", "edge_kinds", "accounts", "objects"][..]),
    ] {
        let (csv_dir, pq_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        run(csv_dir.path(), ds, det, TableFormat::Csv, GraphScope::Thresholded);
        run(pq_dir.path(), ds, det, TableFormat::Parquet, GraphScope::Thresholded);
        assert_eq!(
            csv_dir.path().join("edge_kinds.csv").exists(),
            tables.contains(&"edge_kinds"),
            "edge_kinds is written exactly when the run has several kinds"
        );
        for &table in tables {
            let mut r = csv::Reader::from_path(csv_dir.path().join(format!("{table}.csv"))).unwrap();
            let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
            assert!(!rows.is_empty(), "{table} has rows");
            let file = std::fs::File::open(pq_dir.path().join(format!("{table}.parquet"))).unwrap();
            let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
            let mut row = 0;
            for batch in reader {
                let batch = batch.unwrap();
                let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
                assert_eq!(names, header, "{table} columns");
                for i in 0..batch.num_rows() {
                    for (c, col) in batch.columns().iter().enumerate() {
                        let expected = &rows[row + i][c];
                        let cell = if col.is_null(i) {
                            String::new()
                        } else {
                            match col.data_type() {
                                DataType::Utf8 => {
                                    col.as_any().downcast_ref::<StringArray>().unwrap().value(i).to_string()
                                }
                                DataType::UInt64 => {
                                    col.as_any().downcast_ref::<UInt64Array>().unwrap().value(i).to_string()
                                }
                                DataType::Int64 => {
                                    col.as_any().downcast_ref::<Int64Array>().unwrap().value(i).to_string()
                                }
                                DataType::Boolean => {
                                    col.as_any().downcast_ref::<BooleanArray>().unwrap().value(i).to_string()
                                }
                                DataType::Float64 => {
                                    let v = col.as_any().downcast_ref::<Float64Array>().unwrap().value(i);
                                    assert_eq!(v, expected.parse::<f64>().unwrap(), "{table} row {} col {c}", row + i);
                                    expected.to_string()
                                }
                                other => panic!("{table}: unexpected type {other}"),
                            }
                        };
                        assert_eq!(&cell, expected, "{table} row {} column {}", row + i, header[c]);
                        checked += 1;
                    }
                }
                row += batch.num_rows();
            }
            assert_eq!(row, rows.len(), "{table} rows");
        }
    }
    assert!(checked > 100, "{checked} cells compared");
}

/// a–b co-share two urls (Δ2, Δ3) and one hashtag twice (Δ1, Δ5); a–c three
/// hashtags (Δ1, Δ2, Δ0); b–c one url (Δ5). Window 10, fast window 2, M = 1.
fn two_kinds() -> Dataset {
    let mut ds = Dataset::default();
    for (i, (acc, obj, kind, t)) in [
        ("a", "u1", "url", 0),
        ("b", "u1", "url", 2),
        ("a", "u2", "url", 100),
        ("b", "u2", "url", 103),
        ("a", "h1", "hashtag", 200),
        ("b", "h1", "hashtag", 201),
        ("a", "h1", "hashtag", 300),
        ("b", "h1", "hashtag", 305),
        ("a", "h2", "hashtag", 400),
        ("c", "h2", "hashtag", 401),
        ("a", "h3", "hashtag", 500),
        ("c", "h3", "hashtag", 502),
        ("a", "h4", "hashtag", 600),
        ("c", "h4", "hashtag", 600),
        ("b", "u3", "url", 700),
        ("c", "u3", "url", 705),
    ]
    .into_iter()
    .enumerate()
    {
        ds.push(acc, obj, kind, &format!("p{i}"), t);
    }
    ds
}

fn multiplex_params(kind_weights: &[(&str, f64)]) -> Params {
    Params {
        window: lockstep_detect::Window::Seconds(10),
        fast_window: Some(2),
        min_participation: 1,
        kind_weights: kind_weights.iter().map(|(k, w)| (k.to_string(), *w)).collect(),
        ..Params::default()
    }
}

#[test]
fn edge_kinds_table_by_hand() {
    let ds = two_kinds();
    let det = detect(&ds, &multiplex_params(&[])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &ds, &det, TableFormat::Csv, GraphScope::Full);
    let table = std::fs::read_to_string(dir.path().join("edge_kinds.csv")).unwrap();
    assert_eq!(
        table,
        "from,to,kind,weight,weight_fast,n_objects,avg_time_delta\n\
         a,b,hashtag,2,1,1,3\n\
         a,b,url,2,1,2,2.5\n\
         a,c,hashtag,3,3,3,1\n\
         b,c,url,1,0,1,5\n"
    );
    // Without kind weights the edges table keeps its columns.
    let edges = std::fs::read_to_string(dir.path().join("edges.csv")).unwrap();
    assert!(!edges.lines().next().unwrap().contains("weight_combined"), "{edges}");
    // The graph carries one weight per kind (0 included), in label order.
    let gexf = std::fs::read_to_string(dir.path().join("network.gexf")).unwrap();
    let root = parse(&gexf);
    let graph = root.one("graph");
    let edge_attrs: Vec<&str> = graph.kids("attributes")[1].children.iter().map(|a| a.attrs["id"].as_str()).collect();
    assert_eq!(
        edge_attrs,
        [
            "weight",
            "avg_time_delta",
            "edge_symmetry_score",
            "n_objects",
            "weight_fast",
            "above_threshold",
            "expected",
            "score",
            "weight_hashtag",
            "weight_url"
        ]
    );
    let per_kind: Vec<(String, String)> = graph
        .one("edges")
        .children
        .iter()
        .map(|e| {
            let v: BTreeMap<&str, &str> = e
                .one("attvalues")
                .children
                .iter()
                .map(|a| (a.attrs["for"].as_str(), a.attrs["value"].as_str()))
                .collect();
            (v["weight_hashtag"].to_string(), v["weight_url"].to_string())
        })
        .collect();
    let s = |x: &str, y: &str| (x.to_string(), y.to_string());
    assert_eq!(per_kind, [s("2", "2"), s("3", "0"), s("0", "1")]);
    let graphml = std::fs::read_to_string(dir.path().join("network.graphml")).unwrap();
    assert!(graphml.contains("<key id=\"e_weight_url\" for=\"edge\" attr.name=\"weight_url\" attr.type=\"long\"/>"));
    assert_eq!(graphml_graph(&parse(&graphml)), expected_edges(&ds, &det, true));
}

#[test]
fn kind_weights_add_the_combined_weight_to_edges_and_sort_by_it() {
    let ds = two_kinds();
    // hashtag = 3: a–b 2 + 3·2 = 8, a–c 9, b–c 1; threshold 8, only a–c above.
    let det = detect(&ds, &multiplex_params(&[("hashtag", 3.0)])).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &ds, &det, TableFormat::Csv, GraphScope::Full);
    let mut r = csv::Reader::from_path(dir.path().join("edges.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    assert_eq!(header.iter().next_back(), Some("weight_combined"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<(String, String, String, String, String)> = r
        .records()
        .map(|row| {
            let row = row.unwrap();
            let get = |c: &str| row[col(c)].to_string();
            (get("from"), get("to"), get("weight"), get("weight_combined"), get("above_threshold"))
        })
        .collect();
    let s = |a: &str, b: &str, w: &str, c: &str, t: &str| (a.into(), b.into(), w.into(), c.into(), t.into());
    assert_eq!(rows, [s("a", "c", "3", "9", "true"), s("a", "b", "4", "8", "false"), s("b", "c", "1", "1", "false")]);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["parameters"]["kind_weights"], serde_json::json!({"hashtag": 3.0}));
    assert_eq!(report["threshold"], 8.0);
    let kinds: Vec<(String, f64, u64)> = report["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (k["kind"].as_str().unwrap().to_string(), k["weight"].as_f64().unwrap(), k["coshares"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(kinds, [("hashtag".to_string(), 3.0, 5), ("url".to_string(), 1.0, 3)]);
    assert_eq!(report["groups"][0]["kinds"], serde_json::json!([{"kind": "hashtag", "coshares": 3}]));
    // Same input and parameters, same bytes, Parquet included.
    for format in [TableFormat::Csv, TableFormat::Parquet] {
        let (x, y) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        run(x.path(), &ds, &det, format, GraphScope::Full);
        run(y.path(), &ds, &det, format, GraphScope::Full);
        let mut names: Vec<_> = std::fs::read_dir(x.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert!(names.len() >= 8, "{names:?}");
        for n in names {
            assert_eq!(std::fs::read(x.path().join(&n)).unwrap(), std::fs::read(y.path().join(&n)).unwrap(), "{n:?}");
        }
    }
}

/// The graph files carry each edge's significance (`expected`, `score`) with the
/// same values as the edges table.
#[test]
fn graph_edges_carry_the_tables_significance() {
    let ds = dataset();
    let det = detect(
        &ds,
        &Params { window: lockstep_detect::Window::Seconds(10), min_participation: 1, ..Params::default() },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &ds, &det, TableFormat::Csv, GraphScope::Full);
    let mut table = BTreeMap::new();
    let mut r = csv::Reader::from_path(dir.path().join("edges.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        let key = (row[col("from")].to_string(), row[col("to")].to_string());
        table.insert(key, (row[col("expected")].to_string(), row[col("score")].to_string()));
    }
    assert_eq!(table.len(), 3);
    let root = parse(&std::fs::read_to_string(dir.path().join("network.graphml")).unwrap());
    let key_name: BTreeMap<String, String> =
        root.kids("key").into_iter().map(|k| (k.attrs["id"].clone(), k.attrs["attr.name"].clone())).collect();
    let graph = root.one("graph");
    let data = |el: &Element| -> BTreeMap<String, String> {
        el.children.iter().map(|d| (key_name[&d.attrs["key"]].clone(), d.text.clone())).collect()
    };
    let account: BTreeMap<String, String> =
        graph.kids("node").into_iter().map(|n| (n.attrs["id"].clone(), data(n)["account"].clone())).collect();
    let mut graph_edges = BTreeMap::new();
    for e in graph.kids("edge") {
        let (x, y) = (account[&e.attrs["source"]].clone(), account[&e.attrs["target"]].clone());
        let d = data(e);
        let (x, y) = if x <= y { (x, y) } else { (y, x) };
        graph_edges.insert((x, y), (d["expected"].clone(), d["score"].clone()));
    }
    // Same numbers (the text may differ: `1.0` in XML where the table writes `1`).
    let num = |m: BTreeMap<(String, String), (String, String)>| -> Vec<_> {
        m.into_iter().map(|(k, (a, b))| (k, a.parse::<f64>().unwrap(), b.parse::<f64>().unwrap())).collect()
    };
    assert_eq!(num(graph_edges), num(table));
}

/// Account names that need CSV quoting (short and long), long plain names and
/// short plain ones (written without the quoting check) all read back from
/// `edges.csv` with the `csv` crate as the pairs of the network.
#[test]
fn edges_csv_names_read_back_whatever_they_hold() {
    let long_plain = "an_account_name_longer_than_thirty_one_bytes";
    let long_comma = "a name, with a comma, longer than thirty-one bytes";
    let names = ["a", "x,y", "say \"hi\"", "line\nbreak", long_plain, long_comma, "é"];
    let mut ds = Dataset::default();
    let mut post = 0;
    for round in 0..3i64 {
        for (i, name) in names.iter().enumerate() {
            post += 1;
            ds.push(name, &format!("o{round}"), "url", &format!("p{post}"), round * 1000 + i as i64);
        }
    }
    let det = detect(
        &ds,
        &Params { window: lockstep_detect::Window::Seconds(60), min_participation: 1, ..Params::default() },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &ds, &det, TableFormat::Csv, GraphScope::Thresholded);
    let mut rdr = csv::Reader::from_path(dir.path().join("edges.csv")).unwrap();
    let got: BTreeSet<(String, String)> =
        rdr.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[1].to_string())).collect();
    let want: BTreeSet<(String, String)> = expected_edges(&ds, &det, true).into_keys().collect();
    assert_eq!(got.len(), names.len() * (names.len() - 1) / 2, "every pair co-shared");
    assert_eq!(got, want);
}
