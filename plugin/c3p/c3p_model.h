/* c3p_model.h — the C3P (CCCP) message model: what the glue decodes from the
 * XML dissector's tree is classified and matched here.
 *
 * Plain C + GLib (no epan), so unit tests and fuzzers drive it directly.
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
 * lower-cased ("focusfactory", "focus", "chat", "audio-video", …); NULL when
 * the URI has none. Free with g_free. */
char *c3p_target_from_uri(const char *uri);

/* The server role of an HTTP request path /LiveServer/<Role>/…, lower-cased
 * ("mcufactory", "focus", …); NULL for other paths. Free with g_free. */
char *c3p_target_from_http_path(const char *path);

/* requestId: "a non-negative integer"; digits only, at most 20 of them. */
gboolean c3p_parse_request_id(const char *text, guint64 *out);

/* The commands the public specifications name (MS-CONFPRO, MS-CONFBAS,
 * MS-CONFIM, MS-CONFAV). Anything else is shown generically. */
gboolean c3p_is_known_command(const char *name);

/* MCU health state names of the Lync MCU performance counters (0 Normal,
 * 1 Loaded, 2 Full, 3 Unavailable); NULL for any other value. */
const char *c3p_health_state_name(guint64 value);

/* ---- request/response matching ------------------------------------------ */

/* One request and what answered it. Owned by the matcher. */
typedef struct {
    guint id;                 /* 1, 2, … in order of first request */
    guint32 request_frame;    /* the first copy of the request */
    guint32 response_frame;   /* final response; 0 while unanswered */
    guint32 pending_frame;    /* first provisional response; 0 if none */
    gint64 request_time_ns;
    gint64 response_time_ns;
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
    gint64 time_ns;
} c3p_seen_t;

/* What the matcher made of a message. */
typedef struct {
    const c3p_transaction_t *transaction; /* NULL: a response whose request is not in the capture */
    guint32 duplicate_of;     /* the first copy of this very message, captured less than
                                 MESSAGE_COPIES_WINDOW_NS earlier at another point (or
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

/* later - earlier in nanoseconds, saturated instead of overflowing. */
gint64 c3p_time_between(gint64 later, gint64 earlier);

G_END_DECLS

#endif
