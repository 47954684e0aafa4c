//! # lockstep-synth: seeded synthetic social-media data with planted coordination
//!
//! Generates a realistic stream of posts (account shares object at time) in
//! which a few **planted networks** share the same objects within short windows,
//! again and again, hidden among innocent activity that looks like coordination:
//! popular objects and **viral bursts** that many unrelated accounts share within
//! minutes, once. The planted accounts are the **truth**; [`evaluate`] scores a
//! detector's flagged accounts against it.
//!
//! ```
//! use lockstep_synth::{evaluate, generate_dataset, ScenarioConfig};
//! let cfg = ScenarioConfig::new(20_000, 7);
//! let (ds, scenario) = generate_dataset(&cfg);
//! assert_eq!(ds.shares.len(), 20_000);
//! assert!(ds.shares.windows(2).all(|w| w[0].time <= w[1].time));
//! let flagged: Vec<&str> = scenario.truth.iter().map(|r| r.account.as_str()).collect();
//! assert_eq!(evaluate(&flagged, &scenario.truth).recall, 1.0);
//! ```
//!
//! ## The scenario (defaults of [`ScenarioConfig::new`])
//!
//! - **Period**: 30 days from 2024-03-01T00:00:00Z; activity follows a diurnal
//!   curve (`1 + 0.7·cos(2π(h−19)/24)` by UTC hour: peak 19:00, trough 07:00).
//! - **Accounts**: `max(200, posts/50)` background accounts plus the planted
//!   ones, all named `acct_` + 12 hex digits from a seeded 48-bit bijection, so
//!   names reveal nothing. Each account has a log-normal activity weight
//!   (σ = 1.6): a median account posts a handful of times, a few hyperactive ones
//!   post hundreds or thousands of times. Planted accounts draw the same weight
//!   and post background activity like anyone else.
//! - **Background objects** (Zipf popularity, s = 1.1):
//!   50 % `url` — `https://site<N>.example/article/<id>`, site Zipf over
//!   `clamp(posts/2000, 50, 5000)` sites, article Zipf over 300 fresh articles
//!   per site per day; 30 % `hashtag` — `#tag<id>` Zipf over a vocabulary of
//!   `clamp(posts/100, 500, 200000)`; 20 % `repost` of an earlier post id,
//!   Zipf over the 5000 latest original posts of the top-1 % accounts.
//! - **Viral bursts** (innocent look-alikes): `max(10, posts/10000)` bursts,
//!   each a fresh link, a fresh trending hashtag or a repost, shared by
//!   Pareto(min 40, α = 1.4, max 3000) distinct accounts with exponentially
//!   decaying arrival (mean 2–30 min) after a start time. Each look-alike
//!   campaign link is also reshared by 0–2 innocent accounts 10 min–6 h later.
//! - **Planted networks** (in the truth). With `scale = posts / 1M`, each style has
//!   `max(1, round(base · scale^0.85))` networks (base 6, 6, 4) and its event
//!   counts are multiplied by `clamp(scale^0.15, 0.3, 3)`:
//!   - `tight_links`: 8–12 accounts, 30–60 campaign links on ordinary-looking
//!     sites; at each, a random leader posts and every other member follows
//!     within 1–20 s.
//!   - `loose_hashtags`: 30–50 accounts, 40–80 events over a pool of campaign
//!     hashtags (each tag pushed twice); at each event ~60 % of members
//!     (binomial, at least 2) post within a 60–300 s spread.
//!   - `lookalike_domains`: 10–20 accounts, 30–50 links to look-alike news
//!     domains of the "Doppelganger" operation (`washingtonpost.pm`,
//!     `spiegel.ltd`, `bild.vip`, `fox-news.top`), ~80 % of members within 30 s.
//!
//!   The first event of every network involves all members, so every truth
//!   account appears in the data. At 1M posts (seed 42) this plants 16 networks
//!   with 358 accounts among 20 358, and 1.4 % of the posts are campaign posts
//!   (plus 1.0 % viral-burst posts); at 10M, 112 networks with 2 525 accounts
//!   among 202 525, 1.3 % campaign posts.
//!
//! ## The event scenario ([`ScenarioConfig::event`], `--scenario event`)
//!
//! Twelve hours from 18:00 UTC in which ordinary users look coordinated, made
//! to match a real election-keyword stream (docs/evaluation.md, "The event
//! scenario"). Every post is written in long form, one row per object: its
//! `text` (pseudo-words plus its hashtags), the `repost`ed post id, each
//! `hashtag`, its `url`, its `mention`; times at minute resolution.
//!
//! - **Accounts**: `posts · 0.7` ordinary accounts with log-normal activity
//!   (σ 1.7) and audience (σ 2.3); about 3.8 posts per posting account.
//! - **Live events**: a debate (1.5 h in, 2 h), a match (5 h in, 2 h) and breaking
//!   news of a storm (8.5 h in, 90 min, boost decaying). A share of accounts
//!   (60 %, 40 %, 50 %) watch each; while it runs the posting rate rises (×2.5,
//!   ×2, ×3) and 92 % of the watchers' posts carry `#<event>`, with
//!   `#<event>night` (75 %) and `#<event><year>` (55 %).
//! - **Retweet cascades**: 65 % of posts are retweets. Every original draws
//!   `Poisson(c · audience · Exp(1))` retweets (at most `accounts / 30`) by
//!   distinct accounts, delays exponential with a mean of 2–20 min; retweeters
//!   of an event post are mostly its watchers. A retweet carries its
//!   original's text, hashtags, link and mention.
//! - **Live-tweeters**: `max(3, accounts / 15000)` accounts posting 100–400
//!   times an hour during the events they watch, 65 % retweets of the event's
//!   recent popular posts.
//! - **Automated organic accounts**: news feeds (6–30 posts an hour, own links,
//!   `#news`, `#breaking`, …) and retweet bots joining every cascade of 30+
//!   within 3–45 s.
//! - **Duplicate records**: 0.5 % of posts recorded again under a new post id
//!   (same account, time and text), 0.5 % written twice as identical rows.
//! - **Planted networks** (`max(1, round(base · (posts/1M)^0.85))` each; three
//!   bursts in four inside a live event, carrying its hashtags):
//!   `hashtag_game` (base 2; 20–40 accounts, 6–12 bursts of a rare hashtag, 60 %
//!   of members post 1–2 times within 2–10 min), `copy_pasta` (base 2; 10–25
//!   accounts, 6–12 bursts, 70 % post the same text, or near-copies, within
//!   30–300 s), `retweet_ring` (base 2; 8–15 accounts, 10–20 posts of a member
//!   retweeted by 80 % of the others within 10–120 s), and one each (base 1) of
//!   `tight_links`, `loose_hashtags` and `lookalike_domains` as above.
//!
//! The size is approximate: cascades are heavy-tailed (their scale is steered
//! by the retweets made so far) and cut at the end of the period; from 30k to
//! 1M posts asked, 0.92 to 1.09 times as many were made, 5.4 rows each.
//!
//! ## Invariants
//! - Background scenario: exactly `cfg.posts` posts, emitted in non-decreasing time order, post ids
//!   `p000000001…` in emission order.
//! - Same config, same bytes: all randomness is ChaCha8 seeded from `cfg.seed`
//!   (sub-streams per hour and per event); no hash-map order reaches the output.
//! - Memory is bounded by one hour of posts: the plan (networks, events, hourly
//!   counts) is made up front, then each hour is generated, sorted and emitted
//!   (in the event scenario, plus the retweets of the last four hours that fall
//!   in later hours).
//! - `cfg.time_resolution` (1 s by default, 60 s in the event preset) rounds
//!   every time down; the order stays non-decreasing.

mod config;
mod eval;
mod event;
mod generate;
mod output;
mod plan;
mod sample;

pub use config::{EventConfig, LiveEvent, ScenarioConfig, ScenarioKind, DEFAULT_START};
pub use eval::{evaluate, Evaluation};
pub use generate::{generate, GroupInfo, Post, Scenario, TruthRow};
pub use output::{generate_dataset, write_csv, POSTS_HEADER, TRUTH_HEADER};
