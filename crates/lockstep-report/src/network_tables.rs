//! The network's tables: edges, accounts, objects, pairs. Each function documents its columns and sort order.

use crate::table_writer::{done, ColType, TableSink, TableWriter, Value, Written};
use crate::Result;
use lockstep_core::Dataset;
use lockstep_detect::{Detection, EdgeAttrs};
use rayon::prelude::*;
use std::cmp::Reverse;

fn attrs_values(a: Option<&EdgeAttrs>) -> [Value<'static>; 6] {
    match a {
        Some(a) => [
            Value::U64(a.weight as u64),
            Value::F64(a.avg_time_delta()),
            Value::U64(a.n_content_id as u64),
            Value::U64(a.n_content_id_y as u64),
            Value::F64(a.edge_symmetry_score()),
            Value::Bool(a.above_threshold),
        ],
        None => [Value::Null; 6],
    }
}

/// `edges`: `from`, `to` (account names, `from < to`), the full-network attributes
/// (`weight`, `avg_time_delta`, `n_content_id`, `n_content_id_y`,
/// `edge_symmetry_score`, `above_threshold`), `n_objects`, the same six with a
/// `_fast` suffix (empty without a fast window or fast co-shares), and
/// `component` (thresholded network, empty when below threshold), the
/// significance columns (`SIGNIFICANCE_COLUMNS`): `expected` (co-shares
/// expected under the null model) and `score` (`−log10` of the Poisson p-value
/// of `weight` given `expected`); with kind
/// weights (`--kind-weight`) also `weight_combined` (`Σ_k W_k · weight_k`, what
/// the threshold used; see [`crate::write_edge_kinds`]).
/// Sorted by combined weight (= weight without kind weights) descending, then
/// weight descending, then `from`, `to`.
pub fn write_edges(to: TableSink<'_>, ds: &Dataset, det: &Detection) -> Result<Written> {
    use ColType::*;
    let mut columns = vec![
        ("from", Str),
        ("to", Str),
        ("weight", U64),
        ("avg_time_delta", F64),
        ("n_content_id", U64),
        ("n_content_id_y", U64),
        ("edge_symmetry_score", F64),
        ("above_threshold", Bool),
        ("n_objects", U64),
        ("weight_fast", U64),
        ("avg_time_delta_fast", F64),
        ("n_content_id_fast", U64),
        ("n_content_id_y_fast", U64),
        ("edge_symmetry_score_fast", F64),
        ("above_threshold_fast", Bool),
        ("component", U64),
        // Significance (schema 1.3): always present, right after `component`.
        SIGNIFICANCE_COLUMNS[0],
        SIGNIFICANCE_COLUMNS[1],
    ];
    // Multiplex (schema 1.3): the combined weight, only when kinds were weighed.
    let combined = crate::multiplex::has_kind_weights(det);
    if combined {
        columns.push(("weight_combined", F64));
    }
    let mut w = TableWriter::open(to, "edges", &columns)?;
    let component = det.component_by_account(ds.accounts.len());
    let order = edge_order(det, combined);
    let names = Names::new(&ds.accounts);
    w.rows(order.len(), |k, row| {
        // Rows visit the accounts' names in random order: ask for those of a
        // row some rows ahead, so their cache misses overlap with this row.
        if let Some(&ahead) = order.get(k + NAMES_AHEAD) {
            let e = &det.edges[ahead as usize];
            names.prefetch(e.a);
            names.prefetch(e.b);
        }
        let i = order[k] as usize;
        let e = &det.edges[i];
        // `from` is the smaller name (what `account_rank` orders by), compared
        // here on the names already fetched rather than on a third random read.
        let (a, b) = (names.get(e.a), names.get(e.b));
        let (from, to) = if a.as_str() <= b.as_str() { (a, b) } else { (b, a) };
        row.extend([from, to]);
        row.extend(attrs_values(Some(&e.full)));
        row.push(Value::U64(e.n_objects as u64));
        row.extend(attrs_values(e.fast()));
        row.push(if e.full.above_threshold {
            component[e.a as usize].map_or(Value::Null, |c| Value::U64(c as u64))
        } else {
            Value::Null
        });
        row.extend(significance_values(det, i));
        if combined {
            row.push(Value::F64(e.full.combined_weight));
        }
    })?;
    done(w)
}

/// Rows ahead whose account names the edges table prefetches.
const NAMES_AHEAD: usize = 16;

