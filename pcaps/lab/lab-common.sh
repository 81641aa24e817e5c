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

# lab_ns_del PREFIX NAME...: deletes namespaces PREFIX-NAME, first ending
# every process still in them. A peer started in the background with
# `ip netns exec` is the child of a subshell, so killing the subshell leaves it
# running, and `ip netns del` leaves it running too (a reaper of the idle-timer
# lab outlived its CI run that way).
lab_ns_del() {
    local prefix=$1 name pid
    shift
    for name in "$@"; do
        for pid in $(ip netns pids "$prefix-$name" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$prefix-$name" 2>/dev/null || true
    done
}

# in_ns NAME COMMAND...: COMMAND in the lab's namespace $lab-NAME.
in_ns() { local ns=$1; shift; ip netns exec "$lab-$ns" "$@"; }

# lab_teardown NAME...: ends the lab's captures and its peers (the caller's
# pids array: every one signalled before any is waited for, so their exits
# overlap), then deletes the namespaces $lab-NAME.
lab_teardown() {
    local pid
    stop_all_captures
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
    lab_ns_del "$lab" "$@"
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

# tcpdump's kernel buffer (KiB). In immediate mode each slot holds a whole
# snapshot (256 KiB with -s 0), so the 2 MiB default keeps 8 packets: on a
# loaded machine a port scan lost a sixth of its packets before tcpdump read them.
capture_buffer_kib=65536

# start_capture NAMESPACE FILE FILTER: tcpdump on eth0 of NAMESPACE into FILE;
# returns once it listens. stop_capture ends it.
start_capture() {
    local ns=$1 file=$2 filter=$3
    ip netns exec "$ns" tcpdump -i eth0 -s 0 -B "$capture_buffer_kib" -U --immediate-mode -Z root -w "$file" "$filter" 2>"$file.log" &
    capture_pid=$!
    capture_file=$file
    wait_for_line "$file.log" "listening on"
}

stop_capture() {
    end_capture "$capture_pid" "$capture_file"
}

# end_capture PID FILE: ends the tcpdump PID writing FILE once it has caught
# up. On a loaded machine tcpdump lags behind the traffic, and a TERM while
# packets wait in its buffer loses them: the capture ends early (a scan of 40
# ports kept 15). So it waits until FILE stops growing (15 s at most), and
# then says so on stderr if tcpdump's own count shows packets lost anyway.
end_capture() {
    local pid=$1 file=$2 last=-1 size steady=0 tries=0
    while [ $steady -lt 5 ] && [ $tries -lt 150 ]; do
        size=$(stat -c %s "$file" 2>/dev/null || echo 0)
        if [ "$size" = "$last" ]; then steady=$((steady + 1)); else steady=0; last=$size; fi
        tries=$((tries + 1))
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    local captured received dropped
    captured=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$file.log")
    received=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$file.log")
    dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$file.log")
    if [ "${dropped:-0}" != 0 ] || [ "${captured:-0}" != "${received:-0}" ]; then
        echo "lab: $file kept ${captured:-?} of ${received:-?} packets (${dropped:-?} dropped by the kernel)" >&2
    fi
}

# capture_at NAMESPACE INTERFACE FILE [FILTER]: one more tcpdump (TCP unless
# FILTER says otherwise) running beside the others until stop_all_captures.
captures=()
capture_files=()
capture_at() {
    ip netns exec "$1" tcpdump -i "$2" -s 0 -B "$capture_buffer_kib" -U --immediate-mode -Z root -w "$3" "${4:-tcp}" 2>"$3.log" &
    captures+=($!)
    capture_files+=("$3")
    wait_for_line "$3.log" "listening on"
}

stop_all_captures() {
    local i
    for i in "${!captures[@]}"; do end_capture "${captures[$i]}" "${capture_files[$i]}"; done
    captures=()
    capture_files=()
}

# live_start NAMESPACE FILTER FILE: a live capture for the labs' live test:
# the shell command in MCUDIAG_LAB_LIVE_CMD (tshark -i - with the plugin)
# reads NAMESPACE's eth0 packets as a pcap stream on stdin, from one more
# tcpdump writing a FIFO (stopped with the others), and prints into FILE.
live_start() {
    local fifo=$3.fifo
    mkfifo "$fifo"
    bash -c "$MCUDIAG_LAB_LIVE_CMD" <"$fifo" >"$3" 2>"$3.log" &
    live_pid=$!
    capture_at "$1" eth0 "$fifo" "$2"
}

# live_finish FILE OUT: waits (30 s at most) for the live command's first
# line while the packets still come, stops the captures, lets the command
# read to the end of the stream, and writes OUT: a first line saying whether
# it printed while capturing ("# printed while capturing"), then its output.
live_finish() {
    local tries=0 state="# nothing printed while capturing"
    until [ -s "$1" ] || [ $tries -ge 300 ]; do tries=$((tries + 1)); sleep 0.1; done
    [ -s "$1" ] && state="# printed while capturing"
    stop_all_captures
    wait "$live_pid" || true
    { echo "$state"; cat "$1"; } >"$2"
}
