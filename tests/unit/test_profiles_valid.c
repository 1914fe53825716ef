/*
 * Valid profiles, asserting the resolved model: extends order (a diamond),
 * steps overridden in place, variable precedence, conditions decided at load
 * time or left to the target, waivers, parameter defaults and substitution,
 * the bundled profiles, and the JSON plan.
 *
 * Fixtures: tests/data/valid/ (top.yaml extends a.yaml and b.yaml, both
 * extend base.yaml; varchild.yaml extends varbase.yaml; support/ holds a
 * --var-file and a script).
 */
#include "helpers.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "profile.h"
#include "types.h"
#include "util.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *data_path(const char *rel)
{
	return xasprintf("%s/valid/%s", test_data_dir(), rel);
}

struct fixture {
	struct loader *l;
	struct resolved *r;
	struct diags d;
	int ret;
	char *diags_text;
};

/* Load tests/data/valid/NAME (or a bundled profile when bundled is set). */
static void load(struct fixture *f, const char *name, int bundled, const char *const *vars)
{
	char *ref = bundled ? xstrdup(name) : data_path(name);
	memset(f, 0, sizeof(*f));
	diags_init(&f->d);
	f->ret = test_load(ref, vars, &f->l, &f->r, &f->d);
	f->diags_text = test_diags_text(&f->d);
	free(ref);
}

static void load_ok(struct fixture *f, const char *name, int bundled, const char *const *vars)
{
	load(f, name, bundled, vars);
	if (f->ret != 0 || !f->r)
		fail_msg("%s did not load:\n%s", name, f->diags_text);
	assert_int_equal(f->d.errors, 0);
}

static void unload(struct fixture *f)
{
	resolved_free(f->r);
	loader_free(f->l);
	diags_release(&f->d);
	free(f->diags_text);
}

static const struct rstep *step(const struct resolved *r, const char *id)
{
	for (size_t i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].def->it.id, id))
			return &r->steps[i];
	fail_msg("no step '%s'", id);
	return NULL;
}

static const struct rcheck *check(const struct resolved *r, const char *id)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (!strcmp(r->checks[i].def->it.id, id))
			return &r->checks[i];
	fail_msg("no check '%s'", id);
	return NULL;
}

static const struct param *param(const struct params *p, const char *key)
{
	const struct param *v = params_get(p, key);
	if (!v)
		fail_msg("no parameter '%s'", key);
	return v;
}

static const char *var_value(const struct resolved *r, const char *name)
{
	const struct var *v = vars_get(&r->vars, name);
	return v ? v->value : NULL;
}

/* ---- the diamond: top extends [a, b], a and b extend base ---- */

static void test_diamond_chain(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);

	/* bases first, each once, top last */
	static const char *const want[] = { "base", "a", "b", "top" };
	assert_int_equal(f.r->nchain, 4);
	for (size_t i = 0; i < f.r->nchain; i++) {
		assert_string_equal(f.r->chain[i]->name, want[i]);
		for (size_t j = 0; j < i; j++)
			assert_ptr_not_equal(f.r->chain[i], f.r->chain[j]);
	}
	assert_ptr_equal(f.r->top, f.r->chain[3]);
	assert_string_equal(f.r->top->title, "Top of the diamond");
	assert_string_equal(f.r->top->version, "2");
	assert_false(f.r->top->bundled);

	/* the only diagnostic: the waiver in a.yaml expires soon */
	char *path = data_path("a.yaml");
	char *want_diags = xasprintf("%s:22:14: warning: waiver for 'c-a' expires in 16 days (2026-07-01)\n",
				     path);
	assert_string_equal(f.diags_text, want_diags);
	assert_string_equal(f.r->chain[1]->source, path);
	free(want_diags);
	free(path);
	unload(&f);
}

