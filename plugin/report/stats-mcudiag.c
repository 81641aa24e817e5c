/* stats-mcudiag.c — the diagnosis as a statistics tree, for the GUI
 * (Statistics → Conferencing → Diagnosis) and -z mcudiag_tree,tree.
 *
 * A stats tree listens to one tap, so this one listens to "frame" (queued for
 * every frame once all dissectors and postdissectors ran) and reads what the
 * plugin's protocols decided for the frame: a failed conference join
 * (sipconf), a connection to the conferencing port that failed before any
 * request (c3pconn), a foreign SYN-ACK of a VIP without SNAT (lbsnat). The
 * groups run from symptom to cause, as in -z mcudiag.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/stats_tree.h>

#include "c3p/c3pconn_tap.h"
#include "lbsnat/lbsnat_tap.h"
#include "plugin_protocols.h"
#include "sipconf/sipconf_tap.h"

static const char st_joins[] = "1. Conference joins failed";
static const char st_connections[] = "2. HTTPS connections to the conferencing port failed before any request";
static const char st_vips[] = "3. Load balancer VIPs forwarding without SNAT (foreign SYN-ACKs)";

static void diagnosis_init(stats_tree *st)
{
    stats_tree_create_node(st, st_joins, 0, STAT_DT_INT, TRUE);
    stats_tree_create_node(st, st_connections, 0, STAT_DT_INT, TRUE);
    stats_tree_create_node(st, st_vips, 0, STAT_DT_INT, TRUE);
}

static void add_join(stats_tree *st, packet_info *pinfo, const sipconf_conference_t *c)
{
    int group = tick_stat_node(st, st_joins, 0, TRUE);
    const char *component = sipconf_diag_component(c->failure_diag.error_id);
    char *line = wmem_strdup_printf(pinfo->pool, "conference %s: the %s answered %u%s%s%s", c->conference_id,
                                    c->failure_where, c->failure_status,
                                    c->failure_diag.error_id ? "; ms-diagnostics " : "",
                                    c->failure_diag.error_id ? wmem_strdup_printf(pinfo->pool, "%u",
                                                                                  c->failure_diag.error_id) : "",
                                    component ? wmem_strdup_printf(pinfo->pool, " (%s)", component) : "");
    tick_stat_node(st, line, group, FALSE);
}

static void add_connection(stats_tree *st, packet_info *pinfo, const c3pconn_tap_info_t *failure)
{
    int group = tick_stat_node(st, st_connections, 0, TRUE);
    int from = tick_stat_node(st, wmem_strdup_printf(pinfo->pool, "from %s to port %u", failure->client, failure->port),
                              group, TRUE);
    tick_stat_node(st, failure->lbsnat_case ? "explained by a VIP without SNAT (group 3)" : "not explained by this capture",
                   from, FALSE);
}

static void add_foreign_synack(stats_tree *st, packet_info *pinfo, const lbsnat_verdict_t *v)
{
    char vip[64], member[64];
    const lbsnat_case_t *c = v->c;
    const lbsnat_answer_t *ans = lbsnat_verdict_answer(v);
    lbsnat_addr_to_str(&c->vip, vip, sizeof vip);
    int group = tick_stat_node(st, st_vips, 0, TRUE);
    char *endpoint = wmem_strdup_printf(pinfo->pool, c->vip.family == 6 ? "[%s]:%u" : "%s:%u", vip, c->vip_port);
    int node = tick_stat_node(st, endpoint, group, TRUE);
    tick_stat_node(st, wmem_strdup_printf(pinfo->pool, "member %s answered directly",
                                          lbsnat_addr_to_str(&ans->member, member, sizeof member)), node, FALSE);
    tick_stat_node(st, wmem_strdup_printf(pinfo->pool, "Fix: enable SNAT (e.g. automap) on virtual server %s",
                                          endpoint), node, FALSE);
}

static tap_packet_status diagnosis_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                          const void *p _U_, tap_flags_t flags _U_)
{
    tap_packet_status status = TAP_PACKET_DONT_REDRAW;
    const sipconf_conference_t *c = sipconf_join_failure_in_frame(pinfo->num);
    if (c) {
        add_join(st, pinfo, c);
        status = TAP_PACKET_REDRAW;
    }
    const c3pconn_tap_info_t *failure = c3pconn_failure_in_frame(pinfo);
    if (failure) {
        add_connection(st, pinfo, failure);
        status = TAP_PACKET_REDRAW;
    }
    const lbsnat_verdict_t *v = lbsnat_frame_verdict(pinfo->num);
    if (v && v->role == LBSNAT_ROLE_FOREIGN_SYNACK) {
        add_foreign_synack(st, pinfo, v);
        status = TAP_PACKET_REDRAW;
    }
    return status;
}

void register_diagnosis_tree(void)
{
    stats_tree_register_plugin("frame", "mcudiag_tree", "Conferencing/Diagnosis", 0, diagnosis_packet,
                               diagnosis_init, NULL);
}
