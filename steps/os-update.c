/*
 * os-update: install the pending OS updates (security ones by default) with
 * the target's package manager, apt, dnf, yum or zypper, and reboot when the
 * target then needs it.
 *
 * Inspect first: the facts list the pending updates with their security
 * marks (lib/facts-pkg.c: for apt, a candidate version published in a
 * -security suite; for dnf, yum and zypper, the advisories). Nothing in
 * scope: ok. Otherwise a job script is built from the facts and the
 * parameters (os_update_job(), a pure function, unit-tested for every
 * package manager) and started DETACHED on the target, so that a dropped SSH
 * connection can never stop dpkg or rpm half-way:
 *
 *   systemd-run --unit=shelfready-os-update-ID --collect   (systemd is PID 1)
 *   setsid nohup sh JOB </dev/null >/dev/null 2>&1 &       (otherwise)
 *
 * The job writes everything it runs to /var/log/shelfready/os-update-ID.log
 * and, when it is done, os-update-ID.status (its exit status, the step it
 * stopped at, and the packages it upgraded, installed and removed, from
 * package lists taken before and after). The controller follows the log on
 * another exec channel, showing each line as "[n/N id] | line" and counting
 * the bytes shown; when the connection drops it reconnects and follows on
 * from that byte offset, so no line is shown twice or lost. Ctrl-C stops
 * following, not the job, and says where it keeps running.
 *
 * apt: `apt-get update`, then, non-interactive and keeping changed
 * configuration files (--force-confdef --force-confold), scope security:
 * `apt-get install --only-upgrade --no-remove` of exactly the pending
 * security updates of the facts (their candidates come from the security
 * suite; new dependencies are installed, nothing is removed, and the
 * packages that were marked as installed automatically are marked so again
 * afterwards); scope all: `apt-get
 * upgrade` with new dependencies allowed. Excluded packages are also put on
 * hold for the duration, so that no dependency drags them in, and released
 * afterwards (only those the job held). dnf and yum: `upgrade --security` /
 * `update --security` with --exclude=; where the distribution publishes no
 * advisories (CentOS) or they could not be listed, scope security installs
 * every pending update, since each may be a security fix (as the updates
 * check judges them). zypper: `patch --category security` or `update`,
 * again while it updates itself (exit 103), with excluded packages locked
 * for the duration. A package manager lock held by another process is
 * waited for up to lock_timeout (apt's DPkg::Lock::Timeout, then retries).
 *
 * reboot: if-required reboots afterwards when the target says so
 * (/var/run/reboot-required, `needs-restarting -r`, a newer kernel than the
 * running one, zypper's exit 102) and waits for a new boot
 * (step_reboot_target).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "emit.h"
#include "facts.h"
#include "profile.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

/* Exported for tests/unit/test_step_os_update.c, which declares them the same way. */
char *os_update_pending(const struct facts *f, const struct params *p, long long *n, char **err);
char *os_update_job(const struct facts *f, const struct params *p, const char *job, char **err);

#define JOB_DIR "/var/log/shelfready"

static const char *const os_update_scopes[] = { "security", "all", NULL };
static const char *const os_update_reboots[] = { "if-required", "never", NULL };

static const struct param_spec os_update_params[] = {
	{ "scope", PK_ENUM, 0, "security",
	  "security: the updates the distribution marks as security fixes (apt: candidates from the "
	  "security suite; dnf/yum: --security, or every update where no advisories are published, "
	  "as on CentOS; zypper: security patches); all: every pending update (apt-get upgrade, "
	  "dnf upgrade, yum update, zypper update)",
	  os_update_scopes, 0, 0 },
	{ "exclude", PK_STRING_LIST, 0, NULL,
	  "packages never to upgrade: names or glob patterns (kernel*); held (apt), excluded "
	  "(dnf/yum --exclude) or locked (zypper) for the duration of the upgrade",
	  NULL, 0, 0 },
	{ "reboot", PK_ENUM, 0, "if-required",
	  "if-required: reboot afterwards when the target needs it (/var/run/reboot-required, "
	  "needs-restarting -r, a newer kernel than the running one), wait for it to come back "
	  "and confirm a new boot; never: leave that to a later reboot step",
	  os_update_reboots, 0, 0 },
	{ "lock_timeout", PK_DURATION, 0, "10m",
	  "how long to wait for a package manager lock another process holds (apt-daily, "
	  "unattended-upgrades, dnf-makecache) before failing",
	  NULL, 0, 86400 },
	{ "timeout", PK_DURATION, 0, "1h",
	  "how long to follow the upgrade; past it the step fails and the upgrade keeps running on "
	  "the target (never killed half-way)",
	  NULL, 60, 7 * 86400 },
	{ "reboot_timeout", PK_DURATION, 0, "10m",
	  "how long to wait for the target to come back after the reboot", NULL, 30, 86400 },
	PARAM_END,
};

/* A package name or glob pattern: letters, digits and + . _ - : * ? [ ] */
static int exclude_valid(const char *s)
{
	if (!*s || *s == '-')
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("+._-:*?[]", *c)))
			return 0;
	return 1;
}

static void os_update_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *ex = params_get(p, "exclude");
	for (size_t i = 0; ex && i < ex->v.n; i++)
		if (!exclude_valid(ex->v.items[i].s))
			diag_error(ctx->d, ex->v.items[i].pos,
				   "'%s' in 'exclude' of %s is not a package name or glob pattern "
				   "(letters, digits and + . _ - : * ? [ ])",
				   ex->v.items[i].s, ctx->owner);
}

/* ---- what to do, from the facts (pure) ---- */

enum manager { MGR_APT, MGR_DNF, MGR_YUM, MGR_ZYPPER };

struct plan {
	enum manager mgr;
	int security;     /* scope: security */
	int everything;   /* security asked for, but the distribution marks none: every update */
	int known;        /* the facts say what is pending */
	const struct facts_update **v; /* pending in scope, without the excluded ones */
	size_t n, alloc;
	size_t excluded;  /* pending in scope, but excluded */
	size_t patches;   /* zypper: pending security patches */
	const struct param *exclude;
	int emit;         /* for `emit`: what to install is known at run time, in "$@" */
};

static void plan_release(struct plan *pl)
{
	free(pl->v);
	memset(pl, 0, sizeof(*pl));
}

static int excluded(const struct plan *pl, const char *name)
{
	for (size_t i = 0; pl->exclude && i < pl->exclude->v.n; i++)
		if (!fnmatch(pl->exclude->v.items[i].s, name, 0))
			return 1;
	return 0;
}

/* 0, or -1 with *err (owned) when the facts do not allow an update. */
static int plan_make(const struct facts *f, const struct params *p, struct plan *pl, char **err)
{
	const struct facts_updates *u = &f->updates;
	const char *m = f->packages.manager, *scope = step_param_str(p, "scope");

	memset(pl, 0, sizeof(*pl));
	if (!m) {
		*err = xstrdup("the package manager is not known: the facts name no apt, dnf, yum or "
			       "zypper");
		return -1;
	}
	if (!strcmp(m, "apt"))
		pl->mgr = MGR_APT;
	else if (!strcmp(m, "dnf"))
		pl->mgr = MGR_DNF;
	else if (!strcmp(m, "yum"))
		pl->mgr = MGR_YUM;
	else if (!strcmp(m, "zypper"))
		pl->mgr = MGR_ZYPPER;
	else {
		*err = xasprintf("cannot update with '%s': os-update knows apt, dnf, yum and zypper", m);
		return -1;
	}
	pl->security = !scope || !strcmp(scope, "security");
	pl->exclude = params_get(p, "exclude");
	/* where security marks cannot be trusted, every update may be a security fix */
	if (pl->security && pl->mgr != MGR_APT &&
	    (u->security_count < 0 || !u->security_src.complete ||
	     (f->os.id && !strcmp(f->os.id, "centos"))))
		pl->everything = 1;
	pl->known = u->src.section && u->src.complete &&
		    (u->src.status == 0 || (u->src.status == 100 && pl->mgr != MGR_APT &&
					     pl->mgr != MGR_ZYPPER));
	for (size_t i = 0; i < u->list.n; i++) {
		const struct facts_update *up = &u->list.v[i];
		if (!up->name || (pl->security && !pl->everything && !up->security))
			continue;
		if (excluded(pl, up->name)) {
			pl->excluded++;
			continue;
		}
		ALLOC_GROW(pl->v, pl->n + 1, pl->alloc);
		pl->v[pl->n++] = up;
	}
	if (pl->mgr == MGR_ZYPPER && pl->security && !pl->everything)
		for (size_t i = 0; i < u->advisories.n; i++)
			pl->patches += !u->advisories.v[i].package;
	return 0;
}

