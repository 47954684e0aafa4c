//! The web UI, embedded in the binary: plain ES modules, CSS and HTML written
//! for Lockstep, and the released builds of sigma.js and graphology (with
//! their licences, `assets/vendor/`). `cargo build` alone gives a working UI.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("index.html", "text/html; charset=utf-8", include_bytes!("../assets/index.html")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("views.js", "text/javascript; charset=utf-8", include_bytes!("../assets/views.js")),
    ("dom.js", "text/javascript; charset=utf-8", include_bytes!("../assets/dom.js")),
    ("live.js", "text/javascript; charset=utf-8", include_bytes!("../assets/live.js")),
    ("style.css", "text/css; charset=utf-8", include_bytes!("../assets/style.css")),
    (
        "vendor/sigma-3.0.3.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/sigma-3.0.3.min.js"),
    ),
    (
        "vendor/graphology-0.26.0.umd.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/graphology-0.26.0.umd.min.js"),
    ),
    (
        "vendor/graphology-library-0.8.0.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/graphology-library-0.8.0.min.js"),
    ),
    ("vendor/sigma-LICENSE.txt", "text/plain; charset=utf-8", include_bytes!("../assets/vendor/sigma-LICENSE.txt")),
    (
        "vendor/graphology-LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/graphology-LICENSE.txt"),
    ),
    (
        "vendor/graphology-library-LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/graphology-library-LICENSE.txt"),
    ),
];

fn asset(name: &str) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, bytes)) => {
            ([(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "no-cache")], *bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `/`: the page.
pub async fn index() -> Response {
    asset("index.html")
}

/// `/assets/{*name}`: a file of the UI (only the embedded names exist).
pub async fn file(Path(name): Path<String>) -> Response {
    asset(&name)
}
