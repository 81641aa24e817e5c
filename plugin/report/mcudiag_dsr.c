/* mcudiag_dsr.c — direct-server-return findings (see mcudiag_dsr.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_dsr.h"

/* Everything known about one VIP:port answered by direct server return. */
typedef struct {
    const lbdsr_vip_t *vip;       /* the tracker's, for the whole file */
    GPtrArray *balancer_macs;     /* char*, in order of first appearance */
    GPtrArray *member_macs;
    GPtrArray *clients;
    GArray *ttls;                 /* guint16: TTLs or hop limits of the crossing packets */
    GArray *syn_frames, *forward_frames, *answer_frames; /* guint32 */
    GHashTable *conns;            /* const lbdsr_conn_t*: distinct connections */
    gboolean caller_view;
} dsr_vip_t;

/* One self-selection (a member handed its own SYN to its VIP). */
typedef struct {
    const lbdsr_hairpin_t *hairpin; /* the tracker's, for the whole file */
    GArray *returned_frames;        /* guint32 */
} hairpin_evidence_t;

struct mcudiag_dsr {
    GPtrArray *vips;     /* dsr_vip_t*, in order of first evidence */
    GPtrArray *hairpins; /* hairpin_evidence_t* */
};

static void hairpin_free(gpointer p)
{
    hairpin_evidence_t *h = p;
    g_array_free(h->returned_frames, TRUE);
    g_free(h);
}

static void vip_free(gpointer p)
{
    dsr_vip_t *v = p;
    g_ptr_array_free(v->balancer_macs, TRUE);
    g_ptr_array_free(v->member_macs, TRUE);
    g_ptr_array_free(v->clients, TRUE);
    g_array_free(v->ttls, TRUE);
    g_array_free(v->syn_frames, TRUE);
    g_array_free(v->forward_frames, TRUE);
    g_array_free(v->answer_frames, TRUE);
    g_hash_table_destroy(v->conns);
    g_free(v);
}

mcudiag_dsr_t *mcudiag_dsr_new(void)
{
    mcudiag_dsr_t *d = g_new0(mcudiag_dsr_t, 1);
    d->vips = g_ptr_array_new_with_free_func(vip_free);
    d->hairpins = g_ptr_array_new_with_free_func(hairpin_free);
    return d;
}

void mcudiag_dsr_free(mcudiag_dsr_t *d)
{
    if (!d)
        return;
    g_ptr_array_free(d->vips, TRUE);
    g_ptr_array_free(d->hairpins, TRUE);
    g_free(d);
}

void mcudiag_dsr_reset(mcudiag_dsr_t *d)
{
    g_ptr_array_set_size(d->vips, 0);
    g_ptr_array_set_size(d->hairpins, 0);
}

void mcudiag_dsr_add_hairpin(mcudiag_dsr_t *d, const lbhairpin_tap_info_t *info)
{
    hairpin_evidence_t *f = NULL;
    for (guint i = 0; i < d->hairpins->len && !f; i++)
        if (((hairpin_evidence_t *)g_ptr_array_index(d->hairpins, i))->hairpin == info->hairpin)
            f = g_ptr_array_index(d->hairpins, i);
    if (!f) {
        f = g_new0(hairpin_evidence_t, 1);
        f->hairpin = info->hairpin;
        f->returned_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
        g_ptr_array_add(d->hairpins, f);
    }
    if (info->returned)
        g_array_append_val(f->returned_frames, info->frame);
}

static dsr_vip_t *vip_of(mcudiag_dsr_t *d, const lbdsr_vip_t *vip)
{
    for (guint i = 0; i < d->vips->len; i++) {
        dsr_vip_t *v = g_ptr_array_index(d->vips, i);
        if (v->vip == vip)
            return v;
    }
    dsr_vip_t *v = g_new0(dsr_vip_t, 1);
    v->vip = vip;
    v->balancer_macs = g_ptr_array_new_with_free_func(g_free);
    v->member_macs = g_ptr_array_new_with_free_func(g_free);
    v->clients = g_ptr_array_new_with_free_func(g_free);
    v->ttls = g_array_new(FALSE, FALSE, sizeof(guint16));
    v->syn_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->forward_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->answer_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    v->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(d->vips, v);
    return v;
}

static void add_unique_ttl(GArray *ttls, guint16 ttl)
{
    for (guint i = 0; i < ttls->len; i++)
        if (g_array_index(ttls, guint16, i) == ttl)
            return;
    g_array_append_val(ttls, ttl);
}

void mcudiag_dsr_add(mcudiag_dsr_t *d, const lbdsr_tap_info_t *info)
{
    const lbdsr_conn_t *c = info->conn;
    if (c->withdrawn) /* one pass may tap it before the client's later segments withdraw it */
        return;
    dsr_vip_t *v = vip_of(d, c->vip);
    char buf[HOST_ADDR_STRLEN];
    g_hash_table_add(v->conns, GSIZE_TO_POINTER((gsize)c)); /* the connection's address is the key */
    mcudiag_strv_add_unique(v->balancer_macs, lbdsr_mac_to_str(&c->balancer_mac, buf, sizeof buf));
    mcudiag_strv_add_unique(v->member_macs, lbdsr_mac_to_str(&c->member_mac, buf, sizeof buf));
    mcudiag_strv_add_unique(v->clients, host_addr_to_str(&c->client, buf, sizeof buf));
    v->caller_view |= c->view == LBDSR_VIEW_CALLER;
    switch (info->role) {
    case LBDSR_ROLE_SYN:
        g_array_append_val(v->syn_frames, info->frame);
        break;
    case LBDSR_ROLE_FORWARD:
        g_array_append_val(v->forward_frames, info->frame);
        break;
    case LBDSR_ROLE_ANSWER: {
        g_array_append_val(v->answer_frames, info->frame);
        const guint8 ttl = c->view == LBDSR_VIEW_CALLER ? c->answer_ttl : c->syn_ttl;
        if (ttl)
            add_unique_ttl(v->ttls, ttl);
        break;
    }
    }
}

