#!/bin/sh
# shelfready facts against the testbed: a real Debian 12 with real pending
# security updates, as JSON; with and without the metadata refresh.
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
tb_fresh e2e-facts || finish
conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS root@$TB_HOST:$TB_PORT"

# json FILE EXPR: evaluate a python expression over the parsed JSON as d
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# shellcheck disable=SC2086
check -m "facts --no-refresh" "$SR" facts --no-refresh $conn -o "$SR_TMP/facts.json" -v
check_eq "schema" "shelfready.facts/1" "$(json "$SR_TMP/facts.json" 'd["schema"]')"
check_eq "os id" debian "$(json "$SR_TMP/facts.json" 'd["os"]["id"]')"
check_eq "os version" 12 "$(json "$SR_TMP/facts.json" 'd["os"]["version_id"]')"
check_eq "os family" debian "$(json "$SR_TMP/facts.json" 'd["os"]["family"]')"
check_eq "package manager" apt "$(json "$SR_TMP/facts.json" 'd["packages"]["manager"]')"
nsec=$(json "$SR_TMP/facts.json" 'len([u for u in d["updates"]["list"] if u["security"]])')
note "$nsec pending security updates"
[ "$nsec" -gt 0 ] && pass "security updates pending" || fail "no pending security updates found"
for p in openssl libssl3; do
	check_eq "$p has a pending security update" True \
		"$(json "$SR_TMP/facts.json" "any(u['name'] == '$p' and u['security'] for u in d['updates']['list'])")"
done
# what the target really has pending, asked with apt itself
real=$(tb_ssh root "apt list --upgradable 2>/dev/null | grep -c -- -security")
check_eq "the same count as apt list --upgradable" "$real" "$nsec"
check_eq "the test shell is not among the target's processes" False \
	"$(json "$SR_TMP/facts.json" "any(p.get('pid') == $$ for p in d['processes']['list'])")"
check_eq "root's password state is known, the hash is not there" True \
	"$(json "$SR_TMP/facts.json" "any(a['name'] == 'root' and a['password'] in ('locked', 'set', 'empty') for a in d['accounts']['list'])")"
if grep -q '\$[0-9a-z]\$' "$SR_TMP/facts.json"; then fail "something like a password hash in the facts"; else pass "no password hash in the facts"; fi
if grep -q 'PRIVATE KEY' "$SR_TMP/facts.json"; then fail "key material in the facts"; else pass "no key material"; fi

# The default refreshes the package lists first, in the same round trip.
# shellcheck disable=SC2086
check -m "facts with refresh" "$SR" facts $conn -o "$SR_TMP/refreshed.json"
check_eq "refresh ran" 0 "$(json "$SR_TMP/refreshed.json" 'd["refresh"]["src"]["status"]')"
age=$(json "$SR_TMP/refreshed.json" 'd["lists"]["age"]')
log "lists age after refresh: $age s"
[ "$age" -lt 600 ] && pass "lists are fresh after a refresh" || fail "lists are $age s old after a refresh"
finish
