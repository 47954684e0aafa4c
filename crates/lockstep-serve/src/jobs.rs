//! Background runs: a bounded queue, one worker running the library pipeline
//! on a blocking thread, progress events for the page (server-sent events),
//! cancellation, and the cache of loaded runs.
//!
//! Cancelling a queued run removes it before it starts. Cancelling a running
//! run stops it at its next progress event (while reading, between stages):
//! `JobProgress` unwinds the pipeline's thread with a `Cancelled` payload
//! (`resume_unwind`, which runs no panic hook) and the worker catches it. The
//! detection stage sends no events inside, so a cancel there takes effect when
//! it ends; its result is then dropped.

use crate::params::RunParams;
use crate::results::Loaded;
use crate::saved::Saved;
use crate::store::{Dataset, Run};
use crate::AppState;
use lockstep_core::{Progress, Reading};
use serde::Serialize;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};

/// Where a run stands, as sent to the page.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// Run id.
    pub run: i64,
    /// `queued`, `running`, `done`, `failed`, `cancelled`.
    pub state: String,
    /// Current stage (`reading`, `detecting`, …).
    pub stage: String,
    /// Bytes read of the input.
    pub bytes: u64,
    /// The input's size.
    pub total_bytes: Option<u64>,
    /// Records read.
    pub records: u64,
    /// Why it failed.
    pub error: Option<String>,
}

impl Event {
    /// True once the run will send nothing more.
    pub fn is_final(&self) -> bool {
        matches!(self.state.as_str(), "done" | "failed" | "cancelled" | "interrupted")
    }
}

/// One queued or running run.
#[derive(Debug)]
pub struct JobHandle {
    cancel: AtomicBool,
    events: broadcast::Sender<Event>,
    last: Mutex<Event>,
}

impl JobHandle {
    fn new(run: i64) -> Arc<JobHandle> {
        let (events, _) = broadcast::channel(64);
        Arc::new(JobHandle {
            cancel: AtomicBool::new(false),
            events,
            last: Mutex::new(Event { run, state: "queued".into(), ..Event::default() }),
        })
    }

    fn update(&self, f: impl FnOnce(&mut Event)) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut last);
        // No subscriber is not an error.
        let _ = self.events.send(last.clone());
    }

    /// The latest event and a receiver of the next ones.
    pub fn subscribe(&self) -> (Event, broadcast::Receiver<Event>) {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        (last.clone(), self.events.subscribe())
    }
}

/// The unwinding payload of a cancelled run.
struct Cancelled;

/// The pipeline's progress, sent to the run's subscribers (reading events at
/// most every 100 ms); checks for cancellation at every event.
struct JobProgress<'a> {
    handle: &'a JobHandle,
    last_read: Mutex<Instant>,
}

impl JobProgress<'_> {
    fn check(&self) {
        if self.handle.cancel.load(Ordering::Relaxed) {
            std::panic::resume_unwind(Box::new(Cancelled));
        }
    }
}

impl Progress for JobProgress<'_> {
    fn stage(&self, name: &'static str) {
        self.check();
        self.handle.update(|e| e.stage = name.to_string());
    }
    fn lap(&self, _name: &'static str, _seconds: f64) {
        self.check();
    }
    fn reading(&self, at: &Reading<'_>) {
        self.check();
        let mut last = self.last_read.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= Duration::from_millis(100) {
            *last = Instant::now();
            self.handle.update(|e| {
                e.bytes = at.bytes;
                e.total_bytes = at.total_bytes;
                e.records = at.records;
            });
        }
    }
}

/// The queue, the running and queued runs, and the loaded results.
#[derive(Debug)]
pub struct Jobs {
    tx: mpsc::Sender<i64>,
    rx: Mutex<Option<mpsc::Receiver<i64>>>,
    handles: Mutex<HashMap<i64, Arc<JobHandle>>>,
    loaded: Mutex<Vec<(i64, Arc<Loaded>)>>,
    loading: tokio::sync::Mutex<()>,
    cache: usize,
}

impl Jobs {
    /// A queue of at most `queue` waiting runs; at most `cache` runs kept loaded.
    pub fn new(queue: usize, cache: usize) -> Jobs {
        let (tx, rx) = mpsc::channel(queue.max(1));
        Jobs {
            tx,
            rx: Mutex::new(Some(rx)),
            handles: Mutex::new(HashMap::new()),
            loaded: Mutex::new(Vec::new()),
            loading: tokio::sync::Mutex::new(()),
            cache: cache.max(1),
        }
    }

