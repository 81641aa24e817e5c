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


# Address fields have one field per family, as in Wireshark (ip.src, ipv6.src):
# NAME holds an IPv4 address, NAME.v6 an IPv6 one.
ADDRESS_FIELDS = {"lbsnat.vip", "lbsnat.member", "lbsnat.client", "lbsnat.member_view.client",
                  "lbsnat.member_view.member"}


def field_rows(a, display_filter, fields, two_pass, *options):
    """The frames matching display_filter as rows of the fields' values
    (tab-split); an address field's column holds the address of either family."""
    args = ["-r", a.pcap, "-Y", display_filter, "-T", "fields", "-E", "separator=\t", *options]
    for f in fields:
        args += ["-e", f] + (["-e", f + ".v6"] if f in ADDRESS_FIELDS else [])
    out = tshark(a, *args, *(["-2"] if two_pass else []))
    rows = []
    for line in out.splitlines():
        values, row = iter(line.split("\t")), []
        for f in fields:
            value = next(values)
            if f in ADDRESS_FIELDS:
                value = ",".join(v for v in (value, next(values)) if v)
            row.append(value)
        rows.append(row)
    return rows


def finish(a, failures, summary):
    """Prints the failures and a summary line; the exit status for ctest."""
    for f in failures:
        print("FAIL", f)
    print(f"{a.pcap}: {summary}, {len(failures)} failures")
    return 1 if failures else 0
