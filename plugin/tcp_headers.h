/* tcp_headers.h — what lbsnat and c3pconn know of a frame's TCP headers,
 * collected while TCP dissects them, with no protocol tree.
 *
 * Asking Wireshark for other protocols' fields (set_postdissector_wanted_hfids)
 * makes tshark build a protocol tree for every frame, which costs a summary or
 * -z run a third of its time. Instead, the plugin puts a pass-through entry in
 * front of TCP, ICMP and ICMPv6 in the "ip.proto" table (IPv4 and IPv6 both
 * dispatch through it, ICMP errors' quoted datagrams too). Each entry notes
 * the header it is handed, on the first pass only, and calls the dissector
 * that was registered there before.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_TCP_HEADERS_H
#define MCUDIAG_TCP_HEADERS_H

#include <wireshark.h>
#include <epan/packet.h>

typedef struct {
    address src, dst;           /* of the IP header around this TCP header (packet lifetime) */
    guint16 src_port, dst_port;
    guint32 seq, ack;           /* raw; ack is 0 when not captured */
    guint8 flags;               /* FIN SYN RST PSH ACK URG ECE CWR; 0 when not captured */
    gboolean quoted_in_icmp;    /* quoted by an ICMP or ICMPv6 error */
    address error_sender;       /* when quoted: the source of that error */
    gboolean tls_application_data; /* the payload starts with a TLS application-data record */
} tcp_header_t;

typedef struct {
    guint n_tcp_headers;        /* TCP headers in the frame, quoted ones included */
    gboolean has_icmp;          /* an ICMP or ICMPv6 header */
    address icmp_sender;        /* the source of the last one */
    tcp_header_t last;          /* the last TCP header: the innermost */
} tcp_headers_t;

/* Chains the pass-through entries, once, and notes that `reader` reads the
 * record: it is kept only while a reader is enabled. Call from the reader's
 * handoff (after the built-in dissectors registered theirs). */
void tcp_headers_chain(int reader);

/* This frame's TCP headers, on the first pass; NULL when it has none. */
const tcp_headers_t *tcp_headers_of_frame(packet_info *pinfo);

/* tcp.stream of a TCP header that is not quoted in an ICMP error; FALSE when
 * TCP keeps no conversation for it. */
gboolean tcp_headers_stream(packet_info *pinfo, const tcp_header_t *h, guint32 *stream);

#endif
