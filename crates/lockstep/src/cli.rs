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
    /// List the co-shares behind the edge between two accounts (the evidence), with the edge's attributes.
    Explain(ExplainArgs),
    /// Classify domains, URLs, or every link of a dataset: known operation domain,
    /// look-alike of a real outlet, or clean.
    Domains(DomainsArgs),
    /// Serve the investigation workspace: upload data, run analyses and work cases in the browser.
    Serve(ServeArgs),
    /// Watch a stream of records (a file being appended to, stdin, a NATS JetStream subject) and alert while
    /// coordination happens (docs/live.md).
    Watch(WatchArgs),
    /// Publish the lines of a file to a NATS JetStream subject or a Kafka topic (to replay a dataset through `watch`).
    Publish(PublishArgs),
}

/// `lockstep serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Data folder: the store (SQLite), uploads and run outputs.
    #[arg(long, default_value = "lockstep-data")]
    pub data: PathBuf,
    /// Address to listen on. Beyond loopback, --token is required.
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub listen: std::net::SocketAddr,
    /// Token every API request must carry (`random`: generate one). The printed URL carries it.
    #[arg(long)]
    pub token: Option<String>,
    /// Largest upload (e.g. 2G, 500M).
    #[arg(long, default_value = "2G", value_parser = lockstep_detect::memory::parse_size)]
    pub max_upload: u64,
    /// Most runs waiting in the queue.
    #[arg(long, default_value_t = 8)]
    pub queue: usize,
    /// Most finished runs kept loaded in memory.
    #[arg(long, default_value_t = 2)]
    pub cached_runs: usize,
    /// A folder whose files may be registered as datasets by path (repeatable; none: registering is off).
    #[arg(long, value_name = "DIR")]
    pub allow_path: Vec<PathBuf>,
}

/// Where known-operation domains and protected outlets come from (`domains`, `detect`).
#[derive(Debug, Clone, Args)]
pub struct DomainSources {
    /// A feed of known operation domains: CSV (domain,source,campaign,date_first_reported,notes) or a
    /// STIX 2.1 bundle (.json). Repeatable; added to the built-in feed.
    #[arg(long, value_name = "FILE")]
    pub feed: Vec<PathBuf>,
    /// Do not use the built-in feed of known operation domains.
    #[arg(long)]
    pub no_builtin_feed: bool,
    /// A watchlist of outlets to protect (CSV: domain,name,country,language,source; rows with the same
    /// name and country are one outlet's sibling domains). Repeatable; added to the built-in watchlist.
    #[arg(long, value_name = "FILE")]
    pub watchlist: Vec<PathBuf>,
    /// Do not use the built-in watchlist of major outlets and institutions.
    #[arg(long)]
    pub no_builtin_watchlist: bool,
    /// A popularity list (Tranco layout: `rank,domain` lines, or one domain per line): its domains are
    /// targets of imitation beyond the watchlist (a lower prior) and known sites, never flagged. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub targets: Vec<PathBuf>,
    /// Minimum score of a reported look-alike (0 to 1).
    #[arg(long, default_value_t = 0.5)]
    pub min_score: f32,
}

/// Output format of `lockstep domains`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DomainsFormat {
    /// Aligned columns for reading.
    Table,
    /// CSV with a header.
    Csv,
    /// JSON array of objects.
    Json,
}

