/* c3p_connections_test.c — connection attempts to the conferencing port:
 * keyed by ends and client ISN, one failure frame per attempt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "c3p/c3p_connections.h"

#define SYN 0x02
#define SYN_ACK 0x12
#define RST 0x04
#define RST_ACK 0x14
#define PSH_ACK 0x18
#define FIN_ACK 0x11

static host_conn_t ends(guint8 client, guint16 client_port, guint8 server)
{
    host_conn_t e;
    memset(&e, 0, sizeof e);
    host_addr_set(&e.client, (const guint8[]){ 10, 0, 0, client }, 4);
    host_addr_set(&e.server, (const guint8[]){ 10, 0, 0, server }, 4);
    e.client_port = client_port;
    e.server_port = 444;
    return e;
}

static const c3p_connection_t *feed(c3p_connections_t *c, host_conn_t e, gboolean from_client, guint8 flags,
                                    guint32 seq, guint32 ack, gboolean request, guint32 frame)
{
    c3p_conn_segment_t s = { .ends = e, .from_client = from_client, .flags = flags, .seq = seq, .ack = ack,
                             .client_request = request, .frame = frame };
    return c3p_connections_feed(c, &s);
}

static void test_reached_and_reset(void)
{
    c3p_connections_t *c = c3p_connections_new(10);
    host_conn_t a = ends(12, 40000, 11);
    feed(c, a, TRUE, SYN, 100, 0, FALSE, 1);
    feed(c, a, FALSE, SYN_ACK, 500, 101, FALSE, 2);
    const c3p_connection_t *ok = feed(c, a, TRUE, PSH_ACK, 101, 501, TRUE, 3);
    g_assert_cmpint(ok->outcome, ==, C3P_CONN_REACHED);
    feed(c, a, TRUE, FIN_ACK, 200, 501, FALSE, 4);
    g_assert_cmpuint(c3p_connection_failure_frame(ok, TRUE), ==, 0);

    host_conn_t b = ends(12, 40001, 11);
    feed(c, b, TRUE, SYN, 7, 0, FALSE, 5);
    feed(c, b, FALSE, SYN_ACK, 9, 8, FALSE, 6);
    const c3p_connection_t *reset = feed(c, b, FALSE, RST_ACK, 10, 8, FALSE, 7);
    g_assert_cmpint(reset->outcome, ==, C3P_CONN_RESET);
    g_assert_cmpuint(c3p_connection_failure_frame(reset, FALSE), ==, 7);
    g_assert_true(c3p_connections_at_frame(c, 7) == reset);
    g_assert_true(c3p_connections_at_frame(c, 5) == reset);
    c3p_connections_free(c);
}

/* Retransmitted SYNs are one attempt, shown once on its first SYN once the
 * capture is read; a new ISN on the same ports is a new attempt. */
static void test_attempts_by_isn(void)
{
    c3p_connections_t *c = c3p_connections_new(10);
    host_conn_t a = ends(12, 40000, 11);
    const c3p_connection_t *first = feed(c, a, TRUE, SYN, 100, 0, FALSE, 1);
    g_assert_true(feed(c, a, TRUE, SYN, 100, 0, FALSE, 2) == first);
    g_assert_true(feed(c, a, TRUE, SYN, 100, 0, FALSE, 3) == first);
    g_assert_cmpuint(c3p_connection_failure_frame(first, FALSE), ==, 0);
    g_assert_cmpuint(c3p_connection_failure_frame(first, TRUE), ==, 1);
    g_assert_cmpint(c3p_connection_outcome(first, TRUE), ==, C3P_CONN_PENDING);
    const c3p_connection_t *second = feed(c, a, TRUE, SYN, 9000, 0, FALSE, 4);
    g_assert_true(second != first);
    g_assert_cmpuint(c3p_connections_followed(c), ==, 2);
    /* A SYN-ACK for another ISN does not answer it. */
    feed(c, a, FALSE, SYN_ACK, 1, 101, FALSE, 5);
    g_assert_false(second->answered);
    feed(c, a, FALSE, SYN_ACK, 1, 9001, FALSE, 6);
    g_assert_true(second->answered);
    c3p_connections_free(c);
}

/* A balancer without SNAT: the member answers, the client resets the member;
 * the SYNs and the reset are one attempt that failed once. Without a reset,
 * the attempt was answered only by another address, never "never answered". */
static void test_foreign_answer(void)
{
    static const int explanation = 1;
    c3p_connections_t *c = c3p_connections_new(10);
    host_conn_t vip = ends(12, 40000, 11);
    const c3p_connection_t *conn = feed(c, vip, TRUE, SYN, 100, 0, FALSE, 1);
    g_assert_true(c3p_connections_foreign(c, &vip, 100, &explanation, FALSE, 2) == conn);
    g_assert_true(c3p_connections_foreign(c, &vip, 100, &explanation, TRUE, 3) == conn);
    g_assert_true(feed(c, vip, TRUE, SYN, 100, 0, FALSE, 4) == conn);
    c3p_connections_foreign(c, &vip, 100, &explanation, TRUE, 6);
    g_assert_cmpint(conn->outcome, ==, C3P_CONN_RESET);
    g_assert_cmpuint(c3p_connection_failure_frame(conn, TRUE), ==, 3);
    g_assert_true(conn->foreign_answer == &explanation);

    host_conn_t dropped = ends(12, 40001, 11);
    const c3p_connection_t *quiet = feed(c, dropped, TRUE, SYN, 5, 0, FALSE, 7);
    c3p_connections_foreign(c, &dropped, 5, &explanation, FALSE, 8);
    g_assert_cmpint(c3p_connection_outcome(quiet, TRUE), ==, C3P_CONN_FOREIGN_ANSWER);
    g_assert_cmpuint(c3p_connection_failure_frame(quiet, TRUE), ==, 7);
    g_assert_cmpuint(c3p_connections_followed(c), ==, 2);
    c3p_connections_free(c);
}

