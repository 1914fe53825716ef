#!/bin/sh
# Running commands and moving files over the SSH transport (lib/ssh.c), driven
# by tests/tools/sshprobe: exit status, stdout apart from stderr, a signal,
# the capture cap, the per-command timeout, a connection that dies during a
# command, SFTP upload (mode, binary content, replacing a file) and download,
# reconnecting, and exactly one channel per command.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
case ${SR_BUILD:-build} in
    /*) PROBE=$SR_BUILD/tests/sshprobe ;;
    *) PROBE=$SR_ROOT/${SR_BUILD:-build}/tests/sshprobe ;;
esac
[ -x "$PROBE" ] || { fail "$PROBE is not built (make build/tests/sshprobe)"; finish; }

within() {
    if [ "$ELAPSED" -lt "$1" ]; then pass "$2 (${ELAPSED} ms)"; else fail "$2: took ${ELAPSED} ms"; fi
}
out_is() { check_eq "$1" "$2" "$(cat "$SR_TMP/out")"; }

tb_fresh e2e-exec || finish
T=root@$TB_HOST:$TB_PORT
# (bounded, so that a hang fails the test instead of stopping it)
# shellcheck disable=SC2317  # called through run
probe() { timeout -k 5 120 "$PROBE" -i "$TB_KEY" -k "$TB_KNOWN_HOSTS" "$@"; }

# --- exit status, stdout apart from stderr
run 0 probe "$T" exec 'echo out1; echo err1 >&2; echo out2; exit 7'
out_is "stdout only, then the exit status" "out1
out2
status 7"
run 0 probe "$T" exec 'true' exec 'exit 255'
out_is "status 0 and 255" "status 0
status 255"
# 2 MB on stderr must not count against stdout's 1000-byte cap, nor show there
run 0 probe -c 1000 "$T" exec 'head -c 2000000 /dev/zero | tr "\0" e >&2; echo out'
out_is "a lot of stderr stays out of stdout and its cap" "out
status 0"

# --- killed by a signal
run 0 probe "$T" exec 'echo before; kill -TERM $$; echo after'
out_is "a command killed by SIGTERM reports the signal" "before
signal TERM"
run 0 probe "$T" exec 'kill -KILL $$'
out_is "a command killed by SIGKILL reports the signal" "signal KILL"

# --- the capture cap: 1 MB of output, 1000 bytes kept, the total reported
run 0 probe -c 1000 "$T" exec 'head -c 1048576 /dev/zero | tr "\0" x; echo; echo "last line"'
kept=$(tr -cd x <"$SR_TMP/out" | wc -c)
check_eq "1000 bytes are kept of 1 MB" 1000 "$kept"
if grep -q 'stdout-truncated 1048587$' "$SR_TMP/out"; then
    pass "the truncation is reported with the total (1048587 bytes)"
else
    fail "no 'stdout-truncated 1048587' in the output"
fi
if grep -q 'last line' "$SR_TMP/out"; then fail "output past the cap was kept"; fi
if grep -q '^status 0$' "$SR_TMP/out"; then pass "the status survives truncation"; else fail "no status after truncation"; fi
run 0 probe -c 1000 "$T" exec 'head -c 1000 /dev/zero | tr "\0" y'
if grep -q 'stdout-truncated' "$SR_TMP/out"; then
    fail "exactly 1000 bytes are reported as truncated"
else
    pass "output of exactly the cap is not truncated"
fi

# --- per-command timeout
run 3 probe -t 2 "$T" exec 'sleep 30'
within 10000 "a command over its timeout is stopped within a few seconds"
err_has "did not finish within 2 s" "the timeout message says 'did not finish within 2 s'"
run 0 probe -t 5 "$T" exec 'sleep 1; echo done'
out_is "a command within its timeout completes" "done
status 0"

# --- the connection dies during a command (the whole instance is killed)
tb_fresh e2e-exec-kill || finish
KT=root@$TB_HOST:$TB_PORT
K_KEY=$TB_KEY K_KH=$TB_KNOWN_HOSTS
t0=$(now_ms)
timeout -k 5 120 "$PROBE" -i "$K_KEY" -k "$K_KH" "$KT" exec 'echo started; sleep 20' >"$SR_TMP/kill.out" 2>"$SR_TMP/kill.err" &
KILL_PID=$!
# sshprobe prints stdout only at the end: wait for the command on the target
K_ROOT=$TB_ROOTFS
sleeping() {
    for _p in $(procs_rooted_at "$K_ROOT"); do
        tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null
        echo
    done | grep -q '^sleep 20 $'
}
i=0
while ! sleeping && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if sleeping; then pass "the command runs on the target"; else fail "the command did not start on the target"; fi
log "+ testbed.sh down e2e-exec-kill (during the command)"
"$TESTBED" down e2e-exec-kill
t_down=$(now_ms)
# sshprobe must notice on its own; if it is still there after 15 s, stop it
i=0
while kill -0 "$KILL_PID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
t_end=$(now_ms)
kill "$KILL_PID" 2>/dev/null
wait "$KILL_PID"
kst=$?
cat "$SR_TMP/kill.out" "$SR_TMP/kill.err"
check_eq "sshprobe exits 3 when the connection is lost" 3 "$kst"
if grep -qE 'connection .* lost' "$SR_TMP/kill.err"; then
    pass "the message says the connection was lost"
else
    fail "no 'connection ... lost' message: $(cat "$SR_TMP/kill.err")"
fi
if [ $((t_end - t_down)) -lt 5000 ] && [ $((t_end - t0)) -lt 15000 ]; then
    pass "the loss is noticed promptly ($((t_end - t_down)) ms after the instance went down)"
else
    fail "the loss was noticed $((t_end - t_down)) ms after the instance went down ($((t_end - t0)) ms in all)"
fi
eval "$("$TESTBED" env e2e-exec)"

# --- SFTP upload: binary content, mode, replacing an existing file
head -c 307200 /dev/urandom >"$SR_TMP/blob1"
head -c 4096 /dev/urandom >"$SR_TMP/blob2"
run 0 probe "$T" upload "$SR_TMP/blob1" /root/blob 0640 download /root/blob "$SR_TMP/blob1.back"
if cmp "$SR_TMP/blob1" "$TB_ROOTFS/root/blob"; then
    pass "the uploaded file is byte-identical on the target (300 KB, binary)"
else
    fail "the uploaded file differs on the target"
fi
if cmp "$SR_TMP/blob1" "$SR_TMP/blob1.back"; then
    pass "the downloaded file is byte-identical"
else
    fail "the downloaded file differs"
fi
check_eq "the uploaded file has mode 0640" 640 "$(stat -c %a "$TB_ROOTFS/root/blob" 2>/dev/null)"
check_eq "the uploaded file belongs to the login user" root "$(stat -c %U "$TB_ROOTFS/root/blob" 2>/dev/null)"
run 0 probe "$T" upload "$SR_TMP/blob2" /root/blob 0600
if cmp "$SR_TMP/blob2" "$TB_ROOTFS/root/blob"; then
    pass "uploading again replaces the file"
else
    fail "uploading over an existing file did not replace it"
fi
check_eq "the replaced file has the new mode" 600 "$(stat -c %a "$TB_ROOTFS/root/blob" 2>/dev/null)"
left=$(find "$TB_ROOTFS/root" -maxdepth 1 -name '*shelfready*' | wc -l)
check_eq "no temporary file is left behind" 0 "$left"
: >"$SR_TMP/empty"
run 0 probe "$T" upload "$SR_TMP/empty" /root/empty 0644
check_eq "an empty file uploads" 0 "$(stat -c %s "$TB_ROOTFS/root/empty" 2>/dev/null)"
run 3 probe "$T" upload "$SR_TMP/blob2" /nonexistent-dir/blob 0644
err_has "/nonexistent-dir" "an upload into a missing directory names the path"

# --- download of a missing file
run 3 probe "$T" download /root/no-such-file "$SR_TMP/nothing"
err_has "/root/no-such-file" "a missing file: the message names it"
err_has "no such file" "a missing file: the message says there is no such file"
if [ -e "$SR_TMP/nothing" ]; then fail "a local file was written for a missing remote file"; fi

# --- reconnect, then exec on the new connection
# shellcheck disable=SC2016  # expanded on the target
run 0 probe "$T" exec 'echo $PPID' reconnect exec 'echo $PPID'
first=$(sed -n 1p "$SR_TMP/out")
second=$(sed -n 3p "$SR_TMP/out")
if [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] &&
    [ "$(sed -n 2p "$SR_TMP/out")" = "status 0" ] && [ "$(sed -n 4p "$SR_TMP/out")" = "status 0" ]; then
    pass "exec works after reconnect (a new sshd session: $first, then $second)"
else
    fail "exec after reconnect: $(tr '\n' ' ' <"$SR_TMP/out")"
fi

# --- exactly one channel per exec (and one for an SFTP transfer)
run 0 probe "$T" channels exec true channels exec 'echo x' channels exec 'exit 3' channels \
    upload "$SR_TMP/blob2" /root/blob 0600 channels
check_eq "channels: 0, then one more per exec, one for an upload" "0 1 2 3 4" \
    "$(sed -n 's/^channels //p' "$SR_TMP/out" | tr '\n' ' ' | sed 's/ $//')"

finish
