/* frame_facts.h — what the analyses know of a frame's TCP headers: TCP's own
 * tap records of the frame, collected on the first request in each
 * dissection of the frame (whichever analysis asks first) and kept for the
 * others.
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
#include <epan/dissectors/packet-tcp.h>

typedef struct {
    address src, dst;           /* of the IP header around this TCP header (packet lifetime) */
    guint16 src_port, dst_port;
    guint32 seq, ack;           /* raw */
    guint8 flags;               /* TH_FIN ... TH_CWR (epan/dissectors/packet-tcp.h) */
    guint32 payload_len;        /* bytes of payload; 0 when TCP could not tell */
    guint8 header_len;          /* bytes of TCP header, options included */
    guint8 ttl;                 /* TTL or hop limit of that IP header; 0 when unknown or quoted */
    gboolean quoted_in_icmp;    /* quoted by an ICMP or ICMPv6 error */
    address error_sender;       /* when quoted: the source of that error */
} frame_tcp_t;

typedef struct {
    guint n_tcp;                /* TCP headers TCP dissected in the frame, quoted ones included; 0: none */
    gboolean has_sip;           /* SIP dissected a message in the frame */
    frame_tcp_t innermost;      /* the last TCP header, when n_tcp */
} frame_facts_t;

/* Registers the protocol the facts are kept under (per frame). */
void proto_register_frame_facts(void);

/* Registers the permanent "tcp" tap listener and looks up the protocols the
 * facts are read from. A handoff; calling it again does nothing. */
void frame_facts_register(void);

/* The frame's facts, collected on the first call in this dissection of the
 * frame and kept in pinfo->pool for the next callers. `frame` is the frame's
 * tvb (a postdissector's). */
const frame_facts_t *frame_facts_of(tvbuff_t *frame, packet_info *pinfo);

/* Fills `facts` with what the frame's layers and TCP headers say, without
 * keeping them (frame_facts_of keeps them). */
void frame_facts_collect(tvbuff_t *frame, packet_info *pinfo, frame_facts_t *facts);

/* The payload of a TCP header of this frame (found in the frame's bytes by
 * its ports, sequence and acknowledgement numbers), or NULL. */
tvbuff_t *frame_tcp_payload(tvbuff_t *frame, const frame_tcp_t *tcp);

#endif
