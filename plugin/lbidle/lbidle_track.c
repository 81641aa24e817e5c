/* lbidle_track.c — the load balancer's TCP idle timer (see lbidle_track.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "lbidle/lbidle_track.h"

#include <string.h>

/* Cuts looked back at for the other end's reset of the same expiry. */
#define PAIRING_LOOKBACK 8

/* A packet sent after an idle gap, waiting for the other end's reaction. */
typedef struct {
    gboolean active;
    gboolean from_client;
    nstime_t gap;
    nstime_t ts;
    guint32 frame, before_gap_frame;
    guint32 seq, payload_len;
    guint retransmissions;
    guint32 first_retransmission_frame;
    lbidle_cut_t *dropped;  /* set once its retransmissions make it a silent drop */
} resumption_t;

typedef struct {
    host_conn_t key;
    GList link;             /* in the tracker's lru queue, or its ended queue once ended; data = this */
    lbidle_service_t *service;
    nstime_t last_time;
    guint32 last_frame;
    gboolean ended;         /* FIN or RST seen: no more gaps */
    resumption_t pending;
    lbidle_head_t *head;    /* its first segments, still being noted (owned by the tracker's heads) */
} conn_t;

struct lbidle_service {
    host_addr_t addr;
    guint16 port;
    guint connections;
    nstime_t longest_survived;
    guint32 longest_survived_frame;
    GPtrArray *cuts;        /* lbidle_cut_t *, owned by the tracker's cut list */
};

typedef struct {
    lbidle_cut_t pub;
    nstime_t reset_time;
} cut_t;

struct lbidle_tracker {
    lbidle_config_t config;
    GHashTable *conns;      /* host_conn_t * -> conn_t * (owns) */
    GQueue lru;             /* links of live conn_t, least recently active first */
    GQueue ended;           /* links of ended conn_t, earliest ended first (at most LBIDLE_ENDED_KEPT) */
    GHashTable *services;   /* service key -> lbidle_service_t * (owns) */
    GPtrArray *service_order;
    GPtrArray *cuts;        /* cut_t * (owns) */
    GHashTable *verdicts;   /* frame -> lbidle_verdict_t * (owns) */
    GHashTable *survivals;  /* frame -> lbidle_service_t *: the frame answered a new longest survived gap */
    GHashTable *opens;      /* frame -> lbidle_service_t *: the frame opened a connection (at most max_connections) */
    GPtrArray *heads;       /* lbidle_head_t * (owns), with stitch_from_frame */
    lbidle_counters_t counters;
};

/* The time from frame time a to frame time b; zero when b is not after a
 * (reordered captures). */
static nstime_t elapsed(const nstime_t *a, const nstime_t *b)
{
    nstime_t d = NSTIME_INIT_ZERO;
    if (frame_time_cmp(b, a) > 0)
        nstime_delta(&d, b, a);
    return d;
}

/* Whether a gap is long enough to be an idle gap. */
static gboolean is_idle_gap(const nstime_t *gap)
{
    const nstime_t shortest = LBIDLE_SHORTEST_IDLE;
    return frame_time_cmp(gap, &shortest) >= 0;
}

/* ---- keys ----------------------------------------------------------------- */

static guint service_hash(gconstpointer k)
{
    const lbidle_service_t *s = k;
    return host_addr_hash(&s->addr) ^ s->port;
}

static gboolean service_equal(gconstpointer a, gconstpointer b)
{
    const lbidle_service_t *x = a, *y = b;
    return x->port == y->port && host_addr_equal(&x->addr, &y->addr);
}

static void service_free(gpointer p)
{
    lbidle_service_t *s = p;
    g_ptr_array_free(s->cuts, TRUE);
    g_free(s);
}

/* ---- lifetime ------------------------------------------------------------- */

