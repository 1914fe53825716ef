/*
 * webapp-first-login: the web applications of the image force a new password
 * at first login (clause 2.2.2-4 of the review standard), by the mechanism of
 * docs/first-login.md: at the first boot of every instance a reset script
 * gives the application new random credentials and points to them in the
 * MOTD. For each application NAME (declared in `apps`, or found on the
 * target) the check wants:
 *
 *   reset script  /usr/local/libexec/shelfready/first-login-NAME: a regular
 *                 file, owned by root, executable, not writable by group or
 *                 others
 *   a trigger     the cloud-init per-instance hook (a root-owned executable
 *                 file that group and others cannot write), or the systemd
 *                 oneshot unit, enabled in multi-user.target.wants, guarded
 *                 by ConditionPathExists=!DONE and running the reset script
 *   no credentials file: made on the build VM, it would ship in the image
 *                 and be the same on every instance
 *   no done marker when the systemd unit is the only trigger: its guard would
 *                 keep the reset from running on the instances
 *
 * A file that is present is judged even when it is not needed (a writable
 * hook is a finding although the unit would do). With nothing declared and
 * nothing installed, a web server listening on a TCP socket that is not
 * loopback-only (a web port, or a web server program) fails the check: its
 * application has no first-login reset.
 *
 * Missing evidence (the first-login section, or `listening` when it decides)
 * is an error; a directory the gathering user could not list is one too.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

static const struct param_spec webapp_params[] = {
	{ "apps", PK_STRING, 0, "\"\"",
	  "the web applications of the image, separated by commas or blanks (a string, so that a "
	  "profile variable can carry it); each name is [a-z0-9][a-z0-9_-]*",
	  NULL, 0, 0 },
	{ "web_ports", PK_INT_LIST, 0, "[80, 443, 8080, 8443, 8000, 8888]",
	  "TCP ports on which a listening socket is a web server", NULL, 1, 65535 },
	PARAM_END,
};

/* Programs whose listening sockets are web servers (fnmatch patterns). */
static const char *const web_programs[] = {
	"nginx", "apache2", "httpd", "lighttpd", "caddy", "java", "tomcat*", "jetty*", "node",
	"nodejs", "php", "php-fpm*", "uwsgi", "gunicorn*", NULL,
};

/* The directories the reset's files live in, for the evidence. */
#define FL_PLACES                                                                          \
	"/usr/local/libexec/shelfready, /var/lib/cloud/scripts/per-instance, "             \
	"/etc/systemd/system (and its multi-user.target.wants), "                           \
	"/var/lib/shelfready/first-login, /root/.shelfready/first-login"

/* ---- the `apps` parameter ---- */

static int is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next name of an `apps` string from *p: 1 with s[0..n), 0 at the end. */
static int next_name(const char **p, const char **s, size_t *n)
{
	const char *q = *p;
	while (*q && is_sep(*q))
		q++;
	if (!*q)
		return 0;
	*s = q;
	while (*q && !is_sep(*q))
		q++;
	*n = (size_t)(q - *s);
	*p = q;
	return 1;
}

static void webapp_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *apps = params_get(p, "apps");
	const char *it, *s;
	size_t n;

	if (!apps || !apps->v.s)
		return;
	it = apps->v.s;
	while (next_name(&it, &s, &n)) {
		if (!facts_webapp_name_valid(s, n)) {
			diag_error(ctx->d, apps->v.pos,
				   "'%.*s' in 'apps' of %s is not an application name "
				   "([a-z0-9][a-z0-9_-]*)",
				   (int)n, s, ctx->owner);
			continue;
		}
		/* a name seen before it */
		const char *before = apps->v.s, *t;
		size_t tn;
		while (next_name(&before, &t, &tn) && t < s)
			if (tn == n && !memcmp(t, s, n)) {
				diag_error(ctx->d, apps->v.pos, "'%.*s' is listed twice in 'apps' of %s",
					   (int)n, s, ctx->owner);
				break;
			}
	}
}

