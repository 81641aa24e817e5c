/* mcudiag_findings.h — the diagnosis as data: a list of findings.
 *
 * Plain C + GLib (no epan). mcudiag_chain builds the findings from the
 * evidence the taps deliver; each renderer (text for -z mcudiag and the GUI
 * window, JSON for -z mcudiag,json) writes the same list, so the text and the
 * data never disagree.
 *
 * Adding a finding kind (one place each):
 *   1. a value in mcudiag_finding_kind_t, and its row in mcudiag_finding_kinds
 *      (mcudiag_findings.c: the stable name JSON uses, and whether it is a
 *      numbered finding or a note);
 *   2. the analysis builds it with mcudiag_finding_new(kind) and fills the
 *      fields below that apply (unused ones stay empty and are left out of
 *      the JSON); mcudiag_findings_add() appends it in report order;
 *   3. its text: a case in mcudiag_render_text.c's render_finding().
 * Fields missing for a new analysis are added here, once, for every kind;
 * the JSON renderer writes every field that is set, so a new field needs a
 * line there and in docs/mcudiag-report.schema.json.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_FINDINGS_H
#define MCUDIAG_FINDINGS_H

#include <glib.h>
#include <wsutil/nstime.h>

G_BEGIN_DECLS

typedef enum {
    MCUDIAG_FINDING_FAILED_JOINS = 1,       /* symptom: conference join legs answered with an error (sipconf) */
    MCUDIAG_FINDING_FAILED_CONNECTIONS = 2, /* HTTPS to the conferencing port failed before any request (c3pconn) */
    MCUDIAG_FINDING_VIP_WITHOUT_SNAT = 3,   /* a load-balancer VIP forwards without source NAT (lbsnat) */
    MCUDIAG_FINDING_MEMBER_WITHOUT_SNAT = 4, /* a member's own view of that fault, no VIP in sight (lbsnat) */
    MCUDIAG_FINDING_SWEEPER = 5,            /* note: a host left out because it sweeps ports or servers */
    MCUDIAG_FINDING_NO_FAULT = 6,           /* note: nothing found */
    MCUDIAG_FINDING_IDLE_TIMEOUT = 7,       /* a VIP forgets idle connections: its timer bounded (lbidle; code: the
                                               behaviour, 1 reset on next packet, 2 at expiry, 3 silent drop) */
    MCUDIAG_FINDING_UNTIED_CONNECTIONS = 8, /* note: failed connections to the port of hosts nothing ties to
                                               conferencing, with no balancer fault in sight */
    MCUDIAG_FINDING_SELF_SELECTION = 9,     /* a VIP without SNAT handed a member its own SYN (lbhairpin) */
    MCUDIAG_FINDING_DIRECT_SERVER_RETURN = 10, /* a VIP answers by direct server return (lbdsr; code: the view,
                                                  1 a caller's or the segment's, 2 the member's) */
} mcudiag_finding_kind_t;

typedef struct {
    mcudiag_finding_kind_t kind;
    const char *name;  /* stable, for JSON: "vip-without-snat" */
    gboolean numbered; /* a finding numbered in the report (else a note) */
} mcudiag_finding_kind_info_t;

extern const mcudiag_finding_kind_info_t mcudiag_finding_kinds[];
/* The kind's name, or "unknown". */
const char *mcudiag_finding_kind_name(mcudiag_finding_kind_t kind);
/* The kind of a name (0 if none). */
mcudiag_finding_kind_t mcudiag_finding_kind_from_name(const char *name);

/* How sure: the same scale as lbsnat's confidence. */
typedef enum {
    MCUDIAG_LEVEL_NONE = 0, /* does not apply */
    MCUDIAG_LEVEL_LOW = 1,
    MCUDIAG_LEVEL_MEDIUM = 2,
    MCUDIAG_LEVEL_HIGH = 3,
} mcudiag_level_t;
const char *mcudiag_level_name(mcudiag_level_t level); /* "low", …; NULL for NONE */

/* A frame of the evidence: which capture file (index into the findings'
 * files; 0 for a single capture) and its frame number there. */
typedef struct {
    guint32 file;
    guint32 frame;
} mcudiag_frame_t;
gint mcudiag_frame_compare(gconstpointer a, gconstpointer b); /* GCompareFunc on mcudiag_frame_t* */

/* What explains failed connections to the conferencing port. */
typedef enum {
    MCUDIAG_CAUSE_NONE = 0,
    MCUDIAG_CAUSE_NEXT_FINDING = 1,   /* an lbsnat case is behind the failures themselves */
    MCUDIAG_CAUSE_BALANCER_BELOW = 2, /* a balancer fault elsewhere in the capture */
    MCUDIAG_CAUSE_CERTIFICATE = 3,    /* conferencing hosts, nothing on the wire: their certificate */
} mcudiag_cause_t;
const char *mcudiag_cause_name(mcudiag_cause_t cause); /* "next-finding", …; NULL for NONE */

