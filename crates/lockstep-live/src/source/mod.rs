//! Where records come from: a file being appended to (tail, with rotation),
//! stdin, a NATS JetStream subject ([`nats`]) or a Kafka topic (`kafka`, with
//! the `kafka` feature, on by default).
//!
//! A source hands out chunks of complete lines, each with the [`Position`] just
//! after it: a checkpoint stores the position of the last chunk its state
//! includes, and a restart resumes there. [`Source::commit`] tells the source
//! that a position is checkpointed (NATS acknowledges the messages up to it).
//!
//! File positions are `(device, inode, offset)`: the file is followed across
//! rotation (renamed and recreated: the old file is read to its end first, then
//! the new one from its start) and truncation (read again from the start). On a
//! restart, a checkpoint's file that was rotated while the watcher was down is
//! found by its inode in the same folder and read to its end before the file
//! now at the path.

#[cfg(feature = "kafka")]
pub mod kafka;
pub mod nats;

use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a source is, just after a chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// Nothing read yet.
    Start,
    /// A file: the bytes of complete lines read from the file with this identity.
    File {
        /// Device of the file.
        dev: u64,
        /// Inode of the file.
        ino: u64,
        /// Bytes read (complete lines).
        offset: u64,
    },
    /// Stdin: bytes of complete lines read.
    Stdin {
        /// Bytes read.
        offset: u64,
    },
    /// A Kafka topic: the next offset of every partition.
    Kafka {
        /// (partition, next offset).
        offsets: Vec<(i32, i64)>,
    },
    /// A JetStream stream: the last stream sequence read.
    Nats {
        /// Stream sequence of the last message in the state.
        stream_seq: u64,
    },
}

/// What a source gives.
#[derive(Debug)]
pub enum Event {
    /// Complete lines, and the position after them.
    Chunk(Vec<u8>, Position),
    /// Nothing new for now.
    Idle,
    /// The end (stdin closed; a file's end when not following; an empty NATS stream with `--exit-at-eof`).
    End,
}

/// A source of chunks.
pub trait Source: Send {
    /// The next chunk, [`Event::Idle`] after a short wait with nothing new, or the end.
    fn next(&mut self) -> crate::Result<Event>;
    /// The state up to `pos` is checkpointed.
    fn commit(&mut self, _pos: &Position) -> crate::Result<()> {
        Ok(())
    }
    /// What to call the stream in diagnostics.
    fn name(&self) -> String;
    /// Records or messages known to be waiting (lag), when the source knows.
    fn pending(&self) -> Option<u64> {
        None
    }
}

const READ_SIZE: usize = 1 << 20;
const IDLE_WAIT: Duration = Duration::from_millis(20);

/// Complete lines of `carry + fresh`: what to hand out now, the rest kept.
fn split_lines(carry: &mut Vec<u8>, fresh: &[u8]) -> Option<Vec<u8>> {
    match fresh.iter().rposition(|&b| b == b'\n') {
        Some(p) => {
            let mut out = std::mem::take(carry);
            out.extend_from_slice(&fresh[..=p]);
            carry.extend_from_slice(&fresh[p + 1..]);
            Some(out)
        }
        None => {
            carry.extend_from_slice(fresh);
            None
        }
    }
}

/// A file, followed (`tail -F`) or read to its end.
pub struct FileSource {
    path: PathBuf,
    file: std::fs::File,
    dev: u64,
    ino: u64,
    offset: u64,
    carry: Vec<u8>,
    follow: bool,
    /// Reading a rotated file found at a restart: go on with `path` at its end.
    then_path: bool,
    buf: Vec<u8>,
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn identity(_m: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

impl FileSource {
    /// Opens `path` at `from` (a checkpoint's position) or at its start.
    pub fn open(path: &Path, from: &Position, follow: bool) -> crate::Result<FileSource> {
        let open = |p: &Path| std::fs::File::open(p).map_err(|e| crate::Error::io(p.display(), e));
        let file = open(path)?;
        let (dev, ino) = identity(&file.metadata().map_err(|e| crate::Error::io(path.display(), e))?);
        let mut src = FileSource {
            path: path.to_path_buf(),
            file,
            dev,
            ino,
            offset: 0,
            carry: Vec::new(),
            follow,
            then_path: false,
            buf: vec![0; READ_SIZE],
        };
        if let Position::File { dev: d, ino: i, offset } = *from {
            if (d, i) == (dev, ino) {
                src.seek(offset)?;
            } else if let Some(rotated) = find_by_identity(path, d, i) {
                src.file = open(&rotated)?;
                (src.dev, src.ino) = (d, i);
                src.seek(offset)?;
                src.then_path = true;
            } else {
                return Err(crate::Error::Io(format!(
                    "{}: the checkpoint's file (inode {i}) is no longer there nor beside it; \
                     remove the checkpoint to read {} from its start",
                    path.display(),
                    path.display()
                )));
            }
        }
        Ok(src)
    }

    fn seek(&mut self, offset: u64) -> crate::Result<()> {
        self.file.seek(SeekFrom::Start(offset)).map_err(|e| crate::Error::io(self.path.display(), e))?;
        self.offset = offset;
        Ok(())
    }

    fn position(&self) -> Position {
        Position::File { dev: self.dev, ino: self.ino, offset: self.offset }
    }

    fn read_some(&mut self) -> crate::Result<usize> {
        loop {
            match self.file.read(&mut self.buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(crate::Error::io(self.path.display(), e)),
            }
        }
    }

    /// Switches to the file now at the path, from its start; the unfinished
    /// last line of the old file is handed out as it is.
    fn switch(&mut self) -> crate::Result<Option<Vec<u8>>> {
        let file = std::fs::File::open(&self.path).map_err(|e| crate::Error::io(self.path.display(), e))?;
        let (dev, ino) = identity(&file.metadata().map_err(|e| crate::Error::io(self.path.display(), e))?);
        let rest = std::mem::take(&mut self.carry);
        self.file = file;
        (self.dev, self.ino, self.offset) = (dev, ino, 0);
        self.then_path = false;
        Ok((!rest.is_empty()).then_some(rest))
    }
}

/// A file in `path`'s folder with this identity (the file rotated away).
fn find_by_identity(path: &Path, dev: u64, ino: u64) -> Option<PathBuf> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| std::fs::metadata(e.path()).is_ok_and(|m| identity(&m) == (dev, ino)))
        .map(|e| e.path())
}

