/* lbdsr_track_test.c — direct server return from Ethernet addresses: the
 * caller's and the segment's view, the member's view, and what looks alike
 * but is not DSR (a router, asymmetric routing, first-hop redundancy, an
 * address owned by the MAC called, a SNAT balancer); bounded state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "lbdsr/lbdsr_track.h"
#include "test_time.h"

#define SYN TCP_FLAG_SYN
#define SYN_ACK (TCP_FLAG_SYN | TCP_FLAG_ACK)
#define ACK TCP_FLAG_ACK

enum { CLIENT = 12, LB = 10, VIP = 11, M1 = 13, M2 = 14, ROUTER = 1, ROUTER2 = 2 };

static host_addr_t ip(guint8 last)
{
    const guint8 bytes[4] = { 10, 137, 7, last };
    host_addr_t a;
    host_addr_set(&a, bytes, sizeof bytes);
    return a;
}

static lbdsr_mac_t mac(guint8 last)
{
    lbdsr_mac_t m = { { 0x02, 0x00, 0x0a, 0x89, 0x07, last } };
    return m;
}

static void feed_mac(lbdsr_tracker_t *t, guint32 frame, guint8 src, guint16 sport, guint8 dst, guint16 dport,
                     guint8 flags, guint32 seq, guint32 ack, lbdsr_mac_t src_mac, lbdsr_mac_t dst_mac)
{
    lbdsr_segment_t s;
    memset(&s, 0, sizeof s);
    s.frame = frame;
    s.ts = at_ns((gint64)frame * 1000000);
    s.src = ip(src);
    s.dst = ip(dst);
    s.src_port = sport;
    s.dst_port = dport;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.src_mac = src_mac;
    s.dst_mac = dst_mac;
    lbdsr_tracker_feed(t, &s);
}

/* One connection through a DSR balancer: SYN client -> LB's MAC, SYN-ACK from
 * the VIP at member's MAC; with `forward`, the segment's view of the
 * balancer's layer-2 forward too. Frames from `first`. */
static void dsr_connection(lbdsr_tracker_t *t, guint32 first, guint16 port, guint8 member, gboolean forward)
{
    feed_mac(t, first, CLIENT, port, VIP, 444, SYN, 1000 + port, 0, mac(CLIENT), mac(LB));
    if (forward)
        feed_mac(t, first + 1, CLIENT, port, VIP, 444, SYN, 1000 + port, 0, mac(LB), mac(member));
    feed_mac(t, first + 2, VIP, 444, CLIENT, port, SYN_ACK, 7, 1001 + port, mac(member), mac(CLIENT));
    feed_mac(t, first + 3, CLIENT, port, VIP, 444, ACK, 1001 + port, 8, mac(CLIENT), mac(LB));
}

static lbdsr_tracker_t *tracker(void)
{
    lbdsr_config_t config;
    lbdsr_config_default(&config);
    return lbdsr_tracker_new(&config);
}

