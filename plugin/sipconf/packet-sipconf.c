/* packet-sipconf.c — "sipconf", a postdissector that follows OCS/Lync
 * conference signalling in SIP: which conference and server role each
 * message is for (from the conference URIs), the join of the Focus and of
 * each MCU with their final responses, ms-diagnostics decoded, and each
 * conference's outcome (joined, failed where and why, or unfinished).
 *
 * On the first pass it reads the SIP message SIP dissected (and the
 * c3p.conference_entity of the frame, which announces a new conference's Focus
 * URI), and it renders on every pass; links from a request to its final
 * response appear when dissected again (GUI, -2). One SIP message per frame is
 * analysed (the first).
 *
 * SIP offers its headers to other dissectors only as protocol tree fields, and
 * asking for those makes tshark build a tree for every frame (a third of a
 * summary run's time). So sipconf takes from SIP what it keeps per message
 * without a tree (sip_info_value_t: method, status), finds that message's
 * start line in the frame's data sources (its own bytes, reassembled TCP,
 * decrypted TLS), and reads the few headers it needs there
 * (sipconf_read_head).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-sip.h>

#include "plugin_protocols.h"
#include "c3p/c3p_tap.h"
#include "sipconf/sipconf_model.h"
#include "sipconf/sipconf_tap.h"

/* Longer messages are read up to this many bytes: the head and a small body
 * (the ms-conf-invite of an escalation) fit well within it. */
#define SIPCONF_MAX_MESSAGE 65536

static int proto_sipconf = -1;
static int sipconf_tap = -1;
static dissector_handle_t sipconf_handle;

static int hf_sipconf_conference = -1;
static int hf_sipconf_conference_id = -1;
static int hf_sipconf_organizer = -1;
static int hf_sipconf_role = -1;
static int hf_sipconf_leg = -1;
static int hf_sipconf_request_in = -1;
static int hf_sipconf_response_in = -1;
static int hf_sipconf_mcu_invite = -1;
static int hf_sipconf_escalation_in = -1;
static int hf_sipconf_old_dialog_bye = -1;
static int hf_sipconf_outcome = -1;
static int hf_sipconf_diag_id = -1;
static int hf_sipconf_diag_reason = -1;
static int hf_sipconf_diag_source = -1;
static int hf_sipconf_diag_component = -1;
static gint ett_sipconf = -1;
static gint ett_sipconf_diag = -1;
static expert_field ei_sipconf_join_failed = EI_INIT;
static expert_field ei_sipconf_diagnostics = EI_INIT;
static expert_field ei_sipconf_escalation = EI_INIT;

static int proto_sip = -1;

static sipconf_tracker_t *tracker;

static const value_string leg_names[] = {
    { SIPCONF_LEG_CREATE, "conference creation (Focus Factory)" },
    { SIPCONF_LEG_FOCUS, "join of the Focus" },
    { SIPCONF_LEG_SUBSCRIBE, "subscription to the conference state" },
    { SIPCONF_LEG_MCU, "join of an MCU" },
    { SIPCONF_LEG_OTHER, "other request to a conference URI" },
    { SIPCONF_LEG_ESCALATION, "escalation: invitation of the two-party peer into the conference" },
    { SIPCONF_LEG_OLD_DIALOG_BYE, "end of the two-party dialog the conference replaces" },
    { 0, NULL }
};

static const value_string outcome_names[] = {
    { SIPCONF_UNFINISHED, "unfinished in this capture" },
    { SIPCONF_JOINED, "joined" },
    { SIPCONF_FAILED, "failed" },
    { 0, NULL }
};

static void sipconf_init(void)
{
    tracker = sipconf_tracker_new();
}

static void sipconf_cleanup(void)
{
    sipconf_tracker_free(tracker);
    tracker = NULL;
}

/* What SIP keeps of the first message it dissected in this frame, under the
 * number of the layer it ran at (which need not be its position in the
 * layer list: layers that added nothing to a tree leave the list, not the
 * count). */
