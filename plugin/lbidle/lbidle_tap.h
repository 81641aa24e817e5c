/* lbidle_tap.h — what the "lbidle" tap delivers: one record per frame of a
 * connection cut after an idle gap at a service whose idle timer the capture
 * bounds. A contract between the lbidle glue and the reports (-z mcudiag).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBIDLE_TAP_H
#define LBIDLE_TAP_H

#include "lbidle/lbidle_track.h"

typedef struct {
    const lbidle_service_t *service; /* owned by the tracker for the whole file */
    const lbidle_cut_t *cut;         /* likewise */
    lbidle_role_t role;
    guint32 frame;
} lbidle_tap_info_t;

#endif
