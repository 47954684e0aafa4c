//! The look-alike detector: is a domain imitating an outlet of the watchlist?
//!
//! Matching is **indexed**, not generate-then-lookup: the watchlist's labels are
//! folded and put in hash indexes once; each candidate costs a few dozen hash
//! look-ups whatever the size of the watchlist.
//!
//! **Folding** ([`fold`]) maps a label to the form a reader sees: Unicode
//! confusables skeleton (UTS #39, via `unicode-security`) for non-ASCII labels,
//! accents dropped, lower case, then the ASCII look-alikes `i`/`1`/`|` → `l`,
//! `0` → `o`, `rn` → `m`, `vv` → `w`. The **compact** form also drops hyphens.
//!
//! Indexes, built by [`Matcher::new`]:
//! - `keys`: compact label → the outlet domains with that label;
//! - `deletes`: every string obtained by deleting up to `d` characters from an
//!   ASCII compact label (SymSpell's deletion neighbourhood), `d` = 1 for labels of
//!   7 characters or more; shorter labels get none (two edits were tried and
//!   dropped: they found no public look-alike and brought false positives);
//! - `own`: every outlet domain (a sibling is never flagged).
//!
//! Checks on a candidate, each giving a [`Technique`] and a score in `[0, 1]`; the
//! best wins, ties go to the outlet listed first:
//! 1. compact label equals an outlet's: IDN homoglyph, ASCII character swap
//!    (l/i/1, rn/m, 0/o), hyphenation, fake second level (`.co.com`, `.eu.com`,
//!    `.com.co` …) or the same name on another suffix;
//! 2. typo: candidate deletes looked up in `deletes`, verified with the
//!    optimal-string-alignment distance and named by the edit (omission,
//!    insertion, repetition, transposition, keyboard or vowel replacement …);
//! 3. affix: a hyphen-separated part of the label is an outlet's label of 5+
//!    characters and the rest is news-like (`pravda-ua`, `kyivpost-news`);
//! 4. embedded: a substring of at least [`EMBED_MIN`] characters is an outlet's
//!    label (scored high only when the rest is news-like: `washingtonpostnews`);
//! 5. subdomain: a label before the registrable domain is an outlet's label
//!    (`bild.de.example.com`).
//!
//! **Short labels** (`faz`, `ew`, `geo`, `bund`) would flood: labels of at most 6
//! characters get no typo matching; labels of at most 4 characters on another
//! suffix count only on a new generic TLD, a ccTLD sold as generic or a fake
//! second level, labels of 2 only on a fake second level; the same name on a
//! national ccTLD scores lower (`gazeta.ru`, `focus.cn` are namesakes); labels
//! several unrelated outlets share (`metro`, `guardian`: two or more) score lower. The
//! thresholds were measured on the Tranco top-50k list (docs/evaluation.md).
//!
//! **Common names** ([`crate::distinct`]): a name that is a common English word or a
//! building block of the watchlist's names is *weak* (unless curated, see
//! [`CURATED_SOURCE`]): it counts only as the exact name on a TLD anyone buys for any
//! name or a fake second level, never as a typo, affix or embedded name. A candidate
//! that is itself a common word is no typo. Names of a bulk list (more than
//! [`BULK_LIST_MIN`] names not curated) take typos only on such cheap TLDs.
//! Restricted suffixes ([`restricted_suffix`]: `.gov`, `.edu`, `gov.uk`, `ac.uk` …)
//! are never look-alikes.

use crate::distinct::{generic_components, word_level};
use crate::domain::DomainName;
use crate::watchlist::CURATED_SOURCE;
use crate::watchlist::{Outlet, Watchlist};
use hashbrown::{HashMap, HashSet};
use std::hash::BuildHasher;

mod edits;
mod fold;
mod news;
mod suffixes;
mod technique;

pub use edits::osa_distance;
use edits::*;
pub use fold::{compact, fold};
use news::*;
use suffixes::*;
pub use suffixes::{restricted_suffix, FAKE_SECOND_LEVELS};
pub use technique::Technique;

