/* lbsnat_track.c — the missing-SNAT handshake tracker (see lbsnat_track.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "lbsnat/lbsnat_track.h"

#include <string.h>

/* How many connection attempts and orphan SYN-ACKs one client port remembers.
 * A port normally carries one attempt at a time; the spare slots cover port
 * reuse within the window. The oldest slot is overwritten when all are used. */
#define ATTEMPTS_PER_PORT 3
#define ORPHANS_PER_PORT 2
/* SYN frames remembered for an attempt before any foreign SYN-ACK makes it a
 * case (Linux sends at most 7 SYNs, Windows 3). */
#define SYNS_BEFORE_CASE 8

/* What only an unusual handshake needs (its SYN sent again, the balancer's
 * rewrite, a reset of the destination's answer): allocated on first need, so
 * that an ordinary handshake stays small. */
typedef struct {
    guint n_syn_frames;       /* SYN frames noted before a case, the first included */
    guint32 syn_frames[SYNS_BEFORE_CASE];
    /* The balancer's rewrite of the latest transmission: to whom, in which frame. */
    host_addr_t rewrite_dst;
    guint32 rewrite_frame, rewritten_syn;
    /* D answered, and the client reset that answer: the member's view. */
    guint32 dst_reset_frame;
    lbsnat_member_view_t *mv;
} attempt_extra_t;

/* A client SYN (and its retransmissions) not yet explained. */
typedef struct {
    host_addr_t dst;
    guint8 used : 1;
    guint8 answered_by_dst : 1; /* D itself sent the SYN-ACK: normal, or a full proxy */
    guint8 awaiting_ack : 1;    /* ... and the client has not acknowledged it yet */
    guint8 finished : 1;        /* the client acknowledged it: a completed handshake */
    guint8 sprayed : 1;         /* one transmission went to several hosts: a scanner, no balancer */
    guint16 dst_port;
    guint32 isn;
    guint32 first_syn_frame;
    guint32 last_syn_frame;     /* the latest transmission (copies excluded) */
    guint32 dst_synack_frame, dst_synack_seq;
    nstime_t first_time, last_time;
    lbsnat_case_t *c;           /* set once a foreign SYN-ACK answered it */
    attempt_extra_t *x;         /* NULL for an ordinary handshake */
} attempt_t;

/* A SYN-ACK that matched no SYN yet: its SYN may come later in a reordered capture. */
typedef struct {
    gboolean used;
    host_addr_t src;
    guint16 src_port;
    guint32 seq, ack;
    guint32 frame;
    nstime_t ts;
} orphan_synack_t;

typedef struct {
    host_addr_t addr;
    guint16 port;
} port_key_t;

/* Everything pending for one client address and port. Lives in the pending
 * table and in one of two expiry queues (least recently active first): the
 * window's, or, once every handshake on the port finished normally, the
 * shorter one of LBSNAT_PROXY_WINDOW (only the full-proxy rule can still
 * use them). */
typedef struct {
    port_key_t key;
    guint8 n_attempts;        /* slots in use: first, then more[] */
    gboolean finished;        /* in the finished queue */
    nstime_t last_time;
    GList queue_link;
    attempt_t first;
    attempt_t *more;          /* ATTEMPTS_PER_PORT - 1 slots, allocated on first need */
    orphan_synack_t *orphans; /* ORPHANS_PER_PORT slots, allocated on first need */
} port_state_t;

static attempt_t *attempt_at(port_state_t *ps, guint i)
{
    return i == 0 ? &ps->first : &ps->more[i - 1];
}

typedef struct {
    lbsnat_verdict_t pub;
    guint32 frame;
} frame_verdict_t;

/* A recent SYN-ACK, RST or FIN, to recognise its copies. Direct-mapped by the
 * segment's hash: a collision forgets the older one (it then counts as a
 * retransmission, the behaviour without copy detection). */
#define RECENT_SLOTS 4096
typedef struct {
    host_addr_t src, dst;
    guint16 src_port, dst_port;
    guint32 seq, ack;
    guint8 flags;
    guint32 frame; /* 0: empty */
    nstime_t ts;
} recent_segment_t;

struct lbsnat_tracker {
    lbsnat_config_t config;
    lbsnat_known_vip_t *known_vips; /* owned copy of config.known_vips */
    GHashTable *pending;            /* port_key_t* -> port_state_t* (key inside value) */
    GQueue expiry;                  /* port_state_t, oldest activity at head */
    GQueue finished;                /* port_state_t whose handshakes all finished normally */
    nstime_t latest_time;
    GPtrArray *cases;               /* lbsnat_case_t*, index = id - 1 */
    GHashTable *verdicts;           /* frame number -> frame_verdict_t* */
    guint32 *orphans_by_port;       /* [65536]: orphan SYN-ACKs held per client port, so
                                     * the ACKs of ordinary traffic skip the table lookup */
    guint32 *awaiting_ack_by_port;  /* [65536]: answered handshakes the client has not acknowledged */
    recent_segment_t *recent;       /* [RECENT_SLOTS] */
    /* The capture holds packets seen at two points: a SYN came twice at
     * once, or rewritten. Only then is a repeated SYN-ACK, RST or FIN a copy:
     * one capture point does see a stack send the same SYN-ACK twice within
     * microseconds (one per copy of a SYN it received late), and its resets. */
    gboolean multi_point;
    GHashTable *copies;             /* frame -> the frame it repeats (LBSNAT_COPY_SAME) */
    GHashTable *rewrites;           /* frame -> the client SYN it rewrites (LBSNAT_COPY_REWRITE) */
    GPtrArray *member_views;        /* lbsnat_member_view_t*, index = id - 1 */
    GHashTable *member_view_frames; /* frame -> lbsnat_member_view_t* */
    lbsnat_counters_t counters;
};

