#!/bin/sh
# shelfready in real Packer builds (Debian's packer 1.6.6): `packer validate`
# on every template of examples/packer/, offline; then `packer build` of the
# null-builder template against fresh testbed instances: a compliant build
# passes, with its reports and the post-processor gate naming the artifact of
# the manifest; a profile the image does not meet fails the build before
# capture with shelfready's findings in the log; a provisioner allowed to
# exit 1 is still stopped by the gate after capture; a profile error (exit 2)
# fails the build whatever valid_exit_codes allows. And what Packer really
# puts in build.SSHPrivateKey with the null builder: nothing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
EX=$SR_ROOT/examples/packer
require_root

if ! command -v packer >/dev/null; then
    log "+ apt-get install packer"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends packer; } ||
        { fail "cannot install Debian's packer package"; finish; }
fi
# Packer must not reach the network, nor read or write the real home directory.
export PACKER_CHECKPOINT_DISABLE=1 CHECKPOINT_DISABLE=1
export HOME="$SR_TMP/home"
mkdir -p "$HOME"
note "$(packer version | head -n 1)"

# json FILE EXPR: a python expression over the parsed JSON file d
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# out_has TEXT WHAT / out_lacks TEXT WHAT: about the last run's output (stdout and stderr)
out_has() {
    if cat "$SR_TMP/out" "$SR_TMP/err" | grep -qF -- "$1"; then pass "$2"; else
        fail "$2: '$1' is not in Packer's output"; fi
}
out_lacks() {
    if cat "$SR_TMP/out" "$SR_TMP/err" | grep -qF -- "$1"; then fail "$2: '$1' is in Packer's output"; else
        pass "$2"; fi
}

# ---- packer validate: every template, with no network at all ------------

