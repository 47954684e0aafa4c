//! The JSON API under `/api/v1` (documented by the OpenAPI document at
//! `/api/v1/openapi.json`, built from the annotations here).

use crate::error::{ApiError, ApiResult};
use crate::jobs::{self, Event};
use crate::params::{describe, ParamDoc, RunParams};
use crate::results::Loaded;
use crate::store::{Dataset, Note, Run};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Digest;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lockstep serve API",
        description = "Datasets, runs, views of results, case notes and exports. Mutating requests need the X-Lockstep-Request header (docs/serve.md)."
    ),
    paths(
        health,
        list_datasets,
        upload_dataset,
        register_dataset,
        get_dataset,
        param_docs,
        list_runs,
        create_run,
        get_run,
        cancel_run,
        run_events,
        overview,
        group,
        group_edges,
        evidence,
        account,
        object,
        domain,
        search,
        list_notes,
        add_note,
        delete_note,
        export_case,
        crate::live::ingest,
        crate::live::alerts,
        crate::live::events
    ),
    components(schemas(Dataset, Run, Note, Event, RunParams, ParamDoc, NewRun, NewNote, RegisterPath))
)]
pub struct ApiDoc;

/// `/api/v1/openapi.json`.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Server status and version.
#[utoipa::path(get, path = "/api/v1/health", responses((status = 200, description = "Up")))]
pub async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "ok": true,
        "version": env!("CARGO_PKG_VERSION"),
        "max_upload_bytes": state.inner.config.max_upload,
        "register_paths": !state.inner.config.allow_paths.is_empty(),
    }))
}

/// Every dataset, newest first.
#[utoipa::path(get, path = "/api/v1/datasets", responses((status = 200, body = [Dataset])))]
pub async fn list_datasets(State(state): State<AppState>) -> ApiResult<Json<Vec<Dataset>>> {
    Ok(Json(state.inner.store.datasets()?))
}

/// Query of an upload.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file's name (its extension tells the format: .csv, .jsonl, .parquet, .gz, …).
    pub name: String,
}

/// A file name safe as the last part of a path: ASCII letters, digits, `.`,
/// `-`, `_` (others become `_`), no leading dot, at most 100 characters.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    while s.starts_with('.') {
        s.remove(0);
    }
    let s: String = s.chars().rev().take(100).collect::<Vec<_>>().into_iter().rev().collect();
    if s.is_empty() {
        "upload".into()
    } else {
        s
    }
}

/// Upload a dataset: the request body is the file (streamed to disk, never held whole in memory).
#[utoipa::path(post, path = "/api/v1/datasets", params(UploadQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Dataset), (status = 400, description = "Empty file"), (status = 413, description = "Over the size limit")))]
pub async fn upload_dataset(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> ApiResult<Response> {
    let limit = state.inner.config.max_upload;
    let dir = state.inner.data.join("uploads");
    tokio::fs::create_dir_all(&dir).await?;
    let tmp = dir.join(format!(".part-{}", crate::security::new_token()));
    let result = async {
        let mut file = tokio::fs::File::create(&tmp).await?;
        let mut hash = sha2::Sha256::new();
        let mut bytes = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request(format!("upload interrupted: {e}")))?;
            bytes += chunk.len() as u64;
            if bytes > limit {
                return Err(ApiError::too_large(format!(
                    "the upload is over the limit of {limit} bytes (--max-upload)"
                )));
            }
            hash.update(&chunk);
            file.write_all(&chunk).await?;
        }
        file.sync_all().await?;
        if bytes == 0 {
            return Err(ApiError::bad_request("the upload is empty"));
        }
        Ok((bytes, hash.finalize()))
    }
    .await;
    let (bytes, digest) = match result {
        Ok(x) => x,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
    };
    let sha: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let dest = dir.join(format!("{}-{}", &sha[..16], safe_file_name(&q.name)));
    tokio::fs::rename(&tmp, &dest).await?;
    let d = state.inner.store.add_dataset(&q.name, "upload", &dest.to_string_lossy(), bytes, &sha)?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// A path on the server to register.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterPath {
    /// The file (inside a folder given with `--allow-path`).
    pub path: String,
}