/* ---- the judgement ---- */

struct judgement {
	struct check_result *r;
	struct strbuf findings;  /* "; "-separated, for the summary */
	struct strbuf unknown;   /* what could not be judged */
	struct strbuf installed; /* "NAME (triggers)" of the applications that pass */
	int credentials;         /* a credentials file was found */
	int done;                /* a done marker stops the systemd trigger */
};

static void add_to(struct strbuf *sb, const char *sep, const char *what)
{
	if (sb->len)
		strbuf_addstr(sb, sep);
	strbuf_addstr(sb, what);
}

static void finding(struct judgement *j, const char *fmt, ...) SR_PRINTF(2, 3);
static void finding(struct judgement *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	add_to(&j->findings, "; ", what);
	free(what);
}

static void unknown(struct judgement *j, const char *fmt, ...) SR_PRINTF(2, 3);
static void unknown(struct judgement *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	add_to(&j->unknown, "; ", what);
	free(what);
}

/* The part is there and whole; otherwise says why not and returns 0. */
static int usable(struct judgement *j, const struct facts_src *src, const char *part)
{
	if (!src->section) {
		check_evidence(j->r, "%s: not collected", part);
		unknown(j, "%s were not collected", part);
	} else if (!src->complete) {
		check_evidence(j->r, "%s: section '%s' did not end", part, src->section);
		unknown(j, "%s are incomplete", part);
	} else {
		return 1;
	}
	return 0;
}

/* The permission bits of a file, or -1 when not reported. */
static long file_mode(const struct facts_fl_file *fl)
{
	char *end;
	if (!fl->mode || !*fl->mode)
		return -1;
	long m = strtol(fl->mode, &end, 8);
	return *end || m < 0 || m > 07777 ? -1 : m;
}

static int is_type(const struct facts_fl_file *fl, const char *type)
{
	return fl->type && !strcmp(fl->type, type);
}

/* What a file that is not a regular one is, for findings. */
static const char *what_instead(const struct facts_fl_file *fl)
{
	return is_type(fl, "link") ? "a symbolic link"
	       : is_type(fl, "dir") ? "a directory"
				    : "neither a file, a directory nor a link";
}

/* "file, owner uid 0, mode 0700" and the like, for the evidence. */
static char *describe(const struct facts_fl_file *fl)
{
	struct strbuf sb = STRBUF_INIT;
	long mode = file_mode(fl);

	if (is_type(fl, "link")) {
		strbuf_addf(&sb, "symbolic link to %s", fl->target ? fl->target : "(target unknown)");
		return strbuf_detach(&sb);
	}
	strbuf_addstr(&sb, is_type(fl, "file") ? "file"
			   : is_type(fl, "dir") ? "directory"
			   : fl->type		? "not a file or link"
						: "type unknown");
	if (fl->uid >= 0)
		strbuf_addf(&sb, ", owner uid %lld", fl->uid);
	else
		strbuf_addstr(&sb, ", owner unknown");
	if (mode >= 0)
		strbuf_addf(&sb, ", mode %04lo", (unsigned long)mode);
	else
		strbuf_addstr(&sb, ", mode unknown");
	return strbuf_detach(&sb);
}

/*
 * Judge a file that must be a root-owned regular file that group and others
 * cannot write, executable by root; x_any: any execute bit will do (cloud-init
 * runs a hook that anyone may execute), else the owner's. Returns 1 when it
 * is fine, 0 after a finding, -1 when it cannot be judged.
 */
