/* mcudiag_render_text.c — the findings in plain words, from symptom to cause
 * to fix: what -z mcudiag prints and the GUI's window shows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report/mcudiag_findings.h"


static void append_list(GString *out, const GPtrArray *items)
{
    for (guint i = 0; i < items->len; i++)
        g_string_append_printf(out, "%s%s", i == 0 ? "" : (i + 1 == items->len ? " and " : ", "),
                               (const char *)g_ptr_array_index(items, i));
}

/* guint16 values (ports, TTLs): "1, 2 and 3". */
static void append_numbers(GString *out, const GArray *values)
{
    for (guint i = 0; i < values->len; i++)
        g_string_append_printf(out, "%s%u", i == 0 ? "" : (i + 1 == values->len ? " and " : ", "),
                               g_array_index(values, guint16, i));
}

static void append_frame(GString *out, const mcudiag_findings_t *set, const mcudiag_frame_t *f)
{
    const mcudiag_capture_t *capture = f->file < set->captures->len ? g_ptr_array_index(set->captures, f->file) : NULL;
    if (set->captures->len > 1 && capture && capture->name)
        g_string_append_printf(out, "%s:%u", capture->name, f->frame);
    else
        g_string_append_printf(out, "%u", f->frame);
}

/* Frame lists stay readable: "frame 3" or "frames 2, 5, 8" in capture
 * order (the model keeps them so), the first few, then how many more. With a
 * set of captures each frame is named "<file>:<frame>". */
static void append_frames(GString *out, const mcudiag_findings_t *set, const GArray *frames)
{
    g_string_append(out, frames->len == 1 ? "frame " : "frames ");
    const guint shown = MIN(frames->len, 8);
    for (guint i = 0; i < shown; i++) {
        if (i)
            g_string_append(out, ", ");
        append_frame(out, set, &g_array_index(frames, mcudiag_frame_t, i));
    }
    if (frames->len > shown)
        g_string_append_printf(out, " and %u more", frames->len - shown);
}

static void render_member_view_tied(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *m)
{
    g_string_append(out, "   Seen from the member's side too: ");
    append_list(out, m->clients);
    g_string_append_printf(out, " reset the SYN-ACKs of %s to SYNs sent to the VIP, and sent them again "
                                "(first resets in ", m->address);
    append_frames(out, set, m->frames);
    g_string_append(out, ").\n");
}

/* A VIP that forwards without SNAT: the cause of the symptoms above. */
static void render_vip(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *v)
{
    g_string_append_printf(out, "%u. Load balancer VIP %s forwards without SNAT (confidence %s%s).\n", v->number,
                           v->endpoint, mcudiag_level_name(v->confidence), v->full_proxy ? ", full-proxy balancer" : "");
    g_string_append(out, "   Evidence: pool member");
    g_string_append(out, v->members->len > 1 ? "s " : " ");
    append_list(out, v->members);
    if (v->pairs->len > 1 && v->clients->len > 1) {
        g_string_append(out, " answered their clients directly instead of the VIP (");
        append_list(out, v->pairs);
        g_string_append(out, ")");
    } else {
        g_string_append(out, " answered ");
        append_list(out, v->clients);
        g_string_append(out, " directly instead of the VIP");
    }
    g_string_append_printf(out, ", in %u connection attempt%s (foreign SYN-ACKs in ", v->attempts,
                           v->attempts == 1 ? "" : "s");
    append_frames(out, set, v->frames);
    g_string_append(out, ")");
    if (v->reset_frames->len) {
        g_string_append(out, "; the client reset them (");
        append_frames(out, set, v->reset_frames);
        g_string_append(out, ").\n");
    } else {
        g_string_append(out, "; no client reset was captured (a host firewall may drop the SYN-ACKs): "
                             "a capture on the member would show the SYN-ACKs leaving it.\n");
    }
    if (v->clients_are_members)
        g_string_append(out, "   The clients are members of this pool themselves: pool members calling their "
                             "own VIP, which works only when the balancer rewrites the source too.\n");
    for (guint i = 0; i < v->member_views->len; i++)
        render_member_view_tied(out, set, g_ptr_array_index(v->member_views, i));
    if (v->impact)
        g_string_append_printf(out, "   Impact: %s.\n", v->impact);
    g_string_append(out, "   Why: the balancer rewrote only the destination of the client's SYN; the member "
                         "answered from its own address, which the client never called, so the client "
                         "rejected the reply and the connection never opened.\n");
    g_string_append_printf(out, "   Fix: %s\n", v->fix);
    if (v->missing)
        g_string_append_printf(out, "   Not in this capture: %s\n", v->missing);
}

