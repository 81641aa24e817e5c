/* message_copies.h — one message seen twice: the same message captured at two
 * points (captures of several hosts merged, a SPAN port) or a proxy's
 * forwarded copy of it, as opposed to a retransmission.
 *
 * What makes two messages "the same" is the caller's key (SIP: Call-ID, CSeq,
 * method or status, From and To; C3P: requestId, from, to and the body). The
 * time tells a copy from a retransmission: copies of one message are captured
 * within milliseconds of each other, while a sender resends no sooner than its
 * retransmission timer (SIP over UDP: T1 = 500 ms, RFC 3261 §17.1.1.2; TCP: at
 * least 200 ms on Linux, 1 s in RFC 6298). So a message whose key was seen less
 * than MESSAGE_COPIES_WINDOW before is a copy; later, it is a retransmission
 * (or a new message), which the caller handles as before.
 *
 * Plain C + GLib. Memory is bounded: keys leave after the window, and at most
 * max_keys are kept (the oldest leave first).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MESSAGE_COPIES_H
#define MESSAGE_COPIES_H

#include <glib.h>

#include "frame_time.h"

G_BEGIN_DECLS

#define MESSAGE_COPIES_WINDOW ((nstime_t)NSTIME_INIT_SECS_MSECS(0, 100))

typedef struct message_copies message_copies_t;

message_copies_t *message_copies_new(nstime_t window, guint max_keys);
void message_copies_free(message_copies_t *c);

/* The frame of a message with this key seen within the window of `when` (a
 * frame time, frame_time.h), or 0; *value (if not NULL) gets what was
 * remembered with it. */
guint32 message_copies_find(message_copies_t *c, const char *key, const nstime_t *when, gconstpointer *value);

/* Remembers the first copy of a message: its key, time, frame and a value for
 * the caller (not owned). */
void message_copies_add(message_copies_t *c, const char *key, const nstime_t *when, guint32 frame, gconstpointer value);

/* A 64-bit digest of a message's bytes (FNV-1a), for keys. */
guint64 message_copies_digest(const void *bytes, gsize len);

G_END_DECLS

#endif
