//! Platform readers end to end: each fixture is read with automatic detection
//! and every object kind, and its shares, counts and diagnostics are compared
//! with a snapshot (`tests/fixtures/<fixture>.shares`). The real samples in
//! ../shared are read too (skipped when absent, a failure under `CI=true`).
//!
//! `UPDATE_SNAPSHOTS=1` rewrites the snapshots instead of comparing; review the diff.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{read_input, Format, ObjectKinds, ReadOptions, ReadSummary};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn all_kinds() -> ReadOptions {
    ReadOptions { objects: ObjectKinds::all(), ..ReadOptions::default() }
}

/// Reads `path`, checks the counting invariants, returns everything.
fn read(path: &Path, opts: &ReadOptions) -> (Dataset, Diagnostics, ReadSummary) {
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let s = read_input(path, opts, &mut ds, &mut diags).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(s.records, s.posts + s.skipped, "records == posts + skipped");
    assert_eq!(s.skipped, diags.skipped);
    assert_eq!(s.shares as usize, ds.shares.len());
    (ds, diags, s)
}

/// The snapshot text of a read: summary, every share, every diagnostic example.
fn render(ds: &Dataset, diags: &Diagnostics, s: &ReadSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# format={} records={} posts={} skipped={} shares={} posts_without_objects={} shortened_urls={} unparsed_urls={}",
        s.format, s.records, s.posts, s.skipped, s.shares, s.posts_without_objects, s.shortened_urls, s.unparsed_urls
    );
    for sh in &ds.shares {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            ds.kind_of(sh.object),
            ds.objects.get(sh.object),
            ds.accounts.get(sh.account),
            ds.posts.get(sh.post),
            sh.time
        );
    }
    for r in diags.by_reason.values() {
        for d in &r.examples {
            // Paths differ between machines: keep the file name only.
            let file = Path::new(&d.source).file_name().map_or(d.source.clone(), |f| f.to_string_lossy().into_owned());
            let _ = writeln!(out, "! {file}:{}: {}: {}", d.line, d.reason, d.detail);
        }
    }
    out.replace(&fixture("").display().to_string(), "")
}

