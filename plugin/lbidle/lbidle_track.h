/* lbidle_track.h — the load balancer's TCP idle timer, read from a capture.
 *
 * Plain C + GLib (no epan): the Wireshark glue feeds it one TCP header per
 * frame on the first pass and queries verdicts by frame number on every pass;
 * unit tests and fuzzers drive it directly.
 *
 * A balancer forgets a flow that carried no packet for its idle timeout
 * (Microsoft requires at least 1800 s for a Skype for Business pool; F5's
 * default is 300 s). What it then does with the connection shows on the wire:
 *   - reset on next packet: the first packet after the idle gap (from either
 *     end) draws an RST from the other end's address (the VIP, towards a client);
 *   - reset at expiry: an RST arrives after the idle gap, unprompted (the
 *     balancer resets both ends when the flow expires);
 *   - silent drop: the first packet after the gap is retransmitted, never
 *     answered (the sender gives up).
 * Any of these alone is also what a server or a client may do. The timer is
 * the signature: several connections to one service (address:port) cut after
 * an idle gap, while every gap other connections survived is shorter. The
 * timeout then lies between the longest gap survived (lower bound) and the
 * shortest gap that cut (upper bound). Nothing here assumes a timer value:
 * gaps are whatever the capture holds (seconds in the lab, 300 s or 1800 s in
 * the field).
 *
 * Not cuts: a FIN after the gap (a server or client closing an idle
 * connection itself ends it normally), packets answered after the gap (a TCP
 * keep-alive and its ACK are a survived gap), and pauses shorter than
 * LBIDLE_SHORTEST_IDLE.
 *
 * Memory is bounded: at most max_connections connections are followed (the
 * least recently active is forgotten first), max_services services and
 * max_cuts cuts are kept, and the first frames of at most max_connections
 * connections, by which reports of parts of a capture set count each
 * connection once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBIDLE_TRACK_H
#define LBIDLE_TRACK_H

#include <glib.h>

#include "lbsnat/lbsnat_track.h"
#include "message_copies.h"

G_BEGIN_DECLS

/* A pause shorter than this is no idle gap: delayed ACKs, retransmission
 * timers, an application's think time and its own quick closes live below it
 * (a public capture holds an app resetting its TLS connections 1.3 to 1.5 s
 * after their last data), and no balancer is set to forget flows that fast.
 * Not a guess at the timer itself, which may be anything above. */
#define LBIDLE_SHORTEST_IDLE ((nstime_t)NSTIME_INIT_SECS(2))

/* A retransmission run counts as dead from its second unanswered copy. */
#define LBIDLE_DEAD_RUN_RETRANSMISSIONS 2

/* One TCP header as the glue saw it (the frame's innermost, not quoted in an ICMP error). */
typedef struct {
    guint32 frame;     /* frame number, > 0 */
    nstime_t ts;     /* frame time (frame_time.h) */
    host_addr_t src, dst;
    guint16 src_port, dst_port;
    guint32 seq, ack;  /* raw */
    guint8 flags;      /* TCP_FLAG_* bits (tcp_flags.h) */
    guint32 payload_len;
} lbidle_segment_t;

typedef enum {
    LBIDLE_BEHAVIOUR_RESET_NEXT = 1,      /* the first packet after the gap drew an RST */
    LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY = 2, /* an RST came after the gap, unprompted */
    LBIDLE_BEHAVIOUR_SILENT_DROP = 3,     /* the first packet after the gap was never answered */
} lbidle_behaviour_t;

/* What a frame is to a cut connection. */
typedef enum {
    LBIDLE_ROLE_NONE = 0,
    LBIDLE_ROLE_RESUME = 1,         /* first packet after the idle gap */
    LBIDLE_ROLE_RESET = 2,          /* the RST that cut the connection */
    LBIDLE_ROLE_RETRANSMISSION = 3, /* the first packet after the gap, sent again, unanswered */
} lbidle_role_t;

typedef enum {
    LBIDLE_CONFIDENCE_LOW = 1,
    LBIDLE_CONFIDENCE_MEDIUM = 2,
    LBIDLE_CONFIDENCE_HIGH = 3,
} lbidle_confidence_t;

typedef struct lbidle_service lbidle_service_t;

