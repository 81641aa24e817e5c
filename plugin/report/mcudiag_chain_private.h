/* mcudiag_chain_private.h — the evidence mcudiag_chain holds, shared by
 * its two halves: mcudiag_chain.c (from taps to findings) and
 * mcudiag_evidence.c (the evidence to and from JSON, for merging the reports
 * of parts of a capture set). Nothing else includes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_CHAIN_PRIVATE_H
#define MCUDIAG_CHAIN_PRIVATE_H

#include "report/mcudiag_chain.h"
#include "lbidle/lbidle_track.h"
#include "report/mcudiag_dsr.h"

/* One connection attempt (an lbsnat case) with evidence in the report. */
typedef struct {
    const lbsnat_case_t *c; /* the tracker's case, which later frames may withdraw; NULL if loaded */
    host_addr_t vip, client;
    guint16 vip_port, client_port;
    guint32 isn;
    gboolean full_proxy;
    lbsnat_confidence_t confidence; /* the highest its records showed */
    gboolean withdrawn;             /* a loaded report said later frames withdrew it */
} attempt_t;

/* One frame of an attempt: a SYN, a foreign SYN-ACK (from member) or the
 * client's reset or ICMP error of one. */
typedef struct {
    attempt_t *attempt;
    lbsnat_role_t role;
    mcudiag_frame_t frame;
    host_addr_t member;
} attempt_record_t;

/* A member's own view of one attempt (no VIP in the capture). */
typedef struct {
    host_addr_t member, client;
    guint16 port, client_port;
    guint32 isn;
    mcudiag_frame_t at;          /* the frame that showed it */
    mcudiag_frame_t first_reset;
} view_t;

/* An HTTPS connection to the conferencing port that failed before any request. */
typedef struct {
    char *client;
    guint16 port;
    mcudiag_frame_t frame;
    gboolean explained; /* an lbsnat case is behind it */
} failed_connection_t;

/* What a client host called, to recognise sweeps (capped: only the threshold matters). */
typedef struct {
    GHashTable *ports;     /* port */
    GHashTable *endpoints; /* "server port" strings */
} host_calls_t;
#define HOST_ENDPOINTS_KEPT 256

struct mcudiag_chain {
    GPtrArray *attempts;     /* attempt_t*, in order of first evidence */
    GHashTable *case_attempt; /* const lbsnat_case_t* -> attempt_t* */
    GHashTable *attempt_keys; /* mcudiag_attempt_key() -> attempt_t* */
    GPtrArray *records;      /* attempt_record_t*, in order of arrival */
    GPtrArray *views;        /* view_t*, in order of arrival */
    GHashTable *view_index;  /* const lbsnat_member_view_t* (or a loaded view's key) -> view_t* */
    GPtrArray *joins;        /* mcudiag_join_leg_t*: final responses of join legs */
    GPtrArray *failed_connections; /* failed_connection_t* */
    GHashTable *conf_hosts;  /* host -> mask of 1 << mcudiag_conf_evidence_t */
    GHashTable *host_calls;  /* client host -> host_calls_t* */
    GPtrArray *captures;     /* mcudiag_capture_t*: what was read; frames name them by index */
    GPtrArray *idle_services; /* const lbidle_service_t*, owned by lbidle's tracker for the file, or by
                                 idle_restored */
    GHashTable *idle_opened;  /* the same services -> GArray of guint32: frames that opened a connection */
    const lbidle_tracker_t *idle_tracker; /* lbidle's tracker of the file, once it told of a service */
    lbidle_tracker_t *idle_restored; /* the idle evidence of merged reports (made when one is loaded), its
                                        frames numbered through the set (mcudiag_chain_set_frame) */
    mcudiag_dsr_t *dsr;      /* direct server return and self-selection (mcudiag_dsr.h) */
};

/* The attempt of a connection (client, its port, VIP, VIP port, ISN), made
 * if new; a loaded attempt has no tracker case. */
attempt_t *mcudiag_chain_attempt(mcudiag_chain_t *chain, const host_addr_t *client, guint16 client_port,
                                 const host_addr_t *vip, guint16 vip_port, guint32 isn);
/* Not withdrawn: by the tracker since, or by a loaded report. */
gboolean mcudiag_attempt_live(const attempt_t *a);
void mcudiag_chain_add_record(mcudiag_chain_t *chain, attempt_t *a, lbsnat_role_t role, mcudiag_frame_t frame,
                              const host_addr_t *member);
/* Adds the view unless one of the same key is there (then keeps the earlier first reset). */
void mcudiag_chain_add_view(mcudiag_chain_t *chain, const view_t *view);
/* Takes the leg (mcudiag_join_leg_new). */
void mcudiag_chain_add_join_leg(mcudiag_chain_t *chain, mcudiag_join_leg_t *leg);
void mcudiag_chain_add_failure(mcudiag_chain_t *chain, const char *client, guint16 port, mcudiag_frame_t frame,
                               gboolean explained);
/* A call from client to server:port (server NULL: only the port is known). */
void mcudiag_chain_add_call(mcudiag_chain_t *chain, const char *client, const char *server, guint16 port);
void mcudiag_chain_add_conferencing_mask(mcudiag_chain_t *chain, const char *host, guint mask);
/* A service of the idle evidence, unless there (kept in order of first evidence). */
void mcudiag_chain_add_idle_service(mcudiag_chain_t *chain, const lbidle_service_t *service);
/* A frame numbered through the whole set (the captures' frames one after
 * the other) as its file and frame; unchanged for a single capture. */
mcudiag_frame_t mcudiag_chain_set_frame(const mcudiag_chain_t *chain, guint32 number);
/* The capture of index file, made (unnamed, empty) up to it if missing. */
mcudiag_capture_t *mcudiag_chain_capture(mcudiag_chain_t *chain, guint file);

#endif
