/* mcudiag_dsr.c — direct-server-return findings (see mcudiag_dsr.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_dsr.h"

struct mcudiag_dsr {
    GPtrArray *vips;     /* mcudiag_dsr_vip_t*, in order of first evidence */
    GPtrArray *hairpins; /* mcudiag_dsr_hairpin_t* */
};

static void hairpin_free(gpointer p)
{
    mcudiag_dsr_hairpin_t *h = p;
    g_free(h->balancer_mac);
    g_array_free(h->returned_frames, TRUE);
    g_free(h);
}

static void vip_free(gpointer p)
{
    mcudiag_dsr_vip_t *v = p;
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

const GPtrArray *mcudiag_dsr_vips(const mcudiag_dsr_t *d)
{
    return d->vips;
}

const GPtrArray *mcudiag_dsr_hairpins(const mcudiag_dsr_t *d)
{
    return d->hairpins;
}

gboolean mcudiag_dsr_vip_withdrawn(const mcudiag_dsr_vip_t *v)
{
    return v->withdrawn || (v->tracked && v->tracked->withdrawn);
}

gboolean mcudiag_dsr_conn_withdrawn(const mcudiag_dsr_conn_t *c)
{
    return c->withdrawn || (c->tracked && c->tracked->withdrawn);
}

mcudiag_dsr_hairpin_t *mcudiag_dsr_hairpin(mcudiag_dsr_t *d, const host_addr_t *caller, guint16 caller_port,
                                           const host_addr_t *vip, guint16 vip_port, guint32 isn)
{
    for (guint i = 0; i < d->hairpins->len; i++) {
        mcudiag_dsr_hairpin_t *h = g_ptr_array_index(d->hairpins, i);
        if (h->caller_port == caller_port && h->vip_port == vip_port && h->isn == isn &&
            host_addr_equal(&h->caller, caller) && host_addr_equal(&h->vip, vip))
            return h;
    }
    mcudiag_dsr_hairpin_t *h = g_new0(mcudiag_dsr_hairpin_t, 1);
    h->caller = *caller;
    h->caller_port = caller_port;
    h->vip = *vip;
    h->vip_port = vip_port;
    h->isn = isn;
    h->returned_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    g_ptr_array_add(d->hairpins, h);
    return h;
}

void mcudiag_dsr_add_hairpin(mcudiag_dsr_t *d, const lbhairpin_tap_info_t *info)
{
    const lbdsr_hairpin_t *t = info->hairpin;
    mcudiag_dsr_hairpin_t *h = mcudiag_dsr_hairpin(d, &t->caller, t->caller_port, &t->vip, t->vip_port, t->isn);
    if (!h->balancer_mac) {
        char buf[HOST_ADDR_STRLEN];
        h->balancer_mac = g_strdup(lbdsr_mac_to_str(&t->balancer_mac, buf, sizeof buf));
        h->syn_frame = (mcudiag_frame_t){ .file = 0, .frame = t->syn_frame };
    }
    if (info->returned) {
        const mcudiag_frame_t frame = { .file = 0, .frame = info->frame };
        g_array_append_val(h->returned_frames, frame);
    }
}

mcudiag_dsr_vip_t *mcudiag_dsr_vip(mcudiag_dsr_t *d, const host_addr_t *vip, guint16 port)
{
    for (guint i = 0; i < d->vips->len; i++) {
        mcudiag_dsr_vip_t *v = g_ptr_array_index(d->vips, i);
        if (v->port == port && host_addr_equal(&v->vip, vip))
            return v;
    }
    mcudiag_dsr_vip_t *v = g_new0(mcudiag_dsr_vip_t, 1);
    v->vip = *vip;
    v->port = port;
    v->balancer_macs = g_ptr_array_new_with_free_func(g_free);
    v->member_macs = g_ptr_array_new_with_free_func(g_free);
    v->clients = g_ptr_array_new_with_free_func(g_free);
    v->ttls = g_array_new(FALSE, FALSE, sizeof(guint16));
    v->syn_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    v->forward_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    v->answer_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    v->conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_ptr_array_add(d->vips, v);
    return v;
}

mcudiag_dsr_conn_t *mcudiag_dsr_vip_conn(mcudiag_dsr_vip_t *v, const host_addr_t *client, guint16 client_port,
                                         guint32 isn)
{
    char buf[HOST_ENDPOINT_STRLEN];
    char *key = g_strdup_printf("%s %u", host_endpoint_to_str(client, client_port, buf, sizeof buf), isn);
    mcudiag_dsr_conn_t *c = g_hash_table_lookup(v->conns, key);
    if (c) {
        g_free(key);
        return c;
    }
    c = g_new0(mcudiag_dsr_conn_t, 1);
    c->client = *client;
    c->client_port = client_port;
    c->isn = isn;
    g_hash_table_insert(v->conns, key, c);
    return c;
}

void mcudiag_dsr_add_ttl(mcudiag_dsr_vip_t *v, guint16 ttl)
{
    for (guint i = 0; i < v->ttls->len; i++)
        if (g_array_index(v->ttls, guint16, i) == ttl)
            return;
    g_array_append_val(v->ttls, ttl);
}

void mcudiag_dsr_add(mcudiag_dsr_t *d, const lbdsr_tap_info_t *info)
{
    const lbdsr_conn_t *c = info->conn;
    if (c->withdrawn) /* one pass may tap it before the client's later segments withdraw it */
        return;
    mcudiag_dsr_vip_t *v = mcudiag_dsr_vip(d, &c->vip->vip, c->vip->port);
    v->tracked = c->vip;
    mcudiag_dsr_vip_conn(v, &c->client, c->client_port, c->isn)->tracked = c;
    char buf[HOST_ADDR_STRLEN];
    mcudiag_strv_add_unique(v->balancer_macs, lbdsr_mac_to_str(&c->balancer_mac, buf, sizeof buf));
    mcudiag_strv_add_unique(v->member_macs, lbdsr_mac_to_str(&c->member_mac, buf, sizeof buf));
    mcudiag_strv_add_unique(v->clients, host_addr_to_str(&c->client, buf, sizeof buf));
    v->caller_view |= c->view == LBDSR_VIEW_CALLER;
    const mcudiag_frame_t frame = { .file = 0, .frame = info->frame };
    switch (info->role) {
    case LBDSR_ROLE_SYN:
        g_array_append_val(v->syn_frames, frame);
        break;
    case LBDSR_ROLE_FORWARD:
        g_array_append_val(v->forward_frames, frame);
        break;
    case LBDSR_ROLE_ANSWER: {
        g_array_append_val(v->answer_frames, frame);
        const guint8 ttl = c->view == LBDSR_VIEW_CALLER ? c->answer_ttl : c->syn_ttl;
        if (ttl)
            mcudiag_dsr_add_ttl(v, ttl);
        break;
    }
    }
}

/* Connections still standing: one pass may have heard of some before they were withdrawn. */
static guint live_conns(const mcudiag_dsr_vip_t *v)
{
    guint n = 0;
    GHashTableIter it;
    gpointer c;
    g_hash_table_iter_init(&it, v->conns);
    while (g_hash_table_iter_next(&it, NULL, &c))
        n += !mcudiag_dsr_conn_withdrawn(c);
    return n;
}

/* The evidence's frames into a finding's, in capture order. */
static void add_frames(GArray *to, const GArray *frames)
{
    g_array_append_vals(to, frames->data, frames->len);
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

static mcudiag_finding_t *dsr_finding(const mcudiag_dsr_vip_t *v)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_DIRECT_SERVER_RETURN);
    set_where(f, &v->vip, v->port);
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

static mcudiag_finding_t *hairpin_finding(const mcudiag_dsr_hairpin_t *h)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_SELF_SELECTION);
    set_where(f, &h->vip, h->vip_port);
    f->confidence = MCUDIAG_LEVEL_HIGH;
    char buf[HOST_ADDR_STRLEN];
    mcudiag_strv_add_unique(f->members, host_addr_to_str(&h->caller, buf, sizeof buf));
    mcudiag_strv_add_unique(f->balancer_macs, h->balancer_mac ? h->balancer_mac : "?");
    g_array_append_val(f->syn_frames, h->syn_frame);
    add_frames(f->frames, h->returned_frames);
    f->fix = g_strdup_printf("enable source address translation on the virtual server %s (e.g. \"SNAT automap\"), "
                             "so a member's own SYN returns from the VIP and is answered.", f->endpoint);
    return f;
}

void mcudiag_dsr_findings(const mcudiag_dsr_t *d, GPtrArray *findings)
{
    for (guint i = 0; i < d->hairpins->len; i++) {
        const mcudiag_dsr_hairpin_t *h = g_ptr_array_index(d->hairpins, i);
        if (h->returned_frames->len)
            g_ptr_array_add(findings, hairpin_finding(h));
    }
    for (guint i = 0; i < d->vips->len; i++) {
        const mcudiag_dsr_vip_t *v = g_ptr_array_index(d->vips, i);
        if (!mcudiag_dsr_vip_withdrawn(v) && v->answer_frames->len && live_conns(v))
            g_ptr_array_add(findings, dsr_finding(v));
    }
}
