//! What every reader target checks.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{read_bytes, Format, ObjectKinds, ReadOptions};

/// Reads `data` as `format` with every object kind; a whole-input error is
/// fine, a panic is not, and a successful read keeps its counting invariants.
pub fn read(format: Format, data: &[u8]) {
    tolerate_handled_panics();
    let opts = ReadOptions { format, objects: ObjectKinds::all(), ..ReadOptions::default() };
    let mut ds = Dataset::default();
    let mut diags = Diagnostics::default();
    if let Ok(s) = read_bytes("fuzz-input", data, &opts, &mut ds, &mut diags) {
        assert_eq!(s.records, s.posts + s.skipped, "records == posts + skipped");
        assert_eq!(s.skipped, diags.skipped);
        assert_eq!(s.shares as usize, ds.shares.len());
    }
}

/// libfuzzer-sys installs a panic hook that aborts the process on every panic,
/// even one the code catches. The Parquet reader catches the decoder's panics
/// on a malformed file (the `parquet` crate and the `arrow-*` crates it calls,
/// e.g. `arrow-ipc` decoding an embedded schema) and returns an error (see its
/// regression test), so such a panic is the reader working: the hook installed
/// here lets panics raised inside those crates unwind to that `catch_unwind`,
/// and keeps aborting on every other panic (Lockstep's own code, other crates).
/// A panic that no code catches still aborts: libfuzzer-sys aborts when the
/// target itself unwinds.
fn tolerate_handled_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let aborting = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parquet = info.location().is_some_and(|l| {
                let file = l.file().replace('\\', "/");
                // The decoder crates, and the standard library's own panics
                // they reach (`capacity overflow` on a huge declared length).
                (file.contains("/parquet-") || file.contains("/arrow-") || file.starts_with("/rustc/"))
                    && !file.contains("lockstep")
            });
            if !in_parquet {
                aborting(info);
            }
        }));
    });
}
