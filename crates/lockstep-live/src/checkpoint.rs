//! Durable state: the engine, the reader and the source position, written
//! atomically (a temporary file in the same folder, synced, renamed over the
//! previous checkpoint, the folder synced). A checkpoint holds the state after
//! exactly the records before its position: a restart loads it and resumes the
//! source there, so no record is lost and none is counted twice. Alerts raised
//! after the last checkpoint are raised again after a crash (with the same
//! ids): alerts are delivered at least once, the state exactly once.
//!
//! Format: a version number, then the rest in `postcard` (serde); a checkpoint
//! of another version or other parameters is refused with a message, never
//! misread.

use crate::engine::{Engine, LiveParams};
use crate::input::ReaderState;
use crate::source::Position;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bumped whenever the layout changes.
pub const VERSION: u32 = 2;

/// The file name inside the checkpoint folder.
pub const FILE: &str = "lockstep-watch.ckpt";

/// What a checkpoint holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`VERSION`].
    pub version: u32,
    /// The source's description (a checkpoint is for one source).
    pub source: String,
    /// Where the source is.
    pub position: Position,
    /// The reader's format and header.
    pub reader: ReaderState,
    /// Records read and skipped so far.
    pub records: u64,
    /// Records skipped so far.
    pub skipped: u64,
    /// The engine.
    pub engine: Engine,
}

/// A checkpoint to write, borrowing the live state (same layout as [`Checkpoint`]).
#[derive(Debug, Serialize)]
pub struct CheckpointRef<'a> {
    /// [`VERSION`].
    pub version: u32,
    /// The source's description.
    pub source: &'a str,
    /// Where the source is.
    pub position: &'a Position,
    /// The reader's format and header.
    pub reader: &'a ReaderState,
    /// Records read so far.
    pub records: u64,
    /// Records skipped so far.
    pub skipped: u64,
    /// The engine.
    pub engine: &'a Engine,
}

fn err(path: &Path, reason: impl std::fmt::Display) -> crate::Error {
    crate::Error::Checkpoint { path: path.display().to_string(), reason: reason.to_string() }
}

/// The checkpoint file of a folder.
pub fn path_in(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Writes `ckpt` as `dir`'s checkpoint, atomically; returns its size in bytes.
pub fn save(dir: &Path, ckpt: &CheckpointRef<'_>) -> crate::Result<u64> {
    let path = path_in(dir);
    fs_err::create_dir_all(dir).map_err(|e| err(&path, e))?;
    let mut tmp = tempfile::Builder::new().prefix(".ckpt").tempfile_in(dir).map_err(|e| err(&path, e))?;
    let bytes = postcard::to_stdvec(ckpt).map_err(|e| err(&path, e))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        w.write_all(&VERSION.to_le_bytes()).map_err(|e| err(&path, e))?;
        w.write_all(&bytes).map_err(|e| err(&path, e))?;
        w.flush().map_err(|e| err(&path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| err(&path, e))?;
    tmp.persist(&path).map_err(|e| err(&path, e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(bytes.len() as u64 + 4)
}

/// Reads `dir`'s checkpoint, if there is one, checked against the source and parameters.
pub fn load(dir: &Path, source: &str, params: &LiveParams) -> crate::Result<Option<Checkpoint>> {
    let path = path_in(dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err(&path, e)),
    };
    if bytes.len() < 4 || u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")) != VERSION {
        return Err(err(&path, format!("not a version {VERSION} checkpoint of lockstep watch")));
    }
    let ckpt: Checkpoint = postcard::from_bytes(&bytes[4..]).map_err(|e| err(&path, format!("unreadable: {e}")))?;
    if ckpt.source != source {
        return Err(err(
            &path,
            format!("it is of source {:?}, not {source:?}; give another --checkpoint folder", ckpt.source),
        ));
    }
    if ckpt.engine.params() != params {
        return Err(err(
            &path,
            format!(
                "it was made with other parameters ({:?}); run with the same ones or give another --checkpoint folder",
                ckpt.engine.params()
            ),
        ));
    }
    let engine = ckpt.engine.restore();
    Ok(Some(Checkpoint { engine, ..ckpt }))
}
