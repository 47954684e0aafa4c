//! The look-alike detector: is a domain imitating a target (an outlet of the
//! watchlist, a popular domain, a host widely shared in the data)?
//!
//! Matching is **indexed**, not generate-then-lookup: the targets' labels are
//! folded and put in hash indexes once; each candidate costs a few dozen hash
//! look-ups whatever the number of targets.
//!
//! **Folding** ([`fold`]) maps a label to the form a reader sees: Unicode
//! confusables skeleton (UTS #39, via `unicode-security`) for non-ASCII labels,
//! accents dropped, lower case, then the ASCII look-alikes `i`/`1`/`|` → `l`,
//! `0` → `o`, `q` → `g`, `rn` → `m`, `vv` → `w`. The **compact** form also drops hyphens.
//!
//! **Targets** ([`Origin`]): the watchlist's outlets (curated ones first, then a
//! user's), the domains of a popularity list (`--targets`, the Tranco layout;
//! domains with the same label are one target and its siblings), hosts widely
//! shared in a dataset ([`crate::fusion`]). Every target domain is an **own**
//! domain: never flagged. A domain under a public suffix (`diplomatie.gouv.fr`) is
//! a target by its label.
//!
//! Indexes, built by [`Matcher::new`]:
//! - `keys`: compact label → the target domains with that label;
//! - `deletes`: SymSpell's deletion neighbourhood of compact labels of 7+ characters;
//! - `translit`: transliteration skeleton ([`translit_skeleton`]) → key;
//! - `aliases`: an outlet's names, compact: the `name` column of reviewed outlets
//!   (`dertagesspiegel`) and, for any target, the shipped full, official and former
//!   names of [`names::OUTLET_NAMES_CSV`] (`nrchandelsblad` for `nrc.nl`);
//! - `own`: every target domain.
//!
//! Checks on a candidate, each giving a [`Technique`] and an [`Evidence`]; the
//! best score wins, ties go to the target listed first:
//! 1. the same compact label: IDN homoglyph, ASCII look-alike character, hyphenation,
//!    fake second level, the same name on another suffix; else the same
//!    transliteration skeleton, or an outlet's full name;
//! 2. typos: one edit of a 7+ character name (found through `deletes`), and for
//!    names of 3 to 6 characters the doubled last letter and a letter added with a
//!    hyphen;
//! 3. affix: a hyphen-separated run of parts is a target's label and the rest is
//!    news-like (`pravda-ua`, `kyivpost-news`);
//! 4. embedded: a target's label inside a longer label with a news-like rest
//!    (`washingtonpostnews`, `dertagesspiegel`);
//! 5. subdomain: a label before the registrable domain is a target's label
//!    (`bild.de.example.com`), or an institution's label and second level with
//!    another TLD (`diplomatie.gouv.fm`, `bmi.bund.pe`).
//!
//! The score is the evidence model of [`evidence`]: technique × TLD abuse profile ×
//! distinctiveness of the name × the target's prior × behaviour, with gates for
//! evidence that is not enough on its own. Every factor is explained
//! ([`Matcher::explain`]). Restricted suffixes ([`restricted_suffix`]: `.gov`,
//! `.edu`, `gov.uk`, `ac.uk` …) are never look-alikes.

use crate::distinct::{generic_components, word_level};
use crate::domain::DomainName;
use crate::watchlist::CURATED_SOURCE;
use crate::watchlist::{Outlet, Watchlist, POPULAR_SOURCE, SHARED_SOURCE};
use hashbrown::{HashMap, HashSet};
use std::hash::BuildHasher;

mod edits;
pub mod evidence;
mod fold;
pub mod names;
mod news;
mod suffixes;
mod technique;
mod translit;

pub use edits::osa_distance;
use edits::*;
pub use evidence::{Behaviour, Evidence, Gate, NameProfile, Origin, TldProfile};
pub use fold::{compact, fold};
use news::*;
use suffixes::*;
pub use suffixes::{restricted_suffix, FAKE_SECOND_LEVELS};
pub use technique::Technique;
pub use translit::translit_skeleton;

