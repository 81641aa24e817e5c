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

struct mcudiag_chain {
    GPtrArray *vips; /* vip_finding_t*, in order of first evidence */
};

/* What a port on an OCS 2007 / Lync pool VIP carries (OCS 2007 R2 load
 * balancer and port documentation, research/c3p-protocol.md §2.3). */
static const struct {
    guint16 port;
    const char *use;
    const char *consequence;
} pool_ports[] = {
    { 444, "HTTPS (C3P) between the Focus, the MCU Factory and the conferencing servers (MCUs)",
      "MCUs on these clients cannot send health notifications to the MCU Factory "
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
    return chain;
}

void mcudiag_chain_reset(mcudiag_chain_t *chain)
{
    g_ptr_array_set_size(chain->vips, 0);
}

void mcudiag_chain_free(mcudiag_chain_t *chain)
{
    if (!chain)
        return;
    g_ptr_array_free(chain->vips, TRUE);
    g_free(chain);
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
    lbsnat_addr_to_str(a, buf, sizeof buf);
    for (guint i = 0; i < set->len; i++)
        if (strcmp(g_ptr_array_index(set, i), buf) == 0)
            return;
    g_ptr_array_add(set, g_strdup(buf));
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

char *mcudiag_chain_render(const mcudiag_chain_t *chain)
{
    GString *out = g_string_new(NULL);
    g_string_append(out, "=== mcudiag: conferencing and load-balancer diagnosis ===\n");
    if (chain->vips->len == 0) {
        g_string_append(out, "No load-balancer fault found: no client SYN was answered by an address "
                             "other than the one it was sent to.\n");
    }
    for (guint i = 0; i < chain->vips->len; i++)
        render_vip(out, i + 1, g_ptr_array_index(chain->vips, i));
    g_string_append(out, "===\n");
    return g_string_free(out, FALSE);
}
