#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mcudiag-batch on a capture cut into ring files of N packets (every
boundary for N=1: between a SYN and its SYN-ACK, a join and its failure;
--chunks 1000: every file a chunk of its own, every boundary a chunk boundary)
gives the findings and counts of the whole file; an empty file, a non-capture
file and a truncated file each get a plain message and the rest a result;
a set mixing link types (one file made raw IP: Ethernet headers cut off by
editcap) gets a message and the same findings.

--editcap SPLITS cuts with editcap instead ("c7": files of 7 packets, "i3":
of 3 seconds), and then the merged text must also be the whole file's text
(frames "<file>:<n>" read back as the whole file's numbers); --expect-kinds
names finding kinds the captures together must show (not a vacuous test).

Skipped (77) inside a version test (MCUDIAG_IN_VERSION_TEST, the suite in
the trixie and sid roots): cutting and merging is mcudiag-batch's and the
merge code's, the same on every version, and the host runs it; batch.json
checks each version's chunk reports."""
import argparse
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile


def key(doc, names):
    """Findings as comparable values, frames as global frame numbers."""
    out = []
    for f in doc["findings"]:
        lists = [k for k in f if k.endswith("frames")]
        g = {k: v for k, v in f.items() if k not in lists and k not in ("joins", "member_views")}
        for k in lists:
            g[k] = [names(x) for x in f[k]]
        g["joins"] = [(names(j["frame"]), j["status"]) for j in f.get("joins", [])]
        out.append(g)
    return out


def split_at(pcap, d, firsts, frames):
    """The capture cut into ring_<i>.pcapng files in d, each from one of the frame numbers `firsts` (the
    first is 1) to the next; the files' first frame numbers - 1, by name."""
    starts = {}
    for i, (first, end) in enumerate(zip(firsts, [*firsts[1:], frames + 1])):
        name = f"ring_{i:05d}.pcapng"
        subprocess.run(["tshark", "-r", pcap, "-Y", f"frame.number >= {first} && frame.number < {end}", "-F",
                        "pcapng", "-w", os.path.join(d, name)], check=True, capture_output=True)
        starts[name] = first - 1
    return starts


def split_editcap(pcap, d, spec):
    """The capture cut by editcap (-c packets or -i seconds per file): the files' first frame numbers - 1."""
    flag = {"c": "-c", "i": "-i"}[spec[0]]
    subprocess.run(["editcap", "-F", "pcapng", flag, spec[1:], pcap, os.path.join(d, "ring.pcapng")], check=True,
                   capture_output=True)
    starts, total = {}, 0
    for path in sorted(glob.glob(os.path.join(d, "ring_*.pcapng"))):
        starts[os.path.basename(path)] = total
        total += int(subprocess.run(["capinfos", "-c", "-M", "-T", "-r", path], check=True, capture_output=True,
                                    text=True).stdout.split("\t")[-1])
    return starts


def check_editcap(a, env, pcap, whole, whole_text, failures):
    want = key(whole, lambda x: x["frame"])
    for spec in a.editcap.split(","):
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)  # the work folder inside, for tshark run as another user
            starts = split_editcap(pcap, d, spec)
            out, work = os.path.join(d, "merged.json"), os.path.join(d, "work")
            before = len(failures)
            r = subprocess.run([sys.executable, a.batch, "-j", "2", "--chunks", "1000", "--overlap", str(a.overlap),
                                "--json", out, "--keep", work, *sorted(os.path.join(d, n) for n in starts)], env=env,
                               capture_output=True, text=True)
            label = f"{os.path.basename(pcap)} split by editcap {spec} into {len(starts)} files"
            if r.returncode != 0 or not os.path.exists(out):
                failures.append(f"{label}: mcudiag-batch failed: {r.stderr}")
                continue
            if a.expect_cut:
                with open(os.path.join(work, "manifest.json")) as f:
                    cut = [p for c in json.load(f)["chunks"] for p in c["parts"] if p.get("skipped")]
                if not cut:
                    failures.append(f"{label}: no chunk's context was cut at its window (the test tests nothing)")
            got = key(json.load(open(out)), lambda x: starts.get(x.get("file"), 0) + x["frame"])
            if got != want:
                failures.append(f"{label}: findings differ:\n  whole: {want}\n  split: {got}")
            text = re.sub(r"(ring_\d+[^\s:,;()]*\.pcapng):(\d+)", lambda m: str(starts[m[1]] + int(m[2])), r.stdout)
            if text != whole_text:
                failures.append(f"{label}: text differs:\n--- whole\n{whole_text}--- split\n{text}")
            if len(failures) == before:
                print(f"{label}: {[f['kind'] for f in whole['findings']]} the same")


