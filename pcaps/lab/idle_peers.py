#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The idle-timeout lab's programs (make-lbidle-captures.sh runs them in its
namespaces):

  idle_peers.py server [--close-idle SECONDS]
      the pool member's service on TCP 5061 (the port clients keep their
      SIP connections to a pool on): echoes every message back; with
      --close-idle it closes a connection itself (FIN) after that long without
      a message, as a server with its own idle timer does
  idle_peers.py clients VIP
      the clients: several connections to VIP:5061 opened one after the other
      (the balancer's round robin alternates members), then each run by its
      own schedule at once: some keep the connection busy or send TCP
      keep-alives more often than the balancer's timer, some go quiet for
      longer (see SCHEDULES)
  idle_peers.py reaper INTERFACE SECONDS
      on the balancer: a balancer that resets both sides when it forgets a
      flow. It follows every TCP packet on INTERFACE (AF_PACKET) to know each
      end's next sequence number and when the flow was last active, pairs the
      client's leg with the member's from conntrack's table (`conntrack -L`),
      and when both legs were quiet for SECONDS (the balancer's conntrack
      timer, which the kernel applies lazily and conntrack's DESTROY events
      report only when its garbage collector runs, up to a minute later) sends
      an RST to the client (from the VIP) and one to the member (from the
      balancer's SNAT address), each with the sequence number that end
      expects, so both stacks accept it.
"""
import select
import socket
import struct
import subprocess
import sys
import threading
import time

PORT = 5061

# Per connection: what it does after its first exchange, in seconds. "send"
# waits that long, then sends a message and waits for the echo; "keepalive"
# turns on TCP keep-alives (probes every 2 s) and stays quiet that long.
# With the lab's 5 s balancer timer: the busy, keep-alive and 3 s connections
# survive, the 8 s and longer ones are cut.
SCHEDULES = [
    ("busy", [("send", 2)] * 8),
    ("keepalive", [("keepalive", 16), ("send", 0)]),
    ("short-gaps", [("send", 3), ("send", 3.5)]),
    ("short-gaps-2", [("send", 3), ("send", 3)]),
    ("quiet-8", [("send", 8)]),
    ("quiet-9", [("send", 9)]),
    ("quiet-11", [("send", 11)]),
    ("quiet-13", [("send", 13)]),
]


def serve(close_idle):
    listener = socket.socket(socket.AF_INET6)
    listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("::", PORT))
    listener.listen(32)
    print("listening", flush=True)

    def echo(conn):
        conn.settimeout(close_idle)
        try:
            while True:
                data = conn.recv(1000)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass
        conn.close()

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def run_client(name, sock, steps):
    def exchange(text):
        sock.sendall(text.encode())
        if not sock.recv(1000):
            raise ConnectionError("closed by the server")

    try:
        exchange(f"hello from {name}\n")
        for what, seconds in steps:
            if what == "keepalive":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 2)
            time.sleep(seconds)
            if what == "send":
                exchange(f"{name} after {seconds} s\n")
        print(f"  {name}: survived", flush=True)
    except OSError as e:
        print(f"  {name}: {e}", flush=True)
    sock.close()


def clients(vip):
    family = socket.AF_INET6 if ":" in vip else socket.AF_INET
    threads = []
    for name, steps in SCHEDULES:
        sock = socket.socket(family)
        sock.settimeout(20)
        # A sender whose data goes unanswered gives up after 4 s of
        # retransmissions (a silent balancer), instead of Linux's 15 minutes.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 4000)
        sock.connect((vip, PORT))
        threads.append(threading.Thread(target=run_client, args=(name, sock, steps)))
        time.sleep(0.05)
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def send_reset(src, sport, dst, dport, seq, ack):
    """An IPv4 RST+ACK from src:sport to dst:dport, built by hand (raw socket)."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x14, 0, 0, 0)
    tcp = tcp[:16] + struct.pack("!H", checksum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.sendto(ip + tcp, (dst, 0))
    raw.close()


def conntrack_pairs():
    """{client leg: member leg} of the balancer's TCP flows, each leg as
    (src, sport, dst, dport) on the wire, from `conntrack -L`."""
    listing = subprocess.run(["conntrack", "-L", "-p", "tcp"], capture_output=True, text=True).stdout
    pairs = {}
    for line in listing.splitlines():
        values = [f.split("=", 1)[1] for f in line.split() if f.split("=", 1)[0] in ("src", "dst", "sport", "dport")]
        if len(values) == 8:
            c, v, cp, vp, m, s, mp, sp = values
            pairs[(c, int(cp), v, int(vp))] = (m, int(mp), s, int(sp))
    return pairs


def reaper(interface, timeout):
    # packets that reached the balancer, by (src, sport, dst, dport):
    # [sender's next seq, its last ack, flow ended, last seen]
    flows = {}
    pairs = {}
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
    sniff.bind((interface, 0))
    print("reaping", flush=True)
    while True:
        ready, _, _ = select.select([sniff], [], [], 0.05)
        if ready:
            try:
                frame = sniff.recv(65535)
            except OSError:  # the link went down and up (the lab still plugging hosts in)
                continue
            ihl = (frame[0] & 0x0F) * 4
            if frame[9] != 6:
                continue
            src, dst = socket.inet_ntoa(frame[12:16]), socket.inet_ntoa(frame[16:20])
            sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", frame[ihl:ihl + 14])
            length = struct.unpack("!H", frame[2:4])[0] - ihl - (off >> 4) * 4
            flow = flows.setdefault((src, sport, dst, dport), [0, 0, False, 0])
            flow[0] = (seq + length + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF
            flow[1] = ack
            flow[2] = flow[2] or bool(flags & 0x05)
            flow[3] = time.monotonic()
            continue
        pairs.update(conntrack_pairs())
        for (c, cp, v, vp), (m, mp, s, sp) in pairs.items():
            # what each end sent the balancer: its next sequence number and what it acknowledged
            legs = [flows.get(k) for k in ((c, cp, v, vp), (m, mp, s, sp))]
            if None in legs or any(leg[2] for leg in legs):
                continue
            if time.monotonic() - max(leg[3] for leg in legs) < timeout:
                continue
            # Each end expects the sequence number it last acknowledged.
            send_reset(v, vp, c, cp, legs[0][1], legs[0][0])
            send_reset(s, sp, m, mp, legs[1][1], legs[1][0])
            for leg in legs:
                leg[2] = True
            print(f"  reset {c}:{cp} and {m}:{mp}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(float(sys.argv[2]) if len(sys.argv) > 2 else None)
    elif sys.argv[1] == "clients":
        clients(sys.argv[2])
    elif sys.argv[1] == "reaper":
        reaper(sys.argv[2], float(sys.argv[3]))
