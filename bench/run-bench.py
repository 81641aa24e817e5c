#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""run-bench.py [--sizes 100k,1M,4M] [--runs 3] [--modes onepass,twopass,report] [--no-core]

One command for the whole benchmark (see README.md):
  1. builds the plugin in build-bench/ (cmake, RelWithDebInfo) and the
     tracker microbenchmark in build-bench-core/;
  2. makes the captures with make-mix.py (cached in $MCUDIAG_BENCH_DIR,
     default /tmp/mcudiag-bench; only missing ones are made);
  3. for each size and mode, N rounds; each round runs, one after the other
     (never in parallel, the starting variant rotating per round):
       plugin    tshark with the freshly built mcudiag.so
       disabled  the same, with every protocol the plugin registers disabled
                 (found by diffing `tshark -G protocols` with and without it)
       none      tshark from a private HOME with no personal plugin
     measuring tshark alone with /usr/bin/time -f '%e %U %S %M';
  4. prints medians (wall, CPU = user + sys, peak RSS), the ratios
     plugin/disabled and plugin/none, per-packet scaling with the plugin, and
     the tracker microbenchmark's events/s; writes results.json and
     results.md to the cache directory.
Modes:
  onepass  tshark -r F                (summary lines to /dev/null)
  twopass  tshark -r F -2             (summary lines to /dev/null)
  report   tshark -r F -q -z mcudiag  (for "none", which has no such tap: -r F -q -z io,stat,0,
           a stock tap that also makes tshark dissect every frame without a tree)
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNNER = os.path.join(HERE, "run-tshark-bench")
SIZES = {"100k": 100_000, "1M": 1_000_000, "4M": 4_000_000}
VARIANTS = ("plugin", "disabled", "none")
MODES = {
    "onepass": ([], []),
    "twopass": (["-2"], ["-2"]),
    "report": (["-q", "-z", "mcudiag"], ["-q", "-z", "io,stat,0"]),
}
STARTUP_SIZE = "1000"  # a tiny capture: tshark's fixed start-up cost


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build(build_dir, core_dir):
    sh(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], stdout=subprocess.DEVNULL)
    sh(["cmake", "--build", build_dir, "--target", "mcudiag", "-j2"], stdout=subprocess.DEVNULL)
    sh(["cmake", "-S", HERE, "-B", core_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], stdout=subprocess.DEVNULL)
    sh(["cmake", "--build", core_dir, "-j2"], stdout=subprocess.DEVNULL)


def plugin_protocols(plugin):
    def protos(p):
        out = sh([RUNNER, p, "-G", "protocols"], capture_output=True, text=True).stdout
        return {line.split("\t")[2] for line in out.splitlines() if line.count("\t") >= 2}
    return sorted(protos(plugin) - protos("none"))


def measure(cache, plugin, variant, capture, mode, disable):
    args_plugin, args_none = MODES[mode]
    cmd = [RUNNER, "none" if variant == "none" else plugin, "-r", capture]
    cmd += args_none if variant == "none" else args_plugin
    if variant == "disabled":
        for p in disable:
            cmd += ["--disable-protocol", p]
    tfile = os.path.join(cache, "time.out")
    env = dict(os.environ, BENCH_TIME_FILE=tfile, MCUDIAG_BENCH_DIR=cache)
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    wall, user, system, rss = open(tfile).read().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(system), "rss_mb": int(rss) / 1024}


