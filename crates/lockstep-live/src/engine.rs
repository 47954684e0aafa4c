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
use hashbrown::HashMap;
use lockstep_core::Dataset;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;
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
    /// Alerts raised.
    pub alerts: u64,
}

/// One held share.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Held {
    time: i64,
    account: u32,
    post_hash: u64,
    post: Arc<str>,
}

/// An object with held shares, sorted by time (arrival order among equal times).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Object {
    kind: u32,
    name: Arc<str>,
    shares: VecDeque<Held>,
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
    #[serde(skip)]
    object_ids: HashMap<Box<[u8]>, u32, Hasher>,
    edges: HashMap<u64, EdgeState, Hasher>,
    groups: Vec<Group>,
    next_group: u64,
    next_alert: u64,
    /// Keys of the strong edges.
    strong: hashbrown::HashSet<u64, Hasher>,
    /// A strong edge appeared or went since the last pass.
    strong_changed: bool,
    counters: Counters,
    #[serde(skip)]
    pending: Vec<Alert>,
    #[serde(skip)]
    key: Vec<u8>,
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
            object_ids: HashMap::with_hasher(Hasher::default()),
            edges: HashMap::with_hasher(Hasher::default()),
            groups: Vec::new(),
            next_group: 1,
            next_alert: 1,
            strong: hashbrown::HashSet::with_hasher(Hasher::default()),
            strong_changed: false,
            counters: Counters::default(),
            pending: Vec::new(),
            key: Vec::new(),
        })
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
            held_shares: self.objects.iter().flatten().map(|o| o.shares.len() as u64).sum(),
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
        let mut objs = HashMap::with_hasher(Hasher::default());
        for (slot, o) in self.objects.iter().enumerate() {
            if let Some(o) = o {
                objs.insert(object_key(o.kind, &o.name), slot as u32);
            }
        }
        self.object_ids = objs;
        self
    }

    /// Offers every share of `ds` in order (a parsed chunk of records).
    pub fn push_dataset(&mut self, ds: &Dataset) {
        let mut account_of = vec![u32::MAX; ds.accounts.len()];
        let mut kind_of = vec![u32::MAX; ds.kinds.len()];
        for s in &ds.shares {
            let k = ds.object_kind[s.object as usize] as usize;
            if kind_of[k] == u32::MAX {
                kind_of[k] = self.kind_id(ds.kinds.get(k as u32));
            }
            let account = &mut account_of[s.account as usize];
            if *account == u32::MAX {
                *account = self.account_id(ds.accounts.get(s.account));
            }
            let acc = *account;
            self.push_share(acc, kind_of[k], ds.objects.get(s.object), ds.posts.get(s.post), s.time);
            // A share that was not held nor paired may have left the account unreferenced.
            if self.refs[acc as usize] == 0 {
                self.release_account(acc);
                account_of[s.account as usize] = u32::MAX;
            }
            if self.housekeeping() {
                // Accounts were released: their ids may be reused.
                account_of.fill(u32::MAX);
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
        self.key.clear();
        write_object_key(&mut self.key, kind, object);
        let slot = match self.object_ids.get(self.key.as_slice()) {
            Some(&s) => s,
            None => {
                let o = Object { kind, name: object.into(), shares: VecDeque::new() };
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
                self.object_ids.insert(self.key.clone().into_boxed_slice(), slot);
                slot
            }
        };
        let post_hash = Hasher::default().hash_one(post);
        let obj = self.objects[slot as usize].as_mut().expect("live slot");
        let lo = obj.shares.partition_point(|h| h.time < time - w);
        let at = obj.shares.partition_point(|h| h.time <= time);
        let hi = at + obj.shares.range(at..).take_while(|h| h.time <= time + w).count();
        // A repeated post id of this object (identical record, or the same post
        // under another account or time) near it: dropped as `detect` drops it.
        if obj.shares.range(lo..hi).any(|h| h.post_hash == post_hash && &*h.post == post) {
            self.counters.duplicates += 1;
            return Outcome::Duplicate;
        }
        self.counters.accepted += 1;
        if obj.shares.len() >= self.params.max_object_shares {
            self.counters.mass_shares += 1;
            return Outcome::Mass;
        }
        let post: Arc<str> = post.into();
        let name = obj.name.clone();
        let kind_name = self.kinds[kind as usize].clone();
        let mut partners: Vec<(u32, i64, Arc<str>)> = Vec::new();
        for h in obj.shares.range(lo..hi) {
            if h.account != account {
                partners.push((h.account, h.time, h.post.clone()));
            }
        }
        obj.shares.insert(at, Held { time, account, post_hash, post: post.clone() });
        self.refs[account as usize] += 1;
        for (other, t_other, other_post) in partners {
            let (early, late) = if t_other <= time {
                ((other, t_other, other_post), (account, time, post.clone()))
            } else {
                ((account, time, post.clone()), (other, t_other, other_post))
            };
            self.add_coshare(&name, &kind_name, early, late, time);
        }
        Outcome::Accepted
    }

    fn add_coshare(
        &mut self,
        object: &Arc<str>,
        kind: &Arc<str>,
        early: (u32, i64, Arc<str>),
        late: (u32, i64, Arc<str>),
        arrival: i64,
    ) {
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
        if !e.alerted && cap > 0 {
            let ev = Evidence {
                object: object.clone(),
                kind: kind.clone(),
                early_account: early.0,
                early_post: early.2,
                early_time: early.1,
                late_account: late.0,
                late_post: late.2,
                late_time: late.1,
            };
            if e.evidence.len() < cap {
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
            let weight = e.weight;
            let mut evidence = std::mem::take(&mut e.evidence);
            evidence.sort_by_key(|x| (x.late_time, x.early_time));
            let body = self.edge_alert(key, weight, evidence);
            self.raise(arrival, body);
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
                ev.named(x, y)
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
        for slot in 0..self.objects.len() {
            let Some(o) = self.objects[slot].as_mut() else { continue };
            while o.shares.front().is_some_and(|h| h.time < cutoff) {
                let h = o.shares.pop_front().expect("checked");
                self.counters.evicted_shares += 1;
                let r = &mut self.refs[h.account as usize];
                *r -= 1;
                if *r == 0 {
                    released.push(h.account);
                }
            }
            if o.shares.is_empty() {
                let o = self.objects[slot].take().expect("checked");
                self.object_ids.remove(object_key(o.kind, &o.name).as_ref());
                self.free_objects.push(slot as u32);
            }
        }
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
            self.edges.retain(|&key, e| {
                if e.last >= edge_cutoff {
                    return true;
                }
                counters.evicted_edges += 1;
                if e.alerted {
                    *strong_changed = true;
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

    /// Connected components of the strong edges, matched to the previous groups.
    fn update_groups(&mut self) {
        let strong: Vec<(u64, u32)> = self.strong.iter().map(|&k| (k, self.edges[&k].weight)).collect();
        // Union-find over account ids.
        let mut parent: HashMap<u32, u32, Hasher> = HashMap::with_hasher(Hasher::default());
        fn find(p: &mut HashMap<u32, u32, Hasher>, x: u32) -> u32 {
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
        for (m, e) in &mut comps {
            m.sort();
            e.sort_by(|x, y| y.weight.cmp(&x.weight).then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b))));
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
            let (id, new_members, formed) = match best {
                Some(i) => {
                    taken[i] = true;
                    let old = &self.groups[i].members;
                    let new: Vec<Arc<str>> =
                        members.iter().filter(|m| old.binary_search(m).is_err()).cloned().collect();
                    (self.groups[i].id, new, false)
                }
                None => {
                    let id = self.next_group;
                    self.next_group += 1;
                    (id, members.clone(), true)
                }
            };
            if !new_members.is_empty() {
                let total: u64 = edges.iter().map(|e| u64::from(e.weight)).sum();
                let n_edges = edges.len() as u64;
                let mut top = edges;
                top.truncate(self.params.evidence.max(1));
                alerts.push(AlertBody::Group {
                    change: if formed { "formed" } else { "grew" },
                    group: id,
                    members: members.clone(),
                    new_members,
                    edges: n_edges,
                    weight: total,
                    threshold: self.threshold,
                    strongest: top,
                });
            }
            next_groups.push(Group { id, members });
        }
        self.groups = next_groups;
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

fn write_object_key(buf: &mut Vec<u8>, kind: u32, value: &str) {
    buf.extend_from_slice(&kind.to_le_bytes());
    buf.extend_from_slice(value.as_bytes());
}

fn object_key(kind: u32, value: &str) -> Box<[u8]> {
    let mut k = Vec::with_capacity(4 + value.len());
    write_object_key(&mut k, kind, value);
    k.into_boxed_slice()
}

fn lockstep_pair_key(a: u32, b: u32) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

fn unpair(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
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
}
