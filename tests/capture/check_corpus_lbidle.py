#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The public captures (../shared/corpus: other projects' test captures, no
balancer with a short idle timer among them) must draw no idle-timeout
verdict: no frame matches `lbidle` with -2, and -z mcudiag names no idle
timeout. Skipped (77) when the corpus is not there."""
import argparse
import concurrent.futures
import os
import subprocess
import sys


def check(runner, plugin, path):
    """The problems one capture shows (empty when quiet)."""
    run = subprocess.run([runner, plugin, "-r", path, "-2", "-Y", "lbidle", "-T", "fields", "-e", "frame.number",
                          "-z", "mcudiag"], capture_output=True, text=True)
    lines = run.stdout.splitlines()
    report_at = next((i for i, l in enumerate(lines) if not l.strip().isdigit()), len(lines))
    problems = []
    if report_at:
        problems.append(f"lbidle marks frames {', '.join(lines[:report_at][:10])}")
    if "idle timeout" in "\n".join(lines[report_at:]).lower():
        problems.append("-z mcudiag names an idle timeout")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--corpus", required=True)
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print(f"skipped: no corpus at {a.corpus}")
        return 77
    names = sorted(n for n in os.listdir(a.corpus) if n.endswith((".pcap", ".pcapng", ".cap")))
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda n: (n, check(a.runner, a.plugin, os.path.join(a.corpus, n))), names)
        for name, problems in results:
            for p in problems:
                print(f"FAIL {name}: {p}")
                failures += 1
    print(f"{len(names)} public captures, {failures} with an idle-timeout verdict")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