    /// A place in the queue, or `None` when it is full.
    pub fn reserve(&self) -> Option<mpsc::Permit<'_, i64>> {
        self.tx.try_reserve().ok()
    }

    /// Queues run `id` with a reserved place.
    pub fn enqueue(&self, permit: mpsc::Permit<'_, i64>, id: i64) {
        self.handles.lock().unwrap_or_else(|e| e.into_inner()).insert(id, JobHandle::new(id));
        permit.send(id);
    }

    /// The handle of a queued or running run.
    pub fn handle(&self, id: i64) -> Option<Arc<JobHandle>> {
        self.handles.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    /// Asks run `id` to stop; false when it is neither queued nor running.
    pub fn cancel(&self, id: i64) -> bool {
        match self.handle(id) {
            Some(h) => {
                h.cancel.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    fn remember(&self, id: i64, loaded: Arc<Loaded>) {
        // The search index in the background: the first views need not wait for it.
        let warm = loaded.clone();
        let _ = std::thread::Builder::new().name("search-index".into()).spawn(move || {
            warm.warm_search();
        });
        let mut l = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        l.retain(|(r, _)| *r != id);
        l.insert(0, (id, loaded));
        l.truncate(self.cache);
    }

    fn cached(&self, id: i64) -> Option<Arc<Loaded>> {
        let mut l = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let i = l.iter().position(|(r, _)| *r == id)?;
        let hit = l.remove(i);
        let found = hit.1.clone();
        l.insert(0, hit);
        Some(found)
    }
}

/// The results of finished run `run`: from the cache, else read back from the
/// file its run saved ([`crate::saved`]), else (a run saved by an older server,
/// or a damaged file) recomputed from its dataset and parameters (the same
/// inputs and parameters give the same results) and saved; one load at a time.
pub async fn loaded(state: &AppState, run: &Run) -> Result<Arc<Loaded>, String> {
    let jobs = &state.inner.jobs;
    if let Some(l) = jobs.cached(run.id) {
        return Ok(l);
    }
    let _one = jobs.loading.lock().await;
    if let Some(l) = jobs.cached(run.id) {
        return Ok(l);
    }
    let dir = state.inner.data.join("runs").join(run.id.to_string());
    let id = run.id;
    let store_dataset = state.inner.store.dataset(run.dataset).map_err(|e| e.to_string());
    let params = run.params.clone();
    let l = tokio::task::spawn_blocking(move || {
        match Saved::read(&dir).and_then(|s| s.map(Loaded::new).transpose()) {
            Ok(Some(l)) => return Ok(Arc::new(l)),
            Ok(None) => {}
            Err(e) => eprintln!("lockstep serve: run {id}: {e}; computing it again"),
        }
        let dataset = store_dataset?.ok_or("dataset gone")?;
        let params: RunParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
        let (p, opts) = params.to_pipeline()?;
        let input = lockstep_pipeline::Input::path(&dataset.path);
        let analysis =
            lockstep_pipeline::run(&[input], &opts, &p, &lockstep_core::NoProgress).map_err(|e| e.to_string())?;
        let saved = Saved::new(&analysis);
        drop(analysis);
        // Saved for the next start; serving does not depend on it.
        if let Err(e) = fs_err::create_dir_all(&dir).map_err(|e| e.to_string()).and_then(|()| saved.write(&dir)) {
            eprintln!("lockstep serve: run {id}: {e}");
        }
        Ok::<_, String>(Arc::new(Loaded::new(saved)?))
    })
    .await
    .map_err(|e| e.to_string())??;
    jobs.remember(run.id, l.clone());
    Ok(l)
}

/// Starts the worker (once): runs queued runs one after another.
pub fn start_worker(state: AppState) {
    let Some(mut rx) = state.inner.jobs.rx.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return;
    };
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            let st = state.clone();
            let outcome = tokio::task::spawn_blocking(move || execute(&st, id)).await;
            if let Err(e) = outcome {
                eprintln!("lockstep serve: run {id}: worker failed: {e}");
            }
            state.inner.jobs.handles.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        }
    });
}

