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

#include "lbdsr/lbdsr_tap.h"
#include "lbsnat/lbsnat_tap.h"

G_BEGIN_DECLS

typedef struct mcudiag_chain mcudiag_chain_t;

mcudiag_chain_t *mcudiag_chain_new(void);
void mcudiag_chain_free(mcudiag_chain_t *chain);
void mcudiag_chain_reset(mcudiag_chain_t *chain);

/* One lbsnat tap record, seen in frame `frame`: a frame of a case, or of a
 * member's own view (info->member_view). Records of withdrawn cases are
 * ignored, and so are cases withdrawn by the time the report is rendered. */
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

/* Evidence that a host takes part in conferencing, so that a failed
 * connection of it to the conferencing port is an MCU's health notification
 * (event 61013) and not, say, a port scan. */
typedef enum {
    MCUDIAG_CONF_SIP = 1, /* it sent or received SIP of a conference (sipconf) */
    MCUDIAG_CONF_C3P = 2, /* it sent or received a C3P message (c3p) */
    MCUDIAG_CONF_TLS = 3, /* it completed a TLS handshake on the conferencing port (tls) */
} mcudiag_conf_evidence_t;
void mcudiag_chain_add_conferencing_host(mcudiag_chain_t *chain, const char *host, mcudiag_conf_evidence_t kind);

/* A client's SYN (first transmission; not copies) to server:port, from the
 * "tcp" tap: a host that calls many ports, or many servers on the
 * conferencing port, is sweeping (a scanner), not posting MCU health. */
void mcudiag_chain_add_syn(mcudiag_chain_t *chain, const char *client, const char *server, guint16 port);
/* From this many distinct ports (or servers on one conferencing port) a host is sweeping. */
#define MCUDIAG_SWEEP_ENDPOINTS 16

/* One direct-server-return record (the lbdsr tap): its findings come after
 * the other balancer findings (mcudiag_dsr.h). */
void mcudiag_chain_add_lbdsr(mcudiag_chain_t *chain, const lbdsr_tap_info_t *info);
/* One self-selection record (the lbhairpin tap). */
void mcudiag_chain_add_lbhairpin(mcudiag_chain_t *chain, const lbhairpin_tap_info_t *info);

/* Text pieces the report's findings share: "a, b and c"; "frame 3" or
 * "frames 2, 5, 8" in capture order (sorts `frames`), the first few. */
void mcudiag_append_list(GString *out, GPtrArray *items);
void mcudiag_append_frames(GString *out, GArray *frames);

/* The report, newly allocated (g_free it). */
char *mcudiag_chain_render(const mcudiag_chain_t *chain);

G_END_DECLS

#endif
