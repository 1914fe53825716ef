/*
 * Unit tests of lib/ytree.c: positions, scalar styles, what the tree adds to
 * libyaml (duplicate keys, anchors and merge keys, tabs, several documents,
 * limits for hostile input) and ynode_pos_at.
 *
 * Rows and tests marked "regression" cover engine bugs these tests found
 * (fixed in 4f865a5): wrong columns from ynode_pos_at for escapes, anchors and
 * tags, and a linear anchor lookup that made many aliases quadratic.
 *
 * Tests whose name starts with "engine_bug_" show an engine bug that is
 * reported to the lead: they fail until lib/ytree.c is fixed.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "ytree.h"

#define FILE_NAME "t.yaml"

/* Parse src; the caller frees *doc and releases *d. */
static int parse(const char *src, struct ydoc **doc, struct diags *d)
{
	diags_init(d);
	return ytree_parse(FILE_NAME, src, strlen(src), doc, d);
}

/*
 * The node at path below root: segments separated by '/', a number indexes a
 * sequence, anything else is a mapping key; a final "!" asks for the key node
 * of the last segment instead of its value. NULL when there is none.
 */
static const struct ynode *node_at(const struct ynode *root, const char *path)
{
	const struct ynode *n = root;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	size_t len = strlen(buf);
	int want_key = len && buf[len - 1] == '!';
	if (want_key)
		buf[--len] = '\0';
	char *save = NULL;
	for (char *seg = strtok_r(buf, "/", &save); seg && n; seg = strtok_r(NULL, "/", &save)) {
		if (n->kind == YNODE_SEQ) {
			size_t i = (size_t)strtoul(seg, NULL, 10);
			n = i < n->n ? n->vals[i] : NULL;
		} else if (n->kind == YNODE_MAP) {
			const struct ynode *found = NULL;
			for (size_t i = 0; i < n->n; i++) {
				if (!strcmp(n->keys[i]->str, seg)) {
					found = want_key && !save[0] ? n->keys[i] : n->vals[i];
					break;
				}
			}
			n = found;
		} else {
			n = NULL;
		}
	}
	return n;
}

/* ---- positions ---- */

struct pos_row {
	const char *src;
	const char *path;
	enum ynode_kind kind;
	int line, col;
};

static const char block_doc[] = "name: x\n"
				"list:\n"
				"  - a\n"
				"  - b: 1\n"
				"    c:   'q'\n"
				"text: |\n"
				"  hello\n"
				"\n"
				"nested:\n"
				"    deep:\n"
				"        - [1, {k: v}]\n";

static const char flow_doc[] = "f: [1, {k: v}, [x, y]]\n"
			       "m: {a: 1,\n"
			       "    b: [z]}\n";

static const struct pos_row pos_rows[] = {
	{ block_doc, "", YNODE_MAP, 1, 1 },
	{ block_doc, "name!", YNODE_SCALAR, 1, 1 },
	{ block_doc, "name", YNODE_SCALAR, 1, 7 },
	{ block_doc, "list!", YNODE_SCALAR, 2, 1 },
	{ block_doc, "list", YNODE_SEQ, 3, 3 },
	{ block_doc, "list/0", YNODE_SCALAR, 3, 5 },
	{ block_doc, "list/1", YNODE_MAP, 4, 5 },
	{ block_doc, "list/1/b!", YNODE_SCALAR, 4, 5 },
	{ block_doc, "list/1/b", YNODE_SCALAR, 4, 8 },
	{ block_doc, "list/1/c!", YNODE_SCALAR, 5, 5 },
	{ block_doc, "list/1/c", YNODE_SCALAR, 5, 10 },
	{ block_doc, "text", YNODE_SCALAR, 6, 7 },
	{ block_doc, "nested!", YNODE_SCALAR, 9, 1 },
	{ block_doc, "nested/deep!", YNODE_SCALAR, 10, 5 },
	{ block_doc, "nested/deep", YNODE_SEQ, 11, 9 },
	{ block_doc, "nested/deep/0", YNODE_SEQ, 11, 11 },
	{ block_doc, "nested/deep/0/0", YNODE_SCALAR, 11, 12 },
	{ block_doc, "nested/deep/0/1", YNODE_MAP, 11, 15 },
	{ block_doc, "nested/deep/0/1/k!", YNODE_SCALAR, 11, 16 },
	{ block_doc, "nested/deep/0/1/k", YNODE_SCALAR, 11, 19 },
	{ flow_doc, "f", YNODE_SEQ, 1, 4 },
	{ flow_doc, "f/0", YNODE_SCALAR, 1, 5 },
	{ flow_doc, "f/1", YNODE_MAP, 1, 8 },
	{ flow_doc, "f/1/k!", YNODE_SCALAR, 1, 9 },
	{ flow_doc, "f/1/k", YNODE_SCALAR, 1, 12 },
	{ flow_doc, "f/2", YNODE_SEQ, 1, 16 },
	{ flow_doc, "f/2/1", YNODE_SCALAR, 1, 20 },
	{ flow_doc, "m", YNODE_MAP, 2, 4 },
	{ flow_doc, "m/a", YNODE_SCALAR, 2, 8 },
	{ flow_doc, "m/b!", YNODE_SCALAR, 3, 5 },
	{ flow_doc, "m/b", YNODE_SEQ, 3, 8 },
	{ flow_doc, "m/b/0", YNODE_SCALAR, 3, 9 },
};

