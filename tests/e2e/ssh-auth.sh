#!/bin/sh
# Authentication of the SSH transport, through `shelfready facts --raw -v`:
# key files (ed25519, RSA with rsa-sha2 signatures, a passphrase-protected
# key), a key given as PEM text in an environment variable, password and
# keyboard-interactive logins; failures exit 3 with a useful message, secrets
# are only taken from the environment and never appear in any output.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
[ -x "$SR" ] || { fail "$SR is not built (run make)"; finish; }

# The user's own keys, agent and ~/.ssh must play no part.
HOME_DIR=$SR_TMP/home
mkdir -p "$HOME_DIR"
# (bounded, so that a hang fails the test instead of stopping it)
# shellcheck disable=SC2317  # called through run
sr() { timeout -k 5 120 env -u SSH_AUTH_SOCK HOME="$HOME_DIR" "$SR" "$@"; }

# Every output of shelfready is kept here, to look for secrets at the end.
ALL_OUT=$SR_TMP/all-output
: >"$ALL_OUT"
# facts_as USER WHAT: the last run printed a transcript made as USER
facts_as() {
    _u=$(sed -n 's/^user=//p' "$SR_TMP/out" | head -n 1)
    check_eq "$2: the transcript's meta says user=$1" "$1" "$_u"
}


tb_fresh e2e-auth || finish
TB_LOG=${SHELFREADY_TESTBED_DIR:-/var/tmp/shelfready-testbed}/instances/$TB_NAME/sshd.log
T=root@$TB_HOST:$TB_PORT
TB=builder@$TB_HOST:$TB_PORT
COMMON="--known-hosts $TB_KNOWN_HOSTS --no-refresh --raw -v"

# --- key file (ed25519)
# shellcheck disable=SC2086
run 0 sr facts $COMMON -i "$TB_KEY" "$T"
facts_as root "-i with an ed25519 key"
err_has "by publickey ($TB_KEY)" "-v reports the key file"

# --- ssh-agent: first in the order; --no-agent leaves it out
agent_out=$(ssh-agent -s) && eval "$agent_out" >/dev/null
defer 'ssh-agent -k >/dev/null 2>&1'
check -m "the key is in a fresh agent" ssh-add -q "$TB_KEY"
log "+ SSH_AUTH_SOCK=... facts (no -i)"
timeout -k 5 120 env HOME="$HOME_DIR" "$SR" facts $COMMON "$T" >"$SR_TMP/out" 2>"$SR_TMP/err"
check_eq "facts through ssh-agent, no key file given" 0 "$?"
err_has "by publickey (ssh-agent)" "-v reports the agent"
log "+ SSH_AUTH_SOCK=... facts --no-agent (no -i)"
timeout -k 5 120 env HOME="$HOME_DIR" "$SR" facts $COMMON --no-agent "$T" >"$SR_TMP/out" 2>"$SR_TMP/err"
check_eq "--no-agent and no key: authentication fails" 3 "$?"
ssh-agent -k >/dev/null 2>&1
unset SSH_AUTH_SOCK SSH_AGENT_PID

# --- a key that is not authorized
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$SR_TMP/wrong_key"
# shellcheck disable=SC2086
run 3 sr facts $COMMON -i "$SR_TMP/wrong_key" "$T"
err_matches "authentication as 'root' to .* failed" "an unauthorized key: authentication failed"
err_has "key file $SR_TMP/wrong_key" "the message says which key was tried"

# --- the key as PEM text in an environment variable
SR_KEY_PEM=$(cat "$TB_KEY")
export SR_KEY_PEM
# shellcheck disable=SC2086
run 0 sr facts $COMMON --key-env SR_KEY_PEM "$T"
facts_as root "--key-env"
err_has "key from the environment" "-v reports the key from the environment"
# A PEM that is not a key: refused with exit 3, without echoing it
SR_BAD_PEM=$(printf '%s\n' '-----BEGIN OPENSSH PRIVATE KEY-----' 'bm90IGEga2V5IGF0IGFsbCwgZm9yIHRoZSB0ZXN0' \
    '-----END OPENSSH PRIVATE KEY-----')
