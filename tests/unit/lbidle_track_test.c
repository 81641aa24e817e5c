/* lbidle_track_test.c — unit tests of the idle-timer tracker: each behaviour
 * of a balancer that forgets idle flows, the bounds at lab and field scales,
 * what must stay quiet, and the bound on memory under a flood.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "lbidle/lbidle_finding.h"
#include "lbidle/lbidle_track.h"
#include "test_time.h"

#define SEC G_GINT64_CONSTANT(1000000000)
#define MS (SEC / 1000)

static const char *const CLIENT = "10.137.4.12";
static const char *const VIP = "10.137.4.11";
static const char *const MEMBER = "10.137.4.13";

static host_addr_t addr(const char *text)
{
    host_addr_t a;
    g_assert_true(host_addr_from_str(&a, text));
    return a;
}

/* A test world: a tracker, and the client and VIP of its connections. Worlds
 * copied from one another share the tracker and the frame numbers. */
static guint32 last_frame;

typedef struct {
    lbidle_tracker_t *t;
    const char *client, *vip;
    guint16 vip_port;
} world_t;

static void world_init(world_t *w, const char *client, const char *vip)
{
    lbidle_config_t config = { 0 };
    w->t = lbidle_tracker_new(&config);
    last_frame = 0;
    w->client = client;
    w->vip = vip;
    w->vip_port = 444;
}

static guint32 feed(world_t *w, gint64 time, gboolean from_client, guint16 cport, guint32 seq, guint32 ack,
                    guint8 flags, guint32 len)
{
    lbidle_segment_t s = {
        .frame = ++last_frame, .ts = at_ns(time),
        .src = addr(from_client ? w->client : w->vip), .dst = addr(from_client ? w->vip : w->client),
        .src_port = from_client ? cport : w->vip_port, .dst_port = from_client ? w->vip_port : cport,
        .seq = seq, .ack = ack, .flags = flags, .payload_len = len,
    };
    lbidle_tracker_feed(w->t, &s);
    return s.frame;
}

#define ACK TCP_FLAG_ACK
#define RST TCP_FLAG_RST
#define FIN TCP_FLAG_FIN
#define SYN TCP_FLAG_SYN

/* Sequence numbers: the client's start at 1000, the server's at 5000; each
 * message is 10 bytes, so a connection's state is its message count. */
typedef struct {
    guint16 port;
    guint32 cseq, sseq;
} conn_t;

static conn_t open_conn(world_t *w, gint64 t, guint16 port)
{
    conn_t c = { port, 1000, 5000 };
    feed(w, t, TRUE, port, c.cseq++, 0, SYN, 0);
    feed(w, t + MS, FALSE, port, c.sseq++, c.cseq, SYN | ACK, 0);
    feed(w, t + 2 * MS, TRUE, port, c.cseq, c.sseq, ACK, 0);
    return c;
}

/* The client sends a message and the server echoes it. Returns the client's frame. */
static guint32 exchange(world_t *w, gint64 t, conn_t *c)
{
    guint32 f = feed(w, t, TRUE, c->port, c->cseq, c->sseq, ACK, 10);
    c->cseq += 10;
    feed(w, t + MS, FALSE, c->port, c->sseq, c->cseq, ACK, 10);
    c->sseq += 10;
    feed(w, t + 2 * MS, TRUE, c->port, c->cseq, c->sseq, ACK, 0);
    return f;
}

/* The client's message after the gap draws an RST from the VIP. Returns the RST's frame. */
static guint32 resume_reset(world_t *w, gint64 t, conn_t *c)
{
    feed(w, t, TRUE, c->port, c->cseq, c->sseq, ACK, 10);
    return feed(w, t + MS, FALSE, c->port, c->sseq, 0, RST, 0);
}

static const lbidle_service_t *only_service(world_t *w)
{
    g_assert_cmpuint(lbidle_tracker_service_count(w->t), ==, 1);
    return lbidle_tracker_service(w->t, 0);
}

