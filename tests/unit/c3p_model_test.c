/* c3p_model_test.c — C3P targets, codes and request ids, request/response
 * matching (connections to the conferencing port: c3p_connections_test.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "c3p/c3p_model.h"

#include <string.h>

static void assert_target(char *got, const char *expected)
{
    g_assert_cmpstr(got, ==, expected);
    g_free(got);
}

static void test_target_from_uri(void)
{
    assert_target(c3p_target_from_uri("sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory"), "focusfactory");
    assert_target(c3p_target_from_uri("sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046"), "focus");
    assert_target(c3p_target_from_uri("<sip:alice@fabrikam.com;gruu;opaque=app:conf:audio-video:id:X>;tag=1"),
                  "audio-video");
    assert_target(c3p_target_from_uri("sip:a@b;gruu;OPAQUE=app:conf:Chat:id:1"), "chat");
    assert_target(c3p_target_from_uri("sip:alice@contoso.com"), NULL);
    assert_target(c3p_target_from_uri("sip:pool@contoso.com;gruu;opaque=srvr:mcufactory"), NULL);
    assert_target(c3p_target_from_uri("sip:a@b;opaque=app:conf:"), NULL);
    assert_target(c3p_target_from_uri(NULL), NULL);
}

static void test_target_from_http_path(void)
{
    assert_target(c3p_target_from_http_path("/LiveServer/MCUFactory/"), "mcufactory");
    assert_target(c3p_target_from_http_path("/liveserver/Focus/conf?x=1"), "focus");
    assert_target(c3p_target_from_http_path("https://pool01.contoso.com:444/LiveServer/IMMCU/"), "immcu");
    assert_target(c3p_target_from_http_path("/LiveServer/"), NULL);
    assert_target(c3p_target_from_http_path("/index.html"), NULL);
    assert_target(c3p_target_from_http_path("https://host"), NULL);
    assert_target(c3p_target_from_http_path(NULL), NULL);
}

static void test_codes_and_ids(void)
{
    g_assert_cmpint(c3p_code_parse("success"), ==, C3P_CODE_SUCCESS);
    g_assert_cmpint(c3p_code_parse("failure"), ==, C3P_CODE_FAILURE);
    g_assert_cmpint(c3p_code_parse("pending"), ==, C3P_CODE_PENDING);
    g_assert_cmpint(c3p_code_parse("Success"), ==, C3P_CODE_OTHER);
    g_assert_cmpint(c3p_code_parse(NULL), ==, C3P_CODE_NONE);
    g_assert_false(c3p_code_is_final(C3P_CODE_PENDING));

    guint64 id = 0;
    g_assert_true(c3p_parse_request_id("355465752", &id));
    g_assert_cmpuint(id, ==, 355465752);
    g_assert_true(c3p_parse_request_id("18446744073709551615", &id));
    g_assert_cmpuint(id, ==, G_MAXUINT64);
    g_assert_false(c3p_parse_request_id("18446744073709551616", &id));
    g_assert_false(c3p_parse_request_id("-1", &id));
    g_assert_false(c3p_parse_request_id("7 ", &id));
    g_assert_false(c3p_parse_request_id("", &id));
    g_assert_false(c3p_parse_request_id(NULL, &id));

    g_assert_true(c3p_is_known_command("addUser"));
    g_assert_false(c3p_is_known_command("adduser"));
    g_assert_false(c3p_is_known_command("healthNotification"));
    g_assert_cmpstr(c3p_health_state_name(3), ==, "Unavailable");
    g_assert_null(c3p_health_state_name(4));
}

#define FF "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory"
#define ALICE "sip:alice@contoso.com"

#define MS G_GINT64_CONSTANT(1000000)

/* A message of conversation conv with this id and from/to; its bytes are the
 * from/to text, so two messages with the same from/to have the same bytes. */
static c3p_seen_t seen(guint32 conv, guint64 id, const char *from, const char *to, guint32 frame, gint64 time_ns)
{
    c3p_seen_t s = { .conversation = conv, .request_id = id, .from = from, .to = to,
                     .body = to, .body_len = strlen(to), .frame = frame, .time_ns = time_ns };
    return s;
}

static const c3p_transaction_t *request(c3p_matcher_t *m, c3p_seen_t s, const char *target)
{
    c3p_match_t match = c3p_matcher_request(m, &s, "getAvailableMcuTypes", target);
    g_assert_cmpuint(match.duplicate_of, ==, 0);
    return match.transaction;
}

static const c3p_transaction_t *response(c3p_matcher_t *m, c3p_seen_t s, c3p_code_t code)
{
    c3p_match_t match = c3p_matcher_response(m, &s, code);
    g_assert_cmpuint(match.duplicate_of, ==, 0);
    return match.transaction;
}

