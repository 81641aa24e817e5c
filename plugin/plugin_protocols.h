/* plugin_protocols.h — registration entry points of the plugin's protocols.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_PLUGIN_PROTOCOLS_H
#define MCUDIAG_PLUGIN_PROTOCOLS_H

void proto_register_lbsnat(void);
void proto_reg_handoff_lbsnat(void);
void proto_register_c3p(void);
void proto_reg_handoff_c3p(void);
void proto_register_c3pconn(void);
void proto_reg_handoff_c3pconn(void);
void proto_register_sipconf(void);
void proto_reg_handoff_sipconf(void);

/* -z mcudiag and the GUI's Statistics > Conferencing Diagnosis window */
void register_tap_listener_mcudiag(void);

#endif
