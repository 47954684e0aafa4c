//! `lockstep serve` end to end in a real browser: headless Chromium (Debian's
//! `chromium`) driven by playwright-core (`crates/lockstep-serve/e2e`, set up
//! by `npm ci` there). The script generates a dataset with planted networks,
//! uploads it through the page, runs it and works a case (see `e2e.mjs`).
//! Screenshots land in `target/e2e-screenshots/`.
//!
//! When node, chromium, unzip or the npm packages are missing this test says
//! so and passes, unless `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn missing(what: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but {what}: .ci/run installs it");
    }
    eprintln!("skipped: {what} (install chromium and unzip, and run `npm ci` in crates/lockstep-serve/e2e)");
}

fn runs(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().is_ok_and(|o| o.status.success())
}

#[test]
fn a_case_worked_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let e2e = root.join("crates/lockstep-serve/e2e");
    let chromium = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/chromium".into());
    if !runs("node", "--version") {
        return missing("node is not installed");
    }
    if !chromium.exists() {
        return missing(&format!("chromium is not installed ({})", chromium.display()));
    }
    if !runs("unzip", "-v") {
        return missing("unzip is not installed");
    }
    if !e2e.join("node_modules/playwright-core").is_dir() {
        return missing("playwright-core is not installed");
    }
    let out = Command::new("node")
        .arg("e2e.mjs")
        .current_dir(&e2e)
        .env("LOCKSTEP_BIN", env!("CARGO_BIN_EXE_lockstep"))
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOTS", root.join("target/e2e-screenshots"))
        .output()
        .expect("node runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{text}");
    assert!(out.status.success(), "the browser test failed:\n{text}");
    assert!(text.contains("e2e: passed"), "{text}");
}
