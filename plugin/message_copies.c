/* message_copies.c — copies of one message within a short window.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "message_copies.h"

typedef struct {
    char *key;
    gint64 time_ns;
    guint32 frame;
    gconstpointer value;
} copy_t;

struct message_copies {
    gint64 window_ns;
    guint max_keys;
    GQueue order;     /* copy_t, oldest first; owns them */
    GHashTable *by_key; /* key → newest copy_t with that key (key borrowed from it) */
};

message_copies_t *message_copies_new(gint64 window_ns, guint max_keys)
{
    message_copies_t *c = g_new0(message_copies_t, 1);
    c->window_ns = window_ns;
    c->max_keys = MAX(max_keys, 1);
    g_queue_init(&c->order);
    c->by_key = g_hash_table_new(g_str_hash, g_str_equal);
    return c;
}

static void copy_free(gpointer p)
{
    copy_t *e = p;
    g_free(e->key);
    g_free(e);
}

void message_copies_free(message_copies_t *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->by_key);
    g_queue_clear_full(&c->order, copy_free);
    g_free(c);
}

/* later - earlier, saturated: capture times may sit at the ends of the range. */
static gint64 time_between(gint64 later, gint64 earlier)
{
    if (earlier < 0 && later > G_MAXINT64 + earlier)
        return G_MAXINT64;
    if (earlier > 0 && later < G_MININT64 + earlier)
        return G_MININT64;
    return later - earlier;
}

/* Forgets copies older than the window, and the oldest beyond the bound. */
static void expire(message_copies_t *c, gint64 now)
{
    copy_t *e;
    while ((e = g_queue_peek_head(&c->order)) != NULL &&
           (c->order.length > c->max_keys || time_between(now, e->time_ns) > c->window_ns)) {
        g_queue_pop_head(&c->order);
        if (g_hash_table_lookup(c->by_key, e->key) == e)
            g_hash_table_remove(c->by_key, e->key);
        copy_free(e);
    }
}

guint32 message_copies_find(message_copies_t *c, const char *key, gint64 time_ns, gconstpointer *value)
{
    expire(c, time_ns);
    const copy_t *e = g_hash_table_lookup(c->by_key, key);
    const gint64 d = e ? time_between(time_ns, e->time_ns) : 0;
    if (!e || d > c->window_ns || d < -c->window_ns)
        return 0;
    if (value)
        *value = e->value;
    return e->frame;
}

void message_copies_add(message_copies_t *c, const char *key, gint64 time_ns, guint32 frame, gconstpointer value)
{
    copy_t *e = g_new(copy_t, 1);
    e->key = g_strdup(key);
    e->time_ns = time_ns;
    e->frame = frame;
    e->value = value;
    g_queue_push_tail(&c->order, e);
    g_hash_table_replace(c->by_key, e->key, e);
    expire(c, time_ns);
}

guint64 message_copies_digest(const void *bytes, gsize len)
{
    const guint8 *p = bytes;
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);
    for (gsize i = 0; i < len; i++) {
        h ^= p[i];
        h *= G_GUINT64_CONSTANT(1099511628211);
    }
    return h;
}
