#!/bin/sh
# make install puts a self-contained binary in place: the bundled profiles are
# compiled in, so it works with no file of the source tree beside it.
. "$(dirname "$0")/lib.sh"
cd "$SR_ROOT" || finish
B=${SR_BUILD:-build}
dest=$SR_TMP/root

check -m "make install DESTDIR PREFIX" make --no-print-directory install DESTDIR="$dest" PREFIX=/usr
bin=$dest/usr/bin/shelfready
check -m "installed binary is executable" test -x "$bin"
log "+ (cd / && $bin profiles)"
out=$(cd / && env -i PATH=/usr/bin:/bin "$bin" profiles 2>&1)
log "$out"
case $out in
*alibaba-marketplace*linux-base*) pass "bundled profiles listed from /" ;;
*) fail "installed binary does not list the bundled profiles" ;;
esac
man=$dest/usr/share/man/man1/shelfready.1
check -m "the man page is installed" test -s "$man"
log "+ groff -man -ww -z $man"
warnings=$(groff -man -ww -z "$man" 2>&1)
check_eq "the man page renders without warnings" "" "$warnings"
for c in $("$bin" --help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
    grep -q "^\.SS \"$c\"" "$man" || fail "the man page lacks the command '$c'"
done
pass "the man page has a section for every command"
log "+ (cd / && $bin lint alibaba-marketplace)"
(cd / && env -i PATH=/usr/bin:/bin "$bin" lint alibaba-marketplace) && pass "bundled profile lints clean" ||
	fail "bundled profile does not lint from /"

# The generated table follows the profiles: a changed profile makes it stale.
gen=$B/gen/bundled_profiles.c
check -m "generated profile table is up to date" make --no-print-directory -q "$gen"
touch profiles/linux-base.yaml
log "+ make -q $gen after touching a profile"
if make --no-print-directory -q "$gen"; then
	fail "make does not regenerate $gen when a profile changes"
else
	pass "a changed profile regenerates $gen"
fi
check -m "rebuild" make --no-print-directory "$B/shelfready"
# docs/profiles.md's type reference is what the tables say
check -m "docs/profiles.md is current (make docs)" sh scripts/gen-docs.sh --check "$B/shelfready"
finish
