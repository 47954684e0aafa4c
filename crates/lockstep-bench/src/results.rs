//! The figures of a run and their Markdown table.

use crate::cli::Args;
use crate::timing::Run;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The figures of one tool on one input.
#[derive(Debug, Clone)]
pub(crate) struct Measure {
    /// Posts count.
    pub(crate) size: u64,
    /// Which input: `all kinds` or `url only`.
    pub(crate) input: &'static str,
    /// The tool.
    pub(crate) tool: String,
    /// Input file size in MB.
    pub(crate) file_mb: f64,
    /// Records in the input.
    pub(crate) records: u64,
    /// Every timed run.
    pub(crate) runs: Vec<Run>,
    /// Edge counts, described.
    pub(crate) edges: String,
}

impl Measure {
    pub(crate) fn median_wall(&self) -> f64 {
        let mut w: Vec<f64> = self.runs.iter().map(|r| r.wall).collect();
        w.sort_by(f64::total_cmp);
        w[w.len() / 2]
    }
    pub(crate) fn timed_out(&self) -> bool {
        self.runs.iter().any(|r| r.timed_out)
    }
    pub(crate) fn peak_mib(&self) -> f64 {
        self.runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0
    }
    pub(crate) fn wall_cell(&self) -> String {
        if self.timed_out() {
            format!("> {:.0} (timeout)", self.median_wall())
        } else {
            format!("{:.2}", self.median_wall())
        }
    }
    pub(crate) fn runs_cell(&self) -> String {
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
pub(crate) struct Ratio {
    pub(crate) size: u64,
    pub(crate) url_shares: u64,
    pub(crate) toolkit_wall: f64,
    pub(crate) lockstep_wall: f64,
    pub(crate) lower_bound: bool,
}

pub(crate) fn print_measure(m: &Measure) {
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
pub(crate) fn markdown(
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

/// `nproc`, CPU model, memory, OS and tool versions, as Markdown bullet lines.
pub(crate) fn machine_info(lockstep: &Path, origin: &Path) -> String {
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
pub(crate) fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
