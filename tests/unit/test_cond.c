/*
 * Unit tests of lib/cond.c: parsing `when:` expressions (precedence, lists,
 * strings, numbers), rejecting bad ones at the right offset, three-valued
 * evaluation and cond_names.
 *
 * Rows marked "regression" cover engine bugs these tests found (fixed in
 * 4f865a5): `in` not splitting on newlines, a comparison of a parenthesised
 * sub-expression always unknown, and messages saying "found token".
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "strbuf.h"

/* ---- rendering a tree as an S-expression, to compare parse results ---- */

static void render(struct strbuf *sb, const struct cond *c)
{
	switch (c->op) {
	case COND_OR:
	case COND_AND:
	case COND_EQ:
	case COND_NE:
	case COND_IN:
	case COND_NOT_IN: {
		static const char *const names[] = { "or", "and", "not", "==", "!=", "in", "notin" };
		strbuf_addf(sb, "(%s ", names[c->op]);
		render(sb, c->a);
		strbuf_addch(sb, ' ');
		render(sb, c->b);
		strbuf_addch(sb, ')');
		break;
	}
	case COND_NOT:
		strbuf_addstr(sb, "(not ");
		render(sb, c->a);
		strbuf_addch(sb, ')');
		break;
	case COND_NAME:
		strbuf_addstr(sb, c->s);
		break;
	case COND_STR:
		strbuf_addf(sb, "\"%s\"", c->s);
		break;
	case COND_LIST:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < c->n; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			render(sb, c->items[i]);
		}
		strbuf_addch(sb, ']');
		break;
	}
}

static char *parse_render(const char *src, char **err, size_t *err_off)
{
	struct cond *c = NULL;
	*err = NULL;
	if (cond_parse(src, &c, err, err_off) < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	render(&sb, c);
	cond_free(c);
	return strbuf_detach(&sb);
}

/* ---- parsing ---- */

struct parse_row {
	const char *src;
	const char *tree;
};

static const struct parse_row parse_rows[] = {
	/* precedence: not > and > or, both binary operators left-associative */
	{ "a or b and c", "(or a (and b c))" },
	{ "a and b or c", "(or (and a b) c)" },
	{ "a or b or c", "(or (or a b) c)" },
	{ "a and b and c", "(and (and a b) c)" },
	{ "not a and b", "(and (not a) b)" },
	{ "not a or not b", "(or (not a) (not b))" },
	{ "not not a", "(not (not a))" },
	{ "not x == 'a'", "(not (== x \"a\"))" },
	{ "a == b and c != d or e", "(or (and (== a b) (!= c d)) e)" },
	/* parentheses */
	{ "(a or b) and c", "(and (or a b) c)" },
	{ "a and (b or c)", "(and a (or b c))" },
	{ "not (a or b)", "(not (or a b))" },
	{ "(((a)))", "a" },
	{ "(a) == 'x'", "(== a \"x\")" },
	/* strings in both quote kinds, each may hold the other quote */
	{ "os.family == \"debian\"", "(== os.family \"debian\")" },
	{ "os.family == 'debian'", "(== os.family \"debian\")" },
	{ "x == 'say \"hi\"'", "(== x \"say \"hi\"\")" },
	{ "x == \"it's\"", "(== x \"it's\")" },
	{ "x == ''", "(== x \"\")" },
	{ "'a b' != x", "(!= \"a b\" x)" },
	/* numbers are strings */
	{ "os.version_id == 22.04", "(== os.version_id \"22.04\")" },
	{ "n == 12", "(== n \"12\")" },
	{ "true", "\"true\"" },
	{ "x == false", "(== x \"false\")" },
	/* in / not in, with lists and names */
	{ "x in [\"a\", 'b', 3]", "(in x [\"a\", \"b\", \"3\"])" },
	{ "x not in [a, b]", "(notin x [a, b])" },
	{ "x in []", "(in x [])" },
	{ "x in [true]", "(in x [\"true\"])" },
	{ "'debian' in os.id_like", "(in \"debian\" os.id_like)" },
	{ "x not in y", "(notin x y)" },
	{ "not x in [a] and y", "(and (not (in x [a])) y)" },
	/* names and whitespace */
	{ "vars.enabled", "vars.enabled" },
	{ "x-y.z_1 == A_b", "(== x-y.z_1 A_b)" },
	{ "a\n and\tb\r\n", "(and a b)" },
	{ "  a  ", "a" },
};

static void test_parse_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		const struct parse_row *row = &parse_rows[i];
		char *err = NULL;
		size_t off = 0;
		char *got = parse_render(row->src, &err, &off);
		if (!got) {
			print_error("row %zu: '%s' rejected at %zu: %s\n", i, row->src, off, err);
			failed++;
		} else if (strcmp(got, row->tree)) {
			print_error("row %zu: '%s' parsed as %s, expected %s\n", i, row->src, got,
				    row->tree);
			failed++;
		}
		free(got);
		free(err);
	}
	assert_int_equal(failed, 0);
}

