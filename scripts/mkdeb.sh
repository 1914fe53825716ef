#!/bin/sh
# Build a Debian package of shelfready with dpkg-deb (make deb):
#   scripts/mkdeb.sh BUILD_DIR VERSION
# The binary carries the bundled profiles, the gather script and the
# end-of-life data inside it; the package adds the man page and the docs.
# Its dependencies are what dpkg-shlibdeps finds the binary linked against,
# plus the package of libcurl.so.4, which the binary loads when it fetches.
set -eu
B=$1
VERSION=$2
top=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg --print-architecture)
work=$B/deb
stage=$work/root
deb=$B/shelfready_${VERSION}_$arch.deb

rm -rf "$work"
mkdir -p "$stage/DEBIAN"
make --no-print-directory -C "$top" install DESTDIR="$(cd "$stage" && pwd)" PREFIX=/usr \
	B="$B" >/dev/null
gzip -9n "$stage/usr/share/man/man1/shelfready.1"
doc=$stage/usr/share/doc/shelfready
mkdir -p "$doc"
cp "$top/README.md" "$doc/"
cp "$top/docs/profiles.md" "$top/docs/report-json.md" "$top/docs/packer.md" "$doc/"
cat >"$doc/copyright" <<EOT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: shelfready
Comment: the end-of-life data compiled into the binary comes from the
 endoflife.date project (MIT licence); see data/eol/SOURCES.md in the source.
EOT

# dpkg-shlibdeps wants a debian/control beside it
mkdir -p "$work/src/debian"
printf 'Source: shelfready\n\nPackage: shelfready\nArchitecture: any\n' >"$work/src/debian/control"
bin=$(cd "$stage/usr/bin" && pwd)/shelfready
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
curl_so=$(ldconfig -p | sed -n 's/^[[:space:]]*libcurl\.so\.4 (.*) => //p' | head -n 1)
curl_pkg=$(dpkg-query -S "$(readlink -f "$curl_so")" 2>/dev/null | sed -n '1s/:.*//p')
[ -n "$curl_pkg" ] || { echo "mkdeb: no package holds libcurl.so.4" >&2; exit 1; }
# 7.85.0: CURLOPT_PROTOCOLS_STR
depends="$depends, $curl_pkg (>= 7.85.0)"
size=$(du -sk "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOT
Package: shelfready
Version: $VERSION
Architecture: $arch
Maintainer: shelfready developers <shelfready@localhost>
Installed-Size: $size
Depends: $depends, openssh-client
Section: admin
Priority: optional
Description: harden a cloud build VM over SSH and prove it passes a marketplace review
 shelfready connects to a build VM over SSH, gathers facts in one round trip,
 runs a profile's remediation steps (security updates, Server Guard,
 first-login credential resets, pre-capture cleanup) and judges its checks
 before the VM is captured into an image. The bundled profiles, among them
 Alibaba Cloud Marketplace's image security review, are in the binary.
EOT
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "$deb"
