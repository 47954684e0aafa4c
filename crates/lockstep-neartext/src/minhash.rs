//! Shingles, exact Jaccard similarity of shingle sets, and seeded MinHash
//! band keys.
//!
//! Vocabulary: a **shingle** is a run of `n` consecutive characters (Unicode
//! scalar values) of a normalised text, identified by a 32-bit hash of its UTF-8
//! bytes; a text's **shingle set** is the sorted, deduplicated list of those
//! hashes. A **signature** is `bands × rows` minima of seeded hash functions
//! over the set; a **band key** is a hash of one band's `rows` minima.

/// FNV-1a over bytes, then the 64-bit finaliser of MurmurHash3; the high half.
/// Written out here (not a hasher crate) so shingle ids never change with a
/// dependency's version.
#[inline]
fn hash_bytes(b: &[u8]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (fmix64(h) >> 32) as u32
}

#[inline]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// MurmurHash3's 32-bit finaliser: a bijection on `u32` with full avalanche.
#[inline]
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The shingle set of `text` (`n` characters per shingle) into `out`, sorted
/// and deduplicated. A non-empty text shorter than `n` characters is one
/// shingle (the whole text). `starts` is scratch space.
///
/// ```
/// use lockstep_neartext::minhash::shingles;
/// let (mut out, mut scratch) = (Vec::new(), Vec::new());
/// shingles("abcdefg", 5, &mut out, &mut scratch);
/// assert_eq!(out.len(), 3); // abcde, bcdef, cdefg
/// shingles("aaaaaaa", 5, &mut out, &mut scratch);
/// assert_eq!(out.len(), 1); // one distinct shingle
/// ```
pub fn shingles(text: &str, n: usize, out: &mut Vec<u32>, starts: &mut Vec<usize>) {
    out.clear();
    if text.is_empty() {
        return;
    }
    let n = n.max(1);
    let bytes = text.as_bytes();
    if text.is_ascii() {
        if bytes.len() <= n {
            out.push(hash_bytes(bytes));
        } else {
            out.extend(bytes.windows(n).map(hash_bytes));
        }
    } else {
        starts.clear();
        starts.extend(text.char_indices().map(|(i, _)| i));
        starts.push(text.len());
        let chars = starts.len() - 1;
        if chars <= n {
            out.push(hash_bytes(bytes));
        } else {
            out.extend((0..=chars - n).map(|i| hash_bytes(&bytes[starts[i]..starts[i + n]])));
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// `|A ∩ B|` and `|A ∪ B|` of two sorted, deduplicated sets.
pub fn intersection_union(a: &[u32], b: &[u32]) -> (usize, usize) {
    let (mut i, mut j, mut inter) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (inter, a.len() + b.len() - inter)
}

/// Jaccard similarity `|A ∩ B| / |A ∪ B|` of two shingle sets (1 for two empty sets).
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let (inter, union) = intersection_union(a, b);
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// `k` seeds of the MinHash functions, from SplitMix64 seeded with `seed`.
pub fn seeds(seed: u64, k: usize) -> Vec<u32> {
    let mut state = seed;
    (0..k)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            (fmix64(state) >> 32) as u32
        })
        .collect()
}

/// The band keys of one shingle set: `mins[i] = min over x of fmix32(x ^ seeds[i])`
/// (one hash function per seed; `fmix32` is a bijection, so each is a
/// pseudo-random permutation of the 32-bit shingle ids), then one key per band
/// of `rows` consecutive minima, mixed with the band's index. `mins` is scratch
/// space; `out` gets `seeds.len() / rows` keys.
pub fn band_keys(set: &[u32], seeds: &[u32], rows: usize, mins: &mut Vec<u32>, out: &mut [u32]) {
    mins.clear();
    mins.resize(seeds.len(), u32::MAX);
    for &x in set {
        for (m, &s) in mins.iter_mut().zip(seeds) {
            *m = (*m).min(fmix32(x ^ s));
        }
    }
    for (j, (band, key)) in mins.chunks_exact(rows).zip(out.iter_mut()).enumerate() {
        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ j as u64;
        for &m in band {
            h = (h ^ u64::from(m)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        *key = (fmix64(h) >> 32) as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(t: &str) -> Vec<u32> {
        let (mut out, mut s) = (Vec::new(), Vec::new());
        shingles(t, 5, &mut out, &mut s);
        out
    }

    #[test]
    fn shingle_counts() {
        assert!(set("").is_empty());
        assert_eq!(set("abc").len(), 1);
        assert_eq!(set("abcde").len(), 1);
        assert_eq!(set("abcdef").len(), 2);
        // Characters, not bytes: five 2-byte letters are one shingle.
        assert_eq!(set("äöüßé").len(), 1);
        assert_eq!(set("äöüßéx").len(), 2);
        // Twenty distinct letters: 16 distinct shingles.
        assert_eq!(set("abcdefghijklmnopqrst").len(), 16);
    }

    #[test]
    fn jaccard_by_hand() {
        // 16 shingles each; the last differs (pqrst vs pqrsX): 15 shared, 17 in the union.
        let a = set("abcdefghijklmnopqrst");
        let b = set("abcdefghijklmnopqrsX");
        assert_eq!(intersection_union(&a, &b), (15, 17));
        assert_eq!(jaccard(&a, &b), 15.0 / 17.0);
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(jaccard(&set("aaaaaaaaaa"), &set("bbbbbbbbbb")), 0.0);
    }

    #[test]
    fn equal_sets_equal_keys_and_seeds_are_stable() {
        let s = seeds(42, 8);
        assert_eq!(s, seeds(42, 8));
        assert_ne!(s, seeds(43, 8));
        let (mut mins, mut k1, mut k2) = (Vec::new(), [0u32; 4], [0u32; 4]);
        band_keys(&set("the same text, twice"), &s, 2, &mut mins, &mut k1);
        band_keys(&set("the same text, twice"), &s, 2, &mut mins, &mut k2);
        assert_eq!(k1, k2);
        band_keys(&set("a completely other one"), &s, 2, &mut mins, &mut k2);
        assert_ne!(k1, k2);
    }
}