struct reject_row {
	const char *src;
	size_t off;
	const char *msg;
};

static const struct reject_row reject_rows[] = {
	/* empty */
	{ "", 0, "empty condition" },
	{ "   ", 0, "empty condition" },
	/* dangling operators */
	{ "a and", 5, "expected a name, a string or '(', found end of expression" },
	{ "a or", 4, "expected a name, a string or '(', found end of expression" },
	{ "a ==", 4, "expected a name, a string or '(', found end of expression" },
	{ "a != ", 5, "expected a name, a string or '(', found end of expression" },
	{ "not", 3, "expected a name, a string or '(', found end of expression" },
	{ "and a", 0, "expected a name, a string or '(', found 'and'" },
	{ "a or or b", 5, "expected a name, a string or '(', found 'or'" },
	{ "a == == b", 5, "expected a name, a string or '(', found '=='" },
	{ "x in", 4, "expected a list or a name after 'in', found end of expression" },
	{ "x not", 5, "expected 'in' after 'not', found end of expression" },
	{ "x not y", 6, "expected 'in' after 'not', found a name" },            /* regression */
	{ "x in \"a\"", 5, "expected a list or a name after 'in', found a value" }, /* regression */
	{ "x in 5", 5, "expected a list or a name after 'in', found a value" },
	{ "x in (y)", 5, "expected a list or a name after 'in', found '('" },
	/* parentheses */
	{ "(a or b", 0, "unclosed '('" },
	{ "x and (a or b", 6, "unclosed '('" },
	{ "((a)", 0, "unclosed '('" },
	{ "()", 1, "expected a name, a string or '(', found ')'" },
	{ "(a b)", 3, "expected ')', found a name" },                          /* regression */
	{ "(a 'b')", 3, "expected ')', found a value" },                       /* regression */
	{ "[a]", 0, "expected a name, a string or '(', found '['" },
	{ "x == [a]", 5, "expected a name, a string or '(', found '['" },
	{ "a )", 2, "unmatched ')'" },
	{ "(a))", 3, "unmatched ')'" },
	/* operators from other languages */
	{ "a = b", 2, "unexpected '=' (use '==' to compare)" },
	{ "os.family = 'debian'", 10, "unexpected '=' (use '==' to compare)" },
	{ "a && b", 2, "unexpected '&' (use 'and' / 'or')" },
	{ "a || b", 2, "unexpected '|' (use 'and' / 'or')" },
	{ "a == $x", 5, "unexpected character '$'" },
	{ "a == -1", 5, "unexpected character '-'" },
	{ "!a", 0, "unexpected character '!'" },
	/* unterminated strings */
	{ "x == \"abc", 5, "unterminated string" },
	{ "x == 'abc", 5, "unterminated string" },
	{ "x == 'abc\"", 5, "unterminated string" },
	/* trailing tokens */
	{ "a b", 2, "unexpected 'b' (missing 'and' or 'or'?)" },
	{ "a == b c", 7, "unexpected 'c' (missing 'and' or 'or'?)" },
	{ "a == 'x' 'y'", 9, "unexpected 'y' (missing 'and' or 'or'?)" },
	{ "a not in [b] c", 13, "unexpected 'c' (missing 'and' or 'or'?)" },
	{ "a == b not", 7, "unexpected 'not' (missing 'and' or 'or'?)" },
	{ "a ]", 2, "unexpected ']' (missing 'and' or 'or'?)" },
	/* lists */
	{ "x in [a,", 8, "expected a value in the list, found end of expression" },
	{ "x in [a,]", 8, "expected a value in the list, found ']'" },
	{ "x in [a", 7, "expected ',' or ']' in the list, found end of expression" },
	{ "x in [,]", 6, "expected a value in the list, found ','" },
	{ "x in [a b]", 8, "expected ',' or ']' in the list, found a name" },  /* regression */
	{ "x in [(a)]", 6, "expected a value in the list, found '('" },       /* regression */
};

