/* mcudiag_chain.c — the cross-layer diagnosis (see mcudiag_chain.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_chain.h"
#include "report/mcudiag_dsr.h"

#include <string.h>

/* Everything known about one VIP:port that forwards without SNAT. */
typedef struct {
    lbsnat_addr_t vip;
    guint16 port;
    GPtrArray *members;  /* char*, in order of first appearance */
    GPtrArray *clients;  /* char* */
    GPtrArray *pairs;    /* char*: "<member> answered <client>" */
    GArray *synack_frames;
    GArray *reset_frames;
    GHashTable *cases;    /* const lbsnat_case_t*: distinct connection attempts */
    gboolean full_proxy;
    lbsnat_confidence_t confidence;
} vip_finding_t;

/* A member's own view (no VIP in the capture): per member:port, the clients
 * that reset its SYN-ACKs and sent the same SYN again. */
typedef struct {
    lbsnat_addr_t member;
    guint16 port;
    GPtrArray *clients;  /* char* */
    GArray *reset_frames;
    GHashTable *views;   /* const lbsnat_member_view_t*: distinct attempts */
} member_side_t;

/* What a client host called, to recognise sweeps (capped: only the threshold matters). */
typedef struct {
    GHashTable *ports;     /* port */
    GHashTable *endpoints; /* "server port" strings */
} host_calls_t;
#define HOST_ENDPOINTS_KEPT 256

typedef struct {
    char *conference_id, *organizer, *where, *diag_component, *diag_reason;
    guint status, diag_id;
    guint32 frame;
} join_t;

struct mcudiag_chain {
    GPtrArray *vips;        /* vip_finding_t*, in order of first evidence */
    GPtrArray *joins;       /* join_t*, final responses of join legs */
    GPtrArray *conn_clients; /* char*: hosts whose connections to the port failed */
    GArray *conn_frames;
    GArray *conn_frame_clients; /* guint: index into conn_clients, per conn_frames entry */
    GHashTable *conn_ports;  /* ports seen failing */
    guint conn_explained;    /* failures with an lbsnat case behind them */
    GPtrArray *member_sides; /* member_side_t* */
    GHashTable *conf_hosts;  /* host -> mask of 1 << mcudiag_conf_evidence_t */
    GHashTable *host_calls;  /* client host -> host_calls_t* */
    mcudiag_dsr_t *dsr;      /* direct server return */
};

static void join_free(gpointer p)
{
    join_t *j = p;
    g_free(j->conference_id);
    g_free(j->organizer);
    g_free(j->where);
    g_free(j->diag_component);
    g_free(j->diag_reason);
    g_free(j);
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

static void vip_finding_free(gpointer p)
{
    vip_finding_t *v = p;
    g_ptr_array_free(v->members, TRUE);
    g_ptr_array_free(v->clients, TRUE);
    g_ptr_array_free(v->pairs, TRUE);
    g_array_free(v->synack_frames, TRUE);
    g_array_free(v->reset_frames, TRUE);
    g_hash_table_destroy(v->cases);
    g_free(v);
}

static void member_side_free(gpointer p)
{
    member_side_t *m = p;
    g_ptr_array_free(m->clients, TRUE);
    g_array_free(m->reset_frames, TRUE);
    g_hash_table_destroy(m->views);
    g_free(m);
}

static void host_calls_free(gpointer p)
{
    host_calls_t *h = p;
    g_hash_table_destroy(h->ports);
    g_hash_table_destroy(h->endpoints);
    g_free(h);
}

mcudiag_chain_t *mcudiag_chain_new(void)
{
    mcudiag_chain_t *chain = g_new0(mcudiag_chain_t, 1);
    chain->vips = g_ptr_array_new_with_free_func(vip_finding_free);
    chain->joins = g_ptr_array_new_with_free_func(join_free);
    chain->conn_clients = g_ptr_array_new_with_free_func(g_free);
    chain->conn_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    chain->conn_frame_clients = g_array_new(FALSE, FALSE, sizeof(guint));
    chain->conn_ports = g_hash_table_new(g_direct_hash, g_direct_equal);
    chain->member_sides = g_ptr_array_new_with_free_func(member_side_free);
    chain->conf_hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    chain->host_calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, host_calls_free);
    chain->dsr = mcudiag_dsr_new();
    return chain;
}

