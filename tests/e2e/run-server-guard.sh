#!/bin/sh
# The server-guard step on a fresh testbed: the stand-in installer
# (tests/data/server-guard/installer.sh) is served over HTTPS on loopback by
# tests/tools/httpd.py with a self-signed certificate (the step's ca_file),
# its SHA-256 pinned through --var. A wrong digest, a server error, a hang,
# an untrusted certificate and a missing file each fail the step (exit 4)
# with a clear message and leave the target untouched; an installer that
# exits 0 without installing anything is caught by the confirmation; a dry
# run downloads and verifies but uploads nothing; `run` installs and the
# check passes; a second run is ok with no second download; --sudo works the
# same. The install code (from the environment) never shows in any output or
# report, nor on a command line of the controller.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
INSTALLER=$SR_ROOT/tests/data/server-guard/installer.sh
WWW=$SR_TMP/www
RULES=$SR_TMP/rules.json
REQS=$SR_TMP/requests.log
ALL_OUT=$SR_TMP/all-output      # every stdout and stderr of shelfready (lib.sh's run)
REPORTS=$SR_TMP/reports
: >"$ALL_OUT"
: >"$REQS"
mkdir -p "$WWW" "$REPORTS"

[ -f "$INSTALLER" ] || { fail "the stand-in installer $INSTALLER is missing"; finish; }

# serve NAME [--tls CERT KEY]: serve the files in $WWW; its port in $SR_TMP/NAME.port
serve() {
    _n=$1
    shift
    http_serve "$_n" "$WWW" --log "$REQS" --rules "$RULES" "$@"
}
# requests PATH: how many requests for PATH the server got
requests() { grep -c "\"path\": \"$1\"" "$REQS"; }
# json FILE EXPR: a python expression over the parsed report d
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
out_has() {
    if grep -qF -- "$1" "$SR_TMP/out"; then pass "$2"; else fail "$2: '$1' is not on stdout"; fi
}
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# ---- the server, the installers, the profiles ----

cp "$INSTALLER" "$WWW/installer.sh"
# an "installer" that installs nothing: it records its arguments on the target
# and prints them on both streams, which the step must redact
cat >"$WWW/recorder.sh" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >/root/sg-recorded-args
echo "recorder: my arguments are: $*"
echo "recorder: on stderr too: $*" >&2
exit 0
EOF
SHA=$(sha256 "$WWW/installer.sh")
REC_SHA=$(sha256 "$WWW/recorder.sh")
# the same length, every digit different
WRONG=$(printf '%s' "$SHA" | tr '0-9a-f' '1-9a-f0')

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$SR_TMP/key.pem" -out "$SR_TMP/cert.pem" 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$SR_TMP/other-key.pem" \
    -out "$SR_TMP/other.pem" 2>&1
echo '{}' >"$RULES"
serve tls --tls "$SR_TMP/cert.pem" "$SR_TMP/key.pem"
BASE=https://127.0.0.1:$(cat "$SR_TMP/tls.port")

cat >"$SR_TMP/sg.yaml" <<'EOF'
name: sg-test
title: Server Guard installed by the server-guard step
vars:
  url: "https://installer.invalid/AliAqsInstall_64"
  sha256: "pin the installer's digest with --var sha256=..."
  ca_file: /etc/ssl/certs/ca-certificates.crt
  timeout: 1m
  retries: "0"
remediate:
  - id: install-server-guard
    type: server-guard
    title: install Server Guard
    with:
      url: ${url}
      sha256: ${sha256}
      ca_file: ${ca_file}
      args: ["-k={install_code}"]
      install_code_env: SG_INSTALL_CODE
      timeout: ${timeout}
      retries: ${retries}
verify:
  - id: server-guard
    type: server-guard
    title: Server Guard runs and starts at boot
    severity: high
    ref: "1.1-3"
EOF
sed -e 's/^      sha256: .*/      insecure_skip_sha256: true/' -e 's/^  sha256: .*//' \
    "$SR_TMP/sg.yaml" >"$SR_TMP/insecure.yaml"

# the install code: a recognisable random value, only ever in the environment
CODE=sgcode-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
SG_INSTALL_CODE=$CODE
export SG_INSTALL_CODE
# searched for with grep -f: a grep with the code in its arguments would find itself
(umask 077 && printf '%s\n' "$CODE" >"$SR_TMP/code")

tb_fresh sg-install || finish
CONN="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS"
TARGET=root@$TB_HOST:$TB_PORT
VARS_OK="--var url=$BASE/installer.sh --var sha256=$SHA --var ca_file=$SR_TMP/cert.pem"

