/* lbdsr_track.c — direct server return seen on the wire (see lbdsr_track.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "lbdsr/lbdsr_track.h"

#include <string.h>

#include <wsutil/to_str.h>

typedef struct {
    host_conn_t key;         /* the handshake the SYN opened */
    guint32 isn;
    lbdsr_mac_t src_mac, dst_mac; /* of the first transmission */
    guint32 syn_frame, forward_frame;
    lbdsr_mac_t forward_mac;      /* where the balancer forwarded it */
    nstime_t ts;
    guint8 syn_ttl;
    lbdsr_conn_t *conn;           /* once answered by DSR */
    lbdsr_hairpin_t *hairpin;     /* once handed back to the caller */
} pending_syn_t;

/* A SYN's transmission, whatever address it was sent to: (client, port, ISN). */
typedef struct {
    host_addr_t client;
    guint16 client_port;
    guint32 isn;
} transmission_key_t;

/* The MACs an address was sent from (a few are enough: one owner, or a pool). */
#define SENDER_MACS 4
typedef struct {
    guint n;
    lbdsr_mac_t macs[SENDER_MACS];
} senders_t;

struct lbdsr_tracker {
    lbdsr_config_t config;
    GHashTable *pending;    /* host_conn_t* -> pending_syn_t* (owned) */
    GHashTable *senders;    /* host_addr_t* (owned) -> senders_t* (owned) */
    GHashTable *owners;     /* host_addr_t* (owned) -> senders_t* (owned): MACs that answered it directly */
    GHashTable *verdicts;   /* frame -> lbdsr_verdict_t* (owned) */
    GHashTable *syn_frames; /* frame -> pending_syn_t* of a waiting SYN, for its TTL */
    GHashTable *by_transmission; /* transmission_key_t* (the pending's) -> pending_syn_t* */
    GHashTable *hairpin_frames;  /* frame -> lbdsr_hairpin_t* */
    GHashTable *returned_frames; /* frames of returned SYNs (a set) */
    GPtrArray *hairpins;    /* lbdsr_hairpin_t*, owned */
    GPtrArray *vips;        /* lbdsr_vip_t*, owned */
    GPtrArray *conns;       /* lbdsr_conn_t*, owned */
    nstime_t now;           /* frame time of the segment being fed (for expiry) */
    lbdsr_counters_t counters;
};

/* Keys are zeroed before they are filled (padding included): compared as bytes. */
static guint transmission_hash(gconstpointer k) { return host_key_hash(k, sizeof(transmission_key_t)); }
static gboolean transmission_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(transmission_key_t)) == 0;
}

static gboolean mac_equal(const lbdsr_mac_t *a, const lbdsr_mac_t *b)
{
    return memcmp(a->bytes, b->bytes, 6) == 0;
}

void lbdsr_config_default(lbdsr_config_t *config)
{
    config->max_pending = 65536;
    config->max_addresses = 65536;
    config->max_conns = 100000;
    config->window = (nstime_t)NSTIME_INIT_SECS(60);
}

lbdsr_tracker_t *lbdsr_tracker_new(const lbdsr_config_t *config)
{
    lbdsr_tracker_t *t = g_new0(lbdsr_tracker_t, 1);
    t->config = *config;
    t->pending = g_hash_table_new_full(host_conn_hash, host_conn_equal, NULL, g_free);
    t->senders = g_hash_table_new_full(host_addr_hash, host_addr_key_equal, g_free, g_free);
    t->owners = g_hash_table_new_full(host_addr_hash, host_addr_key_equal, g_free, g_free);
    t->verdicts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    t->syn_frames = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->by_transmission = g_hash_table_new_full(transmission_hash, transmission_equal, g_free, NULL);
    t->hairpin_frames = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->returned_frames = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->hairpins = g_ptr_array_new_with_free_func(g_free);
    t->vips = g_ptr_array_new_with_free_func(g_free);
    t->conns = g_ptr_array_new_with_free_func(g_free);
    return t;
}

