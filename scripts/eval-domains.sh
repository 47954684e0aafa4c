#!/usr/bin/env bash
# Quality of the look-alike detector beside dnstwist (docs/evaluation.md).
# Installs dnstwist 20250130 from PyPI into bench-work/ (gitignored), then runs the evaluation.
# Needs ../shared beside the repository. Extra arguments go to the evaluation
# (e.g. --dnstwist-sample 200, --no-dnstwist).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=bench-work/dnstwist-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import dnstwist' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q dnstwist==20250130
fi
cargo run --release -p lockstep-domains --example evaluate -- --python "$venv/bin/python" "$@"
