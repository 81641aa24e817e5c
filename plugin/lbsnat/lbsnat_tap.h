/* lbsnat_tap.h — what the "lbsnat" tap delivers, one record per frame that
 * belongs to a missing-SNAT case. A contract between the lbsnat glue and the
 * reports that listen to it (-z lbsnat,tree, -z mcudiag).
 *
 * In one pass, a SYN-ACK captured before its SYN is only known to be foreign
 * when the SYN arrives; its record is then queued with the SYN's frame, and
 * `frame` names the SYN-ACK itself.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBSNAT_TAP_H
#define LBSNAT_TAP_H

#include "lbsnat/lbsnat_track.h"

typedef struct {
    const lbsnat_case_t *c;        /* the case, owned by the tracker for the whole file */
    lbsnat_role_t role;            /* what this frame is to the case */
    const lbsnat_answer_t *answer; /* the foreign SYN-ACK this frame is about */
    guint32 frame;                 /* the frame this record is about */
    gboolean first_answer;         /* this frame is the case's first foreign SYN-ACK */
} lbsnat_tap_info_t;

/* The lbsnat verdict for a frame (NULL if none, or lbsnat is disabled), for
 * other protocols of the plugin that point to a case. */
const lbsnat_verdict_t *lbsnat_frame_verdict(guint32 frame);

#endif
