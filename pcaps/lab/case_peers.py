#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""case_peers.py fe1|fe2|client ...

The field case (../shared/CASE.md) with real sockets, for make-case-captures.sh:

  fe1     Front End 1 (10.137.2.12): its IM MCU posts health notifications
          over HTTPS to the MCU Factory at the pool VIP (10.137.2.11:444),
          and it is the client's Focus Factory, Focus and IM MCU over SIP/TCP.
          The Focus can only hand out the IM MCU when the MCU Factory has its
          health, so after a failed notification it answers the IM MCU INVITE
          "503 Service Unavailable" with an ms-diagnostics header.
  fe2     Front End 2 (10.137.2.13): the MCU Factory that the balancer picks.
  post    one health notification to the MCU Factory at the VIP, then exit
          (Front End 2's IM MCU; the balancer sends it to Front End 1, which
          is an MCU Factory too when fe1 is given --cert and --key).
  client  an Office Communicator (10.137.2.30) in a two-party IM with Bob that
          escalates it (c3p-protocol.md §5.4): creates a conference (SERVICE
          addConference), joins its Focus (INVITE addUser), subscribes to the
          conference state, joins the IM MCU (INVITE) and, only if that
          worked, invites Bob into the conference (ms-conf-invite) and ends
          the two-party dialog (BYE).

Message bodies follow ../shared/research/c3p-protocol.md. The health
notification body and the ms-diagnostics text are the lab's own (the real
formats are not public; the error id is only chosen inside the IM MCU range).
"""
import argparse
import socket
import ssl
import sys
import threading
import time

from c3p_peers import (BufferedConn, CI, FOCUS, FOCUS_FACTORY, CHAT_MCU, USER, listen, messages, read_message,
                       request_body, response_body, sip_reply_headers, sip_request)

VIP = "10.137.2.11"
BOB = "sip:bob@contoso.com"
HEALTH_BODY = request_body(1, "sip:pool01.contoso.com@contoso.com;gruu;opaque=srvr:mcufactory",
                           "sip:fe01.contoso.com@contoso.com", '<labHealthReport mcuType="chat" healthState="0"/>')


class Health:
    ok = False
    attempts = 0


def post_health(keylog):
    """One health notification to the MCU Factory through the VIP."""
    Health.attempts += 1
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.keylog_filename = keylog
    try:
        with socket.create_connection((VIP, 444), timeout=2.5) as raw, ctx.wrap_socket(raw) as s:
            body = HEALTH_BODY.encode()
            s.sendall(b"POST /LiveServer/MCUFactory/ HTTP/1.1\r\nHost: pool01.contoso.com:444\r\n"
                      b"Content-Type: application/cccp+xml\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            Health.ok = read_message(BufferedConn(s)) is not None
    except OSError as e:
        print("health notification failed:", e, flush=True)
        Health.ok = False
    print("health", "ok" if Health.ok else "failed", flush=True)


def serve_focus(sock):
    """Focus Factory, Focus and IM MCU over SIP."""
    for conn, head, body in messages(sock):
        method, uri = head.split("\r\n")[0].split()[:2]
        common = sip_reply_headers(head)
        if method == "ACK":
            continue
        if method == "INVITE" and "app:conf:chat:" in uri and not Health.ok:
            conn.sendall((f"SIP/2.0 503 Service Unavailable\r\n{common}\r\n"
                          'ms-diagnostics: 6000;reason="Lab: no IM MCU could be allocated";'
                          'source="fe01.contoso.com"\r\nContent-Length: 0\r\n\r\n').encode())
            continue
        reply = response_body(body) if body else None
        if reply:
            conn.sendall((f"SIP/2.0 200 OK\r\n{common}\r\nContent-Type: application/cccp+xml\r\n"
                          f"Content-Length: {len(reply.encode())}\r\n\r\n{reply}").encode())
        else:
            conn.sendall(f"SIP/2.0 200 OK\r\n{common}\r\nContent-Length: 0\r\n\r\n".encode())


def mcu_factory(args):
    """The MCU Factory on 444 (HTTPS), answering every POST."""
    from c3p_peers import serve_http
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    listen(444, serve_http, ctx)


def fe1(args):
    listen(5060, serve_focus)
    if args.cert:
        mcu_factory(args)
    post_health(args.keylog)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def fe2(args):
    mcu_factory(args)
    print("listening", flush=True)
    while True:
        time.sleep(3600)


def client(args):
    sock = socket.create_connection((args.server, 5060), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn = BufferedConn(sock)
    call = "c0a8f1e2d3b4456789abcdef01234567"
    steps = [
        ("SERVICE", FOCUS_FACTORY, "5a27d6b1a82f4668be39db975d6fe184", request_body(
            8, FOCUS_FACTORY, USER,
            f'<addConference><ci:conference-info xmlns:ci="{CI}" entity="" msci:conference-id="TDVDW046">'
            '<msci:conference-view><msci:entity-view entity="chat"/></msci:conference-view>'
            '</ci:conference-info></addConference>')),
        ("INVITE", FOCUS, call, request_body(
            355465752, FOCUS, USER,
            f'<addUser><conferenceKeys confEntity="{FOCUS}"/><ci:user xmlns:ci="{CI}" entity="{USER}"><ci:roles>'
            '<ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="{6E9B7B4E-52F8-4F7A-8E93-0C0D1C2B3A41}"/>'
            '</ci:user></addUser>')),
        ("SUBSCRIBE", FOCUS, "9d8c7b6a5f4e4d3c2b1a0f9e8d7c6b5a", ""),
        ("INVITE", CHAT_MCU, "1f2e3d4c5b6a47988796a5b4c3d2e1f0", ""),
    ]
    p2p = "7a6b5c4d3e2f41308f9e8d7c6b5a4939"
    sock.sendall(sip_request("INVITE", BOB, 1, "", p2p).replace(b"Content-Type: application/cccp+xml\r\n", b""))
    read_message(conn)
    status = None
    for cseq, (method, uri, call_id, body) in enumerate(steps, 2):
        msg = sip_request(method, uri, cseq, body, call_id)
        if method == "SUBSCRIBE":
            msg = msg.replace(b"Content-Type: application/cccp+xml\r\n",
                              b"Event: conference\r\nAccept: application/conference-info+xml\r\n")
        elif not body:
            msg = msg.replace(b"Content-Type: application/cccp+xml\r\n", b"")
        sock.sendall(msg)
        head, _ = read_message(conn)
        status = int(head.split()[1])
    if status == 200:  # the IM MCU took the client: bring Bob in, drop the two-party dialog
        invite = (f'<Conferencing version="2.0"><focus-uri>{FOCUS}</focus-uri><subject></subject>'
                  '<im available="true"><first-im/></im></Conferencing>')
        msg = sip_request("INVITE", BOB, 10, invite, "3b4c5d6e7f8041929a8b7c6d5e4f3a2b")
        sock.sendall(msg.replace(b"application/cccp+xml", b"application/ms-conf-invite+xml"))
        read_message(conn)
        sock.sendall(sip_request("BYE", BOB, 2, "", p2p).replace(b"Content-Type: application/cccp+xml\r\n", b""))
        read_message(conn)
    sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["fe1", "fe2", "post", "client"])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--keylog")
    ap.add_argument("--server", default="10.137.2.12")
    args = ap.parse_args()
    {"fe1": fe1, "fe2": fe2, "post": lambda a: post_health(a.keylog), "client": client}[args.role](args)


if __name__ == "__main__":
    sys.exit(main())