static const sip_info_value_t *first_sip_message(packet_info *pinfo)
{
    guint position = 0;
    gboolean has_sip = FALSE;
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f && !has_sip; f = wmem_list_frame_next(f)) {
        position++;
        has_sip = GPOINTER_TO_INT(wmem_list_frame_data(f)) == proto_sip;
    }
    if (!has_sip)
        return NULL;
    const sip_info_value_t *info = p_get_proto_data(pinfo->pool, pinfo, proto_sip, position);
    for (guint layer = 1; !info && layer <= pinfo->curr_layer_num; layer++)
        info = p_get_proto_data(pinfo->pool, pinfo, proto_sip, layer);
    return info;
}

/* Whether the line at `at` is a SIP start line beginning with the needle:
 * "<method> <uri> SIP/2.0" or "SIP/2.0 <code> <reason>". */
static gboolean is_start_line(const guint8 *at, size_t avail, size_t needle_len, gboolean request)
{
    if (!request)
        return avail == needle_len || at[needle_len] == ' ' || at[needle_len] == '\r' || at[needle_len] == '\n';
    static const char version[] = " SIP/2.0";
    const guint8 *lf = memchr(at, '\n', avail);
    if (!lf)
        return FALSE;
    size_t line_len = (size_t)(lf - at);
    if (line_len && at[line_len - 1] == '\r')
        line_len--;
    return line_len > needle_len + sizeof version - 1 &&
           memcmp(at + line_len - (sizeof version - 1), version, sizeof version - 1) == 0;
}

/* Where the first start line beginning with `needle` is in tvb, or -1. SIP
 * over TCP or UDP starts after the transport header, not at a line start. */
static gint find_start_line(tvbuff_t *tvb, const char *needle, gboolean request)
{
    const guint len = tvb_captured_length(tvb);
    const size_t needle_len = strlen(needle);
    if (len < needle_len)
        return -1;
    const guint8 *bytes = tvb_get_ptr(tvb, 0, len);
    for (const guint8 *at = ws_memmem(bytes, len, needle, needle_len); at;
         at = ws_memmem(at + 1, len - (guint)(at + 1 - bytes), needle, needle_len))
        if (is_start_line(at, len - (size_t)(at - bytes), needle_len, request))
            return (gint)(at - bytes);
    return -1;
}

/* A copy of the message SIP described in `sip`, from its start line on: from
 * the newest data source holding that start line, as SIP reads decrypted or
 * reassembled data when there is some. Its length is returned in *len. */
static char *sip_message_text(packet_info *pinfo, const sip_info_value_t *sip, gsize *len)
{
    const char *needle = sip->request_method ? wmem_strdup_printf(pinfo->pool, "%s ", sip->request_method)
                                             : wmem_strdup_printf(pinfo->pool, "SIP/2.0 %03u", sip->response_code);
    tvbuff_t *found = NULL;
    gint found_at = -1;
    for (GSList *l = pinfo->data_src; l; l = l->next) {
        tvbuff_t *tvb = get_data_source_tvb((struct data_source *)l->data);
        const gint at = tvb ? find_start_line(tvb, needle, sip->request_method != NULL) : -1;
        if (at >= 0) {
            found = tvb;
            found_at = at;
        }
    }
    if (!found)
        return NULL;
    *len = MIN((gsize)tvb_captured_length_remaining(found, found_at), SIPCONF_MAX_MESSAGE);
    return (char *)tvb_memdup(pinfo->pool, found, found_at, (gint)*len);
}

/* The Focus URI of an escalation invitation: the text of its <focus-uri>
 * element (application/ms-conf-invite+xml, c3p-protocol.md §5.4). */
static char *escalation_focus_uri(const sipconf_head_t *head, packet_info *pinfo)
{
    static const char ms_conf_invite[] = "application/ms-conf-invite+xml";
    if (!head->content_type || g_ascii_strncasecmp(head->content_type, ms_conf_invite, sizeof ms_conf_invite - 1) != 0 ||
        !head->body_len)
        return NULL;
    char *text = wmem_strndup(pinfo->pool, head->body, head->body_len);
    char *start = strstr(text, "<focus-uri>");
    char *end = start ? strstr(start, "</focus-uri>") : NULL;
    if (!end)
        return NULL;
    start += strlen("<focus-uri>");
    return g_strstrip(wmem_strndup(pinfo->pool, start, end - start));
}