/// Minimum length of an outlet label found inside a longer label.
pub const EMBED_MIN: usize = 7;
/// Number of names (not curated) above which a watchlist is a **bulk list**: its
/// outlets take typos only on cheap TLDs. Typo matching brings namesakes in
/// proportion to the number of names; a short list is taken as reviewed by its user.
pub const BULK_LIST_MIN: usize = 1000;
/// Default minimum score of a reported look-alike.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;

/// A look-alike found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookAlike {
    /// Index of the outlet in [`Matcher::outlets`].
    pub outlet: u32,
    /// Index of the imitated domain in that outlet's `domains`.
    pub domain: u32,
    /// How.
    pub technique: Technique,
    /// Confidence in `[0, 1]`.
    pub score: f32,
}

/// What the matcher says about a domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// One of the outlets' own domains (or a host under one).
    Own {
        /// Outlet index.
        outlet: u32,
    },
    /// Imitates an outlet.
    LookAlike(LookAlike),
    /// Nothing found (or only below the minimum score).
    NoMatch,
}

#[derive(Debug, Clone)]
struct Key {
    /// Compact folded label.
    compact: Box<str>,
    /// (outlet, domain index) pairs, in watchlist order.
    refs: Vec<(u32, u32)>,
    /// Number of distinct outlets with this label (curated ones only when any is
    /// curated: a person's review supersedes a bulk list).
    outlets: u32,
    /// Number of distinct curated outlets with this label.
    curated: u32,
    /// A common word or building block of names ([`crate::distinct`]), not
    /// curated: it needs stronger evidence.
    weak: bool,
}

/// The indexed watchlist.
#[derive(Debug, Clone)]
pub struct Matcher {
    outlets: Vec<Outlet>,
    own: HashMap<Box<str>, u32>,
    keys: Vec<Key>,
    key_of: HashMap<Box<str>, u32>,
    /// Keys of each deletion variant, grouped: `delete_keys[start..start + len]`
    /// for `deletes[hash] = (start, len)`.
    deletes: HashMap<u64, (u32, u32)>,
    delete_keys: Vec<u32>,
    hasher: foldhash::fast::FixedState,
    min_score: f32,
    /// [`NEWS_AFFIXES`], folded.
    affixes: Vec<String>,
    /// More than [`BULK_LIST_MIN`] names not curated.
    bulk: bool,
    /// Building blocks of this watchlist's names, as written ([`crate::distinct::generic_components`]).
    components: HashSet<Box<str>>,
}

