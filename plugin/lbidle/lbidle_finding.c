/* lbidle_finding.c — see lbidle_finding.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "lbidle/lbidle_finding.h"

#include <string.h>

static char *addr_text(const host_addr_t *a)
{
    char buf[64];
    return g_strdup(host_addr_to_str(a, buf, sizeof buf));
}

static gboolean timer_found(const lbidle_service_t *s)
{
    lbidle_timer_t timer;
    lbidle_service_timer(s, &timer);
    return timer.found;
}

/* The found service every cut connection of s came from, or NULL: s is then
 * that VIP's balancer calling a member. */
static const lbidle_service_t *called_from(const lbidle_service_t *s, const GPtrArray *services)
{
    for (guint i = 0; i < services->len; i++) {
        const lbidle_service_t *vip = g_ptr_array_index(services, i);
        if (vip == s || !timer_found(vip))
            continue;
        const host_addr_t *vip_addr = lbidle_service_addr(vip, NULL);
        gboolean all = lbidle_service_cut_count(s) > 0;
        for (guint k = 0; k < lbidle_service_cut_count(s) && all; k++)
            all = host_addr_equal(&lbidle_service_cut(s, k)->client, vip_addr);
        if (all)
            return vip;
    }
    return NULL;
}

static const char *const where_next[] = {
    [LBIDLE_BEHAVIOUR_RESET_NEXT] = "a capture on the member (or a SPAN of the balancer's segment) shows whether "
                                    "the member ever sent those resets.",
    [LBIDLE_BEHAVIOUR_RESET_AT_EXPIRY] = "a capture on the member (or a SPAN of the balancer's segment) shows "
                                         "whether the member was reset at the same moment.",
    [LBIDLE_BEHAVIOUR_SILENT_DROP] = "a capture on the member shows whether the late packets ever reached it.",
};

static mcudiag_finding_t *finding_of(const lbidle_service_t *s, const lbidle_timer_t *timer)
{
    mcudiag_finding_t *f = mcudiag_finding_new(MCUDIAG_FINDING_IDLE_TIMEOUT);
    guint16 port;
    const host_addr_t *addr = lbidle_service_addr(s, &port);
    char buf[64];
    f->address = addr_text(addr);
    f->port = port;
    f->endpoint = g_strdup(host_endpoint_to_str(addr, port, buf, sizeof buf));
    f->confidence = (mcudiag_level_t)timer->confidence;
    f->code = timer->behaviour;
    f->timer_min = timer->lower_bound;
    f->timer_max = timer->upper_bound;
    f->attempts = timer->cuts;
    f->count = timer->connections;
    for (guint i = 0; i < lbidle_service_cut_count(s); i++) {
        const lbidle_cut_t *cut = lbidle_service_cut(s, i);
        if (cut->withdrawn)
            continue;
        mcudiag_strv_add_unique(f->clients, host_addr_to_str(&cut->client, buf, sizeof buf));
        const mcudiag_frame_t frame = {
            .file = 0,
            .frame = cut->reset_frame ? cut->reset_frame : cut->last_retransmission_frame,
        };
        g_array_append_val(f->frames, frame);
    }
    g_array_sort(f->frames, mcudiag_frame_compare);
    /* Every reset reached the service's end from the client's address: a
     * capture on a member behind SNAT, its "clients" the balancer itself. */
    gboolean from_balancer = f->frames->len > 0;
    for (guint i = 0; i < lbidle_service_cut_count(s); i++) {
        const lbidle_cut_t *cut = lbidle_service_cut(s, i);
        from_balancer &= cut->withdrawn || (cut->reset_frame && cut->reset_to_server);
    }
    if (from_balancer)
        f->missing = g_strdup("the VIP: this is a member's side, reset by the balancer's address; a capture on a "
                              "client names the VIP.");
    f->impact = g_strdup("clients connected through this VIP are signed out and their IM sessions drop when they "
                         "stay quiet for longer than that; their next message on the connection fails");
    const nstime_t required = LBIDLE_REQUIRED_TIMEOUT;
    if (frame_time_cmp(&timer->lower_bound, &required) < 0)
        f->fix = g_strdup_printf("set the TCP idle timeout of the virtual server %s to 1800 s or more (F5: the "
                                 "Idle Timeout of its TCP profile), for every port of the pool.", f->endpoint);
    if (timer->confidence < LBIDLE_CONFIDENCE_HIGH && timer->behaviour <= LBIDLE_BEHAVIOUR_SILENT_DROP)
        f->next = g_strdup(where_next[timer->behaviour]);
    return f;
}

void lbidle_findings(const GPtrArray *services, GPtrArray *findings)
{
    GPtrArray *mine = g_ptr_array_new();
    for (guint i = 0; i < services->len; i++) {
        const lbidle_service_t *s = g_ptr_array_index(services, i);
        lbidle_timer_t timer;
        lbidle_service_timer(s, &timer);
        if (!timer.found || called_from(s, services))
            continue;
        mcudiag_finding_t *f = finding_of(s, &timer);
        g_ptr_array_add(mine, f);
        g_ptr_array_add(findings, f);
    }
    /* the balancer's side towards the members, under their VIP */
    for (guint i = 0; i < services->len; i++) {
        const lbidle_service_t *s = g_ptr_array_index(services, i);
        const lbidle_service_t *vip = timer_found(s) ? called_from(s, services) : NULL;
        if (!vip)
            continue;
        guint16 port, vip_port;
        const host_addr_t *member_addr = lbidle_service_addr(s, &port); /* sets the port before it is read */
        const host_addr_t *vip_addr = lbidle_service_addr(vip, &vip_port);
        char buf[64], vip_buf[64];
        const char *member = host_endpoint_to_str(member_addr, port, buf, sizeof buf);
        const char *vip_text = host_endpoint_to_str(vip_addr, vip_port, vip_buf, sizeof vip_buf);
        for (guint k = 0; k < mine->len; k++) {
            mcudiag_finding_t *f = g_ptr_array_index(mine, k);
            if (strcmp(f->endpoint, vip_text) == 0) {
                mcudiag_strv_add_unique(f->members, member);
                f->confidence = MCUDIAG_LEVEL_HIGH;
                g_clear_pointer(&f->next, g_free);
            }
        }
    }
    g_ptr_array_free(mine, TRUE);
}