export SR_BAD_PEM
# shellcheck disable=SC2086
run 3 sr facts $COMMON --key-env SR_BAD_PEM "$T"
err_has "environment" "a broken key from the environment is reported as such"
if grep -qF bm90IGEga2V5 "$SR_TMP/out" "$SR_TMP/err"; then
    fail "the broken key's text was printed"
fi

# --- RSA: OpenSSH 9.2 refuses ssh-rsa (SHA-1) signatures, so this needs rsa-sha2
ssh-keygen -q -t rsa -b 3072 -N '' -C rsa-test -f "$SR_TMP/rsa_key"
tb_ssh root <"$SR_TMP/rsa_key.pub" 'cat >>/root/.ssh/authorized_keys'
check -m "the RSA key is authorized (system ssh client)" \
    ssh_with "$SR_TMP/rsa_key" "$TB_KNOWN_HOSTS" root true
# The same key in PEM form (PKCS#1, as Packer's build.SSHPrivateKey and cloud
# consoles' key pairs are), plain and with a passphrase; and in OpenSSH's
# format with a passphrase.
cp "$SR_TMP/rsa_key" "$SR_TMP/rsa_pem"
ssh-keygen -q -p -m PEM -N '' -f "$SR_TMP/rsa_pem" >/dev/null
SR_RSA_PASS='rsa pass; $phrase'
export SR_RSA_PASS
cp "$SR_TMP/rsa_key" "$SR_TMP/rsa_pem_enc"
ssh-keygen -q -p -m PEM -N "$SR_RSA_PASS" -f "$SR_TMP/rsa_pem_enc" >/dev/null
cp "$SR_TMP/rsa_key" "$SR_TMP/rsa_key_enc"
ssh-keygen -q -p -N "$SR_RSA_PASS" -f "$SR_TMP/rsa_key_enc" >/dev/null
check -m "the PEM copy says RSA PRIVATE KEY" grep -q 'BEGIN RSA PRIVATE KEY' "$SR_TMP/rsa_pem"
check -m "the key itself is in OpenSSH's format" grep -q 'BEGIN OPENSSH PRIVATE KEY' "$SR_TMP/rsa_key"
# libssh2 signs with rsa-sha2 from 1.11 on; Debian 12 ships 1.10, which only
# knows ssh-rsa (SHA-1). There shelfready signs RSA keys with rsa-sha2-512
# itself, except an encrypted one in OpenSSH's format, which it cannot
# decrypt: that one gets a refusal that says how to convert it, and still
# works with a server that accepts ssh-rsa (OpenSSH before 8.8, such as
# CentOS 7's, does by default).
libssh2=$(sr --version | sed -n 's/^libssh2 //p')
log "libssh2 $libssh2"
case $libssh2 in
0.* | 1.[0-9] | 1.[0-9].* | 1.10 | 1.10.*)
    for k in rsa_key rsa_pem; do
        # shellcheck disable=SC2086
        run 0 sr facts $COMMON -i "$SR_TMP/$k" "$T"
        facts_as root "-i with an RSA key ($k), OpenSSH 9.2 with its defaults"
        err_has "by publickey ($SR_TMP/$k, rsa-sha2-512)" "-v says it signed $k with rsa-sha2-512"
        check -m "sshd accepted the RSA key ($k)" \
            sh -c "tail -n 5 '$TB_LOG' | grep -q 'Accepted publickey for root .* RSA SHA256:'"
    done
    SR_RSA_PEM=$(cat "$SR_TMP/rsa_pem")
    export SR_RSA_PEM
    # shellcheck disable=SC2086
    run 0 sr facts $COMMON --key-env SR_RSA_PEM "$T"
    facts_as root "--key-env with a PEM RSA key (Packer's build.SSHPrivateKey)"
    err_has "(key from the environment, rsa-sha2-512)" "-v says rsa-sha2-512 for --key-env"
    # shellcheck disable=SC2086
    run 0 sr facts $COMMON -i "$SR_TMP/rsa_pem_enc" --key-passphrase-env SR_RSA_PASS "$T"
    facts_as root "an encrypted PEM RSA key with --key-passphrase-env"
    # shellcheck disable=SC2086
    run 3 sr facts $COMMON -i "$SR_TMP/rsa_pem_enc" "$T"
    err_has "--key-passphrase-env" "an encrypted PEM RSA key without its passphrase: exit 3, a hint"

    # an RSA key in ssh-agent: the agent is asked for an rsa-sha2-512 signature;
    # the encrypted OpenSSH-format one, decrypted by ssh-add (its passphrase
    # from an askpass program reading the environment)
    agent_out=$(ssh-agent -s) && eval "$agent_out" >/dev/null
    printf '#!/bin/sh\nprintf "%%s\\n" "$SR_RSA_PASS"\n' >"$SR_TMP/askpass"
    chmod 0700 "$SR_TMP/askpass"
    check -m "the encrypted RSA key is in a fresh agent" \
        env SSH_ASKPASS="$SR_TMP/askpass" SSH_ASKPASS_REQUIRE=force ssh-add -q "$SR_TMP/rsa_key_enc"
    log "+ SSH_AUTH_SOCK=... facts (no -i), RSA key in the agent"
    timeout -k 5 120 env HOME="$HOME_DIR" "$SR" facts $COMMON "$T" >"$SR_TMP/out" 2>"$SR_TMP/err"
    check_eq "facts through ssh-agent with an RSA key" 0 "$?"
    err_has "by publickey (ssh-agent, rsa-sha2-512)" "-v says the agent signed with rsa-sha2-512"
    ssh-agent -k >/dev/null 2>&1
    unset SSH_AUTH_SOCK SSH_AGENT_PID

    # shellcheck disable=SC2086
    run 3 sr facts $COMMON -i "$SR_TMP/rsa_key_enc" --key-passphrase-env SR_RSA_PASS "$T"
    err_has "convert the key to PEM with 'ssh-keygen -p -m PEM -f KEY'" \
        "libssh2 $libssh2: an encrypted OpenSSH-format RSA key is refused with the way out"
    grep -q 'signature algorithm ssh-rsa not in PubkeyAcceptedAlgorithms' "$TB_LOG" &&
        pass "sshd refused it for the ssh-rsa signature, not for the key" ||
        fail "sshd did not log an ssh-rsa refusal"
    tb_sshd_config 'PubkeyAcceptedAlgorithms +ssh-rsa'
    # shellcheck disable=SC2086
    run 0 sr facts $COMMON -i "$SR_TMP/rsa_key_enc" --key-passphrase-env SR_RSA_PASS "$T"
    facts_as root "-i with an encrypted OpenSSH-format RSA key, server accepting ssh-rsa"
    # a server that takes ssh-rsa but not rsa-sha2: the library's ssh-rsa after the refusal
    tb_sshd_config 'PubkeyAcceptedAlgorithms ssh-ed25519,ssh-rsa'
    # shellcheck disable=SC2086
    run 0 sr facts $COMMON -i "$SR_TMP/rsa_pem" "$T"
    facts_as root "a PEM RSA key, server taking ssh-rsa only"
    err_has "by publickey ($SR_TMP/rsa_pem) " "-v says ssh-rsa was used (no rsa-sha2-512)"
    tb_sshd_config '# defaults'
    ;;