typedef struct {
    gboolean is_response;
    guint status;
    sipconf_diag_t diag; /* copied into wmem file scope */
    gboolean has_diag;
} sipconf_frame_t;

/* First pass: feed the tracker with this frame's SIP message. */
static sipconf_frame_t *feed(packet_info *pinfo)
{
    const sip_info_value_t *sip = first_sip_message(pinfo);
    gsize len = 0;
    char *text = sip ? sip_message_text(pinfo, sip, &len) : NULL;
    sipconf_head_t head;
    if (!text || !sipconf_read_head(text, len, &head) || !head.call_id)
        return NULL;
    sipconf_frame_t rec = { 0 };

    const char *entity = c3p_conference_entity_in_frame(pinfo);
    if (head.status && entity)
        sipconf_tracker_conference_created(tracker, entity);

    const sipconf_message_t *m;
    if (head.status) {
        sipconf_diag_t diag;
        rec.is_response = TRUE;
        rec.status = head.status;
        rec.has_diag = head.ms_diagnostics && sipconf_parse_ms_diagnostics(head.ms_diagnostics, &diag);
        m = sipconf_tracker_response(tracker, pinfo->num, rec.status, head.call_id, head.cseq_method,
                                     rec.has_diag ? &diag : NULL);
        if (rec.has_diag) {
            rec.diag = diag;
            rec.diag.reason = wmem_strdup(wmem_file_scope(), diag.reason);
            rec.diag.source = wmem_strdup(wmem_file_scope(), diag.source);
            sipconf_diag_clear(&diag);
        }
    } else {
        char *focus_uri = strcmp(head.method, "INVITE") == 0 ? escalation_focus_uri(&head, pinfo) : NULL;
        m = focus_uri ? sipconf_tracker_escalation(tracker, pinfo->num, head.call_id, focus_uri)
                      : sipconf_tracker_request(tracker, pinfo->num, head.method, head.request_uri, head.call_id,
                                                head.cseq_method);
    }
    return m || rec.has_diag ? wmem_memdup(wmem_file_scope(), &rec, sizeof rec) : NULL;
}

static void add_frame_link(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 frame)
{
    if (frame)
        proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, frame));
}

static void render_diag(proto_tree *tree, tvbuff_t *tvb, const sipconf_diag_t *d)
{
    proto_item *item = proto_tree_add_uint(tree, hf_sipconf_diag_id, tvb, 0, 0, d->error_id);
    proto_item_set_generated(item);
    if (d->has_sub_code)
        proto_item_append_text(item, ".%u", d->sub_code);
    proto_tree *sub = proto_item_add_subtree(item, ett_sipconf_diag);
    const char *component = sipconf_diag_component(d->error_id);
    if (component)
        proto_item_set_generated(proto_tree_add_string(sub, hf_sipconf_diag_component, tvb, 0, 0, component));
    if (d->reason)
        proto_item_set_generated(proto_tree_add_string(sub, hf_sipconf_diag_reason, tvb, 0, 0, d->reason));
    if (d->source)
        proto_item_set_generated(proto_tree_add_string(sub, hf_sipconf_diag_source, tvb, 0, 0, d->source));
}

static char *diag_text(wmem_allocator_t *scope, const sipconf_diag_t *d)
{
    if (!d->error_id && !d->reason)
        return "";
    const char *component = sipconf_diag_component(d->error_id);
    return wmem_strdup_printf(scope, "; ms-diagnostics %u%s%s%s%s%s", d->error_id, component ? " (" : "",
                              component ? component : "", component ? ")" : "", d->reason ? ": " : "",
                              d->reason ? d->reason : "");
}