static guint port_key_hash(gconstpointer p)
{
    const port_key_t *k = p;
    return host_addr_hash(&k->addr) ^ k->port * 2654435761u;
}

static gboolean port_key_equal(gconstpointer a, gconstpointer b)
{
    const port_key_t *x = a, *y = b;
    return x->port == y->port && host_addr_equal(&x->addr, &y->addr);
}

static void case_free(gpointer p)
{
    lbsnat_case_t *c = p;
    g_array_free(c->syn_frames, TRUE);
    g_array_free(c->answers, TRUE);
    g_free(c);
}

static void member_view_free(gpointer p)
{
    lbsnat_member_view_t *mv = p;
    g_array_free(mv->frames, TRUE);
    g_free(mv);
}

static void attempt_free_extra(attempt_t *a)
{
    g_free(a->x);
    a->x = NULL;
}

static void port_state_free(gpointer p)
{
    port_state_t *ps = p;
    for (guint i = 0; i < ps->n_attempts; i++)
        attempt_free_extra(attempt_at(ps, i));
    g_free(ps->more);
    g_free(ps->orphans);
    g_free(ps);
}

static void tracker_alloc_state(lbsnat_tracker_t *t)
{
    t->pending = g_hash_table_new_full(port_key_hash, port_key_equal, NULL, port_state_free);
    g_queue_init(&t->expiry);
    g_queue_init(&t->finished);
    t->cases = g_ptr_array_new_with_free_func(case_free);
    t->verdicts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    t->latest_time = FRAME_TIME_EARLIEST;
    t->orphans_by_port = g_new0(guint32, 65536);
    t->awaiting_ack_by_port = g_new0(guint32, 65536);
    t->recent = g_new0(recent_segment_t, RECENT_SLOTS);
    t->copies = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->rewrites = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->member_views = g_ptr_array_new_with_free_func(member_view_free);
    t->member_view_frames = g_hash_table_new(g_direct_hash, g_direct_equal);
    memset(&t->counters, 0, sizeof t->counters);
    t->multi_point = FALSE;
}

static void tracker_free_state(lbsnat_tracker_t *t)
{
    g_queue_init(&t->expiry); /* their links live inside the port states freed below */
    g_queue_init(&t->finished);
    g_hash_table_destroy(t->pending);
    g_ptr_array_free(t->cases, TRUE);
    g_hash_table_destroy(t->verdicts);
    g_free(t->orphans_by_port);
    g_free(t->awaiting_ack_by_port);
    g_free(t->recent);
    g_hash_table_destroy(t->copies);
    g_hash_table_destroy(t->rewrites);
    g_ptr_array_free(t->member_views, TRUE);
    g_hash_table_destroy(t->member_view_frames);
}

static void tracker_set_config(lbsnat_tracker_t *t, const lbsnat_config_t *config)
{
    g_free(t->known_vips);
    t->config = *config;
    t->known_vips = g_memdup2(config->known_vips, config->n_known_vips * sizeof *config->known_vips);
    t->config.known_vips = t->known_vips;
    if (t->config.max_pending == 0)
        t->config.max_pending = 1;
}

lbsnat_tracker_t *lbsnat_tracker_new(const lbsnat_config_t *config)
{
    lbsnat_tracker_t *t = g_new0(lbsnat_tracker_t, 1);
    tracker_set_config(t, config);
    tracker_alloc_state(t);
    return t;
}

void lbsnat_tracker_reset(lbsnat_tracker_t *t)
{
    tracker_free_state(t);
    tracker_alloc_state(t);
}

void lbsnat_tracker_configure(lbsnat_tracker_t *t, const lbsnat_config_t *config)
{
    tracker_set_config(t, config);
    lbsnat_tracker_reset(t);
}

void lbsnat_tracker_free(lbsnat_tracker_t *t)
{
    if (!t)
        return;
    tracker_free_state(t);
    g_free(t->known_vips);
    g_free(t);
}

/* ---- pending table ---------------------------------------------------- */

/* Frees an attempt's slot for reuse, keeping the per-port counts right. */
static void attempt_clear(lbsnat_tracker_t *t, const port_state_t *ps, attempt_t *a)
{
    t->awaiting_ack_by_port[ps->key.port] -= a->awaiting_ack;
    t->counters.handshakes -= a->used;
    attempt_free_extra(a);
    memset(a, 0, sizeof *a);
}

static void pending_remove(lbsnat_tracker_t *t, port_state_t *ps)
{
    for (guint i = 0; ps->orphans && i < ORPHANS_PER_PORT; i++)
        t->orphans_by_port[ps->key.port] -= ps->orphans[i].used;
    for (guint i = 0; i < ps->n_attempts; i++)
        attempt_clear(t, ps, attempt_at(ps, i));
    g_queue_unlink(ps->finished ? &t->finished : &t->expiry, &ps->queue_link);
    g_hash_table_remove(t->pending, &ps->key); /* frees ps */
}

/* Forget the ports of a queue last active before `limit`: the newest
 * timestamp seen less the queue's window (timestamps may go backwards in
 * merged captures). */
