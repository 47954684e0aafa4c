//! Sinks for generated posts: an in-memory [`Dataset`] or CSV files.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use lockstep_core::Dataset;

use crate::config::ScenarioConfig;
use crate::generate::{generate, Scenario};

/// Header of the posts CSV written by [`write_csv`].
pub const POSTS_HEADER: &str = "account_id,object_id,kind,content_id,timestamp_share";
/// Header of the truth CSV written by [`write_csv`].
pub const TRUTH_HEADER: &str = "account_id,group,style";

/// Generates the scenario into an in-memory [`Dataset`] (shares in time order).
pub fn generate_dataset(cfg: &ScenarioConfig) -> (Dataset, Scenario) {
    let mut ds = Dataset::default();
    ds.reserve(cfg.posts);
    let scenario = generate(cfg, |p| ds.push(&p.account, &p.object, p.kind, &p.post_id, p.time));
    (ds, scenario)
}

/// Streams the posts to `posts_path` and the planted truth to `truth_path`.
///
/// Posts CSV: header [`POSTS_HEADER`], one row per post in time order, timestamp
/// in integer UNIX seconds. Truth CSV: header [`TRUTH_HEADER`], one row per
/// planted account. No field contains a comma or quote, so nothing is quoted.
/// Same config, same bytes.
pub fn write_csv(cfg: &ScenarioConfig, posts_path: &Path, truth_path: &Path) -> io::Result<Scenario> {
    let mut out = BufWriter::with_capacity(1 << 22, File::create(posts_path).map_err(|e| with_path(e, posts_path))?);
    let mut result = writeln!(out, "{POSTS_HEADER}");
    let mut num = itoa::Buffer::new();
    let scenario = generate(cfg, |p| {
        if result.is_ok() {
            result = write_row(&mut out, &mut num, p);
        }
    });
    result.and_then(|()| out.flush()).map_err(|e| with_path(e, posts_path))?;

    let mut out = BufWriter::new(File::create(truth_path).map_err(|e| with_path(e, truth_path))?);
    let mut write_truth = || -> io::Result<()> {
        writeln!(out, "{TRUTH_HEADER}")?;
        for r in &scenario.truth {
            writeln!(out, "{},{},{}", r.account, r.group, r.style)?;
        }
        out.flush()
    };
    write_truth().map_err(|e| with_path(e, truth_path))?;
    Ok(scenario)
}

fn write_row(out: &mut impl Write, num: &mut itoa::Buffer, p: &crate::Post) -> io::Result<()> {
    out.write_all(p.account.as_bytes())?;
    out.write_all(b",")?;
    out.write_all(p.object.as_bytes())?;
    out.write_all(b",")?;
    out.write_all(p.kind.as_bytes())?;
    out.write_all(b",")?;
    out.write_all(p.post_id.as_bytes())?;
    out.write_all(b",")?;
    out.write_all(num.format(p.time).as_bytes())?;
    out.write_all(b"\n")
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
