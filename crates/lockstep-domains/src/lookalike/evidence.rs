//! The evidence model: a look-alike's score is the product of independent,
//! named factors, each shown in the `why` column.
//!
//! `score = technique × TLD × name × target × behaviour` (capped at 1), where
//! - **technique**: how close the imitation is (the same name on another suffix
//!   0.95, a look-alike character 0.9, a one-letter typo 0.8, an affix 0.75 …);
//! - **TLD**: the abuse profile of where the name was registered ([`TldProfile`]):
//!   fake second levels and TLDs anyone rents for any name (new gTLDs and ccTLDs
//!   sold as generic, `.pw`, `.li`, `.in`, `.eu` …) are where clones live;
//!   `.com/.net/.org` hold many namesakes and an outlet's own other domains; a
//!   national ccTLD holds that country's namesakes;
//! - **name**: how distinctive the imitated name is ([`NameProfile`]): a brand of 5+
//!   letters is strong evidence, a short name less, a common word or a name several
//!   unrelated outlets share much less;
//! - **target**: how likely the name is to be imitated ([`Origin`]): the curated
//!   watchlist first, a user's watchlist, then a popularity list by rank, then hosts
//!   widely shared in the dataset;
//! - **behaviour** (links of a dataset only): shared by a coordinated group, URL
//!   paths in the imitated outlet's own style ([`Behaviour`]).
//!
//! On top of the product, **gates** say when a kind of evidence is not enough on
//! its own (a [`Gate`] caps the score below the default minimum): a common word or
//! a name known only from a popularity list moved to `.com` or to a national
//! ccTLD is most often a namesake or the brand's own domain; a typo of a name
//! nobody curated counts only where names are cheap.

use super::technique::Technique;

/// Where a candidate's name was registered, for the purpose of imitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TldProfile {
    /// A commercial second level that passes for a country or `.com` (`.co.com`, `.com.de`).
    FakeSecondLevel,
    /// One of the cheapest, most abused TLDs (`.ltd`, `.vip`, `.cfd`, `.pw`, `.li`,
    /// `.in`, `.eu`, `.info` …), where clones live.
    Abused,
    /// Another TLD anyone rents for any name: new gTLDs and ccTLDs sold as generic
    /// where brands also run their own services (`.io`, `.app`, `.ai`, `.tv`).
    Rented,
    /// The imitated outlet's own country zone under another second level (`kiev.ua` for `rbc.ua`).
    HomeZone,
    /// `.com`, `.net`, `.org`: namesakes and the brand's own other domains are common.
    Legacy,
    /// Another country's ccTLD: that country's namesakes.
    National,
}

impl TldProfile {
    /// The factor of the model.
    pub fn factor(self) -> f32 {
        match self {
            TldProfile::FakeSecondLevel => 1.0,
            TldProfile::Abused => 0.95,
            TldProfile::Rented => 0.85,
            TldProfile::HomeZone => 0.9,
            TldProfile::Legacy => 0.8,
            TldProfile::National => 0.5,
        }
    }

    /// True where anyone registers any name cheaply.
    pub fn cheap(self) -> bool {
        matches!(self, TldProfile::FakeSecondLevel | TldProfile::Abused | TldProfile::Rented)
    }

    /// True where throw-away domains concentrate (enough for a name nobody reviewed).
    pub fn abused(self) -> bool {
        matches!(self, TldProfile::FakeSecondLevel | TldProfile::Abused)
    }

    fn text(self) -> &'static str {
        match self {
            TldProfile::FakeSecondLevel => "fake second level",
            TldProfile::Abused => "cheap, most abused TLD",
            TldProfile::Rented => "TLD rented to anyone",
            TldProfile::HomeZone => "outlet's own country zone",
            TldProfile::Legacy => "legacy gTLD",
            TldProfile::National => "another country's ccTLD",
        }
    }
}

/// How distinctive the imitated name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProfile {
    /// A brand of 5+ characters.
    Distinctive,
    /// 4 characters.
    Short4,
    /// 3 characters.
    Short3,
    /// 2 characters.
    Short2,
    /// A common word or a building block of names (not curated).
    Weak,
}

impl NameProfile {
    /// The profile of a name of `len` characters, `weak` or not.
    pub fn of(len: usize, weak: bool) -> NameProfile {
        if weak {
            return NameProfile::Weak;
        }
        match len {
            0..=2 => NameProfile::Short2,
            3 => NameProfile::Short3,
            4 => NameProfile::Short4,
            _ => NameProfile::Distinctive,
        }
    }

    /// The factor of the model.
    pub fn factor(self) -> f32 {
        match self {
            NameProfile::Distinctive => 1.0,
            NameProfile::Short4 => 0.9,
            NameProfile::Short3 => 0.8,
            NameProfile::Short2 => 0.6,
            NameProfile::Weak => 0.6,
        }
    }

