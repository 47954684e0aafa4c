//! The generator: a plan (accounts, networks, events, hourly post counts) made up
//! front, then one hour bucket at a time generated, sorted and emitted.

use std::collections::{HashSet, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Binomial, Distribution, Exp, LogNormal, Pareto};
use serde::Serialize;

use crate::config::ScenarioConfig;

/// One generated post: one account sharing one object at one time.
///
/// [`generate`] reuses a single `Post` for every row, so the callback must copy
/// what it keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Post {
    /// Account id, `acct_` + 12 hex digits, one scheme for every account.
    pub account: String,
    /// The shared object: a URL, a `#hashtag` or a reposted post id.
    pub object: String,
    /// Object kind: `url`, `hashtag` or `repost`.
    pub kind: &'static str,
    /// Unique post id: `p` + zero-padded sequence number in emission order.
    pub post_id: String,
    /// UNIX seconds (UTC).
    pub time: i64,
}

/// One planted (coordinated) account and the network it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TruthRow {
    /// Account id as it appears in the posts.
    pub account: String,
    /// Network name, e.g. `tight_links_01`.
    pub group: String,
    /// Coordination style: `tight_links`, `loose_hashtags` or `lookalike_domains`.
    pub style: String,
}

/// Summary of one planted network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupInfo {
    /// Network name, e.g. `loose_hashtags_03`.
    pub name: String,
    /// Coordination style.
    pub style: String,
    /// Number of member accounts.
    pub accounts: usize,
    /// Number of campaign events (objects pushed together).
    pub events: usize,
    /// Campaign posts of the network (its members' background posts excluded).
    pub posts: usize,
    /// What the network does, in words.
    pub description: String,
}

/// The planted truth of a generated scenario plus a few totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// One row per planted account, ordered by network then account.
    pub truth: Vec<TruthRow>,
    /// The planted networks, in order.
    pub groups: Vec<GroupInfo>,
    /// All accounts that may post (background + planted).
    pub accounts: usize,
    /// Posts emitted (always `cfg.posts`).
    pub posts: usize,
    /// Posts that belong to planted campaign events.
    pub campaign_posts: usize,
    /// Innocent look-alike posts: viral bursts and organic pick-ups of campaign links.
    pub viral_posts: usize,
    /// Number of viral bursts.
    pub viral_events: usize,
}

const STYLES: [&str; 3] = ["tight_links", "loose_hashtags", "lookalike_domains"];

/// Look-alike ("cybersquatted") news domains of the Russian "Doppelganger"
/// operation, named in the US Justice Department's September 2024 affidavit
/// supporting the seizure of 32 domains (e.g. `washingtonpost.pm` for
/// washingtonpost.com). Each entry: domain, path prefix.
const LOOKALIKE_DOMAINS: [(&str, &str); 4] = [
    ("washingtonpost.pm", "/politics/2024/"),
    ("spiegel.ltd", "/politik/"),
    ("bild.vip", "/politik/inland/"),
    ("fox-news.top", "/politics/"),
];

/// Repost targets: the most recent original posts of influential accounts.
const RING: usize = 5000;

#[derive(Debug, Clone, Copy)]
enum Obj {
    Url { site: u32, article: u64 },
    Tag(u64),
    Repost(u64),
    Lookalike { domain: u8, article: u64 },
}

#[derive(Debug, Clone, Copy)]
struct Raw {
    time: i64,
    account: u32,
    obj: Obj,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Tight,
    Loose,
    Lookalike { pickups: u32 },
    Viral { tau: f64, repost: bool },
}

#[derive(Debug, Clone)]
struct Event {
    start: i64,
    /// Index into `Plan::groups`; unused for viral bursts.
    group: usize,
    kind: Kind,
    /// Campaign participants, or burst size.
    size: u32,
    obj: Obj,
}

impl Event {
    fn posts(&self) -> usize {
        match self.kind {
            Kind::Lookalike { pickups } => (self.size + pickups) as usize,
            _ => self.size as usize,
        }
    }
}

#[derive(Debug)]
struct Group {
    style: usize,
    first_account: u32,
    size: u32,
    events: usize,
    posts: usize,
    domains: Vec<u8>,
}

struct Plan {
    groups: Vec<Group>,
    events: Vec<Event>,
    accounts: usize,
    campaign_posts: usize,
    viral_posts: usize,
    viral_events: usize,
    articles: u64,
    tags: u64,
}

