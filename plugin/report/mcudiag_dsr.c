/* mcudiag_dsr.c — direct-server-return findings (see mcudiag_dsr.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_dsr.h"
#include "report/mcudiag_chain.h"

#include <string.h>

/* Everything known about one VIP:port answered by direct server return. */
typedef struct {
    const lbdsr_vip_t *vip;       /* the tracker's, for the whole file */
    GPtrArray *balancer_macs;     /* char*, in order of first appearance */
    GPtrArray *member_macs;
    GPtrArray *clients;
    GPtrArray *ttls;              /* char*: TTLs or hop limits of the crossing packets */
    GArray *syn_frames, *forward_frames, *answer_frames;
    GHashTable *conns;            /* const lbdsr_conn_t*: distinct connections */
    gboolean caller_view, member_view;
} dsr_finding_t;

/* One self-selection (a member handed its own SYN to its VIP). */
typedef struct {
    const lbdsr_hairpin_t *hairpin; /* the tracker's, for the whole file */
    GArray *returned_frames;
} hairpin_finding_t;

struct mcudiag_dsr {
    GPtrArray *findings; /* dsr_finding_t*, in order of first evidence */
    GPtrArray *hairpins; /* hairpin_finding_t* */
};

static void hairpin_free(gpointer p)
{
    hairpin_finding_t *h = p;
    g_array_free(h->returned_frames, TRUE);
    g_free(h);
}

static void finding_free(gpointer p)
{
    dsr_finding_t *f = p;
    g_ptr_array_free(f->balancer_macs, TRUE);
    g_ptr_array_free(f->member_macs, TRUE);
    g_ptr_array_free(f->clients, TRUE);
    g_ptr_array_free(f->ttls, TRUE);
    g_array_free(f->syn_frames, TRUE);
    g_array_free(f->forward_frames, TRUE);
    g_array_free(f->answer_frames, TRUE);
    g_hash_table_destroy(f->conns);
    g_free(f);
}

mcudiag_dsr_t *mcudiag_dsr_new(void)
{
    mcudiag_dsr_t *d = g_new0(mcudiag_dsr_t, 1);
    d->findings = g_ptr_array_new_with_free_func(finding_free);
    d->hairpins = g_ptr_array_new_with_free_func(hairpin_free);
    return d;
}

void mcudiag_dsr_free(mcudiag_dsr_t *d)
{
    if (!d)
        return;
    g_ptr_array_free(d->findings, TRUE);
    g_ptr_array_free(d->hairpins, TRUE);
    g_free(d);
}

void mcudiag_dsr_reset(mcudiag_dsr_t *d)
{
    g_ptr_array_set_size(d->findings, 0);
    g_ptr_array_set_size(d->hairpins, 0);
}

void mcudiag_dsr_add_hairpin(mcudiag_dsr_t *d, const lbhairpin_tap_info_t *info)
{
    hairpin_finding_t *f = NULL;
    for (guint i = 0; i < d->hairpins->len && !f; i++)
        if (((hairpin_finding_t *)g_ptr_array_index(d->hairpins, i))->hairpin == info->hairpin)
            f = g_ptr_array_index(d->hairpins, i);
    if (!f) {
        f = g_new0(hairpin_finding_t, 1);
        f->hairpin = info->hairpin;
        f->returned_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
        g_ptr_array_add(d->hairpins, f);
    }
    if (info->returned)
        g_array_append_val(f->returned_frames, info->frame);
}

static dsr_finding_t *finding_of(mcudiag_dsr_t *d, const lbdsr_vip_t *vip)
{
    for (guint i = 0; i < d->findings->len; i++) {
        dsr_finding_t *f = g_ptr_array_index(d->findings, i);
        if (f->vip == vip)
            return f;
    }
    dsr_finding_t *f = g_new0(dsr_finding_t, 1);
    f->vip = vip;
    f->balancer_macs = g_ptr_array_new_with_free_func(g_free);
    f->member_macs = g_ptr_array_new_with_free_func(g_free);
    f->clients = g_ptr_array_new_with_free_func(g_free);
    f->ttls = g_ptr_array_new_with_free_func(g_free);
    f->syn_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    f->forward_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    f->answer_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    f->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(d->findings, f);
    return f;
}

