/* c3p_connections.c — outcome of HTTPS connections to the conferencing port.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "c3p/c3p_connections.h"

#include <string.h>

struct c3p_connections {
    GPtrArray *attempts;   /* every c3p_connection_t followed, owned */
    GHashTable *latest;    /* host_conn_t → the latest attempt on those ends */
    GHashTable *by_frame;  /* frame → attempt, for its first SYN and its end */
    GPtrArray *aliases;    /* keys of `latest` owned here: other ends of an attempt */
    guint max_attempts;
    guint64 not_followed;
};

c3p_connections_t *c3p_connections_new(guint max_attempts)
{
    c3p_connections_t *c = g_new0(c3p_connections_t, 1);
    c->attempts = g_ptr_array_new_with_free_func(g_free);
    c->latest = g_hash_table_new(host_conn_hash, host_conn_equal);
    c->by_frame = g_hash_table_new(g_direct_hash, g_direct_equal);
    c->aliases = g_ptr_array_new_with_free_func(g_free);
    c->max_attempts = max_attempts;
    return c;
}

void c3p_connections_free(c3p_connections_t *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->by_frame);
    g_hash_table_destroy(c->latest);
    g_ptr_array_free(c->aliases, TRUE);
    g_ptr_array_free(c->attempts, TRUE);
    g_free(c);
}

static c3p_connection_t *new_attempt(c3p_connections_t *c, const host_conn_t *ends)
{
    if (c->attempts->len >= c->max_attempts) {
        c->not_followed++;
        return NULL;
    }
    c3p_connection_t *conn = g_new0(c3p_connection_t, 1);
    conn->ends = *ends;
    g_ptr_array_add(c->attempts, conn);
    g_hash_table_insert(c->latest, &conn->ends, conn);
    return conn;
}

static void note_frame(c3p_connections_t *c, c3p_connection_t *conn, guint32 frame)
{
    g_hash_table_insert(c->by_frame, GUINT_TO_POINTER(frame), conn);
}

static void end_attempt(c3p_connections_t *c, c3p_connection_t *conn, c3p_conn_outcome_t outcome, guint32 frame)
{
    conn->outcome = outcome;
    conn->end_frame = frame;
    note_frame(c, conn, frame);
}

/* The attempt a client SYN belongs to: the latest on its ends with the same
 * ISN (a retransmission), or a new one. */
static c3p_connection_t *attempt_of_syn(c3p_connections_t *c, c3p_connection_t *latest, const host_conn_t *ends,
                                        guint32 isn)
{
    c3p_connection_t *conn = latest && latest->isn_known && latest->isn == isn ? latest : new_attempt(c, ends);
    if (conn) {
        conn->isn = isn;
        conn->isn_known = TRUE;
    }
    return conn;
}

const c3p_connection_t *c3p_connections_feed(c3p_connections_t *c, const c3p_conn_segment_t *seg)
{
    c3p_connection_t *conn = g_hash_table_lookup(c->latest, &seg->ends);
    const guint8 syn_ack = seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK);
    if (seg->from_client && syn_ack == TCP_FLAG_SYN) {
        conn = attempt_of_syn(c, conn, &seg->ends, seg->seq);
        if (conn && !conn->syn_frame) {
            conn->syn_frame = seg->frame;
            note_frame(c, conn, seg->frame);
        } else if (conn && conn->outcome == C3P_CONN_PROBED) {
            /* It still wants this connection: its SYN went elsewhere (a VIP)
             * and the answer came from a member it never called. */
            conn->outcome = C3P_CONN_RESET;
            conn->resent_frame = seg->frame;
            note_frame(c, conn, seg->frame);
        }
        return conn;
    }
    if (!conn)
        conn = new_attempt(c, &seg->ends); /* the capture started after its SYN */
    if (!conn || conn->outcome != C3P_CONN_PENDING)
        return conn;

    if (!seg->from_client && syn_ack == (TCP_FLAG_SYN | TCP_FLAG_ACK) && (!conn->isn_known || seg->ack == conn->isn + 1))
        conn->answered = TRUE;
    if (seg->from_client && (seg->flags & (TCP_FLAG_ACK | TCP_FLAG_RST)) == TCP_FLAG_ACK)
        conn->client_acked = TRUE;
    if (seg->from_client && seg->client_request)
        conn->outcome = C3P_CONN_REACHED;
    else if (seg->flags & TCP_FLAG_RST)
        /* A client resetting the SYN-ACK of the very address it called,
         * before acknowledging it, is probing (a SYN scan's kernel reset),
         * unless it sends the SYN again (see above). */
        end_attempt(c, conn, seg->from_client && conn->answered && !conn->client_acked ? C3P_CONN_PROBED
                                                                                      : C3P_CONN_RESET,
                    seg->frame);
    else if (seg->flags & TCP_FLAG_FIN)
        end_attempt(c, conn, C3P_CONN_CLOSED, seg->frame);
    return conn;
}

