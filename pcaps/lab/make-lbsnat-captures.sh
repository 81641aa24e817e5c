#!/bin/bash
# make-lbsnat-captures.sh [OUTDIR [EXPECTEDDIR]]
#
# Reproduces the field case's load-balancer fault with real Linux TCP stacks
# and captures it on the client. Each scenario builds a fresh lab of network
# namespaces, all prefixed "lbl<pid>-" (unique per run, so a stale lab never collides):
#
#   lbl<pid>-client (10.137.2.12, fd00:137:2::12) --+
#   lbl<pid>-lb     (VIP 10.137.2.11, fd00:137:2::11)+-- bridge in lbl<pid>-sw
#   lbl<pid>-m1     (10.137.2.13, fd00:137:2::13) --+
#   lbl<pid>-m2     (10.137.2.14, fd00:137:2::14) --+
#
# The balancer is nftables DNAT (round robin over m1 and m2). The pool members
# listen on TCP 444 (the MCU Factory port) and route through the balancer.
# Scenarios, one capture each (pcaps/lbsnat-<scenario>.pcapng):
#   nosnat-ipv4   DNAT without SNAT, client on the members' subnet: the members
#                 answer the client directly and the client resets them
#   nosnat-ipv6   the same over IPv6
#   snat          DNAT with SNAT to the VIP: healthy, replies come from the VIP
#   dsr           direct server return: the balancer forwards at layer 2, the
#                 members own the VIP on loopback and answer from it
#   routed-client DNAT without SNAT, but the client sits behind the balancer
#                 (10.137.3.0/24), so replies return through it: healthy
#   client-drops  no SNAT; the client's firewall drops the foreign SYN-ACK, so
#                 no reset is sent
#   client-icmp   no SNAT; the client's firewall rejects the foreign SYN-ACK
#                 with an ICMP administratively-prohibited error
#   port-scan     no connection to the VIP: the client connect-scans 40 ports
#                 of a member, 444 among them (open), the rest closed
# In nosnat-ipv4 tcpdump also runs on m1 (lbsnat-nosnat-ipv4-m1.pcapng): the
# member's own view, with no VIP in it (research edge case 10).
#
# Next to each capture it writes the expected lbsnat result
# (tests/capture/expected/lbsnat-<scenario>.tsv), derived with stock tshark
# from the lab's own knowledge of which addresses are VIP, members and client.
# MCUDIAG_LAB_LIVE_CMD (optional): a live capture of the client beside the
# file, OUTDIR/lbsnat-<scenario>.live (lab-common.sh's live_start).
# Needs root, iproute2, nftables, tcpdump, tshark (editcap) and python3. Only
# addresses inside the namespaces it creates are used; it removes them on exit.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
expected_dir=$(realpath -m "${2:-$here/../../tests/capture/expected}")
scenarios=${LBL_SCENARIOS:-"nosnat-ipv4 nosnat-ipv6 snat dsr routed-client client-drops client-icmp port-scan"}
work=$(mktemp -d /tmp/lbl.XXXXXX)
hosts="client lb m1 m2"
lab=lbl$$
pids=()

[ "$(id -u)" = 0 ] || { echo "make-lbsnat-captures.sh: needs root (network namespaces)" >&2; exit 77; }
mkdir -p "$out" "$expected_dir"


lab_down() { lab_teardown sw $hosts; }
trap 'lab_down; rm -rf "$work"' EXIT

# host_up NAME LAST_OCTET: a host on the bridge, MAC 02:00:0a:89:02:<octet>.
host_up() {
    bridge_host_up "$lab" "$1" "02:00:0a:89:02:$(printf %02x "$2")"
}

member_up() {
    local name=$1 octet=$2 mode=$3
    host_up "$name" "$octet"
    in_ns "$name" ip addr add "10.137.2.$octet/24" dev eth0
    in_ns "$name" ip addr add "fd00:137:2::$octet/64" dev eth0 nodad
    if [ "$mode" = dsr ]; then
        # DSR: the member owns the VIP on loopback but must not answer ARP for it.
        in_ns "$name" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
        in_ns "$name" ip addr add 10.137.2.11/32 dev lo
    else
        in_ns "$name" ip route add default via 10.137.2.11
        in_ns "$name" ip -6 route add default via fd00:137:2::11
    fi
    # The service: accepts on 444 and closes, like a web service that answers and hangs up.
    ip netns exec "$lab-$name" python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 444)); s.listen(16)
while True:
    c, _ = s.accept(); c.sendall(b"HTTP/1.1 204 No Content\r\n\r\n"); c.close()
' &
    pids+=($!)
}

