#!/bin/sh
# shelfready run with the expire-password, file-line, service and package
# steps against a fresh testbed: a dry run changes nothing (checksums of
# /etc, dpkg's status and the services' state before and after); the run
# changes what each step is for, and sshd is reloaded under the connection
# in use; a second run changes nothing; hostile values are refused at load
# time or arrive as data (a canary file that must never appear); each
# step's failure is a clear message and exit 4, and a change sshd -t refuses
# is undone. Then the other paths: sshd_config itself when it includes no
# sshd_config.d, rc links made by hand without update-rc.d, and file-line
# through --sudo as a user that is not root.
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
tb_fresh st-steps || finish
conn="--no-refresh --no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS root@$TB_HOST:$TB_PORT"
INSTANCE_DIR=$(dirname "$TB_KNOWN_HOSTS")

# ---- the target as a build VM could be before hardening ----------------
# alice has a password, bob's is locked (useradd's default), carol has an
# empty one; password login is on; a config file owned by daemon:adm, mode
# 0640, whose last line has no newline.
# shellcheck disable=SC2016  # expanded on the target
tb_ssh root '
	set -e
	useradd -m -s /bin/sh alice && echo "alice:Alice-pass-1" | chpasswd
	useradd -m -s /bin/sh bob
	useradd -m -s /bin/sh carol && passwd -d carol >/dev/null
	chage -d 2024-01-01 alice
	printf "PasswordAuthentication yes\n" >/etc/ssh/sshd_config.d/10-test.conf
	kill "$(cat /run/sshd.pid)"
	printf "# test\ngreeting=hello\nremove-me=1\nkeep=1\nremove-me=2\nlast-without-newline=1" >/etc/shelfready-test.conf
	chown daemon:adm /etc/shelfready-test.conf
	chmod 0640 /etc/shelfready-test.conf
' || fail "could not prepare the target"
# sshd was stopped so that the test configuration applies: wait for the new one
i=0
until tb_ssh root 'sshd -T | grep -qx "passwordauthentication yes"' 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "sshd did not come back with password login on"; finish; }
	sleep 0.2
done

cat >"$SR_TMP/steps.yaml" <<'YAML'
name: st-steps
vars:
  greeting: "hello"
remediate:
  - id: expire
    type: expire-password
    with:
      users: [alice, bob, carol]
      disable_password_login: true
  - id: max-auth-tries
    type: file-line
    with:
      path: /etc/ssh/sshd_config
      regexp: '^#?MaxAuthTries[[:space:]]'
      line: MaxAuthTries 4
  - id: greeting
    type: file-line
    with:
      path: /etc/shelfready-test.conf
      regexp: '^greeting='
      line: 'greeting=${greeting} it''s $(touch /tmp/canary) `touch /tmp/canary` "q" \ / & naïve'
  - id: append
    type: file-line
    with: {path: /etc/shelfready-test.conf, line: "appended=1"}
  - id: remove
    type: file-line
    with: {path: /etc/shelfready-test.conf, state: absent, regexp: '^remove-me='}
  - id: create
    type: file-line
    with:
      path: '/etc/shelfready it''s `touch canary` $(touch canary).conf'
      line: created=1
      create: true
      mode: "0600"
      owner: "root:adm"
  - id: cron
    type: service
    with: {name: cron, state: stopped, enabled: false}
  - id: bc
    type: package
    with: {names: [bc]}
YAML

# snapshot FILE: what a dry run must not change, from the target
snapshot() {
	# shellcheck disable=SC2016  # expanded on the target
	tb_ssh root '
		find /etc /root /home /tmp -xdev \( -type f -o -type l \) 2>/dev/null | LC_ALL=C sort |
		while IFS= read -r f; do
			if [ -L "$f" ]; then printf "%s -> %s\n" "$f" "$(readlink "$f")"
			else printf "%s %s %s\n" "$(md5sum <"$f" | cut -c1-32)" "$(stat -c "%a %U:%G" "$f")" "$f"; fi
		done
		md5sum /var/lib/dpkg/status
		pgrep -x cron >/dev/null && echo "cron runs" || echo "cron stopped"
		cat /run/sshd.pid
	' >"$1"
}

# no_canary WHAT: the canary files must not exist on the target
no_canary() {
	if tb_ssh root 'ls /tmp/canary /root/canary /canary 2>/dev/null' | grep -q .; then
		fail "$1: a canary file appeared: a value was executed"
	else
		pass "$1: no canary file"
	fi
}

