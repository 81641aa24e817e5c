/* c3pconn_tap.h — what the "c3pconn" tap delivers: one record per frame that
 * shows an HTTPS connection to the conferencing port failing before any
 * request. A contract between the c3pconn glue and -z mcudiag.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef C3PCONN_TAP_H
#define C3PCONN_TAP_H

#include "c3p/c3p_connections.h"

typedef struct {
    const char *client;        /* the connecting host, as text */
    guint16 port;              /* the conferencing port it connected to */
    c3p_conn_outcome_t outcome;
    guint lbsnat_case;         /* the missing-SNAT case behind it, 0 if none */
    guint32 frame;
} c3pconn_tap_info_t;

#endif
