/* c3p_connections.h — did HTTPS connections to the conferencing port (444)
 * get as far as sending a request?
 *
 * An MCU that cannot deliver its health notifications to the MCU Factory logs
 * event 61013; on the wire that is a TCP connection to port 444 that is reset
 * or closed before the client sent any request (TLS application data or a
 * plain HTTP request), or whose handshake is never answered (or answered only
 * by another address: a load balancer without SNAT). This core follows each
 * connection attempt, keyed by (client, client port, server, server port,
 * client ISN): retransmitted SYNs are one attempt, a new ISN on the same ports
 * is a new one, whatever stream numbers Wireshark gives them (from 4.4 a
 * SYN-ACK after a reset starts a new tcp.stream). It says which one frame
 * shows each failure. Plain C + GLib (no epan).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef C3P_CONNECTIONS_H
#define C3P_CONNECTIONS_H

#include <glib.h>

#include "host_addr.h"
#include "tcp_flags.h"

G_BEGIN_DECLS

typedef enum {
    C3P_CONN_PENDING = 0,        /* nothing decided (yet); once the capture is read: never answered */
    C3P_CONN_REACHED = 1,        /* the client sent a request */
    C3P_CONN_RESET = 2,          /* reset before any request */
    C3P_CONN_CLOSED = 3,         /* closed (FIN) before any request */
    C3P_CONN_FOREIGN_ANSWER = 4, /* once the capture is read: answered only by another address */
    C3P_CONN_PROBED = 5,         /* the client reset the server's own SYN-ACK and sent its SYN no more:
                                  * a port probe (a SYN scan) or a dying client, not a failure */
} c3p_conn_outcome_t;


typedef struct {
    host_conn_t ends;
    guint32 isn;               /* the client's; meaningful when isn_known */
    gboolean isn_known;        /* a SYN (or lbsnat) told it; not when the capture starts later */
    guint32 syn_frame;         /* first client SYN; 0 if none was seen */
    guint32 end_frame;         /* the RST or FIN that ended it before a request */
    gboolean answered;         /* the server's own SYN-ACK was seen */
    gboolean client_acked;     /* the client acknowledged (completed the handshake) */
    guint32 resent_frame;      /* the client's SYN sent again after it reset the server's SYN-ACK */
    gconstpointer foreign_answer; /* the caller's explanation of an answer from another address */
    c3p_conn_outcome_t outcome;
} c3p_connection_t;

/* One TCP segment of a connection to a watched port, first pass only. */
typedef struct {
    host_conn_t ends;      /* client → server, whichever way the segment went */
    gboolean from_client;
    guint8 flags;              /* TCP_FLAG_* */
    guint32 seq, ack;
    gboolean client_request;   /* the client's payload starts a request (TLS application data, HTTP) */
    guint32 frame;
} c3p_conn_segment_t;

typedef struct c3p_connections c3p_connections_t;

/* At most max_attempts attempts are followed; later ones are counted only. */
c3p_connections_t *c3p_connections_new(guint max_attempts);
void c3p_connections_free(c3p_connections_t *c);

/* Returns the attempt the segment belongs to, or NULL when not followed. */
const c3p_connection_t *c3p_connections_feed(c3p_connections_t *c, const c3p_conn_segment_t *seg);

/* Another address answered the attempt (ends, isn): a foreign SYN-ACK, or the
 * client's reset of one (`ends_it`), in `frame`. `explanation` is kept for the
 * caller (e.g. the lbsnat case). Returns the attempt, or NULL. */
const c3p_connection_t *c3p_connections_foreign(c3p_connections_t *c, const host_conn_t *ends, guint32 isn,
                                                gconstpointer explanation, gboolean ends_it, guint32 frame);

/* Segments on `alias` (the balancer's rewrite of the attempt's SYN: client to
 * member instead of client to VIP) belong from now on to the attempt whose
 * first SYN (or end) is `attempt_frame`; nothing changes if there is none. */
void c3p_connections_alias(c3p_connections_t *c, const host_conn_t *alias, guint32 attempt_frame);

/* The attempt whose failure `frame` may show (its first SYN or its end), or NULL. */
const c3p_connection_t *c3p_connections_at_frame(const c3p_connections_t *c, guint32 frame);

/* The outcome as known now; capture_complete: the whole capture has been read. */
c3p_conn_outcome_t c3p_connection_outcome(const c3p_connection_t *conn, gboolean capture_complete);

/* The one frame that shows the attempt's failure, as known now (the reset or
 * FIN; the SYN sent again after the client reset the server's own SYN-ACK,
 * which a prober never does; once the capture is read, the first SYN of a
 * handshake the server never answered); 0 while it has not failed. */
guint32 c3p_connection_failure_frame(const c3p_connection_t *conn, gboolean capture_complete);

/* The attempt from `client` whose failure frame (as known now, see
 * c3p_connection_failure_frame) is the latest one before `before_frame`, or
 * NULL. Looks at every attempt followed: meant for rare frames (a failed
 * conference join), not for every packet. */
const c3p_connection_t *c3p_connections_latest_failure_from(const c3p_connections_t *c, const host_addr_t *client,
                                                            guint32 before_frame, gboolean capture_complete);

guint c3p_connections_followed(const c3p_connections_t *c);
guint64 c3p_connections_not_followed(const c3p_connections_t *c);

G_END_DECLS

#endif