# summary_is TEXT WHAT: the run's summary line
summary_is() {
	if grep -q "^shelfready run: .*: $1\$" "$SR_TMP/out"; then pass "$2"; else
		fail "$2: the summary is not '$1': $(grep '^shelfready run: .* s' "$SR_TMP/out")"
	fi
}
out_has() {
	if grep -qF -- "$1" "$SR_TMP/out"; then pass "$2"; else fail "$2: '$1' is not in the output"; fi
}

# ---- hostile values are refused at load time: exit 2, no connection -----
cat >"$SR_TMP/hostile.yaml" <<'YAML'
name: hostile
remediate:
  - id: users
    type: expire-password
    with: {users: [root, "x$(touch /tmp/canary)", "`touch /tmp/canary`", "a b"]}
  - id: line
    type: file-line
    with: {path: /etc/x, line: "one\ntwo $(touch /tmp/canary)", owner: "root;touch /tmp/canary"}
  - id: svc
    type: service
    with: {name: "cron; touch /tmp/canary", state: started}
  - id: pkg
    type: package
    with: {names: [bc, "bc; touch /tmp/canary", "$(touch /tmp/canary)", "-o", "bc=1"]}
YAML
# shellcheck disable=SC2086
run 2 "$SR" run -p "$SR_TMP/hostile.yaml" $conn
for want in "hostile.yaml:5:26: error: 'x\$(touch /tmp/canary)' in 'users'" \
	"hostile.yaml:5:51: error: '\`touch /tmp/canary\`' in 'users'" \
	"hostile.yaml:5:74: error: 'a b' in 'users'" \
	"hostile.yaml:8:32: error: 'line' of step 'line' (file-line) must be one line" \
	"hostile.yaml:8:72: error: 'owner' of step 'line'" \
	"hostile.yaml:11:18: error: 'name' of step 'svc' (service) is not a valid service name" \
	"hostile.yaml:14:24: error: 'bc; touch /tmp/canary' in 'names'" \
	"hostile.yaml:14:49: error: '\$(touch /tmp/canary)' in 'names'" \
	"hostile.yaml:14:73: error: '-o' in 'names'" "hostile.yaml:14:79: error: 'bc=1' in 'names'"; do
	err_has "$want" "refused at load: $want"
done
if grep -q '^shelfready run: ' "$SR_TMP/out"; then fail "it connected despite the errors"; else
	pass "nothing connected"
fi
# a variable is data: one with a newline in a line is refused, at the variable's use
# shellcheck disable=SC2086
run 2 "$SR" run -p "$SR_TMP/steps.yaml" --var 'greeting=a
b $(touch /tmp/canary)' $conn
err_has "'line' of step 'greeting' (file-line) must be one line: it contains a newline" \
	"a variable's newline is refused"
no_canary "hostile values at load time"

# ---- a dry run changes nothing -----------------------------------------
snapshot "$SR_TMP/before"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/steps.yaml" --dry-run $conn
snapshot "$SR_TMP/after"
if cmp -s "$SR_TMP/before" "$SR_TMP/after"; then pass "the dry run changed nothing"; else
	fail "the dry run changed the target"
	diff "$SR_TMP/before" "$SR_TMP/after"
fi
summary_is "8 changed, 0 ok, 0 skipped, 0 failed" "the dry run says all 8 steps would change"
out_has "would expire the password of 'alice'" "dry run: alice"
out_has "skipped 'bob' (password locked: key-only or disabled), 'carol' (no password set)" \
	"dry run: bob and carol are skipped, and it says so"
out_has "would turn password login off: PasswordAuthentication no in /etc/ssh/sshd_config.d/00-shelfready-no-password-login.conf" \
	"dry run: the sshd drop-in"
out_has "would change '/etc/ssh/sshd_config': replace line" "dry run: MaxAuthTries"
out_has "would stop 'cron' and disable it at boot (sysv)" "dry run: cron"
out_has "would install bc (apt-get)" "dry run: bc"
no_canary "the dry run"

# ---- the run -----------------------------------------------------------
sshd_pid=$(tb_ssh root 'cat /run/sshd.pid')
tb_ssh root 'getent shadow bob carol' | cut -d: -f1,3 >"$SR_TMP/bc-before"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/steps.yaml" $conn
summary_is "8 changed, 0 ok, 0 skipped, 0 failed" "the run changes all 8 steps"
out_has "[1/8 expire] changed" "expire-password changed"
out_has "skipped 'bob' (password locked: key-only or disabled), 'carol' (no password set)" \
	"the summary names the skipped accounts"
