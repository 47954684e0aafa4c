//! `Format::Auto`: the format from the file name, else from the first bytes.
//!
//! 1. Extension, after stripping `.gz`, `.zst`, `.zstd`: `csv`; `tsv`/`tab`;
//!    `jsonl`/`ndjson`; `parquet`/`pq`. Other extensions (including `.json`,
//!    `.txt`) fall through to sniffing.
//! 2. Content (decompressed): `PAR1` → Parquet; first non-blank byte `{` → JSON
//!    Lines; a tab in the first line → TSV; otherwise CSV. Content that is clearly
//!    none of these (a JSON array, binary bytes) is an error that says why.
//! 3. Platform layouts, by content, within CSV and JSON Lines:
//!    - CSV whose header has `tweetid`, `userid` and `tweet_time` → `twitter-io`;
//!      `author`, `content` and `publish_date_utc` or `publish_date` → `ira-538`;
//!      `Post Created`, `URL` and one of `Facebook Id`, `Page Name`, `Group Name`,
//!      `Account`, `User Name` → `crowdtangle`.
//!    - JSON Lines whose first object has the top-level keys `data` and one of
//!      `includes`, `meta`, `errors`, `__twarc` (a response page), or `__twarc`,
//!      or `id`, `text`, `author_id`, `created_at` and one of `conversation_id`,
//!      `edit_history_tweet_ids`, `entities`, `public_metrics` (a tweet) → `x-v2`;
//!      `id_str`, `user` and `created_at` → `twitter-v1`; `did`, `time_us` and `kind`
//!      → `bluesky-jetstream`; `account`, `content`, `uri` and `created_at` →
//!      `mastodon` (also for a JSON array of such objects, whatever the extension);
//!      `messages`, `type` and `id` with `"date_unixtime"`, `"from_id"` or
//!      `"text_entities"` somewhere in the head (a chat), or `personal_information`,
//!      or `chats` and `about` (a whole account) → `telegram` (Telegram Desktop's
//!      `result.json` is one JSON document; its first keys are read like a line's).
//!
//!    Anything else stays generic (CSV/JSON Lines with `--account`, `--object`, …):
//!    give `--format csv` or `--format jsonl` to read a platform file through the
//!    column map instead.

use crate::Format;

/// The format of an input named `name` whose first decompressed bytes are `head`.
pub(crate) fn format_of(name: &str, head: &[u8]) -> Result<Format, String> {
    // A JSON array of Mastodon statuses (a saved API page).
    let trimmed = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head).trim_ascii_start();
    if let Some(inner) = trimmed.strip_prefix(b"[") {
        if json_layout(inner.trim_ascii_start()) == Some(Format::Mastodon) {
            return Ok(Format::Mastodon);
        }
    }
    let base = match by_extension(name) {
        Some(f) => f,
        None => sniff(head)?,
    };
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    Ok(match base {
        Format::Csv => csv_layout(text).unwrap_or(Format::Csv),
        Format::Jsonl => json_layout(text).unwrap_or(Format::Jsonl),
        f => f,
    })
}

/// A platform CSV layout recognised by its header line.
fn csv_layout(text: &[u8]) -> Option<Format> {
    let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    let header = String::from_utf8_lossy(&text[..end]).to_ascii_lowercase();
    let names: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let has = |n: &str| names.contains(&n);
    if has("tweetid") && has("userid") && has("tweet_time") {
        Some(Format::TwitterIo)
    } else if has("author") && has("content") && (has("publish_date_utc") || has("publish_date")) {
        Some(Format::Ira538)
    } else if has("post created")
        && has("url")
        && ["facebook id", "page name", "group name", "account", "user name"].iter().any(|n| has(n))
    {
        Some(Format::CrowdTangle)
    } else {
        None
    }
}

