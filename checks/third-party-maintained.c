/*
 * third-party-maintained: the third-party components found on the target
 * (PHP, MySQL, MariaDB, Apache httpd, nginx, Tomcat, Node.js, Jetty, ProFTPD,
 * Redis, PostgreSQL, Java) are on maintained release lines (standard clause
 * 2.1-2: no PHP 5.2-5.4, MySQL 5.1, Tomcat before 6.0...).
 *
 * "Maintained" as users mean it: a program installed from the distribution's
 * own packages is maintained by the distribution while its release is (its
 * version number says nothing: distributions backport fixes); a program
 * installed outside the package manager is judged by its upstream end of
 * life. The facts do not record which package owns a file, so where a
 * program came from is told by its path: /usr (but /usr/local), /bin, /sbin
 * and /lib belong to the package manager; /usr/local, /opt and anything else
 * do not. Each component passes, fails or errors on its own; the check fails
 * when one fails, else errors when one errors. With allow_extended, the
 * `extendedSupport` of an upstream line counts too: for Node.js, Jetty and
 * MariaDB that is a vendor's paid support, which a community build does not
 * get.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eol.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

static const struct param_spec third_party_maintained_params[] = {
	{ "allow_extended", PK_BOOL, 0, "false",
	  "count LTS/extended support (`extendedSupport` in the data: Debian LTS, Ubuntu ESM for the "
	  "OS, vendors' extended support upstream) as maintained",
	  NULL, 0, 0 },
	PARAM_END,
};

static int param_bool(const struct params *p, const char *key)
{
	const struct param *v = params_get(p, key);
	return v && v->v.kind == PV_BOOL && v->v.i;
}

/* The OS release, judged once for every program from its packages. */
struct os_state {
	const char *product;
	const struct eol_cycle *c;
	struct eol_verdict v;
	char *problem; /* why it cannot be judged; NULL when it can */
	char *label;   /* "ubuntu 22.04" */
	char *why;     /* the dates that decided */
};

static void os_judge(const struct facts_os *os, struct eol_db *db, const char *cache, long today,
		     int allow_extended, struct os_state *st)
{
	char *err = NULL;

	memset(st, 0, sizeof(*st));
	st->v.status = EOL_UNKNOWN;
	if (!os->src.section) {
		st->problem = xstrdup("the os release was not collected");
		return;
	}
	if (!os->src.complete) {
		st->problem = xasprintf("the section '%s' did not end", os->src.section);
		return;
	}
	st->product = eol_os_product(os->id, os->name);
	if (!st->product) {
		st->problem = xasprintf("no end-of-life data for os '%s'", os->id ? os->id : "unknown");
		return;
	}
	if (!os->version_id) {
		st->problem = xasprintf("the %s release has no version", st->product);
		return;
	}
	if (eol_db_load_product(db, st->product, cache, &err) < 0) {
		st->problem = err;
		return;
	}
	st->c = eol_cycle_find(eol_db_find(db, st->product), os->version_id);
	if (!st->c) {
		st->problem = xasprintf("no release cycle of '%s' matches version '%s'", st->product,
					os->version_id);
		return;
	}
	st->label = xasprintf("%s %s", st->product, st->c->cycle);
	eol_judge(st->c, today, allow_extended, &st->v);
	st->why = eol_verdict_text(&st->v, today);
	if (st->v.status == EOL_UNKNOWN)
		st->problem = xasprintf("the end-of-life data cannot tell whether %s is maintained: %s",
					st->label, st->why);
}

static void os_state_release(struct os_state *st)
{
	free(st->problem);
	free(st->label);
	free(st->why);
}

enum origin { FROM_PACKAGE, FROM_ELSEWHERE, FROM_UNKNOWN };

/*
 * Where prog came from, by the path rule; *dir is the directory that decided
 * ("/usr/sbin", "/opt", owned).
 */
static enum origin program_origin(const struct facts_program *prog, char **dir)
{
	const char *path = prog->path, *end;

	*dir = NULL;
	if (!path || path[0] != '/' || !path[1])
		return FROM_UNKNOWN;
	end = strchr(path + 1, '/');
	if (!end)
		end = path + strlen(path);
	/* /usr/X: the second component says more (/usr/local is not the package manager's) */
	if ((size_t)(end - path) == 4 && !strncmp(path, "/usr", 4) && *end) {
		const char *e2 = strchr(end + 1, '/');
		end = e2 ? e2 : end + strlen(end);
	}
	*dir = xstrndup(path, (size_t)(end - path));
	if (!strcmp(*dir, "/usr/local"))
		return FROM_ELSEWHERE;
	if (str_starts_with(*dir, "/usr/") || !strcmp(*dir, "/bin") || !strcmp(*dir, "/sbin") ||
	    !strcmp(*dir, "/lib") || !strcmp(*dir, "/lib64"))
		return FROM_PACKAGE;
	return FROM_ELSEWHERE;
}

struct tally {
	size_t pass, fail, error;
	struct strbuf passed, failed, errored;
	int fail_os;      /* a package of an unmaintained os failed */
	struct strbuf fix; /* remediation for upstream components */
};