check_eq "alice must change her password at next login" 0 \
	"$(tb_ssh root 'getent shadow alice' | cut -d: -f3)"
tb_ssh root 'getent shadow bob carol' | cut -d: -f1,3 >"$SR_TMP/bc-after"
if cmp -s "$SR_TMP/bc-before" "$SR_TMP/bc-after"; then pass "bob and carol were left alone"; else
	fail "bob or carol changed: $(cat "$SR_TMP/bc-after")"
fi
check_eq "password login is off" "passwordauthentication no" \
	"$(tb_ssh root 'sshd -T | grep ^passwordauthentication')"
check_eq "the drop-in" "PasswordAuthentication no KbdInteractiveAuthentication no" \
	"$(tb_ssh root 'grep -v "^#" /etc/ssh/sshd_config.d/00-shelfready-no-password-login.conf' | tr '\n' ' ' | sed 's/ $//')"
check_eq "sshd was reloaded, not restarted (same pid)" "$sshd_pid" "$(tb_ssh root 'cat /run/sshd.pid')"
if grep -q 'Received SIGHUP' "$INSTANCE_DIR/sshd.log"; then pass "sshd received SIGHUP"; else
	fail "sshd's log shows no SIGHUP"
fi
# the steps after the reload ran on the same connection: all 8 reported
out_has "[8/8 bc] changed" "the connection in use survived the reload"
check_eq "MaxAuthTries" "MaxAuthTries 4" "$(tb_ssh root 'grep "^MaxAuthTries" /etc/ssh/sshd_config')"
check_eq "a backup of sshd_config" 1 "$(tb_ssh root 'ls /etc/ssh/sshd_config.shelfready-* | wc -l')"
# the edited file: hostile text as data, the last line fixed, owner and mode kept
printf '%s\n' "# test" "greeting=hello it's \$(touch /tmp/canary) \`touch /tmp/canary\` \"q\" \\ / & naïve" \
	"keep=1" "last-without-newline=1" "appended=1" >"$SR_TMP/want.conf"
tb_ssh root 'cat /etc/shelfready-test.conf' >"$SR_TMP/got.conf"
if cmp -s "$SR_TMP/want.conf" "$SR_TMP/got.conf"; then pass "the edited file is byte for byte as expected"; else
	fail "the edited file differs"
	diff "$SR_TMP/want.conf" "$SR_TMP/got.conf"
fi
check_eq "owner and mode kept" "640 daemon:adm" "$(tb_ssh root 'stat -c "%a %U:%G" /etc/shelfready-test.conf')"
check_eq "three backups, the first of the original" "3 $(printf '# test\ngreeting=hello\nremove-me=1\nkeep=1\nremove-me=2\nlast-without-newline=1' | md5sum | cut -c1-32)" \
	"$(tb_ssh root 'ls /etc/shelfready-test.conf.shelfready-* | wc -l; md5sum <"$(ls /etc/shelfready-test.conf.shelfready-* | head -n 1)" | cut -c1-32' | tr '\n' ' ' | sed 's/ $//')"
check_eq "no temporary files left" "" "$(tb_ssh root 'ls -a /etc /etc/ssh /tmp | grep -E "^\.(.*)\.shelfready-|shelfready-package-"')"
check_eq "the created file" "600 root:adm created=1" \
	"$(tb_ssh root 'f=$(find /etc -maxdepth 1 -name "shelfready it*conf"); echo "$(stat -c "%a %U:%G" "$f") $(cat "$f")"')"
check_eq "cron stopped and disabled" "stopped 4 0" \
	"$(tb_ssh root 'pgrep -x cron >/dev/null && echo runs || echo stopped; ls /etc/rc[2-5].d | grep -c "^K..cron"; ls /etc/rc[2-5].d | grep -c "^S..cron"' | tr '\n' ' ' | sed 's/ $//')"
check_eq "bc installed" "ii" "$(tb_ssh root 'dpkg-query -W -f="\${db:Status-Abbrev}" bc' | cut -c1-2)"
no_canary "the run"

# ---- a second run changes nothing --------------------------------------
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/steps.yaml" $conn
summary_is "0 changed, 8 ok, 0 skipped, 0 failed" "the second run changes nothing"
out_has "[1/8 expire] ok (" "expire-password: ok"
out_has "'alice' must already change the password at next login" "alice is already expired"
out_has "password login is already off" "password login is already off"
no_canary "the second run"

