#!/bin/sh
# make deb builds a Debian package that installs on a clean Debian 12 (a
# fresh testbed VM, with apt resolving its dependencies) and works there
# with nothing of the source tree: --version, the bundled profiles, lint,
# the man page.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root
cd "$SR_ROOT" || finish
B=${SR_BUILD:-build}

check -m "make deb" make --no-print-directory deb
deb=$(ls "$B"/shelfready_*_"$(dpkg --print-architecture)".deb 2>/dev/null | head -1)
check -m "the package exists" test -f "$deb"
dpkg-deb --info "$deb"
dpkg-deb -c "$deb"
check -m "it holds the binary" sh -c "dpkg-deb -c '$deb' | grep -q ' ./usr/bin/shelfready$'"
check -m "it holds the man page" sh -c "dpkg-deb -c '$deb' | grep -q ' ./usr/share/man/man1/shelfready.1.gz$'"
check -m "its dependencies name the libraries" \
    sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libssh2-1.*libyaml-0-2'"
# libcurl is loaded when a command fetches, so shlibdeps cannot see it
check -m "the binary is not linked to libcurl" \
    sh -c "! objdump -p '$B/shelfready' | grep -q 'NEEDED.*libcurl'"
check -m "its dependencies name libcurl's package all the same" \
    sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libcurl4 (>= 7.85.0)'"

tb_fresh e2e-deb || finish
cp "$deb" "$TB_ROOTFS/tmp/shelfready.deb"
check -m "apt installs it with its dependencies" tb_ssh root \
    'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/shelfready.deb'
out=$(tb_ssh root shelfready --version)
log "$out"
case $out in
shelfready\ *libssh2*libcurl\ [0-9]*) pass "shelfready --version runs on the target and loads libcurl" ;;
*) fail "shelfready --version printed '$out'" ;;
esac
check -m "lint of the bundled profile passes there" tb_ssh root 'cd / && shelfready lint alibaba-marketplace'
check -m "the man page is there" tb_ssh root 'test -s /usr/share/man/man1/shelfready.1.gz'
check -m "dpkg knows the package" tb_ssh root 'dpkg -s shelfready | grep -q "^Status: install ok installed"'
finish
