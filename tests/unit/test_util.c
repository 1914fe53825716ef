/*
 * Unit tests of lib/util.c, lib/date.c, lib/strbuf.c and lib/diag.c:
 * str_distance, str_suggest, date_parse, strbuf, diag_format, diags_sort.
 *
 * The test marked "regression" covers an engine bug these tests found (fixed
 * in 4f865a5): str_distance gave up on strings longer than 64 characters.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "diag.h"
#include "strbuf.h"
#include "util.h"

/* ---- str_distance ---- */

struct distance_row {
	const char *a, *b;
	size_t d;
};

static const struct distance_row distance_rows[] = {
	{ "", "", 0 },
	{ "abc", "", 3 },
	{ "", "abc", 3 },
	{ "abc", "abc", 0 },
	{ "abc", "abd", 1 },      /* substitution */
	{ "abc", "abcd", 1 },     /* insertion */
	{ "abcd", "abc", 1 },     /* deletion */
	{ "ab", "ba", 1 },        /* adjacent swap */
	{ "timeout", "tiemout", 1 },
	{ "kitten", "sitting", 3 },
	{ "flaw", "lawn", 2 },
	{ "ca", "abc", 3 },       /* optimal string alignment, not full Damerau: 3, not 2 */
	{ "command", "comand", 1 },
	{ "Name", "name", 1 },    /* case matters */
	{ "severity", "severiyt", 1 },
	{ "abcdef", "badcfe", 3 },
};

