/* packet-lbsnat.c — "lbsnat", a postdissector that spots load-balancer VIPs
 * forwarding without source NAT: a client SYN to the VIP answered by a SYN-ACK
 * from another address (the pool member), which the client resets.
 *
 * It reads each frame's TCP header (and, inside ICMP errors, the quoted one)
 * from TCP's tap record (frame_facts.h, no protocol tree), feeds it to the
 * tracker on the first pass (on the first request for the frame's verdict:
 * its own postdissector's or c3pconn's, plugin_protocols.h) and renders the
 * tracker's verdict for the frame on every pass. So one pass marks a frame
 * with what earlier frames explain; the GUI and tshark -2 also mark frames
 * that only later frames explain (the SYN).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/range.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/uat.h>
#include <wsutil/inet_addr.h>

#include "frame_facts.h"
#include "frame_time.h"
#include "host_addr_epan.h"
#include "lbsnat/lbsnat_tap.h"
#include "lbsnat/lbsnat_track.h"
#include "plugin_protocols.h"
#include "ws_compat.h"

static int proto_lbsnat = -1;
static dissector_handle_t lbsnat_handle;
static protocol_t *lbsnat_protocol;
static int lbsnat_tap = -1;

static int hf_lbsnat_case = -1;
static int hf_lbsnat_role = -1;
static int hf_lbsnat_vip = -1;
static int hf_lbsnat_vip_v6 = -1;
static int hf_lbsnat_vip_port = -1;
static int hf_lbsnat_member = -1;
static int hf_lbsnat_member_v6 = -1;
static int hf_lbsnat_member_port = -1;
static int hf_lbsnat_client = -1;
static int hf_lbsnat_client_v6 = -1;
static int hf_lbsnat_client_port = -1;
static int hf_lbsnat_syn_frame = -1;
static int hf_lbsnat_synack_frame = -1;
static int hf_lbsnat_rst_frame = -1;
static int hf_lbsnat_rule = -1;
static int hf_lbsnat_confidence = -1;
static int hf_lbsnat_confirmed = -1;
static int hf_lbsnat_members = -1;
static int hf_lbsnat_known_vip = -1;
static int hf_lbsnat_copy_of = -1;
static int hf_lbsnat_rewrite_of = -1;
static int hf_lbsnat_member_view = -1;
static int hf_lbsnat_mv_client = -1;
static int hf_lbsnat_mv_client_v6 = -1;
static int hf_lbsnat_mv_member = -1;
static int hf_lbsnat_mv_member_v6 = -1;
static int hf_lbsnat_mv_member_port = -1;
static int hf_lbsnat_mv_resets = -1;

static gint ett_lbsnat = -1;

static expert_field ei_lbsnat_missing_snat = EI_INIT;
static expert_field ei_lbsnat_syn_to_vip = EI_INIT;
static expert_field ei_lbsnat_client_reset = EI_INIT;
static expert_field ei_lbsnat_client_icmp = EI_INIT;
static expert_field ei_lbsnat_member_view = EI_INIT;

static const value_string role_names[] = {
    { LBSNAT_ROLE_SYN, "client SYN to the VIP" },
    { LBSNAT_ROLE_FOREIGN_SYNACK, "foreign SYN-ACK from a pool member" },
    { LBSNAT_ROLE_CLIENT_RESET, "client reset of the foreign SYN-ACK" },
    { LBSNAT_ROLE_ICMP_ERROR, "client ICMP error about the foreign SYN-ACK" },
    { 0, NULL }
};

static const value_string rule_names[] = {
    { LBSNAT_RULE_ISN_MATCH, "SYN-ACK acknowledges the client's ISN (packet-forwarding balancer)" },
    { LBSNAT_RULE_FULL_PROXY, "VIP completed the handshake and a member answered too (full-proxy balancer)" },
    { 0, NULL }
};

/* The confidence's name is the core's (the report says it too). */
static void confidence_label(gchar *label, guint32 value)
{
    snprintf(label, ITEM_LABEL_LENGTH, "%s (%u)", lbsnat_confidence_name((lbsnat_confidence_t)value), value);
}

/* ---- preferences --------------------------------------------------------- */