static void expire_queue(lbsnat_tracker_t *t, GQueue *queue, const nstime_t *limit)
{
    GList *head;
    while ((head = g_queue_peek_head_link(queue)) != NULL) {
        port_state_t *ps = head->data;
        if (frame_time_cmp(&ps->last_time, limit) >= 0)
            break;
        pending_remove(t, ps);
        t->counters.expired_ports++;
    }
}

static void pending_expire(lbsnat_tracker_t *t)
{
    const nstime_t proxy_window = LBSNAT_PROXY_WINDOW;
    nstime_t limit;
    nstime_delta(&limit, &t->latest_time, &t->config.window);
    expire_queue(t, &t->expiry, &limit);
    nstime_delta(&limit, &t->latest_time,
                 frame_time_cmp(&t->config.window, &proxy_window) < 0 ? &t->config.window : &proxy_window);
    expire_queue(t, &t->finished, &limit);
}

static port_state_t *pending_lookup(lbsnat_tracker_t *t, const host_addr_t *addr, guint16 port)
{
    port_key_t key = { .addr = *addr, .port = port };
    return g_hash_table_lookup(t->pending, &key);
}

/* The state for a client port, created if needed, marked as just active. */
static port_state_t *pending_touch(lbsnat_tracker_t *t, const host_addr_t *addr, guint16 port, const nstime_t *now)
{
    port_state_t *ps = pending_lookup(t, addr, port);
    if (ps) {
        g_queue_unlink(ps->finished ? &t->finished : &t->expiry, &ps->queue_link);
        ps->finished = FALSE;
    } else {
        if (g_hash_table_size(t->pending) >= t->config.max_pending) {
            /* Finished handshakes go first: only the full-proxy rule needs them. */
            pending_remove(t, g_queue_peek_head(t->finished.length ? &t->finished : &t->expiry));
            t->counters.evicted_ports++;
        }
        ps = g_new0(port_state_t, 1);
        ps->key.addr = *addr;
        ps->key.port = port;
        ps->queue_link.data = ps;
        ps->last_time = *now;
        g_hash_table_insert(t->pending, &ps->key, ps);
        guint n = g_hash_table_size(t->pending);
        if (n > t->counters.peak_pending_ports)
            t->counters.peak_pending_ports = n;
    }
    if (frame_time_cmp(now, &ps->last_time) > 0)
        ps->last_time = *now;
    g_queue_push_tail_link(&t->expiry, &ps->queue_link);
    return ps;
}

static gboolean within_window(const lbsnat_tracker_t *t, const attempt_t *a, const nstime_t *when)
{
    return !frame_time_beyond(&a->first_time, when, &t->config.window) &&
           !frame_time_beyond(when, &a->last_time, &t->config.window);
}

/* ---- cases and verdicts ------------------------------------------------- */

static void set_verdict(lbsnat_tracker_t *t, guint32 frame, lbsnat_case_t *c, lbsnat_role_t role, guint answer_index)
{
    frame_verdict_t *v = g_new(frame_verdict_t, 1);
    v->pub.c = c;
    v->pub.role = role;
    v->pub.answer_index = answer_index;
    v->frame = frame;
    g_hash_table_replace(t->verdicts, GUINT_TO_POINTER(frame), v);
}

static void case_add_syn_frame(lbsnat_tracker_t *t, lbsnat_case_t *c, guint32 frame)
{
    if (c->syn_frames->len >= LBSNAT_MAX_FRAMES_PER_CASE)
        return;
    g_array_append_val(c->syn_frames, frame);
    set_verdict(t, frame, c, LBSNAT_ROLE_SYN, 0);
}

static gboolean is_known_vip(const lbsnat_tracker_t *t, const host_addr_t *addr, guint16 port)
{
    for (guint i = 0; i < t->config.n_known_vips; i++) {
        const lbsnat_known_vip_t *k = &t->config.known_vips[i];
        if (host_addr_equal(&k->addr, addr) && (k->port == 0 || k->port == port))
            return TRUE;
    }
    return FALSE;
}

static attempt_extra_t *attempt_extra(attempt_t *a)
{
    if (!a->x)
        a->x = g_new0(attempt_extra_t, 1);
    return a->x;
}

/* SYN frames noted before the attempt became a case: the first one inline,
 * more only in the extra part. */
static guint pre_case_syn_count(const attempt_t *a)
{
    return a->x && a->x->n_syn_frames ? a->x->n_syn_frames : a->first_syn_frame != 0;
}

static guint32 pre_case_syn_frame(const attempt_t *a, guint i)
{
    return a->x && a->x->n_syn_frames ? a->x->syn_frames[i] : a->first_syn_frame;
}

static void note_pre_case_syn(attempt_t *a, guint32 frame)
{
    if (!a->first_syn_frame) {
        a->first_syn_frame = frame;
        return;
    }
    attempt_extra_t *x = attempt_extra(a);
    if (x->n_syn_frames == 0)
        x->syn_frames[x->n_syn_frames++] = a->first_syn_frame;
    if (x->n_syn_frames < SYNS_BEFORE_CASE)
        x->syn_frames[x->n_syn_frames++] = frame;
}

/* The case of an attempt, created on its first foreign SYN-ACK. NULL when the
 * case table is full. */
