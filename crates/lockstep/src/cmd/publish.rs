//! `lockstep publish`: the lines of a file onto a NATS JetStream subject or a Kafka topic.

use crate::cli::PublishArgs;
use lockstep_live::source::nats::{publish_lines, split_url, NatsSpec};

pub fn run(args: PublishArgs) -> anyhow::Result<()> {
    if let Some((brokers, topic)) = lockstep_live::source::kafka::split_url(&args.to) {
        let start = std::time::Instant::now();
        let sent = lockstep_live::source::kafka::publish_lines(&brokers, &topic, &args.file, args.lines_per_message)?;
        eprintln!(
            "produced {sent} messages from {} to {} in {:.2} s",
            args.file.display(),
            args.to,
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let Some((server, subject)) = split_url(&args.to) else {
        anyhow::bail!("{:?}: expected nats://HOST:PORT/SUBJECT or kafka://HOST:PORT/TOPIC", args.to);
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
