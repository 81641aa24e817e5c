#!/bin/bash
# mutate-captures.sh — mutation fuzzing of every capture in pcaps/, the way
# Wireshark's tools/fuzz-test.sh does it: editcap -E flips random bytes of the
# packet data (never the file/record headers), then tshark dissects the result
# with the plugin, one pass and two passes (-2), with -V (every field built)
# and WIRESHARK_ABORT_ON_DISSECTOR_BUG=1.
#
# With a sanitizer plugin (cmake -DMCUDIAG_SANITIZE=ON, detected by its __asan
# symbols) tshark runs through tests/fuzz/run-tshark-asan (libasan preloaded);
# otherwise through tests/run-tshark.
#
# A finding is: tshark killed by a signal or aborting, an AddressSanitizer or
# UndefinedBehaviorSanitizer report, "Dissector bug" in the output, or an
# unexpected non-zero exit status. The mutated file and the output are kept
# under OUT/findings/ and the script exits 1.
#
# usage: mutate-captures.sh [options]
#   --plugin SO        plugin to load (default: build-asan/plugin/mcudiag.so if
#                      present, else build/plugin/mcudiag.so)
#   --pcaps DIR        captures to mutate (default: pcaps/ of the source tree)
#   --rates "R ..."    error probabilities (default: "0.003 0.02 0.1")
#   --seeds "S ..."    fixed seeds, one round per seed (default: "1 2")
#   --long N           N rounds with varying seeds (seed base from the clock or
#                      --seed-base); seeds are printed so any round can be re-run
#   --seed-base B      first seed of --long rounds
#   --time-limit S     stop starting new rounds after S seconds (0 = none)
#   --out DIR          work directory (default: $TMPDIR/mcudiag-fuzz-<pid>);
#                      mutated files are deleted unless they produced a finding
#   --extra-taps       also run -z mcudiag -z lbsnat,tree in the one-pass run
#                      (default on; --no-extra-taps to disable)
#   --timestamps       also, once per capture, shift its timestamps (editcap -t,
#                      written as pcapng) to the edges of the plugin's ns time:
#                      just before 2262-04-11 23:47:16 UTC (INT64_MAX ns), past
#                      it (2321), and to 1970. Off by default (slow); it found
#                      the overflows now covered by pcaps/*-2262 and *-2321.
# Exit: 0 no finding, 1 finding(s), 2 usage/setup error.
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

plugin=""
pcaps="$src/pcaps"
rates="0.003 0.02 0.1"
seeds="1 2"
long=0
seed_base=""
time_limit=0
out=""
extra_taps=1
timestamps=0

while [ $# -gt 0 ]; do
    case $1 in
    --plugin) plugin=$2; shift 2 ;;
    --pcaps) pcaps=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --long) long=$2; shift 2 ;;
    --seed-base) seed_base=$2; shift 2 ;;
    --time-limit) time_limit=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --extra-taps) extra_taps=1; shift ;;
    --no-extra-taps) extra_taps=0; shift ;;
    --timestamps) timestamps=1; shift ;;
    -h|--help) sed -n '2,/^# SPDX/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mutate-captures: unknown option $1" >&2; exit 2 ;;
    esac
done

if [ -z "$plugin" ]; then
    for p in "$src/build-asan/plugin/mcudiag.so" "$src/build/plugin/mcudiag.so"; do
        [ -f "$p" ] && { plugin=$p; break; }
    done
fi
[ -n "$plugin" ] && [ -f "$plugin" ] || { echo "mutate-captures: no plugin (use --plugin)" >&2; exit 2; }
plugin=$(readlink -f "$plugin")
command -v editcap >/dev/null || { echo "mutate-captures: editcap not found" >&2; exit 2; }

if nm -D "$plugin" 2>/dev/null | grep -q '__asan_'; then
    runner="$here/run-tshark-asan"
    kind="sanitizer (ASan+UBSan)"
else
    runner="$src/tests/run-tshark"
    kind="plain (no sanitizer)"
fi

if [ "$long" -gt 0 ]; then
    [ -n "$seed_base" ] || seed_base=$(( $(date +%s) % 100000000 ))
    seeds=""
    for ((i = 0; i < long; i++)); do seeds="$seeds $((seed_base + i))"; done
fi

[ -n "$out" ] || out="${TMPDIR:-/tmp}/mcudiag-fuzz-$$"
mkdir -p "$out/work" "$out/findings"
# Separate private HOME so a concurrent run of the capture tests is not disturbed.
export MCUDIAG_TEST_HOME="$out/home"
export WIRESHARK_ABORT_ON_DISSECTOR_BUG=1
unset WIRESHARK_ABORT_ON_TOO_MANY_ITEMS

