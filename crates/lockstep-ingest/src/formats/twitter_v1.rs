//! Twitter API v1.1 statuses as JSON Lines (one status object per line, as
//! twarc 1, the streaming API and most v1.1 archives write them). Each line is
//! one record.
//!
//! | post part | from |
//! | --- | --- |
//! | account | `user.id_str` (else `user.id`) |
//! | post id | `id_str` (else `id`) |
//! | time | `created_at` (`Wed Oct 10 20:19:24 +0000 2018`) |
//! | urls | `entities.urls[].expanded_url` (else `url`) |
//! | hashtags | `entities.hashtags[].text` |
//! | mentions | `entities.user_mentions[].screen_name` |
//! | repost | `retweeted_status.id_str` |
//! | reply | `in_reply_to_status_id_str` |
//! | quote | `quoted_status_id_str` (else `quoted_status.id_str`) |
//! | text | `extended_tweet.full_text`, else `full_text`, else `text` |
//!
//! Extended (over 140 characters) statuses carry their full text and entities
//! in `extended_tweet`, which is preferred. For a retweet, urls, hashtags,
//! mentions and text come from `retweeted_status`, whose text is not truncated.
//! Streaming notices (`delete`, `limit`, `scrub_geo`, …: lines without `id_str`,
//! `id` or `user`) are skipped as `not_a_post`.

use super::Reader;
use crate::sink::{reason, Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use serde::Deserialize;
use std::borrow::Cow;

/// Twitter API v1.1 reader.
pub(crate) struct TwitterV1Reader;

const NAMES: PostNames = PostNames { account: "user.id_str", id: "id_str", time: "created_at" };

type Str<'a> = Cow<'a, str>;

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow)]
    id_str: Option<Str<'a>>,
    id: Option<u64>,
    #[serde(borrow)]
    created_at: Option<Str<'a>>,
    #[serde(borrow)]
    user: Option<User<'a>>,
    #[serde(borrow)]
    text: Option<Str<'a>>,
    #[serde(borrow)]
    full_text: Option<Str<'a>>,
    #[serde(borrow)]
    extended_tweet: Option<Extended<'a>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
    #[serde(borrow)]
    retweeted_status: Option<Box<Status<'a>>>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    quoted_status_id_str: Option<Str<'a>>,
    #[serde(borrow)]
    quoted_status: Option<Box<Quoted<'a>>>,
}

#[derive(Deserialize)]
struct Quoted<'a> {
    #[serde(borrow)]
    id_str: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id_str: Option<Str<'a>>,
    id: Option<u64>,
}

#[derive(Deserialize)]
struct Extended<'a> {
    #[serde(borrow)]
    full_text: Option<Str<'a>>,
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
    user_mentions: Vec<Mention<'a>>,
}

#[derive(Deserialize)]
struct UrlEntity<'a> {
    #[serde(borrow)]
    url: Option<Str<'a>>,
    #[serde(borrow)]
    expanded_url: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    text: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Mention<'a> {
    #[serde(borrow)]
    screen_name: Option<Str<'a>>,
}

impl Reader for TwitterV1Reader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        super::for_each_json_line(src, sink, read_line)
    }
}

/// Reads one non-blank line into the sink.
pub(crate) fn read_line(text: &str, line: u64, sink: &mut Sink<'_>) -> Result<()> {
    let status: Status<'_> = match serde_json::from_str(text) {
        Ok(s) => s,
        Err(e) => return sink.reject(line, reason::BAD_JSON, format!("not a Twitter API v1.1 status: {e}")),
    };
    if status.id_str.is_none() && status.id.is_none() && status.user.is_none() {
        return sink.reject(line, reason::NOT_A_POST, "the line is not a status (a streaming notice?)".into());
    }
    let id_buf;
    let id = match (&status.id_str, status.id) {
        (Some(s), _) => Field::Str(s.as_ref()),
        (None, Some(n)) => {
            id_buf = n.to_string();
            Field::Str(&id_buf)
        }
        (None, None) => Field::Missing,
    };
    let account_buf;
    let account = match status.user.as_ref().map(|u| (&u.id_str, u.id)) {
        Some((Some(s), _)) => Field::Str(s.as_ref()),
        Some((None, Some(n))) => {
            account_buf = n.to_string();
            Field::Str(&account_buf)
        }
        _ => Field::Missing,
    };
    let body = status.retweeted_status.as_deref().unwrap_or(&status);
    let ext = body.extended_tweet.as_ref();
    let text = ext.and_then(|e| e.full_text.as_deref()).or(body.full_text.as_deref()).or(body.text.as_deref());
    let entities = ext.and_then(|e| e.entities.as_ref()).or(body.entities.as_ref());
    let mut post = PostFields {
        account,
        id,
        time: status.created_at.as_deref().map_or(Field::Missing, Field::Str),
        repost_of: status.retweeted_status.as_ref().and_then(|r| r.id_str.as_deref()),
        reply_to: status.in_reply_to_status_id_str.as_deref(),
        quote_of: status
            .quoted_status_id_str
            .as_deref()
            .or_else(|| status.quoted_status.as_ref().and_then(|q| q.id_str.as_deref())),
        text,
        ..PostFields::default()
    };
    if let Some(e) = entities {
        post.urls = e.urls.iter().filter_map(|u| u.expanded_url.as_deref().or(u.url.as_deref())).collect();
        post.hashtags = e.hashtags.iter().filter_map(|h| h.text.as_deref()).collect();
        post.mentions = e.user_mentions.iter().filter_map(|m| m.screen_name.as_deref()).collect();
    }
    sink.accept_post(line, &post, &NAMES)
}
