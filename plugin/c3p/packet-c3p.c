/* packet-c3p.c — "c3p", the Centralized Conference Control Protocol (CCCP)
 * of OCS/Lync conferencing, in SIP and HTTP(S) bodies.
 *
 * Bodies of type application/cccp+xml reach this dissector through the
 * media_type table (SIP SERVICE/INVITE/INFO and responses, HTTP requests and
 * responses). It hands each body to Wireshark's XML dissector and builds the
 * C3P view from the parsed tree (xml_get_tag/xml_get_attrib/xml_get_cdata).
 * Known commands and the typed fields in them come from the core's tables
 * (element, attribute or text -> field); everything, known or not, is also
 * shown generically. Namespaces are resolved by URI from the xmlns
 * declarations in scope, never by the customary prefixes.
 *
 * Requests and responses are matched on the first pass per conversation by
 * requestId and the from/to pair (c3p_model.c); each frame remembers its
 * transaction in file scope so every later pass links request and response.
 *
 * TLS on TCP 444 is handed to HTTP (in TLS's port table, beside HTTP's own
 * TLS ports), so a capture whose TLS secrets are inside (editcap
 * --inject-secrets) decodes to C3P with no option.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/show_exception.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-http.h>
#include <epan/dissectors/packet-tls.h>
#include <epan/dissectors/packet-xml.h>
#include <wsutil/str_util.h>
#include <wsutil/strtoi.h>

#include "c3p/c3p_model.h"
#include "c3p/c3p_tap.h"
#include "frame_time.h"
#include "plugin_protocols.h"
#include "ws_compat.h"

/* Generic rendering stops here: hostile bodies nest thousands deep or hold
 * hundreds of thousands of elements; the XML dissector's own tree shows the rest. */
#define C3P_MAX_DEPTH 32
#define C3P_MAX_NODES 2000
/* Bodies nested deeper than this are parsed without the XML dissector's own
 * tree: Wireshark refuses trees deeper than 500 levels (a dissector bug). */
#define C3P_MAX_XML_TREE_DEPTH 200
/* Attribute or text values longer than this are worth a note: C3P values are URIs and words. */
#define C3P_LONG_VALUE 4096

static int proto_c3p = -1;
static int proto_xml = -1;
static int proto_http = -1;
static int c3p_tap = -1;
static dissector_handle_t c3p_handle;
static dissector_handle_t xml_handle;
static dissector_handle_t https_handle;
static dissector_table_t tls_port_table;

static int hf_c3p_type = -1;
static int hf_c3p_request_id = -1;
static int hf_c3p_from = -1;
static int hf_c3p_to = -1;
static int hf_c3p_version = -1;
static int hf_c3p_code = -1;
static int hf_c3p_command = -1;
static int hf_c3p_reason = -1;
static int hf_c3p_target = -1;
static int hf_c3p_response_in = -1;
static int hf_c3p_request_in = -1;
static int hf_c3p_pending_in = -1;
static int hf_c3p_time = -1;
static int hf_c3p_duplicate_of = -1;
static int hf_c3p_conference_entity = -1;
static int hf_c3p_conference_id = -1;
static int hf_c3p_user_entity = -1;
static int hf_c3p_role = -1;
static int hf_c3p_endpoint = -1;
static int hf_c3p_mcu_uri = -1;
static int hf_c3p_mcu_type = -1;
static int hf_c3p_joining_method = -1;
static int hf_c3p_endpoint_uri = -1;
static int hf_c3p_refer_to_uri = -1;
static int hf_c3p_lobby_access = -1;
static int hf_c3p_expiry_time = -1;
static int hf_c3p_admission_policy = -1;
static int hf_c3p_command_spec = -1;
static int hf_c3p_mcufactory = -1;
static int hf_c3p_health_state = -1;
static int hf_c3p_element = -1;
static int hf_c3p_attribute = -1;
static int hf_c3p_text = -1;

static gint ett_c3p = -1;
static gint ett_c3p_element = -1;

static expert_field ei_c3p_failure = EI_INIT;
static expert_field ei_c3p_no_response = EI_INIT;
static expert_field ei_c3p_pending = EI_INIT;
static expert_field ei_c3p_not_xml = EI_INIT;
static expert_field ei_c3p_unclosed = EI_INIT;
static expert_field ei_c3p_xml_disabled = EI_INIT;
static expert_field ei_c3p_unknown_root = EI_INIT;
static expert_field ei_c3p_foreign_namespace = EI_INIT;
static expert_field ei_c3p_bad_request_id = EI_INIT;
static expert_field ei_c3p_command_count = EI_INIT;
static expert_field ei_c3p_view_truncated = EI_INIT;
static expert_field ei_c3p_invalid_utf8 = EI_INIT;
static expert_field ei_c3p_long_value = EI_INIT;
static expert_field ei_c3p_doctype = EI_INIT;
static expert_field ei_c3p_too_deep = EI_INIT;

static const value_string health_state_names[] = {
    { 0, "Normal" }, { 1, "Loaded" }, { 2, "Full" }, { 3, "Unavailable" }, { 0, NULL }
};

/* Per capture file: the matcher (GLib, freed at cleanup) and, per frame and
 * message, what the first pass decided. */
static c3p_matcher_t *matcher;

typedef struct {
    const c3p_transaction_t *transaction;
    char *target; /* wmem file scope */
    guint32 duplicate_of; /* this message's first copy (another capture point, a proxy's forward) */
} c3p_frame_record_t;

/* A frame can hold several bodies (pipelined HTTP); the n-th is keyed n. */
#define C3P_KEY_MESSAGE_COUNT G_MAXUINT32
/* The frame's first conference entity, in pinfo->pool. */
#define C3P_KEY_CONFERENCE_ENTITY (G_MAXUINT32 - 1)

/* ---- reading the XML dissector's tree ------------------------------------ */

typedef struct {
    packet_info *pinfo;
    tvbuff_t *tvb;   /* what the XML dissector parsed: its offsets point here */
    guint nodes;     /* generic items added so far */
    gboolean truncated;
    guint long_values;      /* values longer than C3P_LONG_VALUE */
} c3p_walk_t;

static char *frame_text(packet_info *pinfo, const xml_frame_t *f)
{
    if (!f || !f->value)
        return NULL;
    return (char *)tvb_get_string_enc(pinfo->pool, f->value, 0, tvb_captured_length(f->value), ENC_UTF_8);
}

