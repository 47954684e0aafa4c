//! What every reader target checks.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{read_bytes, Format, ObjectKinds, ReadOptions};

/// Reads `data` as `format` with every object kind; a whole-input error is
/// fine, a panic is not, and a successful read keeps its counting invariants.
pub fn read(format: Format, data: &[u8]) {
    let opts = ReadOptions { format, objects: ObjectKinds::all(), ..ReadOptions::default() };
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    if let Ok(s) = read_bytes("fuzz-input", data, &opts, &mut ds, &mut diags) {
        assert_eq!(s.records, s.posts + s.skipped, "records == posts + skipped");
        assert_eq!(s.skipped, diags.skipped);
        assert_eq!(s.shares as usize, ds.shares.len());
    }
}
