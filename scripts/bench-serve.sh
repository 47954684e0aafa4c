#!/usr/bin/env bash
# Benchmark of `lockstep serve` (issue 20): API latency under 20 concurrent clients (wrk, 10 s per view,
# p50/p99 and errors) on a generated run, against /api/v1/health measured the same way in the same run as
# the baseline, then page-ready times in headless Chromium.
# Usage: [PARAMS='{"threshold": "quantile"}'] scripts/bench-serve.sh [POSTS=1000000] [OUT_DIR=/tmp/lockstep-bench-serve]
# PARAMS: the run's parameters as JSON (default: lockstep detect's defaults). DATASET=FILE: that file instead of
# a generated one. BIN=PATH: that binary (e.g. an older build, for a baseline in the same session).
# VIEWS=0: skip the load test and the page (e.g. to time restarts only). RESTART=0: skip the restart measurement; RESTART=2: only read-back restarts (twice; no recompute). REUSE=1: no new run: serve OUT_DIR's data folder as it is (left by an
# earlier call; its run 1 is read back) and measure that (e.g. the same run with an older binary). PROFILE=1: also print where the group page's time goes (e2e/profile.mjs).
# Needs: a release build (cargo build --release -p lockstep), wrk, curl, chromium, node with `npm ci`
# done in crates/lockstep-serve/e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
POSTS=${1:-1000000}
DIR=${2:-/tmp/lockstep-bench-serve}
BIN=${BIN:-target/release/lockstep}
for t in wrk curl node chromium; do command -v $t >/dev/null || { echo "bench-serve: $t is not installed" >&2; exit 1; }; done
[ -x $BIN ] || { echo "bench-serve: build $BIN first (cargo build --release -p lockstep)" >&2; exit 1; }
[ "${REUSE:-0}" = 1 ] || { rm -rf "$DIR" && mkdir -p "$DIR"; }
if [ "${REUSE:-0}" = 1 ]; then :; elif [ -n "${DATASET:-}" ]; then ln -s "$(realpath "$DATASET")" "$DIR/posts.csv"; else $BIN generate -n "$POSTS" -o "$DIR/posts.csv" >/dev/null; fi
$BIN serve --data "$DIR/data" --listen 127.0.0.1:0 >"$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill -INT $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening "$DIR/serve.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$DIR/serve.log" | head -1)
API=${URL%/}/api/v1
H=(-H 'X-Lockstep-Request: 1')
if [ "${REUSE:-0}" = 1 ]; then
    T0=$(date +%s.%N); RUN=1
    until curl -sf -o /dev/null "$API/runs/$RUN/overview"; do sleep 0.2; done
    STATE=done; T1=$(date +%s.%N)
