#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test of lbsnat's typed address fields: display filters with
subnets and prefixes select exactly the frames of the expected file
(tests/capture/expected/<capture>.tsv, as check_lbsnat.py reads it), and
-T ek / -T json carry the addresses as addresses.

An address is in its family's field (lbsnat.vip for IPv4, lbsnat.vip.v6 for
IPv6), as Wireshark's own dissectors do (ip.src, ipv6.src).
"""
import csv
import ipaddress
import json

from checklib import arguments, finish, tshark

COLUMNS = {"vip": "lbsnat.vip", "member": "lbsnat.member", "client": "lbsnat.client"}
# No address of the captures is in these (RFC 5737 and RFC 3849 documentation ranges).
ELSEWHERE = {4: "192.0.2.0/24", 6: "2001:db8::/32"}


def field(column, version):
    return COLUMNS[column] + (".v6" if version == 6 else "")


def selected(a, display_filter):
    """Frames the filter selects, with -2 (every frame of a case is known)."""
    out = tshark(a, "-r", a.pcap, "-2", "-Y", display_filter, "-T", "fields", "-e", "frame.number")
    return {int(x) for x in out.split()}


def network(address, prefix):
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def check_filters(a, expected, failures):
    """Per address column: its network (/24, /64) selects every row with an address
    there, each address alone (/32, /128) exactly its rows, elsewhere nothing."""
    checked = 0
    for column in COLUMNS:
        for address in sorted({r[column] for r in expected}):
            ip = ipaddress.ip_address(address)
            for prefix in (ip.max_prefixlen, 24 if ip.version == 4 else 64):
                net = network(address, prefix)
                want = {int(r["frame"]) for r in expected if ipaddress.ip_address(r[column]) in net}
                display_filter = f"{field(column, ip.version)} == {net}"
                got = selected(a, display_filter)
                checked += 1
                if got != want:
                    failures.append(f"{display_filter}: frames {sorted(got)}, expected {sorted(want)}")
            display_filter = f"{field(column, ip.version)} == {ELSEWHERE[ip.version]}"
            if selected(a, display_filter):
                failures.append(f"{display_filter} selects frames")
            other = field(column, 10 - ip.version)  # the other family's field is never set
            if selected(a, other):
                failures.append(f"{other} is set on a capture of IPv{ip.version} addresses")
    return checked


def check_ek_and_json(a, expected, failures):
    """The first expected frame: its addresses in -T ek and -T json, and the
    elastic mapping types them as "ip"."""
    row = expected[0]
    version = ipaddress.ip_address(row["vip"]).version
    frame_filter = f"frame.number == {row['frame']}"
    ek = [json.loads(line) for line in tshark(a, "-r", a.pcap, "-2", "-Y", frame_filter, "-T", "ek").splitlines() if line.startswith('{"timestamp"')]
    tree = json.loads(tshark(a, "-r", a.pcap, "-2", "-Y", frame_filter, "-T", "json", "-j", "lbsnat"))
    mapping = tshark(a, "-G", "elastic-mapping", "--elastic-mapping-filter", "lbsnat")
    for column, base in COLUMNS.items():
        name = field(column, version)
        ek_value = ek[0]["layers"]["lbsnat"].get(f"lbsnat_{name.replace('.', '_')}") if ek else None
        if ek_value != row[column]:
            failures.append(f"-T ek {name}: {ek_value!r}, expected {row[column]!r}")
        json_value = tree[0]["_source"]["layers"]["lbsnat"].get(name) if tree else None
        if json_value != row[column]:
            failures.append(f"-T json {name}: {json_value!r}, expected {row[column]!r}")
        key = f'"lbsnat_{name.replace(".", "_")}": {{'
        at = mapping.find(key)
        if at < 0 or '"type": "ip"' not in mapping[at:at + len(key) + 40]:
            failures.append(f"elastic mapping of {name} is not of type ip")


def main():
    a = arguments()
    with open(a.expected) as f:
        expected = list(csv.DictReader(f, delimiter="\t"))
    failures = []
    checked = check_filters(a, expected, failures)
    check_ek_and_json(a, expected, failures)
    return finish(a, failures, f"{checked} address filters, -T ek, -T json and the elastic mapping checked")


if __name__ == "__main__":
    raise SystemExit(main())
