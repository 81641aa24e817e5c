/* plugin_protocols.h — the plugin's protocols: their registration entry
 * points, and what one analysis asks another about the frame being dissected.
 *
 * Each analysis (lbsnat, c3pconn, sipconf, lbidle, lbdsr) is a protocol with
 * a postdissector of its own (analysis_postdissector_handle below). Wireshark runs postdissectors in the order they were
 * registered, which is no contract, so no analysis relies on another having
 * run: what one needs from another it asks for with a call below, answered
 * from what the other computes on the first request in the frame's
 * dissection (whoever asks first) and keeps for the frame. A test build
 * registers the protocols in the reverse order (tests/capture/
 * reversed_plugin.c) and capture.order-swap compares what both show.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_PLUGIN_PROTOCOLS_H
#define MCUDIAG_PLUGIN_PROTOCOLS_H

#include <epan/packet.h>
#include <epan/tap.h>

#include "lbsnat/lbsnat_track.h"

void proto_register_lbsnat(void);
void proto_reg_handoff_lbsnat(void);
void proto_register_lbidle(void);
void proto_reg_handoff_lbidle(void); /* its own postdissector */
void proto_register_c3p(void);
void proto_reg_handoff_c3p(void);
void proto_register_c3pconn(void);
void proto_reg_handoff_c3pconn(void);
void proto_register_sipconf(void);
void proto_reg_handoff_sipconf(void);
/* lbdsr: its own postdissector (packet-lbdsr.c) */
void proto_register_lbdsr(void);
void proto_reg_handoff_lbdsr(void);

/* The handle of analysis `proto`'s postdissector, to be passed to
 * register_postdissector() by the analysis's handoff; called from the
 * analysis's registration routine.
 *
 * The handle belongs to a helper protocol of `proto`
 * (proto_register_protocol_in_name_only), enabled and disabled with `proto`.
 * For a full protocol Wireshark keeps layer books on every frame: it appends
 * the protocol to pinfo->layers and counts its layer in a map on entry, and
 * undoes both when the postdissector added nothing. For a postdissector that
 * looks at every frame and shows something on a few, that is most of its
 * cost: about 500 instructions per frame each on 4.0 and 4.6, a tenth of a
 * busy TCP capture's dissection for five analyses (bench/README.md). The
 * analysis's tree items, fields, expert infos and taps stay `proto`'s. */
dissector_handle_t analysis_postdissector_handle(dissector_t dissect, int proto);

/* -z mcudiag and the GUI's Statistics > Conferencing Diagnosis window */
void register_tap_listener_mcudiag(void);

/* Every protocol and report of the plugin, as plugin.c registers them. */
extern const proto_plugin mcudiag_protocols[];
extern const size_t mcudiag_n_protocols;
extern const tap_plugin mcudiag_reports[];
extern const size_t mcudiag_n_reports;

/* lbsnat's verdict of the frame: NULL if the frame belongs to no case, or
 * lbsnat is disabled. On the first pass the first request feeds the frame to
 * lbsnat's tracker. `tvb` is the frame's (a postdissector's). */
const lbsnat_verdict_t *lbsnat_verdict_of_frame(tvbuff_t *tvb, packet_info *pinfo);

/* The frame this one repeats (0 if none, or lbsnat is disabled): the same
 * packet at another capture point, or (kind LBSNAT_COPY_REWRITE) the
 * balancer's rewrite of a client SYN. Either way one event, not two. */
guint32 lbsnat_frame_copy_of(tvbuff_t *tvb, packet_info *pinfo, lbsnat_copy_kind_t *kind);

/* c3pconn's answer to "which failed HTTPS connection to the conferencing port
 * from `host` is the latest before this frame?": its failure frame, 0 if none
 * or c3pconn is disabled, and a short phrase naming the cause in *cause
 * (pinfo->pool). Failures of earlier frames only, so the answer does not
 * depend on whether c3pconn has seen this frame yet. */
guint32 c3pconn_latest_failure_from(packet_info *pinfo, const address *host, const char **cause);

#endif
