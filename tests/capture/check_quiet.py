#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tshark with the plugin says nothing on stderr and meets no dissector bug
(WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 turns one into an abort) on every bundled
capture, in one pass, with -2 and with -V: whatever a Wireshark version checks
at start-up (Decode As names, field registrations) or while dissecting.

In one pass and with -2 the same run also shows that an analysis stays quiet
where its fault is absent: on every bundled capture but those that hold the
fault, no frame carries the analysis' protocol and -z mcudiag does not name
the fault (direct server return: SNAT and DNAT balancers, a routed client,
missing SNAT from every capture point, the hairpin, scans, tunnels, the field
case, C3P)."""
import argparse
import glob
import os
import subprocess
import sys

MODES = {"onepass": [], "twopass": ["-2"], "verbose": ["-V"]}

# analysis protocol: (captures holding its fault, by name prefix; what the report calls the fault)
QUIET_ANALYSES = {
    "lbdsr": (("lbdsr-dsr-", "lbsnat-dsr."), "direct server return"),
}


def analysis_run(pcap):
    """The -Y filter and fields that show the analyses that must stay quiet on pcap."""
    name = os.path.basename(pcap)
    quiet = [proto for proto, (faulty, _) in QUIET_ANALYSES.items() if not name.startswith(faulty)]
    if not quiet:
        return quiet, ["-q", "-z", "mcudiag"]
    fields = [arg for proto in quiet for arg in ("-e", proto)]
    return quiet, ["-Y", " or ".join(quiet), "-T", "fields", "-e", "frame.number", *fields, "-z", "mcudiag"]


def loud_analyses(quiet, stdout):
    """What stdout shows of the analyses in quiet: frames they mark, faults the report names."""
    lines = stdout.splitlines()
    report_at = next((i for i, line in enumerate(lines) if line.startswith("===")), len(lines))
    report = "\n".join(lines[report_at:])
    problems = []
    rows = [line.split("\t") for line in lines[:report_at]]
    for column, proto in enumerate(quiet, start=1):
        frames = [row[0] for row in rows if len(row) > column and row[column]]
        if frames:
            problems.append(f"{proto} on frames {' '.join(frames[:10])}")
        phrase = QUIET_ANALYSES[proto][1]
        if phrase in report:
            problems.append(f"the report names {phrase}")
    return problems


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
        quiet, extra = analysis_run(pcap) if a.mode != "verbose" else ([], [])
        run = subprocess.run([a.runner, a.plugin, "-r", pcap, *MODES[a.mode], *extra], env=env,
                             stdout=subprocess.PIPE if quiet else subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        name = os.path.basename(pcap)
        if run.returncode != 0:
            failures.append(f"{name}: tshark {' '.join(MODES[a.mode])} exited {run.returncode}")
        if run.stderr:
            failures.append(f"{name}: stderr: {run.stderr.strip()[:2000]}")
        failures += [f"{name}: {p}" for p in loud_analyses(quiet, run.stdout or "")]
    for f in failures:
        print("FAIL", f)
    print(f"{len(captures)} captures, mode {a.mode}, {len(failures)} failures")
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())