void mcudiag_chain_reset(mcudiag_chain_t *chain)
{
    g_ptr_array_set_size(chain->vips, 0);
    g_ptr_array_set_size(chain->joins, 0);
    g_ptr_array_set_size(chain->conn_clients, 0);
    g_array_set_size(chain->conn_frames, 0);
    g_array_set_size(chain->conn_frame_clients, 0);
    g_hash_table_remove_all(chain->conn_ports);
    chain->conn_explained = 0;
    g_ptr_array_set_size(chain->member_sides, 0);
    g_hash_table_remove_all(chain->conf_hosts);
    g_hash_table_remove_all(chain->host_calls);
    mcudiag_dsr_reset(chain->dsr);
}

void mcudiag_chain_free(mcudiag_chain_t *chain)
{
    if (!chain)
        return;
    g_ptr_array_free(chain->vips, TRUE);
    g_ptr_array_free(chain->joins, TRUE);
    g_ptr_array_free(chain->conn_clients, TRUE);
    g_array_free(chain->conn_frames, TRUE);
    g_array_free(chain->conn_frame_clients, TRUE);
    g_hash_table_destroy(chain->conn_ports);
    g_ptr_array_free(chain->member_sides, TRUE);
    g_hash_table_destroy(chain->conf_hosts);
    g_hash_table_destroy(chain->host_calls);
    mcudiag_dsr_free(chain->dsr);
    g_free(chain);
}

void mcudiag_chain_add_join(mcudiag_chain_t *chain, const mcudiag_join_t *join)
{
    join_t *j = g_new0(join_t, 1);
    j->conference_id = g_strdup(join->conference_id);
    j->organizer = g_strdup(join->organizer);
    j->where = g_strdup(join->where);
    j->diag_component = g_strdup(join->diag_component);
    j->diag_reason = g_strdup(join->diag_reason);
    j->status = join->status;
    j->diag_id = join->diag_id;
    j->frame = join->frame;
    g_ptr_array_add(chain->joins, j);
}

/* Adds text to the set unless there; returns its index. */
static guint add_unique_str(GPtrArray *set, const char *text)
{
    for (guint i = 0; i < set->len; i++)
        if (strcmp(g_ptr_array_index(set, i), text) == 0)
            return i;
    g_ptr_array_add(set, g_strdup(text));
    return set->len - 1;
}

static gboolean str_in(GPtrArray *set, const char *text)
{
    for (guint i = 0; i < set->len; i++)
        if (strcmp(g_ptr_array_index(set, i), text) == 0)
            return TRUE;
    return FALSE;
}

void mcudiag_chain_add_failed_connection(mcudiag_chain_t *chain, const char *client, guint16 port, guint32 frame,
                                         guint lbsnat_case)
{
    guint index = add_unique_str(chain->conn_clients, client);
    g_array_append_val(chain->conn_frames, frame);
    g_array_append_val(chain->conn_frame_clients, index);
    g_hash_table_add(chain->conn_ports, GUINT_TO_POINTER((guint)port));
    if (lbsnat_case)
        chain->conn_explained++;
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
    gpointer old = NULL;
    if (!g_hash_table_lookup_extended(chain->conf_hosts, host, NULL, &old))
        g_hash_table_insert(chain->conf_hosts, g_strdup(host), GUINT_TO_POINTER(1u << kind));
    else
        g_hash_table_insert(chain->conf_hosts, g_strdup(host), GUINT_TO_POINTER(GPOINTER_TO_UINT(old) | 1u << kind));
}

void mcudiag_chain_add_syn(mcudiag_chain_t *chain, const char *client, const char *server, guint16 port)
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
    if (g_hash_table_size(h->endpoints) < HOST_ENDPOINTS_KEPT)
        g_hash_table_add(h->endpoints, g_strdup_printf("%s %u", server, port));
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

/* The host called many ports, or many servers on a conferencing port: a sweep. */
static guint host_sweep_size(const mcudiag_chain_t *chain, const char *host)
{
    const host_calls_t *h = g_hash_table_lookup(chain->host_calls, host);
    if (!h)
        return 0;
    guint most = g_hash_table_size(h->ports);
    GHashTableIter it;
    gpointer port;
    g_hash_table_iter_init(&it, chain->conn_ports);
    while (g_hash_table_iter_next(&it, &port, NULL))
        most = MAX(most, servers_called_on(h, GPOINTER_TO_UINT(port)));
    return most >= MCUDIAG_SWEEP_ENDPOINTS ? most : 0;
}