# ---- each step's failure: a clear message, exit 4 ----------------------
fails() { # ID TYPE WITH MESSAGE
	printf 'name: st-fail\nremediate:\n  - id: %s\n    type: %s\n    with: %s\n' "$1" "$2" "$3" \
		>"$SR_TMP/fail.yaml"
	# shellcheck disable=SC2086
	run 4 "$SR" run -p "$SR_TMP/fail.yaml" $conn
	err_has "shelfready run: step '$1' failed: $4" "$2 fails clearly: $4"
}
fails no-user expire-password "{users: [alice, nosuchuser]}" "no account 'nosuchuser' on the target"
fails no-file file-line "{path: /etc/nonexistent.conf, line: x}" \
	"'/etc/nonexistent.conf' does not exist (set 'create: true' to create it)"
fails no-dir file-line "{path: /nonexistent/x.conf, line: x, create: true}" \
	"cannot create '/nonexistent/x.conf': its directory does not exist"
fails not-file file-line "{path: /etc/ssh, line: x}" "cannot read '/etc/ssh': it is not a regular file"
fails no-service service "{name: nosuchservice, state: started}" \
	"no service 'nosuchservice' on the target (no /etc/init.d script)"
fails no-package package "{names: [bc, shelfready-no-such-package]}" \
	"apt-get failed (exit 100): E: Unable to locate package shelfready-no-such-package"
no_canary "the failures"

# sshd -t refuses the change: it is undone, exit 4
# shellcheck disable=SC2016  # expanded on the target
tb_ssh root '
	rm -f /etc/ssh/sshd_config.d/00-shelfready-no-password-login.conf
	mv /usr/sbin/sshd /usr/sbin/sshd.real
	printf "#!/bin/sh\n[ \"\$1\" = -t ] && { echo \"line 1: Bad configuration option: x\" >&2; exit 255; }\nexec /usr/sbin/sshd.real \"\$@\"\n" >/usr/sbin/sshd
	chmod 0755 /usr/sbin/sshd
' || fail "could not put a refusing sshd in place"
tb_ssh root 'find /etc/ssh -type f | LC_ALL=C sort | xargs md5sum' >"$SR_TMP/ssh-before"
fails sshd-refuses expire-password "{disable_password_login: true}" \
	"cannot turn password login off: sshd -t refused the change (undone): line 1: Bad configuration option: x"
tb_ssh root 'find /etc/ssh -type f | LC_ALL=C sort | xargs md5sum' >"$SR_TMP/ssh-after"
if cmp -s "$SR_TMP/ssh-before" "$SR_TMP/ssh-after"; then pass "the refused change was undone"; else
	fail "/etc/ssh changed although sshd -t refused"
	diff "$SR_TMP/ssh-before" "$SR_TMP/ssh-after"
fi
tb_ssh root 'mv -f /usr/sbin/sshd.real /usr/sbin/sshd' || fail "could not restore sshd"

# ---- sshd_config itself, when it does not include sshd_config.d ---------
# (the testbed's own listen address moves to a directory of its own)
# shellcheck disable=SC2016  # expanded on the target
tb_ssh root '
	mkdir -p /etc/ssh/listen.d
	cp /etc/ssh/sshd_config.d/00-testbed-listen.conf /etc/ssh/listen.d/
	sed -i "s|^Include /etc/ssh/sshd_config.d/\*.conf|Include /etc/ssh/listen.d/*.conf|" /etc/ssh/sshd_config
	sed -i "s/^PasswordAuthentication no/PasswordAuthentication yes/" /etc/ssh/sshd_config
	sshd -T | grep ^passwordauthentication
' >"$SR_TMP/pa" || fail "could not drop the Include"
check_eq "password login is on again" "passwordauthentication yes" "$(cat "$SR_TMP/pa")"
printf 'name: st-main\nremediate:\n  - id: nopw\n    type: expire-password\n    with: {disable_password_login: true}\n' \
	>"$SR_TMP/main.yaml"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/main.yaml" $conn
out_has "password login off (/etc/ssh/sshd_config, backup /etc/ssh/sshd_config.shelfready-" \
	"without Include, sshd_config itself is changed, with a backup"
check_eq "the block is at the top" "# shelfready expire-password: password login is off (disable_password_login)
PasswordAuthentication no
KbdInteractiveAuthentication no" "$(tb_ssh root 'head -n 3 /etc/ssh/sshd_config')"
check_eq "and in effect" "passwordauthentication no" "$(tb_ssh root 'sshd -T | grep ^passwordauthentication')"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/main.yaml" $conn
summary_is "0 changed, 1 ok, 0 skipped, 0 failed" "and the second run changes nothing"

