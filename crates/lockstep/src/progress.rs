//! Progress on a terminal, silence when piped.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Stage reporter: a spinner per stage on a terminal (stderr), nothing otherwise
/// unless `verbose`, where each stage's time is printed on stderr.
pub struct Stages {
    bar: Option<ProgressBar>,
    start: Instant,
    stage_start: Instant,
    stage: &'static str,
    quiet: bool,
    verbose: bool,
    /// Sub-stage times of the current stage, shown after its line.
    laps: Vec<(&'static str, f64)>,
}

impl Stages {
    /// Starts reporting.
    pub fn new(quiet: bool, verbose: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}").expect("template"));
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        let now = Instant::now();
        Stages { bar, start: now, stage_start: now, stage: "", quiet, verbose, laps: Vec::new() }
    }

    /// True when a progress display is shown (readers may draw their own bars).
    pub fn interactive(&self) -> bool {
        self.bar.is_some()
    }

    /// Enters a new stage.
    pub fn stage(&mut self, name: &'static str) {
        self.finish_stage();
        self.stage = name;
        self.stage_start = Instant::now();
        if let Some(b) = &self.bar {
            b.set_message(name);
        }
    }

    fn finish_stage(&mut self) {
        if !self.stage.is_empty() && !self.quiet {
            let line = format!("  {:<22} {:>8.2} s", self.stage, self.stage_start.elapsed().as_secs_f64());
            match &self.bar {
                Some(b) => b.println(line),
                None if self.verbose => eprintln!("{line}"),
                None => {}
            }
        }
        for (name, secs) in std::mem::take(&mut self.laps) {
            self.show_lap(name, secs);
        }
    }

    /// Sub-stage times of the current stage, shown (indented one more level)
    /// after its line when it ends.
    pub fn detail(&mut self, laps: &[(&'static str, f64)]) {
        self.laps.extend_from_slice(laps);
    }

    fn show_lap(&self, name: &str, secs: f64) {
        if self.quiet || (self.bar.is_none() && !self.verbose) {
            return;
        }
        let line = format!("    {name:<20} {secs:>8.2} s");
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Ends and returns the total seconds.
    pub fn done(mut self) -> f64 {
        self.finish_stage();
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        self.start.elapsed().as_secs_f64()
    }
}
