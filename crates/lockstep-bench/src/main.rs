//! # lockstep-bench: end-to-end benchmark of `lockstep detect`
//!
//! For every `--sizes` N this command:
//!
//! 1. generates a synthetic posts file once with `lockstep generate -n N --seed S`
//!    (cached in the work directory by size and seed; generation is not timed);
//! 2. copies the lockstep binary into the work directory (so that a concurrent
//!    `cargo build` cannot swap it between runs) and runs
//!    `lockstep detect FILE --window W --min-participation 2 --out DIR -q` `--runs` times (default 3). **What is timed**: the wall time of the whole
//!    child process, from reading the input file to having written `edges.csv`,
//!    `accounts.csv`, `objects.csv` and `report.json`, ending when `wait4` on it
//!    returns. Peak memory is the child's maximum resident set size, the
//!    `ru_maxrss` `wait4` reports (what `/usr/bin/time -f %M` prints). We report the median wall time, posts per second
//!    (posts in the input file / median wall) and the largest peak RSS of the runs;
//! 3. for the sizes in `--peer-sizes` (unless `--skip-peer`), runs the Python
//!    [coordination-network-toolkit] 1.5.2 from PyPI (installed in a venv in the
//!    work directory) on the **same URL shares** with the same window: the
//!    `kind=url` rows of the posts file are written once (untimed) both as a
//!    url-only lockstep CSV and in the toolkit's CSV layout
//!    (`message_id,user_id,username,repost_id,reply_id,message,timestamp,urls`).
//!    The toolkit's timed run, on a fresh SQLite database, is
//!    `compute_networks DB preprocess --format csv FILE`, then
//!    `compute_networks DB compute co_link --time_window W`, then writing the edge
//!    list with the toolkit's own `output_gephi_csv` (its CLI's CSV export crashes
//!    in 1.5.2); wall time is the sum of the three, peak RSS the largest. lockstep
//!    is timed on the
//!    url-only CSV in the same way as in step 2, and the ratio
//!    `toolkit wall / lockstep wall` of that pair is reported. A toolkit run over
//!    `--peer-timeout` seconds is killed and reported as `> timeout`, making the
//!    ratio a lower bound;
//! 4. prints a table (machine, load averages, each run's figures, the ratios, edge counts of
//!    both tools on the url-only data) and writes it as Markdown to
//!    `WORK/results.md`.
//!
//! Peak RSS caveat: `wait4` (like `/usr/bin/time`) reports the largest RSS of a single process
//! among the child and its waited-for descendants, not their sum. lockstep is one
//! process; the toolkit runs its co-link query in `n_cpus` worker processes
//! (multiprocessing), so its figure is the largest single process.
//!
//! [coordination-network-toolkit]: https://pypi.org/project/coordination-network-toolkit/
//!
//! With `--near-text`, it measures the near-text stage instead (see `near_text.rs`):
//! generated tweets, `detect --kind near-text` beside `--kind text` and a naive
//! all-pairs Jaccard, with quality against the generator's truth.
//!
//! With `--ira-groups`, it evaluates the groups and communities found on the IRA
//! sample against Clemson's account categories (see `ira_groups.rs`).
//!
//! With `--readers`, it measures the platform readers instead (see `readers.rs`):
//! MB/s and posts/s of the X API v2, IRA, CrowdTangle and Telegram readers beside
//! a plain serde_json / csv baseline in the same run, and the Telegram reader's peak memory.

mod ira_groups;
mod near_text;
mod readers;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The toolkit version compared against.
const TOOLKIT_VERSION: &str = "1.5.2";