static lbsnat_case_t *attempt_case(lbsnat_tracker_t *t, const port_state_t *ps, attempt_t *a, lbsnat_rule_t rule)
{
    if (a->c)
        return a->c;
    if (t->cases->len >= t->config.max_cases) {
        t->counters.cases_not_kept++;
        return NULL;
    }
    lbsnat_case_t *c = g_new0(lbsnat_case_t, 1);
    c->id = t->cases->len + 1;
    c->rule = rule;
    c->client = ps->key.addr;
    c->client_port = ps->key.port;
    c->vip = a->dst;
    c->vip_port = a->dst_port;
    c->isn = a->isn;
    c->known_vip = is_known_vip(t, &a->dst, a->dst_port);
    c->syn_frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    c->answers = g_array_new(FALSE, TRUE, sizeof(lbsnat_answer_t));
    g_ptr_array_add(t->cases, c);
    t->counters.cases = t->cases->len;
    a->c = c;
    for (guint i = 0; i < pre_case_syn_count(a); i++)
        case_add_syn_frame(t, c, pre_case_syn_frame(a, i));
    return c;
}

static void case_add_answer(lbsnat_tracker_t *t, lbsnat_case_t *c, const lbsnat_segment_t *sa, guint32 syn_frame)
{
    if (c->answers->len >= LBSNAT_MAX_FRAMES_PER_CASE)
        return;
    gboolean new_member = TRUE;
    for (guint i = 0; i < c->answers->len; i++)
        if (host_addr_equal(&g_array_index(c->answers, lbsnat_answer_t, i).member, &sa->src))
            new_member = FALSE;
    if (new_member)
        c->distinct_members++;

    lbsnat_answer_t ans = {
        .member = sa->src,
        .member_port = sa->src_port,
        .seq = sa->seq,
        .ack = sa->ack,
        .synack_frame = sa->frame,
        .syn_frame = syn_frame,
    };
    g_array_append_val(c->answers, ans);
    set_verdict(t, sa->frame, c, LBSNAT_ROLE_FOREIGN_SYNACK, c->answers->len - 1);
}

static guint32 attempt_latest_syn(const attempt_t *a)
{
    if (a->c && a->c->syn_frames->len)
        return g_array_index(a->c->syn_frames, guint32, a->c->syn_frames->len - 1);
    const guint n = pre_case_syn_count(a);
    return n ? pre_case_syn_frame(a, n - 1) : 0;
}

/* ---- the three kinds of segment ------------------------------------------ */

/* A cleared slot for a new attempt on this port: an unused one, a new one
 * (up to ATTEMPTS_PER_PORT), else the least recently active one. */
static attempt_t *new_attempt(lbsnat_tracker_t *t, port_state_t *ps)
{
    attempt_t *slot = NULL;
    for (guint i = 0; i < ps->n_attempts && !slot; i++)
        if (!attempt_at(ps, i)->used)
            slot = attempt_at(ps, i);
    if (!slot && ps->n_attempts < ATTEMPTS_PER_PORT) {
        if (ps->n_attempts == 1 && !ps->more)
            ps->more = g_new0(attempt_t, ATTEMPTS_PER_PORT - 1);
        slot = attempt_at(ps, ps->n_attempts++);
    }
    if (!slot) {
        slot = &ps->first;
        for (guint i = 1; i < ps->n_attempts; i++)
            if (frame_time_cmp(&attempt_at(ps, i)->last_time, &slot->last_time) < 0)
                slot = attempt_at(ps, i);
    }
    attempt_clear(t, ps, slot);
    slot->used = TRUE;
    if (++t->counters.handshakes > t->counters.peak_handshakes)
        t->counters.peak_handshakes = t->counters.handshakes;
    return slot;
}

/* A SYN-ACK stored as an orphan answers this attempt: the reordered case. */
static void adopt_orphans(lbsnat_tracker_t *t, port_state_t *ps, attempt_t *a, guint32 syn_frame)
{
    for (guint i = 0; ps->orphans && i < ORPHANS_PER_PORT; i++) {
        orphan_synack_t *o = &ps->orphans[i];
        if (!o->used || o->ack != a->isn + 1 || !within_window(t, a, &o->ts))
            continue;
        o->used = FALSE;
        t->orphans_by_port[ps->key.port]--;
        if (host_addr_equal(&o->src, &a->dst)) {
            a->answered_by_dst = TRUE;
            continue;
        }
        lbsnat_case_t *c = attempt_case(t, ps, a, LBSNAT_RULE_ISN_MATCH);
        if (!c)
            continue;
        lbsnat_segment_t sa = {
            .frame = o->frame, .ts = o->ts, .src = o->src, .src_port = o->src_port,
            .seq = o->seq, .ack = o->ack,
        };
        case_add_answer(t, c, &sa, syn_frame);
    }
}

static void note_copy(lbsnat_tracker_t *t, guint32 frame, guint32 original)
{
    g_hash_table_insert(t->copies, GUINT_TO_POINTER(frame), GUINT_TO_POINTER(original));
    t->counters.copies++;
    t->multi_point = TRUE;
}

/* Whether two frames are close enough in time to be one packet. */
static gboolean within_copy_window(const nstime_t *a, const nstime_t *b)
{
    const nstime_t window = LBSNAT_COPY_WINDOW;
    return frame_time_within(a, b, &window);
}

static void withdraw_case(lbsnat_tracker_t *t, lbsnat_case_t *c)
{
    if (c && c->via_rewrite && !c->withdrawn) {
        c->withdrawn = TRUE;
        t->counters.cases_withdrawn++;
    }
}

/* The same client SYN (port, ISN, service port) to another host right behind
 * a transmission of attempt x. TRUE when it was taken as the balancer's
 * rewrite (or a copy of that rewrite); FALSE when it is a SYN of its own. */
