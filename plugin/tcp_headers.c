/* tcp_headers.c — see tcp_headers.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcp_headers.h"

#include <epan/conversation.h>
#include <epan/ipproto.h>
#include <epan/dissectors/packet-tcp.h>

#define TLS_APPLICATION_DATA 23

static int proto_tcp = -1;
static GPtrArray *readers; /* protocol_t * of the protocols that read the record */
static dissector_handle_t tcp_handle;
static dissector_handle_t icmp_handle;
static dissector_handle_t icmpv6_handle;

/* Whether a protocol that reads the record is enabled. */
static gboolean wanted(void)
{
    for (guint i = 0; readers && i < readers->len; i++)
        if (proto_is_protocol_enabled(g_ptr_array_index(readers, i)))
            return TRUE;
    return FALSE;
}

/* The record of the frame being dissected. Frames are dissected one at a
 * time and recorded on the first pass only, so one record serves (no per-frame
 * allocation on this path, which every TCP segment takes); a new capture
 * starts over (tcp_headers_reset). */
static tcp_headers_t current;
static guint32 current_frame;

static void tcp_headers_reset(void)
{
    memset(&current, 0, sizeof current);
    current_frame = 0;
}

static tcp_headers_t *frame_record(packet_info *pinfo)
{
    if (current_frame != pinfo->num) {
        memset(&current, 0, sizeof current);
        current_frame = pinfo->num;
    }
    return &current;
}

/* Notes the header before TCP runs: TCP may throw on a short or malformed
 * segment, as on the 8 bytes an ICMP error quotes. The addresses are shallow
 * copies: IP's address data lives as long as the packet. */
static int dissect_tcp_in_front(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const gint avail = tvb_captured_length(tvb);
    if (!PINFO_FD_VISITED(pinfo) && avail >= 8 && wanted() &&
        (pinfo->src.type == AT_IPv4 || pinfo->src.type == AT_IPv6) && pinfo->dst.type == pinfo->src.type) {
        tcp_headers_t *rec = frame_record(pinfo);
        rec->n_tcp_headers++;
        tcp_header_t *h = &rec->last;
        memset(h, 0, sizeof *h);
        copy_address_shallow(&h->src, &pinfo->src);
        copy_address_shallow(&h->dst, &pinfo->dst);
        h->src_port = tvb_get_ntohs(tvb, 0);
        h->dst_port = tvb_get_ntohs(tvb, 2);
        h->seq = tvb_get_ntohl(tvb, 4);
        h->ack = avail >= 12 ? tvb_get_ntohl(tvb, 8) : 0;
        h->flags = avail >= 14 ? tvb_get_guint8(tvb, 13) : 0;
        h->quoted_in_icmp = pinfo->flags.in_error_pkt;
        if (h->quoted_in_icmp)
            h->error_sender = rec->icmp_sender;
        const gint header_len = avail >= 13 ? (tvb_get_guint8(tvb, 12) >> 4) * 4 : 0;
        h->tls_application_data = header_len >= 20 && avail >= header_len + 2 &&
                                  tvb_get_guint8(tvb, header_len) == TLS_APPLICATION_DATA &&
                                  tvb_get_guint8(tvb, header_len + 1) == 3;
    }
    return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
}

/* Notes the error's sender: the quoted datagram's IP header replaces the
 * frame's addresses before the quoted TCP header is reached. */
static int note_icmp_then_call(dissector_handle_t icmp, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               void *data)
{
    if (!PINFO_FD_VISITED(pinfo) && wanted()) {
        tcp_headers_t *rec = frame_record(pinfo);
        rec->has_icmp = TRUE;
        copy_address_shallow(&rec->icmp_sender, &pinfo->src);
    }
    return call_dissector_only(icmp, tvb, pinfo, tree, data);
}

static int dissect_icmp_in_front(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return note_icmp_then_call(icmp_handle, tvb, pinfo, tree, data);
}

static int dissect_icmpv6_in_front(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return note_icmp_then_call(icmpv6_handle, tvb, pinfo, tree, data);
}

/* Puts `in_front` before whatever "ip.proto" maps ip_protocol to; NULL if
 * nothing is registered there. */
static dissector_handle_t chain(guint32 ip_protocol, dissector_t in_front, const char *description)
{
    dissector_table_t table = find_dissector_table("ip.proto");
    dissector_handle_t registered = table ? dissector_get_uint_handle(table, ip_protocol) : NULL;
    if (registered)
        dissector_add_uint("ip.proto", ip_protocol,
                           create_dissector_handle_with_name_and_description(in_front, -1, NULL, description));
    return registered;
}

void tcp_headers_chain(int reader)
{
    if (!readers)
        readers = g_ptr_array_new();
    g_ptr_array_add(readers, find_protocol_by_id(reader));
    if (tcp_handle)
        return;
    register_init_routine(tcp_headers_reset);
    proto_tcp = proto_get_id_by_filter_name("tcp");
    tcp_handle = chain(IP_PROTO_TCP, dissect_tcp_in_front, "TCP (headers noted by mcudiag)");
    icmp_handle = chain(IP_PROTO_ICMP, dissect_icmp_in_front, "ICMP (errors noted by mcudiag)");
    icmpv6_handle = chain(IP_PROTO_ICMPV6, dissect_icmpv6_in_front, "ICMPv6 (errors noted by mcudiag)");
}

const tcp_headers_t *tcp_headers_of_frame(packet_info *pinfo)
{
    return current_frame == pinfo->num && !PINFO_FD_VISITED(pinfo) && current.n_tcp_headers ? &current : NULL;
}

gboolean tcp_headers_stream(packet_info *pinfo, const tcp_header_t *h, guint32 *stream)
{
    conversation_t *conv = find_conversation(pinfo->num, &h->src, &h->dst, CONVERSATION_TCP, h->src_port,
                                             h->dst_port, 0);
    const struct tcp_analysis *tcpd = conv ? conversation_get_proto_data(conv, proto_tcp) : NULL;
    if (tcpd)
        *stream = tcpd->stream;
    return tcpd != NULL;
}
