#!/bin/sh
# installer.sh - a stand-in for Alibaba Cloud's Server Guard (Aegis) installer,
# for tests. Run as root on the target: `sh installer.sh`.
#
# It leaves what the server-guard check looks for (checks/server-guard.c) and
# what the real installer leaves:
#   - AliYunDun, AliYunDunUpdate and AliYunDunMonitor running from under
#     /usr/local/aegis (copies of sleep, so that the executable and the process
#     name are right; each runs `NAME infinity`, detached, stdio on /dev/null);
#   - /etc/init.d/aegis (start, stop, restart, status; LSB header) started at
#     boot by S links in runlevels 2-5, made with update-rc.d or chkconfig when
#     the system has one, else by hand as update-rc.d would.
# Idempotent: a second run changes nothing, restarts nothing and says so.
# Arguments (the real installer's, such as -k=INSTALL_CODE) are accepted and
# ignored; none is ever printed.
set -eu

AEGIS=/usr/local/aegis
INIT=/etc/init.d/aegis
PROGRAMS="aegis_client/aegis_12_01/AliYunDun aegis_update/AliYunDunUpdate aegis_client/aegis_12_01/AliYunDunMonitor"
changed=

say() { printf 'aegis: %s\n' "$*"; }
die() {
    printf 'aegis: error: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "must be run as root"
sleep_bin=$(command -v sleep) || die "no sleep program to copy"
case $sleep_bin in /*) ;; *) die "sleep is not a program: $sleep_bin" ;; esac

# put SRC DEST MODE: install SRC as DEST unless DEST already has that content.
# A new file is renamed into place: a program that runs can be replaced, not
# rewritten.
put() {
    if [ -f "$2" ] && cmp -s "$1" "$2"; then
        return 0
    fi
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2.new"
    chmod "$3" "$2.new"
    mv -f "$2.new" "$2"
    changed=1
    say "installed $2"
}

for p in $PROGRAMS; do
    put "$sleep_bin" "$AEGIS/$p" 0755
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cat >"$tmp" <<EOF
#!/bin/sh
### BEGIN INIT INFO
# Provides:          aegis
# Required-Start:    \$local_fs \$network \$remote_fs
# Required-Stop:     \$local_fs \$network \$remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: aegis update.
# Description:       Alibaba Cloud Server Guard (stand-in for tests).
### END INIT INFO

PROGRAMS="$PROGRAMS"
AEGIS=$AEGIS
EOF
cat >>"$tmp" <<'EOF'

# pids_of EXE: the PIDs of the processes running EXE (or an EXE since replaced).
pids_of() {
    for d in /proc/[0-9]*; do
        case $(readlink "$d/exe" 2>/dev/null) in
            "$1" | "$1 (deleted)") echo "${d#/proc/}" ;;
        esac
    done
    return 0
}

start() {
    for p in $PROGRAMS; do
        exe=$AEGIS/$p
        [ -x "$exe" ] || { echo "aegis: $exe is missing" >&2; return 1; }
        [ -n "$(pids_of "$exe")" ] && continue
        if command -v setsid >/dev/null 2>&1; then
            setsid "$exe" infinity </dev/null >/dev/null 2>&1 &
        else
            nohup "$exe" infinity </dev/null >/dev/null 2>&1 &
        fi
        echo "aegis: started ${p##*/}"
    done
    return 0
}

stop() {
    for p in $PROGRAMS; do
        pids=$(pids_of "$AEGIS/$p")
        [ -n "$pids" ] || continue
        # shellcheck disable=SC2086  # a list of PIDs
        kill $pids 2>/dev/null
        echo "aegis: stopped ${p##*/}"
    done
    return 0
}

status() {
    st=0
    for p in $PROGRAMS; do
        pids=$(pids_of "$AEGIS/$p")
        if [ -n "$pids" ]; then
            echo "${p##*/} is running ($pids)"
        else
            echo "${p##*/} is not running"
            st=3
        fi
    done
    return $st
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    restart | force-reload) stop; sleep 1; start ;;
    status) status ;;
    *)
        echo "Usage: $0 {start|stop|restart|status}" >&2
        exit 2 ;;
esac
EOF
put "$tmp" "$INIT" 0755

# At boot: S links in runlevels 2-5 (and K links in 0, 1 and 6).
has_start_links() {
    for n in 2 3 4 5; do
        set -- /etc/rc$n.d/S[0-9][0-9]aegis /etc/rc.d/rc$n.d/S[0-9][0-9]aegis
        [ -e "$1" ] || [ -e "$2" ] || [ -L "$1" ] || [ -L "$2" ] || return 1
    done
    return 0
}
if ! has_start_links; then
    if command -v update-rc.d >/dev/null 2>&1; then
        update-rc.d aegis defaults >/dev/null
    elif command -v chkconfig >/dev/null 2>&1; then
        chkconfig --add aegis && chkconfig aegis on
    else
        for n in 0 1 2 3 4 5 6; do
            d=/etc/rc$n.d
            [ -d "$d" ] || [ ! -d /etc/rc.d/rc$n.d ] || d=/etc/rc.d/rc$n.d
            mkdir -p "$d"
            case $n in
                [2-5]) ln -sf ../init.d/aegis "$d/S01aegis" ;;
                *) ln -sf ../init.d/aegis "$d/K01aegis" ;;
            esac
        done
    fi
    has_start_links || die "could not link /etc/init.d/aegis into runlevels 2-5"
    changed=1
    say "enabled at boot (runlevels 2-5)"
fi

out=$("$INIT" start) || die "$INIT start failed"
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    changed=1
fi
"$INIT" status >/dev/null || die "Server Guard does not run: $("$INIT" status)"
[ -n "$changed" ] || say "already installed, running and enabled at boot: nothing to do"
exit 0