def check_unjoinable(a, env):
    """Captures holding records this Wireshark's mergecap cannot copy (on 4.0, TLS secrets in a pcapng
    Decryption Secrets Block): two pcapng copies as a set are concatenated and read whole; the capture
    gzip'd, which only mergecap joins, is read where mergecap can, and otherwise the batch says so
    plainly (never a diagnosis of an empty stream); a set with nothing to read is said to be so."""
    failures = []
    for pcap in a.pcaps:
        with open(pcap, "rb") as src:
            data = src.read()
        for variant, files in (("two pcapng copies", {"ring_0.pcapng": data, "ring_1.pcapng": data}),
                               ("gzip'd", {"ring_0.pcapng.gz": gzip.compress(data)})):
            with tempfile.TemporaryDirectory() as d:
                os.chmod(d, 0o755)
                for name, content in files.items():
                    with open(os.path.join(d, name), "wb") as dst:
                        dst.write(content)
                joinable = len(files) > 1 or subprocess.run(
                    ["mergecap", "-a", "-F", "pcapng", "-w", os.devnull, *(os.path.join(d, n) for n in files)],
                    capture_output=True).returncode == 0
                r = subprocess.run([sys.executable, a.batch, "-j", "1", "--chunks", "1", d], env=env,
                                   capture_output=True, text=True)
                case = f"{os.path.basename(pcap)}, {variant}"
                if joinable:
                    if r.returncode != 0 or "=== mcudiag" not in r.stdout:
                        failures.append(f"{case}: the files can be joined, yet the batch failed: {r.stderr}")
                elif r.returncode != 1 or "mergecap could not join" not in r.stderr or "key log" not in r.stderr:
                    failures.append(f"{case}: mergecap cannot join it, and the batch did not say so "
                                    f"(exit {r.returncode}): {r.stderr}")
                print(f"{case}: {'joined' if joinable else 'mergecap cannot join it'}; batch exit {r.returncode}")
    with tempfile.TemporaryDirectory() as d:  # nothing to read at all: said plainly, never a traceback
        with open(os.path.join(d, "notes.pcapng"), "w") as f:
            f.write("not a capture\n")
        for case, args in (("a glob matching no file", [os.path.join(d, "ring_*.pcap")]), ("no capture", [d])):
            r = subprocess.run([sys.executable, a.batch, *args], env=env, capture_output=True, text=True)
            if r.returncode != 1 or "no readable capture" not in r.stderr or "Traceback" in r.stderr:
                failures.append(f"{case}: not said plainly (exit {r.returncode}): {r.stderr}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


def check_tls_start(a, env):
    """A capture with TLS secrets cut in two in mid-connection: with the context too short to reach the
    TLS handshake, the second chunk cannot decrypt the connection, and the batch says so; read as one
    chunk, or with the default overlap, it gives the whole file's findings and says nothing of it."""
    failures = []
    said = "read them without their start"
    for pcap in a.pcaps:
        whole = json.loads(subprocess.run([a.runner, a.plugin, "-r", pcap, "-q", "-z", "mcudiag,json"], check=True,
                                          capture_output=True, text=True).stdout)
        want = key(whole, lambda x: x["frame"])
        frames = whole["captures"][0]["frames"]
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            starts = split_at(pcap, d, [1, frames // 2 + 1], frames)
            # one run keeps its chunk files in a folder named relative to where it runs
            for args, whole_read in ((["--chunks", "2", "--overlap", "0.001"], False),
                                     (["--chunks", "1", "--overlap", "0.001"], True),
                                     (["--chunks", "2", "--keep", "kept"], True)):
                out = os.path.join(d, "merged.json")
                r = subprocess.run([sys.executable, a.batch, "-j", "2", *args, "--json", out, d], env=env,
                                   capture_output=True, text=True, cwd=d)
                case = f"{os.path.basename(pcap)} in two files, {' '.join(args)}"
                if r.returncode != 0:
                    failures.append(f"{case}: mcudiag-batch failed: {r.stderr}")
                elif (said in r.stderr) == whole_read:
                    failures.append(f"{case}: {'said' if whole_read else 'did not say'} a chunk read a TLS "
                                    f"connection without its start: {r.stderr}")
                elif whole_read and key(json.load(open(out)),
                                        lambda x: starts.get(x.get("file"), 0) + x["frame"]) != want:
                    failures.append(f"{case}: findings differ from the whole file's")
                print(f"{case}: exit {r.returncode}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


def main():
    if os.environ.get("MCUDIAG_IN_VERSION_TEST"):
        print("skipped in a version test: the host's run cuts and merges")
        return 77
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--sizes", default="1,4")
    ap.add_argument("--editcap", help="cut with editcap: c<packets>,i<seconds>,...")
    ap.add_argument("--overlap", type=float, default=65.0)
    ap.add_argument("--expect-kinds", default="")
    ap.add_argument("--expect-cut", action="store_true",
                    help="with --editcap: some chunk must read a context file from its window's start only")
    ap.add_argument("--unjoinable", action="store_true",
                    help="the captures as a set of their own: read whole where mergecap can join them, else a plain "
                         "message and exit status 1 (never a diagnosis of nothing)")
    ap.add_argument("--tls-start", action="store_true",
                    help="captures with TLS secrets, cut in two in mid-connection: a chunk that reads a connection "
                         "without its handshake is said")
    ap.add_argument("pcaps", nargs="+")
    a = ap.parse_args()
    env = dict(os.environ, MCUDIAG_TSHARK=f"{a.runner} {a.plugin}")
    if a.unjoinable:
        return check_unjoinable(a, env)
    if a.tls_start:
        return check_tls_start(a, env)
    failures = []
    kinds = set()
    for pcap in a.pcaps:
        whole = json.loads(subprocess.run([a.runner, a.plugin, "-r", pcap, "-q", "-z", "mcudiag,json"], check=True,
                                          capture_output=True, text=True).stdout)
        kinds |= {f["kind"] for f in whole["findings"]}
        if a.editcap:
            whole_text = subprocess.run([a.runner, a.plugin, "-r", pcap, "-q", "-z", "mcudiag"], check=True,
                                        capture_output=True, text=True).stdout
            check_editcap(a, env, pcap, whole, whole_text, failures)
            continue
        want = key(whole, lambda x: x["frame"])
        frames = whole["captures"][0]["frames"]
        for size in map(int, a.sizes.split(",")):
            with tempfile.TemporaryDirectory() as d:
                starts = split_at(pcap, d, list(range(1, frames + 1, size)), frames)
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
    for kind in filter(None, a.expect_kinds.split(",")):
        if kind not in kinds:
            failures.append(f"no capture shows a {kind} finding: {sorted(kinds)}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(a.pcaps)} captures, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
