#!/bin/sh
# run-webapp: the `webapp-first-login` step on a fresh testbed VM, for a fake
# web application that keeps its administrator password in a file. A dry run
# installs nothing; the run installs the reset of docs/first-login.md (reset
# script, cloud-init hook, systemd unit) and the webapp-first-login check
# passes in the same run; a second run changes nothing. The first boot of an
# instance is simulated by running the cloud-init per-instance hook by hand
# (the testbed has no cloud-init; its boot runs only the S scripts of
# /etc/rc2.d): the application gets a new password, the credentials are
# root's only, the message of the day points to them (a login shows it),
# the done marker is written, and the password shows in no output. Left on
# the build VM, those fail the check; the next run removes them, then
# changes nothing. builtin: mysql, with a stand-in mysql client that records
# what it gets, sends ALTER USER ... PASSWORD EXPIRE on standard input and
# no password as an argument. The bundled profile's step follows its
# variables.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
tb_fresh cl-webapp || finish
conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh root@$TB_HOST:$TB_PORT"
R=$TB_ROOTFS

# json FILE EXPR: a python expression over the parsed report d
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
verdict() { json "$1" "[c['status'] + ': ' + c['summary'] for c in d['checks'] if c['id'] == 'webapp-first-login'][0]"; }
out_has() {
	if grep -qF -- "$1" "$SR_TMP/out"; then pass "$2"; else fail "$2: '$1' is not in the output"; fi
}
# mode FILE: owner and permission bits on the target, as "root 700"
mode() { stat -c '%U %a' "$R$1" 2>/dev/null; }

cat >"$SR_TMP/reset-fakeapp.sh" <<'EOF'
# fakeapp keeps its administrator password in /opt/fakeapp/admin.pass
set -e
IFS= read -r pw
[ -n "$pw" ] || exit 2
printf '%s\n' "$pw" >/opt/fakeapp/admin.pass.new
chmod 640 /opt/fakeapp/admin.pass.new
mv -f /opt/fakeapp/admin.pass.new /opt/fakeapp/admin.pass
echo "fakeapp: administrator password changed for $SHELFREADY_USER"
EOF
cat >"$SR_TMP/p.yaml" <<'EOF'
name: run-webapp
version: "1"
remediate:
  - id: fakeapp-first-login
    type: webapp-first-login
    with:
      name: fakeapp
      file: reset-fakeapp.sh
      user: admin
      triggers: [cloud-init, systemd]
verify:
  - id: webapp-first-login
    type: webapp-first-login
    title: Web applications get new credentials at the first boot of every instance
    severity: high
    ref: "2.2.2-4"
    with:
      apps: fakeapp
EOF
tb_ssh root 'mkdir -p /opt/fakeapp && echo build-password >/opt/fakeapp/admin.pass' ||
	fail "could not set up the fake application"

ALL_OUT=$SR_TMP/all-output
: >"$ALL_OUT"

# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/p.yaml" $conn --report "json=$SR_TMP/before.json"
case $(verdict "$SR_TMP/before.json") in
fail:*) pass "before: the check fails, no reset installed" ;;
*) fail "before: $(verdict "$SR_TMP/before.json")" ;;
esac

# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" --dry-run $conn
out_has "[1/1 fakeapp-first-login] would install reset script /usr/local/libexec/shelfready/first-login-fakeapp" \
	"dry run: says it would install the reset script"
check -m "dry run: nothing installed" test ! -e "$R/usr/local/libexec/shelfready"

# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $conn --report "json=$SR_TMP/run1.json"
out_has "[1/1 fakeapp-first-login] changed (" "run 1: changed"
out_has "first-login reset of fakeapp: installed reset script, cloud-init hook, systemd unit, link enabling the unit" \
	"run 1: says what it installed"
check_eq "run 1: the check passes in the same run" \
	"pass: first-login credential reset installed for fakeapp (cloud-init hook, systemd unit)" \
	"$(verdict "$SR_TMP/run1.json")"
check_eq "reset script: root, 0700" "root 700" "$(mode /usr/local/libexec/shelfready/first-login-fakeapp)"
check_eq "cloud-init hook: root, 0700" "root 700" \
	"$(mode /var/lib/cloud/scripts/per-instance/shelfready-first-login-fakeapp)"