/* What os-update would install: "name current -> version, ..." (or the patches). */
static char *plan_text(const struct plan *pl, const struct facts *f, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	size_t shown = 0;

	for (size_t i = 0; i < pl->n && shown < max; i++, shown++) {
		const struct facts_update *up = pl->v[i];
		strbuf_addf(&sb, "%s%s %s -> %s", i ? ", " : "", up->name,
			    up->current ? up->current : "(new)", up->version ? up->version : "?");
	}
	if (pl->n > shown)
		strbuf_addf(&sb, ", and %zu more", pl->n - shown);
	if (!pl->n && pl->patches) {
		const struct facts_updates *u = &f->updates;
		for (size_t i = 0; i < u->advisories.n && shown < max; i++) {
			if (u->advisories.v[i].package || !u->advisories.v[i].id)
				continue;
			strbuf_addf(&sb, "%s%s", shown ? ", " : "patches ", u->advisories.v[i].id);
			shown++;
		}
		if (pl->patches > shown)
			strbuf_addf(&sb, ", and %zu more", pl->patches - shown);
	}
	return strbuf_detach(&sb);
}

/*
 * The pending updates os-update would install here: their description
 * (owned) and *n their count, -1 when the facts cannot tell. NULL and *err
 * (owned) when it cannot update this target at all.
 */
char *os_update_pending(const struct facts *f, const struct params *p, long long *n, char **err)
{
	struct plan pl;
	char *text;

	if (plan_make(f, p, &pl, err) < 0)
		return NULL;
	*n = pl.known ? (long long)(pl.n ? pl.n : pl.patches) : -1;
	text = plan_text(&pl, f, (size_t)-1);
	plan_release(&pl);
	return text;
}

/* ---- the job script (pure) ---- */

/* Common to every package manager: logging, retries on a held lock, the status at the end. */
static const char job_env[] =
	"set -f\n"
	"umask 022\n"
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	"LC_ALL=C\n"
	"export PATH LC_ALL\n";
/*
 * Detached: the output goes to the log; the pid and boot say whether it
 * still runs. The boot first and the pid last, each renamed into place: a
 * follower that finds the pid finds the boot too, and never half a file.
 */
static const char job_detach[] =
	"exec >>\"$B.log\" 2>&1 </dev/null\n"
	"cat /proc/sys/kernel/random/boot_id >\"$B.boot.new\" 2>/dev/null && mv -f \"$B.boot.new\" \"$B.boot\"\n"
	"echo $$ >\"$B.pid.new\" && mv -f \"$B.pid.new\" \"$B.pid\"\n";
static const char job_common[] =
	"STEP=start\n"
	"say() { printf '==> %s\\n' \"$*\"; }\n"
	"# run CMD...: while CMD fails because another process holds the package\n"
	"# manager's lock, run it again every 5 s, for up to LOCK_TIMEOUT s\n"
	"run() {\n"
	"    _t0=\n"
	"    while :; do\n"
	"        say \"$*\"\n"
	"        { \"$@\" 2>&1; echo \"$?\" >\"$B.rc\"; } | tee \"$B.out\"\n"
	"        _rc=$(cat \"$B.rc\" 2>/dev/null)\n"
	"        [ \"$_rc\" = 0 ] && return 0\n"
	"        grep -Eq \"$LOCKED\" \"$B.out\" 2>/dev/null || return \"${_rc:-1}\"\n"
	"        _now=$(date +%s)\n"
	"        [ -n \"$_t0\" ] || _t0=$_now\n"
	"        if [ $((_now - _t0)) -ge \"$LOCK_TIMEOUT\" ]; then\n"
	"            say \"the package manager is still locked after $LOCK_TIMEOUT s\"\n"
	"            return \"$_rc\"\n"
	"        fi\n"
	"        say 'the package manager is locked by another process: again in 5 s'\n"
	"        sleep 5\n"
	"    done\n"
	"}\n"
	"# the packages that changed, from the lists taken before and after\n"
	"changes() {\n"
	"    awk -F '\\t' 'FILENAME == ARGV[1] { old[$1] = $2; next }\n"
	"    { seen[$1] = 1\n"
	"      if (!($1 in old)) print \"installed\\t\" $1 \"\\t\\t\" $2\n"
	"      else if (old[$1] != $2) print \"upgraded\\t\" $1 \"\\t\" old[$1] \"\\t\" $2 }\n"
	"    END { for (k in old) if (!(k in seen)) print \"removed\\t\" k \"\\t\" old[k] \"\\t\" }' \\\n"
	"        \"$B.before\" \"$B.after\" 2>/dev/null\n"
	"}\n"
	"REBOOT=0\n"
	"finish() {\n"
	"    trap '' INT TERM\n"
	"    release\n"
	"    snapshot >\"$B.after\"\n"
	"    { printf 'exit=%s\\nstep=%s\\nreboot=%s\\n' \"$1\" \"$STEP\" \"$REBOOT\"; changes; } >\"$B.status.new\"\n"
	"    rm -f \"$B.before\" \"$B.after\" \"$B.rc\" \"$B.out\"\n"
	"    say \"finished at $(date '+%F %T'): exit status $1\"\n"
	"    mv -f \"$B.status.new\" \"$B.status\"\n"
	"    exit \"$1\"\n"
	"}\n"
	"trap 'finish 130' INT\n"
	"trap 'finish 143' TERM\n";

static const char job_dpkg[] =
	"snapshot() {\n"
	"    dpkg-query -W -f '${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n' 2>/dev/null |\n"
	"        awk -F '\\t' 'substr($3, 2, 1) == \"i\" { print $1 \"\\t\" $2 }'\n"
	"}\n"
	"HELD=\n"
	"# hold PATTERN...: hold the installed packages that match and are not held yet\n"
	"hold() {\n"
	"    for _p in \"$@\"; do\n"
	"        for _n in $(dpkg-query -W -f '${db:Status-Abbrev} ${binary:Package}\\n' \"$_p\" 2>/dev/null |\n"
	"            awk '$1 ~ /^[^h]i/ { print $2 }'); do\n"
	"            apt-mark hold \"$_n\" >/dev/null && HELD=\"$HELD $_n\" && say \"held $_n for the upgrade\"\n"
	"        done\n"
	"    done\n"
	"}\n"
	"# apt-get install marks the packages it names as installed by hand: the ones\n"
	"# installed automatically before stay so (autoremove must still see them)\n"
	"release() {\n"
	"    [ -z \"$HELD\" ] || apt-mark unhold $HELD\n"
	"    HELD=\n"
	"    if [ -s \"$B.auto\" ]; then\n"
	"        _m=$(apt-mark showmanual 2>/dev/null | sort | comm -12 - \"$B.auto\")\n"
	"        [ -z \"$_m\" ] || apt-mark auto $_m >/dev/null\n"
	"    fi\n"
	"    rm -f \"$B.auto\"\n"
	"}\n"
	"export DEBIAN_FRONTEND=noninteractive APT_LISTCHANGES_FRONTEND=none\n";

static const char job_rpm[] =
	"snapshot() {\n"
	"    rpm -qa --qf '%{NAME}.%{ARCH}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\n' 2>/dev/null |\n"
	"        awk -F '\\t' '{ sub(/^\\(none\\):/, \"\", $2); print $1 \"\\t\" $2 }' | sort |\n"
	"        awk -F '\\t' '$1 == k { v = v \" \" $2; next }\n"
	"            { if (k != \"\") print k \"\\t\" v; k = $1; v = $2 }\n"
	"            END { if (k != \"\") print k \"\\t\" v }'\n"
	"}\n";

