//! The command line: one subcommand per mode, options shared by all.

use clap::Parser;
use std::path::PathBuf;

/// The toolkit version compared against.
pub(crate) const TOOLKIT_VERSION: &str = "1.5.2";

/// End-to-end benchmark of `lockstep detect`, with the Python
/// coordination-network-toolkit as a peer on the same URL shares.
#[derive(Debug, Parser)]
#[command(version, about)]
pub(crate) struct Args {
    /// What to measure (default: `detect`).
    #[command(subcommand)]
    pub(crate) mode: Option<Mode>,
    /// Numbers of posts to generate and detect on.
    #[arg(long, global = true, value_delimiter = ',', default_value = "1000000,10000000")]
    pub(crate) sizes: Vec<u64>,
    /// Co-share window in seconds, for both tools.
    #[arg(long, global = true, default_value_t = 60)]
    pub(crate) window: u64,
    /// Generator seed.
    #[arg(long, global = true, default_value_t = 42)]
    pub(crate) seed: u64,
    /// The lockstep binary to benchmark.
    #[arg(long, global = true, default_value = "target/release/lockstep")]
    pub(crate) lockstep: PathBuf,
    /// Work directory: cached inputs, outputs, the toolkit venv, results.md.
    #[arg(long, global = true, default_value = "bench-work")]
    pub(crate) work: PathBuf,
    /// Timed runs of lockstep per input (the median wall time is reported).
    #[arg(long, global = true, default_value_t = 3)]
    pub(crate) runs: usize,
    /// Sizes on which the coordination-network-toolkit is also run.
    #[arg(long, global = true, value_delimiter = ',', default_value = "1000000")]
    pub(crate) peer_sizes: Vec<u64>,
    /// Timed runs of the toolkit per size (the median wall time is reported).
    #[arg(long, global = true, default_value_t = 3)]
    pub(crate) peer_runs: usize,
    /// Kill a toolkit run after this many seconds and report it as a lower bound.
    #[arg(long, global = true, default_value_t = 1800)]
    pub(crate) peer_timeout: u64,
    /// Do not run the toolkit at all.
    #[arg(long, global = true)]
    pub(crate) skip_peer: bool,
    /// Python interpreter used to create the toolkit's venv.
    #[arg(long, global = true, default_value = "python3")]
    pub(crate) python: String,
    /// readers: size of the X API v2 input built from the shared samples, in MB.
    #[arg(long, global = true, default_value_t = 200)]
    pub(crate) reader_mb: u64,
    /// ira-groups: the object kinds, one detection each.
    #[arg(long, global = true, value_delimiter = ',', default_value = "hashtag,text,near-text")]
    pub(crate) ira_kinds: Vec<String>,
    /// near-text: numbers of posts.
    #[arg(long, global = true, value_delimiter = ',', default_value = "1000000")]
    pub(crate) near_text_sizes: Vec<u64>,
    /// readers: the shared data folder.
    #[arg(long, global = true, default_value = "../shared")]
    pub(crate) shared: PathBuf,
    /// readers: measure only these formats (x-v2, ira-538, crowdtangle, telegram; default: all four).
    #[arg(long, global = true, value_delimiter = ',')]
    pub(crate) reader_formats: Vec<lockstep_ingest::Format>,
}

/// What to measure.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Mode {
    /// End-to-end timings of `lockstep detect` beside the toolkit (the default).
    Detect,
    /// Reader throughput (X API v2 JSONL, IRA, CrowdTangle CSV, Telegram JSON) against a serde_json/csv baseline.
    Readers,
    /// The near-text stage on generated tweets; sizes from --near-text-sizes.
    NearText,
    /// The live mode (`lockstep watch`): file replay and NATS throughput against batch detect, alert
    /// latency, memory over a long synthetic stream (BENCHMARKS.md, "Live").
    Live {
        /// Posts of the generated file replayed.
        #[arg(long, default_value_t = 2_000_000)]
        posts: u64,
        /// Event seconds of the long synthetic stream (50K posts each).
        #[arg(long, default_value_t = 1200)]
        memory_seconds: u64,
        /// Do not measure NATS.
        #[arg(long)]
        skip_nats: bool,
        /// Which parts to run: file (replay against detect), nats, latency, held (bytes per held share),
        /// memory (the long stream).
        #[arg(long, value_delimiter = ',', default_value = "file,nats,latency,held,memory")]
        parts: Vec<String>,
        /// An older `lockstep` binary measured beside the current one (file replay and held bytes), as the
        /// before of a change.
        #[arg(long)]
        before: Option<PathBuf>,
    },
    /// Groups and communities on ../shared/data/ira-2016q4 against the account categories.
    IraGroups,
    /// Internal (the readers' memory measurement; also a single read to profile): read this file once and
    /// print `posts peak_rss_kib`.
    #[command(hide = true)]
    ReadOne {
        /// The file.
        path: PathBuf,
        /// Its format.
        #[arg(long, default_value = "telegram")]
        read_format: lockstep_ingest::Format,
        /// The object kinds, or `serde-value` for the baseline.
        #[arg(long, default_value = "url,domain,hashtag,repost,text")]
        read_mode: String,
    },
}