else
DS=$(curl -sf "${H[@]}" -T "$DIR/posts.csv" -X POST "$API/datasets?name=posts.csv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
T0=$(date +%s.%N)
RUN=$(curl -sf "${H[@]}" -H 'Content-Type: application/json' -d "{\"dataset\": $DS, \"params\": ${PARAMS:-{\}}}" "$API/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
    STATE=$(curl -sf "$API/runs/$RUN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$STATE" = queued ] || [ "$STATE" = running ] || break
    sleep 0.5
done
T1=$(date +%s.%N)
fi
[ "$STATE" = done ] || { echo "bench-serve: run $RUN ended $STATE" >&2; exit 1; }
echo "machine: $(nproc) cores, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg); $POSTS posts; run $RUN $([ "${REUSE:-0}" = 1 ] && echo "read back" || echo done) in $(python3 -c "print(round($T1 - $T0, 1))") s (upload excluded)"
# Views to load: the largest group, an edge of it, one member, its top object, a search.
python3 - "$API" "$RUN" >"$DIR/paths" <<'PY'
import json, sys, urllib.parse, urllib.request
api, run = sys.argv[1], sys.argv[2]
get = lambda p: json.load(urllib.request.urlopen(api + p))
o = get(f"/runs/{run}/overview")
g = get(f"/runs/{run}/groups/1")
if isinstance(g["edges"], dict):  # columns (servers from session 21 on): as rows
    c, names = g["edges"], [m["account"] for m in g["members"]]
    g["edges"] = [{"a": names[a], "b": names[b], "weight": w} for a, b, w in zip(c["a"], c["b"], c["weight"])]
    g["timeline"] = g["timeline"]["time"]
e = max(g["edges"], key=lambda e: (e["weight"], e["a"], e["b"]))
q = urllib.parse.quote
print(f"overview /runs/{run}/overview")
print(f"group /runs/{run}/groups/1")
print(f"evidence /runs/{run}/evidence?a={q(e['a'])}&b={q(e['b'])}")
print(f"account /runs/{run}/account?name={q(e['a'])}")
top = g["top_objects"][0]
print(f"object /runs/{run}/object?value={q(top['object'])}&kind={q(top['kind'])}")
print(f"search /runs/{run}/search?q={q(e['a'][:6])}")
try:  # servers before session 20 have no edge pages
    get(f"/runs/{run}/groups/1/edges?offset=500&limit=500")
    print(f"edges-page /runs/{run}/groups/1/edges?offset=500&limit=500")
except Exception:
    pass
print(f"notes /runs/{run}/notes")
print(f"group-size {len(g['members'])} accounts, {g.get('edges_total', len(g['edges']))} edges ({len(g['edges'])} in the answer), {len(g['timeline'])} timeline points; {o['groups_total']} groups", file=sys.stderr)
PY
load() {
    local name=$1 path=$2 enc=${3:-}
    local out
    if [ -n "$enc" ]; then
        out=$(wrk -t2 -c20 -d10s --latency -H "Accept-Encoding: $enc" "$API$path")
    else
        out=$(wrk -t2 -c20 -d10s --latency "$API$path")
    fi
    local p50 p99 rps errors
    p50=$(awk '$1=="50%"{print $2}' <<<"$out")
    p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
    errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | paste -sd ';' - || true)
    printf '%-10s p50 %-9s p99 %-9s %9s req/s  %s\n' "$name" "$p50" "$p99" "$rps" "${errors:-0 errors}"
}
if [ "${VIEWS:-1}" = 1 ]; then
    echo "API under 20 concurrent clients (wrk -t2 -c20 -d10s):"
    load health /health
    while read -r name path; do load "$name" "$path"; done <"$DIR/paths"
    # As a browser asks (Chromium's Accept-Encoding): servers from session 21 on send the group gzip-compressed.
    load group-gz "$(awk '$1=="group"{print $2}' "$DIR/paths")" "gzip, deflate, br, zstd"
    load health /health
    (cd crates/lockstep-serve/e2e && node bench.mjs "$URL" "$RUN" 1 7)
    [ "${PROFILE:-0}" = 1 ] && (cd crates/lockstep-serve/e2e && node profile.mjs "$URL" "$RUN" 1)
fi
grep -E 'VmHWM|VmRSS' /proc/$SERVER/status | tr -s ' \t' ' ' | paste -sd ';' - | sed 's/^/server memory: /'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${RESTART:-1}" = 0 ] && exit 0
# Restart to first view: stop the server, start it again on the same folder and time the first overview answer;
# the run is read back from runs/N/views.postcard; then with that file removed it is computed again from its
# dataset (what every restart did before the file existed) and saved; then read back once more.
ADDR=${URL#http://}; ADDR=${ADDR%%/*}
restart() {
    kill -INT $SERVER; wait $SERVER 2>/dev/null || true
    local t0
    t0=$(date +%s.%N)
    $BIN serve --data "$DIR/data" --listen "$ADDR" >>"$DIR/serve.log" 2>&1 &
    SERVER=$!
    until curl -sf -o /dev/null "$API/runs/$RUN/overview"; do sleep 0.05; done
    SECS=$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")
    # Then the first search answer (the search index may still be building).
    curl -sf -o /dev/null "$API$(awk '$1=="search"{print $2}' "$DIR/paths")"
    SEARCH=$(python3 -c "print(round($(date +%s.%N) - $t0, 2))")
}
restart; READ="$SECS s (first search $SEARCH s)"
if [ "${RESTART:-1}" = 1 ]; then
    rm "$DIR/data/runs/$RUN/views.postcard"; restart; AGAIN="$SECS s"
    restart; READ2="$SECS s (first search $SEARCH s)"
    echo "restart to first view: read back $READ; computed again (views.postcard removed) $AGAIN; read back $READ2 ($(du -h "$DIR/data/runs/$RUN/views.postcard" | cut -f1) file)"
else
    restart; READ2="$SECS s (first search $SEARCH s)"
    echo "restart to first view: read back $READ; again $READ2 ($(du -h "$DIR/data/runs/$RUN/views.postcard" | cut -f1) file)"
fi
grep -E 'VmHWM' /proc/$SERVER/status | tr -s ' \t' ' ' | sed 's/^/server memory after the last restart: /'
