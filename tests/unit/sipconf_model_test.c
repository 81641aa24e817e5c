/* sipconf_model_test.c — conference URIs, ms-diagnostics, and conference
 * outcomes from the SIP flows of c3p-protocol.md §5.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sipconf/sipconf_model.h"
#include "test_time.h"

#include <string.h>

#define FOCUS "sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046"
#define CHAT "sip:alice@contoso.com;gruu;opaque=app:conf:chat:id:TDVDW046"
#define AV "sip:alice@contoso.com;gruu;opaque=app:conf:audio-video:id:TDVDW046"
#define FOCUS_B "<sip:bob@contoso.com;gruu;opaque=app:conf:focus:id:B0B>"

static void test_uri(void)
{
    sipconf_uri_t u;
    g_assert_true(sipconf_parse_uri(FOCUS, &u));
    g_assert_cmpstr(u.role, ==, "focus");
    g_assert_cmpstr(u.conference_id, ==, "TDVDW046");
    g_assert_cmpstr(u.organizer, ==, "alice@contoso.com");
    sipconf_uri_clear(&u);
    g_assert_true(sipconf_parse_uri("<sip:bob@fabrikam.com;gruu;opaque=app:conf:focusfactory>", &u));
    g_assert_cmpstr(u.role, ==, "focusfactory");
    g_assert_null(u.conference_id);
    g_assert_cmpstr(u.organizer, ==, "bob@fabrikam.com");
    sipconf_uri_clear(&u);
    g_assert_false(sipconf_parse_uri("sip:bob@fabrikam.com", &u));
    sipconf_uri_clear(&u);
}

static void test_conf_invite_focus_uri(void)
{
    static const char body[] = "<Conferencing version=\"2.0\"><focus-uri>\r\n " FOCUS " </focus-uri>"
                               "<subject>x</subject></Conferencing>";
    char *uri = sipconf_conf_invite_focus_uri(body, strlen(body));
    g_assert_cmpstr(uri, ==, FOCUS);
    g_free(uri);
    /* Only the given bytes are read: the end tag cut off is no URI. */
    g_assert_null(sipconf_conf_invite_focus_uri(body, strlen(body) - 40));
    g_assert_null(sipconf_conf_invite_focus_uri("<focus-uri> </focus-uri>", 24));
    g_assert_null(sipconf_conf_invite_focus_uri("<focus-uri>sip:x", 16));
    g_assert_null(sipconf_conf_invite_focus_uri(NULL, 0));
}

static void test_ms_diagnostics(void)
{
    sipconf_diag_t d;
    g_assert_true(sipconf_parse_ms_diagnostics(" 7002;reason=\"Specified conference does not exist\";source=\"fe1\"", &d));
    g_assert_cmpuint(d.error_id, ==, 7002);
    g_assert_false(d.has_sub_code);
    g_assert_cmpstr(d.reason, ==, "Specified conference does not exist");
    g_assert_cmpstr(d.source, ==, "fe1");
    g_assert_cmpstr(sipconf_diag_component(d.error_id), ==, "A/V Conferencing Server (A/V MCU)");
    sipconf_diag_clear(&d);
    g_assert_true(sipconf_parse_ms_diagnostics("3004.12;source=fe2.contoso.com;reason=Unsupported", &d));
    g_assert_cmpuint(d.error_id, ==, 3004);
    g_assert_true(d.has_sub_code);
    g_assert_cmpuint(d.sub_code, ==, 12);
    g_assert_cmpstr(d.source, ==, "fe2.contoso.com");
    g_assert_cmpstr(d.reason, ==, "Unsupported");
    sipconf_diag_clear(&d);
    g_assert_true(sipconf_parse_ms_diagnostics("6000;reason=\"unterminated", &d));
    g_assert_cmpstr(d.reason, ==, "unterminated");
    g_assert_cmpstr(sipconf_diag_component(6000), ==, "IM Conferencing Server (IM MCU)");
    sipconf_diag_clear(&d);
    g_assert_false(sipconf_parse_ms_diagnostics("reason=x", &d));
    g_assert_false(sipconf_parse_ms_diagnostics("99999999999", &d));
    g_assert_null(sipconf_diag_component(4000));
}

#define MS 1000000 /* nanoseconds */

/* A SIP message as the glue hands it over. */
static sipconf_sip_t sip(const char *method, guint status, const char *call_id, guint32 cseq, const char *to,
                         gint64 time_ns)
{
    sipconf_sip_t m = { .method = method, .status = status, .call_id = call_id, .cseq = cseq,
                        .from_uri = "<sip:alice@contoso.com>", .to_uri = to, .ts = at_ns(time_ns) };
    return m;
}

static const sipconf_message_t *feed(sipconf_tracker_t *t, guint32 frame, sipconf_sip_t m)
{
    return sipconf_tracker_feed(t, frame, &m);
}

