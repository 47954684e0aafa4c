//! String interning: each distinct string is stored once in one arena and
//! named by a dense `u32` id, assigned in order of first appearance.

use crate::hash_set::{prefetch, Table};
use crate::StrColumn;
use rayon::prelude::*;
use std::hash::BuildHasher;
use std::sync::OnceLock;

type Hasher = foldhash::fast::FixedState;

/// How many rows ahead [`Interner::intern_batch`] prefetches a row's table
/// slot; the place of the entry in that slot is prefetched half as far ahead,
/// and its string a quarter as far. On the 10M-post benchmark's 2M objects
/// (`--example intern`, slots holding the place, before 8-byte slots): 2.16 s
/// at 16, 1.73 s at 32, 1.46 s at 64, against 3.44 s for one probe per row.
const PREFETCH_AHEAD: usize = 64;

/// The ids [`Interner::intern_column`] gave a column's strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnIds {
    /// String `i` has id `i`.
    Rows,
    /// The id of each string.
    Ids(Vec<u32>),
}

impl ColumnIds {
    /// The id of string `i`.
    pub fn get(&self, i: usize) -> u32 {
        match self {
            ColumnIds::Rows => u32::try_from(i).expect("fewer than 4 billion strings"),
            ColumnIds::Ids(ids) => ids[i],
        }
    }
}

/// An append-only string interner. Ids are dense and assigned in order of first
/// appearance, so interning the same input twice gives the same ids.
///
/// Every entry also carries a namespace (`u32`, 0 by default): the same string in
/// two namespaces is two entries. Lockstep uses it to keep object values of
/// different kinds apart without storing the string twice per kind lookup.
#[derive(Clone, Default)]
pub struct Interner {
    arena: String,
    ends: Vec<usize>,
    namespaces: Vec<u32>,
    /// True once two entries are in different namespaces; until then a match
    /// needs no look at `namespaces`.
    mixed_namespaces: bool,
    /// The hash of every entry, by id; empty after [`Interner::intern_column`]
    /// took a column of distinct strings (whose ids then need no table): they
    /// are computed again when first needed ([`Interner::ensure_hashes`]).
    hashes: Vec<u64>,
    /// Built on first use after [`Interner::intern_bulk`] (which does not need
    /// it), from `hashes`: a run that only bulk-interns never pays for it.
    table: OnceLock<Table>,
    hasher: Hasher,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner").field("len", &self.len()).finish()
    }
}

impl Interner {
    /// Number of distinct entries.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when nothing has been interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string of an id. Panics on an id this interner did not hand out.
    pub fn get(&self, id: u32) -> &str {
        let i = id as usize;
        &self.arena[self.start_of(i)..self.ends[i]]
    }

    /// Rank of every id (indexed by id) in byte order of the strings: sorting by
    /// rank is sorting by string.
    pub fn ranks(&self) -> Vec<u32> {
        use rayon::slice::ParallelSliceMut;
        let mut ids: Vec<u32> = (0..self.len() as u32).collect();
        ids.par_sort_unstable_by(|&a, &b| self.get(a).cmp(self.get(b)));
        let mut rank = vec![0u32; ids.len()];
        for (r, &id) in ids.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
    }

    /// Namespace of an id.
    pub fn namespace(&self, id: u32) -> u32 {
        self.namespaces[id as usize]
    }

