#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make-synthetic-captures.py [OUTDIR [EXPECTEDDIR]]

Writes the captures that no real stack in the namespace lab produces
(pcaps/synth-<name>.pcap) and, for each, the lbsnat result the capture tests
expect (tests/capture/expected/synth-<name>.tsv). Packets are built byte by
byte with correct IP, TCP and ICMP checksums; the script is deterministic, so
running it again gives identical files.

  backscatter      SYN-ACKs nobody asked for (a spoofed-source flood hitting
                   the client), which it resets: never flagged
  reordered        a capture merged from two taps: a SYN-ACK written before its
                   SYN, and timestamps that go backwards; one pair more than
                   the 60 s window apart is not a case
  fullproxy        a full-proxy balancer completes the client's handshake from
                   the VIP, then a member's SYN-ACK to the balancer's own SYN
                   reaches the client directly (lower-confidence rule)
  port-reuse       the client reuses its port with new ISNs, to the VIP and to
                   another server: never flagged
  simultaneous-open both ends send SYN on one 4-tuple: never flagged
  late-capture     the capture starts after the SYN; the client ACKs the
                   member's SYN-ACK (direct connection): never flagged
  ipv6-exthdr-vlan no SNAT over IPv6 behind an 802.1Q tag, with a hop-by-hop
                   extension header, confirmed by an ICMPv6 error quoting the
                   SYN-ACK
  idle-300s        a balancer whose TCP idle timeout is F5's default (300 s):
                   connections to the VIP (TCP 5061) survive silences of 120 and 240 s,
                   and draw an RST from the VIP when they speak after 310, 330
                   and 600 s (the idle-timeout lab's signature at field scale)
  idle-1800s       the same around Microsoft's minimum (1800 s): survived 900
                   and 1700 s, reset after 1850, 1900 and 3600 s
  c3p-hostile      C3P bodies (HTTP POSTs on TCP 80, one connection each) no
                   peer should send: nesting 3000 deep, a megabyte attribute,
                   DOCTYPE entity expansion tricks, 100,000 children, invalid
                   UTF-8, and a body cut at three places
  c3p-commands     C3P commands of MS-CONFBAS, MS-CONFAV and MS-CONFPRO that no
                   lab peer sends (setLobbyAccess, an addUser dial-out,
                   endorseUser, modifyEndpoint, modifyConferenceAnnouncements,
                   getConference, getConferences, deleteConference), each a
                   request and its response over HTTP on TCP 80, with the
                   attributes and elements the specifications define; then
                   getConferences with the C3P namespace on a prefix, and in
                   no namespace
"""
import ipaddress
import os
import struct
import sys

FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10
SYNACK = SYN | ACK
VIP, CLIENT, M1, M2 = "10.137.2.11", "10.137.2.12", "10.137.2.13", "10.137.2.14"
MAC = {VIP: "02:00:0a:89:02:0b", CLIENT: "02:00:0a:89:02:0c", M1: "02:00:0a:89:02:0d",
       M2: "02:00:0a:89:02:0e"}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac(addr):
    return bytes.fromhex(MAC.get(addr, "02:00:00:00:00:99").replace(":", ""))


def tcp_header(src, dst, sport, dport, seq, ack, flags, payload=b""):
    """A 20-byte TCP header (and payload) with its checksum over the right pseudo-header."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                      64240 if not flags & RST else 0, 0, 0)
    segment = hdr + payload
    if s.version == 4:
        pseudo = s.packed + d.packed + struct.pack("!BBH", 0, 6, len(segment))
    else:
        pseudo = s.packed + d.packed + struct.pack("!IxxxB", len(segment), 6)
    return hdr[:16] + struct.pack("!H", checksum(pseudo + segment)) + hdr[18:] + payload


def ipv4(src, dst, proto, payload, ident=1):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, proto, payload, hop_by_hop=False):
    if hop_by_hop:
        # Hop-by-hop options: next header, length 0 (8 bytes), PadN padding.
        payload = struct.pack("!BBBB4x", proto, 0, 1, 4) + payload
        proto = 0
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64,
                       ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed) + payload