impl Matcher {
    /// Indexes a watchlist.
    pub fn new(watchlist: Watchlist) -> Matcher {
        let hasher = foldhash::fast::FixedState::with_seed(0x6c6f636b);
        let mut own = HashMap::new();
        let mut keys: Vec<Key> = Vec::new();
        let mut key_of: HashMap<Box<str>, u32> = HashMap::new();
        for (oi, o) in watchlist.outlets.iter().enumerate() {
            let curated = o.source.split(';').any(|s| s == CURATED_SOURCE);
            for (di, d) in o.domains.iter().enumerate() {
                own.entry(d.domain.clone().into_boxed_str()).or_insert(oi as u32);
                let c = compact(&fold(&d.label));
                if c.is_empty() {
                    continue;
                }
                let k = *key_of.entry(c.clone().into_boxed_str()).or_insert_with(|| {
                    keys.push(Key {
                        compact: c.into_boxed_str(),
                        refs: Vec::new(),
                        outlets: 0,
                        curated: 0,
                        weak: false,
                    });
                    keys.len() as u32 - 1
                });
                let key = &mut keys[k as usize];
                if key.refs.last().is_none_or(|&(last, _)| last != oi as u32) {
                    key.outlets += 1;
                    if curated {
                        key.curated += 1;
                    }
                }
                key.refs.push((oi as u32, di as u32));
            }
        }
        // Distinctiveness: curated names are trusted; others are weak when they are
        // common English words or building blocks of this watchlist's names.
        // Words are looked up as written (lower case, no hyphens), not folded
        // (`finances`, not `flnances`).
        let raw_label =
            |oi: u32, di: u32| compact(&watchlist.outlets[oi as usize].domains[di as usize].label.to_lowercase());
        let mut raws: Vec<String> =
            keys.iter().flat_map(|k| k.refs.iter().map(|&(oi, di)| raw_label(oi, di))).collect();
        raws.sort_unstable();
        raws.dedup();
        let components = generic_components(raws.iter().map(String::as_str));
        drop(raws);
        for key in &mut keys {
            if key.curated > 0 {
                key.outlets = key.curated;
            } else {
                key.weak = key.refs.iter().any(|&(oi, di)| {
                    let raw = raw_label(oi, di);
                    word_level(&raw).is_some() || components.contains(raw.as_str())
                });
            }
        }
        // Curated outlets first, so that a shared name points to the reviewed one.
        for key in &mut keys {
            if key.curated > 0 {
                let outlets = &watchlist.outlets;
                key.refs.sort_by_key(|&(oi, _)| !outlets[oi as usize].source.split(';').any(|s| s == CURATED_SOURCE));
            }
        }

        let mut deletes = Vec::new();
        let mut buf = Vec::new();
        for (k, key) in keys.iter().enumerate() {
            let s = key.compact.as_bytes();
            let d = allowed_distance(s.len());
            if d == 0 || !key.compact.is_ascii() {
                continue;
            }
            // The label itself too: a candidate with one letter more deletes to it.
            let mut variants = vec![hasher.hash_one(s)];
            deletions(s, d, &mut buf, &mut |v| variants.push(hasher.hash_one(v)));
            variants.sort_unstable();
            variants.dedup();
            deletes.extend(variants.into_iter().map(|h| (h, k as u32)));
        }
        deletes.sort_unstable();
        let delete_keys: Vec<u32> = deletes.iter().map(|&(_, k)| k).collect();
        let mut groups: HashMap<u64, (u32, u32)> = HashMap::with_capacity(deletes.len());
        for (i, &(h, _)) in deletes.iter().enumerate() {
            groups.entry(h).or_insert((i as u32, 0)).1 += 1;
        }
        let bulk = keys.iter().filter(|k| k.curated == 0).count() > BULK_LIST_MIN;
        Matcher {
            outlets: watchlist.outlets,
            own,
            keys,
            key_of,
            deletes: groups,
            delete_keys,
            hasher,
            min_score: DEFAULT_MIN_SCORE,
            affixes: NEWS_AFFIXES.iter().map(|a| fold(a)).collect(),
            bulk,
            components,
        }
    }

    /// Sets the minimum score of a reported look-alike (default [`DEFAULT_MIN_SCORE`]).
    pub fn with_min_score(mut self, min_score: f32) -> Matcher {
        self.min_score = min_score;
        self
    }

    /// The outlets, indexed by [`LookAlike::outlet`].
    pub fn outlets(&self) -> &[Outlet] {
        &self.outlets
    }

    /// Number of deletion variants indexed (for the record).
    pub fn index_size(&self) -> usize {
        self.delete_keys.len()
    }

