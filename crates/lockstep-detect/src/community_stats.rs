//! Community summaries: what each Leiden community of the thresholded network
//! did, and a ranking of communities by how strongly they are coordinated.
//!
//! For a community of `n` members, its **internal edges** are the thresholded
//! edges with both ends in it, and its **internal co-shares** the co-shares behind
//! them. Then:
//! - `density = internal edges / (n·(n−1)/2)`;
//! - `strength = internal co-shares / (n·(n−1)/2)`: co-shares per pair of members
//!   (= density × mean internal edge weight). It grows with how many members are
//!   tied and how often each tie repeated, and does not grow with size alone;
//! - `coordinated_post_share = coordinated posts / member posts`, where member
//!   posts are the distinct posts of the members in the input and coordinated
//!   posts those among them in an internal co-share;
//! - `post_pairs` / `expected`: the pairs of posts co-shared inside the
//!   community (over every edge between two members, the unit of evidence of
//!   [`crate::network`]) and how many the null model ([`crate::significance`])
//!   expects from its members' activity and their objects' popularity;
//! - `score = −log10 P(Poisson(expected) ≥ post_pairs)`: how surprising the
//!   community is as a whole. Many members that together share far more than
//!   chance explains score high; two heavy posters whose one edge barely passed
//!   do not;
//! - `rank`: 1 = strongest (Lockstep mode): by `score`, then
//!   `coordinated_post_share`, then size (all descending), then community
//!   number. CooRTweet mode, which has no post pairs, ranks by `strength` first;
//! - `why`: one sentence saying what the rank rests on (report.json, summary).

use crate::groups::TopObject;
use crate::multiplex::{kind_counts, KindCount};
use crate::Detection;
use lockstep_core::{Dataset, ObjectId};
use serde::Serialize;

/// One Leiden community.
#[derive(Debug, Clone, Serialize)]
pub struct CommunitySummary {
    /// Community number (1 = largest).
    pub community: u32,
    /// Rank by coordination strength (1 = strongest; see the module docs).
    pub rank: u32,
    /// Component of the thresholded network it lies in.
    pub component: u32,
    /// Member accounts, by name.
    pub members: Vec<String>,
    /// Thresholded edges inside the community.
    pub edges: u64,
    /// `edges / (n(n−1)/2)`.
    pub density: f64,
    /// Co-shares behind those edges.
    pub coshares: u64,
    /// Co-shares per pair of members: `coshares / (n(n−1)/2)`.
    pub strength: f64,
    /// Distinct posts of the members in the input.
    pub member_posts: u64,
    /// Those posts that are in an internal co-share.
    pub coordinated_posts: u64,
    /// `coordinated_posts / member_posts`.
    pub coordinated_post_share: f64,
    /// Earliest share of an internal co-share (UNIX seconds).
    pub first_time: Option<i64>,
    /// Latest share of an internal co-share (UNIX seconds).
    pub last_time: Option<i64>,
    /// Objects most co-shared inside the community.
    pub top_objects: Vec<TopObject>,
    /// Internal co-shares per object kind, most first: which kinds dominate it
    /// (schema 1.3).
    pub kinds: Vec<KindCount>,
    /// Pairs of posts co-shared between members (every internal edge; Lockstep mode).
    pub post_pairs: u64,
    /// Post pairs the null model expects between the members.
    pub expected: f64,
    /// `−log10 P(Poisson(expected) ≥ post_pairs)`: the group score the rank rests on.
    pub score: f64,
    /// Why the community ranks where it does, in one sentence.
    pub why: String,
}

