/* frame_facts.c — see frame_facts.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame_facts.h"
#include "tcp_flags.h"
#include "ws_compat.h"

#include <epan/tap.h>
#include <epan/ipproto.h>
#include <epan/proto_data.h>
#include <wsutil/pint.h>
#include <epan/dissectors/packet-ip.h>
#include <epan/dissectors/packet-tcp.h>

/* The cores test TCP's flags with their own names for Wireshark's bits. */
G_STATIC_ASSERT(TCP_FLAG_FIN == TH_FIN && TCP_FLAG_SYN == TH_SYN && TCP_FLAG_RST == TH_RST && TCP_FLAG_ACK == TH_ACK);

/* Taps whose records are read, and the protocols whose order in the frame's
 * layers tells a quoted header from a real one. */
static int tcp_tap = -1;
static int ip_tap = -1;
static int ipv6_tap = -1;
static int proto_tcp = -1;
static int proto_ip = -1;
static int proto_ipv6 = -1;
static int proto_icmp = -1;
static int proto_icmpv6 = -1;
static int proto_sip = -1;
/* The facts of the frame being dissected are kept under this protocol. */
static int proto_frame_facts = -1;

/* The listener only keeps TCP queueing its records: it has no callbacks, and
 * TL_IS_DISSECTOR_HELPER tells tshark it needs no dissection, tree or columns
 * of its own (so `tshark -q` without -z still skips dissection). */
static int listener_data;

void proto_register_frame_facts(void)
{
    proto_frame_facts = proto_register_protocol("mcudiag frame facts (TCP headers and SIP of the frame, for the "
                                                "mcudiag analyses)", "MCUDIAG-FACTS", "mcudiag_facts");
}

void frame_facts_register(void)
{
    if (tcp_tap >= 0)
        return;
    tcp_tap = find_tap_id("tcp");
    ip_tap = find_tap_id("ip");
    ipv6_tap = find_tap_id("ipv6");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_ip = proto_get_id_by_filter_name("ip");
    proto_ipv6 = proto_get_id_by_filter_name("ipv6");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    proto_sip = proto_get_id_by_filter_name("sip");
    GString *error = register_tap_listener("tcp", &listener_data, NULL, TL_IS_DISSECTOR_HELPER, NULL, NULL, NULL,
                                           NULL);
    if (error) {
        ws_warning("mcudiag: no TCP tap: %s", error->str);
        g_string_free(error, TRUE);
    }
}

/* Source address of the n-th (0-based) IPv4 or IPv6 header of the frame. */
static gboolean ip_source(gboolean v6, guint n, address *out)
{
    if (v6) {
        const ws_ip6 *ip6 = fetch_tapped_data(ipv6_tap, (int)n);
        if (ip6)
            copy_address_shallow(out, &ip6->ip6_src);
        return ip6 != NULL;
    }
    const ws_ip4 *ip4 = fetch_tapped_data(ip_tap, (int)n);
    if (ip4)
        copy_address_shallow(out, &ip4->ip_src);
    return ip4 != NULL;
}

/* TTL or hop limit of the last IPv4 or IPv6 header of the frame (the one
 * around its innermost TCP header, inside any tunnel), or 0. */
static guint8 last_ip_ttl(gboolean v6)
{
    const void *last = NULL;
    for (int i = 0, tap = v6 ? ipv6_tap : ip_tap; (last = fetch_tapped_data(tap, i)) != NULL; i++)
        if (!fetch_tapped_data(tap, i + 1))
            return v6 ? ((const ws_ip6 *)last)->ip6_hop : ((const ws_ip4 *)last)->ip_ttl;
    return 0;
}

/* What the frame's layers (every protocol, in the order it was dissected)
 * tell of its TCP headers.
 *
 * TCP's record does not say whether the header was quoted in an ICMP error
 * (the tap keeps that flag to itself), so the layers tell it: a TCP layer
 * after an ICMP or ICMPv6 layer is a quoted header. The error's sender is the
 * source of the IP header just before that ICMP layer (inside a tunnel the
 * outermost IP header belongs to the tunnel); IP and IPv6 queue their records
 * before handing off their payload, so the n-th "ip" layer is the n-th "ip"
 * record. */
