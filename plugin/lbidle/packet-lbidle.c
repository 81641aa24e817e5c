/* packet-lbidle.c — "lbidle", a postdissector that reads a load balancer's
 * TCP idle timeout off the wire: connections to one service (the VIP, as the
 * clients call it) cut by a reset or a dead retransmission run after an idle
 * gap, while shorter gaps survive (lbidle_track.h has the signature).
 *
 * Its own postdissector: each frame's TCP header comes from TCP's tap record
 * (frame_facts.h); the tracker is fed on the first pass and its verdict shown
 * on every pass. A cut is shown once the service's timer is claimed (two cuts
 * that agree with every survived gap): in one pass from the frame that
 * claims it on, with -2 and in the GUI on every frame of every cut, and the
 * bounds are those of the whole capture.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <wsutil/nstime.h>

#include "frame_facts.h"
#include "frame_time.h"
#include "host_addr_epan.h"
#include "lbidle/lbidle_tap.h"
#include "lbidle/lbidle_track.h"
#include "plugin_protocols.h"

static int proto_lbidle = -1;
static int lbidle_tap = -1;
static dissector_handle_t lbidle_handle;

static int hf_lbidle_vip_v4 = -1;
static int hf_lbidle_vip_v6 = -1;
static int hf_lbidle_vip_port = -1;
static int hf_lbidle_client_v4 = -1;
static int hf_lbidle_client_v6 = -1;
static int hf_lbidle_client_port = -1;
static int hf_lbidle_cut = -1;
static int hf_lbidle_role = -1;
static int hf_lbidle_behaviour = -1;
static int hf_lbidle_idle_gap = -1;
static int hf_lbidle_lower_bound = -1;
static int hf_lbidle_upper_bound = -1;
static int hf_lbidle_cuts = -1;
static int hf_lbidle_confidence = -1;
static int hf_lbidle_before_gap_frame = -1;
static int hf_lbidle_resume_frame = -1;
static int hf_lbidle_reset_frame = -1;
static int hf_lbidle_survived_frame = -1;
static int hf_lbidle_retransmissions = -1;
static int hf_lbidle_reset_to_server = -1;
static int hf_lbidle_both_ends_reset = -1;

static gint ett_lbidle = -1;

static expert_field ei_lbidle_reset = EI_INIT;
static expert_field ei_lbidle_resumed = EI_INIT;
static expert_field ei_lbidle_unanswered = EI_INIT;
static expert_field ei_lbidle_gave_up = EI_INIT;

static const value_string role_names[] = {
    { LBIDLE_ROLE_RESUME, "first packet after the idle gap" },
    { LBIDLE_ROLE_RESET, "reset that cut the connection" },
    { LBIDLE_ROLE_RETRANSMISSION, "unanswered retransmission of the first packet after the gap" },
    { 0, NULL }
};

static const value_string behaviour_names[] = {
    { LBIDLE_BEHAVIOUR_RESET_NEXT, "reset on the next packet" },
    { LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY, "reset at expiry" },
    { LBIDLE_BEHAVIOUR_SILENT_DROP, "silent drop" },
    { 0, NULL }
};

static const value_string confidence_names[] = {
    { LBIDLE_CONFIDENCE_LOW, "low" },
    { LBIDLE_CONFIDENCE_MEDIUM, "medium" },
    { LBIDLE_CONFIDENCE_HIGH, "high" },
    { 0, NULL }
};

/* ---- preferences and the tracker ------------------------------------------ */

static guint pref_max_connections = LBIDLE_DEFAULT_MAX_CONNECTIONS;
static guint pref_max_cuts = LBIDLE_DEFAULT_MAX_CUTS;
static guint pref_stitch_from_frame;

static lbidle_tracker_t *tracker;

