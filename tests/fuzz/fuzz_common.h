/* fuzz_common.h — turns a libFuzzer byte string into a run of the lbsnat
 * tracker: a configuration, then a sequence of events (TCP headers as the glue
 * would feed them, verdict queries, resets).
 *
 * Addresses, ports and sequence numbers are drawn from small tables so that
 * SYNs, foreign SYN-ACKs, resets and ICMP quotes actually meet and cases form;
 * the window, max_pending and max_cases are small so expiry and eviction run.
 *
 * Frames are fed in increasing order, once each (the tracker's contract: the
 * glue feeds each frame once, on the first pass). Timestamps move forwards
 * and backwards (merged captures) and take any time_t value, wrapping at the
 * ends, and reach the tracker through frame_time() as pinfo->abs_ts does: the
 * window arithmetic must hold everywhere (it once overflowed near 2262, found
 * by this harness).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_FUZZ_COMMON_H
#define MCUDIAG_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsnat/lbsnat_track.h"

/* ---- a cursor over the input ------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
} fz_input_t;

static inline uint8_t fz_u8(fz_input_t *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

/* Little-endian; one read per statement, since the evaluation order of the
 * operands of | is unspecified (gcc and clang differ). */
static inline uint16_t fz_u16(fz_input_t *in)
{
    uint16_t lo = fz_u8(in);
    uint16_t hi = fz_u8(in);
    return (uint16_t)(lo | hi << 8);
}

static inline uint32_t fz_u32(fz_input_t *in)
{
    uint32_t lo = fz_u16(in);
    uint32_t hi = fz_u16(in);
    return lo | hi << 16;
}

static inline uint64_t fz_u64(fz_input_t *in)
{
    uint64_t lo = fz_u32(in);
    uint64_t hi = fz_u32(in);
    return lo | hi << 32;
}

#define FZ_CHECK(cond)                                                                       \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* ---- value tables -------------------------------------------------------- */

/* 0-3: IPv4 10.0.0.1-4; 4-6: IPv6 fd00::1-3; 7: a bad family. */
#define FZ_N_ADDRS 8
static inline host_addr_t fz_addr(unsigned i)
{
    host_addr_t a;
    guint8 bytes[16] = { 0 };
    i %= FZ_N_ADDRS;
    if (i < 4) {
        bytes[0] = 10;
        bytes[3] = (guint8)(i + 1);
        host_addr_set(&a, bytes, 4);
    } else if (i < 7) {
        bytes[0] = 0xfd;
        bytes[15] = (guint8)(i - 3);
        host_addr_set(&a, bytes, 16);
    } else {
        host_addr_set(&a, bytes, 16);
        a.family = 5; /* neither 4 nor 6: the tracker must ignore it */
        a.u.v6.bytes[0] = 1;
    }
    return a;
}

static const guint16 fz_ports[] = { 444, 5061, 40000, 40001, 40002, 0 };
#define FZ_N_PORTS (sizeof fz_ports / sizeof fz_ports[0])

/* Sequence numbers: wrap-around values included (isn + 1 overflows). */
static const guint32 fz_isns[] = { 0, 1, 1000, 2000, 0x7fffffffu, 0xfffffffeu, 0xffffffffu, 123456789u };
#define FZ_N_ISNS (sizeof fz_isns / sizeof fz_isns[0])

static inline guint32 fz_seq(fz_input_t *in)
{
    uint8_t b = fz_u8(in);
    switch (b >> 6) {
    case 0: return fz_isns[b % FZ_N_ISNS];
    case 1: return fz_isns[b % FZ_N_ISNS] + 1; /* an ACK of that ISN */
    case 2: return fz_isns[b % FZ_N_ISNS] + 2;
    default: return fz_u32(in);
    }
}

/* ---- a capture clock ------------------------------------------------------ */

/* A clock as hostile as a capture's: any time_t, set from the input or moved
 * by nanosecond steps that wrap at the ends of time_t (the nanoseconds stay
 * within [0, 1e9), as wiretap keeps them). */
static inline void fz_clock_set(nstime_t *clock, uint64_t raw)
{
    clock->secs = (time_t)raw;
    clock->nsecs = (int)(raw % 1000000000);
}

