#!/usr/bin/env bash
# Quality of the look-alike detector beside dnstwist, split by campaign period (docs/evaluation.md).
# Installs dnstwist 20250130 from PyPI into bench-work/ (gitignored), then runs the evaluation.
# Needs ../shared beside the repository. Extra arguments go to the evaluation
# (e.g. --no-dnstwist, --target-ranks 50000, --split 2023-01-01).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=bench-work/dnstwist-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import dnstwist' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q dnstwist==20250130
fi
cargo run --release -p lockstep-domains --example evaluate -- --python "$venv/bin/python" "$@"
