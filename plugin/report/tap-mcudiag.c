/* tap-mcudiag.c — "-z mcudiag": listens to the plugin's taps and prints the
 * diagnosis chain (mcudiag_chain.[ch]) when the capture has been read.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include "plugin_protocols.h"
#include "c3p/c3pconn_tap.h"
#include "report/mcudiag_chain.h"
#include "sipconf/sipconf_tap.h"
#include "ws_compat.h"

static tap_packet_status mcudiag_lbsnat_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                               const void *data, tap_flags_t flags _U_)
{
    mcudiag_chain_add_lbsnat(tapdata, data);
    return TAP_PACKET_REDRAW;
}

/* Final responses of the Focus and MCU join legs. */
static tap_packet_status mcudiag_sipconf_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                                const void *data, tap_flags_t flags _U_)
{
    const sipconf_tap_info_t *info = data;
    const sipconf_conference_t *c = info->conference;
    if (!c || info->repeat || !info->is_response || info->status < 200 ||
        (info->leg != SIPCONF_LEG_FOCUS && info->leg != SIPCONF_LEG_MCU))
        return TAP_PACKET_DONT_REDRAW;
    const gboolean failure_here = c->failure_frame == info->frame;
    char *where = sipconf_leg_place(c, info->leg);
    mcudiag_join_t join = {
        .conference_id = c->conference_id, .organizer = c->organizer, .where = where, .status = info->status,
        .frame = info->frame,
        .diag_id = failure_here ? c->failure_diag.error_id : 0,
        .diag_component = failure_here ? sipconf_diag_component(c->failure_diag.error_id) : NULL,
        .diag_reason = failure_here ? c->failure_diag.reason : NULL,
    };
    mcudiag_chain_add_join(tapdata, &join);
    g_free(where);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status mcudiag_c3pconn_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                                const void *data, tap_flags_t flags _U_)
{
    const c3pconn_tap_info_t *info = data;
    mcudiag_chain_add_failed_connection(tapdata, info->client, info->port, info->frame, info->lbsnat_case);
    return TAP_PACKET_REDRAW;
}

static void mcudiag_reset(void *tapdata)
{
    mcudiag_chain_reset(tapdata);
}

static void mcudiag_draw(void *tapdata)
{
    char *text = mcudiag_chain_render(tapdata);
    fputs(text, stdout);
    g_free(text);
}

static void mcudiag_finish(void *tapdata)
{
    mcudiag_chain_free(tapdata);
}

/* One chain listens to every tap; only the lbsnat listener draws and frees it. */
static mcudiag_stat_tap_init_result mcudiag_init(const char *opt_arg _U_, void *userdata _U_)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    GString *error = register_tap_listener("lbsnat", chain, NULL, TL_REQUIRES_NOTHING, mcudiag_reset,
                                           mcudiag_lbsnat_packet, mcudiag_draw, mcudiag_finish);
    if (!error)
        error = register_tap_listener("sipconf", chain, NULL, TL_REQUIRES_NOTHING, NULL, mcudiag_sipconf_packet,
                                      NULL, NULL);
    if (!error)
        error = register_tap_listener("c3pconn", chain, NULL, TL_REQUIRES_NOTHING, NULL, mcudiag_c3pconn_packet,
                                      NULL, NULL);
    if (error) {
        fprintf(stderr, "tshark: couldn't register mcudiag tap: %s\n", error->str);
        g_string_free(error, TRUE);
        MCUDIAG_STAT_TAP_INIT_RETURN(FALSE);
    }
    MCUDIAG_STAT_TAP_INIT_RETURN(TRUE);
}

void register_tap_listener_mcudiag(void)
{
    static stat_tap_ui ui = { REGISTER_STAT_GROUP_GENERIC, "Conferencing diagnosis", "mcudiag", mcudiag_init, 0, NULL };
    register_stat_tap_ui(&ui, NULL);
}