/* Steps: bases' first, a child's step with a parent's id replaces it in place. */
static void test_steps_overridden_in_place(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);

	static const struct {
		const char *id, *from, *title;
	} want[] = {
		{ "s-base-1", "base", NULL },
		{ "s-shared", "b", "b version of the shared step" },
		{ "s-base-2", "top", "top version" },
		{ "s-a", "a", NULL },
		{ "s-b", "b", NULL },
		{ "s-when-yes", "top", NULL },
		{ "s-when-no", "top", NULL },
		{ "s-when-fact", "top", NULL },
		{ "s-when-mixed-target", "top", NULL },
		{ "s-when-mixed-no", "top", NULL },
		{ "s-when-mixed-yes", "top", NULL },
		{ "s-when-in", "top", NULL },
	};
	assert_int_equal(f.r->nsteps, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < f.r->nsteps; i++) {
		const struct step *s = f.r->steps[i].def;
		const char *title = s->it.title;
		if (strcmp(s->it.id, want[i].id) || strcmp(s->it.origin->name, want[i].from) ||
		    (want[i].title ? !title || strcmp(title, want[i].title) : title != NULL))
			fail_msg("step %zu: %s from %s (%s), expected %s from %s (%s)", i, s->it.id,
				 s->it.origin->name, title ? title : "no title", want[i].id, want[i].from,
				 want[i].title ? want[i].title : "no title");
		assert_non_null(s->type);
		assert_string_equal(s->type->name, "script");
	}
	/* the definition is the child's, parameters included */
	assert_string_equal(param(&step(f.r, "s-shared")->params, "inline")->v.s, "echo b-shared");
	assert_int_equal(param(&step(f.r, "s-shared")->params, "retries")->v.i, 2);

	/* the replaced definitions are kept aside (validated, never run) */
	assert_int_equal(f.r->nreplaced_steps, 2);
	assert_string_equal(f.r->replaced_steps[0]->it.id, "s-shared");
	assert_string_equal(f.r->replaced_steps[0]->it.origin->name, "base");
	assert_string_equal(f.r->replaced_steps[1]->it.id, "s-base-2");
	assert_string_equal(f.r->replaced_steps[1]->it.origin->name, "base");
	assert_int_equal(f.r->nreplaced_checks, 0);

	/* checks: the same rule, bases first */
	static const char *const checks[] = { "c-base", "c-parent", "c-a", "c-top" };
	assert_int_equal(f.r->nchecks, 4);
	for (size_t i = 0; i < f.r->nchecks; i++)
		assert_string_equal(f.r->checks[i].def->it.id, checks[i]);
	unload(&f);
}

/* Variables: a later profile in the chain overrides an earlier one. */
static void test_vars_merged_along_chain(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);
	static const struct {
		const char *name, *value, *origin;
	} want[] = {
		{ "greeting", "hello", "profile base" },
		{ "level", "2", "profile a" },
		{ "region", "eu", "profile top" },
		{ "wait", "2m", "profile base" },
	};
	assert_int_equal(f.r->vars.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < f.r->vars.n; i++) {
		const struct var *v = &f.r->vars.v[i];
		if (strcmp(v->name, want[i].name) || strcmp(v->value, want[i].value) ||
		    strcmp(v->origin, want[i].origin))
			fail_msg("var %zu: %s=%s (%s), expected %s=%s (%s)", i, v->name, v->value, v->origin,
				 want[i].name, want[i].value, want[i].origin);
	}
	/* the value's position is where it was written */
	const struct var *level = vars_get(&f.r->vars, "level");
	assert_int_equal(level->pos.line, 4);
	assert_int_equal(level->pos.col, 10);
	unload(&f);
}

/* ${var} is substituted into parameters, with the merged values. */
static void test_vars_substituted(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);

	const struct params *p = &step(f.r, "s-base-2")->params;
	assert_string_equal(param(p, "inline")->v.s, "echo hello from eu");
	/* substituted before typing: "${wait}" is the duration 2m */
	assert_false(param(p, "timeout")->is_default);
	assert_string_equal(param(p, "timeout")->v.s, "2m");
	assert_int_equal(param(p, "timeout")->v.i, 120);

	p = &step(f.r, "s-b")->params;
	const struct pval *args = &param(p, "args")->v;
	assert_int_equal(args->n, 2);
	assert_string_equal(args->items[0].s, "hello");
	assert_string_equal(args->items[1].s, "two");
	const struct pval *env = &param(p, "env")->v;
	assert_int_equal(env->n, 1);
	assert_string_equal(env->keys[0], "REGION");
	assert_string_equal(env->items[0].s, "eu");
	/* a script file is found next to the profile that names it */
	assert_string_equal(param(p, "file")->v.s, "support/hello.sh");

	assert_string_equal(param(&check(f.r, "c-top")->params, "command")->v.s, "grep -q eu /etc/region");
	unload(&f);
}

