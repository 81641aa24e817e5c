/* sipconf_model.h — SIP conference analysis: conference URIs, ms-diagnostics,
 * and each conference's outcome from the SIP requests and responses seen.
 *
 * Plain C + GLib (no epan). Facts from ../shared/research/c3p-protocol.md §4-5:
 * conference URIs carry opaque=app:conf:<role>[:id:<conference id>] (Focus
 * Factory, Focus, and one MCU per media type), a client joins by INVITE to the
 * Focus (C3P addUser), subscribes to the conference package, then INVITEs the
 * MCU URI; responses may carry
 *   ms-diagnostics: <ErrorId>[.<sub>];source="<address>";reason="<text>"
 * whose ErrorId range names the component.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SIPCONF_MODEL_H
#define SIPCONF_MODEL_H

#include <glib.h>

G_BEGIN_DECLS

/* A conference URI taken apart; strings are g_malloc'ed (sipconf_uri_clear). */
typedef struct {
    char *role;          /* "focusfactory", "focus", "chat", "audio-video", … */
    char *conference_id; /* after ":id:", or NULL */
    char *organizer;     /* user@host of the URI, or NULL */
} sipconf_uri_t;

gboolean sipconf_parse_uri(const char *uri, sipconf_uri_t *out);
void sipconf_uri_clear(sipconf_uri_t *u);

/* An ms-diagnostics header value; strings are g_malloc'ed (sipconf_diag_clear). */
typedef struct {
    guint error_id;
    guint sub_code;
    gboolean has_sub_code;
    char *reason;
    char *source;
} sipconf_diag_t;

gboolean sipconf_parse_ms_diagnostics(const char *value, sipconf_diag_t *out);
void sipconf_diag_clear(sipconf_diag_t *d);
/* The component an ErrorId range belongs to; NULL outside the documented ranges. */
const char *sipconf_diag_component(guint error_id);

/* The parts of one SIP message sipconf reads. Strings point into the text
 * given to sipconf_read_head; NULL when absent. */
typedef struct {
    const char *method;         /* of a request */
    const char *request_uri;
    guint status;               /* of a response; 0 for a request */
    const char *call_id;
    const char *cseq_method;
    const char *content_type;
    const char *ms_diagnostics; /* the header's value */
    const char *body;           /* Content-Length bytes after the head (as many as there are) */
    gsize body_len;
} sipconf_head_t;

/* Reads the start line and the headers sipconf needs from a SIP message that
 * starts at text[0]; writes NULs into text (len bytes, need not be
 * terminated) and points head's strings into it. Header names are matched
 * case-insensitively, with the compact forms i, c and l; folded header lines
 * are not joined. FALSE when text does not start with a SIP start line. */
gboolean sipconf_read_head(char *text, gsize len, sipconf_head_t *head);

/* ---- conferences ------------------------------------------------------------ */

typedef enum {
    SIPCONF_LEG_NONE = 0,
    SIPCONF_LEG_CREATE = 1,    /* SERVICE to the Focus Factory */
    SIPCONF_LEG_FOCUS = 2,     /* INVITE to the Focus (join) */
    SIPCONF_LEG_SUBSCRIBE = 3, /* SUBSCRIBE to the conference state */
    SIPCONF_LEG_MCU = 4,       /* INVITE to an MCU */
    SIPCONF_LEG_OTHER = 5,     /* another request to a conference URI */
    SIPCONF_LEG_ESCALATION = 6, /* INVITE inviting a two-party peer into the conference (ms-conf-invite) */
    SIPCONF_LEG_OLD_DIALOG_BYE = 7, /* BYE ending the two-party IM dialog the conference replaces */
} sipconf_leg_t;

typedef enum {
    SIPCONF_UNFINISHED = 0,
    SIPCONF_JOINED = 1,
    SIPCONF_FAILED = 2,
} sipconf_outcome_t;

typedef struct {
    guint id;                  /* 1, 2, … */
    char *conference_id;
    char *organizer;
    guint32 focus_invite_frame, focus_response_frame;
    guint focus_status;
    guint32 mcu_invite_frame, mcu_response_frame;
    guint mcu_status;
    char *mcu_role;
    sipconf_outcome_t outcome;
    guint32 failure_frame;     /* the final response that failed */
    char *failure_where;       /* "Focus", "chat MCU", … */
    guint failure_status;
    sipconf_diag_t failure_diag; /* error_id 0 when the response had none */
    guint32 escalation_frame;  /* the ms-conf-invite INVITE to the other party */
    guint32 old_dialog_bye_frame; /* the BYE of the replaced two-party dialog */
} sipconf_conference_t;

/* Where a join leg ends up, in words: "Focus" or "<role> MCU". Free with g_free. */
char *sipconf_leg_place(const sipconf_conference_t *c, sipconf_leg_t leg);

/* What a SIP message is to the conferences. */
typedef struct {
    const sipconf_conference_t *conference; /* NULL for non-conference messages */
    sipconf_leg_t leg;
    guint32 request_frame;     /* for responses: the request they answer */
    guint32 response_frame;    /* for requests: their final response (may arrive later) */
} sipconf_message_t;

typedef struct sipconf_tracker sipconf_tracker_t;

sipconf_tracker_t *sipconf_tracker_new(void);
void sipconf_tracker_free(sipconf_tracker_t *t);

/* A request. Transactions are matched by Call-ID and CSeq method. */
const sipconf_message_t *sipconf_tracker_request(sipconf_tracker_t *t, guint32 frame, const char *method,
                                                 const char *request_uri, const char *call_id,
                                                 const char *cseq_method);

/* An INVITE whose body (application/ms-conf-invite+xml) invites the other
 * party of a two-party IM into the conference at focus_uri: the escalation. */
const sipconf_message_t *sipconf_tracker_escalation(sipconf_tracker_t *t, guint32 frame, const char *call_id,
                                                    const char *focus_uri);

/* A response; diag is the parsed ms-diagnostics header, or NULL. */
const sipconf_message_t *sipconf_tracker_response(sipconf_tracker_t *t, guint32 frame, guint status,
                                                  const char *call_id, const char *cseq_method,
                                                  const sipconf_diag_t *diag);

/* The Focus Factory created a conference: its Focus URI (C3P addConference
 * response) announces the conference id. */
void sipconf_tracker_conference_created(sipconf_tracker_t *t, const char *focus_uri);

/* What the first pass made of a frame's SIP message; requests learn their
 * final response frame as later frames arrive. NULL if nothing. */
const sipconf_message_t *sipconf_tracker_message(const sipconf_tracker_t *t, guint32 frame);

guint sipconf_tracker_conference_count(const sipconf_tracker_t *t);
const sipconf_conference_t *sipconf_tracker_conference(const sipconf_tracker_t *t, guint id);

G_END_DECLS

#endif
