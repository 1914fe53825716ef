#!/bin/sh
# make demo: start the local testbed VM and show what shelfready does today.
set -eu
cd "$(dirname "$0")/.."
SR=${SHELFREADY:-build/shelfready}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "shelfready $("$SR" --version | head -n 1): bundled profiles"
"$SR" profiles --checks

say "The resolved plan of the bundled alibaba-marketplace profile"
"$SR" plan -p alibaba-marketplace

say "lint catches every problem in a profile, with file:line:col"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/vendor.yaml" <<'YAML'
name: vendor-image
extends: alibaba-marketplace
remediate:
  - id: install-app
    type: scirpt
    with: {inline: "echo ${app_version}"}
verify:
  - id: app-running
    type: command
    title: the app answers
    when: os.famly == "debian"
    with: {command: "pgrep -x app", retries: 3}
waivers:
  - check: server-guard-runing
    reason: international site product
    expires: 2026-02-30
YAML
"$SR" lint "$tmp/vendor.yaml" || echo "(lint exited $?: nothing would run)"

say "Starting the testbed: a Debian 12 build VM with a real sshd on loopback"
if [ "$(id -u)" -eq 0 ]; then
	scripts/testbed.sh up demo
	eval "$(scripts/testbed.sh env demo)"
	echo "ssh -p $TB_PORT $TB_USER@$TB_HOST: $(ssh $TB_SSH_OPTS "$TB_USER@$TB_HOST" 'grep PRETTY_NAME /etc/os-release; apt list --upgradable 2>/dev/null | grep -c security | sed "s/$/ pending security updates/"')"
	echo "(stop it with: scripts/testbed.sh down demo)"
else
	echo "skipped: the testbed needs root"
fi

say "Not built yet"
cat <<'TXT'
Connecting to a target over SSH and gathering facts (shelfready facts),
verification with reports (shelfready verify) and remediation (shelfready run)
are not implemented yet; lint, plan and profiles work as shown above.
TXT