check_eq "the hook runs the reset script" "$(printf '#!/bin/sh\nexec /usr/local/libexec/shelfready/first-login-fakeapp')" \
	"$(cat "$R/var/lib/cloud/scripts/per-instance/shelfready-first-login-fakeapp")"
check_eq "systemd unit: root, 0644" "root 644" "$(mode /etc/systemd/system/shelfready-first-login-fakeapp.service)"
check -m "the unit is guarded by the done marker" grep -qx \
	'ConditionPathExists=!/var/lib/shelfready/first-login/fakeapp.done' \
	"$R/etc/systemd/system/shelfready-first-login-fakeapp.service"
check_eq "the unit is enabled" /etc/systemd/system/shelfready-first-login-fakeapp.service \
	"$(readlink "$R/etc/systemd/system/multi-user.target.wants/shelfready-first-login-fakeapp.service")"
check_eq "the build's password is still the application's" build-password "$(cat "$R/opt/fakeapp/admin.pass")"

# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $conn
check -m "run 2: 0 changed" grep -q ': 0 changed, 1 ok, 0 skipped, 0 failed$' "$SR_TMP/out"
out_has "first-login reset of fakeapp installed and up to date: reset script, cloud-init hook, systemd unit, link enabling the unit" \
	"run 2: says it is up to date"

# ---- the first boot of an instance, by hand ----
tb_ssh root /var/lib/cloud/scripts/per-instance/shelfready-first-login-fakeapp >"$SR_TMP/boot.out" 2>&1 ||
	fail "the reset failed: $(cat "$SR_TMP/boot.out")"
cat "$SR_TMP/boot.out" >>"$ALL_OUT"
cat "$SR_TMP/boot.out"
CRED=/root/.shelfready/first-login/fakeapp.credentials
pw=$(sed -n 's/^password=//p' "$R$CRED")
check_eq "first boot: a new password of 24 letters and digits" 24 \
	"$(printf '%s' "$pw" | tr -dc 'A-Za-z0-9' | wc -c)"
check_eq "first boot: the application has it" "$pw" "$(cat "$R/opt/fakeapp/admin.pass")"
check -m "first boot: the application's part got the account" grep -qx \
	"fakeapp: administrator password changed for admin" "$SR_TMP/boot.out"
check -m "first boot: the credentials name the account" grep -qx 'user=admin' "$R$CRED"
check_eq "first boot: the credentials are root's, 0600" "root 600" "$(mode "$CRED")"
check_eq "first boot: in a directory of root's, 0700" "root 700" "$(mode /root/.shelfready/first-login)"
check_eq "first boot: the done marker, root, 0644" "root 644" "$(mode /var/lib/shelfready/first-login/fakeapp.done)"
MOTD=/etc/motd.d/shelfready-first-login-fakeapp
check -m "first boot: the message of the day points to the credentials" grep -qF "$CRED" "$R$MOTD"
check_eq "first boot: the pointer is readable by all" "root 644" "$(mode "$MOTD")"
(sleep 2; echo exit) | timeout 20 ssh -tt -F none -o BatchMode=yes -o StrictHostKeyChecking=yes \
	-o UserKnownHostsFile="$TB_KNOWN_HOSTS" -o IdentitiesOnly=yes -i "$TB_KEY" -p "$TB_PORT" \
	"root@$TB_HOST" >"$SR_TMP/login.out" 2>&1
check -m "first boot: a login shows the pointer" grep -qF "they are in $CRED" "$SR_TMP/login.out"
cat "$SR_TMP/login.out" >>"$ALL_OUT"

# left on the build VM, they fail the check; the next run removes them
# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/p.yaml" $conn --report "json=$SR_TMP/left.json"
case $(verdict "$SR_TMP/left.json") in
"fail: fakeapp: the credentials file $CRED exists"*) pass "left on the build VM: the credentials fail the check" ;;
*) fail "left on the build VM: $(verdict "$SR_TMP/left.json")" ;;
esac
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $conn --report "json=$SR_TMP/run3.json"
out_has "[1/1 fakeapp-first-login] removed credentials file $CRED" "run 3: the credentials file is removed"
out_has "[1/1 fakeapp-first-login] removed done marker /var/lib/shelfready/first-login/fakeapp.done" \
	"run 3: the done marker is removed"