    fn text(self) -> &'static str {
        match self {
            NameProfile::Distinctive => "distinctive",
            NameProfile::Short4 => "short (4)",
            NameProfile::Short3 => "short (3)",
            NameProfile::Short2 => "short (2)",
            NameProfile::Weak => "common word",
        }
    }
}

/// Where the imitated target comes from: its prior of being imitated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Curated (the built-in watchlist, or a user's rows marked curated).
    Curated,
    /// A user's watchlist of at most [`super::BULK_LIST_MIN`] names.
    Listed,
    /// A bulk watchlist (more names than anyone reviews).
    Bulk,
    /// A popularity list (`--targets`), with its rank.
    Popular(u32),
    /// A host widely shared in the dataset, by that many accounts.
    Shared(u32),
}

impl Origin {
    /// The factor of the model.
    pub fn factor(self) -> f32 {
        match self {
            Origin::Curated | Origin::Listed => 1.0,
            Origin::Bulk => 0.9,
            Origin::Popular(r) if r <= 1_000 => 1.0,
            Origin::Popular(r) if r <= 10_000 => 0.95,
            Origin::Popular(r) if r <= 100_000 => 0.9,
            Origin::Popular(_) => 0.8,
            Origin::Shared(_) => 0.85,
        }
    }

    /// A person chose this name as one operations imitate.
    pub fn reviewed(self) -> bool {
        matches!(self, Origin::Curated | Origin::Listed)
    }

    /// Where the target comes from, in words.
    pub fn describe(self) -> String {
        self.text()
    }

    fn text(self) -> String {
        match self {
            Origin::Curated => "curated watchlist".into(),
            Origin::Listed => "user watchlist".into(),
            Origin::Bulk => "bulk watchlist".into(),
            Origin::Popular(r) => format!("popularity rank {r}"),
            Origin::Shared(a) => format!("shared in the data by {a} accounts"),
        }
    }
}

/// What the links of a dataset add (empty outside a dataset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Behaviour {
    /// Shared by members of a coordinated group (at least two accounts of one group).
    pub coordinated: bool,
    /// Its URL paths follow the imitated outlet's own path style in the same data.
    pub path_mirror: bool,
}

impl Behaviour {
    /// The factor of the model.
    pub fn factor(self) -> f32 {
        let mut f = 1.0;
        if self.coordinated {
            f *= 1.3;
        }
        if self.path_mirror {
            f *= 1.2;
        }
        f
    }

    /// Any behavioural evidence at all.
    pub fn any(self) -> bool {
        self.coordinated || self.path_mirror
    }
}

/// Why a kind of evidence is not enough on its own: the score is capped at
/// [`GATE_CAP`], below the default minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// A common word, not curated, outside a rented TLD or without behaviour.
    WeakName,
    /// A name of at most 4 characters outside a rented TLD or fake second level
    /// (2 characters: outside a fake second level).
    ShortName,
    /// A name nobody reviewed, moved outside the most abused TLDs: most often a
    /// namesake or the brand's own other domain.
    UnreviewedMove,
    /// A typo, hyphenation or transliteration of a name nobody reviewed, unless the
    /// name has 9+ letters and the TLD is one of the most abused.
    UnreviewedTypo,
    /// A look-alike character in a name of 3 characters or fewer (`l`/`i`/`1`).
    ShortSwap,
    /// A name known only from a popularity list, not a news outlet's, a
    /// broadcaster's, a magazine's or an institution's (by its name or suffix): brands use their own name on every TLD (`brand.io`,
    /// `brand.cloud`), so only a homoglyph, a fake second level or coordinated
    /// sharing count.
    PopularBrand,
    /// The same name on `.com/.net/.org`: the outlet's own other domain or a namesake
    /// far more often than a clone (clones rent cheap TLDs or change the name).
    LegacySameName,
    /// A letter added, left out or replaced in a name under 9 letters outside a
    /// rented TLD: on `.com` or a national ccTLD, such a neighbour is most often
    /// another name (`cnsnews`); repetitions, transpositions and vowel swaps keep
    /// the letters and still count.
    ShortTypo,
    /// An outlet's full name on a TLD of its own domains or in its own country
    /// zone: most often the outlet's own domain (`<full name>.ru` beside `<abbr>.ru`).
    OwnName,
}

impl Gate {
    fn text(self) -> &'static str {
        match self {
            Gate::WeakName => "common word needs a rented TLD (or, unreviewed, coordinated sharing)",
            Gate::ShortName => "short name needs a rented TLD or fake second level",
            Gate::UnreviewedMove => "a name nobody reviewed needs one of the most abused TLDs",
            Gate::UnreviewedTypo => "a typo of a name nobody reviewed needs 9+ letters and one of the most abused TLDs",
            Gate::ShortSwap => "look-alike letter in a name of 3 letters or fewer",
            Gate::LegacySameName => "the same name on a legacy gTLD is most often the outlet's own or a namesake",
            Gate::ShortTypo => "a letter added, left out or replaced in a name under 9 letters needs a rented TLD",
            Gate::OwnName => "the outlet's name on its own TLD or country zone is most often its own domain",
            Gate::PopularBrand => {
                "popular brand, not a news outlet, broadcaster, magazine or institution: its own domains are everywhere; needs coordinated sharing"
            }
        }
    }
}

