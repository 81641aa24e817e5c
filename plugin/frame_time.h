/* frame_time.h — a frame's capture time as 64-bit nanoseconds, for the cores.
 *
 * pcapng allows timestamps far beyond what 64-bit nanoseconds hold (after
 * 2262-04-11); such times saturate instead of overflowing, so analyses stay
 * defined (the cores compare times without overflow too).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FRAME_TIME_H
#define FRAME_TIME_H

#include <wireshark.h>

static inline gint64 frame_time_ns(const nstime_t *t)
{
    const gint64 max_secs = G_MAXINT64 / 1000000000 - 1;
    if (t->secs > max_secs)
        return G_MAXINT64;
    if (t->secs < -max_secs)
        return G_MININT64;
    return (gint64)t->secs * 1000000000 + t->nsecs;
}

#endif
