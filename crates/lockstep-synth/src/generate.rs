//! The background scenario's stream: the plan (`plan.rs`) made up
//! front, then one hour bucket at a time generated, sorted and emitted.

use std::collections::{HashSet, VecDeque};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Exp, LogNormal};
use serde::Serialize;

use crate::config::{ScenarioConfig, ScenarioKind};
use crate::plan::{plan, Event, Kind, Obj, Plan, Raw, LOOKALIKE_DOMAINS, RING, STYLES};
use crate::sample::{diurnal, sub_rng, Alias, Scramble, ZipfTable};

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
    /// Rows emitted: `posts` in the background scenario; in the event scenario
    /// one row per object of a post (text, repost, hashtags, url, mention).
    pub rows: usize,
    /// Event scenario: the innocent accounts posting hundreds of times an hour
    /// during events (sorted ids).
    pub live_tweeters: Vec<String>,
    /// Event scenario: the innocent automated accounts, news feeds and retweet
    /// bots (sorted ids).
    pub automated: Vec<String>,
    /// Event scenario: posts recorded twice (under a new post id, or as identical rows).
    pub duplicate_posts: usize,
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

/// Generates the scenario, calling `emit` once per row in time order (ties in
/// a fixed order), and returns the planted truth.
///
/// Memory stays bounded by one hour of posts, whatever `cfg.posts` is. In the
/// background scenario exactly `cfg.posts` posts are emitted, one row each; for
/// very small counts (below a few thousand) the planted networks and viral
/// bursts shrink, then vanish, to fit. The event scenario
/// ([`ScenarioKind::Event`]) emits about `cfg.posts` posts of several rows each.
pub fn generate(cfg: &ScenarioConfig, mut emit: impl FnMut(&Post)) -> Scenario {
    if cfg.scenario == ScenarioKind::Event {
        return crate::event::generate(cfg, emit);
    }
    let resolution = cfg.time_resolution.max(1);
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
            post.time = r.time - r.time.rem_euclid(resolution);
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

/// Appends the truth rows of one planted network of `size` members, named by
/// `name_of(member, out)`, in byte order of their names.
pub(crate) fn push_truth(
    truth: &mut Vec<TruthRow>,
    group: &str,
    style: &str,
    size: u32,
    name_of: impl Fn(u32, &mut String),
) {
    let mut members: Vec<String> = (0..size)
        .map(|i| {
            let mut s = String::new();
            name_of(i, &mut s);
            s
        })
        .collect();
    members.sort();
    truth.extend(members.into_iter().map(|account| TruthRow {
        account,
        group: group.to_string(),
        style: style.to_string(),
    }));
}

fn scenario(cfg: &ScenarioConfig, plan: &Plan, names: &Names) -> Scenario {
    let mut truth = Vec::new();
    let mut groups = Vec::new();
    let mut per_style = [0usize; 3];
    for g in &plan.groups {
        per_style[g.style] += 1;
        let style = STYLES[g.style];
        let name = format!("{style}_{:02}", per_style[g.style]);
        push_truth(&mut truth, &name, style, g.size, |i, s| names.account(g.first_account + i, s));
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
        rows: cfg.posts,
        live_tweeters: Vec::new(),
        automated: Vec::new(),
        duplicate_posts: 0,
    }
}
