#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-mix.py [--mix pool|tcp|c3p-P] [--sizes 100k,1M,4M] [--outdir DIR] [--seed N] [--force]

Builds large, reproducible benchmark captures, written as nanosecond pcap in a
cache directory (default /tmp/mcudiag-bench, or $MCUDIAG_BENCH_DIR). A capture
that already exists is kept unless --force is given. Same seed, same bytes.

Mixes:
  tcp    (bench-tcp-<size>.pcap) a busy TCP-only mix: half ordinary TCP, half
         HTTPS-like TLS on 443/444 (below), and one missing-SNAT case per 1000
         connections; no SIP, no C3P
  c3p-P  (bench-c3p-P-<size>.pcap) the tcp mix where P % of the connections
         carry a C3P body (SIP SERVICE with application/cccp+xml and its 200),
         e.g. c3p-0.1, c3p-1, c3p-10
  pool   (bench-mix-<size>.pcap) the traffic of a busy OCS/Lync pool:

The pool mix (flows are interleaved in time order, ~10k packets/s, ~800 new
connections/s, so the tracker's 60 s window and its 65536-port cap are both
reached in the larger captures):
  35%  ordinary TCP: SQL (1433), SMB (445), HTTP (80), RPC-ish ports: handshake,
       a few request/response data segments and ACKs, FIN/FIN/ACK
  30%  HTTPS-like TLS on 443 and 444, to the VIP (SNAT: answered by the VIP)
       and to pool members directly: ClientHello with SNI, ServerHello +
       ChangeCipherSpec, opaque application-data records, FIN
  12%  SIP over TCP 5060: INVITE/100/200 (SDP)/ACK/BYE/200
  13%  SIP over UDP 5060: the same dialog in datagrams
  10%  SIP SERVICE with an application/cccp+xml (C3P) body over TCP, and its 200
plus, about every 50,000 packets, a no-SNAT case: pool member 10.137.2.12
sends SYN to VIP 10.137.2.11:444, member 10.137.2.13 or .14 answers with a
SYN-ACK acknowledging isn+1, the client resets it (RST seq = isn+1), and the
SYN is retransmitted after 1 s and 3 s (each drawing SYN-ACK and RST).