/* A member's own view with no VIP in the capture to tie it to. */
static void render_member_side(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *m)
{
    g_string_append_printf(out, "%u. A client reset this member's SYN-ACK to a SYN it sent elsewhere: likely a "
                                "balancer without SNAT in front of this member (%s, confidence %s).\n",
                           m->number, m->endpoint, mcudiag_level_name(m->confidence));
    g_string_append(out, "   Evidence: ");
    append_list(out, m->clients);
    g_string_append_printf(out, " reset the SYN-ACKs of %s (first in ", m->endpoint);
    append_frames(out, set, m->frames);
    g_string_append_printf(out, ") and sent the same SYN again, in %u connection attempt%s: a TCP stack does that "
                                "only when it sent the SYN to another address (a VIP) and a balancer passed it on "
                                "without rewriting the source.\n", m->attempts, m->attempts == 1 ? "" : "s");
    if (m->impact)
        g_string_append_printf(out, "   Impact: %s.\n", m->impact);
    g_string_append_printf(out, "   Next: %s\n", m->next);
    g_string_append_printf(out, "   Fix: %s\n", m->fix);
}

/* Symptom: the joins that failed, where and why. */
static void render_failed_joins(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    g_string_append_printf(out, "%u. Conference joins failed (%u of %u join legs answered with an error).\n",
                           f->number, f->count, f->total);
    const guint shown = MIN(f->joins->len, 8);
    for (guint i = 0; i < shown; i++) {
        const mcudiag_join_leg_t *j = g_ptr_array_index(f->joins, i);
        g_string_append_printf(out, "   Conference %s%s%s: the %s answered %u (frame ",
                               j->conference_id && *j->conference_id ? j->conference_id : "(unknown id)",
                               j->organizer ? " of " : "", j->organizer ? j->organizer : "", j->where, j->status);
        append_frame(out, set, &j->frame);
        g_string_append(out, ")");
        if (j->diag_id || j->diag_reason)
            g_string_append_printf(out, "; ms-diagnostics %u%s%s%s%s%s%s", j->diag_id,
                                   j->diag_component ? " (" : "", j->diag_component ? j->diag_component : "",
                                   j->diag_component ? ")" : "", j->diag_reason ? ": \"" : "",
                                   j->diag_reason ? j->diag_reason : "", j->diag_reason ? "\"" : "");
        g_string_append(out, ".\n");
    }
    if (f->count > shown)
        g_string_append_printf(out, "   … and %u more.\n", f->count - shown);
    if (f->next)
        g_string_append_printf(out, "   Next: %s\n", f->next);
}

static const char *const certainty_text[] = {
    [MCUDIAG_LEVEL_HIGH] = "high (the same hosts carry conferencing: SIP, C3P or TLS on the port)",
    [MCUDIAG_LEVEL_MEDIUM] = "medium (a pool VIP on the conferencing port; no SIP or C3P of every one of these "
                             "hosts in this capture)",
};

static const char *const cause_text[] = {
    [MCUDIAG_CAUSE_NEXT_FINDING] = "   Cause: the load balancer in the next finding.\n",
    [MCUDIAG_CAUSE_BALANCER_BELOW] = "   Cause: most likely the load balancer without SNAT below (its foreign "
                                     "SYN-ACKs or client resets are in this capture), not a certificate.\n",
    [MCUDIAG_CAUSE_CERTIFICATE] = "   No foreign SYN-ACK explains them in this capture: capture on the sending "
                                  "Front End to see the replies; otherwise check its certificate (the most common "
                                  "cause of event 61013 is a trusted root that does not allow Client "
                                  "Authentication).\n",
};

/* The link between symptom and cause: MCUs that cannot reach the MCU Factory. */
static void render_failed_connections(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    g_string_append_printf(out, "%u. HTTPS connections to the conferencing port ", f->number);
    append_numbers(out, f->ports);
    g_string_append(out, " failed before any request was sent, from ");
    append_list(out, f->clients);
    g_string_append(out, " (");
    append_frames(out, set, f->frames);
    g_string_append(out, ").\n");
    /* Only hosts tied to conferencing or to a balancer fault get here (the
     * others are the untied note): certainty medium or high, a cause always. */
    g_string_append(out, "   Impact: an MCU on these hosts cannot deliver its health notifications to the MCU "
                         "Factory (the wire side of event 61013), so the Focus is given no MCU and joins fail.\n");
    if (f->certainty >= MCUDIAG_LEVEL_MEDIUM && f->certainty <= MCUDIAG_LEVEL_HIGH)
        g_string_append_printf(out, "   Certainty that these are MCU health notifications: %s.\n",
                               certainty_text[f->certainty]);
    if (f->cause >= MCUDIAG_CAUSE_NEXT_FINDING && f->cause <= MCUDIAG_CAUSE_CERTIFICATE)
        g_string_append(out, cause_text[f->cause]);
}