static void test_positions(void **state)
{
	(void)state;
	int failed = 0;
	struct ydoc *docs[2] = { NULL, NULL };
	struct diags d;
	assert_int_equal(parse(block_doc, &docs[0], &d), 0);
	assert_int_equal(d.n, 0);
	diags_release(&d);
	assert_int_equal(parse(flow_doc, &docs[1], &d), 0);
	assert_int_equal(d.n, 0);
	diags_release(&d);

	for (size_t i = 0; i < sizeof(pos_rows) / sizeof(pos_rows[0]); i++) {
		const struct pos_row *row = &pos_rows[i];
		const struct ydoc *doc = docs[row->src == flow_doc];
		const struct ynode *n = node_at(doc->root, row->path);
		if (!n) {
			print_error("row %zu: no node at '%s'\n", i, row->path);
			failed++;
			continue;
		}
		if (n->kind != row->kind || n->pos.line != row->line || n->pos.col != row->col ||
		    strcmp(n->pos.file, FILE_NAME)) {
			print_error("row %zu: '%s' is %s at %s:%d:%d, expected %d at %d:%d\n", i, row->path,
				    ynode_kind_name(n), n->pos.file, n->pos.line, n->pos.col, (int)row->kind,
				    row->line, row->col);
			failed++;
		}
	}
	ydoc_free(docs[0]);
	ydoc_free(docs[1]);
	assert_int_equal(failed, 0);
}

/* Nodes record their nesting depth (0 for the root collection). */
static void test_depth_recorded(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("a:\n  b:\n    - [x]\n", &doc, &d), 0);
	assert_int_equal(doc->root->depth, 0);
	assert_int_equal(node_at(doc->root, "a")->depth, 1);
	assert_int_equal(node_at(doc->root, "a/b")->depth, 2);
	assert_int_equal(node_at(doc->root, "a/b/0")->depth, 3);
	ydoc_free(doc);
	diags_release(&d);
}

/* ---- scalar styles and null ---- */

struct style_row {
	const char *src; /* a mapping with one key, v */
	enum ynode_style style;
	int is_null;
	const char *str;
	int str_tag;
};

static const struct style_row style_rows[] = {
	{ "v: x", YSTYLE_PLAIN, 0, "x" },
	{ "v: two words", YSTYLE_PLAIN, 0, "two words" },
	{ "v: 'x'", YSTYLE_QUOTED, 0, "x" },
	{ "v: \"x\"", YSTYLE_QUOTED, 0, "x" },
	{ "v: 'it''s'", YSTYLE_QUOTED, 0, "it's" },
	{ "v: \"a\\tb\"", YSTYLE_QUOTED, 0, "a\tb" },
	{ "v: |\n  x\n  y\n", YSTYLE_BLOCK, 0, "x\ny\n" },
	{ "v: |-\n  x\n", YSTYLE_BLOCK, 0, "x" },
	{ "v: >\n  a\n  b\n", YSTYLE_BLOCK, 0, "a b\n" },
	{ "v: |\n\n", YSTYLE_BLOCK, 0, "" },
	{ "v:", YSTYLE_PLAIN, 1, "" },
	{ "v: ~", YSTYLE_PLAIN, 1, "~" },
	{ "v: null", YSTYLE_PLAIN, 1, "null" },
	{ "v: Null", YSTYLE_PLAIN, 1, "Null" },
	{ "v: NULL", YSTYLE_PLAIN, 1, "NULL" },
	{ "v: nUll", YSTYLE_PLAIN, 0, "nUll" },
	{ "v: nil", YSTYLE_PLAIN, 0, "nil" },
	{ "v: ''", YSTYLE_QUOTED, 0, "" },
	{ "v: \"\"", YSTYLE_QUOTED, 0, "" },
	{ "v: 'null'", YSTYLE_QUOTED, 0, "null" },
	{ "v: \"~\"", YSTYLE_QUOTED, 0, "~" },
	/* an explicit !!str tag makes a plain scalar a string, never null */
	{ "v: !!str null", YSTYLE_PLAIN, 0, "null", 1 },
	{ "v: !!str", YSTYLE_PLAIN, 0, "", 1 },
	{ "v: !!str ~", YSTYLE_PLAIN, 0, "~", 1 },
	{ "v: !!str 'x'", YSTYLE_QUOTED, 0, "x", 0 },
	{ "v: !custom null", YSTYLE_PLAIN, 1, "null", 0 },
};