/// The score of a gated candidate.
pub const GATE_CAP: f32 = 0.35;

/// Every factor behind one look-alike's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Strength of the technique.
    pub technique: f32,
    /// TLD profile of the candidate.
    pub tld: TldProfile,
    /// Whether the TLD factor applies (a name moved to another suffix); affixes,
    /// embedded names and subdomains change the name itself.
    pub tld_applies: bool,
    /// Profile of the imitated name.
    pub name: NameProfile,
    /// Outlets sharing the name (more than one: ×0.6).
    pub shared_name: bool,
    /// Where the target comes from.
    pub origin: Origin,
    /// Dataset behaviour.
    pub behaviour: Behaviour,
    /// A gate that capped the score, if any.
    pub gate: Option<Gate>,
}

impl Evidence {
    /// The score: the product of the factors, capped at 1, or [`GATE_CAP`] when gated.
    pub fn score(&self) -> f32 {
        let tld = if self.tld_applies { self.tld.factor() } else { 1.0 };
        let shared = if self.shared_name { 0.6 } else { 1.0 };
        let s = self.technique * tld * self.name.factor() * shared * self.origin.factor() * self.behaviour.factor();
        let s = s.min(1.0);
        match self.gate {
            Some(_) => s.min(GATE_CAP),
            None => s,
        }
    }

    /// The `why` text: technique and target, then each factor. Written with
    /// `push_str` and integer formatting: it is built for every verdict.
    pub fn explain(&self, technique: Technique, target: &str, name: &str, tld: &str) -> String {
        let mut s = String::with_capacity(256);
        s.push_str(technique.as_str());
        s.push_str(" of ");
        s.push_str(target);
        s.push_str(" (");
        s.push_str(name);
        s.push_str("); technique ×");
        push2(&mut s, self.technique);
        s.push_str("; .");
        s.push_str(tld);
        if self.tld_applies {
            s.push_str(": ");
            s.push_str(self.tld.text());
            s.push_str(" ×");
            push2(&mut s, self.tld.factor());
        } else {
            s.push_str(": name changed, TLD not weighed");
        }
        s.push_str("; name ");
        s.push_str(self.name.text());
        s.push_str(" ×");
        push2(&mut s, self.name.factor());
        if self.shared_name {
            s.push_str("; name of several outlets ×0.60");
        }
        s.push_str("; target ");
        match self.origin {
            Origin::Popular(r) => {
                s.push_str("popularity rank ");
                s.push_str(&r.to_string());
            }
            Origin::Shared(a) => {
                s.push_str("shared in the data by ");
                s.push_str(&a.to_string());
                s.push_str(" accounts");
            }
            o => s.push_str(&o.text()),
        }
        s.push_str(" ×");
        push2(&mut s, self.origin.factor());
        if self.behaviour.coordinated {
            s.push_str("; shared by a coordinated group ×1.30");
        }
        if self.behaviour.path_mirror {
            s.push_str("; URL paths in the outlet's style ×1.20");
        }
        if let Some(g) = self.gate {
            s.push_str("; capped at ");
            push2(&mut s, GATE_CAP);
            s.push_str(": ");
            s.push_str(g.text());
        }
        s.push_str("; score ");
        push2(&mut s, self.score());
        s
    }
}

/// Appends `x` (in `[0, 10)`) with two decimals, rounded, without float formatting.
pub fn push2(s: &mut String, x: f32) {
    let h = (x * 100.0).round().max(0.0) as u32;
    s.push(char::from(b'0' + (h / 100 % 10) as u8));
    s.push('.');
    s.push(char::from(b'0' + (h / 10 % 10) as u8));
    s.push(char::from(b'0' + (h % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_of_factors_and_gates() {
        let e = Evidence {
            technique: 0.95,
            tld: TldProfile::Abused,
            tld_applies: true,
            name: NameProfile::Short3,
            shared_name: false,
            origin: Origin::Curated,
            behaviour: Behaviour::default(),
            gate: None,
        };
        assert!((e.score() - 0.95 * 0.95 * 0.8).abs() < 1e-6);
        let gated = Evidence { gate: Some(Gate::ShortName), ..e };
        assert_eq!(gated.score(), GATE_CAP);
        let boosted = Evidence { behaviour: Behaviour { coordinated: true, path_mirror: true }, ..e };
        assert_eq!(boosted.score(), 1.0);
        let why = e.explain(Technique::OtherSuffix, "abc.de", "ABC", "li");
        assert!(
            why.starts_with("other-suffix of abc.de (ABC); technique ×0.95; .li: cheap, most abused TLD ×0.95"),
            "{why}"
        );
        assert!(why.ends_with("score 0.72"), "{why}");
    }
}
