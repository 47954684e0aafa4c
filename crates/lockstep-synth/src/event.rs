//! The event scenario: an evening of live events in which ordinary accounts look
//! coordinated. During an event most of its watchers put the event's hashtag
//! bundle on nearly every post; live-tweeters post hundreds of times an hour;
//! popular posts are retweeted by many accounts within minutes; news feeds and
//! retweet bots post around the clock; some posts are recorded twice. Planted
//! networks hide inside the events: hashtag games, copy-pasta, retweet rings and
//! the background scenario's three styles.
//!
//! Every post is written in long form, one row per object (its text, the post it
//! reposts, each hashtag, its link, its mention), all rows of a post sharing its
//! post id and time. The stream is made hour by hour like the background
//! scenario: the plan (accounts, networks, bursts, hourly counts) is drawn up
//! front, then each hour's posts are made, sorted and emitted. A retweet cascade
//! can reach up to four hours past its post, so memory is bounded by a few
//! hours of posts.

use std::collections::{HashSet, VecDeque};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Exp, LogNormal, Poisson};

use crate::config::{EventConfig, ScenarioConfig};
use crate::generate::{push_truth, GroupInfo, Post, Scenario};
use crate::plan::LOOKALIKE_DOMAINS;
use crate::sample::{diurnal, mix64, sub_rng, Alias, Scramble, ZipfTable};

/// Most hashtags on one post.
const MAX_TAGS: usize = 6;
/// No mention / no reposted post.
const NONE32: u32 = u32::MAX;
const NONE64: u64 = u64::MAX;
/// Tag codes: the vocabulary below `NEWS`, then the news feeds' tags, the
/// campaigns' rare tags and the events' bundles.
const NEWS: u32 = 1 << 28;
const CAMPAIGN: u32 = 1 << 29;
const BUNDLE: u32 = 1 << 30;
const NEWS_TAGS: [&str; 4] = ["news", "breaking", "politics", "live"];
/// Ordinary hashtag vocabulary and word vocabulary (Zipf).
const TAG_VOCABULARY: usize = 20_000;
const WORDS: usize = 20_000;
/// Retweets of a post arrive within this many seconds.
const MAX_CASCADE_SECS: f64 = 4.0 * 3600.0;
/// Popular posts of an event kept for live-tweeters to retweet.
const POPULAR: usize = 64;
/// A cascade at least this large counts as viral in the summary; retweet bots
/// join cascades of this size.
const VIRAL: u64 = 40;
const BOT_JOIN: u64 = 30;

const STYLES: [&str; 6] =
    ["hashtag_game", "copy_pasta", "retweet_ring", "tight_links", "loose_hashtags", "lookalike_domains"];
const GAME: usize = 0;
const PASTA: usize = 1;
const RING: usize = 2;
const TIGHT: usize = 3;
const LOOSE: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Link {
    None,
    Site { site: u32, article: u64 },
    Feed { bot: u32, article: u64 },
    Lookalike { domain: u8, article: u64 },
}

/// What a post says: its text, hashtags, link and mention. A retweet carries
/// the content of the post it reposts.
#[derive(Debug, Clone, Copy)]
struct Content {
    /// Seed of the text.
    text: u64,
    /// A near-copy's extra word, or `NONE32`.
    variant: u32,
    tags: [u32; MAX_TAGS],
    ntags: u8,
    link: Link,
    /// Mentioned account, or `NONE32`.
    mention: u32,
}

impl Content {
    fn new(text: u64) -> Self {
        Content { text, variant: NONE32, tags: [0; MAX_TAGS], ntags: 0, link: Link::None, mention: NONE32 }
    }
    fn add_tag(&mut self, tag: u32) {
        let n = self.ntags as usize;
        if n < MAX_TAGS && !self.tags[..n].contains(&tag) {
            self.tags[n] = tag;
            self.ntags += 1;
        }
    }
    fn tags(&self) -> &[u32] {
        &self.tags[..self.ntags as usize]
    }
}

#[derive(Debug, Clone, Copy)]
struct Raw {
    time: i64,
    account: u32,
    /// Post id number, in order of making (not of time).
    id: u64,
    /// Id of the reposted post, or `NONE64`.
    repost_of: u64,
    /// Written twice, identically.
    exact_dup: bool,
    content: Content,
}

/// One planted network.
#[derive(Debug)]
struct Net {
    style: usize,
    first: u32,
    size: u32,
    participation: f64,
    /// Copy-pasta: near-copies (an extra word per member) instead of exact copies.
    near: bool,
    domains: [u8; 2],
    sites: [u32; 2],
}