static void lbidle_init(void)
{
    lbidle_config_t config = {
        .max_connections = pref_max_connections,
        .max_services = LBIDLE_DEFAULT_MAX_SERVICES,
        .max_cuts = pref_max_cuts,
        .stitch_from_frame = pref_stitch_from_frame,
    };
    if (tracker)
        lbidle_tracker_configure(tracker, &config);
    else
        tracker = lbidle_tracker_new(&config);
}

static void lbidle_cleanup(void)
{
    if (tracker)
        lbidle_tracker_reset(tracker);
}

static void feed(packet_info *pinfo, const frame_facts_t *facts)
{
    const frame_tcp_t *h = &facts->innermost;
    if (!facts->n_tcp || h->quoted_in_icmp || (h->src.type != AT_IPv4 && h->src.type != AT_IPv6) ||
        h->dst.type != h->src.type)
        return;
    lbidle_segment_t seg = {
        .frame = pinfo->num,
        .ts = frame_time(&pinfo->abs_ts),
        .src_port = h->src_port,
        .dst_port = h->dst_port,
        .seq = h->seq,
        .ack = h->ack,
        .flags = h->flags,
        .payload_len = h->payload_len,
    };
    host_addr_from_address(&h->src, &seg.src);
    host_addr_from_address(&h->dst, &seg.dst);
    lbidle_tracker_feed(tracker, &seg);
}

/* ---- rendering -------------------------------------------------------------- */

/* "8.0 s", "1800.0 s": the gaps the engineer compares with the requirement. */
static char *seconds_str(wmem_allocator_t *scope, const nstime_t *duration)
{
    return wmem_strdup_printf(scope, "%.1f s", nstime_to_sec(duration));
}

static void add_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(t, hf, tvb, 0, 0, value));
}

static void add_time(proto_tree *t, int hf, tvbuff_t *tvb, const nstime_t *duration)
{
    proto_item_set_generated(proto_tree_add_time(t, hf, tvb, 0, 0, duration));
}

static char *vip_str(wmem_allocator_t *scope, const lbidle_service_t *s)
{
    guint16 port;
    const host_addr_t *addr = lbidle_service_addr(s, &port);
    char buf[64];
    return wmem_strdup(scope, host_endpoint_to_str(addr, port, buf, sizeof buf));
}

static void render_expert(packet_info *pinfo, proto_item *item, const lbidle_verdict_t *v, const lbidle_timer_t *timer)
{
    wmem_allocator_t *s = pinfo->pool;
    const lbidle_cut_t *cut = v->cut;
    const char *vip = vip_str(s, cut->service);
    const char *gap = seconds_str(s, &cut->idle_gap);
    const char *bounds = wmem_strdup_printf(s, "the balancer's TCP idle timeout is between %s and %s "
                                            "(Microsoft requires at least 1800 s)",
                                            seconds_str(s, &timer->lower_bound), seconds_str(s, &timer->upper_bound));
    switch (v->role) {
    case LBIDLE_ROLE_RESET:
        expert_add_info_format(pinfo, item, &ei_lbidle_reset, "Connection to %s reset after %s idle: %s", vip, gap,
                               bounds);
        break;
    case LBIDLE_ROLE_RESUME:
        expert_add_info_format(pinfo, item, &ei_lbidle_resumed, "First packet to %s after %s idle: %s", vip, gap,
                               cut->behaviour == LBIDLE_BEHAVIOUR_SILENT_DROP ? "never answered" : "drew a reset");
        break;
    case LBIDLE_ROLE_RETRANSMISSION:
        if (pinfo->num == cut->last_retransmission_frame && PINFO_FD_VISITED(pinfo))
            expert_add_info_format(pinfo, item, &ei_lbidle_gave_up,
                                   "Last retransmission: the sender gave up on %s after %s idle and %u "
                                   "unanswered retransmissions: %s", vip, gap, cut->retransmissions, bounds);
        else
            expert_add_info_format(pinfo, item, &ei_lbidle_unanswered,
                                   "Sent again after %s idle, unanswered: %s", gap, bounds);
        break;
    default:
        break;
    }
}