static const char job_zypper_locks[] =
	"LOCKS=\n"
	"# zlock PATTERN...: lock the patterns that are not locked yet\n"
	"zlock() {\n"
	"    _have=$(zypper --non-interactive --quiet locks 2>/dev/null)\n"
	"    for _p in \"$@\"; do\n"
	"        case $_have in *\" $_p \"*) continue ;; esac\n"
	"        zypper --non-interactive addlock \"$_p\" >/dev/null && LOCKS=\"$LOCKS $_p\" && say \"locked $_p for the update\"\n"
	"    done\n"
	"}\n"
	"release() {\n"
	"    for _p in $LOCKS; do zypper --non-interactive removelock \"$_p\" >/dev/null; done\n"
	"    LOCKS=\n"
	"}\n";

/* Messages of a package manager that failed because another process holds its lock. */
static const char *const locked_re[] = {
	[MGR_APT] = "Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the "
		    "administration directory|Unable to lock directory|locked by another process",
	[MGR_DNF] = "already locked by|Waiting for process with pid",
	[MGR_YUM] = "Existing lock |another copy is running",
	[MGR_ZYPPER] = "System management is locked",
};

static void add_excludes(struct strbuf *sb, const struct plan *pl, const char *prefix)
{
	for (size_t i = 0; pl->exclude && i < pl->exclude->v.n; i++) {
		strbuf_addstr(sb, prefix);
		shell_quote(sb, pl->exclude->v.items[i].s);
	}
}

static void job_apt(struct strbuf *sb, const struct plan *pl, long long lock_timeout)
{
	char opts[256];

	snprintf(opts, sizeof(opts),
		 "-y -q -o DPkg::Lock::Timeout=%lld -o Dpkg::Options::=--force-confdef "
		 "-o Dpkg::Options::=--force-confold",
		 lock_timeout);
	strbuf_addstr(sb, job_dpkg);
	strbuf_addstr(sb, "snapshot >\"$B.before\"\napt-mark showauto 2>/dev/null | sort >\"$B.auto\"\n");
	if (pl->exclude && pl->exclude->v.n) {
		strbuf_addstr(sb, "STEP=hold\nhold");
		add_excludes(sb, pl, " ");
		strbuf_addch(sb, '\n');
	}
	/* an upgrade killed earlier (not by us: ours run detached) leaves dpkg half-way */
	strbuf_addstr(sb, "if [ -n \"$(dpkg --audit 2>/dev/null)\" ]; then\n"
			  "    STEP=configure\n"
			  "    say 'dpkg was interrupted earlier: finishing its work first'\n"
			  "    run dpkg --configure -a || finish $?\n"
			  "fi\n");
	if (!pl->emit) /* emitted, the lists were refreshed to find what is pending */
		strbuf_addf(sb, "STEP=update\nrun apt-get -q -o DPkg::Lock::Timeout=%lld update ||\n"
				"    say 'apt-get update failed: upgrading from the package lists at hand'\n",
			    lock_timeout);
	strbuf_addstr(sb, "STEP=upgrade\n");
	if (pl->security) {
		strbuf_addf(sb, "run apt-get %s install --only-upgrade --no-remove", opts);
		if (pl->emit)
			strbuf_addstr(sb, " \"$@\"");
		for (size_t i = 0; i < pl->n; i++) {
			const struct facts_update *up = pl->v[i];
			strbuf_addstr(sb, " \\\n    ");
			if (up->arch && strcmp(up->arch, "all")) {
				char *q = xasprintf("%s:%s", up->name, up->arch);
				shell_quote(sb, q);
				free(q);
			} else {
				shell_quote(sb, up->name);
			}
		}
		strbuf_addstr(sb, " || finish $?\n");
	} else {
		strbuf_addf(sb, "run apt-get %s -o APT::Get::Upgrade-Allow-New=true upgrade || finish $?\n",
			    opts);
	}
}

static void job_yum(struct strbuf *sb, const struct plan *pl)
{
	int dnf = pl->mgr == MGR_DNF;

	strbuf_addstr(sb, job_rpm);
	strbuf_addstr(sb, "release() { :; }\nsnapshot >\"$B.before\"\nSTEP=upgrade\n");
	strbuf_addf(sb, "run %s", dnf ? "dnf -y --setopt=exit_on_lock=True upgrade"
				      : "yum -y --setopt=exit_on_lock=1 update");
	if (pl->emit)
		strbuf_addstr(sb, " \"$@\""); /* --security, or nothing */
	else if (pl->security && !pl->everything)
		strbuf_addstr(sb, " --security");
	add_excludes(sb, pl, " --exclude=");
	strbuf_addstr(sb, " || finish $?\n");
}

static void job_zypper(struct strbuf *sb, const struct plan *pl)
{
	strbuf_addstr(sb, job_rpm);
	strbuf_addstr(sb, job_zypper_locks);
	strbuf_addstr(sb, "snapshot >\"$B.before\"\n");
	if (pl->exclude && pl->exclude->v.n) {
		strbuf_addstr(sb, "STEP=lock\nzlock");
		add_excludes(sb, pl, " ");
		strbuf_addch(sb, '\n');
	}
	if (!pl->emit)
		strbuf_addstr(sb, "STEP=refresh\nrun zypper --non-interactive refresh ||\n"
				  "    say 'zypper refresh failed: updating from the metadata at hand'\n");
	strbuf_addstr(sb, "STEP=upgrade\n_n=0\nwhile :; do\n    run zypper --non-interactive ");
	if (pl->emit)
		strbuf_addstr(sb, "\"$@\""); /* patch --category security, or update */
	else if (pl->security && !pl->everything)
		strbuf_addstr(sb, "patch --category security");
	else
		strbuf_addstr(sb, "update");
	strbuf_addstr(sb, " --auto-agree-with-licenses\n"
			  "    _rc=$?\n"
			  "    case $_rc in\n"
			  "    0 | 106) break ;;\n"
			  "    102) REBOOT=1; break ;;\n"
			  "    103)\n"
			  "        _n=$((_n + 1))\n"
			  "        [ \"$_n\" -lt 5 ] || finish \"$_rc\"\n"
			  "        say 'zypper updated itself: once more'\n"
			  "        ;;\n"
			  "    *) finish \"$_rc\" ;;\n"
			  "    esac\n"
			  "done\n");
}

/*
 * The job script for the target (owned): run detached as root, with its
 * files under /var/log/shelfready/JOB.*; NULL and *err (owned) when this
 * target cannot be updated. A pure function of the facts and parameters.
 */
char *os_update_job(const struct facts *f, const struct params *p, const char *job, char **err)
{
	struct strbuf sb = STRBUF_INIT;
	struct plan pl;
	long long lock_timeout = step_param_int(p, "lock_timeout", 600);

	if (plan_make(f, p, &pl, err) < 0)
		return NULL;
	strbuf_addf(&sb, "#!/bin/sh\n# shelfready os-update job %s: started detached from the SSH\n"
			 "# connection; its output is in $B.log, $B.status appears when it is done\n",
		    job);
	strbuf_addstr(&sb, "B=" JOB_DIR "/");
	shell_quote(&sb, job);
	strbuf_addf(&sb, "\nLOCK_TIMEOUT=%lld\nLOCKED=", lock_timeout);
	shell_quote(&sb, locked_re[pl.mgr]);
	strbuf_addch(&sb, '\n');
	strbuf_addstr(&sb, job_env);
	strbuf_addstr(&sb, job_detach);
	strbuf_addstr(&sb, job_common);
	strbuf_addf(&sb, "say \"shelfready os-update job %s started at $(date '+%%F %%T') (pid $$)\"\n",
		    job);
	if (pl.everything)
		strbuf_addstr(&sb, "say 'no usable security advisories here: installing every pending "
				   "update, since each may be a security fix'\n");
	switch (pl.mgr) {
	case MGR_APT:
		job_apt(&sb, &pl, lock_timeout);
		break;
	case MGR_DNF:
	case MGR_YUM:
		job_yum(&sb, &pl);
		break;
	case MGR_ZYPPER:
		job_zypper(&sb, &pl);
		break;
	}
	strbuf_addstr(&sb, "STEP=done\nfinish 0\n");
	plan_release(&pl);
	return strbuf_detach(&sb);
}

