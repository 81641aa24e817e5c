#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""run-bench.py [--mixes tcp,c3p-0.1,c3p-1,c3p-10] [--sizes 100k] [--runs 3] [--slice 10000]
               [--scaling 100k,1M,4M] [--twopass] [--no-callgrind] [--no-build] [--report-only]

What the plugin costs tshark, side by side in one run (see README.md):
  stock   tshark from a private HOME with no personal plugin
  xml     stock tshark decoding the C3P bodies with its XML dissector
          (-d 'media_type==application/cccp+xml,xml'): the baseline on
          captures with C3P, since decoding C3P is a feature of the plugin
  plugin  tshark with the freshly built mcudiag.so
on each mix (make-mix.py: tcp = a busy TCP-only mix, ordinary connections and
TLS, one missing-SNAT case per 1000 connections, no SIP or C3P; c3p-P = the
same with P % of the connections carrying C3P), one pass (`tshark -r F`,
summary lines to /dev/null; --twopass adds -2):
  1. builds the plugin in build-bench/ (cmake, RelWithDebInfo);
  2. makes the captures (cached in $MCUDIAG_BENCH_DIR, default /tmp/mcudiag-bench);
  3. CPU (user + sys) and peak RSS of tshark alone (/usr/bin/time), medians of
     --runs rounds, the variants one after the other, the first rotating;
  4. instructions per packet (valgrind callgrind, counting only inside
     epan_dissect_run_with_taps, i.e. the dissection of each packet with its
     postdissectors and taps, not start-up or file reading) on the first
     --slice packets: the figure to trust on shared cores;
  5. --scaling: CPU per packet of the plugin on the tcp mix at each size, and
     the ratios to stock (big sizes take minutes and gigabytes: run once);
  6. prints the tables and writes results.json / results.md to the cache.
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
VARIANTS = ("stock", "xml", "plugin")
XML_C3P = ["-d", "media_type==application/cccp+xml,xml"]


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build(build_dir):
    sh(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], stdout=subprocess.DEVNULL)
    sh(["cmake", "--build", build_dir, "--target", "mcudiag", "-j2"], stdout=subprocess.DEVNULL)


def capture(cache, mix, size):
    return os.path.join(cache, f"bench-mix-{size}.pcap" if mix == "pool" else f"bench-{mix}-{size}.pcap")


def make_captures(cache, mix, sizes):
    sh([sys.executable, os.path.join(HERE, "make-mix.py"), "--mix", mix, "--outdir", cache, "--sizes", ",".join(sizes)])
    os.chmod(cache, 0o777)  # nobody (tshark's user under root) reads captures and writes callgrind files
    for size in sizes:
        os.chmod(capture(cache, mix, size), 0o644)
        with open(capture(cache, mix, size), "rb") as f:  # warm the page cache
            while f.read(1 << 24):
                pass


def command(plugin, variant, pcap, extra):
    cmd = [RUNNER, plugin if variant == "plugin" else "none", "-r", pcap, *extra]
    return cmd + XML_C3P if variant == "xml" else cmd


def run(cmd, cache, env_extra):
    env = dict(os.environ, MCUDIAG_BENCH_DIR=cache, **env_extra)
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")


def measure_time(cache, cmd):
    tfile = os.path.join(cache, "time.out")
    run(cmd, cache, {"BENCH_TIME_FILE": tfile})
    wall, user, system, rss = open(tfile).read().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(system), "rss_mb": int(rss) / 1024}


def measure_instructions(cache, cmd, packets):
    out = os.path.join(cache, "callgrind.out")
    if os.path.exists(out):
        os.remove(out)
    wrap = f"valgrind --tool=callgrind --callgrind-out-file={out} --toggle-collect=epan_dissect_run_with_taps"
    run(cmd + ["-c", str(packets)], cache, {"BENCH_WRAP": wrap})
    for line in open(out):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1]) / packets
    sys.exit(f"no instruction count in {out}")


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    tshark = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(), "tshark": tshark}


def timed_cells(a, plugin, mix, size, modes, results):
    for mode, extra in modes.items():
        rows = {v: [] for v in VARIANTS}
        for i in range(a.runs):
            for v in VARIANTS[i % 3:] + VARIANTS[:i % 3]:
                rows[v].append(measure_time(a.cache, command(plugin, v, capture(a.cache, mix, size), extra)))
        cell = {v: {k: statistics.median(r[k] for r in rows[v]) for k in ("wall", "cpu", "rss_mb")} for v in VARIANTS}
        results["time"][f"{mix}/{size}/{mode}"] = cell
        print(f"{mix:8} {size:5} {mode:8} " + "  ".join(
            f"{v} {cell[v]['cpu']:.2f} s {cell[v]['rss_mb']:.0f} MB" for v in VARIANTS), flush=True)


def ratio(x, y):
    return f"{x / y:.3f}" if y else "-"