/* Conditions over vars are decided at load time; over facts, on the target. */
static void test_conditions(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);
	static const struct {
		const char *id;
		enum enabled want;
	} rows[] = {
		{ "s-base-1", ENABLED_YES }, /* no condition */
		{ "s-when-yes", ENABLED_YES },
		{ "s-when-no", ENABLED_NO },
		{ "s-when-fact", ENABLED_ON_TARGET },
		{ "s-when-mixed-target", ENABLED_ON_TARGET },
		{ "s-when-mixed-no", ENABLED_NO },
		{ "s-when-mixed-yes", ENABLED_YES },
		{ "s-when-in", ENABLED_YES },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct rstep *s = step(f.r, rows[i].id);
		if (s->enabled != rows[i].want)
			fail_msg("row %zu: %s is %s, expected %s", i, rows[i].id, enabled_name(s->enabled),
				 enabled_name(rows[i].want));
		if (strcmp(rows[i].id, "s-base-1"))
			assert_non_null(s->def->it.when);
	}
	assert_int_equal(check(f.r, "c-top")->enabled, ENABLED_ON_TARGET);
	assert_int_equal(check(f.r, "c-base")->enabled, ENABLED_YES);
	unload(&f);
}

/* A --var changes what load time decides. */
static void test_conditions_follow_var_overrides(void **state)
{
	(void)state;
	static const char *const vars[] = { "level=1", "region=us", NULL };
	struct fixture f;
	load_ok(&f, "top.yaml", 0, vars);
	assert_int_equal(step(f.r, "s-when-yes")->enabled, ENABLED_NO);
	assert_int_equal(step(f.r, "s-when-no")->enabled, ENABLED_YES);
	assert_int_equal(step(f.r, "s-when-mixed-target")->enabled, ENABLED_NO);
	assert_int_equal(step(f.r, "s-when-mixed-no")->enabled, ENABLED_ON_TARGET);
	assert_int_equal(step(f.r, "s-when-mixed-yes")->enabled, ENABLED_ON_TARGET);
	assert_int_equal(step(f.r, "s-when-in")->enabled, ENABLED_NO);
	assert_string_equal(param(&step(f.r, "s-base-2")->params, "inline")->v.s, "echo hello from us");
	assert_string_equal(vars_get(&f.r->vars, "level")->origin, "--var");
	unload(&f);
}

/* Waivers attach to their checks, wherever in the chain each is written. */
static void test_waivers(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);
	assert_int_equal(f.r->nwaivers, 3);

	const struct waiver *w = check(f.r, "c-base")->waiver;
	assert_non_null(w);
	assert_string_equal(w->origin->name, "base");
	assert_string_equal(w->reason, "accepted in the base");
	assert_string_equal(w->expires, "2027-01-01");
	assert_int_equal(w->days_left, 200);

	/* written in top for a check of base */
	w = check(f.r, "c-parent")->waiver;
	assert_non_null(w);
	assert_string_equal(w->origin->name, "top");
	assert_string_equal(check(f.r, "c-parent")->def->it.origin->name, "base");
	assert_string_equal(w->reason, "waived from the child");

	/* expiring soon: a warning, but it still waives */
	w = check(f.r, "c-a")->waiver;
	assert_non_null(w);
	assert_int_equal(w->days_left, 16);
	assert_int_equal(f.d.warnings, 1);

	assert_null(check(f.r, "c-top")->waiver);
	unload(&f);
}