/// End-to-end benchmark of `lockstep detect`, with the Python
/// coordination-network-toolkit as a peer on the same URL shares.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Numbers of posts to generate and detect on.
    #[arg(long, value_delimiter = ',', default_value = "1000000,10000000")]
    sizes: Vec<u64>,
    /// Co-share window in seconds, for both tools.
    #[arg(long, default_value_t = 60)]
    window: u64,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The lockstep binary to benchmark.
    #[arg(long, default_value = "target/release/lockstep")]
    lockstep: PathBuf,
    /// Work directory: cached inputs, outputs, the toolkit venv, results.md.
    #[arg(long, default_value = "bench-work")]
    work: PathBuf,
    /// Timed runs of lockstep per input (the median wall time is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Sizes on which the coordination-network-toolkit is also run.
    #[arg(long, value_delimiter = ',', default_value = "1000000")]
    peer_sizes: Vec<u64>,
    /// Timed runs of the toolkit per size (the median wall time is reported).
    #[arg(long, default_value_t = 3)]
    peer_runs: usize,
    /// Kill a toolkit run after this many seconds and report it as a lower bound.
    #[arg(long, default_value_t = 1800)]
    peer_timeout: u64,
    /// Do not run the toolkit at all.
    #[arg(long)]
    skip_peer: bool,
    /// Python interpreter used to create the toolkit's venv.
    #[arg(long, default_value = "python3")]
    python: String,
    /// Measure reader throughput (X API v2 JSONL, IRA, CrowdTangle CSV, Telegram JSON) against a serde_json/csv baseline instead.
    #[arg(long)]
    readers: bool,
    /// With --readers: size of the X API v2 input built from the shared samples, in MB.
    #[arg(long, default_value_t = 200)]
    reader_mb: u64,
    /// Measure the near-text stage (generated tweets) instead; sizes from --near-text-sizes.
    #[arg(long)]
    near_text: bool,
    /// Evaluate groups and communities on ../shared/data/ira-2016q4 against the account categories instead.
    #[arg(long)]
    ira_groups: bool,
    /// With --ira-groups: the object kinds, one detection each.
    #[arg(long, value_delimiter = ',', default_value = "hashtag,text,near-text")]
    ira_kinds: Vec<String>,
    /// With --near-text: numbers of posts.
    #[arg(long, value_delimiter = ',', default_value = "1000000")]
    near_text_sizes: Vec<u64>,
    /// With --readers: the shared data folder.
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
    /// With --readers: measure only these formats (x-v2, ira-538, crowdtangle, telegram; default: all four).
    #[arg(long, value_delimiter = ',')]
    reader_formats: Vec<lockstep_ingest::Format>,
    /// Internal (the --readers memory measurement; also a single read to profile): read this file once as
    /// --read-format and print `posts peak_rss_kib`.
    #[arg(long, hide = true)]
    read_one: Option<PathBuf>,
    /// Internal: with --read-one, the format.
    #[arg(long, hide = true, default_value = "telegram")]
    read_format: lockstep_ingest::Format,
    /// Internal: with --read-one, the object kinds, or `serde-value` for the baseline.
    #[arg(long, hide = true, default_value = "url,domain,hashtag,repost,text")]
    read_mode: String,
}

/// One timed child process.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// Wall time in seconds.
    wall: f64,
    /// Peak resident set size in KiB.
    max_rss_kib: u64,
    /// Killed after the timeout.
    timed_out: bool,
}

/// The figures of one tool on one input.
#[derive(Debug, Clone)]
struct Measure {
    /// Posts count.
    size: u64,
    /// Which input: `all kinds` or `url only`.
    input: &'static str,
    /// The tool.
    tool: String,
    /// Input file size in MB.
    file_mb: f64,
    /// Records in the input.
    records: u64,
    /// Every timed run.
    runs: Vec<Run>,
    /// Edge counts, described.
    edges: String,
}

impl Measure {
    fn median_wall(&self) -> f64 {
        let mut w: Vec<f64> = self.runs.iter().map(|r| r.wall).collect();
        w.sort_by(f64::total_cmp);
        w[w.len() / 2]
    }
    fn timed_out(&self) -> bool {
        self.runs.iter().any(|r| r.timed_out)
    }
    fn peak_mib(&self) -> f64 {
        self.runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0
    }
    fn wall_cell(&self) -> String {
        if self.timed_out() {
            format!("> {:.0} (timeout)", self.median_wall())
        } else {
            format!("{:.2}", self.median_wall())
        }
    }
    fn runs_cell(&self) -> String {
        let v: Vec<String> = self
            .runs
            .iter()
            .map(|r| if r.timed_out { format!(">{:.0}", r.wall) } else { format!("{:.2}", r.wall) })
            .collect();
        v.join(" / ")
    }
}

