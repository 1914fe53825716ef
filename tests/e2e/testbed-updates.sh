#!/bin/sh
# The testbed has real pending updates, some of them from the Debian security
# suite, as seen by apt inside the instance.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
tb_fresh e2e-updates || finish

# Lines like: openssl/oldstable-security 3.0.17-1~deb12u3 amd64 [upgradable from: ...]
if tb_ssh root 'apt list --upgradable' >"$SR_TMP/upgradable" 2>"$SR_TMP/upgradable.err"; then
    pass "apt list --upgradable runs in the instance"
else
    fail "apt list --upgradable failed: $(tr '\n' ' ' <"$SR_TMP/upgradable.err")"
fi
cat "$SR_TMP/upgradable"
total=$(grep -c 'upgradable from:' "$SR_TMP/upgradable")
security=$(grep 'upgradable from:' "$SR_TMP/upgradable" | grep -c '^[^/ ]*/[^ ]*-security ')
if [ "$total" -gt 0 ]; then
    pass "$total updates are pending"
else
    fail "no pending updates in apt list --upgradable"
fi
if [ "$security" -gt 0 ]; then
    pass "$security of them come from the security suite"
else
    fail "no pending update comes from a -security suite"
fi

# apt-get's own simulation agrees, and names the security origin.
tb_ssh root 'apt-get -s upgrade' >"$SR_TMP/simulate" 2>&1
cat "$SR_TMP/simulate"
inst=$(grep -c '^Inst ' "$SR_TMP/simulate")
inst_security=$(grep '^Inst ' "$SR_TMP/simulate" | grep -c 'Debian-Security:')
if [ "$inst" -gt 0 ] && [ "$inst_security" -gt 0 ]; then
    pass "apt-get -s upgrade would install $inst packages, $inst_security from Debian-Security"
else
    fail "apt-get -s upgrade: $inst packages to install, $inst_security from Debian-Security"
fi

note "$total pending updates, $security from the security suite"
finish
