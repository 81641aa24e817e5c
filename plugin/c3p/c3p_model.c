/* c3p_model.c — C3P message classification, the tables of known commands and
 * of the fields in them, and request/response matching.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "c3p/c3p_model.h"

#include "message_copies.h"

#include <stdlib.h>
#include <string.h>

#include <wsutil/str_util.h>
#include <wsutil/strtoi.h>

/* The code attribute's values, in one table for parsing and naming. */
static const struct {
    const char *name;
    c3p_code_t code;
} code_names[] = {
    { "success", C3P_CODE_SUCCESS },
    { "failure", C3P_CODE_FAILURE },
    { "pending", C3P_CODE_PENDING },
    { "other", C3P_CODE_OTHER },
    { "none", C3P_CODE_NONE },
};

c3p_code_t c3p_code_parse(const char *text)
{
    if (!text)
        return C3P_CODE_NONE;
    /* "other" and "none" name codes the wire never carries as such. */
    for (gsize i = 0; i < G_N_ELEMENTS(code_names) && code_names[i].code != C3P_CODE_OTHER; i++)
        if (strcmp(text, code_names[i].name) == 0)
            return code_names[i].code;
    return C3P_CODE_OTHER;
}

const char *c3p_code_name(c3p_code_t code)
{
    for (gsize i = 0; i < G_N_ELEMENTS(code_names); i++)
        if (code_names[i].code == code)
            return code_names[i].name;
    return "none";
}

gboolean c3p_code_is_final(c3p_code_t code)
{
    return code != C3P_CODE_PENDING;
}

/* The role is the first ':'-separated word after "app:conf:" in the opaque
 * URI parameter; parameters end at ';', '>' or '?'. */
char *c3p_target_from_uri(wmem_allocator_t *scope, const char *uri)
{
    static const char marker[] = "opaque=app:conf:";
    if (!uri)
        return NULL;
    const char *p = uri;
    while ((p = strstr(p, ";")) != NULL) {
        p++;
        if (g_ascii_strncasecmp(p, marker, sizeof marker - 1) != 0)
            continue;
        const char *role = p + sizeof marker - 1;
        gsize len = strcspn(role, ":;>? \t\"");
        if (len == 0)
            return NULL;
        return wmem_ascii_strdown(scope, role, (gssize)len);
    }
    return NULL;
}

char *c3p_target_from_http_path(wmem_allocator_t *scope, const char *path)
{
    static const char marker[] = "/liveserver/";
    if (!path)
        return NULL;
    /* Absolute-form request targets ("https://pool:444/LiveServer/…") too. */
    const char *scheme_end = strstr(path, "://");
    if (scheme_end) {
        path = strchr(scheme_end + 3, '/');
        if (!path)
            return NULL;
    }
    if (g_ascii_strncasecmp(path, marker, sizeof marker - 1) != 0)
        return NULL;
    const char *role = path + sizeof marker - 1;
    gsize len = strcspn(role, "/?#");
    if (len == 0)
        return NULL;
    return wmem_ascii_strdown(scope, role, (gssize)len);
}

gboolean c3p_parse_request_id(const char *text, guint64 *out)
{
    /* ws_strtou64 alone would take leading blanks and a sign. */
    if (!text || !g_ascii_isdigit(*text))
        return FALSE;
    return ws_strtou64(text, NULL, out);
}

/* ---- commands and their fields ------------------------------------------------ */

/* In strcmp order: looked up by binary search. Sources: MS-CONFPRO (Focus
 * Factory), MS-CONFBAS (Focus and MCUs), MS-CONFAV (A/V MCU), MS-CONFIM (the
 * IM MCU, which uses MS-CONFBAS commands such as deleteUser). */
static const c3p_command_info_t commands[] = {
    { "addConference", "MS-CONFPRO" },
    { "addUser", "MS-CONFBAS" },
    { "deleteConference", "MS-CONFPRO, MS-CONFBAS" },
    { "deleteUser", "MS-CONFBAS, MS-CONFIM" },
    { "endorseUser", "MS-CONFBAS" },
    { "getAvailableMcuTypes", "MS-CONFPRO" },
    { "getConference", "MS-CONFPRO, MS-CONFBAS" },
    { "getConferences", "MS-CONFPRO" },
    { "getConferencingCapabilities", "MS-CONFPRO" },
    { "modifyConference", "MS-CONFBAS" },
    { "modifyConferenceAnnouncements", "MS-CONFBAS, MS-CONFAV" },
    { "modifyConferenceLock", "MS-CONFBAS" },
    { "modifyEndpoint", "MS-CONFBAS" },
    { "modifyEndpointMedia", "MS-CONFAV" },
    { "modifyUserRoles", "MS-CONFBAS" },
    { "setLobbyAccess", "MS-CONFBAS" },
};

static int compare_command(const void *key, const void *entry)
{
    return strcmp(key, ((const c3p_command_info_t *)entry)->name);
}

const c3p_command_info_t *c3p_command_lookup(const char *name)
{
    return name ? bsearch(name, commands, G_N_ELEMENTS(commands), sizeof commands[0], compare_command) : NULL;
}

