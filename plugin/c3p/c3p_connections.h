/* c3p_connections.h — did HTTPS connections to the conferencing port (444)
 * get as far as sending a request?
 *
 * An MCU that cannot deliver its health notifications to the MCU Factory logs
 * event 61013; on the wire that is a TCP connection to port 444 that is reset
 * or closed before the client sent any request (TLS application data or a
 * plain HTTP request), or whose handshake is never answered. This core follows
 * each such connection by Wireshark's TCP stream number and says which frames
 * show the failure. Plain C + GLib (no epan).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef C3P_CONNECTIONS_H
#define C3P_CONNECTIONS_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    C3P_CONN_PENDING = 0,     /* nothing decided (yet) */
    C3P_CONN_REACHED = 1,     /* the client sent a request */
    C3P_CONN_RESET = 2,       /* reset before any request */
    C3P_CONN_CLOSED = 3,      /* closed (FIN) before any request */
} c3p_conn_outcome_t;

typedef struct {
    guint32 stream;
    guint32 syn_frame;        /* first client SYN; 0 if the capture starts later */
    guint32 end_frame;        /* the RST or FIN that ended it before a request */
    gboolean answered;        /* the server's SYN-ACK was seen */
    c3p_conn_outcome_t outcome;
} c3p_connection_t;

typedef struct c3p_connections c3p_connections_t;

/* At most max_streams connections are followed; later ones are counted only. */
c3p_connections_t *c3p_connections_new(guint max_streams);
void c3p_connections_free(c3p_connections_t *c);

/* One TCP segment of a connection to a watched port, first pass only.
 * flags are TCP flag bits (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10);
 * client_request says this segment carries a request (TLS application data
 * or an HTTP request from the client). Returns the connection, or NULL when
 * it is not followed. */
const c3p_connection_t *c3p_connections_feed(c3p_connections_t *c, guint32 stream, gboolean from_client,
                                             guint8 flags, gboolean client_request, guint32 frame);

const c3p_connection_t *c3p_connections_lookup(const c3p_connections_t *c, guint32 stream);

/* Whether the connection, as known now, failed before a request: reset or
 * closed early, or (once the whole capture has been read) a handshake the
 * server never answered. */
gboolean c3p_connection_failed(const c3p_connection_t *conn, gboolean capture_complete);

guint c3p_connections_followed(const c3p_connections_t *c);
guint64 c3p_connections_not_followed(const c3p_connections_t *c);

G_END_DECLS

#endif