    /// Id of `s`, interning it if new (namespace 0).
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_in(0, s)
    }

    /// Id of `s` in namespace `ns`, interning it if new.
    pub fn intern_in(&mut self, ns: u32, s: &str) -> u32 {
        let hash = self.hash(ns, s);
        match self.find(hash, ns, s) {
            Some(id) => id,
            None => self.append(ns, s, hash, true),
        }
    }

    /// Makes room for `additional` more strings of `bytes` bytes in all, so a
    /// large input does not grow (and rehash) the table step by step.
    pub fn reserve(&mut self, additional: usize, bytes: usize) {
        self.reserve_storage(additional, bytes);
        self.table_mut();
        let Self { hashes, table, .. } = self;
        table.get_mut().expect("built above").reserve(additional, |id| hashes[id]);
    }

    /// Makes room in the arena and the per-id arrays (not the lookup table)
    /// for up to `additional` more strings of up to `bytes` bytes in all.
    ///
    /// For an upper bound given ahead of a large input: room the strings never
    /// take is address space, not memory, while growing step by step copies
    /// each array into fresh memory at every doubling (1M-post url input: 10
    /// MB of the objects' arena copied). The table is left as it is: all of it
    /// is written when it is made, so room there is memory.
    pub fn reserve_storage(&mut self, additional: usize, bytes: usize) {
        self.ensure_hashes();
        self.arena.reserve(bytes);
        self.ends.reserve(additional);
        self.namespaces.reserve(additional);
        self.hashes.reserve(additional);
    }

    /// Id of `s` in namespace 0 if it was interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.lookup_in(0, s)
    }

    /// Id of `s` in namespace `ns` if it was interned.
    pub fn lookup_in(&self, ns: u32, s: &str) -> Option<u32> {
        self.find(self.hash(ns, s), ns, s)
    }

    /// Id of `s` in namespace `ns` with hash `hash`, if interned (builds the table
    /// if a bulk left it unbuilt).
    fn find(&self, hash: u64, ns: u32, s: &str) -> Option<u32> {
        self.table().find(hash, |id| self.is(id, ns, s))
    }

    /// Whether entry `id` is `s` in namespace `ns`. The namespace is read only
    /// once the string matched, and not at all while there is one.
    #[inline]
    fn is(&self, id: u32, ns: u32, s: &str) -> bool {
        let i = id as usize;
        let (start, end) = (self.start_of(i), self.ends[i]);
        end - start == s.len()
            && &self.arena.as_bytes()[start..end] == s.as_bytes()
            && ((!self.mixed_namespaces && ns == self.namespaces[0]) || self.namespaces[i] == ns)
    }

    /// Where the string of entry `i` starts in the arena.
    #[inline]
    fn start_of(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1]
        }
    }

    /// Interns `n` strings, string `i` being `get(i)` in namespace `ns(i)`, and
    /// appends their ids to `out`: the ids interning them one by one would give.
    ///
    /// Made for a reader's batches of rows into a table too large for the
    /// cache: the rows are hashed first, then while row `i` is looked up, the
    /// table slot of row `i + 64`, the place (`ends`) of the entry in the slot
    /// of row `i + 32` and the string of the entry in the slot of row `i + 16`
    /// are prefetched, so the cache misses of several rows overlap instead of
    /// following one another.
    pub fn intern_batch<'s, G, N>(&mut self, n: usize, ns: N, get: G, out: &mut Vec<u32>)
    where
        G: Fn(usize) -> &'s str,
        N: Fn(usize) -> u32,
    {
        let hashes: Vec<u64> = (0..n).map(|i| self.hash(ns(i), get(i))).collect();
        // No growth inside the batch, so prefetched slots stay where they are.
        self.reserve(n, 0);
        out.reserve(n);
        for i in 0..n {
            let table = self.table.get().expect("built above");
            if let Some(&h) = hashes.get(i + PREFETCH_AHEAD) {
                table.prefetch(h);
            }
            if let Some(id) = hashes.get(i + PREFETCH_AHEAD / 2).and_then(|&h| table.peek(h)) {
                let id = id as usize;
                prefetch(&self.ends[id]);
                prefetch(&self.ends[id.saturating_sub(1)]);
                if self.mixed_namespaces {
                    prefetch(&self.namespaces[id]);
                }
            }
            if let Some(id) = hashes.get(i + PREFETCH_AHEAD / 4).and_then(|&h| table.peek(h)) {
                if let Some(b) = self.arena.as_bytes().get(self.start_of(id as usize)) {
                    prefetch(b);
                }
            }
            let (s, h, k) = (get(i), hashes[i], ns(i));
            let id = match self.find(h, k, s) {
                Some(id) => id,
                None => self.append(k, s, h, true),
            };
            out.push(id);
        }
    }

    /// Interns `n` strings at once: string `i` is `get(i)` in namespace `ns(i)`.
    /// Returns the id of each, exactly as interning them one by one in order would
    /// (ids of new strings follow their first appearance).
    ///
    /// Made for a whole input at a time: instead of one hash-table probe per
    /// string, which misses the cache once the table outgrows it, the strings are
    /// hashed in parallel, their `(hash, index)` keys sorted, equal strings found
    /// as neighbours (compared in full, so colliding hashes are told apart), and
    /// the new strings appended in order of first appearance.
    pub fn intern_bulk<'s, G, N>(&mut self, n: usize, ns: N, get: G) -> Vec<u32>
    where
        G: Fn(usize) -> &'s str + Sync,
        N: Fn(usize) -> u32 + Sync,
    {
        assert!(u32::try_from(n).is_ok(), "more than 4 billion strings in one bulk");
        let hashes = self.hash_all(n, &ns, &get);
        self.intern_hashed(&hashes, ns, get)
    }

    /// [`Interner::intern_bulk`] of a whole column in namespace `ns`, taking
    /// the column. When this interner is empty and the column's strings are all
    /// distinct (one post id per row, the usual input), the column's storage
    /// becomes the arena as it is: nothing is copied, and the ids are `0..n`
    /// ([`ColumnIds::Rows`]).
    pub fn intern_column(&mut self, col: StrColumn, ns: u32) -> ColumnIds {
        let n = col.len();
        assert!(n < u32::MAX as usize, "more than 4 billion strings in one column");
        let mut hashes = self.hash_all(n, |_| ns, |i| col.get(i));
        if self.is_empty() {
            // Sorted in place to find equal hashes: neither a copy nor the
            // hashes are kept (10M post ids: 80 MB each).
            hashes.par_sort_unstable();
            if hashes.par_windows(2).all(|w| w[0] != w[1]) {
                self.adopt_distinct_column(col, ns);
                return ColumnIds::Rows;
            }
            hashes = self.hash_all(n, |_| ns, |i| col.get(i));
        }
        ColumnIds::Ids(self.intern_hashed(&hashes, |_| ns, |i| col.get(i)))
    }

    /// [`Interner::intern_column`] into this empty interner of a column whose
    /// strings in namespace `ns` are known to be distinct (their
    /// [`Interner::hash_in`] hashes were): the column becomes the arena as it
    /// is, and the ids are the rows. Panics when the interner is not empty.
    pub fn adopt_distinct_column(&mut self, col: StrColumn, ns: u32) {
        assert!(self.is_empty(), "a column adopted by an interner that holds strings");
        let n = col.len();
        assert!(n < u32::MAX as usize, "more than 4 billion strings in one column");
        let StrColumn { buf, ends } = col;
        let hasher = self.hasher;
        *self = Interner {
            arena: buf,
            ends,
            namespaces: vec![ns; n],
            mixed_namespaces: false,
            hashes: Vec::new(),
            table: OnceLock::new(),
            hasher,
        };
    }

    /// The hash every interner gives `s` in namespace `ns` (equal strings,
    /// equal hashes; distinct hashes, distinct strings).
    pub fn hash_in(ns: u32, s: &str) -> u64 {
        hash_of(&Hasher::default(), ns, s)
    }

    /// The hash of every string of a bulk, computed in parallel.
    fn hash_all<'s, G, N>(&self, n: usize, ns: N, get: G) -> Vec<u64>
    where
        G: Fn(usize) -> &'s str + Sync,
        N: Fn(usize) -> u32 + Sync,
    {
        let hasher = self.hasher;
        (0..n).into_par_iter().map(|i| hash_of(&hasher, ns(i), get(i))).collect()
    }

    /// The body of [`Interner::intern_bulk`] once the strings are hashed.
    fn intern_hashed<'s, G, N>(&mut self, hashes: &[u64], ns: N, get: G) -> Vec<u32>
    where
        G: Fn(usize) -> &'s str + Sync,
        N: Fn(usize) -> u32 + Sync,
    {
        let same = |i: u32, j: u32| ns(i as usize) == ns(j as usize) && get(i as usize) == get(j as usize);
        let mut ids = first_of_equal(hashes, same);
        // In input order, a first appearance takes the next id (or its id from
        // before this bulk); a repeat takes the id of its first appearance, which
        // is already set since it came earlier.
        let had = !self.is_empty();
        for i in 0..ids.len() {
            let f = ids[i] as usize;
            ids[i] = if f == i {
                let (s, h, k) = (get(i), hashes[i], ns(i));
                let existing = if had { self.find(h, k, s) } else { None };
                existing.unwrap_or_else(|| self.append(k, s, h, had))
            } else {
                ids[f]
            };
        }
        ids
    }

    /// Appends a string known to be new; enters it in the table when `index` (the
    /// table must then be built), else drops the table, to be rebuilt on first use.
    fn append(&mut self, ns: u32, s: &str, hash: u64, index: bool) -> u32 {
        // u32::MAX marks a free table slot, so it is never an id.
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id < u32::MAX)
            .expect("more than 4 billion distinct strings");
        self.ensure_hashes();
        self.arena.push_str(s);
        self.ends.push(self.arena.len());
        self.mixed_namespaces |= self.namespaces.first().is_some_and(|&first| first != ns);
        self.namespaces.push(ns);
        self.hashes.push(hash);
        if index {
            let Self { hashes, table, .. } = self;
            let table = table.get_mut().expect("built by the caller");
            table.insert_new(hash, id, |id| hashes[id]);
        } else {
            self.table = OnceLock::new();
        }
        id
    }

    /// The lookup table, built from the stored hashes if a bulk left it unbuilt.
    fn table(&self) -> &Table {
        self.table.get_or_init(|| self.build_table())
    }

    fn table_mut(&mut self) {
        self.ensure_hashes();
        if self.table.get().is_none() {
            let t = self.build_table();
            let _ = self.table.set(t);
        }
    }

    fn build_table(&self) -> Table {
        let computed;
        let hashes = if self.hashes.len() == self.len() {
            &self.hashes
        } else {
            computed = self.computed_hashes();
            &computed
        };
        Table::build(self.len(), |id| hashes[id])
    }

    /// Computes the hashes again if [`Interner::intern_column`] dropped them.
    fn ensure_hashes(&mut self) {
        if self.hashes.len() != self.len() {
            self.hashes = self.computed_hashes();
        }
    }

    fn computed_hashes(&self) -> Vec<u64> {
        self.hash_all(self.len(), |i| self.namespaces[i], |i| self.get(i as u32))
    }

    /// Iterates over `(id, string)` in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> + '_ {
        (0..self.len() as u32).map(move |id| (id, self.get(id)))
    }

    /// Bytes held by the arena (for memory reporting).
    pub fn arena_bytes(&self) -> usize {
        self.arena.len()
    }

    fn hash(&self, ns: u32, s: &str) -> u64 {
        hash_of(&self.hasher, ns, s)
    }
}

