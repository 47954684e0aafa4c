//! Communities of the thresholded network (filled in by the Leiden algorithm).

/// Communities of the thresholded network.
#[derive(Debug, Clone, PartialEq)]
pub struct Communities {
    /// Community (1-based) of every account id; `None` for accounts outside the
    /// thresholded network.
    pub of_account: Vec<Option<u32>>,
    /// Number of communities.
    pub count: u32,
    /// Modularity of the partition (with the resolution used).
    pub modularity: f64,
}
