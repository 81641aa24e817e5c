/* plugin_protocols.c — the table of the plugin's protocols and reports
 * (plugin_protocols.h), registered by plugin.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame_facts.h"
#include "plugin_protocols.h"

#include <epan/proto.h>
#include <wsutil/wmem/wmem.h>

const proto_plugin mcudiag_protocols[] = {
    { proto_register_frame_facts, frame_facts_register },
    { proto_register_c3p, proto_reg_handoff_c3p },
    { proto_register_lbsnat, proto_reg_handoff_lbsnat },
    { proto_register_c3pconn, proto_reg_handoff_c3pconn },
    { proto_register_sipconf, proto_reg_handoff_sipconf },
    { proto_register_lbidle, proto_reg_handoff_lbidle },
    { proto_register_lbdsr, proto_reg_handoff_lbdsr },
};
const size_t mcudiag_n_protocols = G_N_ELEMENTS(mcudiag_protocols);

const tap_plugin mcudiag_reports[] = {
    { register_tap_listener_mcudiag },
};
const size_t mcudiag_n_reports = G_N_ELEMENTS(mcudiag_reports);

dissector_handle_t analysis_postdissector_handle(dissector_t dissect, int proto)
{
    protocol_t *analysis = find_protocol_by_id(proto);
    int helper = proto_register_protocol_in_name_only(
        wmem_strdup_printf(wmem_epan_scope(), "%s (postdissector)", proto_get_protocol_long_name(analysis)),
        wmem_strdup_printf(wmem_epan_scope(), "%s postdissector", proto_get_protocol_short_name(analysis)),
        wmem_strdup_printf(wmem_epan_scope(), "%s_postdissector", proto_get_protocol_filter_name(proto)),
        proto, FT_PROTOCOL);
    return create_dissector_handle(dissect, helper);
}