/// For every index `i`, the first index `j <= i` whose item equals item `i`
/// (`same`), given the items' hashes (equal items have equal hashes; equal hashes
/// need not mean equal items). Sorting `(hash, index)` keys makes equal items
/// neighbours, each run of one hash in index order; the first of a run that
/// compares equal is the answer.
fn first_of_equal<S>(hashes: &[u64], same: S) -> Vec<u32>
where
    S: Fn(u32, u32) -> bool + Sync,
{
    let mut keys: Vec<(u64, u32)> = hashes.par_iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
    keys.par_sort_unstable();
    let firsts: Vec<u32> = keys
        .par_chunk_by(|a, b| a.0 == b.0)
        .flat_map_iter(|run| {
            let same = &same;
            run.iter().map(move |&(_, i)| run.iter().map(|&(_, j)| j).find(|&j| j == i || same(j, i)).unwrap_or(i))
        })
        .collect();
    let mut out = vec![0u32; hashes.len()];
    for (&(_, i), &f) in keys.iter().zip(&firsts) {
        out[i as usize] = f;
    }
    out
}

fn hash_of(hasher: &Hasher, ns: u32, s: &str) -> u64 {
    hasher.hash_one((ns, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut i = Interner::default();
        assert_eq!(i.intern("a"), 0);
        assert_eq!(i.intern("b"), 1);
        assert_eq!(i.intern("a"), 0);
        assert_eq!(i.intern(""), 2);
        assert_eq!(i.get(1), "b");
        assert_eq!(i.get(2), "");
        assert_eq!(i.lookup("b"), Some(1));
        assert_eq!(i.lookup("c"), None);
    }

    #[test]
    fn namespaces_separate_equal_strings() {
        let mut i = Interner::default();
        let a = i.intern_in(0, "x");
        let b = i.intern_in(1, "x");
        assert_ne!(a, b);
        assert_eq!(i.intern_in(1, "x"), b);
        assert_eq!(i.namespace(b), 1);
    }

    /// A namespace first seen late still separates: the single-namespace
    /// shortcut ends with the first entry in another one.
    #[test]
    fn a_second_namespace_after_many_entries_separates() {
        let mut i = Interner::default();
        let ids: Vec<u32> = (0..1000).map(|k| i.intern_in(7, &format!("s{k}"))).collect();
        assert_eq!(i.lookup_in(3, "s5"), None, "same string, another namespace");
        let other = i.intern_in(3, "s5");
        assert_ne!(other, ids[5]);
        assert_eq!(i.intern_in(7, "s5"), ids[5]);
        assert_eq!(i.intern_in(3, "s5"), other);
        assert_eq!(i.lookup_in(3, "s6"), None);
    }

    /// Long strings, and strings that are prefixes of one another, are told
    /// apart by their exact length.
    #[test]
    fn long_strings_are_found_by_exact_length() {
        const L: usize = 70_000;
        let long = "a".repeat(L + 10);
        let mut i = Interner::default();
        let short = i.intern(&long[..L - 1]);
        let at = i.intern(&long[..L]);
        let longer = i.intern(&long);
        assert_eq!(i.len(), 3);
        assert_eq!(i.lookup(&long[..L]), Some(at));
        assert_eq!(i.lookup(&long), Some(longer));
        assert_eq!(i.lookup(&long[..L - 1]), Some(short));
        assert_eq!(i.lookup(&long[..L + 1]), None);
        let mut ids = Vec::new();
        i.intern_batch(3, |_| 0, |k| [&long[..], &long[..L], "b"][k], &mut ids);
        assert_eq!(ids, vec![longer, at, 3]);
    }

    /// After a column of distinct strings became the arena (and its hashes were
    /// dropped), lookups, single and batch interning give what interning every
    /// string one by one gives.
    #[test]
    fn a_kept_column_interns_on_like_any_other() {
        let mut col = StrColumn::default();
        let mut one = Interner::default();
        for i in 0..5000 {
            let s = format!("p{i}");
            col.push(&s);
            one.intern(&s);
        }
        let mut kept = Interner::default();
        assert_eq!(kept.intern_column(col, 0), ColumnIds::Rows);
        assert!(kept.hashes.is_empty(), "the hashes of a kept column are not stored");
        assert_eq!(kept.lookup("p4321"), Some(4321));
        assert_eq!(kept.lookup("q"), None);
        let more: Vec<String> = (4990..5100).map(|i| format!("p{i}")).collect();
        let mut ids = Vec::new();
        kept.intern_batch(more.len(), |_| 0, |i| more[i].as_str(), &mut ids);
        let want: Vec<u32> = more.iter().map(|s| one.intern(s)).collect();
        assert_eq!(ids, want);
        assert_eq!(kept.intern("p7"), 7);
        assert_eq!(kept.intern("new"), one.intern("new"));
        assert_eq!(kept.len(), one.len());
        for id in 0..one.len() as u32 {
            assert_eq!(kept.get(id), one.get(id));
        }
    }

    #[test]
    fn colliding_hashes_are_told_apart() {
        // Every item gets the same hash: only the comparisons group them.
        let items = ["b", "a", "b", "c", "a", "a", "d", "c"];
        let firsts = first_of_equal(&[7; 8], |i, j| items[i as usize] == items[j as usize]);
        assert_eq!(firsts, vec![0, 1, 0, 3, 1, 1, 6, 3]);
        // Two hash values, each shared by different items.
        let hashes = [1, 2, 1, 2, 1, 2, 1, 2];
        let firsts = first_of_equal(&hashes, |i, j| items[i as usize] == items[j as usize]);
        assert_eq!(firsts, vec![0, 1, 0, 3, 4, 1, 6, 3]);
    }

    proptest::proptest! {
        /// Bulk interning gives the ids of interning one by one, into an empty or
        /// a filled interner, across namespaces; lookups work after it.
        #[test]
        fn bulk_equals_one_by_one(
            before in proptest::collection::vec(("[a-d]{0,3}", 0u32..2), 0..20),
            rows in proptest::collection::vec(("[a-d]{0,3}", 0u32..2), 0..200),
        ) {
            let mut one = Interner::default();
            let mut bulk = Interner::default();
            for (s, ns) in &before {
                one.intern_in(*ns, s);
                bulk.intern_in(*ns, s);
            }
            let want: Vec<u32> = rows.iter().map(|(s, ns)| one.intern_in(*ns, s)).collect();
            let got = bulk.intern_bulk(rows.len(), |i| rows[i].1, |i| rows[i].0.as_str());
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(bulk.len(), one.len());
            for id in 0..one.len() as u32 {
                proptest::prop_assert_eq!(bulk.get(id), one.get(id));
                proptest::prop_assert_eq!(bulk.namespace(id), one.namespace(id));
                proptest::prop_assert_eq!(bulk.lookup_in(one.namespace(id), one.get(id)), Some(id));
            }
            // Interning one by one after a bulk still finds its strings.
            for (s, ns) in &rows {
                proptest::prop_assert_eq!(bulk.intern_in(*ns, s), one.intern_in(*ns, s));
            }
        }
    }

    proptest::proptest! {
        /// Interning a column gives the ids of interning one by one, whether it
        /// adopts the column (empty interner, all distinct) or not (repeats, or
        /// strings interned before); lookups and later interning work after it.
        #[test]
        fn column_equals_one_by_one(
            before in proptest::collection::vec("[a-c]{0,2}", 0..5),
            rows in proptest::collection::vec("[a-d]{0,4}", 0..100),
            distinct in proptest::bool::ANY,
        ) {
            let rows: Vec<String> = if distinct {
                let mut seen = std::collections::HashSet::new();
                rows.into_iter().filter(|r| seen.insert(r.clone())).collect()
            } else {
                rows
            };
            let mut one = Interner::default();
            let mut col_in = Interner::default();
            for s in &before {
                one.intern_in(1, s);
                col_in.intern_in(1, s);
            }
            let mut col = StrColumn::default();
            for r in &rows {
                col.push(r);
            }
            let want: Vec<u32> = rows.iter().map(|s| one.intern_in(1, s)).collect();
            let n = rows.len();
            let got = col_in.intern_column(col, 1);
            proptest::prop_assert_eq!((0..n).map(|i| got.get(i)).collect::<Vec<u32>>(), want);
            proptest::prop_assert_eq!(col_in.len(), one.len());
            for id in 0..one.len() as u32 {
                proptest::prop_assert_eq!(col_in.get(id), one.get(id));
                proptest::prop_assert_eq!(col_in.namespace(id), 1);
                proptest::prop_assert_eq!(col_in.lookup_in(1, one.get(id)), Some(id));
            }
            for s in rows.iter().chain(&before).map(String::as_str).chain(["new", "z"]) {
                proptest::prop_assert_eq!(col_in.intern_in(1, s), one.intern_in(1, s));
            }
        }
    }

    proptest::proptest! {
        /// Batch interning (with its prefetching and up-front growth) gives the
        /// ids of interning one by one, batch after batch, across namespaces,
        /// also after a bulk left the table unbuilt.
        #[test]
        fn batch_equals_one_by_one(
            bulk_first in proptest::collection::vec(("[a-e]{0,3}", 0u32..2), 0..30),
            batches in proptest::collection::vec(proptest::collection::vec(("[a-e]{0,3}", 0u32..3), 0..70), 1..6),
        ) {
            let mut one = Interner::default();
            let mut batched = Interner::default();
            for (s, ns) in &bulk_first {
                one.intern_in(*ns, s);
            }
            batched.intern_bulk(bulk_first.len(), |i| bulk_first[i].1, |i| bulk_first[i].0.as_str());
            for rows in &batches {
                let want: Vec<u32> = rows.iter().map(|(s, ns)| one.intern_in(*ns, s)).collect();
                let mut got = vec![7];
                batched.intern_batch(rows.len(), |i| rows[i].1, |i| rows[i].0.as_str(), &mut got);
                proptest::prop_assert_eq!(&got[1..], &want[..]);
            }
            proptest::prop_assert_eq!(batched.len(), one.len());
            for id in 0..one.len() as u32 {
                proptest::prop_assert_eq!(batched.get(id), one.get(id));
                proptest::prop_assert_eq!(batched.lookup_in(one.namespace(id), one.get(id)), Some(id));
            }
        }
    }

    #[test]
    fn batch_of_many_new_strings_grows_once_and_finds_all() {
        let mut i = Interner::default();
        let strings: Vec<String> = (0..50_000).map(|n| format!("https://example.org/{n}")).collect();
        let mut ids = Vec::new();
        i.intern_batch(strings.len(), |_| 0, |k| strings[k].as_str(), &mut ids);
        assert_eq!(ids, (0..50_000).collect::<Vec<u32>>());
        let mut again = Vec::new();
        i.intern_batch(strings.len(), |_| 0, |k| strings[strings.len() - 1 - k].as_str(), &mut again);
        assert_eq!(again, (0..50_000).rev().collect::<Vec<u32>>());
        assert_eq!(i.len(), 50_000);
    }

    #[test]
    fn survives_growth() {
        let mut i = Interner::default();
        for n in 0..100_000u32 {
            assert_eq!(i.intern(&n.to_string()), n);
        }
        for n in (0..100_000u32).step_by(997) {
            assert_eq!(i.lookup(&n.to_string()), Some(n));
            assert_eq!(i.get(n), n.to_string());
        }
    }
}
