//! `lockstep generate`: write a seeded synthetic dataset and its truth.

use crate::cli::GenerateArgs;
use anyhow::Context;
use lockstep_synth::{write_csv, ScenarioConfig};

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let truth = args.truth.clone().unwrap_or_else(|| {
        let stem = args.out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "posts".into());
        args.out.with_file_name(format!("{stem}.truth.csv"))
    });
    let cfg = ScenarioConfig::new(args.posts, args.seed);
    let scenario = write_csv(&cfg, &args.out, &truth).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "wrote {} posts by {} accounts to {} ({} planted accounts in {} networks; truth in {})",
        scenario.posts,
        scenario.accounts,
        args.out.display(),
        scenario.truth.len(),
        scenario.groups.len(),
        truth.display()
    );
    Ok(())
}
