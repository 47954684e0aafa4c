//! Timestamps: every accepted spelling becomes `i64` UNIX seconds (UTC), floored.
//!
//! Accepted, by [`TimeUnit`]:
//!
//! | input | `Auto` | `Seconds` | `Millis` | `Rfc3339` |
//! |---|---|---|---|---|
//! | integer `1623881091` | seconds; `abs ≥ 1e11` → milliseconds | seconds | milliseconds | rejected |
//! | decimal `1623881091.5`, `1.6e9` | floored, same rule | floored | floored | rejected |
//! | RFC 3339 / ISO 8601 with offset `2016-09-01T12:00:00+02:00` | yes | rejected | rejected | yes |
//! | `YYYY-MM-DD HH:MM:SS` (also with `T`, fraction) | UTC | rejected | rejected | UTC |
//! | `YYYY-MM-DD HH:MM` (IRA archive `tweet_time`) | UTC | rejected | rejected | UTC |
//! | `2016-09-01 12:00:00 +0000`, `Wed Oct 10 20:19:24 +0000 2018` | yes | rejected | rejected | yes |
//!
//! Under `Auto`, an integer of absolute value ≥ 10¹⁴ (which as milliseconds would be
//! past the year 5000) is rejected: it is most likely micro- or nanoseconds.
//! Plain integers are parsed by hand (the common case); dates go through `chrono`
//! after a fast path for the fixed `YYYY-MM-DD HH:MM:SS` layout.

use crate::TimeUnit;
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Absolute values at or above this are milliseconds under [`TimeUnit::Auto`].
pub const AUTO_MILLIS_THRESHOLD: i128 = 100_000_000_000;
/// Absolute values at or above this are rejected under [`TimeUnit::Auto`].
const AUTO_MAX: i128 = 100_000_000_000_000;

const DATE_HINT: &str = "not a UNIX time or a recognised date (RFC 3339, `YYYY-MM-DD HH:MM:SS`)";

/// Parses a timestamp written as text. Returns UNIX seconds (UTC) or why not.
///
/// ```
/// use lockstep_ingest::{parse_timestamp, TimeUnit};
/// assert_eq!(parse_timestamp(b"1623881091", TimeUnit::Auto), Ok(1_623_881_091));
/// assert_eq!(parse_timestamp(b"1623881091999", TimeUnit::Auto), Ok(1_623_881_091));
/// assert_eq!(parse_timestamp(b"2016-09-01T12:00:00Z", TimeUnit::Auto), Ok(1_472_731_200));
/// assert_eq!(parse_timestamp(b"2016-09-01 12:00:00", TimeUnit::Auto), Ok(1_472_731_200));
/// assert!(parse_timestamp(b"yesterday", TimeUnit::Auto).is_err());
/// ```
pub fn parse_timestamp(text: &[u8], unit: TimeUnit) -> Result<i64, &'static str> {
    let s = text.trim_ascii();
    if s.is_empty() {
        return Err("empty");
    }
    // The common case, UNIX seconds or milliseconds: eight digits at a time
    // (longer runs, signs and decimals below).
    if let Some(n) = digits16(s) {
        return from_int(i128::from(n), unit);
    }
    if let Some(n) = parse_number(s) {
        return from_int(n, unit);
    }
    if s.iter().any(|&b| b == b'e' || b == b'E') {
        if let Some(f) = std::str::from_utf8(s).ok().and_then(|t| t.parse::<f64>().ok()) {
            return from_float(f, unit);
        }
    }
    match unit {
        TimeUnit::Seconds | TimeUnit::Millis => {
            Err("not a number (the time unit given is numeric; use `auto` or `rfc3339` for dates)")
        }
        TimeUnit::Auto | TimeUnit::Rfc3339 => parse_date(s).ok_or(DATE_HINT),
    }
}

/// The value of 1 to 16 ASCII digits, `None` for anything else. The digits
/// are right-aligned in 16 bytes padded with `0`s, and each 8-byte half is
/// checked and converted with a few word operations instead of a loop of
/// byte steps (1M posts: about a sixth of all parsing per row).
fn digits16(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut buf = [b'0'; 16];
    buf[16 - s.len()..].copy_from_slice(s);
    let hi = eight_digits(u64::from_le_bytes(buf[..8].try_into().expect("8 bytes")))?;
    let lo = eight_digits(u64::from_le_bytes(buf[8..].try_into().expect("8 bytes")))?;
    Some(hi * 100_000_000 + lo)
}