/* Frames 1 s apart: no two messages are copies of one another. */
static const sipconf_message_t *at(sipconf_tracker_t *t, guint32 frame, const char *method, guint status,
                                   const char *call_id, guint32 cseq, const char *to)
{
    return feed(t, frame, sip(method, status, call_id, cseq, to, (gint64)frame * 1000 * MS));
}

static void test_join_failed_at_mcu(void)
{
    sipconf_tracker_t *t = sipconf_tracker_new();
    at(t, 1, "SERVICE", 0, "c1", 1, "<sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory>");
    sipconf_tracker_conference_created(t, FOCUS);
    at(t, 2, NULL, 200, "c1", 1, "<sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory>");
    const sipconf_message_t *join = at(t, 3, "INVITE", 0, "c2", 1, "<" FOCUS ">");
    g_assert_cmpint(join->leg, ==, SIPCONF_LEG_FOCUS);
    at(t, 4, NULL, 100, "c2", 1, FOCUS);
    at(t, 5, NULL, 200, "c2", 1, FOCUS);
    g_assert_cmpuint(sipconf_tracker_message(t, 3)->response_frame, ==, 5);
    const sipconf_conference_t *c = sipconf_tracker_conference(t, 1);
    g_assert_cmpint(c->outcome, ==, SIPCONF_JOINED);
    at(t, 6, "SUBSCRIBE", 0, "c3", 1, FOCUS);
    const sipconf_message_t *mcu = at(t, 7, "INVITE", 0, "c4", 1, CHAT);
    g_assert_cmpint(mcu->leg, ==, SIPCONF_LEG_MCU);
    g_assert_cmpint(c->outcome, ==, SIPCONF_JOINED);
    sipconf_diag_t d;
    sipconf_parse_ms_diagnostics("6000;reason=\"no MCU\"", &d);
    sipconf_sip_t failure = sip(NULL, 503, "c4", 1, CHAT, 8000 * (gint64)MS);
    failure.diag = &d;
    const sipconf_message_t *fail = sipconf_tracker_feed(t, 8, &failure);
    sipconf_diag_clear(&d);
    g_assert_cmpuint(fail->request_frame, ==, 7);
    g_assert_false(fail->repeat);
    g_assert_cmpint(c->outcome, ==, SIPCONF_FAILED);
    g_assert_cmpstr(c->failure_where, ==, "chat MCU");
    g_assert_cmpuint(c->failure_status, ==, 503);
    g_assert_cmpuint(c->failure_frame, ==, 8);
    g_assert_cmpuint(c->failure_diag.error_id, ==, 6000);
    g_assert_cmpstr(c->failure_diag.reason, ==, "no MCU");
    g_assert_cmpuint(c->focus_invite_frame, ==, 3);
    g_assert_cmpuint(c->mcu_invite_frame, ==, 7);
    /* Sent again a second later: the same transaction, not a new event. */
    const sipconf_message_t *again = at(t, 9, NULL, 503, "c4", 1, CHAT);
    g_assert_true(again->repeat);
    g_assert_cmpuint(again->duplicate_of, ==, 0);
    g_assert_cmpuint(again->request_frame, ==, 7);
    /* A later success does not undo the failure. */
    at(t, 10, "INVITE", 0, "c5", 1, AV);
    at(t, 11, NULL, 200, "c5", 1, AV);
    g_assert_cmpint(c->outcome, ==, SIPCONF_FAILED);
    g_assert_cmpuint(sipconf_tracker_conference_count(t), ==, 1);
    sipconf_tracker_free(t);
}

/* Transactions are keyed by Call-ID, CSeq number and method: a re-INVITE's
 * 488 answers the re-INVITE, not the INVITE that joined, and leaves the join
 * as it was (RFC 3261 §14.1); a CANCEL's 200 is the CANCEL's, the INVITE's
 * final response is the 487 after it. */
