/* plugin.c — the four symbols Wireshark's plugin loader looks for.
 *
 * Registers every protocol of the plugin (each glue file exports its
 * proto_register_* / proto_reg_handoff_* pair through plugin_protocols.h) and
 * the reports that listen to their taps.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include "plugin_protocols.h"
#include "ws_compat.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
/* 4.4+: `tshark -G plugins` lists it as a dissector plugin (4.0: no such symbol). */
MCUDIAG_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER)

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static const proto_plugin protocols[] = {
        { proto_register_c3p, proto_reg_handoff_c3p },
        { proto_register_c3pconn, NULL },
        { proto_register_lbsnat, proto_reg_handoff_lbsnat },
        { proto_register_lbdsr, proto_reg_handoff_lbdsr },
        { proto_register_sipconf, proto_reg_handoff_sipconf },
        { proto_register_dispatch, proto_reg_handoff_dispatch },
    };

    static const tap_plugin reports[] = {
        { register_tap_listener_mcudiag },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(protocols); i++)
        proto_register_plugin(&protocols[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(reports); i++)
        tap_register_plugin(&reports[i]);
}
