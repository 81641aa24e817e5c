#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture test of the lbidle analysis: runs the real tshark with the plugin,
with -2 and in one pass, and compares what it concludes per VIP with an
expected file (tests/capture/expected/<capture>.lbidle): one tab-separated row
per VIP:port whose idle timer the capture bounds,

  vip  vip_port  behaviour  cuts  lower_bound  upper_bound  confidence  frames

(behaviour and confidence as the field values, bounds in seconds, frames the
number of frames lbidle marks with -2); no rows for a capture that must stay
quiet. One pass marks a cut's frames only once the timer is claimed, with
the bounds known so far: it marks at most the frames -2 marks, with the same
behaviour, and its last frame of each VIP holds bounds that the whole capture
can only narrow (lower bound at most, upper bound at least the -2 value) and
at most as many cuts. With --tolerance S the bounds may differ by S seconds and the
frame count is not compared (fresh lab captures: new timing)."""
import sys

from checklib import arguments, field_rows, finish

HEADER = "# vip\tvip_port\tbehaviour\tcuts\tlower_bound\tupper_bound\tconfidence\tframes (with -2)\n"
FIELDS = ["frame.number", "lbidle.vip", "lbidle.vip.v6", "lbidle.vip_port", "lbidle.behaviour", "lbidle.cuts",
          "lbidle.lower_bound", "lbidle.upper_bound", "lbidle.confidence"]


def conclusions(rows):
    """{(vip, port): [behaviour, cuts, lower, upper, confidence, frames]} from the last row of each VIP.
    behaviour: the most frequent per-cut value across the VIP's frames."""
    out, behaviours = {}, {}
    for r in rows:
        key = (r[1], r[2])
        frames = out.get(key, [0] * 6)[5] + 1
        out[key] = [None, r[4], r[5], r[6], r[7], frames]
        behaviours.setdefault(key, []).append(r[3])
    for key, b in behaviours.items():
        out[key][0] = max(sorted(set(b)), key=b.count)
    return out


def compare_so_far(got, want, tolerance, failures):
    """One pass: the state when each VIP's last frame was dissected."""
    slack = tolerance or 0.0
    for key in sorted(set(got) | set(want)):
        g, w = got.get(key), want.get(key)
        if not g or not w:
            failures.append(f"one pass {key}: got {g}, expected {w}")
            continue
        if g[0] != w[0]:
            failures.append(f"one pass {key} behaviour: got {g[0]!r}, expected {w[0]!r}")
        if not 2 <= int(g[1]) <= int(w[1]):
            failures.append(f"one pass {key} cuts: got {g[1]}, expected 2 to {w[1]}")
        if float(g[2]) > float(w[2]) + slack or float(g[3]) < float(w[3]) - slack:
            failures.append(f"one pass {key}: bounds {g[2]}-{g[3]} narrower than the whole capture's {w[2]}-{w[3]}")


def compare(label, got, want, tolerance, failures):
    for key in sorted(set(got) | set(want)):
        g, w = got.get(key), want.get(key)
        if not g or not w:
            failures.append(f"{label} {key}: got {g}, expected {w}")
            continue
        for i, name in enumerate(("behaviour", "cuts", "lower_bound", "upper_bound", "confidence", "frames")):
            if name == "frames" and tolerance is not None:
                continue
            if name in ("lower_bound", "upper_bound") and tolerance is not None:
                if abs(float(g[i]) - float(w[i])) > tolerance:
                    failures.append(f"{label} {key} {name}: got {g[i]}, expected {w[i]} +- {tolerance}")
            elif str(g[i]) != str(w[i]):
                failures.append(f"{label} {key} {name}: got {g[i]!r}, expected {w[i]!r}")


def main():
    a = arguments(("--tolerance", dict(type=float, help="seconds the bounds may differ (fresh captures)")),
                  ("--write", dict(action="store_true", help="write the -2 conclusions (review before committing)")))
    # one VIP column: the IPv4 or the IPv6 field, whichever the frame has
    two = [[r[0], r[1] + r[2], *r[3:]] for r in field_rows(a, "lbidle", FIELDS, True)]
    one = [[r[0], r[1] + r[2], *r[3:]] for r in field_rows(a, "lbidle", FIELDS, False)]
    if a.write:
        with open(a.expected, "w") as f:
            f.write(HEADER)
            for key, v in conclusions(two).items():
                f.write("\t".join([*key, *map(str, v)]) + "\n")
        return 0
    with open(a.expected) as f:
        want = {}
        for line in f.read().splitlines():
            if line and not line.startswith("#"):
                r = line.split("\t")
                want[(r[0], r[1])] = [r[2], r[3], r[4], r[5], r[6], int(r[7])]
    failures = []
    compare("-2", conclusions(two), want, a.tolerance, failures)
    compare_so_far(conclusions(one), want, a.tolerance, failures)
    frames_two = {r[0] for r in two}
    extra = [r[0] for r in one if r[0] not in frames_two]
    if extra:
        failures.append(f"one pass marks frames -2 does not: {extra}")
    return finish(a, failures, f"{len(want)} VIPs with a bounded idle timer, {len(two)} frames with -2")


if __name__ == "__main__":
    sys.exit(main())
