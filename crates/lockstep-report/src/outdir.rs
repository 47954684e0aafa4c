//! The output folder, written whole or not at all.
//!
//! A run never writes into `--out` itself. [`OutputDir::check`] looks at the
//! folder before any input is read (so a bad `--out` fails in a second, not
//! after the work), [`OutputDir::begin`] makes a staging folder beside it on the
//! same file system, the run writes every file there, and [`OutputDir::commit`]
//! puts the staging folder in the place of `--out` with one atomic
//! `renameat2(RENAME_EXCHANGE)` (Linux; elsewhere two renames, see below), then
//! removes the previous result. Whenever a run stops — an error, a full disk,
//! Ctrl-C, `kill -9` — `--out` holds either the previous complete result or the
//! new complete one, never a mix, and never a table cut mid-row.
//!
//! What may be replaced: a missing or empty folder, or a previous Lockstep
//! result (a `report.json` written by Lockstep, and nothing but files Lockstep
//! writes). Anything else — a file, a folder holding other files, the current
//! folder or one above it, a folder holding one of the run's inputs — is
//! refused with the reason, because replacing it whole would delete what the
//! user put there.
//!
//! A staging folder left by a killed run (`.<name>.lockstep-<pid>-<n>`, hidden,
//! beside `--out`) is removed by the next run into the same `--out` once its
//! process is gone. Without `RENAME_EXCHANGE` (other systems, some file
//! systems) the previous result is first renamed aside, so a kill between the
//! two renames leaves `--out` missing and both results beside it under hidden
//! names; the next run cleans them up.

use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// File names Lockstep writes into an output folder (tables in either format).
const OWN_STEMS: &[&str] = &["edges", "accounts", "objects", "pairs", "evidence", "edge_kinds", "domains"];
const OWN_FILES: &[&str] = &["report.json", "network.gexf", "network.graphml"];

/// Whether `name` is a file a Lockstep run writes into its output folder.
fn is_own_file(name: &str) -> bool {
    OWN_FILES.contains(&name)
        || name
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| matches!(ext, "csv" | "parquet") && OWN_STEMS.contains(&stem))
}

/// An output folder being written: the files go to [`OutputDir::path`], and
/// [`OutputDir::commit`] moves them into place at once. Dropped without a
/// commit, the staging folder is removed and `--out` is left as it was.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

/// Why an output folder cannot be used.
fn refuse(target: &Path, reason: impl std::fmt::Display) -> Error {
    Error::Output { path: target.to_path_buf(), reason: reason.to_string() }
}