static void test_styles_and_null(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(style_rows) / sizeof(style_rows[0]); i++) {
		const struct style_row *row = &style_rows[i];
		struct ydoc *doc = NULL;
		struct diags d;
		int r = parse(row->src, &doc, &d);
		const struct ynode *v = r == 0 ? ynode_map_get(doc->root, "v") : NULL;
		if (!v || d.n) {
			print_error("row %zu: '%s' did not parse into v (%zu diagnostics)\n", i, row->src, d.n);
			failed++;
		} else if (v->kind != YNODE_SCALAR || v->style != row->style ||
			   ynode_is_null(v) != row->is_null || strcmp(v->str, row->str) ||
			   v->len != strlen(row->str) || v->str_tag != row->str_tag) {
			print_error("row %zu: '%s': style %d null %d '%s' (len %zu) str_tag %d, expected style %d null %d '%s' str_tag %d\n",
				    i, row->src, (int)v->style, ynode_is_null(v), v->str, v->len, v->str_tag,
				    (int)row->style, row->is_null, row->str, row->str_tag);
			failed++;
		}
		ydoc_free(doc);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

static void test_kind_names_and_map_get(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("s: x\nq: [1]\nm: {a: b}\nn: ~\n", &doc, &d), 0);
	assert_string_equal(ynode_kind_name(ynode_map_get(doc->root, "s")), "a string");
	assert_string_equal(ynode_kind_name(ynode_map_get(doc->root, "q")), "a list");
	assert_string_equal(ynode_kind_name(ynode_map_get(doc->root, "m")), "a mapping");
	assert_string_equal(ynode_kind_name(ynode_map_get(doc->root, "n")), "null");
	assert_string_equal(ynode_kind_name(NULL), "nothing");
	assert_null(ynode_map_get(doc->root, "missing"));
	assert_null(ynode_map_get(ynode_map_get(doc->root, "q"), "0"));
	assert_null(ynode_map_get(NULL, "s"));
	/* collections are never null */
	assert_false(ynode_is_null(ynode_map_get(doc->root, "q")));
	assert_false(ynode_is_null(doc->root));
	ydoc_free(doc);
	diags_release(&d);
}

static void test_empty_document(void **state)
{
	(void)state;
	static const char *const srcs[] = { "", "\n", "# only a comment\n", "---\n" };
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct ydoc *doc = NULL;
		struct diags d;
		int r = parse(srcs[i], &doc, &d);
		if (r != 0 || !doc || d.n)
			fail_msg("row %zu: r=%d doc=%p diagnostics=%zu", i, r, (void *)doc, d.n);
		/* "---" alone is a document holding one null scalar */
		if (i < 3)
			assert_null(doc->root);
		else
			assert_true(doc->root && ynode_is_null(doc->root));
		ydoc_free(doc);
		diags_release(&d);
	}
}

/* ---- duplicate keys: reported, and the tree is still returned ---- */

struct dup_row {
	const char *src;
	const char *diag;
	const char *path; /* the mapping holding both keys */
	size_t n;         /* its pairs: both are kept */
	const char *first_value;
};

static const struct dup_row dup_rows[] = {
	{ "k: 1\nk: 2\n", FILE_NAME ":2:1: error: duplicate key 'k' (first defined at line 1, column 1)",
	  "", 2, "1" },
	{ "a:\n  b: 1\n  c: 0\n  b: 2\n",
	  FILE_NAME ":4:3: error: duplicate key 'b' (first defined at line 2, column 3)", "a", 3, "1" },
	{ "l:\n  - x: 1\n    x: 2\n",
	  FILE_NAME ":3:5: error: duplicate key 'x' (first defined at line 2, column 5)", "l/0", 2, "1" },
	{ "{a: 1, a: 2}", FILE_NAME ":1:8: error: duplicate key 'a' (first defined at line 1, column 2)",
	  "", 2, "1" },
	{ "m: {x: [1], y: 0, x: 3}\n",
	  FILE_NAME ":1:19: error: duplicate key 'x' (first defined at line 1, column 5)", "m", 3, NULL },
	/* the same key however it is quoted */
	{ "k: 1\n'k': 2\n", FILE_NAME ":2:1: error: duplicate key 'k' (first defined at line 1, column 1)",
	  "", 2, "1" },
};