static void note(struct strbuf *sb, const struct facts_program *prog)
{
	strbuf_addf(sb, "%s%s%s%s", sb->len ? ", " : "", prog->name,
		    prog->version ? " " : "", prog->version ? prog->version : "");
}

/*
 * "product cycle: the dates that decided" for a program's upstream release
 * line (owned), or NULL; *problem (owned) when it cannot be judged.
 */
static char *upstream_text(struct eol_db *db, const char *cache, const char *product,
			   const char *version, long today, int allow_extended,
			   struct eol_verdict *v, char **problem)
{
	char *err = NULL, *lookup = NULL, *why = NULL, *ret = NULL;
	const struct eol_cycle *c;

	memset(v, 0, sizeof(*v));
	v->status = EOL_UNKNOWN;
	if (eol_db_load_product(db, product, cache, &err) < 0) {
		*problem = err;
		return NULL;
	}
	if (!version) {
		*problem = xstrdup("its version is not known");
		return NULL;
	}
	lookup = eol_program_version(product, version);
	c = eol_cycle_find(eol_db_find(db, product), lookup);
	if (!c) {
		*problem = xasprintf("no release cycle of '%s' matches version '%s'", product, lookup);
		free(lookup);
		return NULL;
	}
	free(lookup);
	eol_judge(c, today, allow_extended, v);
	why = eol_verdict_text(v, today);
	ret = xasprintf("%s %s: %s", product, c->cycle, why);
	free(why);
	if (v->status == EOL_UNKNOWN)
		*problem = xasprintf("the end-of-life data cannot tell whether %s %s is maintained",
				     product, c->cycle);
	return ret;
}

static void judge_program(const struct facts_program *prog, const struct os_state *os,
			  struct eol_db *db, const char *cache, long today, int allow_extended,
			  struct check_result *r,
			  struct tally *t)
{
	char *dir = NULL, *problem = NULL, *up = NULL, *maint = NULL;
	const char *name = prog->name ? prog->name : "?";
	const char *ver = prog->version ? prog->version : "(version unknown)";
	const char *path = prog->path ? prog->path : "(path unknown)";
	const char *product = eol_program_product(prog->name, prog->version_text);
	enum origin o = program_origin(prog, &dir);
	struct eol_verdict v;

	if (!product) {
		check_evidence(r, "%s %s (%s): error: no end-of-life product for program '%s'", name,
			       ver, path, name);
		t->error++;
		note(&t->errored, prog);
		goto out;
	}
	/* the upstream line, judged even for packages: shown, and decisive outside them */
	up = upstream_text(db, cache, product, prog->version, today, allow_extended, &v, &problem);
	if (o == FROM_PACKAGE) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s %s (%s): from the distribution's packages (path rule: %s is "
				 "package-managed): ",
			    name, ver, path, dir);
		if (os->problem) {
			strbuf_addf(&sb, "error: %s", os->problem);
			t->error++;
			note(&t->errored, prog);
		} else if (os->v.status == EOL_MAINTAINED) {
			strbuf_addf(&sb, "maintained with %s (%s)", os->label, os->why);
			t->pass++;
			note(&t->passed, prog);
		} else {
			strbuf_addf(&sb, "not maintained: %s is not (%s)", os->label, os->why);
			t->fail++;
			t->fail_os = 1;
			note(&t->failed, prog);
		}
		if (up)
			strbuf_addf(&sb, "; upstream, not decisive: %s", up);
		check_evidence(r, "%s", sb.buf);
		strbuf_release(&sb);
		goto out;
	}
	if (o == FROM_UNKNOWN) {
		check_evidence(r, "%s %s (%s): error: cannot tell whether it came from a package%s%s",
			       name, ver, path, up ? "; upstream: " : "", up ? up : "");
		t->error++;
		note(&t->errored, prog);
		goto out;
	}
	if (problem) {
		check_evidence(r, "%s %s (%s): outside the package manager (path rule: %s is not "
				  "package-managed): error: %s%s%s",
			       name, ver, path, dir, problem, up ? "; upstream: " : "", up ? up : "");
		t->error++;
		note(&t->errored, prog);
		goto out;
	}
	check_evidence(r, "%s %s (%s): outside the package manager (path rule: %s is not "
			  "package-managed): %s upstream: %s",
		       name, ver, path, dir, eol_status_name(v.status), up);
	if (v.status == EOL_MAINTAINED) {
		t->pass++;
		note(&t->passed, prog);
		goto out;
	}
	t->fail++;
	note(&t->failed, prog);
	maint = eol_maintained_cycles(eol_db_find(db, product), today, allow_extended, 4);
	strbuf_addf(&t->fix, "%s%s at %s: ", t->fix.len ? "; " : "", name, path);
	if (*maint)
		strbuf_addf(&t->fix, "upgrade to a maintained %s release (%s) or install it from the "
				     "distribution's packages",
			    product, maint);
	else
		strbuf_addf(&t->fix, "no %s release is maintained: replace it", product);
