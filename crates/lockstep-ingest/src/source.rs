//! Opening an input: a path or `-` (stdin), with gzip and zstd decompressed
//! transparently. Compression is recognised by magic bytes (`1f 8b`, `28 b5 2f fd`)
//! and otherwise by extension (`.gz`, `.zst`, `.zstd`).
//!
//! The first [`HEAD_LEN`] decompressed bytes are read up front, kept in
//! [`Source::head`] for format detection, and replayed by [`Source::reader`].

use crate::{Error, Result};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes of decompressed input kept for sniffing.
pub(crate) const HEAD_LEN: usize = 64 * 1024;
const BUF_LEN: usize = 256 * 1024;

/// How the input bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What a reader needs to know about its input besides the bytes.
#[derive(Debug, Clone)]
pub(crate) struct SourceInfo {
    /// Display name: the path as given, or `<stdin>`.
    pub name: String,
    /// The path, `None` for stdin.
    pub path: Option<PathBuf>,
    pub compression: Compression,
    /// Raw (possibly compressed) bytes read so far.
    pub raw_bytes: Arc<AtomicU64>,
    /// Raw size when known (regular files).
    pub raw_len: Option<u64>,
}

impl SourceInfo {
    /// The error for an I/O failure after `line` lines: a decompression error when
    /// the input is compressed (that is nearly always the cause), else a read error.
    pub fn read_error(&self, line: u64, source: io::Error) -> Error {
        match self.compression {
            Compression::None => Error::Io { file: self.name.clone(), line, cause: source },
            c => Error::Decompress { file: self.name.clone(), compression: c.name(), line, cause: source },
        }
    }

    /// Raw bytes read so far.
    pub fn raw_bytes(&self) -> u64 {
        self.raw_bytes.load(Ordering::Relaxed)
    }
}

/// An opened, decompressed input.
pub(crate) struct Source {
    pub info: SourceInfo,
    /// The first decompressed bytes (at most [`HEAD_LEN`]), never empty.
    pub head: Vec<u8>,
    /// All decompressed bytes from the start (the head is replayed).
    pub reader: Box<dyn BufRead>,
}

/// Whole-input bytes for readers that need random access (Parquet).
pub(crate) enum RandomAccess {
    /// An uncompressed regular file.
    File(std::fs::File),
    /// Everything read into memory (stdin or compressed input).
    Bytes(bytes::Bytes),
}

impl Source {
    /// Opens `path` (`-` for stdin).
    pub fn open(path: &Path) -> Result<Source> {
        let stdin = path.as_os_str() == "-";
        let name = if stdin { "<stdin>".to_string() } else { path.display().to_string() };
        let (raw, raw_len): (Box<dyn Read>, Option<u64>) = if stdin {
            (Box::new(io::stdin().lock()), None)
        } else {
            let file = fs_err::File::open(path).map_err(|source| Error::Open { file: name.clone(), cause: source })?;
            let len = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
            (Box::new(file), len)
        };
        Self::from_read(name, (!stdin).then_some(path), raw, raw_len)
    }

    /// An input from any reader (`path`, when given, is used for the
    /// compression-by-extension rule and for random access).
    pub fn from_read(name: String, path: Option<&Path>, raw: Box<dyn Read>, raw_len: Option<u64>) -> Result<Source> {
        let raw_bytes = Arc::new(AtomicU64::new(0));
        let mut raw = BufReader::with_capacity(BUF_LEN, Counting { inner: raw, count: raw_bytes.clone() });
        let magic =
            read_head(&mut raw, 4).map_err(|source| Error::Io { file: name.clone(), line: 0, cause: source })?;
        if magic.is_empty() {
            return Err(Error::Empty { file: name, what: "the input has no bytes" });
        }
        let compression = compression_of(path.unwrap_or(Path::new("")), &magic);
        let raw = Cursor::new(magic).chain(raw);
        let info = SourceInfo { name, path: path.map(Path::to_path_buf), compression, raw_bytes, raw_len };
        let mut decoded: Box<dyn Read> = match compression {
            Compression::None => Box::new(raw),
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(raw)),
            Compression::Zstd => {
                Box::new(zstd::stream::read::Decoder::with_buffer(raw).map_err(|e| info.read_error(0, e))?)
            }
        };
        let head = read_head(&mut decoded, HEAD_LEN).map_err(|e| info.read_error(0, e))?;
        if head.is_empty() {
            return Err(Error::Empty { file: info.name, what: "the decompressed stream has no bytes" });
        }
        let reader = Box::new(BufReader::with_capacity(BUF_LEN, Cursor::new(head.clone()).chain(decoded)));
        Ok(Source { info, head, reader })
    }

    /// The whole input for random access: the file itself when it is a plain
    /// regular file, else everything read into memory.
    pub fn into_random_access(self) -> Result<RandomAccess> {
        let Source { info, mut reader, .. } = self;
        if let (Some(path), Compression::None, Some(_)) = (&info.path, info.compression, info.raw_len) {
            let file =
                fs_err::File::open(path).map_err(|source| Error::Open { file: info.name.clone(), cause: source })?;
            info.raw_bytes.store(info.raw_len.unwrap_or(0), Ordering::Relaxed);
            return Ok(RandomAccess::File(file.into_file()));
        }
        let mut all = Vec::new();
        reader.read_to_end(&mut all).map_err(|e| info.read_error(0, e))?;
        Ok(RandomAccess::Bytes(bytes::Bytes::from(all)))
    }
}

fn compression_of(path: &Path, magic: &[u8]) -> Compression {
    if magic.starts_with(&[0x1f, 0x8b]) {
        return Compression::Gzip;
    }
    if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Compression::Zstd;
    }
    // Not the magic, but the name says so: decode anyway and let the decoder explain.
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("gz") => Compression::Gzip,
        Some("zst" | "zstd") => Compression::Zstd,
        _ => Compression::None,
    }
}

/// Reads up to `n` bytes (fewer only at end of input).
fn read_head<R: Read>(r: &mut R, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n.min(HEAD_LEN));
    r.take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Counts bytes read from the raw input (for progress and the summary).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn open_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Result<Source>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let src = Source::open(&path);
        (dir, src)
    }

    fn all(src: Source) -> Vec<u8> {
        let mut out = Vec::new();
        let mut r = src.reader;
        r.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn plain_gzip_zstd_round_trip() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{i},x\n").into_bytes()).collect();
        let (_d, src) = open_bytes("a.csv", &data);
        let src = src.unwrap();
        assert_eq!(src.info.compression, Compression::None);
        assert_eq!(src.head.len(), HEAD_LEN);
        assert_eq!(all(src), data);

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data).unwrap();
        // No extension: recognised by magic.
        let (_d, src) = open_bytes("a", &gz.finish().unwrap());
        let src = src.unwrap();
        assert_eq!(src.info.compression, Compression::Gzip);
        assert_eq!(all(src), data);

        let zst = zstd::encode_all(&data[..], 1).unwrap();
        let (_d, src) = open_bytes("a.csv.zst", &zst);
        let src = src.unwrap();
        assert_eq!(src.info.compression, Compression::Zstd);
        assert_eq!(all(src), data);
    }

    #[test]
    fn empty_and_missing() {
        let (_d, src) = open_bytes("e.csv", b"");
        assert!(matches!(src, Err(Error::Empty { .. })));
        let err = Source::open(Path::new("/nonexistent/x.csv")).err().unwrap();
        assert!(matches!(err, Error::Open { .. }));
        assert!(err.to_string().contains("/nonexistent/x.csv"), "{err}");
    }
}
