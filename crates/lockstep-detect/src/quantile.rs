//! R's default quantile (type 7), reproduced operation for operation so that
//! thresholds match CooRTweet's to the last bit.

/// Type-7 quantile of `values` at probability `p` (0 ≤ p ≤ 1). `None` when empty.
///
/// As R's `quantile.default`: `index = 1 + (n - 1) p`, `lo = floor(index)`,
/// `hi = ceiling(index)`, and when `index > lo` and the two order statistics
/// differ, `(1 - h) x[lo] + h x[hi]` with `h = index - lo`.
pub fn quantile_type7(values: &mut [f64], p: f64) -> Option<f64> {
    type7(values.len() as u64, p, |lo, next| {
        // Two order statistics in O(n): the lo-th smallest, then the smallest after it.
        let (_, &mut xlo, rest) = values.select_nth_unstable_by(lo as usize - 1, |a, b| a.total_cmp(b));
        let xhi = if next { rest.iter().copied().min_by(|a, b| a.total_cmp(b)).unwrap_or(xlo) } else { xlo };
        Some((xlo, xhi))
    })
}

/// [`quantile_type7`] of integer values given as a histogram: `counts[v]` is
/// how many values equal `v`. The same result, without a copy of the values
/// to select from (the edge weights of a large network: 8 bytes per edge).
pub fn quantile_type7_counts(counts: &[u64], p: f64) -> Option<f64> {
    // The k-th smallest value (1-based).
    let nth = |k: u64| {
        let mut seen = 0;
        counts.iter().position(|&c| {
            seen += c;
            seen >= k
        })
    };
    type7(counts.iter().sum(), p, |lo, next| {
        let xlo = nth(lo)? as f64;
        let xhi = if next { nth(lo + 1)? as f64 } else { xlo };
        Some((xlo, xhi))
    })
}

/// R's rule over `n` values: `index = 1 + (n - 1) p`, `lo = floor(index)`; `order(lo, next)`
/// gives the `lo`-th smallest value and, when `next` (`ceiling(index) > lo`), the one
/// after it (else the `lo`-th again). `None` when there are no values.
fn type7(n: u64, p: f64, order: impl FnOnce(u64, bool) -> Option<(f64, f64)>) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let index = 1.0 + (n as f64 - 1.0) * p;
    let lo = index.floor();
    let hi = index.ceil();
    let (xlo, xhi) = order(lo as u64, hi > lo)?;
    if index > lo && xhi != xlo {
        let h = index - lo;
        Some((1.0 - h) * xlo + h * xhi)
    } else {
        Some(xlo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r() {
        // R: quantile(c(1, 2, 3, 4), 0.5) == 2.5; quantile(c(1,1,1,3), .5) == 1
        assert_eq!(quantile_type7(&mut [4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        assert_eq!(quantile_type7(&mut [1.0, 1.0, 1.0, 3.0], 0.5), Some(1.0));
        // R: quantile(c(1, 2, 10), 0.9) == 8.4
        let q = quantile_type7(&mut [1.0, 2.0, 10.0], 0.9).unwrap();
        assert!((q - 8.4).abs() < 1e-12);
        assert_eq!(quantile_type7(&mut [7.0], 0.3), Some(7.0));
        assert_eq!(quantile_type7(&mut [], 0.3), None);
        assert_eq!(quantile_type7(&mut [1.0, 5.0], 0.0), Some(1.0));
        assert_eq!(quantile_type7(&mut [1.0, 5.0], 1.0), Some(5.0));
    }

    proptest::proptest! {
        /// The selection gives what sorting gives.
        #[test]
        fn same_as_sorting(mut v in proptest::collection::vec(0u32..50, 1..200), p in 0.0f64..=1.0) {
            let mut values: Vec<f64> = v.iter().map(|&x| x as f64).collect();
            v.sort_unstable();
            let index = 1.0 + (v.len() as f64 - 1.0) * p;
            let (lo, hi) = (v[index.floor() as usize - 1] as f64, v[index.ceil() as usize - 1] as f64);
            let h = index - index.floor();
            let expected = if h > 0.0 && hi != lo { (1.0 - h) * lo + h * hi } else { lo };
            proptest::prop_assert_eq!(quantile_type7(&mut values, p), Some(expected));
        }

        /// The histogram gives what selecting from the values gives, bit for bit.
        #[test]
        fn counts_same_as_values(v in proptest::collection::vec(0u32..50, 0..200), p in 0.0f64..=1.0) {
            let mut counts = vec![0u64; 50];
            for &x in &v {
                counts[x as usize] += 1;
            }
            let mut values: Vec<f64> = v.iter().map(|&x| x as f64).collect();
            let expected = quantile_type7(&mut values, p);
            proptest::prop_assert_eq!(quantile_type7_counts(&counts, p).map(f64::to_bits), expected.map(f64::to_bits));
        }
    }
}
