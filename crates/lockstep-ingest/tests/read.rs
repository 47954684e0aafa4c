//! Reading every format end to end through `read_input`, from fixture files under
//! `tests/fixtures/` and from small files written into a temp dir.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{read_input, ColumnMap, Error, Format, ReadOptions, ReadSummary, Result, TimeUnit};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

struct Read {
    ds: Dataset,
    diags: Diagnostics,
    result: Result<ReadSummary>,
}

impl Read {
    fn summary(&self) -> &ReadSummary {
        match &self.result {
            Ok(s) => s,
            Err(e) => panic!("read failed: {e}"),
        }
    }
    fn err(&self) -> &Error {
        self.result.as_ref().expect_err("expected an error")
    }
    /// (account, object, kind, post, time) of every share.
    fn shares(&self) -> Vec<(String, String, String, String, i64)> {
        let ds = &self.ds;
        ds.shares
            .iter()
            .map(|s| {
                (
                    ds.accounts.get(s.account).to_string(),
                    ds.objects.get(s.object).to_string(),
                    ds.kind_of(s.object).to_string(),
                    ds.posts.get(s.post).to_string(),
                    s.time,
                )
            })
            .collect()
    }
    /// (reason, line) of the kept diagnostic examples, sorted by line.
    fn problems(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> =
            self.diags.by_reason.values().flat_map(|r| r.examples.iter().map(|d| (d.reason.clone(), d.line))).collect();
        v.sort_by_key(|p| p.1);
        v
    }
}

fn read(path: &Path, opts: &ReadOptions) -> Read {
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let result = read_input(path, opts, &mut ds, &mut diags);
    if let Ok(s) = &result {
        assert_eq!(s.records, s.shares + s.skipped, "records = shares + skipped");
        assert_eq!(s.skipped, diags.skipped);
        assert_eq!(s.shares as usize, ds.shares.len());
    }
    Read { ds, diags, result }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn s(x: &str) -> String {
    x.to_string()
}

fn opts() -> ReadOptions {
    ReadOptions::default()
}

// ---------------------------------------------------------------- CSV / TSV

#[test]
fn csv_quoted_fields_and_line_numbers() {
    let path = fixture("mixed.csv");
    let r = read(&path, &opts());
    let sum = r.summary();
    assert_eq!((sum.records, sum.shares, sum.skipped, sum.format), (7, 4, 3, Format::Csv));
    assert_eq!(sum.bytes, std::fs::metadata(&path).unwrap().len());
    let post9 = format!("{}:9", path.display());
    assert_eq!(
        r.shares(),
        [
            (s("alice"), s("https://e.com/a?x=1,2"), s("object"), s("p1"), 1_623_881_091),
            (s("bob"), s("multi\nline, \"quoted\" object"), s("object"), s("p2"), 1_623_881_092),
            (s("carol"), s("https://e.com/b"), s("object"), s("p3"), 1_623_881_093),
            (s("frank"), s("https://e.com/c"), s("object"), post9, 1_623_881_091),
        ]
    );
    assert_eq!(r.problems(), [(s("bad_timestamp"), 6), (s("wrong_field_count"), 7), (s("empty_field"), 8)]);
    let d = &r.diags.by_reason["bad_timestamp"].examples[0];
    assert_eq!(d.source, path.display().to_string());
    assert!(d.detail.contains("not-a-time"), "{}", d.detail);
}

/// An unclosed quote swallows the lines after it into one record: the diagnostic
/// says which lines, so none of them disappears without a word.
#[test]
fn unclosed_quote_names_the_lines_it_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "quote.csv",
        b"account_id,object_id,content_id,timestamp_share\n\
          alice,https://e.com/a,p1,1700000000\n\
          \"eve,https://e.com/a,p2,1700000001\n\
          erin,https://e.com/a,p3,1700000002\n\
          frank,https://e.com/a,p4,1700000003\n",
    );
    let r = read(&path, &opts());
    assert_eq!(r.shares().len(), 1);
    assert_eq!(r.problems(), [(s("wrong_field_count"), 3)]);
    let d = &r.diags.by_reason["wrong_field_count"].examples[0];
    assert!(d.detail.contains("lines 3-5") && d.detail.contains("not closed"), "{}", d.detail);
}

