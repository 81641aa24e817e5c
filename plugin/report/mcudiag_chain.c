/* mcudiag_chain.c — the cross-layer diagnosis (see mcudiag_chain.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_chain_private.h"

#include <string.h>

#include "lbidle/lbidle_finding.h"

static void failed_connection_free(gpointer p)
{
    failed_connection_t *fc = p;
    g_free(fc->client);
    g_free(fc);
}

/* What a port on an OCS 2007 / Lync pool VIP carries (OCS 2007 R2 load
 * balancer and port documentation, research/c3p-protocol.md §2.3). */
static const struct {
    guint16 port;
    const char *use;
    const char *consequence;
} pool_ports[] = {
    { 444, "HTTPS (C3P) between the Focus, the MCU Factory and the conferencing servers (MCUs)",
      "MCUs on these hosts cannot send health notifications to the MCU Factory "
      "(event 61013 \"failed to send health notifications to the MCU factory\"), so the factory "
      "allocates no MCU and conference joins fail (\"Join Meeting failed\")" },
    { 5061, "SIP over (M)TLS, between clients and Front Ends and between Front Ends",
      "SIP between these clients and the pool fails" },
    { 5060, "SIP over TCP", "SIP between these clients and the pool fails" },
    { 443, "HTTPS to the pool's web components", "web component requests from these clients fail" },
    { 135, "DCOM (moving users, WMI)", "DCOM operations from these clients fail" },
};

static void host_calls_free(gpointer p)
{
    host_calls_t *h = p;
    g_hash_table_destroy(h->ports);
    g_hash_table_destroy(h->endpoints);
    g_free(h);
}

static void frames_free(gpointer frames)
{
    g_array_free(frames, TRUE);
}

mcudiag_chain_t *mcudiag_chain_new(void)
{
    mcudiag_chain_t *chain = g_new0(mcudiag_chain_t, 1);
    chain->attempts = g_ptr_array_new_with_free_func(g_free);
    chain->case_attempt = g_hash_table_new(g_direct_hash, g_direct_equal);
    chain->attempt_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    chain->records = g_ptr_array_new_with_free_func(g_free);
    chain->views = g_ptr_array_new_with_free_func(g_free);
    chain->view_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    chain->joins = g_ptr_array_new_with_free_func(mcudiag_join_leg_free);
    chain->failed_connections = g_ptr_array_new_with_free_func(failed_connection_free);
    chain->conf_hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    chain->host_calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, host_calls_free);
    chain->dsr = mcudiag_dsr_new();
    chain->captures = g_ptr_array_new_with_free_func(mcudiag_capture_free);
    chain->idle_services = g_ptr_array_new();
    chain->idle_opened = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, frames_free);
    return chain;
}

void mcudiag_chain_reset(mcudiag_chain_t *chain)
{
    g_ptr_array_set_size(chain->records, 0);
    g_ptr_array_set_size(chain->attempts, 0);
    g_hash_table_remove_all(chain->case_attempt);
    g_hash_table_remove_all(chain->attempt_keys);
    g_ptr_array_set_size(chain->views, 0);
    g_hash_table_remove_all(chain->view_index);
    g_ptr_array_set_size(chain->joins, 0);
    g_ptr_array_set_size(chain->failed_connections, 0);
    g_hash_table_remove_all(chain->conf_hosts);
    g_hash_table_remove_all(chain->host_calls);
    mcudiag_dsr_reset(chain->dsr);
    g_ptr_array_set_size(chain->captures, 0);
    g_ptr_array_set_size(chain->idle_services, 0);
    g_hash_table_remove_all(chain->idle_opened);
    chain->idle_tracker = NULL;
    g_clear_pointer(&chain->idle_restored, lbidle_tracker_free);
}

