#!/bin/sh
# Benchmark `shelfready facts --no-refresh` against the local testbed: wall
# time per run (median, min, max over N runs) on loopback and at a round trip
# of 2 x DELAY ms, and how many round trips that implies. Prints figures; it
# asserts nothing.
#
#   scripts/bench-facts.sh [RUNS] [DELAY_MS]      (defaults 21 and 25)
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-21}
DELAY=${2:-25}
SR=${SHELFREADY:-build/shelfready}
TB=scripts/testbed.sh

[ -x "$SR" ] || make --no-print-directory all
now_ms() { date +%s%3N; }

# measure NAME [ssh]: time RUNS runs of facts (or of OpenSSH's `ssh true`, the
# floor any SSH-based tool stands on) against testbed instance NAME
measure() {
	eval "$($TB env "$1")"
	file=$(mktemp)
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now_ms)
		if [ "${2:-}" = ssh ]; then
			# shellcheck disable=SC2086
			ssh $TB_SSH_OPTS "root@$TB_HOST" true
		else
			"$SR" facts --no-refresh --no-agent -i "$TB_KEY" --known-hosts "$TB_KNOWN_HOSTS" \
				"root@$TB_HOST:$TB_PORT" >/dev/null
		fi
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$file"
		i=$((i + 1))
	done
	sort -n "$file" | awk '{ v[NR] = $1 } END { printf "%d %d %d\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
	rm -f "$file"
}

$TB up bench-lo >/dev/null
$TB up bench-rtt --delay "$DELAY" >/dev/null
trap '$TB down bench-lo >/dev/null; $TB down bench-rtt >/dev/null' EXIT

set -- $(measure bench-lo ssh)
floor=$1
echo "OpenSSH 'ssh HOST true', loopback:   median ${1} ms (min ${2}, max ${3}) over $RUNS runs"
set -- $(measure bench-lo)
lo=$1
echo "facts --no-refresh, loopback:        median ${1} ms (min ${2}, max ${3}) over $RUNS runs"
echo "ratio facts / 'ssh true': $(awk -v a="$lo" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"
set -- $(measure bench-rtt)
rtt=$((DELAY * 2))
echo "facts --no-refresh, ${rtt} ms round trip: median ${1} ms (min ${2}, max ${3}) over $RUNS runs"
echo "added by the round trip: $(( $1 - lo )) ms = $(awk -v a="$1" -v b="$lo" -v r="$rtt" 'BEGIN { printf "%.1f", (a - b) / r }') round trips (TCP + SSH handshake, auth, one exec channel)"