static void test_reject_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(reject_rows) / sizeof(reject_rows[0]); i++) {
		const struct reject_row *row = &reject_rows[i];
		char *err = NULL;
		size_t off = 12345;
		char *got = parse_render(row->src, &err, &off);
		if (got) {
			print_error("row %zu: '%s' accepted as %s\n", i, row->src, got);
			failed++;
		} else if (!err || strcmp(err, row->msg) || off != row->off) {
			print_error("row %zu: '%s': got '%s' at %zu, expected '%s' at %zu\n", i, row->src,
				    err ? err : "(null)", off, row->msg, row->off);
			failed++;
		}
		free(got);
		free(err);
	}
	assert_int_equal(failed, 0);
}

/* Nesting is bounded (32 levels of parentheses or `not`); exactly 32 is fine. */
static void test_nesting_limit(void **state)
{
	(void)state;
	struct strbuf ok = STRBUF_INIT, deep = STRBUF_INIT, nots = STRBUF_INIT;
	for (int i = 0; i < 32; i++)
		strbuf_addch(&ok, '(');
	strbuf_addch(&ok, 'a');
	for (int i = 0; i < 32; i++)
		strbuf_addch(&ok, ')');
	for (int i = 0; i < 33; i++)
		strbuf_addch(&deep, '(');
	strbuf_addch(&deep, 'a');
	for (int i = 0; i < 33; i++)
		strbuf_addch(&deep, ')');
	for (int i = 0; i < 33; i++)
		strbuf_addstr(&nots, "not ");
	strbuf_addch(&nots, 'a');

	char *err = NULL;
	size_t off = 0;
	char *got = parse_render(ok.buf, &err, &off);
	assert_non_null(got);
	assert_string_equal(got, "a");
	free(got);

	got = parse_render(deep.buf, &err, &off);
	assert_null(got);
	assert_string_equal(err, "expression nested too deeply");
	assert_int_equal(off, 32);
	free(err);

	got = parse_render(nots.buf, &err, &off);
	assert_null(got);
	assert_string_equal(err, "expression nested too deeply");
	assert_int_equal(off, 32 * 4);
	free(err);

	strbuf_release(&ok);
	strbuf_release(&deep);
	strbuf_release(&nots);
}

/* Operator nodes carry the offset of their operator, leaves their own start. */
static void test_node_offsets(void **state)
{
	(void)state;
	struct cond *c = NULL;
	char *err = NULL;
	size_t off = 0;
	/*                    0123456789012345678901 */
	assert_int_equal(cond_parse("a == 'x' or not b", &c, &err, &off), 0);
	assert_int_equal(c->op, COND_OR);
	assert_int_equal(c->off, 9);
	assert_int_equal(c->a->op, COND_EQ);
	assert_int_equal(c->a->off, 2);
	assert_int_equal(c->a->a->off, 0);
	assert_int_equal(c->a->b->off, 5);
	assert_int_equal(c->b->op, COND_NOT);
	assert_int_equal(c->b->off, 12);
	assert_int_equal(c->b->a->off, 16);
	cond_free(c);
}

/* ---- evaluation ---- */

struct fact {
	const char *name, *value;
};

static const struct fact facts[] = {
	{ "os.family", "debian" },
	{ "os.id_like", "rhel fedora" },
	{ "spaced", "  a \t b  " },
	{ "t", "true" },
	{ "f", "false" },
	{ "n", "12" },
	{ "empty", "" },
	{ "vars.mode", "strict" },
	{ "vars.pkgs", "curl\nwget\r\nssh\n" }, /* a YAML block scalar: one item a line */
	{ NULL, NULL },
};

static int lookups;

static const char *lookup(const char *name, void *arg)
{
	const struct fact *tab = arg;
	lookups++;
	for (size_t i = 0; tab[i].name; i++)
		if (!strcmp(tab[i].name, name))
			return tab[i].value;
	return NULL; /* not known (yet) */
}

static const char *tri_name(enum tri t)
{
	return t == TRI_TRUE ? "true" : t == TRI_FALSE ? "false" : "unknown";
}

static enum tri eval_src(const char *src, const struct fact *tab, int *ok)
{
	struct cond *c = NULL;
	char *err = NULL;
	size_t off = 0;
	if (cond_parse(src, &c, &err, &off) < 0) {
		print_error("'%s' does not parse: %s at %zu\n", src, err, off);
		free(err);
		*ok = 0;
		return TRI_UNKNOWN;
	}
	*ok = 1;
	enum tri t = cond_eval(c, lookup, (void *)tab);
	cond_free(c);
	return t;
}

struct eval_row {
	const char *src;
	enum tri want;
};

