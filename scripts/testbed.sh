#!/usr/bin/env bash
# testbed.sh - a real Debian build VM on this machine, for e2e tests, benchmarks
# and `make demo`.
#
# A pristine Debian 12 rootfs (debootstrap minbase + openssh-server, sudo, ...) is
# built once and cached. The host's own apt sources, security suite included, are
# copied in and `apt-get update` is run, so the rootfs has real pending security
# updates. Each instance is a copy-on-write overlay of that rootfs in which sshd
# runs chrooted, as a child of a small init, inside its own PID, mount, UTS and IPC
# namespaces: like a VM it sees only its own processes. With --delay, the instance
# also gets its own network namespace behind a link with added latency.
#
# Power: a supervisor on this machine boots the instance. `reboot`, `shutdown -r`,
# `systemctl reboot` (and poweroff, halt) inside it, or `testbed.sh reboot NAME`,
# power-cycle it: every process of its PID namespace is killed at once and it
# boots again in new namespaces with a new boot_id and a fresh /run, keeping its
# disk, host keys and address; the boot runs the S scripts of /etc/rc2.d.
#
# Layout under $SHELFREADY_TESTBED_DIR (default /var/tmp/shelfready-testbed):
#   pristine/rootfs             the cached rootfs (never modified once built)
#   pristine/id_ed25519[.pub]   client key authorized for root and builder
#   pristine/stamp              recipe version; a changed recipe rebuilds
#   instances/NAME/             upper/ work/ root/ (overlay), sshd.log, known_hosts,
#                               pid (the supervisor), boot_pid (the unshare of the
#                               current boot), boots (how many), boot_id,
#                               booted_at, state, port, host, ...
#
# Caveats (it is a chroot, not a hypervisor): the kernel is shared, so a sysctl
# written inside an instance changes this machine (net.* ones only the instance's
# own network namespace when it has one). Instances started with --delay cannot
# reach the internet (their namespace is only linked to this machine).
set -eEuo pipefail

readonly PROG=${0##*/}
readonly TB_DIR=${SHELFREADY_TESTBED_DIR:-/var/tmp/shelfready-testbed}
readonly PRISTINE=$TB_DIR/pristine
readonly INSTANCES=$TB_DIR/instances
readonly SUITE=bookworm
readonly PACKAGES=openssh-server,sudo,passwd,procps,cron,curl,ca-certificates
# Bump when the build changes in a way the recipe hash below cannot see.
readonly RECIPE_VERSION=1
readonly BANNER_TIMEOUT=20
readonly NET_PREFIX=10.213      # instance N uses 10.213.N.0/30: .1 host, .2 instance

usage() {
    cat <<EOF
Usage: $PROG COMMAND [ARGS]

A real Debian $SUITE build VM on this machine: sshd in a chroot with its own PID,
mount, UTS and IPC namespaces, on a copy-on-write copy of a cached pristine rootfs.

Commands:
  up [NAME] [--port N] [--delay MS]
                    start instance NAME (default "default"), keeping any state it
                    had when it was last brought down; print its env (see below).
                    A no-op that prints the env if it is already running.
  fresh NAME [--port N] [--delay MS]
                    like up, but always from the pristine state: any earlier
                    state of NAME is discarded first.
  down [NAME|--all] [--purge]
                    stop NAME (default "default") or all instances; leaves no
                    process, mount or network namespace behind. --purge also
                    deletes the instance's state.
  status [NAME]     list instances with their state (running, booting, rebooting,
                    stopped, off), boot count and current boot_id (exit status 1
                    if NAME is given and not running)
  reboot NAME       power-cycle a running instance, as a reset button does, and
                    wait until it is back
  env NAME          print shell assignments for a running instance, to eval:
                    TB_HOST TB_PORT TB_USER TB_SUDO_USER TB_KEY TB_KNOWN_HOSTS
                    TB_ROOTFS TB_SSH_OPTS TB_DELAY_MS TB_DELAY_MODE TB_NETNS
                    TB_PRISTINE (TB_SSH_OPTS includes the port, for ssh and scp)
  ssh NAME [--user U] [--] [COMMAND...]
                    ssh into a running instance (user root by default)
  build [--force]   build the pristine rootfs now (done on demand by up/fresh)

Options:
  --port N          sshd port (default: first free port from 2222 upward)
  --delay MS        run the instance in its own network namespace, joined to this
                    machine by a link that delays every packet by MS milliseconds
                    in EACH direction, so the round trip is about 2*MS. sshd then
                    listens on the namespace's address ($NET_PREFIX.N.2), reported
                    as TB_HOST. Uses tc netem when the kernel has it, otherwise a
                    userspace relay over a pair of tun devices (TB_DELAY_MODE).

Users: root and builder (uid 1000, passwordless sudo), both authorized with the
key in TB_KEY; password authentication is off. Host keys differ per instance.

Power: reboot, shutdown -r, systemctl reboot inside an instance power-cycle it
(about a second later every process of it is killed, then it boots again with a
new boot_id and a fresh /run; disk, host keys and address stay); poweroff, halt,
shutdown -h stop it (state "off"; up starts it again). At each boot its init runs
the S scripts of /etc/rc2.d (except ssh, which it starts itself) and sshd.

Environment:
  SHELFREADY_TESTBED_DIR         cache and state directory (default $TB_DIR)
  SHELFREADY_TESTBED_DELAY_MODE  auto (default), netem or relay
  SHELFREADY_TESTBED_NO_OVERLAY  set to 1 to copy the rootfs instead of overlaying

Example:
  eval "\$($PROG fresh demo)"
  ssh \$TB_SSH_OPTS \$TB_USER@\$TB_HOST id
  $PROG down demo
EOF
}

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

# Cleanup actions run (last registered first) when the script exits.
CLEANUP=()
on_exit() { CLEANUP+=("$1"); }
run_cleanup() {
    local i
    for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
        (eval "${CLEANUP[i]}") || true
    done
}
trap run_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Name the command that failed, so that `set -e` never exits silently; on the
# original stderr (fd 5), even where a function's output goes to a log.
exec 5>&2
trap 'printf "%s: error: command failed (exit %s, line %s): %s\n" "$PROG" "$?" "$LINENO" "$BASH_COMMAND" >&5' ERR

need_root() {
    [[ $(id -u) == 0 ]] || die "must be run as root (it uses debootstrap, mount, namespaces and chroot)"
}

need_tools() {
    local t missing=()
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (Debian packages: debootstrap, util-linux, iproute2, openssh-client)"
}

valid_name() {
    [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$ ]] ||
        die "invalid instance name '$1' (letters, digits, '_', '.', '-'; at most 40)"
}

# Take an exclusive lock on fd 8 (pristine build) or fd 9 (instance changes),
# held until the script exits. Daemons are started without them (see daemonize).
LOCKED=" "
lock() {
    local fd=$1 file=$2
    [[ $LOCKED == *" $fd "* ]] && return 0
    LOCKED+="$fd "
    mkdir -p "$TB_DIR"
    eval "exec $fd>>\"\$file\""
    if ! flock -n "$fd"; then
        say "waiting for lock $file ..."
        flock "$fd"
    fi
}

unlock() {
    [[ $LOCKED == *" $1 "* ]] || return 0
    eval "exec $1>&-"
    LOCKED=${LOCKED/ $1 / }
}

