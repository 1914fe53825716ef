#!/bin/sh
# Regenerate examples/cloud-init/: the user-data of each example profile there
# (NAME.yaml -> NAME.user-data) and of the bundled alibaba-marketplace profile,
# as `shelfready emit --format cloud-init` writes them.
#   scripts/gen-examples.sh SHELFREADY            rewrite the generated files
#   scripts/gen-examples.sh --check SHELFREADY    exit 1 when one is stale
set -eu
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
sr=${1:?usage: gen-examples.sh [--check] SHELFREADY}
dir=$(cd "$(dirname "$0")/.." && pwd)/examples/cloud-init
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
one() { # PROFILE NAME
	"$sr" emit -p "$1" --format cloud-init -o "$tmp/$2.user-data" || {
		echo "gen-examples: cannot emit $1" >&2
		exit 2
	}
	if [ $check = 1 ]; then
		if ! cmp -s "$tmp/$2.user-data" "$dir/$2.user-data"; then
			echo "gen-examples: examples/cloud-init/$2.user-data is stale: run 'make examples'" >&2
			diff -u "$dir/$2.user-data" "$tmp/$2.user-data" 2>&1 | head -40 >&2
			status=1
		fi
	else
		cat "$tmp/$2.user-data" >"$dir/$2.user-data"
	fi
}
one alibaba-marketplace alibaba-marketplace
for p in "$dir"/*.yaml; do
	[ -e "$p" ] || continue
	one "$p" "$(basename "$p" .yaml)"
done
exit $status
