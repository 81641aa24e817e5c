/* lbsnat_track.h — the missing-SNAT handshake tracker.
 *
 * Plain C + GLib (no epan): the Wireshark glue feeds it one TCP header per
 * frame on the first pass and queries verdicts by frame number on every pass;
 * unit tests and fuzzers drive it directly.
 *
 * The signature (see ../shared/research/missing-snat.md):
 *   1. SYN from client C:p to D:s (D is the VIP as far as the client knows);
 *   2. a SYN-ACK to C:p from R != D whose ACK number is the SYN's ISN + 1
 *      (rule "isn-match": a packet-forwarding balancer passed the client's SYN
 *      to pool member R without source NAT, and R answered the client directly),
 *      within a time window in either order (captures can be reordered);
 *   3. usually the client's RST to R with seq = that ACK number and no ACK flag,
 *      or an ICMP/ICMPv6 error quoting the SYN-ACK: confirmation, not required.
 * A second, weaker rule ("full-proxy") covers balancers that complete the
 * client's handshake themselves: D answered C:p:s, then R (port s) sent C:p a
 * SYN-ACK with an unrelated ACK number.
 * Retransmitted SYNs (same ISN) and every SYN-ACK they draw belong to one case.
 *
 * Several capture points (a SPAN of the balancer's segment, mergecap of host
 * captures) show one packet more than once. A SYN, SYN-ACK, RST or FIN seen
 * again within LBSNAT_COPY_WINDOW (same addresses, ports, numbers, flags)
 * is a copy: one event, never a retransmission. The client's SYN seen again
 * right behind the original with only the destination changed (same client
 * address, port, ISN and service port) is the balancer's rewrite: direct
 * evidence that the VIP forwards to that member, so the member's SYN-ACK is
 * foreign to the VIP wherever the capture was taken. What only a balancer
 * does decides it: one rewritten copy per transmission (a scanner sends one
 * SYN to many hosts), and the VIP never answers itself (two servers that each
 * answer their own copy withdraw the case).
 *
 * A capture on the member that answered (research edge case 10) shows no VIP:
 * the SYN arrives addressed to the member, the member answers, the client
 * resets the answer (seq = the SYN-ACK's ack, no ACK flag) and then sends the
 * same SYN again. No TCP stack resets the answer to its own SYN and retries
 * it, unless it sent that SYN elsewhere: a "member view" record.
 *
 * Memory is bounded: handshakes not yet explained live in a table that
 * forgets entries older than the window and holds at most max_pending client
 * ports; detected cases are kept (they are what the GUI shows) up to max_cases.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBSNAT_TRACK_H
#define LBSNAT_TRACK_H

#include <glib.h>

#include "frame_time.h"
#include "host_addr.h"
#include "message_copies.h"
#include "tcp_flags.h"

G_BEGIN_DECLS

/* One TCP header as the glue saw it. */
typedef struct {
    guint32 frame;     /* frame number, > 0 */
    nstime_t ts;     /* frame time (frame_time.h) */
    host_addr_t src, dst;
    guint16 src_port, dst_port;
    guint32 seq, ack;  /* raw (absolute) sequence and acknowledgement numbers */
    guint8 flags;      /* LBSNAT_TCP_* */
    /* TRUE when this header is quoted inside an ICMP/ICMPv6 error; error_sender
     * is then the source address of that error. */
    gboolean quoted_in_icmp;
    host_addr_t error_sender;
} lbsnat_segment_t;

typedef enum {
    LBSNAT_RULE_ISN_MATCH = 1,  /* foreign SYN-ACK acknowledges the client's ISN */
    LBSNAT_RULE_FULL_PROXY = 2, /* the VIP completed the handshake; a member answered too */
} lbsnat_rule_t;

/* What one frame is to a case. */
typedef enum {
    LBSNAT_ROLE_NONE = 0,
    LBSNAT_ROLE_SYN = 1,            /* client SYN (or retransmission) to the VIP */
    LBSNAT_ROLE_FOREIGN_SYNACK = 2, /* SYN-ACK from a member, not from the VIP */
    LBSNAT_ROLE_CLIENT_RESET = 3,   /* client's RST to the member */
    LBSNAT_ROLE_ICMP_ERROR = 4,     /* client's ICMP error quoting the foreign SYN-ACK */
} lbsnat_role_t;