void mcudiag_chain_free(mcudiag_chain_t *chain)
{
    if (!chain)
        return;
    g_ptr_array_free(chain->records, TRUE);
    g_ptr_array_free(chain->attempts, TRUE);
    g_hash_table_destroy(chain->case_attempt);
    g_hash_table_destroy(chain->attempt_keys);
    g_ptr_array_free(chain->views, TRUE);
    g_hash_table_destroy(chain->view_index);
    g_ptr_array_free(chain->joins, TRUE);
    g_ptr_array_free(chain->failed_connections, TRUE);
    g_hash_table_destroy(chain->conf_hosts);
    g_hash_table_destroy(chain->host_calls);
    mcudiag_dsr_free(chain->dsr);
    g_ptr_array_free(chain->captures, TRUE);
    g_ptr_array_free(chain->idle_services, TRUE);
    g_hash_table_destroy(chain->idle_opened);
    lbidle_tracker_free(chain->idle_restored);
    g_free(chain);
}

static mcudiag_frame_t frame_of(guint32 frame)
{
    return (mcudiag_frame_t){ .file = 0, .frame = frame };
}

void mcudiag_chain_add_lbidle(mcudiag_chain_t *chain, const lbidle_tap_info_t *info)
{
    mcudiag_chain_add_idle_service(chain, info->service);
    chain->idle_tracker = info->tracker;
    if (info->opened)
        g_array_append_val((GArray *)g_hash_table_lookup(chain->idle_opened, info->service), info->frame);
}

void mcudiag_chain_add_idle_service(mcudiag_chain_t *chain, const lbidle_service_t *service)
{
    /* kept read-only (the tracker owns it for the whole file); GLib's containers have no const elements */
    gpointer s = (gpointer)(guintptr)service;
    if (!g_hash_table_contains(chain->idle_opened, s)) {
        g_hash_table_insert(chain->idle_opened, s, g_array_new(FALSE, FALSE, sizeof(guint32)));
        g_ptr_array_add(chain->idle_services, s);
    }
}

void mcudiag_chain_add_join(mcudiag_chain_t *chain, const mcudiag_join_t *join)
{
    mcudiag_chain_add_join_leg(chain, mcudiag_join_leg_new(frame_of(join->frame), join->status, join->conference_id,
                                                           join->organizer, join->where, join->diag_id,
                                                           join->diag_component, join->diag_reason));
}

void mcudiag_chain_add_join_leg(mcudiag_chain_t *chain, mcudiag_join_leg_t *leg)
{
    g_ptr_array_add(chain->joins, leg);
}

void mcudiag_chain_add_failed_connection(mcudiag_chain_t *chain, const char *client, guint16 port, guint32 frame,
                                         guint lbsnat_case)
{
    mcudiag_chain_add_failure(chain, client, port, frame_of(frame), lbsnat_case != 0);
}

void mcudiag_chain_add_failure(mcudiag_chain_t *chain, const char *client, guint16 port, mcudiag_frame_t frame,
                               gboolean explained)
{
    failed_connection_t *fc = g_new0(failed_connection_t, 1);
    fc->client = g_strdup(client);
    fc->port = port;
    fc->frame = frame;
    fc->explained = explained;
    g_ptr_array_add(chain->failed_connections, fc);
}

void mcudiag_chain_add_lbdsr(mcudiag_chain_t *chain, const lbdsr_tap_info_t *info)
{
    mcudiag_dsr_add(chain->dsr, info);
}

void mcudiag_chain_add_lbhairpin(mcudiag_chain_t *chain, const lbhairpin_tap_info_t *info)
{
    mcudiag_dsr_add_hairpin(chain->dsr, info);
}

void mcudiag_chain_add_conferencing_host(mcudiag_chain_t *chain, const char *host, mcudiag_conf_evidence_t kind)
{
    mcudiag_chain_add_conferencing_mask(chain, host, 1u << kind);
}

void mcudiag_chain_add_conferencing_mask(mcudiag_chain_t *chain, const char *host, guint mask)
{
    const guint old = GPOINTER_TO_UINT(g_hash_table_lookup(chain->conf_hosts, host));
    g_hash_table_insert(chain->conf_hosts, g_strdup(host), GUINT_TO_POINTER(old | mask));
}

void mcudiag_chain_add_syn(mcudiag_chain_t *chain, const char *client, const char *server, guint16 port)
{
    mcudiag_chain_add_call(chain, client, server, port);
}

