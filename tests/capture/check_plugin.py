#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin loads into the distribution's tshark, exports only the four
loader symbols, and registers the contract's protocols, fields and experts
(../shared/DESIGN.md: other tools rely on these names)."""
import argparse
import subprocess
import sys

CONTRACT = {
    "lbsnat": ["lbsnat.vip", "lbsnat.vip_port", "lbsnat.member", "lbsnat.client", "lbsnat.syn_frame",
               "lbsnat.synack_frame", "lbsnat.rst_frame", "lbsnat.missing_snat"],
}
EXPORTS = {"plugin_register", "plugin_version", "plugin_want_major", "plugin_want_minor"}


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    a = ap.parse_args()
    failures = []

    exported = {line.split()[-1] for line in run(["nm", "-D", "--defined-only", a.plugin]).splitlines()}
    if exported != EXPORTS:
        failures.append(f"exported symbols {sorted(exported)}, expected {sorted(EXPORTS)}")

    plugins = run([a.runner, a.plugin, "-G", "plugins"])
    if not any(line.startswith("mcudiag.so\t") or line.split()[0] == "mcudiag.so" for line in plugins.splitlines() if line):
        failures.append("tshark -G plugins does not list mcudiag.so")

    protocols = {line.split("\t")[2] for line in run([a.runner, a.plugin, "-G", "protocols"]).splitlines()}
    fields = {line.split("\t")[2] for line in run([a.runner, a.plugin, "-G", "fields"]).splitlines()
              if line.startswith("F\t")}
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
    print(f"{len(exported)} exported symbols, {len(fields)} fields checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
