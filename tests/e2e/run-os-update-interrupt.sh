#!/bin/sh
# Ctrl-C during os-update, on a fresh testbed, connected as the build user
# with --sudo: the tool stops following at once (exit 130) and says which job
# keeps running on the target and where its log is; the job itself is not
# stopped: it finishes the upgrade, writes its status, and dpkg is
# consistent. A run afterwards finds nothing left to install.
. "$(dirname "$0")/lib.sh"
require_root
# a private copy: a rebuild of the tree meanwhile must not swap the binary under the test
SR=$SR_TMP/shelfready
i=0
until cp "${SHELFREADY:-$SR_ROOT/build/shelfready}" "$SR" 2>/dev/null && [ -x "$SR" ] &&
	cmp -s "${SHELFREADY:-$SR_ROOT/build/shelfready}" "$SR" && "$SR" --version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 30 ] || { fail "no usable shelfready binary"; finish; }
	sleep 1
done
tb_fresh osu-int || finish
conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --sudo $TB_SUDO_USER@$TB_HOST:$TB_PORT"
LOGS=/var/log/shelfready

cat >"$SR_TMP/osu.yaml" <<'YAML'
name: osu-interrupt
remediate:
  - id: security-updates
    type: os-update
    with: {timeout: 20m}
verify:
  - id: no-security-updates
    type: updates
    title: no security update is pending
    severity: critical
YAML

log "+ $SR run --sudo (in the background)"
# shellcheck disable=SC2086
"$SR" run -p "$SR_TMP/osu.yaml" $conn >"$SR_TMP/run.out" 2>"$SR_TMP/run.err" &
runpid=$!
# Ctrl-C (SIGINT) as soon as the job's log shows dpkg at work
t0=$(date +%s)
sent=
while [ -z "$sent" ] && kill -0 "$runpid" 2>/dev/null && [ $(($(date +%s) - t0)) -lt 900 ]; do
	if grep -q '| Unpacking ' "$SR_TMP/run.out" 2>/dev/null; then
		kill -INT "$runpid" && sent=1
	else
		sleep 0.1
	fi
done
wait "$runpid"
st=$?
sed 's/^/  run: /' "$SR_TMP/run.out" "$SR_TMP/run.err"
[ -n "$sent" ] && pass "Ctrl-C sent while dpkg unpacked" || fail "never saw dpkg unpacking"
check_eq "run exits 130 on Ctrl-C" 130 "$st"
job=$(sed -n 's/.*still running on the target: the upgrade job \(os-update-[a-z0-9]*\), detached.*/\1/p' \
	"$SR_TMP/run.err")
if [ -n "$job" ]; then
	pass "the tool says job $job keeps running on the target"
else
	fail "no word of the job left running on stderr"
fi
grep -qF "tail -f $LOGS/$job.log" "$SR_TMP/run.err" && pass "and how to follow its log" ||
	fail "no log path on stderr"

# the job goes on without the tool and finishes
i=0
until tb_ssh root "test -e $LOGS/$job.status" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || break
	sleep 1
done
check_eq "the job finished on its own, with success" "exit=0" \
	"$(tb_ssh root "head -n 1 $LOGS/$job.status" 2>/dev/null)"
tb_ssh root "grep -q '^==> finished at' $LOGS/$job.log" && pass "its log runs to the end" ||
	fail "its log stops early"
check_eq "dpkg --audit finds nothing" "" "$(tb_ssh root 'dpkg --audit 2>&1')"

# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/osu.yaml" $conn
grep -qF '[1/1 security-updates] ok (' "$SR_TMP/out" && grep -qF 'no pending security updates' "$SR_TMP/out" &&
	pass "the next run finds nothing left to install" || fail "the next run did not report ok"
finish