static void tracker_tables_new(lbidle_tracker_t *t)
{
    t->conns = g_hash_table_new_full(host_conn_hash, host_conn_equal, NULL, g_free);
    g_queue_init(&t->lru);
    g_queue_init(&t->ended);
    t->services = g_hash_table_new_full(service_hash, service_equal, NULL, service_free);
    t->service_order = g_ptr_array_new();
    t->cuts = g_ptr_array_new_with_free_func(g_free);
    t->verdicts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    t->survivals = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->opens = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->heads = g_ptr_array_new_with_free_func(g_free);
    memset(&t->counters, 0, sizeof t->counters);
}

static void tracker_tables_free(lbidle_tracker_t *t)
{
    g_hash_table_destroy(t->conns);
    g_hash_table_destroy(t->services);
    g_ptr_array_free(t->service_order, TRUE);
    g_ptr_array_free(t->cuts, TRUE);
    g_hash_table_destroy(t->verdicts);
    g_hash_table_destroy(t->survivals);
    g_hash_table_destroy(t->opens);
    g_ptr_array_free(t->heads, TRUE);
}

static void set_config(lbidle_tracker_t *t, const lbidle_config_t *config)
{
    t->config = *config;
    if (!t->config.max_connections)
        t->config.max_connections = LBIDLE_DEFAULT_MAX_CONNECTIONS;
    if (!t->config.max_services)
        t->config.max_services = LBIDLE_DEFAULT_MAX_SERVICES;
    if (!t->config.max_cuts)
        t->config.max_cuts = LBIDLE_DEFAULT_MAX_CUTS;
}

lbidle_tracker_t *lbidle_tracker_new(const lbidle_config_t *config)
{
    lbidle_tracker_t *t = g_new0(lbidle_tracker_t, 1);
    set_config(t, config);
    tracker_tables_new(t);
    return t;
}

void lbidle_tracker_reset(lbidle_tracker_t *t)
{
    tracker_tables_free(t);
    tracker_tables_new(t);
}

void lbidle_tracker_configure(lbidle_tracker_t *t, const lbidle_config_t *config)
{
    set_config(t, config);
    lbidle_tracker_reset(t);
}

void lbidle_tracker_free(lbidle_tracker_t *t)
{
    if (!t)
        return;
    tracker_tables_free(t);
    g_free(t);
}

/* ---- connections and services --------------------------------------------- */

static lbidle_service_t *service_for(lbidle_tracker_t *t, const host_addr_t *addr, guint16 port)
{
    lbidle_service_t probe = { .addr = *addr, .port = port };
    lbidle_service_t *s = g_hash_table_lookup(t->services, &probe);
    if (s)
        return s;
    if (g_hash_table_size(t->services) >= t->config.max_services) {
        t->counters.services_not_kept++;
        return NULL;
    }
    s = g_new0(lbidle_service_t, 1);
    s->addr = *addr;
    s->port = port;
    s->cuts = g_ptr_array_new();
    g_hash_table_insert(t->services, s, s);
    g_ptr_array_add(t->service_order, s);
    return s;
}

static void forget(lbidle_tracker_t *t, GQueue *queue)
{
    GList *oldest = g_queue_peek_head_link(queue);
    conn_t *c = oldest->data;
    g_queue_unlink(queue, oldest);
    g_hash_table_remove(t->conns, &c->key);
}

/* The table is full: the earliest ended connection goes, or else the least
 * recently active one. */
static void forget_oldest_connection(lbidle_tracker_t *t)
{
    if (!g_queue_is_empty(&t->ended)) {
        forget(t, &t->ended);
        return;
    }
    forget(t, &t->lru);
    t->counters.evicted_connections++;
}

static void end_conn(lbidle_tracker_t *t, conn_t *c)
{
    if (c->ended)
        return;
    c->ended = TRUE;
    g_queue_unlink(&t->lru, &c->link);
    g_queue_push_tail_link(&t->ended, &c->link);
    if (t->ended.length > LBIDLE_ENDED_KEPT)
        forget(t, &t->ended);
}

/* A new connection on an ended one's ports. */
static void reopen_conn(lbidle_tracker_t *t, conn_t *c)
{
    c->ended = FALSE;
    c->pending.active = FALSE;
    c->head = NULL;
    g_queue_unlink(&t->ended, &c->link);
    g_queue_push_tail_link(&t->lru, &c->link);
}

