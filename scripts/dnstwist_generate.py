#!/usr/bin/env python3
"""dnstwist's offline permutations of a list of domains.

Usage: dnstwist_generate.py DOMAINS_FILE OUT_FILE [TLD_FILE]

For each domain (one per line) this runs dnstwist's own Fuzzer, exactly what
`dnstwist --format list [--tld TLD_FILE] DOMAIN` prints (no DNS look-ups), and
writes `domain<TAB>generated name` lines (a domain dnstwist rejects gets one line
with an empty name, so that it is not retried). Used by
`cargo run --release -p lockstep-domains --example evaluate`.
"""
import sys

import dnstwist


def main():
    domains = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    tlds = [l.strip() for l in open(sys.argv[3]) if l.strip()] if len(sys.argv) > 3 else []
    with open(sys.argv[2], "w") as fh:
        for i, d in enumerate(domains):
            try:
                f = dnstwist.Fuzzer(d, tld_dictionary=tlds)
                f.generate()
                names = sorted(set(p["domain"] for p in f.domains))
            except Exception as e:  # dnstwist rejects some names (e.g. too long)
                print(f"dnstwist failed on {d}: {e}", file=sys.stderr)
                names = [""]
            for n in names:
                fh.write(f"{d}\t{n}\n")
            if (i + 1) % 100 == 0:
                print(f"  dnstwist: {i + 1}/{len(domains)} domains", file=sys.stderr)


if __name__ == "__main__":
    main()