/* Parameters left out get the type's defaults, marked as such. */
static void test_param_defaults(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);

	const struct params *p = &step(f.r, "s-base-1")->params;
	static const struct {
		const char *key;
		const char *text;
		long long i;
	} defaults[] = {
		{ "interpreter", "/bin/sh", 0 }, { "retries", "0", 0 },        { "retry_delay", "10s", 10 },
		{ "timeout", "30m", 1800 },      { "expect_disconnect", "false", 0 },
	};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		const struct param *v = param(p, defaults[i].key);
		if (!v->is_default || strcmp(v->v.s, defaults[i].text) || v->v.i != defaults[i].i)
			fail_msg("%s: '%s' %lld default=%d, expected default '%s' %lld", defaults[i].key, v->v.s,
				 v->v.i, v->is_default, defaults[i].text, defaults[i].i);
	}
	const struct param *codes = param(p, "valid_exit_codes");
	assert_true(codes->is_default);
	assert_int_equal(codes->v.n, 1);
	assert_int_equal(codes->v.items[0].i, 0);
	assert_false(param(p, "inline")->is_default);
	assert_null(params_get(p, "file"));
	assert_null(params_get(p, "args"));
	assert_null(params_get(p, "env"));

	/* given values are not defaults */
	assert_false(param(&step(f.r, "s-shared")->params, "retries")->is_default);

	/* checks too */
	const struct param *ec = param(&check(f.r, "c-base")->params, "exit_code");
	assert_true(ec->is_default);
	assert_int_equal(ec->v.i, 0);
	ec = param(&check(f.r, "c-top")->params, "exit_code");
	assert_false(ec->is_default);
	assert_int_equal(ec->v.i, 1);

	/* severity defaults to medium; ref is optional */
	assert_string_equal(check(f.r, "c-base")->def->severity, "medium");
	assert_null(check(f.r, "c-base")->def->ref);
	assert_string_equal(check(f.r, "c-parent")->def->severity, "low");
	assert_string_equal(check(f.r, "c-a")->def->severity, "high");
	assert_string_equal(check(f.r, "c-a")->def->ref, "A-1");
	unload(&f);
}

/* ---- variable precedence ---- */

/*
 * Precedence, lowest first: the declaring profile, a profile extending it,
 * --var-file, --var (the command line adds var files first, then --var, and
 * the later call wins).
 */
static void test_var_precedence(void **state)
{
	(void)state;
	struct loader_opts o = { TEST_TODAY, NULL };
	struct loader *l = loader_new(&o);
	struct resolved *r = NULL;
	struct diags d;
	char *vf = data_path("support/vars.yaml");
	char *ref = data_path("varchild.yaml");
	diags_init(&d);

	assert_int_equal(loader_add_var_file(l, vf, &d), 0);
	assert_int_equal(loader_add_var(l, "d=cli", &d), 0);
	if (loader_resolve(l, ref, &r, &d) != 0) {
		char *text = test_diags_text(&d);
		fail_msg("varchild did not load:\n%s", text);
	}
	assert_int_equal(d.n, 0);

	char *file_origin = xasprintf("--var-file %s", vf);
	const struct {
		const char *name, *value, *origin;
	} want[] = {
		{ "a", "profile", "profile varbase" }, { "b", "child", "profile varchild" },
		{ "c", "file", file_origin },           { "d", "cli", "--var" },
		{ "e", "profile", "profile varbase" },
	};
	assert_int_equal(r->vars.n, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct var *v = vars_get(&r->vars, want[i].name);
		assert_non_null(v);
		if (strcmp(v->value, want[i].value) || strcmp(v->origin, want[i].origin))
			fail_msg("%s=%s (%s), expected %s (%s)", want[i].name, v->value, v->origin,
				 want[i].value, want[i].origin);
	}
	/* a --var-file value keeps its position in that file */
	const struct var *c = vars_get(&r->vars, "c");
	assert_string_equal(c->pos.file, vf);
	assert_int_equal(c->pos.line, 2);
	assert_int_equal(c->pos.col, 4);

	const struct rstep *s = step(r, "show");
	assert_int_equal(s->enabled, ENABLED_YES);
	assert_string_equal(param(&s->params, "inline")->v.s, "echo profile child file cli profile");

	free(file_origin);
	free(vf);
	free(ref);
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
}

