/* mcudiag_chain.h — the cross-layer diagnosis behind "-z mcudiag".
 *
 * Plain C + GLib (no epan). It collects evidence the protocol glue publishes
 * on its taps and writes findings in plain words, from cause to fix. Today it
 * reads the lbsnat evidence: per load-balancer VIP:port, the members that
 * answered clients directly, the clients, the frames that prove it, and what
 * the port is used for in an OCS/Lync pool.
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

/* The report, newly allocated (g_free it). */
char *mcudiag_chain_render(const mcudiag_chain_t *chain);

G_END_DECLS

#endif