static char *attr_text(packet_info *pinfo, xml_frame_t *tag, const char *name)
{
    return frame_text(pinfo, xml_get_attrib(tag, name));
}

/* The first attribute or text value below tag, depth first and bounded. */
static tvbuff_t *first_value_tvb(const xml_frame_t *tag, guint depth)
{
    for (const xml_frame_t *f = tag->first_child; f && depth <= C3P_MAX_DEPTH; f = f->next_sibling) {
        if (f->value)
            return f->value;
        tvbuff_t *below = f->type == XML_FRAME_TAG ? first_value_tvb(f, depth + 1) : NULL;
        if (below)
            return below;
    }
    return NULL;
}

/* The tvb the XML dissector's offsets point into. Wireshark 4.0 parses the
 * body itself; 4.4+ first decodes it into a data source of its own ("Decoded
 * UTF-8 text", invalid bytes replaced, so offsets shift). XML's value tvbs
 * are subsets of what it parsed, so their data source tells which. */
static tvbuff_t *parsed_tvb(tvbuff_t *body, const xml_frame_t *root_tag)
{
    tvbuff_t *value = first_value_tvb(root_tag, 0);
    if (!value || tvb_get_ds_tvb(value) == tvb_get_ds_tvb(body))
        return body;
    return tvb_get_ds_tvb(value);
}

/* The prefix written before a tag's local name: "" when there is none, NULL
 * when the offsets do not point at this tag.
 * XXX The XML dissector keeps only an element's local name, so the prefix is
 * read from the qualified name at the offset it reports, and nothing else. */
static char *tag_prefix(c3p_walk_t *w, const xml_frame_t *tag)
{
    const guint len = tvb_captured_length(w->tvb);
    if (tag->start_offset < 0 || (guint)tag->start_offset >= len || tvb_get_uint8(w->tvb, tag->start_offset) != '<')
        return NULL;
    const gint name_start = tag->start_offset + 1;
    const gint local_len = (gint)strlen(tag->name_orig_case);
    if (tvb_strneql(w->tvb, name_start, tag->name_orig_case, local_len) == 0)
        return wmem_strdup(w->pinfo->pool, "");
    const gint colon = tvb_find_uint8(w->tvb, name_start, (gint)MIN(len - (guint)name_start, 256u), ':');
    if (colon <= name_start || tvb_strneql(w->tvb, colon + 1, tag->name_orig_case, local_len) != 0)
        return NULL;
    return (char *)tvb_get_string_enc(w->pinfo->pool, w->tvb, name_start, colon - name_start, ENC_ASCII);
}

/* The namespace URI bound to prefix ("" = default namespace) at tag. */
static char *resolve_prefix(c3p_walk_t *w, xml_frame_t *tag, const char *prefix)
{
    const char *decl = *prefix ? wmem_strdup_printf(w->pinfo->pool, "xmlns:%s", prefix) : "xmlns";
    for (xml_frame_t *f = tag; f && f->type == XML_FRAME_TAG; f = f->parent) {
        xml_frame_t *a = xml_get_attrib(f, decl);
        if (a)
            return frame_text(w->pinfo, a);
    }
    return NULL;
}

static gboolean tag_in_namespace(c3p_walk_t *w, xml_frame_t *tag, const char *ns)
{
    char *prefix = tag_prefix(w, tag);
    char *uri = prefix ? resolve_prefix(w, tag, prefix) : NULL;
    return uri && strcmp(uri, ns) == 0;
}

/* An attribute by namespace URI and local name, whatever prefix it uses. */
static xml_frame_t *attr_in_namespace(c3p_walk_t *w, xml_frame_t *tag, const char *ns, const char *local)
{
    for (xml_frame_t *a = tag->first_child; a; a = a->next_sibling) {
        if (a->type != XML_FRAME_ATTRIB)
            continue;
        const char *colon = strchr(a->name_orig_case, ':');
        if (!colon || strcmp(colon + 1, local) != 0)
            continue;
        char *prefix = wmem_strndup(w->pinfo->pool, a->name_orig_case, colon - a->name_orig_case);
        if (strcmp(prefix, "xmlns") == 0)
            continue;
        char *uri = resolve_prefix(w, tag, prefix);
        if (uri && strcmp(uri, ns) == 0)
            return a;
    }
    return NULL;
}

static xml_frame_t *first_child_tag(xml_frame_t *tag, guint *count)
{
    xml_frame_t *first = NULL;
    *count = 0;
    for (xml_frame_t *f = tag->first_child; f; f = f->next_sibling) {
        if (f->type != XML_FRAME_TAG)
            continue;
        if (!first)
            first = f;
        (*count)++;
    }
    return first;
}

static proto_item *add_text_field(proto_tree *tree, int hf, c3p_walk_t *w, xml_frame_t *f)
{
    if (!tree) /* summary and -z runs: no text to copy */
        return NULL;
    char *text = frame_text(w->pinfo, f);
    if (!text)
        return NULL;
    return proto_tree_add_string(tree, hf, f->value, 0, tvb_captured_length(f->value), text);
}

/* Shown, and kept as the frame's first for c3p_conference_entity_in_frame. */
static void add_conference_entity(proto_tree *tree, c3p_walk_t *w, xml_frame_t *f)
{
    char *text = frame_text(w->pinfo, f);
    if (!text)
        return;
    proto_tree_add_string(tree, hf_c3p_conference_entity, f->value, 0, tvb_captured_length(f->value), text);
    if (!p_get_proto_data(w->pinfo->pool, w->pinfo, proto_c3p, C3P_KEY_CONFERENCE_ENTITY))
        p_add_proto_data(w->pinfo->pool, w->pinfo, proto_c3p, C3P_KEY_CONFERENCE_ENTITY, text);
}

const char *c3p_conference_entity_in_frame(packet_info *pinfo)
{
    return p_get_proto_data(pinfo->pool, pinfo, proto_c3p, C3P_KEY_CONFERENCE_ENTITY);
}

static gint tag_length(c3p_walk_t *w, const xml_frame_t *tag)
{
    const guint len = tvb_captured_length(w->tvb);
    if (tag->start_offset < 0 || (guint)tag->start_offset > len)
        return 0;
    return (gint)MIN((guint)MAX(tag->length, 0), len - (guint)tag->start_offset);
}

