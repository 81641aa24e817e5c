/* mcudiag_chain.h — the cross-layer diagnosis behind "-z mcudiag".
 *
 * Plain C + GLib (no epan). It collects evidence the protocol glue publishes
 * on its taps and writes findings in plain words, from cause to fix. Today it
 * reads the lbsnat evidence: per load-balancer VIP:port, the members that
 * answered clients directly, the clients, the frames that prove it, and what
 * the port is used for in an OCS/Lync pool; the conference joins sipconf saw
 * and how they ended; and the HTTPS connections to the conferencing port that
 * failed before any request (c3pconn). It turns them into findings
 * (mcudiag_findings.h), which the renderers write from symptom to cause.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_CHAIN_H
#define MCUDIAG_CHAIN_H

#include <glib.h>

#include "lbdsr/lbdsr_tap.h"
#include "lbidle/lbidle_tap.h"
#include "lbsnat/lbsnat_tap.h"
#include "report/mcudiag_findings.h"

G_BEGIN_DECLS

typedef struct mcudiag_chain mcudiag_chain_t;

mcudiag_chain_t *mcudiag_chain_new(void);
void mcudiag_chain_free(mcudiag_chain_t *chain);
void mcudiag_chain_reset(mcudiag_chain_t *chain);

/* One lbsnat tap record, seen in frame `frame`: a frame of a case, or of a
 * member's own view (info->member_view). Records of withdrawn cases are
 * ignored, and so are cases withdrawn by the time the report is rendered. */
void mcudiag_chain_add_lbsnat(mcudiag_chain_t *chain, const lbsnat_tap_info_t *info);

/* One lbidle tap record: a frame of a connection cut after an idle gap; the
 * report bounds its service's timer when it renders. */
void mcudiag_chain_add_lbidle(mcudiag_chain_t *chain, const lbidle_tap_info_t *info);

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

/* What capture is read (its file name; NULL if not known), and each frame's
 * time: the report names the capture, its size and its first and last packet. */
void mcudiag_chain_set_capture_name(mcudiag_chain_t *chain, const char *name);
void mcudiag_chain_add_frame(mcudiag_chain_t *chain, gint64 secs, gint32 nsecs);

/* The findings of the evidence so far, in report order (free with
 * mcudiag_findings_free). */
mcudiag_findings_t *mcudiag_chain_findings(const mcudiag_chain_t *chain);

/* The report as text, newly allocated (g_free it): the findings rendered by
 * mcudiag_findings_render_text(). */
char *mcudiag_chain_render(const mcudiag_chain_t *chain);

/* The diagnosis as one JSON document (docs/mcudiag-report.schema.json): the
 * captures, the findings, and the evidence behind them (g_free it). */
char *mcudiag_chain_render_json(const mcudiag_chain_t *chain);

/* Loads into the chain the evidence of the chunk reports a manifest lists
 * (mcudiag-batch writes it; mcudiag_evidence.c says how frames are owned),
 * for one diagnosis of a whole capture set. FALSE, with the reasons in
 * errors, if a report could not be read (the others are loaded). */
gboolean mcudiag_chain_merge(mcudiag_chain_t *chain, const char *manifest, GString *errors);

G_END_DECLS

#endif