static guint pref_window_s = 60;
static guint pref_max_pending = LBSNAT_DEFAULT_MAX_PENDING;
static guint pref_max_cases = LBSNAT_DEFAULT_MAX_CASES;
static range_t *pref_service_ports;

/* One row of the "known VIPs" table. */
typedef struct {
    char *address;
    guint port;
    char *comment;
} known_vip_uat_t;

static known_vip_uat_t *known_vip_rows;
static guint n_known_vip_rows;

UAT_CSTRING_CB_DEF(known_vip, address, known_vip_uat_t)
UAT_DEC_CB_DEF(known_vip, port, known_vip_uat_t)
UAT_CSTRING_CB_DEF(known_vip, comment, known_vip_uat_t)

static gboolean parse_addr(const char *text, host_addr_t *out)
{
    ws_in4_addr v4;
    ws_in6_addr v6;
    if (ws_inet_pton4(text, &v4))
        host_addr_set(out, &v4, sizeof v4);
    else if (ws_inet_pton6(text, &v6))
        host_addr_set(out, &v6, sizeof v6);
    else
        return FALSE;
    return TRUE;
}

static mcudiag_uat_update_result known_vip_update_cb(void *r, char **err)
{
    known_vip_uat_t *row = r;
    host_addr_t addr;
    if (!row->address || !parse_addr(row->address, &addr)) {
        *err = g_strdup_printf("\"%s\" is not an IPv4 or IPv6 address", row->address ? row->address : "");
        return FALSE;
    }
    if (row->port > 65535) {
        *err = g_strdup_printf("port %u is out of range (0 means any port)", row->port);
        return FALSE;
    }
    return TRUE;
}

static void *known_vip_copy_cb(void *dest, const void *src, size_t len _U_)
{
    const known_vip_uat_t *s = src;
    known_vip_uat_t *d = dest;
    d->address = g_strdup(s->address);
    d->port = s->port;
    d->comment = g_strdup(s->comment);
    return d;
}

static void known_vip_free_cb(void *r)
{
    known_vip_uat_t *row = r;
    g_free(row->address);
    g_free(row->comment);
}

/* ---- the tracker and the fields it reads --------------------------------- */

static lbsnat_tracker_t *tracker;
static guint32 fed_frame; /* the last frame fed to the tracker (0: none yet) */

static void lbsnat_init(void)
{
    lbsnat_known_vip_t *vips = g_new0(lbsnat_known_vip_t, n_known_vip_rows + 1);
    guint n = 0;
    for (guint i = 0; i < n_known_vip_rows; i++) {
        if (parse_addr(known_vip_rows[i].address, &vips[n].addr)) {
            vips[n].port = (guint16)known_vip_rows[i].port;
            n++;
        }
    }
    lbsnat_config_t config = {
        .window = NSTIME_INIT_SECS((time_t)pref_window_s),
        .max_pending = pref_max_pending,
        .max_cases = pref_max_cases,
        .known_vips = vips,
        .n_known_vips = n,
    };
    lbsnat_tracker_free(tracker);
    tracker = lbsnat_tracker_new(&config);
    fed_frame = 0;
    g_free(vips);
}

static void lbsnat_cleanup(void)
{
    lbsnat_tracker_free(tracker);
    tracker = NULL;
}

/* Builds the segment for this frame's innermost TCP header; FALSE if none. */
static gboolean extract_segment(packet_info *pinfo, const frame_facts_t *facts, lbsnat_segment_t *seg)
{
    if (!facts->n_tcp)
        return FALSE;
    const frame_tcp_t *h = &facts->innermost;
    if (h->quoted_in_icmp && h->error_sender.type != AT_IPv4 && h->error_sender.type != AT_IPv6)
        return FALSE;
    host_addr_from_address(&h->src, &seg->src);
    host_addr_from_address(&h->dst, &seg->dst);
    seg->src_port = h->src_port;
    seg->dst_port = h->dst_port;
    seg->seq = h->seq;
    seg->ack = h->ack;
    seg->flags = h->flags;
    seg->frame = pinfo->num;
    seg->ts = frame_time(&pinfo->abs_ts);
    seg->quoted_in_icmp = h->quoted_in_icmp;
    if (h->quoted_in_icmp)
        host_addr_from_address(&h->error_sender, &seg->error_sender);
    return TRUE;
}

