//! The `near_text` section of report.json: what the near-text stage did
//! (`lockstep_neartext::Summary`: shares, distinct and removed texts,
//! clusters, candidate and similar pairs, capped buckets, the parameters).

use crate::{Error, Result};
use std::path::Path;

/// Adds `near_text` to `dir/report.json` (written by [`crate::write_outputs`]).
pub fn annotate_near_text(dir: &Path, summary: &lockstep_neartext::Summary) -> Result<()> {
    let path = dir.join("report.json");
    let text = fs_err::read_to_string(&path)?;
    let json_err = |e| Error::Json { path: path.clone(), cause: e };
    let mut report: serde_json::Value = serde_json::from_str(&text).map_err(json_err)?;
    if let Some(obj) = report.as_object_mut() {
        obj.insert("near_text".into(), serde_json::to_value(summary).map_err(json_err)?);
    }
    let mut out = serde_json::to_string_pretty(&report).map_err(json_err)?;
    out.push('\n');
    fs_err::write(&path, out)?;
    Ok(())
}
