/* sipconf_model.c — conference URIs, ms-diagnostics, conference outcomes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "sipconf/sipconf_model.h"

#include <wsutil/strtoi.h>
#include <string.h>

#include "c3p/c3p_model.h"
#include "message_copies.h"

/* Transactions kept at once: bounded, oldest forgotten first. */
#define SIPCONF_MAX_TRANSACTIONS 65536
#define SIPCONF_MAX_CONFERENCES 65536

gboolean sipconf_parse_uri(const char *uri, sipconf_uri_t *out)
{
    memset(out, 0, sizeof *out);
    out->role = c3p_target_from_uri(NULL, uri);
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

char *sipconf_conf_invite_focus_uri(const char *body, gsize len)
{
    static const char open_tag[] = "<focus-uri>", close_tag[] = "</focus-uri>";
    if (!body)
        return NULL;
    char *text = g_strndup(body, len); /* stops at a NUL inside, like any XML reader would */
    char *start = strstr(text, open_tag);
    char *end = start ? strstr(start, close_tag) : NULL;
    char *uri = NULL;
    if (end) {
        start += sizeof open_tag - 1;
        *end = '\0';
        g_strstrip(start);
        if (*start)
            uri = g_strdup(start);
    }
    g_free(text);
    return uri;
}

gboolean sipconf_parse_ms_diagnostics(const char *value, sipconf_diag_t *out)
{
    memset(out, 0, sizeof *out);
    if (!value)
        return FALSE;
    value += strspn(value, " \t");
    if (!g_ascii_isdigit(*value))
        return FALSE;
    const char *end;
    guint32 id;
    if (!ws_strtou32(value, &end, &id) || end - value > 9)
        return FALSE;
    out->error_id = id;
    if (*end == '.' && g_ascii_isdigit(end[1])) {
        guint32 sub;
        ws_strtou32(end + 1, &end, &sub); /* beyond 32 bits: G_MAXUINT32 */
        out->sub_code = sub;
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
    GHashTable *transactions;  /* transaction_key() → transaction_t */
    GQueue transaction_order;  /* keys, oldest first, for the bound */
    GHashTable *by_id;         /* conference id → sipconf_conference_t (borrowed) */
    GPtrArray *conferences;    /* owns them */
    GHashTable *messages;      /* frame → sipconf_message_t (owned) */
    GHashTable *two_party_calls; /* Call-IDs of INVITEs outside any conference */
    GHashTable *join_dialogs;  /* Call-IDs of join INVITEs: a later INVITE there is a re-INVITE */
    message_copies_t *copies;  /* recent messages → what they were (messages' entries) */
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
    t->join_dialogs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    t->copies = message_copies_new(MESSAGE_COPIES_WINDOW, SIPCONF_MAX_TRANSACTIONS);
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
    g_hash_table_destroy(t->join_dialogs);
    message_copies_free(t->copies);
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

/* A CANCEL shares its INVITE's Call-ID and CSeq number, so it is keyed apart;
 * every other method has a CSeq number of its own in the dialog. */
static char *transaction_key(const char *call_id, guint32 cseq, gboolean is_cancel)
{
    return g_strdup_printf("%s\x01%u%s", call_id ? call_id : "", cseq, is_cancel ? "\x01" "CANCEL" : "");
}

static sipconf_message_t *remember(sipconf_tracker_t *t, guint32 frame, const sipconf_message_t *m)
{
    sipconf_message_t *copy = g_memdup2(m, sizeof *m);
    g_hash_table_replace(t->messages, GUINT_TO_POINTER(frame), copy);
    return copy;
}

/* Opens the request's transaction; FALSE when it was open already (the
 * request was sent again). ACKs have no response and open none. */
static gboolean open_transaction(sipconf_tracker_t *t, const sipconf_sip_t *sip, const sipconf_message_t *m,
                                 sipconf_conference_t *c)
{
    if (strcmp(sip->method, "ACK") == 0)
        return TRUE;
    char *key = transaction_key(sip->call_id, sip->cseq, strcmp(sip->method, "CANCEL") == 0);
    if (g_hash_table_contains(t->transactions, key)) {
        g_free(key);
        return FALSE;
    }
    if (g_hash_table_size(t->transactions) >= SIPCONF_MAX_TRANSACTIONS) {
        char *oldest = g_queue_pop_head(&t->transaction_order);
        g_hash_table_remove(t->transactions, oldest);
        g_free(oldest);
    }
    transaction_t *tr = g_new0(transaction_t, 1);
    tr->request = *m;
    tr->conference = c;
    g_queue_push_tail(&t->transaction_order, g_strdup(key));
    g_hash_table_insert(t->transactions, key, tr);
    return TRUE;
}

/* A request: opens its transaction (a repeat when it was open) and remembers what the request is. */
static sipconf_message_t *request_seen(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip,
                                       sipconf_message_t *m, sipconf_conference_t *c)
{
    m->repeat = !open_transaction(t, sip, m, c);
    return remember(t, frame, m);
}

static void add_bounded(GHashTable *set, const char *call_id)
{
    if (g_hash_table_size(set) < SIPCONF_MAX_TRANSACTIONS)
        g_hash_table_add(set, g_strdup(call_id));
}

/* Requests outside conferences matter only as the two-party dialog an
 * escalation replaces: its INVITE, then its BYE. */
static sipconf_message_t *two_party_request(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip)
{
    if (strcmp(sip->method, "INVITE") == 0) {
        add_bounded(t->two_party_calls, sip->call_id);
        return NULL;
    }
    sipconf_conference_t *c = t->last_escalated;
    if (strcmp(sip->method, "BYE") != 0 || !c || c->old_dialog_bye_frame ||
        !g_hash_table_contains(t->two_party_calls, sip->call_id))
        return NULL;
    c->old_dialog_bye_frame = frame;
    sipconf_message_t m = { .conference = c, .leg = SIPCONF_LEG_OLD_DIALOG_BYE, .request_frame = frame };
    return request_seen(t, frame, sip, &m, c);
}

static sipconf_message_t *escalation(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip)
{
    sipconf_uri_t u;
    sipconf_conference_t *c = sipconf_parse_uri(sip->conf_invite_focus_uri, &u) ? conference_for(t, &u) : NULL;
    sipconf_uri_clear(&u);
    if (!c)
        return NULL;
    if (!c->escalation_frame)
        c->escalation_frame = frame;
    t->last_escalated = c;
    sipconf_message_t m = { .conference = c, .leg = SIPCONF_LEG_ESCALATION, .request_frame = frame };
    return request_seen(t, frame, sip, &m, c);
}

static sipconf_message_t *request(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip)
{
    if (sip->conf_invite_focus_uri && strcmp(sip->method, "INVITE") == 0)
        return escalation(t, frame, sip);
    sipconf_uri_t u = { 0 };
    if (!sipconf_parse_uri(sip->to_uri, &u)) {
        sipconf_uri_clear(&u);
        return two_party_request(t, frame, sip);
    }
    sipconf_message_t m = { .leg = leg_of(sip->method, u.role), .request_frame = frame };
    sipconf_conference_t *c = m.leg == SIPCONF_LEG_CREATE ? NULL : conference_for(t, &u);
    m.conference = c;
    if (m.leg == SIPCONF_LEG_FOCUS || m.leg == SIPCONF_LEG_MCU) {
        /* The dialog's first INVITE joins; one with a new CSeq number in the
         * same dialog changes the session, and its failure leaves the join as
         * it was (RFC 3261 §14.1). */
        char *first = transaction_key(sip->call_id, sip->cseq, FALSE);
        if (g_hash_table_contains(t->join_dialogs, sip->call_id) && !g_hash_table_contains(t->transactions, first))
            m.leg = SIPCONF_LEG_REINVITE;
        else
            add_bounded(t->join_dialogs, sip->call_id);
        g_free(first);
    }
    if (c && m.leg == SIPCONF_LEG_FOCUS && !c->focus_invite_frame)
        c->focus_invite_frame = frame;
    if (c && m.leg == SIPCONF_LEG_MCU && !c->mcu_invite_frame) {
        c->mcu_invite_frame = frame;
        c->mcu_role = g_strdup(u.role);
    }
    sipconf_uri_clear(&u);
    return request_seen(t, frame, sip, &m, c);
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

/* The transaction a response answers (see sipconf_tracker_feed). */
static transaction_t *answered_transaction(sipconf_tracker_t *t, const sipconf_sip_t *sip)
{
    char *key = transaction_key(sip->call_id, sip->cseq, TRUE);
    transaction_t *tr = sip->status >= 200 ? g_hash_table_lookup(t->transactions, key) : NULL;
    g_free(key);
    if (tr && !tr->request.response_frame)
        return tr;
    key = transaction_key(sip->call_id, sip->cseq, FALSE);
    tr = g_hash_table_lookup(t->transactions, key);
    g_free(key);
    return tr;
}

static sipconf_message_t *response(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip)
{
    transaction_t *tr = answered_transaction(t, sip);
    if (!tr)
        return NULL;
    sipconf_message_t m = { .conference = tr->conference, .leg = tr->request.leg,
                            .request_frame = tr->request.request_frame, .response_frame = frame };
    sipconf_conference_t *c = tr->conference;
    const guint status = sip->status;
    if (status >= 200 && tr->request.response_frame) {
        m.repeat = TRUE; /* a final response sent again */
    } else if (status >= 200) {
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
            update_outcome(c, tr->request.leg, status, frame, sip->diag);
    }
    return remember(t, frame, &m);
}

/* What makes two SIP messages copies of one message: Call-ID, CSeq number,
 * method or status, From and To. Not the Via headers: a proxy forwards a
 * request with a Via of its own on top and a response with its Via removed,
 * and that forward is still the one message of the one transaction. Within the
 * window, a message with this key is a copy; later, SIP's retransmission. */
static char *copy_key(const sipconf_sip_t *sip)
{
    return g_strdup_printf("%s\x01%u\x01%s\x01%u\x01%s\x01%s", sip->call_id, sip->cseq, sip->method ? sip->method : "",
                           sip->status, sip->from_uri ? sip->from_uri : "", sip->to_uri ? sip->to_uri : "");
}

const sipconf_message_t *sipconf_tracker_feed(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip)
{
    if (!sip->call_id || (!sip->method && !sip->status))
        return NULL;
    char *key = copy_key(sip);
    gconstpointer first = NULL;
    const guint32 first_frame = message_copies_find(t->copies, key, &sip->ts, &first);
    sipconf_message_t *m;
    if (first_frame) {
        /* The same message again: what its first copy was, counted once. */
        m = first ? remember(t, frame, first) : NULL;
        if (m) {
            m->duplicate_of = first_frame;
            m->repeat = TRUE;
        }
    } else {
        m = sip->method ? request(t, frame, sip) : response(t, frame, sip);
        if (m && sip->resend)
            m->repeat = TRUE;
        message_copies_add(t->copies, key, &sip->ts, frame, m);
    }
    g_free(key);
    return m;
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
