/* test_time.h — the unit tests write capture times and durations in
 * nanoseconds; the cores take them as nstime_t (frame_time.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_TEST_TIME_H
#define MCUDIAG_TEST_TIME_H

#include <glib.h>
#include <wsutil/nstime.h>

static inline nstime_t at_ns(gint64 ns)
{
    nstime_t t = { (time_t)(ns / 1000000000), (int)(ns % 1000000000) };
    if (t.nsecs < 0) {
        t.nsecs += 1000000000;
        t.secs--;
    }
    return t;
}

static inline gint64 ns_of(const nstime_t *t)
{
    return (gint64)t->secs * 1000000000 + t->nsecs;
}

#endif
