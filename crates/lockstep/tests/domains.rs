//! `lockstep domains` and the domain annotation of `lockstep detect`, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

fn lockstep(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockstep")).args(args).output().expect("run lockstep")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn rows(csv_text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn classifies_domains_and_urls_as_csv() {
    let o = lockstep(&[
        "domains",
        "--output-format",
        "csv",
        "https://www.washingtonpost.pm/politics/2024/x",
        "spiegel.ltd",
        "t-onlinr.live",
        "www.spiegel.de",
        "example.org",
        "not a domain",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let got: Vec<(String, String, String, String)> =
        rows(&out).into_iter().map(|r| (r[1].clone(), r[3].clone(), r[8].clone(), r[9].clone())).collect();
    let want = [
        ("www.washingtonpost.pm", "known", "washingtonpost.com", "other-suffix"),
        ("spiegel.ltd", "known", "spiegel.de", "other-suffix"),
        ("t-onlinr.live", "look-alike", "t-online.de", "keyboard"),
        ("www.spiegel.de", "clean", "", ""),
        ("example.org", "clean", "", ""),
        ("", "invalid", "", ""),
    ];
    let want: Vec<(String, String, String, String)> =
        want.iter().map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string())).collect();
    assert_eq!(got, want, "{out}");
    // With the built-in feed off, the detector alone still flags them.
    let o = lockstep(&["domains", "--no-builtin-feed", "--output-format", "json", "spiegel.ltd"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["class"], "look-alike");
    assert_eq!(v[0]["score"], 0.9);
}

#[test]
fn user_feed_and_watchlist_with_bad_rows_reported() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.csv");
    std::fs::write(
        &feed,
        "domain,source,campaign,date_first_reported,notes\nexample-op.net,Test report,Op X,2025-01-02,\n10.0.0.1,x,y,2025-01-01,\n",
    )
    .unwrap();
    let wl = dir.path().join("outlets.csv");
    std::fs::write(&wl, "domain,name,country,language,source\nkrakowpost.pl,Krakow Post,PL,en,test\n").unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "# comment\nexample-op.net\n\nkrakovpost.com\nkrakowpost.pl\n").unwrap();
    let args = [
        "domains",
        "--feed",
        feed.to_str().unwrap(),
        "--watchlist",
        wl.to_str().unwrap(),
        "-i",
        list.to_str().unwrap(),
    ];
    let o = lockstep(&args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("feed.csv: 1 rows skipped") && err.contains("feed.csv:3: ip_address"), "{err}");
    assert!(out.contains("Op X — Test report (first reported 2025-01-02)"), "{out}");
    // `v` for `w`: Kraków as spelt in another language.
    assert!(out.contains("imitates krakowpost.pl (Krakow Post) by transliteration"), "{out}");
    assert!(out.contains("own domain of Krakow Post"), "{out}");
    assert!(out.contains("3 domains: 1 known, 1 look-alike, 1 clean, 0 invalid"), "{out}");
    // Same input, same bytes.
    assert_eq!(lockstep(&args).stdout, o.stdout);
    // --flagged keeps known and look-alike only.
    let mut flagged = args.to_vec();
    flagged.push("--flagged");
    let (out, _) = text(&lockstep(&flagged));
    assert!(out.contains("2 domains: 1 known, 1 look-alike, 0 clean"), "{out}");
}