static void test_reinvite_and_cancel(void)
{
    sipconf_tracker_t *t = sipconf_tracker_new();
    at(t, 1, "INVITE", 0, "d0", 1, FOCUS);
    at(t, 2, NULL, 200, "d0", 1, FOCUS);
    at(t, 3, "INVITE", 0, "d1", 1, CHAT);
    at(t, 4, NULL, 200, "d1", 1, CHAT);
    at(t, 5, "ACK", 0, "d1", 1, CHAT);
    const sipconf_conference_t *c = sipconf_tracker_conference(t, 1);
    g_assert_cmpint(c->outcome, ==, SIPCONF_JOINED);
    const sipconf_message_t *reinvite = at(t, 6, "INVITE", 0, "d1", 2, CHAT);
    g_assert_cmpint(reinvite->leg, ==, SIPCONF_LEG_REINVITE);
    const sipconf_message_t *refused = at(t, 7, NULL, 488, "d1", 2, CHAT);
    g_assert_cmpuint(refused->request_frame, ==, 6);
    g_assert_cmpint(refused->leg, ==, SIPCONF_LEG_REINVITE);
    g_assert_cmpuint(sipconf_tracker_message(t, 6)->response_frame, ==, 7);
    g_assert_cmpuint(sipconf_tracker_message(t, 3)->response_frame, ==, 4);
    g_assert_cmpint(c->outcome, ==, SIPCONF_JOINED);
    g_assert_cmpuint(c->mcu_response_frame, ==, 4);

    at(t, 8, "INVITE", 0, "d2", 7, FOCUS_B);
    at(t, 9, NULL, 100, "d2", 7, FOCUS_B);
    at(t, 10, "CANCEL", 0, "d2", 7, FOCUS_B);
    const sipconf_message_t *cancelled = at(t, 11, NULL, 200, "d2", 7, FOCUS_B);
    g_assert_cmpuint(cancelled->request_frame, ==, 10);
    const sipconf_message_t *terminated = at(t, 12, NULL, 487, "d2", 7, FOCUS_B);
    g_assert_cmpuint(terminated->request_frame, ==, 8);
    g_assert_cmpint(terminated->leg, ==, SIPCONF_LEG_FOCUS);
    const sipconf_conference_t *b = sipconf_tracker_conference(t, 2);
    g_assert_cmpuint(b->focus_status, ==, 487);
    g_assert_cmpuint(b->focus_response_frame, ==, 12);
    sipconf_tracker_free(t);
}

/* One message captured at two points (or forwarded by a proxy with a Via of
 * its own): one event, the copy says which frame it repeats. A copy later
 * than the window is a retransmission: the same transaction, not a copy. */
static void test_copies(void)
{
    sipconf_tracker_t *t = sipconf_tracker_new();
    feed(t, 1, sip("INVITE", 0, "e1", 1, CHAT, 0));
    const sipconf_message_t *copy = feed(t, 2, sip("INVITE", 0, "e1", 1, CHAT, 3 * MS));
    g_assert_cmpuint(copy->duplicate_of, ==, 1);
    g_assert_true(copy->repeat);
    g_assert_cmpint(copy->leg, ==, SIPCONF_LEG_MCU);
    const sipconf_message_t *busy = feed(t, 3, sip(NULL, 486, "e1", 1, CHAT, 20 * MS));
    g_assert_cmpuint(busy->request_frame, ==, 1);
    g_assert_false(busy->repeat);
    const sipconf_message_t *busy_copy = feed(t, 4, sip(NULL, 486, "e1", 1, CHAT, 21 * MS));
    g_assert_cmpuint(busy_copy->duplicate_of, ==, 3);
    g_assert_true(busy_copy->repeat);
    const sipconf_conference_t *c = sipconf_tracker_conference(t, 1);
    g_assert_cmpuint(c->failure_frame, ==, 3);
    /* Another status is another message. */
    g_assert_cmpuint(feed(t, 5, sip(NULL, 180, "e1", 1, CHAT, 22 * MS))->duplicate_of, ==, 0);
    /* A UDP retransmission, as SIP says, 500 ms on: not a copy, not new either. */
    sipconf_sip_t resent = sip(NULL, 486, "e1", 1, CHAT, 520 * MS);
    resent.resend = TRUE;
    const sipconf_message_t *again = sipconf_tracker_feed(t, 6, &resent);
    g_assert_cmpuint(again->duplicate_of, ==, 0);
    g_assert_true(again->repeat);
    g_assert_cmpuint(c->failure_frame, ==, 3);
    sipconf_tracker_free(t);
}

static void test_unfinished_and_unrelated(void)
{
    sipconf_tracker_t *t = sipconf_tracker_new();
    at(t, 1, "INVITE", 0, "c1", 1, FOCUS);
    g_assert_cmpint(sipconf_tracker_conference(t, 1)->outcome, ==, SIPCONF_UNFINISHED);
    g_assert_null(at(t, 2, "INVITE", 0, "c2", 1, "<sip:bob@contoso.com>"));
    g_assert_null(at(t, 3, NULL, 200, "unknown", 1, FOCUS));
    g_assert_null(at(t, 4, NULL, 0, "c3", 1, FOCUS));
    g_assert_null(at(t, 5, "INVITE", 0, NULL, 1, FOCUS));
    sipconf_tracker_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sipconf/uri", test_uri);
    g_test_add_func("/sipconf/ms-diagnostics", test_ms_diagnostics);
    g_test_add_func("/sipconf/conf-invite-focus-uri", test_conf_invite_focus_uri);
    g_test_add_func("/sipconf/join-failed-at-mcu", test_join_failed_at_mcu);
    g_test_add_func("/sipconf/reinvite-and-cancel", test_reinvite_and_cancel);
    g_test_add_func("/sipconf/copies", test_copies);
    g_test_add_func("/sipconf/unfinished-and-unrelated", test_unfinished_and_unrelated);
    return g_test_run();
}
