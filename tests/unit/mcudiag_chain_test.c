/* mcudiag_chain_test.c — the diagnosis names the VIP, members, client, frames
 * and fix; says "no fault" when there is none.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_chain.h"
#include "test_time.h"

static host_addr_t v4(const char *text)
{
    ws_in4_addr bytes;
    g_assert_true(ws_inet_pton4(text, &bytes));
    host_addr_t a;
    host_addr_set(&a, &bytes, sizeof bytes);
    return a;
}

static void feed(lbsnat_tracker_t *t, mcudiag_chain_t *chain, guint32 frame, const char *src, guint16 sport,
                 const char *dst, guint16 dport, guint32 seq, guint32 ack, guint8 flags)
{
    lbsnat_segment_t s = { .frame = frame, .ts = at_ns(frame * 1000), .src = v4(src), .dst = v4(dst),
                           .src_port = sport, .dst_port = dport, .seq = seq, .ack = ack, .flags = flags };
    lbsnat_tracker_feed(t, &s);
    const lbsnat_member_view_t *mv = lbsnat_tracker_member_view(t, frame);
    if (mv) {
        lbsnat_tap_info_t info = { .member_view = mv, .frame = frame };
        mcudiag_chain_add_lbsnat(chain, &info);
    }
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
    lbsnat_config_t cfg = { .window = LBSNAT_DEFAULT_WINDOW, .max_pending = 100, .max_cases = 100 };
    lbsnat_tracker_t *t = lbsnat_tracker_new(&cfg);
    feed(t, chain, 1, "10.137.2.12", 50000, "10.137.2.11", 444, 1000, 0, TCP_FLAG_SYN);
    feed(t, chain, 2, "10.137.2.13", 444, "10.137.2.12", 50000, 7000, 1001, TCP_FLAG_SYN | TCP_FLAG_ACK);
    feed(t, chain, 3, "10.137.2.12", 50000, "10.137.2.13", 444, 1001, 0, TCP_FLAG_RST);
    return t;
}

static void test_case_md_story(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    lbsnat_tracker_t *t = feed_field_case(chain);

    char *text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "Load balancer VIP 10.137.2.11:444 forwards without SNAT (confidence high)"));
    g_assert_nonnull(strstr(text, "pool member 10.137.2.13 answered 10.137.2.12 directly"));
    g_assert_nonnull(strstr(text, "foreign SYN-ACKs in frame 2)"));
    g_assert_nonnull(strstr(text, "the client reset them (frame 3)"));
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
                                     "was sent, from 10.137.2.12 (frame 3)");
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

static lbsnat_tracker_t *tracker_new(void)
{
    lbsnat_config_t cfg = { .window = LBSNAT_DEFAULT_WINDOW, .max_pending = 100, .max_cases = 100 };
    return lbsnat_tracker_new(&cfg);
}

#define SYN TCP_FLAG_SYN
#define SYNACK (TCP_FLAG_SYN | TCP_FLAG_ACK)
#define RST TCP_FLAG_RST

/* Both Front Ends post their health through their own pool VIP; a SPAN of the
 * segment shows each SYN before and after the rewrite. Frames are fed ~1 µs
 * apart (feed() uses frame * 1000 ns), well inside the copy window. */
static void test_span_both_members(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    lbsnat_tracker_t *t = tracker_new();
    feed(t, chain, 1, "10.137.2.12", 50000, "10.137.2.11", 444, 1000, 0, SYN);
    feed(t, chain, 2, "10.137.2.12", 50000, "10.137.2.13", 444, 1000, 0, SYN);
    feed(t, chain, 3, "10.137.2.13", 444, "10.137.2.12", 50000, 7000, 1001, SYNACK);
    feed(t, chain, 4, "10.137.2.12", 50000, "10.137.2.13", 444, 1001, 0, RST);
    feed(t, chain, 5, "10.137.2.13", 40000, "10.137.2.11", 444, 2000, 0, SYN);
    feed(t, chain, 6, "10.137.2.13", 40000, "10.137.2.12", 444, 2000, 0, SYN);
    feed(t, chain, 7, "10.137.2.12", 444, "10.137.2.13", 40000, 9000, 2001, SYNACK);
    feed(t, chain, 8, "10.137.2.13", 40000, "10.137.2.12", 444, 2001, 0, RST);
    mcudiag_chain_add_failed_connection(chain, "10.137.2.12", 444, 4, 1);
    mcudiag_chain_add_failed_connection(chain, "10.137.2.13", 444, 8, 2);
    mcudiag_chain_add_conferencing_host(chain, "10.137.2.12", MCUDIAG_CONF_SIP);

    char *text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "2. Load balancer VIP 10.137.2.11:444 forwards without SNAT (confidence high)"));
    g_assert_nonnull(strstr(text, "pool members 10.137.2.13 and 10.137.2.12 answered their clients directly instead "
                                  "of the VIP (10.137.2.13 answered 10.137.2.12 and 10.137.2.12 answered 10.137.2.13), "
                                  "in 2 connection attempts (foreign SYN-ACKs in frames 3, 7); the client reset them "
                                  "(frames 4, 8)."));
    g_assert_nonnull(strstr(text, "pool members calling their own VIP"));
    g_assert_nonnull(strstr(text, "Certainty that these are MCU health notifications: medium"));
    g_assert_nonnull(strstr(text, "Cause: the load balancer in the next finding."));
    g_assert_null(strstr(text, "check its certificate"));
    g_free(text);
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(t);
}