/* Survived gaps of 2 s and 3.5 s; cuts after 8 s and 9 s (at the given scale). */
static void lab_schedule(world_t *w, gint64 unit)
{
    conn_t busy = open_conn(w, 0, 40001);
    conn_t shortgaps = open_conn(w, 10 * MS, 40002);
    conn_t quiet8 = open_conn(w, 20 * MS, 40003);
    conn_t quiet9 = open_conn(w, 30 * MS, 40004);
    exchange(w, 100 * MS, &busy);
    exchange(w, 110 * MS, &shortgaps);
    exchange(w, 120 * MS, &quiet8);
    exchange(w, 130 * MS, &quiet9);
    exchange(w, 100 * MS + 2 * unit, &busy);
    exchange(w, 110 * MS + 7 * unit / 2, &shortgaps);
    resume_reset(w, 120 * MS + 8 * unit, &quiet8);
    resume_reset(w, 130 * MS + 9 * unit, &quiet9);
}

static void test_reset_next_bounds(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    lab_schedule(&w, SEC);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_true(timer.found);
    g_assert_cmpint(ns_of(&timer.lower_bound), ==, 7 * SEC / 2 - 2 * MS);
    g_assert_cmpint(ns_of(&timer.upper_bound), ==, 8 * SEC - 2 * MS);
    g_assert_cmpuint(timer.cuts, ==, 2);
    g_assert_cmpuint(timer.connections, ==, 4);
    g_assert_cmpint(timer.behaviour, ==, LBIDLE_BEHAVIOUR_RESET_NEXT);
    g_assert_cmpint(timer.confidence, ==, LBIDLE_CONFIDENCE_MEDIUM);

    const lbidle_verdict_t *reset = lbidle_tracker_verdict(w.t, last_frame);
    g_assert_nonnull(reset);
    g_assert_cmpint(reset->role, ==, LBIDLE_ROLE_RESET);
    g_assert_false(reset->cut->reset_to_server);
    g_assert_cmpuint(reset->cut->client_port, ==, 40004);
    const lbidle_verdict_t *resume = lbidle_tracker_verdict(w.t, last_frame - 1);
    g_assert_nonnull(resume);
    g_assert_cmpint(resume->role, ==, LBIDLE_ROLE_RESUME);
    g_assert_cmpuint(reset->cut->resume_frame, ==, last_frame - 1);
    lbidle_tracker_free(w.t);
}

/* No fixed timer: the same schedule with F5's default (300 s) and Microsoft's
 * minimum (1800 s) in the gaps' scale. */
static void test_field_scales(void)
{
    const gint64 units[] = { 40 * SEC, 225 * SEC }; /* cuts after 320/360 s and 1800/2025 s */
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        world_t w;
        world_init(&w, CLIENT, VIP);
        lab_schedule(&w, units[i]);
        lbidle_timer_t timer;
        lbidle_service_timer(only_service(&w), &timer);
        g_assert_true(timer.found);
        g_assert_cmpint(ns_of(&timer.lower_bound), ==, 7 * units[i] / 2 - 2 * MS);
        g_assert_cmpint(ns_of(&timer.upper_bound), ==, 8 * units[i] - 2 * MS);
        lbidle_tracker_free(w.t);
    }
}

static void test_one_cut_claims_nothing(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t a = open_conn(&w, 0, 40001), b = open_conn(&w, 0, 40002);
    exchange(&w, 100 * MS, &a);
    exchange(&w, 100 * MS, &b);
    exchange(&w, 3 * SEC, &a);
    resume_reset(&w, 9 * SEC, &b);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_false(timer.found);
    g_assert_cmpuint(timer.cuts, ==, 1);
    lbidle_tracker_free(w.t);
}

/* A connection survived a longer gap than one that was cut: no timer explains both. */
static void test_inconsistent_gaps_claim_nothing(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t a = open_conn(&w, 0, 40001), b = open_conn(&w, 0, 40002), c = open_conn(&w, 0, 40003);
    exchange(&w, 100 * MS, &a);
    exchange(&w, 100 * MS, &b);
    exchange(&w, 100 * MS, &c);
    resume_reset(&w, 5 * SEC, &a);
    resume_reset(&w, 6 * SEC, &b);
    exchange(&w, 20 * SEC, &c);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_false(timer.found);
    lbidle_tracker_free(w.t);
}