# Mount points at or below $1 in this mount namespace, deepest first.
mounts_under() {
    local dir=$1
    awk -v d="$dir" '{ m = $2; gsub(/\\040/, " ", m)
        if (m == d || index(m, d "/") == 1) print m }' /proc/self/mounts | sort -r
}

unmount_all_under() {
    local m
    while read -r m; do
        [[ -n $m ]] || continue
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done < <(mounts_under "$1")
}

# rm -rf that never crosses into a mount (a bound /dev or /proc inside a rootfs
# must not be "cleaned").
safe_rm_rf() {
    local dir=$1
    [[ -e $dir ]] || return 0
    unmount_all_under "$dir"
    [[ -z $(mounts_under "$dir") ]] || die "refusing to delete $dir: still has mounts"
    rm -rf --one-file-system -- "$dir"
}

pid_alive() {    # alive and not a zombie
    local pid=$1 state
    [[ -n $pid && -r /proc/$pid/stat ]] || return 1
    state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# PIDs of processes whose root directory is $1 (i.e. running inside the instance).
pids_rooted_at() {
    local root=$1 p r
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        if [[ $r == "$root" || $r == "$root"/* ]]; then
            pid_alive "${p#/proc/}" && echo "${p#/proc/}"
        fi
    done
    return 0
}

# Run "$@" in the background in a new session, with no file descriptor but
# 0-2 (which the caller redirects): a daemon must not hold our locks, nor the
# pipe of a caller's command substitution. $! is the daemon's PID.
daemonize() {
    (
        for f in "/proc/$BASHPID/fd"/*; do
            f=${f##*/}
            if ((f > 2)); then eval "exec $f>&-" 2>/dev/null || true; fi
        done
        exec setsid "$@"
    ) &
}

port_in_use() {
    [[ -n $(ss -ltnH "sport = :$1" 2>/dev/null) ]]
}

python_bin() {
    local p
    for p in /usr/bin/python3 "$(command -v python3 2>/dev/null || true)"; do
        [[ -n $p && -x $p ]] && { echo "$p"; return 0; }
    done
    return 1
}

# --------------------------------------------------------------------------
# the pristine rootfs
# --------------------------------------------------------------------------

# PID 1 of every instance. Written into the rootfs as /sbin/testbed-init.
write_init() {
    cat >"$1/sbin/testbed-init" <<'EOF'
#!/bin/sh
# PID 1 of a shelfready testbed instance, standing in for a VM's init: runs the
# boot scripts of the default runlevel and sshd, then reaps every child that
# dies, including orphans re-parented to PID 1, so nothing stays a zombie. sshd
# logs to stderr, which is the instance's log.
#
# Power: reboot, poweroff, halt, shutdown and `systemctl reboot` (all
# /sbin/testbed-power) signal this init as they would systemd: SIGRTMIN+5 (39)
# asks for a reboot, SIGRTMIN+4 (38) for a power-off; SIGINT (Ctrl-Alt-Del) is
# a reboot too. Not SIGUSR1, which sysvinit-core's postinst sends to PID 1
# ("reopen /run/initctl"), nor SIGUSR2. A second later it exits with
# status 80 (reboot) or 81 (power off); its exit makes the kernel kill every
# process of the instance's PID namespace at once, like a power cut, and the
# testbed's supervisor on the host boots the instance again, or not.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

power_cut() {
    # Give the session that asked the time to see its command return.
    sleep 1
    exit "$1"
}
trap 'power_cut 80' 39 INT
trap 'power_cut 81' 38

mkdir -p /run/sshd /run/lock
chmod 0755 /run/sshd
: >/run/utmp
# A VM regenerates missing host keys at boot; so do we.
ssh-keygen -A >/dev/null

# The boot scripts of runlevel 2, Debian's default, in the order of their S
# links, as sysvinit's /etc/init.d/rc runs them: whatever update-rc.d (or an
# installer making links by hand) enabled starts at each boot. Not those of
# rcS.d, which set this machine's clock and kernel parameters (the kernel is
# shared), nor ssh, whose daemon this init runs itself. A minute each at most.
RUNLEVEL=2 PREVLEVEL=N
export RUNLEVEL PREVLEVEL
for s in /etc/rc2.d/S*; do
    [ -x "$s" ] || continue
    n=${s##*/S}
    case ${n#[0-9][0-9]} in ssh) continue ;; esac
    echo "testbed-init: $s start"
    timeout 60 "$s" start </dev/null || echo "testbed-init: $s start: exit status $?"
done

sshd_alive() {
    [ -s /run/sshd.pid ] && kill -0 "$(cat /run/sshd.pid)" 2>/dev/null
}

/usr/sbin/sshd -D -e &
while :; do
    # `wait` returns once all of our own jobs have ended (so at least every 2 s
    # after sshd stopped), and meanwhile reaps every child that exits.
    sleep 2 &
    wait
    # sshd was stopped, e.g. by `/etc/init.d/ssh restart`, which starts a
    # daemonised sshd of its own: start one only if none is running.
    if ! sshd_alive; then
        /usr/sbin/sshd -D -e &
    fi
done
EOF
    chmod 0755 "$1/sbin/testbed-init"
}

# reboot, halt, poweroff and shutdown of every instance (symlinks in /sbin, where
# customise_rootfs has diverted the packages' own), and a systemctl in
# /usr/local/sbin that does `systemctl reboot|poweroff|halt`. Written into the
# rootfs as /sbin/testbed-power.
write_power() {
    cat >"$1/sbin/testbed-power" <<'EOF'
#!/bin/sh
# reboot, poweroff, halt, shutdown and `systemctl reboot|poweroff|halt` of a
# shelfready testbed instance. The testbed has no kernel of its own to restart:
# this signals the instance's init (/sbin/testbed-init) as systemctl signals
# systemd, SIGRTMIN+5 for a reboot and SIGRTMIN+4 for a power-off, and returns
# at once, as systemctl does. About a second later every process of the
# instance is killed and, for a reboot, the instance boots again: a new boot_id,
# a fresh /run, the same disk, host keys and address.
# The packages' own reboot, halt, poweroff and shutdown, if ever installed, are
# diverted to /sbin/NAME.distrib.
prog=${0##*/}

die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 1
}

need_root() {
    [ "$(id -u)" = 0 ] || die "must be superuser."
}

signal_of() {    # SIGRTMIN+5, SIGRTMIN+4
    case $1 in
        reboot) echo 39 ;;
        *) echo 38 ;;
    esac
}

# request reboot|poweroff: now.
request() {
    need_root
    kill -"$(signal_of "$1")" 1 2>/dev/null || die "cannot signal init"
    exit 0
}

cancel() {
    if [ -s /run/shutdown.pid ]; then
        # the waiting shell and its sleep: setsid made it a process group leader
        kill -- "-$(cat /run/shutdown.pid)" 2>/dev/null
        rm -f /run/shutdown.pid
        return 0
    fi
    return 1
}

# schedule reboot|poweroff TIME: TIME is now, +MINUTES, MINUTES or hh:mm.
schedule() {
    need_root
    case $2 in
        now) secs=0 ;;
        +*[!0-9]* | +) die "invalid time value '$2'" ;;
        +*) secs=$((${2#+} * 60)) ;;
        *[!0-9]*:* | *:*[!0-9]* | :* | *:) die "invalid time value '$2'" ;;
        *:*)
            t=$(date -d "$2" +%s 2>/dev/null) || die "invalid time value '$2'"
            now=$(date +%s)
            [ "$t" -gt "$now" ] || t=$((t + 86400))
            secs=$((t - now)) ;;
        '' | *[!0-9]*) die "invalid time value '$2'" ;;
        *) secs=$(($2 * 60)) ;;
    esac
    cancel
    [ "$secs" -gt 0 ] || request "$1"
    # shellcheck disable=SC2016  # expanded by the inner sh
    setsid sh -c 'sleep "$1" && rm -f /run/shutdown.pid && kill -"$2" 1' \
        sh "$secs" "$(signal_of "$1")" </dev/null >/dev/null 2>&1 &
    echo $! >/run/shutdown.pid
    what=Shutdown
    [ "$1" = reboot ] && what=Reboot
    printf "%s scheduled for %s, use 'shutdown -c' to cancel.\n" "$what" \
        "$(date -d "@$(($(date +%s) + secs))" '+%a %Y-%m-%d %H:%M:%S %Z')" >&2
    exit 0
}

