/* plugin_protocols.h — registration entry points of the plugin's protocols,
 * and the per-frame entry points of the analyses that the one postdissector
 * (dispatch.c) calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_PLUGIN_PROTOCOLS_H
#define MCUDIAG_PLUGIN_PROTOCOLS_H

#include <epan/packet.h>

#include "frame_facts.h"
#include "lbsnat/lbsnat_track.h"

void proto_register_lbsnat(void);
void proto_reg_handoff_lbsnat(void);
void proto_register_c3p(void);
void proto_reg_handoff_c3p(void);
void proto_register_c3pconn(void);
void proto_register_sipconf(void);
void proto_reg_handoff_sipconf(void);
/* lbdsr: its own postdissector (packet-lbdsr.c) */
void proto_register_lbdsr(void);
void proto_reg_handoff_lbdsr(void);

/* The one postdissector that runs the analyses (dispatch.c). */
void proto_register_dispatch(void);
void proto_reg_handoff_dispatch(void);

/* Per frame, every pass, each only while its protocol is enabled (sipconf
 * only on frames where SIP dissected a message).
 *
 * lbsnat_learn_frame feeds the tracker (first pass) and returns the frame's
 * verdict, which the others may need; lbsnat_show_frame renders it (tree,
 * expert info, Info column, tap). */
const lbsnat_verdict_t *lbsnat_learn_frame(packet_info *pinfo, const frame_facts_t *facts);
void lbsnat_show_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const lbsnat_verdict_t *verdict);

/* lbsnat_verdict: this frame's lbsnat verdict (NULL if none or lbsnat is disabled). */
void c3pconn_analyse_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_facts_t *facts,
                           const lbsnat_verdict_t *lbsnat_verdict);

/* c3pconn's answer to "which failed HTTPS connection to the conferencing port
 * from `host` is the latest before this frame?": its failure frame, 0 if none,
 * and a short phrase naming the cause in *cause (pinfo->pool). */
typedef guint32 (*failed_connection_query_t)(packet_info *pinfo, const address *host, const char **cause);
guint32 c3pconn_latest_failure_from(packet_info *pinfo, const address *host, const char **cause);

/* conference_entity: the first c3p.conference_entity of the C3P bodies of this frame, or NULL.
 * failed_connection_from: c3pconn's query (NULL while c3pconn is disabled), asked
 * only on a frame showing a failed join, about the host that sent it. */
void sipconf_analyse_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const char *conference_entity,
                           failed_connection_query_t failed_connection_from);

/* -z mcudiag and the GUI's Statistics > Conferencing Diagnosis window */
void register_tap_listener_mcudiag(void);

#endif
