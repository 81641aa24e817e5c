/* packet-lbdsr.c — "lbdsr": a load balancer answering by direct server
 * return, which Skype for Business does not support for its pools. Its own
 * postdissector feeds the tracker (lbdsr_track.h) each TCP header with the
 * frame's Ethernet addresses as Wireshark parsed them (pinfo->dl_src and
 * dl_dst), and the TTL or hop limit from the IP layer's tap record; then
 * marks the frames of each connection answered by DSR: the SYN to the
 * balancer's MAC, the balancer's layer-2 forward, the VIP's SYN-ACK from a
 * member's MAC (tree, expert info, Info column tag, tap for -z mcudiag).
 *
 * The same postdissector also shows "lbhairpin", self-selection on a
 * balancer without SNAT (lbdsr_hairpin_t): a caller's own SYN to a VIP handed
 * back to it. It is its own protocol (fields, expert info, tap) fed by the
 * same tracker, which already holds each SYN's Ethernet addresses.
 *
 * State is decided on the first pass, TTLs included (the frame's facts carry
 * the TTL or hop limit on every pass, tshark -2's first one too): a
 * connection whose crossing packet was routed (asymmetric routing, not DSR)
 * is never shown, whichever pass shows it, even on frames before that packet.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "frame_facts.h"
#include "host_addr_epan.h"
#include "frame_time.h"
#include "lbdsr/lbdsr_tap.h"
#include "plugin_protocols.h"
#include "ws_compat.h"

static int proto_lbdsr = -1;
static dissector_handle_t lbdsr_handle;
static int lbdsr_tap = -1;

static int hf_lbdsr_conn = -1;
static int hf_lbdsr_role = -1;
static int hf_lbdsr_view = -1;
static int hf_lbdsr_vip_v4 = -1;
static int hf_lbdsr_vip_v6 = -1;
static int hf_lbdsr_vip_port = -1;
static int hf_lbdsr_client_v4 = -1;
static int hf_lbdsr_client_v6 = -1;
static int hf_lbdsr_client_port = -1;
static int hf_lbdsr_balancer_mac = -1;
static int hf_lbdsr_member_mac = -1;
static int hf_lbdsr_client_mac = -1;
static int hf_lbdsr_syn_frame = -1;
static int hf_lbdsr_forward_frame = -1;
static int hf_lbdsr_answer_frame = -1;
static int hf_lbdsr_ttl = -1;
static gint ett_lbdsr = -1;
static expert_field ei_lbdsr_answer = EI_INIT;
static expert_field ei_lbdsr_syn = EI_INIT;
static expert_field ei_lbdsr_forward = EI_INIT;

static int proto_lbhairpin = -1;
static int lbhairpin_tap = -1;
static int hf_lbhairpin_vip_v4 = -1;
static int hf_lbhairpin_vip_v6 = -1;
static int hf_lbhairpin_vip_port = -1;
static int hf_lbhairpin_member_v4 = -1;
static int hf_lbhairpin_member_v6 = -1;
static int hf_lbhairpin_member_port = -1;
static int hf_lbhairpin_balancer_mac = -1;
static int hf_lbhairpin_syn_frame = -1;
static int hf_lbhairpin_returned_frame = -1;
static int hf_lbhairpin_returned = -1;
static gint ett_lbhairpin = -1;
static expert_field ei_lbhairpin_returned = EI_INIT;
static expert_field ei_lbhairpin_syn = EI_INIT;

static lbdsr_tracker_t *tracker;

static const value_string role_names[] = {
    { LBDSR_ROLE_SYN, "client SYN to the VIP at the balancer's MAC" },
    { LBDSR_ROLE_FORWARD, "balancer's layer-2 forward of the SYN to a member" },
    { LBDSR_ROLE_ANSWER, "VIP's SYN-ACK from a member's MAC" },
    { 0, NULL }
};

static const value_string view_names[] = {
    { LBDSR_VIEW_CALLER, "answered from another MAC than the one called (client or segment)" },
    { LBDSR_VIEW_MEMBER, "answered to another MAC than the one that delivered the SYN (member)" },
    { 0, NULL }
};

static void register_lbhairpin(void);

static void lbdsr_init(void)
{
    lbdsr_config_t config;
    lbdsr_config_default(&config);
    tracker = lbdsr_tracker_new(&config);
}

static void lbdsr_cleanup(void)
{
    lbdsr_tracker_free(tracker);
    tracker = NULL;
}

static gboolean to_mac(const address *a, lbdsr_mac_t *out)
{
    if (a->type != AT_ETHER || a->len != 6)
        return FALSE;
    memcpy(out->bytes, a->data, 6);
    return TRUE;
}

/* The TTL or hop limit of the IP header carrying the frame's TCP header: the
 * last record of its family's tap; 0 where nothing was tapped (tshark -2's
 * first pass). */
