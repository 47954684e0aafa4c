//! End to end: generated inputs, `lockstep detect` timed on each, the toolkit
//! beside it on the url-only shares.

use crate::cli::Args;
use crate::results::{loadavg, machine_info, markdown, print_measure, Measure, Ratio};
use crate::timing::{file_mb, timed};
use crate::toolkit::{bench_toolkit, compare_pairs, ensure_toolkit, url_only_inputs};
use anyhow::{ensure, Context, Result};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Generates (once) the posts file of `size` posts; returns its path.
pub(crate) fn generate(args: &Args, lockstep: &Path, size: u64) -> Result<PathBuf> {
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

/// Times `lockstep detect` end to end on `input`, `args.runs` times.
pub(crate) fn bench_lockstep(
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
pub(crate) fn lockstep_edges(out: &Path) -> Result<String> {
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

/// The end-to-end benchmark (see the crate's docs).
pub(crate) fn run(args: &Args) -> Result<()> {
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
        let posts = generate(args, &lockstep, size)?;
        let mb = file_mb(&posts)?;
        eprintln!("== {size} posts: {} ({mb:.1} MB)", posts.display());
        println!("posts file {}: {mb:.1} MB", posts.display());

        let m = bench_lockstep(args, &lockstep, &posts, size, "all kinds", size)?;
        print_measure(&m);
        measures.push(m);

        if args.skip_peer || !args.peer_sizes.contains(&size) {
            continue;
        }
        let (url_csv, cntk_csv, url_shares) = url_only_inputs(&posts)?;
        let lm = bench_lockstep(args, &lockstep, &url_csv, size, "url only", url_shares)?;
        print_measure(&lm);
        let bin = match &toolkit {
            Some(b) => b.clone(),
            None => {
                let b = ensure_toolkit(args)?;
                toolkit = Some(b.clone());
                b
            }
        };
        let tm = bench_toolkit(args, (&bin.0, &bin.1), &cntk_csv, size, url_shares)?;
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
    let md = markdown(args, &machine, &measures, &ratios, &agreements);
    let out = args.work.join("results.md");
    fs::write(&out, &md).with_context(|| format!("writing {}", out.display()))?;
    println!("\n{md}");
    eprintln!("wrote {}", out.display());
    Ok(())
}