/* Capture on the member that answered (edge case 10): the client resets the
 * member's SYN-ACK and sends the SYN again. */
static void feed_member_view(lbsnat_tracker_t *t, mcudiag_chain_t *chain, guint32 first)
{
    for (guint32 i = 0; i < 2; i++) {
        guint32 f = first + 3 * i;
        /* SYN retransmissions are a second apart: frames far apart in time. */
        lbsnat_segment_t syn = { .frame = f, .ts = at_ns((gint64)i * 1000000000 + f), .src = v4("10.137.2.12"),
                                 .dst = v4("10.137.2.13"), .src_port = 50000, .dst_port = 444, .seq = 1000,
                                 .flags = SYN };
        lbsnat_tracker_feed(t, &syn);
        lbsnat_segment_t sa = syn, rst = syn;
        sa.frame = f + 1, sa.ts.nsecs += 10, sa.src = syn.dst, sa.dst = syn.src, sa.src_port = 444,
        sa.dst_port = 50000, sa.seq = 7000 + i, sa.ack = 1001, sa.flags = SYNACK;
        lbsnat_tracker_feed(t, &sa);
        rst.frame = f + 2, rst.ts.nsecs += 20, rst.seq = 1001, rst.flags = RST;
        lbsnat_tracker_feed(t, &rst);
        for (guint32 g = f; g <= f + 2; g++) {
            const lbsnat_member_view_t *mv = lbsnat_tracker_member_view(t, g);
            if (!mv)
                continue;
            lbsnat_tap_info_t info = { .member_view = mv, .frame = g };
            mcudiag_chain_add_lbsnat(chain, &info);
        }
    }
}

static void test_member_view_alone_and_tied(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    lbsnat_tracker_t *t = tracker_new();
    feed_member_view(t, chain, 1);
    mcudiag_chain_add_failed_connection(chain, "10.137.2.12", 444, 3, 0);
    char *text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "2. A client reset this member's SYN-ACK to a SYN it sent elsewhere: likely a "
                                  "balancer without SNAT in front of this member (10.137.2.13:444, confidence medium)."));
    g_assert_nonnull(strstr(text, "Evidence: 10.137.2.12 reset the SYN-ACKs of 10.137.2.13:444 (first in frame 3)"));
    g_assert_nonnull(strstr(text, "Cause: most likely the load balancer without SNAT below"));
    g_assert_null(strstr(text, "check its certificate"));
    g_free(text);

    /* Merged with a capture that shows the VIP: the same fault, one finding. */
    lbsnat_tracker_free(t);
    mcudiag_chain_reset(chain);
    t = tracker_new();
    feed(t, chain, 1, "10.137.2.13", 40000, "10.137.2.11", 444, 2000, 0, SYN);
    feed(t, chain, 2, "10.137.2.12", 444, "10.137.2.13", 40000, 9000, 2001, SYNACK);
    feed(t, chain, 3, "10.137.2.13", 40000, "10.137.2.12", 444, 2001, 0, RST);
    feed_member_view(t, chain, 10);
    text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "1. Load balancer VIP 10.137.2.11:444 forwards without SNAT"));
    g_assert_nonnull(strstr(text, "Seen from the member's side too: 10.137.2.12 reset the SYN-ACKs of 10.137.2.13 "
                                  "to SYNs sent to the VIP, and sent them again (first resets in frame 12)."));
    g_assert_null(strstr(text, "2. "));
    g_free(text);
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(t);
}

/* A port scan that touched 444: c3pconn sees a failed connection, but the
 * host sweeps ports and nothing else ties it to conferencing. */
