/* tracker-events.c — microbenchmark of the lbsnat analysis core alone.
 *
 * Feeds pre-decoded lbsnat_segment_t events to lbsnat_tracker_feed on one
 * core and prints events per second. The events are what the plugin glue
 * (packet-lbsnat.c, dissect_lbsnat) feeds from a busy pool capture: every
 * SYN to a watched port (default preference: all ports) and every segment
 * that is not a pure SYN. They come from a simulation of ~2000 concurrent
 * TCP connections interleaved at random, ~10,000 segments per simulated
 * second (so the 60 s window and the 65536-port table cap both matter):
 *   - each connection: SYN, SYN-ACK from the server it called (the VIP with
 *     SNAT, or a server), ACK, 2-14 data/ACK segments, FIN, FIN, ACK;
 *   - 1 in 1000 connections is a no-SNAT case: SYN to VIP 10.137.2.11:444,
 *     SYN-ACK from member 10.137.2.13/.14 with ack = isn + 1, client RST;
 *   - 1 in 200 connections is replaced by a backscatter SYN-ACK that no SYN
 *     asked for (an orphan), reset by the client.
 * The event array (2M events, ~200 simulated seconds) is replayed PASSES
 * times with timestamps and frame numbers shifted, so state keeps rolling.
 *
 * Usage: tracker-events [million-events (default 20)] [--verdicts]
 *   --verdicts also calls lbsnat_tracker_verdict for every frame, as the
 *   glue does on each pass.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lbsnat/lbsnat_track.h"

#define N_EVENTS (2u * 1000u * 1000u)
#define CONCURRENT 2000
#define STEP_NS 100000 /* 10,000 segments per simulated second */

typedef struct {
    host_addr_t client, server, reply_from;
    guint16 cport, sport;
    guint32 a, b;   /* client and server sequence numbers */
    int step, n_data;
    int kind;       /* 0 normal, 1 no-SNAT case, 2 backscatter orphan */
} conn_t;

