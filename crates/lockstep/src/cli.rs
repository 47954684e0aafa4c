//! Command-line definitions. Every flag is documented here; `lockstep help
//! <command>` shows the same text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Lockstep finds accounts that share the same objects (links, hashtags,
/// reposts, texts) within seconds of one another, again and again.
#[derive(Debug, Parser)]
#[command(name = "lockstep", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Detect coordinated sharing in one or more input files and write the network.
    Detect(DetectArgs),
    /// Write a realistic synthetic dataset with planted coordinated networks.
    Generate(GenerateArgs),
    /// Generate a scenario in memory, detect, and show what was found against the truth.
    Demo(DemoArgs),
}

/// Semantics of detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compat {
    /// Lockstep's semantics (docs/method.md).
    None,
    /// Reproduce CooRTweet 2.1.3 exactly, quirks included.
    Coortweet,
}

/// `lockstep detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Input files (CSV, TSV, JSON Lines, Parquet, or a platform export; optionally .gz or .zst). `-` or none reads stdin.
    pub inputs: Vec<PathBuf>,
    /// Input format: auto, csv, tsv, jsonl, parquet (generic: one share per row, mapped by --account, --object, …),
    /// or a platform format whose posts become shares of the --objects kinds: x-v2 (twarc2 JSON Lines),
    /// twitter-v1 (API v1.1 statuses, JSON Lines), bluesky-jetstream (Jetstream events), mastodon (API statuses), ira-538 (FiveThirtyEight IRA CSV), twitter-io (Twitter
    /// information-operations archive CSV).
    /// `auto` recognises platform layouts by content (docs/formats.md).
    #[arg(long, default_value = "auto")]
    pub format: lockstep_ingest::Format,
    /// Column (or JSON key, dotted for nesting) holding the account.
    #[arg(long, default_value = "account_id")]
    pub account: String,
    /// Column holding the shared object.
    #[arg(long, default_value = "object_id")]
    pub object: String,
    /// Column holding the time (UNIX seconds or milliseconds, RFC 3339, or `YYYY-MM-DD HH:MM:SS` UTC).
    #[arg(long, default_value = "timestamp_share")]
    pub time: String,
    /// Column holding the post id. When the column is absent, posts are named `file:line`.
    #[arg(long, default_value = "content_id")]
    pub post: String,
    /// Kind label of the objects (url, domain, hashtag, repost, text, …).
    #[arg(long, default_value = "object")]
    pub kind: String,
    /// Column holding each record's object kind (overrides --kind).
    #[arg(long)]
    pub kind_column: Option<String>,
    /// Object kinds each platform post is turned into (platform formats such as x-v2, ira-538):
    /// a comma-separated list of url, domain, hashtag, mention, repost, reply, quote, text, media, or `all`.
    /// Each kind is analysed separately: objects of different kinds never co-share.
    #[arg(long, default_value = "url,domain,hashtag,repost,text")]
    pub objects: lockstep_ingest::ObjectKinds,
    /// How to read numeric times: auto (milliseconds when ≥ 1e11), s, ms, rfc3339.
    #[arg(long, default_value = "auto")]
    pub time_unit: lockstep_ingest::TimeUnit,
    /// Stop at the first bad record instead of skipping and counting it.
    #[arg(long)]
    pub strict: bool,
    /// Co-share window in seconds (inclusive).
    #[arg(long, short = 'w', default_value_t = 60)]
    pub window: i64,
    /// A faster window flagged on the same run (CooRTweet's fast network).
    #[arg(long)]
    pub fast_window: Option<i64>,
    /// Minimum participation M (see docs/method.md).
    #[arg(long, short = 'm', default_value_t = 2)]
    pub min_participation: u32,
    /// Edges must have a weight strictly above this quantile of all edge weights.
    #[arg(long, default_value_t = 0.5)]
    pub edge_quantile: f64,
    /// Reproduce another tool's semantics exactly.
    #[arg(long, value_enum, default_value = "none")]
    pub compat: Compat,
    /// Objects with more in-window share pairs than this are reported, not expanded (bounds memory).
    #[arg(long, default_value_t = 10_000_000)]
    pub max_object_pairs: u64,
    /// Output directory.
    #[arg(long, short = 'o', default_value = "lockstep-out")]
    pub out: PathBuf,
    /// Table format of the outputs: csv or parquet.
    #[arg(long, default_value = "csv")]
    pub output_format: lockstep_report::TableFormat,
    /// Also write every co-share (pairs table: the evidence behind each edge).
    #[arg(long)]
    pub pairs: bool,
    /// No summary on stdout, no progress on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print each stage's time on stderr (also when not on a terminal).
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// `lockstep generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of posts.
    #[arg(long, short = 'n', default_value_t = 100_000)]
    pub posts: usize,
    /// Random seed (same seed, same bytes).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Posts file (CSV: account_id,object_id,kind,content_id,timestamp_share).
    #[arg(long, short = 'o', default_value = "posts.csv")]
    pub out: PathBuf,
    /// Truth file (CSV: account_id,group,style). Default: beside the posts, `<name>.truth.csv`.
    #[arg(long)]
    pub truth: Option<PathBuf>,
}

/// `lockstep demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of posts in the scenario.
    #[arg(long, short = 'n', default_value_t = 200_000)]
    pub posts: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Co-share window in seconds.
    #[arg(long, short = 'w', default_value_t = 300)]
    pub window: i64,
    /// Minimum participation.
    #[arg(long, short = 'm', default_value_t = 5)]
    pub min_participation: u32,
    /// Edge weight quantile.
    #[arg(long, default_value_t = 0.95)]
    pub edge_quantile: f64,
    /// Also write the outputs here.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}