/* ---- starting and following the job ---- */

/*
 * Write the job script and start it detached. Prints "started MODE", or
 * "running OTHER" and exits 3 when an earlier job still runs.
 */
static char *launch_script(const char *job, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	char token[17], *eof;

	do {
		random_token(token, sizeof(token));
		eof = xasprintf("SHELFREADY_JOB_%s", token);
		if (!strstr(text, eof))
			break;
		free(eof);
	} while (1);
	strbuf_addstr(&sb, "D=" JOB_DIR "\nJ=");
	shell_quote(&sb, job);
	strbuf_addstr(&sb,
		      "\numask 077\n"
		      "mkdir -p \"$D\" || exit 10\n"
		      "for p in \"$D\"/os-update-*.pid; do\n"
		      "    [ -f \"$p\" ] || continue\n"
		      "    o=${p%.pid}\n"
		      "    [ -e \"$o.status\" ] && continue\n"
		      "    pid=$(cat \"$p\" 2>/dev/null)\n"
		      "    [ -n \"$pid\" ] && [ -d \"/proc/$pid\" ] || continue\n"
		      "    case $(tr '\\000' ' ' 2>/dev/null <\"/proc/$pid/cmdline\") in\n"
		      "    *\"${o##*/}\"*) echo \"running ${o##*/}\"; exit 3 ;;\n"
		      "    esac\n"
		      "done\n");
	strbuf_addf(&sb, "cat >\"$D/$J.sh\" <<'%s' || exit 10\n%s%s\n", eof, text, eof);
	strbuf_addstr(&sb,
		      ": >\"$D/$J.log\" || exit 10\n"
		      "if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then\n"
		      "    for o in '--quiet --collect' ''; do\n"
		      "        # shellcheck disable=SC2086\n"
		      "        systemd-run $o --unit=\"shelfready-$J\" --description=\"shelfready $J\" \\\n"
		      "            /bin/sh \"$D/$J.sh\" >/dev/null 2>&1 && { echo 'started systemd-run'; exit 0; }\n"
		      "    done\n"
		      "fi\n"
		      "if command -v setsid >/dev/null 2>&1; then\n"
		      "    setsid nohup /bin/sh \"$D/$J.sh\" </dev/null >/dev/null 2>&1 &\n"
		      "else\n"
		      "    nohup /bin/sh \"$D/$J.sh\" </dev/null >/dev/null 2>&1 &\n"
		      "fi\n"
		      "echo 'started setsid'\n");
	free(eof);
	return strbuf_detach(&sb);
}

/*
 * Follow job's log from byte OFF: print each complete line followed by the
 * character RS (\036), so that a line cut by a dropped connection is known
 * to be incomplete; at the end print the status on stderr after a marker
 * and exit 0. Exit 3: the job is gone without a status (killed, or the
 * target rebooted); 4: there is no such job; 5: FOLLOW_TURN seconds are up,
 * start another follower. A connection can die silently (no reset reaches
 * the controller): a follower that neither prints nor ends within
 * FOLLOW_SILENCE seconds is taken for a dropped connection.
 */
#define FOLLOW_TURN "100"
#define FOLLOW_SILENCE 150
static const char follow_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"RS=$(printf '\\036')\n"
	"tmp=$B.follow.$$\n"
	"trap 'rm -f \"$tmp\"' EXIT\n"
	"[ -e \"$B.log\" ] || exit 4\n"
	"i=0 n=0 gone=0\n"
	"while :; do\n"
	"    fin=0\n"
	"    [ -e \"$B.status\" ] && fin=1\n"
	"    size=$(($(wc -c <\"$B.log\")))\n"
	"    if [ \"$size\" -gt \"$OFF\" ]; then\n"
	"        tail -c +$((OFF + 1)) \"$B.log\" | head -c $((size - OFF)) |\n"
	"            awk -v n=$((size - OFF)) -v fin=$fin -v rs=\"$RS\" -v tmp=\"$tmp\" '\n"
	"            { l = length($0) + 1\n"
	"              if (used + l <= n) { print $0 rs; used += l }\n"
	"              else if (fin) { print $0 rs; used = n } }\n"
	"            END { print used + 0 > tmp }'\n"
	"        OFF=$((OFF + $(cat \"$tmp\")))\n"
	"    fi\n"
	"    if [ \"$fin\" = 1 ]; then\n"
	"        echo '@@shelfready-status' >&2\n"
	"        cat \"$B.status\" >&2\n"
	"        exit 0\n"
	"    fi\n"
	"    pid=$(cat \"$B.pid\" 2>/dev/null)\n"
	"    if [ -n \"$pid\" ]; then\n"
	"        alive=0\n"
	"        if [ -d \"/proc/$pid\" ] && [ \"$(cat \"$B.boot\" 2>/dev/null)\" = \"$(cat /proc/sys/kernel/random/boot_id)\" ]; then\n"
	"            case $(tr '\\000' ' ' 2>/dev/null <\"/proc/$pid/cmdline\") in *\"$B.sh\"*) alive=1 ;; esac\n"
	"        fi\n"
	"    else\n"
	"        i=$((i + 1))\n"
	"        alive=$((i < 60))\n"
	"    fi\n"
	"    # gone only when seen gone twice, a second apart: the job may be ending\n"
	"    if [ \"$alive\" = 0 ] && [ ! -e \"$B.status\" ]; then\n"
	"        gone=$((gone + 1))\n"
	"        if [ \"$gone\" -ge 2 ]; then\n"
	"            echo 'the job is gone and left no status' >&2\n"
	"            exit 3\n"
	"        fi\n"
	"    else\n"
	"        gone=0\n"
	"    fi\n"
	"    sleep 1\n"
	"    n=$((n + 1))\n"
	"    [ \"$n\" -lt " FOLLOW_TURN " ] || exit 5\n"
	"done\n";

struct job {
	char id[40];        /* os-update-XXXXXXXX */
	char *base;         /* JOB_DIR/id */
	size_t off;         /* bytes of the log shown */
	struct strbuf status; /* the status file, once done */
};

struct follower {
	struct step_ctx *ctx;
	struct job *j;
};

