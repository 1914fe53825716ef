# tests/e2e/lib.sh - harness sourced by each end-to-end test (POSIX sh).
#
#   . "$(dirname "$0")/lib.sh"
#   require_root
#   tb_fresh my-instance || finish      # testbed instance, brought down at exit
#   check -m "root can log in" tb_ssh root true
#   finish                              # prints "ok NAME" or "FAIL NAME" + reasons
#
# All output of the test (its commands' stdout and stderr) goes to
# build/test-logs/NAME/test.log, which is deleted when the test passes and kept,
# with its path printed, when it fails. Each test runs on its own:
# `sh tests/e2e/NAME.sh`.

SR_TEST=$(basename "$0" .sh)
SR_ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
TESTBED=$SR_ROOT/scripts/testbed.sh
case ${SR_BUILD:-build} in                 # the build directory, as in tests/run.sh
    /*) SR_LOGDIR=$SR_BUILD/test-logs/$SR_TEST ;;
    *) SR_LOGDIR=$SR_ROOT/${SR_BUILD:-build}/test-logs/$SR_TEST ;;
esac
SR_LOG=$SR_LOGDIR/test.log
SR_TMP=$SR_LOGDIR/tmp            # scratch space for the test
SR_FAILS=
SR_NOTES=
SR_CLEANUP=
SR_FINISHED=

rm -rf "$SR_LOGDIR"
if ! mkdir -p "$SR_TMP"; then
    echo "FAIL $SR_TEST"
    echo "  - cannot create $SR_LOGDIR"
    exit 1
fi
# Keep the real stdout on fd 7 for the verdict; everything else goes to the log.
exec 7>&1 >>"$SR_LOG" 2>&1
echo "# $SR_TEST, $(date '+%F %T')"

log() { printf '%s\n' "$*"; }
pass() { log "PASS: $*"; }
fail() {
    log "FAIL: $*"
    SR_FAILS="$SR_FAILS$*
"
}
# note TEXT: shown on the verdict line, e.g. "ok NAME (17 pending updates)".
note() {
    log "NOTE: $*"
    SR_NOTES="${SR_NOTES:+$SR_NOTES; }$*"
}

# check [-m MESSAGE] CMD...: run CMD (output to the log); pass if it succeeds,
# fail otherwise. Returns CMD's status.
check() {
    _msg=
    if [ "$1" = -m ]; then
        _msg=$2
        shift 2
    fi
    log "+ $*"
    "$@"
    _st=$?
    if [ "$_st" -eq 0 ]; then
        pass "${_msg:-$*}"
    else
        fail "${_msg:-$*} (exit status $_st)"
    fi
    return "$_st"
}

# check_eq MESSAGE EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1: expected '$2', got '$3'"
        return 1
    fi
}

# defer CODE: run CODE (shell code) at the end of the test, last deferred first,
# whether the test finishes or aborts.
defer() {
    SR_CLEANUP="$1
$SR_CLEANUP"
}

sr_cleanup() {
    _code=$SR_CLEANUP
    SR_CLEANUP=
    [ -n "$_code" ] || return 0
    log "# cleanup"
    eval "$_code"
}

finish() {
    sr_cleanup
    SR_FINISHED=1
    if [ -z "$SR_FAILS" ]; then
        echo "ok $SR_TEST${SR_NOTES:+ ($SR_NOTES)}" >&7
        cd / && rm -rf "$SR_LOGDIR"
        exit 0
    fi
    {
        echo "FAIL $SR_TEST"
        printf '%s' "$SR_FAILS" | sed 's/^/  - /'
        echo "  log: $SR_LOG"
    } >&7
    exit 1
}

sr_on_exit() {
    _st=$1
    [ -n "$SR_FINISHED" ] && return
    fail "the test stopped before finishing (exit status $_st)"
    finish
}
trap 'sr_on_exit $?' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_root() {
    if [ "$(id -u)" != 0 ]; then
        fail "must run as root (the testbed uses namespaces, mounts and chroot)"
        finish
    fi
    command -v ssh >/dev/null || { fail "the ssh client is not installed"; finish; }
}

# tb_fresh NAME [--port N] [--delay MS]: start a fresh testbed instance, load its
# TB_* variables, and bring it down at the end of the test (deleting its state if
# the test passed; keeping it, sshd.log included, if it failed).
tb_fresh() {
    defer "if [ -z \"\$SR_FAILS\" ]; then \"\$TESTBED\" down --purge '$1'; else \"\$TESTBED\" down '$1'; fi"
    log "+ testbed.sh fresh $*"
    if ! _env=$("$TESTBED" fresh "$@"); then
        fail "testbed.sh fresh $* failed"
        return 1
    fi
    log "$_env"
    eval "$_env"
}

# ssh_with KEY KNOWN_HOSTS USER COMMAND...: the system ssh client, strict, to the
# current instance (TB_HOST, TB_PORT).
ssh_with() {
    _key=$1 _kh=$2 _user=$3
    shift 3
    ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$_kh" -o IdentitiesOnly=yes -o ConnectTimeout=20 \
        -i "$_key" -p "$TB_PORT" "$_user@$TB_HOST" "$@"
}

# tb_ssh USER COMMAND...: ssh_with the instance's own key and known_hosts.
tb_ssh() {
    _user=$1
    shift
    ssh_with "$TB_KEY" "$TB_KNOWN_HOSTS" "$_user" "$@"
}

# tb_wait_reboot OLD_BOOT_ID [SECONDS]: wait (at most SECONDS, 30 by default)
# until the current instance answers ssh as root with a boot_id other than
# OLD_BOOT_ID, i.e. it has rebooted and sshd is back; the new one is then in
# TB_BOOT_ID. Each attempt is bounded, so this never hangs on a dying session.
tb_wait_reboot() {
    TB_BOOT_ID=
    _end=$(($(date +%s) + ${2:-30}))
    while [ "$(date +%s)" -lt "$_end" ]; do
        _id=$(timeout 10 ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
            -o UserKnownHostsFile="$TB_KNOWN_HOSTS" -o IdentitiesOnly=yes -o ConnectTimeout=5 \
            -i "$TB_KEY" -p "$TB_PORT" "root@$TB_HOST" cat /proc/sys/kernel/random/boot_id 2>/dev/null)
        if [ -n "$_id" ] && [ "$_id" != "$1" ]; then
            TB_BOOT_ID=$_id
            return 0
        fi
        sleep 0.5
    done
    return 1
}

# mounts_under DIR: mount points at or below DIR on this machine.
mounts_under() {
    awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts
}

# procs_rooted_at DIR: PIDs of live processes whose root directory is DIR.
procs_rooted_at() {
    for _p in /proc/[0-9]*; do
        _r=$(readlink "$_p/root" 2>/dev/null) || continue
        case $_r in
            "$1" | "$1"/*) echo "${_p#/proc/}" ;;
        esac
    done
}

# ---- helpers for tests that run shelfready and its tools ----------------

now_ms() { date +%s%3N; }

# http_serve NAME DIR [OPTION...]: a real HTTP(S) server on loopback
# (tests/tools/httpd.py: --log, --rules, --tls CERT KEY) serving the files in
# DIR, stopped at the end of the test; its port is in $SR_TMP/NAME.port.
http_serve() {
    _name=$1
    _dir=$2
    shift 2
    rm -f "$SR_TMP/$_name.port"
    python3 "$SR_ROOT/tests/tools/httpd.py" --root "$_dir" --port-file "$SR_TMP/$_name.port" \
        "$@" </dev/null >>"$SR_LOG" 2>&1 &
    defer "kill $! 2>/dev/null"
    _i=0
    while [ ! -s "$SR_TMP/$_name.port" ] && [ $_i -lt 100 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    [ -s "$SR_TMP/$_name.port" ] || { fail "the $_name server did not start"; finish; }
}

# run STATUS CMD...: run CMD with stdout and stderr in $SR_TMP/out and
# $SR_TMP/err (both logged, and appended to $ALL_OUT when that is set), its
# time in ELAPSED (ms); pass when it exits with STATUS.
run() {
    _want=$1
    shift
    log "+ $*"
    _t0=$(now_ms)
    "$@" >"$SR_TMP/out" 2>"$SR_TMP/err"
    _st=$?
    ELAPSED=$(($(now_ms) - _t0))
    [ -n "${ALL_OUT:-}" ] && cat "$SR_TMP/out" "$SR_TMP/err" >>"$ALL_OUT"
    head -c 2000 "$SR_TMP/out" | sed 's/^/  stdout: /'
    sed 's/^/  stderr: /' "$SR_TMP/err"
    log "  (${ELAPSED} ms)"
    check_eq "exit status of: $*" "$_want" "$_st"
}

# err_has TEXT WHAT / err_matches ERE WHAT / err_lacks TEXT WHAT: about the
# last run's stderr
err_has() {
    if grep -qF -- "$1" "$SR_TMP/err"; then pass "$2"; else fail "$2: '$1' is not on stderr"; fi
}
err_matches() {
    if grep -qE -- "$1" "$SR_TMP/err"; then pass "$2"; else fail "$2: /$1/ does not match stderr"; fi
}
err_lacks() {
    if grep -qF -- "$1" "$SR_TMP/err"; then fail "$2: '$1' is on stderr"; else pass "$2"; fi
}

# tb_sshd_config TEXT [PORT KNOWN_HOSTS]: TEXT becomes sshd_config.d/10-test.conf
# of the current instance (or the one on PORT); sshd is stopped, the instance's
# init starts a new one, and this waits until it runs.
tb_sshd_config() {
    log "+ sshd_config.d/10-test.conf on port ${2:-$TB_PORT}: $1"
    # shellcheck disable=SC2016  # expanded on the target
    printf '%s\n' "$1" | ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="${3:-$TB_KNOWN_HOSTS}" -o IdentitiesOnly=yes -o ConnectTimeout=20 \
        -i "$TB_KEY" -p "${2:-$TB_PORT}" "root@$TB_HOST" '
        cat >/etc/ssh/sshd_config.d/10-test.conf && sshd -t || exit 1
        old=$(cat /run/sshd.pid) && kill "$old" || exit 1
        i=0
        while [ $i -lt 100 ]; do
            new=$(cat /run/sshd.pid 2>/dev/null)
            [ -n "$new" ] && [ "$new" != "$old" ] && kill -0 "$new" 2>/dev/null && exit 0
            sleep 0.1
            i=$((i + 1))
        done
        echo "sshd did not come back" >&2
        exit 1'
}