/// One coordinated burst of a planted network.
#[derive(Debug, Clone, Copy)]
struct Burst {
    start: i64,
    net: usize,
    /// Index of the burst within its network (the first involves every member).
    index: usize,
    /// The live event running at `start`, if any.
    event: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
enum SlotKind {
    /// An ordinary post; `Some(e)`: about live event `e` (carries its bundle).
    Ordinary(Option<usize>),
    /// A live-tweeter's post during event `e`.
    Live(usize),
    /// A news feed's post.
    News(u32),
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    time: i64,
    account: u32,
    kind: SlotKind,
}

struct World<'a> {
    cfg: &'a ScenarioConfig,
    ev: &'a EventConfig,
    /// Ordinary accounts `0..n_ord` (live-tweeters are the last of them), then
    /// news feeds, retweet bots, planted members.
    n_ord: u32,
    first_rtbot: u32,
    activity: Alias,
    influence: Vec<f32>,
    /// Retweets per unit of influence (calibrated to the retweet share).
    cascade_scale: f64,
    /// Cascade retweets per original to reach the retweet share.
    target_ratio: f64,
    max_cascade: u64,
    event_spans: Vec<(i64, i64)>,
    sites: usize,
    z_site: ZipfTable,
    z_article: ZipfTable,
    z_tag: ZipfTable,
    z_mention: ZipfTable,
    next_id: u64,
    next_article: u64,
    popular: Vec<VecDeque<(u64, Content)>>,
    stats: Stats,
}

#[derive(Debug, Default)]
struct Stats {
    /// Originals and cascade retweets made so far (to keep the retweet share on course).
    originals: u64,
    cascade_retweets: u64,
    viral_events: usize,
    viral_posts: usize,
    duplicate_posts: usize,
}

const ARTICLES_PER_SITE: usize = 300;

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