/* What the loader implements is "the later call wins", whichever kind it is. */
static void test_var_precedence_later_call_wins(void **state)
{
	(void)state;
	struct loader_opts o = { TEST_TODAY, NULL };
	struct loader *l = loader_new(&o);
	struct resolved *r = NULL;
	struct diags d;
	char *vf = data_path("support/vars.yaml");
	char *ref = data_path("varchild.yaml");
	diags_init(&d);

	assert_int_equal(loader_add_var(l, "d=cli", &d), 0);
	assert_int_equal(loader_add_var(l, "c=cli", &d), 0);
	assert_int_equal(loader_add_var_file(l, vf, &d), 0);
	assert_int_equal(loader_add_var(l, "c=cli-again", &d), 0);
	assert_int_equal(loader_resolve(l, ref, &r, &d), 0);
	assert_string_equal(var_value(r, "d"), "file");
	assert_string_equal(var_value(r, "c"), "cli-again");
	assert_int_equal(step(r, "show")->enabled, ENABLED_NO);

	free(vf);
	free(ref);
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
}

/* --var values are taken as they are: after the first '=', possibly empty. */
static void test_var_values_verbatim(void **state)
{
	(void)state;
	static const char *const vars[] = { "a=x=y", "b=", "c=${d}", "e= spaced ", NULL };
	struct fixture f;
	load_ok(&f, "varchild.yaml", 0, vars);
	assert_string_equal(var_value(f.r, "a"), "x=y");
	assert_string_equal(var_value(f.r, "b"), "");
	assert_string_equal(var_value(f.r, "c"), "${d}"); /* data, not expanded again */
	assert_string_equal(var_value(f.r, "e"), " spaced ");
	assert_string_equal(param(&step(f.r, "show")->params, "inline")->v.s,
			    "echo x=y  ${d} child  spaced ");
	unload(&f);
}

struct undeclared_row {
	const char *var;
	const char *diag;
};

static const struct undeclared_row undeclared_rows[] = {
	{ "nosuch=1", "error: --var sets 'nosuch', which the profile does not declare in 'vars'\n" },
	{ "dd=1", "error: --var sets 'dd', which the profile does not declare in 'vars' (did you mean 'd'?)\n" },
	{ "A=1", "error: --var sets 'A', which the profile does not declare in 'vars' (did you mean 'a'?)\n" },
};

static void test_var_undeclared(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(undeclared_rows) / sizeof(undeclared_rows[0]); i++) {
		const char *vars[] = { undeclared_rows[i].var, NULL };
		struct fixture f;
		load(&f, "varchild.yaml", 0, vars);
		if (f.ret != -1 || f.r || strcmp(f.diags_text, undeclared_rows[i].diag)) {
			print_error("row %zu: --var %s: %d with\n%sexpected\n%s", i, undeclared_rows[i].var,
				    f.ret, f.diags_text, undeclared_rows[i].diag);
			failed++;
		}
		unload(&f);
	}
	assert_int_equal(failed, 0);
}

/* A --var-file may only set declared variables too. */
static void test_var_file_undeclared(void **state)
{
	(void)state;
	struct loader_opts o = { TEST_TODAY, NULL };
	struct loader *l = loader_new(&o);
	struct resolved *r = NULL;
	struct diags d;
	char *vf = data_path("support/vars.yaml");
	char *ref = data_path("top.yaml");
	diags_init(&d);
	assert_int_equal(loader_add_var_file(l, vf, &d), 0);
	assert_int_equal(loader_resolve(l, ref, &r, &d), -1);
	assert_null(r);
	assert_int_equal(d.errors, 2);
	char *text = test_diags_text(&d);
	char *c = xasprintf("%s:2:4: error: --var-file %s sets 'c', which the profile does not declare in 'vars'",
			    vf, vf);
	assert_non_null(strstr(text, c));
	free(c);
	free(text);
	free(vf);
	free(ref);
	loader_free(l);
	diags_release(&d);
}

struct add_var_row {
	const char *arg;
	const char *diag; /* NULL: accepted */
};

static const struct add_var_row add_var_rows[] = {
	{ "=x", "error: --var expects KEY=VALUE, found '=x'\n" },
	{ "1bad=x", "error: --var: invalid variable name '1bad'\n" },
	{ "novalue", "error: --var expects KEY=VALUE, found 'novalue'\n" },
	{ "", "error: --var expects KEY=VALUE, found ''\n" },
	{ "a-b=1", "error: --var: invalid variable name 'a-b'\n" },
	{ "a.b=1", "error: --var: invalid variable name 'a.b'\n" },
	{ " a=1", "error: --var: invalid variable name ' a'\n" },
	{ "vars.a=1", "error: --var: invalid variable name 'vars.a'\n" },
	{ "a=1", NULL },
	{ "_a9=", NULL },
	{ "A_1=x=y", NULL },
};

