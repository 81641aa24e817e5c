/* lbsnat_track_test.c — unit tests of the missing-SNAT tracker, one per edge
 * case of the research table (../shared/research/missing-snat.md §4).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "lbsnat/lbsnat_track.h"
#include "test_time.h"

#define SEC G_GINT64_CONSTANT(1000000000)
#define MS (SEC / 1000)

static const char *const CLIENT = "10.137.2.12";
static const char *const VIP = "10.137.2.11";
static const char *const MEMBER_A = "10.137.2.13";
static const char *const MEMBER_B = "10.137.2.14";

static host_addr_t addr(const char *text)
{
    host_addr_t a;
    ws_in4_addr v4;
    ws_in6_addr v6;
    if (ws_inet_pton4(text, &v4))
        host_addr_set(&a, &v4, sizeof v4);
    else if (ws_inet_pton6(text, &v6))
        host_addr_set(&a, &v6, sizeof v6);
    else
        g_assert_not_reached();
    return a;
}

/* A small test world: a tracker and a frame counter. */
typedef struct {
    lbsnat_tracker_t *t;
    guint32 frame;
} world_t;

static lbsnat_config_t default_config(void)
{
    lbsnat_config_t c = {
        .window = LBSNAT_DEFAULT_WINDOW,
        .max_pending = LBSNAT_DEFAULT_MAX_PENDING,
        .max_cases = LBSNAT_DEFAULT_MAX_CASES,
    };
    return c;
}

static void world_init(world_t *w, const lbsnat_config_t *c)
{
    w->t = lbsnat_tracker_new(c);
    w->frame = 0;
}

/* Feeds one header and returns its frame number. */
static guint32 tcp(world_t *w, gint64 when, const char *src, guint16 sport, const char *dst, guint16 dport,
                   guint32 seq, guint32 ack, guint8 flags)
{
    lbsnat_segment_t s = {
        .frame = ++w->frame, .ts = at_ns(when), .src = addr(src), .dst = addr(dst),
        .src_port = sport, .dst_port = dport, .seq = seq, .ack = ack, .flags = flags,
    };
    lbsnat_tracker_feed(w->t, &s);
    return s.frame;
}

/* Feeds an ICMP error sent by `sender` that quotes a header src:sport -> dst:dport with seq. */
static guint32 icmp_quote(world_t *w, gint64 when, const char *sender, const char *src, guint16 sport,
                          const char *dst, guint16 dport, guint32 seq, guint8 flags)
{
    lbsnat_segment_t s = {
        .frame = ++w->frame, .ts = at_ns(when), .src = addr(src), .dst = addr(dst),
        .src_port = sport, .dst_port = dport, .seq = seq, .flags = flags,
        .quoted_in_icmp = TRUE, .error_sender = addr(sender),
    };
    lbsnat_tracker_feed(w->t, &s);
    return s.frame;
}

#define SYN TCP_FLAG_SYN
#define SYNACK (TCP_FLAG_SYN | TCP_FLAG_ACK)
#define RST TCP_FLAG_RST
#define ACK TCP_FLAG_ACK

static void assert_role(world_t *w, guint32 frame, lbsnat_role_t role, guint case_id)
{
    const lbsnat_verdict_t *v = lbsnat_tracker_verdict(w->t, frame);
    g_assert_nonnull(v);
    g_assert_cmpint(v->role, ==, role);
    g_assert_cmpuint(v->c->id, ==, case_id);
}

static void assert_no_verdict(world_t *w, guint32 first, guint32 last)
{
    for (guint32 f = first; f <= last; f++)
        g_assert_null(lbsnat_tracker_verdict(w->t, f));
}

/* The field case: SYN to the VIP, SYN-ACK from a member, client RST. */
static void test_isn_match_confirmed_by_reset(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 syn = tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 sa = tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 rst = tcp(&w, 2 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);

    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 1);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    host_addr_t vip = addr(VIP), client = addr(CLIENT), member = addr(MEMBER_A);
    g_assert_true(host_addr_equal(&c->vip, &vip));
    g_assert_true(host_addr_equal(&c->client, &client));
    g_assert_cmpuint(c->vip_port, ==, 444);
    g_assert_cmpuint(c->client_port, ==, 50000);
    g_assert_cmpint(c->rule, ==, LBSNAT_RULE_ISN_MATCH);
    assert_role(&w, syn, LBSNAT_ROLE_SYN, 1);
    assert_role(&w, sa, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    assert_role(&w, rst, LBSNAT_ROLE_CLIENT_RESET, 1);

    const lbsnat_answer_t *ans = lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, syn));
    g_assert_true(host_addr_equal(&ans->member, &member));
    g_assert_cmpuint(ans->syn_frame, ==, syn);
    g_assert_cmpuint(ans->synack_frame, ==, sa);
    g_assert_cmpuint(ans->reset_frame, ==, rst);
    g_assert_true(lbsnat_case_confirmed(c));
    g_assert_cmpint(lbsnat_case_confidence(c), ==, LBSNAT_CONFIDENCE_HIGH);
    lbsnat_tracker_free(w.t);
}

