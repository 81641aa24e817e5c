/* postdissector_fields.h — how the plugin's postdissectors (lbsnat, c3pconn,
 * sipconf) read other protocols' fields.
 *
 * Wireshark supplies a postdissector the fields it asks for, on the first
 * pass only, and asking makes every frame build a protocol tree: so a
 * disabled protocol asks for nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef POSTDISSECTOR_FIELDS_H
#define POSTDISSECTOR_FIELDS_H

#include <wireshark.h>
#include <epan/packet.h>

/* Asks for the fields among ids that exist (> 0), when proto is enabled.
 * Call from the protocol's init routine; cleanup passes NULL to
 * set_postdissector_wanted_hfids. */
void want_fields(dissector_handle_t handle, int proto, const int *ids, size_t n);

/* This frame's occurrences of a field asked for, in tree order, or NULL. */
GPtrArray *field_occurrences(proto_tree *tree, int hf);

#endif
