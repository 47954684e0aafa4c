//! `lockstep detect`: the library pipeline (`lockstep-pipeline`) on the given
//! inputs, its outputs written, a summary printed.

use crate::cli::{Compat, DetectArgs, DetectFlags, InputFlags, NullModelArg, ThresholdArg, WindowArg};
use crate::progress::Stages;
use anyhow::Context;
use lockstep_core::Progress;
use lockstep_detect::{AutoWindow, Mode, NullModel, Params, ThresholdRule, Window};
use lockstep_domains::Classifier;
use lockstep_ingest::{ColumnMap, ReadOptions};
use lockstep_pipeline::{Analysis, DuplicatePolicy, Input, RunOptions};
use lockstep_report::{GraphScope, OutputOptions, Report};
use std::io::Write;
use std::path::Path;

pub fn run(args: DetectArgs) -> anyhow::Result<()> {
    let stages = Stages::new(args.quiet, args.verbose);
    let params = params(&args.flags)?;
    // The output folder is checked before anything is read (it is written whole at the end).
    lockstep_report::OutputDir::check(&args.out, &args.inputs)?;
    let domains = if args.no_domains { None } else { Some(super::domains::classifier(&args.domains)?) };
    let params = Params { max_total_pairs: pairs_budget(&args.flags), ..params };
    let opts = run_options(&args.flags, domains)?;
    let inputs: Vec<Input> = args.inputs.iter().map(Input::path).collect();
    params.validate()?;
    stages.stage("reading");
    let read = lockstep_pipeline::read(&inputs, &opts, &stages)?;
    check_flags_apply(&args.flags, &read.formats)?;
    let analysis = lockstep_pipeline::analyse(read, &opts, &params, &stages)?;
    let found = &analysis.detection;
    for &g in &args.evidence_group {
        if g == 0 || u64::from(g) > found.counts.components {
            anyhow::bail!("--evidence-group {g}: there are {} groups, numbered from 1", found.counts.components);
        }
    }
    let output = OutputOptions {
        format: args.output_format,
        pairs: args.pairs,
        evidence_groups: args.evidence_group.clone(),
        graphs: args.graph.clone(),
        graph_scope: if args.graph_full { GraphScope::Full } else { GraphScope::Thresholded },
    };
    let report = lockstep_pipeline::write(&analysis, &output, &args.out, &stages)
        .with_context(|| format!("writing outputs to {}", args.out.display()))?;
    let secs = stages.done();
    if !args.quiet {
        print_summary(&analysis, &report, &args.out, secs)?;
    }
    Ok(())
}

/// The summary on stdout: what the stages did, the largest groups, the most
/// strongly coordinated communities.
pub(crate) fn print_summary(analysis: &Analysis, r: &Report, out: &Path, secs: f64) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    if let Some(nt) = &analysis.near_text {
        let c = &nt.clusters;
        writeln!(
            o,
            "near-text: {} shares of {} distinct texts ({} too short or empty, {} shares removed) → {} objects; \
             {} clusters of 2+ hold {} texts (largest {}); {} candidate pairs, {} similar; {} capped buckets",
            nt.shares,
            c.texts,
            c.short_texts + nt.empty_texts,
            nt.removed_shares,
            c.clusters,
            c.merged_clusters,
            c.merged_texts,
            c.largest_cluster,
            c.candidate_pairs,
            c.similar_pairs,
            c.capped_buckets
        )?;
    }
    if let Some(fusion) = &analysis.fusion {
        let flagged: Vec<_> = fusion.groups.iter().filter(|g| g.known_links + g.lookalike_links > 0).collect();
        for g in flagged.iter().take(5) {
            let outlets: Vec<&str> = g.outlets.iter().take(3).map(|o| o.name.as_str()).collect();
            writeln!(
                o,
                "  group {}: {} of {} links to known ({}) or look-alike ({}) domains; imitating {}",
                g.component,
                g.known_links + g.lookalike_links,
                g.links,
                g.known_links,
                g.lookalike_links,
                if outlets.is_empty() { "-".to_string() } else { outlets.join(", ") }
            )?;
        }
    }
    write_summary(&mut o, r, out, secs)
}

