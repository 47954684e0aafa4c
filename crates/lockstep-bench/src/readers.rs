//! `lockstep-bench readers`: throughput of the platform readers, in process,
//! beside a straightforward baseline in the same run.
//!
//! Inputs (built once in the work directory, untimed):
//! - **X API v2**: every page line of ../shared/data/x-api-v2-samples (not the
//!   user lookup), repeated until the file holds at least `--reader-mb` MB. The
//!   repeats carry the same ids and strings, so interning finds them already
//!   present: the figure is an upper bound for interning, exact for parsing.
//! - **IRA**: ../shared/data/ira-2016q4's CSV, decompressed.
//! - **CrowdTangle**: a generated Facebook export (CrowdTangle's 40 columns),
//!   at least `--reader-mb` MB: 5,000 pages, 20,000 links, four time zones.
//! - **Telegram**: a generated Telegram Desktop export (one chat, one
//!   `messages` array, pretty-printed as Telegram writes it), at least
//!   `--reader-mb` MB: text arrays with link and hashtag entities, every 10th
//!   message a forward, every 50th a service message.
//!
//! What is timed, each `--runs` times (the median is reported):
//! - `lockstep_ingest::read_input` with `--format` given (no detection cost),
//!   for two object selections: the default (`url,domain,hashtag,repost,text`:
//!   parsing + normalisation + interning) and `repost` alone (parsing and
//!   interning, almost no normalisation);
//! - the baseline: for JSON Lines, `serde_json::from_str::<serde_json::Value>`
//!   on every line (what a straightforward reader does before extracting
//!   anything); for CSV, the `csv` crate reading every record as bytes; for the
//!   Telegram document, the file read whole and parsed into one
//!   `serde_json::Value`.
//!
//! Peak memory (Telegram only): the benchmark runs itself as a child process
//! that does one read and reports its peak RSS (`VmHWM`), for the streamed
//! reader and for the whole-document baseline, beside the file's size.
//!
//! MB/s is uncompressed input bytes / wall time; posts/s is posts (tweets, rows)
//! / wall time. The machine is shared: see the load averages printed with it.
//!
//! CPU time (the per-core figure, which other work on a shared machine does not
//! change much): for each run, the process CPU clock (`CLOCK_PROCESS_CPUTIME_ID`:
//! user + system time of every thread of the process, including threads that
//! ended) is read before and after the call. A lockstep read runs on two
//! threads (`read_input` parses and normalises on the calling thread while a
//! second thread interns the batches) and the delta counts both; nothing else
//! runs in the process meanwhile. **MB/CPU-s** is input MB / that CPU time: the
//! throughput one fully busy core would give if the work were serial. The
//! calling thread's own CPU clock (`CLOCK_THREAD_CPUTIME_ID`: parsing,
//! normalisation and the sink, without interning) is shown beside it. The
//! baselines run on one thread, so both clocks agree for them. Each column is
//! the median of its own `--runs` values.

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
    /// Medians of the runs.
    t: Times,
}

impl Row {
    /// The figures of a row after its label, input size and posts: median
    /// wall s, MB/s, posts/s, CPU s, MB/CPU-s, MB/CPU-s of the reading thread.
    fn figures(&self) -> [f64; 6] {
        let Times { wall, cpu, thread_cpu } = self.t;
        [wall, self.mb / wall, self.posts as f64 / wall, cpu, self.mb / cpu, self.mb / thread_cpu]
    }
}

/// Wall time, process CPU time (all threads) and calling-thread CPU time of one
/// call, in seconds.
#[derive(Debug, Clone, Copy)]
struct Times {
    wall: f64,
    cpu: f64,
    thread_cpu: f64,
}

/// CPU seconds of the whole process (every thread, ended ones included) and of
/// the calling thread.
#[cfg(unix)]
fn cpu_clocks() -> (f64, f64) {
    use rustix::time::{clock_gettime, ClockId};
    let secs = |t: rustix::time::Timespec| t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9;
    (secs(clock_gettime(ClockId::ProcessCPUTime)), secs(clock_gettime(ClockId::ThreadCPUTime)))
}

/// Not measured off Unix (the columns show `NaN`).
#[cfg(not(unix))]
fn cpu_clocks() -> (f64, f64) {
    (f64::NAN, f64::NAN)
}