typedef struct {
    guint n_tcp;
    gboolean has_sip;
    gboolean last_quoted;      /* the last TCP layer follows an ICMP layer */
    gboolean error_ip_v6;      /* the IP header carrying that ICMP error ... */
    guint error_ip_index;      /* ... is the n-th of its family, 1-based; 0 if none */
} frame_layers_t;

static void walk_layers(const packet_info *pinfo, frame_layers_t *w)
{
    guint n_ip4 = 0, n_ip6 = 0;
    gboolean last_ip_v6 = FALSE, after_icmp = FALSE;
    memset(w, 0, sizeof *w);
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        const int proto = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (proto == proto_ip) {
            last_ip_v6 = FALSE;
            n_ip4++;
        } else if (proto == proto_ipv6) {
            last_ip_v6 = TRUE;
            n_ip6++;
        } else if (proto == proto_icmp || proto == proto_icmpv6) {
            after_icmp = TRUE;
            w->error_ip_v6 = last_ip_v6;
            w->error_ip_index = last_ip_v6 ? n_ip6 : n_ip4;
        } else if (proto == proto_tcp) {
            w->n_tcp++;
            w->last_quoted = after_icmp;
        } else if (proto == proto_sip) {
            w->has_sip = TRUE;
        }
    }
}

/* The header as TCP's tap record gives it. */
static void from_record(const struct tcpheader *th, frame_tcp_t *h)
{
    copy_address_shallow(&h->src, &th->ip_src);
    copy_address_shallow(&h->dst, &th->ip_dst);
    h->src_port = th->th_sport;
    h->dst_port = th->th_dport;
    h->seq = th->th_rawseq;
    h->ack = th->th_rawack;
    h->flags = (guint8)th->th_flags;
    h->payload_len = th->th_have_seglen ? th->th_seglen : 0;
    h->header_len = th->th_hlen;
}

/* ---- when Wireshark is not tapping ---------------------------------------
 * tshark -2 dissects its first pass with epan_dissect_run(), which queues no
 * tap records (only the second pass, with epan_dissect_run_with_taps, does);
 * and TCP queues none for a header it cannot read whole (the 8 bytes an
 * ICMP error may quote). The header is then read from the frame's bytes,
 * behind the IP header that pinfo's addresses name: still what TCP saw,
 * whatever table routed it there. For a real header pinfo holds TCP's
 * addresses and ports. For a quoted one it depends on the version: 4.0 leaves
 * the quoted datagram's addresses and ports in pinfo, 4.4 and later restore
 * the error's own addresses after the quote; so a quoted header is looked for
 * behind the quote of an ICMP error found either way. */

#define SEARCHED_BYTES 320 /* headers are looked for this far into the frame */

/* The IP header at `ip` whose source and destination are `src` and `dst`:
 * its protocol (after IPv6 hop-by-hop, routing, destination-options and
 * fragment headers) in *next and the offset of its payload; -1 if `ip` does
 * not start one. */
static gint ip_payload_at(const guint8 *b, gint len, gint ip, gboolean v6, guint8 *next)
{
    if (v6) {
        if (ip + 40 > len || b[ip] >> 4 != 6)
            return -1;
        *next = b[ip + 6];
        gint payload = ip + 40;
        while ((*next == 0 || *next == 43 || *next == 60 || *next == 44) && payload + 2 <= len) {
            const gint ext_len = *next == 44 ? 8 : (b[payload + 1] + 1) * 8;
            *next = b[payload];
            payload += ext_len;
        }
        return payload;
    }
    if (ip + 20 > len || b[ip] >> 4 != 4 || (b[ip] & 0x0f) < 5)
        return -1;
    *next = b[ip + 9];
    return ip + (b[ip] & 0x0f) * 4;
}

/* Offset of the first IP header from `src` to `dst` with protocol `want`
 * at or after `from`; *payload gets the offset of its payload. -1 if none. */
static gint find_ip(const guint8 *b, gint len, gint from, const address *src, const address *dst, guint8 want,
                    gint *payload)
{
    const gint alen = src->len;
    const gboolean v6 = src->type == AT_IPv6;
    for (gint a = from + (v6 ? 8 : 12); a + 2 * alen <= len; a++) {
        if (memcmp(b + a, src->data, alen) != 0 || memcmp(b + a + alen, dst->data, alen) != 0)
            continue;
        const gint ip = v6 ? a - 8 : a - 12;
        guint8 next;
        const gint at = ip_payload_at(b, len, ip, v6, &next);
        if (at >= 0 && next == want) {
            *payload = at;
            return ip;
        }
    }
    return -1;
}