static gboolean take_as_rewrite(lbsnat_tracker_t *t, attempt_t *x, const lbsnat_segment_t *seg)
{
    if (x->sprayed)
        return FALSE;
    attempt_extra_t *e = attempt_extra(x);
    if (e->rewritten_syn == x->last_syn_frame) {
        if (host_addr_equal(&e->rewrite_dst, &seg->dst)) {
            note_copy(t, seg->frame, e->rewrite_frame);
            return TRUE;
        }
        /* One transmission, several hosts: a scanner or a client that calls
         * two servers at once, not a balancer (one member per attempt). */
        x->sprayed = TRUE;
        withdraw_case(t, x->c);
        return FALSE;
    }
    e->rewrite_dst = seg->dst;
    e->rewrite_frame = seg->frame;
    e->rewritten_syn = x->last_syn_frame;
    g_hash_table_insert(t->rewrites, GUINT_TO_POINTER(seg->frame), GUINT_TO_POINTER(x->last_syn_frame));
    t->counters.rewrites++;
    t->multi_point = TRUE;
    return TRUE;
}

static void member_view_add_frame(lbsnat_tracker_t *t, lbsnat_member_view_t *mv, guint32 frame)
{
    if (mv->frames->len >= LBSNAT_MAX_FRAMES_PER_CASE)
        return;
    g_array_append_val(mv->frames, frame);
    g_hash_table_insert(t->member_view_frames, GUINT_TO_POINTER(frame), mv);
}

/* The client sends again the SYN whose answer from D it reset: it meant
 * another address. Kept under the case cap, like cases. */
static void open_member_view(lbsnat_tracker_t *t, const port_state_t *ps, attempt_t *a)
{
    if (t->member_views->len >= t->config.max_cases)
        return;
    lbsnat_member_view_t *mv = g_new0(lbsnat_member_view_t, 1);
    mv->id = t->member_views->len + 1;
    mv->client = ps->key.addr;
    mv->client_port = ps->key.port;
    mv->member = a->dst;
    mv->member_port = a->dst_port;
    mv->isn = a->isn;
    mv->frames = g_array_new(FALSE, FALSE, sizeof(guint32));
    mv->resets = 1;
    mv->first_reset_frame = a->x->dst_reset_frame;
    g_ptr_array_add(t->member_views, mv);
    t->counters.member_views = t->member_views->len;
    a->x->mv = mv;
    for (guint i = 0; i < pre_case_syn_count(a); i++)
        member_view_add_frame(t, mv, pre_case_syn_frame(a, i));
    member_view_add_frame(t, mv, a->dst_synack_frame);
    member_view_add_frame(t, mv, a->x->dst_reset_frame);
}

static void feed_syn(lbsnat_tracker_t *t, const lbsnat_segment_t *seg)
{
    port_state_t *ps = pending_touch(t, &seg->src, seg->src_port, &seg->ts);
    attempt_t *a = NULL;
    gboolean sprayed = FALSE;
    /* The same SYN to another service port at once: a scanner (a balancer
     * keeps the port); every attempt sharing that ISN is then no VIP's. */
    for (guint i = 0; i < ps->n_attempts; i++) {
        attempt_t *x = attempt_at(ps, i);
        if (!x->used || x->isn != seg->seq || !within_copy_window(&seg->ts, &x->last_time))
            continue;
        if (x->dst_port != seg->dst_port && !x->sprayed) {
            x->sprayed = TRUE;
            withdraw_case(t, x->c);
        }
        sprayed |= x->sprayed;
    }
    for (guint i = 0; i < ps->n_attempts; i++) {
        attempt_t *x = attempt_at(ps, i);
        if (!x->used || x->isn != seg->seq || x->dst_port != seg->dst_port)
            continue;
        if (host_addr_equal(&x->dst, &seg->dst)) {
            a = x; /* a retransmission, or a copy */
            break;
        }
        if (!sprayed && within_copy_window(&seg->ts, &x->last_time) && take_as_rewrite(t, x, seg))
            return;
        sprayed |= x->sprayed;
    }
    if (a && a->last_syn_frame && within_copy_window(&seg->ts, &a->last_time)) {
        note_copy(t, seg->frame, a->last_syn_frame);
        return;
    }
    if (!a) {
        a = new_attempt(t, ps);
        a->dst = seg->dst;
        a->dst_port = seg->dst_port;
        a->isn = seg->seq;
        a->first_time = a->last_time = seg->ts;
    }
    a->sprayed |= sprayed;
    if (frame_time_cmp(&seg->ts, &a->first_time) < 0)
        a->first_time = seg->ts;
    if (frame_time_cmp(&seg->ts, &a->last_time) > 0)
        a->last_time = seg->ts;
    a->last_syn_frame = seg->frame;
    if (a->c)
        case_add_syn_frame(t, a->c, seg->frame);
    else
        note_pre_case_syn(a, seg->frame);
    if (a->x && a->x->mv)
        member_view_add_frame(t, a->x->mv, seg->frame);
    else if (a->x && a->x->dst_reset_frame)
        open_member_view(t, ps, a);
    adopt_orphans(t, ps, a, seg->frame);
}

static void store_orphan(lbsnat_tracker_t *t, port_state_t *ps, const lbsnat_segment_t *seg)
{
    if (!ps->orphans)
        ps->orphans = g_new0(orphan_synack_t, ORPHANS_PER_PORT);
    orphan_synack_t *slot = &ps->orphans[0];
    for (guint i = 0; i < ORPHANS_PER_PORT; i++) {
        if (!ps->orphans[i].used) {
            slot = &ps->orphans[i];
            break;
        }
        if (frame_time_cmp(&ps->orphans[i].ts, &slot->ts) < 0)
            slot = &ps->orphans[i];
    }
    t->orphans_by_port[ps->key.port] += !slot->used;
    *slot = (orphan_synack_t){
        .used = TRUE, .src = seg->src, .src_port = seg->src_port,
        .seq = seg->seq, .ack = seg->ack, .frame = seg->frame, .ts = seg->ts,
    };
}

