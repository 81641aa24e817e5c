/* frame_time_test.c — capture times at the ends of time_t (frame_time.h):
 * bounded, ordered and subtracted without overflow, real times unchanged.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame_time.h"

#define TIME_T_LARGEST ((time_t)(sizeof(time_t) >= 8 ? G_MAXINT64 : G_MAXINT32))

static void test_real_times_unchanged(void)
{
    const nstime_t real = NSTIME_INIT_SECS_NSECS(1700000000, 123456789);
    const nstime_t t = frame_time(&real);
    g_assert_cmpint(t.secs, ==, real.secs);
    g_assert_cmpint(t.nsecs, ==, real.nsecs);
}

static void test_ends_of_time_t(void)
{
    const nstime_t latest_raw = { TIME_T_LARGEST, G_MAXINT }, earliest_raw = { -TIME_T_LARGEST - 1, -5 };
    const nstime_t latest = frame_time(&latest_raw), earliest = frame_time(&earliest_raw);
    g_assert_cmpint(latest.secs, ==, FRAME_TIME_MAX_SECS);
    g_assert_cmpint(latest.nsecs, ==, 999999999);
    g_assert_cmpint(earliest.secs, ==, FRAME_TIME_MIN_SECS);
    g_assert_cmpint(earliest.nsecs, ==, 0);
    const nstime_t earliest_possible = FRAME_TIME_EARLIEST;
    g_assert_cmpint(frame_time_cmp(&earliest, &earliest_possible), ==, 0);
    /* the widest distance still fits time_t, in both directions */
    nstime_t d;
    nstime_delta(&d, &latest, &earliest);
    g_assert_cmpint(d.secs, >, 0);
    nstime_delta(&d, &earliest, &latest);
    g_assert_cmpint(d.secs, <, 0);
    g_assert_cmpint(frame_time_cmp(&latest, &earliest), >, 0);
    g_assert_cmpint(frame_time_cmp(&earliest, &latest), <, 0);
    const nstime_t window = NSTIME_INIT_SECS(60);
    g_assert_true(frame_time_beyond(&latest, &earliest, &window));
    g_assert_false(frame_time_beyond(&earliest, &latest, &window));
    g_assert_false(frame_time_within(&latest, &earliest, &window));
}

/* wsutil's nstime_cmp casts the seconds' difference to int: 2^32 s apart
 * (136 years, a broken clock) compare equal there, not here. */
static void test_order_beyond_int(void)
{
    if (sizeof(time_t) < 8) {
        g_test_skip("time_t is 32 bits");
        return;
    }
    const nstime_t a = NSTIME_INIT_SECS(1000), b = { (time_t)(1000 + G_GINT64_CONSTANT(4294967296)), 0 };
    g_assert_cmpint(frame_time_cmp(&a, &b), <, 0);
    g_assert_cmpint(frame_time_cmp(&b, &a), >, 0);
}

static void test_windows(void)
{
    const nstime_t window = NSTIME_INIT_SECS_MSECS(0, 100);
    const nstime_t t0 = NSTIME_INIT_SECS_NSECS(1700000000, 950000000);
    const nstime_t near = NSTIME_INIT_SECS_NSECS(1700000001, 50000000);  /* 100 ms later: inside */
    const nstime_t far = NSTIME_INIT_SECS_NSECS(1700000001, 50000001);   /* 1 ns beyond */
    g_assert_false(frame_time_beyond(&near, &t0, &window));
    g_assert_true(frame_time_within(&near, &t0, &window));
    g_assert_true(frame_time_within(&t0, &near, &window));
    g_assert_true(frame_time_beyond(&far, &t0, &window));
    g_assert_false(frame_time_beyond(&t0, &far, &window));
    g_assert_false(frame_time_within(&t0, &far, &window));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/frame-time/real-times-unchanged", test_real_times_unchanged);
    g_test_add_func("/frame-time/ends-of-time_t", test_ends_of_time_t);
    g_test_add_func("/frame-time/order-beyond-int", test_order_beyond_int);
    g_test_add_func("/frame-time/windows", test_windows);
    return g_test_run();
}