static void learn(packet_info *pinfo, const frame_tcp_t *tcp)
{
    lbdsr_segment_t seg;
    memset(&seg, 0, sizeof seg);
    if (!to_mac(&pinfo->dl_src, &seg.src_mac) || !to_mac(&pinfo->dl_dst, &seg.dst_mac))
        return;
    seg.frame = pinfo->num;
    seg.ts = frame_time(&pinfo->abs_ts);
    host_addr_from_address(&tcp->src, &seg.src);
    host_addr_from_address(&tcp->dst, &seg.dst);
    seg.src_port = tcp->src_port;
    seg.dst_port = tcp->dst_port;
    seg.flags = tcp->flags;
    seg.seq = tcp->seq;
    seg.ack = tcp->ack;
    lbdsr_tracker_feed(tracker, &seg);
}

static void add_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(t, hf, tvb, 0, 0, value));
}

static void add_mac(proto_tree *t, int hf, tvbuff_t *tvb, const lbdsr_mac_t *m)
{
    proto_item_set_generated(proto_tree_add_ether(t, hf, tvb, 0, 0, m->bytes));
}

static char *endpoint_str(wmem_allocator_t *scope, const host_addr_t *a, guint16 port)
{
    char buf[HOST_ENDPOINT_STRLEN];
    return wmem_strdup(scope, host_endpoint_to_str(a, port, buf, sizeof buf));
}

static char *vip_str(wmem_allocator_t *scope, const lbdsr_conn_t *c)
{
    return endpoint_str(scope, &c->vip->vip, c->vip->port);
}

static void render_expert_and_info(packet_info *pinfo, proto_item *top, const lbdsr_verdict_t *v)
{
    const lbdsr_conn_t *c = v->conn;
    char member[32], balancer[32];
    lbdsr_mac_to_str(&c->member_mac, member, sizeof member);
    lbdsr_mac_to_str(&c->balancer_mac, balancer, sizeof balancer);
    const char *vip = vip_str(pinfo->pool, c);
    switch (v->role) {
    case LBDSR_ROLE_ANSWER:
        expert_add_info_format(pinfo, top, &ei_lbdsr_answer,
                               "Direct server return: VIP %s answered from member MAC %s, not from balancer MAC %s "
                               "(not supported for Skype for Business pools)", vip, member, balancer);
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[DSR: VIP %s answered from MAC %s] ", vip, member);
        break;
    case LBDSR_ROLE_SYN:
        expert_add_info_format(pinfo, top, &ei_lbdsr_syn, "SYN to VIP %s via balancer MAC %s, answered by DSR",
                               vip, balancer);
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[DSR: SYN to VIP] ");
        break;
    case LBDSR_ROLE_FORWARD:
        expert_add_info_format(pinfo, top, &ei_lbdsr_forward,
                               "Balancer MAC %s forwarded the SYN to VIP %s at layer 2 to member MAC %s", balancer,
                               vip, member);
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[DSR: balancer forward] ");
        break;
    }
}

static void queue_tap(packet_info *pinfo, const lbdsr_conn_t *c, lbdsr_role_t role, guint32 frame)
{
    lbdsr_tap_info_t *info = wmem_new0(pinfo->pool, lbdsr_tap_info_t);
    info->conn = c;
    info->role = role;
    info->frame = frame;
    tap_queue_packet(lbdsr_tap, pinfo, info);
}

