//! `lockstep watch`: the live mode (`lockstep-live`): records in as they
//! arrive, alerts out, a summary on stderr at exit.

use crate::cli::WatchArgs;
use lockstep_core::terminal_safe;
use lockstep_live::sink::SinkSpec;
use lockstep_live::watch::{stop_on_signals, SourceSpec};
use lockstep_live::{LiveParams, WatchOptions};
use std::time::Duration;

pub fn run(args: WatchArgs) -> anyhow::Result<()> {
    let source = SourceSpec::parse(&args.source, Some(&args.stream), Some(&args.consumer));
    let mut opts = WatchOptions::new(source);
    opts.read = super::detect::read_options(&args.input);
    opts.params = LiveParams {
        window: args.window,
        lateness: args.lateness,
        horizon: args.horizon.0,
        min_weight: args.min_weight,
        edge_quantile: args.edge_quantile,
        evidence: args.evidence,
        max_object_shares: args.max_object_shares,
        pass_every: args.pass_every,
    };
    opts.sinks = if args.alert.is_empty() { vec![SinkSpec::Stdout] } else { args.alert.clone() };
    opts.checkpoint = args.checkpoint.clone();
    anyhow::ensure!(
        args.checkpoint_every.is_finite() && args.checkpoint_every >= 0.0,
        "--checkpoint-every must be a number of seconds >= 0"
    );
    opts.checkpoint_every = Duration::from_secs_f64(args.checkpoint_every);
    opts.exit_at_end = args.exit_at_end;
    opts.metrics = args.metrics.clone();
    opts.edges_out = args.edges_out.clone();
    if !args.no_domains {
        opts.domains = Some(std::sync::Arc::new(super::domains::classifier(&args.domains)?));
    }
    stop_on_signals(&opts.stop)?;
    let start = std::time::Instant::now();
    let s = lockstep_live::watch(opts)?;
    if !args.quiet {
        let c = &s.counters;
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "{}{} records ({} skipped) → {} shares: {} accepted, {} late, {} duplicates, {} in mass objects; \
             {} co-shares; {} alerts{}; state: {} held shares, {} edges, {} accounts, {} groups; \
             {} checkpoints; {:.2} s{}",
            if s.resumed { "resumed from the checkpoint; " } else { "" },
            s.records,
            s.skipped,
            c.shares_in,
            c.accepted,
            c.late_shares,
            c.duplicates,
            c.mass_shares,
            c.coshares,
            c.alerts,
            if c.domain_overflow > 0 {
                format!(" ({} strong co-shares on flagged domains past the per-pass cap)", c.domain_overflow)
            } else {
                String::new()
            },
            s.state.held_shares,
            s.state.edges,
            s.state.accounts,
            s.state.groups,
            s.checkpoints,
            secs,
            if s.stopped { " (stopped by signal)" } else { "" }
        );
        for (reason, r) in &s.diagnostics.by_reason {
            let ex = r
                .examples
                .first()
                .map(|d| format!(", e.g. {}", terminal_safe(&d.to_string(), 300)))
                .unwrap_or_default();
            eprintln!("  skipped {} × {reason}{ex}", r.count);
        }
    }
    Ok(())
}
