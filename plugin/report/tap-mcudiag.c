/* tap-mcudiag.c — the diagnosis (mcudiag_chain.[ch]) for tshark and for the
 * GUI: "-z mcudiag" prints it once the capture has been read; the Statistics
 * menu's "Conferencing Diagnosis" opens it in a text window (Wireshark's
 * funnel API, which Lua's register_menu and TextWindow use too). Both listen
 * to the lbsnat, lbdsr, lbhairpin, sipconf and c3pconn taps (the findings), to c3p (hosts that
 * take part in conferencing) and tcp (client SYNs: sweeps), and render with
 * the one mcudiag_chain_render(), so the GUI reads exactly like tshark.
 *
 * The same diagnosis as one JSON document (mcudiag_chain_render_json()):
 *   -z mcudiag,json[,FILE]   instead of the text, to stdout or FILE;
 *   the GUI window's "Save as JSON" button (asks for the file name).
 * And the merge of chunk reports of a capture set (scripts/mcudiag-batch):
 *   -z mcudiag,merge,MANIFEST[,FILE]  prints the set's diagnosis as text and
 *   writes its JSON to FILE; the capture tshark reads is not looked at.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include <wireshark.h>
#include <epan/funnel.h>
#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/dissectors/packet-tcp.h>

#include "plugin_protocols.h"
#include "c3p/c3p_tap.h"
#include "c3p/c3pconn_tap.h"
#include "report/mcudiag_chain.h"
#include "sipconf/sipconf_tap.h"
#include "ws_compat.h"

/* One diagnosis in the making: tshark's (-z mcudiag) or a GUI window's. */
typedef enum {
    MCUDIAG_OUTPUT_TEXT = 0,  /* -z mcudiag */
    MCUDIAG_OUTPUT_JSON = 1,  /* -z mcudiag,json[,FILE] */
    MCUDIAG_OUTPUT_MERGE = 2, /* -z mcudiag,merge,MANIFEST[,FILE] */
} mcudiag_output_t;

typedef struct {
    mcudiag_chain_t *chain;
    mcudiag_output_t output;
    char *manifest;        /* merge: the manifest of chunk reports */
    char *json_path;       /* where JSON goes; NULL: stdout (json), nowhere (merge) */
    char *capture_name;    /* tshark's capture file, NULL if not known */
    guint32 frames;        /* frames read since the last reset: nothing is said before the first */
    guint32 frames_shown;  /* frames behind the text already printed (tshark draws once, the GUI may redraw) */
    gboolean drawn;        /* tshark's report was written */
    guint listeners;       /* tap listeners registered for this report */
    funnel_text_window_t *window; /* the GUI's window, or NULL: print to stdout */
} mcudiag_report_t;

static const char window_hint[] =
    "Open a capture file: the diagnosis appears here once its packets have been read.\n";

static tap_packet_status mcudiag_frame_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                              const void *data _U_, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    report->frames++;
    mcudiag_chain_add_frame(report->chain, (gint64)pinfo->abs_ts.secs, (gint32)pinfo->abs_ts.nsecs);
    return TAP_PACKET_DONT_REDRAW;
}

static tap_packet_status mcudiag_lbsnat_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                               const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    mcudiag_chain_add_lbsnat(report->chain, data);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status mcudiag_lbidle_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                               const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    mcudiag_chain_add_lbidle(report->chain, data);
    return TAP_PACKET_REDRAW;
}

/* Both ends of a conference's SIP or of a C3P message take part in conferencing. */
static void add_conferencing_hosts(mcudiag_report_t *report, packet_info *pinfo, mcudiag_conf_evidence_t kind)
{
    mcudiag_chain_add_conferencing_host(report->chain, address_to_str(pinfo->pool, &pinfo->src), kind);
    mcudiag_chain_add_conferencing_host(report->chain, address_to_str(pinfo->pool, &pinfo->dst), kind);
}

/* The hosts of a conference's SIP, and the final responses of the Focus and
 * MCU join legs. */
static tap_packet_status mcudiag_sipconf_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                                const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    const sipconf_tap_info_t *info = data;
    const sipconf_conference_t *c = info->conference;
    if (c)
        add_conferencing_hosts(report, pinfo, MCUDIAG_CONF_SIP);
    if (!c || info->repeat || !info->is_response || info->status < 200 ||
        (info->leg != SIPCONF_LEG_FOCUS && info->leg != SIPCONF_LEG_MCU))
        return TAP_PACKET_DONT_REDRAW;
    const gboolean failure_here = c->failure_frame == info->frame;
    char *where = sipconf_leg_place(c, info->leg);
    mcudiag_join_t join = {
        .conference_id = c->conference_id, .organizer = c->organizer, .where = where, .status = info->status,
        .frame = info->frame,
        .diag_id = failure_here ? c->failure_diag.error_id : 0,
        .diag_component = failure_here ? sipconf_diag_component(c->failure_diag.error_id) : NULL,
        .diag_reason = failure_here ? c->failure_diag.reason : NULL,
    };
    mcudiag_chain_add_join(report->chain, &join);
    g_free(where);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status mcudiag_c3p_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                            const void *data _U_, tap_flags_t flags _U_)
{
    add_conferencing_hosts(tapdata, pinfo, MCUDIAG_CONF_C3P);
    return TAP_PACKET_REDRAW;
}

