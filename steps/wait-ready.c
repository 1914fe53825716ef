/*
 * wait-ready: wait until the target has settled after its first boot:
 * cloud-init has finished and no other process holds the package manager.
 *
 * A cloud VM that has just booted is busy: cloud-init runs its modules
 * (often installing packages), and on Debian and Ubuntu apt-daily and
 * unattended-upgrades take the dpkg locks; on the RHEL family dnf-makecache
 * or yum-cron do the same. A package operation started meanwhile fails on
 * the lock or, worse, races the other one. This step polls the target,
 * one short read-only script per poll, and says who it is waiting for.
 *
 * How a lock holder is found: dpkg and apt lock their files with fcntl(2)
 * record locks (dpkg's doc/frontend.txt: lock-frontend, then lock), and so
 * does rpm for .rpm.lock; flock(1) cannot test those. The kernel lists
 * every lock in /proc/locks as "N: POSIX ADVISORY WRITE PID MAJ:MIN:INODE
 * START END", so a lock file is held when a line names its device and
 * inode (stat(1)); the PID names the process. yum, dnf and zypper lock with
 * pid files instead: held when the file names a live process. The first-
 * boot drivers apt.systemd.daily and unattended-upgrade are waited for too,
 * since they do not hold a lock between their stages.
 *
 * Waiting changes nothing on the target: the step reports ok and says how
 * long it waited and for what, or fails at the timeout naming the holder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emit.h"
#include "facts.h"
#include "profile.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

static const struct param_spec wait_ready_params[] = {
	{ "timeout", PK_DURATION, 0, "10m",
	  "how long to wait in all; when cloud-init or a lock holder is still busy after it, the "
	  "step fails naming it",
	  NULL, 1, 86400 },
	{ "poll_interval", PK_DURATION, 0, "2s", "pause between two looks at the target", NULL, 1, 300 },
	{ "cloud_init", PK_BOOL, 0, "true",
	  "wait for cloud-init to finish (a target without cloud-init has nothing to wait for)", NULL,
	  0, 0 },
	PARAM_END,
};

/*
 * One look at the target, printed as tab-separated lines:
 *   cloud-init STATUS          (absent: not installed)
 *   lock PATH PID COMM ARGS    (a process holds a package manager lock)
 *   proc PID COMM ARGS         (a first-boot package job runs)
 * Read-only; POSIX sh with awk, stat and the /proc of Linux.
 */