/// A toolkit-vs-lockstep pair on the same url-only data.
#[derive(Debug)]
struct Ratio {
    size: u64,
    url_shares: u64,
    toolkit_wall: f64,
    lockstep_wall: f64,
    lower_bound: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.read_one {
        return readers::read_one(path, args.read_format, &args.read_mode);
    }
    if args.readers {
        let mut head = String::new();
        let _ = writeln!(head, "- cores: {}", std::thread::available_parallelism().map_or(0, |n| n.get()));
        let _ = writeln!(head, "- load average at the start: {}", loadavg());
        eprint!("{head}");
        let md =
            readers::run(&args.shared, &args.work.join("readers"), args.reader_mb, args.runs, &args.reader_formats)?;
        let md = format!("{head}- load average at the end: {}\n\n{md}", loadavg());
        let out = args.work.join("readers").join("results.md");
        fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
        println!("\n{md}");
        eprintln!("wrote {}", out.display());
        return Ok(());
    }
    ensure!(args.runs >= 1 && args.peer_runs >= 1, "--runs and --peer-runs must be at least 1");
    if args.ira_groups {
        ensure!(args.lockstep.is_file(), "lockstep binary {} not found", args.lockstep.display());
        let work = args.work.join("ira-groups");
        fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
        let md =
            ira_groups::run(&fs::canonicalize(&args.lockstep)?, &args.shared, &work, &args.ira_kinds, args.window)?;
        let out = work.join("results.md");
        fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
        println!("{md}");
        eprintln!("wrote {}", out.display());
        return Ok(());
    }
    if args.near_text {
        ensure!(args.lockstep.is_file(), "lockstep binary {} not found", args.lockstep.display());
        let work = near_text::work_dir(&args.work);
        fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
        let lockstep = fs::canonicalize(&work)?.join("lockstep-under-test");
        fs::copy(&args.lockstep, &lockstep)
            .with_context(|| format!("copying {} to {}", args.lockstep.display(), lockstep.display()))?;
        let head = machine_info(&lockstep, &fs::canonicalize(&args.lockstep)?);
        eprint!("{head}");
        let md = near_text::run(&lockstep, &work, &args.near_text_sizes, args.seed, args.runs)?;
        let md = format!("{head}- load average at the end: {}\n\n{md}", loadavg());
        let out = work.join("results.md");
        fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
        println!("\n{md}");
        eprintln!("wrote {}", out.display());
        return Ok(());
    }
    ensure!(
        args.lockstep.is_file(),
        "lockstep binary {} not found (build it with `cargo build --release -p lockstep`, or pass --lockstep)",
        args.lockstep.display()
    );
    fs::create_dir_all(&args.work).with_context(|| format!("creating {}", args.work.display()))?;
    // Benchmark a private copy: a concurrent `cargo build` must not swap the
    // binary between runs.
    let lockstep = fs::canonicalize(&args.work)?.join("lockstep-under-test");
    fs::copy(&args.lockstep, &lockstep)
        .with_context(|| format!("copying {} to {}", args.lockstep.display(), lockstep.display()))?;
    let origin = fs::canonicalize(&args.lockstep)?;

    let mut machine = machine_info(&lockstep, &origin);
    eprintln!("{machine}");

    let mut measures = Vec::new();
    let mut ratios = Vec::new();
    let mut agreements = Vec::new();
    let mut toolkit: Option<(PathBuf, PathBuf)> = None;

