#!/bin/bash
# make-tunnel-capture.sh [OUTDIR [EXPECTEDDIR]]
#
# The load-balancer fault seen through a tunnel: the client's site reaches the
# pool over a VXLAN tunnel between two routers, and the capture is taken on
# the tunnel's underlay, so every TCP header sits behind an outer Ethernet,
# IPv4, UDP and VXLAN header (Ethernet / IPv4 / UDP / VXLAN / Ethernet / IPv4 /
# TCP). It proves lbsnat reads the inner header, whatever dissector table led
# TCP there. (VXLAN because it is the tunnel the test kernels offer: their
# ip_gre and ipip modules are absent.) Namespaces "itn<pid>-*":
#
#   client 10.200.1.12 -- r1 ==VXLAN over 192.0.2.0/30== r2 -- bridge -- lb (VIP 10.137.2.11)
#                                                          \-- m1 10.137.2.13
#
# The balancer is nftables DNAT without SNAT; the member routes back through
# r2, so its SYN-ACK returns to the client through the tunnel, not through
# the balancer, and the client resets it. Writes pcaps/lbsnat-vxlan-tunnel.pcapng
# and its expectation tests/capture/expected/lbsnat-vxlan-tunnel.tsv (from stock
# tshark and the lab's knowledge of VIP, member and client, like the other labs).
# Needs root, iproute2 (vxlan), nftables, tcpdump, tshark, python3.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
expected_dir=$(realpath -m "${2:-$here/../../tests/capture/expected}")
work=$(mktemp -d /tmp/itn.XXXXXX)
lab=itn$$
hosts="client r1 r2 lb m1"
pids=()

[ "$(id -u)" = 0 ] || { echo "make-tunnel-capture.sh: needs root (network namespaces)" >&2; exit 77; }
mkdir -p "$out" "$expected_dir"

lab_down() { lab_teardown $hosts; }
trap 'lab_down; rm -rf "$work"' EXIT

# link A IFA B IFB: a veth pair between two namespaces.
link() {
    ip -n "$lab-$1" link add "$2" type veth peer name "$4" netns "$lab-$3"
    ip -n "$lab-$1" link set "$2" up
    ip -n "$lab-$3" link set "$4" up
}

for ns in $hosts; do
    ip netns add "$lab-$ns"
    ip -n "$lab-$ns" link set lo up
done
for ns in r1 r2 lb; do
    in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.all.rp_filter=0
done

link client eth0 r1 eth0
in_ns client ip addr add 10.200.1.12/24 dev eth0
in_ns client ip route add default via 10.200.1.1
in_ns r1 ip addr add 10.200.1.1/24 dev eth0

# The underlay and the tunnel.
link r1 eth1 r2 eth1
in_ns r1 ip addr add 192.0.2.1/30 dev eth1
in_ns r2 ip addr add 192.0.2.2/30 dev eth1
in_ns r1 ip link add vx0 type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789
in_ns r2 ip link add vx0 type vxlan id 42 local 192.0.2.2 remote 192.0.2.1 dstport 4789
in_ns r1 ip link set vx0 address 02:00:0a:c8:09:01
in_ns r2 ip link set vx0 address 02:00:0a:c8:09:02
in_ns r1 ip addr add 10.200.9.1/30 dev vx0
in_ns r2 ip addr add 10.200.9.2/30 dev vx0
in_ns r1 ip link set vx0 up
in_ns r2 ip link set vx0 up
in_ns r1 ip route add 10.137.2.0/24 via 10.200.9.2 dev vx0
in_ns r2 ip route add 10.200.1.0/24 via 10.200.9.1 dev vx0

# The pool's LAN behind r2: a bridge in r2 with the balancer and the member.
in_ns r2 ip link add br0 type bridge
in_ns r2 ip link set br0 up
in_ns r2 ip addr add 10.137.2.1/24 dev br0
for host in lb m1; do
    ip -n "$lab-r2" link add "p-$host" type veth peer name eth0 netns "$lab-$host"
    ip -n "$lab-r2" link set "p-$host" master br0 up
    in_ns "$host" ip link set eth0 up
done
in_ns lb ip addr add 10.137.2.11/24 dev eth0
in_ns lb ip route add default via 10.137.2.1
in_ns lb nft -f - <<'EOF'
table ip lb {
    chain pre {
        type nat hook prerouting priority dstnat;
        ip daddr 10.137.2.11 tcp dport 444 dnat to 10.137.2.13
    }
}
EOF
in_ns m1 ip addr add 10.137.2.13/24 dev eth0
in_ns m1 ip route add default via 10.137.2.1
ip netns exec "$lab-m1" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 444)); s.listen(16)
while True:
    c, _ = s.accept(); c.close()
' &
pids+=($!)
tries=0
until in_ns m1 ss -Hltn 'sport = :444' | grep -q 444; do
    tries=$((tries + 1)); [ $tries -lt 50 ] || { echo "member service did not start" >&2; exit 1; }
    sleep 0.1
done

raw=$work/vxlan.pcap
capture_at "$lab-r1" eth1 "$raw" 'udp port 4789'
in_ns client python3 -c '
import socket
s = socket.socket(); s.settimeout(2.5)
try:
    s.connect(("10.137.2.11", 444)); print("  connected (unexpected: SNAT?)")
except OSError as e:
    print("  connection to the VIP failed:", e)
'
sleep 0.5
stop_all_captures
editcap -F pcapng "$raw" "$out/lbsnat-vxlan-tunnel.pcapng"

# The expectation from stock tshark: inner headers only (the last value of
# each field is the innermost IP header's).
tshark -r "$out/lbsnat-vxlan-tunnel.pcapng" -T fields -E separator=/t -e frame.number -e ip.src -e ip.dst \
    -e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset | python3 -c '
import sys
print("frame\trole\tvip\tvip_port\tmember\tclient")
vip, member, client = "10.137.2.11", "10.137.2.13", "10.200.1.12"
for line in sys.stdin:
    frame, src, dst, syn, ack, rst = line.rstrip("\n").split("\t")
    src, dst = src.split(",")[-1], dst.split(",")[-1]
    role = None
    if (src, dst) == (client, vip) and syn == "1" and ack == "0":
        role = "syn"
    elif (src, dst) == (member, client) and syn == "1" and ack == "1":
        role = "synack"
    elif (src, dst) == (client, member) and rst == "1" and ack == "0":
        role = "rst"
    if role:
        print("\t".join([frame, role, vip, "444", member, client]))
' > "$expected_dir/lbsnat-vxlan-tunnel.tsv"
echo "   $(($(wc -l < "$expected_dir/lbsnat-vxlan-tunnel.tsv") - 1)) expected lbsnat frames"