void mcudiag_chain_add_call(mcudiag_chain_t *chain, const char *client, const char *server, guint16 port)
{
    host_calls_t *h = g_hash_table_lookup(chain->host_calls, client);
    if (!h) {
        h = g_new0(host_calls_t, 1);
        h->ports = g_hash_table_new(g_direct_hash, g_direct_equal);
        h->endpoints = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(chain->host_calls, g_strdup(client), h);
    }
    if (g_hash_table_size(h->ports) < MCUDIAG_SWEEP_ENDPOINTS)
        g_hash_table_add(h->ports, GUINT_TO_POINTER((guint)port));
    if (server && g_hash_table_size(h->endpoints) < HOST_ENDPOINTS_KEPT)
        g_hash_table_add(h->endpoints, g_strdup_printf("%s %u", server, port));
}

static gint compare_ports(gconstpointer a, gconstpointer b)
{
    return (gint)*(const guint16 *)a - (gint)*(const guint16 *)b;
}

/* How many servers a host called on one port (from what is kept). */
static guint servers_called_on(const host_calls_t *h, guint port)
{
    guint n = 0;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, h->endpoints);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const char *space = strrchr(key, ' ');
        n += space && strtoul(space + 1, NULL, 10) == port;
    }
    return n;
}

/* The ports on which connections failed, in order. */
static GArray *failed_ports(const mcudiag_chain_t *chain)
{
    GArray *ports = g_array_new(FALSE, FALSE, sizeof(guint16));
    for (guint i = 0; i < chain->failed_connections->len; i++) {
        const failed_connection_t *fc = g_ptr_array_index(chain->failed_connections, i);
        gboolean seen = FALSE;
        for (guint k = 0; k < ports->len && !seen; k++)
            seen = g_array_index(ports, guint16, k) == fc->port;
        if (!seen)
            g_array_append_val(ports, fc->port);
    }
    g_array_sort(ports, compare_ports);
    return ports;
}

/* The host called many ports, or many servers on a port where connections
 * failed: a sweep. Its size, or 0. */
static guint host_sweep_size(const mcudiag_chain_t *chain, const GArray *ports, const char *host)
{
    const host_calls_t *h = g_hash_table_lookup(chain->host_calls, host);
    if (!h)
        return 0;
    guint most = g_hash_table_size(h->ports);
    for (guint i = 0; i < ports->len; i++)
        most = MAX(most, servers_called_on(h, g_array_index(ports, guint16, i)));
    return most >= MCUDIAG_SWEEP_ENDPOINTS ? most : 0;
}

static char *attempt_key(const host_addr_t *client, guint16 client_port, const host_addr_t *vip, guint16 vip_port,
                         guint32 isn)
{
    char c[64], v[64];
    return g_strdup_printf("%s %s %u", host_endpoint_to_str(client, client_port, c, sizeof c),
                           host_endpoint_to_str(vip, vip_port, v, sizeof v), isn);
}

attempt_t *mcudiag_chain_attempt(mcudiag_chain_t *chain, const host_addr_t *client, guint16 client_port,
                                 const host_addr_t *vip, guint16 vip_port, guint32 isn)
{
    char *key = attempt_key(client, client_port, vip, vip_port, isn);
    attempt_t *a = g_hash_table_lookup(chain->attempt_keys, key);
    if (a) {
        g_free(key);
        return a;
    }
    a = g_new0(attempt_t, 1);
    a->vip = *vip;
    a->client = *client;
    a->vip_port = vip_port;
    a->client_port = client_port;
    a->isn = isn;
    g_ptr_array_add(chain->attempts, a);
    g_hash_table_insert(chain->attempt_keys, key, a);
    return a;
}

void mcudiag_chain_add_record(mcudiag_chain_t *chain, attempt_t *a, lbsnat_role_t role, mcudiag_frame_t frame,
                              const host_addr_t *member)
{
    attempt_record_t *r = g_new0(attempt_record_t, 1);
    r->attempt = a;
    r->role = role == LBSNAT_ROLE_ICMP_ERROR ? LBSNAT_ROLE_CLIENT_RESET : role;
    r->frame = frame;
    if (member)
        r->member = *member;
    g_ptr_array_add(chain->records, r);
}

