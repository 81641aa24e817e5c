#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every plugin field (c3p, c3pconn, sipconf, lbsnat, lbidle, lbdsr, lbhairpin
in `tshark -G fields`) comes out typed and once in -T json, -T ek and
-G elastic-mapping; --require names protocols each of whose fields the
captures must show at least once (so a new field is checked on the wire). The type
each field must have is derived from its Wireshark type (-G fields), so a
field that becomes FT_IPv4/FT_IPv6 must then come out as an address
everywhere: numbers as numbers (or digit strings, which is how -T json and
4.0's -T ek write them), addresses as addresses (MACs as MACs), booleans as
booleans."""
import argparse
import ipaddress
import json
import re
import subprocess
import sys

PROTOCOLS = ("c3p", "c3pconn", "sipconf", "lbsnat", "lbidle", "lbdsr", "lbhairpin")
# The XML tree of a C3P message: sibling elements of one name (four <mcuType>)
# are four items, not one field written twice.
REPEATED_BY_DESIGN = {"c3p.element", "c3p.attribute"}


def kind_of(ftype):
    if ftype.startswith(("FT_UINT", "FT_INT")) or ftype == "FT_FRAMENUM":
        return "number"
    if ftype in ("FT_IPv4", "FT_IPv6"):
        return "ip"
    if ftype == "FT_ETHER":
        return "ether"
    if ftype == "FT_BOOLEAN":
        return "boolean"
    if ftype in ("FT_RELATIVE_TIME", "FT_ABSOLUTE_TIME"):
        return "time"
    if ftype in ("FT_STRING", "FT_STRINGZ"):
        return "string"
    return None  # FT_NONE, FT_PROTOCOL: labels, no value


MAPPING = {  # what -G elastic-mapping may say for each kind (strings are not mapped by 4.0: text by default)
    # 64-bit unsigned: "unsigned_long" up to 4.4, "unsigned long" from 4.6 (its own frame and tcp fields too)
    "number": {"byte", "short", "integer", "long", "unsigned_long", "unsigned long"},
    "ip": {"ip"},
    "ether": {None, "text", "keyword"},  # no Wireshark version maps Ethernet addresses (eth.src neither)
    "boolean": {"boolean"},
    "time": {"date", "float", "double"},
    "string": {None, "text", "keyword"},
}


def value_ok(kind, v, ek):
    if kind == "number":
        return isinstance(v, int) and not isinstance(v, bool) or isinstance(v, str) and v.lstrip("-").isdigit()
    if kind == "ip":
        try:
            ipaddress.ip_address(v)
            return True
        except (ValueError, TypeError):
            return False
    if kind == "ether":
        return isinstance(v, str) and re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", v) is not None
    if kind == "boolean":
        return isinstance(v, bool) if ek else v in ("0", "1", "True", "False", "true", "false")
    return isinstance(v, (str, int, float))


def duplicates_hook(found):
    def hook(pairs):
        keys = [k for k, _ in pairs]
        for k in set(keys):
            if keys.count(k) > 1 and k.split(".")[0] in PROTOCOLS and k not in REPEATED_BY_DESIGN:
                same = [v for kk, v in pairs if kk == k]
                if any(same.count(x) > 1 for x in same):
                    found.add(k)
        return dict(pairs)
    return hook


def values(obj, want):
    """(key, value) of every key in want, anywhere in obj."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in want:
                for x in (v if isinstance(v, list) else [v]):
                    yield k, x
            else:
                yield from values(v, want)
    elif isinstance(obj, list):
        for x in obj:
            yield from values(x, want)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--require", default="", help="protocols whose every field the captures must show")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    run = lambda *args: subprocess.run([a.runner, a.plugin, *args], check=True, capture_output=True,
                                       text=True).stdout
    fields = {}
    for line in run("-G", "fields").splitlines():
        col = line.split("\t")
        if col[0] == "F" and col[4] in PROTOCOLS and kind_of(col[3]):
            fields[col[2]] = (col[3], kind_of(col[3]))
    failures = []
    if len(fields) < 40:
        failures.append(f"only {len(fields)} plugin fields in -G fields")

    mapping = json.loads(run("-G", "elastic-mapping", "--elastic-mapping-filter", ",".join(PROTOCOLS)))
    layers = mapping["mappings"]["properties"]["layers"]["properties"]
    for name, (ftype, kind) in fields.items():
        ek_name = f"{name.split('.')[0]}_{name.replace('.', '_')}"
        mapped = layers.get(name.split(".")[0], {}).get("properties", {}).get(ek_name, {}).get("type")
        if mapped not in MAPPING[kind]:
            failures.append(f"-G elastic-mapping: {name} ({ftype}) is mapped as {mapped}")

    seen = set()
    ek_names = {f"{n.split('.')[0]}_{n.replace('.', '_')}": n for n in fields}
    for pcap in a.pcaps:
        dup = set()
        packets = json.loads(run("-r", pcap, "-T", "json", "-Y", " || ".join(PROTOCOLS)),
                             object_pairs_hook=duplicates_hook(dup))
        failures += [f"{pcap}: -T json: {k} twice with the same value in one tree" for k in sorted(dup)]
        for k, v in values(packets, fields):
            seen.add(k)
            if not value_ok(fields[k][1], v, False):
                failures.append(f"{pcap}: -T json: {k} ({fields[k][0]}) = {v!r}")
        for line in run("-r", pcap, "-T", "ek", "-Y", " || ".join(PROTOCOLS)).splitlines():
            doc = json.loads(line)
            for k, v in values(doc, ek_names):
                if not value_ok(fields[ek_names[k]][1], v, True):
                    failures.append(f"{pcap}: -T ek: {ek_names[k]} ({fields[ek_names[k]][0]}) = {v!r}")
    if len(seen) < len(fields) // 2:
        failures.append(f"the captures show only {len(seen)} of {len(fields)} plugin fields")
    required = set(filter(None, a.require.split(",")))
    for name in sorted(n for n in fields if n.split(".")[0] in required and n not in seen):
        failures.append(f"no capture shows {name} ({fields[name][0]}): its type is unchecked")
    for f in sorted(set(failures))[:60]:
        print("FAIL", f)
    print(f"{len(fields)} plugin fields, {len(seen)} seen in {len(a.pcaps)} captures, {len(set(failures))} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
