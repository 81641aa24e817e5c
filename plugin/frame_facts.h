/* frame_facts.h — what the analyses know of a frame's TCP headers: TCP's own
 * tap records of the frame, collected once per frame by the dispatcher
 * (dispatch.c) and handed to each analysis.
 *
 * TCP queues one record (struct tcpheader) per header it dissects, real or
 * quoted in an ICMP error, whatever table or Lua script routed the packet to
 * it; Decode As, Lua and other plugins cannot take that away, and nothing of
 * the plugin sits in a dissector table. A permanent tap listener flagged
 * TL_IS_DISSECTOR_HELPER keeps Wireshark queueing the records without making
 * tshark dissect (or build a tree) for it; the postdissector reads the records
 * of the frame being dissected with fetch_tapped_data(). Where Wireshark
 * queues no records (tshark -2's first pass), the same header is read from
 * the frame's bytes (frame_facts.c explains how and why).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_FRAME_FACTS_H
#define MCUDIAG_FRAME_FACTS_H

#include <wireshark.h>
#include <epan/packet.h>

#define FRAME_TCP_FIN 0x01
#define FRAME_TCP_SYN 0x02
#define FRAME_TCP_RST 0x04
#define FRAME_TCP_ACK 0x10

typedef struct {
    address src, dst;           /* of the IP header around this TCP header (packet lifetime) */
    guint16 src_port, dst_port;
    guint32 seq, ack;           /* raw */
    guint8 flags;               /* FIN SYN RST PSH ACK URG ECE CWR */
    guint32 payload_len;        /* bytes of payload; 0 when TCP could not tell */
    guint8 header_len;          /* bytes of TCP header, options included */
    gboolean quoted_in_icmp;    /* quoted by an ICMP or ICMPv6 error */
    address error_sender;       /* when quoted: the source of that error */
} frame_tcp_t;

typedef struct {
    guint n_tcp;                /* TCP headers TCP dissected in the frame, quoted ones included; 0: none */
    gboolean has_sip;           /* SIP dissected a message in the frame */
    frame_tcp_t innermost;      /* the last TCP header, when n_tcp */
} frame_facts_t;

/* Registers the permanent "tcp" tap listener and looks up the protocols the
 * facts are read from. Called from handoffs; only the first call does it. */
void frame_facts_register(void);

/* Fills `facts` with what the frame's layers and TCP headers say. `frame` is
 * the frame's tvb (a postdissector's). */
void frame_facts_collect(tvbuff_t *frame, packet_info *pinfo, frame_facts_t *facts);

/* The payload of a TCP header of this frame (found in the frame's bytes by
 * its ports, sequence and acknowledgement numbers), or NULL. */
tvbuff_t *frame_tcp_payload(tvbuff_t *frame, const frame_tcp_t *tcp);

#endif
