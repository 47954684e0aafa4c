//! Counting helpers shared by the stages (detection statistics, the linked
//! domains' accounts).

/// The number of distinct values in each of `buckets` buckets, given
/// `(bucket, value)` pairs with values below `n_values`: the values bucketed (a
/// counting sort), then each bucket's values marked with its number, a new mark
/// counting once. Linear, where sorting the pairs is not.
pub fn distinct_per_bucket(buckets: usize, pairs: &[(u32, u32)], n_values: usize) -> Vec<u32> {
    let mut start = vec![0usize; buckets + 1];
    for &(b, _) in pairs {
        start[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut cursor = start.clone();
    let mut bucketed = vec![0u32; pairs.len()];
    for &(b, v) in pairs {
        let c = &mut cursor[b as usize];
        bucketed[*c] = v;
        *c += 1;
    }
    let mut mark = vec![u32::MAX; n_values];
    start
        .windows(2)
        .enumerate()
        .map(|(b, w)| {
            let mut distinct = 0;
            for &v in &bucketed[w[0]..w[1]] {
                if mark[v as usize] != b as u32 {
                    mark[v as usize] = b as u32;
                    distinct += 1;
                }
            }
            distinct
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Distinct values per bucket, as a set per bucket counts them (repeats,
        /// empty buckets and pairs in any order).
        #[test]
        fn distinct_per_bucket_counts_what_sets_hold(
            pairs in proptest::collection::vec((0u32..20, 0u32..50), 0..400),
        ) {
            let mut sets = vec![std::collections::BTreeSet::new(); 20];
            for &(b, v) in &pairs {
                sets[b as usize].insert(v);
            }
            let expect: Vec<u32> = sets.iter().map(|s| s.len() as u32).collect();
            proptest::prop_assert_eq!(distinct_per_bucket(20, &pairs, 50), expect);
        }
    }
}
