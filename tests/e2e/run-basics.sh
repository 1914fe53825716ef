#!/bin/sh
# `shelfready run` on a fresh testbed with script steps: output streamed as
# [n/N id], idempotence through `creates`, a second run changes nothing, a
# dry run changes nothing, a failed step stops the run (exit 4) unless it
# continues on error, secrets from the environment never show, a missing
# secret is refused before connecting, a dropped connection is expected and
# recovered from, and Ctrl-C stops cleanly.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
require_root
tb_fresh e2e-run-basics || finish
conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh root@$TB_HOST:$TB_PORT"
SECRET="s3cr3t-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export SR_E2E_TOKEN="$SECRET"

cat >"$SR_TMP/p.yaml" <<'EOF'
name: run-basics
version: "1"
vars:
  greeting: "it's $(not run) `either`"
remediate:
  - id: hello
    type: script
    title: leave a mark
    with:
      inline: |
        echo "hello from $(id -un)"
        printf '%s\n' "$GREETING" >/root/hello-done
        echo "token is $SR_E2E_TOKEN"
      env:
        GREETING: "${greeting}"
      secret_env: [SR_E2E_TOKEN]
      creates: /root/hello-done
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
verify:
  - id: hello-ran
    type: command
    title: the mark is there
    severity: low
    with:
      command: cat /root/hello-done
      stdout_matches: "^it's"
EOF

# a dry run changes nothing
run 0 "$SR" run -p "$SR_TMP/p.yaml" --dry-run $conn
check -m "the dry run says what it would do" grep -q '^\[1/3 hello\] changed (.*would run the script' "$SR_TMP/out"
check -m "nothing was written by the dry run" test ! -e "$TB_ROOTFS/root/hello-done"
check -m "nothing was counted by the dry run" test ! -e "$TB_ROOTFS/root/counted"

# the first run does the work; the tolerated failure makes it exit 4
ALL_OUT=$SR_TMP/all-output
: >"$ALL_OUT"
run 4 "$SR" run -p "$SR_TMP/p.yaml" $conn --report "json=$SR_TMP/r1.json" --report "html=$SR_TMP/r1.html"
check -m "output is streamed with the step prefix" grep -q '^\[1/3 hello\] | hello from root$' "$SR_TMP/out"
check -m "stderr of the target is streamed too" grep -q '^\[2/3 tolerated\] | about to fail$' "$SR_TMP/out"
check -m "the failure is reported and the run went on" grep -q '^\[3/3 counted\] changed' "$SR_TMP/out"
check -m "the summary counts it" grep -q '^shelfready run: 3 steps in .*: 2 changed, 0 ok, 0 skipped, 1 failed$' "$SR_TMP/out"
check -m "the secret is masked in the output" grep -q '^\[1/3 hello\] | token is \*\*\*\*\*\*\*\*$' "$SR_TMP/out"
check_eq "hostile variable text arrived as data" "it's \$(not run) \`either\`" "$(cat "$TB_ROOTFS/root/hello-done")"
check_eq "the check judged the final facts" pass \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checks"][0]["status"])' "$SR_TMP/r1.json")"

# the second run changes nothing
run 4 "$SR" run -p "$SR_TMP/p.yaml" $conn
check -m "a second run reports 0 changed" grep -q ': 0 changed, 2 ok, 0 skipped, 1 failed$' "$SR_TMP/out"
check_eq "the counted step ran once" 1 "$(wc -l <"$TB_ROOTFS/root/counted")"
if grep -rqF "$SECRET" "$ALL_OUT" "$SR_TMP"/r1.*; then fail "the secret appears in the output or a report"; else
    pass "the secret appears in no output and no report"; fi

# a failed step stops the run
cat >"$SR_TMP/stop.yaml" <<'EOF'
name: run-stop
remediate:
  - id: broken
    type: script
    with:
      inline: "exit 7"
  - id: never
    type: script
    with:
      inline: "touch /root/never"
EOF
run 4 "$SR" run -p "$SR_TMP/stop.yaml" $conn
err_has "step 'broken' failed: exit 7" "the failing step is named with its exit status"
check -m "the summary says the rest did not run" grep -q ', 1 not run$' "$SR_TMP/out"
check -m "the next step did not run" test ! -e "$TB_ROOTFS/root/never"

# a missing secret is refused before anything connects (port 1 is closed: 3 would mean it tried)
unset SR_E2E_TOKEN
run 2 "$SR" run -p "$SR_TMP/p.yaml" --no-agent -i "$TB_KEY" root@127.0.0.1:1
err_has "step 'hello' needs the environment variable 'SR_E2E_TOKEN' (secret_env): it is not set" \
    "the missing secret is named"
export SR_E2E_TOKEN="$SECRET"

# a step that drops the connection on purpose: the run reconnects and goes on
cat >"$SR_TMP/drop.yaml" <<'EOF'
name: run-drop
remediate:
  - id: drop
    type: script
    with:
      inline: |
        touch /root/dropped
        # the sshd process serving this session: the parent of the step's shell
        kill -9 "$(ps -o ppid= -p $PPID)"
        sleep 5
      expect_disconnect: true
      creates: /root/dropped
  - id: after
    type: script
    with:
      inline: "touch /root/after-drop"
EOF
run 0 "$SR" run -p "$SR_TMP/drop.yaml" --reconnect-wait 30 $conn
check -m "the drop was expected" grep -q 'the connection dropped, as expected' "$SR_TMP/out"
check -m "the run went on after reconnecting" test -e "$TB_ROOTFS/root/after-drop"

# Ctrl-C stops the run after the current command, with exit 130
cat >"$SR_TMP/slow.yaml" <<'EOF'
name: run-slow
remediate:
  - id: slow
    type: script
    with:
      inline: "echo started; sleep 60"
  - id: later
    type: script
    with:
      inline: "touch /root/later"
EOF
"$SR" run -p "$SR_TMP/slow.yaml" $conn >"$SR_TMP/slow.out" 2>"$SR_TMP/slow.err" &
pid=$!
i=0
while ! grep -q 'started' "$SR_TMP/slow.out" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(now_ms)
kill -INT $pid
wait $pid
st=$?
took=$(($(now_ms) - t0))
cat "$SR_TMP/slow.out" "$SR_TMP/slow.err"
check_eq "Ctrl-C exits 130" 130 "$st"
check -m "it says where it stopped" grep -q "interrupted in step 'slow'" "$SR_TMP/slow.err"
check -m "it says what may still run on the target" grep -q "still running on the target: the script of step 'slow'" "$SR_TMP/slow.err"
check -m "the next step did not run" test ! -e "$TB_ROOTFS/root/later"
if [ "$took" -lt 5000 ]; then pass "it stopped in $took ms"; else fail "it took $took ms to stop"; fi
finish