/* First in the Info column, like lbsnat's tag. */
static void render_info_tag(packet_info *pinfo, const lbidle_verdict_t *v)
{
    const char *gap = seconds_str(pinfo->pool, &v->cut->idle_gap);
    switch (v->role) {
    case LBIDLE_ROLE_RESET:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[Idle timeout: reset after %s idle] ", gap);
        break;
    case LBIDLE_ROLE_RESUME:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[Idle timeout: first packet after %s idle] ", gap);
        break;
    case LBIDLE_ROLE_RETRANSMISSION:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[Idle timeout: unanswered after %s idle] ", gap);
        break;
    default:
        break;
    }
}

static void render_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const lbidle_verdict_t *v,
                           const lbidle_timer_t *timer)
{
    const lbidle_cut_t *cut = v->cut;
    guint16 vip_port;
    const host_addr_t *vip = lbidle_service_addr(cut->service, &vip_port);
    wmem_allocator_t *s = pinfo->pool;
    proto_item *top = proto_tree_add_protocol_format(tree, proto_lbidle, tvb, 0, 0,
        "Load balancer idle timeout: connection to %s cut after %s idle (%s); timeout between %s and %s",
        vip_str(s, cut->service), seconds_str(s, &cut->idle_gap), lbidle_behaviour_name(cut->behaviour),
        seconds_str(s, &timer->lower_bound), seconds_str(s, &timer->upper_bound));
    proto_tree *t = proto_item_add_subtree(top, ett_lbidle);

    host_addr_add_item(t, hf_lbidle_vip_v4, hf_lbidle_vip_v6, tvb, vip);
    add_uint(t, hf_lbidle_vip_port, tvb, vip_port);
    host_addr_add_item(t, hf_lbidle_client_v4, hf_lbidle_client_v6, tvb, &cut->client);
    add_uint(t, hf_lbidle_client_port, tvb, cut->client_port);
    add_uint(t, hf_lbidle_cut, tvb, cut->id);
    add_uint(t, hf_lbidle_role, tvb, v->role);
    add_uint(t, hf_lbidle_behaviour, tvb, cut->behaviour);
    add_time(t, hf_lbidle_idle_gap, tvb, &cut->idle_gap);
    add_time(t, hf_lbidle_lower_bound, tvb, &timer->lower_bound);
    add_time(t, hf_lbidle_upper_bound, tvb, &timer->upper_bound);
    add_uint(t, hf_lbidle_cuts, tvb, timer->cuts);
    add_uint(t, hf_lbidle_confidence, tvb, timer->confidence);
    add_uint(t, hf_lbidle_before_gap_frame, tvb, cut->before_gap_frame);
    if (cut->resume_frame)
        add_uint(t, hf_lbidle_resume_frame, tvb, cut->resume_frame);
    if (cut->reset_frame) {
        add_uint(t, hf_lbidle_reset_frame, tvb, cut->reset_frame);
        proto_item_set_generated(proto_tree_add_boolean(t, hf_lbidle_reset_to_server, tvb, 0, 0,
                                                        cut->reset_to_server));
        proto_item_set_generated(proto_tree_add_boolean(t, hf_lbidle_both_ends_reset, tvb, 0, 0, cut->paired));
    }
    if (timer->lower_bound_frame)
        add_uint(t, hf_lbidle_survived_frame, tvb, timer->lower_bound_frame);
    if (cut->retransmissions)
        add_uint(t, hf_lbidle_retransmissions, tvb, cut->retransmissions);

    render_expert(pinfo, top, v, timer);
    render_info_tag(pinfo, v);
}

/* The report hears of every cut, every new longest survived gap and every
 * connection opened, whether or not the timer is bounded yet: a part of a
 * capture set may hold the cuts and another the gaps that bound them
 * (-z mcudiag,merge). */
