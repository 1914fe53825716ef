#!/bin/sh
# A testbed instance power-cycles like a VM. `reboot` inside it (and
# /sbin/reboot, shutdown -r now and +0, systemctl reboot, builder's sudo reboot)
# or `testbed.sh reboot` on this machine kills every process of it and boots it
# again: a new boot_id (a UUID), an empty /run, /tmp kept, the same host key,
# address and sshd; `status` counts the boots. poweroff stops it and `up` starts
# it again; with --delay it keeps its network namespace; `down` leaves no process
# and no mount.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
NAME=e2e-reboot
tb_fresh "$NAME" || finish
DIR=$(dirname "$TB_ROOTFS")
cp "$TB_KNOWN_HOSTS" "$SR_TMP/known_hosts.before"

is_uuid() {
    printf '%s\n' "$1" | grep -Eqx '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
}
boot_id() { tb_ssh root cat /proc/sys/kernel/random/boot_id; }
# status_field NAME KEY: KEY=value from `testbed.sh status NAME`.
status_field() {
    "$TESTBED" status "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# host_pids_running ARGS: PIDs (on this machine) of the instance's processes
# whose command line is ARGS.
host_pids_running() {
    for _p in $(procs_rooted_at "$TB_ROOTFS"); do
        [ "$(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null)" = "$1 " ] && echo "$_p"
    done
}
# reboot_by USER COMMAND: run COMMAND as USER over ssh (it may return or be cut
# off, but must not hang) and wait for the next boot; its boot_id is then in
# TB_BOOT_ID. Fails if the instance does not come back within 30 s.
reboot_by() {
    _user=$1
    shift
    _old=$(boot_id)
    log "+ ssh $_user: $* (boot_id $_old)"
    timeout 20 ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$TB_KNOWN_HOSTS" -o IdentitiesOnly=yes -o ConnectTimeout=20 \
        -i "$TB_KEY" -p "$TB_PORT" "$_user@$TB_HOST" "$@"
    _st=$?
    case $_st in
        0) pass "'$*' returned" ;;
        255) pass "'$*' was cut off by the reboot" ;;
        124) fail "'$*' hung (no answer within 20 s)" ;;
        *) fail "'$*' failed (exit status $_st)" ;;
    esac
    if tb_wait_reboot "$_old" 30; then
        pass "after '$*' the instance is back with a new boot_id ($TB_BOOT_ID)"
    else
        fail "after '$*' the instance did not come back with a new boot_id within 30 s"
        return 1
    fi
}

# --- before --------------------------------------------------------------------
bid1=$(boot_id)
if is_uuid "$bid1" && [ "$bid1" != "$(cat /proc/sys/kernel/random/boot_id)" ]; then
    pass "the instance has a boot_id of its own: $bid1"
else
    fail "boot_id inside is '$bid1' (this machine's is $(cat /proc/sys/kernel/random/boot_id))"
fi
check_eq "status: first boot" 1 "$(status_field "$NAME" boot)"
check_eq "status: the boot_id" "$bid1" "$(status_field "$NAME" boot_id)"
init1=$(host_pids_running "/bin/sh /sbin/testbed-init")
tb_ssh root 'touch /run/reboot-required; echo kept >/tmp/kept-over-reboot
    nohup sleep 1000 </dev/null >/dev/null 2>&1 &'
sleeper=$(host_pids_running "sleep 1000")
if [ -n "$sleeper" ]; then
    pass "a background process runs in the instance (PID $sleeper here)"
else
    fail "the background sleep 1000 is not running in the instance"
fi

# --- reboot ----------------------------------------------------------------------
reboot_by root reboot || finish
bid2=$TB_BOOT_ID
if is_uuid "$bid2" && [ "$bid2" != "$bid1" ]; then
    pass "the new boot_id is another UUID"
else
    fail "boot_id after reboot: '$bid2' (before: $bid1)"
fi
if tb_ssh root 'test ! -e /run/reboot-required'; then
    pass "/run/reboot-required is gone (/run is emptied at boot)"
else
    fail "/run/reboot-required survived the reboot"
fi
check_eq "/tmp is kept, as on Debian 12" kept "$(tb_ssh root cat /tmp/kept-over-reboot)"
if tb_ssh root 'ps -e -o args=' | grep -qx 'sleep 1000'; then
    fail "the background process started before the reboot still runs inside"
else
    pass "the background process started before the reboot is gone"
fi
left=
for p in $sleeper; do
    [ -d "/proc/$p" ] && left="$left $p"
done
if [ -z "$left" ]; then pass "its PID $sleeper is gone on this machine"; else fail "PIDs$left remain here"; fi
init2=$(host_pids_running "/bin/sh /sbin/testbed-init")
if [ -n "$init1" ] && [ -n "$init2" ] && [ "$init1" != "$init2" ] && [ ! -d "/proc/$init1" ]; then
    pass "the init is a new process (PID $init1 -> $init2 here)"
else
    fail "the instance's init here: PID '$init1' before, '$init2' after"
fi
check_eq "PID 1 is the testbed init again" "/bin/sh /sbin/testbed-init" \
    "$(tb_ssh root 'tr "\0" " " </proc/1/cmdline' | sed 's/ $//')"
