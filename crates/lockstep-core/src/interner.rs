//! String interning: each distinct string is stored once in one arena and
//! named by a dense `u32` id, assigned in order of first appearance.

use hashbrown::HashTable;
use std::hash::BuildHasher;

type Hasher = foldhash::fast::FixedState;

/// A table slot carries where its string is, so a lookup touches the slot and
/// the arena only (no trip through `ends`/`namespaces`).
#[derive(Clone, Copy)]
struct Entry {
    start: usize,
    len: u32,
    id: u32,
    ns: u32,
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
    hashes: Vec<u64>,
    table: HashTable<Entry>,
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
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.arena[start..self.ends[i]]
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
        let Self { arena, ends, namespaces, hashes, table, .. } = self;
        let found = table.find(hash, |e| {
            e.ns == ns && e.len as usize == s.len() && &arena.as_bytes()[e.start..e.start + s.len()] == s.as_bytes()
        });
        if let Some(e) = found {
            return e.id;
        }
        let id = u32::try_from(ends.len()).expect("more than 4 billion distinct strings");
        let len = u32::try_from(s.len()).expect("string longer than 4 GiB");
        let start = arena.len();
        arena.push_str(s);
        ends.push(arena.len());
        namespaces.push(ns);
        hashes.push(hash);
        // Growing the table rehashes from the stored hashes, never from the strings.
        table.insert_unique(hash, Entry { start, len, id, ns }, |e| hashes[e.id as usize]);
        id
    }

    /// Makes room for `additional` more strings of `bytes` bytes in all, so a
    /// large input does not grow (and rehash) the table step by step.
    pub fn reserve(&mut self, additional: usize, bytes: usize) {
        let Self { arena, ends, namespaces, hashes, table, .. } = self;
        arena.reserve(bytes);
        ends.reserve(additional);
        namespaces.reserve(additional);
        hashes.reserve(additional);
        table.reserve(additional, |e| hashes[e.id as usize]);
    }

    /// Id of `s` in namespace 0 if it was interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.lookup_in(0, s)
    }

    /// Id of `s` in namespace `ns` if it was interned.
    pub fn lookup_in(&self, ns: u32, s: &str) -> Option<u32> {
        let hash = self.hash(ns, s);
        self.table.find(hash, |e| e.ns == ns && self.get(e.id) == s).map(|e| e.id)
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
