//! The incremental co-share engine.
//!
//! Shares arrive one by one, in any order within the allowed lateness. Each
//! accepted share is paired at once with the held shares of its object that are
//! at most `window` seconds away (by event time), by another account under
//! another post: every pair is one **co-share**, added to the weight of the two
//! accounts' edge as it arrives. This is `lockstep detect`'s co-share rule
//! (`lockstep_detect::coshare`), applied in arrival order instead of over the
//! sorted whole: the weights are the same once every share has arrived.
//!
//! ## Event time, lateness, watermark
//! `max_time` is the latest event time accepted so far; the **watermark** is
//! `max_time - lateness`. A share older than the watermark is **late**: it is
//! counted ([`Counters::late_shares`]), never paired, never silently lost. Every
//! other share is exact: a held share older than `watermark - window` can no
//! longer pair with any share still to be accepted, so it is evicted then, and
//! never before.
//!
//! ## Bounded state
//! - Shares: only those within `window + lateness` of `max_time` are held
//!   (evicted in a sweep every `window + lateness` seconds of event time, at
//!   least every 60).
//! - Objects: an object with no held share is forgotten.
//! - Edges: an edge whose last co-share is older than `max_time - horizon` is
//!   dropped (its weight restarts from 0 if the pair co-shares again); edges
//!   are swept every sixteenth of the horizon (at least every 60 s), so an edge
//!   lives at most 1/16 longer. No horizon keeps edges for the life of the state.
//! - Accounts: an account is named while a held share or an edge refers to it;
//!   its id is then reused.
//! - A mass object (more than `max_object_shares` held shares) pairs no further
//!   share until it falls back under the cap; those shares are counted
//!   ([`Counters::mass_shares`]). Batch detection summarises such objects too
//!   (`--max-object-pairs`), by its own, whole-dataset rule.
//!
//! ## Thresholds, groups, alerts
//! An edge is **strong** once its weight has reached the threshold: `min_weight`,
//! or, with an edge quantile, the smallest integer weight strictly above that
//! quantile of all current weights when it is higher (recomputed in each
//! periodic pass). A weight reaching the threshold raises an edge alert at once,
//! with the co-shares that made it. Each pass ([`Engine::pass`], every
//! `pass_every` seconds of event time and at the end of the input) recomputes
//! the groups (connected components of the strong edges) and raises one alert
//! per group that formed or gained members.
//!
//! Sweeps and passes are due by event time and checked after every share: the
//! state and the alerts depend only on the order of the shares, not on how
//! they arrived in chunks, so a restart from a checkpoint raises the same
//! alerts, with the same ids, as the run it replaces.

use crate::alert::{Alert, AlertBody, EdgeRef, Evidence};
use hashbrown::{HashMap, HashTable};
use lockstep_core::Dataset;
use lockstep_domains::{Class, Classification, Classifier};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher as _};
use std::sync::Arc;

type Hasher = foldhash::fast::FixedState;

/// Parameters of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveParams {
    /// Co-share window W in seconds (inclusive), as `detect --window`.
    pub window: u32,
    /// Allowed lateness in seconds: a share older than `max_time - lateness` is late.
    pub lateness: u32,
    /// Edges whose last co-share is older than `max_time - horizon` seconds are
    /// dropped; `None`: edges are kept as long as the state lives.
    pub horizon: Option<u64>,
    /// Co-shares an edge needs to be strong (alert threshold).
    pub min_weight: u32,
    /// Optional: the weight must also be strictly above this quantile of all weights.
    pub edge_quantile: Option<f64>,
    /// Co-shares kept per edge as evidence for its alert.
    pub evidence: usize,
    /// Held shares above which an object is a mass object (see module docs).
    pub max_object_shares: usize,
    /// Event seconds between periodic passes (groups, quantile threshold).
    pub pass_every: u32,
}

impl Default for LiveParams {
    fn default() -> Self {
        LiveParams {
            window: 60,
            lateness: 60,
            horizon: Some(7 * 86_400),
            min_weight: 5,
            edge_quantile: None,
            evidence: 10,
            max_object_shares: 5_000,
            pass_every: 10,
        }
    }
}

impl LiveParams {
    /// Checks ranges.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |name: &'static str, reason: String| Err(crate::Error::InvalidParam { name, reason });
        if self.min_weight == 0 {
            return bad("min-weight", "must be at least 1".into());
        }
        if let Some(q) = self.edge_quantile {
            if !(0.0..=1.0).contains(&q) {
                return bad("edge-quantile", format!("must be within [0, 1], got {q}"));
            }
        }
        if self.max_object_shares < 2 {
            return bad("max-object-shares", "must be at least 2".into());
        }
        if self.horizon == Some(0) {
            return bad("horizon", "must be positive (or `none`)".into());
        }
        Ok(())
    }
}

/// What happened to one share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted and paired.
    Accepted,
    /// Older than the watermark: counted, not paired.
    Late,
    /// The same post id and object as a held share: counted, dropped (as
    /// `detect` drops it by default).
    Duplicate,
    /// Accepted into a mass object: counted, not paired.
    Mass,
}

/// Running counts (all since the state began, across restarts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Shares offered to the engine.
    pub shares_in: u64,
    /// Shares accepted (paired or held).
    pub accepted: u64,
    /// Late shares.
    pub late_shares: u64,
    /// Duplicate shares dropped.
    pub duplicates: u64,
    /// Shares of mass objects not paired.
    pub mass_shares: u64,
    /// Co-shares added to edges.
    pub coshares: u64,
    /// Shares evicted from the held state.
    pub evicted_shares: u64,
    /// Edges dropped past the horizon.
    pub evicted_edges: u64,
    /// Co-shares of strong edges linking a flagged domain, beyond what one
    /// pass keeps as evidence ([`PENDING_DOMAIN_CAP`]): counted, not kept.
    #[serde(default)]
    pub domain_overflow: u64,
    /// Alerts raised.
    pub alerts: u64,
}

/// One held share: 24 bytes, no heap memory of its own (its post id is in
/// the engine's [`PostLog`]).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Held {
    time: i64,
    /// Where its post id is in the post log.
    post: u64,
    account: u32,
    /// 32 bits of the post id's hash: the first test for a repeated post.
    hash: u32,
}

/// An object with held shares, sorted by time (arrival order among equal
/// times). One share is held inline (most objects never hold more).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Object {
    name: Arc<str>,
    kind: u32,
    shares: SmallVec<[Held; 1]>,
}

/// The post ids of the held shares, appended in arrival order (a varint
/// length, then the bytes), addressed by a running offset. A share is held at
/// most `window + 2 × lateness` event seconds after it arrives, so the oldest
/// live id is never far behind the end: each sweep drops the dead front once
/// it is at least half the log.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct PostLog {
    /// Offset of `bytes[0]`.
    base: u64,
    bytes: Vec<u8>,
}

