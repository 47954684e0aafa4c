//! Bluesky Jetstream events, one JSON object per line (as Jetstream's websocket
//! sends them and as they are usually saved). Each line is one record. Posts
//! (`app.bsky.feed.post`) and reposts (`app.bsky.feed.repost`) that are created
//! are posts; every other event (likes, follows, deletions, identity and
//! account events) is skipped as `not_a_post`, counted by reason like any other.
//!
//! | post part | from |
//! | --- | --- |
//! | account | `did` |
//! | post id | `at://{did}/{commit.collection}/{commit.rkey}` |
//! | time | `time_us` (when Jetstream saw the event; microseconds), else `commit.record.createdAt` |
//! | urls | link facets (`app.bsky.richtext.facet#link`: `uri`) and `embed.external.uri` |
//! | hashtags | tag facets (`…#tag`: `tag`) and `record.tags` |
//! | mentions | mention facets (`…#mention`: `did`) |
//! | repost | a repost's `subject.uri` |
//! | reply | `reply.parent.uri` |
//! | quote | `embed.record.uri` (`app.bsky.embed.record`), `embed.record.record.uri` (`recordWithMedia`) |
//! | text | `record.text` |
//! | media | blob CIDs of `embed.images[].image` and `embed.video` (also inside `recordWithMedia`): content hashes |
//!
//! `time_us` is preferred to `createdAt` because the latter is written by the
//! client and can be set to any time.

use super::Reader;
use crate::sink::{reason, Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use serde::Deserialize;
use std::borrow::Cow;

/// Bluesky Jetstream reader.
pub(crate) struct BlueskyReader;

const NAMES: PostNames = PostNames { account: "did", id: "commit.rkey", time: "time_us" };

type Str<'a> = Cow<'a, str>;

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    did: Option<Str<'a>>,
    time_us: Option<i64>,
    #[serde(borrow)]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    commit: Option<Commit<'a>>,
}

#[derive(Deserialize)]
struct Commit<'a> {
    #[serde(borrow)]
    operation: Option<Str<'a>>,
    #[serde(borrow)]
    collection: Option<Str<'a>>,
    #[serde(borrow)]
    rkey: Option<Str<'a>>,
    #[serde(borrow)]
    record: Option<Record<'a>>,
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, rename = "createdAt")]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow, default)]
    facets: Vec<Facet<'a>>,
    #[serde(borrow, default)]
    tags: Vec<Str<'a>>,
    #[serde(borrow)]
    embed: Option<Embed<'a>>,
    #[serde(borrow)]
    reply: Option<Reply<'a>>,
    #[serde(borrow)]
    subject: Option<Ref<'a>>,
}

#[derive(Deserialize)]
struct Facet<'a> {
    #[serde(borrow, default)]
    features: Vec<Feature<'a>>,
}

#[derive(Deserialize)]
struct Feature<'a> {
    #[serde(borrow, rename = "$type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    uri: Option<Str<'a>>,
    #[serde(borrow)]
    tag: Option<Str<'a>>,
    #[serde(borrow)]
    did: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Embed<'a> {
    #[serde(borrow)]
    external: Option<Ref<'a>>,
    #[serde(borrow)]
    record: Option<EmbeddedRecord<'a>>,
    #[serde(borrow, default)]
    images: Vec<Image<'a>>,
    #[serde(borrow)]
    video: Option<Blob<'a>>,
    #[serde(borrow)]
    media: Option<Box<Embed<'a>>>,
}

/// `embed.record`: a strong ref (`uri`), or for `recordWithMedia` an embed record holding one.
#[derive(Deserialize)]
struct EmbeddedRecord<'a> {
    #[serde(borrow)]
    uri: Option<Str<'a>>,
    #[serde(borrow)]
    record: Option<Ref<'a>>,
}

#[derive(Deserialize)]
struct Ref<'a> {
    #[serde(borrow)]
    uri: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(borrow)]
    parent: Option<Ref<'a>>,
}

#[derive(Deserialize)]
struct Image<'a> {
    #[serde(borrow)]
    image: Option<Blob<'a>>,
}

