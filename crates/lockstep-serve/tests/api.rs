//! The API in process: the router called with `oneshot`, no socket. Every
//! endpoint, with good and bad input, on a generated dataset with planted
//! networks, one of whose accounts is renamed to carry markup and a terminal
//! escape sequence.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use lockstep_serve::{app, AppState, Config};
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use std::time::Duration;
use tower::ServiceExt;

/// A name an attacker could give an account.
const EVIL: &str = "<script>alert(1)</script>\u{1b}[31mred";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply { status, headers, body }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).header(header::HOST, "127.0.0.1:7878").body(Body::empty()).unwrap()
}

fn post_json(uri: &str, v: &Value) -> Request<Body> {
    Request::post(uri)
        .header(header::HOST, "127.0.0.1:7878")
        .header("x-lockstep-request", "1")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(v.to_string()))
        .unwrap()
}

fn upload(name: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post(format!("/api/v1/datasets?name={name}"))
        .header(header::HOST, "127.0.0.1:7878")
        .header("x-lockstep-request", "1")
        .body(Body::from(bytes))
        .unwrap()
}

/// A generated dataset (planted networks; truth beside it) with one planted account renamed to [`EVIL`].
fn dataset(dir: &Path, posts: usize) -> (Vec<u8>, String) {
    let (p, t) = (dir.join("posts.csv"), dir.join("truth.csv"));
    let cfg = lockstep_synth::ScenarioConfig::preset(lockstep_synth::ScenarioKind::Background, posts, 42);
    lockstep_synth::write_csv(&cfg, &p, &t).unwrap();
    let truth = std::fs::read_to_string(&t).unwrap();
    let victim = truth.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let csv = std::fs::read_to_string(&p).unwrap().replace(&victim, EVIL);
    (csv.into_bytes(), truth)
}

const PARAMS: &str = r#"{"threshold": "quantile", "edge_quantile": 0.99}"#;