/* Cuts with nothing survived: no lower bound, nothing claimed. */
static void test_no_survivor_claims_nothing(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t a = open_conn(&w, 0, 40001), b = open_conn(&w, 0, 40002);
    exchange(&w, 100 * MS, &a);
    exchange(&w, 100 * MS, &b);
    resume_reset(&w, 5 * SEC, &a);
    resume_reset(&w, 6 * SEC, &b);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_false(timer.found);
    lbidle_tracker_free(w.t);
}

/* The balancer resets both ends at expiry: the client's leg (from the VIP)
 * and the member's leg (from the SNAT address) at the same moment. */
static void test_reset_at_expiry_both_ends(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    world_t m = w; /* member legs: the balancer's SNAT address (the VIP) -> member:444 */
    m.client = VIP;
    m.vip = MEMBER;
    conn_t legs[2][3];
    world_t *sides[2] = { &w, &m };
    for (int side = 0; side < 2; side++) {
        for (int i = 0; i < 3; i++) {
            legs[side][i] = open_conn(sides[side], 0, (guint16)(40001 + i));
            exchange(sides[side], 100 * MS, &legs[side][i]);
        }
        exchange(sides[side], 3 * SEC, &legs[side][0]);
    }
    guint32 resets[2][2];
    for (int i = 1; i < 3; i++) {
        const conn_t *c = &legs[0][i], *mc = &legs[1][i];
        resets[0][i - 1] = feed(&w, 5100 * MS, FALSE, c->port, c->sseq, c->cseq, RST | ACK, 0);
        resets[1][i - 1] = feed(&m, 5100 * MS + 100000, TRUE, mc->port, mc->cseq, mc->sseq, RST | ACK, 0);
    }

    g_assert_cmpuint(lbidle_tracker_service_count(w.t), ==, 2);
    for (guint side = 0; side < 2; side++) {
        lbidle_timer_t timer;
        lbidle_service_timer(lbidle_tracker_service(w.t, side), &timer);
        g_assert_true(timer.found);
        g_assert_cmpint(timer.behaviour, ==, LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY);
        g_assert_cmpint(ns_of(&timer.lower_bound), ==, 3 * SEC - 102 * MS);
        g_assert_cmpint(ns_of(&timer.upper_bound), ==, 5100 * MS - 102 * MS + side * 100000);
        g_assert_cmpint(timer.confidence, ==, LBIDLE_CONFIDENCE_HIGH);
        for (int i = 0; i < 2; i++) {
            const lbidle_verdict_t *v = lbidle_tracker_verdict(w.t, resets[side][i]);
            g_assert_cmpint(v->role, ==, LBIDLE_ROLE_RESET);
            g_assert_true(v->cut->paired);
            g_assert_cmpint(v->cut->reset_to_server, ==, side == 1);
            g_assert_cmpuint(v->cut->resume_frame, ==, 0);
        }
    }
    lbidle_tracker_free(w.t);
}

/* The report: one finding per VIP whose timer is bounded, the balancer's own
 * connections to the members (from the VIP's address) named under it. */
