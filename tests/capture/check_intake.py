#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test: the analyses learn TCP's facts in a way users cannot switch
off. For each capture, the lbsnat and c3pconn fields of every frame (one pass
and -2) must be the same, and not empty, when TCP is reached through
`-d ip.proto==6,tcp` (a Decode As entry) or through a Lua script that adds TCP
to ip.proto again (retcp.lua); and `tshark -G decodes` must keep every entry
stock tshark lists (ip.proto 1, 6 and 58 included) and add only the plugin's
own: TLS (HTTPS) on the conferencing port 444, and the body and header
entries c3p and sipconf register (media_type, sip.hdr), which Wireshark 4.4
and later list while 4.0 lists no string tables.
"""
import argparse
import os
import subprocess
import sys

FIELDS = ["frame.number", "lbsnat.role", "lbsnat.case", "lbsnat.vip", "lbsnat.vip.v6", "lbsnat.member",
          "lbsnat.member.v6", "lbsnat.client", "lbsnat.client.v6",
          "lbsnat.rst_frame", "c3pconn.outcome", "c3pconn.syn_frame", "c3pconn.end_frame", "c3pconn.lbsnat_case"]


def tshark(a, *args, plugin=True):
    if plugin:
        cmd = [a.runner, a.plugin, *args]
        env = None
    else:  # stock: a private HOME without personal plugins
        cmd = ["tshark", *args]
        env = dict(os.environ, HOME=a.stock_home)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout


def rows(a, pcap, two_pass, *options):
    args = ["-r", pcap, "-Y", "lbsnat or c3pconn", "-T", "fields", *options]
    for f in FIELDS:
        args += ["-e", f]
    return tshark(a, *args, *(["-2"] if two_pass else []))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--lua", required=True)
    ap.add_argument("--stock-home", required=True)
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.stock_home, exist_ok=True)
    failures = []
    ways = {"Decode As ip.proto 6 -> tcp": ["-d", "ip.proto==6,tcp"], "Lua re-adds TCP": ["-X", f"lua_script:{a.lua}"]}
    for pcap in a.pcaps:
        for two_pass in (False, True):
            label = f"{os.path.basename(pcap)} {'-2' if two_pass else 'one pass'}"
            plain = rows(a, pcap, two_pass)
            if not plain.strip():
                failures.append(f"{label}: no lbsnat or c3pconn verdict at all")
            for way, options in ways.items():
                got = rows(a, pcap, two_pass, *options)
                if got != plain:
                    failures.append(f"{label}, {way}: {len(got.splitlines())} rows instead of {len(plain.splitlines())}")
    with_plugin = set(tshark(a, "-G", "decodes").splitlines())
    stock = set(tshark(a, "-G", "decodes", plugin=False).splitlines())
    for line in sorted(stock - with_plugin):
        failures.append(f"tshark -G decodes lost {line!r}")
    own = {("media_type", "application/cccp+xml", "c3p"), ("media_type", "application/ms-conf-invite+xml", "sipconf"),
           ("sip.hdr", "ms-diagnostics", "sipconf")}
    for line in sorted(with_plugin - stock):
        entry = tuple(line.split("\t"))
        if entry[1:2] != ("444",) and entry not in own:
            failures.append(f"tshark -G decodes gained {line!r}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(a.pcaps)} captures, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
