//! Fuzz target: normalisation never panics and is idempotent on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lockstep_normalize::{canonical_url, hashtag, mention, text};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Some(c) = canonical_url(s) {
        assert_eq!(canonical_url(&c.url), Some(c.clone()), "canonical_url not idempotent on {s:?}");
        let _ = c.domain();
    }
    for f in [text, hashtag, mention] {
        if let Some(once) = f(s) {
            assert_eq!(f(&once), Some(once.clone()), "not idempotent on {s:?}");
        }
    }
});
