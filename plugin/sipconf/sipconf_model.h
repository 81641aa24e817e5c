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

#include "frame_time.h"

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

/* The Focus URI an escalation invitation (application/ms-conf-invite+xml,
 * c3p-protocol.md §5.4) names in its <focus-uri> element, trimmed; NULL when
 * it has none. body need not be NUL-terminated. Free with g_free. */
char *sipconf_conf_invite_focus_uri(const char *body, gsize len);

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
    SIPCONF_LEG_REINVITE = 8,  /* a later INVITE in the dialog of a join: not a join (RFC 3261 §14.1) */
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
    guint32 duplicate_of;      /* the first copy of this very message (another capture point, or a
                                  proxy's forward, within MESSAGE_COPIES_WINDOW); 0 if none */
    gboolean repeat;           /* not a new event: a duplicate, or a message its sender sent again */
} sipconf_message_t;

typedef struct sipconf_tracker sipconf_tracker_t;

sipconf_tracker_t *sipconf_tracker_new(void);
void sipconf_tracker_free(sipconf_tracker_t *t);

/* One SIP message, as the SIP dissector describes it (its sip_info_value_t)
 * with what sipconf read of its ms-diagnostics header and ms-conf-invite body.
 * Strings are borrowed for the call.
 *
 * The conference a message is for comes from its To URI, not its Request-URI:
 * To names the conference URI (opaque=app:conf:<role>…) on every request of a
 * dialog and on every response, while the Request-URI of a mid-dialog request
 * is the peer's Contact, and a Focus forwarding a join to an MCU may address
 * the MCU there (c3p-protocol.md §3.1, §5.3: a C3P request's `to` "MUST be the same
 * value as the SIP URI contained in the To header"). In pcaps/case-*.pcapng
 * (one hop, no mid-dialog requests to the conference) both are the same. */
typedef struct {
    const char *method;        /* of a request; NULL for a response */
    guint status;              /* of a response */
    const char *call_id;
    guint32 cseq;              /* the CSeq number */
    const char *from_uri, *to_uri; /* From and To addresses, without tags */
    gboolean resend;           /* SIP's verdict: its sender sent it again (UDP) */
    nstime_t ts;             /* frame time (frame_time.h) */
    const sipconf_diag_t *diag; /* its ms-diagnostics header, or NULL */
    const char *conf_invite_focus_uri; /* INVITE: the Focus URI of its ms-conf-invite body, or NULL */
} sipconf_sip_t;

/* A SIP message of the capture, in capture order (first pass). Transactions are
 * matched by Call-ID, CSeq number and method: a response answers the request
 * with its Call-ID and CSeq number, except that while a CANCEL of that number
 * is unanswered the next final response is the CANCEL's (RFC 3261 §9.2: the
 * CANCEL is answered at once, the INVITE then with 487). Returns what the
 * message is to the conferences, or NULL. */
const sipconf_message_t *sipconf_tracker_feed(sipconf_tracker_t *t, guint32 frame, const sipconf_sip_t *sip);

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
