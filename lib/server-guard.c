/*
 * The Server Guard judgement (server-guard.h), moved here from the check so
 * that the step judges with the very same rules.
 *
 * A process is matched by the name of its executable, or by its comm
 * (truncated by the kernel to 15 characters) when the executable is
 * unreadable; one of those names running from elsewhere is reported and not
 * counted. The default runlevel is not part of the facts, so SysV links are
 * required in all of 2-5 (what Alibaba's installer makes).
 */
#include "server-guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "banned.h"

#define AEGIS_DIR "/usr/local/aegis/"
#define COMM_MAX 15 /* TASK_COMM_LEN - 1 */

struct judgement {
	struct strbuf findings; /* "; "-separated, for the summary */
	struct strbuf unknown;  /* what could not be judged */
	struct strbuf running;  /* the programs that run, for the summary */
	const char *boot;       /* how it starts at boot */
	const char *starter;    /* what starts it */
};

void server_guard_state_release(struct server_guard_state *st)
{
	if (!st)
		return;
	free(st->running);
	memset(st, 0, sizeof(*st));
}

static void add_to(struct strbuf *sb, const char *sep, const char *what)
{
	if (sb->len)
		strbuf_addstr(sb, sep);
	strbuf_addstr(sb, what);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The comm of a process running name: the name cut to 15 characters. */
static int comm_is(const struct facts_process *pr, const char *name)
{
	size_t n = strlen(name);
	if (n > COMM_MAX)
		n = COMM_MAX;
	return pr->comm && strlen(pr->comm) == n && !strncmp(pr->comm, name, n);
}

static void describe(struct check_result *r, const char *name, const struct facts_process *pr)
{
	char who[64];
	if (pr->user)
		snprintf(who, sizeof(who), "user %s", pr->user);
	else
		snprintf(who, sizeof(who), "uid %lld", pr->uid);
	if (pr->exe)
		check_evidence(r, "%s: pid %lld, %s%s, %s", name, pr->pid, pr->exe,
			       pr->deleted ? " (deleted)" : "", who);
	else
		check_evidence(r, "%s: pid %lld, executable unreadable, %s", name, pr->pid, who);
}

/* Report the processes of one program; the number counted as Server Guard's. */
static size_t running(const struct facts *f, const char *name, struct check_result *r)
{
	size_t n = 0;
	for (size_t i = 0; i < f->processes.list.n; i++) {
		const struct facts_process *pr = &f->processes.list.v[i];
		if (pr->exe && strcmp(base_name(pr->exe), name)) {
			if (comm_is(pr, name))
				check_evidence(r, "%s: pid %lld has that name but runs %s: not counted", name,
					       pr->pid, pr->exe);
			continue;
		}
		if (!pr->exe && !comm_is(pr, name))
			continue;
		if (pr->exe && strncmp(pr->exe, AEGIS_DIR, strlen(AEGIS_DIR))) {
			check_evidence(r, "%s: pid %lld runs %s, outside %s: not counted", name, pr->pid,
				       pr->exe, AEGIS_DIR);
			continue;
		}
		describe(r, name, pr);
		n++;
	}
	return n;
}

static void judge_processes(const struct facts *f, struct check_result *r, struct judgement *j)
{
	static const char *const required[] = { "AliYunDun", "AliYunDunUpdate" };

	if (!f->processes.src.section) {
		check_evidence(r, "processes: not collected");
		add_to(&j->unknown, "; ", "processes were not collected");
		return;
	}
	if (!f->processes.src.complete) {
		check_evidence(r, "processes: section '%s' did not end", f->processes.src.section);
		add_to(&j->unknown, "; ", "the process list is incomplete");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
		if (running(f, required[i], r)) {
			add_to(&j->running, ", ", required[i]);
			continue;
		}
		char *what = xasprintf("%s is not running", required[i]);
		check_evidence(r, "%s: not running (no such process under %s)", required[i], AEGIS_DIR);
		add_to(&j->findings, "; ", what);
		free(what);
	}
	if (running(f, "AliYunDunMonitor", r))
		add_to(&j->running, ", ", "AliYunDunMonitor");
	else
		check_evidence(r, "AliYunDunMonitor: not running (older versions have none)");
}

static int is_state(const char *st, const char *a, const char *b)
{
	return st && (!strcmp(st, a) || (b && !strcmp(st, b)));
}

static void judge_boot(const struct facts *f, struct check_result *r, struct judgement *j)
{
	const struct facts_service *sv;

	if (!f->services.src.section) {
		check_evidence(r, "services: not collected");
		add_to(&j->unknown, "; ", "services were not collected");
		return;
	}
	if (!f->services.src.complete) {
		check_evidence(r, "services: section '%s' did not end", f->services.src.section);
		add_to(&j->unknown, "; ", "the service list is incomplete");
		return;
	}
	sv = facts_service_find(f, "aegis");
	if (!sv) {
		check_evidence(r, "aegis: no /etc/init.d/aegis, no rc links and no aegis.service");
		add_to(&j->findings, "; ",
		       "aegis is not started at boot (no /etc/init.d/aegis or aegis.service)");
		return;
	}

	const char *st = sv->systemd_state, *lv = sv->sysv_runlevels;
	if (st)
		check_evidence(r, "aegis.service: %s", st);
	if (lv && *lv)
		check_evidence(r, "aegis (SysV): S links in runlevels %s", lv);
	else if (lv)
		check_evidence(r, "aegis (SysV): /etc/init.d/aegis or rc links, "
				  "but no S link in runlevels 2-5");

	if (is_state(st, "enabled", "enabled-runtime")) {
		j->boot = "aegis.service is enabled";
		j->starter = "aegis.service";
		return;
	}
	if (st && !strncmp(st, "masked", 6)) {
		add_to(&j->findings, "; ", "aegis.service is masked");
		return;
	}
	if (!sv->enabled) {
		/* a generated unit is the SysV script itself */
		int native = st && !is_state(st, "generated", "transient");
		char *what = native && lv && *lv
			? xasprintf("aegis.service is %s, which overrides its SysV links", st)
			: native ? xasprintf("aegis is not started at boot (aegis.service is %s)", st)
				 : xstrdup("aegis is not started at boot (no S link in runlevels 2-5)");
		add_to(&j->findings, "; ", what);
		free(what);
		return;
	}
	/* started by its SysV links: the installer links every runlevel 2-5 */
	struct strbuf miss = STRBUF_INIT;
	size_t nmiss = 0;
	for (char level = '2'; level <= '5'; level++)
		if (!lv || !strchr(lv, level))
			strbuf_addf(&miss, "%s%c", nmiss++ ? ", " : "", level);
	if (nmiss) {
		char *what = xasprintf("aegis has no S link in runlevel%s %s", nmiss > 1 ? "s" : "",
				       miss.buf);
		add_to(&j->findings, "; ", what);
		free(what);
	} else {
		j->boot = "S links in runlevels 2-5";
		j->starter = "/etc/init.d/aegis";
	}
	strbuf_release(&miss);
}

void server_guard_judge(const struct facts *f, struct check_result *r,
			struct server_guard_state *st)
{
	struct judgement j = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, NULL, NULL };

	judge_processes(f, r, &j);
	judge_boot(f, r, &j);

	if (j.findings.len) {
		if (j.unknown.len)
			check_fail(r, "server guard: %s (also: %s)", j.findings.buf, j.unknown.buf);
		else
			check_fail(r, "server guard: %s", j.findings.buf);
		check_remedy(r, "install Server Guard with the `server-guard` step (or Alibaba Cloud's "
				"installer) and enable it at boot: `systemctl enable aegis`, or "
				"/etc/init.d/aegis linked as S*aegis in runlevels 2-5 "
				"(`chkconfig aegis on`, `update-rc.d aegis defaults`)");
	} else if (j.unknown.len) {
		check_error(r, "server guard cannot be judged: %s", j.unknown.buf);
		check_remedy(r, "gather the facts again: the evidence is missing or cut off");
	} else {
		check_pass(r, "server guard runs (%s) and starts at boot (%s)", j.running.buf, j.boot);
	}
	if (st) {
		st->running = xstrdup(j.running.buf ? j.running.buf : "");
		st->boot = j.boot;
		st->starter = j.starter;
	}
	strbuf_release(&j.findings);
	strbuf_release(&j.unknown);
	strbuf_release(&j.running);
}