/// Minimum length of an outlet label found inside a longer label.
pub const EMBED_MIN: usize = 7;
/// Number of names (not curated, not from a popularity list) above which a
/// watchlist is a **bulk list**: more than anyone reviews ([`Origin::Bulk`]).
pub const BULK_LIST_MIN: usize = 1000;
/// Default minimum score of a reported look-alike.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;
pub use names::ALIAS_MIN;

/// A look-alike found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookAlike {
    /// Index of the outlet in [`Matcher::outlets`].
    pub outlet: u32,
    /// Index of the imitated domain in that outlet's `domains`.
    pub domain: u32,
    /// How.
    pub technique: Technique,
    /// Confidence in `[0, 1]`: `evidence.score()`.
    pub score: f32,
    /// The factors behind the score.
    pub evidence: Evidence,
}

/// What the matcher says about a domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// One of the targets' own domains (or a host under one).
    Own {
        /// Outlet index.
        outlet: u32,
    },
    /// Imitates a target.
    LookAlike(LookAlike),
    /// The closest imitation found scores below the minimum.
    Below(LookAlike),
    /// Nothing found.
    NoMatch,
}

#[derive(Debug, Clone)]
struct Key {
    /// Compact folded label.
    compact: Box<str>,
    /// (outlet, domain index) pairs, best origin first, then in list order.
    refs: Vec<(u32, u32)>,
    /// Number of distinct outlets with this label, counted among the best
    /// origins present (curated over listed over popular: a person's review
    /// supersedes a bulk list; a popularity list's same-label domains are one target).
    outlets: u32,
    /// A common word or building block of names ([`crate::distinct`]), not
    /// curated: it needs stronger evidence.
    weak: bool,
    /// A common word or building block, curated or not: never found inside a
    /// longer name (`hkexpress`, `sport-mirror`).
    word: bool,
}

/// The indexed targets.
#[derive(Debug, Clone)]
pub struct Matcher {
    outlets: Vec<Outlet>,
    origins: Vec<Origin>,
    /// Per outlet: not only a popular site, but a news outlet or an institution
    /// (every outlet of a watchlist; popular ones by their name or suffix).
    notable: Vec<bool>,
    own: HashMap<Box<str>, u32>,
    keys: Vec<Key>,
    key_of: HashMap<Box<str>, u32>,
    /// Keys of each deletion variant, grouped: `delete_keys[start..start + len]`
    /// for `deletes[hash] = (start, len)`.
    deletes: HashMap<u64, (u32, u32)>,
    delete_keys: Vec<u32>,
    /// Transliteration skeleton → key (distinctive names of 3+ characters; the first key wins).
    translit: HashMap<Box<str>, u32>,
    /// An outlet's name, compact → the outlet it names.
    aliases: HashMap<Box<str>, Alias>,
    hasher: foldhash::fast::FixedState,
    min_score: f32,
    /// [`NEWS_AFFIXES`], folded.
    affixes: Vec<String>,
    /// Building blocks of the targets' names, as written ([`crate::distinct::generic_components`]).
    components: HashSet<Box<str>>,
}

fn origin_of(o: &Outlet, bulk: bool) -> Origin {
    let sources = || o.source.split(';');
    if sources().any(|s| s == CURATED_SOURCE) {
        Origin::Curated
    } else if let Some(a) = sources().find_map(|s| s.strip_prefix(SHARED_SOURCE)) {
        Origin::Shared(a.trim_start_matches(':').parse().unwrap_or(0))
    } else if sources().any(|s| s == POPULAR_SOURCE) {
        // Only from a popularity list: a listed outlet that also ranks keeps its origin.
        Origin::Popular(o.rank)
    } else if bulk {
        Origin::Bulk
    } else {
        Origin::Listed
    }
}

/// An outlet's name used as a target label.
#[derive(Debug, Clone)]
struct Alias {
    outlet: u32,
    domain: u32,
    /// The name as written (for the `why` column).
    name: Box<str>,
}

