//! `lockstep domains`: classify domains, URLs or every link of a dataset as a
//! known operation domain (which operation, which source, first reported), a
//! look-alike of an outlet (which outlet, which technique, a score) or clean.

use crate::cli::{DomainSources, DomainsArgs, DomainsFormat};
use anyhow::Context;
use lockstep_core::{Dataset, Diagnostics};
use lockstep_domains::{
    annotate, read_feed_path, read_targets_path, read_watchlist_path, Class, Classification, Classifier, Feed, Matcher,
    Watchlist, LINK_KINDS,
};
use lockstep_ingest::{read_input, ColumnMap, ReadOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Prints a loader's skipped rows on stderr (count by reason, first examples).
fn report_skipped(what: &str, path: &Path, d: &Diagnostics) {
    if d.is_empty() {
        return;
    }
    eprintln!("warning: {what} {}: {} rows skipped", path.display(), d.skipped);
    for (reason, s) in &d.by_reason {
        let ex = s
            .examples
            .first()
            .map(|e| format!(", e.g. {}", lockstep_core::terminal_safe(&e.to_string(), 400)))
            .unwrap_or_default();
        eprintln!("  {} × {reason}{ex}", s.count);
    }
}

/// Builds the classifier from the built-in lists and the given files.
pub(crate) fn classifier(src: &DomainSources) -> anyhow::Result<Classifier> {
    let mut feed = if src.no_builtin_feed { Feed::new() } else { Feed::builtin() };
    for path in &src.feed {
        let loaded = read_feed_path(path).with_context(|| format!("reading feed {}", path.display()))?;
        report_skipped("feed", path, &loaded.diagnostics);
        feed.extend(loaded.rows);
    }
    let mut watchlist = if src.no_builtin_watchlist { Watchlist::default() } else { Watchlist::builtin() };
    for path in &src.watchlist {
        let loaded = read_watchlist_path(path).with_context(|| format!("reading watchlist {}", path.display()))?;
        report_skipped("watchlist", path, &loaded.diagnostics);
        watchlist.extend(loaded.rows);
    }
    // After the watchlists: a listed outlet keeps its place (and gains the rank).
    for path in &src.targets {
        let loaded = read_targets_path(path).with_context(|| format!("reading targets {}", path.display()))?;
        report_skipped("targets", path, &loaded.diagnostics);
        watchlist.extend(loaded.rows);
    }
    if !(0.0..=1.0).contains(&src.min_score) {
        anyhow::bail!("--min-score must be within [0, 1], got {}", src.min_score);
    }
    Ok(Classifier::new(feed, Matcher::new(watchlist).with_min_score(src.min_score)))
}

/// One output row: a verdict, with shares and accounts in dataset mode.
struct Row {
    c: Classification,
    counts: Option<(u64, u64)>,
}

pub fn run(args: DomainsArgs) -> anyhow::Result<()> {
    if args.items.is_empty() && args.input.is_empty() && args.dataset.is_empty() {
        anyhow::bail!("nothing to classify: give domains or URLs, --input FILE or --dataset FILE");
    }
    // The output file is checked before anything is read, and written under a temporary name.
    let mut file = match &args.out {
        Some(p) => {
            let s = &args.sources;
            let inputs: Vec<&Path> = args
                .input
                .iter()
                .chain(&args.dataset)
                .chain(&s.feed)
                .chain(&s.watchlist)
                .chain(&s.targets)
                .map(PathBuf::as_path)
                .collect();
            Some(lockstep_report::OutputFile::create(p, &inputs)?)
        }
        None => None,
    };
    let classifier = classifier(&args.sources)?;
    let mut rows: Vec<Row> = args.items.iter().map(|i| Row { c: classifier.classify(i), counts: None }).collect();
    for path in &args.input {
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(std::io::BufReader::new(
                fs_err::File::open(path).with_context(|| format!("reading {}", path.display()))?,
            ))
        };
        for line in reader.lines() {
            let line = line.with_context(|| format!("reading {}", path.display()))?;
            let item = line.trim();
            if item.is_empty() || item.starts_with('#') {
                continue;
            }
            rows.push(Row { c: classifier.classify(item), counts: None });
        }
    }
    if !args.dataset.is_empty() {
        let opts = ReadOptions {
            format: args.format,
            columns: ColumnMap {
                account: args.account.clone(),
                object: args.object.clone(),
                time: args.time.clone(),
                post: Some(args.post.clone()),
                kind: args.kind_column.clone(),
            },
            kind_label: args.kind.clone(),
            time_unit: lockstep_ingest::TimeUnit::Auto,
            // Platform exports: their posts' links (other kinds are ignored below).
            objects: "url,domain".parse().expect("valid kinds"),
            strict: false,
            time_range: lockstep_ingest::TimeRange::default(),
            auto_kind_column: false,
        };
        let mut ds = Dataset::default();
        let mut diags = Diagnostics::default();
        for path in &args.dataset {
            read_input(path, &opts, &mut ds, &mut diags)?;
        }
        if !diags.is_empty() {
            report_skipped("dataset", Path::new(&args.dataset[0]), &diags);
        }
        let fusion = annotate(&ds, None, &classifier, LINK_KINDS);
        if fusion.not_domains > 0 {
            eprintln!("note: {} link objects are not domain names (IP addresses, malformed URLs)", fusion.not_domains);
        }
        rows.extend(
            fusion.domains.into_iter().map(|d| Row { c: d.classification, counts: Some((d.shares, d.accounts)) }),
        );
    }
    if args.flagged {
        rows.retain(|r| matches!(r.c.class, Class::Known | Class::LookAlike));
    }
    let write = |out: &mut dyn Write| match args.output_format {
        DomainsFormat::Csv => write_csv(out, &rows),
        DomainsFormat::Json => write_json(out, &rows),
        DomainsFormat::Table => write_table(out, &rows),
    };
    match file.as_mut() {
        Some(f) => write(f.writer())?,
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
        }
    }
    if let Some(f) = file {
        f.commit()?;
    }
    Ok(())
}

