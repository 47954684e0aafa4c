//! Suffix tables: fake second levels, ccTLDs sold as generic, restricted
//! suffixes, legacy TLDs, and how much a suffix lends to a look-alike.

/// Commercial second-level zones that pass for a country or `.com` (`bild.eu.com`,
/// `theguardian.co.com`, `walla.com.co`).
pub const FAKE_SECOND_LEVELS: &[&str] = &[
    "co.com", "eu.com", "us.com", "uk.com", "gb.com", "de.com", "ru.com", "sa.com", "za.com", "br.com", "cn.com",
    "jpn.com", "uk.net", "gb.net", "in.net", "us.org", "com.de", "com.co", "net.co", "nom.co", "com.se",
];

/// Country-code TLDs sold as generic names (`.ws` "website", `.cc`, `.tv`, `.me` …).
pub(crate) const GENERIC_CCTLDS: &[&str] = &[
    "ws", "cc", "tv", "me", "io", "co", "pm", "fm", "am", "to", "la", "gg", "ly", "sh", "ai", "bz", "nu", "vc", "pw",
    "so", "su", "tk", "ml", "ga", "cf", "gq",
];

/// Top-level domains whose names only vetted registrants get (US government,
/// education, military; treaty organisations).
pub(crate) const RESTRICTED_TLDS: &[&str] = &["gov", "edu", "mil", "int"];

/// Second levels of country-code TLDs reserved to governments, schools and the
/// military (`gov.uk`, `gouv.fr`, `gob.mx`, `go.jp`, `ac.uk`, `edu.au`, `mil.br`).
pub(crate) const RESTRICTED_SECOND_LEVELS: &[&str] = &["gov", "gouv", "gob", "govt", "go", "gv", "edu", "ac", "mil"];

/// True when names under `suffix` are given only to vetted registrants: an
/// operation cannot register a look-alike there, so a match is a namesake
/// (`defence.gov.au`, `kingston.ac.uk`, `weather.gov`).
pub fn restricted_suffix(suffix: &str) -> bool {
    let mut labels = suffix.rsplit('.');
    let tld = labels.next().unwrap_or("");
    RESTRICTED_TLDS.contains(&tld)
        || (tld.len() == 2 && labels.next().is_some_and(|sld| RESTRICTED_SECOND_LEVELS.contains(&sld)))
}

/// Top-level domains in use long before the new generic TLDs.
pub(crate) const LEGACY_TLDS: &[&str] = &["com", "net", "org", "edu", "gov", "mil", "int", "info", "biz"];

/// Score factor of the suffix a name was moved to: fake second levels and TLDs
/// anyone buys for any name are suspect; a national ccTLD often has a legitimate
/// namesake (`gazeta.ru`, `focus.cn`).
pub(crate) fn suffix_factor(suffix: &str) -> f32 {
    let tld = suffix.rsplit('.').next().unwrap_or("");
    if FAKE_SECOND_LEVELS.contains(&suffix) {
        1.0
    } else if GENERIC_CCTLDS.contains(&tld) || (tld.len() > 2 && !LEGACY_TLDS.contains(&tld)) {
        0.95
    } else if LEGACY_TLDS.contains(&tld) {
        0.8
    } else {
        0.5
    }
}
