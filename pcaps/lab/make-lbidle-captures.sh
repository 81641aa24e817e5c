#!/bin/bash
# make-lbidle-captures.sh [OUTDIR]
#
# A load balancer whose TCP idle timeout is too short, with real Linux TCP
# stacks. Each scenario builds a fresh lab of network namespaces, all
# prefixed "mcuidle-<pid>-":
#
#   client (10.137.4.12, fd00:137:4::12) --+
#   lb     (VIP 10.137.4.11, fd00:137:4::11)+-- bridge br0 in mcuidle-<pid>-sw
#   m1     (10.137.4.13, fd00:137:4::13) --+
#   m2     (10.137.4.14, fd00:137:4::14) --+
#
# The balancer is nftables DNAT to m1 and m2 (round robin) with SNAT to the
# VIP, as Microsoft requires, and a conntrack timeout policy that forgets an
# established flow after 5 s without a packet (a real balancer's is 300 s or
# 1800 s; the lab's timer is seconds so a run takes seconds). The members
# echo messages on TCP 5061, where clients keep their SIP connections to a
# pool. The clients (idle_peers.py clients) open eight connections: one busy
# (a message every 2 s), one quiet with TCP keep-alives every 2 s, two with
# gaps of 3 and 3.5 s, four quiet for 8, 9, 11 and 13 s.
# Scenarios, what the balancer does with a packet of a forgotten flow:
#   reset-next       answers the next packet from either side with an RST
#                    (nftables: ct state invalid -> reject with tcp reset)
#   reset-next-ipv6  the same over IPv6
#   reset-expiry     resets both sides when the flow expires (idle_peers.py
#                    reaper: an idle timer on the balancer beside conntrack's)
#   silent-drop      drops it: the client retransmits, then gives up
#   long-timeout     healthy: the timer is 60 s, nothing is cut
#   server-closes    healthy balancer (60 s), but the members close a
#                    connection themselves after 4 s without a message (FIN)
# Captures per scenario (OUTDIR/lbidle-<scenario>-<point>.pcapng): client (the
# client's eth0), m1 (member m1's eth0) and span (the bridge: both legs).
# MCUDIAG_LAB_LIVE_CMD (optional): a live capture of the client beside the
# files, OUTDIR/lbidle-<scenario>-client.live (lab-common.sh's live_start).
# Needs root, iproute2, nftables, conntrack, tcpdump, tshark (editcap) and
# python3. Only addresses inside the namespaces it creates are used; it
# removes them on exit.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
scenarios=${LBIDLE_SCENARIOS:-"reset-next reset-next-ipv6 reset-expiry silent-drop long-timeout server-closes"}
work=$(mktemp -d /tmp/lbidle.XXXXXX)
hosts="client lb m1 m2"
lab=mcuidle-$$
pids=()

[ "$(id -u)" = 0 ] || { echo "make-lbidle-captures.sh: needs root (network namespaces)" >&2; exit 77; }
command -v conntrack >/dev/null || { echo "make-lbidle-captures.sh: needs conntrack" >&2; exit 77; }
mkdir -p "$out"


lab_down() { lab_teardown sw $hosts; }
trap 'lab_down; rm -rf "$work"' EXIT

host_up() {
    local name=$1 octet=$2
    bridge_host_up "$lab" "$name" "02:00:0a:89:04:$(printf %02x "$octet")"
    in_ns "$name" ip addr add "10.137.4.$octet/24" dev eth0
    in_ns "$name" ip addr add "fd00:137:4::$octet/64" dev eth0 nodad
}

