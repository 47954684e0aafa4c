//! # lockstep-serve: the investigation workspace in the browser
//!
//! `lockstep serve` runs one process: an HTTP server ([axum]) with a JSON API
//! under `/api/v1` (OpenAPI at `/api/v1/openapi.json`), an embedded SQLite store
//! for datasets, runs and case notes ([`store`]), runs of the library pipeline
//! in a bounded background queue with progress as server-sent events and
//! cancellation ([`jobs`]), results served from indexes in memory
//! ([`results`], saved beside the run's outputs by [`saved`] and read back
//! after a restart), case exports ([`export`]) and a web UI embedded in the
//! binary ([`assets`]), and live alerts of `lockstep watch` received on an
//! ingest URL ([`live`]). [`security`] says who may call it.
//!
//! [`app`] is a plain constructor of the router, so tests call it without a socket:
//!
//! ```
//! # async fn f() -> anyhow::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let state = lockstep_serve::AppState::open(lockstep_serve::Config::new(dir.path()))?;
//! let router = lockstep_serve::app(state);
//! # drop(router); Ok(()) }
//! ```
//!
//! Invariants: only this crate knows HTTP; it runs no stage itself (it calls
//! `lockstep_pipeline`); every string from the data reaches the page as data
//! (the UI inserts text with `textContent`, never markup); nothing from a
//! request becomes a path but registered paths, which must resolve inside an
//! `--allow-path` folder.

pub mod api;
pub mod assets;
pub mod error;
pub mod export;
pub mod jobs;
pub mod live;
pub mod params;
pub mod results;
pub mod saved;
pub mod security;
pub mod store;

use axum::routing::{delete, get, post};
use axum::Router;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data folder (store, uploads, run outputs).
    pub data: PathBuf,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Token every API request must carry (required beyond loopback).
    pub token: Option<String>,
    /// Largest upload in bytes.
    pub max_upload: u64,
    /// Most runs waiting in the queue.
    pub queue: usize,
    /// Most finished runs kept loaded in memory.
    pub cached_runs: usize,
    /// Folders whose files may be registered as datasets (none: registering is off).
    pub allow_paths: Vec<PathBuf>,
}

impl Config {
    /// Defaults: loopback port 7878, no token, 2 GiB uploads, 8 queued runs, 2 loaded.
    pub fn new(data: &Path) -> Config {
        Config {
            data: data.to_path_buf(),
            listen: SocketAddr::from(([127, 0, 0, 1], 7878)),
            token: None,
            max_upload: 2 << 30,
            queue: 8,
            cached_runs: 2,
            allow_paths: Vec::new(),
        }
    }
}

/// What every handler shares.
#[derive(Debug)]
pub struct Inner {
    /// The configuration.
    pub config: Config,
    /// The data folder, absolute.
    pub data: PathBuf,
    /// The store.
    pub store: store::Store,
    /// The queue and loaded runs.
    pub jobs: jobs::Jobs,
    /// Live alerts: the ingest token and the pages listening.
    pub live: live::Live,
}

/// The server's state (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState {
    /// Shared state.
    pub inner: Arc<Inner>,
}

impl AppState {
    /// Opens the data folder (created if needed) and its store. Fails when
    /// listening beyond loopback without a token.
    pub fn open(config: Config) -> anyhow::Result<AppState> {
        if config.token.is_none() && !config.listen.ip().is_loopback() {
            anyhow::bail!(
                "listening on {} (beyond loopback) needs --token (anyone on the network could read and change the data)",
                config.listen
            );
        }
        fs_err::create_dir_all(&config.data)?;
        let data = fs_err::canonicalize(&config.data)?;
        let store = store::Store::open(&data.join("lockstep.sqlite3"))
            .map_err(|e| anyhow::anyhow!("opening the store in {}: {e}", data.display()))?;
        let jobs = jobs::Jobs::new(config.queue, config.cached_runs);
        let token = store
            .setting("ingest_token", security::new_token)
            .map_err(|e| anyhow::anyhow!("the store in {}: {e}", data.display()))?;
        let live = live::Live::new(token);
        Ok(AppState { inner: Arc::new(Inner { config, data, store, jobs, live }) })
    }
}

/// The router: the API, the page and its assets, behind [`security::guard`].
/// Starts the run worker when called inside a Tokio runtime.
pub fn app(state: AppState) -> Router {
    if tokio::runtime::Handle::try_current().is_ok() {
        jobs::start_worker(state.clone());
    }
    use api::*;
    let api = Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .route("/datasets", get(list_datasets).post(upload_dataset))
        .route("/datasets/register", post(register_dataset))
        .route("/datasets/{id}", get(get_dataset))
        .route("/params", get(param_docs))
        .route("/runs", get(list_runs).post(create_run))
        .route("/runs/{id}", get(get_run))
        .route("/runs/{id}/cancel", post(cancel_run))
        .route("/runs/{id}/events", get(run_events))
        .route("/runs/{id}/overview", get(overview))
        .route("/runs/{id}/groups/{group}", get(group))
        .route("/runs/{id}/groups/{group}/edges", get(group_edges))
        .route("/runs/{id}/evidence", get(evidence))
        .route("/runs/{id}/account", get(account))
        .route("/runs/{id}/object", get(object))
        .route("/runs/{id}/domain", get(domain))
        .route("/runs/{id}/search", get(search))
        .route("/runs/{id}/notes", get(list_notes).post(add_note))
        .route("/runs/{id}/notes/{note}", delete(delete_note))
        .route("/runs/{id}/export", get(export_case))
        .route("/live", get(live::alerts))
        .route("/live/events", get(live::events))
        .route("/live/ingest/{token}", post(live::ingest));
    Router::new()
        .nest("/api/v1", api)
        .route("/", get(assets::index))
        .route("/assets/{*name}", get(assets::file))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::guard))
        .with_state(state)
}

/// Serves until Ctrl-C; calls `ready` with the URL to open once listening.
pub async fn serve(config: Config, ready: impl FnOnce(&str)) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let token = config.token.clone();
    let state = AppState::open(config)?;
    let host = if addr.ip().is_loopback() { format!("127.0.0.1:{}", addr.port()) } else { addr.to_string() };
    let url = match token {
        Some(t) => format!("http://{host}/?token={t}"),
        None => format!("http://{host}/"),
    };
    ready(&url);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// [`serve`] on a multi-threaded Tokio runtime of its own (for callers without one).
pub fn serve_blocking(config: Config, ready: impl FnOnce(&str)) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(serve(config, ready))
}
