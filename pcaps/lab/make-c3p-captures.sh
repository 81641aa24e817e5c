#!/bin/bash
# make-c3p-captures.sh [OUTDIR]
#
# Real C3P exchanges between real sockets (pcaps/lab/c3p_peers.py) in two
# network namespaces, c3l-client (10.137.5.10) and c3l-server (10.137.5.20),
# captured with tcpdump on the client:
#   c3p-sip-tcp.pcapng      SIP over TCP 5060: Focus Factory SERVICEs, the join
#                           INVITE, INFOs (a failure, a body split across TCP
#                           segments, malformed XML, a request never answered)
#   c3p-sip-tls.pcapng      the same over TLS 1.3 on 5061
#   c3p-https-tls12.pcapng  HTTP over TLS 1.2 on 444: Focus -> IM MCU dial-out,
#                           two pipelined requests (one fails), MCU -> MCU
#                           Factory, a request never answered
#   c3p-https-tls13.pcapng  the same over TLS 1.3
# TLS key logs are injected into the pcapng (editcap --inject-secrets), so
# Wireshark decrypts with no option. Needs root, iproute2, tcpdump, openssl,
# editcap and python3; removes its namespaces on exit.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab-common.sh"
out=$(realpath -m "${1:-$here/..}")
work=$(mktemp -d /tmp/c3l.XXXXXX)
server_pid=""

[ "$(id -u)" = 0 ] || { echo "make-c3p-captures.sh: needs root (network namespaces)" >&2; exit 77; }
mkdir -p "$out"

lab_down() {
    [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
    server_pid=""
    lab_ns_del c3l client server
}
trap 'lab_down; rm -rf "$work"' EXIT

lab_down
ip netns add c3l-client
ip netns add c3l-server
ip -n c3l-client link add eth0 type veth peer name eth0 netns c3l-server
for ns in client server; do
    ip -n "c3l-$ns" link set lo up
    ip -n "c3l-$ns" link set eth0 up
done
ip -n c3l-client link set eth0 address 02:00:0a:89:05:0a
ip -n c3l-server link set eth0 address 02:00:0a:89:05:14
ip -n c3l-client addr add 10.137.5.10/24 dev eth0
ip -n c3l-server addr add 10.137.5.20/24 dev eth0

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=pool01.contoso.com" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
ip netns exec c3l-server python3 "$here/c3p_peers.py" server --cert "$work/cert.pem" --key "$work/key.pem" \
    > "$work/server.log" 2>&1 &
server_pid=$!
wait_for_line "$work/server.log" listening

# capture NAME PORT [TLS_VERSION]
capture() {
    local name=$1 port=$2 tls=${3:-}
    local raw=$work/$name.pcap keylog=$work/$name.keys
    start_capture c3l-client "$raw" "tcp port $port"
    ip netns exec c3l-client python3 "$here/c3p_peers.py" client --server 10.137.5.20 --port "$port" \
        ${tls:+--tls "$tls" --keylog "$keylog"}
    sleep 0.5
    stop_capture
    if [ -n "$tls" ]; then
        editcap --inject-secrets "tls,$keylog" "$raw" "$out/$name.pcapng"
    else
        editcap -F pcapng "$raw" "$out/$name.pcapng"
    fi
    echo "$name.pcapng: $(capinfos -c -M "$out/$name.pcapng" | awk '/Number of packets/ {print $NF}') packets"
}

capture c3p-sip-tcp 5060
capture c3p-sip-tls 5061 1.3
capture c3p-https-tls12 444 1.2
capture c3p-https-tls13 444 1.3