static void test_port_scan_is_not_event_61013(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    for (guint16 port = 440; port < 440 + MCUDIAG_SWEEP_ENDPOINTS; port++)
        mcudiag_chain_add_syn(chain, "192.0.2.66", "10.137.2.12", port);
    mcudiag_chain_add_failed_connection(chain, "192.0.2.66", 444, 5, 0);
    char *text = mcudiag_chain_render(chain);
    g_assert_null(strstr(text, "1. "));
    g_assert_null(strstr(text, "61013 and"));
    g_assert_nonnull(strstr(text, "No fault found"));
    g_assert_nonnull(strstr(text, "Not conferencing: 192.0.2.66 called 16 or more ports or servers (a sweep"));
    g_free(text);

    /* One failed connection, no sign of conferencing and no VIP: a note, no finding. */
    mcudiag_chain_reset(chain);
    mcudiag_chain_add_syn(chain, "192.0.2.67", "10.137.2.12", 444);
    mcudiag_chain_add_failed_connection(chain, "192.0.2.67", 444, 1, 0);
    text = mcudiag_chain_render(chain);
    g_assert_null(strstr(text, "1. "));
    g_assert_nonnull(strstr(text, "No fault found"));
    g_assert_nonnull(strstr(text, "Note: connections from 192.0.2.67 to the conferencing port failed before any "
                                  "request (frame 1), but nothing in this capture ties these hosts to conferencing"));
    g_assert_null(strstr(text, "check its certificate"));
    g_free(text);

    /* A conferencing host with no balancer evidence: certificates are the next suspect. */
    mcudiag_chain_add_conferencing_host(chain, "192.0.2.67", MCUDIAG_CONF_C3P);
    text = mcudiag_chain_render(chain);
    g_assert_nonnull(strstr(text, "Certainty that these are MCU health notifications: high"));
    g_assert_nonnull(strstr(text, "check its certificate"));
    g_free(text);
    mcudiag_chain_free(chain);
}

/* The model behind the text: one finding with its fields, and the kinds' names. */
static void test_findings_model(void)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    lbsnat_tracker_t *t = feed_field_case(chain);
    mcudiag_chain_add_failed_connection(chain, "10.137.2.12", 444, 3, 1);
    mcudiag_findings_t *set = mcudiag_chain_findings(chain);
    g_assert_cmpuint(set->findings->len, ==, 2);
    const mcudiag_finding_t *conn = g_ptr_array_index(set->findings, 0);
    g_assert_cmpint(conn->kind, ==, MCUDIAG_FINDING_FAILED_CONNECTIONS);
    g_assert_cmpuint(conn->number, ==, 1);
    g_assert_cmpint(conn->certainty, ==, MCUDIAG_LEVEL_MEDIUM);
    g_assert_cmpint(conn->cause, ==, MCUDIAG_CAUSE_NEXT_FINDING);
    const mcudiag_finding_t *vip = g_ptr_array_index(set->findings, 1);
    g_assert_cmpint(vip->kind, ==, MCUDIAG_FINDING_VIP_WITHOUT_SNAT);
    g_assert_cmpuint(vip->number, ==, 2);
    g_assert_cmpint(vip->confidence, ==, MCUDIAG_LEVEL_HIGH);
    g_assert_cmpstr(vip->address, ==, "10.137.2.11");
    g_assert_cmpuint(vip->port, ==, 444);
    g_assert_cmpstr(vip->endpoint, ==, "10.137.2.11:444");
    g_assert_cmpuint(vip->attempts, ==, 1);
    g_assert_cmpuint(vip->members->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(vip->members, 0), ==, "10.137.2.13");
    g_assert_cmpstr(g_ptr_array_index(vip->clients, 0), ==, "10.137.2.12");
    g_assert_cmpuint(vip->frames->len, ==, 1);
    g_assert_cmpuint(g_array_index(vip->frames, mcudiag_frame_t, 0).frame, ==, 2);
    g_assert_cmpuint(g_array_index(vip->reset_frames, mcudiag_frame_t, 0).frame, ==, 3);
    g_assert_nonnull(strstr(vip->fix, "SNAT automap"));
    g_assert_nonnull(strstr(vip->impact, "event 61013"));
    g_assert_nonnull(vip->missing);
    mcudiag_findings_free(set);

    for (const mcudiag_finding_kind_info_t *k = mcudiag_finding_kinds; k->name; k++)
        g_assert_cmpint(mcudiag_finding_kind_from_name(mcudiag_finding_kind_name(k->kind)), ==, k->kind);
    g_assert_cmpint(mcudiag_finding_kind_from_name("no-such-kind"), ==, 0);
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mcudiag/case-md-story", test_case_md_story);
    g_test_add_func("/mcudiag/symptom-to-cause", test_symptom_to_cause);
    g_test_add_func("/mcudiag/span-both-members", test_span_both_members);
    g_test_add_func("/mcudiag/member-view-alone-and-tied", test_member_view_alone_and_tied);
    g_test_add_func("/mcudiag/port-scan-is-not-event-61013", test_port_scan_is_not_event_61013);
    g_test_add_func("/mcudiag/findings-model", test_findings_model);
    return g_test_run();
}