static void test_caller_and_segment_view(void)
{
    lbdsr_tracker_t *t = tracker();
    dsr_connection(t, 1, 40001, M2, TRUE);
    dsr_connection(t, 11, 40002, M1, FALSE);
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 2);
    const lbdsr_verdict_t *v = lbdsr_tracker_verdict(t, 3);
    g_assert_nonnull(v);
    g_assert_cmpint(v->role, ==, LBDSR_ROLE_ANSWER);
    const lbdsr_conn_t *c = v->conn;
    g_assert_cmpint(c->view, ==, LBDSR_VIEW_CALLER);
    g_assert_true(memcmp(&c->balancer_mac, &(lbdsr_mac_t){ { 2, 0, 0x0a, 0x89, 7, LB } }, 6) == 0);
    g_assert_cmpuint(c->member_mac.bytes[5], ==, M2);
    g_assert_cmpuint(c->syn_frame, ==, 1);
    g_assert_cmpuint(c->forward_frame, ==, 2);
    g_assert_cmpuint(c->answer_frame, ==, 3);
    g_assert_cmpint(lbdsr_tracker_verdict(t, 1)->role, ==, LBDSR_ROLE_SYN);
    g_assert_cmpint(lbdsr_tracker_verdict(t, 2)->role, ==, LBDSR_ROLE_FORWARD);
    g_assert_null(lbdsr_tracker_verdict(t, 4));
    const lbdsr_conn_t *second = lbdsr_tracker_conn(t, 2);
    g_assert_true(second->vip == c->vip);
    g_assert_cmpuint(second->member_mac.bytes[5], ==, M1);
    g_assert_cmpuint(second->forward_frame, ==, 0);
    /* TTLs as the glue learns them: an initial value is not routed. */
    lbdsr_tracker_note_ttl(t, 3, 64);
    g_assert_cmpuint(c->answer_ttl, ==, 64);
    g_assert_false(lbdsr_conn_routed(c));
    lbdsr_tracker_note_ttl(t, 13, 61);
    g_assert_true(lbdsr_conn_routed(second));
    lbdsr_tracker_free(t);
}

/* At the member: the SYN arrives from the balancer's MAC, the SYN-ACK goes to the client's. */
static void test_member_view(void)
{
    lbdsr_tracker_t *t = tracker();
    feed_mac(t, 1, CLIENT, 40002, VIP, 444, SYN, 5, 0, mac(LB), mac(M1));
    lbdsr_tracker_note_ttl(t, 1, 64);
    feed_mac(t, 2, VIP, 444, CLIENT, 40002, SYN_ACK, 70, 6, mac(M1), mac(CLIENT));
    const lbdsr_verdict_t *v = lbdsr_tracker_verdict(t, 2);
    g_assert_nonnull(v);
    g_assert_cmpint(v->conn->view, ==, LBDSR_VIEW_MEMBER);
    g_assert_cmpuint(v->conn->balancer_mac.bytes[5], ==, LB);
    g_assert_cmpuint(v->conn->client_mac.bytes[5], ==, CLIENT);
    g_assert_cmpuint(v->conn->syn_ttl, ==, 64);
    g_assert_false(lbdsr_conn_routed(v->conn));
    lbdsr_tracker_free(t);
}