static void feed_synack(lbsnat_tracker_t *t, const lbsnat_segment_t *seg)
{
    port_state_t *ps = pending_lookup(t, &seg->dst, seg->dst_port);
    attempt_t *foreign = NULL, *proxied = NULL;

    for (guint i = 0; ps && i < ps->n_attempts; i++) {
        attempt_t *a = attempt_at(ps, i);
        if (!a->used || a->dst.family != seg->src.family || !within_window(t, a, &seg->ts))
            continue;
        gboolean from_dst = host_addr_equal(&a->dst, &seg->src);
        if (seg->ack == a->isn + 1) {
            if (from_dst) {
                /* The address the client called answered: nothing foreign here,
                 * even if another attempt on this port shares the ISN; and
                 * a copy of its SYN elsewhere was no balancer's rewrite. */
                a->answered_by_dst = TRUE;
                withdraw_case(t, a->c);
                if (!a->dst_synack_frame)
                    a->dst_synack_frame = seg->frame;
                a->dst_synack_seq = seg->seq;
                if (!a->awaiting_ack && !a->finished) {
                    a->awaiting_ack = TRUE;
                    t->awaiting_ack_by_port[ps->key.port]++;
                }
                if (a->x && a->x->mv)
                    member_view_add_frame(t, a->x->mv, seg->frame);
                return;
            }
            if (a->sprayed)
                continue;
            if (!foreign || frame_time_cmp(&a->last_time, &foreign->last_time) > 0)
                foreign = a;
        } else if (!from_dst && a->answered_by_dst && a->dst_port == seg->src_port) {
            proxied = a;
        }
    }

    if (foreign) {
        gboolean rewritten = foreign->x && foreign->x->rewrite_frame &&
                             host_addr_equal(&foreign->x->rewrite_dst, &seg->src);
        if (foreign->c && foreign->c->withdrawn)
            return;
        lbsnat_case_t *c = attempt_case(t, ps, foreign, LBSNAT_RULE_ISN_MATCH);
        if (c && rewritten && c->answers->len == 0)
            c->via_rewrite = TRUE;
        if (c)
            case_add_answer(t, c, seg, attempt_latest_syn(foreign));
    } else if (proxied) {
        lbsnat_case_t *c = attempt_case(t, ps, proxied, LBSNAT_RULE_FULL_PROXY);
        if (c)
            case_add_answer(t, c, seg, attempt_latest_syn(proxied));
    } else {
        store_orphan(t, pending_touch(t, &seg->dst, seg->dst_port, &seg->ts), seg);
    }
}

/* The client reset the SYN-ACK of the very host it sent the SYN to (RST seq
 * = ISN + 1, no ACK): it gave up, or it sent that SYN elsewhere. Which one,
 * its next transmission of the same SYN tells (feed_syn). */
static void note_reset_of_own_answer(lbsnat_tracker_t *t, port_state_t *ps, const host_addr_t *member,
                                     guint16 member_port, guint32 frame, guint32 rst_seq)
{
    for (guint i = 0; ps && i < ps->n_attempts; i++) {
        attempt_t *a = attempt_at(ps, i);
        if (!a->used || !a->answered_by_dst || a->isn + 1 != rst_seq || a->dst_port != member_port ||
            !host_addr_equal(&a->dst, member))
            continue;
        attempt_extra_t *x = attempt_extra(a);
        if (x->mv) {
            x->mv->resets++;
            member_view_add_frame(t, x->mv, frame);
        } else if (!x->dst_reset_frame) {
            x->dst_reset_frame = frame;
        }
        return;
    }
}

/* The client rejects a foreign SYN-ACK: by RST (RFC 793 "no TCB": seq = the
 * SYN-ACK's ack, no ACK flag) or by an ICMP error quoting the SYN-ACK. */
static void confirm_answer(lbsnat_tracker_t *t, const host_addr_t *client, guint16 client_port,
                           const host_addr_t *member, guint16 member_port, guint32 frame,
                           lbsnat_role_t role, gboolean (*matches)(const lbsnat_answer_t *, guint32), guint32 value)
{
    port_state_t *ps = pending_lookup(t, client, client_port);
    for (guint i = 0; ps && i < ps->n_attempts; i++) {
        lbsnat_case_t *c = attempt_at(ps, i)->used ? attempt_at(ps, i)->c : NULL;
        for (guint j = 0; c && j < c->answers->len; j++) {
            lbsnat_answer_t *ans = &g_array_index(c->answers, lbsnat_answer_t, j);
            if (ans->reset_frame == 0 && ans->member_port == member_port &&
                host_addr_equal(&ans->member, member) && matches(ans, value)) {
                ans->reset_frame = frame;
                ans->reset_role = role;
                set_verdict(t, frame, c, role, j);
                return;
            }
        }
    }
    if (role == LBSNAT_ROLE_CLIENT_RESET)
        note_reset_of_own_answer(t, ps, member, member_port, frame, value);
}

static gboolean reset_matches(const lbsnat_answer_t *ans, guint32 rst_seq)
{
    return ans->ack == rst_seq;
}

static gboolean quote_matches(const lbsnat_answer_t *ans, guint32 quoted_seq)
{
    return ans->seq == quoted_seq;
}

