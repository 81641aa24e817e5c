/* lbdsr_track.h — direct server return (DSR) seen on the wire.
 *
 * Plain C + GLib (no epan): the glue feeds it one TCP header per frame with
 * the frame's Ethernet addresses on the first pass, tells it each frame's TTL
 * or hop limit on every pass that has one, and queries verdicts by frame.
 *
 * A DSR balancer (Kemp "direct server return", F5 "nPath") forwards the
 * client's SYN at layer 2: it rewrites only the destination MAC to a pool
 * member's, which owns the VIP on its loopback and answers from the VIP
 * straight to the client. Skype for Business does not support it for its
 * pools. Where the capture point shares the segment, one TCP handshake shows
 * it by its Ethernet addresses:
 *   caller view (the client, the segment): the client's SYN to the VIP goes to
 *     MAC B, the VIP's SYN-ACK (ack = the SYN's ISN + 1) comes from MAC M != B,
 *     and B never sends as the VIP in the capture; on the segment the
 *     balancer's forward of the same SYN (from B to M, addresses, ports and
 *     ISN unchanged) is seen too;
 *   member view (the member): the SYN reaches it from MAC B, and its SYN-ACK
 *     goes to another MAC (the client's own) than the one that delivered it.
 * Several member MACs under one VIP make it a pool.
 *
 * What looks alike and is not DSR:
 *   - a router: one MAC for every remote address; the SYN-ACK comes from the
 *     MAC the SYN went to (several addresses behind one MAC are normal; DSR
 *     is one address, the VIP, answering from a MAC it was not called at);
 *   - asymmetric routing (SYN out through one router, answer back through
 *     another): the packet that crossed from the other MAC was routed, so its
 *     TTL or hop limit is below the initial values stacks use (32, 64, 128,
 *     255); such a connection is "routed" and never shown;
 *   - first-hop redundancy (VRRP, HSRP, GLBP, CARP): a gateway's virtual MAC
 *     receives and its physical MAC may answer: connections whose MACs are
 *     such virtual MACs are ignored;
 *   - a host reached directly: a handshake answered from the MAC the SYN
 *     went to, back to the MAC that sent it, shows that MAC holds the
 *     address; its answers to SYNs sent elsewhere (a corrupted or misdirected
 *     frame) are not DSR, before or after;
 *   - failover of an address to another host (gratuitous ARP): each
 *     connection is answered from the MAC it was sent to; and when the MAC
 *     the SYN went to sends as the VIP anywhere in the capture, the VIP is
 *     withdrawn (that MAC owns the address).
 *
 * Memory is bounded: unanswered SYNs live in a table of at most max_pending
 * entries (older than the window forgotten first), the MACs each address was
 * sent from (and answered directly from) in tables of at most max_addresses,
 * connections up to max_conns.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBDSR_TRACK_H
#define LBDSR_TRACK_H

#include <glib.h>

#include "frame_time.h"
#include "host_addr.h"
#include "tcp_flags.h"

G_BEGIN_DECLS

typedef struct {
    guint8 bytes[6];
} lbdsr_mac_t;

/* One TCP header of a frame with Ethernet addresses (first pass only). */
typedef struct {
    guint32 frame;
    nstime_t ts;             /* frame time (frame_time.h) */
    host_addr_t src, dst;
    guint16 src_port, dst_port;
    guint8 flags;
    guint32 seq, ack;
    lbdsr_mac_t src_mac, dst_mac;
} lbdsr_segment_t;

typedef enum {
    LBDSR_ROLE_SYN = 1,     /* the client's SYN to the VIP, at the balancer's MAC (or from it, on the member) */
    LBDSR_ROLE_FORWARD = 2, /* the balancer's layer-2 forward of that SYN to a member */
    LBDSR_ROLE_ANSWER = 3,  /* the VIP's SYN-ACK from the member's MAC */
} lbdsr_role_t;

typedef enum {
    LBDSR_VIEW_CALLER = 1, /* the answer left from another MAC than the one the SYN went to */
    LBDSR_VIEW_MEMBER = 2, /* the answer went to another MAC than the one that delivered the SYN */
} lbdsr_view_t;

/* A VIP:port answered by direct server return. */
typedef struct {
    guint id;                  /* 1-based */
    host_addr_t vip;
    guint16 port;
    gboolean withdrawn;        /* a balancer MAC sent as the VIP: it owns the address, no DSR */
} lbdsr_vip_t;