out_has "[1/1 fakeapp-first-login] removed MOTD pointer $MOTD" "run 3: the MOTD pointer is removed"
check_eq "run 3: the check passes" \
	"pass: first-login credential reset installed for fakeapp (cloud-init hook, systemd unit)" \
	"$(verdict "$SR_TMP/run3.json")"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $conn
check -m "run 4: 0 changed" grep -q ': 0 changed, 1 ok, 0 skipped, 0 failed$' "$SR_TMP/out"

if [ ${#pw} -eq 24 ] && grep -qF -- "$pw" "$ALL_OUT" "$SR_TMP"/*.json; then
	fail "the new password appears in an output or a report"
else
	pass "the new password appears in no output and no report"
fi

# ---- builtin: mysql, with a stand-in client ----
tb_ssh root '
	cat >/usr/local/bin/mysql <<"EOF"
#!/bin/sh
# stands in for the mysql client: records its arguments and what it reads
printf "%s\n" "$*" >>/root/mysql.argv
case " $* " in *" -e "*) exit 0 ;; esac
cat >>/root/mysql.stdin
EOF
	chmod 755 /usr/local/bin/mysql' || fail "could not install the stand-in mysql client"
cat >"$SR_TMP/mysql.yaml" <<'EOF'
name: run-webapp-mysql
version: "1"
remediate:
  - id: db-first-login
    type: webapp-first-login
    with:
      name: db
      builtin: mysql
      mysql_users: [root, "app@%"]
      triggers: [cloud-init]
EOF
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/mysql.yaml" $conn
out_has "first-login reset of db: installed reset script, cloud-init hook" "mysql: installed"
check -m "mysql: the reset ran" tb_ssh root /var/lib/cloud/scripts/per-instance/shelfready-first-login-db
CRED=/root/.shelfready/first-login/db.credentials
pw_root=$(awk -F= '$1 == "user" { u = $2 } $1 == "password" && u == "root@localhost" { print $2 }' "$R$CRED")
pw_app=$(awk -F= '$1 == "user" { u = $2 } $1 == "password" && u == "app@%" { print $2 }' "$R$CRED")
check_eq "mysql: a password for each account" "24 24" "${#pw_root} ${#pw_app}"
check_eq "mysql: ALTER USER on the client's standard input" \
	"ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw_root' PASSWORD EXPIRE;
ALTER USER 'app'@'%' IDENTIFIED BY '$pw_app' PASSWORD EXPIRE;" "$(cat "$R/root/mysql.stdin")"
if grep -qF -e "$pw_root" -e "$pw_app" "$R/root/mysql.argv"; then fail "mysql: a password was an argument"; else
	pass "mysql: no password in the client's arguments"; fi
check -m "mysql: root on the server's socket" grep -qx -- \
	'--protocol=socket --user=root --batch --skip-column-names' "$R/root/mysql.argv"

# ---- the bundled profile ----
run 2 "$SR" plan -p alibaba-marketplace --var webapp=fakeapp
err_has "needs exactly one of 'script', 'file' and 'builtin'" "bundled: a web application without its reset is a load error"
# shellcheck disable=SC2016  # the reset text, for the target
printf 'webapp: fakeapp\nwebapp_reset: |\n  read -r pw\n  printf "%%s\\n" "$pw" >/opt/fakeapp/admin.pass\n' >"$SR_TMP/vars.yaml"
run 0 "$SR" plan -p alibaba-marketplace --var-file "$SR_TMP/vars.yaml"
check -m "bundled: with the variables the step runs" grep -q 'when: vars.webapp != "" *-> runs' "$SR_TMP/out"
run 0 "$SR" plan -p alibaba-marketplace
check -m "bundled: without them it is skipped" grep -q 'when: vars.webapp != "" *-> skipped' "$SR_TMP/out"
finish