def report_markdown(results):
    info = results["machine"]
    out = [f"Measured {info['date']} on {info['nproc']} cores ({info['cpu']}), {info['tshark']}; "
           f"{results['runs']} runs per cell, medians; CPU = user + sys of tshark alone.", ""]
    if results["instructions"]:
        out += [f"Instructions per packet (callgrind, inside epan_dissect_run_with_taps, first {results['slice']} "
                "packets of each capture, one pass):", "",
                "| mix | stock | xml | plugin | plugin/stock | plugin/xml |", "|---|---:|---:|---:|---:|---:|"]
        for mix, c in results["instructions"].items():
            out.append(f"| {mix} | {c['stock']:.0f} | {c['xml']:.0f} | {c['plugin']:.0f} | "
                       f"{ratio(c['plugin'], c['stock'])} | {ratio(c['plugin'], c['xml'])} |")
        out.append("")
    if results["time"]:
        out += ["CPU and peak RSS (`/usr/bin/time`):", "",
                "| mix | size | mode | CPU s stock / xml / plugin | RSS MB stock / xml / plugin | "
                "CPU plugin/stock | CPU plugin/xml | RSS plugin/stock | RSS plugin/xml |",
                "|---|---|---|---|---|---:|---:|---:|---:|"]
        for key, c in results["time"].items():
            mix, size, mode = key.split("/")
            out.append(f"| {mix} | {size} | {mode} | "
                       f"{c['stock']['cpu']:.2f} / {c['xml']['cpu']:.2f} / {c['plugin']['cpu']:.2f} | "
                       f"{c['stock']['rss_mb']:.0f} / {c['xml']['rss_mb']:.0f} / {c['plugin']['rss_mb']:.0f} | "
                       f"{ratio(c['plugin']['cpu'], c['stock']['cpu'])} | {ratio(c['plugin']['cpu'], c['xml']['cpu'])} | "
                       f"{ratio(c['plugin']['rss_mb'], c['stock']['rss_mb'])} | "
                       f"{ratio(c['plugin']['rss_mb'], c['xml']['rss_mb'])} |")
        out.append("")
    scaling = [(k, c) for k, c in results["time"].items() if k.startswith("tcp/") and k.endswith("/onepass")]
    if len(scaling) > 1:
        out += ["Scaling on the tcp mix, one pass: CPU µs per packet.", "",
                "| size | stock | plugin | plugin/stock |", "|---|---:|---:|---:|"]
        for k, c in scaling:
            n = SIZES.get(k.split("/")[1]) or int(k.split("/")[1])
            out.append(f"| {k.split('/')[1]} | {c['stock']['cpu'] / n * 1e6:.2f} | {c['plugin']['cpu'] / n * 1e6:.2f} | "
                       f"{ratio(c['plugin']['cpu'], c['stock']['cpu'])} |")
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mixes", default="tcp,c3p-0.1,c3p-1,c3p-10")
    ap.add_argument("--sizes", default="100k", help="sizes timed on every mix")
    ap.add_argument("--scaling", default="", help="extra sizes timed on the tcp mix, e.g. 1M,4M")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slice", type=int, default=10000, help="packets counted by callgrind")
    ap.add_argument("--twopass", action="store_true", help="also time tshark -2")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--no-time", action="store_true", help="instructions only")
    ap.add_argument("--cache", default=os.environ.get("MCUDIAG_BENCH_DIR", "/tmp/mcudiag-bench"))
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--no-build", action="store_true", help="use the existing build")
    ap.add_argument("--report-only", action="store_true", help="print the tables of the last results.json again")
    a = ap.parse_args()
    results_path = os.path.join(a.cache, "results.json")
    if a.report_only:
        print(report_markdown(json.load(open(results_path))))
        return
    if not a.no_build:
        build(a.build_dir)
    plugin = os.path.join(a.build_dir, "plugin", "mcudiag.so")
    os.makedirs(a.cache, exist_ok=True)
    mixes = a.mixes.split(",")
    sizes = a.sizes.split(",")
    scaling = [s for s in a.scaling.split(",") if s and s not in sizes]
    modes = {"onepass": []}
    if a.twopass:
        modes["twopass"] = ["-2"]
    results = {"machine": machine(), "runs": a.runs, "slice": a.slice, "instructions": {}, "time": {}}
    print(f"# {results['machine']['date']} | {results['machine']['nproc']} cores, {results['machine']['cpu']} | "
          f"{results['machine']['tshark']}", flush=True)
    for mix in mixes:
        make_captures(a.cache, mix, sizes + (scaling if mix == "tcp" else []))
        if not a.no_callgrind:
            pcap = capture(a.cache, mix, sizes[0])
            cell = {v: measure_instructions(a.cache, command(plugin, v, pcap, []), a.slice) for v in VARIANTS}
            results["instructions"][mix] = cell
            print(f"{mix:8} instructions/packet: " + "  ".join(f"{v} {cell[v]:.0f}" for v in VARIANTS), flush=True)
        if not a.no_time:
            for size in sizes + (scaling if mix == "tcp" else []):
                timed_cells(a, plugin, mix, size, modes, results)
        json.dump(results, open(results_path, "w"), indent=1)
    text = report_markdown(results)
    open(os.path.join(a.cache, "results.md"), "w").write(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