static const struct eval_row eval_rows[] = {
	/* comparisons */
	{ "os.family == 'debian'", TRI_TRUE },
	{ "os.family == \"rhel\"", TRI_FALSE },
	{ "os.family != 'debian'", TRI_FALSE },
	{ "os.family != 'rhel'", TRI_TRUE },
	{ "'debian' == os.family", TRI_TRUE },
	{ "n == 12", TRI_TRUE },
	{ "n == 12.0", TRI_FALSE },
	{ "empty == ''", TRI_TRUE },
	{ "vars.mode == 'strict'", TRI_TRUE },
	{ "u == 'x'", TRI_UNKNOWN },
	{ "u != 'x'", TRI_UNKNOWN },
	{ "u == u", TRI_UNKNOWN },
	/* bare names are booleans: true only when the value is "true" */
	{ "t", TRI_TRUE },
	{ "f", TRI_FALSE },
	{ "n", TRI_FALSE },
	{ "empty", TRI_FALSE },
	{ "os.family", TRI_FALSE },
	{ "u", TRI_UNKNOWN },
	{ "true", TRI_TRUE },
	{ "false", TRI_FALSE },
	{ "'true'", TRI_TRUE },
	{ "1", TRI_FALSE },
	/* not */
	{ "not t", TRI_FALSE },
	{ "not f", TRI_TRUE },
	{ "not u", TRI_UNKNOWN },
	{ "not not u", TRI_UNKNOWN },
	/* or: true decides, unknown otherwise wins over false */
	{ "u or t", TRI_TRUE },
	{ "t or u", TRI_TRUE },
	{ "u or true", TRI_TRUE },
	{ "u or f", TRI_UNKNOWN },
	{ "f or u", TRI_UNKNOWN },
	{ "u or u2", TRI_UNKNOWN },
	{ "f or f", TRI_FALSE },
	/* and: false decides, unknown otherwise wins over true */
	{ "u and f", TRI_FALSE },
	{ "u and false", TRI_FALSE },
	{ "f and u", TRI_FALSE },
	{ "u and t", TRI_UNKNOWN },
	{ "t and u", TRI_UNKNOWN },
	{ "t and t", TRI_TRUE },
	{ "not (u and f)", TRI_TRUE },
	{ "not (u or t)", TRI_FALSE },
	{ "(u or t) and (u and f or t)", TRI_TRUE },
	{ "vars.mode == 'strict' and os.family == 'debian'", TRI_TRUE },
	{ "vars.mode == 'lax' and u == 'x'", TRI_FALSE },
	{ "vars.mode == 'strict' and u == 'x'", TRI_UNKNOWN },
	/* in / not in over lists */
	{ "os.family in ['debian', 'ubuntu']", TRI_TRUE },
	{ "os.family in ['rhel']", TRI_FALSE },
	{ "os.family in []", TRI_FALSE },
	{ "os.family not in ['rhel']", TRI_TRUE },
	{ "os.family not in ['debian']", TRI_FALSE },
	{ "os.family in [os.family]", TRI_TRUE },
	{ "n in [1, 12]", TRI_TRUE },
	{ "u in ['a']", TRI_UNKNOWN },
	{ "u not in ['a']", TRI_UNKNOWN },
	{ "os.family in [u, 'debian']", TRI_TRUE },
	{ "os.family in ['debian', u]", TRI_TRUE },
	{ "os.family in [u, 'x']", TRI_UNKNOWN },
	{ "os.family not in [u, 'x']", TRI_UNKNOWN },
	{ "os.family not in [u, 'debian']", TRI_FALSE },
	/* in / not in over a whitespace-separated name value */
	{ "'fedora' in os.id_like", TRI_TRUE },
	{ "'rhel' in os.id_like", TRI_TRUE },
	{ "'fed' in os.id_like", TRI_FALSE },
	{ "'rhel fedora' in os.id_like", TRI_FALSE },
	{ "'' in os.id_like", TRI_FALSE },
	{ "'debian' in os.id_like", TRI_FALSE },
	{ "'debian' not in os.id_like", TRI_TRUE },
	{ "'fedora' not in os.id_like", TRI_FALSE },
	{ "'a' in spaced", TRI_TRUE },
	{ "'b' in spaced", TRI_TRUE },
	{ "'a' in empty", TRI_FALSE },
	{ "'x' in u", TRI_UNKNOWN },
	{ "'x' not in u", TRI_UNKNOWN },
	{ "u in os.id_like", TRI_UNKNOWN },
	/* regression: a name's value is split on every kind of whitespace */
	{ "'wget' in vars.pkgs", TRI_TRUE },
	{ "'ssh' in vars.pkgs", TRI_TRUE },
	{ "'curl' not in vars.pkgs", TRI_FALSE },
	{ "'get' in vars.pkgs", TRI_FALSE },
	/* regression: a parenthesised sub-expression compares as "true" / "false" */
	{ "(os.family == 'debian') == 'true'", TRI_TRUE },
	{ "(os.family == 'debian') == true", TRI_TRUE },
	{ "(os.family == 'rhel') != 'false'", TRI_FALSE },
	{ "(t and f) == 'false'", TRI_TRUE },
	{ "(t or u) in ['true']", TRI_TRUE },
	{ "(u == 'x') == 'true'", TRI_UNKNOWN },
	{ "(u and f) == 'false'", TRI_TRUE },
};