/* One connection (client, port, VIP, ISN) answered by DSR. */
typedef struct {
    guint id;                  /* 1-based */
    const lbdsr_vip_t *vip;
    lbdsr_view_t view;
    host_addr_t client;
    guint16 client_port;
    guint32 isn;
    lbdsr_mac_t balancer_mac;  /* caller view: the SYN's destination; member view: its source */
    lbdsr_mac_t member_mac;    /* the SYN-ACK's source */
    lbdsr_mac_t client_mac;    /* member view: the SYN-ACK's destination */
    guint32 syn_frame, forward_frame, answer_frame; /* forward_frame 0 when not captured */
    guint8 syn_ttl, answer_ttl; /* TTL or hop limit; 0 while unknown */
    gboolean withdrawn;        /* the client later sent on it to the member's MAC: no balancer in between */
} lbdsr_conn_t;

typedef struct {
    const lbdsr_conn_t *conn;
    lbdsr_role_t role;
} lbdsr_verdict_t;

/* Self-selection (hairpin) on a balancer without SNAT: a caller's SYN to a
 * VIP, then the same SYN (caller, port, ISN) arriving with the caller as
 * source AND destination from another MAC (the balancer's): the balancer
 * picked the caller itself as the member and rewrote only the destination.
 * The caller's stack drops a packet from its own address (a martian), so
 * the connection is never answered. Seen on the caller or the segment. */
typedef struct {
    guint id;                  /* 1-based */
    host_addr_t caller, vip;
    guint16 caller_port, vip_port;
    guint32 isn;
    lbdsr_mac_t balancer_mac;  /* source of the returned SYN */
    guint32 syn_frame;         /* the caller's first SYN to the VIP */
    guint32 first_return_frame;
    guint returns;             /* returned SYNs (one per transmission) */
} lbdsr_hairpin_t;

typedef struct {
    guint max_pending;         /* unanswered SYNs kept */
    guint max_addresses;       /* addresses whose sending MACs are kept */
    guint max_conns;           /* connections kept */
    nstime_t window;           /* a SYN waits this long for its SYN-ACK */
} lbdsr_config_t;

typedef struct lbdsr_tracker lbdsr_tracker_t;

void lbdsr_config_default(lbdsr_config_t *config);
lbdsr_tracker_t *lbdsr_tracker_new(const lbdsr_config_t *config);
void lbdsr_tracker_free(lbdsr_tracker_t *t);

/* First pass, frames in capture order. */
void lbdsr_tracker_feed(lbdsr_tracker_t *t, const lbdsr_segment_t *seg);

/* The TTL or hop limit of `frame`'s IP header, on any pass where it is known:
 * kept on the connection whose SYN or SYN-ACK the frame is (or its waiting SYN). */
void lbdsr_tracker_note_ttl(lbdsr_tracker_t *t, guint32 frame, guint8 ttl);

/* The verdict for a frame, or NULL. */
const lbdsr_verdict_t *lbdsr_tracker_verdict(const lbdsr_tracker_t *t, guint32 frame);

/* The connection's crossing packet (caller view: the SYN-ACK; member view:
 * the SYN) was routed: its TTL is known and below an initial value. Such a
 * connection is asymmetric routing, not DSR: never shown. */
gboolean lbdsr_conn_routed(const lbdsr_conn_t *c);

/* A TTL or hop limit a stack starts with (32, 64, 128, 255). */
gboolean lbdsr_ttl_is_initial(guint8 ttl);

/* A MAC of first-hop redundancy (VRRP, CARP, HSRP v1/v2, GLBP): a gateway's shared address. */
gboolean lbdsr_mac_is_virtual_router(const lbdsr_mac_t *mac);

/* The hairpin a frame belongs to (the caller's SYN to the VIP, its
 * retransmissions, the returned SYNs), or NULL; *returned: it is a returned SYN. */
const lbdsr_hairpin_t *lbdsr_tracker_hairpin(const lbdsr_tracker_t *t, guint32 frame, gboolean *returned);
guint lbdsr_tracker_hairpin_count(const lbdsr_tracker_t *t);

guint lbdsr_tracker_conn_count(const lbdsr_tracker_t *t);
const lbdsr_conn_t *lbdsr_tracker_conn(const lbdsr_tracker_t *t, guint id);

typedef struct {
    guint pending;
    guint addresses;
    guint conns;
    guint64 pending_dropped;   /* SYNs not kept: the table was full of live entries */
    guint64 addresses_dropped;
    guint64 conns_not_kept;
} lbdsr_counters_t;
void lbdsr_tracker_counters(const lbdsr_tracker_t *t, lbdsr_counters_t *out);

/* "02:00:0a:89:07:0d" (a buffer of at least 18 bytes; empty in a smaller one). */
char *lbdsr_mac_to_str(const lbdsr_mac_t *m, char *buf, gsize size);

G_END_DECLS

#endif