static char *view_key(const view_t *v)
{
    char c[64], m[64];
    return g_strdup_printf("%s %s %u", host_endpoint_to_str(&v->client, v->client_port, c, sizeof c),
                           host_endpoint_to_str(&v->member, v->port, m, sizeof m), v->isn);
}

void mcudiag_chain_add_view(mcudiag_chain_t *chain, const view_t *view)
{
    char *key = view_key(view);
    view_t *old = g_hash_table_lookup(chain->view_index, key);
    if (old) {
        if (mcudiag_frame_compare(&view->first_reset, &old->first_reset) < 0)
            old->first_reset = view->first_reset;
        g_free(key);
        return;
    }
    view_t *v = g_memdup2(view, sizeof *view);
    g_ptr_array_add(chain->views, v);
    g_hash_table_insert(chain->view_index, key, v);
}

/* The first record of a view names its first reset, even when one pass only
 * learns of the view at a later frame. */
static void add_member_view(mcudiag_chain_t *chain, const lbsnat_member_view_t *mv, guint32 frame)
{
    const view_t v = { .member = mv->member, .client = mv->client, .port = mv->member_port,
                       .client_port = mv->client_port, .isn = mv->isn, .at = frame_of(frame),
                       .first_reset = frame_of(mv->first_reset_frame) };
    mcudiag_chain_add_view(chain, &v);
}

void mcudiag_chain_add_lbsnat(mcudiag_chain_t *chain, const lbsnat_tap_info_t *info)
{
    const lbsnat_case_t *c = info->c;
    if (!c) {
        if (info->member_view)
            add_member_view(chain, info->member_view, info->frame);
        return;
    }
    attempt_t *a = g_hash_table_lookup(chain->case_attempt, c);
    if (!a) {
        a = mcudiag_chain_attempt(chain, &c->client, c->client_port, &c->vip, c->vip_port, c->isn);
        a->c = c;
        g_hash_table_insert(chain->case_attempt, GSIZE_TO_POINTER((gsize)c), a); /* the case's address is the key */
    }
    if (c->withdrawn)
        return;
    if (c->rule == LBSNAT_RULE_FULL_PROXY)
        a->full_proxy = TRUE;
    a->confidence = MAX(a->confidence, lbsnat_case_confidence(c));
    mcudiag_chain_add_record(chain, a, info->role, frame_of(info->frame),
                             info->role == LBSNAT_ROLE_FOREIGN_SYNACK ? &info->answer->member : NULL);
}

mcudiag_capture_t *mcudiag_chain_capture(mcudiag_chain_t *chain, guint file)
{
    while (chain->captures->len <= file)
        g_ptr_array_add(chain->captures, g_new0(mcudiag_capture_t, 1));
    return g_ptr_array_index(chain->captures, file);
}

void mcudiag_chain_set_capture_name(mcudiag_chain_t *chain, const char *name)
{
    mcudiag_capture_t *c = mcudiag_chain_capture(chain, 0);
    g_free(c->name);
    c->name = g_strdup(name);
}

void mcudiag_chain_add_frame(mcudiag_chain_t *chain, gint64 secs, gint32 nsecs)
{
    mcudiag_capture_t *c = mcudiag_chain_capture(chain, 0);
    if (c->frames == 0 || secs < c->first_s || (secs == c->first_s && nsecs < c->first_ns))
        c->first_s = secs, c->first_ns = nsecs;
    if (c->frames == 0 || secs > c->last_s || (secs == c->last_s && nsecs > c->last_ns))
        c->last_s = secs, c->last_ns = nsecs;
    c->frames++;
}

/* ---- from evidence to findings ------------------------------------------- */

gboolean mcudiag_attempt_live(const attempt_t *a)
{
    return !a->withdrawn && !(a->c && a->c->withdrawn);
}

static char *addr_text(const host_addr_t *a)
{
    char buf[64];
    return g_strdup(host_addr_to_str(a, buf, sizeof buf));
}

static char *endpoint_text(const host_addr_t *a, guint16 port)
{
    char buf[64];
    return g_strdup(host_endpoint_to_str(a, port, buf, sizeof buf));
}

