/*
 * Unit tests of lib/schema.c: params_from_yaml over a small table of specs
 * (each kind accepted and rejected, defaults, required, unknown parameters,
 * ${var} substitution before typing) and parse_duration.
 *
 * The row marked "regression" covers an engine bug these tests found (fixed
 * in 4f865a5): "expects an choice".
 */
#include "helpers.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "strbuf.h"
#include "vars.h"
#include "ytree.h"

#define OWNER "step 's' (demo)"

static const char *const modes[] = { "fast", "slow", NULL };

static const struct param_spec specs[] = {
	{ "name", PK_STRING, 1, NULL, "required string", NULL, 0, 0 },
	{ "count", PK_INT, 0, "3", "bounded integer", NULL, 1, 10 },
	{ "free", PK_INT, 0, NULL, "unbounded integer", NULL, 0, 0 },
	{ "flag", PK_BOOL, 0, "false", "boolean", NULL, 0, 0 },
	{ "wait", PK_DURATION, 0, "1m", "bounded duration", NULL, 0, 3600 },
	{ "mode", PK_ENUM, 0, "fast", "choice", modes, 0, 0 },
	{ "pattern", PK_REGEX, 0, NULL, "regex", NULL, 0, 0 },
	{ "items", PK_STRING_LIST, 0, NULL, "list of strings", NULL, 0, 0 },
	{ "codes", PK_INT_LIST, 0, "[0]", "list of integers", NULL, 0, 255 },
	{ "env", PK_STRING_MAP, 0, NULL, "mapping of strings", NULL, 0, 0 },
	PARAM_END,
};

struct run {
	struct ydoc *doc;
	struct vars vars;
	struct params params;
	struct diags d;
	int ret;
	char *diags_text;
};

/* Type `with` (YAML text, NULL for no `with` at all) with vars ("k=v" pairs, NULL-terminated). */
static void run(struct run *r, const char *with, const char *const *vars)
{
	memset(r, 0, sizeof(*r));
	diags_init(&r->d);
	vars_init(&r->vars);
	for (size_t i = 0; vars && vars[i]; i++) {
		const char *eq = strchr(vars[i], '=');
		char *name = xstrndup(vars[i], (size_t)(eq - vars[i]));
		vars_set(&r->vars, name, eq + 1, (struct srcpos){ NULL, 0, 0 }, "test");
		free(name);
	}
	if (with) {
		assert_int_equal(ytree_parse("w.yaml", with, strlen(with), &r->doc, &r->d), 0);
		assert_int_equal(r->d.n, 0);
	}
	struct srcpos at = { "p.yaml", 7, 3 };
	r->ret = params_from_yaml(specs, r->doc ? r->doc->root : NULL, at, &r->vars, OWNER, &r->params,
				  &r->d);
	r->diags_text = test_diags_text(&r->d);
}

static void run_done(struct run *r)
{
	params_release(&r->params);
	vars_release(&r->vars);
	ydoc_free(r->doc);
	diags_release(&r->d);
	free(r->diags_text);
}

/* ---- accepted values ---- */

struct accept_row {
	const char *with;
	const char *key;
	enum pval_kind kind;
	const char *s; /* text form (PV_STRING, PV_INT, PV_BOOL), or list items joined by ',' */
	long long i;   /* PV_INT, PV_BOOL; item count for PV_LIST and PV_MAP */
};