impl PostLog {
    fn push(&mut self, post: &str) -> u64 {
        let at = self.base + self.bytes.len() as u64;
        let mut n = post.len();
        while n >= 0x80 {
            self.bytes.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
        self.bytes.extend_from_slice(post.as_bytes());
        at
    }

    fn bytes_at(&self, at: u64) -> &[u8] {
        let mut i = (at - self.base) as usize;
        let (mut n, mut shift) = (0usize, 0);
        loop {
            let b = self.bytes[i];
            i += 1;
            n |= usize::from(b & 0x7f) << shift;
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        &self.bytes[i..i + n]
    }

    /// The evidence of a co-share of `object` by `early` and `late`
    /// (account, time, post offset in this log).
    fn evidence(&self, object: Arc<str>, kind: u32, early: (u32, i64, u64), late: (u32, i64, u64)) -> Evidence {
        Evidence {
            object,
            kind,
            early_account: early.0,
            early_post: self.get(early.2),
            early_time: early.1,
            late_account: late.0,
            late_post: self.get(late.2),
            late_time: late.1,
        }
    }

    fn get(&self, at: u64) -> Arc<str> {
        // Written from a `&str`: always UTF-8.
        String::from_utf8_lossy(self.bytes_at(at)).into()
    }

    fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }

    /// Forgets everything before `live` (the oldest offset still referred to)
    /// when that is at least half the log.
    fn trim(&mut self, live: u64) {
        let dead = (live - self.base) as usize;
        if dead > 0 && dead * 2 >= self.bytes.len() {
            self.bytes.drain(..dead);
            self.base = live;
            if self.bytes.capacity() > 4 * self.bytes.len().max(1 << 16) {
                self.bytes.shrink_to(2 * self.bytes.len());
            }
        }
    }
}

/// One edge.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EdgeState {
    weight: u32,
    /// Latest event time of its co-shares.
    last: i64,
    /// Strong (its alert was raised).
    alerted: bool,
    /// The latest co-shares (up to `evidence`), a ring once full.
    evidence: Vec<Evidence>,
}

/// Co-shares of strong edges linking flagged domains kept between passes.
pub const PENDING_DOMAIN_CAP: usize = 100_000;

/// Hosts whose verdicts are cached (the cache is emptied when full).
const VERDICT_CACHE: usize = 100_000;

/// A strong edge's co-share linking a flagged domain, waiting for the pass.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DomainPush {
    /// The registrable domain.
    domain: Arc<str>,
    /// The accounts, named (ids may be reused before the pass).
    early: Arc<str>,
    late: Arc<str>,
    coshare: Evidence,
}

/// A group found by the last pass.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Group {
    id: u64,
    members: Vec<Arc<str>>,
}

/// The engine's whole state (what a checkpoint holds).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Engine {
    params: LiveParams,
    /// Latest accepted event time (`i64::MIN`: none yet).
    max_time: i64,
    last_sweep: i64,
    last_edge_sweep: i64,
    last_pass: i64,
    threshold: u32,
    kinds: Vec<Arc<str>>,
    names: Vec<Option<Arc<str>>>,
    refs: Vec<u32>,
    free_accounts: Vec<u32>,
    #[serde(skip)]
    account_ids: HashMap<Arc<str>, u32, Hasher>,
    objects: Vec<Option<Object>>,
    free_objects: Vec<u32>,
    /// Object slots by (kind, name), hashed with [`object_hash`].
    #[serde(skip)]
    object_ids: HashTable<u32>,
    posts: PostLog,
    edges: HashMap<u64, EdgeState, Hasher>,
    groups: Vec<Group>,
    next_group: u64,
    next_alert: u64,
    /// Keys of the strong edges.
    strong: hashbrown::HashSet<u64, Hasher>,
    /// A strong edge appeared or went since the last pass.
    strong_changed: bool,
    /// Strong edges that appeared since the last pass (see [`Engine::update_groups`]).
    #[serde(skip)]
    new_strong: Vec<u64>,
    /// `groups` and `member_group` are those of `strong` minus `new_strong`
    /// (false after a strong edge went, and after a restore: the next pass
    /// then recomputes every group).
    #[serde(skip)]
    groups_exact: bool,
    /// Group id of every account in a group, by account id.
    #[serde(skip)]
    member_group: HashMap<u32, u64, Hasher>,
    /// Strong co-shares linking flagged domains since the last pass.
    domain_pushes: Vec<DomainPush>,
    /// (group, registrable domain) already alerted, for the groups alive.
    domain_alerted: std::collections::BTreeSet<(u64, Arc<str>)>,
    /// Classifies linked domains (none: no domain alerts). Not checkpointed:
    /// set again after a restart ([`Engine::set_classifier`]).
    #[serde(skip)]
    classifier: Option<Arc<Classifier>>,
    /// Flagged verdicts by host (`None`: not flagged), a cache.
    #[serde(skip)]
    verdicts: HashMap<Box<str>, Option<Arc<Classification>>, Hasher>,
    counters: Counters,
    #[serde(skip)]
    pending: Vec<Alert>,
    /// Scratch: the partners of the share being paired.
    #[serde(skip)]
    partners: Vec<(u32, i64, u64)>,
}

impl Engine {
    /// An empty engine (parameters are checked).
    pub fn new(params: LiveParams) -> crate::Result<Engine> {
        params.validate()?;
        Ok(Engine {
            threshold: params.min_weight,
            params,
            max_time: i64::MIN,
            last_sweep: i64::MIN,
            last_edge_sweep: i64::MIN,
            last_pass: i64::MIN,
            kinds: Vec::new(),
            names: Vec::new(),
            refs: Vec::new(),
            free_accounts: Vec::new(),
            account_ids: HashMap::with_hasher(Hasher::default()),
            objects: Vec::new(),
            free_objects: Vec::new(),
            object_ids: HashTable::new(),
            posts: PostLog::default(),
            edges: HashMap::with_hasher(Hasher::default()),
            groups: Vec::new(),
            next_group: 1,
            next_alert: 1,
            strong: hashbrown::HashSet::with_hasher(Hasher::default()),
            strong_changed: false,
            new_strong: Vec::new(),
            groups_exact: false,
            member_group: HashMap::with_hasher(Hasher::default()),
            domain_pushes: Vec::new(),
            domain_alerted: Default::default(),
            classifier: None,
            verdicts: HashMap::with_hasher(Hasher::default()),
            counters: Counters::default(),
            pending: Vec::new(),
            partners: Vec::new(),
        })
    }

    /// Classifies the domains that strong edges link (known operation
    /// domains, look-alikes of watched outlets): a group pushing a flagged
    /// domain raises a `domain` alert. `None` turns domain alerts off.
    pub fn set_classifier(&mut self, classifier: Option<Arc<Classifier>>) {
        self.classifier = classifier;
        self.verdicts.clear();
    }

    /// The parameters.
    pub fn params(&self) -> &LiveParams {
        &self.params
    }

    /// Running counts.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Latest accepted event time, if any.
    pub fn max_time(&self) -> Option<i64> {
        (self.max_time != i64::MIN).then_some(self.max_time)
    }

    /// The current strong-edge threshold.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// Sizes of the held state, for metrics: (held shares, objects, edges, named accounts).
    pub fn state_size(&self) -> StateSize {
        StateSize {
            // Every accepted share is held unless its object was a mass object, until evicted.
            held_shares: self.counters.accepted - self.counters.mass_shares - self.counters.evicted_shares,
            objects: self.object_ids.len() as u64,
            edges: self.edges.len() as u64,
            accounts: self.account_ids.len() as u64,
            groups: self.groups.len() as u64,
        }
    }

