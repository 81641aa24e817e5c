#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test for the diagnosis reports: runs the real tshark with the
plugin, one pass and with -2, and checks that the report (-z mcudiag; the
GUI's Conferencing Diagnosis window shows the same text) holds every line of
the expected file (tests/capture/expected/<capture>.mcudiag), in order, each
as the start of a report line ('#' lines are comments). A report that holds
"No fault found" must have no numbered finding, and the other way round.

--new-lab-run: the capture is a new run of a namespace lab (capture.fresh.lab),
whose timing decides what the committed capture's report pins down exactly:
which members round robin reached, SYN or SYN-ACK retransmissions (so frame
numbers and counts), and the confidence that follows from them. Each expected
line is then cut before the first of those parts.
"""
import sys

from checklib import arguments, finish, tshark


# Where a new run of a lab may differ from the committed capture's report.
RUN_DEPENDENT = (" (confidence", " member MAC", " (frame", " answered from the VIP")


def timing_free(line):
    """The part of an expected line that holds in every run of the lab."""
    cuts = [line.find(marker) for marker in RUN_DEPENDENT if marker in line]
    return line[:min(cuts)] if cuts else line


def main():
    a = arguments(("--new-lab-run", dict(action="store_true", help="cut what the lab's timing decides")))
    with open(a.expected) as f:
        want = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    if a.new_lab_run:
        want = [timing_free(line) for line in want]
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