static void test_duplicate_keys(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(dup_rows) / sizeof(dup_rows[0]); i++) {
		const struct dup_row *row = &dup_rows[i];
		struct ydoc *doc = NULL;
		struct diags d;
		int r = parse(row->src, &doc, &d);
		char *text = test_diags_text(&d);
		char *want = xasprintf("%s\n", row->diag);
		const struct ynode *m = doc ? node_at(doc->root, row->path) : NULL;
		if (r != 0 || !doc || d.errors != 1 || strcmp(text, want)) {
			print_error("row %zu: r=%d doc=%p diagnostics:\n%sexpected:\n%s", i, r, (void *)doc,
				    text, want);
			failed++;
		} else if (!m || m->kind != YNODE_MAP || m->n != row->n) {
			print_error("row %zu: mapping at '%s' has %zu pairs, expected %zu\n", i, row->path,
				    m ? m->n : 0, row->n);
			failed++;
		} else if (row->first_value &&
			   strcmp(ynode_map_get(m, m->keys[0]->str)->str, row->first_value)) {
			print_error("row %zu: lookup does not find the first value\n", i);
			failed++;
		}
		free(text);
		free(want);
		ydoc_free(doc);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

/* The same key in different mappings is no duplicate. */
static void test_same_key_elsewhere_is_fine(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("a: {k: 1}\nb: {k: 2}\nl: [{k: 1}, {k: 2}]\n", &doc, &d), 0);
	assert_int_equal(d.n, 0);
	ydoc_free(doc);
	diags_release(&d);
}

/* ---- anchors, aliases, merge keys ---- */

static void test_aliases_are_shared(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("base: &b {x: 1, y: [2]}\n"
			       "copy: *b\n"
			       "items:\n"
			       "  - &one 1\n"
			       "  - *one\n"
			       "  - *b\n",
			       &doc, &d),
			 0);
	assert_int_equal(d.n, 0);
	const struct ynode *base = node_at(doc->root, "base");
	assert_ptr_equal(node_at(doc->root, "copy"), base);
	assert_ptr_equal(node_at(doc->root, "items/2"), base);
	assert_ptr_equal(node_at(doc->root, "items/0"), node_at(doc->root, "items/1"));
	assert_string_equal(node_at(doc->root, "items/1")->str, "1");
	assert_string_equal(node_at(doc->root, "copy/x")->str, "1");
	ydoc_free(doc);
	diags_release(&d);
}

/* A later anchor of the same name wins for the aliases after it. */
static void test_anchor_redefined(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n", &doc, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(node_at(doc->root, "b")->str, "1");
	assert_string_equal(node_at(doc->root, "d")->str, "2");
	ydoc_free(doc);
	diags_release(&d);
}

static void test_merge_keys(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("base: &b {x: 1, y: 2}\n"
			       "more: &m {y: 20, z: 30}\n"
			       "one:\n"
			       "  <<: *b\n"
			       "  x: 9\n"
			       "two:\n"
			       "  w: 0\n"
			       "  <<: [*m, *b]\n",
			       &doc, &d),
			 0);
	assert_int_equal(d.n, 0);

	/* explicit keys win over merged ones; the '<<' key itself is gone */
	const struct ynode *one = node_at(doc->root, "one");
	assert_int_equal(one->n, 2);
	assert_string_equal(one->keys[0]->str, "x");
	assert_string_equal(one->vals[0]->str, "9");
	assert_string_equal(one->keys[1]->str, "y");
	assert_string_equal(one->vals[1]->str, "2");
	assert_null(ynode_map_get(one, "<<"));

	/* in a list of merges, the earlier mapping wins */
	const struct ynode *two = node_at(doc->root, "two");
	assert_int_equal(two->n, 4);
	assert_string_equal(ynode_map_get(two, "w")->str, "0");
	assert_string_equal(ynode_map_get(two, "y")->str, "20");
	assert_string_equal(ynode_map_get(two, "z")->str, "30");
	assert_string_equal(ynode_map_get(two, "x")->str, "1");

	/* the sources are untouched */
	assert_int_equal(node_at(doc->root, "base")->n, 2);
	assert_string_equal(node_at(doc->root, "base/x")->str, "1");
	ydoc_free(doc);
	diags_release(&d);
}

struct bad_merge_row {
	const char *src;
	const char *diag;
};