/* A connection cut after an idle gap. Owned by the tracker until reset. */
typedef struct {
    guint32 id;                 /* 1, 2, ... in order of detection */
    const lbidle_service_t *service;
    host_addr_t client;       /* the end that opened the connection (SYN), else the higher port */
    guint16 client_port;
    lbidle_behaviour_t behaviour;
    nstime_t idle_gap;          /* silence before the cut (before the resuming packet, or the unprompted RST) */
    guint32 before_gap_frame;   /* last packet before the silence */
    guint32 resume_frame;       /* first packet after it (0: none, the RST came unprompted) */
    gboolean resumed_by_client;
    guint32 reset_frame;        /* 0 for a silent drop */
    gboolean reset_to_server;   /* the RST went to the service's end (from the client's address) */
    guint retransmissions;      /* silent drop: copies of the resuming packet */
    guint32 last_retransmission_frame;
    guint32 detected_frame;     /* the frame that made it a cut: the RST, or the dead run's second copy */
    /* Both ends were reset at once: another cut's RST, the other way, within
     * the copy window (a balancer resetting both ends at expiry). */
    gboolean paired;
    /* Later frames answered the "dropped" packet: no cut after all. */
    gboolean withdrawn;
} lbidle_cut_t;

/* What the capture says of one service's idle timer. */
typedef struct {
    gboolean found;             /* at least two cuts agree with every survived gap */
    nstime_t lower_bound;       /* the longest gap a connection to it survived */
    guint32 lower_bound_frame;  /* the packet that ended that gap */
    nstime_t upper_bound;       /* the shortest gap that cut a connection */
    guint32 upper_bound_cut;    /* id of that cut */
    guint cuts;                 /* cuts (not withdrawn) */
    guint connections;          /* connections to the service followed */
    lbidle_behaviour_t behaviour; /* what most cuts show */
    lbidle_confidence_t confidence;
} lbidle_timer_t;

/* A frame's verdict. */
typedef struct {
    const lbidle_cut_t *cut;
    lbidle_role_t role;
} lbidle_verdict_t;

typedef struct {
    guint max_connections; /* connections followed at once */
    guint max_services;    /* services (address:port) kept */
    guint max_cuts;        /* cuts kept */
    /* The capture is a part of a capture set whose own packets start at
     * this frame, the frames before it re-reading the end of the part before
     * (mcudiag-batch's overlap); 0 when it is no such part. Then the tracker
     * also keeps what joins an idle gap across the boundary (tails and
     * heads, below). */
    guint32 stitch_from_frame;
} lbidle_config_t;

#define LBIDLE_DEFAULT_MAX_CONNECTIONS 200000
#define LBIDLE_DEFAULT_MAX_SERVICES 10000
#define LBIDLE_DEFAULT_MAX_CUTS 100000

/* Ended connections (FIN or RST seen) stay known this long, counted in
 * connections: their last segments (the other end's FIN, the last ACKs) and a
 * new SYN on the same ports find them, and a few seconds of a busy pool's
 * closings fit. Kept as long as live ones, they filled the table (and a
 * tenth of tshark's memory on a busy capture) with connections that can
 * show no more gaps. */
#define LBIDLE_ENDED_KEPT 16384

typedef struct {
    guint64 segments;
    guint connections;          /* followed now */
    guint peak_connections;
    guint64 evicted_connections; /* forgotten because the table was full */
    guint services;
    guint64 services_not_kept;
    guint cuts;
    guint64 cuts_not_kept;
    guint bytes_per_connection; /* what following one connection costs */
} lbidle_counters_t;

typedef struct lbidle_tracker lbidle_tracker_t;

lbidle_tracker_t *lbidle_tracker_new(const lbidle_config_t *config);
/* Forget everything (new capture file); keep the configuration. */
void lbidle_tracker_reset(lbidle_tracker_t *t);
/* Replace the configuration; implies a reset. */
void lbidle_tracker_configure(lbidle_tracker_t *t, const lbidle_config_t *config);
void lbidle_tracker_free(lbidle_tracker_t *t);

/* Feed one header, in frame order, first pass only. */
void lbidle_tracker_feed(lbidle_tracker_t *t, const lbidle_segment_t *seg);

/* The verdict of a frame, or NULL. */
const lbidle_verdict_t *lbidle_tracker_verdict(const lbidle_tracker_t *t, guint32 frame);

