#!/bin/sh
# verify-first-login: the webapp-first-login check (clause 2.2.2-4) against a
# fresh testbed in its own network namespace, so that only its own sockets
# are seen. Nothing listens on a web port: it passes, in the bundled profile
# too. A listener on port 80: it fails naming the socket. The first-login
# reset of docs/first-login.md planted by hand: it passes. The reset run on
# the build VM leaves a credentials file (named, its contents never
# gathered) and a done marker (named once the systemd unit is the only
# trigger): it fails; cleaned up, it passes again.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
tb_fresh e2e-first-login --delay 1 || finish
conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS root@$TB_HOST:$TB_PORT"

# json FILE EXPR: a python expression over the parsed report d
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# status FILE / summary FILE / evidence FILE: of the webapp-first-login check
status() { json "$1" "[c['status'] for c in d['checks'] if c['id'] == 'webapp-first-login'][0]"; }
summary() { json "$1" "[c['summary'] for c in d['checks'] if c['id'] == 'webapp-first-login'][0]"; }
evidence() { json "$1" "'\\n'.join(e for c in d['checks'] if c['id'] == 'webapp-first-login' for e in c['evidence'])"; }
failing() { json "$1" '" ".join(sorted(c["id"] for c in d["checks"] if c["status"] == "fail"))'; }
# has FILE TEXT WHAT: the check's evidence or summary holds TEXT
has() {
	if { summary "$1"; evidence "$1"; } | grep -qF -- "$2"; then pass "$3"; else fail "$3: '$2' not in the summary or evidence"; fi
}

# The check alone, with the application list as a variable, as in the bundled profile.
cat >"$SR_TMP/fl.yaml" <<'YAML'
name: first-login-only
vars:
  webapps: ""
verify:
  - id: webapp-first-login
    type: webapp-first-login
    title: Web applications get new credentials at the first boot of every instance
    severity: high
    ref: "2.2.2-4"
    with:
      apps: ${webapps}
YAML
cat >"$SR_TMP/ext.yaml" <<'YAML'
name: extends-marketplace
extends: alibaba-marketplace
YAML

# 1. Fresh: only sshd listens.
# shellcheck disable=SC2086
run 0 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --report text --report "json=$SR_TMP/fresh.json"
check_eq "fresh: passes" pass "$(status "$SR_TMP/fresh.json")"
check_eq "fresh: the summary" "no web server listens and no first-login reset is installed" \
	"$(summary "$SR_TMP/fresh.json")"
has "$SR_TMP/fresh.json" "other listening TCP sockets: $TB_HOST:$TB_PORT" "fresh: the sshd socket is what was looked at"
has "$SR_TMP/fresh.json" "looked for: TCP ports 80, 443, 8080, 8443, 8000, 8888" "fresh: the web ports looked for are named"

# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/ext.yaml" --no-refresh $conn --report "json=$SR_TMP/ext.json" \
	--save-facts "$SR_TMP/facts.json"
check_eq "a profile extending alibaba-marketplace: the check passes" pass "$(status "$SR_TMP/ext.json")"
check_eq "the check carries its clause" 2.2.2-4 \
	"$(json "$SR_TMP/ext.json" "[c['ref'] for c in d['checks'] if c['id'] == 'webapp-first-login'][0]")"
case " $(failing "$SR_TMP/ext.json") " in
*" webapp-first-login "*) fail "webapp-first-login fails on a fresh VM" ;;
*) pass "webapp-first-login is not among the failures of a fresh VM" ;;
esac
check_eq "the facts hold the section" first-login \
	"$(json "$SR_TMP/facts.json" 'd["first_login"]["src"]["section"]')"
run 1 "$SR" verify -p "$SR_TMP/ext.yaml" --facts "$SR_TMP/facts.json" --report "json=$SR_TMP/offline.json"
check_eq "the saved facts give the same verdict offline" pass "$(status "$SR_TMP/offline.json")"

# 2. A web server on port 80 (perl is in every Debian: perl-base).
# shellcheck disable=SC2016  # expanded on the target
tb_ssh root '
	nohup perl -MIO::Socket::INET -e "
		my \$s = IO::Socket::INET->new(LocalAddr => q(0.0.0.0), LocalPort => 80,
			Listen => 5, ReuseAddr => 1) or die q(listen: ), \$!;
		sleep 600" </dev/null >/dev/null 2>&1 &
	i=0
	while ! grep -q "^ *[0-9]*: 00000000:0050 " /proc/net/tcp; do
		i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1
	done' || fail "could not start a listener on port 80"
# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --report text --report "json=$SR_TMP/web.json"
check_eq "a listener on port 80: fails" fail "$(status "$SR_TMP/web.json")"
has "$SR_TMP/web.json" "no first-login credential reset is installed for the web application served on 0.0.0.0:80" \
	"the finding names the socket"
has "$SR_TMP/web.json" "0.0.0.0:80 (process unknown): a web server (port 80)" \
	"the evidence says why it is a web server (no ss on the VM: /proc/net/tcp names no process)"
if grep -q "webapp-first-login" "$SR_TMP/out" && grep -q "docs/first-login.md" "$SR_TMP/out"; then
	pass "the text report points to the step and docs/first-login.md"
else
	fail "the text report does not point to the step and docs/first-login.md"
fi

# 3. The reset of docs/first-login.md, planted by hand for the application "shop".
# shellcheck disable=SC2016  # expanded on the target
tb_ssh root '
	set -e
	mkdir -p /usr/local/libexec/shelfready /var/lib/cloud/scripts/per-instance \
		/etc/systemd/system/multi-user.target.wants
	cat >/usr/local/libexec/shelfready/first-login-shop <<"EOF"
