//! The peer: coordination-network-toolkit in a venv, on the url-only shares,
//! and how its edges agree with lockstep's.

use crate::cli::{Args, TOOLKIT_VERSION};
use crate::results::Measure;
use crate::timing::{file_mb, timed, Run};
use anyhow::{ensure, Context, Result};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Writes (once) the `kind=url` rows of `posts` as a lockstep CSV and in the
/// toolkit's CSV layout. Returns both paths and the number of url rows.
pub(crate) fn url_only_inputs(posts: &Path) -> Result<(PathBuf, PathBuf, u64)> {
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
pub(crate) fn ensure_toolkit(args: &Args) -> Result<(PathBuf, PathBuf)> {
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
pub(crate) fn bench_toolkit(
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
pub(crate) fn toolkit_edges(edges: &Path) -> Result<String> {
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

/// Compares lockstep's edges of weight >= 2 with the toolkit's edges, as
/// undirected account pairs, and their weights on the common pairs (the
/// toolkit's weight of a pair is the larger of its two directed weights).
pub(crate) fn compare_pairs(lockstep_out: &Path, toolkit_edges: &Path) -> Result<String> {
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
