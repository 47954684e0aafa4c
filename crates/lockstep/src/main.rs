//! The `lockstep` command: a thin shell over the library crates.
//! Each subcommand lives in `cmd/<name>.rs`.

#[cfg(target_os = "linux")]
mod alloc;
mod cli;
mod cmd;
mod progress;

use clap::Parser;
use std::process::ExitCode;

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: alloc::HugePages = alloc::HugePages;

fn main() -> ExitCode {
    alloc::keep_freed_memory();
    let args = cli::Cli::parse();
    match cmd::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`lockstep … | head`) is not an error.
            if err
                .chain()
                .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", error_message(&err));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, joined by `: ` as `{:#}` joins them, but without
/// a cause whose text already ends the message: errors that name their
/// source in their own text (`… truncated gzip stream after line 9: incomplete
/// deflate stream`) would otherwise print it twice.
fn error_message(err: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if msg.is_empty() {
            msg = text;
        } else if !msg.ends_with(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::error_message;

    /// An error that names its source in its own text, as lockstep-ingest's do.
    #[derive(Debug)]
    struct Named {
        source: std::io::Error,
    }

    impl std::fmt::Display for Named {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "f.gz: corrupt or truncated gzip stream after line 9: {}", self.source)
        }
    }

    impl std::error::Error for Named {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let inner = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete deflate stream");
        let err = anyhow::Error::new(Named { source: inner }).context("reading inputs");
        assert_eq!(
            error_message(&err),
            "reading inputs: f.gz: corrupt or truncated gzip stream after line 9: incomplete deflate stream"
        );
        let plain = anyhow::anyhow!("no such column").context("reading a.csv");
        assert_eq!(error_message(&plain), "reading a.csv: no such column");
    }
}