#!/bin/sh
# new credentials for shop at the first boot of this instance
umask 077
set -e
pw=$(tr -dc "A-Za-z0-9" </dev/urandom | head -c 24)
mkdir -p /root/.shelfready/first-login /var/lib/shelfready/first-login /etc/motd.d
printf "user=admin\npassword=%s\n" "$pw" >/root/.shelfready/first-login/shop.credentials.new
mv /root/.shelfready/first-login/shop.credentials.new /root/.shelfready/first-login/shop.credentials
echo "shop: your credentials are in /root/.shelfready/first-login/shop.credentials; change them at your first login" \
	>/etc/motd.d/shelfready-first-login-shop
chmod 644 /etc/motd.d/shelfready-first-login-shop
touch /var/lib/shelfready/first-login/shop.done
EOF
	chmod 700 /usr/local/libexec/shelfready/first-login-shop
	printf "#!/bin/sh\nexec /usr/local/libexec/shelfready/first-login-shop\n" \
		>/var/lib/cloud/scripts/per-instance/shelfready-first-login-shop
	chmod 755 /var/lib/cloud/scripts/per-instance/shelfready-first-login-shop
	printf "[Unit]\nConditionPathExists=!/var/lib/shelfready/first-login/shop.done\nAfter=cloud-final.service\n[Service]\nType=oneshot\nExecStart=/usr/local/libexec/shelfready/first-login-shop\nRemainAfterExit=yes\n[Install]\nWantedBy=multi-user.target\n" \
		>/etc/systemd/system/shelfready-first-login-shop.service
	ln -sf /etc/systemd/system/shelfready-first-login-shop.service \
		/etc/systemd/system/multi-user.target.wants/shelfready-first-login-shop.service
' || fail "could not plant the first-login reset"
# shellcheck disable=SC2086
run 0 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --var webapps=shop --report "json=$SR_TMP/planted.json"
check_eq "planted, both triggers: passes" \
	"pass: first-login credential reset installed for shop (cloud-init hook, systemd unit)" \
	"$(status "$SR_TMP/planted.json"): $(summary "$SR_TMP/planted.json")"
has "$SR_TMP/planted.json" "/usr/local/libexec/shelfready/first-login-shop: file, owner uid 0, mode 0700" \
	"the reset script's owner and mode are evidence"
has "$SR_TMP/planted.json" "ConditionPathExists=!/var/lib/shelfready/first-login/shop.done" \
	"the unit's guard is evidence"
has "$SR_TMP/planted.json" "0.0.0.0:80 (process unknown): a web server" "the web server is still noted"
# declared or not: what is installed is judged
# shellcheck disable=SC2086
run 0 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --report "json=$SR_TMP/undeclared.json"
has "$SR_TMP/undeclared.json" "shop: not declared in 'apps', found on the target" "an undeclared reset is judged"

# 4. The reset run on the build VM: its credentials and done marker would ship.
tb_ssh root /var/lib/cloud/scripts/per-instance/shelfready-first-login-shop ||
	fail "the planted reset did not run"
secret=$(tb_ssh root 'sed -n "s/^password=//p" /root/.shelfready/first-login/shop.credentials')
if [ ${#secret} -eq 24 ]; then pass "the reset wrote new credentials"; else fail "no password in the credentials file"; fi
# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --var webapps=shop --report text \
	--report "json=$SR_TMP/cred.json" --save-facts "$SR_TMP/cred-facts.json"
check_eq "a credentials file left: fails" fail "$(status "$SR_TMP/cred.json")"
has "$SR_TMP/cred.json" "shop: the credentials file /root/.shelfready/first-login/shop.credentials exists" \
	"the finding names the credentials file"
has "$SR_TMP/cred.json" "/var/lib/shelfready/first-login/shop.done: present; the cloud-init hook runs once per instance anyway" \
	"with the hook, the done marker is only noted"
if [ -n "$secret" ] && grep -qF -- "$secret" "$SR_TMP/cred-facts.json" "$SR_TMP/cred.json" "$SR_TMP/out"; then
	fail "the password reached the facts or the reports"
else
	pass "the credentials' contents are never gathered"
fi

# 5. Only the systemd trigger: the done marker keeps the reset from running on instances.
tb_ssh root 'rm -f /root/.shelfready/first-login/shop.credentials /var/lib/cloud/scripts/per-instance/shelfready-first-login-shop' ||
	fail "could not remove the hook"
# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --var webapps=shop --report "json=$SR_TMP/done.json"
check_eq "a done marker with only the systemd trigger: fails" \
	"fail: shop: the done marker /var/lib/shelfready/first-login/shop.done exists: with only the systemd trigger the reset will not run on the instances made from the image" \
	"$(status "$SR_TMP/done.json"): $(summary "$SR_TMP/done.json")"

# 6. Cleaned for capture: passes with the systemd trigger alone.
tb_ssh root 'rm -f /var/lib/shelfready/first-login/shop.done /etc/motd.d/shelfready-first-login-shop' ||
	fail "could not clean up"
# shellcheck disable=SC2086
run 0 "$SR" verify -p "$SR_TMP/fl.yaml" --no-refresh $conn --var webapps=shop --report "json=$SR_TMP/clean.json"
check_eq "cleaned up: passes" "pass: first-login credential reset installed for shop (systemd unit)" \
	"$(status "$SR_TMP/clean.json"): $(summary "$SR_TMP/clean.json")"
finish