static const struct bad_merge_row bad_merge_rows[] = {
	{ "m:\n  <<: 1\n",
	  FILE_NAME ":2:7: error: merge key '<<' needs a mapping or a list of mappings, found a string" },
	{ "m:\n  <<: [{a: 1}, [2]]\n", FILE_NAME ":2:16: error: merge key '<<' needs mappings, found a list" },
};

static void test_bad_merge(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(bad_merge_rows) / sizeof(bad_merge_rows[0]); i++) {
		struct ydoc *doc = NULL;
		struct diags d;
		parse(bad_merge_rows[i].src, &doc, &d);
		char *text = test_diags_text(&d);
		char *want = xasprintf("%s\n", bad_merge_rows[i].diag);
		if (strcmp(text, want)) {
			print_error("row %zu: got:\n%sexpected:\n%s", i, text, want);
			failed++;
		}
		free(text);
		free(want);
		ydoc_free(doc);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

static void test_undefined_alias(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	parse("a: 1\nb: *nowhere\nc: 3\n", &doc, &d);
	char *text = test_diags_text(&d);
	assert_string_equal(text, FILE_NAME ":2:4: error: undefined alias '*nowhere'\n");
	free(text);
	/* the tree is kept, with a null in the alias's place */
	assert_non_null(doc);
	assert_int_equal(doc->root->n, 3);
	assert_true(ynode_is_null(node_at(doc->root, "b")));
	assert_string_equal(node_at(doc->root, "c")->str, "3");
	ydoc_free(doc);
	diags_release(&d);
}

/* An alias can never point into its own, still open, anchor. */
static void test_alias_to_open_anchor(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	parse("a: &self [1, *self]\n", &doc, &d);
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.v[0].msg, "undefined alias '*self'"));
	ydoc_free(doc);
	diags_release(&d);
}

/* ---- tabs ---- */

struct tab_row {
	const char *src;
	const char *diag; /* NULL: accepted without diagnostics */
};

static const struct tab_row tab_rows[] = {
	{ "a:\n\tb: 1\n", FILE_NAME ":2:1: error: tab character in indentation (YAML indents with spaces only)" },
	{ "a:\n  b: 1\n  \tc: 2\n",
	  FILE_NAME ":3:3: error: tab character in indentation (YAML indents with spaces only)" },
	{ "- a\n\t- b\n", FILE_NAME ":2:1: error: tab character in indentation (YAML indents with spaces only)" },
	/* tabs inside a block scalar's content are content */
	{ "a: |\n  x\n  \ty\nb: 1\n", NULL },
	{ "a: |\n  x\n  \t\ty\n  \t\n", NULL },
	/* but not inside its indentation */
	{ "a: |\n    x\n  \t  y\n",
	  FILE_NAME ":3:3: error: tab character in indentation (YAML indents with spaces only)" },
	{ "a: >\n  x\n  \ty\n", NULL },
	/* and so are tabs on the continuation lines of a quoted scalar */
	{ "a: \"x\n\ty\"\n", NULL },
};

static void test_tabs(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(tab_rows) / sizeof(tab_rows[0]); i++) {
		const struct tab_row *row = &tab_rows[i];
		struct ydoc *doc = NULL;
		struct diags d;
		int r = parse(row->src, &doc, &d);
		char *text = test_diags_text(&d);
		char *want = row->diag ? xasprintf("%s\n", row->diag) : xstrdup("");
		int ok = row->diag ? d.errors == 1 && !strcmp(text, want) : r == 0 && doc && !d.n;
		if (!ok) {
			print_error("row %zu: r=%d, diagnostics:\n%sexpected:\n%s", i, r, text, want);
			failed++;
		}
		free(text);
		free(want);
		ydoc_free(doc);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

static void test_tab_in_block_scalar_kept(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("a: |\n  x\n  \ty\nb: 1\n", &doc, &d), 0);
	assert_string_equal(node_at(doc->root, "a")->str, "x\n\ty\n");
	assert_string_equal(node_at(doc->root, "b")->str, "1");
	ydoc_free(doc);
	diags_release(&d);
}

/* ---- several documents ---- */