/* Routers, SNAT balancers and a failover are no DSR. */
static void test_not_dsr(void)
{
    lbdsr_tracker_t *t = tracker();
    /* A router: many addresses behind one MAC, each answering from it. */
    for (guint8 server = 100; server < 110; server++) {
        feed_mac(t, server * 4u, CLIENT, 40000 + server, server, 443, SYN, server, 0, mac(CLIENT), mac(ROUTER));
        feed_mac(t, server * 4u + 1, server, 443, CLIENT, 40000 + server, SYN_ACK, 9, server + 1u, mac(ROUTER),
                 mac(CLIENT));
    }
    /* A SNAT (or DNAT) balancer owning the VIP: the answer comes from its MAC. */
    feed_mac(t, 500, CLIENT, 41000, 20, 444, SYN, 1, 0, mac(CLIENT), mac(20));
    feed_mac(t, 501, 20, 444, CLIENT, 41000, SYN_ACK, 2, 2, mac(20), mac(CLIENT));
    /* First-hop redundancy: the SYN to VRRP's virtual MAC, answered from the router's own. */
    lbdsr_mac_t vrrp = { { 0x00, 0x00, 0x5e, 0x00, 0x01, 0x07 } };
    feed_mac(t, 600, CLIENT, 42000, 1, 22, SYN, 1, 0, mac(CLIENT), vrrp);
    feed_mac(t, 601, 1, 22, CLIENT, 42000, SYN_ACK, 2, 2, mac(ROUTER2), mac(CLIENT));
    /* No SNAT: the member answers from its own address (lbsnat's case, not DSR). */
    feed_mac(t, 700, CLIENT, 43000, VIP, 444, SYN, 1, 0, mac(CLIENT), mac(LB));
    feed_mac(t, 701, M1, 444, CLIENT, 43000, SYN_ACK, 2, 2, mac(M1), mac(CLIENT));
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 0);
    g_assert_true(lbdsr_mac_is_virtual_router(&vrrp));
    lbdsr_mac_t hsrp2 = { { 0x00, 0x00, 0x0c, 0x9f, 0xf0, 0x01 } };
    g_assert_true(lbdsr_mac_is_virtual_router(&hsrp2));
    g_assert_false(lbdsr_mac_is_virtual_router(&(lbdsr_mac_t){ { 0x02, 0, 0x0a, 0x89, 7, 13 } }));

    /* The MAC called sends as the address: it owns it; earlier evidence is withdrawn. */
    dsr_connection(t, 800, 44000, M1, FALSE);
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 1);
    const lbdsr_conn_t *c = lbdsr_tracker_conn(t, 1);
    g_assert_false(c->vip->withdrawn);
    feed_mac(t, 900, VIP, 444, CLIENT, 44001, ACK, 1, 1, mac(LB), mac(CLIENT));
    g_assert_true(c->vip->withdrawn);
    /* And once it did, it is never taken for a balancer. */
    dsr_connection(t, 1000, 44002, M1, FALSE);
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 1);
    /* The client goes on sending to the answering MAC itself: no balancer in between. */
    feed_mac(t, 1100, CLIENT, 45000, 30, 80, SYN, 9, 0, mac(CLIENT), mac(31));
    feed_mac(t, 1101, 30, 80, CLIENT, 45000, SYN_ACK, 1, 10, mac(32), mac(CLIENT));
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 2);
    g_assert_false(lbdsr_tracker_conn(t, 2)->withdrawn);
    feed_mac(t, 1102, CLIENT, 45000, 30, 80, ACK, 10, 2, mac(CLIENT), mac(32));
    g_assert_true(lbdsr_tracker_conn(t, 2)->withdrawn);
    g_assert_false(lbdsr_ttl_is_initial(63));
    g_assert_true(lbdsr_ttl_is_initial(128));
    lbdsr_tracker_free(t);
}

/* A host reached directly at its own MAC, and one SYN that went to another
 * MAC (a bit flipped in a damaged capture) answered from the host's: no DSR,
 * whichever comes first. */
static void test_reached_directly(void)
{
    lbdsr_tracker_t *t = tracker();
    feed_mac(t, 1, CLIENT, 46000, 40, 80, SYN, 1, 0, mac(CLIENT), mac(41));
    feed_mac(t, 2, 40, 80, CLIENT, 46000, SYN_ACK, 7, 2, mac(41), mac(CLIENT));
    feed_mac(t, 3, CLIENT, 46001, 40, 80, SYN, 3, 0, mac(CLIENT), mac(42));
    feed_mac(t, 4, 40, 80, CLIENT, 46001, SYN_ACK, 9, 4, mac(41), mac(CLIENT));
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 0);
    /* The one-off first: taken for DSR until the direct handshake shows otherwise. */
    feed_mac(t, 10, CLIENT, 47001, 50, 80, SYN, 3, 0, mac(CLIENT), mac(52));
    feed_mac(t, 11, 50, 80, CLIENT, 47001, SYN_ACK, 9, 4, mac(51), mac(CLIENT));
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 1);
    g_assert_false(lbdsr_tracker_conn(t, 1)->withdrawn);
    feed_mac(t, 12, CLIENT, 47002, 50, 80, SYN, 5, 0, mac(CLIENT), mac(51));
    feed_mac(t, 13, 50, 80, CLIENT, 47002, SYN_ACK, 11, 6, mac(51), mac(CLIENT));
    g_assert_true(lbdsr_tracker_conn(t, 1)->withdrawn);
    lbdsr_tracker_free(t);
}

