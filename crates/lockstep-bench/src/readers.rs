//! `lockstep-bench --readers`: throughput of the platform readers, in process,
//! beside a straightforward baseline in the same run.
//!
//! Inputs (built once in the work directory, untimed):
//! - **X API v2**: every page line of ../shared/data/x-api-v2-samples (not the
//!   user lookup), repeated until the file holds at least `--reader-mb` MB. The
//!   repeats carry the same ids and strings, so interning finds them already
//!   present: the figure is an upper bound for interning, exact for parsing.
//! - **IRA**: ../shared/data/ira-2016q4's CSV, decompressed.
//!
//! What is timed, each `--runs` times (the median is reported):
//! - `lockstep_ingest::read_input` with `--format` given (no detection cost),
//!   for two object selections: the default (`url,domain,hashtag,repost,text`:
//!   parsing + normalisation + interning) and `repost` alone (parsing and
//!   interning, almost no normalisation);
//! - the baseline: for JSON Lines, `serde_json::from_str::<serde_json::Value>`
//!   on every line (what a straightforward reader does before extracting
//!   anything); for CSV, the `csv` crate reading every record as bytes.
//!
//! MB/s is uncompressed input bytes / wall time; posts/s is posts (tweets, rows)
//! / wall time. The machine is shared: see the load averages printed with it.

use anyhow::{Context, Result};
use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{read_input, Format, ObjectKinds, ReadOptions};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One measured line of the table.
struct Row {
    input: &'static str,
    what: String,
    mb: f64,
    posts: u64,
    secs: f64,
}

/// Runs the reader benchmark and returns the Markdown table.
pub fn run(shared: &Path, work: &Path, target_mb: u64, runs: usize) -> Result<String> {
    fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let xv2 = build_x_v2(shared, work, target_mb)?;
    let ira = build_ira(shared, work)?;
    let mut rows = Vec::new();
    for (input, path, format) in [("X API v2 JSONL", &xv2, Format::XV2), ("IRA CSV", &ira, Format::Ira538)] {
        let mb = fs::metadata(path)?.len() as f64 / 1e6;
        for objects in ["url,domain,hashtag,repost,text", "repost"] {
            let kinds: ObjectKinds = objects.parse()?;
            let (secs, posts) = median(runs, || lockstep_read(path, format, kinds))?;
            rows.push(Row { input, what: format!("lockstep `{}` --objects {objects}", format), mb, posts, secs });
            print_row(rows.last().expect("pushed"));
        }
        let (secs, posts) = if format == Format::XV2 {
            median(runs, || serde_value_baseline(path))?
        } else {
            median(runs, || csv_baseline(path))?
        };
        let what = if format == Format::XV2 {
            "baseline: serde_json::Value per line".to_string()
        } else {
            "baseline: csv ByteRecord per row".to_string()
        };
        rows.push(Row { input, what, mb, posts, secs });
        print_row(rows.last().expect("pushed"));
    }
    let mut md = String::from(
        "| input | reader | MB | posts | median s | MB/s | posts/s |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {} | {:.3} | {:.1} | {:.0} |",
            r.input,
            r.what,
            r.mb,
            r.posts,
            r.secs,
            r.mb / r.secs,
            r.posts as f64 / r.secs
        );
    }
    Ok(md)
}

fn print_row(r: &Row) {
    println!(
        "{:<16} {:<58} {:>8.1} MB {:>9} posts {:>8.3} s {:>8.1} MB/s {:>10.0} posts/s",
        r.input,
        r.what,
        r.mb,
        r.posts,
        r.secs,
        r.mb / r.secs,
        r.posts as f64 / r.secs
    );
}

/// Median wall time of `runs` calls, and the count the last call returned.
fn median(runs: usize, mut f: impl FnMut() -> Result<u64>) -> Result<(f64, u64)> {
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        count = f()?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], count))
}

fn lockstep_read(path: &Path, format: Format, objects: ObjectKinds) -> Result<u64> {
    let opts = ReadOptions { format, objects, ..ReadOptions::default() };
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let s = read_input(path, &opts, &mut ds, &mut diags)?;
    Ok(s.posts)
}

fn serde_value_baseline(path: &Path) -> Result<u64> {
    let mut r = std::io::BufReader::with_capacity(1 << 16, fs::File::open(path)?);
    let mut line = String::new();
    let mut tweets = 0u64;
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        tweets += match v.get("data") {
            Some(serde_json::Value::Array(a)) => a.len() as u64,
            Some(_) => 1,
            None => 1,
        };
    }
    Ok(tweets)
}

fn csv_baseline(path: &Path) -> Result<u64> {
    let mut r = csv::ReaderBuilder::new().buffer_capacity(1 << 16).from_path(path)?;
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while r.read_byte_record(&mut rec)? {
        n += 1;
    }
    Ok(n)
}

fn build_x_v2(shared: &Path, work: &Path, target_mb: u64) -> Result<PathBuf> {
    let out = work.join(format!("x-v2-{target_mb}mb.jsonl"));
    if out.exists() {
        return Ok(out);
    }
    let dir = shared.join("data/x-api-v2-samples");
    let mut lines = Vec::new();
    let mut names: Vec<_> = fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl") && !p.ends_with("users.jsonl"))
        .collect();
    names.sort();
    for p in names {
        for l in fs::read_to_string(&p)?.lines().filter(|l| !l.trim().is_empty()) {
            lines.push(l.to_string());
        }
    }
    let tmp = out.with_extension("tmp");
    let mut w = std::io::BufWriter::new(fs::File::create(&tmp)?);
    let mut written = 0u64;
    while written < target_mb * 1_000_000 {
        for l in &lines {
            w.write_all(l.as_bytes())?;
            w.write_all(b"\n")?;
            written += l.len() as u64 + 1;
        }
    }
    w.flush()?;
    drop(w);
    fs::rename(&tmp, &out)?;
    Ok(out)
}

fn build_ira(shared: &Path, work: &Path) -> Result<PathBuf> {
    let out = work.join("ira_tweets_2016-09_to_2016-11.csv");
    if out.exists() {
        return Ok(out);
    }
    let gz = shared.join("data/ira-2016q4/ira_tweets_2016-09_to_2016-11.csv.gz");
    let mut d = flate2::read::GzDecoder::new(fs::File::open(&gz).with_context(|| format!("{}", gz.display()))?);
    let mut bytes = Vec::new();
    d.read_to_end(&mut bytes)?;
    let tmp = out.with_extension("tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, &out)?;
    Ok(out)
}
