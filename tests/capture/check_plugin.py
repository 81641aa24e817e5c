#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin loads into the distribution's tshark, exports only the loader's
symbols (the four of every version, and plugin_describe from 4.4, so that
`tshark -G plugins` names its type), and registers the contract's protocols, fields and experts
(../shared/DESIGN.md: other tools rely on these names)."""
import argparse
import re
import subprocess
import sys

CONTRACT = {
    "lbsnat": ["lbsnat.vip", "lbsnat.vip_port", "lbsnat.member", "lbsnat.client", "lbsnat.syn_frame",
               "lbsnat.synack_frame", "lbsnat.rst_frame", "lbsnat.missing_snat"],
}
# Typed fields: addresses as addresses (one field per family), ports as ports.
TYPES = {f"lbsnat.{name}{suffix}": ftype
         for name in ("vip", "member", "client", "member_view.client", "member_view.member")
         for suffix, ftype in ((".v6", "FT_IPv6"), ("", "FT_IPv4"))}
TYPES.update({f"lbsnat.{name}": "FT_UINT16" for name in ("vip_port", "member_port", "client_port",
                                                          "member_view.member_port")})
EXPORTS = {"plugin_register", "plugin_version", "plugin_want_major", "plugin_want_minor"}
DESCRIBED_FROM = (4, 4)  # plugin_describe() and WS_PLUGIN_DESC_* (wsutil/plugins.h)


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    a = ap.parse_args()
    failures = []
    version = re.search(r"(\d+)\.(\d+)\.\d+", run([a.runner, a.plugin, "--version"]).splitlines()[0])
    described = (int(version[1]), int(version[2])) >= DESCRIBED_FROM
    expected_exports = EXPORTS | ({"plugin_describe"} if described else set())

    exported = {line.split()[-1] for line in run(["nm", "-D", "--defined-only", a.plugin]).splitlines()}
    if exported != expected_exports:
        failures.append(f"exported symbols {sorted(exported)}, expected {sorted(expected_exports)}")

    listed = [line.split("\t") for line in run([a.runner, a.plugin, "-G", "plugins"]).splitlines()
              if line.split("\t")[0].strip() == "mcudiag.so"]
    if not listed:
        failures.append("tshark -G plugins does not list mcudiag.so")
    elif described and "dissector" not in listed[0][2]:
        failures.append(f"tshark -G plugins lists mcudiag.so as type {listed[0][2].strip()!r}, not a dissector")

    protocols = {line.split("\t")[2] for line in run([a.runner, a.plugin, "-G", "protocols"]).splitlines()}
    fields = {line.split("\t")[2]: line.split("\t")[3]
              for line in run([a.runner, a.plugin, "-G", "fields"]).splitlines() if line.startswith("F\t")}
    for name, ftype in TYPES.items():
        if fields.get(name) != ftype:
            failures.append(f"field {name} is {fields.get(name, 'not registered')}, not {ftype}")
    for proto, names in CONTRACT.items():
        if proto not in protocols:
            failures.append(f"protocol {proto} not registered")
        for name in names:
            if name not in fields:
                failures.append(f"field {name} not registered")
        for name in fields:
            if name.startswith(proto + ".") and name != name.lower():
                failures.append(f"field {name} is not lower case")

    for f in failures:
        print("FAIL", f)
    print(f"tshark {version[0]}: {len(exported)} exported symbols, {len(fields)} fields checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
