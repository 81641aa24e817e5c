/* host_addr_epan.h — between Wireshark's `address` (the glue's) and the cores'
 * host_addr_t (host_addr.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_HOST_ADDR_EPAN_H
#define MCUDIAG_HOST_ADDR_EPAN_H

#include <epan/address.h>
#include <epan/proto.h>
#include <epan/to_str.h>

#include "host_addr.h"

/* HOST_ADDR_NONE for anything but an IPv4 or IPv6 address. */
static inline void host_addr_from_address(const address *in, host_addr_t *out)
{
    if (in->type == AT_IPv4 || in->type == AT_IPv6)
        host_addr_set(out, in->data, (gsize)in->len);
    else
        host_addr_set(out, NULL, 0);
}

/* An `address` pointing into `a` (valid while `a` is). */
static inline void host_addr_to_address(const host_addr_t *a, address *out)
{
    if (a->family == HOST_ADDR_V4)
        set_address(out, AT_IPv4, (int)sizeof a->u.v4, &a->u.v4);
    else if (a->family == HOST_ADDR_V6)
        set_address(out, AT_IPv6, (int)sizeof a->u.v6, &a->u.v6);
    else
        clear_address(out);
}

/* The address as Wireshark writes it, in `scope`. */
static inline char *host_addr_to_wmem_str(wmem_allocator_t *scope, const host_addr_t *a)
{
    address addr;
    host_addr_to_address(a, &addr);
    return address_to_str(scope, &addr);
}

/* An address goes in its family's field, as Wireshark's own dissectors do
 * (ip.src, ipv6.src): e.g. lbsnat.vip for IPv4, lbsnat.vip.v6 for IPv6, so
 * "lbsnat.vip == 10.137.2.0/24" and "lbsnat.vip.v6 == fd00::/64" filter, -T
 * json/ek carry addresses and columns sort as addresses. (One name for both
 * types does not filter: Wireshark parses the value as the type of one of
 * them only.) The item is generated: the analysis, not the packet, says it. */
static inline void host_addr_add_item(proto_tree *tree, int hf_v4, int hf_v6, tvbuff_t *tvb, const host_addr_t *a)
{
    proto_item *item = NULL;
    if (a->family == HOST_ADDR_V4)
        item = proto_tree_add_ipv4(tree, hf_v4, tvb, 0, 0, a->u.v4);
    else if (a->family == HOST_ADDR_V6)
        item = proto_tree_add_ipv6(tree, hf_v6, tvb, 0, 0, &a->u.v6);
    proto_item_set_generated(item);
}

#endif
