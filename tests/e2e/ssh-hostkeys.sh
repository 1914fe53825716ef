#!/bin/sh
# Host key verification of the SSH transport, through `shelfready facts --raw`:
# strict by default (an unknown key is refused with its fingerprint and how to
# accept it), accept-new records a new key and refuses a changed one, the
# REMOTE HOST IDENTIFICATION HAS CHANGED warning, pinned SHA256 fingerprints,
# `--host-key off` with a loud warning, and hashed known_hosts files.
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

# facts_ok: the last run printed a complete transcript
facts_ok() {
    if head -n 1 "$SR_TMP/out" | grep -q '^@@SRG [A-Za-z0-9]* gather 1$'; then
        pass "$1: a transcript was printed"
    else
        fail "$1: no transcript on stdout"
    fi
}
fp_of() { ssh-keygen -lf "$1" | awk '{print $2}'; }

# B: another instance, whose host keys stand in for a replaced (or forged) key.
tb_fresh e2e-hostkeys-b || finish
# shellcheck disable=SC2153  # TB_* come from tb_fresh
B_PORT=$TB_PORT B_KNOWN_HOSTS=$TB_KNOWN_HOSTS B_ROOTFS=$TB_ROOTFS
# A: the instance under test.
tb_fresh e2e-hostkeys || finish
T=root@$TB_HOST:$TB_PORT
HP="[$TB_HOST]:$TB_PORT"
KEYS="-i $TB_KEY --no-refresh --raw"

# The lines a correct known_hosts entry for A may have, one per host key.
: >"$SR_TMP/a.lines"
: >"$SR_TMP/a.fps"
for pub in "$TB_ROOTFS"/etc/ssh/ssh_host_*_key.pub; do
    printf '%s %s\n' "$HP" "$(cut -d' ' -f1,2 "$pub")" >>"$SR_TMP/a.lines"
    fp_of "$pub" >>"$SR_TMP/a.fps"
done
cat "$SR_TMP/a.fps"
ED_FP=$(fp_of "$TB_ROOTFS/etc/ssh/ssh_host_ed25519_key.pub")
B_ED_FP=$(fp_of "$B_ROOTFS/etc/ssh/ssh_host_ed25519_key.pub")
if [ -z "$ED_FP" ] || [ -z "$B_ED_FP" ] || [ "$ED_FP" = "$B_ED_FP" ]; then
    fail "cannot read the instances' ed25519 fingerprints (or they are equal)"
fi

# --- strict (the default) with an empty known_hosts: refused, with the fingerprint
: >"$SR_TMP/kh.empty"
# shellcheck disable=SC2086
run 3 sr facts $KEYS --known-hosts "$SR_TMP/kh.empty" "$T"
err_has "unknown host key for $HP" "an unknown host key is refused under the default policy"
OFFERED=$(grep -o 'SHA256:[A-Za-z0-9+/]*' "$SR_TMP/err" | head -n 1)
if [ -n "$OFFERED" ] && grep -qxF -- "$OFFERED" "$SR_TMP/a.fps"; then
    pass "the message names the offered fingerprint ($OFFERED, one of the instance's host keys)"
else
    fail "the message names no fingerprint of the instance's host keys (found '$OFFERED')"
fi
err_has "--host-key accept-new" "the message says how to accept the key (accept-new)"
err_has "--host-key fingerprint:$OFFERED" "the message says how to pin the key"
check_eq "the empty known_hosts is left empty" 0 "$(wc -c <"$SR_TMP/kh.empty")"
if [ -s "$SR_TMP/out" ]; then fail "something was printed on stdout after the refusal"; fi

# --- accept-new: records the key in a new file, in [host]:port form
KH=$SR_TMP/new/known_hosts
mkdir -p "$SR_TMP/new"
# shellcheck disable=SC2086
run 0 sr facts $KEYS --host-key accept-new --known-hosts "$KH" "$T"
facts_ok "accept-new"
err_has "recorded" "accept-new says it recorded the key"
cat "$KH"
check_eq "accept-new wrote one line" 1 "$(wc -l <"$KH" 2>/dev/null)"
if [ -s "$KH" ] && grep -qxF -f "$KH" "$SR_TMP/a.lines"; then
    pass "the recorded line is '$HP <type> <key>' for one of the instance's host keys"
else
    fail "the recorded line is not a '$HP <type> <key>' line of the instance's keys: $(cat "$KH" 2>/dev/null)"
fi
check_eq "the new known_hosts is private (mode)" 600 "$(stat -c %a "$KH" 2>/dev/null)"
# shellcheck disable=SC2086
run 0 sr facts $KEYS --known-hosts "$KH" "$T"
facts_ok "strict with the recorded key"
# shellcheck disable=SC2086
run 0 sr facts $KEYS --host-key accept-new --known-hosts "$KH" "$T"
check_eq "accept-new adds nothing for a known key" 1 "$(wc -l <"$KH")"

# accept-new without --known-hosts: ~/.ssh/known_hosts, created private
# shellcheck disable=SC2086
run 0 sr facts $KEYS --host-key accept-new "$T"
if grep -qxF -f "$HOME_DIR/.ssh/known_hosts" "$SR_TMP/a.lines" 2>/dev/null; then
    pass "accept-new records into known_hosts in HOME/.ssh by default"
else
    fail "accept-new did not record the key into known_hosts in HOME/.ssh"
fi
check_eq "the .ssh directory in HOME is created with mode 700" 700 "$(stat -c %a "$HOME_DIR/.ssh" 2>/dev/null)"
# shellcheck disable=SC2086
run 0 sr facts $KEYS "$T"
facts_ok "strict with the default known_hosts in HOME/.ssh"
rm -rf "$HOME_DIR/.ssh"

