//! Progress on a terminal, silence when piped: the binary's
//! [`lockstep_core::Progress`]. The library crates only send events; this is
//! the one place that draws bars.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use lockstep_core::{Progress, Reading};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Stage reporter: a spinner per stage and a bar per input being read on a
/// terminal (stderr), nothing otherwise unless `verbose`, where each stage's
/// time is printed on stderr.
pub struct Stages {
    bars: Option<Bars>,
    start: Instant,
    quiet: bool,
    verbose: bool,
    state: Mutex<State>,
}

/// The terminal's bars: the stage spinner and the bar of the input being read.
struct Bars {
    multi: MultiProgress,
    spinner: ProgressBar,
    reading: Mutex<Option<ProgressBar>>,
}

struct State {
    stage: &'static str,
    stage_start: Instant,
    /// Sub-stage times of the current stage, shown after its line.
    laps: Vec<(&'static str, f64)>,
}

impl Stages {
    /// Starts reporting.
    pub fn new(quiet: bool, verbose: bool) -> Self {
        let bars = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let spinner = multi.add(ProgressBar::new_spinner());
            spinner.set_style(ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}").expect("template"));
            spinner.enable_steady_tick(Duration::from_millis(120));
            Bars { multi, spinner, reading: Mutex::new(None) }
        });
        let now = Instant::now();
        Stages {
            bars,
            start: now,
            quiet,
            verbose,
            state: Mutex::new(State { stage: "", stage_start: now, laps: Vec::new() }),
        }
    }

    fn finish_stage(&self, state: &mut State) {
        if !state.stage.is_empty() {
            self.line(format!("  {:<22} {:>8.2} s", state.stage, state.stage_start.elapsed().as_secs_f64()));
        }
        for (name, secs) in std::mem::take(&mut state.laps) {
            self.line(format!("    {name:<20} {secs:>8.2} s"));
        }
    }

    /// A line above the bars (on a terminal) or on stderr with `verbose`.
    fn line(&self, line: String) {
        if self.quiet {
            return;
        }
        match &self.bars {
            Some(b) => b.spinner.println(line),
            None if self.verbose => eprintln!("{line}"),
            None => {}
        }
    }

    /// Ends and returns the total seconds.
    pub fn done(self) -> f64 {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.finish_stage(&mut state);
        if let Some(b) = &self.bars {
            b.spinner.finish_and_clear();
        }
        self.start.elapsed().as_secs_f64()
    }
}

impl Progress for Stages {
    fn stage(&self, name: &'static str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.finish_stage(&mut state);
        state.stage = name;
        state.stage_start = Instant::now();
        if let Some(b) = &self.bars {
            b.spinner.set_message(name);
        }
    }

    fn lap(&self, name: &'static str, seconds: f64) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).laps.push((name, seconds));
    }

    fn reading(&self, at: &Reading<'_>) {
        let Some(b) = &self.bars else { return };
        let mut reading = b.reading.lock().unwrap_or_else(|e| e.into_inner());
        let bar = reading.get_or_insert_with(|| b.multi.add(new_bar(at)));
        bar.set_position(at.bytes);
        bar.set_message(format!("{} records", at.records));
    }

    fn read_done(&self, _source: &str) {
        let Some(b) = &self.bars else { return };
        if let Some(bar) = b.reading.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish_and_clear();
            b.multi.remove(&bar);
        }
    }
}

/// A byte bar for one input (a spinner when its length is unknown).
fn new_bar(at: &Reading<'_>) -> ProgressBar {
    let pb = match at.total_bytes {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template(
                "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::no_length().with_style(
            ProgressStyle::with_template("{spinner} {prefix} {bytes} ({bytes_per_sec}) {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    pb.set_prefix(at.source.to_string());
    pb
}