# what a failed step must not change on the target
snapshot() {
    tb_ssh root 'ls -A /tmp /usr/local /etc/init.d /etc/rc2.d; ps -eo comm | grep -c AliYunDun'
}
untouched() {
    _now=$(snapshot)
    check_eq "$1: the target is untouched (/tmp, /usr/local, init scripts, processes)" \
        "$BEFORE" "$_now"
}
BEFORE=$(snapshot)
log "target before: $BEFORE"
tb_ssh root 'test ! -e /usr/local/aegis' && pass "no /usr/local/aegis to begin with" ||
    fail "the fresh testbed has /usr/local/aegis"

# ---- 0. load time: lint and plan ----

# shellcheck disable=SC2086
run 0 "$SR" plan -p "$SR_TMP/sg.yaml" $VARS_OK
out_has "sha256: $SHA" "plan shows the pinned digest"
out_has "install_code_env: SG_INSTALL_CODE" "plan shows the variable's name"
run 2 "$SR" lint "$SR_TMP/sg.yaml"
err_has "'sha256' must be 64 hex digits" "an unpinned profile does not lint"
err_matches "sg.yaml:[0-9]+:[0-9]+: error: " "with file:line:col"
run 0 "$SR" plan -p "$SR_TMP/insecure.yaml" --var "url=$BASE/installer.sh"
err_matches "insecure.yaml:[0-9]+:[0-9]+: warning: .*INSECURE: insecure_skip_sha256 is true" \
    "plan warns loudly about insecure_skip_sha256"
out_has "insecure_skip_sha256: true" "plan shows insecure_skip_sha256"

# ---- 1. a wrong SHA-256: refused before anything is uploaded ----

n0=$(requests /installer.sh)
# shellcheck disable=SC2086
run 4 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK --var "sha256=$WRONG" "$TARGET"
out_has "failed" "the step fails"
out_has "sha256 mismatch: expected $WRONG, got $SHA" "the mismatch names both digests"
out_has "nothing was uploaded" "and says that nothing was uploaded"
check_eq "the installer was downloaded once" $((n0 + 1)) "$(requests /installer.sh)"
untouched "wrong sha256"

# ---- 2. a server error, retried, then a clear failure ----

echo '{"/installer.sh": {"status": 500}}' >"$RULES"
n0=$(requests /installer.sh)
# shellcheck disable=SC2086
run 4 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK --var retries=1 "$TARGET"
out_has "the server answered HTTP 500 (2 attempts); nothing was uploaded" "HTTP 500 is named"
check_eq "one retry" $((n0 + 2)) "$(requests /installer.sh)"
untouched "HTTP 500"

# ---- 3. a server that hangs: cut off by the timeout ----

echo '{"/installer.sh": {"hang": true}}' >"$RULES"
# shellcheck disable=SC2086
"$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK --var timeout=3s "$TARGET" \
    >"$SR_TMP/hang.out" 2>"$SR_TMP/hang.err" &
pid=$!
sleep 2
# the code is only in the environment: no command line on this machine holds it
if cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' '\n' | grep -qF -f "$SR_TMP/code"; then
    fail "the install code is on a command line of the controller"
else
    pass "no command line of the controller holds the install code"
fi
t0=$(now_ms)
wait "$pid"
st=$?
waited=$(($(now_ms) - t0))
cat "$SR_TMP/hang.out" "$SR_TMP/hang.err" | tee -a "$ALL_OUT"
check_eq "a hanging server fails the step" 4 "$st"
grep -q "failed.*cannot fetch.*timed out" "$SR_TMP/hang.out" && pass "the timeout is named" ||
    fail "no timeout message"
if [ "$waited" -lt 6000 ]; then pass "cut off by the 3 s timeout"; else
    fail "the hang took $((waited + 2000)) ms (timeout 3 s)"; fi
untouched "hanging server"
echo '{}' >"$RULES"

# ---- 4. an untrusted certificate, a missing file ----

# shellcheck disable=SC2086
run 4 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK --var "ca_file=$SR_TMP/other.pem" "$TARGET"
grep -qi "cannot fetch.*certificate" "$SR_TMP/out" && pass "an untrusted certificate is refused" ||
    fail "no certificate error"
# shellcheck disable=SC2086
run 4 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK --var "url=$BASE/missing" "$TARGET"
out_has "the server answered HTTP 404; nothing was uploaded" "a missing installer is named"
untouched "untrusted certificate, missing file"

# ---- 5. an installer that exits 0 but installs nothing ----

# shellcheck disable=SC2086
run 4 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK --var "url=$BASE/recorder.sh" \
    --var "sha256=$REC_SHA" "$TARGET"
out_has "the installer exited 0, but server guard: AliYunDun is not running" \
    "the confirmation catches an installer that installed nothing"
