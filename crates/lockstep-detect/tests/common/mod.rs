//! Helpers shared by the equality tests of this crate.

use lockstep_detect::Detection;

/// Every result of a detection, as text: `Debug` prints floats exactly (the
/// shortest string that reads back to the same bits), so equal text is equal values.
pub fn fingerprint(d: &Detection) -> String {
    let communities = d.communities.as_ref().map(|c| format!("{} {:?} {:?}", c.count, c.modularity, c.of_account));
    format!(
        "window {:?}\ncoshares {:?}\nfast {:?}\nedges {:?}\noffsets {:?}\nrows {:?}\nthreshold {:?} {:?}\n\
         accounts {:?}\nobjects {:?}\nmass {:?}\nestimate {:?}\nexpected {:?}\nscore {:?}\nshares {:?}\n\
         post_pairs {:?}\nsummary {:?}\ncommunities {communities:?}\ncounts {:?}\nrank {:?}",
        d.window,
        d.coshares,
        d.fast,
        d.edges,
        d.edge_offsets,
        d.edge_rows,
        d.threshold,
        d.threshold_fast,
        d.accounts,
        d.objects,
        d.mass_objects,
        d.window_estimate,
        d.significance.expected,
        d.significance.score,
        d.significance.shares,
        d.significance.post_pairs,
        d.significance.summary,
        d.counts,
        d.account_rank,
    )
}
