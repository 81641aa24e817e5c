#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test for per-frame fields: runs the real tshark with the plugin and
compares `-T fields` output with an expected file (tests/capture/expected/
<capture>.<name>.fields), with -2 and in one pass.

The expected file starts with header lines:
  # filter: <display filter>
  # fields: frame.number <field> ...
  # two-pass-only: <field> ...     (empty in one pass: later frames tell them)
  # final-state: <field> ...       (one pass shows the state so far: not compared)
  # two-pass-only-frames: <n> ...  (frames only -2 can flag: absent in one pass)
then one tab-separated row per matching frame, as -2 shows it.
"""
import sys

from checklib import arguments, field_rows, finish


def main():
    a = arguments(("--write", dict(action="store_true", help="write the -2 rows (review before committing)")))
    with open(a.expected) as f:
        lines = f.read().splitlines()
    head = [l for l in lines if l.startswith("# ")]
    header = {l[2:].split(":", 1)[0]: l.split(":", 1)[1].split() for l in head}
    display_filter = " ".join(header["filter"])
    fields = header["fields"]
    later = set(header.get("two-pass-only", []))
    unstable = set(header.get("final-state", []))
    later_frames = set(header.get("two-pass-only-frames", []))

    def rows(two_pass):
        return {r[0]: r for r in field_rows(a, display_filter, fields, two_pass)}

    if a.write:
        with open(a.expected, "w") as f:
            f.write("\n".join(head) + "\n")
            for r in rows(True).values():
                f.write("\t".join(r) + "\n")
        return 0
    want = {l.split("\t")[0]: l.split("\t") for l in lines if not l.startswith("#")}
    failures = []
    for two_pass in (True, False):
        label = "-2" if two_pass else "one pass"
        got = rows(two_pass)
        expect = dict(want) if two_pass else {k: v for k, v in want.items() if k not in later_frames}
        for frame in sorted(set(got) | set(expect), key=int):
            g, e = got.get(frame), expect.get(frame)
            if not g or not e:
                failures.append(f"{label} frame {frame}: got {g}, expected {e}")
                continue
            for f, gv, ev in zip(fields, g, e):
                if not two_pass and f in unstable:
                    continue
                if not two_pass and f in later:
                    ev = ""
                if gv != ev:
                    failures.append(f"{label} frame {frame} {f}: got {gv!r}, expected {ev!r}")
    return finish(a, failures, f"{len(want)} expected rows of {display_filter}")


if __name__ == "__main__":
    sys.exit(main())
