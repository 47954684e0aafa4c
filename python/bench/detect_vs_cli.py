"""lockstep.detect on a pyarrow table against `lockstep detect` on the same rows: wall time and peak memory.

    python python/bench/detect_vs_cli.py --cli target/release/lockstep [--posts 1000000] [--runs 3]

Generates the posts (`lockstep generate`, seed 11), reads them with pyarrow as text columns (as the
command line reads a CSV) and writes them as posts.parquet. Then, interleaved, each run:
  - cli-parquet: `lockstep detect posts.parquet --output-format parquet` (whole process, /usr/bin/time);
  - python: a fresh interpreter loads posts.parquet into a pyarrow table (not timed), then times
    `lockstep.detect(table)` and its peak RSS over the call (VmHWM reset just before it: /proc/self/clear_refs);
  - cli-csv: `lockstep detect posts.csv --output-format parquet`;
  - with --other-python PY: the python run again in that interpreter (another build of the wheel,
    e.g. the previous version), as "python-other".
With --input-types converted, lockstep.detect gets millisecond timestamps and dictionary account and
object ids instead (types its reader converts one batch at a time). Prints every run, the medians and the
ratios python / cli-parquet, and checks once that every table
lockstep.detect returned equals the CLI's Parquet file. If lockstep.detect copied the input's columns,
its peak over the call would exceed the CLI's peak by about the table's size (printed beside it).
Needs the wheel installed (release build: maturin build --release) in the interpreter running this.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, sys, time
import pyarrow.parquet as pq
import lockstep

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
posts, cli_out, types = sys.argv[1], sys.argv[2], sys.argv[3]
table = pq.read_table(posts, memory_map=False)
if types == "converted":
    # Types the reader converts batch by batch: millisecond timestamps, dictionary ids.
    import pyarrow as pa, pyarrow.compute as pc
    ms = pc.multiply(pc.cast(table["timestamp_share"], pa.int64()), 1000)  # UNIX seconds as text
    table = table.set_column(table.schema.get_field_index("timestamp_share"), "timestamp_share",
                             ms.cast(pa.timestamp("ms")))
    for name in ("account_id", "object_id"):
        table = table.set_column(table.schema.get_field_index(name), name, pc.dictionary_encode(table[name]))
    table = table.combine_chunks()
rss_before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:  # resets VmHWM (the peak RSS) to the current RSS
    f.write("5")
start = time.perf_counter()
found = lockstep.detect(table)
secs = time.perf_counter() - start
peak = status("VmHWM")
out = {"secs": secs, "rss_before": rss_before, "peak": peak, "input_bytes": table.nbytes,
       "output_bytes": sum(t.nbytes for t in found.tables.values()),
       "rows": {k: v.num_rows for k, v in found.tables.items()}}
if cli_out:
    for name, t in found.tables.items():
        if not t.equals(pq.read_table(os.path.join(cli_out, name + ".parquet"))):
            sys.exit(f"lockstep.detect's {name} differs from the CLI's")
    out["checked"] = sorted(found.tables)
print(json.dumps(out))
"""


def timed(cmd):
    """Wall seconds and peak RSS (bytes) of a command, by /usr/bin/time; its stdout."""
    p = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *cmd], check=True, capture_output=True, text=True)
    line = [l for l in p.stderr.splitlines() if l.startswith("TIME ")][-1]
    _, secs, kb = line.split()
    return float(secs), int(kb) * 1024, p.stdout


