//! The multiplex outputs: the `edge_kinds` table (one row per edge and object
//! kind) and the `weight_combined` column of `edges` (with kind weights).
//!
//! Why a long table rather than one `weight_<kind>` column per kind in `edges`:
//! the kinds of a run are data (a generic CSV may carry any kind label, which
//! need not be a valid column name, and a run may carry many), so wide columns
//! would make the `edges` schema change from run to run and break readers that
//! expect fixed columns. `edge_kinds` has fixed columns and types in every run,
//! holds only the (edge, kind) pairs that exist, loads as-is in pandas, polars
//! or R, and pivots to the wide form in one call
//! (`df.pivot(index=["from", "to"], columns="kind", values="weight")`). It
//! joins `edges` on `(from, to)`; `edges` itself is unchanged unless kind
//! weights are given.

use crate::table_writer::Written;
use crate::table_writer::{ColType, TableSink, TableWriter, Value};
use crate::Result;
use lockstep_core::Dataset;
use lockstep_detect::Detection;

/// True when the run weighed kinds (`--kind-weight`): `edges` then carries
/// `weight_combined`, the weight the threshold used.
pub fn has_kind_weights(det: &Detection) -> bool {
    !det.params.kind_weights.is_empty()
}

/// `edge_kinds`: one row per edge and object kind it has co-shares of:
/// `from`, `to` (as in `edges`, `from < to` by name), `kind`, `weight`
/// (co-shares of that kind), `weight_fast` (fast ones; empty without a fast
/// window), `n_objects` (distinct objects of that kind), `avg_time_delta` (mean
/// delay of those co-shares, seconds). The weights of an edge's rows add up to
/// its `weight` (and `weight_fast`). Sorted by `from`, `to`, then `kind` (byte
/// order).
pub fn write_edge_kinds(to: TableSink<'_>, ds: &Dataset, det: &Detection) -> Result<Written> {
    use ColType::*;
    let mut w = TableWriter::open(
        to,
        "edge_kinds",
        &[
            ("from", Str),
            ("to", Str),
            ("kind", Str),
            ("weight", U64),
            ("weight_fast", U64),
            ("n_objects", U64),
            ("avg_time_delta", F64),
        ],
    )?;
    let has_fast = det.params.fast_window.is_some();
    let rank = &det.account_rank;
    // Edges are in name order of (from, to), and each edge's kinds in label order:
    // row r is kind r - starts[e] of the edge e whose rows start at or before r.
    let mut starts = Vec::with_capacity(det.edges.len() + 1);
    let mut total = 0usize;
    for e in &det.edges {
        starts.push(total);
        total += e.kinds().as_slice().len();
    }
    // A block's cursor is the edge of its first row, found by one search; the
    // following rows advance it.
    w.rows_with(
        total,
        |r| starts.partition_point(|&s| s <= r) - 1,
        |i, r, row| {
            while starts.get(*i + 1).is_some_and(|&s| s <= r) {
                *i += 1;
            }
            let i = *i;
            let e = &det.edges[i];
            let kinds = e.kinds();
            let k = &kinds.as_slice()[r - starts[i]];
            let (from, to) = if rank[e.a as usize] <= rank[e.b as usize] { (e.a, e.b) } else { (e.b, e.a) };
            row.extend([
                Value::Str(ds.accounts.get(from)),
                Value::Str(ds.accounts.get(to)),
                Value::Str(ds.kinds.get(k.kind)),
                Value::U64(k.weight as u64),
                if has_fast { Value::U64(k.weight_fast as u64) } else { Value::Null },
                Value::U64(k.n_objects as u64),
                Value::F64(k.avg_time_delta()),
            ]);
        },
    )?;
    let (path, rows) = w.finish()?;
    Ok((path.file_name().expect("file").to_string_lossy().into_owned(), rows))
}
