/*
 * Unit tests of lib/gather.c: framing a gather transcript into sections
 * (header, nonce, statuses, truncation, garbage, CRLF, caps) and the file
 * sub-header iterator.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "strbuf.h"

#define N "abcDEF12"
#define M "@@SRG " N " "
#define HDR M "gather 1\n"

/* "name:status:complete:content" per section, content with C escapes; then "|done" */
static char *summary(const struct gather *g)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < g->nr; i++) {
		const struct gather_section *s = &g->sections[i];
		char *content = xstrndup(s->data, s->len);
		if (i)
			strbuf_addch(&sb, ';');
		strbuf_addf(&sb, "%s:%d:%d:", s->name, s->status, s->complete);
		/* NULs cut the escaped copy: show them as \0 */
		for (size_t k = 0; k < s->len; k++) {
			if (!s->data[k]) {
				strbuf_addstr(&sb, "\\0");
				continue;
			}
			char one[2] = { s->data[k], 0 };
			strbuf_add_escaped(&sb, one);
		}
		free(content);
	}
	if (g->done)
		strbuf_addstr(&sb, "|done");
	return strbuf_detach(&sb);
}

struct frame_row {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	int ret;
	const char *want; /* summary when ret == 0 */
	size_t stray;
	size_t duplicates;
};