impl World<'_> {
    /// Does account `a` watch live event `e`?
    fn watches(&self, a: u32, e: usize) -> bool {
        let h = unit(mix64(self.cfg.seed ^ mix64(u64::from(a) << 8 | e as u64)));
        if self.is_live_tweeter(a) {
            h < 0.8
        } else {
            h < self.ev.events[e].reach
        }
    }

    fn is_live_tweeter(&self, a: u32) -> bool {
        a < self.n_ord && a >= self.n_ord - self.ev.live_tweeters.min(self.n_ord as usize) as u32
    }

    fn event_at(&self, t: i64) -> Option<usize> {
        self.event_spans.iter().position(|&(a, b)| a <= t && t < b)
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn add_bundle(&self, rng: &mut ChaCha8Rng, c: &mut Content, e: usize) {
        c.add_tag(BUNDLE + 3 * e as u32);
        if rng.random_bool(0.75) {
            c.add_tag(BUNDLE + 3 * e as u32 + 1);
        }
        if rng.random_bool(0.55) {
            c.add_tag(BUNDLE + 3 * e as u32 + 2);
        }
    }

    /// The content of an ordinary original post.
    fn ordinary_content(&mut self, rng: &mut ChaCha8Rng, id: u64, about: Option<usize>) -> Content {
        let mut c = Content::new(id);
        // The season's standing tags (the two most common of the vocabulary).
        if rng.random_bool(0.3) {
            c.add_tag(0);
        }
        if rng.random_bool(0.25) {
            c.add_tag(1);
        }
        let extra = if let Some(e) = about {
            self.add_bundle(rng, &mut c, e);
            poisson(rng, 0.6)
        } else if rng.random_bool(0.2) {
            0
        } else {
            1 + poisson(rng, 1.3)
        };
        for _ in 0..extra {
            c.add_tag(self.z_tag.sample(rng) as u32);
        }
        if rng.random_bool(self.ev.url_share.clamp(0.0, 1.0)) {
            let site = self.z_site.sample(rng);
            let art = self.z_article.sample(rng);
            c.link = Link::Site { site: site as u32, article: (site * ARTICLES_PER_SITE + art) as u64 };
        }
        if rng.random_bool(self.ev.mention_share.clamp(0.0, 1.0)) {
            c.mention = self.z_mention.sample(rng) as u32;
        }
        c
    }

    fn fresh_article(&mut self) -> u64 {
        self.next_article += 1;
        (self.sites * ARTICLES_PER_SITE) as u64 + self.next_article
    }

    /// Pushes a post (and, by chance, its duplicate record) into `out`.
    fn push_post(&mut self, rng: &mut ChaCha8Rng, raw: Raw, out: &mut Vec<Raw>) {
        let u: f64 = rng.random();
        if u < self.ev.duplicate_rate {
            let id = self.new_id();
            out.push(raw);
            out.push(Raw { id, ..raw });
            self.stats.duplicate_posts += 1;
        } else if u < self.ev.duplicate_rate + self.ev.exact_duplicate_rate {
            out.push(Raw { exact_dup: true, ..raw });
            self.stats.duplicate_posts += 1;
        } else {
            out.push(raw);
        }
    }

    /// An original post and its retweet cascade.
    #[allow(clippy::too_many_arguments)]
    fn original(
        &mut self,
        rng: &mut ChaCha8Rng,
        time: i64,
        account: u32,
        content: Content,
        about: Option<usize>,
        end: i64,
        out: &mut Vec<Raw>,
    ) {
        let id = content.text;
        let raw = Raw { time, account, id, repost_of: NONE64, exact_dup: false, content };
        self.push_post(rng, raw, out);
        self.stats.originals += 1;
        let f = f64::from(self.influence[account as usize]);
        // Heavy tails make the retweets drift from their share: steer by the
        // ratio made so far.
        let steer = if self.stats.cascade_retweets > 0 {
            let made = self.stats.cascade_retweets as f64 / self.stats.originals as f64;
            (self.target_ratio / made).powi(2).clamp(0.1, 10.0)
        } else {
            1.0
        };
        let lambda = self.cascade_scale * steer * f * Exp::new(1.0).expect("exp").sample(rng);
        let k = (poisson(rng, lambda) as u64).min(self.max_cascade);
        self.stats.cascade_retweets += k;
        if k == 0 {
            return;
        }
        if k >= 5 {
            if let Some(e) = about {
                let ring = &mut self.popular[e];
                if ring.len() == POPULAR {
                    ring.pop_front();
                }
                ring.push_back((id, content));
            }
        }
        if k >= VIRAL {
            self.stats.viral_events += 1;
            self.stats.viral_posts += k as usize;
        }
        let tau: f64 = rng.random_range(120.0..1200.0);
        let delay = Exp::new(1.0 / tau).expect("exp");
        let mut seen = HashSet::with_capacity(k as usize + 1);
        seen.insert(account);
        for _ in 0..k {
            let mut who = self.activity.sample(rng) as u32;
            for _ in 0..8 {
                let fits = about.is_none_or(|e| self.watches(who, e));
                if fits && !seen.contains(&who) {
                    break;
                }
                who = self.activity.sample(rng) as u32;
            }
            seen.insert(who);
            let t = time + 1 + delay.sample(rng).min(MAX_CASCADE_SECS) as i64;
            if t < end {
                let rid = self.new_id();
                let raw = Raw { time: t, account: who, id: rid, repost_of: id, exact_dup: false, content };
                self.push_post(rng, raw, out);
            }
        }
        if k >= BOT_JOIN {
            for b in 0..self.ev.retweet_bots as u32 {
                if rng.random_bool(0.6) {
                    let t = time + rng.random_range(3..=45);
                    if t < end {
                        let rid = self.new_id();
                        let raw = Raw {
                            time: t,
                            account: self.first_rtbot + b,
                            id: rid,
                            repost_of: id,
                            exact_dup: false,
                            content,
                        };
                        out.push(raw);
                    }
                }
            }
        }
    }

    fn slot(&mut self, rng: &mut ChaCha8Rng, s: Slot, end: i64, out: &mut Vec<Raw>) {
        match s.kind {
            SlotKind::Ordinary(about) => {
                let id = self.new_id();
                let c = self.ordinary_content(rng, id, about);
                self.original(rng, s.time, s.account, c, about, end, out);
            }
            SlotKind::Live(e) => {
                if rng.random_bool(0.65) && !self.popular[e].is_empty() {
                    let ring = &self.popular[e];
                    let (of, content) = ring[rng.random_range(0..ring.len())];
                    let id = self.new_id();
                    let raw = Raw { time: s.time, account: s.account, id, repost_of: of, exact_dup: false, content };
                    self.push_post(rng, raw, out);
                } else {
                    let id = self.new_id();
                    let c = self.ordinary_content(rng, id, Some(e));
                    self.original(rng, s.time, s.account, c, Some(e), end, out);
                }
            }
            SlotKind::News(bot) => {
                let id = self.new_id();
                let mut c = Content::new(id);
                c.add_tag(NEWS + rng.random_range(0..NEWS_TAGS.len() as u32));
                if rng.random_bool(0.5) {
                    c.add_tag(NEWS + rng.random_range(0..NEWS_TAGS.len() as u32));
                }
                if let Some(e) = self.event_at(s.time) {
                    if rng.random_bool(0.5) {
                        self.add_bundle(rng, &mut c, e);
                    }
                }
                c.link = Link::Feed { bot, article: self.fresh_article() };
                self.original(rng, s.time, s.account, c, None, end, out);
            }
        }
    }

    /// The posts of one planted burst; returns how many.
    fn burst(&mut self, rng: &mut ChaCha8Rng, nets: &[Net], b: Burst, end: i64, out: &mut Vec<Raw>) -> usize {
        let net = &nets[b.net];
        let n = net.size as usize;
        let k = if b.index == 0 {
            n
        } else {
            Binomial::new(n as u64, net.participation.clamp(0.0, 1.0)).expect("binomial").sample(rng) as usize
        }
        .clamp(2.min(n), n);
        let mut members = rand::seq::index::sample(rng, n, k).into_vec();
        members.sort_unstable();
        let member = |i: usize| net.first + i as u32;
        let before = out.len();
        // A post of the burst; `of`: the reposted post, or NONE64 for an original
        // (whose id is its text seed).
        let push = |w: &mut Self, out: &mut Vec<Raw>, time: i64, account: u32, content: Content, of: u64| {
            if time < end {
                let id = if of == NONE64 { content.text } else { w.new_id() };
                out.push(Raw { time, account, id, repost_of: of, exact_dup: false, content });
            }
        };
        // Campaign objects: a rare tag per three bursts (games) or per two
        // (loose hashtags), a campaign article per burst.
        let campaign_tag = CAMPAIGN + (mix64(b.net as u64) % 1000) as u32 * 1000 + (b.index / 3) as u32;
        let fresh = |w: &mut Self, rng: &mut ChaCha8Rng| {
            let id = w.new_id();
            let mut c = Content::new(id);
            if let Some(e) = b.event {
                w.add_bundle(rng, &mut c, e);
            }
            c
        };
        match net.style {
            GAME => {
                let spread = rng.random_range(120..=600);
                for &i in &members {
                    for _ in 0..rng.random_range(1..=2) {
                        let mut c = fresh(self, rng);
                        c.add_tag(campaign_tag);
                        push(self, out, b.start + rng.random_range(0..=spread), member(i), c, NONE64);
                    }
                }
            }
            PASTA => {
                let spread = rng.random_range(30..=300);
                let mut c = fresh(self, rng);
                if rng.random_bool(0.5) {
                    c.link = Link::Site { site: net.sites[b.index % 2], article: self.fresh_article() };
                }
                // One text for the whole burst (its seed is not a post id).
                c.text = mix64(b.net as u64 ^ mix64(b.index as u64)) | 1 << 63;
                for &i in &members {
                    let mut c = c;
                    if net.near {
                        c.variant = i as u32;
                    }
                    let id = self.new_id();
                    let time = b.start + rng.random_range(0..=spread);
                    if time < end {
                        out.push(Raw { time, account: member(i), id, repost_of: NONE64, exact_dup: false, content: c });
                    }
                }
            }
            RING => {
                let leader = members[rng.random_range(0..members.len())];
                let c = fresh(self, rng);
                push(self, out, b.start, member(leader), c, NONE64);
                let of = c.text;
                for &i in members.iter().filter(|&&i| i != leader) {
                    push(self, out, b.start + rng.random_range(10..=120), member(i), c, of);
                }
            }
            TIGHT => {
                let leader = members[rng.random_range(0..members.len())];
                let article = self.fresh_article();
                let delay = self.cfg.tight_delay_secs.max(1);
                for &i in &members {
                    let mut c = fresh(self, rng);
                    c.link = Link::Site { site: net.sites[b.index % 2], article };
                    let t = if i == leader { b.start } else { b.start + rng.random_range(1..=delay) };
                    push(self, out, t, member(i), c, NONE64);
                }
            }
            LOOSE => {
                let (lo, hi) = self.cfg.loose_spread_secs;
                let spread = rng.random_range(lo.min(hi).max(0)..=hi.max(lo).max(0));
                let tag = CAMPAIGN + (mix64(b.net as u64) % 1000) as u32 * 1000 + (b.index / 2) as u32;
                for &i in &members {
                    let mut c = fresh(self, rng);
                    c.add_tag(tag);
                    push(self, out, b.start + rng.random_range(0..=spread), member(i), c, NONE64);
                }
            }
            _ => {
                let article = self.fresh_article();
                let domain = net.domains[rng.random_range(0..2)];
                let window = self.cfg.lookalike_window_secs.max(0);
                for &i in &members {
                    let mut c = fresh(self, rng);
                    c.link = Link::Lookalike { domain, article };
                    push(self, out, b.start + rng.random_range(0..=window), member(i), c, NONE64);
                }
            }
        }
        out.len() - before
    }
}

fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> u32 {
    if lambda.is_finite() && lambda > 1e-12 {
        Poisson::new(lambda).expect("poisson").sample(rng).min(1e9) as u32
    } else {
        0
    }
}

/// Relative posting rate by minute: the diurnal curve times one plus each
/// running event's boost; the boosts per minute and event.
fn minute_weights(cfg: &ScenarioConfig) -> (Vec<f64>, Vec<Vec<f64>>) {
    let ev = &cfg.event;
    let minutes = ev.hours.max(1) as usize * 60;
    let mut boosts = vec![vec![0.0; ev.events.len()]; minutes];
    let mut weights = Vec::with_capacity(minutes);
    for (m, b) in boosts.iter_mut().enumerate() {
        let hour_of_day = (cfg.start + m as i64 * 60).rem_euclid(86_400) / 3600;
        let mut sum = 0.0;
        for (e, le) in ev.events.iter().enumerate() {
            let (s, len) = (le.start_minute as usize, le.minutes.max(1) as usize);
            if m >= s && m < s + len {
                let x = if le.sudden { le.boost * 0.5f64.powf((m - s) as f64 / (len as f64 / 4.0)) } else { le.boost };
                b[e] = x.max(0.0);
                sum += b[e];
            }
        }
        weights.push(diurnal(hour_of_day) * (1.0 + sum));
    }
    (weights, boosts)
}