static const struct accept_row accept_rows[] = {
	{ "name: x", "name", PV_STRING, "x", 0 },
	{ "name: 'a b'", "name", PV_STRING, "a b", 0 },
	{ "name: 12", "name", PV_STRING, "12", 0 },
	{ "name: |\n  line\n", "name", PV_STRING, "line\n", 0 },
	{ "name: x\ncount: 7", "count", PV_INT, "7", 7 },
	{ "name: x\ncount: 1", "count", PV_INT, "1", 1 },
	{ "name: x\ncount: 10", "count", PV_INT, "10", 10 },
	{ "name: x\ncount: '7'", "count", PV_INT, "7", 7 },
	{ "name: x\nfree: -5", "free", PV_INT, "-5", -5 },
	{ "name: x\nfree: 9223372036854775807", "free", PV_INT, "9223372036854775807", LLONG_MAX },
	{ "name: x\nflag: true", "flag", PV_BOOL, "true", 1 },
	{ "name: x\nflag: false", "flag", PV_BOOL, "false", 0 },
	{ "name: x\nwait: 90", "wait", PV_INT, "90", 90 },
	{ "name: x\nwait: 90s", "wait", PV_INT, "90s", 90 },
	{ "name: x\nwait: 1h", "wait", PV_INT, "1h", 3600 },
	{ "name: x\nwait: 0", "wait", PV_INT, "0", 0 },
	{ "name: x\nmode: slow", "mode", PV_STRING, "slow", 0 },
	{ "name: x\npattern: '^a+[0-9]{2}$'", "pattern", PV_STRING, "^a+[0-9]{2}$", 0 },
	{ "name: x\nitems: [a, 'b c', 3]", "items", PV_LIST, "a,b c,3", 3 },
	{ "name: x\nitems: []", "items", PV_LIST, "", 0 },
	{ "name: x\ncodes: [0, 255, 3]", "codes", PV_LIST, "0,255,3", 3 },
	{ "name: x\nenv:\n  A: '1'\n  B: two\n", "env", PV_MAP, "A=1,B=two", 2 },
	{ "name: x\nenv: {}", "env", PV_MAP, "", 0 },
};

/* "a,b" for a list, "k=v,k2=v2" for a map, s otherwise. */
static char *pval_text(const struct pval *v)
{
	if (v->kind != PV_LIST && v->kind != PV_MAP)
		return xstrdup(v->s ? v->s : "(null)");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			strbuf_addch(&sb, ',');
		if (v->kind == PV_MAP)
			strbuf_addf(&sb, "%s=", v->keys[i]);
		strbuf_addstr(&sb, v->items[i].s);
	}
	return strbuf_detach(&sb);
}

static void test_accept_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(accept_rows) / sizeof(accept_rows[0]); i++) {
		const struct accept_row *row = &accept_rows[i];
		struct run r;
		run(&r, row->with, NULL);
		const struct param *p = r.ret == 0 ? params_get(&r.params, row->key) : NULL;
		if (!p) {
			print_error("row %zu: '%s' rejected or %s missing:\n%s", i, row->with, row->key,
				    r.diags_text);
			failed++;
			run_done(&r);
			continue;
		}
		char *text = pval_text(&p->v);
		long long num = p->v.kind == PV_LIST || p->v.kind == PV_MAP ? (long long)p->v.n : p->v.i;
		if (p->v.kind != row->kind || strcmp(text, row->s) || num != row->i || p->is_default) {
			print_error("row %zu: '%s': %s is kind %d '%s' %lld (default %d), expected kind %d '%s' %lld\n",
				    i, row->with, row->key, (int)p->v.kind, text, num, p->is_default,
				    (int)row->kind, row->s, row->i);
			failed++;
		}
		/* a value remembers where it was written */
		if (p->v.pos.line < 1 || strcmp(p->v.pos.file, "w.yaml")) {
			print_error("row %zu: %s has no position\n", i, row->key);
			failed++;
		}
		free(text);
		run_done(&r);
	}
	assert_int_equal(failed, 0);
}

/* A mapping's keys remember where they were written, and so do its values. */
static void test_map_positions(void **state)
{
	(void)state;
	struct run r;
	run(&r, "name: x\nenv:\n  A: one\n  BB: 'two'\n", NULL);
	assert_int_equal(r.ret, 0);
	const struct pval *env = &params_get(&r.params, "env")->v;
	assert_int_equal(env->n, 2);
	assert_string_equal(env->keys[1], "BB");
	assert_int_equal(env->key_pos[1].line, 4);
	assert_int_equal(env->key_pos[1].col, 3);
	assert_int_equal(env->items[1].pos.line, 4);
	assert_int_equal(env->items[1].pos.col, 7);
	assert_string_equal(env->items[1].s, "two");
	run_done(&r);
}

