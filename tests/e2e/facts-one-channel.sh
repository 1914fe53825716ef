#!/bin/sh
# `shelfready facts` gathers in ONE round trip: seen from the server, its
# connection opens exactly one session channel and makes exactly one exec
# request (sshd at LogLevel DEBUG1 logs both), and the transcript is complete
# (the "@@SRG <nonce> gather 1" header first, the "done" marker last).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
[ -x "$SR" ] || { fail "$SR is not built (run make)"; finish; }
TB_DIR=${SHELFREADY_TESTBED_DIR:-/var/tmp/shelfready-testbed}
HOME_DIR=$SR_TMP/home
mkdir -p "$HOME_DIR"

tb_fresh e2e-one-channel || finish
SSHD_LOG=$TB_DIR/instances/$TB_NAME/sshd.log
[ -f "$SSHD_LOG" ] || { fail "no sshd log at $SSHD_LOG"; finish; }

# sshd at LogLevel DEBUG1 (a drop-in; sshd restarted by the instance's init)
tb_sshd_config 'LogLevel DEBUG1' || fail "cannot restart sshd with LogLevel DEBUG1"
check -m "sshd answers after the restart" tb_ssh root true

# The log from the mark on must belong to the facts run alone: wait until every
# earlier login has logged its end.
i=0
while [ $i -lt 100 ]; do
    mark=$(wc -l <"$SSHD_LOG")
    [ "$(head -n "$mark" "$SSHD_LOG" | grep -c '^Accepted publickey for ')" = \
        "$(head -n "$mark" "$SSHD_LOG" | grep -c '^Disconnected from user ')" ] && break
    sleep 0.1
    i=$((i + 1))
done
log "+ shelfready facts --raw --no-refresh (log mark: line $mark)"
timeout -k 5 120 env -u SSH_AUTH_SOCK HOME="$HOME_DIR" "$SR" facts -v --raw --no-refresh -i "$TB_KEY" \
    --known-hosts "$TB_KNOWN_HOSTS" "root@$TB_HOST:$TB_PORT" >"$SR_TMP/transcript" 2>"$SR_TMP/err"
st=$?
cat "$SR_TMP/err"
check_eq "facts --raw exits 0" 0 "$st"
# sshd logs the end of the session after the client is gone: wait for it.
i=0
while [ $i -lt 100 ]; do
    tail -n +"$((mark + 1))" "$SSHD_LOG" | tr -d '\r' >"$SR_TMP/run.log"
    grep -q 'Disconnected from user root' "$SR_TMP/run.log" && break
    sleep 0.1
    i=$((i + 1))
done
sed 's/^/  sshd: /' "$SR_TMP/run.log"

conns=$(grep -c '^Connection from ' "$SR_TMP/run.log")
check_eq "one connection reached sshd during the facts run" 1 "$conns"
check_eq "one login" 1 "$(grep -c '^Accepted publickey for root ' "$SR_TMP/run.log")"
check_eq "the connection ended" 1 "$(grep -c 'Disconnected from user root' "$SR_TMP/run.log")"
opens=$(grep -c 'server_input_channel_open: ctype ' "$SR_TMP/run.log")
sessions=$(grep -c 'server_input_channel_open: ctype session ' "$SR_TMP/run.log")
execs=$(grep -c 'session_input_channel_req: session [0-9]* req exec$' "$SR_TMP/run.log")
reqs=$(grep -c 'session_input_channel_req: session [0-9]* req ' "$SR_TMP/run.log")
check_eq "exactly one channel was opened (server_input_channel_open)" 1 "$opens"
check_eq "exactly one session channel" 1 "$sessions"
check_eq "exactly one exec request (session_input_channel_req ... req exec)" 1 "$execs"
check_eq "no other channel request (no pty, env, subsystem)" 1 "$reqs"
check_eq "-v agrees: 1 channel" 1 "$(grep -c 'over 1 channel$' "$SR_TMP/err")"

# the transcript: header first, done marker last, with the same nonce
nonce=$(sed -n '1s/^@@SRG \([A-Za-z0-9]\{8,64\}\) gather 1$/\1/p' "$SR_TMP/transcript")
if [ -n "$nonce" ]; then
    pass "the transcript starts with '@@SRG <nonce> gather 1' (nonce $nonce)"
else
    fail "the transcript does not start with '@@SRG <nonce> gather 1': $(head -n 1 "$SR_TMP/transcript")"
fi
check_eq "the transcript ends with the done marker" "@@SRG $nonce done" "$(tail -n 1 "$SR_TMP/transcript")"
check_eq "one done marker" 1 "$(grep -c "^@@SRG $nonce done\$" "$SR_TMP/transcript")"
if grep -q "^@@SRG $nonce begin meta\$" "$SR_TMP/transcript" &&
    grep -q "^@@SRG $nonce end meta 0\$" "$SR_TMP/transcript"; then
    pass "the transcript has a complete meta section"
else
    fail "the transcript has no complete meta section"
fi

finish
