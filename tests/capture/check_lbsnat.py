#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test for lbsnat: runs the real tshark with the plugin on one capture
and compares, frame by frame, what it flags with the capture's expected file.

The expected file (tests/capture/expected/<capture>.tsv) has the columns
  frame role vip vip_port member client [onepass]
one row per frame of a missing-SNAT case, as a two-pass reader sees it.
`onepass` says whether one pass in frame order can already know the frame;
without it, one pass must flag every non-SYN row and a subset of the SYN rows
(a SYN is only explained by the SYN-ACK that follows it).

Checks, in one pass and with -2: the flagged frames and their role, VIP, port,
member and client; the lbsnat.missing_snat expert on exactly the foreign
SYN-ACKs; and the -z lbsnat,tree report's per-VIP counts, members and clients.
"""
import csv
import sys

from checklib import arguments, field_rows, finish, tshark

ROLE_NAMES = {"1": "syn", "2": "synack", "3": "rst", "4": "icmp"}
FIELDS = ["frame.number", "lbsnat.role", "lbsnat.vip", "lbsnat.vip_port", "lbsnat.member", "lbsnat.client"]


def flagged_rows(a, two_pass):
    rows = {}
    # lbsnat.role: frames of a case (copies and member views carry the lbsnat tree too).
    for frame, role, vip, port, member, client in field_rows(a, "lbsnat.role", FIELDS, two_pass):
        rows[int(frame)] = (ROLE_NAMES.get(role, role), vip, port, member, client)
    return rows


def expert_frames(a, two_pass):
    args = ["-r", a.pcap, "-Y", "lbsnat.missing_snat", "-T", "fields", "-e", "frame.number"]
    if two_pass:
        args.append("-2")
    return {int(x) for x in tshark(a, *args).split()}


def stats_report(a):
    """-z lbsnat,tree as {vip: {"count": n, "children": {name: n}, "members": {...}, "clients": {...}}}."""
    text = tshark(a, "-r", a.pcap, "-q", "-z", "lbsnat,tree")
    report, vip, group = {}, None, None
    for line in text.splitlines():
        # Items are indented one space per level; the name ends at the first
        # double space, the count is the first column after it.
        depth = len(line) - len(line.lstrip(" "))
        name_end = line.find("  ", depth)
        if name_end < 0:
            continue
        name, rest = line[depth:name_end], line[name_end:].split()
        if not rest or not rest[0].isdigit():
            continue
        count = int(rest[0])
        if depth == 1:
            vip = name
            report[vip] = {"count": count, "children": {}, "members": {}, "clients": {}}
        elif depth == 2 and vip:
            group = name
            report[vip]["children"][name] = count
        elif depth == 3 and vip and group:
            key = "members" if group.startswith("Members") else "clients"
            report[vip][key][name] = count
    return report


def endpoint(vip, port):
    return f"[{vip}]:{port}" if ":" in vip else f"{vip}:{port}"


def expected_report(expected):
    report = {}
    for r in expected:
        v = report.setdefault(endpoint(r["vip"], r["vip_port"]),
                              {"count": 0, "confirmed": 0, "members": {}, "clients": {}})
        if r["role"] == "synack":
            v["count"] += 1
            v["members"][r["member"]] = v["members"].get(r["member"], 0) + 1
            v["clients"][r["client"]] = v["clients"].get(r["client"], 0) + 1
        elif r["role"] in ("rst", "icmp"):
            v["confirmed"] += 1
    return report


def main():
    a = arguments()

    with open(a.expected, newline="") as f:
        expected = list(csv.DictReader(f, delimiter="\t"))
    want = {int(r["frame"]): (r["role"], r["vip"], r["vip_port"], r["member"], r["client"]) for r in expected}
    failures = []

    two = flagged_rows(a, True)
    if two != want:
        for frame in sorted(set(two) | set(want)):
            if two.get(frame) != want.get(frame):
                failures.append(f"-2 frame {frame}: got {two.get(frame)}, expected {want.get(frame)}")

    one = flagged_rows(a, False)
    for r in expected:
        frame = int(r["frame"])
        if "onepass" in r:
            must = r["onepass"] == "yes"
        else:
            must = r["role"] != "syn"
        if must and one.get(frame) != want[frame]:
            failures.append(f"one pass frame {frame}: got {one.get(frame)}, expected {want[frame]}")
        if not must and frame in one and r["role"] != "syn":
            failures.append(f"one pass frame {frame}: flagged before later frames could explain it")
    for frame in set(one) - set(want):
        failures.append(f"one pass frame {frame}: flagged but belongs to no case: {one[frame]}")
    for frame in set(one) & set(want):
        if one[frame][:3] != want[frame][:3] or one[frame][4] != want[frame][4]:
            failures.append(f"one pass frame {frame}: got {one[frame]}, expected {want[frame]}")

    synacks = {int(r["frame"]) for r in expected if r["role"] == "synack"}
    synacks_one = {int(r["frame"]) for r in expected
                   if r["role"] == "synack" and r.get("onepass", "yes") == "yes"}
    got = expert_frames(a, True)
    if got != synacks:
        failures.append(f"-2 lbsnat.missing_snat on frames {sorted(got)}, expected {sorted(synacks)}")
    got = expert_frames(a, False)
    if got != synacks_one:
        failures.append(f"one pass lbsnat.missing_snat on frames {sorted(got)}, expected {sorted(synacks_one)}")

    report = stats_report(a)
    for vip, exp in expected_report(expected).items():
        got_vip = report.get(vip)
        if not got_vip:
            failures.append(f"-z lbsnat,tree has no line for {vip}: {report}")
            continue
        if got_vip["count"] != exp["count"]:
            failures.append(f"-z lbsnat,tree {vip}: {got_vip['count']} foreign SYN-ACKs, expected {exp['count']}")
        if got_vip["members"] != exp["members"] or got_vip["clients"] != exp["clients"]:
            failures.append(f"-z lbsnat,tree {vip}: members {got_vip['members']} clients {got_vip['clients']}, "
                            f"expected {exp['members']} {exp['clients']}")
        confirmed = got_vip["children"].get("Confirmed by client reset or ICMP error", 0)
        if confirmed != exp["confirmed"]:
            failures.append(f"-z lbsnat,tree {vip}: {confirmed} confirmations, expected {exp['confirmed']}")
    if not expected and report:
        failures.append(f"-z lbsnat,tree lists VIPs for a negative capture: {report}")

    return finish(a, failures, f"{len(want)} expected frames, {len(two)} flagged with -2, {len(one)} in one pass")


if __name__ == "__main__":
    sys.exit(main())