static void test_int_list_items_typed(void **state)
{
	(void)state;
	struct run r;
	run(&r, "name: x\ncodes: [0, 17]\n", NULL);
	assert_int_equal(r.ret, 0);
	const struct param *p = params_get(&r.params, "codes");
	assert_int_equal(p->v.n, 2);
	assert_int_equal(p->v.items[0].kind, PV_INT);
	assert_int_equal(p->v.items[1].kind, PV_INT);
	assert_int_equal(p->v.items[1].i, 17);
	assert_int_equal(p->v.items[1].pos.line, 2);
	assert_int_equal(p->v.items[1].pos.col, 12);
	run_done(&r);
}

/* ---- rejected values: every message exactly ---- */

struct reject_row {
	const char *with;
	const char *diags; /* all of them, formatted; a trailing '*' matches any rest */
};

static const struct reject_row reject_rows[] = {
	/* required */
	{ "count: 7", "w.yaml:1:1: error: missing required parameter 'name' for " OWNER "\n" },
	{ "name: ~", "w.yaml:1:7: error: missing required parameter 'name' for " OWNER "\n" },
	{ "name:\ncount: 2", "w.yaml:1:6: error: missing required parameter 'name' for " OWNER "\n" },
	/* strings */
	{ "name: [x]", "w.yaml:1:7: error: parameter 'name' of " OWNER " expects a string, found a list\n" },
	{ "name: {a: b}",
	  "w.yaml:1:7: error: parameter 'name' of " OWNER " expects a string, found a mapping\n" },
	/* integers */
	{ "name: x\ncount: abc",
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " expects an integer, found 'abc'\n" },
	{ "name: x\ncount: 1.5",
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " expects an integer, found '1.5'\n" },
	{ "name: x\ncount: 0",
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " must be between 1 and 10, found 0\n" },
	{ "name: x\ncount: 11",
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " must be between 1 and 10, found 11\n" },
	{ "name: x\ncount: [1]",
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " expects an integer, found a list\n" },
	{ "name: x\nfree: 9223372036854775808",
	  "w.yaml:2:7: error: parameter 'free' of " OWNER
	  " expects an integer, found '9223372036854775808'\n" },
	{ "name: x\nfree: ''", "w.yaml:2:7: error: parameter 'free' of " OWNER " expects an integer, found ''\n" },
	/* booleans */
	{ "name: x\nflag: yes",
	  "w.yaml:2:7: error: parameter 'flag' of " OWNER " expects true or false, found 'yes'\n" },
	{ "name: x\nflag: True",
	  "w.yaml:2:7: error: parameter 'flag' of " OWNER " expects true or false, found 'True'\n" },
	{ "name: x\nflag: [true]",
	  "w.yaml:2:7: error: parameter 'flag' of " OWNER " expects a boolean, found a list\n" },
	/* durations */
	{ "name: x\nwait: 5x",
	  "w.yaml:2:7: error: parameter 'wait' of " OWNER
	  " expects a duration such as 30s, 5m or 1h, found '5x'\n" },
	{ "name: x\nwait: -1",
	  "w.yaml:2:7: error: parameter 'wait' of " OWNER
	  " expects a duration such as 30s, 5m or 1h, found '-1'\n" },
	{ "name: x\nwait: 2h",
	  "w.yaml:2:7: error: parameter 'wait' of " OWNER
	  " must be between 0 and 3600 seconds, found '2h' (7200 s)\n" },
	{ "name: x\nwait: {a: 1}",
	  "w.yaml:2:7: error: parameter 'wait' of " OWNER " expects a duration, found a mapping\n" },
	/* choices */
	{ "name: x\nmode: medium",
	  "w.yaml:2:7: error: parameter 'mode' of " OWNER " must be one of fast, slow, found 'medium'\n" },
	{ "name: x\nmode: FAST",
	  "w.yaml:2:7: error: parameter 'mode' of " OWNER " must be one of fast, slow, found 'FAST'\n" },
	{ "name: x\nmode: [fast]", /* regression */
	  "w.yaml:2:7: error: parameter 'mode' of " OWNER " expects a choice, found a list\n" },
	/* regular expressions: the rest of the message comes from regerror */
	{ "name: x\npattern: 'a('",
	  "w.yaml:2:10: error: parameter 'pattern' of " OWNER " is not a valid regular expression: *" },
	{ "name: x\npattern: [a]",
	  "w.yaml:2:10: error: parameter 'pattern' of " OWNER " expects a regex, found a list\n" },
	/* lists of strings */
	{ "name: x\nitems: a",
	  "w.yaml:2:8: error: parameter 'items' of " OWNER " expects a list of strings, found a string\n" },
	{ "name: x\nitems: {a: b}",
	  "w.yaml:2:8: error: parameter 'items' of " OWNER " expects a list of strings, found a mapping\n" },
	{ "name: x\nitems: [a, [b]]",
	  "w.yaml:2:12: error: parameter 'items' of " OWNER " expects a list of strings, found a list in it\n" },
	{ "name: x\nitems: [a, ~, {}]",
	  "w.yaml:2:12: error: parameter 'items' of " OWNER " expects a list of strings, found null in it\n"
	  "w.yaml:2:15: error: parameter 'items' of " OWNER
	  " expects a list of strings, found a mapping in it\n" },
	/* lists of integers */
	{ "name: x\ncodes: 0",
	  "w.yaml:2:8: error: parameter 'codes' of " OWNER " expects a list of integers, found a string\n" },
	{ "name: x\ncodes: [0, 256, -1]",
	  "w.yaml:2:12: error: parameter 'codes' of " OWNER " must be between 0 and 255, found 256\n"
	  "w.yaml:2:17: error: parameter 'codes' of " OWNER " must be between 0 and 255, found -1\n" },
	{ "name: x\ncodes: [zero]",
	  "w.yaml:2:9: error: parameter 'codes' of " OWNER " expects an integer, found 'zero'\n" },
	/* mappings of strings */
	{ "name: x\nenv: [a]",
	  "w.yaml:2:6: error: parameter 'env' of " OWNER " expects a mapping of strings, found a list\n" },
	{ "name: x\nenv: a",
	  "w.yaml:2:6: error: parameter 'env' of " OWNER " expects a mapping of strings, found a string\n" },
	{ "name: x\nenv: {A: [1]}",
	  "w.yaml:2:10: error: parameter 'env' of " OWNER " expects a mapping of strings, found a list in it\n" },
	/* unknown parameters, with a suggestion when one is close */
	{ "name: x\ncuont: 1",
	  "w.yaml:2:1: error: unknown parameter 'cuont' for " OWNER " (did you mean 'count'?)\n" },
	{ "nmae: x\nname: y", "w.yaml:1:1: error: unknown parameter 'nmae' for " OWNER " (did you mean 'name'?)\n" },
	{ "name: x\nzzzzzz: 1", "w.yaml:2:1: error: unknown parameter 'zzzzzz' for " OWNER "\n" },
	/* unknown keys come first, in file order, then each parameter in spec order */
	{ "flag: maybe\nname: x\nbogus: 1\ncount: abc",
	  "w.yaml:3:1: error: unknown parameter 'bogus' for " OWNER "\n"
	  "w.yaml:4:8: error: parameter 'count' of " OWNER " expects an integer, found 'abc'\n"
	  "w.yaml:1:7: error: parameter 'flag' of " OWNER " expects true or false, found 'maybe'\n" },
	/* `with` itself */
	{ "[1]", "w.yaml:1:1: error: 'with' of " OWNER " must be a mapping, found a list\n" },
	{ "just text", "w.yaml:1:1: error: 'with' of " OWNER " must be a mapping, found a string\n" },
};