    for &size in &args.sizes {
        let posts = generate(&args, &lockstep, size)?;
        let mb = file_mb(&posts)?;
        eprintln!("== {size} posts: {} ({mb:.1} MB)", posts.display());
        println!("posts file {}: {mb:.1} MB", posts.display());

        let m = bench_lockstep(&args, &lockstep, &posts, size, "all kinds", size)?;
        print_measure(&m);
        measures.push(m);

        if args.skip_peer || !args.peer_sizes.contains(&size) {
            continue;
        }
        let (url_csv, cntk_csv, url_shares) = url_only_inputs(&posts)?;
        let lm = bench_lockstep(&args, &lockstep, &url_csv, size, "url only", url_shares)?;
        print_measure(&lm);
        let bin = match &toolkit {
            Some(b) => b.clone(),
            None => {
                let b = ensure_toolkit(&args)?;
                toolkit = Some(b.clone());
                b
            }
        };
        let tm = bench_toolkit(&args, (&bin.0, &bin.1), &cntk_csv, size, url_shares)?;
        print_measure(&tm);
        let ratio = Ratio {
            size,
            url_shares,
            toolkit_wall: tm.median_wall(),
            lockstep_wall: lm.median_wall(),
            lower_bound: tm.timed_out(),
        };
        println!(
            "ratio toolkit/lockstep on {url_shares} url shares: {}{:.1}x",
            if ratio.lower_bound { "> " } else { "" },
            ratio.toolkit_wall / ratio.lockstep_wall
        );
        let agreement = if tm.timed_out() {
            "n/a (toolkit timed out)".to_string()
        } else {
            compare_pairs(
                &args.work.join(format!("out-lockstep-{size}-url")),
                &args.work.join(format!("out-cntk-{size}")).join("edges.csv"),
            )?
        };
        println!("edge agreement on url shares: {agreement}");
        measures.push(lm);
        measures.push(tm);
        ratios.push(ratio);
        agreements.push((size, agreement));
    }

    let _ = writeln!(machine, "- load average at the end: {}", loadavg());
    let md = markdown(&args, &machine, &measures, &ratios, &agreements);
    let out = args.work.join("results.md");
    fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
    println!("\n{md}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `nproc`, CPU model, memory, OS and tool versions, as Markdown bullet lines.
fn machine_info(lockstep: &Path, origin: &Path) -> String {
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).to_string()))
        .unwrap_or_else(|| "unknown".into());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let version = Command::new(lockstep)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "- nproc: {nproc}\n- CPU: {model}\n- memory: {mem_gib:.1} GiB\n- kernel: Linux {}\n\
         - {version}: copy of {} (git HEAD at start: {head})\n- load average at the start: {}\n",
        kernel.trim(),
        origin.display(),
        loadavg()
    )
}

/// The 1, 5 and 15 minute load averages (other work on the machine skews timings).
fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Generates (once) the posts file of `size` posts; returns its path.
fn generate(args: &Args, lockstep: &Path, size: u64) -> Result<PathBuf> {
    let posts = args.work.join(format!("posts-{size}-seed{}.csv", args.seed));
    let truth = args.work.join(format!("posts-{size}-seed{}.truth.csv", args.seed));
    if posts.is_file() && truth.is_file() {
        return Ok(posts);
    }
    let tmp = args.work.join(format!("posts-{size}-seed{}.csv.partial", args.seed));
    let tmp_truth = args.work.join(format!("posts-{size}-seed{}.truth.csv.partial", args.seed));
    eprintln!("generating {size} posts (seed {}) ...", args.seed);
    let t = Instant::now();
    let status = Command::new(lockstep)
        .args(["generate", "-n", &size.to_string(), "--seed", &args.seed.to_string(), "-o"])
        .arg(&tmp)
        .arg("--truth")
        .arg(&tmp_truth)
        .stdout(Stdio::null())
        .status()
        .context("running lockstep generate")?;
    ensure!(status.success(), "lockstep generate failed: {status}");
    fs::rename(&tmp_truth, &truth)?;
    fs::rename(&tmp, &posts)?;
    eprintln!("generated in {:.1} s", t.elapsed().as_secs_f64());
    Ok(posts)
}

fn file_mb(path: &Path) -> Result<f64> {
    Ok(fs::metadata(path).with_context(|| format!("stat {}", path.display()))?.len() as f64 / 1e6)
}

