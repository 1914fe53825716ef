#!/bin/sh
# run-cleanup: the pre-capture `cleanup` step on a fresh testbed VM.
#
# A. With the VM's own sshd configuration: what a build leaves is planted
#    (histories, root's authorized_keys, host keys, a machine-id, logs,
#    temporary files, a downloaded package, first-login leftovers, cloud-init
#    state); `verify` fails pre-capture-hygiene naming them; a dry run
#    changes nothing; `run` cleans, and the hygiene check passes in that same
#    run's report, judged on facts gathered after the cleanup over the
#    connection the run started with (removing the host keys sshd loaded and
#    the authorized_keys it logged in with does not cut it). Afterwards no
#    new login works: the key and the host keys are gone, as on a VM about
#    to be captured.
# B. A second run on the same VM. Its sshd can only serve new connections
#    with host keys, and only let the test in with a key, so from this
#    machine's side (the instance's root directory) sshd is given copies of
#    its original host keys outside /etc/ssh/ssh_host_* and the VM is power
#    cycled; builder, whose keys the cleanup kept (the build user is root),
#    logs in with sudo. At boot the VM made new host keys, which the next
#    run removes; the run after it changes nothing. keep_authorized_keys_of
#    keeps a build user's keys, and a run with it changes nothing either.
# C. The first-boot regeneration the cleanup installed (an init script, the
#    testbed having no cloud-init and no systemd) makes host keys when there
#    are none, and does nothing when there are.
# D. With cloud-init (a stand-in that cleans as the real one does):
#    `cloud-init clean --logs --seed` runs, the scripts under
#    /var/lib/cloud/scripts (a first-login hook) survive it, and the host
#    keys are left to cloud-init's ssh module.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
tb_fresh cl-run || finish
root_conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh root@$TB_HOST:$TB_PORT"
sudo_conn="--no-agent -i $TB_KEY --known-hosts $TB_KNOWN_HOSTS --no-refresh --sudo $TB_SUDO_USER@$TB_HOST:$TB_PORT"
R=$TB_ROOTFS

# json FILE EXPR: a python expression over the parsed report d
json() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
hygiene() { json "$1" "[c['status'] + ': ' + c['summary'] for c in d['checks'] if c['id'] == 'pre-capture-hygiene'][0]"; }
evidence() { json "$1" "'\\n'.join(e for c in d['checks'] if c['id'] == 'pre-capture-hygiene' for e in c['evidence'])"; }
out_has() {
	if grep -qF -- "$1" "$SR_TMP/out"; then pass "$2"; else fail "$2: '$1' is not in the output"; fi
}
gone() { if [ -e "$R$1" ] || [ -L "$R$1" ]; then fail "$1 is still there"; else pass "$1 is gone"; fi; }
there() { if [ -e "$R$1" ] || [ -L "$R$1" ]; then pass "$1 is still there"; else fail "$1 is gone"; fi; }