static void render_no_fault(GString *out, const mcudiag_finding_t *f)
{
    g_string_append_printf(out, "No fault found: %u conference join leg%s succeeded; no connection %s the "
                                "conferencing port failed; no load-balancer fault (no client SYN was answered by "
                                "an address other than the one it was sent to).\n",
                           f->count, f->count == 1 ? "" : "s", f->total ? "of a conferencing host to" : "to");
}

static void render_sweeper(GString *out, const mcudiag_finding_t *f)
{
    g_string_append_printf(out, "Not conferencing: %s called %u or more ports or servers (a sweep, such as a "
                                "port scan); its failed connections to the conferencing port are not MCU health "
                                "notifications.\n", f->address, f->count);
}

static const char *const idle_behaviour_text[] = {
    [1] = "the first packet after the silence drew a reset from the VIP's side",
    [2] = "a reset came after the silence, unprompted",
    [3] = "the first packet after the silence was retransmitted, never answered, until the sender gave up",
};

/* A VIP whose TCP idle timeout cuts quiet connections (lbidle). */
static void render_idle_timeout(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    const double lower = nstime_to_sec(&f->timer_min), upper = nstime_to_sec(&f->timer_max);
    g_string_append_printf(out, "%u. Load balancer VIP %s forgets idle connections: its TCP idle timeout is between "
                                "%.1f s and %.1f s (confidence %s).\n",
                           f->number, f->endpoint, lower, upper, mcudiag_level_name(f->confidence));
    g_string_append_printf(out, "   Symptom: %s.\n", f->impact);
    g_string_append_printf(out, "   Evidence: %u of the %u connections to %s followed were cut after a silence "
                                "of %.1f s or more (%s; ",
                           f->attempts, f->count, f->endpoint, upper,
                           f->code >= 1 && f->code <= 3 ? idle_behaviour_text[f->code] : "cut");
    append_frames(out, set, f->frames);
    g_string_append(out, "), from ");
    append_list(out, f->clients);
    g_string_append_printf(out, "; the longest silence another connection to it survived was %.1f s.\n", lower);
    if (f->members->len) {
        g_string_append(out, "   The balancer reset its own connections to the members at the same time (");
        append_list(out, f->members);
        g_string_append(out, "): no server resets itself.\n");
    }
    if (f->fix)
        g_string_append_printf(out, "   Requirement: Microsoft requires a Skype for Business pool's load balancer to "
                                    "keep idle TCP connections at least 1800 s (\"TCP idle timeout at least 1800 "
                                    "s\"; F5's default is 300 s).\n   Fix: %s\n", f->fix);
    else
        g_string_append(out, "   Requirement: at least 1800 s (Microsoft): met; connections quiet for longer are "
                             "still cut.\n");
    if (f->missing)
        g_string_append_printf(out, "   Not in this capture: %s\n", f->missing);
    if (f->next)
        g_string_append_printf(out, "   Confidence: captured on one side only: a reset or a silence after the idle "
                                    "gap could also be the server's own; %s\n", f->next);
}

/* Hosts whose failed connections nothing ties to conferencing: a note. */
static void render_untied(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    g_string_append(out, "Note: connections from ");
    append_list(out, f->clients);
    g_string_append(out, " to the conferencing port failed before any request (");
    append_frames(out, set, f->frames);
    g_string_append(out, "), but nothing in this capture ties these hosts to conferencing (no SIP or C3P of a "
                         "conference, no load-balancer VIP on the port): not counted as MCU health notifications. "
                         "A capture on such a host shows whether it runs an MCU.\n");
}

/* "MAC a" or "MACs a and b". */
static void append_macs(GString *out, const char *what, const GPtrArray *macs)
{
    g_string_append_printf(out, "%s MAC%s ", what, macs->len > 1 ? "s" : "");
    append_list(out, macs);
}

static void render_dsr_evidence(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    if (f->code == 1) { /* seen from a caller or the segment */
        g_string_append_printf(out, "   Evidence: the SYNs to %s went to ", f->endpoint);
        append_macs(out, "balancer", f->balancer_macs);
        g_string_append(out, ", which never sends as the VIP; the VIP's SYN-ACKs came from ");
        append_macs(out, "member", f->member_macs);
        g_string_append(out, " (");
        append_frames(out, set, f->frames);
        g_string_append(out, ")");
        if (f->forward_frames->len) {
            g_string_append(out, "; the balancer forwarded each SYN at layer 2, addresses and ports unchanged (");
            append_frames(out, set, f->forward_frames);
            g_string_append(out, ")");
        }
    } else {
        g_string_append_printf(out, "   Evidence: seen from the member: SYNs to %s arrived from balancer MAC ",
                               f->endpoint);
        append_list(out, f->balancer_macs);
        g_string_append(out, ", and member MAC ");
        append_list(out, f->member_macs);
        g_string_append(out, " answered from the VIP straight to the client's own MAC (");
        append_frames(out, set, f->frames);
        g_string_append(out, ")");
    }
    g_string_append_printf(out, "; %u connection%s from ", f->attempts, f->attempts == 1 ? "" : "s");
    append_list(out, f->clients);
    if (f->ttls->len) {
        g_string_append(out, f->code == 1 ? "; TTL of the answers " : "; TTL of the SYNs ");
        append_numbers(out, f->ttls);
        g_string_append(out, " (not routed: sent on this segment)");
    }
    g_string_append(out, ".\n");
}