static void add_unique_addr(GPtrArray *set, const host_addr_t *a)
{
    char buf[64];
    mcudiag_strv_add_unique(set, host_addr_to_str(a, buf, sizeof buf));
}

static char *port_impact(guint16 port)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pool_ports); i++)
        if (pool_ports[i].port == port)
            return g_strdup_printf("on an OCS/Lync pool, port %u carries %s: %s", port, pool_ports[i].use,
                                   pool_ports[i].consequence);
    return NULL;
}

static void sort_frames(GArray *frames)
{
    g_array_sort(frames, mcudiag_frame_compare);
}

/* The VIP finding of one VIP:port from its live attempts' records. */
static mcudiag_finding_t *vip_finding(const mcudiag_chain_t *chain, const host_addr_t *vip, guint16 port)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_VIP_WITHOUT_SNAT);
    f->address = addr_text(vip);
    f->port = port;
    f->endpoint = endpoint_text(vip, port);
    GHashTable *attempts = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < chain->records->len; i++) {
        const attempt_record_t *r = g_ptr_array_index(chain->records, i);
        attempt_t *a = r->attempt;
        if (!mcudiag_attempt_live(a) || a->vip_port != port || !host_addr_equal(&a->vip, vip))
            continue;
        g_hash_table_add(attempts, a);
        add_unique_addr(f->clients, &a->client);
        f->full_proxy |= a->full_proxy;
        f->confidence = MAX(f->confidence, (mcudiag_level_t)a->confidence);
        if (r->role == LBSNAT_ROLE_FOREIGN_SYNACK) {
            add_unique_addr(f->members, &r->member);
            char member[64], client[64];
            char *pair = g_strdup_printf("%s answered %s", host_addr_to_str(&r->member, member, sizeof member),
                                         host_addr_to_str(&a->client, client, sizeof client));
            mcudiag_strv_add_unique(f->pairs, pair);
            g_free(pair);
            g_array_append_val(f->frames, r->frame);
        } else if (r->role == LBSNAT_ROLE_CLIENT_RESET) {
            g_array_append_val(f->reset_frames, r->frame);
        }
    }
    f->attempts = g_hash_table_size(attempts);
    g_hash_table_destroy(attempts);
    sort_frames(f->frames);
    sort_frames(f->reset_frames);
    for (guint i = 0; i < f->clients->len && !f->clients_are_members; i++)
        f->clients_are_members = mcudiag_strv_contains(f->members, g_ptr_array_index(f->clients, i));
    f->impact = port_impact(port);
    f->fix = g_strdup_printf("enable source address translation on the virtual server %s (e.g. \"SNAT automap\"), "
                             "so replies return through the balancer from the VIP.", f->endpoint);
    return f;
}

/* The member-view finding of one member:port. */
static mcudiag_finding_t *member_finding(const mcudiag_chain_t *chain, const host_addr_t *member, guint16 port)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_MEMBER_WITHOUT_SNAT);
    f->address = addr_text(member);
    f->port = port;
    f->endpoint = endpoint_text(member, port);
    f->confidence = MCUDIAG_LEVEL_MEDIUM;
    for (guint i = 0; i < chain->views->len; i++) {
        const view_t *v = g_ptr_array_index(chain->views, i);
        if (v->port != port || !host_addr_equal(&v->member, member))
            continue;
        add_unique_addr(f->clients, &v->client);
        g_array_append_val(f->frames, v->first_reset);
        f->attempts++;
    }
    sort_frames(f->frames);
    f->impact = port_impact(port);
    f->next = g_strdup("a capture on the client, or a SPAN of the balancer's segment, names the VIP.");
    f->fix = g_strdup_printf("enable source address translation (e.g. \"SNAT automap\") on the virtual server that "
                             "forwards to %s, so replies return through the balancer.", f->endpoint);
    return f;
}

