//! `lockstep generate`: write a seeded synthetic dataset and its truth.

use crate::cli::GenerateArgs;
use anyhow::Context;
use lockstep_synth::{write_csv, ScenarioConfig};

pub fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let truth = args.truth.clone().unwrap_or_else(|| {
        let stem = args.out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "posts".into());
        args.out.with_file_name(format!("{stem}.truth.csv"))
    });
    let mut cfg = ScenarioConfig::preset(args.scenario, args.posts, args.seed);
    if let Some(r) = args.time_resolution {
        anyhow::ensure!(r >= 1, "--time-resolution must be at least 1 second, not {r}");
        cfg.time_resolution = r;
    }
    let scenario = write_csv(&cfg, &args.out, &truth).with_context(|| format!("writing {}", args.out.display()))?;
    if let Some(path) = &args.roles {
        let mut text = String::from("account_id,role\n");
        for (role, accounts) in [("live_tweeter", &scenario.live_tweeters), ("automated", &scenario.automated)] {
            for a in accounts {
                text.push_str(&format!("{a},{role}\n"));
            }
        }
        let tmp = path.with_extension("csv.partial");
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    }
    let rows = if scenario.rows == scenario.posts { String::new() } else { format!(" ({} rows)", scenario.rows) };
    println!(
        "wrote {} {} posts{rows} by {} accounts to {} ({} planted accounts in {} networks; truth in {})",
        scenario.posts,
        args.scenario.as_str(),
        scenario.accounts,
        args.out.display(),
        scenario.truth.len(),
        scenario.groups.len(),
        truth.display()
    );
    Ok(())
}