static void add_unique(GPtrArray *set, const char *text)
{
    for (guint i = 0; i < set->len; i++)
        if (strcmp(g_ptr_array_index(set, i), text) == 0)
            return;
    g_ptr_array_add(set, g_strdup(text));
}

void mcudiag_dsr_add(mcudiag_dsr_t *d, const lbdsr_tap_info_t *info)
{
    const lbdsr_conn_t *c = info->conn;
    if (c->withdrawn) /* one pass may tap it before the client's later segments withdraw it */
        return;
    dsr_finding_t *f = finding_of(d, c->vip);
    char buf[64];
    g_hash_table_add(f->conns, (gpointer)c);
    add_unique(f->balancer_macs, lbdsr_mac_to_str(&c->balancer_mac, buf, sizeof buf));
    add_unique(f->member_macs, lbdsr_mac_to_str(&c->member_mac, buf, sizeof buf));
    add_unique(f->clients, lbdsr_ip_to_str(&c->client, buf, sizeof buf));
    if (c->view == LBDSR_VIEW_CALLER)
        f->caller_view = TRUE;
    else
        f->member_view = TRUE;
    switch (info->role) {
    case LBDSR_ROLE_SYN:
        g_array_append_val(f->syn_frames, info->frame);
        break;
    case LBDSR_ROLE_FORWARD:
        g_array_append_val(f->forward_frames, info->frame);
        break;
    case LBDSR_ROLE_ANSWER: {
        g_array_append_val(f->answer_frames, info->frame);
        const guint8 ttl = c->view == LBDSR_VIEW_CALLER ? c->answer_ttl : c->syn_ttl;
        if (ttl) {
            g_snprintf(buf, sizeof buf, "%u", ttl);
            add_unique(f->ttls, buf);
        }
        break;
    }
    }
}

/* How much of the evidence the capture holds: the balancer's forward (a
 * segment capture) or several members under the VIP make it certain. */
static const char *confidence(const dsr_finding_t *f)
{
    return f->forward_frames->len || f->member_macs->len > 1 ? "high" : "medium";
}

/* Connections still standing: one pass may have heard of some before they were withdrawn. */
static guint live_conns(const dsr_finding_t *f)
{
    guint n = 0;
    GHashTableIter it;
    gpointer c;
    g_hash_table_iter_init(&it, f->conns);
    while (g_hash_table_iter_next(&it, &c, NULL))
        n += !((const lbdsr_conn_t *)c)->withdrawn;
    return n;
}

static void render_evidence(GString *out, const dsr_finding_t *f, const char *endpoint)
{
    const guint n = live_conns(f);
    if (f->caller_view) {
        g_string_append(out, "   Evidence: the SYNs to ");
        g_string_append(out, endpoint);
        g_string_append(out, f->balancer_macs->len > 1 ? " went to balancer MACs " : " went to balancer MAC ");
        mcudiag_append_list(out, f->balancer_macs);
        g_string_append(out, ", which never sends as the VIP; the VIP's SYN-ACKs came from ");
        g_string_append(out, f->member_macs->len > 1 ? "member MACs " : "member MAC ");
        mcudiag_append_list(out, f->member_macs);
        g_string_append(out, " (");
        mcudiag_append_frames(out, f->answer_frames);
        g_string_append(out, ")");
        if (f->forward_frames->len) {
            g_string_append(out, "; the balancer forwarded each SYN at layer 2, addresses and ports unchanged (");
            mcudiag_append_frames(out, f->forward_frames);
            g_string_append(out, ")");
        }
    } else {
        g_string_append(out, "   Evidence: seen from the member: SYNs to ");
        g_string_append(out, endpoint);
        g_string_append(out, " arrived from balancer MAC ");
        mcudiag_append_list(out, f->balancer_macs);
        g_string_append(out, ", and member MAC ");
        mcudiag_append_list(out, f->member_macs);
        g_string_append(out, " answered from the VIP straight to the client's own MAC (");
        mcudiag_append_frames(out, f->answer_frames);
        g_string_append(out, ")");
    }
    g_string_append_printf(out, "; %u connection%s from ", n, n == 1 ? "" : "s");
    mcudiag_append_list(out, f->clients);
    if (f->ttls->len) {
        g_string_append(out, f->caller_view ? "; TTL of the answers " : "; TTL of the SYNs ");
        mcudiag_append_list(out, f->ttls);
        g_string_append(out, " (not routed: sent on this segment)");
    }
    g_string_append(out, ".\n");
}