def ethernet(src, dst, ethertype, payload, vlan=None):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return mac(dst) + mac(src) + tag + struct.pack("!H", ethertype) + payload


def tcp_packet(src, dst, sport, dport, seq, ack, flags, vlan=None, hop_by_hop=False, payload=b""):
    seg = tcp_header(src, dst, sport, dport, seq, ack, flags, payload)
    if ":" in src:
        return ethernet(src, dst, 0x86DD, ipv6(src, dst, 6, seg, hop_by_hop), vlan)
    return ethernet(src, dst, 0x0800, ipv4(src, dst, 6, seg), vlan)


def icmp_error(sender, quoted_packet, vlan=None):
    """The sender's destination-unreachable (administratively prohibited) about
    quoted_packet, an Ethernet frame it received (without VLAN tag)."""
    inner = quoted_packet[14:]
    if inner[0] >> 4 == 4:
        to = str(ipaddress.ip_address(inner[12:16]))
        body = struct.pack("!BBHI", 3, 13, 0, 0) + inner[:28]
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        return ethernet(sender, to, 0x0800, ipv4(sender, to, 1, body), vlan)
    to = str(ipaddress.ip_address(inner[8:24]))
    body = struct.pack("!BBHI", 1, 1, 0, 0) + inner
    pseudo = (ipaddress.ip_address(sender).packed + ipaddress.ip_address(to).packed
              + struct.pack("!IxxxB", len(body), 58))
    body = body[:2] + struct.pack("!H", checksum(pseudo + body)) + body[4:]
    return ethernet(sender, to, 0x86DD, ipv6(sender, to, 58, body), vlan)


