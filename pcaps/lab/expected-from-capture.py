#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""expected-from-capture.py [--copies] PCAP VIP PORT [MEMBER...]

Writes to stdout the expected lbsnat result of a lab capture
(tests/capture/expected/*.tsv: frame role vip vip_port member client), from
stock tshark's decode and what the lab knows: which address is the VIP and
which are the pool members that answer without SNAT. It does not use the
plugin, so the capture tests compare the plugin with an independent account.

Per client port, the member that answered it directly defines one case: every
SYN from that port to VIP:PORT, every SYN-ACK from the member to it, every
reset the client sent back (RST without ACK) and every ICMP error the client
sent quoting such a SYN-ACK. A client port counts only when the capture
holds its SYN to VIP:PORT (a member's own view, with no VIP in sight, is no
case). With no MEMBER given, the file is empty: the capture must stay silent.

--copies: the capture holds several capture points (a SPAN, mergecap of host
captures): a packet seen again within 100 ms (same addresses, ports, numbers
and flags) is the same packet and only its first sighting is listed.
"""
import subprocess
import sys

COPY_WINDOW = 0.1
FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
          "icmp.type", "icmpv6.type"]


def packets(pcap):
    cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        yield {
            "frame": int(v["frame.number"]),
            "time": float(v["frame.time_epoch"]),
            "key": (v["ip.src"], v["ipv6.src"], v["ip.dst"], v["ipv6.dst"], v["tcp.srcport"], v["tcp.dstport"],
                    v["tcp.flags"], v["tcp.seq_raw"], v["tcp.ack_raw"], v["icmp.type"], v["icmpv6.type"]),
            "src": v["ip.src"] or v["ipv6.src"],
            "dst": v["ip.dst"] or v["ipv6.dst"],
            "sport": v["tcp.srcport"], "dport": v["tcp.dstport"],
            "syn": v["tcp.flags.syn"] in ("1", "True"),
            "ack": v["tcp.flags.ack"] in ("1", "True"),
            "rst": v["tcp.flags.reset"] in ("1", "True"),
            "icmp": bool(v["icmp.type"] or v["icmpv6.type"]),
        }


def first_sightings(pkts):
    """Drops packets seen again within COPY_WINDOW at another capture point."""
    seen = {}
    for p in pkts:
        last = seen.get(p["key"])
        if last is None or p["time"] - last > COPY_WINDOW:
            seen[p["key"]] = p["time"]
            yield p


def main():
    args = sys.argv[1:]
    copies = args[0] == "--copies"
    if copies:
        args = args[1:]
    pcap, vip, port, members = args[0], args[1], args[2], set(args[3:])
    pkts = list(packets(pcap))
    if copies:
        pkts = list(first_sightings(pkts))
    called_vip = {(p["src"], p["sport"]) for p in pkts
                  if p["syn"] and not p["ack"] and not p["icmp"] and p["dst"] == vip and p["dport"] == port}
    # Client port -> (client address, member) from the foreign SYN-ACKs.
    answered = {}
    for p in pkts:
        if (p["syn"] and p["ack"] and not p["icmp"] and p["src"] in members and p["sport"] == port
                and (p["dst"], p["dport"]) in called_vip):
            answered[p["dport"]] = (p["dst"], p["src"])
    rows = []
    for p in pkts:
        if p["icmp"]:
            # The quoted segment is the member's SYN-ACK: ports member:PORT -> client:p.
            if p["sport"] == port and p["dport"] in answered and p["dst"] == answered[p["dport"]][1]:
                client, member = answered[p["dport"]]
                rows.append((p["frame"], "icmp", member, client))
            continue
        if p["syn"] and not p["ack"] and p["dst"] == vip and p["dport"] == port and p["sport"] in answered:
            client, member = answered[p["sport"]]
            rows.append((p["frame"], "syn", member, client))
        elif p["syn"] and p["ack"] and p["src"] in members and p["dport"] in answered:
            rows.append((p["frame"], "synack", p["src"], p["dst"]))
        elif p["rst"] and not p["ack"] and p["dst"] in members and p["sport"] in answered:
            client, member = answered[p["sport"]]
            if p["dst"] == member:
                rows.append((p["frame"], "rst", member, client))
    print("frame\trole\tvip\tvip_port\tmember\tclient")
    for frame, role, member, client in rows:
        print(f"{frame}\t{role}\t{vip}\t{port}\t{member}\t{client}")


if __name__ == "__main__":
    main()
