/* fuzz_conference_models.c — libFuzzer harness for the conference cores:
 * the C3P message model and matcher (plugin/c3p/c3p_model.c), the connection
 * outcomes (c3p_connections.c), the SIP head reader and the SIP conference
 * tracker (plugin/sipconf/sipconf_model.c), fed the strings and events a
 * capture could hand them, with what each promises checked.
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
    guint ops = 0;
    while (in.n > 0 && ops++ < 2048) {
        const uint8_t op = fz_u8(&in);
        frame++;
        switch (op % 10) {
        case 0: { /* free text through every parser */
            char *s = next_string(&in);
            guint64 id;
            check_role(c3p_target_from_uri(s));
            check_role(c3p_target_from_http_path(s));
            if (c3p_parse_request_id(s, &id))
                FZ_CHECK(strlen(s) <= 20);
            (void)c3p_code_name(c3p_code_parse(s));
            (void)c3p_is_known_command(s);
            sipconf_uri_t u;
            if (sipconf_parse_uri(s, &u))
                FZ_CHECK(u.role != NULL);
            sipconf_uri_clear(&u);
            sipconf_diag_t d;
            if (sipconf_parse_ms_diagnostics(s, &d))
                (void)sipconf_diag_component(d.error_id);
            sipconf_diag_clear(&d);
            /* as a SIP message: an exact-size copy, so reading past it is caught */
            const size_t len = strlen(s);
            char *text = g_memdup2(s, len);
            sipconf_head_t head;
            if (sipconf_read_head(text, len, &head)) {
                FZ_CHECK((head.method != NULL) != (head.status != 0));
                FZ_CHECK(!head.body || (head.body >= text && head.body + head.body_len <= text + len));
            }
            g_free(text);
            g_free(s);
            break;
        }
        case 1: { /* a C3P request */
            const guint32 conv = fz_u8(&in) % 3;
            const guint64 id = fz_u8(&in) % 4;
            const char *from = pick(&in), *to = pick(&in);
            const c3p_transaction_t *t = c3p_matcher_request(m, conv, id, from, to, frame, (gint64)frame * 1000,
                                                             "addUser", NULL);
            FZ_CHECK(t && t->request_frame <= frame);
            break;
        }
        case 2: { /* a C3P response */
            const guint32 conv = fz_u8(&in) % 3;
            const guint64 id = fz_u8(&in) % 4;
            const char *from = pick(&in), *to = pick(&in);
            const c3p_code_t code = (c3p_code_t)(fz_u8(&in) % 5);
            const c3p_transaction_t *t = c3p_matcher_response(m, conv, id, from, to, frame, (gint64)frame * 1000, code);
            if (t && t->response_frame) {
                FZ_CHECK(t->response_frame > t->request_frame);
                FZ_CHECK(c3p_code_is_final(t->code));
            }
            break;
        }
        case 3: { /* a TCP segment of a connection to the conferencing port */
            const c3p_connection_t *c = c3p_connections_feed(conns, fz_u8(&in) % 6, fz_u8(&in) & 1,
                                                             fz_u8(&in), fz_u8(&in) & 1, frame);
            if (c && c->outcome == C3P_CONN_RESET)
                FZ_CHECK(c->end_frame && c3p_connection_failed(c, FALSE));
            FZ_CHECK(c3p_connections_followed(conns) <= 4);
            break;
        }
        case 4: { /* a SIP request */
            static const char *const methods[] = { "INVITE", "SUBSCRIBE", "BYE", "SERVICE", "INFO" };
            const char *method = methods[fz_u8(&in) % G_N_ELEMENTS(methods)];
            char *uri = fz_u8(&in) & 1 ? next_string(&in) : g_strdup(pick(&in));
            const sipconf_message_t *msg = sipconf_tracker_request(sc, frame, method, uri, pick(&in), method);
            if (msg)
                FZ_CHECK(sipconf_tracker_message(sc, frame) == msg);
            g_free(uri);
            break;
        }
        case 5: { /* a SIP response, sometimes with ms-diagnostics */
            static const char *const methods[] = { "INVITE", "SUBSCRIBE", "BYE", "SERVICE" };
            const guint status = 100 + fz_u8(&in) * 3;
            sipconf_diag_t d;
            char *header = next_string(&in);
            const gboolean has_diag = sipconf_parse_ms_diagnostics(header, &d);
            const sipconf_message_t *msg = sipconf_tracker_response(sc, frame, status, pick(&in),
                                                                    methods[fz_u8(&in) % 4], has_diag ? &d : NULL);
            if (msg && msg->conference && msg->conference->outcome == SIPCONF_FAILED)
                FZ_CHECK(msg->conference->failure_status >= 300 && msg->conference->failure_where);
            sipconf_diag_clear(&d);
            g_free(header);
            break;
        }
        case 6: /* an escalation invitation */
            (void)sipconf_tracker_escalation(sc, frame, pick(&in), pick(&in));
            break;
        case 7: /* a new conference announced */
            sipconf_tracker_conference_created(sc, pick(&in));
            break;
        case 8: {
            const gint64 a = (gint64)((guint64)fz_u8(&in) << 56), b = -(gint64)fz_u8(&in);
            const gint64 d = c3p_time_between(a, b);
            FZ_CHECK((a >= b) == (d >= 0));
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