static void render_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const lbdsr_verdict_t *v)
{
    const lbdsr_conn_t *c = v->conn;
    proto_item *top = proto_tree_add_protocol_format(tree, proto_lbdsr, tvb, 0, 0,
        "Load balancer direct server return: VIP %s (%s)", vip_str(pinfo->pool, c),
        val_to_str_const(v->role, role_names, "?"));
    proto_tree *t = proto_item_add_subtree(top, ett_lbdsr);
    add_uint(t, hf_lbdsr_conn, tvb, c->id);
    add_uint(t, hf_lbdsr_role, tvb, v->role);
    add_uint(t, hf_lbdsr_view, tvb, c->view);
    host_addr_add_item(t, hf_lbdsr_vip_v4, hf_lbdsr_vip_v6, tvb, &c->vip->vip);
    add_uint(t, hf_lbdsr_vip_port, tvb, c->vip->port);
    host_addr_add_item(t, hf_lbdsr_client_v4, hf_lbdsr_client_v6, tvb, &c->client);
    add_uint(t, hf_lbdsr_client_port, tvb, c->client_port);
    add_mac(t, hf_lbdsr_balancer_mac, tvb, &c->balancer_mac);
    add_mac(t, hf_lbdsr_member_mac, tvb, &c->member_mac);
    if (c->view == LBDSR_VIEW_MEMBER)
        add_mac(t, hf_lbdsr_client_mac, tvb, &c->client_mac);
    add_uint(t, hf_lbdsr_syn_frame, tvb, c->syn_frame);
    if (c->forward_frame)
        add_uint(t, hf_lbdsr_forward_frame, tvb, c->forward_frame);
    add_uint(t, hf_lbdsr_answer_frame, tvb, c->answer_frame);
    const guint8 ttl = c->view == LBDSR_VIEW_CALLER ? c->answer_ttl : c->syn_ttl;
    if (ttl)
        add_uint(t, hf_lbdsr_ttl, tvb, ttl);
    render_expert_and_info(pinfo, top, v);

    queue_tap(pinfo, c, v->role, pinfo->num);
    /* One pass learns what the SYN and the balancer's forward were only at
     * the answer: the report hears of them now (the frames keep their own
     * numbers); -2 and the GUI's later passes tap them on their own frames. */
    if (v->role == LBDSR_ROLE_ANSWER && !PINFO_FD_VISITED(pinfo) && pinfo->num == c->answer_frame) {
        queue_tap(pinfo, c, LBDSR_ROLE_SYN, c->syn_frame);
        if (c->forward_frame)
            queue_tap(pinfo, c, LBDSR_ROLE_FORWARD, c->forward_frame);
    }
}

static void render_hairpin(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const lbdsr_hairpin_t *h,
                           gboolean returned)
{
    const char *vip = endpoint_str(pinfo->pool, &h->vip, h->vip_port);
    const char *member = host_addr_to_wmem_str(pinfo->pool, &h->caller);
    proto_item *top = proto_tree_add_protocol_format(tree, proto_lbhairpin, tvb, 0, 0,
        "Load balancer self-selection: VIP %s handed %s its own SYN (%s)", vip, member,
        returned ? "the returned SYN" : "the SYN to the VIP");
    proto_tree *t = proto_item_add_subtree(top, ett_lbhairpin);
    host_addr_add_item(t, hf_lbhairpin_vip_v4, hf_lbhairpin_vip_v6, tvb, &h->vip);
    add_uint(t, hf_lbhairpin_vip_port, tvb, h->vip_port);
    host_addr_add_item(t, hf_lbhairpin_member_v4, hf_lbhairpin_member_v6, tvb, &h->caller);
    add_uint(t, hf_lbhairpin_member_port, tvb, h->caller_port);
    add_mac(t, hf_lbhairpin_balancer_mac, tvb, &h->balancer_mac);
    add_uint(t, hf_lbhairpin_syn_frame, tvb, h->syn_frame);
    add_uint(t, hf_lbhairpin_returned_frame, tvb, h->first_return_frame);
    proto_item_set_generated(proto_tree_add_boolean(t, hf_lbhairpin_returned, tvb, 0, 0, returned));
    if (returned) {
        char balancer[32];
        expert_add_info_format(pinfo, top, &ei_lbhairpin_returned,
                               "Self-selection: the balancer (MAC %s) handed %s's own SYN to VIP %s back to it, "
                               "source and destination %s: the host drops it (no SNAT)",
                               lbdsr_mac_to_str(&h->balancer_mac, balancer, sizeof balancer), member, vip, member);
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[Hairpin: own SYN back from VIP %s] ", vip);
    } else {
        expert_add_info_format(pinfo, top, &ei_lbhairpin_syn, "SYN to VIP %s that the balancer hands back to %s",
                               vip, member);
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[Hairpin: SYN to own VIP] ");
    }
    lbhairpin_tap_info_t *info = wmem_new0(pinfo->pool, lbhairpin_tap_info_t);
    info->hairpin = h;
    info->returned = returned;
    info->frame = pinfo->num;
    tap_queue_packet(lbhairpin_tap, pinfo, info);
}

