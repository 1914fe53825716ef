#!/bin/sh
# Fail when a step, check or command file is not registered in its table
# (every steps/NAME.c must appear as &step_NAME in steps/table.c, and so on).
set -eu
cd "$(dirname "$0")/.."
status=0
check() { # dir table symbol-prefix
	for f in "$1"/*.c; do
		name=$(basename "$f" .c)
		case "$name" in table|main|common) continue ;; esac
		sym="$3$(printf '%s' "$name" | tr '-' '_')"
		if ! grep -q "&$sym," "$2"; then
			echo "$f: error: '$sym' is not registered in $2" >&2
			status=1
		fi
		if ! grep -q "^const struct [a-z_]* $sym = {" "$f"; then
			echo "$f: error: '$f' does not define 'const struct ... $sym'" >&2
			status=1
		fi
	done
}
check steps steps/table.c step_
check checks checks/table.c check_
check cmd cmd/main.c cmd_
exit $status
