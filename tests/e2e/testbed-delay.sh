#!/bin/sh
# `testbed.sh up NAME --delay 25` puts the instance in its own network namespace
# behind a link that delays each packet by 25 ms each way: ssh works through the
# namespace address, a TCP round trip takes at least 50 ms, and `down` removes
# the namespace and its link.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
DELAY=25
tb_fresh e2e-delay --delay "$DELAY" || finish

case $TB_HOST in
    10.213.*.2) pass "the instance is reported at its namespace address $TB_HOST" ;;
    *) fail "TB_HOST is $TB_HOST, not a 10.213.N.2 namespace address" ;;
esac
if [ -n "$TB_NETNS" ] && [ -e "/run/netns/$TB_NETNS" ]; then
    pass "network namespace $TB_NETNS exists"
else
    fail "network namespace '$TB_NETNS' does not exist"
fi

out=$(tb_ssh root id -u)
check_eq "ssh as root through the namespace address" 0 "$out"

# sshd really runs inside that namespace...
inside=$(tb_ssh root 'stat -L -c %i /proc/1/ns/net')
ns_inode=$(stat -L -c %i "/run/netns/$TB_NETNS" 2>/dev/null)
check_eq "the instance's init is in network namespace $TB_NETNS" "$ns_inode" "$inside"
# ... so it is not reachable on this machine's loopback.
if bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$TB_PORT" 2>/dev/null; then
    fail "something answers on 127.0.0.1:$TB_PORT of this machine"
else
    pass "nothing answers on 127.0.0.1:$TB_PORT of this machine"
fi

# One TCP connect is one round trip (SYN out, SYN-ACK back): with DELAY ms each
# way it cannot take less than 2*DELAY ms. Timed inside bash, best of 5.
# shellcheck disable=SC2016
best=$(bash -c '
    best=
    for i in 1 2 3 4 5; do
        s=${EPOCHREALTIME/./}
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        e=${EPOCHREALTIME/./}
        exec 3>&-
        us=$((e - s))
        if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
    done
    echo $((best / 1000))' _ "$TB_HOST" "$TB_PORT")
log "best TCP connect: ${best:-?} ms"
if [ -n "$best" ] && [ "$best" -ge $((2 * DELAY)) ] && [ "$best" -lt $((2 * DELAY + 200)) ]; then
    pass "a TCP round trip takes $best ms (>= $((2 * DELAY)) ms)"
else
    fail "a TCP round trip takes ${best:-?} ms, expected $((2 * DELAY)) to $((2 * DELAY + 200)) ms"
fi
s=$(date +%s%N)
tb_ssh root true
e=$(date +%s%N)
ssh_ms=$(((e - s) / 1000000))
log "ssh root@$TB_HOST true: $ssh_ms ms"

netns=$TB_NETNS
hostside="${TB_HOST%.*}.1"
host_link() { ip -4 -o addr show | grep -qF -e "inet $hostside/" -e "inet $hostside peer"; }
if host_link; then
    pass "while up, this machine has the link address $hostside"
else
    fail "while up, this machine has no link address $hostside"
fi
check -m "testbed.sh down e2e-delay" "$TESTBED" down e2e-delay
if [ -e "/run/netns/$netns" ] || ip netns list | grep -q "^$netns "; then
    fail "network namespace $netns remains after down"
else
    pass "down removed network namespace $netns"
fi
if host_link; then
    fail "the host side of the link to $TB_HOST remains after down"
else
    pass "down removed the host side of the link"
fi

note "RTT $best ms with $DELAY ms each way ($TB_DELAY_MODE), ssh true $ssh_ms ms"
finish