shopt -s nullglob
captures=("$pcaps"/*.pcap "$pcaps"/*.pcapng)
[ ${#captures[@]} -gt 0 ] || { echo "mutate-captures: no captures in $pcaps" >&2; exit 2; }

echo "mutate-captures: plugin $plugin [$kind]"
echo "mutate-captures: ${#captures[@]} captures, rates: $rates, seeds:$seeds"
echo "mutate-captures: work directory $out"

start=$SECONDS
n_files=0
n_py=0
n_runs=0
n_packets=0
n_findings=0
findings_list=""

# Sanitizer / crash signatures looked for in tshark's output.
bad_re='ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|UndefinedBehaviorSanitizer|Dissector bug|DISSECTOR_BUG|\*\* \(tshark:[0-9]+\): (CRITICAL|ERROR)|Segmentation fault|Aborted'

# record_finding FILE REASON LOGFILE PASS
record_finding() {
    local f=$1 reason=$2 log=$3 pass=$4
    n_findings=$((n_findings + 1))
    local dest="$out/findings/$(basename "$f" | sed 's/\.\(pcapng\|pcap\)$//')-$pass"
    mkdir -p "$dest"
    cp "$f" "$dest/"
    cp "$log" "$dest/output.txt"
    printf 'reason: %s\npass: %s\nplugin: %s\nrun: %s %s -r %s %s\n' "$reason" "$pass" "$plugin" \
        "$runner" "$plugin" "$dest/$(basename "$f")" "$(pass_args "$pass")" > "$dest/README"
    findings_list="$findings_list
  $dest ($reason)"
    echo "FINDING: $reason: $dest"
}

pass_args() {
    case $1 in
    one) if [ "$extra_taps" = 1 ]; then echo "-n -V -x -z mcudiag -z lbsnat,tree"; else echo "-n -V -x"; fi ;;
    two) echo "-n -2 -V" ;;
    esac
}

# dissect FILE PASS: runs tshark; returns 0 if clean
dissect() {
    local f=$1 pass=$2 log="$out/work/log.txt" status=0
    # shellcheck disable=SC2046
    nice -n 5 "$runner" "$plugin" -r "$f" $(pass_args "$pass") > "$log" 2>&1 || status=$?
    n_runs=$((n_runs + 1))
    local frames
    frames=$(grep -c '^Frame [0-9]*:' "$log")
    n_packets=$((n_packets + frames))
    local reason=""
    if grep -Eq "$bad_re" "$log"; then
        # the whole first report line: it names the source file and line
        reason=$(grep -Em1 "$bad_re" "$log" | cut -c1-200)
    elif [ $status -ge 128 ]; then
        reason="killed by signal $((status - 128))"
    elif [ $status -ne 0 ]; then
        # tshark exits 2 when the file is damaged; editcap -E never damages
        # record headers, so any other status is unexpected.
        if ! grep -q 'appears to be damaged or corrupt\|cut short in the middle' "$log"; then
            reason="exit status $status"
        fi
    fi
    if [ -n "$reason" ]; then
        record_finding "$f" "$reason" "$log" "$pass"
        return 1
    fi
    return 0
}

stop=0
round=0
for seed in $seeds; do
    round=$((round + 1))
    if [ "$time_limit" -gt 0 ] && [ $((SECONDS - start)) -ge "$time_limit" ]; then
        echo "mutate-captures: time limit reached after $((round - 1)) rounds"
        break
    fi
    for rate in $rates; do
        for cap in "${captures[@]}"; do
            base=$(basename "$cap")
            ext=${base##*.}
            mutated="$out/work/${base%.*}-E${rate}-s${seed}.$ext"
            # -F keeps the input's format so pcap stays pcap.
            fmt=pcapng
            [ "$ext" = pcap ] && fmt=pcap
            if ! editcap -F "$fmt" -E "$rate" --seed "$seed" "$cap" "$mutated" > "$out/work/editcap.txt" 2>&1; then
                # editcap 4.0 cannot rewrite pcapng files holding decryption
                # secrets: same mutation, secrets kept, by pcapng-mutate.py.
                if [ "$fmt" = pcapng ] && grep -q "can't be written" "$out/work/editcap.txt"; then
                    n_py=$((n_py + 1))
                    if ! python3 "$here/pcapng-mutate.py" "$rate" "$seed" "$cap" "$mutated"; then
                        echo "mutate-captures: pcapng-mutate.py failed on $cap" >&2
                        exit 2
                    fi
                else
                    echo "mutate-captures: editcap failed on $cap:" >&2
                    cat "$out/work/editcap.txt" >&2
                    exit 2
                fi
            fi
            n_files=$((n_files + 1))
            dissect "$mutated" one || true
            dissect "$mutated" two || true
            rm -f "$mutated"
        done
    done
    echo "mutate-captures: round $round (seed $seed) done: $n_files files, $n_runs runs, $n_packets packets, $n_findings findings, $((SECONDS - start)) s"
done

if [ "$timestamps" = 1 ]; then
    # Targets in seconds since the epoch: 7 s before INT64_MAX ns (the SYN and
    # its SYN-ACK straddle the limit of a 60 s window), 2321, and 1970.
    for cap in "${captures[@]}"; do
        first=$(capinfos -S -a -T -r "$cap" 2>/dev/null | awk 'NF {print $NF; exit}')
        [ -n "$first" ] || continue
        for target in 9223372030 11095620910 1; do
            shift_s=$(python3 -c "print(int($target - $first))")
            base=$(basename "$cap")
            shifted="$out/work/${base%.*}-t${target}.pcapng"
            if ! editcap -F pcapng -t "$shift_s" "$cap" "$shifted" > "$out/work/editcap.txt" 2>&1; then
                echo "mutate-captures: (timestamps) editcap cannot rewrite $base; skipped"
                continue
            fi
            n_files=$((n_files + 1))
            dissect "$shifted" one || true
            dissect "$shifted" two || true
            rm -f "$shifted"
        done
    done
    echo "mutate-captures: timestamp shifts done: $n_files files, $n_findings findings"
fi

rm -rf "$out/work" "$out/home"
echo "=== mutate-captures summary ==="
echo "mutated files:     $n_files ($n_py by pcapng-mutate.py: pcapng with decryption secrets)"
echo "tshark runs:       $n_runs"
echo "packets dissected: $n_packets"
echo "findings:          $n_findings$findings_list"
echo "elapsed:           $((SECONDS - start)) s"
if [ "$n_findings" -gt 0 ]; then
    echo "kept under: $out/findings"
    exit 1
fi
rmdir "$out/findings" "$out" 2>/dev/null || true
exit 0
