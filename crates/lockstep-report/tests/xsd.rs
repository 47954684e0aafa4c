//! The graph exports validated against XML Schemas with `xmllint`.
//!
//! The schemas are not in the repository: `scripts/fetch-xml-schemas.sh` takes
//! them from Debian's libjgrapht-java package into `target/xml-schemas` (`.ci/run`
//! does this and installs xmllint, Debian's libxml2-utils). `LOCKSTEP_XSD_DIR`
//! points elsewhere. Without xmllint or the schemas the tests say so and pass,
//! except under `CI=true`, where they fail.
//!
//! - GraphML: the GraphML 1.0 schema (graphml.xsd with xlink.xsd), as written.
//! - GEXF: Lockstep writes GEXF 1.3. The GEXF 1.3 XSD published by gexf.net does
//!   not compile in xmllint (gephi/gexf issue 19) and no reachable registry ships
//!   it, so the document is checked against the GEXF 1.2draft XSD with its
//!   namespace and version mapped to 1.2draft: every construct Lockstep writes
//!   (meta, attributes of class node/edge, nodes with attvalues, undirected edges
//!   with weight) is the same in both versions.
//!
//! Each schema is also shown to reject a deliberately broken document, so a
//! passing run means the validator really ran.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::{detect, Params};
use lockstep_report::{
    write_outputs, GraphFormat, GraphScope, InputInfo, OutputOptions, Report, ReportInputs, TableFormat,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The schema folder and xmllint, or `None` (with the reason printed) when absent outside CI.
fn validator() -> Option<PathBuf> {
    let dir = std::env::var_os("LOCKSTEP_XSD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/xml-schemas"));
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let missing = |why: String| {
        assert!(!ci, "CI=true: {why}");
        eprintln!("SKIPPED: {why}");
        None
    };
    if Command::new("xmllint").arg("--version").output().is_err() {
        return missing("xmllint not found (Debian: apt-get install libxml2-utils)".into());
    }
    for f in ["graphml.xsd", "xlink.xsd", "gexf.xsd", "viz.xsd"] {
        if !dir.join(f).is_file() {
            return missing(format!("{} missing: run scripts/fetch-xml-schemas.sh", dir.join(f).display()));
        }
    }
    Some(dir)
}

/// Runs xmllint on `doc` against `schema` without network access; Ok or the messages.
fn xmllint(schema: &Path, doc: &Path) -> Result<(), String> {
    let o = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(schema)
        .arg(doc)
        .output()
        .expect("run xmllint");
    let msg = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    if o.status.success() {
        Ok(())
    } else {
        Err(msg)
    }
}

/// GEXF 1.3 mapped onto the 1.2draft schema (namespace, version, schema location).
fn as_gexf_12(text: &str) -> String {
    text.replace("http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd", "http://www.gexf.net/1.2draft gexf.xsd")
        .replace("xmlns=\"http://gexf.net/1.3\"", "xmlns=\"http://www.gexf.net/1.2draft\"")
        .replace("version=\"1.3\"", "version=\"1.2\"")
}

/// Two kinds, a fast window, kind weights and awkward names: every attribute is written.
fn outputs(dir: &Path, scope: GraphScope) {
    let mut ds = Dataset::default();
    let nasty = "<b&\"o'b\tx>";
    for (i, (acc, obj, kind, t)) in [
        ("a", "u1", "url", 0),
        (nasty, "u1", "url", 2),
        ("a", "h1", "hashtag", 100),
        (nasty, "h1", "hashtag", 101),
        ("a", "h2", "hash tag/odd", 200),
        (nasty, "h2", "hash tag/odd", 203),
        ("c", "h2", "hash tag/odd", 204),
        ("c", "u9", "url", 900),
    ]
    .into_iter()
    .enumerate()
    {
        ds.push(acc, obj, kind, &format!("p{i}"), t);
    }
    let params = Params {
        window: lockstep_detect::Window::Seconds(10),
        fast_window: Some(2),
        min_participation: 1,
        kind_weights: [("url".to_string(), 2.0)].into_iter().collect(),
        ..Params::default()
    };
    let det = detect(&ds, &params).unwrap();
    let opts = OutputOptions {
        format: TableFormat::Csv,
        graphs: vec![GraphFormat::Gexf, GraphFormat::Graphml],
        graph_scope: scope,
        ..OutputOptions::default()
    };
    let diagnostics = Diagnostics::default();
    let inputs = [InputInfo::default()];
    let run = ReportInputs {
        dataset: &ds,
        detection: &det,
        inputs: &inputs,
        diagnostics: &diagnostics,
        near_text: None,
        fusion: None,
    };
    write_outputs(dir, &run, || Report::build(&run), &opts).unwrap();
}

#[test]
fn graphml_export_is_valid_graphml() {
    let Some(xsd) = validator() else { return };
    let schema = xsd.join("graphml.xsd");
    for scope in [GraphScope::Thresholded, GraphScope::Full] {
        let dir = tempfile::tempdir().unwrap();
        outputs(dir.path(), scope);
        let doc = dir.path().join("network.graphml");
        let text = std::fs::read_to_string(&doc).unwrap();
        assert!(text.contains("attr.name=\"weight_hash_tag_odd\""), "{text}");
        xmllint(&schema, &doc).unwrap_or_else(|e| panic!("{scope:?}: {e}\n{text}"));
        // A key reference that is not an XML name token, and an unknown edge default: both rejected.
        for (from, to) in [
            ("<data key=\"e_weight\">", "<data key=\"e weight\">"),
            ("edgedefault=\"undirected\"", "edgedefault=\"sideways\""),
        ] {
            assert!(text.contains(from), "{from}");
            let broken = dir.path().join("broken.graphml");
            std::fs::write(&broken, text.replacen(from, to, 1)).unwrap();
            let err = xmllint(&schema, &broken).expect_err("a broken GraphML document must fail");
            assert!(err.contains("fails to validate"), "{err}");
        }
    }
}

#[test]
fn gexf_export_is_valid_gexf() {
    let Some(xsd) = validator() else { return };
    let schema = xsd.join("gexf.xsd");
    for scope in [GraphScope::Thresholded, GraphScope::Full] {
        let dir = tempfile::tempdir().unwrap();
        outputs(dir.path(), scope);
        let text = std::fs::read_to_string(dir.path().join("network.gexf")).unwrap();
        assert!(text.contains("<attribute id=\"weight_url\" title=\"weight_url\" type=\"long\"/>"), "{text}");
        assert!(text.contains("weight_combined"), "{text}");
        let doc = dir.path().join("network-1.2.gexf");
        std::fs::write(&doc, as_gexf_12(&text)).unwrap();
        xmllint(&schema, &doc).unwrap_or_else(|e| panic!("{scope:?}: {e}\n{text}"));
        // An attvalue without `for`, and an edge without a source: both rejected.
        for (from, to) in [("<attvalue for=", "<attvalue fr="), (" source=\"n", " src=\"n")] {
            assert!(text.contains(from));
            let broken = dir.path().join("broken.gexf");
            std::fs::write(&broken, as_gexf_12(&text.replacen(from, to, 1))).unwrap();
            let err = xmllint(&schema, &broken).expect_err("a broken GEXF document must fail");
            assert!(err.contains("fails to validate"), "{err}");
        }
    }
}