static void test_findings(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    world_t m = w;
    m.client = VIP;
    m.vip = MEMBER;
    world_t *sides[2] = { &w, &m };
    for (int side = 0; side < 2; side++) {
        conn_t c[3];
        for (int i = 0; i < 3; i++) {
            c[i] = open_conn(sides[side], 0, (guint16)(40001 + i));
            exchange(sides[side], 100 * MS, &c[i]);
        }
        exchange(sides[side], 3 * SEC, &c[0]);
        for (int i = 1; i < 3; i++)
            feed(sides[side], 5100 * MS, side == 1, c[i].port, side ? c[i].cseq : c[i].sseq,
                 side ? c[i].sseq : c[i].cseq, RST | ACK, 0);
    }
    GPtrArray *services = g_ptr_array_new();
    for (guint i = 0; i < lbidle_tracker_service_count(w.t); i++)
        g_ptr_array_add(services, (gpointer)lbidle_tracker_service(w.t, i));
    GPtrArray *findings = g_ptr_array_new_with_free_func((GDestroyNotify)mcudiag_finding_free);
    lbidle_findings(services, findings);
    g_assert_cmpuint(findings->len, ==, 1);
    const mcudiag_finding_t *f = g_ptr_array_index(findings, 0);
    g_assert_cmpint(f->kind, ==, MCUDIAG_FINDING_IDLE_TIMEOUT);
    g_assert_cmpstr(f->endpoint, ==, "10.137.4.11:444");
    g_assert_cmpint(ns_of(&f->timer_min), ==, 3 * SEC - 102 * MS);
    g_assert_cmpint(ns_of(&f->timer_max), ==, 5100 * MS - 102 * MS);
    g_assert_cmpuint(f->attempts, ==, 2);
    g_assert_cmpuint(f->code, ==, LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY);
    g_assert_cmpint(f->confidence, ==, MCUDIAG_LEVEL_HIGH);
    g_assert_cmpuint(f->members->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(f->members, 0), ==, "10.137.4.13:444");
    g_assert_nonnull(f->fix);
    g_assert_null(f->next);
    g_ptr_array_free(findings, TRUE);
    g_ptr_array_free(services, TRUE);
    lbidle_tracker_free(w.t);
}

/* Unprompted resets the same moment, the other way, pair up. */
static void test_pairing(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t keep = open_conn(&w, 0, 40001), a = open_conn(&w, 0, 40002), b = open_conn(&w, 0, 40003);
    exchange(&w, 100 * MS, &keep);
    exchange(&w, 100 * MS, &a);
    exchange(&w, 100 * MS, &b);
    exchange(&w, 3 * SEC, &keep);
    guint32 r = feed(&w, 5 * SEC, FALSE, 40002, a.sseq, a.cseq, RST | ACK, 0);
    feed(&w, 5 * SEC + MS, TRUE, 40003, b.cseq, b.sseq, RST | ACK, 0);
    g_assert_true(lbidle_tracker_verdict(w.t, r)->cut->paired);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_cmpint(timer.confidence, ==, LBIDLE_CONFIDENCE_HIGH);
    lbidle_tracker_free(w.t);
}

/* The message after the gap is retransmitted, never answered; one answered
 * late is withdrawn (lost packets, not a forgotten flow). */
static void test_silent_drop(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t keep = open_conn(&w, 0, 40001), a = open_conn(&w, 0, 40002), b = open_conn(&w, 0, 40003);
    conn_t late = open_conn(&w, 0, 40004);
    exchange(&w, 100 * MS, &keep);
    exchange(&w, 100 * MS, &a);
    exchange(&w, 100 * MS, &b);
    exchange(&w, 100 * MS, &late);
    exchange(&w, 3 * SEC, &keep);
    const conn_t *dropped[] = { &late, &a, &b };
    const gint64 resumed[] = { 5 * SEC, 8 * SEC, 9 * SEC };
    for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++) {
        gint64 t = resumed[i];
        const conn_t *c = dropped[i];
        guint32 first = feed(&w, t, TRUE, c->port, c->cseq, c->sseq, ACK, 10);
        guint32 last = first;
        for (gint64 rto = 200 * MS; rto <= 1600 * MS; rto *= 2)
            last = feed(&w, t + rto, TRUE, c->port, c->cseq, c->sseq, ACK, 10);
        const lbidle_verdict_t *v = lbidle_tracker_verdict(w.t, last);
        g_assert_nonnull(v);
        g_assert_cmpint(v->role, ==, LBIDLE_ROLE_RETRANSMISSION);
        g_assert_cmpuint(v->cut->retransmissions, ==, 4);
        g_assert_cmpuint(v->cut->last_retransmission_frame, ==, last);
        g_assert_cmpint(lbidle_tracker_verdict(w.t, first)->role, ==, LBIDLE_ROLE_RESUME);
    }
    /* answered after its retransmissions: it survived a 4.9 s gap after all */
    feed(&w, 10 * SEC, FALSE, late.port, late.sseq, late.cseq + 10, ACK, 0);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_true(timer.found);
    g_assert_cmpuint(timer.cuts, ==, 2);
    g_assert_cmpint(timer.behaviour, ==, LBIDLE_BEHAVIOUR_SILENT_DROP);
    g_assert_cmpint(ns_of(&timer.lower_bound), ==, 5 * SEC - 102 * MS);
    g_assert_cmpint(ns_of(&timer.upper_bound), ==, 8 * SEC - 102 * MS);
    g_assert_true(lbidle_service_cut(only_service(&w), 0)->withdrawn);
    lbidle_tracker_free(w.t);
}

