//! Evidence: the co-shares behind an edge, oriented to the edge's two accounts,
//! for `lockstep explain` and for the `evidence` table (a group's co-shares,
//! exported for a report).
//!
//! An evidence row says which object both accounts shared, each account's post
//! and time (UTC, RFC 3339), the delay between the two shares, which account
//! shared first (for equal times: the one first in the engine's tie order), and
//! whether the co-share passed the fast window.

use crate::table_writer::Written;
use crate::table_writer::{ColType, TableSink, TableWriter, Value};
use crate::Result;
use lockstep_core::{AccountId, Dataset};
use lockstep_detect::Detection;

/// One co-share behind an edge, seen from account `a` and account `b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow<'a> {
    /// Index of the co-share in [`Detection::coshares`].
    pub coshare: u32,
    /// Object kind.
    pub kind: &'a str,
    /// Object value.
    pub object: &'a str,
    /// Post of account `a`.
    pub post_a: &'a str,
    /// Time of account `a`'s share (UNIX seconds).
    pub time_a: i64,
    /// Post of account `b`.
    pub post_b: &'a str,
    /// Time of account `b`'s share (UNIX seconds).
    pub time_b: i64,
    /// Seconds between the two shares (`>= 0`).
    pub delta: i64,
    /// True when account `a` shared first.
    pub a_first: bool,
    /// Passed the fast window and its filter (`None` without a fast window).
    pub fast: Option<bool>,
}

/// Index of the edge between two accounts in [`Detection::edges`], if any.
pub fn find_edge(det: &Detection, x: AccountId, y: AccountId) -> Option<usize> {
    det.find_edge(x, y)
}

/// The co-shares behind edge `e`, with `a` (one of its two accounts) as account
/// `a`. Sorted by the earlier share's time, then kind, object, `post_a`, `post_b`.
pub fn edge_evidence<'d>(ds: &'d Dataset, det: &Detection, e: usize, a: AccountId) -> Vec<EvidenceRow<'d>> {
    let has_fast = det.params.fast_window.is_some();
    let mut rows: Vec<EvidenceRow<'d>> = det
        .evidence(e)
        .iter()
        .map(|&r| {
            let c = &det.coshares[r as usize];
            let early = &ds.shares[c.early as usize];
            let late = &ds.shares[c.late as usize];
            let a_first = early.account == a;
            let (sa, sb) = if a_first { (early, late) } else { (late, early) };
            EvidenceRow {
                coshare: r,
                kind: ds.kind_of(c.object),
                object: ds.objects.get(c.object),
                post_a: ds.posts.get(sa.post),
                time_a: sa.time,
                post_b: ds.posts.get(sb.post),
                time_b: sb.time,
                delta: late.time - early.time,
                a_first,
                fast: has_fast.then(|| det.fast[r as usize]),
            }
        })
        .collect();
    rows.sort_by(|x, y| {
        (x.time_a.min(x.time_b), x.kind, x.object, x.post_a, x.post_b, x.coshare).cmp(&(
            y.time_a.min(y.time_b),
            y.kind,
            y.object,
            y.post_a,
            y.post_b,
            y.coshare,
        ))
    });
    rows
}

/// UNIX seconds as RFC 3339 in UTC (`2016-10-01T12:00:00Z`); out-of-range
/// times (beyond chrono's years ±262,143) are written as the number.
pub fn utc(secs: i64) -> String {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => secs.to_string(),
    }
}

