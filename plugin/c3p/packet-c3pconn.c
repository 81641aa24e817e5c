/* packet-c3pconn.c — "c3pconn", a postdissector that names HTTPS connections
 * to the conferencing port (TCP 444 by default, the c3p.https_ports
 * preference) that failed before any request was sent: the wire side of
 * OCS/Lync event 61013 ("failed to send health notifications to the MCU
 * factory"). When lbsnat explains the failure (the VIP forwarded the SYN to a
 * pool member without SNAT), the expert text points to that case.
 *
 * It reads each frame's TCP header, tcp.stream, and whether the client sent
 * TLS application data, on the first pass only, as TCP dissects them
 * (tcp_headers.h, no protocol tree), and renders the outcome on every pass. A
 * handshake that was never answered is only known once the capture has been
 * read: the GUI and tshark -2 show it on the SYNs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include <epan/address_types.h>
#include <epan/to_str.h>
#include <epan/tap.h>

#include "c3p/c3p_connections.h"
#include "c3p/c3p_tap.h"
#include "c3p/c3pconn_tap.h"
#include "lbsnat/lbsnat_tap.h"
#include "tcp_headers.h"
#include "plugin_protocols.h"

#define C3PCONN_MAX_STREAMS 100000

static int proto_c3pconn = -1;
static int c3pconn_tap = -1;
static dissector_handle_t c3pconn_handle;

static int hf_c3pconn_outcome = -1;
static int hf_c3pconn_syn_frame = -1;
static int hf_c3pconn_end_frame = -1;
static int hf_c3pconn_lbsnat_case = -1;
static gint ett_c3pconn = -1;
static expert_field ei_c3pconn_unreachable = EI_INIT;

static c3p_connections_t *connections;

static const value_string outcome_names[] = {
    { C3P_CONN_PENDING, "handshake never answered" },
    { C3P_CONN_REACHED, "request sent" },
    { C3P_CONN_RESET, "reset before any request" },
    { C3P_CONN_CLOSED, "closed before any request" },
    { 0, NULL }
};

static void c3pconn_init(void)
{
    connections = c3p_connections_new(C3PCONN_MAX_STREAMS);
}

static void c3pconn_cleanup(void)
{
    c3p_connections_free(connections);
    connections = NULL;
}

/* What the first pass remembers of a frame of a watched connection. */
typedef struct {
    guint32 stream;
    gboolean client_syn;
} c3pconn_frame_t;

/* Feeds this frame's TCP segment if it belongs to a connection to a watched
 * port. Frames with an ICMP error (quoting a TCP header) are not segments. */
static const c3p_connection_t *feed_frame(packet_info *pinfo, gboolean *client_syn)
{
    const tcp_headers_t *headers = tcp_headers_of_frame(pinfo);
    if (!headers || headers->n_tcp_headers != 1 || headers->has_icmp)
        return NULL;
    const tcp_header_t *tcp = &headers->last;
    const gboolean from_client = c3p_is_https_port(tcp->dst_port);
    guint32 stream;
    if ((!from_client && !c3p_is_https_port(tcp->src_port)) || !tcp_headers_stream(pinfo, tcp, &stream))
        return NULL;
    *client_syn = from_client && (tcp->flags & 0x12) == 0x02;
    return c3p_connections_feed(connections, stream, from_client, tcp->flags,
                                from_client && tcp->tls_application_data, pinfo->num);
}

/* The lbsnat case behind a failed connection: the verdict of its SYN (the
 * connection to the VIP) or of the reset that ended it (the client refusing
 * the member's SYN-ACK). */
static const lbsnat_verdict_t *lbsnat_case_of(const c3p_connection_t *conn)
{
    const lbsnat_verdict_t *v = conn->syn_frame ? lbsnat_frame_verdict(conn->syn_frame) : NULL;
    return v || !conn->end_frame ? v : lbsnat_frame_verdict(conn->end_frame);
}

/* What a frame showing a failure tells the reports. */
static c3pconn_tap_info_t *describe_failure(packet_info *pinfo, const c3p_connection_t *conn)
{
    c3pconn_tap_info_t *info = wmem_new0(pinfo->pool, c3pconn_tap_info_t);
    const gboolean to_server = c3p_is_https_port(pinfo->destport);
    const lbsnat_verdict_t *v = lbsnat_case_of(conn);
    info->client = address_to_str(pinfo->pool, to_server ? &pinfo->src : &pinfo->dst);
    info->port = (guint16)(to_server ? pinfo->destport : pinfo->srcport);
    info->outcome = conn->outcome;
    info->lbsnat_case = v ? v->c->id : 0;
    info->frame = pinfo->num;
    return info;
}