/// splitmix64: derives independent sub-seeds from the config seed.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn sub_rng(seed: u64, stream: u64, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix64(mix64(seed ^ mix64(stream)) ^ index))
}

/// Relative posting activity by UTC hour of day: peak 19:00, trough 07:00.
fn diurnal(hour_of_day: i64) -> f64 {
    1.0 + 0.7 * (std::f64::consts::TAU * (hour_of_day as f64 - 19.0) / 24.0).cos()
}

/// Walker/Vose alias table with each slot packed in 8 bytes (one cache line
/// touch per sample): pick a slot uniformly, keep it if a 32-bit draw is below
/// its threshold, else take its alias.
struct Alias {
    slots: Vec<(u32, u32)>,
}

impl Alias {
    fn new(weights: &[f64]) -> Self {
        let n = weights.len().max(1);
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = if total > 0.0 && total.is_finite() {
            weights.iter().map(|w| w * n as f64 / total).collect()
        } else {
            vec![1.0; n]
        };
        let mut slots = vec![(u32::MAX, 0u32); n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            slots[s] = ((scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32, l as u32);
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            slots[i] = (u32::MAX, i as u32);
        }
        Alias { slots }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let x: u64 = rng.random();
        let i = ((x >> 32) * self.slots.len() as u64) >> 32;
        let (threshold, alias) = self.slots[i as usize];
        if (x as u32) < threshold || threshold == u32::MAX {
            i as usize
        } else {
            alias as usize
        }
    }
}

/// Zipf(s) over ranks `0..n` as an alias table: O(1) per sample, no `powf`.
struct ZipfTable {
    n: usize,
    alias: Alias,
}

impl ZipfTable {
    fn new(n: usize, s: f64) -> Self {
        let n = n.max(1);
        let weights: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
        ZipfTable { n, alias: Alias::new(&weights) }
    }