/* ---- command contents ---------------------------------------------------- */

/* The registered field of each typed field of the core's tables. */
static int *const field_hf[C3P_FIELD_COUNT] = {
    [C3P_FIELD_CONFERENCE_ENTITY] = &hf_c3p_conference_entity,
    [C3P_FIELD_CONFERENCE_ID] = &hf_c3p_conference_id,
    [C3P_FIELD_USER_ENTITY] = &hf_c3p_user_entity,
    [C3P_FIELD_ROLE] = &hf_c3p_role,
    [C3P_FIELD_ENDPOINT] = &hf_c3p_endpoint,
    [C3P_FIELD_ENDPOINT_URI] = &hf_c3p_endpoint_uri,
    [C3P_FIELD_REFER_TO_URI] = &hf_c3p_refer_to_uri,
    [C3P_FIELD_JOINING_METHOD] = &hf_c3p_joining_method,
    [C3P_FIELD_MCU_URI] = &hf_c3p_mcu_uri,
    [C3P_FIELD_MCU_TYPE] = &hf_c3p_mcu_type,
    [C3P_FIELD_LOBBY_ACCESS] = &hf_c3p_lobby_access,
    [C3P_FIELD_EXPIRY_TIME] = &hf_c3p_expiry_time,
    [C3P_FIELD_ADMISSION_POLICY] = &hf_c3p_admission_policy,
};

static void add_rule_field(proto_tree *tree, c3p_walk_t *w, xml_frame_t *tag, const c3p_field_rule_t *rule)
{
    if (rule->parent && (!tag->parent || !tag->parent->name_orig_case ||
                         strcmp(tag->parent->name_orig_case, rule->parent) != 0))
        return;
    xml_frame_t *value = !rule->attribute      ? xml_get_cdata(tag)
                         : rule->attribute_ns ? attr_in_namespace(w, tag, rule->attribute_ns, rule->attribute)
                                              : xml_get_attrib(tag, rule->attribute);
    if (rule->field == C3P_FIELD_CONFERENCE_ENTITY)
        add_conference_entity(tree, w, value);
    else
        add_text_field(tree, *field_hf[rule->field], w, value);
}

/* The fields the specifications define, wherever they sit below the command
 * element (they nest them differently per command): the core's tables say
 * which element, attribute or text holds which field. */
static void add_command_fields(proto_tree *tree, c3p_walk_t *w, xml_frame_t *tag, guint depth)
{
    if (depth > C3P_MAX_DEPTH)
        return;
    const c3p_field_rule_t *rules, *any;
    gsize any_count;
    const gsize count = c3p_field_rules(tag->name_orig_case, &rules, &any, &any_count);
    for (gsize i = 0; i < count; i++)
        add_rule_field(tree, w, tag, &rules[i]);
    for (gsize i = 0; i < any_count; i++)
        add_rule_field(tree, w, tag, &any[i]);
    for (xml_frame_t *f = tag->first_child; f; f = f->next_sibling)
        if (f->type == XML_FRAME_TAG)
            add_command_fields(tree, w, f, depth + 1);
}

/* A health state number in an MCU Factory exchange: an attribute or element
 * whose name speaks of health and whose value is one of the counter's states.
 * The message format is not public, so nothing else is inferred. */
static void add_health_state(proto_tree *tree, c3p_walk_t *w, xml_frame_t *f)
{
    if (!f->name_orig_case || !strstr(wmem_ascii_strdown(w->pinfo->pool, f->name_orig_case, -1), "health"))
        return;
    xml_frame_t *valued = f->type == XML_FRAME_ATTRIB ? f : xml_get_cdata(f);
    char *text = frame_text(w->pinfo, valued);
    guint32 value;
    if (text && g_ascii_isdigit(*g_strstrip(text)) && ws_strtou32(text, NULL, &value) &&
        try_val_to_str(value, health_state_names))
        proto_item_set_generated(proto_tree_add_uint(tree, hf_c3p_health_state, valued->value, 0,
                                                     tvb_captured_length(valued->value), value));
}

/* Notes what is odd about a value the view shows. */
static void check_value(c3p_walk_t *w, const xml_frame_t *f)
{
    if (f->value && tvb_captured_length(f->value) > C3P_LONG_VALUE)
        w->long_values++;
}

static void add_generic_attribute(proto_tree *sub, c3p_walk_t *w, xml_frame_t *f)
{
    if (!sub) /* summary and -z runs: no text to copy */
        return;
    char *value = frame_text(w->pinfo, f);
    proto_tree_add_string_format_value(sub, hf_c3p_attribute, f->value ? f->value : w->tvb, 0,
                                       f->value ? tvb_captured_length(f->value) : 0, value ? value : "",
                                       "%s=\"%s\"", f->name_orig_case,
                                       value ? mcudiag_format_text(w->pinfo->pool, value, strlen(value)) : "");
}

/* Every element, attribute and text below tag, by name and value, bounded. */
static void add_generic_view(proto_tree *tree, c3p_walk_t *w, xml_frame_t *tag, guint depth, gboolean mcufactory)
{
    if (depth > C3P_MAX_DEPTH || w->nodes >= C3P_MAX_NODES) {
        w->truncated = TRUE;
        return;
    }
    w->nodes++;
    proto_item *item = proto_tree_add_string(tree, hf_c3p_element, w->tvb, MAX(tag->start_offset, 0),
                                             tag_length(w, tag), tag->name_orig_case);
    proto_tree *sub = proto_item_add_subtree(item, ett_c3p_element);
    if (mcufactory)
        add_health_state(sub, w, tag);
    for (xml_frame_t *f = tag->first_child; f; f = f->next_sibling) {
        if (w->nodes >= C3P_MAX_NODES) {
            w->truncated = TRUE;
            return;
        }
        if (f->type == XML_FRAME_ATTRIB) {
            w->nodes++;
            check_value(w, f);
            add_generic_attribute(sub, w, f);
            if (mcufactory)
                add_health_state(sub, w, f);
        } else if (f->type == XML_FRAME_CDATA) {
            w->nodes++;
            check_value(w, f);
            add_text_field(sub, hf_c3p_text, w, f);
        } else if (f->type == XML_FRAME_TAG) {
            add_generic_view(sub, w, f, depth + 1, mcufactory);
        }
    }
}