*)
    for k in rsa_key rsa_pem; do
        # shellcheck disable=SC2086
        run 0 sr facts $COMMON -i "$SR_TMP/$k" "$T"
        facts_as root "-i with an RSA key, $k (rsa-sha2 signatures)"
    done
    ;;
esac
tail -n 3 "$TB_LOG"

# --- a passphrase-protected ed25519 key
# shellcheck disable=SC2016  # a literal '$' in the secret
SR_KEY_PASS='correct horse; battery $staple'
export SR_KEY_PASS
ssh-keygen -q -t ed25519 -N "$SR_KEY_PASS" -C pass-test -f "$SR_TMP/pass_key"
tb_ssh root <"$SR_TMP/pass_key.pub" 'cat >>/root/.ssh/authorized_keys'
# shellcheck disable=SC2086
run 0 sr facts $COMMON -i "$SR_TMP/pass_key" --key-passphrase-env SR_KEY_PASS "$T"
facts_as root "a passphrase-protected key with --key-passphrase-env"
# shellcheck disable=SC2086
run 3 sr facts $COMMON -i "$SR_TMP/pass_key" "$T"
err_has "--key-passphrase-env" "without the passphrase: exit 3 and a hint at --key-passphrase-env"
SR_PASS_PEM=$(cat "$SR_TMP/pass_key")
export SR_PASS_PEM
# shellcheck disable=SC2086
run 0 sr facts $COMMON --key-env SR_PASS_PEM --key-passphrase-env SR_KEY_PASS "$T"
facts_as root "a passphrase-protected key with --key-env and --key-passphrase-env"
SR_WRONG_PASS='not the passphrase'
export SR_WRONG_PASS
# shellcheck disable=SC2086
run 3 sr facts $COMMON -i "$SR_TMP/pass_key" --key-passphrase-env SR_WRONG_PASS "$T"
err_has "pass_key" "a wrong passphrase names the key file"

