/* reversed_plugin.c — test only: the loader symbols of a twin of the plugin
 * that registers its protocols and reports in the reverse order of plugin.c,
 * so Wireshark runs the analyses' postdissectors in the reverse order
 * (capture.order-swap compares what both show).
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
MCUDIAG_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER)

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    for (size_t i = mcudiag_n_protocols; i-- > 0;)
        proto_register_plugin(&mcudiag_protocols[i]);
    for (size_t i = mcudiag_n_reports; i-- > 0;)
        tap_register_plugin(&mcudiag_reports[i]);
}