/* Which end opened the connection: the SYN's sender; without a SYN (the
 * capture started later) the end with the higher port, as client ports are
 * ephemeral and services well known. */
static void key_for_new(const lbidle_segment_t *seg, host_conn_t *k)
{
    gboolean src_is_client;
    if (seg->flags & TCP_FLAG_SYN)
        src_is_client = !(seg->flags & TCP_FLAG_ACK);
    else
        src_is_client = seg->src_port >= seg->dst_port;
    if (src_is_client)
        host_conn_set(k, &seg->src, seg->src_port, &seg->dst, seg->dst_port);
    else
        host_conn_set(k, &seg->dst, seg->dst_port, &seg->src, seg->src_port);
}

static conn_t *lookup_conn(lbidle_tracker_t *t, const lbidle_segment_t *seg, gboolean *from_client)
{
    host_conn_t k;
    host_conn_set(&k, &seg->src, seg->src_port, &seg->dst, seg->dst_port);
    conn_t *c = g_hash_table_lookup(t->conns, &k);
    if (c) {
        *from_client = TRUE;
        return c;
    }
    host_conn_set(&k, &seg->dst, seg->dst_port, &seg->src, seg->src_port);
    c = g_hash_table_lookup(t->conns, &k);
    *from_client = FALSE;
    return c;
}

static conn_t *open_conn(lbidle_tracker_t *t, const lbidle_segment_t *seg, gboolean *from_client)
{
    if (g_hash_table_size(t->conns) >= t->config.max_connections)
        forget_oldest_connection(t);
    conn_t *c = g_new0(conn_t, 1);
    key_for_new(seg, &c->key);
    c->link.data = c;
    c->service = service_for(t, &c->key.server, c->key.server_port);
    if (c->service) {
        c->service->connections++;
        if (g_hash_table_size(t->opens) < t->config.max_connections)
            g_hash_table_insert(t->opens, GUINT_TO_POINTER(seg->frame), c->service);
    }
    c->last_time = seg->ts;
    c->last_frame = seg->frame;
    g_hash_table_insert(t->conns, &c->key, c);
    g_queue_push_tail_link(&t->lru, &c->link);
    *from_client = seg->src_port == c->key.client_port && host_addr_equal(&seg->src, &c->key.client);
    guint n = g_hash_table_size(t->conns);
    if (n > t->counters.peak_connections)
        t->counters.peak_connections = n;
    return c;
}

/* ---- cuts and verdicts ------------------------------------------------------ */

static void set_verdict(lbidle_tracker_t *t, guint32 frame, const lbidle_cut_t *cut, lbidle_role_t role)
{
    if (!frame)
        return;
    lbidle_verdict_t *v = g_new(lbidle_verdict_t, 1);
    v->cut = cut;
    v->role = role;
    g_hash_table_replace(t->verdicts, GUINT_TO_POINTER(frame), v);
}

/* Another recent cut whose RST went the other way at the same moment: the
 * balancer reset both ends when it forgot the flows. */
static void pair_with_recent(lbidle_tracker_t *t, cut_t *cut)
{
    const nstime_t copy_window = MESSAGE_COPIES_WINDOW;
    guint n = t->cuts->len;
    for (guint i = n > PAIRING_LOOKBACK ? n - PAIRING_LOOKBACK : 0; i < n; i++) {
        cut_t *other = g_ptr_array_index(t->cuts, i);
        if (other == cut || !other->pub.reset_frame || other->pub.reset_to_server == cut->pub.reset_to_server)
            continue;
        if (frame_time_within(&cut->reset_time, &other->reset_time, &copy_window)) {
            other->pub.paired = TRUE;
            cut->pub.paired = TRUE;
        }
    }
}

