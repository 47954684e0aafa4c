//! The domains table and the per-group domain annotations of `report.json`
//! (from [`lockstep_domains::fusion`]).
//!
//! `domains.{csv,parquet}`: one row per linked host: `input` (the first link
//! seen to it), `domain` (Unicode), `registrable`, `class` (`known`,
//! `look-alike`, `clean`), `operation`, `source`, `first_reported` (known
//! domains), `outlet`, `outlet_domain`, `technique`, `score` (look-alikes; also
//! known domains that imitate an outlet), `note`, `shares`, `accounts`, `groups`
//! (space-separated components whose members shared it). Sorted: known,
//! look-alike, clean; then shares descending; then domain. `lockstep domains`
//! writes the same columns ([`DOMAIN_COLUMNS`], [`write_domains_csv`]; schema
//! 1.5 added `input` and `note` here, `registrable` and `groups` there).
//!
//! `report.json`: every group (component) summary gets `domain_links`: links
//! shared by its members, how many to known / look-alike domains, the outlets
//! imitated and the operations, most linked first (see [`lockstep_domains::GroupLinks`];
//! a field of [`crate::ReportGroup`]).

use crate::table_writer::csv_row;
use crate::{ColType, Result, TableSink, TableWriter, Value, Written};
use lockstep_domains::fusion::Fusion;
use lockstep_domains::Classification;
use std::io::Write;

/// The columns of every domains table, in order: `lockstep detect`'s
/// `domains` table and `lockstep domains`' CSV (schema 1.5: one schema for both;
/// 1.7 added `why`).
pub const DOMAIN_COLUMNS: [(&str, ColType); 16] = [
    ("input", ColType::Str),
    ("domain", ColType::Str),
    ("registrable", ColType::Str),
    ("class", ColType::Str),
    ("operation", ColType::Str),
    ("source", ColType::Str),
    ("first_reported", ColType::Str),
    ("outlet", ColType::Str),
    ("outlet_domain", ColType::Str),
    ("technique", ColType::Str),
    ("score", ColType::F64),
    ("note", ColType::Str),
    ("shares", ColType::U64),
    ("accounts", ColType::U64),
    ("groups", ColType::Str),
    ("why", ColType::Str),
];

/// One row of a domains table: a verdict and, for the links of a dataset,
/// their shares and accounts and the groups that shared them.
#[derive(Debug, Clone, Copy)]
pub struct DomainLine<'a> {
    /// The verdict.
    pub classification: &'a Classification,
    /// Shares and distinct accounts (links of a dataset).
    pub counts: Option<(u64, u64)>,
    /// Groups (components) whose members shared them, ascending (with a detection).
    pub groups: Option<&'a [u32]>,
}

impl DomainLine<'_> {
    /// The row's values in [`DOMAIN_COLUMNS`] order; `groups` is the groups joined by spaces.
    fn values<'v>(&'v self, groups: &'v str) -> [Value<'v>; 16] {
        let c = self.classification;
        [
            Value::Str(&c.input),
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
            Value::Str(&c.note),
            self.counts.map(|(s, _)| s).into(),
            self.counts.map(|(_, a)| a).into(),
            if self.groups.is_some() { Value::Str(groups) } else { Value::Null },
            Value::Str(&c.why),
        ]
    }

    fn groups_text(&self) -> String {
        self.groups.unwrap_or_default().iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
    }
}

/// Writes the `domains` table to `to`: every linked host of `fusion`.
pub fn write_domains(to: TableSink<'_>, fusion: &Fusion) -> Result<Written> {
    let mut w = TableWriter::open(to, "domains", &DOMAIN_COLUMNS)?;
    for d in &fusion.domains {
        let line = DomainLine {
            classification: &d.classification,
            counts: Some((d.shares, d.accounts)),
            groups: Some(&d.groups),
        };
        let groups = line.groups_text();
        w.row(&line.values(&groups))?;
    }
    crate::table_writer::done(w)
}

/// Writes `lines` as CSV with a header to `out`: the same columns and the same
/// text as the `domains` table.
pub fn write_domains_csv(out: &mut dyn Write, lines: &[DomainLine<'_>]) -> std::io::Result<()> {
    let header: Vec<Value<'_>> = DOMAIN_COLUMNS.iter().map(|(name, _)| Value::Str(name)).collect();
    let mut buf = Vec::new();
    csv_row(&mut buf, &header);
    out.write_all(&buf)?;
    for line in lines {
        buf.clear();
        let groups = line.groups_text();
        csv_row(&mut buf, &line.values(&groups));
        out.write_all(&buf)?;
    }
    Ok(())
}
