#!/bin/sh
# Install the Debian packages that the build, the tests and the demo need,
# when they are missing. As root it runs apt-get (after apt-get update);
# otherwise it prints the exact command to run and fails.
set -eu

# build
PKGS="gcc make libc6-dev pkg-config libssh2-1-dev libyaml-dev libcurl4-openssl-dev libcjson-dev libssl-dev"
# unit tests and fuzzing
PKGS="$PKGS libcmocka-dev clang libclang-rt-14-dev"
# the testbed (scripts/testbed.sh) and the end-to-end tests
PKGS="$PKGS debootstrap openssh-client iproute2 procps util-linux ca-certificates"
# the userspace delay relay of testbed.sh --delay, on kernels without netem;
# JSON checks in e2e tests; the shells the gather script must run under
PKGS="$PKGS python3 dash busybox"
# certificates for the loopback HTTPS server of the download tests; the man
# page's check
PKGS="$PKGS openssl groff-base"
# make deb (dpkg-shlibdeps)
PKGS="$PKGS dpkg-dev"
# `shelfready emit`'s tests: the script must pass shellcheck, the user-data
# `cloud-init schema` (installing cloud-init runs nothing; see below)
PKGS="$PKGS shellcheck cloud-init"
# Packer 1.6.6 for the end-to-end test of the Packer integration
PKGS="$PKGS packer"

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all build and test packages are installed"
	exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root: $cmd" >&2
	exit 1
fi
echo "deps: installing$missing"
# cloud-init is only used to validate user-data here: keep it from ever
# configuring this machine at a later boot
case " $missing " in *" cloud-init "*) mkdir -p /etc/cloud && : >/etc/cloud/cloud-init.disabled ;; esac
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