/* A member's view belongs to a VIP finding of the same port that shares a host with it. */
static gboolean member_view_ties_to(const mcudiag_finding_t *m, const mcudiag_finding_t *v)
{
    if (m->port != v->port)
        return FALSE;
    if (mcudiag_strv_contains(v->members, m->address) || mcudiag_strv_contains(v->clients, m->address))
        return TRUE;
    for (guint i = 0; i < m->clients->len; i++) {
        const char *client = g_ptr_array_index(m->clients, i);
        if (mcudiag_strv_contains(v->members, client) || mcudiag_strv_contains(v->clients, client))
            return TRUE;
    }
    return FALSE;
}

/* The lbsnat findings: a finding per VIP:port with live attempts (in order
 * of first evidence), each with the member views tied to it; then the member
 * views tied to none. */
static void lbsnat_findings(const mcudiag_chain_t *chain, GPtrArray *vips, GPtrArray *members)
{
    for (guint i = 0; i < chain->records->len; i++) {
        const attempt_t *a = ((const attempt_record_t *)g_ptr_array_index(chain->records, i))->attempt;
        gboolean known = !mcudiag_attempt_live(a);
        for (guint k = 0; k < vips->len && !known; k++) {
            const mcudiag_finding_t *v = g_ptr_array_index(vips, k);
            char buf[64];
            known = v->port == a->vip_port && strcmp(v->address, host_addr_to_str(&a->vip, buf, sizeof buf)) == 0;
        }
        if (!known)
            g_ptr_array_add(vips, vip_finding(chain, &a->vip, a->vip_port));
    }
    GHashTable *done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < chain->views->len; i++) {
        const view_t *view = g_ptr_array_index(chain->views, i);
        char buf[64];
        char *key = g_strdup(host_endpoint_to_str(&view->member, view->port, buf, sizeof buf));
        if (!g_hash_table_add(done, key))
            continue;
        mcudiag_finding_t *m = member_finding(chain, &view->member, view->port);
        gboolean tied = FALSE;
        for (guint k = 0; k < vips->len; k++) {
            mcudiag_finding_t *v = g_ptr_array_index(vips, k);
            if (!member_view_ties_to(m, v))
                continue;
            if (tied) {
                g_ptr_array_add(v->member_views, member_finding(chain, &view->member, view->port));
            } else {
                g_ptr_array_add(v->member_views, m);
                tied = TRUE;
            }
        }
        if (!tied)
            g_ptr_array_add(members, m);
    }
    g_hash_table_destroy(done);
}

static mcudiag_finding_t *failed_joins_finding(const mcudiag_chain_t *chain, gboolean other_evidence)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_FAILED_JOINS);
    f->total = chain->joins->len;
    for (guint i = 0; i < chain->joins->len; i++) {
        const mcudiag_join_leg_t *j = g_ptr_array_index(chain->joins, i);
        if (j->status < 300)
            continue;
        g_ptr_array_add(f->joins, mcudiag_join_leg_copy(j));
        g_array_append_val(f->frames, j->frame);
    }
    f->count = f->joins->len;
    if (!other_evidence)
        f->next = g_strdup("this capture shows no failed connection to the conferencing port 444. Capture on a "
                           "Front End where the MCUs run (or on the load balancer's server side) to see their "
                           "HTTPS connections to the MCU Factory.");
    return f;
}

/* The failed connections to the conferencing port that count: of hosts that
 * are no sweepers and that the capture ties to conferencing (SIP or C3P of a
 * conference) or behind which a balancer fault is seen. The others, tied to
 * nothing, go into the `untied` note (taken by the caller; NULL if none). How
 * sure the counted ones are MCUs' health notifications: every host also
 * carries SIP, C3P or TLS of conferencing (high), else a balancer fault ties
 * them (medium). */
