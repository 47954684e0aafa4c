//! Suffix tables: fake second levels, ccTLDs sold as generic, restricted
//! suffixes, legacy TLDs, and how much a suffix lends to a look-alike.

/// Commercial second-level zones that pass for a country or `.com` (`bild.eu.com`,
/// `theguardian.co.com`, `walla.com.co`).
pub const FAKE_SECOND_LEVELS: &[&str] = &[
    "co.com", "eu.com", "us.com", "uk.com", "gb.com", "de.com", "ru.com", "sa.com", "za.com", "br.com", "cn.com",
    "jpn.com", "uk.net", "gb.net", "in.net", "us.org", "com.de", "com.co", "net.co", "nom.co", "com.se",
];

/// Country-code TLDs sold worldwide as generic names or rented cheaply in bulk
/// (`.ws` "website", `.cc`, `.tv`, `.me`, `.in`, `.pe`, `.eu`, `.wf`, `.cx`, `.li`,
/// `.fm`, `.pw` …): a name there says nothing about the country, so the same name
/// there is not a national namesake. Influence operations used them heavily
/// (`lsm.li`, `washingtonpost.pm`, `diplomatie.gouv.fm`).
pub(crate) const GENERIC_CCTLDS: &[&str] = &[
    "ws", "cc", "tv", "me", "io", "co", "pm", "fm", "am", "to", "la", "gg", "ly", "sh", "ai", "bz", "nu", "vc", "pw",
    "so", "su", "tk", "ml", "ga", "cf", "gq", "in", "pe", "eu", "wf", "cx", "li", "re", "yt", "tf", "ac", "sx", "gs",
    "ms", "nf", "st", "tl", "cm", "mn", "cd", "vg", "im", "lc", "ag", "sc", "mu", "je", "ki", "nr",
];

/// Legacy generic TLDs sold cheaply to anyone, abused like the new ones.
pub(crate) const CHEAP_LEGACY_TLDS: &[&str] = &["info", "biz"];

/// The cheapest TLDs, where throw-away domains concentrate (the most abused TLDs
/// of public abuse reports: Spamhaus, Interisle's phishing landscape) and where
/// the clone campaigns of the known lists registered theirs (`.ltd`, `.vip`,
/// `.pics`, `.cfd`, `.cam`, `.hair`, `.click`, `.homes`, `.pm`, `.ws`, `.li` …).
/// Other new gTLDs and generic ccTLDs (`.io`, `.app`, `.dev`, `.ai`, `.tv`) are
/// where brands run their own services: a popular brand's name there is most often
/// its own domain.
pub(crate) const ABUSED_TLDS: &[&str] = &[
    "ltd", "vip", "pics", "cfd", "cam", "hair", "red", "click", "homes", "salon", "fun", "agency", "work", "pro",
    "life", "live", "today", "online", "asia", "llc", "tours", "media", "top", "xyz", "site", "website", "space",
    "store", "shop", "icu", "buzz", "sbs", "cyou", "bond", "rest", "monster", "quest", "support", "best", "world",
    "news", "press", "info", "biz", "lol", "mom", "beauty", "skin", "makeup", "quest", "uno", "ws", "pm", "me", "cc",
    "pw", "li", "fm", "in", "pe", "eu", "wf", "cx", "su", "tk", "ml", "ga", "cf", "gq", "re", "yt", "tf",
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