static void test_add_var(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(add_var_rows) / sizeof(add_var_rows[0]); i++) {
		const struct add_var_row *row = &add_var_rows[i];
		struct loader_opts o = { TEST_TODAY, NULL };
		struct loader *l = loader_new(&o);
		struct diags d;
		diags_init(&d);
		int ret = loader_add_var(l, row->arg, &d);
		char *text = test_diags_text(&d);
		if (row->diag ? ret != -1 || strcmp(text, row->diag) : ret != 0 || d.n) {
			print_error("row %zu: --var '%s' -> %d with\n%sexpected\n%s", i, row->arg, ret, text,
				    row->diag ? row->diag : "(nothing)\n");
			failed++;
		}
		free(text);
		diags_release(&d);
		loader_free(l);
	}
	assert_int_equal(failed, 0);
}

/* ---- bundled profiles ---- */

static void test_bundled_names(void **state)
{
	(void)state;
	const char *const *names = bundled_profile_names();
	int base = 0, ali = 0;
	size_t n = 0;
	for (; names[n]; n++) {
		base += !strcmp(names[n], "linux-base");
		ali += !strcmp(names[n], "alibaba-marketplace");
		if (n)
			assert_true(strcmp(names[n - 1], names[n]) < 0);
	}
	assert_true(n >= 2);
	assert_int_equal(base, 1);
	assert_int_equal(ali, 1);
}

static void test_bundled_linux_base(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "linux-base", 1, NULL);
	assert_string_equal(f.diags_text, "");
	assert_int_equal(f.r->nchain, 1);
	assert_true(f.r->top->bundled);
	assert_null(f.r->top->base_dir);
	assert_string_equal(f.r->top->source, "bundled:linux-base.yaml");
	assert_int_equal(f.r->nsteps, 1);
	assert_string_equal(f.r->steps[0].def->it.id, "wait-ready");
	assert_int_equal(f.r->steps[0].enabled, ENABLED_YES);
	assert_int_equal(param(&f.r->steps[0].params, "timeout")->v.i, 600);
	assert_int_equal(f.r->nchecks, 2);
	assert_string_equal(f.r->checks[0].def->it.id, "malicious-programs");
	assert_string_equal(f.r->checks[0].def->it.type_name, "malware");
	assert_string_equal(f.r->checks[0].def->severity, "critical");
	assert_string_equal(f.r->checks[0].def->ref, "1.1-2");
	assert_string_equal(f.r->checks[1].def->it.id, "pre-capture-hygiene");
	/* ${build_user} reaches the parameter */
	assert_string_equal(param(&f.r->checks[1].params, "build_user")->v.s, "");
	assert_string_equal(var_value(f.r, "build_user"), "");
	unload(&f);
}