/// Register a file already on the server (inside an `--allow-path` folder; `..` and links out of it are refused).
#[utoipa::path(post, path = "/api/v1/datasets/register", request_body = RegisterPath,
    responses((status = 201, body = Dataset), (status = 403, description = "Outside the allowed folders"), (status = 404, description = "No such file")))]
pub async fn register_dataset(State(state): State<AppState>, Json(req): Json<RegisterPath>) -> ApiResult<Response> {
    let roots = &state.inner.config.allow_paths;
    if roots.is_empty() {
        return Err(ApiError::forbidden("registering paths is off: start the server with --allow-path DIR"));
    }
    let path = std::path::Path::new(&req.path);
    let real = std::fs::canonicalize(path).map_err(|_| ApiError::not_found("no such file"))?;
    let inside = roots.iter().filter_map(|r| std::fs::canonicalize(r).ok()).any(|r| real.starts_with(&r));
    if !inside {
        return Err(ApiError::forbidden("the path is outside the folders allowed with --allow-path"));
    }
    if !real.is_file() {
        return Err(ApiError::bad_request("not a regular file"));
    }
    let real2 = real.clone();
    let (bytes, sha) = tokio::task::spawn_blocking(move || -> std::io::Result<(u64, String)> {
        let mut f = std::fs::File::open(&real2)?;
        let mut h = sha2::Sha256::new();
        let n = std::io::copy(&mut f, &mut h)?;
        Ok((n, h.finalize().iter().map(|b| format!("{b:02x}")).collect()))
    })
    .await
    .map_err(ApiError::internal)??;
    let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let d = state.inner.store.add_dataset(&name, "path", &real.to_string_lossy(), bytes, &sha)?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// One dataset, with the diagnostics of its latest finished run.
#[utoipa::path(get, path = "/api/v1/datasets/{id}", params(("id" = i64, Path)), responses((status = 200, body = Dataset), (status = 404)))]
pub async fn get_dataset(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let d = state.inner.store.dataset(id)?.ok_or_else(|| ApiError::not_found("no such dataset"))?;
    let runs: Vec<Run> = state.inner.store.runs()?.into_iter().filter(|r| r.dataset == id).collect();
    Ok(Json(json!({"dataset": d, "runs": runs})))
}

/// The run parameters with their defaults and meaning.
#[utoipa::path(get, path = "/api/v1/params", responses((status = 200, body = [ParamDoc])))]
pub async fn param_docs() -> Json<Vec<ParamDoc>> {
    Json(describe())
}

/// Every run, newest first.
#[utoipa::path(get, path = "/api/v1/runs", responses((status = 200, body = [Run])))]
pub async fn list_runs(State(state): State<AppState>) -> ApiResult<Json<Vec<Run>>> {
    Ok(Json(state.inner.store.runs()?))
}

/// A run to start.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRun {
    /// Dataset id.
    pub dataset: i64,
    /// Parameters (missing fields take their defaults).
    #[serde(default)]
    pub params: RunParams,
}

/// Queue a run of a dataset.
#[utoipa::path(post, path = "/api/v1/runs", request_body = NewRun,
    responses((status = 201, body = Run), (status = 400, description = "Invalid parameters"), (status = 404, description = "No such dataset"), (status = 409, description = "Queue full")))]
pub async fn create_run(State(state): State<AppState>, Json(req): Json<NewRun>) -> ApiResult<Response> {
    req.params.to_pipeline().map_err(ApiError::bad_request)?;
    state.inner.store.dataset(req.dataset)?.ok_or_else(|| ApiError::not_found("no such dataset"))?;
    let permit =
        state.inner.jobs.reserve().ok_or_else(|| ApiError::conflict("the run queue is full; try again later"))?;
    let params = serde_json::to_value(&req.params).map_err(ApiError::internal)?;
    let run = state.inner.store.add_run(req.dataset, &params)?;
    state.inner.jobs.enqueue(permit, run.id);
    Ok((StatusCode::CREATED, Json(run)).into_response())
}

