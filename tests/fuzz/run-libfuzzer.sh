#!/bin/bash
# run-libfuzzer.sh — configures a clang build with -DMCUDIAG_FUZZ=ON, builds the
# libFuzzer harnesses of the plain-C cores and runs each for a while with a
# fixed seed, starting from tests/fuzz/corpus/<target>/ (copied: the seed
# corpus in the source tree is never written to).
#
# usage: run-libfuzzer.sh [--seconds N] [--seed S] [--build-dir DIR]
#                         [--targets "fuzz_lbsnat_track fuzz_lbidle_track fuzz_lbdsr_track fuzz_mcudiag_chain fuzz_conference_models"]
#                         [--jobs N] [--] [extra libFuzzer flags...]
#   --seconds N    run time per target (default 30)
#   --seed S       libFuzzer -seed (default 1)
#   --build-dir D  clang build directory (default <source>/build-fuzz)
#   --jobs N       parallel fuzzing processes per target (default 1)
# Prints, per target, the executions from libFuzzer's final "Done N runs" line.
# Crashes are written to <build-dir>/fuzz-artifacts/<target>/ and the script
# exits 1. Exit 77 when clang or libclang-rt's libFuzzer is not installed
# (Debian: apt-get install clang libclang-rt-14-dev).
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
seconds=30
seed=1
build="$src/build-fuzz"
targets="fuzz_lbsnat_track fuzz_lbidle_track fuzz_lbdsr_track fuzz_mcudiag_chain fuzz_conference_models"
jobs=1
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^# SPDX/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-libfuzzer: unknown option $1" >&2; exit 2 ;;
    esac
done

# clang with libFuzzer's runtime?
cc=${MCUDIAG_FUZZ_CC:-$(command -v clang || command -v clang-14 || true)}
if [ -z "$cc" ]; then
    echo "run-libfuzzer: SKIP: clang not installed (apt-get install clang libclang-rt-14-dev)"
    exit 77
fi
probe=$(mktemp -d)
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" > "$probe/log" 2>&1; then
    echo "run-libfuzzer: SKIP: $cc cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev)"
    sed 's/^/  /' "$probe/log" | head -5
    rm -rf "$probe"
    exit 77
fi
rm -rf "$probe"

echo "run-libfuzzer: building in $build with $cc"
# Configured on every run, so targets added since the last one are known.
mkdir -p "$build"
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DMCUDIAG_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; echo "run-libfuzzer: cmake failed" >&2; exit 2; }
# shellcheck disable=SC2086
if ! cmake --build "$build" -j "$(nproc)" --target $targets > "$build/fuzz-build.log" 2>&1; then
    tail -30 "$build/fuzz-build.log" >&2
    echo "run-libfuzzer: build failed" >&2
    exit 2
fi

status=0
summary=""
for t in $targets; do
    bin="$build/tests/fuzz/$t"
    work="$build/fuzz-corpus/$t"
    art="$build/fuzz-artifacts/$t"
    mkdir -p "$work" "$art"
    log="$build/fuzz-$t.log"
    echo "run-libfuzzer: $t for ${seconds}s, seed $seed (log $log)"
    args=(-seed="$seed" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 -artifact_prefix="$art/" "${extra[@]}")
    rc=0
    if [ "$jobs" -gt 1 ]; then
        (cd "$build" && "$bin" "${args[@]}" -jobs="$jobs" -workers="$jobs" "$work" "$here/corpus/$t") > "$log" 2>&1 || rc=$?
        runs=$(cat "$build"/fuzz-*.log "$build"/fuzz-[0-9]*.log 2>/dev/null | grep -ho 'Done [0-9]* runs' |
               awk '{s+=$2} END {print s+0}')
    else
        ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$bin" "${args[@]}" "$work" "$here/corpus/$t" > "$log" 2>&1 || rc=$?
        runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | awk '{print $2}')
    fi
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    corpus=$(find "$work" -type f | wc -l)
    if [ $rc -ne 0 ] || grep -q 'ERROR: \|runtime error:\|invariant failed\|deadly signal' "$log"; then
        status=1
        crash=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
        echo "FINDING in $t (exit $rc): ${crash:-see $log}"
        grep -m3 'ERROR: \|runtime error:\|invariant failed' "$log" | sed 's/^/  /'
        summary="$summary
$t: FINDING ${crash:-} (${runs:-?} runs before it)"
    else
        summary="$summary
$t: ${runs:-?} executions in ${seconds}s, ${cov:-cov ?}, corpus $corpus inputs"
    fi
done
printf "=== run-libfuzzer summary (seed %s) ===%s\n" "$seed" "$summary"
exit $status