static cut_t *new_cut(lbidle_tracker_t *t, conn_t *c, lbidle_behaviour_t behaviour, const nstime_t *gap,
                      guint32 before_gap_frame)
{
    if (!c->service)
        return NULL;
    if (t->cuts->len >= t->config.max_cuts) {
        t->counters.cuts_not_kept++;
        return NULL;
    }
    cut_t *cut = g_new0(cut_t, 1);
    cut->pub.id = t->cuts->len + 1;
    cut->pub.service = c->service;
    cut->pub.client = c->key.client;
    cut->pub.client_port = c->key.client_port;
    cut->pub.behaviour = behaviour;
    cut->pub.idle_gap = *gap;
    cut->pub.before_gap_frame = before_gap_frame;
    g_ptr_array_add(t->cuts, cut);
    g_ptr_array_add(c->service->cuts, &cut->pub);
    return cut;
}

static void cut_by_reset(lbidle_tracker_t *t, conn_t *c, const lbidle_segment_t *seg, gboolean from_client,
                         lbidle_behaviour_t behaviour, const nstime_t *gap, guint32 before_gap_frame)
{
    cut_t *cut = new_cut(t, c, behaviour, gap, before_gap_frame);
    if (!cut)
        return;
    cut->pub.reset_frame = seg->frame;
    cut->pub.detected_frame = seg->frame;
    cut->pub.reset_to_server = from_client;
    cut->reset_time = seg->ts;
    if (behaviour == LBIDLE_BEHAVIOUR_RESET_NEXT) {
        cut->pub.resume_frame = c->pending.frame;
        cut->pub.resumed_by_client = c->pending.from_client;
        set_verdict(t, c->pending.frame, &cut->pub, LBIDLE_ROLE_RESUME);
    }
    set_verdict(t, seg->frame, &cut->pub, LBIDLE_ROLE_RESET);
    pair_with_recent(t, cut);
}

static void note_survived(conn_t *c, const nstime_t *gap, guint32 frame)
{
    if (c->service && frame_time_cmp(gap, &c->service->longest_survived) > 0) {
        c->service->longest_survived = *gap;
        c->service->longest_survived_frame = frame;
    }
}

/* The packet after the gap, sent again: a dead run from its
 * LBIDLE_DEAD_RUN_RETRANSMISSIONS-th copy, when it becomes a cut. */
static void note_retransmission(lbidle_tracker_t *t, conn_t *c, const lbidle_segment_t *seg)
{
    resumption_t *p = &c->pending;
    if (++p->retransmissions == 1)
        p->first_retransmission_frame = seg->frame;
    if (!p->dropped && p->retransmissions >= LBIDLE_DEAD_RUN_RETRANSMISSIONS) {
        cut_t *cut = new_cut(t, c, LBIDLE_BEHAVIOUR_SILENT_DROP, &p->gap, p->before_gap_frame);
        if (!cut)
            return;
        p->dropped = &cut->pub;
        p->dropped->resume_frame = p->frame;
        p->dropped->detected_frame = seg->frame;
        p->dropped->resumed_by_client = p->from_client;
        set_verdict(t, p->frame, p->dropped, LBIDLE_ROLE_RESUME);
        set_verdict(t, p->first_retransmission_frame, p->dropped, LBIDLE_ROLE_RETRANSMISSION);
    }
    if (!p->dropped)
        return;
    p->dropped->retransmissions = p->retransmissions;
    p->dropped->last_retransmission_frame = seg->frame;
    set_verdict(t, seg->frame, p->dropped, LBIDLE_ROLE_RETRANSMISSION);
}

/* ---- feeding ---------------------------------------------------------------- */

/* A packet after the connection was quiet: an unprompted RST after an idle
 * gap is a cut; any other packet after one waits for the other end's reaction. */
static void after_silence(lbidle_tracker_t *t, conn_t *c, const lbidle_segment_t *seg, gboolean from_client,
                          const nstime_t *gap)
{
    if (seg->flags & TCP_FLAG_FIN) {
        end_conn(t, c); /* closed by an end itself, idle or not */
        return;
    }
    if (seg->flags & TCP_FLAG_RST) {
        if (is_idle_gap(gap))
            cut_by_reset(t, c, seg, from_client, LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY, gap, c->last_frame);
        end_conn(t, c);
        return;
    }
    if (!is_idle_gap(gap) || (seg->flags & TCP_FLAG_SYN))
        return;
    c->pending = (resumption_t){
        .active = TRUE,
        .from_client = from_client,
        .gap = *gap,
        .ts = seg->ts,
        .frame = seg->frame,
        .before_gap_frame = c->last_frame,
        .seq = seg->seq,
        .payload_len = seg->payload_len,
    };
}

