#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""c3p_peers.py server|client ...

Real sockets exchanging C3P (CCCP) the way OCS/Lync components do, for the
capture lab (make-c3p-captures.sh): SIP over TCP and TLS between a client and
the Focus Factory / Focus, and HTTP over TLS on 444 between Focus, MCU Factory
and MCUs. Message bodies follow the grammar in ../shared/research/c3p-protocol.md
(MS-CONFPRO / MS-CONFBAS examples and the sipe templates). The MCU -> MCU
Factory body is NOT public: the lab sends a clearly invented element
(<labHealthReport>) so the dissector's generic decoding can be tested; nothing
about the real format is implied.

The server answers every request with a C3P response (requestId copied, from
and to swapped) except:
  - modifyConferenceLock and getConferencingCapabilities fail (code="failure",
    reason="otherFailure", the reason MS-CONFPRO 2.2.3.8 documents);
  - deleteUser (SIP) and any HTTP request with "X-Lab-No-Answer: 1" get no
    answer at all;
  - a body that is not XML gets a SIP 400 / HTTP 400 with no body.
"""
import argparse
import re
import socket
import ssl
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree

CCCP = "urn:ietf:params:xml:ns:cccp"
MSCP = "http://schemas.microsoft.com/rtc/2005/08/cccpextensions"
MSCI = "http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"
CI = "urn:ietf:params:xml:ns:conference-info"
USER = "sip:alice@contoso.com"
FOCUS_FACTORY = USER + ";gruu;opaque=app:conf:focusfactory"
FOCUS = USER + ";gruu;opaque=app:conf:focus:id:TDVDW046"
AV_MCU = USER + ";gruu;opaque=app:conf:audio-video:id:TDVDW046"
CHAT_MCU = USER + ";gruu;opaque=app:conf:chat:id:TDVDW046"
FAILING = ("modifyConferenceLock", "getConferencingCapabilities")


def request_body(request_id, to, sender, command_xml):
    return (f'<?xml version="1.0"?>\r\n<request xmlns="{CCCP}" xmlns:mscp="{MSCP}" xmlns:msci="{MSCI}" '
            f'C3PVersion="1" to="{to}" from="{sender}" requestId="{request_id}">{command_xml}</request>')


def response_body(request_xml):
    """The C3P response to a request body, or None when the body is not a request."""
    try:
        ElementTree.fromstring(request_xml)
    except ElementTree.ParseError:
        return None
    m = re.search(r'<request\b([^>]*)>\s*<([\w:-]+)', request_xml)
    if not m:
        return None
    attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
    command = m.group(2).split(":")[-1]
    if command in FAILING:
        code, inner = "failure", f'<{command} reason="otherFailure"/>'
    elif command == "addConference":
        code, inner = "success", f'<addConference><conference-info xmlns="{CI}" entity="{FOCUS}"/></addConference>'
    elif command == "getAvailableMcuTypes":
        code, inner = "success", ("<getAvailableMcuTypes><mcu-types><mcuType>audio-video</mcuType><mcuType>chat</mcuType>"
                                  "<mcuType>meeting</mcuType><mcuType>phone-conf</mcuType></mcu-types></getAvailableMcuTypes>")
    elif command == "addUser":
        code, inner = "success", (f'<addUser><conferenceKeys confEntity="{FOCUS}"/><user xmlns="{CI}" entity="{USER}">'
                                  '<roles><entry>attendee</entry></roles></user></addUser>')
    else:
        code, inner = "success", f"<{command}/>"
    return (f'<?xml version="1.0"?>\r\n<response xmlns="{CCCP}" xmlns:msci="{MSCI}" C3PVersion="1" '
            f'requestId="{attrs.get("requestId", "")}" from="{attrs.get("to", "")}" to="{attrs.get("from", "")}" '
            f'code="{code}">{inner}</response>')


def read_message(conn):
    """One SIP or HTTP message (start line, headers, Content-Length body) or None at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    # Pipelined requests: keep what belongs to the next message.
    conn.pending = body[length:]
    return head.decode(), body[:length].decode(errors="replace")


class BufferedConn:
    """recv() that first returns bytes read past the previous message."""

    def __init__(self, sock):
        self.sock, self.pending = sock, b""

    def recv(self, n):
        if self.pending:
            data, self.pending = self.pending, b""
            return data
        return self.sock.recv(n)

    def sendall(self, data):
        self.sock.sendall(data)


def messages(sock):
    """Each SIP or HTTP message of a connection, with the connection to answer on."""
    conn = BufferedConn(sock)
    while True:
        msg = read_message(conn)
        if not msg:
            return
        yield conn, msg[0], msg[1]