static void on_log_line(void *arg, int stream, const char *line, size_t len)
{
	struct follower *fo = arg;
	const char *cr;

	if (stream != EXEC_STDOUT || !len || line[len - 1] != '\036')
		return; /* not a log line, or one cut short by a dropped connection */
	fo->j->off += len; /* the line and its newline */
	len--;
	if (len && line[len - 1] == '\r')
		len--;
	/* what a terminal would show of "progress\rprogress\rdone" */
	while ((cr = memchr(line, '\r', len))) {
		len -= (size_t)(cr + 1 - line);
		line = cr + 1;
	}
	step_say(fo->ctx, "| %.*s", (int)len, line);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Follow j until it is done (its status in j->status), reconnecting when the
 * connection drops and going on from the byte already shown. SR_ERR_TIMEOUT
 * at deadline, SR_ERR_INTERRUPTED on Ctrl-C, SR_ERR_CONNECT when the target
 * does not come back, SR_ERR_REMOTE when the job is gone without a status.
 */
static int job_follow(struct step_ctx *ctx, struct job *j, double deadline, struct error *e)
{
	struct follower fo = { ctx, j };
	int ret;

	for (;;) {
		struct exec_opts o;
		struct exec_result res;
		struct strbuf sh = STRBUF_INIT;
		double left = deadline - now_s();

		if (left < 1)
			return error_set(e, SR_ERR_TIMEOUT, "timed out");
		strbuf_addstr(&sh, "B=");
		shell_quote(&sh, j->base);
		strbuf_addf(&sh, "\nOFF=%zu\n%s", j->off, follow_script);
		memset(&o, 0, sizeof(o));
		memset(&res, 0, sizeof(res));
		o.input = sh.buf;
		o.input_len = sh.len;
		o.timeout = left < FOLLOW_SILENCE ? (int)left : FOLLOW_SILENCE;
		o.cancel = ctx->cancel;
		o.on_line = on_log_line;
		o.arg = &fo;
		ret = ssh_exec(ctx->c, "sh -s", &o, &res, e);
		strbuf_release(&sh);
		if (!ret) {
			const char *mark = res.err.buf ? strstr(res.err.buf, "@@shelfready-status\n") : NULL;
			if (res.status == 0 && mark) {
				strbuf_addstr(&j->status, mark + strlen("@@shelfready-status\n"));
				exec_result_release(&res);
				return 0;
			}
			if (res.status == 5) { /* its turn is over: the next one goes on */
				exec_result_release(&res);
				continue;
			}
			if (res.status == 3)
				ret = error_set(e, SR_ERR_REMOTE, "the upgrade job ended without finishing: "
								  "it was killed, or the target rebooted");
			else if (res.status == 4)
				ret = error_set(e, SR_ERR_REMOTE, "the upgrade job's log is missing");
			else
				ret = error_set(e, SR_ERR_REMOTE, "cannot follow the upgrade job (exit %d): %.200s",
						res.status, res.err.buf ? res.err.buf : "");
			exec_result_release(&res);
			return ret;
		}
		exec_result_release(&res);
		if (ret == SR_ERR_TIMEOUT && deadline - now_s() < 1)
			return ret;
		if (ret != SR_ERR_CONNECT && ret != SR_ERR_TIMEOUT)
			return ret;
		step_say(ctx, "the connection dropped (%s); the upgrade keeps running on the target: "
			      "reconnecting",
			 e->msg);
		ret = step_reconnect(ctx, e);
		if (ret)
			return ret;
		step_say(ctx, "reconnected: following %s.log on from byte %zu", j->base, j->off);
	}
}

/* Start the job; *busy gets the id of an earlier job that still runs instead (owned). */
static int job_start(struct step_ctx *ctx, const struct job *j, const char *text, char **busy,
		     struct error *e)
{
	struct exec_result res;
	char *sh = launch_script(j->id, text);
	int ret;

	memset(&res, 0, sizeof(res));
	*busy = NULL;
	ret = step_sh(ctx, sh, 120, 1, &res, e);
	if (!ret && res.status == 3 && res.out.buf && str_starts_with(res.out.buf, "running os-update-") &&
	    strcspn(res.out.buf + 8, "\n") < 32 &&
	    strspn(res.out.buf + 8, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
		    strcspn(res.out.buf + 8, "\n")) {
		*busy = xstrndup(res.out.buf + 8, strcspn(res.out.buf + 8, "\n"));
	} else if (!ret && (res.status != 0 || !res.out.buf || !str_starts_with(res.out.buf, "started"))) {
		ret = error_set(e, SR_ERR_REMOTE, "cannot start the upgrade job in %s (exit %d): %s",
				JOB_DIR, res.status, res.err.buf ? res.err.buf : "");
	} else if (!ret) {
		size_t n = strcspn(res.out.buf, "\n");
		step_say(ctx, "%.*s job %s (log %s.log)", (int)n, res.out.buf, j->id, j->base);
	}
	exec_result_release(&res);
	free(sh);
	return ret;
}

/* Remove the job's script and pid file; the log and the status stay as a record. */
static void job_tidy(struct step_ctx *ctx, const struct job *j)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	struct strbuf sh = STRBUF_INIT;

	memset(&res, 0, sizeof(res));
	strbuf_addstr(&sh, "B=");
	shell_quote(&sh, j->base);
	strbuf_addstr(&sh, "\nrm -f \"$B.sh\" \"$B.pid\" \"$B.boot\"\n");
	step_sh(ctx, sh.buf, 60, 1, &res, &e);
	exec_result_release(&res);
	error_release(&e);
	strbuf_release(&sh);
}

static void job_init(struct job *j, const char *id)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->base = xasprintf(JOB_DIR "/%s", j->id);
}

static void job_release(struct job *j)
{
	free(j->base);
	strbuf_release(&j->status);
	memset(j, 0, sizeof(*j));
}

/* ---- the outcome ---- */

struct outcome {
	int exit;            /* -1: not reported */
	char *step;
	int reboot;          /* zypper said a reboot is needed */
	struct strbuf upgraded, installed, removed;
	size_t nup, nin, nrm;
};

static void outcome_release(struct outcome *o)
{
	free(o->step);
	strbuf_release(&o->upgraded);
	strbuf_release(&o->installed);
	strbuf_release(&o->removed);
}

/* A package as people name it: without dpkg's ":amd64" or rpm's ".x86_64". */
static size_t display_len(const char *name)
{
	static const char *const archs[] = { ".x86_64", ".noarch", ".i686", ".aarch64", ".ppc64le",
					     ".s390x", ".armv7hl", ".src" };
	size_t n = strcspn(name, ":");
	for (size_t i = 0; i < ARRAY_SIZE(archs); i++) {
		size_t al = strlen(archs[i]);
		if (n > al && !memcmp(name + n - al, archs[i], al))
			return n - al;
	}
	return n;
}

static void add_name(struct strbuf *sb, size_t *n, const char *name)
{
	if (*n < 12)
		strbuf_addf(sb, "%s%.*s", *n ? ", " : "", (int)display_len(name), name);
	else if (*n == 12)
		strbuf_addstr(sb, ", ...");
	(*n)++;
}