static mcudiag_finding_t *failed_connections_finding(const mcudiag_chain_t *chain, const GArray *ports,
                                                     gboolean lbsnat_evidence, mcudiag_finding_t **untied)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_FAILED_CONNECTIONS);
    mcudiag_finding_t *note = mcudiag_finding_new(MCUDIAG_FINDING_UNTIED_CONNECTIONS);
    gboolean explained = FALSE;
    for (guint i = 0; i < chain->failed_connections->len; i++)
        explained |= ((const failed_connection_t *)g_ptr_array_index(chain->failed_connections, i))->explained;
    const gboolean balancer = explained || lbsnat_evidence;
    for (guint i = 0; i < chain->failed_connections->len; i++) {
        const failed_connection_t *fc = g_ptr_array_index(chain->failed_connections, i);
        if (host_sweep_size(chain, ports, fc->client))
            continue;
        mcudiag_finding_t *to = balancer || g_hash_table_contains(chain->conf_hosts, fc->client) ? f : note;
        mcudiag_strv_add_unique(to->clients, fc->client);
        g_array_append_val(to->frames, fc->frame);
    }
    *untied = NULL;
    if (note->clients->len) {
        sort_frames(note->frames);
        *untied = note;
    } else {
        mcudiag_finding_free(note);
    }
    if (!f->clients->len) {
        mcudiag_finding_free(f);
        return NULL;
    }
    g_array_append_vals(f->ports, ports->data, ports->len);
    sort_frames(f->frames);
    guint with_evidence = 0;
    for (guint i = 0; i < f->clients->len; i++)
        with_evidence += g_hash_table_contains(chain->conf_hosts, g_ptr_array_index(f->clients, i));
    f->certainty = with_evidence == f->clients->len ? MCUDIAG_LEVEL_HIGH : MCUDIAG_LEVEL_MEDIUM;
    f->cause = explained  ? MCUDIAG_CAUSE_NEXT_FINDING
               : balancer ? MCUDIAG_CAUSE_BALANCER_BELOW
                          : MCUDIAG_CAUSE_CERTIFICATE;
    return f;
}

/* Hosts left out of the findings because they sweep: a note each. */
static void sweeper_notes(const mcudiag_chain_t *chain, const GArray *ports, mcudiag_findings_t *set)
{
    GPtrArray *seen = g_ptr_array_new();
    for (guint i = 0; i < chain->failed_connections->len; i++) {
        const failed_connection_t *fc = g_ptr_array_index(chain->failed_connections, i);
        const guint size = host_sweep_size(chain, ports, fc->client);
        if (!size || mcudiag_strv_contains(seen, fc->client))
            continue;
        g_ptr_array_add(seen, fc->client);
        mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_SWEEPER);
        f->address = g_strdup(fc->client);
        f->count = size;
        mcudiag_findings_add(set, f);
    }
    g_ptr_array_free(seen, TRUE);
}

static guint failed_join_count(const mcudiag_chain_t *chain)
{
    guint n = 0;
    for (guint i = 0; i < chain->joins->len; i++)
        n += ((const mcudiag_join_leg_t *)g_ptr_array_index(chain->joins, i))->status >= 300;
    return n;
}

static guint failing_hosts(const mcudiag_chain_t *chain)
{
    GPtrArray *hosts = g_ptr_array_new();
    for (guint i = 0; i < chain->failed_connections->len; i++) {
        const failed_connection_t *fc = g_ptr_array_index(chain->failed_connections, i);
        if (!mcudiag_strv_contains(hosts, fc->client))
            g_ptr_array_add(hosts, fc->client);
    }
    const guint n = hosts->len;
    g_ptr_array_free(hosts, TRUE);
    return n;
}

mcudiag_frame_t mcudiag_chain_set_frame(const mcudiag_chain_t *chain, guint32 number)
{
    mcudiag_frame_t at = { .file = 0, .frame = number };
    for (guint i = 0; i + 1 < chain->captures->len; i++) {
        const mcudiag_capture_t *c = g_ptr_array_index(chain->captures, i);
        if (at.frame <= c->frames)
            break;
        at.frame -= c->frames;
        at.file = i + 1;
    }
    return at;
}

/* The lbidle findings name frames by their number through the set (one
 * capture: the same). */
static void set_frames(const mcudiag_chain_t *chain, GArray *frames)
{
    for (guint i = 0; i < frames->len; i++) {
        mcudiag_frame_t *f = &g_array_index(frames, mcudiag_frame_t, i);
        *f = mcudiag_chain_set_frame(chain, f->frame);
    }
}

/* Services in the order of their first cut (those without one last): the
 * order the findings of a file, or of its parts merged, come in. */
