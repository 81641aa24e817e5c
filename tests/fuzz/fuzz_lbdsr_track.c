/* fuzz_lbdsr_track.c — libFuzzer harness for the direct-server-return
 * tracker (plugin/lbdsr/lbdsr_track.c): small bounds, then a stream of TCP
 * headers with Ethernet addresses drawn from small tables (so SYNs, forwards
 * and SYN-ACKs meet), TTL notes for any frame, verdict queries; every verdict
 * and connection is checked against what the tracker promises, and the
 * tables against their bounds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz_common.h"

#include "lbdsr/lbdsr_track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0-3 IPv4 10.0.0.1-4, 4-6 IPv6 fd00::1-3, 7 a bad family. */
static host_addr_t fz_ip(unsigned i)
{
    uint8_t bytes[16] = { 0 };
    host_addr_t a;
    i %= 8;
    bytes[0] = i < 4 ? 10 : 0xfd;
    bytes[i < 4 ? 3 : 15] = (uint8_t)(i + 1);
    host_addr_set(&a, bytes, i < 4 ? 4 : i < 7 ? 16 : 5); /* 5 bytes: no family */
    return a;
}

/* 0-4 plain MACs, 5 VRRP's virtual MAC, 6 a group address, 7 HSRP v1. */
static lbdsr_mac_t fz_mac(unsigned i)
{
    static const uint8_t macs[8][6] = {
        { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 }, { 2, 0, 0, 0, 0, 3 }, { 2, 0, 0, 0, 0, 4 },
        { 2, 0, 0, 0, 0, 5 }, { 0, 0, 0x5e, 0, 1, 9 }, { 1, 0, 0x5e, 0, 0, 1 }, { 0, 0, 0x0c, 7, 0xac, 1 },
    };
    lbdsr_mac_t m;
    memcpy(m.bytes, macs[i % 8], 6);
    return m;
}

static void check_conn(const lbdsr_tracker_t *t, const lbdsr_conn_t *c)
{
    FZ_CHECK(c && lbdsr_tracker_conn(t, c->id) == c);
    FZ_CHECK(c->view == LBDSR_VIEW_CALLER || c->view == LBDSR_VIEW_MEMBER);
    FZ_CHECK(c->syn_frame && c->answer_frame && c->syn_frame != c->answer_frame);
    const lbdsr_verdict_t *v = lbdsr_tracker_verdict(t, c->answer_frame);
    FZ_CHECK(v && v->conn == c && v->role == LBDSR_ROLE_ANSWER);
    v = lbdsr_tracker_verdict(t, c->syn_frame);
    FZ_CHECK(v && v->conn == c && v->role == LBDSR_ROLE_SYN);
    if (c->view == LBDSR_VIEW_CALLER)
        FZ_CHECK(memcmp(&c->balancer_mac, &c->member_mac, 6) != 0);
    else
        FZ_CHECK(memcmp(&c->balancer_mac, &c->client_mac, 6) != 0);
    FZ_CHECK(!lbdsr_mac_is_virtual_router(&c->balancer_mac));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input_t in = { data, size };
    lbdsr_config_t config;
    lbdsr_config_default(&config);
    config.max_pending = 1 + fz_u8(&in) % 16;
    config.max_addresses = 1 + fz_u8(&in) % 8;
    config.max_conns = 1 + fz_u8(&in) % 16;
    const guint16 window_ms = fz_u16(&in);
    config.window = (nstime_t)NSTIME_INIT_SECS_MSECS(window_ms / 1000, window_ms % 1000);
    lbdsr_tracker_t *t = lbdsr_tracker_new(&config);
    guint32 frame = 0;
    nstime_t now = NSTIME_INIT_ZERO;
    guint events = 0;
    while (in.n > 0 && events++ < 4096) {
        const uint8_t op = fz_u8(&in);
        if (op < 0xc0) {
            lbdsr_segment_t s;
            memset(&s, 0, sizeof s);
            s.frame = ++frame;
            fz_clock_step(&now, (gint64)(int16_t)fz_u16(&in) * 1000000);
            s.ts = frame_time(&now);
            const uint8_t who = fz_u8(&in);
            s.src = fz_ip(who);
            s.dst = fz_ip(who >> 3);
            s.src_port = (op & 1) ? 444 : 40000 + (op >> 1 & 3);
            s.dst_port = (op & 1) ? 40000 + (op >> 3 & 3) : 444;
            static const uint8_t flags[] = { 0x02, 0x12, 0x10, 0x04, 0x14, 0x11, 0x00, 0xff };
            s.flags = flags[op >> 5 & 7];
            s.seq = fz_u8(&in) % 4;
            s.ack = fz_u8(&in) % 5;
            const uint8_t macs = fz_u8(&in);
            s.src_mac = fz_mac(macs);
            s.dst_mac = fz_mac(macs >> 3);
            lbdsr_tracker_feed(t, &s);
            const lbdsr_verdict_t *v = lbdsr_tracker_verdict(t, s.frame);
            if (v)
                check_conn(t, v->conn);
        } else if (op < 0xe0) {
            lbdsr_tracker_note_ttl(t, frame ? 1 + fz_u16(&in) % (frame + 1) : 0, fz_u8(&in));
        } else {
            for (guint id = 1; id <= lbdsr_tracker_conn_count(t); id++) {
                const lbdsr_conn_t *c = lbdsr_tracker_conn(t, id);
                check_conn(t, c);
                const guint8 ttl = c->view == LBDSR_VIEW_CALLER ? c->answer_ttl : c->syn_ttl;
                FZ_CHECK(lbdsr_conn_routed(c) == (ttl && !lbdsr_ttl_is_initial(ttl)));
                char buf[64];
                FZ_CHECK(strlen(host_addr_to_str(&c->client, buf, sizeof buf)) < sizeof buf);
            }
        }
        lbdsr_counters_t k;
        lbdsr_tracker_counters(t, &k);
        FZ_CHECK(k.pending <= config.max_pending && k.addresses <= config.max_addresses &&
                 k.conns <= config.max_conns);
    }
    lbdsr_tracker_free(t);
    return 0;
}
