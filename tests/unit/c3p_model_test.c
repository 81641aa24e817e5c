/* c3p_model_test.c — C3P targets, codes and request ids, request/response
 * matching (connections to the conferencing port: c3p_connections_test.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "c3p/c3p_model.h"
#include "test_time.h"

#include <string.h>

static void assert_target(char *got, const char *expected)
{
    g_assert_cmpstr(got, ==, expected);
    g_free(got);
}

static void test_target_from_uri(void)
{
    assert_target(c3p_target_from_uri(NULL, "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory"), "focusfactory");
    assert_target(c3p_target_from_uri(NULL, "sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046"), "focus");
    assert_target(c3p_target_from_uri(NULL, "<sip:alice@fabrikam.com;gruu;opaque=app:conf:audio-video:id:X>;tag=1"),
                  "audio-video");
    assert_target(c3p_target_from_uri(NULL, "sip:a@b;gruu;OPAQUE=app:conf:Chat:id:1"), "chat");
    assert_target(c3p_target_from_uri(NULL, "sip:alice@contoso.com"), NULL);
    assert_target(c3p_target_from_uri(NULL, "sip:pool@contoso.com;gruu;opaque=srvr:mcufactory"), NULL);
    assert_target(c3p_target_from_uri(NULL, "sip:a@b;opaque=app:conf:"), NULL);
    assert_target(c3p_target_from_uri(NULL, NULL), NULL);
}

static void test_target_from_http_path(void)
{
    assert_target(c3p_target_from_http_path(NULL, "/LiveServer/MCUFactory/"), "mcufactory");
    assert_target(c3p_target_from_http_path(NULL, "/liveserver/Focus/conf?x=1"), "focus");
    assert_target(c3p_target_from_http_path(NULL, "https://pool01.contoso.com:444/LiveServer/IMMCU/"), "immcu");
    assert_target(c3p_target_from_http_path(NULL, "/LiveServer/"), NULL);
    assert_target(c3p_target_from_http_path(NULL, "/index.html"), NULL);
    assert_target(c3p_target_from_http_path(NULL, "https://host"), NULL);
    assert_target(c3p_target_from_http_path(NULL, NULL), NULL);
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

    g_assert_false(c3p_parse_request_id(" 7", &id));
    g_assert_false(c3p_parse_request_id("+7", &id));
    g_assert_true(c3p_parse_request_id("0007", &id));
    g_assert_cmpuint(id, ==, 7);

    g_assert_cmpstr(c3p_code_name(C3P_CODE_FAILURE), ==, "failure");
    g_assert_cmpstr(c3p_code_name(C3P_CODE_NONE), ==, "none");
    g_assert_cmpint(c3p_code_parse("other"), ==, C3P_CODE_OTHER);
    g_assert_cmpint(c3p_code_parse("none"), ==, C3P_CODE_OTHER);
}

/* Every command of MS-CONFPRO, MS-CONFBAS and MS-CONFAV the research notes
 * list is known, by its exact name, and nothing else is. */
static void test_commands(void)
{
    static const char *const listed[] = {
        "addConference", "getConference", "getConferences", "deleteConference", "getAvailableMcuTypes",
        "getConferencingCapabilities", "addUser", "endorseUser", "modifyUserRoles", "modifyConferenceLock",
        "deleteUser", "setLobbyAccess", "modifyEndpoint", "modifyConferenceAnnouncements", "modifyConference",
        "modifyEndpointMedia",
    };
    gsize count = 0;
    const c3p_command_info_t *all = c3p_commands(&count);
    g_assert_cmpuint(count, ==, G_N_ELEMENTS(listed));
    for (gsize i = 1; i < count; i++)
        g_assert_cmpint(strcmp(all[i - 1].name, all[i].name), <, 0); /* binary search needs the order */
    for (gsize i = 0; i < G_N_ELEMENTS(listed); i++) {
        const c3p_command_info_t *c = c3p_command_lookup(listed[i]);
        g_assert_nonnull(c);
        g_assert_cmpstr(c->name, ==, listed[i]);
    }
    g_assert_cmpstr(c3p_command_lookup("getAvailableMcuTypes")->spec, ==, "MS-CONFPRO");
    g_assert_cmpstr(c3p_command_lookup("modifyEndpointMedia")->spec, ==, "MS-CONFAV");
    g_assert_null(c3p_command_lookup("adduser"));
    g_assert_null(c3p_command_lookup("healthNotification"));
    g_assert_null(c3p_command_lookup("getConferenc"));
    g_assert_null(c3p_command_lookup(""));
    g_assert_null(c3p_command_lookup(NULL));
}