    /// A rank below `limit` (`limit <= n`): ranks at or past `limit` are redrawn,
    /// i.e. Zipf over the first `limit` ranks.
    fn sample_below(&self, rng: &mut ChaCha8Rng, limit: usize) -> usize {
        let limit = limit.clamp(1, self.n);
        for _ in 0..64 {
            let r = self.alias.sample(rng);
            if r < limit {
                return r;
            }
        }
        0
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        self.alias.sample(rng)
    }
}

struct TimeSampler {
    start: i64,
    hours: WeightedAliasIndex<f64>,
}

impl TimeSampler {
    fn new(cfg: &ScenarioConfig) -> Self {
        let n = i64::from(cfg.days.max(1)) * 24;
        let w = (0..n).map(|h| diurnal(h % 24)).collect();
        TimeSampler { start: cfg.start, hours: WeightedAliasIndex::new(w).expect("weights") }
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> i64 {
        self.start + self.hours.sample(rng) as i64 * 3600 + rng.random_range(0..3600)
    }
}

fn plan(cfg: &ScenarioConfig, factor: f64) -> Plan {
    let mut rng = sub_rng(cfg.seed, 1, 0);
    let times = TimeSampler::new(cfg);
    let n_bg = cfg.background_accounts.max(1);
    let sites = cfg.sites.max(1);
    let mut articles = u64::from(cfg.days.max(1)) * (sites * cfg.articles_per_site_day.max(1)) as u64;
    let mut tags = cfg.hashtags.max(1) as u64;
    let mut next_account = n_bg as u32;
    let mut groups = Vec::new();
    let mut events = Vec::new();
    let group_factor = (factor / 0.3).min(1.0);
    let counts = [cfg.tight_links_groups, cfg.loose_hashtags_groups, cfg.lookalike_domains_groups];
    for (style, &count) in counts.iter().enumerate() {
        let count = (count as f64 * group_factor).round() as usize;
        for _ in 0..count {
            let (size, base_events) = match style {
                0 => (rng.random_range(8..=12u32), rng.random_range(30..=60u32)),
                1 => (rng.random_range(30..=50u32), rng.random_range(40..=80u32)),
                _ => (rng.random_range(10..=20u32), rng.random_range(30..=50u32)),
            };
            let n_events = ((f64::from(base_events) * cfg.campaign_events_scale * factor).round() as usize).max(2);
            let gi = groups.len();
            let mut g = Group { style, first_account: next_account, size, events: n_events, posts: 0, domains: vec![] };
            next_account += size;
            // Campaign objects look like background ones: ordinary (mid-popularity)
            // sites, ordinary hashtag names.
            let own_sites = [rng.random_range(sites / 10..sites) as u32, rng.random_range(sites / 10..sites) as u32];
            let first_tag = tags;
            let tag_pool = n_events.div_ceil(2) as u64;
            if style == 1 {
                tags += tag_pool;
            }
            if style == 2 {
                let a = rng.random_range(0..LOOKALIKE_DOMAINS.len());
                let b = (a + rng.random_range(1..LOOKALIKE_DOMAINS.len())) % LOOKALIKE_DOMAINS.len();
                g.domains = vec![a as u8, b as u8];
            }
            for e in 0..n_events {
                let start = times.sample(&mut rng);
                let (kind, size, obj) = match style {
                    0 => {
                        articles += 1;
                        (Kind::Tight, size, Obj::Url { site: own_sites[e % 2], article: articles - 1 })
                    }
                    1 => {
                        let k = if e == 0 { size } else { binomial(&mut rng, size, cfg.loose_participation) };
                        (Kind::Loose, k, Obj::Tag(first_tag + (e as u64 % tag_pool)))
                    }
                    _ => {
                        let k = if e == 0 { size } else { binomial(&mut rng, size, cfg.lookalike_participation) };
                        articles += 1;
                        let domain = g.domains[rng.random_range(0..g.domains.len())];
                        let pickups = rng.random_range(0..=2);
                        (Kind::Lookalike { pickups }, k, Obj::Lookalike { domain, article: articles - 1 })
                    }
                };
                g.posts += size as usize;
                events.push(Event { start, group: gi, kind, size, obj });
            }
            groups.push(g);
        }
    }
    let campaign_posts: usize = groups.iter().map(|g| g.posts).sum();
    let pickups: usize = events.iter().map(Event::posts).sum::<usize>() - campaign_posts;

    let n_viral = (cfg.viral_events as f64 * factor).round() as usize;
    let max_size = cfg.viral_max_size.min(n_bg / 2).max(1) as f64;
    let min_size = (cfg.viral_min_size.max(1) as f64).min(max_size);
    let pareto = Pareto::new(min_size, 1.4).expect("pareto");
    let mut viral_posts = pickups;
    for _ in 0..n_viral {
        let start = times.sample(&mut rng);
        let size = pareto.sample(&mut rng).min(max_size) as u32;
        let tau = rng.random_range(120.0..1800.0);
        let u: f64 = rng.random();
        // Fresh article for url bursts, and as the fallback of repost bursts.
        articles += 1;
        let site = rng.random_range(0..sites.min(50)) as u32;
        let (obj, repost) = if u < 0.4 {
            (Obj::Url { site, article: articles - 1 }, false)
        } else if u < 0.8 {
            tags += 1;
            (Obj::Tag(tags - 1), false)
        } else {
            (Obj::Url { site, article: articles - 1 }, true)
        };
        viral_posts += size as usize;
        events.push(Event { start, group: usize::MAX, kind: Kind::Viral { tau, repost }, size, obj });
    }
    events.sort_by_key(|e| e.start);
    Plan {
        groups,
        events,
        accounts: next_account as usize,
        campaign_posts,
        viral_posts,
        viral_events: n_viral,
        articles,
        tags,
    }
}

fn binomial(rng: &mut ChaCha8Rng, n: u32, p: f64) -> u32 {
    let k = Binomial::new(u64::from(n), p.clamp(0.0, 1.0)).expect("binomial").sample(rng) as u32;
    k.clamp(2.min(n), n)
}

/// A keyed bijection of `[0, 2^bits)`: xor, multiply by odd constants and
/// xor-shift, all modulo `2^bits`. Turns sequential ids into unique,
/// unordered-looking ones.
struct Scramble {
    bits: u32,
    key: u64,
}

impl Scramble {
    /// Smallest width that leaves 8 codes per id (at least 12 bits).
    fn new(rng: &mut ChaCha8Rng, count: u64) -> Self {
        let bits = (64 - count.saturating_mul(8).leading_zeros()).clamp(12, 60);
        Scramble { bits, key: rng.random() }
    }
    fn map(&self, x: u64) -> u64 {
        let mask = (1u64 << self.bits) - 1;
        let mut x = (x ^ self.key) & mask;
        x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask;
        x ^= x >> (self.bits / 2 + 1);
        x = x.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) & mask;
        x ^ (x >> (self.bits / 2))
    }
}

struct Names {
    accounts: Scramble,
    articles: Scramble,
    tags: Scramble,
    post_digits: usize,
    buf: itoa::Buffer,
}

impl Names {
    fn account(&self, index: u32, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let code = self.accounts.map(u64::from(index));
        out.clear();
        out.push_str("acct_");
        for i in (0..12).rev() {
            out.push(HEX[((code >> (4 * i)) & 0xF) as usize] as char);
        }
    }