out_has "recorder: my arguments are: -k=********" "the installer's output is streamed, redacted"
check_eq "{install_code} was replaced on the target" "-k=$CODE" \
    "$(tb_ssh root 'cat /root/sg-recorded-args; rm -f /root/sg-recorded-args')"
untouched "the installer's private directory is removed"

# ---- 6. dry runs: download and verify, upload nothing ----

n0=$(requests /installer.sh)
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh -n $CONN $VARS_OK "$TARGET"
out_has "sha256 $SHA matches the pinned digest" "the dry run verifies the digest"
out_has "changed (" "the dry run says it would change the target"
out_has "would install Server Guard" "and what"
out_has "nothing was uploaded (dry run)" "and that nothing was uploaded"
check_eq "the dry run downloaded the installer" $((n0 + 1)) "$(requests /installer.sh)"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/insecure.yaml" --no-refresh -n $CONN --var "url=$BASE/installer.sh" \
    --var "ca_file=$SR_TMP/cert.pem" "$TARGET"
err_has "INSECURE: insecure_skip_sha256 is true" "the insecure profile is warned about at load"
out_has "WARNING: INSECURE: insecure_skip_sha256 is true" "and by the step when it runs"
out_has "(not checked)" "the digest is said not to be checked"
untouched "dry runs"

# ---- 7. run: install, confirm, verify ----

n0=$(requests /installer.sh)
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK "$TARGET" --report text \
    --report "json=$REPORTS/run1.json" --report "junit=$REPORTS/run1.xml" \
    --report "html=$REPORTS/run1.html" --report "text=$REPORTS/run1.txt"
out_has "changed (" "the step changed the target"
out_has "installed: AliYunDun, AliYunDunUpdate, AliYunDunMonitor running; started at boot by /etc/init.d/aegis" \
    "the step confirms processes and autostart"
out_has "1 changed, 0 ok, 0 skipped, 0 failed" "the summary counts it"
check_eq "one download" $((n0 + 1)) "$(requests /installer.sh)"
check_eq "the check passes after the run" pass \
    "$(json "$REPORTS/run1.json" '[c["status"] for c in d["checks"] if c["id"] == "server-guard"][0]')"
check_eq "AliYunDun and AliYunDunUpdate run on the target" "AliYunDun AliYunDunUpdate" \
    "$(tb_ssh root 'pgrep -x AliYunDun >/dev/null && printf "AliYunDun " ; pgrep -x AliYunDunUpdate >/dev/null && printf AliYunDunUpdate')"
check_eq "started at boot: S links in runlevels 2-5" 4 \
    "$(tb_ssh root 'ls /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d | grep -c "^S[0-9]*aegis$"')"
check_eq "no upload is left in /tmp" "" "$(tb_ssh root 'ls -A /tmp')"

# ---- 8. a second run changes nothing and downloads nothing ----

n0=$(requests /installer.sh)
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh $CONN $VARS_OK "$TARGET" \
    --report "json=$REPORTS/run2.json" --report "junit=$REPORTS/run2.xml" \
    --report "html=$REPORTS/run2.html" --report "text=$REPORTS/run2.txt"
out_has "ok (" "the second run is ok"
out_has "already installed and running" "and says so"
out_has "0 changed, 1 ok" "nothing changed"
check_eq "no second download" "$n0" "$(requests /installer.sh)"

# ---- 9. --sudo: the same through sudo, on a second instance ----

tb_fresh sg-sudo || finish
n0=$(requests /installer.sh)
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/sg.yaml" --no-refresh --no-agent -i "$TB_KEY" \
    --known-hosts "$TB_KNOWN_HOSTS" --sudo $VARS_OK "$TB_SUDO_USER@$TB_HOST:$TB_PORT" \
    --report "json=$REPORTS/sudo.json"
out_has "installed: AliYunDun, AliYunDunUpdate, AliYunDunMonitor running" "installed through sudo"
check_eq "the check passes" pass \
    "$(json "$REPORTS/sudo.json" '[c["status"] for c in d["checks"] if c["id"] == "server-guard"][0]')"
check_eq "owned by root" "0" "$(tb_ssh root 'stat -c %u /usr/local/aegis/aegis_update/AliYunDunUpdate')"
check_eq "no upload is left in /tmp" "" "$(tb_ssh root 'ls -A /tmp')"

# ---- 10. the install code is nowhere ----

hits=$(grep -rlF -f "$SR_TMP/code" "$ALL_OUT" "$REPORTS" 2>/dev/null)
check_eq "the install code appears in no output and no report" "" "$hits"
check -m "the reports were written" test -s "$REPORTS/run1.html" -a -s "$REPORTS/run2.xml"
check -m "the install code reached the step (it is redacted, not absent)" \
    grep -qF -- "-k=********" "$ALL_OUT"
finish