    /// Checks one domain.
    pub fn check(&self, d: &DomainName) -> Verdict {
        if let Some(outlet) = self.own_outlet(d) {
            return Verdict::Own { outlet };
        }
        if restricted_suffix(&d.suffix) {
            return Verdict::NoMatch;
        }
        let mut best: Option<LookAlike> = None;
        let mut offer = |cand: LookAlike| {
            let better = match &best {
                None => true,
                Some(b) => {
                    cand.score > b.score || (cand.score == b.score && (cand.outlet, cand.domain) < (b.outlet, b.domain))
                }
            };
            if better {
                best = Some(cand);
            }
        };
        let folded = fold(&d.label_unicode);
        let c = compact(&folded);
        let raw = compact(&d.label_unicode.to_lowercase());
        let idn = !d.label_unicode.is_ascii();
        let tld = d.suffix.rsplit('.').next().unwrap_or("");

        // A TLD anyone buys cheaply for any name: a short outlet label there is suspect.
        let open_tld = (tld.len() > 2 && !LEGACY_TLDS.contains(&tld)) || GENERIC_CCTLDS.contains(&tld);
        let fake_sld = FAKE_SECOND_LEVELS.contains(&d.suffix.as_str());
        let raw_first = raw.chars().next();
        // A candidate that is itself a common word or a building block of names is a
        // name of its own, not a typo (`office`, `online`, `stripe`).
        let cand_generic = word_level(&raw).is_some() || self.components.contains(raw.as_str());

        // 1. Same compact label.
        if let Some(&k) = self.key_of.get(c.as_str()) {
            let key = &self.keys[k as usize];
            let (oi, di) = self.pick(key, &d.suffix);
            let od = &self.outlets[oi as usize].domains[di as usize];
            let o_raw = compact(&od.label.to_lowercase());
            // A variant on the outlet's own suffix needs no more; moved to another
            // suffix, it is weighed like the same name there.
            let moved = if od.suffix == d.suffix { 1.0 } else { suffix_factor(&d.suffix) };
            let (technique, base) = if idn {
                (Technique::IdnHomoglyph, 0.95)
            } else if raw != o_raw {
                (Technique::CharSwap, 0.9 * moved)
            } else if d.label_unicode.to_lowercase() != od.label.to_lowercase() {
                (Technique::Hyphenation, 0.85 * moved)
            } else if fake_sld {
                (Technique::FakeSecondLevel, 0.95)
            } else {
                (Technique::OtherSuffix, 0.95 * suffix_factor(&d.suffix))
            };
            let len = key.compact.chars().count();
            let mut score = base * label_weight(len, key.outlets);
            // Short names: only on a TLD anyone buys for any name (faz.ltd, nato.ws);
            // weak names too (`business.hr` does not make `business.com` a clone).
            let weak = key.weak && technique != Technique::IdnHomoglyph;
            if ((len <= 4 || weak) && !open_tld && !fake_sld) || (len <= 2 && !fake_sld) {
                score = score.min(0.35);
            }
            offer(LookAlike { outlet: oi, domain: di, technique, score });
        }

        // 2. Typos.
        // Weak names take no typos: a one-letter variant of a word is another word
        // or another name (`officer`/`office`, `stripes`/`stripe`). Names of a bulk
        // list (not curated) take typos only where names are cheap: among tens of
        // thousands of outlets, a one-letter variant on `.com` or a national suffix
        // is most often an established namesake (`okdiario`/`odiario`).
        if c.is_ascii() && c.len() >= 5 && !cand_generic {
            for (k, _) in self.near_keys(&c) {
                let key = &self.keys[k as usize];
                if key.weak || (self.bulk && key.curated == 0 && !open_tld && !fake_sld) {
                    continue;
                }
                let (oi, di) = self.pick(key, &d.suffix);
                let od = &self.outlets[oi as usize].domains[di as usize];
                let o_raw = compact(&od.label.to_lowercase());
                // Typos are counted on what was typed (not folded): `ibtimes` is two
                // edits from `latimes`, not one. The first letter, which anchors
                // recognition, must stay (`online` does not imitate `t-online`).
                let technique = if idn {
                    Technique::IdnHomoglyph
                } else {
                    let dist = osa_distance(raw.as_bytes(), o_raw.as_bytes());
                    if dist == 0 || dist > allowed_distance(o_raw.len()) {
                        continue;
                    }
                    let t = name_edit(&raw, &o_raw);
                    if raw_first != o_raw.chars().next() && t != Technique::Transposition {
                        continue;
                    }
                    t
                };
                let mut base = 0.8;
                // A digit added or changed (not a look-alike one) makes a different
                // name: `fox4news`, `abc7news` are local stations.
                let digits = |s: &str| s.bytes().filter(u8::is_ascii_digit).count();
                if technique != Technique::CharSwap && digits(&raw) != digits(&o_raw) {
                    base *= 0.6;
                }
                let score = base * label_weight(key.compact.len(), key.outlets);
                offer(LookAlike { outlet: oi, domain: di, technique, score });
            }
        }

        // 3. Affixes: a hyphen-separated run of parts is an outlet's label.
        if folded.contains('-') {
            let parts: Vec<&str> = folded.split('-').filter(|p| !p.is_empty()).collect();
            for i in 0..parts.len() {
                for j in i + 1..=parts.len() {
                    if j - i == parts.len() {
                        continue;
                    }
                    let span: String = parts[i..j].concat();
                    if span.chars().count() < 5 {
                        continue;
                    }
                    // The rest must be a code (ua, de, 24) or a news word: `pravda-ua`,
                    // `kyivpost-news`, not `sport-express` or `cdn-kaspi`.
                    if !parts[..i].iter().chain(&parts[j..]).all(|p| news_like(p)) {
                        continue;
                    }
                    if let Some(&k) = self.key_of.get(span.as_str()) {
                        let key = &self.keys[k as usize];
                        if key.weak {
                            continue;
                        }
                        let (oi, di) = key.refs[0];
                        let score = 0.75 * label_weight(key.compact.chars().count(), key.outlets);
                        offer(LookAlike { outlet: oi, domain: di, technique: Technique::Affix, score });
                    }
                }
            }
        }

        // 4. Embedded in a longer label. What is around the name must be a word of
        // its own (3+ characters), not an inflection (`forward` in `forwarder`).
        // Strong only when that rest is news-like (`washingtonpostnews`); otherwise
        // (`thebalancemoney`, `dataliberation`) it scores below the default minimum,
        // so the full scan of every substring runs only when such scores are wanted.
        if c.is_ascii() && c.len() > EMBED_MIN {
            let n = c.len();
            let try_cut = |l: usize, r: usize, offer: &mut dyn FnMut(LookAlike)| {
                if l + r < 3 || n < l + r + EMBED_MIN {
                    return false;
                }
                let Some(&k) = self.key_of.get(&c[l..n - r]) else { return false };
                let key = &self.keys[k as usize];
                if key.weak {
                    return false;
                }
                let (oi, di) = key.refs[0];
                let base = if news_like(&c[..l]) && news_like(&c[n - r..]) { 0.6 } else { 0.4 };
                let score = base * label_weight(n - l - r, key.outlets);
                offer(LookAlike { outlet: oi, domain: di, technique: Technique::Embedded, score });
                true
            };
            if self.min_score <= 0.4 {
                'outer: for len in (EMBED_MIN..n).rev() {
                    for l in 0..=n - len {
                        if try_cut(l, n - len - l, &mut offer) {
                            break 'outer;
                        }
                    }
                }
            } else {
                let lefts = news_cuts(&c, &self.affixes, true);
                let rights = news_cuts(&c, &self.affixes, false);
                for &l in &lefts {
                    for &r in &rights {
                        try_cut(l, r, &mut offer);
                    }
                }
            }
        }