/* Quiet: a server closing idle connections itself (FIN), then resetting the
 * client's late message; TCP keep-alives; a long-lived busy connection. */
static void test_quiet_cases(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t keep = open_conn(&w, 0, 40001), a = open_conn(&w, 0, 40002), b = open_conn(&w, 0, 40003);
    conn_t busy = open_conn(&w, 0, 40004);
    exchange(&w, 100 * MS, &keep);
    exchange(&w, 100 * MS, &a);
    exchange(&w, 100 * MS, &b);
    for (gint64 t = 3 * SEC; t < 40 * SEC; t += 3 * SEC) {
        feed(&w, t, TRUE, keep.port, keep.cseq - 1, keep.sseq, ACK, 0); /* keep-alive probe */
        feed(&w, t + MS, FALSE, keep.port, keep.sseq, keep.cseq, ACK, 0);
        exchange(&w, t + 500 * MS, &busy);
    }
    const conn_t *closed[] = { &a, &b };
    for (size_t i = 0; i < G_N_ELEMENTS(closed); i++) {
        const conn_t *c = closed[i];
        feed(&w, 4 * SEC, FALSE, c->port, c->sseq, c->cseq, FIN | ACK, 0);
        feed(&w, 4 * SEC + MS, TRUE, c->port, c->cseq, c->sseq + 1, ACK, 0);
        resume_reset(&w, 9 * SEC, (conn_t *)c);
    }
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_false(timer.found);
    g_assert_cmpuint(timer.cuts, ==, 0);
    g_assert_cmpint(ns_of(&timer.lower_bound), >=, 2500 * MS);
    lbidle_tracker_free(w.t);
}

/* A connection first seen at the server's FIN (the capture, or a part of a
 * set, began as it closed): the reset of what the client sends after a
 * silence is the closed connection's, not a cut. */
static void test_first_seen_closing(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t c = { 40001, 1000, 5000 };
    feed(&w, 0, FALSE, c.port, c.sseq, c.cseq, FIN | ACK, 0);
    feed(&w, MS, TRUE, c.port, c.cseq, c.sseq + 1, ACK, 0);
    resume_reset(&w, 9 * SEC, &c);
    lbidle_timer_t timer;
    const lbidle_service_t *s = only_service(&w);
    lbidle_service_timer(s, &timer);
    g_assert_cmpuint(timer.cuts, ==, 0);
    g_assert_cmpuint(timer.connections, ==, 1);
    lbidle_tracker_free(w.t);
}

static void test_ipv6(void)
{
    world_t w;
    world_init(&w, "fd00:137:4::12", "fd00:137:4::11");
    lab_schedule(&w, SEC);
    lbidle_timer_t timer;
    const lbidle_service_t *s = only_service(&w);
    lbidle_service_timer(s, &timer);
    g_assert_true(timer.found);
    guint16 port;
    const host_addr_t *a = lbidle_service_addr(s, &port);
    g_assert_cmpuint(a->family, ==, 6);
    g_assert_cmpuint(port, ==, 444);
    lbidle_tracker_free(w.t);
}

/* Timestamps going backwards (merged captures) make no negative gap. */
static void test_time_going_backwards(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    conn_t a = open_conn(&w, 10 * SEC, 40001);
    exchange(&w, 0, &a);
    feed(&w, G_MININT64, TRUE, a.port, a.cseq, a.sseq, RST, 0);
    conn_t b = open_conn(&w, G_MININT64, 40002);
    feed(&w, G_MAXINT64, TRUE, b.port, b.cseq, b.sseq, ACK, 10);
    feed(&w, G_MAXINT64, FALSE, b.port, b.sseq, 0, RST, 0);
    lbidle_timer_t timer;
    lbidle_service_timer(only_service(&w), &timer);
    g_assert_false(timer.found);
    g_assert_cmpint(ns_of(&timer.lower_bound), >=, 0);
    lbidle_tracker_free(w.t);
}

