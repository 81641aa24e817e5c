#!/bin/bash
# check_ssh.sh RUNNER PLUGIN MCUDIAG-BATCH CAPTURE
# mcudiag-batch with one worker on a second "machine" (an sshd in a network
# namespace, keys made here) gives the same diagnosis as the local run. Root
# only (namespaces, sshd); skipped (77) otherwise or without sshd, GNU
# parallel or rsync. Cleans up after itself, whatever happens.
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
runner=$1 plugin=$2 batch=$3 capture=$4
[ "$(id -u)" = 0 ] || { echo "SKIP: root only (network namespace, sshd)"; exit 77; }
for tool in ip ssh ssh-keygen parallel rsync tshark; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x /usr/sbin/sshd ] || { echo "SKIP: openssh-server is not installed"; exit 77; }

ns=mcudiagbatch-$$
host_if=mcbh$$ ns_if=mcbn$$
net=10.231.$(( $$ % 200 + 20 ))
tmp=$(mktemp -d /tmp/mcudiagbatch-ssh.XXXXXX)
cleanup() {
    [ -f "$tmp/sshd.pid" ] && kill "$(cat "$tmp/sshd.pid")" 2>/dev/null || true
    ip link del "$host_if" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$ns"
ip link add "$host_if" type veth peer name "$ns_if"
ip link set "$ns_if" netns "$ns"
ip addr add "$net.1/30" dev "$host_if"
ip link set "$host_if" up
ip netns exec "$ns" ip addr add "$net.2/30" dev "$ns_if"
ip netns exec "$ns" ip link set "$ns_if" up
ip netns exec "$ns" ip link set lo up

ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/user_key"
cp "$tmp/user_key.pub" "$tmp/authorized_keys"
cat > "$tmp/sshd_config" <<CONF
Port 2222
ListenAddress $net.2
HostKey $tmp/host_key
AuthorizedKeysFile $tmp/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PidFile $tmp/sshd.pid
MaxStartups 64
MaxSessions 64
CONF
mkdir -p /run/sshd
ip netns exec "$ns" /usr/sbin/sshd -f "$tmp/sshd_config" -E "$tmp/sshd.log"
ssh_cmd="ssh -p 2222 -i $tmp/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5"
for _ in $(seq 50); do $ssh_cmd "root@$net.2" true 2>/dev/null && break; sleep 0.2; done
$ssh_cmd "root@$net.2" true || { echo "FAIL: the worker's sshd does not answer"; cat "$tmp/sshd.log"; exit 1; }

# The capture cut into ring files of 3 packets.
frames=$(capinfos -M -c -T -r "$capture" | cut -f2)
mkdir "$tmp/ring"
for first in $(seq 1 3 "$frames"); do
    tshark -r "$capture" -Y "frame.number >= $first && frame.number < $((first + 3))" -F pcapng \
        -w "$tmp/ring/ring_$(printf %05d "$first").pcapng"
done
chmod -R a+rX "$tmp"

home=$tmp/tshark-home
export MCUDIAG_TSHARK="env MCUDIAG_TEST_HOME=$home $runner $plugin"
"$batch" -j 2 --json "$tmp/local.json" "$tmp/ring" > "$tmp/local.txt"
"$batch" -j 1 --ssh "$ssh_cmd" --sshlogin : --sshlogin "root@$net.2" --keep "$tmp/remote-work" --json "$tmp/remote.json" \
    "$tmp/ring" > "$tmp/remote.txt"

status=0
# A chunk sent to the worker: its capture went over (GNU parallel's joblog
# counts the bytes sent) and the worker's sshd let the batch in.
remote_jobs=$(awk -F'\t' 'NR > 1 && $5 > 0' "$tmp/remote-work/joblog" | wc -l)
if [ "$remote_jobs" -lt 1 ] || ! grep -q "Accepted publickey" "$tmp/sshd.log"; then
    echo "FAIL: no chunk ran on the second machine"; cat "$tmp/remote-work/joblog"; status=1
fi
if ! cmp -s "$tmp/local.txt" "$tmp/remote.txt"; then
    echo "FAIL: the diagnosis differs with a worker over ssh"; diff "$tmp/local.txt" "$tmp/remote.txt" || true; status=1
fi
python3 - "$tmp/local.json" "$tmp/remote.json" <<'PY' || status=1
import json, sys
a, b = (json.load(open(p))["findings"] for p in sys.argv[1:3])
if a != b or not a:
    print("FAIL: the JSON findings differ (or are empty)")
    sys.exit(1)
PY
grep -q '^1\. ' "$tmp/local.txt" || { echo "FAIL: no finding in the local run"; status=1; }
[ $status = 0 ] && echo "same diagnosis with $remote_jobs chunk(s) on the second machine ($ns)"
exit $status