# reboot, halt, poweroff [OPTION...]
power() {
    action=$1
    shift
    for a in "$@"; do
        case $a in
            --help)
                echo "usage: $prog [-p|--poweroff] [--reboot] [-f] [-w]"
                exit 0 ;;
            -p | --poweroff | --halt) action=poweroff ;;
            --reboot) action=reboot ;;
            -w | --wtmp-only) exit 0 ;;
            -f | -ff | --force | -n | --no-sync | -d | --no-wtmp | -i | -h | --no-wall | -q) ;;
            *) die "invalid option '$a'" ;;
        esac
    done
    request "$action"
}

# shutdown [OPTION...] [TIME] [MESSAGE...]: power off by default, in a minute
# unless TIME says otherwise (as systemd's shutdown does).
shutdown_() {
    action=poweroff
    while [ $# -gt 0 ]; do
        case $1 in
            --help)
                echo "usage: $prog [-r|-h|-P|-H|-c|-k] [TIME] [MESSAGE...]"
                exit 0 ;;
            --reboot) action=reboot ;;
            --halt | --poweroff) action=poweroff ;;
            --no-wall) ;;
            --) shift; break ;;
            -?*)
                o=${1#-}
                while [ -n "$o" ]; do
                    c=${o%"${o#?}"}
                    o=${o#?}
                    case $c in
                        r) action=reboot ;;
                        h | H | P) action=poweroff ;;
                        c)
                            need_root
                            cancel || true
                            exit 0 ;;
                        k) exit 0 ;;
                        f | F | n | a | q) ;;
                        t) shift ;;
                        *) die "invalid option -- '$c'" ;;
                    esac
                done ;;
            *) break ;;
        esac
        shift
    done
    schedule "$action" "${1:-+1}"
}

systemctl_() {
    verb=
    for a in "$@"; do
        case $a in
            -*) ;;
            *) verb=$a; break ;;
        esac
    done
    case $verb in
        reboot | kexec | soft-reboot) request reboot ;;
        poweroff | halt) request poweroff ;;
    esac
    for s in /usr/bin/systemctl /bin/systemctl; do
        [ -x "$s" ] && exec "$s" "$@"
    done
    echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2
    echo "Failed to connect to bus: Host is down" >&2
    exit 1
}

case $prog in
    reboot) power reboot "$@" ;;
    halt | poweroff) power poweroff "$@" ;;
    shutdown) shutdown_ "$@" ;;
    systemctl) systemctl_ "$@" ;;
    *)
        case ${1:-} in
            reboot | poweroff) request "$1" ;;
            *) die "usage: $prog reboot|poweroff" ;;
        esac ;;
esac
EOF
    chmod 0755 "$1/sbin/testbed-power"
    local f
    for f in reboot halt poweroff shutdown; do
        ln -sfn testbed-power "$1/sbin/$f"
    done
    mkdir -p "$1/usr/local/sbin"
    ln -sfn /sbin/testbed-power "$1/usr/local/sbin/systemctl"
}

# Everything done to the rootfs after debootstrap and `apt-get update`.
customise_rootfs() {
    local root=$1 pubkey=$2 home f

    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
    : >"$root/etc/machine-id"      # filled in per instance, like a cloud image

    chroot "$root" useradd --create-home --uid 1000 --user-group --groups sudo \
        --shell /bin/bash builder
    printf 'builder ALL=(ALL) NOPASSWD: ALL\n' >"$root/etc/sudoers.d/builder"
    chmod 0440 "$root/etc/sudoers.d/builder"
    chroot "$root" visudo -c -q -f /etc/sudoers.d/builder

    for home in /root /home/builder; do
        install -d -m 0700 "$root$home/.ssh"
        install -m 0600 "$pubkey" "$root$home/.ssh/authorized_keys"
    done
    chroot "$root" chown -R builder:builder /home/builder/.ssh

    # The VM's own sshd configuration, as a cloud image would ship it. The testbed's
    # ListenAddress goes into a drop-in written at each start.
    f=$root/etc/ssh/sshd_config
    sed -i -E 's/^#?PermitRootLogin .*/PermitRootLogin prohibit-password/;
               s/^#?PasswordAuthentication .*/PasswordAuthentication no/' "$f"
    grep -qx 'PermitRootLogin prohibit-password' "$f" || echo 'PermitRootLogin prohibit-password' >>"$f"
    grep -qx 'PasswordAuthentication no' "$f" || echo 'PasswordAuthentication no' >>"$f"

    write_init "$root"
    # No kernel to restart: reboot, halt, poweroff and shutdown ask the testbed
    # (see write_power). The packages that ship them (systemd-sysv, sysvinit-core)
    # are not installed; should one be, its programs go to NAME.distrib, so that
    # an upgrade never replaces ours.
    for f in reboot halt poweroff shutdown; do
        chroot "$root" dpkg-divert --local --rename --divert "/sbin/$f.distrib" --add "/sbin/$f"
    done
    write_power "$root"

    # Host keys are made per instance (at its first start), so instances differ.
    rm -f "$root"/etc/ssh/ssh_host_*
    chroot "$root" apt-get clean
}

recipe_stamp() {
    local h
    h=$(declare -f write_init write_power customise_rootfs copy_apt_sources build_pristine | sha256sum)
    echo "recipe $RECIPE_VERSION $SUITE minbase $PACKAGES ${h:0:16}"
}

pristine_ok() {
    [[ -f $PRISTINE/stamp && -x $PRISTINE/rootfs/sbin/testbed-init && -f $PRISTINE/id_ed25519 ]] &&
        [[ $(cat "$PRISTINE/stamp") == "$(recipe_stamp)" ]]
}

# Print the paths of the host's apt source files that may go into the rootfs.
host_apt_sources() {
    local f
    [[ -f /etc/apt/sources.list ]] && echo /etc/apt/sources.list
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && echo "$f"
    done
    return 0
}

# Copy host apt source files ($2...) into rootfs $1, skipping those that name a
# keyring the rootfs does not have. Prints how many were copied.
copy_apt_sources() {
    local root=$1 f k n=0 missing
    shift
    for f in "$@"; do
        missing=
        while read -r k; do
            [[ -e $root$k ]] || missing=$k
        done < <(grep -ioE 'signed-by[:=][[:space:]]*/[^],[:space:]]+' "$f" | sed -E 's/^[^/]*//')
        if [[ -n $missing ]]; then
            say "not copying $f: needs keyring $missing, which the rootfs does not have"
            continue
        fi
        cp "$f" "$root/etc/apt/${f#/etc/apt/}"
        n=$((n + 1))
    done
    echo "$n"
}