/* A flood of idle connections (a million, one SYN each) keeps the table at
 * its cap, forgetting the least recently active. */
static void test_flood_is_bounded(void)
{
    lbidle_config_t config = { .max_connections = 1000 };
    lbidle_tracker_t *t = lbidle_tracker_new(&config);
    lbidle_segment_t s = { .src = addr(CLIENT), .dst = addr(VIP), .dst_port = 444, .flags = SYN };
    for (guint32 i = 0; i < 1000000; i++) {
        s.frame = i + 1;
        s.ts = at_ns((gint64)i * MS);
        s.src.u.v4 = g_htonl(0x0a890000 | ((i >> 8) & 0xffff)); /* 10.137.x.y: a client per 256 SYNs */
        s.src_port = (guint16)(1024 + (i & 0xff));
        lbidle_tracker_feed(t, &s);
    }
    lbidle_counters_t c;
    lbidle_tracker_counters(t, &c);
    g_assert_cmpuint(c.connections, ==, 1000);
    g_assert_cmpuint(c.peak_connections, ==, 1000);
    g_assert_cmpuint(c.evicted_connections, ==, 999000);
    g_assert_cmpuint(c.segments, ==, 1000000);
    g_assert_cmpuint(c.services, ==, 1);
    g_assert_cmpuint(c.bytes_per_connection, <, 300);
    lbidle_tracker_free(t);
}

/* A million connections opened and closed (SYN, FIN from each end): only
 * the last LBIDLE_ENDED_KEPT ended ones stay known, and no live one is lost. */
static void test_ended_connections_are_bounded(void)
{
    lbidle_tracker_t *t = lbidle_tracker_new(&(lbidle_config_t){ 0 });
    lbidle_segment_t s = { .src = addr(CLIENT), .dst = addr(VIP), .dst_port = 444 };
    for (guint32 i = 0; i < 1000000; i++) {
        s.src.u.v4 = g_htonl(0x0a890000 | ((i >> 8) & 0xffff));
        s.src_port = (guint16)(1024 + (i & 0xff));
        s.ts = at_ns((gint64)i * MS);
        s.frame = 3 * i + 1;
        s.flags = SYN;
        lbidle_tracker_feed(t, &s);
        lbidle_segment_t fin = s;
        fin.frame++;
        fin.flags = FIN | ACK;
        lbidle_tracker_feed(t, &fin);
        lbidle_segment_t answer = { .src = s.dst, .src_port = s.dst_port, .dst = s.src, .dst_port = s.src_port,
                                    .ts = s.ts, .frame = fin.frame + 1, .flags = FIN | ACK };
        lbidle_tracker_feed(t, &answer);
    }
    lbidle_counters_t c;
    lbidle_tracker_counters(t, &c);
    g_assert_cmpuint(c.connections, ==, LBIDLE_ENDED_KEPT);
    g_assert_cmpuint(c.evicted_connections, ==, 0);
    g_assert_cmpuint(c.segments, ==, 3000000);
    lbidle_tracker_free(t);
}

static void count_tail(const lbidle_tail_t *tail, gpointer data)
{
    GArray *frames = data;
    g_array_append_val(frames, tail->frame);
}

/* A part of a capture set: connections live at its end and last active in
 * its own frames are tails; a connection first seen without its SYN is a
 * head, up to the other end's reaction; read on its own, neither is kept. */