static void queue_tap(packet_info *pinfo, const lbidle_service_t *service, const lbidle_verdict_t *v,
                      gboolean opened)
{
    lbidle_tap_info_t *info = wmem_new0(pinfo->pool, lbidle_tap_info_t);
    info->service = service;
    info->cut = v ? v->cut : NULL;
    info->role = v ? v->role : LBIDLE_ROLE_NONE;
    info->opened = opened;
    info->frame = pinfo->num;
    info->tracker = tracker;
    tap_queue_packet(lbidle_tap, pinfo, info);
}

static int dissect_lbidle(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!PINFO_FD_VISITED(pinfo))
        feed(pinfo, frame_facts_of(tvb, pinfo));
    const lbidle_service_t *survival = lbidle_tracker_survival(tracker, pinfo->num);
    if (survival)
        queue_tap(pinfo, survival, NULL, FALSE);
    const lbidle_service_t *opened = lbidle_tracker_opened(tracker, pinfo->num);
    if (opened)
        queue_tap(pinfo, opened, NULL, TRUE);
    const lbidle_verdict_t *v = lbidle_tracker_verdict(tracker, pinfo->num);
    if (!v || v->cut->withdrawn)
        return 0;
    queue_tap(pinfo, v->cut->service, v, FALSE);
    lbidle_timer_t timer;
    lbidle_service_timer(v->cut->service, &timer);
    if (timer.found)
        render_verdict(tvb, pinfo, tree, v, &timer);
    return 0;
}

/* ---- registration ------------------------------------------------------------ */