# ---- services: rc links by hand without update-rc.d; restart, reload ----
tb_ssh root 'mv /usr/sbin/update-rc.d /usr/sbin/update-rc.d.off' || fail "could not hide update-rc.d"
cat >"$SR_TMP/svc.yaml" <<'YAML'
name: st-svc
remediate:
  - id: cron-on
    type: service
    with: {name: cron.service, state: started, enabled: true}
YAML
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/svc.yaml" $conn
out_has "started 'cron' and enabled it at boot (sysv)" "cron started and enabled by hand"
check_eq "S links in runlevels 2-5" "4 0" \
	"$(tb_ssh root 'ls /etc/rc[2-5].d | grep -c "^S..cron"; ls /etc/rc[2-5].d | grep -c "^K..cron"' | tr '\n' ' ' | sed 's/ $//')"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/svc.yaml" $conn
summary_is "0 changed, 1 ok, 0 skipped, 0 failed" "a second service run changes nothing"
tb_ssh root 'mv /usr/sbin/update-rc.d.off /usr/sbin/update-rc.d' || fail "could not restore update-rc.d"
cron_pid=$(tb_ssh root 'pgrep -x cron')
printf 'name: st-restart\nremediate:\n  - id: r\n    type: service\n    with: {name: cron, state: restarted}\n' \
	>"$SR_TMP/restart.yaml"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/restart.yaml" $conn
out_has "restarted 'cron' (sysv)" "restarted is an action"
new_pid=$(tb_ssh root 'pgrep -x cron')
if [ -n "$new_pid" ] && [ "$new_pid" != "$cron_pid" ]; then pass "cron runs with a new pid"; else
	fail "cron's pid after the restart: '$new_pid' (was $cron_pid)"
fi

# ---- the connection drops while apt-get runs -----------------------------
# apt-get waits 6 s before dpkg (a Pre-Invoke hook); meanwhile every root
# session's sshd is killed. The package manager goes on; the step connects
# again and waits for it.
tb_ssh root 'echo "DPkg::Pre-Invoke { \"sleep 6\"; };" >/etc/apt/apt.conf.d/99slow' ||
	fail "could not slow apt-get down"
printf 'name: st-drop\nremediate:\n  - id: less\n    type: package\n    with: {names: [less]}\n' \
	>"$SR_TMP/drop.yaml"
# shellcheck disable=SC2016  # expanded on the target
tb_ssh root 'i=0
	until pgrep -x apt-get >/dev/null; do
		i=$((i + 1)); [ $i -lt 300 ] || exit 1; sleep 0.2
	done
	sleep 1
	pkill -f "sshd: root@notty"' >/dev/null 2>&1 &
killer=$!
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/drop.yaml" $conn
wait $killer
out_has "the connection dropped; apt-get: install less goes on on the target; connecting again" \
	"the dropped connection is reported"
out_has "[1/1 less] changed" "and the step waited for apt-get to finish"
check_eq "less installed, no run directory left" "ii " \
	"$(tb_ssh root 'dpkg-query -W -f="\${db:Status-Abbrev}" less; ls -d /tmp/shelfready-package-* 2>/dev/null')"
tb_ssh root 'rm -f /etc/apt/apt.conf.d/99slow' || fail "could not remove the apt hook"

# ---- file-line through --sudo as builder --------------------------------
printf 'name: st-sudo\nremediate:\n  - id: sudo-edit\n    type: file-line\n    with: {path: /etc/shelfready-test.conf, line: "by-sudo=1", insert: start}\n' \
	>"$SR_TMP/sudo.yaml"
sudo_conn="--no-refresh --no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --sudo builder@$TB_HOST:$TB_PORT"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/sudo.yaml" $sudo_conn
out_has "add 'by-sudo=1' at line 1" "edited through sudo"
check_eq "first line, owner and mode" "by-sudo=1 640 daemon:adm" \
	"$(tb_ssh root 'echo "$(head -n 1 /etc/shelfready-test.conf) $(stat -c "%a %U:%G" /etc/shelfready-test.conf)"')"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/sudo.yaml" $sudo_conn
summary_is "0 changed, 1 ok, 0 skipped, 0 failed" "a second run through sudo changes nothing"
no_canary "the end"
finish
