/* packet-sipconf.c — "sipconf", a postdissector that follows OCS/Lync
 * conference signalling in SIP: which conference and server role each
 * message is for (from the conference URIs), the join of the Focus and of
 * each MCU with their final responses, ms-diagnostics decoded, and each
 * conference's outcome (joined, failed where and why, or unfinished).
 *
 * It reads SIP's own fields (and c3p.conference_entity, which announces a new
 * conference's Focus URI) on the first pass, and renders on every pass; links
 * from a request to its final response appear when dissected again (GUI, -2).
 * One SIP message per frame is analysed (the first).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include "plugin_protocols.h"
#include "postdissector_fields.h"
#include "sipconf/sipconf_model.h"
#include "sipconf/sipconf_tap.h"

/* ms-diagnostics sits in the header block; longer blocks are not searched. */
#define SIPCONF_MAX_HEADER_BLOCK 16384

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

/* Fields read from SIP and C3P. */
static int hf_sip_method = -1;
static int hf_sip_ruri = -1;
static int hf_sip_status = -1;
static int hf_sip_call_id = -1;
static int hf_sip_cseq_method = -1;
static int hf_sip_msg_hdr = -1;
static int hf_sip_content_type = -1;
static int hf_sip_msg_body = -1;
static int hf_c3p_conference_entity = -1;

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
    const int ids[] = { hf_sip_method, hf_sip_ruri, hf_sip_status, hf_sip_call_id, hf_sip_cseq_method,
                        hf_sip_msg_hdr, hf_sip_content_type, hf_sip_msg_body, hf_c3p_conference_entity };
    want_fields(sipconf_handle, proto_sipconf, ids, G_N_ELEMENTS(ids));
}

static void sipconf_cleanup(void)
{
    set_postdissector_wanted_hfids(sipconf_handle, NULL);
    sipconf_tracker_free(tracker);
    tracker = NULL;
}

static field_info *first_field(proto_tree *tree, int hf)
{
    GPtrArray *found = field_occurrences(tree, hf);
    return found && found->len ? g_ptr_array_index(found, 0) : NULL;
}

static const char *first_string(proto_tree *tree, int hf)
{
    field_info *fi = first_field(tree, hf);
    return fi ? fvalue_get_string(&fi->value) : NULL;
}

/* The ms-diagnostics header of the message's header block, parsed. */
static gboolean read_ms_diagnostics(proto_tree *tree, packet_info *pinfo, sipconf_diag_t *diag)
{
    field_info *block = first_field(tree, hf_sip_msg_hdr);
    if (!block || !block->ds_tvb)
        return FALSE;
    const gint len = MIN(MIN(block->length, tvb_captured_length_remaining(block->ds_tvb, block->start)),
                         SIPCONF_MAX_HEADER_BLOCK);
    if (len <= 0)
        return FALSE;
    char *text = (char *)tvb_get_string_enc(pinfo->pool, block->ds_tvb, block->start, len, ENC_ASCII);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        static const char name[] = "ms-diagnostics:";
        if (g_ascii_strncasecmp(line, name, sizeof name - 1) != 0)
            continue;
        char *value = wmem_strndup(pinfo->pool, line + sizeof name - 1, strcspn(line + sizeof name - 1, "\r\n"));
        return sipconf_parse_ms_diagnostics(value, diag);
    }
    return FALSE;
}

/* The Focus URI of an escalation invitation: the text of its <focus-uri>
 * element (application/ms-conf-invite+xml, c3p-protocol.md §5.4). */
static char *escalation_focus_uri(proto_tree *tree, packet_info *pinfo)
{
    const char *type = first_string(tree, hf_sip_content_type);
    static const char ms_conf_invite[] = "application/ms-conf-invite+xml";
    field_info *body = first_field(tree, hf_sip_msg_body);
    if (!type || g_ascii_strncasecmp(type, ms_conf_invite, sizeof ms_conf_invite - 1) != 0 || !body || !body->ds_tvb)
        return NULL;
    const gint len = MIN(MIN(body->length, tvb_captured_length_remaining(body->ds_tvb, body->start)),
                         SIPCONF_MAX_HEADER_BLOCK);
    if (len <= 0)
        return NULL;
    char *text = (char *)tvb_get_string_enc(pinfo->pool, body->ds_tvb, body->start, len, ENC_UTF_8);
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
static sipconf_frame_t *feed(proto_tree *tree, packet_info *pinfo)
{
    const char *call_id = first_string(tree, hf_sip_call_id);
    if (!call_id)
        return NULL;
    const char *cseq_method = first_string(tree, hf_sip_cseq_method);
    field_info *status = first_field(tree, hf_sip_status);
    sipconf_frame_t *rec = wmem_new0(wmem_file_scope(), sipconf_frame_t);

    const char *entity = first_string(tree, hf_c3p_conference_entity);
    if (status && entity)
        sipconf_tracker_conference_created(tracker, entity);

    const sipconf_message_t *m;
    if (status) {
        sipconf_diag_t diag;
        rec->is_response = TRUE;
        rec->status = fvalue_get_uinteger(&status->value);
        rec->has_diag = read_ms_diagnostics(tree, pinfo, &diag);
        m = sipconf_tracker_response(tracker, pinfo->num, rec->status, call_id, cseq_method,
                                     rec->has_diag ? &diag : NULL);
        if (rec->has_diag) {
            rec->diag = diag;
            rec->diag.reason = wmem_strdup(wmem_file_scope(), diag.reason);
            rec->diag.source = wmem_strdup(wmem_file_scope(), diag.source);
            sipconf_diag_clear(&diag);
        }
    } else {
        const char *method = first_string(tree, hf_sip_method);
        char *focus_uri = method && strcmp(method, "INVITE") == 0 ? escalation_focus_uri(tree, pinfo) : NULL;
        m = focus_uri ? sipconf_tracker_escalation(tracker, pinfo->num, call_id, focus_uri)
                      : sipconf_tracker_request(tracker, pinfo->num, method, first_string(tree, hf_sip_ruri),
                                                call_id, cseq_method);
    }
    return m || rec->has_diag ? rec : NULL;
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
    if (!rec && !PINFO_FD_VISITED(pinfo) && tree && tracker) {
        rec = feed(tree, pinfo);
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
    hf_sip_method = proto_registrar_get_id_byname("sip.Method");
    hf_sip_ruri = proto_registrar_get_id_byname("sip.r-uri");
    hf_sip_status = proto_registrar_get_id_byname("sip.Status-Code");
    hf_sip_call_id = proto_registrar_get_id_byname("sip.Call-ID");
    hf_sip_cseq_method = proto_registrar_get_id_byname("sip.CSeq.method");
    hf_sip_msg_hdr = proto_registrar_get_id_byname("sip.msg_hdr");
    hf_sip_content_type = proto_registrar_get_id_byname("sip.Content-Type");
    hf_sip_msg_body = proto_registrar_get_id_byname("sip.msg_body");
    hf_c3p_conference_entity = proto_registrar_get_id_byname("c3p.conference_entity");
}