static void outcome_parse(char *status, struct outcome *o)
{
	char *save = NULL;

	memset(o, 0, sizeof(*o));
	o->exit = -1;
	for (char *line = strtok_r(status, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (str_starts_with(line, "exit="))
			o->exit = (int)strtol(line + 5, NULL, 10);
		else if (str_starts_with(line, "step=") && !o->step)
			o->step = xstrdup(line + 5);
		else if (!strcmp(line, "reboot=1"))
			o->reboot = 1;
		else if (tab) {
			char *name = tab + 1, *end = strchr(name, '\t');
			if (end)
				*end = '\0';
			*tab = '\0';
			if (!strcmp(line, "upgraded"))
				add_name(&o->upgraded, &o->nup, name);
			else if (!strcmp(line, "installed"))
				add_name(&o->installed, &o->nin, name);
			else if (!strcmp(line, "removed"))
				add_name(&o->removed, &o->nrm, name);
		}
	}
}

static void outcome_text(const struct outcome *o, struct strbuf *sb)
{
	if (o->nup)
		strbuf_addf(sb, "upgraded %zu package%s: %s", o->nup, o->nup == 1 ? "" : "s",
			    o->upgraded.buf);
	if (o->nin)
		strbuf_addf(sb, "%sinstalled %zu new: %s", sb->len ? "; " : "", o->nin, o->installed.buf);
	if (o->nrm)
		strbuf_addf(sb, "%sremoved %zu: %s", sb->len ? "; " : "", o->nrm, o->removed.buf);
}

/* Why the target needs a reboot (owned), or NULL; zypper may say so too. */
static char *reboot_reason(const struct facts *f, int zypper_says)
{
	char *why = step_reboot_reason(f);
	if (!why && zypper_says)
		why = xstrdup("zypper says so (exit 102)");
	return why;
}

/* Gather the facts again (no refresh) and say whether a reboot is needed. */
static int reboot_check(struct step_ctx *ctx, int zypper_says, char **why, struct error *e)
{
	struct collect_opts co;
	struct facts *nf = NULL;
	int ret;

	memset(&co, 0, sizeof(co));
	co.no_refresh = 1;
	co.timeout = 300;
	*why = NULL;
	ret = collect_facts(ctx->c, &co, &nf, NULL, NULL, e);
	if (ret)
		return ret;
	*why = reboot_reason(nf, zypper_says);
	facts_free(nf);
	return 0;
}

static const char *scope_name(const struct plan *pl)
{
	return pl->security ? "security " : "";
}

static void os_update_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	struct error e = ERROR_INIT;
	struct plan pl;
	struct job j;
	struct outcome oc;
	struct strbuf sb = STRBUF_INIT;
	char *err = NULL, *text = NULL, *busy = NULL, *why = NULL, token[9];
	const char *reboot = step_param_str(p, "reboot");
	int if_required = !reboot || !strcmp(reboot, "if-required");
	long long timeout = step_param_int(p, "timeout", 3600);
	long long reboot_timeout = step_param_int(p, "reboot_timeout", 600);
	double deadline = now_s() + (double)timeout;
	int changed = 0, ret;

	memset(&j, 0, sizeof(j));
	memset(&oc, 0, sizeof(oc));
	if (plan_make(ctx->f, p, &pl, &err) < 0) {
		step_failed(r, "%s", err);
		goto out;
	}
	if (!pl.known && pl.mgr == MGR_APT && pl.security) {
		step_failed(r, "the pending security updates are not known: the facts' updates are %s",
			    ctx->f->updates.src.section ? "cut off or failed" : "missing");
		goto out;
	}
	if (pl.known && !pl.n && !pl.patches) {
		/* nothing to install; a reboot an earlier upgrade asked for is still due */
		why = if_required ? reboot_reason(ctx->f, 0) : NULL;
		strbuf_addf(&sb, "no pending %supdates", scope_name(&pl));
		if (pl.excluded)
			strbuf_addf(&sb, " (%zu excluded)", pl.excluded);
		if (!why) {
			step_ok(r, "%s", sb.buf);
			goto out;
		}
		if (ctx->dry_run) {
			step_changed(r, "%s; would reboot: %s", sb.buf, why);
			goto out;
		}
		goto do_reboot;
	}
	if (ctx->dry_run) {
		char *list = plan_text(&pl, ctx->f, 40);
		if (pl.known)
			strbuf_addf(&sb, "would upgrade %zu %s: %s", pl.n ? pl.n : pl.patches,
				    pl.n ? (pl.n == 1 ? "package" : "packages") : "patches", list);
		else
			strbuf_addf(&sb, "would install the pending %supdates (the facts do not list them)",
				    scope_name(&pl));
		if (pl.everything)
			strbuf_addstr(&sb, " (no usable security advisories: every pending update)");
		if (pl.excluded)
			strbuf_addf(&sb, "; %zu excluded", pl.excluded);
		strbuf_addstr(&sb, if_required ? "; then reboot if the target needs it" : "");
		step_changed(r, "%s", sb.buf);
		free(list);
		goto out;
	}

	for (int attempt = 0;; attempt++) {
		random_token(token, sizeof(token));
		for (char *c = token; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		job_release(&j);
		{
			char *id = xasprintf("os-update-%s", token);
			job_init(&j, id);
			free(id);
		}
		free(text);
		text = os_update_job(ctx->f, p, j.id, &err);
		if (!text) {
			step_failed(r, "%s", err);
			goto out;
		}
		if (job_start(ctx, &j, text, &busy, &e)) {
			step_failed_error(r, &e);
			goto out;
		}
		if (!busy)
			break;
		/* an earlier run left a job running: let it finish first */
		step_say(ctx, "an earlier upgrade job, %s, still runs: following it to its end first", busy);
		job_release(&j);
		job_init(&j, busy);
		free(busy);
		busy = NULL;
		free(ctx->left_running);
		ctx->left_running = xasprintf("the upgrade job %s (log %s.log)", j.id, j.base);
		ret = job_follow(ctx, &j, deadline, &e);
		if (ret) {
			step_failed(r, "waiting for the earlier upgrade job %s: %s", j.id, e.msg);
			r->err = e.code;
			goto out;
		}
		if (attempt >= 2) {
			step_failed(r, "upgrade jobs of other runs keep starting on the target");
			goto out;
		}
	}
	free(ctx->left_running);
	ctx->left_running = xasprintf("the upgrade job %s, detached: follow its log with "
				      "`tail -f %s.log`; it is done when %s.status exists",
				      j.id, j.base, j.base);
	ret = job_follow(ctx, &j, deadline, &e);
	if (ret == SR_ERR_TIMEOUT) {
		step_failed(r, "the upgrade did not finish within %lld s; it keeps running on the target "
			       "as job %s (log %s.log)",
			    timeout, j.id, j.base);
		r->err = SR_ERR_TIMEOUT;
		goto out;
	}
	if (ret == SR_ERR_REMOTE) {
		step_failed(r, "%s: job %s, see %s.log on the target (dpkg --audit or rpm -Va tell "
			       "whether packages were left half-way)",
			    e.msg, j.id, j.base);
		goto out;
	}
	if (ret) {
		step_failed(r, "%s; the upgrade job %s keeps running on the target (log %s.log)", e.msg,
			    j.id, j.base);
		r->err = e.code;
		goto out;
	}
	free(ctx->left_running);
	ctx->left_running = NULL;
	ctx->facts_stale = 1;
	job_tidy(ctx, &j);
	outcome_parse(j.status.buf ? j.status.buf : (char[]){ "" }, &oc);
	outcome_text(&oc, &sb);
	changed = oc.nup || oc.nin || oc.nrm;
	if (oc.exit != 0) {
		step_failed(r, "the upgrade failed in '%s' with exit status %d%s%s (log on the target: "
			       "%s.log)",
			    oc.step ? oc.step : "?", oc.exit, changed ? "; before that it " : "",
			    changed ? sb.buf : "", j.base);
		goto out;
	}
	if (!changed) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "nothing was upgraded: the package manager found no %supdate to install",
			    scope_name(&pl));
	}
	if (if_required) {
		if (reboot_check(ctx, oc.reboot, &why, &e)) {
			step_failed(r, "%s; whether a reboot is needed is not known: %s",
				    sb.buf, e.msg);
			r->err = e.code;
			goto out;
		}
		if (why)
			goto do_reboot;
	}
	if (changed)
		step_changed(r, "%s", sb.buf);
	else
		step_ok(r, "%s", sb.buf);
	goto out;

do_reboot:
	step_say(ctx, "a reboot is needed: %s", why);
	error_release(&e);
	if (step_reboot_target(ctx, (int)reboot_timeout, &e)) {
		step_failed(r, "%s; the reboot (%s) failed: %s", sb.buf, why, e.msg);
		r->err = e.code;
		goto out;
	}
	step_changed(r, "%s; rebooted: %s", sb.buf, why);
out:
	outcome_release(&oc);
	plan_release(&pl);
	job_release(&j);
	strbuf_release(&sb);
	error_release(&e);
	free(text);
	free(busy);
	free(why);
	free(err);
}

/* ---- emit ---- */

/* Exported by steps/reboot.c: sets _sr_why to why the machine needs a reboot, or empty. */
extern const char reboot_reason_sh[];

/*
 * The job script of one package manager for `emit` (owned): the job of
 * os_update_job(), run in the foreground (its output on stdout, which the
 * caller also appends to $B.log), with the base of its files as $1 and what
 * to install, found at run time, as the other arguments.
 */
static char *emit_job(const struct params *p, enum manager mgr, long long lock_timeout)
{
	struct strbuf sb = STRBUF_INIT;
	const char *scope = step_param_str(p, "scope");
	struct plan pl;

	memset(&pl, 0, sizeof(pl));
	pl.mgr = mgr;
	pl.security = !scope || !strcmp(scope, "security");
	pl.exclude = params_get(p, "exclude");
	pl.emit = 1;
	strbuf_addf(&sb, "B=$1\nshift\nLOCK_TIMEOUT=%lld\nLOCKED=", lock_timeout);
	shell_quote(&sb, locked_re[mgr]);
	strbuf_addch(&sb, '\n');
	/* job_env, but the caller's PATH: the script's is the one to use */
	strbuf_addstr(&sb, "set -f\numask 022\nLC_ALL=C\nexport LC_ALL\nexec 2>&1 </dev/null\n");
	strbuf_addstr(&sb, job_common);
	switch (mgr) {
	case MGR_APT:
		job_apt(&sb, &pl, lock_timeout);
		break;
	case MGR_DNF:
	case MGR_YUM:
		job_yum(&sb, &pl);
		break;
	case MGR_ZYPPER:
		job_zypper(&sb, &pl);
		break;
	}
	strbuf_addstr(&sb, "STEP=done\nfinish 0\n");
	return strbuf_detach(&sb);
}