fn find_run(state: &AppState, id: i64) -> ApiResult<Run> {
    state.inner.store.run(id)?.ok_or_else(|| ApiError::not_found("no such run"))
}

/// One run.
#[utoipa::path(get, path = "/api/v1/runs/{id}", params(("id" = i64, Path)), responses((status = 200, body = Run), (status = 404)))]
pub async fn get_run(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Run>> {
    Ok(Json(find_run(&state, id)?))
}

/// Cancel a queued or running run.
#[utoipa::path(post, path = "/api/v1/runs/{id}/cancel", params(("id" = i64, Path)),
    responses((status = 202, description = "Cancelling"), (status = 404), (status = 409, description = "Already ended")))]
pub async fn cancel_run(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Response> {
    find_run(&state, id)?;
    if state.inner.jobs.cancel(id) {
        Ok((StatusCode::ACCEPTED, Json(json!({"cancelling": id}))).into_response())
    } else {
        Err(ApiError::conflict("the run has already ended"))
    }
}

/// Progress of a run as server-sent events (`data:` an Event as JSON), until it ends.
#[utoipa::path(get, path = "/api/v1/runs/{id}/events", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/event-stream", body = Event), (status = 404)))]
pub async fn run_events(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let run = find_run(&state, id)?;
    let (first, rx) = match state.inner.jobs.handle(id) {
        Some(h) => {
            let (e, rx) = h.subscribe();
            (e, Some(rx))
        }
        None => (Event { run: id, state: run.state.clone(), error: run.error.clone(), ..Event::default() }, None),
    };
    let to_sse = |e: &Event| SseEvent::default().json_data(e).unwrap_or_else(|_| SseEvent::default());
    let head = futures_util::stream::iter(vec![Ok(to_sse(&first))]);
    let done = first.is_final() || rx.is_none();
    let tail = rx
        .filter(|_| !done)
        .map(|rx| {
            tokio_stream::wrappers::BroadcastStream::new(rx)
                .filter_map(|e| async move { e.ok() })
                .scan(false, |ended, e| {
                    let out = if *ended { None } else { Some(e) };
                    if let Some(e) = &out {
                        *ended = e.is_final();
                    }
                    async move { out }
                })
                .map(move |e| Ok(to_sse(&e)))
                .boxed()
        })
        .unwrap_or_else(|| futures_util::stream::empty().boxed());
    Ok(Sse::new(head.chain(tail)).keep_alive(KeepAlive::default()))
}

/// A finished run's loaded results (409 while it is not done).
async fn results(state: &AppState, id: i64) -> ApiResult<(Run, Arc<Loaded>)> {
    let run = find_run(state, id)?;
    if run.state != "done" {
        return Err(ApiError::conflict(format!("run {id} is {}, not done", run.state)));
    }
    let l = jobs::loaded(state, &run).await.map_err(ApiError::internal)?;
    Ok((run, l))
}

/// Query of the overview.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OverviewQuery {
    /// Most groups listed (default 200).
    pub limit: Option<usize>,
}

/// Run overview: figures, ranked groups and communities, parameters, diagnostics, summary.
#[utoipa::path(get, path = "/api/v1/runs/{id}/overview", params(("id" = i64, Path), OverviewQuery),
    responses((status = 200, description = "The overview"), (status = 404), (status = 409, description = "Not done")))]
