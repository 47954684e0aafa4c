//! The interner's lookup table: open addressing with linear probing, laid out
//! so that a batch of lookups can prefetch the slots it will probe.
//!
//! Interning a large input is bound by cache misses, not by hashing: a table
//! of millions of objects does not fit in the cache, so each lookup waits for
//! its slot, then for where its string is, then for the string. A
//! general-purpose hash map offers no way to ask for a slot ahead of time;
//! this one does ([`Table::prefetch`], [`Table::peek`]), so
//! [`crate::Interner::intern_batch`] overlaps the misses of the next rows with
//! the work on the current one.

/// `id` of a free slot.
const EMPTY: u32 = u32::MAX;

/// One entry, 8 bytes: its id, and 32 more bits of its hash, so almost every
/// slot of another string is passed over without reading the string. Where
/// the string is, the interner knows from the id (its `ends`): slots with the
/// place in them (24 bytes, then 16) made the table of the 1M url benchmark's
/// objects 12 or 8 MB instead of 4, memory faulted in afresh at every growth.
#[derive(Clone, Copy)]
pub(crate) struct Slot {
    /// Id of the entry ([`EMPTY`] for a free slot).
    id: u32,
    tag: u32,
}

const FREE: Slot = Slot { id: EMPTY, tag: 0 };

/// Linear probing over a power-of-two number of slots, at most 70% full.
/// Entry ids are dense: the table holds ids `0..len`.
#[derive(Clone, Default)]
pub(crate) struct Table {
    slots: Vec<Slot>,
    len: usize,
}

fn tag_of(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// Entries ahead whose slot a rebuild prefetches.
const REBUILD_AHEAD: usize = 16;

impl Table {
    /// The table of entries `0..n`, `hash_of(id)` giving each one's hash.
    pub fn build(n: usize, hash_of: impl Fn(usize) -> u64) -> Self {
        let mut t = Table::default();
        t.rebuild(grown(n, 0).unwrap_or(16), n, hash_of);
        t
    }

    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// Makes room for `additional` more entries without growing; `hash_of(id)`
    /// gives the hash of every entry already in the table.
    ///
    /// A grown table is built in id order from `hash_of` (an array the interner
    /// reads front to back), with the slot of the entry some places ahead
    /// prefetched, rather than by walking the old slots: a walk would look up
    /// each entry's hash at random, and wait for each new slot in turn.
    pub fn reserve(&mut self, additional: usize, hash_of: impl Fn(usize) -> u64) {
        if let Some(cap) = grown(self.len + additional, self.slots.len()) {
            self.rebuild(cap, self.len, hash_of);
        }
    }

    fn rebuild(&mut self, cap: usize, n: usize, hash_of: impl Fn(usize) -> u64) {
        // The old slots are freed first, for the allocator to reuse.
        self.slots = Vec::new();
        self.slots = vec![FREE; cap];
        self.len = 0;
        let mask = cap - 1;
        for id in 0..n {
            if id + REBUILD_AHEAD < n {
                prefetch(&self.slots[hash_of(id + REBUILD_AHEAD) as usize & mask]);
            }
            self.place(hash_of(id), id as u32);
        }
    }

    /// The first free slot of the probe sequence of `hash`.
    fn free_slot(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        while self.slots[i].id != EMPTY {
            i = (i + 1) & mask;
        }
        i
    }

    fn place(&mut self, hash: u64, id: u32) {
        let i = self.free_slot(hash);
        self.slots[i] = Slot { id, tag: tag_of(hash) };
        self.len += 1;
    }

    /// Id of the entry with `hash` for which `is(id)` holds.
    #[inline]
    pub fn find(&self, hash: u64, is: impl Fn(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let tag = tag_of(hash);
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let s = &self.slots[i];
            if s.id == EMPTY {
                return None;
            }
            if s.tag == tag && is(s.id) {
                return Some(s.id);
            }
            i = (i + 1) & mask;
        }
    }

    /// Enters entry `id`, the next one (`len`), a string not in the table yet,
    /// growing if needed (`hash_of` as for [`Table::reserve`]).
    pub fn insert_new(&mut self, hash: u64, id: u32, hash_of: impl Fn(usize) -> u64) {
        debug_assert_eq!(id as usize, self.len);
        self.reserve(1, hash_of);
        self.place(hash, id);
    }

    /// Asks the CPU to fetch the slot where a probe for `hash` starts.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        if !self.slots.is_empty() {
            prefetch(&self.slots[self.home(hash)]);
        }
    }

    /// The id in the slot where a probe for `hash` starts, if that entry has
    /// the same tag: most likely the entry a lookup of `hash` will find.
    #[inline]
    pub fn peek(&self, hash: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let s = &self.slots[self.home(hash)];
        (s.id != EMPTY && s.tag == tag_of(hash)).then_some(s.id)
    }
}

