/*
 * The corpus of invalid profiles: every YAML file in tests/data/invalid/ must
 * fail to load, with exactly the diagnostics that its leading comment lines list:
 *
 *   # expect: LINE:COL: MESSAGE              an error in the fixture itself
 *   # expect: PATH:LINE:COL: MESSAGE         an error in another file
 *   # expect-warning: [PATH:]LINE:COL: MESSAGE
 *
 * PATH is relative to tests/data/invalid/ (supporting files live in support/),
 * and paths inside messages (extends cycles) are compared relative to it too.
 * Each fixture is one cmocka test, registered at run time.
 */
#include "helpers.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "util.h"

#define MIN_FIXTURES 40
#define FIXTURE_MAX_BYTES (1u << 20)

static const char expect_error[] = "# expect: ";
static const char expect_warning[] = "# expect-warning: ";

/* tests/data/invalid, or $SR_TEST_DATA/invalid */
static char *corpus_dir;

struct fixture {
	char *name; /* file name in corpus_dir: the test's name */
	char *path; /* as passed to the loader */
};

/* One diagnostic, expected or produced, in comparable form. */
struct entry {
	enum diag_level level;
	char *file; /* relative to corpus_dir when inside it */
	int line, col;
	char *msg;
	int matched;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

static void entries_add(struct entries *es, enum diag_level level, const char *file, int line,
			int col, const char *msg)
{
	ALLOC_GROW(es->v, es->n + 1, es->cap);
	struct entry *e = &es->v[es->n++];
	e->level = level;
	e->file = xstrdup(file);
	e->line = line;
	e->col = col;
	e->msg = xstrdup(msg);
	e->matched = 0;
}

static void entries_release(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].file);
		free(es->v[i].msg);
	}
	free(es->v);
	memset(es, 0, sizeof(*es));
}

static void entry_format(struct strbuf *sb, const char *mark, const struct entry *e)
{
	strbuf_addf(sb, "  %s%s:%d:%d: %s: %s\n", mark, e->file, e->line, e->col,
		    e->level == DIAG_ERROR ? "error" : "warning", e->msg);
}

/* s with every "corpus_dir/" removed: paths as written in the fixtures. */
static char *relative(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *prefix = xasprintf("%s/", corpus_dir);
	size_t plen = strlen(prefix);

	while (*s) {
		if (!strncmp(s, prefix, plen)) {
			s += plen;
			continue;
		}
		strbuf_addch(&sb, *s++);
	}
	free(prefix);
	return strbuf_detach(&sb);
}

static int parse_number(const char **p, int *out)
{
	long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > 1000000)
			return -1;
	}
	*out = (int)v;
	*p = s;
	return 0;
}

/*
 * "[PATH:]LINE:COL: MESSAGE": the first "LINE:COL: " that starts the text or
 * follows a ':' ends the path. Returns -1 when there is none.
 */
static int parse_expect(const char *spec, const char *fixture, enum diag_level level,
			struct entries *out)
{
	for (size_t i = 0; spec[i]; i++) {
		if (i > 0 && spec[i - 1] != ':')
			continue;
		const char *p = spec + i;
		int line, col;
		if (parse_number(&p, &line) < 0 || *p++ != ':' || parse_number(&p, &col) < 0 ||
		    strncmp(p, ": ", 2) || !p[2])
			continue;
		char *file = i ? xstrndup(spec, i - 1) : xstrdup(fixture);
		entries_add(out, level, file, line, col, p + 2);
		free(file);
		return 0;
	}
	return -1;
}

/*
 * Read the expectations from the fixture's leading comment lines. Problems
 * with the fixture itself go to problems.
 */
static void read_expectations(const struct fixture *fx, struct entries *out,
			      struct strbuf *problems)
{
	char *data = NULL;
	size_t len = 0;
	int rc = read_file(fx->path, FIXTURE_MAX_BYTES, &data, &len);
	if (rc < 0) {
		strbuf_addf(problems, "cannot read %s: %s\n", fx->path, strerror(-rc));
		return;
	}

	int in_header = 1, lineno = 0;
	size_t errors = 0;
	char *line = data;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		lineno++;

		if (line[0] != '#')
			in_header = 0;
		if (!strncmp(line, "# expect", 8)) {
			const char *spec = NULL;
			enum diag_level level = DIAG_ERROR;
			if (!strncmp(line, expect_error, strlen(expect_error))) {
				spec = line + strlen(expect_error);
			} else if (!strncmp(line, expect_warning, strlen(expect_warning))) {
				spec = line + strlen(expect_warning);
				level = DIAG_WARNING;
			}
			if (!in_header)
				strbuf_addf(problems, "line %d: expectation after the leading comments: %s\n",
					    lineno, line);
			else if (!spec || parse_expect(spec, fx->name, level, out) < 0)
				strbuf_addf(problems,
					    "line %d: malformed expectation (want '# expect: [PATH:]LINE:COL: MESSAGE'): %s\n",
					    lineno, line);
			else if (level == DIAG_ERROR)
				errors++;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!errors)
		strbuf_addf(problems, "no '# expect:' line: an invalid profile must expect an error\n");
	free(data);
}