/// `lockstep domains`.
#[derive(Debug, Args)]
pub struct DomainsArgs {
    /// Domains or URLs to classify.
    pub items: Vec<String>,
    /// A file with one domain or URL per line (`-` for stdin; blank lines and `#` comments skipped). Repeatable.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub input: Vec<PathBuf>,
    /// A dataset (any format `detect` reads): classify every link (objects of kind url or domain),
    /// with shares and accounts per domain. Columns as in `detect`.
    #[arg(long, value_name = "FILE")]
    pub dataset: Vec<PathBuf>,
    /// Dataset: column holding the account.
    #[arg(long, default_value = "account_id")]
    pub account: String,
    /// Dataset: column holding the link.
    #[arg(long, default_value = "object_id")]
    pub object: String,
    /// Dataset: column holding the time.
    #[arg(long, default_value = "timestamp_share")]
    pub time: String,
    /// Dataset: column holding the post id.
    #[arg(long, default_value = "content_id")]
    pub post: String,
    /// Dataset: kind label of the objects (only `url` and `domain` objects are links).
    #[arg(long, default_value = "url")]
    pub kind: String,
    /// Dataset: column holding each record's object kind (overrides --kind).
    #[arg(long)]
    pub kind_column: Option<String>,
    /// Dataset: input format (auto, csv, tsv, jsonl, parquet).
    #[arg(long, default_value = "auto")]
    pub format: lockstep_ingest::Format,
    /// Feeds and watchlists.
    #[command(flatten)]
    pub sources: DomainSources,
    /// Output format: table, csv or json.
    #[arg(long, value_enum, default_value = "table")]
    pub output_format: DomainsFormat,
    /// Write here instead of stdout.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Only known and look-alike domains.
    #[arg(long)]
    pub flagged: bool,
}

/// Semantics of detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Compat {
    /// Lockstep's semantics (docs/method.md).
    None,
    /// Reproduce CooRTweet 2.1.3 exactly, quirks included.
    Coortweet,
}

/// `--threshold`: the rule of the thresholded network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThresholdArg {
    /// Weight strictly above the --edge-quantile quantile of all weights.
    Quantile,
    /// Edge score at least --min-edge-score.
    Score,
    /// Both conditions.
    Both,
}

/// `--null-model`: what an edge's expected weight is computed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NullModelArg {
    /// Each account keeps what it shared and when it was active; which of its posts went out at which of its
    /// times is random (docs/method.md, Significance).
    AccountTime,
    /// Who shares which object is random among the shares made at the same time (object popularity and
    /// account activity at that time kept).
    ObjectTime,
    /// A pair of posts is as surprising as its rarest co-shared object, popularity taken at that time and
    /// without the two accounts; each edge tested at its best cut of rarity (docs/method.md).
    RarestObject,
    /// Surprising under either account-time or object-time.
    Fused,
    /// Configuration model of the co-share network: each account's co-sharing with everyone (its activity,
    /// times and the popularity of its objects) explains its co-sharing with any one account.
    Configuration,
    /// Accounts shuffled among the shares (one global rate).
    Shuffle,
}

/// `--window`: seconds, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowArg {
    /// A window in seconds.
    Seconds(i64),
    /// Estimated from the data.
    Auto,
}

impl std::str::FromStr for WindowArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(WindowArg::Auto);
        }
        s.parse().map(WindowArg::Seconds).map_err(|_| format!("expected seconds or `auto`, got {s:?}"))
    }
}

/// How records are read: the format and which column holds what (`detect`, `explain`, `watch`).
#[derive(Debug, Args)]
pub struct InputFlags {
    /// Input format: auto, csv, tsv, jsonl, parquet (generic: one share per row, mapped by --account, --object, …),
    /// or a platform format whose posts become shares of the --objects kinds: x-v2 (twarc2 JSON Lines),
    /// twitter-v1 (API v1.1 statuses, JSON Lines), bluesky-jetstream (Jetstream events), mastodon (API statuses), ira-538 (FiveThirtyEight IRA CSV), twitter-io (Twitter
    /// information-operations archive CSV), crowdtangle (CrowdTangle CSV exports), telegram (Telegram Desktop result.json).
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
    /// Kind label of the objects (url, domain, hashtag, repost, text, …; default `object`). `near-text`: the
    /// object column holds post texts, clustered into near-duplicates after reading. Without --kind and
    /// --kind-column, a column named `kind` is the kind column.
    #[arg(long)]
    pub kind: Option<String>,
    /// Column holding each record's object kind (overrides --kind).
    #[arg(long)]
    pub kind_column: Option<String>,
    /// Object kinds each platform post is turned into (platform formats such as x-v2, ira-538):
    /// a comma-separated list of url, domain, hashtag, mention, repost, reply, quote, text, media, near-text,
    /// or `all` (every kind but near-text). Each kind is analysed separately: objects of different kinds never
    /// co-share. near-text: clusters of near-duplicate texts (docs/method.md); with a generic CSV/JSONL input,
    /// use `--object TEXT_COLUMN --kind near-text` instead.
    /// Default: url,domain,hashtag,repost,text.
    #[arg(long)]
    pub objects: Option<lockstep_ingest::ObjectKinds>,
    /// How to read numeric times: auto (milliseconds when ≥ 1e11), s, ms, rfc3339.
    #[arg(long, default_value = "auto")]
    pub time_unit: lockstep_ingest::TimeUnit,
}

