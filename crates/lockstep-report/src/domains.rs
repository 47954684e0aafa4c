//! The domains table and the per-group domain annotations of `report.json`
//! (from [`lockstep_domains::fusion`]).
//!
//! `domains.{csv,parquet}`: one row per linked host: `domain` (Unicode),
//! `registrable`, `class` (`known`, `look-alike`, `clean`), `operation`, `source`,
//! `first_reported` (known domains), `outlet`, `outlet_domain`, `technique`,
//! `score` (look-alikes; also known domains that imitate an outlet), `shares`,
//! `accounts`, `groups` (space-separated components whose members shared it).
//! Sorted: known, look-alike, clean; then shares descending; then domain.
//!
//! `report.json`: every group (component) summary gets `domain_links`: links
//! shared by its members, how many to known / look-alike domains, the outlets
//! imitated and the operations, most linked first (see [`GroupLinks`]).

use crate::tables::Written;
use crate::{ColType, Error, Result, TableFormat, TableWriter, Value};
use lockstep_domains::fusion::{Fusion, GroupLinks};
use std::path::Path;

/// Writes `domains.{csv,parquet}` into `dir`.
pub fn write_domains(dir: &Path, fusion: &Fusion, format: TableFormat) -> Result<Written> {
    use ColType::*;
    let mut w = TableWriter::create(
        dir,
        "domains",
        format,
        &[
            ("domain", Str),
            ("registrable", Str),
            ("class", Str),
            ("operation", Str),
            ("source", Str),
            ("first_reported", Str),
            ("outlet", Str),
            ("outlet_domain", Str),
            ("technique", Str),
            ("score", F64),
            ("shares", U64),
            ("accounts", U64),
            ("groups", Str),
        ],
    )?;
    for d in &fusion.domains {
        let c = &d.classification;
        let groups = d.groups.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
        w.row(&[
            Value::Str(&c.domain),
            Value::Str(&c.registrable),
            Value::Str(c.class.as_str()),
            Value::Str(&c.operation),
            Value::Str(&c.source),
            Value::Str(&c.first_reported),
            Value::Str(&c.outlet),
            Value::Str(&c.outlet_domain),
            Value::Str(&c.technique),
            c.score.into(),
            d.shares.into(),
            d.accounts.into(),
            Value::Str(&groups),
        ])?;
    }
    let (path, rows) = w.finish()?;
    Ok((path.file_name().expect("file").to_string_lossy().into_owned(), rows))
}

/// Adds `domain_links` to each group of `dir/report.json` (written by
/// [`crate::write_outputs`]) and `domains` to its list of files.
pub fn annotate_report(dir: &Path, fusion: &Fusion, written: &Written) -> Result<()> {
    let path = dir.join("report.json");
    let text = fs_err::read_to_string(&path)?;
    let json_err = |e| Error::Json { path: path.clone(), cause: e };
    let mut report: serde_json::Value = serde_json::from_str(&text).map_err(json_err)?;
    if let Some(groups) = report.get_mut("groups").and_then(|g| g.as_array_mut()) {
        for g in groups {
            let Some(component) = g.get("component").and_then(|c| c.as_u64()) else { continue };
            let links = fusion.groups.iter().find(|l| u64::from(l.component) == component);
            let value = match links {
                Some(l) => serde_json::to_value(l).map_err(json_err)?,
                None => serde_json::to_value(GroupLinks {
                    component: component as u32,
                    links: 0,
                    known_links: 0,
                    lookalike_links: 0,
                    flagged_share: 0.0,
                    outlets: vec![],
                    operations: vec![],
                })
                .map_err(json_err)?,
            };
            if let Some(obj) = g.as_object_mut() {
                obj.insert("domain_links".into(), value);
            }
        }
    }
    if let Some(files) = report.get_mut("files").and_then(|f| f.as_array_mut()) {
        files.push(serde_json::json!([written.0, written.1]));
    }
    let mut out = serde_json::to_string_pretty(&report).map_err(json_err)?;
    out.push('\n');
    fs_err::write(&path, out)?;
    Ok(())
}
