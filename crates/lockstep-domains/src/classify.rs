//! One verdict per domain: `known` (in a feed), `look-alike` (imitates an outlet
//! of the watchlist), `clean`, or `invalid` (not a domain name).

use crate::domain::{parse_domain, DomainName};
use crate::feed::Feed;
use crate::lookalike::{Behaviour, Matcher, Verdict};
use serde::Serialize;

/// The class of a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Listed in a known-operation feed.
    Known,
    /// Imitates an outlet of the watchlist.
    LookAlike,
    /// Neither (including the outlets' own domains).
    Clean,
    /// Not a domain name (see `note`).
    Invalid,
}

impl Class {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Known => "known",
            Class::LookAlike => "look-alike",
            Class::Clean => "clean",
            Class::Invalid => "invalid",
        }
    }
}

/// The verdict on one input, flat so that CSV, JSON and the table share it.
/// Empty strings mean "not applicable".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The input as given (a domain or a URL).
    pub input: String,
    /// Its host, decoded to Unicode for display.
    pub domain: String,
    /// Its registrable domain (ASCII).
    pub registrable: String,
    /// The class.
    pub class: Class,
    /// Known: the operations (campaigns) of the feed rows, `; `-separated.
    pub operation: String,
    /// Known: the sources of the feed rows.
    pub source: String,
    /// Known: the earliest date first reported.
    pub first_reported: String,
    /// Look-alike (also given for known domains that imitate an outlet): the outlet's name.
    pub outlet: String,
    /// The imitated outlet domain.
    pub outlet_domain: String,
    /// How it imitates it.
    pub technique: String,
    /// Confidence in `[0, 1]`, two decimals.
    pub score: Option<f64>,
    /// Clean because it is an outlet's own domain; or why it is invalid.
    pub note: String,
    /// Why this verdict: for a look-alike (or the closest candidate of a clean
    /// domain) the technique, the target and every factor of the score
    /// ([`crate::lookalike::evidence`]); for a known domain, the feed.
    pub why: String,
}

/// Feed plus watchlist.
#[derive(Debug, Clone)]
pub struct Classifier {
    /// Known-operation domains (may be empty).
    pub feed: Feed,
    /// The indexed watchlist.
    pub matcher: Matcher,
}

impl Classifier {
    /// A classifier over a feed and an indexed watchlist.
    pub fn new(feed: Feed, matcher: Matcher) -> Classifier {
        Classifier { feed, matcher }
    }

    /// Classifies a domain or URL.
    pub fn classify(&self, input: &str) -> Classification {
        match parse_domain(input) {
            Ok(d) => self.classify_parsed(input, &d),
            Err(e) => Classification {
                input: input.to_string(),
                domain: String::new(),
                registrable: String::new(),
                class: Class::Invalid,
                operation: String::new(),
                source: String::new(),
                first_reported: String::new(),
                outlet: String::new(),
                outlet_domain: String::new(),
                technique: String::new(),
                score: None,
                note: format!("{}: {e}", e.code()),
                why: format!("not a domain name: {e}"),
            },
        }
    }

    /// Classifies a parsed domain.
    pub fn classify_parsed(&self, input: &str, d: &DomainName) -> Classification {
        self.classify_with(input, d, Behaviour::default())
    }

    /// Classifies a parsed domain with what a dataset says about it.
    pub fn classify_with(&self, input: &str, d: &DomainName, behaviour: Behaviour) -> Classification {
        self.classify_full(input, d, behaviour, None)
    }

    /// Classifies a parsed domain with what a dataset says about it and, when
    /// `extra` is given, against more targets (the hosts widely shared in the
    /// data, see [`crate::fusion`]): used when the main targets find no look-alike.
    pub fn classify_full(
        &self,
        input: &str,
        d: &DomainName,
        behaviour: Behaviour,
        extra: Option<&Matcher>,
    ) -> Classification {
        let mut c = Classification {
            input: input.to_string(),
            domain: d.display.clone(),
            registrable: d.registrable.clone(),
            class: Class::Clean,
            operation: String::new(),
            source: String::new(),
            first_reported: String::new(),
            outlet: String::new(),
            outlet_domain: String::new(),
            technique: String::new(),
            score: None,
            note: String::new(),
            why: String::new(),
        };
        let mut m = &self.matcher;
        let mut verdict = m.check_with(d, behaviour);
        if let (Some(x), Verdict::NoMatch | Verdict::Below(_)) = (extra, verdict) {
            let score = |v: &Verdict| match v {
                Verdict::LookAlike(l) | Verdict::Below(l) => l.score,
                _ => -1.0,
            };
            let v = x.check_with(d, behaviour);
            // A shared host is not thereby legitimate: its own verdict is ignored.
            if !matches!(v, Verdict::Own { .. }) && score(&v) > score(&verdict) {
                (m, verdict) = (x, v);
            }
        }
        match verdict {
            Verdict::Own { outlet } => {
                c.note = format!("own domain of {}", m.outlets()[outlet as usize].name);
                c.why = format!("a target's own domain ({})", m.origin(outlet).describe());
            }
            Verdict::LookAlike(l) => {
                let o = &m.outlets()[l.outlet as usize];
                c.class = Class::LookAlike;
                c.outlet = o.name.clone();
                let (od, _) = idna::domain_to_unicode(&o.domains[l.domain as usize].domain);
                c.outlet_domain = od;
                c.technique = l.technique.as_str().to_string();
                c.score = Some((f64::from(l.score) * 100.0).round() / 100.0);
                c.why = m.explain(&l, d);
            }
            Verdict::Below(l) => {
                let mut why = String::with_capacity(300);
                why.push_str("below the minimum score ");
                crate::lookalike::evidence::push2(&mut why, m.min_score());
                why.push_str("; closest: ");
                why.push_str(&m.explain(&l, d));
                c.why = why;
            }
            Verdict::NoMatch if crate::lookalike::restricted_suffix(&d.suffix) => {
                c.why = format!("restricted suffix .{}: only vetted registrants", d.suffix);
            }
            Verdict::NoMatch => c.why = "no target name within reach".into(),
        }
        let hits = self.feed.lookup(d);
        if !hits.is_empty() {
            let imitates = c.class == Class::LookAlike;
            c.class = Class::Known;
            let mut ops: Vec<&str> = Vec::new();
            let mut sources: Vec<&str> = Vec::new();
            for h in &hits {
                if !h.campaign.is_empty() && !ops.contains(&h.campaign.as_str()) {
                    ops.push(&h.campaign);
                }
                if !h.source.is_empty() && !sources.contains(&h.source.as_str()) {
                    sources.push(&h.source);
                }
            }
            c.operation = ops.join("; ");
            let imitation = if imitates { format!("; imitation: {}", c.why) } else { String::new() };
            c.why = format!("listed in {} feed row(s){imitation}", hits.len());
            c.source = sources.join("; ");
            c.first_reported = hits
                .iter()
                .map(|h| h.date_first_reported.as_str())
                .filter(|s| !s.is_empty())
                .min()
                .unwrap_or("")
                .to_string();
        }
        c
    }
}