static const char poll_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"CI=$1\n"
	"who() { # PID: its command name and arguments\n"
	"    _c=$(cat 2>/dev/null <\"/proc/$1/comm\")\n"
	"    _a=$(tr '\\000\\t\\n' '   ' 2>/dev/null <\"/proc/$1/cmdline\")\n"
	"    printf '%s\\t%s\\t%s' \"$1\" \"${_c:-?}\" \"$_a\"\n"
	"}\n"
	"if [ \"$CI\" = 1 ]; then\n"
	"    if command -v cloud-init >/dev/null 2>&1; then\n"
	"        s=$(cloud-init status 2>/dev/null | sed -n 's/^status: *//p' | head -n 1)\n"
	"        if [ -z \"$s\" ]; then\n"
	"            # no `status` subcommand (before 17.1): boot-finished written in this boot\n"
	"            s=running\n"
	"            f=/var/lib/cloud/instance/boot-finished\n"
	"            if [ -e \"$f\" ]; then\n"
	"                bt=$(awk '$1 == \"btime\" { print $2 }' /proc/stat 2>/dev/null)\n"
	"                mt=$(stat -c %Y \"$f\" 2>/dev/null)\n"
	"                [ -n \"$bt\" ] && [ -n \"$mt\" ] && [ \"$mt\" -ge \"$bt\" ] && s=done\n"
	"            fi\n"
	"        fi\n"
	"        printf 'cloud-init\\t%s\\n' \"$s\"\n"
	"    else\n"
	"        printf 'cloud-init\\tabsent\\n'\n"
	"    fi\n"
	"fi\n"
	"# fcntl locks: a line of /proc/locks with the file's device and inode\n"
	"fl() {\n"
	"    [ -e \"$1\" ] || return 0\n"
	"    _i=$(ls -di \"$1\" 2>/dev/null) || return 0\n"
	"    set -- \"$1\" $_i\n"
	"    _dev=\n"
	"    if _d=$(stat -c %d \"$1\" 2>/dev/null); then\n"
	"        _dev=$(printf '%02x:%02x' $(((_d >> 8) & 0xfff)) $(((_d & 0xff) | ((_d >> 12) & 0xfff00))))\n"
	"    fi\n"
	"    _p=$(awk -v ino=\"$2\" -v dev=\"$_dev\" '$2 != \"->\" {\n"
	"        n = split($6, a, \":\")\n"
	"        if (n == 3 && a[3] == ino && (dev == \"\" || a[1] \":\" a[2] == dev)) { print $5; exit }\n"
	"    }' /proc/locks 2>/dev/null)\n"
	"    [ -n \"$_p\" ] && printf 'lock\\t%s\\t%s\\n' \"$1\" \"$(who \"$_p\")\"\n"
	"}\n"
	"# pid-file locks: the file names a live process\n"
	"pf() {\n"
	"    [ -f \"$1\" ] || return 0\n"
	"    _p=$(tr -cd '0-9' 2>/dev/null <\"$1\")\n"
	"    [ -n \"$_p\" ] && [ -d \"/proc/$_p\" ] && printf 'lock\\t%s\\t%s\\n' \"$1\" \"$(who \"$_p\")\"\n"
	"}\n"
	"fl /var/lib/dpkg/lock-frontend\n"
	"fl /var/lib/dpkg/lock\n"
	"fl /var/lib/apt/lists/lock\n"
	"fl /var/cache/apt/archives/lock\n"
	"fl /var/lib/rpm/.rpm.lock\n"
	"fl /usr/lib/sysimage/rpm/.rpm.lock\n"
	"pf /var/run/yum.pid\n"
	"pf /var/lib/dnf/rpmdb_lock.pid\n"
	"pf /var/cache/dnf/metadata_lock.pid\n"
	"pf /var/cache/dnf/download_lock.pid\n"
	"pf /var/run/zypp.pid\n"
	"pf /run/zypp.pid\n"
	"# first-boot package jobs (not unattended-upgrade-shutdown, which waits for shutdown)\n"
	"for d in /proc/[0-9]*; do\n"
	"    c=\n"
	"    read -r c 2>/dev/null <\"$d/comm\" || continue\n"
	"    case $c in apt.systemd.dai | unattended-upgr) ;; *) continue ;; esac\n"
	"    a=$(tr '\\000\\t\\n' '   ' 2>/dev/null <\"$d/cmdline\")\n"
	"    case \" $a\" in\n"
	"    *[/\\ ]apt.systemd.daily\\ * | *[/\\ ]unattended-upgrade\\ *) printf 'proc\\t%s\\n' \"$(who \"${d#/proc/}\")\" ;;\n"
	"    esac\n"
	"done\n"
	"exit 0\n";