/// Generates the event scenario; see the module documentation.
pub(crate) fn generate(cfg: &ScenarioConfig, mut emit: impl FnMut(&Post)) -> Scenario {
    let ev = &cfg.event;
    let hours = ev.hours.max(1) as usize;
    let end = cfg.end();
    let resolution = cfg.time_resolution.max(1);
    let mut rng = sub_rng(cfg.seed, 10, 0);

    // Accounts.
    let n_ord = ev.accounts.max(10) as u32;
    let first_news = n_ord;
    let first_rtbot = first_news + ev.news_bots as u32;
    let mut next_account = first_rtbot + ev.retweet_bots as u32;

    // Planted networks and their bursts.
    let spans: Vec<(i64, i64)> = ev
        .events
        .iter()
        .map(|e| {
            let s = cfg.start + i64::from(e.start_minute) * 60;
            (s, (s + i64::from(e.minutes.max(1)) * 60).min(end))
        })
        .collect();
    let counts =
        [ev.hashtag_games, ev.copy_pastas, ev.retweet_rings, ev.classic_groups, ev.classic_groups, ev.classic_groups];
    let mut nets = Vec::new();
    let mut bursts = Vec::new();
    let sites = (cfg.posts / 2000).clamp(50, 5000);
    let mut expected_planted = 0.0;
    for (style, &count) in counts.iter().enumerate() {
        for _ in 0..count {
            let (size, n_bursts, participation) = match style {
                GAME => (rng.random_range(20..=40u32), rng.random_range(6..=12usize), 0.6),
                PASTA => (rng.random_range(10..=25), rng.random_range(6..=12), 0.7),
                RING => (rng.random_range(8..=15), rng.random_range(10..=20), 0.8),
                TIGHT => (rng.random_range(8..=12), rng.random_range(8..=15), 1.0),
                LOOSE => (rng.random_range(20..=40), rng.random_range(8..=15), cfg.loose_participation),
                _ => (rng.random_range(10..=20), rng.random_range(8..=12), cfg.lookalike_participation),
            };
            let a = rng.random_range(0..LOOKALIKE_DOMAINS.len());
            let d = (a + rng.random_range(1..LOOKALIKE_DOMAINS.len())) % LOOKALIKE_DOMAINS.len();
            let net = Net {
                style,
                first: next_account,
                size,
                participation,
                near: nets.iter().filter(|n: &&Net| n.style == PASTA).count() % 2 == 1,
                domains: [a as u8, d as u8],
                sites: [rng.random_range(sites / 10..sites) as u32, rng.random_range(sites / 10..sites) as u32],
            };
            next_account += size;
            for index in 0..n_bursts {
                // Three bursts in four hide inside a live event.
                let latest = (end - 3600).max(cfg.start + 1);
                let start = if !spans.is_empty() && rng.random_bool(0.75) {
                    let (a, b) = spans[rng.random_range(0..spans.len())];
                    rng.random_range(a..b.max(a + 1)).min(latest)
                } else {
                    rng.random_range(cfg.start..latest)
                };
                bursts.push(Burst { start, net: nets.len(), index, event: None });
            }
            let per_member = if style == GAME { 1.5 } else { 1.0 };
            expected_planted += n_bursts as f64 * f64::from(size) * participation.min(1.0) * per_member;
            nets.push(net);
        }
    }
    bursts.sort_by_key(|b| (b.start, b.net, b.index));
    let n_accounts = next_account;

    // Activity (ordinary and planted accounts; the automated ones post on their own).
    let lognormal = LogNormal::new(0.0, ev.activity_sigma.max(0.0)).expect("lognormal");
    let mut weights: Vec<f64> = (0..n_accounts).map(|_| lognormal.sample(&mut rng)).collect();
    for w in &mut weights[first_news as usize..first_rtbot as usize + ev.retweet_bots] {
        *w = 0.0;
    }
    let influence_ln = LogNormal::new(0.0, ev.influence_sigma.max(0.0)).expect("lognormal");
    let influence: Vec<f32> = (0..n_accounts).map(|_| influence_ln.sample(&mut rng) as f32).collect();
    let live_rates: Vec<f64> =
        (0..ev.live_tweeters).map(|_| rng.random_range(ev.live_rate.0..=ev.live_rate.1.max(ev.live_rate.0))).collect();
    let news_rates: Vec<f64> = (0..ev.news_bots).map(|_| rng.random_range(6.0..30.0)).collect();

    let (minute_w, boosts) = minute_weights(cfg);
    let mut world = World {
        cfg,
        ev,
        n_ord,
        first_rtbot,
        activity: Alias::new(&weights),
        influence,
        cascade_scale: 0.0,
        target_ratio: 0.0,
        max_cascade: (u64::from(n_ord) / 30).clamp(1, 5000),
        event_spans: spans.clone(),
        sites,
        z_site: ZipfTable::new(sites, cfg.zipf_exponent),
        z_article: ZipfTable::new(ARTICLES_PER_SITE, cfg.zipf_exponent),
        z_tag: ZipfTable::new(TAG_VOCABULARY, cfg.zipf_exponent),
        z_mention: ZipfTable::new(n_ord as usize, cfg.zipf_exponent),
        next_id: 0,
        next_article: 0,
        popular: vec![VecDeque::new(); ev.events.len()],
        stats: Stats::default(),
    };

    // Expected posts of the live-tweeters and news feeds, then the ordinary
    // originals and the cascade scale that make about `cfg.posts` posts with
    // the configured retweet share.
    let mut live_posts = 0.0;
    for (i, rate) in live_rates.iter().enumerate() {
        let a = n_ord - ev.live_tweeters.min(n_ord as usize) as u32 + i as u32;
        for (e, &(s, t)) in spans.iter().enumerate() {
            if world.watches(a, e) {
                live_posts += rate * (t - s) as f64 / 3600.0;
            }
        }
    }
    let news_posts: f64 = news_rates.iter().sum::<f64>() * hours as f64;
    let total = cfg.posts as f64 / (1.0 + ev.duplicate_rate);
    let rt = ev.retweet_share.clamp(0.0, 0.95);
    let cascades = (rt * total - 0.65 * live_posts).max(0.0);
    let originals_ord = (total - expected_planted - live_posts - news_posts - cascades).max(0.0);
    let originals = originals_ord + 0.35 * live_posts + news_posts;
    let mean_f: f64 = {
        let (mut s, mut w) = (0.0, 0.0);
        for (i, &x) in weights.iter().enumerate() {
            s += x * f64::from(world.influence[i]);
            w += x;
        }
        if w > 0.0 {
            s / w
        } else {
            1.0
        }
    };
    world.target_ratio = if originals > 0.0 { cascades / originals } else { 0.0 };
    world.cascade_scale = world.target_ratio / mean_f;

    // Ordinary originals per hour: multinomial over the minute weights.
    let hour_w: Vec<f64> = minute_w.chunks(60).map(|c| c.iter().sum()).collect();
    let mut remaining = originals_ord.round() as u64;
    let mut weight_left: f64 = hour_w.iter().sum();
    let mut per_hour = Vec::with_capacity(hours);
    for (h, &w) in hour_w.iter().enumerate() {
        let k = if h == hours - 1 || weight_left <= 0.0 {
            remaining
        } else {
            Binomial::new(remaining, (w / weight_left).clamp(0.0, 1.0)).expect("binomial").sample(&mut rng)
        };
        per_hour.push(k);
        remaining -= k;
        weight_left -= w;
    }

    let mut names = Names {
        accounts: Scramble { bits: 48, key: rng.random() },
        articles: Scramble { bits: 40, key: rng.random() },
        buf: itoa::Buffer::new(),
        year: year_of(cfg.start),
    };

    let mut planted_posts = vec![0usize; nets.len()];
    let mut slots: Vec<Slot> = Vec::new();
    let mut bucket: Vec<Raw> = Vec::new();
    let mut pending: Vec<Raw> = Vec::new();
    let mut next_burst = 0;
    let mut post = Post::default();
    let mut text = String::new();
    let (mut rows, mut posts) = (0usize, 0usize);
    for h in 0..hours {
        let lo = cfg.start + h as i64 * 3600;
        let hi = (lo + 3600).min(end);
        let mut rng = sub_rng(cfg.seed, 11, h as u64);
        slots.clear();
        let minutes = Alias::new(&minute_w[h * 60..h * 60 + 60]);
        for _ in 0..per_hour[h] {
            let m = minutes.sample(&mut rng);
            let time = lo + m as i64 * 60 + rng.random_range(0..60);
            let b = &boosts[h * 60 + m];
            let total_boost: f64 = b.iter().sum();
            let mut account = world.activity.sample(&mut rng) as u32;
            let mut about = None;
            let u = rng.random::<f64>() * (1.0 + total_boost);
            let mut acc = 0.0;
            for (e, &x) in b.iter().enumerate() {
                acc += x;
                if u < acc {
                    // An event-driven post: by one of the event's watchers.
                    for _ in 0..8 {
                        if world.watches(account, e) {
                            break;
                        }
                        account = world.activity.sample(&mut rng) as u32;
                    }
                    about = Some(e);
                    break;
                }
            }
            if about.is_none() {
                about = (0..b.len()).find(|&e| b[e] > 0.0 && world.watches(account, e));
            }
            if about.is_some() && !rng.random_bool(ev.bundle_rate.clamp(0.0, 1.0)) {
                about = None;
            }
            slots.push(Slot { time, account, kind: SlotKind::Ordinary(about) });
        }
        for (i, rate) in live_rates.iter().enumerate() {
            let a = n_ord - ev.live_tweeters.min(n_ord as usize) as u32 + i as u32;
            for (e, &(s, t)) in spans.iter().enumerate() {
                let (s, t) = (s.max(lo), t.min(hi));
                if s < t && world.watches(a, e) {
                    for _ in 0..poisson(&mut rng, rate * (t - s) as f64 / 3600.0) {
                        slots.push(Slot { time: rng.random_range(s..t), account: a, kind: SlotKind::Live(e) });
                    }
                }
            }
        }
        for (i, rate) in news_rates.iter().enumerate() {
            for _ in 0..poisson(&mut rng, rate * (hi - lo) as f64 / 3600.0) {
                let account = first_news + i as u32;
                slots.push(Slot { time: rng.random_range(lo..hi), account, kind: SlotKind::News(i as u32) });
            }
        }
        slots.sort_by_key(|s| s.time);
        bucket.clear();
        for &s in &slots {
            world.slot(&mut rng, s, end, &mut bucket);
        }
        while next_burst < bursts.len() && bursts[next_burst].start < hi {
            let mut b = bursts[next_burst];
            b.event = world.event_at(b.start);
            let mut rng = sub_rng(cfg.seed, 12, next_burst as u64);
            planted_posts[b.net] += world.burst(&mut rng, &nets, b, end, &mut bucket);
            next_burst += 1;
        }
        // Posts due later wait in `pending`.
        bucket.retain(|r| {
            if r.time >= hi {
                pending.push(*r);
            }
            r.time < hi && r.time < end
        });
        bucket.extend(pending.iter().filter(|r| r.time < hi));
        pending.retain(|r| r.time >= hi);
        bucket.sort_by_key(|r| (r.time, r.id, r.exact_dup));
        for r in &bucket {
            names.account(r.account, &mut post.account);
            post.post_id.clear();
            names.push_post_id(r.id, &mut post.post_id);
            post.time = r.time - r.time.rem_euclid(resolution);
            for _ in 0..1 + usize::from(r.exact_dup) {
                rows += names.emit_rows(cfg, r, &mut post, &mut text, &mut emit);
            }
            posts += 1;
        }
    }
    debug_assert!(pending.iter().all(|r| r.time >= end) || pending.is_empty());

    // The truth and the summary.
    let mut truth = Vec::new();
    let mut groups = Vec::new();
    let mut per_style = [0usize; 6];
    let mut n_bursts = vec![0usize; nets.len()];
    for b in &bursts {
        n_bursts[b.net] += 1;
    }
    for (i, net) in nets.iter().enumerate() {
        per_style[net.style] += 1;
        let style = STYLES[net.style];
        let name = format!("{style}_{:02}", per_style[net.style]);
        push_truth(&mut truth, &name, style, net.size, |m, s| names.account(net.first + m, s));
        let pct = (net.participation * 100.0).round();
        let description = match net.style {
            GAME => format!("pushes a rare hashtag in bursts of 2-10 min, {pct}% of members, 1-2 posts each"),
            PASTA if net.near => format!("posts near-copies of one text within 30-300 s, {pct}% of members"),
            PASTA => format!("posts the same text within 30-300 s, {pct}% of members"),
            RING => format!("retweets a member's post within 10-120 s, {pct}% of members"),
            TIGHT => format!("shares the same links within 1-{} s of a leader, every member", cfg.tight_delay_secs),
            LOOSE => format!(
                "pushes campaign hashtags within {}-{} s, {pct}% of members",
                cfg.loose_spread_secs.0, cfg.loose_spread_secs.1
            ),
            _ => format!(
                "links to look-alike news domains ({}, {}) within {} s",
                LOOKALIKE_DOMAINS[net.domains[0] as usize].0,
                LOOKALIKE_DOMAINS[net.domains[1] as usize].0,
                cfg.lookalike_window_secs
            ),
        };
        let in_events = "; three bursts in four inside a live event, carrying its hashtags";
        groups.push(GroupInfo {
            name,
            style: style.to_string(),
            accounts: net.size as usize,
            events: n_bursts[i],
            posts: planted_posts[i],
            description: description + in_events,
        });
    }
    Scenario {
        truth,
        groups,
        accounts: n_accounts as usize,
        posts,
        campaign_posts: planted_posts.iter().sum(),
        viral_posts: world.stats.viral_posts,
        viral_events: world.stats.viral_events,
        rows,
        live_tweeters: names.sorted(n_ord - ev.live_tweeters.min(n_ord as usize) as u32..n_ord),
        automated: names.sorted(first_news..first_rtbot + ev.retweet_bots as u32),
        duplicate_posts: world.stats.duplicate_posts,
    }
}