        // 5. Subdomains.
        if !d.subdomain.is_empty() {
            let labels: Vec<&str> = d.subdomain.split('.').collect();
            for (i, l) in labels.iter().enumerate() {
                if *l == "www" {
                    continue;
                }
                let (lu, _) = idna::domain_to_unicode(l);
                let lc = compact(&fold(&lu));
                let Some(&k) = self.key_of.get(lc.as_str()) else { continue };
                let key = &self.keys[k as usize];
                let rest = labels[i + 1..].join(".");
                let full = key.refs.iter().find(|&&(oi, di)| {
                    let s = &self.outlets[oi as usize].domains[di as usize].suffix;
                    !s.is_empty() && (rest == *s || rest.starts_with(&format!("{s}.")))
                });
                let len = key.compact.chars().count();
                let (oi, di, score) = match full {
                    Some(&(oi, di)) => (oi, di, 0.9 * label_weight(len.max(6), key.outlets)),
                    None if len >= 6 && !key.weak => {
                        (key.refs[0].0, key.refs[0].1, 0.6 * label_weight(len, key.outlets))
                    }
                    None => continue,
                };
                offer(LookAlike { outlet: oi, domain: di, technique: Technique::Subdomain, score });
            }
        }

        match best {
            Some(b) if b.score >= self.min_score => Verdict::LookAlike(b),
            _ => Verdict::NoMatch,
        }
    }

    /// The outlet domain of a key to report: the one on the candidate's suffix
    /// (`haaretz.com` for `hааretz.com`), else the first listed.
    fn pick(&self, key: &Key, suffix: &str) -> (u32, u32) {
        key.refs
            .iter()
            .copied()
            .find(|&(oi, di)| self.outlets[oi as usize].domains[di as usize].suffix == suffix)
            .unwrap_or(key.refs[0])
    }

    fn own_outlet(&self, d: &DomainName) -> Option<u32> {
        let mut name = d.host.as_str();
        loop {
            if let Some(&o) = self.own.get(name) {
                return Some(o);
            }
            if name.len() <= d.registrable.len() {
                return None;
            }
            name = &name[name.find('.')? + 1..];
        }
    }

    /// Outlet keys within their allowed distance of `c` (folded): (key, distance).
    fn near_keys(&self, c: &str) -> Vec<(u32, usize)> {
        let b = c.as_bytes();
        // Keys with an edit allowed have 7+ characters.
        if b.len() < 6 {
            return Vec::new();
        }
        let depth = 1;
        let mut found: Vec<u32> = Vec::new();
        let mut buf = Vec::new();
        let mut probe = |v: &[u8]| {
            if let Some(&(start, len)) = self.deletes.get(&self.hasher.hash_one(v)) {
                found.extend_from_slice(&self.delete_keys[start as usize..(start + len) as usize]);
            }
        };
        probe(b);
        deletions(b, depth, &mut buf, &mut probe);
        found.sort_unstable();
        found.dedup();
        let mut near = Vec::new();
        for k in found {
            let key = self.keys[k as usize].compact.as_bytes();
            let allowed = allowed_distance(key.len());
            if key.len().abs_diff(b.len()) > allowed {
                continue;
            }
            let dist = osa_distance(b, key);
            if dist > 0 && dist <= allowed {
                near.push((k, dist));
            }
        }
        near
    }
}

