"""lockstep.spark against the command line: pyspark in local[2] on generated data.

The co-share stage runs on Spark's executors (Python workers of this interpreter, the wheel
installed in it), with hot objects split into time buckets of a few pairs so that path runs;
every output table and the report's counts must equal the CLI's. Skipped with a message when
pyspark or Java is absent, unless CI=true (then it fails).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pyarrow.parquet as pq
import pytest

import lockstep
import lockstep.spark

from test_lockstep import lockstep_bin


def _spark_or_skip():
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark (pip install pyspark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("java (a JRE >= 17)")
    if missing:
        message = "skipped: " + " and ".join(missing) + " not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def spark():
    _spark_or_skip()
    from pyspark.sql import SparkSession

    # Executors' Python: this interpreter, where the wheel is installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("lockstep-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated():
    # Background scenario: three planted networks and viral bursts (hot objects).
    tmp = tempfile.mkdtemp(prefix="lockstep-spark-")
    posts = os.path.join(tmp, "posts.csv")
    subprocess.run([lockstep_bin(), "generate", "-n", "30000", "--seed", "7", "-o", posts], check=True,
                   capture_output=True)
    yield tmp, posts
    shutil.rmtree(tmp)


def cli(posts, out, *flags):
    subprocess.run([lockstep_bin(), "detect", posts, "-q", "-o", out, "--output-format", "parquet", *flags],
                   check=True)
    tables = {os.path.splitext(n)[0]: pq.read_table(os.path.join(out, n))
              for n in sorted(os.listdir(out)) if n.endswith(".parquet")}
    with open(os.path.join(out, "report.json")) as f:
        return tables, json.load(f)


@pytest.mark.parametrize("flags,kwargs", [
    ((), {"bucket_pairs": 40}),
    (("--threshold", "quantile", "--fast-window", "20", "--pairs", "--null-model", "account-time"),
     {"threshold": "quantile", "fast_window": 20, "pairs": True, "null_model": "account-time",
      "parts": 3, "bucket_pairs": 5}),
])
def test_same_tables_as_the_cli(spark, generated, flags, kwargs):
    tmp, posts = generated
    expected, report = cli(posts, os.path.join(tmp, "cli" + "".join(flags).replace("-", "")), *flags)
    # Spark's CSV reader: every column as text, in file order, as the CLI reads it.
    df = spark.read.csv(posts, header=True)
    found = lockstep.spark.detect(df, **kwargs)
    # The stage ran on the executors, with viral objects cut into overlapping time buckets.
    assert found.stage["hot_objects"] > 0, found.stage
    assert found.stage["buckets"] > 2 * found.stage["hot_objects"], found.stage
    assert sorted(found.tables) == sorted(expected)
    assert found.edges.num_rows > 100
    for name, t in expected.items():
        assert found.tables[name].equals(t), name
    # All of report.json but the inputs' names and the files written.
    assert sorted(found.report) == sorted(report)
    for key in sorted(set(report) - {"inputs", "files"}):
        assert found.report[key] == report[key], key


def test_a_missing_column_is_named(spark, generated):
    _, posts = generated
    df = spark.read.csv(posts, header=True)
    with pytest.raises(ValueError, match="user"):
        lockstep.spark.detect(df, account="user")