static void test_stitching_tails_and_heads(void)
{
    for (guint32 from = 0; from <= 4; from += 4) {
        world_t w;
        world_init(&w, CLIENT, VIP);
        lbidle_tracker_configure(w.t, &(lbidle_config_t){ .stitch_from_frame = from });
        feed(&w, 0, TRUE, 50000, 1, 0, SYN, 0);                     /* 1: last active in the context */
        feed(&w, 10 * MS, TRUE, 50001, 100, 0, ACK, 6);             /* 2: a head: no SYN */
        feed(&w, 20 * MS, TRUE, 50001, 106, 0, ACK, 6);             /* 3: the same end again */
        feed(&w, 30 * MS, FALSE, 50001, 900, 112, ACK, 0);          /* 4: the reaction ends the head */
        const guint32 last = feed(&w, 40 * MS, TRUE, 50001, 112, 0, ACK, 6); /* 5: after the head */
        GArray *tails = g_array_new(FALSE, FALSE, sizeof(guint32));
        lbidle_tracker_for_each_tail(w.t, count_tail, tails);
        if (!from) {
            g_assert_false(lbidle_tracker_stitching(w.t));
            g_assert_cmpuint(tails->len, ==, 0);
            g_assert_cmpuint(lbidle_tracker_head_count(w.t), ==, 0);
        } else {
            g_assert_cmpuint(tails->len, ==, 1); /* 50001; 50000's last frame is before frame 4 */
            g_assert_cmpuint(g_array_index(tails, guint32, 0), ==, last);
            g_assert_cmpuint(lbidle_tracker_head_count(w.t), ==, 1);
            const lbidle_head_t *head = lbidle_tracker_head(w.t, 0);
            g_assert_cmpuint(head->n, ==, 3);
            g_assert_cmpuint(head->segments[0].frame, ==, 2);
            g_assert_cmpuint(head->segments[2].frame, ==, 4);
            g_assert_cmpuint(head->ends.client_port, ==, 50001);
        }
        g_array_free(tails, TRUE);
        lbidle_tracker_free(w.t);
    }
}

/* A reset of the tracker (new file) forgets everything; configure keeps it usable. */
static void test_reset_and_configure(void)
{
    world_t w;
    world_init(&w, CLIENT, VIP);
    lab_schedule(&w, SEC);
    lbidle_tracker_reset(w.t);
    g_assert_cmpuint(lbidle_tracker_service_count(w.t), ==, 0);
    g_assert_null(lbidle_tracker_verdict(w.t, last_frame));
    lbidle_config_t config = { .max_cuts = 1 };
    lbidle_tracker_configure(w.t, &config);
    last_frame = 0;
    lab_schedule(&w, SEC);
    lbidle_counters_t c;
    lbidle_tracker_counters(w.t, &c);
    g_assert_cmpuint(c.cuts, ==, 1);
    g_assert_cmpuint(c.cuts_not_kept, ==, 1);
    g_assert_cmpstr(lbidle_behaviour_name(LBIDLE_BEHAVIOUR_SILENT_DROP), ==, "silent drop");
    g_assert_cmpstr(lbidle_confidence_name(LBIDLE_CONFIDENCE_HIGH), ==, "high");
    lbidle_tracker_free(w.t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lbidle/reset-next-bounds", test_reset_next_bounds);
    g_test_add_func("/lbidle/field-scales", test_field_scales);
    g_test_add_func("/lbidle/one-cut-claims-nothing", test_one_cut_claims_nothing);
    g_test_add_func("/lbidle/inconsistent-gaps-claim-nothing", test_inconsistent_gaps_claim_nothing);
    g_test_add_func("/lbidle/no-survivor-claims-nothing", test_no_survivor_claims_nothing);
    g_test_add_func("/lbidle/reset-at-expiry-both-ends", test_reset_at_expiry_both_ends);
    g_test_add_func("/lbidle/pairing", test_pairing);
    g_test_add_func("/lbidle/findings", test_findings);
    g_test_add_func("/lbidle/silent-drop", test_silent_drop);
    g_test_add_func("/lbidle/quiet-cases", test_quiet_cases);
    g_test_add_func("/lbidle/first-seen-closing", test_first_seen_closing);
    g_test_add_func("/lbidle/ipv6", test_ipv6);
    g_test_add_func("/lbidle/time-going-backwards", test_time_going_backwards);
    g_test_add_func("/lbidle/flood-is-bounded", test_flood_is_bounded);
    g_test_add_func("/lbidle/ended-connections-are-bounded", test_ended_connections_are_bounded);
    g_test_add_func("/lbidle/reset-and-configure", test_reset_and_configure);
    g_test_add_func("/lbidle/stitching-tails-and-heads", test_stitching_tails_and_heads);
    return g_test_run();
}