/* Edge 8: the client's firewall eats the SYN-ACK: still a case, less confident. */
static void test_no_reset_lowers_confidence(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    g_assert_nonnull(c);
    g_assert_false(lbsnat_case_confirmed(c));
    g_assert_cmpint(lbsnat_case_confidence(c), ==, LBSNAT_CONFIDENCE_MEDIUM);
    lbsnat_tracker_free(w.t);
}

/* A reset only confirms with seq = the SYN-ACK's ack and no ACK flag. */
static void test_reset_must_have_rfc793_form(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 wrong_seq = tcp(&w, 2 * MS, CLIENT, 50000, MEMBER_A, 444, 999, 0, RST);
    guint32 with_ack = tcp(&w, 3 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 7001, RST | ACK);
    guint32 wrong_member = tcp(&w, 4 * MS, CLIENT, 50000, MEMBER_B, 444, 1001, 0, RST);
    assert_no_verdict(&w, wrong_seq, wrong_member);
    (void)with_ack;
    g_assert_false(lbsnat_case_confirmed(lbsnat_tracker_case(w.t, 1)));
    lbsnat_tracker_free(w.t);
}

/* SNAT and direct server return: the SYN-ACK comes from the VIP address. */
static void test_reply_from_vip_is_never_flagged(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, VIP, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 2 * MS, CLIENT, 50000, VIP, 444, 1001, 7001, ACK);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    assert_no_verdict(&w, 1, w.frame);
    lbsnat_tracker_free(w.t);
}

/* Edge 12: SYN-ACKs nobody asked for, reset by the victim. */
static void test_backscatter_is_never_flagged(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    for (guint i = 0; i < 5; i++) {
        tcp(&w, i * SEC, MEMBER_A, 80, CLIENT, 40000 + i, 5000 + i, 9000 + i, SYNACK);
        tcp(&w, i * SEC + MS, CLIENT, 40000 + i, MEMBER_A, 80, 9000 + i, 0, RST);
    }
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    assert_no_verdict(&w, 1, w.frame);
    lbsnat_tracker_free(w.t);
}

/* Edge 13: capture started after the SYN; the client ACKs the SYN-ACK. Its
 * SYN may not be "found" later by a reused port either. */
static void test_late_capture_is_never_flagged(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 1 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 7001, ACK);
    /* A later SYN from the same port to the VIP with the old ISN (as if a
     * merged capture held an old SYN): the orphan was accepted, not foreign. */
    tcp(&w, 2 * MS, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

/* Edge 14: the SYN-ACK is captured before its SYN. */
static void test_reordered_capture(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 sa = tcp(&w, 5 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    g_assert_null(lbsnat_tracker_verdict(w.t, sa)); /* nothing to go on yet */
    guint32 syn = tcp(&w, 6 * MS, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 rst = tcp(&w, 7 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    assert_role(&w, sa, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    assert_role(&w, syn, LBSNAT_ROLE_SYN, 1);
    assert_role(&w, rst, LBSNAT_ROLE_CLIENT_RESET, 1);
    g_assert_cmpuint(lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, sa))->syn_frame, ==, syn);
    lbsnat_tracker_free(w.t);
}

static void test_reordered_outside_window(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    cfg.window = at_ns(10 * SEC);
    world_init(&w, &cfg);
    tcp(&w, 0, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 11 * SEC, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

/* Edges 1 and 2: retransmitted SYNs, each answered by a member (new ISN each
 * time, and once by another member), one SYN-ACK retransmitted: one case. */
static void test_retransmissions_group_into_one_case(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 syn1 = tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 sa1 = tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 sa1r = tcp(&w, 2 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 rst1 = tcp(&w, 3 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    guint32 syn2 = tcp(&w, 1 * SEC, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 sa2 = tcp(&w, 1 * SEC + MS, MEMBER_B, 444, CLIENT, 50000, 8000, 1001, SYNACK);
    guint32 rst2 = tcp(&w, 1 * SEC + 2 * MS, CLIENT, 50000, MEMBER_B, 444, 1001, 0, RST);
    guint32 syn3 = tcp(&w, 3 * SEC, CLIENT, 50000, VIP, 444, 1000, 0, SYN);

    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 1);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    g_assert_cmpuint(c->distinct_members, ==, 2);
    g_assert_cmpuint(c->answers->len, ==, 3);
    g_assert_cmpuint(c->syn_frames->len, ==, 3);
    assert_role(&w, syn3, LBSNAT_ROLE_SYN, 1);
    assert_role(&w, sa1r, LBSNAT_ROLE_FOREIGN_SYNACK, 1);

    /* Each SYN links to the SYN-ACK it drew; the unanswered one to the first. */
    g_assert_cmpuint(lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, syn1))->synack_frame, ==, sa1);
    g_assert_cmpuint(lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, syn2))->synack_frame, ==, sa2);
    g_assert_cmpuint(lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, syn3))->synack_frame, ==, sa1);
    /* The first reset confirms the first unconfirmed SYN-ACK of that member. */
    g_assert_cmpuint(lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, rst1))->synack_frame, ==, sa1);
    g_assert_cmpuint(lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, rst2))->synack_frame, ==, sa2);
    g_assert_cmpint(lbsnat_case_confidence(c), ==, LBSNAT_CONFIDENCE_HIGH);
    lbsnat_tracker_free(w.t);
}