cat >"$SR_TMP/p.yaml" <<'EOF'
name: run-cleanup
version: "1"
remediate:
  - id: cleanup
    type: cleanup
    with:
      build_user: root
      extra_paths: [/opt/build-cache/*]
verify:
  - id: pre-capture-hygiene
    type: hygiene
    title: No histories, build keys, host keys, machine-id or cloud-init state
    severity: high
    with:
      build_user: root
EOF
cat >"$SR_TMP/keep.yaml" <<'EOF'
name: run-cleanup-keep
version: "1"
remediate:
  - id: cleanup
    type: cleanup
    with:
      build_user: builder
      keep_authorized_keys_of: [builder]
verify:
  - id: pre-capture-hygiene
    type: hygiene
    title: No histories, root's keys, host keys, machine-id or cloud-init state
    severity: high
EOF
mkdir -p "$SR_TMP/hostkeys" && cp -p "$R"/etc/ssh/ssh_host_* "$SR_TMP/hostkeys/" ||
	fail "cannot keep a copy of the host keys"

# ---- A. a build VM, cleaned in one run ----

tb_ssh root '
	set -e
	echo "mysql -uroot -pbuild-secret" >/root/.bash_history
	echo "import os" >/home/builder/.python_history && chown builder: /home/builder/.python_history
	echo "less" >/root/.lesshst
	echo 0123456789abcdef0123456789abcdef >/etc/machine-id
	mkdir -p /var/lib/dbus && cp /etc/machine-id /var/lib/dbus/machine-id
	echo "rotated" >/var/log/syslog.1
	echo "built" >/var/log/build.log
	echo junk >/tmp/build-junk
	mkdir -p /var/tmp/builddir && echo x >/var/tmp/builddir/x
	touch /tmp/held
	nohup sh -c "exec 3</tmp/held; sleep 600" </dev/null >/dev/null 2>&1 &
	perl -MIO::Socket::UNIX -e "IO::Socket::UNIX->new(Local => q(/tmp/.agent.sock), Type => SOCK_STREAM, Listen => 1) or die"
	echo "not a package" >/var/cache/apt/archives/fake_1.0_all.deb
	mkdir -p /opt/build-cache && touch /opt/build-cache/a /opt/build-cache/b
	mkdir -p /var/lib/shelfready/first-login /root/.shelfready/first-login /etc/motd.d
	touch /var/lib/shelfready/first-login/shop.done /etc/motd.d/shelfready-first-login-shop
	echo "password=x" >/root/.shelfready/first-login/shop.credentials
	mkdir -p /var/lib/cloud/instances/i-0123/ /var/lib/cloud/scripts/per-instance
	touch /var/lib/cloud/instances/i-0123/boot-finished /var/lib/cloud/scripts/per-instance/keep-me
	ln -s /var/lib/cloud/instances/i-0123 /var/lib/cloud/instance
	sleep 0.3
' || fail "could not plant the build leftovers"

# shellcheck disable=SC2086
run 1 "$SR" verify -p "$SR_TMP/p.yaml" $root_conn --report "json=$SR_TMP/before.json"
check_eq "before: pre-capture-hygiene fails on histories, root's key, host keys, machine-id, cloud-init" \
	"fail: not clean for capture: 3 history files with content; /root/.ssh/authorized_keys has 1 key; 6 ssh host key files; /etc/machine-id is set; cloud-init state left (boot-finished, 1 instance)" \
	"$(hygiene "$SR_TMP/before.json")"
evidence "$SR_TMP/before.json" | grep -q '^/root/.bash_history: ' &&
	pass "before: the history is named" || fail "before: /root/.bash_history is not in the evidence"

# a dry run says what it would do and changes nothing
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" --dry-run $root_conn
out_has "[1/1 cleanup] would remove /root/.bash_history" "dry run: it says it would remove the history"
out_has "[1/1 cleanup] would remove /etc/ssh/ssh_host_ed25519_key" "dry run: it says it would remove the host keys"
out_has "[1/1 cleanup] would install /etc/init.d/shelfready-ssh-keygen" "dry run: it says it would install the key regeneration"
out_has "[1/1 cleanup] would empty /etc/machine-id" "dry run: it says it would empty the machine-id"
out_has "[1/1 cleanup] would truncate /var/log/build.log" "dry run: it says it would truncate the log"
for f in /root/.bash_history /root/.ssh/authorized_keys /etc/ssh/ssh_host_ed25519_key /tmp/build-junk \
	/var/cache/apt/archives/fake_1.0_all.deb /opt/build-cache/a /var/lib/cloud/instances; do
	there "$f"
done
check_eq "dry run: the machine-id is untouched" 33 "$(wc -c <"$R/etc/machine-id")"
check_eq "dry run: the log is untouched" 6 "$(wc -c <"$R/var/log/build.log")"
check -m "dry run: no key regeneration installed" test ! -e "$R/etc/init.d/shelfready-ssh-keygen"

# the run: everything in one step, the check judged on the facts gathered after it
ALL_OUT=$SR_TMP/all-output
: >"$ALL_OUT"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $root_conn --report "json=$SR_TMP/run1.json"
check_eq "run 1: pre-capture-hygiene passes in the same run's report" \
	"pass: clean for capture: histories, authorized-keys, host-keys, machine-id, cloud-init" \
	"$(hygiene "$SR_TMP/run1.json")"
check -m "run 1: the run ended normally (its summary, nothing on stderr)" \
	grep -q '^shelfready run: 1 step in .*: 1 changed, 0 ok, 0 skipped, 0 failed$' "$SR_TMP/out"
check_eq "run 1: nothing on stderr" "" "$(cat "$SR_TMP/err")"
out_has "[1/1 cleanup] removed /root/.ssh/authorized_keys" "run 1: root's authorized_keys removed"
out_has "[1/1 cleanup] installed /etc/init.d/shelfready-ssh-keygen (an init script running ssh-keygen -A, started in runlevels 2-5)" \
	"run 1: says what makes new host keys at first boot"
out_has "[1/1 cleanup] kept /tmp/held (in use by a running process)" "run 1: a file in use is kept"
out_has "[1/1 cleanup] kept /tmp/.agent.sock (a socket)" "run 1: a socket is kept"
out_has "[1/1 cleanup] ran apt-get clean (1 downloaded package)" "run 1: the package cache is cleaned"
for f in /root/.bash_history /home/builder/.python_history /root/.lesshst /root/.ssh/authorized_keys \
	/etc/ssh/ssh_host_rsa_key /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_ed25519_key \
	/var/log/syslog.1 /tmp/build-junk /var/tmp/builddir /var/cache/apt/archives/fake_1.0_all.deb \
	/opt/build-cache/a /opt/build-cache/b /var/lib/shelfready/first-login/shop.done \
	/root/.shelfready/first-login/shop.credentials /etc/motd.d/shelfready-first-login-shop \
	/var/lib/cloud/instances /var/lib/cloud/instance; do
	gone "$f"
done
for f in /home/builder/.ssh/authorized_keys /tmp/held /tmp/.agent.sock /opt/build-cache \
	/var/lib/cloud/scripts/per-instance/keep-me /var/log/build.log; do
	there "$f"
done
check -m "run 1: /etc/machine-id is empty, not removed" test -f "$R/etc/machine-id" -a ! -s "$R/etc/machine-id"
check_eq "run 1: /var/lib/dbus/machine-id links to /etc/machine-id" /etc/machine-id \
	"$(readlink "$R/var/lib/dbus/machine-id")"
check_eq "run 1: logs truncated, owner and mode kept" "0 root:utmp 660" \
	"$(stat -c '%s %U:%G %a' "$R/var/log/btmp")"
check_eq "run 1: no log left with content" "" "$(find "$R/var/log" -type f -size +0c)"
check -m "run 1: the first-boot key regeneration is installed and enabled" \
	test -x "$R/etc/init.d/shelfready-ssh-keygen" -a -L "$R/etc/rc2.d/S01shelfready-ssh-keygen"
if grep -qF "build-secret" "$ALL_OUT"; then fail "the history's contents reached the output"; else
	pass "the history's contents never reached the output"; fi
# as on a VM about to be captured, nobody gets in any more with the build key
if tb_ssh root true 2>/dev/null; then fail "root can still log in with the build key"; else
	pass "after the cleanup, no new login with the build key"; fi

# ---- B. the same VM again ----

# From this machine: sshd gets copies of the original host keys, kept out of
# /etc/ssh/ssh_host_*; then a power cycle, at which the VM makes new host keys.
mkdir -p "$R/etc/ssh/keep" && chmod 700 "$R/etc/ssh/keep" &&
	cp -p "$SR_TMP"/hostkeys/ssh_host_*_key "$R/etc/ssh/keep/" &&
	printf 'HostKey /etc/ssh/keep/ssh_host_ed25519_key\nHostKey /etc/ssh/keep/ssh_host_ecdsa_key\nHostKey /etc/ssh/keep/ssh_host_rsa_key\n' \
		>"$R/etc/ssh/sshd_config.d/10-test.conf" || fail "cannot give sshd copies of its host keys"
check -m "the VM power-cycles" "$TESTBED" reboot cl-run
check -m "builder logs in (the cleanup kept the keys of all but the build user)" tb_ssh "$TB_SUDO_USER" true
if cmp -s "$SR_TMP/hostkeys/ssh_host_ed25519_key" "$R/etc/ssh/ssh_host_ed25519_key"; then
	fail "the host key after the boot is the build VM's"
else
	pass "at boot the VM made host keys of its own"
fi

# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $sudo_conn --report "json=$SR_TMP/run2.json"
out_has "[1/1 cleanup] removed /etc/ssh/ssh_host_ed25519_key" "run 2: the host keys made at boot are removed"
out_has "[1/1 cleanup] new host keys at first boot: /etc/init.d/shelfready-ssh-keygen (an init script running ssh-keygen -A)" \
	"run 2: relies on the regeneration installed by run 1"
check_eq "run 2 (with sudo): pre-capture-hygiene passes" \
	"pass: clean for capture: histories, authorized-keys, host-keys, machine-id, cloud-init" \
	"$(hygiene "$SR_TMP/run2.json")"

# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $sudo_conn --report "json=$SR_TMP/run3.json"
check -m "run 3: 0 changed" grep -q '^shelfready run: 1 step in .*: 0 changed, 1 ok, 0 skipped, 0 failed$' "$SR_TMP/out"
out_has "[1/1 cleanup] ok (" "run 3: the step reports ok"
out_has "nothing to do: clean for capture" "run 3: and says there is nothing to do"
check_eq "run 3: pre-capture-hygiene passes" \
	"pass: clean for capture: histories, authorized-keys, host-keys, machine-id, cloud-init" \
	"$(hygiene "$SR_TMP/run3.json")"

# builder as the build user, its keys kept
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/keep.yaml" $sudo_conn
check -m "keep_authorized_keys_of: 0 changed" grep -q ': 0 changed, 1 ok, 0 skipped, 0 failed$' "$SR_TMP/out"
out_has "[1/1 cleanup] kept the authorized_keys of builder (keep_authorized_keys_of)" "keep_authorized_keys_of: said so"
there /home/builder/.ssh/authorized_keys

# ---- C. the first-boot key regeneration ----

check -m "no host keys before the first boot" test -z "$(ls "$R"/etc/ssh/ssh_host_* 2>/dev/null)"
check -m "the init script makes host keys" tb_ssh "$TB_SUDO_USER" sudo -n /etc/init.d/shelfready-ssh-keygen start
check -m "an ed25519 host key is there" test -s "$R/etc/ssh/ssh_host_ed25519_key"
sum1=$(cat "$R"/etc/ssh/ssh_host_* | sha256sum)
check -m "run again, it does nothing" tb_ssh "$TB_SUDO_USER" sudo -n /etc/init.d/shelfready-ssh-keygen start
check_eq "the keys are the same" "$sum1" "$(cat "$R"/etc/ssh/ssh_host_* | sha256sum)"

# ---- D. with cloud-init ----

# A stand-in for cloud-init (the testbed has none) that cleans as the real one
# does: all of /var/lib/cloud (its scripts too), the seed with --seed, its
# logs with --logs. Its ssh module is configured: it makes the host keys.
tb_ssh "$TB_SUDO_USER" sudo -n sh -s <<'EOF' || fail "could not set up the stand-in cloud-init"
set -e
cat >/usr/local/bin/cloud-init <<'CI'
#!/bin/sh
case $1 in
status) echo "status: done" ;;
clean)
    shift
    echo "$*" >>/root/cloud-init.clean
    for f in /var/lib/cloud/*; do
        if [ "$f" = /var/lib/cloud/seed ]; then
            case " $* " in *" --seed "*) ;; *) continue ;; esac
        fi
        rm -rf "$f"
    done
    case " $* " in *" --logs "*) rm -f /var/log/cloud-init.log /var/log/cloud-init-output.log ;; esac
    ;;
esac
CI
chmod 755 /usr/local/bin/cloud-init
mkdir -p /etc/cloud /var/lib/cloud/instances/i-0456 /var/lib/cloud/seed/nocloud \
    /var/lib/cloud/scripts/per-instance
printf 'cloud_init_modules:\n - seed_random\n - ssh\nssh_deletekeys: true\n' >/etc/cloud/cloud.cfg
touch /var/lib/cloud/instances/i-0456/boot-finished /var/lib/cloud/seed/nocloud/meta-data
ln -sfn /var/lib/cloud/instances/i-0456 /var/lib/cloud/instance
echo "cloud-init ran" >/var/log/cloud-init.log
printf '#!/bin/sh\nexec true\n' >/var/lib/cloud/scripts/per-instance/shelfready-first-login-shop
chmod 700 /var/lib/cloud/scripts/per-instance/shelfready-first-login-shop
EOF
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $sudo_conn --report "json=$SR_TMP/ci.json"
out_has "[1/1 cleanup] ran cloud-init clean --logs --seed (its scripts kept)" "cloud-init: cleaned, its scripts kept"
out_has "[1/1 cleanup] new host keys at first boot: cloud-init's ssh module (ssh_genkeytypes)" \
	"cloud-init: relied on for new host keys"
check_eq "cloud-init: what the clean was asked" "--logs --seed" "$(cat "$R/root/cloud-init.clean")"
for f in /var/lib/cloud/instances /var/lib/cloud/instance /var/lib/cloud/seed /var/log/cloud-init.log; do
	gone "$f"
done
check_eq "cloud-init: a first-login hook survives the clean" "root 700" \
	"$(stat -c '%U %a' "$R/var/lib/cloud/scripts/per-instance/shelfready-first-login-shop" 2>/dev/null)"
check -m "cloud-init: nothing left aside" test -z "$(ls -d "$R"/var/lib/.shelfready-cloud-scripts.* 2>/dev/null)"
check_eq "cloud-init: pre-capture-hygiene passes" \
	"pass: clean for capture: histories, authorized-keys, host-keys, machine-id, cloud-init" \
	"$(hygiene "$SR_TMP/ci.json")"
# shellcheck disable=SC2086
run 0 "$SR" run -p "$SR_TMP/p.yaml" $sudo_conn
check -m "cloud-init: the next run changes nothing" grep -q ': 0 changed, 1 ok, 0 skipped, 0 failed$' "$SR_TMP/out"
finish
