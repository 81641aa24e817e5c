/* packet-sipconf.c — "sipconf": follows OCS/Lync conference signalling in
 * SIP: which conference and server role each message is for (from the
 * conference URIs), the join of the Focus and of each MCU with their final
 * responses, ms-diagnostics decoded, and each conference's outcome (joined,
 * failed where and why, or unfinished).
 *
 * On the first pass it learns from the SIP message SIP dissected in the frame
 * (the first one) and from the c3p.conference_entity of the frame (which
 * announces a new conference's Focus URI, set by the c3p dissector while the
 * frame was dissected); it renders on every pass. A failed join names
 * c3pconn's latest failed connection from the server that sent it as the
 * likely cause (plugin_protocols.h). Links from a request to its final response appear when
 * dissected again (GUI, -2).
 *
 * Everything comes from what SIP gives without a protocol tree:
 *   - its record of the message (sip_info_value_t: method, status, Call-ID,
 *     CSeq number, From and To addresses, resend). SIP queues it on its "sip"
 *     tap and also keeps the same record as per-packet data; sipconf reads the
 *     latter, because the first pass of `tshark -2` runs without taps
 *     (fetch_tapped_data() answers NULL there: measured on 4.0.17);
 *   - the ms-diagnostics header, through SIP's "sip.hdr" table of extension
 *     headers (which also ends SIP's "Unrecognised SIP header" note);
 *   - the ms-conf-invite body of an escalation, through the "media_type" table.
 * SIP calls both tables whether or not there is a tree, while it dissects the
 * message, so what they give is noted for the frame's first SIP message and
 * read when the frame is analysed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-sip.h>

#include "c3p/c3p_tap.h"
#include "frame_facts.h"
#include "frame_time.h"
#include "plugin_protocols.h"
#include "sipconf/sipconf_model.h"
#include "sipconf/sipconf_tap.h"

/* Per-packet notes taken while SIP dissects the frame's first message. */
#define SIPCONF_KEY_MS_DIAGNOSTICS 1
#define SIPCONF_KEY_FOCUS_URI 2

static int proto_sipconf = -1;
static dissector_handle_t sipconf_handle;
static int sipconf_tap = -1;

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
static int hf_sipconf_duplicate_of = -1;
static int hf_sipconf_cause_frame = -1;
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
static dissector_handle_t xml_handle;

static sipconf_tracker_t *tracker;