The address and TCP/IP helpers of pcaps/synth/make-synthetic-captures.py are
imported (constants, MAC table, checksum); the hot path uses precomputed
headers and checksum partial sums so 4M packets take about a minute.
"""
import argparse
import heapq
import importlib.util
import ipaddress
import os
import random
import struct
import sys
import time
from array import array

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "synth", os.path.join(HERE, "..", "pcaps", "synth", "make-synthetic-captures.py"))
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
SYNACK = SYN | ACK
VIP, MCU = synth.VIP, synth.CLIENT          # 10.137.2.11, 10.137.2.12
MEMBERS = [synth.M1, synth.M2, "10.137.2.15"]
SIZES = {"100k": 100_000, "1M": 1_000_000, "4M": 4_000_000}
PKTS_PER_SEC = 10_000
NOSNAT_EVERY = 50_000  # packets between no-SNAT cases

# ---- fast packet building --------------------------------------------------
# One's-complement sums are byte-order independent: summing little-endian
# 16-bit words and storing the folded complement little-endian gives the same
# bytes as the big-endian computation of RFC 1071.


def lesum(data):
    if len(data) & 1:
        data += b"\0"
    return sum(array("H", data))


def fold(total):
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


_addr_cache = {}


def addr(a):
    """(packed bytes, LE partial sum, MAC) for an IPv4 address string."""
    r = _addr_cache.get(a)
    if r is None:
        packed = ipaddress.ip_address(a).packed
        r = _addr_cache[a] = (packed, lesum(packed), synth.mac(a))
    return r


class Payload:
    """Bytes plus their checksum partial sum, computed once."""
    __slots__ = ("data", "sum")

    def __init__(self, data):
        self.data = data
        self.sum = lesum(data)


EMPTY = Payload(b"")
_pack_tcp = struct.Struct("!HHIIBBHHH").pack
_pack_ip = struct.Struct("!BBHHHBBH4s4s").pack
_pack_udp = struct.Struct("!HHHH").pack
_pack_le16 = struct.Struct("<H").pack
_ip_ident = [0]


def _ip(src, dst, proto, l4len):
    s, d = addr(src), addr(dst)
    _ip_ident[0] = (_ip_ident[0] + 1) & 0xFFFF
    hdr = _pack_ip(0x45, 0, 20 + l4len, _ip_ident[0], 0x4000, 64, proto, 0, s[0], d[0])
    ck = _pack_le16(fold(lesum(hdr)))
    return d[2] + s[2] + b"\x08\x00" + hdr[:10] + ck + hdr[12:], s[1] + d[1]


def tcp(src, dst, sport, dport, seq, ack, flags, payload=EMPTY, window=64240):
    n = 20 + len(payload.data)
    iphdr, asum = _ip(src, dst, 6, n)
    hdr = _pack_tcp(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, window, 0, 0)
    # pseudo-header: addresses, zero+protocol, length (big-endian words -> LE sum)
    total = asum + (6 << 8) + (((n & 0xFF) << 8) | (n >> 8)) + lesum(hdr) + payload.sum
    return iphdr + hdr[:16] + _pack_le16(fold(total)) + hdr[18:] + payload.data


def udp(src, dst, sport, dport, payload):
    n = 8 + len(payload.data)
    iphdr, asum = _ip(src, dst, 17, n)
    hdr = _pack_udp(sport, dport, n, 0)
    c = fold(asum + (17 << 8) + 2 * (((n & 0xFF) << 8) | (n >> 8)) + lesum(hdr[:4]) + payload.sum)
    return iphdr + hdr[:6] + _pack_le16(c or 0xFFFF) + payload.data


# ---- payload templates -----------------------------------------------------


def tls_client_hello(rng, sni):
    sni_b = sni.encode()
    ext_sni = struct.pack("!HHHBH", 0, len(sni_b) + 5, len(sni_b) + 3, 0, len(sni_b)) + sni_b
    ext_groups = struct.pack("!HHH", 10, 6, 4) + struct.pack("!HH", 0x001D, 0x0017)
    ext_versions = struct.pack("!HHB", 43, 5, 4) + struct.pack("!HH", 0x0304, 0x0303)
    ext_sigalgs = struct.pack("!HHH", 13, 8, 6) + struct.pack("!HHH", 0x0804, 0x0403, 0x0401)
    ext_keyshare = struct.pack("!HHHHH", 51, 38, 36, 0x001D, 32) + rng.randbytes(32)
    exts = ext_sni + ext_groups + ext_versions + ext_sigalgs + ext_keyshare
    ciphers = struct.pack("!H", 8) + struct.pack("!HHHH", 0x1301, 0x1302, 0xC02F, 0xC030)
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + b"\x20" + rng.randbytes(32) + ciphers
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_server_hello(rng):
    exts = struct.pack("!HHH", 43, 2, 0x0304) + struct.pack("!HHHH", 51, 36, 0x001D, 32) + rng.randbytes(32)
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + b"\x20" + rng.randbytes(32)
            + struct.pack("!HB", 0x1301, 0) + struct.pack("!H", len(exts)) + exts)
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    return (b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs + b"\x14\x03\x03\x00\x01\x01")


def tls_appdata(rng, n):
    return b"\x17\x03\x03" + struct.pack("!H", n) + rng.randbytes(n)


SDP = ("v=0\r\no=- 0 0 IN IP4 {ip}\r\ns=session\r\nc=IN IP4 {ip}\r\nb=CT:99980\r\nt=0 0\r\n"
       "m=audio 5{port:04d} RTP/AVP 114 9 112 111 0 8 116 115 97 13 118 101\r\n"
       "a=candidate:1 1 UDP 2130706431 {ip} 5{port:04d} typ host \r\n"
       "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:DSQKDyQ5HqSbxRXtGZ4j7ARxNkw5pI6IAxZuYXz5|2^31|1:1\r\n"
       "a=rtpmap:114 x-msrta/16000\r\na=fmtp:114 bitrate=29000\r\na=rtpmap:9 G722/8000\r\n"
       "a=rtpmap:111 SIREN/16000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
       "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=encryption:optional\r\n")

CCCP = ('<?xml version="1.0" encoding="utf-8"?>\r\n<request xmlns="urn:ietf:params:xml:ns:cccp" '
        'xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/cccpextensions" C3PVersion="1" '
        'to="sip:{user}@contoso.com;gruu;opaque=app:conf:focus:id:{conf}" '
        'from="sip:{user}@contoso.com" requestId="{req}">'
        '<addUser><conferenceKeys confEntity="sip:{user}@contoso.com;gruu;opaque=app:conf:focus:id:{conf}"/>'
        '<ci:user xmlns:ci="urn:ietf:params:xml:ns:conference-info" entity="sip:{user}@contoso.com">'
        '<ci:roles><ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="{{{epid}}}" '
        'xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"/></ci:user></addUser></request>')


def sip_msg(first, via_host, via_transport, branch, frm, ftag, to, ttag, callid, cseq, method,
            contact, body=b"", ctype=None, extra=""):
    lines = [first,
             f"Via: SIP/2.0/{via_transport} {via_host}:5060;branch=z9hG4bK{branch};ms-received-port=5060",
             "Max-Forwards: 70" if not first.startswith("SIP/") else "Server: RTCC/4.0.0.0",
             f"From: <sip:{frm}@contoso.com>;tag={ftag};epid=8a6e2f1b47",
             f"To: <sip:{to}@contoso.com>" + (f";tag={ttag}" if ttag else ""),
             f"Call-ID: {callid}",
             f"CSeq: {cseq} {method}",
             f"Contact: <sip:{contact}@contoso.com;gruu;opaque=user:epid:x8fF3fQnWl2M{branch[:6]}AA>",
             "User-Agent: UCCAPI/4.0.7577.0 OC/4.0.7577.0 (Microsoft Office Communicator)",
             "Supported: ms-dialog-route-set-update, timer, histinfo, ms-safe-transfer, ms-sender",
             "ms-keep-alive: UAC;hop-hop=yes"]
    if extra:
        lines.append(extra)
    if ctype:
        lines.append(f"Content-Type: {ctype}")
    lines.append(f"Content-Length: {len(body)}")
    return Payload(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


# ---- flows -----------------------------------------------------------------
# Each flow returns a list of (time_ns, frame) in time order.

MS = 1_000_000
US = 1_000


class Mix:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        r = self.rng
        self.clients = [f"10.{r.choice((20, 21, 22, 137))}.{r.randrange(1, 255)}.{r.randrange(1, 255)}"
                        for _ in range(3000)]
        self.next_port = {}
        self.blobs = [Payload(tls_appdata(r, n)) for n in (37, 85, 120, 290, 517, 800, 1100, 1395)
                      for _ in range(4)]
        self.data = [Payload(r.randbytes(n)) for n in (12, 48, 100, 230, 460, 900, 1460) for _ in range(4)]
        self.http_req = [Payload((f"GET /{p} HTTP/1.1\r\nHost: pool01.contoso.com\r\n"
                                  "User-Agent: Microsoft-Lync/2010\r\nAccept: */*\r\n\r\n").encode())
                         for p in ("abs/handler/c3p", "meet/", "groupexpansion/service.svc", "favicon.ico")]
        self.http_resp = []
        for n in (0, 120, 700, 1200):
            body = bytes(r.randrange(0x20, 0x7F) for _ in range(n))
            self.http_resp.append(Payload((f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                           f"Content-Length: {n}\r\nServer: Microsoft-IIS/7.5\r\n\r\n").encode()
                                          + body))
        self.calls = 0

    def eport(self, client):
        p = self.next_port.get(client)
        if p is None:
            p = self.rng.randrange(49152, 65535)
        p = p + 1 if p < 65535 else 49152
        self.next_port[client] = p
        return p

    def isn(self):
        return self.rng.getrandbits(32)

    def rtt(self):
        return self.rng.randrange(150, 2500) * US

    # A client connection with handshake, exchanges, FIN. `server_reply_addr`
    # is the server address the client talks to (the VIP with SNAT answers as
    # the VIP). exchanges: list of (request Payload, [response Payloads]).
    def tcp_conn(self, t, c, s, dport, exchanges, sport=None):
        r = self.rng
        sport = sport or self.eport(c)
        a, b = self.isn(), self.isn()
        rtt = self.rtt()
        out = [(t, tcp(c, s, sport, dport, a, 0, SYN)),
               (t + rtt // 2, tcp(s, c, dport, sport, b, a + 1, SYNACK, window=65160))]
        t += rtt
        out.append((t, tcp(c, s, sport, dport, a + 1, b + 1, ACK, window=502)))
        a += 1
        b += 1
        for req, resps in exchanges:
            t += r.randrange(10, 2000) * US
            out.append((t, tcp(c, s, sport, dport, a, b, PSH | ACK, req, window=502)))
            a += len(req.data)
            t += rtt // 2
            for i, resp in enumerate(resps):
                t += r.randrange(5, 300) * US
                out.append((t, tcp(s, c, dport, sport, b, a, (PSH | ACK) if i == len(resps) - 1 else ACK, resp,
                                   window=509)))
                b += len(resp.data)
                if i % 2 == 1 or i == len(resps) - 1:
                    out.append((t + rtt // 2, tcp(c, s, sport, dport, a, b, ACK, window=502)))
            t += rtt // 2 + US
        t += r.randrange(1, 40) * MS
        out.append((t, tcp(c, s, sport, dport, a, b, FIN | ACK, window=502)))
        t += rtt // 2
        out.append((t, tcp(s, c, dport, sport, b, a + 1, FIN | ACK, window=509)))
        t += rtt // 2
        out.append((t, tcp(c, s, sport, dport, a + 1, b + 1, ACK, window=502)))
        out.sort(key=lambda x: x[0])
        return out

    def ordinary(self, t):
        r = self.rng
        c = r.choice(self.clients)
        s, port = r.choice((("10.137.2.20", 1433), ("10.137.2.21", 445), ("10.137.2.22", 80),
                            ("10.137.2.23", 135), ("10.137.2.24", 5062), ("10.137.2.25", 8057)))
        if port == 80:
            ex = [(r.choice(self.http_req), [r.choice(self.http_resp)]) for _ in range(r.randrange(1, 4))]
        else:
            ex = [(r.choice(self.data), [r.choice(self.data) for _ in range(r.randrange(1, 4))])
                  for _ in range(r.randrange(1, 4))]
        return self.tcp_conn(t, c, s, port, ex)

    def https(self, t):
        r = self.rng
        c = r.choice(self.clients) if r.random() < 0.8 else r.choice(MEMBERS + [MCU])
        port = 443 if r.random() < 0.6 else 444
        s = VIP if r.random() < 0.6 else r.choice(MEMBERS)
        ex = [(Payload(tls_client_hello(r, "pool01.contoso.com" if s == VIP else "fe01.contoso.com")),
               [Payload(tls_server_hello(r)), r.choice(self.blobs)])]
        ex += [(r.choice(self.blobs), [r.choice(self.blobs) for _ in range(r.randrange(1, 5))])
               for _ in range(r.randrange(1, 4))]
        return self.tcp_conn(t, c, s, port, ex)

    def sip_dialog(self, c, s, transport):
        """The INVITE dialog's messages, alternating direction, as (from_client, Payload)."""
        r = self.rng
        self.calls += 1
        user, peer = f"user{r.randrange(10000)}", f"user{r.randrange(10000)}"
        callid = f"{r.getrandbits(64):016x}{self.calls:08x}"
        ftag, ttag = f"{r.getrandbits(32):08x}", f"{r.getrandbits(32):08x}"
        br = [f"{r.getrandbits(40):010x}" for _ in range(3)]
        sdp1 = SDP.format(ip=c, port=r.randrange(10000)).encode()
        sdp2 = SDP.format(ip=s, port=r.randrange(10000)).encode()
        inv = sip_msg(f"INVITE sip:{peer}@contoso.com SIP/2.0", c, transport, br[0], user, ftag, peer, None,
                      callid, 1, "INVITE", user, sdp1, "application/sdp")
        trying = sip_msg("SIP/2.0 100 Trying", c, transport, br[0], user, ftag, peer, None, callid, 1, "INVITE", peer)
        ok = sip_msg("SIP/2.0 200 OK", c, transport, br[0], user, ftag, peer, ttag, callid, 1, "INVITE", peer,
                     sdp2, "application/sdp")
        ack = sip_msg(f"ACK sip:{peer}@contoso.com SIP/2.0", c, transport, br[1], user, ftag, peer, ttag,
                      callid, 1, "ACK", user)
        bye = sip_msg(f"BYE sip:{peer}@contoso.com SIP/2.0", c, transport, br[2], user, ftag, peer, ttag,
                      callid, 2, "BYE", user)
        ok2 = sip_msg("SIP/2.0 200 OK", c, transport, br[2], user, ftag, peer, ttag, callid, 2, "BYE", peer)
        return [(True, inv), (False, trying), (False, ok), (True, ack), (True, bye), (False, ok2)]

    def sip_service(self, c, s, transport):
        r = self.rng
        self.calls += 1
        user = f"user{r.randrange(10000)}"
        callid = f"{r.getrandbits(64):016x}{self.calls:08x}"
        ftag, ttag, b = f"{r.getrandbits(32):08x}", f"{r.getrandbits(32):08x}", f"{r.getrandbits(40):010x}"
        conf = f"{r.getrandbits(32):08X}"
        body = CCCP.format(user=user, conf=conf, req=r.randrange(1, 100),
                           epid=f"{r.getrandbits(128):032x}").encode()
        uri = f"sip:{user}@contoso.com;gruu;opaque=app:conf:focus:id:{conf}"
        svc = sip_msg(f"SERVICE {uri} SIP/2.0", c, transport, b, user, ftag, user, None, callid, 1, "SERVICE",
                      user, body, "application/cccp+xml")
        resp = body.replace(b"<request ", b"<response ").replace(b"</request>", b"</response>")
        resp = resp.replace(b'requestId=', b'code="success" requestId=')
        ok = sip_msg("SIP/2.0 200 OK", c, transport, b, user, ftag, user, ttag, callid, 1, "SERVICE", "focus",
                     resp, "application/cccp+xml")
        return [(True, svc), (False, ok)]

    def sip_tcp(self, t, service=False):
        r = self.rng
        c = r.choice(self.clients)
        s = r.choice(MEMBERS)
        msgs = self.sip_service(c, s, "TCP") if service else self.sip_dialog(c, s, "TCP")
        # One TCP connection carrying the dialog: requests from the client,
        # responses from the server, each request with the responses after it.
        ex = []
        for from_client, p in msgs:
            if from_client or not ex:
                ex.append((p, []))
            else:
                ex[-1][1].append(p)
        return self.tcp_conn(t, c, s, 5060, ex)

    def sip_udp(self, t):
        r = self.rng
        c = r.choice(self.clients)
        s = r.choice(MEMBERS)
        out = []
        for from_client, p in self.sip_dialog(c, s, "UDP"):
            t += r.randrange(1, 30) * MS
            out.append((t, udp(c, s, 5060, 5060, p) if from_client else udp(s, c, 5060, 5060, p)))
        return out

    def nosnat(self, t):
        """The field case: MCU 10.137.2.12 -> VIP:444 without SNAT, three SYN tries."""
        r = self.rng
        sport = self.eport(MCU)
        isn = self.isn()
        member = r.choice(MEMBERS[:2])
        out = []
        for k, delay in enumerate((0, 1000, 3000)):
            ts = t + delay * MS
            out.append((ts, tcp(MCU, VIP, sport, 444, isn, 0, SYN)))
            ts += r.randrange(200, 600) * US
            out.append((ts, tcp(member, MCU, 444, sport, 0x5EED0000 + k, isn + 1, SYNACK, window=65160)))
            out.append((ts + 40 * US, tcp(MCU, member, sport, 444, isn + 1, 0, RST, window=0)))
        return out