/// Input and detection flags shared by `detect` and `explain`.
#[derive(Debug, Args)]
pub struct DetectFlags {
    /// Input format and columns.
    #[command(flatten)]
    pub input: InputFlags,
    /// near-text: two texts are near-copies when the Jaccard similarity of their character 5-gram sets is
    /// at least this (0 < t ≤ 1).
    #[arg(long, default_value_t = 0.7)]
    pub near_text_threshold: f64,
    /// Stop at the first bad record instead of skipping and counting it.
    #[arg(long)]
    pub strict: bool,
    /// Keep duplicate shares (identical records, a post id repeating an object): by default each is counted
    /// in report.json and dropped (docs/method.md, Duplicates). Always kept with `--compat coortweet`.
    #[arg(long)]
    pub keep_duplicates: bool,
    /// Also drop likely duplicates: shares with the same account, object and time as an earlier one under
    /// another post id (counted and reported either way).
    #[arg(long)]
    pub drop_likely_duplicates: bool,
    /// Earliest plausible time (a date or UNIX seconds); earlier records are skipped as `implausible_time`.
    #[arg(long, value_name = "TIME", default_value = "2006-01-01", value_parser = parse_time)]
    pub min_time: i64,
    /// Latest plausible time (a date or UNIX seconds); default: one day after now.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub max_time: Option<i64>,
    /// Co-share window in seconds (inclusive), or `auto`: estimated from the data as CooRnet does
    /// (docs/method.md; the estimate is in report.json).
    #[arg(long, short = 'w', default_value = "60")]
    pub window: WindowArg,
    /// With `--window auto`: quantile of the time to a second share that selects the fastest objects.
    #[arg(long, default_value_t = 0.1)]
    pub auto_window_q: f64,
    /// With `--window auto`: share of an object's shares to reach, and quantile over the fastest objects.
    #[arg(long, default_value_t = 0.5)]
    pub auto_window_p: f64,
    /// A faster window flagged on the same run (CooRTweet's fast network).
    #[arg(long)]
    pub fast_window: Option<i64>,
    /// Minimum participation M (see docs/method.md).
    #[arg(long, short = 'm', default_value_t = 2)]
    pub min_participation: u32,
    /// Edges must have a weight strictly above this quantile of all edge weights (`--threshold quantile`, `both`).
    #[arg(long, default_value_t = 0.5)]
    pub edge_quantile: f64,
    /// Which edges form the thresholded network: `quantile` (weight above --edge-quantile, CooRTweet's rule),
    /// `score` (edge score at least --min-edge-score: co-shares far beyond what the two accounts' activity
    /// explains; docs/method.md, Significance), or `both`. Every edge gets its `expected` and `score` either way.
    /// Default: `score`; `quantile` with --compat coortweet.
    #[arg(long, value_enum)]
    pub threshold: Option<ThresholdArg>,
    /// Minimum edge score (−log10 of the p-value; 5 means p = 1e-5) for `--threshold score` or `both`.
    /// (Named so because `--min-score` is the look-alike domains' minimum.)
    #[arg(long, default_value_t = lockstep_detect::significance::DEFAULT_MIN_EDGE_SCORE)]
    pub min_edge_score: f64,
    /// Score an edge needs to count on its own under `--threshold score`/`both`; an edge scoring between
    /// --min-edge-score and this is kept only in a triangle of such edges (its two accounts have a common
    /// partner). One chance edge is expected among millions; a triangle of them is not. Set it to
    /// --min-edge-score or lower to keep every edge on its own (docs/method.md, Group-level evidence).
    #[arg(long, default_value_t = lockstep_detect::significance::DEFAULT_SOLO_EDGE_SCORE)]
    pub solo_edge_score: f64,
    /// Size k of the negative binomial the rarest-object model tests each edge's pairs of posts against: their
    /// count may vary as E + E²/k around the E expected, because the expectation is an estimate whose error
    /// grows with it. Heavy pairs (hundreds of pairs of posts) then need a larger ratio to the expectation, not
    /// only a larger count; light pairs are scored almost as under Poisson. 0: Poisson (docs/method.md).
    #[arg(long, default_value_t = lockstep_detect::rarity::DEFAULT_NB_SIZE)]
    pub nb_size: f64,
    /// The null model of the edge scores (docs/method.md, Significance); CooRTweet mode uses `shuffle`.
    #[arg(long, value_enum, default_value = "rarest-object")]
    pub null_model: NullModelArg,
    /// Reproduce another tool's semantics exactly.
    #[arg(long, value_enum, default_value = "none")]
    pub compat: Compat,
    /// Objects with more in-window share pairs than this are reported, not expanded (bounds memory).
    #[arg(long, default_value_t = 10_000_000)]
    pub max_object_pairs: u64,
    /// Memory budget of the co-shares (e.g. 8G, 512M, 40%; default half the machine's memory). When the
    /// objects' in-window pairs, known before expanding, would need more, the objects with the most pairs
    /// are reported as mass objects (largest first) instead of expanded (docs/method.md).
    #[arg(long, value_name = "SIZE", value_parser = lockstep_detect::memory::parse_size)]
    pub memory_limit: Option<u64>,
    /// Run the co-share and network stages in this many parts (1: all in memory; default: in parts only
    /// when the in-memory path would exceed the memory budget). Same results either way (docs/scale.md).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub partitions: Option<u32>,
    /// Resolution of the Leiden communities (modularity; larger gives smaller communities).
    #[arg(long, default_value_t = 1.0)]
    pub resolution: f64,
    /// Seed of the Leiden communities (same seed, same communities).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Weight W of an object kind in the combined edge weight Σ W·co-shares of that kind, used by the
    /// threshold and the communities (repeatable, e.g. `--kind-weight url=2 --kind-weight hashtag=0.5`;
    /// a kind not given weighs 1; not with `--compat coortweet`).
    #[arg(long = "kind-weight", value_name = "KIND=W", value_parser = lockstep_detect::multiplex::parse_kind_weight)]
    pub kind_weight: Vec<(String, f64)>,
}

