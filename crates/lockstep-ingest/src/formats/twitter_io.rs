//! Twitter's information-operations archive (the "elections integrity" /
//! moderation research CSVs released 2018–2021), one row per tweet. Column names
//! as in Twitter's published README for those files.
//!
//! | post part | from |
//! | --- | --- |
//! | account | `userid` (hashed for small accounts in the archive) |
//! | post id | `tweetid` |
//! | time | `tweet_time` (`YYYY-MM-DD HH:MM`, UTC) |
//! | urls | `urls` (a list: `[a, b]`, `['a', 'b']`) |
//! | hashtags | `hashtags` (a list) |
//! | mentions | `user_mentions` (a list of user ids) |
//! | repost | `retweet_tweetid` |
//! | reply | `in_reply_to_tweetid` |
//! | quote | `quoted_tweet_tweetid` |
//! | text | `tweet_text` |

use super::post_csv::{self, cell, list_items, required, Header, Layout};
use super::Reader;
use crate::sink::{Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use ::csv::ByteRecord;

/// Twitter information-operations archive reader.
#[derive(Default)]
pub(crate) struct TwitterIoReader {
    cols: Cols,
}

#[derive(Default)]
struct Cols {
    account: usize,
    id: usize,
    time: usize,
    text: Option<usize>,
    urls: Option<usize>,
    hashtags: Option<usize>,
    mentions: Option<usize>,
    repost: Option<usize>,
    reply: Option<usize>,
    quote: Option<usize>,
}

impl Reader for TwitterIoReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        post_csv::read(self, src, sink)
    }
}

impl Layout for TwitterIoReader {
    const NAMES: PostNames = PostNames { account: "userid", id: "tweetid", time: "tweet_time" };

    fn bind(&mut self, h: &Header, file: &str) -> Result<()> {
        self.cols = Cols {
            account: required(h, &["userid"], "account", file)?,
            id: required(h, &["tweetid"], "post", file)?,
            time: required(h, &["tweet_time"], "time", file)?,
            text: h.find(&["tweet_text"]),
            urls: h.find(&["urls"]),
            hashtags: h.find(&["hashtags"]),
            mentions: h.find(&["user_mentions"]),
            repost: h.find(&["retweet_tweetid"]),
            reply: h.find(&["in_reply_to_tweetid"]),
            quote: h.find(&["quoted_tweet_tweetid"]),
        };
        Ok(())
    }

    fn row(&mut self, row: &ByteRecord, line: u64, sink: &mut Sink<'_>) -> Result<()> {
        let c = &self.cols;
        let list = |i: Option<usize>| cell(row, i).map(list_items).unwrap_or_default();
        let post = PostFields {
            account: row.get(c.account).map_or(Field::Missing, Field::Bytes),
            id: row.get(c.id).map_or(Field::Missing, Field::Bytes),
            time: row.get(c.time).map_or(Field::Missing, Field::Bytes),
            urls: list(c.urls),
            hashtags: list(c.hashtags),
            mentions: list(c.mentions),
            repost_of: cell(row, c.repost),
            reply_to: cell(row, c.reply),
            quote_of: cell(row, c.quote),
            text: cell(row, c.text),
            ..PostFields::default()
        };
        sink.accept_post(line, &post, &Self::NAMES)
    }
}
