/* c3p_model.h — the C3P (CCCP) message model: what the glue decodes from the
 * XML dissector's tree is classified and matched here.
 *
 * Plain C + GLib and wsutil (no epan), so unit tests and fuzzers drive it directly.
 * Facts from ../shared/research/c3p-protocol.md: requests and responses carry
 * requestId/from/to, responses copy requestId and swap from and to; code is
 * "success" or "failure" (a "pending" value is implied by the documented
 * request/pending/final semantics but its wire form is not public, so it is
 * recognised, never required); the server role a message is for appears as
 * opaque=app:conf:<role>[:id:<id>] in conference URIs and as
 * /LiveServer/<Role>/ in the HTTPS URLs between Focus, MCU Factory and MCUs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef C3P_MODEL_H
#define C3P_MODEL_H

#include <glib.h>
#include <wsutil/wmem/wmem.h>

#include "frame_time.h"

G_BEGIN_DECLS

#define C3P_NS_CCCP "urn:ietf:params:xml:ns:cccp"
#define C3P_NS_CCCP_EXTENSIONS "http://schemas.microsoft.com/rtc/2005/08/cccpextensions"
#define C3P_NS_CONFINFO_EXTENSIONS "http://schemas.microsoft.com/rtc/2005/08/confinfoextensions"
#define C3P_NS_CONFINFO_EXTENSIONS_2008 "http://schemas.microsoft.com/rtc/2008/12/confinfoextensions"
#define C3P_NS_CONFERENCE_INFO "urn:ietf:params:xml:ns:conference-info"

typedef enum {
    C3P_CODE_NONE = 0,    /* no code attribute (requests) */
    C3P_CODE_SUCCESS = 1,
    C3P_CODE_FAILURE = 2,
    C3P_CODE_PENDING = 3, /* provisional: does not close the request */
    C3P_CODE_OTHER = 4,   /* a value the grammar does not name; shown as is */
} c3p_code_t;

c3p_code_t c3p_code_parse(const char *text);
const char *c3p_code_name(c3p_code_t code);
gboolean c3p_code_is_final(c3p_code_t code);

/* The server role of a conference URI, from its opaque=app:conf:<role> part,
 * lower-cased ("focusfactory", "focus", "chat", "audio-video", …), allocated
 * in scope (NULL: free with g_free); NULL when the URI has none. */
char *c3p_target_from_uri(wmem_allocator_t *scope, const char *uri);

/* The server role of an HTTP request path /LiveServer/<Role>/…, lower-cased
 * ("mcufactory", "focus", …), allocated in scope; NULL for other paths. */
char *c3p_target_from_http_path(wmem_allocator_t *scope, const char *path);

/* requestId: "a non-negative integer"; digits only, at most 20 of them. */
gboolean c3p_parse_request_id(const char *text, guint64 *out);

/* ---- what the specifications define: commands and the fields in them ----- */

/* A command the public specifications name, and where they define it. */
typedef struct {
    const char *name;         /* local name of the request's or response's one child */
    const char *spec;         /* "MS-CONFBAS", "MS-CONFAV", "MS-CONFPRO" */
} c3p_command_info_t;

/* The command of that local name (case-sensitive, as XML is), or NULL:
 * anything else is shown generically. */
const c3p_command_info_t *c3p_command_lookup(const char *name);

/* Every known command, in name order (for tests and documentation). */
const c3p_command_info_t *c3p_commands(gsize *count);

/* The typed fields a known command's contents fill. The glue gives each one
 * a registered field; values stay text, as the specifications define them. */
typedef enum {
    C3P_FIELD_CONFERENCE_ENTITY,  /* conference (focus) URI */
    C3P_FIELD_CONFERENCE_ID,
    C3P_FIELD_USER_ENTITY,
    C3P_FIELD_ROLE,
    C3P_FIELD_ENDPOINT,
    C3P_FIELD_ENDPOINT_URI,
    C3P_FIELD_REFER_TO_URI,
    C3P_FIELD_JOINING_METHOD,
    C3P_FIELD_MCU_URI,
    C3P_FIELD_MCU_TYPE,
    C3P_FIELD_LOBBY_ACCESS,
    C3P_FIELD_EXPIRY_TIME,
    C3P_FIELD_ADMISSION_POLICY,
    C3P_FIELD_COUNT
} c3p_field_t;

/* One place a field's value sits: an attribute of an element, or the
 * element's text. */
typedef struct {
    const char *element;      /* local name; NULL: any element below the command */
    const char *parent;       /* local name the element's parent must have; NULL: any */
    const char *attribute;    /* attribute local name; NULL: the element's text */
    const char *attribute_ns; /* namespace URI of a prefixed attribute; NULL: an unprefixed one */
    c3p_field_t field;
} c3p_field_rule_t;

/* The rules for elements of this local name (a run of the table), and in
 * *any the rules that apply to every element. Returns the run's length. */
gsize c3p_field_rules(const char *element, const c3p_field_rule_t **rules, const c3p_field_rule_t **any,
                      gsize *any_count);

/* ---- request/response matching ------------------------------------------ */

/* One request and what answered it. Owned by the matcher. */
typedef struct {
    guint id;                 /* 1, 2, … in order of first request */
    guint32 request_frame;    /* the first copy of the request */
    guint32 response_frame;   /* final response; 0 while unanswered */
    guint32 pending_frame;    /* first provisional response; 0 if none */
    nstime_t request_time;    /* frame times (frame_time.h) */
    nstime_t response_time;
    c3p_code_t code;          /* of the final response */
    char *command;            /* local name of the request's command element */
    char *target;             /* server role, or NULL */
} c3p_transaction_t;

typedef struct c3p_matcher c3p_matcher_t;

c3p_matcher_t *c3p_matcher_new(void);
void c3p_matcher_free(c3p_matcher_t *m);

/* One C3P message as the matcher sees it. */
typedef struct {
    guint32 conversation;     /* any number that tells transports apart */
    guint64 request_id;
    const char *from, *to;
    const void *body;         /* the message's bytes: copies of one message have the same */
    gsize body_len;
    guint32 frame;
    nstime_t ts;            /* frame time (frame_time.h) */
} c3p_seen_t;

/* What the matcher made of a message. */
typedef struct {
    const c3p_transaction_t *transaction; /* NULL: a response whose request is not in the capture */
    guint32 duplicate_of;     /* the first copy of this very message, captured less than
                                 MESSAGE_COPIES_WINDOW earlier at another point (or
                                 forwarded by a proxy, on any conversation); 0 if none */
} c3p_match_t;

/* A request. A copy of a request still unanswered (a retransmission) returns
 * the same transaction; once answered, the same key starts a new one. A
 * duplicate (same requestId, from, to and bytes within the window, whatever
 * the conversation) is the first copy's transaction, whatever was answered,
 * and a response on the duplicate's conversation answers that transaction. */
c3p_match_t c3p_matcher_request(c3p_matcher_t *m, const c3p_seen_t *seen, const char *command, const char *target);

/* A response: its from/to are the request's to/from. A pending code is noted
 * without closing the request; only the first final response closes it
 * (later copies return the transaction unchanged). */
c3p_match_t c3p_matcher_response(c3p_matcher_t *m, const c3p_seen_t *seen, c3p_code_t code);

guint c3p_matcher_transaction_count(const c3p_matcher_t *m);

G_END_DECLS

#endif