static vip_finding_t *vip_finding(mcudiag_chain_t *chain, const lbsnat_addr_t *vip, guint16 port)
{
    for (guint i = 0; i < chain->vips->len; i++) {
        vip_finding_t *v = g_ptr_array_index(chain->vips, i);
        if (v->port == port && lbsnat_addr_equal(&v->vip, vip))
            return v;
    }
    vip_finding_t *v = g_new0(vip_finding_t, 1);
    v->vip = *vip;
    v->port = port;
    v->members = g_ptr_array_new_with_free_func(g_free);
    v->clients = g_ptr_array_new_with_free_func(g_free);
    v->pairs = g_ptr_array_new_with_free_func(g_free);
    v->synack_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->reset_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->cases = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(chain->vips, v);
    return v;
}

static void add_unique_addr(GPtrArray *set, const lbsnat_addr_t *a)
{
    char buf[64];
    add_unique_str(set, lbsnat_addr_to_str(a, buf, sizeof buf));
}

static member_side_t *member_side(mcudiag_chain_t *chain, const lbsnat_addr_t *member, guint16 port)
{
    for (guint i = 0; i < chain->member_sides->len; i++) {
        member_side_t *m = g_ptr_array_index(chain->member_sides, i);
        if (m->port == port && lbsnat_addr_equal(&m->member, member))
            return m;
    }
    member_side_t *m = g_new0(member_side_t, 1);
    m->member = *member;
    m->port = port;
    m->clients = g_ptr_array_new_with_free_func(g_free);
    m->reset_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    m->views = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(chain->member_sides, m);
    return m;
}

static void add_member_view(mcudiag_chain_t *chain, const lbsnat_member_view_t *mv)
{
    member_side_t *m = member_side(chain, &mv->member, mv->member_port);
    add_unique_addr(m->clients, &mv->client);
    /* The first record of a view names its first reset, even when one pass
     * only learns of the view at a later frame. */
    if (g_hash_table_add(m->views, (gpointer)mv))
        g_array_append_val(m->reset_frames, mv->first_reset_frame);
}

void mcudiag_chain_add_lbsnat(mcudiag_chain_t *chain, const lbsnat_tap_info_t *info)
{
    const lbsnat_case_t *c = info->c;
    if (!c) {
        if (info->member_view)
            add_member_view(chain, info->member_view);
        return;
    }
    if (c->withdrawn)
        return;
    vip_finding_t *v = vip_finding(chain, &c->vip, c->vip_port);
    g_hash_table_add(v->cases, (gpointer)c);
    add_unique_addr(v->clients, &c->client);
    if (c->rule == LBSNAT_RULE_FULL_PROXY)
        v->full_proxy = TRUE;
    v->confidence = MAX(v->confidence, lbsnat_case_confidence(c));
    if (info->role == LBSNAT_ROLE_FOREIGN_SYNACK) {
        add_unique_addr(v->members, &info->answer->member);
        char member[64], client[64];
        lbsnat_addr_to_str(&info->answer->member, member, sizeof member);
        lbsnat_addr_to_str(&c->client, client, sizeof client);
        char *pair = g_strdup_printf("%s answered %s", member, client);
        add_unique_str(v->pairs, pair);
        g_free(pair);
        g_array_append_val(v->synack_frames, info->frame);
    } else if (info->role == LBSNAT_ROLE_CLIENT_RESET || info->role == LBSNAT_ROLE_ICMP_ERROR) {
        g_array_append_val(v->reset_frames, info->frame);
    }
}

void mcudiag_append_list(GString *out, GPtrArray *items)
{
    for (guint i = 0; i < items->len; i++)
        g_string_append_printf(out, "%s%s", i == 0 ? "" : (i + 1 == items->len ? " and " : ", "),
                               (const char *)g_ptr_array_index(items, i));
}

static gint compare_frames(gconstpointer a, gconstpointer b)
{
    const guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
    return x < y ? -1 : x > y;
}

/* Frame lists stay readable: "frame 3" or "frames 2, 5, 8" in capture
 * order, the first few, then how many more. */
