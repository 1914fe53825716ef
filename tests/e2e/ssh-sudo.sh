#!/bin/sh
# --sudo: commands run as root through sudo, with passwordless sudo (builder)
# and with a sudo password from the environment (pwuser); a wrong or missing
# sudo password is a clear exit 3; the password never shows in any output nor
# in the target's process list.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
[ -x "$SR" ] || { fail "$SR is not built (run make)"; finish; }
case ${SR_BUILD:-build} in
    /*) PROBE=$SR_BUILD/tests/sshprobe ;;
    *) PROBE=$SR_ROOT/${SR_BUILD:-build}/tests/sshprobe ;;
esac
[ -x "$PROBE" ] || { fail "$PROBE is not built (make build/tests/sshprobe)"; finish; }

# The user's own keys, agent and ~/.ssh must play no part.
HOME_DIR=$SR_TMP/home
mkdir -p "$HOME_DIR"
# (bounded, so that a hang fails the test instead of stopping it)
# shellcheck disable=SC2317  # called through run
sr() { timeout -k 5 120 env -u SSH_AUTH_SOCK HOME="$HOME_DIR" "$SR" "$@"; }

ALL_OUT=$SR_TMP/all-output
: >"$ALL_OUT"
# meta KEY: KEY=value from the meta section of the transcript in $SR_TMP/out
meta() {
    _n=$(sed -n '1s/^@@SRG \([A-Za-z0-9]*\) gather 1$/\1/p' "$SR_TMP/out")
    [ -n "$_n" ] || return 0
    sed -n "/^@@SRG $_n begin meta\$/,/^@@SRG $_n end meta /s/^$1=//p" "$SR_TMP/out" | head -n 1
}

tb_fresh e2e-sudo || finish
OPTS="-i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh --raw"

# --- builder, passwordless sudo
# shellcheck disable=SC2086
run 0 sr facts $OPTS "builder@$TB_HOST:$TB_PORT"
check_eq "builder without --sudo: uid=1000" 1000 "$(meta uid)"
# shellcheck disable=SC2086
run 0 sr facts $OPTS --sudo "builder@$TB_HOST:$TB_PORT"
check_eq "builder with --sudo: the meta section says uid=0" 0 "$(meta uid)"
check_eq "builder with --sudo: user=root" root "$(meta user)"

# --- pwuser: sudo wants a password
# shellcheck disable=SC2016,SC2089  # literal quotes and '$' in the secret
SR_SUDO_PW='s3cret sudo; pw $(x) "q"'
# shellcheck disable=SC2090
export SR_SUDO_PW
tb_ssh root 'set -e
    useradd -m -s /bin/sh pwuser
    install -d -m 0700 -o pwuser -g pwuser /home/pwuser/.ssh
    install -m 0600 -o pwuser -g pwuser /root/.ssh/authorized_keys /home/pwuser/.ssh/authorized_keys
    echo "pwuser ALL=(ALL) ALL" >/etc/sudoers.d/pwuser
    chmod 0440 /etc/sudoers.d/pwuser
    visudo -c -q' || fail "cannot create pwuser"
printf 'pwuser:%s\n' "$SR_SUDO_PW" | tb_ssh root chpasswd || fail "chpasswd for pwuser failed"
out=$(tb_ssh pwuser 'sudo -n true 2>&1; echo "status $?"')
case $out in
    *"password is required"*"status 1") pass "pwuser's sudo needs a password" ;;
    *) fail "pwuser's sudo does not ask for a password: $out" ;;
esac
PT=pwuser@$TB_HOST:$TB_PORT

# shellcheck disable=SC2086
run 0 sr facts $OPTS --sudo-password-env SR_SUDO_PW "$PT"
check_eq "pwuser with --sudo-password-env: uid=0" 0 "$(meta uid)"
if tail -n 1 "$SR_TMP/out" | grep -q '^@@SRG [A-Za-z0-9]* done$'; then
    pass "the whole script ran through sudo (the transcript is complete)"
else
    fail "the transcript through sudo is incomplete"
fi
# shellcheck disable=SC2086
run 0 sr facts $OPTS --sudo --sudo-password-env SR_SUDO_PW "$PT"
check_eq "--sudo with --sudo-password-env: uid=0" 0 "$(meta uid)"

# a wrong password
SR_WRONG_PW='not the sudo password'
export SR_WRONG_PW
# shellcheck disable=SC2086
run 3 sr facts $OPTS --sudo-password-env SR_WRONG_PW "$PT"
err_has "refused the password" "a wrong sudo password: the message says sudo refused the password"
if [ -s "$SR_TMP/out" ]; then fail "a transcript was printed with a wrong sudo password"; fi
# One wrong password is one failed attempt: sudo must not go on reading the
# command's input as further password attempts (3 failures can lock accounts).
err_lacks "3 incorrect password attempts" "a wrong sudo password counts as one failed attempt"

# no password at all
# shellcheck disable=SC2086
run 3 sr facts $OPTS --sudo "$PT"
err_has "--sudo-password-env" "--sudo without a password: the message points at --sudo-password-env"
if [ -s "$SR_TMP/out" ]; then fail "a transcript was printed without the sudo password"; fi

# --- the password is not visible on the target while a command runs
# shellcheck disable=SC2016  # expanded on the target
timeout -k 5 120 "$PROBE" -i "$TB_KEY" -k "$TB_KNOWN_HOSTS" -P SR_SUDO_PW "$PT" \
    exec 'echo "uid=$(id -u)"; sleep 6; echo slept' >"$SR_TMP/long.out" 2>"$SR_TMP/long.err" &
LONG_PID=$!
i=0
while [ $i -lt 50 ]; do
    tb_ssh root 'ps -eo args' >"$SR_TMP/ps" 2>&1
    grep -q '^sleep 6' "$SR_TMP/ps" && break
    sleep 0.1
    i=$((i + 1))
done
# shellcheck disable=SC2016
tb_ssh root 'for e in /proc/[0-9]*/environ; do tr "\0" "\n" <"$e"; done 2>/dev/null' >"$SR_TMP/environ"
wait "$LONG_PID"
lst=$?
cat "$SR_TMP/ps" "$SR_TMP/long.out" "$SR_TMP/long.err"
cat "$SR_TMP/long.out" "$SR_TMP/long.err" >>"$ALL_OUT"
check_eq "the long command through sudo with a password ran" "0 uid=0 slept status 0" \
    "$lst $(tr '\n' ' ' <"$SR_TMP/long.out" | sed 's/ $//')"
if grep -q '^sleep 6' "$SR_TMP/ps"; then
    pass "the process list was taken while the command ran"
    if grep -q 'sudo' "$SR_TMP/ps"; then pass "sudo is in the process list"; else fail "no sudo in the process list"; fi
else
    fail "the command was never seen in the process list"
fi
if grep -qF -- "$SR_SUDO_PW" "$SR_TMP/ps"; then
    fail "the sudo password is in the target's process list"
else
    pass "the sudo password is not in the target's process list"
fi
if [ -s "$SR_TMP/environ" ] && ! grep -qF -- "$SR_SUDO_PW" "$SR_TMP/environ"; then
    pass "the sudo password is in no process environment on the target"
else
    fail "the sudo password is in a process environment on the target (or none could be read)"
fi

# --- never in any output
for secret in "$SR_SUDO_PW" "$SR_WRONG_PW"; do
    if grep -qF -- "$secret" "$ALL_OUT"; then
        fail "a sudo password appears in the output: '$secret'"
    else
        pass "not in any output: a sudo password of ${#secret} characters"
    fi
done

finish
