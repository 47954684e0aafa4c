//! URL canonicalisation and registrable domains. The rules, in the order they
//! are applied, are numbered in [`canonical_url`] and in docs/method.md.

use url::{Host, Url};

/// A canonical URL and whether its host is a known link shortener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalUrl {
    /// The canonical form (always `https://…`).
    pub url: String,
    /// The host is in [`SHORTENERS`]: the link stands for another one that is not
    /// known without fetching it (which Lockstep never does).
    pub shortened: bool,
}

impl CanonicalUrl {
    /// The host of the canonical URL (lowercase, punycode; `[…]` for IPv6).
    pub fn host(&self) -> &str {
        let rest = self.url.strip_prefix("https://").unwrap_or(&self.url);
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        if authority.starts_with('[') {
            return authority.find(']').map_or(authority, |i| &authority[..=i]);
        }
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    }

    /// The registrable domain ([`registrable_domain`] of [`CanonicalUrl::host`]);
    /// `None` for a shortened link, whose real domain is unknown.
    pub fn domain(&self) -> Option<String> {
        if self.shortened {
            return None;
        }
        let host = self.host();
        if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
            return Some(host.to_string());
        }
        Some(psl::domain_str(host).unwrap_or(host).to_string())
    }
}

/// Hosts of link shorteners (after canonicalisation). Links on them are kept
/// as they are (path case included) and marked [`CanonicalUrl::shortened`].
pub const SHORTENERS: &[&str] = &[
    "t.co",
    "bit.ly",
    "bitly.com",
    "j.mp",
    "buff.ly",
    "ow.ly",
    "tinyurl.com",
    "goo.gl",
    "dlvr.it",
    "ift.tt",
    "fb.me",
    "trib.al",
    "is.gd",
    "lnkd.in",
    "t.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "v.gd",
    "bl.ink",
    "soo.gd",
    "s.id",
    "t.me",
    "wp.me",
    "amzn.to",
    "youtu.be",
    "flip.it",
    "po.st",
    "shar.es",
    "su.pr",
    "hubs.ly",
    "tr.im",
    "qr.ae",
];

/// Query parameters dropped as tracking (compared case-insensitively); every
/// `utm_*` parameter is dropped too.
pub const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "igshid",
    "igsh",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "rb_clickid",
    "s_cid",
    "ref_src",
    "ref_url",
    "amp",
];

/// Subdomain labels that name a mobile or AMP edition of the same site.
const EDITION_LABELS: &[&str] = &["m", "mobile", "amp"];

/// Whether `host` (canonical: lowercase, punycode) is a known link shortener.
pub fn is_shortener(host: &str) -> bool {
    SHORTENERS.contains(&host)
}

/// The canonical form of a link, or `None` when it is not an `http`/`https`
/// URL with a host. The rules, in order:
///
/// 1. Surrounding whitespace is removed; a link without a scheme (`example.com/a`,
///    `//example.com/a`) is read as `http://…`.
/// 2. It is parsed by the WHATWG URL standard (the `url` crate): scheme and host
///    are lowercased, an internationalised host becomes punycode (IDNA/UTS 46),
///    a default port (`:80` for http, `:443` for https) is dropped, an empty path
///    becomes `/`, dot segments are resolved, unsafe characters are
///    percent-encoded. Only `http` and `https` are accepted.
/// 3. The scheme becomes `https` (the same page is linked either way).
/// 4. A trailing dot of the host is dropped.
/// 5. AMP cache links (`*.cdn.ampproject.org/c/s/HOST/PATH`, `www.google.com/amp/s/HOST/PATH`)
///    become `https://HOST/PATH`, then go through these rules again.
/// 6. A leading `www.` label is dropped, and so is any `m.`, `mobile.` or `amp.`
///    label of the subdomain (`en.m.wikipedia.org` → `en.wikipedia.org`) — but
///    never a label of the registrable domain itself (`m.me` stays).
/// 7. A trailing `/amp` path segment is dropped (`/story/amp/` → `/story/`,
///    `/amp` → `/`).
/// 8. The fragment (`#…`) is dropped.
/// 9. Tracking parameters are dropped from the query: every `utm_*` and those in
///    `TRACKING_PARAMS`; empty `&&` pieces too. The remaining parameters are
///    sorted by name (stably, so repeated names keep their order); their
///    encoding is left as written. An empty query is removed with its `?`.
/// 10. A host in [`SHORTENERS`] marks the link as shortened; nothing is fetched.
///
/// The path's case, its trailing slash and its percent-escapes are kept: servers
/// may treat them as different pages.
pub fn canonical_url(raw: &str) -> Option<CanonicalUrl> {
    canonical_inner(raw, 0)
}

