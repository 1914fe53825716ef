#!/bin/sh
# Regenerate the part of docs/profiles.md that comes from the type tables
# (everything after the "generated" marker: `shelfready doc --markdown`).
#   scripts/gen-docs.sh SHELFREADY            rewrite docs/profiles.md
#   scripts/gen-docs.sh --check SHELFREADY    exit 1 when the committed copy is stale
set -eu
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
sr=${1:?usage: gen-docs.sh [--check] SHELFREADY}
doc=$(cd "$(dirname "$0")/.." && pwd)/docs/profiles.md
marker='^<!-- Everything below is generated from the type tables by `make docs`'
grep -q "$marker" "$doc" || { echo "gen-docs: no generated marker in $doc" >&2; exit 2; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# the hand-written part, the two marker lines and a blank line, then the reference
sed "/$marker/,\$d" "$doc" >"$tmp"
sed -n "/$marker/,/-->/p" "$doc" >>"$tmp"
echo >>"$tmp"
"$sr" doc --markdown >>"$tmp"
if [ $check = 1 ]; then
	if ! cmp -s "$tmp" "$doc"; then
		echo "gen-docs: docs/profiles.md is stale: run 'make docs'" >&2
		diff -u "$doc" "$tmp" | head -40 >&2
		exit 1
	fi
	exit 0
fi
cat "$tmp" >"$doc"
