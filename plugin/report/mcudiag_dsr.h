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

/* One connection of a VIP answered by DSR (its key: client, port, ISN). */
typedef struct {
    const lbdsr_conn_t *tracked; /* the tracker's, for the whole file; NULL when loaded from a report */
    host_addr_t client;
    guint16 client_port;
    guint32 isn;
    gboolean withdrawn; /* loaded: a report said the client's later segments withdrew it */
} mcudiag_dsr_conn_t;

/* Everything known about one VIP:port answered by DSR: what its findings
 * are built from, and what a report's evidence carries. */
typedef struct {
    const lbdsr_vip_t *tracked; /* the tracker's, for the whole file; NULL when loaded from a report */
    host_addr_t vip;
    guint16 port;
    gboolean withdrawn;       /* loaded: a report said a balancer MAC sent as the VIP */
    gboolean caller_view;     /* some connection seen from a caller or the segment */
    GPtrArray *balancer_macs; /* char*, in order of first appearance */
    GPtrArray *member_macs;
    GPtrArray *clients;
    GArray *ttls;             /* guint16: TTLs or hop limits of the crossing packets */
    GArray *syn_frames, *forward_frames, *answer_frames; /* mcudiag_frame_t */
    GHashTable *conns;        /* "client port isn" -> mcudiag_dsr_conn_t* (owned) */
} mcudiag_dsr_vip_t;

/* One self-selection (a member handed its own SYN to its VIP). */
typedef struct {
    host_addr_t caller, vip;
    guint16 caller_port, vip_port;
    guint32 isn;
    char *balancer_mac;        /* "02:00:0a:89:07:0d": where the returned SYN came from */
    mcudiag_frame_t syn_frame; /* the caller's first SYN to the VIP */
    GArray *returned_frames;   /* mcudiag_frame_t */
} mcudiag_dsr_hairpin_t;

mcudiag_dsr_t *mcudiag_dsr_new(void);
void mcudiag_dsr_free(mcudiag_dsr_t *d);
void mcudiag_dsr_reset(mcudiag_dsr_t *d);

/* One lbdsr tap record (a frame of a connection answered by DSR). */
void mcudiag_dsr_add(mcudiag_dsr_t *d, const lbdsr_tap_info_t *info);

/* One lbhairpin tap record (a frame of a self-selection). */
void mcudiag_dsr_add_hairpin(mcudiag_dsr_t *d, const lbhairpin_tap_info_t *info);

/* The evidence so far: mcudiag_dsr_vip_t* and mcudiag_dsr_hairpin_t*, in order of first evidence. */
const GPtrArray *mcudiag_dsr_vips(const mcudiag_dsr_t *d);
const GPtrArray *mcudiag_dsr_hairpins(const mcudiag_dsr_t *d);
gboolean mcudiag_dsr_vip_withdrawn(const mcudiag_dsr_vip_t *v);
gboolean mcudiag_dsr_conn_withdrawn(const mcudiag_dsr_conn_t *c);

/* For evidence loaded from reports: the VIP, its connection and the
 * self-selection of these keys, made (empty, not withdrawn) if new. */
mcudiag_dsr_vip_t *mcudiag_dsr_vip(mcudiag_dsr_t *d, const host_addr_t *vip, guint16 port);
mcudiag_dsr_conn_t *mcudiag_dsr_vip_conn(mcudiag_dsr_vip_t *v, const host_addr_t *client, guint16 client_port,
                                         guint32 isn);
/* Adds a TTL or hop limit to the VIP's unless there. */
void mcudiag_dsr_add_ttl(mcudiag_dsr_vip_t *v, guint16 ttl);
mcudiag_dsr_hairpin_t *mcudiag_dsr_hairpin(mcudiag_dsr_t *d, const host_addr_t *caller, guint16 caller_port,
                                           const host_addr_t *vip, guint16 vip_port, guint32 isn);

/* Appends to `findings` (mcudiag_finding_t*) one MCUDIAG_FINDING_SELF_SELECTION
 * per self-selection, then one MCUDIAG_FINDING_DIRECT_SERVER_RETURN per VIP:port
 * still standing (not withdrawn). */
void mcudiag_dsr_findings(const mcudiag_dsr_t *d, GPtrArray *findings);

G_END_DECLS

#endif