const c3p_command_info_t *c3p_commands(gsize *count)
{
    *count = G_N_ELEMENTS(commands);
    return commands;
}

/* Where the specifications put each field, in strcmp order of the element:
 * conferenceKeys, user, roles/entry, endpoint and joining-method (MS-CONFBAS
 * addUser, dial-in and dial-out), userKeys (deleteUser), userEntity and
 * access (setLobbyAccess), mcuType (MS-CONFPRO getAvailableMcuTypes),
 * conference-info, entity-view, conference-id, expiry-time and
 * admission-policy (conference documents of MS-CONFPRO and MS-CONFBAS). */
static const c3p_field_rule_t element_rules[] = {
    { "access", "setLobbyAccess", NULL, NULL, C3P_FIELD_LOBBY_ACCESS },
    { "admission-policy", NULL, NULL, NULL, C3P_FIELD_ADMISSION_POLICY },
    { "conference-id", NULL, NULL, NULL, C3P_FIELD_CONFERENCE_ID },
    { "conference-info", NULL, "entity", NULL, C3P_FIELD_CONFERENCE_ENTITY },
    { "conferenceKeys", NULL, "confEntity", NULL, C3P_FIELD_CONFERENCE_ENTITY },
    { "conferenceKeys", NULL, "userEntity", NULL, C3P_FIELD_USER_ENTITY },
    { "endpoint", NULL, "entity", NULL, C3P_FIELD_ENDPOINT },
    { "endpoint", NULL, "endpoint-uri", NULL, C3P_FIELD_ENDPOINT_URI },
    { "endpoint", NULL, "refer-to-uri", NULL, C3P_FIELD_REFER_TO_URI },
    { "entity-view", NULL, "entity", NULL, C3P_FIELD_MCU_TYPE },
    { "entry", "roles", NULL, NULL, C3P_FIELD_ROLE },
    { "expiry-time", NULL, NULL, NULL, C3P_FIELD_EXPIRY_TIME },
    { "joining-method", NULL, NULL, NULL, C3P_FIELD_JOINING_METHOD },
    { "mcuType", NULL, NULL, NULL, C3P_FIELD_MCU_TYPE },
    { "user", NULL, "entity", NULL, C3P_FIELD_USER_ENTITY },
    { "userEntity", "setLobbyAccess", NULL, NULL, C3P_FIELD_USER_ENTITY },
    { "userKeys", NULL, "confEntity", NULL, C3P_FIELD_CONFERENCE_ENTITY },
    { "userKeys", NULL, "userEntity", NULL, C3P_FIELD_USER_ENTITY },
};

/* Extension attributes any element may carry: the MCU a command is for
 * (mscp:mcuUri, MS-CONFBAS) and the conference ID (msci:conference-id). */
static const c3p_field_rule_t any_element_rules[] = {
    { NULL, NULL, "mcuUri", C3P_NS_CCCP_EXTENSIONS, C3P_FIELD_MCU_URI },
    { NULL, NULL, "conference-id", C3P_NS_CONFINFO_EXTENSIONS, C3P_FIELD_CONFERENCE_ID },
};

static int compare_rule(const void *key, const void *entry)
{
    return strcmp(key, ((const c3p_field_rule_t *)entry)->element);
}

gsize c3p_field_rules(const char *element, const c3p_field_rule_t **rules, const c3p_field_rule_t **any,
                      gsize *any_count)
{
    *any = any_element_rules;
    *any_count = G_N_ELEMENTS(any_element_rules);
    *rules = NULL;
    const c3p_field_rule_t *hit = element ? bsearch(element, element_rules, G_N_ELEMENTS(element_rules),
                                                    sizeof element_rules[0], compare_rule)
                                          : NULL;
    if (!hit)
        return 0;
    const c3p_field_rule_t *first = hit, *end = hit + 1;
    while (first > element_rules && strcmp(first[-1].element, element) == 0)
        first--;
    while (end < element_rules + G_N_ELEMENTS(element_rules) && strcmp(end->element, element) == 0)
        end++;
    *rules = first;
    return (gsize)(end - first);
}

/* ---- matching -------------------------------------------------------------- */

struct c3p_matcher {
    GHashTable *open;          /* key → latest c3p_transaction_t for that key */
    GPtrArray *transactions;   /* owns every transaction */
    message_copies_t *copies;  /* recent messages → their transaction */
};

/* Messages remembered at once to recognise their copies (within the window). */
#define C3P_MAX_RECENT_MESSAGES 65536

static void transaction_free(gpointer p)
{
    c3p_transaction_t *t = p;
    g_free(t->command);
    g_free(t->target);
    g_free(t);
}

c3p_matcher_t *c3p_matcher_new(void)
{
    c3p_matcher_t *m = g_new0(c3p_matcher_t, 1);
    m->open = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    m->transactions = g_ptr_array_new_with_free_func(transaction_free);
    m->copies = message_copies_new(MESSAGE_COPIES_WINDOW, C3P_MAX_RECENT_MESSAGES);
    return m;
}

