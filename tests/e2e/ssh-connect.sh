#!/bin/sh
# Connecting, through `shelfready facts --raw`: a closed port and a port that
# never speaks SSH fail with exit 3 and a message naming what failed, within
# the connect timeout; --wait keeps trying until a VM that boots late answers;
# the target syntaxes; invalid targets are usage errors; a jump host (bastion)
# is used when given, and a jump host that refuses is named in the error.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
[ -x "$SR" ] || { fail "$SR is not built (run make)"; finish; }
command -v python3 >/dev/null || { fail "python3 is needed for the silent listener"; finish; }
TB_DIR=${SHELFREADY_TESTBED_DIR:-/var/tmp/shelfready-testbed}

# The user's own keys, agent and ~/.ssh must play no part.
HOME_DIR=$SR_TMP/home
mkdir -p "$HOME_DIR"
# (bounded, so that a hang fails the test instead of stopping it)
# shellcheck disable=SC2317  # called through run
sr() { timeout -k 5 120 env -u SSH_AUTH_SOCK HOME="$HOME_DIR" "$SR" "$@"; }

# within MS WHAT: the last run took less than MS milliseconds
within() {
    if [ "$ELAPSED" -lt "$1" ]; then pass "$2 (${ELAPSED} ms)"; else fail "$2: took ${ELAPSED} ms"; fi
}
facts_ok() {
    if head -n 1 "$SR_TMP/out" | grep -q '^@@SRG [A-Za-z0-9]* gather 1$' &&
        tail -n 1 "$SR_TMP/out" | grep -q '^@@SRG [A-Za-z0-9]* done$'; then
        pass "$1: a complete transcript"
    else
        fail "$1: no complete transcript on stdout"
    fi
}
# A TCP port on 127.0.0.1 that nothing listens on (from the ephemeral range, so
# not one that testbed.sh would pick).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
count() { grep -c -- "$1" "$2" 2>/dev/null || true; }

tb_fresh e2e-connect-jump || finish
# shellcheck disable=SC2153  # TB_* come from tb_fresh
A_PORT=$TB_PORT A_KNOWN_HOSTS=$TB_KNOWN_HOSTS A_LOG=$TB_DIR/instances/$TB_NAME/sshd.log
tb_fresh e2e-connect || finish
B_LOG=$TB_DIR/instances/$TB_NAME/sshd.log
OPTS="-i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh --raw"

# --- a closed port
P=$(free_port)
# shellcheck disable=SC2086
run 3 sr facts $OPTS "root@127.0.0.1:$P"
err_has "port $P" "a closed port: the message names the port"
err_matches "refused" "a closed port: the message says the connection was refused"
within 5000 "a closed port fails at once"
# with --wait it keeps trying, then gives up
# shellcheck disable=SC2086
run 3 sr facts $OPTS --wait 3 "root@127.0.0.1:$P"
err_has "port $P" "a closed port with --wait 3: the message names the port"
# It must still be trying close to the end of the 3 s (a VM may answer then).
if [ "$ELAPSED" -ge 2500 ] && [ "$ELAPSED" -lt 15000 ]; then
    pass "--wait 3 kept retrying for about 3 s (${ELAPSED} ms)"
else
    fail "--wait 3 on a closed port gave up after ${ELAPSED} ms, not after about 3 s"
fi

# --- a port that accepts TCP but never speaks SSH (the listener stops by itself)
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held, end = [], time.time() + 60
while time.time() < end:
    s.settimeout(max(0.1, end - time.time()))
    try:
        held.append(s.accept()[0])
    except OSError:
        pass