/// Runs `program args` in its own process group, stdout/stderr to `log`;
/// kills the group after `timeout`. The wall time runs from just before the
/// spawn to the return of `wait4` on a thread blocked in it (no polling: a
/// poll's sleep would add up to its period to every run), and the peak RSS is
/// the `ru_maxrss` that call reports: the largest of the child and its
/// waited-for descendants, as `/usr/bin/time -f %M` gives it.
fn timed(program: &Path, args: &[&OsStr], log: &Path, timeout: Option<Duration>) -> Result<Run> {
    let log_file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null()).stdout(log_file.try_clone()?).stderr(log_file).process_group(0);
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("spawning {}", program.display()))?;
    let pid = i32::try_from(child.id()).context("process id out of range")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let waited = wait4(pid);
        let _ = tx.send((waited, start.elapsed()));
    });
    let (waited, elapsed, timed_out) = match timeout.map(|t| rx.recv_timeout(t)) {
        Some(Err(_)) => {
            // Kill the whole group: the tool and its workers.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
            let (w, e) = rx.recv().context("waiting for a killed run")?;
            (w, e, true)
        }
        Some(Ok((w, e))) => (w, e, false),
        None => {
            let (w, e) = rx.recv().context("waiting for a run")?;
            (w, e, false)
        }
    };
    let (status, max_rss_kib) = waited.with_context(|| format!("waiting for {}", program.display()))?;
    let wall = elapsed.as_secs_f64();
    if timed_out {
        return Ok(Run { wall, max_rss_kib: 0, timed_out });
    }
    if !status.success() {
        bail!("{} failed ({status}); see {}", program.display(), log.display());
    }
    Ok(Run { wall, max_rss_kib, timed_out })
}

/// Waits for child `pid`: its exit status and peak RSS in KiB (`ru_maxrss`).
fn wait4(pid: i32) -> std::io::Result<(std::process::ExitStatus, u64)> {
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed; `wait4` writes
    // `status` and `usage`, both live for the call.
    #[allow(unsafe_code)]
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        #[allow(unsafe_code)]
        // SAFETY: as above; `pid` is a child of this process not yet waited for
        // (std's `Child` is dropped without waiting).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((std::process::ExitStatus::from_raw(status), u64::try_from(usage.ru_maxrss).unwrap_or(0)));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Times `lockstep detect` end to end on `input`, `args.runs` times.
fn bench_lockstep(
    args: &Args,
    lockstep: &Path,
    input: &Path,
    size: u64,
    label: &'static str,
    records: u64,
) -> Result<Measure> {
    let tag = if label == "url only" { "url" } else { "all" };
    let out = args.work.join(format!("out-lockstep-{size}-{tag}"));
    let window = args.window.to_string();
    let mut runs = Vec::new();
    for i in 0..args.runs {
        if out.exists() {
            fs::remove_dir_all(&out)?;
        }
        let argv: Vec<&OsStr> = vec![
            "detect".as_ref(),
            input.as_os_str(),
            "--window".as_ref(),
            window.as_ref(),
            "--min-participation".as_ref(),
            "2".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "-q".as_ref(),
        ];
        let run = timed(lockstep, &argv, &args.work.join(format!("lockstep-{size}-{tag}.log")), None)?;
        eprintln!(
            "  lockstep {size} {label} run {}: {:.2} s, {:.0} MiB",
            i + 1,
            run.wall,
            run.max_rss_kib as f64 / 1024.0
        );
        runs.push(run);
    }
    Ok(Measure {
        size,
        input: label,
        tool: "lockstep detect".into(),
        file_mb: file_mb(input)?,
        records,
        runs,
        edges: lockstep_edges(&out)?,
    })
}

/// lockstep's edge counts: `counts.edges` of report.json (every account pair with
/// a kept co-share), those above the threshold, and those of weight >= 2.
fn lockstep_edges(out: &Path) -> Result<String> {
    let report: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("report.json"))?)?;
    let counts = &report["counts"];
    let mut rdr = csv::Reader::from_path(out.join("edges.csv"))?;
    let weight_col = rdr.headers()?.iter().position(|h| h == "weight").context("edges.csv has no weight column")?;
    let mut w2 = 0u64;
    for rec in rdr.records() {
        let w: u64 = rec?.get(weight_col).unwrap_or("0").parse().unwrap_or(0);
        if w >= 2 {
            w2 += 1;
        }
    }
    Ok(format!(
        "{} undirected (weight >= 2: {w2}; above threshold: {})",
        counts["edges"], counts["edges_above_threshold"]
    ))
}

