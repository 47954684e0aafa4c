//! One row per technique, with real look-alike domains from public reports
//! (Doppelganger: Meta Sept 2022, EU DisinfoLab, Qurium, VIGINUM, US DOJ Sept 2024)
//! and constructed cases where no public example is known. Checked against the
//! built-in watchlist with no feed: the detector must find them on its own.

use lockstep_domains::{Class, Classifier, Feed, Matcher, Watchlist};

fn classifier() -> Classifier {
    Classifier::new(Feed::new(), Matcher::new(Watchlist::builtin()))
}

/// (input, expected imitated outlet domain, expected technique)
const LOOKALIKES: &[(&str, &str, &str)] = &[
    // same name on another suffix (Doppelganger)
    ("bild.vip", "bild.de", "other-suffix"),
    ("spiegel.ltd", "spiegel.de", "other-suffix"),
    ("washingtonpost.pm", "washingtonpost.com", "other-suffix"),
    ("faz.ltd", "faz.net", "other-suffix"),
    ("https://www.welt.tours/politik/article1.html", "welt.de", "other-suffix"),
    ("nato.ws", "nato.int", "other-suffix"),
    // fake second levels
    ("theguardian.co.com", "theguardian.com", "fake-second-level"),
    ("bild.eu.com", "bild.de", "fake-second-level"),
    ("walla.com.co", "walla.co.il", "fake-second-level"),
    ("reuters.uk.net", "reuters.com", "fake-second-level"),
    // hyphenation
    ("fox-news.top", "foxnews.com", "hyphenation"),
    ("tonline.life", "t-online.de", "hyphenation"),
    ("kyiv-post.info", "kyivpost.com", "hyphenation"),
    // typos on any suffix
    ("20minuts.com", "20minutes.fr", "omission"),
    ("spiegelr.today", "spiegel.de", "insertion"),
    ("obozrevatels.com", "obozrevatel.com", "insertion"),
    ("spiegeel.de", "spiegel.de", "repetition"),
    ("spigeel.com", "spiegel.de", "transposition"),
    ("t-onlinr.live", "t-online.de", "keyboard"),
    ("lemonda.fr", "lemonde.fr", "vowel-swap"),
    ("t-onlinl.life", "t-online.de", "replacement"),
    // ASCII look-alike characters: l/i/1, rn/m, 0/o
    ("blld.live", "bild.de", "char-swap"),
    ("delfl.cc", "delfi.lt", "char-swap"),
    ("lernonde.fr", "lemonde.fr", "char-swap"),
    ("spiege1.de", "spiegel.de", "char-swap"),
    // IDN homoglyphs (Cyrillic і and а), punycode input shown decoded
    ("spіegel.de", "spiegel.de", "idn-homoglyph"),
    ("hааretz.com", "haaretz.com", "idn-homoglyph"),
    // affixes
    ("pravda-ua.com", "pravda.com.ua", "affix"),
    ("ua-pravda.net", "pravda.com.ua", "affix"),
    ("kyivpost-news.com", "kyivpost.com", "affix"),
    // inside a longer label
    ("washingtonpostnews.com", "washingtonpost.com", "embedded"),
    // subdomains
    ("bild.de.example.com", "bild.de", "subdomain"),
    ("diplomatie.gouv.fm", "diplomatie.gouv.fr", "suffix-mirror"),
    ("https://washingtonpost.politics-today.xyz/a", "washingtonpost.com", "subdomain"),
];

#[test]
fn every_technique_on_real_examples() {
    let c = classifier();
    let mut failures = Vec::new();
    for &(input, outlet_domain, technique) in LOOKALIKES {
        let got = c.classify(input);
        if got.class != Class::LookAlike || got.outlet_domain != outlet_domain || got.technique != technique {
            failures.push(format!(
                "{input}: want {outlet_domain} {technique}, got {} {} {} {:?}",
                got.class.as_str(),
                got.outlet_domain,
                got.technique,
                got.score
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn idn_is_shown_decoded() {
    let c = classifier();
    let puny = lockstep_domains::parse_domain("spіegel.de").unwrap().host;
    let got = c.classify(&format!("https://{puny}/x"));
    assert_eq!(got.domain, "spіegel.de");
    assert_eq!(got.technique, "idn-homoglyph");
}

#[test]
fn own_and_sibling_domains_are_never_flagged() {
    let c = classifier();
    for d in [
        "bild.de",
        "www.spiegel.de",
        "ynetnews.com",
        "ynet.co.il",
        "dailymail.com",
        "news.sky.com",
        "rainews.it",
        "diplomatie.gouv.fr",
        "foxbusiness.com",
    ] {
        let got = c.classify(d);
        assert_eq!(got.class, Class::Clean, "{d}: {got:?}");
        assert!(got.note.starts_with("own domain of"), "{d}: {got:?}");
    }
}

#[test]
fn short_labels_do_not_flood() {
    // Ordinary domains whose labels are close to short outlet labels (faz, dw, wp,
    // bund, welt, bild, orf) or contain them.
    let c = classifier();
    for d in [
        "faz.de",
        "fax.com",
        "dw.org",
        "wp.com",
        "bund.com",
        "bunt.de",
        "welt.com",
        "weltbild.de",
        "bildungsserver.de",
        "build.com",
        "bird.org",
        "wild.de",
        "orf.net",
        "golf.de",
        "google.com",
        "wikipedia.org",
        "timeout.com",
        "bundesliga.de",
        "forwarder.com",
        "spiel.de",
        "sky.de",
    ] {
        let got = c.classify(d);
        assert_ne!(got.class, Class::LookAlike, "{d}: {got:?}");
    }
}

#[test]
fn known_feed_takes_precedence_and_keeps_provenance() {
    let c = Classifier::new(Feed::builtin(), Matcher::new(Watchlist::builtin()));
    let got = c.classify("https://washingtonpost.pm/politics/2024/x");
    assert_eq!(got.class, Class::Known);
    assert_eq!(got.operation, "Doppelganger");
    assert!(got.source.contains("Justice"), "{got:?}");
    assert_eq!(got.first_reported, "2024-09-04");
    // The look-alike is still described.
    assert_eq!((got.outlet_domain.as_str(), got.technique.as_str()), ("washingtonpost.com", "other-suffix"));
    assert_eq!(c.classify("not a domain").class, Class::Invalid);
}

#[test]
fn affixes_and_embedded_names_need_a_news_like_rest() {
    let c = classifier();
    for (d, flagged) in [
        ("spiegel-online.info", true),
        ("spiegel-24.com", true),
        ("bild-24.com", false),    // names under 5 letters take no affixes
        ("delfi-news.com", false), // 5 letters: only a code or a number
        ("delfi-lt.com", true),
        ("lemondeactualite.info", true),
        ("sport-express.ru", false),
        ("cdn-bild.com", false),
        ("thomsonreuters.com", false),
        ("dataliberation.org", false),
    ] {
        assert_eq!(c.classify(d).class == Class::LookAlike, flagged, "{d}: {:?}", c.classify(d));
    }
}