pub async fn overview(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<OverviewQuery>,
) -> ApiResult<Response> {
    let (_, l) = results(&state, id).await?;
    let limit = q.limit.unwrap_or(200).min(10_000);
    let bytes = tokio::task::spawn_blocking(move || l.overview_json(limit)).await.map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// Time range of a group's timeline.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SpanQuery {
    /// Only shares at or after this time (UNIX seconds).
    pub from: Option<i64>,
    /// Only shares at or before this time (UNIX seconds).
    pub to: Option<i64>,
}

/// A group: members, network (its 10,000 heaviest edges, `edges_total`), timeline of co-shares
/// (the earliest 20,000 in the time range, `timeline_total`), top objects, flagged domains.
///
/// `edges` and `timeline` are columns (arrays of equal length) with accounts as indexes into
/// `members`: `edges` has `a`, `b`, `weight`, `score`, `avg_time_delta`; `timeline` has `time`,
/// `account`, `object` (an index into `timeline.objects`, each `{object, kind}` once) and `post`.
/// Gzip-compressed when the request's `Accept-Encoding` takes gzip (compressed once per group and
/// time range, then kept).
#[utoipa::path(get, path = "/api/v1/runs/{id}/groups/{group}", params(("id" = i64, Path), ("group" = usize, Path), SpanQuery),
    responses((status = 200, description = "The group; `edges` and `timeline` as columns, accounts as indexes into `members`"), (status = 404)))]
pub async fn group(
    State(state): State<AppState>,
    Path((id, g)): Path<(i64, usize)>,
    Query(q): Query<SpanQuery>,
    headers: header::HeaderMap,
) -> ApiResult<Response> {
    let (_, l) = results(&state, id).await?;
    let groups = l.groups();
    let answer = tokio::task::spawn_blocking(move || l.group_json(g, (q.from, q.to)))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no group {g} (there are {groups})")))?;
    let json = [(header::CONTENT_TYPE, "application/json"), (header::VARY, "accept-encoding")];
    Ok(if accepts_gzip(&headers) {
        (json, [(header::CONTENT_ENCODING, "gzip")], answer.gzip).into_response()
    } else {
        (json, answer.json).into_response()
    })
}

/// Whether a request's `Accept-Encoding` takes gzip (`gzip`, `x-gzip` or `*`, without `q=0`).
pub fn accepts_gzip(headers: &header::HeaderMap) -> bool {
    let Some(value) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut star = false;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "gzip" | "x-gzip" => return q > 0.0,
            "*" => star = q > 0.0,
            _ => {}
        }
    }
    star
}

/// A page of rows.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Rows to skip (default 0).
    pub offset: Option<usize>,
    /// Most rows returned (default 500, at most 10,000).
    pub limit: Option<usize>,
}

/// A page of a group's edges, heaviest first (the group view holds the first 10,000 and `edges_total`).
#[utoipa::path(get, path = "/api/v1/runs/{id}/groups/{group}/edges",
    params(("id" = i64, Path), ("group" = usize, Path), PageQuery),
    responses((status = 200, description = "`edges_total`, `offset` and the page's `edges`"), (status = 404)))]
pub async fn group_edges(
    State(state): State<AppState>,
    Path((id, g)): Path<(i64, usize)>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Response> {
    let (_, l) = results(&state, id).await?;
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(500).min(crate::results::GROUP_EDGES_LIMIT));
    l.group_edges_page(g, offset, limit)
        .map(|p| Json(p).into_response())
        .ok_or_else(|| ApiError::not_found(format!("no group {g}")))
}

/// Query naming an edge.
#[derive(Debug, Deserialize, IntoParams)]
pub struct EdgeQuery {
    /// One account.
    pub a: String,
    /// The other.
    pub b: String,
}

/// The evidence of an edge: every co-share, with both posts, both times, the delay and who was first.
#[utoipa::path(get, path = "/api/v1/runs/{id}/evidence", params(("id" = i64, Path), EdgeQuery),
    responses((status = 200, description = "The evidence"), (status = 404, description = "No such account or edge")))]
