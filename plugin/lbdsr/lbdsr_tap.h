/* lbdsr_tap.h — what the "lbdsr" tap delivers: one record per frame of a
 * connection answered by direct server return. A contract between the lbdsr
 * glue and -z mcudiag.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBDSR_TAP_H
#define LBDSR_TAP_H

#include "lbdsr/lbdsr_track.h"

typedef struct {
    const lbdsr_conn_t *conn; /* owned by the tracker for the whole file */
    lbdsr_role_t role;        /* what this frame is to it */
    guint32 frame;
} lbdsr_tap_info_t;

/* What the "lbhairpin" tap delivers: one record per frame of a self-selection. */
typedef struct {
    const lbdsr_hairpin_t *hairpin; /* owned by the tracker for the whole file */
    gboolean returned;              /* the member's own SYN handed back (else its SYN to the VIP) */
    guint32 frame;
} lbhairpin_tap_info_t;

#endif
