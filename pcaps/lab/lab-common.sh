# lab-common.sh — helpers shared by the namespace capture labs (sourced, not run).
# SPDX-License-Identifier: GPL-2.0-or-later

# wait_for_line FILE TEXT: until a background program writes TEXT to FILE (5 s at most).
wait_for_line() {
    local file=$1 text=$2 tries=0
    until grep -q "$text" "$file" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -lt 50 ] || { echo "timed out waiting for '$text' in $file:" >&2; cat "$file" >&2; exit 1; }
        sleep 0.1
    done
}

# bridge_host_up PREFIX NAME MAC: namespace PREFIX-NAME with eth0 plugged into
# the bridge br0 of namespace PREFIX-sw, with a fixed MAC address.
bridge_host_up() {
    local prefix=$1 name=$2 mac=$3
    ip netns add "$prefix-$name"
    ip -n "$prefix-sw" link add "p-$name" type veth peer name eth0 netns "$prefix-$name"
    ip -n "$prefix-sw" link set "p-$name" master br0 up
    ip -n "$prefix-$name" link set eth0 address "$mac"
    ip -n "$prefix-$name" link set lo up
    ip -n "$prefix-$name" link set eth0 up
    ip netns exec "$prefix-$name" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
}

# start_capture NAMESPACE FILE FILTER: tcpdump on eth0 of NAMESPACE into FILE;
# returns once it listens. stop_capture ends it.
start_capture() {
    local ns=$1 file=$2 filter=$3
    ip netns exec "$ns" tcpdump -i eth0 -s 0 -U --immediate-mode -Z root -w "$file" "$filter" 2>"$file.log" &
    capture_pid=$!
    wait_for_line "$file.log" "listening on"
}

stop_capture() {
    kill -TERM "$capture_pid"
    wait "$capture_pid" || true
}

# capture_at NAMESPACE INTERFACE FILE [FILTER]: one more tcpdump (TCP unless
# FILTER says otherwise) running beside the others until stop_all_captures.
captures=()
capture_at() {
    ip netns exec "$1" tcpdump -i "$2" -s 0 -U --immediate-mode -Z root -w "$3" "${4:-tcp}" 2>"$3.log" &
    captures+=($!)
    wait_for_line "$3.log" "listening on"
}

stop_all_captures() {
    local pid
    for pid in "${captures[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true; done
    captures=()
}
