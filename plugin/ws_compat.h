/* ws_compat.h — the one place that knows which Wireshark the plugin is built
 * against. Supported: 4.0 (Debian bookworm), 4.4 (trixie), 4.6 (sid); each
 * difference below was checked against those versions' installed headers.
 * The plugin's code is written with the newer names; older versions get them
 * from here. 4.2 compiles through the same checks but is not tested.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_WS_COMPAT_H
#define MCUDIAG_WS_COMPAT_H

#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/tvbuff.h>
#include <epan/dissectors/packet-http.h>
#include <epan/packet.h>
#include <wsutil/str_util.h>

#define MCUDIAG_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* Byte access: 4.4 deprecates tvb_get_guint8/tvb_find_guint8, 4.0 has only those. */
#if !MCUDIAG_WS_AT_LEAST(4, 4)
#define tvb_get_uint8 tvb_get_guint8
#define tvb_find_uint8 tvb_find_guint8
#endif

/* Byte-order helpers (wsutil/pint.h): 4.6 calls them pntohu16/pntohu32/phtonu16/phtonu32
 * and has no pntoh16 & co.; 4.0 and 4.4 have only the old names. */
#if !MCUDIAG_WS_AT_LEAST(4, 6)
#include <wsutil/pint.h>
#define pntohu16 pntoh16
#define pntohu32 pntoh32
#define phtonu16 phton16
#define phtonu32 phton32
#endif

/* format_text: 4.0 (epan/strutil.h) takes const guchar *, 4.4 (wsutil/str_util.h) const char *. */
#if MCUDIAG_WS_AT_LEAST(4, 4)
#define mcudiag_format_text(scope, text, len) format_text((scope), (text), (len))
#else
#include <epan/strutil.h>
#define mcudiag_format_text(scope, text, len) format_text((scope), (const guchar *)(text), (len))
#endif

/* What HTTP and SIP hand to a media_type subdissector: http_message_info_t in
 * 4.0; media_content_info_t (packet-media-type.h) from 4.4. */
#if MCUDIAG_WS_AT_LEAST(4, 4)
#include <epan/dissectors/packet-media-type.h>
typedef media_content_info_t mcudiag_media_carrier_t;
#define MCUDIAG_CARRIER_HTTP_REQUEST MEDIA_CONTAINER_HTTP_REQUEST
#define MCUDIAG_CARRIER_HTTP_RESPONSE MEDIA_CONTAINER_HTTP_RESPONSE
#else
typedef http_message_info_t mcudiag_media_carrier_t;
#define MCUDIAG_CARRIER_HTTP_REQUEST HTTP_REQUEST
#define MCUDIAG_CARRIER_HTTP_RESPONSE HTTP_RESPONSE
#endif

static inline gboolean mcudiag_carrier_is_http(const mcudiag_media_carrier_t *carrier)
{
    return carrier &&
           (carrier->type == MCUDIAG_CARRIER_HTTP_REQUEST || carrier->type == MCUDIAG_CARRIER_HTTP_RESPONSE);
}

/* The URI of the last request HTTP saw on a connection (meaningful on the
 * first pass): a field of http_conv_t in 4.0; from 4.4 the tail of its
 * request/response list. */
static inline const char *mcudiag_http_last_request_uri(const http_conv_t *http)
{
#if MCUDIAG_WS_AT_LEAST(4, 4)
    return http->req_res_tail ? http->req_res_tail->request_uri : NULL;
#else
    return http->request_uri;
#endif
}

/* Return type of UAT record update callbacks (uat_update_cb_t): gboolean in 4.0, bool from 4.4. */
#if MCUDIAG_WS_AT_LEAST(4, 4)
typedef bool mcudiag_uat_update_result;
#else
typedef gboolean mcudiag_uat_update_result;
#endif

/* stat_tap_init_cb (-z NAME set-up) returns whether it succeeded from 4.6; void before. */
#if MCUDIAG_WS_AT_LEAST(4, 6)
typedef bool mcudiag_stat_tap_init_result;
#define MCUDIAG_STAT_TAP_INIT_RETURN(ok) return (ok)
#else
typedef void mcudiag_stat_tap_init_result;
#define MCUDIAG_STAT_TAP_INIT_RETURN(ok) \
    do {                                 \
        (void)(ok);                      \
        return;                          \
    } while (0)
#endif

/* A funnel window button's callback (funnel_bt_cb_t) returns gboolean in 4.0, bool from 4.4. */
#if MCUDIAG_WS_AT_LEAST(4, 4)
typedef bool mcudiag_funnel_button_result;
#else
typedef gboolean mcudiag_funnel_button_result;
#endif

/* From 4.4 a plugin says what it is (wsutil/plugins.h), so `tshark -G plugins`
 * shows its type instead of "unknown"; 4.0 has no such symbol. Expands to the
 * exported plugin_describe() where it exists, to nothing elsewhere. */
#if MCUDIAG_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define MCUDIAG_PLUGIN_DESCRIBE(flags)              \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);   \
    uint32_t plugin_describe(void) { return (flags); }
#else
#define MCUDIAG_PLUGIN_DESCRIBE(flags)
#endif

#endif /* MCUDIAG_WS_COMPAT_H */