/* What a lock file is, for people. */
static const char *lock_name(const char *path)
{
	static const struct {
		const char *suffix, *name;
	} names[] = {
		{ "/dpkg/lock-frontend", "the dpkg frontend lock" },
		{ "/dpkg/lock", "the dpkg lock" },
		{ "/apt/lists/lock", "the apt lists lock" },
		{ "/apt/archives/lock", "the apt archives lock" },
		{ "/.rpm.lock", "the rpm database lock" },
		{ "/yum.pid", "the yum lock" },
		{ "_lock.pid", "the dnf lock" },
		{ "/zypp.pid", "the zypper lock" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (str_ends_with(path, names[i].suffix))
			return names[i].name;
	return "a package manager lock";
}

/* The first thing the target is busy with, from one poll. */
struct busy {
	char *what;   /* "the dpkg lock held by pid 123 (apt-get)": NULL when ready */
	char *detail; /* with the path and the command line, for progress lines */
	char *key;    /* the same holder gives the same key */
	char *cloud_init; /* cloud-init's status; NULL: not installed or not asked */
};

static void busy_release(struct busy *b)
{
	free(b->what);
	free(b->detail);
	free(b->key);
	free(b->cloud_init);
	memset(b, 0, sizeof(*b));
}

static int cloud_init_busy(const char *status)
{
	return !strcmp(status, "running") || !strcmp(status, "not started") ||
	       !strcmp(status, "not run") || !strcmp(status, "degraded running");
}

/* Split line at tabs into at most max fields (the last takes the rest); the count. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	while (n < max) {
		f[n++] = line;
		if (n == max)
			break;
		char *t = strchr(line, '\t');
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
	return n;
}

/* A command line without its trailing blanks, cut to a readable length. */
static void trim_args(char *a)
{
	size_t n = strlen(a);
	while (n && a[n - 1] == ' ')
		a[--n] = '\0';
	if (n > 120)
		memcpy(a + 117, "...", 4);
}

/* Fill b from the poll script's output (first blocker wins: cloud-init, locks, jobs). */
static void parse_poll(char *out, struct busy *b)
{
	char *save = NULL;

	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6];
		size_t n = split_tabs(line, f, 6);

		if (n == 2 && !strcmp(f[0], "cloud-init")) {
			if (!strcmp(f[1], "absent"))
				continue;
			b->cloud_init = xstrdup(f[1]);
			if (!b->what && cloud_init_busy(f[1])) {
				b->what = xstrdup("cloud-init");
				b->detail = xasprintf("cloud-init (status: %s)", f[1]);
				b->key = xstrdup("cloud-init");
			}
		} else if (n == 5 && !strcmp(f[0], "lock") && !b->what) {
			const char *name = lock_name(f[1]);
			trim_args(f[4]);
			if (!strcmp(f[2], "0") || !strcmp(f[2], "-1")) {
				b->what = xasprintf("%s", name);
				b->detail = xasprintf("%s (%s), held by a process not visible here", name, f[1]);
			} else {
				b->what = xasprintf("%s held by pid %s (%s)", name, f[2], f[3]);
				b->detail = xasprintf("%s (%s) held by pid %s (%s)", name, f[1], f[2],
						      f[4][0] ? f[4] : f[3]);
			}
			b->key = xasprintf("lock %s %s", f[1], f[2]);
		} else if (n == 4 && !strcmp(f[0], "proc") && !b->what) {
			trim_args(f[3]);
			b->what = xasprintf("pid %s (%s)", f[1], f[2]);
			b->detail = xasprintf("a first-boot package job: pid %s (%s)", f[1], f[3]);
			b->key = xasprintf("proc %s", f[1]);
		}
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep s seconds, or less when Ctrl-C comes: then SR_ERR_INTERRUPTED. */
static int pause_s(double s, const volatile sig_atomic_t *cancel, struct error *e)
{
	for (double waited = 0; waited < s; waited += 0.1) {
		struct timespec ts = { 0, 100000000L };
		if (cancel && *cancel)
			return error_set(e, SR_ERR_INTERRUPTED, "interrupted while waiting");
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* One poll; a dropped connection is reconnected once per poll. */
static int poll_target(struct step_ctx *ctx, int cloud_init, struct busy *b, struct error *e)
{
	struct exec_result res;
	struct strbuf sh = STRBUF_INIT;
	int ret;

	memset(&res, 0, sizeof(res));
	busy_release(b);
	strbuf_addf(&sh, "set -- %d\n%s", cloud_init ? 1 : 0, poll_script);
	ret = step_sh(ctx, sh.buf, 60, 1, &res, e);
	if (ret == SR_ERR_CONNECT || ret == SR_ERR_TIMEOUT) {
		step_say(ctx, "the connection dropped (%s); connecting again", e->msg);
		ret = step_reconnect(ctx, e);
		if (!ret)
			ret = step_sh(ctx, sh.buf, 60, 1, &res, e);
	}
	if (!ret && res.status != 0)
		ret = error_set(e, SR_ERR_REMOTE, "cannot look for package manager locks (exit %d): %s",
				res.status, res.err.buf ? res.err.buf : "");
	if (!ret)
		parse_poll(res.out.buf ? res.out.buf : (char[]){ "" }, b);
	exec_result_release(&res);
	strbuf_release(&sh);
	return ret;
}

/* "a, b and c" */
static void join_and(struct strbuf *sb, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, i + 1 == n ? " and " : ", ");
		strbuf_addstr(sb, v[i]);
	}
}

static void wait_ready_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	struct error e = ERROR_INIT;
	struct busy b = { NULL, NULL, NULL, NULL };
	struct strbuf sb = STRBUF_INIT;
	char *last_key = NULL;
	char **seen = NULL;
	size_t nseen = 0, seen_alloc = 0;
	long long timeout = step_param_int(p, "timeout", 600);
	long long interval = step_param_int(p, "poll_interval", 2);
	int cloud_init = step_param_bool(p, "cloud_init");
	double t0 = now_s(), last_say = t0;

	for (;;) {
		if (poll_target(ctx, cloud_init, &b, &e)) {
			step_failed_error(r, &e);
			goto out;
		}
		double waited = now_s() - t0;
		if (!b.what) {
			if (nseen) {
				strbuf_addf(&sb, "waited %.1f s for ", waited);
				join_and(&sb, seen, nseen);
				step_ok(r, "%s", sb.buf);
			} else {
				step_ok(r, "nothing to wait for: %s, no package manager lock is held",
					!cloud_init ? "cloud-init not asked for"
					: b.cloud_init ? "cloud-init has finished"
						       : "cloud-init is not installed");
			}
			goto out;
		}
		if (ctx->dry_run) {
			step_ok(r, "would wait (up to %lld s) for %s", timeout, b.detail);
			goto out;
		}
		if (!last_key || strcmp(last_key, b.key)) {
			int known = 0;
			step_say(ctx, "waiting for %s", b.detail);
			last_say = now_s();
			free(last_key);
			last_key = xstrdup(b.key);
			for (size_t i = 0; i < nseen; i++)
				known |= !strcmp(seen[i], b.what);
			if (!known && nseen < 8) {
				ALLOC_GROW(seen, nseen + 1, seen_alloc);
				seen[nseen++] = xstrdup(b.what);
			}
		} else if (now_s() - last_say >= 30) {
			step_say(ctx, "still waiting for %s (%.0f s)", b.what, waited);
			last_say = now_s();
		}
		if (waited >= (double)timeout) {
			step_failed(r, "still busy after %.1f s: %s", waited, b.detail);
			r->err = SR_ERR_TIMEOUT;
			goto out;
		}
		if (pause_s((double)interval, ctx->cancel, &e)) {
			step_failed_error(r, &e);
			goto out;
		}
	}
out:
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	free(last_key);
	busy_release(&b);
	strbuf_release(&sb);
	error_release(&e);
}

/*
 * For `emit`: the same looks (poll_script, run by sh -c), in a loop on the
 * machine itself, until nothing is busy or the timeout. When the script runs
 * from cloud-init (its runcmd or a per-instance script), cloud-init cannot
 * finish before the script does: waiting for it would never end, so that
 * part is skipped. The framework says so by exporting SR_UNDER_CLOUD_INIT=1;
 * without it, a cloud-init process among the script's ancestors says so too.
 */
static const char wait_ready_emit_loop[] =
	"if [ \"$_wr_ci\" = 1 ]; then\n"
	"    _wr_under=${SR_UNDER_CLOUD_INIT:-0}\n"
	"    _wr_pid=$$\n"
	"    while [ \"$_wr_under\" != 1 ] && [ -n \"$_wr_pid\" ] && [ \"$_wr_pid\" -gt 1 ] 2>/dev/null; do\n"
	"        case $(tr '\\000' ' ' 2>/dev/null <\"/proc/$_wr_pid/cmdline\") in\n"
	"        *cloud-init* | */var/lib/cloud/instance/scripts/*) _wr_under=1 ;;\n"
	"        esac\n"
	"        _wr_pid=$(sed -n 's/^PPid:[[:space:]]*//p' \"/proc/$_wr_pid/status\" 2>/dev/null)\n"
	"    done\n"
	"    if [ \"$_wr_under\" = 1 ]; then\n"
	"        _wr_ci=0\n"
	"        sr_say 'running from cloud-init: not waiting for it to finish'\n"
	"    fi\n"
	"fi\n"
	"_wr_t0=$(date +%s)\n"
	"_wr_last='' _wr_seen='' _wr_state=''\n"
	"while :; do\n"
	"    _wr_out=$(sh -c \"$_wr_poll\" sh \"$_wr_ci\" 2>/dev/null)\n"
	"    # the first blocker, as \"short<TAB>detail\"; \"ci<TAB>STATUS\" when cloud-init is done\n"
	"    _wr_b=$(printf '%s\\n' \"$_wr_out\" | awk -F '\\t' '\n"
	"        $1 == \"cloud-init\" && $2 != \"absent\" { ci = $2\n"
	"            if ($2 == \"running\" || $2 == \"not started\" || $2 == \"not run\" || $2 == \"degraded running\") {\n"
	"                print \"cloud-init\\tcloud-init (status: \" $2 \")\"; found = 1; exit } }\n"
	"        $1 == \"lock\" && NF >= 5 {\n"
	"            if ($3 == \"0\" || $3 == \"-1\") print $2 \"\\t\" $2 \", held by a process not visible here\"\n"
	"            else print $2 \" held by pid \" $3 \" (\" $4 \")\\t\" $2 \" held by pid \" $3 \" (\" $5 \")\"\n"
	"            found = 1; exit }\n"
	"        $1 == \"proc\" && NF >= 4 {\n"
	"            print \"pid \" $2 \" (\" $3 \")\\ta first-boot package job: pid \" $2 \" (\" $4 \")\"\n"
	"            found = 1; exit }\n"
	"        END { if (!found && ci != \"\") print \"ci\\t\" ci }')\n"
	"    _wr_now=$(date +%s)\n"
	"    _wr_waited=$((_wr_now - _wr_t0))\n"
	"    case $_wr_b in\n"
	"    '' | ci\"$_wr_tab\"*)\n"
	"        [ -n \"$_wr_b\" ] && _wr_state='cloud-init has finished'\n"
	"        break ;;\n"
	"    esac\n"
	"    _wr_short=${_wr_b%%\"$_wr_tab\"*}\n"
	"    _wr_detail=${_wr_b#*\"$_wr_tab\"}\n"
	"    if [ \"$_wr_short\" != \"$_wr_last\" ]; then\n"
	"        sr_say \"waiting for $_wr_detail\"\n"
	"        _wr_last=$_wr_short\n"
	"        case \"$_wr_nl$_wr_seen$_wr_nl\" in\n"
	"        *\"$_wr_nl$_wr_short$_wr_nl\"*) ;;\n"
	"        *) _wr_seen=$_wr_seen${_wr_seen:+$_wr_nl}$_wr_short ;;\n"
	"        esac\n"
	"    fi\n"
	"    if [ \"$_wr_waited\" -ge \"$_wr_timeout\" ]; then\n"
	"        sr_failed \"still busy after $_wr_waited s: $_wr_detail\"\n"
	"        return\n"
	"    fi\n"
	"    sleep \"$_wr_interval\"\n"
	"done\n"
	"if [ -n \"$_wr_seen\" ]; then\n"
	"    sr_ok \"waited $_wr_waited s for $(printf '%s\\n' \"$_wr_seen\" | awk '\n"
	"        { v[NR] = $0 } END { for (i = 1; i <= NR; i++) printf \"%s%s\", (i == 1 ? \"\" : i == NR ? \" and \" : \", \"), v[i] }')\"\n"
	"    return\n"
	"fi\n"
	"if [ \"$_wr_ci\" = 1 ]; then\n"
	"    sr_ok \"nothing to wait for: ${_wr_state:-cloud-init is not installed}, no package manager lock is held\"\n"
	"elif [ \"$_wr_asked\" = 1 ]; then\n"
	"    sr_ok 'nothing to wait for: running from cloud-init, no package manager lock is held'\n"
	"else\n"
	"    sr_ok 'nothing to wait for: cloud-init not asked for, no package manager lock is held'\n"
	"fi\n"
	"return\n";

static int wait_ready_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			   char **err)
{
	int ci = step_param_bool(p, "cloud_init");

	(void)ctx;
	(void)err;
	strbuf_addf(sh, "_wr_timeout=%lld\n_wr_interval=%lld\n_wr_ci=%d\n_wr_asked=%d\n",
		    step_param_int(p, "timeout", 600), step_param_int(p, "poll_interval", 2), ci, ci);
	strbuf_addstr(sh, "_wr_tab=$(printf '\\t')\n_wr_nl='\n'\n_wr_poll=");
	shell_quote(sh, poll_script);
	strbuf_addch(sh, '\n');
	strbuf_addstr(sh, wait_ready_emit_loop);
	return 0;
}

const struct step_type step_wait_ready = {
	.name = "wait-ready",
	.summary = "wait until cloud-init has finished and no other process holds the package manager",
	.params = wait_ready_params,
	.apply = wait_ready_apply,
	.emit = wait_ready_emit,
};
