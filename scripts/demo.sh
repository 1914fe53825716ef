#!/bin/sh
# make demo: start the local testbed VM and show what shelfready does today.
set -eu
cd "$(dirname "$0")/.."
SR=${SHELFREADY:-build/shelfready}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "$("$SR" --version | head -n 1): bundled profiles"
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
  - check: server-gaurd
    reason: international site product
    expires: 2026-02-30
YAML
"$SR" lint "$tmp/vendor.yaml" || echo "(lint exited $?: nothing would run)"

say "Starting the testbed: a Debian 12 build VM with a real sshd on loopback"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the testbed needs root"
	exit 0
fi
scripts/testbed.sh fresh demo >/dev/null
eval "$(scripts/testbed.sh env demo)"

say "shelfready facts root@$TB_HOST:$TB_PORT: everything about the VM in one round trip"
"$SR" facts -v --no-agent -i "$TB_KEY" --known-hosts "$TB_KNOWN_HOSTS" \
	"root@$TB_HOST:$TB_PORT" -o "$tmp/facts.json"
python3 - "$tmp/facts.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
os_ = d["os"]
print(f"{os_['name']} ({os_['family']} family), kernel {d['uname']['release']}, "
      f"{len(d['packages']['list'])} packages via {d['packages']['manager']}")
sec = [u for u in d["updates"]["list"] if u["security"]]
print(f"{len(d['updates']['list'])} pending updates, {len(sec)} of them security fixes:")
for u in sec:
    print(f"  {u['name']:<24} {u['current']} -> {u['version']} ({u['origin']})")
print(f"package lists refreshed {d['lists']['age']} s ago; "
      f"{len(d['processes']['list'])} processes, {len(d['accounts']['list'])} accounts")
PY

say "shelfready verify -p alibaba-marketplace: the review, judged from the same single round trip"
"$SR" verify -p alibaba-marketplace --no-agent -i "$TB_KEY" --known-hosts "$TB_KNOWN_HOSTS" \
	"root@$TB_HOST:$TB_PORT" --report text --report "json=$tmp/report.json" || echo "(verify exited $?: not compliant)"

say "shelfready run -p alibaba-marketplace: the main job (remediate, gather again, verify)"
# Server Guard's installer is a stand-in (tests/data/server-guard/installer.sh)
# served over HTTPS on loopback with a self-signed certificate; its SHA-256 is
# pinned, and the install code comes from the environment, never argv.
mkdir -p "$tmp/www"
cp tests/data/server-guard/installer.sh "$tmp/www/installer.sh"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
python3 tests/tools/httpd.py --root "$tmp/www" --port-file "$tmp/port" \
	--tls "$tmp/cert.pem" "$tmp/key.pem" </dev/null >/dev/null 2>&1 &
httpd=$!
trap 'kill $httpd 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
SHELFREADY_SERVER_GUARD_CODE=demo-install-code
export SHELFREADY_SERVER_GUARD_CODE
mkdir -p build/demo
"$SR" run -p alibaba-marketplace --no-agent -i "$TB_KEY" --known-hosts "$TB_KNOWN_HOSTS" \
	--var "server_guard_url=https://127.0.0.1:$(cat "$tmp/port")/installer.sh" \
	--var "server_guard_sha256=$(sha256sum "$tmp/www/installer.sh" | cut -d' ' -f1)" \
	--var "server_guard_ca_file=$tmp/cert.pem" --var build_user=root \
	"root@$TB_HOST:$TB_PORT" --report text --report html=build/demo/report.html \
	--report json=build/demo/report.json || echo "(run exited $?)"
echo
echo "reports: build/demo/report.html, build/demo/report.json"
echo "(the cleanup removed root's key from the VM, as before a capture; stop it with:"
echo " scripts/testbed.sh down demo)"
