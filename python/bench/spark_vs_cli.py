"""lockstep.spark.detect in Spark local mode against `lockstep detect` on the same posts file.

    python python/bench/spark_vs_cli.py POSTS.csv --cli target/release/lockstep [--runs 2] [--master local[2]]

Interleaves runs (CLI, Spark, CLI, Spark, …) in the same process tree, prints every run's wall time,
the Spark stages' seconds and the medians, checks that both wrote the same edges and accounts, and
prints the ratio Spark / CLI. The Spark session is started once, before the first run, and its
start-up is printed apart (a cluster pays it once per application). Needs the wheel installed
(release build: maturin build --release) in the interpreter running this, pyspark[sql] and Java 17+.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq


def cli_run(cli, posts, out):
    start = time.perf_counter()
    subprocess.run([cli, "detect", posts, "-q", "-o", out, "--output-format", "parquet"], check=True)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posts")
    ap.add_argument("--cli", required=True, help="the lockstep binary (a release build)")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="8g")
    args = ap.parse_args()

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    start = time.perf_counter()
    from pyspark.sql import SparkSession

    import lockstep
    import lockstep.spark

    spark = (SparkSession.builder.master(args.master).appName("lockstep-bench")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.memory", args.driver_memory)
             .config("spark.sql.shuffle.partitions", "8")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000000")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    print(f"spark session started in {time.perf_counter() - start:.1f} s ({args.master}, pyspark {spark.version})")

    cli_times, spark_times = [], []
    with tempfile.TemporaryDirectory(prefix="lockstep-bench-") as tmp:
        for run in range(args.runs):
            out = os.path.join(tmp, "cli")
            t = cli_run(args.cli, args.posts, out)
            cli_times.append(t)
            print(f"run {run + 1}: cli   {t:7.1f} s")
            start = time.perf_counter()
            df = spark.read.csv(args.posts, header=True)  # every column as text, in file order
            found = lockstep.spark.detect(df)
            t = time.perf_counter() - start
            spark_times.append(t)
            print(f"run {run + 1}: spark {t:7.1f} s  stage {json.dumps(found.stage)}")
            for name in ("edges", "accounts"):
                if not found.tables[name].equals(pq.read_table(os.path.join(out, name + ".parquet"))):
                    sys.exit(f"spark's {name} differ from the CLI's")
    cli_m, spark_m = statistics.median(cli_times), statistics.median(spark_times)
    print(f"median: cli {cli_m:.1f} s, spark {spark_m:.1f} s, ratio {spark_m / cli_m:.2f}x "
          f"(edges {found.edges.num_rows}, same edges and accounts tables)")
    spark.stop()


if __name__ == "__main__":
    main()