static const value_string leg_names[] = {
    { SIPCONF_LEG_CREATE, "conference creation (Focus Factory)" },
    { SIPCONF_LEG_FOCUS, "join of the Focus" },
    { SIPCONF_LEG_SUBSCRIBE, "subscription to the conference state" },
    { SIPCONF_LEG_MCU, "join of an MCU" },
    { SIPCONF_LEG_OTHER, "other request to a conference URI" },
    { SIPCONF_LEG_ESCALATION, "escalation: invitation of the two-party peer into the conference" },
    { SIPCONF_LEG_OLD_DIALOG_BYE, "end of the two-party dialog the conference replaces" },
    { SIPCONF_LEG_REINVITE, "re-INVITE in the dialog of a join (not a join)" },
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

/* Notes what a table handler read for the analysis. SIP keeps per packet the
 * record of one message only (the first of the frame), so one SIP message per
 * frame is analysed and the first value noted is taken as that message's; a
 * frame holding two messages of which only the second carries the header or
 * body (two responses in one TCP segment) would lend it to the first. */
static void note_for_first_message(packet_info *pinfo, guint32 key, const char *value)
{
    if (value && !p_get_proto_data(pinfo->pool, pinfo, proto_sipconf, key))
        p_add_proto_data(pinfo->pool, pinfo, proto_sipconf, key, wmem_strdup(pinfo->pool, value));
}

/* "sip.hdr" ms-diagnostics: the header's value. */
static int dissect_ms_diagnostics(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree _U_, void *data _U_)
{
    note_for_first_message(pinfo, SIPCONF_KEY_MS_DIAGNOSTICS,
                           (const char *)tvb_get_string_enc(pinfo->pool, tvb, 0, tvb_captured_length(tvb), ENC_UTF_8));
    return tvb_captured_length(tvb);
}

/* "media_type" application/ms-conf-invite+xml: the Focus URI it names; the
 * XML dissector shows the body. */
static int dissect_conf_invite(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const guint len = tvb_captured_length(tvb);
    char *uri = sipconf_conf_invite_focus_uri((const char *)tvb_get_ptr(tvb, 0, len), len);
    note_for_first_message(pinfo, SIPCONF_KEY_FOCUS_URI, uri);
    g_free(uri);
    if (tree)
        call_dissector_with_data(xml_handle, tvb, pinfo, tree, data);
    return len;
}

typedef struct {
    gboolean is_response;
    guint status;
    sipconf_diag_t diag; /* copied into wmem file scope */
    gboolean has_diag;
} sipconf_frame_t;

/* First pass: feed the tracker with this frame's SIP message. */
static sipconf_frame_t *feed(packet_info *pinfo, const char *conference_entity)
{
    const sip_info_value_t *info = first_sip_message(pinfo);
    if (!info || !info->tap_call_id)
        return NULL;
    sipconf_frame_t rec = { .is_response = info->request_method == NULL };
    sipconf_sip_t sip = {
        .method = (const char *)info->request_method,
        .status = rec.is_response ? info->response_code : 0,
        .call_id = info->tap_call_id,
        .cseq = info->tap_cseq_number,
        .from_uri = info->tap_from_addr,
        .to_uri = info->tap_to_addr,
        .resend = info->resend,
        .ts = frame_time(&pinfo->abs_ts),
        .conf_invite_focus_uri = p_get_proto_data(pinfo->pool, pinfo, proto_sipconf, SIPCONF_KEY_FOCUS_URI),
    };
    rec.status = sip.status;
    if (rec.is_response && conference_entity)
        sipconf_tracker_conference_created(tracker, conference_entity);

    sipconf_diag_t diag;
    rec.has_diag = rec.is_response &&
                   sipconf_parse_ms_diagnostics(p_get_proto_data(pinfo->pool, pinfo, proto_sipconf,
                                                                 SIPCONF_KEY_MS_DIAGNOSTICS), &diag);
    sip.diag = rec.has_diag ? &diag : NULL;
    const sipconf_message_t *m = sipconf_tracker_feed(tracker, pinfo->num, &sip);
    if (rec.has_diag) {
        rec.diag = diag;
        rec.diag.reason = wmem_strdup(wmem_file_scope(), diag.reason);
        rec.diag.source = wmem_strdup(wmem_file_scope(), diag.source);
        sipconf_diag_clear(&diag);
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

/* `s` cut to at most max_bytes (at a UTF-8 character), "…" saying so. */
static const char *cut_to(wmem_allocator_t *scope, const char *s, gsize max_bytes)
{
    static const char ellipsis[] = "…";
    const gsize len = strlen(s);
    if (len <= max_bytes)
        return s;
    gsize keep = max_bytes > sizeof ellipsis - 1 ? max_bytes - (sizeof ellipsis - 1) : 0;
    while (keep > 0 && (s[keep] & 0xC0) == 0x80)
        keep--;
    return wmem_strdup_printf(scope, "%.*s%s", (int)keep, s, ellipsis);
}

/* The diagnostics as expert texts quote them, the reason cut to reason_max bytes. */
static const char *diag_text(wmem_allocator_t *scope, const sipconf_diag_t *d, gsize reason_max)
{
    if (!d->error_id && !d->reason)
        return "";
    const char *component = sipconf_diag_component(d->error_id);
    return wmem_strdup_printf(scope, "; ms-diagnostics %u%s%s%s%s%s", d->error_id, component ? " (" : "",
                              component ? component : "", component ? ")" : "", d->reason ? ": " : "",
                              d->reason ? cut_to(scope, d->reason, reason_max) : "");
}

/* Expert texts stay under 200 characters, so Expert Information shows them whole. */
#define EXPERT_TEXT_MAX 199

/* The failed join's expert text: where, the status, the diagnostics and the
 * likely cause (or none); a long ms-diagnostics reason is cut to fit. */
static char *join_failed_text(wmem_allocator_t *scope, const sipconf_conference_t *c, const char *cause)
{
    gsize reason_max = G_MAXSIZE;
    for (;;) {
        char *text = wmem_strdup_printf(scope, "Join of conference %s failed at the %s: %u%s%s%s",
                                        *c->conference_id ? c->conference_id : "(unknown id)", c->failure_where,
                                        c->failure_status, diag_text(scope, &c->failure_diag, reason_max),
                                        cause ? ". Likely cause: " : "", cause ? cause : "");
        const gsize len = strlen(text);
        if (len <= EXPERT_TEXT_MAX || !c->failure_diag.reason || reason_max != G_MAXSIZE)
            return text;
        const gsize reason_len = strlen(c->failure_diag.reason);
        reason_max = reason_len > len - EXPERT_TEXT_MAX ? reason_len - (len - EXPERT_TEXT_MAX) : 0;
    }
}

/* The postdissector: only frames where SIP dissected a message (it reads
 * nothing else), with the frame's C3P conference entity, which announces a
 * new conference's Focus URI. */
static int dissect_sipconf(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!frame_facts_of(tvb, pinfo)->has_sip)
        return 0;
    sipconf_frame_t *rec = p_get_proto_data(wmem_file_scope(), pinfo, proto_sipconf, 0);
    if (!rec && !PINFO_FD_VISITED(pinfo) && tracker) {
        rec = feed(pinfo, c3p_conference_entity_in_frame(pinfo));
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
        if (m->duplicate_of) {
            proto_item_set_generated(proto_tree_add_uint(t, hf_sipconf_duplicate_of, tvb, 0, 0, m->duplicate_of));
            proto_item_append_text(top, ", same message as frame %u", m->duplicate_of);
        }
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
        /* The server that sent the failing response is the one whose MCU
         * could not reach the conferencing port (event 61013): its latest
         * failed connection there is the likely cause. */
        const char *cause = NULL;
        const guint32 cause_frame = c3pconn_latest_failure_from(pinfo, &pinfo->net_src, &cause);
        add_frame_link(t, hf_sipconf_cause_frame, tvb, cause_frame);
        expert_add_info_format(pinfo, top, &ei_sipconf_join_failed, "%s",
                               join_failed_text(pinfo->pool, c, cause_frame ? cause : NULL));
        col_prepend_fstr(pinfo->cinfo, COL_INFO, "[Join failed at the %s] ", c->failure_where);
    } else if (rec->has_diag && !(m && m->duplicate_of)) { /* a copy's diagnostics: noted at the first copy */
        expert_add_info_format(pinfo, top, &ei_sipconf_diagnostics, "%s",
                               diag_text(pinfo->pool, &rec->diag, EXPERT_TEXT_MAX) + 2);
    }

    if (m) {
        sipconf_tap_info_t *info = wmem_new0(pinfo->pool, sipconf_tap_info_t);
        info->conference = c;
        info->leg = m->leg;
        info->is_response = rec->is_response;
        info->status = rec->status;
        info->frame = pinfo->num;
        info->repeat = m->repeat;
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
        { &hf_sipconf_duplicate_of, { "Same message as frame", "sipconf.duplicate_of", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "This message was captured before at another point or forwarded by a proxy (same Call-ID, CSeq, "
            "method or status, From and To, within 100 ms): one event, counted once", HFILL } },
        { &hf_sipconf_cause_frame, { "Likely cause in frame", "sipconf.cause_frame", FT_FRAMENUM, BASE_NONE, NULL,
            0, "The latest failed HTTPS connection to the conferencing port from the server that sent this failure "
            "(c3pconn): an MCU that cannot post its health (event 61013) is not offered for joins", HFILL } },
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
    sipconf_handle = analysis_postdissector_handle(dissect_sipconf, proto_sipconf);
    proto_register_field_array(proto_sipconf, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_sipconf), ei, array_length(ei));
    sipconf_tap = register_tap("sipconf");
    register_init_routine(sipconf_init);
    register_cleanup_routine(sipconf_cleanup);
}

void proto_reg_handoff_sipconf(void)
{
    register_postdissector(sipconf_handle);
    proto_sip = proto_get_id_by_filter_name("sip");
    xml_handle = find_dissector_add_dependency("xml", proto_sipconf);
    dissector_add_string("sip.hdr", "ms-diagnostics", create_dissector_handle(dissect_ms_diagnostics, proto_sipconf));
    dissector_add_string("media_type", "application/ms-conf-invite+xml",
                         create_dissector_handle(dissect_conf_invite, proto_sipconf));
}