void mcudiag_append_frames(GString *out, GArray *frames)
{
    g_array_sort(frames, compare_frames);
    g_string_append(out, frames->len == 1 ? "frame " : "frames ");
    const guint shown = MIN(frames->len, 8);
    for (guint i = 0; i < shown; i++)
        g_string_append_printf(out, "%s%u", i ? ", " : "", g_array_index(frames, guint32, i));
    if (frames->len > shown)
        g_string_append_printf(out, " and %u more", frames->len - shown);
}

static char *endpoint_text(const lbsnat_addr_t *a, guint16 port)
{
    char buf[64];
    return g_strdup(lbsnat_endpoint_to_str(a, port, buf, sizeof buf));
}

static guint live_cases(const vip_finding_t *v)
{
    guint n = 0;
    GHashTableIter it;
    gpointer c;
    g_hash_table_iter_init(&it, v->cases);
    while (g_hash_table_iter_next(&it, &c, NULL))
        n += !((const lbsnat_case_t *)c)->withdrawn;
    return n;
}

static void render_port_impact(GString *out, guint16 port)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pool_ports); i++)
        if (pool_ports[i].port == port)
            g_string_append_printf(out, "   Impact: on an OCS/Lync pool, port %u carries %s: %s.\n", port,
                                   pool_ports[i].use, pool_ports[i].consequence);
}

/* A member's view belongs to a VIP finding of the same port that shares a host with it. */
static gboolean member_side_ties_to(const member_side_t *m, const vip_finding_t *v)
{
    if (m->port != v->port)
        return FALSE;
    char member[64];
    lbsnat_addr_to_str(&m->member, member, sizeof member);
    if (str_in(v->members, member) || str_in(v->clients, member))
        return TRUE;
    for (guint i = 0; i < m->clients->len; i++) {
        const char *client = g_ptr_array_index(m->clients, i);
        if (str_in(v->members, client) || str_in(v->clients, client))
            return TRUE;
    }
    return FALSE;
}

static void render_vip(GString *out, guint n, const mcudiag_chain_t *chain, const vip_finding_t *v)
{
    char *endpoint = endpoint_text(&v->vip, v->port);
    const guint attempts = live_cases(v);

    g_string_append_printf(out, "%u. Load balancer VIP %s forwards without SNAT (confidence %s%s).\n",
                           n, endpoint, lbsnat_confidence_name(v->confidence),
                           v->full_proxy ? ", full-proxy balancer" : "");
    g_string_append(out, "   Evidence: pool member");
    g_string_append(out, v->members->len > 1 ? "s " : " ");
    mcudiag_append_list(out, v->members);
    if (v->pairs->len > 1 && v->clients->len > 1) {
        g_string_append(out, " answered their clients directly instead of the VIP (");
        mcudiag_append_list(out, v->pairs);
        g_string_append(out, ")");
    } else {
        g_string_append(out, " answered ");
        mcudiag_append_list(out, v->clients);
        g_string_append(out, " directly instead of the VIP");
    }
    g_string_append_printf(out, ", in %u connection attempt%s (foreign SYN-ACKs in ", attempts,
                           attempts == 1 ? "" : "s");
    mcudiag_append_frames(out, v->synack_frames);
    g_string_append(out, ")");
    if (v->reset_frames->len) {
        g_string_append(out, "; the client reset them (");
        mcudiag_append_frames(out, v->reset_frames);
        g_string_append(out, ").\n");
    } else {
        g_string_append(out, "; no client reset was captured (a host firewall may drop the SYN-ACKs): "
                             "a capture on the member would show the SYN-ACKs leaving it.\n");
    }
    for (guint i = 0; i < v->clients->len; i++) {
        if (str_in(v->members, g_ptr_array_index(v->clients, i))) {
            g_string_append(out, "   The clients are members of this pool themselves: pool members calling their "
                                 "own VIP, which works only when the balancer rewrites the source too.\n");
            break;
        }
    }
    for (guint i = 0; i < chain->member_sides->len; i++) {
        const member_side_t *m = g_ptr_array_index(chain->member_sides, i);
        if (!member_side_ties_to(m, v))
            continue;
        char member[64];
        g_string_append(out, "   Seen from the member's side too: ");
        mcudiag_append_list(out, m->clients);
        g_string_append_printf(out, " reset the SYN-ACKs of %s to SYNs sent to the VIP, and sent them again "
                                    "(first resets in ", lbsnat_addr_to_str(&m->member, member, sizeof member));
        mcudiag_append_frames(out, m->reset_frames);
        g_string_append(out, ").\n");
    }

    render_port_impact(out, v->port);
    g_string_append(out, "   Why: the balancer rewrote only the destination of the client's SYN; the member "
                         "answered from its own address, which the client never called, so the client "
                         "rejected the reply and the connection never opened.\n");
    g_string_append_printf(out, "   Fix: enable source address translation on the virtual server %s "
                                "(e.g. \"SNAT automap\"), so replies return through the balancer from the VIP.\n",
                           endpoint);
    g_free(endpoint);
}