static void collect_diags(const struct diags *d, struct entries *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *dg = &d->v[i];
		char *file = dg->file ? relative(dg->file) : xstrdup("(no file)");
		char *msg = relative(dg->msg);
		entries_add(out, dg->level, file, dg->line, dg->col, msg);
		free(file);
		free(msg);
	}
}

static int same(const struct entry *a, const struct entry *b)
{
	return a->level == b->level && a->line == b->line && a->col == b->col &&
	       !strcmp(a->file, b->file) && !strcmp(a->msg, b->msg);
}

/* Match expected against actual one to one; describe any difference. */
static void compare(struct entries *expected, struct entries *actual, struct strbuf *problems)
{
	size_t missing = 0, unexpected = 0;

	for (size_t i = 0; i < expected->n; i++)
		for (size_t j = 0; j < actual->n; j++)
			if (!actual->v[j].matched && same(&expected->v[i], &actual->v[j])) {
				expected->v[i].matched = actual->v[j].matched = 1;
				break;
			}
	for (size_t i = 0; i < expected->n; i++)
		missing += !expected->v[i].matched;
	for (size_t j = 0; j < actual->n; j++)
		unexpected += !actual->v[j].matched;
	if (!missing && !unexpected)
		return;

	strbuf_addf(problems, "diagnostics differ (%zu missing, %zu unexpected)\nexpected:\n", missing,
		    unexpected);
	for (size_t i = 0; i < expected->n; i++)
		entry_format(problems, expected->v[i].matched ? "  " : "- ", &expected->v[i]);
	if (!expected->n)
		strbuf_addstr(problems, "    (none)\n");
	strbuf_addstr(problems, "actual:\n");
	for (size_t j = 0; j < actual->n; j++)
		entry_format(problems, actual->v[j].matched ? "  " : "+ ", &actual->v[j]);
	if (!actual->n)
		strbuf_addstr(problems, "    (none)\n");
}

static void test_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct entries expected = { NULL, 0, 0 }, actual = { NULL, 0, 0 };
	struct strbuf problems = STRBUF_INIT;
	struct loader *l = NULL;
	struct resolved *r = NULL;
	struct diags d;

	diags_init(&d);
	read_expectations(fx, &expected, &problems);
	int rc = test_load(fx->path, NULL, &l, &r, &d);
	if (rc != -1)
		strbuf_addf(&problems, "the profile loaded (returned %d); it must fail\n", rc);
	collect_diags(&d, &actual);
	compare(&expected, &actual, &problems);

	resolved_free(r);
	loader_free(l);
	diags_release(&d);
	entries_release(&expected);
	entries_release(&actual);
	if (!problems.len) {
		strbuf_release(&problems);
		return;
	}
	print_error("%s:\n%s", fx->path, problems.buf);
	strbuf_release(&problems);
	fail_msg("%s: see above", fx->name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->name, ((const struct fixture *)b)->name);
}

/* The *.yaml files directly in corpus_dir (not in support/), sorted. */
static struct fixture *list_fixtures(size_t *count)
{
	struct fixture *v = NULL;
	size_t n = 0, cap = 0;
	DIR *dir = opendir(corpus_dir);

	*count = 0;
	if (!dir) {
		fprintf(stderr, "test_invalid_profiles: cannot open %s (run from the repository root)\n",
			corpus_dir);
		return NULL;
	}
	for (struct dirent *de; (de = readdir(dir));) {
		struct stat st;
		if (!str_ends_with(de->d_name, ".yaml"))
			continue;
		char *path = xasprintf("%s/%s", corpus_dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		ALLOC_GROW(v, n + 1, cap);
		v[n].name = xstrdup(de->d_name);
		v[n].path = path;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(v, n, sizeof(*v), by_name);
	*count = n;
	return v;
}

int main(void)
{
	size_t n;
	int failed = 0;

	corpus_dir = xasprintf("%s/invalid", test_data_dir());
	struct fixture *fx = list_fixtures(&n);
	if (n < MIN_FIXTURES) {
		fprintf(stderr, "test_invalid_profiles: %zu fixtures in %s, at least %d expected\n", n,
			corpus_dir, MIN_FIXTURES);
		failed = 1;
	}
	if (n) {
		struct CMUnitTest *tests = xcalloc(n, sizeof(*tests));
		for (size_t i = 0; i < n; i++) {
			tests[i].name = fx[i].name;
			tests[i].test_func = test_fixture;
			tests[i].initial_state = &fx[i];
		}
		failed += _cmocka_run_group_tests("invalid_profiles", tests, n, NULL, NULL);
		free(tests);
	}
	for (size_t i = 0; i < n; i++) {
		free(fx[i].name);
		free(fx[i].path);
	}
	free(fx);
	free(corpus_dir);
	return failed ? 1 : 0;
}
