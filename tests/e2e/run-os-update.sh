#!/bin/sh
# shelfready run with the wait-ready and os-update steps against a fresh
# testbed (a Debian 12 build VM with ~17 real pending security updates):
#
# - --dry-run names what would be upgraded and changes nothing on the VM;
# - a dpkg lock held by another process (a real fcntl lock) is waited for and
#   its holder named, not failed on (unless it outlasts wait-ready's timeout);
# - the SSH connection is killed in the middle of the upgrade (the sshd
#   serving it, while dpkg unpacks): the upgrade finishes on the target, the
#   tool reconnects and shows the rest of the log from where it was, every
#   line exactly once, and reports what was upgraded; dpkg --audit is clean
#   and the packages' auto/manual marks are untouched;
# - afterwards no security update is pending, and a second run changes nothing;
# - with a reboot required, os-update reboots the VM, waits for it and
#   confirms a new boot_id; the run after that changes nothing.
. "$(dirname "$0")/lib.sh"
require_root
command -v python3 >/dev/null || { fail "python3 is needed to read the facts"; finish; }
# a private copy: a rebuild of the tree meanwhile must not swap the binary under the test
SR=$SR_TMP/shelfready
i=0
until cp "${SHELFREADY:-$SR_ROOT/build/shelfready}" "$SR" 2>/dev/null && [ -x "$SR" ] &&
	cmp -s "${SHELFREADY:-$SR_ROOT/build/shelfready}" "$SR" && "$SR" --version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 30 ] || { fail "no usable shelfready binary"; finish; }
	sleep 1
done
tb_fresh osu-e2e || finish
target="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS root@$TB_HOST:$TB_PORT"
conn="--reconnect-wait 120 $target"
STEP='[2/2 security-updates]'
LOGS=/var/log/shelfready

cat >"$SR_TMP/osu.yaml" <<'YAML'
name: osu-e2e
remediate:
  - id: wait-ready
    type: wait-ready
    with: {timeout: 2m, poll_interval: 1s}
  - id: security-updates
    type: os-update
    with: {scope: security, timeout: 20m, reboot_timeout: 2m}
verify:
  - id: no-security-updates
    type: updates
    title: no security update is pending
    severity: critical
    with: {scope: security}
YAML

# security_count of the target's facts
security_pending() {
	# shellcheck disable=SC2086
	"$SR" facts --no-refresh $target >"$SR_TMP/facts.json" 2>>"$SR_LOG" &&
		python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["updates"]["security_count"])' \
			"$SR_TMP/facts.json"
}
boot_id() { tb_ssh root cat /proc/sys/kernel/random/boot_id; }
# has FILE TEXT WHAT / count FILE TEXT: about a run's output
has() {
	if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3: '$2' is not in the output"; fi
}
count() { grep -cF -- "$2" "$1"; }

before=$(security_pending)
log "pending security updates before: $before"
[ "${before:-0}" -gt 0 ] 2>/dev/null && note "$before pending security updates" ||
	{ fail "the fresh testbed has no pending security updates ($before)"; finish; }

# two of the packages to upgrade marked as installed automatically: they must stay so
tb_ssh root 'apt-mark auto libssl3 libpam0g >/dev/null && apt-mark showauto' >"$SR_TMP/auto.before"

# ---- a dry run changes nothing ----
tb_ssh root 'touch /var/tmp/osu-marker; md5sum /var/lib/dpkg/status' >"$SR_TMP/status.before"
sleep 1
# shellcheck disable=SC2086
run 0 "$SR" run --dry-run --no-refresh -p "$SR_TMP/osu.yaml" $conn
cp "$SR_TMP/out" "$SR_TMP/dry.out"
has "$SR_TMP/dry.out" "$STEP changed" "the dry run says os-update would change the target"
has "$SR_TMP/dry.out" "would upgrade $before packages: " "it counts the pending security updates"
has "$SR_TMP/dry.out" "openssl " "it names openssl with its versions"
tb_ssh root 'find / -xdev -newer /var/tmp/osu-marker ! -path /run 2>/dev/null; md5sum /var/lib/dpkg/status' \
	>"$SR_TMP/after-dry"