/* The field of the rule for element/attribute (NULL: text), or -1. */
static int field_of(const char *element, const char *parent, const char *attribute)
{
    const c3p_field_rule_t *rules, *any;
    gsize any_count;
    const gsize n = c3p_field_rules(element, &rules, &any, &any_count);
    for (gsize i = 0; i < n; i++) {
        g_assert_cmpstr(rules[i].element, ==, element);
        if ((!rules[i].parent || g_strcmp0(rules[i].parent, parent) == 0) &&
            g_strcmp0(rules[i].attribute, attribute) == 0)
            return rules[i].field;
    }
    return -1;
}

static void test_field_rules(void)
{
    /* Runs of one element, wherever they sit in the table (first, last, middle). */
    g_assert_cmpint(field_of("access", "setLobbyAccess", NULL), ==, C3P_FIELD_LOBBY_ACCESS);
    g_assert_cmpint(field_of("access", "somethingElse", NULL), ==, -1);
    g_assert_cmpint(field_of("userKeys", NULL, "confEntity"), ==, C3P_FIELD_CONFERENCE_ENTITY);
    g_assert_cmpint(field_of("userKeys", NULL, "userEntity"), ==, C3P_FIELD_USER_ENTITY);
    g_assert_cmpint(field_of("conferenceKeys", NULL, "confEntity"), ==, C3P_FIELD_CONFERENCE_ENTITY);
    g_assert_cmpint(field_of("endpoint", NULL, "entity"), ==, C3P_FIELD_ENDPOINT);
    g_assert_cmpint(field_of("endpoint", NULL, "endpoint-uri"), ==, C3P_FIELD_ENDPOINT_URI);
    g_assert_cmpint(field_of("endpoint", NULL, "refer-to-uri"), ==, C3P_FIELD_REFER_TO_URI);
    g_assert_cmpint(field_of("entry", "roles", NULL), ==, C3P_FIELD_ROLE);
    g_assert_cmpint(field_of("entry", "conf-uris", NULL), ==, -1);
    g_assert_cmpint(field_of("mcuType", NULL, NULL), ==, C3P_FIELD_MCU_TYPE);
    g_assert_cmpint(field_of("joining-method", NULL, NULL), ==, C3P_FIELD_JOINING_METHOD);
    g_assert_cmpint(field_of("conference-info", NULL, "entity"), ==, C3P_FIELD_CONFERENCE_ENTITY);
    g_assert_cmpint(field_of("mcutype", NULL, NULL), ==, -1);
    g_assert_cmpint(field_of("healthState", NULL, NULL), ==, -1);

    const c3p_field_rule_t *rules, *any;
    gsize any_count;
    g_assert_cmpuint(c3p_field_rules(NULL, &rules, &any, &any_count), ==, 0);
    g_assert_null(rules);
    g_assert_cmpuint(any_count, ==, 2);
    g_assert_cmpstr(any[0].attribute, ==, "mcuUri");
    g_assert_cmpstr(any[0].attribute_ns, ==, C3P_NS_CCCP_EXTENSIONS);
    g_assert_cmpint(any[1].field, ==, C3P_FIELD_CONFERENCE_ID);
}

#define FF "sip:alice@contoso.com;gruu;opaque=app:conf:focusfactory"
#define ALICE "sip:alice@contoso.com"

#define MS G_GINT64_CONSTANT(1000000)

/* A message of conversation conv with this id and from/to; its bytes are the
 * from/to text, so two messages with the same from/to have the same bytes. */
static c3p_seen_t seen(guint32 conv, guint64 id, const char *from, const char *to, guint32 frame, gint64 time_ns)
{
    c3p_seen_t s = { .conversation = conv, .request_id = id, .from = from, .to = to,
                     .body = to, .body_len = strlen(to), .frame = frame, .ts = at_ns(time_ns) };
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
    g_assert_cmpint(ns_of(&t->response_time) - ns_of(&t->request_time), ==, 8000 * MS);
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
    g_test_add_func("/c3p/commands", test_commands);
    g_test_add_func("/c3p/field-rules", test_field_rules);
    g_test_add_func("/c3p/request-response-matching", test_request_response_matching);
    g_test_add_func("/c3p/copies", test_copies);
    return g_test_run();
}
