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
    // Linux only, as the module: elsewhere the system allocator's defaults stay.
    #[cfg(target_os = "linux")]
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
            // Errors quote the data (values, header names): escaped and bounded.
            eprintln!("error: {}", lockstep_core::terminal_safe_lines(&format!("{err:#}"), 2000));
            ExitCode::from(1)
        }
    }
}