/// Reads a fixture and compares with (or, with `UPDATE_SNAPSHOTS=1`, writes) its snapshot.
fn check_snapshot(name: &str, expected_format: Format) {
    let path = fixture(name);
    let (ds, diags, s) = read(&path, &all_kinds());
    assert_eq!(s.format, expected_format, "auto-detection of {name}");
    let got = render(&ds, &diags, &s);
    let snap = fixture(&format!("{name}.shares"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&snap).unwrap_or_else(|e| panic!("{}: {e}", snap.display()));
    assert_eq!(got, want, "snapshot of {name} differs (UPDATE_SNAPSHOTS=1 rewrites it)");
}

#[test]
fn x_v2_pages() {
    check_snapshot("x_v2_page.jsonl", Format::XV2);
}

#[test]
fn x_v2_flattened() {
    check_snapshot("x_v2_flat.jsonl", Format::XV2);
}

#[test]
fn ira_538_resplit() {
    check_snapshot("ira_538.csv", Format::Ira538);
}

#[test]
fn ira_538_original() {
    check_snapshot("ira_538_original.csv", Format::Ira538);
}

#[test]
fn twitter_io_archive() {
    check_snapshot("twitter_io.csv", Format::TwitterIo);
}

#[test]
fn twitter_v1_statuses() {
    check_snapshot("twitter_v1.jsonl", Format::TwitterV1);
}

#[test]
fn bluesky_jetstream_events() {
    check_snapshot("bluesky.jsonl", Format::Bluesky);
}

#[test]
fn mastodon_api_array() {
    check_snapshot("mastodon.json", Format::Mastodon);
}

#[test]
fn mastodon_json_lines() {
    check_snapshot("mastodon.jsonl", Format::Mastodon);
}

#[test]
fn crowdtangle_facebook() {
    check_snapshot("crowdtangle_facebook.csv", Format::CrowdTangle);
}

#[test]
fn crowdtangle_instagram() {
    check_snapshot("crowdtangle_instagram.csv", Format::CrowdTangle);
}

#[test]
fn telegram_channel_export() {
    check_snapshot("telegram.json", Format::Telegram);
}

#[test]
fn telegram_account_export() {
    check_snapshot("telegram_account.json", Format::Telegram);
}

/// Every fixture with the format auto-detection gives it: the two readers
/// added last are recognised, and the earlier fixtures still are as before.
#[test]
fn auto_detection_of_every_fixture() {
    for (name, format) in [
        ("x_v2_page.jsonl", Format::XV2),
        ("x_v2_flat.jsonl", Format::XV2),
        ("ira_538.csv", Format::Ira538),
        ("ira_538_original.csv", Format::Ira538),
        ("twitter_io.csv", Format::TwitterIo),
        ("twitter_v1.jsonl", Format::TwitterV1),
        ("bluesky.jsonl", Format::Bluesky),
        ("mastodon.json", Format::Mastodon),
        ("mastodon.jsonl", Format::Mastodon),
        ("crowdtangle_facebook.csv", Format::CrowdTangle),
        ("crowdtangle_instagram.csv", Format::CrowdTangle),
        ("telegram.json", Format::Telegram),
        ("telegram_account.json", Format::Telegram),
        ("mixed.csv", Format::Csv),
        ("shares.tsv", Format::Tsv),
        ("ira.tsv", Format::Tsv),
        ("nested.jsonl", Format::Jsonl),
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let mut ds = Dataset::default();
        let opts =
            ReadOptions { columns: lockstep_ingest::ColumnMap { post: None, ..Default::default() }, ..all_kinds() };
        // Detection happens before any record is read: a read that fails on the
        // generic fixtures' columns still names the format it chose.
        match lockstep_ingest::read_bytes(name, &bytes, &opts, &mut ds, &mut Diagnostics::default()) {
            Ok(s) => assert_eq!(s.format, format, "{name}"),
            Err(e) => assert!(
                !format.is_platform() && !matches!(e, lockstep_ingest::Error::UnknownFormat { .. }),
                "{name}: {e}"
            ),
        }
    }
}

/// A UTF-8 byte order mark (Windows tools write one) changes nothing, in every
/// format: the same format is detected and the same records read.
#[test]
fn a_bom_is_accepted_by_every_reader() {
    for name in [
        "x_v2_page.jsonl",
        "x_v2_flat.jsonl",
        "ira_538.csv",
        "ira_538_original.csv",
        "twitter_io.csv",
        "twitter_v1.jsonl",
        "bluesky.jsonl",
        "mastodon.json",
        "mastodon.jsonl",
        "crowdtangle_facebook.csv",
        "crowdtangle_instagram.csv",
        "telegram.json",
        "telegram_account.json",
        "mixed.csv",
        "shares.tsv",
        "nested.jsonl",
    ] {
        let plain = std::fs::read(fixture(name)).unwrap();
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(&plain);
        let opts = all_kinds();
        let read = |bytes: &[u8]| {
            let (mut ds, mut diags) = (Dataset::default(), Diagnostics::default());
            let s = lockstep_ingest::read_bytes(name, bytes, &opts, &mut ds, &mut diags);
            s.map(|s| (s.format, s.records, s.posts, s.skipped, s.shares, ds.shares.len())).map_err(|e| e.to_string())
        };
        assert_eq!(read(&bom), read(&plain), "{name}");
    }
}

/// A Telegram export cut in the middle (a download or copy that stopped):
/// the messages before the cut are read, the cut is one `bad_json` record
/// naming the last good message, and nothing panics.
#[test]
fn telegram_cut_export_reports_where_it_breaks() {
    let bytes = std::fs::read(fixture("telegram.json")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let cut = text.find("\"Thanks \"").expect("message 4 in the fixture");
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let s =
        lockstep_ingest::read_bytes("result.json", &text.as_bytes()[..cut], &all_kinds(), &mut ds, &mut diags).unwrap();
    assert_eq!(s.format, Format::Telegram);
    // Messages 1 (service), 2 and 3 are read; the cut one is the 4th record.
    assert_eq!((s.records, s.posts, s.skipped), (4, 2, 2));
    let bad = &diags.by_reason["bad_json"].examples[0];
    assert_eq!((bad.source.as_str(), bad.line), ("result.json", 4));
    assert!(bad.detail.starts_with("the input ends after message id 3 (chat 1234567890)"), "{}", bad.detail);
    assert!(bad.detail.contains("nothing after this point is read"), "{}", bad.detail);
    // Strict mode stops at the service message, naming it.
    let strict = ReadOptions { strict: true, ..all_kinds() };
    let err = lockstep_ingest::read_bytes(
        "result.json",
        text.as_bytes(),
        &strict,
        &mut Dataset::default(),
        &mut Diagnostics::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "result.json:1: not_a_post: message id 1 (chat 1234567890, messages[0]): a service message (action \
         `create_channel`) (strict mode stops at the first bad record)"
    );
}

#[test]
fn mastodon_cut_array_keeps_the_complete_statuses() {
    let text = std::fs::read_to_string(fixture("mastodon.json")).unwrap();
    // Cut inside the third status (the one with id 103270130000000000).
    let cut = text.find("\"103270130000000000\"").expect("third status in the fixture") + 5;
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let s = lockstep_ingest::read_bytes("statuses.json", &text.as_bytes()[..cut], &all_kinds(), &mut ds, &mut diags)
        .unwrap();
    assert_eq!(s.format, Format::Mastodon);
    // Statuses 1 and 2 are read whole; the cut third is one bad record.
    assert_eq!((s.records, s.posts, s.skipped), (3, 2, 1));
    let posts: std::collections::BTreeSet<&str> = ds.shares.iter().map(|sh| ds.posts.get(sh.post)).collect();
    assert_eq!(posts.len(), 2, "{posts:?}");
    let line = 1 + text[..text.find("\"103270130000000000\"").unwrap()].matches('\n').count() - 1;
    let bad = &diags.by_reason["bad_json"].examples[0];
    assert_eq!(bad.line, 3);
    let at = format!("cut or malformed at line {line}, byte ");
    assert!(bad.detail.contains(&at), "{} (expected {at})", bad.detail);
    assert!(bad.detail.contains("the 2 complete statuses before it are read"), "{}", bad.detail);
    // With a UTF-8 BOM the whole array reads as without.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let (mut ds2, mut diags2) = (Dataset::default(), Diagnostics::default());
    let s = lockstep_ingest::read_bytes("statuses.json", &bom, &all_kinds(), &mut ds2, &mut diags2).unwrap();
    assert_eq!((s.format, s.records, s.posts, s.skipped, s.shares), (Format::Mastodon, 5, 3, 2, 15));
}

#[test]
fn telegram_export_with_a_bom() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(&std::fs::read(fixture("telegram.json")).unwrap());
    let (plain_ds, _, plain) = read(&fixture("telegram.json"), &all_kinds());
    for format in [Format::Telegram, Format::Auto] {
        let (mut ds, mut diags) = (Dataset::default(), Diagnostics::default());
        let opts = ReadOptions { format, ..all_kinds() };
        let s = lockstep_ingest::read_bytes("result.json", &bytes, &opts, &mut ds, &mut diags).unwrap();
        assert_eq!(
            (s.format, s.records, s.posts, s.shares),
            (Format::Telegram, plain.records, plain.posts, plain.shares)
        );
        assert_eq!(ds.shares.len(), plain_ds.shares.len());
    }
}

/// Corrupted CrowdTangle rows: bytes that are not UTF-8 in `Post Created`, an
/// unparsable date, a zone nobody uses, a row of the wrong length.
#[test]
fn crowdtangle_corrupted_rows_are_diagnosed() {
    let mut bytes = b"Page Name,User Name,Facebook Id,Post Created,Type,URL,Message,Link,Final Link\n".to_vec();
    bytes.extend_from_slice(b"P,p,1,2021-01-05 13:02:11 \xff\xfe,Link,https://fb.com/p/1,hi,https://a.example/x,\n");
    bytes.extend_from_slice(b"P,p,1,05/01/2021 1:02 PM EST,Link,https://fb.com/p/2,hi,https://a.example/x,\n");
    bytes.extend_from_slice(b"P,p,1,2021-01-05 13:02:11 QQT,Link,https://fb.com/p/3,hi,https://a.example/x,\n");
    bytes.extend_from_slice(b"P,p,1,2021-01-05 13:02:11 EST,Link\n");
    bytes.extend_from_slice(b"P,p,1,2021-01-05 13:02:11 EST,Link,https://fb.com/p/5,hi,https://a.example/x,\n");
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let s = lockstep_ingest::read_bytes("ct.csv", &bytes, &all_kinds(), &mut ds, &mut diags).unwrap();
    assert_eq!(s.format, Format::CrowdTangle);
    assert_eq!((s.records, s.posts, s.skipped), (5, 1, 4));
    let got: Vec<String> = diags.by_reason.values().flat_map(|r| r.examples.iter().map(|d| d.to_string())).collect();
    assert_eq!(
        got,
        [
            "ct.csv:3: bad_timestamp: `Post Created` = \"05/01/2021 1:02 PM EST\": `05/01/2021 1:02 PM` is not a date and time `YYYY-MM-DD HH:MM:SS`",
            "ct.csv:4: bad_timestamp: `Post Created` = \"2021-01-05 13:02:11 QQT\": unknown time zone `QQT`",
            "ct.csv:2: bad_utf8: `Post Created` is not valid UTF-8 (invalid utf-8 sequence of 1 bytes from index 20)",
            "ct.csv:5: wrong_field_count: 5 fields, the header has 9",
        ]
    );
    assert_eq!(ds.shares[0].time, 1_609_869_731);
}

#[test]
fn default_kinds_and_strict_mode() {
    let (ds, _, s) = read(&fixture("x_v2_page.jsonl"), &ReadOptions::default());
    let mut kinds: Vec<&str> = ds.shares.iter().map(|sh| ds.kind_of(sh.object)).collect();
    kinds.dedup();
    assert!(kinds.iter().all(|k| ["url", "domain", "hashtag", "repost", "text"].contains(k)), "{kinds:?}");
    assert_eq!(s.posts, 4);
    let strict = ReadOptions { strict: true, ..ReadOptions::default() };
    let mut ds = Dataset::default();
    let err = read_input(&fixture("x_v2_page.jsonl"), &strict, &mut ds, &mut Diagnostics::default()).unwrap_err();
    assert!(err.to_string().contains(":2: not_a_post:"), "{err}");
}

/// Lines the one-pass X API v2 parse rejects are parsed again the two-step way
/// (the line, then its `data`), whose errors name the part that is wrong; the
/// good lines around them and escaped strings read as usual.
#[test]
fn x_v2_bad_data_is_diagnosed_by_part() {
    let lines = [
        // A tweet id that is a number: `data` as a list, then as one tweet.
        r#"{"data": [{"id": 5, "author_id": "7", "text": "a", "created_at": "2021-05-18T19:24:56Z"}]}"#,
        r#"{"data": {"id": "1", "author_id": 7, "text": "a", "created_at": "2021-05-18T19:24:56Z"}}"#,
        // `data` that is neither a tweet nor a list.
        r#"{"data": "tweets"}"#,
        // Good `data`, bad `includes` after it.
        r#"{"data": [{"id": "2", "author_id": "7", "text": "a", "created_at": "2021-05-18T19:24:56Z"}], "includes": {"tweets": 3}}"#,
        // A duplicate key.
        r#"{"data": [], "data": []}"#,
        // Escaped strings (copied, not borrowed) and a retweet resolved from `includes`.
        r#"{"data": [{"id": "3", "author_id": "\u0037", "text": "RT @b: x", "created_at": "2021-05-18T19:24:56Z", "referenced_tweets": [{"type": "retweeted", "id": "9"}]}], "includes": {"tweets": [{"id": "9", "text": "Caf\u00e9 \"Hello\"\n#Tag", "entities": {"hashtags": [{"tag": "T\u0061g"}]}}]}}"#,
    ];
    let bytes = lines.join("\n").into_bytes();
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let opts = ReadOptions { format: Format::XV2, ..all_kinds() };
    let s = lockstep_ingest::read_bytes("bad.jsonl", &bytes, &opts, &mut ds, &mut diags).unwrap();
    assert_eq!((s.records, s.posts, s.skipped), (6, 1, 5));
    let shares: Vec<String> = ds
        .shares
        .iter()
        .map(|sh| {
            format!(
                "{} {} {} {}",
                ds.kind_of(sh.object),
                ds.objects.get(sh.object),
                ds.accounts.get(sh.account),
                ds.posts.get(sh.post)
            )
        })
        .collect();
    assert_eq!(shares, ["hashtag tag 7 3", "repost 9 7 3", "text café \"hello\" #tag 7 3"]);
    let mut details: Vec<(u64, String)> =
        diags.by_reason.values().flat_map(|r| r.examples.iter().map(|d| (d.line, d.detail.clone()))).collect();
    details.sort();
    assert_eq!(
        details,
        [
            (
                1,
                "`data` is not a list of tweets: invalid type: integer `5`, expected a string at line 1 column 9"
                    .into()
            ),
            (2, "`data` is not a tweet: invalid type: integer `7`, expected a string at line 1 column 26".into()),
            (
                3,
                "`data` is not a tweet: invalid type: string \"tweets\", expected struct Tweet at line 1 column 8"
                    .into()
            ),
            (
                4,
                "not an X API v2 page or tweet: invalid type: integer `3`, expected a sequence at line 1 column 117"
                    .into()
            ),
            (5, "not an X API v2 page or tweet: duplicate field `data` at line 1 column 19".into()),
        ]
    );
}

#[test]
fn a_platform_file_can_still_be_read_generically() {
    let opts = ReadOptions {
        format: Format::Csv,
        columns: lockstep_ingest::ColumnMap {
            account: "userid".into(),
            object: "tweet_text".into(),
            time: "tweet_time".into(),
            post: Some("tweetid".into()),
            kind: None,
        },
        ..ReadOptions::default()
    };
    let mut ds = Dataset::default();
    let s = read_input(&fixture("twitter_io.csv"), &opts, &mut ds, &mut Diagnostics::default()).unwrap();
    assert_eq!((s.format, s.records, s.shares, s.skipped), (Format::Csv, 4, 3, 1));
}

// ------------------------------------------------------------- real samples

fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")).join(rel);
    if path.exists() {
        return Some(path);
    }
    let why = format!("{} is absent (the shared data folder is not beside the repository)", path.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("shared sample missing under CI: {why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}

#[test]
fn real_x_v2_samples() {
    let Some(dir) = shared("data/x-api-v2-samples") else { return };
    let mut total_posts = 0;
    for (name, records, posts) in [
        ("2sets.jsonl", 200, 200),
        ("brexit.jsonl", 100, 100),
        ("entities_test.jsonl", 474, 474),
        ("flat.jsonl", 100, 100),
        ("kpop.jsonl", 100, 100),
        ("many_urls.jsonl", 1, 1),
        ("mentions_tweet.jsonl", 1, 1),
        ("two_tweets.jsonl", 1, 1),
        ("users.jsonl", 96, 0),
        ("withheld.jsonl", 215, 215),
    ] {
        let (ds, diags, s) = read(&dir.join(name), &all_kinds());
        assert_eq!(s.format, Format::XV2, "{name} detected");
        assert_eq!((s.records, s.posts), (records, posts), "{name}: {diags:?}");
        if posts == 0 {
            assert_eq!(diags.by_reason["not_a_post"].count, records, "{name}");
        } else {
            assert!(diags.is_empty(), "{name}: {diags:?}");
            assert!(!ds.shares.is_empty(), "{name}");
        }
        total_posts += s.posts;
    }
    assert_eq!(total_posts, 1_192);

    // The retweet in two_tweets.jsonl, resolved from `includes`.
    let (ds, _, _) = read(&dir.join("two_tweets.jsonl"), &all_kinds());
    let got: Vec<String> = ds
        .shares
        .iter()
        .map(|sh| format!("{} {} {}", ds.kind_of(sh.object), ds.objects.get(sh.object), ds.accounts.get(sh.account)))
        .collect();
    assert_eq!(
        got,
        [
            "hashtag poiuytrewq 1379899464345923590",
            "repost 1391677057810288641 1379899464345923590",
            "text #poiuytrewq 1379899464345923590"
        ]
    );
}

#[test]
fn real_ira_sample_reads_completely() {
    let Some(path) = shared("data/ira-2016q4/ira_tweets_2016-09_to_2016-11.csv.gz") else { return };
    let opts = ReadOptions { objects: "hashtag,text,url,domain".parse().unwrap(), ..ReadOptions::default() };
    let (ds, diags, s) = read(&path, &opts);
    assert_eq!(s.format, Format::Ira538);
    assert_eq!((s.records, s.posts, s.skipped), (326_980, 326_980, 0), "{diags:?}");
    assert_eq!(ds.accounts.len(), 598);
    // t.co links are shortened: they give url objects but no domain.
    assert!(s.shortened_urls > 100_000, "{}", s.shortened_urls);
    let kinds: std::collections::BTreeSet<&str> = ds.shares.iter().map(|sh| ds.kind_of(sh.object)).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["domain", "hashtag", "text", "url"]);
}

#[test]
fn malformed_parquet_footer_is_an_error_not_a_panic() {
    // Found by the `read_parquet` fuzz target: parquet 55 panics on this footer.
    let bytes: &[u8] = &[
        0xd9, 0x5a, 0xcc, 0x41, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x41, 0x52, 0x8c, 0x8c, 0x3d, 0x8c, 0x8c,
        0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x2f, 0x5d, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x26,
        0x97, 0x00, 0x50, 0x97, 0x97, 0x41, 0x52, 0x31, 0x41, 0x0f, 0x00, 0x00, 0x00, 0x50, 0x41, 0x52, 0x31,
    ];
    let opts = ReadOptions { format: Format::Parquet, ..ReadOptions::default() };
    let mut ds = Dataset::default();
    let r = lockstep_ingest::read_bytes("bad.parquet", bytes, &opts, &mut ds, &mut Diagnostics::default());
    assert!(r.is_err(), "a malformed footer must be an error");
}

#[test]
fn parquet_footer_declaring_billions_of_elements_is_an_error_not_an_abort() {
    // Found by the `read_parquet` fuzz target: parquet 55 sizes a vector from a
    // list count the footer declares and aborts the process asking for ~100 GB.
    // FileMetaData { version: 1, schema: a list of structs declaring 2^28 elements
    // with 3 present }.
    let meta: &[u8] = &[0x15, 0x02, 0x19, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0, 0];
    let mut bytes = b"PAR1".to_vec();
    bytes.extend_from_slice(meta);
    bytes.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"PAR1");
    for format in [Format::Parquet, Format::Auto] {
        let opts = ReadOptions { format, ..ReadOptions::default() };
        let mut ds = Dataset::default();
        let r = lockstep_ingest::read_bytes("huge.parquet", &bytes, &opts, &mut ds, &mut Diagnostics::default());
        let err = r.expect_err("a footer declaring more than it holds must be an error").to_string();
        assert!(err.contains("huge.parquet") && err.contains("declares 268435456 elements"), "{err}");
    }
}

#[test]
fn malformed_arrow_schema_in_parquet_is_an_error_not_a_panic() {
    // Found by the `read_parquet` fuzz target (2026-12-07): a Parquet footer whose
    // embedded Arrow schema makes arrow-ipc 55 panic (`convert.rs:181`), and one
    // whose metadata declares a length that overflows a vector's capacity in
    // parquet 55 (`metadata/reader.rs:1008`).
    for (name, format) in [
        ("fuzz_arrow_schema_panic.parquet", Format::Parquet),
        ("fuzz_arrow_schema_panic.parquet", Format::Auto),
        ("fuzz_capacity_overflow.parquet", Format::Parquet),
        ("fuzz_capacity_overflow.parquet", Format::Auto),
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let opts = ReadOptions { format, ..ReadOptions::default() };
        let mut ds = Dataset::default();
        let r = lockstep_ingest::read_bytes("bad.parquet", &bytes, &opts, &mut ds, &mut Diagnostics::default());
        let err = r.expect_err("a malformed schema must be an error").to_string();
        assert!(err.contains("bad.parquet") && err.contains("malformed Parquet file"), "{err}");
    }
}