static int judge_exec_file(struct judgement *j, const char *app, const struct facts_fl_file *fl,
			   const char *what, int x_any)
{
	long mode = file_mode(fl);
	int ok = 1;

	if (!is_type(fl, "file")) {
		if (!fl->type) {
			unknown(j, "the type of %s was not reported", fl->path);
			return -1;
		}
		finding(j, "%s: the %s %s is not a regular file (%s)", app, what, fl->path,
			what_instead(fl));
		return 0;
	}
	if (fl->uid < 0 || mode < 0) {
		unknown(j, "the owner or mode of %s was not reported", fl->path);
		return -1;
	}
	if (fl->uid != 0) {
		finding(j, "%s: the %s %s is owned by uid %lld, not root", app, what, fl->path,
			fl->uid);
		ok = 0;
	}
	if (mode & 022) {
		finding(j, "%s: the %s %s is writable by %s (mode %04lo)", app, what, fl->path,
			(mode & 022) == 022 ? "group and others" : mode & 020 ? "group" : "others",
			(unsigned long)mode);
		ok = 0;
	}
	if (!(mode & (x_any ? 0111 : 0100))) {
		finding(j, "%s: the %s %s is not executable (mode %04lo)", app, what, fl->path,
			(unsigned long)mode);
		ok = 0;
	}
	return ok;
}

/* Does the unit run the reset script (systemd's prefixes -@:+! allowed)? */
static int unit_runs(const struct facts_webapp *app, const char *reset)
{
	for (size_t i = 0; i < app->exec.n; i++) {
		const char *prog = app->exec.v[i];
		prog += strspn(prog, "-@:+!");
		if (!strcmp(prog, reset))
			return 1;
	}
	return 0;
}

/* The unit's ConditionPathExists= and ExecStart= lines, for the evidence. */
static void unit_lines(struct strbuf *sb, const struct facts_webapp *app)
{
	for (size_t i = 0; i < app->conditions.n; i++)
		strbuf_addf(sb, "; ConditionPathExists=%s", app->conditions.v[i]);
	for (size_t i = 0; i < app->exec.n; i++)
		strbuf_addf(sb, "; ExecStart=%s", app->exec.v[i]);
}

/* Judge the systemd unit; 1 when it is a working trigger, 0 when not, -1 unknown. */
static int judge_unit(struct judgement *j, const struct facts_webapp *app, const char *reset,
		      const char *done)
{
	const struct facts_fl_file *unit = &app->unit;
	long mode = file_mode(unit);
	int ok = 1;

	if (is_type(unit, "link") && unit->target && !strcmp(unit->target, "/dev/null")) {
		finding(j, "%s: the unit %s is masked (a link to /dev/null)", app->name, unit->path);
		return 0;
	}
	if (is_type(unit, "file")) {
		if (unit->uid < 0 || mode < 0) {
			unknown(j, "the owner or mode of %s was not reported", unit->path);
			ok = -1;
		} else {
			if (unit->uid != 0) {
				finding(j, "%s: the unit %s is owned by uid %lld, not root", app->name,
					unit->path, unit->uid);
				ok = 0;
			}
			if (mode & 022) {
				finding(j, "%s: the unit %s is writable by group or others (mode %04lo)",
					app->name, unit->path, (unsigned long)mode);
				ok = 0;
			}
		}
	} else if (!is_type(unit, "link")) {
		if (!unit->type) {
			unknown(j, "the type of %s was not reported", unit->path);
			return -1;
		}
		finding(j, "%s: the unit %s is not a regular file (%s)", app->name, unit->path,
			what_instead(unit));
		return 0;
	}
	char *guard = xasprintf("!%s", done);
	if (!facts_strs_has(&app->conditions, guard)) {
		finding(j, "%s: the unit %s has no ConditionPathExists=%s: it would reset the "
			   "credentials at every boot",
			app->name, unit->path, guard);
		ok = 0;
	}
	free(guard);
	if (!unit_runs(app, reset)) {
		if (app->exec.n)
			finding(j, "%s: the unit %s does not run %s (ExecStart=%s)", app->name,
				unit->path, reset, app->exec.v[0]);
		else
			finding(j, "%s: the unit %s does not run %s (no ExecStart=)", app->name,
				unit->path, reset);
		ok = 0;
	}
	return ok;
}