#[test]
fn strict_stops_with_file_line_and_reason() {
    let path = fixture("mixed.csv");
    let r = read(&path, &ReadOptions { strict: true, ..opts() });
    let err = r.err();
    assert!(matches!(err, Error::Record { line: 6, reason: "bad_timestamp", .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}:6: bad_timestamp:", path.display())), "{msg}");
    assert_eq!(r.ds.shares.len(), 3, "records before the bad one were read");
}

#[test]
fn tsv_with_millisecond_times() {
    let r = read(&fixture("shares.tsv"), &opts());
    assert_eq!(r.summary().format, Format::Tsv);
    let times: Vec<i64> = r.ds.shares.iter().map(|s| s.time).collect();
    assert_eq!(times, [1_623_881_091, 1_623_881_092]);
    // Explicit units: seconds would take the values literally.
    // Explicit seconds read milliseconds as the year 53,000: outside the plausible range.
    let r = read(&fixture("shares.tsv"), &ReadOptions { time_unit: TimeUnit::Seconds, ..opts() });
    assert_eq!(r.problems(), [(s("implausible_time"), 2), (s("implausible_time"), 3)]);
    let r = read(&fixture("shares.tsv"), &ReadOptions { time_unit: TimeUnit::Rfc3339, ..opts() });
    assert_eq!(r.summary().skipped, 2);
}

#[test]
fn ira_layout_with_naive_utc_times() {
    let columns = ColumnMap {
        account: s("userid"),
        object: s("urls"),
        time: s("tweet_time"),
        post: Some(s("tweetid")),
        kind: None,
    };
    let r = read(&fixture("ira.tsv"), &ReadOptions { columns, kind_label: s("url"), ..opts() });
    assert_eq!(
        r.shares(),
        [
            (s("u1"), s("https://e.com/a"), s("url"), s("1"), 1_472_731_200),
            (s("u2"), s("https://e.com/a"), s("url"), s("2"), 1_472_731_230),
        ]
    );
}

#[test]
fn kind_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "k.csv",
        b"account_id,object_id,type,timestamp_share\na,x,url,1700000001\nb,x,hashtag,1700000002\nc,x,,1700000003\n",
    );
    let columns = ColumnMap { kind: Some(s("type")), post: None, ..ColumnMap::default() };
    let r = read(&path, &ReadOptions { columns, ..opts() });
    assert_eq!(r.ds.objects.len(), 2);
    assert_eq!(r.ds.kind_of(r.ds.shares[1].object), "hashtag");
    assert_eq!(r.problems(), [(s("empty_field"), 4)]);
    assert_eq!(r.ds.posts.get(r.ds.shares[0].post), format!("{}:2", path.display()));
}

#[test]
fn non_utf8_field_is_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "latin1.csv",
        b"account_id,object_id,timestamp_share,note\nJos\xe9,o,1700000001,x\nok,o,1700000002,caf\xe9 is fine here\n",
    );
    let r = read(&path, &opts());
    assert_eq!((r.summary().shares, r.summary().skipped), (1, 1));
    assert_eq!(r.problems(), [(s("bad_utf8"), 2)]);
    assert!(r.diags.by_reason["bad_utf8"].examples[0].detail.contains("account_id"));

    let path = write(
        dir.path(),
        "latin1.jsonl",
        b"{\"account_id\":\"Jos\xe9\"}\n{\"account_id\":\"a\",\"object_id\":\"o\",\"timestamp_share\":1700000001}\n",
    );
    let r = read(&path, &opts());
    assert_eq!(r.problems(), [(s("bad_utf8"), 1)]);
    assert_eq!(r.summary().shares, 1);
}

