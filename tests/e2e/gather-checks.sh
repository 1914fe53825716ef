#!/bin/sh
# gather-checks: the commands of `command` checks, prepended to the gather
# script as the function sr_checks (docs/gather-format.md), run under dash,
# busybox sh (its awk too) and bash with hostile command text (quotes, $(),
# backticks, newlines, an injection attempt), on this machine, not over SSH.
# Each prints its section check-KEY with the command's stdout and exit status,
# just before the done marker. The C side of the quoting (lib/collect.c) is
# tested in tests/unit/test_check_command.c.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NONCE=GatherChecks01
GATHER=$SR_ROOT/scripts/gather.sh

# q TEXT: TEXT quoted for sh as lib/collect.c quotes it (shell_quote)
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

NL='
'
PREFIX=$SR_TMP/prefix.sh
# shellcheck disable=SC2016  # run by the target's shell, not here
{
    echo 'sr_checks() {'
    echo "sr_check quotes $(q "echo \"it's\" 'single' \"a\\\"b\"")"
    echo "sr_check subst $(q 'echo $(echo sub) `echo back` ${NOSUCHVAR-unset} $((6*7))')"
    echo "sr_check newlines $(q "printf 'a\\nb'${NL}echo${NL}exit 3")"
    echo "sr_check inject $(q "'; echo injected; '")"
    echo "sr_check stdin $(q 'cat; echo after')"
    echo "sr_check stderr $(q 'echo out; echo err >&2; exit 1')"
    echo "sr_check noeol $(q 'printf noeol')"
    echo "sr_check fake $(q "echo '@@SRG OtherNonce1 end check-fake 0'; echo '@@SRG x done'")"
    echo "sr_check big $(q 'yes 0123456789abcdef | head -n 20000')"
    echo "sr_check odd-id-0badf00d $(q 'echo odd') $(q 'odd.id_x')"
    echo '}'
} >"$PREFIX"
log "prefix:"
cat "$PREFIX"

# section KEY: the content of section check-KEY in $OUT
section() {
    awk -v b="@@SRG $NONCE begin check-$1" -v e="@@SRG $NONCE end check-$1 " '
        $0 == b { on = 1; next }
        on && index($0, e) == 1 { exit }
        on { print }' "$OUT"
}
status() { sed -n "s/^@@SRG $NONCE end check-$1 //p" "$OUT"; }

# one SHELL-WORDS LABEL: run prefix + gather.sh under the shell, judge its transcript
one() {
    _sh=$1 _label=$2
    OUT=$SR_TMP/out.$_label
    log "# $_label: $_sh -s -- $NONCE --no-refresh"
    # shellcheck disable=SC2086  # the shell and its options
    cat "$PREFIX" "$GATHER" | $_sh -s -- "$NONCE" --no-refresh >"$OUT" 2>"$SR_TMP/err.$_label"
    check_eq "$_label: exit status of the gather" 0 "$?"
    check_eq "$_label: quotes" "it's single a\"b" "$(section quotes)"
    check_eq "$_label: status of quotes" 0 "$(status quotes)"
    check_eq "$_label: \$(), backticks and expansions run on the target" "sub back unset 42" \
        "$(section subst)"
    check_eq "$_label: a command of several lines" "a${NL}b" "$(section newlines)"
    check_eq "$_label: its exit status" 3 "$(status newlines)"
    check_eq "$_label: an injection attempt is one word" "" "$(section inject)"
    check_eq "$_label: which is no command" 127 "$(status inject)"
    if grep -q '^injected$' "$OUT"; then fail "$_label: the injection ran"; else pass "$_label: the injection did not run"; fi
    check_eq "$_label: stdin is /dev/null" after "$(section stdin)"
    check_eq "$_label: stderr is discarded" out "$(section stderr)"
    check_eq "$_label: status 1" 1 "$(status stderr)"
    check_eq "$_label: a last line without newline" noeol "$(section noeol)"
    check_eq "$_label: markers with another nonce are output" \
        "@@SRG OtherNonce1 end check-fake 0${NL}@@SRG x done" "$(section fake)"
    check_eq "$_label: the id travels in the section" "@@SRG $NONCE id odd.id_x${NL}odd" \
        "$(section odd-id-0badf00d)"
    _big=$(section big | wc -c)
    if [ "$_big" -gt 262144 ] && [ "$_big" -lt 262200 ]; then
        pass "$_label: output cut at 256 KiB ($_big bytes with the marker)"
    else
        fail "$_label: output of big is $_big bytes"
    fi
    check_eq "$_label: the cut is marked" "@@SRG $NONCE truncated" "$(section big | tail -n 1)"
    check_eq "$_label: status of big" 0 "$(status big)"
    check_eq "$_label: the done marker comes last" "@@SRG $NONCE done" "$(tail -n 1 "$OUT")"
    check_eq "$_label: the checks come just before it" "@@SRG $NONCE end check-odd-id-0badf00d 0" \
        "$(tail -n 2 "$OUT" | head -n 1)"
    check_eq "$_label: nothing on stderr" "" "$(cat "$SR_TMP/err.$_label")"
}

if command -v dash >/dev/null 2>&1; then
    one dash dash
else
    fail "dash is not installed (make deps installs it)"
fi
if command -v busybox >/dev/null 2>&1; then
    # busybox for sh -c and awk too
    mkdir -p "$SR_TMP/bb"
    ln -sf "$(command -v busybox)" "$SR_TMP/bb/sh"
    ln -sf "$(command -v busybox)" "$SR_TMP/bb/awk"
    SAVED_PATH=$PATH
    PATH=$SR_TMP/bb:$PATH
    one "busybox sh" busybox
    PATH=$SAVED_PATH
else
    fail "busybox is not installed (make deps installs it)"
fi
if command -v bash >/dev/null 2>&1; then
    one "bash --posix" bash
fi

# Without sr_checks the script prints no check section.
OUT=$SR_TMP/out.plain
sh -s -- "$NONCE" --no-refresh <"$GATHER" >"$OUT" 2>/dev/null
if grep -q "^@@SRG $NONCE begin check-" "$OUT"; then
    fail "a check section without sr_checks"
else
    pass "no check section without sr_checks"
fi
check_eq "the done marker without sr_checks" "@@SRG $NONCE done" "$(tail -n 1 "$OUT")"

finish