static void judge_app(struct judgement *j, const struct facts_webapp *app, const char *name,
		      int declared)
{
	const struct facts_fl_file *files[FACTS_FL_KINDS];
	char *path[FACTS_FL_KINDS];
	int hook_ok = 0, unit_ok = 0, hook_unknown = 0, unit_unknown = 0, other_unknown = 0;
	size_t findings_before = j->findings.len;

	for (int k = 0; k < FACTS_FL_KINDS; k++) {
		const struct facts_fl_file *fl = app ? facts_webapp_file(app, (enum facts_fl_kind)k) : NULL;
		path[k] = facts_fl_path((enum facts_fl_kind)k, name);
		files[k] = fl && fl->present ? fl : NULL;
	}
	const struct facts_fl_file *reset = files[FACTS_FL_RESET], *hook = files[FACTS_FL_HOOK],
				   *unit = files[FACTS_FL_UNIT], *wants = files[FACTS_FL_WANTS],
				   *done = files[FACTS_FL_DONE], *cred = files[FACTS_FL_CREDENTIALS];

	check_evidence(j->r, "%s: %s", name,
		       declared ? "declared in 'apps'" : "not declared in 'apps', found on the target");

	/* the reset script */
	if (!reset) {
		check_evidence(j->r, "%s: absent", path[FACTS_FL_RESET]);
		finding(j, "%s: no reset script %s", name, path[FACTS_FL_RESET]);
	} else {
		char *d = describe(reset);
		check_evidence(j->r, "%s: %s", reset->path, d);
		free(d);
		other_unknown = judge_exec_file(j, name, reset, "reset script", 0) < 0;
	}

	/* the triggers: the cloud-init hook, the systemd unit and its link */
	if (!hook) {
		check_evidence(j->r, "%s: absent", path[FACTS_FL_HOOK]);
	} else {
		char *d = describe(hook);
		check_evidence(j->r, "%s: %s", hook->path, d);
		free(d);
		int ok = judge_exec_file(j, name, hook, "cloud-init hook", 1);
		hook_ok = ok > 0;
		hook_unknown = ok < 0;
	}
	if (!unit) {
		check_evidence(j->r, "%s: absent", path[FACTS_FL_UNIT]);
	} else {
		struct strbuf sb = STRBUF_INIT;
		char *d = describe(unit);
		strbuf_addstr(&sb, d);
		free(d);
		unit_lines(&sb, app);
		check_evidence(j->r, "%s: %s", unit->path, sb.buf);
		strbuf_release(&sb);
		int ok = judge_unit(j, app, path[FACTS_FL_RESET], path[FACTS_FL_DONE]);
		unit_ok = ok > 0 && wants;
		unit_unknown = ok < 0 && wants;
		other_unknown |= ok < 0;
	}
	if (!wants) {
		check_evidence(j->r, "%s: absent%s", path[FACTS_FL_WANTS],
			       unit ? " (the unit is not enabled)" : "");
	} else {
		char *d = describe(wants);
		check_evidence(j->r, "%s: %s%s", wants->path, d,
			       unit ? "" : " (the unit it enables is absent)");
		free(d);
	}
	if (!hook_ok && !unit_ok && !hook_unknown && !unit_unknown) {
		if (!hook && !unit && !wants)
			finding(j, "%s: no first-boot trigger (neither %s nor %s enabled in "
				   "multi-user.target.wants)",
				name, path[FACTS_FL_HOOK], path[FACTS_FL_UNIT]);
		else
			finding(j, "%s: no working first-boot trigger (%s; %s)", name,
				hook ? "the cloud-init hook is not usable" : "no cloud-init hook",
				!unit && wants ? "the enabled unit is absent"
				: !unit	       ? "no systemd unit"
				: !wants       ? "the systemd unit is not enabled"
					       : "the systemd unit is not usable");
	}

	/* the done marker */
	if (!done) {
		check_evidence(j->r, "%s: absent", path[FACTS_FL_DONE]);
	} else if (hook_ok) {
		check_evidence(j->r, "%s: present; the cloud-init hook runs once per instance anyway "
				     "(the pre-capture cleanup removes the marker)",
			       done->path);
	} else if (unit_ok && !hook_unknown) {
		check_evidence(j->r, "%s: present", done->path);
		finding(j, "%s: the done marker %s exists: with only the systemd trigger the reset "
			   "will not run on the instances made from the image",
			name, done->path);
		j->done = 1;
	} else {
		check_evidence(j->r, "%s: present", done->path);
	}

	/* credentials made on the build VM */
	if (!cred) {
		check_evidence(j->r, "%s: absent", path[FACTS_FL_CREDENTIALS]);
	} else {
		char *d = describe(cred);
		check_evidence(j->r, "%s: %s (contents not collected)", cred->path, d);
		free(d);
		finding(j, "%s: the credentials file %s exists: made on the build VM, it would ship "
			   "in the image, the same on every instance",
			name, cred->path);
		j->credentials = 1;
	}

	if (j->findings.len == findings_before && !hook_unknown && !unit_unknown && !other_unknown) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s (%s%s%s)", name, hook_ok ? "cloud-init hook" : "",
			    hook_ok && unit_ok ? ", " : "", unit_ok ? "systemd unit" : "");
		add_to(&j->installed, ", ", sb.buf);
		strbuf_release(&sb);
	}
	for (int k = 0; k < FACTS_FL_KINDS; k++)
		free(path[k]);
}