/// Runs one queued run to its end, recording it in the store.
fn execute(state: &AppState, id: i64) {
    let store = &state.inner.store;
    let Some(handle) = state.inner.jobs.handle(id) else { return };
    let end = |st: &str, error: Option<String>, summary: Option<serde_json::Value>| {
        if let Err(e) = store.run_ended(id, st, error.as_deref(), summary.as_ref()) {
            eprintln!("lockstep serve: run {id}: {e}");
        }
        handle.update(|ev| {
            ev.state = st.to_string();
            ev.error = error.clone();
        });
    };
    if handle.cancel.load(Ordering::Relaxed) {
        return end("cancelled", None, None);
    }
    let found = store.run(id).ok().flatten().and_then(|r| {
        let d = store.dataset(r.dataset).ok().flatten()?;
        Some((r, d))
    });
    let Some((run, dataset)) = found else { return end("failed", Some("run or dataset not found".into()), None) };
    if let Err(e) = store.run_started(id) {
        return end("failed", Some(e.to_string()), None);
    }
    handle.update(|e| e.state = "running".into());
    let progress = JobProgress { handle: &handle, last_read: Mutex::new(Instant::now()) };
    let out = state.inner.data.join("runs").join(id.to_string());
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| analyse(&run, &dataset, &out, &progress)));
    match result {
        Ok(Ok((loaded, seconds))) => {
            if handle.cancel.load(Ordering::Relaxed) {
                return end("cancelled", None, None);
            }
            let mut summary = loaded.summary().clone();
            summary["seconds"] =
                serde_json::json!({"analysis": seconds[0], "outputs": seconds[1], "indexes": seconds[2]});
            state.inner.jobs.remember(id, Arc::new(loaded));
            end("done", None, Some(summary))
        }
        Ok(Err(e)) => end("failed", Some(e), None),
        Err(payload) if payload.is::<Cancelled>() => end("cancelled", None, None),
        Err(_) => end("failed", Some("the analysis stopped on an internal error (see the server's log)".into()), None),
    }
}

/// The pipeline on one dataset; its outputs (Parquet tables, report.json, GEXF)
/// and what the views need ([`crate::saved`]) written to `out`.
fn analyse(
    run: &Run,
    dataset: &Dataset,
    out: &std::path::Path,
    progress: &JobProgress<'_>,
) -> Result<(Loaded, [f64; 3]), String> {
    let params: RunParams = serde_json::from_value(run.params.clone()).map_err(|e| format!("parameters: {e}"))?;
    let (p, opts) = params.to_pipeline()?;
    let input = lockstep_pipeline::Input::path(&dataset.path);
    let t = Instant::now();
    let analysis = lockstep_pipeline::run(&[input], &opts, &p, progress).map_err(|e| e.to_string())?;
    let analysed = t.elapsed().as_secs_f64();
    progress.check();
    if let Some(parent) = out.parent() {
        fs_err::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let output = lockstep_report::OutputOptions {
        format: lockstep_report::TableFormat::Parquet,
        graphs: vec![lockstep_report::GraphFormat::Gexf],
        ..Default::default()
    };
    let t = Instant::now();
    lockstep_pipeline::write(&analysis, &output, out, progress).map_err(|e| e.to_string())?;
    let written = t.elapsed().as_secs_f64();
    progress.stage("indexing");
    let t = Instant::now();
    let saved = Saved::new(&analysis);
    drop(analysis);
    saved.write(out)?;
    let loaded = Loaded::new(saved)?;
    Ok((loaded, [analysed, written, t.elapsed().as_secs_f64()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_is_bounded_and_only_live_runs_cancel() {
        let jobs = Jobs::new(1, 1);
        let permit = jobs.reserve().expect("room for one");
        jobs.enqueue(permit, 1);
        assert!(jobs.reserve().is_none(), "a full queue refuses");
        assert!(jobs.cancel(1));
        assert!(!jobs.cancel(2));
    }

    #[test]
    fn a_cancelled_run_unwinds_at_its_next_progress_event() {
        let handle = JobHandle::new(1);
        let progress = JobProgress { handle: &handle, last_read: Mutex::new(Instant::now()) };
        progress.stage("reading");
        assert_eq!(handle.subscribe().0.stage, "reading");
        handle.cancel.store(true, Ordering::Relaxed);
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| progress.stage("detecting"))).unwrap_err();
        assert!(caught.is::<Cancelled>());
        assert_eq!(handle.subscribe().0.stage, "reading", "no event after the cancel");
    }
}