void lbdsr_tracker_free(lbdsr_tracker_t *t)
{
    if (!t)
        return;
    g_hash_table_destroy(t->syn_frames);
    g_hash_table_destroy(t->by_transmission);
    g_hash_table_destroy(t->hairpin_frames);
    g_hash_table_destroy(t->returned_frames);
    g_ptr_array_free(t->hairpins, TRUE);
    g_hash_table_destroy(t->pending);
    g_hash_table_destroy(t->senders);
    g_hash_table_destroy(t->owners);
    g_hash_table_destroy(t->verdicts);
    g_ptr_array_free(t->conns, TRUE);
    g_ptr_array_free(t->vips, TRUE);
    g_free(t);
}

gboolean lbdsr_ttl_is_initial(guint8 ttl)
{
    return ttl == 32 || ttl == 64 || ttl == 128 || ttl == 255;
}

gboolean lbdsr_mac_is_virtual_router(const lbdsr_mac_t *mac)
{
    const guint8 *m = mac->bytes;
    /* VRRP (and CARP) IPv4 00:00:5e:00:01:xx, IPv6 00:00:5e:00:02:xx */
    if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x5e && m[3] == 0x00 && (m[4] == 0x01 || m[4] == 0x02))
        return TRUE;
    /* HSRP v1 00:00:0c:07:ac:xx, v2 00:00:0c:9f:fx:xx */
    if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x0c &&
        ((m[3] == 0x07 && m[4] == 0xac) || (m[3] == 0x9f && (m[4] & 0xf0) == 0xf0)))
        return TRUE;
    /* GLBP 00:07:b4:xx:xx:xx */
    return m[0] == 0x00 && m[1] == 0x07 && m[2] == 0xb4;
}

gboolean lbdsr_conn_routed(const lbdsr_conn_t *c)
{
    const guint8 ttl = c->view == LBDSR_VIEW_CALLER ? c->answer_ttl : c->syn_ttl;
    return ttl && !lbdsr_ttl_is_initial(ttl);
}

/* Whether `mac` is among the MACs kept for `ip` in `table` (senders or owners). */
static gboolean mac_kept(GHashTable *table, const host_addr_t *ip, const lbdsr_mac_t *mac)
{
    const senders_t *s = g_hash_table_lookup(table, ip);
    for (guint i = 0; s && i < s->n; i++)
        if (mac_equal(&s->macs[i], mac))
            return TRUE;
    return FALSE;
}

/* Keeps `mac` among the MACs of `ip` in `table`; FALSE when it was already
 * there or the table is full. */
static gboolean keep_mac(lbdsr_tracker_t *t, GHashTable *table, const host_addr_t *ip, const lbdsr_mac_t *mac)
{
    senders_t *s = g_hash_table_lookup(table, ip);
    if (!s) {
        if (g_hash_table_size(table) >= t->config.max_addresses) {
            t->counters.addresses_dropped++;
            return FALSE;
        }
        s = g_new0(senders_t, 1);
        g_hash_table_insert(table, g_memdup2(ip, sizeof *ip), s);
    }
    for (guint i = 0; i < s->n; i++)
        if (mac_equal(&s->macs[i], mac))
            return FALSE;
    if (s->n < SENDER_MACS)
        s->macs[s->n++] = *mac;
    return TRUE;
}

/* A VIP whose balancer MAC sends as the VIP is no DSR VIP: that MAC owns it. */
static void withdraw_owned_vips(lbdsr_tracker_t *t, const host_addr_t *ip, const lbdsr_mac_t *mac)
{
    for (guint i = 0; i < t->vips->len; i++) {
        lbdsr_vip_t *vip = g_ptr_array_index(t->vips, i);
        if (vip->withdrawn || !host_addr_equal(&vip->vip, ip))
            continue;
        for (guint k = 0; k < t->conns->len && !vip->withdrawn; k++) {
            const lbdsr_conn_t *c = g_ptr_array_index(t->conns, k);
            vip->withdrawn = c->vip == vip && mac_equal(&c->balancer_mac, mac);
        }
    }
}