/* ---- web servers ---- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int is_web_program(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; web_programs[i]; i++)
		if (!fnmatch(web_programs[i], name, 0))
			return 1;
	return 0;
}

/* Third-party programs that are web servers by themselves (not runtimes). */
static int is_installed_web_server(const char *name)
{
	static const char *const servers[] = { "nginx", "httpd", "apache2", "tomcat", "jetty" };
	for (size_t i = 0; i < ARRAY_SIZE(servers); i++)
		if (!strcmp(servers[i], name))
			return 1;
	return 0;
}

/* The processes sorted by pid, to find the owner of each socket. */
struct pids {
	const struct facts_process **v;
	size_t n;
};

static int by_pid(const void *a, const void *b)
{
	long long x = (*(const struct facts_process *const *)a)->pid;
	long long y = (*(const struct facts_process *const *)b)->pid;
	return (x > y) - (x < y);
}

static void pids_init(struct pids *ps, const struct facts *f)
{
	ps->n = f->processes.list.n;
	ps->v = xcalloc(ps->n ? ps->n : 1, sizeof(*ps->v));
	for (size_t i = 0; i < ps->n; i++)
		ps->v[i] = &f->processes.list.v[i];
	qsort(ps->v, ps->n, sizeof(*ps->v), by_pid);
}