/// Weight of a match on an outlet label of `len` characters shared by `outlets`
/// distinct outlets: short and shared labels are weaker evidence.
fn label_weight(len: usize, outlets: u32) -> f32 {
    let by_len = match len {
        0..=3 => 0.75,
        4 => 0.9,
        _ => 1.0,
    };
    let by_share = if outlets >= 2 { 0.6 } else { 1.0 };
    by_len * by_share
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osa() {
        assert_eq!(osa_distance(b"spiegel", b"spiegel"), 0);
        assert_eq!(osa_distance(b"spiegel", b"spigeel"), 1);
        assert_eq!(osa_distance(b"20minutes", b"20minuts"), 1);
        assert_eq!(osa_distance(b"abc", b""), 3);
        assert_eq!(osa_distance(b"washingtonpost", b"wahsingtonpots"), 2);
    }

    #[test]
    fn deletion_variants() {
        let mut got = Vec::new();
        deletions(b"abc", 2, &mut Vec::new(), &mut |v| got.push(String::from_utf8(v.to_vec()).unwrap()));
        got.sort();
        got.dedup();
        assert_eq!(got, ["a", "ab", "ac", "b", "bc", "c"]);
    }

    #[test]
    fn keyboard() {
        assert!(keyboard_adjacent(b'e', b'r'));
        assert!(keyboard_adjacent(b'a', b'q'));
        assert!(keyboard_adjacent(b'a', b'w'));
        assert!(keyboard_adjacent(b'z', b'y'));
        assert!(!keyboard_adjacent(b'e', b'l'));
        assert!(!keyboard_adjacent(b'q', b's'));
    }

    /// A matcher over a small watchlist; rows with `curated` as source are curated.
    fn matcher(rows: &[(&str, &str)]) -> Matcher {
        matcher_with(rows, 0)
    }

    /// The same, with `filler` more bulk names (`filler0001.example` …).
    fn matcher_with(rows: &[(&str, &str)], filler: usize) -> Matcher {
        let mut text = String::from("domain,name,country,language,source\n");
        for i in 0..filler {
            text.push_str(&format!("filler{i:04}.example,,XX,en,bulk\n"));
        }
        for (domain, source) in rows {
            let source = if *source == "curated" { CURATED_SOURCE } else { source };
            text.push_str(&format!("{domain},{domain},XX,en,{source}\n"));
        }
        let l = crate::watchlist::read_watchlist_csv(text.as_bytes(), "w.csv").unwrap();
        Matcher::new(Watchlist::from_rows(l.rows))
    }

    /// (candidate, expected technique or None when not flagged)
    fn check_all(m: &Matcher, cases: &[(&str, Option<Technique>)]) {
        let mut failures = Vec::new();
        for &(cand, want) in cases {
            let got = match m.check(&crate::parse_domain(cand).unwrap()) {
                Verdict::LookAlike(l) => Some(l.technique),
                _ => None,
            };
            if got != want {
                failures.push(format!("{cand}: want {want:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn weak_generic_names_need_stronger_evidence() {
        // `weather` and `business` are common English words on a bulk list: only
        // the exact name on a TLD anyone buys for any name counts.
        let m = matcher(&[("weather.com", "bulk"), ("business.hr", "bulk")]);
        check_all(
            &m,
            &[
                ("weather.ltd", Some(Technique::OtherSuffix)),
                ("weather.co.com", Some(Technique::FakeSecondLevel)),
                ("weather.org", None),      // legacy TLD
                ("weather.de", None),       // national ccTLD
                ("business.com", None),     // legacy TLD
                ("weatherr.live", None),    // no typos of a word
                ("wheather.live", None),    // no typos of a word
                ("weather-news.com", None), // no affixes
                ("dailyweather.pro", None), // no embedding
                ("weather.example.com", None),
            ],
        );
    }

    #[test]
    fn distinctive_brands_are_still_caught() {
        let rows = [("obozrevatel.com", "bulk"), ("planeta.press", "bulk")];
        // A short user list is taken as reviewed: typos count on any suffix.
        check_all(&matcher(&rows), &[("obozrevatels.com", Some(Technique::Insertion))]);
        let m = matcher_with(&rows, BULK_LIST_MIN);
        check_all(
            &m,
            &[
                ("obozrevatel.ltd", Some(Technique::OtherSuffix)),
                ("obozrevatel.net", Some(Technique::OtherSuffix)),
                ("obozrevatels.live", Some(Technique::Insertion)),
                ("obozrevatel-news.com", Some(Technique::Affix)),
                ("obozrevatelnews.com", Some(Technique::Embedded)),
                // On a bulk list, a typo counts only where names are cheap.
                ("obozrevatels.com", None),
                // A typo that is itself a common word is a name of its own.
                ("planet.live", None),
                ("planetta.live", Some(Technique::Repetition)),
                // Restricted zones: an operation cannot register there.
                ("obozrevatel.gov.ua", None),
            ],
        );
    }

    #[test]
    fn curated_names_are_trusted() {
        // The same names, curated: common words count everywhere, typos on any suffix.
        let m = matcher(&[("forward.com", "curated"), ("obozrevatel.com", "curated")]);
        check_all(
            &m,
            &[
                ("forward.pics", Some(Technique::OtherSuffix)),
                ("forward.org", Some(Technique::OtherSuffix)),
                ("obozrevatels.com", Some(Technique::Insertion)),
            ],
        );
        let bulk = matcher(&[("forward.com", "bulk")]);
        check_all(&bulk, &[("forward.pics", Some(Technique::OtherSuffix)), ("forward.org", None)]);
        // A name shared by a curated outlet and bulk-list outlets points to the curated one.
        let m = matcher(&[("guardian.ng", "bulk"), ("guardian.co.uk", "curated"), ("guardian.co.tt", "bulk")]);
        let Verdict::LookAlike(l) = m.check(&crate::parse_domain("guardian.hair").unwrap()) else { panic!() };
        assert_eq!(m.outlets()[l.outlet as usize].domains[l.domain as usize].domain, "guardian.co.uk");
        assert!(l.score >= 0.9 * 0.95 - 1e-6, "{l:?}");
    }

    #[test]
    fn restricted_suffixes() {
        for s in ["gov", "edu", "mil", "int", "gov.uk", "gouv.fr", "gob.mx", "go.jp", "ac.uk", "edu.au", "gov.ua"] {
            assert!(restricted_suffix(s), "{s}");
        }
        for s in ["com", "de", "co.uk", "com.au", "fm", "ltd", "eu.com"] {
            assert!(!restricted_suffix(s), "{s}");
        }
    }

    #[test]
    fn edits_are_named() {
        for (cand, outlet, t) in [
            ("20minuts", "20minutes", Technique::Omission),
            ("spiegelr", "spiegel", Technique::Insertion),
            ("billd", "bild", Technique::Repetition),
            ("spigeel", "spiegel", Technique::Transposition),
            ("tonlinr", "tonline", Technique::Keyboard),
            ("tonlina", "tonline", Technique::VowelSwap),
            ("tonlinl", "tonline", Technique::Replacement),
        ] {
            assert_eq!(name_edit(cand, outlet), t, "{cand}");
        }
    }
}