impl Matcher {
    /// Indexes a watchlist (which may hold popularity-list and shared-host targets).
    pub fn new(watchlist: Watchlist) -> Matcher {
        let hasher = foldhash::fast::FixedState::with_seed(0x6c6f636b);
        // Bulk: more than BULK_LIST_MIN user names nobody curated.
        let listed: HashSet<&str> = watchlist
            .outlets
            .iter()
            .filter(|o| matches!(origin_of(o, false), Origin::Listed))
            .flat_map(|o| o.domains.iter().map(|d| d.label.as_str()))
            .collect();
        let bulk = listed.len() > BULK_LIST_MIN;
        drop(listed);
        let origins: Vec<Origin> = watchlist.outlets.iter().map(|o| origin_of(o, bulk)).collect();

        let mut own = HashMap::new();
        let mut keys: Vec<Key> = Vec::new();
        let mut key_of: HashMap<Box<str>, u32> = HashMap::new();
        for (oi, o) in watchlist.outlets.iter().enumerate() {
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
                        weak: false,
                        word: false,
                    });
                    keys.len() as u32 - 1
                });
                keys[k as usize].refs.push((oi as u32, di as u32));
            }
        }
        // Best origin first (stable: list order within an origin), and the number
        // of outlets among the best kind present.
        let tier = |o: Origin| match o {
            Origin::Curated => 0,
            Origin::Listed | Origin::Bulk => 1,
            Origin::Popular(_) => 2,
            Origin::Shared(_) => 3,
        };
        for key in &mut keys {
            let rank = |oi: u32| match watchlist.outlets[oi as usize].rank {
                0 => u32::MAX,
                r => r,
            };
            key.refs.sort_by_key(|&(oi, _)| (tier(origins[oi as usize]), rank(oi)));
            let best = tier(origins[key.refs[0].0 as usize]);
            // Among outlets of the best kind, a popular one dominates unknown namesakes.
            let ranked = rank(key.refs[0].0) != u32::MAX;
            let mut outlets: Vec<u32> = key
                .refs
                .iter()
                .map(|&(oi, _)| oi)
                .filter(|&oi| tier(origins[oi as usize]) == best && (!ranked || rank(oi) != u32::MAX))
                .collect();
            outlets.dedup();
            outlets.sort_unstable();
            outlets.dedup();
            // A popularity list's same-label domains are one brand.
            key.outlets = if best >= 2 { 1 } else { outlets.len() as u32 };
        }
        // Distinctiveness: curated names are trusted; others are weak when they are
        // common English words or building blocks of the targets' names.
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
            key.word = key.refs.iter().any(|&(oi, di)| {
                let raw = raw_label(oi, di);
                word_level(&raw).is_some() || components.contains(raw.as_str())
            });
            key.weak = key.word && origins[key.refs[0].0 as usize] != Origin::Curated;
        }
        // News outlets, broadcasters, magazines and institutions among the
        // targets (by name words or a government suffix): what operations imitate.
        let notable: Vec<bool> = watchlist
            .outlets
            .iter()
            .zip(&origins)
            .map(|(o, origin)| {
                !matches!(origin, Origin::Popular(_))
                    || o.domains.iter().any(|d| restricted_suffix(&d.suffix) || notable_name(&d.label))
            })
            .collect();

        let mut deletes = Vec::new();
        let mut buf = Vec::new();
        let mut translit: HashMap<Box<str>, u32> = HashMap::new();
        for (k, key) in keys.iter().enumerate() {
            // Reviewed names only: among thousands of names nobody reviewed, another
            // spelling of one is most often a name of its own.
            if !key.weak && key.compact.chars().count() >= 3 && origins[key.refs[0].0 as usize].reviewed() {
                let (oi, di) = key.refs[0];
                let t = translit_skeleton(&watchlist.outlets[oi as usize].domains[di as usize].label);
                if !t.is_empty() {
                    translit.entry(t.into_boxed_str()).or_insert(k as u32);
                }
            }
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
        // Names as aliases: the `name` column of reviewed outlets only (a bulk
        // list's names are too often the label of another site), and the shipped
        // names of any target's domain (reviewed facts); distinctive, not a label
        // already. The first outlet naming an alias keeps it.
        let shipped = names::shipped_names();
        let mut aliases: HashMap<Box<str>, Alias> = HashMap::new();
        for (oi, o) in watchlist.outlets.iter().enumerate() {
            let mut named: Vec<(u32, &str)> = Vec::new();
            if origins[oi].reviewed() {
                named.push((0, o.name.as_str()));
            }
            for (di, d) in o.domains.iter().enumerate() {
                for n in shipped.get(d.domain.as_str()).into_iter().flatten() {
                    named.push((di as u32, n));
                }
            }
            for (di, n) in named {
                for a in names::aliases_of(n) {
                    if key_of.contains_key(a.as_str()) || word_level(&a).is_some() || components.contains(a.as_str()) {
                        continue;
                    }
                    aliases.entry(a.into_boxed_str()).or_insert(Alias {
                        outlet: oi as u32,
                        domain: di,
                        name: n.into(),
                    });
                }
            }
        }
        Matcher {
            outlets: watchlist.outlets,
            origins,
            notable,
            own,
            keys,
            key_of,
            deletes: groups,
            delete_keys,
            translit,
            aliases,
            hasher,
            min_score: DEFAULT_MIN_SCORE,
            affixes: NEWS_AFFIXES.iter().map(|a| fold(a)).collect(),
            components,
        }
    }

    /// Sets the minimum score of a reported look-alike (default [`DEFAULT_MIN_SCORE`]).
    pub fn with_min_score(mut self, min_score: f32) -> Matcher {
        self.min_score = min_score;
        self
    }

    /// The minimum score of a reported look-alike.
    pub fn min_score(&self) -> f32 {
        self.min_score
    }

    /// The outlets, indexed by [`LookAlike::outlet`].
    pub fn outlets(&self) -> &[Outlet] {
        &self.outlets
    }

    /// The origin of each outlet, indexed like [`Matcher::outlets`].
    pub fn origin(&self, outlet: u32) -> Origin {
        self.origins[outlet as usize]
    }

    /// Number of deletion variants indexed (for the record).
    pub fn index_size(&self) -> usize {
        self.delete_keys.len()
    }

    /// The `why` text of a look-alike of `d`.
    pub fn explain(&self, l: &LookAlike, d: &DomainName) -> String {
        let o = &self.outlets[l.outlet as usize];
        let (target, _) = idna::domain_to_unicode(&o.domains[l.domain as usize].domain);
        let tld = d.suffix.rsplit('.').next().unwrap_or("");
        // An outlet's name: say which.
        let alias = (l.technique == Technique::OutletName)
            .then(|| self.aliases.get(compact(&fold(&d.label_unicode)).as_str()))
            .flatten()
            .filter(|a| a.outlet == l.outlet);
        let name = alias.map_or(o.name.as_str(), |a| &a.name);
        l.evidence.explain(l.technique, &target, name, tld)
    }

    /// Checks one domain, with no behavioural evidence.
    pub fn check(&self, d: &DomainName) -> Verdict {
        self.check_with(d, Behaviour::default())
    }

    /// Checks one domain with what a dataset says about it.
    pub fn check_with(&self, d: &DomainName, behaviour: Behaviour) -> Verdict {
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
        let raw_first = raw.chars().next();
        // A candidate that is itself a common word or a building block of names is a
        // name of its own, not a typo (`office`, `online`, `stripe`).
        let cand_generic = word_level(&raw).is_some() || self.components.contains(raw.as_str());
        // The candidate's TLD profile, once (only "the outlet's own zone" depends on the outlet).
        let base_tld = tld_profile(&d.suffix, "");
        let ctx = Ctx { d, named: false, behaviour, base_tld };

        // 1. Same compact label.
        if let Some(&k) = self.key_of.get(c.as_str()) {
            let key = &self.keys[k as usize];
            let (oi, di) = self.pick(key, &d.suffix);
            let od = &self.outlets[oi as usize].domains[di as usize];
            let o_raw = compact(&od.label.to_lowercase());
            let (technique, strength) = if idn && od.label.is_ascii() {
                (Technique::IdnHomoglyph, 0.95)
            } else if idn {
                // Both in a non-Latin script: letters of one script, not a disguise.
                (Technique::CharSwap, 0.9)
            } else if raw != o_raw {
                (Technique::CharSwap, 0.9)
            } else if d.label_unicode.to_lowercase() != od.label.to_lowercase() {
                (Technique::Hyphenation, 0.85)
            } else if FAKE_SECOND_LEVELS.contains(&d.suffix.as_str()) {
                (Technique::FakeSecondLevel, 0.95)
            } else {
                (Technique::OtherSuffix, 0.95)
            };
            offer(self.weigh(&ctx, key, oi, di, technique, strength, true));
        }
        {
            // Transliteration: the same skeleton, another spelling (`rbk.media` for
            // RBC-Ukraine's `rbc.ua`, even though `rbk.ru` exists: the better evidence wins).
            let t = if self.translit.is_empty() { String::new() } else { translit_skeleton(&d.label_unicode) };
            if let Some(&k) = self.translit.get(t.as_str()).filter(|_| !t.is_empty()) {
                let key = &self.keys[k as usize];
                // Not a mere doubled letter (`planetta`): that is a typo.
                let undoubled = |s: &str| {
                    let mut v: Vec<char> = s.chars().collect();
                    v.dedup();
                    v
                };
                if undoubled(&key.compact) != undoubled(&c) {
                    let (oi, di) = self.pick(key, &d.suffix);
                    offer(self.weigh(&ctx, key, oi, di, Technique::Transliteration, 0.85, true));
                }
            }
            // An outlet's name as the label: a reviewed name (a reviewed outlet's
            // `name`, or a shipped fact), weighed like a reviewed target.
            if let Some(a) = self.aliases.get(c.as_str()) {
                let (oi, di) = (a.outlet, a.domain);
                let od = &self.outlets[oi as usize].domains[di as usize];
                let key = &self.keys[self.key_of[compact(&fold(&od.label)).as_str()] as usize];
                let named = Ctx { named: true, ..ctx };
                let mut l = self.weigh(&named, key, oi, di, Technique::OutletName, 0.9, true);
                // The alias is distinctive on its own (its length), whatever the
                // label's, and names one outlet even when its label is shared
                // (`nrc.nl`, `nrc.no`).
                l.evidence.name = NameProfile::Distinctive;
                l.evidence.shared_name = false;
                l.evidence.gate = l.evidence.gate.filter(|g| *g != Gate::ShortName && *g != Gate::ShortSwap);
                l.score = l.evidence.score();
                offer(l);
            }
        }

        // 2. Typos of names of 7+ characters: one edit of what was typed (not
        // folded: `ibtimes` is two edits from `latimes`), keeping the first letter,
        // which anchors recognition (`online` does not imitate `t-online`).
        // Where the gates leave a typo of a name nobody reviewed no chance (fewer
        // than 9 letters, or not on one of the most abused TLDs), it is not weighed.
        let cand_abused = base_tld.abused();
        if c.is_ascii() && c.len() >= 5 && !cand_generic {
            for (k, _) in self.near_keys(&c) {
                let key = &self.keys[k as usize];
                let reviewed = self.origins[key.refs[0].0 as usize].reviewed();
                if key.weak || !(reviewed || behaviour.coordinated || (cand_abused && key.compact.len() >= 9)) {
                    continue;
                }
                let (oi, di) = self.pick(key, &d.suffix);
                let od = &self.outlets[oi as usize].domains[di as usize];
                let o_raw = compact(&od.label.to_lowercase());
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
                    // A digit added, removed or changed (not a look-alike one, which
                    // folding catches) makes another name: `fox4news`, `abc7news` are
                    // local stations, `site2698` is not `site1698`.
                    let digits = |s: &str| s.bytes().filter(u8::is_ascii_digit).collect::<Vec<u8>>();
                    if t != Technique::CharSwap && digits(&raw) != digits(&o_raw) {
                        continue;
                    }
                    t
                };
                let strength = 0.8;
                offer(self.weigh(&ctx, key, oi, di, technique, strength, true));
            }
        }
        // Typos of short names (3 to 6 characters), which one-edit matching would
        // flood: only the doubled last letter (`bildd`) and a letter added with a
        // hyphen (`bild-e`, `e-bild`).
        if c.is_ascii() && (4..=7).contains(&c.len()) && !cand_generic {
            let b = c.as_bytes();
            let mut tries: Vec<(&str, Technique)> = Vec::new();
            if b[b.len() - 1] == b[b.len() - 2] {
                tries.push((&c[..c.len() - 1], Technique::Repetition));
            }
            if let Some((l, r)) = folded.split_once('-') {
                if r.len() == 1 && !r.contains('-') {
                    tries.push((&c[..c.len() - 1], Technique::HyphenInsertion));
                } else if l.len() == 1 {
                    tries.push((&c[1..], Technique::HyphenInsertion));
                }
            }
            for (name, technique) in tries {
                let Some(&k) = self.key_of.get(name) else { continue };
                let key = &self.keys[k as usize];
                if key.weak || !(3..=6).contains(&key.compact.len()) {
                    continue;
                }
                let (oi, di) = self.pick(key, &d.suffix);
                offer(self.weigh(&ctx, key, oi, di, technique, 0.8, true));
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
                    let n = span.chars().count();
                    if n < 5 {
                        continue;
                    }
                    // The rest must be a code (ua, de, 24) or a news word: `pravda-ua`,
                    // `kyivpost-news`, not `sport-express` or `cdn-kaspi`. A brand of
                    // 5 letters only with a code or a number (`delfi-lt`, not
                    // `delfi-express`); shorter ones take no affixes.
                    let rest = || parts[..i].iter().chain(&parts[j..]);
                    if !rest().all(|p| news_like(p)) || (n <= 5 && !rest().all(|p| code_like(p))) {
                        continue;
                    }
                    if let Some(&k) = self.key_of.get(span.as_str()) {
                        let key = &self.keys[k as usize];
                        if key.word {
                            continue;
                        }
                        let (oi, di) = key.refs[0];
                        offer(self.weigh(&ctx, key, oi, di, Technique::Affix, 0.75, false));
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
                if key.word {
                    return false;
                }
                let (oi, di) = key.refs[0];
                let strength = if news_like(&c[..l]) && news_like(&c[n - r..]) { 0.6 } else { 0.4 };
                offer(self.weigh(&ctx, key, oi, di, Technique::Embedded, strength, false));
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
                // What follows the label: the rest of the subdomain and the registrable domain.
                let tail = d.host[d.host.len() - d.registrable.len()..].to_string();
                let tail = if i + 1 < labels.len() { format!("{}.{tail}", labels[i + 1..].join(".")) } else { tail };
                let strip_tld = |s: &str| s.rsplit_once('.').map(|(a, _)| a.to_string());
                let suffix_of = |&(oi, di): &(u32, u32)| self.outlets[oi as usize].domains[di as usize].suffix.clone();
                // The outlet's whole suffix after the name: `bild.de.example.com`.
                let full = key.refs.iter().find(|r| {
                    let s = suffix_of(r);
                    !s.is_empty() && (tail == s || tail.starts_with(&format!("{s}.")))
                });
                // Its second level kept, the TLD changed: `diplomatie.gouv.fm`.
                let mirror = key.refs.iter().find(|r| {
                    let s = suffix_of(r);
                    s.contains('.')
                        && strip_tld(&s) == strip_tld(&tail)
                        && tail.split('.').count() == s.split('.').count()
                });
                let len = key.compact.chars().count();
                if let Some(&(oi, di)) = mirror {
                    let mut l = self.weigh(&ctx, key, oi, di, Technique::SuffixMirror, 0.95, true);
                    // The institution's second level is the evidence, not the name's length.
                    l.evidence.gate = l.evidence.gate.filter(|g| *g != Gate::ShortName);
                    l.score = l.evidence.score();
                    offer(l);
                } else if let Some(&(oi, di)) = full {
                    let mut l = self.weigh(&ctx, key, oi, di, Technique::Subdomain, 0.9, false);
                    l.evidence.gate = l.evidence.gate.filter(|g| *g != Gate::ShortName);
                    l.score = l.evidence.score();
                    offer(l);
                } else if len >= 6 && !key.word {
                    let (oi, di) = key.refs[0];
                    offer(self.weigh(&ctx, key, oi, di, Technique::Subdomain, 0.6, false));
                }
            }
        }

        match best {
            Some(b) if b.score >= self.min_score => Verdict::LookAlike(b),
            Some(b) => Verdict::Below(b),
            None => Verdict::NoMatch,
        }
    }

    /// The evidence for one candidate match (see [`evidence`]): the factors and the gates.
    #[allow(clippy::too_many_arguments)]
    fn weigh(
        &self,
        ctx: &Ctx<'_>,
        key: &Key,
        oi: u32,
        di: u32,
        technique: Technique,
        strength: f32,
        name_level: bool,
    ) -> LookAlike {
        let d = ctx.d;
        let od = &self.outlets[oi as usize].domains[di as usize];
        let origin = self.origins[oi as usize];
        let len = key.compact.chars().count();
        let name = NameProfile::of(len, key.weak);
        let cand_tld = d.suffix.rsplit('.').next().unwrap_or("");
        let tld = if ctx.base_tld == TldProfile::National
            && cand_tld.len() == 2
            && od.suffix.rsplit('.').next() == Some(cand_tld)
        {
            TldProfile::HomeZone
        } else {
            ctx.base_tld
        };
        // Nothing moved: a variant on the outlet's own suffix is not weighed by it.
        let moved = od.suffix != d.suffix;
        let tld_applies =
            technique != Technique::IdnHomoglyph && name_level && moved || technique == Technique::SuffixMirror;
        let cheap = tld.cheap();
        let abused = tld.abused();
        let reviewed = origin.reviewed() || ctx.named;
        let b = ctx.behaviour;
        let strong = matches!(technique, Technique::IdnHomoglyph | Technique::SuffixMirror)
            || (technique == Technique::FakeSecondLevel && tld == TldProfile::FakeSecondLevel);
        let ranked = self.outlets[oi as usize].rank > 0;
        let swap_like = matches!(technique, Technique::OtherSuffix | Technique::Hyphenation | Technique::CharSwap);
        let own_tld = || {
            tld == TldProfile::HomeZone
                || self.outlets[oi as usize].domains.iter().any(|o| o.suffix.rsplit('.').next() == Some(cand_tld))
        };
        let gate = if technique == Technique::IdnHomoglyph {
            None
        } else if technique == Technique::OutletName && !b.coordinated && own_tld() {
            Some(Gate::OwnName)
        } else if matches!(origin, Origin::Popular(_))
            && !ctx.named
            && !strong
            && !b.coordinated
            && !(self.notable[oi as usize] && abused && name == NameProfile::Distinctive && len >= 6 && swap_like)
        {
            Some(Gate::PopularBrand)
        } else if technique == Technique::OtherSuffix && tld == TldProfile::Legacy && !b.coordinated {
            Some(Gate::LegacySameName)
        } else if matches!(
            technique,
            Technique::Keyboard | Technique::Replacement | Technique::Insertion | Technique::Omission
        ) && !cheap
            && len < 9
            && !b.coordinated
        {
            Some(Gate::ShortTypo)
        } else if key.weak
            && (!name_level
                || !swap_like && technique != Technique::FakeSecondLevel
                || !cheap
                || !(reviewed || b.coordinated))
        {
            Some(Gate::WeakName)
        } else if name_level
            && len <= 4
            && ((len <= 2 && tld != TldProfile::FakeSecondLevel)
                || !(cheap || (reviewed && tld == TldProfile::HomeZone && technique == Technique::Transliteration))
                || !(reviewed || (origin == Origin::Bulk && abused && ranked) || b.any()))
        {
            Some(Gate::ShortName)
        } else if technique == Technique::CharSwap && len <= 3 {
            Some(Gate::ShortSwap)
        } else if !reviewed
            && (technique.is_typo() || matches!(technique, Technique::Hyphenation | Technique::Transliteration))
            && !(abused && len >= 9)
            && !b.coordinated
        {
            Some(Gate::UnreviewedTypo)
        } else if !reviewed
            && ((name_level && moved && !abused && !(b.coordinated && tld == TldProfile::Legacy))
                || (technique == Technique::Subdomain && strength < 0.9 && !abused))
        {
            Some(Gate::UnreviewedMove)
        } else {
            None
        };
        let evidence = Evidence {
            technique: strength,
            tld,
            tld_applies,
            name,
            shared_name: key.outlets >= 2,
            origin,
            behaviour: b,
            gate,
        };
        LookAlike { outlet: oi, domain: di, technique, score: evidence.score(), evidence }
    }

    /// The outlet domain of a key to report: the one on the candidate's suffix
    /// (`haaretz.com` for `hааretz.com`) among the best origin, else the first.
    fn pick(&self, key: &Key, suffix: &str) -> (u32, u32) {
        let first = self.origins[key.refs[0].0 as usize];
        key.refs
            .iter()
            .copied()
            .take_while(|&(oi, _)| self.origins[oi as usize] == first)
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

/// What every check of one candidate shares.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    d: &'a DomainName,
    /// The match is on a reviewed name of the outlet: weighed as reviewed, and a
    /// popular site with a reviewed name is a target like a listed outlet.
    named: bool,
    behaviour: Behaviour,
    /// [`tld_profile`] of the candidate's suffix against no outlet.
    base_tld: TldProfile,
}