static int diags_match(const char *got, const char *want)
{
	size_t n = strlen(want);
	if (n && want[n - 1] == '*')
		return !strncmp(got, want, n - 1) && strlen(got) > n && got[strlen(got) - 1] == '\n' &&
		       !strchr(got + n - 1, '\n')[1];
	return !strcmp(got, want);
}

static void test_reject_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(reject_rows) / sizeof(reject_rows[0]); i++) {
		const struct reject_row *row = &reject_rows[i];
		struct run r;
		run(&r, row->with, NULL);
		if (r.ret != -1 || !diags_match(r.diags_text, row->diags)) {
			print_error("row %zu: '%s' returned %d with:\n%sexpected:\n%s", i, row->with, r.ret,
				    r.diags_text, row->diags);
			failed++;
		}
		/* on error nothing is handed out */
		if (r.params.n || r.params.v) {
			print_error("row %zu: params filled in despite errors\n", i);
			failed++;
		}
		run_done(&r);
	}
	assert_int_equal(failed, 0);
}

/* Errors that were already in d before the call do not make it fail. */
static void test_earlier_errors_ignored(void **state)
{
	(void)state;
	struct diags d;
	struct params out = { NULL, 0 };
	diags_init(&d);
	diag_error(&d, (struct srcpos){ NULL, 0, 0 }, "something else");
	assert_int_equal(params_from_yaml(specs + 1, NULL, (struct srcpos){ "p.yaml", 1, 1 }, NULL, OWNER,
					  &out, &d),
			 0);
	assert_int_equal(d.errors, 1);
	params_release(&out);
	diags_release(&d);
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
	(void)state;
	struct run r;
	run(&r, "name: x\nflag: true\n", NULL);
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.diags_text, "");

	/* one param per spec that has a value, in spec order */
	static const char *const order[] = { "name", "count", "flag", "wait", "mode", "codes" };
	assert_int_equal(r.params.n, sizeof(order) / sizeof(order[0]));
	for (size_t i = 0; i < r.params.n; i++)
		assert_string_equal(r.params.v[i].spec->key, order[i]);

	const struct param *p = params_get(&r.params, "name");
	assert_false(p->is_default);
	p = params_get(&r.params, "flag");
	assert_false(p->is_default);
	assert_int_equal(p->v.i, 1);

	p = params_get(&r.params, "count");
	assert_true(p->is_default);
	assert_int_equal(p->v.kind, PV_INT);
	assert_int_equal(p->v.i, 3);
	assert_null(p->v.pos.file);
	assert_int_equal(p->v.pos.line, 0);

	p = params_get(&r.params, "wait");
	assert_true(p->is_default);
	assert_int_equal(p->v.i, 60);
	assert_string_equal(p->v.s, "1m");

	p = params_get(&r.params, "mode");
	assert_true(p->is_default);
	assert_string_equal(p->v.s, "fast");

	p = params_get(&r.params, "codes");
	assert_true(p->is_default);
	assert_int_equal(p->v.kind, PV_LIST);
	assert_int_equal(p->v.n, 1);
	assert_int_equal(p->v.items[0].i, 0);

	/* no value and no default: absent */
	assert_null(params_get(&r.params, "free"));
	assert_null(params_get(&r.params, "pattern"));
	assert_null(params_get(&r.params, "items"));
	assert_null(params_get(&r.params, "env"));
	run_done(&r);
}

