//! Domain names: from a URL or a typed domain to its host, registrable domain,
//! label and public suffix (Public Suffix List, via the `psl` crate), with IDN
//! names converted to ASCII (punycode) for matching and back to Unicode for display.
//!
//! Vocabulary, for `news.bild.de.example.co.uk`:
//! - **host**: `news.bild.de.example.co.uk`
//! - **public suffix**: `co.uk`
//! - **registrable domain**: `example.co.uk` (suffix plus one label)
//! - **label**: `example` (the registrable domain without its suffix)
//! - **subdomain**: `news.bild.de`

use std::fmt;

/// A parsed domain name. All ASCII fields are lower-case; IDN labels are punycode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainName {
    /// The whole host, ASCII.
    pub host: String,
    /// The registrable domain, ASCII.
    pub registrable: String,
    /// The public suffix, ASCII.
    pub suffix: String,
    /// The registrable domain without its suffix, ASCII (`xn--…` for IDN).
    pub label: String,
    /// `label` decoded to Unicode (equal to `label` for ASCII names).
    pub label_unicode: String,
    /// Labels before the registrable domain (empty when none), ASCII.
    pub subdomain: String,
    /// The host decoded to Unicode, for display.
    pub display: String,
    /// False when the suffix is not in the Public Suffix List (an unknown TLD).
    pub known_suffix: bool,
}

/// Why a string is not a domain name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing left after removing scheme, path, port.
    Empty,
    /// An IP address, not a name.
    IpAddress,
    /// IDNA conversion failed or a label has characters a host name cannot have.
    InvalidCharacters,
    /// A label is empty or longer than 63 bytes, or the name is longer than 253.
    BadLength,
    /// The name is a public suffix itself (e.g. `co.uk`) or has a single label.
    NoRegistrableDomain,
}

impl ParseError {
    /// Stable reason code for diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::Empty => "empty_domain",
            ParseError::IpAddress => "ip_address",
            ParseError::InvalidCharacters => "invalid_characters",
            ParseError::BadLength => "bad_length",
            ParseError::NoRegistrableDomain => "no_registrable_domain",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ParseError::Empty => "no host name",
            ParseError::IpAddress => "an IP address, not a domain name",
            ParseError::InvalidCharacters => "characters a host name cannot have",
            ParseError::BadLength => "an empty or too long label",
            ParseError::NoRegistrableDomain => "a public suffix or a single label, not a registrable domain",
        };
        f.write_str(s)
    }
}

impl std::error::Error for ParseError {}

/// The host part of a URL or a bare domain: scheme, user info, port, path, query
/// and fragment removed; defanged forms (`hxxp://`, `[.]`, `(.)`) refanged; trailing
/// dot removed. Does not validate.
///
/// ```
/// use lockstep_domains::host_of;
/// assert_eq!(host_of("https://user@www.Bild.de:443/politik?x=1#y"), "www.Bild.de");
/// assert_eq!(host_of("bild[.]vip"), "bild.vip");
/// ```
pub fn host_of(input: &str) -> String {
    let mut s = input.trim();
    let refanged;
    if s.contains("[.]") || s.contains("(.)") || s.contains("[dot]") {
        refanged = s.replace("[.]", ".").replace("(.)", ".").replace("[dot]", ".");
        s = &refanged;
    }
    if let Some(i) = s.find("://") {
        s = &s[i + 3..];
    } else if let Some(rest) = s.strip_prefix("//") {
        s = rest;
    }
    let end = s.find(['/', '?', '#', '\\']).unwrap_or(s.len());
    s = &s[..end];
    if let Some(i) = s.rfind('@') {
        s = &s[i + 1..];
    }
    if s.starts_with('[') {
        // IPv6 literal: keep it (without the port), parse_domain() rejects it.
        return s[..s.find(']').map_or(s.len(), |i| i + 1)].to_string();
    }
    if let Some(i) = s.rfind(':') {
        if s[i + 1..].bytes().all(|b| b.is_ascii_digit()) {
            s = &s[..i];
        }
    }
    s.trim_end_matches('.').to_string()
}