/* The port holds only handshakes that finished normally (and no orphan):
 * it moves to the short queue, where only the full-proxy rule can use it. */
static void port_maybe_finished(lbsnat_tracker_t *t, port_state_t *ps)
{
    for (guint i = 0; ps->orphans && i < ORPHANS_PER_PORT; i++)
        if (ps->orphans[i].used)
            return;
    for (guint i = 0; i < ps->n_attempts; i++) {
        const attempt_t *a = attempt_at(ps, i);
        if (a->used && (!a->finished || a->c))
            return;
    }
    if (ps->finished)
        return;
    g_queue_unlink(&t->expiry, &ps->queue_link);
    g_queue_push_tail_link(&t->finished, &ps->queue_link);
    ps->finished = TRUE;
}

/* The client acknowledged the SYN-ACK of the address it called: the
 * handshake finished normally. */
static void note_handshake_ack(lbsnat_tracker_t *t, const lbsnat_segment_t *seg)
{
    port_state_t *ps = pending_lookup(t, &seg->src, seg->src_port);
    for (guint i = 0; ps && i < ps->n_attempts; i++) {
        attempt_t *a = attempt_at(ps, i);
        if (a->awaiting_ack && a->dst_synack_seq + 1 == seg->ack && a->dst_port == seg->dst_port &&
            host_addr_equal(&a->dst, &seg->dst)) {
            a->awaiting_ack = FALSE;
            a->finished = TRUE;
            t->awaiting_ack_by_port[ps->key.port]--;
            port_maybe_finished(t, ps);
            return;
        }
    }
}

/* A client ACK to an orphan SYN-ACK: the capture began after the SYN and the
 * client accepted the connection, so that SYN-ACK must never be flagged. */
static void drop_acked_orphan(lbsnat_tracker_t *t, const lbsnat_segment_t *seg)
{
    port_state_t *ps = pending_lookup(t, &seg->src, seg->src_port);
    for (guint i = 0; ps && ps->orphans && i < ORPHANS_PER_PORT; i++) {
        orphan_synack_t *o = &ps->orphans[i];
        if (o->used && o->seq + 1 == seg->ack && o->src_port == seg->dst_port && host_addr_equal(&o->src, &seg->dst)) {
            o->used = FALSE;
            t->orphans_by_port[ps->key.port]--;
        }
    }
}

static guint segment_hash(const lbsnat_segment_t *seg)
{
    guint h = (seg->src_port * 2654435761u) ^ seg->dst_port ^ seg->flags;
    h = (h ^ seg->seq) * 16777619u;
    h = (h ^ seg->ack) * 16777619u;
    for (size_t i = 0; i < sizeof seg->src.u; i += 4) {
        guint32 w, v;
        memcpy(&w, (const guint8 *)&seg->src.u + i, sizeof w);
        memcpy(&v, (const guint8 *)&seg->dst.u + i, sizeof v);
        h = (h ^ w ^ (v * 31u)) * 16777619u;
    }
    return h;
}

/* A SYN-ACK, RST or FIN already seen at another capture point of a
 * multi-point capture: noted as a copy of the first one. Otherwise (in such a
 * capture) remembered for its own copies. (SYNs are recognised by their attempt,
 * which also knows the balancer's rewrite.) */
static gboolean is_copy(lbsnat_tracker_t *t, const lbsnat_segment_t *seg)
{
    /* One capture point (most captures) has no copies: nothing to look up.
     * A multi-point capture shows its first SYN copy or rewrite before the
     * SYN-ACKs and resets that answer it. */
    if (!t->multi_point || !(seg->flags & (TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_FIN)))
        return FALSE;
    recent_segment_t *r = &t->recent[segment_hash(seg) % RECENT_SLOTS];
    if (r->frame && r->frame != seg->frame && r->seq == seg->seq && r->ack == seg->ack && r->flags == seg->flags &&
        r->src_port == seg->src_port && r->dst_port == seg->dst_port && host_addr_equal(&r->src, &seg->src) &&
        host_addr_equal(&r->dst, &seg->dst) && within_copy_window(&r->ts, &seg->ts)) {
        note_copy(t, seg->frame, r->frame);
        return TRUE;
    }
    *r = (recent_segment_t){
        .src = seg->src, .dst = seg->dst, .src_port = seg->src_port, .dst_port = seg->dst_port,
        .seq = seg->seq, .ack = seg->ack, .flags = seg->flags, .frame = seg->frame, .ts = seg->ts,
    };
    return FALSE;
}