pub async fn evidence(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<EdgeQuery>,
) -> ApiResult<Json<Value>> {
    let (_, l) = results(&state, id).await?;
    l.evidence(&q.a, &q.b).map(Json).ok_or_else(|| ApiError::not_found("no edge between these accounts"))
}

/// Query naming an account.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NameQuery {
    /// The account's name.
    pub name: String,
    /// Posts to skip (default 0).
    pub posts_offset: Option<usize>,
    /// Partners to skip (default 0).
    pub partners_offset: Option<usize>,
    /// Most posts and most partners returned (default 200, at most 1,000).
    pub limit: Option<usize>,
}

/// A page from the query's offset and limit.
fn page(offset: Option<usize>, limit: Option<usize>) -> crate::results::Page {
    crate::results::Page { offset: offset.unwrap_or(0), limit: limit.unwrap_or(crate::results::ROWS_PAGE) }
}

/// An account: a page of its posts (time order) and of its partners with weights and scores (heaviest
/// first), with their totals (`shares`, `partners_total`); its group.
#[utoipa::path(get, path = "/api/v1/runs/{id}/account", params(("id" = i64, Path), NameQuery),
    responses((status = 200, description = "The account"), (status = 404)))]
pub async fn account(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<NameQuery>,
) -> ApiResult<Response> {
    let (_, l) = results(&state, id).await?;
    l.account_view(&q.name, page(q.posts_offset, q.limit), page(q.partners_offset, q.limit))
        .map(|v| Json(v).into_response())
        .ok_or_else(|| ApiError::not_found("no such account"))
}

/// Query naming an object.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ObjectQuery {
    /// Its value.
    pub value: String,
    /// Its kind (any when absent).
    #[serde(default)]
    pub kind: String,
    /// Shares to skip (default 0).
    pub offset: Option<usize>,
    /// Most shares returned (default 200, at most 1,000).
    pub limit: Option<usize>,
}

/// An object: a page of who shared it when (time order) with `shares_total`; for links, the domain's verdict.
#[utoipa::path(get, path = "/api/v1/runs/{id}/object", params(("id" = i64, Path), ObjectQuery),
    responses((status = 200, description = "The object"), (status = 404)))]
pub async fn object(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ObjectQuery>,
) -> ApiResult<Response> {
    let (_, l) = results(&state, id).await?;
    l.object_view(&q.kind, &q.value, page(q.offset, q.limit))
        .map(|v| Json(v).into_response())
        .ok_or_else(|| ApiError::not_found("no such object"))
}

/// Query naming a domain.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DomainQuery {
    /// The host.
    pub host: String,
}

/// A linked domain: its verdict and why (technique, outlet, feed source), shares, groups.
#[utoipa::path(get, path = "/api/v1/runs/{id}/domain", params(("id" = i64, Path), DomainQuery),
    responses((status = 200, description = "The domain"), (status = 404)))]
pub async fn domain(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<DomainQuery>,
) -> ApiResult<Json<Value>> {
    let (_, l) = results(&state, id).await?;
    l.domain_view(&q.host).map(Json).ok_or_else(|| ApiError::not_found("no such linked domain"))
}

/// Query of a search.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Text to find (case-insensitive substring, at least 2 characters).
    pub q: String,
}

/// Search accounts, objects and domains.
#[utoipa::path(get, path = "/api/v1/runs/{id}/search", params(("id" = i64, Path), SearchQuery),
    responses((status = 200, description = "Matches"), (status = 400, description = "Query too short")))]
pub async fn search(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    if q.q.chars().count() < 2 {
        return Err(ApiError::bad_request("search for at least 2 characters"));
    }
    let (_, l) = results(&state, id).await?;
    Ok(Json(l.search(&q.q, 25)))
}

/// Query of the notes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NotesQuery {
    /// Only notes on this kind of target…
    pub target_kind: Option<String>,
    /// …and this target.
    pub target: Option<String>,
}

