/* mcudiag_evidence.c — the chain's evidence as JSON, and back.
 *
 * The JSON report carries, besides the findings, the evidence they were
 * built from ("evidence": attempts and their frames, member views, join legs,
 * failed connections, conferencing hosts, the calls of each client). A
 * capture set cut into chunks is diagnosed by one tshark per chunk; the merge
 * loads every chunk's evidence into one chain and builds the findings once,
 * so the set reads as if it were one capture.
 *
 * Each chunk reads its own files plus the files before them that cover the
 * longest analysis window (its context), concatenated. The merge's manifest
 * says, per chunk, which capture files it read in which order, how many
 * frames each has, and which are its own. A chunk frame number thus names a
 * file and a frame in it; evidence counts only from the chunk that owns the
 * frame it was seen in, so every frame of the set is judged once, by a chunk
 * that saw the window before it. What holds for a whole attempt (that later
 * frames withdrew it, how sure it is) is combined over the chunks.
 *
 * Known limit: a foreign SYN-ACK captured before its SYN (merged captures of
 * skewed clocks) in the last file of one chunk, with the SYN in the next
 * chunk's first file, is recorded by the next chunk at the SYN-ACK's frame,
 * which it does not own: that SYN-ACK is missing from the merge (the SYN and
 * the resets, and so the attempt, are not).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_chain_private.h"
#include "report/mcudiag_json.h"

#include <errno.h>
#include <string.h>

#include <wsutil/wsjson.h>

/* ---- writing ----------------------------------------------------------------- */

static const char *const role_names[] = {
    [LBSNAT_ROLE_SYN] = "syn",
    [LBSNAT_ROLE_FOREIGN_SYNACK] = "foreign-synack",
    [LBSNAT_ROLE_CLIENT_RESET] = "reset",
};

static const char *const conf_evidence_names[] = {
    [MCUDIAG_CONF_SIP] = "sip",
    [MCUDIAG_CONF_C3P] = "c3p",
    [MCUDIAG_CONF_TLS] = "tls",
};

static void member_addr(json_dumper *d, const char *name, const host_addr_t *a)
{
    char buf[64];
    mcudiag_json_member_string(d, name, host_addr_to_str(a, buf, sizeof buf));
}

static void member_frame(json_dumper *d, const mcudiag_findings_t *set, const char *name, const mcudiag_frame_t *f)
{
    json_dumper_set_member_name(d, name);
    mcudiag_json_frame(d, set, f);
}