fn write_summary(o: &mut impl Write, r: &Report, out: &Path, secs: f64) -> std::io::Result<()> {
    use lockstep_core::terminal_safe as safe;
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
    let d = &r.diagnostics.duplicates;
    if d.identical + d.repeated_post_ids > 0 {
        writeln!(
            o,
            "  {} {} duplicate shares: {} identical records, {} repeating a post id's object{}",
            if d.dropped { "dropped" } else { "kept" },
            d.identical + d.repeated_post_ids,
            d.identical,
            d.repeated_post_ids,
            if d.dropped { " (--keep-duplicates keeps them)" } else { "" }
        )?;
    }
    if d.likely_duplicates > 0 {
        writeln!(
            o,
            "  {} {} likely duplicates: same account, object and time as another share under another post id{}",
            if d.likely_dropped { "dropped" } else { "kept" },
            d.likely_duplicates,
            if d.likely_dropped { "" } else { " (--drop-likely-duplicates drops them)" }
        )?;
    }
    if c.time_resolution > 1 {
        writeln!(
            o,
            "every time is on a whole {}: delays under {} s cannot be told apart",
            if c.time_resolution == 60 { "minute" } else { "hour" },
            c.time_resolution
        )?;
    }
    for (reason, s) in &r.diagnostics.by_reason {
        let ex = s.examples.first().map(|d| format!(" e.g. {}", safe(&d.to_string(), 400))).unwrap_or_default();
        writeln!(o, "  skipped {} × {reason}{ex}", s.count)?;
    }
    let sig = &r.significance;
    let support = if sig.solo_edge_score > sig.min_edge_score {
        format!(" (below {} only in a triangle: {} left out)", sig.solo_edge_score, sig.unsupported_edges)
    } else {
        String::new()
    };
    let rule = match sig.threshold_rule {
        ThresholdRule::Quantile => format!("above weight {}", r.threshold),
        ThresholdRule::Score => format!("with score ≥ {}{support}", sig.min_edge_score),
        ThresholdRule::Both => format!("above weight {} with score ≥ {}{support}", r.threshold, sig.min_edge_score),
    };
    writeln!(
        o,
        "{} co-shares within {} s; network of {} accounts and {} edges; {} edges {rule} ({} accounts in {} groups)",
        c.coshares,
        r.parameters.window,
        c.network_accounts,
        c.edges,
        c.edges_above_threshold,
        c.coordinated_accounts,
        c.components
    )?;
    if let Some(e) = &r.window_estimate {
        writeln!(
            o,
            "window auto: {} s (CooRnet's estimate {} s over the {} fastest of {} objects shared twice or more)",
            e.window, e.estimate, e.fastest_objects, e.objects
        )?;
    }
    if c.mass_objects > 0 {
        writeln!(
            o,
            "{} objects too widely co-shared to expand ({} share pairs) are listed in objects with mass=true",
            c.mass_objects, c.mass_object_pairs
        )?;
    }
    if c.mass_objects_over_budget > 0 {
        writeln!(
            o,
            "  {} of them to stay within the memory budget (--memory-limit; {} pairs allowed): their co-shares \
             are not in the network",
            c.mass_objects_over_budget,
            r.parameters.detection.max_total_pairs.unwrap_or(0)
        )?;
    }
    for g in r.groups.iter().take(5).map(|g| &g.summary) {
        let top: Vec<String> =
            g.top_objects.iter().take(3).map(|t| format!("{} ({})", safe(&t.object, 80), t.coshares)).collect();
        let kinds: Vec<String> = g.kinds.iter().map(|k| format!("{} {}", safe(&k.kind, 40), k.coshares)).collect();
        writeln!(
            o,
            "  group {}: {} accounts, {} co-shares ({}); top: {}",
            g.component,
            g.members.len(),
            g.coshares,
            kinds.join(", "),
            top.join(", ")
        )?;
    }
    if !r.communities.is_empty() {
        writeln!(
            o,
            "{} Leiden communities (modularity {:.3}); most strongly coordinated:",
            c.communities,
            r.modularity.unwrap_or(0.0)
        )?;
    }
    for m in r.communities.iter().take(5) {
        writeln!(o, "  community {} (rank {}, group {}): {}", m.community, m.rank, m.component, m.why)?;
    }
    writeln!(o, "wrote {} in {:.2} s", out.display(), secs)?;
    Ok(())
}

/// Detection parameters from the shared flags, validated.
pub(crate) fn params(flags: &DetectFlags) -> anyhow::Result<Params> {
    let params = Params {
        window: match flags.window {
            WindowArg::Seconds(w) => Window::Seconds(u32::try_from(w).map_err(|_| {
                anyhow::anyhow!(
                    "invalid parameter window: must be between 0 and {} seconds (136 years), got {w}",
                    u32::MAX
                )
            })?),
            WindowArg::Auto => Window::Auto(AutoWindow { q: flags.auto_window_q, p: flags.auto_window_p }),
        },
        fast_window: flags.fast_window,
        min_participation: flags.min_participation,
        edge_quantile: flags.edge_quantile,
        mode: match flags.compat {
            Compat::None => Mode::Lockstep,
            Compat::Coortweet => Mode::CoorTweet,
        },
        max_object_pairs: flags.max_object_pairs,
        max_total_pairs: None,
        partitions: flags.partitions,
        resolution: flags.resolution,
        seed: flags.seed,
        kind_weights: kind_weights(&flags.kind_weight)?,
        threshold: match flags.threshold {
            Some(ThresholdArg::Quantile) => ThresholdRule::Quantile,
            Some(ThresholdArg::Score) => ThresholdRule::Score,
            Some(ThresholdArg::Both) => ThresholdRule::Both,
            None if flags.compat == Compat::Coortweet => ThresholdRule::Quantile,
            None => ThresholdRule::Score,
        },
        min_edge_score: flags.min_edge_score,
        solo_edge_score: flags.solo_edge_score,
        nb_size: flags.nb_size,
        null_model: match flags.null_model {
            NullModelArg::AccountTime => NullModel::AccountTime,
            NullModelArg::ObjectTime => NullModel::ObjectTime,
            NullModelArg::RarestObject => NullModel::RarestObject,
            NullModelArg::Fused => NullModel::Fused,
            NullModelArg::Configuration => NullModel::Configuration,
            NullModelArg::Shuffle => NullModel::Shuffle,
        },
    };
    params.validate()?;
    Ok(params)
}