# --- secrets only from the environment
# shellcheck disable=SC2086
run 2 sr facts $COMMON --password-env SR_UNSET_VARIABLE_FOR_TEST "$TB"
err_has "SR_UNSET_VARIABLE_FOR_TEST" "--password-env with an unset variable names the variable"
err_has "not set" "--password-env with an unset variable says it is not set"
# shellcheck disable=SC2086
run 2 sr facts $COMMON --sudo-password-env SR_UNSET_VARIABLE_FOR_TEST "$TB"
# shellcheck disable=SC2086
run 2 sr facts $COMMON --key-env SR_UNSET_VARIABLE_FOR_TEST "$TB"
# there is no option that takes a secret itself
# shellcheck disable=SC2086
run 2 sr facts $COMMON --password hunter2 "$TB"
# shellcheck disable=SC2086
run 2 sr facts $COMMON --passphrase hunter2 "$TB"

# --- password authentication (builder's password, server configured for it)
# shellcheck disable=SC2016,SC2089,SC2090  # literal quotes and '$' in the secret
SR_PASSWORD='Pw for builder: "x" & $y, 9'
# shellcheck disable=SC2090
export SR_PASSWORD
printf 'builder:%s\n' "$SR_PASSWORD" | tb_ssh root chpasswd || fail "chpasswd for builder failed"
check -m "sshd allows passwords" tb_sshd_config 'PasswordAuthentication yes
KbdInteractiveAuthentication no'
# shellcheck disable=SC2086
run 0 sr facts $COMMON --password-env SR_PASSWORD "$TB"
facts_as builder "--password-env"
err_has "builder by password " "-v reports password authentication"
SR_WRONG_PASSWORD='not the password'
export SR_WRONG_PASSWORD
# shellcheck disable=SC2086
run 3 sr facts $COMMON --password-env SR_WRONG_PASSWORD "$TB"
err_matches "authentication as 'builder' to .* failed" "a wrong password: authentication failed"

# --- keyboard-interactive, on a server that offers no "password" method
check -m "sshd allows keyboard-interactive only" tb_sshd_config 'PasswordAuthentication no
KbdInteractiveAuthentication yes'
# shellcheck disable=SC2086
run 0 sr facts $COMMON --password-env SR_PASSWORD "$TB"
facts_as builder "--password-env through keyboard-interactive"
err_has "builder by keyboard-interactive " "-v reports keyboard-interactive"
# shellcheck disable=SC2086
run 3 sr facts $COMMON --password-env SR_WRONG_PASSWORD "$TB"
err_matches "authentication as 'builder' to .* failed" "a wrong password over keyboard-interactive: authentication failed"

# --- no secret in any output
PEM_LINE=$(sed -n 3p "$TB_KEY")
PASS_PEM_LINE=$(sed -n 3p "$SR_TMP/pass_key")
RSA_PEM_LINE=$(sed -n 3p "$SR_TMP/rsa_pem")
[ -n "$PEM_LINE" ] && [ -n "$RSA_PEM_LINE" ] || fail "cannot read a line of the keys"
for secret in "$SR_PASSWORD" "$SR_KEY_PASS" "$SR_WRONG_PASSWORD" "$SR_WRONG_PASS" "$PEM_LINE" \
    "$PASS_PEM_LINE" "$SR_RSA_PASS" "$RSA_PEM_LINE"; do
    if grep -qF -- "$secret" "$ALL_OUT"; then
        fail "a secret appears in shelfready's output: '$secret'"
    else
        pass "not in any output: a secret of ${#secret} characters"
    fi
done
# the canary: this check can fail
if grep -qF -- "$TB_HOST" "$ALL_OUT"; then :; else fail "the output collection is empty"; fi

finish
