//! `lockstep publish`: the lines of a file onto a NATS JetStream subject.

use crate::cli::PublishArgs;
use lockstep_live::source::nats::{publish_lines, split_url, NatsSpec};

pub fn run(args: PublishArgs) -> anyhow::Result<()> {
    let Some((server, subject)) = split_url(&args.to) else {
        anyhow::bail!("{:?}: expected nats://HOST:PORT/SUBJECT", args.to);
    };
    let spec = NatsSpec::new(server, subject, Some(&args.stream), None);
    let start = std::time::Instant::now();
    let sent = publish_lines(&spec, &args.file, args.lines_per_message)?;
    eprintln!(
        "published {sent} messages from {} to {} (stream {}) in {:.2} s",
        args.file.display(),
        args.to,
        args.stream,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
