#!/bin/bash
# valgrind-captures.sh — runs the distribution's tshark under valgrind memcheck
# with the plugin (a normal, non-sanitizer build) on every capture in pcaps/,
# one pass and two passes (-2), through tests/run-tshark (so as nobody when
# root, from a private HOME).
#
# tshark and its libraries have errors and leaks of their own, so no
# suppression file is used; instead valgrind writes XML and only the errors
# whose stack (any of its stacks: the access, the allocation, the origin)
# has a frame in mcudiag.so count:
#   invalid reads/writes/frees, uses of uninitialised values, bad syscall
#   parameters, overlapping copies, and definite leaks
#   (--errors-for-leak-kinds=definite).
# usage: valgrind-captures.sh [--plugin SO] [--pcaps DIR] [--out DIR]
#                             [--jobs N] [--track-origins]
#   --plugin SO  default: build-valgrind/plugin/mcudiag.so (configure and build
#                it with: cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo)
#   --jobs N     tshark runs at once (default 1)
# Exit: 0 clean, 1 errors in mcudiag frames, 2 setup error.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
plugin="$src/build-valgrind/plugin/mcudiag.so"
pcaps="$src/pcaps"
out=""
jobs=1
origins=no
while [ $# -gt 0 ]; do
    case $1 in
    --plugin) plugin=$2; shift 2 ;;
    --pcaps) pcaps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --track-origins) origins=yes; shift ;;
    -h|--help) sed -n '2,/^# SPDX/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "valgrind-captures: unknown option $1" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "valgrind-captures: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }
[ -f "$plugin" ] || { echo "valgrind-captures: no plugin at $plugin" >&2; exit 2; }
if nm -D "$plugin" 2>/dev/null | grep -q '__asan_'; then
    echo "valgrind-captures: $plugin is a sanitizer build; valgrind needs a normal one" >&2
    exit 2
fi
plugin=$(readlink -f "$plugin")
[ -n "$out" ] || out="${TMPDIR:-/tmp}/mcudiag-valgrind-$$"
mkdir -p "$out"
out=$(readlink -f "$out")
real_tshark=$(command -v tshark)
valgrind=$(command -v valgrind)

shopt -s nullglob
captures=("$pcaps"/*.pcap "$pcaps"/*.pcapng)
[ ${#captures[@]} -gt 0 ] || { echo "valgrind-captures: no captures in $pcaps" >&2; exit 2; }

# One private HOME per job (run-tshark copies the plugin into it); the XML
# goes to a directory tshark (nobody) can write to.
xmldir="$out/xml"
mkdir -p "$xmldir"
chmod 1777 "$xmldir"

# run_one INDEX CAPTURE PASS
run_one() {
    local i=$1 cap=$2 pass=$3
    local home="$out/home-$i" name
    name="$(basename "$cap")-$pass"
    mkdir -p "$home/vg-bin"
    cat > "$home/vg-bin/tshark" <<WRAP
#!/bin/sh
exec "$valgrind" --tool=memcheck --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=50 --track-origins=$origins \
  --xml=yes --xml-file="$xmldir/$name.xml" --log-file="$xmldir/$name.log" \
  "$real_tshark" "\$@"
WRAP
    chmod 755 "$home/vg-bin/tshark"
    chmod a+rx "$home" "$home/vg-bin"
    local args=(-n -V -z mcudiag -z lbsnat,tree)
    [ "$pass" = two ] && args=(-n -2 -V)
    local status=0
    PATH="$home/vg-bin:$PATH" MCUDIAG_TEST_HOME="$home" G_SLICE=always-malloc \
        WIRESHARK_DEBUG_WMEM_OVERRIDE=simple \
        "$src/tests/run-tshark" "$plugin" -r "$cap" "${args[@]}" > "$xmldir/$name.out" 2>&1 || status=$?
    echo "$status" > "$xmldir/$name.status"
}

start=$SECONDS
echo "valgrind-captures: plugin $plugin, ${#captures[@]} captures, one pass and -2, $jobs at once"
i=0
for cap in "${captures[@]}"; do
    for pass in one two; do
        i=$((i + 1))
        run_one "$i" "$cap" "$pass" &
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    done
done
wait

python3 - "$xmldir" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET

xmldir = sys.argv[1]
COUNTED = {"InvalidRead", "InvalidWrite", "InvalidFree", "MismatchedFree", "UninitCondition",
           "UninitValue", "SyscallParam", "Overlap", "Leak_DefinitelyLost", "InvalidJump",
           "ClientCheck", "InvalidMemPool", "FishyValue"}
runs = failed_runs = total_errors = total_leaks = 0
findings = []
for xml in sorted(glob.glob(os.path.join(xmldir, "*.xml"))):
    name = os.path.basename(xml)[:-4]
    runs += 1
    status = open(os.path.join(xmldir, name + ".status")).read().strip()
    try:
        root = ET.parse(xml).getroot()
    except ET.ParseError as e:
        findings.append(f"{name}: unreadable valgrind XML ({e}); tshark status {status}")
        failed_runs += 1
        continue
    if status not in ("0",):
        failed_runs += 1
        findings.append(f"{name}: tshark exit status {status} (see {name}.out / {name}.log)")
    for err in root.iter("error"):
        kind = err.findtext("kind")
        if kind.startswith("Leak_"):
            total_leaks += 1
        else:
            total_errors += 1
        objs = [o.text or "" for o in err.iter("obj")]
        fns = [f.text or "" for f in err.iter("fn")]
        if kind in COUNTED and any("mcudiag" in o for o in objs):
            what = err.findtext("what") or (err.find("xwhat").findtext("text") if err.find("xwhat") is not None else "")
            frames = []
            for fr in err.iter("frame"):
                if "mcudiag" in (fr.findtext("obj") or ""):
                    frames.append(f'{fr.findtext("fn")} {fr.findtext("file") or ""}:{fr.findtext("line") or ""}')
            findings.append(f"{name}: {kind}: {what}\n      " + "\n      ".join(frames[:6]))
print("=== valgrind-captures summary ===")
print(f"tshark runs under memcheck: {runs} ({failed_runs} with a non-zero exit or unreadable report)")
print(f"valgrind reports in all of tshark (not counted unless in mcudiag.so): {total_errors} errors, {total_leaks} definite leaks")
print(f"errors with mcudiag.so frames: {len(findings)}")
for f in findings:
    print("  " + f)
sys.exit(1 if findings else 0)
PY
status=$?
echo "elapsed: $((SECONDS - start)) s; reports in $xmldir"
exit $status
