/* mcudiag_chain.h — the cross-layer diagnosis behind "-z mcudiag".
 *
 * Plain C + GLib (no epan). It collects evidence the protocol glue publishes
 * on its taps and writes findings in plain words, from cause to fix. Today it
 * reads the lbsnat evidence: per load-balancer VIP:port, the members that
 * answered clients directly, the clients, the frames that prove it, and what
 * the port is used for in an OCS/Lync pool; the conference joins sipconf saw
 * and how they ended; and the HTTPS connections to the conferencing port that
 * failed before any request (c3pconn). It renders them from symptom to cause.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_CHAIN_H
#define MCUDIAG_CHAIN_H

#include <glib.h>

#include "lbsnat/lbsnat_tap.h"

G_BEGIN_DECLS

typedef struct mcudiag_chain mcudiag_chain_t;

mcudiag_chain_t *mcudiag_chain_new(void);
void mcudiag_chain_free(mcudiag_chain_t *chain);
void mcudiag_chain_reset(mcudiag_chain_t *chain);

/* One lbsnat tap record, seen in frame `frame`. */
void mcudiag_chain_add_lbsnat(mcudiag_chain_t *chain, const lbsnat_tap_info_t *info);

/* A conference join leg's final response (sipconf). where is "Focus" or
 * "<role> MCU"; diag_id 0 when the response had no ms-diagnostics. */
typedef struct {
    const char *conference_id;
    const char *organizer;
    const char *where;
    guint status;
    guint32 frame;
    guint diag_id;
    const char *diag_component;
    const char *diag_reason;
} mcudiag_join_t;
void mcudiag_chain_add_join(mcudiag_chain_t *chain, const mcudiag_join_t *join);

/* An HTTPS connection to the conferencing port that failed before any
 * request (c3pconn): from which host, where it was seen, and the lbsnat case
 * behind it (0 if none). */
void mcudiag_chain_add_failed_connection(mcudiag_chain_t *chain, const char *client, guint16 port, guint32 frame,
                                         guint lbsnat_case);

/* The report, newly allocated (g_free it). */
char *mcudiag_chain_render(const mcudiag_chain_t *chain);

G_END_DECLS

#endif