static gint compare_first_cuts(gconstpointer a, gconstpointer b)
{
    const lbidle_service_t *x = *(const lbidle_service_t *const *)a, *y = *(const lbidle_service_t *const *)b;
    const guint32 fx = lbidle_service_cut_count(x) ? lbidle_service_cut(x, 0)->id : G_MAXUINT32;
    const guint32 fy = lbidle_service_cut_count(y) ? lbidle_service_cut(y, 0)->id : G_MAXUINT32;
    return fx < fy ? -1 : fx > fy;
}

/* The idle-timeout findings, their frames named in the set. */
static void idle_findings(const mcudiag_chain_t *chain, GPtrArray *findings)
{
    GPtrArray *services = g_ptr_array_copy(chain->idle_services, NULL, NULL);
    g_ptr_array_sort(services, compare_first_cuts);
    const guint first = findings->len;
    lbidle_findings(services, findings);
    for (guint i = first; i < findings->len; i++)
        set_frames(chain, ((mcudiag_finding_t *)g_ptr_array_index(findings, i))->frames);
    g_ptr_array_free(services, TRUE);
}

/* Symptoms first (failed joins, sign-outs), then the link (failed
 * connections), then the causes (balancer faults); then the notes. */
mcudiag_findings_t *mcudiag_chain_findings(const mcudiag_chain_t *chain)
{
    mcudiag_findings_t *set = mcudiag_findings_new();
    for (guint i = 0; i < chain->captures->len; i++)
        g_ptr_array_add(set->captures, mcudiag_capture_copy(g_ptr_array_index(chain->captures, i)));
    GPtrArray *vips = g_ptr_array_new();
    GPtrArray *members = g_ptr_array_new();
    lbsnat_findings(chain, vips, members);
    if (failed_join_count(chain))
        mcudiag_findings_add(set, failed_joins_finding(chain, chain->failed_connections->len || chain->records->len ||
                                                                   chain->views->len));
    /* What the engineer hears of first: failed joins, then sign-outs (the
     * idle timer), then the connections, then the balancer's layer 2. */
    GPtrArray *sign_outs = g_ptr_array_new();
    idle_findings(chain, sign_outs);
    for (guint i = 0; i < sign_outs->len; i++)
        mcudiag_findings_add(set, g_ptr_array_index(sign_outs, i));
    g_ptr_array_free(sign_outs, TRUE);
    GArray *ports = failed_ports(chain);
    mcudiag_finding_t *untied;
    mcudiag_finding_t *connections = failed_connections_finding(chain, ports, vips->len || chain->views->len, &untied);
    if (connections)
        mcudiag_findings_add(set, connections);
    for (guint i = 0; i < vips->len; i++) {
        mcudiag_finding_t *v = g_ptr_array_index(vips, i);
        if (v->port == 444 && chain->joins->len == 0)
            v->missing = g_strdup("the conference joins this breaks (a capture of SIP at a client or Front End "
                                  "shows them).");
        mcudiag_findings_add(set, v);
    }
    for (guint i = 0; i < members->len; i++)
        mcudiag_findings_add(set, g_ptr_array_index(members, i));
    GPtrArray *balancer = g_ptr_array_new(); /* layer 2: self-selection, DSR */
    mcudiag_dsr_findings(chain->dsr, balancer);
    for (guint i = 0; i < balancer->len; i++)
        mcudiag_findings_add(set, g_ptr_array_index(balancer, i));
    g_ptr_array_free(balancer, TRUE);
    if (set->findings->len == 0) {
        mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_NO_FAULT);
        f->count = chain->joins->len;
        f->total = failing_hosts(chain);
        mcudiag_findings_add(set, f);
    }
    sweeper_notes(chain, ports, set);
    if (untied)
        mcudiag_findings_add(set, untied);
    g_array_free(ports, TRUE);
    g_ptr_array_free(vips, TRUE);
    g_ptr_array_free(members, TRUE);
    return set;
}

char *mcudiag_chain_render(const mcudiag_chain_t *chain)
{
    mcudiag_findings_t *set = mcudiag_chain_findings(chain);
    char *text = mcudiag_findings_render_text(set);
    mcudiag_findings_free(set);
    return text;
}