/// `lockstep detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Input files (CSV, TSV, JSON Lines, Parquet, or a platform export; optionally .gz or .zst). `-` or none reads stdin.
    pub inputs: Vec<PathBuf>,
    /// Input and detection flags.
    #[command(flatten)]
    pub flags: DetectFlags,
    /// Output directory.
    #[arg(long, short = 'o', default_value = "lockstep-out")]
    pub out: PathBuf,
    /// Table format of the outputs: csv or parquet.
    #[arg(long, default_value = "csv")]
    pub output_format: lockstep_report::TableFormat,
    /// Also write every co-share (pairs table: the evidence behind each edge).
    #[arg(long)]
    pub pairs: bool,
    /// Also write `evidence.{csv,parquet}`: every co-share behind the thresholded edges of these
    /// groups (component numbers, comma-separated), with times in UTC, for a report.
    #[arg(long, value_delimiter = ',', value_name = "N")]
    pub evidence_group: Vec<u32>,
    /// Also write the network for graph tools: gexf (Gephi, GEXF 1.3), graphml; comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "FORMAT")]
    pub graph: Vec<lockstep_report::GraphFormat>,
    /// Graph files hold the full network (every edge, with `above_threshold`) instead of the thresholded one.
    #[arg(long)]
    pub graph_full: bool,
    /// No summary on stdout, no progress on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print each stage's time on stderr (also when not on a terminal).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Do not classify linked domains (no `domains` table, no `domain_links` in report.json).
    #[arg(long)]
    pub no_domains: bool,
    /// Feeds and watchlists for the linked domains.
    #[command(flatten)]
    pub domains: DomainSources,
}