/// A run's case notes.
#[utoipa::path(get, path = "/api/v1/runs/{id}/notes", params(("id" = i64, Path), NotesQuery), responses((status = 200, body = [Note])))]
pub async fn list_notes(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<NotesQuery>,
) -> ApiResult<Json<Vec<Note>>> {
    find_run(&state, id)?;
    let target = match (&q.target_kind, &q.target) {
        (Some(k), Some(t)) => Some((k.as_str(), t.as_str())),
        _ => None,
    };
    Ok(Json(state.inner.store.notes(id, target)?))
}

/// A note to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// `run`, `group`, `account`, `object` or `domain`.
    pub target_kind: String,
    /// Group number, account name, object value or domain (empty for the run).
    #[serde(default)]
    pub target: String,
    /// Who writes it.
    pub author: String,
    /// Tags, comma-separated.
    #[serde(default)]
    pub tags: String,
    /// The note (1 to 20,000 characters).
    pub body: String,
}

/// Add a case note.
#[utoipa::path(post, path = "/api/v1/runs/{id}/notes", params(("id" = i64, Path)), request_body = NewNote,
    responses((status = 201, body = Note), (status = 400, description = "Invalid note"), (status = 404)))]
pub async fn add_note(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(n): Json<NewNote>,
) -> ApiResult<Response> {
    find_run(&state, id)?;
    if !["run", "group", "account", "object", "domain"].contains(&n.target_kind.as_str()) {
        return Err(ApiError::bad_request("target_kind: run, group, account, object or domain"));
    }
    let body = n.body.trim();
    if body.is_empty() || body.chars().count() > 20_000 {
        return Err(ApiError::bad_request("body: 1 to 20,000 characters"));
    }
    if n.author.trim().is_empty()
        || n.author.chars().count() > 200
        || n.tags.chars().count() > 1_000
        || n.target.chars().count() > 10_000
    {
        return Err(ApiError::bad_request("author: 1 to 200 characters; tags: at most 1,000; target: at most 10,000"));
    }
    let note = state.inner.store.add_note(id, &n.target_kind, &n.target, n.author.trim(), &n.tags, body)?;
    Ok((StatusCode::CREATED, Json(note)).into_response())
}

/// Delete a case note.
#[utoipa::path(delete, path = "/api/v1/runs/{id}/notes/{note}", params(("id" = i64, Path), ("note" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete_note(State(state): State<AppState>, Path((id, note)): Path<(i64, i64)>) -> ApiResult<StatusCode> {
    if state.inner.store.delete_note(id, note)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("no such note"))
    }
}

/// Query of an export.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// The group to export.
    pub group: usize,
}

/// Export a group as a case: a zip of edges.csv, evidence.csv, members.csv, network.gexf, notes.csv, params.json, provenance.json, report.html.
#[utoipa::path(get, path = "/api/v1/runs/{id}/export", params(("id" = i64, Path), ExportQuery),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404)))]
pub async fn export_case(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let (run, l) = results(&state, id).await?;
    let dataset = state.inner.store.dataset(run.dataset)?.ok_or_else(|| ApiError::not_found("dataset gone"))?;
    let notes = state.inner.store.notes(id, None)?;
    let g = q.group;
    let zip = tokio::task::spawn_blocking(move || crate::export::case_zip(&l, &run, &dataset, g, &notes))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::not_found(format!("no group {g}")))?;
    let disposition = format!("attachment; filename=\"lockstep-run{id}-group{g}.zip\"");
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, disposition)], zip)
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn upload_names_become_safe_file_names() {
        assert_eq!(safe_file_name("posts.csv.gz"), "posts.csv.gz");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("..\\..\\x.csv"), "x.csv");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("a b<script>.csv"), "a_b_script_.csv");
        assert_eq!(safe_file_name(".."), "upload");
        assert_eq!(safe_file_name(""), "upload");
        assert_eq!(safe_file_name(&"x".repeat(300)).len(), 100);
    }
}
