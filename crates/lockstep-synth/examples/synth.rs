//! Writes a synthetic scenario to CSV and prints its summary and timing.
//!
//! `cargo run --release -p lockstep-synth --example synth -- POSTS SEED POSTS.csv TRUTH.csv`

use std::path::Path;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: synth POSTS SEED POSTS.csv TRUTH.csv");
        std::process::exit(2);
    }
    let posts: usize = args[1].parse().expect("POSTS is an integer");
    let seed: u64 = args[2].parse().expect("SEED is an integer");
    let cfg = lockstep_synth::ScenarioConfig::new(posts, seed);
    let started = Instant::now();
    let scenario = lockstep_synth::write_csv(&cfg, Path::new(&args[3]), Path::new(&args[4]))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{posts} posts in {secs:.2} s; {} accounts, {} networks, {} planted accounts, {} campaign posts ({:.2} %), {} viral bursts ({} posts)",
        scenario.accounts,
        scenario.groups.len(),
        scenario.truth.len(),
        scenario.campaign_posts,
        100.0 * scenario.campaign_posts as f64 / posts as f64,
        scenario.viral_events,
        scenario.viral_posts,
    );
    for g in &scenario.groups {
        println!("  {} ({} accounts, {} events, {} posts): {}", g.name, g.accounts, g.events, g.posts, g.description);
    }
    Ok(())
}