async fn wait_done(app: &Router, run: i64) -> Value {
    for _ in 0..1200 {
        let r = send(app, get(&format!("/api/v1/runs/{run}"))).await.json();
        if !matches!(r["state"].as_str(), Some("queued" | "running")) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {run} did not end in 60 s");
}

fn open(dir: &Path, f: impl FnOnce(&mut Config)) -> Router {
    let mut c = Config::new(dir);
    f(&mut c);
    app(AppState::open(c).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_case_through_the_api() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (csv, truth) = dataset(tmp.path(), 100_000);
    let app = open(&data, |_| {});

    // Health, OpenAPI, parameters.
    let h = send(&app, get("/api/v1/health")).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.json()["ok"], true);
    let doc = send(&app, get("/api/v1/openapi.json")).await.json();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/datasets",
        "/api/v1/runs/{id}/groups/{group}",
        "/api/v1/runs/{id}/groups/{group}/edges",
        "/api/v1/runs/{id}/evidence",
        "/api/v1/runs/{id}/export",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the OpenAPI document");
    }
    // Every route but the document itself (three paths take two methods).
    assert_eq!(paths.len(), 23);
    let params = send(&app, get("/api/v1/params")).await.json();
    assert!(params.as_array().unwrap().iter().any(|p| p["name"] == "window" && p["default"] == "60"));

    // Uploads: empty, good; a name with a path in it lands in the uploads folder.
    assert_eq!(send(&app, upload("e.csv", vec![])).await.status, StatusCode::BAD_REQUEST);
    let up = send(&app, upload("..%2F..%2Fposts.csv", csv.clone())).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&up.body));
    let d = up.json();
    let stored = Path::new(d["path"].as_str().unwrap());
    assert_eq!(stored.parent().unwrap(), std::fs::canonicalize(&data).unwrap().join("uploads"));
    assert!(stored.file_name().unwrap().to_str().unwrap().ends_with("-posts.csv"));
    assert_eq!(std::fs::read(stored).unwrap(), csv, "the upload is stored byte for byte");
    assert_eq!(d["bytes"], csv.len());
    let ds = d["id"].as_i64().unwrap();
    assert_eq!(send(&app, get(&format!("/api/v1/datasets/{ds}"))).await.json()["dataset"]["id"], ds);
    assert_eq!(send(&app, get("/api/v1/datasets/999")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/api/v1/datasets")).await.json().as_array().unwrap().len(), 1);

    // Runs: bad parameters, unknown fields, a missing dataset.
    let bad = send(&app, post_json("/api/v1/runs", &json!({"dataset": ds, "params": {"window": "soon"}}))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("window"));
    let unknown = send(&app, post_json("/api/v1/runs", &json!({"dataset": ds, "params": {"windw": "60"}}))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = send(&app, post_json("/api/v1/runs", &json!({"dataset": 999}))).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let params: Value = serde_json::from_str(PARAMS).unwrap();
    let created = send(&app, post_json("/api/v1/runs", &json!({"dataset": ds, "params": params}))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let run = created.json()["id"].as_i64().unwrap();
    // A second run queued behind it and cancelled before it starts.
    let second = send(&app, post_json("/api/v1/runs", &json!({"dataset": ds}))).await.json()["id"].as_i64().unwrap();
    assert_eq!(
        send(&app, post_json(&format!("/api/v1/runs/{second}/cancel"), &json!({}))).await.status,
        StatusCode::ACCEPTED
    );
    let done = wait_done(&app, run).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(wait_done(&app, second).await["state"], "cancelled");
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{second}/overview"))).await.status, StatusCode::CONFLICT);
    assert_eq!(
        send(&app, post_json(&format!("/api/v1/runs/{run}/cancel"), &json!({}))).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(send(&app, post_json("/api/v1/runs/999/cancel", &json!({}))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/api/v1/runs/999")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/api/v1/runs")).await.json().as_array().unwrap().len(), 2);
    // The run's output folder is on disk.
    assert!(data.join("runs").join(run.to_string()).join("report.json").is_file());
    assert!(data.join("runs").join(run.to_string()).join("edges.parquet").is_file());

    // The event stream of a finished run: one event, its final state.
    let ev = send(&app, get(&format!("/api/v1/runs/{run}/events"))).await;
    assert_eq!(ev.headers[header::CONTENT_TYPE], "text/event-stream");
    let text = String::from_utf8(ev.body).unwrap();
    assert!(text.starts_with("data: {") && text.contains("\"state\":\"done\""), "{text}");

    // Overview: the planted networks are the top groups.
    let o = send(&app, get(&format!("/api/v1/runs/{run}/overview"))).await.json();
    let groups = o["groups"].as_array().unwrap();
    assert!(groups.len() >= 2, "{}", o["summary"]);
    assert_eq!(o["groups_total"], groups.len());
    assert!(o["summary"].as_str().unwrap().starts_with("Read 100000 shares"));
    let truth_accounts: Vec<&str> = truth.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let is_planted = |a: &str| a == EVIL || truth_accounts.contains(&a);

    // Group 1: members (all planted), edges, timeline, top objects.
    let g = send(&app, get(&format!("/api/v1/runs/{run}/groups/1"))).await.json();
    let members: Vec<&str> = g["members"].as_array().unwrap().iter().map(|m| m["account"].as_str().unwrap()).collect();
    assert!(members.len() >= 5 && members.iter().all(|m| is_planted(m)), "{members:?}");
    // The timeline and the edges are columns; as rows (accounts by name, as the page reads them):
    let all = timeline_rows(&g);
    assert!(!all.is_empty());
    assert!(all.windows(2).all(|w| w[0]["time"].as_i64() <= w[1]["time"].as_i64()));
    assert!(all.iter().all(|p| members.contains(&p["account"].as_str().unwrap())));
    assert!(!g["top_objects"].as_array().unwrap().is_empty());
    // Gzip when the client takes it (as browsers do): the same JSON; not with `q=0`.
    for (accept, gzip) in [("gzip, deflate, br", true), ("br;q=1, gzip;q=0", false), ("*", true), ("identity", false)] {
        let req = Request::get(format!("/api/v1/runs/{run}/groups/1"))
            .header(header::HOST, "127.0.0.1:7878")
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        let r = send(&app, req).await;
        assert_eq!(r.headers.get(header::VARY).map(|v| v.to_str().unwrap()), Some("accept-encoding"));
        let got = if gzip {
            assert_eq!(r.headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"), "{accept}");
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(&r.body[..]).read_to_end(&mut text).unwrap();
            assert!(text.len() > 2 * r.body.len(), "{} bytes compressed to {}", text.len(), r.body.len());
            serde_json::from_slice::<Value>(&text).unwrap()
        } else {
            assert!(r.headers.get(header::CONTENT_ENCODING).is_none(), "{accept}");
            r.json()
        };
        assert_eq!(got, g, "{accept}");
    }
    // Its edges, heaviest first, all in the answer (a small group) and the same by pages.
    let edges = &edge_rows(&g);
    assert_eq!(g["edges_total"].as_u64(), Some(edges.len() as u64));
    assert!(edges.windows(2).all(|w| w[0]["weight"].as_u64() >= w[1]["weight"].as_u64()));
    let mut paged = Vec::new();
    for offset in (0..edges.len()).step_by(3) {
        let p = send(&app, get(&format!("/api/v1/runs/{run}/groups/1/edges?offset={offset}&limit=3"))).await.json();
        assert_eq!(p["edges_total"], g["edges_total"]);
        paged.extend(p["edges"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(&paged, edges);
    let past = send(&app, get(&format!("/api/v1/runs/{run}/groups/1/edges?offset=999999"))).await.json();
    assert_eq!(past["edges"].as_array().map(Vec::len), Some(0));
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/groups/0/edges"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        send(&app, get(&format!("/api/v1/runs/{run}/groups/1/edges?limit=x"))).await.status,
        StatusCode::BAD_REQUEST
    );
    // The timeline of a time range: the shares of the whole timeline in it, and their number.
    let (t0, t1) = (all[all.len() / 4]["time"].as_i64().unwrap(), all[all.len() / 2]["time"].as_i64().unwrap());
    let part = send(&app, get(&format!("/api/v1/runs/{run}/groups/1?from={t0}&to={t1}"))).await.json();
    let want: Vec<&serde_json::Value> =
        all.iter().filter(|p| (t0..=t1).contains(&p["time"].as_i64().unwrap())).collect();
    assert!(g["timeline_total"].as_u64() == Some(all.len() as u64), "the whole timeline is in the answer");
    assert_eq!(timeline_rows(&part).iter().collect::<Vec<_>>(), want);
    assert_eq!(part["timeline_total"].as_u64(), Some(want.len() as u64));
    assert_eq!((part["timeline_from"].as_i64(), part["timeline_to"].as_i64()), (Some(t0), Some(t1)));
    assert_eq!(part["members"], g["members"]);
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/groups/0"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/groups/99999"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/groups/x"))).await.status, StatusCode::BAD_REQUEST);

    // The group holding the renamed account, and its evidence: each post is its account's, in the data.
    let evil_group = (1..=groups.len())
        .find(|&c| {
            let url = format!("/api/v1/runs/{run}/account?name={}", urlencode(EVIL));
            let _ = c;
            futures_block(&app, &url)["group"].as_u64() == Some(c as u64)
        })
        .expect("the renamed planted account is in a group");
    let eg = send(&app, get(&format!("/api/v1/runs/{run}/groups/{evil_group}"))).await.json();
    let edge = edge_rows(&eg).into_iter().find(|e| e["a"] == EVIL || e["b"] == EVIL).unwrap();
    let (a, b) = (edge["a"].as_str().unwrap(), edge["b"].as_str().unwrap());
    let url = format!("/api/v1/runs/{run}/evidence?a={}&b={}", urlencode(a), urlencode(b));
    let evidence = send(&app, get(&url)).await.json();
    let rows = evidence["rows"].as_array().unwrap();
    assert_eq!(rows.len() as u64, edge["weight"].as_u64().unwrap());
    let csv_text = String::from_utf8(csv.clone()).unwrap();
    let posted = |account: &str, post: &str| {
        csv_text.lines().any(|l| l.starts_with(&format!("{account},")) && l.contains(&format!(",{post},")))
    };
    for r in rows.iter().take(5) {
        assert!(posted(a, r["post_a"].as_str().unwrap()), "{r}");
        assert!(posted(b, r["post_b"].as_str().unwrap()), "{r}");
    }
    let nobody = format!("/api/v1/runs/{run}/evidence?a=nobody&b={}", urlencode(b));
    assert_eq!(send(&app, get(&nobody)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/evidence?a=x"))).await.status, StatusCode::BAD_REQUEST);

    // Account, object, domain, search.
    let acc = send(&app, get(&format!("/api/v1/runs/{run}/account?name={}", urlencode(EVIL)))).await.json();
    assert_eq!(acc["account"], EVIL);
    assert!(!acc["posts"].as_array().unwrap().is_empty() && !acc["partners"].as_array().unwrap().is_empty());
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/account?name=nobody"))).await.status, StatusCode::NOT_FOUND);
    // Pages of 2 of posts and partners add up to the whole lists (all of them in one page of 1,000).
    let whole =
        send(&app, get(&format!("/api/v1/runs/{run}/account?name={}&limit=1000", urlencode(EVIL)))).await.json();
    for (key, total) in [("posts", "shares"), ("partners", "partners_total")] {
        let all = whole[key].as_array().unwrap();
        assert_eq!(all.len() as u64, whole[total].as_u64().unwrap(), "{key}: every row in a page of 1,000");
        let mut paged = Vec::new();
        for offset in (0..all.len()).step_by(2) {
            let url = format!("/api/v1/runs/{run}/account?name={}&{key}_offset={offset}&limit=2", urlencode(EVIL));
            let p = send(&app, get(&url)).await.json();
            assert_eq!(p[format!("{key}_offset")], offset);
            paged.extend(p[key].as_array().unwrap().iter().cloned());
        }
        assert_eq!(&paged, all, "{key} by pages");
    }
    assert_eq!(
        acc["posts"].as_array().unwrap()[..],
        whole["posts"].as_array().unwrap()[..acc["posts"].as_array().unwrap().len()]
    );
    let obj = &g["top_objects"][0];
    let url = format!(
        "/api/v1/runs/{run}/object?value={}&kind={}",
        urlencode(obj["object"].as_str().unwrap()),
        obj["kind"].as_str().unwrap()
    );
    let o1 = send(&app, get(&url)).await.json();
    assert!(o1["shares"].as_array().unwrap().iter().any(|s| members.contains(&s["account"].as_str().unwrap())));
    let o_all = send(&app, get(&format!("{url}&limit=1000"))).await.json();
    let shares = o_all["shares"].as_array().unwrap();
    assert_eq!(shares.len() as u64, o_all["shares_total"].as_u64().unwrap().min(1000));
    let mut paged = Vec::new();
    for offset in (0..shares.len()).step_by(3) {
        paged.extend(
            send(&app, get(&format!("{url}&offset={offset}&limit=3"))).await.json()["shares"]
                .as_array()
                .unwrap()
                .clone(),
        );
    }
    assert_eq!(paged[..shares.len()], shares[..], "object shares by pages");
    assert_eq!(
        send(&app, get(&format!("/api/v1/runs/{run}/object?value=nothing-like-it"))).await.status,
        StatusCode::NOT_FOUND
    );
    let lookalike = o["groups"].as_array().unwrap().iter().find(|g| g["flagged_links"].as_u64() > Some(0));
    if let Some(lg) = lookalike {
        let gg = send(&app, get(&format!("/api/v1/runs/{run}/groups/{}", lg["group"]))).await.json();
        let host = gg["flagged_domains"][0]["domain"].as_str().unwrap().to_string();
        let d = send(&app, get(&format!("/api/v1/runs/{run}/domain?host={}", urlencode(&host)))).await.json();
        assert!(d["class"] == "look-alike" || d["class"] == "known", "{d}");
        assert!(d["groups"].as_array().unwrap().contains(&lg["group"]));
    }
    assert_eq!(
        send(&app, get(&format!("/api/v1/runs/{run}/domain?host=example.invalid"))).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/search?q=a"))).await.status, StatusCode::BAD_REQUEST);
    let found = send(&app, get(&format!("/api/v1/runs/{run}/search?q=%3Cscript"))).await.json();
    assert_eq!(found["accounts"], json!([EVIL]));

    // Notes: bad ones refused, good ones kept, listed by target, deleted.
    let notes = format!("/api/v1/runs/{run}/notes");
    let bad_kind = json!({"target_kind": "planet", "target": "1", "author": "ana", "body": "x"});
    assert_eq!(send(&app, post_json(&notes, &bad_kind)).await.status, StatusCode::BAD_REQUEST);
    let empty = json!({"target_kind": "group", "target": "1", "author": "ana", "body": "  "});
    assert_eq!(send(&app, post_json(&notes, &empty)).await.status, StatusCode::BAD_REQUEST);
    let no_author = json!({"target_kind": "group", "target": "1", "author": "", "body": "x"});
    assert_eq!(send(&app, post_json(&notes, &no_author)).await.status, StatusCode::BAD_REQUEST);
    let note = json!({"target_kind": "group", "target": evil_group.to_string(), "author": EVIL, "tags": "ops", "body": format!("{EVIL} leads")});
    let added = send(&app, post_json(&notes, &note)).await;
    assert_eq!(added.status, StatusCode::CREATED);
    let other = json!({"target_kind": "account", "target": "x", "author": "ana", "body": "to delete"});
    let other_id = send(&app, post_json(&notes, &other)).await.json()["id"].as_i64().unwrap();
    let listed = send(&app, get(&format!("{notes}?target_kind=group&target={evil_group}"))).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["body"], format!("{EVIL} leads"));
    let del = |id: i64| {
        Request::delete(format!("{notes}/{id}"))
            .header(header::HOST, "localhost")
            .header("x-lockstep-request", "1")
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, del(other_id)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(send(&app, del(other_id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/api/v1/runs/999/notes")).await.status, StatusCode::NOT_FOUND);

    // Export: the zip's files, its evidence, the markup escaped in HTML and GEXF.
    assert_eq!(send(&app, get(&format!("/api/v1/runs/{run}/export?group=99999"))).await.status, StatusCode::NOT_FOUND);
    let z = send(&app, get(&format!("/api/v1/runs/{run}/export?group={evil_group}"))).await;
    assert_eq!(z.status, StatusCode::OK);
    assert_eq!(z.headers[header::CONTENT_TYPE], "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(z.body)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(str::to_string).collect();
    names.sort();
    let dir = format!("lockstep-run{run}-group{evil_group}");
    let want: Vec<String> = [
        "edges.csv",
        "evidence.csv",
        "members.csv",
        "network.gexf",
        "notes.csv",
        "params.json",
        "provenance.json",
        "report.html",
    ]
    .iter()
    .map(|f| format!("{dir}/{f}"))
    .collect();
    assert_eq!(names, want);
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(&format!("{dir}/{name}")).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let ev_csv = read("evidence.csv");
    assert!(ev_csv.contains(rows[0]["post_a"].as_str().unwrap()));
    let html = read("report.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"));
    assert!(!html.contains('\u{1b}'));
    let gexf = read("network.gexf");
    assert!(gexf.contains("&lt;script&gt;") && !gexf.contains('\u{1b}'));
    assert!(read("notes.csv").contains("leads"));
    let prov: Value = serde_json::from_str(&read("provenance.json")).unwrap();
    assert_eq!(prov["dataset"]["sha256"], d["sha256"]);

    // A restarted server reads the run back from its output folder, not from its
    // dataset (moved away meanwhile), and answers every view with the same bytes.
    let views = [
        format!("/api/v1/runs/{run}/overview"),
        format!("/api/v1/runs/{run}/groups/1"),
        format!("/api/v1/runs/{run}/groups/{evil_group}"),
        format!("/api/v1/runs/{run}/evidence?a={}&b={}", urlencode(a), urlencode(b)),
        format!("/api/v1/runs/{run}/account?name={}", urlencode(EVIL)),
        format!(
            "/api/v1/runs/{run}/object?kind={}&value={}",
            urlencode(obj["kind"].as_str().unwrap()),
            urlencode(obj["object"].as_str().unwrap())
        ),
        format!("/api/v1/runs/{run}/search?q=%3Cscript"),
    ];
    let mut before = Vec::new();
    for v in &views {
        let r = send(&app, get(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{v}");
        before.push(r.body);
    }
    let saved = data.join(format!("runs/{run}/views.postcard"));
    assert!(saved.is_file(), "the run saved what its views need");
    let away = stored.with_extension("away");
    std::fs::rename(stored, &away).unwrap();
    let again = open(&data, |_| {});
    for (v, want) in views.iter().zip(&before) {
        let r = send(&again, get(v)).await;
        assert_eq!(r.status, StatusCode::OK, "{v} after a restart");
        assert!(r.body == *want, "{v} differs after a restart");
    }
    // A damaged file: the run is computed again from its dataset, same views, and saved anew.
    std::fs::rename(&away, stored).unwrap();
    std::fs::write(&saved, b"not a saved run").unwrap();
    let third = open(&data, |_| {});
    for (v, want) in views.iter().zip(&before) {
        let r = send(&third, get(v)).await;
        assert!(r.status == StatusCode::OK && r.body == *want, "{v} differs once computed again");
    }
    assert!(std::fs::metadata(&saved).unwrap().len() > 1000, "saved anew");
}

/// A group answer's edge columns as rows (accounts by name: `a` and `b` index the members).
fn edge_rows(g: &Value) -> Vec<Value> {
    let (e, m) = (&g["edges"], g["members"].as_array().unwrap());
    let n = e["a"].as_array().unwrap().len();
    for col in ["b", "weight", "score", "avg_time_delta"] {
        assert_eq!(e[col].as_array().unwrap().len(), n, "edge column {col}");
    }
    let name = |col: &str, i: usize| m[e[col][i].as_u64().unwrap() as usize]["account"].clone();
    (0..n)
        .map(|i| {
            json!({"a": name("a", i), "b": name("b", i), "weight": e["weight"][i], "score": e["score"][i],
                "avg_time_delta": e["avg_time_delta"][i]})
        })
        .collect()
}

/// A group answer's timeline columns as rows (account by name, object and kind by value).
fn timeline_rows(g: &Value) -> Vec<Value> {
    let (t, m) = (&g["timeline"], g["members"].as_array().unwrap());
    let n = t["time"].as_array().unwrap().len();
    for col in ["account", "object", "post"] {
        assert_eq!(t[col].as_array().unwrap().len(), n, "timeline column {col}");
    }
    (0..n)
        .map(|i| {
            let o = &t["objects"][t["object"][i].as_u64().unwrap() as usize];
            json!({"time": t["time"][i], "account": m[t["account"][i].as_u64().unwrap() as usize]["account"],
                "object": o["object"], "kind": o["kind"], "post": t["post"][i]})
        })
        .collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A GET answered on this thread (for use inside a closure).
fn futures_block(app: &Router, uri: &str) -> Value {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(send(app, get(uri)))).json()
}

#[tokio::test]
async fn uploads_over_the_limit_are_refused_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path(), |c| c.max_upload = 1000);
    let r = send(&app, upload("big.csv", vec![b'x'; 5000])).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("uploads")).unwrap().collect();
    assert!(left.is_empty(), "partial upload left behind: {left:?}");
    assert_eq!(send(&app, upload("ok.csv", vec![b'x'; 1000])).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn registered_paths_stay_inside_the_allowed_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let allowed = tmp.path().join("allowed");
    std::fs::create_dir_all(&allowed).unwrap();
    std::fs::write(allowed.join("a.csv"), "account_id,object_id,timestamp_share\n").unwrap();
    std::fs::write(tmp.path().join("secret.csv"), "x").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("secret.csv"), allowed.join("link.csv")).unwrap();
    let reg = |p: &Path| post_json("/api/v1/datasets/register", &json!({"path": p}));

    let off = open(&tmp.path().join("d1"), |_| {});
    assert_eq!(send(&off, reg(&allowed.join("a.csv"))).await.status, StatusCode::FORBIDDEN);

    let on = open(&tmp.path().join("d2"), |c| c.allow_paths = vec![allowed.clone()]);
    let ok = send(&on, reg(&allowed.join("a.csv"))).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    assert_eq!(ok.json()["origin"], "path");
    assert_eq!(send(&on, reg(&allowed.join("../secret.csv"))).await.status, StatusCode::FORBIDDEN);
    #[cfg(unix)]
    assert_eq!(send(&on, reg(&allowed.join("link.csv"))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&on, reg(&allowed.join("none.csv"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&on, reg(&allowed)).await.status, StatusCode::BAD_REQUEST);
    let not_json = Request::post("/api/v1/datasets/register")
        .header(header::HOST, "localhost")
        .header("x-lockstep-request", "1")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{"))
        .unwrap();
    assert_eq!(send(&on, not_json).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cross_site_and_foreign_host_requests_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path(), |_| {});
    let body = || Body::from(r#"{"dataset": 1}"#);
    let base = || {
        Request::post("/api/v1/runs")
            .header(header::HOST, "127.0.0.1:7878")
            .header(header::CONTENT_TYPE, "application/json")
    };
    // No CSRF header.
    assert_eq!(send(&app, base().body(body()).unwrap()).await.status, StatusCode::FORBIDDEN);
    // Another origin.
    let r =
        base().header("x-lockstep-request", "1").header(header::ORIGIN, "http://evil.example").body(body()).unwrap();
    assert_eq!(send(&app, r).await.status, StatusCode::FORBIDDEN);
    let r = base().header("x-lockstep-request", "1").header("sec-fetch-site", "cross-site").body(body()).unwrap();
    assert_eq!(send(&app, r).await.status, StatusCode::FORBIDDEN);
    // The same origin passes the guard (and finds no dataset).
    let r =
        base().header("x-lockstep-request", "1").header(header::ORIGIN, "http://127.0.0.1:7878").body(body()).unwrap();
    assert_eq!(send(&app, r).await.status, StatusCode::NOT_FOUND);
    // DNS rebinding: a foreign Host name on a loopback server.
    let r = Request::get("/api/v1/health").header(header::HOST, "evil.example:7878").body(Body::empty()).unwrap();
    assert_eq!(send(&app, r).await.status, StatusCode::FORBIDDEN);
    // Pages carry the CSP; only embedded assets exist.
    let page = send(&app, get("/")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert!(String::from_utf8(page.body).unwrap().contains("/assets/app.js"));
    assert_eq!(send(&app, get("/assets/app.js")).await.status, StatusCode::OK);
    assert_eq!(send(&app, get("/assets/vendor/sigma-LICENSE.txt")).await.status, StatusCode::OK);
    assert_eq!(send(&app, get("/assets/../Cargo.toml")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/assets/%2E%2E/Cargo.toml")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_token_guards_the_api() {
    let tmp = tempfile::tempdir().unwrap();
    // Beyond loopback without a token: refused at start.
    let mut c = Config::new(tmp.path());
    c.listen = "0.0.0.0:7878".parse().unwrap();
    assert!(AppState::open(c).unwrap_err().to_string().contains("--token"));
    let app = open(tmp.path(), |c| {
        c.listen = "0.0.0.0:7878".parse().unwrap();
        c.token = Some("s3cret".into());
    });
    let h = |r: axum::http::request::Builder| r.header(header::HOST, "10.0.0.5:7878");
    let plain = h(Request::get("/api/v1/health")).body(Body::empty()).unwrap();
    assert_eq!(send(&app, plain).await.status, StatusCode::UNAUTHORIZED);
    let wrong = h(Request::get("/api/v1/health")).header("authorization", "Bearer nope").body(Body::empty()).unwrap();
    assert_eq!(send(&app, wrong).await.status, StatusCode::UNAUTHORIZED);
    let bearer =
        h(Request::get("/api/v1/health")).header("authorization", "Bearer s3cret").body(Body::empty()).unwrap();
    assert_eq!(send(&app, bearer).await.status, StatusCode::OK);
    // Opening the printed URL sets the cookie and drops the token from the address.
    let open_url = send(&app, h(Request::get("/?token=s3cret")).body(Body::empty()).unwrap()).await;
    assert_eq!(open_url.status, StatusCode::SEE_OTHER);
    assert_eq!(open_url.headers[header::LOCATION], "/");
    let cookie = open_url.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let with_cookie = h(Request::get("/api/v1/runs"))
        .header(header::COOKIE, cookie.split(';').next().unwrap())
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, with_cookie).await.status, StatusCode::OK);
    let bad_url = send(&app, h(Request::get("/?token=guess")).body(Body::empty()).unwrap()).await;
    assert_eq!(bad_url.status, StatusCode::UNAUTHORIZED);
}

/// An alert as `lockstep watch` writes it (docs/live.md), naming an account with markup.
fn edge_alert(id: u64) -> Value {
    json!({"id": id, "event_time": 1709251418, "alert": "edge", "accounts": [EVIL, "b"], "weight": 5, "threshold": 5,
        "evidence": [{"kind": "url", "object": "https://x.example/1",
            "early": {"account": EVIL, "post": "p1", "time": 1709251410},
            "late": {"account": "b", "post": "p2", "time": 1709251418}}]})
}

fn ingest(path: &str, host: &str, body: &Value) -> Request<Body> {
    // As the webhook sends it: no CSRF header, no API token.
    Request::post(path)
        .header(header::HOST, host)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn live_alerts_come_in_by_the_ingest_url_only() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path(), |_| {});
    let live = send(&app, get("/api/v1/live")).await.json();
    let path = live["ingest_path"].as_str().unwrap().to_string();
    let token = path.rsplit('/').next().unwrap().to_string();
    assert_eq!(token.len(), 32);
    assert_eq!(live["alerts"], json!([]));
    let host = "127.0.0.1:7878";
    // A wrong token, a missing one, not JSON, not an alert: refused, nothing stored.
    let wrong = format!("/api/v1/live/ingest/{}", "0".repeat(32));
    assert_eq!(send(&app, ingest(&wrong, host, &edge_alert(1))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, ingest("/api/v1/live/ingest/", host, &edge_alert(1))).await.status, StatusCode::NOT_FOUND);
    let not_json = Request::post(&path).header(header::HOST, host).body(Body::from("{")).unwrap();
    assert_eq!(send(&app, not_json).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(send(&app, ingest(&path, host, &json!({"id": 1}))).await.status, StatusCode::BAD_REQUEST);
    // Another site's page cannot reach the API without a token either: the Host guard holds.
    assert_eq!(send(&app, ingest(&path, "evil.example", &edge_alert(1))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, get("/api/v1/live")).await.json()["total"], 0);
    // Stored once (a repeat after a crash of watch is dropped), listed newest first, as sent.
    assert_eq!(send(&app, ingest(&path, host, &edge_alert(1))).await.status, StatusCode::CREATED);
    assert_eq!(send(&app, ingest(&path, host, &edge_alert(1))).await.status, StatusCode::OK);
    assert_eq!(send(&app, ingest(&path, host, &edge_alert(2))).await.status, StatusCode::CREATED);
    let other = format!("{path}?source=second");
    assert_eq!(send(&app, ingest(&other, host, &edge_alert(1))).await.status, StatusCode::CREATED);
    let listed = send(&app, get("/api/v1/live")).await.json();
    assert_eq!(listed["total"], 3);
    let alerts = listed["alerts"].as_array().unwrap();
    assert_eq!(alerts.iter().map(|a| a["alert"]["id"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 1]);
    assert_eq!(alerts[0]["source"], "second");
    assert_eq!(alerts[1]["alert"], edge_alert(2));
    let first = alerts[2]["id"].as_i64().unwrap();
    let after = send(&app, get(&format!("/api/v1/live?after={first}"))).await.json();
    assert_eq!(after["alerts"].as_array().unwrap().len(), 2);
    // The same token after a restart; the alerts kept.
    let again = open(tmp.path(), |_| {});
    let live2 = send(&again, get("/api/v1/live")).await.json();
    assert_eq!(live2["ingest_path"], json!(path));
    assert_eq!(live2["total"], 3);
}

#[tokio::test]
async fn the_ingest_url_stands_for_the_api_token() {
    let tmp = tempfile::tempdir().unwrap();
    let app = open(tmp.path(), |c| {
        c.listen = "0.0.0.0:7878".parse().unwrap();
        c.token = Some("s3cret".into());
    });
    let host = "10.0.0.5:7878";
    let list = || Request::get("/api/v1/live").header(header::HOST, host);
    assert_eq!(send(&app, list().body(Body::empty()).unwrap()).await.status, StatusCode::UNAUTHORIZED);
    let listed = send(&app, list().header("authorization", "Bearer s3cret").body(Body::empty()).unwrap()).await.json();
    let path = listed["ingest_path"].as_str().unwrap().to_string();
    assert_eq!(send(&app, ingest(&path, host, &edge_alert(7))).await.status, StatusCode::CREATED);
    let wrong = format!("/api/v1/live/ingest/{}", "f".repeat(32));
    assert_eq!(send(&app, ingest(&wrong, host, &edge_alert(8))).await.status, StatusCode::NOT_FOUND);
    // Other mutating routes still need the API token.
    let run = Request::post("/api/v1/runs").header(header::HOST, host).header("x-lockstep-request", "1");
    let run = run.header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap();
    assert_eq!(send(&app, run).await.status, StatusCode::UNAUTHORIZED);
}
