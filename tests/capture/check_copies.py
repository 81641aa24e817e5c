#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check_copies.py — one capture seen from two points: sipconf and c3p count
each message once and name the first copy.

From a pcapng of the field case it derives the capture an engineer gets by
merging the capture of a second point that sees every packet 2 ms later on
the far side of an address translation of both ends (as a proxy's hop would):
the same SIP and C3P messages on other connections, which Wireshark's TCP
cannot take for retransmissions (copies inside one connection never reach
SIP), and which no balancer rewrite explains (both ends differ). Then, one
pass and -2:
- every SIP message of a copy carries sipconf.duplicate_of = its original's
  frame, the same leg and links as the original; originals carry none;
- every C3P message of a copy carries c3p.duplicate_of = its original's frame;
- -z mcudiag reports the joins as on the capture alone (each leg once).
"""
import argparse
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checklib  # noqa: E402

DELAY_US = 2000
ETH_IP_SRC, ETH_IP_DST = 14 + 12, 14 + 16


def two_points(src, dst, translation):
    """Writes the merged capture (translation: {IPv4 bytes: IPv4 bytes});
    returns {copy frame: original frame}."""
    data = open(src, "rb").read()
    head, packets, off = [], [], 0
    while off < len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        block = data[off:off + blen]
        off += blen
        if btype != 6:  # only Enhanced Packet Blocks are copied
            head.append(block)
            continue
        hi, lo = struct.unpack_from("<II", block, 12)
        ts = (hi << 32) | lo
        copy = bytearray(block)
        struct.pack_into("<II", copy, 12, (ts + DELAY_US) >> 32, (ts + DELAY_US) & 0xFFFFFFFF)
        for at in (28 + ETH_IP_SRC, 28 + ETH_IP_DST):
            copy[at:at + 4] = translation.get(bytes(copy[at:at + 4]), copy[at:at + 4])
        index = len(packets) // 2
        packets += [(ts, 0, index, block), (ts + DELAY_US, 1, index, bytes(copy))]
    packets.sort(key=lambda p: (p[0], p[1]))
    open(dst, "wb").write(b"".join(head) + b"".join(p[3] for p in packets))
    original = {p[2]: n for n, p in enumerate(packets, 1) if p[1] == 0}
    return {n: original[p[2]] for n, p in enumerate(packets, 1) if p[1] == 1}


def join_line(a):
    """The report's line about the joins (wording left to the report)."""
    report = checklib.tshark(a, "-r", a.pcap, "-q", "-z", "mcudiag")
    return next((line for line in report.splitlines() if "join legs" in line), None)


def check(a, copies, two_pass, failures):
    mode = "-2" if two_pass else "one pass"
    fields = ["frame.number", "sipconf.leg", "sipconf.request_in", "sipconf.duplicate_of", "c3p.type",
              "c3p.duplicate_of"]
    rows = {int(r[0]): r[1:] for r in checklib.field_rows(a, "sipconf or c3p", fields, two_pass)}
    analysed = 0
    for frame, (leg, request_in, sip_copy_of, c3p_type, c3p_copy_of) in rows.items():
        first = copies.get(frame)
        if first is None:
            if sip_copy_of or c3p_copy_of:
                failures.append(f"{mode}: frame {frame} is an original but is marked as a copy")
            continue
        analysed += 1
        original = rows.get(first)
        if original is None:
            failures.append(f"{mode}: copy {frame} analysed, its original {first} not")
            continue
        if original[0] and (sip_copy_of != str(first) or (leg, request_in) != tuple(original[:2])):
            failures.append(f"{mode}: SIP copy {frame}: leg {leg}, request {request_in}, copy of {sip_copy_of!r}; "
                            f"its original {first}: leg {original[0]}, request {original[1]}")
        if original[3] and (not c3p_type or c3p_copy_of.split(",")[0] != str(first)):
            failures.append(f"{mode}: C3P copy {frame}: c3p.duplicate_of {c3p_copy_of!r}, expected {first}")
    originals = len(rows) - analysed
    if analysed != originals or not analysed:
        failures.append(f"{mode}: {analysed} copies analysed for {originals} originals")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--translate", action="append", metavar="FROM=TO",
                    help="IPv4 address translation of the second point (default: the field case's client and "
                         "Front End, 10.137.2.30 and 10.137.2.12)")
    a = ap.parse_args()
    pairs = a.translate or ["10.137.2.30=10.137.2.98", "10.137.2.12=10.137.2.99"]
    translation = {bytes(map(int, f.split("."))): bytes(map(int, t.split(".")))
                   for f, t in (p.split("=") for p in pairs)}
    failures = []
    alone = join_line(a)
    with tempfile.TemporaryDirectory() as tmp:
        merged = os.path.join(tmp, "two-points.pcapng")
        copies = two_points(a.pcap, merged, translation)
        a.pcap = merged
        for two_pass in (False, True):
            check(a, copies, two_pass, failures)
        both = join_line(a)
    if not alone or both != alone:
        failures.append(f"-z mcudiag from two points says {both!r}, from one {alone!r}")
    return checklib.finish(a, failures, f"{len(copies)} packets seen from a second point")


if __name__ == "__main__":
    sys.exit(main())