static guint64 rng_state = 0x9E3779B97F4A7C15ull;
static guint32 rnd(void)
{
    /* xorshift64*: deterministic, fast */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (guint32)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static host_addr_t v4(guint8 a, guint8 b, guint8 c, guint8 d)
{
    host_addr_t x;
    host_addr_set(&x, (const guint8[]){ a, b, c, d }, 4);
    return x;
}

static guint16 next_port[3000];

static void conn_new(conn_t *c)
{
    memset(c, 0, sizeof *c);
    guint32 r = rnd();
    guint ci = r % 3000;
    c->client = v4(10, 20 + (ci % 3), (guint8)(1 + ci / 254 % 254), (guint8)(1 + ci % 254));
    if (next_port[ci] < 49152)
        next_port[ci] = 49152 + rnd() % 16000;
    c->cport = next_port[ci]++;
    c->a = rnd();
    c->b = rnd();
    c->n_data = 2 + (int)(rnd() % 13);
    guint32 k = rnd() % 1000;
    if (k == 0) {
        c->kind = 1;
        c->client = v4(10, 137, 2, 12);
        c->server = v4(10, 137, 2, 11);
        c->reply_from = v4(10, 137, 2, (rnd() & 1) ? 13 : 14);
        c->sport = 444;
        return;
    }
    if (k <= 5) {
        c->kind = 2;
        c->server = v4(198, 51, 100, (guint8)(rnd() % 250));
        c->reply_from = c->server;
        c->sport = 80;
        return;
    }
    static const guint16 ports[] = { 443, 444, 5060, 5061, 1433, 445, 80, 135 };
    c->sport = ports[rnd() % G_N_ELEMENTS(ports)];
    c->server = (c->sport == 443 || c->sport == 444) && (rnd() & 1) ? v4(10, 137, 2, 11)
                                                                   : v4(10, 137, 2, (guint8)(13 + rnd() % 13));
    c->reply_from = c->server; /* with SNAT (or no balancer) the called address answers */
}

/* The next segment of the connection; FALSE when it has finished. */
static gboolean conn_step(conn_t *c, lbsnat_segment_t *s)
{
    memset(s, 0, sizeof *s);
    gboolean from_client = TRUE;
    guint32 seq = 0, ack = 0;
    guint8 flags = 0;
    int st = c->step++;

    if (c->kind == 1) { /* SYN, foreign SYN-ACK, RST */
        switch (st) {
        case 0: seq = c->a; flags = TCP_FLAG_SYN; break;
        case 1: from_client = FALSE; seq = c->b; ack = c->a + 1; flags = TCP_FLAG_SYN | TCP_FLAG_ACK; break;
        case 2: seq = c->a + 1; flags = TCP_FLAG_RST; break;
        default: return FALSE;
        }
    } else if (c->kind == 2) { /* orphan SYN-ACK, RST */
        switch (st) {
        case 0: from_client = FALSE; seq = c->b; ack = c->a + 1; flags = TCP_FLAG_SYN | TCP_FLAG_ACK; break;
        case 1: seq = c->a + 1; flags = TCP_FLAG_RST; break;
        default: return FALSE;
        }
    } else {
        int data_end = 3 + 2 * c->n_data;
        if (st == 0) {
            seq = c->a; flags = TCP_FLAG_SYN;
        } else if (st == 1) {
            from_client = FALSE; seq = c->b; ack = c->a + 1; flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
            c->a++, c->b++;
        } else if (st < data_end) {
            /* alternate client request / server response (PSH+ACK) and ACKs */
            from_client = (st & 1) == 0;
            flags = TCP_FLAG_ACK | ((rnd() & 1) ? 0x08 : 0);
            guint32 len = rnd() % 1400;
            if (from_client) { seq = c->a; ack = c->b; c->a += len; }
            else { seq = c->b; ack = c->a; c->b += len; }
        } else if (st == data_end) {
            seq = c->a; ack = c->b; flags = TCP_FLAG_FIN | TCP_FLAG_ACK;
        } else if (st == data_end + 1) {
            from_client = FALSE; seq = c->b; ack = c->a + 1; flags = TCP_FLAG_FIN | TCP_FLAG_ACK;
        } else if (st == data_end + 2) {
            seq = c->a + 1; ack = c->b + 1; flags = TCP_FLAG_ACK;
        } else {
            return FALSE;
        }
    }
    if (from_client) {
        s->src = c->client, s->dst = c->server;
        s->src_port = c->cport, s->dst_port = c->sport;
        if (flags == TCP_FLAG_RST)
            s->dst = c->reply_from; /* the client resets the member that answered */
    } else {
        s->src = c->reply_from, s->dst = c->client;
        s->src_port = c->sport, s->dst_port = c->cport;
    }
    s->seq = seq, s->ack = ack, s->flags = flags;
    return TRUE;
}

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double millions = 20;
    gboolean verdicts = FALSE;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--verdicts"))
            verdicts = TRUE;
        else
            millions = atof(argv[i]);
    }
    guint64 total = (guint64)(millions * 1e6);

    cpu_set_t set; /* one core */
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof set, &set);

    lbsnat_segment_t *ev = g_new(lbsnat_segment_t, N_EVENTS);
    conn_t *conns = g_new(conn_t, CONCURRENT);
    for (int i = 0; i < CONCURRENT; i++)
        conn_new(&conns[i]);
    guint kinds[4] = { 0 }; /* SYN, SYN-ACK, RST, other */
    for (guint i = 0; i < N_EVENTS;) {
        conn_t *c = &conns[rnd() % CONCURRENT];
        if (!conn_step(c, &ev[i])) {
            conn_new(c);
            continue;
        }
        guint8 f = ev[i].flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST);
        kinds[f == TCP_FLAG_SYN ? 0 : f == (TCP_FLAG_SYN | TCP_FLAG_ACK) ? 1 : f == TCP_FLAG_RST ? 2 : 3]++;
        i++;
    }

    lbsnat_config_t cfg = {
        .window = LBSNAT_DEFAULT_WINDOW,
        .max_pending = LBSNAT_DEFAULT_MAX_PENDING,
        .max_cases = LBSNAT_DEFAULT_MAX_CASES,
    };
    lbsnat_tracker_t *t = lbsnat_tracker_new(&cfg);
    const gint64 t0 = G_GINT64_CONSTANT(1700000000000000000);
    const gint64 span = (gint64)N_EVENTS * STEP_NS;

    guint64 sink = 0;
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    guint64 done = 0;
    guint32 frame = 1;
    for (guint pass = 0; done < total; pass++) {
        for (guint i = 0; i < N_EVENTS && done < total; i++, done++) {
            lbsnat_segment_t s = ev[i];
            s.frame = frame++;
            const gint64 ns = t0 + pass * span + (gint64)i * STEP_NS;
            s.ts.secs = (time_t)(ns / 1000000000);
            s.ts.nsecs = (int)(ns % 1000000000);
            lbsnat_tracker_feed(t, &s);
            if (verdicts)
                sink += lbsnat_tracker_verdict(t, s.frame) != NULL;
        }
    }
    double wall = now(CLOCK_MONOTONIC) - w0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;

    lbsnat_counters_t k;
    lbsnat_tracker_counters(t, &k);
    printf("tracker-events: %.1f M events (%s), mix per 2M: %.1f%% SYN, %.1f%% SYN-ACK, %.2f%% RST, %.1f%% other\n",
           done / 1e6, verdicts ? "feed + verdict lookup per frame" : "feed only",
           100.0 * kinds[0] / N_EVENTS, 100.0 * kinds[1] / N_EVENTS, 100.0 * kinds[2] / N_EVENTS,
           100.0 * kinds[3] / N_EVENTS);
    printf("tracker-events: %.2f M events/s on one core (%.1f ns/event; wall %.3f s, cpu %.3f s)\n",
           done / cpu / 1e6, cpu * 1e9 / done, wall, cpu);
    printf("tracker-events: pending ports %u (peak %u), expired %" G_GUINT64_FORMAT ", evicted %" G_GUINT64_FORMAT
           ", cases %u (not kept %" G_GUINT64_FORMAT "), verdict hits %" G_GUINT64_FORMAT "\n",
           k.pending_ports, k.peak_pending_ports, k.expired_ports, k.evicted_ports, k.cases, k.cases_not_kept, sink);
    lbsnat_tracker_free(t);
    g_free(ev);
    g_free(conns);
    return 0;
}