static const struct frame_row frame_rows[] = {
	{ "minimal", HDR M "begin meta\nuid=0\n" M "end meta 0\n" M "done\n", 0, 0,
	  "meta:0:1:uid=0\\n|done", 0, 0 },
	{ "no sections", HDR M "done\n", 0, 0, "|done", 0, 0 },
	{ "header only", HDR, 0, 0, "", 0, 0 },
	{ "header without newline", M "gather 1", 0, 0, "", 0, 0 },
	{ "two sections and a status", HDR M "begin a\nx\n" M "end a 0\n" M "begin b-2\n" M "end b-2 127\n" M "done\n",
	  0, 0, "a:0:1:x\\n;b-2:127:1:|done", 0, 0 },
	{ "crlf", "@@SRG " N " gather 1\r\n" M "begin a\r\nline\r\n" M "end a 3\r\n" M "done\r\n", 0, 0,
	  "a:3:1:line\\r\\n|done", 0, 0 },
	{ "missing end: the next begin closes", HDR M "begin a\n1\n" M "begin b\n2\n" M "end b 0\n" M "done\n", 0, 0,
	  "a:-1:0:1\\n;b:0:1:2\\n|done", 0, 0 },
	{ "missing end at done", HDR M "begin a\n1\n" M "done\n", 0, 0, "a:-1:0:1\\n|done", 0, 0 },
	{ "truncated mid-section", HDR M "begin a\n1\n2", 0, 0, "a:-1:0:1\\n2", 0, 0 },
	{ "truncated mid-marker", HDR M "begin a\n1\n@@SRG " N " en", 0, 0, "a:-1:0:1\\n@@SRG abcDEF12 en", 0, 0 },
	{ "no done", HDR M "begin a\n" M "end a 0\n", 0, 0, "a:0:1:", 0, 0 },
	{ "other nonce is content", HDR M "begin a\n@@SRG zzzzzzzz end a 0\n@@SRG zzzzzzzz done\n" M "end a 0\n" M "done\n",
	  0, 0, "a:0:1:@@SRG zzzzzzzz end a 0\\n@@SRG zzzzzzzz done\\n|done", 0, 0 },
	{ "nonce prefix is content", HDR M "begin a\n@@SRG " N "X end a 0\n" M "end a 0\n", 0, 0,
	  "a:0:1:@@SRG abcDEF12X end a 0\\n", 0, 0 },
	{ "marker needs the exact verb", HDR M "begin a\n" M "ending a 0\n" M "end a 0\n", 0, 0,
	  "a:0:1:@@SRG abcDEF12 ending a 0\\n", 0, 0 },
	{ "status not a number", HDR M "begin a\n" M "end a x\n", 0, 0, "a:-1:1:", 0, 0 },
	{ "status missing", HDR M "begin a\n" M "end a\n", 0, 0, "a:-1:1:", 0, 0 },
	{ "status too long", HDR M "begin a\n" M "end a 12345678901\n", 0, 0, "a:-1:1:", 0, 0 },
	{ "end of another section", HDR M "begin a\n1\n" M "end b 0\n2\n" M "begin c\n" M "end c 0\n", 0, 0,
	  "a:-1:0:1\\n;c:0:1:", 2, 0 },
	{ "stray lines outside sections", HDR "motd\n" M "begin a\n" M "end a 0\nnoise\n" M "end a 0\n" M "done\nafter\n",
	  0, 0, "a:0:1:|done", 4, 0 },
	{ "duplicate section ignored", HDR M "begin a\n1\n" M "end a 0\n" M "begin a\n2\n" M "end a 5\n" M "done\n", 0, 0,
	  "a:0:1:1\\n|done", 0, 1 },
	{ "bad section names are content", HDR M "begin a\n" M "begin Bad\n" M "begin x_y\n" M "begin \n" M "end a 0\n", 0, 0,
	  "a:0:1:@@SRG abcDEF12 begin Bad\\n@@SRG abcDEF12 begin x_y\\n@@SRG abcDEF12 begin \\n", 0, 0 },
	{ "name of 64 characters", HDR M "begin aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0, 0,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:-1:0:", 0, 0 },
	{ "name of 65 characters", HDR M "begin aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0, 0, "", 1, 0 },
	{ "nul bytes in content", HDR M "begin a\nx\0y\n" M "end a 0\n", sizeof(HDR M "begin a\nx\0y\n" M "end a 0\n") - 1,
	  0, "a:0:1:x\\0y\\n", 0, 0 },
	{ "binary garbage in content", HDR M "begin a\n\xff\xfe\x01\n" M "end a 0\n", 0, 0, "a:0:1:\xff\xfe\\x01\\n", 0, 0 },
	{ "file headers are content", HDR M "begin a\n" M "file /x\n1\n" M "end a 0\n", 0, 0,
	  "a:0:1:@@SRG abcDEF12 file /x\\n1\\n", 0, 0 },
	{ "done twice", HDR M "done\n" M "done\n", 0, 0, "|done", 0, 0 },
	{ "section after done", HDR M "done\n" M "begin a\n" M "end a 0\n", 0, 0, "a:0:1:|done", 0, 0 },
	/* header errors */
	{ "empty", "", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "garbage", "hello world\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "motd before the header", "Welcome\n" HDR, 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "nonce too short", "@@SRG abcdefg gather 1\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "nonce too long", "@@SRG aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa gather 1\n", 0,
	  GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "nonce of 64", "@@SRG aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa gather 1\n", 0, 0, "", 0, 0 },
	{ "nonce with a dash", "@@SRG abc-defgh gather 1\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "no version", M "gather\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "version not a number", M "gather one\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "not gather", M "begin a\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "two spaces", "@@SRG  " N " gather 1\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "lowercase mark", "@@srg " N " gather 1\n", 0, GATHER_ERR_HEADER, NULL, 0, 0 },
	{ "version 2", M "gather 2\n", 0, GATHER_ERR_VERSION, NULL, 0, 0 },
	{ "version 0", M "gather 0\n", 0, GATHER_ERR_VERSION, NULL, 0, 0 },
};

static void test_frame_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(frame_rows); i++) {
		const struct frame_row *r = &frame_rows[i];
		struct gather g;
		char *err = NULL;
		size_t len = r->len ? r->len : strlen(r->in);
		gather_init(&g);
		int ret = gather_parse(&g, r->in, len, NULL, &err);
		if (ret != r->ret) {
			print_error("row '%s': ret %d, want %d (%s)\n", r->name, ret, r->ret, err ? err : "");
			fail();
		}
		if (ret == 0) {
			char *got = summary(&g);
			if (strcmp(got, r->want)) {
				print_error("row '%s':\n got  %s\n want %s\n", r->name, got, r->want);
				fail();
			}
			if (g.stray != r->stray || g.duplicates != r->duplicates) {
				print_error("row '%s': stray %zu dup %zu, want %zu %zu\n", r->name, g.stray,
					    g.duplicates, r->stray, r->duplicates);
				fail();
			}
			assert_int_equal(g.version, 1);
			free(got);
			assert_null(err);
		} else {
			assert_non_null(err);
			assert_int_equal(g.nr, 0);
			assert_null(g.buf);
		}
		free(err);
		gather_release(&g);
	}
}