#[test]
fn targets_beyond_the_watchlist_with_the_why_of_every_verdict() {
    // A popularity list in Tranco's layout (no header), one bad row.
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("top.csv");
    std::fs::write(
        &top,
        "1,brightwidget.com\n2,valdoraherald.com\nthree,oops.com\n4,interiorvex.gouv.fr\n5,brightwidget.io\n",
    )
    .unwrap();
    let args = [
        "domains",
        "--no-builtin-feed",
        "--no-builtin-watchlist",
        "--targets",
        top.to_str().unwrap(),
        "--output-format",
        "csv",
        "valdoraherald.ltd",
        "interiorvex.gouv.pw",
        "brightwidget.io",
        "brightwidget.site",
        "unrelated-name.org",
    ];
    let o = lockstep(&args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("top.csv: 1 rows skipped") && err.contains("top.csv:3: bad_rank"), "{err}");
    let header = out.lines().next().unwrap();
    assert!(header.ends_with(",groups,why"), "{header}");
    let got: Vec<(String, String, String)> =
        rows(&out).into_iter().map(|r| (r[1].clone(), r[3].clone(), r[15].clone())).collect();
    let expect = [
        ("valdoraherald.ltd", "look-alike", "other-suffix of valdoraherald.com (valdoraherald.com); technique ×0.95; .ltd: cheap, most abused TLD ×0.95; name distinctive ×1.00; target popularity rank 2 ×1.00; score 0.90"),
        ("interiorvex.gouv.pw", "look-alike", "suffix-mirror of interiorvex.gouv.fr"),
        ("brightwidget.io", "clean", "a target's own domain (popularity rank 1)"),
        ("brightwidget.site", "clean", "below the minimum score 0.50; closest: other-suffix of brightwidget.com"),
        ("unrelated-name.org", "clean", "no target name within reach"),
    ];
    assert_eq!(got.len(), expect.len(), "{out}");
    for ((d, class, why), (ed, eclass, ewhy)) in got.iter().zip(expect) {
        assert_eq!((d.as_str(), class.as_str()), (ed, eclass), "{out}");
        assert!(why.starts_with(ewhy), "{d}: {why}");
    }
    assert!(
        got[3].2.contains("popular brand, not a news outlet, broadcaster, magazine or institution"),
        "{}",
        got[3].2
    );
}

#[test]
fn missing_inputs_are_usage_errors() {
    let o = lockstep(&["domains"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("nothing to classify"));
    let o = lockstep(&["domains", "--watchlist", "/nonexistent/w.csv", "bild.vip"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("/nonexistent/w.csv"), "{:?}", text(&o));
}

#[test]
fn detect_annotates_groups_and_writes_the_domains_table() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    let o = lockstep(&["generate", "-n", "200000", "--seed", "42", "-o", input.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let out = dir.path().join("out");
    let o = lockstep(&[
        "detect",
        input.to_str().unwrap(),
        "--kind-column",
        "kind",
        "--window",
        "300",
        "--min-participation",
        "5",
        "--edge-quantile",
        "0.95",
        "--threshold",
        "quantile",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(stdout.contains("links to known"), "{stdout}");
    let table = std::fs::read_to_string(out.join("domains.csv")).unwrap();
    // One schema: `lockstep domains` writes the table's columns.
    let listed = lockstep(&["domains", "--output-format", "csv", "example.org"]);
    assert_eq!(text(&listed).0.lines().next(), table.lines().next(), "{table}");
    let flagged: Vec<Vec<String>> = rows(&table).into_iter().filter(|r| r[3] != "clean").collect();
    assert!(
        flagged.iter().any(|r| r[1] == "bild.vip" && r[3] == "known" && r[8] == "bild.de" && !r[14].is_empty()),
        "{table}"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let groups = report["groups"].as_array().unwrap();
    assert!(groups.iter().all(|g| g.get("domain_links").is_some()));
    let pushing: Vec<&serde_json::Value> =
        groups.iter().filter(|g| g["domain_links"]["known_links"].as_u64().unwrap() > 0).collect();
    assert_eq!(pushing.len(), 1, "{groups:?}");
    let outlets = pushing[0]["domain_links"]["outlets"].as_array().unwrap();
    assert!(!outlets.is_empty());
    assert!(report["files"].as_array().unwrap().iter().any(|f| f[0] == "domains.csv"));
    assert!(Path::new(&out.join("domains.csv")).exists());
}

#[test]
fn every_link_of_a_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    let o = lockstep(&["generate", "-n", "50000", "--seed", "42", "-o", input.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = lockstep(&[
        "domains",
        "--dataset",
        input.to_str().unwrap(),
        "--kind-column",
        "kind",
        "--no-builtin-feed",
        "--flagged",
        "--output-format",
        "csv",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let rows = rows(&out);
    assert!(!rows.is_empty(), "{out}");
    // Every planted look-alike domain, found by the detector alone, with its shares and accounts.
    for r in &rows {
        assert_eq!(r[3], "look-alike", "{r:?}");
        assert!(["bild.vip", "spiegel.ltd", "washingtonpost.pm", "fox-news.top"].contains(&r[1].as_str()), "{r:?}");
        assert!(r[12].parse::<u64>().unwrap() > 0 && r[13].parse::<u64>().unwrap() > 0, "{r:?}");
    }
}