/// The calendar year of a UNIX time (UTC).
fn year_of(t: i64) -> i64 {
    // Days to civil date (Howard Hinnant's algorithm), year only.
    let z = t.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    yoe + era * 400 + i64::from(mp >= 10)
}

/// A pronounceable word for a rank: common ranks make short words.
fn push_word(rank: u64, out: &mut String) {
    const SYL: [&str; 24] = [
        "ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "ba", "po", "ge", "fi", "zu", "ha", "ly", "mo", "re",
        "sa", "tu", "ki", "no", "we", "ja",
    ];
    let mut r = rank;
    loop {
        out.push_str(SYL[(r % 24) as usize]);
        r /= 24;
        if r == 0 {
            break;
        }
        r -= 1;
    }
}

struct Names {
    accounts: Scramble,
    articles: Scramble,
    buf: itoa::Buffer,
    year: i64,
}

impl Names {
    fn sorted(&self, accounts: std::ops::Range<u32>) -> Vec<String> {
        let mut v: Vec<String> = accounts
            .map(|a| {
                let mut s = String::new();
                self.account(a, &mut s);
                s
            })
            .collect();
        v.sort();
        v
    }

    fn account(&self, index: u32, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let code = self.accounts.map(u64::from(index));
        out.clear();
        out.push_str("acct_");
        for i in (0..12).rev() {
            out.push(HEX[((code >> (4 * i)) & 0xF) as usize] as char);
        }
    }

