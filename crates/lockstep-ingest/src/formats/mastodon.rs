//! Mastodon statuses as the Mastodon REST API returns them (`Status` entities):
//! one status per line, or one JSON array of statuses (a saved API page, also
//! pretty-printed) per input or per line. Each status is one record; in an array
//! read as a whole the record number is the status's 1-based position.
//!
//! | post part | from |
//! | --- | --- |
//! | account | `account.url` (the profile URL: unique across instances), else `account.acct` |
//! | post id | `uri` (the ActivityPub id: unique across instances), else `url`, else `id` |
//! | time | `created_at` |
//! | urls | `card.url`, and the `href` of every link in `content` that is not a mention or hashtag link |
//! | hashtags | `tags[].name` |
//! | mentions | `mentions[].url`, else `mentions[].acct` |
//! | repost | `reblog.uri` |
//! | reply | `in_reply_to_id` (an id local to the instance that served the data) |
//! | quote | `quote.quoted_status.uri` (Mastodon 4.5 quotes) |
//! | text | `content` as text: tags and the visible text of links removed, `<br>` and paragraphs as spaces, entities decoded |
//! | media | `media_attachments[].blurhash` (a short image summary: the same image gives the same value) |
//!
//! For a reblog, urls, hashtags, mentions, text and media come from `reblog`.

use super::Reader;
use crate::sink::{reason, Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::Read;

/// Mastodon status reader.
pub(crate) struct MastodonReader;

const NAMES: PostNames = PostNames { account: "account.url", id: "uri", time: "created_at" };

type Str<'a> = Cow<'a, str>;

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    uri: Option<Str<'a>>,
    #[serde(borrow)]
    url: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    account: Option<Account<'a>>,
    #[serde(borrow)]
    content: Option<Str<'a>>,
    #[serde(borrow)]
    reblog: Option<Box<Status<'a>>>,
    #[serde(borrow)]
    in_reply_to_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    tags: Vec<Tag<'a>>,
    #[serde(borrow, default)]
    mentions: Vec<Mention<'a>>,
    #[serde(borrow)]
    card: Option<Card<'a>>,
    #[serde(borrow, default)]
    media_attachments: Vec<Media<'a>>,
    #[serde(borrow)]
    quote: Option<Quote<'a>>,
}

#[derive(Deserialize)]
struct Account<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
    #[serde(borrow)]
    acct: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    name: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Mention<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
    #[serde(borrow)]
    acct: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Card<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Media<'a> {
    #[serde(borrow)]
    blurhash: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Quote<'a> {
    #[serde(borrow)]
    quoted_status: Option<Box<QuotedStatus<'a>>>,
}

#[derive(Deserialize)]
struct QuotedStatus<'a> {
    #[serde(borrow)]
    uri: Option<Str<'a>>,
}

impl Reader for MastodonReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let first = src.head.iter().find(|b| !b.is_ascii_whitespace() && **b != 0xef && **b != 0xbb && **b != 0xbf);
        if first != Some(&b'[') {
            return super::for_each_json_line(src, sink, read_line);
        }
        // One array, possibly over many lines: read it whole.
        let Source { info, mut reader, .. } = src;
        let mut text = String::new();
        if let Err(e) = reader.read_to_string(&mut text) {
            if e.kind() == std::io::ErrorKind::InvalidData {
                return sink.reject(1, reason::BAD_UTF8, "the input is not valid UTF-8".into());
            }
            return Err(info.read_error(0, e));
        }
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        read_array(&text[bom..], bom, sink)
    }
}

/// A JSON array of statuses, element by element: a cut or malformed element
/// keeps every complete status before it and is one `bad_json` record naming
/// the line and byte where it starts (a truncated download keeps what it has).
/// `base` is the bytes before `text` in the input (a BOM), for the byte offsets.
fn read_array(text: &str, base: usize, sink: &mut Sink<'_>) -> Result<()> {
    let bytes = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut pos = skip_ws(0) + 1; // past `[`
    let mut n: u64 = 0;
    let cut = |pos: usize, what: String, n: u64, sink: &mut Sink<'_>| {
        let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count();
        let detail = format!(
            "the array of Mastodon statuses is cut or malformed at line {line}, byte {}: {what}; \
             the {n} complete statuses before it are read, nothing after it",
            base + pos
        );
        sink.reject(n + 1, reason::BAD_JSON, detail)
    };
    loop {
        pos = skip_ws(pos);
        match bytes.get(pos) {
            Some(b']') if n == 0 => break,
            None => return cut(pos, "the input ends before the array is closed".into(), n, sink),
            _ => {}
        }
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Status<'_>>();
        match stream.next() {
            Some(Ok(status)) => {
                n += 1;
                emit(&status, n, sink)?;
                pos += stream.byte_offset();
            }
            Some(Err(e)) => return cut(pos, format!("element {} does not parse: {e}", n + 1), n, sink),
            None => return cut(pos, "the input ends before the array is closed".into(), n, sink),
        }
        pos = skip_ws(pos);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') => break,
            Some(_) => return cut(pos, "expected `,` or `]` after a status".into(), n, sink),
            None => return cut(pos, "the input ends before the array is closed".into(), n, sink),
        }
    }
    let rest = skip_ws(pos + 1);
    if rest < bytes.len() {
        return cut(rest, "text after the array".into(), n, sink);
    }
    Ok(())
}

