/* fuzz_mcudiag_chain.c — libFuzzer harness for the diagnosis chain
 * (plugin/report/mcudiag_chain.c) fed the way the epan glue feeds it: the
 * tracker is driven by the same decoder as fuzz_lbsnat_track, and every frame
 * with a verdict produces the tap records packet-lbsnat.c would queue (one
 * pass, including the SYN-ACKs seen before their SYN; and, when the input asks,
 * a second pass over every frame as tshark -2 does), plus the sipconf join
 * legs and c3pconn failed connections tap-mcudiag.c hands it (fuzzed strings:
 * printf directives, multibyte UTF-8, NULL where the contract allows), then
 * the report is rendered and checked.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz_common.h"

#include "report/mcudiag_chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tap(mcudiag_chain_t *chain, const lbsnat_case_t *c, lbsnat_role_t role, const lbsnat_answer_t *answer,
                guint32 frame)
{
    lbsnat_tap_info_t info = {
        .c = c, .role = role, .answer = answer, .frame = frame,
        .first_answer = role == LBSNAT_ROLE_FOREIGN_SYNACK && answer == &g_array_index(c->answers, lbsnat_answer_t, 0),
    };
    mcudiag_chain_add_lbsnat(chain, &info);
}

/* What render_verdict() in packet-lbsnat.c queues for one frame. */
static void tap_frame(mcudiag_chain_t *chain, const lbsnat_tracker_t *t, guint32 frame, gboolean first_pass)
{
    const lbsnat_verdict_t *v = lbsnat_tracker_verdict(t, frame);
    const lbsnat_member_view_t *mv = lbsnat_tracker_member_view(t, frame);
    if (mv) { /* a member's own view: a record with no case, as render_member_view() queues */
        lbsnat_tap_info_t info = { .member_view = mv, .frame = frame };
        mcudiag_chain_add_lbsnat(chain, &info);
    }
    if (!v)
        return;
    const lbsnat_answer_t *ans = fz_check_verdict(t, frame, v);
    if (!ans)
        return;
    tap(chain, v->c, v->role, ans, frame);
    if (v->role == LBSNAT_ROLE_SYN && first_pass) {
        const lbsnat_case_t *c = v->c;
        for (guint i = 0; i < c->answers->len; i++) {
            const lbsnat_answer_t *a = &g_array_index(c->answers, lbsnat_answer_t, i);
            if (a->syn_frame != frame || a->synack_frame >= frame)
                continue;
            tap(chain, c, LBSNAT_ROLE_FOREIGN_SYNACK, a, a->synack_frame);
            if (a->reset_frame && a->reset_frame < frame)
                tap(chain, c, a->reset_role, a, a->reset_frame);
        }
    }
}

/* Short UTF-8 strings (as Wireshark's string getters deliver), with printf
 * directives and multibyte characters; NULL when `nullable` and asked. */
static char *fz_string(fz_input_t *in, gboolean nullable)
{
    static const char *const words[] = {
        "", "%s%n%x", "alice@contoso.com", "Focus", "AV MCU", "IM MCU", "data-conf MCU",
        "61013", "\xc3\xa9t\xc3\xa9", "\xe2\x80\xa6", "conf:id:ABCDEF12", "Conference does not exist",
        "(null)", "\"quoted\"", "10.137.2.12", "fd00:137:2::12",
    };
    uint8_t b = fz_u8(in);
    if (nullable && b >= 0xf0)
        return NULL;
    GString *out = g_string_new(NULL);
    guint n = b % 4;
    for (guint i = 0; i <= n; i++) {
        uint8_t w = fz_u8(in);
        if (w < 0xc0) {
            g_string_append(out, words[w % G_N_ELEMENTS(words)]);
        } else {
            /* a few raw printable ASCII bytes */
            guint len = w & 7;
            for (guint k = 0; k < len; k++)
                g_string_append_c(out, (char)(0x20 + fz_u8(in) % 0x5f));
        }
    }
    return g_string_free(out, FALSE);
}

