/* host_addr.h — an IPv4 or IPv6 address held by value, for the analysis cores.
 *
 * The cores (plain C + GLib + wsutil, no epan) keep addresses in hash keys,
 * fixed arrays and structures copied by value: Wireshark's `address` only
 * points to its bytes, so they hold wsutil's own address types instead, and
 * write them with wsutil's ws_inet_ntop4/6. The epan glue converts from and
 * to `address` (host_addr_epan.h) for fields, trees and address_to_str.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_HOST_ADDR_H
#define MCUDIAG_HOST_ADDR_H

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <wsutil/inet_addr.h>

G_BEGIN_DECLS

typedef enum {
    HOST_ADDR_NONE = 0,
    HOST_ADDR_V4 = 4,
    HOST_ADDR_V6 = 6,
} host_addr_family_t;

/* Unused bytes are zero, so two addresses (and structures holding them,
 * zeroed first) compare and hash as bytes. */
typedef struct {
    guint8 family; /* host_addr_family_t */
    union {
        ws_in4_addr v4; /* network byte order */
        ws_in6_addr v6;
    } u;
} host_addr_t;

/* Longest text host_addr_to_str writes, and host_endpoint_to_str ("[v6]:port"). */
#define HOST_ADDR_STRLEN WS_INET6_ADDRSTRLEN
#define HOST_ENDPOINT_STRLEN (WS_INET6_ADDRSTRLEN + 8)

/* An address from its bytes on the wire: 4 for IPv4, 16 for IPv6; any other
 * length gives HOST_ADDR_NONE. */
static inline void host_addr_set(host_addr_t *a, const void *bytes, gsize len)
{
    memset(a, 0, sizeof *a);
    if (len == sizeof a->u.v4) {
        a->family = HOST_ADDR_V4;
        memcpy(&a->u.v4, bytes, len);
    } else if (len == sizeof a->u.v6) {
        a->family = HOST_ADDR_V6;
        memcpy(&a->u.v6, bytes, len);
    }
}

static inline gboolean host_addr_equal(const host_addr_t *a, const host_addr_t *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* A TCP connection's ends as its client's SYN addressed them. Zeroed before
 * it is filled (padding included), so tables compare and hash it as bytes. */
typedef struct {
    host_addr_t client, server;
    guint16 client_port, server_port;
} host_conn_t;

/* Fills *k (zeroed first: it is hashed and compared as bytes). */
static inline void host_conn_set(host_conn_t *k, const host_addr_t *client, guint16 client_port,
                                 const host_addr_t *server, guint16 server_port)
{
    memset(k, 0, sizeof *k);
    k->client = *client;
    k->server = *server;
    k->client_port = client_port;
    k->server_port = server_port;
}

/* Hashing keys held by value and zeroed before they were filled (an
 * address, a host_conn_t, structures of them): their bytes a 32-bit word at
 * a time, which costs a quarter of a byte-wise hash on every packet's lookup. */
static inline guint32 host_hash_bytes(guint32 h, const void *key, gsize len)
{
    const guint8 *bytes = key;
    gsize i = 0;
    for (; i + sizeof(guint32) <= len; i += sizeof(guint32)) {
        guint32 word;
        memcpy(&word, bytes + i, sizeof word);
        h = (h ^ word) * 0x9e3779b1u;
        h ^= h >> 15;
    }
    for (; i < len; i++)
        h = (h ^ bytes[i]) * 16777619u;
    return h;
}

#define HOST_HASH_SEED 2166136261u

static inline guint host_key_hash(const void *key, gsize len)
{
    return host_hash_bytes(HOST_HASH_SEED ^ (guint32)len, key, len);
}

/* An address's family and the bytes that family uses: an IPv4 address's
 * zeroed twelve are left out, two thirds of a connection key's hash. */
static inline guint32 host_hash_addr(guint32 h, const host_addr_t *a)
{
    return host_hash_bytes(h ^ a->family, &a->u, a->family == HOST_ADDR_V6 ? sizeof a->u.v6 : sizeof a->u.v4);
}

/* GHashTable callbacks for host_addr_t and host_conn_t keys. */
static inline guint host_addr_hash(gconstpointer key)
{
    return host_hash_addr(HOST_HASH_SEED, key);
}

static inline gboolean host_addr_key_equal(gconstpointer a, gconstpointer b)
{
    return host_addr_equal(a, b);
}

static inline guint host_conn_hash(gconstpointer key)
{
    const host_conn_t *k = key;
    guint32 ports = ((guint32)k->client_port << 16) | k->server_port;
    return host_hash_bytes(host_hash_addr(host_hash_addr(HOST_HASH_SEED, &k->client), &k->server), &ports,
                           sizeof ports);
}

static inline gboolean host_conn_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(host_conn_t)) == 0;
}

/* "10.0.0.1", "fd00::1" ("?" for no address) in buf, of HOST_ADDR_STRLEN bytes or more. */
static inline const char *host_addr_to_str(const host_addr_t *a, char *buf, gsize len)
{
    if (a->family == HOST_ADDR_V4)
        return ws_inet_ntop4(&a->u.v4, buf, len);
    if (a->family == HOST_ADDR_V6)
        return ws_inet_ntop6(&a->u.v6, buf, len);
    g_strlcpy(buf, "?", len);
    return buf;
}

/* An address from its text ("10.0.0.1", "fd00::1"); FALSE (and
 * HOST_ADDR_NONE) for anything else. */
static inline gboolean host_addr_from_str(host_addr_t *a, const char *text)
{
    memset(a, 0, sizeof *a);
    if (ws_inet_pton4(text, &a->u.v4))
        a->family = HOST_ADDR_V4;
    else if (ws_inet_pton6(text, &a->u.v6))
        a->family = HOST_ADDR_V6;
    return a->family != HOST_ADDR_NONE;
}

/* Address and port as the plugin's trees and reports write them:
 * "10.0.0.1:444", "[fd00::1]:444"; buf of HOST_ENDPOINT_STRLEN bytes or more. */
static inline const char *host_endpoint_to_str(const host_addr_t *a, guint16 port, char *buf, gsize len)
{
    char addr[HOST_ADDR_STRLEN];
    host_addr_to_str(a, addr, sizeof addr);
    snprintf(buf, len, a->family == HOST_ADDR_V6 ? "[%s]:%u" : "%s:%u", addr, port);
    return buf;
}

G_END_DECLS

#endif