/* ---- rendering ----------------------------------------------------------- */

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static char *endpoint_str(wmem_allocator_t *scope, const host_addr_t *a, guint16 port)
{
    char buf[HOST_ENDPOINT_STRLEN];
    return wmem_strdup(scope, host_endpoint_to_str(a, port, buf, sizeof buf));
}


static void render_expert(packet_info *pinfo, proto_item *item, const lbsnat_verdict_t *v, const lbsnat_answer_t *ans)
{
    const lbsnat_case_t *c = v->c;
    wmem_allocator_t *s = pinfo->pool;
    const char *vip = endpoint_str(s, &c->vip, c->vip_port);
    const char *member = host_addr_to_wmem_str(s, &ans->member);
    const char *client = host_addr_to_wmem_str(s, &c->client);

    switch (v->role) {
    case LBSNAT_ROLE_FOREIGN_SYNACK:
        if (c->rule == LBSNAT_RULE_ISN_MATCH)
            expert_add_info_format(pinfo, item, &ei_lbsnat_missing_snat,
                                   "Likely missing SNAT: VIP %s forwarded the SYN to %s, which answered %s directly",
                                   vip, member, client);
        else
            expert_add_info_format(pinfo, item, &ei_lbsnat_missing_snat,
                                   "Possibly missing SNAT (full-proxy balancer): VIP %s completed the handshake, "
                                   "then %s answered %s directly",
                                   vip, member, client);
        break;
    case LBSNAT_ROLE_SYN:
        if (ans->synack_frame)
            expert_add_info_format(pinfo, item, &ei_lbsnat_syn_to_vip,
                                   "SYN to VIP %s was answered by %s instead of the VIP", vip, member);
        break;
    case LBSNAT_ROLE_CLIENT_RESET:
        expert_add_info_format(pinfo, item, &ei_lbsnat_client_reset,
                               "Client %s reset the SYN-ACK from %s: it only called VIP %s", client, member, vip);
        break;
    case LBSNAT_ROLE_ICMP_ERROR:
        expert_add_info_format(pinfo, item, &ei_lbsnat_client_icmp,
                               "Client %s rejected the SYN-ACK from %s with an ICMP error: it only called VIP %s",
                               client, member, vip);
        break;
    default:
        break;
    }
}

/* The finding goes first in the Info column, before what TCP wrote (its
 * "[TCP Port numbers reused]" prefix included): col_prepend_fstr() puts text
 * at the very start and moves TCP's fence along, so the engineer reads it
 * without widening the column. The SYN and the reset get a short tag. */
static void render_info_tag(packet_info *pinfo, const lbsnat_verdict_t *v, const lbsnat_answer_t *ans)
{
    const lbsnat_case_t *c = v->c;
    switch (v->role) {
    case LBSNAT_ROLE_FOREIGN_SYNACK:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[No SNAT: VIP %s answered by %s] ",
                         endpoint_str(pinfo->pool, &c->vip, c->vip_port), host_addr_to_wmem_str(pinfo->pool, &ans->member));
        break;
    case LBSNAT_ROLE_SYN:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[No SNAT: SYN to VIP] ");
        break;
    case LBSNAT_ROLE_CLIENT_RESET:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[No SNAT: client reset] ");
        break;
    case LBSNAT_ROLE_ICMP_ERROR:
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[No SNAT: client ICMP error] ");
        break;
    default:
        break;
    }
}

static void queue_tap(packet_info *pinfo, const lbsnat_case_t *c, lbsnat_role_t role,
                      const lbsnat_answer_t *answer, guint32 frame)
{
    lbsnat_tap_info_t *info = wmem_new(pinfo->pool, lbsnat_tap_info_t);
    info->c = c;
    info->role = role;
    info->answer = answer;
    info->frame = frame;
    info->first_answer = role == LBSNAT_ROLE_FOREIGN_SYNACK && answer == &g_array_index(c->answers, lbsnat_answer_t, 0);
    tap_queue_packet(lbsnat_tap, pinfo, info);
}

