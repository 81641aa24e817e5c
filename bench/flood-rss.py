#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""flood-rss.py [--packets N] — the memory benchmark of issue 5 (not a test).

Builds two floods (cached in /tmp/mcudiag-bench): N SYNs to one VIP that are
never answered (distinct client addresses and ports), and N foreign SYN-ACKs
that no SYN asked for (backscatter). Runs tshark one pass with the plugin and
with no plugin (bench/run-tshark-bench, /usr/bin/time) and prints peak RSS and
the ratio (target: within 10 %). The tracker's own cap is asserted by the unit
tests (tests/unit/lbsnat_track_test.c, a million SYNs and SYN-ACKs).
"""
import argparse
import os
import struct
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import importlib.util  # noqa: E402

spec = importlib.util.spec_from_file_location("mix", os.path.join(here, "make-mix.py"))
mix = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mix)

VIP, MEMBER = "10.137.2.11", "10.137.2.13"


def flood(path, n, kind):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            client = f"10.{100 + (i >> 16) % 100}.{(i >> 8) & 255}.{i & 255}"
            port = 1024 + i % 60000
            if kind == "syn":
                pkt = mix.tcp(client, VIP, port, 444, i * 7919, 0, 0x02)
            else:
                pkt = mix.tcp(MEMBER, client, 444, port, i * 7919, i * 104729 + 1, 0x12)
            ns = 1_700_000_000_000_000_000 + i * 10_000  # 100,000 packets/s
            f.write(struct.pack("<IIII", ns // 10**9, ns % 10**9, len(pkt), len(pkt)) + pkt)


def peak_rss(plugin, pcap, cache):
    timing = os.path.join(cache, "flood.time")
    env = dict(os.environ, BENCH_TIME_FILE=timing, MCUDIAG_BENCH_DIR=cache)
    subprocess.run([os.path.join(here, "run-tshark-bench"), plugin, "-r", pcap], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    wall, user, sys_, rss = open(timing).read().split()
    return int(rss) / 1024, float(user) + float(sys_)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--plugin", default=os.path.join(here, "..", "build", "plugin", "mcudiag.so"))
    a = ap.parse_args()
    cache = os.environ.get("MCUDIAG_BENCH_DIR", "/tmp/mcudiag-bench")
    os.makedirs(cache, exist_ok=True)
    os.chmod(cache, 0o755)
    print(f"{'flood':<18} {'plugin MB':>10} {'none MB':>10} {'ratio':>7} {'plugin cpu s':>13} {'none cpu s':>11}")
    for kind in ("syn", "synack"):
        pcap = os.path.join(cache, f"flood-{kind}-{a.packets}.pcap")
        if not os.path.exists(pcap):
            flood(pcap, a.packets, kind)
            os.chmod(pcap, 0o644)
        with_plugin = peak_rss(os.path.abspath(a.plugin), pcap, cache)
        without = peak_rss("none", pcap, cache)
        print(f"{kind + ' x ' + str(a.packets):<18} {with_plugin[0]:>10.0f} {without[0]:>10.0f} "
              f"{with_plugin[0] / without[0]:>7.3f} {with_plugin[1]:>13.2f} {without[1]:>11.2f}")


if __name__ == "__main__":
    main()