/// The value of eight ASCII digits read as a little-endian word (the first
/// digit in the lowest byte), `None` when a byte is not a digit.
fn eight_digits(w: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Digits are 0x30..=0x39: high nibble 3, and adding 6 keeps it 3.
    let all_digits = (w & (0xF0 * ONES)) | (((w.wrapping_add(0x06 * ONES)) & (0xF0 * ONES)) >> 4) == 0x33 * ONES;
    if !all_digits {
        return None;
    }
    let d = w - 0x30 * ONES;
    // Neighbouring digits, then pairs, then quads combined in place.
    let d = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let d = (d * 100 + (d >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((d * 10_000 + (d >> 32)) & 0xFFFF_FFFF)
}

/// Converts an integer timestamp by unit.
pub(crate) fn from_int(v: i128, unit: TimeUnit) -> Result<i64, &'static str> {
    let secs = match unit {
        TimeUnit::Seconds => v,
        TimeUnit::Millis => v.div_euclid(1000),
        TimeUnit::Rfc3339 => return Err("a number, but the time unit is rfc3339 (dates only)"),
        TimeUnit::Auto => {
            let a = v.abs();
            if a >= AUTO_MAX {
                return Err("number too large for seconds or milliseconds (micro- or nanoseconds? give the unit)");
            } else if a >= AUTO_MILLIS_THRESHOLD {
                v.div_euclid(1000)
            } else {
                v
            }
        }
    };
    i64::try_from(secs).map_err(|_| "out of range")
}

/// Converts a floating-point timestamp by unit (floored).
pub(crate) fn from_float(v: f64, unit: TimeUnit) -> Result<i64, &'static str> {
    if !v.is_finite() || v.abs() >= 1e30 {
        return Err("out of range");
    }
    from_int(v.floor() as i128, unit)
}

/// Integer or decimal (`-12`, `+12`, `12.5`): the floor as an integer. `None` when
/// the text is not of that shape or overflows.
fn parse_number(s: &[u8]) -> Option<i128> {
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac) = match memchr::memchr(b'.', digits) {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &[][..]),
    };
    if int_part.is_empty() && frac.is_empty() || int_part.len() > 30 {
        return None;
    }
    let mut n: i128 = 0;
    for &b in int_part {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + i128::from(d);
    }
    let mut frac_nonzero = false;
    for &b in frac {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        frac_nonzero |= d != 0;
    }
    Some(match (neg, frac_nonzero) {
        (false, _) => n,
        (true, false) => -n,
        (true, true) => -n - 1,
    })
}

fn parse_date(s: &[u8]) -> Option<i64> {
    if let Some(t) = fast_ymd_hms(s) {
        return Some(t);
    }
    let s = std::str::from_utf8(s).ok()?;
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp());
    }
    for layout in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, layout) {
            return Some(dt.and_utc().timestamp());
        }
    }
    for layout in ["%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%dT%H:%M:%S%.f%z", "%a %b %d %H:%M:%S %z %Y"] {
        if let Ok(dt) = DateTime::parse_from_str(s, layout) {
            return Some(dt.timestamp());
        }
    }
    None
}