/// A platform JSON Lines layout recognised by the first object's top-level keys.
fn json_layout(text: &[u8]) -> Option<Format> {
    let (keys, complete) = top_level_keys(text);
    let has = |k: &str| keys.iter().any(|x| x == k);
    // A page longer than the head is cut inside `data`: then its items must look
    // like tweets (or users) in what the head holds.
    let cut_page = !complete
        && keys.first().is_some_and(|k| k == "data")
        && memchr::memmem::find(text, b"\"id\"").is_some()
        && (memchr::memmem::find(text, b"\"author_id\"").is_some()
            || memchr::memmem::find(text, b"\"username\"").is_some());
    let telegram_chat = has("messages")
        && has("type")
        && has("id")
        && [&b"\"date_unixtime\""[..], b"\"from_id\"", b"\"text_entities\""]
            .iter()
            .any(|k| memchr::memmem::find(text, k).is_some());
    let page = cut_page || has("data") && ["includes", "meta", "errors", "__twarc"].iter().any(|k| has(k));
    let tweet = has("id")
        && has("text")
        && has("author_id")
        && has("created_at")
        && ["conversation_id", "edit_history_tweet_ids", "entities", "public_metrics"].iter().any(|k| has(k));
    if page || tweet || has("__twarc") {
        Some(Format::XV2)
    } else if has("id_str") && has("user") && has("created_at") {
        Some(Format::TwitterV1)
    } else if has("did") && has("time_us") && has("kind") {
        Some(Format::Bluesky)
    } else if has("account") && has("content") && has("uri") && has("created_at") {
        Some(Format::Mastodon)
    } else if telegram_chat || has("personal_information") || has("chats") && has("about") {
        Some(Format::Telegram)
    } else {
        None
    }
}

/// The keys of the first JSON object in `text`, as far as `text` goes (a line
/// longer than the head is cut: the keys before the cut are returned), and
/// whether the object ended within `text`.
pub(crate) fn top_level_keys(text: &[u8]) -> (Vec<String>, bool) {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut last_string: Option<(usize, usize)> = None;
    while i < text.len() {
        match text[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= text.len() {
                    break;
                }
                last_string = Some((start, i));
            }
            b':' => {
                if let (1, Some((a, b))) = (depth, last_string.take()) {
                    keys.push(String::from_utf8_lossy(&text[a..b]).into_owned());
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (keys, true);
                }
            }
            b',' => last_string = None,
            _ => {}
        }
        i += 1;
    }
    (keys, false)
}

/// The format named by the file extension, if any.
pub(crate) fn by_extension(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let mut stem = lower.as_str();
    for z in [".gz", ".zst", ".zstd"] {
        if let Some(s) = stem.strip_suffix(z) {
            stem = s;
            break;
        }
    }
    let (_, ext) = stem.rsplit_once('.')?;
    match ext {
        "csv" => Some(Format::Csv),
        "tsv" | "tab" => Some(Format::Tsv),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        "parquet" | "pq" => Some(Format::Parquet),
        _ => None,
    }
}