# unshare -n: a network namespace of its own with nothing in it
offline=
unshare -n true 2>/dev/null && offline="unshare -n"
ssh-keygen -q -t ed25519 -N '' -f "$SR_TMP/validate-key" </dev/null
: >"$SR_TMP/validate-known-hosts"
SG="-var server_guard_url=https://installer.example/AliAqsInstall_64.sh -var server_guard_sha256=0000000000000000000000000000000000000000000000000000000000000000"
# a sensitive variable: a long placeholder, as Packer masks every occurrence of it in its output
export PKR_VAR_server_guard_install_code=placeholder-install-code
ntemplates=0
for t in "$EX"/*.pkr.hcl; do
    name=$(basename "$t" .pkr.hcl)
    ntemplates=$((ntemplates + 1))
    run 0 packer validate -syntax-only "$t"
    case $name in
    testbed)
        run 0 $offline packer validate -var port=22 -var "ssh_private_key_file=$SR_TMP/validate-key" \
            -var "known_hosts=$SR_TMP/validate-known-hosts" "$t" ;;
    amazon-ebs)
        run 0 $offline env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE \
            packer validate $SG "$t" ;;
    alicloud-ecs)
        # the alicloud-ecs builder of 1.6.6 insists on credentials even to
        # validate (it checks only that they are there): placeholders
        run 1 $offline env -u ALICLOUD_ACCESS_KEY -u ALICLOUD_SECRET_KEY packer validate $SG "$t"
        out_has "ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY must be set" \
            "alicloud-ecs does not validate without credentials"
        run 0 $offline env ALICLOUD_ACCESS_KEY=placeholder ALICLOUD_SECRET_KEY=placeholder \
            packer validate $SG "$t" ;;
    qemu)
        run 0 $offline packer validate $SG -var disk_image=debian-12-genericcloud-amd64.qcow2 \
            -var "disk_checksum=sha512:$(printf '%0128d' 0)" \
            -var "ssh_private_key_file=$SR_TMP/validate-key" "$t" ;;
    *)
        fail "$name.pkr.hcl: this test does not know which variables it needs" ;;
    esac
done
check_eq "templates validated" 4 "$ntemplates"
# the profiles the templates use
run 0 "$SR" lint "$EX/testbed-pass.yaml" "$EX/testbed-fail.yaml"
run 0 "$SR" lint --var server_guard_url=https://installer.example/AliAqsInstall_64.sh \
    --var server_guard_sha256=0000000000000000000000000000000000000000000000000000000000000000 \
    "$EX/alibaba-image.yaml"

# ---- packer build of the null-builder template on the testbed -----------

# pk_build DIR STATUS [PACKER-ARGS...]: packer build of testbed.pkr.hcl in a
# directory of its own, against the current instance; pass if it exits STATUS
pk_build() {
    _dir=$SR_TMP/$1 _want=$2
    shift 2
    mkdir -p "$_dir" && cd "$_dir" || return 1
    run "$_want" packer build -color=false -var "port=$TB_PORT" -var "ssh_private_key_file=$TB_KEY" \
        -var "known_hosts=$TB_KNOWN_HOSTS" -var "shelfready=$SR" -var shelfready_args=--no-refresh \
        "$@" "$EX/testbed.pkr.hcl"
    cd "$SR_TMP" || return 1
}

# 1. compliant, as the non-root user with sudo: the build passes and the gate
#    names the artifact of this run
tb_fresh pk-pass || finish
pk_build pass 0 -var "user=$TB_SUDO_USER"
D=$SR_TMP/pass
for f in output/testbed-facts.json output/testbed-run.json output/testbed-run.html output/testbed-run.xml \
    output/testbed-report.json output/testbed-report.html output/testbed-report.xml packer-manifest.json; do
    check -m "the build wrote $f" test -s "$D/$f"
done
out_has "shelfready run: packer-testbed 1 on $TB_SUDO_USER@$TB_HOST:$TB_PORT" "shelfready logged in as the build user"
out_has "COMPLIANT: 0 failed, 0 errors, 2 passed" "the provisioner's report is in Packer's log"
uuid=$(json "$D/packer-manifest.json" 'd["last_run_uuid"]')
check_eq "the step ran on the build VM, through sudo, with the run's UUID" "$uuid" \
    "$(cat "$TB_ROOTFS/etc/packer-build-run" 2>/dev/null)"
check_eq "the run report is compliant" True "$(json "$D/output/testbed-run.json" 'd["compliant"]')"
check_eq "the gate report is compliant" True "$(json "$D/output/testbed-report.json" 'd["compliant"]')"
check_eq "the gate report names the artifact of this run" "Null $uuid testbed null packer-manifest.json" \
    "$(json "$D/output/testbed-report.json" '" ".join(d["artifact"][k] for k in ("artifact_id", "packer_run_uuid", "build_name", "builder_type", "manifest"))')"
out_has "artifact Null of Packer build 'testbed' (null), run $uuid, from packer-manifest.json" \
    "the gate's text report names the artifact"
if python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$D/output/testbed-report.xml" &&
    grep -q '<property name="packer.packer_run_uuid" value="'"$uuid"'"/>' "$D/output/testbed-report.xml"; then
    pass "the gate's JUnit report names the artifact"
else
    fail "the gate's JUnit report does not name the artifact"
fi
check -m "the gate's HTML report is self-contained, well-formed markup" \
    python3 "$SR_ROOT/tests/tools/check-html.py" "$D/output/testbed-report.html"
if grep -q "<dt>Artifact</dt><dd><code>Null</code> of Packer build <code>testbed</code> (null), run $uuid, " \
    "$D/output/testbed-report.html"; then
    pass "the gate's HTML report names the artifact"
else
    fail "the gate's HTML report does not name the artifact"
fi
check_eq "the manifest points at the gate's report" output/testbed-report.json \
    "$(json "$D/packer-manifest.json" 'd["builds"][-1]["custom_data"]["shelfready_report"]')"

# What build.SSHPrivateKey holds with the null builder and ssh_private_key_file:
# nothing, so --key-env cannot be used there (shelfready says so, exit 2).
mkdir -p "$SR_TMP/probe"
cat >"$SR_TMP/probe/probe.pkr.hcl" <<'EOF'
variable "port" { type = number }
variable "key" { type = string }
variable "known_hosts" { type = string }
variable "shelfready" { type = string }
source "null" "probe" {
  communicator         = "ssh"
  ssh_host             = "127.0.0.1"
  ssh_port             = var.port
  ssh_username         = "root"
  ssh_private_key_file = var.key
}
build {
  sources = ["source.null.probe"]
  provisioner "shell-local" {
    environment_vars = ["SR_KEY=${build.SSHPrivateKey}", "SR_KH=${var.known_hosts}", "SR=${var.shelfready}",
                        "SR_TARGET=${build.User}@${build.Host}:${build.Port}"]
    execute_command  = ["/bin/sh", "-c", "{{.Vars}} exec {{.Script}}"]
    valid_exit_codes = [2]
    inline = [
      "echo \"build.SSHPrivateKey: $(printf %s \"$SR_KEY\" | wc -c) bytes\"",
      "\"$SR\" facts --no-refresh --no-agent --key-env SR_KEY --known-hosts \"$SR_KH\" \"$SR_TARGET\"",
    ]
  }
}
EOF
cd "$SR_TMP/probe" &&
    run 0 packer build -color=false -var "port=$TB_PORT" -var "key=$TB_KEY" -var "known_hosts=$TB_KNOWN_HOSTS" \
        -var "shelfready=$SR" probe.pkr.hcl
cd "$SR_TMP" || finish
out_has "build.SSHPrivateKey: 0 bytes" "with the null builder build.SSHPrivateKey is empty"
out_has "--key-env names 'SR_KEY', which does not hold a private key in PEM form" \
    "shelfready refuses the empty key with exit 2"

# 2. not compliant: shelfready fails the build before capture
tb_fresh pk-fail || finish
pk_build fail 1 -var "profile=$EX/testbed-fail.yaml"
out_has "NOT COMPLIANT: 1 failed, 0 errors, 2 passed" "shelfready's verdict is in Packer's log"
out_has "FAIL   [-] vendor-release: The vendor's release file is installed (high)" "the failed check is named"
out_has "Script exited with non-zero exit status: 1" "the provisioner failed the build with shelfready's exit 1"
out_lacks "Running post-processor" "nothing after the provisioner ran"
check -m "no artifact was recorded" test ! -e "$SR_TMP/fail/packer-manifest.json"
check_eq "the provisioner's report stays for the vendor to read" False \
    "$(json "$SR_TMP/fail/output/testbed-run.json" 'd["compliant"]')"

# 3. an advisory provisioner (valid_exit_codes = [0, 1]) lets the image be
#    captured; the post-processor gate still fails the build
tb_fresh pk-gate || finish
pk_build gate 1 -var "profile=$EX/testbed-fail.yaml" -var 'valid_exit_codes=[0, 1]'
D=$SR_TMP/gate
check -m "the artifact was recorded" test -s "$D/packer-manifest.json"
out_has "Post-processor failed: Script exited with non-zero exit status: 1" "the gate failed the build"
uuid=$(json "$D/packer-manifest.json" 'd["last_run_uuid"]')
check_eq "the gate report judges this run's artifact: not compliant" "False $uuid" \
    "$(json "$D/output/testbed-report.json" 'str(d["compliant"]) + " " + d["artifact"]["packer_run_uuid"]')"

# 4. a profile error is exit 2, which valid_exit_codes = [0, 1] does not allow
printf 'name: broken\nverify:\n  - id: x\n    type: no-such-type\n' >"$SR_TMP/broken.yaml"
pk_build broken 1 -var "profile=$SR_TMP/broken.yaml" -var 'valid_exit_codes=[0, 1]'
out_has "broken.yaml:4:11: error:" "shelfready's profile error is in Packer's log"
out_has "Script exited with non-zero exit status: 2" "the build failed with shelfready's exit 2"
finish