def gib(b):
    return f"{b / 2**20:.0f} MiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="the lockstep binary (a release build)")
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", default=None, help="where the posts and outputs go (default: a temporary folder)")
    ap.add_argument("--other-python", default=None, help="an interpreter with another build of the wheel installed")
    ap.add_argument("--input-types", choices=["text", "converted"], default="text",
                    help="the table lockstep.detect gets: text columns as read, or millisecond timestamps and "
                         "dictionary account/object ids (types the reader converts batch by batch)")
    args = ap.parse_args()

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="lockstep-bench-", dir=args.workdir) as tmp:
        posts_csv = os.path.join(tmp, "posts.csv")
        posts_pq = os.path.join(tmp, "posts.parquet")
        subprocess.run([args.cli, "generate", "-n", str(args.posts), "--seed", "11", "-o", posts_csv], check=True,
                       capture_output=True)
        names = pacsv.read_csv(posts_csv, read_options=pacsv.ReadOptions(block_size=1 << 20)).column_names
        table = pacsv.read_csv(posts_csv, convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}))
        pq.write_table(table, posts_pq)
        print(f"{args.posts} posts: {table.num_rows} rows, columns {table.column_names}, "
              f"table {gib(table.nbytes)} in pyarrow; csv {gib(os.path.getsize(posts_csv))}, "
              f"parquet {gib(os.path.getsize(posts_pq))}")
        del table

        cli_pq, cli_csv, py, other = [], [], [], []
        for run in range(args.runs):
            out = os.path.join(tmp, "cli-parquet")
            secs, peak, _ = timed([args.cli, "detect", posts_pq, "-q", "-o", out, "--output-format", "parquet"])
            cli_pq.append((secs, peak))
            print(f"run {run + 1}: cli-parquet {secs:6.2f} s  peak {gib(peak)}")
            check = out if run == 0 else ""
            pythons = [("python", sys.executable, py)]
            if args.other_python:
                pythons.append(("python-other", args.other_python, other))
            for label, interpreter, results in pythons:
                proc_secs, proc_peak, stdout = timed([interpreter, "-c", CHILD, posts_pq, check, args.input_types])
                r = json.loads(stdout)
                r["proc_secs"] = proc_secs
                results.append(r)
                added = r["peak"] - r["rss_before"]
                print(f"run {run + 1}: {label:12}{r['secs']:6.2f} s  peak over the call {gib(r['peak'])} "
                      f"(RSS before {gib(r['rss_before'])}, added {gib(added)}; input table {gib(r['input_bytes'])}, "
                      f"output tables {gib(r['output_bytes'])}; whole process {proc_secs:.2f} s incl. start-up and "
                      f"reading the Parquet file, peak {gib(proc_peak)})"
                      + (f"  checked equal to the CLI: {', '.join(r['checked'])}" if "checked" in r else ""))
            out = os.path.join(tmp, "cli-csv")
            secs, peak, _ = timed([args.cli, "detect", posts_csv, "-q", "-o", out, "--output-format", "parquet"])
            cli_csv.append((secs, peak))
            print(f"run {run + 1}: cli-csv     {secs:6.2f} s  peak {gib(peak)}")

    med = statistics.median
    t_pq, t_csv, t_py = med(s for s, _ in cli_pq), med(s for s, _ in cli_csv), med(r["secs"] for r in py)
    m_pq, m_csv = med(p for _, p in cli_pq), med(p for _, p in cli_csv)
    m_added = med(r["peak"] - r["rss_before"] for r in py)
    m_before = med(r["rss_before"] for r in py)
    print(f"median wall: cli-parquet {t_pq:.2f} s, cli-csv {t_csv:.2f} s, lockstep.detect {t_py:.2f} s; "
          f"ratio python / cli-parquet {t_py / t_pq:.3f}, python / cli-csv {t_py / t_csv:.3f}; whole python process "
          f"{med(r['proc_secs'] for r in py):.2f} s")
    print(f"median peak: cli-parquet {gib(m_pq)}, cli-csv {gib(m_csv)}; python: RSS before the call "
          f"{gib(m_before)} (interpreter, pyarrow, the input table {gib(py[0]['input_bytes'])}), added over the call "
          f"{gib(m_added)}; ratio added / cli-parquet peak {m_added / m_pq:.3f}")
    if other:
        t_o = med(r["secs"] for r in other)
        o_added = med(r["peak"] - r["rss_before"] for r in other)
        print(f"python-other: median {t_o:.2f} s, added over the call {gib(o_added)}; python / python-other "
              f"{t_py / t_o:.3f} (time), {m_added / o_added:.3f} (added memory)")


if __name__ == "__main__":
    main()
