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
    /* the case, owned by the tracker for the whole file; NULL in a record
     * about a member view (below) */
    const lbsnat_case_t *c;
    lbsnat_role_t role;            /* what this frame is to the case */
    const lbsnat_answer_t *answer; /* the foreign SYN-ACK this frame is about */
    guint32 frame;                 /* the frame this record is about */
    gboolean first_answer;         /* this frame is the case's first foreign SYN-ACK */
    /* set (and c NULL) when the frame belongs to a member's own view of the
     * fault instead: a client reset this member's answer to its SYN and
     * sent that SYN again */
    const lbsnat_member_view_t *member_view;
} lbsnat_tap_info_t;

#endif