static void write_attempts(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set)
{
    json_dumper_set_member_name(d, "attempts");
    json_dumper_begin_array(d);
    for (guint i = 0; i < chain->attempts->len; i++) {
        const attempt_t *a = g_ptr_array_index(chain->attempts, i);
        json_dumper_begin_object(d);
        mcudiag_json_member_uint(d, "id", i + 1);
        member_addr(d, "client", &a->client);
        mcudiag_json_member_uint(d, "client_port", a->client_port);
        member_addr(d, "vip", &a->vip);
        mcudiag_json_member_uint(d, "vip_port", a->vip_port);
        mcudiag_json_member_uint(d, "isn", a->isn);
        mcudiag_json_member_string(d, "rule", a->full_proxy ? "full-proxy" : "isn-match");
        mcudiag_json_member_string(d, "confidence", mcudiag_level_name((mcudiag_level_t)a->confidence));
        mcudiag_json_member_string(d, "state", mcudiag_attempt_live(a) ? "live" : "withdrawn");
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);

    json_dumper_set_member_name(d, "attempt_frames");
    json_dumper_begin_array(d);
    for (guint i = 0; i < chain->records->len; i++) {
        const attempt_record_t *r = g_ptr_array_index(chain->records, i);
        guint id = 0;
        g_ptr_array_find(chain->attempts, r->attempt, &id);
        json_dumper_begin_object(d);
        mcudiag_json_member_uint(d, "attempt", id + 1);
        mcudiag_json_member_string(d, "role", role_names[r->role]);
        member_frame(d, set, "frame", &r->frame);
        if (r->role == LBSNAT_ROLE_FOREIGN_SYNACK)
            member_addr(d, "member", &r->member);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
}

static void write_views(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set)
{
    json_dumper_set_member_name(d, "member_views");
    json_dumper_begin_array(d);
    for (guint i = 0; i < chain->views->len; i++) {
        const view_t *v = g_ptr_array_index(chain->views, i);
        json_dumper_begin_object(d);
        member_addr(d, "member", &v->member);
        mcudiag_json_member_uint(d, "port", v->port);
        member_addr(d, "client", &v->client);
        mcudiag_json_member_uint(d, "client_port", v->client_port);
        mcudiag_json_member_uint(d, "isn", v->isn);
        member_frame(d, set, "frame", &v->at);
        member_frame(d, set, "first_reset", &v->first_reset);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
}

static void write_joins_and_failures(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set)
{
    json_dumper_set_member_name(d, "joins");
    json_dumper_begin_array(d);
    for (guint i = 0; i < chain->joins->len; i++) {
        const mcudiag_join_leg_t *j = g_ptr_array_index(chain->joins, i);
        json_dumper_begin_object(d);
        member_frame(d, set, "frame", &j->frame);
        mcudiag_json_member_uint(d, "status", j->status);
        mcudiag_json_member_string(d, "conference_id", j->conference_id);
        mcudiag_json_member_string(d, "organizer", j->organizer);
        mcudiag_json_member_string(d, "where", j->where);
        mcudiag_json_member_uint(d, "diag_id", j->diag_id);
        mcudiag_json_member_string(d, "diag_component", j->diag_component);
        mcudiag_json_member_string(d, "diag_reason", j->diag_reason);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);

    json_dumper_set_member_name(d, "failed_connections");
    json_dumper_begin_array(d);
    for (guint i = 0; i < chain->failed_connections->len; i++) {
        const failed_connection_t *fc = g_ptr_array_index(chain->failed_connections, i);
        json_dumper_begin_object(d);
        member_frame(d, set, "frame", &fc->frame);
        mcudiag_json_member_string(d, "client", fc->client);
        mcudiag_json_member_uint(d, "port", fc->port);
        mcudiag_json_member_string(d, "cause", fc->explained ? "lbsnat" : "unknown");
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
}

static void write_hosts(json_dumper *d, const mcudiag_chain_t *chain)
{
    GHashTableIter it;
    gpointer key, value;
    json_dumper_set_member_name(d, "conferencing_hosts");
    json_dumper_begin_array(d);
    g_hash_table_iter_init(&it, chain->conf_hosts);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        json_dumper_begin_object(d);
        mcudiag_json_member_string(d, "host", key);
        json_dumper_set_member_name(d, "evidence");
        json_dumper_begin_array(d);
        for (guint k = MCUDIAG_CONF_SIP; k <= MCUDIAG_CONF_TLS; k++)
            if (GPOINTER_TO_UINT(value) & 1u << k)
                json_dumper_value_string(d, conf_evidence_names[k]);
        json_dumper_end_array(d);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);

    json_dumper_set_member_name(d, "host_calls");
    json_dumper_begin_array(d);
    g_hash_table_iter_init(&it, chain->host_calls);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const host_calls_t *h = value;
        GHashTableIter calls;
        gpointer call;
        json_dumper_begin_object(d);
        mcudiag_json_member_string(d, "host", key);
        json_dumper_set_member_name(d, "ports");
        json_dumper_begin_array(d);
        g_hash_table_iter_init(&calls, h->ports);
        while (g_hash_table_iter_next(&calls, &call, NULL))
            json_dumper_value_anyf(d, "%u", GPOINTER_TO_UINT(call));
        json_dumper_end_array(d);
        json_dumper_set_member_name(d, "endpoints");
        json_dumper_begin_array(d);
        g_hash_table_iter_init(&calls, h->endpoints);
        while (g_hash_table_iter_next(&calls, &call, NULL))
            mcudiag_json_string(d, call); /* "server port" */
        json_dumper_end_array(d);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
}

char *mcudiag_chain_render_json(const mcudiag_chain_t *chain)
{
    mcudiag_findings_t *set = mcudiag_chain_findings(chain);
    json_dumper d = { .output_string = g_string_new(NULL), .flags = JSON_DUMPER_FLAGS_PRETTY_PRINT };
    json_dumper_begin_object(&d);
    mcudiag_json_write_findings(&d, set);
    json_dumper_set_member_name(&d, "evidence");
    json_dumper_begin_object(&d);
    write_attempts(&d, chain, set);
    write_views(&d, chain, set);
    write_joins_and_failures(&d, chain, set);
    write_hosts(&d, chain);
    json_dumper_end_object(&d);
    json_dumper_end_object(&d);
    json_dumper_finish(&d);
    g_string_append_c(d.output_string, '\n');
    mcudiag_findings_free(set);
    return g_string_free(d.output_string, FALSE);
}

/* ---- reading ----------------------------------------------------------------- */

/* A parsed JSON file: its text (decoded in place as it is read) and tokens. */
typedef struct {
    char *text;
    jsmntok_t *tokens;
} json_doc_t;

static void json_doc_clear(json_doc_t *doc)
{
    g_free(doc->text);
    g_free(doc->tokens);
}

static gboolean json_doc_load(json_doc_t *doc, const char *path, GString *errors)
{
    GError *error = NULL;
    gsize len = 0;
    doc->tokens = NULL;
    if (!g_file_get_contents(path, &doc->text, &len, &error)) {
        g_string_append_printf(errors, "%s\n", error->message);
        g_error_free(error);
        return FALSE;
    }
    /* json_parse alone: 4.0's json_validate refuses documents of many tokens. */
    const int n = len ? json_parse(doc->text, NULL, 0) : -1;
    if (n <= 0) {
        g_string_append_printf(errors, "%s: not a JSON document\n", path);
        return FALSE;
    }
    doc->tokens = g_new0(jsmntok_t, n);
    if (json_parse(doc->text, doc->tokens, n) != n || doc->tokens[0].type != JSMN_OBJECT) {
        g_string_append_printf(errors, "%s: not a JSON object\n", path);
        return FALSE;
    }
    return TRUE;
}

static gboolean get_uint(char *text, jsmntok_t *obj, const char *name, guint64 limit, guint64 *out)
{
    double v = 0;
    errno = 0;
    if (!json_get_double(text, obj, name, &v) || !(v >= 0 && v <= (double)limit))
        return FALSE;
    *out = (guint64)v;
    return TRUE;
}

static guint32 get_u32(char *text, jsmntok_t *obj, const char *name)
{
    guint64 v = 0;
    return get_uint(text, obj, name, G_MAXUINT32, &v) ? (guint32)v : 0;
}

static gboolean get_addr(char *text, jsmntok_t *obj, const char *name, host_addr_t *a)
{
    const char *s = json_get_string(text, obj, name);
    memset(a, 0, sizeof *a);
    return s && host_addr_from_str(a, s);
}

/* The parts a chunk read, in order: which capture, how many frames, whether its own. */
typedef struct {
    guint capture;
    guint32 frames;
    gboolean own;
} part_t;

/* Maps the frame object member `name` of obj (a frame of the chunk's capture)
 * to the set's file and frame; FALSE if it is in no part. */
static gboolean map_frame(char *text, jsmntok_t *obj, const char *name, const GArray *parts, mcudiag_frame_t *out,
                          gboolean *own)
{
    jsmntok_t *f = json_get_object(text, obj, name);
    guint32 n = f ? get_u32(text, f, "frame") : 0;
    for (guint i = 0; n && i < parts->len; i++) {
        const part_t *p = &g_array_index(parts, part_t, i);
        if (n <= p->frames) {
            *out = (mcudiag_frame_t){ .file = p->capture, .frame = n };
            *own = p->own;
            return TRUE;
        }
        n -= p->frames;
    }
    return FALSE;
}

static mcudiag_level_t level_of(const char *name)
{
    for (mcudiag_level_t l = MCUDIAG_LEVEL_LOW; l <= MCUDIAG_LEVEL_HIGH; l++)
        if (name && strcmp(name, mcudiag_level_name(l)) == 0)
            return l;
    return MCUDIAG_LEVEL_NONE;
}

static lbsnat_role_t role_of(const char *name)
{
    for (guint r = 0; r < G_N_ELEMENTS(role_names); r++)
        if (name && role_names[r] && strcmp(name, role_names[r]) == 0)
            return r;
    return LBSNAT_ROLE_NONE;
}

/* The token after t and everything inside it. */
static jsmntok_t *json_skip(jsmntok_t *t)
{
    for (int pending = 1; pending > 0; t++)
        pending += t->size - 1;
    return t;
}

/* The elements of the array member `name` of obj, in order:
 *   json_elements_t it = json_elements(text, obj, "name");
 *   for (jsmntok_t *e; (e = json_next_element(&it));) ... */
typedef struct {
    jsmntok_t *next;
    int left;
} json_elements_t;

static json_elements_t json_elements(char *text, jsmntok_t *obj, const char *name)
{
    jsmntok_t *array = json_get_array(text, obj, name);
    json_elements_t it = { array ? array + 1 : NULL, array ? array->size : 0 };
    return it;
}

static jsmntok_t *json_next_element(json_elements_t *it)
{
    if (it->left <= 0)
        return NULL;
    jsmntok_t *element = it->next;
    it->left--;
    it->next = json_skip(element);
    return element;
}

static void load_attempts(mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts)
{
    GPtrArray *by_id = g_ptr_array_new();
    json_elements_t attempts_elements = json_elements(text, ev, "attempts");
    for (jsmntok_t *e; (e = json_next_element(&attempts_elements));) {
        host_addr_t client, vip;
        attempt_t *a = NULL;
        if (get_addr(text, e, "client", &client) && get_addr(text, e, "vip", &vip)) {
            a = mcudiag_chain_attempt(chain, &client, (guint16)get_u32(text, e, "client_port"), &vip,
                                      (guint16)get_u32(text, e, "vip_port"), get_u32(text, e, "isn"));
            const char *rule = json_get_string(text, e, "rule");
            a->full_proxy |= rule && strcmp(rule, "full-proxy") == 0;
            a->confidence = MAX(a->confidence, (lbsnat_confidence_t)level_of(json_get_string(text, e, "confidence")));
            const char *state = json_get_string(text, e, "state");
            a->withdrawn |= state && strcmp(state, "withdrawn") == 0;
        }
        g_ptr_array_add(by_id, a);
    }
    json_elements_t attempt_frames_elements = json_elements(text, ev, "attempt_frames");
    for (jsmntok_t *e; (e = json_next_element(&attempt_frames_elements));) {
        const guint32 id = get_u32(text, e, "attempt");
        attempt_t *a = id >= 1 && id <= by_id->len ? g_ptr_array_index(by_id, id - 1) : NULL;
        const lbsnat_role_t role = role_of(json_get_string(text, e, "role"));
        mcudiag_frame_t frame;
        gboolean own = FALSE;
        host_addr_t member;
        if (!a || !role || !map_frame(text, e, "frame", parts, &frame, &own) || !own)
            continue;
        if (role == LBSNAT_ROLE_FOREIGN_SYNACK && !get_addr(text, e, "member", &member))
            continue;
        mcudiag_chain_add_record(chain, a, role, frame, role == LBSNAT_ROLE_FOREIGN_SYNACK ? &member : NULL);
    }
    g_ptr_array_free(by_id, TRUE);
}

static void load_views(mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts)
{
    json_elements_t member_views_elements = json_elements(text, ev, "member_views");
    for (jsmntok_t *e; (e = json_next_element(&member_views_elements));) {
        view_t v = { 0 };
        gboolean own = FALSE, reset_own;
        if (!get_addr(text, e, "member", &v.member) || !get_addr(text, e, "client", &v.client) ||
            !map_frame(text, e, "frame", parts, &v.at, &own) || !own ||
            !map_frame(text, e, "first_reset", parts, &v.first_reset, &reset_own))
            continue;
        v.port = (guint16)get_u32(text, e, "port");
        v.client_port = (guint16)get_u32(text, e, "client_port");
        v.isn = get_u32(text, e, "isn");
        mcudiag_chain_add_view(chain, &v);
    }
}

static void load_joins_and_failures(mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts)
{
    json_elements_t joins_elements = json_elements(text, ev, "joins");
    for (jsmntok_t *e; (e = json_next_element(&joins_elements));) {
        mcudiag_frame_t frame;
        gboolean own = FALSE;
        if (!map_frame(text, e, "frame", parts, &frame, &own) || !own)
            continue;
        const char *where = json_get_string(text, e, "where");
        mcudiag_chain_add_join_leg(chain, mcudiag_join_leg_new(frame, get_u32(text, e, "status"),
                                                               json_get_string(text, e, "conference_id"),
                                                               json_get_string(text, e, "organizer"),
                                                               where ? where : "(unknown)",
                                                               get_u32(text, e, "diag_id"),
                                                               json_get_string(text, e, "diag_component"),
                                                               json_get_string(text, e, "diag_reason")));
    }
    json_elements_t failed_connections_elements = json_elements(text, ev, "failed_connections");
    for (jsmntok_t *e; (e = json_next_element(&failed_connections_elements));) {
        mcudiag_frame_t frame;
        gboolean own = FALSE;
        const char *client = json_get_string(text, e, "client");
        const char *cause = json_get_string(text, e, "cause");
        if (client && map_frame(text, e, "frame", parts, &frame, &own) && own)
            mcudiag_chain_add_failure(chain, client, (guint16)get_u32(text, e, "port"), frame,
                                      cause && strcmp(cause, "lbsnat") == 0);
    }
}

/* Token text as a new string (array elements: numbers and plain names). */
static char *token_text(const char *text, const jsmntok_t *t)
{
    return g_strndup(text + t->start, (gsize)(t->end - t->start));
}

/* Sets of hosts and calls: the union over the chunks (a fact of one frame is
 * a fact wherever it was read). */
static void load_hosts(mcudiag_chain_t *chain, char *text, jsmntok_t *ev)
{
    json_elements_t conferencing_hosts_elements = json_elements(text, ev, "conferencing_hosts");
    for (jsmntok_t *e; (e = json_next_element(&conferencing_hosts_elements));) {
        guint mask = 0;
        json_elements_t evidence_elements = json_elements(text, e, "evidence");
        for (jsmntok_t *k; (k = json_next_element(&evidence_elements));) {
            char *name = token_text(text, k);
            for (guint bit = MCUDIAG_CONF_SIP; bit <= MCUDIAG_CONF_TLS; bit++)
                mask |= strcmp(name, conf_evidence_names[bit]) == 0 ? 1u << bit : 0;
            g_free(name);
        }
        const char *host = json_get_string(text, e, "host");
        if (host && mask)
            mcudiag_chain_add_conferencing_mask(chain, host, mask);
    }
    json_elements_t host_calls_elements = json_elements(text, ev, "host_calls");
    for (jsmntok_t *e; (e = json_next_element(&host_calls_elements));) {
        const char *host = json_get_string(text, e, "host");
        if (!host)
            continue;
        json_elements_t ports_elements = json_elements(text, e, "ports");
        for (jsmntok_t *p; (p = json_next_element(&ports_elements));) {
            char *port = token_text(text, p);
            mcudiag_chain_add_call(chain, host, NULL, (guint16)g_ascii_strtoull(port, NULL, 10));
            g_free(port);
        }
        json_elements_t endpoints_elements = json_elements(text, e, "endpoints");
        for (jsmntok_t *p; (p = json_next_element(&endpoints_elements));) {
            char *endpoint = token_text(text, p);
            char *space = strrchr(endpoint, ' ');
            if (space) {
                *space = '\0';
                mcudiag_chain_add_call(chain, host, endpoint, (guint16)g_ascii_strtoull(space + 1, NULL, 10));
            }
            g_free(endpoint);
        }
    }
}

static gboolean load_chunk(mcudiag_chain_t *chain, const char *path, const GArray *parts, GString *errors)
{
    json_doc_t doc;
    if (!json_doc_load(&doc, path, errors)) {
        json_doc_clear(&doc);
        return FALSE;
    }
    jsmntok_t *root = doc.tokens;
    double version = 0;
    const char *schema = json_get_string(doc.text, root, "schema");
    jsmntok_t *ev = json_get_object(doc.text, root, "evidence");
    if (!schema || strcmp(schema, "mcudiag-report") != 0 || !ev ||
        !json_get_double(doc.text, root, "schema_version", &version) || version != MCUDIAG_JSON_SCHEMA_VERSION) {
        g_string_append_printf(errors, "%s: not an mcudiag report of schema version %d with evidence\n", path,
                               MCUDIAG_JSON_SCHEMA_VERSION);
        json_doc_clear(&doc);
        return FALSE;
    }
    load_attempts(chain, doc.text, ev, parts);
    load_views(chain, doc.text, ev, parts);
    load_joins_and_failures(chain, doc.text, ev, parts);
    load_hosts(chain, doc.text, ev);
    json_doc_clear(&doc);
    return TRUE;
}

/* "1247562331.123456789" (capinfos -S) as seconds and nanoseconds. */
static void parse_time(const char *text, gint64 *secs, gint32 *nsecs)
{
    char *end = NULL;
    *secs = text ? g_ascii_strtoll(text, &end, 10) : 0;
    *nsecs = 0;
    if (end && *end == '.') {
        gint32 scale = 100000000;
        for (const char *p = end + 1; g_ascii_isdigit(*p) && scale; p++, scale /= 10)
            *nsecs += (*p - '0') * scale;
    }
}

static void load_captures(mcudiag_chain_t *chain, char *text, jsmntok_t *root)
{
    guint index = 0;
    json_elements_t captures_elements = json_elements(text, root, "captures");
    for (jsmntok_t *e; (e = json_next_element(&captures_elements));) {
        mcudiag_capture_t *c = mcudiag_chain_capture(chain, index++);
        g_free(c->name);
        c->name = g_strdup(json_get_string(text, e, "file"));
        c->frames = get_u32(text, e, "frames");
        parse_time(json_get_string(text, e, "first"), &c->first_s, &c->first_ns);
        parse_time(json_get_string(text, e, "last"), &c->last_s, &c->last_ns);
    }
}

gboolean mcudiag_chain_merge(mcudiag_chain_t *chain, const char *manifest, GString *errors)
{
    json_doc_t doc;
    if (!json_doc_load(&doc, manifest, errors)) {
        json_doc_clear(&doc);
        return FALSE;
    }
    char *text = doc.text;
    load_captures(chain, text, doc.tokens);
    guint loaded = 0, chunks = 0;
    json_elements_t chunks_elements = json_elements(text, doc.tokens, "chunks");
    for (jsmntok_t *chunk; (chunk = json_next_element(&chunks_elements));) {
        GArray *parts = g_array_new(FALSE, FALSE, sizeof(part_t));
        json_elements_t parts_elements = json_elements(text, chunk, "parts");
        for (jsmntok_t *p; (p = json_next_element(&parts_elements));) {
            const char *use = json_get_string(text, p, "use");
            const part_t part = { .capture = get_u32(text, p, "capture"), .frames = get_u32(text, p, "frames"),
                                  .own = use && strcmp(use, "own") == 0 };
            g_array_append_val(parts, part);
        }
        const char *report = json_get_string(text, chunk, "report");
        chunks++;
        if (report)
            loaded += load_chunk(chain, report, parts, errors);
        g_array_free(parts, TRUE);
    }
    json_doc_clear(&doc);
    if (chunks == 0)
        g_string_append_printf(errors, "%s: no chunks\n", manifest);
    return chunks > 0 && loaded == chunks;
}