static void note_sender(lbdsr_tracker_t *t, const lbdsr_segment_t *seg)
{
    if (keep_mac(t, t->senders, &seg->src, &seg->src_mac))
        withdraw_owned_vips(t, &seg->src, &seg->src_mac);
}

/* A handshake answered from the very MAC the SYN was sent to, back to the
 * MAC that sent it: that MAC holds the address and is reached directly. Its
 * other answers for the address are not DSR either (a SYN to another MAC is
 * then a one-off: a corrupted or misdirected frame), so connections already
 * taken for DSR from it are withdrawn. */
static void note_owner(lbdsr_tracker_t *t, const lbdsr_segment_t *answer)
{
    if (!keep_mac(t, t->owners, &answer->src, &answer->src_mac))
        return;
    for (guint k = 0; k < t->conns->len; k++) {
        lbdsr_conn_t *c = g_ptr_array_index(t->conns, k);
        if (host_addr_equal(&c->vip->vip, &answer->src) && mac_equal(&c->member_mac, &answer->src_mac))
            c->withdrawn = TRUE;
    }
}

static void set_verdict(lbdsr_tracker_t *t, guint32 frame, const lbdsr_conn_t *c, lbdsr_role_t role)
{
    if (!frame || g_hash_table_contains(t->verdicts, GUINT_TO_POINTER(frame)))
        return;
    lbdsr_verdict_t *v = g_new(lbdsr_verdict_t, 1);
    v->conn = c;
    v->role = role;
    g_hash_table_insert(t->verdicts, GUINT_TO_POINTER(frame), v);
}

static void transmission_of(const pending_syn_t *p, transmission_key_t *key)
{
    memset(key, 0, sizeof *key);
    key->client = p->key.client;
    key->client_port = p->key.client_port;
    key->isn = p->isn;
}

/* Drops the indexes that point to a pending SYN about to be freed. */
static void forget_indexes(lbdsr_tracker_t *t, const pending_syn_t *p)
{
    transmission_key_t key;
    transmission_of(p, &key);
    if (g_hash_table_lookup(t->by_transmission, &key) == p)
        g_hash_table_remove(t->by_transmission, &key);
    g_hash_table_remove(t->syn_frames, GUINT_TO_POINTER(p->syn_frame));
}

static gboolean pending_expired(gpointer key G_GNUC_UNUSED, gpointer value, gpointer data)
{
    const pending_syn_t *p = value;
    lbdsr_tracker_t *t = data;
    if (frame_time_within(&p->ts, &t->now, &t->config.window))
        return FALSE;
    forget_indexes(t, p);
    return TRUE;
}

static lbdsr_vip_t *vip_of(lbdsr_tracker_t *t, const host_addr_t *vip, guint16 port)
{
    for (guint i = 0; i < t->vips->len; i++) {
        lbdsr_vip_t *v = g_ptr_array_index(t->vips, i);
        if (v->port == port && host_addr_equal(&v->vip, vip))
            return v;
    }
    lbdsr_vip_t *v = g_new0(lbdsr_vip_t, 1);
    v->id = t->vips->len + 1;
    v->vip = *vip;
    v->port = port;
    g_ptr_array_add(t->vips, v);
    return v;
}

static void feed_returned_syn(lbdsr_tracker_t *t, const lbdsr_segment_t *seg);

/* A client SYN: a new handshake, a retransmission, or the balancer's
 * layer-2 forward of it (from the MAC it was sent to, to another MAC). */