/// `lockstep explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// One account of the edge.
    pub account_a: String,
    /// The other account.
    pub account_b: String,
    /// Input files, read and detected exactly as `detect` does with the same flags.
    pub inputs: Vec<PathBuf>,
    /// Input and detection flags (the same as `detect`'s).
    #[command(flatten)]
    pub flags: DetectFlags,
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
    /// Scenario preset: `background` (30 days of sharing with viral bursts) or `event` (an evening of live
    /// events: hashtag pile-ons, live-tweeters, retweet cascades, duplicates, minute times; long form with
    /// text, repost, hashtag, url and mention rows).
    #[arg(long, default_value = "background")]
    pub scenario: lockstep_synth::ScenarioKind,
    /// Round every time down to a multiple of this many seconds (60: minute resolution). Default: the
    /// preset's (1 for background, 60 for event).
    #[arg(long)]
    pub time_resolution: Option<i64>,
    /// Also write the innocent heavy posters of the event scenario here (CSV: account_id,role with role
    /// `live_tweeter` or `automated`: news feeds and retweet bots), to tell them apart when evaluating.
    #[arg(long)]
    pub roles: Option<PathBuf>,
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
    /// Scenario preset: `background` (30 days of sharing with viral bursts) or `event` (an evening of live
    /// events: hashtag pile-ons, live-tweeters, retweet cascades, duplicates, minute times; long form with
    /// text, repost, hashtag, url and mention rows).
    #[arg(long, default_value = "background")]
    pub scenario: lockstep_synth::ScenarioKind,
    /// Round every time down to a multiple of this many seconds (60: minute resolution). Default: the
    /// preset's (1 for background, 60 for event).
    #[arg(long)]
    pub time_resolution: Option<i64>,
    /// Co-share window in seconds. Default: 300 (background), 60 (event).
    #[arg(long, short = 'w')]
    pub window: Option<i64>,
    /// Minimum participation. Default: 5 (background), 2 (event).
    #[arg(long, short = 'm')]
    pub min_participation: Option<u32>,
    /// Edge weight quantile (background scenario; the event scenario thresholds edges by their
    /// rarest-object score, at least 8: docs/evaluation.md).
    #[arg(long, default_value_t = 0.95)]
    pub edge_quantile: f64,
    /// Also write the outputs here.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

