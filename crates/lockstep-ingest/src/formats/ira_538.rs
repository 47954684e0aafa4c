//! The FiveThirtyEight / Clemson IRA tweets layout ("3 million Russian troll
//! tweets"), in its original form (`publish_date` as `M/D/YYYY H:MM`, `tweet_id`,
//! `tco1_step1`…`tco3_step1`) and in the per-author re-split of
//! ../shared/data/ira-2016q4 (`publish_date_utc` in ISO 8601, `;`-joined
//! `hashtags`, `urls`, `mentions`). One row is one post.
//!
//! | post part | from |
//! | --- | --- |
//! | account | `author` |
//! | post id | `tweet_id` when present; else `file:line` (the re-split has no tweet id) |
//! | time | `publish_date_utc`, else `publish_date` (ISO 8601 or `M/D/YYYY H:MM`, UTC) |
//! | urls | `urls`; else `tco1_step1`..`tco3_step1`; else the `http(s)://` links in `content` |
//! | hashtags | `hashtags`; else the `#tags` in `content` |
//! | mentions | `mentions`; else the `@names` in `content` |
//! | repost / reply / quote | none: the layout has no ids of the posts retweeted, replied to or quoted |
//! | text | `content` (a retweet carries the original text without `RT @user:`) |

use super::post_csv::{self, cell, links_in, list_items, required, tags_in, Header, Layout};
use super::Reader;
use crate::sink::{Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use ::csv::ByteRecord;
use chrono::NaiveDateTime;

/// FiveThirtyEight IRA layout reader.
#[derive(Default)]
pub(crate) struct Ira538Reader {
    cols: Cols,
}

#[derive(Default)]
struct Cols {
    account: usize,
    time: usize,
    text: usize,
    id: Option<usize>,
    hashtags: Option<usize>,
    urls: Option<usize>,
    tco: Vec<usize>,
    mentions: Option<usize>,
}

impl Reader for Ira538Reader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        post_csv::read(self, src, sink)
    }
}

impl Layout for Ira538Reader {
    const NAMES: PostNames = PostNames { account: "author", id: "tweet_id", time: "publish_date_utc" };

    fn bind(&mut self, h: &Header, file: &str) -> Result<()> {
        self.cols = Cols {
            account: required(h, &["author"], "account", file)?,
            time: required(h, &["publish_date_utc", "publish_date"], "time", file)?,
            text: required(h, &["content"], "text", file)?,
            id: h.find(&["tweet_id"]),
            hashtags: h.find(&["hashtags"]),
            urls: h.find(&["urls"]),
            tco: ["tco1_step1", "tco2_step1", "tco3_step1"].iter().filter_map(|c| h.find(&[c])).collect(),
            mentions: h.find(&["mentions"]),
        };
        Ok(())
    }

    fn row(&mut self, row: &ByteRecord, line: u64, sink: &mut Sink<'_>) -> Result<()> {
        let c = &self.cols;
        let text = cell(row, Some(c.text));
        let raw_time = row.get(c.time).unwrap_or_default();
        let time = match us_datetime(raw_time) {
            Some(secs) => Field::Seconds(secs),
            None => Field::Bytes(raw_time),
        };
        let urls = match c.urls {
            Some(i) => cell(row, Some(i)).map(list_items).unwrap_or_default(),
            None if !c.tco.is_empty() => {
                c.tco.iter().filter_map(|&i| cell(row, Some(i))).filter(|s| !s.trim().is_empty()).collect()
            }
            None => text.map(links_in).unwrap_or_default(),
        };
        let hashtags = match c.hashtags {
            Some(i) => cell(row, Some(i)).map(list_items).unwrap_or_default(),
            None => text.map(|t| tags_in(t, '#')).unwrap_or_default(),
        };
        let mentions = match c.mentions {
            Some(i) => cell(row, Some(i)).map(list_items).unwrap_or_default(),
            None => text.map(|t| tags_in(t, '@')).unwrap_or_default(),
        };
        let post = PostFields {
            account: row.get(c.account).map_or(Field::Missing, Field::Bytes),
            id: c.id.and_then(|i| row.get(i)).map_or(Field::Missing, Field::Bytes),
            time,
            urls,
            hashtags,
            mentions,
            text,
            ..PostFields::default()
        };
        sink.accept_post(line, &post, &Self::NAMES)
    }
}

/// FiveThirtyEight's original `publish_date`: `M/D/YYYY H:MM` (UTC).
fn us_datetime(raw: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(raw).ok()?.trim();
    if !s.contains('/') {
        return None;
    }
    NaiveDateTime::parse_from_str(s, "%m/%d/%Y %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%m/%d/%Y %H:%M:%S"))
        .ok()
        .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_dates() {
        assert_eq!(us_datetime(b"10/1/2017 19:58"), Some(1_506_887_880));
        assert_eq!(us_datetime(b"1/2/2016 0:05"), Some(1_451_693_100));
        assert_eq!(us_datetime(b"2016-09-01T00:00:00Z"), None);
        assert_eq!(us_datetime(b"13/45/2016 0:05"), None);
    }
}