static void test_str_distance(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(distance_rows) / sizeof(distance_rows[0]); i++) {
		const struct distance_row *row = &distance_rows[i];
		size_t d = str_distance(row->a, row->b);
		size_t back = str_distance(row->b, row->a);
		if (d != row->d || back != row->d) {
			print_error("row %zu: distance('%s', '%s') = %zu (reverse %zu), expected %zu\n", i,
				    row->a, row->b, d, back, row->d);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* Up to 64 characters the distance is exact. */
static void test_str_distance_at_64(void **state)
{
	(void)state;
	char a[65], b[65];
	memset(a, 'a', 64);
	a[64] = '\0';
	memcpy(b, a, sizeof(b));
	assert_int_equal(str_distance(a, b), 0);
	b[10] = 'b';
	assert_int_equal(str_distance(a, b), 1);
	b[63] = '\0';
	assert_int_equal(str_distance(a, b), 2);
}

/* ---- str_suggest ---- */

static const char *const params[] = { "command", "exit_code", "stdout_matches", "stdout_not_matches",
				      NULL };
static const char *const short_words[] = { "id", "ref", "when", "with", NULL };
static const char *const ties[] = { "cat", "hat", "bat", NULL };
static const char *const none[] = { NULL };

struct suggest_row {
	const char *word;
	const char *const *cands;
	const char *want; /* NULL: no suggestion */
};

static const struct suggest_row suggest_rows[] = {
	{ "comand", params, "command" },
	{ "command", params, "command" },
	{ "exitcode", params, "exit_code" },
	{ "stdout_match", params, "stdout_matches" },
	{ "stdout_not_match", params, "stdout_not_matches" },
	{ "stdout_nto_matchs", params, "stdout_not_matches" }, /* 2 edits, long word: 3 allowed */
	{ "xyz", params, NULL },
	{ "timeout", params, NULL },
	/* up to 3 characters one edit is allowed */
	{ "idd", short_words, "id" },
	{ "rf", short_words, "ref" },
	{ "fer", short_words, NULL },
	/* 4 to 8 characters: two */
	{ "wehn", short_words, "when" },
	{ "whne", short_words, "when" },
	{ "wxyh", short_words, "with" },
	{ "xxxx", short_words, NULL },
	/* 9 and more: three */
	{ "exit_codes", params, "exit_code" },
	{ "eixt_cdoe", params, "exit_code" },
	{ "ex_co", params, NULL },
	/* ties go to the first candidate */
	{ "mat", ties, "cat" },
	{ "bat", ties, "bat" },
	/* nothing to suggest from */
	{ "anything", none, NULL },
};

static void test_str_suggest(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(suggest_rows) / sizeof(suggest_rows[0]); i++) {
		const struct suggest_row *row = &suggest_rows[i];
		const char *got = str_suggest(row->word, row->cands);
		if (row->want ? !got || strcmp(got, row->want) : got != NULL) {
			print_error("row %zu: suggest('%s') = %s, expected %s\n", i, row->word,
				    got ? got : "NULL", row->want ? row->want : "NULL");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_str_prefix_suffix(void **state)
{
	(void)state;
	assert_true(str_starts_with("vars.x", "vars."));
	assert_true(str_starts_with("abc", ""));
	assert_false(str_starts_with("var", "vars."));
	assert_true(str_ends_with("a.yaml", ".yaml"));
	assert_true(str_ends_with("abc", ""));
	assert_false(str_ends_with("yaml", ".yaml"));
	assert_false(str_ends_with("a.yml", ".yaml"));
}

/* ---- date_parse ---- */

struct date_row {
	const char *s;
	int ok;
	long days;
};

static const struct date_row date_rows[] = {
	{ "1970-01-01", 1, 0 },
	{ "1970-01-02", 1, 1 },
	{ "2000-02-29", 1, 11016 }, /* divisible by 400: leap */
	{ "2000-03-01", 1, 11017 },
	{ "2024-02-29", 1, 19782 }, /* divisible by 4: leap */
	{ "2026-06-15", 1, 20619 },
	{ "2038-01-19", 1, 24855 },
	{ "9999-12-31", 1, 2932896 },
	{ "2024-01-31", 1, 19753 },
	{ "2024-04-30", 1, 19843 },
	{ "2024-12-31", 1, 20088 },
	/* leap years */
	{ "2023-02-29", 0, 0 },
	{ "2100-02-29", 0, 0 }, /* divisible by 100, not by 400 */
	{ "1900-02-29", 0, 0 },
	{ "2024-02-30", 0, 0 },
	/* months and days */
	{ "2024-00-10", 0, 0 },
	{ "2024-13-01", 0, 0 },
	{ "2024-01-00", 0, 0 },
	{ "2024-01-32", 0, 0 },
	{ "2024-04-31", 0, 0 },
	{ "2024-06-31", 0, 0 },
	{ "2024-09-31", 0, 0 },
	{ "2024-11-31", 0, 0 },
	{ "2024-99-99", 0, 0 },
	/* formats */
	{ "", 0, 0 },
	{ "2024-1-01", 0, 0 },
	{ "2024-01-1", 0, 0 },
	{ "24-01-01", 0, 0 },
	{ "02024-01-01", 0, 0 },
	{ "2024/01/01", 0, 0 },
	{ "2024.01.01", 0, 0 },
	{ "20240101", 0, 0 },
	{ "01-01-2024", 0, 0 },
	{ "2024-01", 0, 0 },
	{ "2024-01-", 0, 0 },
	{ "2024-Jan-01", 0, 0 },
	{ " 2024-01-01", 0, 0 },
	{ "+024-01-01", 0, 0 },
	{ "2024-+1-01", 0, 0 },
	/* trailing junk */
	{ "2024-01-01x", 0, 0 },
	{ "2024-01-01 ", 0, 0 },
	{ "2024-01-01\n", 0, 0 },
	{ "2024-01-01T00:00:00Z", 0, 0 },
	{ "2024-01-011", 0, 0 },
	/* before the epoch */
	{ "1969-12-31", 0, 0 },
};

static void test_date_parse(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(date_rows) / sizeof(date_rows[0]); i++) {
		const struct date_row *row = &date_rows[i];
		long days = -42;
		int r = date_parse(row->s, &days);
		if (row->ok ? r != 0 || days != row->days : r == 0 || days != -42) {
			print_error("row %zu: '%s' -> %d, %ld; expected %s %ld\n", i, row->s, r, days,
				    row->ok ? "ok" : "error (days untouched)", row->days);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* Consecutive days are consecutive numbers, across months, years and leap days. */
static void test_date_parse_consecutive(void **state)
{
	(void)state;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long prev = -1;
	for (int y = 1999; y <= 2001; y++) {
		for (int m = 1; m <= 12; m++) {
			int n = mdays[m - 1] + (m == 2 && y == 2000);
			for (int dd = 1; dd <= n; dd++) {
				char s[32];
				long days;
				snprintf(s, sizeof(s), "%04d-%02d-%02d", y, m, dd);
				if (date_parse(s, &days) != 0)
					fail_msg("%s rejected", s);
				if (prev >= 0 && days != prev + 1)
					fail_msg("%s is day %ld, expected %ld", s, days, prev + 1);
				prev = days;
			}
		}
	}
}

static void test_date_today(void **state)
{
	(void)state;
	char buf[16];
	long days;
	date_today(buf, sizeof(buf));
	assert_int_equal(strlen(buf), 10);
	assert_int_equal(date_parse(buf, &days), 0);
	assert_true(days > 20000);
}

/* ---- strbuf ---- */

static void test_strbuf_basics(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(sb.len, 0);

	strbuf_addstr(&sb, "abc");
	strbuf_addch(&sb, '-');
	strbuf_addf(&sb, "%d/%s", 42, "x");
	strbuf_add(&sb, "12345", 2);
	assert_string_equal(sb.buf, "abc-42/x12");
	assert_int_equal(sb.len, 10);
	assert_true(sb.cap > sb.len);

	strbuf_indent(&sb, 3);
	assert_string_equal(sb.buf, "abc-42/x12   ");
	strbuf_indent(&sb, 0);
	assert_int_equal(sb.len, 13);

	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_addstr(&sb, "again");
	assert_string_equal(sb.buf, "again");

	char *s = strbuf_detach(&sb);
	assert_string_equal(s, "again");
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	free(s);

	/* detaching an untouched buffer gives an empty string, not NULL */
	s = strbuf_detach(&sb);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	strbuf_release(&sb);
	strbuf_release(NULL);
}

static void test_strbuf_grows(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 10000);
	assert_int_equal(strlen(sb.buf), 10000);
	assert_int_equal(sb.buf[9999], 'a' + 9999 % 26);

	/* long formatted output */
	char big[3000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_reset(&sb);
	strbuf_addf(&sb, "<%s>", big);
	assert_int_equal(sb.len, sizeof(big) + 1);
	assert_int_equal(sb.buf[0], '<');
	assert_int_equal(sb.buf[sb.len - 1], '>');
	strbuf_release(&sb);
}

/* Binary data, NUL included, goes in as is. */
static void test_strbuf_add_binary(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 4);
	strbuf_release(&sb);
}

struct escape_row {
	const char *in;
	const char *out;
};

static const struct escape_row escape_rows[] = {
	{ "", "" },
	{ "plain text", "plain text" },
	{ "a\nb", "a\\nb" },
	{ "a\tb", "a\\tb" },
	{ "a\rb", "a\\rb" },
	{ "say \"hi\"", "say \\\"hi\\\"" },
	{ "back\\slash", "back\\\\slash" },
	{ "\x01", "\\x01" },
	{ "\x1b[31m", "\\x1b[31m" },
	{ "\x1f", "\\x1f" },
	{ "\x7f", "\\x7f" },
	{ "\b\f\v", "\\x08\\x0c\\x0b" },
	{ " ~", " ~" },
	{ "'single'", "'single'" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" }, /* UTF-8 bytes pass through */
};

static void test_strbuf_add_escaped(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(escape_rows) / sizeof(escape_rows[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "[");
		strbuf_add_escaped(&sb, escape_rows[i].in);
		strbuf_addstr(&sb, "]");
		char *want = xasprintf("[%s]", escape_rows[i].out);
		if (strcmp(sb.buf, want)) {
			print_error("row %zu: escaped to %s, expected %s\n", i, sb.buf, want);
			failed++;
		}
		free(want);
		strbuf_release(&sb);
	}
	assert_int_equal(failed, 0);
}

/* ---- diagnostics ---- */

struct format_row {
	enum diag_level level;
	const char *file;
	int line, col;
	const char *msg;
	const char *want;
};

static const struct format_row format_rows[] = {
	{ DIAG_ERROR, "p.yaml", 3, 5, "bad", "p.yaml:3:5: error: bad" },
	{ DIAG_WARNING, "p.yaml", 3, 5, "meh", "p.yaml:3:5: warning: meh" },
	{ DIAG_ERROR, "p.yaml", 3, 0, "no column", "p.yaml:3:1: error: no column" },
	{ DIAG_ERROR, "p.yaml", 0, 0, "whole file", "p.yaml: error: whole file" },
	{ DIAG_ERROR, "p.yaml", 0, 7, "column without line", "p.yaml: error: column without line" },
	{ DIAG_ERROR, NULL, 0, 0, "no file", "error: no file" },
	{ DIAG_WARNING, NULL, 4, 2, "no file, a line", "warning: no file, a line" },
	{ DIAG_ERROR, "bundled:linux-base.yaml", 10, 12, "x", "bundled:linux-base.yaml:10:12: error: x" },
};

static void test_diag_format(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(format_rows) / sizeof(format_rows[0]); i++) {
		const struct format_row *row = &format_rows[i];
		struct diags d;
		diags_init(&d);
		struct srcpos pos = { row->file, row->line, row->col };
		if (row->level == DIAG_ERROR)
			diag_error(&d, pos, "%s", row->msg);
		else
			diag_warning(&d, pos, "%s", row->msg);
		char *got = diag_format(&d.v[0]);
		if (strcmp(got, row->want)) {
			print_error("row %zu: '%s', expected '%s'\n", i, got, row->want);
			failed++;
		}
		free(got);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

static void test_diag_counts_and_copies(void **state)
{
	(void)state;
	struct diags d;
	char file[] = "mutable.yaml";
	diags_init(&d);
	diag_error(&d, (struct srcpos){ file, 1, 1 }, "e%d", 1);
	diag_warning(&d, (struct srcpos){ file, 2, 1 }, "w%s", "1");
	diag_error(&d, (struct srcpos){ NULL, 0, 0 }, "e2");
	assert_int_equal(d.n, 3);
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.warnings, 1);
	assert_string_equal(d.v[0].msg, "e1");
	assert_string_equal(d.v[1].msg, "w1");
	assert_int_equal(d.v[1].level, DIAG_WARNING);
	/* the file name is copied */
	file[0] = 'X';
	assert_string_equal(d.v[0].file, "mutable.yaml");
	assert_null(d.v[2].file);
	diags_release(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.errors, 0);
	assert_null(d.v);
}

static void test_diags_sort(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		int line, col;
		const char *msg;
	} in[] = {
		{ "b.yaml", 5, 1, "b5" },  { "a.yaml", 2, 9, "a2.9" }, { "b.yaml", 1, 1, "b1" },
		{ NULL, 0, 0, "nofile" },   { "a.yaml", 2, 3, "a2.3" }, { "b.yaml", 5, 1, "b5-second" },
		{ "a.yaml", 1, 1, "a1" },   { "c.yaml", 0, 0, "c" },    { "b.yaml", 0, 0, "b-whole" },
		{ NULL, 0, 0, "nofile-2" },
	};
	/* files in first-seen order (b, a, none, c), then line, column; stable */
	static const char *const want[] = { "b-whole", "b1", "b5", "b5-second", "a1", "a2.3",
					    "a2.9", "nofile", "nofile-2", "c" };
	struct diags d;
	diags_init(&d);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		diag_error(&d, (struct srcpos){ in[i].file, in[i].line, in[i].col }, "%s", in[i].msg);
	diag_warning(&d, (struct srcpos){ "a.yaml", 1, 1 }, "a1-warning");
	diags_sort(&d);
	assert_int_equal(d.n, sizeof(want) / sizeof(want[0]) + 1);
	assert_int_equal(d.errors, sizeof(in) / sizeof(in[0]));
	assert_int_equal(d.warnings, 1);
	for (size_t i = 0, k = 0; i < d.n; i++) {
		const char *w = i == 5 ? "a1-warning" : want[k++];
		if (strcmp(d.v[i].msg, w))
			fail_msg("position %zu: '%s', expected '%s'", i, d.v[i].msg, w);
	}
	assert_int_equal(d.v[5].level, DIAG_WARNING);
	diags_release(&d);
}

static void test_diags_sort_small(void **state)
{
	(void)state;
	struct diags d;
	diags_init(&d);
	diags_sort(&d);
	assert_int_equal(d.n, 0);
	diag_error(&d, (struct srcpos){ "x", 9, 9 }, "only");
	diags_sort(&d);
	assert_string_equal(d.v[0].msg, "only");
	diags_release(&d);
}

/*
 * Regression: str_distance() used to give up on strings longer than 64
 * characters and return the longer length, so two identical 65-character
 * strings were "65 edits" apart.
 */
static void test_str_distance_long_strings(void **state)
{
	(void)state;
	char a[301], b[301];
	memset(a, 'x', 300);
	a[300] = '\0';
	memcpy(b, a, sizeof(b));
	assert_int_equal(str_distance(a, b), 0);
	b[0] = 'y';
	assert_int_equal(str_distance(a, b), 1);
	b[299] = '\0';
	assert_int_equal(str_distance(a, b), 2);
	a[65] = '\0';
	b[65] = '\0';
	assert_int_equal(str_distance(a, b), 1);
	assert_int_equal(str_distance(a, ""), 65);
}

/* Suggestions for long words still work; absurdly long ones are not compared. */
static void test_str_suggest_long_words(void **state)
{
	(void)state;
	char word[301], cand[301];
	memset(word, 'p', 300);
	word[300] = '\0';
	memcpy(cand, word, sizeof(cand));
	cand[5] = 'q';
	const char *cands[] = { cand, NULL };

	word[70] = cand[70] = '\0';
	assert_ptr_equal(str_suggest(word, cands), cand);
	word[70] = cand[70] = 'p';
	/* over 256 characters: no suggestion, without the quadratic work */
	assert_null(str_suggest(word, cands));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_distance),
		cmocka_unit_test(test_str_distance_at_64),
		cmocka_unit_test(test_str_suggest),
		cmocka_unit_test(test_str_prefix_suffix),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_parse_consecutive),
		cmocka_unit_test(test_date_today),
		cmocka_unit_test(test_strbuf_basics),
		cmocka_unit_test(test_strbuf_grows),
		cmocka_unit_test(test_strbuf_add_binary),
		cmocka_unit_test(test_strbuf_add_escaped),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_diag_counts_and_copies),
		cmocka_unit_test(test_diags_sort),
		cmocka_unit_test(test_diags_sort_small),
		cmocka_unit_test(test_str_distance_long_strings),
		cmocka_unit_test(test_str_suggest_long_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
