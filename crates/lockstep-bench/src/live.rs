//! `live`: the live mode (`lockstep watch`) measured four ways, with batch
//! `detect` on the same file as the baseline of the same run:
//! 1. file replay throughput (posts/s; runs of watch and detect interleaved);
//! 2. NATS JetStream on loopback (Debian's `nats-server`, started here): posts/s
//!    consumed, with 1 and 100 lines per message;
//! 3. alert latency: wall time from appending the record that makes an edge
//!    strong to reading its alert on the watcher's stdout, under a background
//!    stream appended at a fixed rate;
//! 4. bytes per held share: peak RSS of two synthetic streams whose shares are
//!    all still held at their end, the difference over the difference in shares;
//! 5. memory over a long replay: a synthetic stream on stdin at 50K posts per
//!    event second, resident memory and state sampled as it runs.
//!
//! `--parts` picks some of them; `--before BIN` measures an older binary beside
//! the current one (file replay, held bytes), interleaved.

use crate::cli::Args;
use crate::timing::timed;
use anyhow::{bail, Context, Result};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Which parts to run, and an older binary to compare with.
pub(crate) struct Parts {
    /// Part names (file, nats, latency, held, memory).
    pub(crate) names: Vec<String>,
    /// No NATS even when asked.
    pub(crate) skip_nats: bool,
    /// An older binary (the before of a change).
    pub(crate) before: Option<PathBuf>,
}

