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
        }
    }

    /// End of the observed period (exclusive), UNIX seconds.
    pub fn end(&self) -> i64 {
        self.start + i64::from(self.days.max(1)) * 86_400
    }
}
