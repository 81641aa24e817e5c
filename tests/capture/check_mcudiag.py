#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test for the diagnosis reports: runs the real tshark with the
plugin, one pass and with -2, and checks that the report (-z mcudiag; the
GUI's Conferencing Diagnosis window shows the same text) holds every line of
the expected file (tests/capture/expected/<capture>.mcudiag), in order, each
as the start of a report line ('#' lines are comments). A report that holds
"No fault found" must have no numbered finding, and the other way round.
"""
import sys

from checklib import arguments, finish, tshark


def main():
    a = arguments()
    with open(a.expected) as f:
        want = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    failures = []
    for extra in ([], ["-2"]):
        label = "-2" if extra else "one pass"
        report = tshark(a, "-r", a.pcap, "-q", "-z", "mcudiag", *extra).splitlines()
        at = 0
        for line in want:
            found = next((i for i in range(at, len(report)) if report[i].startswith(line)), None)
            if found is None:
                failures.append(f"{label}: missing (in order): {line}")
            else:
                at = found + 1
        healthy = any(l.startswith("No fault found") for l in report)
        numbered = any(l[:1].isdigit() and ". " in l[:4] for l in report)
        if healthy == numbered:
            failures.append(f"{label}: findings and 'No fault found' disagree")
        if failures:
            print("\n".join(report))
    return finish(a, failures, f"{len(want)} expected report lines")


if __name__ == "__main__":
    sys.exit(main())