static void test_several_documents(void **state)
{
	(void)state;
	static const struct {
		const char *src;
		const char *diag;
	} rows[] = {
		{ "a: 1\n---\nb: 2\n", FILE_NAME ":2:1: error: more than one YAML document in the file" },
		{ "--- a\n--- b\n", FILE_NAME ":2:1: error: more than one YAML document in the file" },
		{ "a: 1\n...\n---\nb: 2\n", FILE_NAME ":3:1: error: more than one YAML document in the file" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ydoc *doc = (struct ydoc *)1;
		struct diags d;
		int r = parse(rows[i].src, &doc, &d);
		char *text = test_diags_text(&d);
		char *want = xasprintf("%s\n", rows[i].diag);
		if (r >= 0 || doc || strcmp(text, want))
			fail_msg("row %zu: r=%d doc=%p diagnostics:\n%s", i, r, (void *)doc, text);
		free(text);
		free(want);
		diags_release(&d);
	}

	/* one document with explicit start and end markers is fine */
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("---\na: 1\n...\n", &doc, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(node_at(doc->root, "a")->str, "1");
	ydoc_free(doc);
	diags_release(&d);
}

/* ---- limits ---- */

static char *nested(int levels, int maps)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < levels; i++)
		strbuf_addstr(&sb, maps ? "{a: " : "[");
	strbuf_addch(&sb, 'x');
	for (int i = 0; i < levels; i++)
		strbuf_addch(&sb, maps ? '}' : ']');
	return strbuf_detach(&sb);
}

static void test_depth_limit(void **state)
{
	(void)state;
	for (int maps = 0; maps < 2; maps++) {
		struct ydoc *doc = NULL;
		struct diags d;
		char *ok = nested(YTREE_MAX_DEPTH, maps);
		char *deep = nested(YTREE_MAX_DEPTH + 1, maps);

		assert_int_equal(parse(ok, &doc, &d), 0);
		assert_int_equal(d.n, 0);
		assert_non_null(doc);
		ydoc_free(doc);
		diags_release(&d);

		doc = (struct ydoc *)1;
		assert_true(parse(deep, &doc, &d) < 0);
		assert_null(doc);
		assert_int_equal(d.errors, 1);
		assert_string_equal(d.v[0].msg, "nesting deeper than 64 levels");
		/* reported at the collection that is one too deep */
		assert_int_equal(d.v[0].line, 1);
		assert_int_equal(d.v[0].col, maps ? 4 * YTREE_MAX_DEPTH + 1 : YTREE_MAX_DEPTH + 1);
		diags_release(&d);
		free(ok);
		free(deep);
	}
}

/*
 * "Billion laughs": ten levels of ten aliases to the level before would
 * expand to 10^10 nodes. The tree shares aliased nodes and counts the nodes
 * reachable through them, so the parse stops as soon as that count passes
 * YTREE_MAX_WEIGHT: at the level where it happens, before the rest of the
 * document is even read (so the work is bounded by the input size).
 */
static char *alias_bomb(int levels)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < levels; i++) {
		strbuf_addf(&sb, "l%d: &l%d [", i, i);
		for (int j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*l%d", j ? ", " : "", i - 1);
		strbuf_addstr(&sb, "]\n");
	}
	return strbuf_detach(&sb);
}

static void test_alias_bomb(void **state)
{
	(void)state;
	struct ydoc *doc = (struct ydoc *)1;
	struct diags d;
	char *bomb = alias_bomb(10);
	assert_true(parse(bomb, &doc, &d) < 0);
	assert_null(doc);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.v[0].msg, "aliases expand to more than 200000 nodes");
	/* 10^5 at line 5 is still fine, 10^6 at line 6 is not: lines 7-10 are never read */
	assert_int_equal(d.v[0].line, 6);
	diags_release(&d);
	free(bomb);

	/* the same shape below the limit is accepted, and aliases stay shared */
	bomb = alias_bomb(4);
	doc = NULL;
	assert_int_equal(parse(bomb, &doc, &d), 0);
	assert_int_equal(d.n, 0);
	assert_ptr_equal(node_at(doc->root, "l3/0"), node_at(doc->root, "l2"));
	ydoc_free(doc);
	diags_release(&d);
	free(bomb);
}

/* The same through merge keys, which copy pairs instead of nodes. */
static void test_merge_bomb(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n");
	for (int i = 1; i < 10; i++) {
		strbuf_addf(&sb, "m%d: &m%d {", i, i);
		for (int j = 0; j < 10; j++)
			strbuf_addf(&sb, "%sk%d: *m%d", j ? ", " : "", j, i - 1);
		strbuf_addstr(&sb, ", <<: *m0}\n");
	}
	struct ydoc *doc = (struct ydoc *)1;
	struct diags d;
	assert_true(parse(sb.buf, &doc, &d) < 0);
	assert_null(doc);
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.v[0].msg, "aliases expand to more than 200000 nodes");
	assert_true(d.v[0].line < 10);
	diags_release(&d);
	strbuf_release(&sb);
}

/* ---- NUL ---- */