/* A null value counts as absent: the default applies. */
static void test_null_takes_default(void **state)
{
	(void)state;
	struct run r;
	run(&r, "name: x\ncount: ~\nwait:\n", NULL);
	assert_int_equal(r.ret, 0);
	assert_true(params_get(&r.params, "count")->is_default);
	assert_int_equal(params_get(&r.params, "count")->v.i, 3);
	assert_true(params_get(&r.params, "wait")->is_default);
	run_done(&r);
}

/* No `with` at all: a missing required parameter is reported where the caller says. */
static void test_no_with(void **state)
{
	(void)state;
	struct run r;
	run(&r, NULL, NULL);
	assert_int_equal(r.ret, -1);
	assert_string_equal(r.diags_text, "p.yaml:7:3: error: missing required parameter 'name' for " OWNER "\n");
	run_done(&r);

	/* an explicit null `with` is the same as none */
	run(&r, "~", NULL);
	assert_int_equal(r.ret, -1);
	assert_string_equal(r.diags_text, "p.yaml:7:3: error: missing required parameter 'name' for " OWNER "\n");
	run_done(&r);

	/* without required parameters, only the defaults */
	struct diags d;
	struct params out = { NULL, 0 };
	diags_init(&d);
	assert_int_equal(params_from_yaml(specs + 1, NULL, (struct srcpos){ "p.yaml", 1, 1 }, NULL, OWNER,
					  &out, &d),
			 0);
	assert_int_equal(out.n, 5);
	for (size_t i = 0; i < out.n; i++)
		assert_true(out.v[i].is_default);
	params_release(&out);
	diags_release(&d);
}