/* Bounded under a flood of SYNs nobody answers, and of addresses. */
static void test_bounded(void)
{
    lbdsr_config_t config;
    lbdsr_config_default(&config);
    config.max_pending = 1000;
    config.max_addresses = 500;
    lbdsr_tracker_t *t = lbdsr_tracker_new(&config);
    for (guint32 i = 0; i < 200000; i++) {
        lbdsr_segment_t s;
        memset(&s, 0, sizeof s);
        s.frame = i + 1;
        s.ts = at_ns((gint64)i * 1000); /* all inside the window */
        const guint8 client[4] = { 10, (guint8)(i >> 16), (guint8)(i >> 8), CLIENT };
        host_addr_set(&s.src, client, sizeof client);
        s.dst = ip(VIP);
        s.src_port = (guint16)i;
        s.dst_port = 444;
        s.flags = SYN;
        s.seq = i;
        s.src_mac = mac(CLIENT);
        s.dst_mac = mac(LB);
        lbdsr_tracker_feed(t, &s);
    }
    lbdsr_counters_t k;
    lbdsr_tracker_counters(t, &k);
    g_assert_cmpuint(k.pending, <=, 1000);
    g_assert_cmpuint(k.addresses, <=, 500);
    g_assert_cmpuint(k.pending_dropped, >, 0);
    g_assert_cmpuint(k.addresses_dropped, >, 0);
    char buf[64];
    g_assert_cmpstr(lbdsr_mac_to_str(&(lbdsr_mac_t){ { 2, 0, 0x0a, 0x89, 7, 0x0d } }, buf, sizeof buf), ==,
                    "02:00:0a:89:07:0d");
    lbdsr_tracker_free(t);
}

/* Self-selection: m1's own SYN to the VIP comes back from the balancer's MAC
 * with m1 as source and destination, once per transmission. */
static void test_hairpin(void)
{
    lbdsr_tracker_t *t = tracker();
    for (guint32 tx = 0; tx < 3; tx++) {
        feed_mac(t, 1 + 2 * tx, M1, 40001, VIP, 444, SYN, 77, 0, mac(M1), mac(LB));
        feed_mac(t, 2 + 2 * tx, M1, 40001, M1, 444, SYN, 77, 0, mac(LB), mac(M1));
    }
    g_assert_cmpuint(lbdsr_tracker_hairpin_count(t), ==, 1);
    gboolean returned;
    const lbdsr_hairpin_t *h = lbdsr_tracker_hairpin(t, 2, &returned);
    g_assert_nonnull(h);
    g_assert_true(returned);
    g_assert_cmpuint(h->syn_frame, ==, 1);
    g_assert_cmpuint(h->first_return_frame, ==, 2);
    g_assert_cmpuint(h->returns, ==, 3);
    const host_addr_t vip = ip(VIP);
    g_assert_true(host_addr_equal(&h->vip, &vip));
    g_assert_cmpuint(h->balancer_mac.bytes[5], ==, LB);
    g_assert_true(lbdsr_tracker_hairpin(t, 1, &returned) == h);
    g_assert_false(returned);
    g_assert_true(lbdsr_tracker_hairpin(t, 3, &returned) == h);
    /* A SYN to oneself with no SYN to another address before it (loopback traffic): nothing. */
    feed_mac(t, 20, M2, 40009, M2, 444, SYN, 5, 0, mac(M2), mac(M2));
    g_assert_cmpuint(lbdsr_tracker_hairpin_count(t), ==, 1);
    g_assert_cmpuint(lbdsr_tracker_conn_count(t), ==, 0);
    lbdsr_tracker_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lbdsr/caller-and-segment-view", test_caller_and_segment_view);
    g_test_add_func("/lbdsr/member-view", test_member_view);
    g_test_add_func("/lbdsr/not-dsr", test_not_dsr);
    g_test_add_func("/lbdsr/reached-directly", test_reached_directly);
    g_test_add_func("/lbdsr/bounded", test_bounded);
    g_test_add_func("/lbdsr/hairpin", test_hairpin);
    return g_test_run();
}