/* ---- target, matching ---------------------------------------------------- */

/* The server role a message is for, in file scope: the HTTP path
 * /LiveServer/<Role>/ of the request on this connection, else the conference
 * URI the message names (a request's `to` equals the SIP To URI; a
 * response's `from` echoes it). */
static char *message_target(packet_info *pinfo, const mcudiag_media_carrier_t *carrier, const char *uri)
{
    if (mcudiag_carrier_is_http(carrier) && proto_http > 0) {
        conversation_t *conv = find_conversation_pinfo(pinfo, 0);
        http_conv_t *http = conv ? conversation_get_proto_data(conv, proto_http) : NULL;
        char *target = http ? c3p_target_from_http_path(wmem_file_scope(), mcudiag_http_last_request_uri(http)) : NULL;
        if (target)
            return target;
    }
    return c3p_target_from_uri(wmem_file_scope(), uri);
}

static guint32 next_message_index(packet_info *pinfo)
{
    guint32 n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_c3p, C3P_KEY_MESSAGE_COUNT));
    p_add_proto_data(pinfo->pool, pinfo, proto_c3p, C3P_KEY_MESSAGE_COUNT, GUINT_TO_POINTER(n + 1));
    return n;
}

/* What one C3P body says, and the items the expert infos attach to. */
typedef struct {
    gboolean is_request, is_response;
    gboolean has_request_id;
    guint64 request_id;
    const char *root_name;
    char *from, *to, *command, *reason;
    c3p_code_t code;
    xml_frame_t *root_tag, *command_tag;
    proto_item *type_item, *code_item, *reason_item;
} c3p_message_t;

static c3p_frame_record_t *first_pass_record(tvbuff_t *tvb, packet_info *pinfo, const mcudiag_media_carrier_t *carrier,
                                             const c3p_message_t *m)
{
    c3p_frame_record_t *rec = wmem_new0(wmem_file_scope(), c3p_frame_record_t);
    const guint body_len = tvb_captured_length(tvb);
    const c3p_seen_t seen = {
        .conversation = find_or_create_conversation(pinfo)->conv_index,
        .request_id = m->request_id,
        .from = m->from,
        .to = m->to,
        .body = tvb_get_ptr(tvb, 0, body_len),
        .body_len = body_len,
        .frame = pinfo->num,
        .ts = frame_time(&pinfo->abs_ts),
    };
    c3p_match_t match = { 0 };
    if (m->is_request) {
        rec->target = message_target(pinfo, carrier, m->to);
        if (m->has_request_id)
            match = c3p_matcher_request(matcher, &seen, m->command, rec->target);
    } else if (m->is_response) {
        if (m->has_request_id)
            match = c3p_matcher_response(matcher, &seen, m->code);
        rec->target = match.transaction && match.transaction->target
                          ? wmem_strdup(wmem_file_scope(), match.transaction->target)
                          : message_target(pinfo, carrier, m->from);
    } else {
        rec->target = message_target(pinfo, carrier, NULL);
    }
    rec->transaction = match.transaction;
    rec->duplicate_of = match.duplicate_of;
    return rec;
}

static void add_links(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, proto_item *top, const c3p_message_t *m,
                      const c3p_transaction_t *t)
{
    if (!t)
        return;
    if (m->is_request && t->request_frame == pinfo->num) {
        if (t->response_frame) {
            proto_item_set_generated(proto_tree_add_uint(tree, hf_c3p_response_in, tvb, 0, 0, t->response_frame));
        } else if (PINFO_FD_VISITED(pinfo)) {
            expert_add_info_format(pinfo, top, &ei_c3p_no_response,
                                   "C3P %s request (requestId %" PRIu64 ") was never answered in this capture",
                                   m->command ? m->command : "?", m->request_id);
        }
        if (t->pending_frame)
            proto_item_set_generated(proto_tree_add_uint(tree, hf_c3p_pending_in, tvb, 0, 0, t->pending_frame));
    } else if (m->is_request) {
        /* A retransmission of a request already seen. */
        proto_item_set_generated(proto_tree_add_uint(tree, hf_c3p_request_in, tvb, 0, 0, t->request_frame));
        if (t->response_frame)
            proto_item_set_generated(proto_tree_add_uint(tree, hf_c3p_response_in, tvb, 0, 0, t->response_frame));
    } else if (m->is_response) {
        proto_item_set_generated(proto_tree_add_uint(tree, hf_c3p_request_in, tvb, 0, 0, t->request_frame));
        const nstime_t now = frame_time(&pinfo->abs_ts);
        nstime_t delta;
        nstime_delta(&delta, &now, &t->request_time);
        proto_item_set_generated(proto_tree_add_time(tree, hf_c3p_time, tvb, 0, 0, &delta));
        if (m->code == C3P_CODE_PENDING)
            expert_add_info_format(pinfo, top, &ei_c3p_pending, "C3P %s pending: the final response is still to come",
                                   t->command ? t->command : "?");
    }
}

/* ---- the dissector -------------------------------------------------------- */

/* Bodies nested deeper than this are parsed without the XML dissector's own
 * tree: Wireshark throws past its maximum tree depth, and the XML dissector
 * needs its tree before it parses. So the nesting is estimated from the bytes
 * first (start tags minus end tags), and only for bodies long enough to nest
 * that deep: the one place c3p reads XML markup itself. */
static gboolean nests_too_deep(tvbuff_t *tvb, guint *deepest_out)
{
    const gint len = (gint)tvb_captured_length(tvb);
    if (len < 3 * C3P_MAX_XML_TREE_DEPTH) /* "<a>" per level at least */
        return FALSE;
    const guint8 *p = tvb_get_ptr(tvb, 0, len);
    gint depth = 0, deepest = 0;
    for (gint i = 0; i + 1 < len; i++) {
        if (p[i] == '<') {
            if (p[i + 1] == '/')
                depth--;
            else if (p[i + 1] != '!' && p[i + 1] != '?' && ++depth > deepest)
                deepest = depth;
        } else if (p[i] == '/' && p[i + 1] == '>') {
            depth--;
        }
    }
    *deepest_out = (guint)deepest;
    return deepest > C3P_MAX_XML_TREE_DEPTH;
}

