//! Output files written as streams: write-behind and drop-behind.
//!
//! A large table (the edges of a 10M-post run: 1.2 GB) written the usual way
//! fills the page cache with dirty pages of a file this process will not read
//! again, and each of those pages is fresh memory the kernel must find and the
//! hypervisor must back. On the benchmark machine (a VM that hands freed guest
//! memory back to its host) that costs about 3.5 CPU-seconds per GB, more than
//! formatting the rows. [`StreamFile`] does what streaming writers such as
//! PostgreSQL's `*_flush_after` settings do: once a [`CHUNK`] of the file is
//! complete it starts that chunk's write-back, and once a chunk lies
//! [`BEHIND`] bytes back it asks the kernel to drop it from the page cache.
//! On a disk that keeps up, the chunk is on disk by then and leaves the cache,
//! so the cache holds about `BEHIND` bytes of the file, recycled while still
//! warm: writing 1.2 GB went from 4.9–5.2 s of system time to 0.8–1.0 s in a
//! same-run test (BENCHMARKS.md). Nothing ever waits for the disk: on a slow
//! one, pages still being written stay cached, as with a plain write.
//!
//! Nothing changes in the bytes written: the hints only say when pages go to
//! disk and leave memory. Files smaller than one chunk see no hint at all.
//! Where the calls are unavailable (other systems, file systems that refuse
//! them) the hints are skipped and the file is an ordinary one.

use std::io::{self, Write};

/// Write-back is started for each complete chunk of this size.
pub const CHUNK: u64 = 8 << 20;
/// Chunks this far behind the end are dropped from the cache (when written back).
pub const BEHIND: u64 = 64 << 20;

/// A file written front to back, with write-behind and drop-behind (see the module).
#[derive(Debug)]
pub struct StreamFile {
    file: fs_err::File,
    /// Bytes written so far.
    written: u64,
    /// End of the last chunk whose write-back was started.
    started: u64,
    /// End of the last chunk dropped from the cache.
    dropped: u64,
    /// False once a hint failed: the rest of the file is written plainly.
    hints: bool,
}

impl StreamFile {
    /// Wraps a file opened for writing at offset 0.
    pub fn new(file: fs_err::File) -> Self {
        StreamFile { file, written: 0, started: 0, dropped: 0, hints: cfg!(target_os = "linux") }
    }

    fn hint(&mut self) {
        while self.hints && self.written - self.started >= CHUNK {
            self.hints = start_write_back(&self.file, self.started, CHUNK);
            self.started += CHUNK;
        }
        while self.hints && self.started - self.dropped > BEHIND {
            self.hints = drop_behind(&self.file, self.dropped, CHUNK);
            self.dropped += CHUNK;
        }
    }
}

impl Write for StreamFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        self.hint();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Starts write-back of `offset..offset + len` (does not wait for it).
#[cfg(target_os = "linux")]
fn start_write_back(file: &fs_err::File, offset: u64, len: u64) -> bool {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return false;
    };
    #[allow(unsafe_code)]
    // SAFETY: `sync_file_range` takes a file descriptor, which `file` owns and
    // keeps open for the call, and plain integers; it reads or writes no memory
    // of this process. It only schedules write-back of cached pages, which
    // never changes the file's contents.
    let rc = unsafe { libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE) };
    rc == 0
}

/// Drops `offset..offset + len` from the cache; the kernel keeps the pages
/// that are not yet on disk.
#[cfg(target_os = "linux")]
fn drop_behind(file: &fs_err::File, offset: u64, len: u64) -> bool {
    use rustix::fs::{fadvise, Advice};
    std::num::NonZeroU64::new(len).is_some_and(|len| fadvise(file.file(), offset, Some(len), Advice::DontNeed).is_ok())
}

#[cfg(not(target_os = "linux"))]
fn start_write_back(_: &fs_err::File, _: u64, _: u64) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn drop_behind(_: &fs_err::File, _: u64, _: u64) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes are exactly what was written, across many chunks, with writes
    /// of odd sizes straddling chunk boundaries.
    #[test]
    fn streams_every_byte_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let mut out = StreamFile::new(fs_err::File::create(&path).unwrap());
        let mut expected = Vec::new();
        let mut x: u32 = 1;
        while (expected.len() as u64) < BEHIND + 3 * CHUNK + 12_345 {
            let len = 1 + (x as usize % 3_000_000);
            let block: Vec<u8> = (0..len).map(|i| (i as u32 ^ x) as u8).collect();
            out.write_all(&block).unwrap();
            expected.extend_from_slice(&block);
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        }
        out.flush().unwrap();
        assert_eq!(out.written, expected.len() as u64);
        if cfg!(target_os = "linux") {
            assert!(out.hints, "the hints work on this file system");
            assert!(out.dropped >= 3 * CHUNK, "chunks behind the end were dropped: {}", out.dropped);
        }
        drop(out);
        assert!(std::fs::read(&path).unwrap() == expected, "file differs from what was written");
    }
}