def sip_reply_headers(head):
    """What a SIP response copies from its request: Via, From, To (given a tag), Call-ID, CSeq."""
    lines = head.split("\r\n")[1:]
    copied = [l for l in lines if l.split(":")[0].lower() in ("via", "from", "to", "call-id", "cseq")]
    return "\r\n".join(l + (";tag=3C150080" if l.lower().startswith("to:") and "tag=" not in l else "")
                        for l in copied)


def serve_sip(sock):
    for conn, head, body in messages(sock):
        common = sip_reply_headers(head)
        if "<deleteUser" in body:
            continue  # never answered
        reply = response_body(body)
        if reply is None:
            conn.sendall(f"SIP/2.0 400 Bad Request\r\n{common}\r\nContent-Length: 0\r\n\r\n".encode())
            continue
        conn.sendall((f"SIP/2.0 200 OK\r\n{common}\r\nContent-Type: application/cccp+xml\r\n"
                      f"Content-Length: {len(reply.encode())}\r\n\r\n{reply}").encode())


def serve_http(sock):
    for conn, head, body in messages(sock):
        if re.search(r"(?im)^x-lab-no-answer:\s*1", head):
            time.sleep(1.5)
            return
        reply = response_body(body)
        if reply is None:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            continue
        conn.sendall(("HTTP/1.1 200 OK\r\nContent-Type: application/cccp+xml\r\n"
                      f"Content-Length: {len(reply.encode())}\r\n\r\n{reply}").encode())


