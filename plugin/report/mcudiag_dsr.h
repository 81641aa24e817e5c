/* mcudiag_dsr.h — the direct-server-return and self-selection findings of
 * the diagnosis: evidence from the lbdsr and lbhairpin taps, per VIP:port,
 * made into findings of the model (mcudiag_findings.h). Plain C + GLib (no
 * epan); mcudiag_chain owns one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_DSR_H
#define MCUDIAG_DSR_H

#include <glib.h>

#include "lbdsr/lbdsr_tap.h"
#include "report/mcudiag_findings.h"

G_BEGIN_DECLS

typedef struct mcudiag_dsr mcudiag_dsr_t;

mcudiag_dsr_t *mcudiag_dsr_new(void);
void mcudiag_dsr_free(mcudiag_dsr_t *d);
void mcudiag_dsr_reset(mcudiag_dsr_t *d);

/* One lbdsr tap record (a frame of a connection answered by DSR). */
void mcudiag_dsr_add(mcudiag_dsr_t *d, const lbdsr_tap_info_t *info);

/* One lbhairpin tap record (a frame of a self-selection). */
void mcudiag_dsr_add_hairpin(mcudiag_dsr_t *d, const lbhairpin_tap_info_t *info);

/* Appends to `findings` (mcudiag_finding_t*) one MCUDIAG_FINDING_SELF_SELECTION
 * per self-selection, then one MCUDIAG_FINDING_DIRECT_SERVER_RETURN per VIP:port
 * still standing (not withdrawn). */
void mcudiag_dsr_findings(const mcudiag_dsr_t *d, GPtrArray *findings);

G_END_DECLS

#endif
