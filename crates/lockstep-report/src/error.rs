//! Output errors.

use std::path::{Path, PathBuf};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Output errors; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// I/O error (the message names the path).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Parquet writing failed.
    #[error("writing {path}: {cause}")]
    Parquet {
        /// File.
        path: PathBuf,
        /// Cause (said in the message, so not also the error's `source`).
        cause: parquet::errors::ParquetError,
    },
    /// The output folder or file cannot receive the results.
    #[error("--out {path}: {reason}")]
    Output {
        /// The `--out` folder or file as given.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// JSON serialisation failed.
    #[error("writing {path}: {cause}")]
    Json {
        /// File.
        path: PathBuf,
        /// Cause (said in the message, so not also the error's `source`).
        cause: serde_json::Error,
    },
}

impl Error {
    pub(crate) fn parquet(path: &Path, source: parquet::errors::ParquetError) -> Self {
        Error::Parquet { path: path.to_path_buf(), cause: source }
    }
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io(std::io::Error::new(source.kind(), format!("{}: {source}", path.display())))
    }
}
