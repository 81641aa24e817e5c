/* packet-c3pconn.c — "c3pconn": HTTPS connections to the conferencing port
 * (TCP 444 by default, the c3p.https_ports preference) that failed before any
 * request was sent: the wire side of OCS/Lync event 61013 ("failed to send
 * health notifications to the MCU factory"). When lbsnat explains the
 * failure (the VIP forwarded the SYN to a pool member without SNAT), the
 * expert text points to that case.
 *
 * Its postdissector reads each frame's TCP header (frame_facts.h, no protocol
 * tree) and asks lbsnat for its verdict of the frame. On the first pass it
 * feeds the attempts core (c3p_connections.h: attempts keyed by client,
 * ports, server and ISN); frames lbsnat places in a case (the member's
 * SYN-ACK, the client's reset of it) belong to the client's attempt to the
 * VIP, not to a connection of their own. Each failed attempt is shown once,
 * with one expert warning, on the frame that shows the failure: its reset or
 * FIN, or (once the capture has been read: GUI, tshark -2) its first SYN when
 * the server never answered.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>

#include <epan/address_types.h>
#include <epan/to_str.h>
#include <epan/tap.h>

#include "c3p/c3p_connections.h"
#include "c3p/c3p_tap.h"
#include "c3p/c3pconn_tap.h"
#include "frame_facts.h"
#include "host_addr_epan.h"
#include "lbsnat/lbsnat_tap.h"
#include "plugin_protocols.h"
#include "ws_compat.h"

#define C3PCONN_MAX_ATTEMPTS 100000

static int proto_c3pconn = -1;
static dissector_handle_t c3pconn_handle;
static protocol_t *c3pconn_protocol;
static int c3pconn_tap = -1;

static int hf_c3pconn_outcome = -1;
static int hf_c3pconn_syn_frame = -1;
static int hf_c3pconn_end_frame = -1;
static int hf_c3pconn_lbsnat_case = -1;
static int hf_c3pconn_lbsnat_synack_frame = -1;
static gint ett_c3pconn = -1;
static expert_field ei_c3pconn_unreachable = EI_INIT;

static c3p_connections_t *connections;

/* The watched ports (c3p.https_ports), one bit each: read per frame, so the
 * preference's range is turned into a bitmap once per file. */
static guint8 watched_ports[65536 / 8];

static gboolean is_watched(guint16 port)
{
    return watched_ports[port >> 3] & (1u << (port & 7));
}

static const value_string outcome_names[] = {
    { C3P_CONN_PENDING, "handshake never answered" },
    { C3P_CONN_REACHED, "request sent" },
    { C3P_CONN_RESET, "reset before any request" },
    { C3P_CONN_CLOSED, "closed before any request" },
    { C3P_CONN_FOREIGN_ANSWER, "handshake answered only by another address" },
    { C3P_CONN_PROBED, "the client reset the server's answer (a probe)" },
    { 0, NULL }
};

static void c3pconn_init(void)
{
    connections = c3p_connections_new(C3PCONN_MAX_ATTEMPTS);
    memset(watched_ports, 0, sizeof watched_ports);
    for (guint port = 0; port < 65536; port++)
        if (c3p_is_https_port(port))
            watched_ports[port >> 3] |= (guint8)(1u << (port & 7));
}

static void c3pconn_cleanup(void)
{
    c3p_connections_free(connections);
    connections = NULL;
}


#define TLS_APPLICATION_DATA 23

/* Whether a client's payload starts a request: a TLS application-data record,
 * or a plain HTTP request line (a method token, then a space). */
static gboolean starts_request(tvbuff_t *payload)
{
    const gint len = tvb_captured_length(payload);
    if (len >= 2 && tvb_get_uint8(payload, 0) == TLS_APPLICATION_DATA && tvb_get_uint8(payload, 1) == 3)
        return TRUE;
    gint i = 0;
    while (i < len && i < 16 && g_ascii_isupper(tvb_get_uint8(payload, i)))
        i++;
    return i >= 3 && i < len && tvb_get_uint8(payload, i) == ' ';
}

/* A frame lbsnat places in a case: the member's SYN-ACK, the client's reset
 * or ICMP error about it, or the client's SYN itself. Those belong to the
 * client's attempt to the VIP. */
static const c3p_connection_t *feed_case_frame(packet_info *pinfo, const lbsnat_verdict_t *v)
{
    const lbsnat_case_t *c = v->c;
    if (!is_watched(c->vip_port))
        return NULL;
    host_conn_t ends;
    host_conn_set(&ends, &c->client, c->client_port, &c->vip, c->vip_port);
    return c3p_connections_foreign(connections, &ends, c->isn, c, v->role == LBSNAT_ROLE_CLIENT_RESET, pinfo->num);
}

/* First pass: feeds this frame's TCP segment if it is to or from a watched
 * port. A header quoted in an ICMP error is not a segment. */