    fn post_id(&mut self, seq: u64, out: &mut String) {
        out.clear();
        self.push_post_id(seq, out);
    }

    fn push_post_id(&mut self, seq: u64, out: &mut String) {
        out.push('p');
        let digits = self.buf.format(seq);
        for _ in digits.len()..self.post_digits {
            out.push('0');
        }
        out.push_str(digits);
    }

    fn object(&mut self, obj: Obj, out: &mut String) -> &'static str {
        out.clear();
        match obj {
            Obj::Url { site, article } => {
                out.push_str("https://site");
                out.push_str(self.buf.format(site));
                out.push_str(".example/article/");
                out.push_str(self.buf.format(self.articles.map(article)));
                "url"
            }
            Obj::Lookalike { domain, article } => {
                let (host, path) = LOOKALIKE_DOMAINS[domain as usize];
                out.push_str("https://");
                out.push_str(host);
                out.push_str(path);
                out.push_str(self.buf.format(self.articles.map(article)));
                out.push_str(".html");
                "url"
            }
            Obj::Tag(t) => {
                out.push_str("#tag");
                out.push_str(self.buf.format(self.tags.map(t)));
                "hashtag"
            }
            Obj::Repost(seq) => {
                self.push_post_id(seq, out);
                "repost"
            }
        }
    }
}