void proto_register_lbidle(void)
{
    static hf_register_info hf[] = {
        /* Typed addresses, one field per family as ip.src and ipv6.src are:
         * Wireshark 4.0's filter compiler takes the first field of a name, so
         * one name for both types would not filter one of them. */
        { &hf_lbidle_vip_v4, { "VIP", "lbidle.vip", FT_IPv4, BASE_NONE, NULL, 0,
            "Address the clients connect to (the service whose connections were cut)", HFILL } },
        { &hf_lbidle_vip_v6, { "VIP (IPv6)", "lbidle.vip.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "Address the clients connect to (the service whose connections were cut)", HFILL } },
        { &hf_lbidle_vip_port, { "VIP port", "lbidle.vip_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbidle_client_v4, { "Client", "lbidle.client", FT_IPv4, BASE_NONE, NULL, 0,
            "The end that opened the cut connection", HFILL } },
        { &hf_lbidle_client_v6, { "Client (IPv6)", "lbidle.client.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "The end that opened the cut connection", HFILL } },
        { &hf_lbidle_client_port, { "Client port", "lbidle.client_port", FT_UINT16, BASE_DEC, NULL, 0, NULL,
            HFILL } },
        { &hf_lbidle_cut, { "Cut connection", "lbidle.cut", FT_UINT32, BASE_DEC, NULL, 0,
            "Connection cut after an idle gap (1, 2, ... in order of detection)", HFILL } },
        { &hf_lbidle_role, { "Role", "lbidle.role", FT_UINT8, BASE_DEC, VALS(role_names), 0,
            "What this frame is to the cut connection", HFILL } },
        { &hf_lbidle_behaviour, { "Behaviour", "lbidle.behaviour", FT_UINT8, BASE_DEC, VALS(behaviour_names), 0,
            "What the balancer did with the connection it forgot", HFILL } },
        { &hf_lbidle_idle_gap, { "Idle gap", "lbidle.idle_gap", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
            "Silence on the connection before it was cut", HFILL } },
        { &hf_lbidle_lower_bound, { "Timeout at least", "lbidle.lower_bound", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
            "Longest idle gap a connection to this VIP survived", HFILL } },
        { &hf_lbidle_upper_bound, { "Timeout at most", "lbidle.upper_bound", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
            "Shortest idle gap that cut a connection to this VIP", HFILL } },
        { &hf_lbidle_cuts, { "Connections cut", "lbidle.cuts", FT_UINT32, BASE_DEC, NULL, 0,
            "Connections to this VIP cut after an idle gap", HFILL } },
        { &hf_lbidle_confidence, { "Confidence", "lbidle.confidence", FT_UINT8, BASE_DEC, VALS(confidence_names), 0,
            "High when the server's end was reset too (from the client's address, or both ends at once): no "
            "server resets itself", HFILL } },
        { &hf_lbidle_before_gap_frame, { "Last packet before the gap", "lbidle.before_gap_frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_lbidle_resume_frame, { "First packet after the gap", "lbidle.resume_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, NULL, HFILL } },
        { &hf_lbidle_reset_frame, { "Reset in frame", "lbidle.reset_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, NULL, HFILL } },
        { &hf_lbidle_survived_frame, { "Longest survived gap ended in frame", "lbidle.survived_frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0, "The packet after the longest idle gap a connection to this VIP survived", HFILL } },
        { &hf_lbidle_retransmissions, { "Unanswered retransmissions", "lbidle.retransmissions", FT_UINT32, BASE_DEC,
            NULL, 0, NULL, HFILL } },
        { &hf_lbidle_reset_to_server, { "Reset sent to the server's end", "lbidle.reset_to_server", FT_BOOLEAN,
            BASE_NONE, NULL, 0, "The RST came from the client's address (at a member: from the balancer)", HFILL } },
        { &hf_lbidle_both_ends_reset, { "Both ends reset at once", "lbidle.both_ends_reset", FT_BOOLEAN, BASE_NONE,
            NULL, 0, "Another connection was reset the other way at the same moment", HFILL } },
    };
    static gint *ett[] = { &ett_lbidle };
    static ei_register_info ei[] = {
        { &ei_lbidle_reset, { "lbidle.idle_reset", PI_PROTOCOL, PI_WARN,
            "Connection reset after an idle gap: the balancer's TCP idle timeout is too short", EXPFILL } },
        { &ei_lbidle_resumed, { "lbidle.resumed", PI_SEQUENCE, PI_NOTE,
            "First packet after an idle gap longer than the balancer's timeout", EXPFILL } },
        { &ei_lbidle_unanswered, { "lbidle.unanswered", PI_SEQUENCE, PI_NOTE,
            "Retransmitted after an idle gap, unanswered: the balancer dropped the flow", EXPFILL } },
        { &ei_lbidle_gave_up, { "lbidle.gave_up", PI_PROTOCOL, PI_WARN,
            "The sender gave up after an idle gap: the balancer's TCP idle timeout is too short", EXPFILL } },
    };

    proto_lbidle = proto_register_protocol("Load balancer idle-timeout analysis", "LBIDLE", "lbidle");
    proto_register_field_array(proto_lbidle, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_lbidle), ei, array_length(ei));

    module_t *module = prefs_register_protocol(proto_lbidle, NULL);
    prefs_register_uint_preference(module, "max_connections", "Connections followed",
        "Bound on the connections followed at once; beyond it the least recently active is forgotten. "
        "Each costs about 150 bytes.", 10, &pref_max_connections);
    prefs_register_uint_preference(module, "max_cuts", "Cut connections kept",
        "Bound on the connections cut after an idle gap kept for display.", 10, &pref_max_cuts);
    prefs_register_uint_preference(module, "stitch_from_frame", "First own frame of a part of a capture set",
        "Set by mcudiag-batch when the capture is one part of a capture set whose frames before this one "
        "re-read the end of the part before: -z mcudiag,json then also writes what joins an idle gap across "
        "the part's boundaries. 0 (the default) for a capture read on its own.", 10, &pref_stitch_from_frame);

    lbidle_tap = register_tap("lbidle");
    lbidle_handle = analysis_postdissector_handle(dissect_lbidle, proto_lbidle);
    register_init_routine(lbidle_init);
    register_cleanup_routine(lbidle_cleanup);
}

void proto_reg_handoff_lbidle(void)
{
    register_postdissector(lbidle_handle);
}