/// The TLD profile of a candidate's suffix, relative to the imitated outlet's suffix.
pub fn tld_profile(suffix: &str, outlet_suffix: &str) -> TldProfile {
    use std::sync::OnceLock;
    static SETS: OnceLock<[HashSet<&'static str>; 3]> = OnceLock::new();
    let [abused, rented, legacy] = SETS.get_or_init(|| {
        let set = |l: &[&'static str]| l.iter().copied().collect::<HashSet<&'static str>>();
        [set(ABUSED_TLDS), set(&[GENERIC_CCTLDS, CHEAP_LEGACY_TLDS].concat()), set(LEGACY_TLDS)]
    });
    let tld = suffix.rsplit('.').next().unwrap_or("");
    let outlet_tld = outlet_suffix.rsplit('.').next().unwrap_or("");
    // `com.co` is Colombia's own commercial zone (under `.co`, sold as generic).
    if tld != "co" && suffix.contains('.') && FAKE_SECOND_LEVELS.contains(&suffix) {
        TldProfile::FakeSecondLevel
    } else if abused.contains(tld) {
        TldProfile::Abused
    } else if rented.contains(tld) || (tld.len() > 2 && !legacy.contains(tld)) {
        TldProfile::Rented
    } else if tld.len() == 2 && tld == outlet_tld {
        TldProfile::HomeZone
    } else if legacy.contains(tld) {
        TldProfile::Legacy
    } else {
        TldProfile::National
    }
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
                // Nobody reviewed a bulk list's names: on .com/.net/.org or a national
                // ccTLD, the same name is most often a namesake or the outlet's own.
                ("obozrevatel.net", None),
                ("obozrevatels.live", Some(Technique::Insertion)),
                ("obozrevatel-news.com", Some(Technique::Affix)),
                ("obozrevatelnews.com", Some(Technique::Embedded)),
                // On a bulk list, a typo counts only where names are cheap.
                ("obozrevatels.com", None),
                // A typo that is itself a common word is a name of its own.
                ("planet.live", None),
                // A typo of a name nobody reviewed needs 9+ letters (`obozrevatels.live` above).
                ("planetta.live", None),
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
                // The same name on a legacy gTLD: the outlet's own or a namesake.
                ("forward.org", None),
                ("forward-news.com", None), // a common word: never inside a longer name
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