NOSNAT_FLOWS = 1000  # tcp and c3p mixes: one missing-SNAT case per this many connections


def flow_kinds(mix, name):
    """(cumulative share, flow maker) of a mix."""
    if name == "pool":
        return ((0.35, mix.ordinary), (0.65, mix.https), (0.77, mix.sip_tcp), (0.90, mix.sip_udp),
                (1.00, lambda t: mix.sip_tcp(t, service=True)))
    c3p = float(name.split("-", 1)[1]) / 100 if name.startswith("c3p-") else 0.0
    return ((0.5 * (1 - c3p), mix.ordinary), (1 - c3p, mix.https), (1.0, lambda t: mix.sip_tcp(t, service=True)))


def generate(path, n, seed, name="pool"):
    mix = Mix(seed)
    r = mix.rng
    flow_rate = 800.0  # new flows per second (about PKTS_PER_SEC / packets per flow)
    kinds = flow_kinds(mix, name)
    flows = 0
    t0 = 1_700_000_000 * 1_000_000_000
    next_arrival = t0
    next_nosnat = NOSNAT_EVERY // 2
    heap = []
    counter = 0
    written = 0
    cases = 0
    chunk = []
    pack_rec = struct.Struct("<IIII").pack
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        while written < n:
            while not heap or next_arrival <= heap[0][0]:
                flows += 1
                if (name == "pool" and written >= next_nosnat) or (name != "pool" and flows % NOSNAT_FLOWS == 0):
                    flow = mix.nosnat(next_arrival)
                    next_nosnat += NOSNAT_EVERY
                    cases += 1
                else:
                    x = r.random()
                    for limit, make in kinds:
                        if x < limit:
                            flow = make(next_arrival)
                            break
                counter += 1
                heapq.heappush(heap, (flow[0][0], counter, flow, 0))
                next_arrival += int(r.expovariate(flow_rate) * 1e9) + 1
            ts, c, flow, i = heap[0]
            pkt = flow[i][1]
            chunk.append(pack_rec(ts // 1_000_000_000, ts % 1_000_000_000, len(pkt), len(pkt)))
            chunk.append(pkt)
            written += 1
            if i + 1 < len(flow):
                heapq.heapreplace(heap, (flow[i + 1][0], c, flow, i + 1))
            else:
                heapq.heappop(heap)
            if len(chunk) >= 200_000:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))
    os.replace(path + ".tmp", path)
    return cases


def capture_name(mix, size):
    return f"bench-mix-{size}.pcap" if mix == "pool" else f"bench-{mix}-{size}.pcap"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mix", default="pool", help="pool, tcp or c3p-P (P: percent of connections with C3P)")
    ap.add_argument("--sizes", default="100k,1M,4M", help="comma-separated: 100k, 1M, 4M (or a packet count)")
    ap.add_argument("--outdir", default=os.environ.get("MCUDIAG_BENCH_DIR", "/tmp/mcudiag-bench"))
    ap.add_argument("--seed", type=int, default=20240606)
    ap.add_argument("--force", action="store_true", help="regenerate even if the file exists")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for name in a.sizes.split(","):
        n = SIZES.get(name) or int(name)
        path = os.path.join(a.outdir, capture_name(a.mix, name))
        if os.path.exists(path) and not a.force:
            print(f"{path}: cached")
            continue
        start = time.monotonic()
        cases = generate(path, n, a.seed, a.mix)
        print(f"{path}: {n} packets, {cases} no-SNAT cases, {os.path.getsize(path) / 1e6:.0f} MB, "
              f"{time.monotonic() - start:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