/* Edge 3: the client reuses its port with a new ISN, to another server. */
static void test_port_reuse_is_never_flagged(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, VIP, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 2 * MS, CLIENT, 50000, VIP, 444, 1001, 7001, ACK);
    tcp(&w, 2 * SEC, CLIENT, 50000, "10.137.2.50", 444, 555000, 0, SYN);
    tcp(&w, 2 * SEC + MS, "10.137.2.50", 444, CLIENT, 50000, 9000, 555001, SYNACK);
    tcp(&w, 4 * SEC, CLIENT, 50000, VIP, 444, 777000, 0, SYN);
    tcp(&w, 4 * SEC + MS, VIP, 444, CLIENT, 50000, 9500, 777001, SYNACK);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

/* Edge 20: simultaneous open on one 4-tuple involves no third address. */
static void test_simultaneous_open_is_never_flagged(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, MEMBER_A, 6000, 1000, 0, SYN);
    tcp(&w, 1 * MS, MEMBER_A, 6000, CLIENT, 50000, 7000, 0, SYN);
    tcp(&w, 2 * MS, CLIENT, 50000, MEMBER_A, 6000, 1000, 7001, SYNACK);
    tcp(&w, 3 * MS, MEMBER_A, 6000, CLIENT, 50000, 7000, 1001, SYNACK);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

/* Edge 4: a full-proxy balancer completes the handshake, then the member's
 * SYN-ACK (to the balancer's own ISN) reaches the client directly. */
static void test_full_proxy_rule(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, VIP, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 2 * MS, CLIENT, 50000, VIP, 444, 1001, 7001, ACK);
    guint32 sa = tcp(&w, 5 * MS, MEMBER_A, 444, CLIENT, 50000, 3000, 424243, SYNACK);
    guint32 rst = tcp(&w, 6 * MS, CLIENT, 50000, MEMBER_A, 444, 424243, 0, RST);
    assert_role(&w, sa, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    assert_role(&w, rst, LBSNAT_ROLE_CLIENT_RESET, 1);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    g_assert_cmpint(c->rule, ==, LBSNAT_RULE_FULL_PROXY);
    g_assert_cmpint(lbsnat_case_confidence(c), ==, LBSNAT_CONFIDENCE_MEDIUM);
    lbsnat_tracker_free(w.t);
}

/* The full-proxy rule wants the member on the service port and the VIP to
 * have answered; otherwise an unrelated SYN-ACK is just noise. */
static void test_full_proxy_needs_service_port_and_vip_answer(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, VIP, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 5 * MS, MEMBER_A, 8444, CLIENT, 50000, 3000, 424243, SYNACK);
    tcp(&w, 1 * SEC, CLIENT, 50001, VIP, 444, 2000, 0, SYN);
    tcp(&w, 1 * SEC + MS, MEMBER_A, 444, CLIENT, 50001, 3000, 424243, SYNACK);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

