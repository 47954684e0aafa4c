//! The global allocator: the system's, asking Linux to back large blocks with
//! 2 MiB transparent huge pages.
//!
//! A large run touches gigabytes of fresh memory (columns, co-shares, edges);
//! with 4 KiB pages each one is a page fault and a page cleared by the kernel.
//! This machine's kernel (like most distributions') gives huge pages only to
//! memory that asks for them (`/sys/kernel/mm/transparent_hugepage/enabled` =
//! `madvise`), so every block of at least [`LARGE`] gets
//! `madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned part of it. Where the kernel
//! has no transparent huge pages the call fails and nothing changes.
//!
//! [`keep_freed_memory`] makes glibc's allocator keep large freed blocks for
//! reuse instead of unmapping them: each stage of a large run frees arrays
//! the next one could reuse, and memory handed back to Linux comes back as
//! fresh pages, each faulted and cleared again. (Measurements: BENCHMARKS.md.)

use std::alloc::{GlobalAlloc, Layout, System};

/// Asks glibc to serve every block from its heap (no block of its own mapped
/// with `mmap`, so none unmapped when freed) and never to give the heap's free
/// top back: freed memory stays in the process for the next allocations.
/// Call before any thread starts. Elsewhere than glibc on Linux, nothing.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `mallopt` only sets allocator parameters; called at start-up,
    // before any other thread allocates. A parameter it rejects is left as it was.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Blocks of at least this size are advised (smaller ones cannot hold an
/// aligned 2 MiB page reliably, and are not worth a system call).
const LARGE: usize = 4 << 20;
const HUGE_PAGE: usize = 2 << 20;

/// [`System`], with large blocks advised to use huge pages.
pub struct HugePages;

fn advise(p: *mut u8, size: usize) {
    if p.is_null() || size < LARGE {
        return;
    }
    let start = (p as usize).next_multiple_of(HUGE_PAGE);
    let end = (p as usize + size) / HUGE_PAGE * HUGE_PAGE;
    if end > start {
        #[allow(unsafe_code)]
        // SAFETY: the range lies inside a block the allocator just handed out
        // (rounded inwards to page boundaries); MADV_HUGEPAGE changes how the
        // kernel backs those pages, never their contents. Its result is ignored:
        // failing only means small pages.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[allow(unsafe_code)]
// SAFETY: every method forwards to `System` with the same arguments and returns
// its result unchanged; `advise` only hints the kernel about the returned block.
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}