/* A VIP answered by direct server return (lbdsr). */
static void render_dsr(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    g_string_append_printf(out, "%u. Load balancer VIP %s answers by direct server return (confidence %s).\n",
                           f->number, f->endpoint, mcudiag_level_name(f->confidence));
    render_dsr_evidence(out, set, f);
    g_string_append_printf(out, "   Requirement: Microsoft's load-balancer requirements for Skype for Business "
                                "Server pools: \"Direct server return is not supported.\" The balancer sees only "
                                "%s.\n", f->impact);
    if (f->next)
        g_string_append_printf(out, "   Next: %s\n", f->next);
    g_string_append_printf(out, "   Fix: %s\n", f->fix);
}

/* A VIP without SNAT that handed a member its own SYN (lbhairpin). */
static void render_self_selection(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    const char *member = f->members->len ? g_ptr_array_index(f->members, 0) : "?";
    const char *mac = f->balancer_macs->len ? g_ptr_array_index(f->balancer_macs, 0) : "?";
    g_string_append_printf(out, "%u. Load balancer VIP %s handed pool member %s its own SYN (self-selection without "
                                "SNAT, confidence %s).\n", f->number, f->endpoint, member,
                           mcudiag_level_name(f->confidence));
    g_string_append_printf(out, "   Evidence: %s's SYN to %s (frame ", member, f->endpoint);
    if (f->syn_frames->len)
        append_frame(out, set, &g_array_index(f->syn_frames, mcudiag_frame_t, 0));
    g_string_append_printf(out, ") came back from balancer MAC %s with %s as source and destination (", mac, member);
    append_frames(out, set, f->frames);
    g_string_append(out, "): the balancer picked the caller itself as the member and rewrote only the "
                         "destination; a host drops a packet from its own address, so the connection was never "
                         "answered.\n");
    g_string_append(out, "   Requirement: OCS 2007 R2 (quoted by Kemp): only SNAT is supported for internal pools; "
                         "half-NAT fails \"because inter-server communications within an internal pool fail when "
                         "servers in the pool try to connect to their own VIP\".\n");
    g_string_append_printf(out, "   Fix: %s\n", f->fix);
}

static void render_finding(GString *out, const mcudiag_findings_t *set, const mcudiag_finding_t *f)
{
    switch (f->kind) {
    case MCUDIAG_FINDING_FAILED_JOINS:
        render_failed_joins(out, set, f);
        break;
    case MCUDIAG_FINDING_FAILED_CONNECTIONS:
        render_failed_connections(out, set, f);
        break;
    case MCUDIAG_FINDING_VIP_WITHOUT_SNAT:
        render_vip(out, set, f);
        break;
    case MCUDIAG_FINDING_MEMBER_WITHOUT_SNAT:
        render_member_side(out, set, f);
        break;
    case MCUDIAG_FINDING_SWEEPER:
        render_sweeper(out, f);
        break;
    case MCUDIAG_FINDING_NO_FAULT:
        render_no_fault(out, f);
        break;
    case MCUDIAG_FINDING_IDLE_TIMEOUT:
        render_idle_timeout(out, set, f);
        break;
    case MCUDIAG_FINDING_UNTIED_CONNECTIONS:
        render_untied(out, set, f);
        break;
    case MCUDIAG_FINDING_SELF_SELECTION:
        render_self_selection(out, set, f);
        break;
    case MCUDIAG_FINDING_DIRECT_SERVER_RETURN:
        render_dsr(out, set, f);
        break;
    }
}

char *mcudiag_findings_render_text(const mcudiag_findings_t *set)
{
    GString *out = g_string_new(NULL);
    g_string_append(out, "=== mcudiag: conferencing and load-balancer diagnosis ===\n");
    for (guint i = 0; i < set->findings->len; i++)
        render_finding(out, set, g_ptr_array_index(set->findings, i));
    g_string_append(out, "===\n");
    return g_string_free(out, FALSE);
}