const sipconf_conference_t *sipconf_join_failure_in_frame(guint32 frame)
{
    const sipconf_message_t *m = tracker ? sipconf_tracker_message(tracker, frame) : NULL;
    const sipconf_conference_t *c = m ? m->conference : NULL;
    return c && c->outcome == SIPCONF_FAILED && c->failure_frame == frame ? c : NULL;
}

static int dissect_sipconf(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    sipconf_frame_t *rec = p_get_proto_data(wmem_file_scope(), pinfo, proto_sipconf, 0);
    if (!rec && !PINFO_FD_VISITED(pinfo) && tracker) {
        rec = feed(pinfo);
        if (rec)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_sipconf, 0, rec);
    }
    if (!rec || !tracker)
        return 0;
    const sipconf_message_t *m = sipconf_tracker_message(tracker, pinfo->num);
    const sipconf_conference_t *c = m ? m->conference : NULL;

    proto_item *top = proto_tree_add_item(tree, proto_sipconf, tvb, 0, 0, ENC_NA);
    proto_tree *t = proto_item_add_subtree(top, ett_sipconf);
    if (c) {
        proto_item_set_generated(proto_tree_add_uint(t, hf_sipconf_conference, tvb, 0, 0, c->id));
        if (*c->conference_id)
            proto_item_set_generated(proto_tree_add_string(t, hf_sipconf_conference_id, tvb, 0, 0, c->conference_id));
        if (c->organizer)
            proto_item_set_generated(proto_tree_add_string(t, hf_sipconf_organizer, tvb, 0, 0, c->organizer));
    }
    if (m) {
        proto_item_set_generated(proto_tree_add_uint(t, hf_sipconf_leg, tvb, 0, 0, m->leg));
        if (m->leg == SIPCONF_LEG_MCU && c && c->mcu_role)
            proto_item_set_generated(proto_tree_add_string(t, hf_sipconf_role, tvb, 0, 0, c->mcu_role));
        if (rec->is_response)
            add_frame_link(t, hf_sipconf_request_in, tvb, m->request_frame);
        else
            add_frame_link(t, hf_sipconf_response_in, tvb, m->response_frame);
        if (c && m->leg == SIPCONF_LEG_FOCUS)
            add_frame_link(t, hf_sipconf_mcu_invite, tvb, c->mcu_invite_frame);
        if (c && (m->leg == SIPCONF_LEG_FOCUS || m->leg == SIPCONF_LEG_MCU))
            proto_item_set_generated(proto_tree_add_uint(t, hf_sipconf_outcome, tvb, 0, 0, c->outcome));
        if (c && m->leg == SIPCONF_LEG_ESCALATION && !rec->is_response) {
            add_frame_link(t, hf_sipconf_old_dialog_bye, tvb, c->old_dialog_bye_frame);
            expert_add_info_format(pinfo, top, &ei_sipconf_escalation,
                                   "Two-party IM escalated to conference %s", c->conference_id);
        }
        if (c && m->leg == SIPCONF_LEG_OLD_DIALOG_BYE)
            add_frame_link(t, hf_sipconf_escalation_in, tvb, c->escalation_frame);
    }
    if (rec->has_diag)
        render_diag(t, tvb, &rec->diag);

    if (c && c->outcome == SIPCONF_FAILED && c->failure_frame == pinfo->num) {
        expert_add_info_format(pinfo, top, &ei_sipconf_join_failed,
                               "Join of conference %s failed at the %s: %u%s",
                               *c->conference_id ? c->conference_id : "(unknown id)", c->failure_where,
                               c->failure_status, diag_text(pinfo->pool, &c->failure_diag));
        col_append_fstr(pinfo->cinfo, COL_INFO, " [conference join failed at the %s]", c->failure_where);
    } else if (rec->has_diag) {
        expert_add_info_format(pinfo, top, &ei_sipconf_diagnostics, "%s", diag_text(pinfo->pool, &rec->diag) + 2);
    }

    if (m) {
        sipconf_tap_info_t *info = wmem_new0(pinfo->pool, sipconf_tap_info_t);
        info->conference = c;
        info->leg = m->leg;
        info->is_response = rec->is_response;
        info->status = rec->status;
        info->frame = pinfo->num;
        tap_queue_packet(sipconf_tap, pinfo, info);
    }
    return 0;
}