static void feed_syn(lbdsr_tracker_t *t, const lbdsr_segment_t *seg)
{
    host_conn_t key;
    host_conn_set(&key, &seg->src, seg->src_port, &seg->dst, seg->dst_port);
    if (host_addr_equal(&seg->src, &seg->dst)) {
        feed_returned_syn(t, seg);
        return;
    }
    pending_syn_t *p = g_hash_table_lookup(t->pending, &key);
    if (p && p->isn == seg->seq) {
        if (p->hairpin)
            g_hash_table_insert(t->hairpin_frames, GUINT_TO_POINTER(seg->frame), p->hairpin);
        if (!p->forward_frame && mac_equal(&seg->src_mac, &p->dst_mac) && !mac_equal(&seg->dst_mac, &p->dst_mac)) {
            p->forward_frame = seg->frame;
            p->forward_mac = seg->dst_mac;
            if (p->conn) {
                p->conn->forward_frame = seg->frame;
                set_verdict(t, seg->frame, p->conn, LBDSR_ROLE_FORWARD);
            }
        }
        return;
    }
    if (p) {
        forget_indexes(t, p);
        g_hash_table_remove(t->pending, &key); /* a new ISN: port reuse */
    }
    if (g_hash_table_size(t->pending) >= t->config.max_pending) {
        t->now = seg->ts;
        g_hash_table_foreach_remove(t->pending, pending_expired, t);
        if (g_hash_table_size(t->pending) >= t->config.max_pending) {
            t->counters.pending_dropped++;
            return;
        }
    }
    p = g_new0(pending_syn_t, 1);
    p->key = key;
    p->isn = seg->seq;
    p->src_mac = seg->src_mac;
    p->dst_mac = seg->dst_mac;
    p->syn_frame = seg->frame;
    p->ts = seg->ts;
    g_hash_table_insert(t->pending, &p->key, p);
    g_hash_table_insert(t->syn_frames, GUINT_TO_POINTER(seg->frame), p);
    transmission_key_t *tk = g_new(transmission_key_t, 1);
    transmission_of(p, tk);
    g_hash_table_replace(t->by_transmission, tk, p);
}

/* A SYN from an address to itself: the caller's own SYN to another address
 * (the VIP), handed back by a balancer (from another MAC) — self-selection. */
static void feed_returned_syn(lbdsr_tracker_t *t, const lbdsr_segment_t *seg)
{
    transmission_key_t key;
    memset(&key, 0, sizeof key);
    key.client = seg->src;
    key.client_port = seg->src_port;
    key.isn = seg->seq;
    pending_syn_t *p = g_hash_table_lookup(t->by_transmission, &key);
    if (!p || host_addr_equal(&p->key.server, &seg->src) || p->key.server_port != seg->dst_port ||
        mac_equal(&seg->src_mac, &p->src_mac) || !frame_time_within(&p->ts, &seg->ts, &t->config.window))
        return;
    lbdsr_hairpin_t *h = p->hairpin;
    if (!h) {
        if (t->hairpins->len >= t->config.max_conns) {
            t->counters.conns_not_kept++;
            return;
        }
        h = p->hairpin = g_new0(lbdsr_hairpin_t, 1);
        h->id = t->hairpins->len + 1;
        h->caller = p->key.client;
        h->vip = p->key.server;
        h->caller_port = p->key.client_port;
        h->vip_port = p->key.server_port;
        h->isn = p->isn;
        h->balancer_mac = seg->src_mac;
        h->syn_frame = p->syn_frame;
        h->first_return_frame = seg->frame;
        g_ptr_array_add(t->hairpins, h);
        g_hash_table_insert(t->hairpin_frames, GUINT_TO_POINTER(p->syn_frame), h);
    }
    h->returns++;
    g_hash_table_insert(t->hairpin_frames, GUINT_TO_POINTER(seg->frame), h);
    g_hash_table_add(t->returned_frames, GUINT_TO_POINTER(seg->frame));
}

/* A MAC a host sends from and is reached at: not a group address, not a
 * first-hop-redundancy gateway's shared one. */
static gboolean station_mac(const lbdsr_mac_t *m)
{
    return !(m->bytes[0] & 1) && !lbdsr_mac_is_virtual_router(m);
}

