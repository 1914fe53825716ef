#!/usr/bin/env bash
# Benchmark `shelfready verify --no-refresh -p alibaba-marketplace` against an
# Ansible playbook that collects the same evidence (scripts/bench/
# verify-playbook.yml), on the local testbed: wall time per run (median) on
# loopback and at a round trip of 2 x DELAY ms, and the ratio. Prints figures;
# it asserts nothing.
#
#   bash scripts/bench-verify.sh [RUNS] [ANSIBLE_RUNS] [DELAY_MS]   (defaults 11, 3 and 25)
#
# Four testbed instances, fresh copies of the pristine rootfs (which is never
# modified), two on loopback and two behind the delay: bench-verify-* as they
# are (no Python, like the pristine image) and bench-verify-py-*, into which
# python3 is installed (with apt on loopback, from the same .debs behind the
# delay, which has no way out), since Ansible needs it on the target.
# shelfready is timed on both kinds, Ansible on the second. Runs of every kind
# are interleaved, so that a change in the machine's load during the benchmark
# weighs on all of them alike. Every run opens a new SSH connection (within an
# Ansible run, its default ControlPersist multiplexing), and the inventory
# names the Python interpreter, which spares Ansible its interpreter discovery.
# Needs root (the testbed); installs Debian's ansible-core when
# ansible-playbook is missing. The instances are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-11}
ARUNS=${2:-3}
DELAY=${3:-25}
SR=${SHELFREADY:-build/shelfready}
TB=scripts/testbed.sh
PLAYBOOK=scripts/bench/verify-playbook.yml
PROFILE=alibaba-marketplace
PLAIN_LO=bench-verify-lo
PY_LO=bench-verify-py-lo
PLAIN_RTT=bench-verify-rtt
PY_RTT=bench-verify-py-rtt