/// The format recognised from content.
pub(crate) fn sniff(head: &[u8]) -> Result<Format, String> {
    if head.starts_with(b"PAR1") {
        return Ok(Format::Parquet);
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let Some(first) = text.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err("the input holds only blank lines".into());
    };
    match text[first] {
        b'{' => return Ok(Format::Jsonl),
        b'[' => return Err("it starts with `[`: a JSON array or document, not JSON Lines (one object per line)".into()),
        _ => {}
    }
    if text.contains(&0) {
        return Err("it holds binary bytes and is not gzip, zstd or Parquet".into());
    }
    let line_end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    if memchr::memchr(b'\t', &text[..line_end]).is_some() {
        Ok(Format::Tsv)
    } else {
        Ok(Format::Csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        for (name, f) in [
            ("a.csv", Some(Format::Csv)),
            ("dir.x/A.CSV.GZ", Some(Format::Csv)),
            ("a.tsv.zst", Some(Format::Tsv)),
            ("a.tab", Some(Format::Tsv)),
            ("a.ndjson.zstd", Some(Format::Jsonl)),
            ("a.jsonl", Some(Format::Jsonl)),
            ("a.parquet", Some(Format::Parquet)),
            ("a.json", None),
            ("a.gz", None),
            ("a", None),
            ("<stdin>", None),
        ] {
            assert_eq!(by_extension(name), f, "{name}");
        }
    }

    #[test]
    fn content() {
        for (head, f) in [
            (&b"PAR1\x15\x04"[..], Ok(Format::Parquet)),
            (b"{\"a\":1}\n", Ok(Format::Jsonl)),
            (b"\n  {\"a\":1}\n", Ok(Format::Jsonl)),
            (b"\xef\xbb\xbf{\"a\":1}\n", Ok(Format::Jsonl)),
            (b"a\tb\tc\n1,2\t3\n", Ok(Format::Tsv)),
            (b"a,b,c\n1\t2,3\n", Ok(Format::Csv)),
            (b"single", Ok(Format::Csv)),
        ] {
            assert_eq!(sniff(head), f, "{:?}", String::from_utf8_lossy(head));
        }
        assert!(sniff(b"[{\"a\":1}]").unwrap_err().contains("JSON array"));
        assert!(sniff(b"ab\0cd").unwrap_err().contains("binary"));
        assert!(sniff(b"\n\n").unwrap_err().contains("blank"));
    }

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn platform_layouts() {
        let page = br#"{"data": [{"id": "1", "text": "a:b", "entities": {"x": 1}}], "includes": {}, "meta": {}}"#;
        let flat = br#"{"id": "1", "text": "{", "author_id": "2", "created_at": "2021", "entities": {}}"#;
        let cut = br#"{"data": [{"id": "1", "text": "a very long line cut here"#;
        let cut_tweets = br#"{"data": [{"id": "1", "author_id": "2", "text": "a very long line cut here"#;
        let cut_with_twarc = br#"{"__twarc": {"url": "x"}, "data": [{"id": "1", "text": "cut"#;
        for (name, head, f) in [
            ("a.jsonl", &page[..], Format::XV2),
            ("a.json", &page[..], Format::XV2),
            ("a", &flat[..], Format::XV2),
            ("a.jsonl", &cut_with_twarc[..], Format::XV2),
            ("a.jsonl", &cut[..], Format::Jsonl),
            ("a.jsonl", &cut_tweets[..], Format::XV2),
            ("a.jsonl", &br#"{"data": 1, "account_id": "a"}"#[..], Format::Jsonl),
            ("a.jsonl", &br#"{"id": "1", "text": "x"}"#[..], Format::Jsonl),
            (
                "a.jsonl",
                &br#"{"created_at": "Wed", "id": 1, "id_str": "1", "user": {"id_str": "2"}}"#[..],
                Format::TwitterV1,
            ),
            ("a.csv", &b"tweetid,userid,tweet_time,urls\n"[..], Format::TwitterIo),
            ("a.csv.gz", &b"\"tweetid\",\"userid\",\"tweet_time\"\n"[..], Format::TwitterIo),
            ("a", &b"author_id,author,publish_date_utc,content\n"[..], Format::Ira538),
            ("a.csv", &b"external_author_id,author,content,publish_date\n"[..], Format::Ira538),
            ("a.csv", &b"account_id,object_id,timestamp_share\n"[..], Format::Csv),
            ("a.tsv", &b"tweetid\tuserid\ttweet_time\n"[..], Format::Tsv),
            ("a.csv", &b"Page Name,User Name,Facebook Id,Post Created,Type,URL,Message,Link\n"[..], Format::CrowdTangle),
            ("a.csv", &b"\"Account\",\"User Name\",\"Post Created\",\"URL\",\"Description\"\n"[..], Format::CrowdTangle),
            ("a.csv", &b"Page Name,Post Created,Message\n"[..], Format::Csv),
            (
                "result.json",
                &b"{\n \"name\": \"C\",\n \"type\": \"public_channel\",\n \"id\": 1,\n \"messages\": [\n  {\n   \"id\": 1,\n   \"date_unixtime\": \"1\""[..],
                Format::Telegram,
            ),
            ("result.json", &br#"{"about": "Here is the data", "personal_information": {"user_id": 1}"#[..], Format::Telegram),
            // A chat log of another tool with the same top-level keys stays generic.
            ("a.jsonl", &br#"{"id": "c1", "type": "chat", "messages": [{"role": "user"}]}"#[..], Format::Jsonl),
        ] {
            assert_eq!(format_of(name, head), Ok(f), "{name}: {:?}", String::from_utf8_lossy(head));
        }
        let (keys, complete) = top_level_keys(br#"{"a": {"b": 1}, "c\"d": [1, {"e": 2}], "f": "g:h"}"#);
        assert_eq!((keys, complete), (vec![s("a"), s("c\\\"d"), s("f")], true));
        assert_eq!(top_level_keys(br#"{"a": {"b": 1}, "c": [1, {"e"#), (vec![s("a"), s("c")], false));
    }
}