/* Hands the body to the XML dissector; returns the tree it parsed, or NULL. */
static xml_frame_t *parse_xml(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    xml_frame_t *before = p_get_proto_data(pinfo->pool, pinfo, proto_xml, 0);
    TRY {
        call_dissector_with_data(xml_handle, tvb, pinfo, tree, data);
    }
    CATCH_NONFATAL_ERRORS {
        show_exception(tvb, pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
    xml_frame_t *root = p_get_proto_data(pinfo->pool, pinfo, proto_xml, 0);
    return root != before ? root : NULL;
}

/* A well-formed body ends with its root element, then only whitespace. The
 * XML dissector stretches an element over its end tag when it meets one and
 * quietly keeps what it could parse of a body cut short, so the root's extent
 * tells: it must reach the body's end, and an element with nothing inside
 * must be an empty-element tag "<x/>" or hold its end tag "<x></x>". */
static gboolean root_element_closes(c3p_walk_t *w, xml_frame_t *root_tag)
{
    const gint len = (gint)tvb_captured_length(w->tvb);
    const gint start = root_tag->start_offset, length = root_tag->length;
    if (start < 0 || length < 2 || start + length > len)
        return FALSE;
    for (gint i = start + length; i < len; i++)
        if (!g_ascii_isspace(tvb_get_uint8(w->tvb, i)))
            return FALSE;
    if (xml_get_tag(root_tag, NULL) || xml_get_cdata(root_tag))
        return TRUE;
    return tvb_get_uint8(w->tvb, start + length - 2) == '/' || tvb_find_uint8(w->tvb, start + 1, length - 1, '<') >= 0;
}

/* The envelope (root element and its attributes) and the command element. */
static void read_message(proto_tree *c3p_tree, c3p_walk_t *w, c3p_message_t *m)
{
    packet_info *pinfo = w->pinfo;
    xml_frame_t *root_tag = m->root_tag;
    m->root_name = root_tag->name_orig_case;
    m->is_request = strcmp(m->root_name, "request") == 0;
    m->is_response = strcmp(m->root_name, "response") == 0;
    m->type_item = proto_tree_add_string(c3p_tree, hf_c3p_type, w->tvb, MAX(root_tag->start_offset, 0),
                                         tag_length(w, root_tag), m->root_name);
    if (!m->is_request && !m->is_response)
        expert_add_info_format(pinfo, m->type_item, &ei_c3p_unknown_root,
                               "Root element <%s> is not a C3P request or response; shown as is", m->root_name);
    else if (!tag_in_namespace(w, root_tag, C3P_NS_CCCP))
        expert_add_info_format(pinfo, m->type_item, &ei_c3p_foreign_namespace,
                               "<%s> is not in the C3P namespace " C3P_NS_CCCP, m->root_name);

    guint commands = 0;
    m->command_tag = first_child_tag(root_tag, &commands);
    if ((m->is_request || m->is_response) && commands != 1)
        expert_add_info_format(pinfo, m->type_item, &ei_c3p_command_count,
                               "A C3P %s holds exactly one command element; this one holds %u", m->root_name, commands);
    m->command = m->command_tag ? wmem_strdup(pinfo->pool, m->command_tag->name_orig_case) : NULL;
    m->reason = m->command_tag ? attr_text(pinfo, m->command_tag, "reason") : NULL;
    m->from = attr_text(pinfo, root_tag, "from");
    m->to = attr_text(pinfo, root_tag, "to");
    m->code = c3p_code_parse(attr_text(pinfo, root_tag, "code"));
    m->has_request_id = c3p_parse_request_id(attr_text(pinfo, root_tag, "requestId"), &m->request_id);
}

static void add_envelope_fields(proto_tree *c3p_tree, c3p_walk_t *w, c3p_message_t *m)
{
    xml_frame_t *root_tag = m->root_tag;
    xml_frame_t *id_attr = xml_get_attrib(root_tag, "requestId");
    if (id_attr && m->has_request_id) {
        proto_tree_add_uint64(c3p_tree, hf_c3p_request_id, id_attr->value, 0, tvb_captured_length(id_attr->value),
                              m->request_id);
    } else if (m->is_request || m->is_response) {
        proto_item *bad = id_attr ? add_text_field(c3p_tree, hf_c3p_attribute, w, id_attr) : m->type_item;
        expert_add_info_format(w->pinfo, bad ? bad : m->type_item, &ei_c3p_bad_request_id,
                               id_attr ? "requestId is not a non-negative integer: no request/response matching"
                                       : "No requestId: no request/response matching");
    }
    add_text_field(c3p_tree, hf_c3p_from, w, xml_get_attrib(root_tag, "from"));
    add_text_field(c3p_tree, hf_c3p_to, w, xml_get_attrib(root_tag, "to"));
    add_text_field(c3p_tree, hf_c3p_version, w, xml_get_attrib(root_tag, "C3PVersion"));
    m->code_item = add_text_field(c3p_tree, hf_c3p_code, w, xml_get_attrib(root_tag, "code"));
    if (!m->command_tag)
        return;
    proto_tree_add_string(c3p_tree, hf_c3p_command, w->tvb, MAX(m->command_tag->start_offset, 0),
                          tag_length(w, m->command_tag), m->command);
    const c3p_command_info_t *known = c3p_command_lookup(m->command);
    if (known)
        proto_item_set_generated(proto_tree_add_string(c3p_tree, hf_c3p_command_spec, w->tvb, 0, 0, known->spec));
    m->reason_item = add_text_field(c3p_tree, hf_c3p_reason, w, xml_get_attrib(m->command_tag, "reason"));
}

/* Request/response links and the failure warning, from what the first pass
 * decided; returns the frame's record (NULL when there is none). */
static const c3p_frame_record_t *add_transaction(proto_tree *c3p_tree, tvbuff_t *tvb, packet_info *pinfo,
                                                 proto_item *top, const mcudiag_media_carrier_t *carrier,
                                                 const c3p_message_t *m, guint32 message_index)
{
    c3p_frame_record_t *rec = p_get_proto_data(wmem_file_scope(), pinfo, proto_c3p, message_index);
    if (!rec && !PINFO_FD_VISITED(pinfo)) {
        rec = first_pass_record(tvb, pinfo, carrier, m);
        p_add_proto_data(wmem_file_scope(), pinfo, proto_c3p, message_index, rec);
    }
    const char *target = rec ? rec->target : NULL;
    if (target)
        proto_item_set_generated(proto_tree_add_string(c3p_tree, hf_c3p_target, tvb, 0, 0, target));
    if (target && strcmp(target, "mcufactory") == 0)
        proto_item_set_generated(proto_tree_add_item(c3p_tree, hf_c3p_mcufactory, tvb, 0, 0, ENC_NA));
    add_links(c3p_tree, pinfo, tvb, top, m, rec ? rec->transaction : NULL);
    if (rec && rec->duplicate_of)
        proto_item_set_generated(proto_tree_add_uint(c3p_tree, hf_c3p_duplicate_of, tvb, 0, 0, rec->duplicate_of));

    /* A copy of a failed response is the same failure: warned once, at the first copy. */
    if (m->is_response && m->code == C3P_CODE_FAILURE && !(rec && rec->duplicate_of))
        expert_add_info_format(pinfo, m->reason_item ? m->reason_item : (m->code_item ? m->code_item : top),
                               &ei_c3p_failure, "C3P %s failed%s%s%s%s%s", m->command ? m->command : "command",
                               target ? " at " : "", target ? target : "",
                               m->reason ? ": reason \"" : " (no reason given)", m->reason ? m->reason : "",
                               m->reason ? "\"" : "");
    return rec;
}

/* What is odd about the body as a whole. */
static void add_body_notes(tvbuff_t *tvb, packet_info *pinfo, proto_item *top, const c3p_walk_t *w,
                           const xml_frame_t *root)
{
    /* Judged on the bytes received, not on what XML parsed: from 4.4 that is
     * already valid UTF-8, with U+FFFD where the body had invalid bytes. */
    const guint body_len = tvb_captured_length(tvb);
    if (!g_utf8_validate((const char *)tvb_get_ptr(tvb, 0, body_len), body_len, NULL))
        expert_add_info(pinfo, top, &ei_c3p_invalid_utf8);
    if (w->long_values)
        expert_add_info_format(pinfo, top, &ei_c3p_long_value,
                               "%u attribute or text value%s longer than %u bytes (C3P values are URIs and words)",
                               w->long_values, plurality(w->long_values, "", "s"), C3P_LONG_VALUE);
    for (const xml_frame_t *f = root->first_child; f; f = f->next_sibling)
        if (f->type == XML_FRAME_DTD_DOCTYPE) {
            expert_add_info(pinfo, top, &ei_c3p_doctype);
            break;
        }
    if (w->truncated)
        expert_add_info_format(pinfo, top, &ei_c3p_view_truncated,
                               "C3P view stops at %u levels or %u items; the XML tree below holds the rest",
                               C3P_MAX_DEPTH, C3P_MAX_NODES);
}

static void add_summary(packet_info *pinfo, proto_item *top, const c3p_message_t *m, gboolean mcufactory)
{
    proto_item_append_text(top, ", %s%s%s%s", mcufactory ? "MCU Factory " : "", m->root_name,
                           m->command ? " " : "", m->command ? m->command : "");
    const gboolean coded = m->is_response && m->code != C3P_CODE_NONE;
    col_append_fstr(pinfo->cinfo, COL_INFO, " [C3P%s %s%s%s%s%s]", mcufactory ? " MCU Factory" : "", m->root_name,
                    m->command ? " " : "", m->command ? m->command : "", coded ? " " : "",
                    coded ? c3p_code_name(m->code) : "");
}

static void queue_tap(packet_info *pinfo, const c3p_message_t *m, const c3p_frame_record_t *rec)
{
    const c3p_transaction_t *t = rec ? rec->transaction : NULL;
    c3p_tap_info_t *info = wmem_new0(pinfo->pool, c3p_tap_info_t);
    info->is_request = m->is_request;
    info->is_response = m->is_response;
    info->command = t && t->command ? t->command : m->command;
    info->target = rec ? rec->target : NULL;
    info->code = m->code;
    info->transaction = t;
    info->frame = pinfo->num;
    tap_queue_packet(c3p_tap, pinfo, info);
}

/* The XML dissector's parsed body, or NULL with the reason noted. */
static xml_frame_t *parse_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *top, void *data)
{
    if (!proto_is_protocol_enabled(find_protocol_by_id(proto_xml))) {
        expert_add_info(pinfo, top, &ei_c3p_xml_disabled);
        return NULL;
    }
    guint depth = 0;
    const gboolean too_deep = nests_too_deep(tvb, &depth);
    if (too_deep)
        expert_add_info_format(pinfo, top, &ei_c3p_too_deep,
                               "C3P body nests elements %u deep: the XML tree is not shown (the C3P view is)", depth);
    xml_frame_t *root = parse_xml(tvb, pinfo, too_deep ? NULL : tree, data);
    if (!root || !xml_get_tag(root, NULL)) {
        expert_add_info(pinfo, top, &ei_c3p_not_xml);
        col_append_str(pinfo->cinfo, COL_INFO, " [C3P: not XML]");
        return NULL;
    }
    return root;
}

static int dissect_c3p(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const mcudiag_media_carrier_t *carrier = data;
    const guint32 message_index = next_message_index(pinfo);

    col_append_sep_str(pinfo->cinfo, COL_PROTOCOL, "/", "C3P");
    proto_item *top = proto_tree_add_item(tree, proto_c3p, tvb, 0, -1, ENC_NA);
    proto_tree *c3p_tree = proto_item_add_subtree(top, ett_c3p);
    xml_frame_t *root = parse_body(tvb, pinfo, tree, top, data);
    if (!root)
        return tvb_captured_length(tvb);

    c3p_message_t m = { .root_tag = xml_get_tag(root, NULL) };
    c3p_walk_t w = { .pinfo = pinfo, .tvb = parsed_tvb(tvb, m.root_tag) };
    if (!root_element_closes(&w, m.root_tag))
        expert_add_info_format(pinfo, top, &ei_c3p_unclosed,
                               "C3P body ends before </%s>: cut short or malformed XML; decoded as far as it goes",
                               m.root_tag->name_orig_case);
    read_message(c3p_tree, &w, &m);
    add_envelope_fields(c3p_tree, &w, &m);
    const c3p_frame_record_t *rec = add_transaction(c3p_tree, tvb, pinfo, top, carrier, &m, message_index);
    const gboolean mcufactory = rec && rec->target && strcmp(rec->target, "mcufactory") == 0;

    if (m.command_tag && c3p_command_lookup(m.command))
        add_command_fields(c3p_tree, &w, m.command_tag, 0);
    add_generic_view(c3p_tree, &w, m.root_tag, 0, mcufactory);
    add_body_notes(tvb, pinfo, top, &w, root);
    add_summary(pinfo, top, &m, mcufactory);
    queue_tap(pinfo, &m, rec);
    return tvb_captured_length(tvb);
}

/* HTTP's own TLS ports: TLS's port table (HTTP's "SSL/TLS Ports" preference
 * and Decode As fill it), so users set the conferencing ports in one place. */
gboolean c3p_is_https_port(guint32 port)
{
    return tls_port_table && https_handle && dissector_get_uint_handle(tls_port_table, port) == https_handle;
}

/* ---- -z c3p,tree ----------------------------------------------------------- */

static const char st_root[] = "C3P requests by target and command";
static const char st_orphans[] = "Responses without their request";
static int st_root_node = -1;

static void c3p_stats_init(stats_tree *st)
{
    st_root_node = stats_tree_create_node(st, st_root, 0, STAT_DT_INT, TRUE);
}

/* Per target and command: requests, how they ended, and response times.
 * "Unanswered" rises with each request and falls with its final response, so
 * it is right at the end of one pass as well as of a second one. */
static tap_packet_status c3p_stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                          const void *p, tap_flags_t flags _U_)
{
    const c3p_tap_info_t *info = p;
    const c3p_transaction_t *t = info->transaction;
    if (info->is_response && !t) {
        tick_stat_node(st, st_orphans, 0, FALSE);
        return TAP_PACKET_REDRAW;
    }
    if (!t)
        return TAP_PACKET_DONT_REDRAW;
    const gboolean first_request = info->is_request && t->request_frame == info->frame;
    const gboolean final_response = info->is_response && t->response_frame == info->frame;
    if (!first_request && !final_response)
        return TAP_PACKET_DONT_REDRAW;

    /* Target and command nodes count requests; responses only update below them. */
    const int step = first_request ? 1 : 0;
    increase_stat_node(st, st_root, 0, TRUE, step);
    int target = increase_stat_node(st, t->target ? t->target : "(unknown target)", st_root_node, TRUE, step);
    int command = increase_stat_node(st, t->command ? t->command : "(no command)", target, TRUE, step);
    if (first_request) {
        tick_stat_node(st, "Requests", command, FALSE);
        tick_stat_node(st, "Unanswered", command, FALSE);
    } else {
        increase_stat_node(st, "Unanswered", command, FALSE, -1);
        tick_stat_node(st, t->code == C3P_CODE_FAILURE ? "Failure" : (t->code == C3P_CODE_SUCCESS ? "Success" : "Other code"),
                       command, FALSE);
        nstime_t delta;
        nstime_delta(&delta, &t->response_time, &t->request_time);
        const double ms = nstime_to_msec(&delta);
        avg_stat_node_add_value_float(st, "Response time (ms)", command, FALSE, (gfloat)ms);
    }
    (void)pinfo;
    return TAP_PACKET_REDRAW;
}