/*
 * Find the pending updates in scope at run time: set _ou_n (their count,
 * the excluded ones left out where the package manager lists them) and the
 * arguments of the job (set --). The rules are plan_make()'s: apt, scope
 * security: the candidates published in a -security suite (as `apt-get -s
 * dist-upgrade` names their origins), installed ones only; dnf and yum
 * --security, or every update where no advisories can be listed or on
 * CentOS; zypper security patches, or every update when they cannot be
 * listed.
 */
static const char emit_pending[] =
	"case $_ou_m in\n"
	"apt)\n"
	"    sr_run apt-get -q -o DPkg::Lock::Timeout=\"$_ou_lt\" update ||\n"
	"        sr_say 'apt-get update failed: upgrading from the package lists at hand'\n"
	"    if [ \"$_ou_sec\" = 1 ]; then\n"
	"        _ou_list=$(LC_ALL=C apt-get -s -q -o Debug::NoLocking=1 dist-upgrade 2>/dev/null </dev/null | awk '\n"
	"            $1 == \"Inst\" && substr($3, 1, 1) == \"[\" && /-security|Security/ {\n"
	"                a = $NF; gsub(/[][()]/, \"\", a)\n"
	"                print (a == \"all\" || a == \"\") ? $2 : $2 \":\" a }')\n"
	"    else\n"
	"        _ou_list=$(LC_ALL=C apt-get -s -q -o Debug::NoLocking=1 -o APT::Get::Upgrade-Allow-New=true upgrade 2>/dev/null </dev/null |\n"
	"            awk '$1 == \"Inst\" { print $2 }')\n"
	"    fi\n"
	"    set --\n"
	"    for _ou_p in $_ou_list; do\n"
	"        _ou_x=0\n"
	"        for _ou_e in $_ou_ex; do\n"
	"            # shellcheck disable=SC2254  # the exclusion is a glob pattern\n"
	"            case ${_ou_p%%:*} in $_ou_e) _ou_x=1 ;; esac\n"
	"        done\n"
	"        if [ \"$_ou_x\" = 1 ]; then\n"
	"            _ou_excl=$((_ou_excl + 1))\n"
	"        elif [ \"$_ou_sec\" = 1 ]; then\n"
	"            set -- \"$@\" \"$_ou_p\"\n"
	"        else\n"
	"            _ou_n=$((_ou_n + 1))\n"
	"        fi\n"
	"    done\n"
	"    [ \"$_ou_sec\" = 1 ] && _ou_n=$#\n"
	"    ;;\n"
	"dnf | yum)\n"
	"    sr_run \"$_ou_m\" -q -y makecache </dev/null >/dev/null ||\n"
	"        sr_say \"$_ou_m makecache failed: upgrading from the metadata at hand\"\n"
	"    set --\n"
	"    if [ \"$_ou_sec\" = 1 ]; then\n"
	"        _ou_id=$(sed -n 's/^ID=//p' /etc/os-release 2>/dev/null | tr -d '\"' | head -n 1)\n"
	"        _ou_adv=0\n"
	"        if [ \"$_ou_m\" = dnf ]; then\n"
	"            dnf -q updateinfo list --security --available >/dev/null 2>&1 </dev/null ||\n"
	"                dnf -q updateinfo list security >/dev/null 2>&1 </dev/null || _ou_adv=1\n"
	"        else\n"
	"            yum -q updateinfo list security >/dev/null 2>&1 </dev/null || _ou_adv=1\n"
	"        fi\n"
	"        if [ \"$_ou_adv\" = 0 ] && [ \"$_ou_id\" != centos ]; then\n"
	"            set -- --security\n"
	"        else\n"
	"            sr_say 'no usable security advisories here: installing every pending update, since each may be a security fix'\n"
	"        fi\n"
	"    fi\n"
	"    # shellcheck disable=SC2086  # the --exclude options, each shell-quoted when written\n"
	"    _ou_out=$(LC_ALL=C \"$_ou_m\" -q check-update \"$@\" $_ou_xopt 2>/dev/null </dev/null)\n"
	"    _ou_rc=$?\n"
	"    case $_ou_rc in\n"
	"    0) ;;\n"
	"    100) _ou_n=$(printf '%s\\n' \"$_ou_out\" | awk 'NF == 3 && $1 ~ /\\./ && $2 ~ /[0-9]/ { n++ } END { print n + 0 }')\n"
	"        [ \"$_ou_n\" -gt 0 ] || _ou_n=1 ;;\n"
	"    *) _ou_fail=\"cannot list the pending updates: $_ou_m check-update failed (exit $_ou_rc)\" ;;\n"
	"    esac\n"
	"    ;;\n"
	"zypper)\n"
	"    sr_run zypper --non-interactive refresh </dev/null ||\n"
	"        sr_say 'zypper refresh failed: updating from the metadata at hand'\n"
	"    set -- update\n"
	"    if [ \"$_ou_sec\" = 1 ] &&\n"
	"        _ou_out=$(LC_ALL=C zypper -q --non-interactive --no-refresh list-patches --category security 2>/dev/null </dev/null); then\n"
	"        set -- patch --category security\n"
	"        _ou_n=$(printf '%s\\n' \"$_ou_out\" | awk -F '|' 'NF >= 5 && $0 ~ /needed/ { n++ } END { print n + 0 }')\n"
	"    else\n"
	"        [ \"$_ou_sec\" = 1 ] && sr_say 'the security patches cannot be listed: installing every pending update'\n"
	"        _ou_out=$(LC_ALL=C zypper -q --non-interactive --no-refresh list-updates 2>/dev/null </dev/null)\n"
	"        _ou_n=$(printf '%s\\n' \"$_ou_out\" | awk -F '|' 'NF >= 5 && $1 ~ /^v/ { n++ } END { print n + 0 }')\n"
	"    fi\n"
	"    ;;\n"
	"esac\n";

/* Run the job, judge its status file, end the step. */
static const char emit_finish[] =
	"printf '%s' \"$_ou_job\" >\"$_ou_b.sh\" || { sr_failed \"cannot write $_ou_b.sh\"; return; }\n"
	"sr_say \"upgrading $_ou_n $_ou_what with $_ou_m (log $_ou_b.log)\"\n"
	"sr_run sh -c '{ sh \"$1.sh\" \"$@\"; echo \"exit $?\"; } | tee -a \"$1.log\"' sh \"$_ou_b\" \"$@\"\n"
	"rm -f \"$_ou_b.sh\"\n"
	"if [ ! -f \"$_ou_b.status\" ]; then\n"
	"    sr_failed \"the upgrade ended without a status (log $_ou_b.log)\"\n"
	"    return\n"
	"fi\n"
	"_ou_exit=$(sed -n 's/^exit=//p' \"$_ou_b.status\")\n"
	"_ou_step=$(sed -n 's/^step=//p' \"$_ou_b.status\")\n"
	"grep -qx 'reboot=1' \"$_ou_b.status\" && _ou_zreboot=1\n"
	"# what changed, as outcome_text() says it\n"
	"_ou_sum=$(awk -F '\\t' '\n"
	"    function add(k, name,   n) {\n"
	"        n = name; sub(/:.*/, \"\", n)\n"
	"        sub(/\\.(x86_64|noarch|i686|aarch64|ppc64le|s390x|armv7hl|src)$/, \"\", n)\n"
	"        c[k]++\n"
	"        if (c[k] <= 12) l[k] = l[k] (c[k] > 1 ? \", \" : \"\") n\n"
	"        else if (c[k] == 13) l[k] = l[k] \", ...\" }\n"
	"    $1 == \"upgraded\" || $1 == \"installed\" || $1 == \"removed\" { add($1, $2) }\n"
	"    END {\n"
	"        s = \"\"\n"
	"        if (c[\"upgraded\"]) s = \"upgraded \" c[\"upgraded\"] \" package\" (c[\"upgraded\"] == 1 ? \"\" : \"s\") \": \" l[\"upgraded\"]\n"
	"        if (c[\"installed\"]) s = s (s == \"\" ? \"\" : \"; \") \"installed \" c[\"installed\"] \" new: \" l[\"installed\"]\n"
	"        if (c[\"removed\"]) s = s (s == \"\" ? \"\" : \"; \") \"removed \" c[\"removed\"] \": \" l[\"removed\"]\n"
	"        print s }' \"$_ou_b.status\")\n"
	"if [ \"$_ou_exit\" != 0 ]; then\n"
	"    sr_failed \"the upgrade failed in '$_ou_step' with exit status $_ou_exit${_ou_sum:+; before that it $_ou_sum} (log $_ou_b.log)\"\n"
	"    return\n"
	"fi\n"
	"_ou_changed=1\n"
	"if [ -z \"$_ou_sum\" ]; then\n"
	"    _ou_changed=0\n"
	"    _ou_sum=\"nothing was upgraded: the package manager found no ${_ou_scope}update to install\"\n"
	"fi\n";