/* One pass only: SYN-ACKs (and their resets) captured before this SYN were
 * dissected before anything could explain them, so the reports hear of them
 * now. A second pass or a retap reports them at their own frames instead. */
static void queue_answers_seen_before_syn(packet_info *pinfo, const lbsnat_case_t *c)
{
    for (guint i = 0; i < c->answers->len; i++) {
        const lbsnat_answer_t *a = &g_array_index(c->answers, lbsnat_answer_t, i);
        if (a->syn_frame != pinfo->num || a->synack_frame >= pinfo->num)
            continue;
        queue_tap(pinfo, c, LBSNAT_ROLE_FOREIGN_SYNACK, a, a->synack_frame);
        if (a->reset_frame && a->reset_frame < pinfo->num)
            queue_tap(pinfo, c, a->reset_role, a, a->reset_frame);
    }
}

static void render_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const lbsnat_verdict_t *v)
{
    const lbsnat_case_t *c = v->c;
    const lbsnat_answer_t *ans = lbsnat_verdict_answer(v);
    if (!ans)
        return;
    wmem_allocator_t *s = pinfo->pool;

    proto_item *top = proto_tree_add_protocol_format(tree, proto_lbsnat, tvb, 0, 0,
        "Load balancer without SNAT: VIP %s, member %s answered client %s directly (%s)",
        endpoint_str(s, &c->vip, c->vip_port), host_addr_to_wmem_str(s, &ans->member), host_addr_to_wmem_str(s, &c->client),
        val_to_str_const(v->role, role_names, "?"));
    proto_tree *t = proto_item_add_subtree(top, ett_lbsnat);

    add_uint(t, hf_lbsnat_case, tvb, c->id);
    add_uint(t, hf_lbsnat_role, tvb, v->role);
    host_addr_add_item(t, hf_lbsnat_vip, hf_lbsnat_vip_v6, tvb, &c->vip);
    add_uint(t, hf_lbsnat_vip_port, tvb, c->vip_port);
    host_addr_add_item(t, hf_lbsnat_member, hf_lbsnat_member_v6, tvb, &ans->member);
    add_uint(t, hf_lbsnat_member_port, tvb, ans->member_port);
    host_addr_add_item(t, hf_lbsnat_client, hf_lbsnat_client_v6, tvb, &c->client);
    add_uint(t, hf_lbsnat_client_port, tvb, c->client_port);
    guint32 syn_frame = v->role == LBSNAT_ROLE_SYN ? pinfo->num : ans->syn_frame;
    if (syn_frame)
        add_uint(t, hf_lbsnat_syn_frame, tvb, syn_frame);
    if (ans->synack_frame)
        add_uint(t, hf_lbsnat_synack_frame, tvb, ans->synack_frame);
    if (ans->reset_frame)
        add_uint(t, hf_lbsnat_rst_frame, tvb, ans->reset_frame);
    add_uint(t, hf_lbsnat_rule, tvb, c->rule);
    add_uint(t, hf_lbsnat_confidence, tvb, lbsnat_case_confidence(c));
    proto_item_set_generated(proto_tree_add_boolean(t, hf_lbsnat_confirmed, tvb, 0, 0, lbsnat_case_confirmed(c)));
    add_uint(t, hf_lbsnat_members, tvb, c->distinct_members);
    proto_item_set_generated(proto_tree_add_boolean(t, hf_lbsnat_known_vip, tvb, 0, 0, c->known_vip));

    render_expert(pinfo, top, v, ans);
    render_info_tag(pinfo, v, ans);

    queue_tap(pinfo, c, v->role, ans, pinfo->num);
    if (v->role == LBSNAT_ROLE_SYN && !PINFO_FD_VISITED(pinfo))
        queue_answers_seen_before_syn(pinfo, c);
}

/* A frame that repeats another (several capture points): which one, and
 * whether it is the balancer's rewrite of the client's SYN. */