/* ---- registration ------------------------------------------------------------ */

static void c3p_init(void)
{
    matcher = c3p_matcher_new();
}

static void c3p_cleanup(void)
{
    c3p_matcher_free(matcher);
    matcher = NULL;
}

void proto_register_c3p(void)
{
    static hf_register_info hf[] = {
        { &hf_c3p_type, { "Message", "c3p.type", FT_STRING, BASE_NONE, NULL, 0,
            "Root element: request, response, or another one shown as is", HFILL } },
        { &hf_c3p_request_id, { "Request ID", "c3p.request_id", FT_UINT64, BASE_DEC, NULL, 0, NULL, HFILL } },
        { &hf_c3p_from, { "From", "c3p.from", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_to, { "To", "c3p.to", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_version, { "C3P version", "c3p.version", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_code, { "Code", "c3p.code", FT_STRING, BASE_NONE, NULL, 0, "success, failure (or pending)", HFILL } },
        { &hf_c3p_command, { "Command", "c3p.command", FT_STRING, BASE_NONE, NULL, 0,
            "Local name of the one child element of the request or response", HFILL } },
        { &hf_c3p_reason, { "Reason", "c3p.reason", FT_STRING, BASE_NONE, NULL, 0,
            "Failure reason of the command", HFILL } },
        { &hf_c3p_target, { "Target", "c3p.target", FT_STRING, BASE_NONE, NULL, 0,
            "Server role the exchange is with (focusfactory, focus, chat, audio-video, mcufactory, …)", HFILL } },
        { &hf_c3p_response_in, { "Response in", "c3p.response_in", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "Final response to this request", HFILL } },
        { &hf_c3p_request_in, { "Request in", "c3p.request_in", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "The request this message answers or repeats", HFILL } },
        { &hf_c3p_pending_in, { "Pending response in", "c3p.pending_in", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "Provisional response to this request", HFILL } },
        { &hf_c3p_time, { "Time", "c3p.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
            "Time from the request to this response", HFILL } },
        { &hf_c3p_duplicate_of, { "Same message as frame", "c3p.duplicate_of", FT_FRAMENUM, BASE_NONE, NULL, 0,
            "This message was captured before at another point or forwarded by a proxy (same requestId, from, "
            "to and bytes, within 100 ms): one transaction", HFILL } },
        { &hf_c3p_conference_entity, { "Conference", "c3p.conference_entity", FT_STRING, BASE_NONE, NULL, 0,
            "Conference (focus) URI the command is about", HFILL } },
        { &hf_c3p_conference_id, { "Conference ID", "c3p.conference_id", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_user_entity, { "User", "c3p.user_entity", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_role, { "Role", "c3p.role", FT_STRING, BASE_NONE, NULL, 0, "Role requested or granted", HFILL } },
        { &hf_c3p_endpoint, { "Endpoint", "c3p.endpoint", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_mcu_uri, { "MCU URI", "c3p.mcu_uri", FT_STRING, BASE_NONE, NULL, 0,
            "mcuUri (cccpextensions namespace): the MCU the command is for", HFILL } },
        { &hf_c3p_mcu_type, { "MCU type", "c3p.mcu_type", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_joining_method, { "Joining method", "c3p.joining_method", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_endpoint_uri, { "Endpoint URI", "c3p.endpoint_uri", FT_STRING, BASE_NONE, NULL, 0,
            "sip: or tel: URI an addUser dial-out calls", HFILL } },
        { &hf_c3p_refer_to_uri, { "Refer-to URI", "c3p.refer_to_uri", FT_STRING, BASE_NONE, NULL, 0,
            "sip: or tel: URI of an addUser dial-out's endpoint", HFILL } },
        { &hf_c3p_lobby_access, { "Lobby access", "c3p.lobby_access", FT_STRING, BASE_NONE, NULL, 0,
            "setLobbyAccess: admit the user from the lobby (granted) or not", HFILL } },
        { &hf_c3p_expiry_time, { "Expiry time", "c3p.expiry_time", FT_STRING, BASE_NONE, NULL, 0,
            "UTC time after which the conference can be deleted", HFILL } },
        { &hf_c3p_admission_policy, { "Admission policy", "c3p.admission_policy", FT_STRING, BASE_NONE, NULL, 0,
            NULL, HFILL } },
        { &hf_c3p_command_spec, { "Command defined in", "c3p.command_spec", FT_STRING, BASE_NONE, NULL, 0,
            "The public specification of this command (absent: a command they do not name, shown generically)",
            HFILL } },
        { &hf_c3p_mcufactory, { "MCU Factory exchange (message format not publicly documented: shown generically)",
            "c3p.mcufactory", FT_NONE, BASE_NONE, NULL, 0, "Traffic to or from /LiveServer/MCUFactory/", HFILL } },
        { &hf_c3p_health_state, { "MCU health state", "c3p.health_state", FT_UINT32, BASE_DEC,
            VALS(health_state_names), 0, "A health value 0-3 named as in the MCU health performance counter", HFILL } },
        { &hf_c3p_element, { "Element", "c3p.element", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_attribute, { "Attribute", "c3p.attribute", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
        { &hf_c3p_text, { "Text", "c3p.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL } },
    };
    static gint *ett[] = { &ett_c3p, &ett_c3p_element };
    static ei_register_info ei[] = {
        { &ei_c3p_failure, { "c3p.failure", PI_RESPONSE_CODE, PI_WARN, "C3P command failed", EXPFILL } },
        { &ei_c3p_no_response, { "c3p.no_response", PI_SEQUENCE, PI_WARN,
            "C3P request never answered in this capture", EXPFILL } },
        { &ei_c3p_pending, { "c3p.pending", PI_SEQUENCE, PI_CHAT, "C3P pending response", EXPFILL } },
        { &ei_c3p_not_xml, { "c3p.not_xml", PI_MALFORMED, PI_ERROR,
            "C3P body holds no XML element: cut short or not XML", EXPFILL } },
        { &ei_c3p_unclosed, { "c3p.unclosed", PI_MALFORMED, PI_ERROR,
            "C3P body ends before its root element closes", EXPFILL } },
        { &ei_c3p_xml_disabled, { "c3p.xml_disabled", PI_UNDECODED, PI_WARN,
            "The XML protocol is disabled: C3P cannot be decoded", EXPFILL } },
        { &ei_c3p_unknown_root, { "c3p.unknown_root", PI_UNDECODED, PI_NOTE, "Unknown C3P root element", EXPFILL } },
        { &ei_c3p_foreign_namespace, { "c3p.foreign_namespace", PI_PROTOCOL, PI_NOTE,
            "C3P element outside the C3P namespace", EXPFILL } },
        { &ei_c3p_bad_request_id, { "c3p.bad_request_id", PI_PROTOCOL, PI_WARN, "Missing or invalid requestId", EXPFILL } },
        { &ei_c3p_command_count, { "c3p.command_count", PI_PROTOCOL, PI_WARN,
            "C3P message without exactly one command element", EXPFILL } },
        { &ei_c3p_view_truncated, { "c3p.view_truncated", PI_UNDECODED, PI_NOTE, "C3P view truncated", EXPFILL } },
        { &ei_c3p_invalid_utf8, { "c3p.invalid_utf8", PI_MALFORMED, PI_WARN,
            "C3P body holds bytes that are not valid UTF-8 (values shown with replacement characters)", EXPFILL } },
        { &ei_c3p_too_deep, { "c3p.too_deep", PI_MALFORMED, PI_WARN, "C3P body nested too deep", EXPFILL } },
        { &ei_c3p_long_value, { "c3p.long_value", PI_PROTOCOL, PI_NOTE, "Very long C3P value", EXPFILL } },
        { &ei_c3p_doctype, { "c3p.doctype", PI_PROTOCOL, PI_WARN,
            "C3P body carries a DOCTYPE (declarations are not part of C3P; entities are not expanded)", EXPFILL } },
    };

    proto_c3p = proto_register_protocol("Centralized Conference Control Protocol (C3P/CCCP)", "C3P", "c3p");
    proto_register_field_array(proto_c3p, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_c3p), ei, array_length(ei));

    /* Replaced by HTTP's TLS ports (TLS port 444 carries HTTP by default). */
    prefs_register_obsolete_preference(prefs_register_protocol(proto_c3p, NULL), "https_ports");

    c3p_handle = register_dissector("c3p", dissect_c3p, proto_c3p);
    c3p_tap = register_tap("c3p");
    register_init_routine(c3p_init);
    register_cleanup_routine(c3p_cleanup);
}

void proto_reg_handoff_c3p(void)
{
    xml_handle = find_dissector_add_dependency("xml", proto_c3p);
    proto_xml = dissector_handle_get_protocol_index(xml_handle);
    proto_http = proto_get_id_by_filter_name("http");
    https_handle = find_dissector_add_dependency("http-over-tls", proto_c3p);
    tls_port_table = find_dissector_table("tls.port");
    /* C3P between Focus, MCU Factory and MCUs: HTTPS on TCP 444 of the pool. */
    ssl_dissector_add(444, https_handle);
    dissector_add_string("media_type", "application/cccp+xml", c3p_handle);
    stats_tree_register_plugin("c3p", "c3p", "Conferencing/C3P Commands", 0, c3p_stats_packet, c3p_stats_init, NULL);
}