impl Parts {
    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// Runs the parts asked for; returns the markdown.
pub(crate) fn run(args: &Args, posts: u64, memory_seconds: u64, parts: &Parts) -> Result<String> {
    let work = args.work.join("live");
    std::fs::create_dir_all(&work)?;
    let bin = &args.lockstep;
    let input = work.join(format!("posts-{posts}.csv"));
    if !input.exists() {
        let out = Command::new(bin)
            .args(["generate", "-n", &posts.to_string(), "--seed", &args.seed.to_string(), "-o"])
            .arg(&input)
            .output()?;
        if !out.status.success() {
            bail!("generate failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let mut md = String::new();
    if parts.has("file") {
        md += &file_replay(args, bin, parts.before.as_deref(), &input, posts, &work)?;
    }
    if parts.has("nats") {
        match nats_server().filter(|_| !parts.skip_nats) {
            Some(server_bin) => md += &nats(args, bin, &server_bin, &input, posts, &work)?,
            None => md += "### NATS\n\nskipped (--skip-nats, or nats-server not installed)\n\n",
        }
    }
    if parts.has("latency") {
        md += &latency(bin, &input, &work)?;
    }
    if parts.has("held") {
        md += &held(bin, parts.before.as_deref(), &work)?;
    }
    if parts.has("memory") {
        md += &memory(bin, memory_seconds)?;
    }
    Ok(md)
}

/// File replay against batch detect (and the older binary), interleaved.
fn file_replay(
    args: &Args,
    bin: &Path,
    before: Option<&Path>,
    input: &Path,
    posts: u64,
    work: &Path,
) -> Result<String> {
    let mut md = String::new();
    let w = args.window.to_string();
    let watch_args =
        [os("watch"), input.as_os_str(), os("--exit-at-end"), os("-q"), os("--no-domains"), os("--window"), os(&w)];
    let (mut live, mut batch, mut live_rss, mut batch_rss) = (Vec::new(), Vec::new(), 0u64, 0u64);
    let (mut old, mut old_rss) = (Vec::new(), 0u64);
    let (mut dom, mut dom_rss) = (Vec::new(), 0u64);
    for r in 0..args.runs {
        let run = timed(bin, &watch_args, &work.join("watch.log"), None)?;
        live.push(run.wall);
        live_rss = live_rss.max(run.max_rss_kib);
        // With domain alerts (the default): the classifier runs only on strong edges' links.
        let run = timed(bin, &watch_args[..5], &work.join("watch-domains.log"), None)?;
        dom.push(run.wall);
        dom_rss = dom_rss.max(run.max_rss_kib);
        if let Some(b) = before {
            // The older binary may not know --no-domains (it had no domain alerts).
            let run = timed(b, &[&watch_args[..4], &watch_args[5..]].concat(), &work.join("watch-before.log"), None)?;
            old.push(run.wall);
            old_rss = old_rss.max(run.max_rss_kib);
        }
        let out = work.join("detect-out");
        let run = timed(
            bin,
            &[
                os("detect"),
                input.as_os_str(),
                os("-m"),
                os("1"),
                os("-q"),
                os("--no-domains"),
                os("--window"),
                os(&w),
                os("-o"),
                out.as_os_str(),
            ],
            &work.join("detect.log"),
            None,
        )?;
        batch.push(run.wall);
        batch_rss = batch_rss.max(run.max_rss_kib);
        eprintln!(
            "live: run {r}: watch {:.3} s, with domains {:.3} s, detect {:.3} s{}",
            live[r],
            dom[r],
            batch[r],
            old.get(r).map(|o| format!(", before {o:.3} s")).unwrap_or_default()
        );
    }
    let runs = |v: &[f64]| v.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(" / ");
    let n = posts as f64;
    let _ = writeln!(md, "### File replay ({posts} generated posts, window {w} s, median of {} runs)\n", args.runs);
    let _ = writeln!(md, "| | wall (median) | runs | posts/s | peak RSS |\n| --- | --- | --- | --- | --- |");
    let mut row = |name: &str, v: &[f64], rss: u64| {
        let m = median(v.to_vec());
        let _ = writeln!(md, "| {name} | {m:.3} s | {} | {:.0} | {} MiB |", runs(v), n / m, rss / 1024);
    };
    row("`watch FILE --exit-at-end --no-domains`", &live, live_rss);
    row("`watch FILE --exit-at-end` (domain alerts on)", &dom, dom_rss);
    if before.is_some() {
        row("the same, `--before` binary", &old, old_rss);
    }
    row("`detect -m 1 --no-domains` (baseline)", &batch, batch_rss);
    let _ = writeln!(md, "\nwatch / detect throughput: {:.2}\n", median(batch) / median(live));
    Ok(md)
}

/// A synthetic stream's rows: 200K accounts; a quarter of the posts share one
/// of 4M hashtags, the rest a hashtag of their own (about 0.1 co-share per
/// post when spread at 50K posts per second). `time(i)` gives post i's time.
fn synthetic(buf: &mut Vec<u8>, rnd: &mut impl FnMut() -> u64, posts: std::ops::Range<u64>, time: impl Fn(u64) -> u64) {
    for post in posts {
        let a = rnd() % 200_000;
        if rnd().is_multiple_of(4) {
            let _ = writeln!(buf, "u{a},#h{},hashtag,{post},{}", rnd() % 4_000_000, time(post));
        } else {
            let _ = writeln!(buf, "u{a},#own{post},hashtag,{post},{}", time(post));
        }
    }
}

fn xorshift() -> impl FnMut() -> u64 {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

/// Bytes per held share: `watch FILE --exit-at-end` on two synthetic streams
/// whose event times span 50 s (window 60 s, lateness 10 s: nothing is evicted,
/// every accepted share is still held at the end); the difference of the peak
/// RSS over the difference of held shares.
fn held(bin: &Path, before: Option<&Path>, work: &Path) -> Result<String> {
    const SMALL: u64 = 250_000;
    const BIG: u64 = 2_500_000;
    let mut files = Vec::new();
    for n in [SMALL, BIG] {
        let path = work.join(format!("held-{n}.csv"));
        let mut buf = b"account_id,object_id,kind,content_id,timestamp_share\n".to_vec();
        synthetic(&mut buf, &mut xorshift(), 0..n, |i| 1_750_000_000 + i * 50 / n);
        std::fs::write(&path, &buf)?;
        files.push(path);
    }
    let mut md = format!(
        "### Bytes per held share (synthetic streams of {SMALL} and {BIG} posts over 50 event seconds, all held at \
         the end; peak RSS of `watch FILE --exit-at-end --window 60 --lateness 10`)\n\n\
         | binary | RSS at {SMALL} | RSS at {BIG} | state at {BIG} | bytes per held share |\n| --- | --- | --- | --- | --- |\n"
    );
    let mut bins: Vec<(&str, &Path, bool)> = vec![("current", bin, true)];
    if let Some(b) = before {
        bins.push(("before", b, false));
    }
    for (name, b, current) in bins {
        let mut rss = Vec::new();
        let mut state = String::new();
        for f in &files {
            let log = work.join(format!("held-{name}.log"));
            let mut a = vec![os("watch"), f.as_os_str(), os("--exit-at-end"), os("--window"), os("60")];
            a.extend([os("--lateness"), os("10"), os("--horizon"), os("5m")]);
            if current {
                a.push(os("--no-domains"));
            }
            let run = timed(b, &a, &log, None)?;
            rss.push(run.max_rss_kib);
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            state = text
                .lines()
                .find_map(|l| l.split_once("state: ").map(|(_, s)| s.split(';').next().unwrap_or("").to_string()))
                .unwrap_or_default();
        }
        let held: u64 = state.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(BIG);
        let per = (rss[1].saturating_sub(rss[0]) * 1024) as f64 / (held as f64 * (1.0 - SMALL as f64 / BIG as f64));
        let _ = writeln!(md, "| {name} | {} MiB | {} MiB | {state} | {per:.0} |", rss[0] / 1024, rss[1] / 1024);
    }
    md.push('\n');
    for f in files {
        let _ = std::fs::remove_file(f);
    }
    Ok(md)
}

fn nats_server() -> Option<PathBuf> {
    ["/usr/sbin/nats-server", "/usr/bin/nats-server"].iter().map(PathBuf::from).find(|p| p.exists())
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn nats(args: &Args, bin: &Path, server_bin: &Path, input: &Path, posts: u64, work: &Path) -> Result<String> {
    let port = free_port()?;
    let store = work.join("nats-store");
    let _ = std::fs::remove_dir_all(&store);
    let _server = KillOnDrop(
        Command::new(server_bin)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(20) {
            bail!("nats-server did not start");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut md = format!("### NATS JetStream on loopback ({posts} posts, median of {} runs)\n\n", args.runs);
    md += "| lines per message | publish (posts/s) | `watch nats://… --exit-at-end` wall | posts/s |\n| --- | --- | --- | --- |\n";
    for per in [1usize, 100] {
        let subject = format!("posts{per}");
        let stream = format!("S{per}");
        let url = format!("nats://127.0.0.1:{port}/{subject}");
        let t = Instant::now();
        let out = Command::new(bin)
            .arg("publish")
            .arg(input)
            .arg(&url)
            .args(["--stream", &stream, "--lines-per-message", &per.to_string()])
            .output()?;
        if !out.status.success() {
            bail!("publish failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let publish = t.elapsed().as_secs_f64();
        let mut walls = Vec::new();
        for _ in 0..args.runs {
            let run = timed(
                bin,
                &[os("watch"), os(&url), os("--stream"), os(&stream), os("--exit-at-end"), os("-q")],
                &work.join("watch-nats.log"),
                Some(Duration::from_secs(1800)),
            )?;
            walls.push(run.wall);
        }
        let wall = median(walls);
        let _ = writeln!(md, "| {per} | {:.0} | {wall:.2} s | {:.0} |", posts as f64 / publish, posts as f64 / wall);
    }
    md.push('\n');
    Ok(md)
}

/// Latency of edge alerts for probe pairs written into a followed file under load.
fn latency(bin: &Path, input: &Path, work: &Path) -> Result<String> {
    const RATE: usize = 50_000;
    const PROBES: usize = 40;
    let tail = work.join("tail.csv");
    let text = std::fs::read_to_string(input).with_context(|| input.display().to_string())?;
    let mut lines = text.lines();
    let header = lines.next().context("empty input")?;
    let rows: Vec<&str> = lines.collect();
    std::fs::write(&tail, format!("{header}\n"))?;
    let mut child = KillOnDrop(
        Command::new(bin)
            .arg("watch")
            .arg(&tail)
            .args(["--min-weight", "5", "--lateness", "86400", "--horizon", "none", "-q"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let stdout = child.0.stdout.take().context("stdout")?;
    let (tx, rx) = std::sync::mpsc::channel::<(String, Instant)>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let at = Instant::now();
            if line.contains("\"alert\":\"edge\"") && line.contains("probe") {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                let a = v["accounts"][0].as_str().unwrap_or_default().to_string();
                let _ = tx.send((a, at));
            }
        }
    });
    let mut f = std::fs::OpenOptions::new().append(true).open(&tail)?;
    let mut next_row = 0usize;
    let mut latencies = Vec::new();
    let start = Instant::now();
    let time_of = |row: &str| row.rsplit(',').next().and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
    for k in 0..PROBES {
        // Background for 250 ms at RATE posts/s, in 10 ms batches.
        for _ in 0..25 {
            let take = (RATE / 100).min(rows.len().saturating_sub(next_row));
            let mut buf = String::new();
            for r in &rows[next_row..next_row + take] {
                buf.push_str(r);
                buf.push('\n');
            }
            next_row += take;
            f.write_all(buf.as_bytes())?;
            std::thread::sleep(Duration::from_millis(10));
        }
        let t = time_of(rows[next_row.saturating_sub(1)]);
        let mut probe = String::new();
        for j in 0..5 {
            let obj = format!("https://probe.example/{k}/{j}");
            let _ = writeln!(probe, "probe{k:03}a,{obj},url,probe{k}a{j},{}", t + j);
            if j < 4 {
                let _ = writeln!(probe, "probe{k:03}b,{obj},url,probe{k}b{j},{}", t + j + 1);
            }
        }
        f.write_all(probe.as_bytes())?;
        f.flush()?;
        let crossing = format!("probe{k:03}b,https://probe.example/{k}/4,url,probe{k}b4,{}\n", t + 5);
        let t0 = Instant::now();
        f.write_all(crossing.as_bytes())?;
        f.flush()?;
        let want = format!("probe{k:03}a");
        loop {
            let (a, at) = rx.recv_timeout(Duration::from_secs(30)).context("no alert within 30 s")?;
            if a == want {
                latencies.push(at.duration_since(t0).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    drop(child);
    latencies.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(format!(
        "### Alert latency ({PROBES} planted pairs crossing --min-weight 5 in a followed file, background {RATE} \
         posts/s appended; {next_row} background posts in {elapsed:.1} s)\n\n\
         | median | p90 | max |\n| --- | --- | --- |\n| {:.1} ms | {:.1} ms | {:.1} ms |\n\n",
        p(0.5),
        p(0.9),
        p(1.0)
    ))
}

/// A synthetic stream on stdin at 50K posts per event second; RSS and state sampled.
fn memory(bin: &Path, seconds: u64) -> Result<String> {
    const PER_SECOND: u64 = 50_000;
    let port = free_port()?;
    let mut child = KillOnDrop(
        Command::new(bin)
            .args(["watch", "-", "--horizon", "5m", "--lateness", "10", "-q", "--metrics"])
            .arg(format!("127.0.0.1:{port}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let pid = child.0.id();
    let mut stdin = child.0.stdin.take().context("stdin")?;
    let samples = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(f64, u64, u64, String)>::new()));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (s2, d2) = (samples.clone(), done.clone());
    let start = Instant::now();
    let sampler = std::thread::spawn(move || {
        while !d2.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_secs(2));
            let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
                .unwrap_or(0);
            let m = metrics(port).unwrap_or_default();
            let get = |name: &str| -> u64 {
                m.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok()).unwrap_or(0)
            };
            let state = format!(
                "{} shares, {} edges, {} accounts",
                get("lockstep_state_shares"),
                get("lockstep_state_edges"),
                get("lockstep_state_accounts")
            );
            s2.lock().expect("samples").push((
                start.elapsed().as_secs_f64(),
                get("lockstep_records_total"),
                rss,
                state,
            ));
        }
    });
    // A synthetic load, not a scenario (see `synthetic`).
    let mut rnd = xorshift();
    stdin.write_all(b"account_id,object_id,kind,content_id,timestamp_share\n")?;
    let t0 = 1_750_000_000u64;
    let mut buf = Vec::with_capacity(1 << 22);
    for s in 0..seconds {
        buf.clear();
        synthetic(&mut buf, &mut rnd, s * PER_SECOND + 1..(s + 1) * PER_SECOND + 1, |_| t0 + s);
        stdin.write_all(&buf)?;
    }
    drop(stdin);
    let status = child.0.wait()?;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = sampler.join();
    if !status.success() {
        bail!("watch failed on the synthetic stream");
    }
    let wall = start.elapsed().as_secs_f64();
    let total = seconds * PER_SECOND;
    let samples = samples.lock().expect("samples").clone();
    let mut md = format!(
        "### Memory over a long replay ({seconds} event seconds at {PER_SECOND} posts/s = {total} posts on stdin, \
         --horizon 5m; {wall:.0} s wall, {:.0} posts/s)\n\n| wall | posts read | RSS | state |\n| --- | --- | --- | --- |\n",
        total as f64 / wall
    );
    let step = (samples.len() / 12).max(1);
    for (t, rec, rss, state) in samples.iter().step_by(step) {
        let _ = writeln!(md, "| {t:.0} s | {rec} | {} MiB | {state} |", rss / 1024);
    }
    md.push('\n');
    Ok(md)
}

fn metrics(port: u16) -> Option<String> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET /metrics HTTP/1.0\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}