class Capture:
    def __init__(self, name):
        self.name, self.frames, self.expected = name, [], []

    def add(self, t, packet, role=None, vip=VIP, port=444, member=None, client=CLIENT, onepass=None):
        self.frames.append((t, packet))
        if role:
            self.expected.append((len(self.frames), role, vip, port, member, client, onepass))
        return packet

    def write(self, outdir, expected_dir):
        with open(os.path.join(outdir, f"synth-{self.name}.pcap"), "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
            for t, pkt in self.frames:
                ns = round(t * 1e9)
                f.write(struct.pack("<IIII", ns // 10**9, ns % 10**9, len(pkt), len(pkt)) + pkt)
        with_onepass = any(e[6] is not None for e in self.expected)
        with open(os.path.join(expected_dir, f"synth-{self.name}.tsv"), "w") as f:
            f.write("frame\trole\tvip\tvip_port\tmember\tclient" + ("\tonepass" if with_onepass else "") + "\n")
            for frame, role, vip, port, member, client, onepass in self.expected:
                cols = [str(frame), role, vip, str(port), member, client]
                if with_onepass:
                    cols.append(onepass or ("no" if role == "syn" else "yes"))
                f.write("\t".join(cols) + "\n")


def backscatter():
    c = Capture("backscatter")
    for i in range(6):
        t = 1.0 + i * 0.5
        c.add(t, tcp_packet(M1, CLIENT, 444, 40000 + i, 5000 + i * 7919, 9000 + i * 104729, SYNACK))
        c.add(t + 0.0001, tcp_packet(CLIENT, M1, 40000 + i, 444, 9000 + i * 104729, 0, RST))
    return c


def reordered():
    c = Capture("reordered")
    # Case 1: the SYN-ACK is written first (taken from the other tap, whose
    # clock ran ahead). One pass cannot know it yet; the SYN that follows it
    # completes the case, so one pass flags the SYN and the reset.
    c.add(1.0020, tcp_packet(M1, CLIENT, 444, 50000, 7000, 1001, SYNACK), "synack", member=M1, onepass="no")
    c.add(1.0000, tcp_packet(CLIENT, VIP, 50000, 444, 1000, 0, SYN), "syn", member=M1, onepass="yes")
    c.add(1.0030, tcp_packet(CLIENT, M1, 50000, 444, 1001, 0, RST), "rst", member=M1)
    # Case 2: file order is right but the SYN-ACK's timestamp is earlier.
    c.add(5.0000, tcp_packet(CLIENT, VIP, 50001, 444, 2000, 0, SYN), "syn", member=M2, onepass="no")
    c.add(4.9990, tcp_packet(M2, CLIENT, 444, 50001, 8000, 2001, SYNACK), "synack", member=M2)
    c.add(5.0010, tcp_packet(CLIENT, M2, 50001, 444, 2001, 0, RST), "rst", member=M2)
    # A SYN-ACK and a SYN 70 s apart: outside the window, not a case.
    c.add(10.0, tcp_packet(M1, CLIENT, 444, 50002, 9000, 3001, SYNACK))
    c.add(80.0, tcp_packet(CLIENT, VIP, 50002, 444, 3000, 0, SYN))
    return c


def fullproxy():
    c = Capture("fullproxy")
    # The balancer answers the client from the VIP and the client completes the handshake.
    c.add(1.000, tcp_packet(CLIENT, VIP, 50100, 444, 1000, 0, SYN), "syn", member=M1)
    c.add(1.001, tcp_packet(VIP, CLIENT, 444, 50100, 7000, 1001, SYNACK))
    c.add(1.002, tcp_packet(CLIENT, VIP, 50100, 444, 1001, 7001, ACK))
    # Its own SYN to the member carried the client's address and port; the
    # member's SYN-ACK acknowledges the balancer's ISN and goes to the client.
    c.add(1.010, tcp_packet(M1, CLIENT, 444, 50100, 3000, 424243, SYNACK), "synack", member=M1)
    c.add(1.011, tcp_packet(CLIENT, M1, 50100, 444, 424243, 0, RST), "rst", member=M1)
    return c


def port_reuse():
    c = Capture("port-reuse")
    c.add(1.000, tcp_packet(CLIENT, VIP, 50000, 444, 1000, 0, SYN))
    c.add(1.001, tcp_packet(VIP, CLIENT, 444, 50000, 7000, 1001, SYNACK))
    c.add(1.002, tcp_packet(CLIENT, VIP, 50000, 444, 1001, 7001, ACK))
    c.add(3.000, tcp_packet(CLIENT, "10.137.2.50", 50000, 444, 555000, 0, SYN))
    c.add(3.001, tcp_packet("10.137.2.50", CLIENT, 444, 50000, 9000, 555001, SYNACK))
    c.add(3.002, tcp_packet(CLIENT, "10.137.2.50", 50000, 444, 555001, 9001, ACK))
    c.add(5.000, tcp_packet(CLIENT, VIP, 50000, 444, 777000, 0, SYN))
    c.add(5.001, tcp_packet(VIP, CLIENT, 444, 50000, 9500, 777001, SYNACK))
    c.add(5.002, tcp_packet(CLIENT, VIP, 50000, 444, 777001, 9501, ACK))
    return c


def simultaneous_open():
    c = Capture("simultaneous-open")
    c.add(1.000, tcp_packet(CLIENT, M1, 50000, 6000, 1000, 0, SYN))
    c.add(1.001, tcp_packet(M1, CLIENT, 6000, 50000, 7000, 0, SYN))
    c.add(1.002, tcp_packet(CLIENT, M1, 50000, 6000, 1000, 7001, SYNACK))
    c.add(1.003, tcp_packet(M1, CLIENT, 6000, 50000, 7000, 1001, SYNACK))
    return c


def late_capture():
    c = Capture("late-capture")
    c.add(1.000, tcp_packet(M1, CLIENT, 444, 50000, 7000, 1001, SYNACK))
    c.add(1.001, tcp_packet(CLIENT, M1, 50000, 444, 1001, 7001, ACK))
    c.add(1.002, tcp_packet(CLIENT, VIP, 50001, 444, 2000, 0, SYN))
    c.add(1.003, tcp_packet(VIP, CLIENT, 444, 50001, 8000, 2001, SYNACK))
    c.add(1.004, tcp_packet(CLIENT, VIP, 50001, 444, 2001, 8001, ACK))
    return c


def ipv6_exthdr_vlan():
    vip, client, member = "fd00:137:2::11", "fd00:137:2::12", "fd00:137:2::13"
    c = Capture("ipv6-exthdr-vlan")
    row = dict(vip=vip, member=member, client=client)
    c.add(1.000, tcp_packet(client, vip, 50200, 444, 1000, 0, SYN, vlan=137, hop_by_hop=True), "syn", **row)
    synack = tcp_packet(member, client, 444, 50200, 7000, 1001, SYNACK, hop_by_hop=True)
    c.add(1.001, synack[:12] + struct.pack("!HH", 0x8100, 137) + synack[12:], "synack", **row)
    c.add(1.002, icmp_error(client, synack, vlan=137), "icmp", **row)
    return c


PSH = 0x08
FOCUS = "sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046"


def idle_timer(name, survived, cut):
    """Connections from the idle-timeout lab's client to its VIP's SIP port: one per
    silence in `survived` (the message after it is echoed, then the client
    closes) and one per silence in `cut` (the message after it draws an RST
    from the VIP, as a balancer that forgot the flow answers)."""
    vip, client = "10.137.4.11", "10.137.4.12"
    events = []
    for i, (gap, survives) in enumerate([(g, True) for g in survived] + [(g, False) for g in cut]):
        t, port, cseq, sseq = 1.0 + i * 0.05, 50000 + i, 1000 + i * 7919, 9000 + i * 104729
        def send(at, from_client, flags, payload=b""):
            src, dst, sp, dp = (client, vip, port, 5061) if from_client else (vip, client, 5061, port)
            seq, ack = (cseq, sseq) if from_client else (sseq, cseq)
            events.append((at, len(events), tcp_packet(src, dst, sp, dp, seq, ack, flags, payload=payload)))
        send(t, True, SYN)
        cseq += 1
        send(t + 0.001, False, SYNACK)
        sseq += 1
        send(t + 0.002, True, ACK)
        for at, last in ((t + 0.1, False), (t + 0.1 + gap, True)):
            send(at, True, ACK | PSH, b"hello\n")
            cseq += 6
            if last and not survives:
                events.append((at + 0.001, len(events), tcp_packet(vip, client, 5061, port, sseq, 0, RST)))
                break
            send(at + 0.001, False, ACK | PSH, b"hello\n")
            sseq += 6
            send(at + 0.002, True, ACK)
        if survives:
            send(t + 0.2 + gap, True, FIN | ACK)
            cseq += 1
            send(t + 0.201 + gap, False, FIN | ACK)
            sseq += 1
            send(t + 0.202 + gap, True, ACK)
    c = Capture(name)
    for at, _, packet in sorted(events):
        c.add(at, packet)
    return c


def c3p_request(request_id, command_xml, prolog="", sender="sip:alice@contoso.com"):
    return (f'<?xml version="1.0"?>{prolog}<request xmlns="urn:ietf:params:xml:ns:cccp" C3PVersion="1" '
            f'to="{FOCUS}" from="{sender}" requestId="{request_id}">{command_xml}</request>').encode("utf-8", "surrogateescape")


def c3p_hostile():
    c = Capture("c3p-hostile")
    server = "10.137.2.20"
    laughs = "".join(f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10))
    bodies = [
        c3p_request(1, "<getConference>" + "<x>" * 3000 + "deep" + "</x>" * 3000 + "</getConference>"),
        c3p_request(2, "<getConference/>", sender="sip:" + "A" * (1 << 20) + "@contoso.com"),
        c3p_request(3, "<getConference><x>&l9;</x></getConference>",
                    prolog=f'<!DOCTYPE request [<!ENTITY l0 "lol">{laughs}]>'),
        c3p_request(4, "<getConference>" + "<x/>" * 100000 + "</getConference>"),
        c3p_request(5, "<getConference/>", sender="sip:\udcff\udcfe\udcc3(@contoso.com"),
    ]
    whole = c3p_request(6, f'<addUser><conferenceKeys confEntity="{FOCUS}"/></addUser>')
    bodies += [whole[:60], whole[:150], whole[:-5]]
    t = 1.0
    for n, body in enumerate(bodies):
        port = 51000 + n
        head = (f"POST /LiveServer/Focus/ HTTP/1.1\r\nHost: pool01.contoso.com\r\n"
                f"Content-Type: application/cccp+xml\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        c.add(t, tcp_packet(CLIENT, server, port, 80, 1000, 0, SYN))
        c.add(t + 0.0001, tcp_packet(server, CLIENT, 80, port, 5000, 1001, SYNACK))
        c.add(t + 0.0002, tcp_packet(CLIENT, server, port, 80, 1001, 5001, ACK))
        data, seq = head + body, 1001
        for off in range(0, len(data), 1400):
            t += 0.00001
            c.add(t + 0.0003, tcp_packet(CLIENT, server, port, 80, seq, 5001, ACK | PSH, payload=data[off:off + 1400]))
            seq += len(data[off:off + 1400])
        t += 1.0
    return c


CCCP_NS = 'xmlns="urn:ietf:params:xml:ns:cccp"'
MSCP_NS = 'xmlns:mscp="http://schemas.microsoft.com/rtc/2005/08/cccpextensions"'
MSCI_NS = 'xmlns:msci="http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"'
CI_NS = 'xmlns:ci="urn:ietf:params:xml:ns:conference-info"'
AVMCU = "sip:alice@contoso.com;gruu;opaque=app:conf:audio-video:id:TDVDW046"
KEYS = f'<conferenceKeys confEntity="{FOCUS}"/>'


def c3p_exchange(request_id, request_xml, response_xml, code="success"):
    """A request to the Focus and its response, as MS-CONFBAS writes both."""
    request = (f'<?xml version="1.0"?><request {CCCP_NS} {MSCP_NS} {MSCI_NS} C3PVersion="1" to="{FOCUS}" '
               f'from="sip:alice@contoso.com" requestId="{request_id}">{request_xml}</request>')
    response = (f'<?xml version="1.0"?><response {CCCP_NS} {MSCP_NS} {MSCI_NS} C3PVersion="1" '
                f'from="{FOCUS}" to="sip:alice@contoso.com" requestId="{request_id}" code="{code}">'
                f'{response_xml}</response>')
    return request.encode(), response.encode()


def c3p_commands():
    c = Capture("c3p-commands")
    server = "10.137.2.20"
    bob = "sip:bob@contoso.com"
    exchanges = [
        c3p_exchange(101, f"<setLobbyAccess>{KEYS}<userEntity>{bob}</userEntity><access>granted</access></setLobbyAccess>",
                     "<setLobbyAccess/>"),
        c3p_exchange(102, f'<addUser mscp:mcuUri="{AVMCU}">{KEYS}<ci:user {CI_NS} entity="{bob}"><ci:roles>'
                          f'<ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="{{9F1C2D3E-4A5B-6C7D-8E9F-A0B1C2D3E4F5}}" '
                          f'endpoint-uri="tel:+14255550100" refer-to-uri="sip:bob@contoso.com"><ci:joining-method>dialed-out'
                          f'</ci:joining-method></ci:endpoint></ci:user></addUser>',
                     f"<addUser>{KEYS}</addUser>"),
        c3p_exchange(103, f'<endorseUser>{KEYS}<ci:user {CI_NS} entity="{bob}"/></endorseUser>', "<endorseUser/>"),
        c3p_exchange(104, f'<modifyEndpoint>{KEYS}<ci:user {CI_NS} entity="{bob}"><ci:endpoint entity="{{0}}"/></ci:user>'
                          f'</modifyEndpoint>',
                     '<modifyEndpoint reason="otherFailure"/>', code="failure"),
        c3p_exchange(105, f'<modifyConferenceAnnouncements mscp:mcuUri="{AVMCU}">{KEYS}</modifyConferenceAnnouncements>',
                     "<modifyConferenceAnnouncements/>"),
        c3p_exchange(106, '<getConference><conferenceKeys msci:conference-id="TDVDW046"/></getConference>',
                     f'<getConference><conference-info {CI_NS.replace("xmlns:ci", "xmlns")} entity="{FOCUS}">'
                     '<conference-description><conference-id>TDVDW046</conference-id><expiry-time>2026-12-31T12:00:00Z'
                     '</expiry-time><msci:admission-policy>openAuthenticated</msci:admission-policy>'
                     '</conference-description></conference-info></getConference>'),
        c3p_exchange(107, "<getConferences/>", f'<getConferences><conference-info entity="{FOCUS}"/></getConferences>'),
        c3p_exchange(108, f"<deleteConference>{KEYS}</deleteConference>",
                     f'<deleteConference><conference-info entity="{FOCUS}"/></deleteConference>'),
    ]
    # The C3P namespace bound to a prefix instead of the default one: the same messages.
    exchanges += [tuple(m.replace(b"<request xmlns=", b"<c:request xmlns:c=").replace(b"</request>", b"</c:request>")
                        .replace(b"<response xmlns=", b"<c:response xmlns:c=").replace(b"</response>", b"</c:response>")
                        .replace(b"<getConferences", b"<c:getConferences").replace(b"</getConferences>", b"</c:getConferences>")
                        for m in c3p_exchange(109, "<getConferences/>", "<getConferences/>"))]
    # A root element in no namespace at all.
    exchanges += [tuple(m.replace(f" {CCCP_NS}".encode(), b"") for m in c3p_exchange(110, "<getConferences/>",
                                                                                     "<getConferences/>"))]
    t = 1.0
    for n, (request, response) in enumerate(exchanges):
        port = 52000 + n
        head = (f"POST /LiveServer/Focus/ HTTP/1.1\r\nHost: pool01.contoso.com\r\n"
                f"Content-Type: application/cccp+xml\r\nContent-Length: {len(request)}\r\n\r\n").encode()
        answer = (f"HTTP/1.1 200 OK\r\nContent-Type: application/cccp+xml\r\n"
                  f"Content-Length: {len(response)}\r\n\r\n").encode()
        c.add(t, tcp_packet(CLIENT, server, port, 80, 1000, 0, SYN))
        c.add(t + 0.0001, tcp_packet(server, CLIENT, 80, port, 5000, 1001, SYNACK))
        c.add(t + 0.0002, tcp_packet(CLIENT, server, port, 80, 1001, 5001, ACK))
        c.add(t + 0.0003, tcp_packet(CLIENT, server, port, 80, 1001, 5001, ACK | PSH, payload=head + request))
        c.add(t + 0.0104, tcp_packet(server, CLIENT, 80, port, 5001, 1001 + len(head + request), ACK | PSH,
                                     payload=answer + response))
        t += 1.0
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..")
    expected_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "..", "tests", "capture", "expected")
    os.makedirs(outdir, exist_ok=True)
    os.makedirs(expected_dir, exist_ok=True)
    for make in (backscatter, reordered, fullproxy, port_reuse, simultaneous_open, late_capture, ipv6_exthdr_vlan,
                 lambda: idle_timer("idle-300s", (120, 240), (310, 330, 600)),
                 lambda: idle_timer("idle-1800s", (900, 1700), (1850, 1900, 3600)), c3p_hostile, c3p_commands):
        capture = make()
        capture.write(outdir, expected_dir)
        print(f"synth-{capture.name}.pcap: {len(capture.frames)} frames, {len(capture.expected)} expected lbsnat frames")


if __name__ == "__main__":
    main()