/// Generates the scenario, calling `emit` once per post in time order (ties in
/// a fixed order), and returns the planted truth.
///
/// Memory stays bounded by one hour of posts, whatever `cfg.posts` is. Exactly
/// `cfg.posts` posts are emitted; for very small counts (below a few thousand)
/// the planted networks and viral bursts shrink, then vanish, to fit.
pub fn generate(cfg: &ScenarioConfig, mut emit: impl FnMut(&Post)) -> Scenario {
    let mut factor = 1.0;
    let plan = loop {
        let p = plan(cfg, factor);
        if p.campaign_posts + p.viral_posts <= cfg.posts / 2 || factor < 1e-3 {
            break p;
        }
        factor *= 0.7;
    };
    let end = cfg.end();
    let hours = i64::from(cfg.days.max(1)) * 24;
    let mut rng = sub_rng(cfg.seed, 2, 0);

    // Accounts: log-normal activity weights (heavy tail), background and planted alike.
    let lognormal = LogNormal::new(0.0, cfg.activity_sigma.max(0.0)).expect("lognormal");
    let weights: Vec<f64> = (0..plan.accounts).map(|_| lognormal.sample(&mut rng)).collect();
    let influencer_cut = {
        let mut w = weights.clone();
        w.sort_by(f64::total_cmp);
        w[w.len() * 99 / 100]
    };
    let mut influencer = vec![0u64; weights.len().div_ceil(64)];
    for (i, &w) in weights.iter().enumerate() {
        if w >= influencer_cut {
            influencer[i / 64] |= 1 << (i % 64);
        }
    }
    let accounts = Alias::new(&weights);
    let n_bg = cfg.background_accounts.max(1);

    let mut names = Names {
        accounts: Scramble { bits: 48, key: rng.random() },
        articles: Scramble::new(&mut rng, plan.articles),
        tags: Scramble::new(&mut rng, plan.tags),
        post_digits: 9.max(cfg.posts.to_string().len()),
        buf: itoa::Buffer::new(),
    };

    // Background posts per hour: multinomial over the diurnal profile.
    let mut remaining = (cfg.posts - plan.campaign_posts - plan.viral_posts) as u64;
    let mut weight_left: f64 = (0..hours).map(|h| diurnal(h % 24)).sum();
    let mut per_hour = Vec::with_capacity(hours as usize);
    for h in 0..hours {
        let w = diurnal(h % 24);
        let k = if h == hours - 1 {
            remaining
        } else {
            Binomial::new(remaining, (w / weight_left).clamp(0.0, 1.0)).expect("binomial").sample(&mut rng)
        };
        per_hour.push(k);
        remaining -= k;
        weight_left -= w;
    }

    let s = cfg.zipf_exponent;
    let sites = cfg.sites.max(1);
    let apsd = cfg.articles_per_site_day.max(1);
    let z_site = ZipfTable::new(sites, s);
    let z_article = ZipfTable::new(apsd, s);
    let z_tag = ZipfTable::new(cfg.hashtags.max(1), s);
    let z_ring = ZipfTable::new(RING, s);
    let mut ring: VecDeque<u64> = VecDeque::with_capacity(RING);

    let mut bucket: Vec<Raw> = Vec::new();
    let mut pending: Vec<Raw> = Vec::new();
    let mut produced: Vec<Raw> = Vec::new();
    let mut sorted: Vec<Raw> = Vec::new();
    let mut offsets = vec![0usize; 3601];
    let mut next_event = 0;
    let mut seq: u64 = 0;
    let mut post = Post::default();
    for h in 0..hours {
        let lo = cfg.start + h * 3600;
        let hi = lo + 3600;
        let day = (h / 24) as u64;
        bucket.clear();
        let mut rng = sub_rng(cfg.seed, 3, h as u64);
        for _ in 0..per_hour[h as usize] {
            let account = accounts.sample(&mut rng) as u32;
            let time = lo + rng.random_range(0..3600);
            let u: f64 = rng.random();
            let obj = if u < cfg.url_fraction {
                let site = z_site.sample(&mut rng);
                let art = z_article.sample(&mut rng);
                Obj::Url { site: site as u32, article: (day * sites as u64 + site as u64) * apsd as u64 + art as u64 }
            } else if u >= cfg.url_fraction + cfg.hashtag_fraction && !ring.is_empty() {
                Obj::Repost(ring[z_ring.sample_below(&mut rng, ring.len())])
            } else {
                Obj::Tag(z_tag.sample(&mut rng) as u64)
            };
            bucket.push(Raw { time, account, obj });
        }
        bucket.extend(pending.iter().filter(|r| r.time < hi));
        pending.retain(|r| r.time >= hi);
        while next_event < plan.events.len() && plan.events[next_event].start < hi {
            let ev = &plan.events[next_event];
            let mut rng = sub_rng(cfg.seed, 4, next_event as u64);
            produced.clear();
            event_posts(cfg, &plan, ev, &mut rng, &accounts, n_bg, &ring, &z_ring, &mut produced);
            for mut r in produced.drain(..) {
                r.time = r.time.min(end - 1);
                if r.time < hi {
                    bucket.push(r);
                } else {
                    pending.push(r);
                }
            }
            next_event += 1;
        }
        sort_hour(&bucket, lo, &mut sorted, &mut offsets);
        for r in &sorted {
            seq += 1;
            names.account(r.account, &mut post.account);
            post.kind = names.object(r.obj, &mut post.object);
            names.post_id(seq, &mut post.post_id);
            post.time = r.time;
            emit(&post);
            if influencer[r.account as usize / 64] >> (r.account % 64) & 1 == 1 && !matches!(r.obj, Obj::Repost(_)) {
                if ring.len() == RING {
                    ring.pop_back();
                }
                ring.push_front(seq);
            }
        }
    }
    debug_assert!(pending.is_empty());
    debug_assert_eq!(seq as usize, cfg.posts);

    scenario(cfg, &plan, &names)
}

