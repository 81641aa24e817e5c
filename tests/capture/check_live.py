#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live capture: in the namespace labs, a tshark with the plugin reads the
client's packets as they come (tshark -i - fed by tcpdump, one pass, -l;
MCUDIAG_LAB_LIVE_CMD of pcaps/lab/lab-common.sh) while a balancer without
SNAT, one with direct server return (make-lbsnat-captures.sh) and one with
a short idle timer that resets the next packet (make-lbidle-captures.sh)
answer the client. It must print each analysis' verdicts while the capture
still runs, and print exactly what the same tshark prints reading the
finished capture in one pass. Needs root (network namespaces): skipped (77)
otherwise."""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile

# lab script, its scenario variable, scenario, live output, finished capture, the analysis' field
CASES = [
    ("make-lbsnat-captures.sh", "LBL_SCENARIOS", "nosnat-ipv4", "lbsnat-nosnat-ipv4", "lbsnat.rule"),
    ("make-lbsnat-captures.sh", "LBL_SCENARIOS", "dsr", "lbsnat-dsr", "lbdsr.role"),
    ("make-lbidle-captures.sh", "LBIDLE_SCENARIOS", "reset-next", "lbidle-reset-next-client", "lbidle.role"),
]
FIELDS = ["frame.number"] + sorted({case[4] for case in CASES})
VIEW = ["-Y", " or ".join(sorted({f.split(".")[0] for f in FIELDS[1:]})), "-T", "fields"] + \
       [arg for f in FIELDS for arg in ("-e", f)]


def run_labs(a, scratch):
    """Runs each lab once with its scenarios and the live command; False if one failed."""
    live = shlex.join([a.runner, a.plugin, "-i", "-", "-l", *VIEW])
    labs = {}
    for script, variable, scenario, _, _ in CASES:
        labs.setdefault((script, variable), []).append(scenario)
    for (script, variable), scenarios in labs.items():
        env = dict(os.environ, MCUDIAG_LAB_LIVE_CMD=live, **{variable: " ".join(scenarios)})
        lab = subprocess.run([os.path.join(a.labs, script), scratch, scratch], env=env, capture_output=True,
                             text=True)
        if lab.returncode != 0:
            print(f"{script} failed:\n{lab.stdout}\n{lab.stderr}")
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True, help="tests/run-tshark")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--labs", required=True, help="pcaps/lab")
    a = ap.parse_args()
    if os.getuid() != 0:
        print("skipped: the namespace labs need root")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        if not run_labs(a, scratch):
            return 1
        for _, _, scenario, name, field in CASES:
            with open(os.path.join(scratch, f"{name}.live")) as f:
                state, *printed = f.read().splitlines()
            offline = subprocess.run([a.runner, a.plugin, "-r", os.path.join(scratch, f"{name}.pcapng"), *VIEW],
                                     capture_output=True, text=True).stdout.splitlines()
            column = FIELDS.index(field)
            flagged = [row for row in printed if len(row.split("\t")) > column and row.split("\t")[column]]
            if state != "# printed while capturing":
                failures.append(f"{scenario}: {state[2:]}")
            if not flagged:
                failures.append(f"{scenario}: no {field} printed live")
            if printed != offline:
                failures.append(f"{scenario}: live printed {printed}, the capture read in one pass {offline}")
            print(f"{scenario}: {len(flagged)} frames with {field} printed live")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
