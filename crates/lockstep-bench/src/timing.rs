//! Timing a child process: wall time from spawn to `wait4`, peak RSS from its
//! `rusage`, a timeout that kills its process group.

use anyhow::{bail, Context, Result};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One timed child process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    /// Wall time in seconds.
    pub(crate) wall: f64,
    /// Peak resident set size in KiB.
    pub(crate) max_rss_kib: u64,
    /// Killed after the timeout.
    pub(crate) timed_out: bool,
}

/// Runs `program args` in its own process group, stdout/stderr to `log`;
/// kills the group after `timeout`. The wall time runs from just before the
/// spawn to the return of `wait4` on a thread blocked in it (no polling: a
/// poll's sleep would add up to its period to every run), and the peak RSS is
/// the `ru_maxrss` that call reports: the largest of the child and its
/// waited-for descendants, as `/usr/bin/time -f %M` gives it.
pub(crate) fn timed(program: &Path, args: &[&OsStr], log: &Path, timeout: Option<Duration>) -> Result<Run> {
    let log_file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null()).stdout(log_file.try_clone()?).stderr(log_file).process_group(0);
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("spawning {}", program.display()))?;
    let pid = i32::try_from(child.id()).context("process id out of range")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let waited = wait4(pid);
        let _ = tx.send((waited, start.elapsed()));
    });
    let (waited, elapsed, timed_out) = match timeout.map(|t| rx.recv_timeout(t)) {
        Some(Err(_)) => {
            // Kill the whole group: the tool and its workers.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
            let (w, e) = rx.recv().context("waiting for a killed run")?;
            (w, e, true)
        }
        Some(Ok((w, e))) => (w, e, false),
        None => {
            let (w, e) = rx.recv().context("waiting for a run")?;
            (w, e, false)
        }
    };
    let (status, max_rss_kib) = waited.with_context(|| format!("waiting for {}", program.display()))?;
    let wall = elapsed.as_secs_f64();
    if timed_out {
        return Ok(Run { wall, max_rss_kib: 0, timed_out });
    }
    if !status.success() {
        bail!("{} failed ({status}); see {}", program.display(), log.display());
    }
    Ok(Run { wall, max_rss_kib, timed_out })
}

/// Waits for child `pid`: its exit status and peak RSS in KiB (`ru_maxrss`).
pub(crate) fn wait4(pid: i32) -> std::io::Result<(std::process::ExitStatus, u64)> {
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed; `wait4` writes
    // `status` and `usage`, both live for the call.
    #[allow(unsafe_code)]
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        #[allow(unsafe_code)]
        // SAFETY: as above; `pid` is a child of this process not yet waited for
        // (std's `Child` is dropped without waiting).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((std::process::ExitStatus::from_raw(status), u64::try_from(usage.ru_maxrss).unwrap_or(0)));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

pub(crate) fn file_mb(path: &Path) -> Result<f64> {
    Ok(fs::metadata(path).with_context(|| format!("stat {}", path.display()))?.len() as f64 / 1e6)
}