void c3p_matcher_free(c3p_matcher_t *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->open);
    g_ptr_array_free(m->transactions, TRUE);
    message_copies_free(m->copies);
    g_free(m);
}

/* Requests are keyed in their own direction: (conversation, id, from, to). The
 * separator cannot occur in XML attribute text. */
static char *transaction_key(guint32 conversation, guint64 request_id, const char *from, const char *to)
{
    return g_strdup_printf("%u\x01%" G_GUINT64_FORMAT "\x01%s\x01%s", conversation, request_id,
                           from ? from : "", to ? to : "");
}

/* What makes two messages copies of one: kind, id, from, to and bytes; not
 * the conversation, which differs between a message and a proxy's forward. */
static char *copy_key(char kind, const c3p_seen_t *seen)
{
    return g_strdup_printf("%c\x01%" G_GUINT64_FORMAT "\x01%s\x01%s\x01%" G_GSIZE_FORMAT "\x01%" G_GINT64_MODIFIER "x",
                           kind, seen->request_id, seen->from ? seen->from : "", seen->to ? seen->to : "",
                           seen->body_len, message_copies_digest(seen->body, seen->body_len));
}

/* The first copy of this message within the window, if any. Otherwise *key
 * is the message's copy key, for first_copy(). */
static c3p_match_t find_copy(c3p_matcher_t *m, char kind, const c3p_seen_t *seen, char **key)
{
    gconstpointer first = NULL;
    c3p_match_t match = { 0 };
    *key = copy_key(kind, seen);
    match.duplicate_of = message_copies_find(m->copies, *key, &seen->ts, &first);
    match.transaction = first;
    if (match.duplicate_of) {
        g_free(*key);
        *key = NULL;
    }
    return match;
}

/* The first copy of a message, matched to t: remembered for its copies. */
static c3p_match_t first_copy(c3p_matcher_t *m, char *key, const c3p_seen_t *seen, const c3p_transaction_t *t)
{
    message_copies_add(m->copies, key, &seen->ts, seen->frame, t);
    g_free(key);
    c3p_match_t match = { .transaction = t };
    return match;
}

static c3p_transaction_t *open_request(c3p_matcher_t *m, const c3p_seen_t *seen, const char *command,
                                       const char *target)
{
    char *key = transaction_key(seen->conversation, seen->request_id, seen->from, seen->to);
    c3p_transaction_t *t = g_hash_table_lookup(m->open, key);
    if (t && !t->response_frame) {
        g_free(key);
        return t;
    }
    t = g_new0(c3p_transaction_t, 1);
    t->id = m->transactions->len + 1;
    t->request_frame = seen->frame;
    t->request_time = seen->ts;
    t->command = g_strdup(command);
    t->target = g_strdup(target);
    g_ptr_array_add(m->transactions, t);
    g_hash_table_replace(m->open, key, t);
    return t;
}

static c3p_transaction_t *answer_request(c3p_matcher_t *m, const c3p_seen_t *seen, c3p_code_t code)
{
    char *key = transaction_key(seen->conversation, seen->request_id, seen->to, seen->from);
    c3p_transaction_t *t = g_hash_table_lookup(m->open, key);
    g_free(key);
    if (t && !c3p_code_is_final(code)) {
        if (!t->pending_frame && !t->response_frame)
            t->pending_frame = seen->frame;
    } else if (t && !t->response_frame) {
        t->response_frame = seen->frame;
        t->response_time = seen->ts;
        t->code = code;
    }
    return t;
}

/* A copy of a request on a connection of its own (the next hop behind a
 * balancer or proxy) is answered there: its response must find the
 * transaction on that connection too. */
static void expect_response_on(c3p_matcher_t *m, const c3p_seen_t *seen, c3p_transaction_t *t)
{
    char *key = transaction_key(seen->conversation, seen->request_id, seen->from, seen->to);
    const c3p_transaction_t *open = g_hash_table_lookup(m->open, key);
    if (!open || open->response_frame)
        g_hash_table_replace(m->open, key, t);
    else
        g_free(key);
}

c3p_match_t c3p_matcher_request(c3p_matcher_t *m, const c3p_seen_t *seen, const char *command, const char *target)
{
    char *key;
    const c3p_match_t copy = find_copy(m, 'Q', seen, &key);
    if (!copy.duplicate_of)
        return first_copy(m, key, seen, open_request(m, seen, command, target));
    if (copy.transaction) /* the matcher's own: transaction n is the n-th it holds */
        expect_response_on(m, seen, g_ptr_array_index(m->transactions, copy.transaction->id - 1));
    return copy;
}

c3p_match_t c3p_matcher_response(c3p_matcher_t *m, const c3p_seen_t *seen, c3p_code_t code)
{
    char *key;
    const c3p_match_t copy = find_copy(m, 'R', seen, &key);
    return copy.duplicate_of ? copy : first_copy(m, key, seen, answer_request(m, seen, code));
}

guint c3p_matcher_transaction_count(const c3p_matcher_t *m)
{
    return m->transactions->len;
}