# Build the pristine rootfs in a temporary directory and rename it into place.
# Caller holds the build lock.
build_pristine() {
    local tmp=$TB_DIR/pristine.new.$$ root log started all=() deb=() f n policy
    started=$(date +%s)
    log=$TB_DIR/build.log
    for f in "$TB_DIR"/pristine.new.* "$TB_DIR"/pristine.old.*; do
        [[ -e $f ]] && safe_rm_rf "$f"
    done
    mkdir -p "$tmp"
    root=$tmp/rootfs
    on_exit "[[ -e '$tmp' ]] && safe_rm_rf '$tmp'"
    : >"$log"
    say "building the pristine $SUITE rootfs in $tmp (a few minutes; log: $log)"

    if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "debootstrap failed (full log: $log)"
    fi

    # Nothing may start during the build.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"
    on_exit "umount '$root/proc' 2>/dev/null || umount -l '$root/proc' 2>/dev/null"

    # apt sources: the host's own, in place of debootstrap's single line.
    mv "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.debootstrap"
    mapfile -t all < <(host_apt_sources)
    ((${#all[@]} > 0)) || die "the host has no apt sources to copy (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list|*.sources)"
    n=$(copy_apt_sources "$root" "${all[@]}")
    say "apt-get update in the rootfs with $n of the host's source files"
    if ((n == 0)) || ! chroot "$root" apt-get update --error-on=any >>"$log" 2>&1; then
        say "apt-get update failed; retrying with the host's Debian source files only"
        rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
        for f in "${all[@]}"; do
            grep -qi debian "$f" && deb+=("$f")
        done
        ((${#deb[@]} > 0)) || die "no host apt source file mentions debian"
        n=$(copy_apt_sources "$root" "${deb[@]}")
        if ((n == 0)) || ! chroot "$root" apt-get update --error-on=any >>"$log" 2>&1; then
            tail -n 20 "$log" >&2
            die "apt-get update in the rootfs failed (full log: $log)"
        fi
    fi
    rm -f "$root/etc/apt/sources.list.debootstrap"
    policy=$(chroot "$root" apt-cache policy 2>/dev/null || true)
    if [[ $policy != *-security* ]]; then
        say "warning: the host's apt sources have no security suite; few updates will be pending"
    fi

    ssh-keygen -q -t ed25519 -N '' -C "shelfready-testbed" -f "$tmp/id_ed25519"
    chmod 0600 "$tmp/id_ed25519"
    say "customising the rootfs (users, keys, sshd, init)"
    customise_rootfs "$root" "$tmp/id_ed25519.pub" >>"$log" 2>&1

    rm -f "$root/usr/sbin/policy-rc.d"
    umount "$root/proc"
    recipe_stamp >"$tmp/stamp"
    if [[ -e $PRISTINE ]]; then
        mv "$PRISTINE" "$TB_DIR/pristine.old.$$"
    fi
    mv "$tmp" "$PRISTINE"
    [[ -e $TB_DIR/pristine.old.$$ ]] && safe_rm_rf "$TB_DIR/pristine.old.$$"
    say "pristine rootfs ready in $(($(date +%s) - started)) s: $PRISTINE/rootfs"
}

# ensure_pristine [build|force]: build the pristine rootfs if it is missing or
# out of date (or always, with force). Instances are overlays of it, so it is
# only rebuilt when none runs; until then `up` and `fresh` (no argument) use the
# old one, with a warning, rather than fail, while `build` fails.
ensure_pristine() {
    local mode=${1:-} force='' name running=()
    [[ $mode == force ]] && force=1
    pristine_ok && [[ -z $force ]] && return 0
    lock 8 "$TB_DIR/build.lock"
    pristine_ok && [[ -z $force ]] && return 0     # built while we waited
    if [[ -e $PRISTINE ]]; then
        # Instances are overlays of the old rootfs: they must go with it.
        lock 9 "$TB_DIR/instances.lock"
        for name in $(instance_names); do
            is_running "$name" && running+=("$name")
        done
        if ((${#running[@]})); then
            if [[ -z $mode && -f $PRISTINE/stamp && -x $PRISTINE/rootfs/sbin/testbed-init && -f $PRISTINE/id_ed25519 ]]; then
                say "warning: the pristine rootfs is out of date (the recipe changed) but instances run (${running[*]}): using it as it is; it is rebuilt at the first up or fresh once none runs, or by: $PROG down --all; $PROG build"
                unlock 8
                return 0
            fi
            die "the pristine rootfs must be rebuilt (recipe changed or --force) but instance '${running[0]}' is running: $PROG down --all first"
        fi
        for name in $(instance_names); do
            say "discarding the state of instance $name (made from the old rootfs)"
            safe_rm_rf "$INSTANCES/$name"
        done
    fi
    build_pristine
}

# --------------------------------------------------------------------------
# instances
# --------------------------------------------------------------------------

instance_names() {
    local d
    for d in "$INSTANCES"/*/; do
        [[ -d $d ]] && basename "$d"
    done
    return 0
}

get() { cat "$INSTANCES/$1/$2" 2>/dev/null || true; }

is_running() {
    local dir=$INSTANCES/$1 pid
    local cmdline
    pid=$(get "$1" pid)
    pid_alive "$pid" || return 1
    # Guard against PID reuse: it must be our unshare for this instance.
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"$dir/root "* ]]
}

print_env() {
    local name=$1 dir=$INSTANCES/$1 host port opts
    host=$(get "$name" host)
    port=$(get "$name" port)
    opts="-F none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$dir/known_hosts"
    opts+=" -o IdentitiesOnly=yes -o IdentityFile=$PRISTINE/id_ed25519 -o Port=$port"
    opts+=" -o ConnectTimeout=15 -o LogLevel=ERROR"
    cat <<EOF
TB_NAME='$name'
TB_HOST='$host'
TB_PORT='$port'
TB_USER='root'
TB_SUDO_USER='builder'
TB_KEY='$PRISTINE/id_ed25519'
TB_KNOWN_HOSTS='$dir/known_hosts'
TB_ROOTFS='$dir/root'
TB_SSH_OPTS='$opts'
TB_DELAY_MS='$(get "$name" delay_ms)'
TB_DELAY_MODE='$(get "$name" delay_mode)'
TB_NETNS='$([[ -n $(get "$name" net_index) ]] && echo "sr-$name")'
TB_PRISTINE='$PRISTINE/rootfs'
export TB_NAME TB_HOST TB_PORT TB_USER TB_SUDO_USER TB_KEY TB_KNOWN_HOSTS TB_ROOTFS TB_SSH_OPTS
export TB_DELAY_MS TB_DELAY_MODE TB_NETNS TB_PRISTINE
EOF
}

pick_port() {
    local p n used=" "
    for n in $(instance_names); do
        is_running "$n" && used+="$(get "$n" port) "
    done
    for ((p = 2222; p < 2222 + 1000; p++)); do
        [[ $used == *" $p "* ]] && continue
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port in 2222-3221"
}

pick_net_index() {
    local i n used=" " addrs
    for n in $(instance_names); do
        is_running "$n" && used+="$(get "$n" net_index) "
    done
    addrs=$(ip -4 -o addr show)
    for ((i = 0; i < 256; i++)); do
        [[ $used == *" $i "* ]] && continue
        [[ $addrs == *" inet $NET_PREFIX.$i."* ]] && continue
        echo "$i"
        return 0
    done
    die "no free $NET_PREFIX.N.0/30 network"
}

# Userspace stand-in for netem: a pair of tun devices, one per side, and this
# relay between them holding every packet for the delay (the same for all, so a
# FIFO queue keeps time order).
write_relay() {
    cat >"$1" <<'EOF'
import collections, fcntl, os, select, signal, struct, sys, time

TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
MAX_QUEUED = 20000   # packets; beyond that, drop like a full link

def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd

host_if, ns_if, delay_ms, ready = sys.argv[1:5]
delay = int(delay_ms) / 1000.0
a, b = tun(host_if), tun(ns_if)
peer = {a: b, b: a}
queue = collections.deque()          # (due, out_fd, packet)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
open(ready, "w").close()
while True:
    timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    readable = select.select([a, b], [], [], timeout)[0]
    now = time.monotonic()
    for fd in readable:
        while True:
            try:
                pkt = os.read(fd, 65536)
            except (BlockingIOError, InterruptedError):
                break
            if len(queue) < MAX_QUEUED:
                queue.append((now + delay, peer[fd], pkt))
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, out, pkt = queue.popleft()
        try:
            os.write(out, pkt)
        except OSError:
            pass
EOF
}

# Create netns sr-NAME linked to this machine with MS ms of delay each way.
# Prints the instance-side address.
setup_netns() {
    local name=$1 ms=$2 dir=$INSTANCES/$1 ns=sr-$1 i hif nif mode py t
    mode=${SHELFREADY_TESTBED_DELAY_MODE:-auto}
    [[ $mode == auto || $mode == netem || $mode == relay ]] ||
        die "SHELFREADY_TESTBED_DELAY_MODE must be auto, netem or relay"
    i=$(pick_net_index)
    hif=sr${i}h
    nif=sr${i}n
    echo "$i" >"$dir/net_index"
    ip netns del "$ns" 2>/dev/null || true
    ip link del "$hif" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up

    if [[ $mode != relay ]]; then
        ip link add "$hif" type veth peer name "$nif" netns "$ns"
        ip addr add "$NET_PREFIX.$i.1/30" dev "$hif"
        ip -n "$ns" addr add "$NET_PREFIX.$i.2/30" dev "$nif"
        ip link set "$hif" up
        ip -n "$ns" link set "$nif" up
        if tc qdisc add dev "$hif" root netem delay "${ms}ms" 2>"$dir/tc.err" &&
            ip netns exec "$ns" tc qdisc add dev "$nif" root netem delay "${ms}ms" 2>>"$dir/tc.err"; then
            echo netem >"$dir/delay_mode"
            echo "$NET_PREFIX.$i.2"
            return 0
        fi
        [[ $mode == netem ]] && die "tc netem failed: $(cat "$dir/tc.err")"
        say "no tc netem on this kernel ($(head -n1 "$dir/tc.err")); using the userspace delay relay"
        ip link del "$hif"
    fi

    py=$(python_bin) || die "--delay needs tc netem (kernel CONFIG_NET_SCH_NETEM) or python3 for the userspace relay"
    write_relay "$dir/netdelay.py"
    rm -f "$dir/relay.ready"
    daemonize "$py" "$dir/netdelay.py" "$hif" "$nif" "$ms" "$dir/relay.ready" \
        </dev/null >"$dir/netdelay.log" 2>&1
    echo $! >"$dir/relay_pid"
    for ((t = 0; t < 50; t++)); do
        [[ -e $dir/relay.ready ]] && break
        pid_alive "$(cat "$dir/relay_pid")" || die "the delay relay failed: $(tail -n 3 "$dir/netdelay.log")"
        sleep 0.1
    done
    [[ -e $dir/relay.ready ]] || die "the delay relay did not start"
    ip link set "$nif" netns "$ns"
    ip addr add "$NET_PREFIX.$i.1" peer "$NET_PREFIX.$i.2" dev "$hif"
    ip -n "$ns" addr add "$NET_PREFIX.$i.2" peer "$NET_PREFIX.$i.1" dev "$nif"
    ip link set "$hif" up
    ip -n "$ns" link set "$nif" up
    echo relay >"$dir/delay_mode"
    echo "$NET_PREFIX.$i.2"
}

teardown_netns() {
    local name=$1 dir=$INSTANCES/$1 i pid
    pid=$(get "$name" relay_pid)
    if pid_alive "$pid" && grep -q netdelay "/proc/$pid/cmdline" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 30; i++)); do pid_alive "$pid" || break; sleep 0.1; done
        if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    i=$(get "$name" net_index)
    if [[ -n $i ]]; then ip link del "sr${i}h" 2>/dev/null || true; fi
    ip netns del "sr-$name" 2>/dev/null || true
    rm -f "$dir/relay_pid" "$dir/relay.ready" "$dir/net_index"
    return 0
}

# Mount (or copy) the instance root; on its first start give it its own host
# keys, machine-id and hostname.
prepare_root() {
    local name=$1 dir=$INSTANCES/$1 root=$INSTANCES/$1/root mode
    mkdir -p "$root"
    mode=$(get "$name" mode)
    if [[ -z $mode ]]; then
        mode=overlay
        [[ ${SHELFREADY_TESTBED_NO_OVERLAY:-0} == 1 ]] && mode=copy
    fi
    if [[ $mode == overlay ]]; then
        mkdir -p "$dir/upper" "$dir/work"
        if ! mountpoint -q "$root" &&
            ! mount -t overlay overlay \
                -o "lowerdir=$PRISTINE/rootfs,upperdir=$dir/upper,workdir=$dir/work" "$root" 2>"$dir/mount.err"; then
            if [[ -n $(get "$name" mode) ]]; then
                die "cannot mount the overlay of instance $name: $(cat "$dir/mount.err")"
            fi
            say "overlay mount failed ($(cat "$dir/mount.err")); copying the rootfs instead"
            rm -rf "$dir/upper" "$dir/work"
            mode=copy
        fi
    fi
    if [[ $mode == copy && ! -e $root/sbin/testbed-init ]]; then
        cp -a "$PRISTINE/rootfs/." "$root/"
    fi
    echo "$mode" >"$dir/mode"

    if [[ ! -e $dir/initialised ]]; then
        chroot "$root" ssh-keygen -A >/dev/null
        od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
        echo >>"$root/etc/machine-id"
        echo "testbed-$name" >"$root/etc/hostname"
        printf '127.0.1.1\ttestbed-%s\n' "$name" >>"$root/etc/hosts"
        touch "$dir/initialised"
    fi
}

# Runs as PID 1 of the new PID namespace, in the new mount namespace, before
# exec'ing the init in the chroot, at each boot. $1 = instance root, $2 = name,
# $3 = state dir, $4 = the file holding this boot's boot_id. Written to the
# instance directory as start.sh at each start.
# shellcheck disable=SC2016
readonly STARTER='
set -eu
root=$1 name=$2 tbdir=$3 boot_id=$4
# Our mount namespace is a copy of the host one: drop the copies of other
# instance roots and of network namespace handles, which would otherwise pin
# them (and their devices) for as long as this instance runs.
awk "{print \$2}" /proc/self/mounts | while read -r m; do
    case $m in
        "$root"|"$root"/*) ;;
        "$tbdir"/instances/*|/run/netns/*|/var/run/netns/*) umount -l "$m" 2>/dev/null || true ;;
    esac
done
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
# The boot_id of this boot in place of the one of this machine, read-only like it.
mount --bind "$boot_id" "$root/proc/sys/kernel/random/boot_id"
mount -o remount,bind,ro "$root/proc/sys/kernel/random/boot_id"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
# A small /dev of our own rather than the host one.
mount -t tmpfs -o nosuid,noexec,mode=0755,size=4m dev "$root/dev"
for d in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
    set -- $d
    mknod -m 0666 "$root/dev/$1" c "$2" "$3"
done
mkdir -m 0755 "$root/dev/pts"
mkdir -m 1777 "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
# A fresh /run at each boot, as on a real machine (/run/reboot-required goes).
mount -t tmpfs -o nosuid,nodev,mode=0755 run "$root/run"
echo "testbed-$name" >/proc/sys/kernel/hostname
exec chroot "$root" /sbin/testbed-init
'

# The supervisor of an instance, on this machine: its power supply. It boots
# the instance, each boot in new PID, mount, UTS, IPC and (when the kernel has
# them) time namespaces, so that the uptime starts from zero, with a new boot_id
# and a fresh /run and /dev; the overlay, host keys, address and network
# namespace stay. It boots it again when its init exits asking for a reboot
# (status 80, see write_init) or when `testbed.sh reboot` sends SIGUSR1 (a
# reset), and exits on a power-off (81), on SIGTERM (`testbed.sh down`), or when
# a boot ends any other way. Its own state, for `status`: boots (the count),
# boot_id, booted_at, state (booting, up, rebooting, off, stopped, failed) and
# boot_pid (the unshare of the current boot). Written to the instance directory
# as supervise.sh at each start; its output is the instance's log.
write_supervisor() {
    cat >"$1" <<'EOF'
# args: ROOT NAME TB_DIR HOST PORT NETNS|- BANNER_TIMEOUT
set -u
root=$1 name=$2 tbdir=$3 host=$4 port=$5 netns=$6 banner_timeout=$7
dir=${root%/root}
boot_pid='' stopping='' reset='' st=0

note() { printf '=== %s %s\n' "$(date '+%F %T')" "$*"; }
# Whether the instance's own sshd listens on its port (not another one: the port
# may have been taken while the instance was between boots).
sshd_listens() {
    local p
    for p in $("${netcmd[@]}" ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*'); do
        [[ $(readlink "/proc/${p#pid=}/root" 2>/dev/null) == "$root" ]] && return 0
    done
    return 1
}
put() { printf '%s\n' "$2" >"$dir/$1.new" && mv -f "$dir/$1.new" "$dir/$1"; }

# Kill the PID 1 of the current boot: the kernel ends its whole PID namespace.
cut_power() {
    local kids
    [[ -n $boot_pid ]] || return 0
    kids=$(cat "/proc/$boot_pid/task/$boot_pid/children" 2>/dev/null)
    # shellcheck disable=SC2086  # a list of PIDs
    if [[ -n $kids ]]; then kill -KILL $kids; else kill -KILL "$boot_pid"; fi 2>/dev/null
}
trap 'stopping=1; cut_power' TERM HUP
trap 'reset=1; cut_power' USR1

netcmd=()
[[ $netns == - ]] || netcmd=(nsenter "--net=/run/netns/$netns" --)
# Boot with every signal at its default disposition, as a kernel starts init
# (bash starts the boot, like any command run with &, ignoring SIGINT and SIGQUIT).
sigdfl=()
env --default-signal true 2>/dev/null && sigdfl=(--default-signal)
timens=''
unshare --time true 2>/dev/null && timens=1
n=$(cat "$dir/boots" 2>/dev/null)
[[ $n =~ ^[0-9]+$ ]] || n=0

while [[ -z $stopping ]]; do
    n=$((n + 1))
    reset=''
    id=$(cat /proc/sys/kernel/random/uuid)
    put boot_id "$id"
    put boots "$n"
    put booted_at "$(date +%s)"
    put state booting
    clock=()
    up=$(cut -d. -f1 /proc/uptime)
    if [[ -n $timens ]] && ((up > 2)); then
        clock=(--time --boottime "-$((up - 1))" --monotonic "-$((up - 1))")
    fi
    note "boot $n: boot_id $id"
    env "${sigdfl[@]}" -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/ TERM=linux \
        "${netcmd[@]}" unshare --pid --fork --kill-child --mount --uts --ipc "${clock[@]}" \
        --propagation private /bin/sh "$dir/start.sh" "$root" "$name" "$tbdir" "$dir/boot_id" \
        </dev/null &
    boot_pid=$!
    put boot_pid "$boot_pid"
    [[ -z $stopping$reset ]] || cut_power

    # Up once its sshd listens.
    deadline=$((SECONDS + banner_timeout))
    while [[ -z $stopping$reset ]] && ((SECONDS < deadline)) && kill -0 "$boot_pid" 2>/dev/null; do
        if sshd_listens; then
            put state up
            break
        fi
        sleep 0.1
    done
    if [[ $(cat "$dir/state") != up && -z $stopping$reset ]] && kill -0 "$boot_pid" 2>/dev/null; then
        note "boot $n: its sshd does not listen on $host:$port after ${banner_timeout}s"
    fi

    # `wait` returns early when a signal is trapped: wait again until the boot
    # has really ended.
    while :; do
        wait "$boot_pid"
        st=$?
        kill -0 "$boot_pid" 2>/dev/null || break
    done
    boot_pid=''
    rm -f "$dir/boot_pid"
    [[ -z $stopping ]] || break
    if [[ -n $reset ]]; then
        note "boot $n: reset (testbed.sh reboot)"
    elif ((st == 80)); then
        note "boot $n: reboot"
    elif ((st == 81)); then
        note "boot $n: power off"
        put state off
        exit 0
    else
        note "boot $n: the instance's init ended (exit status $st)"
        put state failed
        exit 1
    fi
    put state rebooting
done
note "boot $n: stopped"
put state stopped
EOF
}

# Wait until instance NAME, whose supervisor is PID $2, is up: the supervisor
# saw the instance's sshd listen on its port.
wait_up() {
    local name=$1 pid=$2 i
    for ((i = 0; i < 10 * (BANNER_TIMEOUT + 2); i++)); do
        pid_alive "$pid" || return 1
        [[ $(get "$name" state) == up ]] && return 0
        sleep 0.1
    done
    return 1
}

write_known_hosts() {
    local name=$1 dir=$INSTANCES/$1 host=$2 port=$3 pub hostpat
    hostpat="[$host]:$port"
    [[ $port == 22 ]] && hostpat=$host
    : >"$dir/known_hosts.new"
    for pub in "$dir"/root/etc/ssh/ssh_host_*_key.pub; do
        printf '%s %s\n' "$hostpat" "$(cut -d' ' -f1,2 "$pub")" >>"$dir/known_hosts.new"
    done
    [[ -s $dir/known_hosts.new ]] || die "instance $name has no host keys"
    mv "$dir/known_hosts.new" "$dir/known_hosts"
}

# Start instance NAME (not running; caller holds the instance lock).
start_instance() {
    local name=$1 port=$2 delay=$3 dir=$INSTANCES/$1 host=127.0.0.1 pid out
    # Whatever fails from here on, leave no mount, netns or process behind.
    STARTING=$name
    # shellcheck disable=SC2016  # expanded when the cleanup runs
    on_exit '[[ -z ${STARTING:-} ]] || stop_instance "$STARTING" >/dev/null 2>&1'
    mkdir -p "$dir"
    prepare_root "$name"

    if [[ -z $port ]]; then
        port=$(get "$name" port)
        if [[ -z $port ]] || port_in_use "$port"; then
            port=$(pick_port)
        fi
    elif [[ -z $delay ]] && port_in_use "$port"; then
        die "port $port is already in use on this machine"
    fi
    echo "$port" >"$dir/port"

    echo "${delay:-0}" >"$dir/delay_ms"
    echo none >"$dir/delay_mode"
    if [[ -n $delay ]]; then
        host=$(setup_netns "$name" "$delay")
    fi
    echo "$host" >"$dir/host"
    # The only testbed-specific sshd setting; the rest is the VM's own config.
    printf '# Written by the shelfready testbed at each start.\nListenAddress %s:%s\n' \
        "$host" "$port" >"$dir/root/etc/ssh/sshd_config.d/00-testbed-listen.conf"
    # Fail at once, with sshd's own words, on a configuration sshd rejects (the
    # VM's sshd_config is what shelfready edits). /run/sshd here is hidden by the
    # instance's /run at run time.
    mkdir -p "$dir/root/run/sshd"
    if ! out=$(chroot "$dir/root" /usr/sbin/sshd -t 2>&1); then
        die "sshd of instance $name rejects its configuration: $out"
    fi

    {
        echo "=== $(date '+%F %T') start: $host:$port delay=${delay:-0}"
    } >>"$dir/sshd.log"
    # The supervisor boots the instance: the first process in each boot's new PID
    # namespace (start.sh, then the init) is its PID 1, and when it dies every
    # process of the namespace dies with it. With --kill-child it is SIGKILLed if
    # unshare dies (unshare itself ignores SIGTERM while it waits, so it is only
    # stopped by SIGKILL; see stop_instance).
    printf '%s' "$STARTER" >"$dir/start.sh"
    write_supervisor "$dir/supervise.sh"
    rm -f "$dir/state" "$dir/boot_pid"
    daemonize bash "$dir/supervise.sh" "$dir/root" "$name" "$TB_DIR" "$host" "$port" \
        "$([[ -n $delay ]] && echo "sr-$name" || echo -)" "$BANNER_TIMEOUT" \
        </dev/null >>"$dir/sshd.log" 2>&1
    pid=$!
    echo "$pid" >"$dir/pid"

    if ! wait_up "$name" "$pid"; then
        say "the sshd of instance $name did not listen on $host:$port within ${BANNER_TIMEOUT}s; last lines of $dir/sshd.log:"
        tail -n 15 "$dir/sshd.log" >&2
        exit 1
    fi
    write_known_hosts "$name" "$host" "$port"
    # shellcheck disable=SC2034  # read by the cleanup registered above
    STARTING=
    say "instance $name is up: ssh on $host:$port${delay:+ (+${delay} ms each way, $(get "$name" delay_mode))}"
}

# End boot $1 (an unshare): kill the namespace's PID 1 (its child), which
# takes every process of the namespace with it, and let unshare reap it and
# exit. Killing unshare first would work as well (--kill-child), but would leave
# the init to be reaped by this machine's init, which in some sandboxes never
# happens.
end_boot() {
    local upid=$1 kids i
    kids=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null || true)
    if [[ -n $kids ]]; then
        # shellcheck disable=SC2086  # a list of PIDs
        kill -KILL $kids 2>/dev/null || true
        for ((i = 0; i < 30; i++)); do pid_alive "$upid" || break; sleep 0.1; done
    fi
    if pid_alive "$upid"; then kill -KILL "$upid" 2>/dev/null || true; fi
}

# Stop NAME: no process, mount or netns may remain.
stop_instance() {
    local name=$1 dir=$INSTANCES/$1 pid bpid i left
    pid=$(get "$name" pid)
    bpid=$(get "$name" boot_pid)
    if pid_alive "$pid" && is_running "$name"; then
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == unshare ]]; then
            end_boot "$pid"     # started by an older testbed.sh, with no supervisor
        else
            # The supervisor ends the current boot, reaps it and exits.
            kill -TERM "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do pid_alive "$pid" || break; sleep 0.1; done
            if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
        fi
    fi
    # A boot that its supervisor did not end (it was killed): end it here.
    if pid_alive "$bpid" && [[ $(tr '\0' ' ' <"/proc/$bpid/cmdline" 2>/dev/null) == *"$dir/root "* ]]; then
        end_boot "$bpid"
    fi
    for ((i = 0; i < 50; i++)); do
        left=$(pids_rooted_at "$dir/root")
        [[ -z $left ]] && ! pid_alive "$pid" && break
        if ((i == 20)) && [[ -n $left ]]; then
            # shellcheck disable=SC2086  # a list of PIDs
            kill -KILL $left 2>/dev/null || true
        fi
        sleep 0.1
    done
    rm -f "$dir/pid" "$dir/boot_pid"
    [[ ! -d $dir ]] || echo stopped >"$dir/state"
    teardown_netns "$name"
    unmount_all_under "$dir"
    left=$(pids_rooted_at "$dir/root")
    [[ -z $left ]] || die "instance $name: processes still running: $left"
    [[ -z $(mounts_under "$dir") ]] || die "instance $name: mounts remain: $(mounts_under "$dir" | tr '\n' ' ')"
    [[ ! -e /run/netns/sr-$name ]] || die "instance $name: netns sr-$name remains"
}

parse_start_args() {    # sets NAME PORT DELAY
    NAME=${DEFAULT_NAME:-} PORT='' DELAY=''
    while (($#)); do
        case $1 in
            --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT=$2; shift 2 ;;
            --port=*) PORT=${1#*=}; shift ;;
            --delay) [[ $# -ge 2 ]] || die "--delay needs a value"; DELAY=$2; shift 2 ;;
            --delay=*) DELAY=${1#*=}; shift ;;
            -h | --help) usage; exit 0 ;;
            -*) die "unknown option $1 (see $PROG -h)" ;;
            *) [[ -z ${GOT_NAME:-} ]] || die "unexpected argument $1"; NAME=$1; GOT_NAME=1; shift ;;
        esac
    done
    [[ -n $NAME ]] || die "an instance name is required"
    valid_name "$NAME"
    if [[ -n $PORT ]]; then
        if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
            die "--port must be 1-65535"
        fi
    fi
    if [[ -n $DELAY ]]; then
        if ! [[ $DELAY =~ ^[0-9]+$ ]] || ((DELAY < 1 || DELAY > 10000)); then
            die "--delay must be 1-10000 (milliseconds)"
        fi
    fi
}

# --------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------

cmd_up() {
    local fresh=$1
    shift
    DEFAULT_NAME=default
    [[ -n $fresh ]] && DEFAULT_NAME=
    parse_start_args "$@"
    ensure_pristine
    lock 9 "$TB_DIR/instances.lock"
    mkdir -p "$INSTANCES"
    if [[ -n $fresh ]]; then
        [[ -d $INSTANCES/$NAME ]] && stop_instance "$NAME"
        safe_rm_rf "$INSTANCES/$NAME"
    elif is_running "$NAME"; then
        if [[ -n $PORT && $PORT != $(get "$NAME" port) ]] ||
            [[ ${DELAY:-0} != $(get "$NAME" delay_ms) ]]; then
            say "warning: instance $NAME is already running (port $(get "$NAME" port), delay $(get "$NAME" delay_ms) ms); options ignored"
        fi
        print_env "$NAME"
        return 0
    else
        # Not running: make sure nothing is left over from an earlier crash.
        [[ -d $INSTANCES/$NAME ]] && stop_instance "$NAME"
    fi
    start_instance "$NAME" "$PORT" "$DELAY"
    print_env "$NAME"
}

cmd_down() {
    local every='' purge='' name='' n
    while (($#)); do
        case $1 in
            --all) every=1 ;;
            --purge) purge=1 ;;
            -h | --help) usage; exit 0 ;;
            -*) die "unknown option $1 (see $PROG -h)" ;;
            *) [[ -z $name ]] || die "unexpected argument $1"; name=$1 ;;
        esac
        shift
    done
    [[ -n $every && -n $name ]] && die "give an instance name or --all, not both"
    lock 9 "$TB_DIR/instances.lock"
    if [[ -n $every ]]; then
        for n in $(instance_names); do
            stop_instance "$n"
            [[ -n $purge ]] && safe_rm_rf "$INSTANCES/$n"
        done
        say "all instances are down"
        return 0
    fi
    name=${name:-default}
    valid_name "$name"
    if [[ ! -d $INSTANCES/$name ]]; then
        say "no instance $name"
        return 0
    fi
    stop_instance "$name"
    [[ -n $purge ]] && safe_rm_rf "$INSTANCES/$name"
    say "instance $name is down"
}

# The state of NAME: running, booting or rebooting (it is powered: its
# supervisor runs), stopped, off (powered off from inside) or absent.
instance_state() {
    local st
    [[ -d $INSTANCES/$1 ]] || { echo absent; return 0; }
    st=$(get "$1" state)
    if is_running "$1"; then
        case $st in booting | rebooting) echo "$st" ;; *) echo running ;; esac
    elif [[ $st == off ]]; then
        echo off
    else
        echo stopped
    fi
}

cmd_status() {
    local name=${1:-} n state
    if [[ -n $name ]]; then
        valid_name "$name"
        state=$(instance_state "$name")
        case $state in
            running | booting | rebooting)
                echo "$name $state $(get "$name" host):$(get "$name" port) delay=$(get "$name" delay_ms)ms pid=$(get "$name" pid) boot=$(get "$name" boots) boot_id=$(get "$name" boot_id)"
                return 0 ;;
        esac
        echo "$name $state"
        exit 1
    fi
    if pristine_ok; then
        echo "pristine: $PRISTINE/rootfs ($(cat "$PRISTINE/stamp"))"
    else
        echo "pristine: not built (or out of date): $PRISTINE"
    fi
    printf '%-20s %-9s %-22s %-8s %-7s %-8s %-5s %s\n' NAME STATE ADDRESS DELAY MODE PID BOOT BOOT_ID
    for n in $(instance_names); do
        state=$(instance_state "$n")
        printf '%-20s %-9s %-22s %-8s %-7s %-8s %-5s %s\n' "$n" "$state" \
            "$(get "$n" host):$(get "$n" port)" "$(get "$n" delay_ms)ms" "$(get "$n" mode)" \
            "$(is_running "$n" && get "$n" pid || echo -)" "$(get "$n" boots)" "$(get "$n" boot_id)"
    done
}

cmd_reboot() {
    local name i before pid
    [[ $# -eq 1 ]] || die "usage: $PROG reboot NAME"
    name=$1
    valid_name "$name"
    lock 9 "$TB_DIR/instances.lock"
    is_running "$name" || die "instance $name is not running"
    pid=$(get "$name" pid)
    [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *supervise.sh* ]] ||
        die "instance $name was started by an older $PROG, which cannot reboot it: $PROG down $name; $PROG up $name"
    before=$(get "$name" boots)
    kill -USR1 "$pid"
    for ((i = 0; i < 10 * (BANNER_TIMEOUT + 10); i++)); do
        is_running "$name" || die "instance $name stopped while rebooting; last lines of $INSTANCES/$name/sshd.log: $(tail -n 5 "$INSTANCES/$name/sshd.log")"
        [[ $(get "$name" boots) != "$before" && $(get "$name" state) == up ]] && break
        sleep 0.1
    done
    [[ $(get "$name" state) == up ]] || die "instance $name did not come back within $((BANNER_TIMEOUT + 10)) s (see $INSTANCES/$name/sshd.log)"
    say "instance $name rebooted: boot $(get "$name" boots), boot_id $(get "$name" boot_id)"
}

cmd_env() {
    [[ $# -eq 1 ]] || die "usage: $PROG env NAME"
    valid_name "$1"
    is_running "$1" || die "instance $1 is not running (start it with: $PROG up $1)"
    print_env "$1"
}

cmd_ssh() {
    local name='' user=root
    while (($#)); do
        case $1 in
            --user) [[ $# -ge 2 ]] || die "--user needs a value"; user=$2; shift 2 ;;
            --user=*) user=${1#*=}; shift ;;
            --) shift; break ;;
            *) [[ -z $name ]] || break; name=$1; shift ;;
        esac
    done
    [[ -n $name ]] || die "usage: $PROG ssh NAME [--user U] [--] [COMMAND...]"
    valid_name "$name"
    is_running "$name" || die "instance $name is not running"
    eval "$(print_env "$name")"
    # shellcheck disable=SC2086  # TB_SSH_OPTS is a list of options
    exec ssh $TB_SSH_OPTS -l "$user" "$TB_HOST" "$@"
}

main() {
    local cmd=${1:-} a
    if [[ -z $cmd ]]; then
        usage >&2
        exit 2
    fi
    case $cmd in -h | --help | help) usage; exit 0 ;; esac
    shift
    if [[ $cmd != ssh ]]; then
        for a in "$@"; do
            case $a in -h | --help) usage; exit 0 ;; esac
        done
    fi
    [[ $TB_DIR == /* && $TB_DIR != *[[:space:]\'\"\\]* ]] ||
        die "SHELFREADY_TESTBED_DIR must be an absolute path without spaces or quotes"
    need_root
    case $cmd in
        up) need_tools debootstrap unshare nsenter ip ss flock ssh-keygen chroot mount setsid
            cmd_up "" "$@" ;;
        fresh) need_tools debootstrap unshare nsenter ip ss flock ssh-keygen chroot mount setsid
            cmd_up fresh "$@" ;;
        down) need_tools ip flock; cmd_down "$@" ;;
        status) cmd_status "$@" ;;
        reboot) need_tools flock; cmd_reboot "$@" ;;
        env) cmd_env "$@" ;;
        ssh) need_tools ssh; cmd_ssh "$@" ;;
        build)
            need_tools debootstrap flock ssh-keygen chroot mount
            case ${1:-} in
                '') ensure_pristine build ;;
                --force) ensure_pristine force ;;
                *) die "usage: $PROG build [--force]" ;;
            esac ;;
        *) die "unknown command '$cmd' (see $PROG -h)" ;;
    esac
}

main "$@"