/* A spec whose default does not type is reported as an internal error. */
static void test_bad_default(void **state)
{
	(void)state;
	static const struct param_spec bad[] = {
		{ "n", PK_INT, 0, "many", "", NULL, 0, 0 },
		PARAM_END,
	};
	struct diags d;
	struct params out = { NULL, 0 };
	diags_init(&d);
	assert_int_equal(params_from_yaml(bad, NULL, (struct srcpos){ "p.yaml", 1, 1 }, NULL, OWNER, &out, &d),
			 -1);
	char *text = test_diags_text(&d);
	assert_string_equal(text, "error: internal: bad default 'many' for parameter 'n' of " OWNER "\n");
	free(text);
	diags_release(&d);
}

/* ---- ${var} substitution happens before typing ---- */

struct var_row {
	const char *with;
	const char *key;
	const char *s; /* text after substitution */
	long long i;
	const char *diags; /* NULL when accepted */
};

static const char *const test_vars[] = { "n=5", "who=web", "big=99", "secs=90s", "yes=true", NULL };

static const struct var_row var_rows[] = {
	{ "name: x\ncount: ${n}", "count", "5", 5, NULL },
	{ "name: x\ncount: '${n}'", "count", "5", 5, NULL },
	{ "name: x\nfree: ${n}${n}", "free", "55", 55, NULL },
	{ "name: ${who}-box", "name", "web-box", 0, NULL },
	{ "name: 'literal $${who}'", "name", "literal ${who}", 0, NULL },
	{ "name: x\nwait: ${secs}", "wait", "90s", 90, NULL },
	{ "name: x\nflag: ${yes}", "flag", "true", 1, NULL },
	{ "name: x\nitems: ['${who}', b]", "items", "web", 0, NULL },
	{ "name: x\nenv: {W: '${who}'}", "env", "web", 0, NULL },
	{ "name: x\ncount: ${big}", NULL, NULL, 0,
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " must be between 1 and 10, found 99\n" },
	{ "name: x\ncount: ${who}", NULL, NULL, 0,
	  "w.yaml:2:8: error: parameter 'count' of " OWNER " expects an integer, found 'web'\n" },
	{ "name: x\ncount: ${nn}", NULL, NULL, 0,
	  "w.yaml:2:8: error: undefined variable 'nn' (did you mean 'n'?)\n" },
	{ "name: a-${zzzzzz}", NULL, NULL, 0, "w.yaml:1:9: error: undefined variable 'zzzzzz'\n" },
	{ "name: '${1x}'", NULL, NULL, 0, "w.yaml:1:8: error: invalid variable reference '${1x}'\n" },
	{ "name: 'a${who'", NULL, NULL, 0,
	  "w.yaml:1:9: error: unterminated '${' (write '$${' for a literal)\n" },
};

