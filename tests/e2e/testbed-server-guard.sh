#!/bin/sh
# The Server Guard stand-in (tests/data/server-guard/installer.sh) installs on
# the testbed what Alibaba's installer leaves: AliYunDun, AliYunDunUpdate and
# AliYunDunMonitor running from /usr/local/aegis and /etc/init.d/aegis linked in
# runlevels 2-5, which the server-guard check accepts. A second run changes
# nothing. The programs come back after a reboot because the testbed's boot runs
# the S links of /etc/rc2.d, and do not once those links are disabled.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
INSTALLER=$SR_ROOT/tests/data/server-guard/installer.sh
tb_fresh e2e-server-guard || finish

# aegis_procs: "NAME EXE" of each Server Guard process in the instance, sorted.
aegis_procs() {
    # shellcheck disable=SC2016  # expanded on the target
    tb_ssh root 'for p in /proc/[0-9]*; do
        e=$(readlink "$p/exe" 2>/dev/null) || continue
        case $e in /usr/local/aegis/*) echo "$(cat "$p/comm") $e" ;; esac
    done | sort'
}
aegis_pids() {
    # shellcheck disable=SC2016  # expanded on the target
    tb_ssh root 'for p in /proc/[0-9]*; do
        case $(readlink "$p/exe" 2>/dev/null) in /usr/local/aegis/*) echo "${p#/proc/}" ;; esac
    done | sort -n | tr "\n" " "'
}
EXPECTED="AliYunDun /usr/local/aegis/aegis_client/aegis_12_01/AliYunDun
AliYunDunMonito /usr/local/aegis/aegis_client/aegis_12_01/AliYunDunMonitor
AliYunDunUpdate /usr/local/aegis/aegis_update/AliYunDunUpdate"

# verify_guard STATUS: the server-guard check alone, against the instance.
cat >"$SR_TMP/guard.yaml" <<'YAML'
name: server-guard-only
verify:
  - id: server-guard
    type: server-guard
    title: Server Guard runs and starts at boot
YAML
verify_guard() {
    if [ ! -x "$SR" ]; then
        return 0
    fi
    run "$1" "$SR" verify -p "$SR_TMP/guard.yaml" --no-refresh --no-agent -i "$TB_KEY" \
        --known-hosts "$TB_KNOWN_HOSTS" "root@$TB_HOST:$TB_PORT"
}
[ -x "$SR" ] || note "no $SR: the server-guard check was not run (make all)"

verify_guard 1
check_eq "nothing of Server Guard runs before the install" "" "$(aegis_procs)"

# --- install -------------------------------------------------------------------------
tb_ssh root 'cat >/root/aegis-installer.sh' <"$INSTALLER"
log "+ ssh root: sh /root/aegis-installer.sh"
out=$(timeout 60 ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$TB_KNOWN_HOSTS" -o IdentitiesOnly=yes -o ConnectTimeout=20 \
    -i "$TB_KEY" -p "$TB_PORT" "root@$TB_HOST" sh /root/aegis-installer.sh 2>&1)
st=$?
log "$out"
check_eq "the installer succeeds (and its session ends)" 0 "$st"
check_eq "AliYunDun, AliYunDunUpdate and AliYunDunMonitor run from /usr/local/aegis" \
    "$EXPECTED" "$(aegis_procs)"
check -m "/etc/init.d/aegis status" tb_ssh root /etc/init.d/aegis status
check -m "S links in runlevels 2-5, K links in 0, 1 and 6" tb_ssh root \
    'ls /etc/rc2.d/S*aegis /etc/rc3.d/S*aegis /etc/rc4.d/S*aegis /etc/rc5.d/S*aegis \
        /etc/rc0.d/K*aegis /etc/rc1.d/K*aegis /etc/rc6.d/K*aegis'
verify_guard 0
pids=$(aegis_pids)

# --- again: nothing to do ------------------------------------------------------------
out=$(tb_ssh root sh /root/aegis-installer.sh 2>&1)
st=$?
log "$out"
check_eq "a second run succeeds" 0 "$st"
case $out in
    *"nothing to do"*) pass "a second run says there is nothing to do" ;;
    *) fail "a second run did something: $out" ;;
esac
check_eq "a second run restarts nothing" "$pids" "$(aegis_pids)"

# --- reboot: back, started by the boot's rc2.d --------------------------------------
old=$(tb_ssh root cat /proc/sys/kernel/random/boot_id)
timeout 20 ssh -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$TB_KNOWN_HOSTS" -o IdentitiesOnly=yes -o ConnectTimeout=20 \
    -i "$TB_KEY" -p "$TB_PORT" "root@$TB_HOST" reboot
if tb_wait_reboot "$old" 30; then
    pass "the instance rebooted (boot_id $TB_BOOT_ID)"
else
    fail "the instance did not come back within 30 s"
    finish
fi
check_eq "after the reboot, Server Guard runs again" "$EXPECTED" "$(aegis_procs)"
verify_guard 0

# --- not enabled at boot: not back ---------------------------------------------------
check -m "update-rc.d aegis disable" tb_ssh root update-rc.d aegis disable
old=$TB_BOOT_ID
check -m "testbed.sh reboot" "$TESTBED" reboot e2e-server-guard
if tb_wait_reboot "$old" 30; then
    check_eq "once disabled at boot, Server Guard does not come back" "" "$(aegis_procs)"
else
    fail "the instance did not come back within 30 s"
fi
verify_guard 1

finish