#[test]
fn empty_inputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("header-only.csv", b"account_id,object_id,timestamp_share\n"),
        ("blank.jsonl", b"\n\n  \n"),
        ("empty.csv.gz", &gzip(b"")[..]),
    ] {
        let path = write(dir.path(), name, bytes);
        let r = read(&path, &opts());
        let err = r.err();
        assert!(matches!(err, Error::Empty { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let r = read(Path::new("/definitely/not/here.csv"), &opts());
    assert!(matches!(r.err(), Error::Open { .. }));
    assert!(r.err().to_string().contains("/definitely/not/here.csv"));
}

#[test]
fn missing_column_lists_available_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cols.csv", b"\xef\xbb\xbfuser,url,timestamp_share\na,b,1\n");
    let err = read(&path, &opts()).result.unwrap_err();
    match &err {
        Error::MissingColumn { role, column, available, .. } => {
            assert_eq!((*role, column.as_str()), ("account", "account_id"));
            assert_eq!(available, &[s("user"), s("url"), s("timestamp_share")], "BOM stripped");
        }
        other => panic!("{other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("cols.csv") && msg.contains("`account_id`") && msg.contains("`user`, `url`"), "{msg}");

    // JSON Lines: a key that no record has is a column error too, listing the keys seen.
    let path = write(dir.path(), "keys.jsonl", b"{\"user\":\"a\",\"object_id\":\"o\",\"timestamp_share\":1}\n");
    let err = read(&path, &opts()).result.unwrap_err();
    assert!(matches!(&err, Error::MissingColumn { column, .. } if column == "account_id"), "{err}");
    assert!(err.to_string().contains("`user`"), "{err}");
}

// ---------------------------------------------------------------- JSON Lines

#[test]
fn jsonl_nested_keys_numeric_ids_and_times() {
    let columns =
        ColumnMap { account: s("user.id"), object: s("url"), time: s("created_at"), post: Some(s("id")), kind: None };
    let r = read(&fixture("nested.jsonl"), &ReadOptions { columns, kind_label: s("url"), ..opts() });
    let sum = r.summary();
    assert_eq!((sum.records, sum.shares, sum.skipped, sum.format), (8, 4, 4, Format::Jsonl));
    assert_eq!(
        r.shares(),
        [
            (s("42"), s("https://e.com/a"), s("url"), s("1001"), 1_472_731_200),
            (s("43"), s("https://e.com/a"), s("url"), s("1002"), 1_472_731_205),
            (s("44"), s("https://e.com/a"), s("url"), s("1003"), 1_472_731_210),
            (s("47"), s("https://e.com/b"), s("url"), s("1007"), 1_472_731_230),
        ]
    );
    assert_eq!(r.problems(), [(s("missing_field"), 5), (s("bad_json"), 6), (s("bad_json"), 8), (s("bad_json"), 9)]);
}

// ---------------------------------------------------------------- compression

#[test]
fn gzip_and_zstd_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(fixture("mixed.csv")).unwrap();
    let expected = read(&fixture("mixed.csv"), &opts()).shares().into_iter().map(|t| t.1).collect::<Vec<_>>();
    let gz = write(dir.path(), "mixed.csv.gz", &gzip(&plain));
    // Concatenated gzip members (as `cat a.gz b.gz`) are one stream.
    let mut two = gzip(&plain[..40]);
    two.extend(gzip(&plain[40..]));
    let multi = write(dir.path(), "multi.csv.gz", &two);
    let zst = write(dir.path(), "mixed.csv.zst", &zstd::encode_all(&plain[..], 3).unwrap());
    let magic_only = write(dir.path(), "mixed-no-extension", &zstd::encode_all(&plain[..], 3).unwrap());
    for path in [gz, multi, zst, magic_only] {
        let r = read(&path, &opts());
        assert_eq!(r.summary().format, Format::Csv, "{}", path.display());
        assert_eq!(r.shares().into_iter().map(|t| t.1).collect::<Vec<_>>(), expected);
        assert_eq!(r.summary().bytes, std::fs::metadata(&path).unwrap().len());
    }
}

fn big_csv(rows: usize) -> Vec<u8> {
    let mut data = b"account_id,object_id,content_id,timestamp_share\n".to_vec();
    for i in 0..rows {
        writeln!(data, "account{},https://example.com/{},{i},{}", i % 977, i % 131, 1_600_000_000 + i).unwrap();
    }
    data
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = big_csv(50_000);
    let gz = gzip(&data);
    let path = write(dir.path(), "cut.csv.gz", &gz[..gz.len() / 2]);
    let r = read(&path, &opts());
    let err = r.err();
    match err {
        Error::Decompress { compression, line, .. } => {
            assert_eq!(*compression, "gzip");
            assert!(*line > 1000, "line reached {line}");
        }
        other => panic!("{other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("cut.csv.gz") && msg.contains("truncated gzip") && msg.contains("after line"), "{msg}");
    // Printed as a chain (as `{:#}` prints it), the cause in the message comes once.
    let mut chain = msg.clone();
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        chain.push_str(&format!(": {c}"));
        cause = c.source();
    }
    assert_eq!(chain, msg);

    // Cut in the trailer only (all data present, CRC/size missing).
    let path = write(dir.path(), "trailer.csv.gz", &gz[..gz.len() - 4]);
    assert!(matches!(read(&path, &opts()).err(), Error::Decompress { .. }));

    // Corrupt bytes in the middle.
    let mut bad = gz.clone();
    let mid = bad.len() / 2;
    bad[mid..mid + 64].fill(0xAA);
    let path = write(dir.path(), "corrupt.csv.gz", &bad);
    assert!(matches!(read(&path, &opts()).err(), Error::Decompress { .. }));

    // Not gzip at all, despite the name.
    let path = write(dir.path(), "fake.csv.gz", b"account_id,object_id\n");
    let err = read(&path, &opts()).result.unwrap_err();
    assert!(matches!(err, Error::Decompress { line: 0, .. }), "{err}");
}

#[test]
fn truncated_zstd_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd::encode_all(&big_csv(50_000)[..], 3).unwrap();
    let path = write(dir.path(), "cut.jsonl.zst", &zst[..zst.len() / 2]);
    // Wrong content for .jsonl on purpose: the stream error must come first or the
    // records are merely bad; force CSV to read the whole thing.
    let r = read(&path, &ReadOptions { format: Format::Csv, ..opts() });
    let err = r.err();
    assert!(matches!(err, Error::Decompress { compression: "zstd", .. }), "{err}");
    assert!(err.to_string().contains("cut.jsonl.zst"), "{err}");
}

// ---------------------------------------------------------------- detection

#[test]
fn auto_detection_by_extension_and_content() {
    let dir = tempfile::tempdir().unwrap();
    let csv = b"account_id,object_id,timestamp_share\na,o,1700000001\n";
    let tsv = b"account_id\tobject_id\ttimestamp_share\na\to\t1700000001\n";
    let jsonl = b"{\"account_id\":\"a\",\"object_id\":\"o\",\"timestamp_share\":1700000001}\n";
    for (name, bytes, format) in [
        ("a.csv", &csv[..], Format::Csv),
        ("a.txt", csv, Format::Csv),
        ("a.tsv", tsv, Format::Tsv),
        ("a.dat", tsv, Format::Tsv),
        ("a.ndjson", jsonl, Format::Jsonl),
        ("a.json", jsonl, Format::Jsonl),
        ("noext", jsonl, Format::Jsonl),
        ("a.gz", &gzip(tsv)[..], Format::Tsv),
        ("a.tsv.gz", &gzip(tsv)[..], Format::Tsv),
    ] {
        let path = write(dir.path(), name, bytes);
        let r = read(&path, &opts());
        assert_eq!(r.summary().format, format, "{name}");
        assert_eq!(r.summary().shares, 1, "{name}");
    }
    let path = write(dir.path(), "array.json", b"[{\"a\": 1}]");
    let err = read(&path, &opts()).result.unwrap_err();
    assert!(matches!(err, Error::UnknownFormat { .. }), "{err}");
    assert!(err.to_string().contains("JSON array"), "{err}");
    let path = write(dir.path(), "blob", b"\x00\x01\x02garbage");
    let err = read(&path, &opts()).result.unwrap_err();
    assert!(err.to_string().contains("cannot detect the input format"), "{err}");
}

// ---------------------------------------------------------------- Parquet

mod parquet_files {
    use super::*;
    use arrow::array::{
        ArrayRef, Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray, TimestampMillisecondArray,
    };
    use parquet::arrow::ArrowWriter;
    use std::sync::Arc;

    fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) {
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let file = std::fs::File::create(path).unwrap();
        let mut w = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }

    #[test]
    fn typed_columns_nulls_and_record_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shares.parquet");
        write_parquet(
            &path,
            vec![
                ("account_id", Arc::new(StringArray::from(vec![Some("a"), Some("b"), None, Some("d")])) as ArrayRef),
                ("object_id", Arc::new(LargeStringArray::from(vec!["x", "x", "y", ""]))),
                ("content_id", Arc::new(Int64Array::from(vec![10, 11, 12, 13]))),
                (
                    "timestamp_share",
                    Arc::new(
                        TimestampMillisecondArray::from(vec![1_623_881_091_999, 1_623_881_092_000, 0, 5])
                            .with_timezone("UTC"),
                    ),
                ),
                ("ignored", Arc::new(Int32Array::from(vec![1, 2, 3, 4]))),
            ],
        );
        let r = read(&path, &opts());
        assert_eq!(r.summary().format, Format::Parquet);
        assert_eq!(
            r.shares(),
            [
                (s("a"), s("x"), s("object"), s("10"), 1_623_881_091),
                (s("b"), s("x"), s("object"), s("11"), 1_623_881_092),
            ]
        );
        assert_eq!(r.problems(), [(s("missing_field"), 3), (s("empty_field"), 4)]);

        // Content detection (no extension) and gzip around Parquet.
        let bytes = std::fs::read(&path).unwrap();
        let noext = write(dir.path(), "blob", &bytes);
        assert_eq!(read(&noext, &opts()).summary().shares, 2);
        let gz = write(dir.path(), "shares.parquet.gz", &gzip(&bytes));
        assert_eq!(read(&gz, &opts()).summary().shares, 2);
    }

    #[test]
    fn integer_ids_and_millisecond_integers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ints.parquet");
        write_parquet(
            &path,
            vec![
                ("account_id", Arc::new(Int32Array::from(vec![7, 8])) as ArrayRef),
                ("object_id", Arc::new(Int64Array::from(vec![1_234_567_890_123, 5]))),
                ("timestamp_share", Arc::new(Int64Array::from(vec![1_623_881_091_500, 1_623_881_092_000]))),
                ("when", Arc::new(StringArray::from(vec!["2016-09-01 12:00:00", "nope"]))),
            ],
        );
        let r = read(&path, &ReadOptions { time_unit: TimeUnit::Millis, ..opts() });
        let post1 = format!("{}:1", path.display());
        assert_eq!(r.shares()[0], (s("7"), s("1234567890123"), s("object"), post1, 1_623_881_091));

        let columns = ColumnMap { time: s("when"), ..ColumnMap::default() };
        let r = read(&path, &ReadOptions { columns, ..opts() });
        assert_eq!(r.ds.shares[0].time, 1_472_731_200);
        assert_eq!(r.problems(), [(s("bad_timestamp"), 2)]);
    }

    #[test]
    fn missing_column_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cols.parquet");
        write_parquet(&path, vec![("user", Arc::new(StringArray::from(vec!["a"])) as ArrayRef)]);
        let err = read(&path, &opts()).result.unwrap_err();
        assert!(matches!(&err, Error::MissingColumn { available, .. } if available == &[s("user")]), "{err}");

        let bad = write(dir.path(), "bad.parquet", b"PAR1 this is not really parquet PAR1");
        let err = read(&bad, &opts()).result.unwrap_err();
        assert!(matches!(err, Error::Parquet { .. }), "{err}");
        assert!(err.to_string().contains("bad.parquet"), "{err}");
    }
}
