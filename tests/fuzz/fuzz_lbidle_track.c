/* fuzz_lbidle_track.c — libFuzzer harness for the idle-timer tracker
 * (plugin/lbidle/lbidle_track.c): a small configuration, then a stream of TCP
 * headers among a few addresses and ports (data, keep-alives, FINs, RSTs,
 * SYNs, retransmissions) with time moving by anything from microseconds to
 * the ends of time_t and backwards, timer queries, resets and
 * reconfigurations; every verdict, timer and counter checked against what
 * the tracker promises.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz_common.h"
#include "lbidle/lbidle_track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const guint32 seqs[] = { 0, 1, 1000, 1010, 0xfffffff6u, 0xffffffffu };
static const guint8 flag_sets[] = {
    TCP_FLAG_ACK, TCP_FLAG_ACK, TCP_FLAG_ACK, TCP_FLAG_SYN, TCP_FLAG_SYN | TCP_FLAG_ACK,
    TCP_FLAG_RST, TCP_FLAG_RST | TCP_FLAG_ACK, TCP_FLAG_FIN | TCP_FLAG_ACK,
};
static const gint64 steps[] = {
    0, 1000, 100 * 1000 * 1000, G_GINT64_CONSTANT(1500000000), G_GINT64_CONSTANT(5000000000),
    G_GINT64_CONSTANT(1800000000000), -G_GINT64_CONSTANT(3000000000), G_MAXINT64,
};

static void read_config(fz_input_t *in, lbidle_config_t *c)
{
    c->max_connections = fz_u8(in) % 8;
    c->max_services = fz_u8(in) % 4;
    const uint8_t cuts = fz_u8(in);
    c->max_cuts = cuts % 8;
    /* a part of a capture set from the byte's upper bits (the seeds' layout unchanged) */
    c->stitch_from_frame = (cuts >> 3) % 4;
}

static void check_tail(const lbidle_tail_t *tail, gpointer data)
{
    const lbidle_tracker_t *t = data;
    FZ_CHECK(lbidle_tracker_stitching(t) && tail->frame > 0);
}

/* Tails and heads: only with stitching; heads of one to LBIDLE_HEAD_SEGMENTS segments in frame order. */
static void check_stitches(const lbidle_tracker_t *t, const lbidle_config_t *config)
{
    lbidle_tracker_for_each_tail(t, check_tail, (gpointer)(guintptr)t);
    FZ_CHECK(config->stitch_from_frame || lbidle_tracker_head_count(t) == 0);
    FZ_CHECK(lbidle_tracker_head_count(t) <= LBIDLE_MAX_HEADS);
    for (guint i = 0; i < lbidle_tracker_head_count(t); i++) {
        const lbidle_head_t *head = lbidle_tracker_head(t, i);
        FZ_CHECK(head->n >= 1 && head->n <= LBIDLE_HEAD_SEGMENTS);
        for (guint k = 1; k < head->n; k++)
            FZ_CHECK(head->segments[k].frame > head->segments[k - 1].frame);
    }
}

static void check_verdict(const lbidle_tracker_t *t, guint32 frame)
{
    const nstime_t shortest = LBIDLE_SHORTEST_IDLE;
    const lbidle_verdict_t *v = lbidle_tracker_verdict(t, frame);
    if (!v)
        return;
    FZ_CHECK(v->cut && v->role >= LBIDLE_ROLE_RESUME && v->role <= LBIDLE_ROLE_RETRANSMISSION);
    const lbidle_cut_t *cut = v->cut;
    FZ_CHECK(frame_time_cmp(&cut->idle_gap, &shortest) >= 0);
    FZ_CHECK(cut->before_gap_frame < frame);
    if (v->role == LBIDLE_ROLE_RESET)
        FZ_CHECK(cut->reset_frame == frame && cut->behaviour != LBIDLE_BEHAVIOUR_SILENT_DROP);
    if (v->role == LBIDLE_ROLE_RETRANSMISSION)
        FZ_CHECK(cut->behaviour == LBIDLE_BEHAVIOUR_SILENT_DROP &&
                 cut->retransmissions >= LBIDLE_DEAD_RUN_RETRANSMISSIONS && frame <= cut->last_retransmission_frame);
    gboolean listed = FALSE;
    for (guint i = 0; i < lbidle_service_cut_count(cut->service); i++)
        listed = listed || lbidle_service_cut(cut->service, i) == cut;
    FZ_CHECK(listed);
}

