/* sipconf_tap.h — what the "sipconf" tap delivers: one record per SIP message
 * to or from a conference URI. A contract between the sipconf glue and the
 * reports (-z mcudiag).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SIPCONF_TAP_H
#define SIPCONF_TAP_H

#include "sipconf/sipconf_model.h"

typedef struct {
    const sipconf_conference_t *conference; /* valid while the file is open */
    sipconf_leg_t leg;
    gboolean is_response;
    guint status;                           /* of a response */
    guint32 frame;
    gboolean repeat;                        /* not a new event: a copy of an earlier frame's message
                                               (sipconf.duplicate_of) or a message sent again */
} sipconf_tap_info_t;

#endif