static void test_cap(void)
{
    c3p_connections_t *c = c3p_connections_new(2);
    for (guint16 p = 0; p < 3; p++)
        feed(c, ends(12, 40000 + p, 11), TRUE, SYN, 1, 0, FALSE, 1 + p);
    g_assert_cmpuint(c3p_connections_followed(c), ==, 2);
    g_assert_cmpuint(c3p_connections_not_followed(c), ==, 1);
    c3p_connections_free(c);
}

/* The latest failure from a client before a frame: as known in one pass (a
 * reset), and once the capture is read (also a handshake never answered). */
static void test_latest_failure_from(void)
{
    c3p_connections_t *c = c3p_connections_new(10);
    host_conn_t a = ends(12, 40000, 11), b = ends(12, 40001, 11), other = ends(20, 40000, 11);
    feed(c, a, TRUE, SYN, 100, 0, FALSE, 1);
    const c3p_connection_t *reset = feed(c, a, FALSE, RST_ACK, 0, 101, FALSE, 2);
    const c3p_connection_t *unanswered = feed(c, b, TRUE, SYN, 7, 0, FALSE, 3);
    feed(c, other, TRUE, SYN, 5, 0, FALSE, 4);
    feed(c, other, FALSE, RST_ACK, 0, 6, FALSE, 5);
    g_assert_true(c3p_connections_latest_failure_from(c, &a.client, 10, FALSE) == reset);
    g_assert_true(c3p_connections_latest_failure_from(c, &a.client, 10, TRUE) == unanswered);
    g_assert_true(c3p_connections_latest_failure_from(c, &a.client, 3, TRUE) == reset);
    g_assert_null(c3p_connections_latest_failure_from(c, &a.client, 2, TRUE)); /* not this frame's own */
    host_addr_t nobody;
    host_addr_set(&nobody, (const guint8[]){ 10, 0, 0, 99 }, 4);
    g_assert_null(c3p_connections_latest_failure_from(c, &nobody, 10, TRUE));
    c3p_connections_free(c);
}

/* A SYN scan: the scanner's kernel resets the SYN-ACK its raw SYN drew,
 * and sends that SYN no more: a probe, no failure. A client that sends the
 * same SYN again after resetting the answer (it called a VIP; a member
 * answered) has failed: shown on that SYN, which one pass reaches too. */
static void test_probe_and_member_view(void)
{
    c3p_connections_t *c = c3p_connections_new(10);
    host_conn_t a = ends(10, 38616, 21);
    feed(c, a, TRUE, SYN, 100, 0, FALSE, 1);
    feed(c, a, FALSE, SYN_ACK, 500, 101, FALSE, 2);
    const c3p_connection_t *probe = feed(c, a, TRUE, RST, 101, 0, FALSE, 3);
    g_assert_cmpint(c3p_connection_outcome(probe, TRUE), ==, C3P_CONN_PROBED);
    g_assert_cmpuint(c3p_connection_failure_frame(probe, TRUE), ==, 0);

    host_conn_t b = ends(12, 40000, 13);
    feed(c, b, TRUE, SYN, 7, 0, FALSE, 4);
    feed(c, b, FALSE, SYN_ACK, 900, 8, FALSE, 5);
    const c3p_connection_t *view = feed(c, b, TRUE, RST, 8, 0, FALSE, 6);
    g_assert_cmpint(view->outcome, ==, C3P_CONN_PROBED);
    g_assert_true(feed(c, b, TRUE, SYN, 7, 0, FALSE, 7) == view);
    g_assert_cmpint(view->outcome, ==, C3P_CONN_RESET);
    g_assert_cmpuint(view->end_frame, ==, 6);
    g_assert_cmpuint(c3p_connection_failure_frame(view, FALSE), ==, 7);
    g_assert_true(c3p_connections_at_frame(c, 7) == view);

    /* A client that completed the handshake and then reset failed (not a probe). */
    host_conn_t d = ends(12, 40001, 13);
    feed(c, d, TRUE, SYN, 50, 0, FALSE, 8);
    feed(c, d, FALSE, SYN_ACK, 70, 51, FALSE, 9);
    feed(c, d, TRUE, 0x10, 51, 71, FALSE, 10);
    g_assert_cmpint(feed(c, d, TRUE, RST_ACK, 51, 71, FALSE, 11)->outcome, ==, C3P_CONN_RESET);
    c3p_connections_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/c3p-connections/reached-and-reset", test_reached_and_reset);
    g_test_add_func("/c3p-connections/attempts-by-isn", test_attempts_by_isn);
    g_test_add_func("/c3p-connections/foreign-answer", test_foreign_answer);
    g_test_add_func("/c3p-connections/cap", test_cap);
    g_test_add_func("/c3p-connections/probe-and-member-view", test_probe_and_member_view);
    g_test_add_func("/c3p-connections/latest-failure-from", test_latest_failure_from);
    return g_test_run();
}
