/* mcudiag_render_json.c — the findings as JSON: every field of every
 * finding that is set (mcudiag_findings.h), with the captures they come
 * from. The same list the text renderer writes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_json.h"

void mcudiag_json_string(json_dumper *d, const char *text)
{
    if (g_utf8_validate(text, -1, NULL)) {
        json_dumper_value_string(d, text);
        return;
    }
    char *valid = g_utf8_make_valid(text, -1);
    json_dumper_value_string(d, valid);
    g_free(valid);
}

void mcudiag_json_member_string(json_dumper *d, const char *name, const char *text)
{
    if (!text)
        return;
    json_dumper_set_member_name(d, name);
    mcudiag_json_string(d, text);
}

void mcudiag_json_member_uint(json_dumper *d, const char *name, guint64 value)
{
    json_dumper_set_member_name(d, name);
    json_dumper_value_anyf(d, "%" G_GUINT64_FORMAT, value);
}

static void member_nonzero(json_dumper *d, const char *name, guint64 value)
{
    if (value)
        mcudiag_json_member_uint(d, name, value);
}

static void member_true(json_dumper *d, const char *name, gboolean value)
{
    if (!value)
        return;
    json_dumper_set_member_name(d, name);
    json_dumper_value_anyf(d, "true");
}

static void member_strings(json_dumper *d, const char *name, const GPtrArray *list)
{
    if (!list->len)
        return;
    json_dumper_set_member_name(d, name);
    json_dumper_begin_array(d);
    for (guint i = 0; i < list->len; i++)
        mcudiag_json_string(d, g_ptr_array_index(list, i));
    json_dumper_end_array(d);
}

void mcudiag_json_frame(json_dumper *d, const mcudiag_findings_t *set, const mcudiag_frame_t *frame)
{
    const mcudiag_capture_t *c = frame->file < set->captures->len ? g_ptr_array_index(set->captures, frame->file)
                                                                   : NULL;
    json_dumper_begin_object(d);
    mcudiag_json_member_string(d, "file", c ? c->name : NULL);
    mcudiag_json_member_uint(d, "frame", frame->frame);
    json_dumper_end_object(d);
}

/* A guint16 array as a JSON array of integers, left out when empty. */
static void member_u16s(json_dumper *d, const char *name, const GArray *values)
{
    if (!values->len)
        return;
    json_dumper_set_member_name(d, name);
    json_dumper_begin_array(d);
    for (guint i = 0; i < values->len; i++)
        json_dumper_value_anyf(d, "%u", g_array_index(values, guint16, i));
    json_dumper_end_array(d);
}

static void member_frames(json_dumper *d, const mcudiag_findings_t *set, const char *name, const GArray *frames)
{
    if (!frames->len)
        return;
    json_dumper_set_member_name(d, name);
    json_dumper_begin_array(d);
    for (guint i = 0; i < frames->len; i++)
        mcudiag_json_frame(d, set, &g_array_index(frames, mcudiag_frame_t, i));
    json_dumper_end_array(d);
}

/* A duration (not negative) as an integer count of nanoseconds, its digits
 * written out so that no conversion can overflow; nothing when unset. */
void mcudiag_json_member_duration_ns(json_dumper *d, const char *name, const nstime_t *duration)
{
    if (nstime_is_unset(duration))
        return;
    json_dumper_set_member_name(d, name);
    if (duration->secs)
        json_dumper_value_anyf(d, "%" G_GINT64_FORMAT "%09d", (gint64)duration->secs, duration->nsecs);
    else
        json_dumper_value_anyf(d, "%d", duration->nsecs);
}

/* RFC 3339 in UTC with nanoseconds: "2009-07-14T09:05:31.123456789Z". */
static void member_time(json_dumper *d, const char *name, gint64 secs, gint32 nsecs)
{
    GDateTime *t = g_date_time_new_from_unix_utc(secs);
    char *text = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%S") : NULL;
    if (text) {
        json_dumper_set_member_name(d, name);
        json_dumper_value_anyf(d, "\"%s.%09dZ\"", text, (int)nsecs);
    }
    g_free(text);
    if (t)
        g_date_time_unref(t);
}