/// Edge indices in the edges table's order: combined weight descending, then
/// weight descending, then index (the edges are in name order of (from, to)).
///
/// Without kind weights the combined weight is the weight, a small integer:
/// a counting sort by weight, stable so each weight's edges stay in index
/// order, is linear where a comparison sort of millions of edges is not.
/// With kind weights, combined weights are finite and >= 0, so their bit
/// patterns sort as the numbers do.
fn edge_order(det: &Detection, combined: bool) -> Vec<u32> {
    let edges = &det.edges;
    let max = edges.iter().map(|e| e.full.weight).max().unwrap_or(0) as usize;
    if combined || max > edges.len() {
        let mut keyed: Vec<(Reverse<u64>, Reverse<u32>, u32)> = edges
            .par_iter()
            .enumerate()
            .map(|(i, e)| (Reverse(e.full.combined_weight.to_bits()), Reverse(e.full.weight), i as u32))
            .collect();
        keyed.par_sort_unstable();
        return keyed.into_iter().map(|k| k.2).collect();
    }
    // start[w]: first position of weight w's edges, heaviest weights first.
    let mut start = vec![0usize; max + 2];
    for e in edges {
        start[e.full.weight as usize] += 1;
    }
    let mut next = 0;
    for w in (0..=max).rev() {
        let count = start[w];
        start[w] = next;
        next += count;
    }
    let mut order = vec![0u32; edges.len()];
    for (i, e) in edges.iter().enumerate() {
        let p = &mut start[e.full.weight as usize];
        order[*p] = i as u32;
        *p += 1;
    }
    order
}

/// Account names laid out for lookups by id in random order: each name of up
/// to 31 bytes that needs no CSV quoting in a record of its own, 32 bytes
/// aligned (two to a cache line), so a lookup costs one cache miss, which a
/// caller can start early ([`Names::prefetch`]), and the name is written as it
/// is ([`Value::Plain`]). Other names are read from the interner.
struct Names<'a> {
    records: Vec<NameRecord>,
    interner: &'a lockstep_core::Interner,
}

/// Length (or [`LONG_NAME`]), then the bytes.
#[derive(Clone, Copy)]
#[repr(align(32))]
struct NameRecord([u8; 32]);

/// Length byte of a name kept in the interner only.
const LONG_NAME: u8 = u8::MAX;

impl<'a> Names<'a> {
    fn new(interner: &'a lockstep_core::Interner) -> Self {
        let records = (0..interner.len() as u32)
            .into_par_iter()
            .map(|id| {
                let s = interner.get(id).as_bytes();
                let mut r = [0u8; 32];
                if s.len() < 32 && !crate::table_writer::needs_quotes(s) {
                    r[0] = s.len() as u8;
                    r[1..=s.len()].copy_from_slice(s);
                } else {
                    r[0] = LONG_NAME;
                }
                NameRecord(r)
            })
            .collect();
        Names { records, interner }
    }

    /// The name of account `id` as a table value.
    fn get(&self, id: u32) -> Value<'_> {
        let r = &self.records[id as usize].0;
        match r[0] {
            LONG_NAME => Value::Str(self.interner.get(id)),
            // SAFETY: the record holds a copy of the whole string (`new`),
            // so its bytes are valid UTF-8; checking them again per row was
            // a tenth of writing the edges table.
            #[allow(unsafe_code)]
            n => Value::Plain(unsafe { std::str::from_utf8_unchecked(&r[1..=n as usize]) }),
        }
    }

    fn prefetch(&self, id: u32) {
        lockstep_core::prefetch(&self.records[id as usize]);
    }
}

/// The edges table's significance columns (lockstep-detect's `significance` stage).
pub const SIGNIFICANCE_COLUMNS: [(&str, ColType); 2] = [("expected", ColType::F64), ("score", ColType::F64)];

/// Significant digits written for `expected` and `score`: enough for any
/// threshold or ranking, and a third of the bytes of full precision on tables
/// of millions of edges.
pub const SIGNIFICANCE_DIGITS: i32 = 6;

/// `expected` and `score` of edge `e` as every output writes them: rounded to
/// [`SIGNIFICANCE_DIGITS`] significant digits.
pub(crate) fn significance(det: &Detection, e: usize) -> [f64; 2] {
    unrounded_significance(det, e).map(|x| crate::table_writer::round_sig(x, SIGNIFICANCE_DIGITS))
}

/// Values of [`SIGNIFICANCE_COLUMNS`] for edge `e` (rounded as [`significance`]
/// when written).
fn significance_values(det: &Detection, e: usize) -> [Value<'static>; 2] {
    unrounded_significance(det, e).map(|x| Value::Rounded(x, SIGNIFICANCE_DIGITS as u8))
}

fn unrounded_significance(det: &Detection, e: usize) -> [f64; 2] {
    [det.significance.expected[e], det.significance.score[e]]
}