guint lbidle_tracker_service_count(const lbidle_tracker_t *t);
/* Service at a position (0-based, in order of first connection); NULL if out of range. */
const lbidle_service_t *lbidle_tracker_service(const lbidle_tracker_t *t, guint position);
/* The service's address and port. */
const host_addr_t *lbidle_service_addr(const lbidle_service_t *s, guint16 *port);
/* The service's cuts, in order of detection (withdrawn ones included). */
guint lbidle_service_cut_count(const lbidle_service_t *s);
const lbidle_cut_t *lbidle_service_cut(const lbidle_service_t *s, guint position);
/* The service a frame opened a connection to (the connection's first
 * frame; the first max_connections of the file), or NULL. */
const lbidle_service_t *lbidle_tracker_opened(const lbidle_tracker_t *t, guint32 frame);
/* The service whose longest survived gap a frame's answer set, or NULL:
 * where the report hears of a timer's lower bound. */
const lbidle_service_t *lbidle_tracker_survival(const lbidle_tracker_t *t, guint32 frame);
/* What the capture (so far) says of the service's idle timer. */
void lbidle_service_timer(const lbidle_service_t *s, lbidle_timer_t *out);

void lbidle_tracker_counters(const lbidle_tracker_t *t, lbidle_counters_t *out);

/* Idle gaps across the boundary of two parts of a capture set. A part sees
 * the gap whole when the connection's last packet before it lies in the
 * context it re-reads; a longer gap is joined in the merge, from the tails
 * of the parts before (each live connection's last packet) and the heads of
 * the part after (a connection's first packets, seen without its past), by
 * feeding both to a tracker in frame order. Kept only with
 * stitch_from_frame set; tails only of the part's own frames (the context's
 * are the part before's). */

/* A live connection at the capture's end, last active in the part's own
 * frames (which part comes next, and how much later, is not known here):
 * its last packet. */
typedef struct {
    host_conn_t ends;  /* as this part's tracker keys it */
    nstime_t ts;
    guint32 frame;
} lbidle_tail_t;

/* The first segments of a connection first seen without its SYN (or whose
 * first segment ends it: an RST at expiry), up to the other end's reaction:
 * what decides the cut or survival after a gap (an answer, an RST, a dead
 * run of retransmissions). In the context too: the next part's view of a
 * connection that resumed at the end of this one's own frames. */
#define LBIDLE_HEAD_SEGMENTS 6
/* Heads kept at most (each a few hundred bytes). */
#define LBIDLE_MAX_HEADS 32768

typedef struct {
    host_conn_t ends; /* as this part's tracker keys it (its connections count by this service) */
    guint n;
    lbidle_segment_t segments[LBIDLE_HEAD_SEGMENTS];
} lbidle_head_t;

/* The tails, most recently active first. */
void lbidle_tracker_for_each_tail(const lbidle_tracker_t *t, void (*fn)(const lbidle_tail_t *tail, gpointer data),
                                  gpointer data);
guint lbidle_tracker_head_count(const lbidle_tracker_t *t);
const lbidle_head_t *lbidle_tracker_head(const lbidle_tracker_t *t, guint position);
/* Whether the tracker keeps tails and heads (stitch_from_frame set). */
gboolean lbidle_tracker_stitching(const lbidle_tracker_t *t);

/* Evidence of reports of parts of a capture set, merged (-z mcudiag,merge)
 * into a tracker fed no segments: the service (made if new, NULL past
 * max_services); connections added and the longer survived gap kept; a copy
 * of a cut (its id and service set here; NULL past max_cuts). Frame numbers
 * are whatever the caller numbers frames by. */
lbidle_service_t *lbidle_tracker_restore_service(lbidle_tracker_t *t, const host_addr_t *addr, guint16 port);
void lbidle_service_restore(lbidle_service_t *s, guint connections, const nstime_t *survived, guint32 survived_frame);
lbidle_cut_t *lbidle_tracker_restore_cut(lbidle_tracker_t *t, lbidle_service_t *s, const lbidle_cut_t *cut);

const char *lbidle_behaviour_name(lbidle_behaviour_t b);
const char *lbidle_confidence_name(lbidle_confidence_t c);

G_END_DECLS

#endif
