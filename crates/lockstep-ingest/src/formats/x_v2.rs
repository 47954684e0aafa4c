//! X (Twitter) API v2 as JSON Lines, the way twarc2 writes it: each line is
//! either a response page (`data` array or object, `includes`, `meta`) or one
//! flattened tweet (`twarc2 flatten`: a tweet object whose `referenced_tweets`
//! entries carry the full referenced tweet).
//!
//! Each tweet is one record (several per page line; diagnostics name the page's
//! line). Field mapping (docs/formats.md):
//!
//! | post part | from |
//! | --- | --- |
//! | account | `author_id` |
//! | post id | `id` |
//! | time | `created_at` |
//! | urls | `entities.urls[]`: `unwound_url`, else `expanded_url`, else `url` |
//! | hashtags | `entities.hashtags[].tag` |
//! | mentions | `entities.mentions[].username` |
//! | repost / reply / quote | `referenced_tweets[]` of type `retweeted` / `replied_to` / `quoted`: `id` |
//! | text | `note_tweet.text` (long posts), else `text` |
//!
//! A retweet's own `text` and `entities` are a truncated copy (`RT @user: …`), so
//! for a retweet the urls, hashtags, mentions and text come from the retweeted
//! tweet when the line carries it (in `includes.tweets`, or embedded in a
//! flattened tweet's `referenced_tweets`); otherwise from the retweet itself.
//! A `data` item without `text` and `author_id` (a user object, as in a user
//! lookup) is skipped as `not_a_post`; so is a line with neither `data` nor a
//! tweet `id` (an error-only page). A page with an empty or absent `data` and a
//! `meta.result_count` of 0 holds no record.
//!
//! Speed: a line is parsed once, borrowing its strings, into the typed structs
//! below (the `data` tweets included, so `data` is not scanned twice); fields the
//! reader does not use are skipped by serde without being built. Only when that
//! parse fails is the line parsed again the slower two-step way ([`read_line_raw`]:
//! the line, then its `data`), whose error names the part that is wrong: the
//! diagnostics of bad lines come from that path alone.

use super::Reader;
use crate::sink::{reason, Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

/// X API v2 JSON Lines reader.
pub(crate) struct XV2Reader;

const NAMES: PostNames = PostNames { account: "author_id", id: "id", time: "created_at" };

/// A JSON string, borrowed from the line unless it holds escapes. (serde
/// borrows a field only when its type is exactly `Cow<str>` or `&str`: an
/// `Option<Cow<str>>` would always be copied into a new `String`.)
#[derive(Clone)]
struct Str<'a>(Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            // The wording of serde's own `String`, so errors read the same.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

/// One line: a page, or a flattened tweet (then the tweet fields are set).
/// `D` is how `data` is read: parsed in place ([`Data`], one pass), or left
/// raw (`&RawValue`, the two-step path whose errors name the part that is
/// wrong). Both accept exactly the same lines with the same values.
#[derive(Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>"))]
struct Line<'a, D> {
    data: Option<D>,
    #[serde(borrow)]
    includes: Option<Includes<'a>>,
    meta: Option<Meta>,
    errors: Option<IgnoredAny>,
    // A flattened tweet.
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    author_id: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    note_tweet: Option<Note<'a>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
    #[serde(borrow, default)]
    referenced_tweets: Vec<Reference<'a>>,
}

/// A page's `data`: a list of tweets, or one tweet (as in a single-tweet
/// lookup). Read like [`read_page_raw`] reads the raw value: a list when it is a
/// JSON array, else one tweet.
struct Data<'a>(Vec<Tweet<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Data<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Data<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tweet or a list of tweets")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Data<'a>, A::Error> {
                let mut tweets = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(512));
                while let Some(t) = seq.next_element()? {
                    tweets.push(t);
                }
                Ok(Data(tweets))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Data<'a>, A::Error> {
                Tweet::deserialize(MapAccessDeserializer::new(map)).map(|t| Data(vec![t]))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[derive(Deserialize)]
