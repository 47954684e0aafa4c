//! The memory budget: what expanding co-shares may cost, checked against the
//! in-window pair counts known before any object is expanded
//! ([`Params::max_total_pairs`](crate::Params::max_total_pairs)).

/// Peak bytes one in-window share pair costs when expanded: the co-share (12
/// bytes), its evidence index, its share of an edge when it makes one (the
/// worst case: every pair a new edge), the vectors' growth by doubling and the
/// tables written. Measured with `/usr/bin/time -v` on objects of 4,400
/// accounts in one 60 s window, every pair a new edge: 9.68M pairs peaked at
/// 1.18 GB, 38.7M at 4.04 to 4.66 GB, i.e. 105 to 122 bytes per pair with
/// everything else (docs/method.md, Cost and memory bound).
pub const BYTES_PER_PAIR: u64 = 128;

/// The default budget: this share of the machine's memory.
pub const DEFAULT_SHARE_OF_MEMORY: f64 = 0.5;

/// The machine's memory in bytes (`MemTotal`), when known.
pub fn total_memory() -> Option<u64> {
    meminfo_kib("MemTotal:").map(|k| k * 1024)
}

/// This process's resident memory in bytes, when known.
pub fn resident_memory() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn meminfo_kib(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// In-window pairs that fit in `limit` bytes when `in_use` are already used.
pub fn pairs_within(limit: u64, in_use: u64) -> u64 {
    limit.saturating_sub(in_use) / BYTES_PER_PAIR
}

/// Parses a size: bytes, or with a suffix K, M, G, T (powers of 1024; `B`,
/// `iB` allowed), or a percentage of the machine's memory (`50%`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if let Some(p) = t.strip_suffix('%') {
        let p: f64 = p.trim().parse().map_err(|_| format!("{s:?}: not a percentage"))?;
        if !(p > 0.0 && p <= 100.0) {
            return Err(format!("{s:?}: a percentage must be in (0, 100]"));
        }
        let total = total_memory().ok_or_else(|| format!("{s:?}: the machine's memory is unknown here"))?;
        return Ok((total as f64 * p / 100.0) as u64);
    }
    let upper = t.to_ascii_uppercase();
    let num = upper.trim_end_matches("IB").trim_end_matches('B');
    let (digits, shift) = match num.chars().last() {
        Some('K') => (&num[..num.len() - 1], 10),
        Some('M') => (&num[..num.len() - 1], 20),
        Some('G') => (&num[..num.len() - 1], 30),
        Some('T') => (&num[..num.len() - 1], 40),
        _ => (num, 0),
    };
    let v: f64 = digits.trim().parse().map_err(|_| format!("{s:?}: expected a size such as 8G, 512M or 50%"))?;
    if !(v > 0.0 && v.is_finite()) {
        return Err(format!("{s:?}: must be more than 0"));
    }
    Ok((v * (1u64 << shift) as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("150%").is_err());
        assert_eq!(pairs_within(1000 + BYTES_PER_PAIR * 7, 1000), 7);
        assert_eq!(pairs_within(10, 1000), 0);
    }
}