/// Stable counting sort of one hour of posts by second into `out`.
fn sort_hour(bucket: &[Raw], lo: i64, out: &mut Vec<Raw>, offsets: &mut [usize]) {
    offsets.fill(0);
    for r in bucket {
        offsets[(r.time - lo) as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    out.clear();
    out.resize(bucket.len(), Raw { time: 0, account: 0, obj: Obj::Tag(0) });
    for r in bucket {
        let slot = &mut offsets[(r.time - lo) as usize];
        out[*slot] = *r;
        *slot += 1;
    }
}

#[allow(clippy::too_many_arguments)]
fn event_posts(
    cfg: &ScenarioConfig,
    plan: &Plan,
    ev: &Event,
    rng: &mut ChaCha8Rng,
    accounts: &Alias,
    n_bg: usize,
    ring: &VecDeque<u64>,
    z_ring: &ZipfTable,
    out: &mut Vec<Raw>,
) {
    let t0 = ev.start;
    let obj = ev.obj;
    let member = |i: usize| plan.groups[ev.group].first_account + i as u32;
    match ev.kind {
        Kind::Tight => {
            let n = plan.groups[ev.group].size as usize;
            let leader = rng.random_range(0..n);
            for i in 0..n {
                let time = if i == leader { t0 } else { t0 + rng.random_range(1..=cfg.tight_delay_secs.max(1)) };
                out.push(Raw { time, account: member(i), obj });
            }
        }
        Kind::Loose => {
            let n = plan.groups[ev.group].size as usize;
            let (a, b) = cfg.loose_spread_secs;
            let spread = rng.random_range(a.min(b).max(0)..=b.max(a).max(0));
            for i in rand::seq::index::sample(rng, n, ev.size as usize).into_vec() {
                out.push(Raw { time: t0 + rng.random_range(0..=spread), account: member(i), obj });
            }
        }
        Kind::Lookalike { pickups } => {
            let n = plan.groups[ev.group].size as usize;
            let window = cfg.lookalike_window_secs.max(0);
            for i in rand::seq::index::sample(rng, n, ev.size as usize).into_vec() {
                out.push(Raw { time: t0 + rng.random_range(0..=window), account: member(i), obj });
            }
            // Organic pick-up: a few innocent accounts reshare the link hours later.
            for _ in 0..pickups {
                let mut account = accounts.sample(rng);
                for _ in 0..20 {
                    if account < n_bg {
                        break;
                    }
                    account = accounts.sample(rng);
                }
                out.push(Raw { time: t0 + rng.random_range(600..=6 * 3600), account: account as u32, obj });
            }
        }
        Kind::Viral { tau, repost } => {
            let obj =
                if repost && !ring.is_empty() { Obj::Repost(ring[z_ring.sample_below(rng, ring.len())]) } else { obj };
            let exp = Exp::new(1.0 / tau).expect("exp");
            let mut seen = HashSet::with_capacity(ev.size as usize);
            for _ in 0..ev.size {
                let mut account = accounts.sample(rng) as u32;
                for _ in 0..20 {
                    if seen.insert(account) {
                        break;
                    }
                    account = accounts.sample(rng) as u32;
                }
                let time = t0 + exp.sample(rng) as i64;
                out.push(Raw { time, account, obj });
            }
        }
    }
}

fn scenario(cfg: &ScenarioConfig, plan: &Plan, names: &Names) -> Scenario {
    let mut truth = Vec::new();
    let mut groups = Vec::new();
    let mut per_style = [0usize; 3];
    for g in &plan.groups {
        per_style[g.style] += 1;
        let style = STYLES[g.style];
        let name = format!("{style}_{:02}", per_style[g.style]);
        let mut members: Vec<String> = (0..g.size)
            .map(|i| {
                let mut s = String::new();
                names.account(g.first_account + i, &mut s);
                s
            })
            .collect();
        members.sort();
        for account in members {
            truth.push(TruthRow { account, group: name.clone(), style: style.to_string() });
        }
        let description = match g.style {
            0 => format!(
                "shares the same links within 1-{} s of a leader, every member every time",
                cfg.tight_delay_secs
            ),
            1 => format!(
                "pushes the same campaign hashtags within {}-{} s, about {:.0}% of members per event",
                cfg.loose_spread_secs.0,
                cfg.loose_spread_secs.1,
                cfg.loose_participation * 100.0
            ),
            _ => {
                let domains: Vec<&str> = g.domains.iter().map(|&d| LOOKALIKE_DOMAINS[d as usize].0).collect();
                format!(
                    "links to look-alike news domains ({}) within {} s of each other",
                    domains.join(", "),
                    cfg.lookalike_window_secs
                )
            }
        };
        groups.push(GroupInfo {
            name,
            style: style.to_string(),
            accounts: g.size as usize,
            events: g.events,
            posts: g.posts,
            description,
        });
    }
    Scenario {
        truth,
        groups,
        accounts: plan.accounts,
        posts: cfg.posts,
        campaign_posts: plan.campaign_posts,
        viral_posts: plan.viral_posts,
        viral_events: plan.viral_events,
    }
}
