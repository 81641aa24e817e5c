#!/bin/bash
# fuzz-short.sh — the short, fixed-seed fuzz round ctest runs (fuzz.short):
#   1. mutation fuzzing of every capture in pcaps/ at one error rate with the
#      given plugin (sanitizer build if it is one), one pass and -2 (~1 min);
#   2. each libFuzzer harness for --seconds (default 20) in a clang build of
#      its own (--build-dir).
# Inside a version test (MCUDIAG_IN_VERSION_TEST set by scripts/test-versions:
# the same suite against Wireshark 4.4 and 4.6 in their build roots) the round
# is a smoke test: one mutation seed and 3 s per harness show the harnesses
# build and run with that suite's clang and the mutated captures load with
# that Wireshark; the fuzzing at length is the host's run, on the same code.
# Exit 1 on any finding; 77 (skipped) when clang/libclang-rt are missing and
# the mutation round was clean; 0 otherwise.
# usage: fuzz-short.sh --plugin SO [--build-dir DIR] [--out DIR] [--seconds N]
#                      [--rate R] [--seeds "S ..."]
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
here=$(cd "$(dirname "$0")" && pwd)
plugin=""
build="$here/../../build-fuzz"
out="${TMPDIR:-/tmp}/mcudiag-fuzz-short-$$"
seconds=20
rate=0.02
seeds="1 2"
if [ -n "${MCUDIAG_IN_VERSION_TEST:-}" ]; then
    seconds=3
    seeds=1
fi
while [ $# -gt 0 ]; do
    case $1 in
    --plugin) plugin=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) echo "fuzz-short: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$plugin" ] || { echo "fuzz-short: --plugin is required" >&2; exit 2; }

rm -rf "$out/mutate"
status=0
echo "### mutation fuzzing (rate $rate, seeds $seeds)"
"$here/mutate-captures.sh" --plugin "$plugin" --rates "$rate" --seeds "$seeds" --out "$out/mutate" || status=$?
[ $status -eq 0 ] || [ $status -eq 1 ] || { echo "fuzz-short: mutate-captures failed to run ($status)"; exit 1; }

echo "### libFuzzer (${seconds}s per target, seed 1)"
lf=0
"$here/run-libfuzzer.sh" --seconds "$seconds" --seed 1 --build-dir "$build" || lf=$?
case $lf in
0) ;;
77) [ $status -eq 0 ] && status=77 ;;
*) status=1 ;;
esac
case $status in
0) echo "fuzz-short: no finding" ;;
77) echo "fuzz-short: mutation round clean; libFuzzer part skipped" ;;
*) echo "fuzz-short: FINDINGS (see above)" ;;
esac
exit $status