/* Edge 15: the client rejects the foreign SYN-ACK with an ICMP error. */
static void test_icmp_error_confirms(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 sa = tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    /* A router's error about it is no confirmation by the client. */
    guint32 other = icmp_quote(&w, 2 * MS, "10.137.2.1", MEMBER_A, 444, CLIENT, 50000, 7000, SYNACK);
    guint32 err = icmp_quote(&w, 3 * MS, CLIENT, MEMBER_A, 444, CLIENT, 50000, 7000, SYNACK);
    assert_no_verdict(&w, other, other);
    assert_role(&w, err, LBSNAT_ROLE_ICMP_ERROR, 1);
    const lbsnat_answer_t *ans = lbsnat_verdict_answer(lbsnat_tracker_verdict(w.t, sa));
    g_assert_cmpuint(ans->reset_frame, ==, err);
    g_assert_cmpint(ans->reset_role, ==, LBSNAT_ROLE_ICMP_ERROR);
    lbsnat_tracker_free(w.t);
}

/* Edge 16: IPv6, and a sequence number wrap: ISN 0xffffffff acks as 0. */
static void test_ipv6_and_isn_wrap(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, "fd00:137:2::12", 50000, "fd00:137:2::11", 444, 0xffffffffu, 0, SYN);
    guint32 sa = tcp(&w, 1 * MS, "fd00:137:2::13", 444, "fd00:137:2::12", 50000, 7000, 0, SYNACK);
    assert_role(&w, sa, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    char buf[64];
    g_assert_cmpstr(host_addr_to_str(&lbsnat_tracker_case(w.t, 1)->vip, buf, sizeof buf), ==, "fd00:137:2::11");
    lbsnat_tracker_free(w.t);
}

static void test_known_vip_raises_confidence(void)
{
    lbsnat_known_vip_t known = { .addr = addr(VIP), .port = 444 };
    world_t w;
    lbsnat_config_t cfg = default_config();
    cfg.known_vips = &known;
    cfg.n_known_vips = 1;
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    g_assert_true(c->known_vip);
    g_assert_cmpint(lbsnat_case_confidence(c), ==, LBSNAT_CONFIDENCE_HIGH);
    lbsnat_tracker_free(w.t);
}

