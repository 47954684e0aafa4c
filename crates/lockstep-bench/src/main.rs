//! # lockstep-bench: end-to-end benchmark of `lockstep detect`
//!
//! `lockstep-bench` (or `lockstep-bench detect`): for every `--sizes` N this command:
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
//! Modules: `cli.rs` (subcommands and options), `end_to_end.rs` (the steps
//! above), `timing.rs` (a child timed by `wait4`), `toolkit.rs` (the peer), `results.rs`
//! (figures and the Markdown table).
//!
//! `lockstep-bench near-text` measures the near-text stage instead (see `near_text.rs`):
//! generated tweets, `detect --kind near-text` beside `--kind text` and a naive
//! all-pairs Jaccard, with quality against the generator's truth.
//!
//! `lockstep-bench ira-groups` evaluates the groups and communities found on the IRA
//! sample against Clemson's account categories (see `ira_groups.rs`).
//!
//! `lockstep-bench readers` measures the platform readers instead (see `readers.rs`):
//! MB/s and posts/s of the X API v2, IRA, CrowdTangle and Telegram readers beside
//! a plain serde_json / csv baseline in the same run, and the Telegram reader's peak memory.

mod cli;
mod end_to_end;
mod ira_groups;
mod live;
mod near_text;
mod readers;
mod results;
mod timing;
mod toolkit;

use anyhow::{ensure, Context, Result};
use clap::Parser;
use cli::{Args, Mode};
use results::{loadavg, machine_info};
use std::fmt::Write as _;
use std::fs;

fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(args.runs >= 1 && args.peer_runs >= 1, "--runs and --peer-runs must be at least 1");
    match &args.mode {
        None | Some(Mode::Detect) => end_to_end::run(&args),
        Some(Mode::Readers) => run_readers(&args),
        Some(Mode::NearText) => run_near_text(&args),
        Some(Mode::IraGroups) => run_ira_groups(&args),
        Some(Mode::Live { posts, memory_seconds, skip_nats, parts, before }) => {
            let parts = live::Parts { names: parts.clone(), skip_nats: *skip_nats, before: before.clone() };
            run_live(&args, *posts, *memory_seconds, &parts)
        }
        Some(Mode::ReadOne { path, read_format, read_mode }) => readers::read_one(path, *read_format, read_mode),
    }
}

/// `live`: see `live.rs`.
fn run_live(args: &Args, posts: u64, memory_seconds: u64, parts: &live::Parts) -> Result<()> {
    let head = format!(
        "- cores: {}\n- load average at the start: {}\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
    eprint!("{head}");
    let md = live::run(args, posts, memory_seconds, parts)?;
    let md = format!("{head}- load average at the end: {}\n\n{md}", loadavg());
    let out = args.work.join("live").join("results.md");
    std::fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
    print!("{md}");
    Ok(())
}

/// `readers`: see `readers.rs`.
fn run_readers(args: &Args) -> Result<()> {
    let mut head = String::new();
    let _ = writeln!(head, "- cores: {}", std::thread::available_parallelism().map_or(0, |n| n.get()));
    let _ = writeln!(head, "- load average at the start: {}", loadavg());
    eprint!("{head}");
    let md = readers::run(&args.shared, &args.work.join("readers"), args.reader_mb, args.runs, &args.reader_formats)?;
    let md = format!("{head}- load average at the end: {}\n\n{md}", loadavg());
    let out = args.work.join("readers").join("results.md");
    fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
    println!("\n{md}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `ira-groups`: see `ira_groups.rs`.
fn run_ira_groups(args: &Args) -> Result<()> {
    ensure!(args.lockstep.is_file(), "lockstep binary {} not found", args.lockstep.display());
    let work = args.work.join("ira-groups");
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let md = ira_groups::run(&fs::canonicalize(&args.lockstep)?, &args.shared, &work, &args.ira_kinds, args.window)?;
    let out = work.join("results.md");
    fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
    println!("{md}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `near-text`: see `near_text.rs`.
fn run_near_text(args: &Args) -> Result<()> {
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
    Ok(())
}
