#!/bin/bash
# make-case-captures.sh [OUTDIR]
#
# The whole field case (../shared/CASE.md) with real stacks, captured at every
# point an engineer might use: namespaces "cl<pid>-*" (unique per run, so a
# stale lab never collides) on a bridge,
#   client 10.137.2.30  Office Communicator: creates a conference, joins its
#                       Focus, subscribes, joins the IM MCU (SIP over TCP)
#   fe1    10.137.2.12  Front End 1: Focus Factory, Focus and IM MCU; its
#                       IM MCU posts health to the MCU Factory at the VIP
#   fe2    10.137.2.13  Front End 2: the MCU Factory the balancer picks; its
#                       IM MCU posts health through the VIP too
#   lb     10.137.2.11  the pool VIP: nftables DNAT of 444 to the other
#                       Front End (pcaps/lab/case_peers.py has the peers)
# Scenarios:
#   nosnat  no SNAT: FE2 answers FE1 directly, FE1 resets it, the health
#           notification never gets through, and the IM MCU join fails with
#           503 and ms-diagnostics
#   snat    SNAT on the virtual server: everything succeeds
# Captures per scenario (tcpdump on every host and on the bridge at once):
#   case-<s>.pcapng         on Front End 1, the sender
#   case-<s>-fe2.pcapng     on Front End 2, the member the balancer picked
#                           (its view of FE1's SYNs; its own SYNs to the VIP)
#   case-<s>-span.pcapng    on the bridge: a SPAN of the whole segment, each
#                           SYN seen before and after the balancer's rewrite
#   case-<s>-merged.pcapng  mergecap of the client's and both Front Ends'
#                           captures (what the engineer of the field case had)
#   case-<s>-netmon.cap     Front End 1's capture saved as Network Monitor 2
# The TLS key log of FE1's health notification is injected into the pcapng
# files (Network Monitor files cannot hold it).
# Needs root, iproute2, nftables, tcpdump, openssl, editcap, mergecap and python3.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
work=$(mktemp -d /tmp/cl.XXXXXX)
lab=cl$$
hosts="client lb fe1 fe2"
pids=()

[ "$(id -u)" = 0 ] || { echo "make-case-captures.sh: needs root (network namespaces)" >&2; exit 77; }
mkdir -p "$out"

lab_down() { lab_teardown sw $hosts; }
trap 'lab_down; [ -n "${CL_KEEP:-}" ] || rm -rf "$work"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=pool01.contoso.com" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

lab_up() {
    local scenario=$1
    ip netns add "$lab-sw"
    ip -n "$lab-sw" link add br0 type bridge
    ip -n "$lab-sw" link set br0 up
    local name octet
    for name in lb:11 fe1:12 fe2:13 client:30; do
        octet=${name#*:}
        name=${name%:*}
        bridge_host_up "$lab" "$name" "02:00:0a:89:02:$(printf %02x "$octet")"
        ip -n "$lab-$name" addr add "10.137.2.$octet/24" dev eth0
        [ "$name" = lb ] || ip -n "$lab-$name" route add default via 10.137.2.11
    done
    ip netns exec "$lab-lb" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
        net.ipv4.conf.eth0.send_redirects=0
    local snat=""
    [ "$scenario" = snat ] && snat='
    chain post {
        type nat hook postrouting priority srcnat;
        ct status dnat snat ip to 10.137.2.11
    }'
    ip netns exec "$lab-lb" nft -f - <<NFT
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

# with_keys RAW OUT: RAW as pcapng, with the TLS key log injected when there is one.
with_keys() {
    if [ -s "$keylog" ]; then
        editcap --inject-secrets "tls,$keylog" "$1" "$2"
    else
        editcap -F pcapng "$1" "$2"
    fi
}

run() {
    local scenario=$1 host
    keylog=$work/$scenario.keys
    lab_down
    lab_up "$scenario"
    ip netns exec "$lab-fe2" python3 "$here/case_peers.py" fe2 --cert "$work/cert.pem" --key "$work/key.pem" \
        > "$work/fe2.log" 2>&1 &
    pids+=($!)
    wait_for_line "$work/fe2.log" listening
    # The bridge in promiscuous mode (tcpdump's default) hands up every frame
    # it forwards: the SPAN port of the segment.
    capture_at "$lab-sw" br0 "$work/$scenario-span.pcap"
    for host in client fe1 fe2; do capture_at "$lab-$host" eth0 "$work/$scenario-$host.pcap"; done
    ip netns exec "$lab-fe1" python3 "$here/case_peers.py" fe1 --keylog "$keylog" --cert "$work/cert.pem" \
        --key "$work/key.pem" > "$work/fe1.log" 2>&1 &
    pids+=($!)
    wait_for_line "$work/fe1.log" ready
    # Front End 2's IM MCU posts its health through the same VIP (the balancer
    # sends it to Front End 1): the fault from the other side.
    ip netns exec "$lab-fe2" python3 "$here/case_peers.py" post --keylog "$keylog" > "$work/fe2-post.log" 2>&1 || true
    ip netns exec "$lab-client" python3 "$here/case_peers.py" client --server 10.137.2.12
    sleep 0.5
    stop_all_captures
    echo "== $scenario: $(grep -m1 '^health' "$work/fe1.log")"
    with_keys "$work/$scenario-fe1.pcap" "$out/case-$scenario.pcapng"
    with_keys "$work/$scenario-fe2.pcap" "$out/case-$scenario-fe2.pcapng"
    with_keys "$work/$scenario-span.pcap" "$out/case-$scenario-span.pcapng"
    mergecap -w "$work/$scenario-merged.pcapng" "$work/$scenario-client.pcap" "$work/$scenario-fe1.pcap" \
        "$work/$scenario-fe2.pcap"
    with_keys "$work/$scenario-merged.pcapng" "$out/case-$scenario-merged.pcapng"
    editcap -F netmon2 "$work/$scenario-fe1.pcap" "$out/case-$scenario-netmon.cap"
}

for scenario in ${CL_SCENARIOS:-nosnat snat}; do run "$scenario"; done
