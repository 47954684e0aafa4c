#!/usr/bin/env python3
"""Precision/recall of Lockstep on ../shared/data/mixed-devset, split by time.

Standard library only. Converts posts.csv into a long table of shares with a
`kind` column (text, repost, hashtag, mention, url; times at minute resolution,
as in the file), the way the held-out set is measured from the outside:

- a retweet (is_retweet = 1) is a `repost` share of its text, any other post a
  `text` share of its text;
- every hashtag, mention and url of the post is one share of that kind.

The stream is cut by time: the first `--tune` fraction of its hours is the
tuning part, the rest the test part (never used to choose anything). For each
configuration (a name and Lockstep arguments) and each part it runs
`lockstep detect`, reads accounts.csv (an account with a component is flagged)
and report.json (the top-ranked community), and prints one Markdown row:
flagged accounts, of the operation, precision, recall, share of the part's
ordinary accounts flagged, and the operation's share of the top community.

    scripts/eval-mixed-devset.py --lockstep target/release/lockstep \
        'defaults=' 'score=--threshold score'
"""

import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import calendar
from datetime import datetime, timezone


def ira_posts(path, start, span, t0):
    """IRA tweets of ira-2016q4 in [start, start + span], moved to begin at t0,
    as rows of posts.csv (account names prefixed `ira:`)."""
    s = calendar.timegm(datetime.strptime(start, "%Y-%m-%dT%H:%M").timetuple())
    out = []
    with gzip.open(path, "rt", newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            t = calendar.timegm(datetime.strptime(row["publish_date_utc"], "%Y-%m-%dT%H:%M:%SZ").timetuple())
            if not s <= t <= s + span:
                continue
            rt = row["post_type"] == "R" or row["retweet"] == "1"
            out.append((t - s + t0, {
                "account_id": "ira:" + row["author"],
                "post_id": f"ira{i}",
                "text": " ".join(row["content"].lower().split()),
                "is_retweet": "1" if rt else "0",
                "hashtags": row["hashtags"],
                "mentions": row["mentions"],
                "urls": row["urls"],
            }))
    return out


def convert(posts, labels_path, out_dir, tune, ira=None):
    """Writes tune.csv, test.csv; returns the accounts of each part, the labels
    and the cut. With `ira` = (ira-2016q4 file, start), the devset's own IRA
    posts are replaced by the IRA tweets of the same span from that start."""
    labels = {}
    with open(labels_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels[row["account_id"]] = row["label_ira"] == "1"
    rows = []
    with open(posts, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                t = calendar.timegm(datetime.strptime(row["timestamp_utc"], "%Y-%m-%dT%H:%M:%SZ").timetuple())
            except ValueError as e:
                sys.exit(f"{posts}:{line}: bad timestamp_utc {row['timestamp_utc']!r}: {e}")
            rows.append((t, row))
    t0 = min(t for t, _ in rows)
    t1 = max(t for t, _ in rows)
    if ira:
        rows = [(t, r) for t, r in rows if not labels.get(r["account_id"], False)]
        extra = ira_posts(ira[0], ira[1], t1 - t0, t0)
        labels.update({r["account_id"]: True for _, r in extra})
        rows = sorted(rows + extra, key=lambda x: (x[0], x[1]["post_id"]))
    cut = t0 + int((t1 - t0) * tune)
    cut -= cut % 3600  # a whole hour
    parts = {"tune": [], "test": []}
    for t, row in rows:
        parts["tune" if t < cut else "test"].append((t, row))
    accounts = {}
    for name, part in parts.items():
        path = os.path.join(out_dir, f"{name}.csv")
        seen = set()
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["account_id", "object_id", "content_id", "timestamp_share", "kind"])
            for t, row in part:
                a, p = row["account_id"], row["post_id"]
                seen.add(a)
                if row["text"]:
                    w.writerow([a, row["text"], p, t, "repost" if row["is_retweet"] == "1" else "text"])
                for kind, col in (("hashtag", "hashtags"), ("mention", "mentions"), ("url", "urls")):
                    for v in filter(None, row[col].split(";")):
                        w.writerow([a, v, p, t, kind])
        accounts[name] = seen
    return accounts, labels, datetime.fromtimestamp(cut, timezone.utc)


def run(lockstep, data, args, out):
    cmd = [lockstep, "detect", data, "--kind-column", "kind", "--out", out, "--quiet"] + args
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{res.stderr}")
    flagged = set()
    with open(os.path.join(out, "accounts.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("component"):
                flagged.add(row["account"] if "account" in row else row["account_id"])
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    return flagged, report


def top_group(report, labels):
    """Operation accounts and size of the top-ranked community (report.json order)."""
    ranked = report.get("communities") or []
    if not ranked:
        return None
    members = ranked[0]["members"]
    return sum(labels.get(m, False) for m in members), len(members)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", help="name=lockstep arguments (split on spaces)")
    ap.add_argument("--lockstep", default="target/release/lockstep")
    ap.add_argument("--data", default="../shared/data/mixed-devset")
    ap.add_argument("--tune", type=float, default=0.6, help="fraction of the hours for tuning")
    ap.add_argument("--parts", default="tune,test")
    ap.add_argument("--ira-from", metavar="YYYY-MM-DDTHH:MM",
                    help="replace the devset's IRA posts by ../shared/data/ira-2016q4's tweets from this UTC minute "
                    "on (same span, moved onto the devset's hours): operation behaviour for recall")
    ap.add_argument("--keep", metavar="DIR", help="keep the parts' CSVs and each run's outputs in DIR (for a look)")
    a = ap.parse_args()
    posts = os.path.join(a.data, "posts.csv")
    if not os.path.exists(posts):
        sys.exit(f"{posts}: not found")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = a.keep or scratch
        os.makedirs(tmp, exist_ok=True)
        ira = None
        if a.ira_from:
            ira = (os.path.join(os.path.dirname(a.data), "ira-2016q4", "ira_tweets_2016-09_to_2016-11.csv.gz"), a.ira_from)
        accounts, labels, cut = convert(posts, os.path.join(a.data, "labels.csv"), tmp, a.tune, ira)
        print(f"parts cut at {cut:%Y-%m-%d %H:%M} UTC")
        for part in a.parts.split(","):
            acc = accounts[part]
            op = sum(labels.get(x, False) for x in acc)
            print(f"\n{part}: {len(acc)} accounts, {op} of the operation, {len(acc) - op} ordinary\n")
            print("| run | flagged | of the operation | precision | recall | ordinary flagged | top group (op/size) |")
            print("|---|---:|---:|---:|---:|---:|---|")
            for cfg in a.configs:
                name, _, args = cfg.partition("=")
                out = os.path.join(tmp, f"out-{part}-{name}" if a.keep else f"out-{part}")
                flagged, report = run(a.lockstep, os.path.join(tmp, f"{part}.csv"), args.split(), out)
                tp = sum(labels.get(x, False) for x in flagged)
                prec = tp / len(flagged) if flagged else float("nan")
                rec = tp / op if op else float("nan")
                ordinary = (len(flagged) - tp) / (len(acc) - op)
                top = top_group(report, labels)
                tops = f"{top[0]}/{top[1]}" if top else "-"
                print(f"| {name} | {len(flagged)} | {tp} | {prec:.3f} | {rec:.3f} | {ordinary:.2%} | {tops} |")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
