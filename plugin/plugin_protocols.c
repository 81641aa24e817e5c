/* plugin_protocols.c — the table of the plugin's protocols and reports
 * (plugin_protocols.h), registered by plugin.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame_facts.h"
#include "plugin_protocols.h"

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