fn canonical_inner(raw: &str, depth: u8) -> Option<CanonicalUrl> {
    // Rule 1.
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let owned;
    let s = if has_scheme(s) {
        s
    } else {
        owned = if let Some(rest) = s.strip_prefix("//") { format!("http://{rest}") } else { format!("http://{s}") };
        &owned
    };
    // Rule 2.
    let mut url = Url::parse(s).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    // Rule 3.
    if url.scheme() == "http" {
        url.set_scheme("https").ok()?;
    }
    let host = match url.host()? {
        Host::Domain(d) => d.trim_end_matches('.').to_string(),
        Host::Ipv4(_) | Host::Ipv6(_) => {
            return Some(finish(url, false));
        }
    };
    if host.is_empty() {
        return None;
    }
    // Rule 5.
    if depth == 0 {
        let path = url.path();
        let inner = if host.ends_with(".cdn.ampproject.org") {
            path.strip_prefix("/c/s/").or_else(|| path.strip_prefix("/v/s/"))
        } else if host == "www.google.com" || host == "google.com" {
            path.strip_prefix("/amp/s/")
        } else {
            None
        };
        if let Some(inner) = inner.filter(|i| !i.is_empty()) {
            let mut target = format!("https://{inner}");
            if let Some(q) = url.query() {
                target.push('?');
                target.push_str(q);
            }
            if let Some(c) = canonical_inner(&target, 1) {
                return Some(c);
            }
        }
    }
    // Rules 4 and 6.
    // To a fixed point: dropping a label can expose another (`www.www.x`).
    let mut host = host;
    for _ in 0..8 {
        let next = strip_edition_labels(&host);
        if next == host {
            break;
        }
        host = next;
    }
    if url.host_str() != Some(host.as_str()) {
        url.set_host(Some(&host)).ok()?;
    }
    // Rule 7.
    let mut path = url.path().to_string();
    let before = path.len();
    loop {
        let trimmed = path.strip_suffix("/amp/").or_else(|| path.strip_suffix("/amp"));
        match trimmed {
            Some(t) => path = format!("{t}/"),
            None => break,
        }
        if path == "//" {
            path = "/".into();
        }
    }
    if path.len() != before {
        url.set_path(&path);
    }
    let shortened = is_shortener(&host);
    Some(finish(url, shortened))
}

/// Rules 8 and 9.
fn finish(mut url: Url, shortened: bool) -> CanonicalUrl {
    url.set_fragment(None);
    if let Some(q) = url.query() {
        let mut kept: Vec<&str> = q.split('&').filter(|p| !p.is_empty() && !is_tracking(p)).collect();
        kept.sort_by(|a, b| param_name(a).cmp(param_name(b)));
        let joined = kept.join("&");
        url.set_query(if joined.is_empty() { None } else { Some(&joined) });
    }
    CanonicalUrl { url: url.into(), shortened }
}

fn param_name(p: &str) -> &str {
    p.split_once('=').map_or(p, |(k, _)| k)
}