/// Runs the reader benchmark and returns the Markdown table.
///
/// `only`: the formats to measure (empty: all four inputs, and the Telegram
/// memory table).
pub fn run(shared: &Path, work: &Path, target_mb: u64, runs: usize, only: &[Format]) -> Result<String> {
    fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let wanted = |f: Format| only.is_empty() || only.contains(&f);
    let mut inputs = Vec::new();
    if wanted(Format::XV2) {
        inputs.push(("X API v2 JSONL", build_x_v2(shared, work, target_mb)?, Format::XV2));
    }
    if wanted(Format::Ira538) {
        inputs.push(("IRA CSV", build_ira(shared, work)?, Format::Ira538));
    }
    if wanted(Format::CrowdTangle) {
        inputs.push(("CrowdTangle CSV", build_crowdtangle(work, target_mb)?, Format::CrowdTangle));
    }
    if wanted(Format::Telegram) {
        inputs.push(("Telegram JSON", build_telegram(work, target_mb)?, Format::Telegram));
    }
    let mut rows = Vec::new();
    for (input, path, format) in &inputs {
        let (input, path, format) = (*input, path.as_path(), *format);
        let mb = fs::metadata(path)?.len() as f64 / 1e6;
        for objects in ["url,domain,hashtag,repost,text", "repost"] {
            let kinds: ObjectKinds = objects.parse()?;
            let (t, posts) = median(runs, || lockstep_read(path, format, kinds))?;
            rows.push(Row { input, what: format!("lockstep `{}` --objects {objects}", format), mb, posts, t });
            print_row(rows.last().expect("pushed"));
        }
        let (t, posts) = match format {
            Format::XV2 => median(runs, || serde_value_baseline(path))?,
            Format::Telegram => median(runs, || serde_document_baseline(path))?,
            _ => median(runs, || csv_baseline(path))?,
        };
        let what = match format {
            Format::XV2 => "baseline: serde_json::Value per line",
            Format::Telegram => "baseline: serde_json::Value of the whole document",
            _ => "baseline: csv ByteRecord per row",
        }
        .to_string();
        rows.push(Row { input, what, mb, posts, t });
        print_row(rows.last().expect("pushed"));
    }
    let mut md = String::from(
        "| input | reader | MB | posts | median s | MB/s | posts/s | CPU s (all threads) | MB/CPU-s | MB/CPU-s of the reading thread |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for r in &rows {
        let [wall, mb_s, posts_s, cpu, mb_cpu, mb_thread] = r.figures();
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {} | {wall:.3} | {mb_s:.1} | {posts_s:.0} | {cpu:.3} | {mb_cpu:.1} | {mb_thread:.1} |",
            r.input, r.what, r.mb, r.posts,
        );
    }
    if let Some((_, tg, _)) = inputs.iter().find(|i| i.2 == Format::Telegram) {
        md.push_str(&memory_table(tg)?);
    }
    Ok(md)
}

