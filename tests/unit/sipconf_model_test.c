/* sipconf_model_test.c — conference URIs, ms-diagnostics, and conference
 * outcomes from the SIP flows of c3p-protocol.md §5.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sipconf/sipconf_model.h"

#define FOCUS "sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046"
#define CHAT "sip:alice@contoso.com;gruu;opaque=app:conf:chat:id:TDVDW046"
#define AV "sip:alice@contoso.com;gruu;opaque=app:conf:audio-video:id:TDVDW046"

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

/* Reads a copy of text (sipconf_read_head writes into it, and needs no NUL). */
static gboolean read_head(const char *text, char **copy, sipconf_head_t *head)
{
    const gsize len = strlen(text);
    *copy = g_memdup2(text, len);
    return sipconf_read_head(*copy, len, head);
}

static void test_read_head(void)
{
    sipconf_head_t h;
    char *copy;
    g_assert_true(read_head("SIP/2.0 503 Service Unavailable\r\n"
                            "Via: SIP/2.0/TCP 10.0.0.1:5060\r\n"
                            "i : abc@host \r\n"
                            "CSeq: 4 INVITE\r\n"
                            "MS-Diagnostics: 6000;reason=\"no MCU\";source=\"fe1\"\r\n"
                            "ms-diagnostics: 1;reason=\"second is ignored\"\r\n"
                            "Content-Length: 0\r\n\r\n",
                            &copy, &h));
    g_assert_null(h.method);
    g_assert_cmpuint(h.status, ==, 503);
    g_assert_cmpstr(h.call_id, ==, "abc@host");
    g_assert_cmpstr(h.cseq_method, ==, "INVITE");
    g_assert_cmpstr(h.ms_diagnostics, ==, "6000;reason=\"no MCU\";source=\"fe1\"");
    g_assert_null(h.body);
    g_free(copy);

    /* LF line ends, compact forms, a body cut to Content-Length, a folded line skipped. */
    g_assert_true(read_head("INVITE sip:bob@contoso.com SIP/2.0\n"
                            "Call-ID: x1\n"
                            "Subject: two\n"
                            " INVITE sip:folded SIP/2.0\n"
                            "c: application/ms-conf-invite+xml\n"
                            "CSeq: 1 INVITE\n"
                            "l: 5\n\n"
                            "<a/>.trailing",
                            &copy, &h));
    g_assert_cmpstr(h.method, ==, "INVITE");
    g_assert_cmpstr(h.request_uri, ==, "sip:bob@contoso.com");
    g_assert_cmpuint(h.status, ==, 0);
    g_assert_cmpstr(h.call_id, ==, "x1");
    g_assert_cmpstr(h.content_type, ==, "application/ms-conf-invite+xml");
    g_assert_cmpuint(h.body_len, ==, 5);
    g_assert_true(memcmp(h.body, "<a/>.", 5) == 0);
    g_free(copy);

    /* A head cut short keeps what it read; no body without the blank line. */
    g_assert_true(read_head("SUBSCRIBE sip:conf SIP/2.0\r\nCall-ID: c\r\nCSeq: 3 SUB", &copy, &h));
    g_assert_cmpstr(h.call_id, ==, "c");
    g_assert_null(h.cseq_method);
    g_assert_null(h.body);
    g_free(copy);

    /* Not SIP start lines. */
    const char *not_sip[] = { "HTTP/1.1 200 OK\r\n\r\n", "SIP/2.0 20 OK\r\n", "INVITE sip:x HTTP/1.1\r\n", "SIP/2.0 000 Zero\r\n",
                              "SIP/2.0 700 Out of range\r\n",
                              " sip:x SIP/2.0\r\n", "INVITE SIP/2.0\r\n", "SIP/2.0 200 OK" };
    for (gsize i = 0; i < G_N_ELEMENTS(not_sip); i++) {
        g_assert_false(read_head(not_sip[i], &copy, &h));
        g_free(copy);
    }
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

static void test_join_failed_at_mcu(void)
{
    sipconf_tracker_t *t = sipconf_tracker_new();
    sipconf_tracker_request(t, 1, "SERVICE", "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory", "c1", "SERVICE");
    sipconf_tracker_conference_created(t, FOCUS);
    sipconf_tracker_response(t, 2, 200, "c1", "SERVICE", NULL);
    const sipconf_message_t *join = sipconf_tracker_request(t, 3, "INVITE", FOCUS, "c2", "INVITE");
    g_assert_cmpint(join->leg, ==, SIPCONF_LEG_FOCUS);
    sipconf_tracker_response(t, 4, 100, "c2", "INVITE", NULL);
    sipconf_tracker_response(t, 5, 200, "c2", "INVITE", NULL);
    g_assert_cmpuint(sipconf_tracker_message(t, 3)->response_frame, ==, 5);
    const sipconf_conference_t *c = sipconf_tracker_conference(t, 1);
    g_assert_cmpint(c->outcome, ==, SIPCONF_JOINED);
    sipconf_tracker_request(t, 6, "SUBSCRIBE", FOCUS, "c3", "SUBSCRIBE");
    const sipconf_message_t *mcu = sipconf_tracker_request(t, 7, "INVITE", CHAT, "c4", "INVITE");
    g_assert_cmpint(mcu->leg, ==, SIPCONF_LEG_MCU);
    g_assert_cmpint(c->outcome, ==, SIPCONF_JOINED);
    sipconf_diag_t d;
    sipconf_parse_ms_diagnostics("6000;reason=\"no MCU\"", &d);
    const sipconf_message_t *fail = sipconf_tracker_response(t, 8, 503, "c4", "INVITE", &d);
    sipconf_diag_clear(&d);
    g_assert_cmpuint(fail->request_frame, ==, 7);
    g_assert_cmpint(c->outcome, ==, SIPCONF_FAILED);
    g_assert_cmpstr(c->failure_where, ==, "chat MCU");
    g_assert_cmpuint(c->failure_status, ==, 503);
    g_assert_cmpuint(c->failure_frame, ==, 8);
    g_assert_cmpuint(c->failure_diag.error_id, ==, 6000);
    g_assert_cmpstr(c->failure_diag.reason, ==, "no MCU");
    g_assert_cmpuint(c->focus_invite_frame, ==, 3);
    g_assert_cmpuint(c->mcu_invite_frame, ==, 7);
    /* A later success does not undo the failure. */
    sipconf_tracker_request(t, 9, "INVITE", AV, "c5", "INVITE");
    sipconf_tracker_response(t, 10, 200, "c5", "INVITE", NULL);
    g_assert_cmpint(c->outcome, ==, SIPCONF_FAILED);
    g_assert_cmpuint(sipconf_tracker_conference_count(t), ==, 1);
    sipconf_tracker_free(t);
}

static void test_unfinished_and_unrelated(void)
{
    sipconf_tracker_t *t = sipconf_tracker_new();
    sipconf_tracker_request(t, 1, "INVITE", FOCUS, "c1", "INVITE");
    g_assert_cmpint(sipconf_tracker_conference(t, 1)->outcome, ==, SIPCONF_UNFINISHED);
    g_assert_null(sipconf_tracker_request(t, 2, "INVITE", "sip:bob@contoso.com", "c2", "INVITE"));
    g_assert_null(sipconf_tracker_response(t, 3, 200, "unknown", "INVITE", NULL));
    g_assert_null(sipconf_tracker_request(t, 4, NULL, FOCUS, "c3", "INVITE"));
    sipconf_tracker_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sipconf/uri", test_uri);
    g_test_add_func("/sipconf/ms-diagnostics", test_ms_diagnostics);
    g_test_add_func("/sipconf/read-head", test_read_head);
    g_test_add_func("/sipconf/join-failed-at-mcu", test_join_failed_at_mcu);
    g_test_add_func("/sipconf/unfinished-and-unrelated", test_unfinished_and_unrelated);
    return g_test_run();
}