static void test_var_substitution(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(var_rows) / sizeof(var_rows[0]); i++) {
		const struct var_row *row = &var_rows[i];
		struct run r;
		run(&r, row->with, test_vars);
		if (row->diags) {
			if (r.ret != -1 || strcmp(r.diags_text, row->diags)) {
				print_error("row %zu: '%s' returned %d with:\n%sexpected:\n%s", i, row->with, r.ret,
					    r.diags_text, row->diags);
				failed++;
			}
			run_done(&r);
			continue;
		}
		const struct param *p = r.ret == 0 ? params_get(&r.params, row->key) : NULL;
		const struct pval *v = p ? &p->v : NULL;
		if (v && (v->kind == PV_LIST || v->kind == PV_MAP))
			v = &v->items[0];
		if (!v || strcmp(v->s, row->s) || (v->kind == PV_INT && v->i != row->i) ||
		    (v->kind == PV_BOOL && v->i != row->i)) {
			print_error("row %zu: '%s' gave '%s', expected '%s' (%lld):\n%s", i, row->with,
				    v ? v->s : "(nothing)", row->s, row->i, r.diags_text);
			failed++;
		}
		run_done(&r);
	}
	assert_int_equal(failed, 0);
}

/* ---- parse_duration ---- */

struct duration_row {
	const char *s;
	int ok;
	long long secs;
};

static const struct duration_row duration_rows[] = {
	{ "90", 1, 90 },
	{ "0", 1, 0 },
	{ "90s", 1, 90 },
	{ "0s", 1, 0 },
	{ "5m", 1, 300 },
	{ "1h", 1, 3600 },
	{ "1h30m", 1, 5400 },
	{ "1h30m15s", 1, 5415 },
	{ "2d", 1, 172800 },
	{ "1d1h1m1s", 1, 90061 },
	{ "9223372036854775807", 1, LLONG_MAX },
	{ "106751991167300d", 1, 106751991167300LL * 86400 },
	{ "", 0, 0 },
	{ "5x", 0, 0 },
	{ "m", 0, 0 },
	{ "-1", 0, 0 },
	{ "-1s", 0, 0 },
	{ "1.5h", 0, 0 },
	{ "1h30", 0, 0 },
	{ "5 m", 0, 0 },
	{ "5M", 0, 0 },
	{ "h1", 0, 0 },
	{ "s", 0, 0 },
	/* overflow, of the plain number and of the sum */
	{ "9223372036854775808", 0, 0 },
	{ "99999999999999999999s", 0, 0 },
	{ "106751991167301d", 0, 0 },
	{ "106751991167300d1d", 0, 0 },
	{ "2562047788015216h", 0, 0 },
};

static void test_parse_duration(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(duration_rows) / sizeof(duration_rows[0]); i++) {
		const struct duration_row *row = &duration_rows[i];
		long long v = -42;
		int r = parse_duration(row->s, &v);
		if (row->ok ? r != 0 || v != row->secs : r == 0) {
			print_error("row %zu: '%s' -> %d, %lld; expected %s %lld\n", i, row->s, r, v,
				    row->ok ? "ok" : "error", row->secs);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_param_kind_names(void **state)
{
	(void)state;
	static const struct {
		enum param_kind k;
		const char *name;
	} rows[] = {
		{ PK_STRING, "string" },          { PK_INT, "integer" },
		{ PK_BOOL, "boolean" },           { PK_DURATION, "duration" },
		{ PK_ENUM, "choice" },            { PK_REGEX, "regex" },
		{ PK_STRING_LIST, "list of strings" }, { PK_INT_LIST, "list of integers" },
		{ PK_STRING_MAP, "mapping of strings" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strcmp(param_kind_name(rows[i].k), rows[i].name))
			fail_msg("row %zu: %s, expected %s", i, param_kind_name(rows[i].k), rows[i].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_table),
		cmocka_unit_test(test_int_list_items_typed),
		cmocka_unit_test(test_map_positions),
		cmocka_unit_test(test_reject_table),
		cmocka_unit_test(test_earlier_errors_ignored),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_takes_default),
		cmocka_unit_test(test_no_with),
		cmocka_unit_test(test_bad_default),
		cmocka_unit_test(test_var_substitution),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_param_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
