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


def without_source(report):
    """report.json less what names where the rows came from and went to (`inputs`, `files`)."""
    return {k: v for k, v in report.items() if k not in ("inputs", "files")}


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
    (("--nb-size", "0", "--min-edge-score", "3"), {"nb_size": 0.0, "min_edge_score": 3.0}),
])
def test_same_tables_as_the_cli(generated, flags, kwargs):
    tmp, posts = generated
    out = os.path.join(tmp, "cli-" + "-".join(flags).replace("-", ""))
    expected = cli(posts, out, *flags)
    table = read_csv(posts)
    found = lockstep.detect(table, **kwargs)
    assert sorted(found.tables) == sorted(expected)
    assert found.edges.num_rows > 100
    for name, t in expected.items():
        # Same schema (names, types, nullability), rows in the same order, same values.
        assert found.tables[name].schema == t.schema, name
        assert found.tables[name].equals(t), name
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    assert without_source(found.report) == without_source(report)
    # The tables are named without the extension, with the CLI's row counts.
    assert found.report["files"] == [[os.path.splitext(n)[0], rows] for n, rows in report["files"]]
    assert found.report["inputs"][0]["source"] == "<arrow table>"
    assert found.report["inputs"][0]["shares"] == report["inputs"][0]["shares"]


def test_tables_arrive_in_memory_as_arrow_streams(generated, monkeypatch):
    _, posts = generated
    table = read_csv(posts)
    # No file is written: the native call returns streams, and needs no temporary folder (the
    # temporary folder, for Python and for Rust, is one that does not exist).
    tmp = os.path.join(tempfile.mkdtemp(prefix="lockstep-tmpdir-"), "missing")
    monkeypatch.setenv("TMPDIR", tmp)
    monkeypatch.setattr(tempfile, "tempdir", tmp)
    found, report_json, shipped = lockstep._lockstep.detect_arrow(
        table, account="account_id", object="object_id", time="timestamp_share", post="content_id", kind=None,
        kind_column=None, time_unit="auto", window="60", fast_window=None, min_participation=2, edge_quantile=0.5,
        threshold="score", min_edge_score=5.0, solo_edge_score=15.0, nb_size=100.0, null_model="rarest-object",
        resolution=1.0,
        seed=42, max_object_pairs=10_000_000, partitions=None, domains=True, pairs=False, keep_duplicates=False)
    assert not os.path.exists(tmp)
    os.rmdir(os.path.dirname(tmp))
    assert shipped is None
    names = [name for name, _ in found]
    # In the order the CLI writes them (edge_kinds only with two or more object kinds).
    assert names == [n for n in ("edges", "edge_kinds", "accounts", "objects", "domains") if n in names]
    assert {"edges", "accounts", "objects", "domains"} <= set(names)
    for name, reader in found:
        assert isinstance(reader, pa.RecordBatchReader), name
        batches = list(reader)
        # The Parquet writer's row groups: batches of at most 64Ki rows.
        assert all(0 < b.num_rows <= 65536 for b in batches), name
    report = json.loads(report_json)
    assert [n for n, _ in report["files"]] == names


def test_empty_results_keep_their_columns(generated):
    tmp, _ = generated
    # Two accounts sharing one object once: no edge passes the participation filter.
    posts = os.path.join(tmp, "tiny.csv")
    with open(posts, "w") as f:
        f.write("account_id,object_id,timestamp_share,content_id\n"
                "a,https://x.example/1,2024-01-01T00:00:00Z,p1\nb,https://x.example/1,2024-01-01T00:00:05Z,p2\n")
    expected = cli(posts, os.path.join(tmp, "cli-tiny"))
    found = lockstep.detect(read_csv(posts))
    assert expected["edges"].num_rows == 0
    for name, t in expected.items():
        assert found.tables[name].schema == t.schema, name
        assert found.tables[name].equals(t), name


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