static void test_request_response_matching(void)
{
    c3p_matcher_t *m = c3p_matcher_new();
    const c3p_transaction_t *t = request(m, seen(1, 7, ALICE, FF, 10, 1000 * MS), "focusfactory");
    /* A retransmission (a second later) joins the same transaction. */
    g_assert_true(request(m, seen(1, 7, ALICE, FF, 11, 2000 * MS), "focusfactory") == t);
    /* Wrong direction, conversation or id: no match. */
    g_assert_null(response(m, seen(1, 7, ALICE, FF, 12, 3000 * MS), C3P_CODE_SUCCESS));
    g_assert_null(response(m, seen(2, 7, FF, ALICE, 13, 3100 * MS), C3P_CODE_SUCCESS));
    g_assert_null(response(m, seen(1, 8, FF, ALICE, 14, 3200 * MS), C3P_CODE_SUCCESS));
    /* A pending response does not close the request. */
    g_assert_true(response(m, seen(1, 7, FF, ALICE, 15, 4000 * MS), C3P_CODE_PENDING) == t);
    g_assert_cmpuint(t->pending_frame, ==, 15);
    g_assert_cmpuint(t->response_frame, ==, 0);
    g_assert_true(response(m, seen(1, 7, FF, ALICE, 16, 9000 * MS), C3P_CODE_FAILURE) == t);
    g_assert_cmpuint(t->request_frame, ==, 10);
    g_assert_cmpuint(t->response_frame, ==, 16);
    g_assert_cmpint(t->code, ==, C3P_CODE_FAILURE);
    g_assert_cmpint(t->response_time_ns - t->request_time_ns, ==, 8000 * MS);
    g_assert_cmpstr(t->target, ==, "focusfactory");
    /* A later copy of the final response changes nothing. */
    response(m, seen(1, 7, FF, ALICE, 17, 9500 * MS), C3P_CODE_SUCCESS);
    g_assert_cmpuint(t->response_frame, ==, 16);
    /* Once answered, the same key starts a new transaction. */
    const c3p_transaction_t *again = request(m, seen(1, 7, ALICE, FF, 20, 10000 * MS), NULL);
    g_assert_true(again != t);
    g_assert_cmpuint(c3p_matcher_transaction_count(m), ==, 2);
    c3p_matcher_free(m);
}

/* A request and its response captured at two points (or forwarded by a
 * proxy, on another conversation): one transaction; each copy names the first. */
static void test_copies(void)
{
    c3p_matcher_t *m = c3p_matcher_new();
    c3p_seen_t first = seen(1, 9, ALICE, FF, 1, 0);
    const c3p_transaction_t *t = c3p_matcher_request(m, &first, "addConference", NULL).transaction;
    c3p_seen_t answer = seen(1, 9, FF, ALICE, 2, 30 * MS);
    g_assert_true(c3p_matcher_response(m, &answer, C3P_CODE_SUCCESS).transaction == t);
    /* The request's copy comes after the response (the other capture point's clock is late). */
    c3p_seen_t forwarded = seen(5, 9, ALICE, FF, 3, 40 * MS);
    c3p_match_t copy = c3p_matcher_request(m, &forwarded, "addConference", NULL);
    g_assert_true(copy.transaction == t);
    g_assert_cmpuint(copy.duplicate_of, ==, 1);
    c3p_seen_t answer_copy = seen(5, 9, FF, ALICE, 4, 60 * MS);
    copy = c3p_matcher_response(m, &answer_copy, C3P_CODE_SUCCESS);
    g_assert_true(copy.transaction == t);
    g_assert_cmpuint(copy.duplicate_of, ==, 2);
    g_assert_cmpuint(t->response_frame, ==, 2);
    g_assert_cmpuint(c3p_matcher_transaction_count(m), ==, 1);
    /* A balancer's or proxy's next hop: the request's copy on its own
     * connection is answered there, the answer's copy comes back on the first. */
    c3p_seen_t request = seen(1, 11, ALICE, FF, 6, 1000 * MS);
    const c3p_transaction_t *hop = c3p_matcher_request(m, &request, "addUser", NULL).transaction;
    c3p_seen_t next_hop = seen(7, 11, ALICE, FF, 7, 1001 * MS);
    g_assert_cmpuint(c3p_matcher_request(m, &next_hop, "addUser", NULL).duplicate_of, ==, 6);
    c3p_seen_t answered_there = seen(7, 11, FF, ALICE, 8, 1010 * MS);
    copy = c3p_matcher_response(m, &answered_there, C3P_CODE_SUCCESS);
    g_assert_true(copy.transaction == hop);
    g_assert_cmpuint(copy.duplicate_of, ==, 0);
    g_assert_cmpuint(hop->response_frame, ==, 8);
    c3p_seen_t back = seen(1, 11, FF, ALICE, 9, 1011 * MS);
    copy = c3p_matcher_response(m, &back, C3P_CODE_SUCCESS);
    g_assert_true(copy.transaction == hop);
    g_assert_cmpuint(copy.duplicate_of, ==, 8);
    g_assert_cmpuint(c3p_matcher_transaction_count(m), ==, 2);
    /* Other bytes with the same id: not a copy. */
    c3p_seen_t other = seen(1, 11, ALICE, FF, 10, 1012 * MS);
    other.body = "<request/>";
    other.body_len = 10;
    g_assert_cmpuint(c3p_matcher_request(m, &other, "addConference", NULL).duplicate_of, ==, 0);
    g_assert_cmpuint(c3p_matcher_transaction_count(m), ==, 3);
    c3p_matcher_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/c3p/target-from-uri", test_target_from_uri);
    g_test_add_func("/c3p/target-from-http-path", test_target_from_http_path);
    g_test_add_func("/c3p/codes-and-ids", test_codes_and_ids);
    g_test_add_func("/c3p/request-response-matching", test_request_response_matching);
    g_test_add_func("/c3p/copies", test_copies);
    return g_test_run();
}