/// One line: a status, or an array of them.
fn read_line(text: &str, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    if text.starts_with('[') {
        return match serde_json::from_str::<Vec<Status<'_>>>(text) {
            Ok(statuses) => statuses.iter().try_for_each(|s| emit(s, line, sink)),
            Err(e) => sink.reject(line, reason::BAD_JSON, format!("not an array of Mastodon statuses: {e}")),
        };
    }
    match serde_json::from_str::<Status<'_>>(text) {
        Ok(s) => emit(&s, line, sink),
        Err(e) => sink.reject(line, reason::BAD_JSON, format!("not a Mastodon status: {e}")),
    }
}

fn emit(s: &Status<'_>, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    if s.account.is_none() && s.created_at.is_none() && s.content.is_none() {
        return sink.reject(line, reason::NOT_A_POST, "the object has no `account`, `created_at` or `content`".into());
    }
    let body = s.reblog.as_deref().unwrap_or(s);
    let (text, links) = body.content.as_deref().map(html_text).unwrap_or_default();
    let account = s.account.as_ref().and_then(|a| a.url.as_deref().or(a.acct.as_deref()));
    let id = s.uri.as_deref().or(s.url.as_deref()).or(s.id.as_deref());
    let mut post = PostFields {
        account: account.map_or(Field::Missing, Field::Str),
        id: id.map_or(Field::Missing, Field::Str),
        time: s.created_at.as_deref().map_or(Field::Missing, Field::Str),
        repost_of: s.reblog.as_ref().and_then(|r| r.uri.as_deref()),
        reply_to: s.in_reply_to_id.as_deref(),
        quote_of: s.quote.as_ref().and_then(|q| q.quoted_status.as_ref()).and_then(|q| q.uri.as_deref()),
        text: Some(&text),
        ..PostFields::default()
    };
    post.urls.extend(body.card.as_ref().and_then(|c| c.url.as_deref()));
    post.urls.extend(links.iter().map(String::as_str));
    post.hashtags = body.tags.iter().filter_map(|t| t.name.as_deref()).collect();
    post.mentions = body.mentions.iter().filter_map(|m| m.url.as_deref().or(m.acct.as_deref())).collect();
    post.media = body.media_attachments.iter().filter_map(|m| m.blurhash.as_deref()).collect();
    sink.accept_post(line, &post, &NAMES)
}

/// The text of a status's HTML `content`, and the `href`s of its links that are
/// not mention or hashtag links (Mastodon marks those with the class `mention`).
/// The visible text of such a link is left out of the text, as a link token is
/// by the `text` rules (links are their own kind).
fn html_text(html: &str) -> (String, Vec<String>) {
    let mut text = String::with_capacity(html.len());
    let mut links = Vec::new();
    let mut rest = html;
    let mut in_link = false;
    while let Some(lt) = rest.find('<') {
        if !in_link {
            text.push_str(&decode_entities(&rest[..lt]));
        }
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let closing = tag.starts_with('/');
        let name =
            tag.trim_start_matches('/').split(|c: char| c.is_ascii_whitespace() || c == '/').next().unwrap_or("");
        let name = name.to_ascii_lowercase();
        if matches!(name.as_str(), "br" | "p") {
            text.push(' ');
        }
        if name == "a" {
            if closing {
                in_link = false;
            } else if !attr(tag, "class").is_some_and(|c| c.contains("mention")) {
                if let Some(href) = attr(tag, "href") {
                    links.push(decode_entities(href).into_owned());
                    in_link = true;
                }
            }
        }
        rest = &rest[lt + gt + 1..];
    }
    if !in_link {
        text.push_str(&decode_entities(rest));
    }
    (text, links)
}

/// The value of attribute `name` in the inside of a tag (`a href="…" class="…"`).
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut search = tag;
    while let Some(i) = search.find(name) {
        let before_ok = i == 0 || search.as_bytes()[i - 1].is_ascii_whitespace();
        let after = search[i + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let quote = v.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let end = v[1..].find(quote)?;
                    return Some(&v[1..1 + end]);
                }
                let end = v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len());
                return Some(&v[..end]);
            }
        }
        search = &search[i + name.len()..];
    }
    None
}

/// Decodes the HTML entities Mastodon writes: `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp;` and numeric ones.
fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_content() {
        let (text, links) = html_text(
            r#"<p>Hi <span class="h-card"><a href="https://m.social/@bob" class="u-url mention">@<span>bob</span></a></span> read <a href="https://news.example/a?x=1&amp;y=2" rel="nofollow">news.example/a</a> <a href="https://m.social/tags/Vote" class="mention hashtag" rel="tag">#<span>Vote</span></a></p><p>Tom &amp; Jerry&#39;s &#x1F600;<br>end</p>"#,
        );
        assert_eq!(text, " Hi @bob read  #Vote  Tom & Jerry's 😀 end ");
        assert_eq!(links, ["https://news.example/a?x=1&y=2"]);
        assert_eq!(decode_entities("a &bogus; &#99999999; b &"), "a &bogus; &#99999999; b &");
        assert_eq!(attr(r#"a data-href="x" href='y'"#, "href"), Some("y"));
    }
}
