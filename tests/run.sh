#!/bin/sh
# Run the whole suite: unit tests (cmocka), the fuzz corpus replay, a short
# libFuzzer run, and the end-to-end tests; end with "N passed, N failed".
#
#   tests/run.sh [PATTERN...]   only the tests whose name contains a PATTERN
#
# SR_BUILD is the build directory (default build); logs of failed tests stay
# in $SR_BUILD/test-logs.
set -u
cd "$(dirname "$0")/.."
SR_BUILD=${SR_BUILD:-build}
SHELFREADY=${SHELFREADY:-$PWD/$SR_BUILD/shelfready}
export SR_BUILD SHELFREADY
logs=$SR_BUILD/test-logs
mkdir -p "$logs"
passed=0
failed=0
failures=""

PATTERNS="$*"
selected() { # name: is it among the tests asked for?
	[ -n "$PATTERNS" ] || return 0
	for p in $PATTERNS; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}

record() { # name ok|fail log
	if [ "$2" = ok ]; then
		echo "ok   $1"
		rm -f "$3"
	else
		echo "FAIL $1 (log: $3)"
		tail -n 25 "$3" | sed 's/^/     | /'
		failures="$failures $1"
	fi
}

# cmocka binaries: every test case counts.
for t in "$SR_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=unit/$(basename "$t")
	selected "$name" || continue
	log=$logs/$(basename "$t").log
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or failed outside a test case
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -eq 0 ] && [ "$p" -gt 0 ]; then
		record "$name ($p cases)" ok "$log"
	else
		[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))
		record "$name ($p passed, $f failed)" fail "$log"
	fi
done

one() { # name command...: a test that passes when the command exits 0
	name=$1
	shift
	selected "$name" || return 0
	log=$logs/$(echo "$name" | tr '/ ' '__').log
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		record "$name" ok "$log"
	else
		failed=$((failed + 1))
		record "$name" fail "$log"
	fi
}

# The fuzz targets over their corpora and every fixture, with any compiler.
one fuzz/replay-loader sh -c '"$SR_BUILD"/tests/fuzz_replay_loader tests/fuzz/corpus/* tests/data/invalid/*.yaml tests/data/invalid/support/*.yaml tests/data/valid/*.yaml profiles/*.yaml'
one fuzz/replay-gather sh -c '"$SR_BUILD"/tests/fuzz_replay_gather tests/fuzz/corpus-gather/* tests/data/transcripts/*.txt'
one fuzz/replay-sshkey sh -c '"$SR_BUILD"/tests/fuzz_replay_sshkey tests/fuzz/corpus-sshkey/*'
# Short coverage-guided runs (clang's libFuzzer).
for f in loader gather sshkey; do
	one "fuzz/libfuzzer-$f" make --no-print-directory fuzz FUZZER=$f FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
done

# End-to-end tests: each script is one test.
for t in tests/e2e/*.sh; do
	[ "$(basename "$t")" = lib.sh ] && continue
	one "e2e/$(basename "$t" .sh)" sh "$t"
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