    /// Alerts raised since the last call.
    pub fn take_alerts(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.pending)
    }

    /// Rebuilds the lookup tables after deserialising.
    pub(crate) fn restore(mut self) -> Engine {
        let mut ids = HashMap::with_hasher(Hasher::default());
        for (id, name) in self.names.iter().enumerate() {
            if let Some(n) = name {
                ids.insert(n.clone(), id as u32);
            }
        }
        self.account_ids = ids;
        let mut objs = HashTable::new();
        let objects = &self.objects;
        let rehash = |&s: &u32| {
            let o = objects[s as usize].as_ref().expect("live slot");
            object_hash(o.kind, &o.name)
        };
        for (slot, o) in self.objects.iter().enumerate() {
            if let Some(o) = o {
                objs.insert_unique(object_hash(o.kind, &o.name), slot as u32, rehash);
            }
        }
        self.object_ids = objs;
        self
    }

    /// Offers every share of `ds` in order (a parsed chunk of records).
    pub fn push_dataset(&mut self, ds: &Dataset) {
        // The chunk's accounts resolved to engine ids, valid while their stamp
        // is the current epoch: a sweep may release ids (and they may be
        // reused), so it starts a new epoch instead of clearing the table.
        let mut account_of = vec![(u32::MAX, 0u32); ds.accounts.len()];
        let mut epoch = 1u32;
        let mut kind_of = vec![u32::MAX; ds.kinds.len()];
        for s in &ds.shares {
            let k = ds.object_kind[s.object as usize] as usize;
            if kind_of[k] == u32::MAX {
                kind_of[k] = self.kind_id(ds.kinds.get(k as u32));
            }
            let account = &mut account_of[s.account as usize];
            if account.1 != epoch {
                *account = (self.account_id(ds.accounts.get(s.account)), epoch);
            }
            let acc = account.0;
            self.push_share(acc, kind_of[k], ds.objects.get(s.object), ds.posts.get(s.post), s.time);
            // A share that was not held nor paired may have left the account unreferenced.
            if self.refs[acc as usize] == 0 {
                self.release_account(acc);
                account_of[s.account as usize].1 = 0;
            }
            if self.housekeeping() {
                // Accounts were released: their ids may be reused.
                epoch += 1;
            }
        }
    }

    /// Offers one share (convenience for embedders and tests).
    pub fn push(&mut self, account: &str, object: &str, kind: &str, post: &str, time: i64) -> Outcome {
        let k = self.kind_id(kind);
        let acc = self.account_id(account);
        let out = self.push_share(acc, k, object, post, time);
        if self.refs[acc as usize] == 0 {
            self.release_account(acc);
        }
        self.housekeeping();
        out
    }

    /// Sweeps and passes when due by event time (checked after every share, so
    /// the results depend only on the order of the shares, never on how they
    /// were cut into chunks). Returns whether a sweep ran.
    fn housekeeping(&mut self) -> bool {
        if self.max_time == i64::MIN {
            return false;
        }
        let span = i64::from(self.params.window) + i64::from(self.params.lateness);
        let mut swept = false;
        if self.last_sweep == i64::MIN {
            self.last_sweep = self.max_time;
        } else if self.max_time - self.last_sweep >= span.max(60) {
            self.sweep();
            swept = true;
        }
        if self.last_pass == i64::MIN {
            self.last_pass = self.max_time;
        } else if self.max_time - self.last_pass >= i64::from(self.params.pass_every.max(1)) {
            self.pass();
        }
        swept
    }

    fn kind_id(&mut self, kind: &str) -> u32 {
        match self.kinds.iter().position(|k| &**k == kind) {
            Some(i) => i as u32,
            None => {
                self.kinds.push(kind.into());
                (self.kinds.len() - 1) as u32
            }
        }
    }

    fn account_id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.account_ids.get(name) {
            return id;
        }
        let name: Arc<str> = name.into();
        let id = match self.free_accounts.pop() {
            Some(id) => {
                self.names[id as usize] = Some(name.clone());
                id
            }
            None => {
                self.names.push(Some(name.clone()));
                self.refs.push(0);
                (self.names.len() - 1) as u32
            }
        };
        self.account_ids.insert(name, id);
        id
    }

    fn release_account(&mut self, id: u32) {
        if let Some(name) = self.names[id as usize].take() {
            self.account_ids.remove(&name);
            self.free_accounts.push(id);
        }
    }

    fn push_share(&mut self, account: u32, kind: u32, object: &str, post: &str, time: i64) -> Outcome {
        self.counters.shares_in += 1;
        let lateness = i64::from(self.params.lateness);
        if self.max_time != i64::MIN && time < self.max_time - lateness {
            self.counters.late_shares += 1;
            return Outcome::Late;
        }
        self.max_time = self.max_time.max(time);
        let w = i64::from(self.params.window);
        let hash = object_hash(kind, object);
        let objects = &self.objects;
        let found = self.object_ids.find(hash, |&s| {
            let o = objects[s as usize].as_ref().expect("live slot");
            o.kind == kind && &*o.name == object
        });
        let slot = match found {
            Some(&s) => s,
            None => {
                let o = Object { kind, name: object.into(), shares: SmallVec::new() };
                let slot = match self.free_objects.pop() {
                    Some(s) => {
                        self.objects[s as usize] = Some(o);
                        s
                    }
                    None => {
                        self.objects.push(Some(o));
                        (self.objects.len() - 1) as u32
                    }
                };
                let objects = &self.objects;
                self.object_ids.insert_unique(hash, slot, |&s| {
                    let o = objects[s as usize].as_ref().expect("live slot");
                    object_hash(o.kind, &o.name)
                });
                slot
            }
        };
        let post_hash = Hasher::default().hash_one(post) as u32;
        let obj = self.objects[slot as usize].as_mut().expect("live slot");
        let lo = obj.shares.partition_point(|h| h.time < time - w);
        let at = obj.shares.partition_point(|h| h.time <= time);
        let hi = at + obj.shares[at..].iter().take_while(|h| h.time <= time + w).count();
        // A repeated post id of this object (identical record, or the same post
        // under another account or time) near it: dropped as `detect` drops it.
        let posts = &self.posts;
        if obj.shares[lo..hi].iter().any(|h| h.hash == post_hash && posts.bytes_at(h.post) == post.as_bytes()) {
            self.counters.duplicates += 1;
            return Outcome::Duplicate;
        }
        self.counters.accepted += 1;
        if obj.shares.len() >= self.params.max_object_shares {
            self.counters.mass_shares += 1;
            return Outcome::Mass;
        }
        let post = self.posts.push(post);
        let mut partners = std::mem::take(&mut self.partners);
        partners.clear();
        partners
            .extend(obj.shares[lo..hi].iter().filter(|h| h.account != account).map(|h| (h.account, h.time, h.post)));
        obj.shares.insert(at, Held { time, post, account, hash: post_hash });
        self.refs[account as usize] += 1;
        for &(other, t_other, other_post) in &partners {
            let (early, late) = if t_other <= time {
                ((other, t_other, other_post), (account, time, post))
            } else {
                ((account, time, post), (other, t_other, other_post))
            };
            self.add_coshare(slot, early, late, time);
        }
        self.partners = partners;
        Outcome::Accepted
    }

    /// Adds one co-share (accounts, times and post offsets of its two shares) to its edge.
    fn add_coshare(&mut self, slot: u32, early: (u32, i64, u64), late: (u32, i64, u64), arrival: i64) {
        self.counters.coshares += 1;
        let key = lockstep_pair_key(early.0, late.0);
        let cap = self.params.evidence;
        let threshold = self.threshold;
        let e = match self.edges.entry(key) {
            hashbrown::hash_map::Entry::Occupied(o) => o.into_mut(),
            hashbrown::hash_map::Entry::Vacant(v) => {
                self.refs[early.0 as usize] += 1;
                self.refs[late.0 as usize] += 1;
                v.insert(EdgeState { weight: 0, last: i64::MIN, alerted: false, evidence: Vec::new() })
            }
        };
        e.weight += 1;
        e.last = e.last.max(late.1);
        let was_strong = e.alerted;
        if !e.alerted && cap > 0 {
            let o = self.objects[slot as usize].as_ref().expect("live slot");
            let ev = self.posts.evidence(o.name.clone(), o.kind, early, late);
            if e.evidence.len() < cap {
                // Grown one by one: most edges never hold more than one or two.
                e.evidence.reserve_exact(1);
                e.evidence.push(ev);
            } else {
                let i = (e.weight as usize - 1) % cap;
                e.evidence[i] = ev;
            }
        }
        if !e.alerted && e.weight >= threshold {
            e.alerted = true;
            self.strong_changed = true;
            self.strong.insert(key);
            self.new_strong.push(key);
            let weight = e.weight;
            let mut evidence = std::mem::take(&mut e.evidence);
            evidence.sort_by_key(|x| (x.late_time, x.early_time));
            if self.classifier.is_some() {
                // The co-shares that made it strong may already link a flagged domain.
                if evidence.is_empty() {
                    self.note_domain(slot, early, late);
                }
                for ev in &evidence {
                    self.note_evidence(ev.clone());
                }
            }
            let body = self.edge_alert(key, weight, evidence);
            self.raise(arrival, body);
        } else if was_strong && self.classifier.is_some() {
            self.note_domain(slot, early, late);
        }
    }

    /// The verdict on a link object's host, when it is flagged (cached by host).
    fn flagged(&mut self, kind: u32, object: &str) -> Option<Arc<Classification>> {
        let classifier = self.classifier.as_ref()?;
        if !lockstep_domains::LINK_KINDS.contains(&&*self.kinds[kind as usize]) {
            return None;
        }
        let host = lockstep_domains::host_of(object);
        if let Some(v) = self.verdicts.get(host.as_str()) {
            return v.clone();
        }
        let c = classifier.classify(&host);
        let v = matches!(c.class, Class::Known | Class::LookAlike).then(|| Arc::new(c));
        if self.verdicts.len() >= VERDICT_CACHE {
            self.verdicts.clear();
        }
        self.verdicts.insert(host.into_boxed_str(), v.clone());
        v
    }

    /// A strong edge's co-share on object `slot`: kept for the pass when it links a flagged domain.
    fn note_domain(&mut self, slot: u32, early: (u32, i64, u64), late: (u32, i64, u64)) {
        let o = self.objects[slot as usize].as_ref().expect("live slot");
        let (kind, name) = (o.kind, o.name.clone());
        if self.flagged(kind, &name).is_none() {
            return;
        }
        let ev = self.posts.evidence(name, kind, early, late);
        self.note_evidence(ev);
    }

    fn note_evidence(&mut self, ev: Evidence) {
        let Some(v) = self.flagged(ev.kind, &ev.object) else { return };
        if self.domain_pushes.len() >= PENDING_DOMAIN_CAP {
            self.counters.domain_overflow += 1;
            return;
        }
        let (early, late) = (self.name(ev.early_account), self.name(ev.late_account));
        self.domain_pushes.push(DomainPush { domain: v.registrable.as_str().into(), early, late, coshare: ev });
    }

    /// One alert per (group, flagged domain) not alerted before, from the
    /// strong co-shares since the last pass.
    fn domain_alerts(&mut self) {
        let pushes = std::mem::take(&mut self.domain_pushes);
        let mut group_of: HashMap<&str, usize, Hasher> = HashMap::with_hasher(Hasher::default());
        for (i, g) in self.groups.iter().enumerate() {
            for m in &g.members {
                group_of.insert(m, i);
            }
        }
        let mut by: BTreeMap<(u64, Arc<str>), (usize, Vec<DomainPush>)> = BTreeMap::new();
        for p in pushes {
            // Both accounts of a strong edge are in one group (unless the edge went since).
            let Some(&g) = group_of.get(&*p.early) else { continue };
            let id = self.groups[g].id;
            if self.domain_alerted.contains(&(id, p.domain.clone())) {
                continue;
            }
            by.entry((id, p.domain.clone())).or_insert_with(|| (g, Vec::new())).1.push(p);
        }
        drop(group_of);
        for ((id, domain), (g, mut pushes)) in by {
            pushes.sort_by(|x, y| {
                (x.coshare.late_time, x.coshare.early_time, &x.early, &x.late).cmp(&(
                    y.coshare.late_time,
                    y.coshare.early_time,
                    &y.early,
                    &y.late,
                ))
            });
            let first = &pushes[0].coshare;
            let Some(v) = self.flagged(first.kind, &first.object) else { continue };
            let mut accounts: Vec<Arc<str>> = pushes.iter().flat_map(|p| [p.early.clone(), p.late.clone()]).collect();
            accounts.sort();
            accounts.dedup();
            let coshares = pushes.len() as u64;
            let evidence = pushes
                .into_iter()
                .take(self.params.evidence.max(1))
                .map(|p| {
                    let kind = self.kinds[p.coshare.kind as usize].clone();
                    p.coshare.named(kind, p.early, p.late)
                })
                .collect();
            self.domain_alerted.insert((id, domain.clone()));
            let body = AlertBody::Domain {
                domain: domain.to_string(),
                verdict: v.class.as_str(),
                outlet: v.outlet.clone(),
                outlet_domain: v.outlet_domain.clone(),
                technique: v.technique.clone(),
                score: v.score,
                operation: v.operation.clone(),
                why: v.why.clone(),
                group: id,
                members: self.groups[g].members.clone(),
                accounts,
                coshares,
                evidence,
            };
            self.raise(self.max_time, body);
        }
    }

    fn edge_alert(&self, key: u64, weight: u32, evidence: Vec<Evidence>) -> AlertBody {
        let (a, b) = unpair(key);
        let (na, nb) = (self.name(a), self.name(b));
        let (na, nb) = if na <= nb { (na, nb) } else { (nb, na) };
        let evidence = evidence
            .into_iter()
            .map(|ev| {
                let (x, y) = (self.name(ev.early_account), self.name(ev.late_account));
                let kind = self.kinds[ev.kind as usize].clone();
                ev.named(kind, x, y)
            })
            .collect();
        AlertBody::Edge { accounts: [na, nb], weight, threshold: self.threshold, evidence }
    }

    fn name(&self, id: u32) -> Arc<str> {
        self.names[id as usize].clone().expect("referenced account is named")
    }

    fn raise(&mut self, event_time: i64, body: AlertBody) {
        let id = self.next_alert;
        self.next_alert += 1;
        self.counters.alerts += 1;
        self.pending.push(Alert { id, event_time, body });
    }

    /// Evicts held shares that can no longer pair and edges past the horizon.
    pub fn sweep(&mut self) {
        if self.max_time == i64::MIN {
            return;
        }
        self.last_sweep = self.max_time;
        let cutoff = self.max_time - i64::from(self.params.lateness) - i64::from(self.params.window);
        let mut released: Vec<u32> = Vec::new();
        let mut live = self.posts.end();
        for slot in 0..self.objects.len() {
            let Some(o) = self.objects[slot].as_mut() else { continue };
            let gone = o.shares.partition_point(|h| h.time < cutoff);
            for h in o.shares.drain(..gone) {
                self.counters.evicted_shares += 1;
                let r = &mut self.refs[h.account as usize];
                *r -= 1;
                if *r == 0 {
                    released.push(h.account);
                }
            }
            if o.shares.is_empty() {
                let o = self.objects[slot].take().expect("checked");
                let hash = object_hash(o.kind, &o.name);
                if let Ok(entry) = self.object_ids.find_entry(hash, |&s| s as usize == slot) {
                    entry.remove();
                }
                self.free_objects.push(slot as u32);
            } else {
                if o.shares.spilled() && o.shares.capacity() > 4 * o.shares.len() {
                    o.shares.shrink_to_fit();
                }
                live = o.shares.iter().fold(live, |m, h| m.min(h.post));
            }
        }
        self.posts.trim(live);
        let edges_due = self.params.horizon.is_some_and(|h| {
            self.max_time.saturating_sub(self.last_edge_sweep) >= i64::try_from(h / 16).unwrap_or(i64::MAX).max(60)
        });
        if let (Some(h), true) = (self.params.horizon, edges_due) {
            self.last_edge_sweep = self.max_time;
            let edge_cutoff = self.max_time.saturating_sub(i64::try_from(h).unwrap_or(i64::MAX));
            let refs = &mut self.refs;
            let counters = &mut self.counters;
            let strong_changed = &mut self.strong_changed;
            let strong = &mut self.strong;
            let groups_exact = &mut self.groups_exact;
            self.edges.retain(|&key, e| {
                if e.last >= edge_cutoff {
                    return true;
                }
                counters.evicted_edges += 1;
                if e.alerted {
                    *strong_changed = true;
                    *groups_exact = false;
                    strong.remove(&key);
                }
                let (a, b) = unpair(key);
                for x in [a, b] {
                    refs[x as usize] -= 1;
                    if refs[x as usize] == 0 {
                        released.push(x);
                    }
                }
                false
            });
        }
        for a in released {
            if self.refs[a as usize] == 0 {
                self.release_account(a);
            }
        }
    }

    /// The periodic pass: the quantile threshold (when asked for), then the
    /// groups, with an alert per group formed or grown.
    pub fn pass(&mut self) {
        self.last_pass = self.max_time;
        if let Some(q) = self.params.edge_quantile {
            let mut counts: Vec<u64> = Vec::new();
            for e in self.edges.values() {
                let w = e.weight as usize;
                if counts.len() <= w {
                    counts.resize(w + 1, 0);
                }
                counts[w] += 1;
            }
            let above =
                lockstep_detect::quantile::quantile_type7_counts(&counts, q).map_or(0, |v| v.floor() as u32 + 1);
            self.threshold = self.params.min_weight.max(above);
            // Edges now strong raise their alert in this pass.
            let threshold = self.threshold;
            let newly: Vec<u64> =
                self.edges.iter().filter(|(_, e)| !e.alerted && e.weight >= threshold).map(|(&k, _)| k).collect();
            let mut newly = newly;
            newly.sort_unstable_by_key(|&k| self.pair_names(k));
            for k in newly {
                let e = self.edges.get_mut(&k).expect("listed");
                e.alerted = true;
                self.strong_changed = true;
                self.strong.insert(k);
                self.new_strong.push(k);
                let (w, mut ev) = (e.weight, std::mem::take(&mut e.evidence));
                ev.sort_by_key(|x| (x.late_time, x.early_time));
                let body = self.edge_alert(k, w, ev);
                self.raise(self.max_time, body);
            }
        }
        // Groups change only when a strong edge appears or goes.
        if std::mem::take(&mut self.strong_changed) {
            self.update_groups();
        }
        if !self.domain_pushes.is_empty() {
            self.domain_alerts();
        }
    }

    fn pair_names(&self, key: u64) -> (Arc<str>, Arc<str>) {
        let (a, b) = unpair(key);
        let (x, y) = (self.name(a), self.name(b));
        if x <= y {
            (x, y)
        } else {
            (y, x)
        }
    }

    /// Connected components of the strong edges, matched to the previous
    /// groups: each group formed or grown raises an alert.
    ///
    /// While strong edges only appear, a group can only grow or merge with
    /// others, so only the components the new strong edges touch are
    /// recomputed ([`Engine::update_groups_added`]); once one went, every
    /// group is ([`Engine::update_groups_all`]). Both give the same groups,
    /// ids and alerts.
    fn update_groups(&mut self) {
        let added = std::mem::take(&mut self.new_strong);
        if self.groups_exact {
            self.update_groups_added(&added);
        } else {
            self.update_groups_all();
            self.groups_exact = true;
        }
    }

    /// Every group recomputed from the strong edges.
    fn update_groups_all(&mut self) {
        let strong: Vec<(u64, u32)> = self.strong.iter().map(|&k| (k, self.edges[&k].weight)).collect();
        // Union-find over account ids.
        let mut parent: HashMap<u32, u32, Hasher> = HashMap::with_hasher(Hasher::default());
        for &(k, _) in &strong {
            let (a, b) = unpair(k);
            parent.entry(a).or_insert(a);
            parent.entry(b).or_insert(b);
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent.insert(ra.max(rb), ra.min(rb));
            }
        }
        let mut comps: BTreeMap<u32, (Vec<Arc<str>>, Vec<EdgeRef>)> = BTreeMap::new();
        let accounts: Vec<u32> = parent.keys().copied().collect();
        for a in accounts {
            let r = find(&mut parent, a);
            comps.entry(r).or_default().0.push(self.name(a));
        }
        for &(k, w) in &strong {
            let r = find(&mut parent, unpair(k).0);
            let (x, y) = self.pair_names(k);
            comps.get_mut(&r).expect("component").1.push(EdgeRef { a: x, b: y, weight: w });
        }
        let mut comps: Vec<(Vec<Arc<str>>, Vec<EdgeRef>)> = comps.into_values().collect();
        for (m, _) in &mut comps {
            m.sort();
        }
        comps.sort_by(|x, y| x.0.cmp(&y.0));
        // Previous group of every member.
        let mut prev_of: HashMap<Arc<str>, usize, Hasher> = HashMap::with_hasher(Hasher::default());
        for (i, g) in self.groups.iter().enumerate() {
            for m in &g.members {
                prev_of.insert(m.clone(), i);
            }
        }
        let mut taken = vec![false; self.groups.len()];
        let mut next_groups = Vec::with_capacity(comps.len());
        let mut alerts = Vec::new();
        for (members, edges) in comps {
            // The previous group holding most of these members (lowest id on ties) keeps its id.
            let mut overlap: BTreeMap<usize, usize> = BTreeMap::new();
            for m in &members {
                if let Some(&i) = prev_of.get(m) {
                    *overlap.entry(i).or_default() += 1;
                }
            }
            let best = overlap
                .iter()
                .filter(|(i, _)| !taken[**i])
                .max_by(|x, y| x.1.cmp(y.1).then(self.groups[*y.0].id.cmp(&self.groups[*x.0].id)))
                .map(|(&i, _)| i);
            if let Some(i) = best {
                taken[i] = true;
            }
            let (id, alert) = self.group_change(&members, best, edges);
            alerts.extend(alert);
            next_groups.push(Group { id, members });
        }
        self.groups = next_groups;
        self.member_group.clear();
        for g in &self.groups {
            for m in &g.members {
                self.member_group.insert(self.account_ids[m], g.id);
            }
        }
        // Domain alerts of groups that are gone are forgotten.
        let alive: hashbrown::HashSet<u64, Hasher> = self.groups.iter().map(|g| g.id).collect();
        self.domain_alerted.retain(|(g, _)| alive.contains(g));
        for body in alerts {
            self.raise(self.max_time, body);
        }
    }

    /// The id of a group of (sorted) `members` that continues the old group
    /// `old` (or a new id), and its alert when it formed or gained members,
    /// with its `edges` strongest first. Both group passes use it.
    fn group_change(
        &mut self,
        members: &[Arc<str>],
        old: Option<usize>,
        mut edges: Vec<EdgeRef>,
    ) -> (u64, Option<AlertBody>) {
        let (id, new_members, formed) = match old {
            Some(i) => {
                let old = &self.groups[i].members;
                let new: Vec<Arc<str>> = members.iter().filter(|m| old.binary_search(m).is_err()).cloned().collect();
                (self.groups[i].id, new, false)
            }
            None => {
                let id = self.next_group;
                self.next_group += 1;
                (id, members.to_vec(), true)
            }
        };
        if new_members.is_empty() {
            return (id, None);
        }
        edges.sort_by(|x, y| y.weight.cmp(&x.weight).then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b))));
        let total: u64 = edges.iter().map(|e| u64::from(e.weight)).sum();
        let n_edges = edges.len() as u64;
        edges.truncate(self.params.evidence.max(1));
        let alert = AlertBody::Group {
            change: if formed { "formed" } else { "grew" },
            group: id,
            members: members.to_vec(),
            new_members,
            edges: n_edges,
            weight: total,
            threshold: self.threshold,
            strongest: edges,
        };
        (id, Some(alert))
    }

    /// The groups after strong edges `added` appeared (and none went): the
    /// components they touch are the old groups and new accounts they join.
    fn update_groups_added(&mut self, added: &[u64]) {
        const GROUP: u64 = 1 << 63;
        // Union-find over nodes: an account in no group, or a whole old group (GROUP | id).
        let mut parent: HashMap<u64, u64, Hasher> = HashMap::with_hasher(Hasher::default());
        let member_group = &self.member_group;
        let node = |a: u32| member_group.get(&a).map_or(u64::from(a), |&g| GROUP | g);
        for &k in added {
            if !self.strong.contains(&k) {
                continue;
            }
            let (a, b) = unpair(k);
            let (na, nb) = (node(a), node(b));
            parent.entry(na).or_insert(na);
            parent.entry(nb).or_insert(nb);
            let (ra, rb) = (find(&mut parent, na), find(&mut parent, nb));
            if ra != rb {
                parent.insert(ra.max(rb), ra.min(rb));
            }
        }
        // Components by root: (old group ids, new account ids).
        let mut comps: BTreeMap<u64, (Vec<u64>, Vec<u32>)> = BTreeMap::new();
        let nodes: Vec<u64> = parent.keys().copied().collect();
        for n in nodes {
            let r = find(&mut parent, n);
            let c = comps.entry(r).or_default();
            if n & GROUP != 0 {
                c.0.push(n & !GROUP);
            } else {
                c.1.push(n as u32);
            }
        }
        comps.retain(|_, (old, new)| !(old.len() == 1 && new.is_empty()));
        if comps.is_empty() {
            return;
        }
        let index_of: HashMap<u64, usize, Hasher> = self.groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
        // Members, and the old group keeping its id (most members, lowest id on ties).
        // (root, members, the old group keeping its id, strong edges).
        type Changed = (u64, Vec<Arc<str>>, Option<usize>, Vec<EdgeRef>);
        let mut changed: Vec<Changed> = comps
            .iter()
            .map(|(&root, (old, new))| {
                let mut members: Vec<Arc<str>> = new.iter().map(|&a| self.name(a)).collect();
                let mut best: Option<usize> = None;
                for id in old {
                    let i = index_of[id];
                    members.extend(self.groups[i].members.iter().cloned());
                    let better = best.is_none_or(|b| {
                        let (gi, gb) = (&self.groups[i], &self.groups[b]);
                        (gi.members.len(), std::cmp::Reverse(gi.id)) > (gb.members.len(), std::cmp::Reverse(gb.id))
                    });
                    if better {
                        best = Some(i);
                    }
                }
                members.sort();
                (root, members, best, Vec::new())
            })
            .collect();
        let slot: HashMap<u64, usize, Hasher> = changed.iter().enumerate().map(|(i, c)| (c.0, i)).collect();
        let strong: Vec<u64> = self.strong.iter().copied().collect();
        for k in strong {
            let n = node(unpair(k).0);
            if !parent.contains_key(&n) {
                continue;
            }
            let r = find(&mut parent, n);
            if let Some(&i) = slot.get(&r) {
                let (x, y) = self.pair_names(k);
                changed[i].3.push(EdgeRef { a: x, b: y, weight: self.edges[&k].weight });
            }
        }
        changed.sort_by(|x, y| x.1.cmp(&y.1));
        let mut gone: hashbrown::HashSet<u64, Hasher> = hashbrown::HashSet::with_hasher(Hasher::default());
        for (old, _) in comps.values() {
            gone.extend(old.iter().copied());
        }
        let mut alerts = Vec::new();
        let mut next_groups = Vec::with_capacity(changed.len());
        for (_, members, best, edges) in changed {
            let (id, alert) = self.group_change(&members, best, edges);
            alerts.extend(alert);
            for m in &members {
                self.member_group.insert(self.account_ids[m], id);
            }
            next_groups.push(Group { id, members });
        }
        self.groups.retain(|g| !gone.contains(&g.id));
        self.groups.extend(next_groups);
        self.groups.sort_by(|x, y| x.members.cmp(&y.members));
        let alive: hashbrown::HashSet<u64, Hasher> = self.groups.iter().map(|g| g.id).collect();
        self.domain_alerted.retain(|(g, _)| alive.contains(g));
        for body in alerts {
            self.raise(self.max_time, body);
        }
    }

    /// Every edge's weight by account names (smaller name first), sorted.
    pub fn edge_weights(&self) -> BTreeMap<(String, String), u32> {
        self.edges
            .iter()
            .map(|(&k, e)| {
                let (a, b) = self.pair_names(k);
                ((a.to_string(), b.to_string()), e.weight)
            })
            .collect()
    }

    /// The current groups: id and sorted member names.
    pub fn groups(&self) -> Vec<(u64, Vec<String>)> {
        self.groups.iter().map(|g| (g.id, g.members.iter().map(|m| m.to_string()).collect())).collect()
    }
}

