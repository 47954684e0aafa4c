//! How distinctive a name is: is it a brand (`spiegel`, `obozrevatel`) or a word
//! many unrelated sites use (`business`, `weather`, `online`)?
//!
//! A watchlist of tens of thousands of outlets holds many names that are ordinary
//! words (`telegram.com`, `media.am`, `weather.com`, `one.co.il`): the same word on
//! another suffix, a one-letter variant of it or a name containing it is usually a
//! namesake, not an imitation. Two sources say which names are ordinary:
//!
//! - **Common English words** ([`word_level`]): SCOWL's size levels 10, 20 and 35
//!   (the most common ~40,000 English words and inflections), shipped as
//!   `data/common-words-en.txt` (built by `scripts/build-common-words.py` from
//!   Debian's `scowl` package; its notice is in the file). English because the names
//!   that collide across the web's popular domains are mostly English words; a
//!   German `bild` or `welt` stays distinctive, French `diplomatie` too.
//! - **Building blocks of the watchlist itself** ([`generic_components`]): a name
//!   that appears as a whole part of many other outlet names of the same watchlist
//!   (`tribuna` in `tribunadigital`, `latribuna`; `online` in `postonline`) is a
//!   word of the trade in some language, whatever the language. A part counts only
//!   when the rest of the other name is itself a common word or another outlet's
//!   name (`postonline` = `post` + `online`), so that `pntonline` does not make
//!   `tonline` a building block.
//!
//! The look-alike detector ([`crate::lookalike`]) calls an outlet name **weak**
//! when it is one of these (unless a person curated it: see
//! [`crate::watchlist::CURATED_SOURCE`]), and asks weak names for stronger
//! evidence; it also takes a candidate that is itself a common word or building
//! block for a name of its own rather than a typo (`office` is not a typo of
//! `officer`, `online` not one of `onliner`).

use hashbrown::{HashMap, HashSet};
use std::sync::OnceLock;

/// The common-word list (see the module documentation).
pub const COMMON_WORDS_EN: &str = include_str!("../data/common-words-en.txt");

/// Minimum number of other watchlist names a part must be found in to be a
/// building block. Chosen on the even ranks of the Tranco top-50k list (see
/// docs/evaluation.md).
pub const COMPONENT_MIN: u32 = 5;

/// Minimum length of a part (and of the rest) when splitting names.
const PART_MIN: usize = 3;

fn words() -> &'static HashMap<&'static str, u8> {
    static WORDS: OnceLock<HashMap<&'static str, u8>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut level = 0u8;
        let mut m = HashMap::with_capacity(41_000);
        for line in COMMON_WORDS_EN.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if let Some(l) = line.strip_prefix('@') {
                level = l.parse().expect("level line of common-words-en.txt");
                continue;
            }
            m.entry(line).or_insert(level);
        }
        m
    })
}

/// SCOWL level of a lower-case word (10 = most common, 20, 35), or `None`.
///
/// ```
/// use lockstep_domains::distinct::word_level;
/// assert_eq!(word_level("business"), Some(10));
/// assert_eq!(word_level("spiegel"), None);
/// ```
pub fn word_level(w: &str) -> Option<u8> {
    words().get(w).copied()
}

/// The parts that occur in at least [`COMPONENT_MIN`] other names of `keys`
/// (compact folded outlet labels), split into a part and a rest of 3+ characters
/// each where the rest is a common word or itself one of `keys`.
pub fn generic_components<'a>(keys: impl Iterator<Item = &'a str> + Clone) -> HashSet<Box<str>> {
    let all: HashSet<&str> = keys.clone().collect();
    let known = |s: &str| word_level(s).is_some() || all.contains(s);
    let mut count: HashMap<&str, u32> = HashMap::new();
    for k in keys {
        if !k.is_ascii() || k.len() < 2 * PART_MIN {
            continue;
        }
        // Each part counts once per name.
        let mut parts: Vec<&str> = Vec::new();
        for i in PART_MIN..=k.len() - PART_MIN {
            let (left, right) = k.split_at(i);
            if known(right) {
                parts.push(left);
            }
            if known(left) {
                parts.push(right);
            }
        }
        parts.sort_unstable();
        parts.dedup();
        for p in parts {
            *count.entry(p).or_default() += 1;
        }
    }
    let mut out: HashSet<Box<str>> =
        count.into_iter().filter(|&(_, n)| n >= COMPONENT_MIN).map(|(p, _)| p.into()).collect();
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_the_list() {
        assert_eq!(word_level("weather"), Some(10));
        assert_eq!(word_level("guardian"), Some(35));
        for brand in ["spiegel", "bild", "reuters", "obozrevatel", "lefigaro", "tonline"] {
            assert_eq!(word_level(brand), None, "{brand}");
        }
    }

    #[test]
    fn building_blocks_need_a_known_rest() {
        // `online` is a part of five names whose rest is a word or a name;
        // `tonline` ends five names too, but their rests (`pn`, `pc`, `thechar` …)
        // are neither.
        let keys = [
            "postonline",
            "reportonline",
            "courieronline",
            "leaderonline",
            "newsonline",
            "pntonline",
            "pctonline",
            "thechartonline",
            "rgtonline",
            "bdtonline",
            "spiegel",
            "bildspiegel",
        ];
        let g = generic_components(keys.iter().copied());
        assert!(g.contains("online"));
        assert!(!g.contains("tonline"));
        assert!(!g.contains("spiegel"), "one use is not enough");
        // Five names ending in one outlet's name, each with a word before it.
        let keys = ["telegram", "startelegram", "leadertelegram", "presstelegram", "timestelegram", "newstelegram"];
        assert!(generic_components(keys.iter().copied()).contains("telegram"));
    }
}