if cmp -s "$SR_TMP/known_hosts.before" "$TB_KNOWN_HOSTS"; then
    pass "the host keys are the same (known_hosts unchanged, strict checking passed)"
else
    fail "known_hosts changed across the reboot"
fi
check_eq "status: second boot" 2 "$(status_field "$NAME" boot)"
check_eq "status: the new boot_id" "$bid2" "$(status_field "$NAME" boot_id)"
uptime=$(tb_ssh root cut -d. -f1 /proc/uptime)
if [ -e /proc/self/ns/time ]; then
    if [ -n "$uptime" ] && [ "$uptime" -lt 60 ]; then
        pass "the uptime starts again ($uptime s)"
    else
        fail "uptime after the reboot is '$uptime' s"
    fi
else
    note "no time namespaces on this kernel: the uptime is this machine's"
fi

# --- every other way to reboot ------------------------------------------------------
seen=" $bid1 $bid2 "
for cmd in /sbin/reboot 'shutdown -r now' 'shutdown -r +0' 'systemctl reboot'; do
    reboot_by root "$cmd" || finish
    case $seen in *" $TB_BOOT_ID "*) fail "'$cmd': boot_id $TB_BOOT_ID was seen before" ;; esac
    seen="$seen$TB_BOOT_ID "
done
reboot_by builder sudo reboot || finish
seen="$seen$TB_BOOT_ID "
old=$(boot_id)
check -m "testbed.sh reboot $NAME" "$TESTBED" reboot "$NAME"
new=$(boot_id)
if is_uuid "$new" && [ "$new" != "$old" ]; then
    pass "after testbed.sh reboot, ssh answers at once with a new boot_id"
else
    fail "after testbed.sh reboot: boot_id '$new' (before: $old)"
fi
check_eq "status: eight boots" 8 "$(status_field "$NAME" boot)"
check_eq "status: the last boot_id" "$new" "$(status_field "$NAME" boot_id)"
check_eq "a user cannot reboot" "reboot: must be superuser." \
    "$(tb_ssh builder /sbin/reboot 2>&1)"

# --- power off, up --------------------------------------------------------------------
log "+ ssh root: poweroff"
timeout 20 ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$TB_KNOWN_HOSTS" -o IdentitiesOnly=yes -o ConnectTimeout=20 \
    -i "$TB_KEY" -p "$TB_PORT" "root@$TB_HOST" poweroff
log "exit status $?"
i=0
while [ $i -lt 100 ] && "$TESTBED" status "$NAME" >/dev/null 2>&1; do
    sleep 0.1
    i=$((i + 1))
done
check_eq "after poweroff, status says off" "$NAME off" "$("$TESTBED" status "$NAME")"
left=$(procs_rooted_at "$TB_ROOTFS")
if [ -z "$left" ]; then pass "after poweroff no process runs inside"; else fail "after poweroff, processes inside: $left"; fi
# Its port is kept unless something else took it meanwhile: read the env again.
log "+ testbed.sh up $NAME"
if env=$("$TESTBED" up "$NAME"); then
    pass "testbed.sh up $NAME after poweroff"
    eval "$env"
else
    fail "testbed.sh up $NAME after poweroff"
fi
check_eq "it boots again (boot 9)" 9 "$(status_field "$NAME" boot)"
check_eq "and answers ssh with that boot's boot_id" "$(status_field "$NAME" boot_id)" "$(boot_id)"

# --- down -------------------------------------------------------------------------------
supervisor=$(cat "$DIR/pid")
check -m "testbed.sh down $NAME" "$TESTBED" down "$NAME"
left=$(procs_rooted_at "$TB_ROOTFS")
if [ -z "$left" ]; then pass "down leaves no process inside"; else fail "processes left inside after down: $left"; fi
# gone, or a zombie nobody reaped yet (its command line is empty then)
if [ -n "$supervisor" ] && ! tr '\0' ' ' <"/proc/$supervisor/cmdline" 2>/dev/null |
    grep -qF "$DIR/supervise.sh"; then
    pass "the instance's supervisor (PID $supervisor) is gone"
else
    fail "the supervisor '$supervisor' still runs after down"
fi
left=$(mounts_under "$DIR")
if [ -z "$left" ]; then pass "down leaves no mount"; else fail "mounts left after down: $left"; fi

# --- with --delay: the same network namespace and address -----------------------------
tb_fresh e2e-reboot-net --delay 5 || finish
ns=$(stat -L -c %i "/run/netns/$TB_NETNS")
reboot_by root reboot || finish
check_eq "after the reboot sshd answers at the same address" "testbed-e2e-reboot-net" \
    "$(tb_ssh root cat /proc/sys/kernel/hostname)"
check_eq "and the init is in the same network namespace $TB_NETNS" "$ns" \
    "$(tb_ssh root stat -L -c %i /proc/1/ns/net)"
check -m "testbed.sh down e2e-reboot-net" "$TESTBED" down e2e-reboot-net
if [ -e "/run/netns/$TB_NETNS" ]; then fail "netns $TB_NETNS remains after down"; else pass "down removed netns $TB_NETNS"; fi
left=$(procs_rooted_at "$TB_ROOTFS")
if [ -z "$left" ]; then pass "down leaves no process inside"; else fail "processes left inside after down: $left"; fi

finish
