//! Hashtags, mentions and texts.

use std::borrow::Cow;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// NFKC, borrowing when the text is already in NFKC (always for ASCII).
fn nfkc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfkc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfkc().collect())
    }
}

/// NFKC, then lowercase, then NFKC again (lowercasing can leave a string that
/// NFKC would still change, so the second pass keeps the result idempotent).
fn fold(s: &str) -> String {
    let n = nfkc(s);
    if n.is_ascii() {
        return n.to_ascii_lowercase();
    }
    let lower = n.to_lowercase();
    if let Cow::Owned(again) = nfkc(&lower) {
        return again;
    }
    lower
}

/// Every run of whitespace as one space, none at the ends (a copy only when
/// that changes something).
fn collapse(s: String) -> String {
    let clean = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.chars().any(|c| c != ' ' && c.is_whitespace());
    if clean {
        s
    } else {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// [`hashtag`] and [`mention`]: folded, leading `sign`s and surrounding
/// whitespace removed. For ASCII, folding is ASCII lowercasing, which leaves the
/// signs and whitespace alone, so it is done last on the trimmed part only.
fn signed_name(raw: &str, sign: char) -> Option<String> {
    fn trim(s: &str, sign: char) -> &str {
        s.trim_start_matches(|c: char| c == sign || c.is_whitespace()).trim_end()
    }
    let s = if raw.is_ascii() { trim(raw, sign).to_ascii_lowercase() } else { trim(&fold(raw), sign).to_owned() };
    (!s.is_empty()).then_some(s)
}

/// `t` starts with the ASCII `prefix`, ignoring ASCII case.
fn starts_with_ci(t: &str, prefix: &str) -> bool {
    t.len() >= prefix.len() && t.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// A hashtag's canonical form: NFKC (full-width `＃ＭＡＧＡ` becomes `#MAGA`),
/// leading `#` signs and surrounding whitespace removed, lowercased (Unicode
/// lowercase mapping; not full case folding, so `ß` stays `ß`). `None` when
/// nothing is left.
///
/// ```
/// use lockstep_normalize::hashtag;
/// assert_eq!(hashtag("#Brexit").as_deref(), Some("brexit"));
/// assert_eq!(hashtag("  ##").as_deref(), None);
/// ```
pub fn hashtag(raw: &str) -> Option<String> {
    signed_name(raw, '#')
}

/// A mentioned account's canonical form: like [`hashtag`] with a leading `@`
/// removed instead of `#` (user names are case-insensitive on the platforms
/// Lockstep reads). A Mastodon `user@instance` keeps its instance.
///
/// ```
/// use lockstep_normalize::mention;
/// assert_eq!(mention("@TEN_GOP").as_deref(), Some("ten_gop"));
/// assert_eq!(mention("@Alice@Mastodon.Social").as_deref(), Some("alice@mastodon.social"));
/// ```
pub fn mention(raw: &str) -> Option<String> {
    signed_name(raw, '@')
}

/// A post's text for the `text` kind, so that copies of one message match:
///
/// 1. NFKC (compatibility forms, full-width letters);
/// 2. leading retweet prefixes `RT @name:` removed (repeatedly: `RT @a: RT @b: x` → `x`);
/// 3. links removed: every whitespace-separated token starting with `http://`,
///    `https://` or `www.` (links are their own kind, and t.co links differ per post);
/// 4. mentions removed: `@name` (letters, digits, `_`, inner `.` and `-` as in the
///    Bluesky handle `@bob.bsky.social`, and for Mastodon `@name@host`) at the start of a
///    token or after a character that is not a letter, digit or `_`;
/// 5. lowercased;
/// 6. every run of whitespace becomes one space; leading and trailing space removed.
///
/// Hashtags, punctuation and emoji are kept. `None` when nothing is left (a
/// post of only links and mentions has no text object).
///
/// ```
/// use lockstep_normalize::text;
/// assert_eq!(text("RT @a: RT @b: Vote\n\nNOW! #tag @c https://t.co/x").as_deref(), Some("vote now! #tag"));
/// assert_eq!(text("mail me at bob@example.com").as_deref(), Some("mail me at bob@example.com"));
/// assert_eq!(text("@a https://x.org").as_deref(), None);
/// ```
pub fn text(raw: &str) -> Option<String> {
    let mut out = strip(raw);
    // `out` is already one space between non-empty tokens, none at the ends.
    if out.is_ascii() {
        // Folding is ASCII lowercasing, which adds no whitespace.
        out.make_ascii_lowercase();
        return (!out.is_empty()).then_some(out);
    }
    // NFKC after lowercasing can give whitespace (U+00A8 `¨` is a space and a
    // combining mark), so collapse again.
    let collapsed = collapse(fold(&out));
    (!collapsed.is_empty()).then_some(collapsed)
}

/// Steps 1–4 of [`text`]: NFKC, retweet prefixes, links and mentions removed;
/// the tokens left joined by one space.
fn strip(raw: &str) -> String {
    let normalized = nfkc(raw);
    let mut s = normalized.trim_start();
    while let Some(rest) = s.strip_prefix("RT @").or_else(|| s.strip_prefix("rt @")) {
        let end = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
        let after = &rest[end..];
        match after.strip_prefix(':') {
            Some(tail) if end > 0 => s = tail.trim_start(),
            _ => break,
        }
    }
    let mut out = String::with_capacity(s.len());
    for token in s.split_whitespace() {
        if is_link(token) {
            continue;
        }
        let kept = if token.contains('@') { Cow::Owned(strip_mentions(token)) } else { Cow::Borrowed(token) };
        let kept = kept.trim();
        // Removing a mention can leave a link (`https:/@a/x` → `https://x`): dropped
        // as a link is, so that normalising again changes nothing.
        if kept.is_empty() || is_link(kept) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(kept);
    }
    out
}

/// A token that is a link (dropped from texts).
fn is_link(token: &str) -> bool {
    starts_with_ci(token, "http://") || starts_with_ci(token, "https://") || starts_with_ci(token, "www.")
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Removes `@name` (and `@name@host`) mentions from one token.
fn strip_mentions(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut prev: Option<char> = None;
    let mut it = token.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let starts_mention = c == '@'
            && !matches!(prev, Some(p) if is_name_char(p))
            && token[i + 1..].chars().next().is_some_and(is_name_char);
        if starts_mention {
            // Skip the name, then an optional `@host.name`.
            let mut j = i + 1;
            let rest = &token[j..];
            j += rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            // Inner dots and hyphens of a handle (`@bob.bsky.social`), not a final one.
            while let Some(sep) = token[j..].chars().next().filter(|c| *c == '.' || *c == '-') {
                let after = &token[j + sep.len_utf8()..];
                let n = after.find(|c: char| !is_name_char(c)).unwrap_or(after.len());
                if n == 0 {
                    break;
                }
                j += sep.len_utf8() + n;
            }
            if token[j..].starts_with('@') {
                let host = &token[j + 1..];
                let hl = host.find(|c: char| !(is_name_char(c) || c == '.' || c == '-')).unwrap_or(host.len());
                if hl > 0 {
                    j += 1 + hl;
                }
            }
            while it.peek().is_some_and(|(k, _)| *k < j) {
                it.next();
            }
            prev = Some('@');
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rules written the plain way (fold everything, collapse always): the
    /// fast paths above must give the same values. Steps 1–4 of `text`
    /// (`strip`) have no fast path and are shared.
    mod plain {
        use unicode_normalization::UnicodeNormalization;

        fn fold(s: &str) -> String {
            let lower = s.nfkc().collect::<String>().to_lowercase();
            lower.nfkc().collect()
        }

        fn signed_name(raw: &str, sign: char) -> Option<String> {
            let s = fold(raw);
            let s = s.trim_start_matches(|c: char| c == sign || c.is_whitespace()).trim_end();
            (!s.is_empty()).then(|| s.to_string())
        }

        pub fn hashtag(raw: &str) -> Option<String> {
            signed_name(raw, '#')
        }

        pub fn mention(raw: &str) -> Option<String> {
            signed_name(raw, '@')
        }

        pub fn text(raw: &str) -> Option<String> {
            let collapsed = fold(&super::strip(raw)).split_whitespace().collect::<Vec<_>>().join(" ");
            (!collapsed.is_empty()).then_some(collapsed)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// ASCII with every kind of ASCII whitespace, signs, links and mentions.
        #[test]
        fn fast_paths_match_the_plain_rules_on_ascii(raw in "([ \t\n\r\x0b\x0c#@:.A-Za-z0-9_-]|RT @|https://|www\\.){0,40}") {
            prop_assert_eq!(text(&raw), plain::text(&raw), "text of {:?}", raw);
            prop_assert_eq!(hashtag(&raw), plain::hashtag(&raw), "hashtag of {:?}", raw);
            prop_assert_eq!(mention(&raw), plain::mention(&raw), "mention of {:?}", raw);
        }

        /// Any text, with characters whose NFKC or lowercase gives spaces or
        /// several characters (`¨`, `ﬁ`, `İ`, NBSP, ideographic space).
        #[test]
        fn fast_paths_match_the_plain_rules(raw in "(\\PC|[\u{a8}\u{fb01}\u{130}\u{a0}\u{3000} ]){0,40}") {
            prop_assert_eq!(text(&raw), plain::text(&raw), "text of {:?}", raw);
            prop_assert_eq!(hashtag(&raw), plain::hashtag(&raw), "hashtag of {:?}", raw);
            prop_assert_eq!(mention(&raw), plain::mention(&raw), "mention of {:?}", raw);
        }
    }

    fn check(f: fn(&str) -> Option<String>, rows: &[(&str, Option<&str>)]) {
        for (input, expected) in rows {
            assert_eq!(f(input).as_deref(), *expected, "input {input:?}");
            if let Some(e) = expected {
                assert_eq!(f(e).as_deref(), Some(*e), "not idempotent on {e:?}");
            }
        }
    }

    #[test]
    fn hashtags() {
        check(
            hashtag,
            &[
                ("#MAGA", Some("maga")),
                ("maga", Some("maga")),
                ("＃ＭＡＧＡ", Some("maga")),
                ("#РОССИЙСКИЕСУПЕРДЖЕТЫ", Some("российскиесуперджеты")),
                ("#Ĳssel", Some("ijssel")),
                ("#straße", Some("straße")),
                (" #tag ", Some("tag")),
                ("#", None),
                ("", None),
            ],
        );
    }

    #[test]
    fn mentions() {
        check(mention, &[("@TEN_GOP", Some("ten_gop")), ("ten_gop", Some("ten_gop")), ("@", None)]);
        // Found by the `normalize` fuzz target: whitespace between leading signs.
        check(mention, &[(" @ @b.bsky.social x", Some("b.bsky.social x"))]);
        check(hashtag, &[("# #tag", Some("tag"))]);
    }

    #[test]
    fn texts() {
        check(
            text,
            &[
                ("Hello World", Some("hello world")),
                ("RT @user_1: Hello", Some("hello")),
                ("RT @a: RT @b: Hello", Some("hello")),
                ("RT: not a prefix", Some("rt: not a prefix")),
                ("RT @a no colon", Some("rt no colon")),
                ("Go @bob, go!", Some("go , go!")),
                ("@bob@mastodon.social hi", Some("hi")),
                ("thanks @bob.bsky.social!", Some("thanks !")),
                ("ask @bob. then", Some("ask . then")),
                ("e-mail: x@y.org", Some("e-mail: x@y.org")),
                ("see https://t.co/AbC and http://x.y/z?q=1 and www.example.com.", Some("see and and")),
                ("tabs\tand\n\nnewlines   ", Some("tabs and newlines")),
                ("ＦＵＬＬ　ｗｉｄｔｈ", Some("full width")),
                ("#Tag stays", Some("#tag stays")),
                ("https://t.co/x", None),
                ("   ", None),
                ("@a @b", None),
                // Found by the `normalize` fuzz target: removing the mention left a link.
                ("https:/@sutpp1/\0", None),
                ("go https:/@a/x.org now", Some("go now")),
            ],
        );
    }
}
