/* postdissector_fields.c — see postdissector_fields.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "postdissector_fields.h"

void want_fields(dissector_handle_t handle, int proto, const int *ids, size_t n)
{
    if (!proto_is_protocol_enabled(find_protocol_by_id(proto)))
        return;
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    for (size_t i = 0; i < n; i++)
        if (ids[i] > 0)
            g_array_append_val(wanted, ids[i]);
    set_postdissector_wanted_hfids(handle, wanted);
}

GPtrArray *field_occurrences(proto_tree *tree, int hf)
{
    return hf > 0 ? proto_get_finfo_ptr_array(tree, hf) : NULL;
}