/* Offset of the TCP header with pinfo's ports behind the IP header with
 * pinfo's addresses, or -1; *ip_at gets the offset of that IP header. */
static gint locate_tcp(const guint8 *b, gint len, const packet_info *pinfo, gint *ip_at)
{
    gint tcp;
    for (gint ip = find_ip(b, len, 0, &pinfo->src, &pinfo->dst, IP_PROTO_TCP, &tcp); ip >= 0;
         ip = find_ip(b, len, ip + 1, &pinfo->src, &pinfo->dst, IP_PROTO_TCP, &tcp)) {
        if (tcp + 8 <= len && pntohu16(b + tcp) == pinfo->srcport && pntohu16(b + tcp + 2) == pinfo->destport) {
            *ip_at = ip;
            return tcp;
        }
    }
    return -1;
}

/* Offset of the TCP header quoted by the ICMP or ICMPv6 error that the IP
 * header with pinfo's addresses carries (4.4 and later), or -1; *ip_at gets
 * the offset of the quoted IP header. */
static gint locate_quoted_tcp(const guint8 *b, gint len, const packet_info *pinfo, gint *ip_at)
{
    const gboolean v6 = pinfo->src.type == AT_IPv6;
    gint icmp;
    if (find_ip(b, len, 0, &pinfo->src, &pinfo->dst, v6 ? IP_PROTO_ICMPV6 : IP_PROTO_ICMP, &icmp) < 0)
        return -1;
    const gint quoted = icmp + 8; /* ICMP and ICMPv6 error headers are 8 bytes */
    guint8 next;
    const gboolean quoted_v6 = quoted < len && b[quoted] >> 4 == 6;
    const gint tcp = ip_payload_at(b, len, quoted, quoted_v6, &next);
    if (tcp < 0 || next != IP_PROTO_TCP || tcp + 8 > len)
        return -1;
    *ip_at = quoted;
    return tcp;
}

/* Source of the IP header carrying the ICMP error whose quote starts at
 * `quote` (ICMP and ICMPv6 error headers are 8 bytes). */
