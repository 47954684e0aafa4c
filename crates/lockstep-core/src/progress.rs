//! Progress as an interface: the library crates report what they are doing
//! through [`Progress`]; only a front end (the `lockstep` binary's terminal
//! bars, later a server's event stream) decides how to show it.

/// Where a reader stands in one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading<'a> {
    /// The input's name (path as given, or `<stdin>`).
    pub source: &'a str,
    /// Bytes read from the raw input (before decompression) so far.
    pub bytes: u64,
    /// The raw input's length, when known (a file, not a pipe).
    pub total_bytes: Option<u64>,
    /// Records (rows, lines, posts) read so far.
    pub records: u64,
}

/// Receives progress events. Every method has a default that does nothing, so
/// an implementation picks what it shows. Events may come from several
/// threads (hence `Sync`); they never carry results, so ignoring them changes
/// no output.
pub trait Progress: Sync {
    /// A new stage of a run starts (`reading`, `detecting`, …); the previous one ended.
    fn stage(&self, _name: &'static str) {}
    /// A part of the current stage took `seconds` (shown after the stage's line).
    fn lap(&self, _name: &'static str, _seconds: f64) {}
    /// A reader advanced in one input.
    fn reading(&self, _at: &Reading<'_>) {}
    /// A reader finished one input (also when it stopped with an error).
    fn read_done(&self, _source: &str) {}
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records events as text.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Progress for Log {
        fn stage(&self, name: &'static str) {
            self.0.lock().unwrap().push(format!("stage {name}"));
        }
        fn reading(&self, at: &Reading<'_>) {
            self.0.lock().unwrap().push(format!("{} {}/{:?} {}", at.source, at.bytes, at.total_bytes, at.records));
        }
    }

    #[test]
    fn events_reach_the_implementation_and_defaults_ignore_the_rest() {
        let log = Log::default();
        let p: &dyn Progress = &log;
        p.stage("reading");
        p.reading(&Reading { source: "a.csv", bytes: 10, total_bytes: Some(20), records: 3 });
        p.lap("edges", 0.5);
        p.read_done("a.csv");
        NoProgress.stage("detecting");
        assert_eq!(*log.0.lock().unwrap(), ["stage reading", "a.csv 10/Some(20) 3"]);
    }
}