static void render_copy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    lbsnat_copy_kind_t kind;
    const guint32 original = lbsnat_tracker_copy_of(tracker, pinfo->num, &kind);
    if (!original)
        return;
    proto_item *top = kind == LBSNAT_COPY_REWRITE
        ? proto_tree_add_protocol_format(tree, proto_lbsnat, tvb, 0, 0,
              "Load balancer: the client's SYN of frame %u, rewritten to a pool member (source kept: no SNAT)",
              original)
        : proto_tree_add_protocol_format(tree, proto_lbsnat, tvb, 0, 0,
              "Same packet as frame %u, seen at another capture point", original);
    add_uint(proto_item_add_subtree(top, ett_lbsnat), kind == LBSNAT_COPY_REWRITE ? hf_lbsnat_rewrite_of
                                                                                  : hf_lbsnat_copy_of, tvb, original);
}

/* A frame of a member's own view: a client reset this member's SYN-ACK to a
 * SYN it sent elsewhere (research edge case 10). */
static void render_member_view(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const lbsnat_member_view_t *mv)
{
    wmem_allocator_t *s = pinfo->pool;
    const char *client = host_addr_to_wmem_str(s, &mv->client);
    const char *member = endpoint_str(s, &mv->member, mv->member_port);
    proto_item *top = proto_tree_add_protocol_format(tree, proto_lbsnat, tvb, 0, 0,
        "Load balancer without SNAT, seen from the member: client %s reset the SYN-ACK of %s to a SYN it sent "
        "elsewhere", client, member);
    proto_tree *t = proto_item_add_subtree(top, ett_lbsnat);
    add_uint(t, hf_lbsnat_member_view, tvb, mv->id);
    host_addr_add_item(t, hf_lbsnat_mv_client, hf_lbsnat_mv_client_v6, tvb, &mv->client);
    host_addr_add_item(t, hf_lbsnat_mv_member, hf_lbsnat_mv_member_v6, tvb, &mv->member);
    add_uint(t, hf_lbsnat_mv_member_port, tvb, mv->member_port);
    add_uint(t, hf_lbsnat_mv_resets, tvb, mv->resets);
    if (pinfo->num == mv->first_reset_frame)
        expert_add_info_format(pinfo, top, &ei_lbsnat_member_view,
                               "Client %s reset the SYN-ACK of %s to a SYN it sent elsewhere, then sent that SYN "
                               "again: likely a balancer without SNAT in front of this member", client, member);

    lbsnat_tap_info_t *info = wmem_new0(pinfo->pool, lbsnat_tap_info_t);
    info->member_view = mv;
    info->frame = pinfo->num;
    tap_queue_packet(lbsnat_tap, pinfo, info);
}