def med(rows, key):
    return statistics.median(r[key] for r in rows)


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    tshark = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"date": subprocess.run(["date"], capture_output=True, text=True).stdout.strip(),
            "nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(), "tshark": tshark}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100k,1M,4M")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--cache", default=os.environ.get("MCUDIAG_BENCH_DIR", "/tmp/mcudiag-bench"))
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--core-build-dir", default=os.path.join(ROOT, "build-bench-core"))
    ap.add_argument("--no-build", action="store_true", help="use the existing builds")
    ap.add_argument("--no-core", action="store_true", help="skip the tracker microbenchmark")
    ap.add_argument("--report-only", action="store_true",
                    help="print the tables of the last (possibly partial) results.json again")
    a = ap.parse_args()
    sizes = a.sizes.split(",")
    modes = a.modes.split(",")
    if a.report_only:
        results = json.load(open(os.path.join(a.cache, "results.json")))
        sizes = [s for s in sizes if any(k.startswith(s + "/") for k in results["cells"])]
        print(report_markdown(results, sizes, modes))
        return
    for m in modes:
        if m not in MODES:
            sys.exit(f"unknown mode {m}")

    if not a.no_build:
        build(a.build_dir, a.core_build_dir)
    plugin = os.path.join(a.build_dir, "plugin", "mcudiag.so")
    os.makedirs(a.cache, exist_ok=True)
    sh([sys.executable, os.path.join(HERE, "make-mix.py"), "--outdir", a.cache, "--sizes",
        ",".join([STARTUP_SIZE] + sizes)])
    # nobody (tshark's user when run as root) must read the captures
    os.chmod(a.cache, 0o755)
    for f in os.listdir(a.cache):
        if f.endswith(".pcap"):
            os.chmod(os.path.join(a.cache, f), 0o644)

    disable = plugin_protocols(plugin)
    info = machine()
    print(f"# {info['date']} | {info['nproc']} cores, {info['cpu']} | {info['tshark']}")
    print(f"# plugin protocols disabled in 'disabled': {', '.join(disable) or '(none found)'}")
    print(f"# {a.runs} runs per cell, medians; CPU = user + sys; RSS = peak resident set", flush=True)

    results = {"machine": info, "disabled_protocols": disable, "runs": a.runs, "cells": {}, "startup": {}}

    def cap(size):
        return os.path.join(a.cache, f"bench-mix-{size}.pcap")

    # Start-up cost per mode (plugin variant, tiny capture), to correct per-packet figures.
    for mode in modes:
        rows = [measure(a.cache, plugin, "plugin", cap(STARTUP_SIZE), mode, disable) for _ in range(a.runs)]
        results["startup"][mode] = {"wall": med(rows, "wall"), "cpu": med(rows, "cpu")}

    for size in sizes:
        with open(cap(size), "rb") as f:  # warm the page cache
            while f.read(1 << 24):
                pass
        for mode in modes:
            rows = {v: [] for v in VARIANTS}
            for i in range(a.runs):
                order = VARIANTS[i % 3:] + VARIANTS[:i % 3]
                for v in order:
                    rows[v].append(measure(a.cache, plugin, v, cap(size), mode, disable))
            cell = {v: {k: med(rows[v], k) for k in ("wall", "cpu", "rss_mb")} for v in VARIANTS}
            cell["raw"] = rows
            results["cells"][f"{size}/{mode}"] = cell
            with open(os.path.join(a.cache, "results.json"), "w") as f:  # after every cell
                json.dump(results, f, indent=1)
            p, d, n = cell["plugin"], cell["disabled"], cell["none"]
            print(f"{size:>4} {mode:8} " + "  ".join(
                f"{v}: {cell[v]['wall']:6.2f}s wall {cell[v]['cpu']:6.2f}s cpu {cell[v]['rss_mb']:6.0f}MB"
                for v in VARIANTS)
                + f" | plugin/disabled cpu {p['cpu'] / d['cpu']:.3f} rss {p['rss_mb'] / d['rss_mb']:.3f}"
                + f" | plugin/none cpu {p['cpu'] / n['cpu']:.3f} rss {p['rss_mb'] / n['rss_mb']:.3f}", flush=True)

    core = None
    if not a.no_core:
        exe = os.path.join(a.core_build_dir, "tracker-events")
        out = sh([exe], capture_output=True, text=True).stdout
        print(out, end="")
        core = out
        results["tracker_events"] = out

    md = report_markdown(results, sizes, modes)
    print()
    print(md)
    with open(os.path.join(a.cache, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(a.cache, "results.md"), "w") as f:
        f.write(md + ("\n```\n" + core + "```\n" if core else ""))
    print(f"(written to {a.cache}/results.json and results.md)")


def report_markdown(results, sizes, modes):
    info = results["machine"]
    lines = [f"Measured {info['date']} on {info['nproc']} cores, {info['cpu']}, kernel {info['kernel']}, "
             f"{info['tshark']}; {results['runs']} runs per cell, medians.", "",
             "| size | mode | variant | wall s | CPU s | peak RSS MB |",
             "|---|---|---|---:|---:|---:|"]
    for size in sizes:
        for mode in modes:
            cell = results["cells"].get(f"{size}/{mode}")
            if not cell:
                continue
            for v in VARIANTS:
                c = cell[v]
                lines.append(f"| {size} | {mode} | {v} | {c['wall']:.2f} | {c['cpu']:.2f} | {c['rss_mb']:.0f} |")
    lines += ["", "| size | mode | CPU plugin/disabled | CPU plugin/none | wall plugin/disabled | wall plugin/none "
              "| RSS plugin/disabled | RSS plugin/none |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        for mode in modes:
            cell = results["cells"].get(f"{size}/{mode}")
            if not cell:
                continue
            p, d, n = cell["plugin"], cell["disabled"], cell["none"]
            lines.append(f"| {size} | {mode} | {p['cpu'] / d['cpu']:.3f} | {p['cpu'] / n['cpu']:.3f} | "
                         f"{p['wall'] / d['wall']:.3f} | {p['wall'] / n['wall']:.3f} | "
                         f"{p['rss_mb'] / d['rss_mb']:.3f} | {p['rss_mb'] / n['rss_mb']:.3f} |")
    # scaling with the plugin
    lines += ["", "Scaling with the plugin: CPU µs per packet (raw, and net of the start-up cost measured on a "
              f"{STARTUP_SIZE}-packet capture).", "",
              "| mode | start-up CPU s | " + " | ".join(f"{s} raw | {s} net" for s in sizes)
              + (" | 4M/1M raw | 4M/1M net |" if "1M" in sizes and "4M" in sizes else " |"),
              "|---|---:|" + "---:|" * (2 * len(sizes)) + ("---:|---:|" if "1M" in sizes and "4M" in sizes else "")]
    for mode in modes:
        st = results["startup"][mode]["cpu"]
        per = {}
        row = f"| {mode} | {st:.2f} |"
        for s in sizes:
            cell = results["cells"].get(f"{s}/{mode}")
            if not cell:
                row += " | |"
                continue
            n = SIZES.get(s) or int(s)
            raw = cell["plugin"]["cpu"] / n * 1e6
            net = (cell["plugin"]["cpu"] - st) / n * 1e6
            per[s] = (raw, net)
            row += f" {raw:.2f} | {net:.2f} |"
        if "1M" in per and "4M" in per:
            row += f" {per['4M'][0] / per['1M'][0]:.3f} | {per['4M'][1] / per['1M'][1]:.3f} |"
        lines.append(row)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
