# SPDX-License-Identifier: GPL-2.0-or-later
"""What every capture check shares: its command line (the tshark runner, the
plugin, the capture, the expectation file), running the real tshark with the
plugin, and reporting failures the way ctest shows them."""
import argparse
import subprocess


def arguments(*extra):
    """The common options; extra are (flag, add_argument keywords) pairs."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True, help="tests/run-tshark")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--expected", required=True)
    for flag, kwargs in extra:
        ap.add_argument(flag, **kwargs)
    return ap.parse_args()


def tshark(a, *args):
    """tshark's standard output with the plugin under test."""
    return subprocess.run([a.runner, a.plugin, *args], check=True, capture_output=True, text=True).stdout


def field_rows(a, display_filter, fields, two_pass, *options):
    """The frames matching display_filter as rows of the fields' values (tab-split)."""
    args = ["-r", a.pcap, "-Y", display_filter, "-T", "fields", "-E", "separator=\t", *options]
    for f in fields:
        args += ["-e", f]
    out = tshark(a, *args, *(["-2"] if two_pass else []))
    return [line.split("\t") for line in out.splitlines()]


def finish(a, failures, summary):
    """Prints the failures and a summary line; the exit status for ctest."""
    for f in failures:
        print("FAIL", f)
    print(f"{a.pcap}: {summary}, {len(failures)} failures")
    return 1 if failures else 0
