/* fuzz_conference_models.c — libFuzzer harness for the conference cores:
 * the C3P message model and matcher (plugin/c3p/c3p_model.c), the connection
 * outcomes (c3p_connections.c), the SIP conference tracker and its parsers
 * (plugin/sipconf/sipconf_model.c), and the copies of one message they
 * recognise (plugin/message_copies.c), fed the strings and events a capture
 * could hand them, with what each promises checked. Times move forward in
 * small or large steps, so messages meet as copies within the window and as
 * retransmissions beyond it.
 *
 * The input is a sequence of operations; strings are NUL-free runs of input
 * up to a 0x00 byte, so URIs, paths, ids and headers take any byte values.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "c3p/c3p_connections.h"
#include "c3p/c3p_model.h"
#include "fuzz_common.h"
#include "sipconf/sipconf_model.h"

/* A string of the input up to the next 0x00 (or its end), at most 512 bytes. */
static char *next_string(fz_input_t *in)
{
    size_t len = 0;
    while (len < in->n && len < 512 && in->p[len])
        len++;
    char *s = g_strndup((const char *)in->p, len);
    in->p += len;
    in->n -= len;
    fz_u8(in); /* the terminator */
    return s;
}

/* A few fixed strings, so that requests and responses meet. */
static const char *const names[] = {
    "sip:alice@contoso.com", "sip:alice@contoso.com;gruu;opaque=app:conf:focus:id:TDVDW046",
    "sip:alice@contoso.com;gruu;opaque=app:conf:chat:id:TDVDW046", "sip:bob@contoso.com", "", "c1", "c2",
};

static const char *pick(fz_input_t *in)
{
    return names[fz_u8(in) % G_N_ELEMENTS(names)];
}