static void add_join(mcudiag_chain_t *chain, fz_input_t *in, guint32 frame)
{
    static const guint statuses[] = { 200, 202, 183, 300, 403, 404, 408, 480, 486, 500, 503, 603, 999, 0, 65535 };
    char *conference_id = fz_string(in, TRUE), *organizer = fz_string(in, TRUE), *where = fz_string(in, FALSE);
    char *component = fz_string(in, TRUE), *reason = fz_string(in, TRUE);
    mcudiag_join_t join = {
        .conference_id = conference_id, .organizer = organizer, .where = where,
        .status = statuses[fz_u8(in) % G_N_ELEMENTS(statuses)],
        .frame = frame, .diag_id = fz_u16(in), .diag_component = component, .diag_reason = reason,
    };
    mcudiag_chain_add_join(chain, &join);
    /* The chain must have copied every string. */
    g_free(conference_id);
    g_free(organizer);
    g_free(where);
    g_free(component);
    g_free(reason);
}

static void add_failed_connection(mcudiag_chain_t *chain, const lbsnat_tracker_t *t, fz_input_t *in, guint32 frame)
{
    char *client = fz_string(in, FALSE);
    guint16 port = fz_ports[fz_u8(in) % FZ_N_PORTS];
    guint n = lbsnat_tracker_case_count(t);
    uint8_t k = fz_u8(in);
    guint lbsnat_case = (k & 1) && n ? 1 + k % n : 0;
    mcudiag_chain_add_failed_connection(chain, client, port, frame, lbsnat_case);
    /* tap-mcudiag.c's other evidence: conferencing hosts, and SYNs (sweeps). */
    uint8_t e = fz_u8(in);
    if (e & 1)
        mcudiag_chain_add_conferencing_host(chain, client, (mcudiag_conf_evidence_t)(1 + e % 3));
    for (guint i = 0; i < (guint)(e >> 3); i++) {
        char *server = fz_string(in, FALSE);
        mcudiag_chain_add_syn(chain, (e & 2) ? client : server, server, fz_u16(in));
        g_free(server);
    }
    g_free(client);
}

static void render(const mcudiag_chain_t *chain)
{
    char *text = mcudiag_chain_render(chain);
    FZ_CHECK(text != NULL);
    FZ_CHECK(g_str_has_prefix(text, "=== mcudiag: conferencing and load-balancer diagnosis ===\n"));
    FZ_CHECK(g_str_has_suffix(text, "===\n"));
    FZ_CHECK(g_utf8_validate(text, -1, NULL));
    g_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input_t in = { data, size };
    uint8_t mode = fz_u8(&in);
    fz_run_t r;
    fz_run_start(&r, &in);
    mcudiag_chain_t *chain = mcudiag_chain_new();
    render(chain); /* the empty report */

    guint events = 0;
    while (in.n > 0 && events++ < 4096) {
        uint8_t op = fz_u8(&in);
        if (op < 0xe0) {
            tap_frame(chain, r.t, fz_feed_next(&r, &in), TRUE);
        } else if (op < 0xe8) {
            /* sipconf: a join leg's final response, in a frame of its own */
            add_join(chain, &in, ++r.frame);
        } else if (op < 0xec) {
            /* c3pconn: a connection to the conferencing port that failed */
            add_failed_connection(chain, r.t, &in, ++r.frame);
        } else if (op < 0xfc) {
            render(chain);
        } else if (op == 0xfc) {
            /* A retap: the reports are reset, then every frame is tapped again. */
            mcudiag_chain_reset(chain);
            for (guint32 f = 1; f <= r.frame; f++)
                tap_frame(chain, r.t, f, FALSE);
            render(chain);
        } else if (op == 0xfd) {
            mcudiag_chain_reset(chain);
        } else {
            /* A new capture file: tracker and reports start over. */
            lbsnat_tracker_reset(r.t);
            mcudiag_chain_reset(chain);
            r.frame = 0;
        }
    }
    render(chain);
    if (getenv("MCUDIAG_FUZZ_DEBUG")) {
        char *text = mcudiag_chain_render(chain);
        fputs(text, stderr);
        g_free(text);
    }
    if (mode & 1) {
        /* tshark -2: the second pass taps every frame in order. */
        mcudiag_chain_reset(chain);
        for (guint32 f = 1; f <= r.frame; f++)
            tap_frame(chain, r.t, f, FALSE);
        render(chain);
    }
    mcudiag_chain_free(chain);
    lbsnat_tracker_free(r.t);
    return 0;
}
