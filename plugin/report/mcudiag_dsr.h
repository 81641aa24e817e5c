/* mcudiag_dsr.h — the direct-server-return findings of the diagnosis:
 * evidence from the lbdsr tap, per VIP:port, rendered in plain words from
 * symptom to fix. Plain C + GLib (no epan); mcudiag_chain owns one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_DSR_H
#define MCUDIAG_DSR_H

#include <glib.h>

#include "lbdsr/lbdsr_tap.h"

G_BEGIN_DECLS

typedef struct mcudiag_dsr mcudiag_dsr_t;

mcudiag_dsr_t *mcudiag_dsr_new(void);
void mcudiag_dsr_free(mcudiag_dsr_t *d);
void mcudiag_dsr_reset(mcudiag_dsr_t *d);

/* One lbdsr tap record (a frame of a connection answered by DSR). */
void mcudiag_dsr_add(mcudiag_dsr_t *d, const lbdsr_tap_info_t *info);

/* One lbhairpin tap record (a frame of a self-selection). */
void mcudiag_dsr_add_hairpin(mcudiag_dsr_t *d, const lbhairpin_tap_info_t *info);

/* Appends one numbered finding per self-selection, then one per DSR VIP:port still standing (not withdrawn),
 * numbered from n + 1; returns the last number used. */
guint mcudiag_dsr_render(const mcudiag_dsr_t *d, GString *out, guint n);

/* The Microsoft requirement the finding quotes. */
#define MCUDIAG_DSR_REQUIREMENT "\"Direct server return is not supported.\""

G_END_DECLS

#endif