/// A set of 64-bit hashes, to learn while strings stream in whether two of
/// them are equal (no two hashes are), instead of sorting all their hashes at
/// the end: open addressing, linear probing, at most 70% full.
#[derive(Clone, Default)]
pub(crate) struct HashSet64 {
    /// [`NO_HASH`]: free (that hash itself is stored as the one below it, a
    /// collision like any other).
    slots: Vec<u64>,
    len: usize,
}

/// A free slot of a [`HashSet64`]. Not 0: a set of zeros would be allocated
/// as untouched zero pages, read by the first probes and then copied on the
/// first write to each (a page fault more, and on a virtual machine a TLB
/// flush on every other core); this way the set is written once, in order,
/// when made.
const NO_HASH: u64 = u64::MAX;

impl HashSet64 {
    /// Makes room for `additional` more hashes without growing.
    pub fn reserve(&mut self, additional: usize) {
        let Some(cap) = grown(self.len + additional, self.slots.len()) else { return };
        let old = std::mem::replace(&mut self.slots, vec![NO_HASH; cap]);
        for h in old.into_iter().filter(|&h| h != NO_HASH) {
            let i = self.slot_of(h);
            self.slots[i] = h;
        }
    }

    /// The slot holding `h` (stored form, not [`NO_HASH`]), or the free one where it goes.
    fn slot_of(&self, h: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        while self.slots[i] != NO_HASH && self.slots[i] != h {
            i = (i + 1) & mask;
        }
        i
    }

    /// Adds every hash of `hashes`; false, with the set left part-filled, at
    /// the first one already in.
    pub fn insert_all(&mut self, hashes: &[u64]) -> bool {
        /// Hashes ahead whose slot is prefetched (the set outgrows the cache).
        const AHEAD: usize = 16;
        self.reserve(hashes.len());
        let mask = self.slots.len() - 1;
        let stored = |h: u64| h.min(NO_HASH - 1);
        for (k, &h) in hashes.iter().enumerate() {
            if let Some(&next) = hashes.get(k + AHEAD) {
                prefetch(&self.slots[stored(next) as usize & mask]);
            }
            let h = stored(h);
            let i = self.slot_of(h);
            if self.slots[i] == h {
                return false;
            }
            self.slots[i] = h;
            self.len += 1;
        }
        true
    }
}

/// The power-of-two size a table of `slots` slots grows to so that `need`
/// entries fill at most 70% of it; `None` when they already do.
fn grown(need: usize, slots: usize) -> Option<usize> {
    (need * 10 > slots * 7).then(|| (need * 10 / 7 + 1).next_power_of_two().max(16))
}

/// A hint to the CPU to bring `x`'s cache line closer; a no-op where there is
/// no such instruction. For loops over data too large for the cache whose
/// next addresses are known some iterations ahead.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    // SAFETY: a prefetch is only a hint; it reads nothing into the program and
    // cannot fault. `x` is a valid reference anyway. SSE is part of x86_64.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(x as *const T as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[cfg(test)]
mod tests {
    use super::HashSet64;

    #[test]
    fn a_repeat_is_found_within_and_across_calls() {
        let mut set = HashSet64::default();
        // Many calls, so the set grows several times.
        let distinct: Vec<u64> = (2..50_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
        for part in distinct.chunks(777) {
            assert!(set.insert_all(part));
        }
        assert!(!set.insert_all(&[distinct[12_345]]), "a repeat across calls");
        let mut fresh = HashSet64::default();
        assert!(!fresh.insert_all(&[5, 6, 7, 6]), "a repeat inside one call");
        let mut top = HashSet64::default();
        assert!(top.insert_all(&[u64::MAX]));
        assert!(!top.insert_all(&[u64::MAX - 1]), "u64::MAX is kept as the hash below it");
        let mut zero = HashSet64::default();
        assert!(zero.insert_all(&[0, 1]), "0 is a hash like any other");
    }

    proptest::proptest! {
        /// `insert_all` over any split of the hashes is false exactly when two
        /// are equal (`u64::MAX` counting as the hash below it).
        #[test]
        fn repeats_as_a_sorted_check_finds_them(
            hashes in proptest::collection::vec(
                proptest::prop_oneof![0u64..5_000, (u64::MAX - 50)..=u64::MAX],
                0..3_000,
            ),
            split in 1usize..500,
        ) {
            let mut set = HashSet64::default();
            let all_in = hashes.chunks(split).all(|part| set.insert_all(part));
            let mut sorted: Vec<u64> = hashes.iter().map(|&h| h.min(u64::MAX - 1)).collect();
            sorted.sort_unstable();
            proptest::prop_assert_eq!(all_in, sorted.windows(2).all(|w| w[0] != w[1]));
        }
    }
}