static const struct facts_process *process_of(const struct pids *ps, long long pid)
{
	size_t lo = 0, hi = ps->n;
	if (pid < 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->v[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->n && ps->v[lo]->pid == pid ? ps->v[lo] : NULL;
}

static int is_loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strcmp(addr, "::1") || !strncmp(addr, "::1%", 4) ||
	       !strncmp(addr, "::ffff:127.", 11) || !strcmp(addr, "localhost");
}

/* "0.0.0.0:80 (nginx)", "[::]:443 (process unknown)" */
static char *socket_text(const struct pids *ps, const struct facts_socket *so)
{
	const struct facts_process *pr = so->process ? NULL : process_of(ps, so->pid);
	const char *who = so->process ? so->process : pr && pr->comm ? pr->comm : NULL;
	const char *addr = so->address ? so->address : "?";
	int v6 = strchr(addr, ':') != NULL;
	return xasprintf("%s%s%s:%lld (%s)", v6 ? "[" : "", addr, v6 ? "]" : "", so->port,
			 who ? who : "process unknown");
}

/* Why the socket is a web server ("port 80, program nginx"; owned), or NULL. */
static char *web_reason(const struct pids *ps, const struct facts_socket *so,
			const struct param *ports)
{
	struct strbuf sb = STRBUF_INIT;
	const struct facts_process *pr = process_of(ps, so->pid);
	const char *exe = pr && pr->exe ? base_name(pr->exe) : NULL;

	for (size_t i = 0; ports && i < ports->v.n; i++)
		if (ports->v.items[i].i == so->port) {
			strbuf_addf(&sb, "port %lld", so->port);
			break;
		}
	if (is_web_program(so->process))
		strbuf_addf(&sb, "%sprogram %s", sb.len ? ", " : "", so->process);
	else if (is_web_program(exe))
		strbuf_addf(&sb, "%sprogram %s", sb.len ? ", " : "", exe);
	else if (!so->process && pr && is_web_program(pr->comm))
		strbuf_addf(&sb, "%sprogram %s", sb.len ? ", " : "", pr->comm);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/*
 * Look at the listening TCP sockets. decide: nothing is declared or
 * installed, so a web server found is a finding (and the listening sockets
 * must be known); otherwise the web servers are only noted.
 */
static void judge_web_servers(struct judgement *j, const struct facts *f, const struct param *ports,
			     int decide)
{
	const struct facts_listening *ls = &f->listening;
	struct strbuf web = STRBUF_INIT, others = STRBUF_INIT, looked = STRBUF_INIT;
	struct pids ps;
	int found = 0;

	if (decide ? !usable(j, &ls->src, "listening sockets") : !ls->src.section || !ls->src.complete)
		return;
	pids_init(&ps, f);
	for (size_t i = 0; i < ls->list.n; i++) {
		const struct facts_socket *so = &ls->list.v[i];
		if (!so->proto || strcmp(so->proto, "tcp") || so->port < 0)
			continue;
		char *text = socket_text(&ps, so), *why = web_reason(&ps, so, ports);
		if (!why) {
			add_to(&others, ", ", text);
		} else if (so->address && is_loopback(so->address)) {
			check_evidence(j->r, "%s: a web server (%s) on loopback only: not reachable from "
					     "outside, not counted",
				       text, why);
		} else {
			check_evidence(j->r, "%s: a web server (%s)", text, why);
			add_to(&web, ", ", text);
			found++;
		}
		free(text);
		free(why);
	}
	if (decide) {
		check_evidence(j->r, "other listening TCP sockets: %s", others.len ? others.buf : "none");
		for (size_t i = 0; ports && i < ports->v.n; i++)
			strbuf_addf(&looked, "%s%lld", i ? ", " : "", ports->v.items[i].i);
		if (!looked.len)
			strbuf_addstr(&looked, "(none)");
		strbuf_addstr(&looked, "; programs ");
		for (size_t i = 0; web_programs[i]; i++)
			strbuf_addf(&looked, "%s%.*s", i ? ", " : "",
				    (int)strcspn(web_programs[i], "*"), web_programs[i]);
		check_evidence(j->r, "looked for: TCP ports %s", looked.buf);
		/* web servers installed but not listening now: noted */
		for (size_t i = 0; i < f->third_party.list.n; i++) {
			const struct facts_program *pg = &f->third_party.list.v[i];
			if (pg->name && is_installed_web_server(pg->name))
				check_evidence(j->r, "%s: installed at %s, not listening now", pg->name,
					       pg->path ? pg->path : "(path unknown)");
		}
		if (found)
			finding(j, "no first-login credential reset is installed for the web "
				   "application served on %s",
				web.buf);
	}
	free(ps.v);
	strbuf_release(&web);
	strbuf_release(&others);
	strbuf_release(&looked);
}

/* ---- the check ---- */

static int declared_has(const char *apps, const char *name)
{
	const char *it = apps, *s;
	size_t n;
	while (next_name(&it, &s, &n))
		if (strlen(name) == n && !memcmp(s, name, n))
			return 1;
	return 0;
}

static void webapp_eval(const struct params *p, const struct check_env *env,
			struct check_result *r)
{
	const struct param *apps = params_get(p, "apps");
	const struct param *ports = params_get(p, "web_ports");
	const char *declared = apps && apps->v.s ? apps->v.s : "";
	const struct facts *f = env->f;
	const struct facts_first_login *fl = &f->first_login;
	struct judgement j = { r, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0, 0 };
	size_t judged = 0;

	if (usable(&j, &fl->src, "first-login files")) {
		for (size_t i = 0; i < fl->unreadable.n; i++) {
			check_evidence(r, "%s: cannot be listed by the user the facts were gathered as",
				       fl->unreadable.v[i]);
			unknown(&j, "%s could not be listed (gather as root)", fl->unreadable.v[i]);
		}
		for (size_t i = 0; i < fl->ignored.n; i++)
			check_evidence(r, "%s: not a file of the first-login reset (its name gives no "
					  "application name): ignored",
				       fl->ignored.v[i]);
		/* the declared applications, then the others found */
		const char *it = declared, *s;
		size_t n;
		while (next_name(&it, &s, &n)) {
			char *name = xstrndup(s, n);
			judge_app(&j, facts_webapp_find(f, name), name, 1);
			free(name);
			judged++;
		}
		for (size_t i = 0; i < fl->apps.n; i++) {
			const struct facts_webapp *app = &fl->apps.v[i];
			if (!app->name || declared_has(declared, app->name))
				continue;
			judge_app(&j, app, app->name, 0);
			judged++;
		}
		if (!judged) {
			check_evidence(r, "apps: none declared");
			check_evidence(r, "first-login reset: none installed (looked in " FL_PLACES ")");
		}
	}
	/* with nothing to judge, a web server listening decides */
	judge_web_servers(&j, f, ports, !judged && fl->src.section && fl->src.complete);

	if (j.findings.len) {
		if (j.unknown.len)
			check_fail(r, "%s (also: %s)", j.findings.buf, j.unknown.buf);
		else
			check_fail(r, "%s", j.findings.buf);
		if (!judged)
			check_remedy(r, "install a first-login credential reset for the web application "
					"with the `webapp-first-login` step as docs/first-login.md "
					"describes, and declare it in `apps` (the profile's `webapps` "
					"variable); waive the check if the service has no login of its own");
		else
			check_remedy(r, "install the first-login credential reset of each web application "
					"with the `webapp-first-login` step as docs/first-login.md "
					"describes: a root-owned reset script, a cloud-init per-instance "
					"hook or an enabled systemd oneshot guarded by the done marker%s%s",
				     j.credentials ? "; remove the credentials files made on the build VM"
						   : "",
				     j.done ? "; remove the done markers before capture (the pre-capture "
					      "cleanup does)"
					    : "");
	} else if (j.unknown.len) {
		check_error(r, "first-login reset cannot be judged: %s", j.unknown.buf);
		check_remedy(r, "gather the facts again, as root: the evidence is missing or cut off");
	} else if (judged) {
		check_pass(r, "first-login credential reset installed for %s", j.installed.buf);
	} else {
		check_pass(r, "no web server listens and no first-login reset is installed");
	}
	strbuf_release(&j.findings);
	strbuf_release(&j.unknown);
	strbuf_release(&j.installed);
}

const struct check_type check_webapp_first_login = {
	.name = "webapp-first-login",
	.summary = "web applications get new credentials at the first boot of every instance",
	.params = webapp_params,
	.validate = webapp_validate,
	.eval = webapp_eval,
};