/// Writes (once) the `kind=url` rows of `posts` as a lockstep CSV and in the
/// toolkit's CSV layout. Returns both paths and the number of url rows.
fn url_only_inputs(posts: &Path) -> Result<(PathBuf, PathBuf, u64)> {
    let stem = posts.with_extension("");
    let url_csv = stem.with_extension("url.csv");
    let cntk_csv = stem.with_extension("cntk.csv");
    let count_file = stem.with_extension("url.count");
    if url_csv.is_file() && cntk_csv.is_file() {
        if let Some(n) = fs::read_to_string(&count_file).ok().and_then(|s| s.trim().parse().ok()) {
            return Ok((url_csv, cntk_csv, n));
        }
    }
    eprintln!("writing url-only inputs for {} ...", posts.display());
    let mut rdr = csv::Reader::from_path(posts)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| format!("{} has no column {name}", posts.display()))
    };
    let (acc, obj, kind, post, time) =
        (col("account_id")?, col("object_id")?, col("kind")?, col("content_id")?, col("timestamp_share")?);
    let mut url_w = csv::Writer::from_path(url_csv.with_extension("csv.partial"))?;
    let mut cntk_w = csv::Writer::from_path(cntk_csv.with_extension("csv.partial"))?;
    url_w.write_record(&headers)?;
    cntk_w.write_record([
        "message_id",
        "user_id",
        "username",
        "repost_id",
        "reply_id",
        "message",
        "timestamp",
        "urls",
    ])?;
    let mut n = 0u64;
    for rec in rdr.records() {
        let rec = rec?;
        if rec.get(kind) != Some("url") {
            continue;
        }
        let (a, o, p, t) = (&rec[acc], &rec[obj], &rec[post], &rec[time]);
        // The toolkit splits `urls` on spaces: one URL per post, and it must not contain one.
        ensure!(!o.contains(' '), "url {o:?} contains a space; the toolkit would split it");
        url_w.write_record(&rec)?;
        cntk_w.write_record([p, a, a, "", "", "", t, o])?;
        n += 1;
    }
    url_w.flush()?;
    cntk_w.flush()?;
    drop((url_w, cntk_w));
    fs::rename(url_csv.with_extension("csv.partial"), &url_csv)?;
    fs::rename(cntk_csv.with_extension("csv.partial"), &cntk_csv)?;
    fs::write(&count_file, n.to_string())?;
    Ok((url_csv, cntk_csv, n))
}

/// Creates the venv with the toolkit if needed; returns its `compute_networks`
/// and its `python`.
fn ensure_toolkit(args: &Args) -> Result<(PathBuf, PathBuf)> {
    let venv = args.work.join("venv");
    let bin = venv.join("bin").join("compute_networks");
    let pip = venv.join("bin").join("pip");
    let installed = bin.is_file()
        && Command::new(&pip)
            .args(["show", "coordination-network-toolkit"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("Version: {TOOLKIT_VERSION}")))
            .unwrap_or(false);
    if !installed {
        eprintln!("installing coordination-network-toolkit=={TOOLKIT_VERSION} into {} ...", venv.display());
        let st = Command::new(&args.python).args(["-m", "venv"]).arg(&venv).status()?;
        ensure!(st.success(), "python -m venv failed: {st}");
        let st = Command::new(&pip)
            .args(["install", "-q", &format!("coordination-network-toolkit=={TOOLKIT_VERSION}")])
            .status()?;
        ensure!(st.success(), "pip install failed: {st}");
    }
    ensure!(bin.is_file(), "{} missing after install", bin.display());
    // Not canonicalized: the venv's python must be called by its venv path.
    let cwd = std::env::current_dir()?;
    Ok((cwd.join(bin), cwd.join(venv.join("bin").join("python"))))
}