    fn push_post_id(&mut self, id: u64, out: &mut String) {
        out.push('p');
        let digits = self.buf.format(id);
        for _ in digits.len()..9 {
            out.push('0');
        }
        out.push_str(digits);
    }

    fn push_tag(&mut self, tag: u32, events: &[crate::config::LiveEvent], out: &mut String) {
        out.push('#');
        if tag >= BUNDLE {
            let (e, j) = (((tag - BUNDLE) / 3) as usize, (tag - BUNDLE) % 3);
            out.push_str(&events[e].name);
            match j {
                1 => out.push_str("night"),
                2 => out.push_str(self.buf.format(self.year)),
                _ => {}
            }
        } else if tag >= CAMPAIGN {
            // Rare words, far past the vocabulary.
            push_word(1_000_000 + mix64(u64::from(tag)) % 100_000_000, out);
        } else if tag >= NEWS {
            out.push_str(NEWS_TAGS[(tag - NEWS) as usize % NEWS_TAGS.len()]);
        } else {
            push_word(u64::from(tag), out);
        }
    }

    fn push_link(&mut self, link: Link, out: &mut String) -> bool {
        match link {
            Link::None => return false,
            Link::Site { site, article } => {
                out.push_str("https://site");
                out.push_str(self.buf.format(site));
                out.push_str(".example/article/");
                out.push_str(self.buf.format(self.articles.map(article)));
            }
            Link::Feed { bot, article } => {
                out.push_str("https://newsfeed");
                out.push_str(self.buf.format(bot));
                out.push_str(".example/story/");
                out.push_str(self.buf.format(self.articles.map(article)));
            }
            Link::Lookalike { domain, article } => {
                let (host, path) = LOOKALIKE_DOMAINS[domain as usize];
                out.push_str("https://");
                out.push_str(host);
                out.push_str(path);
                out.push_str(self.buf.format(self.articles.map(article)));
                out.push_str(".html");
            }
        }
        true
    }

