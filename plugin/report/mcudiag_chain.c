/* mcudiag_chain.c — the cross-layer diagnosis (see mcudiag_chain.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_chain.h"

#include <string.h>

/* Everything known about one VIP:port that forwards without SNAT. */
typedef struct {
    lbsnat_addr_t vip;
    guint16 port;
    GPtrArray *members;  /* char*, in order of first appearance */
    GPtrArray *clients;  /* char* */
    GArray *synack_frames;
    GArray *reset_frames;
    GHashTable *case_ids; /* distinct connection attempts */
    gboolean full_proxy;
    lbsnat_confidence_t confidence;
} vip_finding_t;

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
    GHashTable *conn_ports;  /* ports seen failing */
    guint conn_explained;    /* failures with an lbsnat case behind them */
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
    g_array_free(v->synack_frames, TRUE);
    g_array_free(v->reset_frames, TRUE);
    g_hash_table_destroy(v->case_ids);
    g_free(v);
}

mcudiag_chain_t *mcudiag_chain_new(void)
{
    mcudiag_chain_t *chain = g_new0(mcudiag_chain_t, 1);
    chain->vips = g_ptr_array_new_with_free_func(vip_finding_free);
    chain->joins = g_ptr_array_new_with_free_func(join_free);
    chain->conn_clients = g_ptr_array_new_with_free_func(g_free);
    chain->conn_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    chain->conn_ports = g_hash_table_new(g_direct_hash, g_direct_equal);
    return chain;
}

void mcudiag_chain_reset(mcudiag_chain_t *chain)
{
    g_ptr_array_set_size(chain->vips, 0);
    g_ptr_array_set_size(chain->joins, 0);
    g_ptr_array_set_size(chain->conn_clients, 0);
    g_array_set_size(chain->conn_frames, 0);
    g_hash_table_remove_all(chain->conn_ports);
    chain->conn_explained = 0;
}

