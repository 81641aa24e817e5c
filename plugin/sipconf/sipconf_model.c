/* sipconf_model.c — conference URIs, ms-diagnostics, conference outcomes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sipconf/sipconf_model.h"

#include <stdlib.h>
#include <string.h>

#include "c3p/c3p_model.h"

/* Transactions kept at once: bounded, oldest forgotten first. */
#define SIPCONF_MAX_TRANSACTIONS 65536
#define SIPCONF_MAX_CONFERENCES 65536

gboolean sipconf_parse_uri(const char *uri, sipconf_uri_t *out)
{
    memset(out, 0, sizeof *out);
    out->role = c3p_target_from_uri(uri);
    if (!out->role)
        return FALSE;
    const char *id = strstr(uri, ":id:");
    if (id) {
        id += 4;
        gsize len = strcspn(id, ";>? \t\"");
        if (len)
            out->conference_id = g_strndup(id, len);
    }
    const char *start = strchr(uri, ':');
    if (start && g_ascii_strncasecmp(uri + strspn(uri, "<\" "), "sip", 3) == 0) {
        start++;
        gsize len = strcspn(start, ";>? \t\"");
        if (len && memchr(start, '@', len))
            out->organizer = g_strndup(start, len);
    }
    return TRUE;
}

void sipconf_uri_clear(sipconf_uri_t *u)
{
    g_free(u->role);
    g_free(u->conference_id);
    g_free(u->organizer);
    memset(u, 0, sizeof *u);
}

/* The value of param="…" (or param=token) in a ';'-separated list. */
static char *diag_param(const char *value, const char *name)
{
    const gsize name_len = strlen(name);
    for (const char *p = strchr(value, ';'); p; p = strchr(p + 1, ';')) {
        const char *q = p + 1 + strspn(p + 1, " \t");
        if (g_ascii_strncasecmp(q, name, name_len) != 0 || q[name_len] != '=')
            continue;
        q += name_len + 1;
        if (*q == '"') {
            const char *end = strchr(q + 1, '"');
            return end ? g_strndup(q + 1, end - q - 1) : g_strdup(q + 1);
        }
        return g_strndup(q, strcspn(q, ";"));
    }
    return NULL;
}

/* Terminates the line at text[*pos] (LF or CRLF) with a NUL, moves *pos past
 * it and returns it; NULL when no complete line is left. */
static char *take_line(char *text, gsize len, gsize *pos)
{
    if (*pos >= len)
        return NULL;
    char *line = text + *pos;
    char *lf = memchr(line, '\n', len - *pos);
    if (!lf)
        return NULL;
    *pos = (gsize)(lf - text) + 1;
    if (lf > line && lf[-1] == '\r')
        lf[-1] = '\0';
    *lf = '\0';
    return line;
}

/* Whether the header name (name_len bytes) is `full` or its compact form. */
static gboolean header_is(const char *name, size_t name_len, const char *full, char compact)
{
    return (name_len == strlen(full) && g_ascii_strncasecmp(name, full, name_len) == 0) ||
           (compact && name_len == 1 && g_ascii_tolower(name[0]) == compact);
}