/* A million SYNs that are never answered: the table stays at its cap. */
static void test_syn_flood_stays_bounded(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    cfg.max_pending = 1000;
    world_init(&w, &cfg);
    char ip[32];
    for (guint i = 0; i < 1000000; i++) {
        snprintf(ip, sizeof ip, "10.%u.%u.%u", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
        tcp(&w, (gint64)i * 1000, ip, (guint16)(1024 + i % 60000), VIP, 444, i, 0, SYN);
    }
    lbsnat_counters_t n;
    lbsnat_tracker_counters(w.t, &n);
    g_assert_cmpuint(n.pending_ports, <=, 1000);
    g_assert_cmpuint(n.peak_pending_ports, <=, 1000);
    g_assert_cmpuint(n.evicted_ports, >=, 999000);
    g_assert_cmpuint(n.segments, ==, 1000000);
    lbsnat_tracker_free(w.t);
}

/* A busy server: handshakes the address called answered and the client
 * acknowledged are kept only LBSNAT_PROXY_WINDOW (the full-proxy rule's
 * use for them), not the whole window; an ordinary one costs a small, fixed
 * number of bytes. 300,000 handshakes at 10,000 a second. */
static void test_finished_handshakes_are_forgotten_early(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    char ip[32];
    const guint rate = 10000, n = 300000;
    for (guint i = 0; i < n; i++) {
        gint64 t0 = (gint64)i * (SEC / rate);
        guint16 port = (guint16)(1024 + i % 60000);
        snprintf(ip, sizeof ip, "10.1.%u.%u", (i / 60000) & 0xff, i % 200);
        tcp(&w, t0, ip, port, VIP, 443, i * 7, 0, SYN);
        tcp(&w, t0 + 50, VIP, 443, ip, port, 9000 + i, i * 7 + 1, SYNACK);
        tcp(&w, t0 + 90, ip, port, VIP, 443, i * 7 + 1, 9001 + i, ACK);
    }
    lbsnat_counters_t k;
    lbsnat_tracker_counters(w.t, &k);
    const guint proxy_window_handshakes = (guint)(ns_of(&LBSNAT_PROXY_WINDOW) / (SEC / rate));
    g_assert_cmpuint(k.peak_handshakes, <=, proxy_window_handshakes + rate / 10);
    g_assert_cmpuint(k.peak_pending_ports, <=, proxy_window_handshakes + rate / 10);
    g_assert_cmpuint(k.bytes_per_handshake, <=, 240);
    g_assert_cmpuint(k.cases, ==, 0);
    g_assert_cmpuint(k.copies, ==, 0);

    /* Unanswered SYNs still wait the whole window for a foreign SYN-ACK. */
    for (guint i = 0; i < 1000; i++)
        tcp(&w, 40 * SEC + i * MS, CLIENT, (guint16)(20000 + i), VIP, 444, i, 0, SYN);
    lbsnat_tracker_counters(w.t, &k);
    g_assert_cmpuint(k.handshakes, >=, 1000);
    lbsnat_tracker_free(w.t);
}

/* SYNs spread over time: entries older than the window are forgotten. */
static void test_window_expiry(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    cfg.window = at_ns(10 * SEC);
    world_init(&w, &cfg);
    for (guint i = 0; i < 100; i++)
        tcp(&w, i * SEC, CLIENT, (guint16)(40000 + i), VIP, 444, i, 0, SYN);
    lbsnat_counters_t n;
    lbsnat_tracker_counters(w.t, &n);
    g_assert_cmpuint(n.pending_ports, <=, 11);
    g_assert_cmpuint(n.expired_ports, >=, 89);
    lbsnat_tracker_free(w.t);
}

/* A million foreign SYN-ACKs answering SYNs: detections beyond the case cap
 * are counted, not kept. And backscatter SYN-ACKs stay under the port cap. */
static void test_case_cap_and_synack_flood(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    cfg.max_pending = 500;
    cfg.max_cases = 100;
    world_init(&w, &cfg);
    for (guint i = 0; i < 1000; i++) {
        tcp(&w, i * MS, CLIENT, (guint16)(20000 + i), VIP, 444, i * 7, 0, SYN);
        tcp(&w, i * MS + 1, MEMBER_A, 444, CLIENT, (guint16)(20000 + i), 1, i * 7 + 1, SYNACK);
    }
    for (guint i = 0; i < 1000000; i++)
        tcp(&w, SEC + i * 1000, MEMBER_B, 444, CLIENT, (guint16)(i % 65536), i, i, SYNACK);
    lbsnat_counters_t n;
    lbsnat_tracker_counters(w.t, &n);
    g_assert_cmpuint(n.cases, ==, 100);
    g_assert_cmpuint(n.cases_not_kept, ==, 900);
    g_assert_cmpuint(n.peak_pending_ports, <=, 500);
    lbsnat_tracker_free(w.t);
}

static void test_reset_forgets_everything(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 syn = tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * MS, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    lbsnat_tracker_reset(w.t);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    g_assert_null(lbsnat_tracker_verdict(w.t, syn));
    lbsnat_counters_t n;
    lbsnat_tracker_counters(w.t, &n);
    g_assert_cmpuint(n.pending_ports, ==, 0);
    lbsnat_tracker_free(w.t);
}

static void assert_copy(world_t *w, guint32 frame, lbsnat_copy_kind_t kind, guint32 original)
{
    lbsnat_copy_kind_t k;
    g_assert_cmpuint(lbsnat_tracker_copy_of(w->t, frame, &k), ==, original);
    g_assert_cmpint(k, ==, kind);
}

/* Edge 11: a SPAN of the balancer's segment sees each SYN twice, before and
 * after the balancer rewrote its destination. The rewrite names the member;
 * the member's SYN-ACK is foreign to the VIP. Three transmissions, one case. */
static void test_span_rewrite_is_evidence(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 syn[3], rewrite[3], sa[3], rst[3];
    for (guint i = 0; i < 3; i++) {
        gint64 t0 = i * SEC;
        syn[i] = tcp(&w, t0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
        rewrite[i] = tcp(&w, t0 + MS / 2, CLIENT, 50000, MEMBER_A, 444, 1000, 0, SYN);
        sa[i] = tcp(&w, t0 + MS, MEMBER_A, 444, CLIENT, 50000, 7000 + i, 1001, SYNACK);
        rst[i] = tcp(&w, t0 + 2 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    }
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 1);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    g_assert_true(c->via_rewrite);
    g_assert_false(c->withdrawn);
    g_assert_cmpuint(c->syn_frames->len, ==, 3); /* rewrites are no retransmissions */
    g_assert_cmpuint(c->answers->len, ==, 3);
    g_assert_cmpuint(c->distinct_members, ==, 1);
    for (guint i = 0; i < 3; i++) {
        assert_role(&w, syn[i], LBSNAT_ROLE_SYN, 1);
        assert_role(&w, sa[i], LBSNAT_ROLE_FOREIGN_SYNACK, 1);
        assert_role(&w, rst[i], LBSNAT_ROLE_CLIENT_RESET, 1);
        g_assert_null(lbsnat_tracker_verdict(w.t, rewrite[i]));
        assert_copy(&w, rewrite[i], LBSNAT_COPY_REWRITE, syn[i]);
        assert_copy(&w, syn[i], LBSNAT_COPY_NONE, 0);
    }
    g_assert_cmpint(lbsnat_case_confidence(c), ==, LBSNAT_CONFIDENCE_HIGH);
    lbsnat_counters_t n;
    lbsnat_tracker_counters(w.t, &n);
    g_assert_cmpuint(n.rewrites, ==, 3);
    g_assert_cmpuint(n.copies, ==, 0);
    lbsnat_tracker_free(w.t);
}

/* mergecap of the sender's and the member's captures: the SYN-ACK and the
 * reset appear twice (sent, received), the rewritten SYN once. One event each. */
static void test_merged_copies_count_once(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 syn = tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 rewrite = tcp(&w, 4 * MS, CLIENT, 50000, MEMBER_A, 444, 1000, 0, SYN);
    guint32 sa = tcp(&w, 4 * MS + 10, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 sa_copy = tcp(&w, 4 * MS + 90, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 rst = tcp(&w, 4 * MS + 150, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    guint32 rst_copy = tcp(&w, 4 * MS + 170, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    /* The member's capture merged twice over (two taps on its link). */
    guint32 rewrite_copy = tcp(&w, 5 * MS, CLIENT, 50000, MEMBER_A, 444, 1000, 0, SYN);
    guint32 syn_copy = tcp(&w, 6 * MS, CLIENT, 50000, VIP, 444, 1000, 0, SYN);

    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 1);
    const lbsnat_case_t *c = lbsnat_tracker_case(w.t, 1);
    g_assert_cmpuint(c->syn_frames->len, ==, 1);
    g_assert_cmpuint(c->answers->len, ==, 1);
    assert_role(&w, syn, LBSNAT_ROLE_SYN, 1);
    assert_role(&w, sa, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    assert_role(&w, rst, LBSNAT_ROLE_CLIENT_RESET, 1);
    assert_no_verdict(&w, sa_copy, sa_copy);
    assert_no_verdict(&w, rst_copy, syn_copy);
    assert_copy(&w, rewrite, LBSNAT_COPY_REWRITE, syn);
    assert_copy(&w, sa_copy, LBSNAT_COPY_SAME, sa);
    assert_copy(&w, rst_copy, LBSNAT_COPY_SAME, rst);
    assert_copy(&w, rewrite_copy, LBSNAT_COPY_SAME, rewrite);
    assert_copy(&w, syn_copy, LBSNAT_COPY_SAME, syn);
    lbsnat_tracker_free(w.t);
}

/* One capture point: a member that got the client's SYN late answers it and
 * its retransmission with the same SYN-ACK microseconds apart, and the client
 * resets both. Real packets, not copies (lbsnat-nosnat-ipv6.pcapng has it). */
static void test_single_point_repeats_are_not_copies(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, 1 * SEC, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    guint32 sa1 = tcp(&w, 1 * SEC + 200, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 rst1 = tcp(&w, 1 * SEC + 206, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    guint32 sa2 = tcp(&w, 1 * SEC + 207, MEMBER_A, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    guint32 rst2 = tcp(&w, 1 * SEC + 210, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    assert_role(&w, sa1, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    assert_role(&w, sa2, LBSNAT_ROLE_FOREIGN_SYNACK, 1);
    assert_role(&w, rst1, LBSNAT_ROLE_CLIENT_RESET, 1);
    assert_role(&w, rst2, LBSNAT_ROLE_CLIENT_RESET, 1);
    assert_copy(&w, sa2, LBSNAT_COPY_NONE, 0);
    g_assert_cmpuint(lbsnat_tracker_case(w.t, 1)->answers->len, ==, 2);
    lbsnat_tracker_free(w.t);
}

/* The SNAT twin on a SPAN: the rewritten SYN has the VIP as its source; the
 * member answers the VIP, the VIP answers the client. And DSR: the balancer
 * forwards the SYN unchanged (same destination): a copy, answered by the VIP. */
static void test_span_of_snat_and_dsr_stay_quiet(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, VIP, 444, 1000, 0, SYN);
    tcp(&w, MS / 2, VIP, 50000, MEMBER_A, 444, 1000, 0, SYN);
    tcp(&w, MS, MEMBER_A, 444, VIP, 50000, 7000, 1001, SYNACK);
    tcp(&w, MS + 100, VIP, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 2 * MS, CLIENT, 50000, VIP, 444, 1001, 7001, ACK);
    guint32 syn = tcp(&w, SEC, CLIENT, 50001, VIP, 444, 5000, 0, SYN);
    guint32 forwarded = tcp(&w, SEC + MS / 2, CLIENT, 50001, VIP, 444, 5000, 0, SYN);
    tcp(&w, SEC + MS, VIP, 444, CLIENT, 50001, 9000, 5001, SYNACK);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    assert_no_verdict(&w, 1, w.frame);
    assert_copy(&w, forwarded, LBSNAT_COPY_SAME, syn);
    lbsnat_tracker_free(w.t);
}

/* nmap's SYN scan: one source port and ISN to many hosts (and ports), every
 * open one answers and the scanner's stack resets it. No balancer does that. */
static void test_scanner_is_no_rewrite(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    const char *hosts[] = { "10.137.9.1", "10.137.9.2", "10.137.9.3", "10.137.9.4" };
    for (guint i = 0; i < G_N_ELEMENTS(hosts); i++)
        for (guint16 port = 440; port < 446; port++)
            tcp(&w, i * 10 + port, CLIENT, 61000, hosts[i], port, 4242, 0, SYN);
    for (guint i = 1; i < G_N_ELEMENTS(hosts); i++) {
        tcp(&w, MS + i, hosts[i], 444, CLIENT, 61000, 100 + i, 4243, SYNACK);
        tcp(&w, 2 * MS + i, CLIENT, 61000, hosts[i], 444, 4243, 0, RST);
    }
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t) - 0, ==, lbsnat_tracker_case_count(w.t));
    for (guint id = 1; id <= lbsnat_tracker_case_count(w.t); id++)
        g_assert_true(lbsnat_tracker_case(w.t, id)->withdrawn);
    assert_no_verdict(&w, 1, w.frame);
    g_assert_cmpuint(lbsnat_tracker_member_view_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

/* A client that sends one SYN to two servers, each answering its own copy:
 * the first destination answering shows it is a host, not a VIP. */
static void test_two_servers_answering_their_copies(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    tcp(&w, 0, CLIENT, 50000, MEMBER_A, 444, 1000, 0, SYN);
    tcp(&w, 10, CLIENT, 50000, MEMBER_B, 444, 1000, 0, SYN);
    guint32 sa_b = tcp(&w, MS, MEMBER_B, 444, CLIENT, 50000, 7000, 1001, SYNACK);
    tcp(&w, 2 * MS, MEMBER_A, 444, CLIENT, 50000, 8000, 1001, SYNACK);
    tcp(&w, 3 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 8001, ACK);
    assert_no_verdict(&w, 1, w.frame);
    g_assert_null(lbsnat_tracker_verdict(w.t, sa_b));
    lbsnat_counters_t n;
    lbsnat_tracker_counters(w.t, &n);
    g_assert_cmpuint(n.cases_withdrawn, ==, n.cases);
    lbsnat_tracker_free(w.t);
}

/* Edge 10: the capture on the member that answered. No VIP in sight; the
 * client resets the member's answer to the SYN and sends that SYN again. */
static void test_member_view(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    guint32 frames[9];
    for (guint i = 0; i < 3; i++) {
        frames[3 * i] = tcp(&w, i * SEC, CLIENT, 50000, MEMBER_A, 444, 1000, 0, SYN);
        frames[3 * i + 1] = tcp(&w, i * SEC + MS, MEMBER_A, 444, CLIENT, 50000, 7000 + i, 1001, SYNACK);
        frames[3 * i + 2] = tcp(&w, i * SEC + 2 * MS, CLIENT, 50000, MEMBER_A, 444, 1001, 0, RST);
    }
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    g_assert_cmpuint(lbsnat_tracker_member_view_count(w.t), ==, 1);
    const lbsnat_member_view_t *mv = lbsnat_tracker_member_view_by_id(w.t, 1);
    host_addr_t client = addr(CLIENT), member = addr(MEMBER_A);
    g_assert_true(host_addr_equal(&mv->client, &client));
    g_assert_true(host_addr_equal(&mv->member, &member));
    g_assert_cmpuint(mv->member_port, ==, 444);
    g_assert_cmpuint(mv->resets, ==, 3);
    g_assert_cmpuint(mv->first_reset_frame, ==, frames[2]);
    for (guint i = 0; i < 9; i++)
        g_assert_true(lbsnat_tracker_member_view(w.t, frames[i]) == mv);
    lbsnat_tracker_free(w.t);
}

/* A client that gave up (connect timeout) resets a late SYN-ACK once and never
 * sends that SYN again; a scanner does the same. Neither is a member view. */
static void test_one_reset_without_retry_is_no_member_view(void)
{
    world_t w;
    lbsnat_config_t cfg = default_config();
    world_init(&w, &cfg);
    for (guint16 port = 1; port < 100; port++) {
        tcp(&w, port * MS, CLIENT, 61000, MEMBER_A, port, 4242, 0, SYN);
        tcp(&w, port * MS + 10, MEMBER_A, port, CLIENT, 61000, 100 + port, 4243, SYNACK);
        tcp(&w, port * MS + 20, CLIENT, 61000, MEMBER_A, port, 4243, 0, RST);
    }
    g_assert_cmpuint(lbsnat_tracker_member_view_count(w.t), ==, 0);
    g_assert_cmpuint(lbsnat_tracker_case_count(w.t), ==, 0);
    lbsnat_tracker_free(w.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lbsnat/isn-match-confirmed-by-reset", test_isn_match_confirmed_by_reset);
    g_test_add_func("/lbsnat/no-reset-lowers-confidence", test_no_reset_lowers_confidence);
    g_test_add_func("/lbsnat/reset-must-have-rfc793-form", test_reset_must_have_rfc793_form);
    g_test_add_func("/lbsnat/reply-from-vip-never-flagged", test_reply_from_vip_is_never_flagged);
    g_test_add_func("/lbsnat/backscatter-never-flagged", test_backscatter_is_never_flagged);
    g_test_add_func("/lbsnat/late-capture-never-flagged", test_late_capture_is_never_flagged);
    g_test_add_func("/lbsnat/reordered", test_reordered_capture);
    g_test_add_func("/lbsnat/reordered-outside-window", test_reordered_outside_window);
    g_test_add_func("/lbsnat/retransmissions-one-case", test_retransmissions_group_into_one_case);
    g_test_add_func("/lbsnat/port-reuse-never-flagged", test_port_reuse_is_never_flagged);
    g_test_add_func("/lbsnat/simultaneous-open-never-flagged", test_simultaneous_open_is_never_flagged);
    g_test_add_func("/lbsnat/full-proxy", test_full_proxy_rule);
    g_test_add_func("/lbsnat/full-proxy-needs-port-and-vip-answer", test_full_proxy_needs_service_port_and_vip_answer);
    g_test_add_func("/lbsnat/icmp-error-confirms", test_icmp_error_confirms);
    g_test_add_func("/lbsnat/ipv6-and-isn-wrap", test_ipv6_and_isn_wrap);
    g_test_add_func("/lbsnat/known-vip-raises-confidence", test_known_vip_raises_confidence);
    g_test_add_func("/lbsnat/syn-flood-bounded", test_syn_flood_stays_bounded);
    g_test_add_func("/lbsnat/window-expiry", test_window_expiry);
    g_test_add_func("/lbsnat/finished-handshakes-forgotten-early", test_finished_handshakes_are_forgotten_early);
    g_test_add_func("/lbsnat/case-cap-and-synack-flood", test_case_cap_and_synack_flood);
    g_test_add_func("/lbsnat/reset-forgets-everything", test_reset_forgets_everything);
    g_test_add_func("/lbsnat/span-rewrite-is-evidence", test_span_rewrite_is_evidence);
    g_test_add_func("/lbsnat/merged-copies-count-once", test_merged_copies_count_once);
    g_test_add_func("/lbsnat/single-point-repeats-are-not-copies", test_single_point_repeats_are_not_copies);
    g_test_add_func("/lbsnat/span-of-snat-and-dsr-quiet", test_span_of_snat_and_dsr_stay_quiet);
    g_test_add_func("/lbsnat/scanner-is-no-rewrite", test_scanner_is_no_rewrite);
    g_test_add_func("/lbsnat/two-servers-answering-their-copies", test_two_servers_answering_their_copies);
    g_test_add_func("/lbsnat/member-view", test_member_view);
    g_test_add_func("/lbsnat/one-reset-without-retry-no-member-view", test_one_reset_without_retry_is_no_member_view);
    return g_test_run();
}
