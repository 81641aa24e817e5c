/* lbidle_tap.h — what the "lbidle" tap delivers: one record per frame of a
 * connection cut after an idle gap (whether or not the capture bounds the
 * service's timer yet), one (cut NULL, role NONE) per frame whose answer
 * made a gap the longest a connection to its service survived, and one
 * (cut NULL, opened) per frame that opened a connection. A contract
 * between the lbidle glue and the reports (-z mcudiag).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBIDLE_TAP_H
#define LBIDLE_TAP_H

#include "lbidle/lbidle_track.h"

typedef struct {
    const lbidle_service_t *service; /* owned by the tracker for the whole file */
    const lbidle_cut_t *cut;         /* likewise; NULL for a survived gap */
    lbidle_role_t role;
    gboolean opened;                 /* the frame opened a connection to the service */
    guint32 frame;
    const lbidle_tracker_t *tracker; /* the file's tracker: its tails and heads for the report's evidence */
} lbidle_tap_info_t;

#endif