lab_up() {
    local scenario=$1
    ip netns add "$lab-sw"
    ip -n "$lab-sw" link add br0 type bridge
    ip -n "$lab-sw" link set br0 up

    host_up lb 11
    in_ns lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
        net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0
    if [ "$scenario" = dsr ]; then
        in_ns lb ip addr add 10.137.2.10/24 dev eth0
        # Layer-2 forwarding of the VIP to one member: destination IP unchanged.
        in_ns lb ip route add 10.137.2.11/32 via 10.137.2.13
    else
        in_ns lb ip addr add 10.137.2.11/24 dev eth0
        in_ns lb ip addr add fd00:137:2::11/64 dev eth0 nodad
        local snat=""
        [ "$scenario" = snat ] && snat='
            chain post {
                type nat hook postrouting priority srcnat;
                ct status dnat ip daddr { 10.137.2.13, 10.137.2.14 } snat ip to 10.137.2.11
            }'
        in_ns lb nft -f - <<EOF
table inet lb {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 10.137.2.11 tcp dport 444 dnat ip to numgen inc mod 2 map { 0 : 10.137.2.13, 1 : 10.137.2.14 }
        ip6 daddr fd00:137:2::11 tcp dport 444 dnat ip6 to numgen inc mod 2 map { 0 : fd00:137:2::13, 1 : fd00:137:2::14 }
    }
    chain out {
        type filter hook output priority filter;
        icmpv6 type nd-redirect drop
    }
    $snat
}
EOF
    fi

    member_up m1 13 "$scenario"
    member_up m2 14 "$scenario"

    if [ "$scenario" = routed-client ]; then
        ip netns add "$lab-client"
        in_ns lb ip link add eth1 type veth peer name eth0 netns "$lab-client"
        in_ns lb ip link set eth1 address 02:00:0a:89:03:01
        in_ns lb ip addr add 10.137.3.1/24 dev eth1
        in_ns lb ip link set eth1 up
        in_ns client ip link set eth0 address 02:00:0a:89:03:0c
        in_ns client ip link set lo up
        in_ns client ip link set eth0 up
        in_ns client ip addr add 10.137.3.12/24 dev eth0
        in_ns client ip route add default via 10.137.3.1
    else
        host_up client 12
        in_ns client ip addr add 10.137.2.12/24 dev eth0
        in_ns client ip addr add fd00:137:2::12/64 dev eth0 nodad
    fi
    if [ "$scenario" = dsr ]; then
        # The client reaches the VIP through the balancer's MAC, as a router would deliver it.
        local lb_mac
        lb_mac=$(in_ns lb cat /sys/class/net/eth0/address)
        in_ns client ip neigh replace 10.137.2.11 lladdr "$lb_mac" dev eth0 nud permanent
    fi
    case $scenario in
    client-drops)
        in_ns client nft add table inet fw
        in_ns client nft add chain inet fw in '{ type filter hook input priority filter; }'
        in_ns client nft add rule inet fw in ct state invalid drop ;;
    client-icmp)
        in_ns client nft add table inet fw
        in_ns client nft add chain inet fw in '{ type filter hook input priority filter; }'
        in_ns client nft add rule inet fw in ct state invalid reject with icmpx type admin-prohibited ;;
    esac
    # Let the members' listeners come up before the first connection.
    local tries=0
    until in_ns m2 ss -Hltn 'sport = :444' | grep -q 444; do
        tries=$((tries + 1)); [ $tries -lt 50 ] || { echo "member service did not start" >&2; exit 1; }
        sleep 0.1
    done
}

# connect_vip ADDRESS: one connection attempt from the client, given up after
# 2.5 s so that a failing attempt shows its first SYN retransmission.
connect_vip() {
    in_ns client python3 -c '
import socket, sys
family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(family); s.settimeout(2.5)
try:
    s.connect((sys.argv[1], 444)); s.recv(100); print("  connected to", sys.argv[1])
except OSError as e:
    print("  connection to", sys.argv[1], "failed:", e)
s.close()
' "$1"
}

# scan_member: a connect scan of 40 ports of m1 from the client, as a port
# scanner does (nothing sent on the connections that open).
scan_member() {
    in_ns client python3 -c '
import socket
for port in range(430, 470):
    s = socket.socket(); s.settimeout(0.5)
    try:
        s.connect(("10.137.2.13", port))
    except OSError:
        pass
    s.close()
'
}

client_filter='tcp or icmp or (icmp6 and ip6[40] < 128)'

capture() {
    local scenario=$1 vip=$2
    local raw=$work/$scenario.pcap
    start_capture "$lab-client" "$raw" "$client_filter"
    [ -z "${MCUDIAG_LAB_LIVE_CMD:-}" ] || live_start "$lab-client" "$client_filter" "$work/$scenario.live"
    if [ "$scenario" = port-scan ]; then
        scan_member
    else
        [ "$scenario" = nosnat-ipv4 ] && capture_at "$lab-m1" eth0 "$work/$scenario-m1.pcap"
        # Two connections: round robin sends them to different members.
        connect_vip "$vip"
        connect_vip "$vip"
    fi
    sleep 1
    [ -z "${MCUDIAG_LAB_LIVE_CMD:-}" ] || live_finish "$work/$scenario.live" "$out/lbsnat-$scenario.live"
    stop_capture
    stop_all_captures
    editcap -F pcapng "$raw" "$out/lbsnat-$scenario.pcapng"
    [ ! -e "$work/$scenario-m1.pcap" ] || editcap -F pcapng "$work/$scenario-m1.pcap" "$out/lbsnat-$scenario-m1.pcapng"
}

for scenario in $scenarios; do
    echo "== $scenario"
    lab_down
    lab_up "$scenario"
    vip=10.137.2.11
    [ "$scenario" = nosnat-ipv6 ] && vip=fd00:137:2::11
    capture "$scenario" "$vip"
    lab_down
    case $scenario in
    snat|dsr|routed-client|port-scan) members="" ;;  # healthy: nothing may be flagged
    nosnat-ipv6) members="fd00:137:2::13 fd00:137:2::14" ;;
    *) members="10.137.2.13 10.137.2.14" ;;
    esac
    python3 "$here/expected-from-capture.py" "$out/lbsnat-$scenario.pcapng" "$vip" 444 $members \
        > "$expected_dir/lbsnat-$scenario.tsv"
    # The member's view holds no VIP: no case (its report is checked by a .mcudiag expectation).
    [ ! -e "$out/lbsnat-$scenario-m1.pcapng" ] ||
        python3 "$here/expected-from-capture.py" "$out/lbsnat-$scenario-m1.pcapng" "$vip" 444 $members \
            > "$expected_dir/lbsnat-$scenario-m1.tsv"
    echo "   $(($(wc -l < "$expected_dir/lbsnat-$scenario.tsv") - 1)) expected lbsnat frames"
done
