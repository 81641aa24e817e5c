#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live capture: in the namespace lab (pcaps/lab/make-lbsnat-captures.sh), a
tshark with the plugin reads the client's packets as they come (tshark -i -
fed by tcpdump, one pass, -l) while the balancer without SNAT and the one
with direct server return answer two connections each. It must print the
lbsnat and lbdsr verdicts while the packets are still coming, and print
exactly what the same tshark prints reading the finished capture in one
pass. Needs root (network namespaces): skipped (77) otherwise."""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile

SCENARIOS = {"nosnat-ipv4": "lbsnat", "dsr": "lbdsr"}
FIELDS = ["frame.number", "lbsnat.rule", "lbdsr.role"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True, help="tests/run-tshark")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--lab", required=True, help="pcaps/lab/make-lbsnat-captures.sh")
    a = ap.parse_args()
    if os.getuid() != 0:
        print("skipped: the namespace lab needs root")
        return 77
    view = ["-Y", "lbsnat or lbdsr", "-T", "fields"] + [arg for f in FIELDS for arg in ("-e", f)]
    live = [a.runner, a.plugin, "-i", "-", "-l", *view]
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, LBL_SCENARIOS=" ".join(SCENARIOS), LBL_LIVE_CMD=shlex.join(live))
        lab = subprocess.run([a.lab, scratch, scratch], env=env, capture_output=True, text=True)
        if lab.returncode != 0:
            print(lab.stdout, lab.stderr)
            return 1
        for scenario, proto in SCENARIOS.items():
            with open(os.path.join(scratch, f"lbsnat-{scenario}.live")) as f:
                state, *printed = f.read().splitlines()
            pcap = os.path.join(scratch, f"lbsnat-{scenario}.pcapng")
            offline = subprocess.run([a.runner, a.plugin, "-r", pcap, *view], capture_output=True,
                                     text=True).stdout.splitlines()
            column = FIELDS.index(f"{proto}.{'rule' if proto == 'lbsnat' else 'role'}")
            flagged = [row for row in printed if row.split("\t")[column]]
            if state != "# printed while capturing":
                failures.append(f"{scenario}: {state[2:]}")
            if not flagged:
                failures.append(f"{scenario}: no {proto} verdict printed live")
            if printed != offline:
                failures.append(f"{scenario}: live printed {printed}, the capture read in one pass {offline}")
            print(f"{scenario}: {len(flagged)} frames with a {proto} verdict printed live")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
