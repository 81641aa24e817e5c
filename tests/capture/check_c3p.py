#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test for c3p: the real tshark with the plugin on one capture, field
by field, one pass and with -2, against tests/capture/expected/<capture>.c3p.tsv.

The expected file lists every C3P message as two-pass dissection shows it:
  frame type command code request_id target response_in request_in reason experts contents
(experts: the c3p expert infos on the message, comma-separated; contents: the
typed fields the command tables fill, per frame, "field=value|value" joined by
two spaces). One pass must
show the same except what only later frames can tell: response_in and
c3p.no_response. Beyond the file, the check asserts what must hold in any
capture: each response's request_in names a request with the same requestId
and command, c3p.time is non-negative, and c3p.failure marks exactly the
failure responses.
"""
import csv
import sys

from checklib import arguments, field_rows, finish, tshark

FIELDS = ["frame.number", "c3p.type", "c3p.command", "c3p.code", "c3p.request_id", "c3p.target",
          "c3p.response_in", "c3p.request_in", "c3p.reason", "c3p.time"]
EXPERTS = ["c3p.failure", "c3p.no_response", "c3p.unclosed", "c3p.not_xml", "c3p.bad_request_id", "c3p.too_deep",
           "c3p.view_truncated", "c3p.long_value", "c3p.doctype", "c3p.invalid_utf8",
           "c3p.command_count", "c3p.unknown_root", "c3p.foreign_namespace"]
# The typed fields of known commands' contents (c3p_model.c's tables) and where a command is defined.
CONTENTS = ["c3p.command_spec", "c3p.conference_entity", "c3p.conference_id", "c3p.user_entity", "c3p.role",
            "c3p.endpoint", "c3p.endpoint_uri", "c3p.refer_to_uri", "c3p.joining_method", "c3p.mcu_uri",
            "c3p.mcu_type", "c3p.lobby_access", "c3p.expiry_time", "c3p.admission_policy"]
COLUMNS = ["type", "command", "code", "request_id", "target", "response_in", "request_in", "reason", "experts",
           "contents"]


def messages(a, two_pass):
    """{(frame, index): row} for each C3P message (a frame may hold several)."""
    rows = {}
    for row in field_rows(a, "c3p", FIELDS + CONTENTS, two_pass, "-E", "occurrence=a", "-E", "aggregator=|"):
        values = dict(zip(FIELDS + CONTENTS, row))
        frame = int(values["frame.number"])
        contents = "  ".join(f"{f[4:]}={values[f]}" for f in CONTENTS if values.get(f))
        split = {f: values[f].split("|") for f in FIELDS[1:]}
        for i, kind in enumerate(split["c3p.type"]):
            def get(f):
                v = split[f]
                return v[i] if len(v) == len(split["c3p.type"]) else (v[0] if len(v) == 1 and i == 0 else "")
            rows[(frame, i)] = {
                "type": kind, "command": get("c3p.command"), "code": get("c3p.code"),
                "request_id": get("c3p.request_id"), "target": get("c3p.target"),
                "response_in": get("c3p.response_in"), "request_in": get("c3p.request_in"),
                "reason": get("c3p.reason"), "time": get("c3p.time"), "experts": set(), "contents": contents,
            }
    # Expert infos per frame (messages of one frame share them).
    for name in EXPERTS:
        args = ["-r", a.pcap, "-Y", name, "-T", "fields", "-e", "frame.number"] + (["-2"] if two_pass else [])
        for frame in tshark(a, *args).split():
            for key, row in rows.items():
                if key[0] == int(frame):
                    row["experts"].add(name)
    return rows


def invariants(rows, label):
    failures = []
    for (frame, _), r in rows.items():
        if r["type"] == "response" and r["request_in"]:
            req = [q for (f, _), q in rows.items() if f == int(r["request_in"]) and q["type"] == "request"
                   and q["request_id"] == r["request_id"]]
            if not req or req[0]["command"] != r["command"]:
                failures.append(f"{label} frame {frame}: request_in {r['request_in']} is not its request")
            if not r["time"] or float(r["time"]) < 0:
                failures.append(f"{label} frame {frame}: c3p.time {r['time']!r}")
        if (r["code"] == "failure") != ("c3p.failure" in r["experts"]) and r["type"] == "response":
            failures.append(f"{label} frame {frame}: code {r['code']} but experts {sorted(r['experts'])}")
    return failures


def main():
    a = arguments(("--write", dict(action="store_true",
                                   help="write the -2 view as the expected file (review it before committing)")))
    if a.write:
        with open(a.expected, "w") as f:
            f.write("frame\t" + "\t".join(COLUMNS) + "\n")
            for (frame, _), r in sorted(messages(a, True).items()):
                r = dict(r, experts=",".join(sorted(r["experts"])))
                f.write(f"{frame}\t" + "\t".join(r[c] for c in COLUMNS) + "\n")
        return 0

    with open(a.expected, newline="") as f:
        expected = {}
        counts = {}
        for r in csv.DictReader(f, delimiter="\t"):
            frame = int(r["frame"])
            counts[frame] = counts.get(frame, -1) + 1
            r["experts"] = set(filter(None, r["experts"].split(",")))
            expected[(frame, counts[frame])] = r

    failures = []
    for two_pass in (True, False):
        label = "-2" if two_pass else "one pass"
        got = messages(a, two_pass)
        failures += invariants(got, label)
        for key in sorted(set(got) | set(expected)):
            want = expected.get(key)
            if want and not two_pass:
                want = dict(want, response_in="", experts=want["experts"] - {"c3p.no_response"})
            have = got.get(key)
            if not want or not have:
                failures.append(f"{label} frame {key[0]} message {key[1]}: got {have}, expected {want}")
                continue
            for col in COLUMNS:
                if have[col] != want[col]:
                    failures.append(f"{label} frame {key[0]} message {key[1]} {col}: got {have[col]!r}, "
                                    f"expected {want[col]!r}")
    return finish(a, failures, f"{len(expected)} expected C3P messages")


if __name__ == "__main__":
    sys.exit(main())