/// `accounts`: every account with an edge: `account_id`, `component`, `degree`
/// (thresholded network; empty/0 when the account has no edge above threshold),
/// `community` (Leiden, thresholded network; empty outside it),
/// `component_full`, `degree_full`, `shares` (input), `coshared_posts`,
/// `avg_time_delta`, `avg_edge_symmetry_score` (over its thresholded edges).
/// Sorted by component (coordinated first), then account name.
pub fn write_accounts(to: TableSink<'_>, ds: &Dataset, det: &Detection) -> Result<Written> {
    use ColType::*;
    let mut w = TableWriter::open(
        to,
        "accounts",
        &[
            ("account_id", Str),
            ("component", U64),
            ("degree", U64),
            ("community", U64),
            ("component_full", U64),
            ("degree_full", U64),
            ("shares", U64),
            ("coshared_posts", U64),
            ("avg_time_delta", F64),
            ("avg_edge_symmetry_score", F64),
        ],
    )?;
    let rank = &det.account_rank;
    let community = |a: u32| det.communities.as_ref().and_then(|c| c.of_account[a as usize]);
    let mut order: Vec<usize> = (0..det.accounts.len()).collect();
    order.sort_unstable_by_key(|&i| {
        let a = &det.accounts[i];
        (a.component.unwrap_or(u32::MAX), rank[a.account as usize])
    });
    for i in order {
        let a = &det.accounts[i];
        w.row(&[
            Value::Str(ds.accounts.get(a.account)),
            a.component.into(),
            a.degree.into(),
            community(a.account).into(),
            a.component_full.into(),
            a.degree_full.into(),
            a.shares.into(),
            a.coshared_posts.into(),
            a.avg_time_delta.into(),
            a.avg_edge_symmetry_score.into(),
        ])?;
    }
    done(w)
}

/// `objects`: every object with co-shares plus every mass object: `object_id`,
/// `kind`, `shares`, `accounts` (input), `coshares`, `coshare_accounts`,
/// `coordinated_accounts` (accounts of thresholded edges built on it),
/// `first_time`, `last_time` (UNIX seconds), `mass` (true when too widely
/// co-shared to expand), `mass_pairs` (its in-window share pairs).
/// Sorted by coordinated accounts, co-shares (both descending), then kind, object.
pub fn write_objects(to: TableSink<'_>, ds: &Dataset, det: &Detection) -> Result<Written> {
    use ColType::*;
    let mut w = TableWriter::open(
        to,
        "objects",
        &[
            ("object_id", Str),
            ("kind", Str),
            ("shares", U64),
            ("accounts", U64),
            ("coshares", U64),
            ("coshare_accounts", U64),
            ("coordinated_accounts", U64),
            ("first_time", I64),
            ("last_time", I64),
            ("mass", Bool),
            ("mass_pairs", U64),
        ],
    )?;
    // Objects with co-shares first, then mass objects by their pairs. The keys
    // hold the strings themselves, looked up once per object.
    #[allow(clippy::type_complexity)] // the sort key, spelt out where it is built
    let mut order: Vec<(bool, Reverse<u64>, Reverse<u32>, &str, &str, u32)> = det
        .objects
        .par_iter()
        .enumerate()
        .map(|(i, o)| {
            let (mass, primary) = match o.mass_pairs {
                Some(p) => (true, p),
                None => (false, o.coordinated_accounts as u64),
            };
            let kind = if mass { "" } else { ds.kind_of(o.object) };
            (mass, Reverse(primary), Reverse(o.coshares), kind, ds.objects.get(o.object), i as u32)
        })
        .collect();
    order.par_sort_unstable();
    w.rows(order.len(), |k, row| {
        let o = &det.objects[order[k].5 as usize];
        row.extend([
            Value::Str(order[k].4),
            Value::Str(ds.kind_of(o.object)),
            o.shares.into(),
            o.accounts.into(),
            o.coshares.into(),
            o.coshare_accounts.into(),
            o.coordinated_accounts.into(),
            Value::I64(o.first_time),
            Value::I64(o.last_time),
            Value::Bool(o.mass_pairs.is_some()),
            o.mass_pairs.into(),
        ]);
    })?;
    done(w)
}

/// `pairs`: every co-share (the evidence behind the edges): `object_id`, `kind`,
/// `content_id` (earlier post), `content_id_y` (later post), `time_delta`,
/// `account_id`, `account_id_y`, `time`, `time_y`, `fast` (within the fast window
/// and passing its filter). In engine order: objects by first appearance in the
/// input, then time.
pub fn write_pairs(to: TableSink<'_>, ds: &Dataset, det: &Detection) -> Result<Written> {
    use ColType::*;
    let mut w = TableWriter::open(
        to,
        "pairs",
        &[
            ("object_id", Str),
            ("kind", Str),
            ("content_id", Str),
            ("content_id_y", Str),
            ("time_delta", I64),
            ("account_id", Str),
            ("account_id_y", Str),
            ("time", I64),
            ("time_y", I64),
            ("fast", Bool),
        ],
    )?;
    let has_fast = det.params.fast_window.is_some();
    w.rows(det.coshares.len(), |i, row| {
        let (c, fast) = (&det.coshares[i], det.fast[i]);
        let e = &ds.shares[c.early as usize];
        let l = &ds.shares[c.late as usize];
        row.extend([
            Value::Str(ds.objects.get(c.object)),
            Value::Str(ds.kind_of(c.object)),
            Value::Str(ds.posts.get(e.post)),
            Value::Str(ds.posts.get(l.post)),
            Value::I64(l.time - e.time),
            Value::Str(ds.accounts.get(e.account)),
            Value::Str(ds.accounts.get(l.account)),
            Value::I64(e.time),
            Value::I64(l.time),
            if has_fast { Value::Bool(fast) } else { Value::Null },
        ]);
    })?;
    done(w)
}