/// `--kind-weight` values as a map; a kind given twice is an error.
fn kind_weights(given: &[(String, f64)]) -> anyhow::Result<std::collections::BTreeMap<String, f64>> {
    let mut map = std::collections::BTreeMap::new();
    for (kind, w) in given {
        if map.insert(kind.clone(), *w).is_some() {
            anyhow::bail!("--kind-weight: kind {kind:?} is given twice");
        }
    }
    Ok(map)
}

/// The reading options the input flags give (strictness and time range aside).
pub(crate) fn read_options(input: &InputFlags) -> ReadOptions {
    ReadOptions {
        format: input.format,
        columns: ColumnMap {
            account: input.account.clone(),
            object: input.object.clone(),
            time: input.time.clone(),
            post: Some(input.post.clone()),
            kind: input.kind_column.clone(),
        },
        kind_label: input.kind.clone().unwrap_or_else(|| ReadOptions::default().kind_label),
        time_unit: input.time_unit,
        objects: input.objects.unwrap_or_default(),
        auto_kind_column: input.kind.is_none() && input.kind_column.is_none(),
        ..ReadOptions::default()
    }
}

/// How to read and analyse, from the shared flags; `domains` classifies the linked domains.
pub(crate) fn run_options(flags: &DetectFlags, domains: Option<Classifier>) -> anyhow::Result<RunOptions> {
    Ok(RunOptions {
        read: ReadOptions { strict: flags.strict, time_range: time_range(flags)?, ..read_options(&flags.input) },
        near_text: lockstep_neartext::Params { threshold: flags.near_text_threshold, ..Default::default() },
        domains,
        // CooRTweet mode counts every row, as CooRTweet does.
        duplicates: if flags.keep_duplicates || flags.compat == Compat::Coortweet {
            DuplicatePolicy::KEEP_ALL
        } else {
            DuplicatePolicy { drop_exact: true, drop_likely: flags.drop_likely_duplicates }
        },
    })
}

/// The memory budget in in-window pairs: `--memory-limit` (default half the
/// machine's memory) less what the process holds now. `None` when unknown.
pub(crate) fn pairs_budget(flags: &DetectFlags) -> Option<u64> {
    use lockstep_detect::memory;
    let limit = flags
        .memory_limit
        .or_else(|| memory::total_memory().map(|t| (t as f64 * memory::DEFAULT_SHARE_OF_MEMORY) as u64))?;
    Some(memory::pairs_within(limit, memory::resident_memory().unwrap_or(0)))
}

/// Flags that apply to none of the formats read are an error: they would be ignored silently.
fn check_flags_apply(flags: &DetectFlags, formats: &[lockstep_ingest::Format]) -> anyhow::Result<()> {
    let names = |platform: bool| {
        let mut v: Vec<&str> = formats.iter().filter(|f| f.is_platform() == platform).map(|f| f.name()).collect();
        v.dedup();
        v.join(", ")
    };
    if flags.input.objects.is_some() && !formats.iter().any(|f| f.is_platform()) {
        anyhow::bail!(
            "--objects applies to platform exports (x-v2, mastodon, …); the input is read as {}: name its \
             object column with --object and its kind with --kind or --kind-column",
            names(false)
        );
    }
    if formats.iter().all(|f| f.is_platform()) {
        let d = lockstep_ingest::ColumnMap::default();
        let given: Vec<&str> = [
            ("--account", flags.input.account != d.account),
            ("--object", flags.input.object != d.object),
            ("--time", flags.input.time != d.time),
            ("--post", Some(&flags.input.post) != d.post.as_ref()),
            ("--kind", flags.input.kind.is_some()),
            ("--kind-column", flags.input.kind_column.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, on)| on.then_some(flag))
        .collect();
        if !given.is_empty() {
            anyhow::bail!(
                "{} name columns of a generic file (csv, tsv, jsonl, parquet); the input is a platform export ({}), \
                 whose fields are known: choose its object kinds with --objects, or read it as a generic file \
                 with --format",
                given.join(", "),
                names(true)
            );
        }
    }
    Ok(())
}

/// `--min-time`, `--max-time` as a range (the latest by default one day after now).
fn time_range(flags: &DetectFlags) -> anyhow::Result<lockstep_ingest::TimeRange> {
    let mut r = lockstep_ingest::TimeRange::default();
    r.min = flags.min_time;
    r.max = flags.max_time.unwrap_or(r.max);
    if r.min > r.max {
        anyhow::bail!("--min-time is after --max-time");
    }
    Ok(r)
}
