//! `lockstep detect`: the library pipeline (`lockstep-pipeline`) on the given
//! inputs, its outputs written, a summary printed.

use crate::cli::{Compat, DetectArgs, DetectFlags, NullModelArg, ThresholdArg, WindowArg};
use crate::progress::Stages;
use anyhow::Context;
use lockstep_detect::{AutoWindow, Mode, NullModel, Params, ThresholdRule, Window};
use lockstep_domains::Classifier;
use lockstep_ingest::{ColumnMap, ReadOptions};
use lockstep_pipeline::{Analysis, Input, RunOptions};
use lockstep_report::{GraphScope, OutputOptions, Report};
use std::io::Write;
use std::path::Path;

pub fn run(args: DetectArgs) -> anyhow::Result<()> {
    let stages = Stages::new(args.quiet, args.verbose);
    let params = params(&args.flags)?;
    // The output folder is checked before anything is read (it is written whole at the end).
    lockstep_report::OutputDir::check(&args.out, &args.inputs)?;
    let domains = if args.no_domains { None } else { Some(super::domains::classifier(&args.domains)?) };
    let opts = run_options(&args.flags, domains);
    let inputs: Vec<Input> = args.inputs.iter().map(Input::path).collect();
    let analysis = lockstep_pipeline::run(&inputs, &opts, &params, &stages)?;
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
    if c.time_resolution > 1 {
        writeln!(
            o,
            "every time is on a whole {}: delays under {} s cannot be told apart",
            if c.time_resolution == 60 { "minute" } else { "hour" },
            c.time_resolution
        )?;
    }
    for (reason, s) in &r.diagnostics.by_reason {
        let ex = s.examples.first().map(|d| format!(" e.g. {d}")).unwrap_or_default();
        writeln!(o, "  skipped {} × {reason}{ex}", s.count)?;
    }
    let rule = match r.significance.threshold_rule {
        ThresholdRule::Quantile => format!("above weight {}", r.threshold),
        ThresholdRule::Score => format!("with score ≥ {}", r.significance.min_edge_score),
        ThresholdRule::Both => format!("above weight {} with score ≥ {}", r.threshold, r.significance.min_edge_score),
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
    for g in r.groups.iter().take(5).map(|g| &g.summary) {
        let top: Vec<String> = g.top_objects.iter().take(3).map(|t| format!("{} ({})", t.object, t.coshares)).collect();
        let kinds: Vec<String> = g.kinds.iter().map(|k| format!("{} {}", k.kind, k.coshares)).collect();
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
        null_model: match flags.null_model {
            NullModelArg::AccountTime => NullModel::AccountTime,
            NullModelArg::ObjectTime => NullModel::ObjectTime,
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

/// How to read and analyse, from the shared flags; `domains` classifies the linked domains.
pub(crate) fn run_options(flags: &DetectFlags, domains: Option<Classifier>) -> RunOptions {
    RunOptions {
        read: ReadOptions {
            format: flags.format,
            columns: ColumnMap {
                account: flags.account.clone(),
                object: flags.object.clone(),
                time: flags.time.clone(),
                post: Some(flags.post.clone()),
                kind: flags.kind_column.clone(),
            },
            kind_label: flags.kind.clone(),
            time_unit: flags.time_unit,
            objects: flags.objects,
            strict: flags.strict,
        },
        near_text: lockstep_neartext::Params { threshold: flags.near_text_threshold, ..Default::default() },
        domains,
    }
}