struct Meta {
    result_count: Option<u64>,
}

#[derive(Deserialize, Default)]
struct Includes<'a> {
    #[serde(borrow, default)]
    tweets: Vec<Tweet<'a>>,
}

#[derive(Deserialize, Default)]
struct Tweet<'a> {
    #[serde(borrow)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    author_id: Option<Str<'a>>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    note_tweet: Option<Note<'a>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
    #[serde(borrow, default)]
    referenced_tweets: Vec<Reference<'a>>,
}

/// A `referenced_tweets` entry; in flattened tweets it carries the whole tweet.
#[derive(Deserialize)]
struct Reference<'a> {
    #[serde(borrow, rename = "type")]
    kind: Str<'a>,
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    note_tweet: Option<Note<'a>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
}

#[derive(Deserialize)]
struct Note<'a> {
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
}

#[derive(Deserialize, Default)]
struct Entities<'a> {
    #[serde(borrow, default)]
    urls: Vec<UrlEntity<'a>>,
    #[serde(borrow, default)]
    hashtags: Vec<Tag<'a>>,
    #[serde(borrow, default)]
    mentions: Vec<Mention<'a>>,
}

#[derive(Deserialize)]
struct UrlEntity<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
    #[serde(borrow)]
    expanded_url: Option<Str<'a>>,
    #[serde(borrow)]
    unwound_url: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    tag: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Mention<'a> {
    #[serde(borrow)]
    username: Option<Str<'a>>,
}

/// The content of a tweet: its text and entities (long-post versions first).
struct Content<'t, 'a> {
    text: Option<&'t str>,
    entities: Option<&'t Entities<'a>>,
}

fn content<'t, 'a>(
    text: &'t Option<Str<'a>>,
    note: &'t Option<Note<'a>>,
    entities: &'t Option<Entities<'a>>,
) -> Content<'t, 'a> {
    let note_text = note.as_ref().and_then(|n| n.text.as_deref());
    let note_entities = note.as_ref().and_then(|n| n.entities.as_ref());
    Content { text: note_text.or(text.as_deref()), entities: note_entities.or(entities.as_ref()) }
}

impl Reader for XV2Reader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        super::for_each_json_line(src, sink, read_line)
    }
}

/// Reads one non-blank line into the sink.
pub(crate) fn read_line(text: &str, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    let Ok(parsed) = serde_json::from_str::<Line<'_, Data<'_>>>(text) else {
        // The line is not valid as a whole: the two-step parse says where.
        return read_line_raw(text, line, sink);
    };
    match &parsed.data {
        Some(Data(tweets)) => read_tweets(tweets, parsed.includes.as_ref(), line, sink),
        None => read_other(&parsed, line, sink),
    }
}

/// Reads one line the two-step way (the line with `data` raw, then `data`),
/// so that an error names the part that is wrong.
fn read_line_raw(text: &str, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    let parsed: Line<'_, &RawValue> = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => return sink.reject(line, reason::BAD_JSON, format!("not an X API v2 page or tweet: {e}")),
    };
    match parsed.data {
        Some(data) => read_page_raw(parsed.includes.as_ref(), data, line, sink),
        None => read_other(&parsed, line, sink),
    }
}

/// A flattened tweet, an empty page, or not a post.
fn read_other<D>(parsed: &Line<'_, D>, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    match parsed.id {
        Some(_) => {
            let tweet = Tweet {
                id: parsed.id.clone(),
                author_id: parsed.author_id.clone(),
                created_at: parsed.created_at.clone(),
                text: parsed.text.clone(),
                note_tweet: None,
                entities: None,
                referenced_tweets: Vec::new(),
            };
            // Borrow the line's own entities and references rather than moving them.
            let own = content(&parsed.text, &parsed.note_tweet, &parsed.entities);
            emit(&tweet, own, &parsed.referenced_tweets, &HashMap::new(), line, sink)
        }
        None if parsed.meta.as_ref().and_then(|m| m.result_count) == Some(0) => Ok(()),
        None => {
            let what = if parsed.errors.is_some() { "an error-only page" } else { "neither `data` nor a tweet `id`" };
            sink.reject(line, reason::NOT_A_POST, format!("the line holds {what}"))
        }
    }
}

