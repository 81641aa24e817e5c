/* plugin.c — the symbols Wireshark's plugin loader looks for.
 *
 * Registers every protocol of the plugin and the reports that listen to their
 * taps (the table in plugin_protocols.c).
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
    for (size_t i = 0; i < mcudiag_n_protocols; i++)
        proto_register_plugin(&mcudiag_protocols[i]);
    for (size_t i = 0; i < mcudiag_n_reports; i++)
        tap_register_plugin(&mcudiag_reports[i]);
}