/// `lockstep watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Where records come from: a file (followed as it grows, across rotation), `-` (stdin), or
    /// `nats://HOST:PORT/SUBJECT` (a JetStream subject; see --stream, --consumer), or `kafka://HOST:PORT/TOPIC`
    /// (--consumer names the group). Records are lines in any
    /// line format `detect` reads (CSV/TSV with a header line, JSON Lines, X API v2, Bluesky Jetstream, …).
    pub source: String,
    /// Co-share window in seconds (inclusive), as `detect --window`.
    #[arg(long, short = 'w', default_value_t = 60)]
    pub window: u32,
    /// Allowed lateness in seconds: a record older than the latest event time seen minus this is late
    /// (counted, not paired).
    #[arg(long, default_value_t = 60)]
    pub lateness: u32,
    /// Drop an edge whose last co-share is older than this (seconds, or with a unit: 90m, 12h, 7d), or `none`
    /// to keep edges as long as the state lives.
    #[arg(long, default_value = "7d", value_parser = parse_horizon)]
    pub horizon: Horizon,
    /// Co-shares an edge needs to raise an alert (and to count in groups).
    #[arg(long, default_value_t = 5)]
    pub min_weight: u32,
    /// Also require a weight strictly above this quantile of all current weights (recomputed each pass).
    #[arg(long)]
    pub edge_quantile: Option<f64>,
    /// Co-shares kept per edge as the evidence of its alert.
    #[arg(long, default_value_t = 10)]
    pub evidence: usize,
    /// An object holding more shares than this within window + lateness pairs no further share until it
    /// holds fewer (counted as mass shares).
    #[arg(long, default_value_t = 5000)]
    pub max_object_shares: usize,
    /// Event-time seconds between group passes (and at the end of the input).
    #[arg(long, default_value_t = 10)]
    pub pass_every: u32,
    /// Where alerts go (repeatable): `-` (stdout, JSON Lines; the default), `http(s)://…` (webhook: POST with
    /// retries), `nats://HOST:PORT/SUBJECT`, `kafka://HOST:PORT/TOPIC`.
    #[arg(long, value_name = "SINK")]
    pub alert: Vec<lockstep_live::sink::SinkSpec>,
    /// Folder of the checkpoint: the state is saved there periodically and at exit, and resumed from it.
    #[arg(long, value_name = "DIR")]
    pub checkpoint: Option<PathBuf>,
    /// Seconds between checkpoints.
    #[arg(long, default_value_t = 5.0)]
    pub checkpoint_every: f64,
    /// Stop at the end of the input (a file's end; no message pending on NATS) instead of waiting for more.
    #[arg(long)]
    pub exit_at_end: bool,
    /// Serve Prometheus metrics on this address (e.g. 127.0.0.1:9464) at /metrics.
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,
    /// At exit, write every edge (account_a,account_b,weight; sorted) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub edges_out: Option<PathBuf>,
    /// NATS: the JetStream stream holding the subject (created when missing).
    #[arg(long, default_value = "LOCKSTEP")]
    pub stream: String,
    /// NATS: the durable consumer's name; Kafka: the consumer group.
    #[arg(long, default_value = "lockstep-watch")]
    pub consumer: String,
    /// No summary on stderr at exit.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// No `domain` alerts (linked domains are not classified).
    #[arg(long)]
    pub no_domains: bool,
    /// Input format and columns.
    #[command(flatten)]
    pub input: InputFlags,
    /// Feeds and watchlists for the `domain` alerts (domains linked by a group's strong co-shares).
    #[command(flatten)]
    pub domains: DomainSources,
}

/// `--horizon`: seconds, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon(pub Option<u64>);

fn parse_horizon(s: &str) -> Result<Horizon, String> {
    if s == "none" {
        return Ok(Horizon(None));
    }
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num.parse().map_err(|_| format!("expected seconds, 90m, 12h, 7d or `none`, got {s:?}"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit {unit:?} in {s:?}: use s, m, h or d")),
    };
    Ok(Horizon(Some(n * mult)))
}

/// `lockstep publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The file whose lines to publish (a CSV's header line first).
    pub file: PathBuf,
    /// `nats://HOST:PORT/SUBJECT` or `kafka://HOST:PORT/TOPIC`.
    pub to: String,
    /// The JetStream stream holding the subject (created when missing).
    #[arg(long, default_value = "LOCKSTEP")]
    pub stream: String,
    /// Lines per message.
    #[arg(long, default_value_t = 1)]
    pub lines_per_message: usize,
}

/// `--min-time`, `--max-time`: a date or UNIX seconds, as a time column is read.
fn parse_time(s: &str) -> Result<i64, String> {
    let read = |t: &str| lockstep_ingest::parse_timestamp(t.as_bytes(), lockstep_ingest::TimeUnit::Auto);
    // A day alone (`2006-01-01`) is its midnight, UTC.
    read(s).or_else(|why| read(&format!("{s} 00:00:00")).map_err(|_| format!("{s:?}: {why}")))
}