static void test_nonce_from_header(void **state)
{
	struct gather g;
	(void)state;
	gather_init(&g);
	assert_int_equal(gather_parse(&g, HDR, strlen(HDR), NULL, NULL), 0);
	assert_string_equal(g.nonce, N);
	gather_release(&g);
	/* gather_release leaves an empty gather that can be used again */
	assert_int_equal(gather_parse(&g, HDR, strlen(HDR), N, NULL), 0);
	gather_release(&g);
}

static void test_expected_nonce(void **state)
{
	struct gather g;
	char *err = NULL;
	(void)state;
	gather_init(&g);
	assert_int_equal(gather_parse(&g, HDR, strlen(HDR), "abcDEF13", &err), GATHER_ERR_NONCE);
	assert_string_equal(err, "transcript nonce does not match the one sent");
	free(err);
	gather_release(&g);
}

static void test_error_messages(void **state)
{
	struct gather g;
	char *err = NULL;
	(void)state;
	gather_init(&g);
	assert_int_equal(gather_parse(&g, "x", 1, NULL, &err), GATHER_ERR_HEADER);
	assert_string_equal(err, "transcript does not start with a gather header");
	free(err);
	assert_int_equal(gather_parse(&g, M "gather 7\n", strlen(M "gather 7\n"), NULL, &err),
			 GATHER_ERR_VERSION);
	assert_string_equal(err, "unsupported transcript format version 7 (expected 1)");
	free(err);
	/* the size is checked before the bytes are read */
	assert_int_equal(gather_parse(&g, "", GATHER_MAX_BYTES + 1, NULL, &err), GATHER_ERR_SIZE);
	assert_string_equal(err, "transcript is larger than 64 MiB");
	free(err);
	gather_release(&g);
}

static void test_section_cap(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct gather g;
	char *err = NULL;
	(void)state;

	strbuf_addstr(&sb, HDR);
	for (int i = 0; i < GATHER_MAX_SECTIONS; i++)
		strbuf_addf(&sb, M "begin s%d\n" M "end s%d 0\n", i, i);
	gather_init(&g);
	assert_int_equal(gather_parse(&g, sb.buf, sb.len, NULL, NULL), 0);
	assert_int_equal(g.nr, GATHER_MAX_SECTIONS);
	gather_release(&g);
	strbuf_addf(&sb, M "begin one-more\n");
	assert_int_equal(gather_parse(&g, sb.buf, sb.len, NULL, &err), GATHER_ERR_SECTIONS);
	assert_string_equal(err, "transcript has more than 512 sections");
	assert_int_equal(g.nr, 0);
	free(err);
	/* repeating one name does not count: duplicates are dropped */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, HDR);
	for (int i = 0; i < 100000; i++)
		strbuf_addstr(&sb, M "begin same\n" M "end same 0\n");
	assert_int_equal(gather_parse(&g, sb.buf, sb.len, NULL, NULL), 0);
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.duplicates, 99999);
	gather_release(&g);
	strbuf_release(&sb);
}

static void test_huge_line(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct gather g;
	size_t big = 8u << 20;
	(void)state;

	strbuf_addstr(&sb, HDR M "begin a\n");
	char *line = xmalloc(big);
	memset(line, 'x', big);
	strbuf_add(&sb, line, big);
	strbuf_addstr(&sb, "\n" M "end a 0\n" M "done\n");
	gather_init(&g);
	assert_int_equal(gather_parse(&g, sb.buf, sb.len, NULL, NULL), 0);
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.sections[0].len, big + 1);
	assert_true(g.done);
	assert_true(gather_complete(&g));
	/* the parse works on its own copy */
	memset(sb.buf, 0, sb.len);
	assert_int_equal(g.sections[0].data[0], 'x');
	gather_release(&g);
	free(line);
	strbuf_release(&sb);
}

static void test_find_and_complete(void **state)
{
	static const char in[] = HDR M "begin a\n" M "end a 0\n" M "begin b\n" M "done\n";
	struct gather g;
	(void)state;
	gather_init(&g);
	assert_int_equal(gather_parse(&g, in, strlen(in), NULL, NULL), 0);
	assert_non_null(gather_find(&g, "a"));
	assert_non_null(gather_find(&g, "b"));
	assert_null(gather_find(&g, "c"));
	assert_null(gather_find(&g, ""));
	assert_false(gather_complete(&g)); /* b never ended */
	gather_release(&g);
}

