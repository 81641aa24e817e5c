#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""No finding on captures of other projects: on every public capture of the
shared corpus (../shared/corpus beside the repository: real stacks, scanners,
PBXs, none of them OCS/Lync), one pass and -2, -z mcudiag numbers no finding
(no failed join, no failed connection to the conferencing port, no
load-balancer fault; a note, a line that is not numbered, is allowed), and no
frame carries the verdict of an analysis that needs a balancer (lbidle's idle
timeout, lbdsr's direct server return). One tshark run per capture and mode,
two at a time. Skipped (77) when the corpus is not there: it is data beside
the project, never copied into it."""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys

FINDING = re.compile(r"^\d+\. ")
BALANCER_VERDICTS = ("lbidle", "lbdsr")


def check(runner, plugin, pcap, extra):
    """What one run shows that it must not (empty when quiet)."""
    fields = [arg for proto in BALANCER_VERDICTS for arg in ("-e", proto)]
    run = subprocess.run([runner, plugin, "-r", pcap, *extra, "-Y", " or ".join(BALANCER_VERDICTS),
                          "-T", "fields", "-e", "frame.number", *fields, "-z", "mcudiag"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = run.stdout.splitlines()
    report_at = next((i for i, line in enumerate(lines) if line.startswith("===")), len(lines))
    problems = []
    if report_at:
        problems.append(f"balancer verdicts on frames {' '.join(l.split(chr(9))[0] for l in lines[:report_at][:10])}")
    problems += [line for line in lines[report_at:] if FINDING.match(line)]
    if run.returncode != 0:
        problems.append(f"tshark exited {run.returncode}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True, help="tests/run-tshark")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--corpus", required=True, help="folder of public captures")
    a = ap.parse_args()
    captures = sorted(f for ext in ("pcap", "pcapng", "cap", "pcap.gz")
                      for f in glob.glob(os.path.join(a.corpus, "*." + ext)))
    if not captures:
        print(f"no corpus at {a.corpus}: skipped")
        return 77
    runs = [(pcap, extra) for pcap in captures for extra in ([], ["-2"])]
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda r: (r, check(a.runner, a.plugin, *r)), runs)
        for (pcap, extra), problems in results:
            label = " ".join(extra) or "one pass"
            failures += [f"{os.path.basename(pcap)} {label}: {p}" for p in problems]
    for f in failures:
        print("FAIL", f)
    print(f"{len(captures)} public captures, one pass and -2, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