typedef enum {
    LBSNAT_CONFIDENCE_LOW = 1,
    LBSNAT_CONFIDENCE_MEDIUM = 2,
    LBSNAT_CONFIDENCE_HIGH = 3,
} lbsnat_confidence_t;

/* One foreign SYN-ACK of a case and what confirmed it. */
typedef struct {
    host_addr_t member;
    guint16 member_port;
    guint32 seq, ack;      /* of the foreign SYN-ACK */
    guint32 synack_frame;
    guint32 syn_frame;     /* the client SYN it answers; 0 until one is seen */
    guint32 reset_frame;   /* client RST or ICMP error; 0 if none (yet) */
    lbsnat_role_t reset_role;
} lbsnat_answer_t;

/* One connection attempt (client, client port, VIP, VIP port, ISN) answered
 * by at least one foreign SYN-ACK. Owned by the tracker until reset. */
typedef struct {
    guint32 id; /* 1, 2, … in order of detection */
    lbsnat_rule_t rule;
    host_addr_t client, vip;
    guint16 client_port, vip_port;
    guint32 isn;
    gboolean known_vip;   /* the VIP is in the configured list */
    GArray *syn_frames;   /* guint32, in feed order, at most LBSNAT_MAX_FRAMES_PER_CASE */
    GArray *answers;      /* lbsnat_answer_t, at most LBSNAT_MAX_FRAMES_PER_CASE */
    guint distinct_members;
    /* The member is known from the balancer's rewritten SYN (SPAN, merged). */
    gboolean via_rewrite;
    /* Later frames showed it was no balancer (the "VIP" answered itself, or
     * the same SYN went to more hosts): no verdicts, no findings. */
    gboolean withdrawn;
} lbsnat_case_t;

#define LBSNAT_MAX_FRAMES_PER_CASE 32

/* How far apart two captures of one packet may be: the plugin's one copy
 * window (message_copies.h says why; a SYN is resent after 1 s or more), so a
 * retransmission is never taken for a copy; merged captures need host clocks
 * that agree this well. */
#define LBSNAT_COPY_WINDOW MESSAGE_COPIES_WINDOW

/* What a frame repeats. */
typedef enum {
    LBSNAT_COPY_NONE = 0,
    LBSNAT_COPY_SAME = 1,    /* the same packet captured again */
    LBSNAT_COPY_REWRITE = 2, /* the balancer's rewrite of the client's SYN (VIP -> member) */
} lbsnat_copy_kind_t;

/* A member's own view of the fault (no VIP in sight): a client reset this
 * member's SYN-ACK and sent the same SYN again. Owned by the tracker. */
typedef struct {
    guint32 id; /* 1, 2, ... in order of detection */
    host_addr_t client, member;
    guint16 client_port, member_port;
    guint32 isn;
    GArray *frames;     /* guint32: SYNs, SYN-ACKs and resets, at most LBSNAT_MAX_FRAMES_PER_CASE */
    guint resets;       /* client resets of the member's SYN-ACKs */
    guint32 first_reset_frame;
} lbsnat_member_view_t;

/* A frame's verdict: the case it belongs to and its role there. */
typedef struct {
    const lbsnat_case_t *c;
    lbsnat_role_t role;
    guint answer_index; /* for SYN-ACK, RST and ICMP frames: index into c->answers */
} lbsnat_verdict_t;

/* An address (and port, 0 = any) the user says is a load-balancer VIP. */
typedef struct {
    host_addr_t addr;
    guint16 port;
} lbsnat_known_vip_t;

typedef struct {
    nstime_t window;     /* how far apart a SYN and its SYN-ACK may be, either order */
    guint max_pending;   /* client ports with unexplained handshakes kept at once */
    guint max_cases;     /* cases kept for display */
    const lbsnat_known_vip_t *known_vips; /* copied by the tracker */
    guint n_known_vips;
} lbsnat_config_t;