const c3p_connection_t *c3p_connections_foreign(c3p_connections_t *c, const host_conn_t *ends, guint32 isn,
                                                gconstpointer explanation, gboolean ends_it, guint32 frame)
{
    c3p_connection_t *conn = attempt_of_syn(c, g_hash_table_lookup(c->latest, ends), ends, isn);
    if (!conn)
        return NULL;
    conn->foreign_answer = explanation;
    if (ends_it && conn->outcome == C3P_CONN_PENDING && !conn->answered)
        end_attempt(c, conn, C3P_CONN_RESET, frame);
    return conn;
}

void c3p_connections_alias(c3p_connections_t *c, const host_conn_t *alias, guint32 attempt_frame)
{
    c3p_connection_t *attempt = g_hash_table_lookup(c->by_frame, GUINT_TO_POINTER(attempt_frame));
    if (!attempt)
        return;
    host_conn_t *key = g_new(host_conn_t, 1);
    *key = *alias;
    g_ptr_array_add(c->aliases, key);
    g_hash_table_insert(c->latest, key, attempt);
}

const c3p_connection_t *c3p_connections_at_frame(const c3p_connections_t *c, guint32 frame)
{
    return g_hash_table_lookup(c->by_frame, GUINT_TO_POINTER(frame));
}

c3p_conn_outcome_t c3p_connection_outcome(const c3p_connection_t *conn, gboolean capture_complete)
{
    if (capture_complete && conn->outcome == C3P_CONN_PENDING && !conn->answered && conn->foreign_answer)
        return C3P_CONN_FOREIGN_ANSWER;
    return conn->outcome;
}

guint32 c3p_connection_failure_frame(const c3p_connection_t *conn, gboolean capture_complete)
{
    if (!conn)
        return 0;
    if (conn->outcome == C3P_CONN_RESET || conn->outcome == C3P_CONN_CLOSED)
        return conn->resent_frame ? conn->resent_frame : conn->end_frame;
    if (capture_complete && conn->outcome == C3P_CONN_PENDING && !conn->answered)
        return conn->syn_frame;
    return 0;
}

const c3p_connection_t *c3p_connections_latest_failure_from(const c3p_connections_t *c, const host_addr_t *client,
                                                            guint32 before_frame, gboolean capture_complete)
{
    const c3p_connection_t *latest = NULL;
    guint32 latest_frame = 0;
    for (guint i = 0; i < c->attempts->len; i++) {
        const c3p_connection_t *conn = g_ptr_array_index(c->attempts, i);
        if (!host_addr_equal(&conn->ends.client, client))
            continue;
        const guint32 frame = c3p_connection_failure_frame(conn, capture_complete);
        if (frame && frame < before_frame && frame > latest_frame) {
            latest = conn;
            latest_frame = frame;
        }
    }
    return latest;
}

guint c3p_connections_followed(const c3p_connections_t *c)
{
    return c->attempts->len;
}

guint64 c3p_connections_not_followed(const c3p_connections_t *c)
{
    return c->not_followed;
}
