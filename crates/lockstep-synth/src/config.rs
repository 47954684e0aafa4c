//! Scenario parameters: [`ScenarioConfig`] and its post-count-scaled defaults.

use serde::{Deserialize, Serialize};

/// 2024-03-01T00:00:00Z in UNIX seconds: the default start of the observed period.
pub const DEFAULT_START: i64 = 1_709_251_200;

/// Every knob of a synthetic scenario.
///
/// Build it with [`ScenarioConfig::new`], which derives all defaults from the
/// post count, then override fields as needed. The same config (all fields)
/// always produces byte-identical output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioConfig {
    /// Exact number of posts (rows) emitted.
    pub posts: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Start of the observed period, UNIX seconds (UTC). Default 2024-03-01T00:00:00Z.
    pub start: i64,
    /// Length of the observed period in days. Default 30.
    pub days: u32,
    /// Number of innocent background accounts. Default `max(200, posts / 50)`.
    pub background_accounts: usize,
    /// Sigma of the log-normal per-account activity weight (heavy tail: a few
    /// hyperactive accounts). Default 1.6.
    pub activity_sigma: f64,
    /// Fraction of background posts that share a `url`. Default 0.5.
    pub url_fraction: f64,
    /// Fraction of background posts that share a `hashtag`. Default 0.3; the
    /// rest are `repost`s.
    pub hashtag_fraction: f64,
    /// Number of background news sites. Default `clamp(posts / 2000, 50, 5000)`.
    pub sites: usize,
    /// Articles a site publishes per day (fresh article ids every day). Default 300.
    pub articles_per_site_day: usize,
    /// Background hashtag vocabulary. Default `clamp(posts / 100, 500, 200_000)`.
    pub hashtags: usize,
    /// Zipf exponent of site, article, hashtag and repost-target popularity. Default 1.1.
    pub zipf_exponent: f64,
    /// Viral bursts (innocent look-alikes of coordination). Default `max(10, posts / 10_000)`.
    pub viral_events: usize,
    /// Minimum shares of one viral burst (Pareto scale). Default 40.
    pub viral_min_size: usize,
    /// Maximum shares of one viral burst. Default 3000 (and at most half the background accounts).
    pub viral_max_size: usize,
    /// Planted `tight_links` networks. Default `max(1, round(6 * (posts/1M)^0.85))`.
    pub tight_links_groups: usize,
    /// Planted `loose_hashtags` networks. Default `max(1, round(6 * (posts/1M)^0.85))`.
    pub loose_hashtags_groups: usize,
    /// Planted `lookalike_domains` networks. Default `max(1, round(4 * (posts/1M)^0.85))`.
    pub lookalike_domains_groups: usize,
    /// Multiplier of campaign events per network. Default `clamp((posts/1M)^0.15, 0.3, 3)`.
    pub campaign_events_scale: f64,
    /// `tight_links`: followers post within `1..=tight_delay_secs` of the leader. Default 20.
    pub tight_delay_secs: i64,
    /// `loose_hashtags`: chance a member joins an event. Default 0.6.
    pub loose_participation: f64,
    /// `loose_hashtags`: an event is spread over `loose_spread_secs` (min, max). Default (60, 300).
    pub loose_spread_secs: (i64, i64),
    /// `lookalike_domains`: chance a member joins an event. Default 0.8.
    pub lookalike_participation: f64,
    /// `lookalike_domains`: members post within this many seconds of the first. Default 30.
    pub lookalike_window_secs: i64,
    /// Which scenario: the month of background activity ([`ScenarioKind::Background`],
    /// the default) or an evening of live events ([`ScenarioKind::Event`]).
    pub scenario: ScenarioKind,
    /// Knobs of the event scenario (used only when `scenario` is `Event`).
    pub event: EventConfig,
    /// Every timestamp is rounded down to a multiple of this many seconds
    /// (1: second resolution; 60: minute resolution, as in many real
    /// collections). Default 1; 60 in [`ScenarioConfig::event`].
    pub time_resolution: i64,
}

