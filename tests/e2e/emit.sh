#!/bin/sh
# `shelfready emit`: the standalone script passes shellcheck; cloud-init
# user-data of the bundled profile and the examples passes `cloud-init schema`;
# the script, run as root on a fresh testbed instance, prints facts that
# `verify --facts` judges exactly as `run` judges a second fresh instance,
# with the same step results; examples/cloud-init/ is what the binary
# generates today (scripts/gen-examples.sh --check).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
require_root

# the Debian tools this test judges with, installed when missing (cloud-init
# is kept from ever running on this machine: it only validates here)
need_pkg() { # COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    log "+ apt-get install $2"
    if [ "$2" = cloud-init ]; then
        mkdir -p /etc/cloud && : >/etc/cloud/cloud-init.disabled
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2" ||
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$2"; }
}
need_pkg shellcheck shellcheck || fail "cannot install shellcheck"
need_pkg cloud-init cloud-init || fail "cannot install cloud-init"

# emit_ok OUT ARGS...: emit, which must succeed (every step type has a hook)
emit_ok() {
    _out=$1
    shift
    log "+ $SR emit $* -o $_out"
    if "$SR" emit "$@" -o "$_out" 2>"$SR_TMP/emit-err"; then
        return 0
    fi
    cat "$SR_TMP/emit-err"
    fail "emit $*: $(cat "$SR_TMP/emit-err")"
    return 1
}

cat >"$SR_TMP/p.yaml" <<'EOF'
name: emit-test
version: "1"
vars:
  greeting: "it's $(not run) `either` \"quoted\""
  flavour: debian
remediate:
  - id: hello
    type: script
    title: leave a mark
    with:
      inline: |
        echo "hello from $(id -un)"
        printf '%s\n' "$GREETING" >/root/hello-done
      env:
        GREETING: "${greeting}"
      creates: /root/hello-done
  - id: only-debian
    type: script
    when: os.family == "debian" and vars.flavour in ["debian", "ubuntu"]
    with:
      inline: "echo debian >>/root/family"
  - id: only-rhel
    type: script
    when: os.family == "rhel" or pkg.manager in ["dnf", "yum"]
    with:
      inline: "echo rhel >>/root/family"
  - id: tolerated
    type: script
    continue_on_error: true
    with:
      inline: "echo about to fail >&2; exit 3"
  - id: counted
    type: script
    with:
      inline: "echo ran >>/root/counted"
      unless: "test -e /root/counted"
  - id: tools
    type: package
    with: {names: [bc]}
  - id: app-first-login
    type: webapp-first-login
    with:
      name: emitapp
      script: "cat >/root/emitapp.pass"
      user: admin
      triggers: [systemd]
verify:
  - id: hello-ran
    type: command
    title: the mark is there
    severity: low
    with:
      command: cat /root/hello-done
      stdout_matches: "^it's"
  - id: family-once
    type: command
    title: the debian step ran once
    severity: low
    with:
      command: cat /root/family
      stdout_matches: "^debian$"
  - id: not-there
    type: command
    title: a check that fails
    severity: low
    with:
      command: test -e /root/never
EOF

# (a) the script passes shellcheck
if emit_ok "$SR_TMP/remediate.sh" -p "$SR_TMP/p.yaml" --format sh; then
    check -m "the script is mode 0700" test "$(stat -c %a "$SR_TMP/remediate.sh")" = 700
    check -m "the script passes shellcheck -s sh" shellcheck -s sh "$SR_TMP/remediate.sh"
    check -m "the script is valid for dash" dash -n "$SR_TMP/remediate.sh"
fi

# usage and refusals: exit 2
run 2 "$SR" emit -p "$SR_TMP/p.yaml" --format yaml
cat >"$SR_TMP/unknown-fact.yaml" <<'EOF'
name: unknown-fact
remediate:
  - id: by-kernel
    type: script
    when: os.kernel == "6.1"
    with:
      inline: "true"
EOF
run 2 "$SR" emit -p "$SR_TMP/unknown-fact.yaml" --format sh
err_has "condition of step 'by-kernel' uses fact 'os.kernel', which the standalone script cannot compute" \
    "a fact the script cannot compute is refused"
cat >"$SR_TMP/secret.yaml" <<'EOF'
name: secret
remediate:
  - id: with-token
    type: script
    with:
      inline: 'test -n "$TOKEN" && echo "the token is $TOKEN"'
      secret_env: [TOKEN]
EOF
run 2 "$SR" emit -p "$SR_TMP/secret.yaml" --format cloud-init
err_has "step 'with-token' (script) needs the secret environment variable 'TOKEN' (secret_env)" \
    "cloud-init refuses a step that needs a secret without --secrets-file"
