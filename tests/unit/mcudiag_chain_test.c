/* mcudiag_chain_test.c — the diagnosis names the VIP, members, client, frames
 * and fix; says "no fault" when there is none.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <arpa/inet.h>

#include "report/mcudiag_chain.h"

static lbsnat_addr_t v4(const char *text)
{
    lbsnat_addr_t a = { .family = 4 };
    g_assert_cmpint(inet_pton(AF_INET, text, a.bytes), ==, 1);
    return a;
}

static void feed(lbsnat_tracker_t *t, mcudiag_chain_t *chain, guint32 frame, const char *src, guint16 sport,
                 const char *dst, guint16 dport, guint32 seq, guint32 ack, guint8 flags)
{
    lbsnat_segment_t s = { .frame = frame, .time_ns = frame * 1000, .src = v4(src), .dst = v4(dst),
                           .src_port = sport, .dst_port = dport, .seq = seq, .ack = ack, .flags = flags };
    lbsnat_tracker_feed(t, &s);
    const lbsnat_verdict_t *v = lbsnat_tracker_verdict(t, frame);
    if (!v)
        return;
    lbsnat_tap_info_t info = { .c = v->c, .role = v->role, .answer = lbsnat_verdict_answer(v), .frame = frame,
                               .first_answer = v->role == LBSNAT_ROLE_FOREIGN_SYNACK && v->answer_index == 0 };
    mcudiag_chain_add_lbsnat(chain, &info);
}

/* CASE.md on the wire: SYN to the VIP, SYN-ACK from the other Front End, reset. */
static lbsnat_tracker_t *feed_field_case(mcudiag_chain_t *chain)
{
    lbsnat_config_t cfg = { .window_ns = LBSNAT_DEFAULT_WINDOW_NS, .max_pending = 100, .max_cases = 100 };
    lbsnat_tracker_t *t = lbsnat_tracker_new(&cfg);
    feed(t, chain, 1, "10.137.2.12", 50000, "10.137.2.11", 444, 1000, 0, LBSNAT_TCP_SYN);
    feed(t, chain, 2, "10.137.2.13", 444, "10.137.2.12", 50000, 7000, 1001, LBSNAT_TCP_SYN | LBSNAT_TCP_ACK);
    feed(t, chain, 3, "10.137.2.12", 50000, "10.137.2.13", 444, 1001, 0, LBSNAT_TCP_RST);
    return t;
}

static void test_case_md_story(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    lbsnat_tracker_t *t = feed_field_case(chain);

    char *text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "Load balancer VIP 10.137.2.11:444 forwards without SNAT (confidence high)"));
    g_assert_nonnull(strstr(text, "pool member 10.137.2.13 answered 10.137.2.12 directly"));
    g_assert_nonnull(strstr(text, "foreign SYN-ACKs in frames 2)"));
    g_assert_nonnull(strstr(text, "the client reset them (frames 3)"));
    g_assert_nonnull(strstr(text, "health notifications to the MCU Factory"));
    g_assert_nonnull(strstr(text, "Fix: enable source address translation on the virtual server 10.137.2.11:444"));
    g_free(text);

    mcudiag_chain_reset(chain);
    text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "No fault found: 0 conference join legs succeeded"));
    g_assert_null(strstr(text, "1. "));
    g_free(text);
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(t);
}

/* Symptom first: the failed join, then the failed connections, then the cause. */
static void test_symptom_to_cause(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    lbsnat_tracker_t *t = feed_field_case(chain);
    mcudiag_chain_add_failed_connection(chain, "10.137.2.12", 444, 3, 1);
    mcudiag_join_t ok = { .conference_id = "TDVDW046", .where = "Focus", .status = 200, .frame = 20 };
    mcudiag_join_t failed = { .conference_id = "TDVDW046", .organizer = "alice@contoso.com", .where = "chat MCU",
                              .status = 503, .frame = 22, .diag_id = 6000,
                              .diag_component = "IM Conferencing Server (IM MCU)", .diag_reason = "no MCU" };
    mcudiag_chain_add_join(chain, &ok);
    mcudiag_chain_add_join(chain, &failed);

    char *text = mcudiag_chain_render(chain);
    const char *joins = strstr(text, "1. Conference joins failed (1 of 2 join legs answered with an error)");
    const char *conns = strstr(text, "2. HTTPS connections to the conferencing port 444 failed before any request "
                                     "was sent, from 10.137.2.12 (frames 3)");
    const char *vip = strstr(text, "3. Load balancer VIP 10.137.2.11:444 forwards without SNAT");
    g_assert_nonnull(joins);
    g_assert_nonnull(conns);
    g_assert_nonnull(vip);
    g_assert_true(joins < conns && conns < vip);
    g_assert_nonnull(strstr(text, "Conference TDVDW046 of alice@contoso.com: the chat MCU answered 503 (frame 22); "
                                  "ms-diagnostics 6000 (IM Conferencing Server (IM MCU)): \"no MCU\"."));
    g_assert_nonnull(strstr(text, "Cause: the load balancer in the next finding."));
    g_free(text);

    /* Failed joins alone: say which capture would show more. */
    mcudiag_chain_reset(chain);
    mcudiag_chain_add_join(chain, &failed);
    text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "Next: this capture shows no failed connection to the conferencing port 444"));
    g_free(text);
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mcudiag/case-md-story", test_case_md_story);
    g_test_add_func("/mcudiag/symptom-to-cause", test_symptom_to_cause);
    return g_test_run();
}
