"""The Python package against the command line on the same generated data.

Needs the `lockstep` binary: $LOCKSTEP_BIN, else target/release or target/debug of the repository.
"""

import json
import os
import shutil
import subprocess
import tempfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import lockstep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lockstep_bin():
    env = os.environ.get("LOCKSTEP_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        p = os.path.join(ROOT, "target", profile, "lockstep")
        if os.path.exists(p):
            return p
    pytest.fail("the lockstep binary is not built (cargo build -p lockstep) and LOCKSTEP_BIN is not set")


@pytest.fixture(scope="module")
def generated():
    tmp = tempfile.mkdtemp(prefix="lockstep-py-")
    posts = os.path.join(tmp, "posts.csv")
    subprocess.run([lockstep_bin(), "generate", "-n", "30000", "--seed", "7", "-o", posts], check=True,
                   capture_output=True)
    yield tmp, posts
    shutil.rmtree(tmp)


def cli(posts, out, *flags):
    subprocess.run([lockstep_bin(), "detect", posts, "-q", "-o", out, "--output-format", "parquet", *flags],
                   check=True)
    return {os.path.splitext(n)[0]: pq.read_table(os.path.join(out, n))
            for n in sorted(os.listdir(out)) if n.endswith(".parquet")}


def read_csv(posts):
    # Every column as text, as the command line reads a CSV.
    names = pacsv.read_csv(posts, read_options=pacsv.ReadOptions(block_size=1 << 20)).column_names
    types = {n: pa.string() for n in names}
    return pacsv.read_csv(posts, convert_options=pacsv.ConvertOptions(column_types=types))


@pytest.mark.parametrize("flags,kwargs", [
    ((), {}),
    (("--threshold", "quantile", "--fast-window", "20", "--pairs"),
     {"threshold": "quantile", "fast_window": 20, "pairs": True}),
    (("--partitions", "4", "--null-model", "account-time"), {"partitions": 4, "null_model": "account-time"}),
])
def test_same_tables_as_the_cli(generated, flags, kwargs):
    tmp, posts = generated
    expected = cli(posts, os.path.join(tmp, "cli-" + "-".join(flags).replace("-", "")), *flags)
    table = read_csv(posts)
    found = lockstep.detect(table, **kwargs)
    assert sorted(found.tables) == sorted(expected)
    assert found.edges.num_rows > 100
    for name, t in expected.items():
        assert found.tables[name].equals(t), name
    with open(os.path.join(tmp, "cli-" + "-".join(flags).replace("-", ""), "report.json")) as f:
        report = json.load(f)
    assert found.report["counts"] == report["counts"]
    assert found.report["significance"] == report["significance"]


def test_typed_columns_and_other_tables(generated):
    _, posts = generated
    table = read_csv(posts)
    base = lockstep.detect(table, domains=False)
    # Integer times and a record batch reader give the same network.
    typed = table.set_column(table.schema.get_field_index("timestamp_share"), "timestamp_share",
                             table["timestamp_share"].cast(pa.int64()))
    assert lockstep.detect(typed, domains=False).edges.equals(base.edges)
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=1000))
    assert lockstep.detect(reader, domains=False).edges.equals(base.edges)
    assert "domains" not in base.tables


def test_bad_rows_are_counted_and_errors_name_the_problem():
    t = pa.table({"account_id": ["a", "b", None, "a", "b"], "object_id": ["x", "x", "x", "y", "y"],
                  "timestamp_share": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:03Z", "2024-01-01T00:00:04Z",
                                      "2024-01-02T00:00:00Z", "not a time"]})
    found = lockstep.detect(t, window=10, min_participation=1, threshold="quantile")
    assert found.report["diagnostics"]["skipped"] == 2
    with pytest.raises(ValueError, match="user"):
        lockstep.detect(t, account="user")
    with pytest.raises(ValueError, match="null_model"):
        lockstep.detect(t, null_model="nope")


def test_classify_domains():
    rows = lockstep.classify_domains(["https://www.bbc.co.uk/news", "not a domain"])
    assert [r["input"] for r in rows] == ["https://www.bbc.co.uk/news", "not a domain"]
    assert rows[0]["registrable"] == "bbc.co.uk"
    assert rows[1]["class"] == "invalid"