    /// Emits the rows of one post (text, repost, hashtags, link, mention);
    /// `post` already holds its account, id and time. Returns the row count.
    fn emit_rows(
        &mut self,
        cfg: &ScenarioConfig,
        r: &Raw,
        post: &mut Post,
        scratch: &mut String,
        emit: &mut impl FnMut(&Post),
    ) -> usize {
        let c = &r.content;
        // The text: words drawn from the text's own seed (roughly Zipf: the
        // rank is a power of a uniform number), then its hashtags.
        post.object.clear();
        let mut x = mix64(cfg.seed ^ mix64(c.text));
        let len = 5 + x % 8;
        for i in 0..len {
            x = mix64(x.wrapping_add(i));
            if i > 0 {
                post.object.push(' ');
            }
            push_word((unit(x).powf(3.0) * WORDS as f64) as u64, &mut post.object);
        }
        if c.variant != NONE32 {
            post.object.push(' ');
            push_word(50_000 + u64::from(c.variant), &mut post.object);
        }
        for &t in c.tags() {
            post.object.push(' ');
            self.push_tag(t, &cfg.event.events, &mut post.object);
        }
        post.kind = "text";
        emit(post);
        let mut rows = 1;
        if r.repost_of != NONE64 {
            post.object.clear();
            self.push_post_id(r.repost_of, &mut post.object);
            post.kind = "repost";
            emit(post);
            rows += 1;
        }
        for &t in c.tags() {
            post.object.clear();
            self.push_tag(t, &cfg.event.events, &mut post.object);
            post.kind = "hashtag";
            emit(post);
            rows += 1;
        }
        scratch.clear();
        if self.push_link(c.link, scratch) {
            post.object.clear();
            post.object.push_str(scratch);
            post.kind = "url";
            emit(post);
            rows += 1;
        }
        if c.mention != NONE32 {
            self.account(c.mention, scratch);
            post.object.clear();
            post.object.push('@');
            post.object.push_str(scratch);
            post.kind = "mention";
            emit(post);
            rows += 1;
        }
        rows
    }
}