/* One conference join leg's final error response. */
typedef struct {
    mcudiag_frame_t frame;
    guint status;
    char *conference_id, *organizer; /* NULL if unknown */
    char *where;                     /* "Focus" or "<role> MCU" */
    guint diag_id;                   /* ms-diagnostics, 0 if none */
    char *diag_component, *diag_reason;
} mcudiag_join_leg_t;
/* A leg holding its own copies of the strings (each may be NULL). */
mcudiag_join_leg_t *mcudiag_join_leg_new(mcudiag_frame_t frame, guint status, const char *conference_id,
                                         const char *organizer, const char *where, guint diag_id,
                                         const char *diag_component, const char *diag_reason);
mcudiag_join_leg_t *mcudiag_join_leg_copy(const mcudiag_join_leg_t *j);
void mcudiag_join_leg_free(gpointer j);

typedef struct mcudiag_finding mcudiag_finding_t;
struct mcudiag_finding {
    mcudiag_finding_kind_t kind;
    guint number;               /* 1, 2, … in the report; 0 for notes and sub-findings */
    mcudiag_level_t confidence; /* that the fault is real */
    mcudiag_level_t certainty;  /* failed connections: that they are MCU health notifications (medium, high) */

    /* where: the VIP, the member, or the host of a note */
    char *address;
    guint16 port;
    char *endpoint;      /* address and port as printed: "10.0.0.1:444", "[fd00::1]:444" */
    GPtrArray *members;  /* char*: pool members that answered */
    GPtrArray *clients;  /* char*: clients, or hosts whose connections failed */
    GPtrArray *pairs;    /* char*: "<member> answered <client>" */
    GArray *ports;       /* guint16: ports of failed connections */

    /* how much */
    guint attempts; /* distinct connection attempts */
    guint count;    /* failed join legs; endpoints a sweeper called; join legs (no fault) */
    guint total;    /* join legs in all; hosts left out as sweepers (no fault) */

    /* the evidence: mcudiag_frame_t, in capture order */
    GArray *frames;       /* foreign SYN-ACKs, failed connections, first resets (member view) */
    GArray *reset_frames; /* the clients' resets or ICMP errors of foreign SYN-ACKs */
    GPtrArray *joins;     /* mcudiag_join_leg_t*: the failed legs */
    GArray *syn_frames;     /* the callers' SYNs to the VIP (direct server return, self-selection) */
    GArray *forward_frames; /* the balancer's layer-2 forwards of those SYNs (direct server return) */

    /* layer 2, for balancers seen by their Ethernet addresses */
    GPtrArray *balancer_macs; /* char*: the MACs the SYNs to the VIP went to (or came back from) */
    GPtrArray *member_macs;   /* char*: the MACs the VIP answered from */
    GArray *ttls;             /* guint16: TTLs or hop limits of the packets that crossed between them */

    /* timer bounds (durations, never negative) and codes, for analyses of timeouts: unset when unknown */
    nstime_t timer_min, timer_max;
    guint code; /* a protocol code behind the finding, 0 if none */

    gboolean full_proxy;          /* the balancer completes the handshake itself */
    gboolean clients_are_members; /* pool members calling their own VIP */
    mcudiag_cause_t cause;
    GPtrArray *member_views; /* mcudiag_finding_t* (MEMBER_WITHOUT_SNAT) tied to this VIP */

    char *impact;  /* what the fault breaks, or NULL */
    char *fix;     /* what to change, or NULL */
    char *next;    /* what capture would show more, or NULL */
    char *missing; /* what this capture lacks, or NULL */
};

mcudiag_finding_t *mcudiag_finding_new(mcudiag_finding_kind_t kind);
void mcudiag_finding_free(mcudiag_finding_t *f);
/* Adds text to a char* list unless there. */
void mcudiag_strv_add_unique(GPtrArray *list, const char *text);
gboolean mcudiag_strv_contains(const GPtrArray *list, const char *text);

/* A capture file read for the diagnosis. */
typedef struct {
    char *name;         /* its file name, NULL if not known */
    guint32 frames;     /* how many frames it has */
    gint64 first_s, last_s; /* first and last packet time, seconds since 1970 UTC */
    gint32 first_ns, last_ns;
} mcudiag_capture_t;
mcudiag_capture_t *mcudiag_capture_copy(const mcudiag_capture_t *c);
void mcudiag_capture_free(gpointer c);

/* The whole diagnosis of one capture, or of a set of them. */
typedef struct {
    GPtrArray *findings; /* mcudiag_finding_t*, in report order */
    GPtrArray *captures; /* mcudiag_capture_t*: frames name them by index (mcudiag_frame_t.file) */
} mcudiag_findings_t;

mcudiag_findings_t *mcudiag_findings_new(void);
void mcudiag_findings_free(mcudiag_findings_t *set);
/* Appends the finding (taking it), numbering it if its kind is numbered. */
void mcudiag_findings_add(mcudiag_findings_t *set, mcudiag_finding_t *f);

/* The report for people, as -z mcudiag prints it (g_free it). */
char *mcudiag_findings_render_text(const mcudiag_findings_t *set);

/* The JSON document's schema version: raised when a field changes meaning or
 * goes away (new fields and kinds keep it). */
#define MCUDIAG_JSON_SCHEMA_VERSION 1

G_END_DECLS

#endif