' >"$SR_TMP/silent.port" &
SILENT_PID=$!
defer "kill $SILENT_PID 2>/dev/null"
i=0
while [ ! -s "$SR_TMP/silent.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
SP=$(cat "$SR_TMP/silent.port")
if [ -n "$SP" ]; then
    # shellcheck disable=SC2086
    run 3 sr facts $OPTS --connect-timeout 2 "root@127.0.0.1:$SP"
    within 10000 "a silent server: the connect timeout (2 s) ends the attempt"
    err_matches "did not (answer|complete)" "a silent server: the message says it did not answer/complete the handshake"
    err_has "$SP" "a silent server: the message names the port"
else
    fail "the silent listener did not start"
fi

# --- --wait: the VM answers only after the command started
WP=$(free_port)
WAIT_NAME=e2e-connect-wait
defer "if [ -z \"\$SR_FAILS\" ]; then \"\$TESTBED\" down --purge $WAIT_NAME; else \"\$TESTBED\" down $WAIT_NAME; fi"
(sleep 5 && "$TESTBED" fresh "$WAIT_NAME" --port "$WP" >"$SR_TMP/wait.env") &
BOOT_PID=$!
# shellcheck disable=SC2086
run 0 sr facts -i "$TB_KEY" --no-refresh --raw --host-key accept-new --known-hosts "$SR_TMP/kh.wait" \
    --wait 30 "root@127.0.0.1:$WP"
facts_ok "--wait 30 while the instance boots"
if [ "$ELAPSED" -ge 5000 ]; then
    pass "--wait really waited for the late instance (${ELAPSED} ms)"
else
    fail "connected after ${ELAPSED} ms, before the instance was started"
fi
wait "$BOOT_PID" || fail "the late instance did not start"
WAIT_KNOWN_HOSTS=$(sed -n "s/^TB_KNOWN_HOSTS='\(.*\)'$/\1/p" "$SR_TMP/wait.env")
if [ -s "$SR_TMP/kh.wait" ] && [ -n "$WAIT_KNOWN_HOSTS" ] && grep -qxF -f "$SR_TMP/kh.wait" "$WAIT_KNOWN_HOSTS"; then
    pass "the host reached with --wait is the late instance (its host key)"
else
    fail "the key recorded with --wait is not the late instance's"
fi

# --- target syntaxes
for t in "root@$TB_HOST:$TB_PORT" "ssh://root@$TB_HOST:$TB_PORT" "ssh://root@$TB_HOST:$TB_PORT/" \
    "root@[$TB_HOST]:$TB_PORT"; do
    # shellcheck disable=SC2086
    run 0 sr facts $OPTS "$t"
    facts_ok "target $t"
done
# the user defaults to the local one (root here)
# shellcheck disable=SC2086
run 0 sr facts $OPTS "$TB_HOST:$TB_PORT"
check_eq "without user@, the local user name is used" "$(id -un)" "$(sed -n 's/^user=//p' "$SR_TMP/out" | head -n 1)"

# --- invalid targets: usage errors, nothing is tried
for t in "root@" "@$TB_HOST:$TB_PORT" "root@$TB_HOST:99999" "root@$TB_HOST:0" "root@$TB_HOST:abc" \
    "root@$TB_HOST:" "root@[$TB_HOST:$TB_PORT" "root@[$TB_HOST]x$TB_PORT" "root@bad host:$TB_PORT" \
    "ssh://root@$TB_HOST:$TB_PORT/path"; do
    # shellcheck disable=SC2086
    run 2 sr facts $OPTS "$t"
    err_has "invalid target" "'$t' is an invalid target"
done
# shellcheck disable=SC2086
run 2 sr facts $OPTS --jump "root@$TB_HOST:nope" "root@$TB_HOST:$TB_PORT"
err_has "--jump" "an invalid --jump is a usage error naming --jump"

# --- through a jump host: A relays to B
cat "$A_KNOWN_HOSTS" "$TB_KNOWN_HOSTS" >"$SR_TMP/kh.both"
a_before=$(count 'Accepted publickey for root' "$A_LOG")
b_before=$(count 'Accepted publickey for root' "$B_LOG")
run 0 sr facts -v -i "$TB_KEY" --known-hosts "$SR_TMP/kh.both" --no-refresh --raw \
    --jump "root@$TB_HOST:$A_PORT" "root@$TB_HOST:$TB_PORT"
facts_ok "--jump root@$TB_HOST:$A_PORT"
check_eq "the transcript is the target's (hostname)" "testbed-$TB_NAME" \
    "$(sed -n 's/^hostname=//p' "$SR_TMP/out" | head -n 1)"
err_has "connected to $TB_HOST through jump host $TB_HOST as root by publickey" "-v shows the connection and the jump host"
err_has "over 1 channel" "-v shows one channel on the target"
sleep 0.5
check_eq "the jump host logged one login" 1 $(($(count 'Accepted publickey for root' "$A_LOG") - a_before))
check_eq "the target logged one login" 1 $(($(count 'Accepted publickey for root' "$B_LOG") - b_before))

# a jump host that is not there
JP=$(free_port)
run 3 sr facts -i "$TB_KEY" --known-hosts "$SR_TMP/kh.both" --no-refresh --raw \
    --jump "root@$TB_HOST:$JP" "root@$TB_HOST:$TB_PORT"
err_has "jump host" "a jump host that refuses connections is named as the jump host"
err_has "$JP" "... with its port"
# a jump host that refuses the login
run 3 sr facts -i "$TB_KEY" --known-hosts "$SR_TMP/kh.both" --no-refresh --raw \
    --jump "nobody@$TB_HOST:$A_PORT" "root@$TB_HOST:$TB_PORT"
err_has "jump host nobody@$TB_HOST:$A_PORT" "a jump host that refuses the login is named"
err_matches "authentication .* failed" "... and the message says authentication failed"
# a jump host whose key is unknown
run 3 sr facts -i "$TB_KEY" --known-hosts "$TB_KNOWN_HOSTS" --no-refresh --raw \
    --jump "root@$TB_HOST:$A_PORT" "root@$TB_HOST:$TB_PORT"
err_has "[$TB_HOST]:$A_PORT" "a jump host with an unknown key: the message names its host:port"
err_has "jump host" "a jump host with an unknown key is named as the jump host"
# a jump host that refuses to forward
check -m "the jump host forbids TCP forwarding" tb_sshd_config 'AllowTcpForwarding no' "$A_PORT" "$A_KNOWN_HOSTS"
run 3 sr facts -i "$TB_KEY" --known-hosts "$SR_TMP/kh.both" --no-refresh --raw \
    --jump "root@$TB_HOST:$A_PORT" "root@$TB_HOST:$TB_PORT"
err_has "jump host root@$TB_HOST:$A_PORT" "a jump host that refuses to forward is named"
err_has "port $TB_PORT" "... with the target port it could not reach"

finish