static inline void fz_clock_step(nstime_t *clock, gint64 step_ns)
{
    const gint64 nsecs = clock->nsecs + step_ns % 1000000000;
    const gint64 secs = step_ns / 1000000000 + (nsecs >= 1000000000) - (nsecs < 0);
    clock->nsecs = (int)((nsecs + 1000000000) % 1000000000);
    clock->secs = (time_t)((guint64)clock->secs + (guint64)secs); /* wraps */
}

/* ---- the run ------------------------------------------------------------- */

typedef struct {
    lbsnat_tracker_t *t;
    guint32 frame;      /* last frame fed (frames are 1, 2, …) */
    nstime_t now;       /* the capture clock */
    lbsnat_config_t config;
    lbsnat_known_vip_t vips[3];
} fz_run_t;

static const nstime_t fz_windows[] = {
    NSTIME_INIT_SECS_NSECS(0, 1), NSTIME_INIT_SECS_USECS(0, 1), NSTIME_INIT_SECS(1), NSTIME_INIT_SECS(2),
    NSTIME_INIT_SECS(60), NSTIME_INIT_SECS(3600), NSTIME_INIT_ZERO, NSTIME_INIT_SECS(G_MAXINT32),
};

static inline void fz_read_config(fz_run_t *r, fz_input_t *in)
{
    uint8_t a = fz_u8(in), b = fz_u8(in), c = fz_u8(in);
    memset(&r->config, 0, sizeof r->config);
    r->config.window = fz_windows[a % (sizeof fz_windows / sizeof fz_windows[0])];
    r->config.max_pending = b % 9;      /* 0 is raised to 1 by the tracker */
    r->config.max_cases = c % 17;       /* 0: every detection is counted, none kept */
    if (b & 0x80)
        r->config.max_pending = LBSNAT_DEFAULT_MAX_PENDING;
    if (c & 0x80)
        r->config.max_cases = LBSNAT_DEFAULT_MAX_CASES;
    uint8_t k = fz_u8(in);
    r->config.n_known_vips = k % 4;
    for (guint i = 0; i < r->config.n_known_vips; i++) {
        r->vips[i].addr = fz_addr(fz_u8(in));
        r->vips[i].port = fz_ports[fz_u8(in) % FZ_N_PORTS];
    }
    r->config.known_vips = r->config.n_known_vips ? r->vips : NULL;
}

static inline void fz_advance_time(fz_run_t *r, fz_input_t *in)
{
    uint8_t b = fz_u8(in);
    gint64 step;
    switch (b >> 5) {
    case 0: step = 0; break;
    case 1: step = (b & 31) * G_GINT64_CONSTANT(1000000); break;           /* ms */
    case 2: step = (b & 31) * G_GINT64_CONSTANT(1000000000); break;        /* s */
    case 3: step = -(gint64)(b & 31) * G_GINT64_CONSTANT(1000000000); break; /* backwards */
    case 4: step = (b & 31) * 30 * G_GINT64_CONSTANT(1000000000); break;  /* beyond the window */
    case 5: step = (gint64)(fz_u32(in) % 100000) * 1000000; break;
    case 6: step = -(gint64)(fz_u32(in) % 100000) * 1000000; break;
    default:
        fz_clock_set(&r->now, fz_u64(in));
        return;
    }
    fz_clock_step(&r->now, step);
}

/* A run starts at a plausible capture time with a configuration from the input. */
static inline void fz_run_start(fz_run_t *r, fz_input_t *in)
{
    memset(r, 0, sizeof *r);
    r->now = (nstime_t)NSTIME_INIT_SECS(1700000000);
    fz_read_config(r, in);
    r->t = lbsnat_tracker_new(&r->config);
}

/* One TCP header: kind, address pair, port pair (a nibble each), a time
 * step, then the sequence numbers the kind needs. Kinds: 0 SYN, 1 SYN-ACK,
 * 2 RST, 3 a SYN-ACK quoted in an ICMP error (sent by its destination, or
 * with bit 7 by another host), 4 ACK, 5 any flags. */