static gboolean read_start_line(char *line, sipconf_head_t *head)
{
    static const char version[] = "SIP/2.0";
    if (strncmp(line, "SIP/2.0 ", sizeof version) == 0) {
        const char *code = line + sizeof version;
        /* Status-Code: 3DIGIT, 100 to 699 (RFC 3261 §7.2) */
        if (code[0] < '1' || code[0] > '6' || !g_ascii_isdigit(code[1]) || !g_ascii_isdigit(code[2]) ||
            (code[3] != ' ' && code[3] != '\0'))
            return FALSE;
        head->status = (guint)((code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0'));
        return TRUE;
    }
    char *uri = strchr(line, ' ');
    char *last = strrchr(line, ' ');
    if (!uri || uri == line || last == uri || strcmp(last + 1, version) != 0)
        return FALSE;
    *uri++ = '\0';
    *last = '\0';
    head->method = line;
    head->request_uri = uri;
    return TRUE;
}

gboolean sipconf_read_head(char *text, gsize len, sipconf_head_t *head)
{
    memset(head, 0, sizeof *head);
    gsize pos = 0;
    char *line = take_line(text, len, &pos);
    if (!line || !read_start_line(line, head))
        return FALSE;

    /* Every SIP message of a capture passes here: names are told apart by
     * their first letter, and only the values kept are trimmed. */
    const char *content_length = NULL;
    gboolean head_complete = FALSE;
    while ((line = take_line(text, len, &pos)) != NULL) {
        if (!*line) {
            head_complete = TRUE;
            break;
        }
        char *colon = strchr(line, ':');
        if (!colon || line[0] == ' ' || line[0] == '\t') /* not a header, or a folded continuation */
            continue;
        size_t name_len = (size_t)(colon - line);
        while (name_len && (line[name_len - 1] == ' ' || line[name_len - 1] == '\t'))
            name_len--;
        const char **slot = NULL;
        switch (g_ascii_tolower(line[0])) {
        case 'c':
            slot = header_is(line, name_len, "Call-ID", 0)          ? &head->call_id
                   : header_is(line, name_len, "Content-Type", 'c') ? &head->content_type
                   : header_is(line, name_len, "Content-Length", 0) ? &content_length
                   : header_is(line, name_len, "CSeq", 0)           ? &head->cseq_method
                                                                    : NULL;
            break;
        case 'i':
            slot = header_is(line, name_len, "Call-ID", 'i') ? &head->call_id : NULL;
            break;
        case 'l':
            slot = header_is(line, name_len, "Content-Length", 'l') ? &content_length : NULL;
            break;
        case 'm':
            slot = header_is(line, name_len, "ms-diagnostics", 0) ? &head->ms_diagnostics : NULL;
            break;
        default:
            break;
        }
        if (!slot || *slot)
            continue;
        char *value = g_strstrip(colon + 1);
        if (slot == &head->cseq_method) {
            /* "CSeq: <number> <method>" */
            char *method = value + strspn(value, "0123456789");
            if (method == value || (*method != ' ' && *method != '\t'))
                continue;
            value = method + strspn(method, " \t");
        }
        *slot = value;
    }
    if (head_complete && pos < len) {
        gsize available = len - pos;
        head->body = text + pos;
        head->body_len = content_length ? MIN((gsize)strtoul(content_length, NULL, 10), available) : available;
    }
    return TRUE;
}

gboolean sipconf_parse_ms_diagnostics(const char *value, sipconf_diag_t *out)
{
    memset(out, 0, sizeof *out);
    if (!value)
        return FALSE;
    value += strspn(value, " \t");
    if (!g_ascii_isdigit(*value))
        return FALSE;
    char *end;
    const unsigned long id = strtoul(value, &end, 10);
    if (id > G_MAXUINT || end - value > 9)
        return FALSE;
    out->error_id = (guint)id;
    if (*end == '.' && g_ascii_isdigit(end[1])) {
        const unsigned long sub = strtoul(end + 1, &end, 10);
        out->sub_code = sub > G_MAXUINT ? G_MAXUINT : (guint)sub;
        out->has_sub_code = TRUE;
    }
    out->reason = diag_param(end, "reason");
    out->source = diag_param(end, "source");
    return TRUE;
}

void sipconf_diag_clear(sipconf_diag_t *d)
{
    g_free(d->reason);
    g_free(d->source);
    memset(d, 0, sizeof *d);
}

const char *sipconf_diag_component(guint error_id)
{
    switch (error_id / 1000) {
    case 3: return "Focus / Focus Factory (conferencing User Services)";
    case 6: return "IM Conferencing Server (IM MCU)";
    case 7: return "A/V Conferencing Server (A/V MCU)";
    case 8: return "Telephony Conferencing Server";
    default: return NULL;
    }
}

/* ---- conferences ------------------------------------------------------------ */

typedef struct {
    sipconf_message_t request; /* what the request was; response_frame filled later */
    sipconf_conference_t *conference;
} transaction_t;

struct sipconf_tracker {
    GHashTable *transactions;  /* "call-id\x01METHOD" → transaction_t */
    GQueue transaction_order;  /* keys, oldest first, for the bound */
    GHashTable *by_id;         /* conference id → sipconf_conference_t (borrowed) */
    GPtrArray *conferences;    /* owns them */
    GHashTable *messages;      /* frame → sipconf_message_t (owned) */
    GHashTable *two_party_calls; /* Call-IDs of INVITEs outside any conference */
    sipconf_conference_t *last_escalated;
};

static void conference_free(gpointer p)
{
    sipconf_conference_t *c = p;
    g_free(c->conference_id);
    g_free(c->organizer);
    g_free(c->mcu_role);
    g_free(c->failure_where);
    sipconf_diag_clear(&c->failure_diag);
    g_free(c);
}

sipconf_tracker_t *sipconf_tracker_new(void)
{
    sipconf_tracker_t *t = g_new0(sipconf_tracker_t, 1);
    t->transactions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_queue_init(&t->transaction_order);
    t->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    t->conferences = g_ptr_array_new_with_free_func(conference_free);
    t->messages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    t->two_party_calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return t;
}

void sipconf_tracker_free(sipconf_tracker_t *t)
{
    if (!t)
        return;
    g_hash_table_destroy(t->transactions);
    g_queue_clear_full(&t->transaction_order, g_free);
    g_hash_table_destroy(t->by_id);
    g_ptr_array_free(t->conferences, TRUE);
    g_hash_table_destroy(t->messages);
    g_hash_table_destroy(t->two_party_calls);
    g_free(t);
}

static sipconf_conference_t *conference_for(sipconf_tracker_t *t, const sipconf_uri_t *u)
{
    const char *key = u->conference_id ? u->conference_id : "";
    sipconf_conference_t *c = g_hash_table_lookup(t->by_id, key);
    if (c || t->conferences->len >= SIPCONF_MAX_CONFERENCES)
        return c;
    c = g_new0(sipconf_conference_t, 1);
    c->id = t->conferences->len + 1;
    c->conference_id = g_strdup(key);
    c->organizer = g_strdup(u->organizer);
    g_ptr_array_add(t->conferences, c);
    g_hash_table_insert(t->by_id, c->conference_id, c);
    return c;
}

void sipconf_tracker_conference_created(sipconf_tracker_t *t, const char *focus_uri)
{
    sipconf_uri_t u;
    if (sipconf_parse_uri(focus_uri, &u) && u.conference_id)
        conference_for(t, &u);
    sipconf_uri_clear(&u);
}

static sipconf_leg_t leg_of(const char *method, const char *role)
{
    if (strcmp(role, "focusfactory") == 0)
        return SIPCONF_LEG_CREATE;
    if (strcmp(role, "focus") == 0) {
        if (strcmp(method, "INVITE") == 0)
            return SIPCONF_LEG_FOCUS;
        if (strcmp(method, "SUBSCRIBE") == 0)
            return SIPCONF_LEG_SUBSCRIBE;
        return SIPCONF_LEG_OTHER;
    }
    return strcmp(method, "INVITE") == 0 ? SIPCONF_LEG_MCU : SIPCONF_LEG_OTHER;
}

static char *transaction_key(const char *call_id, const char *cseq_method)
{
    return g_strdup_printf("%s\x01%s", call_id ? call_id : "", cseq_method ? cseq_method : "");
}

static const sipconf_message_t *remember(sipconf_tracker_t *t, guint32 frame, const sipconf_message_t *m)
{
    sipconf_message_t *copy = g_memdup2(m, sizeof *m);
    g_hash_table_replace(t->messages, GUINT_TO_POINTER(frame), copy);
    return copy;
}

static void open_transaction(sipconf_tracker_t *t, const char *call_id, const char *method,
                             const sipconf_message_t *m, sipconf_conference_t *c)
{
    char *key = transaction_key(call_id, method);
    if (!g_hash_table_lookup(t->transactions, key)) {
        if (g_hash_table_size(t->transactions) >= SIPCONF_MAX_TRANSACTIONS) {
            char *oldest = g_queue_pop_head(&t->transaction_order);
            g_hash_table_remove(t->transactions, oldest);
            g_free(oldest);
        }
        transaction_t *tr = g_new0(transaction_t, 1);
        tr->request = *m;
        tr->conference = c;
        g_hash_table_insert(t->transactions, g_strdup(key), tr);
        g_queue_push_tail(&t->transaction_order, g_strdup(key));
    }
    g_free(key);
}

/* Requests outside conferences matter only as the two-party dialog an
 * escalation replaces: its INVITE, then its BYE. */
static const sipconf_message_t *two_party_request(sipconf_tracker_t *t, guint32 frame, const char *method,
                                                  const char *call_id)
{
    if (!method || !call_id)
        return NULL;
    if (strcmp(method, "INVITE") == 0) {
        if (g_hash_table_size(t->two_party_calls) < SIPCONF_MAX_TRANSACTIONS)
            g_hash_table_add(t->two_party_calls, g_strdup(call_id));
        return NULL;
    }
    sipconf_conference_t *c = t->last_escalated;
    if (strcmp(method, "BYE") != 0 || !c || c->old_dialog_bye_frame ||
        !g_hash_table_contains(t->two_party_calls, call_id))
        return NULL;
    c->old_dialog_bye_frame = frame;
    sipconf_message_t m = { .conference = c, .leg = SIPCONF_LEG_OLD_DIALOG_BYE, .request_frame = frame };
    open_transaction(t, call_id, "BYE", &m, c);
    return remember(t, frame, &m);
}

const sipconf_message_t *sipconf_tracker_escalation(sipconf_tracker_t *t, guint32 frame, const char *call_id,
                                                    const char *focus_uri)
{
    sipconf_uri_t u;
    if (!sipconf_parse_uri(focus_uri, &u)) {
        sipconf_uri_clear(&u);
        return NULL;
    }
    sipconf_conference_t *c = conference_for(t, &u);
    sipconf_uri_clear(&u);
    if (!c)
        return NULL;
    if (!c->escalation_frame)
        c->escalation_frame = frame;
    t->last_escalated = c;
    sipconf_message_t m = { .conference = c, .leg = SIPCONF_LEG_ESCALATION, .request_frame = frame };
    open_transaction(t, call_id, "INVITE", &m, c);
    return remember(t, frame, &m);
}

const sipconf_message_t *sipconf_tracker_request(sipconf_tracker_t *t, guint32 frame, const char *method,
                                                 const char *request_uri, const char *call_id,
                                                 const char *cseq_method)
{
    sipconf_uri_t u = { 0 };
    if (!method || !sipconf_parse_uri(request_uri, &u)) {
        sipconf_uri_clear(&u);
        return two_party_request(t, frame, method, call_id);
    }
    sipconf_message_t m = { .leg = leg_of(method, u.role), .request_frame = frame };
    sipconf_conference_t *c = m.leg == SIPCONF_LEG_CREATE ? NULL : conference_for(t, &u);
    m.conference = c;
    if (c && m.leg == SIPCONF_LEG_FOCUS && !c->focus_invite_frame)
        c->focus_invite_frame = frame;
    if (c && m.leg == SIPCONF_LEG_MCU && !c->mcu_invite_frame) {
        c->mcu_invite_frame = frame;
        c->mcu_role = g_strdup(u.role);
    }
    sipconf_uri_clear(&u);

    open_transaction(t, call_id, cseq_method ? cseq_method : method, &m, c);
    return remember(t, frame, &m);
}

char *sipconf_leg_place(const sipconf_conference_t *c, sipconf_leg_t leg)
{
    return leg == SIPCONF_LEG_MCU ? g_strdup_printf("%s MCU", c->mcu_role ? c->mcu_role : "") : g_strdup("Focus");
}

static void update_outcome(sipconf_conference_t *c, sipconf_leg_t leg, guint status, guint32 frame,
                           const sipconf_diag_t *diag)
{
    if (status >= 300 && c->outcome != SIPCONF_FAILED) {
        c->outcome = SIPCONF_FAILED;
        c->failure_frame = frame;
        c->failure_status = status;
        c->failure_where = sipconf_leg_place(c, leg);
        if (diag) {
            c->failure_diag = *diag;
            c->failure_diag.reason = g_strdup(diag->reason);
            c->failure_diag.source = g_strdup(diag->source);
        }
        return;
    }
    if (c->outcome == SIPCONF_FAILED)
        return;
    const gboolean focus_ok = c->focus_status >= 200 && c->focus_status < 300;
    const gboolean mcu_ok = !c->mcu_invite_frame || (c->mcu_status >= 200 && c->mcu_status < 300);
    c->outcome = focus_ok && mcu_ok ? SIPCONF_JOINED : SIPCONF_UNFINISHED;
}

const sipconf_message_t *sipconf_tracker_response(sipconf_tracker_t *t, guint32 frame, guint status,
                                                  const char *call_id, const char *cseq_method,
                                                  const sipconf_diag_t *diag)
{
    char *key = transaction_key(call_id, cseq_method);
    transaction_t *tr = g_hash_table_lookup(t->transactions, key);
    g_free(key);
    if (!tr)
        return NULL;
    sipconf_message_t m = { .conference = tr->conference, .leg = tr->request.leg,
                            .request_frame = tr->request.request_frame, .response_frame = frame };
    sipconf_conference_t *c = tr->conference;
    if (status >= 200 && !tr->request.response_frame) {
        tr->request.response_frame = frame;
        sipconf_message_t *req = g_hash_table_lookup(t->messages, GUINT_TO_POINTER(tr->request.request_frame));
        if (req)
            req->response_frame = frame;
        if (c && tr->request.leg == SIPCONF_LEG_FOCUS) {
            c->focus_response_frame = frame;
            c->focus_status = status;
        } else if (c && tr->request.leg == SIPCONF_LEG_MCU) {
            c->mcu_response_frame = frame;
            c->mcu_status = status;
        }
        if (c && (tr->request.leg == SIPCONF_LEG_FOCUS || tr->request.leg == SIPCONF_LEG_MCU))
            update_outcome(c, tr->request.leg, status, frame, diag);
    }
    return remember(t, frame, &m);
}

const sipconf_message_t *sipconf_tracker_message(const sipconf_tracker_t *t, guint32 frame)
{
    return g_hash_table_lookup(t->messages, GUINT_TO_POINTER(frame));
}

guint sipconf_tracker_conference_count(const sipconf_tracker_t *t)
{
    return t->conferences->len;
}

const sipconf_conference_t *sipconf_tracker_conference(const sipconf_tracker_t *t, guint id)
{
    return id >= 1 && id <= t->conferences->len ? g_ptr_array_index(t->conferences, id - 1) : NULL;
}
