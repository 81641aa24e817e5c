/* frame_time.h — capture times for the cores: wsutil's nstime_t, bounded.
 *
 * The cores take capture times, and the durations between them, as nstime_t
 * and subtract them with nstime_delta. A capture may carry any time_t (pcapng
 * allows times far beyond 2262, a broken clock negative ones), and nstime_delta
 * of two times near the two ends of time_t overflows it. So the dissectors, and
 * the fuzzers standing in for them, hand the cores frame_time(&pinfo->abs_ts):
 * seconds bounded so that any two frame times are at most a time_t apart, and
 * nanoseconds within [0, 1e9). Real capture times pass unchanged. Where time_t
 * is 32 bits the bound is 1970 to 2038 (earlier times count as 1970).
 *
 * wsutil's nstime_cmp returns the seconds' difference cast to int, which
 * orders times more than 68 years apart by chance (and is a library call on
 * every packet); frame_time_cmp compares seconds, then nanoseconds, which is
 * exact for frame times and for what nstime_delta makes of them (both fields
 * of a negative duration are <= 0).
 *
 * Plain C + wsutil (no epan): the cores and their tests include it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FRAME_TIME_H
#define FRAME_TIME_H

#include <glib.h>
#include <wsutil/nstime.h>

#define FRAME_TIME_MAX_SECS ((time_t)(sizeof(time_t) >= 8 ? G_MAXINT64 / 2 : G_MAXINT32))
#define FRAME_TIME_MIN_SECS ((time_t)(sizeof(time_t) >= 8 ? -(G_MAXINT64 / 2) : 0))
#define FRAME_TIME_EARLIEST ((nstime_t)NSTIME_INIT_SECS(FRAME_TIME_MIN_SECS))

static inline nstime_t frame_time(const nstime_t *abs_ts)
{
    nstime_t t = *abs_ts;
    t.secs = CLAMP(t.secs, FRAME_TIME_MIN_SECS, FRAME_TIME_MAX_SECS);
    t.nsecs = CLAMP(t.nsecs, 0, 999999999);
    return t;
}

/* <0, 0, >0 as a is before, equal to, after b (frame times, or durations
 * between frame times). */
static inline int frame_time_cmp(const nstime_t *a, const nstime_t *b)
{
    if (a->secs != b->secs)
        return a->secs < b->secs ? -1 : 1;
    return (a->nsecs > b->nsecs) - (a->nsecs < b->nsecs);
}

/* Whether frame time `later` is more than `window` after frame time
 * `earlier`; FALSE when it is not after it at all. `window` is a duration from
 * 0 to FRAME_TIME_MAX_SECS, so later - window cannot overflow. */
static inline gboolean frame_time_beyond(const nstime_t *later, const nstime_t *earlier, const nstime_t *window)
{
    nstime_t limit;
    nstime_delta(&limit, later, window);
    return frame_time_cmp(earlier, &limit) < 0;
}

/* Whether two frame times are at most `window` apart, either order (times go
 * backwards in merged captures). */
static inline gboolean frame_time_within(const nstime_t *a, const nstime_t *b, const nstime_t *window)
{
    return frame_time_cmp(a, b) >= 0 ? !frame_time_beyond(a, b, window) : !frame_time_beyond(b, a, window);
}

#endif
