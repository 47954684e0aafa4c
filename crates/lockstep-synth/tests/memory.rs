//! Streaming: both scenarios emit their rows without holding the stream. The
//! peak of live heap bytes during generation (counted by a global allocator in
//! this test binary, one test so nothing else allocates meanwhile) stays a small
//! fraction of the bytes emitted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use lockstep_synth::{generate, ScenarioConfig};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)] // test-only: a counting wrapper around the system allocator
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// (peak heap bytes above the start, bytes emitted as CSV-like rows).
fn measure(cfg: &ScenarioConfig) -> (usize, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut bytes = 0usize;
    generate(cfg, |p| bytes += p.account.len() + p.object.len() + p.kind.len() + p.post_id.len() + 16);
    let peak = PEAK.load(Ordering::Relaxed) - base;
    eprintln!("{:?} posts: peak heap {peak} B, {bytes} B emitted", cfg.scenario);
    (peak, bytes)
}

#[test]
fn generation_streams_in_bounded_memory() {
    let (peak, bytes) = measure(&ScenarioConfig::event(150_000, 3));
    assert!(peak * 4 < bytes, "event: peak {peak} B for {bytes} B emitted");
    // The background scenario holds one hour of its 30 days.
    let (peak, bytes) = measure(&ScenarioConfig::new(600_000, 3));
    assert!(peak * 8 < bytes, "background: peak {peak} B for {bytes} B emitted");
}
