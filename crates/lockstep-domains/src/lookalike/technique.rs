//! The techniques a look-alike uses, with their names in outputs.

use serde::Serialize;

/// How a domain imitates an outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Technique {
    /// The outlet's name on another suffix (`bild.vip` for `bild.de`).
    OtherSuffix,
    /// The outlet's name on a commercial fake second level (`theguardian.co.com`).
    FakeSecondLevel,
    /// Hyphens added or removed (`fox-news`, `tonline`).
    Hyphenation,
    /// A letter left out (`20minuts`).
    Omission,
    /// A letter added (`spiegelr`).
    Insertion,
    /// A letter doubled (`billd`).
    Repetition,
    /// Two neighbouring letters swapped (`spigeel`).
    Transposition,
    /// A letter replaced by a keyboard neighbour (`t-onlinr`).
    Keyboard,
    /// A vowel replaced by another vowel.
    VowelSwap,
    /// A letter replaced by another.
    Replacement,
    /// ASCII characters that look alike: l/i/1, rn/m, 0/o, vv/w (`blld`, `delfl`).
    CharSwap,
    /// Non-ASCII look-alike characters (IDN; shown decoded).
    IdnHomoglyph,
    /// The name as one hyphenated part of a longer label (`pravda-ua`, `ua-pravda`).
    Affix,
    /// The name inside a longer label (`lemondeactualite`).
    Embedded,
    /// The name in a subdomain (`bild.de.example.com`).
    Subdomain,
    /// An institution's name and second level kept, the TLD changed
    /// (`diplomatie.gouv.fm` for `diplomatie.gouv.fr`).
    SuffixMirror,
    /// The name as spelt in another script or language (`rbk` for `rbc`; Cyrillic
    /// `рбк`; `x`/`ks`, `w`/`v`, `c`/`k`).
    Transliteration,
    /// One of the outlet's names as the label: the watchlist's `name` column
    /// (`dertagesspiegel` for Der Tagesspiegel) or a shipped full, official or
    /// former name ([`super::names::OUTLET_NAMES_CSV`]: `nrchandelsblad` for `nrc.nl`).
    OutletName,
    /// A letter added with a hyphen (`bild-e`, `e-bild`).
    HyphenInsertion,
}

impl Technique {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::OtherSuffix => "other-suffix",
            Technique::FakeSecondLevel => "fake-second-level",
            Technique::Hyphenation => "hyphenation",
            Technique::Omission => "omission",
            Technique::Insertion => "insertion",
            Technique::Repetition => "repetition",
            Technique::Transposition => "transposition",
            Technique::Keyboard => "keyboard",
            Technique::VowelSwap => "vowel-swap",
            Technique::Replacement => "replacement",
            Technique::CharSwap => "char-swap",
            Technique::IdnHomoglyph => "idn-homoglyph",
            Technique::Affix => "affix",
            Technique::Embedded => "embedded",
            Technique::Subdomain => "subdomain",
            Technique::SuffixMirror => "suffix-mirror",
            Technique::Transliteration => "transliteration",
            Technique::OutletName => "outlet-name",
            Technique::HyphenInsertion => "hyphen-insertion",
        }
    }
}

impl Technique {
    /// A typo of the name (one edit of what was typed, or a hyphenation).
    pub fn is_typo(self) -> bool {
        matches!(
            self,
            Technique::Omission
                | Technique::Insertion
                | Technique::Repetition
                | Technique::Transposition
                | Technique::Keyboard
                | Technique::VowelSwap
                | Technique::Replacement
                | Technique::HyphenInsertion
        )
    }
}

impl std::fmt::Display for Technique {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
