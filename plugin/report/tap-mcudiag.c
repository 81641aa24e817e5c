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
#include "report/mcudiag_chain.h"

static tap_packet_status mcudiag_lbsnat_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                               const void *data, tap_flags_t flags _U_)
{
    mcudiag_chain_add_lbsnat(tapdata, data);
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

static void mcudiag_init(const char *opt_arg _U_, void *userdata _U_)
{
    mcudiag_chain_t *chain = mcudiag_chain_new();
    GString *error = register_tap_listener("lbsnat", chain, NULL, TL_REQUIRES_NOTHING, mcudiag_reset,
                                           mcudiag_lbsnat_packet, mcudiag_draw, mcudiag_finish);
    if (error) {
        fprintf(stderr, "tshark: couldn't register mcudiag tap: %s\n", error->str);
        g_string_free(error, TRUE);
        mcudiag_chain_free(chain);
    }
}

void register_tap_listener_mcudiag(void)
{
    static stat_tap_ui ui = { REGISTER_STAT_GROUP_GENERIC, "Conferencing diagnosis", "mcudiag", mcudiag_init, 0, NULL };
    register_stat_tap_ui(&ui, NULL);
}
