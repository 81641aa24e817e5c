#!/usr/bin/env python3
"""make-seeds.py — writes the seed corpora of the libFuzzer harnesses
(tests/fuzz/corpus/<target>/) in the byte format fuzz_common.h decodes.

Address indexes: 0-3 = 10.0.0.1-4, 4-6 = fd00::1-3. Port indexes: 0 = 444,
1 = 5061, 2-4 = 40000-40002. Sequence bytes: 0x00-0x3f pick an ISN from the
table (0x02 = 1000, 0x03 = 2000), 0x40-0x7f that ISN + 1.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

MS = 0x21      # time step: 1 ms
SEC = 0x41     # time step: 1 s
BACK = 0x62    # time step: 2 s backwards
FAR = 0x83     # time step: 90 s


def config(window=4, max_pending=4, max_cases=8, vips=()):
    out = bytes([window, max_pending, max_cases, len(vips)])
    for addr, port in vips:
        out += bytes([addr, port])
    return out


def seg(kind, src, dst, sport, dport, step, *tail):
    # op < 0xe0 feeds a segment; kind 0 SYN, 1 SYN-ACK, 2 RST, 3 ICMP quote, 4 ACK
    return bytes([0x00, kind, src | dst << 4, sport | dport << 4, step]) + bytes(tail)


def syn(c, v, cport, vport, isn, step=MS):
    return seg(0, c, v, cport, vport, step, isn)


def synack(m, c, mport, cport, seq, ack, step=MS):
    return seg(1, m, c, mport, cport, step, seq, ack)


def rst(c, m, cport, mport, seq, step=MS):
    return seg(2, c, m, cport, mport, step, seq)


def icmp(m, c, mport, cport, seq, ack, step=MS):
    return seg(3, m, c, mport, cport, step, seq, ack)


def ack(c, m, cport, mport, seq, ackn, step=MS):
    return seg(4, c, m, cport, mport, step, seq, ackn)


QUERY = bytes([0xe0, 0x01, 0x00])   # query a frame and walk every case
COUNTERS = bytes([0xf8, 0x02, 0x00, 0x04])
RESET = bytes([0xfe])

seeds = {
    # client 10.0.0.1:40000 -> VIP 10.0.0.2:444, member 10.0.0.3 answers, client resets; SYN retransmitted
    "isn-match-reset": config() + syn(0, 1, 2, 0, 0x02) + synack(2, 0, 0, 2, 0x03, 0x42) + rst(0, 2, 2, 0, 0x42)
        + syn(0, 1, 2, 0, 0x02, SEC) + synack(3, 0, 0, 2, 0x04, 0x42) + rst(0, 3, 2, 0, 0x42) + QUERY + COUNTERS,
    # confirmation by an ICMP error quoting the SYN-ACK
    "icmp-confirm": config() + syn(0, 1, 2, 0, 0x02) + synack(2, 0, 0, 2, 0x03, 0x42) + icmp(2, 0, 0, 2, 0x03, 0x42) + QUERY,
    # SYN-ACK captured before its SYN, then a timestamp going backwards
    "reordered": config() + synack(2, 0, 0, 2, 0x03, 0x42) + syn(0, 1, 2, 0, 0x02, BACK) + rst(0, 2, 2, 0, 0x42) + QUERY,
    # full proxy: the VIP completes the handshake, then a member answers too
    "full-proxy": config(vips=((1, 0),)) + syn(0, 1, 2, 0, 0x02) + synack(1, 0, 0, 2, 0x05, 0x42)
        + ack(0, 1, 2, 0, 0x42, 0x45) + synack(2, 0, 0, 2, 0x06, 0x07) + rst(0, 2, 2, 0, 0x07) + QUERY,
    # IPv6, two members, a late capture ACK
    "ipv6-two-members": config(window=4) + syn(4, 5, 3, 1, 0x03) + synack(6, 4, 1, 3, 0x02, 0x43)
        + syn(4, 5, 4, 1, 0x02, SEC) + synack(6, 4, 1, 4, 0x07, 0x42) + ack(4, 6, 4, 1, 0x42, 0x47) + QUERY,
    # tiny tables: one pending port, one case; many client ports and a window expiry
    "eviction": config(window=3, max_pending=1, max_cases=1)
        + b"".join(syn(0, 1, p, 0, 0x02) + synack(2, 0, 0, p, 0x03, 0x42) for p in (2, 3, 4))
        + syn(3, 1, 2, 0, 0x06, FAR) + synack(2, 3, 0, 2, 0x03, 0x47) + COUNTERS + RESET + QUERY,
}

# Chain only: a failed join leg (sipconf) and a failed connection to 444
# (c3pconn), with and without the lbsnat case behind it.
JOIN = bytes([0xe0, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x03, 0xf0, 0x00, 0x0b, 0x06, 0x55, 0xee])
JOIN_OK = bytes([0xe1, 0xf0, 0xf0, 0x00, 0x04, 0xf0, 0xf0, 0x00, 0x00, 0x00])
CONN = bytes([0xe8, 0x00, 0x0e, 0x00, 0x01])
chain_only = {
    "field-case": seeds["isn-match-reset"].replace(QUERY, b"").replace(COUNTERS, b"") + CONN + JOIN + JOIN_OK + b"\xf0",
    "joins-only": config() + JOIN + JOIN_OK + JOIN + b"\xf0",
    "conn-unexplained": config() + CONN + bytes([0xe8, 0x00, 0x0f, 0x01, 0x02]) + b"\xf0",
}

for target, prefix in (("fuzz_lbsnat_track", b""), ("fuzz_mcudiag_chain", None)):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    for name, body in seeds.items():
        if prefix is None:  # chain harness: a mode byte first (1 = also a second pass), renders
            for mode in (0, 1):
                data = bytes([mode]) + body.replace(QUERY, b"\xf0").replace(COUNTERS, b"\xfc")
                open(os.path.join(d, f"{name}-mode{mode}"), "wb").write(data)
        else:
            open(os.path.join(d, name), "wb").write(body)

for name, body in chain_only.items():
    for mode in (0, 1):
        open(os.path.join(HERE, "fuzz_mcudiag_chain", f"{name}-mode{mode}"), "wb").write(bytes([mode]) + body)

# fuzz_conference_models (the connections, connections-probe-then-resent-syn and parsers
# seeds are hand-written).
# Names: 0 alice, 1 Focus URI, 2 chat MCU URI, 3 bob, 4 "", 5 "c1", 6 "c2".
# Methods: 0 INVITE, 1 SUBSCRIBE, 2 BYE, 3 SERVICE, 4 INFO, 5 CANCEL, 6 ACK.
def sip_request(method, to, call_id, cseq, resend=0, focus=None):
    tail = bytes([1, focus]) if focus is not None else bytes([0])
    return bytes([0x04, 0x00, to, method, call_id, cseq, 0, resend]) + tail


def sip_response(k, to, call_id, cseq, resend=0, diag=None):
    # status 100 + 3k; diag: an ms-diagnostics value read from the input
    text = b"\x01" + diag + b"\x00" if diag else bytes([0x00, 0x00])
    return bytes([0x05]) + text + bytes([k, call_id, cseq, 0, to, resend])


def later(ms):  # operation 6: time passes (0x80 | n: n x 100 ms)
    return bytes([0x06, ms if ms < 0x80 else 0x80 | ms // 100])


def c3p(op, frm, to, conv, rid, code=None):
    return bytes([op, frm, to, conv, rid]) + (bytes([code]) if code is not None else b"")


OK, BAD, TRYING = 34, 134, 0   # 202, 502, 100
WALK = b"\x09"
conference_seeds = {
    # a join, its 2xx captured twice, a re-INVITE refused with ms-diagnostics, then a CANCELed join
    "sip-flow": sip_request(0, 1, 5, 1) + sip_response(OK, 1, 5, 1) + later(3) + sip_response(OK, 1, 5, 1)
        + later(600) + sip_request(0, 1, 5, 2) + sip_response(BAD, 1, 5, 2, diag=b'6000;reason="x"')
        + sip_request(0, 2, 6, 1) + sip_response(TRYING, 2, 6, 1) + sip_request(5, 2, 6, 1)
        + sip_response(OK, 2, 6, 1) + sip_response(162, 2, 6, 1) + later(900) + sip_response(162, 2, 6, 1, resend=1)
        + sip_request(0, 3, 5, 9, focus=1) + sip_request(2, 3, 5, 9) + WALK,
    # a request and response, each seen again 2 ms later on another conversation, then a retry 1 s later
    "c3p-matching": c3p(1, 0, 1, 0, 1) + later(2) + c3p(1, 0, 1, 2, 1) + c3p(2, 1, 0, 0, 1, 1) + later(2)
        + c3p(2, 1, 0, 2, 1, 1) + later(1000) + c3p(1, 0, 1, 0, 1) + c3p(2, 1, 0, 0, 1, 3) + c3p(2, 1, 0, 0, 1, 2),
    # operation 0 hands each string to every parser: ms-conf-invite bodies among them
    "conf-invite-bodies": b"".join(b"\x00" + body + b"\x00" for body in (
        b"<Conferencing version=\"2.0\"><focus-uri>sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046"
        b"</focus-uri><subject>x</subject><im available=\"true\"><first-im/></im></Conferencing>",
        b"<focus-uri> </focus-uri><focus-uri>",
    )),
}
d = os.path.join(HERE, "fuzz_conference_models")
for name, body in conference_seeds.items():
    open(os.path.join(d, name), "wb").write(body)