/* The next packet after the one that broke the silence. */
static void follow_resumption(lbidle_tracker_t *t, conn_t *c, const lbidle_segment_t *seg, gboolean from_client,
                              const nstime_t *gap)
{
    resumption_t *p = &c->pending;
    if (from_client == p->from_client) {
        if (seg->flags & (TCP_FLAG_FIN | TCP_FLAG_RST)) {
            end_conn(t, c); /* the sender gave up or closed; a dead run stays a cut */
            p->active = FALSE;
        } else if (!(seg->flags & TCP_FLAG_SYN) && seg->seq == p->seq && seg->payload_len == p->payload_len) {
            note_retransmission(t, c, seg);
        }
        return;
    }
    p->active = FALSE;
    const nstime_t since = elapsed(&p->ts, &seg->ts);
    if ((seg->flags & TCP_FLAG_RST) && !p->dropped && !is_idle_gap(&since)) {
        cut_by_reset(t, c, seg, from_client, LBIDLE_BEHAVIOUR_RESET_NEXT, &p->gap, p->before_gap_frame);
        end_conn(t, c);
        return;
    }
    /* Answered (or reset much later, after a silence of its own): the connection survived the gap. */
    if (p->dropped)
        p->dropped->withdrawn = TRUE;
    note_survived(c, &p->gap, p->frame);
    if (c->service && c->service->longest_survived_frame == p->frame)
        g_hash_table_insert(t->survivals, GUINT_TO_POINTER(seg->frame), c->service);
    if (seg->flags & TCP_FLAG_RST)
        after_silence(t, c, seg, from_client, gap);
    else if (seg->flags & TCP_FLAG_FIN)
        end_conn(t, c);
}

/* ---- stitching parts of a capture set --------------------------------------- */

/* A head starting with seg, for a connection first seen without its SYN;
 * NULL when the tracker keeps none or has as many as it keeps. */
static lbidle_head_t *new_head(lbidle_tracker_t *t, const lbidle_segment_t *seg)
{
    if (!t->config.stitch_from_frame || (seg->flags & TCP_FLAG_SYN) || t->heads->len >= LBIDLE_MAX_HEADS)
        return NULL;
    lbidle_head_t *head = g_new0(lbidle_head_t, 1);
    key_for_new(seg, &head->ends);
    head->segments[head->n++] = *seg;
    g_ptr_array_add(t->heads, head);
    return head;
}

/* The next segment of a head: noted until the other end's reaction to its
 * first (an answer or an RST), an end of the connection, or a full head. */
static void continue_head(conn_t *c, const lbidle_segment_t *seg)
{
    lbidle_head_t *head = c->head;
    head->segments[head->n++] = *seg;
    const lbidle_segment_t *first = &head->segments[0];
    const gboolean reaction = seg->src_port != first->src_port || !host_addr_equal(&seg->src, &first->src);
    if (reaction || (seg->flags & (TCP_FLAG_RST | TCP_FLAG_FIN)) || head->n == LBIDLE_HEAD_SEGMENTS)
        c->head = NULL;
}