/* Connections still standing: one pass may have heard of some before they were withdrawn. */
static guint live_conns(const dsr_vip_t *v)
{
    guint n = 0;
    GHashTableIter it;
    gpointer c;
    g_hash_table_iter_init(&it, v->conns);
    while (g_hash_table_iter_next(&it, &c, NULL))
        n += !((const lbdsr_conn_t *)c)->withdrawn;
    return n;
}

/* Frame numbers of this capture into the model's frames, in capture order. */
static void add_frames(GArray *to, const GArray *frames)
{
    for (guint i = 0; i < frames->len; i++) {
        const mcudiag_frame_t frame = { .file = 0, .frame = g_array_index(frames, guint32, i) };
        g_array_append_val(to, frame);
    }
    g_array_sort(to, mcudiag_frame_compare);
}

static void copy_strings(GPtrArray *to, const GPtrArray *from)
{
    for (guint i = 0; i < from->len; i++)
        mcudiag_strv_add_unique(to, g_ptr_array_index(from, i));
}

static void set_where(mcudiag_finding_t *f, const host_addr_t *addr, guint16 port)
{
    char buf[HOST_ENDPOINT_STRLEN];
    f->address = g_strdup(host_addr_to_str(addr, buf, sizeof buf));
    f->port = port;
    f->endpoint = g_strdup(host_endpoint_to_str(addr, port, buf, sizeof buf));
}

static mcudiag_finding_t *dsr_finding(const dsr_vip_t *v)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_DIRECT_SERVER_RETURN);
    set_where(f, &v->vip->vip, v->vip->port);
    /* How much of the evidence the capture holds: the balancer's forward (a
     * segment capture) or several members under the VIP make it certain. */
    f->confidence = v->forward_frames->len || v->member_macs->len > 1 ? MCUDIAG_LEVEL_HIGH : MCUDIAG_LEVEL_MEDIUM;
    f->code = v->caller_view ? LBDSR_VIEW_CALLER : LBDSR_VIEW_MEMBER;
    f->attempts = live_conns(v);
    copy_strings(f->balancer_macs, v->balancer_macs);
    copy_strings(f->member_macs, v->member_macs);
    copy_strings(f->clients, v->clients);
    g_array_append_vals(f->ttls, v->ttls->data, v->ttls->len);
    add_frames(f->frames, v->answer_frames);
    add_frames(f->syn_frames, v->syn_frames);
    add_frames(f->forward_frames, v->forward_frames);
    f->impact = g_strdup("the client's half of each connection (replies bypass it)");
    if (!v->forward_frames->len)
        f->next = g_strdup("a capture on the balancer's segment (a SPAN port) shows the balancer forwarding each "
                           "SYN to the member unchanged, and every member behind the VIP.");
    f->fix = g_strdup_printf("configure the virtual server %s in NAT mode with source address translation (e.g. "
                             "\"SNAT automap\", not DSR / nPath / \"direct routing\"), and remove the VIP from the "
                             "members' loopback.", f->endpoint);
    return f;
}

static mcudiag_finding_t *hairpin_finding(const hairpin_evidence_t *e)
{
    const lbdsr_hairpin_t *h = e->hairpin;
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_SELF_SELECTION);
    set_where(f, &h->vip, h->vip_port);
    f->confidence = MCUDIAG_LEVEL_HIGH;
    char buf[HOST_ADDR_STRLEN];
    mcudiag_strv_add_unique(f->members, host_addr_to_str(&h->caller, buf, sizeof buf));
    mcudiag_strv_add_unique(f->balancer_macs, lbdsr_mac_to_str(&h->balancer_mac, buf, sizeof buf));
    const mcudiag_frame_t syn = { .file = 0, .frame = h->syn_frame };
    g_array_append_val(f->syn_frames, syn);
    add_frames(f->frames, e->returned_frames);
    f->fix = g_strdup_printf("enable source address translation on the virtual server %s (e.g. \"SNAT automap\"), "
                             "so a member's own SYN returns from the VIP and is answered.", f->endpoint);
    return f;
}

void mcudiag_dsr_findings(const mcudiag_dsr_t *d, GPtrArray *findings)
{
    for (guint i = 0; i < d->hairpins->len; i++) {
        const hairpin_evidence_t *e = g_ptr_array_index(d->hairpins, i);
        if (e->returned_frames->len)
            g_ptr_array_add(findings, hairpin_finding(e));
    }
    for (guint i = 0; i < d->vips->len; i++) {
        const dsr_vip_t *v = g_ptr_array_index(d->vips, i);
        if (!v->vip->withdrawn && v->answer_frames->len && live_conns(v))
            g_ptr_array_add(findings, dsr_finding(v));
    }
}
