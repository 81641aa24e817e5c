#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The diagnosis as JSON (-z mcudiag,json): for each capture, the document
validates against docs/mcudiag-report.schema.json and says what the text
report (-z mcudiag) says: the same numbered findings in the same order, the
same VIPs, counts and frames, the same notes. Skipped (77) without Python's
jsonschema (Debian: python3-jsonschema)."""
import argparse
import json
import re
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)

TITLES = {
    "failed-joins": "Conference joins failed",
    "failed-connections": "HTTPS connections to the conferencing port",
    "vip-without-snat": "Load balancer VIP ",
    "member-without-snat": "A client reset this member's SYN-ACK",
    "self-selection": "Load balancer VIP ",
    "direct-server-return": "Load balancer VIP ",
}


def frames_text(frames):
    numbers = [str(f["frame"]) for f in frames]
    shown = ", ".join(numbers[:8]) + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")
    return ("frame " if len(numbers) == 1 else "frames ") + shown


def check(doc, text, failures, label):
    numbered = [l for l in text.splitlines() if re.match(r"^\d+\. ", l)]
    findings = [f for f in doc["findings"] if "number" in f]
    if len(numbered) != len(findings):
        failures.append(f"{label}: {len(numbered)} numbered findings in the text, {len(findings)} in the JSON")
    for line, f in zip(numbered, findings):
        if not line.startswith(f"{f['number']}. {TITLES.get(f['kind'], '')}"):
            failures.append(f"{label}: finding {f['number']} is {f['kind']} in the JSON, the text says: {line}")
        if f["kind"] == "vip-without-snat":
            if f"VIP {f['endpoint']} " not in line or f"confidence {f['confidence']}" not in line:
                failures.append(f"{label}: VIP {f['endpoint']} / {f['confidence']} not in: {line}")
            n = f["attempts"]
            evidence = f"in {n} connection attempt{'' if n == 1 else 's'} (foreign SYN-ACKs in {frames_text(f['frames'])})"
            if evidence not in text:
                failures.append(f"{label}: the text lacks '{evidence}'")
        if f["kind"] == "failed-joins" and f"({f['count']} of {f['total']} join legs" not in line:
            failures.append(f"{label}: counts {f['count']}/{f['total']} not in: {line}")
        if f.get("fix") and f"Fix: {f['fix']}" not in text:
            failures.append(f"{label}: the text lacks the fix of finding {f['number']}")
    sweepers = [f for f in doc["findings"] if f["kind"] == "sweeper"]
    if len(sweepers) != text.count("Not conferencing: "):
        failures.append(f"{label}: sweeper notes differ")
    if any(f["kind"] == "no-fault" for f in doc["findings"]) != ("No fault found" in text):
        failures.append(f"{label}: 'no fault' differs")
    capture = doc["captures"][0]
    if not capture.get("frames") or "first_packet_time" not in capture:
        failures.append(f"{label}: the capture's identity is missing: {capture}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    with open(a.schema) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    failures = []
    for pcap in a.pcaps:
        for extra in ([], ["-2"]):
            label = f"{pcap}{' -2' if extra else ''}"
            run = lambda *z: subprocess.run([a.runner, a.plugin, "-r", pcap, "-q", *z, *extra], check=True,
                                            capture_output=True, text=True).stdout
            text = run("-z", "mcudiag")
            doc = json.loads(run("-z", "mcudiag,json"))
            failures += [f"{label}: schema: {e.message} at {list(e.absolute_path)}" for e in validator.iter_errors(doc)]
            check(doc, text, failures, label)
    for f in failures:
        print("FAIL", f)
    print(f"{len(a.pcaps)} captures, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