/* Whether a reboot is due (if-required), then the end of the step. */
static const char emit_reboot[] =
	"if [ \"$_ou_ifreq\" = 1 ]; then\n"
	"    _ou_ifreq=0\n"
	"    REBOOT_SH\n"
	"    [ -z \"$_sr_why\" ] && [ \"$_ou_zreboot\" = 1 ] && _sr_why='zypper says so (exit 102)'\n"
	"    if [ -n \"$_sr_why\" ]; then\n"
	"        SR_REBOOT_NEEDED=1\n"
	"        SR_REBOOT_WHY=$_sr_why\n"
	"        sr_say \"a reboot is needed ($_sr_why): the machine reboots when the script ends\"\n"
	"        sr_changed \"$_ou_sum; reboot needed ($_sr_why): rebooting at the end of the script\"\n"
	"        return\n"
	"    fi\n"
	"fi\n"
	"if [ \"$_ou_changed\" = 1 ]; then\n"
	"    sr_changed \"$_ou_sum\"\n"
	"else\n"
	"    sr_ok \"$_ou_sum\"\n"
	"fi\n"
	"return\n";

/*
 * For `emit`: the update on the machine itself. The package manager is
 * found at run time (apt-get, dnf, yum, zypper, in that order, as the
 * facts name it), the lists refreshed, the pending updates in scope found
 * (emit_pending), and, when there are any, the same job as os_update_job()
 * runs in the foreground: nothing can drop a connection here. Its log and
 * status stay in /var/log/shelfready/os-update-DATE-PID.* ($SR_LOG_DIR
 * instead when set).
 *
 * reboot: if-required cannot reboot in the middle of the script: when the
 * machine needs one, the step sets SR_REBOOT_NEEDED=1 (and SR_REBOOT_WHY),
 * says so and reports changed; the framework reboots when the script ends,
 * after the facts are printed.
 */
static int os_update_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			  char **err)
{
	static const struct {
		const char *name;
		enum manager mgr;
	} mgrs[] = { { "apt", MGR_APT }, { "dnf", MGR_DNF }, { "yum", MGR_YUM },
		     { "zypper", MGR_ZYPPER } };
	const char *scope = step_param_str(p, "scope"), *reboot = step_param_str(p, "reboot");
	const struct param *ex = params_get(p, "exclude");
	long long lt = step_param_int(p, "lock_timeout", 600);
	int security = !scope || !strcmp(scope, "security");
	const char *mark = strstr(emit_reboot, "REBOOT_SH\n");

	(void)ctx;
	(void)err;
	strbuf_addf(sh, "_ou_lt=%lld\n_ou_sec=%d\n_ou_scope=%s\n_ou_ifreq=%d\n", lt, security,
		    security ? "'security '" : "", !reboot || !strcmp(reboot, "if-required"));
	strbuf_addstr(sh, "_ou_what=");
	shell_quote(sh, security ? "security updates" : "updates");
	/* names and glob patterns without blanks (os_update_validate): one word each */
	struct strbuf names = STRBUF_INIT, opts = STRBUF_INIT;
	for (size_t i = 0; ex && i < ex->v.n; i++) {
		strbuf_addf(&names, "%s%s", i ? " " : "", ex->v.items[i].s);
		strbuf_addf(&opts, "%s--exclude=%s", i ? " " : "", ex->v.items[i].s);
	}
	strbuf_addstr(sh, "\n_ou_ex=");
	shell_quote(sh, names.buf ? names.buf : "");
	strbuf_addstr(sh, "\n_ou_xopt=");
	shell_quote(sh, opts.buf ? opts.buf : "");
	strbuf_release(&names);
	strbuf_release(&opts);
	strbuf_addstr(sh,
		"\n_ou_n=0 _ou_excl=0 _ou_zreboot=0 _ou_changed=0 _ou_sum='' _ou_fail=''\n"
		"if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then _ou_m=apt\n"
		"elif command -v dnf >/dev/null 2>&1; then _ou_m=dnf\n"
		"elif command -v yum >/dev/null 2>&1; then _ou_m=yum\n"
		"elif command -v zypper >/dev/null 2>&1; then _ou_m=zypper\n"
		"else\n"
		"    sr_failed 'no package manager os-update knows here (apt-get, dnf, yum, zypper)'\n"
		"    return\n"
		"fi\n"
		"_ou_d=${SR_LOG_DIR:-/var/log/shelfready}\n"
		"_ou_b=$_ou_d/os-update-$(date +%Y%m%d-%H%M%S)-$$\n"
		"(umask 077 && mkdir -p \"$_ou_d\") || { sr_failed \"cannot create $_ou_d\"; return; }\n"
		"# the exclusions are single words: split, never globbed\n"
		"set -f\n");
	strbuf_addstr(sh, emit_pending);
	strbuf_addstr(sh,
		"set +f\n"
		"if [ -n \"$_ou_fail\" ]; then\n"
		"    sr_failed \"$_ou_fail\"\n"
		"    return\n"
		"fi\n"
		"if [ \"$_ou_n\" = 0 ]; then\n"
		"    _ou_sum=\"no pending $_ou_scope\"updates\n"
		"    [ \"$_ou_excl\" = 0 ] || _ou_sum=\"$_ou_sum ($_ou_excl excluded)\"\n");
	/* nothing to install: a reboot an earlier upgrade asked for is still due */
	strbuf_add(sh, emit_reboot, (size_t)(mark - emit_reboot));
	strbuf_addstr(sh, reboot_reason_sh);
	strbuf_addstr(sh, mark + strlen("REBOOT_SH\n"));
	strbuf_addstr(sh, "fi\ncase $_ou_m in\n");
	for (size_t i = 0; i < ARRAY_SIZE(mgrs); i++) {
		char *job = emit_job(p, mgrs[i].mgr, lt);
		strbuf_addf(sh, "%s) _ou_job=", mgrs[i].name);
		shell_quote(sh, job);
		strbuf_addstr(sh, " ;;\n");
		free(job);
	}
	strbuf_addstr(sh, "esac\n");
	strbuf_addstr(sh, emit_finish);
	strbuf_add(sh, emit_reboot, (size_t)(mark - emit_reboot));
	strbuf_addstr(sh, reboot_reason_sh);
	strbuf_addstr(sh, mark + strlen("REBOOT_SH\n"));
	return 0;
}

const struct step_type step_os_update = {
	.name = "os-update",
	.summary = "install pending OS (security) updates with apt, dnf, yum or zypper, detached from "
		   "the connection, and reboot when needed",
	.params = os_update_params,
	.validate = os_update_validate,
	.apply = os_update_apply,
	.emit = os_update_emit,
};