/// Times the toolkit (preprocess + compute co_link with CSV output) on a fresh
/// database, `args.peer_runs` times.
fn bench_toolkit(
    args: &Args,
    (bin, python): (&Path, &Path),
    cntk_csv: &Path,
    size: u64,
    url_shares: u64,
) -> Result<Measure> {
    let dir = args.work.join(format!("out-cntk-{size}"));
    let db = dir.join("cntk.db");
    let edges = dir.join("edges.csv");
    let window = args.window.to_string();
    let timeout = Duration::from_secs(args.peer_timeout);
    let mut runs = Vec::new();
    for i in 0..args.peer_runs {
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        let pre: Vec<&OsStr> =
            vec![db.as_os_str(), "preprocess".as_ref(), "--format".as_ref(), "csv".as_ref(), cntk_csv.as_os_str()];
        let comp: Vec<&OsStr> =
            vec![db.as_os_str(), "compute".as_ref(), "co_link".as_ref(), "--time_window".as_ref(), window.as_ref()];
        // `compute --output_file X --output_format csv` (and `export_network`) crash in
        // 1.5.2 (`output_gephi_csv() got an unexpected keyword argument 'n_messages'`),
        // so the edge list is written by calling the toolkit's own CSV writer directly.
        let export: Vec<&OsStr> = vec![
            "-c".as_ref(),
            "import sys; from coordination_network_toolkit.output import output_gephi_csv; \
             output_gephi_csv(sys.argv[1], 'co_link', sys.argv[2])"
                .as_ref(),
            db.as_os_str(),
            edges.as_os_str(),
        ];
        let steps: [(&Path, &[&OsStr], &str); 3] =
            [(bin, &pre, "preprocess.log"), (bin, &comp, "compute.log"), (python, &export, "export.log")];
        let mut run = Run { wall: 0.0, max_rss_kib: 0, timed_out: false };
        for (program, argv, log) in steps {
            let left = timeout.saturating_sub(Duration::from_secs_f64(run.wall));
            let r = timed(program, argv, &dir.join(log), Some(left))?;
            run.wall += r.wall;
            run.max_rss_kib = run.max_rss_kib.max(r.max_rss_kib);
            if r.timed_out {
                run.timed_out = true;
                break;
            }
        }
        eprintln!(
            "  toolkit {size} url only run {}: {}{:.2} s, {:.0} MiB",
            i + 1,
            if run.timed_out { "> " } else { "" },
            run.wall,
            run.max_rss_kib as f64 / 1024.0
        );
        let stop = run.timed_out;
        runs.push(run);
        if stop {
            break;
        }
    }
    let timed_out = runs.iter().any(|r| r.timed_out);
    Ok(Measure {
        size,
        input: "url only",
        tool: format!("coordination-network-toolkit {TOOLKIT_VERSION} co_link"),
        file_mb: file_mb(cntk_csv)?,
        records: url_shares,
        runs,
        edges: if timed_out { "n/a (timeout)".into() } else { toolkit_edges(&edges)? },
    })
}

/// The toolkit's edge list: directed rows (self-loops are not exported) and the
/// undirected account pairs they cover.
fn toolkit_edges(edges: &Path) -> Result<String> {
    let mut rdr = csv::Reader::from_path(edges).with_context(|| format!("reading {}", edges.display()))?;
    let mut rows = 0u64;
    let mut pairs = HashSet::new();
    for rec in rdr.records() {
        let rec = rec?;
        let (a, b) = (rec[0].to_string(), rec[1].to_string());
        rows += 1;
        pairs.insert(if a <= b { (a, b) } else { (b, a) });
    }
    let both = rows - pairs.len() as u64;
    Ok(format!("{rows} directed rows = {} undirected pairs ({both} in both directions)", pairs.len()))
}

fn print_measure(m: &Measure) {
    println!(
        "{:>9} {:<9} {:<44} median {:>10} s  {:>12.0} records/s  peak {:>8.0} MiB  runs [{}]  edges: {}",
        m.size,
        m.input,
        m.tool,
        m.wall_cell(),
        m.records as f64 / m.median_wall(),
        m.peak_mib(),
        m.runs_cell(),
        m.edges
    );
}