static void render_finding(GString *out, guint n, const dsr_finding_t *f)
{
    char ip[64];
    lbdsr_ip_to_str(&f->vip->vip, ip, sizeof ip);
    char *endpoint = g_strdup_printf(f->vip->vip.family == 6 ? "[%s]:%u" : "%s:%u", ip, f->vip->port);
    g_string_append_printf(out, "%u. Load balancer VIP %s answers by direct server return (confidence %s).\n", n,
                           endpoint, confidence(f));
    render_evidence(out, f, endpoint);
    g_string_append(out, "   Requirement: Microsoft's load-balancer requirements for Skype for Business Server "
                         "pools: " MCUDIAG_DSR_REQUIREMENT " The balancer sees only the client's half of each "
                         "connection (replies bypass it).\n");
    if (!f->forward_frames->len)
        g_string_append(out, "   Next: a capture on the balancer's segment (a SPAN port) shows the balancer "
                             "forwarding each SYN to the member unchanged, and every member behind the VIP.\n");
    g_string_append_printf(out, "   Fix: configure the virtual server %s in NAT mode with source address "
                                "translation (e.g. \"SNAT automap\", not DSR / nPath / \"direct routing\"), and remove "
                                "the VIP from the members' loopback.\n", endpoint);
    g_free(endpoint);
}

static void render_hairpin(GString *out, guint n, const hairpin_finding_t *f)
{
    const lbdsr_hairpin_t *h = f->hairpin;
    char ip[64], member[64], mac[32];
    lbdsr_ip_to_str(&h->vip, ip, sizeof ip);
    lbdsr_ip_to_str(&h->caller, member, sizeof member);
    char *endpoint = g_strdup_printf(h->vip.family == 6 ? "[%s]:%u" : "%s:%u", ip, h->vip_port);
    g_string_append_printf(out, "%u. Load balancer VIP %s handed pool member %s its own SYN (self-selection without "
                                "SNAT, confidence high).\n", n, endpoint, member);
    g_string_append_printf(out, "   Evidence: %s's SYN to %s (frame %u) came back from balancer MAC %s with %s as "
                                "source and destination (", member, endpoint, h->syn_frame,
                           lbdsr_mac_to_str(&h->balancer_mac, mac, sizeof mac), member);
    mcudiag_append_frames(out, f->returned_frames);
    g_string_append(out, "): the balancer picked the caller itself as the member and rewrote only the "
                         "destination; a host drops a packet from its own address, so the connection was never "
                         "answered.\n");
    g_string_append(out, "   Requirement: OCS 2007 R2 (quoted by Kemp): only SNAT is supported for internal pools; "
                         "half-NAT fails \"because inter-server communications within an internal pool fail when "
                         "servers in the pool try to connect to their own VIP\".\n");
    g_string_append_printf(out, "   Fix: enable source address translation on the virtual server %s (e.g. \"SNAT "
                                "automap\"), so a member's own SYN returns from the VIP and is answered.\n", endpoint);
    g_free(endpoint);
}

guint mcudiag_dsr_render(const mcudiag_dsr_t *d, GString *out, guint n)
{
    for (guint i = 0; i < d->hairpins->len; i++) {
        const hairpin_finding_t *f = g_ptr_array_index(d->hairpins, i);
        if (f->returned_frames->len)
            render_hairpin(out, ++n, f);
    }
    for (guint i = 0; i < d->findings->len; i++) {
        const dsr_finding_t *f = g_ptr_array_index(d->findings, i);
        if (!f->vip->withdrawn && f->answer_frames->len && live_conns(f))
            render_finding(out, ++n, f);
    }
    return n;
}