/* Each client SYN, so the chain can tell a host sweeping ports or servers
 * (a scanner) from an MCU posting its health. */
static tap_packet_status mcudiag_tcp_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                            const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    const struct tcpheader *tcp = data;
    if ((tcp->th_flags & (TH_SYN | TH_ACK)) != TH_SYN)
        return TAP_PACKET_DONT_REDRAW;
    mcudiag_chain_add_syn(report->chain, address_to_str(pinfo->pool, &tcp->ip_src),
                          address_to_str(pinfo->pool, &tcp->ip_dst), tcp->th_dport);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status mcudiag_lbdsr_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                              const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    mcudiag_chain_add_lbdsr(report->chain, data);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status mcudiag_lbhairpin_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                                  const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    mcudiag_chain_add_lbhairpin(report->chain, data);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status mcudiag_c3pconn_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                                const void *data, tap_flags_t flags _U_)
{
    mcudiag_report_t *report = tapdata;
    const c3pconn_tap_info_t *info = data;
    mcudiag_chain_add_failed_connection(report->chain, info->client, info->port, info->frame, info->lbsnat_case);
    return TAP_PACKET_REDRAW;
}

static void mcudiag_reset(void *tapdata)
{
    mcudiag_report_t *report = tapdata;
    mcudiag_chain_reset(report->chain);
    mcudiag_chain_set_capture_name(report->chain, report->capture_name);
    report->frames = 0;
    report->frames_shown = 0;
}

/* Writes text to path (NULL: stdout); says so on stderr if it cannot. */
static void mcudiag_write(const char *path, const char *text)
{
    GError *error = NULL;
    if (!path)
        fputs(text, stdout);
    else if (!g_file_set_contents(path, text, -1, &error)) {
        fprintf(stderr, "mcudiag: cannot write the JSON report: %s\n", error->message);
        g_error_free(error);
    }
}

/* The diagnosis of a capture set from its chunks' reports: text on stdout,
 * JSON to the file asked for. */
static void mcudiag_draw_merge(mcudiag_report_t *report)
{
    GString *errors = g_string_new(NULL);
    mcudiag_chain_reset(report->chain);
    mcudiag_chain_merge(report->chain, report->manifest, errors);
    if (errors->len)
        fprintf(stderr, "mcudiag: %s", errors->str);
    g_string_free(errors, TRUE);
    char *text = mcudiag_chain_render(report->chain);
    fputs(text, stdout);
    g_free(text);
    if (report->json_path) {
        char *json = mcudiag_chain_render_json(report->chain);
        mcudiag_write(report->json_path, json);
        g_free(json);
    }
}

/* Wireshark draws before any packet was read (the GUI opening a file given
 * with -z) and may draw again with nothing new: say nothing then. JSON is
 * written once tshark has read the capture, even an empty one. */
static void mcudiag_draw(void *tapdata)
{
    mcudiag_report_t *report = tapdata;
    const funnel_ops_t *gui = funnel_get_funnel_ops();
    if (report->window && gui) {
        char *text = report->frames ? mcudiag_chain_render(report->chain) : NULL;
        gui->set_text(report->window, text ? text : window_hint);
        g_free(text);
        return;
    }
    if (report->output == MCUDIAG_OUTPUT_MERGE) {
        mcudiag_draw_merge(report);
        return;
    }
    if (report->output == MCUDIAG_OUTPUT_TEXT && report->frames == 0)
        return;
    if (report->frames == report->frames_shown && report->drawn)
        return;
    report->frames_shown = report->frames;
    report->drawn = TRUE;
    char *text = report->output == MCUDIAG_OUTPUT_JSON ? mcudiag_chain_render_json(report->chain)
                                                       : mcudiag_chain_render(report->chain);
    mcudiag_write(report->output == MCUDIAG_OUTPUT_JSON ? report->json_path : NULL, text);
    g_free(text);
}

static void mcudiag_report_free(mcudiag_report_t *report)
{
    mcudiag_chain_free(report->chain);
    g_free(report->manifest);
    g_free(report->json_path);
    g_free(report->capture_name);
    g_free(report);
}

/* tshark's report belongs to its listeners (tshark removes them at exit): the
 * last one removed frees it. A window's report belongs to the window, which
 * may outlive the listeners when Wireshark exits. */