/* Which view, if any, a SYN-ACK from the VIP shows of its SYN. One end's MAC
 * must agree in both packets (a real capture point sees each host at one
 * MAC; generated captures with random MACs do not), the other must differ. */
static lbdsr_view_t dsr_view(const lbdsr_tracker_t *t, const pending_syn_t *p, const lbdsr_segment_t *seg)
{
    const lbdsr_mac_t *called = &p->dst_mac, *delivered_by = &p->src_mac;
    if (!station_mac(called) || !station_mac(delivered_by) || !station_mac(&seg->src_mac) ||
        !station_mac(&seg->dst_mac))
        return 0;
    /* The client received at the MAC it sent from; the answer left from
     * another MAC than the one called, which never sends as the VIP. */
    if (mac_kept(t->owners, &seg->src, &seg->src_mac))
        return 0; /* the VIP answered directly from this MAC before */
    if (mac_equal(&seg->dst_mac, delivered_by) && !mac_equal(&seg->src_mac, called) &&
        !mac_kept(t->senders, &seg->src, called))
        return LBDSR_VIEW_CALLER;
    /* The member answered from the MAC the SYN reached, to another MAC than the one that delivered it. */
    if (mac_equal(&seg->src_mac, called) && !mac_equal(&seg->dst_mac, delivered_by) &&
        !mac_kept(t->senders, &seg->src, delivered_by))
        return LBDSR_VIEW_MEMBER;
    return 0;
}

static lbdsr_conn_t *new_conn(lbdsr_tracker_t *t, pending_syn_t *p, const lbdsr_segment_t *seg, lbdsr_view_t view)
{
    if (t->conns->len >= t->config.max_conns) {
        t->counters.conns_not_kept++;
        return NULL;
    }
    lbdsr_conn_t *c = g_new0(lbdsr_conn_t, 1);
    c->id = t->conns->len + 1;
    c->vip = vip_of(t, &p->key.server, p->key.server_port);
    c->view = view;
    c->client = p->key.client;
    c->client_port = p->key.client_port;
    c->isn = p->isn;
    c->balancer_mac = view == LBDSR_VIEW_CALLER ? p->dst_mac : p->src_mac;
    c->member_mac = seg->src_mac;
    c->client_mac = seg->dst_mac;
    c->syn_frame = p->syn_frame;
    c->forward_frame = p->forward_frame;
    c->answer_frame = seg->frame;
    c->syn_ttl = p->syn_ttl;
    g_ptr_array_add(t->conns, c);
    set_verdict(t, p->syn_frame, c, LBDSR_ROLE_SYN);
    set_verdict(t, p->forward_frame, c, LBDSR_ROLE_FORWARD);
    return c;
}

/* A SYN-ACK from the address the SYN was sent to, acknowledging its ISN. */
static void feed_synack(lbdsr_tracker_t *t, const lbdsr_segment_t *seg)
{
    host_conn_t key;
    host_conn_set(&key, &seg->dst, seg->dst_port, &seg->src, seg->src_port);
    pending_syn_t *p = g_hash_table_lookup(t->pending, &key);
    if (!p || seg->ack != p->isn + 1 || !frame_time_within(&p->ts, &seg->ts, &t->config.window))
        return;
    if (mac_equal(&seg->src_mac, &p->dst_mac) && mac_equal(&seg->dst_mac, &p->src_mac) && station_mac(&seg->src_mac)) {
        note_owner(t, seg);
        return;
    }
    if (!p->conn) {
        const lbdsr_view_t view = dsr_view(t, p, seg);
        if (!view || !(p->conn = new_conn(t, p, seg, view)))
            return;
    } else if (!mac_equal(&seg->src_mac, &p->conn->member_mac)) {
        return; /* another MAC: not the member that answered */
    }
    set_verdict(t, seg->frame, p->conn, LBDSR_ROLE_ANSWER);
}

/* A later segment of the client on a connection answered by DSR: sent from
 * the client's own MAC straight to the member's, the client reaches the
 * VIP at that MAC, so nothing stands between them (the SYN's MAC was a
 * one-off, e.g. a corrupted frame). */
