#!/bin/bash
# make-dsr-captures.sh [OUTDIR]
#
# A direct-server-return balancer with real Linux stacks, and the hairpin of
# a balancer without SNAT, captured at the client, at a member and on the
# segment (the bridge, promiscuous: a SPAN port). Namespaces
# "mcudsr<pid>-*" on one bridge:
#
#   client 10.137.7.12 / fd00:137:7::12
#   lb     10.137.7.10, VIP 10.137.7.11 / fd00:137:7::11 (it answers ARP and
#          neighbour solicitations for the VIP, as a balancer does)
#   m1 .13, m2 .14: pool members listening on 444
#
# Scenarios (pcaps/lbdsr-<scenario>-<point>.pcapng):
#   dsr-ipv4, dsr-ipv6  nftables in the netdev family on the balancer's
#       ingress: a SYN or segment to VIP:444 gets the balancer's source MAC
#       and a member's destination MAC (round robin) and is sent out again
#       (fwd), before the balancer's IP stack sees it: IP header, TTL and
#       ports unchanged. The members own the VIP on loopback (ARP for it
#       suppressed: arp_ignore=1, arp_announce=2) and answer from it straight
#       to the client. Two connections: one per member.
#   hairpin  DNAT without SNAT (nftables nat on the balancer, round robin),
#       member m1 calling its own pool VIP twice: once the balancer hands m1's
#       SYN back to m1 itself (source = destination = m1: Linux drops it as a
#       martian, the SYN is retransmitted until m1 gives up), once to m2,
#       which answers m1 directly (reset by m1). Captured on m1 and the segment.
#
# Needs root, iproute2, nftables (netdev fwd), tcpdump, editcap, python3.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
scenarios=${DSR_SCENARIOS:-"dsr-ipv4 dsr-ipv6 hairpin"}
work=$(mktemp -d /tmp/mcudsr.XXXXXX)
lab=mcudsr$$
hosts="client lb m1 m2"
pids=()

[ "$(id -u)" = 0 ] || { echo "make-dsr-captures.sh: needs root (network namespaces)" >&2; exit 77; }
mkdir -p "$out"

mac_of() { printf '02:00:0a:89:07:%02x' "$1"; }

lab_down() { lab_teardown sw $hosts; }
trap 'lab_down; rm -rf "$work"' EXIT

host_up() {
    local name=$1 octet=$2
    bridge_host_up "$lab" "$name" "$(mac_of "$octet")"
    in_ns "$name" ip addr add "10.137.7.$octet/24" dev eth0
    in_ns "$name" ip addr add "fd00:137:7::$octet/64" dev eth0 nodad
}

member_up() {
    local name=$1 octet=$2 scenario=$3
    host_up "$name" "$octet"
    if [ "$scenario" = hairpin ]; then
        in_ns "$name" ip route add default via 10.137.7.11
    else
        in_ns "$name" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
        in_ns "$name" ip addr add 10.137.7.11/32 dev lo
        in_ns "$name" ip addr add fd00:137:7::11/128 dev lo
    fi
    ip netns exec "$lab-$name" python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 444)); s.listen(16)
print("listening", flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"HTTP/1.1 204 No Content\r\n\r\n"); c.close()
' > "$work/$name.log" &
    pids+=($!)
    wait_for_line "$work/$name.log" listening
}

balancer_up() {
    local scenario=$1
    host_up lb 10
    in_ns lb ip addr add 10.137.7.11/24 dev eth0
    in_ns lb ip addr add fd00:137:7::11/64 dev eth0 nodad
    if [ "$scenario" = hairpin ]; then
        in_ns lb sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
            net.ipv4.conf.eth0.send_redirects=0
        in_ns lb nft -f - <<EOF
table ip lb {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 10.137.7.11 tcp dport 444 dnat to numgen inc mod 2 map { 0 : 10.137.7.13, 1 : 10.137.7.14 }
    }
}
EOF
        return
    fi
    local lb_mac m1_mac m2_mac
    lb_mac=$(mac_of 10) m1_mac=$(mac_of 13) m2_mac=$(mac_of 14)
    # Per connection the same member, by the parity of the client's port: the
    # lab's consecutive ports alternate between m1 and m2 as round robin would,
    # and in every run alike (a jhash's seed is new each run: all four
    # connections went to one member about one run in 16, leaving m1's capture empty).
    in_ns lb nft -f - <<EOF
table netdev dsr {
    chain ingress {
        type filter hook ingress device eth0 priority 0;
        ip daddr 10.137.7.11 tcp dport 444 ether saddr set $lb_mac ether daddr set tcp sport & 1 map { 0 : $m1_mac, 1 : $m2_mac } fwd to eth0
        ip6 daddr fd00:137:7::11 tcp dport 444 ether saddr set $lb_mac ether daddr set tcp sport & 1 map { 0 : $m1_mac, 1 : $m2_mac } fwd to eth0
    }
}
EOF
}

# connect_vip NS ADDRESS PORT: one connection from NS's source port PORT, given up after 2.5 s.
connect_vip() {
    in_ns "$1" python3 -c '
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family); s.settimeout(2.5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[2])))
try:
    s.connect((sys.argv[1], 444)); s.recv(100); print("  connected to", sys.argv[1], "from port", sys.argv[2])
except OSError as e:
    print("  connection to", sys.argv[1], "from port", sys.argv[2], "failed:", e)
s.close()
' "$2" "$3"
}

run_scenario() {
    local scenario=$1 vip=10.137.7.11 caller=client
    [ "$scenario" = dsr-ipv6 ] && vip=fd00:137:7::11
    [ "$scenario" = hairpin ] && caller=m1
    ip netns add "$lab-sw"
    ip -n "$lab-sw" link add br0 type bridge
    ip -n "$lab-sw" link set br0 up
    balancer_up "$scenario"
    member_up m1 13 "$scenario"
    member_up m2 14 "$scenario"
    host_up client 12
    local points="segment m1"
    [ "$scenario" = hairpin ] || points="client m1 segment"
    for point in $points; do
        if [ "$point" = segment ]; then
            capture_at "$lab-sw" br0 "$work/$scenario-segment.pcap" 'tcp'
        else
            capture_at "$lab-$point" eth0 "$work/$scenario-$point.pcap" 'tcp'
        fi
    done
    # Source ports the balancer's hash (or round robin) sends to different members.
    for port in 40001 40002 40003 40004; do
        connect_vip "$caller" "$vip" "$port"
        [ "$scenario" = hairpin ] && [ "$port" = 40002 ] && break
    done
    sleep 1
    stop_all_captures
    for point in $points; do
        editcap -F pcapng "$work/$scenario-$point.pcap" "$out/lbdsr-$scenario-$point.pcapng"
        echo "   lbdsr-$scenario-$point.pcapng: $(capinfos -c -M "$out/lbdsr-$scenario-$point.pcapng" |
            sed -n 's/.*packets: *//p') packets"
    done
}

for scenario in $scenarios; do
    echo "== $scenario"
    lab_down
    run_scenario "$scenario"
    lab_down
done