die() { printf 'bench-verify.sh: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'bench-verify.sh: %s\n' "$*" >&2; }
tb() { $TB "$@" || die "$TB $* failed"; }
trap 'echo "bench-verify.sh: error: command failed (line $LINENO): $BASH_COMMAND" >&2' ERR
for n in "$RUNS" "$ARUNS" "$DELAY"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "usage: bash scripts/bench-verify.sh [RUNS] [ANSIBLE_RUNS] [DELAY_MS] (positive integers)"
done
((ARUNS <= RUNS)) || die "ANSIBLE_RUNS ($ARUNS) may not exceed RUNS ($RUNS)"
[[ $(id -u) == 0 ]] || die "must be run as root (the testbed uses namespaces, mounts and chroot)"

[ -x "$SR" ] || make --no-print-directory all
if ! command -v ansible-playbook >/dev/null 2>&1; then
	say "installing Debian's ansible-core"
	apt-get update -q >&2 || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ansible-core >&2 ||
		die "cannot install ansible-core with apt-get"
fi
# sed, not head: ansible-playbook dies of a broken pipe if its output is cut short
ver=$(ansible-playbook --version 2>&1 | sed -n 1p)
tasks=$(grep -c '^    - name:' "$PLAYBOOK")

TMP=$(mktemp -d)
STARTED=()
cleanup() {
	local s n
	for s in "$TMP"/cp.*/*; do
		[[ -S $s ]] && ssh -F none -o ControlPath="$s" -O exit testbed >/dev/null 2>&1
	done
	for n in "${STARTED[@]}"; do
		$TB down "$n" --purge >/dev/null 2>&1 || say "warning: could not remove testbed instance $n"
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
secs() { awk -v m="$1" 'BEGIN { printf "%.2f s", m / 1000 }'; }
load() { cut -d' ' -f1 /proc/loadavg; }
use() { eval "$(cat "$TMP/env.$1")"; }    # the testbed env of instance $1

# The Ansible side: its own configuration, and an inventory per instance.
cat >"$TMP/ansible.cfg" <<'EOF'
[defaults]
host_key_checking = True
retry_files_enabled = False
EOF
export ANSIBLE_CONFIG=$TMP/ansible.cfg ANSIBLE_HOME=$TMP/ansible-home ANSIBLE_NOCOLOR=1
write_inventory() {
	use "$1"
	cat >"$TMP/inventory.$1" <<EOF
[testbed]
$1 ansible_host=$TB_HOST ansible_port=$TB_PORT ansible_user=root ansible_ssh_private_key_file=$TB_KEY ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-F none -o UserKnownHostsFile=$TB_KNOWN_HOSTS -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'
EOF
}

# ansible_once NAME PIPELINING LOG [ARGS...]: one run of the playbook against
# instance NAME from a new connection, closed afterwards (ControlPersist
# would keep it for the next run).
ansible_once() {
	local name=$1 pipelining=$2 log=$3 cp s
	shift 3
	cp=$(mktemp -d "$TMP/cp.XXXX")
	if ! ANSIBLE_PIPELINING=$pipelining ANSIBLE_SSH_CONTROL_PATH_DIR=$cp \
		ansible-playbook -i "$TMP/inventory.$name" "$@" "$PLAYBOOK" >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "ansible-playbook failed against $name (pipelining=$pipelining)"
	fi
	for s in "$cp"/*; do
		[[ -S $s ]] && ssh -F none -o ControlPath="$s" -O exit testbed >/dev/null 2>&1
	done
	rm -rf "$cp"
}

# sr_once NAME: one shelfready verify against instance NAME
sr_once() {
	local rc=0
	use "$1"
	"$SR" verify --no-refresh --no-agent -p "$PROFILE" -i "$TB_KEY" --known-hosts "$TB_KNOWN_HOSTS" \
		"root@$TB_HOST:$TB_PORT" >"$TMP/sr.out" 2>&1 || rc=$?
	# 0 compliant, 1 not compliant (the testbed has pending updates): both measured
	if ((rc > 1)); then
		cat "$TMP/sr.out" >&2
		die "shelfready verify against $1 exited with $rc"
	fi
}

# timed CELL COMMAND...: run COMMAND, add its wall time in ms to CELL's list
timed() {
	local cell=$1 t0
	shift
	t0=$(now_ms)
	"$@"
	echo $(($(now_ms) - t0)) >>"$TMP/t.$cell"
}

# check_ansible PIPELINING: one verbose run that must complete every task
# with no module failure (failed_when: false would hide one); prints the
# number of ssh and sftp commands Ansible ran (channels of its one connection).
check_ansible() {
	local log=$TMP/check-$1.log
	ansible_once "$PY_LO" "$1" "$log" -vvv
	if grep -q 'MODULE FAILURE' "$log" || ! grep -Eq "ok=$tasks +changed=0 +unreachable=0 +failed=0" "$log"; then
		grep -E -m 5 'MODULE FAILURE|module_stderr|unreachable=|fatal' "$log" >&2 || true
		die "the playbook did not run its $tasks tasks cleanly on $PY_LO (pipelining=$1)"
	fi
	echo "$(grep -c 'SSH: EXEC ssh ' "$log") $(grep -c 'SSH: EXEC sftp ' "$log")"
}

# connect_ms NAME: median of 5 TCP connects to the instance's sshd (one round
# trip each, plus the cost of a bash)
connect_ms() {
	local i t0 file=$TMP/connect
	use "$1"
	: >"$file"
	for ((i = 0; i < 5; i++)); do
		t0=$(now_ms)
		# shellcheck disable=SC2016  # expanded by the inner bash
		timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$TB_HOST" "$TB_PORT"
		echo $(($(now_ms) - t0)) >>"$file"
	done
	median "$file"
}

# --- the instances ---
load_start=$(load)
STARTED=("$PLAIN_LO" "$PY_LO" "$PLAIN_RTT" "$PY_RTT")
tb fresh "$PLAIN_LO" >"$TMP/env.$PLAIN_LO"
tb fresh "$PY_LO" >"$TMP/env.$PY_LO"
tb fresh "$PLAIN_RTT" --delay "$DELAY" >"$TMP/env.$PLAIN_RTT"
tb fresh "$PY_RTT" --delay "$DELAY" >"$TMP/env.$PY_RTT"

say "installing python3 in $PY_LO and $PY_RTT"
install='DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3'
if ! $TB ssh "$PY_LO" -- "$install" >"$TMP/python.log" 2>&1; then
	# the rootfs's package lists may name versions the mirror no longer has
	$TB ssh "$PY_LO" -- "apt-get update -q && $install" >>"$TMP/python.log" 2>&1 || {
		tail -n 20 "$TMP/python.log" >&2
		die "cannot install python3 in testbed instance $PY_LO"
	}
fi
# The delayed instance cannot reach a mirror: the same packages, from the
# loopback instance's apt cache, through its file system.
use "$PY_LO"
debs=$TB_ROOTFS/var/cache/apt/archives
use "$PY_RTT"
compgen -G "$debs/*.deb" >/dev/null || die "no .deb files left in $debs after installing python3"
mkdir "$TB_ROOTFS/tmp/bench-debs"
cp "$debs"/*.deb "$TB_ROOTFS/tmp/bench-debs/"
$TB ssh "$PY_RTT" -- "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	/tmp/bench-debs/*.deb && rm -rf /tmp/bench-debs" >>"$TMP/python.log" 2>&1 || {
	tail -n 20 "$TMP/python.log" >&2
	die "cannot install python3 in testbed instance $PY_RTT"
}
for n in "$PLAIN_LO" "$PLAIN_RTT"; do
	py=$(tb ssh "$n" -- 'ls /usr/bin/python* 2>/dev/null || echo none')
	[[ $py == none ]] || die "instance $n has python ($py): the pristine rootfs is not the minimal one"
done
py_version=$(tb ssh "$PY_RTT" -- 'python3 --version')
delay_mode=$(use "$PY_RTT"; echo "$TB_DELAY_MODE")

say "checking that the playbook runs its $tasks tasks cleanly"
write_inventory "$PY_LO"
write_inventory "$PY_RTT"
counts=$(check_ansible True)
read -r ssh_pipe _ <<<"$counts"
counts=$(check_ansible False)
read -r ssh_def sftp_def <<<"$counts"

# --- the runs: RUNS rounds of shelfready on the four instances, and ARUNS of
# them (spread out) also run Ansible in both modes on both Python instances ---
connect_lo=$(connect_ms "$PY_LO")
connect_rtt=$(connect_ms "$PY_RTT")
for n in "$PLAIN_LO" "$PY_LO" "$PLAIN_RTT" "$PY_RTT"; do sr_once "$n"; done    # warm-up
say "timing: $RUNS rounds of shelfready, $ARUNS of them with Ansible (a few minutes)"
for ((i = 1; i <= RUNS; i++)); do
	timed lo-plain sr_once "$PLAIN_LO"
	timed lo-py sr_once "$PY_LO"
	timed rtt-plain sr_once "$PLAIN_RTT"
	timed rtt-py sr_once "$PY_RTT"
	if ((i * ARUNS / RUNS > (i - 1) * ARUNS / RUNS)); then
		timed lo-pipe ansible_once "$PY_LO" True "$TMP/ansible.out"
		timed lo-def ansible_once "$PY_LO" False "$TMP/ansible.out"
		timed rtt-pipe ansible_once "$PY_RTT" True "$TMP/ansible.out"
		timed rtt-def ansible_once "$PY_RTT" False "$TMP/ansible.out"
	fi
done

# --- the table ---
declare -A T
for f in "$TMP"/t.*; do T[${f##*/t.}]=$(median "$f"); done
RTT=$((DELAY * 2))
# the round trip as measured: a TCP connect through the delay, less one on loopback
rtt_seen=$((connect_rtt - connect_lo))
((rtt_seen > 0)) || rtt_seen=$RTT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r < 10 ? "%.1fx" : "%.0fx"), r }'; }
added() { awk -v lo="$1" -v d="$2" -v r="$rtt_seen" 'BEGIN { printf "%.0f", (d - lo) / r }'; }
best() { (($1 < $2)) && echo "$1" || echo "$2"; }
line() { printf '%-44s %-11s %-11s %s\n' "$@"; }
row() { line "$1" "$(secs "${T[lo-$2]}")" "$(secs "${T[rtt-$2]}")" "$(added "${T[lo-$2]}" "${T[rtt-$2]}")"; }