static void check_role(char *role)
{
    if (role) {
        FZ_CHECK(*role);
        for (const char *c = role; *c; c++)
            FZ_CHECK(!g_ascii_isupper(*c));
    }
    g_free(role);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input_t in = { data, size };
    c3p_matcher_t *m = c3p_matcher_new();
    c3p_connections_t *conns = c3p_connections_new(4);
    sipconf_tracker_t *sc = sipconf_tracker_new();
    guint32 frame = 0;
    nstime_t now = NSTIME_INIT_ZERO;
    guint ops = 0;
    while (in.n > 0 && ops++ < 2048) {
        const uint8_t op = fz_u8(&in);
        frame++;
        switch (op % 10) {
        case 0: { /* free text through every parser */
            char *s = next_string(&in);
            guint64 id;
            check_role(c3p_target_from_uri(NULL, s));
            check_role(c3p_target_from_http_path(NULL, s));
            if (c3p_parse_request_id(s, &id))
                FZ_CHECK(g_ascii_isdigit(s[0]));
            (void)c3p_code_name(c3p_code_parse(s));
            const c3p_command_info_t *command = c3p_command_lookup(s);
            if (command)
                FZ_CHECK(strcmp(command->name, s) == 0);
            sipconf_uri_t u;
            if (sipconf_parse_uri(s, &u))
                FZ_CHECK(u.role != NULL);
            sipconf_uri_clear(&u);
            sipconf_diag_t d;
            if (sipconf_parse_ms_diagnostics(s, &d))
                (void)sipconf_diag_component(d.error_id);
            sipconf_diag_clear(&d);
            /* as an ms-conf-invite body: an exact-size copy, so reading past it is caught */
            const size_t len = strlen(s);
            char *body = g_memdup2(s, len);
            char *focus_uri = sipconf_conf_invite_focus_uri(body, len);
            FZ_CHECK(!focus_uri || (*focus_uri && strlen(focus_uri) < len));
            g_free(focus_uri);
            g_free(body);
            g_free(s);
            break;
        }
        case 1:   /* a C3P request */
        case 2: { /* a C3P response */
            const char *from = pick(&in), *to = pick(&in);
            const guint32 conversation = fz_u8(&in) % 3;
            const guint64 request_id = fz_u8(&in) % 4;
            const c3p_seen_t seen = { .conversation = conversation, .request_id = request_id, .from = from,
                                      .to = to, .body = to, .body_len = strlen(to), .frame = frame, .ts = frame_time(&now) };
            const c3p_match_t match = op % 10 == 1 ? c3p_matcher_request(m, &seen, "addUser", NULL)
                                                   : c3p_matcher_response(m, &seen, (c3p_code_t)(fz_u8(&in) % 5));
            const c3p_transaction_t *t = match.transaction;
            FZ_CHECK(match.duplicate_of < frame);
            if (op % 10 == 1)
                FZ_CHECK(t && t->request_frame <= frame);
            if (t && t->response_frame) {
                FZ_CHECK(t->response_frame > t->request_frame);
                FZ_CHECK(c3p_code_is_final(t->code));
            }
            break;
        }
        case 3: { /* a TCP segment of a connection to the conferencing port, or lbsnat's word on one */
            c3p_conn_segment_t seg;
            memset(&seg, 0, sizeof seg);
            seg.ends.client.family = seg.ends.server.family = HOST_ADDR_V4;
            seg.ends.client_port = fz_u8(&in) % 3;
            seg.ends.server.u.v6.bytes[0] = fz_u8(&in) % 2;
            seg.from_client = fz_u8(&in) & 1;
            seg.flags = fz_u8(&in);
            seg.seq = fz_u8(&in) % 3;
            seg.ack = fz_u8(&in) % 4;
            seg.client_request = fz_u8(&in) & 1;
            seg.frame = frame;
            const c3p_connection_t *c = fz_u8(&in) % 4 == 0
                                            ? c3p_connections_foreign(conns, &seg.ends, seg.seq, conns, seg.flags & 1,
                                                                      frame)
                                            : c3p_connections_feed(conns, &seg);
            if (c && c->outcome == C3P_CONN_RESET) {
                /* Its failure is its end, or the SYN it sent again after a
                 * probe-like reset; either frame leads back to it. */
                const guint32 failure = c3p_connection_failure_frame(c, FALSE);
                FZ_CHECK(c->end_frame && failure >= c->end_frame && failure <= frame &&
                         c3p_connections_at_frame(conns, failure) == c);
            }
            FZ_CHECK(c3p_connections_followed(conns) <= 4);
            break;
        }
        case 4:   /* a SIP request, sometimes an escalation */
        case 5: { /* a SIP response, sometimes with ms-diagnostics */
            static const char *const methods[] = { "INVITE", "SUBSCRIBE", "BYE", "SERVICE", "INFO", "CANCEL", "ACK" };
            const gboolean is_request = op % 10 == 4;
            sipconf_diag_t d;
            char *text = fz_u8(&in) & 1 ? next_string(&in) : g_strdup(pick(&in));
            const gboolean has_diag = !is_request && sipconf_parse_ms_diagnostics(text, &d);
            /* one input byte each, in this order */
            const uint8_t kind = fz_u8(&in);
            const char *call_id = pick(&in);
            const guint32 cseq = fz_u8(&in) % 3;
            const char *from = pick(&in), *to = is_request ? text : pick(&in);
            const gboolean resend = fz_u8(&in) & 1;
            const char *focus_uri = is_request && fz_u8(&in) & 1 ? pick(&in) : NULL;
            const sipconf_sip_t sip = {
                .method = is_request ? methods[kind % G_N_ELEMENTS(methods)] : NULL,
                .status = is_request ? 0 : 100 + kind * 3u,
                .call_id = call_id,
                .cseq = cseq,
                .from_uri = from,
                .to_uri = to,
                .resend = resend,
                .ts = frame_time(&now),
                .diag = has_diag ? &d : NULL,
                .conf_invite_focus_uri = focus_uri,
            };
            const sipconf_message_t *msg = sipconf_tracker_feed(sc, frame, &sip);
            if (msg) {
                FZ_CHECK(sipconf_tracker_message(sc, frame) == msg);
                FZ_CHECK(msg->duplicate_of < frame && (!msg->duplicate_of || msg->repeat));
                FZ_CHECK(msg->request_frame <= frame);
            }
            if (msg && msg->conference && msg->conference->outcome == SIPCONF_FAILED)
                FZ_CHECK(msg->conference->failure_status >= 300 && msg->conference->failure_where);
            if (has_diag)
                sipconf_diag_clear(&d);
            g_free(text);
            break;
        }
        case 6: { /* time passes: within the window of copies, or well beyond it */
            const uint8_t step = fz_u8(&in);
            fz_clock_step(&now, step & 0x80 ? (gint64)(step & 0x7f) * 100000000 : (gint64)step * 1000000);
            break;
        }
        case 7: /* a new conference announced */
            sipconf_tracker_conference_created(sc, pick(&in));
            break;
        case 8: {
            /* frame times from anywhere in time_t: ordered without overflow */
            nstime_t a, b;
            fz_clock_set(&a, (guint64)fz_u8(&in) << 56 | fz_u32(&in));
            fz_clock_set(&b, (guint64)-(gint64)fz_u8(&in));
            a = frame_time(&a);
            b = frame_time(&b);
            const int order = a.secs != b.secs ? (a.secs > b.secs) - (a.secs < b.secs) : (a.nsecs > b.nsecs) - (a.nsecs < b.nsecs);
            const int cmp = frame_time_cmp(&a, &b);
            FZ_CHECK((cmp > 0) - (cmp < 0) == order);
            break;
        }
        default: { /* walk what the trackers hold */
            for (guint i = 1; i <= sipconf_tracker_conference_count(sc); i++) {
                const sipconf_conference_t *c = sipconf_tracker_conference(sc, i);
                FZ_CHECK(c && c->id == i && c->conference_id);
            }
            FZ_CHECK(sipconf_tracker_conference(sc, 0) == NULL);
            break;
        }
        }
    }
    c3p_matcher_free(m);
    c3p_connections_free(conns);
    sipconf_tracker_free(sc);
    return 0;
}