out:
	free(maint);
	free(up);
	free(problem);
	free(dir);
}

/*
 * Load the data of every program's product before judging, so that the
 * evidence can say where it came from; what fails to load fails again, with
 * its message, where it is judged.
 */
static void preload(struct eol_db *db, const char *cache, const struct facts_third_party *tp)
{
	for (size_t i = 0; i < tp->list.n; i++) {
		const struct facts_program *prog = &tp->list.v[i];
		const char *product = eol_program_product(prog->name, prog->version_text);
		char *err = NULL;
		if (product && eol_db_load_product(db, product, cache, &err) < 0)
			free(err);
	}
}

/* "the bundled endoflife.date snapshot of D", naming refreshed data first (owned). */
static char *data_sources(const struct eol_db *db)
{
	struct strbuf sb = STRBUF_INIT;
	size_t cached = 0;

	for (size_t i = 0; i < db->n; i++) {
		if (!strcmp(db->v[i].origin, EOL_ORIGIN_BUNDLED))
			continue;
		strbuf_addf(&sb, "%s%s from %s", cached++ ? ", " : "refreshed data for ",
			    db->v[i].name, db->v[i].origin);
	}
	strbuf_addf(&sb, "%sthe bundled endoflife.date snapshot of %s%s", cached ? " and " : "",
		    EOL_BUNDLED_DATE, cached ? " for the rest" : "");
	return strbuf_detach(&sb);
}

static void third_party_maintained_eval(const struct params *p, const struct check_env *env,
					struct check_result *r)
{
	const struct facts *f = env->f;
	const struct facts_third_party *tp = &f->third_party;
	int allow_extended = param_bool(p, "allow_extended");
	struct tally t = { 0, 0, 0, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0, STRBUF_INIT };
	struct os_state os;
	struct eol_db db;
	char today[16], *sources = NULL;

	eol_db_init(&db);
	memset(&os, 0, sizeof(os));
	eol_day_text(env->today, today, sizeof(today));
	if (!tp->src.section) {
		check_error(r, "third-party programs were not collected");
		check_remedy(r, "gather facts again: the third-party section is missing");
		goto out;
	}
	if (!tp->src.complete) {
		check_error(r, "the section '%s' did not end: the list may be cut short",
			    tp->src.section);
		check_remedy(r, "gather facts again");
		goto out;
	}
	if (!tp->list.n) {
		check_pass(r, "no third-party programs found");
		goto out;
	}
	os_judge(&f->os, &db, env->eol_cache, env->today, allow_extended, &os);
	if (os.problem)
		check_evidence(r, "os: %s (id %s, version_id %s): error: %s",
			       f->os.name ? f->os.name : "?", f->os.id ? f->os.id : "unknown",
			       f->os.version_id ? f->os.version_id : "unknown", os.problem);
	else
		check_evidence(r, "os: %s (id %s, version_id %s): %s %s",
			       f->os.name ? f->os.name : "?", f->os.id ? f->os.id : "unknown",
			       f->os.version_id ? f->os.version_id : "unknown", os.label,
			       eol_status_name(os.v.status));
	preload(&db, env->eol_cache, tp);
	sources = data_sources(&db);
	check_evidence(r, "judged as of %s with %s; extended support counts: %s", today, sources,
		       allow_extended ? "yes (allow_extended)" : "no");
	for (size_t i = 0; i < tp->list.n; i++)
		judge_program(&tp->list.v[i], &os, &db, env->eol_cache, env->today, allow_extended,
			      r, &t);
	if (t.fail) {
		check_fail(r, "%zu of %zu third-party components are not maintained: %s%s%s%s", t.fail,
			   tp->list.n, t.failed.buf, t.error ? " (cannot judge: " : "",
			   t.error ? t.errored.buf : "", t.error ? ")" : "");
		struct strbuf fix = STRBUF_INIT;
		if (t.fail_os)
			strbuf_addf(&fix, "rebuild the image on a maintained release of %s: its "
					  "packages are maintained only while it is",
				    os.product ? os.product : "the distribution");
		if (t.fix.len)
			strbuf_addf(&fix, "%s%s", fix.len ? "; " : "", t.fix.buf);
		check_remedy(r, "%s", fix.buf);
		strbuf_release(&fix);
	} else if (t.error) {
		check_error(r, "cannot judge %zu of %zu third-party components: %s", t.error,
			    tp->list.n, t.errored.buf);
		check_remedy(r, "judge them by hand and waive this check with the reason, or refresh "
				"the end-of-life data");
	} else {
		check_pass(r, "every third-party component is maintained: %s", t.passed.buf);
	}
out:
	strbuf_release(&t.passed);
	strbuf_release(&t.failed);
	strbuf_release(&t.errored);
	strbuf_release(&t.fix);
	os_state_release(&os);
	eol_db_release(&db);
	free(sources);
}

const struct check_type check_third_party_maintained = {
	.name = "third-party-maintained",
	.summary = "third-party components are on maintained release lines (end-of-life data)",
	.params = third_party_maintained_params,
	.validate = NULL,
	.eval = third_party_maintained_eval,
};
