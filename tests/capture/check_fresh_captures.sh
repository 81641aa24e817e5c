#!/bin/bash
# check_fresh_captures.sh lab|synth RUNNER PLUGIN
# Makes the captures again into a scratch folder and checks them:
#   synth  the generator is deterministic: byte-identical to pcaps/ and the
#          expected files in tests/capture/expected/
#   lab    new captures from the namespace lab (new ports, new ISNs, new
#          timing) pass the same lbsnat checks as the committed ones, and the
#          field case at every capture point gives the committed reports, and
#          the idle-timeout lab's captures bound the same timers (within half a
#          second: new timing); needs root for network namespaces, otherwise the
#          test is skipped (77)
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
kind=$1 runner=$2 plugin=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
# A failing lab run keeps its captures: new timing cannot be made again.
trap 'rc=$?; if [ $rc = 0 ] || [ $rc = 77 ]; then rm -rf "$scratch"; else echo "captures kept in $scratch" >&2; fi' EXIT

case $kind in
synth)
    python3 "$root/pcaps/synth/make-synthetic-captures.py" "$scratch" "$scratch" >/dev/null
    status=0
    for f in "$scratch"/*.pcap; do
        cmp "$f" "$root/pcaps/$(basename "$f")" || status=1
    done
    for f in "$scratch"/*.tsv; do
        cmp "$f" "$root/tests/capture/expected/$(basename "$f")" || status=1
    done
    exit $status ;;
lab)
    if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || ! command -v tcpdump >/dev/null; then
        echo "skipped: the namespace lab needs root, nftables and tcpdump"
        exit 77
    fi
    "$root/pcaps/lab/make-lbsnat-captures.sh" "$scratch" "$scratch"
    # The field case at every capture point, with and without SNAT: the same
    # lbsnat checks, and the reports the committed captures must give.
    "$root/pcaps/lab/make-case-captures.sh" "$scratch"
    # Direct server return (nftables netdev forwarding by MAC) and the hairpin, at every capture point.
    "$root/pcaps/lab/make-dsr-captures.sh" "$scratch"
    # A real scanner (nmap) where it is installed.
    scans=""
    if command -v nmap >/dev/null; then
        "$root/pcaps/lab/make-scan-capture.sh" "$scratch"
        scans=scan-nmap-syn
    fi
    for s in nosnat snat; do
        members=""
        [ $s = nosnat ] && members="10.137.2.12 10.137.2.13"
        for point in span merged fe2 netmon; do
            pcap=$scratch/case-$s-$point.pcapng
            [ $point = netmon ] && pcap=$scratch/case-$s-$point.cap
            copies=""
            case $point in span|merged) copies=--copies ;; esac
            python3 "$root/pcaps/lab/expected-from-capture.py" $copies "$pcap" 10.137.2.11 444 $members \
                > "$scratch/case-$s-$point.tsv"
        done
    done
    "$root/pcaps/lab/make-lbidle-captures.sh" "$scratch"
    status=0
    for expected in "$root"/tests/capture/expected/lbidle-*.lbidle; do
        python3 "$root/tests/capture/check_lbidle.py" --runner "$runner" --plugin "$plugin" --tolerance 0.5 \
            --pcap "$scratch/$(basename "$expected" .lbidle).pcapng" --expected "$expected" || status=1
    done
    for expected in "$scratch"/*.tsv; do
        pcap=${expected%.tsv}.pcapng
        [ -e "$pcap" ] || pcap=${expected%.tsv}.cap
        python3 "$root/tests/capture/check_lbsnat.py" --runner "$runner" --plugin "$plugin" \
            --pcap "$pcap" --expected "$expected" || status=1
    done
    # The DSR lab's timing (round robin, retransmissions) decides frames,
    # counts and members: those reports are compared up to them.
    for report in case-nosnat-span case-nosnat-merged case-snat-span case-snat-merged case-snat-fe2 \
                  lbsnat-nosnat-ipv4-m1 lbsnat-port-scan lbdsr-dsr-ipv4-client lbdsr-dsr-ipv4-m1 \
                  lbdsr-dsr-ipv4-segment lbdsr-dsr-ipv6-client lbdsr-hairpin-m1 lbdsr-hairpin-segment $scans; do
        new_run=""
        case $report in lbdsr-*) new_run=--new-lab-run ;; esac
        python3 "$root/tests/capture/check_mcudiag.py" --runner "$runner" --plugin "$plugin" $new_run \
            --pcap "$scratch/$report.pcapng" --expected "$root/tests/capture/expected/$report.mcudiag" || status=1
    done
    exit $status ;;
esac
echo "usage: $0 lab|synth RUNNER PLUGIN" >&2
exit 2