fn is_tracking(p: &str) -> bool {
    let name = param_name(p);
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING_PARAMS.contains(&lower.as_str())
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 0 => {
            let scheme = &s[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                // `example.com:8080/a` is a host and port, not a scheme.
                && !s[i + 1..].starts_with(|c: char| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// Rule 6 on a lowercase host.
fn strip_edition_labels(host: &str) -> String {
    let reg = psl::domain_str(host).unwrap_or(host);
    if reg.len() >= host.len() {
        return host.to_string();
    }
    // The subdomain part, without the dot before the registrable domain.
    let sub = &host[..host.len() - reg.len() - 1];
    let mut labels: Vec<&str> = sub.split('.').collect();
    if labels.first() == Some(&"www") {
        labels.remove(0);
    }
    labels.retain(|l| !EDITION_LABELS.contains(l));
    if labels.is_empty() {
        reg.to_string()
    } else {
        format!("{}.{reg}", labels.join("."))
    }
}

/// The registrable domain of a host by the Public Suffix List (the list
/// embedded in the `psl` crate, ICANN and private sections): `news.bbc.co.uk` →
/// `bbc.co.uk`, `user.github.io` → `user.github.io`. The host is first
/// lowercased and IDNA-encoded; an IP address is its own domain; a host that is
/// only a public suffix, or has an unknown one-label name, is returned whole.
/// `None` when the host is not a valid host name.
///
/// ```
/// use lockstep_normalize::registrable_domain;
/// assert_eq!(registrable_domain("WWW.Example.COM").as_deref(), Some("example.com"));
/// assert_eq!(registrable_domain("bücher.de").as_deref(), Some("xn--bcher-kva.de"));
/// assert_eq!(registrable_domain("192.0.2.1").as_deref(), Some("192.0.2.1"));
/// ```
pub fn registrable_domain(host: &str) -> Option<String> {
    let parsed = Host::parse(host.trim().trim_end_matches('.')).ok()?;
    Some(match parsed {
        Host::Domain(d) => psl::domain_str(&d).unwrap_or(&d).to_string(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => format!("[{ip}]"),
    })
}

/// The registrable domain of a link (see [`registrable_domain`]); `None` for a
/// link that [`canonical_url`] rejects and for shortened links, whose real
/// domain is unknown.
///
/// ```
/// use lockstep_normalize::url_domain;
/// assert_eq!(url_domain("https://m.facebook.com/story.php?id=1").as_deref(), Some("facebook.com"));
/// assert_eq!(url_domain("https://t.co/abc"), None);
/// ```
pub fn url_domain(raw: &str) -> Option<String> {
    canonical_url(raw)?.domain()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each row: input, expected canonical form (None: rejected), shortened.
    fn check(rows: &[(&str, Option<&str>, bool)]) {
        for (input, expected, short) in rows {
            let got = canonical_url(input);
            assert_eq!(got.as_ref().map(|c| c.url.as_str()), *expected, "input {input:?}");
            if let Some(c) = got {
                assert_eq!(c.shortened, *short, "shortened flag of {input:?}");
                let host = Url::parse(&c.url).unwrap().host_str().unwrap().to_string();
                assert_eq!(c.host(), host, "host of {input:?}");
                if !c.shortened {
                    assert_eq!(c.domain(), registrable_domain(&host), "domain of {input:?}");
                }
                assert_eq!(canonical_url(&c.url).as_ref(), Some(&c), "not idempotent on {input:?}");
            }
        }
    }

    #[test]
    fn rule_by_rule() {
        check(&[
            // 1. whitespace, missing scheme
            ("  https://example.com/a  ", Some("https://example.com/a"), false),
            ("example.com/a", Some("https://example.com/a"), false),
            ("//example.com/a", Some("https://example.com/a"), false),
            ("example.com:8080/a", Some("https://example.com:8080/a"), false),
            // 2. case, IDN, ports, empty path, dot segments, encoding, schemes
            ("HTTPS://EXAMPLE.COM/Path", Some("https://example.com/Path"), false),
            ("https://bücher.de/ä", Some("https://xn--bcher-kva.de/%C3%A4"), false),
            ("https://example.com:443/", Some("https://example.com/"), false),
            ("http://example.com:80/x", Some("https://example.com/x"), false),
            ("https://example.com:8443/x", Some("https://example.com:8443/x"), false),
            ("https://example.com", Some("https://example.com/"), false),
            ("https://example.com/a/../b/./c", Some("https://example.com/b/c"), false),
            ("https://example.com/a b", Some("https://example.com/a%20b"), false),
            ("mailto:bob@example.com", None, false),
            ("ftp://example.com/f", None, false),
            ("javascript:alert(1)", None, false),
            ("https://", None, false),
            ("", None, false),
            // 3. scheme
            ("http://example.com/a", Some("https://example.com/a"), false),
            // 4. trailing dot
            ("https://example.com./a", Some("https://example.com/a"), false),
            // 5. AMP caches
            (
                "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/1/amp?utm_source=x",
                Some("https://example.com/news/1/"),
                false,
            ),
            ("https://www.google.com/amp/s/m.example.com/a", Some("https://example.com/a"), false),
            // 6. www, mobile and AMP labels
            ("https://www.example.com/", Some("https://example.com/"), false),
            ("https://m.facebook.com/story.php?id=1", Some("https://facebook.com/story.php?id=1"), false),
            ("https://mobile.twitter.com/a", Some("https://twitter.com/a"), false),
            ("https://amp.theguardian.com/world", Some("https://theguardian.com/world"), false),
            ("https://en.m.wikipedia.org/wiki/X", Some("https://en.wikipedia.org/wiki/X"), false),
            ("https://www.m.example.co.uk/", Some("https://example.co.uk/"), false),
            ("https://m.me/page", Some("https://m.me/page"), false),
            ("https://www.co.uk/", Some("https://www.co.uk/"), false),
            ("https://news.www.example.com/", Some("https://news.www.example.com/"), false),
            // Found by the `normalize` fuzz target: labels exposed by dropping one.
            ("https://www.www.example.com/", Some("https://example.com/"), false),
            ("/WWW.WWW..bsk-.bE", Some("https://.bsk-.be/"), false),
            // 7. AMP paths
            ("https://example.com/story/amp", Some("https://example.com/story/"), false),
            ("https://example.com/story/amp/", Some("https://example.com/story/"), false),
            ("https://example.com/amp", Some("https://example.com/"), false),
            ("https://example.com/amplifier", Some("https://example.com/amplifier"), false),
            // 8. fragments
            ("https://example.com/a#section-2", Some("https://example.com/a"), false),
            ("https://example.com/#", Some("https://example.com/"), false),
            // 9. tracking parameters, sorting
            (
                "https://example.com/a?utm_source=tw&utm_MEDIUM=x&id=5&fbclid=abc",
                Some("https://example.com/a?id=5"),
                false,
            ),
            ("https://example.com/a?b=2&a=1&a=0", Some("https://example.com/a?a=1&a=0&b=2"), false),
            ("https://example.com/a?gclid=1&igshid=2&mc_cid=3&mc_eid=4", Some("https://example.com/a"), false),
            ("https://example.com/a?&&x=1&", Some("https://example.com/a?x=1"), false),
            ("https://example.com/a?amp=1", Some("https://example.com/a"), false),
            ("https://example.com/a?q=a%20b", Some("https://example.com/a?q=a%20b"), false),
            ("https://example.com/a?", Some("https://example.com/a"), false),
            // 10. shorteners
            ("https://t.co/AbCdE", Some("https://t.co/AbCdE"), true),
            ("http://bit.ly/3xYz?utm_source=x", Some("https://bit.ly/3xYz"), true),
            ("https://www.bit.ly/3xYz", Some("https://bit.ly/3xYz"), true),
            // IP hosts
            ("http://192.0.2.1:80/a#x", Some("https://192.0.2.1/a"), false),
            ("http://[2001:db8::1]/", Some("https://[2001:db8::1]/"), false),
        ]);
    }

    #[test]
    fn domains() {
        for (host, expected) in [
            ("news.bbc.co.uk", Some("bbc.co.uk")),
            ("example.com", Some("example.com")),
            ("a.b.example.com.", Some("example.com")),
            ("user.github.io", Some("user.github.io")),
            ("co.uk", Some("co.uk")),
            ("localhost", Some("localhost")),
            ("ПРЕЗИДЕНТ.РФ", Some("xn--d1abbgf6aiiy.xn--p1ai")),
            ("[::1]", Some("[::1]")),
            ("exa mple.com", None),
        ] {
            assert_eq!(registrable_domain(host).as_deref(), expected, "{host}");
        }
        assert_eq!(url_domain("https://www.rt.com/news/1").as_deref(), Some("rt.com"));
        assert_eq!(url_domain("bit.ly/x"), None);
        assert_eq!(url_domain("not a url"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn idempotent_on_structured_urls(
            scheme in prop::sample::select(vec!["http", "https", "HTTP", ""]),
            sub in prop::sample::select(vec!["", "www.", "m.", "www.m.", "amp.", "en.m.", "mobile.", "a.b."]),
            name in "[a-zA-Z0-9-]{1,12}",
            tld in prop::sample::select(vec!["com", "co.uk", "de", "github.io", "xn--p1ai", "com."]),
            port in prop::sample::select(vec!["", ":80", ":443", ":8080"]),
            path in "(/[a-zA-Z0-9._~%-]{0,6}){0,4}(/amp)?/?",
            query in prop::collection::vec(("(utm_[a-z]{1,4}|fbclid|[a-z]{1,3}|amp)", "[a-zA-Z0-9%+]{0,4}"), 0..4),
            fragment in "(#[a-z]{0,4})?",
        ) {
            let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let q = if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) };
            let sep = if scheme.is_empty() { "" } else { "://" };
            let raw = format!("{scheme}{sep}{sub}{name}.{tld}{port}{path}{q}{fragment}");
            if let Some(c) = canonical_url(&raw) {
                prop_assert_eq!(canonical_url(&c.url), Some(c.clone()), "raw {}", raw);
            }
        }

        #[test]
        fn idempotent_on_any_text(raw in "\\PC{0,40}") {
            if let Some(c) = canonical_url(&raw) {
                prop_assert_eq!(canonical_url(&c.url), Some(c.clone()), "raw {:?}", raw);
            }
        }

        #[test]
        fn text_rules_idempotent(raw in "\\PC{0,60}") {
            for f in [crate::text, crate::hashtag, crate::mention] {
                if let Some(once) = f(&raw) {
                    prop_assert_eq!(f(&once), Some(once.clone()), "raw {:?}", raw);
                }
            }
        }
    }
}
