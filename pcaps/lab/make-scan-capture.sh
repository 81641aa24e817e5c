#!/bin/bash
# make-scan-capture.sh [OUTDIR]
#
# A port scan with a real scanner: nmap's SYN sweep (-sS) of 12 ports, 444
# among them, on three hosts, over IPv4 and then IPv6, captured on the
# scanner. No balancer, no OCS: -z mcudiag must find nothing. What the sweep
# shows on 444: host .21 listens (SYN, SYN-ACK, then the scanner's kernel
# resets the SYN-ACK nmap's raw SYN drew: a probe, not a health post), host .22
# is closed (reset by the host), host .23 drops it (SYN retransmitted, never
# answered). Namespaces "mcudsr-scan<pid>-*" on one bridge:
#
#   scanner 10.137.6.10 / fd00:137:6::10
#   h1 .21  listens on 22, 80, 444      h2 .22  listens on 443, 5061
#   h3 .23  listens on 80; its nftables drops 444 and 3389 (filtered)
#
# Writes pcaps/scan-nmap-syn.pcapng. Needs root, iproute2, nftables, tcpdump,
# nmap, editcap and python3. SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
work=$(mktemp -d /tmp/mcudsr-scan.XXXXXX)
lab=mcudsr-scan$$
hosts="scanner h1 h2 h3"
pids=()
ports=22,25,53,80,135,443,444,445,3389,5060,5061,8080

[ "$(id -u)" = 0 ] || { echo "make-scan-capture.sh: needs root (network namespaces)" >&2; exit 77; }
command -v nmap >/dev/null || { echo "make-scan-capture.sh: needs nmap" >&2; exit 77; }
mkdir -p "$out"


lab_down() { lab_teardown sw $hosts; }
trap 'lab_down; rm -rf "$work"' EXIT

# host NAME OCTET PORT...: a host on the bridge listening on the ports (IPv4 and IPv6).
host() {
    local name=$1 octet=$2
    shift 2
    bridge_host_up "$lab" "$name" "02:00:0a:89:06:$(printf %02x "$octet")"
    in_ns "$name" ip addr add "10.137.6.$octet/24" dev eth0
    in_ns "$name" ip addr add "fd00:137:6::$octet/64" dev eth0 nodad
    [ $# -gt 0 ] || return 0
    ip netns exec "$lab-$name" python3 -c '
import select, socket, sys
listeners = []
for port in map(int, sys.argv[1:]):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port)); s.listen(16); listeners.append(s)
print("listening", flush=True)
while True:
    for s in select.select(listeners, [], [])[0]:
        s.accept()[0].close()
' "$@" > "$work/$name.log" &
    pids+=($!)
    wait_for_line "$work/$name.log" listening
}

ip netns add "$lab-sw"
ip -n "$lab-sw" link add br0 type bridge
ip -n "$lab-sw" link set br0 up
host scanner 10
host h1 21 22 80 444
host h2 22 443 5061
host h3 23 80
in_ns h3 nft -f - <<EOF
table inet fw {
    chain in {
        type filter hook input priority filter;
        tcp dport { 444, 3389 } drop
    }
}
EOF

start_capture "$lab-scanner" "$work/scan.pcap" 'tcp'
in_ns scanner nmap -n -Pn -sS -T4 --max-retries 1 -p "$ports" 10.137.6.21 10.137.6.22 10.137.6.23 > "$work/nmap4.txt"
in_ns scanner nmap -6 -n -Pn -sS -T4 --max-retries 1 -p "$ports" fd00:137:6::21 fd00:137:6::22 fd00:137:6::23 \
    > "$work/nmap6.txt"
sleep 1
stop_capture
grep -h '^444/' "$work/nmap4.txt" "$work/nmap6.txt" | sed 's/^/   nmap: /'
editcap -F pcapng "$work/scan.pcap" "$out/scan-nmap-syn.pcapng"
echo "   $(capinfos -c -M "$out/scan-nmap-syn.pcapng" | sed -n 's/.*packets: *//p') packets in scan-nmap-syn.pcapng"