/// The scenario presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// 30 days of background sharing with viral bursts and planted networks.
    Background,
    /// An evening of live events (a debate, a match, breaking news) with
    /// hashtag pile-ons, live-tweeters, retweet cascades, automated accounts
    /// and duplicate records, and coordinated networks hiding inside.
    Event,
}

impl ScenarioKind {
    /// The preset's name as written on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioKind::Background => "background",
            ScenarioKind::Event => "event",
        }
    }
}

impl std::str::FromStr for ScenarioKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "background" => Ok(ScenarioKind::Background),
            "event" => Ok(ScenarioKind::Event),
            _ => Err(format!("unknown scenario {s:?}: expected background or event")),
        }
    }
}

/// One live event of the event scenario: while it runs, its watchers post more
/// and put its hashtag bundle (`#<name>`, `#<name>night`, `#<name><year>`) on
/// nearly every post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// Name, lower-case letters; also the stem of the hashtag bundle.
    pub name: String,
    /// Start, minutes after the scenario's start.
    pub start_minute: u32,
    /// Length in minutes.
    pub minutes: u32,
    /// Extra posting during the event, as a multiple of the usual rate.
    pub boost: f64,
    /// Share of ordinary accounts who watch (and post about) the event.
    pub reach: f64,
    /// Breaking news: the boost starts at full strength and decays
    /// exponentially (half-life a quarter of the event) instead of staying flat.
    pub sudden: bool,
}

/// Knobs of the event scenario. [`EventConfig::new`] derives them from the
/// post count; the numbers are chosen so that the statistics match a real
/// election-keyword stream (docs/evaluation.md, "The event scenario").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventConfig {
    /// Length of the observed period in hours. Default 12.
    pub hours: u32,
    /// Ordinary accounts that may post. Default `max(300, posts * 7 / 10)`.
    pub accounts: usize,
    /// Sigma of the log-normal activity weight of ordinary accounts. Default 1.7.
    pub activity_sigma: f64,
    /// Sigma of the log-normal audience (how often an account's posts are
    /// retweeted). Default 2.3.
    pub influence_sigma: f64,
    /// Share of posts that are retweets. Default 0.65.
    pub retweet_share: f64,
    /// Share of original posts that carry a link. Default 0.55.
    pub url_share: f64,
    /// Share of original posts that mention an account. Default 0.3.
    pub mention_share: f64,
    /// The live events. Default: a debate (2 h), a match (2 h), breaking news of a storm (90 min).
    pub events: Vec<LiveEvent>,
    /// Chance that a watcher's post during an event carries the event's bundle. Default 0.92.
    pub bundle_rate: f64,
    /// Live-tweeters: ordinary accounts posting hundreds of times an hour during
    /// the events they watch. Default `max(3, accounts / 15000)`.
    pub live_tweeters: usize,
    /// Posts per hour of a live-tweeter during an event, (min, max). Default (100, 400).
    pub live_rate: (f64, f64),
    /// Automated news feeds posting their own links around the clock. Default `max(2, accounts / 20000)`.
    pub news_bots: usize,
    /// Automated accounts retweeting every popular post within a minute. Default `max(2, accounts / 30000)`.
    pub retweet_bots: usize,
    /// Share of posts recorded twice under a new post id (same account, time and text). Default 0.005.
    pub duplicate_rate: f64,
    /// Share of posts whose rows are written twice, identically. Default 0.005.
    pub exact_duplicate_rate: f64,
    /// Planted `hashtag_game` networks (a group pushing a rare hashtag in bursts). Default `max(1, round(2 * (posts/1M)^0.85))`.
    pub hashtag_games: usize,
    /// Planted `copy_pasta` networks (the same or near-same text within minutes). Default as `hashtag_games`.
    pub copy_pastas: usize,
    /// Planted `retweet_rings` (members retweeting each other's posts within two minutes). Default as `hashtag_games`.
    pub retweet_rings: usize,
    /// Planted networks of each of the background scenario's styles (`tight_links`,
    /// `loose_hashtags`, `lookalike_domains`). Default `max(1, round((posts/1M)^0.85))`.
    pub classic_groups: usize,
}