# --- a changed key: known_hosts holds B's keys for A's host:port
sed "s/^\[$TB_HOST\]:$B_PORT /[$TB_HOST]:$TB_PORT /" "$B_KNOWN_HOSTS" >"$SR_TMP/kh.changed"
check_eq "B's known_hosts lines rewritten for A's port" "$(wc -l <"$B_KNOWN_HOSTS")" \
    "$(grep -c "^\[$TB_HOST\]:$TB_PORT " "$SR_TMP/kh.changed")"
cp "$SR_TMP/kh.changed" "$SR_TMP/kh.changed.orig"
# shellcheck disable=SC2086
run 3 sr facts $KEYS --known-hosts "$SR_TMP/kh.changed" "$T"
err_has "REMOTE HOST IDENTIFICATION HAS CHANGED" "a changed host key gives the MITM warning"
err_has "$HP" "the warning names the host"
if [ -s "$SR_TMP/out" ]; then fail "something was printed on stdout after a changed key"; fi
# shellcheck disable=SC2086
run 3 sr facts $KEYS --host-key accept-new --known-hosts "$SR_TMP/kh.changed" "$T"
err_has "REMOTE HOST IDENTIFICATION HAS CHANGED" "accept-new refuses a changed key too"
if cmp -s "$SR_TMP/kh.changed" "$SR_TMP/kh.changed.orig"; then
    pass "accept-new leaves known_hosts alone on a changed key"
else
    fail "accept-new modified known_hosts on a changed key"
fi

# --- pinned fingerprints, no known_hosts at all
NOKH=$SR_TMP/none/known_hosts
# shellcheck disable=SC2086
run 0 sr facts $KEYS --host-key "fingerprint:$OFFERED" --known-hosts "$NOKH" "$T"
facts_ok "pinned to the fingerprint from the message"
# What `ssh` shows and prefers is the ed25519 key: pinning it must work too.
# shellcheck disable=SC2086
run 0 sr facts $KEYS --host-key "fingerprint:$ED_FP" --known-hosts "$NOKH" "$T"
facts_ok "pinned to the fingerprint of the host's ed25519 key ($ED_FP, from ssh-keygen -lf)"
# A wrong pin (another instance's key)
# shellcheck disable=SC2086
run 3 sr facts $KEYS --host-key "fingerprint:$B_ED_FP" --known-hosts "$NOKH" "$T"
err_has "not the pinned $B_ED_FP" "a wrong pin is refused, naming the pinned fingerprint"
# shellcheck disable=SC2086
run 3 sr facts $KEYS --host-key "fingerprint:SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
    --known-hosts "$NOKH" "$T"
if [ -e "$NOKH" ]; then fail "pinning created $NOKH"; else pass "pinning writes no known_hosts"; fi
# shellcheck disable=SC2086
run 2 sr facts $KEYS --host-key "fingerprint:MD5:00:11" "$T"

# --- off: works, with a loud warning, and records nothing
# shellcheck disable=SC2086
run 0 sr facts $KEYS --host-key off --known-hosts "$SR_TMP/kh.changed" "$T"
facts_ok "--host-key off"
err_has "WARNING" "--host-key off prints a WARNING"
err_has "host key checking is off" "the warning says host key checking is off"
if cmp -s "$SR_TMP/kh.changed" "$SR_TMP/kh.changed.orig"; then
    pass "--host-key off does not touch known_hosts"
else
    fail "--host-key off modified known_hosts"
fi

# --- hashed known_hosts
cp "$TB_KNOWN_HOSTS" "$SR_TMP/kh.hashed"
ssh-keygen -q -H -f "$SR_TMP/kh.hashed" && rm -f "$SR_TMP/kh.hashed.old"
cat "$SR_TMP/kh.hashed"
if grep -q '^|1|' "$SR_TMP/kh.hashed" && ! grep -qF "$TB_HOST" "$SR_TMP/kh.hashed"; then
    pass "ssh-keygen -H hashed every entry"
else
    fail "ssh-keygen -H did not hash the entries"
fi
# shellcheck disable=SC2086
run 0 sr facts $KEYS --known-hosts "$SR_TMP/kh.hashed" "$T"
facts_ok "strict with a hashed known_hosts (all host keys)"
# Only the ed25519 key, as the OpenSSH client records it (plain, then hashed).
grep ' ssh-ed25519 ' "$TB_KNOWN_HOSTS" >"$SR_TMP/kh.ed25519"
# shellcheck disable=SC2086
run 0 sr facts $KEYS --known-hosts "$SR_TMP/kh.ed25519" "$T"
facts_ok "strict with a known_hosts holding only the ed25519 key"
ssh-keygen -q -H -f "$SR_TMP/kh.ed25519" && rm -f "$SR_TMP/kh.ed25519.old"
# shellcheck disable=SC2086
run 0 sr facts $KEYS --known-hosts "$SR_TMP/kh.ed25519" "$T"
facts_ok "strict with a hashed known_hosts holding only the ed25519 key"
# A hashed entry with another key is a changed key, not an unknown one.
sed "s/^\[$TB_HOST\]:$B_PORT /[$TB_HOST]:$TB_PORT /" "$B_KNOWN_HOSTS" >"$SR_TMP/kh.changed.hashed"
ssh-keygen -q -H -f "$SR_TMP/kh.changed.hashed" && rm -f "$SR_TMP/kh.changed.hashed.old"
# shellcheck disable=SC2086
run 3 sr facts $KEYS --known-hosts "$SR_TMP/kh.changed.hashed" "$T"
err_has "REMOTE HOST IDENTIFICATION HAS CHANGED" "a changed key under a hashed entry gives the MITM warning"

finish
