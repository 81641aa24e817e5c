#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""lbdsr stays quiet where nothing answers by direct server return: on every
bundled capture but the DSR ones (pcaps/lbdsr-dsr-*, pcaps/lbsnat-dsr), one
pass and -2, no frame carries lbdsr and -z mcudiag names no direct server
return: SNAT and DNAT balancers, a routed client, missing SNAT from every
capture point, the hairpin, scans, tunnels, the field case, C3P."""
import argparse
import glob
import os
import subprocess
import sys

DSR = ("lbdsr-dsr-", "lbsnat-dsr.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--pcaps", required=True)
    a = ap.parse_args()
    captures = sorted(f for ext in ("pcap", "pcapng", "cap") for f in glob.glob(os.path.join(a.pcaps, "*." + ext))
                      if not os.path.basename(f).startswith(DSR))
    failures = []
    for pcap in captures:
        name = os.path.basename(pcap)
        for extra in ([], ["-2"]):
            label = "-2" if extra else "one pass"
            frames = subprocess.run([a.runner, a.plugin, "-r", pcap, *extra, "-Y", "lbdsr", "-T", "fields",
                                     "-e", "frame.number"], capture_output=True, text=True).stdout.split()
            if frames:
                failures.append(f"{name} {label}: lbdsr on frames {' '.join(frames[:10])}")
            report = subprocess.run([a.runner, a.plugin, "-r", pcap, *extra, "-q", "-z", "mcudiag"],
                                    capture_output=True, text=True).stdout
            if "direct server return" in report:
                failures.append(f"{name} {label}: the report names direct server return")
    for f in failures:
        print("FAIL", f)
    print(f"{len(captures)} captures without DSR, one pass and -2, {len(failures)} failures")
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())