static void test_nul_in_double_quoted(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	parse("a: \"x\\0y\"\nb: ok\n", &doc, &d);
	char *text = test_diags_text(&d);
	assert_string_equal(text, FILE_NAME ":1:4: error: NUL character in a string\n");
	free(text);
	/* the tree is kept, the string cut at the NUL so that str and len agree */
	assert_non_null(doc);
	const struct ynode *a = node_at(doc->root, "a");
	assert_string_equal(a->str, "x");
	assert_int_equal(a->len, 1);
	assert_string_equal(node_at(doc->root, "b")->str, "ok");
	ydoc_free(doc);
	diags_release(&d);
}

/* Other bad input: a syntax error gives no tree; invalid UTF-8 is reported. */
static void test_syntax_errors(void **state)
{
	(void)state;
	static const char *const srcs[] = { "a: [1, 2\n", "a: 'x\n", "a: b: c\n", "\xff\xfe\x01" };
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct ydoc *doc = (struct ydoc *)1;
		struct diags d;
		int r = parse(srcs[i], &doc, &d);
		if (r >= 0 || doc || d.errors != 1)
			fail_msg("row %zu: r=%d doc=%p errors=%zu", i, r, (void *)doc, d.errors);
		assert_true(str_starts_with(d.v[0].msg, "yaml: "));
		diags_release(&d);
	}
}

/* ---- ynode_pos_at ---- */

struct pos_at_row {
	const char *src; /* v: ... */
	size_t off;
	int line, col;
};

static const struct pos_at_row pos_at_rows[] = {
	/* single-line plain: exact */
	{ "v: hello", 0, 1, 4 },
	{ "v: hello", 2, 1, 6 },
	{ "v: hello", 5, 1, 9 },
	{ "v:    x${a}", 1, 1, 8 },
	/* single-line quoted: exact, past the quote */
	{ "v: \"hello\"", 0, 1, 5 },
	{ "v: \"hello\"", 2, 1, 7 },
	{ "v: 'hello'", 4, 1, 9 },
	{ "l: [a, 'bc${x}']", 2, 1, 11 },
	/* regression: escapes take their source width */
	{ "v: 'it''s ${x}'", 5, 1, 11 },
	{ "v: \"a\\\\b ${x}\"", 4, 1, 10 },
	{ "v: \"a\\nb\"", 2, 1, 8 },
	{ "v: \"\\t${x}\"", 1, 1, 7 },
	{ "v: \"say \\\"hi\\\" ${x}\"", 9, 1, 16 },
	{ "v: \"\\x41${x}\"", 1, 1, 9 },
	{ "v: \"\\u00e9${x}\"", 2, 1, 11 },
	/* regression: anchors and tags in front do not shift the value */
	{ "v: &an ab${x}", 2, 1, 10 },
	{ "v: !!str ab${x}", 2, 1, 12 },
	{ "v: &a \"q${x}\"", 1, 1, 9 },
	{ "v: !t 'x${x}'", 1, 1, 9 },
	/* columns count characters, offsets bytes */
	{ "v: \xc3\xa9${x}", 2, 1, 5 },
	{ "v: \"\xc3\xa9${x}\"", 2, 1, 6 },
	/* otherwise the scalar's own position */
	{ "v: hello", 6, 1, 4 },
	{ "v: |\n  abc ${x}\n", 4, 1, 4 },
	{ "v: abc\n  ${x}\n", 4, 1, 4 },
	{ "v: \"abc\n  ${x}\"\n", 4, 1, 4 },
};