static gboolean error_sender_in_bytes(packet_info *pinfo, const guint8 *b, gint quote, gboolean v6,
                                      address *out)
{
    const gint icmp = quote - 8;
    if (v6) {
        const gint ip = icmp - 40;
        if (ip < 0 || b[ip] >> 4 != 6 || b[ip + 6] != IP_PROTO_ICMPV6)
            return FALSE;
        alloc_address_wmem(pinfo->pool, out, AT_IPv6, 16, b + ip + 8);
        return TRUE;
    }
    for (gint ihl = 20; ihl <= 60 && icmp - ihl >= 0; ihl += 4) {
        const gint ip = icmp - ihl;
        if (b[ip] == (0x40 | ihl / 4) && b[ip + 9] == IP_PROTO_ICMP) {
            alloc_address_wmem(pinfo->pool, out, AT_IPv4, 4, b + ip + 12);
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean from_bytes(tvbuff_t *frame, packet_info *pinfo, frame_tcp_t *h)
{
    const gint len = MIN((gint)tvb_captured_length(frame), SEARCHED_BYTES);
    const guint8 *b = tvb_get_ptr(frame, 0, len);
    gint ip = -1, tcp = -1;
    if (pinfo->ptype == PT_TCP)
        tcp = locate_tcp(b, len, pinfo, &ip);
    if (tcp < 0 && h->quoted_in_icmp)
        tcp = locate_quoted_tcp(b, len, pinfo, &ip);
    if (tcp < 0)
        return FALSE;
    const gint avail = (gint)tvb_captured_length(frame) - tcp;
    const guint8 *t = tvb_get_ptr(frame, tcp, MIN(avail, 14));
    const gboolean v6 = b[ip] >> 4 == 6;
    set_address(&h->src, v6 ? AT_IPv6 : AT_IPv4, v6 ? 16 : 4, b + ip + (v6 ? 8 : 12));
    set_address(&h->dst, v6 ? AT_IPv6 : AT_IPv4, v6 ? 16 : 4, b + ip + (v6 ? 24 : 16));
    h->src_port = pntohu16(t);
    h->dst_port = pntohu16(t + 2);
    h->seq = pntohu32(t + 4);
    h->ack = avail >= 12 ? pntohu32(t + 8) : 0;
    h->header_len = avail >= 13 ? (t[12] >> 4) * 4 : 0;
    h->flags = avail >= 14 ? t[13] : 0;
    if (h->quoted_in_icmp) {
        error_sender_in_bytes(pinfo, b, ip, v6, &h->error_sender);
        return TRUE;
    }
    h->ttl = b[ip + (v6 ? 7 : 8)];
    if (h->header_len >= 20) {
        const gint ip_payload = v6 ? tvb_get_ntohs(frame, ip + 4) - (tcp - ip - 40)
                                                           : tvb_get_ntohs(frame, ip + 2) - (tcp - ip);
        h->payload_len = (guint32)MAX(ip_payload - h->header_len, 0);
    }
    return TRUE;
}

void frame_facts_collect(tvbuff_t *frame, packet_info *pinfo, frame_facts_t *facts)
{
    frame_layers_t layers;
    walk_layers(pinfo, &layers);
    memset(facts, 0, sizeof *facts);
    facts->has_sip = layers.has_sip;
    if (!layers.n_tcp)
        return;
    const struct tcpheader *last = NULL;
    guint n = 0;
    for (const struct tcpheader *th; (th = fetch_tapped_data(tcp_tap, (int)n)) != NULL; n++)
        last = th;

    facts->n_tcp = layers.n_tcp;
    frame_tcp_t *h = &facts->innermost;
    h->quoted_in_icmp = layers.last_quoted;
    if (last && n == layers.n_tcp) {
        from_record(last, h);
        if (h->quoted_in_icmp && layers.error_ip_index)
            ip_source(layers.error_ip_v6, layers.error_ip_index - 1, &h->error_sender);
        else if (!h->quoted_in_icmp)
            h->ttl = last_ip_ttl(h->src.type == AT_IPv6);
    } else {
        /* No record for the last TCP layer: see "when Wireshark is not tapping". */
        if (!from_bytes(frame, pinfo, h))
            facts->n_tcp = 0;
    }
    if ((h->src.type != AT_IPv4 && h->src.type != AT_IPv6) || h->dst.type != h->src.type)
        facts->n_tcp = 0;
}

const frame_facts_t *frame_facts_of(tvbuff_t *frame, packet_info *pinfo)
{
    frame_facts_t *facts = p_get_proto_data(pinfo->pool, pinfo, proto_frame_facts, 0);
    if (!facts) {
        facts = wmem_new(pinfo->pool, frame_facts_t);
        frame_facts_collect(frame, pinfo, facts);
        p_add_proto_data(pinfo->pool, pinfo, proto_frame_facts, 0, facts);
    }
    return facts;
}

tvbuff_t *frame_tcp_payload(tvbuff_t *frame, const frame_tcp_t *tcp)
{
    /* The header's first 12 bytes (ports, sequence and acknowledgement
     * numbers) are practically unique in a frame; they are looked for in the
     * first bytes, where the link and network headers end. */
    enum { SEARCHED = 256, MATCHED = 12 };
    guint8 pattern[MATCHED];
    phtonu16(pattern, tcp->src_port);
    phtonu16(pattern + 2, tcp->dst_port);
    phtonu32(pattern + 4, tcp->seq);
    phtonu32(pattern + 8, tcp->ack);
    const gint captured = tvb_captured_length(frame);
    const gint last_start = MIN(captured - MATCHED, SEARCHED);
    if (last_start < 0 || !tcp->payload_len)
        return NULL;
    const guint8 *bytes = tvb_get_ptr(frame, 0, last_start + MATCHED);
    for (gint off = 0; off <= last_start; off++) {
        if (bytes[off] != pattern[0] || memcmp(bytes + off, pattern, MATCHED) != 0)
            continue;
        const gint payload = off + tcp->header_len;
        if (payload >= captured)
            return NULL;
        return tvb_new_subset_length(frame, payload, MIN((gint)tcp->payload_len, captured - payload));
    }
    return NULL;
}
