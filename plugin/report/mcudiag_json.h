/* mcudiag_json.h — writing the diagnosis as JSON (wsutil's json_dumper),
 * shared by the findings writer (mcudiag_render_json.c) and the evidence
 * writer (mcudiag_evidence.c). The document is described in the README and
 * in docs/mcudiag-report.schema.json.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MCUDIAG_JSON_H
#define MCUDIAG_JSON_H

#include <wsutil/json_dumper.h>

#include "report/mcudiag_findings.h"

/* A string value: text from the wire may be any bytes, a JSON string is
 * UTF-8, so invalid sequences become U+FFFD; json_dumper escapes the rest. */
void mcudiag_json_string(json_dumper *d, const char *text);
void mcudiag_json_member_string(json_dumper *d, const char *name, const char *text); /* skipped if NULL */
void mcudiag_json_member_uint(json_dumper *d, const char *name, guint64 value);
/* A duration as an integer count of nanoseconds (skipped when unset). */
void mcudiag_json_member_duration_ns(json_dumper *d, const char *name, const nstime_t *duration);
/* A frame: {"file": <name>, "frame": n} (file left out when the capture has no name). */
void mcudiag_json_frame(json_dumper *d, const mcudiag_findings_t *set, const mcudiag_frame_t *frame);

/* A join leg's object, the same in a finding and in a chunk's evidence
 * (diag_id left out when the response had no ms-diagnostics). */
void mcudiag_json_join_leg(json_dumper *d, const mcudiag_findings_t *set, const mcudiag_join_leg_t *j);

/* Writes the members "schema", "schema_version", "captures" and "findings"
 * into the open top-level object. */
void mcudiag_json_write_findings(json_dumper *d, const mcudiag_findings_t *set);

#endif