static const c3p_connection_t *feed_frame(tvbuff_t *tvb, packet_info *pinfo, const frame_facts_t *facts,
                                          const lbsnat_verdict_t *lbsnat_verdict)
{
    if (lbsnat_verdict && lbsnat_verdict->role != LBSNAT_ROLE_SYN)
        return feed_case_frame(pinfo, lbsnat_verdict);
    if (facts->n_tcp != 1 || facts->innermost.quoted_in_icmp)
        return NULL;
    const frame_tcp_t *tcp = &facts->innermost;
    c3p_conn_segment_t seg;
    memset(&seg, 0, sizeof seg);
    seg.from_client = is_watched(tcp->dst_port);
    if (!seg.from_client && !is_watched(tcp->src_port))
        return NULL;
    host_addr_from_address(seg.from_client ? &tcp->src : &tcp->dst, &seg.ends.client);
    host_addr_from_address(seg.from_client ? &tcp->dst : &tcp->src, &seg.ends.server);
    seg.ends.client_port = seg.from_client ? tcp->src_port : tcp->dst_port;
    seg.ends.server_port = seg.from_client ? tcp->dst_port : tcp->src_port;
    seg.flags = tcp->flags;
    seg.seq = tcp->seq;
    seg.ack = tcp->ack;
    seg.frame = pinfo->num;
    if (seg.from_client && tcp->payload_len) {
        tvbuff_t *payload = frame_tcp_payload(tvb, tcp);
        seg.client_request = payload && starts_request(payload);
    }
    /* The same packet seen again at another capture point, or the balancer's
     * rewrite of the client's SYN (VIP -> member), is no new event: lbsnat
     * says so. The rewrite's ends join the client's attempt to the VIP. */
    lbsnat_copy_kind_t copy;
    const guint32 original = lbsnat_frame_copy_of(tvb, pinfo, &copy);
    if (original) {
        if (copy == LBSNAT_COPY_REWRITE)
            c3p_connections_alias(connections, &seg.ends, original);
        return NULL;
    }
    const c3p_connection_t *conn = c3p_connections_feed(connections, &seg);
    if (conn && lbsnat_verdict) /* a SYN whose foreign SYN-ACK came first */
        feed_case_frame(pinfo, lbsnat_verdict);
    return conn;
}

/* The missing-SNAT case as a cause, in the words of both expert texts that
 * name it (c3pconn's and sipconf's failed join). */
static char *vip_without_snat(wmem_allocator_t *scope, const lbsnat_case_t *c)
{
    return wmem_strdup_printf(scope, "VIP %s without SNAT", host_addr_to_wmem_str(scope, &c->vip));
}

/* What a frame showing a failure tells the reports. */
static c3pconn_tap_info_t *describe_failure(packet_info *pinfo, const c3p_connection_t *conn)
{
    c3pconn_tap_info_t *info = wmem_new0(pinfo->pool, c3pconn_tap_info_t);
    const lbsnat_case_t *c = conn->foreign_answer;
    info->client = host_addr_to_wmem_str(pinfo->pool, &conn->ends.client);
    info->port = conn->ends.server_port;
    info->outcome = c3p_connection_outcome(conn, PINFO_FD_VISITED(pinfo));
    info->lbsnat_case = c ? c->id : 0;
    info->frame = pinfo->num;
    return info;
}

/* The attempt whose failure this frame shows, or NULL. */
static const c3p_connection_t *failure_at(packet_info *pinfo, const c3p_connection_t *conn)
{
    return conn && c3p_connection_failure_frame(conn, PINFO_FD_VISITED(pinfo)) == pinfo->num ? conn : NULL;
}

/* The postdissector, with lbsnat's verdict of the frame (which places the
 * member's SYN-ACK and the client's reset of it in the client's attempt). */
