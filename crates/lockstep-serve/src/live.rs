//! Live alerts of `lockstep watch`, received, stored and shown.
//!
//! `lockstep watch … --alert http://HOST:PORT/api/v1/live/ingest/TOKEN` POSTs
//! each alert's JSON (docs/live.md) to the server. The ingest URL carries a
//! per-server token of its own (generated at the first start, kept in the
//! store, shown on the Live page to whoever may use the API): the webhook sink
//! sends neither the API token nor the `X-Lockstep-Request` header, so the
//! ingest route alone accepts its path token instead (compared in constant
//! time; a wrong one is 404, as for any unknown path). A cross-site page cannot
//! post there without knowing the token. Alerts are stored in SQLite
//! (duplicates, which `watch` may send again after a crash, are dropped by
//! their source and id) and streamed to open pages as server-sent events.

use crate::error::{ApiError, ApiResult};
use crate::store::StoredAlert;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::Json;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;
use tokio::sync::broadcast;

/// Largest alert accepted (bytes of JSON).
pub const MAX_ALERT_BYTES: usize = 1 << 20;
/// Most alerts a list returns.
pub const LIST_LIMIT: usize = 500;

/// New alerts, for the pages that listen.
#[derive(Debug)]
pub struct Live {
    /// The ingest token.
    pub token: String,
    tx: broadcast::Sender<StoredAlert>,
}

impl Live {
    /// With the store's ingest token.
    pub fn new(token: String) -> Live {
        let (tx, _) = broadcast::channel(256);
        Live { token, tx }
    }
}

/// Where a stored alert came from and what it says.
fn check_alert(v: &Value) -> Result<(u64, String, i64), String> {
    let o = v.as_object().ok_or("an alert is a JSON object")?;
    let id = o.get("id").and_then(Value::as_u64).ok_or("the alert has no numeric `id`")?;
    let kind = o.get("alert").and_then(Value::as_str).ok_or("the alert has no `alert` kind")?;
    if kind.is_empty() || kind.len() > 40 || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err("the alert's kind is not a lower-case word".into());
    }
    let time = o.get("event_time").and_then(Value::as_i64).ok_or("the alert has no numeric `event_time`")?;
    Ok((id, kind.to_string(), time))
}

/// Query of the ingest route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct IngestQuery {
    /// Names the watcher, when several post to one server (default `watch`; ids are unique per source).
    pub source: Option<String>,
}

/// Receives one alert from `lockstep watch --alert URL` (the URL's last segment is the ingest token).
#[utoipa::path(post, path = "/api/v1/live/ingest/{token}", params(("token" = String, Path), IngestQuery),
    responses((status = 201, description = "Stored"), (status = 200, description = "Already stored (same source and id)"),
        (status = 400, description = "Not an alert"), (status = 404, description = "Wrong token")))]
pub async fn ingest(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<IngestQuery>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let live = &state.inner.live;
    if !crate::security::eq_constant_time(token.as_bytes(), live.token.as_bytes()) {
        return Err(ApiError::not_found("no such path"));
    }
    if body.len() > MAX_ALERT_BYTES {
        return Err(ApiError::bad_request(format!("an alert of {} bytes (at most {MAX_ALERT_BYTES})", body.len())));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("not JSON: {e}")))?;
    let (id, kind, time) = check_alert(&v).map_err(ApiError::bad_request)?;
    let source = q.source.unwrap_or_else(|| "watch".into());
    if source.is_empty() || source.chars().count() > 100 || source.chars().any(char::is_control) {
        return Err(ApiError::bad_request("source: 1 to 100 characters, no control characters"));
    }
    match state.inner.store.add_alert(&source, id, &kind, time, &v.to_string())? {
        Some(stored) => {
            // No page listening is not an error.
            let _ = live.tx.send(stored.clone());
            Ok((StatusCode::CREATED, Json(json!({"stored": stored.id}))))
        }
        None => Ok((StatusCode::OK, Json(json!({"duplicate": true})))),
    }
}

/// Query of the alert list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AlertsQuery {
    /// Only alerts stored after this one (its `id` in the store).
    pub after: Option<i64>,
    /// Most alerts returned, newest first (default and at most 500).
    pub limit: Option<usize>,
}

/// The ingest path and the latest alerts, newest first.
#[utoipa::path(get, path = "/api/v1/live", params(AlertsQuery), responses((status = 200, description = "Ingest path and alerts")))]
pub async fn alerts(State(state): State<AppState>, Query(q): Query<AlertsQuery>) -> ApiResult<Json<Value>> {
    let limit = q.limit.unwrap_or(LIST_LIMIT).clamp(1, LIST_LIMIT);
    let list = state.inner.store.alerts(q.after.unwrap_or(0), limit)?;
    Ok(Json(json!({
        "ingest_path": format!("/api/v1/live/ingest/{}", state.inner.live.token),
        "total": state.inner.store.alert_count()?,
        "alerts": list,
    })))
}

/// New alerts as they arrive (server-sent events, one `alert` event each).
#[utoipa::path(get, path = "/api/v1/live/events", responses((status = 200, description = "text/event-stream")))]
pub async fn events(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let rx = state.inner.live.tx.subscribe();
    let stream = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(|a| async move {
        let a = a.ok()?;
        Some(Ok(SseEvent::default().event("alert").json_data(&a).unwrap_or_default()))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_need_an_id_a_kind_and_a_time() {
        assert!(check_alert(&json!({"id": 1, "alert": "edge", "event_time": 5})).is_ok());
        assert!(check_alert(&json!({"id": 1, "alert": "flagged_domain", "event_time": 5})).is_ok());
        assert!(check_alert(&json!([1])).is_err());
        assert!(check_alert(&json!({"alert": "edge", "event_time": 5})).is_err());
        assert!(check_alert(&json!({"id": 1, "alert": "<b>", "event_time": 5})).is_err());
        assert!(check_alert(&json!({"id": 1, "alert": "edge"})).is_err());
    }
}