/// Summaries of the `limit` highest-ranked communities, in rank order (empty
/// when communities were not computed).
pub fn summarize_communities(ds: &Dataset, det: &Detection, limit: usize, top_objects: usize) -> Vec<CommunitySummary> {
    let Some(comms) = &det.communities else { return Vec::new() };
    let k = comms.count as usize;
    let of = &comms.of_account;
    let component = det.component_by_account(ds.accounts.len());
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); k];
    let mut comp = vec![0u32; k];
    for (a, c) in of.iter().enumerate() {
        if let Some(c) = c {
            members[*c as usize - 1].push(a as u32);
            comp[*c as usize - 1] = component[a].unwrap_or(0);
        }
    }
    // Member posts: distinct (community, post) over the input.
    let mut posts: Vec<u64> =
        ds.shares.iter().filter_map(|s| of[s.account as usize].map(|c| ((c as u64) << 32) | s.post as u64)).collect();
    posts.sort_unstable();
    posts.dedup();
    let mut member_posts = vec![0u64; k];
    for p in &posts {
        member_posts[(p >> 32) as usize - 1] += 1;
    }
    drop(posts);
    let mut edges = vec![0u64; k];
    let mut coshares = vec![0u64; k];
    let mut first = vec![None::<i64>; k];
    let mut last = vec![None::<i64>; k];
    let mut objects: Vec<hashbrown::HashMap<ObjectId, u64>> = vec![Default::default(); k];
    let mut coordinated: Vec<u64> = Vec::new();
    let mut by_kind = vec![vec![0u64; ds.kinds.len()]; k];
    let (mut post_pairs, mut expected) = (vec![0u64; k], vec![0f64; k]);
    let pp = &det.significance.tested;
    for (e, edge) in det.edges.iter().enumerate() {
        if let (Some(ca), Some(cb), Some(&n)) = (of[edge.a as usize], of[edge.b as usize], pp.get(e)) {
            if ca == cb {
                post_pairs[ca as usize - 1] += u64::from(n);
                expected[ca as usize - 1] += det.significance.expected[e];
            }
        }
        if !edge.full.above_threshold {
            continue;
        }
        let (Some(ca), Some(cb)) = (of[edge.a as usize], of[edge.b as usize]) else { continue };
        if ca != cb {
            continue;
        }
        let i = ca as usize - 1;
        edges[i] += 1;
        for &r in det.evidence(e) {
            let cs = &det.coshares[r as usize];
            let (early, late) = (&ds.shares[cs.early as usize], &ds.shares[cs.late as usize]);
            coshares[i] += 1;
            first[i] = Some(first[i].map_or(early.time, |t| t.min(early.time)));
            last[i] = Some(last[i].map_or(late.time, |t| t.max(late.time)));
            *objects[i].entry(cs.object).or_default() += 1;
            by_kind[i][ds.object_kind[cs.object as usize] as usize] += 1;
            coordinated.push(((ca as u64) << 32) | early.post as u64);
            coordinated.push(((ca as u64) << 32) | late.post as u64);
        }
    }
    coordinated.sort_unstable();
    coordinated.dedup();
    let mut coordinated_posts = vec![0u64; k];
    for p in &coordinated {
        coordinated_posts[(p >> 32) as usize - 1] += 1;
    }
    let mut out: Vec<CommunitySummary> = (0..k)
        .map(|i| {
            let n = members[i].len() as f64;
            let pairs = n * (n - 1.0) / 2.0;
            let ratio = |x: u64, d: f64| if d > 0.0 { x as f64 / d } else { 0.0 };
            let mut names: Vec<String> = members[i].iter().map(|&a| ds.accounts.get(a).to_string()).collect();
            names.sort();
            let top: Vec<(ObjectId, u64)> = objects[i].iter().map(|(&o, &c)| (o, c)).collect();
            let top = crate::groups::first_n(top, top_objects, |x, y| {
                y.1.cmp(&x.1)
                    .then_with(|| ds.kind_of(x.0).cmp(ds.kind_of(y.0)))
                    .then_with(|| ds.objects.get(x.0).cmp(ds.objects.get(y.0)))
            });
            CommunitySummary {
                community: i as u32 + 1,
                rank: 0,
                component: comp[i],
                members: names,
                edges: edges[i],
                density: ratio(edges[i], pairs),
                coshares: coshares[i],
                strength: ratio(coshares[i], pairs),
                member_posts: member_posts[i],
                coordinated_posts: coordinated_posts[i],
                coordinated_post_share: ratio(coordinated_posts[i], member_posts[i] as f64),
                first_time: first[i],
                last_time: last[i],
                top_objects: top
                    .into_iter()
                    .map(|(o, c)| TopObject {
                        kind: ds.kind_of(o).to_string(),
                        object: ds.objects.get(o).to_string(),
                        coshares: c,
                    })
                    .collect(),
                kinds: kind_counts(ds, &by_kind[i]),
                post_pairs: post_pairs[i],
                expected: expected[i],
                score: crate::significance::poisson_upper_score(post_pairs[i], expected[i]),
                why: String::new(),
            }
        })
        .collect();
    let by_score = !pp.is_empty();
    out.sort_by(|x, y| {
        let first = if by_score { y.score.total_cmp(&x.score) } else { y.strength.total_cmp(&x.strength) };
        first
            .then(y.coordinated_post_share.total_cmp(&x.coordinated_post_share))
            .then(y.members.len().cmp(&x.members.len()))
            .then(x.community.cmp(&y.community))
    });
    for (r, c) in out.iter_mut().enumerate() {
        c.rank = r as u32 + 1;
        let share = 100.0 * c.coordinated_post_share;
        c.why = if by_score {
            format!(
                "{} accounts co-shared {} pairs of posts where {:.2} were expected by chance (score {:.1}); {:.0}% of their posts are coordinated",
                c.members.len(),
                c.post_pairs,
                c.expected,
                c.score,
                share
            )
        } else {
            format!("{:.1} co-shares per member pair; {share:.0}% of their posts are coordinated", c.strength)
        };
    }
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{detect, Params};

    #[test]
    fn two_communities_by_hand() {
        // Triangle x1,x2,x3 co-shares 3 objects each 2 s apart; pair y1,y2 co-shares
        // 2 objects; x1 also has an uncoordinated post. A bridge x3–y1 with one
        // co-share stays below the threshold.
        let mut ds = Dataset::default();
        for (i, o) in ["a", "b", "c"].iter().enumerate() {
            let t = 1000 * i as i64;
            ds.push("x1", o, "url", &format!("x1{o}"), t);
            ds.push("x2", o, "url", &format!("x2{o}"), t + 2);
            ds.push("x3", o, "url", &format!("x3{o}"), t + 4);
        }
        ds.push("x1", "lonely", "url", "x1lonely", 50_000);
        for (i, o) in ["d", "e"].iter().enumerate() {
            let t = 10_000 + 1000 * i as i64;
            ds.push("y1", o, "hashtag", &format!("y1{o}"), t);
            ds.push("y2", o, "hashtag", &format!("y2{o}"), t + 1);
        }
        ds.push("x3", "bridge", "url", "x3bridge", 20_000);
        ds.push("y1", "bridge", "url", "y1bridge", 20_001);
        let params = Params {
            window: crate::Window::Seconds(10),
            min_participation: 1,
            edge_quantile: 0.0,
            ..Params::default()
        };
        let det = detect(&ds, &params).unwrap();
        assert_eq!(det.threshold, 1.0); // the bridge (weight 1) is out
        let s = summarize_communities(&ds, &det, 10, 2);
        assert_eq!(s.len(), 2);
        // x: 3 edges of weight 3 among 3 pairs → strength 3, density 1.
        let x = s.iter().find(|c| c.members[0] == "x1").unwrap();
        assert_eq!(x.members, ["x1", "x2", "x3"]);
        assert_eq!((x.edges, x.coshares, x.density, x.strength), (3, 9, 1.0, 3.0));
        // 11 member posts (x3bridge and x1lonely included), 9 of them coordinated.
        assert_eq!((x.member_posts, x.coordinated_posts), (11, 9));
        assert_eq!((x.first_time, x.last_time), (Some(0), Some(2004)));
        assert_eq!(
            x.top_objects.iter().map(|t| (t.object.as_str(), t.coshares)).collect::<Vec<_>>(),
            [("a", 3), ("b", 3)]
        );
        // y: one edge of weight 2 → strength 2; 5 posts (y1bridge), 4 coordinated.
        let y = s.iter().find(|c| c.members[0] == "y1").unwrap();
        assert_eq!((y.edges, y.coshares, y.density, y.strength), (1, 2, 1.0, 2.0));
        assert_eq!((y.member_posts, y.coordinated_posts), (5, 4));
        assert_eq!((x.rank, y.rank), (1, 2));
        // x co-shared only urls; y's internal co-shares are the two hashtags (the url bridge is outside).
        let kinds = |c: &CommunitySummary| c.kinds.iter().map(|k| (k.kind.clone(), k.coshares)).collect::<Vec<_>>();
        assert_eq!(kinds(x), [("url".to_string(), 9)]);
        assert_eq!(kinds(y), [("hashtag".to_string(), 2)]);
        assert_eq!(s[0].community, x.community);
        assert_ne!(x.component, y.component);
    }
}
