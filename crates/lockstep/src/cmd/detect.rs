//! `lockstep detect`: read inputs, detect, write outputs, print a summary.

use crate::cli::{Compat, DetectArgs};
use crate::progress::Stages;
use anyhow::Context;
use lockstep_core::{Dataset, Diagnostics};
use lockstep_detect::{detect, Mode, Params};
use lockstep_ingest::{read_input, ColumnMap, ReadOptions};
use lockstep_report::{write_outputs, InputInfo, OutputOptions, Report};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

pub fn run(args: DetectArgs) -> anyhow::Result<()> {
    let mut stages = Stages::new(args.quiet, args.verbose);
    let params = Params {
        window: args.window,
        fast_window: args.fast_window,
        min_participation: args.min_participation,
        edge_quantile: args.edge_quantile,
        mode: match args.compat {
            Compat::None => Mode::Lockstep,
            Compat::Coortweet => Mode::CoorTweet,
        },
        max_object_pairs: args.max_object_pairs,
    };
    params.validate()?;
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
        time_unit: args.time_unit,
        objects: args.objects,
        strict: args.strict,
        progress: stages.interactive(),
    };
    let inputs: Vec<PathBuf> = if args.inputs.is_empty() { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    let mut infos = Vec::new();
    stages.stage("reading");
    for path in &inputs {
        let first = ds.shares.len();
        let s = read_input(path, &opts, &mut ds, &mut diags)?;
        let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
        let mut counts = vec![0u64; ds.kinds.len()];
        for share in &ds.shares[first..] {
            counts[ds.object_kind[share.object as usize] as usize] += 1;
        }
        for (kind, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            by_kind.insert(ds.kinds.get(kind as u32).to_string(), n);
        }
        infos.push(InputInfo {
            source: s.source,
            format: s.format.to_string(),
            records: s.records,
            shares: s.shares,
            skipped: s.skipped,
            posts: s.posts,
            posts_without_objects: s.posts_without_objects,
            object_kinds: s.format.is_platform().then(|| opts.objects.to_string()),
            shares_by_kind: by_kind,
            shortened_urls: s.shortened_urls,
            unparsed_urls: s.unparsed_urls,
        });
    }
    if ds.shares.is_empty() {
        anyhow::bail!(
            "no shares read from {} ({} records skipped; see the reasons above or rerun with --strict)",
            inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            diags.skipped
        );
    }
    stages.stage("detecting");
    let found = detect(&ds, &params)?;
    stages.stage("writing outputs");
    let report = write_outputs(
        &args.out,
        &ds,
        &found,
        &infos,
        &diags,
        OutputOptions { format: args.output_format, pairs: args.pairs },
    )
    .with_context(|| format!("writing outputs to {}", args.out.display()))?;
    let secs = stages.done();
    if !args.quiet {
        print_summary(&report, &args.out, secs)?;
    }
    Ok(())
}

fn print_summary(r: &Report, out: &std::path::Path, secs: f64) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    let c = &r.counts;
    let skipped: u64 = r.inputs.iter().map(|i| i.skipped).sum();
    for i in r.inputs.iter().filter(|i| i.object_kinds.is_some()) {
        let kinds: Vec<String> = i.shares_by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            o,
            "{} ({}): {} posts → {} shares ({}); {} posts without a {} object",
            i.source,
            i.format,
            i.posts,
            i.shares,
            if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") },
            i.posts_without_objects,
            i.object_kinds.as_deref().unwrap_or_default()
        )?;
    }
    writeln!(
        o,
        "read {} shares by {} accounts of {} objects ({} records skipped)",
        c.shares, c.accounts, c.objects, skipped
    )?;
    for (reason, s) in &r.diagnostics.by_reason {
        let ex = s.examples.first().map(|d| format!(" e.g. {d}")).unwrap_or_default();
        writeln!(o, "  skipped {} × {reason}{ex}", s.count)?;
    }
    writeln!(
        o,
        "{} co-shares within {} s; network of {} accounts and {} edges; {} edges above weight {} ({} accounts in {} groups)",
        c.coshares,
        r.parameters.window,
        c.network_accounts,
        c.edges,
        c.edges_above_threshold,
        r.threshold,
        c.coordinated_accounts,
        c.components
    )?;
    if c.mass_objects > 0 {
        writeln!(
            o,
            "{} objects too widely co-shared to expand ({} share pairs) are listed in objects with mass=true",
            c.mass_objects, c.mass_object_pairs
        )?;
    }
    for g in r.groups.iter().take(5) {
        let top: Vec<String> = g.top_objects.iter().take(3).map(|t| format!("{} ({})", t.object, t.coshares)).collect();
        writeln!(
            o,
            "  group {}: {} accounts, {} co-shares; top: {}",
            g.component,
            g.members.len(),
            g.coshares,
            top.join(", ")
        )?;
    }
    writeln!(o, "wrote {} in {:.2} s", out.display(), secs)?;
    Ok(())
}