/// `evidence`: every co-share behind the thresholded edges of the given groups
/// (components of the thresholded network), for a report. Columns: `component`,
/// `account_a`, `account_b` (the edge, `account_a < account_b` by name),
/// `edge_weight`, `kind`, `object_id`, `post_a`, `time_a`, `post_b`, `time_b`
/// (times in UTC, RFC 3339), `time_delta` (seconds), `first` (the account that
/// shared first), `fast` (empty without a fast window). Sorted by component,
/// `account_a`, `account_b`, then as [`edge_evidence`]. Groups that do not exist
/// contribute no rows.
pub fn write_evidence(to: TableSink<'_>, ds: &Dataset, det: &Detection, groups: &[u32]) -> Result<Written> {
    use ColType::*;
    let mut w = TableWriter::open(
        to,
        "evidence",
        &[
            ("component", U64),
            ("account_a", Str),
            ("account_b", Str),
            ("edge_weight", U64),
            ("kind", Str),
            ("object_id", Str),
            ("post_a", Str),
            ("time_a", Str),
            ("post_b", Str),
            ("time_b", Str),
            ("time_delta", I64),
            ("first", Str),
            ("fast", Bool),
        ],
    )?;
    let mut wanted: Vec<u32> = groups.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let component = det.component_by_account(ds.accounts.len());
    let name = |a: AccountId| ds.accounts.get(a);
    // (component, from name, to name, edge index, from id)
    let mut edges: Vec<(u32, &str, &str, usize, AccountId)> = det
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.full.above_threshold)
        .filter_map(|(i, e)| {
            let c = component[e.a as usize]?;
            wanted.binary_search(&c).ok()?;
            let (from, to) = if name(e.a) <= name(e.b) { (e.a, e.b) } else { (e.b, e.a) };
            Some((c, name(from), name(to), i, from))
        })
        .collect();
    edges.sort_unstable();
    for &(c, from, to, e, from_id) in &edges {
        let weight = det.edges[e].full.weight;
        for r in edge_evidence(ds, det, e, from_id) {
            let (ta, tb) = (utc(r.time_a), utc(r.time_b));
            w.row(&[
                Value::U64(c as u64),
                Value::Str(from),
                Value::Str(to),
                Value::U64(weight as u64),
                Value::Str(r.kind),
                Value::Str(r.object),
                Value::Str(r.post_a),
                Value::Str(&ta),
                Value::Str(r.post_b),
                Value::Str(&tb),
                Value::I64(r.delta),
                Value::Str(if r.a_first { from } else { to }),
                r.fast.map_or(Value::Null, Value::Bool),
            ])?;
        }
    }
    let (path, rows) = w.finish()?;
    Ok((path.file_name().expect("file").to_string_lossy().into_owned(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lockstep_detect::{detect, Params};

    #[test]
    fn utc_times() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_475_323_200), "2016-10-01T12:00:00Z");
        assert_eq!(utc(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn evidence_of_a_small_edge_by_hand() {
        // b shares o1 first (2 s before a); a shares o2 first (5 s before b).
        let mut ds = Dataset::default();
        ds.push("b", "o1", "url", "pb1", 100);
        ds.push("a", "o1", "url", "pa1", 102);
        ds.push("a", "o2", "hashtag", "pa2", 200);
        ds.push("b", "o2", "hashtag", "pb2", 205);
        let det = detect(
            &ds,
            &Params { window: lockstep_detect::Window::Seconds(10), fast_window: Some(3), ..Params::default() },
        )
        .unwrap();
        let (a, b) = (ds.accounts.lookup("a").unwrap(), ds.accounts.lookup("b").unwrap());
        let e = find_edge(&det, a, b).expect("edge");
        assert_eq!(find_edge(&det, b, a), Some(e));
        let rows = edge_evidence(&ds, &det, e, a);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.kind, r.object, r.post_a, r.time_a, r.post_b, r.time_b, r.delta, r.a_first))
            .collect();
        assert_eq!(
            got,
            [("url", "o1", "pa1", 102, "pb1", 100, 2, false), ("hashtag", "o2", "pa2", 200, "pb2", 205, 5, true)]
        );
        // With a fast window of 3 s only the first co-share is fast, but it alone
        // leaves each account one fast post, below min participation 2.
        assert_eq!(rows.iter().map(|r| r.fast).collect::<Vec<_>>(), [Some(false), Some(false)]);
        let from_b = edge_evidence(&ds, &det, e, b);
        assert_eq!((from_b[0].post_a, from_b[0].a_first), ("pb1", true));
    }
}
