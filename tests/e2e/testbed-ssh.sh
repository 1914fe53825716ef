#!/bin/sh
# The testbed is a real OpenSSH server reached with the system ssh client: root
# and builder log in with the testbed key, builder has passwordless sudo, any
# other key is refused, password authentication is not offered, and the host key
# is checked strictly.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
tb_fresh e2e-ssh || finish

out=$(tb_ssh root id -u)
check_eq "root logs in with the testbed key (id -u)" 0 "$out"

out=$(tb_ssh builder id -un)
check_eq "builder logs in with the testbed key (id -un)" builder "$out"
out=$(tb_ssh builder id -u)
check_eq "builder is not root by itself (id -u)" 1000 "$out"
out=$(tb_ssh builder sudo -n id -u)
check_eq "builder has passwordless sudo (sudo -n id -u)" 0 "$out"

# Another key is refused, and the server offers no method but publickey.
ssh-keygen -q -t ed25519 -N '' -f "$SR_TMP/wrong_key"
if ssh_with "$SR_TMP/wrong_key" "$TB_KNOWN_HOSTS" root true 2>"$SR_TMP/wrong_key.err"; then
    fail "a key that is not authorized was accepted"
elif grep -q 'Permission denied (publickey)\.' "$SR_TMP/wrong_key.err"; then
    pass "an unauthorized key is refused, and only publickey is offered"
else
    fail "an unauthorized key failed in an unexpected way: $(tr '\n' ' ' <"$SR_TMP/wrong_key.err")"
fi
cat "$SR_TMP/wrong_key.err"

# A known_hosts entry with another key for [host]:port: verification must fail.
ssh-keygen -q -t ed25519 -N '' -f "$SR_TMP/other_host_key"
printf '[%s]:%s %s\n' "$TB_HOST" "$TB_PORT" "$(cut -d' ' -f1,2 "$SR_TMP/other_host_key.pub")" \
    >"$SR_TMP/known_hosts.other"
if ssh_with "$TB_KEY" "$SR_TMP/known_hosts.other" root true 2>"$SR_TMP/other.err"; then
    fail "a server whose host key differs from known_hosts was accepted"
elif grep -q 'Host key verification failed' "$SR_TMP/other.err"; then
    pass "a host key that differs from known_hosts is refused"
else
    fail "the wrong host key failed in an unexpected way: $(tr '\n' ' ' <"$SR_TMP/other.err")"
fi
cat "$SR_TMP/other.err"

# An empty known_hosts: strict checking must not accept an unknown host.
: >"$SR_TMP/known_hosts.empty"
if ssh_with "$TB_KEY" "$SR_TMP/known_hosts.empty" root true 2>"$SR_TMP/empty.err"; then
    fail "an unknown host key was accepted"
elif grep -q 'Host key verification failed' "$SR_TMP/empty.err"; then
    pass "an unknown host key is refused"
else
    fail "the unknown host key failed in an unexpected way: $(tr '\n' ' ' <"$SR_TMP/empty.err")"
fi

finish