static inline void fz_read_segment(fz_run_t *r, fz_input_t *in, lbsnat_segment_t *seg)
{
    uint8_t kind = fz_u8(in);
    uint8_t addrs = fz_u8(in);
    uint8_t ports = fz_u8(in);
    fz_advance_time(r, in);
    memset(seg, 0, sizeof *seg);
    seg->frame = ++r->frame;
    seg->ts = frame_time(&r->now);
    seg->src = fz_addr(addrs & 15);
    seg->dst = fz_addr(addrs >> 4);
    seg->src_port = fz_ports[(ports & 15) % FZ_N_PORTS];
    seg->dst_port = fz_ports[(ports >> 4) % FZ_N_PORTS];
    switch ((kind & 0x7f) % 6) {
    case 0:
        seg->flags = TCP_FLAG_SYN;
        seg->seq = fz_seq(in);
        break;
    case 1:
        seg->flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
        seg->seq = fz_seq(in);
        seg->ack = fz_seq(in);
        break;
    case 2:
        seg->flags = TCP_FLAG_RST;
        seg->seq = fz_seq(in);
        break;
    case 3:
        seg->flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
        seg->seq = fz_seq(in);
        seg->ack = fz_seq(in);
        seg->quoted_in_icmp = TRUE;
        seg->error_sender = (kind & 0x80) ? fz_addr(fz_u8(in)) : seg->dst;
        break;
    case 4:
        seg->flags = TCP_FLAG_ACK;
        seg->seq = fz_seq(in);
        seg->ack = fz_seq(in);
        break;
    default:
        seg->flags = fz_u8(in);
        seg->seq = fz_seq(in);
        seg->ack = fz_seq(in);
        break;
    }
}

/* Reads the next TCP header and feeds it; returns its frame number. */
static inline guint32 fz_feed_next(fz_run_t *r, fz_input_t *in)
{
    lbsnat_segment_t seg;
    fz_read_segment(r, in, &seg);
    lbsnat_tracker_feed(r->t, &seg);
    return seg.frame;
}

/* What a verdict promises: a kept case, a known role, and for SYN-ACKs,
 * resets and ICMP errors an answer that names this very frame. */
static inline const lbsnat_answer_t *fz_check_verdict(const lbsnat_tracker_t *t, guint32 frame,
                                                      const lbsnat_verdict_t *v)
{
    FZ_CHECK(v->c != NULL);
    FZ_CHECK(lbsnat_tracker_case(t, v->c->id) == v->c);
    FZ_CHECK(v->role >= LBSNAT_ROLE_SYN && v->role <= LBSNAT_ROLE_ICMP_ERROR);
    const lbsnat_answer_t *ans = lbsnat_verdict_answer(v);
    FZ_CHECK(ans != NULL);
    if (v->role == LBSNAT_ROLE_FOREIGN_SYNACK)
        FZ_CHECK(ans->synack_frame == frame);
    else if (v->role != LBSNAT_ROLE_SYN)
        FZ_CHECK(ans->reset_frame == frame && ans->reset_role == v->role);
    FZ_CHECK(!host_addr_equal(&ans->member, &v->c->vip) || v->c->rule == LBSNAT_RULE_FULL_PROXY ||
             ans->member_port != v->c->vip_port);
    const lbsnat_confidence_t conf = lbsnat_case_confidence(v->c);
    FZ_CHECK(conf >= LBSNAT_CONFIDENCE_LOW && conf <= LBSNAT_CONFIDENCE_HIGH);
    return ans;
}

/* The tracker's memory stays under its caps whatever it is fed. */
static inline void fz_check_counters(const fz_run_t *r)
{
    lbsnat_counters_t k;
    lbsnat_tracker_counters(r->t, &k);
    FZ_CHECK(k.pending_ports <= MAX(r->config.max_pending, 1u));
    FZ_CHECK(k.peak_pending_ports <= MAX(r->config.max_pending, 1u));
    FZ_CHECK(k.cases <= r->config.max_cases);
    FZ_CHECK(k.cases == lbsnat_tracker_case_count(r->t));
}

#endif