# balancer_up SCENARIO: DNAT + SNAT, the idle timer, and what happens to a
# packet of a flow the balancer forgot.
balancer_up() {
    local scenario=$1 timer=5 forgotten="" member
    case $scenario in
    long-timeout|server-closes) timer=60 ;;
    esac
    case $scenario in
    reset-next*) forgotten="ct state invalid meta l4proto tcp reject with tcp reset" ;;
    reset-expiry|silent-drop) forgotten="ct state invalid drop" ;;
    esac
    host_up lb 11
    # Mid-stream packets of a forgotten flow stay invalid (not picked up as new flows).
    in_ns lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
        net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0 \
        net.netfilter.nf_conntrack_tcp_loose=0
    in_ns lb nft -f - <<NFT
table inet lb {
    ct timeout idle4 { protocol tcp; l3proto ip; policy = { established: $timer }; }
    ct timeout idle6 { protocol tcp; l3proto ip6; policy = { established: $timer }; }
    chain timers {
        type filter hook prerouting priority -150;
        meta nfproto ipv4 ct state new ct timeout set "idle4"
        meta nfproto ipv6 ct state new ct timeout set "idle6"
    }
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 10.137.4.11 tcp dport 5061 dnat ip to numgen inc mod 2 map { 0 : 10.137.4.13, 1 : 10.137.4.14 }
        ip6 daddr fd00:137:4::11 tcp dport 5061 dnat ip6 to numgen inc mod 2 map { 0 : fd00:137:4::13, 1 : fd00:137:4::14 }
    }
    chain post {
        type nat hook postrouting priority srcnat;
        ct status dnat ip daddr { 10.137.4.13, 10.137.4.14 } snat ip to 10.137.4.11
        ct status dnat ip6 daddr { fd00:137:4::13, fd00:137:4::14 } snat ip6 to fd00:137:4::11
    }
    chain inbound {
        type filter hook input priority filter;
        $forgotten
    }
    chain forwarded {
        type filter hook forward priority filter;
        $forgotten
    }
    chain outbound {
        type filter hook output priority filter;
        icmpv6 type nd-redirect drop
    }
}
NFT
    if [ "$scenario" = reset-expiry ]; then
        in_ns lb python3 "$here/idle_peers.py" reaper eth0 "$timer" > "$work/reaper.log" 2>&1 &
        pids+=($!)
        wait_for_line "$work/reaper.log" reaping
    fi
}

lab_up() {
    local scenario=$1 member close_idle=""
    ip netns add "$lab-sw"
    ip -n "$lab-sw" link add br0 type bridge
    ip -n "$lab-sw" link set br0 up
    balancer_up "$scenario"
    [ "$scenario" = server-closes ] && close_idle=4
    for member in m1:13 m2:14; do
        host_up "${member%:*}" "${member#*:}"
        in_ns "${member%:*}" python3 "$here/idle_peers.py" server $close_idle > "$work/${member%:*}.log" 2>&1 &
        pids+=($!)
        wait_for_line "$work/${member%:*}.log" listening
    done
    host_up client 12
}

for scenario in $scenarios; do
    echo "== $scenario"
    lab_down
    lab_up "$scenario"
    vip=10.137.4.11
    [ "$scenario" = reset-next-ipv6 ] && vip=fd00:137:4::11
    capture_at "$lab-sw" br0 "$work/$scenario-span.pcap"
    capture_at "$lab-client" eth0 "$work/$scenario-client.pcap"
    capture_at "$lab-m1" eth0 "$work/$scenario-m1.pcap"
    [ -z "${MCUDIAG_LAB_LIVE_CMD:-}" ] || live_start "$lab-client" tcp "$work/$scenario.live"
    in_ns client python3 "$here/idle_peers.py" clients "$vip"
    # the reaper's resets of the last flows, the members' last retransmissions
    sleep 2
    [ -z "${MCUDIAG_LAB_LIVE_CMD:-}" ] || live_finish "$work/$scenario.live" "$out/lbidle-$scenario-client.live"
    stop_all_captures
    lab_down
    for point in client m1 span; do
        editcap -F pcapng "$work/$scenario-$point.pcap" "$out/lbidle-$scenario-$point.pcapng"
    done
done