impl OutputDir {
    /// Checks, before anything is read, that `target` can receive a run's
    /// results and that none of `inputs` ("-" is stdin) would be lost by it.
    pub fn check(target: &Path, inputs: &[PathBuf]) -> Result<()> {
        let absolute = absolute(target)?;
        if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) {
            if let Ok(canonical) = absolute.canonicalize() {
                if cwd.starts_with(&canonical) {
                    return Err(refuse(
                        target,
                        "is the current folder or one above it; name a folder of its own for the results (e.g. --out results)",
                    ));
                }
            }
        }
        match std::fs::symlink_metadata(&absolute) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let parent = absolute.parent().unwrap_or(Path::new("/"));
                if !parent.is_dir() {
                    return Err(refuse(target, format!("its parent folder {} does not exist", parent.display())));
                }
            }
            Err(e) => return Err(refuse(target, e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(refuse(target, "exists and is not a folder; the results are a folder of files"));
            }
            Ok(_) => {
                let foreign = foreign_entries(&absolute)?;
                if !foreign.is_empty() {
                    let shown: Vec<String> = foreign.iter().take(3).map(|n| format!("{n:?}")).collect();
                    return Err(refuse(
                        target,
                        format!(
                            "is not empty and is not a previous Lockstep result ({} entr{} that Lockstep did not write: {}{}); \
                             a run replaces its output folder whole, so choose a new or empty folder",
                            foreign.len(),
                            if foreign.len() == 1 { "y" } else { "ies" },
                            shown.join(", "),
                            if foreign.len() > 3 { ", …" } else { "" }
                        ),
                    ));
                }
            }
        }
        if let Ok(canonical) = absolute.canonicalize() {
            for input in inputs.iter().filter(|p| p.as_os_str() != "-") {
                if let Ok(input_canonical) = input.canonicalize() {
                    if input_canonical.starts_with(&canonical) {
                        return Err(refuse(
                            target,
                            format!(
                                "holds the input {}; a run replaces its output folder whole, so the input would be lost",
                                input.display()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks `target` (see [`OutputDir::check`]) and makes the staging folder
    /// beside it, removing staging folders of earlier runs that were killed.
    pub fn begin(target: &Path, inputs: &[PathBuf]) -> Result<OutputDir> {
        Self::check(target, inputs)?;
        let target = absolute(target)?;
        let (parent, name) = split(&target)?;
        remove_stale(&parent, &name);
        for n in 0u32.. {
            let staging = parent.join(format!(".{name}.lockstep-{}-{n}", std::process::id()));
            match std::fs::create_dir(&staging) {
                Ok(()) => return Ok(OutputDir { target, staging, committed: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&staging, e)),
            }
        }
        unreachable!("u32 staging names exhausted")
    }

    /// The folder to write every file of the run into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder the results will be in once committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes every file to disk and puts the staging folder in the place of
    /// the target in one step; the previous result, if any, is then removed.
    pub fn commit(mut self) -> Result<()> {
        sync_tree(&self.staging)?;
        let (parent, name) = split(&self.target)?;
        if std::fs::symlink_metadata(&self.target).is_err() {
            std::fs::rename(&self.staging, &self.target).map_err(|e| Error::io(&self.target, e))?;
        } else if exchange(&self.staging, &self.target) {
            // The staging path now holds the previous result.
            let _ = std::fs::remove_dir_all(&self.staging);
        } else {
            let aside = parent.join(format!(".{name}.lockstep-{}-old", std::process::id()));
            std::fs::rename(&self.target, &aside).map_err(|e| Error::io(&self.target, e))?;
            std::fs::rename(&self.staging, &self.target).map_err(|e| Error::io(&self.target, e))?;
            let _ = std::fs::remove_dir_all(&aside);
        }
        self.committed = true;
        if let Ok(dir) = std::fs::File::open(&parent) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// One output file written under a temporary name beside its place and
/// renamed into place by [`OutputFile::commit`]: a failed or killed run leaves
/// the previous file (or none), never a truncated one. Dropped without a
/// commit, the temporary file is removed.
#[derive(Debug)]
pub struct OutputFile {
    target: PathBuf,
    file: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl OutputFile {
    /// Checks that `target` is not a folder and is none of `inputs` (before
    /// anything is read), and opens its temporary file.
    pub fn create(target: &Path, inputs: &[&Path]) -> Result<OutputFile> {
        let absolute = absolute(target)?;
        if absolute.is_dir() {
            return Err(refuse(target, "is a folder; name a file"));
        }
        if let Ok(canonical) = absolute.canonicalize() {
            for input in inputs.iter().filter(|p| p.as_os_str() != "-") {
                if input.canonicalize().is_ok_and(|c| c == canonical) {
                    return Err(refuse(target, format!("is the input {}; it would be overwritten", input.display())));
                }
            }
        }
        let parent = absolute.parent().unwrap_or(Path::new("/"));
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{}.", absolute.file_name().and_then(|n| n.to_str()).unwrap_or("out")))
            .suffix(".lockstep-tmp")
            .tempfile_in(parent)
            .map_err(|e| refuse(target, format!("cannot write beside it: {e}")))?;
        Ok(OutputFile { target: absolute, file: std::io::BufWriter::new(temp) })
    }

    /// Where to write the contents.
    pub fn writer(&mut self) -> &mut impl std::io::Write {
        &mut self.file
    }

    /// Flushes the contents to disk and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let temp = self.file.into_inner().map_err(|e| Error::io(&self.target, e.into_error()))?;
        temp.as_file().sync_all().map_err(|e| Error::io(&self.target, e))?;
        temp.persist(&self.target).map_err(|e| Error::io(&self.target, e.error))?;
        Ok(())
    }
}

/// `path` made absolute against the current folder (without resolving links).
fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::io(path, e))
}

/// The parent folder and file name of an absolute target.
fn split(target: &Path) -> Result<(PathBuf, String)> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| refuse(target, "has no folder name of its own (or one that is not UTF-8)"))?;
    let parent = target.parent().unwrap_or(Path::new("/"));
    Ok((parent.to_path_buf(), name.to_string()))
}

/// Entries of an existing folder that are not files of a previous Lockstep
/// result. An empty folder has none; a folder without Lockstep's `report.json`
/// has all of its entries foreign.
fn foreign_entries(dir: &Path) -> Result<Vec<String>> {
    let mut names: Vec<(String, bool)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        names.push((entry.file_name().to_string_lossy().into_owned(), is_file));
    }
    names.sort();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let ours = is_lockstep_report(&dir.join("report.json"));
    Ok(names
        .into_iter()
        .filter(|(name, is_file)| !(ours && *is_file && is_own_file(name)))
        .map(|(name, _)| name)
        .collect())
}

/// Whether `path` is a `report.json` written by Lockstep.
fn is_lockstep_report(path: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Head {
        schema_version: String,
        tool: String,
    }
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    serde_json::from_str::<Head>(&text).is_ok_and(|h| h.tool.starts_with("lockstep") && !h.schema_version.is_empty())
}

/// Removes staging folders of runs into `parent/name` whose process is gone.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.lockstep-");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Without a way to tell, a staging folder is assumed to belong to a live run.
#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    true
}

/// Swaps two paths atomically; false where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

/// `fsync` of every file in `dir` and of `dir` itself.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_file() {
            std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(|e| Error::io(&path, e))?;
        }
    }
    std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn previous_result(dir: &Path, extra: &[&str]) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("report.json"), r#"{"schema_version":"1.4","tool":"lockstep 0.1.0"}"#).unwrap();
        std::fs::write(dir.join("edges.csv"), "old\n").unwrap();
        for name in extra {
            std::fs::write(dir.join(name), "old\n").unwrap();
        }
    }

    fn write_run(out: &OutputDir) {
        std::fs::write(out.path().join("edges.csv"), "new\n").unwrap();
        std::fs::write(out.path().join("report.json"), r#"{"schema_version":"1.4","tool":"lockstep 0.1.0"}"#).unwrap();
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_folder_appears_only_on_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("results");
        let out = OutputDir::begin(&target, &[]).unwrap();
        write_run(&out);
        assert!(!target.exists(), "nothing at --out before the commit");
        out.commit().unwrap();
        assert_eq!(listing(&target), ["edges.csv", "report.json"]);
        assert_eq!(listing(tmp.path()), ["results"], "no staging folder left beside it");
    }

    #[test]
    fn a_previous_result_is_replaced_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("results");
        previous_result(&target, &["pairs.csv", "network.gexf"]);
        let out = OutputDir::begin(&target, &[]).unwrap();
        write_run(&out);
        assert_eq!(std::fs::read_to_string(target.join("edges.csv")).unwrap(), "old\n");
        out.commit().unwrap();
        assert_eq!(listing(&target), ["edges.csv", "report.json"], "the old run's pairs and graph are gone");
        assert_eq!(std::fs::read_to_string(target.join("edges.csv")).unwrap(), "new\n");
        assert_eq!(listing(tmp.path()), ["results"]);
    }

    #[test]
    fn an_abandoned_run_leaves_the_previous_result_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("results");
        previous_result(&target, &["pairs.csv"]);
        {
            let out = OutputDir::begin(&target, &[]).unwrap();
            std::fs::write(out.path().join("edges.csv"), "half a ro").unwrap();
            // An error while writing: dropped without a commit.
        }
        assert_eq!(listing(&target), ["edges.csv", "pairs.csv", "report.json"]);
        assert_eq!(std::fs::read_to_string(target.join("edges.csv")).unwrap(), "old\n");
        assert_eq!(listing(tmp.path()), ["results"]);
    }

    #[test]
    fn a_killed_runs_staging_folder_is_removed_by_the_next_run() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("results");
        // No process has pid u32::MAX - 1 (Linux caps pids at 2^22).
        let stale = tmp.path().join(format!(".results.lockstep-{}-0", u32::MAX - 1));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("edges.csv"), "half").unwrap();
        let out = OutputDir::begin(&target, &[]).unwrap();
        write_run(&out);
        out.commit().unwrap();
        if cfg!(target_os = "linux") {
            assert_eq!(listing(tmp.path()), ["results"]);
        }
    }

    #[test]
    fn folders_that_are_not_results_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        // A file.
        let file = tmp.path().join("edges.csv");
        std::fs::write(&file, "account,object\n").unwrap();
        let err = OutputDir::check(&file, &[]).unwrap_err().to_string();
        assert!(err.contains("exists and is not a folder"), "{err}");
        // A folder of the user's own files.
        let mine = tmp.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("notes.txt"), "my notes").unwrap();
        let err = OutputDir::check(&mine, &[]).unwrap_err().to_string();
        assert!(err.contains("not a previous Lockstep result") && err.contains("notes.txt"), "{err}");
        // A previous result to which the user added a file of their own.
        let result = tmp.path().join("result");
        previous_result(&result, &["my-analysis.xlsx"]);
        let err = OutputDir::check(&result, &[]).unwrap_err().to_string();
        assert!(err.contains("my-analysis.xlsx"), "{err}");
        // Lockstep's file names without Lockstep's report.json.
        let lookalike = tmp.path().join("lookalike");
        std::fs::create_dir(&lookalike).unwrap();
        std::fs::write(lookalike.join("edges.csv"), "mine").unwrap();
        assert!(OutputDir::check(&lookalike, &[]).is_err());
        // A missing parent.
        let err = OutputDir::check(&tmp.path().join("no/such/dir"), &[]).unwrap_err().to_string();
        assert!(err.contains("parent folder"), "{err}");
        // An empty folder and a previous result are fine.
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        OutputDir::check(&empty, &[]).unwrap();
        previous_result(&tmp.path().join("previous"), &["pairs.parquet", "network.graphml"]);
        OutputDir::check(&tmp.path().join("previous"), &[]).unwrap();
    }

    #[test]
    fn an_input_inside_the_output_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("results");
        previous_result(&target, &[]);
        let input = target.join("edges.csv");
        let err = OutputDir::check(&target, &[PathBuf::from("-"), input.clone()]).unwrap_err().to_string();
        assert!(err.contains("holds the input"), "{err}");
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "old\n");
        // An input beside it is fine.
        let beside = tmp.path().join("posts.csv");
        std::fs::write(&beside, "x").unwrap();
        OutputDir::check(&target, &[beside]).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_are_exchanged_in_one_step_here() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), "a").unwrap();
        assert!(exchange(&a, &b), "renameat2(RENAME_EXCHANGE) works on this file system");
        assert!(b.join("x").exists() && !a.join("x").exists());
    }

    #[test]
    fn one_file_is_renamed_into_place_and_never_replaces_an_input() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("domains.csv");
        std::fs::write(&target, "old\n").unwrap();
        let mut out = OutputFile::create(&target, &[]).unwrap();
        out.writer().write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        {
            let mut out = OutputFile::create(&target, &[]).unwrap();
            out.writer().write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(listing(tmp.path()), ["domains.csv"], "no temporary file left");
        let err = OutputFile::create(&target, &[Path::new("-"), &target]).unwrap_err().to_string();
        assert!(err.contains("is the input"), "{err}");
        let err = OutputFile::create(tmp.path(), &[]).unwrap_err().to_string();
        assert!(err.contains("is a folder"), "{err}");
    }

    #[test]
    fn own_file_names() {
        for name in ["report.json", "edges.csv", "edges.parquet", "domains.csv", "edge_kinds.parquet", "network.gexf"] {
            assert!(is_own_file(name), "{name}");
        }
        for name in ["posts.csv", "edges.csv.gz", "report.json.bak", "notes.txt", "edges"] {
            assert!(!is_own_file(name), "{name}");
        }
    }
}