static int dissect_lbdsr(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!tracker || pinfo->dl_src.type != AT_ETHER || pinfo->dl_dst.type != AT_ETHER)
        return 0;
    const frame_facts_t *facts = frame_facts_of(tvb, pinfo);
    if (facts->n_tcp != 1 || facts->innermost.quoted_in_icmp)
        return 0;
    if (!PINFO_FD_VISITED(pinfo)) {
        learn(pinfo, &facts->innermost);
        /* Only a SYN or SYN-ACK crosses from another MAC. */
        if (facts->innermost.ttl && (facts->innermost.flags & TH_SYN))
            lbdsr_tracker_note_ttl(tracker, pinfo->num, facts->innermost.ttl);
    }
    const lbdsr_verdict_t *v = lbdsr_tracker_verdict(tracker, pinfo->num);
    if (v && !v->conn->vip->withdrawn && !v->conn->withdrawn && !lbdsr_conn_routed(v->conn))
        render_verdict(tvb, pinfo, tree, v);
    gboolean returned;
    const lbdsr_hairpin_t *h = lbdsr_tracker_hairpin(tracker, pinfo->num, &returned);
    if (h && proto_is_protocol_enabled(find_protocol_by_id(proto_lbhairpin)))
        render_hairpin(tvb, pinfo, tree, h, returned);
    return 0;
}