static void test_bundled_alibaba(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "alibaba-marketplace", 1, NULL);
	assert_string_equal(f.diags_text, "");

	assert_int_equal(f.r->nchain, 2);
	assert_string_equal(f.r->chain[0]->name, "linux-base");
	assert_string_equal(f.r->chain[1]->name, "alibaba-marketplace");

	static const struct {
		const char *id, *type;
		enum enabled enabled;
	} steps[] = {
		{ "wait-ready", "wait-ready", ENABLED_YES },
		{ "os-updates", "os-update", ENABLED_ON_TARGET },
		/* off until the vendor gives the installer's URL, or a web application */
		{ "server-guard-install", "server-guard", ENABLED_NO },
		{ "webapp-first-login-reset", "webapp-first-login", ENABLED_NO },
		{ "pre-capture-cleanup", "cleanup", ENABLED_YES },
	};
	/* every numbered clause it checks automatically, in order */
	static const struct {
		const char *id, *type, *ref;
	} checks[] = {
		{ "malicious-programs", "malware", "1.1-2" },
		{ "pre-capture-hygiene", "hygiene", NULL },
		{ "security-updates", "updates", "1.1-5" },
		{ "important-components", "updates", "1.3" },
		{ "all-updates", "updates", "1.2.1" },
		{ "running-newest-kernel", "reboot", "1.1-1" },
		{ "server-guard", "server-guard", "1.1-3" },
		{ "os-maintained", "os-maintained", "1.1-4" },
		{ "third-party-maintained", "third-party-maintained", "2.1-2" },
		{ "official-sources", "package-sources", "2.1-4" },
		{ "webapp-first-login", "webapp-first-login", "2.2.2-4" },
	};
	assert_int_equal(f.r->nsteps, ARRAY_SIZE(steps));
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		assert_string_equal(f.r->steps[i].def->it.id, steps[i].id);
		assert_string_equal(f.r->steps[i].def->it.type_name, steps[i].type);
		assert_int_equal(f.r->steps[i].enabled, steps[i].enabled);
	}
	assert_int_equal(f.r->nchecks, ARRAY_SIZE(checks));
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		assert_string_equal(f.r->checks[i].def->it.id, checks[i].id);
		assert_string_equal(f.r->checks[i].def->it.type_name, checks[i].type);
		if (checks[i].ref)
			assert_string_equal(f.r->checks[i].def->ref, checks[i].ref);
		assert_int_equal(f.r->checks[i].enabled, ENABLED_YES);
		assert_null(f.r->checks[i].waiver);
	}
	assert_int_equal(param(&step(f.r, "os-updates")->params, "timeout")->v.i, 3600);
	assert_string_equal(param(&step(f.r, "os-updates")->params, "scope")->v.s, "all");
	assert_int_equal(param(&check(f.r, "server-guard")->params, "exempt")->v.i, 0);
	assert_string_equal(param(&check(f.r, "security-updates")->params, "scope")->v.s, "security");
	assert_string_equal(param(&check(f.r, "important-components")->params, "components")->v.s,
			    "important");
	assert_string_equal(var_value(f.r, "server_guard_exempt"), "false");
	unload(&f);

	/* the exemption reaches the check's parameter */
	static const char *const exempt[] = { "server_guard_exempt=true", NULL };
	load_ok(&f, "alibaba-marketplace", 1, exempt);
	assert_int_equal(param(&check(f.r, "server-guard")->params, "exempt")->v.i, 1);
	unload(&f);

	/* with its URL the Server Guard step runs, and its digest must be pinned */
	static const char *const sg[] = { "server_guard_url=https://example.test/install",
					  "server_guard_sha256=" SHA_A, NULL };
	load_ok(&f, "alibaba-marketplace", 1, sg);
	assert_int_equal(step(f.r, "server-guard-install")->enabled, ENABLED_YES);
	assert_string_equal(param(&step(f.r, "server-guard-install")->params, "install_code_env")->v.s,
			    "SHELFREADY_SERVER_GUARD_CODE");
	unload(&f);
}

/* A file profile may extend a bundled one by name. */
static void test_bundled_found_by_name_and_suffix(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "linux-base.yaml", 1, NULL);
	assert_string_equal(f.r->top->name, "linux-base");
	unload(&f);
}

/* ---- plans ---- */

