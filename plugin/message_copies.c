/* message_copies.c — copies of one message within a short window.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "message_copies.h"

typedef struct {
    char *key;
    nstime_t ts;
    guint32 frame;
    gconstpointer value;
} copy_t;

struct message_copies {
    nstime_t window;
    guint max_keys;
    GQueue order;     /* copy_t, oldest first; owns them */
    GHashTable *by_key; /* key → newest copy_t with that key (key borrowed from it) */
};

message_copies_t *message_copies_new(nstime_t window, guint max_keys)
{
    message_copies_t *c = g_new0(message_copies_t, 1);
    c->window = window;
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

/* Forgets copies older than the window, and the oldest beyond the bound. */
static void expire(message_copies_t *c, const nstime_t *now)
{
    copy_t *e;
    while ((e = g_queue_peek_head(&c->order)) != NULL &&
           (c->order.length > c->max_keys || frame_time_beyond(now, &e->ts, &c->window))) {
        g_queue_pop_head(&c->order);
        if (g_hash_table_lookup(c->by_key, e->key) == e)
            g_hash_table_remove(c->by_key, e->key);
        copy_free(e);
    }
}

guint32 message_copies_find(message_copies_t *c, const char *key, const nstime_t *when, gconstpointer *value)
{
    expire(c, when);
    const copy_t *e = g_hash_table_lookup(c->by_key, key);
    if (!e || !frame_time_within(when, &e->ts, &c->window))
        return 0;
    if (value)
        *value = e->value;
    return e->frame;
}

void message_copies_add(message_copies_t *c, const char *key, const nstime_t *when, guint32 frame, gconstpointer value)
{
    copy_t *e = g_new(copy_t, 1);
    e->key = g_strdup(key);
    e->ts = *when;
    e->frame = frame;
    e->value = value;
    g_queue_push_tail(&c->order, e);
    g_hash_table_replace(c->by_key, e->key, e);
    expire(c, when);
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