run 2 "$SR" emit -p "$SR_TMP/secret.yaml" --format cloud-init --secrets-file relative.env
err_has "give an absolute path on the instance" "a relative secrets file is refused"
run 2 "$SR" emit -p "$SR_TMP/secret.yaml" --format sh --secrets-file /root/s.env
err_has "--secrets-file is for --format cloud-init" "--secrets-file is refused with --format sh"
emit_ok "$SR_TMP/secret.user-data" -p "$SR_TMP/secret.yaml" --format cloud-init \
    --secrets-file /root/sr-secrets.env
if emit_ok "$SR_TMP/secret.sh" -p "$SR_TMP/secret.yaml" --format sh; then
    check -m "the secret's value is not in the script" grep -q 'SR_SECRET_VARS=.TOKEN.' "$SR_TMP/secret.sh"
fi

# (b) cloud-init schema: the bundled profile, the test profile and the examples
# shellcheck disable=SC2317 # called through check
schema_ok() { # FILE
    cloud-init schema --config-file "$1" >"$SR_TMP/schema.out" 2>&1
    _st=$?
    cat "$SR_TMP/schema.out"
    [ "$_st" = 0 ] && grep -q "^Valid cloud-config" "$SR_TMP/schema.out"
}
for prof in alibaba-marketplace "$SR_TMP/p.yaml" "$SR_ROOT"/examples/cloud-init/*.yaml; do
    [ -e "$prof" ] || [ "$prof" = alibaba-marketplace ] || continue
    base=$(basename "$prof" .yaml)
    if emit_ok "$SR_TMP/$base.user-data" -p "$prof" --format cloud-init; then
        check -m "cloud-init user-data of $base passes cloud-init schema" schema_ok "$SR_TMP/$base.user-data"
        check -m "user-data of $base starts with #cloud-config" \
            test "$(head -n 1 "$SR_TMP/$base.user-data")" = "#cloud-config"
        # the script inside is the one --format sh writes, apart from its format
        python3 - "$SR_TMP/$base.user-data" "$SR_TMP/$base.from-user-data.sh" <<'EOF'
import sys, yaml, base64
d = yaml.safe_load(open(sys.argv[1]))
f = [w for w in d["write_files"] if w["path"] == "/var/lib/shelfready/remediate.sh"][0]
c = f["content"]
if f.get("encoding") == "b64":
    c = base64.b64decode(c).decode()
open(sys.argv[2], "w").write(c)
EOF
        check -m "the script in the user-data of $base passes shellcheck" \
            shellcheck -s sh "$SR_TMP/$base.from-user-data.sh"
    fi
done

check -m "user-data with --secrets-file passes cloud-init schema" schema_ok "$SR_TMP/secret.user-data"

# (d) the examples are current
check -m "examples/cloud-init is current (make examples)" \
    sh "$SR_ROOT/scripts/gen-examples.sh" --check "$SR"

# (c) the script on one fresh instance, `run` on another: same results
if [ -s "$SR_TMP/remediate.sh" ]; then
    tb_fresh em-script || finish
    cp "$SR_TMP/remediate.sh" "$TB_ROOTFS/root/remediate.sh"
    log "+ ssh root sh /root/remediate.sh --no-refresh"
    tb_ssh root sh /root/remediate.sh --no-refresh >"$SR_TMP/facts.txt" 2>"$SR_TMP/progress"
    st=$?
    cat "$SR_TMP/progress"
    check_eq "the script exits 4 (a step failed and continued)" 4 "$st"
    check -m "the script printed a transcript" grep -q '^@@SRG [0-9a-f]* gather 1$' "$SR_TMP/facts.txt"
    check -m "step output is prefixed" grep -q '^\[1/7 hello\] | hello from root$' "$SR_TMP/progress"
    check -m "stderr of a step is prefixed too" grep -q '^\[4/7 tolerated\] | about to fail$' "$SR_TMP/progress"
    check -m "the summary counts like run's" \
        grep -q '^emit-test: 7 steps in [0-9]* s: 5 changed, 0 ok, 1 skipped, 1 failed$' "$SR_TMP/progress"
    check -m "the package step installed bc" test -x "$TB_ROOTFS/usr/bin/bc"
    check -m "the first-login reset is installed" \
        test -x "$TB_ROOTFS/usr/local/libexec/shelfready/first-login-emitapp"
    check_eq "hostile variable text arrived as data" "it's \$(not run) \`either\` \"quoted\"" \
        "$(cat "$TB_ROOTFS/root/hello-done")"
    run 1 "$SR" verify -p "$SR_TMP/p.yaml" --facts "$SR_TMP/facts.txt" --report "json=$SR_TMP/v-script.json"
    # a second run changes nothing
    tb_ssh root sh /root/remediate.sh --no-refresh >"$SR_TMP/facts2.txt" 2>"$SR_TMP/progress2"
    cat "$SR_TMP/progress2"
    check -m "a second run changes only the step without a guard" \
        grep -q ': 1 changed, 4 ok, 1 skipped, 1 failed$' "$SR_TMP/progress2"
    # not as root: refused
    cp "$SR_TMP/remediate.sh" "$TB_ROOTFS/tmp/remediate.sh"
    chmod 0755 "$TB_ROOTFS/tmp/remediate.sh"
    out=$(tb_ssh root "su -s /bin/sh nobody -c 'sh /tmp/remediate.sh' 2>&1; echo status=\$?")
    case $out in
    *"must run as root"*status=2*) pass "not as root: refused with exit 2" ;;
    *) fail "not as root: expected a refusal with exit 2, got: $out" ;;
    esac

    # the secret step's user-data, done as cloud-init would: write_files, then runcmd
    if [ -s "$SR_TMP/secret.user-data" ]; then
        python3 - "$SR_TMP/secret.user-data" "$TB_ROOTFS" "$SR_TMP/runcmd" <<'EOF'
import os, sys, yaml, base64
d = yaml.safe_load(open(sys.argv[1]))
for w in d["write_files"]:
    c = w["content"]
    if w.get("encoding") == "b64":
        c = base64.b64decode(c).decode()
    path = sys.argv[2] + w["path"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").write(c)
    os.chmod(path, int(w["permissions"], 8))
cmd = d["runcmd"][0]
assert cmd[:2] == ["sh", "-c"], cmd
open(sys.argv[3], "w").write(cmd[2])
EOF
        check -m "the runcmd reads and then removes the secrets file" \
            grep -q -- '--secrets-file /root/sr-secrets.env --remove-secrets-file' "$SR_TMP/runcmd"
        ci_state=$TB_ROOTFS/var/lib/shelfready
        # first without the file: refused, exit 2, said in the log
        tb_ssh root "$(cat "$SR_TMP/runcmd")"
        check_eq "without the secrets file the script exits 2" 2 "$(cat "$ci_state/exit-status")"
        check -m "and says why" grep -q "secrets file /root/sr-secrets.env: not a regular file" \
            "$ci_state/remediate.log"
        # a file others can read: refused too, and still removed by the runcmd
        printf 'TOKEN=s3cr3t-value-42\n' >"$TB_ROOTFS/root/sr-secrets.env"
        chmod 0644 "$TB_ROOTFS/root/sr-secrets.env"
        tb_ssh root "$(cat "$SR_TMP/runcmd")"
        check_eq "a world-readable secrets file is refused" 2 "$(cat "$ci_state/exit-status")"
        check -m "the runcmd removed it all the same" test ! -e "$TB_ROOTFS/root/sr-secrets.env"
        # root's, 0600: the step gets the secret, the file is gone, the value is masked
        printf 'TOKEN=s3cr3t-value-42\n' >"$TB_ROOTFS/root/sr-secrets.env"
        chmod 0600 "$TB_ROOTFS/root/sr-secrets.env"
        tb_ssh root "$(cat "$SR_TMP/runcmd")"
        cat "$ci_state/remediate.log"
        check_eq "with the secrets file the script exits 0" 0 "$(cat "$ci_state/exit-status")"
        check -m "the step saw the secret (masked in the log)" \
            grep -q '| the token is \*\*\*\*\*\*\*\*$' "$ci_state/remediate.log"
        check -m "the secrets file is gone" test ! -e "$TB_ROOTFS/root/sr-secrets.env"
        check -m "the secret is in neither the log nor the facts" \
            sh -c "! grep -rq s3cr3t-value-42 '$ci_state'"
    fi

    tb_fresh em-run || finish
    conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh root@$TB_HOST:$TB_PORT"
    # shellcheck disable=SC2086 # conn is split on purpose
    run 4 "$SR" run -p "$SR_TMP/p.yaml" $conn --report "json=$SR_TMP/v-run.json"
    cp "$SR_TMP/out" "$SR_TMP/run-out"
    results() { sed -n 's/^\(\[[0-9]*\/[0-9]* [^]]*\]\) \(ok\|changed\|skipped\|failed\) .*/\1 \2/p' "$1"; }
    check_eq "the script's step results are run's" "$(results "$SR_TMP/run-out")" \
        "$(results "$SR_TMP/progress")"
    verdicts() {
        python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["checks"]: print(c["id"], c["status"])' "$1"
    }
    check_eq "verify --facts of the script's facts gives run's verdicts" \
        "$(verdicts "$SR_TMP/v-run.json")" "$(verdicts "$SR_TMP/v-script.json")"
    log "verdicts: $(verdicts "$SR_TMP/v-script.json" | tr '\n' ' ')"
fi
finish
