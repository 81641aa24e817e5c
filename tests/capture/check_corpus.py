#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""No finding on captures of other projects: -z mcudiag, one pass and -2, on
every public capture of the shared corpus (../shared/corpus beside the
repository: real stacks, scanners, PBXs, none of them OCS/Lync) must say "No
fault found" and number no finding: no failed join, no failed connection to
the conferencing port, no load-balancer fault. A note (a line that is not
numbered) is allowed. Skipped (77) when the corpus is not there: it is data
beside the project, never copied into it."""
import argparse
import glob
import os
import re
import subprocess
import sys

FINDING = re.compile(r"^\d+\. ")


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
    failures = []
    for pcap in captures:
        name = os.path.basename(pcap)
        for extra in ([], ["-2"]):
            run = subprocess.run([a.runner, a.plugin, "-r", pcap, "-q", "-z", "mcudiag", *extra],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            findings = [line for line in run.stdout.splitlines() if FINDING.match(line)]
            if findings:
                failures.append(f"{name} {' '.join(extra) or 'one pass'}: {' | '.join(findings)}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(captures)} public captures, one pass and -2, {len(failures)} reports with findings")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
