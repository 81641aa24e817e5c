/* c3p_tap.h — what the "c3p" tap delivers: one record per C3P message.
 * A contract between the c3p glue and the reports (-z c3p,tree, -z mcudiag).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef C3P_TAP_H
#define C3P_TAP_H

#include <epan/packet.h>

#include "c3p/c3p_model.h"

typedef struct {
    gboolean is_request;             /* a request (else a response or another root) */
    gboolean is_response;
    const char *command;             /* local name of the command element, or NULL */
    const char *target;              /* server role, or NULL */
    c3p_code_t code;                 /* of a response */
    const c3p_transaction_t *transaction; /* NULL when no request/response pair applies */
    guint32 frame;
} c3p_tap_info_t;

/* The TCP ports whose TLS carries HTTP (TLS's port table: 444, HTTP's own TLS
 * ports, Decode As): the conferencing ports other protocols of the plugin watch. */
gboolean c3p_is_https_port(guint32 port);

/* The first conference entity (c3p.conference_entity) of the C3P bodies
 * dissected in this frame so far, or NULL. */
const char *c3p_conference_entity_in_frame(packet_info *pinfo);

#endif
