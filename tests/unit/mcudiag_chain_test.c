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

static void test_case_md_story(void)
{
    lbsnat_config_t cfg = { .window_ns = LBSNAT_DEFAULT_WINDOW_NS, .max_pending = 100, .max_cases = 100 };
    lbsnat_tracker_t *t = lbsnat_tracker_new(&cfg);
    mcudiag_chain_t *chain = mcudiag_chain_new();
    feed(t, chain, 1, "10.137.2.12", 50000, "10.137.2.11", 444, 1000, 0, LBSNAT_TCP_SYN);
    feed(t, chain, 2, "10.137.2.13", 444, "10.137.2.12", 50000, 7000, 1001, LBSNAT_TCP_SYN | LBSNAT_TCP_ACK);
    feed(t, chain, 3, "10.137.2.12", 50000, "10.137.2.13", 444, 1001, 0, LBSNAT_TCP_RST);

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
    g_assert_nonnull(strstr(text, "No load-balancer fault found"));
    g_free(text);
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mcudiag/case-md-story", test_case_md_story);
    return g_test_run();
}