void mcudiag_chain_free(mcudiag_chain_t *chain)
{
    if (!chain)
        return;
    g_ptr_array_free(chain->vips, TRUE);
    g_ptr_array_free(chain->joins, TRUE);
    g_ptr_array_free(chain->conn_clients, TRUE);
    g_array_free(chain->conn_frames, TRUE);
    g_hash_table_destroy(chain->conn_ports);
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

static void add_unique_str(GPtrArray *set, const char *text)
{
    for (guint i = 0; i < set->len; i++)
        if (strcmp(g_ptr_array_index(set, i), text) == 0)
            return;
    g_ptr_array_add(set, g_strdup(text));
}

void mcudiag_chain_add_failed_connection(mcudiag_chain_t *chain, const char *client, guint16 port, guint32 frame,
                                         guint lbsnat_case)
{
    add_unique_str(chain->conn_clients, client);
    g_array_append_val(chain->conn_frames, frame);
    g_hash_table_add(chain->conn_ports, GUINT_TO_POINTER((guint)port));
    if (lbsnat_case)
        chain->conn_explained++;
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
    v->synack_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->reset_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->case_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(chain->vips, v);
    return v;
}

static void add_unique_addr(GPtrArray *set, const lbsnat_addr_t *a)
{
    char buf[64];
    add_unique_str(set, lbsnat_addr_to_str(a, buf, sizeof buf));
}

void mcudiag_chain_add_lbsnat(mcudiag_chain_t *chain, const lbsnat_tap_info_t *info)
{
    const lbsnat_case_t *c = info->c;
    vip_finding_t *v = vip_finding(chain, &c->vip, c->vip_port);
    g_hash_table_add(v->case_ids, GUINT_TO_POINTER(c->id));
    add_unique_addr(v->clients, &c->client);
    if (c->rule == LBSNAT_RULE_FULL_PROXY)
        v->full_proxy = TRUE;
    v->confidence = MAX(v->confidence, lbsnat_case_confidence(c));
    if (info->role == LBSNAT_ROLE_FOREIGN_SYNACK) {
        add_unique_addr(v->members, &info->answer->member);
        g_array_append_val(v->synack_frames, info->frame);
    } else if (info->role == LBSNAT_ROLE_CLIENT_RESET || info->role == LBSNAT_ROLE_ICMP_ERROR) {
        g_array_append_val(v->reset_frames, info->frame);
    }
}

static void append_list(GString *out, GPtrArray *items)
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

/* Frame lists stay readable: in capture order, the first few, then how many more. */
static void append_frames(GString *out, GArray *frames)
{
    g_array_sort(frames, compare_frames);
    const guint shown = MIN(frames->len, 8);
    for (guint i = 0; i < shown; i++)
        g_string_append_printf(out, "%s%u", i ? ", " : "", g_array_index(frames, guint32, i));
    if (frames->len > shown)
        g_string_append_printf(out, " and %u more", frames->len - shown);
}

static void render_vip(GString *out, guint n, const vip_finding_t *v)
{
    char vip[64];
    lbsnat_addr_to_str(&v->vip, vip, sizeof vip);
    const char *fmt = v->vip.family == 6 ? "[%s]:%u" : "%s:%u";
    char *endpoint = g_strdup_printf(fmt, vip, v->port);

    g_string_append_printf(out, "%u. Load balancer VIP %s forwards without SNAT (confidence %s%s).\n",
                           n, endpoint, lbsnat_confidence_name(v->confidence),
                           v->full_proxy ? ", full-proxy balancer" : "");
    g_string_append(out, "   Evidence: pool member");
    g_string_append(out, v->members->len > 1 ? "s " : " ");
    append_list(out, v->members);
    g_string_append(out, " answered ");
    append_list(out, v->clients);
    g_string_append_printf(out, " directly instead of the VIP, in %u connection attempt%s "
                           "(foreign SYN-ACKs in frames ", g_hash_table_size(v->case_ids),
                           g_hash_table_size(v->case_ids) == 1 ? "" : "s");
    append_frames(out, v->synack_frames);
    g_string_append(out, ")");
    if (v->reset_frames->len) {
        g_string_append(out, "; the client reset them (frames ");
        append_frames(out, v->reset_frames);
        g_string_append(out, ").\n");
    } else {
        g_string_append(out, "; no client reset was captured (a host firewall may drop the SYN-ACKs): "
                             "a capture on the member would show the SYN-ACKs leaving it.\n");
    }

    for (size_t i = 0; i < G_N_ELEMENTS(pool_ports); i++) {
        if (pool_ports[i].port != v->port)
            continue;
        g_string_append_printf(out, "   Impact: on an OCS/Lync pool, port %u carries %s: %s.\n",
                               v->port, pool_ports[i].use, pool_ports[i].consequence);
    }
    g_string_append(out, "   Why: the balancer rewrote only the destination of the client's SYN; the member "
                         "answered from its own address, which the client never called, so the client "
                         "rejected the reply and the connection never opened.\n");
    g_string_append_printf(out, "   Fix: enable source address translation on the virtual server %s "
                                "(e.g. \"SNAT automap\"), so replies return through the balancer from the VIP.\n",
                           endpoint);
    g_free(endpoint);
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
    if (!chain->conn_frames->len && !chain->vips->len)
        g_string_append(out, "   Next: this capture shows no failed connection to the conferencing port 444. Capture "
                             "on a Front End where the MCUs run (or on the load balancer's server side) to see their "
                             "HTTPS connections to the MCU Factory.\n");
}

/* The link between symptom and cause: MCUs that cannot reach the MCU Factory. */
static void render_failed_connections(GString *out, guint n, const mcudiag_chain_t *chain)
{
    GPtrArray *ports = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer port;
    g_hash_table_iter_init(&it, chain->conn_ports);
    while (g_hash_table_iter_next(&it, &port, NULL))
        g_ptr_array_add(ports, g_strdup_printf("%u", GPOINTER_TO_UINT(port)));
    g_string_append_printf(out, "%u. HTTPS connections to the conferencing port ", n);
    append_list(out, ports);
    g_string_append(out, " failed before any request was sent, from ");
    append_list(out, chain->conn_clients);
    g_string_append(out, " (frames ");
    append_frames(out, chain->conn_frames);
    g_string_append(out, ").\n   Impact: an MCU on these hosts cannot deliver its health notifications to the MCU "
                         "Factory (the wire side of event 61013), so the Focus is given no MCU and joins fail.\n");
    if (chain->conn_explained)
        g_string_append(out, "   Cause: the load balancer in the next finding.\n");
    else
        g_string_append(out, "   No foreign SYN-ACK explains them in this capture: capture on the sending Front End "
                             "to see the replies; otherwise check its certificate (the most common cause of event "
                             "61013 is a trusted root that does not allow Client Authentication).\n");
    g_ptr_array_free(ports, TRUE);
}

char *mcudiag_chain_render(const mcudiag_chain_t *chain)
{
    GString *out = g_string_new(NULL);
    g_string_append(out, "=== mcudiag: conferencing and load-balancer diagnosis ===\n");
    const guint failed = count_failed_joins(chain);
    guint n = 0;
    if (failed)
        render_failed_joins(out, ++n, chain, failed);
    if (chain->conn_frames->len)
        render_failed_connections(out, ++n, chain);
    for (guint i = 0; i < chain->vips->len; i++) {
        const vip_finding_t *v = g_ptr_array_index(chain->vips, i);
        render_vip(out, ++n, v);
        if (v->port == 444 && chain->joins->len == 0)
            g_string_append(out, "   Not in this capture: the conference joins this breaks (a capture of SIP at a "
                                 "client or Front End shows them).\n");
    }
    if (n == 0) {
        g_string_append_printf(out, "No fault found: %u conference join leg%s succeeded; no connection to the "
                                    "conferencing port failed; no load-balancer fault (no client SYN was answered by "
                                    "an address other than the one it was sent to).\n",
                               chain->joins->len, chain->joins->len == 1 ? "" : "s");
    }
    g_string_append(out, "===\n");
    return g_string_free(out, FALSE);
}
