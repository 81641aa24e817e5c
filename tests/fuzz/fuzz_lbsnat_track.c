/* fuzz_lbsnat_track.c — libFuzzer harness for the missing-SNAT tracker
 * (plugin/lbsnat/lbsnat_track.c): a configuration, then a stream of TCP
 * headers (SYNs, SYN-ACKs, resets, ICMP-quoted SYN-ACKs, ACKs, anything),
 * verdict queries, resets and reconfigurations, with every verdict, case and
 * counter checked against what the header promises.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input_t in = { data, size };
    fz_run_t r;
    fz_run_start(&r, &in);

    guint events = 0;
    while (in.n > 0 && events++ < 4096) {
        uint8_t op = fz_u8(&in);
        if (op < 0xe0) {
            const guint32 frame = fz_feed_next(&r, &in);
            const lbsnat_verdict_t *v = lbsnat_tracker_verdict(r.t, frame);
            if (v)
                fz_check_verdict(r.t, frame, v);
        } else if (op < 0xf8) {
            /* Query an earlier frame (or one never fed). */
            guint32 frame = r.frame ? 1 + fz_u16(&in) % (r.frame + 2) : fz_u8(&in);
            const lbsnat_verdict_t *v = lbsnat_tracker_verdict(r.t, frame);
            if (v)
                fz_check_verdict(r.t, frame, v);
            /* A copy repeats an earlier frame and is no event of its own. */
            lbsnat_copy_kind_t kind;
            guint32 original = lbsnat_tracker_copy_of(r.t, frame, &kind);
            FZ_CHECK((original == 0) == (kind == LBSNAT_COPY_NONE));
            FZ_CHECK(original < frame || original == 0);
            if (kind == LBSNAT_COPY_SAME)
                FZ_CHECK(!v);
            const lbsnat_member_view_t *mv = lbsnat_tracker_member_view(r.t, frame);
            if (mv) {
                FZ_CHECK(lbsnat_tracker_member_view_by_id(r.t, mv->id) == mv);
                FZ_CHECK(mv->resets >= 1 && mv->frames->len <= LBSNAT_MAX_FRAMES_PER_CASE);
            }
            /* Walk every case, as -z reports and the GUI do. */
            guint n = lbsnat_tracker_case_count(r.t);
            for (guint id = 1; id <= n; id++) {
                const lbsnat_case_t *c = lbsnat_tracker_case(r.t, id);
                FZ_CHECK(c && c->id == id);
                if (c->withdrawn) {
                    /* No balancer after all: none of its frames has a verdict. */
                    FZ_CHECK(c->via_rewrite);
                    for (guint j = 0; j < c->answers->len; j++)
                        FZ_CHECK(!lbsnat_tracker_verdict(r.t, g_array_index(c->answers, lbsnat_answer_t, j).synack_frame));
                    continue;
                }
                for (guint j = 0; j < c->answers->len; j++) {
                    const lbsnat_answer_t *a = &g_array_index(c->answers, lbsnat_answer_t, j);
                    v = lbsnat_tracker_verdict(r.t, a->synack_frame);
                    if (v && v->c == c && v->role == LBSNAT_ROLE_FOREIGN_SYNACK)
                        FZ_CHECK(lbsnat_verdict_answer(v) == a);
                    if (a->reset_frame) {
                        v = lbsnat_tracker_verdict(r.t, a->reset_frame);
                        FZ_CHECK(v && v->c == c && lbsnat_verdict_answer(v) == a);
                    }
                }
                for (guint j = 0; j < c->syn_frames->len; j++) {
                    guint32 f = g_array_index(c->syn_frames, guint32, j);
                    v = lbsnat_tracker_verdict(r.t, f);
                    FZ_CHECK(v && v->c == c && v->role == LBSNAT_ROLE_SYN);
                    fz_check_verdict(r.t, f, v);
                }
            }
        } else if (op < 0xfe) {
            fz_check_counters(&r);
            char buf[HOST_ADDR_STRLEN];
            host_addr_t a = fz_addr(fz_u8(&in));
            a.u.v6.bytes[1] = fz_u8(&in); /* any bytes, any family value */
            a.family = (op & 1) ? a.family : fz_u8(&in);
            host_addr_to_str(&a, buf, sizeof buf);
            FZ_CHECK(strlen(buf) < sizeof buf);
            host_addr_t b = a;
            FZ_CHECK(host_addr_equal(&a, &b));
        } else if (op == 0xfe) {
            lbsnat_tracker_reset(r.t);
            FZ_CHECK(lbsnat_tracker_case_count(r.t) == 0);
            FZ_CHECK(lbsnat_tracker_verdict(r.t, r.frame) == NULL);
        } else {
            fz_read_config(&r, &in);
            lbsnat_tracker_configure(r.t, &r.config);
            FZ_CHECK(lbsnat_tracker_case_count(r.t) == 0);
        }
        fz_check_counters(&r);
    }
    if (getenv("MCUDIAG_FUZZ_DEBUG")) {
        lbsnat_counters_t k;
        lbsnat_tracker_counters(r.t, &k);
        guint confirmed = 0;
        for (guint id = 1; id <= k.cases; id++)
            confirmed += lbsnat_case_confirmed(lbsnat_tracker_case(r.t, id));
        fprintf(stderr, "frames %u, cases %u (confirmed %u, not kept %" G_GUINT64_FORMAT "), pending %u, "
                "expired %" G_GUINT64_FORMAT ", evicted %" G_GUINT64_FORMAT "\n",
                r.frame, k.cases, confirmed, k.cases_not_kept, k.pending_ports, k.expired_ports, k.evicted_ports);
    }
    lbsnat_tracker_free(r.t);
    return 0;
}
