//! `lockstep serve`: the investigation workspace (`lockstep-serve`) on a port.

use crate::cli::ServeArgs;

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let token = match args.token.as_deref() {
        Some("random") => Some(lockstep_serve::security::new_token()),
        Some("") => anyhow::bail!("--token: give a token, or `random`"),
        other => other.map(str::to_string),
    };
    let config = lockstep_serve::Config {
        data: args.data,
        listen: args.listen,
        token,
        max_upload: args.max_upload,
        queue: args.queue,
        cached_runs: args.cached_runs,
        allow_paths: args.allow_path,
    };
    let data = config.data.display().to_string();
    lockstep_serve::serve_blocking(config, |url| {
        // Scripts (the browser test) read this line to find the port.
        println!("lockstep serve: listening on {url} (data in {data}; Ctrl-C stops)");
    })
}