/* Feeds the frame's innermost TCP header to the tracker. */
static void feed(packet_info *pinfo, const frame_facts_t *facts)
{
    lbsnat_segment_t seg = { 0 };
    /* Only SYNs to watched service ports open attempts; every other
     * segment can only match attempts that already exist. */
    if (extract_segment(pinfo, facts, &seg) &&
        ((seg.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN || seg.quoted_in_icmp ||
         value_is_in_range(pref_service_ports, seg.dst_port)))
        lbsnat_tracker_feed(tracker, &seg);
}

/* Feeds the frame to the tracker once, on the first pass: that pass
 * dissects each frame once, in order, and whichever of lbsnat's
 * postdissector and c3pconn asks first feeds it. FALSE while lbsnat is off. */
static gboolean take_frame(tvbuff_t *tvb, packet_info *pinfo)
{
    if (!tracker || !proto_is_protocol_enabled(lbsnat_protocol))
        return FALSE;
    if (!PINFO_FD_VISITED(pinfo) && pinfo->num != fed_frame) {
        fed_frame = pinfo->num;
        feed(pinfo, frame_facts_of(tvb, pinfo));
    }
    return TRUE;
}

const lbsnat_verdict_t *lbsnat_verdict_of_frame(tvbuff_t *tvb, packet_info *pinfo)
{
    return take_frame(tvb, pinfo) ? lbsnat_tracker_verdict(tracker, pinfo->num) : NULL;
}

guint32 lbsnat_frame_copy_of(tvbuff_t *tvb, packet_info *pinfo, lbsnat_copy_kind_t *kind)
{
    if (kind)
        *kind = LBSNAT_COPY_NONE;
    return take_frame(tvb, pinfo) ? lbsnat_tracker_copy_of(tracker, pinfo->num, kind) : 0;
}

/* The postdissector: renders the frame's verdict, or what else the frame is
 * to the tracker (a member's view, a copy). */
static int dissect_lbsnat(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    const lbsnat_verdict_t *verdict = lbsnat_verdict_of_frame(tvb, pinfo);
    const lbsnat_member_view_t *mv;
    if (verdict)
        render_verdict(tvb, pinfo, tree, verdict);
    else if (tracker && (mv = lbsnat_tracker_member_view(tracker, pinfo->num)) != NULL)
        render_member_view(tvb, pinfo, tree, mv);
    else if (tracker)
        render_copy(tvb, pinfo, tree);
    return 0;
}

/* ---- -z lbsnat,tree ------------------------------------------------------ */

static const char st_root[] = "Load balancer VIPs forwarding without SNAT";
static int st_root_node = -1;

static void lbsnat_stats_init(stats_tree *st)
{
    st_root_node = stats_tree_create_node(st, st_root, 0, STAT_DT_INT, TRUE);
}

/* Per VIP:port: foreign SYN-ACKs (node value), cases, confirmations, and the
 * members and clients involved. */
static tap_packet_status lbsnat_stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                             const void *p, tap_flags_t flags _U_)
{
    const lbsnat_tap_info_t *info = p;
    const lbsnat_case_t *c = info->c;
    if (!c || info->role == LBSNAT_ROLE_SYN) /* member views have no VIP to count under */
        return TAP_PACKET_DONT_REDRAW;

    const char *vip = endpoint_str(pinfo->pool, &c->vip, c->vip_port);
    if (info->role == LBSNAT_ROLE_FOREIGN_SYNACK) {
        int vip_node = tick_stat_node(st, vip, st_root_node, TRUE);
        tick_stat_node(st, st_root, 0, TRUE);
        int members = tick_stat_node(st, "Members answering directly", vip_node, TRUE);
        tick_stat_node(st, host_addr_to_wmem_str(pinfo->pool, &info->answer->member), members, FALSE);
        int clients = tick_stat_node(st, "Clients", vip_node, TRUE);
        tick_stat_node(st, host_addr_to_wmem_str(pinfo->pool, &c->client), clients, FALSE);
        if (info->first_answer)
            tick_stat_node(st, "Cases (connection attempts)", vip_node, FALSE);
    } else {
        int vip_node = increase_stat_node(st, vip, st_root_node, TRUE, 0); /* it counts SYN-ACKs only */
        tick_stat_node(st, "Confirmed by client reset or ICMP error", vip_node, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

/* ---- registration -------------------------------------------------------- */

void proto_register_lbsnat(void)
{
    static hf_register_info hf[] = {
        { &hf_lbsnat_case, { "Case", "lbsnat.case", FT_UINT32, BASE_DEC, NULL, 0,
            "Connection attempt this frame belongs to (1, 2, ... in order of detection)", HFILL } },
        { &hf_lbsnat_role, { "Role", "lbsnat.role", FT_UINT8, BASE_DEC, VALS(role_names), 0,
            "What this frame is to the case", HFILL } },
        { &hf_lbsnat_vip, { "VIP", "lbsnat.vip", FT_IPv4, BASE_NONE, NULL, 0,
            "Address the client's SYN was sent to: a load-balancer virtual server", HFILL } },
        { &hf_lbsnat_vip_v6, { "VIP (IPv6)", "lbsnat.vip.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "Address the client's SYN was sent to: a load-balancer virtual server", HFILL } },
        { &hf_lbsnat_vip_port, { "VIP port", "lbsnat.vip_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbsnat_member, { "Member", "lbsnat.member", FT_IPv4, BASE_NONE, NULL, 0,
            "Pool member that answered the client directly", HFILL } },
        { &hf_lbsnat_member_v6, { "Member (IPv6)", "lbsnat.member.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "Pool member that answered the client directly", HFILL } },
        { &hf_lbsnat_member_port, { "Member port", "lbsnat.member_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbsnat_client, { "Client", "lbsnat.client", FT_IPv4, BASE_NONE, NULL, 0,
            "Host whose connection to the VIP failed", HFILL } },
        { &hf_lbsnat_client_v6, { "Client (IPv6)", "lbsnat.client.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "Host whose connection to the VIP failed", HFILL } },
        { &hf_lbsnat_client_port, { "Client port", "lbsnat.client_port", FT_UINT16, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_lbsnat_syn_frame, { "SYN in frame", "lbsnat.syn_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "Client SYN to the VIP", HFILL } },
        { &hf_lbsnat_synack_frame, { "Foreign SYN-ACK in frame", "lbsnat.synack_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "SYN-ACK from the member instead of the VIP", HFILL } },
        { &hf_lbsnat_rst_frame, { "Client reset in frame", "lbsnat.rst_frame", FT_FRAMENUM, BASE_NONE,
            NULL, 0, "Client RST (or ICMP error) rejecting the foreign SYN-ACK", HFILL } },
        { &hf_lbsnat_rule, { "Rule", "lbsnat.rule", FT_UINT8, BASE_DEC, VALS(rule_names), 0,
            "Which signature matched", HFILL } },
        { &hf_lbsnat_confidence, { "Confidence", "lbsnat.confidence", FT_UINT8, BASE_CUSTOM, CF_FUNC(confidence_label), 0,
            "Grows with a client reset, several members, or a VIP listed in the preferences", HFILL } },
        { &hf_lbsnat_confirmed, { "Confirmed by the client", "lbsnat.confirmed", FT_BOOLEAN, BASE_NONE, NULL, 0,
            "The client reset a foreign SYN-ACK of this case (or rejected it with ICMP)", HFILL } },
        { &hf_lbsnat_members, { "Members seen", "lbsnat.members", FT_UINT32, BASE_DEC, NULL, 0,
            "Distinct members that answered this case so far", HFILL } },
        { &hf_lbsnat_known_vip, { "Known VIP", "lbsnat.known_vip", FT_BOOLEAN, BASE_NONE, NULL, 0,
            "The VIP is listed in the lbsnat known VIPs table", HFILL } },
        { &hf_lbsnat_copy_of, { "Copy of frame", "lbsnat.copy_of", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "The same packet, seen at another capture point (SPAN, merged captures): one event", HFILL } },
        { &hf_lbsnat_rewrite_of, { "Balancer rewrite of frame", "lbsnat.rewrite_of", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "The client's SYN of that frame after the balancer changed its destination from the VIP to a member "
            "(and kept its source: no SNAT)", HFILL } },
        { &hf_lbsnat_member_view, { "Member's view", "lbsnat.member_view", FT_UINT32, BASE_DEC, NULL, 0,
            "Connection attempt seen on the member (1, 2, ...): a client reset this member's SYN-ACK and sent the "
            "same SYN again", HFILL } },
        { &hf_lbsnat_mv_client, { "Client", "lbsnat.member_view.client", FT_IPv4, BASE_NONE, NULL, 0,
            "Host that reset the member's SYN-ACK", HFILL } },
        { &hf_lbsnat_mv_client_v6, { "Client (IPv6)", "lbsnat.member_view.client.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "Host that reset the member's SYN-ACK", HFILL } },
        { &hf_lbsnat_mv_member, { "Member", "lbsnat.member_view.member", FT_IPv4, BASE_NONE, NULL, 0,
            "The member whose SYN-ACK was reset", HFILL } },
        { &hf_lbsnat_mv_member_v6, { "Member (IPv6)", "lbsnat.member_view.member.v6", FT_IPv6, BASE_NONE, NULL, 0,
            "The member whose SYN-ACK was reset", HFILL } },
        { &hf_lbsnat_mv_member_port, { "Member port", "lbsnat.member_view.member_port", FT_UINT16, BASE_DEC, NULL, 0,
            NULL, HFILL } },
        { &hf_lbsnat_mv_resets, { "Resets", "lbsnat.member_view.resets", FT_UINT32, BASE_DEC, NULL, 0,
            "Client resets of this member's SYN-ACKs so far", HFILL } },
    };
    static gint *ett[] = { &ett_lbsnat };
    static ei_register_info ei[] = {
        { &ei_lbsnat_missing_snat, { "lbsnat.missing_snat", PI_PROTOCOL, PI_WARN,
            "Likely missing SNAT: a pool member answered, not the VIP", EXPFILL } },
        { &ei_lbsnat_syn_to_vip, { "lbsnat.syn_to_vip", PI_SEQUENCE, PI_NOTE,
            "SYN to the VIP was answered by another address", EXPFILL } },
        { &ei_lbsnat_client_reset, { "lbsnat.client_reset", PI_SEQUENCE, PI_NOTE,
            "Client reset a SYN-ACK from an address it never called", EXPFILL } },
        { &ei_lbsnat_member_view, { "lbsnat.member_view_reset", PI_PROTOCOL, PI_WARN,
            "A client reset this member's SYN-ACK to a SYN it sent elsewhere: likely a balancer without SNAT", EXPFILL } },
        { &ei_lbsnat_client_icmp, { "lbsnat.client_icmp_error", PI_SEQUENCE, PI_NOTE,
            "Client sent an ICMP error for a SYN-ACK it never asked for", EXPFILL } },
    };
    static uat_field_t known_vip_fields[] = {
        UAT_FLD_CSTRING(known_vip, address, "VIP address", "IPv4 or IPv6 address of a load-balancer virtual server"),
        UAT_FLD_DEC(known_vip, port, "Port", "Service port of the virtual server; 0 for any"),
        UAT_FLD_CSTRING(known_vip, comment, "Comment", "e.g. pool name"),
        UAT_END_FIELDS
    };

    proto_lbsnat = proto_register_protocol("Load balancer missing-SNAT analysis", "LBSNAT", "lbsnat");
    lbsnat_handle = analysis_postdissector_handle(dissect_lbsnat, proto_lbsnat);
    proto_register_field_array(proto_lbsnat, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_lbsnat), ei, array_length(ei));

    module_t *module = prefs_register_protocol(proto_lbsnat, NULL);
    prefs_register_uint_preference(module, "window", "Matching window (seconds)",
        "How far apart, in either order, a client SYN and the SYN-ACK answering it may be. "
        "60 s covers a whole SYN retransmission chain.", 10, &pref_window_s);
    range_convert_str(wmem_epan_scope(), &pref_service_ports, "1-65535", 65535);
    prefs_register_range_preference(module, "ports", "Service ports",
        "Only SYNs to these ports are tracked (e.g. 444,443,5061 for an OCS pool).",
        &pref_service_ports, 65535);
    prefs_register_uint_preference(module, "max_pending", "Unanswered client ports kept",
        "Bound on the handshake table: beyond it the least recently active client ports are forgotten. "
        "Each costs about 210 bytes; handshakes answered normally are kept only 5 s.", 10, &pref_max_pending);
    prefs_register_uint_preference(module, "max_cases", "Cases kept",
        "Bound on detected cases kept for display; later detections are counted but not shown.",
        10, &pref_max_cases);
    uat_t *known_vips = uat_new("Known load-balancer VIPs", sizeof(known_vip_uat_t), "lbsnat_known_vips", TRUE,
                                &known_vip_rows, &n_known_vip_rows, UAT_AFFECTS_DISSECTION, NULL,
                                known_vip_copy_cb, known_vip_update_cb, known_vip_free_cb, NULL, NULL,
                                known_vip_fields);
    prefs_register_uat_preference(module, "known_vips", "Known VIPs",
        "Optional: VIPs you know of. A case on a listed VIP gets higher confidence; nothing needs listing.",
        known_vips);

    lbsnat_protocol = find_protocol_by_id(proto_lbsnat);
    lbsnat_tap = register_tap("lbsnat");
    register_init_routine(lbsnat_init);
    register_cleanup_routine(lbsnat_cleanup);
}

void proto_reg_handoff_lbsnat(void)
{
    register_postdissector(lbsnat_handle);
    stats_tree_register_plugin("lbsnat", "lbsnat", "Load Balancer/Missing SNAT", 0,
                               lbsnat_stats_packet, lbsnat_stats_init, NULL);
}
