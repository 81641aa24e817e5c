#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test: no analysis depends on the order the analyses run in. A
test-only build of the plugin that registers its protocols in the reverse
order (tests/capture/reversed_plugin.c: Wireshark then runs the analyses'
postdissectors in the reverse order) must give, on each capture, one pass and -2,
the same summary lines, the same values of every field of the plugin's
analyses, the same -z mcudiag report and the same expert infos.
"""
import argparse
import os
import subprocess
import sys


def tshark(runner, plugin, home, *args):
    env = dict(os.environ, MCUDIAG_TEST_HOME=home)
    return subprocess.run([runner, plugin, *args], check=True, capture_output=True, text=True, env=env).stdout


def fields(runner, plugin, home):
    """Every field the analyses register (lbsnat, c3pconn, sipconf)."""
    out = tshark(runner, plugin, home, "-G", "fields")
    return [l.split("\t")[2] for l in out.splitlines()
            if l.startswith("F\t") and l.split("\t")[4] in ("lbsnat", "c3pconn", "sipconf")]


def views(runner, plugin, home, pcap, names):
    """What the user sees of a capture, one pass and -2."""
    seen = {}
    for two_pass in ([], ["-2"]):
        mode = "-2" if two_pass else "one pass"
        seen[f"{mode} summary"] = tshark(runner, plugin, home, "-r", pcap, *two_pass)
        args = ["-r", pcap, "-T", "fields", "-E", "occurrence=a", *two_pass]
        for n in ["frame.number", *names]:
            args += ["-e", n]
        seen[f"{mode} fields"] = tshark(runner, plugin, home, *args)
        seen[f"{mode} -z mcudiag"] = tshark(runner, plugin, home, "-r", pcap, "-q", "-z", "mcudiag", *two_pass)
        expert = tshark(runner, plugin, home, "-r", pcap, "-q", "-z", "expert", *two_pass)
        seen[f"{mode} -z expert"] = "\n".join(sorted(expert.splitlines()))
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--reversed", required=True, help="the plugin built with MCUDIAG_DISPATCH_REVERSED")
    ap.add_argument("--home", required=True, help="private HOME prefix (two plugins, two HOMEs)")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    homes = (a.home + "-forward", a.home + "-reversed")
    names = fields(a.runner, a.plugin, homes[0])
    failures = []
    for pcap in a.pcaps:
        forward = views(a.runner, a.plugin, homes[0], pcap, names)
        backward = views(a.runner, a.reversed, homes[1], pcap, names)
        for view, text in forward.items():
            if backward[view] != text:
                failures.append(f"{os.path.basename(pcap)} {view} differs with the analyses in reverse order")
    for f in failures:
        print("FAIL", f)
    print(f"{len(a.pcaps)} captures, {len(names)} fields compared, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