echo "shelfready verify --no-refresh -p $PROFILE against an Ansible playbook of"
echo "$tasks tasks collecting the same evidence ($PLAYBOOK; $ver)."
echo "Wall time per run, median of $RUNS runs (shelfready) and of $ARUNS runs (Ansible), interleaved;"
echo "every run opens a new SSH connection."
echo "Targets: fresh testbed instances; without Python (no /usr/bin/python*), and with python3"
echo "installed ($py_version), which Ansible needs."
echo
line "" loopback "$RTT ms RTT" "added round trips"
row "shelfready verify (target without Python)" plain
row "shelfready verify (same target as Ansible)" py
row "ansible-playbook, pipelining" pipe
row "ansible-playbook, default (no pipelining)" def
line "ratio: best Ansible / shelfready (same)" \
	"$(ratio "$(best "${T[lo-pipe]}" "${T[lo-def]}")" "${T[lo-py]}")" \
	"$(ratio "$(best "${T[rtt-pipe]}" "${T[rtt-def]}")" "${T[rtt-py]}")"
echo
echo "Round trip: --delay $DELAY ms each way ($delay_mode); measured ${rtt_seen} ms (a TCP connect"
echo "through the delay less one on loopback), the unit of the added round trips."
echo "Channels per run, over one SSH connection: shelfready 1 (exec of the gather script);"
echo "Ansible $ssh_pipe with pipelining, $ssh_def + $sftp_def sftp without (ssh commands multiplexed by"
echo "ControlPersist, counted with -vvv)."
echo "Machine: $(nproc) cores, load average $load_start at the start, $(load) at the end."