static void check_timers(const lbidle_tracker_t *t, const lbidle_config_t *config)
{
    const nstime_t shortest = LBIDLE_SHORTEST_IDLE, zero = NSTIME_INIT_ZERO;
    lbidle_counters_t k;
    lbidle_tracker_counters(t, &k);
    FZ_CHECK(k.connections <= (config->max_connections ? config->max_connections : LBIDLE_DEFAULT_MAX_CONNECTIONS));
    FZ_CHECK(k.services <= (config->max_services ? config->max_services : LBIDLE_DEFAULT_MAX_SERVICES));
    FZ_CHECK(k.cuts <= (config->max_cuts ? config->max_cuts : LBIDLE_DEFAULT_MAX_CUTS));
    FZ_CHECK(lbidle_tracker_service_count(t) == k.services);
    for (guint i = 0; i < k.services; i++) {
        lbidle_timer_t timer;
        lbidle_service_timer(lbidle_tracker_service(t, i), &timer);
        FZ_CHECK(frame_time_cmp(&timer.lower_bound, &zero) >= 0);
        if (timer.found)
            FZ_CHECK(timer.cuts >= 2 && frame_time_cmp(&timer.lower_bound, &shortest) >= 0 &&
                     frame_time_cmp(&timer.lower_bound, &timer.upper_bound) < 0 &&
                     timer.confidence >= LBIDLE_CONFIDENCE_MEDIUM);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input_t in = { data, size };
    lbidle_config_t config;
    read_config(&in, &config);
    lbidle_tracker_t *t = lbidle_tracker_new(&config);
    guint32 frame = 0;
    nstime_t now;
    fz_clock_set(&now, fz_u64(&in));
    guint events = 0;
    while (in.n > 0 && events++ < 4096) {
        uint8_t op = fz_u8(&in);
        if (op < 0xf0) {
            /* wraps at the ends of time_t, as the clock of a broken capture may */
            fz_clock_step(&now, steps[op % G_N_ELEMENTS(steps)]);
            uint8_t ends = fz_u8(&in), numbers = fz_u8(&in);
            lbidle_segment_t s = {
                .frame = ++frame,
                .ts = frame_time(&now),
                .src = fz_addr(ends & 7),
                .dst = fz_addr(ends >> 3 & 7),
                .src_port = fz_ports[(ends >> 6) % FZ_N_PORTS],
                .dst_port = fz_ports[(op >> 4) % FZ_N_PORTS],
                .seq = seqs[numbers % G_N_ELEMENTS(seqs)],
                .ack = seqs[(numbers >> 3) % G_N_ELEMENTS(seqs)],
                .flags = flag_sets[(numbers >> 5) % G_N_ELEMENTS(flag_sets)],
                .payload_len = (op & 8) ? 10 : 0,
            };
            lbidle_tracker_feed(t, &s);
            check_verdict(t, frame);
        } else if (op < 0xfd) {
            check_verdict(t, frame ? 1 + fz_u16(&in) % frame : 0);
            check_timers(t, &config);
        } else if (op == 0xfd) {
            lbidle_tracker_reset(t);
            FZ_CHECK(lbidle_tracker_service_count(t) == 0 && lbidle_tracker_verdict(t, frame) == NULL);
        } else {
            read_config(&in, &config);
            lbidle_tracker_configure(t, &config);
            FZ_CHECK(lbidle_tracker_service_count(t) == 0);
        }
    }
    check_timers(t, &config);
    check_stitches(t, &config);
    lbidle_tracker_free(t);
    return 0;
}
