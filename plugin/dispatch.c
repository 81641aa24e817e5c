/* dispatch.c — the plugin's one postdissector: runs the analyses (lbsnat,
 * c3pconn, sipconf) on each frame.
 *
 * Why one: Wireshark calls postdissectors in the order they were registered,
 * which is no contract; with one postdissector per protocol, what c3pconn
 * said about a frame depended on whether lbsnat had already seen it. Here
 * the frame's facts are collected once (frame_facts.h), then what one
 * analysis needs from another in the same frame is computed before any of
 * them runs and handed over explicitly:
 *   - lbsnat's verdict of the frame (its tracker is fed first) → c3pconn;
 *   - the C3P conference entity of the frame (set by the c3p dissector while
 *     the frame was dissected, before any postdissector) → sipconf;
 *   - c3pconn's query for a host's latest failed connection before the frame
 *     (failures of earlier frames only, so no order in this frame) → sipconf,
 *     which names it as the likely cause of a failed join.
 * With those inputs fixed, the analyses do not depend on one another's order:
 * a test build (MCUDIAG_DISPATCH_REVERSED) runs them in the reverse order and
 * a capture test compares its output with this one's.
 *
 * One postdissector also saves Wireshark's dispatch of two more per frame.
 * Each analysis runs only while its protocol is enabled; the handle belongs to
 * no protocol, so disabling one of them leaves the others running.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/packet.h>

#include "c3p/c3p_tap.h"
#include "frame_facts.h"
#include "plugin_protocols.h"

/* Everything an analysis may be handed for one frame. */
typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    const frame_facts_t *facts;
    const lbsnat_verdict_t *lbsnat_verdict;
    const char *conference_entity;
    failed_connection_query_t failed_connection_from;
} frame_inputs_t;

static protocol_t *lbsnat_protocol;
static protocol_t *c3pconn_protocol;
static protocol_t *sipconf_protocol;

/* TRUE if the analysis of `protocol` runs; it then runs as that protocol:
 * expert infos (Expert Information's Protocol column) and the status bar name
 * pinfo->current_proto, which would otherwise be "Frame" (this handle
 * belongs to no protocol). */
static gboolean enter(packet_info *pinfo, protocol_t *protocol)
{
    if (!proto_is_protocol_enabled(protocol))
        return FALSE;
    pinfo->current_proto = proto_get_protocol_short_name(protocol);
    return TRUE;
}

static void show_lbsnat(const frame_inputs_t *in)
{
    if (enter(in->pinfo, lbsnat_protocol))
        lbsnat_show_frame(in->tvb, in->pinfo, in->tree, in->lbsnat_verdict);
}

static void analyse_c3pconn(const frame_inputs_t *in)
{
    if (enter(in->pinfo, c3pconn_protocol))
        c3pconn_analyse_frame(in->tvb, in->pinfo, in->tree, in->facts, in->lbsnat_verdict);
}

/* Only frames where SIP dissected a message: sipconf reads nothing else. */
static void analyse_sipconf(const frame_inputs_t *in)
{
    if (in->facts->has_sip && enter(in->pinfo, sipconf_protocol))
        sipconf_analyse_frame(in->tvb, in->pinfo, in->tree, in->conference_entity, in->failed_connection_from);
}

static void (*const analyses[])(const frame_inputs_t *) = {
    show_lbsnat,
    analyse_c3pconn,
    analyse_sipconf,
};

static int dissect_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    const char *caller_proto = pinfo->current_proto;
    frame_facts_t facts;
    frame_inputs_t in = {
        .tvb = tvb,
        .pinfo = pinfo,
        .tree = tree,
        .facts = &facts,
    };
    frame_facts_collect(tvb, pinfo, &facts);
    if (proto_is_protocol_enabled(lbsnat_protocol))
        in.lbsnat_verdict = lbsnat_learn_frame(pinfo, in.facts);
    if (facts.has_sip && proto_is_protocol_enabled(sipconf_protocol)) {
        in.conference_entity = c3p_conference_entity_in_frame(pinfo);
        /* a query, not its answer: sipconf asks only on a failed join */
        if (proto_is_protocol_enabled(c3pconn_protocol))
            in.failed_connection_from = c3pconn_latest_failure_from;
    }

#ifdef MCUDIAG_DISPATCH_REVERSED
    for (size_t i = G_N_ELEMENTS(analyses); i-- > 0;)
        analyses[i](&in);
#else
    for (size_t i = 0; i < G_N_ELEMENTS(analyses); i++)
        analyses[i](&in);
#endif
    pinfo->current_proto = caller_proto;
    return 0;
}

static dissector_handle_t dispatch_handle;

void proto_register_dispatch(void)
{
    dispatch_handle = register_dissector_with_description("mcudiag", "mcudiag analyses (lbsnat, c3pconn, sipconf)",
                                                          dissect_frame, -1);
}

void proto_reg_handoff_dispatch(void)
{
    lbsnat_protocol = find_protocol_by_id(proto_get_id_by_filter_name("lbsnat"));
    c3pconn_protocol = find_protocol_by_id(proto_get_id_by_filter_name("c3pconn"));
    sipconf_protocol = find_protocol_by_id(proto_get_id_by_filter_name("sipconf"));
    frame_facts_register();
    register_postdissector(dispatch_handle);
}