check_eq "after the dry run nothing on the VM is newer than the marker, dpkg status unchanged" \
	"$(cat "$SR_TMP/status.before")" "$(cat "$SR_TMP/after-dry")"
tb_ssh root "test ! -e $LOGS" && pass "no job was started" || fail "the dry run started a job"

# ---- a held dpkg lock, then a dropped connection in the middle of the upgrade ----
tb_ssh root 'cat >/root/hold-lock.pl' <<'PERL'
# hold-lock.pl PATH: hold a write lock on PATH as dpkg and apt do (fcntl),
# until /root/lock-release appears (two minutes at most)
use strict;
use Fcntl;
open(my $f, '>>', $ARGV[0]) or die "open $ARGV[0]: $!";
my $l = pack('s s x4 q q i x4', F_WRLCK, 0, 0, 0, 0);
fcntl($f, F_SETLKW, $l) or die "lock: $!";
open(my $o, '>', '/root/lock-held') or die; close($o);
for (1 .. 1200) { last if -e '/root/lock-release'; select(undef, undef, undef, 0.1); }
unlink '/root/lock-held';
PERL
tb_ssh root 'rm -f /root/lock-release; nohup perl /root/hold-lock.pl /var/lib/dpkg/lock-frontend </dev/null >/dev/null 2>&1 &
	i=0; while [ ! -e /root/lock-held ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	test -e /root/lock-held' && pass "a perl process holds the dpkg frontend lock" ||
	fail "cannot hold the dpkg lock"
cat >"$SR_TMP/wait.yaml" <<'YAML'
name: osu-wait
remediate:
  - id: wait-ready
    type: wait-ready
    with: {timeout: 3s, poll_interval: 1s}
YAML
# shellcheck disable=SC2086
run 0 "$SR" run --dry-run --no-refresh -p "$SR_TMP/wait.yaml" $conn
has "$SR_TMP/out" "would wait (up to 3 s) for the dpkg frontend lock (/var/lib/dpkg/lock-frontend) held by pid" \
	"a dry run says what wait-ready would wait for"
# shellcheck disable=SC2086
run 4 "$SR" run --no-refresh -p "$SR_TMP/wait.yaml" $conn
has "$SR_TMP/out" "[1/1 wait-ready] failed (" "wait-ready fails at its timeout"
has "$SR_TMP/out" "s: the dpkg frontend lock (/var/lib/dpkg/lock-frontend) held by pid" "naming the lock"
has "$SR_TMP/out" "(perl /root/hold-lock.pl /var/lib/dpkg/lock-frontend)" "and its holder's command"
t0=$(date +%s)
log "+ $SR run -p osu.yaml (in the background)"
# shellcheck disable=SC2086
"$SR" run -p "$SR_TMP/osu.yaml" $conn >"$SR_TMP/run1.out" 2>"$SR_TMP/run1.err" &
runpid=$!
# the lock stays held for 10 s after wait-ready says it waits for it
i=0
until grep -q 'wait-ready\] waiting for the dpkg frontend lock' "$SR_TMP/run1.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] && kill -0 "$runpid" 2>/dev/null || break
	sleep 0.1
done
sleep 10
tb_ssh root 'touch /root/lock-release'
# wait until dpkg unpacks, then kill the sshd process serving the tool's follower (sh -s)
killed=
while [ -z "$killed" ] && kill -0 "$runpid" 2>/dev/null && [ $(($(date +%s) - t0)) -lt 900 ]; do
	killed=$(tb_ssh root '
		set -- '"$LOGS"'/os-update-*.log
		[ -f "$1" ] && [ ! -e "${1%.log}.status" ] && grep -q "^Unpacking " "$1" || exit 0
		for p in /proc/[0-9]*; do
			[ "$(tr "\000" " " <"$p/cmdline" 2>/dev/null)" = "sh -s " ] || continue
			pp=$(awk "/^PPid:/ { print \$2 }" "$p/status")
			case $(cat "/proc/$pp/comm" 2>/dev/null) in sshd*) kill -9 "$pp" && echo "$pp" ;; esac
		done' 2>/dev/null)
	[ -n "$killed" ] || sleep 0.2
done
if [ -n "$killed" ]; then
	pass "killed sshd $killed while dpkg was unpacking"
else
	fail "never saw the upgrade unpacking while the tool followed it"
fi
wait "$runpid"
st=$?
sed 's/^/  run1: /' "$SR_TMP/run1.out" "$SR_TMP/run1.err"
check_eq "run exits 0 (compliant)" 0 "$st"
out=$SR_TMP/run1.out
has "$out" "[1/2 wait-ready] waiting for the dpkg frontend lock (/var/lib/dpkg/lock-frontend) held by pid" \
	"wait-ready names the lock and its holder"
waited=$(sed -n 's/^\[1\/2 wait-ready\] ok ([0-9.]* s): waited \([0-9.]*\) s for the dpkg frontend lock held by pid [0-9]* (perl)$/\1/p' "$out")
if [ -n "$waited" ] && [ "${waited%.*}" -ge 9 ]; then
	pass "wait-ready reports ok after waiting $waited s for the lock held by perl"
else
	fail "wait-ready did not report waiting for perl's lock ('$waited')"
fi
has "$out" "$STEP the connection dropped" "the drop is reported"
has "$out" "$STEP reconnected: following $LOGS/os-update-" "the tool reattaches to the job's log"
check_eq "the job's last line is shown once" 1 "$(count "$out" "$STEP | ==> finished at")"
has "$out" "$STEP changed (" "os-update reports changed"
has "$out" "upgraded $before packages: " "with the number of upgraded packages"
# what the tool showed is the job's log, line for line: nothing lost or doubled at the drop
job=$(tb_ssh root "ls $LOGS" | sed -n 's/\.log$//p' | head -n 1)
tb_ssh root "cat $LOGS/$job.log" | awk '{ sub(/\r$/, ""); n = split($0, a, "\r"); print a[n] }' \
	>"$SR_TMP/target.log"
sed -n "s/^$(printf '%s' "$STEP" | sed 's/[][\/.]/\\&/g') | //p" "$out" >"$SR_TMP/shown.log"
if cmp -s "$SR_TMP/target.log" "$SR_TMP/shown.log"; then
	pass "the output shows the target's log exactly ($(wc -l <"$SR_TMP/target.log") lines) across the drop"
else
	fail "the output differs from the target's log"
	diff "$SR_TMP/target.log" "$SR_TMP/shown.log" | head -n 20
fi
check_eq "the job's status" "exit=0" "$(tb_ssh root "head -n 1 $LOGS/$job.status")"
check_eq "dpkg --audit finds nothing" "" "$(tb_ssh root 'dpkg --audit 2>&1')"
check_eq "the packages' auto/manual marks are as they were" "$(cat "$SR_TMP/auto.before")" \
	"$(tb_ssh root 'apt-mark showauto')"
check_eq "no security update is pending afterwards" 0 "$(security_pending)"
tb_ssh root "test ! -e $LOGS/$job.sh && test ! -e $LOGS/$job.pid" && pass "the job's script is removed" ||
	fail "the job's script or pid file is left"

# ---- a second run changes nothing ----
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/osu.yaml" $conn
has "$SR_TMP/out" "$STEP ok (" "os-update reports ok"
has "$SR_TMP/out" "no pending security updates" "and says there is nothing to install"
has "$SR_TMP/out" ": 0 changed, 2 ok," "the second run changes nothing"

# ---- a reboot when the target needs one ----
old=$(boot_id)
tb_ssh root 'touch /var/run/reboot-required'
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/osu.yaml" $conn
has "$SR_TMP/out" "$STEP rebooting the target (boot_id $old)" "os-update reboots"
has "$SR_TMP/out" "$STEP the target is back after" "and waits for it to come back"
has "$SR_TMP/out" "rebooted: /var/run/reboot-required exists" "saying why"
new=$(boot_id)
if [ -n "$new" ] && [ "$new" != "$old" ]; then pass "the VM has a new boot_id"; else fail "same boot_id $new"; fi
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/osu.yaml" $conn
has "$SR_TMP/out" ": 0 changed, 2 ok," "after the reboot a run changes nothing"
finish