const c3pconn_tap_info_t *c3pconn_failure_in_frame(packet_info *pinfo)
{
    const c3pconn_frame_t *rec = p_get_proto_data(wmem_file_scope(), pinfo, proto_c3pconn, 0);
    const c3p_connection_t *conn = rec && connections ? c3p_connections_lookup(connections, rec->stream) : NULL;
    return conn && conn->end_frame == pinfo->num ? describe_failure(pinfo, conn) : NULL;
}

static int dissect_c3pconn(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    const c3p_connection_t *conn = NULL;
    c3pconn_frame_t *rec = p_get_proto_data(wmem_file_scope(), pinfo, proto_c3pconn, 0);
    if (!rec && !PINFO_FD_VISITED(pinfo) && connections) {
        gboolean client_syn = FALSE;
        conn = feed_frame(pinfo, &client_syn);
        /* Only these frames can show a failure: the client's SYNs and the
         * segment that ended the connection. */
        if (conn && (client_syn || conn->end_frame == pinfo->num)) {
            rec = wmem_new(wmem_file_scope(), c3pconn_frame_t);
            rec->stream = conn->stream;
            rec->client_syn = client_syn;
            p_add_proto_data(wmem_file_scope(), pinfo, proto_c3pconn, 0, rec);
        }
    } else if (rec && connections) {
        conn = c3p_connections_lookup(connections, rec->stream);
    }
    if (!conn)
        return 0;

    /* Shown where the failure is seen: the reset or FIN, and (once the
     * capture has been read) every SYN of a handshake nobody answered. */
    const gboolean is_end = conn->end_frame == pinfo->num;
    const gboolean unanswered_syn = PINFO_FD_VISITED(pinfo) && rec->client_syn &&
                                    conn->outcome == C3P_CONN_PENDING && c3p_connection_failed(conn, TRUE);
    if (!is_end && !unanswered_syn)
        return 0;

    proto_item *top = proto_tree_add_item(tree, proto_c3pconn, tvb, 0, 0, ENC_NA);
    proto_tree *t = proto_item_add_subtree(top, ett_c3pconn);
    proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_outcome, tvb, 0, 0, conn->outcome));
    if (conn->syn_frame)
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_syn_frame, tvb, 0, 0, conn->syn_frame));
    if (conn->end_frame)
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_end_frame, tvb, 0, 0, conn->end_frame));

    const lbsnat_verdict_t *v = lbsnat_case_of(conn);
    char *because = "";
    if (v) {
        const lbsnat_answer_t *ans = lbsnat_verdict_answer(v);
        char vip[64], member[64];
        proto_item_set_generated(proto_tree_add_uint(t, hf_c3pconn_lbsnat_case, tvb, 0, 0, v->c->id));
        because = wmem_strdup_printf(pinfo->pool, ": likely cause VIP %s without SNAT (%s answered directly)",
                                     lbsnat_addr_to_str(&v->c->vip, vip, sizeof vip),
                                     lbsnat_addr_to_str(&ans->member, member, sizeof member));
    }
    c3pconn_tap_info_t *failure = describe_failure(pinfo, conn);
    tap_queue_packet(c3pconn_tap, pinfo, failure);

    expert_add_info_format(pinfo, top, &ei_c3pconn_unreachable,
                           "HTTPS to conferencing port %u failed (%s, event 61013 on an MCU)%s", failure->port,
                           val_to_str_const(conn->outcome, outcome_names, "?"), because);
    return 0;
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
    };
    static gint *ett[] = { &ett_c3pconn };
    static ei_register_info ei[] = {
        { &ei_c3pconn_unreachable, { "c3pconn.unreachable", PI_SEQUENCE, PI_WARN,
            "HTTPS to the conferencing port failed before any request", EXPFILL } },
    };
    proto_c3pconn = proto_register_protocol("C3P HTTPS connection outcome", "C3PCONN", "c3pconn");
    proto_register_field_array(proto_c3pconn, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_c3pconn), ei, array_length(ei));
    c3pconn_handle = register_dissector("c3pconn", dissect_c3pconn, proto_c3pconn);
    c3pconn_tap = register_tap("c3pconn");
    register_init_routine(c3pconn_init);
    register_cleanup_routine(c3pconn_cleanup);
}

void proto_reg_handoff_c3pconn(void)
{
    register_postdissector(c3pconn_handle);
    tcp_headers_chain(proto_c3pconn);
}