void lbidle_tracker_feed(lbidle_tracker_t *t, const lbidle_segment_t *seg)
{
    t->counters.segments++;
    gboolean from_client;
    conn_t *c = lookup_conn(t, seg, &from_client);
    if (!c) {
        /* A connection's last words with nothing before them tell no gap
         * here; in a part of a set, the part before may hold its past. An
         * RST alone tells no connection. A FIN does: it is followed as
         * ended, so that what its ends still send (the other end's data
         * after a silence, answered by a reset) is not taken for a
         * resumption, as it is not in the whole capture. */
        if (seg->flags & TCP_FLAG_RST) {
            new_head(t, seg);
            return;
        }
        conn_t *opened = open_conn(t, seg, &from_client);
        opened->head = new_head(t, seg);
        if (seg->flags & TCP_FLAG_FIN)
            end_conn(t, opened);
        return;
    }
    if (c->head)
        continue_head(c, seg);
    if (!c->ended) {
        g_queue_unlink(&t->lru, &c->link);
        g_queue_push_tail_link(&t->lru, &c->link);
    }
    const nstime_t gap = elapsed(&c->last_time, &seg->ts);
    if ((seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN && c->ended) {
        reopen_conn(t, c); /* the port pair carries a new connection */
    } else if (!c->ended) {
        if (c->pending.active)
            follow_resumption(t, c, seg, from_client, &gap);
        else
            after_silence(t, c, seg, from_client, &gap);
    }
    if (frame_time_cmp(&seg->ts, &c->last_time) > 0)
        c->last_time = seg->ts;
    c->last_frame = seg->frame;
}

/* ---- queries ---------------------------------------------------------------- */

const lbidle_verdict_t *lbidle_tracker_verdict(const lbidle_tracker_t *t, guint32 frame)
{
    return g_hash_table_lookup(t->verdicts, GUINT_TO_POINTER(frame));
}

const lbidle_service_t *lbidle_tracker_survival(const lbidle_tracker_t *t, guint32 frame)
{
    return g_hash_table_lookup(t->survivals, GUINT_TO_POINTER(frame));
}

guint lbidle_tracker_service_count(const lbidle_tracker_t *t)
{
    return t->service_order->len;
}

const lbidle_service_t *lbidle_tracker_service(const lbidle_tracker_t *t, guint position)
{
    return position < t->service_order->len ? g_ptr_array_index(t->service_order, position) : NULL;
}

const host_addr_t *lbidle_service_addr(const lbidle_service_t *s, guint16 *port)
{
    if (port)
        *port = s->port;
    return &s->addr;
}

guint lbidle_service_cut_count(const lbidle_service_t *s)
{
    return s->cuts->len;
}

const lbidle_cut_t *lbidle_service_cut(const lbidle_service_t *s, guint position)
{
    return position < s->cuts->len ? g_ptr_array_index(s->cuts, position) : NULL;
}

const lbidle_service_t *lbidle_tracker_opened(const lbidle_tracker_t *t, guint32 frame)
{
    return g_hash_table_lookup(t->opens, GUINT_TO_POINTER(frame));
}

gboolean lbidle_tracker_stitching(const lbidle_tracker_t *t)
{
    return t->config.stitch_from_frame > 0;
}

void lbidle_tracker_for_each_tail(const lbidle_tracker_t *t, void (*fn)(const lbidle_tail_t *tail, gpointer data),
                                  gpointer data)
{
    if (!lbidle_tracker_stitching(t))
        return;
    /* The queue is in the order of the connections' last frames: from its
     * end back to the first connection last active in the context. */
    for (const GList *l = t->lru.tail; l; l = l->prev) {
        const conn_t *c = l->data;
        if (c->last_frame < t->config.stitch_from_frame)
            break;
        const lbidle_tail_t tail = { .ends = c->key, .ts = c->last_time, .frame = c->last_frame };
        fn(&tail, data);
    }
}

guint lbidle_tracker_head_count(const lbidle_tracker_t *t)
{
    return t->heads->len;
}

const lbidle_head_t *lbidle_tracker_head(const lbidle_tracker_t *t, guint position)
{
    return position < t->heads->len ? g_ptr_array_index(t->heads, position) : NULL;
}

/* ---- restoring (evidence from reports of parts of a capture set) ----------- */

lbidle_service_t *lbidle_tracker_restore_service(lbidle_tracker_t *t, const host_addr_t *addr, guint16 port)
{
    return service_for(t, addr, port);
}

void lbidle_service_restore(lbidle_service_t *s, guint connections, const nstime_t *survived, guint32 survived_frame)
{
    s->connections += connections;
    if (frame_time_cmp(survived, &s->longest_survived) > 0) {
        s->longest_survived = *survived;
        s->longest_survived_frame = survived_frame;
    }
}

lbidle_cut_t *lbidle_tracker_restore_cut(lbidle_tracker_t *t, lbidle_service_t *s, const lbidle_cut_t *cut)
{
    if (t->cuts->len >= t->config.max_cuts) {
        t->counters.cuts_not_kept++;
        return NULL;
    }
    cut_t *copy = g_new0(cut_t, 1);
    copy->pub = *cut;
    copy->pub.id = t->cuts->len + 1;
    copy->pub.service = s;
    g_ptr_array_add(t->cuts, copy);
    g_ptr_array_add(s->cuts, &copy->pub);
    return &copy->pub;
}

/* The timer is claimed only when at least two cuts agree with everything
 * the capture shows: each cut came after a longer silence than any the
 * service's connections survived. One cut shorter than a survived gap means
 * the cuts are something else (a server's own resets, lost packets). */
void lbidle_service_timer(const lbidle_service_t *s, lbidle_timer_t *out)
{
    memset(out, 0, sizeof *out);
    out->connections = s->connections;
    out->lower_bound = s->longest_survived;
    out->lower_bound_frame = s->longest_survived_frame;
    out->confidence = LBIDLE_CONFIDENCE_LOW;
    guint per_behaviour[LBIDLE_BEHAVIOUR_SILENT_DROP + 1] = { 0 };
    gboolean consistent = TRUE, seen_by_server_end = FALSE;
    for (guint i = 0; i < s->cuts->len; i++) {
        const lbidle_cut_t *cut = g_ptr_array_index(s->cuts, i);
        if (cut->withdrawn)
            continue;
        out->cuts++;
        per_behaviour[cut->behaviour]++;
        if (frame_time_cmp(&cut->idle_gap, &s->longest_survived) <= 0)
            consistent = FALSE;
        if (!out->upper_bound_cut || frame_time_cmp(&cut->idle_gap, &out->upper_bound) < 0) {
            out->upper_bound = cut->idle_gap;
            out->upper_bound_cut = cut->id;
        }
        /* An RST that reached the service's end from the client's address,
         * or both ends reset at once: no server resets itself. */
        if (cut->paired || (cut->reset_frame && cut->reset_to_server))
            seen_by_server_end = TRUE;
    }
    for (guint b = LBIDLE_BEHAVIOUR_RESET_NEXT; b <= LBIDLE_BEHAVIOUR_SILENT_DROP; b++)
        if (!out->behaviour || per_behaviour[b] > per_behaviour[out->behaviour])
            out->behaviour = b;
    out->found = out->cuts >= 2 && consistent && is_idle_gap(&s->longest_survived);
    if (out->found)
        out->confidence = seen_by_server_end ? LBIDLE_CONFIDENCE_HIGH : LBIDLE_CONFIDENCE_MEDIUM;
}

void lbidle_tracker_counters(const lbidle_tracker_t *t, lbidle_counters_t *out)
{
    *out = t->counters;
    out->connections = g_hash_table_size(t->conns);
    out->services = g_hash_table_size(t->services);
    out->cuts = t->cuts->len;
    /* the connection and its hash table slot (key, value, hash) */
    out->bytes_per_connection = (guint)(sizeof(conn_t) + 2 * sizeof(gpointer) + sizeof(guint));
}

const char *lbidle_behaviour_name(lbidle_behaviour_t b)
{
    switch (b) {
    case LBIDLE_BEHAVIOUR_RESET_NEXT:
        return "reset on the next packet";
    case LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY:
        return "reset at expiry";
    case LBIDLE_BEHAVIOUR_SILENT_DROP:
        return "silent drop";
    }
    return "unknown";
}

const char *lbidle_confidence_name(lbidle_confidence_t c)
{
    switch (c) {
    case LBIDLE_CONFIDENCE_LOW:
        return "low";
    case LBIDLE_CONFIDENCE_MEDIUM:
        return "medium";
    case LBIDLE_CONFIDENCE_HIGH:
        return "high";
    }
    return "unknown";
}