fn read_page_raw(includes: Option<&Includes<'_>>, data: &RawValue, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    let raw = data.get().trim_start();
    let tweets: Vec<Tweet<'_>> = if raw.starts_with('[') {
        match serde_json::from_str(raw) {
            Ok(t) => t,
            Err(e) => return sink.reject(line, reason::BAD_JSON, format!("`data` is not a list of tweets: {e}")),
        }
    } else {
        match serde_json::from_str(raw) {
            Ok(t) => vec![t],
            Err(e) => return sink.reject(line, reason::BAD_JSON, format!("`data` is not a tweet: {e}")),
        }
    };
    read_tweets(&tweets, includes, line, sink)
}

/// The tweets of one page's `data`, with the page's `includes`.
fn read_tweets(tweets: &[Tweet<'_>], includes: Option<&Includes<'_>>, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    let empty = Includes::default();
    let includes = includes.unwrap_or(&empty);
    let by_id: HashMap<&str, &Tweet<'_>> =
        includes.tweets.iter().filter_map(|t| t.id.as_deref().map(|id| (id, t))).collect();
    for (i, tweet) in tweets.iter().enumerate() {
        if tweet.text.is_none() && tweet.author_id.is_none() {
            let id = tweet.id.as_deref().unwrap_or("?");
            sink.reject(
                line,
                reason::NOT_A_POST,
                format!("item {} of `data` (id {id}) has neither `text` nor `author_id`: not a tweet", i + 1),
            )?;
            continue;
        }
        let own = content(&tweet.text, &tweet.note_tweet, &tweet.entities);
        emit(tweet, own, &tweet.referenced_tweets, &by_id, line, sink)?;
    }
    Ok(())
}

fn emit(
    tweet: &Tweet<'_>,
    own: Content<'_, '_>,
    refs: &[Reference<'_>],
    includes: &HashMap<&str, &Tweet<'_>>,
    line: u64,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let of = |kind: &str| refs.iter().find(|r| &*r.kind == kind);
    let retweeted = of("retweeted");
    // For a retweet, the retweeted tweet's full content when the line has it.
    let body = retweeted
        .and_then(|r| {
            if r.text.is_some() || r.entities.is_some() {
                Some(content(&r.text, &r.note_tweet, &r.entities))
            } else {
                includes.get(&*r.id).map(|t| content(&t.text, &t.note_tweet, &t.entities))
            }
        })
        .unwrap_or(own);
    let mut post = PostFields {
        account: tweet.author_id.as_deref().map_or(Field::Missing, Field::Str),
        id: tweet.id.as_deref().map_or(Field::Missing, Field::Str),
        time: tweet.created_at.as_deref().map_or(Field::Missing, Field::Str),
        repost_of: retweeted.map(|r| &*r.id),
        reply_to: of("replied_to").map(|r| &*r.id),
        quote_of: of("quoted").map(|r| &*r.id),
        text: body.text,
        ..PostFields::default()
    };
    if let Some(e) = body.entities {
        post.urls = e
            .urls
            .iter()
            .filter_map(|u| u.unwound_url.as_deref().or(u.expanded_url.as_deref()).or(u.url.as_deref()))
            .collect();
        post.hashtags = e.hashtags.iter().filter_map(|h| h.tag.as_deref()).collect();
        post.mentions = e.mentions.iter().filter_map(|m| m.username.as_deref()).collect();
    }
    sink.accept_post(line, &post, &NAMES)
}
