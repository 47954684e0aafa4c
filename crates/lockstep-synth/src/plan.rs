//! The plan of the background scenario: planted networks, their campaign
//! events and the viral bursts, all drawn up front (small: no posts).

use rand::Rng;
use rand_distr::{Distribution, Pareto};

use crate::config::ScenarioConfig;
use crate::sample::{binomial, sub_rng, TimeSampler};

pub(crate) const STYLES: [&str; 3] = ["tight_links", "loose_hashtags", "lookalike_domains"];

/// Look-alike ("cybersquatted") news domains of the Russian "Doppelganger"
/// operation, named in the US Justice Department's September 2024 affidavit
/// supporting the seizure of 32 domains (e.g. `washingtonpost.pm` for
/// washingtonpost.com). Each entry: domain, path prefix.
pub(crate) const LOOKALIKE_DOMAINS: [(&str, &str); 4] = [
    ("washingtonpost.pm", "/politics/2024/"),
    ("spiegel.ltd", "/politik/"),
    ("bild.vip", "/politik/inland/"),
    ("fox-news.top", "/politics/"),
];

/// Repost targets: the most recent original posts of influential accounts.
pub(crate) const RING: usize = 5000;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Obj {
    Url { site: u32, article: u64 },
    Tag(u64),
    Repost(u64),
    Lookalike { domain: u8, article: u64 },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Raw {
    pub(crate) time: i64,
    pub(crate) account: u32,
    pub(crate) obj: Obj,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Tight,
    Loose,
    Lookalike { pickups: u32 },
    Viral { tau: f64, repost: bool },
}

#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) start: i64,
    /// Index into `Plan::groups`; unused for viral bursts.
    pub(crate) group: usize,
    pub(crate) kind: Kind,
    /// Campaign participants, or burst size.
    pub(crate) size: u32,
    pub(crate) obj: Obj,
}

impl Event {
    pub(crate) fn posts(&self) -> usize {
        match self.kind {
            Kind::Lookalike { pickups } => (self.size + pickups) as usize,
            _ => self.size as usize,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Group {
    pub(crate) style: usize,
    pub(crate) first_account: u32,
    pub(crate) size: u32,
    pub(crate) events: usize,
    pub(crate) posts: usize,
    pub(crate) domains: Vec<u8>,
}

pub(crate) struct Plan {
    pub(crate) groups: Vec<Group>,
    pub(crate) events: Vec<Event>,
    pub(crate) accounts: usize,
    pub(crate) campaign_posts: usize,
    pub(crate) viral_posts: usize,
    pub(crate) viral_events: usize,
    pub(crate) articles: u64,
    pub(crate) tags: u64,
}

pub(crate) fn plan(cfg: &ScenarioConfig, factor: f64) -> Plan {
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