/// Peak RSS of one read of the Telegram export in a child process: the
/// streamed reader (two object selections) and the whole-document baseline.
fn memory_table(tg: &Path) -> Result<String> {
    let mb = fs::metadata(tg)?.len() as f64 / 1e6;
    let mut md =
        "\n| Telegram export | MB | peak RSS MiB | RSS / file size |\n| --- | ---: | ---: | ---: |\n".to_string();
    for (what, mode) in [
        ("lockstep `telegram` (streamed) --objects url,domain,hashtag,repost,text", "url,domain,hashtag,repost,text"),
        ("lockstep `telegram` (streamed) --objects repost", "repost"),
        ("baseline: serde_json::Value of the whole document", "serde-value"),
    ] {
        let exe = std::env::current_exe()?;
        let out = std::process::Command::new(exe)
            .arg("read-one")
            .arg(tg)
            .arg("--read-mode")
            .arg(mode)
            .output()
            .context("running the memory child")?;
        anyhow::ensure!(out.status.success(), "memory child failed: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let kib: f64 = text.split_whitespace().nth(1).and_then(|v| v.parse().ok()).context("child output")?;
        let mib = kib / 1024.0;
        println!("{:<16} {:<72} {:>8.1} MB {:>8.1} MiB peak RSS", "Telegram JSON", what, mb, mib);
        let _ = writeln!(md, "| {what} | {mb:.1} | {mib:.1} | {:.2} |", mib * 1.048_576 / mb);
    }
    Ok(md)
}

/// The child of [`memory_table`], and a single read to profile: one read of
/// `path` as `format`, then prints `posts peak_rss_kib`. `mode` is the object
/// kinds, or `serde-value` for the baseline of the format (a whole-document
/// `serde_json::Value` for Telegram, one per line for the JSON Lines formats).
pub fn read_one(path: &Path, format: Format, mode: &str) -> Result<()> {
    let posts = match (mode, format) {
        ("serde-value", Format::Telegram) => serde_document_baseline(path)?,
        ("serde-value", _) => serde_value_baseline(path)?,
        _ => lockstep_read(path, format, mode.parse()?)?,
    };
    let status = fs::read_to_string("/proc/self/status")?;
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .context("VmHWM in /proc/self/status")?;
    println!("{posts} {hwm}");
    Ok(())
}

fn print_row(r: &Row) {
    let [wall, mb_s, posts_s, cpu, mb_cpu, mb_thread] = r.figures();
    println!(
        "{:<16} {:<58} {:>8.1} MB {:>9} posts {wall:>8.3} s {mb_s:>8.1} MB/s {posts_s:>10.0} posts/s {cpu:>8.3} CPU s {mb_cpu:>8.1} MB/CPU-s {mb_thread:>8.1} MB/CPU-s (reading thread)",
        r.input, r.what, r.mb, r.posts,
    );
}

/// Median wall, process CPU and thread CPU times of `runs` calls (each the
/// median of its own values), and the count the last call returned.
fn median(runs: usize, mut f: impl FnMut() -> Result<u64>) -> Result<(Times, u64)> {
    let (mut wall, mut cpu, mut thread_cpu) = (Vec::new(), Vec::new(), Vec::new());
    let mut count = 0;
    for _ in 0..runs.max(1) {
        let (c0, tc0) = cpu_clocks();
        let t = Instant::now();
        count = f()?;
        wall.push(t.elapsed().as_secs_f64());
        let (c1, tc1) = cpu_clocks();
        cpu.push(c1 - c0);
        thread_cpu.push(tc1 - tc0);
    }
    let mid = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Ok((Times { wall: mid(wall), cpu: mid(cpu), thread_cpu: mid(thread_cpu) }, count))
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

/// The whole Telegram export into one `serde_json::Value`; counts the
/// messages of type `message`.
fn serde_document_baseline(path: &Path) -> Result<u64> {
    let bytes = fs::read(path)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)?;
    let msgs = v.get("messages").and_then(|m| m.as_array()).context("no messages")?;
    Ok(msgs.iter().filter(|m| m.get("type").and_then(|t| t.as_str()) == Some("message")).count() as u64)
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

/// A generated CrowdTangle Facebook export of at least `target_mb` MB.
fn build_crowdtangle(work: &Path, target_mb: u64) -> Result<PathBuf> {
    let out = work.join(format!("crowdtangle-{target_mb}mb.csv"));
    if out.exists() {
        return Ok(out);
    }
    let tmp = out.with_extension("tmp");
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(fs::File::create(&tmp)?));
    w.write_record([
        "Page Name",
        "User Name",
        "Facebook Id",
        "Page Category",
        "Page Admin Top Country",
        "Page Description",
        "Page Created",
        "Likes at Posting",
        "Followers at Posting",
        "Post Created",
        "Post Created Date",
        "Post Created Time",
        "Type",
        "Total Interactions",
        "Likes",
        "Comments",
        "Shares",
        "Love",
        "Wow",
        "Haha",
        "Sad",
        "Angry",
        "Care",
        "Video Share Status",
        "Is Video Owner?",
        "Post Views",
        "Total Views",
        "Total Views For All Crossposts",
        "Video Length",
        "URL",
        "Message",
        "Link",
        "Final Link",
        "Image Text",
        "Link Text",
        "Description",
        "Sponsor Id",
        "Sponsor Name",
        "Sponsor Category",
        "Overperforming Score",
    ])?;
    let zones = [("EST", -5), ("CET", 1), ("UTC", 0), ("+0530", 0)];
    let mut i: u64 = 0;
    while w.get_ref().get_ref().metadata()?.len() < target_mb * 1_000_000 {
        for _ in 0..10_000 {
            let page = i.wrapping_mul(2_654_435_761) % 5_000;
            let story = i.wrapping_mul(40_503) % 20_000;
            let (zone, hours) = zones[(i % 4) as usize];
            let t = 1_609_459_200 + i as i64 * 3;
            let local = chrono_like(t + hours * 3600 + if zone == "+0530" { 19_800 } else { 0 });
            let (date, time) = local.split_once(' ').expect("date and time");
            let created = format!("{local} {zone}");
            let url = format!("https://www.facebook.com/page{page}/posts/{}", 1_000_000_000 + i);
            let message = format!(
                "Story {story} everyone should read before the vote #tag{} #news https://bit.ly/s{story}",
                story % 97
            );
            let link = format!("https://bit.ly/s{story}");
            let final_link = format!("https://news{}.example.com/2021/01/story-{story}?utm_source=fb", story % 50);
            let id = format!("{}", 100_000_000_000_000 + page);
            let name = format!("Page {page}");
            let user = format!("page{page}");
            w.write_record([
                name.as_str(),
                &user,
                &id,
                "NEWS_SITE",
                "US",
                "A page about local news and events.",
                "2012-03-04 10:11:12 EST",
                "1,204",
                "1,530",
                &created,
                date,
                time,
                "Link",
                "12",
                "8",
                "2",
                "2",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "N/A",
                "-",
                "0",
                "0",
                "0",
                "N/A",
                &url,
                &message,
                &link,
                &final_link,
                "",
                "Headline of the story",
                "The first lines of the story.",
                "",
                "",
                "",
                "1.20",
            ])?;
            i += 1;
        }
        w.flush()?;
    }
    w.flush()?;
    drop(w);
    fs::rename(&tmp, &out)?;
    Ok(out)
}

/// `YYYY-MM-DD HH:MM:SS` of UNIX seconds (UTC), without a date library.
fn chrono_like(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// A generated Telegram Desktop export (one chat) of at least `target_mb` MB,
/// written as Telegram writes it (one-space indentation).
fn build_telegram(work: &Path, target_mb: u64) -> Result<PathBuf> {
    let out = work.join(format!("telegram-{target_mb}mb.json"));
    if out.exists() {
        return Ok(out);
    }
    let tmp = out.with_extension("tmp");
    let mut w = std::io::BufWriter::new(fs::File::create(&tmp)?);
    w.write_all(
        b"{\n \"name\": \"Bench Group\",\n \"type\": \"public_supergroup\",\n \"id\": 1777000001,\n \"messages\": [",
    )?;
    let mut written = 0u64;
    let mut i: u64 = 0;
    while written < target_mb * 1_000_000 {
        let mut m = String::with_capacity(1024);
        let t = 1_609_459_200 + i as i64 * 2;
        let date = chrono_like(t).replace(' ', "T");
        let user = i.wrapping_mul(2_654_435_761) % 20_000;
        let story = i.wrapping_mul(40_503) % 20_000;
        m.push_str(if i == 0 { "\n  {\n" } else { ",\n  {\n" });
        let _ = writeln!(m, "   \"id\": {},", i + 1);
        if i % 50 == 49 {
            let _ = write!(
                m,
                "   \"type\": \"service\",\n   \"date\": \"{date}\",\n   \"date_unixtime\": \"{t}\",\n   \"actor\": \"User {user}\",\n   \"actor_id\": \"user{user}\",\n   \"action\": \"join_group_by_link\",\n   \"inviter\": \"Group\",\n   \"text\": \"\",\n   \"text_entities\": []\n  }}"
            );
        } else {
            let _ = write!(
                m,
                "   \"type\": \"message\",\n   \"date\": \"{date}\",\n   \"date_unixtime\": \"{t}\",\n   \"from\": \"User {user}\",\n   \"from_id\": \"user{user}\",\n"
            );
            if i % 10 == 3 {
                let _ = writeln!(m, "   \"forwarded_from\": \"Channel {}\",", story % 300);
            }
            let link = format!("https://news{}.example.com/2021/01/story-{story}", story % 50);
            let tag = format!("#tag{}", story % 97);
            let _ = write!(
                m,
                "   \"text\": [\n    \"Story {story}: everyone should read this before the vote \",\n    {{\n     \"type\": \"link\",\n     \"text\": \"{link}\"\n    }},\n    \" \",\n    {{\n     \"type\": \"hashtag\",\n     \"text\": \"{tag}\"\n    }}\n   ],\n   \"text_entities\": [\n    {{\n     \"type\": \"plain\",\n     \"text\": \"Story {story}: everyone should read this before the vote \"\n    }},\n    {{\n     \"type\": \"link\",\n     \"text\": \"{link}\"\n    }},\n    {{\n     \"type\": \"plain\",\n     \"text\": \" \"\n    }},\n    {{\n     \"type\": \"hashtag\",\n     \"text\": \"{tag}\"\n    }}\n   ]\n  }}"
            );
        }
        w.write_all(m.as_bytes())?;
        written += m.len() as u64;
        i += 1;
    }
    w.write_all(b"\n ]\n}\n")?;
    w.flush()?;
    drop(w);
    fs::rename(&tmp, &out)?;
    Ok(out)
}
