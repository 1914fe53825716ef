#!/bin/sh
# An instance is isolated like a VM: it sees only its own few processes under its
# own init, not this machine's; files written in it reach neither the pristine
# rootfs nor another instance running at the same time; `down` leaves no mount
# and no process behind.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
require_root

# A host process with a recognisable command line, which must not be visible.
sleep 3171.5 &
marker_pid=$!
defer "kill $marker_pid 2>/dev/null"

tb_fresh e2e-iso-a || finish
# shellcheck disable=SC2153  # TB_* are set by tb_fresh
A_PORT=$TB_PORT A_HOST=$TB_HOST A_KH=$TB_KNOWN_HOSTS A_ROOTFS=$TB_ROOTFS
tb_fresh e2e-iso-b || finish
B_PORT=$TB_PORT B_HOST=$TB_HOST B_KH=$TB_KNOWN_HOSTS B_ROOTFS=$TB_ROOTFS
use_a() { TB_PORT=$A_PORT TB_HOST=$A_HOST TB_KNOWN_HOSTS=$A_KH; }
use_b() { TB_PORT=$B_PORT TB_HOST=$B_HOST TB_KNOWN_HOSTS=$B_KH; }

if [ "$A_PORT" != "$B_PORT" ]; then
    pass "two instances run at once, on ports $A_PORT and $B_PORT"
else
    fail "both instances use port $A_PORT"
fi
if ! cmp -s "$A_KH" "$B_KH" && [ "$(cut -d' ' -f3 "$A_KH")" != "$(cut -d' ' -f3 "$B_KH")" ]; then
    pass "the two instances have different host keys"
else
    fail "the two instances have the same host keys"
fi

# --- processes -------------------------------------------------------------
use_a
tb_ssh root 'ps -e -o pid= -o args=' >"$SR_TMP/ps" 2>&1
cat "$SR_TMP/ps"
nproc=$(grep -c . "$SR_TMP/ps")
if [ "$nproc" -ge 3 ] && [ "$nproc" -le 12 ]; then
    pass "ps -e inside shows only $nproc processes"
else
    fail "ps -e inside shows $nproc processes (expected a handful)"
fi
pid1=$(awk '$1 == 1 { $1 = ""; sub(/^ /, ""); print }' "$SR_TMP/ps")
check_eq "PID 1 inside is the testbed init" "/bin/sh /sbin/testbed-init" "$pid1"
if grep -q 'sleep 3171.5' "$SR_TMP/ps"; then
    fail "a host process (sleep 3171.5, host PID $marker_pid) is visible inside"
else
    pass "the host marker process (host PID $marker_pid) is not visible inside"
fi
if grep -q "$SR_TEST" "$SR_TMP/ps"; then
    fail "this test's own shell (host PID $$) is visible inside"
else
    pass "this test's own shell (host PID $$) is not visible inside"
fi
inside_pid1=$(tb_ssh root 'tr "\0" " " </proc/1/cmdline')
host_pid1=$(tr '\0' ' ' </proc/1/cmdline)
if [ -n "$inside_pid1" ] && [ "$inside_pid1" != "$host_pid1" ]; then
    pass "/proc/1 inside ($inside_pid1) is not this machine's init"
else
    fail "/proc/1 inside is '$inside_pid1', this machine's is '$host_pid1'"
fi
inside_ns=$(tb_ssh root 'readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt' | tr '\n' ' ')
host_ns=$(readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt)
host_ns=$(printf '%s\n' "$host_ns" | tr '\n' ' ')
if [ -n "$inside_ns" ] && [ "${inside_ns%% *}" != "${host_ns%% *}" ] &&
    [ "$(echo "$inside_ns" | cut -d' ' -f2)" != "$(echo "$host_ns" | cut -d' ' -f2)" ]; then
    pass "the instance has its own PID and mount namespaces ($inside_ns)"
else
    fail "namespaces inside '$inside_ns' vs this machine '$host_ns'"
fi

# --- files -------------------------------------------------------------------
token="isolation-$$-$(date +%s)"
tb_ssh root "echo $token >/root/isolation-marker"
out=$(tb_ssh root cat /root/isolation-marker)
check_eq "a file written in instance A can be read back in A" "$token" "$out"
if [ "$(cat "$A_ROOTFS/root/isolation-marker" 2>/dev/null)" = "$token" ]; then
    pass "the file is in A's root as seen from this machine (TB_ROOTFS)"
else
    fail "the file is missing from A's TB_ROOTFS ($A_ROOTFS)"
fi
if [ -e "$TB_PRISTINE/root/isolation-marker" ]; then
    fail "the file written in A appeared in the pristine rootfs"
else
    pass "the pristine rootfs is untouched"
fi
if [ -d "$TB_PRISTINE/root" ]; then
    pass "the pristine rootfs is where TB_PRISTINE says ($TB_PRISTINE)"
else
    fail "TB_PRISTINE ($TB_PRISTINE) is not a rootfs"
fi
use_b
if tb_ssh root 'test ! -e /root/isolation-marker && test -d /root'; then
    pass "the file is not in instance B"
else
    fail "the file written in A is visible in B (or B is unreachable)"
fi
if [ -e "$B_ROOTFS/root/isolation-marker" ]; then
    fail "the file written in A is in B's TB_ROOTFS"
fi

# --- down ------------------------------------------------------------------------
a_dir=$(dirname "$A_ROOTFS")
# While up, A has processes there (and, unless the testbed fell back to copying
# the rootfs, its overlay mount): otherwise the checks below would prove nothing.
log "mounts under $a_dir while up: $(mounts_under "$a_dir" | tr '\n' ' ')"
if [ -n "$(procs_rooted_at "$A_ROOTFS")" ]; then
    pass "while up, processes run inside $A_ROOTFS"
else
    fail "while up, no process runs inside $A_ROOTFS (the down check would mean nothing)"
fi
check -m "testbed.sh down e2e-iso-a" "$TESTBED" down e2e-iso-a
left=$(mounts_under "$a_dir")
if [ -z "$left" ]; then
    pass "down leaves no mount under $a_dir"
else
    fail "mounts left under $a_dir after down: $left"
fi
left=$(procs_rooted_at "$A_ROOTFS")
if [ -z "$left" ]; then
    pass "down leaves no process inside A"
else
    fail "processes left inside A after down: $left"
fi
out=$(tb_ssh root echo alive)
check_eq "instance B still answers after A is down" alive "$out"

finish
