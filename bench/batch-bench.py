#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""batch-bench.py [--packets 4M] [--files 40] [--jobs 1,2] [--repeat 1]

Not a test: wall time of scripts/mcudiag-batch over a capture set against one
tshark on the whole set (the mergecap of its files), for issue 20's target
(-j 2 at most 0.6 of the single tshark's wall time on 2 cores). The set is the
tcp mix of make-mix.py (--packets packets) cut into --files files by editcap.
Prints the wall times, mcudiag-batch's own steps (prepare: capinfos and the
chunk captures; chunks: the tshark runs under GNU parallel; merge) and the
speed-up per core, each run against the single tshark of its round (--repeat
rounds), and the median ratio. Wall times depend on what else the machine runs.

Two figures put a round's ratio in its place: the plan's floor (the share of
the set's packets the busiest chunk reads, its context included: what -j N
would take on a machine where N tsharks side by side each ran as fast as one
alone, before start-up, prepare and merge), and with --ideal, the merged file
cut into N equal parts read side by side (no context, no prepare, no merge:
what any split into N can do on this machine in that round).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def count(text):
    m = re.fullmatch(r"(\d+)([kM]?)", text)
    return int(m.group(1)) * {"": 1, "k": 1000, "M": 1000000}[m.group(2)]


def wall(cmd, env=None):
    t0 = time.time()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return time.time() - t0, r


def plan_floor(setdir, jobs, env):
    """The share of the set's packets that the busiest of mcudiag-batch's chunks reads, and the chunks."""
    with tempfile.TemporaryDirectory() as keep:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "mcudiag-batch"), "-j", str(jobs),
                        "--plan-only", "--keep", keep, setdir], env=env, check=True, capture_output=True)
        with open(os.path.join(keep, "manifest.json")) as f:
            manifest = json.load(f)
    total = sum(c["frames"] for c in manifest["captures"])
    read = [sum(p["frames"] - p["skipped"] for p in c["parts"]) for c in manifest["chunks"]]
    return max(read) / total, len(read)


def equal_parts(merged, parts, frames):
    """The merged file cut into `parts` files of equal packet counts (made once)."""
    size = -(-frames // parts)
    paths = []
    for i in range(parts):
        path = f"{merged[:-len('.pcap')]}-part{i + 1}of{parts}.pcap"
        if not os.path.exists(path):
            subprocess.run(["editcap", "-r", merged, path, f"{i * size + 1}-{min(frames, (i + 1) * size)}"],
                           check=True)
        paths.append(path)
    return paths


def side_by_side(runner, paths):
    """Wall time of one tshark per file, all started together."""
    t0 = time.time()
    procs = [subprocess.Popen([*runner, "-r", p, "-q", "-z", "mcudiag"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for p in paths]
    if any(p.wait() != 0 for p in procs):
        sys.exit("failed: a tshark on a part of the merged file")
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packets", default="4M")
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--plugin", default=os.path.join(ROOT, "build", "plugin", "mcudiag.so"))
    ap.add_argument("--ideal", action="store_true",
                    help="each round, also the merged file cut into N equal parts read side by side (N: the largest "
                         "--jobs)")
    a = ap.parse_args()
    base = os.environ.get("MCUDIAG_BENCH_DIR", "/tmp/mcudiag-batch-bench")
    os.makedirs(base, exist_ok=True)
    os.chmod(base, 0o755)
    n = count(a.packets)
    subprocess.run([sys.executable, os.path.join(HERE, "make-mix.py"), "--mix", "tcp", "--sizes", a.packets,
                    "--outdir", base], check=True)
    whole = os.path.join(base, f"bench-tcp-{a.packets}.pcap")
    setdir = os.path.join(base, f"batch-set-{n}-{a.files}")
    if not os.path.isdir(setdir):
        os.makedirs(setdir)
        subprocess.run(["editcap", "-c", str(-(-n // a.files)), whole, os.path.join(setdir, "ring.pcap")],
                       check=True)
        os.chmod(setdir, 0o755)
    merged = os.path.join(base, f"batch-merged-{n}-{a.files}.pcap")
    if not os.path.exists(merged):
        subprocess.run(["mergecap", "-F", "pcap", "-w", merged, *sorted(
            os.path.join(setdir, f) for f in os.listdir(setdir))], check=True)
    runner = [os.path.join(HERE, "run-tshark-bench"), a.plugin]
    env = dict(os.environ, MCUDIAG_TSHARK=" ".join(runner), MCUDIAG_BENCH_DIR=base)
    jobs = [int(j) for j in a.jobs.split(",")]
    parts = equal_parts(merged, max(jobs), n) if a.ideal else []
    rows = []
    for round_no in range(1, a.repeat + 1):
        single, _ = wall([*runner, "-r", merged, "-q", "-z", "mcudiag"], env)
        rows.append((round_no, "one tshark, merged file", 1, single, single, ""))
        if parts:
            rows.append((round_no, f"{len(parts)} equal parts side by side (no context, prepare or merge)",
                         len(parts), side_by_side(runner, parts), single, ""))
        for j in jobs:
            t, r = wall([sys.executable, os.path.join(ROOT, "scripts", "mcudiag-batch"), "-j", str(j), "--timings",
                         setdir], env)
            steps = "; ".join(line.split("timing: ")[1] for line in r.stderr.splitlines() if "timing: " in line)
            rows.append((round_no, f"mcudiag-batch -j {j}", j, t, single, steps))
    # Each run against the single tshark of its own round: this machine's
    # wall times drift by a third between rounds, less within one.
    print(f"{n} packets in {a.files} files; load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| round | run | wall s | / one tshark (same round) | speed-up per core | steps |")
    print("|---|---|---|---|---|---|")
    for round_no, name, j, t, single, steps in rows:
        print(f"| {round_no} | {name} | {t:.2f} | {t / single:.2f} | {single / t / j:.2f} | {steps} |")
    for j in jobs:
        ratios = [t / single for _, name, slots, t, single, _ in rows if slots == j and name.startswith("mcudiag")]
        floor, chunks = plan_floor(setdir, j, env)
        print(f"mcudiag-batch -j {j} / one tshark over {len(ratios)} round(s): median {statistics.median(ratios):.2f}, "
              f"range {min(ratios):.2f} to {max(ratios):.2f}; the plan's floor: the busiest of {chunks} chunk(s) "
              f"reads {floor:.3f} of the set")
    if parts:
        ratios = [t / single for _, name, _, t, single, _ in rows if name.endswith("(no context, prepare or merge)")]
        print(f"{len(parts)} equal parts side by side / one tshark: median {statistics.median(ratios):.2f}, "
              f"range {min(ratios):.2f} to {max(ratios):.2f}")

if __name__ == "__main__":
    sys.exit(main())