/// CSV in the domains table's schema (`lockstep_report::DOMAIN_COLUMNS`): shares
/// and accounts in dataset mode, no groups (there is no detection here).
fn write_csv(out: &mut dyn Write, rows: &[Row]) -> anyhow::Result<()> {
    let lines: Vec<lockstep_report::DomainLine<'_>> = rows
        .iter()
        .map(|r| lockstep_report::DomainLine { classification: &r.c, counts: r.counts, groups: None })
        .collect();
    lockstep_report::write_domains_csv(out, &lines)?;
    Ok(())
}

fn write_json(out: &mut dyn Write, rows: &[Row]) -> anyhow::Result<()> {
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(&r.c).expect("serialisable");
            if let (Some((s, a)), Some(obj)) = (r.counts, v.as_object_mut()) {
                obj.insert("shares".into(), s.into());
                obj.insert("accounts".into(), a.into());
            }
            v
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &values)?;
    writeln!(out)?;
    Ok(())
}

fn write_table(out: &mut dyn Write, rows: &[Row]) -> anyhow::Result<()> {
    let lines: Vec<[String; 3]> = rows
        .iter()
        .map(|r| {
            let c = &r.c;
            let what = match c.class {
                Class::Known => {
                    let mut s = format!("{} — {} (first reported {})", c.operation, c.source, c.first_reported);
                    if !c.outlet.is_empty() {
                        s.push_str(&format!("; imitates {} ({}, {})", c.outlet_domain, c.outlet, c.technique));
                    }
                    s
                }
                Class::LookAlike => format!(
                    "imitates {} ({}) by {}, score {:.2}",
                    c.outlet_domain,
                    c.outlet,
                    c.technique,
                    c.score.unwrap_or(0.0)
                ),
                Class::Clean if c.note.is_empty() => c.why.clone(),
                Class::Clean | Class::Invalid => c.note.clone(),
            };
            let domain = match r.counts {
                Some((s, a)) => format!("{} ({s} shares, {a} accounts)", c.domain),
                None if c.domain.is_empty() => c.input.clone(),
                None => c.domain.clone(),
            };
            let safe = |s: &str| lockstep_core::terminal_safe(s, lockstep_core::NAME_CHARS).into_owned();
            [safe(&domain), c.class.as_str().to_string(), safe(&what)]
        })
        .collect();
    let w0 = lines.iter().map(|l| l[0].chars().count()).max().unwrap_or(0).max(6);
    let w1 = lines.iter().map(|l| l[1].chars().count()).max().unwrap_or(0).max(5);
    writeln!(out, "{:<w0$}  {:<w1$}  details", "domain", "class")?;
    for l in &lines {
        writeln!(out, "{:<w0$}  {:<w1$}  {}", l[0], l[1], l[2])?;
    }
    let count = |k: Class| rows.iter().filter(|r| r.c.class == k).count();
    writeln!(
        out,
        "\n{} domains: {} known, {} look-alike, {} clean, {} invalid",
        rows.len(),
        count(Class::Known),
        count(Class::LookAlike),
        count(Class::Clean),
        count(Class::Invalid)
    )?;
    Ok(())
}