/* A member's own view with no VIP in the capture to tie it to. */
static void render_member_side(GString *out, guint n, const member_side_t *m)
{
    char *endpoint = endpoint_text(&m->member, m->port);
    const guint attempts = g_hash_table_size(m->views);
    g_string_append_printf(out, "%u. A client reset this member's SYN-ACK to a SYN it sent elsewhere: likely a "
                                "balancer without SNAT in front of this member (%s, confidence medium).\n",
                           n, endpoint);
    g_string_append(out, "   Evidence: ");
    mcudiag_append_list(out, m->clients);
    g_string_append_printf(out, " reset the SYN-ACKs of %s (first in ", endpoint);
    mcudiag_append_frames(out, m->reset_frames);
    g_string_append_printf(out, ") and sent the same SYN again, in %u connection attempt%s: a TCP stack does that "
                                "only when it sent the SYN to another address (a VIP) and a balancer passed it on "
                                "without rewriting the source.\n", attempts, attempts == 1 ? "" : "s");
    render_port_impact(out, m->port);
    g_string_append(out, "   Next: a capture on the client, or a SPAN of the balancer's segment, names the VIP.\n");
    g_string_append_printf(out, "   Fix: enable source address translation (e.g. \"SNAT automap\") on the virtual "
                                "server that forwards to %s, so replies return through the balancer.\n", endpoint);
    g_free(endpoint);
}

static gboolean member_side_tied(const mcudiag_chain_t *chain, const member_side_t *m)
{
    for (guint i = 0; i < chain->vips->len; i++) {
        const vip_finding_t *v = g_ptr_array_index(chain->vips, i);
        if (live_cases(v) && member_side_ties_to(m, v))
            return TRUE;
    }
    return FALSE;
}

static gboolean join_failed(const join_t *j)
{
    return j->status >= 300;
}

static guint count_failed_joins(const mcudiag_chain_t *chain)
{
    guint n = 0;
    for (guint i = 0; i < chain->joins->len; i++)
        n += join_failed(g_ptr_array_index(chain->joins, i));
    return n;
}

/* Symptom: the joins that failed, where and why. */
static void render_failed_joins(GString *out, guint n, const mcudiag_chain_t *chain, guint failed)
{
    g_string_append_printf(out, "%u. Conference joins failed (%u of %u join legs answered with an error).\n", n,
                           failed, chain->joins->len);
    guint shown = 0;
    for (guint i = 0; i < chain->joins->len && shown < 8; i++) {
        const join_t *j = g_ptr_array_index(chain->joins, i);
        if (!join_failed(j))
            continue;
        shown++;
        g_string_append_printf(out, "   Conference %s%s%s: the %s answered %u (frame %u)",
                               j->conference_id && *j->conference_id ? j->conference_id : "(unknown id)",
                               j->organizer ? " of " : "", j->organizer ? j->organizer : "", j->where, j->status,
                               j->frame);
        if (j->diag_id || j->diag_reason)
            g_string_append_printf(out, "; ms-diagnostics %u%s%s%s%s%s%s", j->diag_id,
                                   j->diag_component ? " (" : "", j->diag_component ? j->diag_component : "",
                                   j->diag_component ? ")" : "", j->diag_reason ? ": \"" : "",
                                   j->diag_reason ? j->diag_reason : "", j->diag_reason ? "\"" : "");
        g_string_append(out, ".\n");
    }
    if (failed > shown)
        g_string_append_printf(out, "   … and %u more.\n", failed - shown);
    if (!chain->conn_frames->len && !chain->vips->len && !chain->member_sides->len)
        g_string_append(out, "   Next: this capture shows no failed connection to the conferencing port 444. Capture "
                             "on a Front End where the MCUs run (or on the load balancer's server side) to see their "
                             "HTTPS connections to the MCU Factory.\n");
}

