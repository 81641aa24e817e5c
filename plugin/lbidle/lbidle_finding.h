/* lbidle_finding.h — the idle-timeout finding of -z mcudiag: from the
 * tracker's services (lbidle_track.h) to the report's findings model
 * (report/mcudiag_findings.h). Plain C + GLib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef LBIDLE_FINDING_H
#define LBIDLE_FINDING_H

#include "lbidle/lbidle_track.h"
#include "report/mcudiag_findings.h"

/* Microsoft's minimum TCP idle timeout for a Skype for Business pool's load
 * balancer: what the report compares the bounds with (never used to detect). */
#define LBIDLE_REQUIRED_TIMEOUT ((nstime_t)NSTIME_INIT_SECS(1800))

/* Appends to `findings` (mcudiag_finding_t*) one MCUDIAG_FINDING_IDLE_TIMEOUT
 * per service whose timer the capture bounds, in the order of `services`
 * (const lbidle_service_t*). A service whose cut connections all came from
 * the address of another such service is the balancer's own side towards a
 * member (SNAT): it is named in that VIP's finding, not on its own. */
void lbidle_findings(const GPtrArray *services, GPtrArray *findings);

#endif
