#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tshark with the plugin says nothing on stderr and meets no dissector bug
(WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 turns one into an abort) on every bundled
capture, in one pass, with -2 and with -V: whatever a Wireshark version checks
at start-up (Decode As names, field registrations) or while dissecting."""
import argparse
import glob
import os
import subprocess
import sys

MODES = {"onepass": [], "twopass": ["-2"], "verbose": ["-V"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True, help="tests/run-tshark")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--pcaps", required=True, help="folder of captures (*.pcap, *.pcapng, *.cap)")
    ap.add_argument("--mode", choices=MODES, required=True)
    a = ap.parse_args()
    env = dict(os.environ, WIRESHARK_ABORT_ON_DISSECTOR_BUG="1")
    captures = sorted(f for ext in ("pcap", "pcapng", "cap") for f in glob.glob(os.path.join(a.pcaps, "*." + ext)))
    failures = []
    for pcap in captures:
        run = subprocess.run([a.runner, a.plugin, "-r", pcap, *MODES[a.mode]], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        name = os.path.basename(pcap)
        if run.returncode != 0:
            failures.append(f"{name}: tshark {' '.join(MODES[a.mode])} exited {run.returncode}")
        if run.stderr:
            failures.append(f"{name}: stderr: {run.stderr.strip()[:2000]}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(captures)} captures, mode {a.mode}, {len(failures)} failures")
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())