static gboolean lbsnat_evidence(const mcudiag_chain_t *chain)
{
    for (guint i = 0; i < chain->vips->len; i++)
        if (live_cases(g_ptr_array_index(chain->vips, i)))
            return TRUE;
    return chain->member_sides->len > 0;
}

/* What a host's failed connections to the conferencing port are to the report. */
typedef enum {
    CONN_COUNTED, /* a finding: the host carries conferencing, or a balancer fault on the port explains it */
    CONN_SWEEP,   /* a note: the host sweeps many ports or servers (a scanner) */
    CONN_UNTIED,  /* a note: nothing in the capture ties the host to conferencing, and no VIP */
} conn_client_kind_t;

/* Sets kind[i] per conn_clients entry; returns how many count as findings. */
static guint conferencing_clients(const mcudiag_chain_t *chain, conn_client_kind_t *kind)
{
    const gboolean balancer = chain->conn_explained || lbsnat_evidence(chain);
    guint n = 0;
    for (guint i = 0; i < chain->conn_clients->len; i++) {
        const char *client = g_ptr_array_index(chain->conn_clients, i);
        if (host_sweep_size(chain, client))
            kind[i] = CONN_SWEEP;
        else if (!balancer && !g_hash_table_contains(chain->conf_hosts, client))
            kind[i] = CONN_UNTIED;
        else
            kind[i] = CONN_COUNTED;
        n += kind[i] == CONN_COUNTED;
    }
    return n;
}

/* The frames of the failed connections of the hosts of one kind. */
static GArray *conn_frames_of(const mcudiag_chain_t *chain, const conn_client_kind_t *kind, conn_client_kind_t which)
{
    GArray *frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    for (guint i = 0; i < chain->conn_frames->len; i++)
        if (kind[g_array_index(chain->conn_frame_clients, guint, i)] == which)
            g_array_append_val(frames, g_array_index(chain->conn_frames, guint32, i));
    return frames;
}

/* The link between symptom and cause: MCUs that cannot reach the MCU Factory.
 * Only hosts that count (conferencing_clients): how sure is said by what ties
 * them to it: the hosts also carry SIP or C3P of conferencing (high), or a
 * balancer fault on the port explains them (medium). */
static void render_failed_connections(GString *out, guint n, const mcudiag_chain_t *chain,
                                      const conn_client_kind_t *kind)
{
    GPtrArray *ports = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer port;
    g_hash_table_iter_init(&it, chain->conn_ports);
    while (g_hash_table_iter_next(&it, &port, NULL))
        g_ptr_array_add(ports, g_strdup_printf("%u", GPOINTER_TO_UINT(port)));
    GPtrArray *clients = g_ptr_array_new();
    guint with_evidence = 0;
    for (guint i = 0; i < chain->conn_clients->len; i++) {
        if (kind[i] != CONN_COUNTED)
            continue;
        const char *client = g_ptr_array_index(chain->conn_clients, i);
        g_ptr_array_add(clients, (gpointer)client);
        with_evidence += g_hash_table_contains(chain->conf_hosts, client);
    }
    GArray *frames = conn_frames_of(chain, kind, CONN_COUNTED);

    g_string_append_printf(out, "%u. HTTPS connections to the conferencing port ", n);
    mcudiag_append_list(out, ports);
    g_string_append(out, " failed before any request was sent, from ");
    mcudiag_append_list(out, clients);
    g_string_append(out, " (");
    mcudiag_append_frames(out, frames);
    g_string_append(out, ").\n");
    g_string_append(out, "   Impact: an MCU on these hosts cannot deliver its health notifications to the MCU "
                         "Factory (the wire side of event 61013), so the Focus is given no MCU and joins fail.\n");
    if (with_evidence == clients->len)
        g_string_append(out, "   Certainty that these are MCU health notifications: high (the same hosts carry "
                             "conferencing: SIP, C3P or TLS on the port).\n");
    else
        g_string_append(out, "   Certainty that these are MCU health notifications: medium (a pool VIP on the "
                             "conferencing port; no SIP or C3P of every one of these hosts in this capture).\n");
    if (chain->conn_explained)
        g_string_append(out, "   Cause: the load balancer in the next finding.\n");
    else if (lbsnat_evidence(chain))
        g_string_append(out, "   Cause: most likely the load balancer without SNAT below (its foreign SYN-ACKs or "
                             "client resets are in this capture), not a certificate.\n");
    else
        g_string_append(out, "   No foreign SYN-ACK explains them in this capture: capture on the sending Front End "
                             "to see the replies; otherwise check its certificate (the most common cause of event "
                             "61013 is a trusted root that does not allow Client Authentication).\n");
    g_array_free(frames, TRUE);
    g_ptr_array_free(clients, TRUE);
    g_ptr_array_free(ports, TRUE);
}