void lbsnat_tracker_feed(lbsnat_tracker_t *t, const lbsnat_segment_t *seg)
{
    t->counters.segments++;
    if (seg->src.family != seg->dst.family || (seg->src.family != HOST_ADDR_V4 && seg->src.family != HOST_ADDR_V6))
        return;

    if (seg->quoted_in_icmp) {
        /* Only the client's own error about a SYN-ACK sent to it counts. */
        if ((seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != (TCP_FLAG_SYN | TCP_FLAG_ACK) &&
            seg->flags != 0)
            return;
        if (host_addr_equal(&seg->error_sender, &seg->dst))
            confirm_answer(t, &seg->dst, seg->dst_port, &seg->src, seg->src_port, seg->frame,
                           LBSNAT_ROLE_ICMP_ERROR, quote_matches, seg->seq);
        return;
    }

    if (frame_time_cmp(&seg->ts, &t->latest_time) > 0) {
        t->latest_time = seg->ts;
        pending_expire(t);
    }
    if ((seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN && is_copy(t, seg))
        return;

    switch (seg->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) {
    case TCP_FLAG_SYN:
        feed_syn(t, seg);
        break;
    case TCP_FLAG_SYN | TCP_FLAG_ACK:
        feed_synack(t, seg);
        break;
    case TCP_FLAG_RST:
        confirm_answer(t, &seg->src, seg->src_port, &seg->dst, seg->dst_port, seg->frame,
                       LBSNAT_ROLE_CLIENT_RESET, reset_matches, seg->seq);
        break;
    case TCP_FLAG_ACK:
        if (t->orphans_by_port[seg->src_port])
            drop_acked_orphan(t, seg);
        if (t->awaiting_ack_by_port[seg->src_port])
            note_handshake_ack(t, seg);
        break;
    default:
        break;
    }
}

/* ---- queries ------------------------------------------------------------ */

const lbsnat_verdict_t *lbsnat_tracker_verdict(const lbsnat_tracker_t *t, guint32 frame)
{
    const frame_verdict_t *v = g_hash_table_lookup(t->verdicts, GUINT_TO_POINTER(frame));
    return v && !v->pub.c->withdrawn ? &v->pub : NULL;
}

guint32 lbsnat_tracker_copy_of(const lbsnat_tracker_t *t, guint32 frame, lbsnat_copy_kind_t *kind)
{
    /* Asked on every frame: a capture from one point (most) has neither
     * copies nor rewrites, so it pays no lookup. */
    guint32 original = t->multi_point ? GPOINTER_TO_UINT(g_hash_table_lookup(t->copies, GUINT_TO_POINTER(frame))) : 0;
    lbsnat_copy_kind_t k = original ? LBSNAT_COPY_SAME : LBSNAT_COPY_NONE;
    if (!original && t->multi_point) {
        original = GPOINTER_TO_UINT(g_hash_table_lookup(t->rewrites, GUINT_TO_POINTER(frame)));
        k = original ? LBSNAT_COPY_REWRITE : LBSNAT_COPY_NONE;
    }
    if (kind)
        *kind = k;
    return original;
}

const lbsnat_member_view_t *lbsnat_tracker_member_view(const lbsnat_tracker_t *t, guint32 frame)
{
    return t->member_views->len ? g_hash_table_lookup(t->member_view_frames, GUINT_TO_POINTER(frame)) : NULL;
}

guint lbsnat_tracker_member_view_count(const lbsnat_tracker_t *t)
{
    return t->member_views->len;
}

const lbsnat_member_view_t *lbsnat_tracker_member_view_by_id(const lbsnat_tracker_t *t, guint id)
{
    return id >= 1 && id <= t->member_views->len ? g_ptr_array_index(t->member_views, id - 1) : NULL;
}

const lbsnat_answer_t *lbsnat_verdict_answer(const lbsnat_verdict_t *v)
{
    const GArray *answers = v->c->answers;
    if (answers->len == 0)
        return NULL;
    if (v->role != LBSNAT_ROLE_SYN)
        return &g_array_index(answers, lbsnat_answer_t, v->answer_index);
    guint32 frame = ((const frame_verdict_t *)v)->frame;
    for (guint i = 0; i < answers->len; i++)
        if (g_array_index(answers, lbsnat_answer_t, i).syn_frame == frame)
            return &g_array_index(answers, lbsnat_answer_t, i);
    return &g_array_index(answers, lbsnat_answer_t, 0);
}

gboolean lbsnat_case_confirmed(const lbsnat_case_t *c)
{
    for (guint i = 0; i < c->answers->len; i++)
        if (g_array_index(c->answers, lbsnat_answer_t, i).reset_frame)
            return TRUE;
    return FALSE;
}

/* Evidence adds up: the ISN match is strong on its own, the full-proxy rule is
 * weak; a client reset, several members or a VIP the user named each add one. */
lbsnat_confidence_t lbsnat_case_confidence(const lbsnat_case_t *c)
{
    int level = c->rule == LBSNAT_RULE_ISN_MATCH ? LBSNAT_CONFIDENCE_MEDIUM : LBSNAT_CONFIDENCE_LOW;
    if (lbsnat_case_confirmed(c))
        level++;
    if (c->known_vip || c->distinct_members >= 2)
        level++;
    return MIN(level, LBSNAT_CONFIDENCE_HIGH);
}

guint lbsnat_tracker_case_count(const lbsnat_tracker_t *t)
{
    return t->cases->len;
}

const lbsnat_case_t *lbsnat_tracker_case(const lbsnat_tracker_t *t, guint id)
{
    return id >= 1 && id <= t->cases->len ? g_ptr_array_index(t->cases, id - 1) : NULL;
}

void lbsnat_tracker_counters(const lbsnat_tracker_t *t, lbsnat_counters_t *out)
{
    *out = t->counters;
    out->pending_ports = g_hash_table_size(t->pending);
    out->cases = t->cases->len;
    /* Its port state with one inline attempt, the allocator's header, and a
     * hash table slot (key, value, hash) at a load of one half. */
    out->bytes_per_handshake = sizeof(port_state_t) + 2 * sizeof(gsize) +
                               2 * (2 * sizeof(gpointer) + sizeof(guint));
}

const char *lbsnat_confidence_name(lbsnat_confidence_t c)
{
    switch (c) {
    case LBSNAT_CONFIDENCE_HIGH: return "high";
    case LBSNAT_CONFIDENCE_MEDIUM: return "medium";
    default: return "low";
    }
}