/// `YYYY-MM-DD[T ]HH:MM:SS[Z]`, exactly.
fn fast_ymd_hms(s: &[u8]) -> Option<i64> {
    let s = match s.len() {
        19 => s,
        20 if s[19] == b'Z' || s[19] == b'z' => &s[..19],
        _ => return None,
    };
    if s[4] != b'-' || s[7] != b'-' || !matches!(s[10], b' ' | b'T' | b't') || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        s[r].iter().try_fold(0u32, |acc, &b| {
            let d = b.wrapping_sub(b'0');
            (d <= 9).then(|| acc * 10 + u32::from(d))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let dt = date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    Some(dt.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use TimeUnit::*;

    #[track_caller]
    fn check(input: &str, unit: TimeUnit, expect: Option<i64>) {
        let got = parse_timestamp(input.as_bytes(), unit);
        assert_eq!(got.ok(), expect, "{input:?} under {unit:?}: {got:?}");
    }

    #[test]
    fn numbers() {
        check("1623881091", Auto, Some(1_623_881_091));
        check(" 1623881091 ", Auto, Some(1_623_881_091));
        check("+5", Auto, Some(5));
        check("-5", Auto, Some(-5));
        check("0", Auto, Some(0));
        check("1623881091.5", Auto, Some(1_623_881_091));
        check("1623881091.", Auto, Some(1_623_881_091));
        check("-1.5", Auto, Some(-2));
        check("-1.0", Auto, Some(-1));
        check("1.6e9", Auto, Some(1_600_000_000));
        check("1623881091123", Auto, Some(1_623_881_091));
        check("99999999999", Auto, Some(99_999_999_999));
        check("100000000000", Auto, Some(100_000_000));
        check("-1623881091123", Auto, Some(-1_623_881_092));
        check("1623881091123456", Auto, None);
        check("1623881091123", Seconds, Some(1_623_881_091_123));
        check("1623881091", Millis, Some(1_623_881));
        check("-1", Millis, Some(-1));
        check("1623881091", Rfc3339, None);
        check("99999999999999999999999", Seconds, None);
        check("1e400", Auto, None);
        check("12a", Auto, None);
        check("-", Auto, None);
        check(".", Auto, None);
        check("", Auto, None);
        check("1.2.3", Auto, None);
    }

    #[test]
    fn dates() {
        check("2016-09-01T12:00:00Z", Auto, Some(1_472_731_200));
        check("2016-09-01T12:00:00z", Auto, Some(1_472_731_200));
        check("2016-09-01T14:00:00+02:00", Auto, Some(1_472_731_200));
        check("2016-09-01T12:00:00.999Z", Auto, Some(1_472_731_200));
        check("2016-09-01 12:00:00", Auto, Some(1_472_731_200));
        check("2016-09-01 12:00:00", Rfc3339, Some(1_472_731_200));
        check("2016-09-01T12:00:00", Auto, Some(1_472_731_200));
        check("2016-09-01 12:00:00.25", Auto, Some(1_472_731_200));
        check("2016-09-01 12:00:00+00:00", Auto, Some(1_472_731_200));
        check("2016-09-01 12:00:00 +0000", Auto, Some(1_472_731_200));
        check("Thu Sep 01 12:00:00 +0000 2016", Auto, Some(1_472_731_200));
        check("1969-12-31 23:59:59", Auto, Some(-1));
        check("2016-02-30 12:00:00", Auto, None);
        check("2016-09-01 25:00:00", Auto, None);
        check("2016-09-01 12:00", Auto, Some(1_472_731_200));
        check("2016-09-01", Auto, None);
        check("2016-09-01 12:00:00", Seconds, None);
        check("2016-09-01 12:00:00", Millis, None);
        check("yesterday", Auto, None);
    }

    proptest::proptest! {
        /// The fast path for plain digit runs agrees with the general number parser.
        #[test]
        fn digit_runs_parse_as_the_general_path(
            digits in "[0-9]{1,18}",
            unit in proptest::sample::select(vec![Auto, Seconds, Millis, Rfc3339]),
        ) {
            let general = parse_number(digits.as_bytes()).map(|n| from_int(n, unit));
            proptest::prop_assert_eq!(Some(parse_timestamp(digits.as_bytes(), unit)), general);
        }

        /// Eight digits at a time read what a byte-by-byte loop reads, and
        /// nothing else: any byte outside `0`-`9` (next to digits, in any
        /// place, including the ones whose addition carries) gives `None`.
        #[test]
        fn word_digits_match_a_byte_loop(bytes in proptest::collection::vec(
            proptest::prop_oneof![8 => b'0'..=b'9', 1 => proptest::num::u8::ANY, 1 => proptest::sample::select(vec![b'/', b':', 0xFA, 0xFF])],
            0..20,
        )) {
            let by_bytes = (!bytes.is_empty() && bytes.len() <= 16 && bytes.iter().all(u8::is_ascii_digit))
                .then(|| bytes.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0')));
            proptest::prop_assert_eq!(digits16(&bytes), by_bytes);
        }
    }

    #[test]
    fn non_utf8_is_rejected_not_panicking() {
        assert!(parse_timestamp(b"2016-09-01 12:00:\xff\xfe", Auto).is_err());
        assert!(parse_timestamp(b"\xff", Auto).is_err());
    }
}
