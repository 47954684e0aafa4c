//! One file per subcommand.

mod demo;
mod detect;
pub(crate) mod domains;
mod explain;
mod generate;
mod publish;
mod serve;
mod watch;

use crate::cli::{Cli, Command};

/// Dispatches.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Detect(args) => detect::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Domains(args) => domains::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Publish(args) => publish::run(args),
    }
}