/// The results as Markdown.
fn markdown(
    args: &Args,
    machine: &str,
    measures: &[Measure],
    ratios: &[Ratio],
    agreements: &[(u64, String)],
) -> String {
    let mut s = String::new();
    let sizes: Vec<String> = args.sizes.iter().map(u64::to_string).collect();
    let peers: Vec<String> = args.peer_sizes.iter().map(u64::to_string).collect();
    let _ = writeln!(s, "## Machine\n\n{machine}");
    let _ = writeln!(
        s,
        "Parameters: window {} s, min participation 2, seed {}, {} lockstep run(s) and {} toolkit run(s) per input, \
         toolkit timeout {} s. Command: `cargo run --release -p lockstep-bench -- --sizes {} --window {} --peer-sizes {}{}`\n",
        args.window,
        args.seed,
        args.runs,
        args.peer_runs,
        args.peer_timeout,
        sizes.join(","),
        args.window,
        if args.skip_peer { "-".into() } else { peers.join(",") },
        if args.skip_peer { " --skip-peer" } else { "" },
    );
    let _ = writeln!(s, "## Runs\n");
    let _ = writeln!(
        s,
        "| posts generated | input | file MB | records | tool | wall s (median) | runs s | records/s | peak RSS MiB | edges |"
    );
    let _ = writeln!(s, "|---:|---|---:|---:|---|---:|---|---:|---:|---|");
    for m in measures {
        let rate = m.records as f64 / m.median_wall();
        let _ = writeln!(
            s,
            "| {} | {} | {:.1} | {} | {} | {} | {} | {}{:.0} | {} | {} |",
            m.size,
            m.input,
            m.file_mb,
            m.records,
            m.tool,
            m.wall_cell(),
            m.runs_cell(),
            if m.timed_out() { "< " } else { "" },
            rate,
            if m.timed_out() { "n/a".into() } else { format!("{:.0}", m.peak_mib()) },
            m.edges
        );
    }
    if !ratios.is_empty() {
        let _ = writeln!(s, "\n## Ratio on the same URL shares (same run)\n");
        let _ = writeln!(s, "| posts generated | url shares | toolkit wall s | lockstep wall s | toolkit / lockstep |");
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|");
        for r in ratios {
            let lb = if r.lower_bound { "> " } else { "" };
            let _ = writeln!(
                s,
                "| {} | {} | {lb}{:.2} | {:.2} | {lb}{:.1}x |",
                r.size,
                r.url_shares,
                r.toolkit_wall,
                r.lockstep_wall,
                r.toolkit_wall / r.lockstep_wall
            );
        }
    }
    if !agreements.is_empty() {
        let _ = writeln!(s, "\n## Edge agreement on the url-only data\n");
        let _ = writeln!(
            s,
            "lockstep edges of weight >= 2 vs the toolkit's exported edges (min_edge_weight 2), as undirected pairs.\n"
        );
        for (size, a) in agreements {
            let _ = writeln!(s, "- {size} posts: {a}");
        }
    }
    s
}

/// Compares lockstep's edges of weight >= 2 with the toolkit's edges, as
/// undirected account pairs, and their weights on the common pairs (the
/// toolkit's weight of a pair is the larger of its two directed weights).
fn compare_pairs(lockstep_out: &Path, toolkit_edges: &Path) -> Result<String> {
    let key = |a: &str, b: &str| if a <= b { (a.to_string(), b.to_string()) } else { (b.to_string(), a.to_string()) };
    let mut lock = std::collections::HashMap::new();
    let mut rdr = csv::Reader::from_path(lockstep_out.join("edges.csv"))?;
    let h = rdr.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).with_context(|| format!("edges.csv has no column {n}"));
    let (f, t, w) = (col("from")?, col("to")?, col("weight")?);
    for rec in rdr.records() {
        let rec = rec?;
        let weight: u64 = rec[w].parse()?;
        if weight >= 2 {
            lock.insert(key(&rec[f], &rec[t]), weight);
        }
    }
    let mut tool = std::collections::HashMap::new();
    for rec in csv::Reader::from_path(toolkit_edges)?.records() {
        let rec = rec?;
        let weight: u64 = rec[2].parse()?;
        let e = tool.entry(key(&rec[0], &rec[1])).or_insert(0);
        *e = weight.max(*e);
    }
    let common = lock.keys().filter(|k| tool.contains_key(*k)).count();
    let same_weight = lock.iter().filter(|(k, w)| tool.get(*k) == Some(w)).count();
    Ok(format!(
        "{common} pairs in both ({same_weight} with equal weight), {} only in lockstep, {} only in the toolkit",
        lock.len() - common,
        tool.len() - common
    ))
}