static void mcudiag_release(void *tapdata)
{
    mcudiag_report_t *report = tapdata;
    if (--report->listeners == 0)
        mcudiag_report_free(report);
}

/* Registers one report's listeners on the frame tap and the plugin's taps;
 * NULL on success, else the error (g_string_free it). Only the lbsnat
 * listener resets and draws, for all of them. */
static GString *mcudiag_listen(mcudiag_report_t *report)
{
    static const struct {
        const char *tap;
        tap_reset_cb reset;
        tap_packet_cb packet;
        tap_draw_cb draw;
    } taps[] = {
        { "lbsnat", mcudiag_reset, mcudiag_lbsnat_packet, mcudiag_draw },
        { "lbidle", NULL, mcudiag_lbidle_packet, NULL },
        { "frame", NULL, mcudiag_frame_packet, NULL },
        { "sipconf", NULL, mcudiag_sipconf_packet, NULL },
        { "c3pconn", NULL, mcudiag_c3pconn_packet, NULL },
        { "lbdsr", NULL, mcudiag_lbdsr_packet, NULL },
        { "lbhairpin", NULL, mcudiag_lbhairpin_packet, NULL },
        { "c3p", NULL, mcudiag_c3p_packet, NULL },
        { "tcp", NULL, mcudiag_tcp_packet, NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(taps); i++) {
        GString *error = register_tap_listener(taps[i].tap, report, NULL, TL_REQUIRES_NOTHING, taps[i].reset,
                                               taps[i].packet, taps[i].draw,
                                               report->window ? NULL : mcudiag_release);
        if (error)
            return error;
        report->listeners++;
    }
    return NULL;
}

static mcudiag_report_t *mcudiag_report_new(funnel_text_window_t *window)
{
    mcudiag_report_t *report = g_new0(mcudiag_report_t, 1);
    report->chain = mcudiag_chain_new();
    report->window = window;
    return report;
}

/* Removes every listener of the report and frees it (through the last
 * listener's finish callback when the listeners own it). */
static void mcudiag_report_drop(mcudiag_report_t *report)
{
    const gboolean listeners_free_it = !report->window && report->listeners > 0;
    for (guint n = report->listeners; n > 0; n--)
        remove_tap_listener(report);
    if (!listeners_free_it)
        mcudiag_report_free(report);
}

/* ---- -z mcudiag: printed by tshark, a window in the GUI --------------------- */

static void mcudiag_open_window(void *unused);

/* The GUI's funnel operations, or NULL. tshark has funnel operations too (its
 * text windows, Lua's, print at exit) but no GUI instance (ops_id) and cannot
 * read the packets again. */
static const funnel_ops_t *mcudiag_gui(void)
{
    const funnel_ops_t *ops = funnel_get_funnel_ops();
    return ops && ops->ops_id && ops->new_text_window && ops->set_text && ops->set_close_cb && ops->retap_packets
               ? ops
               : NULL;
}

/* The capture tshark reads (its -r argument), to name it in the JSON:
 * neither epan nor the tap API tells a plugin, the command line does. */
static char *tshark_capture_name(void)
{
    char *cmdline = NULL;
    gsize len = 0;
    if (!g_file_get_contents("/proc/self/cmdline", &cmdline, &len, NULL))
        return NULL;
    char *name = NULL;
    for (const char *arg = cmdline, *end = cmdline + len; arg < end && !name; arg += strlen(arg) + 1) {
        const char *next = arg + strlen(arg) + 1;
        if ((strcmp(arg, "-r") == 0 || strcmp(arg, "--read-file") == 0) && next < end)
            name = g_strdup(next);
        else if (g_str_has_prefix(arg, "--read-file="))
            name = g_strdup(arg + strlen("--read-file="));
        else if (g_str_has_prefix(arg, "-r") && arg[2] && arg[1] != '-')
            name = g_strdup(arg + 2);
    }
    g_free(cmdline);
    return name;
}

/* "mcudiag", "mcudiag,json[,FILE]", "mcudiag,merge,MANIFEST[,FILE]". */
static gboolean mcudiag_parse_options(mcudiag_report_t *report, const char *opt_arg)
{
    const char *rest = opt_arg + strlen("mcudiag");
    if (!*rest)
        return TRUE;
    if (g_str_has_prefix(rest, ",json")) {
        rest += strlen(",json");
        report->output = MCUDIAG_OUTPUT_JSON;
        report->json_path = *rest == ',' && rest[1] ? g_strdup(rest + 1) : NULL;
        return *rest == '\0' || *rest == ',';
    }
    if (g_str_has_prefix(rest, ",merge,") && rest[strlen(",merge,")]) {
        rest += strlen(",merge,");
        const char *comma = strchr(rest, ',');
        report->output = MCUDIAG_OUTPUT_MERGE;
        report->manifest = comma ? g_strndup(rest, (gsize)(comma - rest)) : g_strdup(rest);
        report->json_path = comma && comma[1] ? g_strdup(comma + 1) : NULL;
        return TRUE;
    }
    return FALSE;
}

static mcudiag_stat_tap_init_result mcudiag_init(const char *opt_arg, void *userdata _U_)
{
    if (mcudiag_gui()) { /* `wireshark -z mcudiag` opens the window */
        mcudiag_open_window(NULL);
        MCUDIAG_STAT_TAP_INIT_RETURN(TRUE);
    }
    mcudiag_report_t *report = mcudiag_report_new(NULL);
    if (!mcudiag_parse_options(report, opt_arg)) {
        fprintf(stderr, "tshark: invalid \"-z %s\": use -z mcudiag, -z mcudiag,json[,FILE] or "
                        "-z mcudiag,merge,MANIFEST[,FILE]\n", opt_arg);
        mcudiag_report_drop(report);
        MCUDIAG_STAT_TAP_INIT_RETURN(FALSE);
    }
    report->capture_name = tshark_capture_name();
    mcudiag_chain_set_capture_name(report->chain, report->capture_name);
    GString *error = mcudiag_listen(report);
    if (error) {
        fprintf(stderr, "tshark: couldn't register mcudiag tap: %s\n", error->str);
        g_string_free(error, TRUE);
        mcudiag_report_drop(report);
        MCUDIAG_STAT_TAP_INIT_RETURN(FALSE);
    }
    MCUDIAG_STAT_TAP_INIT_RETURN(TRUE);
}

/* ---- the GUI: Statistics → Conferencing Diagnosis ------------------------- */

static void mcudiag_window_closed(void *data)
{
    mcudiag_report_drop(data);
}

/* The dialog's answer: the file to write the JSON taken when the button was
 * pressed (the dialog owns that text, so it may outlive the window). */
static void mcudiag_save_json_answered(char **answers, void *json)
{
    if (answers && answers[0] && *answers[0])
        mcudiag_write(answers[0], json);
}

/* "Save as JSON": Wireshark 4.0's funnel API has no file chooser, but a
 * dialog with text fields: it asks for the path, proposing
 * mcudiag-report.json in the working folder. */
static mcudiag_funnel_button_result mcudiag_save_json_clicked(funnel_text_window_t *window _U_, void *data)
{
    const funnel_ops_t *gui = mcudiag_gui();
    mcudiag_report_t *report = data;
    if (!gui || !gui->new_dialog)
        return FALSE;
    char *cwd = g_get_current_dir();
    char *proposal = g_build_filename(cwd, "mcudiag-report.json", NULL);
    const char *fields[] = { "Save the diagnosis as JSON to file", NULL };
    const char *values[] = { proposal, NULL };
    gui->new_dialog(gui->ops_id, "Conferencing Diagnosis: Save as JSON", fields, values, mcudiag_save_json_answered,
                    mcudiag_chain_render_json(report->chain), g_free);
    g_free(proposal);
    g_free(cwd);
    return TRUE;
}

/* Opens a window, listens, and has Wireshark read the packets again: the
 * reset and draw callbacks then fill the window, and keep it current when
 * another file is opened while it stays open. */
static void mcudiag_open_window(void *unused _U_)
{
    const funnel_ops_t *gui = mcudiag_gui();
    if (!gui)
        return;
    funnel_text_window_t *window = gui->new_text_window(gui->ops_id, "Conferencing Diagnosis");
    mcudiag_report_t *report = mcudiag_report_new(window);
    GString *error = mcudiag_listen(report);
    if (error) {
        gui->set_text(window, error->str);
        g_string_free(error, TRUE);
        mcudiag_report_drop(report);
        return;
    }
    gui->set_text(window, window_hint);
    gui->set_close_cb(window, mcudiag_window_closed, report);
    if (gui->add_button && gui->new_dialog) {
        funnel_bt_t *button = g_new0(funnel_bt_t, 1);
        button->tw = window;
        button->func = mcudiag_save_json_clicked;
        button->data = report;
        button->free_fcn = g_free;
        gui->add_button(window, button, "Save as JSON");
    }
    gui->retap_packets(gui->ops_id);
}

void register_tap_listener_mcudiag(void)
{
    static stat_tap_ui ui = { REGISTER_STAT_GROUP_GENERIC, "Conferencing diagnosis", "mcudiag", mcudiag_init, 0, NULL };
    register_stat_tap_ui(&ui, NULL);
    funnel_register_menu("Conferencing Diagnosis", REGISTER_PACKET_STAT_GROUP_UNSORTED, mcudiag_open_window, NULL,
                         NULL, FALSE);
}