static void feed_client_segment(lbdsr_tracker_t *t, const lbdsr_segment_t *seg)
{
    host_conn_t key;
    host_conn_set(&key, &seg->src, seg->src_port, &seg->dst, seg->dst_port);
    const pending_syn_t *p = g_hash_table_lookup(t->pending, &key);
    if (p && p->conn && p->conn->view == LBDSR_VIEW_CALLER && mac_equal(&seg->src_mac, &p->src_mac) &&
        mac_equal(&seg->dst_mac, &p->conn->member_mac))
        p->conn->withdrawn = TRUE;
}

void lbdsr_tracker_feed(lbdsr_tracker_t *t, const lbdsr_segment_t *seg)
{
    if ((seg->src.family != HOST_ADDR_V4 && seg->src.family != HOST_ADDR_V6) || seg->dst.family != seg->src.family)
        return;
    note_sender(t, seg);
    const guint8 syn_ack = seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST);
    if (syn_ack == TCP_FLAG_SYN)
        feed_syn(t, seg);
    else if (syn_ack == (TCP_FLAG_SYN | TCP_FLAG_ACK))
        feed_synack(t, seg);
    else if (t->conns->len)
        feed_client_segment(t, seg);
}

void lbdsr_tracker_note_ttl(lbdsr_tracker_t *t, guint32 frame, guint8 ttl)
{
    const lbdsr_verdict_t *v = g_hash_table_lookup(t->verdicts, GUINT_TO_POINTER(frame));
    if (v) {
        lbdsr_conn_t *c = g_ptr_array_index(t->conns, v->conn->id - 1); /* the tracker's own, by its 1-based id */
        if (v->role == LBDSR_ROLE_SYN)
            c->syn_ttl = ttl;
        else if (v->role == LBDSR_ROLE_ANSWER && frame == c->answer_frame)
            c->answer_ttl = ttl;
        return;
    }
    pending_syn_t *p = g_hash_table_lookup(t->syn_frames, GUINT_TO_POINTER(frame));
    if (p)
        p->syn_ttl = ttl;
}

const lbdsr_verdict_t *lbdsr_tracker_verdict(const lbdsr_tracker_t *t, guint32 frame)
{
    return g_hash_table_lookup(t->verdicts, GUINT_TO_POINTER(frame));
}

const lbdsr_hairpin_t *lbdsr_tracker_hairpin(const lbdsr_tracker_t *t, guint32 frame, gboolean *returned)
{
    const lbdsr_hairpin_t *h = g_hash_table_lookup(t->hairpin_frames, GUINT_TO_POINTER(frame));
    *returned = h && g_hash_table_contains(t->returned_frames, GUINT_TO_POINTER(frame));
    return h;
}

guint lbdsr_tracker_hairpin_count(const lbdsr_tracker_t *t)
{
    return t->hairpins->len;
}

guint lbdsr_tracker_conn_count(const lbdsr_tracker_t *t)
{
    return t->conns->len;
}

const lbdsr_conn_t *lbdsr_tracker_conn(const lbdsr_tracker_t *t, guint id)
{
    return id >= 1 && id <= t->conns->len ? g_ptr_array_index(t->conns, id - 1) : NULL;
}

void lbdsr_tracker_counters(const lbdsr_tracker_t *t, lbdsr_counters_t *out)
{
    *out = t->counters;
    out->pending = g_hash_table_size(t->pending);
    out->addresses = g_hash_table_size(t->senders);
    out->conns = t->conns->len;
}

char *lbdsr_mac_to_str(const lbdsr_mac_t *m, char *buf, gsize size)
{
    enum { TEXT = sizeof m->bytes * 3 - 1 };
    if (size <= TEXT) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    *bytes_to_hexstr_punct(buf, m->bytes, sizeof m->bytes, ':') = '\0';
    return buf;
}