impl Source for FileSource {
    fn next(&mut self) -> crate::Result<Event> {
        loop {
            let n = self.read_some()?;
            if n > 0 {
                let fresh = std::mem::take(&mut self.buf);
                let out = split_lines(&mut self.carry, &fresh[..n]);
                self.buf = fresh;
                if let Some(out) = out {
                    self.offset += out.len() as u64;
                    return Ok(Event::Chunk(out, self.position()));
                }
                continue;
            }
            // At the end of the file we have open.
            let now = std::fs::metadata(&self.path).ok();
            let rotated = now.as_ref().is_some_and(|m| identity(m) != (self.dev, self.ino));
            if rotated && (self.follow || self.then_path) {
                // Written after our last read and before the rename: read it first.
                loop {
                    let n = self.read_some()?;
                    if n == 0 {
                        break;
                    }
                    self.carry.extend_from_slice(&self.buf[..n]);
                }
                if let Some(last) = self.switch()? {
                    // The unfinished last line of the old file; the position is the new file's start.
                    return Ok(Event::Chunk(last, self.position()));
                }
                continue;
            }
            if now.as_ref().is_some_and(|m| !rotated && m.len() < self.offset + self.carry.len() as u64) {
                // Truncated (copytruncate): from the start again.
                self.carry.clear();
                self.seek(0)?;
                continue;
            }
            if !self.follow {
                if !self.carry.is_empty() {
                    let last = std::mem::take(&mut self.carry);
                    self.offset += last.len() as u64;
                    return Ok(Event::Chunk(last, self.position()));
                }
                return Ok(Event::End);
            }
            std::thread::sleep(IDLE_WAIT);
            return Ok(Event::Idle);
        }
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Standard input, read on a thread of its own (a blocking read must not stop
/// the watcher from checkpointing or stopping).
pub struct StdinSource {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    carry: Vec<u8>,
    offset: u64,
    skip: u64,
    ended: bool,
}

impl StdinSource {
    /// Reads stdin; after a restart, the first `from` bytes (the checkpoint's) are
    /// skipped: give the same stream again.
    pub fn open(from: &Position) -> StdinSource {
        let skip = match *from {
            Position::Stdin { offset } => offset,
            _ => 0,
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            loop {
                let mut buf = vec![0; READ_SIZE];
                match stdin.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.send(Ok(buf)).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        StdinSource { rx, carry: Vec::new(), offset: 0, skip, ended: false }
    }
}

impl Source for StdinSource {
    fn next(&mut self) -> crate::Result<Event> {
        loop {
            if self.ended {
                return Ok(Event::End);
            }
            match self.rx.recv_timeout(IDLE_WAIT) {
                Ok(Ok(mut buf)) => {
                    if self.skip > 0 {
                        let k = (self.skip as usize).min(buf.len());
                        buf.drain(..k);
                        self.skip -= k as u64;
                        self.offset += k as u64;
                    }
                    if let Some(out) = split_lines(&mut self.carry, &buf) {
                        self.offset += out.len() as u64;
                        return Ok(Event::Chunk(out, Position::Stdin { offset: self.offset }));
                    }
                }
                Ok(Err(e)) => return Err(crate::Error::io("<stdin>", e)),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return Ok(Event::Idle),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    self.ended = true;
                    if !self.carry.is_empty() {
                        let last = std::mem::take(&mut self.carry);
                        self.offset += last.len() as u64;
                        return Ok(Event::Chunk(last, Position::Stdin { offset: self.offset }));
                    }
                }
            }
        }
    }

    fn name(&self) -> String {
        "<stdin>".into()
    }
}

/// The lines of a file, `per_message` (at least 1) to a payload, each line
/// ending in `\n`: what `lockstep publish` sends to a broker.
pub(crate) struct Payloads {
    lines: std::io::Split<std::io::BufReader<std::fs::File>>,
    per_message: usize,
    path: PathBuf,
}

impl Payloads {
    pub(crate) fn open(path: &Path, per_message: usize) -> crate::Result<Payloads> {
        use std::io::BufRead;
        let file = std::fs::File::open(path).map_err(|e| crate::Error::io(path.display(), e))?;
        let lines = std::io::BufReader::with_capacity(1 << 20, file).split(b'\n');
        Ok(Payloads { lines, per_message: per_message.max(1), path: path.to_path_buf() })
    }
}

impl Iterator for Payloads {
    type Item = crate::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut payload = Vec::new();
        for line in self.lines.by_ref().take(self.per_message) {
            match line {
                Ok(l) => {
                    payload.extend_from_slice(&l);
                    payload.push(b'\n');
                }
                Err(e) => return Some(Err(crate::Error::io(self.path.display(), e))),
            }
        }
        (!payload.is_empty()).then_some(Ok(payload))
    }
}
