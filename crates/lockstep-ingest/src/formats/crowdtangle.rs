//! CrowdTangle CSV exports ("Historical Data" and saved-search / list
//! downloads of the dashboard) of Facebook pages, groups and verified
//! profiles, and of Instagram accounts. One row is one post. Column names as
//! CrowdTangle wrote them (Facebook: `Page Name` or `Group Name`, `User Name`,
//! `Facebook Id`, `Post Created`, `Type`, `Link`, `Final Link`, `Message`,
//! `URL`, …; Instagram: `Account`, `User Name`, `Post Created`, `Description`,
//! `URL`, `Link`, …).
//!
//! | post part | from |
//! | --- | --- |
//! | account | the first column the header has of `Facebook Id` (the page's or group's numeric id: stable), `User Name` (the handle: can be changed; Instagram exports have no id column), `Page Name`, `Group Name`, `Account` (display names: neither stable nor unique) — one column for the whole file |
//! | post id | `URL` (the post's own address) |
//! | time | `Post Created` (`2021-01-05 13:02:11 EST`: local time and a zone, see [`parse_created`]) |
//! | urls | `Final Link` (where `Link` led after redirects) when not empty, else `Link`; not when it is the post's own `URL` |
//! | hashtags | the `#tags` of the text |
//! | mentions | the `@names` of the text |
//! | repost, reply, quote, media | none: the export has no ids of other posts and no content hashes |
//! | text | `Message` (Facebook), else `Description` (an Instagram caption) |

use super::post_csv::{self, cell, required, tags_in, Header, Layout};
use super::Reader;
use crate::sink::{reason, Field, PostFields, PostNames, Sink};
use crate::source::Source;
use crate::Result;
use ::csv::ByteRecord;
use chrono::NaiveDateTime;

/// CrowdTangle CSV reader.
#[derive(Default)]
pub(crate) struct CrowdTangleReader {
    cols: Cols,
    names: Option<PostNames>,
}

#[derive(Default)]
struct Cols {
    account: usize,
    id: usize,
    time: usize,
    link: Option<usize>,
    final_link: Option<usize>,
    message: Option<usize>,
    description: Option<usize>,
}

/// Account columns, most stable first.
const ACCOUNT_COLUMNS: [&str; 5] = ["Facebook Id", "User Name", "Page Name", "Group Name", "Account"];

impl Reader for CrowdTangleReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        post_csv::read(self, src, sink)
    }
}

impl Layout for CrowdTangleReader {
    const NAMES: PostNames = PostNames { account: "Facebook Id", id: "URL", time: "Post Created" };

    fn bind(&mut self, h: &Header, file: &str) -> Result<()> {
        let account = required(h, &ACCOUNT_COLUMNS, "account", file)?;
        let account_name = ACCOUNT_COLUMNS
            .iter()
            .find(|n| h.names()[account].eq_ignore_ascii_case(n))
            .copied()
            .unwrap_or(Self::NAMES.account);
        self.names = Some(PostNames { account: account_name, ..Self::NAMES });
        self.cols = Cols {
            account,
            id: required(h, &["URL"], "post", file)?,
            time: required(h, &["Post Created"], "time", file)?,
            link: h.find(&["Link"]),
            final_link: h.find(&["Final Link"]),
            message: h.find(&["Message"]),
            description: h.find(&["Description"]),
        };
        Ok(())
    }

    fn row(&mut self, row: &ByteRecord, line: u64, sink: &mut Sink<'_>) -> Result<()> {
        let c = &self.cols;
        let time = match row.get(c.time).map(std::str::from_utf8) {
            None => Field::Missing,
            Some(Err(e)) => {
                return sink.reject(line, reason::BAD_UTF8, format!("`Post Created` is not valid UTF-8 ({e})"))
            }
            Some(Ok(s)) if s.trim().is_empty() => Field::Str(s),
            Some(Ok(s)) => match parse_created(s) {
                Ok(t) => Field::Seconds(t),
                Err(why) => return sink.reject(line, reason::BAD_TIMESTAMP, format!("`Post Created` = {s:?}: {why}")),
            },
        };
        let own = cell(row, Some(c.id)).map(str::trim).unwrap_or_default();
        let nonempty = |i: Option<usize>| cell(row, i).map(str::trim).filter(|s| !s.is_empty());
        let link = nonempty(c.final_link).or_else(|| nonempty(c.link)).filter(|l| *l != own);
        let text = nonempty(c.message).or_else(|| nonempty(c.description));
        let post = PostFields {
            account: row.get(c.account).map_or(Field::Missing, Field::Bytes),
            id: row.get(c.id).map_or(Field::Missing, Field::Bytes),
            time,
            urls: link.into_iter().collect(),
            hashtags: text.map(|t| tags_in(t, '#')).unwrap_or_default(),
            mentions: text.map(|t| tags_in(t, '@')).unwrap_or_default(),
            text,
            ..PostFields::default()
        };
        sink.accept_post(line, &post, self.names.as_ref().unwrap_or(&Self::NAMES))
    }
}

