/* mcudiag_findings.c — the findings model (see mcudiag_findings.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_findings.h"

#include <string.h>

const mcudiag_finding_kind_info_t mcudiag_finding_kinds[] = {
    { MCUDIAG_FINDING_FAILED_JOINS, "failed-joins", TRUE },
    { MCUDIAG_FINDING_FAILED_CONNECTIONS, "failed-connections", TRUE },
    { MCUDIAG_FINDING_VIP_WITHOUT_SNAT, "vip-without-snat", TRUE },
    { MCUDIAG_FINDING_MEMBER_WITHOUT_SNAT, "member-without-snat", TRUE },
    { MCUDIAG_FINDING_SWEEPER, "sweeper", FALSE },
    { MCUDIAG_FINDING_NO_FAULT, "no-fault", FALSE },
    { MCUDIAG_FINDING_IDLE_TIMEOUT, "idle-timeout", TRUE },
    { MCUDIAG_FINDING_UNTIED_CONNECTIONS, "untied-connections", FALSE },
    { MCUDIAG_FINDING_SELF_SELECTION, "self-selection", TRUE },
    { MCUDIAG_FINDING_DIRECT_SERVER_RETURN, "direct-server-return", TRUE },
    { 0, NULL, FALSE },
};

static const mcudiag_finding_kind_info_t *kind_info(mcudiag_finding_kind_t kind)
{
    for (const mcudiag_finding_kind_info_t *k = mcudiag_finding_kinds; k->name; k++)
        if (k->kind == kind)
            return k;
    return NULL;
}

const char *mcudiag_finding_kind_name(mcudiag_finding_kind_t kind)
{
    const mcudiag_finding_kind_info_t *k = kind_info(kind);
    return k ? k->name : "unknown";
}

mcudiag_finding_kind_t mcudiag_finding_kind_from_name(const char *name)
{
    for (const mcudiag_finding_kind_info_t *k = mcudiag_finding_kinds; name && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k->kind;
    return 0;
}

const char *mcudiag_level_name(mcudiag_level_t level)
{
    static const char *const names[] = { NULL, "low", "medium", "high" };
    return level <= MCUDIAG_LEVEL_HIGH ? names[level] : NULL;
}

const char *mcudiag_cause_name(mcudiag_cause_t cause)
{
    static const char *const names[] = { NULL, "next-finding", "balancer-below", "certificate" };
    return cause <= MCUDIAG_CAUSE_CERTIFICATE ? names[cause] : NULL;
}

gint mcudiag_frame_compare(gconstpointer a, gconstpointer b)
{
    const mcudiag_frame_t *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

mcudiag_join_leg_t *mcudiag_join_leg_new(mcudiag_frame_t frame, guint status, const char *conference_id,
                                         const char *organizer, const char *where, guint diag_id,
                                         const char *diag_component, const char *diag_reason)
{
    mcudiag_join_leg_t *leg = g_new0(mcudiag_join_leg_t, 1);
    leg->frame = frame;
    leg->status = status;
    leg->conference_id = g_strdup(conference_id);
    leg->organizer = g_strdup(organizer);
    leg->where = g_strdup(where);
    leg->diag_id = diag_id;
    leg->diag_component = g_strdup(diag_component);
    leg->diag_reason = g_strdup(diag_reason);
    return leg;
}

mcudiag_join_leg_t *mcudiag_join_leg_copy(const mcudiag_join_leg_t *j)
{
    return mcudiag_join_leg_new(j->frame, j->status, j->conference_id, j->organizer, j->where, j->diag_id,
                                j->diag_component, j->diag_reason);
}

void mcudiag_join_leg_free(gpointer p)
{
    mcudiag_join_leg_t *j = p;
    g_free(j->conference_id);
    g_free(j->organizer);
    g_free(j->where);
    g_free(j->diag_component);
    g_free(j->diag_reason);
    g_free(j);
}

mcudiag_finding_t *mcudiag_finding_new(mcudiag_finding_kind_t kind)
{
    mcudiag_finding_t *f = g_new0(mcudiag_finding_t, 1);
    f->kind = kind;
    f->members = g_ptr_array_new_with_free_func(g_free);
    f->clients = g_ptr_array_new_with_free_func(g_free);
    f->pairs = g_ptr_array_new_with_free_func(g_free);
    f->ports = g_array_new(FALSE, FALSE, sizeof(guint16));
    f->frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    f->reset_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    f->joins = g_ptr_array_new_with_free_func(mcudiag_join_leg_free);
    f->syn_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    f->forward_frames = g_array_new(FALSE, FALSE, sizeof(mcudiag_frame_t));
    f->balancer_macs = g_ptr_array_new_with_free_func(g_free);
    f->member_macs = g_ptr_array_new_with_free_func(g_free);
    f->ttls = g_array_new(FALSE, FALSE, sizeof(guint16));
    f->member_views = g_ptr_array_new_with_free_func((GDestroyNotify)mcudiag_finding_free);
    nstime_set_unset(&f->timer_min);
    nstime_set_unset(&f->timer_max);
    return f;
}

void mcudiag_finding_free(mcudiag_finding_t *f)
{
    if (!f)
        return;
    g_free(f->address);
    g_free(f->endpoint);
    g_ptr_array_free(f->members, TRUE);
    g_ptr_array_free(f->clients, TRUE);
    g_ptr_array_free(f->pairs, TRUE);
    g_array_free(f->ports, TRUE);
    g_array_free(f->frames, TRUE);
    g_array_free(f->reset_frames, TRUE);
    g_ptr_array_free(f->joins, TRUE);
    g_array_free(f->syn_frames, TRUE);
    g_array_free(f->forward_frames, TRUE);
    g_ptr_array_free(f->balancer_macs, TRUE);
    g_ptr_array_free(f->member_macs, TRUE);
    g_array_free(f->ttls, TRUE);
    g_ptr_array_free(f->member_views, TRUE);
    g_free(f->impact);
    g_free(f->fix);
    g_free(f->next);
    g_free(f->missing);
    g_free(f);
}

gboolean mcudiag_strv_contains(const GPtrArray *list, const char *text)
{
    for (guint i = 0; i < list->len; i++)
        if (strcmp(g_ptr_array_index(list, i), text) == 0)
            return TRUE;
    return FALSE;
}

void mcudiag_strv_add_unique(GPtrArray *list, const char *text)
{
    if (!mcudiag_strv_contains(list, text))
        g_ptr_array_add(list, g_strdup(text));
}

mcudiag_capture_t *mcudiag_capture_copy(const mcudiag_capture_t *c)
{
    mcudiag_capture_t *copy = g_new(mcudiag_capture_t, 1);
    *copy = *c;
    copy->name = g_strdup(c->name);
    return copy;
}

void mcudiag_capture_free(gpointer p)
{
    mcudiag_capture_t *c = p;
    if (c)
        g_free(c->name);
    g_free(c);
}

mcudiag_findings_t *mcudiag_findings_new(void)
{
    mcudiag_findings_t *set = g_new0(mcudiag_findings_t, 1);
    set->findings = g_ptr_array_new_with_free_func((GDestroyNotify)mcudiag_finding_free);
    set->captures = g_ptr_array_new_with_free_func(mcudiag_capture_free);
    return set;
}

void mcudiag_findings_free(mcudiag_findings_t *set)
{
    if (!set)
        return;
    g_ptr_array_free(set->findings, TRUE);
    g_ptr_array_free(set->captures, TRUE);
    g_free(set);
}

void mcudiag_findings_add(mcudiag_findings_t *set, mcudiag_finding_t *f)
{
    const mcudiag_finding_kind_info_t *k = kind_info(f->kind);
    if (k && k->numbered) {
        guint n = 0;
        for (guint i = 0; i < set->findings->len; i++)
            n += ((const mcudiag_finding_t *)g_ptr_array_index(set->findings, i))->number > 0;
        f->number = n + 1;
    }
    g_ptr_array_add(set->findings, f);
}
