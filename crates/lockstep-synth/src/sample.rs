//! Samplers shared by the scenarios: seeded sub-streams, the diurnal profile,
//! alias tables (any weights, Zipf), hour-weighted times, binomial counts and
//! the keyed bijection that turns sequential ids into opaque ones.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Binomial, Distribution};

use crate::config::ScenarioConfig;

/// splitmix64: derives independent sub-seeds from the config seed.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn sub_rng(seed: u64, stream: u64, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix64(mix64(seed ^ mix64(stream)) ^ index))
}

/// Relative posting activity by UTC hour of day: peak 19:00, trough 07:00.
pub(crate) fn diurnal(hour_of_day: i64) -> f64 {
    1.0 + 0.7 * (std::f64::consts::TAU * (hour_of_day as f64 - 19.0) / 24.0).cos()
}

/// Walker/Vose alias table with each slot packed in 8 bytes (one cache line
/// touch per sample): pick a slot uniformly, keep it if a 32-bit draw is below
/// its threshold, else take its alias.
pub(crate) struct Alias {
    pub(crate) slots: Vec<(u32, u32)>,
}

impl Alias {
    pub(crate) fn new(weights: &[f64]) -> Self {
        let n = weights.len().max(1);
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = if total > 0.0 && total.is_finite() {
            weights.iter().map(|w| w * n as f64 / total).collect()
        } else {
            vec![1.0; n]
        };
        let mut slots = vec![(u32::MAX, 0u32); n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            slots[s] = ((scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32, l as u32);
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            slots[i] = (u32::MAX, i as u32);
        }
        Alias { slots }
    }

    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let x: u64 = rng.random();
        let i = ((x >> 32) * self.slots.len() as u64) >> 32;
        let (threshold, alias) = self.slots[i as usize];
        if (x as u32) < threshold || threshold == u32::MAX {
            i as usize
        } else {
            alias as usize
        }
    }
}

/// Zipf(s) over ranks `0..n` as an alias table: O(1) per sample, no `powf`.
pub(crate) struct ZipfTable {
    pub(crate) n: usize,
    pub(crate) alias: Alias,
}

impl ZipfTable {
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let n = n.max(1);
        let weights: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
        ZipfTable { n, alias: Alias::new(&weights) }
    }

    /// A rank below `limit` (`limit <= n`): ranks at or past `limit` are redrawn,
    /// i.e. Zipf over the first `limit` ranks.
    pub(crate) fn sample_below(&self, rng: &mut ChaCha8Rng, limit: usize) -> usize {
        let limit = limit.clamp(1, self.n);
        for _ in 0..64 {
            let r = self.alias.sample(rng);
            if r < limit {
                return r;
            }
        }
        0
    }

    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        self.alias.sample(rng)
    }
}

pub(crate) struct TimeSampler {
    pub(crate) start: i64,
    pub(crate) hours: WeightedAliasIndex<f64>,
}

impl TimeSampler {
    pub(crate) fn new(cfg: &ScenarioConfig) -> Self {
        let n = i64::from(cfg.days.max(1)) * 24;
        let w = (0..n).map(|h| diurnal(h % 24)).collect();
        TimeSampler { start: cfg.start, hours: WeightedAliasIndex::new(w).expect("weights") }
    }
    pub(crate) fn sample(&self, rng: &mut ChaCha8Rng) -> i64 {
        self.start + self.hours.sample(rng) as i64 * 3600 + rng.random_range(0..3600)
    }
}

pub(crate) fn binomial(rng: &mut ChaCha8Rng, n: u32, p: f64) -> u32 {
    let k = Binomial::new(u64::from(n), p.clamp(0.0, 1.0)).expect("binomial").sample(rng) as u32;
    k.clamp(2.min(n), n)
}

/// A keyed bijection of `[0, 2^bits)`: xor, multiply by odd constants and
/// xor-shift, all modulo `2^bits`. Turns sequential ids into unique,
/// unordered-looking ones.
pub(crate) struct Scramble {
    pub(crate) bits: u32,
    pub(crate) key: u64,
}

impl Scramble {
    /// Smallest width that leaves 8 codes per id (at least 12 bits).
    pub(crate) fn new(rng: &mut ChaCha8Rng, count: u64) -> Self {
        let bits = (64 - count.saturating_mul(8).leading_zeros()).clamp(12, 60);
        Scramble { bits, key: rng.random() }
    }
    pub(crate) fn map(&self, x: u64) -> u64 {
        let mask = (1u64 << self.bits) - 1;
        let mut x = (x ^ self.key) & mask;
        x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask;
        x ^= x >> (self.bits / 2 + 1);
        x = x.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) & mask;
        x ^ (x >> (self.bits / 2))
    }
}
