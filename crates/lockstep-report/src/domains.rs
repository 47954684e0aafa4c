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
//! imitated and the operations, most linked first (see [`lockstep_domains::GroupLinks`];
//! a field of [`crate::ReportGroup`]).

use crate::{ColType, Result, TableFormat, TableWriter, Value, Written};
use lockstep_domains::fusion::Fusion;
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
