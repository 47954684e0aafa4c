//! `lockstep explain A B`: the evidence behind one edge. Reads and detects
//! exactly as `detect` does with the same flags, then prints the edge's
//! attributes and, one tab-separated line each, the co-shares behind it.

use crate::cli::ExplainArgs;
use crate::cmd::detect::{params, run_options};
use lockstep_core::{NoProgress, NAME_CHARS};
use lockstep_detect::EdgeAttrs;
use lockstep_pipeline::Input;
use lockstep_report::{edge_evidence, find_edge, utc};
use std::io::Write;

pub fn run(args: ExplainArgs) -> anyhow::Result<()> {
    let params = params(&args.flags)?;
    let opts = run_options(&args.flags, None)?;
    let inputs: Vec<Input> = args.inputs.iter().map(Input::path).collect();
    let read = lockstep_pipeline::read(&inputs, &opts, &NoProgress)?;
    let ds = &read.dataset;
    let id =
        |name: &str| ds.accounts.lookup(name).ok_or_else(|| anyhow::anyhow!("account {name:?} is not in the input"));
    let (a, b) = (id(&args.account_a)?, id(&args.account_b)?);
    if a == b {
        anyhow::bail!("an edge joins two different accounts; got {:?} twice", args.account_a);
    }
    let analysis = lockstep_pipeline::analyse(read, &opts, &params, &NoProgress)?;
    let (ds, found) = (&analysis.dataset, &analysis.detection);
    let Some(e) = find_edge(found, a, b) else {
        anyhow::bail!(
            "no edge between {:?} and {:?}: no co-share of theirs within {} s survives the participation filters \
             (min participation {})",
            args.account_a,
            args.account_b,
            found.window,
            params.min_participation
        );
    };
    let edge = &found.edges[e];
    let component = found.component_by_account(ds.accounts.len())[a as usize].filter(|_| edge.full.above_threshold);
    let mut o = std::io::stdout().lock();
    let safe = |s: &str, n| lockstep_core::terminal_safe(s, n).into_owned();
    let (name_a, name_b) = (safe(&args.account_a, NAME_CHARS), safe(&args.account_b, NAME_CHARS));
    writeln!(o, "edge {name_a} -- {name_b}")?;
    writeln!(o, "  {}", attrs(&edge.full))?;
    let sig = &found.significance;
    writeln!(
        o,
        "  n_objects {}; expected {:.4} by chance ({}), score {:.2}",
        edge.n_objects, sig.expected[e], sig.summary.model, sig.score[e]
    )?;
    // Multiplex: the co-shares per object kind (fast ones with a fast window).
    let kinds: Vec<String> = edge
        .kinds()
        .as_slice()
        .iter()
        .map(|k| {
            let fast = if params.fast_window.is_some() { format!(", {} fast", k.weight_fast) } else { String::new() };
            format!("{} {} ({} objects{fast})", ds.kinds.get(k.kind), k.weight, k.n_objects)
        })
        .collect();
    writeln!(o, "  kinds: {}", kinds.join("; "))?;
    if !params.kind_weights.is_empty() {
        writeln!(o, "  combined weight {}", edge.full.combined_weight)?;
    }
    writeln!(
        o,
        "  above_threshold {} (threshold {}); component {}",
        edge.full.above_threshold,
        found.threshold,
        component.map_or_else(|| "-".to_string(), |c| c.to_string())
    )?;
    if let Some(f) = params.fast_window {
        match edge.fast() {
            Some(fast) => writeln!(
                o,
                "  fast ({f} s): {}; above_threshold_fast {} (threshold {})",
                attrs(fast),
                fast.above_threshold,
                found.threshold_fast.map_or_else(|| "-".to_string(), |t| t.to_string())
            )?,
            None => writeln!(o, "  fast ({f} s): no fast co-shares")?,
        }
    }
    writeln!(o, "a = {name_a}, b = {name_b}")?;
    writeln!(o, "kind\tobject\tpost_a\ttime_a\tpost_b\ttime_b\tdelta\tfirst\tfast")?;
    for r in edge_evidence(ds, found, e, a) {
        writeln!(
            o,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            safe(r.kind, NAME_CHARS),
            safe(r.object, 2000),
            safe(r.post_a, NAME_CHARS),
            utc(r.time_a),
            safe(r.post_b, NAME_CHARS),
            utc(r.time_b),
            r.delta,
            if r.a_first { "a" } else { "b" },
            r.fast.map_or("-", |f| if f { "yes" } else { "no" })
        )?;
    }
    Ok(())
}

fn attrs(a: &EdgeAttrs) -> String {
    format!(
        "weight {}, avg_time_delta {}, n_content_id {}, n_content_id_y {}, edge_symmetry_score {}",
        a.weight,
        a.avg_time_delta(),
        a.n_content_id,
        a.n_content_id_y,
        a.edge_symmetry_score()
    )
}