static void test_plan_json(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);
	char *text = plan_json(f.r);
	cJSON *root = cJSON_Parse(text);
	if (!root)
		fail_msg("plan_json is not JSON:\n%s", text);

	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	assert_true(cJSON_IsString(schema));
	assert_string_equal(schema->valuestring, PLAN_JSON_SCHEMA);
	assert_string_equal(PLAN_JSON_SCHEMA, "shelfready.plan/1");

	const cJSON *prof = cJSON_GetObjectItemCaseSensitive(root, "profile");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(prof, "name")->valuestring, "top");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(prof, "version")->valuestring, "2");

	const cJSON *chain = cJSON_GetObjectItemCaseSensitive(root, "extends_chain");
	assert_int_equal(cJSON_GetArraySize(chain), 4);
	static const char *const names[] = { "base", "a", "b", "top" };
	for (int i = 0; i < 4; i++)
		assert_string_equal(cJSON_GetArrayItem(chain, i)->valuestring, names[i]);

	/* steps in order, as resolved */
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	assert_true(cJSON_IsArray(steps));
	assert_int_equal(cJSON_GetArraySize(steps), (int)f.r->nsteps);
	for (int i = 0; i < (int)f.r->nsteps; i++) {
		const cJSON *s = cJSON_GetArrayItem(steps, i);
		const struct rstep *rs = &f.r->steps[i];
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring, rs->def->it.id);
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(s, "index")->valueint, i + 1);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "type")->valuestring, "script");
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "from")->valuestring,
				    rs->def->it.origin->name);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(s, "enabled")->valuestring,
				    enabled_name(rs->enabled));
	}
	const cJSON *s2 = cJSON_GetArrayItem(steps, 2);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(s2, "id")->valuestring, "s-base-2");
	const cJSON *with = cJSON_GetObjectItemCaseSensitive(s2, "with");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(with, "inline")->valuestring,
			    "echo hello from eu");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(with, "timeout")->valueint, 120);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(with, "expect_disconnect")));
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(s2, "defaults");
	int has_interp = 0, has_timeout = 0;
	for (int i = 0; i < cJSON_GetArraySize(defs); i++) {
		has_interp += !strcmp(cJSON_GetArrayItem(defs, i)->valuestring, "interpreter");
		has_timeout += !strcmp(cJSON_GetArrayItem(defs, i)->valuestring, "timeout");
	}
	assert_int_equal(has_interp, 1);
	assert_int_equal(has_timeout, 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(s2, "when")));
	const cJSON *s6 = cJSON_GetArrayItem(steps, 6);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(s6, "when")->valuestring, "vars.level == \"1\"");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(s6, "enabled")->valuestring, "no");

	/* checks, with their waivers */
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
	assert_int_equal(cJSON_GetArraySize(checks), 4);
	const cJSON *cp = cJSON_GetArrayItem(checks, 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cp, "id")->valuestring, "c-parent");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cp, "severity")->valuestring, "low");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(cp, "waiver");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "from")->valuestring, "top");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(w, "expires")->valuestring, "2027-06-30");
	const cJSON *ct = cJSON_GetArrayItem(checks, 3);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ct, "waiver")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(ct, "ref")->valuestring, "T-1");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(ct, "enabled")->valuestring, "on-target");

	/* variables with their origins */
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(root, "vars");
	assert_int_equal(cJSON_GetArraySize(vars), 4);
	const cJSON *v1 = cJSON_GetArrayItem(vars, 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v1, "name")->valuestring, "level");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v1, "value")->valuestring, "2");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v1, "origin")->valuestring, "profile a");

	cJSON_Delete(root);
	free(text);
	unload(&f);
}

static void test_plan_text(void **state)
{
	(void)state;
	struct fixture f;
	load_ok(&f, "top.yaml", 0, NULL);
	char *text = plan_text(f.r);
	static const char *const parts[] = {
		"profile top 2  (",
		"extends: base -> a -> b -> top\n",
		"  level = 2  (profile a)\n",
		"remediate: 12 steps\n",
		"  [3/12] s-base-2  (script)\n",
		"  [7/12] s-when-no  (script)  skipped\n",
		"        when: os.family == \"debian\"  -> decided on the target\n",
		"          interpreter: /bin/sh  (default)\n",
		"verify: 4 checks\n",
		"  [2/4] c-parent  (command, low)\n        waived until 2027-06-30: waived from the child\n",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!strstr(text, parts[i]))
			fail_msg("part %zu missing: '%s' in\n%s", i, parts[i], text);
	free(text);
	unload(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diamond_chain),
		cmocka_unit_test(test_steps_overridden_in_place),
		cmocka_unit_test(test_vars_merged_along_chain),
		cmocka_unit_test(test_vars_substituted),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_conditions_follow_var_overrides),
		cmocka_unit_test(test_waivers),
		cmocka_unit_test(test_param_defaults),
		cmocka_unit_test(test_var_precedence),
		cmocka_unit_test(test_var_precedence_later_call_wins),
		cmocka_unit_test(test_var_values_verbatim),
		cmocka_unit_test(test_var_undeclared),
		cmocka_unit_test(test_var_file_undeclared),
		cmocka_unit_test(test_add_var),
		cmocka_unit_test(test_bundled_names),
		cmocka_unit_test(test_bundled_linux_base),
		cmocka_unit_test(test_bundled_alibaba),
		cmocka_unit_test(test_bundled_found_by_name_and_suffix),
		cmocka_unit_test(test_plan_json),
		cmocka_unit_test(test_plan_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