/* Hosts whose failed connections are left out of the findings, one line
 * each: sweepers (scanners), and hosts nothing ties to conferencing. */
static void render_conn_notes(GString *out, const mcudiag_chain_t *chain, const conn_client_kind_t *kind)
{
    for (guint i = 0; i < chain->conn_clients->len; i++) {
        const char *client = g_ptr_array_index(chain->conn_clients, i);
        if (kind[i] == CONN_SWEEP)
            g_string_append_printf(out, "Not conferencing: %s called %u or more ports or servers (a sweep, such as a "
                                        "port scan); its failed connections to the conferencing port are not MCU "
                                        "health notifications.\n", client, host_sweep_size(chain, client));
    }
    GArray *untied = conn_frames_of(chain, kind, CONN_UNTIED);
    if (untied->len) {
        GPtrArray *clients = g_ptr_array_new();
        for (guint i = 0; i < chain->conn_clients->len; i++)
            if (kind[i] == CONN_UNTIED)
                g_ptr_array_add(clients, g_ptr_array_index(chain->conn_clients, i));
        g_string_append(out, "Note: connections from ");
        mcudiag_append_list(out, clients);
        g_string_append(out, " to the conferencing port failed before any request (");
        mcudiag_append_frames(out, untied);
        g_string_append(out, "), but nothing in this capture ties these hosts to conferencing (no SIP or C3P of a "
                             "conference, no load-balancer VIP on the port): not counted as MCU health notifications. "
                             "A capture on such a host shows whether it runs an MCU.\n");
        g_ptr_array_free(clients, TRUE);
    }
    g_array_free(untied, TRUE);
}

char *mcudiag_chain_render(const mcudiag_chain_t *chain)
{
    GString *out = g_string_new(NULL);
    g_string_append(out, "=== mcudiag: conferencing and load-balancer diagnosis ===\n");
    const guint failed = count_failed_joins(chain);
    conn_client_kind_t *kind = g_new0(conn_client_kind_t, chain->conn_clients->len + 1);
    const guint conferencing = conferencing_clients(chain, kind);
    guint n = 0;
    if (failed)
        render_failed_joins(out, ++n, chain, failed);
    if (conferencing)
        render_failed_connections(out, ++n, chain, kind);
    for (guint i = 0; i < chain->vips->len; i++) {
        const vip_finding_t *v = g_ptr_array_index(chain->vips, i);
        if (!live_cases(v))
            continue;
        render_vip(out, ++n, chain, v);
        if (v->port == 444 && chain->joins->len == 0)
            g_string_append(out, "   Not in this capture: the conference joins this breaks (a capture of SIP at a "
                                 "client or Front End shows them).\n");
    }
    for (guint i = 0; i < chain->member_sides->len; i++) {
        const member_side_t *m = g_ptr_array_index(chain->member_sides, i);
        if (!member_side_tied(chain, m))
            render_member_side(out, ++n, m);
    }
    n = mcudiag_dsr_render(chain->dsr, out, n);
    if (n == 0) {
        g_string_append_printf(out, "No fault found: %u conference join leg%s succeeded; no connection %s the "
                                    "conferencing port failed; no load-balancer fault (no client SYN was answered by "
                                    "an address other than the one it was sent to).\n",
                               chain->joins->len, chain->joins->len == 1 ? "" : "s",
                               chain->conn_clients->len ? "of a conferencing host to" : "to");
    }
    render_conn_notes(out, chain, kind);
    g_free(kind);
    g_string_append(out, "===\n");
    return g_string_free(out, FALSE);
}
