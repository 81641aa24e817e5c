#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mcudiag-batch on a capture cut into ring files of N packets (every
boundary for N=1: between a SYN and its SYN-ACK, a join and its failure;
--chunks 1000: every file a chunk of its own, every boundary a chunk boundary)
gives the findings and counts of the whole file; an empty file, a non-capture
file and a truncated file each get a plain message and the rest a result;
a set mixing link types (one file made raw IP: Ethernet headers cut off by
editcap) gets a message and the same findings."""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def key(doc, names):
    """Findings as comparable values, frames as global frame numbers."""
    out = []
    for f in doc["findings"]:
        g = {k: v for k, v in f.items() if k not in ("frames", "reset_frames", "joins", "member_views")}
        for k in ("frames", "reset_frames"):
            g[k] = [names(x) for x in f.get(k, [])]
        g["joins"] = [(names(j["frame"]), j["status"]) for j in f.get("joins", [])]
        out.append(g)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--sizes", default="1,4")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    env = dict(os.environ, MCUDIAG_TSHARK=f"{a.runner} {a.plugin}")
    failures = []
    for pcap in a.pcaps:
        whole = json.loads(subprocess.run([a.runner, a.plugin, "-r", pcap, "-q", "-z", "mcudiag,json"], check=True,
                                          capture_output=True, text=True).stdout)
        want = key(whole, lambda x: x["frame"])
        frames = whole["captures"][0]["frames"]
        for size in map(int, a.sizes.split(",")):
            with tempfile.TemporaryDirectory() as d:
                starts = {}
                for i, first in enumerate(range(1, frames + 1, size)):
                    name = f"ring_{i:05d}.pcapng"
                    subprocess.run(["tshark", "-r", pcap, "-Y", f"frame.number >= {first} && frame.number < "
                                    f"{first + size}", "-F", "pcapng", "-w", os.path.join(d, name)], check=True,
                                   capture_output=True)
                    starts[name] = first - 1
                extra = []
                if size > 1:  # the second file as raw IP: the set mixes link types
                    second = os.path.join(d, "ring_00001.pcapng")
                    subprocess.run(["editcap", "-C", "14", "-T", "rawip", second, second + ".raw"], check=True,
                                   capture_output=True)
                    os.replace(second + ".raw", second)
                    extra = ["mixes link types"]
                if size == 1:  # bad files among the good ones
                    open(os.path.join(d, "empty.pcapng"), "wb").close()
                    with open(os.path.join(d, "notes.pcapng"), "w") as f:
                        f.write("not a capture\n")
                    with open(os.path.join(pcap), "rb") as src, open(os.path.join(d, "cut.pcapng"), "wb") as dst:
                        dst.write(src.read()[:-7])
                    extra = ["empty.pcapng", "notes.pcapng", "cut.pcapng"]
                out = os.path.join(d, "merged.json")
                r = subprocess.run([sys.executable, a.batch, "-j", "2", "--chunks", "1000", "--json", out, d], env=env,
                                   capture_output=True, text=True)
                label = f"{os.path.basename(pcap)} in files of {size}"
                for name in extra:
                    if name not in r.stderr:
                        failures.append(f"{label}: no message about {name}: {r.stderr}")
                if r.returncode != 0 or not os.path.exists(out):
                    failures.append(f"{label}: mcudiag-batch failed: {r.stderr}")
                    continue
                got = key(json.load(open(out)), lambda x: starts.get(x.get("file"), 0) + x["frame"])
                if got != want:
                    failures.append(f"{label}: findings differ:\n  whole: {want}\n  split: {got}")
                if "=== mcudiag" not in r.stdout:
                    failures.append(f"{label}: no text report")
    for f in failures:
        print("FAIL", f)
    print(f"{len(a.pcaps)} captures, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