#[derive(Deserialize)]
struct Blob<'a> {
    #[serde(borrow, rename = "ref")]
    reference: Option<Link<'a>>,
}

#[derive(Deserialize)]
struct Link<'a> {
    #[serde(borrow, rename = "$link")]
    link: Option<Str<'a>>,
}

impl Reader for BlueskyReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        super::for_each_json_line(src, sink, read_line)
    }
}

const POST: &str = "app.bsky.feed.post";
const REPOST: &str = "app.bsky.feed.repost";

/// Reads one non-blank line into the sink.
pub(crate) fn read_line(text: &str, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    let ev: Event<'_> = match serde_json::from_str(text) {
        Ok(e) => e,
        Err(e) => return sink.reject(line, reason::BAD_JSON, format!("not a Jetstream event: {e}")),
    };
    let commit = ev.commit.as_ref();
    let collection = commit.and_then(|c| c.collection.as_deref()).unwrap_or_default();
    let operation = commit.and_then(|c| c.operation.as_deref()).unwrap_or_default();
    let record = commit.and_then(|c| c.record.as_ref());
    let is_post = ev.kind.as_deref() == Some("commit")
        && operation == "create"
        && (collection == POST || collection == REPOST)
        && record.is_some();
    let Some(record) = record.filter(|_| is_post) else {
        let what = match ev.kind.as_deref() {
            Some("commit") => format!("a commit `{operation}` of `{collection}`"),
            Some(k) => format!("an event of kind `{k}`"),
            None => "an event without `kind`".to_string(),
        };
        return sink.reject(line, reason::NOT_A_POST, format!("{what}: only created posts and reposts are posts"));
    };
    let did = ev.did.as_deref();
    let rkey = commit.and_then(|c| c.rkey.as_deref());
    let id = match (did, rkey) {
        (Some(d), Some(r)) if !r.is_empty() => format!("at://{d}/{collection}/{r}"),
        _ => String::new(),
    };
    let time = match (ev.time_us, record.created_at.as_deref()) {
        (Some(us), _) => Field::Seconds(us.div_euclid(1_000_000)),
        (None, Some(s)) => Field::Str(s),
        (None, None) => Field::Missing,
    };
    let mut post = PostFields {
        account: did.map_or(Field::Missing, Field::Str),
        id: Field::Str(&id),
        time,
        text: record.text.as_deref(),
        ..PostFields::default()
    };
    if collection == REPOST {
        post.repost_of = record.subject.as_ref().and_then(|s| s.uri.as_deref());
    }
    for f in record.facets.iter().flat_map(|f| &f.features) {
        match f.kind.as_deref().and_then(|k| k.rsplit_once('#')).map(|(_, k)| k) {
            Some("link") => post.urls.extend(f.uri.as_deref()),
            Some("tag") => post.hashtags.extend(f.tag.as_deref()),
            Some("mention") => post.mentions.extend(f.did.as_deref()),
            _ => {}
        }
    }
    post.hashtags.extend(record.tags.iter().map(|t| t.as_ref()));
    post.reply_to = record.reply.as_ref().and_then(|r| r.parent.as_ref()).and_then(|p| p.uri.as_deref());
    if let Some(embed) = &record.embed {
        add_embed(embed, &mut post);
        if let Some(media) = &embed.media {
            add_embed(media, &mut post);
        }
    }
    sink.accept_post(line, &post, &NAMES)
}

fn add_embed<'a>(embed: &'a Embed<'_>, post: &mut PostFields<'a>) {
    post.urls.extend(embed.external.as_ref().and_then(|e| e.uri.as_deref()));
    if let Some(r) = &embed.record {
        if let Some(uri) = r.uri.as_deref().or_else(|| r.record.as_ref().and_then(|x| x.uri.as_deref())) {
            post.quote_of = Some(uri);
        }
    }
    let blob = |b: &'a Blob<'_>| b.reference.as_ref().and_then(|r| r.link.as_deref());
    post.media.extend(embed.images.iter().filter_map(|i| i.image.as_ref().and_then(blob)));
    post.media.extend(embed.video.as_ref().and_then(blob));
}