impl EventConfig {
    /// Defaults for an event scenario of about `posts` posts.
    pub fn new(posts: usize) -> Self {
        let scale = (posts as f64 / 1e6).max(1e-9);
        let groups = |base: f64| ((base * scale.powf(0.85)).round() as usize).max(1);
        let accounts = (posts * 7 / 10).max(300);
        let ev = |name: &str, start_minute, minutes, boost, reach, sudden| LiveEvent {
            name: name.into(),
            start_minute,
            minutes,
            boost,
            reach,
            sudden,
        };
        EventConfig {
            hours: 12,
            accounts,
            activity_sigma: 1.7,
            influence_sigma: 2.3,
            retweet_share: 0.65,
            url_share: 0.55,
            mention_share: 0.3,
            events: vec![
                ev("debate", 90, 120, 1.5, 0.6, false),
                ev("match", 300, 120, 1.0, 0.4, false),
                ev("storm", 510, 90, 2.0, 0.5, true),
            ],
            bundle_rate: 0.92,
            live_tweeters: (accounts / 15_000).max(3),
            live_rate: (100.0, 400.0),
            news_bots: (accounts / 20_000).max(2),
            retweet_bots: (accounts / 30_000).max(2),
            duplicate_rate: 0.005,
            exact_duplicate_rate: 0.005,
            hashtag_games: groups(2.0),
            copy_pastas: groups(2.0),
            retweet_rings: groups(2.0),
            classic_groups: groups(1.0),
        }
    }
}

impl ScenarioConfig {
    /// A config for `posts` posts with defaults scaled to that size.
    pub fn new(posts: usize, seed: u64) -> Self {
        let scale = (posts as f64 / 1e6).max(1e-9);
        let groups = |base: f64| ((base * scale.powf(0.85)).round() as usize).max(1);
        ScenarioConfig {
            posts,
            seed,
            start: DEFAULT_START,
            days: 30,
            background_accounts: (posts / 50).max(200),
            activity_sigma: 1.6,
            url_fraction: 0.5,
            hashtag_fraction: 0.3,
            sites: (posts / 2000).clamp(50, 5000),
            articles_per_site_day: 300,
            hashtags: (posts / 100).clamp(500, 200_000),
            zipf_exponent: 1.1,
            viral_events: (posts / 10_000).max(10),
            viral_min_size: 40,
            viral_max_size: 3000,
            tight_links_groups: groups(6.0),
            loose_hashtags_groups: groups(6.0),
            lookalike_domains_groups: groups(4.0),
            campaign_events_scale: scale.powf(0.15).clamp(0.3, 3.0),
            tight_delay_secs: 20,
            loose_participation: 0.6,
            loose_spread_secs: (60, 300),
            lookalike_participation: 0.8,
            lookalike_window_secs: 30,
            scenario: ScenarioKind::Background,
            event: EventConfig::new(posts),
            time_resolution: 1,
        }
    }

    /// The event preset: about `posts` posts over 12 hours from 18:00 UTC
    /// (see [`EventConfig`]), minute-resolution timestamps.
    pub fn event(posts: usize, seed: u64) -> Self {
        ScenarioConfig {
            scenario: ScenarioKind::Event,
            start: DEFAULT_START + 18 * 3600,
            days: 1,
            time_resolution: 60,
            ..ScenarioConfig::new(posts, seed)
        }
    }

    /// The preset named `kind`.
    pub fn preset(kind: ScenarioKind, posts: usize, seed: u64) -> Self {
        match kind {
            ScenarioKind::Background => ScenarioConfig::new(posts, seed),
            ScenarioKind::Event => ScenarioConfig::event(posts, seed),
        }
    }

    /// End of the observed period (exclusive), UNIX seconds.
    pub fn end(&self) -> i64 {
        match self.scenario {
            ScenarioKind::Background => self.start + i64::from(self.days.max(1)) * 86_400,
            ScenarioKind::Event => self.start + i64::from(self.event.hours.max(1)) * 3600,
        }
    }
}
