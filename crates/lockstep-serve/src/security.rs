//! Who may call the server, and from where.
//!
//! - **Token.** With a token configured (required when listening beyond
//!   loopback), every API request must carry it: `Authorization: Bearer T`,
//!   `X-Lockstep-Token: T`, or the `lockstep_token` cookie. Opening
//!   `/?token=T` sets that cookie (HttpOnly, SameSite=Strict) and redirects to
//!   the page without the token in its address.
//! - **DNS rebinding.** Without a token the server answers only requests whose
//!   `Host` is a loopback name or address.
//! - **CSRF.** A request that changes anything (any method but GET and HEAD)
//!   must carry the `X-Lockstep-Request` header, which a cross-site form cannot
//!   send and a cross-site script cannot send without a CORS preflight the
//!   server never grants; its `Origin`, when present, must be the server's own,
//!   and `Sec-Fetch-Site`, when present, `same-origin` or `none`.
//! - **Headers.** Every response forbids framing and sniffing and carries a
//!   Content-Security-Policy that allows scripts from the server only.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Header a mutating request must carry.
pub const REQUEST_HEADER: &str = "x-lockstep-request";
/// Header carrying the token.
pub const TOKEN_HEADER: &str = "x-lockstep-token";
/// Cookie carrying the token.
pub const TOKEN_COOKIE: &str = "lockstep_token";

/// The Content-Security-Policy of every response. Styles allow inline
/// attributes (the WebGL renderer positions its canvases with them); scripts
/// come from the server only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
                       connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Equal bytes, compared in time independent of where they differ.
pub fn eq_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The token a request carries, if any.
fn given_token(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim());
        }
    }
    if let Some(t) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(t);
    }
    cookie(headers, TOKEN_COOKIE)
}

/// True for `localhost`, `127.0.0.1`, `[::1]` and other loopback addresses, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host })
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

fn query_token(uri: &axum::http::Uri) -> Option<String> {
    uri.query()?.split('&').filter_map(|kv| kv.split_once('=')).find(|(k, _)| *k == "token").map(|(_, v)| v.to_string())
}

/// The guard every request passes (see the module docs).
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
    let is_api = req.uri().path().starts_with("/api/");
    // `lockstep watch`'s webhook: the token in its path stands for the API token and the CSRF header (crate::live).
    let is_ingest = req.method() == Method::POST && req.uri().path().starts_with("/api/v1/live/ingest/");
    match &state.inner.config.token {
        None => {
            if !is_loopback_host(&host) {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "this server answers loopback host names only (start it with --token to serve others)",
                );
            }
        }
        Some(token) => {
            if req.method() == Method::GET && !is_api {
                if let Some(t) = query_token(req.uri()) {
                    if !eq_constant_time(t.as_bytes(), token.as_bytes()) {
                        return refuse(StatusCode::UNAUTHORIZED, "wrong token");
                    }
                    let cookie = format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
                    let mut res =
                        (StatusCode::SEE_OTHER, [(header::LOCATION, req.uri().path().to_string())]).into_response();
                    if let Ok(v) = HeaderValue::from_str(&cookie) {
                        res.headers_mut().insert(header::SET_COOKIE, v);
                    }
                    return res;
                }
            }
            let ok = given_token(headers).is_some_and(|t| eq_constant_time(t.as_bytes(), token.as_bytes()));
            if is_api && !ok && !is_ingest {
                return refuse(StatusCode::UNAUTHORIZED, "this server needs its token (open the URL it printed)");
            }
        }
    }
    if req.method() != Method::GET && req.method() != Method::HEAD && !is_ingest {
        if !headers.contains_key(REQUEST_HEADER) {
            return refuse(
                StatusCode::FORBIDDEN,
                "a request that changes data must carry the X-Lockstep-Request header",
            );
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
            if origin_host != host {
                return refuse(StatusCode::FORBIDDEN, "cross-origin request refused");
            }
        }
        if let Some(site) = headers.get("sec-fetch-site").and_then(|o| o.to_str().ok()) {
            if site != "same-origin" && site != "none" {
                return refuse(StatusCode::FORBIDDEN, "cross-site request refused");
            }
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    res
}

/// A random token of 32 hex digits.
pub fn new_token() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "localhost:7878", "127.0.0.1:80", "127.5.0.1", "[::1]:7878", "[::1]"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["", "evil.com", "evil.com:7878", "10.0.0.1:7878", "localhost.evil.com", "[::2]:1"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(eq_constant_time(b"abc", b"abc"));
        assert!(!eq_constant_time(b"abc", b"abd"));
        assert!(!eq_constant_time(b"abc", b"abcd"));
        assert_eq!(new_token().len(), 32);
    }
}