static void test_next_line(void **state)
{
	static const char in[] = "a\r\n\nb\rc\r\r\nlast";
	const char *p = in, *line;
	size_t ll;
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	while (gather_next_line(&p, in + strlen(in), &line, &ll)) {
		strbuf_add(&sb, line, ll);
		strbuf_addch(&sb, '|');
	}
	assert_string_equal(sb.buf, "a||b\rc\r|last|");
	p = NULL;
	assert_int_equal(gather_next_line(&p, NULL, &line, &ll), 0);
	strbuf_release(&sb);
}

/* ---- files ---- */

struct files_row {
	const char *name;
	const char *content; /* of section "s" */
	const char *head;
	const char *want; /* "path=content|..." */
};

static const struct files_row files_rows[] = {
	{ "no files", "a\nb\n", "a\nb\n", "" },
	{ "empty section", "", "", "" },
	{ "head and files", "head\n" M "file /etc/a\n1\n2\n" M "file /etc/b c\n" M "file /etc/c\n3",
	  "head\n", "/etc/a=1\\n2\\n|/etc/b c=|/etc/c=3|" },
	{ "only files", M "file /x\nx\n", "", "/x=x\\n|" },
	{ "crlf header", M "file /x\r\nx\r\n", "", "/x=x\\r\\n|" },
	{ "empty path", M "file \nx\n", "", "=x\\n|" },
	{ "other nonce is content", M "file /x\n@@SRG zzzzzzzz file /y\n", "",
	  "/x=@@SRG zzzzzzzz file /y\\n|" },
	{ "file without space", M "file\nx\n", "", "=x\\n|" },
	{ "files verb needs a space", M "files /x\nx\n", "@@SRG abcDEF12 files /x\nx\n", "" },
};

static void test_files_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files_rows); i++) {
		const struct files_row *r = &files_rows[i];
		struct strbuf in = STRBUF_INIT, got = STRBUF_INIT;
		struct gather g;
		struct gather_files it;
		struct gather_file file;

		strbuf_addf(&in, HDR M "begin s\n%s\n" M "end s 0\n", r->content);
		/* the content ends with the newline added above: drop it from the expectations */
		gather_init(&g);
		assert_int_equal(gather_parse(&g, in.buf, in.len, NULL, NULL), 0);
		const struct gather_section *s = gather_find(&g, "s");
		assert_non_null(s);
		/* remove the newline the row did not write */
		struct gather_section trimmed = *s;
		trimmed.len--;
		gather_files_init(&it, &g, &trimmed);
		char *head = xstrndup(it.head, it.head_len);
		if (strcmp(head, r->head)) {
			print_error("row '%s': head '%s', want '%s'\n", r->name, head, r->head);
			fail();
		}
		while (gather_files_next(&it, &file)) {
			char *c = xstrndup(file.data, file.len);
			strbuf_addf(&got, "%s=", file.path);
			strbuf_add_escaped(&got, c);
			strbuf_addch(&got, '|');
			free(c);
		}
		assert_int_equal(gather_files_next(&it, &file), 0);
		gather_files_release(&it);
		if (strcmp(got.buf ? got.buf : "", r->want)) {
			print_error("row '%s':\n got  %s\n want %s\n", r->name, got.buf ? got.buf : "", r->want);
			fail();
		}
		free(head);
		strbuf_release(&in);
		strbuf_release(&got);
		gather_release(&g);
	}
}

static void test_files_null_section(void **state)
{
	struct gather g;
	struct gather_files it;
	struct gather_file file;
	(void)state;
	gather_init(&g);
	gather_files_init(&it, &g, NULL);
	assert_int_equal(it.head_len, 0);
	assert_int_equal(gather_files_next(&it, &file), 0);
	gather_files_release(&it);
	gather_files_release(NULL);
	gather_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_table),
		cmocka_unit_test(test_nonce_from_header),
		cmocka_unit_test(test_expected_nonce),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_section_cap),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_find_and_complete),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_files_table),
		cmocka_unit_test(test_files_null_section),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