static int dissect_c3pconn(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!connections)
        return 0;
    const frame_facts_t *facts = frame_facts_of(tvb, pinfo);
    const lbsnat_verdict_t *lbsnat_verdict = lbsnat_verdict_of_frame(tvb, pinfo);
    const c3p_connection_t *conn;
    if (!PINFO_FD_VISITED(pinfo))
        conn = feed_frame(tvb, pinfo, facts, lbsnat_verdict);
    else if (lbsnat_verdict || (facts->n_tcp && (is_watched(facts->innermost.src_port) ||
                                                 is_watched(facts->innermost.dst_port))))
        conn = c3p_connections_at_frame(connections, pinfo->num);
    else
        return 0;
    conn = failure_at(pinfo, conn);
    if (!conn)
        return 0;

    c3pconn_tap_info_t *failure = describe_failure(pinfo, conn);
    proto_item *top = proto_tree_add_item(tree, proto_c3pconn, tvb, 0, 0, ENC_NA);
    proto_tree *t = proto_item_add_subtree(top, ett_c3pconn);
    proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_outcome, tvb, 0, 0, failure->outcome));
    if (conn->syn_frame)
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_syn_frame, tvb, 0, 0, conn->syn_frame));
    if (conn->end_frame)
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_end_frame, tvb, 0, 0, conn->end_frame));

    const lbsnat_case_t *c = conn->foreign_answer;
    const char *because = "";
    if (c) {
        const lbsnat_answer_t *ans = &g_array_index(c->answers, lbsnat_answer_t, 0);
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_lbsnat_case, tvb, 0, 0, c->id));
        /* the cause the expert text names, one click away */
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_lbsnat_synack_frame, tvb, 0, 0, ans->synack_frame));
        because = wmem_strdup_printf(pinfo->pool, ": likely cause %s (%s answered directly)",
                                     vip_without_snat(pinfo->pool, c),
                                     host_addr_to_wmem_str(pinfo->pool, &ans->member));
    }
    tap_queue_packet(c3pconn_tap, pinfo, failure);

    expert_add_info_format(pinfo, top, &ei_c3pconn_unreachable,
                           "HTTPS to conferencing port %u failed (%s, event 61013 on an MCU)%s", failure->port,
                           val_to_str_const(failure->outcome, outcome_names, "?"), because);
    return 0;
}

/* The one pass knows the failures shown by the frames read so far (a reset or
 * FIN, the client's reset of a foreign SYN-ACK); a handshake never answered is
 * a failure only once the whole capture has been read (GUI, -2), so only then
 * can it be named. Either way only failures of earlier frames count: a cause
 * comes before its effect, and this frame's own attempt may not be fed yet
 * (postdissector order is no contract). */
guint32 c3pconn_latest_failure_from(packet_info *pinfo, const address *host, const char **cause)
{
    if (!connections || !proto_is_protocol_enabled(c3pconn_protocol) ||
        (host->type != AT_IPv4 && host->type != AT_IPv6))
        return 0;
    host_addr_t client;
    host_addr_from_address(host, &client);
    const gboolean capture_complete = PINFO_FD_VISITED(pinfo);
    const c3p_connection_t *conn =
        c3p_connections_latest_failure_from(connections, &client, pinfo->num, capture_complete);
    if (!conn)
        return 0;
    const lbsnat_case_t *c = conn->foreign_answer;
    *cause = c ? vip_without_snat(pinfo->pool, c)
               : wmem_strdup_printf(pinfo->pool, "HTTPS from %s to conferencing port %u failed (%s)",
                                    address_to_str(pinfo->pool, host), conn->ends.server_port,
                                    val_to_str_const(c3p_connection_outcome(conn, capture_complete), outcome_names,
                                                     "?"));
    return c3p_connection_failure_frame(conn, capture_complete);
}

void proto_register_c3pconn(void)
{
    static hf_register_info hf[] = {
        { &hf_c3pconn_outcome, { "Outcome", "c3pconn.outcome", FT_UINT8, BASE_DEC, VALS(outcome_names), 0,
            "How the HTTPS connection to the conferencing port ended before any request", HFILL } },
        { &hf_c3pconn_syn_frame, { "Client SYN in frame", "c3pconn.syn_frame", FT_FRAMENUM, BASE_NONE, NULL, 0,
            NULL, HFILL } },
        { &hf_c3pconn_end_frame, { "Ended in frame", "c3pconn.end_frame", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "Reset or FIN that ended the connection before any request", HFILL } },
        { &hf_c3pconn_lbsnat_case, { "lbsnat case", "c3pconn.lbsnat_case", FT_UINT32, BASE_DEC, NULL, 0,
            "Missing-SNAT case that explains the failure", HFILL } },
        { &hf_c3pconn_lbsnat_synack_frame, { "Likely cause: foreign SYN-ACK in frame", "c3pconn.lbsnat_synack_frame",
            FT_FRAMENUM, BASE_NONE, NULL, 0, "The pool member's SYN-ACK that the client reset (lbsnat)", HFILL } },
    };
    static gint *ett[] = { &ett_c3pconn };
    static ei_register_info ei[] = {
        { &ei_c3pconn_unreachable, { "c3pconn.unreachable", PI_SEQUENCE, PI_WARN,
            "HTTPS to the conferencing port failed before any request", EXPFILL } },
    };
    proto_c3pconn = proto_register_protocol("C3P HTTPS connection outcome", "C3PCONN", "c3pconn");
    c3pconn_handle = analysis_postdissector_handle(dissect_c3pconn, proto_c3pconn);
    proto_register_field_array(proto_c3pconn, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_c3pconn), ei, array_length(ei));
    c3pconn_protocol = find_protocol_by_id(proto_c3pconn);
    c3pconn_tap = register_tap("c3pconn");
    register_init_routine(c3pconn_init);
    register_cleanup_routine(c3pconn_cleanup);
}

void proto_reg_handoff_c3pconn(void)
{
    register_postdissector(c3pconn_handle);
}
