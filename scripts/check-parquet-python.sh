#!/usr/bin/env bash
# Loads every Parquet table of a lockstep output folder in pandas (pyarrow engine) and polars,
# and checks each holds the same cells as the CSV table of a second run with --format csv.
# Usage: scripts/check-parquet-python.sh PARQUET_DIR CSV_DIR
# Installs pandas, pyarrow and polars from PyPI into a venv under target/ (not run by .ci/run: the
# Rust test parquet_tables_load_with_arrow_and_match_the_csv already checks the files with Arrow).
set -euo pipefail
pq=$1
csv=$2
venv=${PY_VENV:-target/py-parquet}
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q pandas pyarrow polars; }
"$venv/bin/python" - "$pq" "$csv" <<'PY'
import glob, os, sys
import pandas as pd, polars as pl, pyarrow
pq_dir, csv_dir = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(pq_dir, "*.parquet")))
assert files, f"no Parquet files in {pq_dir}"
for path in files:
    name = os.path.basename(path)[: -len(".parquet")]
    a = pd.read_parquet(path, engine="pyarrow")
    b = pl.read_parquet(path)
    c = pd.read_csv(os.path.join(csv_dir, name + ".csv"), keep_default_na=False, na_values=[""], dtype=str)
    assert list(a.columns) == list(b.columns) == list(c.columns), (name, list(a.columns), list(c.columns))
    assert len(a) == len(b) == len(c), (name, len(a), len(b), len(c))
    def same(x, y):
        if x is None or (isinstance(x, float) and x != x):
            return y is None or (isinstance(y, float) and y != y)
        if isinstance(x, bool) or type(x).__name__ == "bool_":
            return str(bool(x)).lower() == y
        if isinstance(x, float):
            return float(y) == x
        return str(x) == y
    for col in a.columns:
        want = c[col].tolist()
        for got in (a[col].tolist(), b[col].to_list()):
            bad = [(x, y) for x, y in zip(got, want) if not same(x, y)]
            assert not bad, (name, col, bad[:3])
    print(f"{name}: {len(a)} rows x {len(a.columns)} columns, same in pandas {pd.__version__} "
          f"(pyarrow {pyarrow.__version__}), polars {pl.__version__} and the CSV")
PY