#define LBSNAT_DEFAULT_WINDOW ((nstime_t)NSTIME_INIT_SECS(60))
/* How long a handshake that finished normally (the address called answered,
 * the client acknowledged) is kept: only the full-proxy rule can still use it,
 * and a full proxy opens its server-side connection within moments. */
#define LBSNAT_PROXY_WINDOW ((nstime_t)NSTIME_INIT_SECS(5))
#define LBSNAT_DEFAULT_MAX_PENDING 65536
#define LBSNAT_DEFAULT_MAX_CASES 100000

/* Counters that say how much the tracker holds and what it had to drop. */
typedef struct {
    guint pending_ports;    /* client ports currently in the pending table */
    guint peak_pending_ports;
    guint64 expired_ports;  /* forgotten because older than the window */
    guint64 evicted_ports;  /* forgotten because the table was full */
    guint cases;
    guint64 cases_not_kept; /* detections beyond max_cases */
    guint64 segments;       /* headers fed */
    guint64 copies;         /* segments seen again at another capture point */
    guint64 rewrites;       /* client SYNs seen again after the balancer's rewrite */
    guint cases_withdrawn;  /* cases later frames showed were no balancer */
    guint member_views;     /* member-view records kept */
    guint handshakes;       /* handshakes (connection attempts) held now */
    guint peak_handshakes;
    guint bytes_per_handshake; /* what an ordinary handshake costs the tracker (its port, its table entry) */
} lbsnat_counters_t;

typedef struct lbsnat_tracker lbsnat_tracker_t;

lbsnat_tracker_t *lbsnat_tracker_new(const lbsnat_config_t *config);
/* Forget everything (new capture file), keep the configuration. */
void lbsnat_tracker_reset(lbsnat_tracker_t *t);
/* Replace the configuration; implies a reset. */
void lbsnat_tracker_configure(lbsnat_tracker_t *t, const lbsnat_config_t *config);
void lbsnat_tracker_free(lbsnat_tracker_t *t);

/* Feed one header; call once per frame, first pass only. */
void lbsnat_tracker_feed(lbsnat_tracker_t *t, const lbsnat_segment_t *seg);

/* The verdict for a frame, or NULL when the frame belongs to no case (so far). */
const lbsnat_verdict_t *lbsnat_tracker_verdict(const lbsnat_tracker_t *t, guint32 frame);

/* The frame this one repeats (0 if none) and how (kind may be NULL). */
guint32 lbsnat_tracker_copy_of(const lbsnat_tracker_t *t, guint32 frame, lbsnat_copy_kind_t *kind);

/* The member-view record a frame belongs to, or NULL. */
const lbsnat_member_view_t *lbsnat_tracker_member_view(const lbsnat_tracker_t *t, guint32 frame);
guint lbsnat_tracker_member_view_count(const lbsnat_tracker_t *t);
/* Member view by id (1-based); NULL if out of range. */
const lbsnat_member_view_t *lbsnat_tracker_member_view_by_id(const lbsnat_tracker_t *t, guint id);

/* The answer a frame should link to: the answer itself for SYN-ACK/RST/ICMP
 * frames, the first answer to that SYN (else the case's first) for SYN frames. */
const lbsnat_answer_t *lbsnat_verdict_answer(const lbsnat_verdict_t *v);

lbsnat_confidence_t lbsnat_case_confidence(const lbsnat_case_t *c);
gboolean lbsnat_case_confirmed(const lbsnat_case_t *c);

guint lbsnat_tracker_case_count(const lbsnat_tracker_t *t);
/* Case by id (1-based); NULL if out of range. */
const lbsnat_case_t *lbsnat_tracker_case(const lbsnat_tracker_t *t, guint id);

void lbsnat_tracker_counters(const lbsnat_tracker_t *t, lbsnat_counters_t *out);

const char *lbsnat_confidence_name(lbsnat_confidence_t c);

G_END_DECLS

#endif