def listen(port, handler, context=None):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(16)

    def loop():
        while True:
            conn, _ = srv.accept()
            if context:
                try:
                    conn = context.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    conn.close()
                    continue

            def run(c=conn):
                try:
                    handler(c)
                except OSError:
                    pass
                finally:
                    c.close()
            threading.Thread(target=run, daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def server(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    listen(5060, serve_sip)
    listen(5061, serve_sip, ctx)
    listen(444, serve_http, ctx)
    print("listening", flush=True)
    while True:
        time.sleep(3600)


# ---- client side ----------------------------------------------------------------

def sip_request(method, uri, cseq, body, call_id):
    return (f"{method} {uri} SIP/2.0\r\nVia: SIP/2.0/TCP 10.137.5.10:5060;branch=z9hG4bK{cseq}{call_id[:6]}\r\n"
            f"Max-Forwards: 70\r\nFrom: <{USER}>;tag=58b76ebb1c;epid=bd4bd366c2\r\nTo: <{uri}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nContact: <sip:alice@10.137.5.10:5060;transport=tcp>\r\n"
            f"User-Agent: mcudiag-lab\r\nContent-Type: application/cccp+xml\r\n"
            f"Content-Length: {len(body.encode())}\r\n\r\n{body}").encode()


def sip_client(sock):
    """Conference creation and join as an OC client does it, plus the lab's faults."""
    conn = BufferedConn(sock)
    exchanges = [
        ("SERVICE", FOCUS_FACTORY, "65a46bb0b6604f4b8bc3f47b3f225c46", 7, "<getAvailableMcuTypes/>"),
        ("SERVICE", FOCUS_FACTORY, "5a27d6b1a82f4668be39db975d6fe184", 8,
         f'<addConference><ci:conference-info xmlns:ci="{CI}" entity="" msci:conference-id="TDVDW046">'
         '<msci:conference-view><msci:entity-view entity="chat"/><msci:entity-view entity="audio-video"/>'
         '</msci:conference-view></ci:conference-info></addConference>'),
        ("INVITE", FOCUS, "a521cfd600db43d48e2747bd75e7bbae", 355465752,
         f'<addUser><conferenceKeys confEntity="{FOCUS}"/><ci:user xmlns:ci="{CI}" entity="{USER}"><ci:roles>'
         '<ci:entry>attendee</ci:entry></ci:roles><ci:endpoint entity="{6E9B7B4E-52F8-4F7A-8E93-0C0D1C2B3A41}"/>'
         '</ci:user></addUser>'),
        ("INFO", FOCUS, "a521cfd600db43d48e2747bd75e7bbae", 355465753,
         '<modifyConferenceLock><conferenceKeys confEntity="' + FOCUS + '"/><locked>true</locked></modifyConferenceLock>'),
        ("INFO", FOCUS, "a521cfd600db43d48e2747bd75e7bbae", 355465754,
         f'<modifyEndpointMedia mscp:mcuUri="{AV_MCU}"><mediaKeys confEntity="{FOCUS}" userEntity="{USER}" '
         'endpointEntity="{6E9B7B4E-52F8-4F7A-8E93-0C0D1C2B3A41}" mediaId="1"/><ci:media xmlns:ci="' + CI +
         '" id="1"><ci:type>audio</ci:type><ci:status>sendrecv</ci:status></ci:media></modifyEndpointMedia>'),
    ]
    cseq = 1
    for method, uri, call_id, request_id, command in exchanges:
        sock.sendall(sip_request(method, uri, cseq, request_body(request_id, uri, USER, command), call_id))
        read_message(conn)
        cseq += 1
    # A join body split across TCP segments.
    body = request_body(355465755, FOCUS, USER,
                        f'<addUser><conferenceKeys confEntity="{FOCUS}"/><ci:user xmlns:ci="{CI}" entity="{USER}">'
                        '<ci:roles><ci:entry>presenter</ci:entry></ci:roles></ci:user></addUser>')
    msg = sip_request("INFO", FOCUS, cseq, body, "a521cfd600db43d48e2747bd75e7bbae")
    cut = len(msg) - len(body.encode()) // 2
    sock.sendall(msg[:cut])
    time.sleep(0.2)
    sock.sendall(msg[cut:])
    read_message(conn)
    cseq += 1
    # Malformed XML: a body cut short inside the command.
    broken = request_body(355465756, FOCUS, USER, '<modifyUserRoles><userKeys confEntity="')[:-10]
    sock.sendall(sip_request("INFO", FOCUS, cseq, broken, "a521cfd600db43d48e2747bd75e7bbae"))
    read_message(conn)
    cseq += 1
    # Never answered.
    sock.sendall(sip_request("INFO", FOCUS, cseq, request_body(
        355465757, FOCUS, USER, f'<deleteUser><userKeys confEntity="{FOCUS}" userEntity="{USER}"/></deleteUser>'),
        "a521cfd600db43d48e2747bd75e7bbae"))
    time.sleep(0.5)


def http_request(path, body, extra=""):
    return (f"POST {path} HTTP/1.1\r\nHost: pool01.contoso.com:444\r\nContent-Type: application/cccp+xml\r\n"
            f"{extra}Content-Length: {len(body.encode())}\r\n\r\n{body}").encode()


def https_client(sock):
    """Focus -> MCU (dial-out addUser, modifyConference), Focus -> MCU Factory, MCU -> MCU Factory."""
    conn = BufferedConn(sock)
    focus_uri = "sip:pool01.contoso.com@contoso.com;gruu;opaque=srvr:focus"
    sock.sendall(http_request("/LiveServer/IMMCU/", request_body(
        9001, CHAT_MCU, focus_uri,
        f'<addUser mscp:mcuUri="{CHAT_MCU}"><conferenceKeys confEntity="{FOCUS}"/><ci:user xmlns:ci="{CI}" '
        f'entity="sip:bob@contoso.com"><ci:roles><ci:entry>attendee</ci:entry></ci:roles>'
        '<ci:endpoint entity="{0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0}"><ci:joining-method>dialed-out</ci:joining-method>'
        '</ci:endpoint></ci:user></addUser>')))
    read_message(conn)
    # Two requests pipelined on one connection before either answer is read.
    first = http_request("/LiveServer/Focus/", request_body(9002, FOCUS, focus_uri, "<getConferencingCapabilities/>"))
    second = http_request("/LiveServer/Focus/", request_body(
        9003, FOCUS, focus_uri, f'<modifyConference mscp:mcuUri="{AV_MCU}"><conference-info xmlns="{CI}" '
        f'entity="{FOCUS}" state="partial"/></modifyConference>'))
    sock.sendall(first + second)
    read_message(conn)
    read_message(conn)
    # MCU -> MCU Factory: the real body is not public; this element is the lab's invention.
    sock.sendall(http_request("/LiveServer/MCUFactory/", request_body(
        9004, "sip:pool01.contoso.com@contoso.com;gruu;opaque=srvr:mcufactory", "sip:fe01.contoso.com@contoso.com",
        '<labHealthReport mcuType="chat" healthState="1"/>')))
    read_message(conn)
    # A request the far end never answers.
    sock.sendall(http_request("/LiveServer/MCUFactory/", request_body(
        9005, "sip:pool01.contoso.com@contoso.com;gruu;opaque=srvr:mcufactory", "sip:fe01.contoso.com@contoso.com",
        '<labHealthReport mcuType="chat" healthState="0"/>'), "X-Lab-No-Answer: 1\r\n"))
    try:
        read_message(conn)
    except OSError:
        pass


def client(args):
    tls_version = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
    sock = socket.create_connection((args.server, args.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ctx.maximum_version = tls_version[args.tls]
        ctx.keylog_filename = args.keylog
        sock = ctx.wrap_socket(sock)
    (https_client if args.port == 444 else sip_client)(sock)
    sock.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    c = sub.add_parser("client")
    c.add_argument("--server", required=True)
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--tls", choices=["1.2", "1.3"])
    c.add_argument("--keylog")
    args = ap.parse_args()
    (server if args.mode == "server" else client)(args)


if __name__ == "__main__":
    sys.exit(main())
