#!/usr/bin/env python3
"""Precision/recall of planted accounts on generated data, per configuration.

Standard library only. Generates (or reuses) `lockstep generate` datasets, runs
`lockstep detect` with each configuration, and prints one Markdown row per
(dataset, binary, configuration): flagged accounts (accounts.csv rows with a
component), planted among them, precision, recall, innocent accounts flagged
(count and share of all non-planted accounts; how many are the event
scenario's automated accounts and live-tweeters, from `generate --roles`),
precision without the automated accounts, recall per planted style, and the
planted share of the top-ranked community.

    scripts/eval-synthetic.py --scenario event --posts 300000 --seeds 42,7 \
        --lockstep target/release/lockstep --lockstep OLD=/tmp/old/lockstep 'defaults='

Datasets are kept in --work (default /tmp/lockstep-eval-synthetic) so reruns
reuse them; generation uses the first binary given (it needs `generate --roles`).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import importlib.util

# `run` of eval-mixed-devset.py: detect with a kind column, then the flagged accounts and report.json.
_spec = importlib.util.spec_from_file_location(
    "eval_mixed_devset", os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval-mixed-devset.py"))
_devset = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_devset)
run_detect = _devset.run


def generate(lockstep, scenario, posts, seed, work):
    base = os.path.join(work, f"{scenario}-{posts}-seed{seed}")
    data, truth, roles = base + ".csv", base + ".truth.csv", base + ".roles.csv"
    if not (os.path.exists(data) and os.path.exists(truth) and os.path.exists(roles)):
        cmd = [lockstep, "generate", "--scenario", scenario, "-n", str(posts), "--seed", str(seed),
               "-o", data + ".partial", "--truth", truth + ".partial", "--roles", roles + ".partial"]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{res.stderr}")
        os.replace(truth + ".partial", truth)
        os.replace(roles + ".partial", roles)
        os.replace(data + ".partial", data)
    planted, role = {}, {}
    with open(truth, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            planted[row["account_id"]] = row["style"]
    with open(roles, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            role[row["account_id"]] = row["role"]
    return data, planted, role


def count_accounts(data):
    """Distinct accounts of a long CSV (first column)."""
    seen = set()
    with open(data, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        head = next(r)
        col = head.index("account_id") if "account_id" in head else 0
        for row in r:
            seen.add(row[col])
    return len(seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", help="name=lockstep detect arguments (split on spaces)")
    ap.add_argument("--lockstep", action="append", help="binary, or NAME=binary (repeatable)")
    ap.add_argument("--scenario", default="event")
    ap.add_argument("--posts", default="300000", help="comma-separated sizes")
    ap.add_argument("--seeds", default="42")
    ap.add_argument("--work", default="/tmp/lockstep-eval-synthetic")
    a = ap.parse_args()
    bins = []
    for b in a.lockstep or ["target/release/lockstep"]:
        name, _, path = b.rpartition("=")
        bins.append((name or "this", path))
    os.makedirs(a.work, exist_ok=True)
    print("| data | binary | run | flagged | planted | precision | recall | innocent flagged | of them automated / live-tweeters "
          "| precision without automated | recall by style | top community (planted/size) |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|---:|---|---|")
    for posts in a.posts.split(","):
        for seed in a.seeds.split(","):
            data, planted, role = generate(bins[0][1], a.scenario, int(posts), int(seed), a.work)
            n_acc = count_accounts(data)
            for cfg in a.configs:
                for bname, binary in bins:
                    name, _, args = cfg.partition("=")
                    with tempfile.TemporaryDirectory(dir=a.work) as tmp:
                        out = os.path.join(tmp, "out")
                        flagged, report = run_detect(binary, data, args.split(), out)
                    tp = sum(x in planted for x in flagged)
                    prec = tp / len(flagged) if flagged else float("nan")
                    rec = tp / len(planted) if planted else float("nan")
                    innocent = len(flagged) - tp
                    styles = {}
                    for acc, st in planted.items():
                        got, tot = styles.get(st, (0, 0))
                        styles[st] = (got + (acc in flagged), tot + 1)
                    by_style = ", ".join(f"{st} {g}/{t}" for st, (g, t) in sorted(styles.items()))
                    ranked = report.get("communities") or []
                    top = "-"
                    if ranked:
                        m = ranked[0]["members"]
                        top = f"{sum(x in planted for x in m)}/{len(m)}"
                    share = innocent / max(1, n_acc - len(planted))
                    auto = sum(role.get(x) == "automated" for x in flagged)
                    live = sum(role.get(x) == "live_tweeter" for x in flagged)
                    n_auto = sum(r == "automated" for r in role.values())
                    n_live = sum(r == "live_tweeter" for r in role.values())
                    prec_na = tp / (len(flagged) - auto) if len(flagged) > auto else float("nan")
                    print(f"| {a.scenario} {posts} seed {seed} | {bname} | {name} | {len(flagged)} | {tp} | {prec:.3f} | "
                          f"{rec:.3f} | {innocent} ({share:.3%}) | {auto}/{n_auto} automated, {live}/{n_live} live | "
                          f"{prec_na:.3f} | {by_style} | {top} |")
                    sys.stdout.flush()


if __name__ == "__main__":
    main()