/// Parses a URL or a domain into a [`DomainName`].
///
/// ```
/// use lockstep_domains::parse_domain;
/// let d = parse_domain("https://news.bild.de.example.co.uk/a").unwrap();
/// assert_eq!(d.registrable, "example.co.uk");
/// assert_eq!(d.label, "example");
/// assert_eq!(d.suffix, "co.uk");
/// assert_eq!(d.subdomain, "news.bild.de");
/// let idn = parse_domain("bіld.de").unwrap(); // Cyrillic і
/// assert!(idn.host.starts_with("xn--"));
/// assert_eq!(parse_domain(&idn.host).unwrap().display, "bіld.de");
/// ```
pub fn parse_domain(input: &str) -> Result<DomainName, ParseError> {
    let host = host_of(input);
    if host.is_empty() {
        return Err(ParseError::Empty);
    }
    if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(ParseError::IpAddress);
    }
    let ascii = if host.is_ascii() {
        let lower = host.to_ascii_lowercase();
        if !lower.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_') {
            return Err(ParseError::InvalidCharacters);
        }
        lower
    } else {
        idna::domain_to_ascii(&host).map_err(|_| ParseError::InvalidCharacters)?
    };
    if ascii.len() > 253 || ascii.split('.').any(|l| l.is_empty() || l.len() > 63) {
        return Err(ParseError::BadLength);
    }
    let domain = psl::domain(ascii.as_bytes()).ok_or(ParseError::NoRegistrableDomain)?;
    let suffix_info = domain.suffix();
    let registrable = std::str::from_utf8(domain.as_bytes()).map_err(|_| ParseError::InvalidCharacters)?;
    let suffix = std::str::from_utf8(suffix_info.as_bytes()).map_err(|_| ParseError::InvalidCharacters)?;
    if registrable.len() <= suffix.len() + 1 {
        return Err(ParseError::NoRegistrableDomain);
    }
    let label = &registrable[..registrable.len() - suffix.len() - 1];
    let subdomain = if ascii.len() > registrable.len() { &ascii[..ascii.len() - registrable.len() - 1] } else { "" };
    let has_idn = ascii.contains("xn--");
    let (display, label_unicode) = if has_idn {
        let (d, _) = idna::domain_to_unicode(&ascii);
        let (l, _) = idna::domain_to_unicode(label);
        (d, l)
    } else {
        (ascii.clone(), label.to_string())
    };
    Ok(DomainName {
        registrable: registrable.to_string(),
        suffix: suffix.to_string(),
        label: label.to_string(),
        label_unicode,
        subdomain: subdomain.to_string(),
        display,
        known_suffix: suffix_info.is_known(),
        host: ascii,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for (input, host) in [
            ("bild.vip", "bild.vip"),
            ("http://bild.vip/", "bild.vip"),
            ("HTTPS://WWW.Spiegel.LTD:8080/x", "WWW.Spiegel.LTD"),
            ("hxxps://washingtonpost[.]pm/politics", "washingtonpost.pm"),
            ("//cdn.example.com/a.js", "cdn.example.com"),
            ("example.com.", "example.com"),
            ("example.com?q=1", "example.com"),
            ("[::1]:80", "[::1]"),
        ] {
            assert_eq!(host_of(input), host, "{input}");
        }
    }

    #[test]
    fn parses() {
        let d = parse_domain("www.theguardian.co.com").unwrap();
        assert_eq!(
            (d.registrable.as_str(), d.label.as_str(), d.suffix.as_str()),
            ("theguardian.co.com", "theguardian", "co.com")
        );
        let d = parse_domain("walla.com.co").unwrap();
        assert_eq!((d.label.as_str(), d.suffix.as_str()), ("walla", "com.co"));
        let d = parse_domain("dailymail.co.uk").unwrap();
        assert_eq!((d.label.as_str(), d.suffix.as_str(), d.subdomain.as_str()), ("dailymail", "co.uk", ""));
        let d = parse_domain("bild.de.example.com").unwrap();
        assert_eq!((d.label.as_str(), d.subdomain.as_str()), ("example", "bild.de"));
        // A Unicode name is converted to punycode; display keeps Unicode.
        let d = parse_domain("https://spіegel.de/").unwrap(); // Cyrillic і
        assert!(d.host.starts_with("xn--"), "{}", d.host);
        assert_eq!(d.display, "spіegel.de");
        assert_eq!(d.label_unicode, "spіegel");
    }

    #[test]
    fn rejects() {
        assert_eq!(parse_domain(""), Err(ParseError::Empty));
        assert_eq!(parse_domain("https:///x"), Err(ParseError::Empty));
        assert_eq!(parse_domain("10.0.0.1"), Err(ParseError::IpAddress));
        assert_eq!(parse_domain("http://[::1]/"), Err(ParseError::IpAddress));
        assert_eq!(parse_domain("co.uk"), Err(ParseError::NoRegistrableDomain));
        assert_eq!(parse_domain("localhost"), Err(ParseError::NoRegistrableDomain));
        assert_eq!(parse_domain("a..com"), Err(ParseError::BadLength));
        assert_eq!(parse_domain("exa mple.com"), Err(ParseError::InvalidCharacters));
    }
}
