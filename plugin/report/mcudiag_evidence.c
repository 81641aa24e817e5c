/* mcudiag_evidence.c — the chain's evidence as JSON, and back.
 *
 * The JSON report carries, besides the findings, the evidence they were
 * built from ("evidence": attempts and their frames, member views, join legs,
 * failed connections, conferencing hosts, the calls of each client, the idle
 * timer's services and cuts, DSR's VIPs and self-selections). A
 * capture set cut into chunks is diagnosed by one tshark per chunk; the merge
 * loads every chunk's evidence into one chain and builds the findings once,
 * so the set reads as if it were one capture.
 *
 * Each chunk reads its own files plus the files before them that cover the
 * longest analysis window (its context), concatenated. The merge's manifest
 * says, per chunk, which capture files it read in which order, how many
 * frames it read of each (a context file may be cut at the window's start:
 * "skipped", its first frames left out), and which are its own. A chunk
 * frame number thus names a file and a frame in it; evidence counts only
 * from the chunk that owns the frame it was seen in, so every frame of the
 * set is judged once, by a chunk that saw the window before it. What holds
 * for a whole attempt (that later frames withdrew it, how sure it is) is
 * combined over the chunks.
 *
 * The idle timer is judged from gaps: a chunk sees a gap whole when its
 * context reaches back over it; a longer gap (a field balancer's 300 s) is
 * joined here, the chunks' tails and heads replayed to a tracker of the
 * merge's own (replay_idle_stitches). The merged chain's idle evidence
 * numbers frames through the set (mcudiag_chain_set_frame). A service's
 * longest survived gap is the longest any chunk, or the replay, saw; a
 * connection counts in the chunk owning the frame it was first seen at, not
 * again where a later chunk's head continues it; a cut in the chunk owning
 * the frame that made it one (the RST, or the dead run's second copy).
 *
 * Known limits: a DSR VIP withdrawn (its balancer MAC sent as the VIP) in a
 * chunk that saw none of its connections stays standing in the merge; a
 * foreign SYN-ACK captured before its SYN (merged captures of
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
    for (guint i = 0; i < chain->joins->len; i++)
        mcudiag_json_join_leg(d, set, g_ptr_array_index(chain->joins, i));
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

static const char *const behaviour_names[] = {
    [LBIDLE_BEHAVIOUR_RESET_NEXT] = "reset-next",
    [LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY] = "reset-at-expiry",
    [LBIDLE_BEHAVIOUR_SILENT_DROP] = "silent-drop",
};

/* Idle evidence names frames by their number through the set (one capture: its own). */
static void member_set_frame(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set,
                             const char *name, guint32 number)
{
    if (!number)
        return;
    const mcudiag_frame_t f = mcudiag_chain_set_frame(chain, number);
    member_frame(d, set, name, &f);
}

static void member_marks(json_dumper *d, const char *const *names, const gboolean *set_, guint n)
{
    json_dumper_set_member_name(d, "marks");
    json_dumper_begin_array(d);
    for (guint i = 0; i < n; i++)
        if (set_[i])
            json_dumper_value_string(d, names[i]);
    json_dumper_end_array(d);
}

static const char *const cut_mark_names[] = { "resumed-by-client", "reset-to-server", "paired", "withdrawn" };

static void write_idle_cut(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set,
                           const lbidle_cut_t *cut)
{
    json_dumper_begin_object(d);
    member_addr(d, "client", &cut->client);
    mcudiag_json_member_uint(d, "client_port", cut->client_port);
    if (cut->behaviour < G_N_ELEMENTS(behaviour_names))
        mcudiag_json_member_string(d, "behaviour", behaviour_names[cut->behaviour]);
    mcudiag_json_member_duration_ns(d, "idle_gap_ns", &cut->idle_gap);
    member_set_frame(d, chain, set, "before_gap_frame", cut->before_gap_frame);
    member_set_frame(d, chain, set, "resume_frame", cut->resume_frame);
    member_set_frame(d, chain, set, "reset_frame", cut->reset_frame);
    member_set_frame(d, chain, set, "last_retransmission_frame", cut->last_retransmission_frame);
    member_set_frame(d, chain, set, "detected_frame", cut->detected_frame);
    if (cut->retransmissions)
        mcudiag_json_member_uint(d, "retransmissions", cut->retransmissions);
    const gboolean marks[] = { cut->resumed_by_client, cut->reset_to_server, cut->paired, cut->withdrawn };
    member_marks(d, cut_mark_names, marks, G_N_ELEMENTS(marks));
    json_dumper_end_object(d);
}

/* Every service the idle analysis told of (a cut, or a longest survived
 * gap), bounded or not: another part of the set may bound it. */