static void test_eval_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(eval_rows) / sizeof(eval_rows[0]); i++) {
		int ok;
		enum tri got = eval_src(eval_rows[i].src, facts, &ok);
		if (!ok || got != eval_rows[i].want) {
			print_error("row %zu: '%s' is %s, expected %s\n", i, eval_rows[i].src,
				    tri_name(got), tri_name(eval_rows[i].want));
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* `or` stops at a true left side and `and` at a false one. */
static void test_eval_short_circuit(void **state)
{
	(void)state;
	int ok;
	lookups = 0;
	assert_int_equal(eval_src("t or u", facts, &ok), TRI_TRUE);
	assert_int_equal(lookups, 1);
	lookups = 0;
	assert_int_equal(eval_src("f and u", facts, &ok), TRI_FALSE);
	assert_int_equal(lookups, 1);
	lookups = 0;
	assert_int_equal(eval_src("os.family in ['debian', u, u2]", facts, &ok), TRI_TRUE);
	assert_int_equal(lookups, 1);
}

/* With nothing known, anything that names a fact is undecided. */
static void test_eval_nothing_known(void **state)
{
	(void)state;
	static const struct fact none[] = { { NULL, NULL } };
	static const char *const srcs[] = {
		"os.family == 'debian'", "a and b", "a or b", "not a", "a in [1]", "'x' in a",
	};
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		int ok;
		enum tri t = eval_src(srcs[i], none, &ok);
		if (t != TRI_UNKNOWN)
			fail_msg("row %zu: '%s' is %s with no facts known", i, srcs[i], tri_name(t));
	}
	int ok;
	assert_int_equal(eval_src("true or a", none, &ok), TRI_TRUE);
	assert_int_equal(eval_src("false and a", none, &ok), TRI_FALSE);
}

/* ---- cond_names ---- */

struct seen {
	char names[16][32];
	size_t offs[16];
	size_t n;
};

static void collect(const char *name, size_t off, void *arg)
{
	struct seen *s = arg;
	if (s->n < 16) {
		snprintf(s->names[s->n], sizeof(s->names[s->n]), "%s", name);
		s->offs[s->n] = off;
	}
	s->n++;
}

static void test_names(void **state)
{
	(void)state;
	/*                 0         1         2         3         4         5
	 *                 012345678901234567890123456789012345678901234567890123 */
	const char *src = "a == 'x' or (b in [c, 'd', e]) and not f != g.h or 'z' in i";
	static const struct {
		const char *name;
		size_t off;
	} want[] = {
		{ "a", 0 }, { "b", 13 }, { "c", 19 }, { "e", 27 }, { "f", 39 }, { "g.h", 44 }, { "i", 58 },
	};
	struct cond *c = NULL;
	char *err = NULL;
	size_t off = 0;
	struct seen s;
	memset(&s, 0, sizeof(s));

	assert_int_equal(cond_parse(src, &c, &err, &off), 0);
	cond_names(c, collect, &s);
	cond_free(c);
	assert_int_equal(s.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s.n; i++) {
		if (strcmp(s.names[i], want[i].name) || s.offs[i] != want[i].off)
			fail_msg("name %zu: got %s at %zu, expected %s at %zu", i, s.names[i], s.offs[i],
				 want[i].name, want[i].off);
		/* the offset points at the name in the source */
		assert_memory_equal(src + s.offs[i], want[i].name, strlen(want[i].name));
	}
}

/* Literals (true, false, strings, numbers) are not names. */
static void test_names_skips_literals(void **state)
{
	(void)state;
	struct cond *c = NULL;
	char *err = NULL;
	size_t off = 0;
	struct seen s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(cond_parse("true or 'x' == 12 or false in [1, 'y']", &c, &err, &off), 0);
	cond_names(c, collect, &s);
	cond_free(c);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_reject_table),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_node_offsets),
		cmocka_unit_test(test_eval_table),
		cmocka_unit_test(test_eval_short_circuit),
		cmocka_unit_test(test_eval_nothing_known),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_skips_literals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