static void test_pos_at(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(pos_at_rows) / sizeof(pos_at_rows[0]); i++) {
		const struct pos_at_row *row = &pos_at_rows[i];
		struct ydoc *doc = NULL;
		struct diags d;
		if (parse(row->src, &doc, &d) < 0 || d.n) {
			print_error("row %zu: '%s' does not parse\n", i, row->src);
			failed++;
			diags_release(&d);
			continue;
		}
		const struct ynode *n = doc->root->vals[0];
		if (n->kind == YNODE_SEQ)
			n = n->vals[n->n - 1];
		struct srcpos p = ynode_pos_at(n, row->off);
		if (p.line != row->line || p.col != row->col || p.file != n->pos.file) {
			print_error("row %zu: '%s' offset %zu at %d:%d, expected %d:%d\n", i, row->src,
				    row->off, p.line, p.col, row->line, row->col);
			failed++;
		}
		ydoc_free(doc);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

static void test_pos_at_collection(void **state)
{
	(void)state;
	struct ydoc *doc = NULL;
	struct diags d;
	assert_int_equal(parse("a:\n  - x\n", &doc, &d), 0);
	const struct ynode *seq = node_at(doc->root, "a");
	struct srcpos p = ynode_pos_at(seq, 3);
	assert_int_equal(p.line, 2);
	assert_int_equal(p.col, 3);
	ydoc_free(doc);
	diags_release(&d);
}

/*
 * Regression: the limits are meant to keep hostile input cheap, but each
 * alias used to look its anchor up with a linear scan, so YTREE_MAX_ANCHORS
 * anchors followed by aliases to the first one cost anchors x aliases string
 * compares (1.1 MB of YAML took about 10 s of CPU). Anchors are hashed now.
 * Time is not asserted here (speed is for benchmarks); the case stays as a
 * functional check at the limits, and the suite's run time shows a relapse.
 */
#ifndef ALIASES
#define ALIASES 30000
#endif
#ifndef FIRST
#define FIRST "x0"
#endif

static void test_alias_lookup_is_cheap(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "a: [");
	for (int i = 0; i < YTREE_MAX_ANCHORS - 1; i++)
		strbuf_addf(&sb, "%s&x%d %d", i ? ", " : "", i, i);
	strbuf_addstr(&sb, "]\nb: [");
	for (int i = 0; i < ALIASES; i++)
		strbuf_addstr(&sb, i ? ", *" FIRST : "*" FIRST);
	strbuf_addstr(&sb, "]\n");

	struct ydoc *doc = NULL;
	struct diags d;
	int r = parse(sb.buf, &doc, &d);
	strbuf_release(&sb);
	/* it is valid and under the limits */
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(node_at(doc->root, "b")->n, ALIASES);
	/* every alias is the first anchor's node itself, not a copy */
	assert_ptr_equal(node_at(doc->root, "b")->vals[ALIASES - 1], node_at(doc->root, "a")->vals[0]);
	ydoc_free(doc);
	diags_release(&d);
}

/*
 * ENGINE BUG: with a UTF-8 byte order mark (as Windows editors write it)
 * ynode_pos_at is no longer exact: libyaml's mark.index does not count the
 * BOM but byte_at() counts it as a character of the source, so every scalar's
 * source is looked up one character too early. Most scalars then fall back to
 * their own position (which for an anchored or tagged scalar is the anchor or
 * tag), and a quoted scalar whose last character is an escaped quote ("a\"",
 * 'x''') gets a wrong position, one column off. Skipping a leading BOM in
 * ytree_parse's source (data, len) fixes it.
 */
static const struct pos_at_row bom_rows[] = {
	{ "\xef\xbb\xbfv: \"ab${x}\"", 2, 1, 7 },
	{ "\xef\xbb\xbfv: ab${x}", 2, 1, 6 },
	{ "\xef\xbb\xbfv: &an ab${x}", 2, 1, 10 },
	{ "\xef\xbb\xbfv: 'a''${x}'''", 2, 1, 8 },
	{ "\xef\xbb\xbfv: \"\\\"${x}\\\"\"", 1, 1, 7 },
};

static void engine_bug_pos_at_after_bom(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(bom_rows) / sizeof(bom_rows[0]); i++) {
		const struct pos_at_row *row = &bom_rows[i];
		struct ydoc *doc = NULL;
		struct diags d;
		if (parse(row->src, &doc, &d) < 0 || d.n) {
			print_error("row %zu: does not parse\n", i);
			failed++;
			ydoc_free(doc);
			diags_release(&d);
			continue;
		}
		const struct ynode *n = doc->root->vals[0];
		struct srcpos p = ynode_pos_at(n, row->off);
		if (memcmp(n->str + row->off, "${x}", 4) || p.line != row->line || p.col != row->col) {
			print_error("row %zu: '%s' offset %zu at %d:%d, expected %d:%d\n", i, row->src + 3,
				    row->off, p.line, p.col, row->line, row->col);
			failed++;
		}
		ydoc_free(doc);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_depth_recorded),
		cmocka_unit_test(test_styles_and_null),
		cmocka_unit_test(test_kind_names_and_map_get),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_same_key_elsewhere_is_fine),
		cmocka_unit_test(test_aliases_are_shared),
		cmocka_unit_test(test_anchor_redefined),
		cmocka_unit_test(test_merge_keys),
		cmocka_unit_test(test_bad_merge),
		cmocka_unit_test(test_undefined_alias),
		cmocka_unit_test(test_alias_to_open_anchor),
		cmocka_unit_test(test_tabs),
		cmocka_unit_test(test_tab_in_block_scalar_kept),
		cmocka_unit_test(test_several_documents),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_merge_bomb),
		cmocka_unit_test(test_nul_in_double_quoted),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_pos_at),
		cmocka_unit_test(test_pos_at_collection),
		cmocka_unit_test(test_alias_lookup_is_cheap),
		cmocka_unit_test(engine_bug_pos_at_after_bom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
