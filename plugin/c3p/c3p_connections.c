/* c3p_connections.c — outcome of HTTPS connections to the conferencing port.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "c3p/c3p_connections.h"

#define FLAG_FIN 0x01
#define FLAG_SYN 0x02
#define FLAG_RST 0x04
#define FLAG_ACK 0x10

struct c3p_connections {
    GHashTable *by_stream; /* stream number → c3p_connection_t */
    guint max_streams;
    guint64 not_followed;
};

c3p_connections_t *c3p_connections_new(guint max_streams)
{
    c3p_connections_t *c = g_new0(c3p_connections_t, 1);
    c->by_stream = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    c->max_streams = max_streams;
    return c;
}

void c3p_connections_free(c3p_connections_t *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->by_stream);
    g_free(c);
}

const c3p_connection_t *c3p_connections_feed(c3p_connections_t *c, guint32 stream, gboolean from_client,
                                             guint8 flags, gboolean client_request, guint32 frame)
{
    c3p_connection_t *conn = g_hash_table_lookup(c->by_stream, GUINT_TO_POINTER(stream));
    if (!conn) {
        if (g_hash_table_size(c->by_stream) >= c->max_streams) {
            c->not_followed++;
            return NULL;
        }
        conn = g_new0(c3p_connection_t, 1);
        conn->stream = stream;
        g_hash_table_insert(c->by_stream, GUINT_TO_POINTER(stream), conn);
    }
    if (conn->outcome != C3P_CONN_PENDING)
        return conn;

    const guint8 syn_ack = flags & (FLAG_SYN | FLAG_ACK);
    if (from_client && syn_ack == FLAG_SYN && !conn->syn_frame)
        conn->syn_frame = frame;
    else if (!from_client && syn_ack == (FLAG_SYN | FLAG_ACK))
        conn->answered = TRUE;

    if (from_client && client_request) {
        conn->outcome = C3P_CONN_REACHED;
    } else if (flags & FLAG_RST) {
        conn->outcome = C3P_CONN_RESET;
        conn->end_frame = frame;
    } else if (flags & FLAG_FIN) {
        conn->outcome = C3P_CONN_CLOSED;
        conn->end_frame = frame;
    }
    return conn;
}

const c3p_connection_t *c3p_connections_lookup(const c3p_connections_t *c, guint32 stream)
{
    return g_hash_table_lookup(c->by_stream, GUINT_TO_POINTER(stream));
}

gboolean c3p_connection_failed(const c3p_connection_t *conn, gboolean capture_complete)
{
    if (!conn)
        return FALSE;
    if (conn->outcome == C3P_CONN_RESET || conn->outcome == C3P_CONN_CLOSED)
        return TRUE;
    return capture_complete && conn->outcome == C3P_CONN_PENDING && conn->syn_frame && !conn->answered;
}

guint c3p_connections_followed(const c3p_connections_t *c)
{
    return g_hash_table_size(c->by_stream);
}

guint64 c3p_connections_not_followed(const c3p_connections_t *c)
{
    return c->not_followed;
}