void proto_register_lbdsr(void)
{
    static hf_register_info hf[] = {
        { &hf_lbdsr_conn, { "Connection", "lbdsr.conn", FT_UINT32, BASE_DEC, NULL, 0,
            "Connection (client, port, VIP, ISN) answered by direct server return", HFILL } },
        { &hf_lbdsr_role, { "Role", "lbdsr.role", FT_UINT8, BASE_DEC, VALS(role_names), 0,
            "What this frame is to the connection", HFILL } },
        { &hf_lbdsr_view, { "Seen as", "lbdsr.view", FT_UINT8, BASE_DEC, VALS(view_names), 0,
            "Which Ethernet addresses show it: where the SYN went and the answer came from, or where the SYN came "
            "from and the answer went", HFILL } },
        { &hf_lbdsr_vip_v4, { "VIP", "lbdsr.vip", FT_IPv4, BASE_NONE, NULL, 0,
            "Address the client called, answered by a member directly", HFILL } },
        { &hf_lbdsr_vip_v6, { "VIP (IPv6)", "lbdsr.vip.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "Address the client called, answered by a member directly", HFILL } },
        { &hf_lbdsr_vip_port, { "VIP port", "lbdsr.vip_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_client_v4, { "Client", "lbdsr.client", FT_IPv4, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_client_v6, { "Client (IPv6)", "lbdsr.client.v6", FT_IPv6, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_client_port, { "Client port", "lbdsr.client_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_balancer_mac, { "Balancer MAC", "lbdsr.balancer_mac", FT_ETHER, BASE_NONE, NULL, 0,
            "MAC the client's SYN went to (at the member: came from), which never sends as the VIP", HFILL } },
        { &hf_lbdsr_member_mac, { "Member MAC", "lbdsr.member_mac", FT_ETHER, BASE_NONE, NULL, 0,
            "MAC the VIP's SYN-ACK came from: the pool member that answered", HFILL } },
        { &hf_lbdsr_client_mac, { "Client MAC", "lbdsr.client_mac", FT_ETHER, BASE_NONE, NULL, 0,
            "MAC the member's SYN-ACK went to, straight past the balancer", HFILL } },
        { &hf_lbdsr_syn_frame, { "SYN in frame", "lbdsr.syn_frame", FT_FRAMENUM, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_forward_frame, { "Balancer forward in frame", "lbdsr.forward_frame", FT_FRAMENUM, BASE_NONE,
            NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_answer_frame, { "SYN-ACK from the member in frame", "lbdsr.answer_frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_lbdsr_ttl, { "TTL of the crossing packet", "lbdsr.ttl", FT_UINT8, BASE_DEC, NULL, 0,
            "TTL or hop limit of the SYN-ACK (at the member: of the SYN): an initial value, so not routed", HFILL } },
    };
    static gint *ett[] = { &ett_lbdsr };
    static ei_register_info ei[] = {
        { &ei_lbdsr_answer, { "lbdsr.dsr", PI_PROTOCOL, PI_WARN,
            "Direct server return: the VIP answered from a member's MAC (not supported for Skype for Business pools)",
            EXPFILL } },
        { &ei_lbdsr_syn, { "lbdsr.syn_to_balancer", PI_SEQUENCE, PI_NOTE,
            "SYN to a VIP via the balancer's MAC, answered by direct server return", EXPFILL } },
        { &ei_lbdsr_forward, { "lbdsr.forward", PI_SEQUENCE, PI_NOTE,
            "The balancer forwarded the SYN to a member at layer 2 (destination MAC only)", EXPFILL } },
    };
    proto_lbdsr = proto_register_protocol("Load balancer direct server return", "LBDSR", "lbdsr");
    lbdsr_handle = analysis_postdissector_handle(dissect_lbdsr, proto_lbdsr);
    proto_register_field_array(proto_lbdsr, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_lbdsr), ei, array_length(ei));
    lbdsr_tap = register_tap("lbdsr");
    register_init_routine(lbdsr_init);
    register_cleanup_routine(lbdsr_cleanup);
    register_lbhairpin();
}

static void register_lbhairpin(void)
{
    static hf_register_info hf[] = {
        { &hf_lbhairpin_vip_v4, { "VIP", "lbhairpin.vip", FT_IPv4, BASE_NONE, NULL, 0,
            "The pool VIP the member called", HFILL } },
        { &hf_lbhairpin_vip_v6, { "VIP (IPv6)", "lbhairpin.vip.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "The pool VIP the member called", HFILL } },
        { &hf_lbhairpin_vip_port, { "VIP port", "lbhairpin.vip_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbhairpin_member_v4, { "Member", "lbhairpin.member", FT_IPv4, BASE_NONE, NULL, 0,
            "The pool member that called its own VIP and was handed its own SYN", HFILL } },
        { &hf_lbhairpin_member_v6, { "Member (IPv6)", "lbhairpin.member.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "The pool member that called its own VIP and was handed its own SYN", HFILL } },
        { &hf_lbhairpin_member_port, { "Member port", "lbhairpin.member_port", FT_UINT16, BASE_DEC, NULL, 0, NULL,
            HFILL } },
        { &hf_lbhairpin_balancer_mac, { "Balancer MAC", "lbhairpin.balancer_mac", FT_ETHER, BASE_NONE, NULL, 0,
            "MAC the returned SYN came from", HFILL } },
        { &hf_lbhairpin_syn_frame, { "SYN to the VIP in frame", "lbhairpin.syn_frame", FT_FRAMENUM, BASE_NONE, NULL,
            0, NULL, HFILL } },
        { &hf_lbhairpin_returned_frame, { "Returned SYN in frame", "lbhairpin.returned_frame", FT_FRAMENUM,
            BASE_NONE, NULL, 0, "The first of the member's own SYNs handed back to it", HFILL } },
        { &hf_lbhairpin_returned, { "Returned SYN", "lbhairpin.returned", FT_BOOLEAN, BASE_NONE, NULL, 0,
            "This frame is the member's own SYN handed back by the balancer", HFILL } },
    };
    static gint *ett[] = { &ett_lbhairpin };
    static ei_register_info ei[] = {
        { &ei_lbhairpin_returned, { "lbhairpin.self_selected", PI_PROTOCOL, PI_WARN,
            "Self-selection: the balancer handed a pool member's own SYN to its VIP back to it (no SNAT)",
            EXPFILL } },
        { &ei_lbhairpin_syn, { "lbhairpin.syn_to_own_vip", PI_SEQUENCE, PI_NOTE,
            "SYN to the member's own pool VIP, handed back to it", EXPFILL } },
    };
    proto_lbhairpin = proto_register_protocol("Load balancer self-selection (hairpin without SNAT)", "LBHAIRPIN",
                                              "lbhairpin");
    proto_register_field_array(proto_lbhairpin, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_lbhairpin), ei, array_length(ei));
    lbhairpin_tap = register_tap("lbhairpin");
}

void proto_reg_handoff_lbdsr(void)
{
    register_postdissector(lbdsr_handle);
}