/// Sizes of the held state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StateSize {
    /// Shares held for pairing.
    pub held_shares: u64,
    /// Objects with held shares.
    pub objects: u64,
    /// Edges.
    pub edges: u64,
    /// Accounts named (referred to by a held share or an edge).
    pub accounts: u64,
    /// Groups found by the last pass.
    pub groups: u64,
}

fn object_hash(kind: u32, name: &str) -> u64 {
    let mut h = Hasher::default().build_hasher();
    h.write_u32(kind);
    h.write(name.as_bytes());
    h.finish()
}

fn lockstep_pair_key(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

fn unpair(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

/// The root of `x` in the union-find `p` (a node absent from `p` is its own
/// root), compressing the path.
fn find<K: Copy + Eq + std::hash::Hash>(p: &mut HashMap<K, K, Hasher>, x: K) -> K {
    let mut r = x;
    while let Some(&q) = p.get(&r) {
        if q == r {
            break;
        }
        r = q;
    }
    let mut c = x;
    while c != r {
        let n = p[&c];
        p.insert(c, r);
        c = n;
    }
    r
}
#[cfg(test)]
mod tests {
    use super::*;

    fn engine(window: u32, lateness: u32, min_weight: u32) -> Engine {
        Engine::new(LiveParams { window, lateness, min_weight, pass_every: 1, ..LiveParams::default() }).unwrap()
    }

    #[test]
    fn pairs_within_the_window_in_any_order() {
        let mut e = engine(10, 100, 2);
        assert_eq!(e.push("b", "#x", "hashtag", "p2", 1005), Outcome::Accepted);
        assert_eq!(e.push("a", "#x", "hashtag", "p1", 1000), Outcome::Accepted);
        assert_eq!(e.push("c", "#x", "hashtag", "p3", 1011), Outcome::Accepted); // pairs with b only
        assert_eq!(e.push("a", "#x", "url", "p4", 1000), Outcome::Accepted); // another kind: another object
        let w = e.edge_weights();
        assert_eq!(w.get(&("a".into(), "b".into())), Some(&1));
        assert_eq!(w.get(&("b".into(), "c".into())), Some(&1));
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn late_and_duplicate_shares_are_counted_not_paired() {
        let mut e = engine(10, 5, 2);
        e.push("a", "#x", "hashtag", "p1", 1000);
        e.push("b", "#x", "hashtag", "p2", 1020);
        assert_eq!(e.push("c", "#x", "hashtag", "p3", 1014), Outcome::Late);
        assert_eq!(e.push("c", "#x", "hashtag", "p2", 1020), Outcome::Duplicate);
        assert_eq!(e.push("c", "#x", "hashtag", "p4", 1015), Outcome::Accepted);
        let c = e.counters();
        assert_eq!((c.shares_in, c.accepted, c.late_shares, c.duplicates, c.coshares), (5, 3, 1, 1, 1));
    }

    #[test]
    fn an_edge_alerts_once_when_it_crosses_and_groups_form_and_grow() {
        let mut e = engine(10, 0, 2);
        for (i, t) in [1000, 2000, 3000].into_iter().enumerate() {
            e.push("a", &format!("u{i}"), "url", &format!("a{i}"), t);
            e.push("b", &format!("u{i}"), "url", &format!("b{i}"), t + 1);
        }
        let alerts = e.take_alerts();
        let kinds: Vec<&str> = alerts.iter().map(|a| a.body.name()).collect();
        assert_eq!(kinds, ["edge", "group"]);
        let AlertBody::Edge { weight, evidence, .. } = &alerts[0].body else { panic!() };
        assert_eq!((*weight, evidence.len()), (2, 2));
        // c joins: one edge alert, one "grew" alert, nothing for a-b again.
        for (i, t) in [4000, 5000].into_iter().enumerate() {
            e.push("a", &format!("v{i}"), "url", &format!("a{i}v"), t);
            e.push("c", &format!("v{i}"), "url", &format!("c{i}v"), t + 2);
        }
        let alerts = e.take_alerts();
        let kinds: Vec<&str> = alerts.iter().map(|a| a.body.name()).collect();
        assert_eq!(kinds, ["edge", "group"]);
        let AlertBody::Group { change, new_members, group, .. } = &alerts[1].body else { panic!() };
        assert_eq!((*change, *group), ("grew", 1));
        assert_eq!(new_members.iter().map(|m| &**m).collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn state_is_evicted_and_accounts_released() {
        let mut e =
            Engine::new(LiveParams { window: 10, lateness: 0, horizon: Some(100), ..LiveParams::default() }).unwrap();
        e.push("a", "#x", "hashtag", "p1", 1000);
        e.push("b", "#x", "hashtag", "p2", 1001);
        e.sweep();
        assert_eq!(e.state_size().held_shares, 2);
        e.push("z", "#y", "hashtag", "p3", 1200);
        e.sweep();
        let s = e.state_size();
        assert_eq!((s.held_shares, s.objects, s.edges, s.accounts), (1, 1, 0, 1));
        assert_eq!(e.counters().evicted_edges, 1);
        // Ids are reused.
        e.push("q", "#y", "hashtag", "p4", 1201);
        assert!(e.names.len() <= 3);
    }

    #[test]
    fn the_held_share_count_is_kept_without_walking_the_objects() {
        let mut e = Engine::new(LiveParams {
            window: 5,
            lateness: 3,
            max_object_shares: 3,
            horizon: Some(50),
            ..LiveParams::default()
        })
        .unwrap();
        let mut x = 7u64;
        for i in 0..5_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Late shares, repeated posts, mass objects (four accounts on a few objects) and sweeps.
            let t = 1_000 + (i / 4) as i64 - (x % 6) as i64;
            let post = format!("p{}", if x.is_multiple_of(9) { i - 1 } else { i });
            e.push(&format!("a{}", x % 4), &format!("#t{}", (x >> 8) % 5), "hashtag", &post, t);
            let walked: u64 = e.objects.iter().flatten().map(|o| o.shares.len() as u64).sum();
            assert_eq!(e.state_size().held_shares, walked, "after share {i}");
        }
        let c = e.counters();
        assert!(c.late_shares > 0 && c.duplicates > 0 && c.mass_shares > 0 && c.evicted_shares > 0, "{c:?}");
    }

    #[test]
    fn groups_updated_for_new_strong_edges_equal_groups_recomputed() {
        for horizon in [None, Some(400)] {
            let params = LiveParams { window: 10, lateness: 5, min_weight: 2, horizon, ..LiveParams::default() };
            let (mut inc, mut full) = (Engine::new(params.clone()).unwrap(), Engine::new(params).unwrap());
            let mut x = 11u64;
            let (mut groups_seen, mut strong_went) = (0, false);
            for i in 0..20_000u64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // 60 accounts on 40 hashtags: groups form, grow and merge; a new cohort of
                // accounts every 5,000 shares, so the old strong edges go past a horizon.
                let acc = format!("a{}", x % 60 + 60 * (i / 5_000));
                let (obj, t) = (format!("#t{}", (x >> 8) % 40), 1_000 + (i / 6) as i64);
                let strong = inc.strong.len();
                full.groups_exact = false;
                for e in [&mut inc, &mut full] {
                    e.push(&acc, &obj, "hashtag", &format!("p{i}"), t);
                }
                let (a, b) = (inc.take_alerts(), full.take_alerts());
                assert_eq!(
                    a.iter().map(Alert::to_json).collect::<Vec<_>>(),
                    b.iter().map(Alert::to_json).collect::<Vec<_>>(),
                    "share {i}"
                );
                assert_eq!(inc.groups(), full.groups(), "share {i}");
                groups_seen = groups_seen.max(inc.groups().len());
                strong_went |= inc.strong.len() < strong;
            }
            assert!(groups_seen > 1 && inc.counters().alerts > 10, "{groups_seen} {:?}", inc.counters());
            assert_eq!(strong_went, horizon.is_some());
        }
    }

    fn classifier() -> Option<Arc<Classifier>> {
        use lockstep_domains::{Feed, Matcher, Watchlist};
        Some(Arc::new(Classifier::new(Feed::new(), Matcher::new(Watchlist::builtin()))))
    }

    #[test]
    fn a_group_pushing_a_look_alike_domain_alerts_once_per_group_and_domain() {
        let mut e = engine(10, 0, 3);
        e.set_classifier(classifier());
        // a and b become strong on ordinary links: no domain alert.
        for (i, t) in [1000, 2000, 3000].into_iter().enumerate() {
            e.push("a", &format!("https://example.org/{i}"), "url", &format!("a{i}"), t);
            e.push("b", &format!("https://example.org/{i}"), "url", &format!("b{i}"), t + 1);
        }
        let kinds: Vec<&str> = e.take_alerts().iter().map(|a| a.body.name()).collect();
        assert_eq!(kinds, ["edge", "group"]);
        // Then they push a look-alike of spiegel.de, twice: one alert.
        for (i, t) in [4000, 5000].into_iter().enumerate() {
            e.push("a", &format!("https://www.spiegel.ltd/p/{i}"), "url", &format!("a{i}s"), t);
            e.push("b", &format!("https://www.spiegel.ltd/p/{i}"), "url", &format!("b{i}s"), t + 2);
        }
        // A clean domain and the outlet's own: nothing.
        e.push("a", "https://www.spiegel.de/x", "url", "a-real", 6000);
        e.push("b", "https://www.spiegel.de/x", "url", "b-real", 6001);
        e.push("z", "https://bild.vip/x", "url", "z1", 6500); // one account, no co-share
        e.push("q", "https://bild.vip/x", "url", "q1", 6501); // a weak edge: nothing
        e.push("z", "https://last.example/", "url", "z2", 9000);
        let alerts = e.take_alerts();
        let domains: Vec<&AlertBody> = alerts.iter().map(|a| &a.body).filter(|b| b.name() == "domain").collect();
        assert_eq!(domains.len(), 1, "{alerts:?}");
        let AlertBody::Domain { domain, verdict, outlet_domain, group, accounts, coshares, evidence, why, .. } =
            domains[0]
        else {
            panic!()
        };
        assert_eq!((domain.as_str(), *verdict, outlet_domain.as_str()), ("spiegel.ltd", "look-alike", "spiegel.de"));
        assert_eq!((*group, *coshares, evidence.len()), (1, 1, 1));
        assert_eq!(accounts.iter().map(|a| &**a).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(&*evidence[0].object, "https://www.spiegel.ltd/p/0");
        assert!(!why.is_empty());
        let json = alerts.iter().find(|a| a.body.name() == "domain").unwrap().to_json();
        assert!(json.contains(r#""alert":"domain","domain":"spiegel.ltd","verdict":"look-alike""#), "{json}");
    }

    #[test]
    fn an_edge_made_strong_by_look_alike_links_alerts_for_its_group() {
        let mut e = engine(10, 0, 2);
        e.set_classifier(classifier());
        for (i, t) in [1000, 2000].into_iter().enumerate() {
            e.push("a", &format!("https://washingtonpost.pm/{i}"), "url", &format!("a{i}"), t);
            e.push("b", &format!("https://washingtonpost.pm/{i}"), "url", &format!("b{i}"), t + 1);
        }
        e.push("z", "https://last.example/", "url", "z", 3000);
        let alerts = e.take_alerts();
        let kinds: Vec<&str> = alerts.iter().map(|a| a.body.name()).collect();
        assert_eq!(kinds, ["edge", "group", "domain"]);
        let AlertBody::Domain { coshares, domain, .. } = &alerts[2].body else { panic!() };
        assert_eq!((domain.as_str(), *coshares), ("washingtonpost.pm", 2));
        // Without a classifier: no domain alert.
        let mut e = engine(10, 0, 2);
        for (i, t) in [1000, 2000].into_iter().enumerate() {
            e.push("a", &format!("https://washingtonpost.pm/{i}"), "url", &format!("a{i}"), t);
            e.push("b", &format!("https://washingtonpost.pm/{i}"), "url", &format!("b{i}"), t + 1);
        }
        e.push("z", "https://last.example/", "url", "z", 3000);
        assert!(e.take_alerts().iter().all(|a| a.body.name() != "domain"));
    }

    #[test]
    fn post_ids_live_in_a_log_trimmed_as_shares_go() {
        let mut e =
            Engine::new(LiveParams { window: 10, lateness: 0, horizon: Some(100), ..LiveParams::default() }).unwrap();
        for i in 0..10_000i64 {
            e.push(&format!("u{}", i % 50), &format!("#t{}", i % 7), "hashtag", &format!("post-{i}"), 1000 + i);
        }
        // Only the last 10 s of shares are held; the log holds at most about twice their ids.
        let held = e.state_size().held_shares;
        assert!(held <= 11 * 7, "{held}");
        assert!(e.posts.bytes.len() < 4 * 1024, "{}", e.posts.bytes.len());
        // A repeated post id is still found through the log.
        assert_eq!(e.push("u1", "#t0", "hashtag", "post-9996", 10_999), Outcome::Duplicate);
        assert_eq!(e.push("u1", "#t0", "hashtag", &"long".repeat(100), 10_999), Outcome::Accepted);
        assert_eq!(e.push("u2", "#t0", "hashtag", &"long".repeat(100), 10_999), Outcome::Duplicate);
    }
}
