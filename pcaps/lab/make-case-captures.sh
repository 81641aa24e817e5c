#!/bin/bash
# make-case-captures.sh [OUTDIR]
#
# The whole field case (../shared/CASE.md) with real stacks, captured on Front
# End 1: namespaces "cl-*" on a bridge,
#   cl-client 10.137.2.30  Office Communicator: creates a conference, joins its
#                          Focus, subscribes, joins the IM MCU (SIP over TCP)
#   cl-fe1    10.137.2.12  Front End 1: Focus Factory, Focus and IM MCU; its
#                          IM MCU posts health to the MCU Factory at the VIP
#   cl-fe2    10.137.2.13  Front End 2: the MCU Factory the balancer picks
#   cl-lb     10.137.2.11  the pool VIP: nftables DNAT of 444 to the other
#                          Front End (pcaps/lab/case_peers.py has the peers)
# Scenarios:
#   case-nosnat.pcapng  no SNAT: FE2 answers FE1 directly, FE1 resets it, the
#                       health notification never gets through, and the IM
#                       MCU join fails with 503 and ms-diagnostics
#   case-snat.pcapng    SNAT on the virtual server: everything succeeds
# The TLS key log of FE1's health notification is injected into the pcapng.
# Needs root, iproute2, nftables, tcpdump, openssl, editcap and python3.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
work=$(mktemp -d /tmp/cl.XXXXXX)
pids=()

[ "$(id -u)" = 0 ] || { echo "make-case-captures.sh: needs root (network namespaces)" >&2; exit 77; }
mkdir -p "$out"

lab_down() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    pids=()
    for ns in sw client lb fe1 fe2; do ip netns del "cl-$ns" 2>/dev/null || true; done
}
trap 'lab_down; [ -n "${CL_KEEP:-}" ] || rm -rf "$work"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=pool01.contoso.com" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

lab_up() {
    local scenario=$1
    ip netns add cl-sw
    ip -n cl-sw link add br0 type bridge
    ip -n cl-sw link set br0 up
    local name octet
    for name in lb:11 fe1:12 fe2:13 client:30; do
        octet=${name#*:}
        name=${name%:*}
        bridge_host_up cl "$name" "02:00:0a:89:02:$(printf %02x "$octet")"
        ip -n "cl-$name" addr add "10.137.2.$octet/24" dev eth0
        [ "$name" = lb ] || ip -n "cl-$name" route add default via 10.137.2.11
    done
    ip netns exec cl-lb sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
        net.ipv4.conf.eth0.send_redirects=0
    local snat=""
    [ "$scenario" = snat ] && snat='
    chain post {
        type nat hook postrouting priority srcnat;
        ct status dnat snat ip to 10.137.2.11
    }'
    ip netns exec cl-lb nft -f - <<NFT
table ip pool {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 10.137.2.11 tcp dport 444 ip saddr 10.137.2.12 dnat to 10.137.2.13
        ip daddr 10.137.2.11 tcp dport 444 ip saddr 10.137.2.13 dnat to 10.137.2.12
    }
    $snat
}
NFT
}

run() {
    local scenario=$1
    local raw=$work/$scenario.pcap keylog=$work/$scenario.keys
    lab_down
    lab_up "$scenario"
    ip netns exec cl-fe2 python3 "$here/case_peers.py" fe2 --cert "$work/cert.pem" --key "$work/key.pem" \
        > "$work/fe2.log" 2>&1 &
    pids+=($!)
    wait_for_line "$work/fe2.log" listening
    start_capture cl-fe1 "$raw" "tcp"
    ip netns exec cl-fe1 python3 "$here/case_peers.py" fe1 --keylog "$keylog" > "$work/fe1.log" 2>&1 &
    pids+=($!)
    wait_for_line "$work/fe1.log" ready
    ip netns exec cl-client python3 "$here/case_peers.py" client --server 10.137.2.12
    sleep 0.5
    stop_capture
    echo "== $scenario: $(grep -m1 '^health' "$work/fe1.log")"
    if [ -s "$keylog" ]; then
        editcap --inject-secrets "tls,$keylog" "$raw" "$out/case-$scenario.pcapng"
    else
        editcap -F pcapng "$raw" "$out/case-$scenario.pcapng"
    fi
}

for scenario in ${CL_SCENARIOS:-nosnat snat}; do run "$scenario"; done
