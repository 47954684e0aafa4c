#!/usr/bin/env python3
"""Builds crates/lockstep-domains/data/common-words-en.txt from SCOWL.

Source: SCOWL (Spell Checker Oriented Word Lists) by Kevin Atkinson, as packaged by Debian
(`apt-get install scowl`, version 2020.12.07-2, files /usr/share/dict/scowl/*-words.NN).
SCOWL's size levels are frequency tiers: level 10 holds the ~1,000 most common English words
(Moby Words II) and the most frequent class of Brian Kelk's UK English word list; 20 and 35
are the next tiers (35 is a "small" spell-checker dictionary). We keep levels 10, 20 and 35 of
the english, american and british lists: lower-case ASCII words of 3+ letters, each at its
lowest level. Usage: scripts/build-common-words.py [SCOWL_DIR] > crates/lockstep-domains/data/common-words-en.txt
"""
import sys

scowl = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/scowl"
levels = {}
for level in (10, 20, 35):
    for variety in ("english", "american", "british"):
        with open(f"{scowl}/{variety}-words.{level}", encoding="latin-1") as f:
            for w in f:
                w = w.strip()
                if len(w) >= 3 and w.isascii() and w.isalpha() and w.islower():
                    levels.setdefault(w, level)
print("# Common English words, by SCOWL size level (10 = most common, then 20, 35).")
print("# Built by scripts/build-common-words.py from SCOWL 2020.12.07 (Debian package scowl 2020.12.07-2),")
print("# levels 10, 20 and 35 of the english, american and british word lists; lower-case ASCII words")
print("# of 3+ letters, each at its lowest level. Used by lookalike.rs to weigh how distinctive a name is.")
print("#")
NOTICE = """\
SCOWL: the collective work is Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy,
modify, distribute and sell these word lists, the associated scripts, the output created from
the scripts, and its documentation for any purpose is hereby granted without fee, provided that
the above copyright notice appears in all copies and that both that copyright notice and this
permission notice appear in supporting documentation. Kevin Atkinson makes no representations
about the suitability of this array for any purpose. It is provided "as is" without express or
implied warranty.
Level 10 uses Moby Words II (public domain, Grady Ward); levels 10-35 use Brian Kelk's UK
English Wordlist with Frequency Classification and Alan Beale's 12Dicts (public domain).
Inflections were added with a database built with WordNet 1.6: WordNet 1.6 Copyright 1997 by
Princeton University. All rights reserved. THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND
PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. (Full notices:
/usr/share/doc/scowl/copyright in the Debian package.)"""
for line in NOTICE.splitlines():
    print("# " + line)
for level in (10, 20, 35):
    print(f"@{level}")
    for w in sorted(w for w, l in levels.items() if l == level):
        print(w)
