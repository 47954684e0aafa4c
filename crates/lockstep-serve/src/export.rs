//! A case export: one zip with a group's network and evidence (its thresholded
//! edges, the co-shares behind them with both posts and times), its members,
//! a GEXF file for Gephi, the case notes, the parameters, the provenance of the
//! data, and a self-contained HTML report. File names inside are fixed: nothing
//! from the request or the data becomes a path.

use crate::results::Loaded;
use crate::store::{Dataset, Note, Run};
use serde_json::{json, Value};
use std::io::{Cursor, Write};

/// Text escaped for HTML and XML content and attribute values.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(&r)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The GEXF 1.3 document of a group's network.
fn gexf(members: &[String], edges: &[Value]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n  \
         <graph defaultedgetype=\"undirected\">\n    <attributes class=\"edge\">\n      \
         <attribute id=\"score\" title=\"score\" type=\"double\"/>\n    </attributes>\n    <nodes>\n",
    );
    for m in members {
        let m = escape_markup(m);
        s += &format!("      <node id=\"{m}\" label=\"{m}\"/>\n");
    }
    s += "    </nodes>\n    <edges>\n";
    for (i, e) in edges.iter().enumerate() {
        s += &format!(
            "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{}\"><attvalues><attvalue for=\"score\" value=\"{}\"/></attvalues></edge>\n",
            escape_markup(&text(&e["a"])),
            escape_markup(&text(&e["b"])),
            text(&e["weight"]),
            e["score"].as_f64().unwrap_or(0.0)
        );
    }
    s += "    </edges>\n  </graph>\n</gexf>\n";
    s
}

fn html_report(
    run: &Run,
    dataset: &Dataset,
    group: usize,
    members: &[String],
    edges: &[Value],
    notes: &[Note],
    summary: &str,
) -> String {
    let e = escape_markup;
    let mut s = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lockstep case: run {} group {group}</title>\
         <style>body{{font:14px sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style></head><body>\n\
         <h1>Run {} &middot; group {group}</h1>\n<p>{}</p>\n<p>Dataset {} ({} bytes, SHA-256 {})</p>\n<h2>Notes</h2>\n<ul>\n",
        run.id,
        run.id,
        e(summary),
        e(&dataset.name),
        dataset.bytes,
        e(&dataset.sha256)
    );
    for n in notes {
        s += &format!(
            "<li><b>{} {}</b> ({}, {}; tags {}): {}</li>\n",
            e(&n.target_kind),
            e(&n.target),
            e(&n.author),
            e(&n.created),
            e(&n.tags),
            e(&n.body)
        );
    }
    s += &format!("</ul>\n<h2>Members ({})</h2>\n<p>", members.len());
    s += &members.iter().map(|m| e(m)).collect::<Vec<_>>().join(", ");
    s += "</p>\n<h2>Edges</h2>\n<table><tr><th>a</th><th>b</th><th>co-shares</th><th>score</th></tr>\n";
    for x in edges {
        s += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>\n",
            e(&text(&x["a"])),
            e(&text(&x["b"])),
            text(&x["weight"]),
            x["score"].as_f64().unwrap_or(0.0)
        );
    }
    s += "</table>\n<p>The co-shares behind each edge are in evidence.csv.</p>\n</body></html>\n";
    s
}

/// The zip of group `group` of a run, with the run's notes.
pub fn case_zip(
    loaded: &Loaded,
    run: &Run,
    dataset: &Dataset,
    group: usize,
    notes: &[Note],
) -> std::io::Result<Option<Vec<u8>>> {
    let Some((edges, evidence, members)) = loaded.group_export(group) else { return Ok(None) };
    let dir = format!("lockstep-run{}-group{group}", run.id);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut add = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
        zip.start_file(format!("{dir}/{name}"), opts).map_err(std::io::Error::other)?;
        zip.write_all(bytes)
    };
    add(
        "edges.csv",
        &csv_bytes(
            &["account_a", "account_b", "weight", "score", "avg_time_delta"],
            edges
                .iter()
                .map(|e| ["a", "b", "weight", "score", "avg_time_delta"].iter().map(|k| text(&e[*k])).collect()),
        )?,
    )?;
    let ev_cols = ["a", "b", "kind", "object", "post_a", "time_a", "post_b", "time_b", "delay", "first", "fast"];
    add(
        "evidence.csv",
        &csv_bytes(
            &[
                "account_a",
                "account_b",
                "kind",
                "object",
                "post_a",
                "time_a",
                "post_b",
                "time_b",
                "delay_seconds",
                "first",
                "fast",
            ],
            evidence.iter().map(|r| ev_cols.iter().map(|k| text(&r[*k])).collect()),
        )?,
    )?;
    add("members.csv", &csv_bytes(&["account"], members.iter().map(|m| vec![m.clone()]))?)?;
    add("network.gexf", gexf(&members, &edges).as_bytes())?;
    add(
        "notes.csv",
        &csv_bytes(
            &["id", "target_kind", "target", "author", "tags", "created", "body"],
            notes.iter().map(|n| {
                vec![
                    n.id.to_string(),
                    n.target_kind.clone(),
                    n.target.clone(),
                    n.author.clone(),
                    n.tags.clone(),
                    n.created.clone(),
                    n.body.clone(),
                ]
            }),
        )?,
    )?;
    let report = loaded.provenance();
    let params = json!({"run_params": run.params, "detection": report["parameters"]});
    add("params.json", serde_json::to_string_pretty(&params)?.as_bytes())?;
    let provenance = json!({
        "tool": report["tool"],
        "schema_version": report["schema_version"],
        "run": {"id": run.id, "created": run.created, "finished": run.finished},
        "dataset": {"name": dataset.name, "origin": dataset.origin, "bytes": dataset.bytes, "sha256": dataset.sha256, "added": dataset.created},
        "inputs": report["inputs"],
        "diagnostics": report["diagnostics"],
        "group": group,
    });
    add("provenance.json", serde_json::to_string_pretty(&provenance)?.as_bytes())?;
    let summary = loaded.overview(0)["summary"].as_str().unwrap_or_default().to_string();
    add("report.html", html_report(run, dataset, group, &members, &edges, notes, &summary).as_bytes())?;
    let cursor = zip.finish().map_err(std::io::Error::other)?;
    Ok(Some(cursor.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape_markup("<script>a&b\"'</script>"), "&lt;script&gt;a&amp;b&quot;&#39;&lt;/script&gt;");
        assert_eq!(escape_markup("\u{1b}[31m"), "\u{FFFD}[31m");
    }
}