static void write_idle(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set)
{
    json_dumper_set_member_name(d, "idle_services");
    json_dumper_begin_array(d);
    for (guint i = 0; i < chain->idle_services->len; i++) {
        const lbidle_service_t *s = g_ptr_array_index(chain->idle_services, i);
        lbidle_timer_t timer;
        lbidle_service_timer(s, &timer);
        guint16 port;
        json_dumper_begin_object(d);
        member_addr(d, "address", lbidle_service_addr(s, &port));
        mcudiag_json_member_uint(d, "port", port);
        mcudiag_json_member_uint(d, "connections", timer.connections);
        const GArray *opened = g_hash_table_lookup(chain->idle_opened, s);
        json_dumper_set_member_name(d, "opened");
        json_dumper_begin_array(d);
        for (guint k = 0; k < opened->len; k++)
            json_dumper_value_anyf(d, "%u", g_array_index(opened, guint32, k));
        json_dumper_end_array(d);
        if (timer.lower_bound_frame) {
            mcudiag_json_member_duration_ns(d, "survived_ns", &timer.lower_bound);
            member_set_frame(d, chain, set, "survived_frame", timer.lower_bound_frame);
        }
        json_dumper_set_member_name(d, "cuts");
        json_dumper_begin_array(d);
        for (guint k = 0; k < lbidle_service_cut_count(s); k++)
            write_idle_cut(d, chain, set, lbidle_service_cut(s, k));
        json_dumper_end_array(d);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
}

/* An absolute capture time as capinfos -S writes it: "1247562331.123456789". */
static void member_abs_time(json_dumper *d, const char *name, const nstime_t *ts)
{
    json_dumper_set_member_name(d, name);
    json_dumper_value_anyf(d, "\"%" G_GINT64_FORMAT ".%09d\"", (gint64)ts->secs, ts->nsecs);
}

static void member_ends(json_dumper *d, const host_conn_t *ends)
{
    member_addr(d, "client", &ends->client);
    mcudiag_json_member_uint(d, "client_port", ends->client_port);
    member_addr(d, "server", &ends->server);
    mcudiag_json_member_uint(d, "server_port", ends->server_port);
}

typedef struct {
    json_dumper *d;
    const mcudiag_chain_t *chain;
    const mcudiag_findings_t *set;
} tail_writer_t;

static void write_idle_tail(const lbidle_tail_t *tail, gpointer data)
{
    const tail_writer_t *w = data;
    json_dumper_begin_object(w->d);
    member_ends(w->d, &tail->ends);
    member_abs_time(w->d, "ts", &tail->ts);
    member_set_frame(w->d, w->chain, w->set, "frame", tail->frame);
    json_dumper_end_object(w->d);
}

static void write_idle_head(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set,
                            const lbidle_head_t *head)
{
    json_dumper_begin_object(d);
    member_ends(d, &head->ends);
    json_dumper_set_member_name(d, "segments");
    json_dumper_begin_array(d);
    for (guint i = 0; i < head->n; i++) {
        const lbidle_segment_t *seg = &head->segments[i];
        json_dumper_begin_object(d);
        member_addr(d, "src", &seg->src);
        mcudiag_json_member_uint(d, "src_port", seg->src_port);
        member_addr(d, "dst", &seg->dst);
        mcudiag_json_member_uint(d, "dst_port", seg->dst_port);
        member_abs_time(d, "ts", &seg->ts);
        member_set_frame(d, chain, set, "frame", seg->frame);
        mcudiag_json_member_uint(d, "flags", seg->flags);
        mcudiag_json_member_uint(d, "seq", seg->seq);
        mcudiag_json_member_uint(d, "ack", seg->ack);
        mcudiag_json_member_uint(d, "len", seg->payload_len);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
    json_dumper_end_object(d);
}

/* A part of a capture set's tails and heads (lbidle_track.h), which the
 * merge joins across the parts' boundaries. */
static void write_idle_stitches(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set)
{
    const lbidle_tracker_t *t = chain->idle_tracker;
    if (!t || !lbidle_tracker_stitching(t))
        return;
    tail_writer_t w = { d, chain, set };
    json_dumper_set_member_name(d, "idle_tails");
    json_dumper_begin_array(d);
    lbidle_tracker_for_each_tail(t, write_idle_tail, &w);
    json_dumper_end_array(d);
    json_dumper_set_member_name(d, "idle_heads");
    json_dumper_begin_array(d);
    for (guint i = 0; i < lbidle_tracker_head_count(t); i++)
        write_idle_head(d, chain, set, lbidle_tracker_head(t, i));
    json_dumper_end_array(d);
}

static void member_strings(json_dumper *d, const char *name, const GPtrArray *strings)
{
    json_dumper_set_member_name(d, name);
    json_dumper_begin_array(d);
    for (guint i = 0; i < strings->len; i++)
        mcudiag_json_string(d, g_ptr_array_index(strings, i));
    json_dumper_end_array(d);
}

static void member_frame_list(json_dumper *d, const mcudiag_findings_t *set, const char *name, const GArray *frames)
{
    json_dumper_set_member_name(d, name);
    json_dumper_begin_array(d);
    for (guint i = 0; i < frames->len; i++)
        mcudiag_json_frame(d, set, &g_array_index(frames, mcudiag_frame_t, i));
    json_dumper_end_array(d);
}

static const char *const dsr_mark_names[] = { "caller-view", "withdrawn" };

static void write_dsr_vip(json_dumper *d, const mcudiag_findings_t *set, const mcudiag_dsr_vip_t *v)
{
    json_dumper_begin_object(d);
    member_addr(d, "vip", &v->vip);
    mcudiag_json_member_uint(d, "port", v->port);
    const gboolean marks[] = { v->caller_view, mcudiag_dsr_vip_withdrawn(v) };
    member_marks(d, dsr_mark_names, marks, G_N_ELEMENTS(marks));
    member_strings(d, "balancer_macs", v->balancer_macs);
    member_strings(d, "member_macs", v->member_macs);
    member_strings(d, "clients", v->clients);
    json_dumper_set_member_name(d, "ttls");
    json_dumper_begin_array(d);
    for (guint i = 0; i < v->ttls->len; i++)
        json_dumper_value_anyf(d, "%u", g_array_index(v->ttls, guint16, i));
    json_dumper_end_array(d);
    member_frame_list(d, set, "syn_frames", v->syn_frames);
    member_frame_list(d, set, "forward_frames", v->forward_frames);
    member_frame_list(d, set, "answer_frames", v->answer_frames);
    json_dumper_set_member_name(d, "connections");
    json_dumper_begin_array(d);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, v->conns);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const mcudiag_dsr_conn_t *c = value;
        json_dumper_begin_object(d);
        member_addr(d, "client", &c->client);
        mcudiag_json_member_uint(d, "client_port", c->client_port);
        mcudiag_json_member_uint(d, "isn", c->isn);
        mcudiag_json_member_string(d, "state", mcudiag_dsr_conn_withdrawn(c) ? "withdrawn" : "live");
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
    json_dumper_end_object(d);
}

static void write_dsr(json_dumper *d, const mcudiag_chain_t *chain, const mcudiag_findings_t *set)
{
    const GPtrArray *vips = mcudiag_dsr_vips(chain->dsr);
    json_dumper_set_member_name(d, "dsr_vips");
    json_dumper_begin_array(d);
    for (guint i = 0; i < vips->len; i++)
        write_dsr_vip(d, set, g_ptr_array_index(vips, i));
    json_dumper_end_array(d);
    const GPtrArray *hairpins = mcudiag_dsr_hairpins(chain->dsr);
    json_dumper_set_member_name(d, "hairpins");
    json_dumper_begin_array(d);
    for (guint i = 0; i < hairpins->len; i++) {
        const mcudiag_dsr_hairpin_t *h = g_ptr_array_index(hairpins, i);
        json_dumper_begin_object(d);
        member_addr(d, "caller", &h->caller);
        mcudiag_json_member_uint(d, "caller_port", h->caller_port);
        member_addr(d, "vip", &h->vip);
        mcudiag_json_member_uint(d, "vip_port", h->vip_port);
        mcudiag_json_member_uint(d, "isn", h->isn);
        mcudiag_json_member_string(d, "balancer_mac", h->balancer_mac);
        if (h->syn_frame.frame)
            member_frame(d, set, "syn_frame", &h->syn_frame);
        member_frame_list(d, set, "returned_frames", h->returned_frames);
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
    write_idle(&d, chain, set);
    write_idle_stitches(&d, chain, set);
    write_dsr(&d, chain, set);
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

/* A duration written as an integer count of nanoseconds (exact up to 2^53 ns,
 * 104 days: JSON numbers are read as doubles). */
static gboolean get_duration_ns(char *text, jsmntok_t *obj, const char *name, nstime_t *out)
{
    guint64 ns = 0;
    if (!get_uint(text, obj, name, G_MAXINT64, &ns))
        return FALSE;
    out->secs = (time_t)(ns / 1000000000u);
    out->nsecs = (int)(ns % 1000000000u);
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

/* The parts a chunk read, in order: which capture, how many frames, whether
 * its own, and how many of the capture's first frames it left out (a context
 * capture cut at the start of the analysis window). */
typedef struct {
    guint capture;
    guint32 frames;
    guint32 skipped;
    gboolean own;
} part_t;

/* Maps frame n of the chunk's capture to the set's file and frame; FALSE
 * if it is in no part. */
static gboolean map_number(guint32 n, const GArray *parts, mcudiag_frame_t *out, gboolean *own)
{
    for (guint i = 0; n && i < parts->len; i++) {
        const part_t *p = &g_array_index(parts, part_t, i);
        if (n <= p->frames) {
            *out = (mcudiag_frame_t){ .file = p->capture, .frame = p->skipped + n };
            *own = p->own;
            return TRUE;
        }
        n -= p->frames;
    }
    return FALSE;
}

/* Maps the frame object f (a frame of the chunk's capture); FALSE if none. */
static gboolean map_frame_object(char *text, jsmntok_t *f, const GArray *parts, mcudiag_frame_t *out, gboolean *own)
{
    return f && map_number(get_u32(text, f, "frame"), parts, out, own);
}

/* Maps the frame object member `name` of obj. */
static gboolean map_frame(char *text, jsmntok_t *obj, const char *name, const GArray *parts, mcudiag_frame_t *out,
                          gboolean *own)
{
    return map_frame_object(text, json_get_object(text, obj, name), parts, out, own);
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

/* A cut of the idle evidence as the chunks that saw it tell it, kept until
 * every chunk is loaded: counted if the chunk owning the frame that made it
 * a cut told it; what later frames showed (withdrawn, both ends reset, the
 * last retransmission) combined over every chunk that saw it. */
typedef struct {
    lbidle_service_t *service;
    lbidle_cut_t cut; /* frames numbered through the set */
    gboolean owned;
} idle_cut_t;

/* What loading the chunks gathers before it is added to the chain. */
typedef struct {
    GHashTable *idle_cuts; /* "service client port frame" -> idle_cut_t* (owned) */
    GHashTable *idle_opened; /* "service frame": connections counted */
    /* lbidle's tails and heads (lbidle_track.h), frames numbered through the
     * set: connection_key() -> GArray of lbidle_segment_t (owned) */
    GHashTable *idle_tails; /* each tail as a SYN of the end its chunk took for the client */
    GHashTable *idle_heads; /* the heads' segments */
} merge_t;

static guint32 set_number(const mcudiag_chain_t *chain, const mcudiag_frame_t *f)
{
    guint32 n = f->frame;
    for (guint i = 0; i < f->file && i < chain->captures->len; i++)
        n += ((const mcudiag_capture_t *)g_ptr_array_index(chain->captures, i))->frames;
    return n;
}

/* The frame member `name` of obj numbered through the set (0 if none), from any part. */
static guint32 set_frame_of(const mcudiag_chain_t *chain, char *text, jsmntok_t *obj, const char *name,
                            const GArray *parts, gboolean *own)
{
    mcudiag_frame_t f;
    gboolean mine = FALSE;
    const gboolean mapped = map_frame(text, obj, name, parts, &f, &mine);
    if (own)
        *own = mapped && mine;
    return mapped ? set_number(chain, &f) : 0;
}

static gboolean has_mark(char *text, jsmntok_t *obj, const char *mark)
{
    gboolean found = FALSE;
    json_elements_t marks = json_elements(text, obj, "marks");
    for (jsmntok_t *m; (m = json_next_element(&marks));) {
        char *name = token_text(text, m);
        found |= strcmp(name, mark) == 0;
        g_free(name);
    }
    return found;
}

/* A cut into the cuts of the merge; counted if the chunk that made it owns its detected frame. */
static void add_idle_cut(merge_t *m, lbidle_service_t *s, const lbidle_cut_t *cut, gboolean own)
{
    char buf[HOST_ENDPOINT_STRLEN];
    char *key = g_strdup_printf("%p %s %u", (void *)s, host_endpoint_to_str(&cut->client, cut->client_port, buf,
                                sizeof buf), cut->resume_frame ? cut->resume_frame : cut->reset_frame);
    idle_cut_t *c = g_hash_table_lookup(m->idle_cuts, key);
    if (!c) {
        c = g_new0(idle_cut_t, 1);
        c->service = s;
        c->cut = *cut;
        g_hash_table_insert(m->idle_cuts, key, c);
    } else {
        g_free(key);
        c->cut.withdrawn |= cut->withdrawn;
        c->cut.paired |= cut->paired;
        c->cut.retransmissions = MAX(c->cut.retransmissions, cut->retransmissions);
        c->cut.last_retransmission_frame = MAX(c->cut.last_retransmission_frame, cut->last_retransmission_frame);
        c->cut.detected_frame = MIN(c->cut.detected_frame, cut->detected_frame);
    }
    c->owned |= own;
}

static void load_idle_cut(merge_t *m, mcudiag_chain_t *chain, lbidle_service_t *s, char *text, jsmntok_t *e,
                          const GArray *parts)
{
    lbidle_cut_t cut = { 0 };
    gboolean own = FALSE;
    if (!get_addr(text, e, "client", &cut.client) || !get_duration_ns(text, e, "idle_gap_ns", &cut.idle_gap))
        return;
    cut.client_port = (guint16)get_u32(text, e, "client_port");
    const char *behaviour = json_get_string(text, e, "behaviour");
    for (guint b = LBIDLE_BEHAVIOUR_RESET_NEXT; b < G_N_ELEMENTS(behaviour_names); b++)
        if (behaviour && strcmp(behaviour, behaviour_names[b]) == 0)
            cut.behaviour = b;
    cut.before_gap_frame = set_frame_of(chain, text, e, "before_gap_frame", parts, NULL);
    cut.resume_frame = set_frame_of(chain, text, e, "resume_frame", parts, NULL);
    cut.reset_frame = set_frame_of(chain, text, e, "reset_frame", parts, NULL);
    cut.last_retransmission_frame = set_frame_of(chain, text, e, "last_retransmission_frame", parts, NULL);
    cut.detected_frame = set_frame_of(chain, text, e, "detected_frame", parts, &own);
    cut.retransmissions = get_u32(text, e, "retransmissions");
    cut.resumed_by_client = has_mark(text, e, "resumed-by-client");
    cut.reset_to_server = has_mark(text, e, "reset-to-server");
    cut.paired = has_mark(text, e, "paired");
    cut.withdrawn = has_mark(text, e, "withdrawn");
    if (!cut.behaviour || !cut.detected_frame)
        return;
    add_idle_cut(m, s, &cut, own);
}

/* The key of a connection whichever end a part took for its client: its two
 * endpoints in text order. */
static char *connection_key(const host_addr_t *a, guint16 a_port, const host_addr_t *b, guint16 b_port)
{
    char x[HOST_ENDPOINT_STRLEN], y[HOST_ENDPOINT_STRLEN];
    host_endpoint_to_str(a, a_port, x, sizeof x);
    host_endpoint_to_str(b, b_port, y, sizeof y);
    return strcmp(x, y) < 0 ? g_strconcat(x, " ", y, NULL) : g_strconcat(y, " ", x, NULL);
}

static gboolean get_ends(char *text, jsmntok_t *obj, host_conn_t *ends)
{
    host_addr_t client, server;
    if (!get_addr(text, obj, "client", &client) || !get_addr(text, obj, "server", &server))
        return FALSE;
    host_conn_set(ends, &client, (guint16)get_u32(text, obj, "client_port"), &server,
                  (guint16)get_u32(text, obj, "server_port"));
    return TRUE;
}

static void get_abs_time(char *text, jsmntok_t *obj, const char *name, nstime_t *ts)
{
    gint64 secs;
    gint32 nsecs;
    parse_time(json_get_string(text, obj, name), &secs, &nsecs);
    ts->secs = (time_t)secs;
    ts->nsecs = nsecs;
    *ts = frame_time(ts);
}

/* "address port frame" of a connection a chunk counted, by the service it counted it for. */
static char *opened_key(const host_addr_t *service, guint16 port, guint32 set_frame)
{
    char buf[HOST_ENDPOINT_STRLEN];
    return g_strdup_printf("%s %u", host_endpoint_to_str(service, port, buf, sizeof buf), set_frame);
}

/* Whether the connection a chunk counted at this frame continues one a chunk before it counted. */
static gboolean continues(GHashTable *continued, const host_addr_t *service, guint16 port, guint32 set_frame)
{
    if (g_hash_table_size(continued) == 0)
        return FALSE;
    char *key = opened_key(service, port, set_frame);
    const gboolean found = g_hash_table_contains(continued, key);
    g_free(key);
    return found;
}

static void free_segments(gpointer segments)
{
    g_array_free(segments, TRUE);
}

static void append_segment(GHashTable *table, const char *key, const lbidle_segment_t *seg)
{
    GArray *segments = g_hash_table_lookup(table, key);
    if (!segments) {
        segments = g_array_new(FALSE, FALSE, sizeof(lbidle_segment_t));
        g_hash_table_insert(table, g_strdup(key), segments);
    }
    g_array_append_val(segments, *seg);
}

/* Whether a head loaded from an earlier chunk holds the connection's segment at this set frame. */
static gboolean in_earlier_head(merge_t *m, const char *key, guint32 set_frame)
{
    const GArray *segments = g_hash_table_lookup(m->idle_heads, key);
    for (guint i = 0; segments && i < segments->len; i++)
        if (g_array_index(segments, lbidle_segment_t, i).frame == set_frame)
            return TRUE;
    return FALSE;
}

/* The chunk's heads. A head of a connection a chunk before this one left
 * live (a tail) continues it: the connection was counted where it began, so
 * not again at the head (`continued`: opened_key()s). A head that begins in
 * the chunk's context is replayed only where it goes on with the head the
 * chunk before saw begin there (a connection resuming at the end of that
 * chunk, answered in this one); otherwise that chunk saw the connection
 * before this chunk's context began, and replaying the later view beside the
 * earlier one would make up a silence between them. */
static void load_idle_heads(merge_t *m, mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts,
                            GHashTable *continued)
{
    GArray *head = g_array_new(FALSE, FALSE, sizeof(lbidle_segment_t));
    json_elements_t heads = json_elements(text, ev, "idle_heads");
    for (jsmntok_t *h; (h = json_next_element(&heads));) {
        host_conn_t ends;
        if (!get_ends(text, h, &ends))
            continue;
        g_array_set_size(head, 0);
        gboolean first_own = FALSE;
        json_elements_t elements = json_elements(text, h, "segments");
        for (jsmntok_t *e; (e = json_next_element(&elements));) {
            lbidle_segment_t seg = { 0 };
            gboolean own = FALSE;
            if (!get_addr(text, e, "src", &seg.src) || !get_addr(text, e, "dst", &seg.dst))
                continue;
            seg.frame = set_frame_of(chain, text, e, "frame", parts, &own);
            if (!seg.frame)
                continue;
            seg.src_port = (guint16)get_u32(text, e, "src_port");
            seg.dst_port = (guint16)get_u32(text, e, "dst_port");
            get_abs_time(text, e, "ts", &seg.ts);
            seg.flags = (guint8)get_u32(text, e, "flags");
            seg.seq = get_u32(text, e, "seq");
            seg.ack = get_u32(text, e, "ack");
            seg.payload_len = get_u32(text, e, "len");
            if (head->len == 0)
                first_own = own;
            g_array_append_val(head, seg);
        }
        if (head->len == 0)
            continue;
        const guint32 first = g_array_index(head, lbidle_segment_t, 0).frame;
        char *key = connection_key(&ends.client, ends.client_port, &ends.server, ends.server_port);
        if (g_hash_table_contains(m->idle_tails, key))
            g_hash_table_add(continued, opened_key(&ends.server, ends.server_port, first));
        if (first_own || in_earlier_head(m, key, first))
            for (guint i = 0; i < head->len; i++)
                append_segment(m->idle_heads, key, &g_array_index(head, lbidle_segment_t, i));
        g_free(key);
    }
    g_array_free(head, TRUE);
}

/* The chunk's tails, for the heads of the chunks after it: each replayed as a
 * SYN of the end the chunk took for the client, which the tracker takes for
 * the connection's last activity (no SYN resumes a connection) and which
 * tells it the client of a connection it has not seen. */
static void load_idle_tails(merge_t *m, mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts)
{
    json_elements_t tails = json_elements(text, ev, "idle_tails");
    for (jsmntok_t *e; (e = json_next_element(&tails));) {
        host_conn_t ends;
        lbidle_segment_t tail = { 0 };
        tail.frame = get_ends(text, e, &ends) ? set_frame_of(chain, text, e, "frame", parts, NULL) : 0;
        if (!tail.frame)
            continue;
        tail.src = ends.client;
        tail.src_port = ends.client_port;
        tail.dst = ends.server;
        tail.dst_port = ends.server_port;
        tail.flags = TCP_FLAG_SYN;
        get_abs_time(text, e, "ts", &tail.ts);
        char *key = connection_key(&ends.client, ends.client_port, &ends.server, ends.server_port);
        append_segment(m->idle_tails, key, &tail);
        g_free(key);
    }
}

static void load_idle(merge_t *m, mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts)
{
    if (!chain->idle_restored)
        chain->idle_restored = lbidle_tracker_new(&(lbidle_config_t){ 0 });
    GHashTable *continued = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    load_idle_heads(m, chain, text, ev, parts, continued);
    json_elements_t services = json_elements(text, ev, "idle_services");
    for (jsmntok_t *e; (e = json_next_element(&services));) {
        host_addr_t addr;
        const guint16 port = (guint16)get_u32(text, e, "port");
        lbidle_service_t *s = get_addr(text, e, "address", &addr)
                                  ? lbidle_tracker_restore_service(chain->idle_restored, &addr, port)
                                  : NULL;
        if (!s)
            continue;
        mcudiag_chain_add_idle_service(chain, s);
        guint connections = 0, listed = 0;
        json_elements_t opened = json_elements(text, e, "opened");
        for (jsmntok_t *o; (o = json_next_element(&opened)); listed++) {
            char *number = token_text(text, o);
            mcudiag_frame_t frame;
            gboolean own = FALSE;
            if (map_number((guint32)g_ascii_strtoull(number, NULL, 10), parts, &frame, &own) &&
                !continues(continued, &addr, port, set_number(chain, &frame)))
                connections += g_hash_table_add(m->idle_opened,
                                                g_strdup_printf("%p %u", (void *)s, set_number(chain, &frame)));
            g_free(number);
        }
        const guint32 counted = get_u32(text, e, "connections");
        connections += counted > listed ? counted - listed : 0;
        nstime_t survived = NSTIME_INIT_ZERO;
        get_duration_ns(text, e, "survived_ns", &survived);
        lbidle_service_restore(s, connections, &survived,
                               set_frame_of(chain, text, e, "survived_frame", parts, NULL));
        json_elements_t cuts = json_elements(text, e, "cuts");
        for (jsmntok_t *c; (c = json_next_element(&cuts));)
            load_idle_cut(m, chain, s, text, c, parts);
    }
    g_hash_table_destroy(continued);
    load_idle_tails(m, chain, text, ev, parts);
}

static gint compare_idle_cuts(gconstpointer a, gconstpointer b)
{
    const idle_cut_t *x = *(idle_cut_t *const *)a, *y = *(idle_cut_t *const *)b;
    return x->cut.detected_frame < y->cut.detected_frame ? -1 : x->cut.detected_frame > y->cut.detected_frame;
}

static gint compare_segment_frames(gconstpointer a, gconstpointer b)
{
    const lbidle_segment_t *x = a, *y = b;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* The segments to replay: of each connection some chunk saw a head of, its
 * heads' segments and its tails, each frame once (a tail's frame may also be
 * a head's segment, which is kept). */
static GArray *idle_replay_segments(merge_t *m)
{
    GArray *replay = g_array_new(FALSE, FALSE, sizeof(lbidle_segment_t));
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, m->idle_heads);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        GArray *segments = g_array_copy(value);
        const GArray *tails = g_hash_table_lookup(m->idle_tails, key);
        if (tails)
            g_array_append_vals(segments, tails->data, tails->len);
        g_array_sort(segments, compare_segment_frames); /* stable: of one frame, the head's segment first */
        for (guint i = 0; i < segments->len; i++)
            if (i == 0 || g_array_index(segments, lbidle_segment_t, i).frame !=
                              g_array_index(segments, lbidle_segment_t, i - 1).frame)
                g_array_append_val(replay, g_array_index(segments, lbidle_segment_t, i));
        g_array_free(segments, TRUE);
    }
    g_array_sort(replay, compare_segment_frames);
    return replay;
}

/* The gaps across chunk boundaries: the tails and heads fed in set order to
 * a tracker of their own, whose cuts and survived gaps join the evidence (a
 * gap a chunk saw whole comes out as the same cut, counted once; its
 * connections were counted by the chunks). */
static void replay_idle_stitches(merge_t *m, mcudiag_chain_t *chain)
{
    GArray *segments = idle_replay_segments(m);
    lbidle_tracker_t *replay = lbidle_tracker_new(&(lbidle_config_t){ 0 });
    for (guint i = 0; i < segments->len; i++)
        lbidle_tracker_feed(replay, &g_array_index(segments, lbidle_segment_t, i));
    g_array_free(segments, TRUE);
    for (guint i = 0; i < lbidle_tracker_service_count(replay); i++) {
        const lbidle_service_t *r = lbidle_tracker_service(replay, i);
        lbidle_timer_t timer;
        lbidle_service_timer(r, &timer);
        if (!timer.lower_bound_frame && lbidle_service_cut_count(r) == 0)
            continue;
        guint16 port;
        const host_addr_t *addr = lbidle_service_addr(r, &port);
        lbidle_service_t *s = lbidle_tracker_restore_service(chain->idle_restored, addr, port);
        if (!s)
            continue;
        mcudiag_chain_add_idle_service(chain, s);
        if (timer.lower_bound_frame)
            lbidle_service_restore(s, 0, &timer.lower_bound, timer.lower_bound_frame);
        for (guint k = 0; k < lbidle_service_cut_count(r); k++)
            add_idle_cut(m, s, lbidle_service_cut(r, k), TRUE);
    }
    lbidle_tracker_free(replay);
}

/* The owned cuts into their services, in the order they were made. */
static void finish_idle(merge_t *m, mcudiag_chain_t *chain)
{
    replay_idle_stitches(m, chain);
    GPtrArray *cuts = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, m->idle_cuts);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(cuts, value);
    g_ptr_array_sort(cuts, compare_idle_cuts);
    for (guint i = 0; i < cuts->len; i++) {
        idle_cut_t *c = g_ptr_array_index(cuts, i);
        if (c->owned)
            lbidle_tracker_restore_cut(chain->idle_restored, c->service, &c->cut);
    }
    g_ptr_array_free(cuts, TRUE);
}

static void add_strings(GPtrArray *to, char *text, jsmntok_t *obj, const char *name)
{
    json_elements_t strings = json_elements(text, obj, name);
    for (jsmntok_t *e; (e = json_next_element(&strings));) {
        char *value = token_text(text, e);
        mcudiag_strv_add_unique(to, value);
        g_free(value);
    }
}

/* The frames of the array member `name` not there yet: a DSR frame is
 * reported by every chunk that saw its connection answered (one pass reports
 * the SYN and the balancer's forward only at the answer, which may be in the
 * next chunk), so these count once by their place in the set, not by owner. */
static void add_frames_once(GArray *to, char *text, jsmntok_t *obj, const char *name, const GArray *parts)
{
    json_elements_t frames = json_elements(text, obj, name);
    for (jsmntok_t *e; (e = json_next_element(&frames));) {
        mcudiag_frame_t frame;
        gboolean own = FALSE, known = FALSE;
        if (!map_frame_object(text, e, parts, &frame, &own))
            continue;
        for (guint i = 0; i < to->len && !known; i++)
            known = mcudiag_frame_compare(&frame, &g_array_index(to, mcudiag_frame_t, i)) == 0;
        if (!known)
            g_array_append_val(to, frame);
    }
}

static void load_dsr_vip(mcudiag_chain_t *chain, char *text, jsmntok_t *e, const GArray *parts)
{
    host_addr_t vip;
    if (!get_addr(text, e, "vip", &vip))
        return;
    mcudiag_dsr_vip_t *v = mcudiag_dsr_vip(chain->dsr, &vip, (guint16)get_u32(text, e, "port"));
    v->caller_view |= has_mark(text, e, "caller-view");
    v->withdrawn |= has_mark(text, e, "withdrawn");
    add_strings(v->balancer_macs, text, e, "balancer_macs");
    add_strings(v->member_macs, text, e, "member_macs");
    add_strings(v->clients, text, e, "clients");
    json_elements_t ttls = json_elements(text, e, "ttls");
    for (jsmntok_t *t; (t = json_next_element(&ttls));) {
        char *ttl = token_text(text, t);
        mcudiag_dsr_add_ttl(v, (guint16)g_ascii_strtoull(ttl, NULL, 10));
        g_free(ttl);
    }
    add_frames_once(v->syn_frames, text, e, "syn_frames", parts);
    add_frames_once(v->forward_frames, text, e, "forward_frames", parts);
    add_frames_once(v->answer_frames, text, e, "answer_frames", parts);
    json_elements_t conns = json_elements(text, e, "connections");
    for (jsmntok_t *c; (c = json_next_element(&conns));) {
        host_addr_t client;
        const char *state = json_get_string(text, c, "state");
        if (get_addr(text, c, "client", &client))
            mcudiag_dsr_vip_conn(v, &client, (guint16)get_u32(text, c, "client_port"), get_u32(text, c, "isn"))
                ->withdrawn |= state && strcmp(state, "withdrawn") == 0;
    }
}

/* DSR: what holds for a VIP or a connection (its MACs, clients, TTLs, that
 * it was withdrawn) is a fact wherever it was read; frames count once. */
static void load_dsr(mcudiag_chain_t *chain, char *text, jsmntok_t *ev, const GArray *parts)
{
    json_elements_t vips = json_elements(text, ev, "dsr_vips");
    for (jsmntok_t *e; (e = json_next_element(&vips));)
        load_dsr_vip(chain, text, e, parts);
    json_elements_t hairpins = json_elements(text, ev, "hairpins");
    for (jsmntok_t *e; (e = json_next_element(&hairpins));) {
        host_addr_t caller, vip;
        if (!get_addr(text, e, "caller", &caller) || !get_addr(text, e, "vip", &vip))
            continue;
        mcudiag_dsr_hairpin_t *h = mcudiag_dsr_hairpin(chain->dsr, &caller, (guint16)get_u32(text, e, "caller_port"),
                                                       &vip, (guint16)get_u32(text, e, "vip_port"),
                                                       get_u32(text, e, "isn"));
        const char *mac = json_get_string(text, e, "balancer_mac");
        if (!h->balancer_mac && mac)
            h->balancer_mac = g_strdup(mac);
        mcudiag_frame_t syn;
        gboolean own;
        if (map_frame(text, e, "syn_frame", parts, &syn, &own) &&
            (!h->syn_frame.frame || mcudiag_frame_compare(&syn, &h->syn_frame) < 0))
            h->syn_frame = syn;
        add_frames_once(h->returned_frames, text, e, "returned_frames", parts);
    }
}

static gboolean load_chunk(merge_t *m, mcudiag_chain_t *chain, const char *path, const GArray *parts,
                           GString *errors)
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
    load_idle(m, chain, doc.text, ev, parts);
    load_dsr(chain, doc.text, ev, parts);
    json_doc_clear(&doc);
    return TRUE;
}

static void load_captures(mcudiag_chain_t *chain, char *text, jsmntok_t *root)
{
    guint position = 0;
    json_elements_t captures_elements = json_elements(text, root, "captures");
    for (jsmntok_t *e; (e = json_next_element(&captures_elements));) {
        mcudiag_capture_t *c = mcudiag_chain_capture(chain, position++);
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
    merge_t m = { .idle_cuts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
                  .idle_opened = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                  .idle_tails = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_segments),
                  .idle_heads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_segments) };
    json_elements_t chunks_elements = json_elements(text, doc.tokens, "chunks");
    for (jsmntok_t *chunk; (chunk = json_next_element(&chunks_elements));) {
        GArray *parts = g_array_new(FALSE, FALSE, sizeof(part_t));
        json_elements_t parts_elements = json_elements(text, chunk, "parts");
        for (jsmntok_t *p; (p = json_next_element(&parts_elements));) {
            const char *use = json_get_string(text, p, "use");
            const part_t part = { .capture = get_u32(text, p, "capture"), .frames = get_u32(text, p, "frames"),
                                  .skipped = get_u32(text, p, "skipped"), .own = use && strcmp(use, "own") == 0 };
            g_array_append_val(parts, part);
        }
        const char *report = json_get_string(text, chunk, "report");
        chunks++;
        if (report)
            loaded += load_chunk(&m, chain, report, parts, errors);
        g_array_free(parts, TRUE);
    }
    json_doc_clear(&doc);
    if (chain->idle_restored)
        finish_idle(&m, chain);
    g_hash_table_destroy(m.idle_cuts);
    g_hash_table_destroy(m.idle_opened);
    g_hash_table_destroy(m.idle_tails);
    g_hash_table_destroy(m.idle_heads);
    if (chunks == 0)
        g_string_append_printf(errors, "%s: no chunks\n", manifest);
    return chunks > 0 && loaded == chunks;
}
