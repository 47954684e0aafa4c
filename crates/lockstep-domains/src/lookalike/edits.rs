//! Edit distances and the names of edits: deletion neighbourhoods,
//! optimal-string-alignment distance, keyboard adjacency, which typo a
//! candidate is of an outlet's name.

use super::fold::fold;
use super::technique::Technique;

/// Allowed edit distance for an outlet label of `len` (compact) characters.
pub(crate) fn allowed_distance(len: usize) -> usize {
    if len <= 6 {
        0
    } else {
        1
    }
}

/// Calls `f` with every string obtained by deleting 1..=`depth` bytes of `s`
/// (duplicates possible).
pub(crate) fn deletions(s: &[u8], depth: usize, buf: &mut Vec<u8>, f: &mut impl FnMut(&[u8])) {
    if depth == 0 || s.len() <= 1 {
        return;
    }
    let mut inner = Vec::with_capacity(s.len());
    for i in 0..s.len() {
        buf.clear();
        buf.extend_from_slice(&s[..i]);
        buf.extend_from_slice(&s[i + 1..]);
        f(buf);
        if depth > 1 {
            // Deleting at positions >= i only avoids most duplicates.
            for j in i..buf.len() {
                inner.clear();
                inner.extend_from_slice(&buf[..j]);
                inner.extend_from_slice(&buf[j + 1..]);
                f(&inner);
            }
        }
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
pub fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

pub(crate) const KEY_ROWS: [&[u8]; 4] = [b"1234567890", b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];

pub(crate) fn key_pos(c: u8) -> Option<(usize, usize)> {
    KEY_ROWS.iter().enumerate().find_map(|(r, row)| row.iter().position(|&k| k == c).map(|p| (r, p)))
}

/// True when `a` and `b` are neighbours on a QWERTY (or QWERTZ: y/z) keyboard.
pub(crate) fn keyboard_adjacent(a: u8, b: u8) -> bool {
    if matches!((a, b), (b'y', b'z') | (b'z', b'y')) {
        return true;
    }
    let (Some((ra, ca)), Some((rb, cb))) = (key_pos(a), key_pos(b)) else { return false };
    match ra.abs_diff(rb) {
        0 => ca.abs_diff(cb) == 1,
        // A lower row is shifted right by half a key: lower col c touches upper c and c+1.
        1 => {
            let (upper, lower) = if ra < rb { (ca, cb) } else { (cb, ca) };
            upper == lower || upper == lower + 1
        }
        _ => false,
    }
}

pub(crate) fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Names the single edit turning `outlet` into `cand` (raw compact labels).
pub(crate) fn name_edit(cand: &str, outlet: &str) -> Technique {
    let (a, b) = (cand.as_bytes(), outlet.as_bytes());
    if a.len() == b.len() {
        let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        match diffs.as_slice() {
            [i] => {
                let (x, y) = (a[*i], b[*i]);
                if fold(&(x as char).to_string()) == fold(&(y as char).to_string()) {
                    Technique::CharSwap
                } else if is_vowel(x) && is_vowel(y) {
                    Technique::VowelSwap
                } else if keyboard_adjacent(x, y) {
                    Technique::Keyboard
                } else {
                    Technique::Replacement
                }
            }
            [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i] => Technique::Transposition,
            _ => Technique::Replacement,
        }
    } else if a.len() == b.len() + 1 {
        let i = (0..b.len()).find(|&i| a[i] != b[i]).unwrap_or(b.len());
        let x = a[i];
        if (i > 0 && a[i - 1] == x) || a.get(i + 1) == Some(&x) {
            Technique::Repetition
        } else {
            Technique::Insertion
        }
    } else if a.len() + 1 == b.len() {
        Technique::Omission
    } else {
        Technique::Replacement
    }
}
