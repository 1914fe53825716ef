#!/bin/sh
# The command line without a target: lint, plan, profiles, help, version,
# exit codes and error reporting.
. "$(dirname "$0")/lib.sh"
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
cd "$SR_ROOT" || finish

# run EXPECTED_STATUS CMD...: run, keeping stdout and stderr in $SR_TMP/out, err
run() {
	_want=$1
	shift
	log "+ $*"
	"$@" >"$SR_TMP/out" 2>"$SR_TMP/err"
	_st=$?
	cat "$SR_TMP/out" "$SR_TMP/err"
	check_eq "exit status of: $*" "$_want" "$_st"
}

# A profile with five independent mistakes: every one is reported, in order.
cat >"$SR_TMP/five.yaml" <<'YAML'
name: five
remediate:
  - id: a
    type: scirpt
  - id: b
    type: script
    with: {inline: "echo ${undefined_var}", retries: many}
verify:
  - id: c
    type: command
    title: c
    when: os.famly == "debian"
    with: {command: "true"}
waivers:
  - {check: c, reason: x, expires: 2026-02-30}
YAML
run 2 "$SR" lint "$SR_TMP/five.yaml"
check_eq "five errors reported" 5 "$(grep -c ': error: ' "$SR_TMP/err")"
grep -q "five.yaml:4:11: error: unknown step type 'scirpt' (did you mean 'script'?)" "$SR_TMP/err" &&
	pass "unknown type at 4:11" || fail "unknown type message or position"
grep -q "five.yaml:7:26: error: undefined variable 'undefined_var'" "$SR_TMP/err" &&
	pass "undefined variable at 7:26" || fail "undefined variable position"
grep -q "five.yaml:7:54: error: parameter 'retries' of step 'b' (script) expects an integer, found 'many'" "$SR_TMP/err" &&
	pass "wrong parameter type at 7:54" || fail "wrong parameter type message"
grep -q "five.yaml:12:11: error: unknown fact 'os.famly' in the condition of check 'c' (did you mean 'os.family'?)" "$SR_TMP/err" &&
	pass "unknown fact at 12:11" || fail "unknown fact message"
grep -q "five.yaml:15:36: error: 'expires' in waiver for 'c' must be a real date" "$SR_TMP/err" &&
	pass "impossible date at 15:36" || fail "impossible date message"
grep -q "$(printf '\033')" "$SR_TMP/err" && fail "colour codes when stderr is not a terminal" || pass "no colour off a terminal"

# The examples lint clean.
run 0 "$SR" lint --as-of 2026-11-28 examples/*.yaml

# Clean profiles, by path, by bundled name and on standard input.
run 0 "$SR" lint profiles/linux-base.yaml alibaba-marketplace linux-base
check_eq "three ok lines" 3 "$(grep -c ': ok (' "$SR_TMP/out")"
log "+ lint - < five.yaml"
"$SR" lint - <"$SR_TMP/five.yaml" 2>"$SR_TMP/err"
check_eq "lint - reads standard input" 2 "$?"
grep -q '^<stdin>:4:11: error:' "$SR_TMP/err" && pass "stdin positions" || fail "stdin positions"

# One bad file among good ones still fails the whole run.
run 2 "$SR" lint linux-base "$SR_TMP/five.yaml"
run 2 "$SR" lint "$SR_TMP/missing.yaml"
grep -q "profile '$SR_TMP/missing.yaml' not found" "$SR_TMP/err" && pass "missing file named" || fail "missing file message"

# Variables: --var overrides the profile and decides conditions over vars.
cat >"$SR_TMP/cond.yaml" <<'YAML'
name: cond
extends: alibaba-marketplace
verify:
  - id: only-when-exempt
    type: command
    title: judged only for exempt products
    when: vars.server_guard_exempt == "true"
    with: {command: "true"}
YAML
run 0 "$SR" plan -p "$SR_TMP/cond.yaml"
grep -q 'only-when-exempt  (command, medium)  skipped$' "$SR_TMP/out" && pass "a condition over vars is decided at load" ||
	fail "only-when-exempt should be skipped by default"
grep -q '^          exempt: false$' "$SR_TMP/out" && pass "\${server_guard_exempt} reaches the parameter" ||
	fail "the server-guard check should get exempt: false"
run 0 "$SR" plan -p "$SR_TMP/cond.yaml" --var server_guard_exempt=true
grep -q 'only-when-exempt  (command, medium)$' "$SR_TMP/out" && pass "--var decides a condition" ||
	fail "--var server_guard_exempt=true should enable only-when-exempt"
grep -q '^          exempt: true$' "$SR_TMP/out" && pass "--var reaches the parameter" ||
	fail "--var server_guard_exempt=true should give exempt: true"
grep -q 'server_guard_exempt = true  (--var)' "$SR_TMP/out" && pass "--var origin shown" || fail "--var origin"
printf 'server_guard_exempt: "true"\nbuild_user: [x]\n' >"$SR_TMP/vars.yaml"
run 2 "$SR" plan -p alibaba-marketplace --var-file "$SR_TMP/vars.yaml"
grep -q "vars.yaml:2:13: error: variable 'build_user' must be a string, found a list" "$SR_TMP/err" &&
	pass "--var-file errors positioned" || fail "--var-file error position"
run 2 "$SR" plan -p alibaba-marketplace --var server_guard_exmpt=true
grep -q "did you mean 'server_guard_exempt'" "$SR_TMP/err" && pass "undeclared --var suggests" || fail "undeclared --var"
run 0 "$SR" plan -p alibaba-marketplace --format json
grep -q '"schema":	"shelfready.plan/1"' "$SR_TMP/out" && pass "plan json schema" || fail "plan json schema"

# Profiles are found in $XDG_CONFIG_HOME/shelfready/profiles, then bundled.
mkdir -p "$SR_TMP/xdg/shelfready/profiles"
printf 'name: mine\nextends: linux-base\n' >"$SR_TMP/xdg/shelfready/profiles/mine.yaml"
log "+ XDG_CONFIG_HOME=... plan -p mine"
XDG_CONFIG_HOME=$SR_TMP/xdg "$SR" plan -p mine >"$SR_TMP/out" 2>&1
check_eq "profile found in the config directory" 0 "$?"
grep -q 'extends: linux-base -> mine' "$SR_TMP/out" && pass "config profile extends bundled" || fail "config profile chain"

# Help and version come from the command table.
run 0 "$SR" --help
for c in $(sed -n 's/^  \([a-z]*\)  .*/\1/p' "$SR_TMP/out"); do
	run 0 "$SR" "$c" --help
	grep -q "^usage: shelfready $c " "$SR_TMP/out" && pass "$c --help" || fail "$c --help has no usage line"
done
run 2 "$SR" lnt x
grep -q "unknown command 'lnt' (did you mean 'lint'?)" "$SR_TMP/err" && pass "nearest command" || fail "no suggestion"
run 2 "$SR" plan -p x --fromat json
grep -q "did you mean '--format'" "$SR_TMP/err" && pass "nearest option" || fail "no option suggestion"
run 2 "$SR" plan
run 0 "$SR" --version
for lib in libssh2 libyaml libcurl cJSON; do
	grep -q "^$lib [0-9]" "$SR_TMP/out" && pass "--version names $lib" || fail "--version lacks $lib"
done
finish