/// Zone abbreviations CrowdTangle wrote after `Post Created` and their UTC
/// offsets in minutes: the abbreviations of the tz database for North
/// America, Europe and the larger zones elsewhere that have one meaning.
/// Abbreviations with several meanings in use are refused (see [`AMBIGUOUS`]).
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("MET", 60),
    ("MEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("MSK", 180),
    ("WAT", 60),
    ("CAT", 120),
    ("SAST", 120),
    ("EAT", 180),
    ("PKT", 300),
    ("HKT", 480),
    ("JST", 540),
    ("KST", 540),
    ("WIB", 420),
    ("WITA", 480),
    ("WIT", 540),
    ("AWST", 480),
    ("ACST", 570),
    ("ACDT", 630),
    ("AEST", 600),
    ("AEDT", 660),
    ("NZST", 720),
    ("NZDT", 780),
    ("NST", -210),
    ("NDT", -150),
    ("AST", -240),
    ("ADT", -180),
    ("EST", -300),
    ("EDT", -240),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AKST", -540),
    ("AKDT", -480),
    ("HST", -600),
];

/// Abbreviations with more than one meaning in the tz database: refused
/// rather than guessed.
const AMBIGUOUS: &[(&str, &str)] = &[
    ("CST", "North American Central −06:00, China +08:00 or Cuba −05:00"),
    ("IST", "India +05:30, Ireland +01:00 or Israel +02:00"),
];

/// `Post Created` as UNIX seconds: `YYYY-MM-DD HH:MM:SS ZONE` where ZONE is an
/// abbreviation of [`ZONES`], a numeric offset (`+0100`, `+01:00`, `-05`), or
/// `UTC`/`GMT` followed by one (`UTC+1`, `GMT-05:00`). RFC 3339 with an offset
/// is read as well. A time without a zone, or with an unknown or ambiguous
/// zone, is an error: the zone is never guessed.
pub(crate) fn parse_created(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    let (local, zone) = match s.rsplit_once(' ') {
        Some((l, z)) if l.contains(' ') || l.contains('T') => (l.trim_end(), z),
        _ => {
            return chrono::DateTime::parse_from_rfc3339(s)
                .map(|d| d.timestamp())
                .map_err(|_| "no time zone after the time (expected e.g. `2021-01-05 13:02:11 EST`)".to_string())
        }
    };
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(local, f).ok())
        .ok_or_else(|| format!("`{local}` is not a date and time `YYYY-MM-DD HH:MM:SS`"))?;
    let minutes = zone_offset(zone)?;
    Ok(naive.and_utc().timestamp() - i64::from(minutes) * 60)
}

/// The UTC offset of a zone, in minutes.
fn zone_offset(zone: &str) -> std::result::Result<i32, String> {
    let upper = zone.to_ascii_uppercase();
    if let Some((_, m)) = ZONES.iter().find(|(z, _)| *z == upper) {
        return Ok(*m);
    }
    if let Some((z, meanings)) = AMBIGUOUS.iter().find(|(z, _)| *z == upper) {
        return Err(format!("the zone `{z}` is ambiguous ({meanings}); give the offset instead"));
    }
    let numeric = upper.strip_prefix("UTC").or_else(|| upper.strip_prefix("GMT")).unwrap_or(&upper);
    numeric_offset(numeric).ok_or_else(|| format!("unknown time zone `{zone}`"))
}

/// `+01`, `+0100`, `+01:00`, `-5`, `+5:30` as minutes east of UTC.
fn numeric_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    // Only digits and `:` from here on, so the byte splits below are on
    // character boundaries.
    if !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let digits = |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_times_with_zones() {
        // 2021-01-05 18:02:11 UTC.
        let t = 1_609_869_731;
        for s in [
            "2021-01-05 13:02:11 EST",
            "2021-01-05 18:02:11 UTC",
            "2021-01-05 18:02:11 GMT",
            "2021-01-05 19:02:11 CET",
            "2021-01-05 19:02:11 +0100",
            "2021-01-05 19:02:11 +01:00",
            "2021-01-05 19:02:11 UTC+1",
            "2021-01-05 13:02:11 GMT-05:00",
            "2021-01-05 23:32:11 +05:30",
            "2021-01-05T13:02:11-05:00",
            " 2021-01-05 10:02:11 pst ",
        ] {
            assert_eq!(parse_created(s), Ok(t), "{s}");
        }
        // Summer time: EDT is UTC−4.
        assert_eq!(parse_created("2020-07-01 08:00:00 EDT"), Ok(1_593_604_800));
        for (s, why) in [
            ("2021-01-05 13:02:11", "no time zone"),
            ("2021-01-05 13:02:11 XYZT", "unknown time zone `XYZT`"),
            ("2021-01-05 13:02:11 CST", "ambiguous"),
            ("2021-01-05 13:02:11 IST", "ambiguous"),
            ("2021-01-05 13:02:11 +25", "unknown time zone"),
            // Four bytes that are not four characters (found by review: the
            // split of `+HHMM` fell inside `é`).
            ("2021-01-05 13:02:11 +aéb", "unknown time zone"),
            ("2021-01-05 13:02:11 UTC+1é", "unknown time zone"),
            ("2021-02-30 13:02:11 UTC", "not a date and time"),
            ("yesterday at noon", "not a date and time"),
            ("", "no time zone"),
        ] {
            let err = parse_created(s).unwrap_err();
            assert!(err.contains(why), "{s}: {err}");
        }
    }
}