void proto_register_sipconf(void)
{
    static hf_register_info hf[] = {
        { &hf_sipconf_conference, { "Conference", "sipconf.conference", FT_UINT32, BASE_DEC, NULL, 0,
            "Conference this message belongs to (1, 2, … in order of appearance)", HFILL } },
        { &hf_sipconf_conference_id, { "Conference ID", "sipconf.conference_id", FT_STRING, BASE_NONE, NULL, 0,
            "The id of the conference URIs (…;opaque=app:conf:<role>:id:<id>)", HFILL } },
        { &hf_sipconf_organizer, { "Organizer", "sipconf.organizer", FT_STRING, BASE_NONE, NULL, 0,
            "user@host of the conference URI", HFILL } },
        { &hf_sipconf_role, { "MCU role", "sipconf.role", FT_STRING, BASE_NONE, NULL, 0,
            "Conferencing server of the MCU leg (chat, audio-video, …)", HFILL } },
        { &hf_sipconf_leg, { "Leg", "sipconf.leg", FT_UINT8, BASE_DEC, VALS(leg_names), 0, NULL, HFILL } },
        { &hf_sipconf_request_in, { "Request in", "sipconf.request_in", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, NULL, HFILL } },
        { &hf_sipconf_response_in, { "Final response in", "sipconf.response_in", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, NULL, HFILL } },
        { &hf_sipconf_mcu_invite, { "MCU leg in", "sipconf.mcu_invite", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "INVITE to the conference's MCU", HFILL } },
        { &hf_sipconf_escalation_in, { "Escalation in", "sipconf.escalation_in", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "The invitation that moved this two-party dialog into the conference", HFILL } },
        { &hf_sipconf_old_dialog_bye, { "Two-party dialog ended in", "sipconf.old_dialog_bye", FT_FRAMENUM,
            BASE_NONE, NULL, 0, "BYE of the two-party dialog the conference replaces", HFILL } },
        { &hf_sipconf_outcome, { "Conference outcome", "sipconf.outcome", FT_UINT8, BASE_DEC, VALS(outcome_names), 0,
            NULL, HFILL } },
        { &hf_sipconf_diag_id, { "ms-diagnostics", "sipconf.diag.id", FT_UINT32, BASE_DEC, NULL, 0,
            "ErrorId of the ms-diagnostics header", HFILL } },
        { &hf_sipconf_diag_reason, { "Reason", "sipconf.diag.reason", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sipconf_diag_source, { "Source", "sipconf.diag.source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_sipconf_diag_component, { "Component", "sipconf.diag.component", FT_STRING, BASE_NONE, NULL, 0,
            "Component the ErrorId range belongs to", HFILL } },
    };
    static gint *ett[] = { &ett_sipconf, &ett_sipconf_diag };
    static ei_register_info ei[] = {
        { &ei_sipconf_join_failed, { "sipconf.join_failed", PI_RESPONSE_CODE, PI_WARN,
            "Conference join failed", EXPFILL } },
        { &ei_sipconf_escalation, { "sipconf.escalation", PI_SEQUENCE, PI_CHAT,
            "Two-party IM escalated to a conference", EXPFILL } },
        { &ei_sipconf_diagnostics, { "sipconf.diagnostics", PI_RESPONSE_CODE, PI_NOTE, "ms-diagnostics", EXPFILL } },
    };
    proto_sipconf = proto_register_protocol("SIP conference analysis (OCS/Lync)", "SIPCONF", "sipconf");
    proto_register_field_array(proto_sipconf, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_sipconf), ei, array_length(ei));
    sipconf_handle = register_dissector("sipconf", dissect_sipconf, proto_sipconf);
    sipconf_tap = register_tap("sipconf");
    register_init_routine(sipconf_init);
    register_cleanup_routine(sipconf_cleanup);
}

void proto_reg_handoff_sipconf(void)
{
    register_postdissector(sipconf_handle);
    proto_sip = proto_get_id_by_filter_name("sip");
}