void mcudiag_json_join_leg(json_dumper *d, const mcudiag_findings_t *set, const mcudiag_join_leg_t *j)
{
    json_dumper_begin_object(d);
    json_dumper_set_member_name(d, "frame");
    mcudiag_json_frame(d, set, &j->frame);
    mcudiag_json_member_uint(d, "status", j->status);
    mcudiag_json_member_string(d, "conference_id", j->conference_id);
    mcudiag_json_member_string(d, "organizer", j->organizer);
    mcudiag_json_member_string(d, "where", j->where);
    member_nonzero(d, "diag_id", j->diag_id);
    mcudiag_json_member_string(d, "diag_component", j->diag_component);
    mcudiag_json_member_string(d, "diag_reason", j->diag_reason);
    json_dumper_end_object(d);
}

static void write_finding(json_dumper *d, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    json_dumper_begin_object(d);
    mcudiag_json_member_string(d, "kind", mcudiag_finding_kind_name(f->kind));
    member_nonzero(d, "number", f->number);
    mcudiag_json_member_string(d, "confidence", mcudiag_level_name(f->confidence));
    mcudiag_json_member_string(d, "certainty", mcudiag_level_name(f->certainty));
    mcudiag_json_member_string(d, "address", f->address);
    member_nonzero(d, "port", f->port);
    mcudiag_json_member_string(d, "endpoint", f->endpoint);
    member_strings(d, "members", f->members);
    member_strings(d, "clients", f->clients);
    member_strings(d, "pairs", f->pairs);
    member_u16s(d, "ports", f->ports);
    member_nonzero(d, "attempts", f->attempts);
    member_nonzero(d, "count", f->count);
    member_nonzero(d, "total", f->total);
    member_frames(d, set, "frames", f->frames);
    member_frames(d, set, "reset_frames", f->reset_frames);
    if (f->joins->len) {
        json_dumper_set_member_name(d, "joins");
        json_dumper_begin_array(d);
        for (guint i = 0; i < f->joins->len; i++)
            mcudiag_json_join_leg(d, set, g_ptr_array_index(f->joins, i));
        json_dumper_end_array(d);
    }
    member_frames(d, set, "syn_frames", f->syn_frames);
    member_frames(d, set, "forward_frames", f->forward_frames);
    member_strings(d, "balancer_macs", f->balancer_macs);
    member_strings(d, "member_macs", f->member_macs);
    member_u16s(d, "ttls", f->ttls);
    mcudiag_json_member_duration_ns(d, "timer_min_ns", &f->timer_min);
    mcudiag_json_member_duration_ns(d, "timer_max_ns", &f->timer_max);
    member_nonzero(d, "code", f->code);
    member_true(d, "full_proxy", f->full_proxy);
    member_true(d, "clients_are_members", f->clients_are_members);
    mcudiag_json_member_string(d, "cause", mcudiag_cause_name(f->cause));
    if (f->member_views->len) {
        json_dumper_set_member_name(d, "member_views");
        json_dumper_begin_array(d);
        for (guint i = 0; i < f->member_views->len; i++)
            write_finding(d, set, g_ptr_array_index(f->member_views, i));
        json_dumper_end_array(d);
    }
    mcudiag_json_member_string(d, "impact", f->impact);
    mcudiag_json_member_string(d, "fix", f->fix);
    mcudiag_json_member_string(d, "next", f->next);
    mcudiag_json_member_string(d, "missing", f->missing);
    json_dumper_end_object(d);
}

void mcudiag_json_write_findings(json_dumper *d, const mcudiag_findings_t *set)
{
    mcudiag_json_member_string(d, "schema", "mcudiag-report");
    mcudiag_json_member_uint(d, "schema_version", MCUDIAG_JSON_SCHEMA_VERSION);
    json_dumper_set_member_name(d, "captures");
    json_dumper_begin_array(d);
    for (guint i = 0; i < set->captures->len; i++) {
        const mcudiag_capture_t *c = g_ptr_array_index(set->captures, i);
        json_dumper_begin_object(d);
        mcudiag_json_member_string(d, "file", c->name);
        mcudiag_json_member_uint(d, "frames", c->frames);
        if (c->frames) {
            member_time(d, "first_packet_time", c->first_s, c->first_ns);
            member_time(d, "last_packet_time", c->last_s, c->last_ns);
        }
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
    json_dumper_set_member_name(d, "findings");
    json_dumper_begin_array(d);
    for (guint i = 0; i < set->findings->len; i++)
        write_finding(d, set, g_ptr_array_index(set->findings, i));
    json_dumper_end_array(d);
}
